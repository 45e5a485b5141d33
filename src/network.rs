//! What went wrong on the network, as far as the client can tell, and in words: which
//! host, which proxy (never its credentials), what failed, and what to do about it.
//!
//! Every failure is classified by what is known of it, because that decides whether to
//! try again:
//!
//! - **not sent, permanent**: the request never left, and sending it again would fail the
//!   same way (a TLS certificate or handshake failure, a host that does not exist, a proxy
//!   that refuses the tunnel with a 4xx): fail at once;
//! - **not sent, transient**: the request never left, and it may go through later (a
//!   refused connection, an unreachable network, a connect or lookup timeout, a resolver
//!   that failed for now, a proxy's 5xx): retried within the policy, even a create;
//! - **maybe sent**: the connection failed after the request began to go out; only
//!   requests that may be repeated are sent again (see [`RetryPolicy`](crate::RetryPolicy)).

use std::fmt;
use std::time::SystemTime;

use crate::resolver::{LookupError, LookupErrorKind};
use crate::transport::{FailureKind, Phase};

/// A request that got no answer over the network: what failed and where. The `Display`
/// says it in words, with one thing to do about it; the error holding it,
/// [`Error::Transport`](crate::Error::Transport), says whether the request was sent.
///
/// ```
/// # fn demo(client: &openrouter_workspaces::Client) {
/// use openrouter_workspaces::{Error, NetworkFailureKind};
///
/// match client.workspaces().list().send() {
///     Err(Error::Transport { failure, .. }) if failure.is_permanent() => {
///         eprintln!("fix the configuration: {failure}");
///     }
///     Err(Error::Transport { failure, .. })
///         if matches!(failure.kind, NetworkFailureKind::ConnectionRefused) =>
///     {
///         eprintln!("is the server running? {failure}");
///     }
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetworkFailure {
    /// What failed.
    pub kind: NetworkFailureKind,
    /// The server, as `host:port`.
    pub host: String,
    /// The proxy the request went through, as `scheme://host:port` (never its
    /// credentials); `None` when it went straight to the server.
    pub proxy: Option<String>,
}

/// What failed on the network. Each variant says whether the request can have been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkFailureKind {
    /// A host name does not exist (NXDOMAIN, or no address): the server's, or the proxy's
    /// when `name` is the proxy's host. Not sent; permanent.
    HostNotFound {
        /// The name that was looked up.
        name: String,
    },
    /// Looking a host name up failed for now (no answer from the resolver, a server
    /// failure). Not sent; retried.
    LookupFailed {
        /// The name that was looked up.
        name: String,
        /// The resolver's words.
        reason: String,
    },
    /// Looking a host name up took longer than the connect timeout. Not sent; retried.
    LookupTimedOut {
        /// The name that was looked up.
        name: String,
    },
    /// The connection was refused: nothing listens at that address (or a firewall says
    /// so). Not sent; retried, as a server restarting is a real case.
    ConnectionRefused,
    /// The network or host cannot be reached from this machine. Not sent; retried.
    Unreachable,
    /// The connection was not made within the connect timeout. Not sent; retried.
    ConnectTimedOut,
    /// The connection failed another way before the request went out. Not sent; retried.
    ConnectFailed {
        /// The system's words.
        reason: String,
    },
    /// The server's TLS certificate was not accepted. Not sent; permanent.
    Certificate(CertificateProblem),
    /// The TLS handshake failed for another reason. Not sent; permanent.
    Handshake {
        /// What failed, in words.
        reason: String,
    },
    /// The server did not answer in TLS, though the URL is `https`: it may serve plain
    /// HTTP on that port. Not sent; permanent.
    NotTls,
    /// The proxy answered the tunnel request (`CONNECT`) with a 4xx: a configuration
    /// problem (407: credentials missing or refused). Not sent; permanent.
    ProxyRefused {
        /// The proxy's status.
        status: u16,
    },
    /// The proxy could not open the tunnel: a 5xx, or no answer. Not sent; retried.
    ProxyFailed {
        /// The proxy's status, when it answered.
        status: Option<u16>,
    },
    /// The proxy's URL cannot be used. Not sent; permanent.
    InvalidProxy,
    /// The connection broke after the request began to go out (reset, closed, cut short).
    /// Maybe sent.
    ConnectionLost {
        /// The system's words.
        reason: String,
    },
    /// What came back is not a well-formed HTTP/1.1 answer. Maybe sent.
    Protocol {
        /// What was wrong with it.
        reason: String,
    },
    /// Anything else (a request that could not be built, a failure of a custom agent).
    Other {
        /// What failed, in words.
        reason: String,
        /// Whether the request may have been sent.
        maybe_sent: bool,
    },
}

