//! What the tool says about itself outside `--help`: shell completion scripts and the man
//! page, both generated from the clap definition that parses the command line.

use std::io;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;
use crate::output::{Failure, write_stdout};

/// Prints the completion script of `shell`.
pub fn completions(shell: Shell) -> Result<(), Failure> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    write_stdout(&script)
}

/// Prints the man page (section 1, roff); with `dir`, writes the page of the tool and of
/// every subcommand there instead, and prints their paths.
pub fn man(dir: Option<&Path>) -> Result<(), Failure> {
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(manual_command())
            .render(&mut page)
            .map_err(|e| Failure::Output(e.to_string()))?;
        return write_stdout(&page);
    };
    let failed = |e: std::io::Error| Failure::Output(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut written = Vec::new();
    write_pages(manual_command(), dir, &mut written).map_err(failed)?;
    let list: String = written
        .iter()
        .map(|path| format!("{}\n", path.display()))
        .collect();
    write_stdout(list.as_bytes())
}

/// The definition the pages describe: built, so that each subcommand has its full name
/// (`openrouter-workspaces-budgets-set`), and without the `help` subcommand, which has no
/// page (`--help` does its job).
fn manual_command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Writes the page of `command` and of each of its visible subcommands, as
/// `clap_mangen::generate_to` does, keeping the path of every file written.
fn write_pages(command: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> io::Result<()> {
    written.push(clap_mangen::Man::new(command.clone()).generate_to(dir)?);
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir, written)?;
    }
    Ok(())
}
