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
        .output()
        // CI runs in bash (.ci/run), so bash is a requirement of the test suite, not an
        // option: a machine without it fails here rather than passing silently.
        .expect("bash runs (the test suite needs bash, as .ci/run does)");
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

#[test]
fn man_dir_writes_a_page_for_every_subcommand_it_names() {
    let dir = std::env::temp_dir().join(format!("orw-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = offline(&["man", "--dir", dir.to_str().expect("a UTF-8 temp dir")]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(result.stderr.is_empty(), "{}", result.stderr);

    // It prints each file it wrote, and wrote nothing else.
    let mut printed: Vec<String> = result.stdout.lines().map(String::from).collect();
    printed.sort();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    assert_eq!(printed, files);
    let page = |name: &str| {
        std::fs::read_to_string(dir.join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("no page {name}.1: {e}"))
    };

    // The tool's page is the one `man` prints.
    assert_eq!(page("openrouter-workspaces"), offline(&["man"]).stdout);
    // One page per command, nested ones included, each with its own options.
    let set = page("openrouter-workspaces-budgets-set");
    assert!(
        set.contains("\n.TH openrouter-workspaces-budgets-set 1 "),
        "{set}"
    );
    assert!(set.contains("limit\\-usd"), "{set}");
    let apply = page("openrouter-workspaces-apply");
    assert!(apply.contains("\\-\\-jobs"), "{apply}");
    // Every page a page refers to (`openrouter\-workspaces\-list(1)`) exists.
    let mut references = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (at, _) in text.match_indices("(1)") {
            let start = text[..at]
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |i| i + 1);
            let name = text[start..at].replace("\\-", "-");
            if name.starts_with("openrouter-workspaces") {
                references += 1;
                assert!(
                    dir.join(format!("{name}.1")).is_file(),
                    "{file} refers to {name}(1), which was not written"
                );
            }
        }
    }
    assert!(
        references >= files.len() - 1,
        "each page but the tool's is referred to"
    );
    assert!(files.len() >= 20, "{files:?}");
    for file in &files {
        assert!(!std::fs::read_to_string(file).unwrap().contains(KEY));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
