//! Whatever the document, the generator answers with source or an `Error`: never a panic,
//! never a hang. (A bounded stand-in for the cargo-fuzz targets in `fuzz/`, cheap enough
//! for every CI run.)

use std::path::Path;

use openrouter_workspaces_codegen::{generate_from_value, load, normalise, parse};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The keys of OpenAPI documents that the arbitrary values favour.
const KEYS: [&str; 12] = [
    "type",
    "properties",
    "items",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "nullable",
    "enum",
    "const",
    "required",
    "exclusiveMinimum",
];

/// Arbitrary JSON values, biased towards the keys OpenAPI documents use.
fn json_value() -> impl Strategy<Value = Value> {
    // Each known key is as likely as a generated name.
    let key = prop_oneof![
        KEYS.len() as u32 => prop::sample::select(&KEYS[..]).prop_map(str::to_string),
        1 => "[a-z]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("string"),
            Just("object"),
            Just("null"),
            Just("array"),
            Just("integer"),
            Just("#/components/schemas/A"),
            Just("#/components/schemas/Missing"),
        ]
        .prop_map(|s| json!(s)),
        "[ -~]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A document with one Workspaces operation whose response schema is `schema`, and a
/// component `A` that is `component`.
fn document(schema: Value, component: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a/{id}": {"get": {
            "operationId": "getA",
            "tags": ["Workspaces"],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}
        }}},
        "components": {"schemas": {"A": component}}
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn loading_arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let file = Path::new("fuzz.yaml");
        let _ = load::parse_str(&text, load::Format::Yaml, file);
        let _ = load::parse_str(&text, load::Format::Json, file);
    }

    #[test]
    fn normalising_and_parsing_arbitrary_documents_never_panics(doc in json_value()) {
        let file = Path::new("fuzz.json");
        let mut doc = doc;
        if normalise::normalise(&mut doc, file).is_ok() {
            let _ = parse::parse(&doc, file);
        }
    }

    #[test]
    fn generating_from_arbitrary_schemas_never_panics(schema in json_value(), component in json_value()) {
        let doc = document(schema, component);
        let _ = generate_from_value(&doc, &["Workspaces".to_string()], false, Path::new("fuzz.json"));
    }
}
