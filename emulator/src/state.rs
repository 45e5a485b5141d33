//! The in-memory model of one organisation's workspaces, budgets and members, and the
//! rules the API enforces on them.
//!
//! Everything here works on the library's generated models. Methods return a
//! [`Rejection`] (status and message) when a rule is broken; the caller turns it into the
//! documented error body.

use std::collections::HashSet;
use std::time::SystemTime;

use openrouter_workspaces::types::{
    CreateWorkspaceRequest, Workspace, WorkspaceBudget, WorkspaceBudgetInterval,
    WorkspaceBudgetResetInterval, WorkspaceMember, WorkspaceMemberRole,
};
use uuid::Uuid;

/// A broken rule: the HTTP status to answer with and a readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: u16,
    pub(crate) message: String,
}

impl Rejection {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Rejection {
            status: 400,
            message: message.into(),
        }
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Rejection {
            status: 403,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Rejection {
            status: 404,
            message: message.into(),
        }
    }
}

/// Result of an operation on the state.
pub(crate) type Outcome<T> = Result<T, Rejection>;

/// Longest workspace name, in characters.
pub(crate) const NAME_MAX: usize = 100;
/// Longest slug, in characters.
pub(crate) const SLUG_MAX: usize = 50;
/// Longest description, in characters.
pub(crate) const DESCRIPTION_MAX: usize = 500;
/// Smallest I/O logging sampling rate.
pub(crate) const SAMPLING_RATE_MIN: f64 = 0.0001;
/// Most user ids in one bulk member call.
pub(crate) const USER_IDS_MAX: usize = 100;
/// Accepted values of `default_provider_sort`.
pub(crate) const PROVIDER_SORTS: [&str; 4] = ["price", "throughput", "latency", "exacto"];

/// The budget intervals, from the narrowest to the widest; a budget's limit must be
/// strictly smaller than that of every wider interval.
const INTERVALS: [WorkspaceBudgetInterval; 4] = [
    WorkspaceBudgetInterval::Daily,
    WorkspaceBudgetInterval::Weekly,
    WorkspaceBudgetInterval::Monthly,
    WorkspaceBudgetInterval::Lifetime,
];

/// The interval's place in [`INTERVALS`].
fn rank(interval: &WorkspaceBudgetInterval) -> usize {
    match interval {
        WorkspaceBudgetInterval::Daily => 0,
        WorkspaceBudgetInterval::Weekly => 1,
        WorkspaceBudgetInterval::Monthly => 2,
        WorkspaceBudgetInterval::Lifetime => 3,
        WorkspaceBudgetInterval::Unknown(value) => {
            unreachable!("the routes refuse an interval the document does not list: {value}")
        }
    }
}

fn reset_interval(interval: &WorkspaceBudgetInterval) -> Option<WorkspaceBudgetResetInterval> {
    [
        Some(WorkspaceBudgetResetInterval::Daily),
        Some(WorkspaceBudgetResetInterval::Weekly),
        Some(WorkspaceBudgetResetInterval::Monthly),
        None,
    ][rank(interval)]
    .clone()
}

/// The settings the state starts from (taken from the emulator's configuration).
pub(crate) struct Seed {
    pub(crate) users: Vec<(String, WorkspaceMemberRole)>,
    pub(crate) keyed_workspaces: Vec<String>,
    pub(crate) keyed_members: Vec<String>,
    /// Whether the caller is enabled for deleting the default workspace.
    pub(crate) default_deletion_allowed: bool,
}

/// The query parameter that confirms the deletion of the default workspace.
pub(crate) const CONFIRM_DEFAULT_DELETION: &str = "confirm_default_workspace_deletion";

