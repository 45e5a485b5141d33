//! Request bodies: a JSON object, the presence and JSON types of its known fields (naming
//! the first bad one), then the generated model it decodes into.

use openrouter_workspaces::types::UpdateWorkspaceRequest;
use serde_json::{Map, Value};

use crate::state::{Outcome, Rejection, WorkspacePatch};

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

/// Decodes a checked body into its model.
pub(crate) fn from_map<T: serde::de::DeserializeOwned>(map: Map<String, Value>) -> Outcome<T> {
    serde_json::from_value(Value::Object(map))
        .map_err(|e| Rejection::bad_request(format!("invalid request body: {e}")))
}

/// JSON types of body fields.
#[derive(Clone, Copy)]
pub(crate) enum Ty {
    String,
    Bool,
    Number,
    IntegerArray,
    StringArray,
}

/// One body field: name, type, whether `null` is allowed, whether it is required.
pub(crate) struct Field {
    name: &'static str,
    ty: Ty,
    nullable: bool,
    required: bool,
}

impl Field {
    pub(crate) fn new(name: &'static str, ty: Ty) -> Field {
        Field {
            name,
            ty,
            nullable: false,
            required: false,
        }
    }

    pub(crate) fn required(name: &'static str, ty: Ty) -> Field {
        Field {
            required: true,
            ..Field::new(name, ty)
        }
    }

    pub(crate) fn nullable(name: &'static str, ty: Ty) -> Field {
        Field {
            nullable: true,
            ..Field::new(name, ty)
        }
    }
}

/// The fields of a workspace create (`create == true`) or update body.
pub(crate) fn workspace_fields(create: bool) -> [Field; 11] {
    let named = |name| {
        if create {
            Field::required(name, Ty::String)
        } else {
            Field::new(name, Ty::String)
        }
    };
    [
        named("name"),
        named("slug"),
        Field::nullable("description", Ty::String),
        Field::nullable("default_text_model", Ty::String),
        Field::nullable("default_image_model", Ty::String),
        Field::nullable("default_provider_sort", Ty::String),
        Field::nullable("io_logging_api_key_ids", Ty::IntegerArray),
        Field::new("io_logging_sampling_rate", Ty::Number),
        Field::new("is_data_discount_logging_enabled", Ty::Bool),
        Field::new("is_observability_broadcast_enabled", Ty::Bool),
        Field::new("is_observability_io_logging_enabled", Ty::Bool),
    ]
}

/// Checks presence and JSON types of the known fields, naming the first bad one. Integer
/// items written with a fraction or an exponent (`1.0`, `1e2`) are rewritten as plain integers
/// on the way (see [`integer_item`]).
pub(crate) fn check_fields(map: &mut Map<String, Value>, fields: &[Field]) -> Outcome<()> {
    for field in fields {
        let name = field.name;
        match map.get_mut(name) {
            None if field.required => {
                return Err(Rejection::bad_request(format!("`{name}` is required")));
            }
            None => {}
            Some(Value::Null) if field.nullable => {}
            Some(Value::Null) => {
                return Err(Rejection::bad_request(format!("`{name}` cannot be null")));
            }
            Some(value) => {
                let (fits, expected) = match field.ty {
                    Ty::String => (value.is_string(), "a string"),
                    Ty::Bool => (value.is_boolean(), "a boolean"),
                    Ty::Number => (value.is_number(), "a number"),
                    Ty::IntegerArray => match value.as_array_mut() {
                        Some(items) => {
                            for item in items {
                                integer_item(name, item)?;
                            }
                            (true, "")
                        }
                        None => (false, "an array of integers"),
                    },
                    Ty::StringArray => (
                        value
                            .as_array()
                            .is_some_and(|a| a.iter().all(Value::is_string)),
                        "an array of strings",
                    ),
                };
                if !fits {
                    return Err(Rejection::bad_request(format!(
                        "`{name}` must be {expected}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Checks one item of an integer array. JSON Schema's `integer` is any number whose fraction
/// is zero, so `1.0` and `1e2` are integers too: they are rewritten as `1` and `100` for the
/// models, which hold `i64`. Integers outside the `i64` range are refused (400) with a message
/// of their own: the document sets no bound, but the models (and API key ids) cannot hold them.
fn integer_item(name: &str, item: &mut Value) -> Outcome<()> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    let Value::Number(n) = item else {
        return Err(Rejection::bad_request(format!(
            "`{name}` must be an array of integers"
        )));
    };
    if n.is_i64() {
        return Ok(());
    }
    let out_of_range = || {
        Rejection::bad_request(format!(
            "`{name}` must hold integers from {} to {} (got {n})",
            i64::MIN,
            i64::MAX
        ))
    };
    if n.is_u64() {
        return Err(out_of_range());
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 => {
            // Exclusive at both ends: an integer written below i64::MIN reaches this point
            // rounded to -2^63 at best (i64::MIN itself parses as an i64, above).
            if f > -TWO_POW_63 && f < TWO_POW_63 {
                // In range and integral: the cast is exact.
                *item = Value::from(f as i64);
                Ok(())
            } else {
                Err(out_of_range())
            }
        }
        _ => Err(Rejection::bad_request(format!(
            "`{name}` must be an array of integers"
        ))),
    }
}

/// Turns an update body into a patch: an absent field keeps the value, an explicit `null`
/// clears a nullable one.
pub(crate) fn patch_from(map: Map<String, Value>) -> Outcome<WorkspacePatch> {
    let body: UpdateWorkspaceRequest = from_map(map)?;
    Ok(WorkspacePatch {
        name: body.name,
        slug: body.slug,
        description: body.description.into(),
        default_text_model: body.default_text_model.into(),
        default_image_model: body.default_image_model.into(),
        default_provider_sort: body.default_provider_sort.into(),
        io_logging_api_key_ids: body.io_logging_api_key_ids.into(),
        io_logging_sampling_rate: body.io_logging_sampling_rate,
        is_data_discount_logging_enabled: body.is_data_discount_logging_enabled,
        is_observability_broadcast_enabled: body.is_observability_broadcast_enabled,
        is_observability_io_logging_enabled: body.is_observability_io_logging_enabled,
    })
}
