//! Fault injection against the in-process emulator, driving the client's retries: for
//! every one of the twelve operations, what the caller gets, how many requests reached the
//! emulator, what the emulator's state holds afterwards, and that the call returned.
//!
//! Each case starts a fresh emulator, prepares it so that the operation would succeed,
//! queues the fault for exactly that operation's method and path, and makes the call on a
//! separate thread under a no-hang bound.
//!
//! POSTs are not re-sent once they may have been received. `create` is instead looked up
//! (`GET /workspaces/{slug}`) and re-sent only when the lookup finds nothing; each fault
//! states exactly how many creates and lookups that takes, and that the call succeeds
//! with one workspace.

mod common;

use std::time::Duration;

use common::emulator::*;
use common::*;
use openrouter_workspaces::types::WorkspaceBudgetInterval as Interval;
use openrouter_workspaces::{CallOptions, Client, ClientBuilder, Error};
use openrouter_workspaces_emulator::{Emulator, FaultKind, quick_retry_policy};

/// The prepared workspace every operation but `list` and `create` works on.
const TARGET: &str = "target";
/// The slug `create` creates.
const NEW_SLUG: &str = "fresh";
/// The member `bulk_add_members` adds, and the one `bulk_remove_members` removes.
const JOINER: &str = "user_bob";
const LEAVER: &str = "user_carol";
/// A call that must come back "at once" (no retry wait) returns within this.
const AT_ONCE: Duration = Duration::from_secs(2);

/// The twelve operations, each performed on the prepared state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    List,
    Create,
    Get,
    Update,
    Delete,
    ListBudgets,
    GetBudget,
    SetBudget,
    DeleteBudget,
    ListMembers,
    AddMembers,
    RemoveMembers,
}

const ALL: [Op; 12] = [
    Op::List,
    Op::Create,
    Op::Get,
    Op::Update,
    Op::Delete,
    Op::ListBudgets,
    Op::GetBudget,
    Op::SetBudget,
    Op::DeleteBudget,
    Op::ListMembers,
    Op::AddMembers,
    Op::RemoveMembers,
];

impl Op {
    fn method(self) -> &'static str {
        match self {
            Op::List | Op::Get | Op::ListBudgets | Op::GetBudget | Op::ListMembers => "GET",
            Op::Create | Op::AddMembers | Op::RemoveMembers => "POST",
            Op::Update => "PATCH",
            Op::SetBudget => "PUT",
            Op::Delete | Op::DeleteBudget => "DELETE",
        }
    }

    /// The path as the emulator receives it.
    fn path(self) -> String {
        let base = "/api/v1/workspaces";
        match self {
            Op::List | Op::Create => base.to_string(),
            Op::Get | Op::Update | Op::Delete => format!("{base}/{TARGET}"),
            Op::ListBudgets => format!("{base}/{TARGET}/budgets"),
            Op::GetBudget | Op::DeleteBudget => format!("{base}/{TARGET}/budgets/monthly"),
            Op::SetBudget => format!("{base}/{TARGET}/budgets/weekly"),
            Op::ListMembers => format!("{base}/{TARGET}/members"),
            Op::AddMembers => format!("{base}/{TARGET}/members/add"),
            Op::RemoveMembers => format!("{base}/{TARGET}/members/remove"),
        }
    }

    /// Performs the operation with these per-call options; a success is checked against
    /// what was asked.
    fn run(self, client: &Client, options: CallOptions) -> Result<(), Error> {
        let w = client.workspaces();
        match self {
            Op::List => w.list().options(options).send().map(|r| {
                assert!(r.data.iter().any(|ws| ws.slug == TARGET));
            }),
            Op::Create => w
                .create()
                .name("Fresh")
                .slug(NEW_SLUG)
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data.slug, NEW_SLUG)),
            Op::Get => w
                .get(TARGET)
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data.slug, TARGET)),
            Op::Update => w
                .update(TARGET)
                .name("Renamed")
                .clear_description()
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data.name, "Renamed")),
            Op::Delete => w
                .delete(TARGET)
                .options(options)
                .send()
                .map(|r| assert!(r.deleted)),
            Op::ListBudgets => w
                .list_budgets(TARGET)
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data.len(), 1)),
            Op::GetBudget => w
                .get_budget(TARGET, Interval::Monthly)
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data.limit_usd, 100.0)),
            Op::SetBudget => w
                .set_budget(TARGET, Interval::Weekly)
                .limit_usd(50.0)
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data.limit_usd, 50.0)),
            Op::DeleteBudget => w
                .delete_budget(TARGET, Interval::Monthly)
                .options(options)
                .send()
                .map(|r| assert!(r.deleted)),
            Op::ListMembers => w
                .list_members(TARGET)
                .options(options)
                .send()
                .map(|r| assert_eq!(r.total_count, 2)),
            Op::AddMembers => w
                .bulk_add_members(TARGET)
                .user_ids([JOINER])
                .options(options)
                .send()
                .map(|r| assert_eq!(r.data[0].user_id, JOINER)),
            Op::RemoveMembers => w
                .bulk_remove_members(TARGET)
                .user_ids([LEAVER])
                .options(options)
                .send()
                .map(|r| assert!(r.removed_count <= 1)),
        }
    }

    /// Whether the emulator's state shows the operation's effect; `None` for reads.
    fn applied(self, emulator: &Emulator) -> Option<bool> {
        let target = || emulator.workspaces().into_iter().find(|w| w.slug == TARGET);
        let budget = |interval: &str| {
            emulator.budgets(TARGET).into_iter().find(|b| {
                b.reset_interval.as_ref().map(|r| r.to_string()).as_deref() == Some(interval)
            })
        };
        let is_member = |user: &str| emulator.members(TARGET).iter().any(|m| m.user_id == user);
        match self {
            Op::List | Op::Get | Op::ListBudgets | Op::GetBudget | Op::ListMembers => None,
            Op::Create => Some(emulator.workspaces().iter().any(|w| w.slug == NEW_SLUG)),
            Op::Update => {
                Some(target().is_some_and(|w| w.name == "Renamed" && w.description.is_none()))
            }
            Op::Delete => Some(target().is_none()),
            Op::SetBudget => Some(budget("weekly").is_some_and(|b| b.limit_usd == 50.0)),
            Op::DeleteBudget => Some(budget("monthly").is_none()),
            Op::AddMembers => Some(is_member(JOINER)),
            Op::RemoveMembers => Some(!is_member(LEAVER)),
        }
    }
}

