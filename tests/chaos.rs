//! A model-based chaos test: several threads send random sequences of all twelve
//! operations through one client to the in-process emulator, while a fault source keeps one
//! random fault (every `FaultKind`) pending for whichever request comes next.
//!
//! Each thread owns some workspaces (slugs `t{thread}-...`), which it alone touches, and
//! every thread also works on the shared workspaces `shared-0` and `shared-1`.
//!
//! - Own workspaces have an exact model. After every call the emulator's state of the
//!   workspace is read directly (not through the client): a success must match the model
//!   and the answer; a 4xx must be the one the model predicts, with nothing changed; any
//!   other error (`OutcomeUnknown`, a transport error, a timeout, an undecodable answer,
//!   a 5xx after the bound) is resolved by that reading, which must show the state before
//!   the call or the state after it, once.
//! - Shared workspaces get the linearisability check of a register per field (name,
//!   description, each budget, each member): the final value must be written by a call
//!   that no successful write to the field strictly followed, or be the initial value when
//!   no write to the field succeeded. So every successful write is visible unless a later
//!   one overrode it, and no value appears that no call wrote.
//! - At the end the whole state equals the models: the workspaces, their budgets and
//!   members, no duplicate slug or membership, nothing that no call made.
//! - No call takes longer than the retry bound plus a generous margin (a no-hang check).
//!
//! A fault delayed past the client's timeout may be applied by the emulator after the
//! client gave up on that attempt. The test allows for it the way a careful caller would:
//! after a call that saw a timeout it waits out the longest injected delay before reading
//! (own workspaces), and extends the call's interval by that delay (shared ones).
//!
//! The operations are a function of the seed; which request draws which fault depends on
//! timing and is not. `cargo test --test chaos` runs a few seeds (the CI budget);
//! `CHAOS_SOAK=SECONDS` runs fresh seeds for that long, `CHAOS_SEED=N` one seed, and
//! `CHAOS_OPS=N` sets the calls per thread. Every run prints its figures.

mod common;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use openrouter_workspaces::types::{WorkspaceBudget, WorkspaceBudgetInterval as Interval};
use openrouter_workspaces::{AttemptOutcome, Client, Error, Response};
use openrouter_workspaces_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, quick_retry_policy,
};

const THREADS: u64 = 4;
const OPS_PER_THREAD: usize = 120;
const CI_SEEDS: [u64; 3] = [1, 2, 3];
/// The client's per-attempt timeout.
const TIMEOUT: Duration = Duration::from_millis(150);
/// The retry policy's total bound.
const MAX_ELAPSED: Duration = Duration::from_secs(1);
/// The longest injected delay (some are past the timeout).
const MAX_DELAY: Duration = Duration::from_millis(350);
/// The client refuses answers over this size; the oversized fault sends twice as much.
const MAX_BODY: u64 = 64 * 1024;
/// The longest a call may take: the retry bound, the last attempt and a lookup after it,
/// a delay, and a generous margin for a loaded machine. A no-hang check.
const CALL_BOUND: Duration = Duration::from_secs(6);
/// Own workspaces a thread keeps at most (a list page holds them all).
const MAX_OWN: usize = 5;

const USERS: [&str; 8] = [
    "user_alice",
    "user_bob",
    "user_carol",
    "user_dave",
    "user_erin",
    "user_frank",
    "user_grace",
    "user_heidi",
];
/// The creator of every workspace and so its first member.
const CREATOR: &str = "user_alice";
const SHARED: [&str; 2] = ["shared-0", "shared-1"];
const INTERVALS: [Interval; 4] = [
    Interval::Daily,
    Interval::Weekly,
    Interval::Monthly,
    Interval::Lifetime,
];
const LIMITS: [f64; 6] = [10.0, 20.0, 50.0, 100.0, 200.0, 500.0];

thread_local! {
    /// Whether an attempt of the calling thread timed out since it was last cleared.
    static TIMED_OUT: Cell<bool> = const { Cell::new(false) };
}

// ---------------------------------------------------------------------------------------
// The model.

/// A workspace as the model sees it.
#[derive(Clone, Debug, PartialEq)]
struct Ws {
    id: String,
    slug: String,
    name: String,
    description: Option<String>,
    /// Daily, weekly, monthly, lifetime.
    budgets: [Option<f64>; 4],
    members: BTreeSet<String>,
}

impl Ws {
    /// Whether a limit for interval `i` keeps the budgets ordered (narrower is smaller).
    fn budget_fits(&self, i: usize, limit: f64) -> bool {
        self.budgets
            .iter()
            .enumerate()
            .all(|(s, other)| match other {
                Some(l) if s < i => *l < limit,
                Some(l) if s > i => limit < *l,
                _ => true,
            })
    }

    /// What a budget write predicts: when `allowed`, success leaving this state with the
    /// budget of interval `i` at `budget`; otherwise the error status `refused`.
    fn budget_write(&self, i: usize, budget: Option<f64>, allowed: bool, refused: u16) -> Expect {
        if !allowed {
            return Expect::Status(refused);
        }
        let mut post = self.clone();
        post.budgets[i] = budget;
        Expect::Ok(Some(post))
    }
}

