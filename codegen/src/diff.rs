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
//! reported (`type_renamed`) besides the structural differences.
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
//! Header parameters the client sets itself ([`CLIENT_HEADERS`]) are never arguments of a
//! generated method; changes to them are reported as compatible.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use heck::ToSnakeCase;
use serde_json::{Map, Value, json};

use crate::error::{ErrorKind, Result};
use crate::operations::CLIENT_HEADERS;
use crate::select::{METHODS, split_component_ref};
use crate::{load, normalise, select};

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

/// Counts of a list of changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Operations only in the new document.
    pub operations_added: usize,
    /// Operations only in the old document.
    pub operations_removed: usize,
    /// Operations in both with at least one change.
    pub operations_changed: usize,
    /// Breaking changes, the added and removed operations included.
    pub breaking: usize,
    /// Compatible changes, the added and removed operations included.
    pub compatible: usize,
}

impl Summary {
    /// Counts `changes`.
    pub fn of(changes: &[Change]) -> Self {
        let mut s = Summary::default();
        let mut changed: BTreeSet<&str> = BTreeSet::new();
        for c in changes {
            match c.change {
                "operation_added" => s.operations_added += 1,
                "operation_removed" => s.operations_removed += 1,
                _ => {
                    changed.insert(&c.operation);
                }
            }
            match c.kind {
                Kind::Breaking => s.breaking += 1,
                Kind::Compatible => s.compatible += 1,
            }
        }
        s.operations_changed = changed.len();
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.breaking + self.compatible == 0 {
            return f.write_str("No differences.");
        }
        let total = self.breaking + self.compatible;
        write!(
            f,
            "{total} {} ({} breaking, {} compatible); operations: {} added, {} removed, {} changed",
            if total == 1 { "change" } else { "changes" },
            self.breaking,
            self.compatible,
            self.operations_added,
            self.operations_removed,
            self.operations_changed
        )
    }
}

