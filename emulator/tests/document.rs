//! What the emulator takes from the OpenAPI document: the fields a request may carry and
//! their rules, the fields it stores and returns, and their defaults. The document's newest
//! settable field, `disabled_server_tools`, is the example: no line of the emulator names it.

mod common;

use common::start;
use openrouter_workspaces::Described;
use openrouter_workspaces::types::Workspace;
use serde_json::{Value, json};

/// The workspace `slug` as the emulator stores it (through the library's model), as JSON.
fn stored(emu: &openrouter_workspaces_emulator::Emulator, slug: &str) -> Value {
    let workspace = emu
        .workspaces()
        .into_iter()
        .find(|w| w.slug == slug)
        .unwrap_or_else(|| panic!("no workspace {slug}"));
    serde_json::to_value(workspace).unwrap()
}

#[test]
fn disabled_server_tools_are_stored_returned_updated_and_cleared() {
    let (emu, c) = start();
    let tools = json!({
        "name": "Tools",
        "slug": "tools",
        "disabled_server_tools": ["openrouter:web_search"],
    });
    let created = c.post("/workspaces", &tools).ok(201);
    assert_eq!(
        created["data"]["disabled_server_tools"],
        json!(["openrouter:web_search"])
    );
    let read = c.get("/workspaces/tools").ok(200);
    assert_eq!(read, created);
    assert_eq!(
        stored(&emu, "tools")["disabled_server_tools"],
        json!(["openrouter:web_search"])
    );

    let other = json!(["openrouter:bash", "openrouter:experimental__search_models"]);
    let updated = c
        .patch(
            "/workspaces/tools",
            &json!({ "disabled_server_tools": other }),
        )
        .ok(200);
    assert_eq!(updated["data"]["disabled_server_tools"], other);
    assert_eq!(
        c.get("/workspaces/tools").ok(200)["data"]["disabled_server_tools"],
        other
    );
    // Leaving it out keeps it.
    let renamed = c
        .patch("/workspaces/tools", &json!({ "name": "Tools 2" }))
        .ok(200);
    assert_eq!(renamed["data"]["disabled_server_tools"], other);

    // `null` and `[]` both turn every tool back on; each is returned as sent.
    let cleared = c
        .patch(
            "/workspaces/tools",
            &json!({ "disabled_server_tools": null }),
        )
        .ok(200);
    assert_eq!(cleared["data"]["disabled_server_tools"], Value::Null);
    assert_eq!(stored(&emu, "tools")["disabled_server_tools"], Value::Null);
    let emptied = c
        .patch("/workspaces/tools", &json!({ "disabled_server_tools": [] }))
        .ok(200);
    assert_eq!(emptied["data"]["disabled_server_tools"], json!([]));
    assert_eq!(
        c.get("/workspaces/tools").ok(200)["data"]["disabled_server_tools"],
        json!([])
    );
}

#[test]
fn values_outside_the_documents_rules_are_refused_naming_the_field() {
    let (emu, c) = start();
    c.create("Team", "team");
    let before = c.get("/workspaces/team").ok(200);
    for (body, message) in [
        (
            json!({"disabled_server_tools": ["openrouter:teleport"]}),
            "`disabled_server_tools` item 0 must be one of openrouter:advisor, ",
        ),
        (
            json!({"disabled_server_tools": ["openrouter:bash", 7]}),
            "`disabled_server_tools` item 1 must be a string",
        ),
        (
            json!({"disabled_server_tools": "openrouter:bash"}),
            "`disabled_server_tools` must be an array",
        ),
        (
            json!({"io_logging_sampling_rate": 2}),
            "`io_logging_sampling_rate` must be at most 1, is 2",
        ),
        (
            json!({"io_logging_sampling_rate": 0}),
            "`io_logging_sampling_rate` must be at least 0.0001, is 0",
        ),
        (
            json!({"name": "n".repeat(101)}),
            "`name` must be at most 100 characters long, is 101",
        ),
        (
            json!({"slug": "Not-A-Slug"}),
            "`slug` must match the pattern ^[a-z0-9]+(?:-[a-z0-9]+)*$",
        ),
    ] {
        let m = c.patch("/workspaces/team", &body).error(400);
        assert!(m.starts_with(message), "{body}: {m}");
        let mut create = body.clone();
        create["name"] = body.get("name").cloned().unwrap_or(json!("New"));
        create["slug"] = body.get("slug").cloned().unwrap_or(json!("new"));
        let m = c.post("/workspaces", &create).error(400);
        assert!(m.starts_with(message), "{create}: {m}");
    }
    assert_eq!(c.get("/workspaces/team").ok(200), before, "nothing changed");
    assert_eq!(emu.workspaces().len(), 2, "nothing created");
}