/// A change to a workspace: `None` leaves a field as it is; for nullable fields
/// `Some(None)` clears it.
#[derive(Default, Debug)]
pub(crate) struct WorkspacePatch {
    pub(crate) name: Option<String>,
    pub(crate) slug: Option<String>,
    pub(crate) description: Option<Option<String>>,
    pub(crate) default_text_model: Option<Option<String>>,
    pub(crate) default_image_model: Option<Option<String>>,
    pub(crate) default_provider_sort: Option<Option<String>>,
    pub(crate) io_logging_api_key_ids: Option<Option<Vec<i64>>>,
    pub(crate) io_logging_sampling_rate: Option<f64>,
    pub(crate) is_data_discount_logging_enabled: Option<bool>,
    pub(crate) is_observability_broadcast_enabled: Option<bool>,
    pub(crate) is_observability_io_logging_enabled: Option<bool>,
}

struct Entry {
    workspace: Workspace,
    is_default: bool,
    /// Set when the workspace was created with a slug configured as holding active keys.
    has_keys: bool,
    /// Indexed by [`rank`].
    budgets: [Option<WorkspaceBudget>; 4],
    /// Explicit memberships, in the order they were created. For the default workspace
    /// these are every organisation user's, made at start.
    members: Vec<WorkspaceMember>,
}

/// The whole organisation.
pub(crate) struct State {
    users: Vec<(String, WorkspaceMemberRole)>,
    creator: Option<String>,
    keyed_workspaces: HashSet<String>,
    keyed_members: HashSet<String>,
    default_deletion_allowed: bool,
    entries: Vec<Entry>,
}

impl State {
    /// A fresh organisation with only its default workspace.
    pub(crate) fn new(seed: Seed) -> State {
        let now = now_rfc3339();
        let creator = seed
            .users
            .iter()
            .find(|(_, role)| *role == WorkspaceMemberRole::Admin)
            .map(|(id, _)| id.clone());
        let workspace = new_workspace(
            "Default".to_string(),
            "default".to_string(),
            creator.clone(),
            &now,
        );
        let members = seed
            .users
            .iter()
            .map(|(user, role)| membership(&workspace.id, user, role.clone(), &now))
            .collect();
        let keyed_workspaces: HashSet<String> = seed.keyed_workspaces.into_iter().collect();
        let entry = Entry {
            has_keys: keyed_workspaces.contains("default"),
            workspace,
            is_default: true,
            budgets: Default::default(),
            members,
        };
        State {
            users: seed.users,
            creator,
            keyed_workspaces,
            keyed_members: seed.keyed_members.into_iter().collect(),
            default_deletion_allowed: seed.default_deletion_allowed,
            entries: vec![entry],
        }
    }

    fn find(&self, key: &str) -> Outcome<&Entry> {
        self.position(key).map(|i| &self.entries[i])
    }

    fn find_mut(&mut self, key: &str) -> Outcome<&mut Entry> {
        let i = self.position(key)?;
        Ok(&mut self.entries[i])
    }

    /// Looks a workspace up by id first, then by slug.
    fn position(&self, key: &str) -> Outcome<usize> {
        if let Ok(id) = Uuid::parse_str(key)
            && let Some(i) = self
                .entries
                .iter()
                .position(|e| e.workspace.id == id.to_string())
        {
            return Ok(i);
        }
        self.entries
            .iter()
            .position(|e| e.workspace.slug == key)
            .ok_or_else(|| Rejection::not_found(format!("workspace not found: {key}")))
    }

    fn slug_taken(&self, slug: &str, except: Option<&str>) -> bool {
        self.entries
            .iter()
            .any(|e| e.workspace.slug == slug && Some(e.workspace.id.as_str()) != except)
    }

    // ----- workspaces -----

    /// One page of workspaces, in creation order, and the total count.
    pub(crate) fn list_workspaces(&self, offset: usize, limit: usize) -> (Vec<Workspace>, usize) {
        let page = self
            .entries
            .iter()
            .skip(offset)
            .take(limit)
            .map(|e| e.workspace.clone())
            .collect();
        (page, self.entries.len())
    }

