//! `plan`, `apply` and `export` against the emulator: the file's errors, confirmation of
//! deletes, convergence after a kill, and the round trip of an export.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{against, cli};
use openrouter_workspaces_emulator::{Emulator, Fault, FaultKind};

const FILE: &str = "\
workspaces:
  staging:
    name: Staging
    description: Pre-production traffic
    budgets: {lifetime: 1000, monthly: 150, daily: 10}
    members: [user_bob, user_carol]
  production:
    name: Production
    budgets: {monthly: 500}
";

/// A scratch file holding `text`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// A file `name` holding `text`, in a directory of its own: tests run in parallel and
    /// several write a file of the same name.
    fn new(name: &str, text: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "orw-declarative-{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            name.replace('.', "-")
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

fn slugs(emulator: &Emulator) -> Vec<String> {
    let mut slugs: Vec<String> = emulator.workspaces().into_iter().map(|w| w.slug).collect();
    slugs.sort();
    slugs
}

#[test]
fn apply_then_plan_shows_nothing_and_json_has_no_changes() {
    let emulator = Emulator::start().unwrap();
    let file = Scratch::new("w.yaml", FILE);

    let planned = cli(&emulator, &["plan", file.path(), "--exit-code"]);
    assert_eq!(planned.code, 5, "{}", planned.stderr);
    planned.prints("+ create staging");
    planned.prints("\n6 changes: 2 to add, 4 to change, 0 to remove.\n");
    assert_eq!(emulator.workspaces().len(), 1, "plan sent no write");

    let applied = cli(&emulator, &["apply", file.path(), "--jobs", "2"]);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    applied.prints("\n6 changes made: 2 added, 4 changed, 0 removed; 0 workspaces failed.\n");
    assert!(
        applied.stderr.contains("workspaces 2/2"),
        "one line per workspace: {}",
        applied.stderr
    );
    assert_eq!(slugs(&emulator), ["default", "production", "staging"]);

    let again = cli(&emulator, &["plan", file.path(), "--json", "--exit-code"]);
    assert_eq!(again.json(), serde_json::json!({"changes": []}));
    let writes = emulator.request_count();
    let second = cli(&emulator, &["apply", file.path()]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stdout.starts_with("No changes"), "{}", second.stdout);
    let reads = emulator.request_count() - writes;
    assert_eq!(reads, 1 + 2 + 1, "a second apply only reads: {reads}");
}

#[test]
fn every_bad_file_exits_2_with_its_line_and_sends_nothing() {
    let emulator = Emulator::start().unwrap();
    let long_name = "n".repeat(101);
    let cases: Vec<(String, &str, &str)> = vec![
        ("workspaces:\n  a:\n\tname: A\n".into(), "yaml", ":3:"),
        (
            "workspaces:\n  a:\n    nmae: A\n".into(),
            "yaml",
            ":3:5: workspaces.a: unknown field `nmae`; did you mean `name`?",
        ),
        (
            "workspaces:\n  Bad_Slug:\n    name: A\n".into(),
            "yaml",
            ":2:",
        ),
        (
            format!("workspaces:\n  a:\n    name: {long_name}\n"),
            "yaml",
            "`name` must be at most 100 characters",
        ),
        (
            "workspaces:\n  a:\n    budgets: {daily: 0}\n".into(),
            "yaml",
            "budget `daily`",
        ),
        (
            "workspaces:\n  a:\n    budgets: {daily: 20, weekly: 10}\n".into(),
            "yaml",
            "budgets out of order",
        ),
        (
            "workspaces:\n  a: {name: A}\n  a: {name: B}\n".into(),
            "yaml",
            ":3:",
        ),
        (
            "workspaces:\n  default:\n    members: [user_bob]\n".into(),
            "yaml",
            "default workspace cannot be managed",
        ),
        (
            "{\"workspaces\": {\"a\": {\"name\": 5}}}".into(),
            "json",
            ":1:",
        ),
        (
            "workspaces:\n  a:\n    members: [user_bob\n".into(),
            "yaml",
            ":4:1: did not find expected ',' or ']' at the end of the file, while parsing a \
             flow sequence started at line 3 column 14",
        ),
        (
            "workspaces:\n  a:\n    name: \"A\n".into(),
            "yaml",
            "while scanning a quoted scalar started at line 3 column 11",
        ),
    ];
    for (text, extension, expected) in &cases {
        let file = Scratch::new(&format!("bad.{extension}"), text);
        let before = emulator.request_count();
        let run = cli(&emulator, &["plan", file.path()]);
        let stderr = run.failed(2);
        let place = stderr
            .split_once(&format!("{}:", file.path()))
            .map(|(_, rest)| rest.split(':').next().unwrap_or_default());
        assert!(
            place.is_some_and(|line| line.parse::<usize>().is_ok()),
            "names the file and the line: {stderr}"
        );
        assert!(
            stderr.contains(expected),
            "{text:?}: expected {expected:?} in {stderr}"
        );
        assert_eq!(
            emulator.request_count(),
            before,
            "{text:?}: nothing was sent"
        );
    }
}

#[test]
fn a_file_on_stdin_is_read_by_its_content() {
    let emulator = Emulator::start().unwrap();
    let mut command = against(&emulator, &["plan", "-", "--json"]);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"workspaces": {"solo": {"name": "Solo"}}}"#)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["changes"][0]["action"], "create");
    assert_eq!(plan["changes"][0]["workspace"], "solo");
}

