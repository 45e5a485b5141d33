//! Making a [`Plan`]'s changes.

use std::fmt;

use serde_json::{Map, Value};

use crate::parallel_map;
use crate::plan::{Change, Plan, Summary, changes};
use openrouter_workspaces::RequestBuilder;
use openrouter_workspaces::{Client, Error};

/// The most user ids one bulk member call takes (the document's `maxItems`).
const MEMBERS_PER_CALL: usize = 100;

/// How to apply a plan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// How many workspaces to work on at once, on the one shared client.
    pub jobs: usize,
    /// Whether changes that delete (workspaces, budgets) may be made. Without it, a plan
    /// that has any is refused before anything is sent.
    pub allow_deletes: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            jobs: 4,
            allow_deletes: false,
        }
    }
}

impl ApplyOptions {
    /// With `jobs` workspaces at once (at least 1).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// With deletes allowed or not.
    pub fn allow_deletes(mut self, allow: bool) -> Self {
        self.allow_deletes = allow;
        self
    }
}

/// What `apply` tells its progress callback.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// A change was made.
    Made(&'a Change),
    /// Every change of a workspace was made, or one failed (`ok: false`) and the rest of
    /// that workspace's changes were not tried.
    WorkspaceDone {
        /// The slug.
        workspace: &'a str,
        /// Whether all its changes were made.
        ok: bool,
    },
}

/// A change that failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct Failure {
    /// The change.
    pub change: Change,
    /// Why; the client's exactly-once rules applied, so an `OutcomeUnknown` is the only
    /// case in which the change may still have been made.
    pub error: Error,
}

/// What `apply` did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Report {
    /// The changes made, grouped by workspace.
    pub made: Vec<Change>,
    /// The change that failed in each workspace that did not finish; the workspace's
    /// later changes were not tried. Other workspaces went on.
    pub failed: Vec<Failure>,
}

impl Report {
    /// Whether every change was made.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// How many changes were made, by their mark: the unit of [`Plan::summary`], so a
    /// complete apply made what the plan counted.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.made)
    }
}

impl fmt::Display for Report {
    /// `7 changes made: 2 added, 5 changed, 0 removed; 0 workspaces failed.`, then a line
    /// per failed change.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let made = self.summary();
        writeln!(
            f,
            "{} made: {} added, {} changed, {} removed; {} workspace{} failed.",
            changes(made.total()),
            made.add,
            made.change,
            made.remove,
            self.failed.len(),
            if self.failed.len() == 1 { "" } else { "s" },
        )?;
        for failure in &self.failed {
            writeln!(
                f,
                "failed: {}: {}",
                failure
                    .change
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default(),
                failure.error
            )?;
        }
        Ok(())
    }
}

