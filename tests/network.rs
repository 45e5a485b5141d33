//! The classification of network failures, row by row as the README's table gives it
//! ("What a network failure means"): each test drives one row through the library against
//! the emulator (over TLS where the row is about TLS), a local proxy, or an injected
//! lookup, and checks the verdict (sent or not, retried or not), the words, and what the
//! server saw.

#[path = "support/proxy.rs"]
mod proxy;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openrouter_workspaces::NetworkFailureKind::Certificate;
use openrouter_workspaces::types::WorkspaceBudgetInterval;
use openrouter_workspaces::{
    AttemptKind, AttemptOutcome, CertificateProblem, Client, ClientBuilder, ConfigError, Error,
    NetworkFailure, NetworkFailureKind, RetryPolicy,
};
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, TlsCertificate};
use proxy::{Answer, PASSWORD, Proxy, USER};

/// A bound that only a retry loop running to its end would pass: the failures that are
/// not retried end far below it. Not a speed target.
const NOT_RETRIED: Duration = Duration::from_secs(5);

/// Retries fast and often: a failure that is retried shows as three attempts.
fn three_tries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
        .max_attempts(3)
        .max_elapsed(Duration::from_secs(20))
}

/// The attempts a client reported, in order.
#[derive(Clone, Default)]
struct Attempts(Arc<Mutex<Vec<(AttemptKind, AttemptOutcome)>>>);

impl Attempts {
    fn builder(&self, base_url: &str, key: &str) -> ClientBuilder {
        let seen = Arc::clone(&self.0);
        ClientBuilder::from_env_with(|_| None)
            .api_key(key)
            .base_url(base_url)
            .retry_policy(three_tries())
            .on_attempt(move |a| {
                seen.lock().unwrap().push((a.kind, a.outcome.clone()));
            })
    }

    /// How many times the call's own request was tried.
    fn requests(&self) -> usize {
        let seen = self.0.lock().unwrap();
        seen.iter()
            .filter(|(k, _)| *k == AttemptKind::Request)
            .count()
    }

    fn lookups(&self) -> usize {
        let seen = self.0.lock().unwrap();
        seen.iter()
            .filter(|(k, _)| *k == AttemptKind::Lookup)
            .count()
    }
}

fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start_with(config).expect("the emulator starts")
}

/// The base URL and key of an emulator that has stopped: a connection there is refused.
fn stopped_emulator() -> (String, String) {
    let server = emulator(EmulatorConfig::new());
    (
        server.base_url().to_string(),
        server.management_key().to_string(),
    )
}

fn tls_emulator(certificate: TlsCertificate) -> Emulator {
    emulator(EmulatorConfig::new().tls(certificate))
}

/// A client of `emulator` that trusts its CA, and its attempts.
fn trusting(emulator: &Emulator) -> (Client, Attempts) {
    let attempts = Attempts::default();
    let ca = emulator.ca_certificate_pem().expect("a CA").to_owned();
    let client = attempts
        .builder(emulator.base_url(), emulator.management_key())
        .add_root_certificates(ca)
        .build()
        .expect("the client builds");
    (client, attempts)
}

/// A client of `emulator` with the default trust, and its attempts.
fn plain(emulator: &Emulator) -> (Client, Attempts) {
    let attempts = Attempts::default();
    let client = attempts
        .builder(emulator.base_url(), emulator.management_key())
        .build()
        .expect("the client builds");
    (client, attempts)
}

/// Lists the workspaces of an emulator serving `certificate` with the client `made`
/// ([`plain`] or [`trusting`]): the failure, which must come at once, after one attempt
/// that sent nothing.
fn refused_list(
    certificate: TlsCertificate,
    made: fn(&Emulator) -> (Client, Attempts),
) -> (Emulator, Attempts, NetworkFailure) {
    let server = tls_emulator(certificate);
    let (client, attempts) = made(&server);
    let failure = not_sent(quickly(|| client.workspaces().list().send()), 1);
    (server, attempts, failure)
}

/// Checks a transport error that certainly was not sent and returns what failed.
#[track_caller]
fn not_sent<T: std::fmt::Debug>(result: Result<T, Error>, attempts: u32) -> NetworkFailure {
    match result {
        Err(Error::Transport {
            maybe_sent: false,
            attempts: made,
            failure,
            ..
        }) => {
            assert_eq!(made, attempts, "{failure}");
            *failure
        }
        other => panic!("expected a transport error, not sent, got {other:?}"),
    }
}

/// Runs `call`, checks it did not run to a retry loop's end, and returns its result.
fn quickly<T>(call: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = call();
    assert!(started.elapsed() < NOT_RETRIED, "{:?}", started.elapsed());
    result
}

