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
use openrouter_workspaces::{Client, Error};
use serde_json::{Value, json};

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

/// Adds a JSON response to a mock and creates it.
fn respond(mock: Mock, status: usize, body: &Value) -> Mock {
    mock.with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create()
}

// ---------------------------------------------------------------------------------------
// Success: request on the wire and decoded response, one test per operation.

#[test]
fn list_sends_offset_and_limit_and_decodes_the_page() {
    let mut server = Server::new();
    let body = json!({
        "data": [workspace_json(WORKSPACE_ID, "staging")],
        "total_count": 7
    });
    let mock = respond(
        expect_request(
            &mut server,
            "GET",
            &path("/workspaces?offset=2&limit=10"),
            None,
        ),
        200,
        &body,
    );

    let page = client(&server)
        .workspaces()
        .list()
        .offset(2)
        .limit(10)
        .send()
        .expect("list succeeds");

    mock.assert();
    assert_eq!(page.total_count, 7);
    assert_eq!(page.data.len(), 1);
    assert_workspace(&page.data[0], WORKSPACE_ID, "staging");
}

#[test]
fn list_without_paging_sends_no_query() {
    let mut server = Server::new();
    let body = json!({ "data": [], "total_count": 0 });
    // The path matcher sees the path and query together: any query would not match.
    let mock = respond(
        expect_request(&mut server, "GET", &path("/workspaces"), None),
        200,
        &body,
    );

    let page = client(&server).workspaces().list().send().unwrap();

    mock.assert();
    assert!(page.data.is_empty());
    assert_eq!(page.total_count, 0);
}

#[test]
fn create_sends_post_with_the_fields_set() {
    let mut server = Server::new();
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
    let mock = respond(
        expect_request(&mut server, "POST", &path("/workspaces"), Some(sent)),
        201,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
    );

    let created = client(&server)
        .workspaces()
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
        .expect("create succeeds");

    mock.assert();
    assert_workspace(&created.data, WORKSPACE_ID, "staging");
}

#[test]
fn create_with_body_struct_sends_exactly_its_json() {
    let mut server = Server::new();
    let request = types::CreateWorkspaceRequest {
        default_image_model: Some("black-forest-labs/flux-1.1-pro".into()),
        default_provider_sort: None,
        default_text_model: None,
        description: Some("Built from a struct".into()),
        io_logging_api_key_ids: None,
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
    let mock = respond(
        expect_request(&mut server, "POST", &path("/workspaces"), Some(expected)),
        201,
        &json!({ "data": workspace_json(WORKSPACE_ID, "from-struct") }),
    );

    let created = client(&server)
        .workspaces()
        .create()
        .body(request)
        .send()
        .unwrap();

    mock.assert();
    assert_eq!(created.data.slug, "from-struct");
}

#[test]
fn get_sends_get_and_decodes_the_workspace() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(&mut server, "GET", &path("/workspaces/staging"), None),
        200,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
    );

    let got = client(&server).workspaces().get("staging").send().unwrap();

    mock.assert();
    assert_workspace(&got.data, WORKSPACE_ID, "staging");
}

#[test]
fn update_sends_patch_with_the_fields_set() {
    let mut server = Server::new();
    let sent = json!({
        "name": "Staging EU",
        "slug": "staging-eu",
        "io_logging_sampling_rate": 1.0,
        "io_logging_api_key_ids": null
    });
    let mock = respond(
        expect_request(
            &mut server,
            "PATCH",
            &path(&format!("/workspaces/{WORKSPACE_ID}")),
            Some(sent),
        ),
        200,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging-eu") }),
    );

    let updated = client(&server)
        .workspaces()
        .update(WORKSPACE_ID)
        .name("Staging EU")
        .slug("staging-eu")
        .io_logging_sampling_rate(1.0)
        .clear_io_logging_api_key_ids()
        .send()
        .unwrap();

    mock.assert();
    assert_workspace(&updated.data, WORKSPACE_ID, "staging-eu");
}

