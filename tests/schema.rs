//! What the generated description of the document says (`schema`), and the requests built
//! from it: the write rules the overlay adds, setting fields by name, and the workspace's
//! disabled server tools on the wire.

mod common;

use common::mock::*;
use mockito::{Matcher, Server};
use openrouter_workspaces::schema::{self, Kind, Location, Method};
use openrouter_workspaces::types::{
    CreateWorkspaceRequestDisabledServerToolsItem as Tool, Workspace,
};
use openrouter_workspaces::workspaces::{
    BulkAddMembers, BulkRemoveMembers, Create, Delete, DeleteBudget, GetBudget, List, SetBudget,
    Update,
};
use openrouter_workspaces::{Described, Error, RequestBuilder};
use serde_json::{Value, json};

#[test]
fn every_builder_names_its_operation_in_the_description() {
    let ids: Vec<&str> = schema::operations().iter().map(|o| o.id).collect();
    assert_eq!(ids.len(), 12, "{ids:?}");
    assert_eq!(Create::operation().id, "createWorkspace");
    assert_eq!(Create::operation().call, "workspaces().create");
    assert_eq!(
        Create::operation().to_string(),
        "workspaces().create (createWorkspace)"
    );
    assert_eq!(Delete::operation().method, Method::Delete);
    assert_eq!(
        GetBudget::operation().path,
        "/workspaces/{id}/budgets/{interval}"
    );
    for op in [Create::operation(), Update::operation(), List::operation()] {
        assert!(ids.contains(&op.id), "{} is listed", op.id);
    }
}

#[test]
fn parameters_and_fields_carry_the_document_rules() {
    let limit = List::operation().parameter("limit").expect("limit");
    assert_eq!(limit.location, Location::Query);
    assert_eq!(limit.shape.kind, Kind::Integer);
    assert_eq!(
        (limit.shape.rules.minimum, limit.shape.rules.maximum),
        (Some(1.0), Some(100.0))
    );
    assert_eq!(limit.default, Some("50"));
    assert!(limit.shape.check(&json!(101)).is_err());

    let interval = GetBudget::operation()
        .parameter("interval")
        .expect("interval");
    assert_eq!(interval.location, Location::Path);
    assert_eq!(
        interval.shape.values,
        ["daily", "weekly", "monthly", "lifetime"]
    );
    assert_eq!(interval.shape.model, Some("WorkspaceBudgetInterval"));

    let body = Create::operation().body.expect("a body");
    assert_eq!(body.model, Some("CreateWorkspaceRequest"));
    let slug = body.field("slug").expect("slug");
    assert!(slug.required && !slug.nullable);
    let problem = slug.check(&json!("Not A Slug")).unwrap_err();
    assert_eq!(problem.field, "slug");
    assert!(problem.problem.contains("pattern"), "{problem}");

    let tools = body.field("disabled_server_tools").expect("the new field");
    assert!(tools.nullable && !tools.required);
    assert_eq!(tools.shape.kind, Kind::Array);
    let items = tools.shape.items.expect("items");
    assert_eq!(items.values.len(), 12);
    assert!(items.values.contains(&"openrouter:web_search"));
    assert!(tools.check(&json!(["openrouter:web_search"])).is_ok());
    assert!(tools.check(&Value::Null).is_ok());
    let wrong = tools.check(&json!(["openrouter:nope"])).unwrap_err();
    assert!(wrong.problem.contains("item 0 must be one of"), "{wrong}");
}

#[test]
fn a_server_check_refuses_fields_the_document_lacks() {
    let body = Update::operation().body.expect("a body");
    let mut sent = serde_json::Map::new();
    sent.insert("name".into(), json!("Staging"));
    assert!(body.check(&sent).is_ok());
    sent.insert("region".into(), json!("eu"));
    let problem = body.check(&sent).unwrap_err();
    assert_eq!(problem.field, "region");
}

#[test]
fn models_describe_their_fields_with_defaults() {
    let workspace = Workspace::schema();
    assert_eq!(workspace.name, "Workspace");
    let tools = workspace.field("disabled_server_tools").expect("field");
    assert!(tools.nullable && !tools.required);
    let rate = workspace.field("io_logging_sampling_rate").expect("field");
    assert_eq!(rate.default_value(), Some(json!(1)));
    assert!(schema::models().iter().any(|m| m.name == "WorkspaceBudget"));
}