// Not sent, permanent: never retried, never "outcome unknown".

#[test]
fn certificate_of_an_unknown_authority_is_not_sent_and_not_retried() {
    let (server, attempts, failure) = refused_list(TlsCertificate::Issued, plain);

    assert_eq!(failure.kind, Certificate(CertificateProblem::UnknownIssuer));
    assert!(failure.is_permanent());
    let text = failure.to_string();
    let host = server.base_url().trim_start_matches("https://");
    let host = host.trim_end_matches("/api/v1");
    assert!(text.contains(host), "{text}");
    assert!(text.contains("unknown authority"), "{text}");
    assert!(text.contains("SSL_CERT_FILE"), "the next step: {text}");
    assert_eq!(attempts.requests(), 1);
    assert_eq!(server.request_count(), 0, "no request got through");
}

#[test]
fn writes_that_fail_the_handshake_are_not_sent_not_outcome_unknown() {
    let server = tls_emulator(TlsCertificate::Issued);
    let (client, attempts) = plain(&server);
    let w = client.workspaces();

    let create = w.create().name("Staging").slug("staging").send();
    let budget = w
        .set_budget("default", WorkspaceBudgetInterval::Monthly)
        .limit_usd(10.0)
        .send();
    let members = w.bulk_add_members("default").user_ids(["user_bob"]).send();

    for result in [create.map(drop), budget.map(drop), members.map(drop)] {
        let error = result.unwrap_err();
        assert!(
            error.to_string().contains("not sent"),
            "{error}: says it was not sent"
        );
        not_sent(Err::<(), _>(error), 1);
    }
    assert_eq!(attempts.requests(), 3, "one attempt each");
    assert_eq!(attempts.lookups(), 0, "nothing to look up");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn self_signed_certificate_is_named_so() {
    let (_server, _, failure) = refused_list(TlsCertificate::SelfSigned, plain);

    assert_eq!(failure.kind, Certificate(CertificateProblem::SelfSigned));
    let text = failure.to_string();
    assert!(text.contains("self-signed"), "{text}");
    assert!(
        !text.contains("CaUsedAsEndEntity") && !text.contains("OtherError"),
        "no library internals: {text}"
    );
}

#[test]
fn certificate_for_another_name_is_refused_even_from_a_trusted_ca() {
    let names = vec!["other.example".into()];
    let (_server, attempts, failure) = refused_list(TlsCertificate::IssuedFor(names), trusting);

    assert_eq!(
        failure.kind,
        Certificate(CertificateProblem::NotValidForName {
            presented: vec!["other.example".into()]
        }),
        "{failure}"
    );
    let text = failure.to_string();
    assert!(
        text.contains("not valid for `127.0.0.1` (it is for other.example)"),
        "{text}"
    );
    assert_eq!(attempts.requests(), 1);
}

#[test]
fn expired_certificate_is_refused_with_its_date() {
    let (_server, _, failure) = refused_list(TlsCertificate::Expired, trusting);

    assert!(
        matches!(
            failure.kind,
            Certificate(CertificateProblem::Expired { since: Some(_) })
        ),
        "{failure:?}"
    );
    let text = failure.to_string();
    assert!(text.contains("has expired (on Wed, 01 Jan 2020"), "{text}");
}

#[test]
fn https_to_a_plain_http_server_says_so() {
    let server = emulator(EmulatorConfig::new());
    let attempts = Attempts::default();
    let url = server.base_url().replace("http://", "https://");
    let client = attempts
        .builder(&url, server.management_key())
        .build()
        .unwrap();

    let failure = not_sent(quickly(|| client.workspaces().list().send()), 1);

    assert_eq!(failure.kind, NetworkFailureKind::NotTls);
    assert!(failure.to_string().contains("plain http"), "{failure}");
}

#[test]
fn host_that_does_not_exist_is_not_retried() {
    let attempts = Attempts::default();
    let client = attempts
        .builder("https://api.nowhere.example/api/v1", "sk-or-v1-test")
        .resolver(|_| Err(io::Error::new(io::ErrorKind::NotFound, "no such host")))
        .build()
        .unwrap();

    let failure = not_sent(quickly(|| client.workspaces().list().send()), 1);

    assert_eq!(
        failure.kind,
        NetworkFailureKind::HostNotFound {
            name: "api.nowhere.example".into()
        }
    );
    assert!(failure.is_permanent());
    assert!(
        failure
            .to_string()
            .contains("the host `api.nowhere.example` does not exist"),
        "{failure}"
    );
    assert_eq!(attempts.requests(), 1);
}

#[test]
fn invalid_proxy_url_stops_the_build_without_its_credentials() {
    let error = ClientBuilder::from_env_with(|_| None)
        .api_key("sk-or-v1-test")
        .proxy(format!("http://{USER}:{PASSWORD}@[not-a-host"))
        .build()
        .unwrap_err();

    assert!(
        matches!(&error, Error::Config(ConfigError::InvalidProxy { origin, .. }) if origin == "ClientBuilder::proxy"),
        "{error:?}"
    );
    let text = format!("{error} {error:?}");
    assert!(!text.contains(PASSWORD) && !text.contains(USER), "{text}");
}

/// An emulator, a proxy answering `answer` (wanting credentials if `wants_credentials`),
/// and a client going through it (its URL with credentials if `gives_credentials`).
fn through_proxy(
    answer: Answer,
    wants_credentials: bool,
    gives_credentials: bool,
) -> (Emulator, Proxy, Client, Attempts) {
    let server = emulator(EmulatorConfig::new());
    let proxy = Proxy::start(answer, wants_credentials);
    let attempts = Attempts::default();
    let client = attempts
        .builder(server.base_url(), server.management_key())
        .proxy(proxy.url(gives_credentials))
        .build()
        .unwrap();
    (server, proxy, client, attempts)
}

#[test]
fn proxy_that_wants_credentials_is_a_configuration_problem() {
    let (server, proxy, client, _) = through_proxy(Answer::Tunnel, true, false);

    let failure = not_sent(quickly(|| client.workspaces().list().send()), 1);

    assert_eq!(
        failure.kind,
        NetworkFailureKind::ProxyRefused { status: 407 }
    );
    assert_eq!(failure.proxy.as_deref(), Some(proxy.named().as_str()));
    assert!(failure.to_string().contains("credentials"), "{failure}");
    assert_eq!(proxy.connects().len(), 1);
    assert_eq!(server.request_count(), 0);
}

#[test]
fn proxy_refusing_the_tunnel_is_named_without_its_credentials() {
    let (_server, proxy, client, attempts) = through_proxy(Answer::Status(403), false, true);

    let error = quickly(|| client.workspaces().create().name("S").slug("s").send()).unwrap_err();

    let text = format!("{error} {}", std::error::Error::source(&error).unwrap());
    assert!(text.contains("not sent"), "{text}");
    assert!(
        text.contains(&proxy.named()) && text.contains("HTTP 403"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD) && !text.contains(USER), "{text}");
    let seen = format!("{error:?} {:?}", attempts.0.lock().unwrap());
    assert!(!seen.contains(PASSWORD), "{seen}");
    let failure = not_sent(Err::<(), _>(error), 1);
    assert_eq!(
        failure.kind,
        NetworkFailureKind::ProxyRefused { status: 403 }
    );
}

#[test]
fn proxy_host_that_does_not_exist_is_named_as_the_proxys() {
    let server = emulator(EmulatorConfig::new());
    let client = Attempts::default()
        .builder(server.base_url(), server.management_key())
        .proxy("http://proxy.nowhere.example:3128")
        .resolver(|_| Err(io::Error::new(io::ErrorKind::NotFound, "no such host")))
        .build()
        .unwrap();

    let failure = not_sent(quickly(|| client.workspaces().list().send()), 1);

    assert!(
        failure
            .to_string()
            .starts_with("the proxy's host `proxy.nowhere.example` does not exist"),
        "{failure}"
    );
}

// Not sent, transient: retried within the policy, even a create.

#[test]
fn refused_connection_is_retried_even_for_a_create() {
    let (url, key) = stopped_emulator();
    let attempts = Attempts::default();
    let client = attempts.builder(&url, &key).build().unwrap();

    let failure = not_sent(client.workspaces().create().name("S").slug("s").send(), 3);

    assert_eq!(failure.kind, NetworkFailureKind::ConnectionRefused);
    assert!(!failure.is_permanent());
    assert_eq!(attempts.requests(), 3);
}

#[test]
fn the_environment_bounds_the_retries() {
    let (url, key) = stopped_emulator();
    let vars = [("OPENROUTER_RETRY_MAX_ELAPSED", "0")];
    let client = ClientBuilder::from_env_with(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
    .api_key(key)
    .base_url(url)
    .build()
    .unwrap();

    not_sent(client.workspaces().list().send(), 1);

    let bad = ClientBuilder::from_env_with(|name| {
        (name == "OPENROUTER_RETRY_MAX_ELAPSED").then(|| "-1".to_string())
    })
    .api_key("sk-or-v1-test")
    .build()
    .unwrap_err();
    assert!(
        matches!(bad, Error::Config(ConfigError::InvalidVariable { ref name, .. }) if name == "OPENROUTER_RETRY_MAX_ELAPSED"),
        "{bad:?}"
    );
}

#[test]
fn temporary_lookup_failure_is_retried() {
    let attempts = Attempts::default();
    let client = attempts
        .builder("https://api.flaky-dns.example/api/v1", "sk-or-v1-test")
        .resolver(|_| Err(io::Error::other("Temporary failure in name resolution")))
        .build()
        .unwrap();

    let failure = not_sent(client.workspaces().list().send(), 3);

    assert_eq!(
        failure.kind,
        NetworkFailureKind::LookupFailed {
            name: "api.flaky-dns.example".into(),
            reason: "Temporary failure in name resolution".into(),
        }
    );
    assert_eq!(attempts.requests(), 3);
}

#[test]
fn proxy_that_cannot_reach_the_server_is_retried() {
    let (_server, proxy, client, _) = through_proxy(Answer::Status(502), false, false);

    let failure = not_sent(client.workspaces().create().name("S").slug("s").send(), 3);

    assert_eq!(
        failure.kind,
        NetworkFailureKind::ProxyFailed { status: Some(502) }
    );
    assert_eq!(proxy.connects().len(), 3);
}

/// A connect that hangs: a listener whose accept queue is full (backlog 0, one
/// connection already waiting) drops further SYNs, so the connect times out. Linux
/// behaves so; elsewhere the row says SKIPPED.
#[test]
fn connect_timeout_is_retried() {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    socket.listen(0).unwrap();
    let addr = socket.local_addr().unwrap().as_socket().unwrap();
    // Fill the queue; stop at the first connect that does not complete.
    let mut held = Vec::new();
    while held.len() < 8 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => held.push(stream),
            Err(_) => break,
        }
    }
    if held.len() >= 8 {
        eprintln!("SKIPPED: this system never drops connections to a full accept queue");
        return;
    }
    let attempts = Attempts::default();
    let client = attempts
        .builder(&format!("http://{addr}/api/v1"), "sk-or-v1-test")
        .connect_timeout(Duration::from_millis(100))
        .build()
        .unwrap();

    let failure = not_sent(client.workspaces().create().name("S").slug("s").send(), 3);

    assert_eq!(failure.kind, NetworkFailureKind::ConnectTimedOut);
    assert_eq!(attempts.requests(), 3);
    drop(held);
}

