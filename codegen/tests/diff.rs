//! The spec diff: on the two upstream documents (what changed between them was checked by
//! hand), and the `openrouter-workspaces-codegen` binary end to end (exit codes, JSON).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use openrouter_workspaces_codegen::diff::{self, Change, Kind};
use serde_json::Value;

const OLD: &str = "openrouter-2026-04-20.yaml";
const NEW: &str = "openrouter-2026-08-22.yaml";

/// The five operations the 2026-08-22 document adds to the Workspaces tag.
const ADDED: [&str; 5] = [
    "listWorkspaceBudgets",
    "getWorkspaceBudget",
    "upsertWorkspaceBudget",
    "deleteWorkspaceBudget",
    "listWorkspaceMembers",
];

fn workspaces() -> Vec<String> {
    vec!["Workspaces".to_string()]
}

fn upstream_diff(old: &str, new: &str) -> Vec<Change> {
    diff::diff_files(
        &common::upstream_spec(old),
        &common::upstream_spec(new),
        &workspaces(),
    )
    .expect("the upstream documents compare")
}

fn find<'c>(changes: &'c [Change], operation: &str, location: &str, change: &str) -> &'c Change {
    changes
        .iter()
        .find(|c| c.operation == operation && c.location == location && c.change == change)
        .unwrap_or_else(|| panic!("no {change} at {operation} {location}"))
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn upstream_diff_lists_the_five_added_operations() {
    let changes = upstream_diff(OLD, NEW);
    let mut added: Vec<&str> = changes
        .iter()
        .filter(|c| c.change == "operation_added")
        .map(|c| c.operation.as_str())
        .collect();
    added.sort_unstable();
    let mut expected = ADDED.to_vec();
    expected.sort_unstable();
    assert_eq!(added, expected);
    assert!(
        changes
            .iter()
            .filter(|c| c.change == "operation_added")
            .all(|c| c.kind == Kind::Compatible && c.location == "operation")
    );
    assert!(!changes.iter().any(|c| c.change == "operation_removed"));
    let upsert = find(
        &changes,
        "upsertWorkspaceBudget",
        "operation",
        "operation_added",
    );
    assert_eq!(
        (upsert.method.as_str(), upsert.path.as_str()),
        ("PUT", "/workspaces/{id}/budgets/{interval}")
    );
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn upstream_diff_reports_the_field_changes_checked_by_hand() {
    let changes = upstream_diff(OLD, NEW);

    // The slug pattern became stricter in both request bodies: the only breaking changes.
    for op in ["createWorkspace", "updateWorkspace"] {
        let slug = find(&changes, op, "body.slug", "constraint_changed");
        assert_eq!(slug.kind, Kind::Breaking);
        assert_eq!(
            slug.detail,
            r#"pattern "^[a-z0-9-]+$" -> "^[a-z0-9]+(?:-[a-z0-9]+)*$" (stricter)"#
        );
        let rate = find(&changes, op, "body.io_logging_sampling_rate", "field_added");
        assert_eq!(
            (rate.kind, rate.detail.as_str()),
            (Kind::Compatible, "optional number(double)")
        );
        let ids = find(&changes, op, "body.io_logging_api_key_ids", "field_added");
        assert_eq!(ids.detail, "optional array of integer, nullable");
    }
    let breaking: Vec<&Change> = changes
        .iter()
        .filter(|c| c.kind == Kind::Breaking)
        .collect();
    assert_eq!(breaking.len(), 2, "{breaking:#?}");

    // `Workspace` gained four fields, three of them required; reached through `data`.
    let guardrail = find(
        &changes,
        "getWorkspace",
        "response.200.data.default_guardrail_id",
        "field_added",
    );
    assert_eq!(
        (guardrail.kind, guardrail.detail.as_str()),
        (Kind::Compatible, "required string(uuid)")
    );
    find(
        &changes,
        "listWorkspaces",
        "response.200.data[].include_byok_in_budgets",
        "field_added",
    );
    find(
        &changes,
        "createWorkspace",
        "response.201.data.io_logging_sampling_rate",
        "field_added",
    );

    // The list parameters got defaults; every error body got `openrouter_metadata`.
    let limit = find(&changes, "listWorkspaces", "query.limit", "default_changed");
    assert_eq!(limit.detail, "none -> 50");
    let metadata = find(
        &changes,
        "bulkAddWorkspaceMembers",
        "response.404.openrouter_metadata",
        "field_added",
    );
    assert_eq!(metadata.detail, "optional map of any, nullable");

    // The old document writes `nullable: true`, the new one `type: [T, 'null']`: equal.
    assert!(
        !changes
            .iter()
            .any(|c| c.change.contains("nullable") || c.change == "type_changed"),
        "spelling differences reported as changes"
    );
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn upstream_diff_backwards_reports_removals_as_breaking() {
    let changes = upstream_diff(NEW, OLD);
    let removed: Vec<&Change> = changes
        .iter()
        .filter(|c| c.change == "operation_removed")
        .collect();
    assert_eq!(removed.len(), 5);
    assert!(removed.iter().all(|c| c.kind == Kind::Breaking));
    let field = find(
        &changes,
        "getWorkspace",
        "response.200.data.default_guardrail_id",
        "field_removed",
    );
    assert_eq!(field.kind, Kind::Breaking);
    let slug = find(
        &changes,
        "createWorkspace",
        "body.slug",
        "constraint_changed",
    );
    assert_eq!(
        slug.kind,
        Kind::Breaking,
        "a changed pattern counts as stricter"
    );
}

// ----- the binary ------------------------------------------------------------------------

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openrouter-workspaces-codegen"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 output")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Writes `text` to `name` in a per-test temporary folder.
fn temp_spec(test: &str, name: &str, text: &str) -> PathBuf {
    common::spec_file(&format!("diff-{test}"), name, text)
}

/// A one-operation document whose response has the fields `fields` (YAML flow mappings).
fn small_spec(fields: &str) -> String {
    let schema = format!("{{type: object, required: [id], properties: {{{fields}}}}}");
    common::one_operation("", &schema, "")
}

#[test]
fn a_document_against_itself_has_no_differences() {
    let spec = common::project_spec();
    let out = bin(&[
        "diff",
        path_str(&spec),
        path_str(&spec),
        "--fail-on-breaking",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("No differences."));
    let out = bin(&["diff", path_str(&spec), path_str(&spec), "--json"]);
    let parsed: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    assert_eq!(parsed, serde_json::json!([]));
}

#[test]
fn breaking_changes_and_exit_codes() {
    let old = temp_spec("breaking", "old.yaml", &small_spec("id: {type: string}"));
    let new = temp_spec(
        "breaking",
        "new.json",
        &serde_json::to_string(
            &openrouter_workspaces_codegen::load::load_file(&temp_spec(
                "breaking",
                "new.yaml",
                &small_spec("id: {type: integer}, name: {type: string}"),
            ))
            .unwrap(),
        )
        .unwrap(),
    );
    let (old, new) = (path_str(&old), path_str(&new));

    let out = bin(&["diff", old, new]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "differences alone are a success"
    );
    let text = stdout(&out);
    assert!(text.contains("getThing (GET /things/{id})"), "{text}");
    assert!(
        text.contains("[breaking]   response.200.id: type changed: string -> integer"),
        "{text}"
    );
    assert!(
        text.contains("[compatible] response.200.name: field added: optional string"),
        "{text}"
    );
    assert!(
        text.contains("2 changes (1 breaking, 1 compatible)"),
        "{text}"
    );

    let out = bin(&["diff", old, new, "--fail-on-breaking"]);
    assert_eq!(out.status.code(), Some(1));
    let out = bin(&["diff", new, new, "--fail-on-breaking"]);
    assert_eq!(out.status.code(), Some(0));

    let out = bin(&["diff", "--json", old, new, "--tags", "Workspaces"]);
    assert_eq!(out.status.code(), Some(0));
    let parsed: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    let items = parsed.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0],
        serde_json::json!({"operation": "getThing", "method": "GET", "path": "/things/{id}",
            "location": "response.200.id", "change": "type_changed", "kind": "breaking",
            "detail": "string -> integer"})
    );
}

