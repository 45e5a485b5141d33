//! The built binary against a server newer than the document (the emulator in drift mode,
//! or canned answers): what it prints is what the server sent, each finding is warned about
//! once, `drift` exits 5 or 0, deleting the default workspace needs its confirmation flag,
//! and an answer of the wrong shape is still a failure.

mod common;

use common::{WARNING, cli, client, create, texts, with_workspace};
use openrouter_workspaces::Client;
use openrouter_workspaces::types::WorkspaceBudgetInterval;
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use serde_json::{Value, json};

/// An emulator that answers as a newer server would.
fn drifting() -> Emulator {
    Emulator::start_with(EmulatorConfig::new().drift(true)).expect("the emulator starts")
}

/// Gives workspace `id` two budgets (daily, monthly) and three members (its creator,
/// user_bob, user_carol), so that the drift mode puts unknown enum values in their lists.
fn populate(client: &Client, id: &str) {
    let workspaces = client.workspaces();
    workspaces
        .set_budget(id, WorkspaceBudgetInterval::Daily)
        .limit_usd(10.0)
        .send()
        .expect("daily budget");
    workspaces
        .set_budget(id, WorkspaceBudgetInterval::Monthly)
        .limit_usd(100.0)
        .send()
        .expect("monthly budget");
    workspaces
        .bulk_add_members(id)
        .user_ids(["user_bob", "user_carol"])
        .send()
        .expect("members added");
}

/// A drift-mode emulator with workspace `team` populated as [`populate`] says.
fn drifting_with_team() -> Emulator {
    let emulator = drifting();
    create(&emulator, "team");
    populate(&client(&emulator), "team");
    emulator
}

/// `json` without the whitespace outside its strings: pretty output compared token for
/// token, in order, with the compact text the server sent.
fn squeeze(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The four reads whose answers the CLI prints raw, with what the same request gives the
/// library (the body as received).
fn reads(emulator: &Emulator) -> Vec<(&'static [&'static str], String)> {
    let client = client(emulator);
    let workspaces = client.workspaces();
    let text = |body: &[u8]| String::from_utf8(body.to_vec()).expect("UTF-8 body");
    vec![
        (
            &["get", "default"][..],
            text(
                workspaces
                    .get("default")
                    .send_with_response()
                    .unwrap()
                    .body(),
            ),
        ),
        (
            &["list"][..],
            text(workspaces.list().send_with_response().unwrap().body()),
        ),
        (
            &["budgets", "list", "team"][..],
            text(
                workspaces
                    .list_budgets("team")
                    .send_with_response()
                    .unwrap()
                    .body(),
            ),
        ),
        (
            &["members", "list", "team"][..],
            text(
                workspaces
                    .list_members("team")
                    .send_with_response()
                    .unwrap()
                    .body(),
            ),
        ),
    ]
}

