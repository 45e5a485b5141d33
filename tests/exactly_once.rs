//! Writes whose first answer is lost: the rename settled at its new address, the counts of
//! a re-sent bulk member operation marked, the budget delete found done. Each test checks
//! the answer, the emulator's state and the requests it received.

mod common;

use std::time::{Duration, Instant};

use common::emulator::client_with;
use openrouter_workspaces::types::{
    BulkAddWorkspaceMembersResponse, UpdateWorkspaceResponse, WorkspaceBudgetInterval as Interval,
};
use openrouter_workspaces::{Client, Error, Response};
use openrouter_workspaces_emulator::{Emulator, FaultKind, quick_retry_policy};

const OLD: &str = "team-old";
const NEW: &str = "team-new";
const OLD_PATH: &str = "/api/v1/workspaces/team-old";
const NEW_PATH: &str = "/api/v1/workspaces/team-new";
const ADD_PATH: &str = "/api/v1/workspaces/team-old/members/add";
/// The retry policy's total bound in these tests.
const BOUND: Duration = Duration::from_secs(2);

fn client(emulator: &Emulator) -> Client {
    let policy = quick_retry_policy().max_elapsed(BOUND);
    client_with(emulator, policy, Duration::from_secs(2))
}

/// An emulator with the workspace `team-old`, and a client for it; counters reset.
fn with_workspace() -> (Emulator, Client) {
    let emulator = Emulator::start().expect("emulator");
    let client = client(&emulator);
    client
        .workspaces()
        .create()
        .name("Old")
        .slug(OLD)
        .description("before")
        .send()
        .expect("prepare the workspace");
    emulator.reset_counters();
    (emulator, client)
}

fn slugs(emulator: &Emulator) -> Vec<String> {
    emulator.workspaces().into_iter().map(|w| w.slug).collect()
}

fn lose_the_patch_answer(emulator: &Emulator, kind: FaultKind) {
    emulator.inject_times(kind, "PATCH", OLD_PATH, 1);
}

fn rename(client: &Client) -> Result<Response<UpdateWorkspaceResponse>, Error> {
    client
        .workspaces()
        .update(OLD)
        .slug(NEW)
        .name("New")
        .clear_description()
        .send_with_response()
}

#[test]
fn rename_whose_answer_was_lost_returns_the_workspace_at_the_new_slug() {
    for kind in [FaultKind::CommitThenClose, FaultKind::CommitThenStatus(500)] {
        let (emulator, client) = with_workspace();
        lose_the_patch_answer(&emulator, kind.clone());

        let renamed = rename(&client).unwrap_or_else(|e| panic!("{kind:?}: {e}"));

        assert_eq!(renamed.data.slug, NEW, "{kind:?}");
        assert_eq!(renamed.data.name, "New");
        assert_eq!(renamed.data.description, None);
        assert!(renamed.earlier_attempt_may_have_applied());
        assert_eq!(
            slugs(&emulator),
            ["default", NEW],
            "{kind:?}: none at the old slug"
        );
        assert_eq!(
            emulator.requests_to("PATCH", OLD_PATH),
            2,
            "the lost one and the retry that found nothing"
        );
        assert_eq!(emulator.requests_to("GET", NEW_PATH), 1, "one lookup");
    }
}

#[test]
fn rename_settled_when_the_lookup_at_the_new_slug_fails_once() {
    let (emulator, client) = with_workspace();
    lose_the_patch_answer(&emulator, FaultKind::CommitThenClose);
    emulator.inject_times(FaultKind::status(503), "GET", NEW_PATH, 1);

    let renamed = rename(&client).expect("settled by the second lookup");

    assert_eq!(renamed.data.slug, NEW);
    assert_eq!(slugs(&emulator), ["default", NEW]);
    assert_eq!(emulator.requests_to("GET", NEW_PATH), 2);
    assert_eq!(emulator.pending_faults(), 0);
}

