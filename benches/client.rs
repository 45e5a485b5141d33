//! What the client costs: against raw ureq, in connections, in memory, and at build time.
//!
//! ```text
//! cargo bench --bench client               # full run, about a minute
//! cargo bench --bench client -- --quick    # about ten seconds (or BENCH_QUICK=1), for CI
//! ```
//!
//! Every figure is printed beside its baseline and target with a PASS or MISS marker. The
//! markers are information: the exit code is never a verdict, because a shared machine
//! makes absolute figures noisy. Client and raw ureq run in interleaved rounds in the same
//! process, so their ratio holds where the absolute numbers wander.
//!
//! Sections: (a) `get` and (b) `list` against raw ureq doing the identical exchange, served
//! by a canned loopback server so that no server work lands on the measured thread;
//! (c) connection reuse and idle connections dropped by the server; (d) peak memory while
//! iterating 1,000 and 10,000 items, each size in a child process; (e) the emulator's
//! throughput; (f) the build: a no-op `cargo build`, and the generator's own time.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use openrouter_workspaces::types::{GetWorkspaceResponse, ListWorkspacesResponse};
use openrouter_workspaces::{
    Client, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
use openrouter_workspaces_codegen::Config;
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};

/// The `User-Agent` the client sends; raw ureq is given the same.
const USER_AGENT: &str = concat!("openrouter-workspaces/", env!("CARGO_PKG_VERSION"));
/// The workspace `get` asks for, and the page size of `list`.
const GET_SLUG: &str = "bench-01";
const LIST_LIMIT: u64 = 50;
/// The upstream document, beside the checkout (where `.ci/run` looks for it too).
const UPSTREAM_SPEC: &str = "../shared/openapi/openrouter-2026-08-22.yaml";

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--memory-child") {
        return memory_child(&args[1..]);
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

    let fixture = Fixture::capture()?;
    compare_get(&fixture, &scale)?;
    compare_list(&fixture, &scale)?;
    connections(&fixture)?;
    memory()?;
    server_throughput(&scale)?;
    build(&scale)?;

    println!("\nfinished in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// How much work each section does.
struct Scale {
    get_rounds: usize,
    get_batch: usize,
    list_rounds: usize,
    list_batch: usize,
    throughput_for: Duration,
    generator_runs: usize,
    noop_builds: usize,
}

impl Scale {
    const QUICK: Scale = Scale {
        get_rounds: 10,
        get_batch: 200,
        list_rounds: 10,
        list_batch: 40,
        throughput_for: Duration::from_millis(700),
        generator_runs: 1,
        noop_builds: 1,
    };
    const FULL: Scale = Scale {
        get_rounds: 60,
        get_batch: 1000,
        list_rounds: 60,
        list_batch: 250,
        throughput_for: Duration::from_secs(4),
        generator_runs: 5,
        noop_builds: 3,
    };
}

// ---------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------

/// CPU time (user + system) of the calling thread.
///
/// `getrusage(RUSAGE_THREAD)` counts this thread only, so the server threads' work stays
/// out of the client's figure, and Linux derives the total from the scheduler's
/// nanosecond clock, not from ticks. (Its split between user and system is tick-sampled,
/// too coarse for rounds of a few milliseconds, so only the total is used.) `libc` was
/// already in the lock file (ureq and socket2 use it): the dev-dependency adds no crate.
fn thread_cpu() -> Duration {
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
    time(usage.ru_utime) + time(usage.ru_stime)
}

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

/// Runs `client` and `raw` in alternating rounds (which goes first alternates too) and
/// prints the medians, their ratio and the targets.
fn compare(
    title: &str,
    rounds: usize,
    batch: usize,
    cpu_limit: Option<Duration>,
    client: &mut dyn FnMut(),
    raw: &mut dyn FnMut(),
) {
    for _ in 0..batch.min(200) {
        client();
        raw();
    }
    let (mut ours, mut theirs) = (Side::default(), Side::default());
    for round in 0..rounds {
        if round % 2 == 0 {
            ours.round(batch, client);
            theirs.round(batch, raw);
        } else {
            theirs.round(batch, raw);
            ours.round(batch, client);
        }
    }
    let (wall, cpu) = ours.summary();
    let (raw_wall, raw_cpu) = theirs.summary();
    let wall_ratio = wall.as_secs_f64() / raw_wall.as_secs_f64();
    let cpu_ratio = cpu.as_secs_f64() / raw_cpu.as_secs_f64();
    println!("\n{title}: {rounds} interleaved rounds of {batch} calls each");
    println!(
        "  {:<22}{:>12}{:>12}{:>8}   target",
        "", "client", "raw ureq", "ratio"
    );
    println!(
        "  {:<22}{:>9.1} µs{:>9.1} µs{:>8.3}   ≤ 1.10  {}",
        "wall per call, median",
        micros(wall),
        micros(raw_wall),
        wall_ratio,
        marker(wall_ratio <= 1.10)
    );
    println!(
        "  {:<22}{:>9.1} µs{:>9.1} µs{:>8.3}   ≤ 1.10  {}",
        "client CPU per call",
        micros(cpu),
        micros(raw_cpu),
        cpu_ratio,
        marker(cpu_ratio <= 1.10)
    );
    if let Some(limit) = cpu_limit {
        println!(
            "  {:<22}{:>9.1} µs{:>20}   < {} µs {}",
            "client CPU per call",
            micros(cpu),
            "",
            limit.as_micros(),
            marker(cpu < limit)
        );
    }
}

// ---------------------------------------------------------------------------------------
// A canned loopback server
// ---------------------------------------------------------------------------------------

/// An HTTP/1.1 server on loopback that answers fixed bytes for fixed request targets.
///
/// Serving pre-serialised answers keeps the server's work tiny and on its own thread, so
/// the measured thread's CPU is the client's alone. It can also behave like a production
/// server towards idle keep-alive connections: close them after `idle`. Its threads are
/// detached and end with the process.
struct Canned {
    addr: SocketAddr,
    connections: Arc<AtomicU64>,
    /// The head of the first request of each connection, for comparing the wire.
    heads: Arc<Mutex<Vec<String>>>,
}

impl Canned {
    fn start(routes: Vec<(String, Vec<u8>)>, idle: Option<Duration>) -> Result<Canned> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let routes: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
            routes
                .into_iter()
                .map(|(target, body)| (target, response(&body)))
                .collect(),
        );
        let connections = Arc::new(AtomicU64::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (counter, first_heads) = (Arc::clone(&connections), Arc::clone(&heads));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::Relaxed);
                let (routes, heads) = (Arc::clone(&routes), Arc::clone(&first_heads));
                thread::spawn(move || serve_canned(stream, &routes, &heads, idle));
            }
        });
        Ok(Canned {
            addr,
            connections,
            heads,
        })
    }

    fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }
}

