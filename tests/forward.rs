//! A server newer than the document: unlisted enum values, ids that break their format and
//! fields the document lacks all decode, are kept, and go back out unchanged; each finding is
//! reported to the drift hook on every call and logged once.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use common::mock::*;
use mockito::Server;
use openrouter_workspaces::types::{
    WorkspaceBudgetInterval, WorkspaceBudgetResetInterval, WorkspaceMemberRole,
};
use openrouter_workspaces::{Drift, DriftKind};
use serde_json::{Value, json};

/// Warnings logged by the library, collected for every test of this binary.
struct Warnings(Mutex<Vec<String>>);

impl log::Log for Warnings {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

fn warnings() -> &'static Warnings {
    static LOGGER: OnceLock<&'static Warnings> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logger: &'static Warnings = Box::leak(Box::new(Warnings(Mutex::new(Vec::new()))));
        log::set_logger(logger).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Warn);
        logger
    })
}

/// Warnings that mention `needle`.
fn warned_about(needle: &str) -> usize {
    warnings()
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|w| w.contains(needle))
        .count()
}

/// A client for `server` whose drift findings are collected.
fn recording_client(
    server: &mockito::ServerGuard,
) -> (openrouter_workspaces::Client, Arc<Mutex<Vec<Drift>>>) {
    warnings();
    let found = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&found);
    let client = builder(server)
        .on_drift(move |d| sink.lock().unwrap().push(d.clone()))
        .build()
        .unwrap();
    (client, found)
}

fn serve(server: &mut mockito::ServerGuard, method: &str, at: &str, body: &Value) -> mockito::Mock {
    server
        .mock(method, path(at).as_str())
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create()
}

#[test]
fn unknown_fields_at_every_level_are_kept_and_written_back() {
    let mut server = Server::new();
    let mut workspace = workspace_json("not-a-uuid", "staging");
    workspace["region"] = json!("eu-west");
    workspace["settings"] = json!({"tier": "enterprise", "limits": [1, 2]});
    workspace["id"] = json!("ws_01HZX-not-a-uuid");
    let page = json!({"data": [workspace], "total_count": 1, "next_cursor": "abc"});
    let _m = serve(&mut server, "GET", "/workspaces", &page);
    let (client, found) = recording_client(&server);

    let listed = client.workspaces().list().send().unwrap();
    assert_eq!(listed.extra["next_cursor"], "abc", "list envelope");
    let first = &listed.data[0];
    assert_eq!(first.id, "ws_01HZX-not-a-uuid", "an id that is not a UUID");
    assert_eq!(first.extra["region"], "eu-west", "object");
    assert_eq!(first.extra["settings"]["tier"], "enterprise", "nested");
    assert_eq!(
        serde_json::to_value(&listed).unwrap(),
        page,
        "written back, nothing lost"
    );

    let found = found.lock().unwrap();
    let names: Vec<(&str, &str, DriftKind)> = found
        .iter()
        .map(|d| (d.schema, d.name.as_str(), d.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("Workspace", "region", DriftKind::UnknownField),
            ("Workspace", "settings", DriftKind::UnknownField),
            (
                "ListWorkspacesResponse",
                "next_cursor",
                DriftKind::UnknownField
            ),
        ]
    );
    assert!(found.iter().all(|d| d.operation == "listWorkspaces"));
}

#[test]
fn unknown_enum_values_in_every_enum_field_are_kept() {
    let mut server = Server::new();
    let members = json!({"data": [
        member_json(MEMBER_ID, "user_a", "admin"),
        member_json(MEMBER_ID, "user_b", "owner"),
    ], "total_count": 2});
    let budgets = json!({"data": [
        budget_json(10.0, Some("daily")),
        budget_json(900.0, Some("quarterly")),
        budget_json(1000.0, None),
    ], "include_byok_in_budgets": false});
    let _m1 = serve(&mut server, "GET", "/workspaces/staging/members", &members);
    let _m2 = serve(&mut server, "GET", "/workspaces/staging/budgets", &budgets);
    let (client, found) = recording_client(&server);

    let listed = client.workspaces().list_members("staging").send().unwrap();
    assert_eq!(listed.data[0].role, WorkspaceMemberRole::Admin);
    assert_eq!(
        listed.data[1].role,
        WorkspaceMemberRole::Unknown("owner".into())
    );
    assert!(listed.data[1].role.is_unknown());
    assert_eq!(listed.data[1].role.to_string(), "owner");
    assert_eq!(serde_json::to_value(&listed).unwrap(), members);

    let budgeted = client.workspaces().list_budgets("staging").send().unwrap();
    assert_eq!(
        budgeted.data[1].reset_interval,
        Some(WorkspaceBudgetResetInterval::Unknown("quarterly".into()))
    );
    assert_eq!(budgeted.data[2].reset_interval, None, "null stays lifetime");
    assert_eq!(serde_json::to_value(&budgeted).unwrap(), budgets);

    let found = found.lock().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].schema, found[0].name.as_str(), found[0].kind),
        ("WorkspaceMemberRole", "owner", DriftKind::UnknownValue)
    );
    assert_eq!(found[0].operation, "listWorkspaceMembers");
    assert_eq!(
        (found[1].schema, found[1].name.as_str()),
        ("WorkspaceBudgetResetInterval", "quarterly")
    );
}