/// The human-readable report: the changes grouped by operation, one line each, and a
/// summary line.
pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    let mut order: Vec<&str> = Vec::new();
    for c in changes {
        if !order.contains(&c.operation.as_str()) {
            order.push(&c.operation);
        }
    }
    for id in order {
        let group: Vec<&Change> = changes.iter().filter(|c| c.operation == id).collect();
        let first = group[0];
        out.push_str(&format!("{id} ({} {})\n", first.method, first.path));
        for c in group {
            let marker = format!("[{}]", c.kind);
            let what = c.change.replace('_', " ");
            let line = if c.location == "operation" {
                what
            } else {
                format!("{}: {what}", c.location)
            };
            if c.detail.is_empty() {
                out.push_str(&format!("  {marker:<12} {line}\n"));
            } else {
                out.push_str(&format!("  {marker:<12} {line}: {}\n", c.detail));
            }
        }
        out.push('\n');
    }
    out.push_str(&Summary::of(changes).to_string());
    out.push('\n');
    out
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
        let (old_name, new_name) = (rust_method_name(old), rust_method_name(new));
        if old_name != new_name {
            let detail = format!("`{old_name}` -> `{new_name}`");
            self.push("operation", "method_name_changed", Kind::Breaking, detail);
        }
        let (old_tag, new_tag) = (first_tag(old.op), first_tag(new.op));
        if old_tag != new_tag {
            let detail = format!("{old_tag} -> {new_tag} (the method moves to another module)");
            self.push("operation", "tag_changed", Kind::Breaking, detail);
        }
        self.parameters(old, new);
        self.request_body(old.op.get("requestBody"), new.op.get("requestBody"));
        self.responses(old.op, new.op);
    }

    // ----- parameters -------------------------------------------------------------------

    fn parameters(&mut self, old: &OpRef<'_>, new: &OpRef<'_>) {
        self.dir = Dir::Request;
        let old_params = parameters(self.old, old);
        let new_params = parameters(self.new, new);
        for op in &old_params {
            let client = op.client_managed();
            let demote = |k: Kind| if client { Kind::Compatible } else { k };
            let location = op.location();
            let Some(np) = new_params.iter().find(|p| p.key() == op.key()) else {
                let detail = format!(
                    "was {} {}",
                    required_word(op.required),
                    label(self.old, &op.schema)
                );
                self.push(
                    &location,
                    "parameter_removed",
                    demote(Kind::Breaking),
                    detail,
                );
                continue;
            };
            if op.required != np.required {
                let change = if np.required {
                    "made_required"
                } else {
                    "made_optional"
                };
                let detail = "it moves between the method's arguments and the builder's setters";
                self.push(&location, change, demote(Kind::Breaking), detail.into());
            }
            let old_flat = flatten(self.old, &op.schema);
            let new_flat = flatten(self.new, &np.schema);
            if !old_flat.is_any() && !new_flat.is_any() && old_flat.nullable != new_flat.nullable {
                let change = if new_flat.nullable {
                    "made_nullable"
                } else {
                    "made_non_nullable"
                };
                let detail = "the generated client does not use parameter nullability";
                self.push(&location, change, Kind::Compatible, detail.into());
            }
            let from = self.entries.len();
            self.schema(&op.schema, &np.schema, &location, true);
            if client {
                for e in &mut self.entries[from..] {
                    e.kind = Kind::Compatible;
                }
            }
        }
        for np in &new_params {
            if old_params.iter().any(|p| p.key() == np.key()) {
                continue;
            }
            let kind = if np.required && !np.client_managed() {
                Kind::Breaking
            } else {
                Kind::Compatible
            };
            let detail = format!(
                "{} {}",
                required_word(np.required),
                label(self.new, &np.schema)
            );
            self.push(&np.location(), "parameter_added", kind, detail);
        }
    }

    // ----- request body -----------------------------------------------------------------

    fn request_body(&mut self, old: Option<&Value>, new: Option<&Value>) {
        self.dir = Dir::Request;
        let old = old.map(|b| resolve(self.old, b));
        let new = new.map(|b| resolve(self.new, b));
        let required = |b: &Value| b.get("required").and_then(Value::as_bool) == Some(true);
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => {
                self.push(
                    "body",
                    "request_body_removed",
                    Kind::Breaking,
                    String::new(),
                );
            }
            (None, Some(nb)) => {
                let media = pick_media(nb);
                let has_required_fields = media
                    .as_ref()
                    .is_some_and(|(_, s)| !flatten(self.new, s).required.is_empty());
                let kind = if required(nb) || has_required_fields {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                let detail = match media {
                    Some((m, s)) => format!(
                        "{} {m} {}",
                        required_word(required(nb)),
                        label(self.new, &s)
                    ),
                    None => required_word(required(nb)).to_string(),
                };
                self.push("body", "request_body_added", kind, detail);
            }
            (Some(ob), Some(nb)) => {
                match (required(ob), required(nb)) {
                    (false, true) => {
                        self.push("body", "made_required", Kind::Breaking, String::new())
                    }
                    (true, false) => {
                        self.push("body", "made_optional", Kind::Compatible, String::new())
                    }
                    _ => {}
                }
                self.content(pick_media(ob), pick_media(nb), "body", true);
            }
        }
    }

    /// Compares the chosen media types of a body or response; `success` says whether the
    /// body is what the generated method returns (or, for requests, always true).
    fn content(
        &mut self,
        old: Option<(String, Value)>,
        new: Option<(String, Value)>,
        location: &str,
        success: bool,
    ) {
        let (added, removed) = match self.dir {
            Dir::Request => ("request_body_added", "request_body_removed"),
            Dir::Response => ("response_body_added", "response_body_removed"),
        };
        match (old, new) {
            (None, None) => {}
            (Some((m, _)), None) => {
                let kind = if success || self.dir == Dir::Request {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                self.push(location, removed, kind, format!("was {m}"));
            }
            (None, Some((m, s))) => {
                let kind = if success {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                let detail = format!("{m} {}", label(self.new, &s));
                self.push(location, added, kind, detail);
            }
            (Some((om, os)), Some((nm, ns))) => {
                if om != nm {
                    let detail = format!("{om} -> {nm}");
                    self.push(location, "media_type_changed", Kind::Breaking, detail);
                }
                self.schema(&os, &ns, location, false);
            }
        }
    }

    // ----- responses --------------------------------------------------------------------

    fn responses(&mut self, old: &Value, new: &Value) {
        self.dir = Dir::Response;
        let empty = Map::new();
        let old_map = old
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_map = new
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let old_success = old_map.keys().find(|s| is_success(s));
        let new_success = new_map.keys().find(|s| is_success(s));
        match (old_success, new_success) {
            (Some(o), Some(n)) if o != n => {
                let detail = format!("{o} -> {n}: `send` decodes another response");
                self.push(
                    "responses",
                    "success_status_changed",
                    Kind::Breaking,
                    detail,
                );
            }
            (None, Some(n)) => {
                let detail = format!("none -> {n}: `send` decodes another response");
                self.push(
                    "responses",
                    "success_status_changed",
                    Kind::Breaking,
                    detail,
                );
            }
            _ => {}
        }
        for (status, old_response) in old_map {
            let location = format!("response.{status}");
            let Some(new_response) = new_map.get(status) else {
                let kind = if is_success(status) {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                self.push(&location, "status_removed", kind, String::new());
                continue;
            };
            let old_response = resolve(self.old, old_response);
            let new_response = resolve(self.new, new_response);
            let success = Some(status) == new_success;
            self.content(
                pick_media(old_response),
                pick_media(new_response),
                &location,
                success,
            );
        }
        for (status, new_response) in new_map {
            if old_map.contains_key(status) {
                continue;
            }
            let detail = match pick_media(resolve(self.new, new_response)) {
                Some((m, s)) => format!("{m} {}", label(self.new, &s)),
                None => "no body".to_string(),
            };
            let location = format!("response.{status}");
            self.push(&location, "status_added", Kind::Compatible, detail);
        }
    }

    // ----- schemas ----------------------------------------------------------------------

    /// Compares two schemas at `location`. `nullability_done`: the caller (a property or a
    /// parameter) has already compared nullability together with requiredness.
    fn schema(&mut self, old: &Value, new: &Value, location: &str, nullability_done: bool) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let names = (ref_name(old), ref_name(new));
        if let (Some(o), Some(n)) = &names {
            if o != n {
                let detail = format!("`{o}` -> `{n}` (the generated type's name)");
                self.push(location, "type_renamed", Kind::Breaking, detail);
            }
            if self.stack.iter().any(|(a, b)| a == o && b == n) {
                return;
            }
        }
        let pushed = if let (Some(o), Some(n)) = names {
            self.stack.push((o, n));
            true
        } else {
            false
        };
        self.depth += 1;
        self.schema_inner(old, new, location, nullability_done);
        self.depth -= 1;
        if pushed {
            self.stack.pop();
        }
    }

    fn schema_inner(&mut self, old: &Value, new: &Value, location: &str, nullability_done: bool) {
        let of = flatten(self.old, old);
        let nf = flatten(self.new, new);
        let request = self.dir == Dir::Request;

        if of.shape() != nf.shape() {
            let detail = format!("{} -> {}", label(self.old, old), label(self.new, new));
            self.push(location, "type_changed", Kind::Breaking, detail);
            return;
        }
        if of.format != nf.format {
            let detail = format!("{} -> {}", opt_str(&of.format), opt_str(&nf.format));
            self.push(location, "format_changed", Kind::Breaking, detail);
        }
        if !nullability_done && !of.is_any() && of.nullable != nf.nullable {
            let (change, kind) = match (nf.nullable, self.dir) {
                (true, Dir::Request) => ("made_nullable", Kind::Compatible),
                (false, Dir::Request) => ("made_non_nullable", Kind::Breaking),
                (true, Dir::Response) => ("made_nullable", Kind::Breaking),
                (false, Dir::Response) => ("made_non_nullable", Kind::Breaking),
            };
            self.push(location, change, kind, String::new());
        }
        self.enums(&of, &nf, location);
        self.constraints(&of, &nf, location);
        if of.default != nf.default {
            let detail = format!(
                "{} -> {}",
                opt_json(of.default.as_ref()),
                opt_json(nf.default.as_ref())
            );
            self.push(location, "default_changed", Kind::Compatible, detail);
        }

        // Properties.
        for (name, old_child) in &of.properties {
            let child = format!("{location}.{name}");
            let old_required = of.required.contains(name);
            let Some((_, new_child)) = nf.properties.iter().find(|(n, _)| n == name) else {
                let detail = format!(
                    "was {} {}",
                    required_word(old_required),
                    label(self.old, old_child)
                );
                self.push(&child, "field_removed", Kind::Breaking, detail);
                continue;
            };
            let new_required = nf.required.contains(name);
            self.field_presence(old_child, new_child, old_required, new_required, &child);
            self.schema(old_child, new_child, &child, true);
        }
        for (name, new_child) in &nf.properties {
            if of.properties.iter().any(|(n, _)| n == name) {
                continue;
            }
            let required = nf.required.contains(name);
            // A new required response field adds a field to a generated struct: only code
            // that builds that struct with a literal breaks, every reader keeps working.
            let kind = if request && required {
                Kind::Breaking
            } else {
                Kind::Compatible
            };
            let detail = format!("{} {}", required_word(required), label(self.new, new_child));
            self.push(&format!("{location}.{name}"), "field_added", kind, detail);
        }
        // Requiredness of names that are not properties (rare, but valid).
        for name in nf.required.difference(&of.required) {
            let known = |f: &Flat| f.properties.iter().any(|(n, _)| n == name);
            if !known(&of) && !known(&nf) {
                let kind = if request {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                self.push(
                    &format!("{location}.{name}"),
                    "made_required",
                    kind,
                    String::new(),
                );
            }
        }

        // Items, map values, union branches.
        if let (Some(oi), Some(ni)) = (&of.items, &nf.items) {
            self.schema(oi, ni, &format!("{location}[]"), false);
        }
        match (&of.additional, &nf.additional) {
            (Some(oa), Some(na)) => self.schema(oa, na, &format!("{location}{{}}"), false),
            (None, None) => {}
            (o, _) => {
                // Without properties, a map and a struct are different Rust types.
                let struct_or_map = of.properties.is_empty() && nf.properties.is_empty();
                let kind = if struct_or_map || (request && o.is_some()) {
                    Kind::Breaking
                } else {
                    Kind::Compatible
                };
                let change = if o.is_some() {
                    "additional_properties_removed"
                } else {
                    "additional_properties_added"
                };
                self.push(location, change, kind, String::new());
            }
        }
        if let (Some((_, ob)), Some((keyword, nb))) = (&of.variants, &nf.variants) {
            for (i, (o, n)) in ob.iter().zip(nb).enumerate() {
                self.schema(o, n, &format!("{location}<{keyword} {i}>"), false);
            }
        }
    }

    /// Requiredness and nullability of a property present on both sides.
    fn field_presence(
        &mut self,
        old: &Value,
        new: &Value,
        old_required: bool,
        new_required: bool,
        location: &str,
    ) {
        let of = flatten(self.old, old);
        let nf = flatten(self.new, new);
        let (old_nullable, new_nullable) = if of.is_any() || nf.is_any() {
            (false, false)
        } else {
            (of.nullable, nf.nullable)
        };
        let mut changes = Vec::new();
        match (old_required, new_required) {
            (false, true) => changes.push("made_required"),
            (true, false) => changes.push("made_optional"),
            _ => {}
        }
        match (old_nullable, new_nullable) {
            (false, true) => changes.push("made_nullable"),
            (true, false) => changes.push("made_non_nullable"),
            _ => {}
        }
        if changes.is_empty() {
            return;
        }
        match self.dir {
            Dir::Request => {
                for change in changes {
                    let (kind, detail) = match change {
                        "made_required" => (Kind::Breaking, "calls without it are refused"),
                        "made_optional" => (Kind::Compatible, ""),
                        "made_nullable" => (Kind::Compatible, "a `clear_` setter appears"),
                        _ => (Kind::Breaking, "null is no longer accepted"),
                    };
                    self.push(location, change, kind, detail.to_string());
                }
            }
            Dir::Response => {
                let old_option = !old_required || old_nullable;
                let new_option = !new_required || new_nullable;
                let (kind, detail) = match (old_option, new_option) {
                    (false, true) => (Kind::Breaking, "the Rust field becomes `Option<T>`"),
                    (true, false) => (
                        Kind::Breaking,
                        "the Rust field becomes `T`, not `Option<T>`",
                    ),
                    (true, true) => (Kind::Compatible, "the Rust field stays `Option<T>`"),
                    (false, false) => (Kind::Compatible, ""),
                };
                for change in changes {
                    self.push(location, change, kind, detail.to_string());
                }
            }
        }
    }

    fn enums(&mut self, of: &Flat, nf: &Flat, location: &str) {
        match (&of.enum_values, &nf.enum_values) {
            (None, None) => {}
            (Some(values), None) => {
                let detail = format!("was one of {}", json_list(values));
                self.push(location, "enum_dropped", Kind::Breaking, detail);
            }
            (None, Some(values)) => {
                let detail = format!("now one of {}", json_list(values));
                self.push(location, "enum_introduced", Kind::Breaking, detail);
            }
            (Some(old), Some(new)) => {
                for value in new.iter().filter(|v| !old.contains(v)) {
                    // Requests: a new variant to send. Responses: an exhaustive Rust enum
                    // cannot decode a value it does not know.
                    let kind = match self.dir {
                        Dir::Request => Kind::Compatible,
                        Dir::Response => Kind::Breaking,
                    };
                    self.push(location, "enum_value_added", kind, value.to_string());
                }
                for value in old.iter().filter(|v| !new.contains(v)) {
                    // Either way the Rust variant goes; code naming it stops compiling.
                    self.push(
                        location,
                        "enum_value_removed",
                        Kind::Breaking,
                        value.to_string(),
                    );
                }
            }
        }
    }

    fn constraints(&mut self, of: &Flat, nf: &Flat, location: &str) {
        for keyword in CONSTRAINTS {
            let old = of.constraints.get(keyword);
            let new = nf.constraints.get(keyword);
            if old == new {
                continue;
            }
            let tighter = tightens(keyword, old, new);
            let change = match (old, new) {
                (None, _) => "constraint_added",
                (_, None) => "constraint_removed",
                _ => "constraint_changed",
            };
            // Requests are checked before sending and by the server; the generated models
            // do not enforce constraints on responses (see `models`).
            let kind = if tighter && self.dir == Dir::Request {
                Kind::Breaking
            } else {
                Kind::Compatible
            };
            let detail = format!(
                "{keyword} {} -> {} ({})",
                opt_json(old),
                opt_json(new),
                if tighter { "stricter" } else { "looser" }
            );
            self.push(location, change, kind, detail);
        }
    }
}

/// The validation keywords compared.
const CONSTRAINTS: [&str; 13] = [
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Whether going from `old` to `new` for `keyword` may refuse a value accepted before. A
/// changed pattern or multiple cannot be compared, so it counts as stricter.
fn tightens(keyword: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let lower = matches!(
        keyword,
        "minimum" | "minLength" | "minItems" | "minProperties"
    );
    let upper = matches!(
        keyword,
        "maximum" | "maxLength" | "maxItems" | "maxProperties"
    );
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    let flag = |v: Option<&Value>| v.and_then(Value::as_bool).unwrap_or(false);
    match (old, new) {
        (_, None) => false,
        (None, Some(v)) if v.is_boolean() => flag(Some(v)),
        (None, Some(_)) => true,
        (Some(_), Some(_)) if lower => number(new) > number(old),
        (Some(_), Some(_)) if upper => number(new) < number(old),
        (Some(o), Some(n)) if o.is_boolean() || n.is_boolean() => flag(new) && !flag(old),
        _ => true,
    }
}

/// A schema with its `$ref`s and `allOf` resolved: what the comparison looks at.
#[derive(Debug, Default)]
struct Flat {
    ty: Option<String>,
    format: Option<String>,
    nullable: bool,
    /// The allowed values other than null; `None` when not a closed set.
    enum_values: Option<Vec<Value>>,
    properties: Vec<(String, Value)>,
    required: BTreeSet<String>,
    items: Option<Value>,
    /// The schema of map values (`additionalProperties` given as a schema or `true`).
    additional: Option<Value>,
    constraints: Map<String, Value>,
    default: Option<Value>,
    /// `anyOf` or `oneOf` and its branches.
    variants: Option<(String, Vec<Value>)>,
}

impl Flat {
    /// Accepts any value: no type, no closed set, no structure.
    fn is_any(&self) -> bool {
        self.ty.is_none()
            && self.variants.is_none()
            && self.enum_values.is_none()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.additional.is_none()
    }

    /// What must stay equal for the generated type to keep its kind.
    fn shape(&self) -> String {
        match &self.variants {
            Some((keyword, branches)) => format!("{keyword}({})", branches.len()),
            None => self.ty.clone().unwrap_or_else(|| "any".into()),
        }
    }
}

fn flatten(doc: &Value, schema: &Value) -> Flat {
    let mut flat = Flat::default();
    flatten_into(doc, schema, &mut flat, 0);
    if flat.ty.is_none() && flat.variants.is_none() {
        if !flat.properties.is_empty() || flat.additional.is_some() {
            flat.ty = Some("object".into());
        } else if flat.items.is_some() {
            flat.ty = Some("array".into());
        }
    }
    if let Some(values) = flat.enum_values.take() {
        if values.iter().any(Value::is_null) {
            flat.nullable = true;
        }
        let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
        flat.enum_values = (!values.is_empty()).then_some(values);
    }
    flat
}

/// Adds what `schema` says to `flat`, where `flat` has not said it already.
fn flatten_into(doc: &Value, schema: &Value, flat: &mut Flat, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = resolve(doc, schema);
    let Some(map) = schema.as_object() else {
        return;
    };
    let string = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    if flat.ty.is_none() {
        flat.ty = string("type");
    }
    if flat.format.is_none() {
        flat.format = string("format");
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        flat.nullable = true;
    }
    if flat.enum_values.is_none() {
        flat.enum_values = map.get("enum").and_then(Value::as_array).cloned();
    }
    if let Some(properties) = map.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            if !flat.properties.iter().any(|(n, _)| n == name) {
                flat.properties.push((name.clone(), child.clone()));
            }
        }
    }
    if let Some(required) = map.get("required").and_then(Value::as_array) {
        flat.required
            .extend(required.iter().filter_map(Value::as_str).map(String::from));
    }
    if flat.items.is_none() {
        flat.items = map.get("items").cloned();
    }
    if flat.additional.is_none() {
        flat.additional = match map.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(json!({})),
            Some(v @ Value::Object(_)) => Some(v.clone()),
            _ => None,
        };
    }
    for keyword in CONSTRAINTS {
        if let Some(v) = map.get(keyword) {
            flat.constraints
                .entry(keyword.to_string())
                .or_insert_with(|| v.clone());
        }
    }
    if flat.default.is_none() {
        flat.default = map.get("default").cloned();
    }
    if flat.variants.is_none() {
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = map.get(keyword).and_then(Value::as_array) {
                flat.variants = Some((keyword.to_string(), branches.clone()));
                break;
            }
        }
    }
    if let Some(branches) = map.get("allOf").and_then(Value::as_array) {
        // Nullable only if every branch is (3.0 semantics); the schema's own flag was read.
        let own_nullable = flat.nullable;
        let mut all_nullable = !branches.is_empty();
        for branch in branches {
            let mut sub = Flat::default();
            flatten_into(doc, branch, &mut sub, depth + 1);
            all_nullable &= sub.nullable;
            merge(flat, sub);
        }
        flat.nullable = own_nullable || all_nullable;
    }
}

