//! Shared fixtures of the library's integration tests: `mock` for the tests against a
//! mockito server, `emulator` for those against the in-process emulator, and here the
//! checks of errors that both kinds of test make.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

pub mod emulator;
pub mod mock;

use std::fmt::Debug;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use openrouter_workspaces::types::WorkspaceBudgetInterval as Interval;
use openrouter_workspaces::{ApiError, ApiErrorBody, Client, Error, InvalidInput};

/// The operations whose path names a workspace, by the names of their methods.
pub const OPERATIONS_ON_A_WORKSPACE: [&str; 10] = [
    "get",
    "update",
    "delete",
    "list_budgets",
    "get_budget",
    "set_budget",
    "delete_budget",
    "list_members",
    "bulk_add_members",
    "bulk_remove_members",
];

/// Sends `operation` (a method of `client.workspaces()`) for the workspace `id` with the
/// least input it takes: the daily budget is read, the weekly one set and the monthly one
/// deleted; `create` creates the slug `id`, and `list` ignores it.
pub fn send_operation(client: &Client, operation: &str, id: &str) -> Result<(), Error> {
    let w = client.workspaces();
    match operation {
        "list" => w.list().send().map(drop),
        "create" => w.create().name("Staging").slug(id).send().map(drop),
        "get" => w.get(id).send().map(drop),
        "update" => w.update(id).name("x").send().map(drop),
        "delete" => w.delete(id).send().map(drop),
        "list_budgets" => w.list_budgets(id).send().map(drop),
        "get_budget" => w.get_budget(id, Interval::Daily).send().map(drop),
        "set_budget" => {
            let set = w.set_budget(id, Interval::Weekly);
            set.limit_usd(10.0).send().map(drop)
        }
        "delete_budget" => w.delete_budget(id, Interval::Monthly).send().map(drop),
        "list_members" => w.list_members(id).send().map(drop),
        "bulk_add_members" => {
            let add = w.bulk_add_members(id);
            add.user_ids(["user_bob"]).send().map(drop)
        }
        "bulk_remove_members" => {
            let remove = w.bulk_remove_members(id);
            remove.user_ids(["user_bob"]).send().map(drop)
        }
        other => unreachable!("{other} is not an operation"),
    }
}

/// An error and its sources as a caller prints them (`error: source: source`), the way
/// the command-line tool does.
pub fn chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}

/// The name of the variant of a typed error body, and its code and message.
pub fn typed_error(body: &ApiErrorBody) -> (&'static str, i64, String) {
    match body {
        ApiErrorBody::BadRequest(b) => ("BadRequest", b.error.code, b.error.message.clone()),
        ApiErrorBody::Unauthorized(b) => ("Unauthorized", b.error.code, b.error.message.clone()),
        ApiErrorBody::Forbidden(b) => ("Forbidden", b.error.code, b.error.message.clone()),
        ApiErrorBody::NotFound(b) => ("NotFound", b.error.code, b.error.message.clone()),
        ApiErrorBody::InternalServer(b) => {
            ("InternalServer", b.error.code, b.error.message.clone())
        }
        other => panic!("unexpected error body variant: {other:?}"),
    }
}

/// The variant a documented status decodes to.
pub fn variant_for(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        500 => "InternalServer",
        _ => panic!("{status} is not a documented status"),
    }
}

/// Unwraps an `Error::Api` with this status.
#[track_caller]
pub fn expect_api<T: Debug>(result: Result<T, Error>, status: u16) -> Box<ApiError> {
    match result {
        Err(Error::Api(api)) => {
            assert_eq!(api.status, status, "status of {api}");
            api
        }
        other => panic!("expected Error::Api with status {status}, got {other:?}"),
    }
}

/// Unwraps an `Error::Api` with this status whose body decoded into the documented
/// variant (`"BadRequest"`, `"NotFound"`, ...) with the same code, and returns the
/// message, after checking that `ApiError::message` reports the same one.
#[track_caller]
pub fn expect_documented<T: Debug>(result: Result<T, Error>, status: u16, variant: &str) -> String {
    let api = expect_api(result, status);
    let body = api
        .body
        .as_ref()
        .unwrap_or_else(|| panic!("no typed body for {api}: {}", api.body_text()));
    let (name, code, message) = typed_error(body);
    assert_eq!(name, variant, "{api}");
    assert_eq!(code, i64::from(status), "{api}");
    assert_eq!(api.message(), message, "{api}");
    assert_eq!(api.attempts, 1, "a 4xx is not retried: {api}");
    message
}

/// The message of a documented 400 (`BadRequest`), as `expect_documented` checks it.
#[track_caller]
pub fn expect_bad_request<T: Debug>(result: Result<T, Error>) -> String {
    expect_documented(result, 400, "BadRequest")
}

/// Unwraps an `Error::InvalidInput`, checking the field it names.
#[track_caller]
pub fn assert_invalid<T: Debug>(result: Result<T, Error>, field: &str) -> InvalidInput {
    let input = match result {
        Err(Error::InvalidInput(input)) => input,
        other => panic!("expected InvalidInput for `{field}`, got {other:?}"),
    };
    assert_eq!(input.field, field, "wrong field in {input}");
    input
}

/// Runs `call` on its own thread and returns its result and duration; fails the test when
/// the call does not return within `bound` (instead of hanging it) or panics.
#[track_caller]
pub fn within<T: Send + 'static>(
    bound: Duration,
    call: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let result = call();
        let _ = tx.send((result, started.elapsed()));
    });
    match rx.recv_timeout(bound) {
        Ok(done) => done,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the call did not return within {bound:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the call panicked"),
    }
}
