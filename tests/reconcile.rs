//! A create that fails after it may have reached the server is settled by looking the
//! workspace up by its slug: never two workspaces, never a lost one.

mod common;

use std::time::Duration;

use common::emulator::client_with;
use common::expect_api;
use openrouter_workspaces::{Client, Error};
use openrouter_workspaces_emulator::{Emulator, FaultKind, quick_retry_policy};

const CREATE_PATH: &str = "/api/v1/workspaces";

fn client(emulator: &Emulator) -> Client {
    client_with(emulator, quick_retry_policy(), Duration::from_secs(5))
}

fn with_slug(emulator: &Emulator, slug: &str) -> usize {
    emulator
        .workspaces()
        .iter()
        .filter(|w| w.slug == slug)
        .count()
}

fn create(client: &Client, slug: &str) -> Result<String, Error> {
    client
        .workspaces()
        .create()
        .name("Team A")
        .slug(slug)
        .description("ledger")
        .send()
        .map(|created| created.data.slug)
}

/// Checks that `copies` workspaces hold `slug` and that the emulator received `posts`
/// creates, `why`.
#[track_caller]
fn assert_copies_and_posts(emulator: &Emulator, slug: &str, copies: usize, posts: u64, why: &str) {
    assert_eq!(
        with_slug(emulator, slug),
        copies,
        "workspaces with {slug}: {why}"
    );
    assert_eq!(
        emulator.requests_to("POST", CREATE_PATH),
        posts,
        "creates sent: {why}"
    );
}

/// Queues `kind` for the next create.
fn fail_create(emulator: &Emulator, kind: FaultKind) {
    emulator.inject_times(kind, "POST", CREATE_PATH, 1);
}

/// An emulator whose next create is applied but answered 500, and whose next `lookups`
/// lookups of `slug` are answered 503.
fn applied_create_then_failed_lookups(slug: &str, lookups: u32) -> Emulator {
    let emulator = Emulator::start().unwrap();
    fail_create(&emulator, FaultKind::CommitThenStatus(500));
    let lookup = format!("{CREATE_PATH}/{slug}");
    emulator.inject_times(FaultKind::status(503), "GET", &lookup, lookups);
    emulator
}

/// Creates `slug` through a create that meets `kind` first: checks that it succeeds with
/// one workspace, after `posts` POSTs and one lookup.
#[track_caller]
fn assert_create_settles(kind: FaultKind, slug: &str, posts: u64) {
    let emulator = Emulator::start().unwrap();
    fail_create(&emulator, kind.clone());

    let created = create(&client(&emulator), slug);

    assert_eq!(created.expect("settled"), slug, "{kind:?}");
    assert_copies_and_posts(&emulator, slug, 1, posts, &format!("{kind:?}"));
    let lookup = format!("{CREATE_PATH}/{slug}");
    assert_eq!(
        emulator.requests_to("GET", &lookup),
        1,
        "{kind:?}: one lookup"
    );
}

#[test]
fn create_committed_then_500_returns_the_workspace_once() {
    // Never sent twice.
    assert_create_settles(FaultKind::CommitThenStatus(500), "team-a", 1);
}

#[test]
fn create_committed_then_connection_closed_returns_the_workspace_once() {
    assert_create_settles(FaultKind::CommitThenClose, "team-b", 1);
}

#[test]
fn create_lost_before_it_was_applied_is_sent_again_after_the_lookup() {
    assert_create_settles(FaultKind::ResetAfterRead, "team-c", 2);
}

#[test]
fn create_500_without_commit_is_sent_again_after_the_lookup() {
    assert_create_settles(FaultKind::status(500), "team-d", 2);
}

#[test]
fn slug_held_by_another_workspace_keeps_the_original_error() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    client
        .workspaces()
        .create()
        .name("Someone else")
        .slug("team-e")
        .send()
        .unwrap();
    fail_create(&emulator, FaultKind::status(500));
    let error = create(&client, "team-e").unwrap_err();
    assert_eq!(error.status(), Some(500), "{error}");
    let why = "one setup create, one failed create";
    assert_copies_and_posts(&emulator, "team-e", 1, 2, why);
}

/// A client whose policy gives up after `attempts` attempts (and as many lookups): a bound
/// that does not depend on how fast the machine is, unlike the time bound, which can also
/// cut the last lookup short.
fn client_with_attempts(emulator: &Emulator, attempts: u32) -> Client {
    let policy = quick_retry_policy().max_attempts(attempts);
    client_with(emulator, policy, Duration::from_secs(5))
}

