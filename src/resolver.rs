//! Host name resolution without a thread per call.
//!
//! ureq's default resolver bounds a lookup in time by running it on a new thread, and it
//! does so for every request whenever a timeout applies: even for an IP literal, and even
//! when a pooled connection will carry the request. That thread cost about a third of a
//! call's CPU on loopback. This resolver keeps every timeout finite and pays for a thread
//! only when a lookup really happens:
//!
//! - an IP literal is returned as it is;
//! - a host name's addresses are cached for [`CACHE_TTL`], at most [`CACHE_ENTRIES`] names;
//! - on a miss, the lookup runs on a helper thread bounded by the connect timeout, as
//!   ureq's does; a failed lookup is not cached;
//! - [`Resolver::forget`] drops the cache when a connection could not be made, so an
//!   address that went stale is looked up again on the next attempt.
//!
//! A failed lookup says which of two things happened, because they call for opposite
//! actions: the name does not exist (NXDOMAIN: fix the URL, retrying cannot help), or the
//! resolver failed for now (no answer, a server failure: retried like a refused
//! connection). The system lookup keeps getaddrinfo's error code to tell them apart; a
//! lookup given to [`ClientBuilder::resolver`](crate::ClientBuilder::resolver) says "does
//! not exist" with [`io::ErrorKind::NotFound`]. Names under `.invalid` never exist
//! (RFC 6761 reserves them so, and asks resolvers to say so at once): they are refused
//! without asking the network.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver as UreqResolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are reused before they are looked up again.
pub const CACHE_TTL: Duration = Duration::from_secs(30);
/// The most host names kept in the cache.
pub const CACHE_ENTRIES: usize = 64;

/// A function that turns `host:port` into socket addresses.
pub(crate) type Lookup = Arc<dyn Fn(&str) -> io::Result<Vec<SocketAddr>> + Send + Sync>;

/// The resolver of the client's own agent. Clones share one cache.
#[derive(Clone)]
pub(crate) struct Resolver {
    shared: Arc<Shared>,
}

struct Shared {
    lookup: Lookup,
    cache: Mutex<HashMap<String, Cached>>,
    /// Lookups started (cache misses that reached `lookup`).
    lookups: AtomicU64,
}

struct Cached {
    addrs: Vec<SocketAddr>,
    at: Instant,
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("lookups", &self.lookups())
            .finish_non_exhaustive()
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Self::with_lookup(Arc::new(system_lookup))
    }
}

/// Looks `host:port` up with the system's resolver (getaddrinfo), keeping the difference
/// between a name that does not exist ([`io::ErrorKind::NotFound`]) and a lookup that
/// failed for now (any other kind).
pub(crate) fn system_lookup(host_port: &str) -> io::Result<Vec<SocketAddr>> {
    let Some((host, port)) = host_port.rsplit_once(':') else {
        // Not what `DefaultResolver::host_and_port` gives; std knows what to make of it.
        return host_port.to_socket_addrs().map(Iterator::collect);
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if is_reserved_invalid(host) {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "names under .invalid never exist (RFC 6761)",
        ));
    }
    let hints = dns_lookup::AddrInfoHints {
        socktype: dns_lookup::SockType::Stream.into(),
        ..dns_lookup::AddrInfoHints::default()
    };
    match dns_lookup::getaddrinfo(Some(host), Some(port), Some(hints)) {
        Ok(found) => found.map(|info| info.map(|info| info.sockaddr)).collect(),
        Err(e) => Err(lookup_error(e)),
    }
}

/// getaddrinfo's failure as an [`io::Error`] whose kind says whether the name exists.
fn lookup_error(e: dns_lookup::LookupError) -> io::Error {
    use dns_lookup::LookupErrorKind as Gai;
    let code = e.kind();
    let error = io::Error::from(e);
    match code {
        // NXDOMAIN, or a name with no address records: no retry will change that.
        Gai::NoName | Gai::NoData => io::Error::new(io::ErrorKind::NotFound, error.to_string()),
        // EAI_AGAIN (no answer, SERVFAIL), EAI_FAIL, EAI_SYSTEM...: the resolver failed.
        _ => error,
    }
}

