//! The build-time generator of `openrouter-workspaces`.
//!
//! It turns an OpenAPI document (the project's own, or any version of the upstream one)
//! into Rust source: the model types and one blocking operation builder per operation.
//! The stages, one module each, run in this order:
//!
//! 1. [`load`]: read JSON or YAML into a `serde_json::Value`, then apply the [`overlay`]
//!    (the project's rules the upstream document does not carry);
//! 2. [`select`]: keep the operations of the chosen tags and what they reference;
//! 3. [`normalise`]: rewrite OpenAPI 3.1 into the 3.0 form the parsers take;
//! 4. [`parse`]: read it into `openapiv3`;
//! 5. [`models`]: model types from progenitor's type space;
//! 6. [`operations`]: our own emitter for the operations;
//! 7. [`emit`]: format with prettyplease.
//!
//! [`document`] holds the rules every stage and the [`diff`] share (references, JSON
//! media types, method names, tags), so that the diff judges changes by the generator's
//! own rules. Every failure is an [`Error`] naming the file and the JSON pointer it
//! concerns.
//!
//! ```
//! use openrouter_workspaces_codegen::generate_from_value;
//!
//! let document = serde_json::json!({
//!     "openapi": "3.1.0",
//!     "info": {"title": "Things", "version": "1"},
//!     "paths": {"/things/{id}": {"get": {
//!         "operationId": "getThing",
//!         "tags": ["Things"],
//!         "parameters": [{"name": "id", "in": "path", "required": true,
//!                         "schema": {"type": "string", "minLength": 1}}],
//!         "responses": {"200": {"description": "The thing.", "content": {"application/json": {
//!             "schema": {"$ref": "#/components/schemas/Thing"}}}}}
//!     }}},
//!     "components": {"schemas": {"Thing": {
//!         "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}
//!     }}}
//! });
//! let tags = ["Things".to_string()];
//! let generated = generate_from_value(&document, &tags, true, "things.json".as_ref())?;
//! assert!(generated.source.contains("pub fn get_thing("));
//! assert_eq!(generated.operations[0].call, "things().get_thing");
//! # Ok::<(), openrouter_workspaces_codegen::Error>(())
//! ```

pub mod diff;
pub mod document;
pub mod emit;
pub mod error;
pub mod load;
pub mod models;
pub mod normalise;
pub mod open;
pub mod operations;
pub mod overlay;
pub mod parse;
pub mod select;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind, Result};

/// The environment variable naming the spec file to generate from.
pub const SPEC_ENV: &str = "OPENROUTER_OPENAPI_SPEC";
/// The environment variable listing the tags to generate (comma-separated).
pub const TAGS_ENV: &str = "OPENROUTER_OPENAPI_TAGS";
/// The environment variable that, set to `1` or `true`, makes an operation that cannot be
/// generated fail the build instead of being skipped with a warning.
pub const STRICT_ENV: &str = "OPENROUTER_OPENAPI_STRICT";
/// The environment variable naming the OpenAPI Overlays applied to the document, in order,
/// separated as `PATH` is (`:` on Unix, `;` on Windows); empty for none. Default: the
/// overlay beside the vendored document.
pub const OVERLAY_ENV: &str = "OPENROUTER_OPENAPI_OVERLAY";
/// The tag generated when no other is asked for.
pub const DEFAULT_TAG: &str = "Workspaces";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The OpenAPI document, JSON or YAML.
    pub spec: PathBuf,
    /// The tags whose operations are generated.
    pub tags: Vec<String>,
    /// The OpenAPI Overlays applied to the document, in order, before anything else.
    pub overlays: Vec<PathBuf>,
    /// Fail on an operation that cannot be generated, or an overlay action that matches
    /// nothing, instead of skipping it with a warning.
    pub strict: bool,
}

/// The generated source, and what had to be left out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The formatted Rust source.
    pub source: String,
    /// Operations left out, each with the reason (empty in strict mode).
    pub skipped: Vec<Error>,
    /// Overlay actions that matched nothing in the document (empty in strict mode).
    pub unmatched: Vec<overlay::Unmatched>,
    /// The operations generated, in the document's order.
    pub operations: Vec<GeneratedOperation>,
}

/// One generated operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedOperation {
    /// The `operationId`.
    pub id: String,
    /// The call a caller writes for it (`workspaces().set_budget`).
    pub call: String,
}