    /// Every workspace, in creation order.
    pub(crate) fn all_workspaces(&self) -> Vec<Workspace> {
        self.entries.iter().map(|e| e.workspace.clone()).collect()
    }

    /// Creates a workspace; its creator (the first admin user) becomes its first member.
    pub(crate) fn create_workspace(&mut self, req: CreateWorkspaceRequest) -> Outcome<Workspace> {
        validate_name(&req.name)?;
        validate_slug(&req.slug)?;
        if let Some(d) = req.description.value() {
            validate_description(d)?;
        }
        if let Some(rate) = req.io_logging_sampling_rate {
            validate_sampling_rate(rate)?;
        }
        if let Some(sort) = req.default_provider_sort.value() {
            validate_provider_sort(sort)?;
        }
        if self.slug_taken(&req.slug, None) {
            return Err(Rejection::bad_request(format!(
                "slug already in use: {}",
                req.slug
            )));
        }
        let now = now_rfc3339();
        let mut workspace = new_workspace(req.name, req.slug, self.creator.clone(), &now);
        workspace.description = req.description.into_value();
        workspace.default_text_model = req.default_text_model.into_value();
        workspace.default_image_model = req.default_image_model.into_value();
        workspace.default_provider_sort = req.default_provider_sort.into_value();
        workspace.io_logging_api_key_ids = req.io_logging_api_key_ids.into_value();
        if let Some(rate) = req.io_logging_sampling_rate {
            workspace.io_logging_sampling_rate = rate;
        }
        if let Some(v) = req.is_data_discount_logging_enabled {
            workspace.is_data_discount_logging_enabled = v;
        }
        if let Some(v) = req.is_observability_broadcast_enabled {
            workspace.is_observability_broadcast_enabled = v;
        }
        if let Some(v) = req.is_observability_io_logging_enabled {
            workspace.is_observability_io_logging_enabled = v;
        }
        let members = self
            .creator
            .iter()
            .map(|user| {
                let role = self.role_of(user).unwrap_or(WorkspaceMemberRole::Admin);
                membership(&workspace.id, user, role, &now)
            })
            .collect();
        self.entries.push(Entry {
            has_keys: self.keyed_workspaces.contains(&workspace.slug),
            workspace: workspace.clone(),
            is_default: false,
            budgets: Default::default(),
            members,
        });
        Ok(workspace)
    }

    /// One workspace by id or slug.
    pub(crate) fn get_workspace(&self, key: &str) -> Outcome<Workspace> {
        self.find(key).map(|e| e.workspace.clone())
    }

    /// Applies a patch after validating all of it; nothing changes when a field is invalid.
    pub(crate) fn update_workspace(
        &mut self,
        key: &str,
        patch: WorkspacePatch,
    ) -> Outcome<Workspace> {
        let index = self.position(key)?;
        if let Some(name) = &patch.name {
            validate_name(name)?;
        }
        if let Some(slug) = &patch.slug {
            validate_slug(slug)?;
            if self.slug_taken(slug, Some(&self.entries[index].workspace.id)) {
                return Err(Rejection::bad_request(format!(
                    "slug already in use: {slug}"
                )));
            }
        }
        if let Some(Some(d)) = &patch.description {
            validate_description(d)?;
        }
        if let Some(rate) = patch.io_logging_sampling_rate {
            validate_sampling_rate(rate)?;
        }
        if let Some(Some(sort)) = &patch.default_provider_sort {
            validate_provider_sort(sort)?;
        }
        let ws = &mut self.entries[index].workspace;
        if let Some(v) = patch.name {
            ws.name = v;
        }
        if let Some(v) = patch.slug {
            ws.slug = v;
        }
        if let Some(v) = patch.description {
            ws.description = v;
        }
        if let Some(v) = patch.default_text_model {
            ws.default_text_model = v;
        }
        if let Some(v) = patch.default_image_model {
            ws.default_image_model = v;
        }
        if let Some(v) = patch.default_provider_sort {
            ws.default_provider_sort = v;
        }
        if let Some(v) = patch.io_logging_api_key_ids {
            ws.io_logging_api_key_ids = v;
        }
        if let Some(v) = patch.io_logging_sampling_rate {
            ws.io_logging_sampling_rate = v;
        }
        if let Some(v) = patch.is_data_discount_logging_enabled {
            ws.is_data_discount_logging_enabled = v;
        }
        if let Some(v) = patch.is_observability_broadcast_enabled {
            ws.is_observability_broadcast_enabled = v;
        }
        if let Some(v) = patch.is_observability_io_logging_enabled {
            ws.is_observability_io_logging_enabled = v;
        }
        ws.updated_at = Some(now_rfc3339());
        Ok(ws.clone())
    }