#[test]
fn update_clear_description_sends_null() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "PATCH",
            &path("/workspaces/staging"),
            Some(json!({ "description": null })),
        ),
        200,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
    );

    client(&server)
        .workspaces()
        .update("staging")
        .clear_description()
        .send()
        .unwrap();

    mock.assert();
}

#[test]
fn update_description_sends_the_value() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "PATCH",
            &path("/workspaces/staging"),
            Some(json!({ "description": "x" })),
        ),
        200,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
    );

    client(&server)
        .workspaces()
        .update("staging")
        .description("x")
        .send()
        .unwrap();

    mock.assert();
}

#[test]
fn update_without_description_sends_no_key() {
    let mut server = Server::new();
    // Matcher::Json is an exact match: a `description` key, even null, would not match.
    let mock = respond(
        expect_request(
            &mut server,
            "PATCH",
            &path("/workspaces/staging"),
            Some(json!({ "name": "Renamed" })),
        ),
        200,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
    );

    client(&server)
        .workspaces()
        .update("staging")
        .name("Renamed")
        .send()
        .unwrap();

    mock.assert();
}

#[test]
fn update_with_body_struct_then_setter_sends_both() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "PATCH",
            &path("/workspaces/staging"),
            Some(json!({ "name": "From Struct", "description": null })),
        ),
        200,
        &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
    );

    client(&server)
        .workspaces()
        .update("staging")
        .body(types::UpdateWorkspaceRequest {
            name: Some("From Struct".into()),
            ..Default::default()
        })
        .clear_description()
        .send()
        .unwrap();

    mock.assert();
}

#[test]
fn delete_sends_delete_and_decodes_the_confirmation() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(&mut server, "DELETE", &path("/workspaces/staging"), None),
        200,
        &json!({ "deleted": true }),
    );

    let deleted = client(&server)
        .workspaces()
        .delete("staging")
        .send()
        .unwrap();

    mock.assert();
    assert!(deleted.deleted);
}

#[test]
fn list_budgets_sends_get_and_decodes_every_budget() {
    let mut server = Server::new();
    let body = json!({
        "data": [budget_json(250.0, Some("monthly")), budget_json(1000.5, None)],
        "include_byok_in_budgets": false
    });
    let mock = respond(
        expect_request(
            &mut server,
            "GET",
            &path("/workspaces/staging/budgets"),
            None,
        ),
        200,
        &body,
    );

    let budgets = client(&server)
        .workspaces()
        .list_budgets("staging")
        .send()
        .unwrap();

    mock.assert();
    assert_eq!(budgets.data.len(), 2);
    assert_budget(&budgets.data[0], 250.0, Some(Reset::Monthly));
    assert_budget(&budgets.data[1], 1000.5, None);
    assert_eq!(budgets.include_byok_in_budgets, Some(false));
}

#[test]
fn get_budget_puts_the_interval_in_the_path() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "GET",
            &path("/workspaces/staging/budgets/lifetime"),
            None,
        ),
        200,
        &json!({ "data": budget_json(1000.5, None), "include_byok_in_budgets": true }),
    );

    let budget = client(&server)
        .workspaces()
        .get_budget("staging", Interval::Lifetime)
        .send()
        .unwrap();

    mock.assert();
    assert_budget(&budget.data, 1000.5, None);
    assert_eq!(budget.include_byok_in_budgets, Some(true));
}

#[test]
fn set_budget_sends_put_with_limit_and_byok() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "PUT",
            &path("/workspaces/staging/budgets/monthly"),
            Some(json!({ "limit_usd": 250.0, "include_byok_in_budgets": true })),
        ),
        200,
        &json!({ "data": budget_json(250.0, Some("monthly")), "include_byok_in_budgets": true }),
    );

    let stored = client(&server)
        .workspaces()
        .set_budget("staging", Interval::Monthly)
        .limit_usd(250.0)
        .include_byok_in_budgets(true)
        .send()
        .unwrap();

    mock.assert();
    assert_budget(&stored.data, 250.0, Some(Reset::Monthly));
    assert_eq!(stored.include_byok_in_budgets, Some(true));
}

