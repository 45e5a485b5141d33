//! The command line: global options, subcommands and their arguments (clap types only).
//! The flags of each request come from the document ([`Fields`]); the commands, their
//! positional arguments and the tool's own options are written here.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::ArgPredicate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use openrouter_workspaces::types::{Workspace, WorkspaceBudget, WorkspaceMember};
use openrouter_workspaces::workspaces as op;
use openrouter_workspaces::{
    API_KEY_ENV, APP_CATEGORIES_ENV, APP_TITLE_ENV, BASE_URL_ENV, Described, HTTP_REFERER_ENV,
    RequestBuilder, SSL_CERT_DIR_ENV, SSL_CERT_FILE_ENV,
};

use crate::flags::{Fields, path_parser};
use crate::table;

/// Manage OpenRouter workspaces, their budgets and members from shell scripts.
#[derive(Debug, Parser)]
#[command(
    name = "openrouter-workspaces",
    version,
    about = "Manage OpenRouter workspaces, their budgets and members from shell scripts.",
    long_about = "Manage OpenRouter workspaces, their budgets and members from shell scripts.\n\n\
        Prints the API's response as JSON on stdout (pretty, or one line with --compact) and \
        exits 0; `list`, `get`, `budgets list` and `members list` print a table for people \
        with --output table. On failure it prints one line on stderr (a usage error: the \
        usage too) and exits with the class of the failure; `apply` prints its plan, and its \
        report, on stdout first. Needs a management key, best given through \
        OPENROUTER_API_KEY (a --api-key on the command line is visible to other users of the \
        machine).",
    after_help = "Exit codes:\n  \
        0  success\n  \
        2  usage error or invalid input, caught before anything was sent\n  \
        3  the API answered with an error status other than 404 (after retries)\n  \
        4  no usable answer: connection failed, timeout, undecodable or oversized response\n     \
           (a change may still have been made: check before repeating it)\n  \
        5  `drift`: the server sent what the document lacks (regenerate);\n     \
           `plan --exit-code`: there are changes\n  \
        6  not found (HTTP 404): no such workspace, or no budget for that interval\n\n\
        Example:\n  \
        export OPENROUTER_API_KEY=sk-or-v1-...\n  \
        openrouter-workspaces list --all | jq -r '.[].slug'"
)]
pub struct Cli {
    /// Options that apply to every command.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Connection, attribution, retry and output options, accepted before or after the command.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Management API key (sent as a bearer token; never printed).
    #[arg(long, global = true, env = API_KEY_ENV, hide_env_values = true, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Base URL of the API [default: https://openrouter.ai/api/v1].
    #[allow(
        rustdoc::bare_urls,
        reason = "the doc comment is the --help text, shown as typed"
    )]
    #[arg(long, global = true, env = BASE_URL_ENV, hide_env_values = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Allow a plain http:// base URL on a host other than loopback (sends the key unencrypted).
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,

    /// `HTTP-Referer` header: your app's URL, for attribution.
    #[arg(long, global = true, env = HTTP_REFERER_ENV, hide_env_values = true, value_name = "URL")]
    pub http_referer: Option<String>,

    /// `X-OpenRouter-Title` header: your app's display name.
    #[arg(long, global = true, env = APP_TITLE_ENV, hide_env_values = true, value_name = "TITLE")]
    pub app_title: Option<String>,

    /// `X-OpenRouter-Categories` header: comma-separated categories such as `cli-agent`.
    #[arg(long, global = true, env = APP_CATEGORIES_ENV, hide_env_values = true, value_name = "LIST")]
    pub app_categories: Option<String>,

    /// Timeout of each attempt, from sending to the end of the response [default: 30].
    #[arg(long, global = true, value_name = "SECONDS", value_parser = positive_seconds)]
    pub timeout: Option<Duration>,

    /// Send each request once: no retries of 5xx, 429 or connection failures.
    #[arg(long, global = true, conflicts_with = "retry_max_elapsed")]
    pub no_retries: bool,

    /// Stop retrying once this much time has passed since the first attempt [default: 60, or OPENROUTER_RETRY_MAX_ELAPSED].
    #[arg(long, global = true, value_name = "SECONDS", value_parser = seconds)]
    pub retry_max_elapsed: Option<Duration>,

    /// Trust the CA certificates in FILE (PEM) besides the built-in roots: a private CA, or a TLS-inspecting proxy's.
    #[arg(long, global = true, env = SSL_CERT_FILE_ENV, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// Trust the CA certificates in DIR (OpenSSL's hashed names, or *.pem and *.crt; `:` separates several) besides the built-in roots.
    #[arg(long, global = true, env = SSL_CERT_DIR_ENV, value_name = "DIR")]
    pub ca_dir: Option<std::ffi::OsString>,

    /// Print the JSON on one line instead of indented.
    #[arg(long, global = true)]
    pub compact: bool,

    /// Log each attempt (method, URL, status, timing) to stderr; the key is never logged.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,

    /// Print no line on stderr when an attempt fails and is retried (errors still are).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

