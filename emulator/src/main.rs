//! `openrouter-workspaces-emulator`: runs the local emulator of the OpenRouter Workspaces
//! API (not the real service) until killed.
//!
//! ```text
//! openrouter-workspaces-emulator [--port N] [--management-key K] [--inference-key K] [--latency-ms N]
//!                                [--allow-default-workspace-deletion] [--drift]
//!                                [--tls [--tls-ca-file FILE] | --tls-cert FILE --tls-key FILE]
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use openrouter_workspaces_emulator::{Emulator, EmulatorConfig, TlsCertificate};

const USAGE: &str = "usage: openrouter-workspaces-emulator [--port N] [--management-key K] [--inference-key K] [--latency-ms N]
                                      [--allow-default-workspace-deletion] [--drift]
                                      [--tls [--tls-ca-file FILE] | --tls-cert FILE --tls-key FILE]

Serves a local, in-memory emulator of the OpenRouter Workspaces API (not the real
OpenRouter service) on 127.0.0.1 until killed. Control endpoints: POST /__emulator/faults,
DELETE /__emulator/faults, GET /__emulator/stats, POST /__emulator/reset-counters.

  --port N                 loopback port (0, the default, picks a free one)
  --management-key K       the key the API accepts
  --inference-key K        a valid key that is not a management key (403 everywhere)
  --latency-ms N           delay added to every API request
  --allow-default-workspace-deletion
                           enable the caller for deleting the default workspace: then
                           DELETE /workspaces/{id} on it needs
                           ?confirm_default_workspace_deletion=true (400 without it);
                           without this flag it is always 403
  --drift                  play a server newer than the document (the state and rules
                           are unchanged, only the JSON differs). Every answer object
                           gets \"server_info\": {\"api_revision\": \"2099-01-01\",
                           \"emulator_drift\": true}; list envelopes get
                           \"next_cursor\": null; error objects \"retryable\": false;
                           workspaces \"residency_region\": \"eu-west\" and
                           \"plan_settings\": {\"tier\": \"enterprise\", \"seats\": 25};
                           budgets \"spent_usd\": 0.0 and
                           \"alert_settings\": {\"threshold_percent\": 80}; members
                           \"invited_by\": null and
                           \"member_permissions\": {\"can_manage_keys\": false}. In a list
                           of two or more, every second item has an unknown enum value:
                           budget reset_interval \"quarterly\", member role \"owner\".
                           One-item answers and errors keep documented values.
  --tls                    serve HTTPS with a certificate for localhost and 127.0.0.1
                           made at start-up, issued by a CA made at start-up, whose
                           certificate is written to a file named on stdout (trust it
                           with the tool's --ca-cert FILE or SSL_CERT_FILE)
  --tls-ca-file FILE       with --tls: write the CA certificate there (default: a file
                           in the temporary directory)
  --tls-cert FILE          serve HTTPS with this certificate chain (PEM), with
  --tls-key FILE           this private key (PEM)";

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            // A closed stdout (`| head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start_with(config) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("error: cannot start the emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = writeln!(
        std::io::stdout(),
        "openrouter-workspaces emulator (not the real OpenRouter service) listening on {}, management key: {}",
        emulator.base_url(),
        emulator.management_key()
    );
    if let Some(file) = emulator.ca_certificate_file() {
        let _ = writeln!(
            std::io::stdout(),
            "CA certificate: {} (trust it with --ca-cert FILE or SSL_CERT_FILE)",
            file.display()
        );
    }
    let _ = std::io::stdout().flush();
    for note in openrouter_workspaces_emulator::document_notes() {
        eprintln!("note: {note}");
    }
    loop {
        std::thread::park();
    }
}

/// Parses the arguments; `Ok(None)` for `--help`.
fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<EmulatorConfig>, String> {
    let mut config = EmulatorConfig::new();
    let mut tls = false;
    let (mut ca_file, mut cert, mut key) = (None, None, None);
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        if flag == "--allow-default-workspace-deletion" || flag == "--drift" || flag == "--tls" {
            if inline.is_some() {
                return Err(format!("{flag} takes no value"));
            }
            config = match flag.as_str() {
                "--drift" => config.drift(true),
                "--tls" => {
                    tls = true;
                    config
                }
                _ => config.allow_default_workspace_deletion(true),
            };
            continue;
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        config = match flag.as_str() {
            "--port" => {
                let v = value()?;
                config.port(v.parse().map_err(|_| format!("invalid port: {v}"))?)
            }
            "--management-key" => config.management_key(value()?),
            "--inference-key" => config.inference_key(value()?),
            "--latency-ms" => {
                let v = value()?;
                let ms: u64 = v.parse().map_err(|_| format!("invalid latency: {v}"))?;
                config.latency(Duration::from_millis(ms))
            }
            "--tls-ca-file" => {
                ca_file = Some(PathBuf::from(value()?));
                config
            }
            "--tls-cert" => {
                cert = Some(PathBuf::from(value()?));
                config
            }
            "--tls-key" => {
                key = Some(PathBuf::from(value()?));
                config
            }
            other => return Err(format!("unknown argument: {other}")),
        };
    }
    let config = match (tls, cert, key) {
        (true, None, None) => {
            config
                .tls(TlsCertificate::Issued)
                .tls_ca_file(ca_file.unwrap_or_else(|| {
                    std::env::temp_dir().join(format!(
                        "openrouter-workspaces-emulator-{}-ca.pem",
                        std::process::id()
                    ))
                }))
        }
        (false, Some(cert), Some(key)) if ca_file.is_none() => {
            config.tls(TlsCertificate::Files { cert, key })
        }
        (false, None, None) if ca_file.is_none() => config,
        (false, None, None) => return Err("--tls-ca-file needs --tls".into()),
        (true, _, _) => {
            return Err(
                "--tls makes its own certificate: give it without --tls-cert and --tls-key".into(),
            );
        }
        (false, Some(_), None) => return Err("--tls-cert needs --tls-key".into()),
        (false, None, Some(_)) => return Err("--tls-key needs --tls-cert".into()),
        (false, Some(_), Some(_)) => return Err("--tls-ca-file goes with --tls only".into()),
    };
    Ok(Some(config))
}
