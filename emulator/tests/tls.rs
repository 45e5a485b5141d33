//! The emulator over HTTPS: a certificate made at start-up and its CA written to a file,
//! a certificate pair loaded from PEM files, the binary's `--tls`, `--tls-cert` and
//! `--tls-key`, and faults that still act on the connection under TLS. The client is the
//! library's (its rustls), trusting the emulator's CA.

#[path = "../../tests/support/temp.rs"]
mod temp;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use openrouter_workspaces::{Client, ClientBuilder, Error, RetryPolicy};
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, TlsCertificate};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use temp::TempDir;

/// A client of `base_url` trusting the CA in `ca_file`.
fn client(base_url: &str, key: &str, ca_file: &Path) -> Client {
    ClientBuilder::from_env_with(|_| None)
        .api_key(key)
        .base_url(base_url)
        .add_root_certificates_file(ca_file)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A CA and a certificate for 127.0.0.1 it issued, written to `dir`: (ca, cert, key).
fn certificate_files(dir: &TempDir) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let paths = (
        dir.path("ca.pem"),
        dir.path("cert.pem"),
        dir.path("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

/// An emulator with a made certificate, its CA written in `dir`, and a client trusting it.
fn https_emulator(dir: &TempDir) -> (Emulator, PathBuf, Client) {
    let ca_file = dir.path("ca.pem");
    let emulator = Emulator::start_with(
        EmulatorConfig::new()
            .tls(TlsCertificate::Issued)
            .tls_ca_file(&ca_file),
    )
    .unwrap();
    let client = client(emulator.base_url(), emulator.management_key(), &ca_file);
    (emulator, ca_file, client)
}

#[test]
fn a_made_certificate_serves_https_and_its_ca_is_written() {
    let dir = TempDir::new();
    let (emulator, ca_file, client) = https_emulator(&dir);

    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    assert_eq!(emulator.ca_certificate_file(), Some(ca_file.as_path()));
    assert_eq!(
        std::fs::read_to_string(&ca_file).unwrap(),
        emulator.ca_certificate_pem().unwrap()
    );
    let created = client
        .workspaces()
        .create()
        .name("Staging")
        .slug("staging")
        .send()
        .unwrap();
    assert_eq!(created.data.slug, "staging");
    assert_eq!(emulator.request_count(), 1);
    assert_eq!(emulator.connection_count(), 1);
}

#[test]
fn a_certificate_pair_is_loaded_from_files() {
    let dir = TempDir::new();
    let (ca, cert, key) = certificate_files(&dir);
    let emulator =
        Emulator::start_with(EmulatorConfig::new().tls(TlsCertificate::Files { cert, key }))
            .unwrap();

    assert_eq!(
        emulator.ca_certificate_pem(),
        None,
        "the CA is the caller's"
    );
    let client = client(emulator.base_url(), emulator.management_key(), &ca);
    assert_eq!(client.workspaces().list().send().unwrap().data.len(), 1);
}

#[test]
fn unusable_certificate_files_stop_the_start_naming_the_file() {
    let dir = TempDir::new();
    let (_, cert, _) = certificate_files(&dir);
    let missing = dir.path("missing-key.pem");
    let error = Emulator::start_with(EmulatorConfig::new().tls(TlsCertificate::Files {
        cert: cert.clone(),
        key: missing.clone(),
    }))
    .unwrap_err();
    assert!(error.to_string().contains("missing-key.pem"), "{error}");

    // A certificate file given as the key.
    let error = Emulator::start_with(EmulatorConfig::new().tls(TlsCertificate::Files {
        cert: cert.clone(),
        key: cert,
    }))
    .unwrap_err();
    assert!(error.to_string().contains("cert.pem"), "{error}");
}

#[test]
fn faults_act_on_the_connection_under_tls() {
    let dir = TempDir::new();
    let (emulator, _, client) = https_emulator(&dir);

    for kind in [FaultKind::TruncatedBody, FaultKind::ResetAfterRead] {
        emulator.inject(Fault::new(kind.clone()).method("GET"));
        match client.workspaces().list().send() {
            Err(Error::Transport {
                maybe_sent: true, ..
            }) => {}
            other => panic!("{kind:?}: expected a transport error, maybe sent, got {other:?}"),
        }
    }
    emulator.inject(Fault::new(FaultKind::status(503)).method("GET"));
    let error = client.workspaces().list().send().unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(client.workspaces().list().send().unwrap().data.len(), 1);
}

/// The emulator binary with these arguments (besides a free port); its stdout lines once
/// it listens.
struct Binary {
    child: std::process::Child,
    lines: Vec<String>,
}

impl Binary {
    fn spawn(args: &[&str], lines: usize) -> Binary {
        let mut child = Command::new(env!("CARGO_BIN_EXE_openrouter-workspaces-emulator"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let lines = (0..lines)
            .map(|_| {
                let mut line = String::new();
                out.read_line(&mut line).unwrap();
                line.trim_end().to_string()
            })
            .collect();
        Binary { child, lines }
    }

    /// The base URL its first line gives.
    fn base_url(&self) -> &str {
        self.lines[0]
            .split_whitespace()
            .find(|w| w.starts_with("https://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no https URL: {:?}", self.lines))
            .trim_end_matches(',')
    }

    /// A client of the binary with its default key, trusting the CA in `ca_file`.
    fn client(&self, ca_file: &Path) -> Client {
        let key = openrouter_workspaces_emulator::DEFAULT_MANAGEMENT_KEY;
        client(self.base_url(), key, ca_file)
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_binary_serves_https_and_names_its_ca_file() {
    let dir = TempDir::new();
    let ca_file = dir.path("emulator-ca.pem");
    let ca_arg = ca_file.display().to_string();
    let binary = Binary::spawn(&["--tls", "--tls-ca-file", &ca_arg], 2);

    assert!(
        binary.lines[1].starts_with(&format!("CA certificate: {ca_arg} ")),
        "{:?}",
        binary.lines
    );
    let client = binary.client(&ca_file);
    assert_eq!(client.workspaces().list().send().unwrap().data.len(), 1);
}

#[test]
fn the_binary_loads_a_certificate_pair() {
    let dir = TempDir::new();
    let (ca, cert, key) = certificate_files(&dir);
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let binary = Binary::spawn(&["--tls-cert", &cert, "--tls-key", &key], 1);

    let client = binary.client(&ca);
    assert_eq!(client.workspaces().list().send().unwrap().data.len(), 1);
}

#[test]
fn the_binary_refuses_tls_flags_that_do_not_go_together() {
    for (args, words) in [
        (&["--tls-cert", "c.pem"][..], "--tls-cert needs --tls-key"),
        (&["--tls-key", "k.pem"][..], "--tls-key needs --tls-cert"),
        (
            &["--tls", "--tls-cert", "c.pem", "--tls-key", "k.pem"][..],
            "--tls makes its own",
        ),
        (
            &["--tls-ca-file", "ca.pem"][..],
            "--tls-ca-file needs --tls",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_openrouter-workspaces-emulator"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
}
