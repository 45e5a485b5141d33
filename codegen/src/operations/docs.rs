//! The documentation of the generated methods: what goes on the wire, the arguments, the
//! answer and its fields, the errors, and an example built from the document's examples.

use std::collections::HashSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, StatusCode, Type};
use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::Value;

use super::errors::error_variant;
use super::{Body, BodyField, FieldType, Location, Op, Param, Rules, Shape};
use crate::document::type_ident;

/// An operation method's documentation: summary, description, what goes on the wire,
/// arguments, output, errors and an example.
pub(super) fn method_doc(spec: &OpenAPI, op: &Op, module: &Ident, args: &[&Param]) -> String {
    let builder = &op.builder;
    let mut doc = String::new();
    if let Some(summary) = &op.summary {
        doc.push_str(&format!("{summary}.\n\n"));
    }
    if let Some(description) = &op.description {
        doc.push_str(&format!("{description}\n\n"));
    }
    doc.push_str(&format!(
        "Sends `{} {}` (operation `{}`). Build the request with the returned [`{builder}`], then call [`{builder}::send`].\n",
        op.method, op.path, op.id
    ));
    if !args.is_empty() {
        doc.push_str("\n# Arguments\n\n");
        for p in args {
            doc.push_str(&format!(
                "* `{}`: {}\n",
                p.ident,
                p.value.description.clone().unwrap_or_else(|| format!(
                    "the `{}` {}",
                    p.name,
                    location_word(p.location)
                ))
            ));
        }
    }
    let required_fields: Vec<&BodyField> = op
        .body
        .iter()
        .flat_map(|b| b.fields.iter())
        .filter(|f| f.required)
        .collect();
    if !required_fields.is_empty() {
        let names: Vec<String> = required_fields
            .iter()
            .map(|f| format!("`{}`", f.ident))
            .collect();
        doc.push_str(&format!(
            "\nRequired before sending: {}.\n",
            names.join(", ")
        ));
    }
    doc.push_str(&returns_and_errors_doc(op));
    doc.push_str(&example_doc(spec, op, module, args));
    doc
}

/// The `# Returns` and `# Errors` sections of an operation's documentation.
fn returns_and_errors_doc(op: &Op) -> String {
    let mut doc = String::from("\n# Returns\n\n");
    match &op.success {
        Some(success) => {
            let path = success.to_string().replace(' ', "");
            doc.push_str(&format!(
                "[`{}`](crate::{path}) from `send()`, decoded from the {} answer; \
                 `send_with_response()` gives it with the status, headers and raw body \
                 ([`Response`](crate::Response)).\n",
                path.trim_start_matches("types::"),
                op.success_status.as_deref().unwrap_or("success")
            ));
        }
        None => doc.push_str("Nothing (`()`): the answer has no body.\n"),
    }
    if !op.success_fields.is_empty() {
        doc.push_str("\nIts fields:\n\n");
        for (name, description) in &op.success_fields {
            match description {
                Some(text) => doc.push_str(&format!("* `{name}`: {}\n", first_sentence(text))),
                None => doc.push_str(&format!("* `{name}`\n")),
            }
        }
    }
    doc.push_str("\n# Errors\n\n");
    for (status, schema) in &op.errors {
        let status = match status {
            StatusCode::Code(code) => code.to_string(),
            StatusCode::Range(class) => format!("{class}XX"),
        };
        match schema {
            Some(schema) => doc.push_str(&format!(
                "* `{status}`: [`Error::Api`](crate::Error::Api), its body decoded as \
                 [`ApiErrorBody::{variant}`](crate::ApiErrorBody::{variant}).\n",
                variant = error_variant(schema)
            )),
            None => doc.push_str(&format!(
                "* `{status}`: [`Error::Api`](crate::Error::Api), with the raw body.\n"
            )),
        }
    }
    doc.push_str(
        "* Any other status of 400 or above: [`Error::Api`](crate::Error::Api), with the raw body.\n\
         * An argument that breaks a documented rule: [`Error::InvalidInput`](crate::Error::InvalidInput); nothing is sent.\n\
         * No usable answer: [`Error::Transport`](crate::Error::Transport), [`Error::Timeout`](crate::Error::Timeout), \
         [`Error::Decode`](crate::Error::Decode) or [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge).\n",
    );
    if let Some(lookup) = &op.write.settle {
        doc.push_str(
            "* A failure after the request may have been applied that a lookup could not settle: \
             [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).\n",
        );
        doc.push_str(&format!(
            "\n# Retries\n\nA failure after the request may have been applied is settled by \
             `GET {}`: the result found there with every sent field is returned; when \
             nothing is there the request is sent again within the retry policy.\n",
            lookup.path
        ));
    } else if op.write.repeatable {
        doc.push_str(
            "\n# Retries\n\nRetried like a read: the API makes a second delivery change \
             nothing more.\n",
        );
    } else if op.method.eq_ignore_ascii_case("post") {
        doc.push_str(
            "\n# Retries\n\nSent again only when the first attempt cannot have been \
             applied (the connection was never made, or the server answered 429).\n",
        );
    }
    if op.write.gone_means_done.is_some() {
        doc.push_str(
            "\n# Retries\n\nA retry of an attempt that may have been applied and that \
             finds the target gone (404) reports success: that attempt did the job.\n",
        );
    }
    if let Some(lookup) = &op.write.relocate {
        doc.push_str(&format!(
            "\n# Retries\n\nWhen a retry of an attempt that may have been applied finds \
             nothing at the request's address (the attempt may have moved it), the result \
             is looked up at `GET {}`.\n",
            lookup.path
        ));
    }
    doc
}

