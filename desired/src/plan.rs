//! Comparing a desired state with the live one: the [`Plan`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::budgets::{self, Limits, Step};
use crate::file::{DEFAULT_WORKSPACE_SLUG, DesiredState, DesiredWorkspace, workspace_fields};
use crate::parallel_map;
use openrouter_workspaces::schema::same_value;
use openrouter_workspaces::types::{Workspace, WorkspaceBudgetInterval};
use openrouter_workspaces::{Client, Error};

/// The largest page the list operations return.
pub(crate) const PAGE: u64 = 100;

/// How to plan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Delete the workspaces the file does not list (never the default workspace).
    pub prune: bool,
    /// How many workspaces to read at once.
    pub jobs: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            prune: false,
            jobs: 4,
        }
    }
}

impl PlanOptions {
    /// With `prune` set as given.
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// With `jobs` reads at once (at least 1).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }
}

/// One change a [`Plan`] makes, in the order it is made within its workspace.
///
/// As JSON (`--json`), each is an object whose `action` names the variant in snake case
/// and whose `workspace` is the slug.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Create the workspace with these fields; then, when the file manages its members,
    /// add them and take out anyone else (the API makes the creator the first member).
    Create {
        /// The slug.
        workspace: String,
        /// The fields of the create body, by API name.
        fields: Map<String, Value>,
        /// The exact member set wanted, when the file manages it.
        #[serde(skip_serializing_if = "Option::is_none")]
        members: Option<Vec<String>>,
    },
    /// Change these fields.
    Update {
        /// The slug.
        workspace: String,
        /// Each changed field, with its value before and after.
        fields: Vec<FieldChange>,
    },
    /// Create or change one budget.
    SetBudget {
        /// The slug.
        workspace: String,
        /// The budget's interval.
        interval: WorkspaceBudgetInterval,
        /// Its limit before, in US dollars (`None`: no budget).
        old: Option<f64>,
        /// Its limit after.
        new: f64,
        /// The workspace-wide BYOK setting, sent along when the file changes it.
        #[serde(skip_serializing_if = "Option::is_none")]
        include_byok_in_budgets: Option<bool>,
    },
    /// Delete one budget.
    DeleteBudget {
        /// The slug.
        workspace: String,
        /// The budget's interval.
        interval: WorkspaceBudgetInterval,
        /// Its limit before.
        old: f64,
    },
    /// Add these members.
    AddMembers {
        /// The slug.
        workspace: String,
        /// Their user ids.
        users: Vec<String>,
    },
    /// Take these members out.
    RemoveMembers {
        /// The slug.
        workspace: String,
        /// Their user ids.
        users: Vec<String>,
    },
    /// Delete the workspace (only with `prune`).
    Delete {
        /// The slug.
        workspace: String,
    },
}

impl Change {
    /// The slug of the workspace it changes.
    pub fn workspace(&self) -> &str {
        match self {
            Change::Create { workspace, .. }
            | Change::Update { workspace, .. }
            | Change::SetBudget { workspace, .. }
            | Change::DeleteBudget { workspace, .. }
            | Change::AddMembers { workspace, .. }
            | Change::RemoveMembers { workspace, .. }
            | Change::Delete { workspace } => workspace,
        }
    }

    /// Its mark where the plan prints it, and the column of the summary it counts in: `+`
    /// adds (a workspace, members), `~` changes (fields, a budget's limit, a new budget
    /// included), `-` removes (a workspace, a budget, members).
    pub fn mark(&self) -> char {
        match self {
            Change::Create { .. } | Change::AddMembers { .. } => '+',
            Change::Update { .. } | Change::SetBudget { .. } => '~',
            Change::DeleteBudget { .. } | Change::RemoveMembers { .. } | Change::Delete { .. } => {
                '-'
            }
        }
    }

    /// Whether it deletes something: a workspace or a budget. `apply` makes these only
    /// when allowed to. Taking members out is not one: the file states the exact member
    /// set, and an apply cut short between a create and its members must finish unasked.
    pub fn deletes(&self) -> bool {
        matches!(self, Change::Delete { .. } | Change::DeleteBudget { .. })
    }
}

/// One field of an [`Change::Update`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field's API name.
    pub field: String,
    /// Its value now.
    pub old: Value,
    /// Its value after the change (`null` clears it).
    pub new: Value,
}

/// The changes that turn the live state into a desired one, in order.
///
/// `Display` prints it for people, ending with a summary line; `Serialize` gives
/// `{"changes": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// Every change, grouped by workspace, in the order made.
    pub changes: Vec<Change>,
}

