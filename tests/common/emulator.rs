//! Fixtures of the tests against the in-process emulator: clients pointed at it, a fast
//! retry policy, faults queued for one route and the bound of the no-hang guard.

use std::time::Duration;

use openrouter_workspaces::{Client, ClientBuilder, RetryPolicy};
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};

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

/// Queues `kind` for the next request of `method` to `path`.
pub fn inject(emulator: &Emulator, kind: FaultKind, method: &str, path: &str) {
    inject_times(emulator, kind, method, path, 1);
}

/// Queues `kind` for the next `times` requests of `method` to `path`.
pub fn inject_times(emulator: &Emulator, kind: FaultKind, method: &str, path: &str, times: u32) {
    emulator.inject(Fault::new(kind).method(method).path(path).times(times));
}
