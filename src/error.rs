//! The one error type of the crate.

use std::fmt;
use std::time::Duration;

use crate::ApiErrorBody;
use crate::network::NetworkFailure;
use crate::schema::Operation;

/// Everything a call can fail with.
///
/// Each variant says when it happens. None of them ever holds the API key.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a status of 400 or above (after any retries).
    ///
    /// The status, headers and raw body are kept; for the statuses the OpenAPI document
    /// describes, the body is also decoded into [`ApiErrorBody`]. Look at
    /// [`ApiError::status`] to decide what to do: 4xx means the request must change, 5xx
    /// that it may work later.
    Api(Box<ApiError>),
    /// An argument broke a rule the API documents (a length, a pattern, a range, a required
    /// field). Nothing was sent. Fix the named field.
    InvalidInput(InvalidInput),
    /// The client could not be built: no API key, an unusable base URL, a header value that
    /// cannot be sent. Fix the configuration or the environment; the [`ConfigError`] says
    /// which.
    Config(ConfigError),
    /// The server could not be reached, or the connection failed before a complete answer
    /// arrived (after any retries). `failure` says what failed and where, and its `Display`
    /// what to do; `maybe_sent` whether the request can have reached the server. A failure
    /// before anything was sent that would only repeat itself (an untrusted certificate, a
    /// host that does not exist, a proxy's refusal) is never retried:
    /// [`NetworkFailure::is_permanent`].
    Transport {
        /// The operation of the call (its `id` is the operationId).
        operation: &'static Operation,
        /// How many times the request was sent (or tried to be).
        attempts: u32,
        /// Whether the request can have reached the server; when `false` it certainly did not.
        maybe_sent: bool,
        /// What failed, in words: the error's [`source`](std::error::Error::source).
        failure: Box<NetworkFailure>,
        /// ureq's error, for diagnosis (its text is ureq's, not meant for users).
        source: ureq::Error,
    },
    /// No complete answer arrived within the per-attempt timeout (after any retries).
    Timeout {
        /// The operation of the call (its `id` is the operationId).
        operation: &'static Operation,
        /// How many attempts were made.
        attempts: u32,
        /// The timeout of one attempt.
        timeout: Duration,
    },
    /// A success response could not be decoded into its documented type: a body that is
    /// not JSON, has a non-JSON content type or misses required fields. The request did
    /// take effect on the server. (A body cut short by the connection is a `Transport`
    /// error, since the answer never fully arrived.)
    Decode {
        /// The operation of the call (its `id` is the operationId).
        operation: &'static Operation,
        /// The HTTP status of the response.
        status: u16,
        /// What did not fit.
        message: String,
        /// The start of the body, for diagnosis (at most 512 bytes, lossy UTF-8).
        body_excerpt: String,
    },
    /// A write failed in a way that leaves open whether the server applied it (an error
    /// status, a lost connection or a timeout after sending), and looking the result up did
    /// not settle it either. Check the state (the detail says how) before sending it again.
    OutcomeUnknown {
        /// The operation of the call (its `id` is the operationId).
        operation: &'static Operation,
        /// How many attempts were made.
        attempts: u32,
        /// What the lookup found, and how to check.
        detail: String,
        /// The failure of the last attempt. Its message, less the operation, ends this
        /// error's message, and its source is this error's source.
        cause: Box<Error>,
    },
    /// The response body was larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    ResponseTooLarge {
        /// The operation of the call (its `id` is the operationId).
        operation: &'static Operation,
        /// The limit in bytes.
        limit: u64,
    },
}

impl Error {
    /// The API error, when this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The HTTP status of an error the server answered with ([`Error::Api`]); `None` for
    /// every other variant (a [`Error::Decode`] keeps its success status in its field).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// Whether the server answered 404: what was addressed does not exist.
    ///
    /// ```
    /// # fn demo(client: &openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// match client.workspaces().get("staging").send() {
    ///     Ok(found) => println!("{}", found.data.name),
    ///     Err(e) if e.is_not_found() => println!("no such workspace"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether the server refused the request as it was (a 4xx status other than 429):
    /// sending it again unchanged will fail again.
    pub fn is_client_error(&self) -> bool {
        self.status()
            .is_some_and(|s| (400..500).contains(&s) && s != 429)
    }

