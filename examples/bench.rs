//! Latency, client CPU and threads per call of one operation, against the emulator or any
//! server, beside raw ureq doing the same exchange.
//!
//! ```text
//! cargo run --release --example bench                             # in-process emulator, get
//! cargo run --release --example bench -- --op list --calls 5000   # a page of 50 workspaces
//! OPENROUTER_API_KEY=... cargo run --release --example bench -- \
//!     --base-url https://openrouter.ai/api/v1 --id my-workspace --calls 50
//! ```
//!
//! Without `--base-url` it starts the crate's emulator in this process (no key, no
//! network) with the benchmark's 50 workspaces (`benches/measure`). With it, the key comes
//! from `OPENROUTER_API_KEY`, and only reads are sent: `get` reads the workspace given by
//! `--id`, `list` one page of 50.
//!
//! Three sides make the same calls in interleaved rounds: the client; raw ureq without
//! timeouts (the baseline: the transport's own cost, same request head, same typed
//! decode); raw ureq with the client's timeouts, for reference (ureq 3.5 then spawns a
//! thread per request to resolve the address). Each side's calls are sequential on one
//! agent, so they share one keep-alive connection.

#[path = "../benches/measure/mod.rs"]
mod measure;

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use openrouter_workspaces::API_KEY_ENV;
use openrouter_workspaces::types::{GetWorkspaceResponse, ListWorkspacesResponse};
use openrouter_workspaces_emulator::Emulator;

const USAGE: &str = "usage: bench [--base-url URL] [--calls N] [--op get|list] [--id SLUG]";
/// Rounds per side: the calls are split into this many interleaved rounds.
const ROUNDS: usize = 10;

struct Args {
    base_url: Option<String>,
    calls: usize,
    op: Op,
    id: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Get,
    List,
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        base_url: None,
        calls: 2000,
        op: Op::Get,
        id: None,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--base-url" => parsed.base_url = Some(value()?),
            "--calls" => {
                parsed.calls = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--calls takes a positive number")?;
            }
            "--op" => {
                parsed.op = match value()?.as_str() {
                    "get" => Op::Get,
                    "list" => Op::List,
                    other => return Err(format!("unknown --op {other}")),
                }
            }
            "--id" => parsed.id = Some(value()?),
            "-h" | "--help" => return Err("Benchmarks one operation.".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(parsed)
}

type Call<'a> = Box<dyn FnMut() -> Result<(), Box<dyn std::error::Error>> + 'a>;

/// What one side measured.
#[derive(Default)]
struct Figures {
    latencies: Vec<Duration>,
    wall: Duration,
    cpu: Duration,
    /// Least threads created in a round (an upper bound: see `measure::threads_created`).
    threads: Option<u64>,
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of `run`: dropping it stops the server.
    let emulator;
    let (base_url, key, id) = match &args.base_url {
        Some(url) => {
            let key = std::env::var(API_KEY_ENV)
                .map_err(|_| format!("{API_KEY_ENV} is needed with --base-url"))?;
            let id = match (&args.id, args.op) {
                (Some(id), _) => id.clone(),
                (None, Op::Get) => return Err("--id SLUG is needed for get with --base-url".into()),
                (None, Op::List) => String::new(),
            };
            (url.trim_end_matches('/').to_string(), key, id)
        }
        None => {
            emulator = Emulator::start()?;
            measure::seed_bench_workspaces(&measure::client_for(
                emulator.base_url(),
                emulator.management_key(),
            )?)?;
            let id = args.id.clone().unwrap_or_else(|| "bench-01".into());
            (
                emulator.base_url().to_string(),
                emulator.management_key().to_string(),
                id,
            )
        }
    };

