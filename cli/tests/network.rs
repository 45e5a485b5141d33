//! The command-line tool on the network, end to end: the rows of the README's table of
//! network failures as a script meets them (exit code, one error line naming the host and
//! the cause in words, "not sent"), retries shown one line each, `--ca-cert`,
//! `SSL_CERT_FILE` and `SSL_CERT_DIR` against the emulator over HTTPS, and proxies whose
//! credentials never appear in any output.

mod common;

#[path = "../../tests/support/temp.rs"]
mod temp;

#[path = "../../tests/support/proxy.rs"]
mod proxy;

use std::time::{Duration, Instant};

use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, TlsCertificate};
use proxy::{Answer, PASSWORD, Proxy, USER};
use temp::TempDir;

/// Exit code when no usable answer arrived.
const NO_ANSWER: i32 = 4;
/// Exit code of a configuration refused before anything was sent.
const USAGE: i32 = 2;
/// How a retry line starts.
const RETRY: &str = "openrouter-workspaces: attempt ";
/// A bound only a retry loop running on would pass (the default gives up after 60 s);
/// what is not retried ends far below it. Not a speed target.
const NOT_RETRIED: Duration = Duration::from_secs(10);

/// What one run of the tool did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    /// The error line, after checking the exit code, that stdout is empty and that the
    /// error is the last line.
    #[track_caller]
    fn failed(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "stderr: {}", self.stderr);
        assert!(self.stdout.is_empty(), "stdout: {}", self.stdout);
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("openrouter-workspaces: error: "),
            "{}",
            self.stderr
        );
        last
    }

    /// The retry lines on stderr.
    fn retries(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with(RETRY))
            .collect()
    }

    /// Everything the run wrote.
    fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs the tool with `args` and `env` (nothing else of the environment the tool reads).
