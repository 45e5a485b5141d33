//! The API routes: path matching, authentication, query parameters, one handler per
//! operation (by group: workspaces, budgets, members) and the answers built from the
//! generated models. Requests to `/__emulator/...` go to [`crate::control`].

use std::borrow::Cow;

use openrouter_workspaces::types::{
    BadRequestResponse, BadRequestResponseErrorData, BulkAddWorkspaceMembersRequest,
    BulkAddWorkspaceMembersResponse, BulkRemoveWorkspaceMembersRequest,
    BulkRemoveWorkspaceMembersResponse, CreateWorkspaceRequest, CreateWorkspaceResponse,
    DeleteWorkspaceBudgetResponse, DeleteWorkspaceResponse, ForbiddenResponse,
    ForbiddenResponseErrorData, GetWorkspaceBudgetResponse, GetWorkspaceResponse,
    InternalServerResponse, InternalServerResponseErrorData, ListWorkspaceBudgetsResponse,
    ListWorkspaceMembersResponse, ListWorkspacesResponse, NotFoundResponse,
    NotFoundResponseErrorData, UnauthorizedResponse, UnauthorizedResponseErrorData,
    UpdateWorkspaceResponse, UpsertWorkspaceBudgetRequest, UpsertWorkspaceBudgetResponse,
    WorkspaceBudgetInterval,
};
use percent_encoding::percent_decode_str;
use serde_json::json;

use crate::bodies::{Field, Ty, check_fields, from_map, json_object, patch_from, workspace_fields};
use crate::http::{Request, Response};
use crate::state::{CONFIRM_DEFAULT_DELETION, Outcome, Rejection};
use crate::{API_PREFIX, Shared, control, drift, lock};

/// Prefix of the control endpoints, which are neither counted nor faulted.
pub(crate) const CONTROL_PREFIX: &str = "/__emulator/";

/// Default page size of the list routes.
const DEFAULT_LIMIT: usize = 50;
/// Largest page size of the list routes.
const MAX_LIMIT: usize = 100;

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
    let response = error(status, message);
    if !shared.drift {
        return response;
    }
    match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(mut value) => {
            drift::apply(&mut value);
            Response {
                body: to_json(&value),
                ..response
            }
        }
        Err(_) => response,
    }
}

/// A successful API answer from its model, with the drift fields in drift mode.
fn answer<T: serde::Serialize>(shared: &Shared, status: u16, value: &T) -> Response {
    if !shared.drift {
        return ok(status, value);
    }
    match serde_json::to_value(value) {
        Ok(mut value) => {
            drift::apply(&mut value);
            ok(status, &value)
        }
        Err(_) => ok(status, value),
    }
}

