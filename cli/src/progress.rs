//! Progress of long work on stderr: a bar on a terminal, and elsewhere nothing, or one
//! plain line per item done for work whose log a script may want to keep.

use std::io::{self, IsTerminal, Write};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar on screen, if any, so that [`suspend`] can print around it.
static SHOWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn shown() -> MutexGuard<'static, Option<ProgressBar>> {
    SHOWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `print` with the bar on screen (if any) hidden, so that a line written to stderr
/// (a warning, from any thread) does not land on the bar's line.
pub fn suspend<R>(print: impl FnOnce() -> R) -> R {
    let bar = shown().clone();
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}

/// The bar while the number of items is not known yet.
const COUNTING: &str = "{spinner} {prefix} {pos} {wide_msg}";
/// The bar once it is.
const BAR: &str = "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg}";

/// Progress of one piece of long work, shown on stderr.
///
/// When stderr is a terminal, a bar (a spinner while the total is unknown), cleared by
/// [`finish`](Progress::finish) or when dropped, so that it never stays between the lines
/// the tool prints. Otherwise nothing, or one plain line per item done when asked for
/// (`openrouter-workspaces: workspaces 2/5: staging`).
#[derive(Debug)]
pub struct Progress {
    /// How it is shown.
    mode: Mode,
    /// What is counted, a plural noun such as `workspaces`.
    what: String,
    /// Items done since [`start`](Progress::start).
    done: u64,
    /// The number of items, once known.
    total: Option<u64>,
}

/// How progress is shown.
#[derive(Debug)]
enum Mode {
    /// A bar redrawn in place.
    Bar(ProgressBar),
    /// One line per item done.
    Lines,
    /// Nothing.
    Quiet,
}

impl Progress {
    /// Progress on stderr: a bar when stderr is a terminal; otherwise one plain line per
    /// item done when `plain_lines` is set, and nothing when it is not.
    pub fn new(plain_lines: bool) -> Self {
        let mode = if io::stderr().is_terminal() {
            Mode::Bar(ProgressBar::hidden())
        } else if plain_lines {
            Mode::Lines
        } else {
            Mode::Quiet
        };
        Self::with_mode(mode)
    }

    /// Progress shown as `mode` says, before anything is started.
    fn with_mode(mode: Mode) -> Self {
        Self {
            mode,
            what: String::new(),
            done: 0,
            total: None,
        }
    }

    /// Starts counting `what` (a plural noun, such as `workspaces`), `total` of them when
    /// known. A progress can be started again for the next piece of work.
    pub fn start(&mut self, total: Option<u64>, what: &str) {
        self.what = what.to_string();
        self.done = 0;
        self.total = total;
        if let Mode::Bar(bar) = &mut self.mode {
            bar.finish_and_clear();
            *bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr())
                .with_style(style(total))
                .with_prefix(self.what.clone());
            // Keeps the spinner turning while a page is on its way.
            bar.enable_steady_tick(Duration::from_millis(120));
            *shown() = Some(bar.clone());
        }
    }

    /// Sets the number of items once it is known (a list states its total with its first
    /// page).
    pub fn total(&mut self, total: u64) {
        if self.total == Some(total) {
            return;
        }
        self.total = Some(total);
        if let Mode::Bar(bar) = &self.mode {
            bar.set_length(total);
            bar.set_style(style(Some(total)));
        }
    }

    /// Counts one more item done; `message` says which (`staging`, `staging: created`),
    /// or is empty.
    pub fn inc(&mut self, message: &str) {
        self.done += 1;
        match &self.mode {
            Mode::Bar(bar) => {
                bar.set_message(message.to_string());
                bar.inc(1);
            }
            Mode::Lines => {
                // Nothing better to do when stderr itself is gone.
                let _ = writeln!(io::stderr().lock(), "{}", self.line(message));
            }
            Mode::Quiet => {}
        }
    }

    /// Ends the work: the bar is cleared (plain lines stay where they are).
    pub fn finish(&mut self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
            shown().take();
        }
    }

    /// The plain line of the item just done.
    fn line(&self, message: &str) -> String {
        let count = match self.total {
            Some(total) => format!("{}/{total}", self.done),
            None => self.done.to_string(),
        };
        let line = format!("openrouter-workspaces: {} {count}", self.what);
        if message.is_empty() {
            line
        } else {
            format!("{line}: {message}")
        }
    }
}

impl Drop for Progress {
    /// Clears the bar when the work ends early (an error), before the error is printed.
    fn drop(&mut self) {
        self.finish();
    }
}

/// The bar's look, with or without a known total.
fn style(total: Option<u64>) -> ProgressStyle {
    let template = if total.is_some() { BAR } else { COUNTING };
    // The templates are constants, parsed by a unit test.
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_parse() {
        for template in [COUNTING, BAR] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn a_bar_counts_and_learns_its_total() {
        let _turn = ONE_BAR.lock().unwrap_or_else(|p| p.into_inner());
        let mut progress = Progress::with_mode(Mode::Bar(ProgressBar::hidden()));
        progress.start(None, "workspaces");
        progress.inc("alpha");
        progress.total(3);
        progress.inc("beta");
        let Mode::Bar(bar) = &progress.mode else {
            unreachable!("made with a bar")
        };
        // A clone shares the state of the bar it was cloned from.
        let bar = bar.clone();
        assert_eq!((bar.position(), bar.length()), (2, Some(3)));
        assert_eq!(bar.message(), "beta");
        progress.finish();
        assert!(bar.is_finished());
    }

    /// The bar on screen is one per process: the tests that start a bar take turns.
    static ONE_BAR: Mutex<()> = Mutex::new(());

    #[test]
    fn warnings_are_printed_around_the_bar_on_screen() {
        let _turn = ONE_BAR.lock().unwrap_or_else(|p| p.into_inner());
        let mut progress = Progress::with_mode(Mode::Bar(ProgressBar::hidden()));
        progress.start(Some(2), "workspaces");
        assert!(shown().is_some(), "the bar is known while it is on screen");
        assert_eq!(suspend(|| 7), 7, "the print runs, with the bar hidden");
        progress.finish();
        assert!(shown().is_none());
        assert_eq!(suspend(|| 8), 8, "and without a bar");
    }

    #[test]
    fn plain_lines_count_each_item() {
        let mut progress = Progress::with_mode(Mode::Lines);
        progress.start(Some(2), "workspaces");
        progress.inc("staging: created");
        assert_eq!(
            progress.line("staging: created"),
            "openrouter-workspaces: workspaces 1/2: staging: created"
        );
        progress.start(None, "members");
        progress.inc("");
        assert_eq!(progress.line(""), "openrouter-workspaces: members 1");
    }
}
