//! Members: the default workspace, bulk add and remove, their rules, pagination.

mod common;

use common::{start, start_with};
use openrouter_workspaces::types::{self, WorkspaceMemberRole};
use openrouter_workspaces_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn user_ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn default_workspace_lists_every_organisation_user() {
    let (emu, c) = start();
    let list = c.get("/workspaces/default/members").ok(200);
    assert_eq!(list["total_count"], 4);
    assert_eq!(
        user_ids(&list),
        ["user_alice", "user_bob", "user_carol", "user_dave"]
    );
    let typed: types::ListWorkspaceMembersResponse = serde_json::from_value(list).unwrap();
    assert_eq!(typed.data[0].role, WorkspaceMemberRole::Admin);
    assert_eq!(typed.data[1].role, WorkspaceMemberRole::Member);
    assert_eq!(typed.data[0].workspace_id, emu.workspaces()[0].id);
    // Adding organisation users to the default workspace changes nothing.
    let r = c.members("default", "add", &["user_bob"]).ok(200);
    assert_eq!(r["added_count"], 0);
    assert_eq!(user_ids(&r), ["user_bob"]);
    // Nobody can be removed from it.
    let m = c.members("default", "remove", &["user_bob"]).error(400);
    assert!(m.contains("default"), "{m}");
    assert_eq!(emu.members("default").len(), 4);
}

#[test]
fn add_is_idempotent_and_uses_organisation_roles() {
    let (emu, c) = start();
    let ws = c.create("Team", "team");
    assert_eq!(
        user_ids(&c.get("/workspaces/team/members").ok(200)),
        ["user_alice"]
    );

    let r = c
        .members("team", "add", &["user_bob", "user_carol", "user_bob"])
        .ok(200);
    let typed: types::BulkAddWorkspaceMembersResponse = serde_json::from_value(r).unwrap();
    assert_eq!(typed.added_count, 2);
    assert_eq!(typed.data.len(), 2);
    assert!(
        typed
            .data
            .iter()
            .all(|m| m.role == WorkspaceMemberRole::Member)
    );
    assert!(
        typed
            .data
            .iter()
            .all(|m| m.workspace_id == ws["id"].as_str().unwrap())
    );

    // Existing members are returned, not duplicated, not counted.
    let r = c
        .members("team", "add", &["user_bob", "user_dave", "user_alice"])
        .ok(200);
    assert_eq!(r["added_count"], 1);
    assert_eq!(user_ids(&r), ["user_bob", "user_dave", "user_alice"]);
    assert_eq!(r["data"][0]["id"], typed.data[0].id.to_string());
    assert_eq!(r["data"][2]["role"], "admin");

    let list = c.get("/workspaces/team/members").ok(200);
    assert_eq!(list["total_count"], 4);
    assert_eq!(
        user_ids(&list),
        ["user_alice", "user_bob", "user_carol", "user_dave"]
    );
    assert_eq!(emu.members("team").len(), 4);
}

#[test]
fn add_rules() {
    let (emu, c) = start();
    c.create("Team", "team");
    let path = "/workspaces/team/members/add";
    let m = c
        .members("team", "add", &["user_bob", "user_zed"])
        .error(400);
    assert!(m.contains("user_zed"), "{m}");
    assert_eq!(
        emu.members("team").len(),
        1,
        "nothing added when one id is bad"
    );

    let hundred_one: Vec<String> = (0..101).map(|i| format!("user_{i}")).collect();
    for body in [
        json!({"user_ids": []}),
        json!({"user_ids": hundred_one}),
        json!({"user_ids": "user_bob"}),
        json!({"user_ids": [1]}),
        json!({"user_ids": null}),
        json!({}),
    ] {
        let m = c.post(path, &body).error(400);
        assert!(m.contains("user_ids"), "{body}: {m}");
    }
    c.send("POST", path, None).error(400);
    // 100 is allowed (here with duplicates of known users).
    let r = c.members("team", "add", &["user_carol"; 100]).ok(200);
    assert_eq!(r["added_count"], 1);
    c.members("missing", "add", &["user_bob"]).error(404);
}

