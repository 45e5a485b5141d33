//! Dispatch: one function per command. Those that call the API build the client from the
//! global options and turn the command into one library call (or a walk over every page),
//! whose answer is printed; `completions` and `man` need no client.

use openrouter_workspaces::{
    Client, ClientBuilder, Error, Items, OffsetPaged, RETRY_MAX_ELAPSED_ENV, RetryPolicy,
};

use crate::args::{
    Budgets, Cli, Command, Create, Delete, Global, Listing, Members, Output, Page, Settings, Shown,
    Update,
};
use crate::declarative;
use crate::drift::Findings;
use crate::manual;
use crate::output::{Failure, Printer};
use crate::progress::Progress;

/// Applies the optional [`Settings`] to a create or an update request: both builders have
/// the same setters, generated from the same schema fields.
macro_rules! with_settings {
    ($request:expr, $settings:expr) => {{
        let Settings {
            description,
            default_text_model,
            default_image_model,
            default_provider_sort,
            io_logging_sampling_rate,
            io_logging_api_key_ids,
            data_discount_logging,
            observability_broadcast,
            observability_io_logging,
        } = $settings;
        let mut request = $request;
        if let Some(value) = description {
            request = request.description(value);
        }
        if let Some(value) = default_text_model {
            request = request.default_text_model(value);
        }
        if let Some(value) = default_image_model {
            request = request.default_image_model(value);
        }
        if let Some(value) = default_provider_sort {
            request = request.default_provider_sort(value);
        }
        if let Some(value) = io_logging_sampling_rate {
            request = request.io_logging_sampling_rate(value);
        }
        if let Some(value) = io_logging_api_key_ids {
            request = request.io_logging_api_key_ids(value);
        }
        if let Some(value) = data_discount_logging {
            request = request.is_data_discount_logging_enabled(value);
        }
        if let Some(value) = observability_broadcast {
            request = request.is_observability_broadcast_enabled(value);
        }
        if let Some(value) = observability_io_logging {
            request = request.is_observability_io_logging_enabled(value);
        }
        request
    }};
}

