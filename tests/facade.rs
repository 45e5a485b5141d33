//! Client behaviour, against mockito and raw sockets: configuration, attribution headers,
//! retries, timeouts, transport failures, input checks, pagination, decoding, limits and
//! keeping the API key secret.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use common::mock::*;
use common::*;
use mockito::{Matcher, Mock, Server, ServerGuard};
use openrouter_workspaces::types::WorkspaceBudgetInterval as Interval;
use openrouter_workspaces::workspaces::{Create, Get};
use openrouter_workspaces::{
    AttemptKind, AttemptOutcome, CallOptions, Client, ClientBuilder, ConfigError, Error,
    RetryPolicy, types,
};
use serde_json::json;

fn ok_workspace() -> String {
    json!({ "data": workspace_json(WORKSPACE_ID, "staging") }).to_string()
}

/// A lookup over fixed variables, for `ClientBuilder::from_env_with`.
fn vars(pairs: &[(&'static str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs = pairs.to_vec();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

/// A builder from the variables `more` and the test key in `OPENROUTER_API_KEY`.
fn from_env_with_key(more: &[(&'static str, String)]) -> ClientBuilder {
    let mut pairs = vec![("OPENROUTER_API_KEY", KEY.to_string())];
    pairs.extend_from_slice(more);
    ClientBuilder::from_env_with(vars(&pairs))
}

/// A mock of `method` on the path `rest` under the prefix, still to be given its answer.
fn mock_at(server: &mut ServerGuard, method: &str, rest: &str) -> Mock {
    server.mock(method, Matcher::Exact(path(rest)))
}

/// A created mock of `method rest` answering once with the documented error body of
/// `status` and `message`.
fn error_once(
    server: &mut ServerGuard,
    method: &str,
    rest: &str,
    status: u16,
    message: &str,
) -> Mock {
    mock_at(server, method, rest)
        .with_status(usize::from(status))
        .with_body(error_body(status, message))
        .expect(1)
        .create()
}

/// Gets `staging` with the client `builder` builds, which must succeed; returns the client.
fn get_staging_via(builder: ClientBuilder) -> Client {
    let client = builder.build().unwrap();
    client.workspaces().get("staging").send().unwrap();
    client
}

/// A mock of `GET /workspaces/staging`, still to be given its answer.
fn get_staging(server: &mut ServerGuard) -> Mock {
    mock_at(server, "GET", "/workspaces/staging")
}

/// A mock of `GET /workspaces/staging` answering 200 with a workspace.
fn get_ok(server: &mut ServerGuard) -> Mock {
    get_staging(server)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(ok_workspace())
}

/// A created `get_ok` mock that also requires the test key and each of `headers`.
fn get_ok_sent_with(server: &mut ServerGuard, headers: &[(&str, &str)]) -> Mock {
    let bearer = Matcher::Exact(format!("Bearer {KEY}"));
    let mut mock = get_ok(server).match_header("authorization", bearer);
    for (name, value) in headers {
        mock = mock.match_header(*name, *value);
    }
    mock.create()
}

/// What a call of `GET /workspaces/staging` met: the attempts the client reported, how
/// long the call took, and the base URL of the server.
struct Exchange {
    seen: Vec<Seen>,
    elapsed: Duration,
    base_url: String,
}

/// Serves `answer` to `GET /workspaces/staging`, exactly `times` times, and sends it once
/// with the test client as `configure` changes it and the request as `request` changes
/// it; checks the number of requests received and returns the call's error.
#[track_caller]
fn get_staging_error(
    answer: impl FnOnce(Mock) -> Mock,
    times: usize,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    request: impl FnOnce(Get<'_>) -> Get<'_>,
) -> (Error, Exchange) {
    let mut server = Server::new();
    let mock = answer(get_staging(&mut server)).expect(times).create();
    let attempts = Attempts::default();
    let client = attempts.build(configure(builder(&server)));

    let started = Instant::now();
    let result = request(client.workspaces().get("staging")).send();
    let elapsed = started.elapsed();

    mock.assert();
    let error = result.expect_err("the call fails");
    let seen = attempts.all();
    let base_url = base_url(&server);
    (
        error,
        Exchange {
            seen,
            elapsed,
            base_url,
        },
    )
}

/// Serves `failing` to `GET /workspaces/staging` `times` times and then the workspace
/// once, to a client with `policy`: checks that every answer was served and the workspace
/// arrived, and returns what the call met.
#[track_caller]
fn get_staging_after(
    failing: impl FnOnce(Mock) -> Mock,
    times: usize,
    policy: RetryPolicy,
) -> Exchange {
    let mut server = Server::new();
    let failing = failing(get_staging(&mut server)).expect(times).create();
    let ok = get_ok(&mut server).expect(1).create();
    let attempts = Attempts::default();
    let client = attempts.build(builder(&server).retry_policy(policy));

    let started = Instant::now();
    let got = client.workspaces().get("staging").send().unwrap();
    let elapsed = started.elapsed();

    failing.assert();
    ok.assert();
    assert_eq!(got.data.slug, "staging");
    let seen = attempts.all();
    let base_url = base_url(&server);
    Exchange {
        seen,
        elapsed,
        base_url,
    }
}

/// The parts of an `Error::Decode`: operation, status, message and body excerpt.
#[track_caller]
fn expect_decode(error: Error) -> (&'static str, u16, String, String) {
    match error {
        Error::Decode {
            operation,
            status,
            message,
            body_excerpt,
        } => (operation.id, status, message, body_excerpt),
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

/// A client for `server` with the test key and the fast retry policy.
fn retrying_client(server: &ServerGuard) -> Client {
    builder(server).retry_policy(fast_retry()).build().unwrap()
}

/// A request to create the workspace `staging` named `Staging`.
fn staging_create(client: &Client) -> Create<'_> {
    client.workspaces().create().name("Staging").slug("staging")
}

/// Creates the workspace `staging` named `Staging`.
fn create_staging(client: &Client) -> Result<types::CreateWorkspaceResponse, Error> {
    staging_create(client).send()
}

/// The header value of our `User-Agent`.
fn our_user_agent() -> Matcher {
    Matcher::Exact(format!(
        "openrouter-workspaces/{}",
        env!("CARGO_PKG_VERSION")
    ))
}

// ---------------------------------------------------------------------------------------
// Attribution headers.

/// Checks that `call`, on a client whose attribution defaults are a referer of
/// `https://inventory.example.com`, the title `Inventory Sync` and the categories
/// `cli-agent,cloud-agent`, sends exactly `expected` (referer, title, categories).
#[track_caller]
fn assert_attribution_sent(expected: [&str; 3], call: impl FnOnce(Get<'_>) -> Get<'_>) {
    let [referer, title, categories] = expected;
    let mut server = Server::new();
    let mock = get_ok_sent_with(
        &mut server,
        &[
            ("http-referer", referer),
            ("x-openrouter-title", title),
            ("x-openrouter-categories", categories),
        ],
    );
    let client = builder(&server)
        .http_referer("https://inventory.example.com")
        .app_title("Inventory Sync")
        .app_categories("cli-agent,cloud-agent")
        .build()
        .unwrap();

    call(client.workspaces().get("staging")).send().unwrap();

    mock.assert();
}

#[test]
fn attribution_headers_come_from_client_defaults() {
    assert_attribution_sent(
        [
            "https://inventory.example.com",
            "Inventory Sync",
            "cli-agent,cloud-agent",
        ],
        |get| get,
    );
}

#[test]
fn attribution_headers_are_overridden_per_call() {
    let expected = ["https://nightly.example.com", "Nightly Job", "batch"];
    assert_attribution_sent(expected, |get| {
        get.http_referer("https://nightly.example.com")
            .app_title("Nightly Job")
            .app_categories("batch")
    });
}

#[test]
fn attribution_override_of_one_header_keeps_the_other_defaults() {
    let expected = [
        "https://inventory.example.com",
        "Override",
        "cli-agent,cloud-agent",
    ];
    assert_attribution_sent(expected, |get| {
        get.options(CallOptions::new().app_title("Override"))
    });
}

#[test]
fn attribution_headers_are_absent_when_unset() {
    let mut server = Server::new();
    let mock = get_ok(&mut server)
        .match_header("http-referer", Matcher::Missing)
        .match_header("x-openrouter-title", Matcher::Missing)
        .match_header("x-openrouter-categories", Matcher::Missing)
        .create();

    client(&server).workspaces().get("staging").send().unwrap();

    mock.assert();
}

#[test]
fn user_agent_names_the_crate_and_version() {
    let mut server = Server::new();
    let mock = get_ok(&mut server)
        .match_header("user-agent", our_user_agent())
        .create();

    client(&server).workspaces().get("staging").send().unwrap();

    mock.assert();
}

#[test]
fn custom_agent_still_sends_our_user_agent_and_reads_error_bodies() {
    let body = error_body(404, "Workspace not found");
    // A default agent turns error statuses into its own errors; the client must not.
    let (error, _) = get_staging_error(
        |m| {
            m.match_header("user-agent", our_user_agent())
                .with_status(404)
                .with_body(&body)
        },
        1,
        |b| b.agent(ureq::Agent::new_with_defaults()),
        |get| get,
    );

    let api = error.as_api().expect("an API error, not a transport error");
    assert_eq!(api.status, 404);
    assert_eq!(api.raw_body, body.as_bytes());
    assert_eq!(typed_error(api.body.as_ref().unwrap()).0, "NotFound");
}

// ---------------------------------------------------------------------------------------
// Configuration.

/// Checks that the client `builder` builds gets `staging` from `server` as `mock` expects,
/// and reports the server's base URL.
#[track_caller]
fn assert_reaches(server: &ServerGuard, builder: ClientBuilder, mock: Mock) {
    let client = get_staging_via(builder);
    mock.assert();
    assert_eq!(client.base_url(), base_url(server));
}

#[test]
fn from_env_with_reads_key_base_url_and_attribution() {
    let mut server = Server::new();
    let mock = get_ok_sent_with(
        &mut server,
        &[
            ("http-referer", "https://env.example.com"),
            ("x-openrouter-title", "Env App"),
            ("x-openrouter-categories", "cli-agent"),
        ],
    );
    let builder = from_env_with_key(&[
        ("OPENROUTER_BASE_URL", base_url(&server)),
        ("OPENROUTER_HTTP_REFERER", "https://env.example.com".into()),
        ("OPENROUTER_APP_TITLE", "Env App".into()),
        ("OPENROUTER_APP_CATEGORIES", "cli-agent".into()),
    ]);

    assert_reaches(&server, builder, mock);
}

#[test]
fn from_env_with_base_url_trailing_slash_is_ignored() {
    let mut server = Server::new();
    let mock = get_ok(&mut server).create();
    let builder = from_env_with_key(&[("OPENROUTER_BASE_URL", format!("{}/", base_url(&server)))]);

    // The path matcher is exact: `/api/v1//workspaces/staging` would not match.
    assert_reaches(&server, builder, mock);
}

#[test]
fn from_env_with_base_url_keeps_a_path_prefix() {
    let mut server = Server::new();
    let prefixed = Matcher::Exact("/proxy/openrouter/api/v1/workspaces".into());
    let mock = server
        .mock("GET", prefixed)
        .with_status(200)
        .with_body(r#"{"data":[],"total_count":0}"#)
        .create();
    let builder = from_env_with_key(&[(
        "OPENROUTER_BASE_URL",
        format!("{}/proxy/openrouter/api/v1/", server.url()),
    )]);

    let client = builder.build().unwrap();
    client.workspaces().list().send().unwrap();

    mock.assert();
}

#[test]
fn from_env_with_no_base_url_uses_the_spec_server() {
    let client = from_env_with_key(&[]).build().unwrap();

    assert_eq!(client.base_url(), "https://openrouter.ai/api/v1");
}

/// Unwraps an `Error::Config`, checking that its message mentions `mention`.
#[track_caller]
fn assert_config_error<T: std::fmt::Debug>(
    result: Result<T, Error>,
    expected: fn(&ConfigError) -> bool,
    mention: &str,
) {
    match result {
        Err(Error::Config(problem)) => {
            assert!(expected(&problem), "unexpected kind: {problem:?}");
            assert!(problem.to_string().contains(mention), "{problem}");
        }
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

#[test]
fn from_env_with_missing_key_is_config_error() {
    for lookup in [
        vars(&[]),
        vars(&[("OPENROUTER_API_KEY", "   ".into())]),
        vars(&[("OPENROUTER_BASE_URL", "https://proxy.example.com/v1".into())]),
    ] {
        let built = ClientBuilder::from_env_with(lookup).build();
        assert_config_error(
            built,
            |p| matches!(p, ConfigError::MissingApiKey),
            "OPENROUTER_API_KEY",
        );
    }
}

#[test]
fn missing_api_key_is_config_error_at_build() {
    assert_config_error(
        Client::builder().build(),
        |p| matches!(p, ConfigError::MissingApiKey),
        "API key",
    );
}

#[test]
fn setters_after_from_env_with_win() {
    let mut server = Server::new();
    let bearer = format!("Bearer {KEY}");
    let mock = get_ok_sent_with(
        &mut server,
        &[
            ("authorization", &bearer),
            ("x-openrouter-title", "From Setter"),
        ],
    );
    let lookup = vars(&[
        ("OPENROUTER_API_KEY", "sk-or-v1-from-the-environment".into()),
        ("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1".into()),
        ("OPENROUTER_APP_TITLE", "From Env".into()),
    ]);

    get_staging_via(
        ClientBuilder::from_env_with(lookup)
            .api_key(KEY)
            .base_url(base_url(&server))
            .app_title("From Setter"),
    );

    mock.assert();
}

#[test]
fn plain_http_base_url_is_refused_without_opt_in() {
    assert_config_error(
        builder_at("http://example.com").build(),
        |p| matches!(p, ConfigError::InsecureBaseUrl { .. }),
        "unencrypted",
    );

    let allowed = builder_at("http://example.com")
        .allow_insecure_http(true)
        .build()
        .expect("allowed when asked for");
    assert_eq!(allowed.base_url(), "http://example.com");
    assert!(
        builder_at("http://localhost:8080/v1").build().is_ok(),
        "loopback is allowed over plain http"
    );
}

#[test]
fn crlf_in_client_attribution_header_is_config_error() {
    let result = Client::builder()
        .api_key(KEY)
        .app_title("Inventory\r\nX-Injected: yes")
        .build();

    assert_config_error(
        result,
        |p| matches!(p, ConfigError::UnsendableHeader { header } if header == "x-openrouter-title"),
        "x-openrouter-title",
    );
}

#[test]
fn crlf_in_per_call_attribution_header_is_refused_before_sending() {
    let mut server = Server::new();
    let guards = guard_nothing_sent(&mut server);
    let client = client(&server);
    let w = client.workspaces();

    let title = w
        .get("staging")
        .app_title("Nightly\r\nX-Injected: yes")
        .send();
    let referer = w
        .list()
        .http_referer("https://a.example.com\nX-Injected: yes")
        .send();
    let categories = w
        .create()
        .name("Staging")
        .slug("staging")
        .app_categories("batch\r")
        .send();

    assert_eq!(
        assert_invalid(title, "x-openrouter-title").operation.id,
        "getWorkspace"
    );
    assert_invalid(referer, "http-referer");
    assert_invalid(categories, "x-openrouter-categories");
    assert_nothing_sent(&guards);
}

#[test]
fn redirect_is_not_followed() {
    let mut server = Server::new();
    let elsewhere = server
        .mock("GET", Matcher::Exact("/elsewhere".into()))
        .with_status(200)
        .with_body(ok_workspace())
        .expect(0)
        .create();
    let redirect = get_staging(&mut server)
        .with_status(307)
        .with_header("location", &format!("{}/elsewhere", server.url()))
        .create();
    let client = retrying_client(&server);

    let error = client.workspaces().get("staging").send().unwrap_err();

    redirect.assert();
    elsewhere.assert();
    assert_eq!(error.status(), Some(307));
}

// ---------------------------------------------------------------------------------------
// Retries.

#[test]
fn retries_503_then_succeeds() {
    let Exchange { seen, base_url, .. } = get_staging_after(
        |m| m.with_status(503).with_body("upstream unavailable"),
        2,
        fast_retry(),
    );

    let outcomes: Vec<_> = seen.iter().map(|a| a.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        [
            AttemptOutcome::Status(503),
            AttemptOutcome::Status(503),
            AttemptOutcome::Status(200)
        ]
    );
    assert_eq!(seen.iter().map(|a| a.number).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(seen[0].next_delay, Some(Duration::from_millis(1)));
    assert_eq!(seen[1].next_delay, Some(Duration::from_micros(1500)));
    assert_eq!(seen[2].next_delay, None);
    assert!(seen.iter().all(|a| a.operation == "getWorkspace"
        && a.method == "GET"
        && a.url == format!("{base_url}/workspaces/staging")));
}

#[test]
fn retries_stop_at_max_attempts_with_the_last_error() {
    let body = error_body(500, "still broken");
    let (error, _) = get_staging_error(
        |m| m.with_status(500).with_body(&body),
        3,
        |b| b.retry_policy(fast_retry().max_attempts(3)),
        |get| get,
    );

    assert_eq!(error.attempts(), Some(3));
    let api = error.as_api().unwrap();
    assert_eq!(api.status, 500);
    assert_eq!(typed_error(api.body.as_ref().unwrap()).0, "InternalServer");
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
}

#[test]
fn retries_429_after_retry_after_seconds() {
    let Exchange { seen, elapsed, .. } = get_staging_after(
        |m| m.with_status(429).with_header("retry-after", "1"),
        1,
        fast_retry(),
    );

    assert!(elapsed >= Duration::from_millis(990), "{elapsed:?}");
    assert_eq!(seen[0].next_delay, Some(Duration::from_secs(1)));
}

#[test]
fn retry_after_ms_is_honoured() {
    let Exchange { seen, elapsed, .. } = get_staging_after(
        |m| {
            m.with_status(503)
                .with_header("retry-after-ms", "150")
                .with_header("retry-after", "30")
        },
        1,
        fast_retry(),
    );

    assert_eq!(seen[0].next_delay, Some(Duration::from_millis(150)));
    assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn retry_after_http_date_in_the_past_retries_at_once() {
    // Backoff alone would wait 30 s, past the 10 s bound, and give up after one attempt;
    // only a parsed date allows the retry.
    let policy = fast_retry()
        .initial_interval(Duration::from_secs(30))
        .max_interval(Duration::from_secs(30))
        .max_elapsed(Duration::from_secs(10));
    let Exchange { seen, .. } = get_staging_after(
        |m| {
            m.with_status(503)
                .with_header("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")
        },
        1,
        policy,
    );

    assert_eq!(seen[0].next_delay, Some(Duration::ZERO));
}

#[test]
fn retry_after_http_date_becomes_the_wait() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    let (error, _) = get_staging_error(
        |m| m.with_status(503).with_header("retry-after", &date),
        1,
        |b| b.retry_policy(fast_retry()),
        |get| get,
    );

    let wait = error
        .as_api()
        .unwrap()
        .retry_after
        .expect("the date's wait");
    assert!(
        wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600),
        "{wait:?} from {date}"
    );
}

#[test]
fn retry_after_beyond_max_elapsed_returns_at_once() {
    let (error, Exchange { elapsed, .. }) = get_staging_error(
        |m| m.with_status(429).with_header("retry-after", "120"),
        1,
        |b| b.retry_policy(fast_retry().max_elapsed(Duration::from_secs(60))),
        |get| get,
    );

    assert!(elapsed < Duration::from_secs(2));
    let api = error.as_api().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(api.attempts, 1);
    assert_eq!(api.retry_after, Some(Duration::from_secs(120)));
    assert!(error.to_string().contains("retry after 120s"), "{error}");
}

#[test]
fn retry_after_is_kept_when_the_call_is_not_retried() {
    let (error, _) = get_staging_error(
        |m| m.with_status(429).with_header("retry-after", "7"),
        1,
        |b| b,
        |get| get.no_retries(),
    );

    assert_eq!(
        error.as_api().unwrap().retry_after,
        Some(Duration::from_secs(7))
    );
}

#[test]
fn absurd_retry_after_gives_up_without_panicking() {
    for (header, value) in [
        ("retry-after-ms", "1e300"),
        ("retry-after", "18446744073709551615"),
    ] {
        let (error, _) = get_staging_error(
            |m| m.with_status(503).with_header(header, value),
            1,
            |b| b.retry_policy(fast_retry()),
            |get| get,
        );

        let api = error.as_api().unwrap();
        assert_eq!(api.attempts, 1, "{header}: {value}");
        assert!(
            api.retry_after
                .is_some_and(|w| w >= Duration::from_secs(u64::MAX)),
            "{header}: {value}: {:?}",
            api.retry_after
        );
    }
}

#[test]
fn no_retry_on_400() {
    let mut server = Server::new();
    let daily = "/workspaces/staging/budgets/daily";
    let mock = error_once(&mut server, "GET", daily, 400, "bad interval");
    let client = retrying_client(&server);

    let error = client
        .workspaces()
        .get_budget("staging", Interval::Daily)
        .send()
        .unwrap_err();

    mock.assert();
    assert_eq!((error.attempts(), error.status()), (Some(1), Some(400)));
}

#[test]
fn create_is_not_resent_after_500() {
    let mut server = Server::new();
    let mock = error_once(&mut server, "POST", "/workspaces", 500, "boom");
    // The client looks the slug up after the ambiguous 500: it belongs to another
    // workspace, so this create did not take effect, and it is not sent again.
    let someone_elses = json!({ "data": { "name": "Someone else's", "slug": "staging" } });
    let lookup = get_staging(&mut server)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(someone_elses.to_string())
        .expect(1)
        .create();
    let client = retrying_client(&server);

    let error = create_staging(&client).unwrap_err();

    mock.assert();
    lookup.assert();
    assert_eq!((error.attempts(), error.status()), (Some(1), Some(500)));
}

#[test]
fn create_is_resent_after_429() {
    let mut server = Server::new();
    let limited = mock_at(&mut server, "POST", "/workspaces")
        .with_status(429)
        .expect(1)
        .create();
    let created = mock_at(&mut server, "POST", "/workspaces")
        .match_body(Matcher::Json(
            json!({ "name": "Staging", "slug": "staging" }),
        ))
        .with_status(201)
        .with_body(ok_workspace())
        .expect(1)
        .create();
    let attempts = Attempts::default();
    let client = attempts.build(builder(&server).retry_policy(fast_retry()));

    create_staging(&client).unwrap();

    limited.assert();
    created.assert();
    assert_eq!(attempts.count(), 2);
}

#[test]
fn set_budget_put_is_resent_after_500() {
    let mut server = Server::new();
    let daily = "/workspaces/staging/budgets/daily";
    let failing = mock_at(&mut server, "PUT", daily)
        .with_status(500)
        .expect(1)
        .create();
    let stored = json!({ "data": budget_json(5.0, Some("daily")) });
    let ok = mock_at(&mut server, "PUT", daily)
        .match_body(Matcher::Json(json!({ "limit_usd": 5.0 })))
        .with_status(200)
        .with_body(stored.to_string())
        .expect(1)
        .create();
    let client = retrying_client(&server);

    client
        .workspaces()
        .set_budget("staging", Interval::Daily)
        .limit_usd(5.0)
        .send()
        .unwrap();

    failing.assert();
    ok.assert();
}

#[test]
fn per_call_no_retries_sends_once() {
    let (error, _) = get_staging_error(
        |m| m.with_status(503),
        1,
        |b| b.retry_policy(fast_retry()),
        |get| get.no_retries(),
    );

    assert_eq!(error.attempts(), Some(1));
}

#[test]
fn per_call_retry_policy_replaces_the_client_policy() {
    // The test client's own policy is RetryPolicy::none().
    let (error, _) = get_staging_error(
        |m| m.with_status(502),
        3,
        |b| b,
        |get| get.retry_policy(fast_retry().max_attempts(3)),
    );

    assert_eq!(error.attempts(), Some(3));
}

// ---------------------------------------------------------------------------------------
// Timeouts and transport failures.

#[test]
fn per_call_timeout_gives_timeout_error() {
    // The client's own timeout is longer: only the per-call one can end the call in time.
    let (client, _) = silent_client(RetryPolicy::none(), 3000);

    let started = Instant::now();
    let error = client
        .workspaces()
        .get("staging")
        .timeout(Duration::from_millis(200))
        .send()
        .unwrap_err();
    let elapsed = started.elapsed();

    match error {
        Error::Timeout {
            operation,
            attempts,
            timeout,
        } => {
            assert_eq!(operation.id, "getWorkspace");
            assert_eq!(attempts, 1);
            assert_eq!(timeout, Duration::from_millis(200));
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn client_timeout_gives_timeout_error() {
    let (client, _) = silent_client(RetryPolicy::none(), 200);

    let started = Instant::now();
    let error = client.workspaces().list().send().unwrap_err();

    assert!(
        matches!(error, Error::Timeout { attempts: 1, timeout, .. } if timeout == Duration::from_millis(200)),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A client for a server that accepts connections and never answers, with `policy` and
/// a timeout of `timeout_ms`, and the attempts it reports.
fn silent_client(policy: RetryPolicy, timeout_ms: u64) -> (Client, Attempts) {
    let attempts = Attempts::default();
    let builder = builder_at(silent_base_url()).retry_policy(policy);
    let client = attempts.build(builder.timeout(Duration::from_millis(timeout_ms)));
    (client, attempts)
}

/// A client for a loopback port that refuses connections, with `policy`, and the
/// attempts it reports.
fn refused_client(policy: RetryPolicy) -> (Client, Attempts) {
    let attempts = Attempts::default();
    let client = attempts.build(builder_at(refused_base_url()).retry_policy(policy));
    (client, attempts)
}

#[test]
fn timeout_on_get_is_retried() {
    let (client, attempts) = silent_client(fast_retry().max_attempts(2), 150);

    let error = client.workspaces().get("staging").send().unwrap_err();

    assert!(
        matches!(error, Error::Timeout { attempts: 2, .. }),
        "{error:?}"
    );
    let outcomes: Vec<_> = attempts.all().into_iter().map(|a| a.outcome).collect();
    assert_eq!(outcomes, [AttemptOutcome::Timeout, AttemptOutcome::Timeout]);
}

#[test]
fn timeout_on_create_is_not_retried() {
    let (client, attempts) = silent_client(fast_retry(), 150);

    let error = create_staging(&client).unwrap_err();

    // The create may have been applied; the lookups by slug time out too, so the outcome
    // is reported as unknown, with the timeout as its cause, and nothing is re-sent.
    match &error {
        Error::OutcomeUnknown {
            attempts: 1, cause, ..
        } => assert!(
            matches!(**cause, Error::Timeout { attempts: 1, .. }),
            "{cause:?}"
        ),
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    let seen = attempts.all();
    let sent = |kind| seen.iter().filter(|a| a.kind == kind).count();
    assert_eq!(sent(AttemptKind::Request), 1, "{seen:?}");
    assert!(
        sent(AttemptKind::Lookup) >= 1,
        "the lookups are reported: {seen:?}"
    );
    assert_eq!(seen[0].kind, AttemptKind::Request, "the create goes first");
}

#[test]
fn connection_refused_is_transport_error_not_sent() {
    let (client, _) = refused_client(RetryPolicy::none());

    let error = client.workspaces().get("staging").send().unwrap_err();

    match &error {
        Error::Transport {
            operation,
            attempts,
            maybe_sent,
            ..
        } => {
            assert_eq!(operation.id, "getWorkspace");
            assert_eq!(*attempts, 1);
            assert!(!maybe_sent);
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn connection_refused_get_is_retried() {
    let (client, attempts) = refused_client(fast_retry().max_attempts(3));

    let error = client.workspaces().list().send().unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                attempts: 3,
                maybe_sent: false,
                ..
            }
        ),
        "{error:?}"
    );
    let seen = attempts.all();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|a| matches!(a.outcome, AttemptOutcome::Transport(_)))
    );
    assert!(seen[0].next_delay.is_some() && seen[1].next_delay.is_some());
    assert_eq!(seen[2].next_delay, None);
}

#[test]
fn connection_refused_create_is_retried_because_nothing_was_sent() {
    let (client, attempts) = refused_client(fast_retry().max_attempts(2));

    let error = create_staging(&client).unwrap_err();

    assert_eq!(error.attempts(), Some(2));
    assert_eq!(attempts.count(), 2);
}

#[test]
fn connection_errors_are_not_retried_when_the_policy_says_so() {
    let (client, attempts) = refused_client(fast_retry().retry_connection_errors(false));

    let error = client.workspaces().list().send().unwrap_err();

    assert_eq!(error.attempts(), Some(1));
    assert_eq!(attempts.count(), 1);
}

// ---------------------------------------------------------------------------------------
// Input checks: each documented rule broken alone is refused before sending.

/// Runs `call` against a server that must see no request, and checks the refusal.
#[track_caller]
fn assert_refused_before_sending<T: std::fmt::Debug>(
    field: &str,
    call: impl FnOnce(&Client) -> Result<T, Error>,
) -> String {
    let mut server = Server::new();
    let guards = guard_nothing_sent(&mut server);
    let client = client(&server);
    let input = assert_invalid(call(&client), field);
    assert_nothing_sent(&guards);
    input.problem
}

#[test]
fn create_name_empty_or_over_100_chars_is_refused() {
    let problem = assert_refused_before_sending("name", |c| {
        c.workspaces().create().name("").slug("staging").send()
    });
    assert!(problem.contains("at least 1"), "{problem}");
    let problem = assert_refused_before_sending("name", |c| {
        c.workspaces()
            .create()
            .name("n".repeat(101))
            .slug("staging")
            .send()
    });
    assert!(problem.contains("at most 100"), "{problem}");
}

#[test]
fn create_slug_breaking_the_pattern_is_refused() {
    for slug in ["Bad Slug", "-x", "x-", "a--b", "Staging", "a_b", ""] {
        assert_refused_before_sending("slug", |c| {
            c.workspaces().create().name("Staging").slug(slug).send()
        });
    }
}

#[test]
fn create_slug_over_50_chars_is_refused() {
    let problem = assert_refused_before_sending("slug", |c| {
        c.workspaces()
            .create()
            .name("Staging")
            .slug("a".repeat(51))
            .send()
    });
    assert!(problem.contains("at most 50"), "{problem}");
}

#[test]
fn create_description_over_500_chars_is_refused() {
    let problem = assert_refused_before_sending("description", |c| {
        staging_create(c).description("d".repeat(501)).send()
    });
    assert!(problem.contains("at most 500"), "{problem}");
}

#[test]
fn create_sampling_rate_out_of_range_is_refused() {
    for rate in [0.0, 0.00009, 1.5, -1.0, f64::NAN, f64::INFINITY] {
        assert_refused_before_sending("io_logging_sampling_rate", |c| {
            staging_create(c).io_logging_sampling_rate(rate).send()
        });
    }
}

#[test]
fn create_without_a_required_field_is_refused() {
    let problem =
        assert_refused_before_sending("slug", |c| c.workspaces().create().name("Staging").send());
    assert_eq!(problem, "is required");
    let problem =
        assert_refused_before_sending("name", |c| c.workspaces().create().slug("staging").send());
    assert_eq!(problem, "is required");
}

#[test]
fn create_accepts_values_at_the_documented_bounds() {
    let mut server = Server::new();
    let name = "n".repeat(100);
    let slug = format!("{}-1", "a".repeat(48));
    let description = "ü".repeat(500); // counted in characters, not bytes
    let mock = mock_at(&mut server, "POST", "/workspaces")
        .match_body(Matcher::Json(json!({
            "name": name,
            "slug": slug,
            "description": description,
            "io_logging_sampling_rate": 0.0001
        })))
        .with_status(201)
        .with_body(ok_workspace())
        .create();

    client(&server)
        .workspaces()
        .create()
        .name(&name)
        .slug(&slug)
        .description(&description)
        .io_logging_sampling_rate(0.0001)
        .send()
        .unwrap();

    mock.assert();
}

#[test]
fn update_applies_the_same_rules() {
    assert_refused_before_sending("name", |c| c.workspaces().update("staging").name("").send());
    assert_refused_before_sending("slug", |c| {
        c.workspaces().update("staging").slug("Bad Slug").send()
    });
    assert_refused_before_sending("description", |c| {
        c.workspaces()
            .update("staging")
            .description("d".repeat(501))
            .send()
    });
    assert_refused_before_sending("io_logging_sampling_rate", |c| {
        c.workspaces()
            .update("staging")
            .io_logging_sampling_rate(1.5)
            .send()
    });
}

#[test]
fn list_limit_out_of_range_is_refused() {
    for limit in [0, 101] {
        assert_refused_before_sending("limit", |c| c.workspaces().list().limit(limit).send());
        assert_refused_before_sending("limit", |c| {
            c.workspaces().list_members("staging").limit(limit).send()
        });
    }
}

#[test]
fn budget_limit_not_above_zero_is_refused() {
    for limit in [0.0, -1.0, f64::NAN, f64::NEG_INFINITY] {
        assert_refused_before_sending("limit_usd", |c| {
            c.workspaces()
                .set_budget("staging", Interval::Monthly)
                .limit_usd(limit)
                .send()
        });
    }
    let problem = assert_refused_before_sending("limit_usd", |c| {
        c.workspaces()
            .set_budget("staging", Interval::Monthly)
            .include_byok_in_budgets(true)
            .send()
    });
    assert_eq!(problem, "is required");
}

#[test]
fn member_user_ids_count_is_checked() {
    let too_many: Vec<String> = (0..101).map(|i| format!("user_{i}")).collect();
    for ids in [Vec::new(), too_many] {
        assert_refused_before_sending("user_ids", |c| {
            c.workspaces()
                .bulk_add_members("staging")
                .user_ids(ids.clone())
                .send()
        });
        assert_refused_before_sending("user_ids", |c| {
            c.workspaces()
                .bulk_remove_members("staging")
                .user_ids(ids.clone())
                .send()
        });
    }
    assert_refused_before_sending("user_ids", |c| {
        c.workspaces().bulk_add_members("staging").send()
    });
}

// ---------------------------------------------------------------------------------------
// Pagination.

fn page_body(slugs: &[&str], total: i64) -> String {
    let data: Vec<_> = slugs
        .iter()
        .enumerate()
        .map(|(i, slug)| workspace_json(&format!("00000000-0000-4000-8000-00000000000{i}"), slug))
        .collect();
    json!({ "data": data, "total_count": total }).to_string()
}

fn page_mock(server: &mut ServerGuard, offset: u64, body: String) -> Mock {
    mock_at(server, "GET", "/workspaces")
        .match_query(Matcher::Exact(format!("offset={offset}&limit=2")))
        .with_status(200)
        .with_body(body)
        .expect(1)
        .create()
}

/// Walks `list().limit(2).items()` over `pages` (the slugs of each page, at offsets 0, 2,
/// 4, ...) that report `total`: checks that each page was asked for once and no other,
/// and returns the slugs of the items.
#[track_caller]
fn walk_pages(pages: &[&[&str]], total: i64) -> Vec<String> {
    let mut server = Server::new();
    // Any other list request (a page past the last) lands here and fails the test.
    let other = server
        .mock("GET", Matcher::Regex(format!("^{}", path("/workspaces"))))
        .with_status(599)
        .expect(0)
        .create();
    let mocks: Vec<Mock> = (0..)
        .zip(pages)
        .map(|(i, slugs)| page_mock(&mut server, 2 * i, page_body(slugs, total)))
        .collect();

    let slugs = client(&server)
        .workspaces()
        .list()
        .limit(2)
        .items()
        .map(|item| item.expect("every page succeeds").slug)
        .collect();

    for page in &mocks {
        page.assert();
    }
    other.assert();
    slugs
}

#[test]
fn items_walk_three_pages_and_stop_at_the_total() {
    let slugs = walk_pages(&[&["ws-0", "ws-1"], &["ws-2", "ws-3"], &["ws-4"]], 5);

    assert_eq!(slugs, ["ws-0", "ws-1", "ws-2", "ws-3", "ws-4"]);
}

#[test]
fn items_stop_at_the_total_on_a_full_page() {
    let slugs = walk_pages(&[&["ws-0", "ws-1"], &["ws-2", "ws-3"]], 4);

    assert_eq!(slugs.len(), 4);
    assert_eq!(slugs[3], "ws-3");
}

#[test]
fn items_error_on_page_two_follows_the_first_page_and_ends_iteration() {
    let mut server = Server::new();
    let first = page_mock(&mut server, 0, page_body(&["ws-0", "ws-1"], 5));
    let body = error_body(500, "page two failed");
    let second = mock_at(&mut server, "GET", "/workspaces")
        .match_query(Matcher::Exact("offset=2&limit=2".into()))
        .with_status(500)
        .with_body(&body)
        .expect(1)
        .create();
    let third = mock_at(&mut server, "GET", "/workspaces")
        .match_query(Matcher::Exact("offset=4&limit=2".into()))
        .expect(0)
        .create();

    let client = client(&server);
    let mut items = client.workspaces().list().limit(2).items();

    assert_eq!(items.next().unwrap().unwrap().slug, "ws-0");
    assert_eq!(items.next().unwrap().unwrap().slug, "ws-1");
    let error = items.next().unwrap().unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.as_api().unwrap().raw_body, body.as_bytes());
    assert!(items.next().is_none(), "the error ends the iteration");
    assert!(items.next().is_none());
    first.assert();
    second.assert();
    third.assert();
}

#[test]
fn member_items_start_at_the_offset_and_stop_at_the_total() {
    let mut server = Server::new();
    let member = |n: u32| {
        member_json(
            &format!("00000000-0000-4000-8000-0000000000{n:02}"),
            &format!("user_{n}"),
            "member",
        )
    };
    let mut page = |offset: u32, ids: &[u32]| {
        let data: Vec<_> = ids.iter().map(|n| member(*n)).collect();
        mock_at(&mut server, "GET", "/workspaces/staging/members")
            .match_query(Matcher::Exact(format!("offset={offset}&limit=3")))
            .with_status(200)
            .with_body(json!({ "data": data, "total_count": 5 }).to_string())
            .expect(1)
    };
    // Offset 1 plus four items reaches the total of 5: no third request.
    let pages = [page(1, &[1, 2, 3]).create(), page(4, &[4]).create()];

    let users: Vec<String> = client(&server)
        .workspaces()
        .list_members("staging")
        .offset(1)
        .limit(3)
        .items()
        .map(|m| m.unwrap().user_id)
        .collect();

    assert_eq!(users, ["user_1", "user_2", "user_3", "user_4"]);
    for p in &pages {
        p.assert();
    }
}

// ---------------------------------------------------------------------------------------
// Decoding and limits.

/// The error of `GET /workspaces/staging` answered once with 200, `content_type` (if any)
/// and `body`, through the test client.
#[track_caller]
fn get_staging_answered(content_type: Option<&str>, body: &str) -> Error {
    let answer = |m: Mock| {
        let m = m.with_status(200).with_body(body);
        match content_type {
            Some(value) => m.with_header("content-type", value),
            None => m,
        }
    };
    get_staging_error(answer, 1, |b| b, |get| get).0
}

#[test]
fn success_body_that_is_not_json_is_decode_error() {
    let error = get_staging_answered(Some("application/json"), "this is not json");

    let (operation, status, _, body_excerpt) = expect_decode(error);
    assert_eq!(operation, "getWorkspace");
    assert_eq!(status, 200);
    assert_eq!(body_excerpt, "this is not json");
}

#[test]
fn success_with_html_content_type_is_decode_error() {
    // The body would decode; the content type says it is not what it seems.
    let error = get_staging_answered(Some("text/html; charset=utf-8"), &ok_workspace());

    let (_, status, message, body_excerpt) = expect_decode(error);
    assert_eq!(status, 200);
    assert!(message.contains("text/html"), "{message}");
    assert!(body_excerpt.starts_with("{\"data\""), "{body_excerpt}");
}

#[test]
fn success_missing_a_required_field_is_decode_error() {
    let mut workspace = workspace_json(WORKSPACE_ID, "staging");
    workspace.as_object_mut().unwrap().remove("slug");
    let body = json!({ "data": workspace }).to_string();
    let error = get_staging_answered(Some("application/json"), &body);

    assert_eq!(
        error.status(),
        None,
        "a success that did not decode is no error status"
    );
    let (_, status, message, body_excerpt) = expect_decode(error);
    assert_eq!(status, 200);
    assert!(message.contains("slug"), "{message}");
    // The body is longer than the excerpt: its start, then an ellipsis.
    assert!(body.len() > 512);
    let start = body_excerpt.strip_suffix('…').expect("an ellipsis");
    assert_eq!(start, &body[..512]);
}

#[test]
fn decode_error_excerpt_is_bounded() {
    let error = get_staging_answered(None, &"x".repeat(5000));

    let (_, _, _, body_excerpt) = expect_decode(error);
    assert!(body_excerpt.starts_with("xxxx"));
    assert!(
        body_excerpt.len() <= 512 + '…'.len_utf8(),
        "{}",
        body_excerpt.len()
    );
}

#[test]
fn success_with_an_empty_body_is_decode_error() {
    let mut server = Server::new();
    let mock = mock_at(&mut server, "DELETE", "/workspaces/staging")
        .with_status(200)
        .create();

    let error = client(&server)
        .workspaces()
        .delete("staging")
        .send()
        .unwrap_err();

    mock.assert();
    let (operation, status, message, body_excerpt) = expect_decode(error);
    assert_eq!(operation, "deleteWorkspace");
    assert_eq!(status, 200);
    assert!(message.contains("empty"), "{message}");
    assert_eq!(body_excerpt, "");
}

#[test]
fn success_with_a_json_suffix_content_type_decodes() {
    let mut server = Server::new();
    let json_suffix = "application/vnd.openrouter+json; charset=utf-8";
    let mock = get_staging(&mut server)
        .with_status(200)
        .with_header("content-type", json_suffix)
        .with_body(ok_workspace())
        .create();

    let got = client(&server).workspaces().get("staging").send().unwrap();

    mock.assert();
    assert_workspace(&got.data, WORKSPACE_ID, "staging");
}

#[test]
fn oversized_body_is_response_too_large() {
    assert!(ok_workspace().len() > 128);
    // Expected once: not retried.
    let (error, _) = get_staging_error(
        |m| {
            m.with_status(200)
                .with_header("content-type", "application/json")
                .with_body(ok_workspace())
        },
        1,
        |b| b.max_response_bytes(128).retry_policy(fast_retry()),
        |get| get,
    );

    match error {
        Error::ResponseTooLarge { operation, limit } => {
            assert_eq!(operation.id, "getWorkspace");
            assert_eq!(limit, 128);
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
}

#[test]
fn body_within_max_response_bytes_is_accepted() {
    let mut server = Server::new();
    let body = ok_workspace();
    let mock = get_ok(&mut server).create();
    let client = builder(&server)
        .max_response_bytes(body.len() as u64)
        .build()
        .unwrap();

    client.workspaces().get("staging").send().unwrap();

    mock.assert();
}

// ---------------------------------------------------------------------------------------
// The API key stays secret.

#[track_caller]
fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the API key leaked into: {text}");
    assert!(
        !text.contains(&KEY[..20]),
        "part of the API key leaked into: {text}"
    );
}

#[track_caller]
fn assert_error_keeps_key_secret(error: &Error) {
    assert_no_key(&error.to_string());
    assert_no_key(&format!("{error:?}"));
    assert_no_key(&format!("{error:#?}"));
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        assert_no_key(&cause.to_string());
        assert_no_key(&format!("{cause:?}"));
        source = cause.source();
    }
}

#[test]
fn api_key_is_absent_from_client_and_builder_debug() {
    let server = Server::new();
    let builder = builder(&server).app_title("Inventory Sync");
    let builder_debug = format!("{builder:?}");
    let client = builder.clone().build().unwrap();
    let client_debug = format!("{client:?} {client:#?}");

    assert_no_key(&builder_debug);
    assert_no_key(&client_debug);
    assert!(builder_debug.contains("<redacted>"), "{builder_debug}");
    assert!(client_debug.contains("<redacted>"), "{client_debug}");
    assert!(client_debug.contains("Inventory Sync"), "{client_debug}");
}

#[test]
fn api_key_is_absent_from_every_error() {
    let mut server = Server::new();
    let mut errors: Vec<Error> = Vec::new();

    // Api, then Decode
    let c = client(&server);
    for (id, status, body) in [
        (
            "unauthorized",
            401,
            error_body(401, "Invalid management key"),
        ),
        ("garbled", 200, "garbled".to_string()),
    ] {
        let at = path(&format!("/workspaces/{id}"));
        server
            .mock("GET", Matcher::Exact(at))
            .with_status(status)
            .with_body(body)
            .create();
        errors.push(c.workspaces().get(id).send().unwrap_err());
    }
    // ResponseTooLarge
    let small = builder(&server).max_response_bytes(4).build().unwrap();
    errors.push(small.workspaces().get("garbled").send().unwrap_err());
    // InvalidInput
    errors.push(c.workspaces().create().name("x").send().unwrap_err());
    // Config: a key a header cannot carry, and a bad base URL
    errors.push(
        Client::builder()
            .api_key(format!("{KEY}\nX-Injected: 1"))
            .build()
            .unwrap_err(),
    );
    errors.push(builder_at("ftp://example.com").build().unwrap_err());
    // Transport, then Timeout
    for (client, _) in [
        refused_client(RetryPolicy::none()),
        silent_client(RetryPolicy::none(), 100),
    ] {
        errors.push(client.workspaces().list().send().unwrap_err());
    }

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Api(_) => "Api",
            Error::Decode { .. } => "Decode",
            Error::ResponseTooLarge { .. } => "ResponseTooLarge",
            Error::InvalidInput(_) => "InvalidInput",
            Error::Config(_) => "Config",
            Error::Transport { .. } => "Transport",
            Error::Timeout { .. } => "Timeout",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Api",
            "Decode",
            "ResponseTooLarge",
            "InvalidInput",
            "Config",
            "Config",
            "Transport",
            "Timeout"
        ]
    );
    for error in &errors {
        assert_error_keeps_key_secret(error);
    }
}

#[test]
fn api_key_is_absent_from_attempt_reports() {
    let (error, Exchange { seen, .. }) = get_staging_error(
        |m| m.with_status(503),
        2,
        |b| b.retry_policy(fast_retry().max_attempts(2)),
        |get| get,
    );

    assert_eq!(seen.len(), 2);
    for attempt in &seen {
        assert!(attempt.debug.contains("getWorkspace"), "{}", attempt.debug);
        assert_no_key(&attempt.debug);
        assert_no_key(&attempt.url);
    }
    assert_error_keeps_key_secret(&error);
}

/// Records log lines of the client side. mockito's own lines are left out: as the server,
/// it logs the request it received, credentials included.
struct Capture;

static LOG_LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static CAPTURE: Capture = Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("mockito") {
            return;
        }
        LOG_LINES.lock().unwrap().push(format!(
            "{} {:?} {}",
            record.target(),
            record.level(),
            record.args()
        ));
    }

    fn flush(&self) {}
}

#[test]
fn api_key_is_absent_from_debug_logs() {
    log::set_logger(&CAPTURE).expect("only this test installs a logger");
    log::set_max_level(log::LevelFilter::Trace);
    let mut server = Server::new();
    mock_at(&mut server, "GET", "/workspaces/log-probe")
        .with_status(503)
        .with_body(error_body(500, "overloaded"))
        .expect(2)
        .create();
    let add = "/workspaces/log-probe/members/add";
    error_once(&mut server, "POST", add, 401, "Invalid management key");
    let client = builder(&server)
        .retry_policy(fast_retry().max_attempts(2))
        .build()
        .unwrap();

    let get = client.workspaces().get("log-probe").send().unwrap_err();
    let add = client
        .workspaces()
        .bulk_add_members("log-probe")
        .user_ids(["user_2f9c"])
        .send()
        .unwrap_err();

    let lines = LOG_LINES.lock().unwrap().clone();
    let ours: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("openrouter_workspaces") && l.contains("log-probe"))
        .collect();
    assert!(
        ours.len() >= 3,
        "one debug line per attempt expected, got {ours:#?}"
    );
    for line in &lines {
        assert_no_key(line);
    }
    assert_error_keeps_key_secret(&get);
    assert_error_keeps_key_secret(&add);
}

#[test]
fn api_error_reports_status_attempts_message_and_headers() {
    let mut server = Server::new();
    mock_at(&mut server, "DELETE", "/workspaces/default")
        .with_status(403)
        .with_header("x-request-id", "req_7f3a9c")
        .with_body(error_body(
            403,
            "Deleting the default workspace is not enabled",
        ))
        .create();

    let error = client(&server)
        .workspaces()
        .delete("default")
        .send()
        .unwrap_err();

    assert_eq!(error.status(), Some(403));
    assert_eq!(error.attempts(), Some(1));
    assert_eq!(
        error.to_string(),
        "workspaces().delete (deleteWorkspace): HTTP 403: Deleting the default workspace is not enabled"
    );
    let api = error.as_api().unwrap();
    assert_eq!(
        typed_error(api.body.as_ref().unwrap()),
        (
            "Forbidden",
            403,
            "Deleting the default workspace is not enabled".to_string()
        )
    );
    assert_eq!(api.headers["x-request-id"], "req_7f3a9c");
}
