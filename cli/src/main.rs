//! `openrouter-workspaces`: a command-line tool for the OpenRouter Workspaces management
//! API, for shell scripts. JSON answers on stdout, one-line errors on stderr, exit codes by
//! class of failure (see `output`).
//!
//! ```sh
//! cargo install --path cli
//! cargo run -p openrouter-workspaces-emulator -- --port 8080 &   # prints its key
//! export OPENROUTER_BASE_URL=http://127.0.0.1:8080/api/v1 OPENROUTER_API_KEY=...
//! openrouter-workspaces create --name Staging --slug staging | jq -r .data.id
//! openrouter-workspaces budgets set staging monthly --limit-usd 250
//! openrouter-workspaces list --all --output table
//! ```
//!
//! Its flags come from the OpenAPI document the library was generated from (`flags`); the
//! commands and a small table of curated names are written here.

mod args;
mod declarative;
mod drift;
mod flags;
mod logging;
mod manual;
mod output;
mod progress;
mod retries;
mod run;
mod table;

use std::process::ExitCode;

use clap::Parser;

/// Parses the command line (clap exits 2 on a usage error), runs it and reports.
fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let key = cli.global.api_key.clone();
    logging::init(cli.global.verbose, key.as_deref());
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            output::report(&failure, key.as_deref());
            ExitCode::from(failure.exit_code())
        }
    }
}