/// Why a server's TLS certificate was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// It is self-signed: a CA certificate presented as the server's own.
    SelfSigned,
    /// It is issued by an authority this client does not trust (or it is self-signed).
    UnknownIssuer,
    /// It is not valid for the host name in the URL.
    NotValidForName {
        /// The names it is valid for, when known.
        presented: Vec<String>,
    },
    /// It has expired.
    Expired {
        /// When it expired, when known.
        since: Option<SystemTime>,
    },
    /// It is not valid yet.
    NotValidYet,
    /// It has been revoked.
    Revoked,
    /// It is not meant for a TLS server.
    NotForServers,
    /// It cannot be read, or its signature cannot be checked.
    Malformed,
    /// Another reason.
    Other,
}

impl NetworkFailure {
    /// Whether sending the same request again would fail the same way until the
    /// configuration changes (a certificate, a host name, a proxy's refusal). The client
    /// never retries these.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.kind,
            NetworkFailureKind::HostNotFound { .. }
                | NetworkFailureKind::Certificate(_)
                | NetworkFailureKind::Handshake { .. }
                | NetworkFailureKind::NotTls
                | NetworkFailureKind::ProxyRefused { .. }
                | NetworkFailureKind::InvalidProxy
        ) || matches!(
            self.kind,
            NetworkFailureKind::Other {
                maybe_sent: false,
                ..
            }
        )
    }

    /// The failure of `error`, met in `phase`, on a request to `host` (`host:port`)
    /// through `proxy`; `None` for a timeout after sending or an oversized answer, which
    /// have errors of their own.
    pub(crate) fn classify(
        error: &ureq::Error,
        phase: Phase,
        host: String,
        proxy: Option<String>,
    ) -> (FailureKind, Option<NetworkFailure>) {
        let connecting = phase == Phase::Connecting;
        let (kind, what) = match kind_of(error, connecting) {
            Classified::Failure(kind, what) => (kind, what),
            Classified::Timeout => return (FailureKind::Timeout, None),
            Classified::TooLarge => return (FailureKind::TooLarge, None),
        };
        let what = match what {
            // ureq's own "not found" names no host: it is the server's.
            NetworkFailureKind::HostNotFound { name } if name.is_empty() => {
                NetworkFailureKind::HostNotFound {
                    name: host_name(&host).to_string(),
                }
            }
            other => other,
        };
        let failure = NetworkFailure {
            kind: what,
            host,
            proxy,
        };
        let kind = match kind {
            FailureKind::NotSent if failure.is_permanent() => FailureKind::NotSentPermanent,
            other => other,
        };
        (kind, Some(failure))
    }

    /// The `host:port` of the server, for the messages.
    fn server(&self) -> Server<'_> {
        Server(self)
    }

    /// Whether `name` is the proxy's host.
    fn is_proxy_host(&self, name: &str) -> bool {
        self.proxy.as_deref().is_some_and(|proxy| {
            let authority = proxy.split_once("://").map_or(proxy, |(_, rest)| rest);
            let host = authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host);
            host.trim_start_matches('[').trim_end_matches(']') == name
        })
    }
}

/// The server, and the proxy when one was used.
struct Server<'a>(&'a NetworkFailure);

impl fmt::Display for Server<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.host)?;
        if let Some(proxy) = &self.0.proxy {
            write!(f, " (through the proxy {proxy})")?;
        }
        Ok(())
    }
}

/// Where to change the proxy, in the words of the library (the command-line tool has its
/// own).
const PROXY_SETTINGS: &str = "check the proxy settings (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, or ClientBuilder::proxy)";
/// How to trust a private CA, in the words of the library.
pub(crate) const TRUST_A_CA: &str = "if you trust the authority that issued it, add its CA certificate \
     with ClientBuilder::add_root_certificates_file or SSL_CERT_FILE";

