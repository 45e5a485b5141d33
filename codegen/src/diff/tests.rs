//! Unit tests of the diff on small documents: one rule each.

use super::*;

/// A document with one `Workspaces` operation `op` at `POST /things/{id}`, whose request
/// body and 200 response use the component schemas `Req` and `Res`.
fn doc(op_extra: Value, req: Value, res: Value) -> Value {
    let mut op = json!({
        "operationId": "makeThing",
        "tags": ["Workspaces"],
        "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
        ],
        "requestBody": {"required": true, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Req"}}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Res"}}}},
            "404": {"description": "missing"}
        }
    });
    for (k, v) in op_extra.as_object().cloned().unwrap_or_default() {
        op[k] = v;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things/{id}": {"post": op}},
        "components": {"schemas": {"Req": req, "Res": res}}
    })
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn base() -> Value {
    doc(
        json!({}),
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(json!({"id": {"type": "string"}}), &["id"]),
    )
}

fn run(old: &Value, new: &Value) -> Vec<Change> {
    diff_documents(
        old,
        new,
        &["Workspaces".to_string()],
        Path::new("old.yaml"),
        Path::new("new.yaml"),
    )
    .expect("both documents are valid")
}

/// The single change of a diff, as (location, change, kind).
fn only(changes: &[Change]) -> (&str, &str, Kind) {
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let c = &changes[0];
    (c.location.as_str(), c.change, c.kind)
}

fn find<'c>(changes: &'c [Change], location: &str, change: &str) -> &'c Change {
    changes
        .iter()
        .find(|c| c.location == location && c.change == change)
        .unwrap_or_else(|| panic!("no {change} at {location} in {changes:#?}"))
}

#[test]
fn identical_documents_have_no_differences() {
    assert!(run(&base(), &base()).is_empty());
    assert_eq!(Summary::of(&[]).to_string(), "No differences.");
}

#[test]
fn three_one_and_three_zero_spellings_compare_equal() {
    let old = doc(
        json!({}),
        object(
            json!({"name": {"type": "string", "nullable": true}}),
            &["name"],
        ),
        object(json!({"id": {"type": "string"}}), &["id"]),
    );
    let new = doc(
        json!({}),
        object(json!({"name": {"type": ["string", "null"]}}), &["name"]),
        object(json!({"id": {"type": "string"}}), &["id"]),
    );
    assert!(run(&old, &new).is_empty());
}

#[test]
fn operation_added_is_compatible_and_removed_is_breaking() {
    let mut two = base();
    two["paths"]["/other"] = json!({"get": {"operationId": "getOther", "tags": ["Workspaces"],
        "responses": {"204": {"description": "none"}}}});
    let added = run(&base(), &two);
    assert_eq!(
        only(&added),
        ("operation", "operation_added", Kind::Compatible)
    );
    assert_eq!(
        (added[0].operation.as_str(), added[0].method.as_str()),
        ("getOther", "GET")
    );
    let removed = run(&two, &base());
    assert_eq!(
        only(&removed),
        ("operation", "operation_removed", Kind::Breaking)
    );
    assert_eq!(removed[0].path, "/other");
}

#[test]
fn operations_of_other_tags_are_ignored() {
    let mut other = base();
    other["paths"]["/other"] = json!({"get": {"operationId": "getOther", "tags": ["Keys"],
        "responses": {"204": {"description": "none"}}}});
    assert!(run(&base(), &other).is_empty());
}

#[test]
fn method_and_path_changes_are_breaking() {
    let mut new = base();
    let op = new["paths"]["/things/{id}"]["post"].take();
    new["paths"] = json!({"/things/{id}/make": {"put": op}});
    let changes = run(&base(), &new);
    assert_eq!(
        find(&changes, "operation", "method_changed").detail,
        "POST -> PUT"
    );
    assert_eq!(
        find(&changes, "operation", "path_changed").kind,
        Kind::Breaking
    );
    assert!(changes.iter().all(|c| c.method == "PUT"));
}

#[test]
fn generated_method_rename_is_breaking() {
    let new = doc(
        json!({"x-speakeasy-name-override": "create"}),
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(json!({"id": {"type": "string"}}), &["id"]),
    );
    let changes = run(&base(), &new);
    assert_eq!(
        only(&changes),
        ("operation", "method_name_changed", Kind::Breaking)
    );
    assert_eq!(changes[0].detail, "`make_thing` -> `create`");
}