#[test]
fn set_budget_with_body_struct_sends_exactly_its_json() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "PUT",
            &path("/workspaces/staging/budgets/daily"),
            Some(json!({ "limit_usd": 12.5 })),
        ),
        200,
        &json!({ "data": budget_json(12.5, Some("daily")) }),
    );

    let stored = client(&server)
        .workspaces()
        .set_budget("staging", Interval::Daily)
        .body(types::UpsertWorkspaceBudgetRequest {
            include_byok_in_budgets: None,
            limit_usd: 12.5,
            extra: Default::default(),
        })
        .send()
        .unwrap();

    mock.assert();
    assert_budget(&stored.data, 12.5, Some(Reset::Daily));
    assert_eq!(stored.include_byok_in_budgets, None);
}

#[test]
fn delete_budget_sends_delete_and_decodes_the_confirmation() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "DELETE",
            &path("/workspaces/staging/budgets/weekly"),
            None,
        ),
        200,
        &json!({ "deleted": true }),
    );

    let deleted = client(&server)
        .workspaces()
        .delete_budget("staging", Interval::Weekly)
        .send()
        .unwrap();

    mock.assert();
    assert!(deleted.deleted);
}

#[test]
fn list_members_sends_offset_and_limit_and_decodes_the_page() {
    let mut server = Server::new();
    let body = json!({
        "data": [
            member_json(MEMBER_ID, "user_2f9c", "admin"),
            member_json("e8a05b3c-2d74-4c19-a6f1-0b9e3d7c5a21", "user_7d41", "member")
        ],
        "total_count": 12
    });
    let mock = respond(
        expect_request(
            &mut server,
            "GET",
            &path("/workspaces/staging/members?offset=10&limit=2"),
            None,
        ),
        200,
        &body,
    );

    let page = client(&server)
        .workspaces()
        .list_members("staging")
        .offset(10)
        .limit(2)
        .send()
        .unwrap();

    mock.assert();
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
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "GET",
            &path("/workspaces/staging/members"),
            None,
        ),
        200,
        &json!({ "data": [], "total_count": 0 }),
    );

    let page = client(&server)
        .workspaces()
        .list_members("staging")
        .send()
        .unwrap();

    mock.assert();
    assert_eq!(page.total_count, 0);
}

#[test]
fn bulk_add_members_sends_post_with_user_ids() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "POST",
            &path("/workspaces/staging/members/add"),
            Some(json!({ "user_ids": ["user_2f9c", "user_7d41"] })),
        ),
        200,
        &json!({
            "data": [member_json(MEMBER_ID, "user_2f9c", "admin")],
            "added_count": 1
        }),
    );

    let added = client(&server)
        .workspaces()
        .bulk_add_members("staging")
        .user_ids(["user_2f9c", "user_7d41"])
        .send()
        .unwrap();

    mock.assert();
    assert_eq!(added.added_count, 1);
    assert_eq!(added.data[0].user_id, "user_2f9c");
    assert_eq!(added.data[0].role, WorkspaceMemberRole::Admin);
}

#[test]
fn bulk_remove_members_sends_post_with_user_ids() {
    let mut server = Server::new();
    let mock = respond(
        expect_request(
            &mut server,
            "POST",
            &path("/workspaces/staging/members/remove"),
            Some(json!({ "user_ids": ["user_7d41"] })),
        ),
        200,
        &json!({ "removed_count": 1 }),
    );

    let removed = client(&server)
        .workspaces()
        .bulk_remove_members("staging")
        .body(types::BulkRemoveWorkspaceMembersRequest {
            user_ids: vec!["user_7d41".into()],
            extra: Default::default(),
        })
        .send()
        .unwrap();

    mock.assert();
    assert_eq!(removed.removed_count, 1);
}

// ---------------------------------------------------------------------------------------
// Error statuses.

const ALL_ERROR_STATUSES: [u16; 5] = [400, 401, 403, 404, 500];

/// For each status of `documented`, the call fails with `Error::Api` carrying the status,
/// the raw body byte for byte and the typed body of the documented schema. Every other
/// status, documented by other operations or by none (418), keeps the raw body and has no
/// typed body.
fn assert_error_statuses(
    method: &str,
    path_and_query: &str,
    documented: &[u16],
    call: impl Fn(&Client) -> Result<(), Error>,
) {
    assert_error_statuses_with(method, path_and_query, documented, |_| {}, call);
}

