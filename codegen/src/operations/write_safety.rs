//! The `x-write-safety` extension of an operation: how a write is made safe to retry.
//!
//! The project's overlay (`openapi/write-safety.overlay.yaml`) adds it to the document, so
//! that an upstream document is used as published. Its form:
//!
//! ```yaml
//! x-write-safety:
//!   repeatable: true                 # a POST whose second delivery changes nothing more
//!   goneMeansDone: {deleted: true}   # the success body when a retry finds the thing gone
//!   settleByLookup:                  # a create whose outcome is unknown is looked up
//!     path: /workspaces/{slug}       #   each {name} is the sent body's field
//!     object: /data                  #   JSON pointer to the object in the answer
//!     identity: [slug, name]         #   fields the found object must carry as sent
//!   relocateByLookup: {...}          # an update that may move its address: where to look
//! ```
//!
//! Every key is optional; anything else is an error naming the JSON pointer.

use serde_json::Value;

use super::{Body, LookupDesc, WriteSafety};
use crate::error::{Error, ErrorKind, Result, pointer_push};

/// The name of the extension.
pub const EXTENSION: &str = "x-write-safety";

/// Reads the extension `value` of the operation at `pointer`, whose body is `body`.
pub(super) fn read(
    value: &Value,
    body: Option<&Body>,
    file: &std::path::Path,
    pointer: &str,
) -> Result<WriteSafety> {
    let at = pointer_push(pointer, EXTENSION);
    let fail = |at: &str, message: String| Error::new(ErrorKind::Invalid, file, at, message);
    let Some(map) = value.as_object() else {
        return Err(fail(&at, format!("`{EXTENSION}` must be an object")));
    };
    let mut safety = WriteSafety::default();
    for (key, value) in map {
        let at = pointer_push(&at, key);
        match key.as_str() {
            "repeatable" => {
                safety.repeatable = value
                    .as_bool()
                    .ok_or_else(|| fail(&at, "`repeatable` must be true or false".into()))?;
            }
            "goneMeansDone" => {
                if !value.is_object() {
                    return Err(fail(
                        &at,
                        "`goneMeansDone` must be the JSON object to report as the success body"
                            .into(),
                    ));
                }
                safety.gone_means_done = Some(value.to_string());
            }
            "settleByLookup" => safety.settle = Some(lookup(value, body, &at, &fail)?),
            "relocateByLookup" => safety.relocate = Some(lookup(value, body, &at, &fail)?),
            other => {
                return Err(fail(
                    &at,
                    format!(
                        "unknown key `{other}` in `{EXTENSION}`; the keys are repeatable, \
                         goneMeansDone, settleByLookup and relocateByLookup"
                    ),
                ));
            }
        }
    }
    Ok(safety)
}

/// A `settleByLookup` or `relocateByLookup` value at `at`.
fn lookup(
    value: &Value,
    body: Option<&Body>,
    at: &str,
    fail: &impl Fn(&str, String) -> Error,
) -> Result<LookupDesc> {
    let text = |key: &str| -> Result<String> {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| fail(at, format!("the lookup needs `{key}`, a string")))
    };
    let path = text("path")?;
    let object = text("object")?;
    if !path.starts_with('/') {
        return Err(fail(
            at,
            format!("the lookup path `{path}` must start with `/`"),
        ));
    }
    if !(object.is_empty() || object.starts_with('/')) {
        return Err(fail(
            at,
            format!("`object` must be a JSON pointer such as `/data`, not `{object}`"),
        ));
    }
    let identity = match value.get("identity") {
        None => Vec::new(),
        Some(Value::Array(names)) => names
            .iter()
            .map(|n| n.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| fail(at, "`identity` must be a list of field names".into()))?,
        Some(_) => return Err(fail(at, "`identity` must be a list of field names".into())),
    };
    if let Some(extra) = value.as_object().and_then(|m| {
        m.keys()
            .find(|k| !["path", "object", "identity"].contains(&k.as_str()))
    }) {
        return Err(fail(
            at,
            format!("unknown key `{extra}` in a lookup; the keys are path, object and identity"),
        ));
    }
    let known = |name: &str| body.is_some_and(|b| b.fields.iter().any(|f| f.name == name));
    let placeholders = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name));
    for name in placeholders.chain(identity.iter().map(String::as_str)) {
        if !known(name) {
            return Err(fail(
                at,
                format!(
                    "the lookup names `{name}`, which is not a field of the operation's \
                     request body: the rule no longer fits the document; update it in the \
                     overlay"
                ),
            ));
        }
    }
    Ok(LookupDesc {
        path,
        object,
        identity,
    })
}