/// How many changes there are, by their [mark](Change::mark): the same unit for a plan
/// ([`Plan::summary`]) and for what `apply` made ([`Report::summary`](crate::Report::summary)),
/// one per change the plan prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Changes marked `+`: workspaces created, members added.
    pub add: usize,
    /// Changes marked `~`: fields updated, budgets set.
    pub change: usize,
    /// Changes marked `-`: workspaces and budgets deleted, members taken out.
    pub remove: usize,
}

impl Summary {
    /// The summary of `changes`.
    pub fn of<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Self {
        let mut summary = Summary::default();
        for change in changes {
            match change.mark() {
                '+' => summary.add += 1,
                '~' => summary.change += 1,
                _ => summary.remove += 1,
            }
        }
        summary
    }

    /// Every change counted.
    pub fn total(&self) -> usize {
        self.add + self.change + self.remove
    }
}

impl fmt::Display for Summary {
    /// `7 changes: 2 to add, 5 to change, 0 to remove`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} to add, {} to change, {} to remove",
            changes(self.total()),
            self.add,
            self.change,
            self.remove
        )
    }
}

/// `1 change`, `2 changes`.
pub(crate) fn changes(n: usize) -> String {
    format!("{n} change{}", if n == 1 { "" } else { "s" })
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes it makes, by their mark.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.changes)
    }

    /// The changes that take something away (see [`Change::deletes`]).
    pub fn deletions(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.deletes())
    }

    /// The changes grouped by workspace, each group in the order of its changes.
    pub(crate) fn by_workspace(&self) -> Vec<(&str, Vec<&Change>)> {
        let mut groups: Vec<(&str, Vec<&Change>)> = Vec::new();
        for change in &self.changes {
            match groups.last_mut() {
                Some((slug, list)) if *slug == change.workspace() => list.push(change),
                _ => groups.push((change.workspace(), vec![change])),
            }
        }
        groups
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Create {
                workspace,
                fields,
                members,
            } => {
                write!(f, "{} create {workspace}", self.mark())?;
                for (name, value) in fields.iter().filter(|(n, _)| *n != "slug") {
                    write!(f, "\n    {name}: {value}")?;
                }
                if let Some(members) = members {
                    write!(f, "\n    members: [{}]", members.join(", "))?;
                }
                Ok(())
            }
            Change::Update { workspace, fields } => {
                write!(f, "{} update {workspace}", self.mark())?;
                for c in fields {
                    write!(f, "\n    {}: {} → {}", c.field, c.old, c.new)?;
                }
                Ok(())
            }
            Change::SetBudget {
                workspace,
                interval,
                old,
                new,
                include_byok_in_budgets,
            } => {
                let old = old.map_or("none".to_string(), money);
                write!(
                    f,
                    "{} budget {workspace} {interval}: {old} → {}",
                    self.mark(),
                    money(*new)
                )?;
                if let Some(byok) = include_byok_in_budgets {
                    write!(f, " (include_byok_in_budgets: {byok})")?;
                }
                Ok(())
            }
            Change::DeleteBudget {
                workspace,
                interval,
                old,
            } => write!(
                f,
                "{} budget {workspace} {interval}: {} → none",
                self.mark(),
                money(*old)
            ),
            Change::AddMembers { workspace, users } => {
                write!(
                    f,
                    "{} members {workspace}: {}",
                    self.mark(),
                    users.join(", ")
                )
            }
            Change::RemoveMembers { workspace, users } => {
                write!(
                    f,
                    "{} members {workspace}: {}",
                    self.mark(),
                    users.join(", ")
                )
            }
            Change::Delete { workspace } => write!(f, "{} delete {workspace}", self.mark()),
        }
    }
}

fn money(limit: f64) -> String {
    format!("${limit}")
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "No changes: the workspaces match the file.");
        }
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        writeln!(f, "\n{}.", self.summary())
    }
}

/// Why no plan could be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum PlanError {
    /// Reading the live state failed.
    Read(Error),
    /// The file cannot be reached from the live state of one workspace; nothing was
    /// written.
    Unreachable {
        /// The slug.
        workspace: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Read(_) => f.write_str("reading the live state failed"),
            PlanError::Unreachable { workspace, reason } => {
                write!(f, "workspace `{workspace}`: {reason}")
            }
        }
    }
}

impl std::error::Error for PlanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlanError::Read(e) => Some(e),
            PlanError::Unreachable { .. } => None,
        }
    }
}

impl From<Error> for PlanError {
    fn from(e: Error) -> Self {
        PlanError::Read(e)
    }
}

