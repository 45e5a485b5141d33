//! The in-memory organisation: its workspaces, budgets and members, stored as records
//! shaped by the document's models ([`crate::records`]). Each operation checks the business
//! rules ([`crate::rules`]) before it changes anything, and changes nothing when one is
//! broken: it returns a [`Rejection`] (status and message), which the caller turns into the
//! documented error body.

use std::collections::HashSet;
use std::time::SystemTime;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::document::{budget_model, member_model, workspace_model};
use crate::records::{self, Record, text};
use crate::rules::{self, INCLUDE_BYOK, LIMIT, SLUG, UPDATED_AT, USER_ID};

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

/// The settings the state starts from (taken from the emulator's configuration).
pub(crate) struct Seed {
    /// The organisation's users: id and organisation role, as the API writes it (`admin`).
    pub(crate) users: Vec<(String, String)>,
    pub(crate) keyed_workspaces: Vec<String>,
    pub(crate) keyed_members: Vec<String>,
    /// Whether the caller is enabled for deleting the default workspace.
    pub(crate) default_deletion_allowed: bool,
}

struct Entry {
    workspace: Record,
    is_default: bool,
    /// Set when the workspace was created with a slug configured as holding active keys.
    has_keys: bool,
    /// The workspace-wide BYOK setting, for a document whose `Workspace` does not carry it.
    byok: bool,
    /// By interval, in the order they were first set.
    budgets: Vec<(String, Record)>,
    /// Explicit memberships, in the order they were created. For the default workspace
    /// these are every organisation user's, made at start.
    members: Vec<Record>,
}

impl Entry {
    fn id(&self) -> &str {
        text(&self.workspace, "id")
    }

    fn slug(&self) -> &str {
        text(&self.workspace, SLUG)
    }

    /// The workspace-wide BYOK setting: the workspace's field when its model has one.
    fn byok(&self) -> bool {
        self.workspace
            .get(INCLUDE_BYOK)
            .and_then(Value::as_bool)
            .unwrap_or(self.byok)
    }

    fn set_byok(&mut self, flag: bool) {
        self.byok = flag;
        if let Some(field) = self.workspace.get_mut(INCLUDE_BYOK) {
            *field = Value::Bool(flag);
        }
    }

    fn budget(&self, interval: &str) -> Option<usize> {
        self.budgets.iter().position(|(i, _)| i == interval)
    }

    fn no_budget(&self, interval: &str) -> Rejection {
        Rejection::not_found(format!(
            "no {interval} budget is set for workspace {}",
            self.slug()
        ))
    }

    fn is_member(&self, user: &str) -> bool {
        self.members.iter().any(|m| text(m, USER_ID) == user)
    }
}