/// Whether `host` is `invalid` or under it (RFC 6761, section 6.4), a trailing dot allowed.
fn is_reserved_invalid(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "invalid" || host.ends_with(".invalid")
}

/// A lookup that gave no address, as the client's error chain carries it: the name, and
/// whether it does not exist or the lookup failed for now.
#[derive(Debug)]
pub(crate) struct LookupError {
    /// The host name looked up (the server's, or the proxy's).
    pub(crate) name: String,
    /// What happened.
    pub(crate) kind: LookupErrorKind,
}

/// Why a lookup gave no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LookupErrorKind {
    /// The name does not exist (NXDOMAIN, or no address records).
    NotFound,
    /// The resolver failed for now; the words are the system's.
    Failed(String),
    /// No answer within the connect timeout.
    TimedOut,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LookupErrorKind::NotFound => write!(f, "the host `{}` does not exist", self.name),
            LookupErrorKind::Failed(why) => write!(f, "looking up `{}` failed: {why}", self.name),
            LookupErrorKind::TimedOut => write!(f, "looking up `{}` timed out", self.name),
        }
    }
}

impl std::error::Error for LookupError {}

impl Resolver {
    /// A resolver that looks names up with `lookup`.
    pub(crate) fn with_lookup(lookup: Lookup) -> Self {
        Self {
            shared: Arc::new(Shared {
                lookup,
                cache: Mutex::new(HashMap::new()),
                lookups: AtomicU64::new(0),
            }),
        }
    }

    /// How many lookups have run (cache misses).
    pub(crate) fn lookups(&self) -> u64 {
        self.shared.lookups.load(Ordering::Relaxed)
    }

