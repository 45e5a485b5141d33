//! What the client costs: against raw ureq, in threads and syscalls, in connections, in
//! memory, and at build time.
//!
//! ```text
//! cargo bench --bench client               # full run, a few minutes
//! cargo bench --bench client -- --quick    # under a minute (or BENCH_QUICK=1), for CI
//! ```
//!
//! Every figure is printed beside its baseline and target. A figure of time is information,
//! marked PASS or MISS: a shared machine makes absolute figures noisy, so it never decides
//! the exit code. Client and raw ureq run in interleaved rounds in the same process, so
//! their ratio holds where the absolute numbers wander. The checks that do not depend on
//! timing (one connection for sequential calls, a connection the server closed replaced
//! without a retry, flat memory while paging, a no-op build that reruns nothing) are
//! marked PASS or FAIL, and any FAIL makes the run exit 1 after the last figure.
//!
//! The baseline is raw ureq **without timeouts**: the transport's own cost with nothing
//! added. Raw ureq with the client's timeouts is printed beside it for reference: with any
//! timeout, ureq 3.5's resolver spawns a thread per request.
//!
//! Sections: (a) `get` and (b) `list` against raw ureq doing the identical exchange with
//! the in-process emulator, whose work runs on its own threads, not the measured one;
//! (c) threads created and syscalls per call; (d) connection reuse and connections closed
//! by the server; (e) peak memory while iterating 1,000 and 10,000 items, each size in a
//! child process; (f) the emulator's throughput; (g) the build: a no-op `cargo build`, and
//! the generator's own time. Only loopback addresses are called.

#[path = "measure/mod.rs"]
mod measure;

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use openrouter_workspaces::Client;
use openrouter_workspaces::types::{GetWorkspaceResponse, ListWorkspacesResponse};
use openrouter_workspaces_codegen::Config;
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};

use measure::{
    BENCH_WORKSPACES, client_for, process_cpu, raw_agent, raw_get, seed_bench_workspaces,
    seed_workspaces, thread_cpu, threads_created,
};

/// The workspace `get` asks for, and the page size of `list`: every workspace of the fixture.
const GET_SLUG: &str = "bench-01";
const LIST_LIMIT: u64 = BENCH_WORKSPACES;
/// The upstream document, beside the checkout (where `.ci/run` looks for it too).
const UPSTREAM_SPEC: &str = "../shared/openapi/openrouter-2026-08-22.yaml";

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--memory-child") => return memory_child(&args[1..]),
        Some("--calls-child") => return calls_child(&args[1..]),
        _ => {}
    }
    // `cargo bench` adds `--bench`; anything else that is not ours is ignored.
    let quick = args.iter().any(|a| a == "--quick")
        || std::env::var("BENCH_QUICK").is_ok_and(|v| v.trim() == "1");
    let started = Instant::now();
    let scale = if quick { Scale::QUICK } else { Scale::FULL };

    println!(
        "openrouter-workspaces benchmark ({} mode)",
        if quick { "quick" } else { "full" }
    );
    println!("machine: {}", machine());
    println!(
        "Absolute figures move with the machine's load; the interleaved client/raw ratios are the comparison."
    );

    let mut checks = Checks::default();
    let fixture = Fixture::start()?;
    wire(&fixture)?;
    compare_get(&fixture, &scale)?;
    compare_list(&fixture, &scale)?;
    per_call_counts(&fixture, &scale)?;
    connections(&mut checks)?;
    memory(&mut checks)?;
    server_throughput(&scale)?;
    build(&scale, &mut checks)?;

    println!("\nfinished in {:.1} s", started.elapsed().as_secs_f64());
    checks.verdict()
}

/// How much work each section does.
struct Scale {
    get_rounds: usize,
    get_batch: usize,
    list_rounds: usize,
    list_batch: usize,
    /// Rounds and calls per round of the in-process thread count.
    thread_rounds: usize,
    thread_batch: usize,
    /// Calls of the two child runs whose difference gives syscalls per call.
    strace_calls: (usize, usize),
    /// Child processes per side, and calls in each, for the process CPU per call.
    process_runs: usize,
    process_calls: usize,
    throughput_for: Duration,
    generator_runs: usize,
    noop_builds: usize,
    /// Whether to time a no-op `cargo build --release`, whose first run in a target
    /// directory compiles the library without dev-dependencies (minutes on 2 cores).
    release_noop: bool,
}

impl Scale {
    const QUICK: Scale = Scale {
        get_rounds: 10,
        get_batch: 200,
        list_rounds: 10,
        list_batch: 40,
        thread_rounds: 5,
        thread_batch: 100,
        strace_calls: (100, 300),
        process_runs: 1,
        process_calls: 1000,
        throughput_for: Duration::from_millis(700),
        generator_runs: 1,
        noop_builds: 1,
        release_noop: false,
    };
    const FULL: Scale = Scale {
        get_rounds: 60,
        get_batch: 1000,
        list_rounds: 60,
        list_batch: 250,
        thread_rounds: 20,
        thread_batch: 500,
        strace_calls: (200, 2200),
        process_runs: 5,
        process_calls: 5000,
        throughput_for: Duration::from_secs(4),
        generator_runs: 5,
        noop_builds: 3,
        release_noop: true,
    };
}

