//! Retries a person can see: one short line on stderr for each attempt that failed and is
//! tried again, saying what failed, which attempt it was and how long until the next.
//! `--quiet` leaves them out; with `--verbose` the debug line of each attempt says it.

use std::io::{self, Write};
use std::time::Duration;

use openrouter_workspaces::{Attempt, AttemptKind, AttemptOutcome};

use crate::output::redact;

/// The attempt hook that prints a line for each retried attempt; `key` is scrubbed from
/// it, as from every line the tool writes.
pub fn notice(key: Option<String>) -> impl Fn(&Attempt<'_>) + Send + Sync + 'static {
    move |attempt| {
        if let Some(wait) = attempt.next_delay {
            let line = redact(&line(attempt, wait), key.as_deref());
            // Around a progress bar on screen, not through it.
            crate::progress::suspend(|| {
                let _ = writeln!(io::stderr().lock(), "openrouter-workspaces: {line}");
            });
        }
    }
}

/// `attempt 2 of getWorkspace failed (HTTP 503); retrying in 0.9 s`.
fn line(attempt: &Attempt<'_>, wait: Duration) -> String {
    let what = match attempt.kind {
        AttemptKind::Lookup => "lookup",
        _ => "attempt",
    };
    format!(
        "{what} {} of {} failed ({}); retrying in {:.1} s",
        attempt.number,
        attempt.operation,
        failed(&attempt.outcome),
        wait.as_secs_f64()
    )
}

/// What failed, short: a network failure's words without the advice after them (the
/// error at the end gives that).
fn failed(outcome: &AttemptOutcome) -> String {
    match outcome {
        AttemptOutcome::Status(status) => format!("HTTP {status}"),
        AttemptOutcome::Timeout => "no answer within the timeout".into(),
        AttemptOutcome::Transport(words) => words
            .split_once("; ")
            .map_or(words.as_str(), |(what, _)| what)
            .to_string(),
        _ => "failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_failed_which_attempt_and_the_wait() {
        let outcome = AttemptOutcome::Transport(
            "the connection to 127.0.0.1:9 was refused: nothing is listening there; check the host"
                .into(),
        );
        assert_eq!(
            failed(&outcome),
            "the connection to 127.0.0.1:9 was refused: nothing is listening there"
        );
        assert_eq!(failed(&AttemptOutcome::Status(503)), "HTTP 503");
    }
}
