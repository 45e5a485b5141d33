//! One attempt on the wire: send a prepared request through the agent, read the answer
//! within the size limit, and classify a failure by what is known of it: whether the
//! request can have reached the server, and whether sending it again can help.
//!
//! What is known comes from the error and from the phase it happened in. The client's own
//! agent wraps ureq's connector chain in [`Watched`], which tells the calling thread when
//! a connection is being set up (the proxy's tunnel and the TLS handshake included) and
//! when it is ready: a failure before that cannot have sent a byte of the request.

use std::cell::Cell;
use std::time::Duration;

use ureq::http::{HeaderMap, Request, Uri};
use ureq::unversioned::transport::{ConnectionDetails, Connector, DefaultConnector, Transport};
use ureq::{AsSendBody, RequestExt};

use crate::Client;
use crate::network::NetworkFailure;
use crate::schema::Method;

/// The raw result of one attempt.
pub(crate) enum Exchange {
    /// A complete answer, whatever its status.
    Response {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    /// No complete answer.
    Failed(Failed),
}

/// A failed attempt, classified.
pub(crate) struct Failed {
    /// What the failure means for sending again.
    pub(crate) kind: FailureKind,
    /// What failed, in words; `None` for a timeout after sending or an oversized answer.
    pub(crate) failure: Option<NetworkFailure>,
    /// ureq's error.
    pub(crate) error: ureq::Error,
}

impl Failed {
    /// Whether the same request may get an answer later (a lookup is tried again then).
    pub(crate) fn may_pass(&self) -> bool {
        !matches!(
            self.kind,
            FailureKind::TooLarge | FailureKind::NotSentPermanent
        )
    }
}

/// The failure in words (ureq's own text only for a timeout after sending).
impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.failure, self.kind) {
            (Some(failure), _) => failure.fmt(f),
            (None, FailureKind::TooLarge) => f.write_str("the answer is larger than the limit"),
            (None, _) => f.write_str("no answer within the timeout"),
        }
    }
}

/// How a transport failure bears on re-sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The request was not sent, and sending it again would fail the same way: a
    /// certificate, a host that does not exist, a proxy's refusal. Never retried.
    NotSentPermanent,
    /// The request was not sent; it may go through later.
    NotSent,
    /// It may have been sent and acted on.
    MaybeSent,
    /// No complete answer within the timeout, after the request went out; it may have
    /// been acted on.
    Timeout,
    /// The answer was larger than the client accepts.
    TooLarge,
}

impl FailureKind {
    /// Whether the server may have received, and applied, the request.
    pub(crate) fn maybe_applied(self) -> bool {
        matches!(self, FailureKind::MaybeSent | FailureKind::Timeout)
    }
}

/// Where the attempt in progress on this thread got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No connection was set up for it: a pooled one carried it, or the agent is a
    /// caller's, which does not say.
    Idle,
    /// A connection was being set up when it failed: nothing of the request was sent.
    Connecting,
    /// A new connection was ready; the request went out on it.
    Connected,
}

thread_local! {
    /// The phase of the attempt in progress on this thread (ureq is blocking: the
    /// connector runs on the thread that sends).
    static PHASE: Cell<Phase> = const { Cell::new(Phase::Idle) };
}

/// ureq's default connector chain, telling the calling thread's [`PHASE`] when a
/// connection is being set up and when it is ready.
#[derive(Debug, Default)]
pub(crate) struct Watched(DefaultConnector);

impl Connector<()> for Watched {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        // A CONNECT proxy runs the whole chain again for its own connection: only the
        // outermost call says when the connection to the server is ready.
        let outermost = PHASE.replace(Phase::Connecting) != Phase::Connecting;
        let connected = self.0.connect(details, chained);
        if outermost && matches!(connected, Ok(Some(_))) {
            PHASE.set(Phase::Connected);
        }
        connected
    }
}

/// The timeout of one attempt, and whether it differs from the agent's own setting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttemptTimeout {
    pub(crate) limit: Duration,
    /// When `false` the client's own agent already applies `limit`.
    pub(crate) overridden: bool,
}

impl Client {
    /// Sends one request and reads the whole answer.
    pub(crate) fn send_once(
        &self,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        timeout: AttemptTimeout,
    ) -> Exchange {
        let builder = Request::builder().method(method.as_str()).uri(url);
        let result = match body {
            Some(bytes) => builder
                .body(bytes)
                .map(|r| self.run(r, url, headers, timeout)),
            None => builder.body(()).map(|r| self.run(r, url, headers, timeout)),
        };
        match result {
            Ok(exchange) => exchange,
            Err(e) => Exchange::Failed(self.failed(url, ureq::Error::Http(e), Phase::Idle)),
        }
    }

    /// Sends `request` (to `url`) through the agent and reads the answer.
    fn run<B: AsSendBody>(
        &self,
        mut request: Request<B>,
        url: &str,
        headers: &HeaderMap,
        timeout: AttemptTimeout,
    ) -> Exchange {
        let inner = &*self.inner;
        *request.headers_mut() = headers.clone();
        PHASE.set(Phase::Idle);
        let response = if inner.agent_is_ours && !timeout.overridden {
            inner.agent.run(request)
        } else {
            request
                .with_agent(&inner.agent)
                .configure()
                .http_status_as_error(false)
                .timeout_global(Some(timeout.limit))
                .build()
                .run()
        };
        let mut response = match response {
            Ok(r) => r,
            Err(e) => {
                let failed = self.failed(url, e, PHASE.get());
                if let Some(resolver) = &inner.resolver
                    && matches!(
                        failed.kind,
                        FailureKind::NotSent | FailureKind::NotSentPermanent
                    )
                {
                    // The cached address may have gone stale: look it up again next time.
                    resolver.forget();
                }
                return Exchange::Failed(failed);
            }
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(inner.max_response_bytes)
            .read_to_vec();
        match body {
            Ok(body) => Exchange::Response {
                status,
                headers: std::mem::take(response.headers_mut()),
                body,
            },
            // The answer had begun to arrive: the request was sent.
            Err(e) => Exchange::Failed(self.failed(url, e, Phase::Connected)),
        }
    }

    /// Classifies the failure of a request to `url`.
    fn failed(&self, url: &str, error: ureq::Error, phase: Phase) -> Failed {
        match url.parse::<Uri>() {
            Ok(uri) => self.failed_at(&uri, error, phase),
            Err(_) => {
                let (kind, failure) = NetworkFailure::classify(&error, phase, url.into(), None);
                Failed {
                    kind,
                    failure,
                    error,
                }
            }
        }
    }

    /// Classifies the failure of a request to `uri`, naming its host and the proxy it
    /// went through (without credentials).
    fn failed_at(&self, uri: &Uri, error: ureq::Error, phase: Phase) -> Failed {
        let host = host_port(uri);
        let proxy = self
            .inner
            .agent
            .config()
            .proxy()
            .filter(|proxy| !proxy.is_no_proxy(uri))
            .map(crate::proxy::display);
        let (kind, failure) = NetworkFailure::classify(&error, phase, host, proxy);
        Failed {
            kind,
            failure,
            error,
        }
    }
}

/// `host:port` of `uri`, with the scheme's default port when it names none.
fn host_port(uri: &Uri) -> String {
    let host = uri.host().unwrap_or_default();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    format!("{host}:{port}")
}
