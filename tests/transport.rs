//! The transport: host names are resolved once and cached, IP literals never looked up, so
//! a call on a pooled connection starts no thread (ureq's own resolver starts one for every
//! request once a timeout applies).

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use common::emulator::{NO_HANG, start};
use openrouter_workspaces::{AttemptOutcome, ClientBuilder, Error, RetryPolicy};
use openrouter_workspaces_emulator::{Fault, FaultKind};

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
    let (builder, lookup) = CountingLookup::install(emulator.addr(), emulator.client_builder());
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
    let (builder, lookup) = CountingLookup::install(emulator.addr(), emulator.client_builder());
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
    let client = emulator
        .client_builder()
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
    let client = emulator
        .client_builder()
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
/// server slower than every timeout cannot stretch a call past `max_elapsed`. With a 2 s
/// timeout and a 2.5 s bound, the second attempt starts at about 2.1 s: with the deadline
/// the call ends at about 2.5 s; without it, that attempt gets its full 2 s and the call
/// at least 4.1 s. The line sits a second from each.
#[test]
fn the_retry_bound_is_a_deadline_for_the_whole_call() {
    let emulator = start();
    for _ in 0..4 {
        emulator.inject(Fault::new(FaultKind::Delay(Duration::from_secs(3600))).method("GET"));
    }
    let client = emulator
        .client_builder()
        .timeout(Duration::from_secs(2))
        .retry_policy(
            RetryPolicy::default()
                .initial_interval(Duration::from_millis(100))
                .max_elapsed(Duration::from_millis(2500))
                .without_jitter(),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.workspaces().get("default").send().unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
    assert!(
        took < Duration::from_millis(3500),
        "the call took {took:?}: past the 2.5 s bound, as if the last attempt had its full timeout"
    );
}

/// A 429 with `Retry-After` met by one call holds the client's other calls. The other
/// call starts when the attempt hook reports the 429 (the pause is set before the hook
/// runs), and must end no earlier than the wait; the line leaves a second for a slow hand-over.
#[test]
fn a_rate_limit_met_by_one_thread_holds_the_others() {
    let emulator = start();
    emulator.inject(
        Fault::new(FaultKind::status(429).retry_after("2"))
            .method("GET")
            .path("/api/v1/workspaces/default"),
    );
    let (limited_at, told) = mpsc::channel();
    let limited_at = Mutex::new(limited_at);
    let client = emulator
        .client_builder()
        .on_attempt(move |attempt| {
            if attempt.outcome == AttemptOutcome::Status(429) {
                let _ = limited_at.lock().unwrap().send(Instant::now());
            }
        })
        .build()
        .unwrap();
    thread::scope(|scope| {
        let limited = scope.spawn(|| client.workspaces().get("default").send());
        let limited_at = told
            .recv_timeout(NO_HANG)
            .expect("the 429 reaches the attempt hook");

        client.workspaces().list().send().unwrap();
        let held = limited_at.elapsed();

        assert!(
            held >= Duration::from_secs(1),
            "another thread's call waited out the server's Retry-After of 2 s: {held:?}"
        );
        limited.join().unwrap().unwrap();
    });
}

/// A pooled connection that the server closed while it sat idle (as servers and load
/// balancers close idle keep-alive connections) is not used again: the next call opens a
/// new connection and succeeds at its first attempt, with nothing retried. Twenty times,
/// each on the connection the previous round opened.
#[test]
fn a_pooled_connection_the_server_closed_is_replaced_without_a_retry() {
    let emulator = start();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&attempts);
    let client = emulator
        .client_builder()
        .on_attempt(move |attempt| seen.lock().unwrap().push(attempt.outcome.clone()))
        .build()
        .unwrap();
    client.workspaces().get("default").send().unwrap();
    for round in 1..=20 {
        emulator.close_connections();
        let connections = emulator.connection_count();
        attempts.lock().unwrap().clear();

        client.workspaces().get("default").send().unwrap();

        assert_eq!(
            *attempts.lock().unwrap(),
            [AttemptOutcome::Status(200)],
            "round {round}: one attempt, which succeeded"
        );
        assert_eq!(
            emulator.connection_count(),
            connections + 1,
            "round {round}: on a new connection"
        );
    }
}