fn response(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn serve_canned(
    mut stream: TcpStream,
    routes: &[(String, Vec<u8>)],
    heads: &Mutex<Vec<String>>,
    idle: Option<Duration>,
) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(idle);
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let mut first = true;
    loop {
        // The requests are GETs: a head and no body.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk) {
                // End of stream, an error, or idle for too long: close (FIN).
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        if first {
            heads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(head.clone());
            first = false;
        }
        let target = head.split(' ').nth(1).unwrap_or("");
        let answer = routes.iter().find(|(t, _)| t == target);
        let written = match answer {
            Some((_, bytes)) => stream.write_all(bytes),
            None => stream.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            ),
        };
        if written.is_err() || answer.is_none() {
            return;
        }
        buf.drain(..end);
    }
}

/// The header lines of a request head, lower-cased and sorted (the order is ureq's).
fn header_set(head: &str) -> BTreeSet<String> {
    head.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.to_ascii_lowercase())
        .collect()
}

// ---------------------------------------------------------------------------------------
// (a) and (b): the client against raw ureq
// ---------------------------------------------------------------------------------------

/// Real response bodies, taken once from the emulator and then served by a canned server.
struct Fixture {
    server: Canned,
    key: String,
    get_target: String,
    get_body: Vec<u8>,
}

impl Fixture {
    fn capture() -> Result<Fixture> {
        let emulator = Emulator::start()?;
        let client = client_for(emulator.base_url(), emulator.management_key())?;
        for i in 1..LIST_LIMIT {
            client
                .workspaces()
                .create()
                .name(format!("Bench workspace {i:02}"))
                .slug(format!("bench-{i:02}"))
                .description(
                    "A workspace made by the benchmark, with a description of typical length.",
                )
                .send()?;
        }
        let agent = raw_agent();
        let fetch = |target: &str| -> Result<Vec<u8>> {
            let url = format!("http://{}{target}", emulator.addr());
            let mut response = agent
                .get(&url)
                .header(
                    "Authorization",
                    format!("Bearer {}", emulator.management_key()),
                )
                .call()?;
            Ok(response.body_mut().read_to_vec()?)
        };
        let get_target = format!("/api/v1/workspaces/{GET_SLUG}");
        let list_target = format!("/api/v1/workspaces?limit={LIST_LIMIT}");
        let get_body = fetch(&get_target)?;
        let list_body = fetch(&list_target)?;
        println!(
            "\nfixture: the emulator's answers, {} bytes for get and {} bytes for a page of {LIST_LIMIT}, served pre-serialised by a loopback server thread",
            get_body.len(),
            list_body.len()
        );
        let server = Canned::start(
            vec![
                (get_target.clone(), get_body.clone()),
                (list_target, list_body),
            ],
            None,
        )?;
        Ok(Fixture {
            server,
            key: emulator.management_key().to_string(),
            get_target,
            get_body,
        })
    }
}

