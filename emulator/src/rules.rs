//! The business rules: what the emulator enforces that the OpenAPI document states only in
//! prose, or that depends on the organisation's state. Everything else a request must keep
//! (fields, types, nullability, enum values, lengths, patterns, ranges, item counts) comes
//! from the document, through `openrouter_workspaces::schema` (see [`crate::bodies`] and
//! [`crate::parameters`]).
//!
//! Each rule here is keyed to names: a field, a parameter, the budget intervals. A rule whose
//! name the emulator's document lacks is skipped, never a build failure, and
//! [`notes`] says so (the binary prints it at start). A value a rule does not know, such as a
//! budget interval with no place in the ordering, is accepted; only the rules that need its
//! place are skipped.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::document;
use crate::state::{Outcome, Rejection};

/// The budget intervals whose limits are ordered, from the narrowest to the widest: a
/// budget's limit must be strictly smaller than that of every wider interval
/// (lifetime > monthly > weekly > daily).
pub(crate) const INTERVAL_ORDER: [&str; 4] = ["daily", "weekly", "monthly", "lifetime"];

/// The interval of a one-off budget, which never resets (`reset_interval: null`).
const LIFETIME: &str = "lifetime";

/// The query parameter of `DELETE /workspaces/{id}` that confirms the deletion of the
/// default workspace.
pub(crate) const CONFIRM_DEFAULT_DELETION: &str = "confirm_default_workspace_deletion";

/// The budget body field that sets the workspace-wide BYOK setting, and the name of that
/// setting in workspaces and budget answers.
pub(crate) const INCLUDE_BYOK: &str = "include_byok_in_budgets";

/// The workspace field whose values the document lists only in prose.
const PROVIDER_SORT: &str = "default_provider_sort";
/// The values of [`PROVIDER_SORT`]: "Default ordering of providers: price, throughput,
/// latency or exacto."
const PROVIDER_SORTS: [&str; 4] = ["price", "throughput", "latency", "exacto"];

/// The organisation role whose first holder creates every workspace.
const ADMIN: &str = "admin";

/// The budget body field compared by the ordering.
pub(crate) const LIMIT: &str = "limit_usd";

/// The members body field that lists users.
pub(crate) const USER_IDS: &str = "user_ids";

/// The workspace's unique, URL-safe identifier.
pub(crate) const SLUG: &str = "slug";

// ----- budgets -----

/// The interval's place in [`INTERVAL_ORDER`]; `None` for an interval the ordering does not
/// know (a newer document's), whose budgets are not compared with the others.
pub(crate) fn rank(interval: &str) -> Option<usize> {
    INTERVAL_ORDER.iter().position(|known| *known == interval)
}

/// The `reset_interval` of a budget of this interval: `null` for a lifetime budget, which
/// never resets, else the interval itself (a new interval of a newer document resets at
/// its own pace).
pub(crate) fn reset_interval(interval: &str) -> Value {
    if interval == LIFETIME {
        Value::Null
    } else {
        Value::from(interval)
    }
}

/// Checks that a limit of `limit` for `interval` keeps the limits ordered against the other
/// budgets of the workspace (`others`: interval and limit; the same interval is skipped, as
/// it is being replaced). An interval the ordering does not know is not compared, on either
/// side.
pub(crate) fn check_budget_order<'a>(
    interval: &str,
    limit: f64,
    others: impl IntoIterator<Item = (&'a str, f64)>,
) -> Outcome<()> {
    let Some(r) = rank(interval) else {
        return Ok(());
    };
    for (other, other_limit) in others {
        let Some(s) = rank(other) else { continue };
        if s == r {
            continue;
        }
        let (narrow, narrow_limit, wide, wide_limit) = if s < r {
            (other, other_limit, interval, limit)
        } else {
            (interval, limit, other, other_limit)
        };
        if narrow_limit >= wide_limit {
            return Err(Rejection::bad_request(format!(
                "`{LIMIT}` {limit} for the {interval} budget conflicts with the {other} budget of {other_limit}: \
                 the {narrow} limit ({narrow_limit}) must be less than the {wide} limit ({wide_limit}); \
                 limits must decrease as the interval narrows (lifetime > monthly > weekly > daily)"
            )));
        }
    }
    Ok(())
}

/// The order budgets are listed in: the ordered intervals narrowest first, then the others
/// in the order they were set.
pub(crate) fn listing_rank(interval: &str) -> usize {
    rank(interval).unwrap_or(INTERVAL_ORDER.len())
}

