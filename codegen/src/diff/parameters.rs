//! Parameters: path, query and header, path-level ones merged in; added, removed, made
//! required or optional, and their schemas.

use serde_json::{Value, json};

use super::bodies::pick_media;
use super::flat::{flatten, label};
use super::{Cx, Dir, Kind, OpRef, required_word, resolve};
use crate::document;
use crate::operations::CLIENT_HEADERS;

impl Cx<'_> {
    pub(super) fn parameters(&mut self, old: &OpRef<'_>, new: &OpRef<'_>) {
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
        document::parameter_key(&self.location, &self.name)
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
