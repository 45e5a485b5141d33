//! The request a generated operation describes ([`RequestParts`], [`JsonBody`]), with every
//! parameter and field checked against the operation's [`Operation`] description and encoded
//! before anything is sent.
//!
//! [`RequestParts::prepare`] turns a request into what goes on the wire ([`Prepared`]): the
//! URL and the headers of every attempt.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::{Map, Value};
use ureq::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use ureq::http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, InvalidInput};
use crate::options::CallOptions;
use crate::retry::StatusClass;
use crate::schema::{Operation, Parameter, Strictness};
use crate::{ApiErrorBody, Client};

/// Characters left as they are in a path segment or query component: RFC 3986 unreserved.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A documented error status and the decoder of its body.
#[doc(hidden)]
#[derive(Debug)]
pub struct ErrorStatus {
    /// The status or class of statuses.
    pub status: StatusClass,
    /// The decoder of the body into the status's documented type, when it has one.
    pub decode: Option<ErrorDecoder>,
}

/// Decodes the body of a documented error status into its typed form.
#[doc(hidden)]
pub type ErrorDecoder = fn(&[u8]) -> Option<ApiErrorBody>;

/// The JSON body of a request under construction.
///
/// Setters insert as they go; the first value that cannot be represented is kept as an
/// error and reported by `send`, so a chain of setters never panics.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct JsonBody {
    fields: Map<String, Value>,
    /// The fields set by name from JSON, checked as the document says (an enum value it
    /// does not list is a mistake there, not the choice of an open enum's `Unknown`).
    by_name: Vec<String>,
    problem: Option<(String, String)>,
}

impl JsonBody {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `field`; a value whose JSON form is `null` (a NaN or infinite number) is refused.
    pub fn set(&mut self, field: &str, value: impl Serialize) {
        self.by_name.retain(|name| name != field);
        match serde_json::to_value(value) {
            Ok(Value::Null) => self.note(
                field,
                "is not a finite number or value; to send null use the clear_ setter",
            ),
            Ok(json) => {
                self.fields.insert(field.to_string(), json);
            }
            Err(e) => self.note(field, &format!("cannot be encoded as JSON: {e}")),
        }
    }

    /// Sets `field` to an explicit JSON `null`.
    pub fn set_null(&mut self, field: &str) {
        self.by_name.retain(|name| name != field);
        self.fields.insert(field.to_string(), Value::Null);
    }

    /// Sets `field` to a JSON value as it is (`null` included); checked when sent, as the
    /// document says.
    pub fn set_json(&mut self, field: &str, value: Value) {
        if !self.by_name.iter().any(|name| name == field) {
            self.by_name.push(field.to_string());
        }
        self.fields.insert(field.to_string(), value);
    }

    /// Replaces the whole body with the JSON form of `value`.
    pub fn replace_with(&mut self, value: &impl Serialize) {
        self.by_name.clear();
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => self.fields = map,
            Ok(_) => self.note("body", "is not a JSON object"),
            Err(e) => self.note("body", &format!("cannot be encoded as JSON: {e}")),
        }
    }

    fn note(&mut self, field: &str, problem: &str) {
        if self.problem.is_none() {
            self.problem = Some((field.to_string(), problem.to_string()));
        }
    }
}

/// The first problem met while a builder's [`RequestBuilder::set_json`](crate::RequestBuilder::set_json)
/// set parameters by name, reported by `send`.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Deferred {
    problem: Option<(String, String)>,
}

impl Deferred {
    /// Keeps `problem` of `field` unless an earlier one is kept.
    pub fn note(&mut self, field: &str, problem: impl fmt::Display) {
        if self.problem.is_none() {
            self.problem = Some((field.to_string(), problem.to_string()));
        }
    }

    /// Checks the value of parameter `name` of `operation`, given by name from JSON, as the
    /// document says (before it is decoded into the parameter's type, where an open enum
    /// would take any string), and notes the problem.
    pub fn check_param(&mut self, operation: &Operation, name: &str, value: &Value) {
        if let Some(parameter) = operation.parameter(name)
            && let Err(problem) = parameter.shape.check(value)
        {
            self.note(name, problem);
        }
    }

    /// Notes that `field` is neither a parameter nor a body field the builder can set by
    /// name.
    pub fn unknown(&mut self, field: &str, operation: &Operation) {
        let problem = match operation.parameter(field) {
            Some(_) => "is a path parameter: give it to the method that makes the request",
            None => "is not a parameter or body field of this operation in the OpenAPI document",
        };
        self.note(field, problem);
    }
}