impl Command {
    /// Refuses output options that cannot be used, for the commands whose answer can be a
    /// table: checked before anything else (a missing key included).
    pub fn check_output(&self) -> Result<(), String> {
        match self {
            Command::List(args) => args.printed.format.check(),
            Command::Get(args) => args.printed.format.check(),
            Command::Budgets(Budgets::List(args)) => args.printed.format.check(),
            Command::Members(Members::List(args)) => args.listing.printed.format.check(),
            _ => Ok(()),
        }
    }
}

/// The commands: one per kind of thing to do with workspaces.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List workspaces, one page (`{"data": [...], "total_count": N}`) or all of them.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces list --limit 20\n  \
        openrouter-workspaces list --all --output table\n  \
        openrouter-workspaces list --all | jq -r '.[] | \"\\(.slug)\\t\\(.name)\"'")]
    List(Listing<Workspace, op::List<'static>>),

    /// Create a workspace.
    #[command(after_help = "Example:\n  \
        openrouter-workspaces create --name Staging --slug staging \\\n      \
        --description 'Pre-production traffic' --default-text-model openai/gpt-4o-mini \\\n      \
        | jq -r .data.id")]
    Create(Create),

    /// Show one workspace.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces get staging | jq .data.description\n  \
        openrouter-workspaces get staging -o table")]
    Get(Shown<Workspace, op::Get<'static>>),

    /// Delete a workspace, with its budgets and guardrails (not while it holds active API keys).
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces delete staging\n  \
        openrouter-workspaces delete default --confirm-default-workspace-deletion")]
    Delete(Target<op::Delete<'static>>),

    /// Change fields of a workspace; fields not given are kept, `--clear-*` sets one to null.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces update staging --name 'Staging (EU)' --observability-broadcast false\n  \
        openrouter-workspaces update staging --clear-description --clear-default-text-model")]
    Update(Target<op::Update<'static>>),

    /// Spending budgets of a workspace, one per interval.
    #[command(
        subcommand,
        after_help = "Example:\n  \
        openrouter-workspaces budgets set staging monthly --limit-usd 250"
    )]
    Budgets(Budgets),

    /// Members of a workspace.
    #[command(
        subcommand,
        after_help = "Example:\n  \
        openrouter-workspaces members add staging user_bob user_carol"
    )]
    Members(Members),

    /// Check whether the server is newer than the document this tool was built from.
    ///
    /// Calls every read operation once (list, and get, budgets and members of the first
    /// workspace) and prints what the answers carried that the document lacks, one line
    /// each. Exits 0 when nothing is new and 5 when the document is stale: regenerate.
    #[command(after_help = "Example (a nightly job):\n  \
        openrouter-workspaces drift || open-ticket 'regenerate the OpenRouter client'")]
    Drift,

    /// Show the changes that make the workspaces match a desired-state file (reads only).
    ///
    /// FILE (YAML or JSON, by extension then content; `-` for stdin) lists workspaces by
    /// slug with any writable field, their `budgets` and their exact `members`; what it
    /// leaves out is left alone. A file that cannot be used exits 2, naming the line.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces plan workspaces.yaml\n  \
        openrouter-workspaces plan workspaces.yaml --prune --json | jq '.changes | length'\n  \
        openrouter-workspaces plan workspaces.yaml --exit-code || echo 'changes pending'")]
    Plan(PlanArgs),

    /// Plan, print the plan, then make its changes and report what was done.
    ///
    /// Deletions (workspaces with --prune, budgets set to null) need --yes; without it the
    /// command exits 2 and sends nothing. Safe to run again: every
    /// write is exactly-once, and an interrupted apply converges when repeated.
    #[command(after_help = "Example:\n  \
        openrouter-workspaces apply workspaces.yaml --yes --jobs 8")]
    Apply(ApplyArgs),

    /// Write the current workspaces as a desired-state file (YAML).
    ///
    /// Applying the export of a state gives no changes.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces export > workspaces.yaml\n  \
        openrouter-workspaces export --slug staging --slug production --output two.yaml")]
    Export(ExportArgs),

    /// Print the completion script of a shell on stdout (needs no key).
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces completions bash > ~/.local/share/bash-completion/completions/openrouter-workspaces\n  \
        openrouter-workspaces completions zsh > ~/.zfunc/_openrouter-workspaces\n  \
        openrouter-workspaces completions fish > ~/.config/fish/completions/openrouter-workspaces.fish")]
    Completions(Completions),

    /// Print the manual page, in roff, on stdout; with --dir, write every page (needs no key).
    ///
    /// The page of the tool lists its subcommands, each of which has its own page
    /// (`openrouter-workspaces-list(1)`, `openrouter-workspaces-budgets-set(1)`, ...):
    /// `--dir` writes them all, and prints the path of each file written.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces man > ~/.local/share/man/man1/openrouter-workspaces.1\n  \
        openrouter-workspaces man --dir ~/.local/share/man/man1")]
    Man(ManArgs),
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write the page of the tool and of every subcommand into this directory (created if
    /// missing), as `openrouter-workspaces.1`, `openrouter-workspaces-list.1`, ...
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// What `plan` and `apply` read.
#[derive(Debug, Args)]
pub struct Desired {
    /// The desired-state file (YAML or JSON), or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,

    /// Also delete the workspaces the file does not list (never the default workspace).
    #[arg(long)]
    pub prune: bool,

    /// How many workspaces to work on at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,

    /// Print JSON (`{"changes": [...]}`) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The file and how to read it.
    #[command(flatten)]
    pub desired: Desired,

    /// Exit 5 when there are changes (0 when there are none).
    #[arg(long)]
    pub exit_code: bool,
}

/// Arguments of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The file and how to read it.
    #[command(flatten)]
    pub desired: Desired,

    /// Allow deletions of workspaces and budgets.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Export only this workspace (repeatable); every workspace when none is given.
    #[arg(long = "slug", value_name = "SLUG")]
    pub slugs: Vec<String>,

    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// How many workspaces to read at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct Completions {
    /// The shell to complete in.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// Paging of a list command (the offset and the page size are flags of the operation).
#[derive(Debug, Args)]
pub struct Page {
    /// Fetch every page and print one JSON array of all the items.
    #[arg(long)]
    pub all: bool,
}

/// What a command whose answer can be a table of `M`s takes besides its path: how to print
/// the answer, and the query parameters of its operation `B`.
#[derive(Debug, Args)]
pub struct Printed<M: Described + 'static, B: RequestBuilder + 'static> {
    /// JSON or a table.
    #[command(flatten)]
    pub format: Format<M>,

    /// The operation's query parameters.
    #[command(flatten)]
    pub fields: Fields<B>,
}

/// A list command's own arguments: its paging, then its output and query parameters.
#[derive(Debug, Args)]
pub struct Listing<M: Described + 'static, B: RequestBuilder + 'static> {
    /// Paging.
    #[command(flatten)]
    pub page: Page,

    /// Output and query parameters.
    #[command(flatten)]
    pub printed: Printed<M, B>,
}

/// A workspace to show something of (`get`, `budgets list`), shown as `M`s.
#[derive(Debug, Args)]
pub struct Shown<M: Described + 'static, B: RequestBuilder + 'static> {
    /// UUID or slug of the workspace.
    #[arg(value_name = "ID", value_parser = path_parser::<B>("id"))]
    pub id: String,

    /// Output and query parameters.
    #[command(flatten)]
    pub printed: Printed<M, B>,
}

/// The `--output` and `--columns` choices of the commands that can show a table of `M`s.
#[derive(Debug, Args)]
pub struct Format<M: Described + 'static> {
    /// How to print the answer (a table when only --columns is given).
    #[arg(
        long,
        short = 'o',
        value_enum,
        default_value_t = Output::Json,
        default_value_if("columns", ArgPredicate::IsPresent, "table"),
        value_name = "FORMAT"
    )]
    pub output: Output,

    /// The table's columns, comma-separated, in order: any field of the answer.
    #[arg(
        long,
        value_name = "FIELDS",
        value_delimiter = ',',
        value_parser = table::column_parser(M::schema()),
        help = table::columns_help(M::schema())
    )]
    pub columns: Vec<String>,

    /// The model whose fields are the columns.
    #[arg(skip)]
    pub model: PhantomData<fn() -> M>,
}

