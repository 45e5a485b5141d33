//! What the tool prints: the JSON answer on stdout, one error line on stderr, and the exit
//! code of each class of failure.

use std::fmt;
use std::io::{self, Write};

use openrouter_workspaces::{Described, Error};
use serde::Serialize;

use crate::args::{Format, Output};
use crate::table;

/// Exit code of invalid input or configuration, caught before anything was sent (clap
/// uses the same code for its usage errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit code of an error status from the API, after any retries, other than 404.
pub const EXIT_API: u8 = 3;
/// Exit code when no usable answer arrived: transport failure, timeout, undecodable or
/// oversized response, or the answer could not be written out.
pub const EXIT_NO_ANSWER: u8 = 4;
/// Exit code of `drift` when the server sent something the document lacks.
pub const EXIT_STALE: u8 = 5;
/// Exit code of a 404 from the API: the workspace (or its budget) does not exist. Its own
/// code, so that a script can tell "create it" from "something went wrong".
pub const EXIT_NOT_FOUND: u8 = 6;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The library refused the call or the call failed.
    Call(Error),
    /// The answer could not be serialized or written to stdout (a closed pipe, say).
    Output(String),
    /// `drift` found what the document lacks (already reported on stdout).
    Stale(usize),
    /// Refused before anything was sent: an unusable desired-state file, a plan that
    /// cannot be reached, deletes without `--yes`. The message says why.
    Refused(String),
    /// `plan --exit-code` found changes (already printed).
    Pending,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Call(error)
    }
}

impl Failure {
    /// The exit code of this failure's class.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Call(Error::InvalidInput(_) | Error::Config(_)) => EXIT_USAGE,
            Failure::Call(error) if error.is_not_found() => EXIT_NOT_FOUND,
            Failure::Call(Error::Api(_)) => EXIT_API,
            // Transport, timeout, decode, too large, and variants added later: the call
            // may have happened, but no usable answer came back.
            Failure::Call(_) | Failure::Output(_) => EXIT_NO_ANSWER,
            Failure::Stale(_) | Failure::Pending => EXIT_STALE,
            Failure::Refused(_) => EXIT_USAGE,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Call(error) => {
                // The error, then its causes: each says only its own part.
                let mut text = error.to_string();
                let mut cause = std::error::Error::source(error);
                while let Some(inner) = cause {
                    text.push_str(&format!(": {inner}"));
                    cause = inner.source();
                }
                f.write_str(&in_cli_terms(&text))
            }
            Failure::Output(message) => write!(f, "cannot write the answer: {message}"),
            Failure::Refused(message) => f.write_str(message),
            Failure::Pending => f.write_str("the plan has changes"),
            Failure::Stale(found) => write!(
                f,
                "the server sent {found} thing(s) the OpenAPI document lacks: regenerate the client"
            ),
        }
    }
}

/// Prints answers on stdout: JSON, pretty or compact, or a table.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// One line instead of indented.
    pub compact: bool,
}

impl Printer {
    /// Writes an answer: its JSON `body` as the server sent it (see [`Printer::print_raw`]),
    /// or its `rows` as a table, as `format` says.
    pub fn answer<M: Described + Serialize>(
        &self,
        body: &[u8],
        rows: &[M],
        format: &Format<M>,
    ) -> Result<(), Failure> {
        match format.output {
            Output::Json => self.print_raw(body),
            Output::Table => table_of(rows, &format.columns),
        }
    }

    /// Writes the items gathered from several pages: one JSON array, or a table.
    pub fn items<M: Described + Serialize>(
        &self,
        items: &[M],
        format: &Format<M>,
    ) -> Result<(), Failure> {
        match format.output {
            Output::Json => self.print(&items),
            Output::Table => table_of(items, &format.columns),
        }
    }

    /// Writes `value` as JSON and a newline to stdout.
    pub fn print(&self, value: &impl Serialize) -> Result<(), Failure> {
        let text = if self.compact {
            serde_json::to_string(value)
        } else {
            serde_json::to_string_pretty(value)
        }
        .map_err(|e| Failure::Output(e.to_string()))?;
        write_line(&text)
    }