// ---------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------

fn median(values: &mut [Duration]) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn marker(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}

/// The checks of a run that do not depend on timing: a miss fails the run.
#[derive(Default)]
struct Checks {
    failed: Vec<String>,
}

impl Checks {
    /// Records the check `what`, and gives its marker: PASS or FAIL.
    fn check(&mut self, what: &str, pass: bool) -> &'static str {
        if pass {
            "PASS"
        } else {
            self.failed.push(what.to_string());
            "FAIL"
        }
    }

    /// An error naming every check that failed, if one did.
    fn verdict(self) -> Result<()> {
        if self.failed.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{} check(s) that do not depend on timing failed: {}",
            self.failed.len(),
            self.failed.join("; ")
        )
        .into())
    }
}

/// Figures of one side of a comparison.
#[derive(Default)]
struct Side {
    walls: Vec<Duration>,
    /// CPU per call of each round.
    cpu_per_round: Vec<Duration>,
}

impl Side {
    fn round(&mut self, batch: usize, call: &mut dyn FnMut()) {
        let cpu = thread_cpu();
        for _ in 0..batch {
            let t = Instant::now();
            call();
            self.walls.push(t.elapsed());
        }
        self.cpu_per_round
            .push((thread_cpu() - cpu) / u32::try_from(batch).unwrap_or(u32::MAX));
    }

    /// Median wall time per call and median over rounds of the CPU per call.
    fn summary(&mut self) -> (Duration, Duration) {
        (median(&mut self.walls), median(&mut self.cpu_per_round))
    }
}

/// The three sides of a comparison: the client, the baseline (raw ureq without timeouts)
/// and, for reference, raw ureq with the client's timeouts.
struct Sides<'a> {
    client: &'a mut dyn FnMut(),
    raw: &'a mut dyn FnMut(),
    raw_timeouts: &'a mut dyn FnMut(),
}

/// Runs the sides in interleaved rounds (which goes first rotates too) and prints the
/// medians, the client's ratios to the baseline and the targets.
fn compare(title: &str, rounds: usize, batch: usize, sides: Sides<'_>) {
    let mut calls: [&mut dyn FnMut(); 3] = [sides.client, sides.raw, sides.raw_timeouts];
    for _ in 0..batch.min(200) {
        for call in calls.iter_mut() {
            call();
        }
    }
    let mut figures: [Side; 3] = Default::default();
    for round in 0..rounds {
        for k in 0..3 {
            let i = (round + k) % 3;
            figures[i].round(batch, &mut *calls[i]);
        }
    }
    let [(wall, cpu), (raw_wall, raw_cpu), (t_wall, t_cpu)] = figures.map(|mut s| s.summary());
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let (wall_ratio, cpu_ratio) = (ratio(wall, raw_wall), ratio(cpu, raw_cpu));
    println!("\n{title}: {rounds} interleaved rounds of {batch} calls each");
    println!(
        "  {:<26}{:>11}{:>11}{:>8}   {:<13}{:>18}",
        "", "client", "raw ureq", "ratio", "target", "raw ureq+timeout"
    );
    println!(
        "  {:<26}{:>8.1} µs{:>8.1} µs{:>8.3}   ≤ 1.10  {}{:>13.1} µs ({:.2})",
        "wall per call, median",
        micros(wall),
        micros(raw_wall),
        wall_ratio,
        marker(wall_ratio <= 1.10),
        micros(t_wall),
        ratio(t_wall, raw_wall)
    );
    println!(
        "  {:<26}{:>8.1} µs{:>8.1} µs{:>8.3}   ≤ 1.05  {}{:>13.1} µs ({:.2})",
        "calling-thread CPU per call",
        micros(cpu),
        micros(raw_cpu),
        cpu_ratio,
        marker(cpu_ratio <= 1.05),
        micros(t_cpu),
        ratio(t_cpu, raw_cpu)
    );
}

// ---------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------

/// The in-process emulator with a full page of workspaces, shared by the sections that
/// compare the client with raw ureq. Its threads do the server's work; the measured
/// thread's CPU is the client's alone.
struct Fixture {
    emulator: Emulator,
}

impl Fixture {
    fn start() -> Result<Fixture> {
        let emulator = Emulator::start()?;
        seed_bench_workspaces(&client_for(emulator.base_url(), emulator.management_key())?)?;
        Ok(Fixture { emulator })
    }

    fn base_url(&self) -> &str {
        self.emulator.base_url()
    }

    fn key(&self) -> &str {
        self.emulator.management_key()
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.key())
    }

    fn get_url(&self) -> String {
        format!("{}/workspaces/{GET_SLUG}", self.base_url())
    }

    fn list_url(&self) -> String {
        format!("{}/workspaces?limit={LIST_LIMIT}", self.base_url())
    }
}

