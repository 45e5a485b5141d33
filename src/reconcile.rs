//! Settling writes whose outcome is unknown.
//!
//! A POST that fails after it may have reached the server (a 5xx answer, a connection lost
//! after sending, a timeout) cannot simply be sent again: it may already have taken effect.
//! Where the API offers a way to look the result up, the client does, and returns the
//! object instead of creating a second one. An update that renames what it addresses (a
//! PATCH that sends a new `slug`) has the same problem in another form: its retry goes to
//! the old address and finds nothing there, so the client looks at the new address. These
//! are policies of particular operations, so they live in tables keyed by operationId; an
//! entry whose operation the OpenAPI document lacks is never consulted.

use std::time::{Duration, SystemTime};

use serde_json::Value;
use ureq::http::header::CONTENT_TYPE;

use crate::Client;
use crate::request::{COMPONENT, Method, Prepared};
use crate::retry::{RetryPolicy, retry_after};
use crate::transport::{AttemptTimeout, Exchange};

/// How to look up the result of one kind of write.
pub(crate) struct Reconciler {
    /// The operation it applies to.
    pub(crate) operation: &'static str,
    /// The path (after the base URL) of a GET that finds what the sent body would have
    /// created; `None` when the body lacks what the lookup needs.
    pub(crate) lookup_path: fn(&Value) -> Option<String>,
    /// Whether the lookup's answer is exactly what the sent body asked for.
    pub(crate) matches: fn(sent: &Value, found: &Value) -> bool,
}

/// What a lookup established.
pub(crate) enum Settled {
    /// The write took effect; the lookup's JSON body describes the result.
    TookEffect(Vec<u8>),
    /// Nothing of the kind exists: the write did not take effect and may be sent again.
    DidNotHappen,
    /// Something else holds the place (another workspace with the slug): the write failed.
    Conflict,
    /// The lookup itself failed; the detail says how.
    Unknown(Unsettled),
}

/// A lookup that failed, and whether the retry policy would try it again.
pub(crate) struct Unsettled {
    /// What went wrong, for the caller's `OutcomeUnknown`.
    pub(crate) detail: String,
    /// The policy retries this failure (a GET may always be sent again).
    pub(crate) retryable: bool,
    /// The wait the server asked for.
    pub(crate) server_wait: Option<Duration>,
}

impl Unsettled {
    fn final_(detail: String) -> Self {
        Self {
            detail,
            retryable: false,
            server_wait: None,
        }
    }
}

static RECONCILERS: &[Reconciler] = &[Reconciler {
    operation: "createWorkspace",
    lookup_path: workspace_by_slug,
    matches: same_workspace,
}];

/// Updates that may move what they address: when an earlier attempt may have been applied
/// and a retry answers 404 at the address of the request, the result is looked up at the
/// address the sent body names (a PATCH with a new `slug`) and compared with what was sent.
static RELOCATORS: &[Reconciler] = &[Reconciler {
    operation: "updateWorkspace",
    lookup_path: workspace_by_slug,
    matches: same_workspace,
}];

/// POST operations that may be sent again: the API documents adding a member who is
/// already there and removing one who is not as no-ops, so a second delivery leaves the
/// state of one (only the counts in its answer differ).
static REPEATABLE_POSTS: &[&str] = &["bulkAddWorkspaceMembers", "bulkRemoveWorkspaceMembers"];