fn interval_index(budget: &WorkspaceBudget) -> usize {
    match budget
        .reset_interval
        .as_ref()
        .map(|r| r.to_string())
        .as_deref()
    {
        Some("daily") => 0,
        Some("weekly") => 1,
        Some("monthly") => 2,
        None => 3,
        Some(other) => panic!("unexpected reset interval {other}"),
    }
}

fn budgets_of(list: &[WorkspaceBudget]) -> [Option<f64>; 4] {
    let mut budgets = [None; 4];
    for b in list {
        budgets[interval_index(b)] = Some(b.limit_usd);
    }
    budgets
}

/// The emulator's state of the workspace with this id (or, with `by_slug`, this slug).
fn read(emulator: &Emulator, key: &str, by_slug: bool) -> Option<Ws> {
    let w = emulator
        .workspaces()
        .into_iter()
        .find(|w| if by_slug { w.slug == key } else { w.id == key })?;
    let members: Vec<String> = emulator
        .members(&w.id)
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let set: BTreeSet<String> = members.iter().cloned().collect();
    assert_eq!(
        set.len(),
        members.len(),
        "duplicate membership in {}",
        w.slug
    );
    Some(Ws {
        budgets: budgets_of(&emulator.budgets(&w.id)),
        id: w.id,
        slug: w.slug,
        name: w.name,
        description: w.description,
        members: set,
    })
}

/// What the model predicts of a call.
enum Expect {
    /// Success, leaving this state (`None`: the workspace is gone).
    Ok(Option<Ws>),
    /// This error status, nothing changed.
    Status(u16),
}

// ---------------------------------------------------------------------------------------
// Figures.

#[derive(Default)]
struct Figures {
    calls: AtomicU64,
    ok: AtomicU64,
    expected_4xx: AtomicU64,
    /// Errors whose outcome the test resolved by reading the state.
    resolved: AtomicU64,
    outcome_unknown: AtomicU64,
    /// Successes that came after an attempt that may have been applied.
    after_ambiguous: AtomicU64,
    longest_call_ms: AtomicU64,
    failures: Mutex<Vec<String>>,
}

impl Figures {
    fn fail(&self, message: String) {
        let mut failures = self.failures.lock().unwrap();
        if failures.len() < 50 {
            failures.push(message);
        }
    }
}

/// A write to one field of a shared workspace, for the final check.
#[derive(Clone, Debug)]
struct Event {
    key: String,
    value: String,
    start: Instant,
    end: Instant,
    /// It succeeded (else its outcome is unknown).
    ok: bool,
}

// ---------------------------------------------------------------------------------------
// One thread's work.

struct Worker<'a> {
    thread: u64,
    rng: fastrand::Rng,
    client: &'a Client,
    emulator: &'a Emulator,
    figures: &'a Figures,
    events: &'a Mutex<Vec<Event>>,
    own: Vec<Ws>,
    next_slug: u64,
    /// The last operations, for failure messages.
    trail: Vec<String>,
}