/// A fresh emulator prepared so that every operation would succeed, and a client with the
/// fast retry policy.
struct Fixture {
    emulator: Emulator,
    client: Client,
}

impl Fixture {
    fn new() -> Self {
        Self::with(|b| b)
    }

    /// A fixture whose client is configured further by `configure`.
    fn with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        let emulator = start();
        let client = configure(emulator.client_builder().retry_policy(quick_retry_policy()))
            .build()
            .expect("a loopback emulator client builds");
        let w = client.workspaces();
        w.create()
            .name("Target")
            .slug(TARGET)
            .description("prepared")
            .send()
            .expect("prepare the workspace");
        w.set_budget(TARGET, Interval::Monthly)
            .limit_usd(100.0)
            .send()
            .expect("prepare the monthly budget");
        w.bulk_add_members(TARGET)
            .user_ids([LEAVER])
            .send()
            .expect("prepare the member to remove");
        emulator.reset_counters();
        Fixture { emulator, client }
    }

    /// Queues `kind` for the next `times` requests of `op`, and only those.
    fn inject(&self, op: Op, kind: FaultKind, times: u32) {
        self.emulator
            .inject_times(kind, op.method(), &op.path(), times);
    }

    /// Performs `op` under the no-hang bound.
    fn call(&self, op: Op, options: CallOptions) -> (Result<(), Error>, Duration) {
        let client = self.client.clone();
        within(NO_HANG, move || op.run(&client, options))
    }

    /// The requests of `op` the emulator received since preparation.
    fn requests(&self, op: Op) -> u64 {
        self.emulator.requests_to(op.method(), &op.path())
    }

    /// Checks that `op` recovered from its fault: every op but create succeeded after
    /// `requests` requests, and create was settled after `(creates, lookups)`.
    #[track_caller]
    fn assert_recovered(
        &self,
        op: Op,
        result: Result<(), Error>,
        requests: u64,
        create: (u64, u64),
    ) {
        if op == Op::Create {
            assert_create_settled(self, result, create.0, create.1);
        } else {
            self.assert_succeeded_after(op, result, requests);
        }
    }

    /// Checks that `op` succeeded after `requests` requests of it and left its effect.
    #[track_caller]
    fn assert_succeeded_after(&self, op: Op, result: Result<(), Error>, requests: u64) {
        result.unwrap_or_else(|e| panic!("{op:?}: {e:?}"));
        assert_eq!(self.requests(op), requests, "{op:?}: requests received");
        self.assert_applied(op, true);
    }

    /// Checks that `op` failed at once after one request of it (not retried) that left no
    /// effect.
    #[track_caller]
    fn assert_failed_at_once(&self, op: Op, elapsed: Duration) {
        assert_eq!(self.requests(op), 1, "{op:?}: not retried");
        assert!(elapsed < AT_ONCE, "{op:?}: {elapsed:?}");
        self.assert_applied(op, false);
    }

    #[track_caller]
    fn assert_applied(&self, op: Op, expected: bool) {
        if let Some(applied) = op.applied(&self.emulator) {
            assert_eq!(applied, expected, "{op:?}: effect in the emulator's state");
        }
    }
}

