//! Drift mode: the emulator plays a server newer than the document. Only the JSON it writes
//! changes; the state and the rules are the same.
//!
//! What is added (none of these names is a field of the document, ours or upstream's):
//!
//! - every answer object (the top level of every API answer, errors included):
//!   `"server_info": {"api_revision": "2099-01-01", "emulator_drift": true}`;
//! - list envelopes (answers whose `data` is an array): `"next_cursor": null`;
//! - the `error` object of an error answer: `"retryable": false`;
//! - each workspace: `"residency_region": "eu-west"` and
//!   `"plan_settings": {"tier": "enterprise", "seats": 25}`;
//! - each budget: `"spent_usd": 0.0` and `"alert_settings": {"threshold_percent": 80}`;
//! - each member: `"invited_by": null` and
//!   `"member_permissions": {"can_manage_keys": false}`.
//!
//! In a `data` array of two or more items, every second item (the 2nd, 4th, ...) carries an
//! enum value the document does not have: a budget's `reset_interval` is `"quarterly"`, a
//! member's `role` is `"owner"`. The first item, and the `data` of one-item answers, keep
//! their documented values.

use serde_json::{Map, Value, json};

/// The unknown `reset_interval` of drifted budgets.
pub(crate) const UNKNOWN_RESET_INTERVAL: &str = "quarterly";
/// The unknown `role` of drifted members.
pub(crate) const UNKNOWN_ROLE: &str = "owner";

/// Adds the drift fields to one answer body (an object; anything else is left alone).
pub(crate) fn apply(body: &mut Value) {
    let Value::Object(top) = body else { return };
    top.insert(
        "server_info".into(),
        json!({"api_revision": "2099-01-01", "emulator_drift": true}),
    );
    if let Some(Value::Object(error)) = top.get_mut("error") {
        error.insert("retryable".into(), Value::Bool(false));
    }
    match top.get_mut("data") {
        Some(Value::Object(item)) => item_fields(item),
        Some(Value::Array(items)) => {
            let many = items.len() >= 2;
            for (i, item) in items.iter_mut().enumerate() {
                if let Value::Object(item) = item {
                    item_fields(item);
                    if many && i % 2 == 1 {
                        unknown_enum(item);
                    }
                }
            }
            top.insert("next_cursor".into(), Value::Null);
        }
        _ => {}
    }
}

/// What kind of item an object of `data` is, told by its documented fields.
enum Item {
    Workspace,
    Budget,
    Member,
}

fn kind(item: &Map<String, Value>) -> Option<Item> {
    if item.contains_key("slug") {
        Some(Item::Workspace)
    } else if item.contains_key("limit_usd") {
        Some(Item::Budget)
    } else if item.contains_key("user_id") && item.contains_key("role") {
        Some(Item::Member)
    } else {
        None
    }
}

fn item_fields(item: &mut Map<String, Value>) {
    let added = match kind(item) {
        Some(Item::Workspace) => json!({
            "residency_region": "eu-west",
            "plan_settings": {"tier": "enterprise", "seats": 25},
        }),
        Some(Item::Budget) => json!({
            "spent_usd": 0.0,
            "alert_settings": {"threshold_percent": 80},
        }),
        Some(Item::Member) => json!({
            "invited_by": null,
            "member_permissions": {"can_manage_keys": false},
        }),
        None => return,
    };
    if let Value::Object(added) = added {
        item.extend(added);
    }
}

fn unknown_enum(item: &mut Map<String, Value>) {
    match kind(item) {
        Some(Item::Budget) => {
            item.insert("reset_interval".into(), UNKNOWN_RESET_INTERVAL.into());
        }
        Some(Item::Member) => {
            item.insert("role".into(), UNKNOWN_ROLE.into());
        }
        // The document's workspace has no enum field.
        Some(Item::Workspace) | None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_two_get_an_unknown_value_on_the_second_item_only() {
        let mut body = json!({"data": [
            {"user_id": "a", "role": "admin"},
            {"user_id": "b", "role": "member"},
            {"user_id": "c", "role": "member"},
        ], "total_count": 3});
        apply(&mut body);
        assert_eq!(body["data"][0]["role"], "admin");
        assert_eq!(body["data"][1]["role"], UNKNOWN_ROLE);
        assert_eq!(body["data"][2]["role"], "member");
        assert_eq!(body["next_cursor"], Value::Null);
        assert_eq!(body["server_info"]["emulator_drift"], true);

        let mut one = json!({"data": [{"limit_usd": 1.0, "reset_interval": "daily"}]});
        apply(&mut one);
        assert_eq!(one["data"][0]["reset_interval"], "daily");
        assert_eq!(one["data"][0]["alert_settings"]["threshold_percent"], 80);
    }
}