    /// Whether the server failed (a 5xx status).
    pub fn is_server_error(&self) -> bool {
        self.status().is_some_and(|s| s >= 500)
    }

    /// Whether the same call may succeed later, once its cause passes (the client's own
    /// retries having run out): a 5xx, a 429, a timeout, or a network failure that is not
    /// [permanent](NetworkFailure::is_permanent) (a refused connection is retryable, an
    /// untrusted certificate is not). It says nothing of whether a write was applied; see
    /// [`Error::OutcomeUnknown`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => api.status >= 500 || api.status == 429,
            Error::Transport { failure, .. } => !failure.is_permanent(),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// How many attempts were made, where the call got as far as sending.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Api(api) => Some(api.attempts),
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::OutcomeUnknown { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    /// The operation (`workspaces().create (createWorkspace)`), then what went wrong.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.operation() {
            write!(f, "{operation}: ")?;
        }
        self.fmt_own(f)
    }
}

impl Error {
    /// What went wrong, without the operation that the message of every error of a call
    /// starts with: an error that wraps this one (and names the operation itself) says it.
    fn fmt_own(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => api.fmt_own(f),
            Error::InvalidInput(input) => input.fmt_own(f),
            Error::Config(problem) => write!(f, "invalid client configuration: {problem}"),
            // The cause is the source, not part of this message: `{:#}` chains print it once.
            Error::Transport {
                attempts,
                maybe_sent: false,
                ..
            } => write!(f, "not sent (after {})", attempts_text(*attempts)),
            Error::Transport { attempts, .. } => write!(
                f,
                "no answer, and the request may have reached the server (after {})",
                attempts_text(*attempts)
            ),
            Error::Timeout {
                attempts, timeout, ..
            } => write!(
                f,
                "no answer within {timeout:?}, after {}",
                attempts_text(*attempts)
            ),
            Error::Decode {
                status,
                message,
                body_excerpt,
                ..
            } => write!(
                f,
                "HTTP {status} response could not be decoded: {message}; body starts with {body_excerpt:?}"
            ),
            // The cause names the same operation: only its own part is said here, and the
            // source is the cause's source, so that a chain says each thing once.
            Error::OutcomeUnknown { detail, cause, .. } => write!(
                f,
                "the outcome is unknown: the server may have applied it, and {detail}; the write: {}",
                OwnPart(cause)
            ),
            Error::ResponseTooLarge { limit, .. } => write!(
                f,
                "the response body is larger than the limit of {limit} bytes"
            ),
        }
    }
}

/// An error's message without its operation.
struct OwnPart<'a>(&'a Error);

impl fmt::Display for OwnPart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_own(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { failure, .. } => Some(failure.as_ref()),
            Error::OutcomeUnknown { cause, .. } => cause.source(),
            _ => None,
        }
    }
}

impl Error {
    /// The operation this error names, if it names one.
    fn operation(&self) -> Option<&'static Operation> {
        match self {
            Error::Api(api) => Some(api.operation),
            Error::InvalidInput(input) => Some(input.operation),
            Error::Config(_) => None,
            Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Decode { operation, .. }
            | Error::OutcomeUnknown { operation, .. }
            | Error::ResponseTooLarge { operation, .. } => Some(operation),
        }
    }
}