// Maybe sent: only after the request began to go out.

#[test]
fn connection_lost_after_sending_is_maybe_sent() {
    let server = emulator(EmulatorConfig::new());
    server.inject(Fault::new(FaultKind::ResetAfterRead).method("GET"));
    let attempts = Attempts::default();
    let client = attempts
        .builder(server.base_url(), server.management_key())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    let error = client.workspaces().list().send().unwrap_err();

    match error {
        Error::Transport {
            maybe_sent: true,
            failure,
            ..
        } => assert!(
            matches!(failure.kind, NetworkFailureKind::ConnectionLost { .. }),
            "{failure:?}"
        ),
        other => panic!("expected a transport error, maybe sent, got {other:?}"),
    }
    assert_eq!(server.request_count(), 1);
}

#[test]
fn create_lost_after_sending_over_tls_is_looked_up() {
    let server = tls_emulator(TlsCertificate::Issued);
    server.inject(Fault::new(FaultKind::CommitThenClose).method("POST"));
    let (client, attempts) = trusting(&server);

    let created = client
        .workspaces()
        .create()
        .name("Staging")
        .slug("staging")
        .send_with_response()
        .unwrap();

    assert!(created.earlier_attempt_may_have_applied());
    assert_eq!(attempts.requests(), 1, "not sent again");
    assert_eq!(attempts.lookups(), 1, "looked up by its slug");
    assert_eq!(server.workspaces().len(), 2, "one workspace made");
}

#[test]
fn a_proxy_with_credentials_carries_the_calls_over_tls() {
    let server = tls_emulator(TlsCertificate::Issued);
    let proxy = Proxy::start(Answer::Tunnel, true);
    let client = Attempts::default()
        .builder(server.base_url(), server.management_key())
        .add_root_certificates(server.ca_certificate_pem().unwrap())
        .proxy(proxy.url(true))
        .build()
        .unwrap();

    assert_eq!(client.workspaces().list().send().unwrap().data.len(), 1);
    let connects = proxy.connects();
    assert_eq!(connects.len(), 1, "one tunnel, kept alive");
    assert!(connects[0].authorized);
    assert_eq!(
        connects[0].target,
        server
            .base_url()
            .trim_start_matches("https://")
            .trim_end_matches("/api/v1")
    );
}
