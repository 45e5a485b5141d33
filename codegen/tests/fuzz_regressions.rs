//! Inputs found by the cargo-fuzz targets in `fuzz/` (or reasoned out from one they found),
//! kept as ordinary tests: each once made the generator panic instead of answering with
//! source or an `Error`.

use std::path::Path;

use openrouter_workspaces_codegen::{ErrorKind, Generated, Result, generate_from_value, load};
use serde_json::{Value, json};

fn file() -> &'static Path {
    Path::new("fuzz.yaml")
}

fn generate(doc: &Value, tag: &str, strict: bool) -> Result<Generated> {
    generate_from_value(doc, &[tag.to_string()], strict, file())
}

/// One GET operation with the given operationId and tag, and optionally an extension.
fn document(operation_id: &str, tag: &str, extra: Value) -> Value {
    let mut operation = json!({
        "operationId": operation_id,
        "tags": [tag],
        "responses": {"204": {"description": "nothing"}}
    });
    if let (Some(op), Some(extra)) = (operation.as_object_mut(), extra.as_object()) {
        op.extend(extra.clone());
    }
    things(operation, "get", None)
}

/// A document whose one path `/things` has `operation` as `method`, and the `components`
/// given.
fn things(operation: Value, method: &str, components: Option<Value>) -> Value {
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things": {method: operation}}
    });
    if let Some(components) = components {
        doc["components"] = components;
    }
    doc
}

/// The input `spec_loader` found (bytes as written, then read the way the fuzz target
/// reads them: invalid UTF-8 replaced). The operationId becomes `\u{FFFD}1\u{FFFD}…tA`,
/// whose UpperCamelCase form `1TA` starts with a digit: `format_ident!` panicked on it.
#[test]
fn spec_loader_crash_operation_id_starting_with_a_digit() {
    let bytes: &[u8] = b"openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n /a:\n    get:\n      operationId: \xff1\xff\xff\xff\xff\xff\xfftA\n      tags: [Workspaces]\n      responses:\n           rn: 0}}\n";
    let text = String::from_utf8_lossy(bytes);
    let doc = load::parse_str(&text, load::Format::Yaml, file()).expect("the reproducer loads");
    assert_generates_one_operation(&doc, "Workspaces", "the reproducer");
}

/// Checks that `doc` generates, strict or not, Rust that parses, with its one operation
/// and nothing skipped.
#[track_caller]
fn assert_generates_one_operation(doc: &Value, tag: &str, what: &str) {
    for strict in [false, true] {
        let generated =
            generate(doc, tag, strict).unwrap_or_else(|e| panic!("{what} (strict: {strict}): {e}"));
        assert!(
            generated.skipped.is_empty(),
            "{what}: {:?}",
            generated.skipped
        );
        assert_eq!(
            generated.source.matches("pub fn send(").count(),
            1,
            "{what}"
        );
        syn::parse_file(&generated.source)
            .unwrap_or_else(|e| panic!("{what}: the generated source does not parse: {e}"));
    }
}

#[test]
fn an_operation_id_starting_with_a_digit_still_generates() {
    for id in ["1a", "2fa_enable", "404Handler", "\u{FFFD}1\u{FFFD}tA"] {
        let doc = document(id, "Workspaces", json!({}));
        assert_generates_one_operation(&doc, "Workspaces", &format!("operationId `{id}`"));
    }
}

#[test]
fn an_operation_id_that_names_nothing_is_skipped_not_a_panic() {
    for id in ["", "!!!", "--", "\u{FFFD}", "取得"] {
        let doc = document(id, "Workspaces", json!({}));
        let generated = generate(&doc, "Workspaces", false)
            .unwrap_or_else(|e| panic!("operationId `{id}`: {e}"));
        assert_eq!(generated.skipped.len(), 1, "operationId `{id}`");
        assert_eq!(generated.skipped[0].kind, ErrorKind::Unsupported);
        assert_eq!(generated.source.matches("pub fn send(").count(), 0);
        syn::parse_file(&generated.source).expect("the rest of the source parses");
        let strict = generate(&doc, "Workspaces", true).unwrap_err();
        assert_eq!(strict.kind, ErrorKind::Unsupported, "operationId `{id}`");
    }
}

#[test]
fn a_name_override_that_names_nothing_is_skipped_not_a_panic() {
    let doc = document(
        "getThing",
        "Workspaces",
        json!({"x-speakeasy-name-override": "??"}),
    );
    let generated = generate(&doc, "Workspaces", false).expect("generates");
    assert_eq!(generated.skipped.len(), 1);
    assert_eq!(generated.skipped[0].kind, ErrorKind::Unsupported);
    syn::parse_file(&generated.source).expect("the rest of the source parses");
}

#[test]
fn a_tag_starting_with_a_digit_still_generates() {
    let doc = document("getThing", "2024 API", json!({}));
    assert_generates_one_operation(&doc, "2024 API", "tag `2024 API`");
}

#[test]
fn a_tag_that_names_nothing_is_skipped_not_a_panic() {
    let generated = generate(&document("getThing", "–", json!({})), "–", false).expect("generates");
    assert_eq!(generated.skipped.len(), 1);
    assert_eq!(generated.skipped[0].kind, ErrorKind::Unsupported);
    syn::parse_file(&generated.source).expect("the rest of the source parses");
}

/// Parameter and property names only go through `safe_ident`, which must cope with a name
/// that leaves nothing but `_`, and with characters heck keeps but Rust identifiers refuse.
#[test]
fn odd_parameter_and_property_names_do_not_panic() {
    let operation = json!({
            "operationId": "createThing",
            "tags": ["Workspaces"],
            "parameters": [
                {"name": "-", "in": "query", "schema": {"type": "string", "pattern": "^a$"}},
                {"name": "a²", "in": "query", "schema": {"type": "string", "pattern": "^b$"}}
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {
                    "": {"type": "string"},
                    "x²": {"type": "string", "pattern": "^c$"}
                }
            }}}},
            "responses": {"204": {"description": "nothing"}}
    });
    let doc = things(operation, "post", None);
    assert_generates_one_operation(&doc, "Workspaces", "odd names");
}

/// `x-speakeasy-pagination` names the results field; a name that is no Rust identifier
/// (or not the one typify gives the field) leaves the operation without the page helper.
#[test]
fn a_pagination_results_name_that_is_no_identifier_does_not_panic() {
    for results in ["$.data-items", "$.1st", "$.type", "$.dataItems"] {
        let property = results.trim_start_matches("$.");
        let operation = json!({
                "operationId": "listThings",
                "tags": ["Workspaces"],
                "parameters": [
                    {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}
                ],
                "x-speakeasy-pagination": {
                    "type": "offsetLimit",
                    "inputs": [
                        {"name": "offset", "in": "parameters", "type": "offset"},
                        {"name": "limit", "in": "parameters", "type": "limit"}
                    ],
                    "outputs": {"results": results}
                },
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Things"}
                }}}}
        });
        let components = json!({"schemas": {
                "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Things": {
                    "type": "object",
                    "required": [property],
                    "properties": {property: {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}
                }
        }});
        let doc = things(operation, "get", Some(components));
        let generated = generate(&doc, "Workspaces", true)
            .unwrap_or_else(|e| panic!("results `{results}`: {e}"));
        syn::parse_file(&generated.source).expect("the source parses");
    }
}
