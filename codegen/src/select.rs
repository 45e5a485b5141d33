//! Stage 2: keep the operations of the chosen tags and the components they reach.
//!
//! The upstream document describes the whole OpenRouter API; a client for one tag should
//! neither carry nor compile the rest (some of it trips the model generator).

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::document::{COMPONENT_KINDS, split_component_ref};
use crate::error::{Error, ErrorKind, Result, pointer_push};

/// The HTTP methods a path item may hold, in the order the generator emits them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Returns a copy of `doc` that holds only the operations tagged with one of `tags` and the
/// components they reach, directly or through other components.
pub fn select(doc: &Value, tags: &[String], file: &Path) -> Result<Value> {
    let wanted: HashSet<&str> = tags.iter().map(String::as_str).collect();
    let mut selection = Selection {
        wanted: &wanted,
        file,
        operation_ids: HashSet::new(),
        seen_tags: BTreeSet::new(),
    };
    let mut kept_paths = Map::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        if let Some(kept_item) = selection.path_item(path, item)? {
            kept_paths.insert(path.clone(), kept_item);
        }
    }
    if kept_paths.is_empty() {
        let available = selection
            .seen_tags
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::new(
            ErrorKind::NoOperations,
            file,
            "/paths",
            format!(
                "no operation is tagged {}; the document's tags are: {available}",
                tags.join(" or ")
            ),
        ));
    }
    let mut out = with_paths(doc, kept_paths, &wanted);
    let reached = reachable_components(doc, &out, file)?;
    prune_components(&mut out, &reached);
    Ok(out)
}

/// What [`select`] has seen of the paths so far, and what it looks for.
struct Selection<'a> {
    wanted: &'a HashSet<&'a str>,
    file: &'a Path,
    /// The operationIds of the kept operations, which must differ.
    operation_ids: HashSet<String>,
    /// Every tag of every operation, for the error when none is wanted.
    seen_tags: BTreeSet<String>,
}

impl Selection<'_> {
    /// The path item `item` with only its wanted operations, or `None` when it has none.
    fn path_item(&mut self, path: &str, item: &Value) -> Result<Option<Value>> {
        let item_pointer = pointer_push("/paths", path);
        let Some(item) = item.as_object() else {
            return Err(Error::new(
                ErrorKind::Invalid,
                self.file,
                item_pointer,
                "a path item must be a mapping",
            ));
        };
        if item.contains_key("$ref") {
            return Err(Error::new(
                ErrorKind::Unsupported,
                self.file,
                item_pointer,
                "path items given by $ref are not supported",
            ));
        }
        let mut kept_item = Map::new();
        for (key, value) in item {
            if METHODS.contains(&key.as_str()) && self.keeps(path, &item_pointer, key, value)? {
                kept_item.insert(key.clone(), value.clone());
            }
        }
        if kept_item.is_empty() {
            return Ok(None);
        }
        // Path-level fields (parameters, summary, extensions) apply to the kept operations.
        for (key, value) in item {
            if !METHODS.contains(&key.as_str()) {
                kept_item.insert(key.clone(), value.clone());
            }
        }
        Ok(Some(Value::Object(kept_item)))
    }

    /// Whether the `method` operation `op` is wanted; a wanted one must have an operationId
    /// of its own.
    fn keeps(&mut self, path: &str, item_pointer: &str, method: &str, op: &Value) -> Result<bool> {
        let op_pointer = pointer_push(item_pointer, method);
        let op_tags: Vec<&str> = op
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        self.seen_tags.extend(op_tags.iter().map(|t| t.to_string()));
        if !op_tags.iter().any(|t| self.wanted.contains(t)) {
            return Ok(false);
        }
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return Err(Error::new(
                ErrorKind::MissingOperationId,
                self.file,
                op_pointer,
                format!(
                    "{} {path} has no operationId; every generated method is named after one",
                    method.to_ascii_uppercase()
                ),
            ));
        };
        if !self.operation_ids.insert(id.to_string()) {
            return Err(Error::new(
                ErrorKind::DuplicateName,
                self.file,
                pointer_push(&op_pointer, "operationId"),
                format!("operationId `{id}` is used twice"),
            ));
        }
        Ok(true)
    }
}