#[test]
fn a_failed_lookup_reports_an_unknown_outcome() {
    // Every lookup fails: the policy looks again until its bound, then gives up.
    let emulator = applied_create_then_failed_lookups("team-f", 10_000);
    let error = create(&client_with_attempts(&emulator, 4), "team-f").unwrap_err();
    assert_eq!(
        emulator.requests_to("GET", &format!("{CREATE_PATH}/team-f")),
        4,
        "looked up as often as the policy allows"
    );
    match &error {
        Error::OutcomeUnknown {
            operation, detail, ..
        } => {
            assert_eq!(operation.id, "createWorkspace");
            assert!(
                detail.contains("GET /workspaces/team-f answered HTTP 503"),
                "{detail}"
            );
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    // The operation is named once, by the outer error; the create's own 500 closes it.
    let said = common::chain(&error);
    assert!(
        said.starts_with(
            "workspaces().create (createWorkspace): the outcome is unknown: the server may \
             have applied it, and GET /workspaces/team-f answered HTTP 503;"
        ),
        "{said}"
    );
    assert!(
        said.contains("; the write: HTTP 500: injected fault: "),
        "{said}"
    );
    assert_eq!(said.matches("createWorkspace").count(), 1, "{said}");
    let why = "the create did happen, and was not repeated";
    assert_copies_and_posts(&emulator, "team-f", 1, 1, why);
}

#[test]
fn a_lost_create_whose_lookups_are_refused_says_each_failure_once() {
    let emulator = Emulator::start().unwrap();
    fail_create(&emulator, FaultKind::CommitThenClose);
    let lookup = format!("{CREATE_PATH}/team-k");
    emulator.inject_times(FaultKind::ResetBeforeRead, "GET", &lookup, 10_000);

    let error = create(&client_with_attempts(&emulator, 3), "team-k").unwrap_err();

    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    let said = common::chain(&error);
    assert_eq!(said.matches("createWorkspace").count(), 1, "{said}");
    assert_eq!(said.matches("workspaces().create").count(), 1, "{said}");
    assert!(said.contains("GET /workspaces/team-k failed ("), "{said}");
    assert!(
        said.contains("; the write: no answer, and the request may have reached the server"),
        "{said}"
    );
    assert_copies_and_posts(&emulator, "team-k", 1, 1, "created once, never re-sent");
}

#[test]
fn a_lookup_that_fails_once_is_tried_again_within_the_policy() {
    let emulator = applied_create_then_failed_lookups("team-h", 1);
    let slug = create(&client(&emulator), "team-h").expect("settled by the second lookup");
    assert_eq!(slug, "team-h");
    assert_eq!(with_slug(&emulator, "team-h"), 1);
    assert_eq!(emulator.requests_to("POST", CREATE_PATH), 1);
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces/team-h"), 2);
}

#[test]
fn delete_whose_applied_first_attempt_was_lost_reports_deleted() {
    let emulator = Emulator::start().unwrap();
    let client = client(&emulator);
    create(&client, "team-g").unwrap();
    let path = "/api/v1/workspaces/team-g";
    emulator.inject_times(FaultKind::CommitThenStatus(500), "DELETE", path, 1);
    let deleted = client
        .workspaces()
        .delete("team-g")
        .send()
        .expect("deleted");
    assert!(deleted.deleted);
    assert_eq!(with_slug(&emulator, "team-g"), 0);
    assert_eq!(
        emulator.requests_to("DELETE", path),
        2,
        "the retry found it gone"
    );
}

#[test]
fn delete_of_a_missing_workspace_is_still_404() {
    let emulator = Emulator::start().unwrap();
    let deleted = client(&emulator).workspaces().delete("never-was").send();
    expect_api(deleted, 404);
}

/// The create is applied, but the lookup runs before it shows (the emulator answers that
/// lookup 404); the re-send is then refused because the slug is in use. A second lookup
/// finds the workspace the first attempt made: success, and still one workspace.
#[test]
fn create_applied_after_the_lookup_is_found_by_a_second_lookup() {
    let emulator = Emulator::start().unwrap();
    fail_create(&emulator, FaultKind::CommitThenStatus(500));
    let not_found = r#"{"error":{"code":404,"message":"workspace not found: team-race"}}"#;
    let lookup = "/workspaces/team-race";
    emulator.inject_times(FaultKind::respond(404, not_found), "GET", lookup, 1);
    let slug = create(&client(&emulator), "team-race").expect("settled by the second lookup");
    assert_eq!(slug, "team-race");
    let why = "no duplicate: the first attempt, and the re-send refused with 400";
    assert_copies_and_posts(&emulator, "team-race", 1, 2, why);
    assert_eq!(
        emulator.requests_to("GET", "/api/v1/workspaces/team-race"),
        2,
        "the lookup that missed it, and the one that found it"
    );
    assert_eq!(emulator.pending_faults(), 0);
}

#[test]
fn the_attempt_hook_sees_every_request_a_settled_create_sent() {
    let emulator = Emulator::start().unwrap();
    emulator.inject_times(FaultKind::CommitThenStatus(500), "POST", CREATE_PATH, 1);
    emulator.inject_times(
        FaultKind::status(500),
        "GET",
        "/api/v1/workspaces/team-k",
        1,
    );
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = emulator
        .client_builder()
        .retry_policy(quick_retry_policy())
        .on_attempt(move |a| {
            let status = match a.outcome {
                openrouter_workspaces::AttemptOutcome::Status(s) => s,
                _ => 0,
            };
            sink.lock()
                .unwrap()
                .push((a.kind, a.method, a.number, status, a.next_delay.is_some()));
        })
        .build()
        .unwrap();

    let slug = create(&client, "team-k").expect("settled by the second lookup");

    assert_eq!(slug, "team-k");
    assert_eq!(with_slug(&emulator, "team-k"), 1, "one workspace");
    use openrouter_workspaces::AttemptKind::{Lookup, Request};
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (Request, "POST", 1, 500, false),
            (Lookup, "GET", 1, 500, true),
            (Lookup, "GET", 2, 200, false),
        ],
        "one line per request the server received"
    );
    let received = emulator.requests_to("POST", CREATE_PATH)
        + emulator.requests_to("GET", "/api/v1/workspaces/team-k");
    assert_eq!(received, 3);
}
