//! The routes: path matching, authentication, request bodies, and the answers built from
//! the generated models. Also the control endpoints under `/__emulator/`.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use openrouter_workspaces::types::{
    BadRequestResponse, BadRequestResponseErrorData, BulkAddWorkspaceMembersRequest,
    BulkAddWorkspaceMembersResponse, BulkRemoveWorkspaceMembersRequest,
    BulkRemoveWorkspaceMembersResponse, CreateWorkspaceRequest, CreateWorkspaceResponse,
    DeleteWorkspaceBudgetResponse, DeleteWorkspaceResponse, ForbiddenResponse,
    ForbiddenResponseErrorData, GetWorkspaceBudgetResponse, GetWorkspaceResponse,
    InternalServerResponse, InternalServerResponseErrorData, ListWorkspaceBudgetsResponse,
    ListWorkspaceMembersResponse, ListWorkspacesResponse, NotFoundResponse,
    NotFoundResponseErrorData, UnauthorizedResponse, UnauthorizedResponseErrorData,
    UpdateWorkspaceRequest, UpdateWorkspaceResponse, UpsertWorkspaceBudgetRequest,
    UpsertWorkspaceBudgetResponse, WorkspaceBudgetInterval,
};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use crate::server::{CONTROL_PREFIX, Request, Response};
use crate::state::{Outcome, Rejection, WorkspacePatch};
use crate::{API_PREFIX, Shared, faults, lock};

/// Default page size of the list routes.
const DEFAULT_LIMIT: usize = 50;
/// Largest page size of the list routes.
const MAX_LIMIT: usize = 100;

/// Answers one request (API or control).
pub(crate) fn handle(shared: &Shared, req: &Request<'_>) -> Response {
    if req.path.starts_with(CONTROL_PREFIX) {
        return control(shared, req);
    }
    match api(shared, req) {
        Ok(response) => response,
        Err(rejection) => error(rejection.status, &rejection.message),
    }
}

