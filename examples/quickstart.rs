//! A tour of every Workspaces operation.
//!
//! ```text
//! cargo run --example quickstart                         # the local emulator: no key, no network
//! cargo run --example quickstart -- --live               # OPENROUTER_API_KEY's organisation, reads only
//! cargo run --example quickstart -- --live --write       # the same, full tour (creates and deletes)
//! ```
//!
//! By default it starts the crate's emulator in this process (an in-memory stand-in, not
//! the real service) and walks through creating, reading, updating and deleting a
//! workspace, its budgets and its members, whatever the environment holds: it reads no
//! `OPENROUTER_*` variable and sends nothing beyond loopback. Only `--live` talks to
//! `OPENROUTER_BASE_URL` (or the real API) with `OPENROUTER_API_KEY`, and only reads
//! unless `--write` is given too.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use openrouter_workspaces::types::WorkspaceBudgetInterval as Interval;
use openrouter_workspaces::{Client, ClientBuilder, Error};
use openrouter_workspaces_emulator::Emulator;

const USAGE: &str = "usage: cargo run --example quickstart [-- --live [--write]]";

fn main() -> ExitCode {
    let mut live = false;
    let mut write = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--live" => live = true,
            "--write" => write = true,
            other => {
                eprintln!("quickstart: unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if write && !live {
        eprintln!(
            "quickstart: --write goes with --live (the emulator tour always writes)\n{USAGE}"
        );
        return ExitCode::from(2);
    }
    match run(live, write) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(live: bool, write: bool) -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of `run`: dropping it stops the server.
    let _emulator;
    let client = if live {
        let client = Client::from_env()?;
        println!(
            "--live: using {} with your OPENROUTER_API_KEY.",
            client.base_url()
        );
        client
    } else {
        let emulator = Emulator::start()?;
        println!(
            "Started the local emulator at {} (an in-memory stand-in, not the real OpenRouter service; --live uses your OPENROUTER_API_KEY instead).",
            emulator.base_url()
        );
        // Nothing from the environment: the tour never leaves this process.
        let client = ClientBuilder::from_env_with(|_| None)
            .api_key(emulator.management_key())
            .base_url(emulator.base_url())
            .app_title("openrouter-workspaces quickstart")
            .build()?;
        _emulator = emulator;
        client
    };

    if live && !write {
        read_only_tour(&client)
    } else {
        full_tour(&client)
    }
}

/// Lists what exists, changing nothing.
fn read_only_tour(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    println!("Read-only tour (add --write to create and delete a workspace).");
    let mut first = None;
    for workspace in client.workspaces().list().limit(50).items() {
        let workspace = workspace?;
        println!("- workspace {} ({})", workspace.slug, workspace.name);
        first.get_or_insert(workspace.slug);
    }
    if let Some(slug) = first {
        let budgets = client.workspaces().list_budgets(&slug).send()?;
        println!("- {slug} has {} budget(s)", budgets.data.len());
        let members = client.workspaces().list_members(&slug).limit(10).send()?;
        println!("- {slug} has {} member(s)", members.total_count);
    }
    Ok(())
}

/// Every operation, on a workspace created for the tour and deleted at its end.
fn full_tour(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    let workspaces = client.workspaces();
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let slug = format!("quickstart-{stamp}");

    let created = workspaces
        .create()
        .name("Quickstart")
        .slug(&slug)
        .description("Made by the openrouter-workspaces quickstart")
        .send()?;
    println!("1. Created workspace {slug} (id {}).", created.data.id);

    let fetched = workspaces.get(&slug).send()?;
    println!(
        "2. Got it back by slug: name {:?}, description {:?}.",
        fetched.data.name, fetched.data.description
    );

    let updated = workspaces
        .update(&slug)
        .name("Quickstart (renamed)")
        .clear_description()
        .send()?;
    println!(
        "3. Updated it: name {:?}, description cleared to {:?}.",
        updated.data.name, updated.data.description
    );

    for (interval, limit) in [
        (Interval::Daily, 10.0),
        (Interval::Weekly, 50.0),
        (Interval::Monthly, 150.0),
        (Interval::Lifetime, 1000.0),
    ] {
        workspaces
            .set_budget(&slug, interval.clone())
            .limit_usd(limit)
            .send()?;
        println!("4. Set the {interval} budget to ${limit}.");
    }

    match workspaces
        .set_budget(&slug, Interval::Daily)
        .limit_usd(75.0)
        .send()
    {
        Err(Error::Api(api)) => println!(
            "5. A daily budget above the weekly one is refused: HTTP {}: {}",
            api.status,
            api.message()
        ),
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("a daily budget above the weekly one was accepted".into()),
    }

    let budgets = workspaces.list_budgets(&slug).send()?;
    println!("6. The workspace has {} budgets.", budgets.data.len());
    let weekly = workspaces.get_budget(&slug, Interval::Weekly).send()?;
    println!("7. Its weekly budget is ${}.", weekly.data.limit_usd);

    workspaces.delete_budget(&slug, Interval::Daily).send()?;
    println!("8. Deleted the daily budget.");

    let added = workspaces
        .bulk_add_members(&slug)
        .user_ids(["user_bob", "user_carol", "user_dave"])
        .send()?;
    println!("9. Added {} members.", added.added_count);

    let mut offset = 0;
    let mut page = 1;
    loop {
        let members = workspaces
            .list_members(&slug)
            .offset(offset)
            .limit(2)
            .send()?;
        let ids: Vec<&str> = members.data.iter().map(|m| m.user_id.as_str()).collect();
        println!("10. Members page {page}: {}.", ids.join(", "));
        offset += members.data.len() as u64;
        page += 1;
        if members.data.is_empty() || offset >= members.total_count as u64 {
            break;
        }
    }

    let removed = workspaces
        .bulk_remove_members(&slug)
        .user_ids(["user_carol"])
        .send()?;
    println!("11. Removed {} member.", removed.removed_count);

    let all: Vec<String> = workspaces
        .list()
        .items()
        .map(|w| w.map(|w| w.slug))
        .collect::<Result<_, _>>()?;
    println!("12. Workspaces now: {}.", all.join(", "));

    workspaces.delete(&slug).send()?;
    println!("13. Deleted workspace {slug}. Done.");
    Ok(())
}
