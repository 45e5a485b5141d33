//! Golden snapshots of the generated client, for review: a change to the generator shows up
//! as a diff of `tests/snapshots/*.rs.snap` in the same commit. (`.snap`, not `.rs`: they
//! are not part of any crate, and tools that read the tree's code, such as `duplicates`,
//! should not take generated code for written code.)
//!
//! After a deliberate change to the generator (or to `openapi/workspaces.yaml`, or to
//! `tests/fixtures/shapes.yaml`), refresh them and review the diff:
//!
//! ```sh
//! UPDATE_SNAPSHOTS=1 cargo test -p openrouter-workspaces-codegen --test snapshots
//! ```
//!
//! The snapshots are never used to build anything: the build always generates, and
//! generated code is never edited by hand.

use std::path::{Path, PathBuf};

use openrouter_workspaces_codegen::{Config, generate_report};

/// The command that rewrites the snapshots from what the generator produces now.
const REFRESH: &str =
    "UPDATE_SNAPSHOTS=1 cargo test -p openrouter-workspaces-codegen --test snapshots";

/// Lines of context shown before the first difference, and lines of each side after it.
const BEFORE: usize = 3;
const AFTER: usize = 5;

/// Generates from `spec` with `overlay` applied (both relative to this crate, so the
/// `// Source:` line is the same on every machine) for `tags`, and compares with (or, when
/// refreshing, writes) `snapshot`.
fn check(spec: &str, overlay: Option<&str>, tags: &[&str], snapshot: &str) {
    let mut config = Config::new(spec);
    config.overlays = overlay.into_iter().map(PathBuf::from).collect();
    config.tags = tags.iter().map(|t| t.to_string()).collect();
    let generated = generate_report(&config)
        .unwrap_or_else(|e| panic!("generation failed: {e}"))
        .source;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(snapshot);
    if refreshing() {
        std::fs::create_dir_all(path.parent().expect("a file in tests/snapshots"))
            .expect("create tests/snapshots");
        std::fs::write(&path, &generated).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "no snapshot at {} ({e}); create it with:\n    {REFRESH}",
            path.display()
        )
    });
    if let Some(report) = first_difference(&expected, &generated) {
        panic!(
            "the generated code differs from {}\n{report}\nIf the change is intended, refresh \
             the snapshot and review its diff:\n    {REFRESH}",
            snapshot_name(&path)
        );
    }
}

fn refreshing() -> bool {
    std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn snapshot_name(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Where `actual` first differs from `expected`: the line number, a few lines of common
/// context and a few lines of each side; `None` when they are equal.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let at = old
        .iter()
        .zip(&new)
        .position(|(o, n)| o != n)
        .unwrap_or(old.len().min(new.len()));
    let mut out = format!(
        "first difference at line {} (snapshot: {} lines, generated: {} lines):\n",
        at + 1,
        old.len(),
        new.len()
    );
    for (i, line) in old
        .iter()
        .enumerate()
        .take(at)
        .skip(at.saturating_sub(BEFORE))
    {
        out.push_str(&format!("  {:>5} | {line}\n", i + 1));
    }
    let side = |out: &mut String, marker: char, lines: &[&str]| {
        let shown = &lines[at.min(lines.len())..(at + AFTER).min(lines.len())];
        if shown.is_empty() {
            out.push_str(&format!("{marker}       | (end of file)\n"));
        }
        for (i, line) in shown.iter().enumerate() {
            out.push_str(&format!("{marker} {:>5} | {line}\n", at + i + 1));
        }
    };
    side(&mut out, '-', &old);
    side(&mut out, '+', &new);
    if old.len() == new.len() && expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("(only the final newline differs)\n");
    }
    Some(out)
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

#[test]
fn a_difference_is_shown_with_its_line_and_context() {
    let expected = "a\nb\nc\nd\ne\nf\n";
    let actual = "a\nb\nc\nd\nE\nf\n";
    let report = first_difference(expected, actual).expect("they differ");
    assert_eq!(
        report,
        "first difference at line 5 (snapshot: 6 lines, generated: 6 lines):\n\
         \x20     2 | b\n\
         \x20     3 | c\n\
         \x20     4 | d\n\
         -     5 | e\n\
         -     6 | f\n\
         +     5 | E\n\
         +     6 | f\n"
    );
    assert_eq!(first_difference(expected, expected), None);

    let longer = first_difference("a\n", "a\nb\n").expect("they differ");
    assert!(
        longer.contains("-       | (end of file)\n+     2 | b\n"),
        "{longer}"
    );
}