/// As `assert_error_statuses`, with `setup` adding standing mocks first.
fn assert_error_statuses_with(
    method: &str,
    path_and_query: &str,
    documented: &[u16],
    setup: impl FnOnce(&mut ServerGuard),
    call: impl Fn(&Client) -> Result<(), Error>,
) {
    let mut server = Server::new();
    setup(&mut server);
    let client = client(&server);
    let undocumented = ALL_ERROR_STATUSES
        .into_iter()
        .filter(|s| !documented.contains(s))
        .chain([418]);
    let cases = documented
        .iter()
        .map(|s| (*s, true))
        .chain(undocumented.map(|s| (s, false)));

    for (status, is_documented) in cases {
        let message = format!("failure {status} of {path_and_query}");
        let body = error_body(status, &message);
        let mock = server
            .mock(method, Matcher::Exact(path_and_query.to_string()))
            .with_status(status as usize)
            .with_header("content-type", "application/json")
            .with_body(&body)
            .expect(1)
            .create();

        let error = call(&client).expect_err("an error status fails the call");

        mock.assert();
        mock.remove();
        let api = match &error {
            Error::Api(api) => api,
            other => panic!("{status}: expected Error::Api, got {other:?}"),
        };
        assert_eq!(api.status, status);
        assert_eq!(api.status(), status);
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            api.attempts, 1,
            "{status} is not retried under RetryPolicy::none"
        );
        assert_eq!(
            api.raw_body,
            body.as_bytes(),
            "{status}: raw body kept byte for byte"
        );
        assert_eq!(api.message(), message);
        if is_documented {
            let typed = api
                .body
                .as_ref()
                .unwrap_or_else(|| panic!("{status}: documented body not decoded"));
            assert_eq!(
                typed_error(typed),
                (variant_for(status), i64::from(status), message.clone()),
                "{status}"
            );
        } else {
            assert_eq!(
                api.body, None,
                "{status} is not documented for this operation"
            );
        }
    }
}

#[test]
fn list_error_statuses() {
    assert_error_statuses("GET", &path("/workspaces"), &[401, 500], |c| {
        c.workspaces().list().send().map(drop)
    });
}

#[test]
fn create_error_statuses() {
    // After a 5xx the client looks the slug up; here it is not there, and with retries off
    // the create's own error is returned.
    let lookup_finds_nothing = |server: &mut ServerGuard| {
        server
            .mock("GET", Matcher::Exact(path("/workspaces/staging")))
            .with_status(404)
            .with_header("content-type", "application/json")
            .with_body(error_body(404, "not found"))
            .create();
    };
    assert_error_statuses_with(
        "POST",
        &path("/workspaces"),
        &[400, 401, 403, 500],
        lookup_finds_nothing,
        |c| {
            c.workspaces()
                .create()
                .name("Staging")
                .slug("staging")
                .send()
                .map(drop)
        },
    );
}

#[test]
fn get_error_statuses() {
    assert_error_statuses("GET", &path("/workspaces/staging"), &[401, 404, 500], |c| {
        c.workspaces().get("staging").send().map(drop)
    });
}

#[test]
fn update_error_statuses() {
    assert_error_statuses(
        "PATCH",
        &path("/workspaces/staging"),
        &[400, 401, 403, 404, 500],
        |c| c.workspaces().update("staging").name("x").send().map(drop),
    );
}

#[test]
fn delete_error_statuses() {
    assert_error_statuses(
        "DELETE",
        &path("/workspaces/staging"),
        &[400, 401, 403, 404, 500],
        |c| c.workspaces().delete("staging").send().map(drop),
    );
}

#[test]
fn list_budgets_error_statuses() {
    assert_error_statuses(
        "GET",
        &path("/workspaces/staging/budgets"),
        &[401, 404, 500],
        |c| c.workspaces().list_budgets("staging").send().map(drop),
    );
}

