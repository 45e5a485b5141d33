//! What an OpenAPI document means where the generator and the [`diff`](crate::diff) must
//! agree: which `$ref`s exist and what they point at, which media types are JSON, what an
//! operation's generated method is called, and which tag (module) it belongs to.
//!
//! The diff reports a change as breaking when the *generated client* changes, so it must
//! apply exactly the generator's rules; each rule is written here once, and both call it.
//!
//! # Why `serde_json::Value`, with typed `openapiv3` access on top
//!
//! The rules are stated on the document as `serde_json::Value`, the form every stage before
//! parsing (`load`, `select`, `normalise`) and the diff work on. The diff compares
//! documents as they are written: it looks at keywords `openapiv3` does not model or keeps
//! only in a lossy form (siblings of a `$ref`, mixed-type enums, 3.1 numeric bounds), and
//! it must not refuse a document because the typed parser would. The emitter, which reads
//! schemas through `openapiv3`, reaches the same rules through two small traits,
//! [`Linked`] (a `$ref` or the thing itself) and [`OperationFields`] (what naming reads of
//! an operation), each implemented for `Value` and for the `openapiv3` type; the traits
//! say only *where* a field is, never what it means.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::ReferenceOr;
use proc_macro2::Ident;
use quote::format_ident;
use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// The component sections a `$ref` may point into.
pub const COMPONENT_KINDS: [&str; 8] = [
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "links",
    "callbacks",
];

/// How many `$ref`s in a row are followed before the chain counts as circular; far beyond
/// any real document.
pub const MAX_REF_CHAIN: usize = 32;

/// The vendor extension that names an operation's generated method instead of its
/// `operationId`.
pub const NAME_OVERRIDE: &str = "x-speakeasy-name-override";

/// The tag of an operation that has none.
pub const UNTAGGED: &str = "default";

/// Splits `#/components/<kind>/<name>` into its section and its (unescaped) name; `None`
/// for any other reference (external, into `paths`, or nested deeper).
pub fn split_component_ref(reference: &str) -> Option<(String, String)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (kind, name) = rest.split_once('/')?;
    if !COMPONENT_KINDS.contains(&kind) || name.contains('/') || name.is_empty() {
        return None;
    }
    Some((kind.to_string(), name.replace("~1", "/").replace("~0", "~")))
}

/// A node that is either a `$ref` or the thing itself.
pub enum Link<'a, T: ?Sized> {
    /// A reference, by its `$ref` string.
    Ref(&'a str),
    /// The thing itself.
    Item(&'a T),
}

/// Where a representation keeps its `$ref`: a `$ref` key of a JSON object, or
/// `openapiv3`'s [`ReferenceOr`].
pub trait Linked {
    /// What the node is when it is not a reference.
    type Item: ?Sized;
    /// The node as a reference or as the item.
    fn link(&self) -> Link<'_, Self::Item>;
}

impl Linked for Value {
    type Item = Value;
    fn link(&self) -> Link<'_, Value> {
        match self.get("$ref").and_then(Value::as_str) {
            Some(reference) => Link::Ref(reference),
            None => Link::Item(self),
        }
    }
}

impl<T> Linked for ReferenceOr<T> {
    type Item = T;
    fn link(&self) -> Link<'_, T> {
        match self {
            ReferenceOr::Reference { reference } => Link::Ref(reference),
            ReferenceOr::Item(item) => Link::Item(item),
        }
    }
}

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// Not a `#/components/<section>/<name>` reference.
    Unsupported(String),
    /// A component reference to a component that does not exist.
    Dangling(String),
    /// More than [`MAX_REF_CHAIN`] references in a row: a cycle.
    TooLong,
}