fn client_for(base_url: &str, key: &str) -> Result<Client> {
    Ok(Client::builder().api_key(key).base_url(base_url).build()?)
}

/// A ureq agent configured as the client configures its own: the same exchange.
fn raw_agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(DEFAULT_CONNECT_TIMEOUT))
            .timeout_global(Some(DEFAULT_TIMEOUT))
            .max_redirects(0)
            .build(),
    )
}

/// What a careful caller of raw ureq writes: the same headers, a bounded body, a typed decode.
fn raw_call<T: serde::de::DeserializeOwned>(agent: &ureq::Agent, url: &str, bearer: &str) -> T {
    let mut response = agent
        .get(url)
        .header("Authorization", bearer)
        .header("Accept", "application/json")
        .header("User-Agent", USER_AGENT)
        .call()
        .expect("the canned server answers every request");
    assert_eq!(response.status(), 200, "the canned server answers 200");
    let body = response
        .body_mut()
        .with_config()
        .limit(DEFAULT_MAX_RESPONSE_BYTES)
        .read_to_vec()
        .expect("the canned server sends whole bodies");
    serde_json::from_slice(&body).expect("the fixture is the API's JSON")
}

fn compare_get(fixture: &Fixture, scale: &Scale) -> Result<()> {
    let base = fixture.server.base_url();
    let client = client_for(&base, &fixture.key)?;
    let agent = raw_agent();
    let url = format!("{base}/workspaces/{GET_SLUG}");
    let bearer = format!("Bearer {}", fixture.key);

    // One call each, then compare what reached the server.
    client.workspaces().get(GET_SLUG).send()?;
    raw_call::<GetWorkspaceResponse>(&agent, &url, &bearer);
    let heads = fixture
        .server
        .heads
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if let [ours, theirs, ..] = heads.as_slice() {
        let same =
            header_set(ours) == header_set(theirs) && ours.lines().next() == theirs.lines().next();
        println!(
            "wire: the client's request head and raw ureq's are {}",
            if same {
                "identical (request line and header set)"
            } else {
                "DIFFERENT:"
            }
        );
        if !same {
            println!("--- client\n{ours}--- raw ureq\n{theirs}");
        }
        let shown: Vec<String> = header_set(ours)
            .into_iter()
            .map(|l| {
                if l.starts_with("authorization") {
                    "authorization: Bearer <key>".into()
                } else {
                    l
                }
            })
            .collect();
        println!(
            "      {} | {}",
            ours.lines().next().unwrap_or(""),
            shown.join(" | ")
        );
    }

    compare(
        "(a) get one workspace: client.workspaces().get(..).send() vs raw ureq + serde_json",
        scale.get_rounds,
        scale.get_batch,
        Some(Duration::from_micros(50)),
        &mut || {
            black_box(
                client
                    .workspaces()
                    .get(GET_SLUG)
                    .send()
                    .expect("canned answer"),
            );
        },
        &mut || {
            black_box(raw_call::<GetWorkspaceResponse>(&agent, &url, &bearer));
        },
    );
    Ok(())
}

