//! What the CLI's test files share: running the built binary with a clean environment,
//! against an emulator, and reading what it did.

#![allow(
    dead_code,
    reason = "each test file is its own crate and uses a part of this module"
)]

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use openrouter_workspaces::{
    API_KEY_ENV, APP_CATEGORIES_ENV, APP_TITLE_ENV, BASE_URL_ENV, Client, HTTP_REFERER_ENV,
    PROXY_ENV_VARS, RETRY_MAX_ELAPSED_ENV, SSL_CERT_DIR_ENV, SSL_CERT_FILE_ENV,
};
use openrouter_workspaces_emulator::Emulator;
use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_openrouter-workspaces");

/// Every variable the tool, its trust settings or its logging read, besides the proxy's
/// ([`PROXY_ENV_VARS`]): removed from each child with those, so the test machine's
/// environment cannot leak in.
pub const VARS: [&str; 12] = [
    API_KEY_ENV,
    RETRY_MAX_ELAPSED_ENV,
    BASE_URL_ENV,
    HTTP_REFERER_ENV,
    APP_TITLE_ENV,
    APP_CATEGORIES_ENV,
    SSL_CERT_FILE_ENV,
    SSL_CERT_DIR_ENV,
    "NO_PROXY",
    "no_proxy",
    "RUST_LOG",
    "RUST_BACKTRACE",
];

/// How every warning line starts.
pub const WARNING: &str = "openrouter-workspaces: warning:";

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as JSON, after checking the run exited 0; stderr may hold warnings.
    pub fn answer(&self) -> Value {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout).expect("stdout is JSON")
    }

    /// Stdout parsed as JSON, after checking the run exited 0 and said nothing on stderr.
    pub fn json(&self) -> Value {
        let answer = self.answer();
        assert!(self.stderr.is_empty(), "stderr: {}", self.stderr);
        answer
    }

    /// Checks a failure: this exit code and nothing on stdout; returns stderr.
    pub fn failed(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert!(self.stdout.is_empty(), "stdout: {}", self.stdout);
        self.stderr.trim_end()
    }

    /// Checks that stdout holds `text`, showing stdout when it does not.
    #[track_caller]
    pub fn prints(&self, text: &str) {
        assert!(self.stdout.contains(text), "{}", self.stdout);
    }

    /// The warning lines on stderr.
    pub fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with(WARNING))
            .collect()
    }
}

/// The binary with a clean environment.
pub fn bare() -> Command {
    let mut command = Command::new(BIN);
    for var in VARS.into_iter().chain(PROXY_ENV_VARS) {
        command.env_remove(var);
    }
    command.stdin(Stdio::null());
    command
}

/// Runs `command` to completion.
pub fn run(mut command: Command) -> Run {
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// The binary with a clean environment, pointed at `emulator` with its management key.
pub fn against(emulator: &Emulator, args: &[impl AsRef<OsStr>]) -> Command {
    let mut command = bare();
    command
        .args(["--api-key", emulator.management_key()])
        .args(["--base-url", emulator.base_url()])
        .args(args);
    command
}

/// The words of a command line as a shell splits them (`'Team EU'` is one word): the
/// arguments of a long command, written as a user types it.
pub fn shell(line: &str) -> Vec<String> {
    shlex::split(line).unwrap_or_else(|| panic!("an unclosed quote in {line}"))
}

/// Runs the binary against `emulator` with its management key.
pub fn cli(emulator: &Emulator, args: &[impl AsRef<OsStr>]) -> Run {
    run(against(emulator, args))
}

/// A library client of `emulator`, to set up state without going through the binary.
pub fn client(emulator: &Emulator) -> Client {
    emulator
        .client_builder()
        .build()
        .expect("a loopback client builds")
}

/// The text `field` of each item of the JSON array `items` (a page's `data`, `--all`'s
/// answer).
pub fn texts<'a>(items: &'a Value, field: &str) -> Vec<&'a str> {
    let items = items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"));
    let text = |item: &'a Value| {
        item[field]
            .as_str()
            .unwrap_or_else(|| panic!("no text `{field}` in {item}"))
    };
    items.iter().map(text).collect()
}

/// An emulator holding the workspace `slug` (named as its slug) besides the default one.
pub fn with_workspace(slug: &str) -> Emulator {
    let emulator = Emulator::start().expect("the emulator binds a loopback port");
    create(&emulator, slug);
    emulator
}

/// Creates a workspace directly in the emulator, named as its slug.
pub fn create(emulator: &Emulator, slug: &str) {
    client(emulator)
        .workspaces()
        .create()
        .name(slug)
        .slug(slug)
        .send()
        .expect("the emulator creates the workspace");
}
