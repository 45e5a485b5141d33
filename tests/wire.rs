//! Every operation on the wire, against mockito: method, path (with the base URL's
//! prefix), query, JSON body, headers, the decoded success body, and every documented
//! error status.

mod common;

use common::mock::*;
use common::*;
use mockito::{Matcher, Mock, Server, ServerGuard};
use openrouter_workspaces::types::{
    self, WorkspaceBudgetInterval as Interval, WorkspaceBudgetResetInterval as Reset,
    WorkspaceMemberRole,
};
use openrouter_workspaces::workspaces::Update;
use openrouter_workspaces::{Client, Error, Patch};
use serde_json::{Value, json};
use std::fmt::Debug;

/// A mock of one request as the client must send it: method, exact path and query,
/// credentials, `Accept`, and `Content-Type` plus the exact JSON body only when there is
/// a body (an empty body otherwise).
fn expect_request(
    server: &mut ServerGuard,
    method: &str,
    path_and_query: &str,
    body: Option<Value>,
) -> Mock {
    let mock = server
        .mock(method, Matcher::Exact(path_and_query.to_string()))
        .match_header("authorization", Matcher::Exact(format!("Bearer {KEY}")))
        .match_header("accept", "application/json");
    match body {
        Some(json) => mock
            .match_header("content-type", "application/json")
            .match_body(Matcher::Json(json)),
        None => mock
            .match_header("content-type", Matcher::Missing)
            .match_body(Matcher::Exact(String::new())),
    }
}

/// Creates the mock of `expect_request`, answering with `answer`: a status and a JSON body.
fn serve(
    server: &mut ServerGuard,
    method: &str,
    path_and_query: &str,
    sent: Option<Value>,
    answer: (usize, Value),
) -> Mock {
    expect_request(server, method, path_and_query, sent)
        .with_status(answer.0)
        .with_header("content-type", "application/json")
        .with_body(answer.1.to_string())
        .create()
}

// ---------------------------------------------------------------------------------------
// Success: request on the wire and decoded response, one test per operation.

/// Runs `call` against a server that expects exactly the request `expect_request`
/// describes (`path_and_query` under the prefix) and answers it with `answer`; checks
/// that the request arrived and returns what the call decoded.
#[track_caller]
fn exchange<T: Debug>(
    method: &str,
    path_and_query: &str,
    sent: Option<Value>,
    answer: (usize, Value),
    call: impl FnOnce(&Client) -> Result<T, Error>,
) -> T {
    let mut server = Server::new();
    let mock = serve(&mut server, method, &path(path_and_query), sent, answer);
    let result = call(&client(&server));
    mock.assert();
    result.unwrap_or_else(|e| panic!("{method} {path_and_query}: {e}"))
}

/// A 200 answer with the documented workspace under this slug.
fn workspace_ok(slug: &str) -> (usize, Value) {
    (200, json!({ "data": workspace_json(WORKSPACE_ID, slug) }))
}

#[test]
fn list_sends_offset_and_limit_and_decodes_the_page() {
    let body = json!({
        "data": [workspace_json(WORKSPACE_ID, "staging")],
        "total_count": 7
    });
    let page = exchange(
        "GET",
        "/workspaces?offset=2&limit=10",
        None,
        (200, body),
        |c| c.workspaces().list().offset(2).limit(10).send(),
    );

    assert_eq!(page.total_count, 7);
    assert_eq!(page.data.len(), 1);
    assert_workspace(&page.data[0], WORKSPACE_ID, "staging");
}

#[test]
fn list_without_paging_sends_no_query() {
    // The path matcher sees the path and query together: any query would not match.
    let body = json!({ "data": [], "total_count": 0 });
    let page = exchange("GET", "/workspaces", None, (200, body), |c| {
        c.workspaces().list().send()
    });

    assert!(page.data.is_empty());
    assert_eq!(page.total_count, 0);
}

