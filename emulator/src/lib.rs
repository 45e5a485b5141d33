//! A local emulator of the OpenRouter Workspaces management API — **not the real
//! OpenRouter service**.
//!
//! [`Emulator`] is an in-memory, stateful HTTP/1.1 server on loopback that answers the
//! twelve Workspaces routes under `/api/v1` the way the OpenAPI document describes them:
//! management-key authentication, the workspace, budget and member rules, pagination and
//! the documented error bodies (`{"error":{"code":N,"message":"..."}}`). Nothing leaves the
//! machine and nothing is persisted: every emulator starts with an organisation that has
//! only its default workspace.
//!
//! It follows the OpenAPI document `openrouter-workspaces` was generated from, read as data
//! (`openrouter_workspaces::schema`): the fields a request may carry and their rules (types,
//! nullability, enum values, lengths, patterns, ranges, array items), the path and query
//! parameters, and the fields it stores and returns, with the document's defaults. A request
//! field the document does not declare is refused with a 400 that names it. Only the
//! business rules are written by hand (budget ordering, membership, the default workspace,
//! slug uniqueness, active API keys, the BYOK setting); a rule keyed to a name the document
//! lacks is left out, and [`document_notes`] says which.
//!
//! It exists for tests, examples and benchmarks. It can also misbehave on request
//! ([`Emulator::inject`] a [`Fault`]): error statuses with `Retry-After`, delays, connection
//! resets, ambiguous writes, truncated or malformed bodies. It counts requests and TCP
//! connections so tests can check retries and connection reuse.
//!
//! Two switches of [`EmulatorConfig`] change what it plays:
//! [`drift`](EmulatorConfig::drift) makes it a server newer than the document (unknown
//! fields and enum values in its JSON), and
//! [`allow_default_workspace_deletion`](EmulatorConfig::allow_default_workspace_deletion)
//! enables the caller for deleting the default workspace.
//!
//! [`EmulatorConfig::tls`] makes it serve HTTPS, with a certificate issued at start-up by
//! a CA made at start-up ([`Emulator::ca_certificate_pem`]), or a misconfigured one
//! ([`TlsCertificate`]), or one loaded from files:
//!
//! ```
//! use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, TlsCertificate};
//!
//! let emulator = Emulator::start_with(EmulatorConfig::new().tls(TlsCertificate::Issued)).unwrap();
//! assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
//! let ca = emulator.ca_certificate_pem().expect("a CA made at start-up");
//! assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
//! ```
//!
//! ```
//! use openrouter_workspaces_emulator::Emulator;
//!
//! let emulator = Emulator::start().expect("bind a loopback port");
//! // Point a client at `emulator.base_url()` with `emulator.management_key()`.
//! assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
//! assert!(emulator.base_url().ends_with("/api/v1"));
//! assert_eq!(emulator.workspaces()[0].slug, "default");
//! ```
//!
//! # Control endpoints
//!
//! Besides the API, every emulator answers three unauthenticated endpoints for tests that
//! drive it from outside the process (the binary, for instance). They are not counted in
//! the request counters and never get faults:
//!
//! - `POST /__emulator/faults`: queue one fault or an array of them, as JSON such as
//!   `{"kind":"status","status":503,"retry_after":"1","times":2,"method":"GET","path":"/workspaces"}`
//!   (`path` relative to the API root or in full, as [`Fault::path`] takes it).
//!   Kinds are `status` (`status`, `retry_after`, `retry_after_ms`, `body`), `respond`
//!   (`status`, `body` required: [`FaultKind::respond`]), `delay` (`ms`),
//!   `reset_before_read`, `reset_after_read`, `close_without_answer`,
//!   `commit_then_status` (`status`), `commit_then_close`, `truncated_body`,
//!   `malformed_json`, `non_json_content_type`, `missing_fields`, `oversized_body`
//!   (`bytes`). Answers `{"queued": n}`. `DELETE /__emulator/faults` drops pending faults.
//! - `GET /__emulator/stats`: `{"request_count", "connection_count", "pending_faults",
//!   "requests": [{"method", "path", "count"}]}`.
//! - `POST /__emulator/reset-counters`: sets every counter back to zero.
//!
//! # Counting
//!
//! [`Emulator::request_count`] counts every request whose head was received on an API path
//! (anything but `/__emulator/...`), including faulted ones and those answered with an
//! error. [`Emulator::connection_count`] counts TCP connections accepted, whatever they carry
//! (see the method for the details).