    /// Writes the JSON `body` of an answer as the server sent it (fields in their order,
    /// unknown ones included), re-indented or on one line, and a newline to stdout. The
    /// answer was decoded into its model already, so it is known to be well-formed.
    pub fn print_raw(&self, body: &[u8]) -> Result<(), Failure> {
        let mut text = Vec::with_capacity(body.len() * 2);
        let mut input = serde_json::Deserializer::from_slice(body);
        let written = if self.compact {
            serde_transcode::transcode(&mut input, &mut serde_json::Serializer::new(&mut text))
        } else {
            serde_transcode::transcode(&mut input, &mut serde_json::Serializer::pretty(&mut text))
        };
        written.map_err(|e| Failure::Output(e.to_string()))?;
        write_line(&String::from_utf8_lossy(&text))
    }
}

/// Writes `rows` as a table of the `columns` of their model (its default ones when none are
/// chosen).
fn table_of<M: Described + Serialize>(rows: &[M], columns: &[String]) -> Result<(), Failure> {
    let items = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Output(e.to_string()))?;
    let columns = table::columns(M::schema(), columns);
    write_stdout(table::render(&columns, &items).as_bytes())
}

/// Writes `text` and a newline to stdout.
fn write_line(text: &str) -> Result<(), Failure> {
    write_stdout(format!("{text}\n").as_bytes())
}

/// Writes `bytes` to stdout as they are.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::Output(e.to_string()))
}

/// Writes a warning line to stderr.
pub fn warn(text: &str) {
    // Around a progress bar on screen, not through it.
    crate::progress::suspend(|| {
        let _ = writeln!(
            io::stderr().lock(),
            "openrouter-workspaces: warning: {}",
            one_line(text)
        );
    });
}

/// Writes `failure` to stderr as one line, without the key.
pub fn report(failure: &Failure, key: Option<&str>) {
    let line = one_line(&redact(&failure.to_string(), key));
    // Nothing better to do when stderr itself is gone.
    let _ = writeln!(io::stderr().lock(), "openrouter-workspaces: error: {line}");
}

/// Replaces every occurrence of the key in `text`, in case a server echoes it back.
///
/// Keys too short to be real are left alone: replacing them would mangle ordinary text.
pub fn redact(text: &str, key: Option<&str>) -> String {
    match key.map(str::trim) {
        Some(key) if key.len() >= 8 => text.replace(key, "<redacted>"),
        _ => text.to_string(),
    }
}

/// Names the flags a user of this tool has where the library's errors name builder
/// methods; text without them is returned unchanged.
fn in_cli_terms(message: &str) -> String {
    message
        .replace("call ClientBuilder::api_key", "pass --api-key")
        .replace(
            "ClientBuilder::allow_insecure_http(true)",
            "--allow-insecure-http",
        )
        .replace(
            "ClientBuilder::add_root_certificates_file or SSL_CERT_FILE",
            "--ca-cert FILE or SSL_CERT_FILE",
        )
        // The tool takes its proxy from the environment only.
        .replace(", or ClientBuilder::proxy)", ")")
}

/// Folds line breaks into spaces, so that an error is exactly one line.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_the_key_and_ignores_short_ones() {
        let key = "sk-or-v1-secret-value";
        assert_eq!(
            redact("bad key sk-or-v1-secret-value!", Some(key)),
            "bad key <redacted>!"
        );
        assert_eq!(redact("a b a", Some("a")), "a b a");
        assert_eq!(redact("text", None), "text");
    }

    #[test]
    fn one_line_folds_line_breaks() {
        assert_eq!(one_line("first\r\nsecond\n\nthird"), "first second third");
    }

    #[test]
    fn exit_codes_follow_the_class() {
        let code = |e: Error| Failure::Call(e).exit_code();
        assert_eq!(
            code(Error::Config(
                openrouter_workspaces::ConfigError::MissingApiKey
            )),
            EXIT_USAGE
        );
        assert_eq!(Failure::Output("closed".into()).exit_code(), EXIT_NO_ANSWER);
    }
}