    /// Deletes a workspace with its budgets and memberships.
    ///
    /// The default workspace is refused (403) unless the caller is enabled for deleting it;
    /// then `confirmed` (the query parameter [`CONFIRM_DEFAULT_DELETION`] set to `true`) is
    /// required (400 without it). `confirmed` changes nothing for other workspaces.
    pub(crate) fn delete_workspace(&mut self, key: &str, confirmed: bool) -> Outcome<()> {
        let index = self.position(key)?;
        let entry = &self.entries[index];
        if entry.is_default && !self.default_deletion_allowed {
            return Err(Rejection::forbidden(
                "the default workspace cannot be deleted (deleting it is not enabled for this organisation)",
            ));
        }
        if entry.is_default && !confirmed {
            return Err(Rejection::bad_request(format!(
                "`{CONFIRM_DEFAULT_DELETION}` must be true to delete the default workspace: \
                 its settings are deleted with it"
            )));
        }
        if entry.has_keys || self.keyed_workspaces.contains(&entry.workspace.slug) {
            return Err(Rejection::bad_request(format!(
                "workspace {} still has active API keys; delete them before deleting the workspace",
                entry.workspace.slug
            )));
        }
        self.entries.remove(index);
        Ok(())
    }

    // ----- budgets -----

    /// Every budget of a workspace (daily, weekly, monthly, lifetime order) and its BYOK flag.
    pub(crate) fn list_budgets(&self, key: &str) -> Outcome<(Vec<WorkspaceBudget>, bool)> {
        let entry = self.find(key)?;
        let budgets = entry.budgets.iter().flatten().cloned().collect();
        Ok((budgets, byok(&entry.workspace)))
    }

    /// The budget for one interval and the BYOK flag.
    pub(crate) fn get_budget(
        &self,
        key: &str,
        interval: WorkspaceBudgetInterval,
    ) -> Outcome<(WorkspaceBudget, bool)> {
        let entry = self.find(key)?;
        match &entry.budgets[rank(&interval)] {
            Some(b) => Ok((b.clone(), byok(&entry.workspace))),
            None => Err(Rejection::not_found(format!(
                "no {interval} budget is set for workspace {}",
                entry.workspace.slug
            ))),
        }
    }