#![warn(missing_docs)]

mod bodies;
mod control;
mod document;
mod drift;
mod faults;
mod http;
mod parameters;
mod records;
mod routes;
mod rules;
mod server;
mod state;
mod tls;

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use openrouter_workspaces::types::{
    Workspace, WorkspaceBudget, WorkspaceMember, WorkspaceMemberRole,
};
use openrouter_workspaces::{ClientBuilder, RetryPolicy};

pub use faults::{Fault, FaultKind};
pub use tls::TlsCertificate;

use faults::FaultQueue;
use server::Stopper;
use state::{Seed, State};

/// What the emulator leaves out because the OpenAPI document it was built from lacks a name
/// one of its business rules is keyed to (a field, a parameter, an operation), and the
/// document's budget intervals that have no place in the ordering lifetime > monthly >
/// weekly > daily (accepted, but not compared). One sentence each; empty for the project's
/// own document. The binary prints them at start.
///
/// ```
/// assert!(openrouter_workspaces_emulator::document_notes().is_empty());
/// ```
pub fn document_notes() -> Vec<String> {
    rules::notes()
}

/// The management key an emulator accepts unless configured otherwise.
pub const DEFAULT_MANAGEMENT_KEY: &str = "sk-or-v1-emulator-management-key";
/// The inference (non-management) key an emulator knows unless configured otherwise.
pub const DEFAULT_INFERENCE_KEY: &str = "sk-or-v1-emulator-inference-key";
/// The route prefix, like the real server's `https://openrouter.ai/api/v1`.
pub const API_PREFIX: &str = "/api/v1";

/// A retry policy for tests against an emulator: waits of 5 to 20 ms, so that a test of
/// retries takes milliseconds, and a total bound of 5 s, so that one that retries what it
/// should not fails in seconds instead of hanging for the default minute.
pub fn quick_retry_policy() -> RetryPolicy {
    RetryPolicy::default()
        .initial_interval(Duration::from_millis(5))
        .max_interval(Duration::from_millis(20))
        .max_elapsed(Duration::from_secs(5))
}

/// How an [`Emulator`] starts: keys, organisation, fixtures and latency.
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};
///
/// let config = EmulatorConfig::new()
///     .management_key("sk-test")
///     .workspace_with_active_keys("production")
///     .member_with_active_keys("user_bob")
///     .latency(Duration::from_millis(1));
/// let emulator = Emulator::start_with(config).unwrap();
/// assert_eq!(emulator.management_key(), "sk-test");
/// ```
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    management_key: String,
    inference_key: String,
    users: Vec<(String, WorkspaceMemberRole)>,
    keyed_workspaces: Vec<String>,
    keyed_members: Vec<String>,
    latency: Option<Duration>,
    port: u16,
    default_deletion_allowed: bool,
    drift: bool,
    tls: Option<TlsCertificate>,
    tls_ca_file: Option<PathBuf>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            management_key: DEFAULT_MANAGEMENT_KEY.to_string(),
            inference_key: DEFAULT_INFERENCE_KEY.to_string(),
            // By wire value: the emulator names no variant a document might lack.
            users: [
                ("user_alice", "admin"),
                ("user_bob", "member"),
                ("user_carol", "member"),
                ("user_dave", "member"),
            ]
            .map(|(id, role)| (id.to_string(), WorkspaceMemberRole::from_wire(role)))
            .to_vec(),
            keyed_workspaces: Vec::new(),
            keyed_members: Vec::new(),
            latency: None,
            port: 0,
            default_deletion_allowed: false,
            drift: false,
            tls: None,
            tls_ca_file: None,
        }
    }
}

