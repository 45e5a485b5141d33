//! Workspaces: authentication, routing, the workspace rules, lookup, pagination, PATCH.

mod common;

use common::{all_routes, client, client_with_key, start, start_with};
use openrouter_workspaces::types;
use openrouter_workspaces_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

#[test]
fn starts_with_the_default_workspace() {
    let (emu, c) = start();
    let list = c.get("/workspaces").ok(200);
    assert_eq!(list["total_count"], 1);
    let ws = &list["data"][0];
    assert_eq!(ws["slug"], "default");
    assert_eq!(ws["name"], "Default");
    assert_eq!(ws["created_by"], "user_alice");
    assert_eq!(ws["io_logging_sampling_rate"], 1.0);
    assert_eq!(ws["updated_at"], Value::Null);
    assert_eq!(ws["description"], Value::Null);
    // The body decodes into the library's model.
    let typed: types::ListWorkspacesResponse = serde_json::from_value(list.clone()).unwrap();
    assert_eq!(typed.data[0].slug, "default");
    assert_eq!(emu.workspaces().len(), 1);
}

#[test]
fn every_route_needs_a_management_key() {
    let emu = Emulator::start().unwrap();
    let anonymous = client_with_key(&emu, None);
    let wrong = client_with_key(&emu, Some("sk-or-v1-not-a-key"));
    let inference = client_with_key(&emu, Some(emu.inference_key()));
    for (method, path, body) in all_routes() {
        let m = anonymous.send(method, path, body).error(401);
        assert!(m.contains("Authorization"), "{m}");
        let m = wrong.send(method, path, body).error(401);
        assert!(!m.contains("sk-or-v1-not-a-key"), "the key is never echoed");
        let m = inference.send(method, path, body).error(403);
        assert!(m.contains("management key"), "{m}");
    }
    // A non-Bearer scheme is refused too.
    let reply = common::raw_exchange(
        emu.addr(),
        format!(
            "GET /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nConnection: close\r\n\r\n",
            emu.management_key()
        )
        .as_bytes(),
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 401 "));
    // Nothing was changed by the refused requests.
    assert_eq!(emu.workspaces().len(), 1);
    assert_eq!(emu.workspaces()[0].name, "Default");
}

#[test]
fn custom_keys() {
    let emu = Emulator::start_with(
        EmulatorConfig::new()
            .management_key("mk")
            .inference_key("ik"),
    )
    .unwrap();
    assert_eq!(emu.management_key(), "mk");
    assert_eq!(emu.inference_key(), "ik");
    client(&emu).get("/workspaces").ok(200);
    client_with_key(&emu, Some("ik"))
        .get("/workspaces")
        .error(403);
}

#[test]
fn unknown_routes_and_wrong_methods() {
    let (emu, c) = start();
    for path in [
        "/nope",
        "/workspaces/default/other",
        "/workspaces/default/members/add/more",
        "/workspaces/",
    ] {
        c.get(path).error(404);
    }
    // Outside /api/v1.
    let anonymous = client_with_key(&emu, None);
    let mut outside = client(&emu);
    outside.base = outside.base.trim_end_matches("/api/v1").to_string();
    outside.get("/workspaces").error(404);
    anonymous.get("/nope").error(404);

    let r = c.send("PUT", "/workspaces", Some("{}"));
    r.error(405);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    c.send("POST", "/workspaces/default", Some("{}")).error(405);
    c.send("GET", "/workspaces/default/members/add", None)
        .error(405);
    c.send("DELETE", "/workspaces/default/members", None)
        .error(405);
}

#[test]
fn create_get_and_lookup_by_id_or_slug() {
    let (emu, c) = start();
    let body = json!({
        "name": "Staging",
        "slug": "staging",
        "description": "Pre-release testing",
        "default_provider_sort": "price",
        "io_logging_sampling_rate": 0.5,
        "io_logging_api_key_ids": [1, 2],
        "is_observability_broadcast_enabled": true,
    });
    let created = c.post("/workspaces", &body).ok(201)["data"].clone();
    let typed: types::Workspace = serde_json::from_value(created.clone()).unwrap();
    assert_eq!(typed.name, "Staging");
    assert_eq!(typed.description.as_deref(), Some("Pre-release testing"));
    assert_eq!(typed.io_logging_sampling_rate, 0.5);
    assert_eq!(typed.io_logging_api_key_ids, Some(vec![1, 2]));
    assert!(typed.is_observability_broadcast_enabled);
    assert!(!typed.is_observability_io_logging_enabled);
    assert!(!typed.is_data_discount_logging_enabled);
    assert_eq!(typed.include_byok_in_budgets, Some(false));
    assert_eq!(typed.updated_at, None);
    assert_eq!(typed.created_by.as_deref(), Some("user_alice"));
    assert_eq!(
        uuid::Uuid::parse_str(&typed.id).unwrap().get_version_num(),
        4
    );
    assert_ne!(typed.default_guardrail_id, typed.id);
    assert!(typed.created_at.ends_with('Z') && typed.created_at.len() == 24);

    let by_slug = c.get("/workspaces/staging").ok(200)["data"].clone();
    let by_id = c.get(&format!("/workspaces/{}", typed.id)).ok(200)["data"].clone();
    let by_upper_id = c
        .get(&format!(
            "/workspaces/{}",
            typed.id.to_string().to_uppercase()
        ))
        .ok(200)["data"]
        .clone();
    assert_eq!(by_slug, created);
    assert_eq!(by_id, created);
    assert_eq!(by_upper_id, created);
    assert_eq!(emu.workspaces().len(), 2);
    // The creator is the first member.
    let members = emu.members("staging");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].user_id, "user_alice");

    let m = c.get("/workspaces/missing").error(404);
    assert!(m.contains("missing"), "{m}");
    c.get("/workspaces/00000000-0000-4000-8000-000000000000")
        .error(404);
}

