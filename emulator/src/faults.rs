//! Fault injection: what can go wrong on purpose, and the queue that hands faults out.
//!
//! Faults are queued in order. Each request that is not addressed to the control endpoints
//! takes the first queued fault whose method and path match it; a fault queued with
//! `times: n` is handed to the next `n` matching requests and then dropped.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::API_PREFIX;

/// One fault to inject, for the next `times` requests that match `method` and `path`.
///
/// ```
/// use openrouter_workspaces_emulator::{Fault, FaultKind};
///
/// // The next two POSTs to /api/v1/workspaces get a 503 with `Retry-After: 1`.
/// let fault = Fault::new(FaultKind::status(503).retry_after("1"))
///     .method("POST")
///     .path("/workspaces") // or "/api/v1/workspaces"
///     .times(2);
/// assert_eq!(fault.times, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// HTTP method to match (case-insensitive); `None` matches every method.
    pub method: Option<String>,
    /// Request path to match, without the query string and with its percent-encoding as
    /// sent: either relative to the API root (`/workspaces/team`) or full
    /// (`/api/v1/workspaces/team`); `None` matches every path. See [`Fault::path`].
    pub path: Option<String>,
    /// How many matching requests get this fault (0 queues nothing).
    pub times: u32,
    /// What happens to those requests.
    pub kind: FaultKind,
}

impl Fault {
    /// A fault of this kind for the next request, whatever its method and path.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            method: None,
            path: None,
            times: 1,
            kind,
        }
    }

    /// Only requests with this method match.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only requests to this path match. The path is compared as received, without the
    /// query string and without decoding, and may be given two ways:
    ///
    /// - relative to the API root, as a client's base URL sees it: `/workspaces/team`
    ///   matches a request to `/api/v1/workspaces/team`;
    /// - in full, with the [`API_PREFIX`](crate::API_PREFIX): `/api/v1/workspaces/team`.
    ///
    /// Either way the whole path must be equal: `/workspaces` does not match
    /// `/api/v1/workspaces/team`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The fault applies to this many matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| {
                p == path || path.strip_prefix(API_PREFIX).is_some_and(|rest| rest == p)
            })
    }
}

/// What an injected fault does to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status without touching the state. The body defaults to the
    /// documented error shape `{"error":{"code":status,"message":"..."}}`; built by
    /// [`FaultKind::status`] or [`FaultKind::respond`].
    Status {
        /// HTTP status code to answer with.
        status: u16,
        /// Value of a `Retry-After` header (seconds or an HTTP date), if any.
        retry_after: Option<String>,
        /// Value of a `retry-after-ms` header, if any.
        retry_after_ms: Option<String>,
        /// Raw body to send instead of the default error body.
        body: Option<String>,
    },
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Reset the connection (RST, `SO_LINGER` 0) as soon as the request head is in, before
    /// the body is read; nothing is applied and nothing is answered.
    ResetBeforeRead,
    /// Read the whole request, then reset the connection without applying or answering it.
    ResetAfterRead,
    /// Read the whole request, then close the connection cleanly (FIN) without applying or
    /// answering it.
    CloseWithoutAnswer,
    /// Apply the request to the state, then answer this status with an error body instead
    /// of the real answer: the ambiguous write.
    CommitThenStatus(u16),
    /// Apply the request to the state, then close the connection without answering.
    CommitThenClose,
    /// Apply the request, send the real status line and headers (with the real
    /// `Content-Length`), but only the first half of the body, then close.
    TruncatedBody,
    /// Answer 200 with a JSON content type and a body that is not valid JSON; the state is
    /// not touched.
    MalformedJson,
    /// Answer 200 with `content-type: text/html` and an HTML body; the state is not touched.
    NonJsonContentType,
    /// Answer 200 with the JSON body `{}`; the state is not touched.
    MissingFields,
    /// Answer 200 with a valid JSON body of exactly this many bytes (at least 2 for valid
    /// JSON); the state is not touched.
    OversizedBody(usize),
}

impl FaultKind {
    /// A [`FaultKind::Status`] with this status, no retry headers and the default body.
    pub fn status(status: u16) -> Self {
        FaultKind::Status {
            status,
            retry_after: None,
            retry_after_ms: None,
            body: None,
        }
    }

