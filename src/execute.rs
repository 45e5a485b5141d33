//! The one execution path of every operation: build the request, send it, classify the
//! outcome, retry where the policy allows, decode.
//!
//! Generated operations describe a request with [`RequestParts`] and an [`Operation`]; this
//! module never names an operation, so a spec with other operations needs no change here.

use std::thread;
use std::time::{Duration, Instant, SystemTime};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use ureq::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use ureq::http::{HeaderMap, HeaderName, HeaderValue, Request};
use ureq::{AsSendBody, RequestExt};

use crate::client::{APP_CATEGORIES, APP_TITLE, Attempt, AttemptOutcome, HTTP_REFERER};
use crate::error::{ApiError, Error, InvalidInput, excerpt};
use crate::options::CallOptions;
use crate::reconcile::{self, Reconciler, Settled};
use crate::retry::retry_after;
use crate::validation::{self, FieldRule, Rules};
use crate::{ApiErrorBody, Client};

/// Characters left as they are in a path segment or query component: RFC 3986 unreserved.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What the generator knows about an operation.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) id: &'static str,
    pub(crate) method: Method,
    #[allow(dead_code)] // kept for diagnostics and the attempt hook's future use
    pub(crate) path: &'static str,
    pub(crate) errors: &'static [ErrorStatus],
}

/// An HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // a spec may use any of them
pub(crate) enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Whether sending the request twice has the effect of sending it once. PATCH counts:
    /// the API's updates set fields to given values, so a repeat changes nothing more.
    pub(crate) fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

/// A documented error status and the decoder of its body.
#[derive(Debug)]
pub(crate) struct ErrorStatus {
    pub(crate) status: StatusMatch,
    pub(crate) decode: Option<ErrorDecoder>,
}

/// Decodes the body of a documented error status into its typed form.
pub(crate) type ErrorDecoder = fn(&[u8]) -> Option<ApiErrorBody>;

/// How a documented response key matches a status.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)] // a spec may use either form
pub(crate) enum StatusMatch {
    Code(u16),
    Class(u16),
}

impl StatusMatch {
    fn matches(self, status: u16) -> bool {
        match self {
            StatusMatch::Code(code) => code == status,
            StatusMatch::Class(class) => status / 100 == class,
        }
    }
}

/// The JSON body of a request under construction.
///
/// Setters insert as they go; the first value that cannot be represented is kept as an
/// error and reported by `send`, so a chain of setters never panics.
#[derive(Debug, Clone, Default)]
pub(crate) struct JsonBody {
    fields: Map<String, Value>,
    problem: Option<(String, String)>,
}

#[allow(
    dead_code,
    reason = "used by generated operations; a document may not need every form"
)]
impl JsonBody {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Sets `field`; a value whose JSON form is `null` (a NaN or infinite number) is refused.
    pub(crate) fn set(&mut self, field: &str, value: impl Serialize) {
        match serde_json::to_value(value) {
            Ok(Value::Null) => self.note(
                field,
                "is not a finite number or value; to send null use the clear_ setter",
            ),
            Ok(json) => {
                self.fields.insert(field.to_string(), json);
            }
            Err(e) => self.note(field, &format!("cannot be encoded as JSON: {e}")),
        }
    }

    /// Sets `field` to an explicit JSON `null`.
    pub(crate) fn set_null(&mut self, field: &str) {
        self.fields.insert(field.to_string(), Value::Null);
    }

    /// Replaces the whole body with the JSON form of `value`.
    pub(crate) fn replace_with(&mut self, value: &impl Serialize) {
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => self.fields = map,
            Ok(_) => self.note("body", "is not a JSON object"),
            Err(e) => self.note("body", &format!("cannot be encoded as JSON: {e}")),
        }
    }

    fn note(&mut self, field: &str, problem: &str) {
        if self.problem.is_none() {
            self.problem = Some((field.to_string(), problem.to_string()));
        }
    }
}

