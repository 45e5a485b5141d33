//! Stage 1b: apply an OpenAPI Overlay (Overlay Specification 1.0) to the loaded document.
//!
//! The project keeps what the upstream document does not say (how each write is made safe
//! to retry: `x-write-safety`) in an overlay beside its document, so that any upstream
//! document is used exactly as published and gets the same rules.
//!
//! Each action's `target` selects nodes; `update` is merged into each (objects key by key,
//! recursively; any other value replaced; into an array, appended), and `remove: true`
//! removes them. Targets are JSONPath *normalized paths* (RFC 9535, section 2.7): `$`
//! followed by `['name']`, `.name` or `[index]` steps, which name one node each, such as
//! `$.paths['/workspaces'].post`. That is every target an overlay of operations needs; a
//! target using any other JSONPath (wildcards, filters) is refused with its position, rather
//! than matched wrongly.
//!
//! A target that selects nothing leaves the document as it is, as the specification says,
//! and is reported: the operation it was written for has moved or gone, so its rule no
//! longer applies. [`apply`] returns those reports for the build to show as warnings (or,
//! in strict mode, as the error that stops it).

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result, pointer_push};

/// An overlay action whose target selected no node of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// The overlay file.
    pub overlay: std::path::PathBuf,
    /// The action's index in `actions`.
    pub index: usize,
    /// The action's target.
    pub target: String,
    /// The action's description, if it has one.
    pub description: Option<String>,
}

impl std::fmt::Display for Unmatched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: action {} (target `{}`",
            self.overlay.display(),
            self.index,
            self.target
        )?;
        if let Some(description) = &self.description {
            write!(f, ", \"{description}\"")?;
        }
        write!(
            f,
            ") matches nothing in the document, so it is not applied: what it targets (an \
             operation, for a write rule) is missing or has moved. If the document renamed \
             the path or method, change the target to the new one; if it is gone, delete the \
             action"
        )
    }
}

/// Applies the overlay `overlay` (read from `file`) to `document`, and returns the actions
/// whose target matched nothing.
pub fn apply(document: &mut Value, overlay: &Value, file: &Path) -> Result<Vec<Unmatched>> {
    let fail = |pointer: &str, message: String| {
        Error::new(ErrorKind::Invalid, file, pointer.to_string(), message)
    };
    match overlay.get("overlay").and_then(Value::as_str) {
        Some(version) if version.starts_with("1.") => {}
        Some(version) => {
            return Err(fail(
                "/overlay",
                format!("overlay version `{version}` is not supported (1.x is)"),
            ));
        }
        None => {
            return Err(fail(
                "",
                "not an OpenAPI Overlay: it has no `overlay` version field".into(),
            ));
        }
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("/actions", "an overlay needs a list of `actions`".into()))?;
    let mut unmatched = Vec::new();
    for (index, action) in actions.iter().enumerate() {
        let at = pointer_push("/actions", &index.to_string());
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(&at, "the action has no `target` string".into()))?;
        let steps = parse_target(target).map_err(|message| {
            fail(
                &pointer_push(&at, "target"),
                format!("target `{target}`: {message}"),
            )
        })?;
        let remove = match action.get("remove") {
            None => false,
            Some(Value::Bool(remove)) => *remove,
            Some(_) => return Err(fail(&at, "`remove` must be true or false".into())),
        };
        let update = action.get("update");
        if remove == update.is_some() {
            return Err(fail(
                &at,
                "an action needs exactly one of `update` and `remove: true`".into(),
            ));
        }
        let applied = if remove {
            remove_node(document, &steps)
        } else {
            select_mut(document, &steps)
                .map(|node| merge(node, update.cloned().unwrap_or_default()))
        };
        if applied.is_none() {
            unmatched.push(Unmatched {
                overlay: file.to_path_buf(),
                index,
                target: target.to_string(),
                description: action
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            });
        }
    }
    Ok(unmatched)
}

/// One step of a normalized path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Name(String),
    Index(usize),
}

/// Parses a normalized JSONPath (`$['paths']['/x'].get`, `$.a[0]`), or says what in it is
/// not one.
fn parse_target(target: &str) -> Result<Vec<Step>, String> {
    let mut rest = target.strip_prefix('$').ok_or("a target starts with `$`")?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("['") {
            let (name, tail) = quoted_name(after)?;
            steps.push(Step::Name(name));
            rest = tail;
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or("a `[` is not closed")?;
            let index = after[..end]
                .parse::<usize>()
                .map_err(|_| format!("`[{}]` is not a name in quotes or an index; wildcards and filters are not supported", &after[..end]))?;
            steps.push(Step::Index(index));
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            let simple = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && name != "*";
            if !simple {
                return Err(format!(
                    "`.{name}` is not a plain member name; write `['{name}']`, wildcards and \
                     descendants are not supported"
                ));
            }
            steps.push(Step::Name(name.to_string()));
            rest = &after[end..];
        } else {
            return Err(format!("unexpected `{rest}`"));
        }
    }
    Ok(steps)
}