/// Prints one page of a list request, or with `--all` every item of every page as one
/// array (either one as a table if asked), counting the `$what` on a terminal. Both list
/// builders have the same paging methods, generated from the same parameters.
macro_rules! print_page {
    ($out:expr, $request:expr, $page:expr, $what:expr) => {{
        let Page { offset, limit, all } = $page;
        let mut request = $request;
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        if let Some(limit) = limit {
            request = request.limit(limit);
        }
        if all {
            $out.items(&every(request.items(), offset, $what)?)
        } else {
            let response = request.send_with_response()?;
            $out.answer(response.body(), &response.data)
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
    match cli.command {
        Command::List(args) => list(&session, args),
        Command::Create(args) => create(&session, args),
        Command::Get(args) => get(&session, args),
        Command::Delete(args) => delete(&session, args),
        Command::Update(args) => update(&session, args),
        Command::Budgets(command) => budgets(&session, command),
        Command::Members(command) => members(&session, command),
        Command::Drift => crate::drift::check(&session.client()?, &session.found),
        Command::Plan(args) => declarative::plan(&session.client()?, session.printer(), args),
        Command::Apply(args) => declarative::apply(&session.client()?, session.printer(), args),
        Command::Export(args) => declarative::export(&session.client()?, args),
        Command::Completions(args) => manual::completions(args.shell),
        Command::Man => manual::man(),
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

    /// Where answers go, as JSON, as the global options say.
    fn printer(&self) -> Printer {
        self.printer_as(Output::Json)
    }

    /// Where answers go, as `output` and the global options say.
    fn printer_as(&self, output: Output) -> Printer {
        Printer {
            compact: self.global.compact,
            output,
        }
    }
}

/// `list`: one page of workspaces, or all of them.
fn list(session: &Session, args: Listing) -> Result<(), Failure> {
    let client = session.client()?;
    let out = session.printer_as(args.format.output);
    print_page!(out, client.workspaces().list(), args.page, "workspaces")
}

/// `create`: a workspace with its name, slug and optional settings.
fn create(session: &Session, args: Create) -> Result<(), Failure> {
    let client = session.client()?;
    let request = client.workspaces().create().name(args.name).slug(args.slug);
    let response = with_settings!(request, args.settings).send_with_response()?;
    session.printer().print_raw(response.body())
}

/// `get`: one workspace.
fn get(session: &Session, args: Shown) -> Result<(), Failure> {
    let client = session.client()?;
    let response = client
        .workspaces()
        .get(args.target.id)
        .send_with_response()?;
    let out = session.printer_as(args.format.output);
    out.answer(response.body(), std::slice::from_ref(&response.data))
}

/// `delete`: a workspace, confirming the loss of the default one's settings if asked to.
fn delete(session: &Session, args: Delete) -> Result<(), Failure> {
    let client = session.client()?;
    let mut request = client.workspaces().delete(args.target.id);
    if args.confirm_default_settings_deletion {
        request = request.confirm_default_settings_deletion(true);
    }
    session
        .printer()
        .print_raw(request.send_with_response()?.body())
}

/// `update`: the given fields of a workspace, and nulls for the `--clear-*` ones.
fn update(session: &Session, args: Update) -> Result<(), Failure> {
    let client = session.client()?;
    let mut request = with_settings!(client.workspaces().update(args.id), args.settings);
    if let Some(name) = args.name {
        request = request.name(name);
    }
    if let Some(slug) = args.slug {
        request = request.slug(slug);
    }
    let clear = args.clear;
    if clear.clear_description {
        request = request.clear_description();
    }
    if clear.clear_default_text_model {
        request = request.clear_default_text_model();
    }
    if clear.clear_default_image_model {
        request = request.clear_default_image_model();
    }
    if clear.clear_default_provider_sort {
        request = request.clear_default_provider_sort();
    }
    if clear.clear_io_logging_api_key_ids {
        request = request.clear_io_logging_api_key_ids();
    }
    session
        .printer()
        .print_raw(request.send_with_response()?.body())
}

/// The `budgets` commands.
fn budgets(session: &Session, command: Budgets) -> Result<(), Failure> {
    let client = session.client()?;
    let workspaces = client.workspaces();
    let out = session.printer();
    match command {
        Budgets::List(args) => {
            let response = workspaces
                .list_budgets(args.target.id)
                .send_with_response()?;
            let out = session.printer_as(args.format.output);
            out.answer(response.body(), &response.data)
        }
        Budgets::Get(t) => {
            let request = workspaces.get_budget(t.id, t.interval);
            out.print_raw(request.send_with_response()?.body())
        }
        Budgets::Set(args) => {
            let t = args.target;
            let mut request = workspaces
                .set_budget(t.id, t.interval)
                .limit_usd(args.limit_usd);
            if let Some(include) = args.include_byok {
                request = request.include_byok_in_budgets(include);
            }
            out.print_raw(request.send_with_response()?.body())
        }
        Budgets::Delete(t) => {
            let request = workspaces.delete_budget(t.id, t.interval);
            out.print_raw(request.send_with_response()?.body())
        }
    }
}

/// The `members` commands.
fn members(session: &Session, command: Members) -> Result<(), Failure> {
    let client = session.client()?;
    let workspaces = client.workspaces();
    let out = session.printer();
    match command {
        Members::List(args) => {
            let out = session.printer_as(args.format.output);
            print_page!(out, workspaces.list_members(args.id), args.page, "members")
        }
        Members::Add(args) => out.print_raw(
            workspaces
                .bulk_add_members(args.id)
                .user_ids(args.user_ids)
                .send_with_response()?
                .body(),
        ),
        Members::Remove(args) => out.print_raw(
            workspaces
                .bulk_remove_members(args.id)
                .user_ids(args.user_ids)
                .send_with_response()?
                .body(),
        ),
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