/// A copy of `doc` with `paths` as its paths, no webhooks, and only the `wanted` tags.
fn with_paths(doc: &Value, paths: Map<String, Value>, wanted: &HashSet<&str>) -> Value {
    let mut out = doc.as_object().cloned().unwrap_or_default();
    out.remove("webhooks");
    out.insert("paths".into(), Value::Object(paths));
    if let Some(Value::Array(doc_tags)) = out.get_mut("tags") {
        doc_tags.retain(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| wanted.contains(n))
        });
    }
    Value::Object(out)
}

/// Returns a copy of an already selected `doc` keeping only the operations whose
/// operationId `keep` accepts, with `components` pruned again to what they reach.
pub fn retain_operations(doc: &Value, keep: impl Fn(&str) -> bool, file: &Path) -> Result<Value> {
    let mut out = doc.clone();
    if let Some(paths) = out.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                item.retain(|key, op| {
                    !METHODS.contains(&key.as_str())
                        || op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .is_some_and(&keep)
                });
            }
        }
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|i| METHODS.iter().any(|m| i.contains_key(*m)))
        });
    }
    let reached = reachable_components(doc, &out, file)?;
    prune_components(&mut out, &reached);
    Ok(out)
}

/// Every `(kind, name)` of `components` that the kept paths reach, transitively.
fn reachable_components(
    doc: &Value,
    cut: &Value,
    file: &Path,
) -> Result<BTreeSet<(String, String)>> {
    let mut reached = BTreeSet::new();
    let mut queue: Vec<(String, String)> = Vec::new(); // (ref, pointer where it was found)
    collect_refs(&cut["paths"], "/paths", &mut queue);
    while let Some((reference, at)) = queue.pop() {
        let (kind, name) = split_component_ref(&reference).ok_or_else(|| {
            Error::new(
                ErrorKind::Unsupported,
                file,
                pointer_push(&at, "$ref"),
                format!(
                    "`{reference}` is not a reference to #/components/<section>/<name>; \
                     external and other references are not supported"
                ),
            )
        })?;
        if !reached.insert((kind.clone(), name.clone())) {
            continue;
        }
        let target_pointer = &reference[1..];
        let Some(target) = doc.pointer(target_pointer) else {
            return Err(Error::new(
                ErrorKind::DanglingRef,
                file,
                pointer_push(&at, "$ref"),
                format!("`{reference}` points at nothing in the document"),
            ));
        };
        collect_refs(target, target_pointer, &mut queue);
    }
    Ok(reached)
}

/// Keywords whose values are instance data rather than schema.
pub(crate) const DATA_KEYWORDS: [&str; 5] = ["example", "examples", "default", "enum", "const"];