/// A fresh fixture with `kind` queued for the next request of `op`, and the result and
/// duration of `op` called once.
fn faulted(op: Op, kind: FaultKind) -> (Fixture, Result<(), Error>, Duration) {
    faulted_with(op, kind, 1, CallOptions::new())
}

/// A fresh fixture with `kind` queued for the next `times` requests of `op`, and the
/// result and duration of `op` called once with `options`.
fn faulted_with(
    op: Op,
    kind: FaultKind,
    times: u32,
    options: CallOptions,
) -> (Fixture, Result<(), Error>, Duration) {
    let fx = Fixture::new();
    fx.inject(op, kind, times);
    let (result, elapsed) = fx.call(op, options);
    (fx, result, elapsed)
}

/// Checks a `create` that met a fault: it succeeded, after exactly `posts` creates and
/// `lookups` lookups of its slug, and left exactly one workspace with the slug.
#[track_caller]
fn assert_create_settled(fx: &Fixture, result: Result<(), Error>, posts: u64, lookups: u64) {
    assert_eq!(fx.emulator.pending_faults(), 0, "the fault was delivered");
    if let Err(error) = result {
        panic!("the create was not settled: {error:?}");
    }
    let sent = (
        fx.requests(Op::Create),
        fx.emulator
            .requests_to("GET", &format!("/api/v1/workspaces/{NEW_SLUG}")),
    );
    assert_eq!(sent, (posts, lookups), "(creates, lookups) sent");
    let copies = fx
        .emulator
        .workspaces()
        .iter()
        .filter(|w| w.slug == NEW_SLUG)
        .count();
    assert_eq!(copies, 1, "one workspace with the slug");
}

// ---------------------------------------------------------------------------------------
// Error statuses.

#[test]
fn two_503s_are_retried_by_every_op_create_after_a_lookup() {
    for op in ALL {
        let (fx, result, _) = faulted_with(op, FaultKind::status(503), 2, CallOptions::new());

        // Each 503 is looked up, found not applied, and sent again.
        fx.assert_recovered(op, result, 3, (3, 2));
    }
}

#[test]
fn retry_after_seconds_on_429_is_waited_before_the_retry() {
    let op = Op::Get;
    let (fx, result, elapsed) = faulted(op, FaultKind::status(429).retry_after("1"));

    result.unwrap();
    assert_eq!(fx.requests(op), 2);
    // The server's wait replaces the 5-20 ms backoff.
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
}

#[test]
fn retry_after_ms_on_429_is_retried_by_every_op() {
    for op in ALL {
        let (fx, result, elapsed) = faulted(op, FaultKind::status(429).retry_after_ms("10"));

        // A 429 was not handled, so even a POST is re-sent.
        fx.assert_succeeded_after(op, result, 2);
        assert!(elapsed >= Duration::from_millis(10), "{op:?}: {elapsed:?}");
    }
}

#[test]
fn retry_after_past_the_retry_bound_returns_the_429_at_once() {
    for op in ALL {
        let (fx, result, elapsed) = faulted(op, FaultKind::status(429).retry_after("3600"));

        let api = expect_api(result, 429);
        assert_eq!(api.attempts, 1, "{op:?}");
        assert_eq!(
            api.retry_after,
            Some(Duration::from_secs(3600)),
            "{op:?}: why it gave up"
        );
        fx.assert_failed_at_once(op, elapsed);
    }
}