/// Whether the document has the workspace-wide BYOK setting: a budget body field
/// [`INCLUDE_BYOK`] sets it, every budget answer reports it, and the workspace carries it
/// when its schema declares it.
pub(crate) fn byok_setting() -> bool {
    document::budget_body_field(INCLUDE_BYOK).is_some()
}

/// The BYOK setting a budget body asks for, when it sends one (and the document has it).
pub(crate) fn requested_byok(body: &Map<String, Value>) -> Option<bool> {
    if !byok_setting() {
        return None;
    }
    body.get(INCLUDE_BYOK).and_then(Value::as_bool)
}

// ----- workspaces -----

/// Refuses a slug that another workspace (not `except`) already has: slugs identify
/// workspaces in URLs.
pub(crate) fn check_slug_free(slug: &str, taken: bool) -> Outcome<()> {
    if taken {
        return Err(Rejection::bad_request(format!(
            "slug already in use: {slug}"
        )));
    }
    Ok(())
}

/// Checks `default_provider_sort` against the values the document lists in prose, when the
/// document gives the field no enum of its own (then its check is the document's).
pub(crate) fn check_provider_sort(body: &Map<String, Value>) -> Outcome<()> {
    let Some(Value::String(sort)) = body.get(PROVIDER_SORT) else {
        return Ok(());
    };
    let listed = document::workspace_body_field(PROVIDER_SORT)
        .is_some_and(|field| !field.shape.values.is_empty());
    if listed || PROVIDER_SORTS.contains(&sort.as_str()) {
        return Ok(());
    }
    Err(Rejection::bad_request(format!(
        "`{PROVIDER_SORT}` must be one of price, throughput, latency, exacto (got {sort:?})"
    )))
}

/// What a workspace may be deleted with.
pub(crate) struct Deletion {
    /// Whether it is the organisation's default workspace.
    pub(crate) is_default: bool,
    /// Whether the caller is enabled for deleting the default workspace.
    pub(crate) default_allowed: bool,
    /// The value of [`CONFIRM_DEFAULT_DELETION`], when sent.
    pub(crate) confirmed: Option<bool>,
    /// Whether the workspace still holds active API keys.
    pub(crate) has_keys: bool,
    /// Its slug, for the message.
    pub(crate) slug: String,
}

/// The default workspace is refused (403) unless the caller is enabled for deleting it;
/// then the confirmation parameter must be `true` (400 otherwise), when the document has
/// the parameter. A workspace that holds active API keys is refused (400).
pub(crate) fn check_deletion(d: &Deletion) -> Outcome<()> {
    if d.is_default && !d.default_allowed {
        return Err(Rejection::forbidden(
            "the default workspace cannot be deleted (deleting it is not enabled for this organisation)",
        ));
    }
    if d.is_default && confirmation_parameter() && d.confirmed != Some(true) {
        return Err(Rejection::bad_request(format!(
            "`{CONFIRM_DEFAULT_DELETION}` must be true to delete the default workspace: \
             its settings are deleted with it"
        )));
    }
    if d.has_keys {
        return Err(Rejection::bad_request(format!(
            "workspace {} still has active API keys; delete them before deleting the workspace",
            d.slug
        )));
    }
    Ok(())
}

/// Whether the document has the confirmation parameter of the default workspace's deletion.
fn confirmation_parameter() -> bool {
    document::delete_parameter(CONFIRM_DEFAULT_DELETION).is_some()
}

/// The values the server gives a new workspace: its id, the default guardrail's id derived
/// from it, its creation time and its creator. Names the document's `Workspace` lacks are
/// left out when the record is made.
pub(crate) fn new_workspace_fields(
    name: &str,
    slug: &str,
    creator: Option<&str>,
    now: &str,
) -> Map<String, Value> {
    let id = new_id();
    let mut fields = Map::new();
    fields.insert("id".into(), id.to_string().into());
    fields.insert(
        "default_guardrail_id".into(),
        guardrail_id(id).to_string().into(),
    );
    fields.insert("name".into(), name.into());
    fields.insert(SLUG.into(), slug.into());
    fields.insert("created_at".into(), now.into());
    fields.insert(
        "created_by".into(),
        creator.map_or(Value::Null, Value::from),
    );
    fields
}