    /// Drops every cached address, so the next request looks its host up again.
    pub(crate) fn forget(&self) {
        self.cache().clear();
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        // The map stays consistent whatever a panicking holder did: entries are replaced whole.
        self.shared
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The addresses of `host_port` (`host:port`), within `limit`.
    fn addresses(
        &self,
        host_port: &str,
        limit: Option<Duration>,
    ) -> Result<Vec<SocketAddr>, LookupFailure> {
        if let Some(addr) = literal(host_port) {
            return Ok(vec![addr]);
        }
        if let Some(hit) = self.cache().get(host_port)
            && hit.at.elapsed() < CACHE_TTL
        {
            return Ok(hit.addrs.clone());
        }
        self.shared.lookups.fetch_add(1, Ordering::Relaxed);
        let addrs = match limit {
            None => (self.shared.lookup)(host_port).map_err(LookupFailure::Io)?,
            Some(limit) => bounded(Arc::clone(&self.shared.lookup), host_port, limit)?,
        };
        if !addrs.is_empty() {
            self.remember(host_port, &addrs);
        }
        Ok(addrs)
    }

    fn remember(&self, host_port: &str, addrs: &[SocketAddr]) {
        let mut cache = self.cache();
        if cache.len() >= CACHE_ENTRIES && !cache.contains_key(host_port) {
            cache.retain(|_, entry| entry.at.elapsed() < CACHE_TTL);
            if cache.len() >= CACHE_ENTRIES
                && let Some(oldest) = cache
                    .iter()
                    .min_by_key(|(_, entry)| entry.at)
                    .map(|(key, _)| key.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            host_port.to_string(),
            Cached {
                addrs: addrs.to_vec(),
                at: Instant::now(),
            },
        );
    }
}

/// Why a lookup gave no addresses.
#[derive(Debug)]
enum LookupFailure {
    Io(io::Error),
    TimedOut,
}

impl LookupFailure {
    fn kind(self) -> LookupErrorKind {
        match self {
            LookupFailure::Io(e) if e.kind() == io::ErrorKind::NotFound => {
                LookupErrorKind::NotFound
            }
            LookupFailure::Io(e) => LookupErrorKind::Failed(e.to_string()),
            LookupFailure::TimedOut => LookupErrorKind::TimedOut,
        }
    }
}

/// `host:port` as a socket address, when the host is an IP literal (`[::1]` included).
fn literal(host_port: &str) -> Option<SocketAddr> {
    if let Ok(addr) = host_port.parse::<SocketAddr>() {
        return Some(addr);
    }
    let (host, port) = host_port.rsplit_once(':')?;
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    Some(SocketAddr::new(ip, port.parse().ok()?))
}

/// Runs `lookup` on a helper thread and waits for it at most `limit`. The thread is only
/// started on a cache miss; one that outlives `limit` finishes on its own and is ignored.
fn bounded(
    lookup: Lookup,
    host_port: &str,
    limit: Duration,
) -> Result<Vec<SocketAddr>, LookupFailure> {
    let (tx, rx) = mpsc::sync_channel(1);
    let host_port = host_port.to_string();
    thread::Builder::new()
        .name("openrouter-workspaces-resolve".into())
        .spawn(move || {
            let _ = tx.send(lookup(&host_port));
        })
        .map_err(LookupFailure::Io)?;
    match rx.recv_timeout(limit) {
        Ok(result) => result.map_err(LookupFailure::Io),
        Err(RecvTimeoutError::Timeout) => Err(LookupFailure::TimedOut),
        Err(RecvTimeoutError::Disconnected) => Err(LookupFailure::Io(io::Error::other(
            "the lookup thread ended without an answer",
        ))),
    }
}

impl UreqResolver for Resolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(ureq::Error::BadUri(format!("{uri} is not an absolute URL")));
        };
        let host_port = DefaultResolver::host_and_port(scheme, authority)
            .ok_or_else(|| ureq::Error::BadUri(format!("{uri} has no port for its scheme")))?;
        let limit = (!timeout.after.is_not_happening()).then(|| *timeout.after);
        let name = uri.host().unwrap_or_default();
        let failed = |kind| {
            let error = LookupError {
                name: name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string(),
                kind,
            };
            log::debug!("{error}");
            ureq::Error::Other(Box::new(error))
        };
        let addrs = self
            .addresses(&host_port, limit)
            .map_err(|failure| failed(failure.kind()))?;
        let mut result = self.empty();
        for addr in config.ip_family().keep_wanted(addrs.into_iter()).take(16) {
            result.push(addr);
        }
        if result.is_empty() {
            Err(failed(LookupErrorKind::NotFound))
        } else {
            Ok(result)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn counting(answer: &'static str) -> (Resolver, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let resolver = Resolver::with_lookup(Arc::new(move |_: &str| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(vec![answer.parse().expect("a socket address")])
        }));
        (resolver, calls)
    }

    fn resolve(
        resolver: &Resolver,
        url: &str,
        after: Duration,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        let timeout = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::Exact(after),
            reason: ureq::Timeout::Connect,
            per_read: None,
            per_write: None,
        };
        let uri: Uri = url.parse().expect("a URL");
        resolver
            .resolve(&uri, &Config::default(), timeout)
            .map(|addrs| addrs.iter().copied().collect())
    }

    #[test]
    fn ip_literals_make_no_lookup() {
        let (resolver, calls) = counting("10.0.0.1:80");
        assert_eq!(
            resolve(&resolver, "http://127.0.0.1:8080/x", Duration::from_secs(1)).unwrap(),
            vec!["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/x", Duration::from_secs(1)).unwrap(),
            vec!["[::1]:443".parse().unwrap()]
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(resolver.lookups(), 0);
    }

    #[test]
    fn a_cached_name_is_reused_until_it_expires() {
        let (resolver, calls) = counting("10.0.0.1:443");
        for _ in 0..5 {
            let addrs =
                resolve(&resolver, "https://api.example/v1", Duration::from_secs(1)).unwrap();
            assert_eq!(addrs, vec!["10.0.0.1:443".parse().unwrap()]);
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one lookup for five requests"
        );

        // Age the entry past the TTL: the next request looks the name up again.
        resolver
            .cache()
            .get_mut("api.example:443")
            .expect("cached")
            .at -= CACHE_TTL;
        resolve(&resolver, "https://api.example/v1", Duration::from_secs(1)).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn forget_makes_the_next_request_look_up_again() {
        let (resolver, calls) = counting("10.0.0.1:443");
        resolve(&resolver, "https://api.example/", Duration::from_secs(1)).unwrap();
        resolver.forget();
        resolve(&resolver, "https://api.example/", Duration::from_secs(1)).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// The lookup failure a resolve returned.
    /// The kind of the lookup error resolving `url` within `after` fails with.
    fn failed_lookup(resolver: &Resolver, url: &str, after: Duration) -> LookupErrorKind {
        lookup_kind(&resolve(resolver, url, after).unwrap_err())
    }

    fn lookup_kind(error: &ureq::Error) -> LookupErrorKind {
        match error {
            ureq::Error::Other(inner) => inner
                .downcast_ref::<LookupError>()
                .expect("a lookup error")
                .kind
                .clone(),
            other => panic!("expected a lookup error, got {other:?}"),
        }
    }

    #[test]
    fn a_failing_lookup_is_not_cached() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let resolver = Resolver::with_lookup(Arc::new(move |_: &str| {
            seen.fetch_add(1, Ordering::SeqCst);
            Err(io::Error::new(io::ErrorKind::NotFound, "no such host"))
        }));
        for _ in 0..3 {
            let kind = failed_lookup(
                &resolver,
                "https://nowhere.example/",
                Duration::from_secs(1),
            );
            assert_eq!(kind, LookupErrorKind::NotFound);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let empty = Resolver::with_lookup(Arc::new(|_: &str| Ok(Vec::new())));
        let kind = failed_lookup(&empty, "https://nowhere.example/", Duration::from_secs(1));
        assert_eq!(kind, LookupErrorKind::NotFound);
        assert!(empty.cache().is_empty());
    }

    #[test]
    fn a_temporary_failure_is_told_from_a_name_that_does_not_exist() {
        let resolver = Resolver::with_lookup(Arc::new(|_: &str| {
            Err(io::Error::other("Temporary failure in name resolution"))
        }));
        let err = resolve(&resolver, "https://api.example/", Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            lookup_kind(&err),
            LookupErrorKind::Failed("Temporary failure in name resolution".into())
        );
        assert_eq!(
            err.to_string(),
            "other: looking up `api.example` failed: Temporary failure in name resolution"
        );
    }

    #[test]
    fn invalid_names_are_refused_without_a_lookup() {
        for host in ["nonexistent.invalid", "A.INVALID.", "invalid"] {
            let err = system_lookup(&format!("{host}:443")).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::NotFound, "{host}: {err}");
        }
        assert!(!is_reserved_invalid("invalid.example"));
        assert!(!is_reserved_invalid("notinvalid"));
    }

    /// getaddrinfo's codes, as the system lookup maps them (no lookup is made: tests stay
    /// off the network).
    #[cfg(unix)]
    #[test]
    fn getaddrinfo_codes_tell_a_missing_name_from_a_failed_lookup() {
        let kind = |code| lookup_error(dns_lookup::LookupError::new(code)).kind();
        assert_eq!(kind(libc::EAI_NONAME), io::ErrorKind::NotFound);
        #[cfg(target_os = "linux")]
        assert_eq!(kind(libc::EAI_NODATA), io::ErrorKind::NotFound);
        assert_ne!(kind(libc::EAI_AGAIN), io::ErrorKind::NotFound);
        assert_ne!(kind(libc::EAI_FAIL), io::ErrorKind::NotFound);
        let words = lookup_error(dns_lookup::LookupError::new(libc::EAI_AGAIN)).to_string();
        assert!(
            !words.is_empty() && !words.contains("LookupError"),
            "{words}"
        );
    }

    #[test]
    fn a_lookup_slower_than_the_timeout_times_out() {
        let resolver = Resolver::with_lookup(Arc::new(|_: &str| {
            thread::sleep(Duration::from_secs(2));
            Ok(vec!["10.0.0.1:443".parse().expect("a socket address")])
        }));
        let started = Instant::now();
        let kind = failed_lookup(
            &resolver,
            "https://slow.example/",
            Duration::from_millis(100),
        );
        assert_eq!(kind, LookupErrorKind::TimedOut);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert!(resolver.cache().is_empty());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let (resolver, _) = counting("10.0.0.1:443");
        for i in 0..(CACHE_ENTRIES + 10) {
            resolve(
                &resolver,
                &format!("https://h{i}.example/"),
                Duration::from_secs(1),
            )
            .unwrap();
        }
        assert_eq!(resolver.cache().len(), CACHE_ENTRIES);
        assert!(
            resolver
                .cache()
                .contains_key(&format!("h{}.example:443", CACHE_ENTRIES + 9))
        );
    }
}
