//! One regeneration follows the API: the CLI, the emulator and a desired-state file built
//! from a newer document (`checks/next-upstream/changes.overlay.yaml` applied to ours) take
//! its new field, its new enum value and its new query parameter with no code change.
//!
//! Built from this repository's own document these tests have nothing to test, so they are
//! ignored (reported as such); `.ci/next-upstream.sh` builds everything from the newer
//! document and runs them with `--ignored`. Each test first checks that the build really
//! has the newer document, so a run against the wrong build fails instead of passing.

mod common;

use std::io::Write;

use common::{cli, run, shell};
use openrouter_workspaces::types::Workspace;
use openrouter_workspaces::ureq;
use openrouter_workspaces::{Described, RequestBuilder};
use openrouter_workspaces_emulator::Emulator;
use serde_json::{Value, json};

const WHY: &str = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh";

/// Fails unless this build was generated from the newer document.
fn assert_newer_document() {
    assert!(
        Workspace::schema().field("request_rate_limit").is_some(),
        "this build is not generated from the newer document: {WHY}"
    );
}

/// The workspace `slug` as `get` prints it.
fn get(emulator: &Emulator, slug: &str) -> Value {
    cli(emulator, &["get", slug]).json()["data"].clone()
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn the_new_field_is_a_flag_stored_shown_and_cleared() {
    assert_newer_document();
    let emulator = Emulator::start().unwrap();
    let created = cli(
        &emulator,
        &shell("create --name Limited --slug limited --request-rate-limit 50"),
    )
    .json();
    assert_eq!(created["data"]["request_rate_limit"], 50);
    assert_eq!(get(&emulator, "limited")["request_rate_limit"], 50);

    cli(
        &emulator,
        &["update", "limited", "--request-rate-limit", "60"],
    )
    .json();
    assert_eq!(get(&emulator, "limited")["request_rate_limit"], 60);

    cli(
        &emulator,
        &["update", "limited", "--clear-request-rate-limit"],
    )
    .json();
    assert_eq!(get(&emulator, "limited")["request_rate_limit"], Value::Null);
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn a_field_left_out_takes_its_documented_default_and_a_list_is_set_and_replaced() {
    assert_newer_document();
    // The model's constructor asks for the required fields only; the others start as a
    // body without them reads.
    let body = openrouter_workspaces::types::CreateWorkspaceRequest::new("Plain", "plain");
    assert_eq!(
        serde_json::to_value(&body).unwrap()["usage_alert_ratio"],
        0.8
    );

    let emulator = Emulator::start().unwrap();
    cli(&emulator, &["create", "--name", "Plain", "--slug", "plain"]).json();
    let plain = get(&emulator, "plain");
    assert_eq!(
        plain["usage_alert_ratio"], 0.8,
        "the create default: {plain}"
    );
    assert_eq!(plain["labels"], json!([]));

    cli(
        &emulator,
        &shell("create --name Tagged --slug tagged --usage-alert-ratio 0.5 --labels team-a,eu --labels prod"),
    )
    .json();
    let tagged = get(&emulator, "tagged");
    assert_eq!(tagged["usage_alert_ratio"], 0.5);
    assert_eq!(tagged["labels"], json!(["team-a", "eu", "prod"]));

    cli(&emulator, &["update", "tagged", "--labels", "staging"]).json();
    let tagged = get(&emulator, "tagged");
    assert_eq!(tagged["labels"], json!(["staging"]));
    assert_eq!(
        tagged["usage_alert_ratio"], 0.5,
        "an update keeps what it leaves out"
    );

    let before = emulator.request_count();
    let six = "a,b,c,d,e,f";
    cli(&emulator, &["update", "tagged", "--labels", six]).failed(2);
    cli(
        &emulator,
        &["update", "tagged", "--usage-alert-ratio", "1.5"],
    )
    .failed(2);
    assert_eq!(emulator.request_count(), before, "nothing was sent");
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn out_of_range_values_are_refused_by_the_cli_and_by_the_emulator() {
    assert_newer_document();
    let emulator = Emulator::start().unwrap();
    let before = emulator.request_count();
    let refused = cli(
        &emulator,
        &shell("create --name L --slug l --request-rate-limit 0"),
    );
    let stderr = refused.failed(2);
    assert!(stderr.contains("request-rate-limit"), "{stderr}");
    let long_prefix = "a".repeat(51);
    cli(&emulator, &["list", "--slug-prefix", &long_prefix]).failed(2);
    assert_eq!(emulator.request_count(), before, "nothing was sent");

    // The emulator refuses the same values from a client that does not check.
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let authorization = format!("Bearer {}", emulator.management_key());
    let mut answer = agent
        .post(format!("{}/workspaces", emulator.base_url()))
        .header("authorization", &authorization)
        .header("content-type", "application/json")
        .send(json!({"name": "L", "slug": "l", "request_rate_limit": 0}).to_string())
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body = answer.body_mut().read_to_string().unwrap();
    assert!(body.contains("request_rate_limit"), "{body}");
    let answer = agent
        .get(format!(
            "{}/workspaces?slug_prefix={long_prefix}",
            emulator.base_url()
        ))
        .header("authorization", &authorization)
        .call()
        .unwrap();
    assert_eq!(answer.status(), 400);
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn the_new_query_parameter_is_a_flag_the_emulator_accepts() {
    assert_newer_document();
    let emulator = Emulator::start().unwrap();
    let list = openrouter_workspaces::workspaces::List::operation();
    assert!(list.parameter("slug_prefix").is_some());
    let page = cli(&emulator, &["list", "--slug-prefix", "def"]).json();
    assert!(page["data"].is_array(), "{page}");
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn the_new_enum_value_works_as_a_path_parameter() {
    assert_newer_document();
    let emulator = Emulator::start().unwrap();
    cli(&emulator, &["create", "--name", "Q", "--slug", "q"]).json();
    let set = cli(
        &emulator,
        &["budgets", "set", "q", "quarterly", "--limit-usd", "75"],
    )
    .json();
    assert_eq!(set["data"]["limit_usd"], 75.0);
    let got = cli(&emulator, &["budgets", "get", "q", "quarterly"]).json();
    assert_eq!(got["data"]["limit_usd"], 75.0);
    cli(&emulator, &["budgets", "delete", "q", "quarterly"]).json();
    cli(&emulator, &["budgets", "get", "q", "quarterly"]).failed(6);
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn a_desired_state_file_sets_the_new_field_and_interval_and_export_writes_them_back() {
    assert_newer_document();
    let emulator = Emulator::start().unwrap();
    let dir = std::env::temp_dir().join(format!("orw-next-upstream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("workspaces.yaml");
    std::fs::File::create(&file)
        .unwrap()
        .write_all(
            b"workspaces:\n  limited:\n    name: Limited\n    request_rate_limit: 70\n    \
              budgets: {monthly: 100, quarterly: 50}\n",
        )
        .unwrap();
    let file = file.to_str().unwrap();
    let applied = cli(&emulator, &["apply", file, "--yes"]);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert_eq!(get(&emulator, "limited")["request_rate_limit"], 70);
    // The new interval has no place in the order: its limit is compared with no other.
    let quarterly = cli(&emulator, &["budgets", "get", "limited", "quarterly"]).json();
    assert_eq!(quarterly["data"]["limit_usd"], 50.0);
    let exported = cli(&emulator, &["export", "--slug", "limited"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    exported.prints("request_rate_limit: 70");
    exported.prints("quarterly: 50");
    let plan = cli(&emulator, &["plan", file, "--exit-code"]);
    assert_eq!(plan.code, 0, "no change left: {}", plan.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs the client built from checks/next-upstream: bash .ci/next-upstream.sh"]
fn completions_offer_the_new_flags_and_values() {
    assert_newer_document();
    let mut command = common::bare();
    command.args(["completions", "bash"]);
    let script = run(command);
    assert_eq!(script.code, 0, "{}", script.stderr);
    for word in [
        "--request-rate-limit",
        "--clear-request-rate-limit",
        "--slug-prefix",
        "quarterly",
    ] {
        assert!(script.stdout.contains(word), "completions lack {word}");
    }
}