/// The documented error body `{"error":{"code":status,"message":...}}`, built from the
/// model of that status where the spec has one.
pub(crate) fn error(status: u16, message: &str) -> Response {
    // The five documented error bodies differ only in their types.
    macro_rules! documented {
        ($body:ident, $data:ident) => {
            to_json(&$body {
                extra: Default::default(),
                error: $data {
                    extra: Default::default(),
                    code: i64::from(status),
                    message: message.to_string(),
                    metadata: None,
                },
                openrouter_metadata: None,
                user_id: None,
            })
        };
    }
    let body = match status {
        400 => documented!(BadRequestResponse, BadRequestResponseErrorData),
        401 => documented!(UnauthorizedResponse, UnauthorizedResponseErrorData),
        403 => documented!(ForbiddenResponse, ForbiddenResponseErrorData),
        404 => documented!(NotFoundResponse, NotFoundResponseErrorData),
        500 => documented!(InternalServerResponse, InternalServerResponseErrorData),
        _ => to_json(&json!({ "error": { "code": status, "message": message } })),
    };
    Response::json(status, body)
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // The models and json! values always serialise.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

pub(crate) fn ok<T: serde::Serialize>(status: u16, value: &T) -> Response {
    Response::json(status, to_json(value))
}

/// The API routes, with their raw (still percent-encoded) path parameters.
enum Route<'a> {
    Workspaces,
    Workspace(&'a str),
    Budgets(&'a str),
    Budget(&'a str, &'a str),
    Members(&'a str),
    MembersAdd(&'a str),
    MembersRemove(&'a str),
}

impl Route<'_> {
    fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::Workspaces => &["GET", "POST"],
            Route::Workspace(_) => &["GET", "PATCH", "DELETE"],
            Route::Budgets(_) | Route::Members(_) => &["GET"],
            Route::Budget(..) => &["GET", "PUT", "DELETE"],
            Route::MembersAdd(_) | Route::MembersRemove(_) => &["POST"],
        }
    }
}

/// Matches a path against the routes. Segments are split on `/` before any decoding, so
/// `%2F` inside a segment stays part of it.
fn parse_route(path: &str) -> Option<Route<'_>> {
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
        (1, ["workspaces", ..]) => Route::Workspaces,
        (2, ["workspaces", id, ..]) => Route::Workspace(id),
        (3, ["workspaces", id, "budgets", _]) => Route::Budgets(id),
        (4, ["workspaces", id, "budgets", interval]) => Route::Budget(id, interval),
        (3, ["workspaces", id, "members", _]) => Route::Members(id),
        (4, ["workspaces", id, "members", "add"]) => Route::MembersAdd(id),
        (4, ["workspaces", id, "members", "remove"]) => Route::MembersRemove(id),
        _ => return None,
    })
}

fn api(shared: &Shared, req: &Request<'_>) -> Outcome<Response> {
    let Some(route) = parse_route(req.path) else {
        return Err(Rejection::not_found(format!(
            "no such route: {} {}",
            req.method, req.path
        )));
    };
    let methods = route.methods();
    if !methods.contains(&req.method) {
        let mut response = api_error(
            shared,
            405,
            &format!("method {} is not allowed on {}", req.method, req.path),
        );
        response.headers.push(("allow", methods.join(", ")));
        return Ok(response);
    }
    authorize(shared, req.authorization)?;
    match route {
        Route::Workspaces => workspaces(shared, req),
        Route::Workspace(id) => workspace(shared, req, &decode(id)?),
        Route::Budgets(id) => list_budgets(shared, &decode(id)?),
        Route::Budget(id, interval) => budget(shared, req, &decode(id)?, parse_interval(interval)?),
        Route::Members(id) => list_members(shared, req, &decode(id)?),
        Route::MembersAdd(id) => add_members(shared, req, &decode(id)?),
        Route::MembersRemove(id) => remove_members(shared, req, &decode(id)?),
    }
}

// ----- workspaces -----

/// `GET /workspaces` and `POST /workspaces`.
fn workspaces(shared: &Shared, req: &Request<'_>) -> Outcome<Response> {
    if req.method == "GET" {
        let (offset, limit) = page(req.query)?;
        let (data, total) = lock(&shared.state).list_workspaces(offset, limit);
        return Ok(answer(
            shared,
            200,
            &ListWorkspacesResponse {
                extra: Default::default(),
                data,
                total_count: total as i64,
            },
        ));
    }
    let mut map = json_object(req.body)?;
    check_fields(&mut map, &workspace_fields(true))?;
    let body: CreateWorkspaceRequest = from_map(map)?;
    let data = lock(&shared.state).create_workspace(body)?;
    Ok(answer(
        shared,
        201,
        &CreateWorkspaceResponse {
            extra: Default::default(),
            data,
        },
    ))
}

