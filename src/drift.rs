//! What a server newer than the OpenAPI document sends, and the signal to regenerate.
//!
//! The generated models keep everything the document does not describe: an unlisted enum
//! value becomes the enum's `Unknown` variant, and an unlisted field lands in the model's
//! `extra` map. While the client decodes an answer, both note what they kept here; the client
//! then hands each finding to the [`on_drift`](crate::ClientBuilder::on_drift) hook, and logs
//! a warning the first time it sees it (per operation, schema and name) through `log`.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The command that shows what changed between the document and a newer one: `OLD` is the
/// document this client was generated from (`openapi/workspaces.yaml` of this crate, or
/// the file `OPENROUTER_OPENAPI_SPEC` named), `NEW` the server's current one.
///
/// The tool is the generator's binary, which [`DIFF_TOOL_INSTALL`] installs.
pub const DIFF_COMMAND: &str = "openrouter-workspaces-codegen diff OLD NEW";

/// How to install the tool of [`DIFF_COMMAND`], from a checkout of this repository.
pub const DIFF_TOOL_INSTALL: &str = "cargo install --path codegen";

/// Something an answer carried that the OpenAPI document the client was generated from does
/// not describe: the server is newer than the document. The value itself is kept in the
/// decoded model (see the module's documentation); this says where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Drift {
    /// The operationId of the call whose answer carried it.
    pub operation: &'static str,
    /// A new field or a new enum value.
    pub kind: DriftKind,
    /// The model (schema) it was found in: the struct for a field, the enum for a value.
    pub schema: &'static str,
    /// The field's name, or the enum value as sent.
    pub name: String,
}

/// What kind of thing the document lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DriftKind {
    /// A field the model does not list, kept in its `extra` map.
    UnknownField,
    /// An enum value the document does not list, kept in the enum's `Unknown` variant.
    UnknownValue,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Drift {
            operation,
            schema,
            name,
            ..
        } = self;
        match self.kind {
            DriftKind::UnknownField => write!(f, "{operation}: field `{name}` of `{schema}`")?,
            DriftKind::UnknownValue => write!(f, "{operation}: value `{name}` of `{schema}`")?,
        }
        write!(
            f,
            " is not in the OpenAPI document this client was generated from (kept as received): \
             the server is newer than the document; see what changed with `{DIFF_COMMAND}` \
             (OLD: the document this client was generated from; NEW: the server's; \
             `{DIFF_TOOL_INSTALL}` in a checkout of openrouter-workspaces installs the tool), \
             then regenerate"
        )
    }
}

/// A finding while decoding, before the operation is known.
type Finding = (DriftKind, &'static str, String);

thread_local! {
    /// The findings of the decode in progress on this thread; `None` when no client decode
    /// is running (the models are also decoded by other code, which must not pile them up).
    static FINDINGS: RefCell<Option<Vec<Finding>>> = const { RefCell::new(None) };
}

fn note(kind: DriftKind, schema: &'static str, name: &str) {
    FINDINGS.with(|findings| {
        if let Some(findings) = findings.borrow_mut().as_mut() {
            findings.push((kind, schema, name.to_string()));
        }
    });
}

/// Notes an enum value the document does not list (called by the generated models).
#[doc(hidden)]
pub fn unknown_value(schema: &'static str, value: &str) {
    note(DriftKind::UnknownValue, schema, value);
}

/// Decodes a model's `extra` map and notes its fields (used by the generated models, with
/// the model as `M`).
#[doc(hidden)]
pub fn keep_unknown_fields<'de, M, D>(deserializer: D) -> Result<Map<String, Value>, D::Error>
where
    D: Deserializer<'de>,
{
    let extra = Map::<String, Value>::deserialize(deserializer)?;
    if !extra.is_empty() {
        let full = std::any::type_name::<M>();
        let schema = full.rsplit("::").next().unwrap_or(full);
        for field in extra.keys() {
            note(DriftKind::UnknownField, schema, field);
        }
    }
    Ok(extra)
}

/// Runs `decode` and returns what it found, for `operation`.
pub(crate) fn recording<R>(operation: &'static str, decode: impl FnOnce() -> R) -> (R, Vec<Drift>) {
    let previous = FINDINGS.with(|f| f.borrow_mut().replace(Vec::new()));
    let result = decode();
    let findings = FINDINGS.with(|f| std::mem::replace(&mut *f.borrow_mut(), previous));
    let mut found: Vec<Drift> = findings
        .unwrap_or_default()
        .into_iter()
        .map(|(kind, schema, name)| Drift {
            operation,
            kind,
            schema,
            name,
        })
        .collect();
    // A list of a hundred members with one new field is one finding, not a hundred.
    let mut seen = HashSet::new();
    found.retain(|d| seen.insert((d.kind, d.schema, d.name.clone())));
    (result, found)
}

/// The most distinct findings warned about per process; past it, the warnings stop (a
/// server sending new names on every call would otherwise grow the set without end).
const WARNED_AT_MOST: usize = 1024;

/// Logs `drift` at warning level unless it was logged before. Returns whether it was new.
pub(crate) fn warn_once(drift: &Drift) -> bool {
    static WARNED: OnceLock<Mutex<HashSet<Drift>>> = OnceLock::new();
    let mut warned = WARNED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if warned.len() >= WARNED_AT_MOST || warned.contains(drift) {
        return false;
    }
    warned.insert(drift.clone());
    log::warn!("{drift}");
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_kept_only_while_recording() {
        unknown_value("Role", "ignored");
        let ((), found) = recording("getThing", || {
            unknown_value("Role", "owner");
            unknown_value("Role", "owner");
            note(DriftKind::UnknownField, "Thing", "region");
        });
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].name, "owner");
        assert_eq!(found[0].kind, DriftKind::UnknownValue);
        assert_eq!(found[1].schema, "Thing");
        let ((), after) = recording("getThing", || {});
        assert!(after.is_empty());
    }

    #[test]
    fn each_finding_is_warned_about_once() {
        let drift = Drift {
            operation: "getThingOnce",
            kind: DriftKind::UnknownField,
            schema: "Thing",
            name: "region".into(),
        };
        assert!(warn_once(&drift));
        assert!(!warn_once(&drift));
        assert!(!warn_once(&drift.clone()));
        let text = drift.to_string();
        assert!(text.contains("`region`") && text.contains("newer than the document"));
        assert!(text.contains(DIFF_COMMAND));
        assert!(text.contains(DIFF_TOOL_INSTALL));
    }

    #[test]
    fn the_readme_quotes_the_warning_as_it_is() {
        let drift = Drift {
            operation: "listWorkspaceMembers",
            kind: DriftKind::UnknownValue,
            schema: "WorkspaceMemberRole",
            name: "owner".into(),
        };
        let readme = include_str!("../README.md");
        assert!(readme.contains(&drift.to_string()), "{drift}");
    }
}
