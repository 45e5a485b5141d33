//! Budgets: upsert, ordering of limits, the workspace-wide BYOK flag, get/list/delete.

mod common;

use common::start;
use openrouter_workspaces::types;
use serde_json::{Value, json};

fn put(c: &common::Client, ws: &str, interval: &str, body: Value) -> common::Reply {
    c.put(&format!("/workspaces/{ws}/budgets/{interval}"), &body)
}

#[test]
fn upsert_get_list_delete() {
    let (emu, c) = start();
    let ws = c.create("Team", "team");
    let ws_id = ws["id"].as_str().unwrap();

    let empty = c.get("/workspaces/team/budgets").ok(200);
    assert_eq!(empty, json!({"data": [], "include_byok_in_budgets": false}));
    let m = c.get("/workspaces/team/budgets/daily").error(404);
    assert!(m.contains("daily"), "{m}");

    let lifetime = put(&c, "team", "lifetime", json!({"limit_usd": 1000})).ok(200);
    let typed: types::UpsertWorkspaceBudgetResponse =
        serde_json::from_value(lifetime.clone()).unwrap();
    assert_eq!(typed.data.reset_interval, None);
    assert_eq!(typed.data.limit_usd, 1000.0);
    assert_eq!(typed.data.workspace_id.to_string(), ws_id);
    assert_eq!(typed.include_byok_in_budgets, Some(false));
    assert_eq!(lifetime["data"]["reset_interval"], Value::Null);

    let daily = put(&c, ws_id, "daily", json!({"limit_usd": 10.5})).ok(200);
    assert_eq!(daily["data"]["reset_interval"], "daily");
    assert_eq!(daily["data"]["limit_usd"], 10.5);
    let weekly = put(&c, "team", "weekly", json!({"limit_usd": 50})).ok(200);
    assert_eq!(weekly["data"]["reset_interval"], "weekly");
    let monthly = put(&c, "team", "monthly", json!({"limit_usd": 200})).ok(200);
    assert_eq!(monthly["data"]["reset_interval"], "monthly");

    let got = c.get("/workspaces/team/budgets/weekly").ok(200);
    assert_eq!(got["data"], weekly["data"]);
    assert_eq!(got["include_byok_in_budgets"], false);
    let _: types::GetWorkspaceBudgetResponse = serde_json::from_value(got).unwrap();

    let list = c.get("/workspaces/team/budgets").ok(200);
    let typed: types::ListWorkspaceBudgetsResponse = serde_json::from_value(list).unwrap();
    let limits: Vec<f64> = typed.data.iter().map(|b| b.limit_usd).collect();
    assert_eq!(limits, [10.5, 50.0, 200.0, 1000.0]);
    assert_eq!(emu.budgets("team").len(), 4);

    // Replacing keeps the budget's id and creation time.
    let replaced = put(&c, "team", "daily", json!({"limit_usd": 20})).ok(200);
    assert_eq!(replaced["data"]["id"], daily["data"]["id"]);
    assert_eq!(replaced["data"]["created_at"], daily["data"]["created_at"]);
    assert_eq!(replaced["data"]["limit_usd"], 20.0);

    let deleted = c
        .send("DELETE", "/workspaces/team/budgets/daily", None)
        .ok(200);
    assert_eq!(deleted, json!({"deleted": true}));
    c.get("/workspaces/team/budgets/daily").error(404);
    // Deleting a budget that is not there is a 404, as the document says, and changes
    // nothing.
    let m = c
        .send("DELETE", "/workspaces/team/budgets/daily", None)
        .error(404);
    assert!(m.contains("daily") && m.contains("team"), "{m}");
    let typed: types::NotFoundResponse = serde_json::from_str(
        &c.send("DELETE", "/workspaces/team/budgets/daily", None)
            .text,
    )
    .unwrap();
    assert_eq!(typed.error.code, 404);
    assert_eq!(emu.budgets("team").len(), 3);
    // A new budget after a delete is a new one.
    let fresh = put(&c, "team", "daily", json!({"limit_usd": 1})).ok(200);
    assert_ne!(fresh["data"]["id"], daily["data"]["id"]);
}