#[test]
fn create_rules() {
    let (emu, c) = start();
    let bad = |body: Value, field: &str| {
        let m = c.post("/workspaces", &body).error(400);
        assert!(m.contains(field), "{body}: {m}");
    };
    bad(json!({"slug": "a"}), "name");
    bad(json!({"name": "A"}), "slug");
    bad(json!({"name": "", "slug": "a"}), "name");
    bad(json!({"name": "n".repeat(101), "slug": "a"}), "name");
    bad(json!({"name": 5, "slug": "a"}), "name");
    bad(json!({"name": null, "slug": "a"}), "name");
    for slug in ["", "-a", "a-", "a--b", "Abc", "a_b", "a b", "ü"] {
        bad(json!({"name": "A", "slug": slug}), "slug");
    }
    bad(json!({"name": "A", "slug": "a".repeat(51)}), "slug");
    bad(
        json!({"name": "A", "slug": "a", "description": "d".repeat(501)}),
        "description",
    );
    for rate in [0.0, 0.00009, 1.5, -1.0] {
        bad(
            json!({"name": "A", "slug": "a", "io_logging_sampling_rate": rate}),
            "io_logging_sampling_rate",
        );
    }
    bad(
        json!({"name": "A", "slug": "a", "io_logging_sampling_rate": "1"}),
        "io_logging_sampling_rate",
    );
    bad(
        json!({"name": "A", "slug": "a", "is_data_discount_logging_enabled": "yes"}),
        "is_data_discount_logging_enabled",
    );
    bad(
        json!({"name": "A", "slug": "a", "io_logging_api_key_ids": ["x"]}),
        "io_logging_api_key_ids",
    );
    bad(
        json!({"name": "A", "slug": "a", "default_provider_sort": "cheapest"}),
        "default_provider_sort",
    );
    c.send("POST", "/workspaces", Some("not json")).error(400);
    c.send("POST", "/workspaces", Some("[1]")).error(400);
    c.send("POST", "/workspaces", None).error(400);
    assert_eq!(emu.workspaces().len(), 1, "nothing was created");

    // The limits themselves are fine.
    c.post(
        "/workspaces",
        &json!({
            "name": "n".repeat(100),
            "slug": "a".repeat(50),
            "description": "d".repeat(500),
            "io_logging_sampling_rate": 0.0001,
        }),
    )
    .ok(201);
    c.post(
        "/workspaces",
        &json!({"name": "Ü", "slug": "0-9a", "description": null, "io_logging_sampling_rate": 1}),
    )
    .ok(201);
    for taken in ["0-9a", "default"] {
        let m = c.create_reply("Again", taken).error(400);
        assert!(m.contains("slug already in use"), "{taken}: {m}");
    }
    assert_eq!(emu.workspaces().len(), 3);
}

