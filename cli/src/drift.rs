//! What the server sent that the document lacks: a warning on stderr the first time each
//! finding is met, and the `drift` command, which looks for it on purpose.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use openrouter_workspaces::{Client, Drift, DriftKind};

use crate::output::{self, Failure};

/// The findings of this run, each warned about once.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Each finding so far: `field` or `value`, the schema and the name.
    seen: Arc<Mutex<BTreeSet<(String, String, String)>>>,
}

impl Findings {
    /// The hook to give the client: warns on stderr about each new finding.
    pub fn hook(&self) -> impl Fn(&Drift) + Send + Sync + 'static {
        let seen = Arc::clone(&self.seen);
        move |drift: &Drift| {
            let kind = match drift.kind {
                DriftKind::UnknownField => "field",
                _ => "value",
            };
            let key = (
                kind.to_string(),
                drift.schema.to_string(),
                drift.name.clone(),
            );
            let new = seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key);
            if new {
                output::warn(&drift.to_string());
            }
        }
    }

    /// Each distinct finding so far, as `field` or `value`, the schema and the name.
    fn all(&self) -> Vec<(String, String, String)> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

/// Calls every read operation once and prints what the answers carried that the document
/// lacks, one line each: `field Workspace.region` or `value WorkspaceMemberRole=owner`.
/// Fails with [`Failure::Stale`] (exit 5) when there is anything.
pub fn check(client: &Client, found: &Findings) -> Result<(), Failure> {
    let workspaces = client.workspaces();
    let page = workspaces.list().limit(5).send()?;
    if let Some(first) = page.data.first() {
        let id = first.id.as_str();
        workspaces.get(id).send()?;
        workspaces.list_budgets(id).send()?;
        workspaces.list_members(id).limit(5).send()?;
    }
    let all = found.all();
    for (kind, schema, name) in &all {
        let separator = if kind == "field" { "." } else { "=" };
        println!("{kind} {schema}{separator}{name}");
    }
    if all.is_empty() {
        println!("the server sent nothing the document lacks");
        Ok(())
    } else {
        Err(Failure::Stale(all.len()))
    }
}
