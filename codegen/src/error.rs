//! The one error type of the generator: every failure names the spec file and, where it
//! has one, the JSON pointer of the offending node.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong while turning a spec into code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The spec file could not be read (missing, unreadable).
    Io,
    /// The file is not valid JSON or YAML.
    Syntax,
    /// A `$ref` points at nothing in the document.
    DanglingRef,
    /// A selected operation has no `operationId`.
    MissingOperationId,
    /// Two selected operations share an `operationId`, or two would share a generated name.
    DuplicateName,
    /// A construct of OpenAPI 3.1 (or of the document) the generator cannot map.
    Unsupported,
    /// The normalised document does not fit the OpenAPI 3.0 model.
    Invalid,
    /// The model generator (progenitor/typify) rejected or panicked on a schema.
    Models,
    /// The generated code did not parse as Rust (a generator bug).
    Emit,
    /// None of the requested tags has an operation in the document.
    NoOperations,
}

/// A generator failure, with the file and JSON pointer it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The class of failure.
    pub kind: ErrorKind,
    /// The spec file being generated from.
    pub file: PathBuf,
    /// RFC 6901 pointer into the document ("" for the whole document).
    pub pointer: String,
    /// What was wrong, in a sentence.
    pub message: String,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        file: &Path,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            file: file.to_path_buf(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// Builds JSON pointers (RFC 6901) segment by segment.
pub(crate) fn pointer_push(base: &str, segment: &str) -> String {
    let escaped = segment.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

/// A short generator result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
