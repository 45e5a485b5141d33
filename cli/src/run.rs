//! Dispatch: one function per command. Those that call the API build the client from the
//! global options and turn the command into one library call (or a walk over every page),
//! whose answer is printed; `completions` and `man` need no client. Every flag of a request
//! is set by its name in the document ([`Fields::apply`](crate::flags::Fields::apply)), so this file names no field.

use openrouter_workspaces::{
    Client, ClientBuilder, Error, Items, OffsetPaged, RETRY_MAX_ELAPSED_ENV, RetryPolicy,
};
use serde::de::DeserializeOwned;

use openrouter_workspaces::types::Workspace;
use openrouter_workspaces::workspaces as op;

use crate::args::{Budgets, Cli, Command, Global, Listing, Members};
use crate::declarative;
use crate::drift::Findings;
use crate::flags::path_value;
use crate::manual;
use crate::output::{Failure, Printer};
use crate::progress::Progress;

/// Prints one page of a list request, or with `--all` every item of every page as one
/// array (either one as a table if asked), counting the `$what` on a terminal. Both list
/// builders page the same way, generated from the same parameters.
macro_rules! print_page {
    ($out:expr, $request:expr, $args:expr, $what:expr) => {{
        let (fields, all, format) = ($args.printed.fields, $args.page.all, &$args.printed.format);
        // Where the walk starts, for the count of what is left (none given: the start).
        let offset = fields.value("offset").and_then(serde_json::Value::as_u64);
        let request = fields.apply($request);
        if all {
            $out.items(&every(request.items(), offset, $what)?, format)
        } else {
            let response = request.send_with_response()?;
            $out.answer(response.body(), &response.data, format)
        }
    }};
}

/// Every item of a list from `offset` on, page after page, counted on a terminal.
///
/// Collected before printing, so that a failure on a later page leaves stdout empty
/// instead of holding half an array. The items keep what the document does not describe,
/// so nothing the server sent is lost.
fn every<P: OffsetPaged>(
    mut items: Items<P>,
    offset: Option<u64>,
    what: &str,
) -> Result<Vec<P::Item>, Error> {
    let mut progress = Progress::new(false);
    progress.start(None, what);
    let mut all = Vec::new();
    while let Some(item) = items.next() {
        all.push(item?);
        if let Some(total) = items.total() {
            progress.total(total.saturating_sub(offset.unwrap_or(0)));
        }
        progress.inc("");
    }
    progress.finish();
    Ok(all)
}

/// Runs the command of `cli` and prints its answer.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let session = Session {
        global: cli.global,
        found: Findings::default(),
    };
    cli.command.check_output().map_err(Failure::Refused)?;
    match cli.command {
        Command::List(args) => list(&session, args),
        Command::Create(args) => {
            let client = session.client()?;
            let request = args.fields.apply(client.workspaces().create());
            session.print_raw(request.send_with_response()?.body())
        }
        Command::Get(args) => {
            let client = session.client()?;
            let response = args
                .printed
                .fields
                .apply(client.workspaces().get(args.id))
                .send_with_response()?;
            session.printer().answer(
                response.body(),
                std::slice::from_ref(&response.data),
                &args.printed.format,
            )
        }
        Command::Delete(args) => {
            let client = session.client()?;
            let request = args.fields.apply(client.workspaces().delete(args.id));
            session.print_raw(request.send_with_response()?.body())
        }
        Command::Update(args) => {
            let client = session.client()?;
            let request = args.fields.apply(client.workspaces().update(args.id));
            session.print_raw(request.send_with_response()?.body())
        }
        Command::Budgets(command) => budgets(&session, command),
        Command::Members(command) => members(&session, command),
        Command::Drift => crate::drift::check(&session.client()?, &session.found),
        Command::Plan(args) => declarative::plan(&session.client()?, session.printer(), args),
        Command::Apply(args) => declarative::apply(&session.client()?, session.printer(), args),
        Command::Export(args) => declarative::export(&session.client()?, args),
        Command::Completions(args) => manual::completions(args.shell),
        Command::Man(args) => manual::man(args.dir.as_deref()),
    }
}

/// What the commands share: the global options and what this run has met so far. The
/// client is built by the commands that call the API, so that the others need no key.
struct Session {
    /// The options given before or after the command.
    global: Global,
    /// What the server sent that the document lacks, each warned about once.
    found: Findings,
}

impl Session {
    /// The client, configured by the global options.
    fn client(&self) -> Result<Client, Error> {
        client(&self.global, &self.found)
    }