    /// A [`FaultKind::Status`] that answers this status with exactly this body
    /// (`content-type: application/json`, whatever the body is), without touching the
    /// state.
    ///
    /// It is for answers the emulator never gives by itself: a success from a newer server
    /// (a `200` whose body has fields or enum values the document lacks, or lacks fields it
    /// requires), a status the document does not list (`409`, `422`, ...), an error body of
    /// another shape, or an empty or non-JSON body under a JSON content type. Any status
    /// works, `200` included; the request is not applied, so a test of a write sees the
    /// state as it was.
    ///
    /// ```
    /// use openrouter_workspaces_emulator::{Fault, FaultKind};
    ///
    /// // The next GET /api/v1/workspaces/team answers a workspace with a field from the future.
    /// let fault = Fault::new(FaultKind::respond(200, r#"{"data":{"id":"x","region":"eu"}}"#))
    ///     .method("GET")
    ///     .path("/workspaces/team");
    /// assert!(matches!(fault.kind, FaultKind::Status { status: 200, .. }));
    /// ```
    pub fn respond(status: u16, body: impl Into<String>) -> Self {
        FaultKind::status(status).body(body)
    }

    /// Sets the `Retry-After` header of a [`FaultKind::Status`]; other kinds are unchanged.
    pub fn retry_after(mut self, value: impl Into<String>) -> Self {
        if let FaultKind::Status { retry_after, .. } = &mut self {
            *retry_after = Some(value.into());
        }
        self
    }

    /// Sets the `retry-after-ms` header of a [`FaultKind::Status`]; other kinds are unchanged.
    pub fn retry_after_ms(mut self, value: impl Into<String>) -> Self {
        if let FaultKind::Status { retry_after_ms, .. } = &mut self {
            *retry_after_ms = Some(value.into());
        }
        self
    }

    /// Sets the raw body of a [`FaultKind::Status`]; other kinds are unchanged.
    pub fn body(mut self, value: impl Into<String>) -> Self {
        if let FaultKind::Status { body, .. } = &mut self {
            *body = Some(value.into());
        }
        self
    }
}

/// The queue of pending faults.
#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    /// Queues a fault at the back (a fault with `times == 0` is ignored).
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queue.push_back(fault);
        }
    }

    /// Removes every pending fault.
    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    /// How many faults are queued (each counted once, whatever its `times`).
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Takes one use of the first fault that matches this request.
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let index = self.queue.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.queue[index];
        fault.times -= 1;
        if fault.times == 0 {
            self.queue.remove(index).map(|f| f.kind)
        } else {
            Some(fault.kind.clone())
        }
    }
}

/// Parses the body of `POST /__emulator/faults`: one fault object or an array of them.
///
/// A fault object is `{"kind": "...", "method"?, "path"?, "times"?}` plus the kind's own
/// fields: `status` (for `status`, `respond` and `commit_then_status`), `retry_after`,
/// `retry_after_ms`, `body` (for `status`; required for `respond`), `ms` (for `delay`),
/// `bytes` (for `oversized_body`). Kinds are the snake_case names of [`FaultKind`]'s
/// variants, plus `respond` ([`FaultKind::respond`]).
pub(crate) fn parse_faults(body: &[u8]) -> Result<Vec<Fault>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("body is not valid JSON: {e}"))?;
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| parse_fault(v).map_err(|e| format!("fault {i}: {e}")))
            .collect(),
        other => parse_fault(&other).map(|f| vec![f]),
    }
}

