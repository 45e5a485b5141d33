//! Drift mode: the emulator plays a newer server. The raw JSON carries fields and enum
//! values the document lacks; the state and the rules do not change.

mod common;

use common::{start, start_with};
use openrouter_workspaces::types;
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use serde_json::{Value, json};

/// An emulator in drift mode and a client for it.
fn drifting() -> (Emulator, common::Client) {
    start_with(EmulatorConfig::new().drift(true))
}

fn server_info() -> Value {
    json!({"api_revision": "2099-01-01", "emulator_drift": true})
}

#[track_caller]
fn assert_workspace_drift(ws: &Value) {
    assert_eq!(ws["residency_region"], "eu-west", "{ws}");
    assert_eq!(
        ws["plan_settings"],
        json!({"tier": "enterprise", "seats": 25}),
        "{ws}"
    );
}

#[track_caller]
fn assert_budget_drift(budget: &Value) {
    assert_eq!(budget["spent_usd"], 0.0, "{budget}");
    assert_eq!(
        budget["alert_settings"],
        json!({"threshold_percent": 80}),
        "{budget}"
    );
}

#[track_caller]
fn assert_member_drift(member: &Value) {
    assert_eq!(member.get("invited_by"), Some(&Value::Null), "{member}");
    assert_eq!(
        member["member_permissions"],
        json!({"can_manage_keys": false}),
        "{member}"
    );
}

/// `field` of each item of the list answer `list`, after `check` of the item.
fn checked_fields<'a>(list: &'a Value, check: fn(&Value), field: &str) -> Vec<&'a Value> {
    let items = list["data"].as_array().expect("a list answer");
    items
        .iter()
        .inspect(|item| check(item))
        .map(|item| &item[field])
        .collect()
}

#[test]
fn drift_is_off_by_default() {
    let (_emu, c) = start();
    c.create("Team", "team");
    let list = c.get("/workspaces").ok(200);
    assert_eq!(
        list.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["data", "total_count"]
    );
    assert!(list["data"][1].get("residency_region").is_none());
    let e = c.get("/workspaces/missing").json();
    assert!(e.get("server_info").is_none() && e["error"].get("retryable").is_none());
}

#[test]
fn workspaces_carry_unknown_fields_at_every_level() {
    let (emu, c) = drifting();
    let created = c.create_reply("Team", "team").ok(201);
    assert_eq!(created["server_info"], server_info());
    assert_workspace_drift(&created["data"]);
    assert_eq!(created["data"]["slug"], "team");

    let list = c.get("/workspaces").ok(200);
    assert_eq!(list["server_info"], server_info());
    assert_eq!(list.get("next_cursor"), Some(&Value::Null));
    assert_eq!(list["total_count"], 2);
    for ws in list["data"].as_array().unwrap() {
        assert_workspace_drift(ws);
    }

    let got = c.get("/workspaces/team").ok(200);
    assert_workspace_drift(&got["data"]);
    assert!(got.get("next_cursor").is_none(), "not a list");
    // A plain get still decodes into the document's model.
    let typed: types::GetWorkspaceResponse = serde_json::from_value(got).unwrap();
    assert_eq!(typed.data.slug, "team");

    let updated = c
        .patch("/workspaces/team", &json!({"name": "Renamed"}))
        .ok(200);
    assert_workspace_drift(&updated["data"]);

    let deleted = c.send("DELETE", "/workspaces/team", None).ok(200);
    assert_eq!(
        deleted,
        json!({"deleted": true, "server_info": server_info()})
    );
    // The state holds no drift.
    assert_eq!(emu.workspaces().len(), 1);
}

