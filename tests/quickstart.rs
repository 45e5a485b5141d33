//! The README's first command, `cargo run --example quickstart`, works on a fresh machine:
//! no key, no network, every step printed.

use std::process::Command;

#[test]
fn quickstart_runs_every_step_against_the_emulator() {
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "quickstart"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("OPENROUTER_API_KEY")
        .env_remove("OPENROUTER_BASE_URL")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\n{stdout}\n{stderr}",
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
