//! The transport: host names are resolved once and cached, IP literals never looked up, so
//! a call on a pooled connection starts no thread (ureq's own resolver starts one for every
//! request once a timeout applies).

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

use common::emulator::{builder_for, start};
use openrouter_workspaces::{ClientBuilder, Error};

/// A lookup that answers `addr` and records how often it ran and on which threads.
struct CountingLookup {
    calls: Arc<AtomicUsize>,
    threads: Arc<Mutex<Vec<ThreadId>>>,
}

impl CountingLookup {
    fn install(addr: SocketAddr, builder: ClientBuilder) -> (ClientBuilder, Self) {
        let calls = Arc::new(AtomicUsize::new(0));
        let threads = Arc::new(Mutex::new(Vec::new()));
        let (seen_calls, seen_threads) = (Arc::clone(&calls), Arc::clone(&threads));
        let builder = builder.resolver(move |_host_port| {
            seen_calls.fetch_add(1, Ordering::SeqCst);
            seen_threads.lock().unwrap().push(thread::current().id());
            Ok(vec![addr])
        });
        (builder, Self { calls, threads })
    }
}

#[test]
fn a_thousand_calls_to_a_host_name_look_it_up_once() {
    let emulator = start();
    let base_url = format!("http://localhost:{}/api/v1", emulator.port());
    let (builder, lookup) = CountingLookup::install(emulator.addr(), builder_for(&emulator));
    let client = builder.base_url(base_url).build().unwrap();

    client.workspaces().get("default").send().unwrap();
    assert_eq!(
        lookup.calls.load(Ordering::SeqCst),
        1,
        "the first call looks the name up"
    );
    for _ in 0..1_000 {
        client.workspaces().get("default").send().unwrap();
    }
    assert_eq!(
        lookup.calls.load(Ordering::SeqCst),
        1,
        "1,000 more calls reuse the cached address: no lookup, so no lookup thread"
    );
    assert_eq!(emulator.connection_count(), 1, "one keep-alive connection");
    // The one lookup ran under a bound, on a thread of its own, not the caller's.
    assert_ne!(lookup.threads.lock().unwrap()[0], thread::current().id());
}

#[test]
fn an_ip_literal_is_never_looked_up() {
    let emulator = start();
    let (builder, lookup) = CountingLookup::install(emulator.addr(), builder_for(&emulator));
    let client = builder.build().unwrap();
    assert!(client.base_url().starts_with("http://127.0.0.1:"));
    for _ in 0..1_000 {
        client.workspaces().get("default").send().unwrap();
    }
    assert_eq!(lookup.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_refused_cached_address_is_looked_up_again() {
    let emulator = start();
    // A port nothing listens on: bind one, then free it.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let answers = Arc::new(Mutex::new(vec![emulator.addr(), dead]));
    let calls = Arc::new(AtomicUsize::new(0));
    let (next, seen) = (Arc::clone(&answers), Arc::clone(&calls));
    let client = builder_for(&emulator)
        .base_url(format!("http://api.test:{}/api/v1", emulator.port()))
        .allow_insecure_http(true)
        .resolver(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(vec![next.lock().unwrap().pop().expect("an answer left")])
        })
        .build()
        .unwrap();

    // The first answer is the dead address: the connection is refused (not sent, so
    // retried), the cache is dropped, and the retry looks the name up again.
    let workspace = client.workspaces().get("default").send().unwrap();
    assert_eq!(workspace.data.slug, "default");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_name_that_does_not_resolve_fails_without_sending() {
    let emulator = start();
    let client = builder_for(&emulator)
        .base_url("http://nowhere.test:9/api/v1")
        .allow_insecure_http(true)
        .resolver(|_| {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such host",
            ))
        })
        .retry_policy(openrouter_workspaces::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.workspaces().get("default").send().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                maybe_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(emulator.request_count(), 0);
}

/// The retry bound is a deadline: the attempt in flight is given only the time left, so a
/// server slower than every timeout cannot stretch a call past `max_elapsed` (the timeout
/// of one attempt, 300 ms, would otherwise let the second run until about 800 ms).
#[test]
fn the_retry_bound_is_a_deadline_for_the_whole_call() {
    let emulator = start();
    for _ in 0..4 {
        emulator.inject(
            openrouter_workspaces_emulator::Fault::new(
                openrouter_workspaces_emulator::FaultKind::Delay(std::time::Duration::from_secs(2)),
            )
            .method("GET"),
        );
    }
    let client = builder_for(&emulator)
        .timeout(std::time::Duration::from_millis(300))
        .retry_policy(
            openrouter_workspaces::RetryPolicy::default()
                .initial_interval(std::time::Duration::from_millis(100))
                .max_elapsed(std::time::Duration::from_millis(500))
                .without_jitter(),
        )
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.workspaces().get("default").send().unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
    // About 500 ms with the deadline; without it the second attempt gets its full 300 ms
    // and the call at least 700 ms. The line between leaves room for a loaded machine.
    assert!(
        took < std::time::Duration::from_millis(650),
        "the call took {took:?}, past the 500 ms bound and its slack"
    );
}

#[test]
fn a_rate_limit_met_by_one_thread_holds_the_others() {
    let emulator = common::emulator::start();
    emulator.inject(
        openrouter_workspaces_emulator::Fault::new(
            openrouter_workspaces_emulator::FaultKind::status(429).retry_after("1"),
        )
        .method("GET")
        .path("/workspaces/default"),
    );
    let client = common::emulator::client_for(&emulator);
    std::thread::scope(|scope| {
        let limited = scope.spawn(|| client.workspaces().get("default").send());
        // Until the 429 has been answered and read.
        while emulator.pending_faults() > 0 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));

        let started = std::time::Instant::now();
        client.workspaces().list().send().unwrap();
        let held = started.elapsed();

        assert!(
            held >= std::time::Duration::from_millis(700),
            "another thread's call waited out the server's Retry-After: {held:?}"
        );
        limited.join().unwrap().unwrap();
    });
}