impl fmt::Display for NetworkFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let server = self.server();
        match &self.kind {
            NetworkFailureKind::HostNotFound { name } if self.is_proxy_host(name) => write!(
                f,
                "the proxy's host `{name}` does not exist; {PROXY_SETTINGS}"
            ),
            NetworkFailureKind::HostNotFound { name } => write!(
                f,
                "the host `{name}` does not exist (no such name in DNS); check the host in the base URL"
            ),
            NetworkFailureKind::LookupFailed { name, reason } => write!(
                f,
                "looking up the host `{name}` failed for now ({reason}); check the network connection and DNS settings"
            ),
            NetworkFailureKind::LookupTimedOut { name } => write!(
                f,
                "looking up the host `{name}` timed out; check the network connection and DNS settings"
            ),
            NetworkFailureKind::ConnectionRefused => write!(
                f,
                "the connection to {server} was refused: nothing is listening there; check the host and port in the base URL, or start the server"
            ),
            NetworkFailureKind::Unreachable => write!(
                f,
                "{server} cannot be reached from this machine (no route to it); check the network connection"
            ),
            NetworkFailureKind::ConnectTimedOut => write!(
                f,
                "connecting to {server} timed out; check the network connection, the base URL and any firewall"
            ),
            NetworkFailureKind::ConnectFailed { reason } => write!(
                f,
                "connecting to {server} failed ({reason}); check the network connection and the base URL"
            ),
            NetworkFailureKind::Certificate(problem) => {
                write!(f, "the TLS certificate of {server} is not accepted: ")?;
                problem.describe(f, host_name(&self.host))
            }
            NetworkFailureKind::Handshake { reason } => write!(
                f,
                "the TLS handshake with {server} failed: {reason}; check that the base URL names an HTTPS server"
            ),
            NetworkFailureKind::NotTls => write!(
                f,
                "{server} did not answer in TLS though the base URL is https; it may serve plain http on that port: check the base URL"
            ),
            NetworkFailureKind::ProxyRefused { status } => {
                let proxy = self.proxy.as_deref().unwrap_or("the proxy");
                write!(
                    f,
                    "the proxy {proxy} refused to open a tunnel to {} (HTTP {status}{}); {PROXY_SETTINGS}",
                    self.host,
                    if *status == 407 {
                        ": proxy credentials missing or refused"
                    } else {
                        ""
                    }
                )
            }
            NetworkFailureKind::ProxyFailed { status } => {
                let proxy = self.proxy.as_deref().unwrap_or("the proxy");
                match status {
                    Some(status) => write!(
                        f,
                        "the proxy {proxy} could not open a tunnel to {} (HTTP {status}); it may work later, else {PROXY_SETTINGS}",
                        self.host
                    ),
                    None => write!(
                        f,
                        "the proxy {proxy} did not answer the request for a tunnel to {}; {PROXY_SETTINGS}",
                        self.host
                    ),
                }
            }
            NetworkFailureKind::InvalidProxy => {
                write!(f, "the proxy's URL cannot be used; {PROXY_SETTINGS}")
            }
            NetworkFailureKind::ConnectionLost { reason } => write!(
                f,
                "the connection to {server} broke after the request began to go out ({reason})"
            ),
            NetworkFailureKind::Protocol { reason } => write!(
                f,
                "{server} did not answer in HTTP/1.1 ({reason}); check the base URL"
            ),
            NetworkFailureKind::Other { reason, .. } => {
                write!(f, "the request to {server} failed: {reason}")
            }
        }
    }
}

impl std::error::Error for NetworkFailure {}

