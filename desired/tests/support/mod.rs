//! The emulator fixtures of the desired-state tests: a client of it that ignores the
//! environment, a quick retry policy, and faults queued for one route.

use std::time::Duration;

use openrouter_workspaces::{ClientBuilder, RetryPolicy};
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};

/// A builder for `emulator`, ignoring the process environment.
pub fn builder_for(emulator: &Emulator) -> ClientBuilder {
    ClientBuilder::from_env_with(|_| None)
        .api_key(emulator.management_key())
        .base_url(emulator.base_url())
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