#[test]
fn prune_is_refused_without_yes_and_done_with_it() {
    let emulator = Emulator::start().unwrap();
    let file = Scratch::new("w.yaml", FILE);
    assert_eq!(cli(&emulator, &["apply", file.path()]).code, 0);
    let only_staging = Scratch::new("s.yaml", FILE.split("  production:").next().unwrap());

    let before = emulator.request_count();
    let refused = cli(&emulator, &["apply", only_staging.path(), "--prune"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    let sent = emulator.request_count() - before;
    assert!(sent <= 4, "only the plan's reads: {sent}");
    assert_eq!(slugs(&emulator), ["default", "production", "staging"]);

    let done = cli(
        &emulator,
        &["apply", only_staging.path(), "--prune", "--yes"],
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    done.prints("- delete production");
    assert_eq!(
        slugs(&emulator),
        ["default", "staging"],
        "the default workspace stays"
    );
}

#[test]
fn export_then_plan_gives_no_changes() {
    let emulator = Emulator::start().unwrap();
    let file = Scratch::new("w.yaml", FILE);
    assert_eq!(cli(&emulator, &["apply", file.path()]).code, 0);
    let exported = Scratch::new("export.yaml", "");

    let run = cli(&emulator, &["export", "--output", exported.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let text = std::fs::read_to_string(exported.path()).unwrap();
    assert!(
        text.contains("staging:") && text.contains("user_carol"),
        "{text}"
    );
    let plan = cli(&emulator, &["plan", exported.path(), "--prune", "--json"]);
    assert_eq!(plan.json(), serde_json::json!({"changes": []}));
    let one = cli(&emulator, &["export", "--slug", "production"]);
    assert_eq!(one.code, 0);
    assert!(one.stdout.contains("production:") && !one.stdout.contains("staging:"));
    cli(&emulator, &["export", "--slug", "missing"]).failed(6);
}

#[test]
fn an_apply_killed_midway_converges_when_run_again() {
    let emulator = Emulator::start().unwrap();
    let mut text = String::from("workspaces:\n");
    for i in 0..12 {
        text.push_str(&format!(
            "  team-{i}:\n    name: Team {i}\n    budgets: {{monthly: 100, daily: 5}}\n    members: [user_bob]\n"
        ));
    }
    // The emulator holds team-5's first budget write until it stops, and never applies it:
    // the apply cannot finish, so the kill always lands midway, whatever the machine's load.
    let held = "/api/v1/workspaces/team-5/budgets/monthly";
    emulator.inject(
        Fault::new(FaultKind::Delay(Duration::from_secs(3600)))
            .method("PUT")
            .path(held),
    );
    let file = Scratch::new("many.yaml", &text);
    let mut command = against(&emulator, &["apply", file.path(), "--jobs", "2"]);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let waited = std::time::Instant::now();
    while emulator.requests_to("PUT", held) == 0 {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the apply never reached team-5's budgets"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        emulator.budgets("team-5").is_empty(),
        "killed midway: team-5 exists without its budgets"
    );

    let rerun = cli(&emulator, &["apply", file.path(), "--jobs", "4"]);
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);

    let slugs = slugs(&emulator);
    assert_eq!(slugs.len(), 13, "no duplicate, none missing: {slugs:?}");
    assert_eq!(emulator.budgets("team-5").len(), 2);
    let plan = cli(&emulator, &["plan", file.path(), "--json"]);
    assert_eq!(plan.json(), serde_json::json!({"changes": []}));
}