/// Why a [`Client`](crate::Client) could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key: neither [`ClientBuilder::api_key`](crate::ClientBuilder::api_key) nor
    /// `OPENROUTER_API_KEY` gave one.
    MissingApiKey,
    /// The API key holds characters an HTTP header cannot carry.
    UnsendableApiKey,
    /// No base URL was given and the OpenAPI document names no server.
    MissingBaseUrl,
    /// The base URL cannot be used.
    BadBaseUrl {
        /// The URL as given (without a trailing slash).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base URL is plain `http` to a host other than loopback, which would send the key
    /// unencrypted (allow it with
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http)).
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
        /// Its host.
        host: String,
    },
    /// An attribution header's value holds control characters (such as CR or LF).
    UnsendableHeader {
        /// The header's name.
        header: String,
    },
    /// The proxy given to [`ClientBuilder::proxy`](crate::ClientBuilder::proxy), or the
    /// first of `ALL_PROXY`, `HTTPS_PROXY` and `HTTP_PROXY` set, cannot be used.
    InvalidProxy {
        /// The variable or builder method that gave it.
        origin: String,
        /// The proxy URL, its credentials replaced by `***`.
        proxy: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An environment variable read by
    /// [`ClientBuilder::from_env`](crate::ClientBuilder::from_env) has a value it cannot take.
    InvalidVariable {
        /// The variable.
        name: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// Root certificates added to the client (a file, a directory, PEM text; through the
    /// builder, `SSL_CERT_FILE` or `SSL_CERT_DIR`) cannot be used.
    RootCertificates {
        /// Which file, directory or variable.
        source: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingApiKey => write!(
                f,
                "no API key: set {} or call ClientBuilder::api_key",
                crate::API_KEY_ENV
            ),
            ConfigError::UnsendableApiKey => {
                f.write_str("the API key contains characters a header cannot carry")
            }
            ConfigError::MissingBaseUrl => write!(
                f,
                "no base URL: the OpenAPI document names no server; set {}",
                crate::BASE_URL_ENV
            ),
            ConfigError::BadBaseUrl { url, reason } => write!(f, "base URL `{url}` {reason}"),
            ConfigError::InsecureBaseUrl { url, host } => write!(
                f,
                "base URL `{url}` is plain http to {host}, which would send the API key unencrypted; \
                 use https, or ClientBuilder::allow_insecure_http(true) if you mean it"
            ),
            ConfigError::UnsendableHeader { header } => write!(
                f,
                "the `{header}` value contains characters a header cannot carry (control characters such as CR or LF)"
            ),
            ConfigError::InvalidProxy {
                origin,
                proxy,
                reason,
            } => write!(
                f,
                "the proxy `{proxy}` given by {origin} cannot be used: {reason}"
            ),
            ConfigError::InvalidVariable { name, reason } => write!(f, "{name} {reason}"),
            ConfigError::RootCertificates { source, reason } => write!(
                f,
                "the CA certificates of {source} cannot be trusted: {reason}"
            ),
        }
    }
}

fn attempts_text(n: u32) -> String {
    if n == 1 {
        "1 attempt".to_string()
    } else {
        format!("{n} attempts")
    }
}

/// An error status from the API, with everything the response said.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation of the call (its `id` is the operationId).
    pub operation: &'static Operation,
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: ureq::http::HeaderMap,
    /// The raw response body, as received.
    pub raw_body: Vec<u8>,
    /// The body decoded into its documented schema, when the status is documented and the
    /// body matches it.
    pub body: Option<ApiErrorBody>,
    /// How many attempts were made.
    pub attempts: u32,
    /// The wait the server asked for (`retry-after-ms` or `Retry-After`), if any. When the
    /// client gave up because that wait would pass its total retry bound, this is why.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// The server's message: `error.message` of a JSON error body, else the body as text.
    pub fn message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.raw_body)
            .ok()
            .and_then(|v| {
                v.pointer("/error/message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| excerpt(&self.raw_body))
    }

    /// The raw body as (lossy) UTF-8 text.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.raw_body).into_owned()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        self.fmt_own(f)
    }
}

impl ApiError {
    /// The message without the operation.
    fn fmt_own(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.message())?;
        if self.attempts > 1 {
            write!(f, " (after {})", attempts_text(self.attempts))?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (server asked to retry after {wait:?})")?;
        }
        Ok(())
    }
}