    let client = measure::client_for(&base_url, &key)?;
    let bearer = format!("Bearer {key}");
    // The same path the client builds; the id is used as given (a slug needs no encoding).
    let url = match args.op {
        Op::Get => format!("{base_url}/workspaces/{id}"),
        Op::List => format!("{base_url}/workspaces?limit=50"),
    };
    let raw = |agent: ureq::Agent| -> Call<'_> {
        let (url, bearer) = (url.as_str(), bearer.as_str());
        Box::new(move || {
            match args.op {
                Op::Get => {
                    black_box(measure::raw_get::<GetWorkspaceResponse>(
                        &agent, url, bearer,
                    )?);
                }
                Op::List => {
                    black_box(measure::raw_get::<ListWorkspacesResponse>(
                        &agent, url, bearer,
                    )?);
                }
            }
            Ok(())
        })
    };
    let mut sides: [(&str, Call<'_>); 3] = [
        (
            "client",
            Box::new(|| {
                match args.op {
                    Op::Get => {
                        black_box(client.workspaces().get(id.as_str()).send()?);
                    }
                    Op::List => {
                        black_box(client.workspaces().list().limit(50).send()?);
                    }
                }
                Ok(())
            }),
        ),
        ("raw ureq", raw(measure::raw_agent(false))),
        ("raw ureq+timeouts", raw(measure::raw_agent(true))),
    ];

    // Warm-up: the connections, the pools and the allocator settle before timing.
    for _ in 0..(args.calls / 10).clamp(1, 200) {
        for (_, call) in sides.iter_mut() {
            call()?;
        }
    }
    let batch = args.calls.div_ceil(ROUNDS);
    let mut figures: [Figures; 3] = Default::default();
    for round in 0..ROUNDS {
        for k in 0..3 {
            let i = (round + k) % 3;
            let (call, side) = (&mut sides[i].1, &mut figures[i]);
            let mut failed = None;
            // The probe threads of the count are outside the timed part.
            let threads = measure::threads_created(|| {
                let (cpu, started) = (measure::thread_cpu(), Instant::now());
                for _ in 0..batch {
                    let t = Instant::now();
                    if let Err(e) = call() {
                        failed = Some(e);
                        return;
                    }
                    side.latencies.push(t.elapsed());
                }
                side.cpu += measure::thread_cpu() - cpu;
                side.wall += started.elapsed();
            });
            if let Some(e) = failed {
                return Err(e);
            }
            if let Some(n) = threads {
                side.threads = Some(side.threads.map_or(n, |least| least.min(n)));
            }
        }
    }

    println!(
        "{} {} per side in {ROUNDS} interleaved rounds, against {}",
        batch * ROUNDS,
        match args.op {
            Op::Get => "get",
            Op::List => "list (limit 50)",
        },
        args.base_url
            .as_deref()
            .unwrap_or("the in-process emulator")
    );
    println!(
        "  {:<18}{:>10}{:>12}{:>12}{:>16}{:>17}",
        "", "calls/s", "median", "p99", "CPU per call", "threads/call"
    );
    let calls = (batch * ROUNDS) as f64;
    for ((name, _), side) in sides.iter().zip(figures.iter_mut()) {
        side.latencies.sort_unstable();
        let at = |q: f64| side.latencies[((side.latencies.len() - 1) as f64 * q).round() as usize];
        println!(
            "  {name:<18}{:>10.0}{:>9.1} µs{:>9.1} µs{:>13.1} µs{:>17}",
            calls / side.wall.as_secs_f64(),
            micros(at(0.5)),
            micros(at(0.99)),
            micros(side.cpu) / calls,
            side.threads.map_or("-".to_string(), |n| format!(
                "{:.2}",
                n as f64 / batch as f64
            ))
        );
    }
    let ratio = micros(figures[0].cpu) / micros(figures[1].cpu);
    println!(
        "  client CPU / raw ureq CPU: {ratio:.3}   target ≤ 1.05  {}",
        if ratio <= 1.05 { "PASS" } else { "MISS" }
    );
    // CPU is the calling thread's (getrusage RUSAGE_THREAD): a thread spawned by the call
    // runs elsewhere and is not in it; threads/call shows it. Threads per call is the least
    // over the rounds, counted from TIDs: other processes can only add to it.
    Ok(())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