#[test]
fn remove_rules() {
    let (emu, c) = start_with(EmulatorConfig::new().member_with_active_keys("user_carol"));
    c.create("Team", "team");
    c.members("team", "add", &["user_bob", "user_carol"])
        .ok(200);
    let path = "/workspaces/team/members/remove";

    let m = c
        .members("team", "remove", &["user_bob", "user_carol"])
        .error(400);
    assert!(m.contains("user_carol") && m.contains("API keys"), "{m}");
    assert_eq!(emu.members("team").len(), 3, "nothing removed");

    // Non-members (and unknown users) are skipped, not errors.
    let skipped = ["user_bob", "user_dave", "user_nobody", "user_bob"];
    let r = c.members("team", "remove", &skipped).ok(200);
    assert_eq!(r, json!({"removed_count": 1}));
    let r = c.members("team", "remove", &["user_bob"]).ok(200);
    assert_eq!(r["removed_count"], 0);
    let _: types::BulkRemoveWorkspaceMembersResponse = serde_json::from_value(r).unwrap();
    assert_eq!(
        user_ids(&c.get("/workspaces/team/members").ok(200)),
        ["user_alice", "user_carol"]
    );
    // A keyed user who is not a member is no obstacle.
    c.create("Other", "other");
    c.members("other", "remove", &["user_carol", "user_alice"])
        .ok(200);
    assert!(emu.members("other").is_empty());

    for body in [
        json!({"user_ids": []}),
        json!({"user_ids": [true]}),
        json!({}),
    ] {
        let m = c.post(path, &body).error(400);
        assert!(m.contains("user_ids"), "{body}: {m}");
    }
    c.members("missing", "remove", &["user_bob"]).error(404);
}

#[test]
fn member_pagination_and_custom_organisation() {
    let users: Vec<(String, WorkspaceMemberRole)> = (0..12)
        .map(|i| {
            let role = if i == 3 {
                WorkspaceMemberRole::Admin
            } else {
                WorkspaceMemberRole::Member
            };
            (format!("u{i:02}"), role)
        })
        .collect();
    let (emu, c) = start_with(EmulatorConfig::new().org_users(users));
    // The first admin is the creator.
    let ws = c.create("Team", "team");
    assert_eq!(ws["created_by"], "u03");
    assert_eq!(emu.workspaces()[0].created_by.as_deref(), Some("u03"));

    let page = c
        .get("/workspaces/default/members?limit=5&offset=10")
        .ok(200);
    assert_eq!(page["total_count"], 12);
    assert_eq!(user_ids(&page), ["u10", "u11"]);
    let page = c.get("/workspaces/default/members?limit=5").ok(200);
    assert_eq!(user_ids(&page), ["u00", "u01", "u02", "u03", "u04"]);
    assert_eq!(page["data"][3]["role"], "admin");
    let page = c.get("/workspaces/default/members?offset=50").ok(200);
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["total_count"], 12);
    for q in ["limit=0", "limit=101", "offset=-3", "offset=x"] {
        c.get(&format!("/workspaces/default/members?{q}"))
            .error(400);
    }
    c.get("/workspaces/missing/members").error(404);
    assert!(emu.members("missing").is_empty());
}

#[test]
fn organisation_without_admin_has_no_creator() {
    let (_emu, c) = start_with(
        EmulatorConfig::new()
            .org_users([("only_member", WorkspaceMemberRole::Member)])
            .org_user("late_admin", WorkspaceMemberRole::Admin),
    );
    assert_eq!(c.create("T", "t")["created_by"], "late_admin");
    let (_emu, c) =
        start_with(EmulatorConfig::new().org_users([("only_member", WorkspaceMemberRole::Member)]));
    let ws = c.create("T", "t");
    assert_eq!(ws["created_by"], Value::Null);
    assert_eq!(c.get("/workspaces/t/members").ok(200)["total_count"], 0);
}