pub(super) fn location_word(location: Location) -> &'static str {
    match location {
        Location::Path => "path parameter",
        Location::Query => "query parameter",
        Location::Header => "header",
    }
}

/// The rules of a shape in words, with the values of an enum and the rules of its items.
pub(super) fn describe_shape(shape: &Shape) -> String {
    let mut parts = Vec::new();
    if !shape.values.is_empty() {
        let values: Vec<String> = shape.values.iter().map(|v| format!("`{v}`")).collect();
        parts.push(format!("one of {}", values.join(", ")));
    }
    let rules = describe_rules(&shape.rules);
    if !rules.is_empty() {
        parts.push(rules);
    }
    if let Some(items) = &shape.items {
        let items = describe_shape(items);
        if !items.is_empty() {
            parts.push(format!("each item {items}"));
        }
    }
    parts.join("; ")
}

pub(super) fn describe_rules(rules: &Rules) -> String {
    let mut parts = Vec::new();
    match (rules.min_length, rules.max_length) {
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        _ => {}
    }
    if let Some(p) = &rules.pattern {
        parts.push(format!("matches `{p}`"));
    }
    let bounds = [
        (
            rules.minimum,
            rules.exclusive_minimum,
            "greater than",
            "at least",
        ),
        (
            rules.maximum,
            rules.exclusive_maximum,
            "less than",
            "at most",
        ),
    ];
    for (bound, exclusive, strict, inclusive) in bounds {
        if let Some(m) = bound {
            parts.push(format!(
                "{} {m}",
                if exclusive { strict } else { inclusive }
            ));
        }
    }
    match (rules.min_items, rules.max_items) {
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} items")),
        (Some(a), None) => parts.push(format!("at least {a} items")),
        (None, Some(b)) => parts.push(format!("at most {b} items")),
        _ => {}
    }
    parts.join(", ")
}

pub(super) fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// The `# Example` section: a call with the document's examples, and its example answer.
fn example_doc(spec: &OpenAPI, op: &Op, module: &Ident, args: &[&Param]) -> String {
    let arg_examples: Vec<String> = args
        .iter()
        .map(|p| example_expr(&p.value.field, p.value.example.as_ref(), &p.name, spec))
        .collect();
    let mut call = format!(
        "let response = client\n    .{module}()\n    .{}({})\n",
        op.method_name,
        arg_examples.join(", ")
    );
    for setter in op.body.iter().flat_map(|b| example_body_calls(b, spec)) {
        call.push_str(&format!("    .{setter}\n"));
    }
    let error = if call.contains("serde_json::from_value") {
        "Box<dyn std::error::Error>"
    } else {
        "Error"
    };
    let mut doc = String::from("\n# Example\n\n```no_run\n");
    doc.push_str("# use openrouter_workspaces::{types, Client, Error};\n");
    doc.push_str(&format!("# fn main() -> Result<(), {error}> {{\n"));
    doc.push_str("let client = Client::from_env()?;\n");
    doc.push_str(&call);
    doc.push_str("    .send()?;\nprintln!(\"{response:?}\");\n# Ok(())\n# }\n```\n");
    if let Some(example) = &op.success_example {
        let mut example = example.clone();
        shorten_arrays(&mut example);
        doc.push_str(&format!(
            "\nAn answer looks like this (the document's example):\n\n```json\n{example:#}\n```\n"
        ));
    }
    doc
}