impl EmulatorConfig {
    /// The default configuration: default keys, users `user_alice` (admin), `user_bob`,
    /// `user_carol` and `user_dave` (members), no API keys held anywhere, no latency, a free
    /// port.
    pub fn new() -> Self {
        Self::default()
    }

    /// The management key to accept (the only key that may use the API).
    pub fn management_key(mut self, key: impl Into<String>) -> Self {
        self.management_key = key.into();
        self
    }

    /// A valid key that is not a management key: every route answers it with 403.
    pub fn inference_key(mut self, key: impl Into<String>) -> Self {
        self.inference_key = key.into();
        self
    }

    /// Replaces the organisation's users (id and organisation role). The first admin is
    /// recorded as `created_by` of every workspace and becomes its first member.
    pub fn org_users<I, S>(mut self, users: I) -> Self
    where
        I: IntoIterator<Item = (S, WorkspaceMemberRole)>,
        S: Into<String>,
    {
        self.users = users.into_iter().map(|(id, r)| (id.into(), r)).collect();
        self
    }

    /// Adds one organisation user.
    pub fn org_user(mut self, user_id: impl Into<String>, role: WorkspaceMemberRole) -> Self {
        self.users.push((user_id.into(), role));
        self
    }

    /// A workspace slug that holds active API keys: a workspace created with it cannot be
    /// deleted (400).
    pub fn workspace_with_active_keys(mut self, slug: impl Into<String>) -> Self {
        self.keyed_workspaces.push(slug.into());
        self
    }

    /// A user who holds active API keys: they cannot be removed from a non-default
    /// workspace (400).
    pub fn member_with_active_keys(mut self, user_id: impl Into<String>) -> Self {
        self.keyed_members.push(user_id.into());
        self
    }

    /// Whether the caller is enabled for deleting the default workspace (off by default, as
    /// for most organisations while the capability rolls out).
    ///
    /// Off, `DELETE /workspaces/{id}` on the default workspace answers 403 (the documented
    /// `Forbidden` body), with or without the query parameter
    /// `confirm_default_workspace_deletion`. On, the parameter must be `true`: without it,
    /// or with `false`, the answer is 400 naming the parameter; with it the default
    /// workspace is deleted like any other (its budgets and memberships with it). Other
    /// workspaces ignore the parameter; a value other than `true` or `false` is a 400
    /// everywhere.
    pub fn allow_default_workspace_deletion(mut self, allowed: bool) -> Self {
        self.default_deletion_allowed = allowed;
        self
    }

    /// Drift mode: the emulator plays a server newer than the document, for testing that a
    /// client keeps what it does not know. Off by default.
    ///
    /// Only the JSON the API routes write changes; the state, the rules and the statuses
    /// are the same, and so are the control endpoints, the raw bodies of faults and the
    /// answers to requests that are not HTTP the emulator accepts. In drift mode:
    ///
    /// - every answer object, errors included, has
    ///   `"server_info": {"api_revision": "2099-01-01", "emulator_drift": true}`;
    /// - every list envelope (an answer whose `data` is an array: the three lists and the
    ///   bulk add) has `"next_cursor": null`;
    /// - the `error` object of every error answer has `"retryable": false`;
    /// - every workspace has `"residency_region": "eu-west"` and
    ///   `"plan_settings": {"tier": "enterprise", "seats": 25}`;
    /// - every budget has `"spent_usd": 0.0` and
    ///   `"alert_settings": {"threshold_percent": 80}`;
    /// - every member has `"invited_by": null` and
    ///   `"member_permissions": {"can_manage_keys": false}`;
    /// - in a `data` array of two or more items, every second item (2nd, 4th, ...) has an
    ///   enum value the document lacks: a budget's `reset_interval` is `"quarterly"`, a
    ///   member's `role` is `"owner"` (the document's workspace has no enum field). The
    ///   first item of a list, the `data` of one-item answers (get, create, update, set a
    ///   budget) and error answers keep documented values.
    ///
    /// None of the added names is a field of the document.
    pub fn drift(mut self, drift: bool) -> Self {
        self.drift = drift;
        self
    }