/// A request as an operation describes it, before the client adds its own headers.
#[doc(hidden)]
#[derive(Debug)]
pub struct RequestParts {
    operation: &'static Operation,
    path: String,
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Vec<u8>>,
}

impl RequestParts {
    /// A request of `operation`, reporting the first problem `deferred` kept.
    pub fn new(operation: &'static Operation, deferred: Deferred) -> Result<Self, Error> {
        let request = Self {
            operation,
            path: String::with_capacity(64),
            query: String::new(),
            headers: Vec::new(),
            body: None,
        };
        match deferred.problem {
            Some((field, problem)) => Err(request.invalid(&field, problem)),
            None => Ok(request),
        }
    }

    fn invalid(&self, field: &str, problem: impl Into<String>) -> Error {
        Error::InvalidInput(InvalidInput {
            operation: self.operation,
            field: field.to_string(),
            problem: problem.into(),
        })
    }

    /// Appends a literal piece of the path template.
    pub fn push_path(&mut self, literal: &str) {
        self.path.push_str(literal);
    }

    /// Checks path parameter `name` and appends it as exactly one percent-encoded segment.
    pub fn path_param(&mut self, name: &str, value: &impl Serialize) -> Result<(), Error> {
        let json = self.checked(name, value)?;
        let text = self.scalar_text(name, &json)?;
        if text.is_empty() {
            return Err(self.invalid(name, "must not be empty (it is a path segment)"));
        }
        if text.chars().all(|c| c == '.') {
            // `.` and `..` would be read as relative path steps; encode every dot.
            for _ in 0..text.len() {
                self.path.push_str("%2E");
            }
        } else {
            self.path.extend(utf8_percent_encode(&text, COMPONENT));
        }
        Ok(())
    }

    /// Checks query parameter `name` and appends it when set; arrays repeat the name
    /// (`form`, exploded).
    pub fn query_param<T: Serialize>(
        &mut self,
        name: &str,
        value: Option<&T>,
    ) -> Result<(), Error> {
        let Some(json) = self.checked_if_set(name, value)? else {
            return Ok(());
        };
        let items = match &json {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let text = self.scalar_text(name, item)?;
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.extend(utf8_percent_encode(name, COMPONENT));
            self.query.push('=');
            self.query.extend(utf8_percent_encode(&text, COMPONENT));
        }
        Ok(())
    }

    /// Checks header parameter `name` and adds it when set; a value with CR, LF or other
    /// control characters is refused.
    pub fn header_param<T: Serialize>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
    ) -> Result<(), Error> {
        let Some(json) = self.checked_if_set(name, value)? else {
            return Ok(());
        };
        let text = self.scalar_text(name, &json)?;
        let header_name = HeaderName::try_from(name)
            .map_err(|_| self.invalid(name, "is not a valid header name"))?;
        let header_value = HeaderValue::try_from(text).map_err(|_| {
            self.invalid(name, "must not contain control characters such as CR or LF")
        })?;
        self.headers.push((header_name, header_value));
        Ok(())
    }

    /// Checks the body against the operation's body description and encodes it.
    pub fn json_body(&mut self, body: JsonBody) -> Result<(), Error> {
        if let Some((field, problem)) = body.problem {
            return Err(self.invalid(&field, problem));
        }
        if let Some(described) = &self.operation.body {
            described
                .check_fields(&body.fields, Strictness::Client)
                .map_err(|v| self.invalid(&v.field, v.problem))?;
            for name in &body.by_name {
                if let (Some(field), Some(value)) = (described.field(name), body.fields.get(name)) {
                    field
                        .check(value)
                        .map_err(|v| self.invalid(&v.field, v.problem))?;
                }
            }
        }
        let bytes = serde_json::to_vec(&body.fields)
            .map_err(|e| self.invalid("body", format!("cannot be encoded as JSON: {e}")))?;
        self.body = Some(bytes);
        Ok(())
    }

    /// The JSON form of parameter `name`'s value, checked against its description.
    fn checked(&self, name: &str, value: &impl Serialize) -> Result<Value, Error> {
        let json = serde_json::to_value(value)
            .map_err(|e| self.invalid(name, format!("cannot be encoded: {e}")))?;
        if json.is_null() {
            return Err(self.invalid(name, "is not a finite number or value"));
        }
        let parameter: &Parameter = self.operation.parameter(name).ok_or_else(|| {
            self.invalid(
                name,
                "is not a parameter of this operation in the OpenAPI document",
            )
        })?;
        parameter
            .shape
            .check_with(&json, Strictness::Client)
            .map_err(|problem| self.invalid(name, problem))?;
        Ok(json)
    }

    /// [`checked`](Self::checked) for an optional parameter: `None` when it is not set.
    fn checked_if_set(
        &self,
        name: &str,
        value: Option<&impl Serialize>,
    ) -> Result<Option<Value>, Error> {
        value.map(|value| self.checked(name, value)).transpose()
    }

    fn scalar_text(&self, name: &str, value: &Value) -> Result<String, Error> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(self.invalid(name, "must be a string, number or boolean")),
        }
    }
}

