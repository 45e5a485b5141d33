//! Compares two versions of an OpenAPI document, operation by operation, and classifies
//! every difference as [`Kind::Breaking`] or [`Kind::Compatible`] for a user of the
//! generated Rust client.
//!
//! Both documents go through the first stages of the generator ([`load`], [`select`],
//! [`normalise`]), so a 3.1 spelling (`type: [string, 'null']`) and its 3.0 equivalent
//! (`type: string, nullable: true`) compare equal, and only the operations of the chosen
//! tags are looked at. Operations are matched by `operationId`. `$ref`s are followed, so
//! fields are compared wherever their schemas are written; where two references at the
//! same place name different components, the generated type's name changes, and that is
//! reported (`type_renamed`) besides the structural differences. References, JSON media
//! types, method names and tags follow the generator's own rules, from [`document`].
//!
//! # Where a change is reported
//!
//! Each change names a location: `operation`; `query.limit`, `path.id`, `header.X-Name` for
//! parameters; `body` and dotted field paths below it (`body.user_ids[]` for the items of
//! an array, `body.metadata{}` for the values of a map, `body.x<anyOf 1>` for a branch of a
//! union); `response.200` and its field paths (`response.200.data[].id`); `responses` for
//! the operation's set of statuses.
//!
//! # What is breaking
//!
//! "Breaking" means that code written against the client generated from the old document
//! may stop compiling, or a call that worked may now fail (client-side validation, decoding
//! or the server refusing it). Everything else is "compatible".
//!
//! | change | request side (parameters, body) | response side |
//! |---|---|---|
//! | operation added / removed | compatible / breaking | |
//! | method, path, generated method name or tag (module) changed | breaking | |
//! | field or parameter removed | breaking (its setter or argument goes) | breaking (the struct field goes) |
//! | field added, optional | compatible (a new setter) | compatible |
//! | field added, required | breaking (calls without it are refused) | compatible (see below) |
//! | parameter made required / optional | breaking (it moves between method arguments and setters) | |
//! | body field made required / optional | breaking / compatible (setters do not change) | breaking if the Rust field changes between `T` and `Option<T>`, otherwise compatible |
//! | made nullable / non-nullable | compatible / breaking (body fields: a `clear_` setter comes or goes; parameters: compatible, their nullability is not used) | as for requiredness |
//! | type or format changed, generated type renamed | breaking | breaking |
//! | enum value added | compatible | breaking (exhaustive Rust enums fail to decode it) |
//! | enum value removed | breaking | breaking (code naming the variant stops compiling) |
//! | closed set of values introduced / dropped | breaking (the Rust type changes) | breaking |
//! | constraint tightened (added, higher minimum, lower maximum, other pattern) | breaking (checked before sending) | compatible (models do not enforce constraints) |
//! | constraint loosened | compatible | compatible |
//! | default changed | compatible | compatible |
//! | request body added | breaking if it is required or has required fields | |
//! | request body removed, media type changed | breaking | breaking |
//! | success status changed, 2xx status removed, success body added or removed | | breaking (`send` returns another type) |
//! | other status added or removed, error body added or removed | | compatible |
//!
//! A new *required* response field is compatible: it adds a field to a generated struct,
//! which breaks only code that builds that struct with a literal (rare for a response), while
//! every line that reads responses keeps compiling and decoding. For response fields, the
//! Rust type is `Option<T>` exactly when the field is optional or nullable, so a change of
//! requiredness or nullability is breaking precisely when it flips that.
//!
//! Header parameters the client sets itself
//! ([`CLIENT_HEADERS`](crate::operations::CLIENT_HEADERS)) are never arguments of a
//! generated method; changes to them are reported as compatible.

mod bodies;
mod flat;
mod models;
mod parameters;
mod render;
mod responses;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

use serde_json::{Value, json};

use crate::document;
use crate::error::{ErrorKind, Result};
use crate::select::METHODS;
use crate::{load, normalise, select};

pub use render::{Summary, render};

/// How a change affects a user of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Existing code may stop compiling or working.
    Breaking,
    /// Existing code keeps compiling and working.
    Compatible,
}

impl Kind {
    /// `"breaking"` or `"compatible"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Breaking => "breaking",
            Kind::Compatible => "compatible",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The `operationId` of the operation concerned.
    pub operation: String,
    /// Its HTTP method, upper case (the new one, or the old one for a removed operation).
    pub method: String,
    /// Its path template (the new one, or the old one for a removed operation).
    pub path: String,
    /// Where in the operation: `operation`, `query.limit`, `body.user_ids[]`, `response.200.data.id`, ...
    pub location: String,
    /// What changed, as a snake_case code such as `field_added` or `enum_value_removed`.
    pub change: &'static str,
    /// Whether it breaks users of the generated client.
    pub kind: Kind,
    /// The specifics (old and new values, the type of an added field); may be empty.
    pub detail: String,
}

impl Change {
    /// The JSON form: `{operation, method, path, location, change, kind, detail}`.
    pub fn to_json(&self) -> Value {
        json!({
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "location": self.location,
            "change": self.change,
            "kind": self.kind.as_str(),
            "detail": self.detail,
        })
    }
}

/// Loads both files and compares the operations of `tags` in them.
pub fn diff_files(old: &Path, new: &Path, tags: &[String]) -> Result<Vec<Change>> {
    let old_doc = load::load_file(old)?;
    let new_doc = load::load_file(new)?;
    diff_documents(&old_doc, &new_doc, tags, old, new)
}