    /// Where answers go, as the global options say.
    fn printer(&self) -> Printer {
        Printer {
            compact: self.global.compact,
        }
    }

    /// Writes an answer's JSON body as the server sent it.
    fn print_raw(&self, body: &[u8]) -> Result<(), Failure> {
        self.printer().print_raw(body)
    }
}

/// A path parameter's text as the type its operation takes: the value was checked against
/// the document's values when the command line was parsed.
fn path<T: DeserializeOwned>(text: &str) -> Result<T, Failure> {
    path_value(text).map_err(Failure::Refused)
}

/// `list`: one page of workspaces, or all of them.
fn list(session: &Session, args: Listing<Workspace, op::List<'static>>) -> Result<(), Failure> {
    let client = session.client()?;
    let request = client.workspaces().list();
    print_page!(session.printer(), request, args, "workspaces")
}

/// The `budgets` commands.
fn budgets(session: &Session, command: Budgets) -> Result<(), Failure> {
    let client = session.client()?;
    let workspaces = client.workspaces();
    match command {
        Budgets::List(args) => {
            let request = args.printed.fields.apply(workspaces.list_budgets(args.id));
            let response = request.send_with_response()?;
            session
                .printer()
                .answer(response.body(), &response.data, &args.printed.format)
        }
        Budgets::Get(t) => {
            let request = t
                .fields
                .apply(workspaces.get_budget(t.id, path(&t.interval)?));
            session.print_raw(request.send_with_response()?.body())
        }
        Budgets::Set(t) => {
            let request = t
                .fields
                .apply(workspaces.set_budget(t.id, path(&t.interval)?));
            session.print_raw(request.send_with_response()?.body())
        }
        Budgets::Delete(t) => {
            let request = t
                .fields
                .apply(workspaces.delete_budget(t.id, path(&t.interval)?));
            session.print_raw(request.send_with_response()?.body())
        }
    }
}

/// The `members` commands.
fn members(session: &Session, command: Members) -> Result<(), Failure> {
    let client = session.client()?;
    let workspaces = client.workspaces();
    match command {
        Members::List(args) => {
            let request = workspaces.list_members(args.id);
            print_page!(session.printer(), request, args.listing, "members")
        }
        Members::Add(args) => {
            let request = args.fields.apply(workspaces.bulk_add_members(args.id));
            session.print_raw(request.send_with_response()?.body())
        }
        Members::Remove(args) => {
            let request = args.fields.apply(workspaces.bulk_remove_members(args.id));
            session.print_raw(request.send_with_response()?.body())
        }
    }
}

/// Builds the client from the global options (flags, or their environment variables).
fn client(global: &Global, found: &Findings) -> Result<Client, Error> {
    let given = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    // The retry bound's variable is read (and checked) by the library; the flags below win.
    let from_env = |name: &str| {
        (name == RETRY_MAX_ELAPSED_ENV)
            .then(|| std::env::var(name).ok())
            .flatten()
    };
    let mut builder = ClientBuilder::from_env_with(from_env)
        .allow_insecure_http(global.allow_insecure_http)
        .on_drift(found.hook());
    if let Some(key) = given(&global.api_key) {
        builder = builder.api_key(key);
    }
    if let Some(url) = given(&global.base_url) {
        builder = builder.base_url(url);
    }
    if let Some(referer) = given(&global.http_referer) {
        builder = builder.http_referer(referer);
    }
    if let Some(title) = given(&global.app_title) {
        builder = builder.app_title(title);
    }
    if let Some(categories) = given(&global.app_categories) {
        builder = builder.app_categories(categories);
    }
    if let Some(timeout) = global.timeout {
        builder = builder.timeout(timeout);
    }
    if global.no_retries {
        builder = builder.retry_policy(RetryPolicy::none());
    } else if let Some(total) = global.retry_max_elapsed {
        builder = builder.retry_policy(RetryPolicy::default().max_elapsed(total));
    }
    if let Some(file) = &global.ca_cert {
        builder = builder.add_root_certificates_file(file);
    }
    for dir in global.ca_dir.iter().flat_map(std::env::split_paths) {
        if !dir.as_os_str().is_empty() {
            builder = builder.add_root_certificates_dir(dir);
        }
    }
    // With --verbose, the debug line of each attempt says the same.
    if !global.quiet && !global.verbose {
        builder = builder.on_attempt(crate::retries::notice(global.api_key.clone()));
    }
    builder.build()
}
