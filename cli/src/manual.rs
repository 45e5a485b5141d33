//! What the tool says about itself outside `--help`: shell completion scripts and the man
//! page, both generated from the clap definition that parses the command line.

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

/// Prints the man page (section 1, roff).
pub fn man() -> Result<(), Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::Output(e.to_string()))?;
    write_stdout(&page)
}