// ---------------------------------------------------------------------------------------
// Broken connections.

/// A connection fault that leaves the state untouched: every op but create is retried and
/// succeeds (the member POSTs are repeatable); create is settled by its lookup.
fn connection_fault_is_retried(kind: FaultKind) {
    for op in ALL {
        let (fx, result, _) = faulted(op, kind.clone());

        // Looked up, found not applied, sent again.
        fx.assert_recovered(op, result, 2, (2, 1));
    }
}

#[test]
fn reset_before_the_request_is_read_is_retried() {
    connection_fault_is_retried(FaultKind::ResetBeforeRead);
}

#[test]
fn reset_after_the_request_is_read_is_retried() {
    connection_fault_is_retried(FaultKind::ResetAfterRead);
}

#[test]
fn close_without_an_answer_is_retried() {
    connection_fault_is_retried(FaultKind::CloseWithoutAnswer);
}

/// The emulator holds the first request until it stops (it then closes the connection
/// without applying it), so the retry is the only delivery: no race between the two, and
/// a timeout generous enough for a loaded machine. The twelve operations run at once.
#[test]
fn delay_past_the_per_call_timeout_is_retried() {
    let timeout = Duration::from_secs(1);
    std::thread::scope(|scope| {
        for op in ALL {
            scope.spawn(move || {
                let (fx, result, _) = faulted_with(
                    op,
                    FaultKind::Delay(Duration::from_secs(3600)),
                    1,
                    CallOptions::new().timeout(timeout),
                );
                // Timed out: looked up, found not applied, sent again.
                fx.assert_recovered(op, result, 2, (2, 1));
            });
        }
    });
}

