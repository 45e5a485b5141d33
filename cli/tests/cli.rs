//! The built binary against an in-process emulator (or a one-shot raw server where the
//! request head itself is under test): stdout JSON, the emulator's state, stderr and exit
//! codes.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{bare, cli, create, run, shell, texts, with_workspace};
use openrouter_workspaces::RequestBuilder;
use openrouter_workspaces::workspaces::GetBudget;
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};
use serde_json::{Value, json};

/// A server that answers one request with `status` and `body`, and hands back the head of
/// that request. The base URL has the API prefix, as the real one.
fn one_shot(status: u16, body: &'static str) -> (String, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("one connection");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).expect("read the request head");
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let answer = format!(
            "HTTP/1.1 {status} Canned\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    (url, handle)
}

/// The value of header `name` in a recorded request head (names compared case-insensitively).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// An empty page of workspaces, as the API sends it.
const EMPTY_LIST: &str = r#"{"data":[],"total_count":0}"#;

#[test]
fn list_prints_one_page_as_json() {
    let emulator = with_workspace("alpha");
    let page = cli(&emulator, &["list", "--limit", "1", "--offset", "1"]).json();
    assert_eq!(page["total_count"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["slug"], "alpha");
}

#[test]
fn list_all_pages_through_every_workspace() {
    let emulator = Emulator::start().unwrap();
    for slug in ["one", "two", "three", "four"] {
        create(&emulator, slug);
    }
    emulator.reset_counters();
    let all = cli(&emulator, &["list", "--all", "--limit", "2"]).json();
    let slugs = texts(&all, "slug");
    assert_eq!(slugs, ["default", "one", "two", "three", "four"]);
    assert!(emulator.requests_to("GET", "/api/v1/workspaces") >= 3);
}

#[test]
fn create_sends_every_setting_and_prints_the_workspace() {
    let emulator = Emulator::start().unwrap();
    let command = shell(
        "create --name Staging --slug staging --description Pre-production \
         --default-text-model openai/gpt-4o-mini --default-image-model google/imagen \
         --default-provider-sort price --io-logging-sampling-rate 0.5 \
         --io-logging-api-key-ids 1,2 --data-discount-logging true \
         --observability-broadcast yes --observability-io-logging false",
    );
    let created = cli(&emulator, &command).json();
    let data = &created["data"];
    assert_eq!(data["slug"], "staging");
    assert_eq!(data["io_logging_api_key_ids"], json!([1, 2]));
    let stored = emulator
        .workspaces()
        .into_iter()
        .find(|w| w.slug == "staging")
        .expect("the emulator has the workspace");
    assert_eq!(stored.id.to_string(), data["id"].as_str().unwrap());
    assert_eq!(stored.name, "Staging");
    assert_eq!(stored.description.as_deref(), Some("Pre-production"));
    assert_eq!(
        stored.default_text_model.as_deref(),
        Some("openai/gpt-4o-mini")
    );
    assert_eq!(stored.default_image_model.as_deref(), Some("google/imagen"));
    assert_eq!(stored.default_provider_sort.as_deref(), Some("price"));
    assert_eq!(stored.io_logging_sampling_rate, 0.5);
    assert_eq!(stored.io_logging_api_key_ids, Some(vec![1, 2]));
    assert!(stored.is_data_discount_logging_enabled);
    assert!(stored.is_observability_broadcast_enabled);
    assert!(!stored.is_observability_io_logging_enabled);
}

#[test]
fn get_finds_a_workspace_by_slug_and_by_uuid() {
    let emulator = with_workspace("lookup");
    let by_slug = cli(&emulator, &["get", "lookup"]).json();
    let id = by_slug["data"]["id"].as_str().unwrap().to_string();
    let by_id = cli(&emulator, &["get", &id]).json();
    assert_eq!(by_id, by_slug);
    assert_eq!(by_id["data"]["slug"], "lookup");
}

#[test]
fn delete_removes_the_workspace() {
    let emulator = with_workspace("doomed");
    let deleted = cli(&emulator, &["delete", "doomed"]).json();
    assert_eq!(deleted, json!({"deleted": true}));
    assert!(emulator.workspaces().iter().all(|w| w.slug != "doomed"));
}

#[test]
fn update_changes_only_the_given_fields() {
    let emulator = with_workspace("team");
    let updated = cli(
        &emulator,
        &shell("update team --name 'Team EU' --slug team-eu --default-text-model openai/gpt-4o"),
    )
    .json();
    assert_eq!(updated["data"]["slug"], "team-eu");
    let stored = emulator
        .workspaces()
        .into_iter()
        .find(|w| w.slug == "team-eu")
        .expect("renamed in the emulator");
    assert_eq!(stored.name, "Team EU");
    assert_eq!(stored.default_text_model.as_deref(), Some("openai/gpt-4o"));
}

#[test]
fn update_clear_description_sends_null() {
    let emulator = Emulator::start().unwrap();
    cli(
        &emulator,
        &shell("create --name Notes --slug notes --description 'to be cleared'"),
    )
    .json();
    let updated = cli(&emulator, &["update", "notes", "--clear-description"]).json();
    assert_eq!(updated["data"]["description"], Value::Null);
    let stored = emulator
        .workspaces()
        .into_iter()
        .find(|w| w.slug == "notes")
        .unwrap();
    assert_eq!(stored.description, None);
    assert_eq!(stored.name, "Notes", "fields not given are kept");
}

#[test]
fn update_field_and_its_clear_flag_conflict() {
    let emulator = Emulator::start().unwrap();
    let result = cli(
        &emulator,
        &["update", "x", "--description", "a", "--clear-description"],
    );
    let stderr = result.failed(2);
    assert!(stderr.contains("--clear-description"), "{stderr}");
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn budgets_set_get_list_and_delete() {
    let emulator = with_workspace("money");
    let monthly = cli(
        &emulator,
        &shell("budgets set money monthly --limit-usd 100 --include-byok true"),
    )
    .json();
    assert_eq!(monthly["data"]["limit_usd"], 100.0);
    assert_eq!(monthly["include_byok_in_budgets"], true);
    cli(
        &emulator,
        &["budgets", "set", "money", "weekly", "--limit-usd", "25.5"],
    )
    .json();

    let weekly = cli(&emulator, &["budgets", "get", "money", "weekly"]).json();
    assert_eq!(weekly["data"]["limit_usd"], 25.5);
    assert_eq!(weekly["data"]["reset_interval"], "weekly");

    let list = cli(&emulator, &["budgets", "list", "money"]).json();
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    let deleted = cli(&emulator, &["budgets", "delete", "money", "weekly"]).json();
    assert_eq!(deleted, json!({"deleted": true}));
    let left: Vec<f64> = emulator
        .budgets("money")
        .iter()
        .map(|b| b.limit_usd)
        .collect();
    assert_eq!(left, [100.0]);
}

#[test]
fn budget_interval_must_be_one_of_the_documents() {
    let emulator = Emulator::start().unwrap();
    let stderr = cli(&emulator, &["budgets", "get", "x", "yearly"])
        .failed(2)
        .to_string();
    let values = GetBudget::operation()
        .parameter("interval")
        .expect("the budget has an interval")
        .shape
        .values;
    assert!(stderr.contains(&values.join(", ")), "{stderr}");
    assert!(
        values.starts_with(&["daily", "weekly", "monthly"]),
        "{values:?}"
    );
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn members_add_list_and_remove() {
    let emulator = with_workspace("crew");
    let added = cli(
        &emulator,
        &["members", "add", "crew", "user_bob", "user_carol"],
    )
    .json();
    assert_eq!(added["added_count"], 2);

    let page = cli(&emulator, &["members", "list", "crew", "--limit", "1"]).json();
    assert_eq!(page["total_count"], 3, "the creator is a member too");
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    emulator.reset_counters();
    let all = cli(
        &emulator,
        &["members", "list", "crew", "--all", "--limit", "1"],
    )
    .json();
    let ids = texts(&all, "user_id");
    assert_eq!(ids, ["user_alice", "user_bob", "user_carol"]);
    assert!(emulator.requests_to("GET", "/api/v1/workspaces/crew/members") >= 3);

    let removed = cli(&emulator, &["members", "remove", "crew", "user_carol"]).json();
    assert_eq!(removed, json!({"removed_count": 1}));
    let left: Vec<String> = emulator
        .members("crew")
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    assert_eq!(left, ["user_alice", "user_bob"]);
}

#[test]
fn compact_prints_one_line_and_pretty_is_the_default() {
    let emulator = Emulator::start().unwrap();
    let compact = cli(&emulator, &["get", "default", "--compact"]);
    assert_eq!(compact.stdout.lines().count(), 1, "{}", compact.stdout);
    let pretty = cli(&emulator, &["get", "default"]);
    assert!(pretty.stdout.lines().count() > 1);
    assert_eq!(compact.json(), pretty.json());
}

#[test]
fn bad_flag_exits_2_without_sending() {
    let emulator = Emulator::start().unwrap();
    let stderr = cli(&emulator, &["list", "--bogus"]).failed(2).to_string();
    assert!(stderr.contains("--bogus"), "{stderr}");
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn invalid_slug_exits_2_without_sending() {
    let emulator = Emulator::start().unwrap();
    let result = cli(
        &emulator,
        &["create", "--name", "Bad", "--slug", "Not A Slug"],
    );
    let stderr = result.failed(2);
    // Checked while the command line is parsed: the first line names the flag and the rule.
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.contains("'--slug <TEXT>'"), "{stderr}");
    assert!(first.contains("must match"), "{stderr}");
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn missing_api_key_exits_2() {
    let mut command = bare();
    command.args(["--base-url", "http://127.0.0.1:9/api/v1", "list"]);
    let result = run(command);
    let stderr = result.failed(2);
    assert!(stderr.contains("OPENROUTER_API_KEY"), "{stderr}");
    assert!(stderr.contains("--api-key"), "{stderr}");
}

#[test]
fn plain_http_to_a_remote_host_exits_2_and_names_the_flag() {
    let mut command = bare();
    command.args([
        "--api-key",
        "sk-or-v1-never-sent",
        "--base-url",
        "http://example.com/api/v1",
        "list",
    ]);
    let stderr = run(command).failed(2).to_string();
    assert!(stderr.contains("--allow-insecure-http"), "{stderr}");
}

#[test]
fn missing_workspace_exits_6_with_status_and_message() {
    let emulator = Emulator::start().unwrap();
    let result = cli(&emulator, &["get", "no-such-workspace"]);
    let stderr = result.failed(6);
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(stderr.contains("no-such-workspace"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert_eq!(
        emulator.requests_to("GET", "/api/v1/workspaces/no-such-workspace"),
        1
    );
}

#[test]
fn every_missing_thing_exits_6() {
    let emulator = Emulator::start().unwrap();
    let commands: [&[&str]; 6] = [
        &["members", "list", "nowhere", "--all"],
        &["budgets", "list", "nowhere"],
        &["budgets", "get", "default", "weekly"],
        &["budgets", "delete", "default", "daily"],
        &["update", "nowhere", "--name", "Somewhere"],
        &["delete", "nowhere"],
    ];
    for args in commands {
        let stderr = cli(&emulator, args).failed(6).to_string();
        assert!(stderr.contains("HTTP 404"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_400_from_the_server_exits_3() {
    let emulator = with_workspace("taken");
    // The slug is well-formed, so only the server can refuse it.
    let result = cli(&emulator, &["create", "--name", "Again", "--slug", "taken"]);
    let stderr = result.failed(3);
    assert!(stderr.contains("HTTP 400"), "{stderr}");
    assert!(stderr.contains("slug already in use"), "{stderr}");
    assert_eq!(emulator.requests_to("POST", "/api/v1/workspaces"), 2);
}

#[test]
fn inference_key_exits_3_with_403() {
    let emulator = Emulator::start().unwrap();
    let mut command = bare();
    command.args(["--api-key", emulator.inference_key()]).args([
        "--base-url",
        emulator.base_url(),
        "list",
    ]);
    let result = run(command);
    let stderr = result.failed(3);
    assert!(stderr.contains("HTTP 403"), "{stderr}");
    assert!(!stderr.contains(emulator.inference_key()), "{stderr}");
}

#[test]
fn closed_port_exits_4() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut command = bare();
    command.args([
        "--api-key",
        "sk-or-v1-not-used-anywhere",
        "--base-url",
        &format!("http://127.0.0.1:{port}/api/v1"),
        "--retry-max-elapsed",
        "0",
        "list",
    ]);
    let started = Instant::now();
    let stderr = run(command).failed(4).to_string();
    assert!(
        stderr.contains("not sent") && stderr.contains("was refused"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no long retries"
    );
}

#[test]
fn malformed_body_exits_4() {
    let emulator = Emulator::start().unwrap();
    emulator.inject(Fault::new(FaultKind::MalformedJson).path("/api/v1/workspaces/default"));
    let stderr = cli(&emulator, &["get", "default"]).failed(4).to_string();
    assert!(stderr.contains("could not be decoded"), "{stderr}");
}

#[test]
fn timeout_exits_4() {
    let emulator = Emulator::start().unwrap();
    let path = "/api/v1/workspaces/default";
    // Held until the emulator stops: the answer can never beat the timeout.
    emulator.inject(Fault::new(FaultKind::Delay(Duration::from_secs(3600))).path(path));
    let result = cli(
        &emulator,
        &["--timeout", "0.2", "--no-retries", "get", "default"],
    );
    let stderr = result.failed(4);
    assert!(stderr.contains("no answer within"), "{stderr}");
}

#[test]
fn server_errors_are_retried_unless_no_retries() {
    let emulator = Emulator::start().unwrap();
    let path = "/api/v1/workspaces/default";
    emulator.inject(Fault::new(FaultKind::status(503).retry_after_ms("10")).path(path));
    let retried = cli(&emulator, &["get", "default"]);
    retried.answer();
    // The retry is shown, one line (tests/network.rs covers those lines).
    assert_eq!(retried.stderr.lines().count(), 1, "{}", retried.stderr);
    assert_eq!(emulator.requests_to("GET", path), 2);

    emulator.reset_counters();
    emulator.inject(Fault::new(FaultKind::status(503)).path(path));
    let stderr = cli(&emulator, &["--no-retries", "get", "default"])
        .failed(3)
        .to_string();
    assert!(stderr.contains("HTTP 503"), "{stderr}");
    assert_eq!(emulator.requests_to("GET", path), 1);
}

#[test]
fn attribution_flags_reach_the_server() {
    let (url, server) = one_shot(200, EMPTY_LIST);
    let mut command = bare();
    command.args([
        "--api-key",
        "sk-or-v1-header-test",
        "--base-url",
        &url,
        "list",
        "--http-referer",
        "https://example.com/app",
        "--app-title",
        "Nightly sync",
        "--app-categories",
        "cli-agent,ops",
    ]);
    assert_eq!(run(command).json(), json!({"data": [], "total_count": 0}));
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /api/v1/workspaces "), "{head}");
    assert_eq!(
        header(&head, "http-referer"),
        Some("https://example.com/app")
    );
    assert_eq!(header(&head, "x-openrouter-title"), Some("Nightly sync"));
    assert_eq!(
        header(&head, "x-openrouter-categories"),
        Some("cli-agent,ops")
    );
}

#[test]
fn environment_variables_configure_the_client() {
    let emulator = Emulator::start().unwrap();
    let mut command = bare();
    command
        .env("OPENROUTER_API_KEY", emulator.management_key())
        .env("OPENROUTER_BASE_URL", emulator.base_url())
        .arg("list");
    let page = run(command).json();
    assert_eq!(page["data"][0]["slug"], "default");
    assert_eq!(emulator.requests_to("GET", "/api/v1/workspaces"), 1);

    let (url, server) = one_shot(200, EMPTY_LIST);
    let mut command = bare();
    command
        .env("OPENROUTER_API_KEY", "sk-or-v1-header-test")
        .env("OPENROUTER_BASE_URL", &url)
        .env("OPENROUTER_HTTP_REFERER", "https://example.com/env")
        .env("OPENROUTER_APP_TITLE", "From env")
        .env("OPENROUTER_APP_CATEGORIES", "cli-agent")
        .arg("list");
    run(command).json();
    let head = server.join().unwrap();
    assert_eq!(
        header(&head, "http-referer"),
        Some("https://example.com/env")
    );
    assert_eq!(header(&head, "x-openrouter-title"), Some("From env"));
    assert_eq!(header(&head, "x-openrouter-categories"), Some("cli-agent"));
}

#[test]
fn verbose_logs_the_request_but_never_the_key() {
    let emulator = Emulator::start().unwrap();
    let result = cli(&emulator, &["--verbose", "list"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let request_line = format!("GET {}/workspaces", emulator.base_url());
    assert!(result.stderr.contains(&request_line), "{}", result.stderr);
    assert!(result.stderr.contains("200"), "{}", result.stderr);
    assert!(
        !result.stderr.contains(emulator.management_key()),
        "{}",
        result.stderr
    );
    assert!(!result.stderr.contains("Bearer"), "{}", result.stderr);
    let page: Value = serde_json::from_str(&result.stdout).unwrap();
    assert_eq!(page["total_count"], 1);
}

#[test]
fn a_key_echoed_by_the_server_is_redacted() {
    const KEY: &str = "sk-or-v1-echoed-secret-0123456789";
    let (url, server) = one_shot(
        401,
        r#"{"error":{"code":401,"message":"key sk-or-v1-echoed-secret-0123456789 is not valid"}}"#,
    );
    let mut command = bare();
    command.args(["--api-key", KEY, "--base-url", &url, "--verbose", "list"]);
    let result = run(command);
    server.join().unwrap();
    let stderr = result.failed(3);
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    assert!(stderr.contains("<redacted>"), "{stderr}");
    assert!(!stderr.contains(KEY), "{stderr}");
}

#[test]
fn every_command_has_help_with_an_example_and_no_key() {
    const KEY: &str = "sk-or-v1-must-not-appear-in-help";
    let commands: [&[&str]; 19] = [
        &[],
        &["completions"],
        &["man"],
        &["list"],
        &["create"],
        &["get"],
        &["delete"],
        &["update"],
        &["budgets"],
        &["budgets", "list"],
        &["budgets", "get"],
        &["budgets", "set"],
        &["budgets", "delete"],
        &["members"],
        &["members", "list"],
        &["members", "add"],
        &["members", "remove"],
        &["list", "-h"],
        &["update", "-h"],
    ];
    for args in commands {
        let mut command = bare();
        command.env("OPENROUTER_API_KEY", KEY).args(args);
        if !args.contains(&"-h") {
            command.arg("--help");
        }
        let result = run(command);
        assert_eq!(result.code, 0, "{args:?}: {}", result.stderr);
        assert!(
            result.stdout.contains("Example"),
            "{args:?}: {}",
            result.stdout
        );
        assert!(!result.stdout.contains(KEY), "{args:?}: {}", result.stdout);
    }
}