impl RefError {
    /// The generator's error for this, at `pointer` of `file`.
    pub fn into_error(self, file: &std::path::Path, pointer: &str) -> Error {
        match self {
            RefError::Unsupported(reference) => Error::new(
                ErrorKind::Unsupported,
                file,
                pointer,
                format!("unsupported reference `{reference}`"),
            ),
            RefError::Dangling(reference) => Error::new(
                ErrorKind::DanglingRef,
                file,
                pointer,
                format!("`{reference}` points at nothing"),
            ),
            RefError::TooLong => Error::new(
                ErrorKind::Unsupported,
                file,
                pointer,
                "reference chain too long or circular",
            ),
        }
    }
}

/// Follows `node` through `$ref`s to the item it stands for; `lookup` finds a component by
/// its section and name.
pub fn resolve<'a, N: Linked>(
    node: &'a N,
    lookup: impl Fn(&str, &str) -> Option<&'a N>,
) -> Result<&'a N::Item, RefError> {
    let mut current = node;
    for _ in 0..MAX_REF_CHAIN {
        match current.link() {
            Link::Item(item) => return Ok(item),
            Link::Ref(reference) => {
                let (kind, name) = split_component_ref(reference)
                    .ok_or_else(|| RefError::Unsupported(reference.to_string()))?;
                current = lookup(&kind, &name)
                    .ok_or_else(|| RefError::Dangling(reference.to_string()))?;
            }
        }
    }
    Err(RefError::TooLong)
}

/// [`resolve`] within the JSON document `doc`.
pub fn resolve_json<'a>(doc: &'a Value, node: &'a Value) -> Result<&'a Value, RefError> {
    resolve(node, |kind, name| {
        doc.get("components")?.get(kind)?.get(name)
    })
}

/// Whether a media type is JSON: `application/json` or any `+json` type, parameters
/// (`; charset=utf-8`) aside.
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The media type the generated client uses from a `content` map: the first JSON one.
pub fn json_media<'a, T>(
    content: impl IntoIterator<Item = (&'a String, &'a T)>,
) -> Option<(&'a String, &'a T)> {
    content.into_iter().find(|(media, _)| is_json(media))
}

/// What identifies a parameter (`in` is one of `path`, `query`, `header`, `cookie`): an
/// operation's parameter replaces the path item's with the same key. Header names match in
/// any case.
pub fn parameter_key(location: &str, name: &str) -> (String, String) {
    let name = if location == "header" {
        name.to_ascii_lowercase()
    } else {
        name.to_string()
    };
    (location.to_string(), name)
}

/// What the naming rules read of an operation.
pub trait OperationFields {
    /// Its first tag, when it has one.
    fn first_tag(&self) -> Option<&str>;
    /// The value of a vendor extension (`x-...`).
    fn extension(&self, name: &str) -> Option<&Value>;
}

