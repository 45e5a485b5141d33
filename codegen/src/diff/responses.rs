//! Responses: the set of statuses, which one `send` decodes, and their bodies.

use serde_json::{Map, Value};

use super::bodies::pick_media;
use super::flat::label;
use super::{Cx, Dir, Kind, resolve};

impl Cx<'_> {
    pub(super) fn responses(&mut self, old: &Value, new: &Value) {
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
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}
