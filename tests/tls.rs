//! Trusting a private CA, end to end over TLS with the emulator: through the builder (PEM
//! bytes, a file, a directory) and through `SSL_CERT_FILE` and `SSL_CERT_DIR`; refused
//! without them; and root certificates that cannot be used stop the build, naming them.

#[path = "support/temp.rs"]
mod temp;

use openrouter_workspaces::{
    CertificateProblem, Client, ClientBuilder, ConfigError, Error, NetworkFailureKind, RetryPolicy,
};
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, TlsCertificate};
use temp::TempDir;

fn https_emulator() -> Emulator {
    Emulator::start_with(EmulatorConfig::new().tls(TlsCertificate::Issued))
        .expect("the emulator starts")
}

/// A builder for `emulator` that reads the environment from `vars` alone.
fn builder(emulator: &Emulator, vars: &[(&str, String)]) -> ClientBuilder {
    let vars = vars.to_vec();
    ClientBuilder::from_env_with(move |name| {
        vars.iter()
            .find(|(var, _)| *var == name)
            .map(|(_, value)| value.clone())
    })
    .api_key(emulator.management_key())
    .base_url(emulator.base_url())
    .retry_policy(RetryPolicy::none())
}

/// Lists the workspaces: the default one proves the whole exchange went through.
fn works(client: &Client) {
    let page = client
        .workspaces()
        .list()
        .send()
        .expect("the call succeeds");
    assert_eq!(page.data[0].slug, "default");
}

fn ca(emulator: &Emulator) -> String {
    emulator.ca_certificate_pem().expect("a CA").to_string()
}

/// Builds a client of an HTTPS emulator with `configure` (given the emulator and a
/// temporary directory) and checks that a call goes through.
fn works_when(configure: impl FnOnce(&Emulator, &TempDir) -> ClientBuilder) {
    let emulator = https_emulator();
    let dir = TempDir::new();
    works(&configure(&emulator, &dir).build().unwrap());
}

#[test]
fn trusted_through_pem_given_to_the_builder() {
    works_when(|emulator, _| builder(emulator, &[]).add_root_certificates(ca(emulator)));
}

#[test]
fn trusted_through_a_file_given_to_the_builder() {
    works_when(|emulator, dir| {
        let file = dir.file("ca.pem", &ca(emulator));
        builder(emulator, &[]).add_root_certificates_file(file)
    });
}

#[test]
fn trusted_through_ssl_cert_file() {
    // A bundle: other certificates before the one that matters, as system bundles are.
    let other = https_emulator();
    works_when(|emulator, dir| {
        let file = dir.file("bundle.pem", &format!("{}\n{}", ca(&other), ca(emulator)));
        builder(emulator, &[("SSL_CERT_FILE", file.display().to_string())])
    });
}

#[test]
fn trusted_through_ssl_cert_dir() {
    works_when(|emulator, dir| {
        dir.file("emulator-ca.pem", &ca(emulator));
        dir.file("README", "not a certificate");
        builder(emulator, &[("SSL_CERT_DIR", dir.0.display().to_string())])
    });
}

#[test]
fn retries_work_over_tls() {
    let emulator = https_emulator();
    emulator.inject(Fault::new(FaultKind::status(503)).method("GET").times(2));
    let client = builder(&emulator, &[])
        .add_root_certificates(ca(&emulator))
        .retry_policy(
            RetryPolicy::default()
                .initial_interval(std::time::Duration::from_millis(5))
                .max_attempts(3),
        )
        .build()
        .unwrap();
    works(&client);
    assert_eq!(emulator.request_count(), 3);
}

/// The error of a call by a client of an HTTPS emulator built with `configure`.
fn fails_when(configure: impl FnOnce(&Emulator) -> ClientBuilder) -> Error {
    let emulator = https_emulator();
    let client = configure(&emulator).build().unwrap();
    client.workspaces().list().send().unwrap_err()
}

#[test]
fn refused_without_the_ca() {
    match fails_when(|emulator| builder(emulator, &[])) {
        Error::Transport {
            maybe_sent: false,
            attempts: 1,
            failure,
            ..
        } => assert_eq!(
            failure.kind,
            NetworkFailureKind::Certificate(CertificateProblem::UnknownIssuer)
        ),
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }
}

#[test]
fn the_ca_of_another_server_does_not_help() {
    let other = https_emulator();
    let error = fails_when(|emulator| builder(emulator, &[]).add_root_certificates(ca(&other)));
    assert!(error.to_string().contains("not sent"), "{error}");
    assert!(!error.is_retryable());
}

/// The message of a build refused for its root certificates.
#[track_caller]
fn refused_roots(builder: ClientBuilder) -> String {
    match builder.build() {
        Err(Error::Config(problem @ ConfigError::RootCertificates { .. })) => problem.to_string(),
        other => panic!("expected unusable root certificates, got {other:?}"),
    }
}

#[test]
fn root_certificates_that_cannot_be_used_stop_the_build_naming_them() {
    let emulator = https_emulator();
    let dir = TempDir::new();
    let missing = dir.0.join("missing.pem");

    let text = refused_roots(builder(
        &emulator,
        &[("SSL_CERT_FILE", missing.display().to_string())],
    ));
    assert!(
        text.contains(&format!("SSL_CERT_FILE={}", missing.display()))
            && text.contains("cannot read"),
        "{text}"
    );

    let key_only = dir.file(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let text = refused_roots(builder(&emulator, &[]).add_root_certificates_file(&key_only));
    assert!(text.contains("holds no certificate"), "{text}");

    let empty = TempDir::new();
    let text = refused_roots(builder(
        &emulator,
        &[("SSL_CERT_DIR", empty.0.display().to_string())],
    ));
    assert!(
        text.contains("SSL_CERT_DIR=") && text.contains("no file with a usable certificate"),
        "{text}"
    );

    let broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let text = refused_roots(builder(&emulator, &[]).add_root_certificates(broken));
    assert!(
        text.contains("certificate 1 cannot be a trust root"),
        "{text}"
    );
}