impl OperationFields for Value {
    fn first_tag(&self) -> Option<&str> {
        self.get("tags")?.as_array()?.first()?.as_str()
    }
    fn extension(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl OperationFields for openapiv3::Operation {
    fn first_tag(&self) -> Option<&str> {
        self.tags.first().map(String::as_str)
    }
    fn extension(&self, name: &str) -> Option<&Value> {
        self.extensions.get(name)
    }
}

/// The name of the generated method of the operation `operation_id` (snake case): its
/// [`NAME_OVERRIDE`] when it has one, else its `operationId`.
pub fn method_name(op: &impl OperationFields, operation_id: &str) -> String {
    op.extension(NAME_OVERRIDE)
        .and_then(Value::as_str)
        .unwrap_or(operation_id)
        .to_snake_case()
}

/// The tag that groups the operation's method (its module and accessor): the first of its
/// tags, else [`UNTAGGED`].
pub fn tag(op: &impl OperationFields) -> &str {
    op.first_tag().unwrap_or(UNTAGGED)
}

/// A Rust identifier for `name`, raw where it is a keyword.
pub fn safe_ident(name: &str) -> Ident {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = if cleaned.is_empty() || cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{cleaned}")
    } else {
        cleaned
    };
    match syn::parse_str::<Ident>(&cleaned) {
        Ok(ident) => ident,
        // These cannot be raw identifiers (and `_` is no identifier at all).
        Err(_) if matches!(cleaned.as_str(), "self" | "super" | "crate" | "Self" | "_") => {
            format_ident!("{cleaned}_")
        }
        Err(_) => Ident::new_raw(&cleaned, proc_macro2::Span::call_site()),
    }
}

/// The identifier typify gives the model of component `name`.
pub fn type_ident(name: &str) -> Ident {
    safe_ident(&name.to_upper_camel_case())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn component_refs_split_and_unescape() {
        assert_eq!(
            split_component_ref("#/components/schemas/a~1b~0c"),
            Some(("schemas".into(), "a/b~c".into()))
        );
        assert_eq!(split_component_ref("#/components/other/X"), None);
        assert_eq!(split_component_ref("#/paths/~1a"), None);
        assert_eq!(
            split_component_ref("other.yaml#/components/schemas/X"),
            None
        );
    }

    #[test]
    fn json_refs_resolve_through_chains() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "Loop": {"$ref": "#/components/schemas/Loop"}
        }}});
        let start = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(resolve_json(&doc, &start), Ok(&json!({"type": "string"})));
        let plain = json!({"type": "integer"});
        assert_eq!(resolve_json(&doc, &plain), Ok(&plain));
        let missing = json!({"$ref": "#/components/schemas/Nope"});
        assert!(matches!(
            resolve_json(&doc, &missing),
            Err(RefError::Dangling(_))
        ));
        let looping = json!({"$ref": "#/components/schemas/Loop"});
        assert_eq!(resolve_json(&doc, &looping), Err(RefError::TooLong));
        let external = json!({"$ref": "other.yaml#/X"});
        assert!(matches!(
            resolve_json(&doc, &external),
            Err(RefError::Unsupported(_))
        ));
    }

    #[test]
    fn json_media_types() {
        for json in [
            "application/json",
            "application/json; charset=utf-8",
            "application/problem+json",
        ] {
            assert!(is_json(json), "{json}");
        }
        for other in ["text/plain", "application/jsonl", "multipart/form-data"] {
            assert!(!is_json(other), "{other}");
        }
        let content = json!({"text/plain": 1, "application/json": 2, "a/b+json": 3});
        let content = content.as_object().unwrap();
        assert_eq!(
            json_media(content).map(|(m, v)| (m.as_str(), v)),
            Some(("application/json", &json!(2)))
        );
    }

    #[test]
    fn header_parameters_match_in_any_case() {
        assert_eq!(
            parameter_key("header", "X-Request-Id"),
            parameter_key("header", "x-request-id")
        );
        assert_ne!(
            parameter_key("query", "Limit"),
            parameter_key("query", "limit")
        );
        assert_ne!(parameter_key("query", "id"), parameter_key("path", "id"));
    }

    #[test]
    fn names_and_tags_agree_in_both_representations() {
        let json_op = json!({"operationId": "listThings", "tags": ["Things", "Other"],
                             "x-speakeasy-name-override": "list", "responses": {}});
        let typed: openapiv3::Operation = serde_json::from_value(json_op.clone()).unwrap();
        assert_eq!(method_name(&json_op, "listThings"), "list");
        assert_eq!(method_name(&typed, "listThings"), "list");
        assert_eq!((tag(&json_op), tag(&typed)), ("Things", "Things"));

        let bare = json!({"operationId": "getThingById", "responses": {}});
        let typed: openapiv3::Operation = serde_json::from_value(bare.clone()).unwrap();
        assert_eq!(method_name(&bare, "getThingById"), "get_thing_by_id");
        assert_eq!(method_name(&typed, "getThingById"), "get_thing_by_id");
        assert_eq!((tag(&bare), tag(&typed)), (UNTAGGED, UNTAGGED));
    }
}