/// What is live of one workspace the file lists.
pub(crate) struct Live {
    /// Its fields as JSON.
    pub(crate) fields: Map<String, Value>,
    /// Its budgets, when they were read.
    pub(crate) budgets: Option<Limits>,
    /// Its members' user ids, when they were read.
    pub(crate) members: Option<Vec<String>>,
}

/// Every workspace of the organisation.
pub(crate) fn all_workspaces(client: &Client) -> Result<Vec<Workspace>, Error> {
    client.workspaces().list().limit(PAGE).items().collect()
}

/// The budgets of workspace `slug`.
pub(crate) fn read_budgets(client: &Client, slug: &str) -> Result<Limits, Error> {
    let mut limits = budgets::none();
    for budget in client.workspaces().list_budgets(slug).send()?.data {
        let interval = budget
            .reset_interval
            .map_or(WorkspaceBudgetInterval::Lifetime, Into::into);
        if let Some(position) = budgets::position(&interval) {
            limits[position] = Some(budget.limit_usd);
        }
    }
    Ok(limits)
}

/// The members of workspace `slug`.
pub(crate) fn read_members(client: &Client, slug: &str) -> Result<Vec<String>, Error> {
    client
        .workspaces()
        .list_members(slug)
        .limit(PAGE)
        .items()
        .map(|m| m.map(|m| m.user_id))
        .collect()
}

