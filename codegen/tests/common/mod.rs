//! Shared by the generator's integration tests: the documents they read, scratch files,
//! a small one-operation document and the generator run with tags.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use openrouter_workspaces_codegen::{Config, generate};

/// The project's own OpenAPI document.
pub fn project_spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/workspaces.yaml")
}

/// An upstream document in `../shared/openapi` (present where `cfg(upstream_specs)` is set).
pub fn upstream_spec(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/openapi")
        .join(name)
}

/// Writes `text` to a fresh file named `name` in a temporary folder of this process for
/// `test`.
pub fn spec_file(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "openrouter-workspaces-codegen-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write spec");
    path
}

/// A document whose one operation is `GET /things/{id}` (`getThing`, tag Workspaces), with
/// the lines `operation_extra` after its tags, answering 200 with `schema` (a YAML flow
/// value); `rest` (top-level YAML, `components` say) follows.
pub fn one_operation(operation_extra: &str, schema: &str, rest: &str) -> String {
    format!(
        r##"openapi: 3.1.0
info: {{title: t, version: "1"}}
paths:
  /things/{{id}}:
    get:
      operationId: getThing
      tags: [Workspaces]
{operation_extra}
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {schema}
{rest}"##
    )
}

/// The source generated from `path` for `tags` (panics on an error).
pub fn generated(path: &Path, tags: &[&str]) -> String {
    let mut config = Config::new(path);
    config.tags = tags.iter().map(|t| t.to_string()).collect();
    generate(&config).unwrap_or_else(|e| panic!("generation failed: {e}"))
}