/// The body setters an example calls: the fields of the document's body example that have
/// a setter, in its order (`clear_*` for a null), then any required field it leaves out;
/// without a body example, the required fields with their property examples.
fn example_body_calls(body: &Body, spec: &OpenAPI) -> Vec<String> {
    let mut calls = Vec::new();
    let mut given = HashSet::new();
    if let Some(Value::Object(example)) = body.example.as_ref().filter(|_| body.object) {
        for (name, value) in example {
            let Some(f) = body.fields.iter().find(|f| &f.name == name) else {
                continue;
            };
            let call = if value.is_null() {
                let setter = f.ident.to_string();
                f.value
                    .nullable
                    .then(|| format!("clear_{}()", setter.trim_start_matches("r#")))
            } else {
                example_value(&f.value.field, value, spec, false)
                    .map(|v| format!("{}({v})", f.ident))
            };
            if let Some(call) = call {
                calls.push(call);
                given.insert(name.as_str());
            }
        }
    }
    for f in body
        .fields
        .iter()
        .filter(|f| f.required && !given.contains(f.name.as_str()))
    {
        let value = example_expr(&f.value.field, f.value.example.as_ref(), &f.name, spec);
        calls.push(format!("{}({value})", f.ident));
    }
    calls
}

/// A Rust expression of `field`'s type for a required argument in examples: the document's
/// example where it can be written as a literal, else a placeholder.
fn example_expr(field: &FieldType, example: Option<&Value>, name: &str, spec: &OpenAPI) -> String {
    example
        .and_then(|value| example_value(field, value, spec, false))
        .unwrap_or_else(|| placeholder(field, name, spec))
}

/// A made-up value of `field`'s type, for an argument the document gives no example of.
fn placeholder(field: &FieldType, name: &str, spec: &OpenAPI) -> String {
    match field {
        FieldType::String => {
            format!(
                "{:?}",
                format!("example-{}", name.to_snake_case().replace('_', "-"))
            )
        }
        FieldType::Uuid => "uuid::Uuid::nil()".into(),
        FieldType::Integer { .. } => "1".into(),
        FieldType::Number => "1.0".into(),
        FieldType::Boolean => "true".into(),
        FieldType::Array(item) => format!("[{}]", placeholder(item, name, spec)),
        FieldType::Named(type_name) => {
            enum_expr(spec, type_name, None).unwrap_or_else(|| named_placeholder(spec, type_name))
        }
        FieldType::Map => "serde_json::Map::new()".into(),
        FieldType::Any => "serde_json::Value::Null".into(),
    }
}

/// `value`, an example from the document, as a Rust expression: of what the setter of
/// `field` accepts, or (`exact`, for the items of an array that is not of strings) of the
/// stored type itself. `None` when it cannot be written as a literal of that type.
fn example_value(field: &FieldType, value: &Value, spec: &OpenAPI, exact: bool) -> Option<String> {
    match field {
        FieldType::String => {
            let text = format!("{:?}", value.as_str()?);
            Some(if exact {
                format!("{text}.to_string()")
            } else {
                text
            })
        }
        FieldType::Uuid => {
            let text = value.as_str().filter(|t| is_uuid(t))?;
            Some(format!("uuid::uuid!({text:?})"))
        }
        FieldType::Integer { unsigned, narrow } => {
            let fits = match (unsigned, narrow) {
                (true, true) => value.as_u64().is_some_and(|n| u32::try_from(n).is_ok()),
                (true, false) => value.as_u64().is_some(),
                (false, true) => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                (false, false) => value.as_i64().is_some(),
            };
            fits.then(|| value.to_string())
        }
        FieldType::Number => value.as_f64().map(|x| format!("{x:?}")),
        FieldType::Boolean => value.as_bool().map(|b| b.to_string()),
        FieldType::Array(item) => {
            // A setter of strings takes anything that becomes a string; other setters take
            // items of the stored type.
            let strings = matches!(**item, FieldType::String) && !exact;
            let items = value.as_array().filter(|items| !items.is_empty())?;
            let items = items
                .iter()
                .map(|v| example_value(item, v, spec, !strings))
                .collect::<Option<Vec<_>>>()?
                .join(", ");
            Some(if exact {
                format!("vec![{items}]")
            } else {
                format!("[{items}]")
            })
        }
        FieldType::Named(type_name) => value
            .as_str()
            .and_then(|wire| enum_expr(spec, type_name, Some(wire)))
            .or_else(|| decoded(&format!("types::{}", type_ident(type_name)), value)),
        FieldType::Map => value
            .is_object()
            .then(|| decoded("serde_json::Map<String, serde_json::Value>", value))?,
        FieldType::Any => json_macro(value),
    }
}