/// The field the server sets on every change of a workspace or a budget.
pub(crate) const UPDATED_AT: &str = "updated_at";

/// The values the server gives a new budget of `interval`: its id, its workspace, its
/// `reset_interval` ([`reset_interval`]) and its timestamps.
pub(crate) fn new_budget_fields(
    workspace_id: &str,
    interval: &str,
    now: &str,
) -> Map<String, Value> {
    let mut fields = owned_by(workspace_id, now);
    fields.insert("reset_interval".into(), reset_interval(interval));
    fields.insert(UPDATED_AT.into(), now.into());
    fields
}

/// The values of a new membership: its id, workspace, user and the user's organisation role.
pub(crate) fn new_member_fields(
    workspace_id: &str,
    user: &str,
    role: &str,
    now: &str,
) -> Map<String, Value> {
    let mut fields = owned_by(workspace_id, now);
    fields.insert(USER_ID.into(), user.into());
    fields.insert("role".into(), role.into());
    fields
}

/// The values every record a workspace holds (a budget, a membership) starts with: its own
/// id, the workspace's and its creation time.
fn owned_by(workspace_id: &str, now: &str) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("id".into(), new_id().to_string().into());
    fields.insert("workspace_id".into(), workspace_id.into());
    fields.insert("created_at".into(), now.into());
    fields
}

/// The user a membership is of.
pub(crate) const USER_ID: &str = "user_id";

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

// ----- members -----

/// The organisation user who creates workspaces: the first admin.
pub(crate) fn creator(users: &[(String, String)]) -> Option<String> {
    users
        .iter()
        .find(|(_, role)| role == ADMIN)
        .map(|(id, _)| id.clone())
}

/// The organisation role of each user to add, in order; every one must be an organisation
/// user (400 naming the first who is not, and nobody is added).
pub(crate) fn roles_to_add(
    users: &[(String, String)],
    user_ids: &[String],
) -> Outcome<Vec<String>> {
    user_ids
        .iter()
        .map(|user| {
            users
                .iter()
                .find(|(id, _)| id == user)
                .map(|(_, role)| role.clone())
                .ok_or_else(|| {
                    Rejection::bad_request(format!(
                        "`{USER_IDS}`: {user} is not a member of the organisation"
                    ))
                })
        })
        .collect()
}

/// Members cannot be taken out of the default workspace (every organisation user belongs to
/// it), nor while they hold active API keys in the workspace (`keyed`: the first requested
/// member who does).
pub(crate) fn check_removal(is_default: bool, keyed: Option<&str>, slug: &str) -> Outcome<()> {
    if is_default {
        return Err(Rejection::bad_request(
            "members cannot be removed from the default workspace: every organisation member belongs to it",
        ));
    }
    if let Some(user) = keyed {
        return Err(Rejection::bad_request(format!(
            "`{USER_IDS}`: {user} still has active API keys in workspace {slug}; delete them first"
        )));
    }
    Ok(())
}

// ----- what the document leaves out -----