#[test]
fn drift_mode_answers_are_printed_exactly_as_the_server_sent_them() {
    let emulator = drifting_with_team();
    for (args, raw) in reads(&emulator) {
        // The emulator answers compact JSON: `--compact` must reproduce it byte for byte
        // (unknown fields, unknown values and the server's field order included).
        let compact = cli(&emulator, &[args, &["--compact"]].concat());
        let printed = compact.answer();
        assert_eq!(
            compact.stdout.lines().count(),
            1,
            "{args:?}: {}",
            compact.stdout
        );
        assert_eq!(compact.stdout.trim_end(), raw, "{args:?}");
        assert_eq!(
            printed,
            serde_json::from_str::<Value>(&raw).unwrap(),
            "{args:?}"
        );

        let pretty = cli(&emulator, args);
        assert!(pretty.stdout.lines().count() > 1, "{args:?}: pretty");
        assert_eq!(pretty.answer(), printed, "{args:?}");
        assert_eq!(
            squeeze(&pretty.stdout),
            raw,
            "{args:?}: same tokens, same order"
        );
        assert!(raw.contains(r#""server_info":{"#), "{args:?}: {raw}");
    }
}

#[test]
fn drift_mode_unknown_fields_and_values_reach_stdout() {
    let emulator = drifting_with_team();
    let workspace = cli(&emulator, &["get", "default"]).answer();
    assert_eq!(workspace["data"]["residency_region"], "eu-west");
    assert_eq!(
        workspace["data"]["plan_settings"],
        json!({"tier": "enterprise", "seats": 25})
    );
    assert_eq!(workspace["server_info"]["api_revision"], "2099-01-01");

    let list = cli(&emulator, &["list"]).answer();
    assert_eq!(list["next_cursor"], Value::Null);
    assert!(list["data"].as_array().unwrap().len() >= 2);
    for item in list["data"].as_array().unwrap() {
        assert_eq!(item["residency_region"], "eu-west", "{item}");
    }

    let budgets = cli(&emulator, &["budgets", "list", "team"]).answer();
    assert_eq!(budgets["data"][0]["reset_interval"], "daily");
    assert_eq!(budgets["data"][1]["reset_interval"], "quarterly");
    assert_eq!(budgets["data"][1]["spent_usd"], 0.0);
    assert_eq!(
        budgets["data"][1]["alert_settings"],
        json!({"threshold_percent": 80})
    );

    let members = cli(&emulator, &["members", "list", "team"]).answer();
    let roles = texts(&members["data"], "role");
    assert_eq!(roles, ["admin", "owner", "member"]);
    assert!(members["data"][2]["invited_by"].is_null());
    assert_eq!(
        members["data"][2]["member_permissions"],
        json!({"can_manage_keys": false})
    );
}

#[test]
fn members_list_all_keeps_unknown_fields_and_values() {
    let emulator = drifting_with_team();
    let run = cli(
        &emulator,
        &["members", "list", "team", "--all", "--limit", "2"],
    );
    let all = run.answer();
    let members = all.as_array().expect("--all prints one array");
    assert_eq!(members.len(), 3);
    // Page 1 has two items (the second drifted), page 2 one.
    assert_eq!(members[1]["role"], "owner");
    for member in members {
        assert_eq!(
            member["member_permissions"],
            json!({"can_manage_keys": false})
        );
        assert!(member.as_object().unwrap().contains_key("invited_by"));
    }
}

#[test]
fn fields_are_printed_in_the_servers_order_even_unsorted() {
    let emulator = Emulator::start().unwrap();
    let real: Value = serde_json::from_slice(
        client(&emulator)
            .workspaces()
            .get("default")
            .send_with_response()
            .unwrap()
            .body(),
    )
    .unwrap();
    // The workspace's fields in reverse alphabetical order, between two unknown fields;
    // the envelope with its unknown field first.
    let fields = real["data"].as_object().unwrap();
    let mut data = String::from(r#"{"zz_first":1"#);
    for (key, value) in fields.iter().rev() {
        data.push_str(&format!(",{}:{value}", Value::from(key.as_str())));
    }
    data.push_str(r#","aa_last":"x"}"#);
    let body = format!(r#"{{"version":{{"z":1,"a":2}},"data":{data}}}"#);
    let path = "/api/v1/workspaces/default";

    emulator.inject(Fault::new(FaultKind::respond(200, body.clone())).path(path));
    let compact = cli(&emulator, &["get", "default", "--compact"]);
    assert_eq!(compact.code, 0, "{}", compact.stderr);
    assert_eq!(compact.stdout, format!("{body}\n"));

    emulator.inject(Fault::new(FaultKind::respond(200, body.clone())).path(path));
    let pretty = cli(&emulator, &["get", "default"]);
    assert_eq!(pretty.code, 0, "{}", pretty.stderr);
    assert!(pretty.stdout.lines().count() > 1);
    assert_eq!(squeeze(&pretty.stdout), body);
}

#[test]
fn each_finding_is_warned_about_once_per_run() {
    let emulator = drifting_with_team();
    // Three members carry the same two unknown fields; one carries an unknown role.
    let expected = [
        "field `invited_by` of `WorkspaceMember`",
        "field `member_permissions` of `WorkspaceMember`",
        "value `owner` of `WorkspaceMemberRole`",
        "field `server_info` of `ListWorkspaceMembersResponse`",
        "field `next_cursor` of `ListWorkspaceMembersResponse`",
    ];
    let runs = [
        cli(&emulator, &["members", "list", "team"]),
        // Two pages, each with the same findings: still one warning each.
        cli(
            &emulator,
            &["members", "list", "team", "--all", "--limit", "2"],
        ),
        // The library's own log warnings must not come out as a second copy.
        cli(&emulator, &["--verbose", "members", "list", "team"]),
    ];
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
        let warnings = run.warnings();
        let mut distinct = warnings.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), warnings.len(), "duplicates: {warnings:#?}");
        assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
        for finding in expected {
            let matching = warnings.iter().filter(|w| w.contains(finding)).count();
            assert_eq!(matching, 1, "{finding}: {warnings:#?}");
        }
        for warning in &warnings {
            assert!(warning.contains("listWorkspaceMembers"), "{warning}");
            assert!(warning.contains("regenerate"), "{warning}");
        }
        let other = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with(WARNING) && !l.contains(": debug: "))
            .count();
        assert_eq!(other, 0, "{}", run.stderr);
    }
}

#[test]
fn a_normal_server_gives_no_warnings() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    populate(&client, "default");
    for args in [
        &["get", "default"][..],
        &["list"][..],
        &["budgets", "list", "default"][..],
        &["members", "list", "default"][..],
    ] {
        let run = cli(&emulator, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn drift_command_exits_5_and_lists_each_finding_once() {
    let emulator = drifting();
    // `drift` reads the first workspace of the list: the default one.
    populate(&client(&emulator), "default");
    let run = cli(&emulator, &["drift"]);
    assert_eq!(run.code, 5, "stdout: {} stderr: {}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    for finding in [
        "field Workspace.residency_region",
        "field Workspace.plan_settings",
        "field ListWorkspacesResponse.next_cursor",
        "field GetWorkspaceResponse.server_info",
        "field WorkspaceBudget.spent_usd",
        "field WorkspaceMember.member_permissions",
        "value WorkspaceBudgetResetInterval=quarterly",
        "value WorkspaceMemberRole=owner",
    ] {
        assert_eq!(
            lines.iter().filter(|l| **l == finding).count(),
            1,
            "{finding}: {lines:#?}"
        );
    }
    let mut distinct = lines.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), lines.len(), "{lines:#?}");
    // Each finding is also warned about once on stderr, then the summary.
    assert_eq!(run.warnings().len(), lines.len(), "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains(&format!("the server sent {} thing(s)", lines.len())),
        "{last}"
    );
}

#[test]
fn drift_command_exits_0_against_a_normal_server() {
    let emulator = Emulator::start().unwrap();
    populate(&client(&emulator), "default");
    let run = cli(&emulator, &["drift"]);
    assert_eq!(run.code, 0, "stdout: {} stderr: {}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.trim_end(),
        "the server sent nothing the document lacks"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    // It looked: every read it makes reached the server (the first workspace by its id).
    let id = emulator.workspaces()[0].id.to_string();
    let at = |rest: &str| format!("/api/v1/workspaces/{id}{rest}");
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces"), 1);
    for path in [at(""), at("/budgets"), at("/members")] {
        assert_eq!(emulator.requests_to("GET", &path), 1, "{path}");
    }
}

#[test]
fn drift_command_exits_4_on_an_undecodable_answer() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::respond(200, "not json"))
            .method("GET")
            .path("/workspaces"),
    );
    cli(&emulator, &["--no-retries", "drift"]).failed(4);
}