/// `GET`, `PATCH` and `DELETE /workspaces/{id}`.
fn workspace(shared: &Shared, req: &Request<'_>, id: &str) -> Outcome<Response> {
    match req.method {
        "GET" => {
            let data = lock(&shared.state).get_workspace(id)?;
            Ok(answer(
                shared,
                200,
                &GetWorkspaceResponse {
                    extra: Default::default(),
                    data,
                },
            ))
        }
        "PATCH" => {
            let mut map = json_object(req.body)?;
            check_fields(&mut map, &workspace_fields(false))?;
            let patch = patch_from(map)?;
            let data = lock(&shared.state).update_workspace(id, patch)?;
            Ok(answer(
                shared,
                200,
                &UpdateWorkspaceResponse {
                    extra: Default::default(),
                    data,
                },
            ))
        }
        _ => {
            let confirmed = query_bool(req.query, CONFIRM_DEFAULT_DELETION)?;
            lock(&shared.state).delete_workspace(id, confirmed == Some(true))?;
            Ok(answer(
                shared,
                200,
                &DeleteWorkspaceResponse {
                    extra: Default::default(),
                    deleted: true,
                },
            ))
        }
    }
}

// ----- budgets -----

/// `GET /workspaces/{id}/budgets`.
fn list_budgets(shared: &Shared, id: &str) -> Outcome<Response> {
    let (data, byok) = lock(&shared.state).list_budgets(id)?;
    Ok(answer(
        shared,
        200,
        &ListWorkspaceBudgetsResponse {
            extra: Default::default(),
            data,
            include_byok_in_budgets: Some(byok),
        },
    ))
}

/// `GET`, `PUT` and `DELETE /workspaces/{id}/budgets/{interval}`.
fn budget(
    shared: &Shared,
    req: &Request<'_>,
    id: &str,
    interval: WorkspaceBudgetInterval,
) -> Outcome<Response> {
    match req.method {
        "GET" => {
            let (data, byok) = lock(&shared.state).get_budget(id, interval)?;
            Ok(answer(
                shared,
                200,
                &GetWorkspaceBudgetResponse {
                    extra: Default::default(),
                    data,
                    include_byok_in_budgets: Some(byok),
                },
            ))
        }
        "PUT" => {
            let mut map = json_object(req.body)?;
            check_fields(
                &mut map,
                &[
                    Field::required("limit_usd", Ty::Number),
                    Field::new("include_byok_in_budgets", Ty::Bool),
                ],
            )?;
            let body: UpsertWorkspaceBudgetRequest = from_map(map)?;
            let (data, byok) = lock(&shared.state).upsert_budget(
                id,
                interval,
                body.limit_usd,
                body.include_byok_in_budgets,
            )?;
            Ok(answer(
                shared,
                200,
                &UpsertWorkspaceBudgetResponse {
                    extra: Default::default(),
                    data,
                    include_byok_in_budgets: Some(byok),
                },
            ))
        }
        _ => {
            lock(&shared.state).delete_budget(id, interval)?;
            Ok(answer(
                shared,
                200,
                &DeleteWorkspaceBudgetResponse {
                    extra: Default::default(),
                    deleted: true,
                },
            ))
        }
    }
}

// ----- members -----

/// `GET /workspaces/{id}/members`.
fn list_members(shared: &Shared, req: &Request<'_>, id: &str) -> Outcome<Response> {
    let (offset, limit) = page(req.query)?;
    let (data, total) = lock(&shared.state).list_members(id, offset, limit)?;
    Ok(answer(
        shared,
        200,
        &ListWorkspaceMembersResponse {
            extra: Default::default(),
            data,
            total_count: total as i64,
        },
    ))
}

/// The body of a bulk member call (`{"user_ids": [...]}`), checked and decoded.
fn bulk_body<T: serde::de::DeserializeOwned>(req: &Request<'_>) -> Outcome<T> {
    let mut map = json_object(req.body)?;
    check_fields(&mut map, &[Field::required("user_ids", Ty::StringArray)])?;
    from_map(map)
}

/// `POST /workspaces/{id}/members/add`.
fn add_members(shared: &Shared, req: &Request<'_>, id: &str) -> Outcome<Response> {
    let body: BulkAddWorkspaceMembersRequest = bulk_body(req)?;
    let (data, added) = lock(&shared.state).add_members(id, &body.user_ids)?;
    Ok(answer(
        shared,
        200,
        &BulkAddWorkspaceMembersResponse {
            extra: Default::default(),
            added_count: added as i64,
            data,
        },
    ))
}

