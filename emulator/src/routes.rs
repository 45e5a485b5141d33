//! The API routes: path matching, the document's operation for each route, authentication,
//! parameters and bodies checked as the document says, one handler per operation (by group:
//! workspaces, budgets, members) and the answers around the stored records. Requests to
//! `/__emulator/...` go to [`crate::control`].

use serde_json::{Map, Value, json};

use crate::bodies;
use crate::document::{
    BUDGET, BUDGETS, MEMBERS, MEMBERS_ADD, MEMBERS_REMOVE, WORKSPACE, WORKSPACES,
};
use crate::http::{Request, Response};
use crate::parameters::{self, Query};
use crate::records::Record;
use crate::rules::{self, CONFIRM_DEFAULT_DELETION, INCLUDE_BYOK, USER_IDS};
use crate::state::{Outcome, Rejection};
use crate::{API_PREFIX, Shared, control, document, drift, lock};

/// Prefix of the control endpoints, which are neither counted nor faulted.
pub(crate) const CONTROL_PREFIX: &str = "/__emulator/";

/// Answers one request (API or control).
pub(crate) fn handle(shared: &Shared, req: &Request<'_>) -> Response {
    if req.path.starts_with(CONTROL_PREFIX) {
        return control::control(shared, req);
    }
    match api(shared, req) {
        Ok(response) => response,
        Err(rejection) => api_error(shared, rejection.status, &rejection.message),
    }
}

/// The documented error body of an API answer (see [`error`]), with the drift fields in
/// drift mode.
pub(crate) fn api_error(shared: &Shared, status: u16, message: &str) -> Response {
    let mut body = error_body(status, message);
    if shared.drift {
        drift::apply(&mut body);
    }
    Response::json(status, to_json(&body))
}

/// A successful API answer, with the drift fields in drift mode.
fn answer(shared: &Shared, status: u16, mut value: Value) -> Response {
    if shared.drift {
        drift::apply(&mut value);
    }
    ok(status, &value)
}

/// The documented error body `{"error":{"code":status,"message":...}}`.
pub(crate) fn error(status: u16, message: &str) -> Response {
    Response::json(status, to_json(&error_body(status, message)))
}