#[test]
fn create_sends_post_with_the_fields_set() {
    let sent = json!({
        "name": "Staging",
        "slug": "staging",
        "description": "Pre-release testing",
        "default_text_model": "openai/gpt-4o-mini",
        "default_provider_sort": "price",
        "io_logging_sampling_rate": 0.25,
        "io_logging_api_key_ids": [17, 42],
        "is_observability_io_logging_enabled": true,
        "is_observability_broadcast_enabled": false,
        "is_data_discount_logging_enabled": false,
        "default_image_model": null
    });
    let answer = (201, workspace_ok("staging").1);
    let created = exchange("POST", "/workspaces", Some(sent), answer, |c| {
        c.workspaces()
            .create()
            .name("Staging")
            .slug("staging")
            .description("Pre-release testing")
            .default_text_model("openai/gpt-4o-mini")
            .default_provider_sort("price")
            .io_logging_sampling_rate(0.25)
            .io_logging_api_key_ids([17, 42])
            .is_observability_io_logging_enabled(true)
            .is_observability_broadcast_enabled(false)
            .is_data_discount_logging_enabled(false)
            .clear_default_image_model()
            .send()
    });

    assert_workspace(&created.data, WORKSPACE_ID, "staging");
}

#[test]
fn create_with_body_struct_sends_exactly_its_json() {
    let request = types::CreateWorkspaceRequest {
        default_image_model: Patch::Set("black-forest-labs/flux-1.1-pro".into()),
        default_provider_sort: Patch::Unchanged,
        default_text_model: Patch::Unchanged,
        description: Patch::Set("Built from a struct".into()),
        disabled_server_tools: Patch::Unchanged,
        io_logging_api_key_ids: Patch::Unchanged,
        io_logging_sampling_rate: Some(0.5),
        is_data_discount_logging_enabled: Some(true),
        is_observability_broadcast_enabled: None,
        is_observability_io_logging_enabled: None,
        name: "From Struct".into(),
        slug: "from-struct".into(),
        extra: Default::default(),
    };
    let expected = serde_json::to_value(&request).unwrap();
    // Guard against a vacuous comparison: the struct's JSON leaves the `None`s out.
    assert_eq!(expected.as_object().unwrap().len(), 6);
    let answer = (201, workspace_ok("from-struct").1);
    let created = exchange("POST", "/workspaces", Some(expected), answer, |c| {
        c.workspaces().create().body(request).send()
    });

    assert_eq!(created.data.slug, "from-struct");
}

#[test]
fn get_sends_get_and_decodes_the_workspace() {
    let got = exchange(
        "GET",
        "/workspaces/staging",
        None,
        workspace_ok("staging"),
        |c| c.workspaces().get("staging").send(),
    );

    assert_workspace(&got.data, WORKSPACE_ID, "staging");
}

#[test]
fn update_sends_patch_with_the_fields_set() {
    let sent = json!({
        "name": "Staging EU",
        "slug": "staging-eu",
        "io_logging_sampling_rate": 1.0,
        "io_logging_api_key_ids": null
    });
    let at = format!("/workspaces/{WORKSPACE_ID}");
    let updated = exchange("PATCH", &at, Some(sent), workspace_ok("staging-eu"), |c| {
        c.workspaces()
            .update(WORKSPACE_ID)
            .name("Staging EU")
            .slug("staging-eu")
            .io_logging_sampling_rate(1.0)
            .clear_io_logging_api_key_ids()
            .send()
    });

    assert_workspace(&updated.data, WORKSPACE_ID, "staging-eu");
}

