//! A schema flattened for comparison: `$ref`s followed, `allOf` merged, nullability
//! spelled out; and the short labels the report uses for types.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::models::CONSTRAINTS;
use super::{MAX_DEPTH, resolve};
use crate::document::split_component_ref;

/// A schema with its `$ref`s and `allOf` resolved: what the comparison looks at.
#[derive(Debug, Default)]
pub(super) struct Flat {
    pub(super) ty: Option<String>,
    pub(super) format: Option<String>,
    pub(super) nullable: bool,
    /// The allowed values other than null; `None` when not a closed set.
    pub(super) enum_values: Option<Vec<Value>>,
    pub(super) properties: Vec<(String, Value)>,
    pub(super) required: BTreeSet<String>,
    pub(super) items: Option<Value>,
    /// The schema of map values (`additionalProperties` given as a schema or `true`).
    pub(super) additional: Option<Value>,
    pub(super) constraints: Map<String, Value>,
    pub(super) default: Option<Value>,
    /// `anyOf` or `oneOf` and its branches.
    pub(super) variants: Option<(String, Vec<Value>)>,
}

impl Flat {
    /// Accepts any value: no type, no closed set, no structure.
    pub(super) fn is_any(&self) -> bool {
        self.ty.is_none()
            && self.variants.is_none()
            && self.enum_values.is_none()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.additional.is_none()
    }

    /// What must stay equal for the generated type to keep its kind.
    pub(super) fn shape(&self) -> String {
        match &self.variants {
            Some((keyword, branches)) => format!("{keyword}({})", branches.len()),
            None => self.ty.clone().unwrap_or_else(|| "any".into()),
        }
    }
}

pub(super) fn flatten(doc: &Value, schema: &Value) -> Flat {
    let mut flat = Flat::default();
    flatten_into(doc, schema, &mut flat, 0);
    if flat.ty.is_none() && flat.variants.is_none() {
        if !flat.properties.is_empty() || flat.additional.is_some() {
            flat.ty = Some("object".into());
        } else if flat.items.is_some() {
            flat.ty = Some("array".into());
        }
    }
    if let Some(values) = flat.enum_values.take() {
        if values.iter().any(Value::is_null) {
            flat.nullable = true;
        }
        let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
        flat.enum_values = (!values.is_empty()).then_some(values);
    }
    flat
}

/// Adds what `schema` says to `flat`, where `flat` has not said it already.
fn flatten_into(doc: &Value, schema: &Value, flat: &mut Flat, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = resolve(doc, schema);
    let Some(map) = schema.as_object() else {
        return;
    };
    let string = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    if flat.ty.is_none() {
        flat.ty = string("type");
    }
    if flat.format.is_none() {
        flat.format = string("format");
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        flat.nullable = true;
    }
    if flat.enum_values.is_none() {
        flat.enum_values = map.get("enum").and_then(Value::as_array).cloned();
    }
    if let Some(properties) = map.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            if !flat.properties.iter().any(|(n, _)| n == name) {
                flat.properties.push((name.clone(), child.clone()));
            }
        }
    }
    if let Some(required) = map.get("required").and_then(Value::as_array) {
        flat.required
            .extend(required.iter().filter_map(Value::as_str).map(String::from));
    }
    if flat.items.is_none() {
        flat.items = map.get("items").cloned();
    }
    if flat.additional.is_none() {
        flat.additional = match map.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(json!({})),
            Some(v @ Value::Object(_)) => Some(v.clone()),
            _ => None,
        };
    }
    for keyword in CONSTRAINTS {
        if let Some(v) = map.get(keyword) {
            flat.constraints
                .entry(keyword.to_string())
                .or_insert_with(|| v.clone());
        }
    }
    if flat.default.is_none() {
        flat.default = map.get("default").cloned();
    }
    if flat.variants.is_none() {
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = map.get(keyword).and_then(Value::as_array) {
                flat.variants = Some((keyword.to_string(), branches.clone()));
                break;
            }
        }
    }
    if let Some(branches) = map.get("allOf").and_then(Value::as_array) {
        // Nullable only if every branch is (3.0 semantics); the schema's own flag was read.
        let own_nullable = flat.nullable;
        let mut all_nullable = !branches.is_empty();
        for branch in branches {
            let mut sub = Flat::default();
            flatten_into(doc, branch, &mut sub, depth + 1);
            all_nullable &= sub.nullable;
            merge(flat, sub);
        }
        flat.nullable = own_nullable || all_nullable;
    }
}

fn merge(into: &mut Flat, from: Flat) {
    into.ty = into.ty.take().or(from.ty);
    into.format = into.format.take().or(from.format);
    into.enum_values = into.enum_values.take().or(from.enum_values);
    for (name, child) in from.properties {
        if !into.properties.iter().any(|(n, _)| *n == name) {
            into.properties.push((name, child));
        }
    }
    into.required.extend(from.required);
    into.items = into.items.take().or(from.items);
    into.additional = into.additional.take().or(from.additional);
    for (k, v) in from.constraints {
        into.constraints.entry(k).or_insert(v);
    }
    into.default = into.default.take().or(from.default);
    into.variants = into.variants.take().or(from.variants);
}

/// The component a schema names: a `$ref`, or an `allOf` of one `$ref` (a nullable reference).
pub(super) fn ref_name(schema: &Value) -> Option<String> {
    let reference = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r,
        None => match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => only.get("$ref").and_then(Value::as_str)?,
            _ => return None,
        },
    };
    split_component_ref(reference).map(|(_, name)| name)
}

/// A short description of a schema's type: `string(uuid)`, `array of integer`, `Workspace`.
pub(super) fn label(doc: &Value, schema: &Value) -> String {
    label_at(doc, schema, 0)
}

fn label_at(doc: &Value, schema: &Value, depth: usize) -> String {
    let flat = flatten(doc, schema);
    let map_values = flat
        .additional
        .as_ref()
        .filter(|_| flat.properties.is_empty() && flat.ty.as_deref() == Some("object"));
    let shape = match (map_values, depth < 3) {
        (Some(values), true) => format!("map of {}", label_at(doc, values, depth + 1)),
        _ => flat.shape(),
    };
    let mut out = match ref_name(schema) {
        Some(name) => format!("{shape} {name}"),
        None => shape,
    };
    if let Some(format) = &flat.format {
        out.push_str(&format!("({format})"));
    }
    if let (Some(items), true) = (&flat.items, depth < 3) {
        out.push_str(&format!(" of {}", label_at(doc, items, depth + 1)));
    }
    if flat.enum_values.is_some() {
        out.push_str(" enum");
    }
    if flat.nullable && !flat.is_any() {
        out.push_str(", nullable");
    }
    out
}