#[test]
fn a_document_it_cannot_use_exits_two_with_one_line_on_stderr() {
    let spec = common::project_spec();
    let spec = path_str(&spec);
    let broken = temp_spec("errors", "broken.yaml", "openapi: [unclosed\n");
    for args in [
        vec!["diff", "/nonexistent/old.yaml", spec],
        vec!["diff", spec, path_str(&broken)],
        vec!["diff", spec, spec, "--tags", "NoSuchTag"],
        vec!["generate", "/nonexistent/spec.yaml"],
    ] {
        let out = bin(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("openrouter-workspaces-codegen: error: "),
            "{err}"
        );
    }
}

#[test]
fn bad_arguments_exit_two_with_the_usage_on_stderr() {
    let spec = common::project_spec();
    let spec = path_str(&spec);
    for (args, what) in [
        (
            vec!["diff", spec],
            "required arguments were not provided:\n  <NEW>",
        ),
        (
            vec!["diff", spec, spec, "--colour"],
            "unexpected argument '--colour'",
        ),
        (
            vec!["diff", spec, spec, "--tags"],
            "a value is required for '--tags <A,B>'",
        ),
        (
            vec!["diff", spec, spec, "--tags", ","],
            "needs at least one tag name",
        ),
        (
            vec!["generate"],
            "required arguments were not provided:\n  <SPEC>",
        ),
        (vec!["launch"], "unrecognized subcommand 'launch'"),
    ] {
        let out = bin(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(what), "{args:?}: {err}");
    }
    // No command at all: the help, on stderr.
    let out = bin(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("Usage: openrouter-workspaces-codegen <COMMAND>"));
}

