//! The project's OpenAPI document must describe the Workspaces operations exactly as the
//! upstream document does. Only the wording (descriptions, summaries, examples, info, tags)
//! and a short, listed set of deliberate additions may differ.

mod common;

use openrouter_workspaces_codegen::{load, select};
use serde_json::{Value, json};

/// Keys whose values are maps from names (paths, properties, status codes, media types) to
/// objects: inside them a key such as `description` is a name, not prose.
const NAME_MAPS: [&str; 12] = [
    "paths",
    "properties",
    "responses",
    "content",
    "schemas",
    "parameters",
    "securitySchemes",
    "headers",
    "requestBodies",
    "variables",
    "mapping",
    "encoding",
];

/// Prose and sample keys, compared nowhere.
const WORDING: [&str; 4] = ["description", "summary", "example", "examples"];

/// Top-level parts that carry structure.
const COMPARED: [&str; 6] = [
    "paths",
    "components",
    "servers",
    "security",
    "x-speakeasy-retries",
    "x-retry-strategy",
];

/// Our additions: the attribution headers, declared once and referenced by every path.
const ATTRIBUTION_PARAMETERS: [&str; 3] = ["HttpReferer", "AppTitle", "AppCategories"];

/// Our additions: constraints the upstream states only in prose, and the defaults a new
/// workspace gets, as (pointer, keyword, value).
fn prose_constraints() -> Vec<(&'static str, &'static str, Value)> {
    let workspace = "/components/schemas/Workspace/properties";
    let defaults = [
        ("io_logging_sampling_rate", json!(1)),
        ("is_data_discount_logging_enabled", json!(false)),
        ("is_observability_broadcast_enabled", json!(false)),
        ("is_observability_io_logging_enabled", json!(false)),
    ];
    let defaults = defaults.into_iter().map(|(field, value)| {
        let pointer: &'static str = format!("{workspace}/{field}").leak();
        (pointer, "default", value)
    });
    defaults
        .chain([
            (
                "/components/schemas/CreateWorkspaceRequest/properties/io_logging_sampling_rate",
                "minimum",
                json!(0.0001),
            ),
            (
                "/components/schemas/CreateWorkspaceRequest/properties/io_logging_sampling_rate",
                "maximum",
                json!(1),
            ),
            (
                "/components/schemas/UpdateWorkspaceRequest/properties/io_logging_sampling_rate",
                "minimum",
                json!(0.0001),
            ),
            (
                "/components/schemas/UpdateWorkspaceRequest/properties/io_logging_sampling_rate",
                "maximum",
                json!(1),
            ),
            (
                "/components/schemas/UpsertWorkspaceBudgetRequest/properties/limit_usd",
                "exclusiveMinimum",
                json!(0),
            ),
        ])
        .collect()
}

/// Ahead of both vendored upstream documents: what the API has gained since, as the newest
/// official SDKs send and read it. The delete parameter confirming the default workspace's
/// removal, and the server tools a workspace turns off (on both request bodies and the
/// workspace), as (JSON pointer of the parent, name).
const AHEAD_OF_UPSTREAM: [(&str, &str); 4] = [
    (
        "/paths/~1workspaces~1{id}/delete/parameters",
        "confirm_default_workspace_deletion",
    ),
    (
        "/components/schemas/CreateWorkspaceRequest/properties",
        "disabled_server_tools",
    ),
    (
        "/components/schemas/UpdateWorkspaceRequest/properties",
        "disabled_server_tools",
    ),
    (
        "/components/schemas/Workspace/properties",
        "disabled_server_tools",
    ),
];