/// `POST /workspaces/{id}/members/remove`.
fn remove_members(shared: &Shared, req: &Request<'_>, id: &str) -> Outcome<Response> {
    let body: BulkRemoveWorkspaceMembersRequest = bulk_body(req)?;
    let removed = lock(&shared.state).remove_members(id, &body.user_ids)?;
    Ok(answer(
        shared,
        200,
        &BulkRemoveWorkspaceMembersResponse {
            extra: Default::default(),
            removed_count: removed as i64,
        },
    ))
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

/// Percent-decodes one path segment.
fn decode(segment: &str) -> Outcome<Cow<'_, str>> {
    percent_decode_str(segment).decode_utf8().map_err(|_| {
        Rejection::bad_request("a path segment is not valid UTF-8 once percent-decoded")
    })
}

fn parse_interval(raw: &str) -> Outcome<WorkspaceBudgetInterval> {
    let decoded = decode(raw)?;
    decoded.parse().map_err(|_| {
        Rejection::bad_request(format!(
            "`interval` must be one of daily, weekly, monthly, lifetime (got {decoded:?})"
        ))
    })
}

/// `offset` (≥ 0, default 0) and `limit` (1 to 100, default 50) from the query string.
fn page(query: Option<&str>) -> Outcome<(usize, usize)> {
    let mut offset = 0;
    let mut limit = DEFAULT_LIMIT;
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(value).decode_utf8_lossy();
        match key {
            "offset" => {
                offset = parse_offset(&value).ok_or_else(|| {
                    Rejection::bad_request(format!(
                        "`offset` must be an integer of at least 0 (got {value:?})"
                    ))
                })?;
            }
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Rejection::bad_request(format!(
                            "`limit` must be an integer from 1 to {MAX_LIMIT} (got {value:?})"
                        ))
                    })?;
            }
            _ => {}
        }
    }
    Ok((offset, limit))
}

/// An optional boolean query parameter: `true` or `false`; the last one wins when it is
/// repeated.
fn query_bool(query: Option<&str>, name: &str) -> Outcome<Option<bool>> {
    let mut found = None;
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if percent_decode_str(key).decode_utf8_lossy() != name {
            continue;
        }
        let value = percent_decode_str(value).decode_utf8_lossy();
        found = Some(match value.as_ref() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(Rejection::bad_request(format!(
                    "`{name}` must be true or false (got {value:?})"
                )));
            }
        });
    }
    Ok(found)
}

/// A non-negative decimal integer of any size: the spec sets no maximum, so an offset past
/// `usize::MAX` is as valid as any other offset past the end (an empty page), not an error.
fn parse_offset(value: &str) -> Option<usize> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<usize>().unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_split_before_decoding() {
        assert!(matches!(
            parse_route("/api/v1/workspaces"),
            Some(Route::Workspaces)
        ));
        assert!(matches!(
            parse_route("/api/v1/workspaces/a%2Fb"),
            Some(Route::Workspace("a%2Fb"))
        ));
        assert!(matches!(
            parse_route("/api/v1/workspaces/x/budgets/daily"),
            Some(Route::Budget("x", "daily"))
        ));
        assert!(matches!(
            parse_route("/api/v1/workspaces/x/members/remove"),
            Some(Route::MembersRemove("x"))
        ));
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

    #[test]
    fn pages() {
        assert_eq!(page(None).unwrap(), (0, 50));
        assert_eq!(page(Some("offset=3&limit=100&x=y")).unwrap(), (3, 100));
        assert_eq!(
            page(Some("offset=272899864827029356544")).unwrap(),
            (usize::MAX, 50)
        );
        for bad in [
            "offset=-1",
            "limit=0",
            "limit=101",
            "limit=",
            "offset=a",
            "offset=",
            "offset=+",
            "offset=1e3",
        ] {
            assert_eq!(page(Some(bad)).unwrap_err().status, 400, "{bad}");
        }
    }
}