    /// A fixed delay added to every API request before it is handled.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    /// The loopback port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serves HTTPS with `certificate` instead of plain HTTP: the base URL becomes
    /// `https://127.0.0.1:PORT/api/v1`. A certificate made at start-up is issued by a CA
    /// made at start-up too; a client trusts [`Emulator::ca_certificate_pem`] (or the file
    /// of [`tls_ca_file`](Self::tls_ca_file)) to connect. The request counters and faults
    /// work as over HTTP; a connection whose handshake fails carries no request.
    pub fn tls(mut self, certificate: TlsCertificate) -> Self {
        self.tls = Some(certificate);
        self
    }

    /// Writes the certificate a client must trust (the CA's, or the self-signed
    /// certificate itself) to this file when the emulator starts, as PEM. Nothing is
    /// written for certificates loaded from files.
    pub fn tls_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls_ca_file = Some(path.into());
        self
    }
}

/// Per-path request counts: path → [(method, count)].
#[derive(Default)]
pub(crate) struct Counts {
    by_path: HashMap<String, Vec<(String, u64)>>,
}

impl Counts {
    fn record(&mut self, method: &str, path: &str) {
        let methods = match self.by_path.get_mut(path) {
            Some(m) => m,
            None => self.by_path.entry(path.to_string()).or_default(),
        };
        match methods.iter_mut().find(|(m, _)| m == method) {
            Some((_, n)) => *n += 1,
            None => methods.push((method.to_string(), 1)),
        }
    }

    fn get(&self, method: &str, path: &str) -> u64 {
        self.by_path
            .get(path)
            .and_then(|ms| ms.iter().find(|(m, _)| m.eq_ignore_ascii_case(method)))
            .map_or(0, |(_, n)| *n)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.by_path
            .iter()
            .flat_map(|(path, ms)| ms.iter().map(move |(m, n)| (m.as_str(), path.as_str(), *n)))
    }
}

/// Everything the server threads share.
pub(crate) struct Shared {
    pub(crate) management_key: String,
    pub(crate) inference_key: String,
    pub(crate) latency: Option<Duration>,
    /// Drift mode (see [`EmulatorConfig::drift`]).
    pub(crate) drift: bool,
    /// HTTPS: the server's TLS configuration.
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    pub(crate) state: Mutex<State>,
    pub(crate) faults: Mutex<FaultQueue>,
    /// Number of queued faults, read without the lock on every request.
    pub(crate) pending_faults: AtomicUsize,
    pub(crate) counts: Mutex<Counts>,
    pub(crate) request_count: AtomicU64,
    pub(crate) connection_count: AtomicU64,
    pub(crate) stop: Stopper,
    /// Open connections (clones of their sockets), shut down when the emulator stops.
    pub(crate) connections: Mutex<HashMap<u64, TcpStream>>,
}

/// Locks a mutex, ignoring poisoning (a panicking connection thread must not take the
/// emulator down with it).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn record_request(&self, method: &str, path: &str) {
        self.request_count.fetch_add(1, Ordering::Relaxed);
        lock(&self.counts).record(method, path);
    }

    pub(crate) fn inject(&self, fault: Fault) {
        let mut q = lock(&self.faults);
        q.push(fault);
        self.pending_faults.store(q.len(), Ordering::Release);
    }

    pub(crate) fn clear_faults(&self) {
        let mut q = lock(&self.faults);
        q.clear();
        self.pending_faults.store(0, Ordering::Release);
    }

    pub(crate) fn take_fault(&self, method: &str, path: &str) -> Option<FaultKind> {
        if self.pending_faults.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut q = lock(&self.faults);
        let fault = q.take(method, path);
        self.pending_faults.store(q.len(), Ordering::Release);
        fault
    }

    pub(crate) fn reset_counters(&self) {
        let mut counts = lock(&self.counts);
        counts.by_path.clear();
        self.request_count.store(0, Ordering::Relaxed);
        self.connection_count.store(0, Ordering::Relaxed);
    }
}