/// Checks that `update` of `staging`, set up by `setters`, sends exactly `sent`.
#[track_caller]
fn assert_update_sends(sent: Value, setters: impl FnOnce(Update<'_>) -> Update<'_>) {
    exchange(
        "PATCH",
        "/workspaces/staging",
        Some(sent),
        workspace_ok("staging"),
        |c| setters(c.workspaces().update("staging")).send(),
    );
}

#[test]
fn update_clear_description_sends_null() {
    assert_update_sends(json!({ "description": null }), |u| u.clear_description());
}

#[test]
fn update_description_sends_the_value() {
    assert_update_sends(json!({ "description": "x" }), |u| u.description("x"));
}

#[test]
fn update_without_description_sends_no_key() {
    // Matcher::Json is an exact match: a `description` key, even null, would not match.
    assert_update_sends(json!({ "name": "Renamed" }), |u| u.name("Renamed"));
}

#[test]
fn a_typed_update_body_tells_absent_null_and_value_apart() {
    let sent = json!({ "description": null, "default_text_model": "openai/gpt-4o-mini" });
    assert_update_sends(sent, |u| {
        u.body(types::UpdateWorkspaceRequest {
            description: Patch::Clear,
            default_text_model: Patch::Set("openai/gpt-4o-mini".into()),
            default_image_model: Patch::Unchanged,
            ..Default::default()
        })
    });
}

#[test]
fn update_with_body_struct_then_setter_sends_both() {
    let sent = json!({ "name": "From Struct", "description": null });
    assert_update_sends(sent, |u| {
        u.body(types::UpdateWorkspaceRequest {
            name: Some("From Struct".into()),
            ..Default::default()
        })
        .clear_description()
    });
}

#[test]
fn delete_sends_delete_and_decodes_the_confirmation() {
    let answer = (200, json!({ "deleted": true }));
    let deleted = exchange("DELETE", "/workspaces/staging", None, answer, |c| {
        c.workspaces().delete("staging").send()
    });

    assert!(deleted.deleted);
}

#[test]
fn list_budgets_sends_get_and_decodes_every_budget() {
    let body = json!({
        "data": [budget_json(250.0, Some("monthly")), budget_json(1000.5, None)],
        "include_byok_in_budgets": false
    });
    let at = "/workspaces/staging/budgets";
    let budgets = exchange("GET", at, None, (200, body), |c| {
        c.workspaces().list_budgets("staging").send()
    });

    assert_eq!(budgets.data.len(), 2);
    assert_budget(&budgets.data[0], 250.0, Some(Reset::Monthly));
    assert_budget(&budgets.data[1], 1000.5, None);
    assert_eq!(budgets.include_byok_in_budgets, Some(false));
}

#[test]
fn get_budget_puts_the_interval_in_the_path() {
    let body = json!({ "data": budget_json(1000.5, None), "include_byok_in_budgets": true });
    let at = "/workspaces/staging/budgets/lifetime";
    let budget = exchange("GET", at, None, (200, body), |c| {
        c.workspaces()
            .get_budget("staging", Interval::Lifetime)
            .send()
    });

    assert_budget(&budget.data, 1000.5, None);
    assert_eq!(budget.include_byok_in_budgets, Some(true));
}

#[test]
fn set_budget_sends_put_with_limit_and_byok() {
    let sent = json!({ "limit_usd": 250.0, "include_byok_in_budgets": true });
    let body =
        json!({ "data": budget_json(250.0, Some("monthly")), "include_byok_in_budgets": true });
    let at = "/workspaces/staging/budgets/monthly";
    let stored = exchange("PUT", at, Some(sent), (200, body), |c| {
        c.workspaces()
            .set_budget("staging", Interval::Monthly)
            .limit_usd(250.0)
            .include_byok_in_budgets(true)
            .send()
    });

    assert_budget(&stored.data, 250.0, Some(Reset::Monthly));
    assert_eq!(stored.include_byok_in_budgets, Some(true));
}

#[test]
fn set_budget_with_body_struct_sends_exactly_its_json() {
    let sent = json!({ "limit_usd": 12.5 });
    let body = json!({ "data": budget_json(12.5, Some("daily")) });
    let at = "/workspaces/staging/budgets/daily";
    let stored = exchange("PUT", at, Some(sent), (200, body), |c| {
        c.workspaces()
            .set_budget("staging", Interval::Daily)
            .body(types::UpsertWorkspaceBudgetRequest {
                include_byok_in_budgets: None,
                limit_usd: 12.5,
                extra: Default::default(),
            })
            .send()
    });

    assert_budget(&stored.data, 12.5, Some(Reset::Daily));
    assert_eq!(stored.include_byok_in_budgets, None);
}

#[test]
fn delete_budget_sends_delete_and_decodes_the_confirmation() {
    let answer = (200, json!({ "deleted": true }));
    let at = "/workspaces/staging/budgets/weekly";
    let deleted = exchange("DELETE", at, None, answer, |c| {
        c.workspaces()
            .delete_budget("staging", Interval::Weekly)
            .send()
    });

    assert!(deleted.deleted);
}

#[test]
fn list_members_sends_offset_and_limit_and_decodes_the_page() {
    let body = json!({
        "data": [
            member_json(MEMBER_ID, "user_2f9c", "admin"),
            member_json("e8a05b3c-2d74-4c19-a6f1-0b9e3d7c5a21", "user_7d41", "member")
        ],
        "total_count": 12
    });
    let at = "/workspaces/staging/members?offset=10&limit=2";
    let page = exchange("GET", at, None, (200, body), |c| {
        c.workspaces()
            .list_members("staging")
            .offset(10)
            .limit(2)
            .send()
    });

    assert_eq!(page.total_count, 12);
    let first = &page.data[0];
    assert_eq!(first.id.to_string(), MEMBER_ID);
    assert_eq!(first.workspace_id.to_string(), WORKSPACE_ID);
    assert_eq!(first.user_id, "user_2f9c");
    assert_eq!(first.role, WorkspaceMemberRole::Admin);
    assert_eq!(first.created_at, "2026-03-20T15:02:11.000Z");
    assert_eq!(page.data[1].user_id, "user_7d41");
    assert_eq!(page.data[1].role, WorkspaceMemberRole::Member);
}

#[test]
fn list_members_without_paging_sends_no_query() {
    let body = json!({ "data": [], "total_count": 0 });
    let at = "/workspaces/staging/members";
    let page = exchange("GET", at, None, (200, body), |c| {
        c.workspaces().list_members("staging").send()
    });

    assert_eq!(page.total_count, 0);
}

#[test]
fn bulk_add_members_sends_post_with_user_ids() {
    let sent = json!({ "user_ids": ["user_2f9c", "user_7d41"] });
    let body = json!({
        "data": [member_json(MEMBER_ID, "user_2f9c", "admin")],
        "added_count": 1
    });
    let at = "/workspaces/staging/members/add";
    let added = exchange("POST", at, Some(sent), (200, body), |c| {
        c.workspaces()
            .bulk_add_members("staging")
            .user_ids(["user_2f9c", "user_7d41"])
            .send()
    });

    assert_eq!(added.added_count, 1);
    assert_eq!(added.data[0].user_id, "user_2f9c");
    assert_eq!(added.data[0].role, WorkspaceMemberRole::Admin);
}

#[test]
fn bulk_remove_members_sends_post_with_user_ids() {
    let sent = json!({ "user_ids": ["user_7d41"] });
    let answer = (200, json!({ "removed_count": 1 }));
    let at = "/workspaces/staging/members/remove";
    let removed = exchange("POST", at, Some(sent), answer, |c| {
        c.workspaces()
            .bulk_remove_members("staging")
            .body(types::BulkRemoveWorkspaceMembersRequest {
                user_ids: vec!["user_7d41".into()],
                extra: Default::default(),
            })
            .send()
    });

    assert_eq!(removed.removed_count, 1);
}

// ---------------------------------------------------------------------------------------
// Error statuses.

/// Every status some operation documents.
const ALL_ERROR_STATUSES: [u16; 5] = [400, 401, 403, 404, 500];

/// Every operation, its method and path under the prefix, and the error statuses its
/// document lists.
#[rustfmt::skip]
const ERROR_CASES: [(&str, &str, &str, &[u16]); 12] = [
    ("list",                "GET",    "/workspaces",                         &[401, 500]),
    ("create",              "POST",   "/workspaces",                         &[400, 401, 403, 500]),
    ("get",                 "GET",    "/workspaces/staging",                 &[401, 404, 500]),
    ("update",              "PATCH",  "/workspaces/staging",                 &ALL_ERROR_STATUSES),
    ("delete",              "DELETE", "/workspaces/staging",                 &ALL_ERROR_STATUSES),
    ("list_budgets",        "GET",    "/workspaces/staging/budgets",         &[401, 404, 500]),
    ("get_budget",          "GET",    "/workspaces/staging/budgets/daily",   &[400, 401, 404, 500]),
    ("set_budget",          "PUT",    "/workspaces/staging/budgets/weekly",  &[400, 401, 404, 500]),
    ("delete_budget",       "DELETE", "/workspaces/staging/budgets/monthly", &[400, 401, 404, 500]),
    ("list_members",        "GET",    "/workspaces/staging/members",         &[401, 403, 404, 500]),
    ("bulk_add_members",    "POST",   "/workspaces/staging/members/add",     &ALL_ERROR_STATUSES),
    ("bulk_remove_members", "POST",   "/workspaces/staging/members/remove",  &ALL_ERROR_STATUSES),
];

/// After a 5xx the client looks the created slug up; here it is not there, and with
/// retries off the create's own error is returned.
fn lookup_finds_nothing(server: &mut ServerGuard) {
    server
        .mock("GET", Matcher::Exact(path("/workspaces/staging")))
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(error_body(404, "not found"))
        .create();
}

/// For each status `documented`, the call of `operation` fails with `Error::Api` carrying
/// the status, the raw body byte for byte and the typed body of the documented schema.
/// Every other status, documented by other operations or by none (418), keeps the raw body
/// and has no typed body. Failures name the operation and the status.
fn assert_error_statuses(operation: &str, method: &str, rest: &str, documented: &[u16]) {
    let mut server = Server::new();
    if operation == "create" {
        lookup_finds_nothing(&mut server);
    }
    let client = client(&server);
    let path_and_query = path(rest);
    let undocumented = ALL_ERROR_STATUSES
        .into_iter()
        .filter(|s| !documented.contains(s))
        .chain([418]);
    let statuses = documented
        .iter()
        .map(|s| (*s, true))
        .chain(undocumented.map(|s| (s, false)));

    for (status, is_documented) in statuses {
        let at = format!("{operation} answering {status}");
        let message = format!("failure {status} of {path_and_query}");
        let body = error_body(status, &message);
        let mock = server
            .mock(method, Matcher::Exact(path_and_query.clone()))
            .with_status(status as usize)
            .with_header("content-type", "application/json")
            .with_body(&body)
            .expect(1)
            .create();

        let error = send_operation(&client, operation, "staging")
            .expect_err(&format!("{at}: the call fails"));

        mock.assert();
        mock.remove();
        let api = match &error {
            Error::Api(api) => api,
            other => panic!("{at}: expected Error::Api, got {other:?}"),
        };
        assert_eq!(api.status, status, "{at}");
        assert_eq!(error.status(), Some(status), "{at}");
        assert_eq!(api.attempts, 1, "{at}: not retried under RetryPolicy::none");
        assert_eq!(
            api.raw_body,
            body.as_bytes(),
            "{at}: raw body kept byte for byte"
        );
        assert_eq!(api.message(), message, "{at}");
        if is_documented {
            let typed = api
                .body
                .as_ref()
                .unwrap_or_else(|| panic!("{at}: documented body not decoded"));
            assert_eq!(
                typed_error(typed),
                (variant_for(status), i64::from(status), message.clone()),
                "{at}"
            );
        } else {
            assert_eq!(api.body, None, "{at}: not documented for this operation");
        }
    }
}

#[test]
fn every_operation_answers_each_error_status_with_its_documented_body() {
    for (operation, method, rest, documented) in ERROR_CASES {
        assert_error_statuses(operation, method, rest, documented);
    }
}

#[test]
fn documented_status_with_a_body_off_schema_keeps_only_the_raw_body() {
    let mut server = Server::new();
    let body = "<html><body>404 Not Found</body></html>";
    let mock = server
        .mock("GET", Matcher::Exact(path("/workspaces/missing")))
        .with_status(404)
        .with_header("content-type", "text/html")
        .with_body(body)
        .create();

    let error = client(&server)
        .workspaces()
        .get("missing")
        .send()
        .unwrap_err();

    mock.assert();
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.body, None);
    assert_eq!(api.raw_body, body.as_bytes());
    assert_eq!(api.body_text(), body);
    assert_eq!(api.message(), body);
}