/// How a call ended, as far as the checks care.
enum Ended<'r, T> {
    Ok(&'r Response<T>),
    /// An API error status that was answered to the only attempt, or one the model names.
    Definite(u16),
    /// Anything else: what happened is read from the state.
    Unknown(&'r Error),
}

impl<'a> Worker<'a> {
    fn label(&mut self, op: String) -> String {
        if self.trail.len() == 8 {
            self.trail.remove(0);
        }
        self.trail.push(op.clone());
        op
    }

    fn fail(&self, op: &str, problem: String) {
        self.figures.fail(format!(
            "thread {}: {op}: {problem}\n    recent: {:?}",
            self.thread, self.trail
        ));
    }

    /// Runs `call`, checks the no-hang bound, and says whether an attempt timed out.
    fn timed<T>(&self, op: &str, call: impl FnOnce() -> T) -> (T, Instant, Instant, bool) {
        TIMED_OUT.with(|t| t.set(false));
        let start = Instant::now();
        let result = call();
        let end = Instant::now();
        let elapsed = end - start;
        self.figures.calls.fetch_add(1, Ordering::Relaxed);
        self.figures
            .longest_call_ms
            .fetch_max(elapsed.as_millis() as u64, Ordering::Relaxed);
        if elapsed > CALL_BOUND {
            self.fail(
                op,
                format!("took {elapsed:?}, past the bound {CALL_BOUND:?}"),
            );
        }
        (result, start, end, TIMED_OUT.with(Cell::get))
    }

    fn classify<'r, T>(&self, result: &'r Result<Response<T>, Error>) -> Ended<'r, T> {
        match result {
            Ok(response) => {
                self.figures.ok.fetch_add(1, Ordering::Relaxed);
                if response.earlier_attempt_may_have_applied() {
                    self.figures.after_ambiguous.fetch_add(1, Ordering::Relaxed);
                }
                Ended::Ok(response)
            }
            Err(error) => {
                if matches!(error, Error::OutcomeUnknown { .. }) {
                    self.figures.outcome_unknown.fetch_add(1, Ordering::Relaxed);
                }
                match error.as_api() {
                    Some(api) if (400..500).contains(&api.status) && api.status != 429 => {
                        Ended::Definite(api.status)
                    }
                    _ => Ended::Unknown(error),
                }
            }
        }
    }

    fn run(&mut self, ops: usize) {
        for _ in 0..ops {
            if self.rng.u8(..10) < 3 {
                self.shared_step();
            } else {
                self.own_step();
            }
        }
    }

    // ----- own workspaces: the exact model -----

    fn own_step(&mut self) {
        let w = self.client.workspaces();
        let pick = if self.own.is_empty() {
            0
        } else {
            self.rng.u8(..100)
        };
        if pick < 10 && self.own.len() < MAX_OWN || self.own.is_empty() {
            return self.create();
        }
        let index = self.rng.usize(..self.own.len());
        let pre = self.own[index].clone();
        // Address it by slug mostly, by id sometimes.
        let address = if self.rng.bool() || self.rng.bool() {
            pre.slug.clone()
        } else {
            pre.id.clone()
        };
        match pick {
            0..=14 => {
                let op = self.label(format!("delete {address}"));
                let (result, _, _, late) =
                    self.timed(&op, || w.delete(&address).send_with_response());
                self.settle_own(&op, index, Expect::Ok(None), &result, late, |r, _| {
                    r.deleted.then_some(()).ok_or("deleted is false".into())
                });
            }
            15..=29 => {
                let mut post = pre.clone();
                post.name = format!("Name {}", self.rng.u32(..1000));
                let mut request = w.update(&address).name(post.name.clone());
                match self.rng.u8(..3) {
                    0 => {
                        post.description = None;
                        request = request.clear_description();
                    }
                    1 => {
                        let d = format!("desc {}", self.rng.u32(..1000));
                        post.description = Some(d.clone());
                        request = request.description(d);
                    }
                    _ => {}
                }
                if self.rng.u8(..3) == 0 {
                    post.slug = self.fresh_slug();
                    request = request.slug(post.slug.clone());
                }
                let op = self.label(format!("update {address} -> {} {:?}", post.slug, post.name));
                let (result, _, _, late) = self.timed(&op, || request.send_with_response());
                self.settle_own(
                    &op,
                    index,
                    Expect::Ok(Some(post)),
                    &result,
                    late,
                    |r, post| {
                        let post = post.as_ref().expect("an update keeps the workspace");
                        let d = &r.data;
                        (d.slug == post.slug
                            && d.name == post.name
                            && d.description == post.description)
                            .then_some(())
                            .ok_or(format!(
                                "answer {} {:?} {:?}",
                                d.slug, d.name, d.description
                            ))
                    },
                );
            }
            30..=39 => {
                let op = self.label(format!("get {address}"));
                let (result, _, _, _) = self.timed(&op, || w.get(&address).send_with_response());
                self.check_read(&op, &result, Ok(()), |r| {
                    (r.data.slug == pre.slug
                        && r.data.name == pre.name
                        && r.data.description == pre.description)
                        .then_some(())
                        .ok_or(format!("got {} {:?}", r.data.slug, r.data.name))
                });
            }
            40..=44 => {
                let missing = format!("t{}-missing", self.thread);
                let op = self.label(format!("get {missing}"));
                let (result, _, _, _) = self.timed(&op, || w.get(&missing).send_with_response());
                self.check_read(&op, &result, Err(404), |_| {
                    Err("found a workspace no call made".into())
                });
            }
            45..=49 => {
                let op = self.label("list".into());
                let (result, _, _, _) =
                    self.timed(&op, || w.list().limit(100).send_with_response());
                let prefix = format!("t{}-", self.thread);
                let mine: BTreeMap<String, (String, Option<String>)> = self
                    .own
                    .iter()
                    .map(|o| (o.slug.clone(), (o.name.clone(), o.description.clone())))
                    .collect();
                self.check_read(&op, &result, Ok(()), |r| {
                    let listed: BTreeMap<String, (String, Option<String>)> = r
                        .data
                        .iter()
                        .filter(|x| x.slug.starts_with(&prefix))
                        .map(|x| (x.slug.clone(), (x.name.clone(), x.description.clone())))
                        .collect();
                    (listed == mine)
                        .then_some(())
                        .ok_or(format!("listed {listed:?}, model {mine:?}"))
                });
            }
            50..=57 => {
                let i = self.rng.usize(..4);
                let limit = LIMITS[self.rng.usize(..LIMITS.len())];
                let expect = pre.budget_write(i, Some(limit), pre.budget_fits(i, limit), 400);
                let op = self.label(format!("set budget {address} {i} {limit}"));
                let interval = INTERVALS[i].clone();
                let (result, _, _, late) = self.timed(&op, || {
                    w.set_budget(&address, interval)
                        .limit_usd(limit)
                        .send_with_response()
                });
                self.settle_own(&op, index, expect, &result, late, |r, _| {
                    (r.data.limit_usd == limit && interval_index(&r.data) == i)
                        .then_some(())
                        .ok_or(format!("answered {:?}", r.data))
                });
            }
            58..=63 => {
                let i = self.rng.usize(..4);
                let expect = pre.budget_write(i, None, pre.budgets[i].is_some(), 404);
                let op = self.label(format!("delete budget {address} {i}"));
                let interval = INTERVALS[i].clone();
                let (result, _, _, late) = self.timed(&op, || {
                    w.delete_budget(&address, interval).send_with_response()
                });
                self.settle_own(&op, index, expect, &result, late, |r, _| {
                    r.deleted.then_some(()).ok_or("deleted is false".into())
                });
            }
            64..=69 => {
                let i = self.rng.usize(..4);
                let op = self.label(format!("get budget {address} {i}"));
                let interval = INTERVALS[i].clone();
                let (result, _, _, _) = self.timed(&op, || {
                    w.get_budget(&address, interval).send_with_response()
                });
                let expected = pre.budgets[i].ok_or(404);
                self.check_read(&op, &result, expected.map(|_| ()), |r| {
                    (Some(r.data.limit_usd) == pre.budgets[i])
                        .then_some(())
                        .ok_or(format!(
                            "limit {} for {:?}",
                            r.data.limit_usd, pre.budgets[i]
                        ))
                });
            }
            70..=74 => {
                let op = self.label(format!("list budgets {address}"));
                let (result, _, _, _) =
                    self.timed(&op, || w.list_budgets(&address).send_with_response());
                self.check_read(&op, &result, Ok(()), |r| {
                    let listed = budgets_of(&r.data);
                    (listed == pre.budgets)
                        .then_some(())
                        .ok_or(format!("listed {listed:?}, model {:?}", pre.budgets))
                });
            }
            75..=79 => {
                let op = self.label(format!("list members {address}"));
                let (result, _, _, _) = self.timed(&op, || {
                    w.list_members(&address).limit(100).send_with_response()
                });
                self.check_read(&op, &result, Ok(()), |r| {
                    let listed: BTreeSet<String> =
                        r.data.iter().map(|m| m.user_id.clone()).collect();
                    (listed == pre.members && r.data.len() == listed.len())
                        .then_some(())
                        .ok_or(format!(
                            "listed {:?}, model {:?}",
                            r.data.iter().map(|m| &m.user_id).collect::<Vec<_>>(),
                            pre.members
                        ))
                });
            }
            80..=89 => {
                let users = self.some_users();
                let mut post = pre.clone();
                post.members.extend(users.iter().cloned());
                let added = post.members.len() - pre.members.len();
                let op = self.label(format!("add {address} {users:?}"));
                let asked: BTreeSet<String> = users.iter().cloned().collect();
                let (result, _, _, late) = self.timed(&op, || {
                    w.bulk_add_members(&address)
                        .user_ids(users)
                        .send_with_response()
                });
                self.settle_own(&op, index, Expect::Ok(Some(post)), &result, late, |r, _| {
                    let listed: BTreeSet<String> =
                        r.data.iter().map(|m| m.user_id.clone()).collect();
                    if listed != asked || r.data.len() != asked.len() {
                        return Err(format!("answered members {listed:?}"));
                    }
                    count_is_right(r.added_count, added, r.earlier_attempt_may_have_applied())
                });
            }
            _ => {
                let users = self.some_users();
                let mut post = pre.clone();
                for u in &users {
                    post.members.remove(u);
                }
                let removed = pre.members.len() - post.members.len();
                let op = self.label(format!("remove {address} {users:?}"));
                let (result, _, _, late) = self.timed(&op, || {
                    w.bulk_remove_members(&address)
                        .user_ids(users.clone())
                        .send_with_response()
                });
                self.settle_own(&op, index, Expect::Ok(Some(post)), &result, late, |r, _| {
                    count_is_right(
                        r.removed_count,
                        removed,
                        r.earlier_attempt_may_have_applied(),
                    )
                });
            }
        }
    }

    fn fresh_slug(&mut self) -> String {
        self.next_slug += 1;
        format!("t{}-{}", self.thread, self.next_slug)
    }

    fn some_users(&mut self) -> Vec<String> {
        let n = self.rng.usize(1..=3);
        (0..n)
            .map(|_| USERS[self.rng.usize(..USERS.len())].to_string())
            .collect()
    }

    fn create(&mut self) {
        let slug = self.fresh_slug();
        let name = format!("Team {}", self.rng.u32(..1000));
        let description = self.rng.bool().then(|| format!("made by {}", self.thread));
        let op = self.label(format!("create {slug}"));
        let w = self.client.workspaces();
        let mut request = w.create().name(name.clone()).slug(slug.clone());
        if let Some(d) = &description {
            request = request.description(d.clone());
        }
        let (result, _, _, late) = self.timed(&op, || request.send_with_response());
        if late {
            thread::sleep(MAX_DELAY);
        }
        let actual = read(self.emulator, &slug, true);
        let expected = |id: String| Ws {
            id,
            slug: slug.clone(),
            name: name.clone(),
            description: description.clone(),
            budgets: [None; 4],
            members: [CREATOR.to_string()].into(),
        };
        match (self.classify(&result), actual) {
            (Ended::Ok(r), Some(actual)) => {
                if r.data.slug != slug || r.data.id != actual.id {
                    self.fail(&op, format!("answered {} {}", r.data.slug, r.data.id));
                }
                if actual != expected(actual.id.clone()) {
                    self.fail(&op, format!("state {actual:?}"));
                }
                self.own.push(actual);
            }
            (Ended::Ok(_), None) => {
                self.fail(&op, "succeeded, but no workspace has the slug".into())
            }
            (Ended::Definite(status), _) => self.fail(
                &op,
                format!(
                    "HTTP {status} for a create the model allows: {}",
                    show(&result)
                ),
            ),
            (Ended::Unknown(error), actual) => {
                self.figures.resolved.fetch_add(1, Ordering::Relaxed);
                if let Some(actual) = actual {
                    if actual != expected(actual.id.clone()) {
                        self.fail(&op, format!("after {error}: state {actual:?}"));
                    }
                    self.own.push(actual);
                }
            }
        }
    }

    /// Checks a write to own workspace `index` against `expect` and the state, and moves
    /// the model to the state.
    fn settle_own<T: Debug>(
        &mut self,
        op: &str,
        index: usize,
        expect: Expect,
        result: &Result<Response<T>, Error>,
        late: bool,
        answer: impl FnOnce(&Response<T>, &Option<Ws>) -> Result<(), String>,
    ) {
        if late {
            thread::sleep(MAX_DELAY);
        }
        let pre = self.own[index].clone();
        let actual = read(self.emulator, &pre.id, false);
        let ended = self.classify(result);
        match (&expect, ended) {
            (Expect::Ok(post), Ended::Ok(r)) => {
                if actual != *post {
                    self.fail(op, format!("succeeded, state {actual:?}, model {post:?}"));
                }
                if let Err(problem) = answer(r, post) {
                    self.fail(op, problem);
                }
            }
            (Expect::Status(404), Ended::Ok(r)) if r.earlier_attempt_may_have_applied() => {
                // A delete's retry found nothing, after an attempt that may have deleted it.
                if actual.as_ref() != Some(&pre) {
                    self.fail(op, format!("state {actual:?}, model {pre:?}"));
                }
            }
            (Expect::Status(status), Ended::Ok(r)) => self.fail(
                op,
                format!("succeeded where the model says {status}: {:?}", r.value()),
            ),
            (Expect::Status(expected), Ended::Definite(status)) if *expected == status => {
                self.figures.expected_4xx.fetch_add(1, Ordering::Relaxed);
                if actual.as_ref() != Some(&pre) {
                    self.fail(op, format!("refused, yet the state changed: {actual:?}"));
                }
            }
            (_, Ended::Definite(status)) => {
                self.fail(op, format!("HTTP {status} not predicted: {}", show(result)))
            }
            (expect, Ended::Unknown(error)) => {
                self.figures.resolved.fetch_add(1, Ordering::Relaxed);
                let allowed = actual.as_ref() == Some(&pre)
                    || matches!(expect, Expect::Ok(post) if *post == actual);
                if !allowed {
                    self.fail(
                        op,
                        format!("after {error}: state {actual:?} is neither before nor after"),
                    );
                }
            }
        }
        match actual {
            Some(actual) => self.own[index] = actual,
            None => {
                self.own.remove(index);
            }
        }
    }

    /// Checks a read: `expected` is success or an error status; undecodable answers and
    /// failures after retries are allowed (the chaos provides them).
    fn check_read<T>(
        &mut self,
        op: &str,
        result: &Result<Response<T>, Error>,
        expected: Result<(), u16>,
        answer: impl FnOnce(&Response<T>) -> Result<(), String>,
    ) {
        match (self.classify(result), expected) {
            (Ended::Ok(r), Ok(())) => {
                if let Err(problem) = answer(r) {
                    self.fail(op, problem);
                }
            }
            (Ended::Definite(status), Err(expected)) if status == expected => {
                self.figures.expected_4xx.fetch_add(1, Ordering::Relaxed);
            }
            (Ended::Unknown(_), _) => {
                self.figures.resolved.fetch_add(1, Ordering::Relaxed);
            }
            (Ended::Ok(_), Err(status)) => {
                self.fail(op, format!("succeeded where the model says {status}"))
            }
            (Ended::Definite(status), _) => {
                self.fail(op, format!("HTTP {status} not predicted: {}", show(result)))
            }
        }
    }

    // ----- shared workspaces: per-field linearisability -----

    fn shared_step(&mut self) {
        let w = self.client.workspaces();
        let k = self.rng.usize(..SHARED.len());
        let slug = SHARED[k];
        let tag = format!("{}-{}", self.thread, self.rng.u32(..100_000));
        match self.rng.u8(..10) {
            0 | 1 => {
                let name = format!("Shared {tag}");
                let description = (self.rng.bool()).then(|| format!("d {tag}"));
                let op = self.label(format!("update {slug} {name:?} {description:?}"));
                let mut request = w.update(slug).name(name.clone());
                request = match &description {
                    Some(d) => request.description(d.clone()),
                    None => request.clear_description(),
                };
                let (result, start, end, late) = self.timed(&op, || request.send_with_response());
                let writes = [
                    (format!("{slug}/name"), name.clone()),
                    (format!("{slug}/description"), format!("{description:?}")),
                ];
                self.record_shared(&op, &result, start, end, late, &writes, |r| {
                    (r.data.name == name && r.data.description == description)
                        .then_some(())
                        .ok_or(format!(
                            "answered {:?} {:?}",
                            r.data.name, r.data.description
                        ))
                });
            }
            2 | 3 => {
                let i = self.rng.usize(..4);
                let limit = LIMITS[self.rng.usize(..LIMITS.len())];
                let op = self.label(format!("set budget {slug} {i} {limit}"));
                let interval = INTERVALS[i].clone();
                let (result, start, end, late) = self.timed(&op, || {
                    w.set_budget(slug, interval)
                        .limit_usd(limit)
                        .send_with_response()
                });
                let writes = [(format!("{slug}/budget/{i}"), format!("{:?}", Some(limit)))];
                self.record_shared(&op, &result, start, end, late, &writes, |r| {
                    (r.data.limit_usd == limit)
                        .then_some(())
                        .ok_or(format!("answered {}", r.data.limit_usd))
                });
            }
            4 => {
                let i = self.rng.usize(..4);
                let op = self.label(format!("delete budget {slug} {i}"));
                let interval = INTERVALS[i].clone();
                let (result, start, end, late) =
                    self.timed(&op, || w.delete_budget(slug, interval).send_with_response());
                let writes = [(format!("{slug}/budget/{i}"), format!("{:?}", None::<f64>))];
                self.record_shared(&op, &result, start, end, late, &writes, |r| {
                    r.deleted.then_some(()).ok_or("deleted is false".into())
                });
            }
            5 | 6 => self.shared_members(
                slug,
                ("add", "in"),
                |users| {
                    w.bulk_add_members(slug)
                        .user_ids(users)
                        .send_with_response()
                },
                |r, asked| {
                    let listed: BTreeSet<String> =
                        r.data.iter().map(|m| m.user_id.clone()).collect();
                    (listed == *asked && r.added_count as usize <= asked.len())
                        .then_some(())
                        .ok_or(format!("answered {listed:?}, count {}", r.added_count))
                },
            ),
            7 => self.shared_members(
                slug,
                ("remove", "out"),
                |users| {
                    w.bulk_remove_members(slug)
                        .user_ids(users)
                        .send_with_response()
                },
                |r, asked| {
                    (r.removed_count as usize <= asked.len())
                        .then_some(())
                        .ok_or(format!("count {}", r.removed_count))
                },
            ),
            8 => {
                let op = self.label(format!("get {slug}"));
                let (result, _, _, _) = self.timed(&op, || w.get(slug).send_with_response());
                self.check_read(&op, &result, Ok(()), |r| {
                    (r.data.slug == slug)
                        .then_some(())
                        .ok_or(format!("got {}", r.data.slug))
                });
            }
            _ => {
                let op = self.label(format!("list members {slug}"));
                let (result, _, _, _) =
                    self.timed(&op, || w.list_members(slug).limit(100).send_with_response());
                self.check_read(&op, &result, Ok(()), |r| {
                    let set: BTreeSet<&str> = r.data.iter().map(|m| m.user_id.as_str()).collect();
                    (set.len() == r.data.len())
                        .then_some(())
                        .ok_or("a member listed twice".into())
                });
            }
        }
    }

    /// Records the writes of a call to a shared workspace for the final check, after
    /// checking its answer. A 4xx to a single attempt changed nothing; a 4xx after
    /// retries may follow an attempt that was applied, so it counts as unknown.
    /// A bulk member call on the shared `slug` for some users, `verb` ("add" or "remove")
    /// in its label: a write of `value` ("in" or "out") to the field of each member asked,
    /// the answer checked by `answer` against the set asked.
    fn shared_members<T>(
        &mut self,
        slug: &str,
        (verb, value): (&str, &str),
        call: impl FnOnce(Vec<String>) -> Result<Response<T>, Error>,
        answer: impl FnOnce(&Response<T>, &BTreeSet<String>) -> Result<(), String>,
    ) {
        let users = self.some_users();
        let op = self.label(format!("{verb} {slug} {users:?}"));
        let asked: BTreeSet<String> = users.iter().cloned().collect();
        let (result, start, end, late) = self.timed(&op, || call(users));
        let writes: Vec<_> = asked
            .iter()
            .map(|u| (format!("{slug}/member/{u}"), value.to_string()))
            .collect();
        self.record_shared(&op, &result, start, end, late, &writes, |r| {
            answer(r, &asked)
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn record_shared<T>(
        &mut self,
        op: &str,
        result: &Result<Response<T>, Error>,
        start: Instant,
        end: Instant,
        late: bool,
        writes: &[(String, String)],
        answer: impl FnOnce(&Response<T>) -> Result<(), String>,
    ) {
        let ok = match self.classify(result) {
            Ended::Ok(r) => {
                if let Err(problem) = answer(r) {
                    self.fail(op, problem);
                }
                true
            }
            Ended::Definite(status) => {
                let attempts = result.as_ref().err().and_then(Error::attempts).unwrap_or(1);
                if attempts == 1 {
                    if ![400, 404].contains(&status) {
                        self.fail(op, format!("HTTP {status}: {}", show(result)));
                    }
                    self.figures.expected_4xx.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                self.figures.resolved.fetch_add(1, Ordering::Relaxed);
                false
            }
            Ended::Unknown(_) => {
                self.figures.resolved.fetch_add(1, Ordering::Relaxed);
                false
            }
        };
        let end = if late { end + MAX_DELAY } else { end };
        let mut events = self.events.lock().unwrap();
        for (key, value) in writes {
            events.push(Event {
                key: key.clone(),
                value: value.clone(),
                start,
                end,
                ok,
            });
        }
    }
}

/// The error of a result, for messages.
fn show<T>(result: &Result<T, Error>) -> String {
    result
        .as_ref()
        .err()
        .map_or_else(String::new, Error::to_string)
}

/// A bulk count is the call's effect, or at most that when an earlier attempt may have
/// done part of it.
fn count_is_right(count: i64, effect: usize, partial: bool) -> Result<(), String> {
    let count = usize::try_from(count).map_err(|_| format!("negative count {count}"))?;
    if count == effect || partial && count <= effect {
        Ok(())
    } else {
        Err(format!("count {count}, effect {effect}, partial {partial}"))
    }
}

// ---------------------------------------------------------------------------------------
// Faults.

/// Every kind of fault the emulator has, drawn at random; `index` names the kind.
fn random_fault(rng: &mut fastrand::Rng) -> (usize, FaultKind) {
    let kind = rng.usize(..14);
    let fault = match kind {
        0 => FaultKind::status([500, 502, 503][rng.usize(..3)]),
        1 => FaultKind::status(503).retry_after_ms(rng.u32(1..20).to_string()),
        2 => FaultKind::status(429).retry_after(if rng.bool() { "0" } else { "1" }),
        3 => FaultKind::Delay(Duration::from_millis(
            rng.u64(1..=MAX_DELAY.as_millis() as u64),
        )),
        4 => FaultKind::ResetBeforeRead,
        5 => FaultKind::ResetAfterRead,
        6 => FaultKind::CloseWithoutAnswer,
        7 => FaultKind::CommitThenStatus([500, 503][rng.usize(..2)]),
        8 => FaultKind::CommitThenClose,
        9 => FaultKind::TruncatedBody,
        10 => FaultKind::MalformedJson,
        11 => FaultKind::NonJsonContentType,
        12 => FaultKind::MissingFields,
        _ => FaultKind::OversizedBody(2 * MAX_BODY as usize),
    };
    (kind, fault)
}

const FAULT_NAMES: [&str; 14] = [
    "5xx",
    "503+retry-after-ms",
    "429+retry-after",
    "delay",
    "reset-before-read",
    "reset-after-read",
    "close-without-answer",
    "commit-then-5xx",
    "commit-then-close",
    "truncated-body",
    "malformed-json",
    "non-json",
    "missing-fields",
    "oversized",
];

// ---------------------------------------------------------------------------------------
// One seed.

struct SeedFigures {
    calls: u64,
    requests: u64,
    faults: [u64; 14],
    ok: u64,
    expected_4xx: u64,
    resolved: u64,
    outcome_unknown: u64,
    after_ambiguous: u64,
    longest_call_ms: u64,
}

fn run_seed(seed: u64, ops: usize) -> SeedFigures {
    let mut config = EmulatorConfig::new();
    for user in &USERS[4..] {
        config = config.org_user(
            *user,
            openrouter_workspaces::types::WorkspaceMemberRole::Member,
        );
    }
    let emulator = Emulator::start_with(config).expect("emulator");
    let client = emulator
        .client_builder()
        .retry_policy(
            quick_retry_policy()
                .initial_interval(Duration::from_millis(2))
                .max_elapsed(MAX_ELAPSED),
        )
        .timeout(TIMEOUT)
        .max_response_bytes(MAX_BODY)
        .on_attempt(|attempt| {
            if matches!(attempt.outcome, AttemptOutcome::Timeout) {
                TIMED_OUT.with(|t| t.set(true));
            }
        })
        .build()
        .expect("client");
    for slug in SHARED {
        client
            .workspaces()
            .create()
            .name(format!("Shared {slug}"))
            .slug(slug)
            .description("shared")
            .send()
            .expect("create a shared workspace");
    }
    emulator.reset_counters();

    let figures = Figures::default();
    let events = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let injected = Mutex::new([0u64; 14]);
    let owns: Vec<Vec<Ws>> = thread::scope(|scope| {
        scope.spawn(|| {
            let mut rng = fastrand::Rng::with_seed(seed);
            while !stop.load(Ordering::Relaxed) {
                if emulator.pending_faults() == 0 {
                    // A gap lets some requests through between faults.
                    thread::sleep(Duration::from_micros(rng.u64(0..3000)));
                    let (kind, fault) = random_fault(&mut rng);
                    emulator.inject(Fault::new(fault));
                    injected.lock().unwrap()[kind] += 1;
                }
                thread::sleep(Duration::from_micros(200));
            }
        });
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (client, emulator, figures, events) = (&client, &emulator, &figures, &events);
                scope.spawn(move || {
                    let mut worker = Worker {
                        thread: t,
                        rng: fastrand::Rng::with_seed(
                            seed.wrapping_mul(1_000_003).wrapping_add(t + 1),
                        ),
                        client,
                        emulator,
                        figures,
                        events,
                        own: Vec::new(),
                        next_slug: 0,
                        trail: Vec::new(),
                    };
                    worker.run(ops);
                    worker.own
                })
            })
            .collect();
        let owns = workers
            .into_iter()
            .map(|w| w.join().expect("a worker panicked"))
            .collect();
        stop.store(true, Ordering::Relaxed);
        owns
    });
    emulator.clear_faults();
    // Requests delayed past their timeout may still land.
    thread::sleep(MAX_DELAY + Duration::from_millis(50));

    // The final state equals the models.
    let all = emulator.workspaces();
    let slugs: BTreeSet<&str> = all.iter().map(|w| w.slug.as_str()).collect();
    if slugs.len() != all.len() {
        figures.fail(format!(
            "duplicate slugs: {:?}",
            all.iter().map(|w| &w.slug).collect::<Vec<_>>()
        ));
    }
    let mut expected: BTreeSet<String> = ["default".to_string()].into();
    expected.extend(SHARED.iter().map(|s| s.to_string()));
    for own in owns.iter().flatten() {
        expected.insert(own.slug.clone());
        let actual = read(&emulator, &own.id, false);
        if actual.as_ref() != Some(own) {
            figures.fail(format!(
                "final state of {}: {actual:?}, model {own:?}",
                own.slug
            ));
        }
    }
    let slugs: BTreeSet<String> = slugs.into_iter().map(str::to_string).collect();
    if slugs != expected {
        figures.fail(format!("workspaces {slugs:?}, model {expected:?}"));
    }
    check_shared(&emulator, &events.into_inner().unwrap(), &figures);

    let failures = figures.failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "seed {seed}: {} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    SeedFigures {
        calls: figures.calls.into_inner(),
        requests: emulator.request_count(),
        faults: injected.into_inner().unwrap(),
        ok: figures.ok.into_inner(),
        expected_4xx: figures.expected_4xx.into_inner(),
        resolved: figures.resolved.into_inner(),
        outcome_unknown: figures.outcome_unknown.into_inner(),
        after_ambiguous: figures.after_ambiguous.into_inner(),
        longest_call_ms: figures.longest_call_ms.into_inner(),
    }
}