#[test]
fn parameter_rules() {
    let with = |params: Value| {
        doc(
            json!({"parameters": params}),
            object(json!({"name": {"type": "string"}}), &["name"]),
            object(json!({"id": {"type": "string"}}), &["id"]),
        )
    };
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    let limit = |schema: Value, required: bool| json!({"name": "limit", "in": "query", "required": required, "schema": schema});
    let q = |required: bool| json!({"name": "q", "in": "query", "required": required, "schema": {"type": "string"}});
    let max = |maximum: u64| limit(json!({"type": "integer", "maximum": maximum}), false);
    let old = with(json!([id, max(100)]));

    // Each new list of parameters, and the one change it makes.
    let cases = [
        // Added optional: compatible; added required: breaking.
        (
            json!([id, max(100), q(false)]),
            ("query.q", "parameter_added", Kind::Compatible),
        ),
        (
            json!([id, max(100), q(true)]),
            ("query.q", "parameter_added", Kind::Breaking),
        ),
        // Removed, made required, type changed: breaking.
        (
            json!([id]),
            ("query.limit", "parameter_removed", Kind::Breaking),
        ),
        (
            json!([id, limit(json!({"type": "integer", "maximum": 100}), true)]),
            ("query.limit", "made_required", Kind::Breaking),
        ),
        (
            json!([id, limit(json!({"type": "string", "maximum": 100}), false)]),
            ("query.limit", "type_changed", Kind::Breaking),
        ),
        // Constraints: stricter breaks, looser does not.
        (
            json!([id, max(50)]),
            ("query.limit", "constraint_changed", Kind::Breaking),
        ),
        (
            json!([id, max(500)]),
            ("query.limit", "constraint_changed", Kind::Compatible),
        ),
    ];
    for (params, expected) in cases {
        assert_eq!(only(&run(&old, &with(params))), expected);
    }
    let stricter = run(&old, &with(json!([id, max(50)])));
    assert_eq!(stricter[0].detail, "maximum 100 -> 50 (stricter)");

    // Nullability is not used for parameters; a default is informative.
    let new = with(json!([
        id,
        limit(
            json!({"type": ["integer", "null"], "maximum": 100, "default": 50}),
            false
        )
    ]));
    let changes = run(&old, &new);
    assert_eq!(
        find(&changes, "query.limit", "made_nullable").kind,
        Kind::Compatible
    );
    assert_eq!(
        find(&changes, "query.limit", "default_changed").detail,
        "none -> 50"
    );
}

#[test]
fn client_managed_headers_are_compatible() {
    let new = doc(
        json!({"parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "HTTP-Referer", "in": "header", "required": true, "schema": {"type": "string"}}
        ]}),
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(json!({"id": {"type": "string"}}), &["id"]),
    );
    assert_eq!(
        only(&run(&base(), &new)),
        ("header.HTTP-Referer", "parameter_added", Kind::Compatible)
    );
}

fn with_request(req: Value) -> Value {
    doc(
        json!({}),
        req,
        object(json!({"id": {"type": "string"}}), &["id"]),
    )
}

fn with_response(res: Value) -> Value {
    doc(
        json!({}),
        object(json!({"name": {"type": "string"}}), &["name"]),
        res,
    )
}

