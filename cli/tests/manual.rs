//! `completions` and `man`: generated from the command-line definition, printed on stdout,
//! without a key and without calling the API.

mod common;

use std::process::Command;

use common::{Run, bare, run};

/// A key in the environment, which neither command may need or print.
const KEY: &str = "sk-or-v1-must-not-appear-in-manuals";

/// Runs the binary with `args`, a key in the environment and an unreachable base URL: a
/// request would fail with exit 4.
fn offline(args: &[&str]) -> Run {
    let mut command = bare();
    command
        .env("OPENROUTER_API_KEY", KEY)
        .env("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1")
        .args(args);
    run(command)
}

#[test]
fn completions_of_each_shell_name_the_commands() {
    let shells = [
        ("bash", "complete -F _openrouter"),
        ("zsh", "#compdef openrouter-workspaces"),
        ("fish", "complete -c openrouter-workspaces"),
    ];
    for (shell, marker) in shells {
        let result = offline(&["completions", shell]);
        assert_eq!(result.code, 0, "{shell}: {}", result.stderr);
        assert!(result.stderr.is_empty(), "{shell}: {}", result.stderr);
        let script = &result.stdout;
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        for word in ["budgets", "members", "compact"] {
            assert!(script.contains(word), "{shell}: no `{word}`");
        }
        assert!(!script.contains(KEY), "{shell}");
    }
}

#[test]
fn bash_loads_the_bash_completions() {
    let script = offline(&["completions", "bash"]).stdout;
    let loaded = Command::new("bash")
        .args([
            "--norc",
            "-c",
            "eval \"$1\" && complete -p openrouter-workspaces",
            "-",
        ])
        .arg(&script)
        .output();
    let Ok(loaded) = loaded else {
        eprintln!("no bash on this machine: skipped");
        return;
    };
    let stdout = String::from_utf8_lossy(&loaded.stdout);
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(stdout.contains("openrouter-workspaces"), "{stdout}");
}

#[test]
fn completions_of_an_unknown_shell_exit_2() {
    let stderr = offline(&["completions", "cmd.exe"]).failed(2).to_string();
    assert!(stderr.contains("bash"), "{stderr}");
}

#[test]
fn man_prints_a_roff_page_with_the_exit_codes() {
    let result = offline(&["man"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(result.stderr.is_empty(), "{}", result.stderr);
    let page = &result.stdout;
    assert!(page.starts_with(".ie \\n(.g"), "{page}");
    assert!(page.contains("\n.TH openrouter-workspaces 1 "), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", ".SH EXTRA"] {
        assert!(page.contains(section), "no {section}: {page}");
    }
    // The subcommands, the environment variables and the exit-code table are documented.
    assert!(page.contains("budgets"), "{page}");
    assert!(page.contains("OPENROUTER_API_KEY"), "{page}");
    assert!(page.contains("6  not found"), "{page}");
    assert!(!page.contains(KEY), "{page}");
}