/// Whether the default workspace is still there.
fn default_exists(emulator: &Emulator) -> bool {
    emulator.workspaces().iter().any(|w| w.slug == "default")
}

#[test]
fn deleting_the_default_workspace_is_refused_with_403_by_default() {
    let emulator = Emulator::start().unwrap();
    for args in [
        &["delete", "default"][..],
        &["delete", "default", "--confirm-default-workspace-deletion"][..],
    ] {
        let stderr = cli(&emulator, args).failed(3).to_string();
        assert!(stderr.contains("HTTP 403"), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(default_exists(&emulator));
    }
}

#[test]
fn deleting_the_default_workspace_needs_the_confirmation_flag_when_allowed() {
    let config = EmulatorConfig::new().allow_default_workspace_deletion(true);
    let emulator = Emulator::start_with(config).unwrap();

    let stderr = cli(&emulator, &["delete", "default"]).failed(3).to_string();
    assert!(stderr.contains("HTTP 400"), "{stderr}");
    assert!(
        stderr.contains("confirm_default_workspace_deletion"),
        "{stderr}"
    );
    assert!(default_exists(&emulator));

    let run = cli(
        &emulator,
        &["delete", "default", "--confirm-default-workspace-deletion"],
    );
    assert_eq!(run.json(), json!({"deleted": true}));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(!default_exists(&emulator));
    assert!(emulator.workspaces().is_empty());
}

#[test]
fn the_confirmation_flag_changes_nothing_for_other_workspaces() {
    let emulator = with_workspace("other");
    let run = cli(
        &emulator,
        &["delete", "other", "--confirm-default-workspace-deletion"],
    );
    assert_eq!(run.json(), json!({"deleted": true}));
    assert!(emulator.workspaces().iter().all(|w| w.slug != "other"));
    assert!(default_exists(&emulator));
}

#[test]
fn a_200_that_is_not_the_documented_json_exits_4() {
    let emulator = drifting_with_team();
    let cases: [(&[&str], &str, &str); 6] = [
        (&["get", "default"], "/workspaces/default", "not json"),
        (&["get", "default"], "/workspaces/default", ""),
        (
            &["get", "default"],
            "/workspaces/default",
            r#"{"data":{"id":1}}"#,
        ),
        (&["list"], "/workspaces", r#"[{"data":[]}]"#),
        (
            &["members", "list", "team"],
            "/workspaces/team/members",
            r#"{"data":[{"user_id":"u","role":7}],"total_count":1}"#,
        ),
        (
            &["budgets", "list", "team"],
            "/workspaces/team/budgets",
            r#"{"data":"nope"}"#,
        ),
    ];
    for (args, path, body) in cases {
        emulator.clear_faults();
        emulator.inject(Fault::new(FaultKind::respond(200, body)).path(path));
        let run = cli(&emulator, &[&["--no-retries"][..], args].concat());
        let stderr = run.failed(4);
        assert!(
            stderr.contains("could not be decoded"),
            "{args:?} {body:?}: {stderr}"
        );
        assert_eq!(emulator.pending_faults(), 0, "{args:?}: the fault was used");
    }
}
