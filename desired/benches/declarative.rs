//! Declarative workspaces: how much parallel jobs gain on a slow link, and what a plan
//! with nothing to do sends.
//!
//! ```text
//! cargo bench -p openrouter-workspaces-desired --bench declarative             # 16 applied; 200 planned
//! cargo bench -p openrouter-workspaces-desired --bench declarative -- --quick  # 40 planned (CI)
//! ```
//!
//! Every figure is printed; nothing is asserted on time: the speedup's target is printed
//! with PASS or MISS for information. The read count of a plan with no changes does not
//! depend on timing: it is exact, marked PASS or FAIL, and a FAIL makes the run exit 1
//! (`desired/tests/desired.rs` checks the same count for the README's 200 workspaces).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use openrouter_workspaces::Client;
use openrouter_workspaces_desired::{ApplyOptions, DesiredState, PlanOptions, plan};
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};

/// The emulator's delay before each answer, as a remote API's round trip.
const LATENCY: Duration = Duration::from_millis(20);
/// Workspaces in the apply, each with two budgets and two members.
const APPLIED: usize = 16;
/// The gain `--jobs 8` should have over `--jobs 1`.
const TARGET_SPEEDUP: f64 = 6.0;

fn main() -> ExitCode {
    let quick =
        std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some();
    println!(
        "declarative workspaces ({} mode)",
        if quick { "quick" } else { "full" }
    );

    let one = timed_apply(1);
    let eight = timed_apply(8);
    let speedup = one.0.as_secs_f64() / eight.0.as_secs_f64();
    println!(
        "apply of {APPLIED} new workspaces (2 budgets, 2 members each), emulator latency {LATENCY:?}:"
    );
    println!("  --jobs 1: {:>8.2?}  ({} requests)", one.0, one.1);
    println!("  --jobs 8: {:>8.2?}  ({} requests)", eight.0, eight.1);
    println!(
        "  speedup {speedup:.1}x (target >= {TARGET_SPEEDUP}x) {}",
        if speedup >= TARGET_SPEEDUP {
            "PASS"
        } else {
            "MISS"
        }
    );

    let planned = if quick { 40 } else { 200 };
    let (reads, expected) = unchanged_plan_reads(planned);
    let exact = reads == expected;
    println!(
        "plan with no changes of {planned} workspaces (budgets and members managed): {reads} requests, all reads \
         (one list walk of {} pages + 2 per workspace = {expected}) {}",
        (planned + 1).div_ceil(100),
        if exact { "PASS" } else { "FAIL" }
    );
    if exact {
        ExitCode::SUCCESS
    } else {
        eprintln!("FAILED: a plan with no changes sent {reads} requests, not {expected}");
        ExitCode::FAILURE
    }
}

/// A file of `count` workspaces `team-N`, each with two budgets and two members.
fn file(count: usize) -> String {
    let mut text = String::from("workspaces:\n");
    for i in 0..count {
        text.push_str(&format!(
            "  team-{i}:\n    name: Team {i}\n    budgets: {{monthly: 100, daily: 5}}\n    members: [user_bob, user_carol]\n"
        ));
    }
    text
}

fn client(emulator: &Emulator) -> Client {
    emulator
        .client_builder()
        .build()
        .expect("a loopback client")
}

/// Plans and applies [`APPLIED`] new workspaces on a fresh emulator with `jobs` jobs:
/// the wall time and the emulator's request count.
fn timed_apply(jobs: usize) -> (Duration, u64) {
    let emulator = Emulator::start_with(EmulatorConfig::new().latency(LATENCY)).expect("emulator");
    let client = client(&emulator);
    let desired = DesiredState::from_yaml(&file(APPLIED)).expect("a valid file");
    let started = Instant::now();
    let plan = plan(&client, &desired, &PlanOptions::default().jobs(jobs)).expect("plan");
    let report = plan
        .apply(&client, &ApplyOptions::default().jobs(jobs), |_| {})
        .expect("apply");
    let elapsed = started.elapsed();
    assert!(report.is_complete(), "{report}");
    (elapsed, emulator.request_count())
}

/// Applies `count` workspaces, then plans the same file again: the requests the second
/// plan sent, and the count the README documents.
fn unchanged_plan_reads(count: usize) -> (u64, u64) {
    let emulator = Emulator::start().expect("emulator");
    let client = client(&emulator);
    let desired = DesiredState::from_yaml(&file(count)).expect("a valid file");
    let options = PlanOptions::default().jobs(8);
    let first = plan(&client, &desired, &options).expect("plan");
    let report = first
        .apply(&client, &ApplyOptions::default().jobs(8), |_| {})
        .expect("apply");
    assert!(report.is_complete(), "{report}");
    let before = emulator.request_count();
    let again = plan(&client, &desired, &options).expect("plan");
    assert!(again.is_empty(), "{again}");
    let pages = (count as u64 + 1).div_ceil(100);
    (emulator.request_count() - before, pages + 2 * count as u64)
}
