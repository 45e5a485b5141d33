//! The README's first command, `cargo run --example quickstart`, works on a fresh machine:
//! no key, no network, every step printed; and it stays on the emulator when the
//! environment holds a key and a base URL.

use std::process::{Command, Output};

fn quickstart(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["run", "--quiet", "--example", "quickstart", "--"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("OPENROUTER_API_KEY")
        .env_remove("OPENROUTER_BASE_URL");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("cargo runs")
}

#[test]
fn quickstart_runs_every_step_against_the_emulator() {
    // A key and a base URL in the environment change nothing without --live: were they
    // used, the tour would fail on the closed port.
    for env in [
        &[][..],
        &[
            ("OPENROUTER_API_KEY", "sk-or-v1-not-used"),
            ("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1"),
        ],
    ] {
        let output = quickstart(&[], env);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{env:?}: exit {:?}\n{stdout}\n{stderr}",
            output.status
        );
        assert!(
            stdout.contains("not the real OpenRouter service"),
            "says it uses the emulator:\n{stdout}"
        );
        for step in 1..=13 {
            assert!(
                stdout.lines().any(|l| l.starts_with(&format!("{step}. "))),
                "step {step} missing:\n{stdout}"
            );
        }
        assert!(stdout.contains("is refused: HTTP 400"), "{stdout}");
        assert!(stdout.contains("Members page 2"), "{stdout}");
        assert!(stdout.trim_end().ends_with("Done."), "{stdout}");
    }
}

#[test]
fn only_live_uses_the_environment() {
    // --live reads OPENROUTER_BASE_URL and OPENROUTER_API_KEY: here an emulator of this
    // test, which sees the tour's reads.
    let emulator = openrouter_workspaces_emulator::Emulator::start().unwrap();
    let output = quickstart(
        &["--live"],
        &[
            ("OPENROUTER_API_KEY", emulator.management_key()),
            ("OPENROUTER_BASE_URL", emulator.base_url()),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("--live: using {}", emulator.base_url())),
        "{stdout}"
    );
    assert!(stdout.contains("Read-only tour"), "{stdout}");
    assert!(stdout.contains("- workspace default"), "{stdout}");
    assert!(emulator.request_count() >= 3, "list, budgets, members");
    assert_eq!(emulator.workspaces().len(), 1, "read only");

    let output = quickstart(&["--write"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: "));
}
