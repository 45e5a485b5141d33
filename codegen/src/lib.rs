//! The build-time generator of `openrouter-workspaces`.
//!
//! It turns an OpenAPI document (the project's own, or any version of the upstream one)
//! into Rust source: the model types and one blocking operation builder per operation.
//! The stages, one module each, run in this order:
//!
//! 1. [`load`]: read JSON or YAML into a `serde_json::Value`;
//! 2. [`select`]: keep the operations of the chosen tags and what they reference;
//! 3. [`normalise`]: rewrite OpenAPI 3.1 into the 3.0 form the parsers take;
//! 4. [`parse`]: read it into `openapiv3`;
//! 5. [`models`]: model types from progenitor's type space;
//! 6. [`operations`]: our own emitter for the operations;
//! 7. [`emit`]: format with prettyplease.
//!
//! Every failure is an [`Error`] naming the file and the JSON pointer it concerns.

pub mod emit;
pub mod error;
pub mod load;
pub mod models;
pub mod normalise;
pub mod operations;
pub mod parse;
pub mod select;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind, Result};

/// The environment variable naming the spec file to generate from.
pub const SPEC_ENV: &str = "OPENROUTER_OPENAPI_SPEC";
/// The environment variable listing the tags to generate (comma-separated).
pub const TAGS_ENV: &str = "OPENROUTER_OPENAPI_TAGS";
/// The tag generated when no other is asked for.
pub const DEFAULT_TAG: &str = "Workspaces";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The OpenAPI document, JSON or YAML.
    pub spec: PathBuf,
    /// The tags whose operations are generated.
    pub tags: Vec<String>,
}

impl Config {
    /// A configuration for `spec` and the default tag.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Self {
            spec: spec.into(),
            tags: vec![DEFAULT_TAG.to_string()],
        }
    }

    /// Reads [`SPEC_ENV`] and [`TAGS_ENV`] through `var`, defaulting to `vendored_spec` and
    /// [`DEFAULT_TAG`]. Relative paths in the variable are taken from `base`.
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        vendored_spec: &Path,
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
        Self { spec, tags }
    }
}

/// Runs every stage and returns the formatted Rust source.
pub fn generate(config: &Config) -> Result<String> {
    let file = config.spec.as_path();
    let document = load::load_file(file)?;
    generate_from_value(&document, &config.tags, file)
}

/// Runs stages 2 to 7 on a document already loaded; `file` is named in errors.
pub fn generate_from_value(
    document: &serde_json::Value,
    tags: &[String],
    file: &Path,
) -> Result<String> {
    let mut selected = select::select(document, tags, file)?;
    normalise::normalise(&mut selected, file)?;
    let spec = parse::parse(&selected, file)?;
    let models = models::generate_models(&selected, file)?;
    let operations = operations::generate_operations(&spec, &selected, file)?;
    emit::emit(models, operations, file)
}