    /// Creates or replaces the budget for one interval, keeping the limits ordered.
    pub(crate) fn upsert_budget(
        &mut self,
        key: &str,
        interval: WorkspaceBudgetInterval,
        limit_usd: f64,
        include_byok: Option<bool>,
    ) -> Outcome<(WorkspaceBudget, bool)> {
        let index = self.position(key)?;
        if !limit_usd.is_finite() || limit_usd <= 0.0 {
            return Err(Rejection::bad_request(format!(
                "`limit_usd` must be a finite number greater than 0 (got {limit_usd})"
            )));
        }
        let entry = &mut self.entries[index];
        let r = rank(&interval);
        for (s, other) in entry.budgets.iter().enumerate() {
            let Some(other) = other else { continue };
            if s == r {
                continue;
            }
            let (narrow, narrow_limit, wide, wide_limit) = if s < r {
                (
                    INTERVALS[s].clone(),
                    other.limit_usd,
                    interval.clone(),
                    limit_usd,
                )
            } else {
                (
                    interval.clone(),
                    limit_usd,
                    INTERVALS[s].clone(),
                    other.limit_usd,
                )
            };
            if narrow_limit >= wide_limit {
                return Err(Rejection::bad_request(format!(
                    "`limit_usd` {limit_usd} for the {interval} budget conflicts with the {} budget of {}: \
                     the {narrow} limit ({narrow_limit}) must be less than the {wide} limit ({wide_limit}); \
                     limits must decrease as the interval narrows (lifetime > monthly > weekly > daily)",
                    INTERVALS[s], other.limit_usd
                )));
            }
        }
        let now = now_rfc3339();
        let workspace_id = entry.workspace.id.clone();
        let budget = match &mut entry.budgets[r] {
            Some(existing) => {
                existing.limit_usd = limit_usd;
                existing.updated_at = now;
                existing.clone()
            }
            slot @ None => slot
                .insert(WorkspaceBudget {
                    created_at: now.clone(),
                    id: new_id().to_string(),
                    limit_usd,
                    reset_interval: reset_interval(&interval),
                    updated_at: now,
                    workspace_id,
                    extra: Default::default(),
                })
                .clone(),
        };
        if let Some(flag) = include_byok {
            entry.workspace.include_byok_in_budgets = Some(flag);
        }
        Ok((budget, byok(&entry.workspace)))
    }

    /// Deletes the budget for one interval; 404 when there is none.
    pub(crate) fn delete_budget(
        &mut self,
        key: &str,
        interval: WorkspaceBudgetInterval,
    ) -> Outcome<()> {
        let entry = self.find_mut(key)?;
        match entry.budgets[rank(&interval)].take() {
            Some(_) => Ok(()),
            None => Err(Rejection::not_found(format!(
                "no {interval} budget is set for workspace {}",
                entry.workspace.slug
            ))),
        }
    }

    // ----- members -----

    fn role_of(&self, user: &str) -> Option<WorkspaceMemberRole> {
        self.users
            .iter()
            .find(|(id, _)| id == user)
            .map(|(_, role)| role.clone())
    }

    /// One page of a workspace's members and the total count. The default workspace lists
    /// every organisation user.
    pub(crate) fn list_members(
        &self,
        key: &str,
        offset: usize,
        limit: usize,
    ) -> Outcome<(Vec<WorkspaceMember>, usize)> {
        let entry = self.find(key)?;
        let page = entry
            .members
            .iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect();
        Ok((page, entry.members.len()))
    }

    /// Every member of a workspace.
    pub(crate) fn all_members(&self, key: &str) -> Outcome<Vec<WorkspaceMember>> {
        self.find(key).map(|e| e.members.clone())
    }

    /// Every budget of a workspace.
    pub(crate) fn all_budgets(&self, key: &str) -> Outcome<Vec<WorkspaceBudget>> {
        self.list_budgets(key).map(|(b, _)| b)
    }

    /// Adds organisation users to a workspace with their organisation role.
    ///
    /// Returns the memberships of every requested user (deduplicated, in request order),
    /// new and existing, and how many were created. Existing members are left as they are
    /// (their role already matches the organisation's), so they are neither created nor
    /// updated and do not count.
    pub(crate) fn add_members(
        &mut self,
        key: &str,
        user_ids: &[String],
    ) -> Outcome<(Vec<WorkspaceMember>, usize)> {
        validate_user_ids(user_ids)?;
        let index = self.position(key)?;
        let mut roles = Vec::with_capacity(user_ids.len());
        for user in user_ids {
            match self.role_of(user) {
                Some(role) => roles.push(role),
                None => {
                    return Err(Rejection::bad_request(format!(
                        "`user_ids`: {user} is not a member of the organisation"
                    )));
                }
            }
        }
        let now = now_rfc3339();
        let entry = &mut self.entries[index];
        let mut result: Vec<WorkspaceMember> = Vec::with_capacity(user_ids.len());
        let mut created = 0;
        for (user, role) in user_ids.iter().zip(roles) {
            if result.iter().any(|m| &m.user_id == user) {
                continue;
            }
            if let Some(existing) = entry.members.iter().find(|m| &m.user_id == user) {
                result.push(existing.clone());
            } else {
                let m = membership(&entry.workspace.id, user, role, &now);
                entry.members.push(m.clone());
                result.push(m);
                created += 1;
            }
        }
        Ok((result, created))
    }