impl CertificateProblem {
    /// Says what is wrong and what to do; `host` is the name the URL gives.
    fn describe(&self, f: &mut fmt::Formatter<'_>, host: &str) -> fmt::Result {
        match self {
            CertificateProblem::SelfSigned => write!(
                f,
                "it is self-signed (a CA certificate presented as the server's own); {TRUST_A_CA}"
            ),
            CertificateProblem::UnknownIssuer => write!(
                f,
                "it is issued by an unknown authority (or is self-signed), so it is not trusted; {TRUST_A_CA}"
            ),
            CertificateProblem::NotValidForName { presented } => {
                write!(f, "it is not valid for `{host}`")?;
                if !presented.is_empty() {
                    write!(f, " (it is for {})", presented.join(", "))?;
                }
                f.write_str("; use a base URL with a name the certificate covers, or fix the server's certificate")
            }
            CertificateProblem::Expired { since } => {
                f.write_str("it has expired")?;
                if let Some(since) = since {
                    write!(f, " (on {})", httpdate::fmt_http_date(*since))?;
                }
                f.write_str("; the server's certificate must be renewed (or this machine's clock is wrong)")
            }
            CertificateProblem::NotValidYet => f.write_str(
                "it is not valid yet; check this machine's clock, or the server's certificate",
            ),
            CertificateProblem::Revoked => f.write_str(
                "it has been revoked; the server's certificate must be replaced",
            ),
            CertificateProblem::NotForServers => f.write_str(
                "it is not meant for a TLS server; the server's certificate must be replaced",
            ),
            CertificateProblem::Malformed => f.write_str(
                "it cannot be read, or its signature cannot be checked; the server's certificate must be replaced",
            ),
            CertificateProblem::Other => {
                write!(f, "it is not valid; check the server's certificate, and {TRUST_A_CA}")
            }
        }
    }
}

/// The host of `host:port`, without the brackets of an IPv6 literal.
fn host_name(host_port: &str) -> &str {
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host_port,
    };
    host.trim_start_matches('[').trim_end_matches(']')
}

/// A failure, told apart from the two kinds of error that are not network failures.
enum Classified {
    Failure(FailureKind, NetworkFailureKind),
    Timeout,
    TooLarge,
}

/// What `error` means; `connecting` when it happened while the connection was being set
/// up (resolving a proxy, connecting, the proxy's tunnel, the TLS handshake), before any
/// byte of the request went out.
fn kind_of(error: &ureq::Error, connecting: bool) -> Classified {
    use ureq::Error as U;
    use ureq::Timeout as T;
    let not_sent = |what| Classified::Failure(FailureKind::NotSent, what);
    let maybe_sent = |what| Classified::Failure(FailureKind::MaybeSent, what);
    match error {
        U::Timeout(T::Resolve | T::Connect) => not_sent(NetworkFailureKind::ConnectTimedOut),
        U::Timeout(_) if connecting => not_sent(NetworkFailureKind::ConnectTimedOut),
        U::Timeout(_) => Classified::Timeout,
        U::BodyExceedsLimit(_) => Classified::TooLarge,
        U::Other(inner) => match inner.downcast_ref::<LookupError>() {
            Some(lookup) => not_sent(match &lookup.kind {
                LookupErrorKind::NotFound => NetworkFailureKind::HostNotFound {
                    name: lookup.name.clone(),
                },
                LookupErrorKind::Failed(reason) => NetworkFailureKind::LookupFailed {
                    name: lookup.name.clone(),
                    reason: reason.clone(),
                },
                LookupErrorKind::TimedOut => NetworkFailureKind::LookupTimedOut {
                    name: lookup.name.clone(),
                },
            }),
            None if connecting => not_sent(NetworkFailureKind::ConnectFailed {
                reason: inner.to_string(),
            }),
            None => maybe_sent(NetworkFailureKind::Other {
                reason: inner.to_string(),
                maybe_sent: true,
            }),
        },
        U::HostNotFound => not_sent(NetworkFailureKind::HostNotFound {
            name: String::new(),
        }),
        U::ConnectionFailed => not_sent(NetworkFailureKind::ConnectFailed {
            reason: "no address of the host accepted a connection".into(),
        }),
        U::InvalidProxyUrl => not_sent(NetworkFailureKind::InvalidProxy),
        U::ConnectProxyFailed(reason) => not_sent(match proxy_status(reason) {
            Some(status) if (400..500).contains(&status) => {
                NetworkFailureKind::ProxyRefused { status }
            }
            status => NetworkFailureKind::ProxyFailed { status },
        }),
        U::Tls(reason) => not_sent(NetworkFailureKind::Handshake {
            reason: (*reason).to_string(),
        }),
        #[cfg(feature = "rustls")]
        U::Rustls(e) => not_sent(tls::describe(e)),
        #[cfg(feature = "native-tls")]
        U::NativeTls(e) => not_sent(NetworkFailureKind::Handshake {
            reason: e.to_string(),
        }),
        U::TlsRequired => not_sent(NetworkFailureKind::Handshake {
            reason: "the connection is not encrypted".into(),
        }),
        U::Http(e) => not_sent(NetworkFailureKind::Other {
            reason: format!("the request could not be built: {e}"),
            maybe_sent: false,
        }),
        U::BadUri(reason) => not_sent(NetworkFailureKind::Other {
            reason: format!("the URL cannot be used: {reason}"),
            maybe_sent: false,
        }),
        U::Io(e) => io_kind(e, connecting),
        U::Protocol(e) => maybe_sent(NetworkFailureKind::Protocol {
            reason: e.to_string(),
        }),
        U::LargeResponseHeader(size, limit) => maybe_sent(NetworkFailureKind::Protocol {
            reason: format!("its header is {size} bytes, over the limit of {limit}"),
        }),
        other if connecting => not_sent(NetworkFailureKind::ConnectFailed {
            reason: other.to_string(),
        }),
        other => maybe_sent(NetworkFailureKind::Other {
            reason: other.to_string(),
            maybe_sent: true,
        }),
    }
}