/// Compares the request heads of the client and of raw ureq, as a mockito server receives
/// them (the emulator does not keep heads): the same request line and header set.
fn wire(fixture: &Fixture) -> Result<()> {
    let body =
        raw_get::<serde_json::Value>(&raw_agent(false), &fixture.get_url(), &fixture.bearer())?;
    let mut server = mockito::Server::new();
    let heads: Arc<Mutex<Vec<BTreeSet<String>>>> = Arc::default();
    let seen = Arc::clone(&heads);
    let path = format!("/api/v1/workspaces/{GET_SLUG}");
    let _mock = server
        .mock("GET", path.as_str())
        .match_request(move |request| {
            let mut head: BTreeSet<String> = request
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = if name == "authorization" {
                        "Bearer <key>".into()
                    } else {
                        String::from_utf8_lossy(value.as_bytes()).into_owned()
                    };
                    format!("{name}: {value}")
                })
                .collect();
            head.insert(format!("{} {}", request.method(), request.path_and_query()));
            seen.lock().unwrap_or_else(|e| e.into_inner()).push(head);
            true
        })
        .with_header("content-type", "application/json")
        .with_body(serde_json::to_vec(&body)?)
        .create();
    let base = format!("{}/api/v1", server.url());
    client_for(&base, fixture.key())?
        .workspaces()
        .get(GET_SLUG)
        .send()?;
    raw_get::<GetWorkspaceResponse>(
        &raw_agent(false),
        &format!("{base}/workspaces/{GET_SLUG}"),
        &fixture.bearer(),
    )?;
    let heads = heads.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match heads.as_slice() {
        [ours, theirs] if ours == theirs => println!(
            "\nwire: the client's request head and raw ureq's are identical (request line and header set):\n      {}",
            ours.iter().cloned().collect::<Vec<_>>().join(" | ")
        ),
        [ours, theirs] => println!(
            "\nwire: the client's request head and raw ureq's are DIFFERENT:\n--- client\n{ours:#?}\n--- raw ureq\n{theirs:#?}"
        ),
        other => println!(
            "\nwire: expected 2 requests, the server saw {}",
            other.len()
        ),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (a) and (b): the client against raw ureq
// ---------------------------------------------------------------------------------------

/// Compares `client_call` with raw ureq's GET of `url`, decoded into the same model `T`.
fn compare_read<T: serde::de::DeserializeOwned>(
    fixture: &Fixture,
    title: &str,
    (rounds, batch): (usize, usize),
    url: &str,
    client_call: &mut dyn FnMut(),
) {
    let (agent, agent_timeouts) = (raw_agent(false), raw_agent(true));
    let bearer = fixture.bearer();
    let raw = |agent: &ureq::Agent| {
        black_box(raw_get::<T>(agent, url, &bearer).expect("the emulator answers"));
    };
    compare(
        title,
        rounds,
        batch,
        Sides {
            client: client_call,
            raw: &mut || raw(&agent),
            raw_timeouts: &mut || raw(&agent_timeouts),
        },
    );
}

fn compare_get(fixture: &Fixture, scale: &Scale) -> Result<()> {
    let client = client_for(fixture.base_url(), fixture.key())?;
    compare_read::<GetWorkspaceResponse>(
        fixture,
        "(a) get one workspace: client.workspaces().get(..).send() vs raw ureq + serde_json",
        (scale.get_rounds, scale.get_batch),
        &fixture.get_url(),
        &mut || {
            black_box(
                client
                    .workspaces()
                    .get(GET_SLUG)
                    .send()
                    .expect("the emulator answers"),
            );
        },
    );
    Ok(())
}

fn compare_list(fixture: &Fixture, scale: &Scale) -> Result<()> {
    let client = client_for(fixture.base_url(), fixture.key())?;
    let page = client.workspaces().list().limit(LIST_LIMIT).send()?;
    assert_eq!(
        page.data.len() as u64,
        LIST_LIMIT,
        "the fixture holds a full page"
    );
    compare_read::<ListWorkspacesResponse>(
        fixture,
        "(b) list one page of 50: list().limit(50).send() vs raw ureq + serde_json",
        (scale.list_rounds, scale.list_batch),
        &fixture.list_url(),
        &mut || {
            black_box(
                client
                    .workspaces()
                    .list()
                    .limit(LIST_LIMIT)
                    .send()
                    .expect("the emulator answers"),
            );
        },
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (c) Threads created and syscalls per call
// ---------------------------------------------------------------------------------------

/// The sides of (c), as the child process names them.
const SIDES: [&str; 3] = ["client", "raw", "raw+timeouts"];
/// Calls a child makes before the counted ones: connection, pool and allocator settle.
const CHILD_WARMUP: usize = 50;

/// One side's `get`, boxed: the client, raw ureq, or raw ureq with the client's timeouts.
fn get_call(side: &str, base_url: &str, key: &str) -> Result<Box<dyn FnMut() -> Result<()>>> {
    let url = format!("{base_url}/workspaces/{GET_SLUG}");
    let bearer = format!("Bearer {key}");
    Ok(match side {
        "client" => {
            let client = client_for(base_url, key)?;
            Box::new(move || {
                black_box(client.workspaces().get(GET_SLUG).send()?);
                Ok(())
            })
        }
        "raw" | "raw+timeouts" => {
            let agent = raw_agent(side == "raw+timeouts");
            Box::new(move || {
                black_box(raw_get::<GetWorkspaceResponse>(&agent, &url, &bearer)?);
                Ok(())
            })
        }
        other => return Err(format!("unknown side {other}").into()),
    })
}

/// In a child process (the server stays in the parent): warm up, make `calls` gets, and
/// print the CPU time of the whole process and of the calling thread over those calls.
fn calls_child(args: &[String]) -> Result<()> {
    let [side, calls, base_url, key] = args else {
        return Err("usage: --calls-child SIDE CALLS BASE_URL KEY".into());
    };
    let calls: usize = calls.parse()?;
    let mut call = get_call(side, base_url, key)?;
    for _ in 0..CHILD_WARMUP {
        call()?;
    }
    let (process, thread) = (process_cpu(), thread_cpu());
    for _ in 0..calls {
        call()?;
    }
    println!(
        "{} {}",
        (process_cpu() - process).as_nanos(),
        (thread_cpu() - thread).as_nanos()
    );
    Ok(())
}

fn per_call_counts(fixture: &Fixture, scale: &Scale) -> Result<()> {
    println!("\n(c) threads created and syscalls per get (steady state: one pooled connection)");
    let sides = SIDES
        .iter()
        .map(|side| get_call(side, fixture.base_url(), fixture.key()))
        .collect::<Result<Vec<_>>>()?;

    // Threads, in this process, from TIDs.
    let mut threads = Vec::new();
    for (side, mut call) in SIDES.iter().zip(sides) {
        for _ in 0..20 {
            call()?;
        }
        let mut least: Option<u64> = None;
        let mut failed = None;
        for _ in 0..scale.thread_rounds {
            let created = threads_created(|| {
                for _ in 0..scale.thread_batch {
                    if let Err(e) = call() {
                        failed = Some(e);
                    }
                }
            });
            if let Some(created) = created {
                least = Some(least.map_or(created, |l| l.min(created)));
            }
        }
        if let Some(e) = failed {
            return Err(format!("{side}: {e}").into());
        }
        threads.push(least.map(|n| n as f64 / scale.thread_batch as f64));
    }
    println!(
        "  threads created per call (TIDs; least of {} rounds of {} calls):",
        scale.thread_rounds, scale.thread_batch
    );
    for (side, per_call) in SIDES.iter().zip(&threads) {
        match (side, per_call) {
            (_, None) => println!("    {side:<14} not measured (the TID counter wrapped)"),
            (&"client", Some(n)) => {
                println!("    {side:<14} {n:>6.2}   target 0  {}", marker(*n == 0.0))
            }
            (_, Some(n)) => println!("    {side:<14} {n:>6.2}"),
        }
    }

    process_cpu_per_call(fixture, scale)?;
    syscalls_per_call(fixture, scale)
}

/// Runs this executable as a child process with `args` and then the server's `base_url`
/// and `key` (the server stays in this process), and reads the `N` numbers it prints;
/// `what` names the child in an error.
fn child_figures<const N: usize>(
    what: &str,
    args: &[&str],
    base_url: &str,
    key: &str,
) -> Result<[u64; N]> {
    let output = Command::new(std::env::current_exe()?)
        .args(args)
        .args([base_url, key])
        .stderr(Stdio::inherit())
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let numbers: Vec<u64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    numbers
        .try_into()
        .map_err(|_| format!("the {what} child printed {text:?}").into())
}

/// CPU of the client's whole process per call, threads it spawns included (the calling
/// thread's figure in (a) leaves them out), from child processes run in turn.
fn process_cpu_per_call(fixture: &Fixture, scale: &Scale) -> Result<()> {
    let mut figures: [(Vec<Duration>, Vec<Duration>); 3] = Default::default();
    for _ in 0..scale.process_runs {
        for (i, side) in SIDES.iter().enumerate() {
            let [process, thread] = child_figures(
                side,
                &["--calls-child", side, &scale.process_calls.to_string()],
                fixture.base_url(),
                fixture.key(),
            )?;
            let per_call = |ns: u64| Duration::from_nanos(ns / scale.process_calls as u64);
            figures[i].0.push(per_call(process));
            figures[i].1.push(per_call(thread));
        }
    }
    println!(
        "  CPU per call in a child process doing {} gets (median of {} run(s) per side):",
        scale.process_calls, scale.process_runs
    );
    println!(
        "    {:<14}{:>16}{:>18}",
        "", "whole process", "calling thread"
    );
    for (side, (process, thread)) in SIDES.iter().zip(figures.iter_mut()) {
        println!(
            "    {side:<14}{:>13.1} µs{:>15.1} µs",
            micros(median(process)),
            micros(median(thread))
        );
    }
    Ok(())
}

/// Per-syscall counts of a `strace -c` summary.
fn strace_summary(text: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "% time  seconds  usecs/call  calls  [errors]  syscall"
        if !(5..=6).contains(&fields.len()) || fields[0].parse::<f64>().is_err() {
            continue;
        }
        let name = fields[fields.len() - 1];
        if let (Ok(calls), false) = (fields[3].parse::<u64>(), name == "total") {
            counts.insert(name.to_string(), calls);
        }
    }
    counts
}

/// Syscalls per call, from `strace -f -c` of a child process (the server stays in this
/// one). Two runs with different numbers of calls, same start-up and warm-up: their
/// difference, divided by the difference in calls, is what one call in steady state makes,
/// on the calling thread and on any thread the call spawns (`-f`).
fn syscalls_per_call(fixture: &Fixture, scale: &Scale) -> Result<()> {
    let available = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        println!(
            "  syscalls per call: SKIPPED (strace is not installed: `apt-get install -y strace` and run again)"
        );
        return Ok(());
    }
    let exe = std::env::current_exe()?;
    let out = std::env::temp_dir().join(format!("orw-strace-{}", std::process::id()));
    let traced = |side: &str, calls: usize| -> Result<BTreeMap<String, u64>> {
        let output = Command::new("strace")
            .args(["-f", "-c", "-q", "-o"])
            .arg(&out)
            .arg("--")
            .arg(&exe)
            .args(["--calls-child", side, &calls.to_string()])
            .args([fixture.base_url(), fixture.key()])
            .stdout(Stdio::null())
            .output()?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(stderr.lines().next().unwrap_or("strace failed").into());
        }
        Ok(strace_summary(&std::fs::read_to_string(&out)?))
    };
    let (few, many) = scale.strace_calls;
    let mut per_side = Vec::new();
    let mut totals = Vec::new();
    for side in SIDES {
        let counted = traced(side, few).and_then(|a| Ok((a, traced(side, many)?)));
        let (a, b) = match counted {
            Ok(runs) => runs,
            Err(e) => {
                let _ = std::fs::remove_file(&out);
                println!("  syscalls per call: SKIPPED (strace could not trace: {e})");
                return Ok(());
            }
        };
        let calls = (many - few) as f64;
        let sum = |m: &BTreeMap<String, u64>| m.values().sum::<u64>() as f64;
        totals.push((sum(&b) - sum(&a)) / calls);
        // The syscalls that one call in twenty or more makes.
        let per_call: BTreeMap<String, f64> = b
            .iter()
            .map(|(name, &n)| {
                let d = n as f64 - a.get(name).copied().unwrap_or(0) as f64;
                (name.clone(), d / calls)
            })
            .filter(|(_, d)| d.abs() >= 0.05)
            .collect();
        per_side.push(per_call);
    }
    let _ = std::fs::remove_file(&out);
    let clones = |m: &BTreeMap<String, f64>| {
        m.get("clone").copied().unwrap_or(0.0) + m.get("clone3").copied().unwrap_or(0.0)
    };
    let raw_total = totals[1];
    println!(
        "  syscalls per call (strace -f -c; runs of {few} and {many} calls after {CHILD_WARMUP} of warm-up, difference / {}):",
        many - few
    );
    for ((side, counts), &total) in SIDES.iter().zip(&per_side).zip(&totals) {
        let target = if *side == "client" {
            format!(
                "   target ≤ raw + 1 = {:.1}  {}",
                raw_total + 1.0,
                marker(total <= raw_total + 1.0)
            )
        } else {
            String::new()
        };
        println!(
            "    {side:<14}{total:>6.1} syscalls, {:.2} clone/clone3{target}",
            clones(counts)
        );
        let shown: Vec<String> = counts
            .iter()
            .map(|(name, n)| format!("{name} {n:.1}"))
            .collect();
        println!("      {}", shown.join(", "));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (d) Connections
// ---------------------------------------------------------------------------------------

fn connections(checks: &mut Checks) -> Result<()> {
    println!("\n(d) connections");
    let emulator = Emulator::start()?;
    let client = client_for(emulator.base_url(), emulator.management_key())?;
    emulator.reset_counters();
    for _ in 0..1000 {
        client.workspaces().get("default").send()?;
    }
    let count = emulator.connection_count();
    println!(
        "  1,000 sequential gets on one Client: {} requests over {count} TCP connection(s)   target 1  {}",
        emulator.request_count(),
        checks.check("1,000 gets on one connection", count == 1)
    );

    // A server that closes the pooled connection, as production servers and load balancers
    // do with idle ones (tests/transport.rs checks the same, twenty times).
    let attempts = Arc::new(AtomicU32::new(0));
    let failed = Arc::new(AtomicU32::new(0));
    let (seen, failures) = (Arc::clone(&attempts), Arc::clone(&failed));
    let client = Client::builder()
        .api_key(emulator.management_key())
        .base_url(emulator.base_url())
        .on_attempt(move |attempt| {
            seen.fetch_add(1, Ordering::Relaxed);
            if !matches!(
                attempt.outcome,
                openrouter_workspaces::AttemptOutcome::Status(200)
            ) {
                failures.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build()?;
    client.workspaces().get("default").send()?;
    emulator.close_connections();
    let (before, connections) = (
        attempts.load(Ordering::Relaxed),
        emulator.connection_count(),
    );
    let result = client.workspaces().get("default").send();
    let used = attempts.load(Ordering::Relaxed) - before;
    let ok = result.is_ok() && used == 1 && failed.load(Ordering::Relaxed) == 0;
    println!(
        "  the server closed the pooled connection; the next call: {}, {used} attempt(s), {} new connection(s)   target: success in 1 attempt  {}",
        match &result {
            Ok(_) => "succeeded".to_string(),
            Err(e) => format!("failed ({e})"),
        },
        emulator.connection_count() - connections,
        checks.check("a closed pooled connection replaced without a retry", ok)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (e) Memory
// ---------------------------------------------------------------------------------------

/// A field of `/proc/self/status` in KiB.
fn proc_status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix(field)?
                    .trim_start_matches(':')
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

/// In a child process: iterate `count` items of `kind` and print the peak RSS before and
/// after. The server lives in the parent, so its memory is not in the figure.
fn memory_child(args: &[String]) -> Result<()> {
    let [kind, count, base_url, key] = args else {
        return Err("usage: --memory-child KIND COUNT BASE_URL KEY".into());
    };
    let count: usize = count.parse()?;
    let client = client_for(base_url, key)?;
    // One full page first: the connection, the buffers and the allocator's arenas exist
    // before the baseline, so what follows is what iteration itself adds.
    client.workspaces().list().limit(100).send()?;
    client
        .workspaces()
        .list_members("default")
        .limit(100)
        .send()?;
    let before = proc_status_kib("VmHWM");
    let mut seen = 0usize;
    let mut kept = Vec::new();
    match kind.as_str() {
        "workspaces" => {
            for workspace in client.workspaces().list().limit(100).items().take(count) {
                black_box(workspace?);
                seen += 1;
            }
        }
        "members" => {
            for member in client
                .workspaces()
                .list_members("default")
                .limit(100)
                .items()
                .take(count)
            {
                black_box(member?);
                seen += 1;
            }
        }
        // The contrast: keeping every item, as a collect-everything API would.
        "collected" => {
            for workspace in client.workspaces().list().limit(100).items().take(count) {
                kept.push(workspace?);
            }
            seen = kept.len();
        }
        other => return Err(format!("unknown kind {other}").into()),
    }
    let after = proc_status_kib("VmHWM");
    black_box(&kept);
    println!("{seen} {before} {after}");
    Ok(())
}

fn memory(checks: &mut Checks) -> Result<()> {
    const SIZES: [usize; 2] = [1_000, 10_000];
    let largest = SIZES[SIZES.len() - 1];
    println!("\n(e) memory: peak RSS (VmHWM) of a child process iterating .items() with limit 100");
    let setup = Instant::now();
    // The default workspace lists every organisation user; the first is its admin.
    let users = (0..largest).map(|i| {
        let role = if i == 0 {
            openrouter_workspaces::types::WorkspaceMemberRole::Admin
        } else {
            openrouter_workspaces::types::WorkspaceMemberRole::Member
        };
        (format!("user_{i:05}"), role)
    });
    let emulator = Emulator::start_with(EmulatorConfig::new().org_users(users))?;
    let client = client_for(emulator.base_url(), emulator.management_key())?;
    seed_workspaces(&client, largest as u64, |create, i| {
        create
            .name(format!("Workspace {i}"))
            .slug(format!("ws-{i:05}"))
    })?;
    println!(
        "  emulator seeded with {largest} workspaces and {largest} members of the default one in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let run = |kind: &str, count: usize| -> Result<(u64, u64, u64)> {
        let [seen, before, after] = child_figures(
            "memory",
            &["--memory-child", kind, &count.to_string()],
            emulator.base_url(),
            emulator.management_key(),
        )?;
        Ok((seen, before, after))
    };
    println!(
        "  {:<12}{:>8}{:>14}{:>14}{:>12}",
        "items", "count", "VmHWM before", "VmHWM after", "growth"
    );
    for kind in ["workspaces", "members", "collected"] {
        let mut growths = Vec::new();
        for &count in &SIZES {
            let (seen, before, after) = run(kind, count)?;
            let growth = after.saturating_sub(before);
            growths.push(growth);
            let label = if kind == "collected" {
                "collected*"
            } else {
                kind
            };
            println!("  {label:<12}{seen:>8}{before:>10} KiB{after:>10} KiB{growth:>8} KiB");
        }
        let extra = growths[1].saturating_sub(growths[0]);
        let per_item = extra as f64 * 1024.0 / (SIZES[1] - SIZES[0]) as f64;
        if kind == "collected" {
            println!(
                "  * contrast, not a target: the same workspaces kept in a Vec grow by {extra} KiB ({per_item:.0} bytes per extra item), which shows the measurement sees growth"
            );
        } else {
            // Flat: ten times the items costs no more than a page's worth more memory.
            let flat = extra <= 256;
            println!(
                "    {kind}: 10,000 items need {extra} KiB more than 1,000 ({per_item:.1} bytes per extra item)   target: flat (≤ 256 KiB)  {}",
                checks.check(&format!("flat memory while paging {kind}"), flat)
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (f) The emulator's throughput
// ---------------------------------------------------------------------------------------

fn server_throughput(scale: &Scale) -> Result<()> {
    const CLIENTS: usize = 4;
    let emulator = Emulator::start()?;
    let barrier = Arc::new(Barrier::new(CLIENTS + 1));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let client = client_for(emulator.base_url(), emulator.management_key())?;
        let (barrier, stop) = (Arc::clone(&barrier), Arc::clone(&stop));
        workers.push(thread::spawn(move || -> u64 {
            client.workspaces().get("default").send().expect("warm-up");
            barrier.wait();
            let mut done = 0;
            while !stop.load(Ordering::Relaxed) {
                client
                    .workspaces()
                    .get("default")
                    .send()
                    .expect("emulator answers");
                done += 1;
            }
            done
        }));
    }
    barrier.wait();
    let started = Instant::now();
    thread::sleep(scale.throughput_for);
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for worker in workers {
        total += worker.join().map_err(|_| "a load thread panicked")?;
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    println!(
        "\n(f) emulator throughput: {CLIENTS} keep-alive clients (our Client, same process, same 2 cores as the server) doing get for {:.1} s",
        scale.throughput_for.as_secs_f64()
    );
    println!(
        "  {rate:.0} requests/s over {} connections   target ≥ 10,000  {}",
        emulator.connection_count(),
        marker(rate >= 10_000.0)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (g) The build
// ---------------------------------------------------------------------------------------

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory this benchmark was built in: `CARGO_TARGET_DIR`, or three levels
/// above the executable (`<target>/release/deps/client-<hash>`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            manifest_dir().join(dir)
        };
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| manifest_dir().join("target"))
}

/// What one cargo run did.
struct CargoRun {
    took: Duration,
    compiled: Vec<String>,
    ran_build_script: bool,
}

/// Runs cargo in the workspace with `-v`; gives up (killing the child it started) if
/// cargo waits for the build-directory lock, which is held while it runs this benchmark.
fn run_cargo(args: &[&str]) -> Result<CargoRun> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .arg("-v")
        .current_dir(manifest_dir())
        .env("CARGO_TARGET_DIR", target_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // The environment cargo gives a running benchmark is not the caller's: build scripts
    // that track those variables (ring's tracks CARGO_MANIFEST_DIR) would rerun, and the
    // "no-op" would rebuild half the tree, and again on the next outer build.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                &*name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "OUT_DIR"
            )
        {
            command.env_remove(&*name);
        }
    }
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        // Cargo prepends the target directory and the toolchain's libraries; keep the rest.
        let target = target_dir();
        let kept: Vec<PathBuf> = std::env::split_paths(&paths)
            .filter(|p| !p.starts_with(&target) && !p.to_string_lossy().contains("/toolchains/"))
            .collect();
        if kept.is_empty() {
            command.env_remove("LD_LIBRARY_PATH");
        } else {
            command.env("LD_LIBRARY_PATH", std::env::join_paths(kept)?);
        }
    }
    let started = Instant::now();
    let mut child = command.spawn()?;
    let stderr = child.stderr.take().ok_or("cargo's stderr was not piped")?;
    let (lines, received) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr)
            .lines()
            .map_while(std::result::Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut compiled = Vec::new();
    let mut ran_build_script = false;
    for line in received {
        let line = line.trim().to_string();
        if line.starts_with("Blocking waiting for file lock") {
            let _ = child.kill();
            let _ = child.wait();
            return Err("cargo waits for the build-directory lock".into());
        }
        if let Some(unit) = line.strip_prefix("Compiling ") {
            compiled.push(unit.split(' ').next().unwrap_or(unit).to_string());
        }
        if line.starts_with("Running `")
            && line.contains("/build/openrouter-workspaces-")
            && line.contains("build-script-build")
        {
            ran_build_script = true;
        }
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("cargo {} failed: {status}", args.join(" ")).into());
    }
    Ok(CargoRun {
        took: started.elapsed(),
        compiled,
        ran_build_script,
    })
}

/// The file `name` in each build directory of the root package's build script in
/// `profile` (not the generator's), with its modification time, where it exists.
fn root_build_files(profile: &str, name: &str) -> Vec<(PathBuf, SystemTime)> {
    let dir = target_dir().join(profile).join("build");
    std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("openrouter-workspaces-") && !name.contains("codegen")
        })
        .filter_map(|e| {
            let path = e.path().join(name);
            let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
            Some((path, modified))
        })
        .collect()
}

/// The modification times of the build script's recorded outputs, for the root package.
fn build_script_outputs(profile: &str) -> Vec<(PathBuf, SystemTime)> {
    let mut outputs = root_build_files(profile, "output");
    outputs.sort();
    outputs
}

fn build(scale: &Scale, checks: &mut Checks) -> Result<()> {
    println!("\n(g) build (target dir {})", target_dir().display());
    if let Err(e) = no_op_builds(scale, checks) {
        println!(
            "  no-op build not checked: {e}; check it with `cargo build --release -v` after the benchmark  {}",
            checks.check("a no-op build (not checked)", false)
        );
    }
    let ours = manifest_dir().join("openapi").join("workspaces.yaml");
    let upstream = Some(manifest_dir().join(UPSTREAM_SPEC)).filter(|p| p.is_file());
    if upstream.is_none() {
        println!("  upstream document not found at {UPSTREAM_SPEC}: generator timed on ours only");
    }
    generator_in_process(scale, &ours, upstream.as_deref())?;
    generator_as_cargo_runs_it(scale, upstream.as_deref())
}

fn report_generator(label: &str, took: Duration, limit_ms: u64) {
    println!(
        "    {label}: {:.0} ms   target < {limit_ms} ms  {}",
        took.as_secs_f64() * 1e3,
        marker(took < Duration::from_millis(limit_ms))
    );
}

/// Times cargo with nothing to do, and checks that the build script did not rerun.
fn no_op_builds(scale: &Scale, checks: &mut Checks) -> Result<()> {
    let mut noop = |label: &str, args: &[&str]| -> Result<()> {
        let before = build_script_outputs("release");
        let mut times = Vec::new();
        let mut reran = false;
        let mut compiled = BTreeSet::new();
        for _ in 0..scale.noop_builds {
            let run = run_cargo(args)?;
            times.push(run.took);
            reran |= run.ran_build_script;
            compiled.extend(run.compiled);
        }
        let untouched = before == build_script_outputs("release") && !before.is_empty();
        println!(
            "  {label}: {:.0} ms (median of {}), build script {}, output mtime {}, compiled {}   target: nothing reruns  {}",
            median(&mut times).as_secs_f64() * 1e3,
            times.len(),
            if reran { "RERAN" } else { "not rerun" },
            if untouched {
                "unchanged"
            } else {
                "CHANGED or missing"
            },
            if compiled.is_empty() {
                "nothing".to_string()
            } else {
                compiled.into_iter().collect::<Vec<_>>().join(", ")
            },
            checks.check(label, !reran && untouched)
        );
        Ok(())
    };
    // Exactly what this run was built from: certainly up to date.
    noop(
        "no-op `cargo bench --bench client --no-run`",
        &["bench", "--bench", "client", "--no-run"],
    )?;
    // The library alone resolves other features than the benchmark (no dev-dependencies),
    // so the first such build of a target directory may compile; the next ones are timed.
    if !scale.release_noop {
        println!("  no-op `cargo build --release`: skipped in quick mode");
        return Ok(());
    }
    let build_args = ["build", "--release"];
    let warm = run_cargo(&build_args)?;
    if !warm.compiled.is_empty() {
        println!(
            "  (first `cargo build --release` of this target dir compiled {} unit(s) in {:.1} s; timing the next ones)",
            warm.compiled.len(),
            warm.took.as_secs_f64()
        );
    }
    noop("no-op `cargo build --release`", &build_args)
}

/// The generator optimised, called in this process.
fn generator_in_process(scale: &Scale, ours: &Path, upstream: Option<&Path>) -> Result<()> {
    let time = |spec: &Path| -> Result<Duration> {
        let config = Config::new(spec);
        let mut times = Vec::new();
        for _ in 0..scale.generator_runs {
            let t = Instant::now();
            black_box(openrouter_workspaces_codegen::generate(&config)?);
            times.push(t.elapsed());
        }
        Ok(median(&mut times))
    };
    println!(
        "  generator, optimised, in process (median of {}):",
        scale.generator_runs
    );
    report_generator("our document (openapi/workspaces.yaml)", time(ours)?, 100);
    if let Some(upstream) = upstream {
        report_generator(
            "upstream openrouter-2026-08-22.yaml, tag Workspaces",
            time(upstream)?,
            300,
        );
    }
    Ok(())
}

/// The generator as cargo runs it: the compiled build script, in the build-override
/// profile (opt-level 0 unless the manifest says otherwise), writing to a scratch OUT_DIR.
fn generator_as_cargo_runs_it(scale: &Scale, upstream: Option<&Path>) -> Result<()> {
    let Some(script) = newest_build_script("release") else {
        println!(
            "  build script binary not found under {}: skipped",
            target_dir().display()
        );
        return Ok(());
    };
    println!(
        "  generator as cargo runs it ({}, build-override profile, median of {}):",
        script
            .strip_prefix(target_dir())
            .unwrap_or(&script)
            .display(),
        scale.generator_runs
    );
    let out_dir = std::env::temp_dir().join(format!("orw-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir)?;
    let time = |spec: Option<&Path>| -> Result<Duration> {
        let mut times = Vec::new();
        for _ in 0..scale.generator_runs {
            let mut command = Command::new(&script);
            command
                .env("OUT_DIR", &out_dir)
                .env("CARGO_MANIFEST_DIR", manifest_dir())
                .env_remove("OPENROUTER_OPENAPI_SPEC")
                .env_remove("OPENROUTER_OPENAPI_TAGS")
                .env_remove("OPENROUTER_OPENAPI_STRICT")
                .stdout(Stdio::null());
            if let Some(spec) = spec {
                command.env("OPENROUTER_OPENAPI_SPEC", spec);
            }
            let t = Instant::now();
            let status = command.status()?;
            times.push(t.elapsed());
            if !status.success() {
                return Err(format!("{} failed: {status}", script.display()).into());
            }
        }
        Ok(median(&mut times))
    };
    let measured = (|| -> Result<()> {
        report_generator("our document", time(None)?, 100);
        if let Some(upstream) = upstream {
            report_generator("upstream, tag Workspaces", time(Some(upstream))?, 300);
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&out_dir);
    measured
}

/// The most recently built `build-script-build` of the root package in `profile`.
fn newest_build_script(profile: &str) -> Option<PathBuf> {
    root_build_files(profile, "build-script-build")
        .into_iter()
        .map(|(path, modified)| (modified, path))
        .max()
        .map(|(_, path)| path)
}

fn machine() -> String {
    let cpus = thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split(':')
                    .nth(1)
                    .map(|m| m.trim().to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPU(s), {model}")
}