#[test]
fn limits_must_decrease_as_the_interval_narrows() {
    let (emu, c) = start();
    c.create("Team", "team");
    put(&c, "team", "weekly", json!({"limit_usd": 50})).ok(200);

    let m = put(&c, "team", "daily", json!({"limit_usd": 100})).error(400);
    assert!(m.contains("daily") && m.contains("weekly"), "{m}");
    let m = put(&c, "team", "daily", json!({"limit_usd": 50})).error(400);
    assert!(
        m.contains("daily") && m.contains("weekly"),
        "equal is refused: {m}"
    );
    let m = put(&c, "team", "monthly", json!({"limit_usd": 50})).error(400);
    assert!(m.contains("monthly") && m.contains("weekly"), "{m}");
    let m = put(&c, "team", "lifetime", json!({"limit_usd": 49.99})).error(400);
    assert!(m.contains("lifetime") && m.contains("weekly"), "{m}");
    assert_eq!(
        emu.budgets("team").len(),
        1,
        "refused budgets are not stored"
    );

    put(&c, "team", "daily", json!({"limit_usd": 49.99})).ok(200);
    put(&c, "team", "lifetime", json!({"limit_usd": 500})).ok(200);
    // Non-adjacent intervals are compared too.
    let m = put(&c, "team", "monthly", json!({"limit_usd": 500})).error(400);
    assert!(m.contains("monthly") && m.contains("lifetime"), "{m}");
    let m = put(&c, "team", "monthly", json!({"limit_usd": 40})).error(400);
    assert!(m.contains("monthly"), "{m}");
    put(&c, "team", "monthly", json!({"limit_usd": 499})).ok(200);
    // Updating an existing budget is checked against the others.
    let m = put(&c, "team", "weekly", json!({"limit_usd": 499})).error(400);
    assert!(m.contains("weekly") && m.contains("monthly"), "{m}");
    put(&c, "team", "weekly", json!({"limit_usd": 498})).ok(200);
    // Deleting the middle frees the range.
    c.send("DELETE", "/workspaces/team/budgets/weekly", None)
        .ok(200);
    put(&c, "team", "daily", json!({"limit_usd": 400})).ok(200);
}

#[test]
fn limit_and_body_rules() {
    let (emu, c) = start();
    for body in [
        json!({"limit_usd": 0}),
        json!({"limit_usd": -1}),
        json!({"limit_usd": "5"}),
        json!({"limit_usd": null}),
        json!({}),
        json!({"limit_usd": 5, "include_byok_in_budgets": "yes"}),
    ] {
        let m = put(&c, "default", "daily", body.clone()).error(400);
        assert!(
            m.contains("limit_usd") || m.contains("include_byok_in_budgets"),
            "{body}: {m}"
        );
    }
    c.send("PUT", "/workspaces/default/budgets/daily", Some("{"))
        .error(400);
    c.send("PUT", "/workspaces/default/budgets/daily", None)
        .error(400);
    assert!(emu.budgets("default").is_empty());
    put(&c, "default", "daily", json!({"limit_usd": 1e-9})).ok(200);
    put(&c, "default", "lifetime", json!({"limit_usd": 1e300})).ok(200);
}

#[test]
fn interval_and_workspace_errors() {
    let (emu, c) = start();
    for (method, body) in [
        ("GET", None),
        ("PUT", Some(r#"{"limit_usd":1}"#)),
        ("DELETE", None),
    ] {
        let m = c
            .send(method, "/workspaces/default/budgets/yearly", body)
            .error(400);
        assert!(m.contains("interval"), "{m}");
        c.send(method, "/workspaces/default/budgets/Daily", body)
            .error(400);
        c.send(method, "/workspaces/missing/budgets/daily", body)
            .error(404);
    }
    c.get("/workspaces/missing/budgets").error(404);
    assert!(emu.budgets("missing").is_empty());
}

#[test]
fn byok_flag_is_workspace_wide() {
    let (emu, c) = start();
    c.create("Team", "team");
    put(&c, "team", "monthly", json!({"limit_usd": 100})).ok(200);
    let byok = |interval: &str, limit: u32, flag: Option<bool>| {
        let mut body = json!({ "limit_usd": limit });
        if let Some(flag) = flag {
            body["include_byok_in_budgets"] = json!(flag);
        }
        put(&c, "team", interval, body).ok(200)["include_byok_in_budgets"].clone()
    };
    assert_eq!(byok("daily", 5, Some(true)), true);
    // Every interval and the workspace see it.
    assert_eq!(
        c.get("/workspaces/team/budgets/monthly").ok(200)["include_byok_in_budgets"],
        true
    );
    assert_eq!(
        c.get("/workspaces/team/budgets").ok(200)["include_byok_in_budgets"],
        true
    );
    assert_eq!(
        c.get("/workspaces/team").ok(200)["data"]["include_byok_in_budgets"],
        true
    );
    // Leaving it out keeps it.
    assert_eq!(byok("weekly", 50, None), true);
    assert_eq!(byok("weekly", 50, Some(false)), false);
    assert_eq!(emu.workspaces()[1].include_byok_in_budgets, Some(false));
    // Other workspaces are not affected.
    assert_eq!(
        c.get("/workspaces/default/budgets").ok(200)["include_byok_in_budgets"],
        false
    );
}