/// A running emulator on `127.0.0.1`. It stops when dropped: the listener closes, open
/// connections are shut down and every thread is joined.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    /// The certificate a client trusts to connect, PEM (HTTPS only).
    ca_pem: Option<String>,
    /// Where it was written, when asked.
    ca_file: Option<PathBuf>,
    listener: Option<TcpListener>,
    accept_thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator with the default configuration on a free loopback port.
    pub fn start() -> io::Result<Emulator> {
        Self::start_with(EmulatorConfig::default())
    }

    /// Starts an emulator with this configuration.
    pub fn start_with(config: EmulatorConfig) -> io::Result<Emulator> {
        let tls = config.tls.as_ref().map(tls::prepare).transpose()?;
        let ca_pem = tls.as_ref().and_then(|tls| tls.ca_pem.clone());
        let ca_file = match (&config.tls_ca_file, &ca_pem) {
            (Some(path), Some(pem)) => {
                std::fs::write(path, pem).map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
                })?;
                Some(path.clone())
            }
            _ => None,
        };
        let listener = TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let state = State::new(Seed {
            users: config
                .users
                .into_iter()
                .map(|(id, role)| (id, role.to_string()))
                .collect(),
            keyed_workspaces: config.keyed_workspaces,
            keyed_members: config.keyed_members,
            default_deletion_allowed: config.default_deletion_allowed,
        });
        let shared = Arc::new(Shared {
            management_key: config.management_key,
            inference_key: config.inference_key,
            latency: config.latency,
            drift: config.drift,
            tls: tls.map(|tls| tls.config),
            state: Mutex::new(state),
            faults: Mutex::new(FaultQueue::default()),
            pending_faults: AtomicUsize::new(0),
            counts: Mutex::new(Counts::default()),
            request_count: AtomicU64::new(0),
            connection_count: AtomicU64::new(0),
            stop: Stopper::default(),
            connections: Mutex::new(HashMap::new()),
        });
        let spare = listener.try_clone()?;
        let accept_thread = server::spawn(listener, Arc::clone(&shared))?;
        let scheme = if shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        Ok(Emulator {
            shared,
            addr,
            base_url: format!("{scheme}://{addr}{API_PREFIX}"),
            ca_pem,
            ca_file,
            listener: Some(spare),
            accept_thread: Some(accept_thread),
        })
    }

    /// The API's base URL, `http://127.0.0.1:PORT/api/v1` (`https` with
    /// [`EmulatorConfig::tls`]).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The certificate (PEM) a client must trust to connect over HTTPS: the CA that issued
    /// the certificate made at start-up, or the self-signed certificate; `None` over plain
    /// HTTP and for certificates loaded from files.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The file [`ca_certificate_pem`](Self::ca_certificate_pem) was written to
    /// ([`EmulatorConfig::tls_ca_file`]).
    pub fn ca_certificate_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The socket address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the emulator listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The management key the emulator accepts.
    pub fn management_key(&self) -> &str {
        &self.shared.management_key
    }

    /// A valid key that is not a management key (answered with 403 on every route).
    pub fn inference_key(&self) -> &str {
        &self.shared.inference_key
    }

    /// Requests received on API paths since the start or the last reset, faulted ones
    /// included (control endpoints excluded).
    pub fn request_count(&self) -> u64 {
        self.shared.request_count.load(Ordering::Relaxed)
    }

    /// TCP connections accepted since the start or the last reset. A connection counts when
    /// it is accepted, whatever it then carries (control requests included); the emulator's
    /// own wake-up connection at shutdown does not count.
    pub fn connection_count(&self) -> u64 {
        self.shared.connection_count.load(Ordering::Relaxed)
    }

    /// Requests received with this method (case-insensitive) and this exact path (as
    /// received, percent-encoding included, without the query), e.g.
    /// `requests_to("POST", "/api/v1/workspaces")`.
    pub fn requests_to(&self, method: &str, path: &str) -> u64 {
        lock(&self.shared.counts).get(method, path)
    }

    /// Sets the request and connection counters back to zero.
    pub fn reset_counters(&self) {
        self.shared.reset_counters();
    }

    /// Closes every open connection, as a server or a load balancer closes idle keep-alive
    /// connections, and returns once each has been closed and its thread has finished (a
    /// request in progress on one fails). The emulator goes on accepting new connections.
    pub fn close_connections(&self) {
        let closed: Vec<u64> = {
            let open = lock(&self.shared.connections);
            for stream in open.values() {
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
            open.keys().copied().collect()
        };
        // Each connection's thread sees its socket shut and removes it; bounded, in case
        // one is stuck in a fault's delay (it closes at the emulator's stop instead).
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            let open = lock(&self.shared.connections);
            if !closed.iter().any(|id| open.contains_key(id)) {
                return;
            }
            drop(open);
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A client builder aimed at this emulator: its base URL and management key, and
    /// nothing read from the environment, so that the `OPENROUTER_*` and `SSL_CERT_*`
    /// variables of the machine a test runs on cannot change what it talks to. Over HTTPS,
    /// trust [`ca_certificate_pem`](Self::ca_certificate_pem) on it.
    ///
    /// ```
    /// use openrouter_workspaces_emulator::{Emulator, quick_retry_policy};
    ///
    /// let emulator = Emulator::start().expect("bind a loopback port");
    /// let client = emulator
    ///     .client_builder()
    ///     .retry_policy(quick_retry_policy())
    ///     .build()
    ///     .expect("a loopback client builds");
    /// let page = client.workspaces().list().send().expect("the emulator answers");
    /// assert_eq!(page.data[0].slug, "default");
    /// ```
    pub fn client_builder(&self) -> ClientBuilder {
        ClientBuilder::from_env_with(|_| None)
            .api_key(self.management_key())
            .base_url(self.base_url())
    }

    /// Queues a fault; faults are handed to matching requests in the order they were queued.
    pub fn inject(&self, fault: Fault) {
        self.shared.inject(fault);
    }

    /// Queues `kind` for the next `times` requests of `method` to `path` (as
    /// [`Fault::path`] takes it): the common case of [`inject`](Self::inject).
    ///
    /// ```
    /// use openrouter_workspaces_emulator::{Emulator, FaultKind};
    ///
    /// let emulator = Emulator::start().expect("bind a loopback port");
    /// emulator.inject_times(FaultKind::status(503), "GET", "/workspaces", 2);
    /// assert_eq!(emulator.pending_faults(), 1);
    /// ```
    pub fn inject_times(&self, kind: FaultKind, method: &str, path: &str, times: u32) {
        self.inject(Fault::new(kind).method(method).path(path).times(times));
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// How many faults are still queued.
    pub fn pending_faults(&self) -> usize {
        self.shared.pending_faults.load(Ordering::Acquire)
    }

    /// Every workspace, in creation order (the default workspace first).
    pub fn workspaces(&self) -> Vec<Workspace> {
        records::typed(lock(&self.shared.state).all_workspaces())
    }

    /// The budgets of a workspace (by UUID or slug), narrowest interval first; empty when
    /// there is no such workspace.
    pub fn budgets(&self, id_or_slug: &str) -> Vec<WorkspaceBudget> {
        records::typed(
            lock(&self.shared.state)
                .all_budgets(id_or_slug)
                .unwrap_or_default(),
        )
    }

    /// The members of a workspace (by UUID or slug), in the order they joined; empty when
    /// there is no such workspace.
    pub fn members(&self, id_or_slug: &str) -> Vec<WorkspaceMember> {
        records::typed(
            lock(&self.shared.state)
                .all_members(id_or_slug)
                .unwrap_or_default(),
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stop.stop();
        // Wake the accept loop: connect to ourselves; if that fails, shut the listening
        // socket down, which also makes a blocked accept() return.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if !woke && let Some(listener) = &self.listener {
            let _ = socket2::SockRef::from(listener).shutdown(std::net::Shutdown::Both);
        }
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
        self.listener = None;
    }
}