fn run(args: &[&str], env: &[(&str, String)]) -> Run {
    let mut command = common::bare();
    command.envs(env.iter().map(|(k, v)| (k, v))).args(args);
    let started = Instant::now();
    let out = command.output().expect("the tool runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// The key and base URL of `emulator`, as the tool's environment.
fn env_for(emulator: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("OPENROUTER_API_KEY", emulator.management_key().to_string()),
        ("OPENROUTER_BASE_URL", emulator.base_url().to_string()),
    ]
}

/// An emulator, and the environment of the tool pointed at it through `proxy`, named with
/// its credentials by each of `vars`.
fn through(proxy: &Proxy, vars: &[&'static str]) -> (Emulator, Vec<(&'static str, String)>) {
    let emulator = Emulator::start().unwrap();
    let mut env = env_for(&emulator);
    env.extend(vars.iter().map(|var| (*var, proxy.url(true))));
    (emulator, env)
}

/// `host:port` of `emulator`.
fn host_of(emulator: &Emulator) -> String {
    emulator.addr().to_string()
}

/// An HTTPS emulator with `certificate`, and a directory holding its CA as `ca.pem`.
fn https(certificate: TlsCertificate) -> (Emulator, TempDir, String) {
    let dir = TempDir::new();
    let ca = dir.0.join("ca.pem");
    let emulator =
        Emulator::start_with(EmulatorConfig::new().tls(certificate).tls_ca_file(&ca)).unwrap();
    (emulator, dir, ca.display().to_string())
}

// Not sent, permanent: exit 4 at once, the host and the cause in words.

/// The one test that uses a real `.invalid` name: the tool must answer at once that it
/// does not exist. Names under `.invalid` never exist (RFC 6761), and the client says so
/// without asking the network; should a lookup still be needed and fail for want of a
/// resolver, the test says SKIPPED.
#[test]
fn unknown_host_fails_at_once_naming_it() {
    let env = [("OPENROUTER_API_KEY", "sk-or-v1-test".to_string())];
    let run = run(
        &["--base-url", "https://nonexistent.invalid/api/v1", "list"],
        &env,
    );
    if run.stderr.contains("failed for now") {
        eprintln!("SKIPPED: no resolver answered: {}", run.stderr);
        return;
    }
    let error = run.failed(NO_ANSWER);
    assert!(
        error.contains("the host `nonexistent.invalid` does not exist"),
        "{error}"
    );
    assert!(error.contains("check the host in the base URL"), "{error}");
    assert!(run.retries().is_empty(), "{}", run.stderr);
    assert!(run.took < NOT_RETRIED, "{:?}", run.took);
}

#[test]
fn untrusted_certificate_fails_at_once_in_words() {
    let (emulator, _dir, _) = https(TlsCertificate::Issued);

    let run = run(&["list"], &env_for(&emulator));

    let error = run.failed(NO_ANSWER);
    assert!(error.contains(&host_of(&emulator)), "{error}");
    assert!(error.contains("issued by an unknown authority"), "{error}");
    assert!(error.contains("--ca-cert FILE or SSL_CERT_FILE"), "{error}");
    assert!(!error.contains("ClientBuilder"), "{error}");
    assert!(run.retries().is_empty(), "{}", run.stderr);
    assert!(run.took < NOT_RETRIED, "{:?}", run.took);
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn create_over_an_untrusted_certificate_says_not_sent() {
    let (emulator, _dir, _) = https(TlsCertificate::SelfSigned);

    let run = run(
        &["create", "--name", "Staging", "--slug", "staging"],
        &env_for(&emulator),
    );

    let error = run.failed(NO_ANSWER);
    assert!(error.contains("not sent"), "{error}");
    assert!(error.contains("self-signed"), "{error}");
    assert!(!error.contains("outcome is unknown"), "{error}");
    assert!(run.retries().is_empty(), "{}", run.stderr);
    assert_eq!(emulator.workspaces().len(), 1, "nothing was created");
}

#[test]
fn certificate_for_another_name_is_refused_in_words() {
    let (emulator, _dir, ca) = https(TlsCertificate::IssuedFor(vec!["other.example".into()]));

    let run = run(&["--ca-cert", &ca, "list"], &env_for(&emulator));

    let error = run.failed(NO_ANSWER);
    assert!(
        error.contains("it is not valid for `127.0.0.1` (it is for other.example)"),
        "{error}"
    );
    assert!(run.retries().is_empty(), "{}", run.stderr);
}

#[test]
fn a_proxy_refusing_the_tunnel_fails_at_once_without_its_credentials() {
    let proxy = Proxy::start(Answer::Status(407), true);
    let (emulator, env) = through(&proxy, &["HTTPS_PROXY", "HTTP_PROXY"]);

    for verbose in [false, true] {
        let args: &[&str] = if verbose {
            &["--verbose", "get", "default"]
        } else {
            &["get", "default"]
        };
        let run = run(args, &env);
        let error = run.failed(NO_ANSWER);
        assert!(error.contains(&proxy.named()), "{error}");
        assert!(error.contains("HTTP 407"), "{error}");
        let all = run.all_output();
        assert!(!all.contains(PASSWORD) && !all.contains(USER), "{all}");
    }
    assert_eq!(emulator.request_count(), 0);
}

#[test]
fn invalid_proxy_url_is_refused_naming_the_variable_not_the_credentials() {
    let emulator = Emulator::start().unwrap();
    let mut env = env_for(&emulator);
    env.push(("HTTPS_PROXY", format!("http://{USER}:{PASSWORD}@[proxy")));

    let run = run(&["list"], &env);

    let error = run.failed(USAGE);
    assert!(error.contains("HTTPS_PROXY"), "{error}");
    let all = run.all_output();
    assert!(!all.contains(PASSWORD) && !all.contains(USER), "{all}");
}

// Not sent, transient: retried, one line each.

#[test]
fn refused_connection_is_retried_with_a_line_per_retry_within_the_bound() {
    let emulator = Emulator::start().unwrap();
    let env = env_for(&emulator);
    drop(emulator);

    let run = run(&["--retry-max-elapsed", "2", "list"], &env);

    let error = run.failed(NO_ANSWER);
    assert!(error.contains("was refused"), "{error}");
    let retries = run.retries();
    assert!(retries.len() >= 2, "{}", run.stderr);
    assert!(
        error.contains(&format!("after {} attempts", retries.len() + 1)),
        "one line per retried attempt: {}",
        run.stderr
    );
    for (n, line) in retries.iter().enumerate() {
        let start = format!(
            "{RETRY}{} of listWorkspaces failed (the connection to",
            n + 1
        );
        assert!(line.starts_with(&start), "{line}");
        assert!(line.contains("retrying in "), "{line}");
        assert!(line.ends_with(" s"), "{line}");
    }
    assert!(run.took < NOT_RETRIED, "the bound holds: {:?}", run.took);
}

#[test]
fn the_environment_shortens_the_retry_bound_and_a_bad_value_is_refused() {
    let emulator = Emulator::start().unwrap();
    let mut env = env_for(&emulator);
    drop(emulator);

    env.push(("OPENROUTER_RETRY_MAX_ELAPSED", "0".to_string()));
    let once = run(&["list"], &env);
    assert!(
        once.failed(NO_ANSWER).contains("after 1 attempt"),
        "{}",
        once.stderr
    );

    // The flag wins over the variable.
    let flag = run(&["--retry-max-elapsed", "1", "list"], &env);
    assert!(!flag.retries().is_empty(), "{}", flag.stderr);

    env.pop();
    env.push(("OPENROUTER_RETRY_MAX_ELAPSED", "soon".to_string()));
    let bad = run(&["list"], &env);
    let error = bad.failed(USAGE);
    assert!(
        error.contains("OPENROUTER_RETRY_MAX_ELAPSED must be a number of seconds"),
        "{error}"
    );
}

#[test]
fn quiet_silences_the_retry_lines() {
    let emulator = Emulator::start().unwrap();
    let env = env_for(&emulator);
    drop(emulator);

    let run = run(&["--quiet", "--retry-max-elapsed", "1", "list"], &env);

    run.failed(NO_ANSWER);
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "the error alone: {}",
        run.stderr
    );
}

#[test]
fn a_failing_proxy_is_retried_and_its_credentials_never_shown() {
    let proxy = Proxy::start(Answer::Status(502), false);
    let (_emulator, env) = through(&proxy, &["HTTP_PROXY"]);

    let run = run(&["--retry-max-elapsed", "1", "list"], &env);

    let error = run.failed(NO_ANSWER);
    assert!(error.contains("HTTP 502"), "{error}");
    assert!(!run.retries().is_empty(), "{}", run.stderr);
    assert!(run.retries()[0].contains(&proxy.named()), "{}", run.stderr);
    let all = run.all_output();
    assert!(!all.contains(PASSWORD) && !all.contains(USER), "{all}");
    assert!(proxy.connects().len() > 1);
}

// Trusted: --ca-cert, SSL_CERT_FILE, SSL_CERT_DIR.

#[test]
fn ca_cert_trusts_the_emulator() {
    let (emulator, _dir, ca) = https(TlsCertificate::Issued);

    let run = run(&["--ca-cert", &ca, "get", "default"], &env_for(&emulator));

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("\"slug\": \"default\""),
        "{}",
        run.stdout
    );
}