// ---------------------------------------------------------------------------------------
// Path parameters.

/// Ids with characters that must not split, end or escape the path segment, and the one
/// segment each must become.
const AWKWARD_IDS: [(&str, &str); 14] = [
    ("staging", "staging"),
    ("a/b", "a%2Fb"),
    ("a?b=c", "a%3Fb%3Dc"),
    ("a#frag", "a%23frag"),
    ("100%", "100%25"),
    ("a%2Fb", "a%252Fb"),
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("../admin", "..%2Fadmin"),
    ("my workspace", "my%20workspace"),
    ("grüße", "gr%C3%BC%C3%9Fe"),
    ("日本", "%E6%97%A5%E6%9C%AC"),
    ("a+b&c;d", "a%2Bb%26c%3Bd"),
    ("-_.~", "-_.~"),
];

#[test]
fn path_parameter_is_exactly_one_encoded_segment() {
    let mut server = Server::new();
    let client = client(&server);
    for (id, segment) in AWKWARD_IDS {
        let at = path(&format!("/workspaces/{segment}"));
        let mock = serve(&mut server, "GET", &at, None, workspace_ok("staging"));

        let result = client.workspaces().get(id).send();

        assert!(result.is_ok(), "{id:?}: {result:?}");
        mock.assert();
        mock.remove();
    }
}

