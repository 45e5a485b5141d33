//! The live state as a desired-state file.

use std::collections::BTreeSet;

use crate::budgets;
use crate::file::{DEFAULT_WORKSPACE_SLUG, DesiredState, DesiredWorkspace, writable_fields};
use crate::parallel_map;
use crate::plan::{all_workspaces, fields_of, read_budgets, read_members};
use openrouter_workspaces::types::Workspace;
use openrouter_workspaces::{Client, Error};

/// The live state of the workspaces named by `slugs` (every workspace when empty), in the
/// file format: planning the result against the same state gives no changes. Reads the
/// workspace list, then each workspace's budgets and members, `jobs` workspaces at once.
///
/// `done` is called with each workspace as it is read (from several threads).
///
/// ```no_run
/// # fn main() -> Result<(), openrouter_workspaces::Error> {
/// let client = openrouter_workspaces::Client::from_env()?;
/// let state = openrouter_workspaces_desired::export(&client, &[], 4, |_| {})?;
/// print!("{}", state.to_yaml());
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// The first failed read; a slug that names no workspace is a 404 ([`Error::is_not_found`]).
pub fn export(
    client: &Client,
    slugs: &[String],
    jobs: usize,
    done: impl Fn(&DesiredWorkspace) + Sync,
) -> Result<DesiredState, Error> {
    let chosen: Vec<Workspace> = if slugs.is_empty() {
        all_workspaces(client)?
    } else {
        parallel_map(slugs, jobs, |slug| {
            client.workspaces().get(slug).send().map(|r| r.data)
        })
        .into_iter()
        .collect::<Result<_, _>>()?
    };
    let writable = writable_fields();
    let workspaces = parallel_map(&chosen, jobs, |w| {
        let exported = export_one(client, w, &writable)?;
        done(&exported);
        Ok(exported)
    });
    Ok(DesiredState {
        workspaces: workspaces.into_iter().collect::<Result<_, _>>()?,
    })
}

fn export_one(
    client: &Client,
    workspace: &Workspace,
    writable: &BTreeSet<&str>,
) -> Result<DesiredWorkspace, Error> {
    let fields = fields_of(workspace)
        .into_iter()
        .filter(|(name, _)| writable.contains(name.as_str()))
        .collect();
    let limits = read_budgets(client, &workspace.slug)?;
    let budgets = budgets::intervals()
        .iter()
        .zip(limits)
        .filter_map(|(interval, limit)| limit.map(|l| (interval.clone(), Some(l))))
        .collect();
    let members = match workspace.slug == DEFAULT_WORKSPACE_SLUG {
        true => None,
        false => Some(read_members(client, &workspace.slug)?),
    };
    Ok(DesiredWorkspace {
        slug: workspace.slug.clone(),
        fields,
        budgets: Some(budgets),
        members,
    })
}