/// A request ready for the wire: what every attempt of one call sends.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) operation: &'static Operation,
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Vec<u8>>,
}

impl RequestParts {
    /// The URL under `client`'s base URL, and the headers of every attempt: credentials,
    /// content negotiation, attribution (per-call values replacing the client's) and the
    /// operation's own.
    pub(crate) fn prepare(self, client: &Client, options: &CallOptions) -> Result<Prepared, Error> {
        let inner = &*client.inner;
        let mut url =
            String::with_capacity(inner.base_url.len() + self.path.len() + self.query.len() + 1);
        url.push_str(&inner.base_url);
        url.push_str(&self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }

        let mut headers = HeaderMap::with_capacity(8 + self.headers.len());
        headers.insert(AUTHORIZATION, inner.authorization.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if !inner.agent_is_ours {
            headers.insert(USER_AGENT, inner.user_agent.clone());
        }
        if self.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, per_call) in options.attribution() {
            let value = match per_call {
                Some(text) => Some(HeaderValue::try_from(text).map_err(|_| {
                    self.invalid(
                        name.as_str(),
                        "must not contain control characters such as CR or LF",
                    )
                })?),
                None => inner.attribution.get(&name).cloned(),
            };
            if let Some(value) = value {
                headers.insert(name, value);
            }
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        Ok(Prepared {
            operation: self.operation,
            url,
            headers,
            body: self.body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::schema::{Kind, Location, Rules, Shape, WriteRules};

    const fn param(name: &'static str, location: Location, kind: Kind) -> Parameter {
        Parameter {
            name,
            location,
            required: false,
            description: "",
            shape: Shape {
                kind,
                format: None,
                values: &[],
                rules: Rules::NONE,
                items: None,
                model: None,
                open: false,
            },
            default: None,
        }
    }

    static OPERATION: Operation = Operation {
        id: "getThing",
        tag: "Things",
        call: "things().get",
        method: crate::schema::Method::Get,
        path: "/things/{id}",
        summary: "",
        parameters: &[
            param("id", Location::Path, Kind::String),
            param("q", Location::Query, Kind::String),
            param("ids", Location::Query, Kind::Array),
            param("none", Location::Query, Kind::Integer),
            param("limit", Location::Query, Kind::Number),
        ],
        body: None,
        write: WriteRules {
            repeatable: false,
            gone_means_done: None,
            settle: None,
            relocate: None,
        },
        errors: &[],
    };

    fn request() -> RequestParts {
        RequestParts::new(&OPERATION, Deferred::default()).unwrap()
    }

    fn encoded(id: &str) -> Result<String, Error> {
        let mut request = request();
        request.push_path("/things/");
        request.path_param("id", &id)?;
        Ok(request.path)
    }

    #[test]
    fn dot_segments_are_encoded_whole() {
        assert_eq!(encoded(".").unwrap(), "/things/%2E");
        assert_eq!(encoded("..").unwrap(), "/things/%2E%2E");
        assert_eq!(encoded("a..b").unwrap(), "/things/a..b");
    }

    #[test]
    fn query_values_are_encoded_and_arrays_repeat_the_name() {
        let mut request = request();
        request.query_param("q", Some(&"a&b=c d")).unwrap();
        request.query_param("ids", Some(&vec![1, 2])).unwrap();
        request.query_param::<u64>("none", None).unwrap();
        assert_eq!(request.query, "q=a%26b%3Dc%20d&ids=1&ids=2");
    }

    #[test]
    fn non_finite_numbers_are_refused() {
        let mut request = request();
        let err = request.query_param("limit", Some(&f64::NAN)).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(ref i) if i.field == "limit"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn any_id_is_exactly_one_segment_that_decodes_back(id in "\\PC{1,40}|[/?#%. \r\n\0]{1,10}") {
            let path = encoded(&id).unwrap();
            let segment = path.strip_prefix("/things/").unwrap();
            prop_assert!(!segment.contains(['/', '?', '#', ' ', '\r', '\n', '\0']), "{segment}");
            prop_assert!(segment != "." && segment != "..");
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().unwrap();
            prop_assert_eq!(decoded, id);
        }
    }
}
