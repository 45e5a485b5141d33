//! Calls per second, latency and client CPU of one operation, against the emulator or any
//! server.
//!
//! ```text
//! cargo run --release --example bench                             # in-process emulator, get
//! cargo run --release --example bench -- --op list --calls 5000   # a page of 50 workspaces
//! OPENROUTER_API_KEY=... cargo run --release --example bench -- \
//!     --base-url https://openrouter.ai/api/v1 --id my-workspace --calls 50
//! ```
//!
//! Without `--base-url` it starts the crate's emulator in this process (no key, no
//! network) with 50 workspaces. With it, the key comes from `OPENROUTER_API_KEY`, and only
//! reads are sent: `get` reads the workspace given by `--id`, `list` one page of 50.
//! Calls are sequential on one client, so they share one keep-alive connection.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use openrouter_workspaces::{API_KEY_ENV, Client};
use openrouter_workspaces_emulator::Emulator;

const USAGE: &str = "usage: bench [--base-url URL] [--calls N] [--op get|list] [--id SLUG]";

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

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of `run`: dropping it stops the server.
    let emulator;
    let (client, id) = match &args.base_url {
        Some(url) => {
            let key = std::env::var(API_KEY_ENV)
                .map_err(|_| format!("{API_KEY_ENV} is needed with --base-url"))?;
            let client = Client::builder().api_key(key).base_url(url).build()?;
            let id = match (&args.id, args.op) {
                (Some(id), _) => id.clone(),
                (None, Op::Get) => return Err("--id SLUG is needed for get with --base-url".into()),
                (None, Op::List) => String::new(),
            };
            (client, id)
        }
        None => {
            emulator = Emulator::start()?;
            let client = Client::builder()
                .api_key(emulator.management_key())
                .base_url(emulator.base_url())
                .build()?;
            for i in 1..50 {
                client
                    .workspaces()
                    .create()
                    .name(format!("Bench workspace {i:02}"))
                    .slug(format!("bench-{i:02}"))
                    .send()?;
            }
            let id = args.id.clone().unwrap_or_else(|| "bench-01".into());
            (client, id)
        }
    };

    let call = || -> Result<(), openrouter_workspaces::Error> {
        match args.op {
            Op::Get => {
                black_box(client.workspaces().get(id.as_str()).send()?);
            }
            Op::List => {
                black_box(client.workspaces().list().limit(50).send()?);
            }
        }
        Ok(())
    };

    // Warm-up: the connection, the pool and the allocator settle before timing.
    for _ in 0..(args.calls / 10).clamp(1, 200) {
        call()?;
    }
    let mut latencies = Vec::with_capacity(args.calls);
    let (user, sys) = thread_cpu();
    let started = Instant::now();
    for _ in 0..args.calls {
        let t = Instant::now();
        call()?;
        latencies.push(t.elapsed());
    }
    let wall = started.elapsed();
    let (user, sys) = {
        let (user_after, sys_after) = thread_cpu();
        (user_after - user, sys_after - sys)
    };

    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} {} against {}",
        args.calls,
        match args.op {
            Op::Get => "get",
            Op::List => "list (limit 50)",
        },
        args.base_url
            .as_deref()
            .unwrap_or("the in-process emulator")
    );
    let per_call = |d: Duration| micros(d) / args.calls as f64;
    println!(
        "  {:.0} calls/s, median {:.1} µs, p99 {:.1} µs, client CPU {:.1} µs per call (user {:.1} + system {:.1})",
        args.calls as f64 / wall.as_secs_f64(),
        micros(at(0.5)),
        micros(at(0.99)),
        per_call(user + sys),
        per_call(user),
        per_call(sys)
    );
    // Waiting for the answer puts the thread to sleep; the kernel's work to wake it is
    // system time of this thread, and grows with the server's latency, client or not.
    // The total is exact; Linux apportions it between user and system by tick sampling,
    // so the split is approximate.
    Ok(())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// User and system CPU time of this thread; the emulator's threads are not counted.
fn thread_cpu() -> (Duration, Duration) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: on success getrusage fills the whole struct it is pointed at; a zeroed
    // rusage is a valid value too, so reading it is sound whatever the return code.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    (time(usage.ru_utime), time(usage.ru_stime))
}
