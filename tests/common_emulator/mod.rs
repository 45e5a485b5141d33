//! Shared fixtures of the emulator tests: clients pointed at an in-process emulator, a
//! fast retry policy, a no-hang guard around calls, and checks of API errors.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::fmt::Debug;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use openrouter_workspaces::{ApiError, ApiErrorBody, Client, ClientBuilder, Error, RetryPolicy};
use openrouter_workspaces_emulator::Emulator;

/// The longest any single call may take before the test calls it a hang. Generous: this
/// is a no-hang check, not a speed target.
pub const NO_HANG: Duration = Duration::from_secs(10);

/// A builder for `emulator`, ignoring the process environment.
pub fn builder_for(emulator: &Emulator) -> ClientBuilder {
    ClientBuilder::from_env_with(|_| None)
        .api_key(emulator.management_key())
        .base_url(emulator.base_url())
}

/// A client for `emulator` with the default configuration.
pub fn client_for(emulator: &Emulator) -> Client {
    builder_for(emulator)
        .build()
        .expect("a loopback emulator client builds")
}

/// A retry policy that retries quickly and gives up within seconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
        .max_elapsed(Duration::from_secs(5))
}

/// Starts an emulator with the default configuration.
pub fn start() -> Emulator {
    Emulator::start().expect("the emulator binds a loopback port")
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