/// Why a plan was not applied at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApplyError {
    /// The plan deletes and [`ApplyOptions::allow_deletes`] is off; nothing was written
    /// (the plan's reads were made).
    DeletesNotAllowed {
        /// How many deletions the plan has.
        count: usize,
    },
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::DeletesNotAllowed { count } => write!(
                f,
                "the plan deletes ({count} workspace or budget deletion{}); nothing was written",
                if *count == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

impl Plan {
    /// Makes the plan's changes: up to `options.jobs` workspaces at once, each
    /// workspace's changes in order (fields, then budgets, then members). Every write goes
    /// through the client's retries and exactly-once rules, so a run cut short can be
    /// planned and applied again and converges. A failed change stops its workspace, not
    /// the others; the [`Report`] says what was made and what failed.
    ///
    /// ```no_run
    /// use openrouter_workspaces::Client;
    /// use openrouter_workspaces_desired::{ApplyOptions, DesiredState, PlanOptions, plan};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::from_env()?;
    /// let desired = DesiredState::from_yaml("workspaces:\n  staging:\n    name: Staging\n")?;
    /// let plan = plan(&client, &desired, &PlanOptions::default())?;
    /// let report = plan.apply(&client, &ApplyOptions::default().jobs(8), |_| {})?;
    /// assert!(report.is_complete(), "{report}");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ApplyError::DeletesNotAllowed`] before anything is sent; failures of single
    /// changes are in the report.
    pub fn apply<F>(
        &self,
        client: &Client,
        options: &ApplyOptions,
        progress: F,
    ) -> Result<Report, ApplyError>
    where
        F: Fn(Progress<'_>) + Sync,
    {
        let count = self.deletions().count();
        if count > 0 && !options.allow_deletes {
            return Err(ApplyError::DeletesNotAllowed { count });
        }
        let groups = self.by_workspace();
        let outcomes = parallel_map(&groups, options.jobs, |(slug, changes)| {
            let mut made = Vec::new();
            let mut failed = None;
            for change in changes {
                match make(client, change) {
                    Ok(()) => {
                        progress(Progress::Made(change));
                        made.push((*change).clone());
                    }
                    Err(error) => {
                        failed = Some(Failure {
                            change: (*change).clone(),
                            error,
                        });
                        break;
                    }
                }
            }
            progress(Progress::WorkspaceDone {
                workspace: slug,
                ok: failed.is_none(),
            });
            (made, failed)
        });
        let mut report = Report::default();
        for (made, failed) in outcomes {
            report.made.extend(made);
            report.failed.extend(failed);
        }
        Ok(report)
    }
}

/// Makes one change.
fn make(client: &Client, change: &Change) -> Result<(), Error> {
    let workspaces = client.workspaces();
    match change {
        Change::Create {
            fields, members, ..
        } => {
            let created = with_fields(workspaces.create(), fields).send()?.data;
            if let Some(members) = members {
                change_members(client, &created.slug, Bulk::Add, members)?;
                // The API makes the creator the first member; the file says who belongs.
                let creator = created.created_by.filter(|c| !members.contains(c));
                if let Some(creator) = creator {
                    change_members(client, &created.slug, Bulk::Remove, &[creator])?;
                }
            }
            Ok(())
        }
        Change::Update { workspace, fields } => {
            let body: Map<String, Value> = fields
                .iter()
                .map(|c| (c.field.clone(), c.new.clone()))
                .collect();
            with_fields(workspaces.update(workspace), &body)
                .send()
                .map(drop)
        }
        Change::SetBudget {
            workspace,
            interval,
            new,
            include_byok_in_budgets,
            ..
        } => {
            let mut request = workspaces
                .set_budget(workspace, interval.clone())
                .limit_usd(*new);
            if let Some(byok) = include_byok_in_budgets {
                request = request.set_json("include_byok_in_budgets", Value::Bool(*byok));
            }
            request.send().map(drop)
        }
        Change::DeleteBudget {
            workspace,
            interval,
            ..
        } => workspaces
            .delete_budget(workspace, interval.clone())
            .send()
            .map(drop),
        Change::AddMembers { workspace, users } => {
            change_members(client, workspace, Bulk::Add, users)
        }
        Change::RemoveMembers { workspace, users } => {
            change_members(client, workspace, Bulk::Remove, users)
        }
        Change::Delete { workspace } => workspaces.delete(workspace).send().map(drop),
    }
}

/// `request` with each of the file's fields (checked against the document as the file was
/// read) set by its name in the document.
fn with_fields<B: RequestBuilder>(request: B, fields: &Map<String, Value>) -> B {
    fields.iter().fold(request, |request, (name, value)| {
        request.set_json(name, value.clone())
    })
}

/// Which bulk member operation to send.
#[derive(Clone, Copy)]
enum Bulk {
    Add,
    Remove,
}

/// Adds `users` to workspace `slug` or takes them out, at most [`MEMBERS_PER_CALL`] a call.
fn change_members(client: &Client, slug: &str, bulk: Bulk, users: &[String]) -> Result<(), Error> {
    let workspaces = client.workspaces();
    users.chunks(MEMBERS_PER_CALL).try_for_each(|chunk| {
        let ids = chunk.iter().cloned();
        match bulk {
            Bulk::Add => workspaces
                .bulk_add_members(slug)
                .user_ids(ids)
                .send()
                .map(drop),
            Bulk::Remove => workspaces
                .bulk_remove_members(slug)
                .user_ids(ids)
                .send()
                .map(drop),
        }
    })
}