#[test]
fn ssl_cert_file_trusts_the_emulator() {
    let (emulator, _dir, ca) = https(TlsCertificate::Issued);
    let mut env = env_for(&emulator);
    env.push(("SSL_CERT_FILE", ca));

    let run = run(&["create", "--name", "Staging", "--slug", "staging"], &env);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(emulator.workspaces().len(), 2);
}

#[test]
fn ssl_cert_dir_trusts_the_emulator() {
    let (emulator, dir, _) = https(TlsCertificate::Issued);
    let mut env = env_for(&emulator);
    env.push(("SSL_CERT_DIR", dir.0.display().to_string()));

    let run = run(&["list"], &env);

    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_ca_cert_that_cannot_be_read_is_a_usage_error_naming_it() {
    let emulator = Emulator::start().unwrap();
    let dir = TempDir::new();
    let missing = dir.0.join("missing.pem").display().to_string();

    let run = run(&["--ca-cert", &missing, "list"], &env_for(&emulator));

    let error = run.failed(USAGE);
    assert!(
        error.contains(&missing) && error.contains("cannot read"),
        "{error}"
    );
}

#[test]
fn a_proxy_with_credentials_carries_the_calls_and_no_proxy_bypasses_it() {
    let (emulator, _dir, ca) = https(TlsCertificate::Issued);
    let proxy = Proxy::start(Answer::Tunnel, true);
    let mut env = env_for(&emulator);
    env.push(("HTTPS_PROXY", proxy.url(true)));

    let through = run(&["--ca-cert", &ca, "list"], &env);
    assert_eq!(through.code, 0, "{}", through.stderr);
    assert_eq!(proxy.connects().len(), 1);
    assert!(proxy.connects()[0].authorized);

    env.push(("NO_PROXY", "127.0.0.1".to_string()));
    let bypassed = run(&["--ca-cert", &ca, "list"], &env);
    assert_eq!(bypassed.code, 0, "{}", bypassed.stderr);
    assert_eq!(
        proxy.connects().len(),
        1,
        "NO_PROXY: straight to the server"
    );
}