#[test]
fn a_hundred_calls_give_one_warning_and_a_hundred_findings() {
    let mut server = Server::new();
    let mut body = json!({"data": workspace_json(WORKSPACE_ID, "staging")});
    body["data"]["hundred_calls_field"] = json!(true);
    let _m = server
        .mock("GET", path("/workspaces/staging").as_str())
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .expect(100)
        .create();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    warnings();
    let client = builder(&server)
        .on_drift(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        })
        .build()
        .unwrap();
    for _ in 0..100 {
        let got = client.workspaces().get("staging").send().unwrap();
        assert_eq!(got.data.extra["hundred_calls_field"], true);
    }
    assert_eq!(
        seen.load(Ordering::Relaxed),
        100,
        "the hook sees every call"
    );
    assert_eq!(warned_about("`hundred_calls_field`"), 1, "logged once");
    let line = warnings()
        .0
        .lock()
        .unwrap()
        .iter()
        .find(|w| w.contains("hundred_calls_field"))
        .cloned()
        .unwrap();
    assert!(line.contains("getWorkspace"), "{line}");
    assert!(line.contains("newer than the document"), "{line}");
    assert!(line.contains(openrouter_workspaces::DIFF_COMMAND), "{line}");
}

#[test]
fn a_known_answer_reports_nothing() {
    let mut server = Server::new();
    let body = json!({"data": workspace_json(WORKSPACE_ID, "staging")});
    let _m = serve(&mut server, "GET", "/workspaces/staging", &body);
    let (client, found) = recording_client(&server);
    let got = client.workspaces().get("staging").send().unwrap();
    assert_workspace(&got.data, WORKSPACE_ID, "staging");
    assert!(got.data.extra.is_empty());
    assert!(found.lock().unwrap().is_empty());
}

#[test]
fn an_unlisted_interval_can_be_sent() {
    let mut server = Server::new();
    let body =
        json!({"data": budget_json(5.0, Some("quarterly")), "include_byok_in_budgets": false});
    let m = server
        .mock(
            "GET",
            path("/workspaces/staging/budgets/quarterly").as_str(),
        )
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create();
    let got = client(&server)
        .workspaces()
        .get_budget(
            "staging",
            WorkspaceBudgetInterval::Unknown("quarterly".into()),
        )
        .send()
        .unwrap();
    m.assert();
    assert_eq!(
        got.data.reset_interval,
        Some(WorkspaceBudgetResetInterval::from_wire("quarterly"))
    );
}

#[test]
fn parsing_input_still_refuses_unlisted_values() {
    assert!("quarterly".parse::<WorkspaceBudgetInterval>().is_err());
    assert_eq!(
        "monthly".parse::<WorkspaceBudgetInterval>().unwrap(),
        WorkspaceBudgetInterval::Monthly
    );
    assert_eq!(
        WorkspaceBudgetInterval::from_wire("quarterly"),
        WorkspaceBudgetInterval::Unknown("quarterly".into())
    );
    assert_eq!(
        WorkspaceBudgetInterval::from_wire("daily"),
        WorkspaceBudgetInterval::Daily
    );
}

#[test]
fn a_reset_interval_converts_into_the_interval_of_a_budget_path() {
    let interval: WorkspaceBudgetInterval = WorkspaceBudgetResetInterval::Monthly.into();
    assert_eq!(interval, WorkspaceBudgetInterval::Monthly);
    let unlisted: WorkspaceBudgetInterval =
        WorkspaceBudgetResetInterval::Unknown("quarterly".into()).into();
    assert_eq!(
        unlisted,
        WorkspaceBudgetInterval::Unknown("quarterly".into())
    );
}

#[test]
fn request_bodies_have_constructors_of_their_required_fields() {
    let body = openrouter_workspaces::types::CreateWorkspaceRequest::new("Staging", "staging");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"name": "Staging", "slug": "staging"})
    );
}

#[test]
fn the_attempt_hook_sees_each_answers_headers() {
    let mut server = Server::new();
    let body = json!({"data": workspace_json(WORKSPACE_ID, "staging")});
    let _m = server
        .mock("GET", path("/workspaces/staging").as_str())
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-ratelimit-remaining", "41")
        .with_body(body.to_string())
        .create();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let client = builder(&server)
        .on_attempt(move |attempt| {
            let remaining = attempt
                .headers
                .and_then(|h| h.get("x-ratelimit-remaining"))
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            sink.lock().unwrap().push(remaining);
        })
        .build()
        .unwrap();
    let response = client
        .workspaces()
        .get("staging")
        .send_with_response()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-ratelimit-remaining"], "41");
    assert_eq!(*seen.lock().unwrap(), [Some("41".to_string())]);
}