/// `value` as JSON written in Rust: `serde_json::json!`, which reads JSON text, except the
/// `\uXXXX` escapes (Rust spells them otherwise).
fn json_macro(value: &Value) -> Option<String> {
    let json = value.to_string();
    (!json.contains("\\u")).then(|| format!("serde_json::json!({json})"))
}

/// `value` decoded at run time into `rust_type`, for the types no literal spells (structs,
/// unions, nullable enums): the example's `main` then returns a boxed error.
fn decoded(rust_type: &str, value: &Value) -> Option<String> {
    let json = json_macro(value)?;
    Some(format!("serde_json::from_value::<{rust_type}>({json})?"))
}

/// A made-up value of the model `type_name`: its `Default` where the models have one (an
/// object with nothing required), else an empty object (or `null`) decoded into it.
fn named_placeholder(spec: &OpenAPI, type_name: &str) -> String {
    let schema = spec
        .components
        .as_ref()
        .and_then(|c| c.schemas.get(type_name))
        .and_then(ReferenceOr::as_item);
    let empty = match schema.map(|s| &s.schema_kind) {
        Some(SchemaKind::Type(Type::Object(obj))) if obj.required.is_empty() => {
            return format!("types::{}::default()", type_ident(type_name));
        }
        Some(SchemaKind::Type(Type::Object(_))) => Value::Object(Default::default()),
        _ => Value::Null,
    };
    decoded(&format!("types::{}", type_ident(type_name)), &empty)
        .unwrap_or_else(|| format!("types::{}::default()", type_ident(type_name)))
}

/// The value `wire` (when `None` or not listed, the first listed one) of the string enum
/// `type_name`: its variant where the model generator's name for it is certain, else
/// `from_wire`. `None` when `type_name` is not a string enum.
fn enum_expr(spec: &OpenAPI, type_name: &str, wire: Option<&str>) -> Option<String> {
    let schema = spec
        .components
        .as_ref()?
        .schemas
        .get(type_name)?
        .as_item()?;
    let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
        return None;
    };
    // A nullable enum is a wrapper of an `Option` in the models, no enum.
    if schema.schema_data.nullable || string.enumeration.iter().any(Option::is_none) {
        return None;
    }
    let values: Vec<&String> = string.enumeration.iter().flatten().collect();
    let value = wire
        .filter(|w| values.iter().any(|v| v == w))
        .or_else(|| values.first().map(|v| v.as_str()))?;
    // Plain words become their UpperCamelCase; other values are renamed by rules of the
    // model generator that are not worth copying here.
    let variants: HashSet<String> = values.iter().map(|v| v.to_upper_camel_case()).collect();
    let plain = values.iter().all(|v| {
        v.starts_with(|c: char| c.is_ascii_alphabetic())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '))
    }) && variants.len() == values.len()
        && !["Unknown", "UnlistedValue", "Self"]
            .iter()
            .any(|reserved| variants.contains(*reserved));
    let ty = type_ident(type_name);
    Some(if plain {
        format!("types::{ty}::{}", value.to_upper_camel_case())
    } else {
        format!("types::{ty}::from_wire({value:?})")
    })
}

/// A UUID in its hyphenated form, as `uuid::uuid!` accepts it.
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Cuts every array of more than two items to its first, so an example stays short.
fn shorten_arrays(value: &mut Value) {
    match value {
        Value::Array(items) => {
            if items.len() > 2 {
                items.truncate(1);
            }
            items.iter_mut().for_each(shorten_arrays);
        }
        Value::Object(map) => map.values_mut().for_each(shorten_arrays),
        _ => {}
    }
}