#[test]
fn delete_rules() {
    let (emu, c) = start_with(EmulatorConfig::new().workspace_with_active_keys("prod"));
    let m = c.send("DELETE", "/workspaces/default", None).error(403);
    assert!(m.contains("default"), "{m}");
    let id = emu.workspaces()[0].id.clone();
    c.send("DELETE", &format!("/workspaces/{id}"), None)
        .error(403);

    c.create("Prod", "prod");
    let m = c.send("DELETE", "/workspaces/prod", None).error(400);
    assert!(m.contains("API keys"), "{m}");

    let ws = c.create("Temp", "temp");
    c.send(
        "PUT",
        "/workspaces/temp/budgets/daily",
        Some(r#"{"limit_usd":1}"#),
    )
    .ok(200);
    let r = c
        .send(
            "DELETE",
            &format!("/workspaces/{}", ws["id"].as_str().unwrap()),
            None,
        )
        .ok(200);
    assert_eq!(r, json!({"deleted": true}));
    c.get("/workspaces/temp").error(404);
    c.send("DELETE", "/workspaces/temp", None).error(404);
    assert!(emu.budgets("temp").is_empty());
    // The slug is free again.
    c.create("Temp again", "temp");
    assert_eq!(
        emu.workspaces()
            .iter()
            .map(|w| w.slug.as_str())
            .collect::<Vec<_>>(),
        ["default", "prod", "temp"]
    );
}

#[test]
fn pagination() {
    let (_emu, c) = start();
    for i in 0..7 {
        c.create(&format!("W{i}"), &format!("w{i}"));
    }
    let slugs = |path: &str| -> (Vec<String>, i64) {
        let v = c.get(path).ok(200);
        let slugs = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["slug"].as_str().unwrap().to_string())
            .collect();
        (slugs, v["total_count"].as_i64().unwrap())
    };
    assert_eq!(
        slugs("/workspaces"),
        (
            ["default", "w0", "w1", "w2", "w3", "w4", "w5", "w6"]
                .map(String::from)
                .to_vec(),
            8
        )
    );
    assert_eq!(
        slugs("/workspaces?limit=3"),
        (["default", "w0", "w1"].map(String::from).to_vec(), 8)
    );
    assert_eq!(
        slugs("/workspaces?offset=3&limit=3"),
        (["w2", "w3", "w4"].map(String::from).to_vec(), 8)
    );
    assert_eq!(
        slugs("/workspaces?limit=3&offset=6"),
        (["w5", "w6"].map(String::from).to_vec(), 8)
    );
    assert_eq!(slugs("/workspaces?offset=8"), (vec![], 8));
    assert_eq!(slugs("/workspaces?offset=1000000"), (vec![], 8));
    assert_eq!(slugs("/workspaces?limit=100").0.len(), 8);
    assert_eq!(slugs("/workspaces?limit=1").0.len(), 1);
    for q in [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=x",
        "offset=-1",
        "offset=1.5",
        "limit=",
    ] {
        let m = c.get(&format!("/workspaces?{q}")).error(400);
        let field = q.split('=').next().unwrap();
        assert!(m.contains(field), "{q}: {m}");
    }
}