/// The name of a `['...']` step (with `\'` and `\\` escapes) and what follows it.
fn quoted_name(text: &str) -> Result<(String, &str), String> {
    let mut name = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped @ ('\'' | '\\'))) => name.push(escaped),
                _ => return Err("only `\\'` and `\\\\` escapes are supported in names".into()),
            },
            '\'' => {
                let tail = text[i + 1..]
                    .strip_prefix(']')
                    .ok_or("a quoted name must be followed by `]`")?;
                return Ok((name, tail));
            }
            c => name.push(c),
        }
    }
    Err("a quoted name is not closed".into())
}

/// The node at `steps`, if there is one.
fn select_mut<'a>(node: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(node, |node, step| match step {
        Step::Name(name) => node.as_object_mut()?.get_mut(name),
        Step::Index(index) => node.as_array_mut()?.get_mut(*index),
    })
}

/// Removes the node at `steps`; `None` when there is none (or `steps` is the root).
fn remove_node(document: &mut Value, steps: &[Step]) -> Option<()> {
    let (last, parent) = steps.split_last()?;
    let parent = select_mut(document, parent)?;
    match last {
        Step::Name(name) => parent.as_object_mut()?.remove(name).map(drop),
        Step::Index(index) => {
            let items = parent.as_array_mut()?;
            (*index < items.len()).then(|| drop(items.remove(*index)))
        }
    }
}

/// Merges `update` into `target`: objects key by key, recursively; into an array, appended;
/// anything else replaced.
fn merge(target: &mut Value, update: Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => merge_objects(target, update),
        (Value::Array(items), Value::Array(more)) => items.extend(more),
        (Value::Array(items), one) => items.push(one),
        (target, update) => *target = update,
    }
}

fn merge_objects(target: &mut Map<String, Value>, update: Map<String, Value>) {
    for (key, value) in update {
        match target.get_mut(&key) {
            Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
            _ => {
                target.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    fn doc() -> Value {
        json!({"paths": {"/a/{id}": {"post": {"operationId": "makeA", "tags": ["A"]}}}})
    }

    #[test]
    fn an_update_is_merged_into_the_target() {
        let mut document = doc();
        let unmatched = apply(
            &mut document,
            &overlay(json!([{"target": "$.paths['/a/{id}'].post", "update": {"x-rule": {"k": 1}, "tags": ["B"]}}])),
            Path::new("o.yaml"),
        )
        .unwrap();
        assert!(unmatched.is_empty());
        let post = &document["paths"]["/a/{id}"]["post"];
        assert_eq!(post["x-rule"], json!({"k": 1}));
        assert_eq!(post["operationId"], "makeA", "other keys are kept");
        assert_eq!(
            post["tags"],
            json!(["B"]),
            "a value merged into an object's key replaces it"
        );
    }

    #[test]
    fn a_target_that_matches_nothing_is_reported_and_changes_nothing() {
        let mut document = doc();
        let unmatched = apply(
            &mut document,
            &overlay(json!([{"target": "$.paths['/gone'].post", "description": "rule", "update": {"x": 1}}])),
            Path::new("o.yaml"),
        )
        .unwrap();
        assert_eq!(document, doc());
        assert_eq!(unmatched.len(), 1);
        let text = unmatched[0].to_string();
        assert!(
            text.contains("action 0") && text.contains("$.paths['/gone'].post"),
            "{text}"
        );
        assert!(
            text.contains("\"rule\"") && text.contains("change the target"),
            "{text}"
        );
    }

    #[test]
    fn remove_deletes_the_node() {
        let mut document = doc();
        apply(
            &mut document,
            &overlay(json!([{"target": "$['paths']['/a/{id}'].post.tags[0]", "remove": true}])),
            Path::new("o.yaml"),
        )
        .unwrap();
        assert_eq!(document["paths"]["/a/{id}"]["post"]["tags"], json!([]));
    }

    #[test]
    fn targets_beyond_normalized_paths_are_refused_with_their_position() {
        for (target, part) in [
            ("$.paths.*.post", "plain member name"),
            ("$.paths[*]", "wildcards"),
            ("paths", "starts with `$`"),
            ("$['unclosed", "not closed"),
        ] {
            let err = apply(
                &mut doc(),
                &overlay(json!([{"target": target, "update": {}}])),
                Path::new("o.yaml"),
            )
            .unwrap_err();
            assert_eq!(err.pointer, "/actions/0/target");
            assert!(err.message.contains(part), "{target}: {}", err.message);
        }
    }

    #[test]
    fn malformed_overlays_name_what_is_missing() {
        let err = apply(&mut doc(), &json!({"actions": []}), Path::new("o.yaml")).unwrap_err();
        assert!(err.message.contains("`overlay` version"), "{}", err.message);
        let both = overlay(json!([{"target": "$", "update": {}, "remove": true}]));
        let err = apply(&mut doc(), &both, Path::new("o.yaml")).unwrap_err();
        assert!(err.message.contains("exactly one"), "{}", err.message);
    }

    #[test]
    fn quoted_names_take_escapes() {
        assert_eq!(
            parse_target(r"$['it\'s']").unwrap(),
            vec![Step::Name("it's".into())]
        );
        assert_eq!(
            parse_target("$.a[2]").unwrap(),
            vec![Step::Name("a".into()), Step::Index(2)]
        );
    }
}
