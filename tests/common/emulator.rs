//! Fixtures of the tests against the in-process emulator: clients pointed at it and the
//! bound of the no-hang guard. The emulator itself gives the rest
//! ([`Emulator::client_builder`], [`Emulator::inject_times`], `quick_retry_policy`).

use std::time::Duration;

use openrouter_workspaces::{Client, RetryPolicy};
use openrouter_workspaces_emulator::Emulator;

/// The longest any single call may take before the test calls it a hang. Generous: this
/// is a no-hang check, not a speed target.
pub const NO_HANG: Duration = Duration::from_secs(10);

/// A client for `emulator` with the default configuration.
pub fn client_for(emulator: &Emulator) -> Client {
    emulator
        .client_builder()
        .build()
        .expect("a loopback emulator client builds")
}

/// A client for `emulator` that retries under `policy`, each attempt within `timeout`.
pub fn client_with(emulator: &Emulator, policy: RetryPolicy, timeout: Duration) -> Client {
    emulator
        .client_builder()
        .retry_policy(policy)
        .timeout(timeout)
        .build()
        .expect("a loopback emulator client builds")
}

/// Starts an emulator with the default configuration.
pub fn start() -> Emulator {
    Emulator::start().expect("the emulator binds a loopback port")
}