/// Every field of a shared workspace holds a value that a call wrote and that no
/// successful write strictly followed, or its initial value when no write succeeded.
fn check_shared(emulator: &Emulator, events: &[Event], figures: &Figures) {
    for slug in SHARED {
        let Some(ws) = read(emulator, slug, true) else {
            figures.fail(format!("shared workspace {slug} is gone"));
            continue;
        };
        let mut fields = vec![
            (
                format!("{slug}/name"),
                ws.name.clone(),
                format!("Shared {slug}"),
            ),
            (
                format!("{slug}/description"),
                format!("{:?}", ws.description),
                format!("{:?}", Some("shared")),
            ),
        ];
        for i in 0..4 {
            fields.push((
                format!("{slug}/budget/{i}"),
                format!("{:?}", ws.budgets[i]),
                format!("{:?}", None::<f64>),
            ));
        }
        for user in USERS {
            let value = if ws.members.contains(user) {
                "in"
            } else {
                "out"
            };
            let initial = if user == CREATOR { "in" } else { "out" };
            fields.push((
                format!("{slug}/member/{user}"),
                value.into(),
                initial.into(),
            ));
        }
        for (key, value, initial) in fields {
            let writes: Vec<&Event> = events.iter().filter(|e| e.key == key).collect();
            let followed = |e: &Event| writes.iter().any(|w| w.ok && w.start > e.end);
            let any_ok = writes.iter().any(|w| w.ok);
            let explained = (!any_ok && value == initial)
                || writes.iter().any(|e| e.value == value && !followed(e));
            if !explained {
                figures.fail(format!(
                    "{key} = {value}: no call wrote it that a successful write did not follow \
                     (initial {initial}, {} writes, {} successful)",
                    writes.len(),
                    writes.iter().filter(|w| w.ok).count()
                ));
            }
        }
    }
}