/// Deletes that answer 404 when the thing is gone, with the body of their success: when an
/// earlier attempt may have been applied, a 404 on the retry means that attempt did the job.
static GONE_MEANS_DONE: &[(&str, &[u8])] = &[
    ("deleteWorkspace", br#"{"deleted":true}"#),
    ("deleteWorkspaceBudget", br#"{"deleted":true}"#),
];

/// What the tables say about one operation; looked up once per call, so that the
/// execution path reads fields and never compares operationIds.
#[derive(Clone, Copy, Default)]
pub(crate) struct WritePolicy {
    /// A POST that may be sent again after an ambiguous failure.
    pub(crate) repeatable: bool,
    /// The success body to report when a retry finds the thing already gone.
    pub(crate) gone_means_done: Option<&'static [u8]>,
    /// How to look up the result of an ambiguous write.
    pub(crate) reconciler: Option<&'static Reconciler>,
    /// Where to look for the result when a retry finds the request's address empty: the
    /// write may have moved the thing it addressed.
    pub(crate) relocation: Option<&'static Reconciler>,
}

impl WritePolicy {
    /// The policy of `operation` (an operationId); all empty for one the tables lack.
    pub(crate) fn of(operation: &str) -> Self {
        Self {
            repeatable: REPEATABLE_POSTS.contains(&operation),
            gone_means_done: GONE_MEANS_DONE
                .iter()
                .find(|(id, _)| *id == operation)
                .map(|(_, body)| *body),
            reconciler: RECONCILERS.iter().find(|r| r.operation == operation),
            relocation: RELOCATORS.iter().find(|r| r.operation == operation),
        }
    }
}

impl Client {
    /// The path (after the base URL) where `reconciler` looks for the result of `prepared`,
    /// or why there is none.
    pub(crate) fn lookup_path(
        reconciler: &Reconciler,
        prepared: &Prepared,
    ) -> Result<(Value, String), String> {
        let sent: Value = match prepared.body.as_deref().map(serde_json::from_slice) {
            Some(Ok(value)) => value,
            _ => return Err("the request had no JSON body to look up".into()),
        };
        match (reconciler.lookup_path)(&sent) {
            Some(path) => Ok((sent, path)),
            None => Err("the request body lacks the field the lookup needs".into()),
        }
    }

    /// Sends the GET that looks up the result of an ambiguous write of `prepared` at `url`
    /// (the base URL and a path from [`Client::lookup_path`]), with the headers of the
    /// write and the call's timeout.
    pub(crate) fn send_lookup(
        &self,
        prepared: &Prepared,
        url: &str,
        timeout: AttemptTimeout,
    ) -> Exchange {
        let mut headers = prepared.headers.clone();
        headers.remove(CONTENT_TYPE);
        let timeout = AttemptTimeout {
            overridden: true,
            ..timeout
        };
        self.send_once(Method::Get, url, &headers, None, timeout)
    }
}

/// What a lookup's `exchange` at `path` establishes about the write that sent `sent`.
pub(crate) fn settle_lookup(
    reconciler: &Reconciler,
    (sent, path): &(Value, String),
    exchange: Exchange,
    policy: &RetryPolicy,
) -> Settled {
    match exchange {
        Exchange::Response { status: 404, .. } => Settled::DidNotHappen,
        Exchange::Response {
            status: 200, body, ..
        } => match serde_json::from_slice::<Value>(&body) {
            Ok(found) if (reconciler.matches)(sent, &found) => Settled::TookEffect(body),
            Ok(_) => Settled::Conflict,
            Err(e) => Settled::Unknown(Unsettled::final_(format!(
                "GET {path} answered a body that is not JSON: {e}; look it up before retrying"
            ))),
        },
        Exchange::Response {
            status, headers, ..
        } => Settled::Unknown(Unsettled {
            detail: format!("GET {path} answered HTTP {status}; look it up before retrying"),
            retryable: policy.retries_status(status),
            server_wait: retry_after(&headers, SystemTime::now()),
        }),
        Exchange::Failed(e) => Settled::Unknown(Unsettled {
            detail: format!("GET {path} failed ({e}); look it up before retrying"),
            retryable: policy.retries_connection_errors() && e.may_pass(),
            server_wait: None,
        }),
    }
}

/// `GET /workspaces/{slug}` finds a workspace by the slug it was created with.
fn workspace_by_slug(sent: &Value) -> Option<String> {
    let slug = sent.get("slug")?.as_str()?;
    if slug.is_empty() {
        return None;
    }
    let encoded: String = percent_encoding::utf8_percent_encode(slug, COMPONENT).collect();
    Some(format!("/workspaces/{encoded}"))
}

/// The found workspace (`{"data": {...}}`) has every field the create sent, with the same
/// value; fields the server fills in are not compared.
fn same_workspace(sent: &Value, found: &Value) -> bool {
    let (Some(sent), Some(found)) = (
        sent.as_object(),
        found.get("data").and_then(Value::as_object),
    ) else {
        return false;
    };
    sent.iter().all(|(field, value)| match found.get(field) {
        Some(other) => same_json(value, other),
        // A field the server does not echo cannot contradict the match, except the identity.
        None => field != "slug" && field != "name",
    })
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_bulk_operations_repeat_safely_and_create_does_not() {
        assert!(WritePolicy::of("bulkAddWorkspaceMembers").repeatable);
        assert!(WritePolicy::of("bulkRemoveWorkspaceMembers").repeatable);
        assert!(!WritePolicy::of("createWorkspace").repeatable);
    }

    #[test]
    fn only_listed_operations_have_a_reconciler() {
        assert!(WritePolicy::of("createWorkspace").reconciler.is_some());
        assert!(
            WritePolicy::of("bulkAddWorkspaceMembers")
                .reconciler
                .is_none()
        );
    }

    #[test]
    fn only_the_workspace_update_is_looked_up_at_a_new_address() {
        assert!(WritePolicy::of("updateWorkspace").relocation.is_some());
        assert!(WritePolicy::of("updateWorkspace").reconciler.is_none());
        assert!(WritePolicy::of("createWorkspace").relocation.is_none());
        assert!(
            WritePolicy::of("upsertWorkspaceBudget")
                .relocation
                .is_none()
        );
    }

    #[test]
    fn an_operation_the_tables_lack_has_no_policy() {
        let policy = WritePolicy::of("listApiKeys");
        assert!(!policy.repeatable);
        assert!(policy.gone_means_done.is_none() && policy.reconciler.is_none());
        assert!(policy.relocation.is_none());
        assert!(WritePolicy::of("deleteWorkspace").gone_means_done.is_some());
    }

    #[test]
    fn lookup_path_is_the_encoded_slug() {
        assert_eq!(
            workspace_by_slug(&json!({"name": "A", "slug": "team-a"})),
            Some("/workspaces/team-a".to_string())
        );
        assert_eq!(
            workspace_by_slug(&json!({"slug": "a/b"})),
            Some("/workspaces/a%2Fb".to_string())
        );
        assert_eq!(workspace_by_slug(&json!({"name": "A"})), None);
    }

    #[test]
    fn a_workspace_matches_when_every_sent_field_agrees() {
        let sent =
            json!({"name": "A", "slug": "a", "io_logging_sampling_rate": 1, "description": null});
        let found = json!({"data": {"id": "x", "name": "A", "slug": "a", "io_logging_sampling_rate": 1.0, "description": null}});
        assert!(same_workspace(&sent, &found));
        let other = json!({"data": {"name": "B", "slug": "a"}});
        assert!(!same_workspace(&sent, &other));
        assert!(!same_workspace(&sent, &json!({"error": {}})));
    }
}