fn merge(into: &mut Flat, from: Flat) {
    into.ty = into.ty.take().or(from.ty);
    into.format = into.format.take().or(from.format);
    into.enum_values = into.enum_values.take().or(from.enum_values);
    for (name, child) in from.properties {
        if !into.properties.iter().any(|(n, _)| *n == name) {
            into.properties.push((name, child));
        }
    }
    into.required.extend(from.required);
    into.items = into.items.take().or(from.items);
    into.additional = into.additional.take().or(from.additional);
    for (k, v) in from.constraints {
        into.constraints.entry(k).or_insert(v);
    }
    into.default = into.default.take().or(from.default);
    into.variants = into.variants.take().or(from.variants);
}

/// Follows `$ref`s (of any component section) to the object they name.
fn resolve<'v>(doc: &'v Value, value: &'v Value) -> &'v Value {
    let mut current = value;
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => current = target,
            None => return current,
        }
    }
    current
}

/// The component a schema names: a `$ref`, or an `allOf` of one `$ref` (a nullable reference).
fn ref_name(schema: &Value) -> Option<String> {
    let reference = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r,
        None => match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => only.get("$ref").and_then(Value::as_str)?,
            _ => return None,
        },
    };
    split_component_ref(reference).map(|(_, name)| name)
}