/// The JSON fields of a workspace as the API sent it.
pub(crate) fn fields_of(workspace: &Workspace) -> Map<String, Value> {
    match serde_json::to_value(workspace) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Reads the live state and plans the changes that make it `desired`. Sends only reads:
/// one walk of the workspace list, then the budgets and members of each listed workspace
/// whose file entry manages them.
///
/// ```no_run
/// use openrouter_workspaces::Client;
/// use openrouter_workspaces_desired::{DesiredState, PlanOptions, plan};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::from_env()?;
/// let desired = DesiredState::from_yaml(&std::fs::read_to_string("workspaces.yaml")?)?;
/// let plan = plan(&client, &desired, &PlanOptions::default())?;
/// print!("{plan}");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`PlanError::Read`] when a read fails; [`PlanError::Unreachable`] when a workspace's
/// entry cannot be reached (a create without a `name`, budgets that would break their
/// order with the ones the file leaves alone).
pub fn plan(
    client: &Client,
    desired: &DesiredState,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let existing = all_workspaces(client)?;
    let by_slug: BTreeMap<&str, &Workspace> =
        existing.iter().map(|w| (w.slug.as_str(), w)).collect();
    let lives = parallel_map(&desired.workspaces, options.jobs, |entry| {
        by_slug
            .get(entry.slug.as_str())
            .map(|w| read_live(client, w, entry))
            .transpose()
    });
    let mut changes = Vec::new();
    for (entry, live) in desired.workspaces.iter().zip(lives) {
        changes.extend(plan_workspace(entry, live?.as_ref())?);
    }
    if options.prune {
        let listed: BTreeSet<&str> = desired.workspaces.iter().map(|w| w.slug.as_str()).collect();
        for workspace in &existing {
            if !listed.contains(workspace.slug.as_str()) && workspace.slug != DEFAULT_WORKSPACE_SLUG
            {
                changes.push(Change::Delete {
                    workspace: workspace.slug.clone(),
                });
            }
        }
    }
    Ok(Plan { changes })
}

/// Reads what the plan of `entry` needs of live workspace `workspace`.
fn read_live(
    client: &Client,
    workspace: &Workspace,
    entry: &DesiredWorkspace,
) -> Result<Live, Error> {
    let needs_budgets = entry.budgets.is_some() || !budget_settings(entry).is_empty();
    Ok(Live {
        fields: fields_of(workspace),
        budgets: match needs_budgets {
            true => Some(read_budgets(client, &workspace.slug)?),
            false => None,
        },
        members: match entry.members {
            Some(_) => Some(read_members(client, &workspace.slug)?),
            None => None,
        },
    })
}

/// The entry's fields that belong to the budget body (settings of the whole workspace).
fn budget_settings(entry: &DesiredWorkspace) -> Map<String, Value> {
    let workspace_fields = workspace_fields();
    entry
        .fields
        .iter()
        .filter(|(name, _)| !workspace_fields.contains(name.as_str()))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect()
}

/// The changes of one workspace: to create when `live` is `None`.
fn plan_workspace(entry: &DesiredWorkspace, live: Option<&Live>) -> Result<Vec<Change>, PlanError> {
    let slug = &entry.slug;
    let unreachable = |reason: String| PlanError::Unreachable {
        workspace: slug.clone(),
        reason,
    };
    let settings = budget_settings(entry);
    let mut changes = Vec::new();
    match live {
        None => {
            if !entry.fields.contains_key("name") {
                return Err(unreachable(
                    "it does not exist yet, and creating it needs a `name`".into(),
                ));
            }
            let mut fields: Map<String, Value> = entry
                .fields
                .iter()
                .filter(|(name, _)| !settings.contains_key(*name))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect();
            fields.insert("slug".into(), Value::String(slug.clone()));
            changes.push(Change::Create {
                workspace: slug.clone(),
                fields,
                members: entry.members.clone(),
            });
        }
        Some(live) => {
            let fields: Vec<FieldChange> = entry
                .fields
                .iter()
                .filter(|(name, _)| !settings.contains_key(*name))
                .filter_map(|(name, new)| {
                    let old = live.fields.get(name).cloned().unwrap_or(Value::Null);
                    (!same_value(&old, new)).then(|| FieldChange {
                        field: name.clone(),
                        old,
                        new: new.clone(),
                    })
                })
                .collect();
            if !fields.is_empty() {
                changes.push(Change::Update {
                    workspace: slug.clone(),
                    fields,
                });
            }
        }
    }
    changes.extend(plan_budgets(entry, live, &settings).map_err(unreachable)?);
    if let (Some(live), Some(wanted)) = (live, &entry.members) {
        let current = live.members.as_deref().unwrap_or_default();
        let add: Vec<String> = wanted
            .iter()
            .filter(|u| !current.contains(u))
            .cloned()
            .collect();
        let remove: Vec<String> = current
            .iter()
            .filter(|u| !wanted.contains(u))
            .cloned()
            .collect();
        if !add.is_empty() {
            changes.push(Change::AddMembers {
                workspace: slug.clone(),
                users: add,
            });
        }
        if !remove.is_empty() {
            changes.push(Change::RemoveMembers {
                workspace: slug.clone(),
                users: remove,
            });
        }
    }
    Ok(changes)
}

/// The budget writes of one workspace, in an order valid at every step, with the
/// BYOK setting sent along the first one (or with a rewrite of an unchanged budget).
fn plan_budgets(
    entry: &DesiredWorkspace,
    live: Option<&Live>,
    settings: &Map<String, Value>,
) -> Result<Vec<Change>, String> {
    let intervals = budgets::intervals();
    let from: Limits = live
        .and_then(|l| l.budgets.clone())
        .unwrap_or_else(budgets::none);
    let mut to = from.clone();
    for (interval, limit) in entry.budgets.iter().flatten() {
        if let Some(position) = budgets::position(interval) {
            to[position] = *limit;
        }
    }
    if let Some((shorter, longer)) = budgets::first_violation(&to) {
        return Err(format!(
            "its budgets would be out of order with the ones the file leaves alone: {} {} must be below {} {}",
            intervals[shorter],
            money(to[shorter].unwrap_or_default()),
            intervals[longer],
            money(to[longer].unwrap_or_default()),
        ));
    }
    let byok = match settings.get("include_byok_in_budgets") {
        Some(Value::Bool(wanted)) => {
            let current = live.and_then(|l| l.fields.get("include_byok_in_budgets"));
            (current != Some(&Value::Bool(*wanted))).then_some(*wanted)
        }
        _ => None,
    };
    let slug = &entry.slug;
    let mut changes: Vec<Change> = budgets::order(&from, &to)
        .into_iter()
        .map(|step| match step {
            Step::Set(i, new) => Change::SetBudget {
                workspace: slug.clone(),
                interval: intervals[i].clone(),
                old: from[i],
                new,
                include_byok_in_budgets: None,
            },
            Step::Delete(i) => Change::DeleteBudget {
                workspace: slug.clone(),
                interval: intervals[i].clone(),
                old: from[i].unwrap_or_default(),
            },
        })
        .collect();
    if let Some(wanted) = byok {
        let carrier = changes.iter_mut().find_map(|c| match c {
            Change::SetBudget {
                include_byok_in_budgets,
                ..
            } => Some(include_byok_in_budgets),
            _ => None,
        });
        match carrier {
            Some(slot) => *slot = Some(wanted),
            None => {
                let Some(i) = (0..to.len()).rev().find(|i| to[*i].is_some()) else {
                    return Err(
                        "`include_byok_in_budgets` is set through a budget, and it would have none"
                            .into(),
                    );
                };
                let limit = to[i].unwrap_or_default();
                changes.push(Change::SetBudget {
                    workspace: slug.clone(),
                    interval: intervals[i].clone(),
                    old: Some(limit),
                    new: limit,
                    include_byok_in_budgets: Some(wanted),
                });
            }
        }
    }
    Ok(changes)
}
