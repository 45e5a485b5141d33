//! The whole pipeline, from a file to formatted Rust: what it produces for our document and
//! the upstream ones, and the error it gives for each kind of broken document.

mod common;

use std::path::{Path, PathBuf};

use common::{generated, spec_file};
use openrouter_workspaces_codegen::{Config, ErrorKind, generate, generate_report, models};

/// A small valid document with one operation; `extra_schemas` are appended (YAML).
fn minimal(extra_schemas: &str, operation_extra: &str) -> String {
    common::one_operation(
        operation_extra,
        r##"{$ref: "#/components/schemas/Thing"}"##,
        &format!(
            r##"components:
  schemas:
    Thing:
      type: object
      properties:
        name: {{type: [string, "null"]}}
{extra_schemas}
"##
        ),
    )
}

/// The error of generating from `text`, written to `spec.yaml` for `test`.
fn generation_error(test: &str, text: &str) -> openrouter_workspaces_codegen::Error {
    let path = spec_file(test, "spec.yaml", text);
    generate(&Config::new(&path)).expect_err("the document is refused")
}

fn builders(source: &str) -> Vec<String> {
    let mut names: Vec<String> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub struct "))
        .filter(|rest| rest.contains("<'a>"))
        .map(|rest| rest.split('<').next().unwrap_or("").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn project_document_generates_twelve_operations_and_parses_as_rust() {
    let source = generated(&common::project_spec(), &["Workspaces"]);
    assert!(source.starts_with("// @generated"), "generated header");
    syn::parse_file(&source).expect("valid Rust");
    assert_eq!(
        builders(&source),
        [
            "BulkAddMembers",
            "BulkRemoveMembers",
            "Create",
            "Delete",
            "DeleteBudget",
            "Get",
            "GetBudget",
            "List",
            "ListBudgets",
            "ListMembers",
            "SetBudget",
            "Update",
            "Workspaces",
        ]
    );
    for method in [
        "pub fn list(",
        "pub fn create(",
        "pub fn get(",
        "pub fn update(",
        "pub fn delete(",
        "pub fn list_budgets(",
        "pub fn get_budget(",
        "pub fn set_budget(",
        "pub fn delete_budget(",
        "pub fn list_members(",
        "pub fn bulk_add_members(",
        "pub fn bulk_remove_members(",
    ] {
        assert!(source.contains(method), "missing {method}");
    }
    // Attribution headers are client settings, never method arguments.
    assert!(!source.contains("fn http_referer(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {\n            self.http_referer"));
    assert!(source.contains("crate::__runtime::call_options!(Get);"));
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn upstream_documents_generate_their_workspaces_operations() {
    let new = generated(
        &common::upstream_spec("openrouter-2026-08-22.yaml"),
        &["Workspaces"],
    );
    syn::parse_file(&new).expect("valid Rust");
    assert_eq!(builders(&new).len(), 13, "12 operations and the tag group");

    let old = generated(
        &common::upstream_spec("openrouter-2026-04-20.yaml"),
        &["Workspaces"],
    );
    syn::parse_file(&old).expect("valid Rust");
    assert_eq!(
        builders(&old),
        [
            "BulkAddMembers",
            "BulkRemoveMembers",
            "Create",
            "Delete",
            "Get",
            "List",
            "Update",
            "Workspaces",
        ]
    );
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn upstream_document_with_every_tag_reports_the_model_generator_panic() {
    // The full document has schemas the model generator panics on; in strict mode that
    // must come back as an error naming the file, not as a panic.
    let path = common::upstream_spec("openrouter-2026-08-22.yaml");
    let mut config = Config::new(&path);
    config.strict = true;
    config.tags = vec!["Responses".into(), "Chat".into(), "Workspaces".into()];
    let err = generate(&config).expect_err("these tags hit a generator panic");
    assert_eq!(err.kind, ErrorKind::Models);
    assert!(
        err.to_string().contains("openrouter-2026-08-22.yaml"),
        "{err}"
    );
    assert!(err.message.contains("panicked"), "{err}");
}

#[test]
fn document_shapes_beyond_our_own_all_generate() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shapes.yaml");
    let source = generated(&path, &["Things"]);
    syn::parse_file(&source).expect("valid Rust");
    // Inline schemas of operations, shared request bodies and parameters get named types.
    for ty in [
        "pub enum ListThingsOrder",
        "pub struct ListThingsResponse200",
        "pub struct SetLabelsBody",
        "pub struct SetLabelsResponse200",
        "pub struct ThingBody",
    ] {
        assert!(source.contains(ty), "missing {ty}");
    }
    // A `$ref` request body and an inline one both accept their typed body.
    assert!(source.contains("pub fn body(mut self, value: types::ThingBody)"));
    assert!(source.contains("pub fn body(mut self, value: types::SetLabelsBody)"));
    // Path-level `$ref` header parameter: a setter on every operation of the path.
    assert_eq!(source.matches("pub fn x_request_id(").count(), 2);
    // Required header parameter: an argument; attribution headers declared per operation: not.
    assert!(source.contains("idempotency_key: impl ::std::convert::Into<::std::string::String>"));
    assert!(!source.contains("fn x_open_router_title"));
    assert!(!source.contains("pub fn http_referer(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {\n            self.http_referer"));
    // A `$ref` response and a `4XX` class both decode into the typed error body.
    assert!(source.contains("crate::__runtime::StatusClass::Code(404u16)"));
    assert!(source.contains("crate::__runtime::StatusClass::Class(4u16)"));
    // Offset/limit pagination from the vendor extension, with an inline response schema.
    assert!(source.contains("impl crate::__runtime::OffsetPaged for List<'_>"));
    // `format: uuid` path parameter, 3.1 `exclusiveMinimum`, `const`.
    assert!(source.contains("thing_id: ::uuid::Uuid"));
    assert!(source.contains("exclusive_minimum: true"));
}

#[test]
fn missing_file_names_the_path() {
    let err = generate(&Config::new("/nonexistent/dir/spec.yaml")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(
        err.to_string()
            .starts_with("/nonexistent/dir/spec.yaml: cannot read"),
        "{err}"
    );
}

#[test]
fn invalid_yaml_or_json_is_a_syntax_error_naming_the_file() {
    for (name, text, expected) in [
        (
            "broken.yaml",
            "openapi: 3.1.0\npaths: [unclosed\n",
            "broken.yaml: invalid YAML",
        ),
        (
            "broken.json",
            "{\"openapi\": \"3.1.0\", ",
            "broken.json: invalid JSON",
        ),
    ] {
        let path = spec_file("syntax", name, text);
        let err = generate(&Config::new(&path)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Syntax, "{name}: {err}");
        assert!(err.to_string().contains(expected), "{name}: {err}");
    }
}

#[test]
fn json_documents_generate_like_yaml() {
    let yaml = minimal("", "");
    let value: serde_json::Value = serde_yaml_ng::from_str(&yaml).expect("yaml");
    let path = spec_file("json-ok", "spec.json", &value.to_string());
    let source = generated(&path, &["Workspaces"]);
    assert!(source.contains("pub struct GetThing<'a>"));
}

#[test]
fn dangling_ref_names_its_pointer() {
    let text = minimal("", "").replace("#/components/schemas/Thing", "#/components/schemas/Gone");
    let err = generation_error("dangling", &text);
    assert_eq!(err.kind, ErrorKind::DanglingRef);
    assert_eq!(
        err.pointer,
        "/paths/~1things~1{id}/get/responses/200/content/application~1json/schema/$ref"
    );
}

#[test]
fn operation_without_operation_id_is_an_error() {
    let text = minimal("", "").replace("      operationId: getThing\n", "");
    let err = generation_error("no-id", &text);
    assert_eq!(err.kind, ErrorKind::MissingOperationId);
    assert_eq!(err.pointer, "/paths/~1things~1{id}/get");
    assert!(err.to_string().contains("has no operationId"), "{err}");
}

#[test]
fn unmappable_3_1_construct_is_an_error_with_pointer() {
    let text = minimal(
        "    Pair:\n      type: array\n      prefixItems: [{type: string}, {type: integer}]\n",
        "",
    )
    .replace(
        "        name: {type: [string, \"null\"]}",
        "        name: {type: [string, \"null\"]}\n        pair: {$ref: \"#/components/schemas/Pair\"}",
    );
    let err = generation_error("prefix", &text);
    assert_eq!(err.kind, ErrorKind::Unsupported);
    assert_eq!(err.pointer, "/components/schemas/Pair/prefixItems");
}

/// Our minimal document plus an upload operation whose body is not JSON.
fn with_upload() -> String {
    minimal("", "").replace(
        "components:\n",
        r##"  /uploads:
    post:
      operationId: uploadThing
      tags: [Workspaces]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string, format: binary}}}
      responses:
        "200": {description: ok}
components:
"##,
    )
}

#[test]
fn operation_with_non_json_body_is_skipped_and_reported() {
    let path = spec_file("skip", "spec.yaml", &with_upload());
    let generated = generate_report(&Config::new(&path)).expect("the rest generates");
    assert!(generated.source.contains("pub struct GetThing<'a>"));
    assert!(!generated.source.contains("UploadThing<'a>"));
    assert_eq!(generated.skipped.len(), 1);
    let report = generated.skipped[0].to_string();
    assert!(report.contains("uploadThing"), "{report}");
    assert!(report.contains("multipart/form-data"), "{report}");
    assert_eq!(
        generated.skipped[0].pointer,
        "/paths/~1uploads/post/requestBody"
    );
}

#[test]
fn strict_mode_fails_on_an_operation_it_cannot_generate() {
    let path = spec_file("strict", "spec.yaml", &with_upload());
    let mut config = Config::new(&path);
    config.strict = true;
    let err = generate(&config).expect_err("strict");
    assert_eq!(err.kind, ErrorKind::Unsupported);
    assert!(err.message.contains("JSON"), "{err}");
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn operations_the_model_generator_rejects_are_skipped_and_named() {
    let mut config = Config::new(common::upstream_spec("openrouter-2026-08-22.yaml"));
    config.tags = vec!["Responses".into(), "Workspaces".into()];
    let generated = generate_report(&config).expect("the rest generates");
    assert!(generated.source.contains("pub struct Get<'a>"));
    assert!(!generated.skipped.is_empty());
    for skipped in &generated.skipped {
        assert_eq!(skipped.kind, ErrorKind::Models);
        assert!(skipped.message.contains("skipped"), "{skipped}");
        assert!(skipped.pointer.starts_with("/paths/"), "{skipped}");
    }
}

#[test]
fn unknown_tag_lists_the_document_tags() {
    let path = spec_file("tags", "spec.yaml", &minimal("", ""));
    let mut config = Config::new(&path);
    config.tags = vec!["Nope".into()];
    let err = generate(&config).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoOperations);
    assert!(err.message.contains("Workspaces"), "{err}");
}

#[test]
fn config_reads_spec_tags_and_overlays_from_variables() {
    let vars = |name: &str| match name {
        "OPENROUTER_OPENAPI_SPEC" => Some("specs/other.json".to_string()),
        "OPENROUTER_OPENAPI_TAGS" => Some(" API Keys , Workspaces,".to_string()),
        "OPENROUTER_OPENAPI_OVERLAY" => Some("rules.yaml:more/changes.yaml".to_string()),
        _ => None,
    };
    let vendored = (
        Path::new("/vendored.yaml"),
        Path::new("/rules.overlay.yaml"),
    );
    let config = Config::from_vars(vars, vendored.0, vendored.1, Path::new("/repo"));
    assert!(!config.strict);
    assert_eq!(config.spec, Path::new("/repo/specs/other.json"));
    assert_eq!(config.tags, ["API Keys", "Workspaces"]);
    assert_eq!(
        config.overlays,
        [
            Path::new("/repo/rules.yaml"),
            Path::new("/repo/more/changes.yaml")
        ]
    );
    let defaults = Config::from_vars(|_| None, vendored.0, vendored.1, Path::new("/repo"));
    assert_eq!(defaults.spec, Path::new("/vendored.yaml"));
    assert_eq!(defaults.tags, ["Workspaces"]);
    assert_eq!(defaults.overlays, [vendored.1]);
    let none = |name: &str| (name == "OPENROUTER_OPENAPI_OVERLAY").then(String::new);
    let without = Config::from_vars(none, vendored.0, vendored.1, Path::new("/repo"));
    assert!(
        without.overlays.is_empty(),
        "an empty variable applies no overlay"
    );
}

#[test]
fn model_generator_panics_on_many_threads_keep_their_own_messages() {
    // typify panics on a `$ref` to a missing schema (`select` refuses those in a whole run;
    // the model stage on its own still meets them). Each generation must get its own
    // message, however the panics of the threads interleave.
    let threads = 8;
    let rounds = 10;
    let docs: Vec<serde_json::Value> = (0..threads)
        .map(|i| {
            serde_json::json!({
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {},
                "components": {"schemas": {"Thing": {"type": "object", "properties": {
                    "x": {"$ref": format!("#/components/schemas/Missing{i}")}
                }}}}
            })
        })
        .collect();
    let barrier = &std::sync::Barrier::new(threads);
    let errors: Vec<Vec<_>> = std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .iter()
            .map(|doc| {
                scope.spawn(move || {
                    barrier.wait();
                    (0..rounds)
                        .map(|_| {
                            models::generate_models(doc, Path::new("threads.yaml"))
                                .expect_err("a missing schema makes the model generator panic")
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("the panics were contained"))
            .collect()
    });
    for (i, errors) in errors.iter().enumerate() {
        for err in errors {
            assert_eq!(err.kind, ErrorKind::Models);
            let expected = format!(
                "the model generator panicked: $ref #/components/schemas/Missing{i} is missing ("
            );
            assert!(err.message.starts_with(&expected), "{err}");
        }
    }
}