/// The whole organisation.
pub(crate) struct State {
    users: Vec<(String, String)>,
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
        let creator = rules::creator(&seed.users);
        let mut state = State {
            users: seed.users,
            creator,
            keyed_workspaces: seed.keyed_workspaces.into_iter().collect(),
            keyed_members: seed.keyed_members.into_iter().collect(),
            default_deletion_allowed: seed.default_deletion_allowed,
            entries: Vec::new(),
        };
        let workspace = state.new_workspace("Default", "default", &now);
        let members = state
            .users
            .iter()
            .map(|(user, role)| membership(text(&workspace, "id"), user, role, &now))
            .collect();
        state.push(workspace, true, members);
        state
    }

    /// A workspace record with the server's values and the document's defaults.
    fn new_workspace(&self, name: &str, slug: &str, now: &str) -> Record {
        let fields = rules::new_workspace_fields(name, slug, self.creator.as_deref(), now);
        records::new(workspace_model(), fields)
    }

    fn push(&mut self, workspace: Record, is_default: bool, members: Vec<Record>) {
        let slug = text(&workspace, SLUG);
        self.entries.push(Entry {
            has_keys: self.keyed_workspaces.contains(slug),
            byok: workspace
                .get(INCLUDE_BYOK)
                .and_then(Value::as_bool)
                .unwrap_or(false),
            workspace,
            is_default,
            budgets: Vec::new(),
            members,
        });
    }

    fn find(&self, key: &str) -> Outcome<&Entry> {
        self.position(key).map(|i| &self.entries[i])
    }

    /// Looks a workspace up by id first (any case), then by slug.
    fn position(&self, key: &str) -> Outcome<usize> {
        if let Ok(id) = Uuid::parse_str(key)
            && let Some(i) = self.entries.iter().position(|e| e.id() == id.to_string())
        {
            return Ok(i);
        }
        self.entries
            .iter()
            .position(|e| e.slug() == key)
            .ok_or_else(|| Rejection::not_found(format!("workspace not found: {key}")))
    }

    /// Whether a workspace other than the one at `except` has this slug.
    fn slug_taken(&self, slug: &str, except: Option<usize>) -> bool {
        self.entries
            .iter()
            .enumerate()
            .any(|(i, e)| e.slug() == slug && Some(i) != except)
    }

    // ----- workspaces -----

    /// One page of workspaces, in creation order, and the total count.
    pub(crate) fn list_workspaces(&self, offset: usize, limit: usize) -> (Vec<Record>, usize) {
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
    pub(crate) fn all_workspaces(&self) -> Vec<Record> {
        self.entries.iter().map(|e| e.workspace.clone()).collect()
    }

    /// Creates a workspace from a checked create body; its creator (the first admin user)
    /// becomes its first member.
    pub(crate) fn create_workspace(&mut self, body: &Map<String, Value>) -> Outcome<Record> {
        rules::check_provider_sort(body)?;
        let slug = text(body, SLUG);
        rules::check_slug_free(slug, self.slug_taken(slug, None))?;
        let now = now_rfc3339();
        let mut workspace = self.new_workspace(text(body, "name"), slug, &now);
        records::apply(workspace_model(), &mut workspace, body)?;
        let members = self
            .creator
            .iter()
            .map(|user| {
                let role = self.role_of(user).unwrap_or("admin");
                membership(text(&workspace, "id"), user, role, &now)
            })
            .collect();
        self.push(workspace.clone(), false, members);
        Ok(workspace)
    }

    /// One workspace by id or slug.
    pub(crate) fn get_workspace(&self, key: &str) -> Outcome<Record> {
        self.find(key).map(|e| e.workspace.clone())
    }

    /// Applies a checked update body; nothing changes when a rule is broken.
    pub(crate) fn update_workspace(
        &mut self,
        key: &str,
        body: &Map<String, Value>,
    ) -> Outcome<Record> {
        let index = self.position(key)?;
        rules::check_provider_sort(body)?;
        if let Some(Value::String(slug)) = body.get(SLUG) {
            rules::check_slug_free(slug, self.slug_taken(slug, Some(index)))?;
        }
        let entry = &mut self.entries[index];
        let mut workspace = entry.workspace.clone();
        records::apply(workspace_model(), &mut workspace, body)?;
        if let Some(updated) = workspace.get_mut(UPDATED_AT) {
            *updated = now_rfc3339().into();
        }
        entry.workspace = workspace;
        if let Some(Value::Bool(flag)) = body.get(INCLUDE_BYOK) {
            entry.set_byok(*flag);
        }
        Ok(entry.workspace.clone())
    }

    /// Deletes a workspace with its budgets and memberships, by the rules of
    /// [`rules::check_deletion`]; `confirmed` is the confirmation parameter as sent.
    pub(crate) fn delete_workspace(&mut self, key: &str, confirmed: Option<bool>) -> Outcome<()> {
        let index = self.position(key)?;
        let entry = &self.entries[index];
        rules::check_deletion(&rules::Deletion {
            is_default: entry.is_default,
            default_allowed: self.default_deletion_allowed,
            confirmed,
            has_keys: entry.has_keys || self.keyed_workspaces.contains(entry.slug()),
            slug: entry.slug().to_string(),
        })?;
        self.entries.remove(index);
        Ok(())
    }

    // ----- budgets -----

    /// Every budget of a workspace (ordered intervals narrowest first, then the others) and
    /// its BYOK setting.
    pub(crate) fn list_budgets(&self, key: &str) -> Outcome<(Vec<Record>, bool)> {
        let entry = self.find(key)?;
        let mut budgets: Vec<&(String, Record)> = entry.budgets.iter().collect();
        budgets.sort_by_key(|(interval, _)| rules::listing_rank(interval));
        let budgets = budgets.into_iter().map(|(_, b)| b.clone()).collect();
        Ok((budgets, entry.byok()))
    }

    /// The budget for one interval and the BYOK setting.
    pub(crate) fn get_budget(&self, key: &str, interval: &str) -> Outcome<(Record, bool)> {
        let entry = self.find(key)?;
        match entry.budget(interval) {
            Some(i) => Ok((entry.budgets[i].1.clone(), entry.byok())),
            None => Err(entry.no_budget(interval)),
        }
    }

    /// Creates or replaces the budget for one interval from a checked budget body, keeping
    /// the limits ordered; sets the workspace-wide BYOK setting when the body sends it.
    pub(crate) fn upsert_budget(
        &mut self,
        key: &str,
        interval: &str,
        body: &Map<String, Value>,
    ) -> Outcome<(Record, bool)> {
        let index = self.position(key)?;
        let entry = &mut self.entries[index];
        if let Some(limit) = body.get(LIMIT).and_then(Value::as_f64) {
            let others = entry
                .budgets
                .iter()
                .filter_map(|(i, b)| Some((i.as_str(), b.get(LIMIT)?.as_f64()?)));
            rules::check_budget_order(interval, limit, others)?;
        }
        let now = now_rfc3339();
        let model = budget_model();
        let budget = match entry.budget(interval) {
            Some(i) => {
                let mut budget = entry.budgets[i].1.clone();
                records::apply(model, &mut budget, body)?;
                if let Some(updated) = budget.get_mut(UPDATED_AT) {
                    *updated = now.into();
                }
                entry.budgets[i].1 = budget.clone();
                budget
            }
            None => {
                let fields = rules::new_budget_fields(entry.id(), interval, &now);
                let mut budget = records::new(model, fields);
                records::apply(model, &mut budget, body)?;
                entry.budgets.push((interval.to_string(), budget.clone()));
                budget
            }
        };
        if let Some(flag) = rules::requested_byok(body) {
            entry.set_byok(flag);
        }
        Ok((budget, entry.byok()))
    }

    /// Deletes the budget for one interval; 404 when there is none.
    pub(crate) fn delete_budget(&mut self, key: &str, interval: &str) -> Outcome<()> {
        let index = self.position(key)?;
        let entry = &mut self.entries[index];
        match entry.budget(interval) {
            Some(i) => {
                entry.budgets.remove(i);
                Ok(())
            }
            None => Err(entry.no_budget(interval)),
        }
    }

    /// Every budget of a workspace.
    pub(crate) fn all_budgets(&self, key: &str) -> Outcome<Vec<Record>> {
        self.list_budgets(key).map(|(b, _)| b)
    }

    // ----- members -----

    fn role_of(&self, user: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|(id, _)| id == user)
            .map(|(_, role)| role.as_str())
    }

    /// One page of a workspace's members and the total count. The default workspace lists
    /// every organisation user.
    pub(crate) fn list_members(
        &self,
        key: &str,
        offset: usize,
        limit: usize,
    ) -> Outcome<(Vec<Record>, usize)> {
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
    pub(crate) fn all_members(&self, key: &str) -> Outcome<Vec<Record>> {
        self.find(key).map(|e| e.members.clone())
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
    ) -> Outcome<(Vec<Record>, usize)> {
        let index = self.position(key)?;
        let roles = rules::roles_to_add(&self.users, user_ids)?;
        let now = now_rfc3339();
        let entry = &mut self.entries[index];
        let mut result: Vec<Record> = Vec::with_capacity(user_ids.len());
        let mut created = 0;
        for (user, role) in user_ids.iter().zip(roles) {
            if result.iter().any(|m| text(m, USER_ID) == user) {
                continue;
            }
            if let Some(existing) = entry.members.iter().find(|m| text(m, USER_ID) == user) {
                result.push(existing.clone());
            } else {
                let m = membership(entry.id(), user, &role, &now);
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
        let index = self.position(key)?;
        let entry = &self.entries[index];
        let keyed = user_ids
            .iter()
            .find(|u| self.keyed_members.contains(*u) && entry.is_member(u));
        rules::check_removal(entry.is_default, keyed.map(String::as_str), entry.slug())?;
        let entry = &mut self.entries[index];
        let before = entry.members.len();
        entry
            .members
            .retain(|m| !user_ids.iter().any(|u| u == text(m, USER_ID)));
        Ok(before - entry.members.len())
    }
}

/// A membership record.
fn membership(workspace_id: &str, user: &str, role: &str, now: &str) -> Record {
    records::new(
        member_model(),
        rules::new_member_fields(workspace_id, user, role, now),
    )
}

/// The current time as an RFC 3339 UTC timestamp with milliseconds,
/// like `2026-03-14T09:26:53.000Z`.
pub(crate) fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state() -> State {
        State::new(Seed {
            users: vec![
                ("user_alice".into(), "admin".into()),
                ("user_bob".into(), "member".into()),
            ],
            keyed_workspaces: vec![],
            keyed_members: vec![],
            default_deletion_allowed: false,
        })
    }

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 24, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[19] == b'.', "{now}");
        assert!(humantime::parse_rfc3339(&now).is_ok(), "{now}");
    }

    #[test]
    fn budgets_of_an_interval_the_ordering_does_not_know_are_kept_apart() {
        let mut s = state();
        let limit = |usd: f64| body(json!({ "limit_usd": usd }));
        s.upsert_budget("default", "weekly", &limit(50.0)).unwrap();
        // Far above and far below the weekly limit: neither is compared with it.
        let (quarterly, _) = s
            .upsert_budget("default", "quarterly", &limit(1.0))
            .unwrap();
        assert_eq!(quarterly["reset_interval"], "quarterly");
        s.upsert_budget("default", "quarterly", &limit(1e6))
            .unwrap();
        // The ordered intervals still are.
        s.upsert_budget("default", "daily", &limit(60.0))
            .unwrap_err();
        s.upsert_budget("default", "daily", &limit(5.0)).unwrap();
        let (listed, _) = s.list_budgets("default").unwrap();
        let intervals: Vec<&Value> = listed.iter().map(|b| &b["reset_interval"]).collect();
        assert_eq!(
            intervals,
            [&json!("daily"), &json!("weekly"), &json!("quarterly")]
        );
        let (got, _) = s.get_budget("default", "quarterly").unwrap();
        assert_eq!(got["limit_usd"], 1e6);
        s.delete_budget("default", "quarterly").unwrap();
        assert_eq!(
            s.delete_budget("default", "quarterly").unwrap_err().status,
            404
        );
    }

    #[test]
    fn replacing_a_budget_keeps_its_id_and_the_byok_setting_is_workspace_wide() {
        let mut s = state();
        let (a, byok) = s
            .upsert_budget("default", "daily", &body(json!({"limit_usd": 10.0})))
            .unwrap();
        assert!(!byok);
        let (b, byok) = s
            .upsert_budget(
                "default",
                "daily",
                &body(json!({"limit_usd": 11.0, "include_byok_in_budgets": true})),
            )
            .unwrap();
        assert_eq!(a["id"], b["id"]);
        assert_eq!(b["limit_usd"], 11.0);
        assert!(byok);
        assert_eq!(s.get_workspace("default").unwrap()[INCLUDE_BYOK], true);
        assert!(!b.contains_key(INCLUDE_BYOK), "a budget does not carry it");
    }
}
