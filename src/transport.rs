//! One attempt on the wire: send a prepared request through the agent, read the answer
//! within the size limit, and classify a failure by whether the request can have reached
//! the server.

use std::time::Duration;

use ureq::http::{HeaderMap, Request};
use ureq::{AsSendBody, RequestExt};

use crate::Client;
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
    Failed(ureq::Error),
}

/// How a transport failure bears on re-sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The request cannot have reached the server (no connection was made).
    NotSent,
    /// It may have been sent and acted on.
    MaybeSent,
    /// No complete answer within the timeout; it may have been acted on.
    Timeout,
    /// The time ran out while resolving or connecting: nothing was sent.
    TimeoutBeforeSending,
    /// The answer was larger than the client accepts.
    TooLarge,
}

impl FailureKind {
    /// Classifies a ureq failure.
    pub(crate) fn of(error: &ureq::Error) -> Self {
        use std::io::ErrorKind as Io;
        match error {
            ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
                FailureKind::TimeoutBeforeSending
            }
            ureq::Error::Timeout(_) => FailureKind::Timeout,
            ureq::Error::BodyExceedsLimit(_) => FailureKind::TooLarge,
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FailureKind::NotSent,
            ureq::Error::Io(e) if e.kind() == Io::ConnectionRefused => FailureKind::NotSent,
            ureq::Error::Io(e) if e.kind() == Io::TimedOut => FailureKind::Timeout,
            _ => FailureKind::MaybeSent,
        }
    }

    /// Whether the server may have received, and applied, the request.
    pub(crate) fn maybe_applied(self) -> bool {
        matches!(self, FailureKind::MaybeSent | FailureKind::Timeout)
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
            Some(bytes) => builder.body(bytes).map(|r| self.run(r, headers, timeout)),
            None => builder.body(()).map(|r| self.run(r, headers, timeout)),
        };
        match result {
            Ok(exchange) => exchange,
            Err(e) => Exchange::Failed(ureq::Error::Http(e)),
        }
    }

    fn run<B: AsSendBody>(
        &self,
        mut request: Request<B>,
        headers: &HeaderMap,
        timeout: AttemptTimeout,
    ) -> Exchange {
        let inner = &*self.inner;
        *request.headers_mut() = headers.clone();
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
                if let Some(resolver) = &inner.resolver
                    && FailureKind::of(&e) == FailureKind::NotSent
                {
                    // The cached address may have gone stale: look it up again next time.
                    resolver.forget();
                }
                return Exchange::Failed(e);
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
            Err(e) => Exchange::Failed(e),
        }
    }
}
