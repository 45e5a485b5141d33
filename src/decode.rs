//! Decoding answers: a success body into its documented type, an error body into the
//! documented error type of its status.

use serde::de::DeserializeOwned;
use ureq::http::HeaderMap;
use ureq::http::header::CONTENT_TYPE;

use crate::ApiErrorBody;
use crate::error::{Error, excerpt};
use crate::retry::StatusClass;
use crate::schema::Operation;

/// Decodes a success body of `operation` into `T`.
pub(crate) fn success<T: DeserializeOwned>(
    operation: &'static Operation,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Error> {
    let decode_error = |message: String| Error::Decode {
        operation,
        status,
        message,
        body_excerpt: excerpt(body),
    };
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        let text = content_type.to_str().unwrap_or("");
        let essence = text
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !body.is_empty() && essence != "application/json" && !essence.ends_with("+json") {
            return Err(decode_error(format!("content type `{text}` is not JSON")));
        }
    }
    // An empty body decodes as `null`, which is what an operation without content expects.
    let bytes: &[u8] = if body.is_empty() { b"null" } else { body };
    serde_json::from_slice(bytes).map_err(|e| {
        if body.is_empty() {
            decode_error(format!("the body is empty: {e}"))
        } else {
            decode_error(e.to_string())
        }
    })
}

/// Decodes an error body into the type the document gives for `status`, if any.
pub(crate) fn error_body(operation: &Operation, status: u16, body: &[u8]) -> Option<ApiErrorBody> {
    // An exact status wins over a class (`404` over `4XX`), as OpenAPI specifies.
    let exact = operation
        .errors
        .iter()
        .find(|e| matches!(e.status, StatusClass::Code(c) if c == status));
    let documented =
        exact.or_else(|| operation.errors.iter().find(|e| e.status.matches(status)))?;
    documented.decode.and_then(|decode| decode(body))
}