#[test]
fn budget_lists_of_two_or_more_have_unknown_intervals_on_every_second_item() {
    let (emu, c) = drifting();
    let put = |interval: &str, limit: f64| {
        c.put(
            &format!("/workspaces/default/budgets/{interval}"),
            &json!({"limit_usd": limit}),
        )
        .ok(200)
    };
    let daily = put("daily", 1.0);
    assert_eq!(
        daily["data"]["reset_interval"], "daily",
        "one item: documented"
    );
    assert_budget_drift(&daily["data"]);
    assert_eq!(daily["server_info"], server_info());

    let one = c.get("/workspaces/default/budgets").ok(200);
    assert_eq!(one["data"][0]["reset_interval"], "daily", "a list of one");
    assert_budget_drift(&one["data"][0]);
    assert_eq!(one.get("next_cursor"), Some(&Value::Null));

    put("weekly", 2.0);
    put("monthly", 3.0);
    let list = c.get("/workspaces/default/budgets").ok(200);
    let intervals = checked_fields(&list, assert_budget_drift, "reset_interval");
    assert_eq!(
        intervals,
        [&json!("daily"), &json!("quarterly"), &json!("monthly")]
    );
    assert_eq!(list["include_byok_in_budgets"], false);

    let got = c.get("/workspaces/default/budgets/weekly").ok(200);
    assert_eq!(got["data"]["reset_interval"], "weekly");
    let typed: types::GetWorkspaceBudgetResponse = serde_json::from_value(got).unwrap();
    assert_eq!(typed.data.limit_usd, 2.0);
    // Only the JSON changed: the stored budget keeps its interval.
    assert_eq!(
        emu.budgets("default")[1].reset_interval,
        Some(types::WorkspaceBudgetResetInterval::Weekly)
    );
}

#[test]
fn member_lists_of_two_or_more_have_an_unknown_role_on_every_second_item() {
    let (emu, c) = drifting();
    let list = c.get("/workspaces/default/members").ok(200);
    let roles = checked_fields(&list, assert_member_drift, "role");
    let (admin, owner, member) = (json!("admin"), json!("owner"), json!("member"));
    assert_eq!(roles, [&admin, &owner, &member, &owner]);
    assert_eq!(list["total_count"], 4);
    assert_eq!(list.get("next_cursor"), Some(&Value::Null));

    let page = c
        .get("/workspaces/default/members?offset=1&limit=1")
        .ok(200);
    assert_eq!(page["data"][0]["role"], "member", "a list of one");
    assert_member_drift(&page["data"][0]);

    c.create("Team", "team");
    let added = c
        .members("team", "add", &["user_bob", "user_carol"])
        .ok(200);
    assert_eq!(added["added_count"], 2);
    assert_eq!(added["data"][0]["role"], "member");
    assert_eq!(added["data"][1]["role"], "owner");
    assert_member_drift(&added["data"][1]);
    assert_eq!(added["server_info"], server_info());

    let removed = c.members("team", "remove", &["user_bob"]).ok(200);
    assert_eq!(
        removed,
        json!({"removed_count": 1, "server_info": server_info()})
    );
    // The state keeps documented roles.
    let members = emu.members("team");
    assert_eq!(members.len(), 2);
    assert!(
        members
            .iter()
            .all(|m| m.role == types::WorkspaceMemberRole::Member
                || m.role == types::WorkspaceMemberRole::Admin)
    );
}

#[test]
fn errors_keep_their_documented_shape_and_carry_the_extra_fields() {
    let (emu, c) = drifting();
    for (reply, status) in [
        (c.get("/workspaces/missing"), 404),
        (c.send("POST", "/workspaces", Some("{")), 400),
        (c.send("PUT", "/workspaces", Some("{}")), 405),
        (common::client_with_key(&emu, None).get("/workspaces"), 401),
    ] {
        let message = reply.error(status);
        let body = reply.json();
        assert_eq!(body["server_info"], server_info(), "{body}");
        assert_eq!(body["error"]["retryable"], false, "{body}");
        assert_eq!(body["error"]["message"], message.as_str());
    }
    let typed: types::NotFoundResponse =
        serde_json::from_str(&c.get("/workspaces/missing").text).unwrap();
    assert_eq!(typed.error.code, 404);

    // An injected fault's default error body drifts too; a raw body is sent as given.
    emu.inject(Fault::new(FaultKind::status(503)));
    let body = c.get("/workspaces").json();
    assert_eq!(body["server_info"], server_info());
    assert_eq!(body["error"]["code"], 503);
    emu.inject(Fault::new(FaultKind::respond(200, "{}")));
    assert_eq!(c.get("/workspaces").text, "{}");
}