/// Pushes every `$ref` string below `value`, with the pointer of the object holding it.
pub(crate) fn collect_refs(value: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((r.clone(), pointer.to_string()));
            }
            for (key, child) in map {
                // Payloads are data, not schema: a `$ref` key inside one is just a key.
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                collect_refs(child, &pointer_push(pointer, key), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &pointer_push(pointer, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn prune_components(doc: &mut Value, reached: &BTreeSet<(String, String)>) {
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for kind in COMPONENT_KINDS {
        if let Some(section) = components.get_mut(kind).and_then(Value::as_object_mut) {
            section.retain(|name, _| reached.contains(&(kind.to_string(), name.clone())));
        }
    }
    components.retain(|_, section| !section.as_object().is_some_and(Map::is_empty));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file() -> &'static Path {
        Path::new("spec.json")
    }

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "tags": [{"name": "A"}, {"name": "B"}],
            "paths": {
                "/a": {
                    "parameters": [{"$ref": "#/components/parameters/Shared"}],
                    "get": {"operationId": "getA", "tags": ["A"], "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}
                    }},
                    "post": {"operationId": "postA", "tags": ["B"], "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}
                    }}
                },
                "/b": {"get": {"operationId": "getB", "tags": ["B"], "responses": {}}}
            },
            "components": {
                "parameters": {"Shared": {"name": "x", "in": "header", "schema": {"type": "string"}}},
                "schemas": {
                    "A": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Inner"}}},
                    "Inner": {"type": "string"},
                    "B": {"type": "object"},
                    "Unused": {"type": "object", "example": {"$ref": "not a ref"}}
                }
            }
        })
    }

    #[test]
    fn keeps_only_operations_of_selected_tags() {
        let cut = select(&doc(), &["A".into()], file()).unwrap();
        assert!(cut.pointer("/paths/~1a/get").is_some());
        assert!(cut.pointer("/paths/~1a/post").is_none());
        assert!(cut.pointer("/paths/~1b").is_none());
        assert_eq!(cut["tags"], json!([{"name": "A"}]));
    }

    #[test]
    fn path_level_parameters_stay_with_kept_operations() {
        let cut = select(&doc(), &["A".into()], file()).unwrap();
        assert_eq!(
            cut.pointer("/paths/~1a/parameters/0/$ref"),
            Some(&json!("#/components/parameters/Shared"))
        );
    }

    #[test]
    fn prunes_components_to_what_is_reached_transitively() {
        let cut = select(&doc(), &["A".into()], file()).unwrap();
        let schemas: Vec<&String> = cut["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(schemas, ["A", "Inner"]);
        assert!(cut.pointer("/components/parameters/Shared").is_some());
    }

    #[test]
    fn several_tags_are_united() {
        let cut = select(&doc(), &["A".into(), "B".into()], file()).unwrap();
        assert!(cut.pointer("/paths/~1a/post").is_some());
        assert!(cut.pointer("/paths/~1b/get").is_some());
        assert!(cut.pointer("/components/schemas/B").is_some());
        assert!(cut.pointer("/components/schemas/Unused").is_none());
    }

    #[test]
    fn unknown_tag_lists_the_available_ones() {
        let err = select(&doc(), &["Nope".into()], file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NoOperations);
        assert!(err.message.contains("A, B"), "{}", err.message);
    }

    #[test]
    fn dangling_ref_names_where_it_is() {
        let mut d = doc();
        d["components"]["schemas"]["A"]["properties"]["inner"]["$ref"] =
            json!("#/components/schemas/Gone");
        let err = select(&d, &["A".into()], file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::DanglingRef);
        assert_eq!(err.pointer, "/components/schemas/A/properties/inner/$ref");
        assert!(err.to_string().contains("#/components/schemas/Gone"));
    }

    /// The test document with the `get` of `path` lacking its operationId.
    fn without_operation_id(path: &str) -> Value {
        let mut d = doc();
        d["paths"][path]["get"]
            .as_object_mut()
            .unwrap()
            .remove("operationId");
        d
    }

    #[test]
    fn missing_operation_id_is_an_error_with_pointer() {
        let d = without_operation_id("/a");
        let err = select(&d, &["A".into()], file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingOperationId);
        assert_eq!(err.pointer, "/paths/~1a/get");
    }

    #[test]
    fn missing_operation_id_in_another_tag_is_ignored() {
        let d = without_operation_id("/b");
        assert!(select(&d, &["A".into()], file()).is_ok());
    }

    #[test]
    fn duplicate_operation_id_is_an_error() {
        let mut d = doc();
        d["paths"]["/b"]["get"]["operationId"] = json!("getA");
        d["paths"]["/b"]["get"]["tags"] = json!(["A"]);
        let err = select(&d, &["A".into()], file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::DuplicateName);
    }

    #[test]
    fn retain_operations_prunes_what_only_dropped_operations_used() {
        let cut = select(&doc(), &["A".into(), "B".into()], file()).unwrap();
        let kept = retain_operations(&cut, |id| id != "postA", file()).unwrap();
        assert!(kept.pointer("/paths/~1a/post").is_none());
        assert!(kept.pointer("/paths/~1a/get").is_some());
        assert!(kept.pointer("/components/schemas/B").is_none());
        assert!(kept.pointer("/components/schemas/A").is_some());
        let none = retain_operations(&cut, |id| id == "getB", file()).unwrap();
        assert!(
            none.pointer("/paths/~1a").is_none(),
            "an item without operations goes"
        );
    }

    #[test]
    fn external_refs_are_unsupported() {
        let mut d = doc();
        d["components"]["schemas"]["Inner"] = json!({"$ref": "other.yaml#/Thing"});
        let err = select(&d, &["A".into()], file()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(err.pointer, "/components/schemas/Inner/$ref");
    }
}