/// Selects `tags` in both loaded documents, normalises them and compares them; the files
/// are named in errors. A document without any operation of `tags` counts as empty, unless
/// both are.
pub fn diff_documents(
    old: &Value,
    new: &Value,
    tags: &[String],
    old_file: &Path,
    new_file: &Path,
) -> Result<Vec<Change>> {
    // Any failure other than "no operation of these tags" is an error on its own.
    let keep_empty = |cut: Result<Value>| match cut {
        Err(e) if e.kind != ErrorKind::NoOperations => Err(e),
        other => Ok(other),
    };
    let old_cut = keep_empty(prepare(old, tags, old_file))?;
    let new_cut = keep_empty(prepare(new, tags, new_file))?;
    let empty = || json!({"openapi": "3.0.3", "paths": {}});
    let (old_cut, new_cut) = match (old_cut, new_cut) {
        (Err(e), Err(_)) => return Err(e),
        (o, n) => (o.unwrap_or_else(|_| empty()), n.unwrap_or_else(|_| empty())),
    };
    Ok(diff_normalised(&old_cut, &new_cut))
}

fn prepare(doc: &Value, tags: &[String], file: &Path) -> Result<Value> {
    let mut cut = select::select(doc, tags, file)?;
    normalise::normalise(&mut cut, file)?;
    Ok(cut)
}

/// Compares two documents that are already selected and normalised.
pub fn diff_normalised(old: &Value, new: &Value) -> Vec<Change> {
    let old_ops = operations(old);
    let new_ops = operations(new);
    let mut out = Vec::new();
    for new_op in &new_ops {
        let found = old_ops.iter().find(|o| o.id == new_op.id);
        let mut cx = Cx::new(old, new);
        match found {
            None => cx.push(
                "operation",
                "operation_added",
                Kind::Compatible,
                String::new(),
            ),
            Some(old_op) => cx.operation(old_op, new_op),
        }
        out.extend(cx.finish(new_op));
    }
    for old_op in old_ops
        .iter()
        .filter(|o| !new_ops.iter().any(|n| n.id == o.id))
    {
        let mut cx = Cx::new(old, new);
        cx.push(
            "operation",
            "operation_removed",
            Kind::Breaking,
            String::new(),
        );
        out.extend(cx.finish(old_op));
    }
    out
}

/// Whether any change is breaking.
pub fn has_breaking(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.kind == Kind::Breaking)
}

/// The JSON array of every change (see [`Change::to_json`]).
pub fn to_json(changes: &[Change]) -> Value {
    Value::Array(changes.iter().map(Change::to_json).collect())
}

/// An operation of a selected document.
struct OpRef<'a> {
    id: String,
    method: String,
    path: String,
    op: &'a Value,
    item: &'a Value,
}

fn operations(doc: &Value) -> Vec<OpRef<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(map) = item.as_object() else {
            continue;
        };
        for (method, op) in map {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue; // `select` refuses these
            };
            out.push(OpRef {
                id: id.to_string(),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                op,
                item,
            });
        }
    }
    out
}

/// Which way data flows at the place being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

/// A change before it is attached to its operation.
struct Entry {
    location: String,
    change: &'static str,
    kind: Kind,
    detail: String,
}

/// The comparison of one operation.
struct Cx<'a> {
    old: &'a Value,
    new: &'a Value,
    dir: Dir,
    entries: Vec<Entry>,
    /// Pairs of component schemas being compared on the current path (recursive schemas).
    stack: Vec<(String, String)>,
    depth: usize,
}

/// How deep nested schemas are followed; far beyond any real document.
const MAX_DEPTH: usize = 64;

impl<'a> Cx<'a> {
    fn new(old: &'a Value, new: &'a Value) -> Self {
        Self {
            old,
            new,
            dir: Dir::Request,
            entries: Vec::new(),
            stack: Vec::new(),
            depth: 0,
        }
    }

    fn push(&mut self, location: &str, change: &'static str, kind: Kind, detail: String) {
        self.entries.push(Entry {
            location: location.to_string(),
            change,
            kind,
            detail,
        });
    }

    fn finish(self, op: &OpRef<'_>) -> Vec<Change> {
        self.entries
            .into_iter()
            .map(|e| Change {
                operation: op.id.clone(),
                method: op.method.clone(),
                path: op.path.clone(),
                location: e.location,
                change: e.change,
                kind: e.kind,
                detail: e.detail,
            })
            .collect()
    }

    fn operation(&mut self, old: &OpRef<'_>, new: &OpRef<'_>) {
        if old.method != new.method {
            let detail = format!("{} -> {}", old.method, new.method);
            self.push("operation", "method_changed", Kind::Breaking, detail);
        }
        if old.path != new.path {
            let detail = format!("{} -> {}", old.path, new.path);
            self.push("operation", "path_changed", Kind::Breaking, detail);
        }
        let (old_name, new_name) = (
            document::method_name(old.op, &old.id),
            document::method_name(new.op, &new.id),
        );
        if old_name != new_name {
            let detail = format!("`{old_name}` -> `{new_name}`");
            self.push("operation", "method_name_changed", Kind::Breaking, detail);
        }
        let (old_tag, new_tag) = (document::tag(old.op), document::tag(new.op));
        if old_tag != new_tag {
            let detail = format!("{old_tag} -> {new_tag} (the method moves to another module)");
            self.push("operation", "tag_changed", Kind::Breaking, detail);
        }
        self.parameters(old, new);
        self.request_body(old.op.get("requestBody"), new.op.get("requestBody"));
        self.responses(old.op, new.op);
    }
}

/// Follows `$ref`s to what they name; a reference that cannot be followed (which `select`
/// refuses, so only a cycle of references) stays as it is.
fn resolve<'v>(doc: &'v Value, value: &'v Value) -> &'v Value {
    document::resolve_json(doc, value).unwrap_or(value)
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}