    /// Removes users from a non-default workspace; returns how many memberships were
    /// removed. Users that are not members (or not organisation users at all) are skipped.
    /// Nothing is removed when one of the members still holds active API keys.
    pub(crate) fn remove_members(&mut self, key: &str, user_ids: &[String]) -> Outcome<usize> {
        validate_user_ids(user_ids)?;
        let index = self.position(key)?;
        let entry = &self.entries[index];
        if entry.is_default {
            return Err(Rejection::bad_request(
                "members cannot be removed from the default workspace: every organisation member belongs to it",
            ));
        }
        if let Some(user) = user_ids.iter().find(|u| {
            self.keyed_members.contains(*u) && entry.members.iter().any(|m| &m.user_id == *u)
        }) {
            return Err(Rejection::bad_request(format!(
                "`user_ids`: {user} still has active API keys in workspace {}; delete them first",
                entry.workspace.slug
            )));
        }
        let entry = &mut self.entries[index];
        let before = entry.members.len();
        entry.members.retain(|m| !user_ids.contains(&m.user_id));
        Ok(before - entry.members.len())
    }
}

fn byok(ws: &Workspace) -> bool {
    ws.include_byok_in_budgets.unwrap_or(false)
}

fn new_workspace(name: String, slug: String, creator: Option<String>, now: &str) -> Workspace {
    let id = new_id();
    Workspace {
        extra: Default::default(),
        created_at: now.to_string(),
        created_by: creator,
        default_guardrail_id: guardrail_id(id).to_string(),
        default_image_model: None,
        default_provider_sort: None,
        default_text_model: None,
        description: None,
        disabled_server_tools: None,
        id: id.to_string(),
        include_byok_in_budgets: Some(false),
        io_logging_api_key_ids: None,
        io_logging_sampling_rate: 1.0,
        is_data_discount_logging_enabled: false,
        is_observability_broadcast_enabled: false,
        is_observability_io_logging_enabled: false,
        name,
        slug,
        updated_at: None,
    }
}

fn membership(
    workspace_id: &str,
    user: &str,
    role: WorkspaceMemberRole,
    now: &str,
) -> WorkspaceMember {
    WorkspaceMember {
        created_at: now.to_string(),
        id: new_id().to_string(),
        role,
        user_id: user.to_string(),
        workspace_id: workspace_id.to_string(),
        extra: Default::default(),
    }
}

/// A fresh random (version 4) UUID.
pub(crate) fn new_id() -> Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