/// A request as an operation describes it, before the client adds its own headers.
#[derive(Debug)]
pub(crate) struct RequestParts {
    operation: &'static Operation,
    path: String,
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Vec<u8>>,
}

#[allow(
    dead_code,
    reason = "used by generated operations; a document may not need every form"
)]
impl RequestParts {
    pub(crate) fn new(operation: &'static Operation) -> Self {
        Self {
            operation,
            path: String::with_capacity(64),
            query: String::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    fn invalid(&self, field: &str, problem: impl Into<String>) -> Error {
        Error::InvalidInput(InvalidInput {
            operation: self.operation.id,
            field: field.to_string(),
            problem: problem.into(),
        })
    }

    /// Appends a literal piece of the path template.
    pub(crate) fn push_path(&mut self, literal: &str) {
        self.path.push_str(literal);
    }

    /// Checks a path parameter and appends it as exactly one percent-encoded segment.
    pub(crate) fn path_param(
        &mut self,
        name: &str,
        value: &impl Serialize,
        rules: &Rules,
    ) -> Result<(), Error> {
        let json = self.checked(name, value, rules)?;
        let text = self.scalar_text(name, &json)?;
        if text.is_empty() {
            return Err(self.invalid(name, "must not be empty (it is a path segment)"));
        }
        if text.chars().all(|c| c == '.') {
            // `.` and `..` would be read as relative path steps; encode every dot.
            for _ in 0..text.len() {
                self.path.push_str("%2E");
            }
        } else {
            self.path.extend(utf8_percent_encode(&text, COMPONENT));
        }
        Ok(())
    }

    /// Checks a query parameter and appends it; arrays repeat the name (`form`, exploded).
    pub(crate) fn query_param<T: Serialize>(
        &mut self,
        name: &str,
        value: Option<&T>,
        rules: &Rules,
    ) -> Result<(), Error> {
        let Some(value) = value else {
            return Ok(());
        };
        let json = self.checked(name, value, rules)?;
        let items = match &json {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            let text = self.scalar_text(name, item)?;
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.extend(utf8_percent_encode(name, COMPONENT));
            self.query.push('=');
            self.query.extend(utf8_percent_encode(&text, COMPONENT));
        }
        Ok(())
    }

    /// Checks a header parameter; a value with CR, LF or other control characters is refused.
    pub(crate) fn header_param<T: Serialize>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
        rules: &Rules,
    ) -> Result<(), Error> {
        let Some(value) = value else {
            return Ok(());
        };
        let json = self.checked(name, value, rules)?;
        let text = self.scalar_text(name, &json)?;
        let header_name = HeaderName::try_from(name)
            .map_err(|_| self.invalid(name, "is not a valid header name"))?;
        let header_value = HeaderValue::try_from(text).map_err(|_| {
            self.invalid(name, "must not contain control characters such as CR or LF")
        })?;
        self.headers.push((header_name, header_value));
        Ok(())
    }

    /// Checks the body against its field rules and encodes it.
    pub(crate) fn json_body(
        &mut self,
        body: JsonBody,
        fields: &[FieldRule],
        object: bool,
    ) -> Result<(), Error> {
        if let Some((field, problem)) = body.problem {
            return Err(self.invalid(&field, problem));
        }
        if object {
            validation::check_body(self.operation.id, &body.fields, fields)
                .map_err(Error::InvalidInput)?;
        }
        let bytes = serde_json::to_vec(&body.fields)
            .map_err(|e| self.invalid("body", format!("cannot be encoded as JSON: {e}")))?;
        self.body = Some(bytes);
        Ok(())
    }

    fn checked(&self, name: &str, value: &impl Serialize, rules: &Rules) -> Result<Value, Error> {
        let json = serde_json::to_value(value)
            .map_err(|e| self.invalid(name, format!("cannot be encoded: {e}")))?;
        if json.is_null() {
            return Err(self.invalid(name, "is not a finite number or value"));
        }
        validation::check(self.operation.id, name, &json, rules).map_err(Error::InvalidInput)?;
        Ok(json)
    }

    fn scalar_text(&self, name: &str, value: &Value) -> Result<String, Error> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(self.invalid(name, "must be a string, number or boolean")),
        }
    }
}

