//! Settling writes whose outcome is unknown.
//!
//! A POST that fails after it may have reached the server (a 5xx answer, a connection lost
//! after sending, a timeout) cannot simply be sent again: it may already have taken effect.
//! Where the API offers a way to look the result up, the client does, and returns the
//! object instead of creating a second one. An update that renames what it addresses (a
//! PATCH that sends a new `slug`) has the same problem in another form: its retry goes to
//! the old address and finds nothing there, so the client looks at the new address.
//!
//! Which operation does what is not written here: each operation's
//! [`WriteRules`](crate::schema::WriteRules) say it, from the `x-write-safety` extension the
//! project's overlay adds to the document. This module only carries out a [`Lookup`].

use std::time::{Duration, SystemTime};

use serde_json::Value;
use ureq::http::header::CONTENT_TYPE;

use crate::Client;
use crate::request::{COMPONENT, Prepared};
use crate::retry::{RetryPolicy, retry_after};
use crate::schema::{Lookup, Method, same_value};
use crate::transport::{AttemptTimeout, Exchange};

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

impl Client {
    /// The path (after the base URL) where `lookup` looks for the result of `prepared`,
    /// or why there is none.
    pub(crate) fn lookup_path(
        lookup: &Lookup,
        prepared: &Prepared,
    ) -> Result<(Value, String), String> {
        let sent: Value = match prepared.body.as_deref().map(serde_json::from_slice) {
            Some(Ok(value)) => value,
            _ => return Err("the request had no JSON body to look up".into()),
        };
        match fill_path(lookup.path, &sent) {
            Some(path) => Ok((sent, path)),
            None => Err(format!(
                "the request body lacks a field the lookup `GET {}` needs",
                lookup.path
            )),
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
    lookup: &Lookup,
    (sent, path): &(Value, String),
    exchange: Exchange,
    policy: &RetryPolicy,
) -> Settled {
    match exchange {
        Exchange::Response { status: 404, .. } => Settled::DidNotHappen,
        Exchange::Response {
            status: 200, body, ..
        } => match serde_json::from_slice::<Value>(&body) {
            Ok(found) if same_object(lookup, sent, &found) => Settled::TookEffect(body),
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

/// `template` with each `{name}` replaced by the sent body's field `name`, a non-empty
/// string or a number, percent-encoded as one path segment; `None` when one is missing.
fn fill_path(template: &str, sent: &Value) -> Option<String> {
    let mut path = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        path.push_str(&rest[..open]);
        let value = match sent.get(&rest[open + 1..close])? {
            Value::String(text) if !text.is_empty() => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => return None,
        };
        path.extend(percent_encoding::utf8_percent_encode(&value, COMPONENT));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    Some(path)
}

/// The object the lookup found (at `lookup.object` in its answer) has every field the write
/// sent, with the same value; fields the server fills in are not compared, and a sent field
/// the object does not carry contradicts nothing unless it is part of the identity.
fn same_object(lookup: &Lookup, sent: &Value, found: &Value) -> bool {
    let (Some(sent), Some(found)) = (
        sent.as_object(),
        found.pointer(lookup.object).and_then(Value::as_object),
    ) else {
        return false;
    };
    sent.iter().all(|(field, value)| match found.get(field) {
        Some(other) => same_value(value, other),
        None => !lookup.identity.contains(&field.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BY_SLUG: Lookup = Lookup {
        path: "/workspaces/{slug}",
        object: "/data",
        identity: &["slug", "name"],
    };

    #[test]
    fn lookup_path_is_the_template_with_encoded_fields() {
        let fill = |sent: Value| fill_path(BY_SLUG.path, &sent);
        assert_eq!(
            fill(json!({"name": "A", "slug": "team-a"})),
            Some("/workspaces/team-a".to_string())
        );
        assert_eq!(
            fill(json!({"slug": "a/b"})),
            Some("/workspaces/a%2Fb".to_string())
        );
        assert_eq!(fill(json!({"name": "A"})), None);
        assert_eq!(fill(json!({"slug": ""})), None);
        assert_eq!(
            fill_path("/a/{n}/b", &json!({"n": 7})),
            Some("/a/7/b".to_string())
        );
    }

    #[test]
    fn an_object_matches_when_every_sent_field_agrees() {
        let sent =
            json!({"name": "A", "slug": "a", "io_logging_sampling_rate": 1, "description": null});
        let found = json!({"data": {"id": "x", "name": "A", "slug": "a", "io_logging_sampling_rate": 1.0, "description": null}});
        assert!(same_object(&BY_SLUG, &sent, &found));
        let other = json!({"data": {"name": "B", "slug": "a"}});
        assert!(!same_object(&BY_SLUG, &sent, &other));
        assert!(!same_object(&BY_SLUG, &sent, &json!({"error": {}})));
        // A field the server does not echo contradicts nothing, unless it is the identity.
        let echoless = json!({"data": {"name": "A", "slug": "a"}});
        assert!(same_object(&BY_SLUG, &sent, &echoless));
        assert!(!same_object(
            &BY_SLUG,
            &sent,
            &json!({"data": {"slug": "a"}})
        ));
    }
}