/// The default guardrail id, derived deterministically from the workspace id (as upstream
/// documents): the id's bytes reversed and mixed with a constant, stamped as a v4 UUID.
fn guardrail_id(id: Uuid) -> Uuid {
    const MIX: [u8; 16] = *b"or-ws-guardrail!";
    let mut bytes = *id.as_bytes();
    bytes.reverse();
    for (b, m) in bytes.iter_mut().zip(MIX) {
        *b ^= m;
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn validate_name(name: &str) -> Outcome<()> {
    let n = name.chars().count();
    if n == 0 || n > NAME_MAX {
        return Err(Rejection::bad_request(format!(
            "`name` must be 1 to {NAME_MAX} characters long (got {n})"
        )));
    }
    Ok(())
}

/// Checks the slug rule `^[a-z0-9]+(?:-[a-z0-9]+)*$`, 1 to 50 characters.
fn validate_slug(slug: &str) -> Outcome<()> {
    let n = slug.chars().count();
    if n == 0 || n > SLUG_MAX {
        return Err(Rejection::bad_request(format!(
            "`slug` must be 1 to {SLUG_MAX} characters long (got {n})"
        )));
    }
    let ok = slug.split('-').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !ok {
        return Err(Rejection::bad_request(format!(
            "`slug` must be groups of lowercase letters and digits joined by single hyphens \
             (^[a-z0-9]+(?:-[a-z0-9]+)*$), got {slug:?}"
        )));
    }
    Ok(())
}

fn validate_description(description: &str) -> Outcome<()> {
    let n = description.chars().count();
    if n > DESCRIPTION_MAX {
        return Err(Rejection::bad_request(format!(
            "`description` must be at most {DESCRIPTION_MAX} characters long (got {n})"
        )));
    }
    Ok(())
}

fn validate_sampling_rate(rate: f64) -> Outcome<()> {
    if !(SAMPLING_RATE_MIN..=1.0).contains(&rate) {
        return Err(Rejection::bad_request(format!(
            "`io_logging_sampling_rate` must be between {SAMPLING_RATE_MIN} and 1 (got {rate})"
        )));
    }
    Ok(())
}

fn validate_provider_sort(sort: &str) -> Outcome<()> {
    if !PROVIDER_SORTS.contains(&sort) {
        return Err(Rejection::bad_request(format!(
            "`default_provider_sort` must be one of price, throughput, latency, exacto (got {sort:?})"
        )));
    }
    Ok(())
}

fn validate_user_ids(user_ids: &[String]) -> Outcome<()> {
    if user_ids.is_empty() || user_ids.len() > USER_IDS_MAX {
        return Err(Rejection::bad_request(format!(
            "`user_ids` must hold 1 to {USER_IDS_MAX} items (got {})",
            user_ids.len()
        )));
    }
    Ok(())
}

/// The current time as an RFC 3339 UTC timestamp with milliseconds,
/// like `2026-03-14T09:26:53.000Z`.
pub(crate) fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(Seed {
            users: vec![
                ("user_alice".into(), WorkspaceMemberRole::Admin),
                ("user_bob".into(), WorkspaceMemberRole::Member),
            ],
            keyed_workspaces: vec![],
            keyed_members: vec![],
            default_deletion_allowed: false,
        })
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 24, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[19] == b'.', "{now}");
        assert!(humantime::parse_rfc3339(&now).is_ok(), "{now}");
    }

    #[test]
    fn slugs() {
        for ok in ["a", "a-b", "abc-123-x", "0"] {
            assert!(validate_slug(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a_b",
            "a b",
            "é",
            &"a".repeat(51),
        ] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn guardrail_id_is_deterministic_and_distinct() {
        let id = new_id();
        assert_eq!(guardrail_id(id), guardrail_id(id));
        assert_ne!(guardrail_id(id), id);
        assert_eq!(guardrail_id(id).get_version_num(), 4);
    }

    #[test]
    fn budget_order_is_checked_both_ways() {
        let mut s = state();
        use WorkspaceBudgetInterval::*;
        s.upsert_budget("default", Weekly, 50.0, None).unwrap();
        let err = s.upsert_budget("default", Daily, 100.0, None).unwrap_err();
        assert!(err.message.contains("daily") && err.message.contains("weekly"));
        let err = s.upsert_budget("default", Monthly, 50.0, None).unwrap_err();
        assert_eq!(err.status, 400);
        s.upsert_budget("default", Monthly, 50.01, Some(true))
            .unwrap();
        s.upsert_budget("default", Daily, 10.0, None).unwrap();
        // Replacing keeps the id.
        let (a, _) = s.get_budget("default", Daily).unwrap();
        let (b, byok) = s.upsert_budget("default", Daily, 11.0, None).unwrap();
        assert_eq!(a.id, b.id);
        assert!(byok);
    }
}