#[test]
fn every_subcommand_has_its_own_help() {
    for (args, usage) in [
        (
            vec!["--help"],
            "Usage: openrouter-workspaces-codegen <COMMAND>",
        ),
        (vec!["-h"], "Usage: openrouter-workspaces-codegen <COMMAND>"),
        (
            vec!["diff", "--help"],
            "Usage: openrouter-workspaces-codegen diff [OPTIONS] <OLD> <NEW>",
        ),
        (
            vec!["help", "generate"],
            "Usage: openrouter-workspaces-codegen generate [OPTIONS] <SPEC>",
        ),
    ] {
        let out = bin(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains(usage), "{args:?}: {}", stdout(&out));
    }
}

#[test]
fn generate_prints_the_rust_source() {
    let spec = common::project_spec();
    let out = bin(&["generate", path_str(&spec)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let source = stdout(&out);
    syn::parse_file(&source).expect("the output is Rust");
    // Exactly what the build generates from the same document.
    let built = openrouter_workspaces_codegen::generate_report(
        &openrouter_workspaces_codegen::Config::new(&spec),
    )
    .expect("the project document generates");
    assert_eq!(source, built.source);
    assert!(
        source.contains("pub fn set_budget("),
        "the curated method name"
    );
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn binary_on_the_upstream_documents() {
    let old = common::upstream_spec(OLD);
    let new = common::upstream_spec(NEW);
    let (old, new) = (path_str(&old), path_str(&new));
    let out = bin(&["diff", old, new, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parsed: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    let items = parsed.as_array().expect("an array");
    assert_eq!(items.len(), upstream_diff(OLD, NEW).len());
    for item in items {
        let keys: Vec<&String> = item.as_object().expect("objects").keys().collect();
        assert_eq!(
            keys,
            [
                "operation",
                "method",
                "path",
                "location",
                "change",
                "kind",
                "detail"
            ]
        );
    }
    let out = bin(&["diff", old, new, "--fail-on-breaking"]);
    assert_eq!(out.status.code(), Some(1), "the slug pattern is stricter");
    let text = stdout(&out);
    for id in ADDED {
        assert!(text.contains(&format!("{id} (")), "{id} missing");
    }
    assert!(
        text.ends_with("operations: 5 added, 0 removed, 7 changed\n"),
        "{text}"
    );
}