/// A request argument that breaks a documented rule; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The operation of the call (its `id` is the operationId).
    pub operation: &'static Operation,
    /// The parameter, body field or header that is wrong.
    pub field: String,
    /// The rule it breaks, as a sentence fragment ("must be at most 100 characters").
    pub problem: String,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.operation)?;
        self.fmt_own(f)
    }
}

impl InvalidInput {
    /// The message without the operation.
    fn fmt_own(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.problem)
    }
}

/// The first 512 bytes of `body` as lossy UTF-8.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 512;
    let end = body.len().min(MAX);
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > MAX {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// The generated description of operation `id`.
    fn op(id: &str) -> &'static Operation {
        crate::schema::operations()
            .iter()
            .find(|o| o.id == id)
            .expect("the Workspaces document has the operation")
    }

    fn api(status: u16) -> Error {
        api_of("getWorkspace", status)
    }

    fn api_of(operation: &str, status: u16) -> Error {
        Error::Api(Box::new(ApiError {
            operation: op(operation),
            status,
            headers: ureq::http::HeaderMap::new(),
            raw_body: br#"{"error":{"code":500,"message":"boom"}}"#.to_vec(),
            body: None,
            attempts: 2,
            retry_after: None,
        }))
    }

    fn every_variant() -> Vec<Error> {
        vec![
            api(500),
            Error::InvalidInput(InvalidInput {
                operation: op("createWorkspace"),
                field: "slug".into(),
                problem: "must not be empty".into(),
            }),
            Error::Config(ConfigError::MissingApiKey),
            Error::Transport {
                operation: op("getWorkspace"),
                attempts: 1,
                maybe_sent: false,
                failure: Box::new(NetworkFailure {
                    kind: crate::NetworkFailureKind::ConnectionRefused,
                    host: "api.example:443".into(),
                    proxy: None,
                }),
                source: ureq::Error::ConnectionFailed,
            },
            Error::Timeout {
                operation: op("getWorkspace"),
                attempts: 3,
                timeout: Duration::from_secs(1),
            },
            Error::Decode {
                operation: op("getWorkspace"),
                status: 200,
                message: "expected value".into(),
                body_excerpt: "<html>".into(),
            },
            // A create answered 500, whose lookup was answered 500 too.
            Error::OutcomeUnknown {
                operation: op("createWorkspace"),
                attempts: 2,
                detail: "GET /workspaces/fresh answered HTTP 500; look it up before retrying"
                    .into(),
                cause: Box::new(api_of("createWorkspace", 500)),
            },
            Error::ResponseTooLarge {
                operation: op("listWorkspaces"),
                limit: 16,
            },
            // A create whose connection was lost after sending, and whose lookup failed.
            Error::OutcomeUnknown {
                operation: op("createWorkspace"),
                attempts: 1,
                detail:
                    "GET /workspaces/fresh failed (timeout: global); look it up before retrying"
                        .into(),
                cause: Box::new(Error::Transport {
                    operation: op("createWorkspace"),
                    attempts: 1,
                    maybe_sent: true,
                    failure: Box::new(NetworkFailure {
                        kind: crate::NetworkFailureKind::ConnectionLost {
                            reason: "connection reset by peer".into(),
                        },
                        host: "api.example:443".into(),
                        proxy: None,
                    }),
                    source: ureq::Error::ConnectionFailed,
                }),
            },
            // A rename whose retry found nothing at the old slug, looked up at the new one.
            Error::OutcomeUnknown {
                operation: op("updateWorkspace"),
                attempts: 2,
                detail: "GET /workspaces/team-new answered HTTP 503; look it up before retrying"
                    .into(),
                cause: Box::new(api_of("updateWorkspace", 404)),
            },
        ]
    }

    /// The error and its sources, as a caller (the CLI) prints them: `a: b: c`.
    fn chain(error: &Error) -> String {
        let mut text = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            text.push_str(&format!(": {inner}"));
            cause = inner.source();
        }
        text
    }

    #[test]
    fn display_never_repeats_the_source() {
        for error in every_variant() {
            let text = error.to_string();
            let mut cause = error.source();
            while let Some(inner) = cause {
                let inner_text = inner.to_string();
                assert!(
                    !text.contains(&inner_text),
                    "`{text}` repeats its source `{inner_text}`"
                );
                cause = inner.source();
            }
            // Nor does a cause of the same operation name it again.
            let chain = chain(&error);
            if let Some(operation) = error.operation() {
                let called = operation.to_string();
                assert_eq!(chain.matches(&called).count(), 1, "{chain}");
                assert_eq!(chain.matches(operation.id).count(), 1, "{chain}");
            }
        }
    }

    #[test]
    fn every_error_of_an_operation_starts_with_the_operation() {
        // A wrapping `OutcomeUnknown` says only the own part of its cause: the operation
        // must be in the prefix, and nowhere in the own part.
        for error in every_variant() {
            if let Some(operation) = error.operation() {
                let own = OwnPart(&error).to_string();
                assert_eq!(error.to_string(), format!("{operation}: {own}"));
                assert!(!own.contains(operation.id), "{error}");
            }
        }
    }

    #[test]
    fn an_unknown_outcome_says_the_operation_once_then_the_lookup_then_the_write() {
        let variants = every_variant();
        assert_eq!(
            chain(&variants[6]),
            "workspaces().create (createWorkspace): the outcome is unknown: the server may \
             have applied it, and GET /workspaces/fresh answered HTTP 500; look it up before \
             retrying; the write: HTTP 500: boom (after 2 attempts)"
        );
        // A transport failure's own words, then its source, once each.
        let lost = chain(&variants[8]);
        let Error::OutcomeUnknown { cause, .. } = &variants[8] else {
            panic!("{:?}", variants[8]);
        };
        assert_eq!(
            lost,
            format!(
                "workspaces().create (createWorkspace): the outcome is unknown: the server may \
                 have applied it, and GET /workspaces/fresh failed (timeout: global); look it \
                 up before retrying; the write: {}: {}",
                OwnPart(cause),
                "the connection to api.example:443 broke after the request began to go out \
                 (connection reset by peer)"
            )
        );
    }

    #[test]
    fn transport_and_outcome_unknown_chain_their_cause() {
        let variants = every_variant();
        let transport = &variants[3];
        assert_eq!(
            transport.to_string(),
            "workspaces().get (getWorkspace): not sent (after 1 attempt)"
        );
        let failure = transport.source().expect("the failure in words");
        assert!(
            failure
                .to_string()
                .starts_with("the connection to api.example:443 was refused"),
            "{failure}"
        );
        // An unknown outcome says its cause's own part, and chains the cause's source.
        let Error::OutcomeUnknown { cause, .. } = &variants[6] else {
            panic!("{:?}", variants[6]);
        };
        assert_eq!(cause.status(), Some(500));
        assert!(variants[6].source().is_none(), "an API error has no source");
        let lost = &variants[8];
        let source = lost.source().expect("the lost connection's failure");
        assert!(
            source.downcast_ref::<NetworkFailure>().is_some(),
            "{source:?}"
        );
    }

    #[test]
    fn status_and_helpers_speak_of_server_answers_only() {
        let variants = every_variant();
        let decode = &variants[5];
        assert_eq!(decode.status(), None, "a decode error is no error status");
        assert_eq!(api(404).status(), Some(404));
        assert!(api(404).is_not_found() && api(404).is_client_error());
        assert!(!api(404).is_retryable());
        assert!(api(503).is_retryable() && api(503).is_server_error());
        assert!(api(429).is_retryable() && !api(429).is_client_error());
        assert!(variants[3].is_retryable() && variants[4].is_retryable());
        assert!(!variants[1].is_retryable() && !variants[6].is_retryable());
    }
}