impl Config {
    /// A configuration for `spec` and the default tag.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Self {
            spec: spec.into(),
            tags: vec![DEFAULT_TAG.to_string()],
            overlays: Vec::new(),
            strict: false,
        }
    }

    /// Reads [`SPEC_ENV`], [`TAGS_ENV`], [`OVERLAY_ENV`] and [`STRICT_ENV`] through `var`,
    /// defaulting to `vendored_spec`, [`DEFAULT_TAG`] and `vendored_overlay`. Relative paths
    /// in the variables are taken from `base`.
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        vendored_spec: &Path,
        vendored_overlay: &Path,
        base: &Path,
    ) -> Self {
        let spec = match var(SPEC_ENV).filter(|s| !s.trim().is_empty()) {
            Some(path) => base.join(path.trim()),
            None => vendored_spec.to_path_buf(),
        };
        let tags: Vec<String> = var(TAGS_ENV)
            .map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let tags = if tags.is_empty() {
            vec![DEFAULT_TAG.to_string()]
        } else {
            tags
        };
        let strict = var(STRICT_ENV).is_some_and(|v| {
            matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")
        });
        let overlays = match var(OVERLAY_ENV) {
            Some(paths) => std::env::split_paths(paths.trim())
                .filter(|path| !path.as_os_str().is_empty())
                .map(|path| base.join(path))
                .collect(),
            None => vec![vendored_overlay.to_path_buf()],
        };
        Self {
            spec,
            tags,
            overlays,
            strict,
        }
    }
}

/// Runs every stage and returns the formatted Rust source; operations that cannot be
/// generated are skipped silently (see [`generate_report`] to learn which).
pub fn generate(config: &Config) -> Result<String> {
    generate_report(config).map(|generated| generated.source)
}

/// Runs every stage and returns the source with the list of skipped operations.
pub fn generate_report(config: &Config) -> Result<Generated> {
    let file = config.spec.as_path();
    let mut document = load::load_file(file)?;
    let mut unmatched = Vec::new();
    for overlay_file in &config.overlays {
        let overlay_doc = load::load_file(overlay_file)?;
        unmatched.extend(overlay::apply(&mut document, &overlay_doc, overlay_file)?);
        if config.strict
            && let Some(first) = unmatched.first()
        {
            return Err(Error::new(
                ErrorKind::Invalid,
                overlay_file,
                format!("/actions/{}", first.index),
                first.to_string(),
            ));
        }
    }
    let mut generated = generate_from_value(&document, &config.tags, config.strict, file)?;
    generated.unmatched = unmatched;
    Ok(generated)
}

/// Runs stages 2 to 7 on a document already loaded; `file` is named in errors.
pub fn generate_from_value(
    document: &serde_json::Value,
    tags: &[String],
    strict: bool,
    file: &Path,
) -> Result<Generated> {
    let mut selected = select::select(document, tags, file)?;
    normalise::normalise(&mut selected, file)?;
    let mut skipped = Vec::new();
    let models = match models::generate_models(&selected, file) {
        Ok(models) => models,
        Err(error) if strict => return Err(error),
        Err(error) => {
            // Find the operations whose schemas the model generator rejects, and go on
            // without them.
            let culprits = operations_failing_models(&selected, file)?;
            if culprits.is_empty() {
                return Err(error);
            }
            selected = select::retain_operations(
                &selected,
                |id| !culprits.iter().any(|(c, _)| c == id),
                file,
            )?;
            skipped.extend(culprits.into_iter().map(|(_, e)| e));
            models::generate_models(&selected, file)?
        }
    };
    let spec = parse::parse(&selected, file)?;
    let model_fields = open::field_types(&models);
    let generated_ops =
        operations::generate_operations(&spec, &selected, &model_fields, strict, file)?;
    skipped.extend(generated_ops.skipped);
    let source = emit::emit(models, generated_ops.tokens, file)?;
    Ok(Generated {
        source,
        skipped,
        unmatched: Vec::new(),
        operations: generated_ops.operations,
    })
}

/// Each operation whose schemas, on their own, the model generator rejects.
fn operations_failing_models(
    selected: &serde_json::Value,
    file: &Path,
) -> Result<Vec<(String, Error)>> {
    let mut failing = Vec::new();
    let ids: Vec<(String, String)> = selected["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            select::METHODS.iter().filter_map(move |m| {
                let id = item.get(*m)?.get("operationId")?.as_str()?;
                Some((
                    id.to_string(),
                    error::pointer_push(&error::pointer_push("/paths", path), m),
                ))
            })
        })
        .collect();
    for (id, pointer) in ids {
        let alone = select::retain_operations(selected, |other| other == id, file)?;
        if let Err(e) = models::generate_models(&alone, file) {
            let error = Error::new(
                ErrorKind::Models,
                file,
                pointer,
                format!("operation `{id}` skipped: {}", e.message),
            );
            failing.push((id, error));
        }
    }
    Ok(failing)
}