#[test]
fn rename_whose_lookup_always_fails_is_an_unknown_outcome_naming_the_new_slug() {
    let (emulator, client) = with_workspace();
    lose_the_patch_answer(&emulator, FaultKind::CommitThenClose);
    emulator.inject_times(FaultKind::status(503), "GET", NEW_PATH, 10_000);

    let started = Instant::now();
    let error = rename(&client).unwrap_err();
    let elapsed = started.elapsed();

    match &error {
        Error::OutcomeUnknown {
            operation,
            detail,
            cause,
            ..
        } => {
            assert_eq!(operation.id, "updateWorkspace");
            assert!(detail.contains("/workspaces/team-new"), "{detail}");
            assert_eq!(cause.status(), Some(404), "the retry's answer: {cause}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert!(error.to_string().contains(NEW), "{error}");
    assert!(
        emulator.requests_to("GET", NEW_PATH) > 1,
        "looked up again within the policy"
    );
    assert!(elapsed < BOUND + Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(slugs(&emulator), ["default", NEW], "the rename did happen");
    assert_eq!(
        emulator.requests_to("PATCH", OLD_PATH),
        2,
        "and was not repeated"
    );
}

#[test]
fn rename_whose_new_slug_holds_other_fields_is_an_unknown_outcome() {
    let (emulator, client) = with_workspace();
    lose_the_patch_answer(&emulator, FaultKind::CommitThenClose);
    // Someone changed the name after the rename, before the lookup.
    let id = emulator.workspaces()[1].id.clone();
    let changed = format!(
        r#"{{"data":{{"id":"{id}","slug":"{NEW}","name":"Someone else's","description":null}}}}"#
    );
    emulator.inject_times(FaultKind::respond(200, changed), "GET", NEW_PATH, 1);

    let error = rename(&client).unwrap_err();

    match &error {
        Error::OutcomeUnknown { detail, .. } => {
            assert!(detail.contains("/workspaces/team-new"), "{detail}");
            assert!(detail.contains("other than those sent"), "{detail}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

#[test]
fn rename_found_at_neither_slug_is_an_unknown_outcome() {
    let (emulator, client) = with_workspace();
    lose_the_patch_answer(&emulator, FaultKind::CommitThenClose);
    let not_found = r#"{"error":{"code":404,"message":"workspace not found: team-new"}}"#;
    emulator.inject_times(FaultKind::respond(404, not_found), "GET", NEW_PATH, 1);

    let error = rename(&client).unwrap_err();

    match &error {
        Error::OutcomeUnknown { detail, .. } => {
            assert!(detail.contains("neither address"), "{detail}");
            assert!(detail.contains(NEW), "{detail}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

#[test]
fn rename_by_id_whose_answer_was_lost_is_simply_retried() {
    let (emulator, client) = with_workspace();
    let id = emulator.workspaces()[1].id.clone();
    let path = format!("/api/v1/workspaces/{id}");
    emulator.inject_times(FaultKind::CommitThenClose, "PATCH", &path, 1);

    let renamed = client
        .workspaces()
        .update(&id)
        .slug(NEW)
        .send()
        .expect("the id still addresses it");

    assert_eq!(renamed.data.slug, NEW);
    assert_eq!(emulator.requests_to("PATCH", &path), 2);
    assert_eq!(emulator.requests_to("GET", NEW_PATH), 0, "no lookup needed");
}

#[test]
fn update_without_a_new_slug_keeps_a_404() {
    let (_emulator, client) = with_workspace();
    let error = client
        .workspaces()
        .update("never-was")
        .name("X")
        .send()
        .unwrap_err();
    assert_eq!(error.status(), Some(404), "{error}");
}

/// Adds `users` to `team-old`, with the answer's metadata.
fn add(
    client: &Client,
    users: &[&str],
) -> Result<Response<BulkAddWorkspaceMembersResponse>, Error> {
    client
        .workspaces()
        .bulk_add_members(OLD)
        .user_ids(users.iter().copied())
        .send_with_response()
}

#[test]
fn bulk_counts_after_a_lost_answer_are_marked_as_the_retry_alone() {
    let (emulator, client) = with_workspace();
    emulator.inject_times(FaultKind::CommitThenClose, "POST", ADD_PATH, 1);

    let added = add(&client, &["user_bob", "user_carol"]).expect("repeatable");

    assert!(added.earlier_attempt_may_have_applied());
    assert_eq!(
        added.added_count, 0,
        "the retry added nothing: the first did"
    );
    assert_eq!(added.data.len(), 2, "the members are listed either way");
    let members: Vec<String> = emulator
        .members(OLD)
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    assert_eq!(members, ["user_alice", "user_bob", "user_carol"]);
    assert_eq!(emulator.requests_to("POST", ADD_PATH), 2);

    let remove_path = "/api/v1/workspaces/team-old/members/remove";
    emulator.inject_times(FaultKind::CommitThenStatus(502), "POST", remove_path, 1);
    let removed = client
        .workspaces()
        .bulk_remove_members(OLD)
        .user_ids(["user_bob"])
        .send_with_response()
        .expect("repeatable");
    assert!(removed.earlier_attempt_may_have_applied());
    assert_eq!(
        removed.removed_count, 0,
        "the retry removed nothing: the first did"
    );
    assert!(
        emulator
            .members(OLD)
            .iter()
            .all(|m| m.user_id != "user_bob")
    );
}

#[test]
fn bulk_counts_without_an_applied_earlier_attempt_are_the_call_s_effect_unmarked() {
    for (case, fault) in [
        ("without a retry", None),
        // A 429 was refused before being handled: nothing can have been applied.
        (
            "after a retry of an unapplied attempt",
            Some(FaultKind::status(429).retry_after_ms("1")),
        ),
    ] {
        let (emulator, client) = with_workspace();
        if let Some(kind) = fault {
            emulator.inject_times(kind, "POST", ADD_PATH, 1);
        }
        let added = add(&client, &["user_bob"]).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(!added.earlier_attempt_may_have_applied(), "{case}");
        assert_eq!(added.added_count, 1, "{case}");
    }
}

#[test]
fn budget_delete_whose_answer_was_lost_reports_deleted() {
    let (emulator, client) = with_workspace();
    client
        .workspaces()
        .set_budget(OLD, Interval::Monthly)
        .limit_usd(100.0)
        .send()
        .unwrap();
    let path = "/api/v1/workspaces/team-old/budgets/monthly";
    emulator.inject_times(FaultKind::CommitThenClose, "DELETE", path, 1);

    let deleted = client
        .workspaces()
        .delete_budget(OLD, Interval::Monthly)
        .send_with_response()
        .expect("the retry found it gone");

    assert!(deleted.deleted);
    assert!(deleted.earlier_attempt_may_have_applied());
    assert!(emulator.budgets(OLD).is_empty());
    assert_eq!(emulator.requests_to("DELETE", path), 2);

    // Without an earlier attempt that may have been applied, a missing budget is a 404.
    let error = client
        .workspaces()
        .delete_budget(OLD, Interval::Monthly)
        .send()
        .unwrap_err();
    assert_eq!(error.status(), Some(404), "{error}");
}