/// A short description of a schema's type: `string(uuid)`, `array of integer`, `Workspace`.
fn label(doc: &Value, schema: &Value) -> String {
    label_at(doc, schema, 0)
}

fn label_at(doc: &Value, schema: &Value, depth: usize) -> String {
    let flat = flatten(doc, schema);
    let map_values = flat
        .additional
        .as_ref()
        .filter(|_| flat.properties.is_empty() && flat.ty.as_deref() == Some("object"));
    let shape = match (map_values, depth < 3) {
        (Some(values), true) => format!("map of {}", label_at(doc, values, depth + 1)),
        _ => flat.shape(),
    };
    let mut out = match ref_name(schema) {
        Some(name) => format!("{shape} {name}"),
        None => shape,
    };
    if let Some(format) = &flat.format {
        out.push_str(&format!("({format})"));
    }
    if let (Some(items), true) = (&flat.items, depth < 3) {
        out.push_str(&format!(" of {}", label_at(doc, items, depth + 1)));
    }
    if flat.enum_values.is_some() {
        out.push_str(" enum");
    }
    if flat.nullable && !flat.is_any() {
        out.push_str(", nullable");
    }
    out
}

/// A parameter of an operation, path-level ones merged in.
struct Param {
    name: String,
    location: String,
    required: bool,
    schema: Value,
}

