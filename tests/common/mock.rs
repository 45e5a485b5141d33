//! Fixtures of the tests against a mockito server: clients pointed at it, realistic
//! response bodies, guards that prove nothing was sent, and an attempt recorder.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use mockito::{Matcher, Mock, ServerGuard};
use openrouter_workspaces::{
    AttemptKind, AttemptOutcome, Client, ClientBuilder, RetryPolicy, types,
};
use serde_json::{Value, json};

/// The API key of every test client; no output of the library may contain it.
pub const KEY: &str = "sk-or-v1-3c5e7a9b1d2f4e6a8c0b2d4f6e8a0c2e4b6d8f0a1c3e5b7d";
/// The path prefix of the base URL, which every request path must keep.
pub const PREFIX: &str = "/api/v1";
pub const WORKSPACE_ID: &str = "3f6c2a9e-8b1d-4e7f-9a2c-5d0b7e4f1a36";
pub const GUARDRAIL_ID: &str = "9b2e7d14-6c3a-4f58-b1e0-2a7d9c4e6f83";
pub const BUDGET_ID: &str = "5d2b8e41-7c3a-4f90-b6e1-0a9c4d7f2e58";
pub const MEMBER_ID: &str = "c41d8e27-5f9a-4b63-8e0d-71a2f5c9b348";

/// The base URL of `server`, with the API's path prefix.
pub fn base_url(server: &ServerGuard) -> String {
    format!("{}{PREFIX}", server.url())
}

/// A path under the prefix: `path("/workspaces")` is `/api/v1/workspaces`.
pub fn path(rest: &str) -> String {
    format!("{PREFIX}{rest}")
}

/// A retry policy that retries quickly, for tests. The total bound is short too, so that
/// a regression that retries what it should not fails in seconds, not in a minute.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_interval(Duration::from_millis(1))
        .max_interval(Duration::from_millis(5))
        .max_elapsed(Duration::from_secs(2))
        .without_jitter()
}

/// A builder for `base_url` with the test key and no retries.
pub fn builder_at(base_url: impl Into<String>) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
}

/// A builder for `server` with the test key and no retries.
pub fn builder(server: &ServerGuard) -> ClientBuilder {
    builder_at(base_url(server)).timeout(Duration::from_secs(5))
}

/// A client for `server` with the test key and no retries.
pub fn client(server: &ServerGuard) -> Client {
    builder(server)
        .build()
        .expect("a loopback test client builds")
}

/// Mocks that answer any request of any method with 599 and expect none: after the
/// call, `assert_nothing_sent` proves that nothing reached the server.
///
/// Create them before any other mock, so that mockito prefers the other mocks.
pub fn guard_nothing_sent(server: &mut ServerGuard) -> Vec<Mock> {
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        .into_iter()
        .map(|method| {
            server
                .mock(method, Matcher::Any)
                .with_status(599)
                .expect(0)
                .create()
        })
        .collect()
}

pub fn assert_nothing_sent(guards: &[Mock]) {
    for guard in guards {
        guard.assert();
    }
}

/// The documented example workspace, as JSON, with the given id and slug.
pub fn workspace_json(id: &str, slug: &str) -> Value {
    json!({
        "id": id,
        "default_guardrail_id": GUARDRAIL_ID,
        "name": "Staging",
        "slug": slug,
        "description": "Pre-release testing",
        "default_text_model": "openai/gpt-4o-mini",
        "default_image_model": null,
        "default_provider_sort": "price",
        "is_observability_io_logging_enabled": true,
        "is_observability_broadcast_enabled": false,
        "is_data_discount_logging_enabled": false,
        "io_logging_sampling_rate": 0.25,
        "io_logging_api_key_ids": [17, 42],
        "include_byok_in_budgets": true,
        "created_at": "2026-03-14T09:26:53.000Z",
        "updated_at": null,
        "created_by": "user_2f9c"
    })
}