/// The raw result of one attempt.
enum Exchange {
    Response {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    Failed(ureq::Error),
}

/// How a transport failure bears on re-sending.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    /// The request cannot have reached the server (no connection was made).
    NotSent,
    /// It may have been sent and acted on.
    MaybeSent,
    Timeout,
    TooLarge,
}

fn classify(error: &ureq::Error) -> FailureKind {
    use std::io::ErrorKind as Io;
    match error {
        ureq::Error::Timeout(_) => FailureKind::Timeout,
        ureq::Error::BodyExceedsLimit(_) => FailureKind::TooLarge,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FailureKind::NotSent,
        ureq::Error::Io(e) if e.kind() == Io::ConnectionRefused => FailureKind::NotSent,
        ureq::Error::Io(e) if e.kind() == Io::TimedOut => FailureKind::Timeout,
        _ => FailureKind::MaybeSent,
    }
}

impl Client {
    /// Sends `request` under `options` and decodes a success into `T`.
    pub(crate) fn execute<T: DeserializeOwned>(
        &self,
        request: RequestParts,
        options: &CallOptions,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let operation = request.operation;
        let headers = self.headers_for(&request, options)?;
        let mut url = String::with_capacity(
            inner.base_url.len() + request.path.len() + request.query.len() + 1,
        );
        url.push_str(&inner.base_url);
        url.push_str(&request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        let policy = options.retry.as_ref().unwrap_or(&inner.retry);
        let timeout = options.timeout.unwrap_or(inner.timeout);
        let idempotent =
            operation.method.is_idempotent() || reconcile::repeats_safely(operation.id);
        let started = Instant::now();
        let mut attempt: u32 = 0;
        // Whether an earlier attempt may have been applied by the server.
        let mut applied_earlier = false;

        loop {
            attempt += 1;
            let attempt_started = Instant::now();
            let exchange = self.send_once(
                operation.method,
                &url,
                &headers,
                request.body.as_deref(),
                timeout,
                options.timeout.is_some(),
            );
            let elapsed = attempt_started.elapsed();

            // Decide: the final result, or the wait before the next attempt.
            let mut maybe_applied = false;
            let mut policy_retries = false;
            let mut server_wait = None;
            let (outcome, verdict): (AttemptOutcome, Result<Result<T, Error>, Duration>) =
                match exchange {
                    Exchange::Response {
                        status,
                        headers,
                        body,
                    } => {
                        let outcome = AttemptOutcome::Status(status);
                        let done_already = status == 404 && applied_earlier;
                        if (200..300).contains(&status) {
                            (
                                outcome,
                                Ok(decode_success(operation.id, status, &headers, &body)),
                            )
                        } else if let Some(done) =
                            reconcile::gone_means_done(operation.id).filter(|_| done_already)
                        {
                            // A delete whose lost first attempt did its job.
                            (
                                outcome,
                                Ok(decode_success(operation.id, 200, &HeaderMap::new(), done)),
                            )
                        } else {
                            server_wait = retry_after(&headers, SystemTime::now());
                            policy_retries = policy.retries_status(status);
                            maybe_applied = status >= 500;
                            let retryable = policy_retries && (idempotent || status == 429);
                            let error = |retry_after: Option<Duration>| {
                                Error::Api(Box::new(ApiError {
                                    operation: operation.id,
                                    status,
                                    body: decode_error_body(operation, status, &body),
                                    headers: headers.clone(),
                                    raw_body: body.clone(),
                                    attempts: attempt,
                                    retry_after,
                                }))
                            };
                            match next_wait(policy, attempt, started, retryable, server_wait) {
                                Wait::Retry(wait) => (outcome, Err(wait)),
                                // The server's own wait is kept, retried or not.
                                Wait::GiveUp | Wait::PastBound => {
                                    (outcome, Ok(Err(error(server_wait))))
                                }
                            }
                        }
                    }
                    Exchange::Failed(source) => {
                        let kind = classify(&source);
                        let outcome = match kind {
                            FailureKind::Timeout => AttemptOutcome::Timeout,
                            _ => AttemptOutcome::Transport(source.to_string()),
                        };
                        policy_retries = policy.retries_connection_errors();
                        maybe_applied =
                            matches!(kind, FailureKind::MaybeSent | FailureKind::Timeout);
                        let retryable = policy_retries
                            && match kind {
                                FailureKind::NotSent => true,
                                FailureKind::MaybeSent | FailureKind::Timeout => idempotent,
                                FailureKind::TooLarge => false,
                            };
                        let error = match kind {
                            FailureKind::Timeout => Error::Timeout {
                                operation: operation.id,
                                attempts: attempt,
                                timeout,
                            },
                            FailureKind::TooLarge => Error::ResponseTooLarge {
                                operation: operation.id,
                                limit: inner.max_response_bytes,
                            },
                            FailureKind::NotSent | FailureKind::MaybeSent => Error::Transport {
                                operation: operation.id,
                                attempts: attempt,
                                maybe_sent: kind == FailureKind::MaybeSent,
                                source,
                            },
                        };
                        match next_wait(policy, attempt, started, retryable, None) {
                            Wait::Retry(wait) => (outcome, Err(wait)),
                            Wait::GiveUp | Wait::PastBound => (outcome, Ok(Err(error))),
                        }
                    }
                };

            // A write that may have taken effect is looked up before it is given up on.
            applied_earlier |= maybe_applied;
            let verdict = match verdict {
                Ok(Err(error)) if maybe_applied && !idempotent => {
                    let retry = |attempt| match next_wait(
                        policy,
                        attempt,
                        started,
                        policy_retries,
                        server_wait,
                    ) {
                        Wait::Retry(wait) => Some(wait),
                        Wait::GiveUp | Wait::PastBound => None,
                    };
                    self.settle(
                        operation, &request, &headers, timeout, error, attempt, retry,
                    )
                }
                other => other,
            };

            let next_delay = verdict.as_ref().err().copied();
            log::debug!(
                "{} {} attempt {} -> {:?} in {:?}{}",
                operation.method.as_str(),
                url,
                attempt,
                outcome,
                elapsed,
                next_delay
                    .map(|d| format!(", retrying in {d:?}"))
                    .unwrap_or_default()
            );
            if let Some(hook) = &inner.on_attempt {
                hook(&Attempt {
                    operation: operation.id,
                    method: operation.method.as_str(),
                    url: &url,
                    number: attempt,
                    outcome,
                    elapsed,
                    next_delay,
                });
            }
            match verdict {
                Ok(result) => return result,
                Err(wait) => thread::sleep(wait),
            }
        }
    }

    /// After an ambiguous failure of a write that has a reconciler: looks the result up
    /// and returns it, or sends again when the write did not happen (`retry` gives the wait,
    /// if the policy allows another attempt), or reports that the outcome is unknown.
    #[allow(clippy::too_many_arguments)]
    fn settle<T: DeserializeOwned>(
        &self,
        operation: &'static Operation,
        request: &RequestParts,
        headers: &HeaderMap,
        timeout: Duration,
        error: Error,
        attempt: u32,
        retry: impl Fn(u32) -> Option<Duration>,
    ) -> Result<Result<T, Error>, Duration> {
        let Some(reconciler) = reconcile::for_operation(operation.id) else {
            return Ok(Err(error));
        };
        let settled = self.look_up(reconciler, request, headers, timeout);
        match settled {
            Settled::TookEffect(body) => {
                log::debug!(
                    "{}: the write took effect; returning the looked-up result",
                    operation.id
                );
                Ok(decode_success(operation.id, 200, &HeaderMap::new(), &body))
            }
            Settled::Conflict => Ok(Err(error)),
            Settled::DidNotHappen => match retry(attempt) {
                Some(wait) => Err(wait),
                None => Ok(Err(error)),
            },
            Settled::Unknown(detail) => Ok(Err(Error::OutcomeUnknown {
                operation: operation.id,
                attempts: attempt,
                detail,
                cause: Box::new(error),
            })),
        }
    }

    fn look_up(
        &self,
        reconciler: &Reconciler,
        request: &RequestParts,
        headers: &HeaderMap,
        timeout: Duration,
    ) -> Settled {
        let sent: Value = match request.body.as_deref().map(serde_json::from_slice) {
            Some(Ok(value)) => value,
            _ => return Settled::Unknown("the request had no JSON body to look up".into()),
        };
        let Some(path) = (reconciler.lookup_path)(&sent) else {
            return Settled::Unknown("the request body lacks the field the lookup needs".into());
        };
        let url = format!("{}{path}", self.inner.base_url);
        let mut headers = headers.clone();
        headers.remove(CONTENT_TYPE);
        match self.send_once(Method::Get, &url, &headers, None, timeout, true) {
            Exchange::Response { status: 404, .. } => Settled::DidNotHappen,
            Exchange::Response {
                status: 200, body, ..
            } => match serde_json::from_slice::<Value>(&body) {
                Ok(found) if (reconciler.matches)(&sent, &found) => Settled::TookEffect(body),
                Ok(_) => Settled::Conflict,
                Err(e) => {
                    Settled::Unknown(format!("GET {path} answered a body that is not JSON: {e}"))
                }
            },
            Exchange::Response { status, .. } => Settled::Unknown(format!(
                "GET {path} answered HTTP {status}; look it up before retrying"
            )),
            Exchange::Failed(e) => Settled::Unknown(format!(
                "GET {path} failed ({e}); look it up before retrying"
            )),
        }
    }

    /// The headers of every attempt: credentials, content negotiation, attribution
    /// (per-call values replacing the client's), and the operation's own.
    fn headers_for(
        &self,
        request: &RequestParts,
        options: &CallOptions,
    ) -> Result<HeaderMap, Error> {
        let inner = &*self.inner;
        let mut headers = HeaderMap::with_capacity(8 + request.headers.len());
        headers.insert(AUTHORIZATION, inner.authorization.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if !inner.agent_is_ours {
            headers.insert(USER_AGENT, inner.user_agent.clone());
        }
        if request.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, per_call, default) in [
            (HTTP_REFERER, &options.http_referer, &inner.http_referer),
            (APP_TITLE, &options.app_title, &inner.app_title),
            (
                APP_CATEGORIES,
                &options.app_categories,
                &inner.app_categories,
            ),
        ] {
            let value = match per_call {
                Some(text) => Some(HeaderValue::try_from(text.as_str()).map_err(|_| {
                    Error::InvalidInput(InvalidInput {
                        operation: request.operation.id,
                        field: name.to_string(),
                        problem: "must not contain control characters such as CR or LF".into(),
                    })
                })?),
                None => default.clone(),
            };
            if let Some(value) = value {
                headers.insert(name, value);
            }
        }
        for (name, value) in &request.headers {
            headers.insert(name.clone(), value.clone());
        }
        Ok(headers)
    }

    fn send_once(
        &self,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        timeout: Duration,
        timeout_overridden: bool,
    ) -> Exchange {
        let builder = Request::builder().method(method.as_str()).uri(url);
        let result = match body {
            Some(bytes) => builder
                .body(bytes)
                .map(|r| self.run(r, headers, timeout, timeout_overridden)),
            None => builder
                .body(())
                .map(|r| self.run(r, headers, timeout, timeout_overridden)),
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
        timeout: Duration,
        timeout_overridden: bool,
    ) -> Exchange {
        let inner = &*self.inner;
        *request.headers_mut() = headers.clone();
        let response = if inner.agent_is_ours && !timeout_overridden {
            inner.agent.run(request)
        } else {
            request
                .with_agent(&inner.agent)
                .configure()
                .http_status_as_error(false)
                .timeout_global(Some(timeout))
                .build()
                .run()
        };
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Exchange::Failed(e),
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

enum Wait {
    Retry(Duration),
    GiveUp,
    PastBound,
}

/// Whether to try again after failed attempt `attempt`, and after how long.
fn next_wait(
    policy: &crate::RetryPolicy,
    attempt: u32,
    started: Instant,
    retryable: bool,
    server_wait: Option<Duration>,
) -> Wait {
    if !retryable || !policy.allows_attempt(attempt + 1) {
        return Wait::GiveUp;
    }
    let wait = server_wait.unwrap_or_else(|| policy.backoff(attempt));
    // Saturating: a server may ask for a wait near `Duration::MAX`.
    if started.elapsed().saturating_add(wait) > policy.max_elapsed_value() {
        return Wait::PastBound;
    }
    Wait::Retry(wait)
}

fn decode_success<T: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Error> {
    let decode_error = |message: String| Error::Decode {
        operation,
        status,
        message,
        body_excerpt: excerpt(body),
    };
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        let text = content_type.to_str().unwrap_or("");
        let essence = text
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !body.is_empty() && essence != "application/json" && !essence.ends_with("+json") {
            return Err(decode_error(format!("content type `{text}` is not JSON")));
        }
    }
    // An empty body decodes as `null`, which is what an operation without content expects.
    let bytes: &[u8] = if body.is_empty() { b"null" } else { body };
    serde_json::from_slice(bytes).map_err(|e| {
        if body.is_empty() {
            decode_error(format!("the body is empty: {e}"))
        } else {
            decode_error(e.to_string())
        }
    })
}

fn decode_error_body(operation: &Operation, status: u16, body: &[u8]) -> Option<ApiErrorBody> {
    // An exact status wins over a class (`404` over `4XX`), as OpenAPI specifies.
    let exact = operation
        .errors
        .iter()
        .find(|e| matches!(e.status, StatusMatch::Code(c) if c == status));
    let documented =
        exact.or_else(|| operation.errors.iter().find(|e| e.status.matches(status)))?;
    documented.decode.and_then(|decode| decode(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    static OPERATION: Operation = Operation {
        id: "getThing",
        method: Method::Get,
        path: "/things/{id}",
        errors: &[],
    };

    fn encoded(id: &str) -> Result<String, Error> {
        let mut request = RequestParts::new(&OPERATION);
        request.push_path("/things/");
        request.path_param("id", &id, &Rules::NONE)?;
        Ok(request.path)
    }

    #[test]
    fn dot_segments_are_encoded_whole() {
        assert_eq!(encoded(".").unwrap(), "/things/%2E");
        assert_eq!(encoded("..").unwrap(), "/things/%2E%2E");
        assert_eq!(encoded("a..b").unwrap(), "/things/a..b");
    }

    #[test]
    fn query_values_are_encoded_and_arrays_repeat_the_name() {
        let mut request = RequestParts::new(&OPERATION);
        request
            .query_param("q", Some(&"a&b=c d"), &Rules::NONE)
            .unwrap();
        request
            .query_param("ids", Some(&vec![1, 2]), &Rules::NONE)
            .unwrap();
        request
            .query_param::<u64>("none", None, &Rules::NONE)
            .unwrap();
        assert_eq!(request.query, "q=a%26b%3Dc%20d&ids=1&ids=2");
    }

    #[test]
    fn non_finite_numbers_are_refused() {
        let mut request = RequestParts::new(&OPERATION);
        let err = request
            .query_param("limit", Some(&f64::NAN), &Rules::NONE)
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput(ref i) if i.field == "limit"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn any_id_is_exactly_one_segment_that_decodes_back(id in "\\PC{1,40}|[/?#%. \r\n\0]{1,10}") {
            let path = encoded(&id).unwrap();
            let segment = path.strip_prefix("/things/").unwrap();
            prop_assert!(!segment.contains(['/', '?', '#', ' ', '\r', '\n', '\0']), "{segment}");
            prop_assert!(segment != "." && segment != "..");
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().unwrap();
            prop_assert_eq!(decoded, id);
        }
    }
}
