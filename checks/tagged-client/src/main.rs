//! Uses the API Keys and Guardrails operations generated from the upstream document, with
//! the same runtime (client, per-call options, pagination) as the Workspaces operations.

use std::time::Duration;

use openrouter_workspaces::{Client, Error};

fn tour(client: &Client) -> Result<(), Error> {
    let keys = client.api_keys().list().offset(0).app_title("tagged-client-check").send()?;
    println!("{keys:?}");
    let guardrails = client
        .guardrails()
        .list()
        .timeout(Duration::from_secs(5))
        .no_retries()
        .send()?;
    println!("{guardrails:?}");
    Ok(())
}

fn main() {
    // Built, not run: there is no server to talk to in CI.
    let client = Client::builder()
        .api_key("sk-or-check")
        .base_url("http://127.0.0.1:9/api/v1")
        .build()
        .expect("configuration is valid");
    if std::env::args().any(|a| a == "--run") {
        if let Err(e) = tour(&client) {
            eprintln!("{e}");
        }
    }
}