#[test]
fn fields_the_document_lacks_are_refused_not_dropped() {
    let (emu, c) = start();
    c.create("Team", "team");
    let unknown = |method: &str, path: &str, body: Value, operation: &str| {
        let m = c.send_json(method, path, &body).error(400);
        assert!(
            m.starts_with(&format!(
                "`residency_region` is not a field of the {operation} request body in the OpenAPI document this emulator was built from"
            )),
            "{m}"
        );
    };
    unknown(
        "POST",
        "/workspaces",
        json!({"name": "EU", "slug": "eu", "residency_region": "eu-west"}),
        "createWorkspace",
    );
    unknown(
        "PATCH",
        "/workspaces/team",
        json!({"name": "Renamed", "residency_region": "eu-west"}),
        "updateWorkspace",
    );
    unknown(
        "PUT",
        "/workspaces/team/budgets/daily",
        json!({"limit_usd": 5, "residency_region": "eu-west"}),
        "upsertWorkspaceBudget",
    );
    unknown(
        "POST",
        "/workspaces/team/members/add",
        json!({"user_ids": ["user_bob"], "residency_region": "eu-west"}),
        "bulkAddWorkspaceMembers",
    );
    assert_eq!(emu.workspaces().len(), 2, "nothing created");
    assert_eq!(emu.workspaces()[1].name, "Team", "nothing changed");
    assert!(emu.budgets("team").is_empty());
    assert_eq!(emu.members("team").len(), 1);
}

#[test]
fn a_new_workspace_has_every_field_of_the_document_with_its_defaults() {
    let (emu, c) = start();
    let created = c.create("Plain", "plain");
    let model = Workspace::schema();
    let mut answered: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut declared: Vec<&str> = model.fields.iter().map(|f| f.name).collect();
    answered.sort_unstable();
    declared.sort_unstable();
    assert_eq!(
        answered, declared,
        "every field of Workspace, and only those"
    );

    // The document's defaults ...
    assert_eq!(created["io_logging_sampling_rate"], json!(1.0));
    for flag in [
        "is_data_discount_logging_enabled",
        "is_observability_broadcast_enabled",
        "is_observability_io_logging_enabled",
    ] {
        assert_eq!(created[flag], false, "{flag}");
    }
    for field in model.fields {
        if let Some(default) = field.default_value() {
            // As numbers, `1` and `1.0` are the same default.
            match default.as_f64() {
                Some(x) => assert_eq!(created[field.name].as_f64(), Some(x), "{}", field.name),
                None => assert_eq!(created[field.name], default, "{}", field.name),
            }
        }
    }
    // ... else null where the field is nullable ...
    for field in [
        "disabled_server_tools",
        "description",
        "default_text_model",
        "default_image_model",
        "default_provider_sort",
        "io_logging_api_key_ids",
        "updated_at",
    ] {
        assert_eq!(created[field], Value::Null, "{field}");
    }
    // ... else the zero value of the type; the server's own values are set.
    assert_eq!(created["include_byok_in_budgets"], false);
    assert_eq!(created["created_by"], "user_alice");
    assert!(created["id"].as_str().is_some_and(|id| id.len() == 36));
    // The default workspace is made the same way.
    let default = stored(&emu, "default");
    assert_eq!(default["io_logging_sampling_rate"], json!(1.0));
    assert_eq!(default["disabled_server_tools"], Value::Null);
    assert_eq!(
        openrouter_workspaces_emulator::document_notes(),
        Vec::<String>::new()
    );
}

#[test]
fn an_interval_the_document_does_not_list_is_refused_by_the_document() {
    let (_emu, c) = start();
    // The emulator's rules would accept a new interval (see `rules` and `state`); this
    // document does not list `quarterly`, so the path parameter refuses it.
    let quarterly = "/workspaces/default/budgets/quarterly";
    let m = c.put(quarterly, &json!({"limit_usd": 5})).error(400);
    assert!(
        m.starts_with("`interval` must be one of daily, weekly, monthly, lifetime"),
        "{m}"
    );
}