#[test]
fn connection_refused_is_a_transport_error_that_was_certainly_not_sent() {
    let emulator = start();
    let base_url = emulator.base_url().to_string();
    let key = emulator.management_key().to_string();
    drop(emulator);
    let client = ClientBuilder::from_env_with(|_| None)
        .api_key(key)
        .base_url(base_url)
        .retry_policy(quick_retry_policy().max_attempts(3))
        .build()
        .unwrap();

    for op in ALL {
        let client = client.clone();
        let (result, _) = within(NO_HANG, move || op.run(&client, CallOptions::new()));
        match result {
            Err(Error::Transport {
                attempts,
                maybe_sent,
                ..
            }) => {
                assert!(!maybe_sent, "{op:?}");
                // Nothing can have been received, so even a POST is tried again.
                assert_eq!(attempts, 3, "{op:?}");
            }
            other => panic!("{op:?}: expected Error::Transport, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Broken success answers.

#[test]
fn truncated_success_body_is_retried() {
    for op in ALL {
        let (fx, result, _) = faulted(op, FaultKind::TruncatedBody);

        // Applied: the lookup finds it with the fields sent, and returns it.
        // Applied by the first delivery and again by the retry: still a success.
        fx.assert_recovered(op, result, 2, (1, 1));
    }
}

/// The result of an op whose first delivery was applied and whose retry was applied
/// again: a success, also for a delete whose retry finds the workspace already gone.
#[track_caller]
fn assert_committed_then_retried(op: Op, result: Result<(), Error>) {
    if let Err(error) = result {
        panic!("{op:?}: {error:?}");
    }
}

/// Checks that a 200 answer that does not fit its type is a decode error after one
/// request, with the status and the start of the body, and nothing applied.
fn undecodable_success_is_a_decode_error(kind: FaultKind, excerpt_starts: &str) {
    for op in ALL {
        let (fx, result, elapsed) = faulted(op, kind.clone());

        match result {
            Err(Error::Decode {
                status,
                body_excerpt,
                ..
            }) => {
                assert_eq!(status, 200, "{op:?}: {kind:?}");
                assert!(
                    body_excerpt.starts_with(excerpt_starts),
                    "{op:?}: {kind:?}: {body_excerpt:?}"
                );
            }
            other => panic!("{op:?}: {kind:?}: expected Error::Decode, got {other:?}"),
        }
        fx.assert_failed_at_once(op, elapsed);
    }
}

#[test]
fn malformed_json_success_is_a_decode_error() {
    undecodable_success_is_a_decode_error(
        FaultKind::MalformedJson,
        r#"{"data":[{"id":"3f6c2a9e-8b1d"#,
    );
}

#[test]
fn html_success_is_a_decode_error() {
    undecodable_success_is_a_decode_error(FaultKind::NonJsonContentType, "<!DOCTYPE html>");
}

#[test]
fn success_missing_required_fields_is_a_decode_error() {
    undecodable_success_is_a_decode_error(FaultKind::MissingFields, "{}");
}

#[test]
fn body_over_max_response_bytes_is_response_too_large() {
    let limit = 64 * 1024;
    for op in ALL {
        let fx = Fixture::with(|b| b.max_response_bytes(limit));
        fx.inject(op, FaultKind::OversizedBody(256 * 1024), 1);

        let (result, elapsed) = fx.call(op, CallOptions::new());

        match result {
            Err(Error::ResponseTooLarge {
                limit: reported, ..
            }) => {
                assert_eq!(reported, limit, "{op:?}")
            }
            other => panic!("{op:?}: expected Error::ResponseTooLarge, got {other:?}"),
        }
        fx.assert_failed_at_once(op, elapsed);
    }
}

// ---------------------------------------------------------------------------------------
// Ambiguous writes: applied, then answered with an error or not at all.

#[test]
fn ambiguous_repeatable_writes_are_retried_and_leave_the_state_of_one_delivery() {
    let kinds = [FaultKind::CommitThenStatus(500), FaultKind::CommitThenClose];
    for kind in kinds {
        for op in [
            Op::SetBudget,
            Op::Update,
            Op::DeleteBudget,
            Op::Delete,
            Op::AddMembers,
            Op::RemoveMembers,
        ] {
            let fx = Fixture::new();
            let before = fx.emulator.workspaces();
            fx.inject(op, kind.clone(), 1);

            let (result, _) = fx.call(op, CallOptions::new());

            assert_eq!(fx.requests(op), 2, "{op:?}: {kind:?}");
            assert_committed_then_retried(op, result);
            let e = &fx.emulator;
            match op {
                Op::SetBudget => {
                    let budgets = e.budgets(TARGET);
                    assert_eq!(budgets.len(), 2, "{kind:?}: monthly and one weekly");
                    assert_eq!(budgets[0].limit_usd, 50.0);
                    assert_eq!(budgets[1].limit_usd, 100.0);
                }
                Op::Update => {
                    let after = e.workspaces();
                    assert_eq!(after.len(), before.len());
                    assert_eq!(after[1].id, before[1].id);
                    assert_eq!(after[1].name, "Renamed", "{kind:?}");
                    assert_eq!(after[1].description, None, "{kind:?}");
                }
                Op::DeleteBudget => assert!(e.budgets(TARGET).is_empty(), "{kind:?}"),
                Op::AddMembers => {
                    fx.assert_applied(op, true);
                    let joined = e
                        .members(TARGET)
                        .iter()
                        .filter(|m| m.user_id == JOINER)
                        .count();
                    assert_eq!(joined, 1, "{kind:?}: one membership, not two");
                }
                Op::RemoveMembers => fx.assert_applied(op, true),
                _ => assert_eq!(e.workspaces(), before[..1], "{kind:?}: only the default"),
            }
        }
    }
}

#[test]
fn create_answered_500_after_it_was_applied_leaves_exactly_one_workspace() {
    let (fx, result, _) = faulted(Op::Create, FaultKind::CommitThenStatus(500));

    // The lookup finds what the one delivery made, and returns it.
    assert_create_settled(&fx, result, 1, 1);
}

#[test]
fn create_closed_without_answer_after_it_was_applied_leaves_exactly_one_workspace() {
    let (fx, result, _) = faulted(Op::Create, FaultKind::CommitThenClose);

    assert_create_settled(&fx, result, 1, 1);
}

#[test]
fn create_answered_503_with_retry_after_past_the_bound_is_not_resent() {
    let (fx, result, elapsed) = faulted(Op::Create, FaultKind::status(503).retry_after("3600"));

    // As for every other operation: the server's wait passes the retry bound, so the
    // answer is returned at once, with the wait, and nothing is sent again.
    let api = expect_api(result, 503);
    assert_eq!(api.retry_after, Some(Duration::from_secs(3600)));
    assert_eq!(fx.requests(Op::Create), 1);
    assert!(elapsed < AT_ONCE, "{elapsed:?}");
    assert!(fx.emulator.workspaces().iter().all(|w| w.slug != NEW_SLUG));
}
