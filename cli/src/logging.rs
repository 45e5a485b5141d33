//! `--verbose`: the library's debug lines (one per attempt: method, URL, status, timing)
//! on stderr.

use std::io::{self, Write};

use log::{LevelFilter, Log, Metadata, Record};

use crate::output::redact;

/// The library's log target; its modules log under `openrouter_workspaces::...`.
const LIBRARY: &str = "openrouter_workspaces";
/// The target of the library's stale-document warnings.
const DRIFT: &str = "openrouter_workspaces::drift";

/// Writes the library's debug records to stderr.
///
/// Records of other crates are dropped: the HTTP stack below the library may log request
/// headers, and one of them carries the key.
struct StderrLogger {
    /// The API key, scrubbed from every line as a second line of defence.
    key: Option<String>,
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let target = metadata.target();
        // The stale-document warnings reach stderr through the drift hook, once each.
        target != DRIFT
            && metadata.level() <= LevelFilter::Debug
            && (target == LIBRARY
                || target
                    .strip_prefix(LIBRARY)
                    .is_some_and(|rest| rest.starts_with("::")))
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = redact(&record.args().to_string(), self.key.as_deref());
            let _ = writeln!(io::stderr().lock(), "openrouter-workspaces: debug: {line}");
        }
    }

    fn flush(&self) {}
}

/// Installs the stderr logger when `verbose` is set; otherwise logging stays off.
pub fn init(verbose: bool, key: Option<&str>) {
    if !verbose {
        return;
    }
    let logger = StderrLogger {
        key: key.map(str::to_string),
    };
    // Fails only if a logger is already installed, and this is the only place that does.
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(LevelFilter::Debug);
    }
}
