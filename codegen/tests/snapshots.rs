//! Golden snapshots of the generated client, for review: a change to the generator shows up
//! as a diff of `tests/snapshots/*.rs.snap` in the same commit. (`.snap`, not `.rs`: they
//! are not part of any crate, and tools that read the tree's code, such as `duplicates`,
//! should not take generated code for written code.)
//!
//! Checked with `expectorate`, as progenitor checks its own output. After a deliberate
//! change to the generator (or to `openapi/workspaces.yaml`, or to
//! `tests/fixtures/shapes.yaml`), refresh them and review the diff:
//!
//! ```sh
//! EXPECTORATE=overwrite cargo test -p openrouter-workspaces-codegen --test snapshots
//! ```
//!
//! CI never refreshes them: `.ci/run` unsets `EXPECTORATE` and fails if a test run changed
//! a snapshot. The snapshots are never used to build anything: the build always
//! generates, and generated code is never edited by hand.

use std::path::{Path, PathBuf};

use openrouter_workspaces_codegen::{Config, generate_report};

/// Generates from `spec` with `overlay` applied (both relative to this crate, so the
/// `// Source:` line is the same on every machine) for `tags`, and compares with
/// `tests/snapshots/<snapshot>`.
fn check(spec: &str, overlay: Option<&str>, tags: &[&str], snapshot: &str) {
    let mut config = Config::new(spec);
    config.overlays = overlay.into_iter().map(PathBuf::from).collect();
    config.tags = tags.iter().map(|t| t.to_string()).collect();
    let generated = generate_report(&config)
        .unwrap_or_else(|e| panic!("generation failed: {e}"))
        .source;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(snapshot);
    expectorate::assert_contents(path, &generated);
}

#[test]
fn project_document_matches_its_snapshot() {
    check(
        "../openapi/workspaces.yaml",
        Some("../openapi/write-safety.overlay.yaml"),
        &["Workspaces"],
        "workspaces.rs.snap",
    );
}

#[test]
fn shapes_fixture_matches_its_snapshot() {
    check(
        "tests/fixtures/shapes.yaml",
        None,
        &["Things"],
        "shapes.rs.snap",
    );
}
