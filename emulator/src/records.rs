//! Stored workspaces, budgets and members: JSON objects shaped by the document's models, so
//! a field a newer document adds is stored and returned with no code.
//!
//! A record has every field its model declares, always: the value a request set, else the
//! value the server gives it (ids, timestamps: [`crate::rules`]), else the document's
//! default for the field, else `null` when the field is nullable, else the zero value of its
//! type (`""`, `0`, `0.0`, `false`, `[]`, `{}`).

use openrouter_workspaces::schema::{self, Field, Kind, Model};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::bodies::normalise;
use crate::state::{Outcome, Rejection};

/// A stored object.
pub(crate) type Record = Map<String, Value>;

/// A new record of `model`: each field from `assigned` when it has the field, else its
/// default ([`default_of`]). Names of `assigned` the model lacks are left out.
pub(crate) fn new(model: &Model, mut assigned: Map<String, Value>) -> Record {
    model
        .fields
        .iter()
        .map(|field| {
            let value = assigned
                .remove(field.name)
                .unwrap_or_else(|| default_of(field));
            (field.name.to_string(), value)
        })
        .collect()
}

/// The value a field of a record has when nothing set it: the document's default, else
/// `null` when nullable, else the zero value of its type.
pub(crate) fn default_of(field: &Field) -> Value {
    default_within(field, 0)
}

/// [`default_of`], `depth` objects deep: an object of a named model is a record of that
/// model with the defaults of its own fields (to a depth where a document's cycle ends).
fn default_within(field: &Field, depth: usize) -> Value {
    if let Some(mut value) = field.default_value() {
        // The default is written as the document writes it (`1`); held like a sent value.
        if normalise(field.name, &field.shape, &mut value).is_ok() {
            return value;
        }
    }
    if field.nullable {
        return Value::Null;
    }
    match field.shape.kind {
        Kind::String => Value::from(""),
        Kind::Integer => Value::from(0),
        Kind::Number => Value::from(0.0),
        Kind::Boolean => Value::Bool(false),
        Kind::Array => Value::Array(Vec::new()),
        Kind::Object => {
            let model = field
                .shape
                .model
                .filter(|_| depth < 8)
                .and_then(|name| schema::models().iter().find(|m| m.name == name));
            Value::Object(model.map_or_else(Map::new, |model| {
                model
                    .fields
                    .iter()
                    .map(|f| (f.name.to_string(), default_within(f, depth + 1)))
                    .collect()
            }))
        }
        _ => Value::Null,
    }
}

/// Sets the fields of a checked request `body` that `model` declares: each value as sent,
/// `null` clearing the field to its default when the model's field is not nullable. Fields
/// the model does not declare are not stored (the document has no place to return them).
///
/// A value the model's field cannot hold (a document whose request and model disagree) is
/// refused (400) and nothing is set.
pub(crate) fn apply(model: &Model, record: &mut Record, body: &Map<String, Value>) -> Outcome<()> {
    let mut changes = Vec::new();
    for (name, value) in body {
        let Some(field) = model.field(name) else {
            continue;
        };
        let value = if value.is_null() && !field.nullable {
            default_of(field)
        } else {
            value.clone()
        };
        field.check(&value).map_err(|violation| {
            Rejection::bad_request(format!(
                "{violation} as the document's {} model holds it",
                model.name
            ))
        })?;
        changes.push((name.clone(), value));
    }
    record.extend(changes);
    Ok(())
}

/// The records as the library's models. Every record has each field of its model, of its
/// type (see [`new`] and [`apply`]), and the models keep unknown fields, so each decodes.
pub(crate) fn typed<T: DeserializeOwned>(records: Vec<Record>) -> Vec<T> {
    records
        .into_iter()
        .map(|record| {
            serde_json::from_value(Value::Object(record)).expect(
                "a record holds every field of the model generated from the same document, \
                 each checked against that field",
            )
        })
        .collect()
}

/// A text field of a record (`""` when it is missing or not text).
pub(crate) fn text<'a>(record: &'a Record, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document;
    use serde_json::json;

    #[test]
    fn a_new_workspace_has_every_field_with_the_documents_defaults() {
        let model = document::workspace_model();
        let mut assigned = Map::new();
        assigned.insert("name".into(), json!("Team"));
        assigned.insert("not_in_the_model".into(), json!(1));
        let record = new(model, assigned);
        assert_eq!(record.len(), model.fields.len());
        assert_eq!(record["name"], "Team");
        assert!(!record.contains_key("not_in_the_model"));
        // The document's defaults, held as the models hold them.
        assert_eq!(record["io_logging_sampling_rate"], json!(1.0));
        assert!(record["io_logging_sampling_rate"].is_f64());
        assert_eq!(record["is_data_discount_logging_enabled"], false);
        assert_eq!(record["is_observability_broadcast_enabled"], false);
        assert_eq!(record["is_observability_io_logging_enabled"], false);
        // No default: null when nullable, else the zero value.
        assert_eq!(record["disabled_server_tools"], Value::Null);
        assert_eq!(record["description"], Value::Null);
        assert_eq!(record["include_byok_in_budgets"], false);
        assert_eq!(record["id"], "");
    }

    #[test]
    fn null_clears_to_the_default_and_nothing_is_set_on_a_bad_value() {
        let model = document::workspace_model();
        let mut record = new(model, Map::new());
        let body = |v: Value| v.as_object().cloned().unwrap();
        apply(
            model,
            &mut record,
            &body(json!({"io_logging_sampling_rate": 0.5, "disabled_server_tools": ["a"]})),
        )
        .unwrap();
        assert_eq!(record["io_logging_sampling_rate"], 0.5);
        assert_eq!(record["disabled_server_tools"], json!(["a"]));
        apply(
            model,
            &mut record,
            &body(json!({"io_logging_sampling_rate": null, "disabled_server_tools": null})),
        )
        .unwrap();
        assert_eq!(record["io_logging_sampling_rate"], 1.0);
        assert_eq!(record["disabled_server_tools"], Value::Null);
        let err = apply(
            model,
            &mut record,
            &body(json!({"description": "kept?", "name": 5})),
        )
        .unwrap_err();
        assert!(err.message.contains("`name`"), "{}", err.message);
        assert_eq!(record["description"], Value::Null);
    }
}
