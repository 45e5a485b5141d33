//! A create that fails after it may have reached the server is settled by looking the
//! workspace up by its slug: never two workspaces, never a lost one.

use std::time::Duration;

use openrouter_workspaces::{Client, ClientBuilder, Error, RetryPolicy};
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};

const CREATE_PATH: &str = "/api/v1/workspaces";

fn client(emulator: &Emulator) -> Client {
    ClientBuilder::from_env_with(|_| None)
        .api_key(emulator.management_key())
        .base_url(emulator.base_url())
        .retry_policy(
            RetryPolicy::default()
                .initial_interval(Duration::from_millis(5))
                .max_interval(Duration::from_millis(20))
                .max_elapsed(Duration::from_secs(5)),
        )
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
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

#[test]
fn create_committed_then_500_returns_the_workspace_once() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::CommitThenStatus(500))
            .method("POST")
            .path(CREATE_PATH),
    );
    let slug = create(&client(&emulator), "team-a").expect("reconciled");
    assert_eq!(slug, "team-a");
    assert_eq!(with_slug(&emulator, "team-a"), 1);
    assert_eq!(
        emulator.requests_to("POST", CREATE_PATH),
        1,
        "never sent twice"
    );
    assert_eq!(
        emulator.requests_to("GET", "/api/v1/workspaces/team-a"),
        1,
        "one lookup"
    );
}

#[test]
fn create_committed_then_connection_closed_returns_the_workspace_once() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::CommitThenClose)
            .method("POST")
            .path(CREATE_PATH),
    );
    let slug = create(&client(&emulator), "team-b").expect("reconciled");
    assert_eq!(slug, "team-b");
    assert_eq!(with_slug(&emulator, "team-b"), 1);
    assert_eq!(emulator.requests_to("POST", CREATE_PATH), 1);
}

#[test]
fn create_lost_before_it_was_applied_is_sent_again_after_the_lookup() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::ResetAfterRead)
            .method("POST")
            .path(CREATE_PATH),
    );
    let slug = create(&client(&emulator), "team-c").expect("created on the second attempt");
    assert_eq!(slug, "team-c");
    assert_eq!(with_slug(&emulator, "team-c"), 1);
    assert_eq!(emulator.requests_to("POST", CREATE_PATH), 2);
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces/team-c"), 1);
}

#[test]
fn create_500_without_commit_is_sent_again_after_the_lookup() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::status(500))
            .method("POST")
            .path(CREATE_PATH),
    );
    let slug = create(&client(&emulator), "team-d").expect("created");
    assert_eq!(slug, "team-d");
    assert_eq!(with_slug(&emulator, "team-d"), 1);
    assert_eq!(emulator.requests_to("POST", CREATE_PATH), 2);
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
    emulator.inject(
        Fault::new(FaultKind::status(500))
            .method("POST")
            .path(CREATE_PATH),
    );
    let error = create(&client, "team-e").unwrap_err();
    assert_eq!(error.status(), Some(500), "{error}");
    assert_eq!(with_slug(&emulator, "team-e"), 1);
    assert_eq!(
        emulator.requests_to("POST", CREATE_PATH),
        2,
        "one setup create, one failed create"
    );
}

#[test]
fn a_failed_lookup_reports_an_unknown_outcome() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::CommitThenStatus(500))
            .method("POST")
            .path(CREATE_PATH),
    );
    // Every lookup fails: the policy looks again until its bound, then gives up.
    emulator.inject(
        Fault::new(FaultKind::status(503))
            .method("GET")
            .path("/api/v1/workspaces/team-f")
            .times(10_000),
    );
    let error = create(&client(&emulator), "team-f").unwrap_err();
    match &error {
        Error::OutcomeUnknown {
            operation, detail, ..
        } => {
            assert_eq!(*operation, "createWorkspace");
            assert!(
                detail.contains("GET /workspaces/team-f answered HTTP 503"),
                "{detail}"
            );
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert!(
        error.to_string().contains("the outcome is unknown"),
        "{error}"
    );
    assert_eq!(with_slug(&emulator, "team-f"), 1, "the create did happen");
    assert_eq!(
        emulator.requests_to("POST", CREATE_PATH),
        1,
        "and was not repeated"
    );
}

#[test]
fn a_lookup_that_fails_once_is_tried_again_within_the_policy() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::CommitThenStatus(500))
            .method("POST")
            .path(CREATE_PATH),
    );
    emulator.inject(
        Fault::new(FaultKind::status(503))
            .method("GET")
            .path("/api/v1/workspaces/team-h"),
    );
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
    emulator.inject(
        Fault::new(FaultKind::CommitThenStatus(500))
            .method("DELETE")
            .path(path),
    );
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
    let error = client(&emulator)
        .workspaces()
        .delete("never-was")
        .send()
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
}

/// The create is applied, but the lookup runs before it shows (the emulator answers that
/// lookup 404); the re-send is then refused because the slug is in use. A second lookup
/// finds the workspace the first attempt made: success, and still one workspace.
#[test]
fn create_applied_after_the_lookup_is_found_by_a_second_lookup() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(
        Fault::new(FaultKind::CommitThenStatus(500))
            .method("POST")
            .path(CREATE_PATH),
    );
    emulator.inject(
        Fault::new(FaultKind::respond(
            404,
            r#"{"error":{"code":404,"message":"workspace not found: team-race"}}"#,
        ))
        .method("GET")
        .path("/workspaces/team-race"),
    );
    let slug = create(&client(&emulator), "team-race").expect("settled by the second lookup");
    assert_eq!(slug, "team-race");
    assert_eq!(with_slug(&emulator, "team-race"), 1, "no duplicate");
    assert_eq!(
        emulator.requests_to("POST", CREATE_PATH),
        2,
        "the first attempt, and the re-send refused with 400"
    );
    assert_eq!(
        emulator.requests_to("GET", "/api/v1/workspaces/team-race"),
        2,
        "the lookup that missed it, and the one that found it"
    );
    assert_eq!(emulator.pending_faults(), 0);
}