#[test]
fn path_parameter_is_one_segment_before_a_literal_suffix() {
    let mut server = Server::new();
    let client = client(&server);
    for (id, segment) in AWKWARD_IDS {
        let members = serve(
            &mut server,
            "POST",
            &path(&format!("/workspaces/{segment}/members/remove")),
            Some(json!({ "user_ids": ["user_7d41"] })),
            (200, json!({ "removed_count": 1 })),
        );
        let budget = serve(
            &mut server,
            "PUT",
            &path(&format!("/workspaces/{segment}/budgets/daily")),
            Some(json!({ "limit_usd": 5.0 })),
            (200, json!({ "data": budget_json(5.0, Some("daily")) })),
        );

        let removed = client
            .workspaces()
            .bulk_remove_members(id)
            .user_ids(["user_7d41"])
            .send();
        let stored = client
            .workspaces()
            .set_budget(id, Interval::Daily)
            .limit_usd(5.0)
            .send();

        assert!(removed.is_ok(), "{id:?}: {removed:?}");
        assert!(stored.is_ok(), "{id:?}: {stored:?}");
        members.assert();
        budget.assert();
        members.remove();
        budget.remove();
    }
}

#[test]
fn empty_id_is_refused_without_a_request() {
    let mut server = Server::new();
    let guards = guard_nothing_sent(&mut server);
    let client = client(&server);
    for operation in OPERATIONS_ON_A_WORKSPACE {
        match send_operation(&client, operation, "") {
            Err(Error::InvalidInput(input)) => assert_eq!(input.field, "id", "{operation}"),
            other => panic!("{operation}: expected InvalidInput, got {other:?}"),
        }
    }
    assert_nothing_sent(&guards);
}