impl Param {
    fn key(&self) -> (String, String) {
        let name = if self.location == "header" {
            self.name.to_ascii_lowercase()
        } else {
            self.name.clone()
        };
        (self.location.clone(), name)
    }

    fn location(&self) -> String {
        format!("{}.{}", self.location, self.name)
    }

    fn client_managed(&self) -> bool {
        self.location == "header"
            && CLIENT_HEADERS.contains(&self.name.to_ascii_lowercase().as_str())
    }
}

fn parameters(doc: &Value, op: &OpRef<'_>) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    let lists = [op.item.get("parameters"), op.op.get("parameters")];
    for list in lists.into_iter().flatten().filter_map(Value::as_array) {
        for parameter in list {
            let parameter = resolve(doc, parameter);
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            let location = parameter.get("in").and_then(Value::as_str).unwrap_or("");
            let schema = match parameter.get("schema") {
                Some(s) => s.clone(),
                None => pick_media(parameter)
                    .map(|(_, s)| s)
                    .unwrap_or_else(|| json!({})),
            };
            let param = Param {
                name: name.to_string(),
                location: location.to_string(),
                required: location == "path"
                    || parameter.get("required").and_then(Value::as_bool) == Some(true),
                schema,
            };
            // An operation's parameter overrides the path item's of the same name and place.
            out.retain(|p| p.key() != param.key());
            out.push(param);
        }
    }
    out
}