/// The documented error body `{"error":{"code":status,"message":...}}`, built from the
/// model of that status where the spec has one.
pub(crate) fn error(status: u16, message: &str) -> Response {
    let code = i64::from(status);
    let message = message.to_string();
    let body = match status {
        400 => to_json(&BadRequestResponse {
            error: BadRequestResponseErrorData {
                code,
                message,
                metadata: None,
            },
            openrouter_metadata: None,
            user_id: None,
        }),
        401 => to_json(&UnauthorizedResponse {
            error: UnauthorizedResponseErrorData {
                code,
                message,
                metadata: None,
            },
            openrouter_metadata: None,
            user_id: None,
        }),
        403 => to_json(&ForbiddenResponse {
            error: ForbiddenResponseErrorData {
                code,
                message,
                metadata: None,
            },
            openrouter_metadata: None,
            user_id: None,
        }),
        404 => to_json(&NotFoundResponse {
            error: NotFoundResponseErrorData {
                code,
                message,
                metadata: None,
            },
            openrouter_metadata: None,
            user_id: None,
        }),
        500 => to_json(&InternalServerResponse {
            error: InternalServerResponseErrorData {
                code,
                message,
                metadata: None,
            },
            openrouter_metadata: None,
            user_id: None,
        }),
        _ => to_json(&json!({ "error": { "code": code, "message": message } })),
    };
    Response::json(status, body)
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // The models and json! values always serialise.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

fn ok<T: serde::Serialize>(status: u16, value: &T) -> Response {
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
        let mut response = error(
            405,
            &format!("method {} is not allowed on {}", req.method, req.path),
        );
        response.headers.push(("allow", methods.join(", ")));
        return Ok(response);
    }
    authorize(shared, req.authorization)?;
    let state = &shared.state;
    match (route, req.method) {
        (Route::Workspaces, "GET") => {
            let (offset, limit) = page(req.query)?;
            let (data, total) = lock(state).list_workspaces(offset, limit);
            Ok(ok(
                200,
                &ListWorkspacesResponse {
                    data,
                    total_count: total as i64,
                },
            ))
        }
        (Route::Workspaces, _) => {
            let mut map = json_object(req.body)?;
            check_fields(&mut map, &workspace_fields(true))?;
            let body: CreateWorkspaceRequest = from_map(map)?;
            let data = lock(state).create_workspace(body)?;
            Ok(ok(201, &CreateWorkspaceResponse { data }))
        }
        (Route::Workspace(id), "GET") => {
            let id = decode(id)?;
            let data = lock(state).get_workspace(&id)?;
            Ok(ok(200, &GetWorkspaceResponse { data }))
        }
        (Route::Workspace(id), "PATCH") => {
            let id = decode(id)?;
            let mut map = json_object(req.body)?;
            check_fields(&mut map, &workspace_fields(false))?;
            let patch = patch_from(map)?;
            let data = lock(state).update_workspace(&id, patch)?;
            Ok(ok(200, &UpdateWorkspaceResponse { data }))
        }
        (Route::Workspace(id), _) => {
            let id = decode(id)?;
            lock(state).delete_workspace(&id)?;
            Ok(ok(200, &DeleteWorkspaceResponse { deleted: true }))
        }
        (Route::Budgets(id), _) => {
            let id = decode(id)?;
            let (data, byok) = lock(state).list_budgets(&id)?;
            Ok(ok(
                200,
                &ListWorkspaceBudgetsResponse {
                    data,
                    include_byok_in_budgets: Some(byok),
                },
            ))
        }
        (Route::Budget(id, interval), method) => {
            let id = decode(id)?;
            let interval = parse_interval(interval)?;
            match method {
                "GET" => {
                    let (data, byok) = lock(state).get_budget(&id, interval)?;
                    Ok(ok(
                        200,
                        &GetWorkspaceBudgetResponse {
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
                    let (data, byok) = lock(state).upsert_budget(
                        &id,
                        interval,
                        body.limit_usd,
                        body.include_byok_in_budgets,
                    )?;
                    Ok(ok(
                        200,
                        &UpsertWorkspaceBudgetResponse {
                            data,
                            include_byok_in_budgets: Some(byok),
                        },
                    ))
                }
                _ => {
                    lock(state).delete_budget(&id, interval)?;
                    Ok(ok(200, &DeleteWorkspaceBudgetResponse { deleted: true }))
                }
            }
        }
        (Route::Members(id), _) => {
            let id = decode(id)?;
            let (offset, limit) = page(req.query)?;
            let (data, total) = lock(state).list_members(&id, offset, limit)?;
            Ok(ok(
                200,
                &ListWorkspaceMembersResponse {
                    data,
                    total_count: total as i64,
                },
            ))
        }
        (Route::MembersAdd(id), _) => {
            let id = decode(id)?;
            let mut map = json_object(req.body)?;
            check_fields(&mut map, &[Field::required("user_ids", Ty::StringArray)])?;
            let body: BulkAddWorkspaceMembersRequest = from_map(map)?;
            let (data, added) = lock(state).add_members(&id, &body.user_ids)?;
            Ok(ok(
                200,
                &BulkAddWorkspaceMembersResponse {
                    added_count: added as i64,
                    data,
                },
            ))
        }
        (Route::MembersRemove(id), _) => {
            let id = decode(id)?;
            let mut map = json_object(req.body)?;
            check_fields(&mut map, &[Field::required("user_ids", Ty::StringArray)])?;
            let body: BulkRemoveWorkspaceMembersRequest = from_map(map)?;
            let removed = lock(state).remove_members(&id, &body.user_ids)?;
            Ok(ok(
                200,
                &BulkRemoveWorkspaceMembersResponse {
                    removed_count: removed as i64,
                },
            ))
        }
    }
}

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

/// A non-negative decimal integer of any size: the spec sets no maximum, so an offset past
/// `usize::MAX` is as valid as any other offset past the end (an empty page), not an error.
fn parse_offset(value: &str) -> Option<usize> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<usize>().unwrap_or(usize::MAX))
}

/// The request body as a JSON object.
fn json_object(body: &[u8]) -> Outcome<Map<String, Value>> {
    if body.is_empty() {
        return Err(Rejection::bad_request(
            "a JSON object request body is required",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Rejection::bad_request(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(Rejection::bad_request(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

fn from_map<T: serde::de::DeserializeOwned>(map: Map<String, Value>) -> Outcome<T> {
    serde_json::from_value(Value::Object(map))
        .map_err(|e| Rejection::bad_request(format!("invalid request body: {e}")))
}

/// JSON types of body fields.
#[derive(Clone, Copy)]
enum Ty {
    String,
    Bool,
    Number,
    IntegerArray,
    StringArray,
}

/// One body field: name, type, whether `null` is allowed, whether it is required.
struct Field {
    name: &'static str,
    ty: Ty,
    nullable: bool,
    required: bool,
}

impl Field {
    fn new(name: &'static str, ty: Ty) -> Field {
        Field {
            name,
            ty,
            nullable: false,
            required: false,
        }
    }

    fn required(name: &'static str, ty: Ty) -> Field {
        Field {
            required: true,
            ..Field::new(name, ty)
        }
    }

    fn nullable(name: &'static str, ty: Ty) -> Field {
        Field {
            nullable: true,
            ..Field::new(name, ty)
        }
    }
}

/// The fields of a workspace create (`create == true`) or update body.
fn workspace_fields(create: bool) -> [Field; 11] {
    let named = |name| {
        if create {
            Field::required(name, Ty::String)
        } else {
            Field::new(name, Ty::String)
        }
    };
    [
        named("name"),
        named("slug"),
        Field::nullable("description", Ty::String),
        Field::nullable("default_text_model", Ty::String),
        Field::nullable("default_image_model", Ty::String),
        Field::nullable("default_provider_sort", Ty::String),
        Field::nullable("io_logging_api_key_ids", Ty::IntegerArray),
        Field::new("io_logging_sampling_rate", Ty::Number),
        Field::new("is_data_discount_logging_enabled", Ty::Bool),
        Field::new("is_observability_broadcast_enabled", Ty::Bool),
        Field::new("is_observability_io_logging_enabled", Ty::Bool),
    ]
}

/// Checks presence and JSON types of the known fields, naming the first bad one. Integer
/// items written with a fraction or an exponent (`1.0`, `1e2`) are rewritten as plain integers
/// on the way (see [`integer_item`]).
fn check_fields(map: &mut Map<String, Value>, fields: &[Field]) -> Outcome<()> {
    for field in fields {
        let name = field.name;
        match map.get_mut(name) {
            None if field.required => {
                return Err(Rejection::bad_request(format!("`{name}` is required")));
            }
            None => {}
            Some(Value::Null) if field.nullable => {}
            Some(Value::Null) => {
                return Err(Rejection::bad_request(format!("`{name}` cannot be null")));
            }
            Some(value) => {
                let (fits, expected) = match field.ty {
                    Ty::String => (value.is_string(), "a string"),
                    Ty::Bool => (value.is_boolean(), "a boolean"),
                    Ty::Number => (value.is_number(), "a number"),
                    Ty::IntegerArray => match value.as_array_mut() {
                        Some(items) => {
                            for item in items {
                                integer_item(name, item)?;
                            }
                            (true, "")
                        }
                        None => (false, "an array of integers"),
                    },
                    Ty::StringArray => (
                        value
                            .as_array()
                            .is_some_and(|a| a.iter().all(Value::is_string)),
                        "an array of strings",
                    ),
                };
                if !fits {
                    return Err(Rejection::bad_request(format!(
                        "`{name}` must be {expected}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Checks one item of an integer array. JSON Schema's `integer` is any number whose fraction
/// is zero, so `1.0` and `1e2` are integers too: they are rewritten as `1` and `100` for the
/// models, which hold `i64`. Integers outside the `i64` range are refused (400) with a message
/// of their own: the document sets no bound, but the models (and API key ids) cannot hold them.
fn integer_item(name: &str, item: &mut Value) -> Outcome<()> {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    let Value::Number(n) = item else {
        return Err(Rejection::bad_request(format!(
            "`{name}` must be an array of integers"
        )));
    };
    if n.is_i64() {
        return Ok(());
    }
    let out_of_range = || {
        Rejection::bad_request(format!(
            "`{name}` must hold integers from {} to {} (got {n})",
            i64::MIN,
            i64::MAX
        ))
    };
    if n.is_u64() {
        return Err(out_of_range());
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 => {
            // Exclusive at both ends: an integer written below i64::MIN reaches this point
            // rounded to -2^63 at best (i64::MIN itself parses as an i64, above).
            if f > -TWO_POW_63 && f < TWO_POW_63 {
                // In range and integral: the cast is exact.
                *item = Value::from(f as i64);
                Ok(())
            } else {
                Err(out_of_range())
            }
        }
        _ => Err(Rejection::bad_request(format!(
            "`{name}` must be an array of integers"
        ))),
    }
}

/// Turns an update body into a patch, telling an absent field (keep) from an explicit
/// `null` (clear) for the nullable ones.
fn patch_from(map: Map<String, Value>) -> Outcome<WorkspacePatch> {
    let present = |name: &str| map.contains_key(name);
    let has_description = present("description");
    let has_text_model = present("default_text_model");
    let has_image_model = present("default_image_model");
    let has_sort = present("default_provider_sort");
    let has_key_ids = present("io_logging_api_key_ids");
    let body: UpdateWorkspaceRequest = from_map(map)?;
    Ok(WorkspacePatch {
        name: body.name,
        slug: body.slug,
        description: has_description.then_some(body.description),
        default_text_model: has_text_model.then_some(body.default_text_model),
        default_image_model: has_image_model.then_some(body.default_image_model),
        default_provider_sort: has_sort.then_some(body.default_provider_sort),
        io_logging_api_key_ids: has_key_ids.then_some(body.io_logging_api_key_ids),
        io_logging_sampling_rate: body.io_logging_sampling_rate,
        is_data_discount_logging_enabled: body.is_data_discount_logging_enabled,
        is_observability_broadcast_enabled: body.is_observability_broadcast_enabled,
        is_observability_io_logging_enabled: body.is_observability_io_logging_enabled,
    })
}

/// The control endpoints (not authenticated, not counted, never faulted).
fn control(shared: &Shared, req: &Request<'_>) -> Response {
    let name = &req.path[CONTROL_PREFIX.len()..];
    match (req.method, name) {
        ("POST", "faults") => match faults::parse_faults(req.body) {
            Ok(list) => {
                let queued = list.iter().filter(|f| f.times > 0).count();
                for fault in list {
                    shared.inject(fault);
                }
                ok(
                    200,
                    &json!({
                        "queued": queued,
                        "pending_faults": shared.pending_faults.load(Ordering::Acquire),
                    }),
                )
            }
            Err(message) => error(400, &message),
        },
        ("DELETE", "faults") => {
            shared.clear_faults();
            ok(200, &json!({ "cleared": true }))
        }
        ("GET", "stats") => {
            let mut requests: Vec<(String, String, u64)> = lock(&shared.counts)
                .iter()
                .map(|(m, p, n)| (m.to_string(), p.to_string(), n))
                .collect();
            requests.sort();
            let requests: Vec<Value> = requests
                .into_iter()
                .map(
                    |(method, path, count)| json!({"method": method, "path": path, "count": count}),
                )
                .collect();
            ok(
                200,
                &json!({
                    "request_count": shared.request_count.load(Ordering::Relaxed),
                    "connection_count": shared.connection_count.load(Ordering::Relaxed),
                    "pending_faults": shared.pending_faults.load(Ordering::Acquire),
                    "requests": requests,
                }),
            )
        }
        ("POST", "reset-counters") => {
            shared.reset_counters();
            ok(200, &json!({ "reset": true }))
        }
        (_, "faults" | "stats" | "reset-counters") => error(
            405,
            &format!("method {} is not allowed on {}", req.method, req.path),
        ),
        _ => error(404, &format!("no such control endpoint: {}", req.path)),
    }
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
