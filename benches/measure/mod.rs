//! Measuring one call, shared by `benches/client.rs` and `examples/bench.rs` (each includes
//! this file with `#[path]`): the fixture both call, the calling thread's CPU time, the
//! threads a call creates, and the baseline, raw ureq doing the same exchange.
//!
//! Linux only, like the figures in the README.

use std::time::Duration;

use openrouter_workspaces::workspaces::Create;
use openrouter_workspaces::{Client, DEFAULT_MAX_RESPONSE_BYTES};

/// The `User-Agent` the client sends; raw ureq is given the same.
pub const USER_AGENT: &str = concat!("openrouter-workspaces/", env!("CARGO_PKG_VERSION"));

/// The workspaces the emulator is seeded with: the default one and `bench-01` to
/// `bench-49`, a full page of 50 (the `get` reads `bench-01`).
pub const BENCH_WORKSPACES: u64 = 50;

/// A client for `base_url` with `key` and otherwise the default configuration.
pub fn client_for(base_url: &str, key: &str) -> Result<Client, openrouter_workspaces::Error> {
    Client::builder().api_key(key).base_url(base_url).build()
}

/// Creates the workspaces numbered `1..count` through `client`, each request filled in by
/// `fill` from its number.
pub fn seed_workspaces<'a>(
    client: &'a Client,
    count: u64,
    fill: impl Fn(Create<'a>, u64) -> Create<'a>,
) -> Result<(), openrouter_workspaces::Error> {
    let workspaces = client.workspaces();
    for i in 1..count {
        fill(workspaces.create(), i).send()?;
    }
    Ok(())
}

/// Creates `bench-01` to `bench-49` through `client`, each with a description of typical
/// length: with the default workspace, [`BENCH_WORKSPACES`].
pub fn seed_bench_workspaces(client: &Client) -> Result<(), openrouter_workspaces::Error> {
    seed_workspaces(client, BENCH_WORKSPACES, |create, i| {
        create
            .name(format!("Bench workspace {i:02}"))
            .slug(format!("bench-{i:02}"))
            .description("A workspace made by the benchmark, with a description of typical length.")
    })
}

/// CPU time (user + system) of the calling thread.
///
/// `getrusage(RUSAGE_THREAD)` counts this thread only, so a server thread's work stays out
/// of the client's figure, and so does the work of any thread the call spawns (which
/// [`threads_created`] and the benchmark's syscall counts show). Linux derives the total
/// from the scheduler's nanosecond clock; its split between user and system is
/// tick-sampled, too coarse for short rounds, so only the total is given. `libc` was
/// already in the lock file (ureq and socket2 use it): the dev-dependency adds no crate.
pub fn thread_cpu() -> Duration {
    cpu_time(libc::RUSAGE_THREAD)
}

/// CPU time (user + system) of the whole process: the calling thread and every thread it
/// spawned, finished ones included (`getrusage(RUSAGE_SELF)`). The benchmark's alone.
#[allow(dead_code)]
pub fn process_cpu() -> Duration {
    cpu_time(libc::RUSAGE_SELF)
}

/// CPU time (user + system) that `getrusage(who)` reports.
fn cpu_time(who: libc::c_int) -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: on success getrusage fills the whole struct it is pointed at; a zeroed
    // rusage is a valid value too, so reading it is sound whatever the return code.
    let usage = unsafe {
        libc::getrusage(who, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |tv: libc::timeval| {
        Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The TID of a thread spawned now, that is the TID the kernel last handed out.
fn probe_tid() -> i64 {
    // SAFETY: gettid has no preconditions and cannot fail.
    std::thread::spawn(|| i64::from(unsafe { libc::gettid() }))
        .join()
        .expect("the probe thread only reads its TID")
}

/// How many threads were created, by anyone in this PID namespace, while `work` ran; `None`
/// when the TID counter wrapped around meanwhile.
///
/// Linux hands out TIDs (thread and process ids share one counter per PID namespace) in
/// increasing order, so the TIDs of two probe threads spawned before and after `work`
/// bracket every thread created in between, including short-lived ones that
/// `/proc/self/task` never shows. Other processes of the namespace take numbers too: the
/// count is an upper bound, and the least count over several rounds is the estimate.
pub fn threads_created(work: impl FnOnce()) -> Option<u64> {
    let before = probe_tid();
    work();
    let after = probe_tid();
    // The second probe took one number itself.
    u64::try_from(after - before - 1).ok()
}

/// A ureq agent with the client's own settings except timeouts. With `timeouts` it also
/// gets the client's connect and global timeouts, which make ureq 3.5's resolver spawn a
/// thread for every request (`DefaultResolver::resolve_async`), even for an IP literal
/// and a pooled connection.
pub fn raw_agent(timeouts: bool) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0);
    if timeouts {
        config = config
            .timeout_connect(Some(openrouter_workspaces::DEFAULT_CONNECT_TIMEOUT))
            .timeout_global(Some(openrouter_workspaces::DEFAULT_TIMEOUT));
    }
    ureq::Agent::new_with_config(config.build())
}

/// What a careful caller of raw ureq writes for one GET: the client's request head, a
/// bounded body, a decode into the same typed model.
pub fn raw_get<T: serde::de::DeserializeOwned>(
    agent: &ureq::Agent,
    url: &str,
    bearer: &str,
) -> Result<T, Box<dyn std::error::Error>> {
    let mut response = agent
        .get(url)
        .header("Authorization", bearer)
        .header("Accept", "application/json")
        .header("User-Agent", USER_AGENT)
        .call()?;
    if response.status() != 200 {
        return Err(format!("{url} answered {}", response.status()).into());
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(DEFAULT_MAX_RESPONSE_BYTES)
        .read_to_vec()?;
    Ok(serde_json::from_slice(&body)?)
}