/// The first sentence of `text`'s first line.
fn first_sentence(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default().trim();
    let end = line
        .match_indices(". ")
        .find(|(i, _)| line[i + 2..].starts_with(|c: char| c.is_uppercase()));
    match end {
        Some((i, _)) => &line[..=i],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with_enums() -> OpenAPI {
        serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "Interval": {"type": "string", "enum": ["daily", "monthly"]},
                "Model": {"type": "string", "enum": ["gpt-4o", "o1.mini"]},
                "Reset": {"type": "string", "nullable": true, "enum": ["daily", null]}
            }}
        }))
        .expect("a valid document")
    }

    #[test]
    fn enum_examples_become_their_variants() {
        let spec = spec_with_enums();
        let interval = FieldType::Named("Interval".into());
        assert_eq!(
            example_expr(
                &interval,
                Some(&serde_json::json!("monthly")),
                "interval",
                &spec
            ),
            "types::Interval::Monthly"
        );
        // No example, or one the enum does not list: its first value.
        assert_eq!(
            example_expr(&interval, None, "interval", &spec),
            "types::Interval::Daily"
        );
        assert_eq!(
            example_expr(
                &interval,
                Some(&serde_json::json!("hourly")),
                "interval",
                &spec
            ),
            "types::Interval::Daily"
        );
        // A value the model generator renames by its own rules goes through `from_wire`.
        let model = FieldType::Named("Model".into());
        assert_eq!(
            example_expr(&model, Some(&serde_json::json!("o1.mini")), "model", &spec),
            "types::Model::from_wire(\"o1.mini\")"
        );
    }

    #[test]
    fn examples_take_the_type_the_setter_accepts() {
        let spec = spec_with_enums();
        let value = |field: FieldType, example: serde_json::Value| {
            example_value(&field, &example, &spec, false)
        };
        let strings = FieldType::Array(Box::new(FieldType::String));
        assert_eq!(
            value(strings.clone(), serde_json::json!(["a", "b"])).as_deref(),
            Some("[\"a\", \"b\"]")
        );
        assert_eq!(value(strings, serde_json::json!([])), None);
        assert_eq!(
            value(FieldType::Number, serde_json::json!(100)).as_deref(),
            Some("100.0")
        );
        let small = FieldType::Integer {
            unsigned: true,
            narrow: true,
        };
        assert_eq!(
            value(small.clone(), serde_json::json!(50)).as_deref(),
            Some("50")
        );
        assert_eq!(value(small, serde_json::json!(-1)), None);
        let nested = FieldType::Array(Box::new(FieldType::Array(Box::new(FieldType::String))));
        assert_eq!(
            value(nested, serde_json::json!([["x"]])).as_deref(),
            Some("[vec![\"x\".to_string()]]")
        );
        assert_eq!(
            value(
                FieldType::Uuid,
                serde_json::json!("550e8400-e29b-41d4-a716-446655440000")
            )
            .as_deref(),
            Some("uuid::uuid!(\"550e8400-e29b-41d4-a716-446655440000\")")
        );
        assert_eq!(
            value(FieldType::Uuid, serde_json::json!("production")),
            None
        );
        // What no literal spells is decoded from the example's JSON.
        assert_eq!(
            value(FieldType::Map, serde_json::json!({"a": 1})).as_deref(),
            Some(
                "serde_json::from_value::<serde_json::Map<String, serde_json::Value>>(serde_json::json!({\"a\":1}))?"
            )
        );
        assert_eq!(
            value(FieldType::Named("Reset".into()), serde_json::json!("daily")).as_deref(),
            Some("serde_json::from_value::<types::Reset>(serde_json::json!(\"daily\"))?")
        );
    }

    #[test]
    fn long_example_arrays_are_cut_to_their_first_item() {
        let mut example = serde_json::json!({"data": [1, 2, 3], "pair": [{"x": [4, 5, 6]}, 7]});
        shorten_arrays(&mut example);
        assert_eq!(
            example,
            serde_json::json!({"data": [1], "pair": [{"x": [4]}, 7]})
        );
    }

    #[test]
    fn field_descriptions_are_cut_to_their_first_sentence() {
        assert_eq!(first_sentence("Always true. It is set."), "Always true.");
        assert_eq!(
            first_sentence("Sorted by e.g. price."),
            "Sorted by e.g. price."
        );
        assert_eq!(first_sentence("One line\nand another"), "One line");
    }

    #[test]
    fn rules_are_described_for_docs() {
        let rules = Rules {
            min_length: Some(1),
            max_length: Some(50),
            minimum: Some(0.0),
            exclusive_minimum: true,
            ..Rules::default()
        };
        assert_eq!(describe_rules(&rules), "1 to 50 characters, greater than 0");
    }
}