fn parse_fault(value: &Value) -> Result<Fault, String> {
    let obj = value
        .as_object()
        .ok_or_else(|| "a fault must be a JSON object".to_string())?;
    let kind_name = obj
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| "`kind` (a string) is required".to_string())?;
    let kind = match kind_name {
        "status" => FaultKind::Status {
            status: status_field(obj)?,
            retry_after: opt_string(obj, "retry_after")?,
            retry_after_ms: opt_string(obj, "retry_after_ms")?,
            body: opt_string(obj, "body")?,
        },
        "respond" => FaultKind::Status {
            status: status_field(obj)?,
            retry_after: opt_string(obj, "retry_after")?,
            retry_after_ms: opt_string(obj, "retry_after_ms")?,
            body: Some(
                opt_string(obj, "body")?
                    .ok_or_else(|| "`body` (a string) is required".to_string())?,
            ),
        },
        "delay" => FaultKind::Delay(Duration::from_millis(u64_field(obj, "ms")?)),
        "reset_before_read" => FaultKind::ResetBeforeRead,
        "reset_after_read" => FaultKind::ResetAfterRead,
        "close_without_answer" => FaultKind::CloseWithoutAnswer,
        "commit_then_status" => FaultKind::CommitThenStatus(status_field(obj)?),
        "commit_then_close" => FaultKind::CommitThenClose,
        "truncated_body" => FaultKind::TruncatedBody,
        "malformed_json" => FaultKind::MalformedJson,
        "non_json_content_type" => FaultKind::NonJsonContentType,
        "missing_fields" => FaultKind::MissingFields,
        "oversized_body" => {
            let bytes = u64_field(obj, "bytes")?;
            FaultKind::OversizedBody(
                usize::try_from(bytes).map_err(|_| "`bytes` is too large".to_string())?,
            )
        }
        other => return Err(format!("unknown fault kind `{other}`")),
    };
    let times = match obj.get("times") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| "`times` must be a non-negative integer".to_string())?,
    };
    Ok(Fault {
        method: opt_string(obj, "method")?,
        path: opt_string(obj, "path")?,
        times,
        kind,
    })
}

fn status_field(obj: &Map<String, Value>) -> Result<u16, String> {
    obj.get("status")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| (100..=999).contains(n))
        .ok_or_else(|| "`status` must be an HTTP status code (100 to 999)".to_string())
}

fn u64_field(obj: &Map<String, Value>, name: &str) -> Result<u64, String> {
    obj.get(name)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("`{name}` must be a non-negative integer"))
}

fn opt_string(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{name}` must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_hands_out_faults_in_order_and_by_match() {
        let mut q = FaultQueue::default();
        q.push(Fault::new(FaultKind::MissingFields).method("POST").times(2));
        q.push(Fault::new(FaultKind::MalformedJson));
        q.push(Fault::new(FaultKind::TruncatedBody).times(0));
        assert_eq!(q.len(), 2);
        assert_eq!(q.take("GET", "/x"), Some(FaultKind::MalformedJson));
        assert_eq!(q.take("post", "/x"), Some(FaultKind::MissingFields));
        assert_eq!(q.take("POST", "/y"), Some(FaultKind::MissingFields));
        assert_eq!(q.take("POST", "/y"), None);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn paths_match_relative_to_the_api_root_or_in_full() {
        let relative = Fault::new(FaultKind::MalformedJson).path("/workspaces/a%2Fb");
        let full = Fault::new(FaultKind::MalformedJson).path("/api/v1/workspaces/a%2Fb");
        for fault in [&relative, &full] {
            assert!(fault.matches("GET", "/api/v1/workspaces/a%2Fb"));
            assert!(!fault.matches("GET", "/api/v1/workspaces/a%2Fb/budgets"));
            assert!(!fault.matches("GET", "/api/v1/workspaces"));
            assert!(!fault.matches("GET", "/workspaces/a%2Fb/x"));
        }
        let root = Fault::new(FaultKind::MalformedJson).path("/workspaces");
        assert!(!root.matches("GET", "/api/v1/workspaces/x"));
        assert!(!root.matches("GET", "/api/v2/workspaces"));
    }

    #[test]
    fn parses_control_bodies() {
        let faults = parse_faults(
            br#"[{"kind":"status","status":429,"retry_after":"2","times":3,"path":"/api/v1/workspaces"},
                {"kind":"delay","ms":5},{"kind":"oversized_body","bytes":10}]"#,
        )
        .unwrap();
        assert_eq!(faults.len(), 3);
        assert_eq!(faults[0].times, 3);
        assert_eq!(
            faults[0].kind,
            FaultKind::status(429).retry_after("2"),
            "retry_after is kept"
        );
        assert_eq!(faults[1].kind, FaultKind::Delay(Duration::from_millis(5)));
        assert_eq!(faults[2].kind, FaultKind::OversizedBody(10));
        let respond = parse_faults(br#"{"kind":"respond","status":200,"body":"{}"}"#).unwrap();
        assert_eq!(respond[0].kind, FaultKind::respond(200, "{}"));
        assert!(parse_faults(br#"{"kind":"respond","status":200}"#).is_err());
        assert!(parse_faults(br#"{"kind":"nope"}"#).is_err());
        assert!(parse_faults(br#"{"kind":"status"}"#).is_err());
    }
}