#[test]
fn percent_encoded_path_segments() {
    let (emu, c) = start();
    c.create("My slug", "my-slug");
    // An encoded character inside a segment is data.
    assert_eq!(
        c.get("/workspaces/my%2Dslug").ok(200)["data"]["slug"],
        "my-slug"
    );
    // %2F is not a separator: this is the workspace "default/budgets", which does not exist.
    let m = c.get("/workspaces/default%2Fbudgets").error(404);
    assert!(m.contains("default/budgets"), "{m}");
    let m = c.get("/workspaces/a%20b").error(404);
    assert!(m.contains("a b"), "{m}");
    c.get("/workspaces/%FF").error(400);
    // Counters see the path as received.
    assert_eq!(emu.requests_to("GET", "/api/v1/workspaces/my%2Dslug"), 1);
    // Encoded intervals are decoded too.
    c.send(
        "PUT",
        "/workspaces/my-slug/budgets/dail%79",
        Some(r#"{"limit_usd":3}"#),
    )
    .ok(200);
    assert_eq!(emu.budgets("my-slug").len(), 1);
}

#[test]
fn patch_sets_clears_and_keeps_fields() {
    let (_emu, c) = start();
    c.post(
        "/workspaces",
        &json!({
            "name": "Team",
            "slug": "team",
            "description": "notes",
            "default_text_model": "openai/gpt-4o",
            "default_image_model": "img/model",
            "default_provider_sort": "latency",
            "io_logging_api_key_ids": [7],
        }),
    )
    .ok(201);

    // Absent fields are kept.
    let ws = c
        .patch("/workspaces/team", &json!({"name": "Team 2"}))
        .ok(200)["data"]
        .clone();
    assert_eq!(ws["name"], "Team 2");
    assert_eq!(ws["description"], "notes");
    assert_eq!(ws["default_text_model"], "openai/gpt-4o");
    assert_eq!(ws["io_logging_api_key_ids"], json!([7]));
    assert!(ws["updated_at"].is_string());

    // Explicit null clears every nullable field.
    let ws = c
        .patch(
            "/workspaces/team",
            &json!({
                "description": null,
                "default_text_model": null,
                "default_image_model": null,
                "default_provider_sort": null,
                "io_logging_api_key_ids": null,
            }),
        )
        .ok(200)["data"]
        .clone();
    for field in [
        "description",
        "default_text_model",
        "default_image_model",
        "default_provider_sort",
        "io_logging_api_key_ids",
    ] {
        assert_eq!(ws[field], Value::Null, "{field}");
    }
    assert_eq!(ws["name"], "Team 2");
    let typed: types::UpdateWorkspaceResponse =
        serde_json::from_value(json!({ "data": ws })).unwrap();
    assert_eq!(typed.data.description, None);

    // Everything else can be set.
    let ws = c
        .patch(
            "/workspaces/team",
            &json!({
                "slug": "team-two",
                "description": "again",
                "io_logging_sampling_rate": 0.25,
                "is_data_discount_logging_enabled": true,
                "is_observability_broadcast_enabled": true,
                "is_observability_io_logging_enabled": true,
                "io_logging_api_key_ids": [],
            }),
        )
        .ok(200)["data"]
        .clone();
    assert_eq!(ws["slug"], "team-two");
    assert_eq!(ws["io_logging_sampling_rate"], 0.25);
    assert_eq!(ws["is_observability_io_logging_enabled"], true);
    assert_eq!(ws["io_logging_api_key_ids"], json!([]));
    c.get("/workspaces/team").error(404);
    c.get("/workspaces/team-two").ok(200);
    // Keeping one's own slug is fine; taking another's is not.
    c.patch("/workspaces/team-two", &json!({"slug": "team-two"}))
        .ok(200);
    let m = c
        .patch("/workspaces/team-two", &json!({"slug": "default"}))
        .error(400);
    assert!(m.contains("slug already in use"), "{m}");
    // An empty patch is accepted.
    c.patch("/workspaces/team-two", &json!({})).ok(200);
}

#[test]
fn patch_rules() {
    let (_emu, c) = start();
    c.create("Team", "team");
    let before = c.get("/workspaces/team").ok(200);
    let bad = |body: Value, field: &str| {
        let m = c.patch("/workspaces/team", &body).error(400);
        assert!(m.contains(field), "{body}: {m}");
    };
    bad(json!({"name": null}), "name");
    bad(json!({"name": ""}), "name");
    bad(json!({"name": "x".repeat(101)}), "name");
    bad(json!({"slug": null}), "slug");
    bad(json!({"slug": "Bad Slug"}), "slug");
    bad(json!({"description": "d".repeat(501)}), "description");
    bad(
        json!({"io_logging_sampling_rate": 2}),
        "io_logging_sampling_rate",
    );
    bad(
        json!({"io_logging_sampling_rate": null}),
        "io_logging_sampling_rate",
    );
    bad(
        json!({"is_observability_broadcast_enabled": null}),
        "is_observability_broadcast_enabled",
    );
    bad(
        json!({"default_provider_sort": "random"}),
        "default_provider_sort",
    );
    // A valid field next to an invalid one is not applied either.
    bad(json!({"name": "Changed", "slug": "-"}), "slug");
    c.send("PATCH", "/workspaces/team", Some("nope")).error(400);
    assert_eq!(c.get("/workspaces/team").ok(200), before);
    c.patch("/workspaces/missing", &json!({"name": "x"}))
        .error(404);
}

const CONFIRM: &str = "confirm_default_workspace_deletion";

#[test]
fn the_default_workspace_cannot_be_deleted_unless_enabled() {
    let (emu, c) = start();
    let refused = c.send("DELETE", "/workspaces/default", None).error(403);
    assert!(refused.contains("default workspace"), "{refused}");
    for query in ["true", "false"] {
        let m = c
            .send(
                "DELETE",
                &format!("/workspaces/default?{CONFIRM}={query}"),
                None,
            )
            .error(403);
        assert_eq!(m, refused, "the parameter changes nothing: {query}");
    }
    // A value that is not a boolean is refused first, wherever it is sent.
    for path in ["/workspaces/default", "/workspaces/missing"] {
        let m = c
            .send("DELETE", &format!("{path}?{CONFIRM}=yes"), None)
            .error(400);
        assert!(m.contains(CONFIRM), "{m}");
    }
    assert_eq!(emu.workspaces().len(), 1);
    assert_eq!(emu.workspaces()[0].slug, "default");
}

#[test]
fn an_enabled_caller_deletes_the_default_workspace_with_the_confirmation() {
    let (emu, c) = start_with(EmulatorConfig::new().allow_default_workspace_deletion(true));
    c.create("Other", "other");
    let id = emu.workspaces()[0].id.to_string();
    for path in [
        "/workspaces/default".to_string(),
        format!("/workspaces/default?{CONFIRM}=false"),
        format!("/workspaces/{id}?{CONFIRM}=false"),
    ] {
        let m = c.send("DELETE", &path, None).error(400);
        assert!(m.contains(CONFIRM) && m.contains("true"), "{path}: {m}");
    }
    assert_eq!(emu.workspaces().len(), 2, "nothing deleted yet");

    let r = c
        .send("DELETE", &format!("/workspaces/{id}?{CONFIRM}=true"), None)
        .ok(200);
    assert_eq!(r, json!({"deleted": true}));
    let slugs: Vec<String> = emu.workspaces().into_iter().map(|w| w.slug).collect();
    assert_eq!(slugs, ["other"]);
    c.get("/workspaces/default").error(404);
    assert!(emu.members("default").is_empty());

    // Other workspaces do not need the parameter, and ignore it.
    c.create("Temp", "temp");
    c.send("DELETE", &format!("/workspaces/temp?{CONFIRM}=false"), None)
        .ok(200);
    c.send("DELETE", "/workspaces/other", None).ok(200);
    assert!(emu.workspaces().is_empty());
}
