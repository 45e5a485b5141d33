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

use openrouter_workspaces::{ApiError, ApiErrorBody, Error, InvalidInput};

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

/// Unwraps an `Error::InvalidInput`, checking the field it names.
#[track_caller]
pub fn assert_invalid<T: Debug>(result: Result<T, Error>, field: &str) -> InvalidInput {
    match result {
        Err(Error::InvalidInput(input)) => {
            assert_eq!(input.field, field, "wrong field in {input}");
            input
        }
        other => panic!("expected InvalidInput for `{field}`, got {other:?}"),
    }
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