/// Checks every field of a workspace decoded from [`workspace_json`].
pub fn assert_workspace(w: &types::Workspace, id: &str, slug: &str) {
    assert_eq!(w.id.to_string(), id);
    assert_eq!(w.default_guardrail_id.to_string(), GUARDRAIL_ID);
    assert_eq!(w.name, "Staging");
    assert_eq!(w.slug, slug);
    assert_eq!(w.description.as_deref(), Some("Pre-release testing"));
    assert_eq!(w.default_text_model.as_deref(), Some("openai/gpt-4o-mini"));
    assert_eq!(w.default_image_model, None);
    assert_eq!(w.default_provider_sort.as_deref(), Some("price"));
    assert!(w.is_observability_io_logging_enabled);
    assert!(!w.is_observability_broadcast_enabled);
    assert!(!w.is_data_discount_logging_enabled);
    assert_eq!(w.io_logging_sampling_rate, 0.25);
    assert_eq!(w.io_logging_api_key_ids, Some(vec![17, 42]));
    assert_eq!(w.include_byok_in_budgets, Some(true));
    assert_eq!(w.created_at, "2026-03-14T09:26:53.000Z");
    assert_eq!(w.updated_at, None);
    assert_eq!(w.created_by.as_deref(), Some("user_2f9c"));
}

/// A budget as JSON; `reset_interval` is `null` for a lifetime budget.
pub fn budget_json(limit_usd: f64, reset_interval: Option<&str>) -> Value {
    json!({
        "id": BUDGET_ID,
        "workspace_id": WORKSPACE_ID,
        "limit_usd": limit_usd,
        "reset_interval": reset_interval,
        "created_at": "2026-03-14T09:30:00.000Z",
        "updated_at": "2026-03-15T11:00:00.000Z"
    })
}

pub fn assert_budget(
    b: &types::WorkspaceBudget,
    limit_usd: f64,
    reset_interval: Option<types::WorkspaceBudgetResetInterval>,
) {
    assert_eq!(b.id.to_string(), BUDGET_ID);
    assert_eq!(b.workspace_id.to_string(), WORKSPACE_ID);
    assert_eq!(b.limit_usd, limit_usd);
    assert_eq!(b.reset_interval, reset_interval);
    assert_eq!(b.created_at, "2026-03-14T09:30:00.000Z");
    assert_eq!(b.updated_at, "2026-03-15T11:00:00.000Z");
}

pub fn member_json(id: &str, user_id: &str, role: &str) -> Value {
    json!({
        "id": id,
        "workspace_id": WORKSPACE_ID,
        "user_id": user_id,
        "role": role,
        "created_at": "2026-03-20T15:02:11.000Z"
    })
}

/// A documented error body for `status`, with irregular spacing, a non-ASCII character
/// and a trailing newline, so that a byte-for-byte comparison means something.
pub fn error_body(status: u16, message: &str) -> String {
    format!(
        "{{ \"error\" : {{\"code\": {status}, \"message\": \"{message}\", \"metadata\": {{\"hint\": \"prüfen\"}}}},\n  \"user_id\": \"user_2f9c\" }}\n"
    )
}

/// One call of the attempt hook, as recorded.
#[derive(Debug, Clone)]
pub struct Seen {
    pub operation: &'static str,
    pub kind: AttemptKind,
    pub method: &'static str,
    pub url: String,
    pub number: u32,
    pub outcome: AttemptOutcome,
    pub next_delay: Option<Duration>,
    pub debug: String,
}

/// Records every attempt a client reports.
#[derive(Clone, Default)]
pub struct Attempts(Arc<Mutex<Vec<Seen>>>);

impl Attempts {
    /// Installs the recorder on `builder`.
    pub fn install(&self, builder: ClientBuilder) -> ClientBuilder {
        let seen = self.0.clone();
        builder.on_attempt(move |a| {
            seen.lock().unwrap().push(Seen {
                operation: a.operation,
                kind: a.kind,
                method: a.method,
                url: a.url.to_string(),
                number: a.number,
                outcome: a.outcome.clone(),
                next_delay: a.next_delay,
                debug: format!("{a:?}"),
            })
        })
    }

    /// Builds a client from `builder` with the recorder installed.
    pub fn build(&self, builder: ClientBuilder) -> Client {
        self.install(builder)
            .build()
            .expect("a recorded test client builds")
    }

    pub fn all(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// A base URL on a loopback port where nothing listens: connections are refused.
pub fn refused_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("bound address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}{PREFIX}")
}

/// A base URL of a server that accepts connections and never answers.
///
/// The accepting thread runs until the test process ends.
pub fn silent_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound address");
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://{addr}{PREFIX}")
}
