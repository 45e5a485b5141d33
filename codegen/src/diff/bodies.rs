//! Request bodies, and the media type and schema of any body (responses' too).

use serde_json::{Value, json};

use super::flat::{flatten, label};
use super::{Cx, Dir, Kind, required_word, resolve};
use crate::document;

impl Cx<'_> {
    pub(super) fn request_body(&mut self, old: Option<&Value>, new: Option<&Value>) {
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
    pub(super) fn content(
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
}

/// The media type the generated client uses (the first JSON one, else the first) and its
/// schema (the empty schema when it has none).
pub(super) fn pick_media(holder: &Value) -> Option<(String, Value)> {
    let content = holder.get("content").and_then(Value::as_object)?;
    let (media, object) = document::json_media(content).or_else(|| content.iter().next())?;
    let schema = object.get("schema").cloned().unwrap_or_else(|| json!({}));
    Some((media.clone(), schema))
}