#[test]
fn write_rules_come_from_the_overlay() {
    let create = Create::operation().write;
    let settle = create.settle.expect("a create is settled by a lookup");
    assert_eq!(settle.path, "/workspaces/{slug}");
    assert_eq!(settle.object, "/data");
    assert_eq!(settle.identity, ["slug", "name"]);
    assert!(!create.repeatable && create.relocate.is_none());

    let update = Update::operation().write;
    assert_eq!(
        update.relocate.expect("relocation").path,
        "/workspaces/{slug}"
    );
    assert!(update.settle.is_none());

    for gone in [Delete::operation().write, DeleteBudget::operation().write] {
        assert_eq!(gone.gone_means_done, Some(r#"{"deleted":true}"#));
    }
    assert!(BulkAddMembers::operation().write.repeatable);
    assert!(BulkRemoveMembers::operation().write.repeatable);
    let set = SetBudget::operation().write;
    assert!(!set.repeatable && set.settle.is_none() && set.gone_means_done.is_none());
}

/// Sends `call` to a server expecting exactly `body` on `POST /workspaces` or
/// `PATCH /workspaces/staging`.
fn sends_body(method: &str, body: Value, call: impl FnOnce(&openrouter_workspaces::Client)) {
    let mut server = Server::new();
    let at = if method == "POST" {
        "/workspaces"
    } else {
        "/workspaces/staging"
    };
    let mock = server
        .mock(method, Matcher::Exact(path(at)))
        .match_body(Matcher::Json(body))
        .with_status(if method == "POST" { 201 } else { 200 })
        .with_header("content-type", "application/json")
        .with_body(json!({"data": workspace_json(WORKSPACE_ID, "staging")}).to_string())
        .create();
    call(&client(&server));
    mock.assert();
}

#[test]
fn disabled_server_tools_are_sent_set_cleared_and_open() {
    sends_body(
        "POST",
        json!({"name": "S", "slug": "staging", "disabled_server_tools": ["openrouter:web_search"]}),
        |c| {
            let create = c.workspaces().create().name("S").slug("staging");
            create
                .disabled_server_tools([Tool::OpenrouterWebSearch])
                .send()
                .unwrap();
        },
    );
    // The update takes the create body's enum too: both list the same values.
    sends_body(
        "PATCH",
        json!({"disabled_server_tools": ["openrouter:bash", "openrouter:future_tool"]}),
        |c| {
            let tools = [
                Tool::OpenrouterBash,
                Tool::Unknown("openrouter:future_tool".into()),
            ];
            let update = c.workspaces().update("staging");
            update.disabled_server_tools(tools).send().unwrap();
        },
    );
    sends_body("PATCH", json!({"disabled_server_tools": null}), |c| {
        let update = c.workspaces().update("staging");
        update.clear_disabled_server_tools().send().unwrap();
    });
}

/// The field and problem of an `InvalidInput` error.
fn invalid<T: std::fmt::Debug>(result: Result<T, Error>) -> (String, String) {
    match result {
        Err(Error::InvalidInput(input)) => (input.field, input.problem),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn setting_by_name_is_checked_before_sending() {
    let mut server = Server::new();
    let guards = guard_nothing_sent(&mut server);
    let client = client(&server);

    let typo = client
        .workspaces()
        .create()
        .set_json("name", json!("S"))
        .set_json("slug", json!("s"))
        .set_json("disabled_server_tools", json!(["openrouter:web_serch"]));
    let (field, problem) = invalid(typo.send());
    assert_eq!(field, "disabled_server_tools");
    assert!(problem.contains("openrouter:web_search"), "{problem}");

    let unknown = client.workspaces().list().set_json("region", json!("eu"));
    let (field, problem) = invalid(unknown.send());
    assert_eq!(field, "region");
    assert!(
        problem.contains("not a parameter or body field"),
        "{problem}"
    );

    let path = client
        .workspaces()
        .get("staging")
        .set_json("id", json!("x"));
    let (field, problem) = invalid(path.send());
    assert_eq!(field, "id");
    assert!(problem.contains("path parameter"), "{problem}");

    let wrong_type = client.workspaces().list().set_json("offset", json!("ten"));
    assert_eq!(invalid(wrong_type.send()).0, "offset");

    let out_of_range = client.workspaces().list().set_json("limit", json!(500));
    let (field, problem) = invalid(out_of_range.send());
    assert_eq!(field, "limit");
    assert!(problem.contains("at most 100"), "{problem}");
    assert_nothing_sent(&guards);
}

#[test]
fn setting_by_name_reaches_the_wire_like_the_typed_setters() {
    let mut server = Server::new();
    let mock = server
        .mock("GET", Matcher::Exact(path("/workspaces?offset=10&limit=5")))
        .with_header("content-type", "application/json")
        .with_body(json!({"data": [], "total_count": 0}).to_string())
        .create();
    let client = client(&server);
    let list = client.workspaces().list();
    list.set_json("offset", json!(10))
        .set_json("limit", json!(5))
        .send()
        .unwrap();
    mock.assert();
}