fn report(label: &str, seeds: &[u64], figures: &[SeedFigures], elapsed: Duration) {
    let sum = |f: fn(&SeedFigures) -> u64| figures.iter().map(f).sum::<u64>();
    let mut faults = [0u64; 14];
    for f in figures {
        for (total, n) in faults.iter_mut().zip(f.faults) {
            *total += n;
        }
    }
    let by_kind: Vec<String> = FAULT_NAMES
        .iter()
        .zip(faults)
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    eprintln!(
        "chaos {label}: {} seeds ({}..={}) in {elapsed:.1?}: {} calls, {} requests, {} faults \
         injected ({}); {} ok ({} after an attempt that may have been applied), {} predicted \
         4xx, {} errors resolved by reading ({} OutcomeUnknown); longest call {} ms",
        seeds.len(),
        seeds.first().copied().unwrap_or_default(),
        seeds.last().copied().unwrap_or_default(),
        sum(|f| f.calls),
        sum(|f| f.requests),
        faults.iter().sum::<u64>(),
        by_kind.join(", "),
        sum(|f| f.ok),
        sum(|f| f.after_ambiguous),
        sum(|f| f.expected_4xx),
        sum(|f| f.resolved),
        sum(|f| f.outcome_unknown),
        figures
            .iter()
            .map(|f| f.longest_call_ms)
            .max()
            .unwrap_or_default(),
    );
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn random_operations_under_random_faults_keep_the_model() {
    let ops = env_u64("CHAOS_OPS").map_or(OPS_PER_THREAD, |n| n as usize);
    let started = Instant::now();
    let mut seeds = Vec::new();
    let mut figures = Vec::new();
    let label;
    if let Some(seed) = env_u64("CHAOS_SEED") {
        label = "one seed";
        seeds.push(seed);
        figures.push(run_seed(seed, ops));
    } else if let Some(seconds) = env_u64("CHAOS_SOAK") {
        label = "soak";
        let until = started + Duration::from_secs(seconds);
        let first = 1000 + u64::from(std::process::id());
        let mut seed = first;
        while Instant::now() < until {
            figures.push(run_seed(seed, ops));
            seeds.push(seed);
            seed += 1;
        }
    } else {
        label = "CI";
        for seed in CI_SEEDS {
            figures.push(run_seed(seed, ops));
            seeds.push(seed);
        }
    }
    report(label, &seeds, &figures, started.elapsed());
}