#[test]
fn request_fields_added() {
    let optional = with_request(object(
        json!({"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}),
        &["name"],
    ));
    let changes = run(&base(), &optional);
    assert_eq!(
        only(&changes),
        ("body.tags", "field_added", Kind::Compatible)
    );
    assert_eq!(changes[0].detail, "optional array of string");
    let required = with_request(object(
        json!({"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}),
        &["name", "tags"],
    ));
    assert_eq!(
        only(&run(&base(), &required)),
        ("body.tags", "field_added", Kind::Breaking)
    );
}

#[test]
fn request_field_removed_is_breaking() {
    let new = with_request(object(json!({}), &[]));
    let changes = run(&base(), &new);
    assert_eq!(
        find(&changes, "body.name", "field_removed").kind,
        Kind::Breaking
    );
}

#[test]
fn request_requiredness_and_nullability() {
    let old = with_request(object(json!({"name": {"type": "string"}}), &[]));
    assert_eq!(
        only(&run(&old, &base())),
        ("body.name", "made_required", Kind::Breaking)
    );
    assert_eq!(
        only(&run(&base(), &old)),
        ("body.name", "made_optional", Kind::Compatible)
    );
    let nullable = with_request(object(
        json!({"name": {"type": ["string", "null"]}}),
        &["name"],
    ));
    assert_eq!(
        only(&run(&base(), &nullable)),
        ("body.name", "made_nullable", Kind::Compatible)
    );
    assert_eq!(
        only(&run(&nullable, &base())),
        ("body.name", "made_non_nullable", Kind::Breaking)
    );
}

#[test]
fn nested_request_fields_through_refs_and_arrays() {
    let req = |item: Value| {
        let mut d = with_request(object(
            json!({"name": {"type": "string"},
                   "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}}}),
            &["name"],
        ));
        d["components"]["schemas"]["Member"] = item;
        d
    };
    let old = req(object(json!({"user_id": {"type": "string"}}), &["user_id"]));
    let new = req(object(
        json!({"user_id": {"type": "string", "format": "uuid"}, "role": {"type": "string"}}),
        &["user_id"],
    ));
    let changes = run(&old, &new);
    assert_eq!(
        find(&changes, "body.members[].user_id", "format_changed").detail,
        "none -> uuid"
    );
    assert_eq!(
        find(&changes, "body.members[].role", "field_added").kind,
        Kind::Compatible
    );
    assert_eq!(changes.len(), 2, "{changes:#?}");
}

#[test]
fn request_enum_rules() {
    let with = |values: Value| {
        with_request(object(
            json!({"name": {"type": "string"}, "mode": {"type": "string", "enum": values}}),
            &["name"],
        ))
    };
    let old = with(json!(["a", "b"]));
    let changes = run(&old, &with(json!(["a", "b", "c"])));
    assert_eq!(
        only(&changes),
        ("body.mode", "enum_value_added", Kind::Compatible)
    );
    assert_eq!(changes[0].detail, "\"c\"");
    assert_eq!(
        only(&run(&old, &with(json!(["a"])))),
        ("body.mode", "enum_value_removed", Kind::Breaking)
    );
}

#[test]
fn request_constraint_rules() {
    let with = |slug: Value| {
        with_request(object(
            json!({"name": {"type": "string"}, "slug": slug}),
            &["name"],
        ))
    };
    let old = with(json!({"type": "string", "pattern": "^[a-z-]+$", "maxLength": 10}));
    let stricter = with(json!({"type": "string", "pattern": "^[a-z]+$", "maxLength": 10}));
    assert_eq!(
        only(&run(&old, &stricter)),
        ("body.slug", "constraint_changed", Kind::Breaking)
    );
    let looser = with(json!({"type": "string", "pattern": "^[a-z-]+$"}));
    assert_eq!(
        only(&run(&old, &looser)),
        ("body.slug", "constraint_removed", Kind::Compatible)
    );
    let added =
        with(json!({"type": "string", "pattern": "^[a-z-]+$", "maxLength": 10, "minLength": 1}));
    assert_eq!(
        only(&run(&old, &added)),
        ("body.slug", "constraint_added", Kind::Breaking)
    );
}

#[test]
fn response_field_added_is_compatible_even_when_required() {
    let new = with_response(object(
        json!({"id": {"type": "string"}, "name": {"type": "string"}}),
        &["id", "name"],
    ));
    assert_eq!(
        only(&run(&base(), &new)),
        ("response.200.name", "field_added", Kind::Compatible)
    );
}

#[test]
fn response_field_removed_or_loosened_is_breaking() {
    let removed = with_response(object(json!({}), &[]));
    assert_eq!(
        find(&run(&base(), &removed), "response.200.id", "field_removed").kind,
        Kind::Breaking
    );
    let optional = with_response(object(json!({"id": {"type": "string"}}), &[]));
    assert_eq!(
        only(&run(&base(), &optional)),
        ("response.200.id", "made_optional", Kind::Breaking)
    );
    let nullable = with_response(object(json!({"id": {"type": ["string", "null"]}}), &["id"]));
    assert_eq!(
        only(&run(&base(), &nullable)),
        ("response.200.id", "made_nullable", Kind::Breaking)
    );
    // Optional and nullable stay `Option<T>` together: compatible.
    let both = with_response(object(json!({"id": {"type": ["string", "null"]}}), &[]));
    let changes = run(&nullable, &both);
    assert_eq!(
        only(&changes),
        ("response.200.id", "made_optional", Kind::Compatible)
    );
}

#[test]
fn response_enum_value_added_is_breaking() {
    let with = |values: Value| {
        with_response(object(
            json!({"id": {"type": "string"}, "state": {"type": "string", "enum": values}}),
            &["id", "state"],
        ))
    };
    assert_eq!(
        only(&run(&with(json!(["on"])), &with(json!(["on", "off"])))),
        ("response.200.state", "enum_value_added", Kind::Breaking)
    );
}

#[test]
fn response_constraint_changes_are_compatible() {
    let with = |max: u64| {
        with_response(object(
            json!({"id": {"type": "string", "maxLength": max}}),
            &["id"],
        ))
    };
    assert_eq!(
        only(&run(&with(10), &with(5))),
        ("response.200.id", "constraint_changed", Kind::Compatible)
    );
}

#[test]
fn type_change_is_breaking_and_stops_there() {
    let new = with_response(object(json!({"id": {"type": "integer"}}), &["id"]));
    let changes = run(&base(), &new);
    assert_eq!(
        only(&changes),
        ("response.200.id", "type_changed", Kind::Breaking)
    );
    assert_eq!(changes[0].detail, "string -> integer");
}

#[test]
fn renamed_component_is_reported_once_and_compared_structurally() {
    let mut new = base();
    let res = new["components"]["schemas"]["Res"].take();
    new["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Res");
    new["components"]["schemas"]["Thing"] = res;
    new["paths"]["/things/{id}"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"$ref": "#/components/schemas/Thing"});
    let changes = run(&base(), &new);
    assert_eq!(
        only(&changes),
        ("response.200", "type_renamed", Kind::Breaking)
    );
}

#[test]
fn inline_and_referenced_schemas_compare_equal() {
    let mut new = base();
    new["paths"]["/things/{id}"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
        object(json!({"name": {"type": "string"}}), &["name"]);
    // Normalisation lifts the inline body into `MakeThingBody`: only the name differs.
    let changes = run(&base(), &new);
    assert_eq!(only(&changes), ("body", "type_renamed", Kind::Breaking));
    assert_eq!(
        changes[0].detail,
        "`Req` -> `MakeThingBody` (the generated type's name)"
    );
}

#[test]
fn status_rules() {
    let mut new = base();
    let responses = &mut new["paths"]["/things/{id}"]["post"]["responses"];
    responses.as_object_mut().unwrap().remove("404");
    responses["409"] = json!({"description": "conflict"});
    let changes = run(&base(), &new);
    assert_eq!(
        find(&changes, "response.404", "status_removed").kind,
        Kind::Compatible
    );
    assert_eq!(
        find(&changes, "response.409", "status_added").kind,
        Kind::Compatible
    );

    let mut moved = base();
    let responses = &mut moved["paths"]["/things/{id}"]["post"]["responses"];
    let ok = responses.as_object_mut().unwrap().remove("200").unwrap();
    responses["201"] = ok;
    let changes = run(&base(), &moved);
    assert_eq!(
        find(&changes, "response.200", "status_removed").kind,
        Kind::Breaking
    );
    assert_eq!(
        find(&changes, "responses", "success_status_changed").detail,
        "200 -> 201: `send` decodes another response"
    );
}

#[test]
fn request_body_added_and_removed() {
    let mut none = base();
    none["paths"]["/things/{id}"]["post"]
        .as_object_mut()
        .unwrap()
        .remove("requestBody");
    assert_eq!(
        only(&run(&base(), &none)),
        ("body", "request_body_removed", Kind::Breaking)
    );
    assert_eq!(
        only(&run(&none, &base())),
        ("body", "request_body_added", Kind::Breaking)
    );
}

#[test]
fn recursive_schemas_terminate() {
    let tree = |extra: Value| {
        let mut props =
            json!({"children": {"type": "array", "items": {"$ref": "#/components/schemas/Res"}}});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            props[k] = v;
        }
        with_response(object(props, &[]))
    };
    let changes = run(
        &tree(json!({})),
        &tree(json!({"label": {"type": "string"}})),
    );
    assert_eq!(
        only(&changes),
        ("response.200.label", "field_added", Kind::Compatible)
    );
}

#[test]
fn map_values_are_compared() {
    let with = |values: Value| {
        with_response(object(
            json!({"id": {"type": "string"},
                   "meta": {"type": "object", "additionalProperties": values}}),
            &["id"],
        ))
    };
    assert_eq!(
        only(&run(
            &with(json!({"type": "string"})),
            &with(json!({"type": "integer"}))
        )),
        ("response.200.meta{}", "type_changed", Kind::Breaking)
    );
    // An unconstrained value schema: nullability has no meaning.
    assert!(run(&with(json!({"nullable": true})), &with(json!({}))).is_empty());
}

#[test]
fn missing_tag_on_one_side_counts_as_empty_and_on_both_is_an_error() {
    let mut other = base();
    other["paths"]["/things/{id}"]["post"]["tags"] = json!(["Keys"]);
    let changes = run(&other, &base());
    assert_eq!(
        only(&changes),
        ("operation", "operation_added", Kind::Compatible)
    );
    let err = diff_documents(
        &other,
        &other,
        &["Workspaces".into()],
        Path::new("a"),
        Path::new("b"),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoOperations);
}

#[test]
fn render_and_json_forms() {
    let new = with_response(object(
        json!({"id": {"type": "string"}, "name": {"type": "string"}}),
        &["id"],
    ));
    let changes = run(&base(), &new);
    let text = render(&changes);
    assert_eq!(
        text,
        "makeThing (POST /things/{id})\n  \
         [compatible] response.200.name: field added: optional string\n\n\
         1 change (0 breaking, 1 compatible); operations: 0 added, 0 removed, 1 changed\n"
    );
    assert_eq!(
        to_json(&changes),
        json!([{"operation": "makeThing", "method": "POST", "path": "/things/{id}",
                "location": "response.200.name", "change": "field_added",
                "kind": "compatible", "detail": "optional string"}])
    );
    assert!(!has_breaking(&changes));
}