/// The media type the generated client uses (the first JSON one, else the first) and its
/// schema (the empty schema when it has none).
fn pick_media(holder: &Value) -> Option<(String, Value)> {
    let content = holder.get("content").and_then(Value::as_object)?;
    let (media, object) = content
        .iter()
        .find(|(m, _)| is_json(m))
        .or_else(|| content.iter().next())?;
    let schema = object.get("schema").cloned().unwrap_or_else(|| json!({}));
    Some((media.clone(), schema))
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

fn rust_method_name(op: &OpRef<'_>) -> String {
    op.op
        .get("x-speakeasy-name-override")
        .and_then(Value::as_str)
        .unwrap_or(&op.id)
        .to_snake_case()
}

fn first_tag(op: &Value) -> String {
    op.get("tags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string()
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn opt_str(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "none".into())
}

fn opt_json(value: Option<&Value>) -> String {
    value.map_or_else(|| "none".into(), Value::to_string)
}

fn json_list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with one `Workspaces` operation `op` at `POST /things/{id}`, whose request
    /// body and 200 response use the component schemas `Req` and `Res`.
    fn doc(op_extra: Value, req: Value, res: Value) -> Value {
        let mut op = json!({
            "operationId": "makeThing",
            "tags": ["Workspaces"],
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
            ],
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Req"}}}},
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Res"}}}},
                "404": {"description": "missing"}
            }
        });
        for (k, v) in op_extra.as_object().cloned().unwrap_or_default() {
            op[k] = v;
        }
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things/{id}": {"post": op}},
            "components": {"schemas": {"Req": req, "Res": res}}
        })
    }

    fn object(properties: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": properties, "required": required})
    }

    fn base() -> Value {
        doc(
            json!({}),
            object(json!({"name": {"type": "string"}}), &["name"]),
            object(json!({"id": {"type": "string"}}), &["id"]),
        )
    }

    fn run(old: &Value, new: &Value) -> Vec<Change> {
        diff_documents(
            old,
            new,
            &["Workspaces".to_string()],
            Path::new("old.yaml"),
            Path::new("new.yaml"),
        )
        .expect("both documents are valid")
    }

    /// The single change of a diff, as (location, change, kind).
    fn only(changes: &[Change]) -> (&str, &str, Kind) {
        assert_eq!(changes.len(), 1, "{changes:#?}");
        let c = &changes[0];
        (c.location.as_str(), c.change, c.kind)
    }

    fn find<'c>(changes: &'c [Change], location: &str, change: &str) -> &'c Change {
        changes
            .iter()
            .find(|c| c.location == location && c.change == change)
            .unwrap_or_else(|| panic!("no {change} at {location} in {changes:#?}"))
    }

    #[test]
    fn identical_documents_have_no_differences() {
        assert!(run(&base(), &base()).is_empty());
        assert_eq!(Summary::of(&[]).to_string(), "No differences.");
    }

    #[test]
    fn three_one_and_three_zero_spellings_compare_equal() {
        let old = doc(
            json!({}),
            object(
                json!({"name": {"type": "string", "nullable": true}}),
                &["name"],
            ),
            object(json!({"id": {"type": "string"}}), &["id"]),
        );
        let new = doc(
            json!({}),
            object(json!({"name": {"type": ["string", "null"]}}), &["name"]),
            object(json!({"id": {"type": "string"}}), &["id"]),
        );
        assert!(run(&old, &new).is_empty());
    }

    #[test]
    fn operation_added_is_compatible_and_removed_is_breaking() {
        let mut two = base();
        two["paths"]["/other"] = json!({"get": {"operationId": "getOther", "tags": ["Workspaces"],
            "responses": {"204": {"description": "none"}}}});
        let added = run(&base(), &two);
        assert_eq!(
            only(&added),
            ("operation", "operation_added", Kind::Compatible)
        );
        assert_eq!(
            (added[0].operation.as_str(), added[0].method.as_str()),
            ("getOther", "GET")
        );
        let removed = run(&two, &base());
        assert_eq!(
            only(&removed),
            ("operation", "operation_removed", Kind::Breaking)
        );
        assert_eq!(removed[0].path, "/other");
    }

    #[test]
    fn operations_of_other_tags_are_ignored() {
        let mut other = base();
        other["paths"]["/other"] = json!({"get": {"operationId": "getOther", "tags": ["Keys"],
            "responses": {"204": {"description": "none"}}}});
        assert!(run(&base(), &other).is_empty());
    }

    #[test]
    fn method_and_path_changes_are_breaking() {
        let mut new = base();
        let op = new["paths"]["/things/{id}"]["post"].take();
        new["paths"] = json!({"/things/{id}/make": {"put": op}});
        let changes = run(&base(), &new);
        assert_eq!(
            find(&changes, "operation", "method_changed").detail,
            "POST -> PUT"
        );
        assert_eq!(
            find(&changes, "operation", "path_changed").kind,
            Kind::Breaking
        );
        assert!(changes.iter().all(|c| c.method == "PUT"));
    }

    #[test]
    fn generated_method_rename_is_breaking() {
        let new = doc(
            json!({"x-speakeasy-name-override": "create"}),
            object(json!({"name": {"type": "string"}}), &["name"]),
            object(json!({"id": {"type": "string"}}), &["id"]),
        );
        let changes = run(&base(), &new);
        assert_eq!(
            only(&changes),
            ("operation", "method_name_changed", Kind::Breaking)
        );
        assert_eq!(changes[0].detail, "`make_thing` -> `create`");
    }

    #[test]
    fn parameter_rules() {
        let with = |params: Value| {
            doc(
                json!({"parameters": params}),
                object(json!({"name": {"type": "string"}}), &["name"]),
                object(json!({"id": {"type": "string"}}), &["id"]),
            )
        };
        let id =
            json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
        let limit = |schema: Value, required: bool| json!({"name": "limit", "in": "query", "required": required, "schema": schema});
        let old = with(json!([
            id,
            limit(json!({"type": "integer", "maximum": 100}), false)
        ]));

        // Added optional: compatible; added required: breaking.
        let new = with(
            json!([id, limit(json!({"type": "integer", "maximum": 100}), false),
            {"name": "q", "in": "query", "schema": {"type": "string"}}]),
        );
        assert_eq!(
            only(&run(&old, &new)),
            ("query.q", "parameter_added", Kind::Compatible)
        );
        let new = with(
            json!([id, limit(json!({"type": "integer", "maximum": 100}), false),
            {"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}]),
        );
        assert_eq!(
            only(&run(&old, &new)),
            ("query.q", "parameter_added", Kind::Breaking)
        );

        // Removed, made required, type changed: breaking.
        let new = with(json!([id]));
        assert_eq!(
            only(&run(&old, &new)),
            ("query.limit", "parameter_removed", Kind::Breaking)
        );
        let new = with(json!([
            id,
            limit(json!({"type": "integer", "maximum": 100}), true)
        ]));
        assert_eq!(
            only(&run(&old, &new)),
            ("query.limit", "made_required", Kind::Breaking)
        );
        let new = with(json!([
            id,
            limit(json!({"type": "string", "maximum": 100}), false)
        ]));
        assert_eq!(
            only(&run(&old, &new)),
            ("query.limit", "type_changed", Kind::Breaking)
        );

        // Constraints: stricter breaks, looser does not.
        let new = with(json!([
            id,
            limit(json!({"type": "integer", "maximum": 50}), false)
        ]));
        let changes = run(&old, &new);
        assert_eq!(
            only(&changes),
            ("query.limit", "constraint_changed", Kind::Breaking)
        );
        assert_eq!(changes[0].detail, "maximum 100 -> 50 (stricter)");
        let new = with(json!([
            id,
            limit(json!({"type": "integer", "maximum": 500}), false)
        ]));
        assert_eq!(
            only(&run(&old, &new)),
            ("query.limit", "constraint_changed", Kind::Compatible)
        );

        // Nullability is not used for parameters; a default is informative.
        let new = with(json!([
            id,
            limit(
                json!({"type": ["integer", "null"], "maximum": 100, "default": 50}),
                false
            )
        ]));
        let changes = run(&old, &new);
        assert_eq!(
            find(&changes, "query.limit", "made_nullable").kind,
            Kind::Compatible
        );
        assert_eq!(
            find(&changes, "query.limit", "default_changed").detail,
            "none -> 50"
        );
    }

    #[test]
    fn client_managed_headers_are_compatible() {
        let new = doc(
            json!({"parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "HTTP-Referer", "in": "header", "required": true, "schema": {"type": "string"}}
            ]}),
            object(json!({"name": {"type": "string"}}), &["name"]),
            object(json!({"id": {"type": "string"}}), &["id"]),
        );
        assert_eq!(
            only(&run(&base(), &new)),
            ("header.HTTP-Referer", "parameter_added", Kind::Compatible)
        );
    }

    fn with_request(req: Value) -> Value {
        doc(
            json!({}),
            req,
            object(json!({"id": {"type": "string"}}), &["id"]),
        )
    }

    fn with_response(res: Value) -> Value {
        doc(
            json!({}),
            object(json!({"name": {"type": "string"}}), &["name"]),
            res,
        )
    }

    #[test]
    fn request_fields_added() {
        let optional = with_request(object(
            json!({"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}),
            &["name"],
        ));
        let changes = run(&base(), &optional);
        assert_eq!(
            only(&changes),
            ("body.tags", "field_added", Kind::Compatible)
        );
        assert_eq!(changes[0].detail, "optional array of string");
        let required = with_request(object(
            json!({"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}),
            &["name", "tags"],
        ));
        assert_eq!(
            only(&run(&base(), &required)),
            ("body.tags", "field_added", Kind::Breaking)
        );
    }

    #[test]
    fn request_field_removed_is_breaking() {
        let new = with_request(object(json!({}), &[]));
        let changes = run(&base(), &new);
        assert_eq!(
            find(&changes, "body.name", "field_removed").kind,
            Kind::Breaking
        );
    }

    #[test]
    fn request_requiredness_and_nullability() {
        let old = with_request(object(json!({"name": {"type": "string"}}), &[]));
        assert_eq!(
            only(&run(&old, &base())),
            ("body.name", "made_required", Kind::Breaking)
        );
        assert_eq!(
            only(&run(&base(), &old)),
            ("body.name", "made_optional", Kind::Compatible)
        );
        let nullable = with_request(object(
            json!({"name": {"type": ["string", "null"]}}),
            &["name"],
        ));
        assert_eq!(
            only(&run(&base(), &nullable)),
            ("body.name", "made_nullable", Kind::Compatible)
        );
        assert_eq!(
            only(&run(&nullable, &base())),
            ("body.name", "made_non_nullable", Kind::Breaking)
        );
    }

    #[test]
    fn nested_request_fields_through_refs_and_arrays() {
        let req = |item: Value| {
            let mut d = with_request(object(
                json!({"name": {"type": "string"},
                       "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}}}),
                &["name"],
            ));
            d["components"]["schemas"]["Member"] = item;
            d
        };
        let old = req(object(json!({"user_id": {"type": "string"}}), &["user_id"]));
        let new = req(object(
            json!({"user_id": {"type": "string", "format": "uuid"}, "role": {"type": "string"}}),
            &["user_id"],
        ));
        let changes = run(&old, &new);
        assert_eq!(
            find(&changes, "body.members[].user_id", "format_changed").detail,
            "none -> uuid"
        );
        assert_eq!(
            find(&changes, "body.members[].role", "field_added").kind,
            Kind::Compatible
        );
        assert_eq!(changes.len(), 2, "{changes:#?}");
    }

    #[test]
    fn request_enum_rules() {
        let with = |values: Value| {
            with_request(object(
                json!({"name": {"type": "string"}, "mode": {"type": "string", "enum": values}}),
                &["name"],
            ))
        };
        let old = with(json!(["a", "b"]));
        let changes = run(&old, &with(json!(["a", "b", "c"])));
        assert_eq!(
            only(&changes),
            ("body.mode", "enum_value_added", Kind::Compatible)
        );
        assert_eq!(changes[0].detail, "\"c\"");
        assert_eq!(
            only(&run(&old, &with(json!(["a"])))),
            ("body.mode", "enum_value_removed", Kind::Breaking)
        );
    }

    #[test]
    fn request_constraint_rules() {
        let with = |slug: Value| {
            with_request(object(
                json!({"name": {"type": "string"}, "slug": slug}),
                &["name"],
            ))
        };
        let old = with(json!({"type": "string", "pattern": "^[a-z-]+$", "maxLength": 10}));
        let stricter = with(json!({"type": "string", "pattern": "^[a-z]+$", "maxLength": 10}));
        assert_eq!(
            only(&run(&old, &stricter)),
            ("body.slug", "constraint_changed", Kind::Breaking)
        );
        let looser = with(json!({"type": "string", "pattern": "^[a-z-]+$"}));
        assert_eq!(
            only(&run(&old, &looser)),
            ("body.slug", "constraint_removed", Kind::Compatible)
        );
        let added = with(
            json!({"type": "string", "pattern": "^[a-z-]+$", "maxLength": 10, "minLength": 1}),
        );
        assert_eq!(
            only(&run(&old, &added)),
            ("body.slug", "constraint_added", Kind::Breaking)
        );
    }

    #[test]
    fn response_field_added_is_compatible_even_when_required() {
        let new = with_response(object(
            json!({"id": {"type": "string"}, "name": {"type": "string"}}),
            &["id", "name"],
        ));
        assert_eq!(
            only(&run(&base(), &new)),
            ("response.200.name", "field_added", Kind::Compatible)
        );
    }

    #[test]
    fn response_field_removed_or_loosened_is_breaking() {
        let removed = with_response(object(json!({}), &[]));
        assert_eq!(
            find(&run(&base(), &removed), "response.200.id", "field_removed").kind,
            Kind::Breaking
        );
        let optional = with_response(object(json!({"id": {"type": "string"}}), &[]));
        assert_eq!(
            only(&run(&base(), &optional)),
            ("response.200.id", "made_optional", Kind::Breaking)
        );
        let nullable = with_response(object(json!({"id": {"type": ["string", "null"]}}), &["id"]));
        assert_eq!(
            only(&run(&base(), &nullable)),
            ("response.200.id", "made_nullable", Kind::Breaking)
        );
        // Optional and nullable stay `Option<T>` together: compatible.
        let both = with_response(object(json!({"id": {"type": ["string", "null"]}}), &[]));
        let changes = run(&nullable, &both);
        assert_eq!(
            only(&changes),
            ("response.200.id", "made_optional", Kind::Compatible)
        );
    }

    #[test]
    fn response_enum_value_added_is_breaking() {
        let with = |values: Value| {
            with_response(object(
                json!({"id": {"type": "string"}, "state": {"type": "string", "enum": values}}),
                &["id", "state"],
            ))
        };
        assert_eq!(
            only(&run(&with(json!(["on"])), &with(json!(["on", "off"])))),
            ("response.200.state", "enum_value_added", Kind::Breaking)
        );
    }

    #[test]
    fn response_constraint_changes_are_compatible() {
        let with = |max: u64| {
            with_response(object(
                json!({"id": {"type": "string", "maxLength": max}}),
                &["id"],
            ))
        };
        assert_eq!(
            only(&run(&with(10), &with(5))),
            ("response.200.id", "constraint_changed", Kind::Compatible)
        );
    }

    #[test]
    fn type_change_is_breaking_and_stops_there() {
        let new = with_response(object(json!({"id": {"type": "integer"}}), &["id"]));
        let changes = run(&base(), &new);
        assert_eq!(
            only(&changes),
            ("response.200.id", "type_changed", Kind::Breaking)
        );
        assert_eq!(changes[0].detail, "string -> integer");
    }

    #[test]
    fn renamed_component_is_reported_once_and_compared_structurally() {
        let mut new = base();
        let res = new["components"]["schemas"]["Res"].take();
        new["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("Res");
        new["components"]["schemas"]["Thing"] = res;
        new["paths"]["/things/{id}"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"$ref": "#/components/schemas/Thing"});
        let changes = run(&base(), &new);
        assert_eq!(
            only(&changes),
            ("response.200", "type_renamed", Kind::Breaking)
        );
    }

    #[test]
    fn inline_and_referenced_schemas_compare_equal() {
        let mut new = base();
        new["paths"]["/things/{id}"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
            object(json!({"name": {"type": "string"}}), &["name"]);
        // Normalisation lifts the inline body into `MakeThingBody`: only the name differs.
        let changes = run(&base(), &new);
        assert_eq!(only(&changes), ("body", "type_renamed", Kind::Breaking));
        assert_eq!(
            changes[0].detail,
            "`Req` -> `MakeThingBody` (the generated type's name)"
        );
    }

    #[test]
    fn status_rules() {
        let mut new = base();
        let responses = &mut new["paths"]["/things/{id}"]["post"]["responses"];
        responses.as_object_mut().unwrap().remove("404");
        responses["409"] = json!({"description": "conflict"});
        let changes = run(&base(), &new);
        assert_eq!(
            find(&changes, "response.404", "status_removed").kind,
            Kind::Compatible
        );
        assert_eq!(
            find(&changes, "response.409", "status_added").kind,
            Kind::Compatible
        );

        let mut moved = base();
        let responses = &mut moved["paths"]["/things/{id}"]["post"]["responses"];
        let ok = responses.as_object_mut().unwrap().remove("200").unwrap();
        responses["201"] = ok;
        let changes = run(&base(), &moved);
        assert_eq!(
            find(&changes, "response.200", "status_removed").kind,
            Kind::Breaking
        );
        assert_eq!(
            find(&changes, "responses", "success_status_changed").detail,
            "200 -> 201: `send` decodes another response"
        );
    }

    #[test]
    fn request_body_added_and_removed() {
        let mut none = base();
        none["paths"]["/things/{id}"]["post"]
            .as_object_mut()
            .unwrap()
            .remove("requestBody");
        assert_eq!(
            only(&run(&base(), &none)),
            ("body", "request_body_removed", Kind::Breaking)
        );
        assert_eq!(
            only(&run(&none, &base())),
            ("body", "request_body_added", Kind::Breaking)
        );
    }

    #[test]
    fn recursive_schemas_terminate() {
        let tree = |extra: Value| {
            let mut props = json!({"children": {"type": "array", "items": {"$ref": "#/components/schemas/Res"}}});
            for (k, v) in extra.as_object().cloned().unwrap_or_default() {
                props[k] = v;
            }
            with_response(object(props, &[]))
        };
        let changes = run(
            &tree(json!({})),
            &tree(json!({"label": {"type": "string"}})),
        );
        assert_eq!(
            only(&changes),
            ("response.200.label", "field_added", Kind::Compatible)
        );
    }

    #[test]
    fn map_values_are_compared() {
        let with = |values: Value| {
            with_response(object(
                json!({"id": {"type": "string"},
                       "meta": {"type": "object", "additionalProperties": values}}),
                &["id"],
            ))
        };
        assert_eq!(
            only(&run(
                &with(json!({"type": "string"})),
                &with(json!({"type": "integer"}))
            )),
            ("response.200.meta{}", "type_changed", Kind::Breaking)
        );
        // An unconstrained value schema: nullability has no meaning.
        assert!(run(&with(json!({"nullable": true})), &with(json!({}))).is_empty());
    }

    #[test]
    fn missing_tag_on_one_side_counts_as_empty_and_on_both_is_an_error() {
        let mut other = base();
        other["paths"]["/things/{id}"]["post"]["tags"] = json!(["Keys"]);
        let changes = run(&other, &base());
        assert_eq!(
            only(&changes),
            ("operation", "operation_added", Kind::Compatible)
        );
        let err = diff_documents(
            &other,
            &other,
            &["Workspaces".into()],
            Path::new("a"),
            Path::new("b"),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::NoOperations);
    }

    #[test]
    fn render_and_json_forms() {
        let new = with_response(object(
            json!({"id": {"type": "string"}, "name": {"type": "string"}}),
            &["id"],
        ));
        let changes = run(&base(), &new);
        let text = render(&changes);
        assert_eq!(
            text,
            "makeThing (POST /things/{id})\n  \
             [compatible] response.200.name: field added: optional string\n\n\
             1 change (0 breaking, 1 compatible); operations: 0 added, 0 removed, 1 changed\n"
        );
        assert_eq!(
            to_json(&changes),
            json!([{"operation": "makeThing", "method": "POST", "path": "/things/{id}",
                    "location": "response.200.name", "change": "field_added",
                    "kind": "compatible", "detail": "optional string"}])
        );
        assert!(!has_breaking(&changes));
    }
}