/// The required fields of every error model of the document: the status and a message.
fn error_body(status: u16, message: &str) -> Value {
    json!({ "error": { "code": status, "message": message } })
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // The models and json! values always serialise.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

pub(crate) fn ok<T: serde::Serialize>(status: u16, value: &T) -> Response {
    Response::json(status, to_json(value))
}

/// Matches a path against the routes the emulator plays: the route's path template and its
/// raw (still percent-encoded) path parameters. Segments are split on `/` before any
/// decoding, so `%2F` inside a segment stays part of it.
fn parse_route(path: &str) -> Option<(&'static str, Vec<&str>)> {
    let rest = path.strip_prefix(API_PREFIX)?.strip_prefix('/')?;
    let mut parts = [""; 4];
    let mut n = 0;
    for segment in rest.split('/') {
        if n == parts.len() || segment.is_empty() {
            return None;
        }
        parts[n] = segment;
        n += 1;
    }
    Some(match (n, parts) {
        (1, ["workspaces", ..]) => (WORKSPACES, vec![]),
        (2, ["workspaces", id, ..]) => (WORKSPACE, vec![id]),
        (3, ["workspaces", id, "budgets", _]) => (BUDGETS, vec![id]),
        (4, ["workspaces", id, "budgets", interval]) => (BUDGET, vec![id, interval]),
        (3, ["workspaces", id, "members", _]) => (MEMBERS, vec![id]),
        (4, ["workspaces", id, "members", "add"]) => (MEMBERS_ADD, vec![id]),
        (4, ["workspaces", id, "members", "remove"]) => (MEMBERS_REMOVE, vec![id]),
        _ => return None,
    })
}

/// One API request: the route, the document's operation for it (405 with the document's
/// methods when it has another), authentication, the parameters as the operation declares
/// them, then the handler.
fn api(shared: &Shared, req: &Request<'_>) -> Outcome<Response> {
    let no_route = || Rejection::not_found(format!("no such route: {} {}", req.method, req.path));
    let (template, raw) = parse_route(req.path).ok_or_else(no_route)?;
    let Some(op) = document::operation(req.method, template) else {
        let methods = document::methods(template);
        if methods.is_empty() {
            return Err(no_route());
        }
        let mut response = api_error(
            shared,
            405,
            &format!("method {} is not allowed on {}", req.method, req.path),
        );
        response.headers.push(("allow", methods.join(", ")));
        return Ok(response);
    };
    authorize(shared, req.authorization)?;
    let path = parameters::path(op, &raw)?;
    let query = parameters::query(op, req.query)?;
    let id = path.first().map_or("", String::as_str);
    let interval = path.get(1).map_or("", String::as_str);
    // The request body, checked against the document, for the operations that take one.
    let body = || bodies::checked(op, req.body);
    match (template, req.method) {
        (WORKSPACES, "GET") => list_workspaces(shared, &query),
        (WORKSPACES, "POST") => create_workspace(shared, &body()?),
        (WORKSPACE, "GET") => get_workspace(shared, id),
        (WORKSPACE, "PATCH") => update_workspace(shared, id, &body()?),
        (WORKSPACE, "DELETE") => delete_workspace(shared, &query, id),
        (BUDGETS, "GET") => list_budgets(shared, id),
        (BUDGET, "GET") => get_budget(shared, id, interval),
        (BUDGET, "PUT") => set_budget(shared, id, interval, &body()?),
        (BUDGET, "DELETE") => delete_budget(shared, id, interval),
        (MEMBERS, "GET") => list_members(shared, &query, id),
        (MEMBERS_ADD, "POST") => add_members(shared, id, &user_ids(&body()?)),
        (MEMBERS_REMOVE, "POST") => remove_members(shared, id, &user_ids(&body()?)),
        // An operation of the document on these paths that the emulator does not play.
        _ => Err(Rejection::not_found(format!(
            "the emulator does not play {} ({} {})",
            op.id, req.method, op.path
        ))),
    }
}

/// `{"data": ...}`: the answer of one workspace.
fn data(data: impl Into<Value>) -> Value {
    json!({ "data": data.into() })
}

/// A list answer: one page and the total count.
fn page(items: Vec<Record>, total: usize) -> Value {
    json!({ "data": items, "total_count": total })
}

/// A budget answer: `data` and, when the document has the setting, the workspace-wide
/// BYOK setting.
fn with_byok(data: impl Into<Value>, byok: bool) -> Value {
    let mut answer = Map::new();
    answer.insert("data".into(), data.into());
    if rules::byok_setting() {
        answer.insert(INCLUDE_BYOK.into(), Value::Bool(byok));
    }
    Value::Object(answer)
}

fn deleted() -> Value {
    json!({ "deleted": true })
}

// ----- workspaces -----

/// `GET /workspaces`.
fn list_workspaces(shared: &Shared, query: &Query) -> Outcome<Response> {
    let (offset, limit) = query.page();
    let (items, total) = lock(&shared.state).list_workspaces(offset, limit);
    Ok(answer(shared, 200, page(items, total)))
}

/// `POST /workspaces`.
fn create_workspace(shared: &Shared, body: &Map<String, Value>) -> Outcome<Response> {
    let workspace = lock(&shared.state).create_workspace(body)?;
    Ok(answer(shared, 201, data(workspace)))
}

/// `GET /workspaces/{id}`.
fn get_workspace(shared: &Shared, id: &str) -> Outcome<Response> {
    let workspace = lock(&shared.state).get_workspace(id)?;
    Ok(answer(shared, 200, data(workspace)))
}

/// `PATCH /workspaces/{id}`: absent fields are kept, `null` clears a nullable one.
fn update_workspace(shared: &Shared, id: &str, body: &Map<String, Value>) -> Outcome<Response> {
    let workspace = lock(&shared.state).update_workspace(id, body)?;
    Ok(answer(shared, 200, data(workspace)))
}

/// `DELETE /workspaces/{id}`.
fn delete_workspace(shared: &Shared, query: &Query, id: &str) -> Outcome<Response> {
    let confirmed = query
        .sent(CONFIRM_DEFAULT_DELETION)
        .and_then(Value::as_bool);
    lock(&shared.state).delete_workspace(id, confirmed)?;
    Ok(answer(shared, 200, deleted()))
}

// ----- budgets -----

/// `GET /workspaces/{id}/budgets`.
fn list_budgets(shared: &Shared, id: &str) -> Outcome<Response> {
    let (budgets, byok) = lock(&shared.state).list_budgets(id)?;
    Ok(answer(shared, 200, with_byok(budgets, byok)))
}

/// `GET /workspaces/{id}/budgets/{interval}`.
fn get_budget(shared: &Shared, id: &str, interval: &str) -> Outcome<Response> {
    let (budget, byok) = lock(&shared.state).get_budget(id, interval)?;
    Ok(answer(shared, 200, with_byok(budget, byok)))
}

/// `PUT /workspaces/{id}/budgets/{interval}`.
fn set_budget(
    shared: &Shared,
    id: &str,
    interval: &str,
    body: &Map<String, Value>,
) -> Outcome<Response> {
    let (budget, byok) = lock(&shared.state).upsert_budget(id, interval, body)?;
    Ok(answer(shared, 200, with_byok(budget, byok)))
}

/// `DELETE /workspaces/{id}/budgets/{interval}`.
fn delete_budget(shared: &Shared, id: &str, interval: &str) -> Outcome<Response> {
    lock(&shared.state).delete_budget(id, interval)?;
    Ok(answer(shared, 200, deleted()))
}

// ----- members -----

/// `GET /workspaces/{id}/members`.
fn list_members(shared: &Shared, query: &Query, id: &str) -> Outcome<Response> {
    let (offset, limit) = query.page();
    let (items, total) = lock(&shared.state).list_members(id, offset, limit)?;
    Ok(answer(shared, 200, page(items, total)))
}

/// The user ids of a checked bulk member body.
fn user_ids(body: &Map<String, Value>) -> Vec<String> {
    let ids = body.get(USER_IDS).and_then(Value::as_array);
    ids.into_iter()
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect()
}

/// `POST /workspaces/{id}/members/add`.
fn add_members(shared: &Shared, id: &str, user_ids: &[String]) -> Outcome<Response> {
    let (members, added) = lock(&shared.state).add_members(id, user_ids)?;
    Ok(answer(
        shared,
        200,
        json!({ "data": members, "added_count": added }),
    ))
}

/// `POST /workspaces/{id}/members/remove`.
fn remove_members(shared: &Shared, id: &str, user_ids: &[String]) -> Outcome<Response> {
    let removed = lock(&shared.state).remove_members(id, user_ids)?;
    Ok(answer(shared, 200, json!({ "removed_count": removed })))
}

// ----- shared by the routes -----

/// Checks `Authorization: Bearer <key>`: 401 when missing or unknown, 403 for a key that
/// is valid but not a management key. The key itself never appears in a message.
fn authorize(shared: &Shared, header: Option<&str>) -> Outcome<()> {
    let unauthorized = |message: &str| Rejection {
        status: 401,
        message: message.to_string(),
    };
    let Some(header) = header else {
        return Err(unauthorized(
            "missing Authorization header: send `Authorization: Bearer <management key>`",
        ));
    };
    let token = match header.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(unauthorized(
                "the Authorization header must use the Bearer scheme",
            ));
        }
    };
    if !token.is_empty() && token == shared.management_key {
        Ok(())
    } else if !token.is_empty() && token == shared.inference_key {
        Err(Rejection::forbidden(
            "this API key is not a management key; the workspace endpoints require a management key",
        ))
    } else {
        Err(unauthorized("invalid API key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_split_before_decoding() {
        let route = |path| parse_route(path).expect("a route");
        assert_eq!(route("/api/v1/workspaces"), (WORKSPACES, vec![]));
        assert_eq!(
            route("/api/v1/workspaces/a%2Fb"),
            (WORKSPACE, vec!["a%2Fb"])
        );
        assert_eq!(
            route("/api/v1/workspaces/x/budgets/daily"),
            (BUDGET, vec!["x", "daily"])
        );
        assert_eq!(
            route("/api/v1/workspaces/x/members/remove"),
            (MEMBERS_REMOVE, vec!["x"])
        );
        for bad in [
            "/api/v1",
            "/api/v1/",
            "/api/v1/workspaces/",
            "/api/v1/workspaces//budgets",
            "/api/v1/workspaces/x/members/add/y",
            "/api/v1/workspaces/x/other",
            "/workspaces",
        ] {
            assert!(parse_route(bad).is_none(), "{bad}");
        }
    }
}