#[test]
fn get_budget_error_statuses() {
    assert_error_statuses(
        "GET",
        &path("/workspaces/staging/budgets/daily"),
        &[400, 401, 404, 500],
        |c| {
            c.workspaces()
                .get_budget("staging", Interval::Daily)
                .send()
                .map(drop)
        },
    );
}

#[test]
fn set_budget_error_statuses() {
    assert_error_statuses(
        "PUT",
        &path("/workspaces/staging/budgets/weekly"),
        &[400, 401, 404, 500],
        |c| {
            c.workspaces()
                .set_budget("staging", Interval::Weekly)
                .limit_usd(10.0)
                .send()
                .map(drop)
        },
    );
}

#[test]
fn delete_budget_error_statuses() {
    assert_error_statuses(
        "DELETE",
        &path("/workspaces/staging/budgets/monthly"),
        &[400, 401, 404, 500],
        |c| {
            c.workspaces()
                .delete_budget("staging", Interval::Monthly)
                .send()
                .map(drop)
        },
    );
}

#[test]
fn list_members_error_statuses() {
    assert_error_statuses(
        "GET",
        &path("/workspaces/staging/members"),
        &[401, 403, 404, 500],
        |c| c.workspaces().list_members("staging").send().map(drop),
    );
}

#[test]
fn bulk_add_members_error_statuses() {
    assert_error_statuses(
        "POST",
        &path("/workspaces/staging/members/add"),
        &[400, 401, 403, 404, 500],
        |c| {
            c.workspaces()
                .bulk_add_members("staging")
                .user_ids(["user_2f9c"])
                .send()
                .map(drop)
        },
    );
}

#[test]
fn bulk_remove_members_error_statuses() {
    assert_error_statuses(
        "POST",
        &path("/workspaces/staging/members/remove"),
        &[400, 401, 403, 404, 500],
        |c| {
            c.workspaces()
                .bulk_remove_members("staging")
                .user_ids(["user_2f9c"])
                .send()
                .map(drop)
        },
    );
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
        let mock = respond(
            expect_request(
                &mut server,
                "GET",
                &path(&format!("/workspaces/{segment}")),
                None,
            ),
            200,
            &json!({ "data": workspace_json(WORKSPACE_ID, "staging") }),
        );

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
        let members = respond(
            expect_request(
                &mut server,
                "POST",
                &path(&format!("/workspaces/{segment}/members/remove")),
                Some(json!({ "user_ids": ["user_7d41"] })),
            ),
            200,
            &json!({ "removed_count": 1 }),
        );
        let budget = respond(
            expect_request(
                &mut server,
                "PUT",
                &path(&format!("/workspaces/{segment}/budgets/daily")),
                Some(json!({ "limit_usd": 5.0 })),
            ),
            200,
            &json!({ "data": budget_json(5.0, Some("daily")) }),
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
    let w = client.workspaces();

    let results: Vec<(&str, Result<(), Error>)> = vec![
        ("get", w.get("").send().map(drop)),
        ("update", w.update("").name("x").send().map(drop)),
        ("delete", w.delete("").send().map(drop)),
        ("list_budgets", w.list_budgets("").send().map(drop)),
        (
            "get_budget",
            w.get_budget("", Interval::Daily).send().map(drop),
        ),
        (
            "set_budget",
            w.set_budget("", Interval::Daily)
                .limit_usd(1.0)
                .send()
                .map(drop),
        ),
        (
            "delete_budget",
            w.delete_budget("", Interval::Daily).send().map(drop),
        ),
        ("list_members", w.list_members("").send().map(drop)),
        (
            "bulk_add_members",
            w.bulk_add_members("").user_ids(["u"]).send().map(drop),
        ),
        (
            "bulk_remove_members",
            w.bulk_remove_members("").user_ids(["u"]).send().map(drop),
        ),
    ];

    for (operation, result) in results {
        match result {
            Err(Error::InvalidInput(input)) => assert_eq!(input.field, "id", "{operation}"),
            other => panic!("{operation}: expected InvalidInput, got {other:?}"),
        }
    }
    assert_nothing_sent(&guards);
}