impl<M: Described> Format<M> {
    /// Refuses options that cannot be used together: columns are a table's, so they refuse
    /// an explicit `--output json`.
    fn check(&self) -> Result<(), String> {
        if self.output == Output::Json && !self.columns.is_empty() {
            return Err(
                "--columns chooses the columns of a table: it cannot be used with --output json"
                    .into(),
            );
        }
        Ok(())
    }
}

/// How an answer is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// The API's answer as the server sent it, for scripts.
    Json,
    /// Aligned columns for people: fields of the document, dates in UTC, amounts in dollars.
    Table,
}

/// The workspace a command acts on, and the flags of its operation (`delete`, and `members
/// add` and `remove`, whose user IDs follow the workspace).
#[derive(Debug, Args)]
pub struct Target<B: RequestBuilder + 'static> {
    /// UUID or slug of the workspace.
    #[arg(value_name = "ID", value_parser = path_parser::<B>("id"))]
    pub id: String,

    /// The operation's parameters and body fields.
    #[command(flatten)]
    pub fields: Fields<B>,
}

/// Arguments of `create`: every field of the request body.
#[derive(Debug, Args)]
pub struct Create {
    /// The body's fields.
    #[command(flatten)]
    pub fields: Fields<op::Create<'static>>,
}

/// The `budgets` commands.
#[derive(Debug, Subcommand)]
pub enum Budgets {
    /// List every budget of a workspace.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces budgets list staging | jq '.data[] | {reset_interval, limit_usd}'\n  \
        openrouter-workspaces budgets list staging --output table")]
    List(Shown<WorkspaceBudget, op::ListBudgets<'static>>),

    /// Show the budget of one interval.
    #[command(after_help = "Example:\n  \
        openrouter-workspaces budgets get staging monthly | jq .data.limit_usd")]
    Get(Interval<op::GetBudget<'static>>),

    /// Create or replace the budget of one interval (limits must shrink with the interval:
    /// lifetime > monthly > weekly > daily).
    #[command(after_help = "Example:\n  \
        openrouter-workspaces budgets set staging weekly --limit-usd 50 --include-byok true")]
    Set(Interval<op::SetBudget<'static>>),

    /// Delete the budget of one interval (exits 6 when none is set; a retry that finds it
    /// gone succeeds).
    #[command(after_help = "Example:\n  \
        openrouter-workspaces budgets delete staging daily")]
    Delete(Interval<op::DeleteBudget<'static>>),
}

/// A workspace, one of its budget intervals, and the flags of the operation.
#[derive(Debug, Args)]
pub struct Interval<B: RequestBuilder + 'static> {
    /// UUID or slug of the workspace.
    #[arg(value_name = "ID", value_parser = path_parser::<B>("id"))]
    pub id: String,

    /// The budget's interval: one of the document's values.
    #[arg(value_name = "INTERVAL", value_parser = path_parser::<B>("interval"))]
    pub interval: String,

    /// The operation's parameters and body fields.
    #[command(flatten)]
    pub fields: Fields<B>,
}

/// The `members` commands.
#[derive(Debug, Subcommand)]
pub enum Members {
    /// List the members of a workspace, one page or all of them.
    #[command(after_help = "Examples:\n  \
        openrouter-workspaces members list staging --all | jq -r '.[].user_id'\n  \
        openrouter-workspaces members list staging --all --output table")]
    List(MemberPage),

    /// Add organisation users to a workspace (1 to 100), each with their organisation role.
    #[command(after_help = "Example:\n  \
        openrouter-workspaces members add staging user_bob user_carol | jq .added_count")]
    Add(Target<op::BulkAddMembers<'static>>),

    /// Remove users from a workspace (1 to 100).
    #[command(after_help = "Example:\n  \
        openrouter-workspaces members remove staging user_carol")]
    Remove(Target<op::BulkRemoveMembers<'static>>),
}

/// Arguments of `members list`.
#[derive(Debug, Args)]
pub struct MemberPage {
    /// UUID or slug of the workspace.
    #[arg(value_name = "ID", value_parser = path_parser::<op::ListMembers<'static>>("id"))]
    pub id: String,

    /// Paging, output and query parameters.
    #[command(flatten)]
    pub listing: Listing<WorkspaceMember, op::ListMembers<'static>>,
}

/// Parses a number of seconds, fractions allowed, zero included.
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))
}

/// Parses a number of seconds that must be above zero.
fn positive_seconds(text: &str) -> Result<Duration, String> {
    let duration = seconds(text)?;
    if duration.is_zero() {
        return Err(format!("`{text}` must be more than 0 seconds"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// clap's own checks of a definition (unique names, valid references), run on the
    /// flags derived from the document this tool was built from.
    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