/// What an I/O error means, before or after the request began to go out.
fn io_kind(e: &std::io::Error, connecting: bool) -> Classified {
    use std::io::ErrorKind as Io;
    #[cfg(feature = "rustls")]
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        // Certificates are only checked in the handshake; other TLS errors tell nothing
        // of the phase themselves.
        let what = tls::describe(tls);
        return if connecting || matches!(what, NetworkFailureKind::Certificate(_)) {
            Classified::Failure(FailureKind::NotSent, what)
        } else {
            Classified::Failure(
                FailureKind::MaybeSent,
                NetworkFailureKind::ConnectionLost {
                    reason: "the TLS session broke".into(),
                },
            )
        };
    }
    let not_sent = |what| Classified::Failure(FailureKind::NotSent, what);
    match e.kind() {
        // These only happen while a connection is being made.
        Io::ConnectionRefused => not_sent(NetworkFailureKind::ConnectionRefused),
        Io::NetworkUnreachable | Io::HostUnreachable | Io::NetworkDown | Io::AddrNotAvailable => {
            not_sent(NetworkFailureKind::Unreachable)
        }
        Io::TimedOut if connecting => not_sent(NetworkFailureKind::ConnectTimedOut),
        Io::TimedOut => Classified::Timeout,
        _ if connecting => not_sent(NetworkFailureKind::ConnectFailed {
            reason: e.to_string(),
        }),
        _ => Classified::Failure(
            FailureKind::MaybeSent,
            NetworkFailureKind::ConnectionLost {
                reason: e.to_string(),
            },
        ),
    }
}

