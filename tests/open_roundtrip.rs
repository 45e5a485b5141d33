//! Property: a model decodes anything a newer server may send in it (fields the document
//! lacks, enum values it does not list, ids that are not UUIDs) and writes it back as
//! received, so that nothing the server sent is lost on the way through the client.
//!
//! Both sides are compared as `serde_json::Value`s parsed by the same parser. (Comparing
//! through text would fail on serde_json's default float parsing, which is not correctly
//! rounded without its `float_roundtrip` feature: printing a parsed float and parsing it
//! again can move it by one unit in the last place.)

use openrouter_workspaces::types::{Workspace, WorkspaceMember, WorkspaceMemberRole};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The fields `Workspace` lists.
/// (A field named `extra` is not one of them: the map is flattened and has no name on the wire.)
const WORKSPACE_FIELDS: [&str; 17] = [
    "created_at",
    "created_by",
    "default_guardrail_id",
    "default_image_model",
    "default_provider_sort",
    "default_text_model",
    "description",
    "id",
    "include_byok_in_budgets",
    "io_logging_api_key_ids",
    "io_logging_sampling_rate",
    "is_data_discount_logging_enabled",
    "is_observability_broadcast_enabled",
    "is_observability_io_logging_enabled",
    "name",
    "slug",
    "updated_at",
];

/// The fields `WorkspaceMember` lists.
const MEMBER_FIELDS: [&str; 5] = ["created_at", "id", "role", "user_id", "workspace_id"];

fn finite() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite())
}

/// A string or a number, as JSON.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        finite().prop_map(Value::from),
    ]
}

/// Fields the model does not list: strings, numbers and objects of them.
fn unknown_fields(listed: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    let value = prop_oneof![
        3 => scalar(),
        1 => prop::collection::btree_map("[a-z_]{1,8}", scalar(), 0..4)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
    ];
    prop::collection::btree_map(
        prop_oneof!["[a-z_]{1,16}", Just("extra".to_string()), any::<String>()]
            .prop_filter("not a listed field", move |k| !listed.contains(&k.as_str())),
        value,
        0..6,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn nullable_text() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::Null), text().prop_map(Value::from)]
}

fn role() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("admin".to_string()),
        Just("member".to_string()),
        Just("owner".to_string()),
        any::<String>(),
    ]
}

fn member() -> impl Strategy<Value = (Value, String)> {
    (
        (text(), text(), role(), text(), text()),
        unknown_fields(&MEMBER_FIELDS),
    )
        .prop_map(|((created_at, id, role, user_id, workspace_id), extra)| {
            let mut object = json!({
                "created_at": created_at,
                "id": id,
                "role": role.clone(),
                "user_id": user_id,
                "workspace_id": workspace_id,
            });
            object.as_object_mut().unwrap().extend(extra);
            (object, role)
        })
}

fn workspace() -> impl Strategy<Value = Value> {
    (
        (
            text(),
            nullable_text(),
            text(),
            nullable_text(),
            nullable_text(),
        ),
        (nullable_text(), nullable_text(), text(), text(), text()),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(prop::collection::vec(any::<i64>(), 0..4)),
            finite(),
            any::<[bool; 3]>(),
            nullable_text(),
        ),
        unknown_fields(&WORKSPACE_FIELDS),
    )
        .prop_map(|(a, b, c, extra)| {
            let (created_at, created_by, guardrail, image_model, provider_sort) = a;
            let (text_model, description, id, name, slug) = b;
            let (byok, key_ids, rate, [discount, broadcast, io_logging], updated_at) = c;
            let mut object = json!({
                "created_at": created_at,
                "created_by": created_by,
                "default_guardrail_id": guardrail,
                "default_image_model": image_model,
                "default_provider_sort": provider_sort,
                "default_text_model": text_model,
                "description": description,
                "id": id,
                "io_logging_api_key_ids": key_ids,
                "io_logging_sampling_rate": rate,
                "is_data_discount_logging_enabled": discount,
                "is_observability_broadcast_enabled": broadcast,
                "is_observability_io_logging_enabled": io_logging,
                "name": name,
                "slug": slug,
                "updated_at": updated_at,
            });
            let map = object.as_object_mut().unwrap();
            // Optional: absent and present both occur.
            if let Some(byok) = byok {
                map.insert("include_byok_in_budgets".into(), byok.into());
            }
            map.extend(extra);
            object
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_member_with_unknown_fields_and_any_role_round_trips((value, role) in member()) {
        let text = value.to_string();
        let sent: Value = serde_json::from_str(&text).unwrap();
        let decoded: WorkspaceMember = serde_json::from_str(&text).expect("decodes");
        prop_assert_eq!(decoded.role.as_str(), role.as_str());
        prop_assert_eq!(decoded.role.is_unknown(), role != "admin" && role != "member");
        prop_assert_eq!(&decoded.role, &WorkspaceMemberRole::from_wire(role.clone()));
        let unknown = sent.as_object().unwrap().len() - 5;
        prop_assert_eq!(decoded.extra.len(), unknown);
        prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), sent);
    }

    #[test]
    fn a_workspace_with_unknown_fields_round_trips(value in workspace()) {
        let text = value.to_string();
        let sent: Value = serde_json::from_str(&text).unwrap();
        let decoded: Workspace = serde_json::from_str(&text).expect("decodes");
        prop_assert_eq!(&decoded.id, sent["id"].as_str().unwrap());
        let present = sent
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| WORKSPACE_FIELDS.contains(&k.as_str()))
            .count();
        prop_assert_eq!(decoded.extra.len(), sent.as_object().unwrap().len() - present);
        prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), sent);
    }
}