/// The rules and operations the emulator leaves out because its document lacks their names,
/// and the document's budget intervals the ordering does not know. Empty for the project's
/// own document.
pub(crate) fn notes() -> Vec<String> {
    let mut notes = document::missing_operations();
    if !byok_setting() {
        notes.push(format!(
            "the workspace-wide BYOK setting is left out: the budget body has no `{INCLUDE_BYOK}`"
        ));
    }
    if !confirmation_parameter() {
        notes.push(format!(
            "deleting the default workspace (when enabled) needs no confirmation: deleteWorkspace has no `{CONFIRM_DEFAULT_DELETION}` parameter"
        ));
    }
    if document::workspace_body_field(SLUG).is_none() {
        notes.push(format!(
            "slug uniqueness is not checked: the workspace body has no `{SLUG}`"
        ));
    }
    if document::budget_body_field(LIMIT).is_none() {
        notes.push(format!(
            "budget limits are not ordered: the budget body has no `{LIMIT}`"
        ));
    }
    for interval in document::budget_intervals() {
        if rank(interval).is_none() {
            notes.push(format!(
                "budget interval `{interval}` has no place in the ordering lifetime > monthly > weekly > daily: \
                 its budgets are accepted and stored, but not compared with the others"
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_the_ordering_does_not_know_is_never_compared() {
        assert_eq!(rank("quarterly"), None);
        let others = [("daily", 10.0), ("monthly", 50.0), ("lifetime", 100.0)];
        // Any limit, above or below every other: the ordering has no place for it.
        for limit in [0.5, 75.0, 1e9] {
            check_budget_order("quarterly", limit, others).unwrap();
        }
        // Nor is it compared when a known interval is set next to it.
        check_budget_order("weekly", 20.0, [("quarterly", 1.0), ("daily", 10.0)]).unwrap();
        let err =
            check_budget_order("weekly", 5.0, [("quarterly", 1e9), ("daily", 10.0)]).unwrap_err();
        assert!(err.message.contains("weekly") && err.message.contains("daily"));
        assert!(!err.message.contains("quarterly"), "{}", err.message);
        // Its budgets reset at their own pace and list after the ordered ones.
        assert_eq!(reset_interval("quarterly"), "quarterly");
        assert_eq!(reset_interval("lifetime"), Value::Null);
        assert!(listing_rank("quarterly") > listing_rank("lifetime"));
    }

    #[test]
    fn budget_order_is_checked_both_ways() {
        let others = [("weekly", 50.0)];
        let err = check_budget_order("daily", 100.0, others).unwrap_err();
        assert_eq!(err.status, 400);
        assert!(err.message.contains("daily") && err.message.contains("weekly"));
        check_budget_order("daily", 49.0, others).unwrap();
        // Equal limits are refused too.
        let err = check_budget_order("monthly", 50.0, others).unwrap_err();
        assert!(err.message.contains("monthly") && err.message.contains("weekly"));
        check_budget_order("monthly", 50.01, others).unwrap();
        // The interval being replaced is not compared with itself.
        check_budget_order("weekly", 1e6, others).unwrap();
    }

    #[test]
    fn the_default_workspace_needs_the_capability_then_the_confirmation() {
        let deletion = |is_default, default_allowed, confirmed, has_keys| Deletion {
            is_default,
            default_allowed,
            confirmed,
            has_keys,
            slug: "ws".into(),
        };
        for confirmed in [None, Some(false), Some(true)] {
            let err = check_deletion(&deletion(true, false, confirmed, false)).unwrap_err();
            assert_eq!(err.status, 403);
            // Other workspaces ignore the parameter.
            check_deletion(&deletion(false, false, confirmed, false)).unwrap();
        }
        for confirmed in [None, Some(false)] {
            let err = check_deletion(&deletion(true, true, confirmed, false)).unwrap_err();
            assert_eq!(err.status, 400);
            assert!(err.message.contains(CONFIRM_DEFAULT_DELETION));
        }
        check_deletion(&deletion(true, true, Some(true), false)).unwrap();
        let err = check_deletion(&deletion(false, false, None, true)).unwrap_err();
        assert!(err.message.contains("API keys"), "{}", err.message);
    }

    #[test]
    fn members_must_be_organisation_users() {
        let users = vec![
            ("user_bob".to_string(), "member".to_string()),
            ("user_alice".to_string(), "admin".to_string()),
        ];
        assert_eq!(creator(&users).as_deref(), Some("user_alice"));
        assert_eq!(
            roles_to_add(&users, &["user_alice".into(), "user_bob".into()]).unwrap(),
            ["admin", "member"]
        );
        let err = roles_to_add(&users, &["user_bob".into(), "user_zed".into()]).unwrap_err();
        assert!(err.message.contains("user_zed"));
        assert!(check_removal(true, None, "default").is_err());
        let err = check_removal(false, Some("user_bob"), "team").unwrap_err();
        assert!(err.message.contains("user_bob") && err.message.contains("team"));
        check_removal(false, None, "team").unwrap();
    }

    #[test]
    fn provider_sorts_follow_the_prose_of_the_document() {
        let body = |sort: &str| {
            let mut map = Map::new();
            map.insert(PROVIDER_SORT.into(), sort.into());
            map
        };
        check_provider_sort(&body("latency")).unwrap();
        let err = check_provider_sort(&body("cheapest")).unwrap_err();
        assert!(err.message.contains("cheapest"));
        check_provider_sort(&Map::new()).unwrap();
    }

    #[test]
    fn guardrail_id_is_deterministic_and_distinct() {
        let id = new_id();
        assert_eq!(guardrail_id(id), guardrail_id(id));
        assert_ne!(guardrail_id(id), id);
        assert_eq!(guardrail_id(id).get_version_num(), 4);
    }
}