/// The status in ureq's "proxy server responded 407/Proxy Authentication Required".
fn proxy_status(reason: &str) -> Option<u16> {
    let rest = reason.strip_prefix("proxy server responded ")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The words for rustls's errors.
#[cfg(feature = "rustls")]
mod tls {
    use std::time::Duration;

    use super::{CertificateProblem, NetworkFailureKind, SystemTime};
    use rustls::{CertificateError, Error};

    /// What a rustls error means, in words.
    pub(super) fn describe(error: &Error) -> NetworkFailureKind {
        let handshake = |reason: &str| NetworkFailureKind::Handshake {
            reason: reason.to_string(),
        };
        match error {
            Error::InvalidCertificate(problem) => {
                NetworkFailureKind::Certificate(certificate(problem))
            }
            Error::NoCertificatesPresented => handshake("the server presented no certificate"),
            Error::InvalidMessage(_)
            | Error::InappropriateMessage { .. }
            | Error::InappropriateHandshakeMessage { .. } => NetworkFailureKind::NotTls,
            Error::PeerIncompatible(_) => {
                handshake("the server and this client have no TLS version or cipher in common")
            }
            Error::AlertReceived(_) => handshake(
                "the server ended the handshake with an alert (it may want a client certificate, or a TLS version this client lacks)",
            ),
            Error::UnsupportedNameType => {
                handshake("the host in the URL cannot be checked against a certificate")
            }
            _ => handshake("the server's TLS does not work with this client"),
        }
    }

    /// A name as webpki reports it (`DnsName("api.example")`, `IpAddress(127.0.0.1)`),
    /// plain; other kinds of name are left out.
    pub(super) fn plain_name(reported: &str) -> Option<String> {
        let inner = reported
            .strip_prefix("DnsName(")
            .or_else(|| reported.strip_prefix("IpAddress("))?
            .strip_suffix(')')?;
        Some(inner.trim_matches('"').to_string())
    }

    fn certificate(problem: &CertificateError) -> CertificateProblem {
        use CertificateError as C;
        match problem {
            C::UnknownIssuer => CertificateProblem::UnknownIssuer,
            C::NotValidForName => CertificateProblem::NotValidForName {
                presented: Vec::new(),
            },
            C::NotValidForNameContext { presented, .. } => CertificateProblem::NotValidForName {
                presented: presented.iter().filter_map(|n| plain_name(n)).collect(),
            },
            C::Expired => CertificateProblem::Expired { since: None },
            C::ExpiredContext { not_after, .. } => CertificateProblem::Expired {
                since: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(not_after.as_secs())),
            },
            C::NotValidYet | C::NotValidYetContext { .. } => CertificateProblem::NotValidYet,
            C::Revoked => CertificateProblem::Revoked,
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                CertificateProblem::NotForServers
            }
            C::BadEncoding
            | C::BadSignature
            | C::UnsupportedSignatureAlgorithmContext { .. }
            | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. }
            | C::UnhandledCriticalExtension => CertificateProblem::Malformed,
            C::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => CertificateProblem::SelfSigned,
                _ => CertificateProblem::Other,
            },
            _ => CertificateProblem::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn classify(error: ureq::Error, phase: Phase) -> (FailureKind, Option<NetworkFailure>) {
        NetworkFailure::classify(&error, phase, "api.example:443".into(), None)
    }

    fn io(kind: io::ErrorKind) -> ureq::Error {
        ureq::Error::Io(io::Error::new(kind, "test"))
    }

    #[test]
    fn failures_before_sending_are_not_sent() {
        for (error, permanent) in [
            (io(io::ErrorKind::ConnectionRefused), false),
            (io(io::ErrorKind::NetworkUnreachable), false),
            (io(io::ErrorKind::HostUnreachable), false),
            (ureq::Error::Timeout(ureq::Timeout::Connect), false),
            (ureq::Error::ConnectionFailed, false),
            (
                ureq::Error::ConnectProxyFailed("proxy server responded 502/Bad Gateway".into()),
                false,
            ),
            (
                ureq::Error::ConnectProxyFailed("proxy server did not respond".into()),
                false,
            ),
            (
                ureq::Error::ConnectProxyFailed(
                    "proxy server responded 407/Proxy Authentication Required".into(),
                ),
                true,
            ),
            (ureq::Error::InvalidProxyUrl, true),
            (ureq::Error::HostNotFound, true),
        ] {
            let text = error.to_string();
            // A pooled connection (no phase known) or a fresh one: the same verdict.
            for phase in [Phase::Idle, Phase::Connecting] {
                let (kind, failure) = classify(ureq_clone(&error), phase);
                let expected = if permanent {
                    FailureKind::NotSentPermanent
                } else {
                    FailureKind::NotSent
                };
                assert_eq!(kind, expected, "{text} in {phase:?}");
                assert_eq!(failure.unwrap().is_permanent(), permanent, "{text}");
            }
        }
    }

    /// ureq's errors are not `Clone`; the cases above only use cloneable shapes.
    fn ureq_clone(error: &ureq::Error) -> ureq::Error {
        match error {
            ureq::Error::Io(e) => ureq::Error::Io(io::Error::new(e.kind(), "test")),
            ureq::Error::Timeout(t) => ureq::Error::Timeout(*t),
            ureq::Error::ConnectionFailed => ureq::Error::ConnectionFailed,
            ureq::Error::ConnectProxyFailed(s) => ureq::Error::ConnectProxyFailed(s.clone()),
            ureq::Error::InvalidProxyUrl => ureq::Error::InvalidProxyUrl,
            ureq::Error::HostNotFound => ureq::Error::HostNotFound,
            other => panic!("not cloned here: {other}"),
        }
    }

    #[test]
    fn a_broken_connection_is_not_sent_only_while_connecting() {
        let (kind, _) = classify(io(io::ErrorKind::ConnectionReset), Phase::Connecting);
        assert_eq!(kind, FailureKind::NotSent);
        for phase in [Phase::Idle, Phase::Connected] {
            let (kind, failure) = classify(io(io::ErrorKind::ConnectionReset), phase);
            assert_eq!(kind, FailureKind::MaybeSent);
            assert!(matches!(
                failure.unwrap().kind,
                NetworkFailureKind::ConnectionLost { .. }
            ));
        }
    }

    #[test]
    fn timeouts_are_maybe_sent_after_connecting() {
        let global = || ureq::Error::Timeout(ureq::Timeout::Global);
        assert_eq!(classify(global(), Phase::Connected).0, FailureKind::Timeout);
        assert_eq!(
            classify(global(), Phase::Connecting).0,
            FailureKind::NotSent
        );
        assert_eq!(
            classify(io(io::ErrorKind::TimedOut), Phase::Connected).0,
            FailureKind::Timeout
        );
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn certificate_failures_are_permanent_and_in_words() {
        let tls = |e: rustls::Error| ureq::Error::Io(io::Error::new(io::ErrorKind::InvalidData, e));
        let self_signed = rustls::Error::InvalidCertificate(rustls::CertificateError::Other(
            rustls::OtherError(std::sync::Arc::new(webpki::Error::CaUsedAsEndEntity)),
        ));
        let (kind, failure) = classify(tls(self_signed), Phase::Connecting);
        assert_eq!(kind, FailureKind::NotSentPermanent);
        let text = failure.unwrap().to_string();
        assert!(
            text.contains("api.example:443") && text.contains("self-signed"),
            "{text}"
        );
        assert!(
            !text.contains("CaUsedAsEndEntity") && !text.contains("OtherError"),
            "{text}"
        );

        let unknown = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        // Even with no phase known (a caller's agent), a certificate is a handshake matter.
        let (kind, failure) = classify(tls(unknown), Phase::Idle);
        assert_eq!(kind, FailureKind::NotSentPermanent);
        assert!(failure.unwrap().to_string().contains("unknown authority"));

        let not_tls = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let (kind, failure) = classify(tls(not_tls), Phase::Connecting);
        assert_eq!(kind, FailureKind::NotSentPermanent);
        assert_eq!(failure.unwrap().kind, NetworkFailureKind::NotTls);
    }

    #[cfg(feature = "rustls")]
    #[test]
    fn names_a_certificate_is_for_are_plain() {
        assert_eq!(
            tls::plain_name("DnsName(\"api.example\")").as_deref(),
            Some("api.example")
        );
        assert_eq!(
            tls::plain_name("IpAddress(127.0.0.1)").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(tls::plain_name("DirectoryName"), None);
    }

    #[test]
    fn proxy_messages_name_the_proxy_and_its_status() {
        let failure = NetworkFailure {
            kind: NetworkFailureKind::ProxyRefused { status: 407 },
            host: "openrouter.ai:443".into(),
            proxy: Some("http://proxy.corp:3128".into()),
        };
        assert_eq!(
            failure.to_string(),
            "the proxy http://proxy.corp:3128 refused to open a tunnel to openrouter.ai:443 \
             (HTTP 407: proxy credentials missing or refused); check the proxy settings \
             (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, or ClientBuilder::proxy)"
        );
        let lookup = NetworkFailure {
            kind: NetworkFailureKind::HostNotFound {
                name: "proxy.corp".into(),
            },
            ..failure
        };
        assert!(
            lookup
                .to_string()
                .starts_with("the proxy's host `proxy.corp`")
        );
    }

    #[test]
    fn host_names_lose_port_and_brackets() {
        assert_eq!(host_name("api.example:443"), "api.example");
        assert_eq!(host_name("[::1]:8443"), "::1");
        assert_eq!(host_name("127.0.0.1:80"), "127.0.0.1");
    }
}