fn strip_wording(value: &mut Value, in_name_map: bool) {
    match value {
        Value::Object(map) => {
            if !in_name_map {
                map.retain(|k, _| !WORDING.contains(&k.as_str()));
            }
            for (key, child) in map.iter_mut() {
                let child_is_name_map = !in_name_map && NAME_MAPS.contains(&key.as_str());
                strip_wording(child, child_is_name_map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| strip_wording(i, false)),
        _ => {}
    }
}

/// The structure of the Workspaces part of a document.
fn structure(doc: &Value) -> Value {
    let file = std::path::Path::new("doc");
    let cut = select::select(doc, &["Workspaces".to_string()], file).expect("selectable");
    let mut out = serde_json::Map::new();
    for key in COMPARED {
        if let Some(v) = cut.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    let mut out = Value::Object(out);
    // Only the security schemes the document's requirements name.
    let used: Vec<String> = out["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect();
    if let Some(schemes) = out
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
    {
        schemes.retain(|name, _| used.contains(name));
    }
    strip_wording(&mut out, false);
    out
}

/// Removes our deliberate additions, failing if one is not exactly as listed.
fn remove_additions(ours: &mut Value) {
    for (pointer, keyword, expected) in prose_constraints() {
        let schema = ours
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{pointer} is missing from our document"));
        let found = schema.remove(keyword);
        let same = match (&found, &expected) {
            (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (found, expected) => found.as_ref() == Some(expected),
        };
        assert!(same, "{pointer}/{keyword}: {found:?}, expected {expected}");
    }
    for (parent, name) in AHEAD_OF_UPSTREAM {
        let removed = match ours.pointer_mut(parent) {
            Some(Value::Array(parameters)) => {
                let before = parameters.len();
                parameters.retain(|p| p["name"] != name);
                before - parameters.len() == 1
            }
            Some(Value::Object(properties)) => properties.remove(name).is_some(),
            _ => false,
        };
        assert!(removed, "our document declares {name} in {parent}");
    }
    let refs: Vec<Value> = ATTRIBUTION_PARAMETERS
        .iter()
        .map(|n| json!({ "$ref": format!("#/components/parameters/{n}") }))
        .collect();
    for item in ours["paths"].as_object_mut().expect("paths").values_mut() {
        let item = item.as_object_mut().expect("path item");
        let params = item
            .remove("parameters")
            .expect("every path item declares the attribution headers");
        assert_eq!(
            params,
            Value::Array(refs.clone()),
            "path-level parameters are the three attribution headers"
        );
    }
    let components = ours["components"].as_object_mut().expect("components");
    let parameters = components
        .remove("parameters")
        .expect("attribution headers declared in components/parameters");
    let names: Vec<&String> = parameters.as_object().expect("map").keys().collect();
    assert_eq!(
        names, ATTRIBUTION_PARAMETERS,
        "no other shared parameter is ours"
    );
    for (name, header) in [
        ("HttpReferer", "HTTP-Referer"),
        ("AppTitle", "X-OpenRouter-Title"),
        ("AppCategories", "X-OpenRouter-Categories"),
    ] {
        assert_eq!(parameters[name]["name"], header);
        assert_eq!(parameters[name]["in"], "header");
        assert_eq!(parameters[name]["required"], false);
    }
}

/// Pointers where two documents differ (at most `limit`).
fn differences(a: &Value, b: &Value, pointer: &str, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => differences(p, q, &child, out, limit),
                    (Some(p), None) => out.push(format!("{child}: only in ours: {p}")),
                    (None, Some(q)) => out.push(format!("{child}: only upstream: {q}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{pointer}/{i}"), out, limit);
            }
        }
        _ => out.push(format!("{pointer}: ours {a} upstream {b}")),
    }
}

#[test]
#[cfg_attr(
    not(upstream_specs),
    ignore = "the upstream OpenAPI documents are not in ../shared/openapi"
)]
fn project_document_matches_upstream_workspaces_structure() {
    let ours = load::load_file(&common::project_spec()).expect("our document loads");
    let upstream = load::load_file(&common::upstream_spec("openrouter-2026-08-22.yaml"))
        .expect("upstream document loads");
    let mut ours = structure(&ours);
    remove_additions(&mut ours);
    let upstream = structure(&upstream);
    let mut diffs = Vec::new();
    differences(&ours, &upstream, "", &mut diffs, 30);
    assert!(
        diffs.is_empty(),
        "our document differs from upstream:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn project_document_has_the_twelve_operations() {
    let ours = load::load_file(&common::project_spec()).expect("our document loads");
    let mut ids: Vec<&str> = ours["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("item").values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "bulkAddWorkspaceMembers",
            "bulkRemoveWorkspaceMembers",
            "createWorkspace",
            "deleteWorkspace",
            "deleteWorkspaceBudget",
            "getWorkspace",
            "getWorkspaceBudget",
            "listWorkspaceBudgets",
            "listWorkspaceMembers",
            "listWorkspaces",
            "updateWorkspace",
            "upsertWorkspaceBudget",
        ]
    );
}

#[test]
fn the_comparison_notices_a_structural_change() {
    // A guard on the guard: change one keyword and the structures differ.
    let ours = load::load_file(&common::project_spec()).expect("our document loads");
    let mut changed = ours.clone();
    changed["components"]["schemas"]["CreateWorkspaceRequest"]["properties"]["name"]["maxLength"] =
        json!(99);
    let mut diffs = Vec::new();
    differences(&structure(&ours), &structure(&changed), "", &mut diffs, 5);
    assert_eq!(
        diffs,
        [
            "/components/schemas/CreateWorkspaceRequest/properties/name/maxLength: ours 100 upstream 99"
        ]
    );
    // …while rewording changes nothing.
    let mut reworded = ours.clone();
    reworded["components"]["schemas"]["Workspace"]["properties"]["name"]["description"] =
        json!("other words");
    assert_eq!(structure(&ours), structure(&reworded));
}
