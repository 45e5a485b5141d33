//! Request bodies, checked as the document says: a JSON object whose fields are all
//! declared by the operation's body schema (any other is refused, naming it: nothing is
//! dropped silently), required ones present, `null` only where nullable, each value of its
//! type, listed values and rules (`schema::Body::check`). Numbers are then written the one
//! way the models hold them ([`normalise`]).

use openrouter_workspaces::schema::{Kind, Method, Operation, Shape};
use serde_json::{Map, Number, Value};

use crate::state::{Outcome, Rejection};

/// The request body as a JSON object.
pub(crate) fn json_object(body: &[u8]) -> Outcome<Map<String, Value>> {
    if body.is_empty() {
        return Err(Rejection::bad_request(
            "a JSON object request body is required",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Rejection::bad_request(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(Rejection::bad_request(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

/// The body of a request to `op`, checked against the document and normalised. An
/// operation the document gives no body takes any JSON object and reads nothing from it.
pub(crate) fn checked(op: &Operation, body: &[u8]) -> Outcome<Map<String, Value>> {
    let mut map = json_object(body)?;
    let Some(schema) = op.body.filter(|b| b.object) else {
        return Ok(map);
    };
    if let Some(unknown) = map.keys().find(|name| schema.field(name).is_none()) {
        return Err(Rejection::bad_request(format!(
            "`{unknown}` is not a field of the {} request body in the OpenAPI document this emulator \
             was built from, so it is refused rather than dropped; build the emulator from a \
             document that has it",
            op.id
        )));
    }
    schema
        .check(&map)
        .map_err(|violation| Rejection::bad_request(violation.to_string()))?;
    for field in schema.fields {
        if let Some(value) = map.get_mut(field.name) {
            normalise(field.name, &field.shape, value)?;
        } else if op.method != Method::Patch
            && let Some(mut value) = field.default_value()
        {
            // A body that leaves out a field with a documented default means the default
            // (a PATCH leaves the stored value as it is instead).
            normalise(field.name, &field.shape, &mut value)?;
            map.insert(field.name.to_string(), value);
        }
    }
    Ok(map)
}

/// Writes a checked value the way the models hold it: a number as a double (`1` → `1.0`),
/// an integer as a plain integer. JSON Schema's `integer` is any number without a
/// fraction, so `1.0` and `1e2` are integers, rewritten `1` and `100`. Integers outside the
/// `i64` range are refused (400) with a message of their own: the document sets no bound,
/// but the models (and API key ids) cannot hold them. Array items are normalised by their
/// own shape.
pub(crate) fn normalise(name: &str, shape: &Shape, value: &mut Value) -> Outcome<()> {
    normalise_in(name, shape, value, false)
}

/// [`normalise`]; `item` when `value` is an item of the array `name`.
fn normalise_in(name: &str, shape: &Shape, value: &mut Value, item: bool) -> Outcome<()> {
    match (shape.kind, value) {
        (Kind::Integer, Value::Number(n)) => {
            let i = integer(n).ok_or_else(|| {
                // An item's message names the array, not the item.
                let what = if item {
                    "hold integers"
                } else {
                    "be an integer"
                };
                Rejection::bad_request(format!(
                    "`{name}` must {what} from {} to {} (got {n})",
                    i64::MIN,
                    i64::MAX
                ))
            })?;
            *n = Number::from(i);
        }
        (Kind::Number, Value::Number(n)) => {
            if let Some(x) = n.as_f64().and_then(Number::from_f64) {
                *n = x;
            }
        }
        (Kind::Array, Value::Array(items)) => {
            if let Some(item_shape) = shape.items {
                for value in items {
                    normalise_in(name, item_shape, value, true)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// An integral number as an `i64`, when it is one in range.
fn integer(n: &Number) -> Option<i64> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    // Exclusive at both ends: an integer written below i64::MIN reaches this point rounded
    // to -2^63 at best (i64::MIN itself parses as an i64, above). In range and integral,
    // the cast is exact.
    (f.is_finite() && f.fract() == 0.0 && f > -TWO_POW_63 && f < TWO_POW_63).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{self, WORKSPACES};
    use serde_json::json;

    fn create(body: Value) -> Outcome<Map<String, Value>> {
        let op = document::operation("POST", WORKSPACES).expect("the document creates workspaces");
        checked(op, body.to_string().as_bytes())
    }

    #[test]
    fn fields_the_document_lacks_are_refused_by_name() {
        let err = create(json!({"name": "A", "slug": "a", "region": "eu"})).unwrap_err();
        assert_eq!(err.status, 400);
        assert!(
            err.message
                .starts_with("`region` is not a field of the createWorkspace request body"),
            "{}",
            err.message
        );
    }

    #[test]
    fn numbers_are_written_as_the_models_hold_them() {
        let body = create(json!({
            "name": "A",
            "slug": "a",
            "io_logging_sampling_rate": 1,
            "io_logging_api_key_ids": [1.0, 1e2, -0.0],
        }))
        .unwrap();
        assert_eq!(body["io_logging_sampling_rate"], json!(1.0));
        assert!(body["io_logging_sampling_rate"].is_f64());
        assert_eq!(body["io_logging_api_key_ids"], json!([1, 100, 0]));
        let err = create(json!({"name": "A", "slug": "a", "io_logging_api_key_ids": [1e19]}))
            .unwrap_err();
        assert!(
            err.message
                .starts_with("`io_logging_api_key_ids` must hold integers")
        );
    }

    #[test]
    fn integers_beyond_i64_are_not_integers_the_models_hold() {
        for n in [
            json!(9_223_372_036_854_775_808_u64),
            json!(1e19),
            json!(-1e19),
        ] {
            let Value::Number(n) = n else { unreachable!() };
            assert_eq!(integer(&n), None, "{n}");
        }
        for (n, i) in [
            (json!(i64::MIN), i64::MIN),
            (json!(7.0), 7),
            (json!(-3), -3),
        ] {
            let Value::Number(n) = n else { unreachable!() };
            assert_eq!(integer(&n), Some(i));
        }
        let Value::Number(half) = json!(1.5) else {
            unreachable!()
        };
        assert_eq!(integer(&half), None);
    }
}