fn compare_list(fixture: &Fixture, scale: &Scale) -> Result<()> {
    let base = fixture.server.base_url();
    let client = client_for(&base, &fixture.key)?;
    let agent = raw_agent();
    let url = format!("{base}/workspaces?limit={LIST_LIMIT}");
    let bearer = format!("Bearer {}", fixture.key);
    let page = client.workspaces().list().limit(LIST_LIMIT).send()?;
    assert_eq!(
        page.data.len() as u64,
        LIST_LIMIT,
        "the fixture holds a full page"
    );
    compare(
        "(b) list one page of 50: list().limit(50).send() vs raw ureq + serde_json",
        scale.list_rounds,
        scale.list_batch,
        None,
        &mut || {
            black_box(
                client
                    .workspaces()
                    .list()
                    .limit(LIST_LIMIT)
                    .send()
                    .expect("canned answer"),
            );
        },
        &mut || {
            black_box(raw_call::<ListWorkspacesResponse>(&agent, &url, &bearer));
        },
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (c) Connections
// ---------------------------------------------------------------------------------------

fn connections(fixture: &Fixture) -> Result<()> {
    println!("\n(c) connections");
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
        marker(count == 1)
    );

    // The emulator keeps idle connections open; this server closes them after 100 ms, as
    // production servers and load balancers do.
    let idle = Duration::from_millis(100);
    let server = Canned::start(
        vec![(fixture.get_target.clone(), fixture.get_body.clone())],
        Some(idle),
    )?;
    let attempts = Arc::new(AtomicU32::new(0));
    let failed = Arc::new(AtomicU32::new(0));
    let (seen, failures) = (Arc::clone(&attempts), Arc::clone(&failed));
    let client = Client::builder()
        .api_key(&fixture.key)
        .base_url(server.base_url())
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
    client.workspaces().get(GET_SLUG).send()?;
    thread::sleep(idle * 3);
    let before = attempts.load(Ordering::Relaxed);
    let result = client.workspaces().get(GET_SLUG).send();
    let used = attempts.load(Ordering::Relaxed) - before;
    let ok = result.is_ok() && used == 1 && failed.load(Ordering::Relaxed) == 0;
    println!(
        "  server closes connections idle for {} ms; a call after {} ms of idleness: {}, {used} attempt(s), {} connection(s) in all   target: success in 1 attempt  {}",
        idle.as_millis(),
        (idle * 3).as_millis(),
        match &result {
            Ok(_) => "succeeded".to_string(),
            Err(e) => format!("failed ({e})"),
        },
        server.connections(),
        marker(ok)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (d) Memory
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

fn memory() -> Result<()> {
    const SIZES: [usize; 2] = [1_000, 10_000];
    let largest = SIZES[SIZES.len() - 1];
    println!("\n(d) memory: peak RSS (VmHWM) of a child process iterating .items() with limit 100");
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
    for i in 1..largest {
        client
            .workspaces()
            .create()
            .name(format!("Workspace {i}"))
            .slug(format!("ws-{i:05}"))
            .send()?;
    }
    println!(
        "  emulator seeded with {largest} workspaces and {largest} members of the default one in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let exe = std::env::current_exe()?;
    let run = |kind: &str, count: usize| -> Result<(u64, u64, u64)> {
        let output = Command::new(&exe)
            .args(["--memory-child", kind, &count.to_string()])
            .arg(emulator.base_url())
            .arg(emulator.management_key())
            .stderr(Stdio::inherit())
            .output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let numbers: Vec<u64> = text
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        match numbers.as_slice() {
            [seen, before, after] => Ok((*seen, *before, *after)),
            _ => Err(format!("the memory child printed {text:?}").into()),
        }
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
                marker(flat)
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (e) The emulator's throughput
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
        "\n(e) emulator throughput: {CLIENTS} keep-alive clients (our Client, same process, same 2 cores as the server) doing get for {:.1} s",
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
// (f) The build
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

/// The modification times of the build script's recorded outputs, for the root package.
fn build_script_outputs(profile: &str) -> Vec<(PathBuf, SystemTime)> {
    let dir = target_dir().join(profile).join("build");
    let mut outputs: Vec<(PathBuf, SystemTime)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("openrouter-workspaces-") && !name.contains("codegen")
        })
        .filter_map(|e| {
            let path = e.path().join("output");
            let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
            Some((path, modified))
        })
        .collect();
    outputs.sort();
    outputs
}

fn build(scale: &Scale) -> Result<()> {
    println!("\n(f) build (target dir {})", target_dir().display());
    if let Err(e) = no_op_builds(scale) {
        println!(
            "  no-op build not measured: {e}; measure it with `time cargo build --release -v` after the benchmark"
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
fn no_op_builds(scale: &Scale) -> Result<()> {
    let noop = |label: &str, args: &[&str]| -> Result<()> {
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
            marker(!reran && untouched)
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
    let dir = target_dir().join(profile).join("build");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("openrouter-workspaces-") && !name.contains("codegen")
        })
        .filter_map(|e| {
            let path = e.path().join("build-script-build");
            let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
            Some((modified, path))
        })
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
