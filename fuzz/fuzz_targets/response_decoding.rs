//! Two things the client and its generator must survive, from the same arbitrary bytes:
//!
//! 1. The bytes as a response body. The client's decode path is private, but all it does
//!    with a JSON body is `serde_json::from_slice` into the operation's generated type (or,
//!    for an error status, into the documented error body), so each generated type is
//!    decoded here directly. A body that decodes must also survive a round trip:
//!    serialised again, it decodes to the same value.
//! 2. The bytes, through `arbitrary`, as a JSON value biased towards schema keywords, set
//!    as a component schema (and an inline response schema) of a small document that then
//!    goes through `select`, `normalise` and `parse`.
#![no_main]

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use openrouter_workspaces::types;
use openrouter_workspaces_codegen::{normalise, parse, select};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};

fuzz_target!(|data: &[u8]| {
    decode_responses(data);
    let mut u = Unstructured::new(data);
    if let Ok(input) = SchemaInput::arbitrary(&mut u) {
        normalise_document(input);
    }
});

fn decode_responses(body: &[u8]) {
    // Success bodies, one per operation.
    decode::<types::ListWorkspacesResponse>(body);
    decode::<types::GetWorkspaceResponse>(body);
    decode::<types::CreateWorkspaceResponse>(body);
    decode::<types::UpdateWorkspaceResponse>(body);
    decode::<types::DeleteWorkspaceResponse>(body);
    decode::<types::ListWorkspaceBudgetsResponse>(body);
    decode::<types::GetWorkspaceBudgetResponse>(body);
    decode::<types::UpsertWorkspaceBudgetResponse>(body);
    decode::<types::DeleteWorkspaceBudgetResponse>(body);
    decode::<types::ListWorkspaceMembersResponse>(body);
    decode::<types::BulkAddWorkspaceMembersResponse>(body);
    decode::<types::BulkRemoveWorkspaceMembersResponse>(body);
    // The documented error bodies.
    decode::<types::BadRequestResponse>(body);
    decode::<types::UnauthorizedResponse>(body);
    decode::<types::ForbiddenResponse>(body);
    decode::<types::NotFoundResponse>(body);
    decode::<types::InternalServerResponse>(body);
}

fn decode<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) {
    let Ok(first) = serde_json::from_slice::<T>(body) else {
        return;
    };
    let text = serde_json::to_vec(&first).expect("a decoded body serialises");
    let second: T = serde_json::from_slice(&text).unwrap_or_else(|e| {
        panic!(
            "a decoded body, serialised again, no longer decodes: {e}\n{}",
            String::from_utf8_lossy(&text)
        )
    });
    // Compared as JSON, with floats to within rounding: serde_json's default float parser
    // may be a unit in the last place off on the shortest form it prints.
    let (a, b) = (
        serde_json::to_value(&first).expect("to value"),
        serde_json::to_value(&second).expect("to value"),
    );
    assert!(same(&a, &b), "round trip changed the value:\n{a}\n{b}");
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= f64::EPSILON * 4.0 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A component schema and an inline response schema for the document below; mappings at
/// the top, since anything else is refused at once.
#[derive(Arbitrary, Debug)]
struct SchemaInput {
    component: Vec<(Key, Json)>,
    response: Vec<(Key, Json)>,
    /// `3.1.0` or `3.0.3`: the normaliser rewrites differently for each.
    openapi_31: bool,
}

/// Depth past which arrays and objects become `null`: documents that load (JSON or YAML)
/// are never deeper than the parsers' recursion limits of 128.
const MAX_DEPTH: usize = 24;

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    Array(Vec<Json>),
    Object(Vec<(Key, Json)>),
}

#[derive(Arbitrary, Debug)]
enum Text {
    Known(KnownText),
    Other(String),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum KnownText {
    String,
    Object,
    Array,
    Integer,
    Number,
    Boolean,
    Null,
    RefA,
    RefB,
    RefMissing,
    RefResponse,
    RefOutside,
    Uuid,
    DateTime,
    Slug,
}

impl KnownText {
    fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Object => "object",
            Self::Array => "array",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Null => "null",
            Self::RefA => "#/components/schemas/A",
            Self::RefB => "#/components/schemas/B",
            Self::RefMissing => "#/components/schemas/Missing",
            Self::RefResponse => "#/components/responses/R",
            Self::RefOutside => "other.yaml#/A",
            Self::Uuid => "uuid",
            Self::DateTime => "date-time",
            Self::Slug => "^[a-z0-9-]+$",
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Key {
    Known(KnownKey),
    Other(String),
}

/// Keywords of OpenAPI 3.0 and JSON Schema 2020-12 schemas.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum KnownKey {
    Type,
    Properties,
    Items,
    Ref,
    AllOf,
    AnyOf,
    OneOf,
    Not,
    Nullable,
    Enum,
    Const,
    Required,
    AdditionalProperties,
    Format,
    Pattern,
    Minimum,
    ExclusiveMinimum,
    MaxLength,
    Default,
    Example,
    Examples,
    Description,
    Discriminator,
    PropertyName,
    Mapping,
    PrefixItems,
    If,
    Defs,
    ReadOnly,
    Title,
}

impl KnownKey {
    fn as_str(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Properties => "properties",
            Self::Items => "items",
            Self::Ref => "$ref",
            Self::AllOf => "allOf",
            Self::AnyOf => "anyOf",
            Self::OneOf => "oneOf",
            Self::Not => "not",
            Self::Nullable => "nullable",
            Self::Enum => "enum",
            Self::Const => "const",
            Self::Required => "required",
            Self::AdditionalProperties => "additionalProperties",
            Self::Format => "format",
            Self::Pattern => "pattern",
            Self::Minimum => "minimum",
            Self::ExclusiveMinimum => "exclusiveMinimum",
            Self::MaxLength => "maxLength",
            Self::Default => "default",
            Self::Example => "example",
            Self::Examples => "examples",
            Self::Description => "description",
            Self::Discriminator => "discriminator",
            Self::PropertyName => "propertyName",
            Self::Mapping => "mapping",
            Self::PrefixItems => "prefixItems",
            Self::If => "if",
            Self::Defs => "$defs",
            Self::ReadOnly => "readOnly",
            Self::Title => "title",
        }
    }
}

impl Json {
    fn into_value(self, depth: usize) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Int(n) => json!(n),
            // NaN and infinities have no JSON form: null, as serde_json writes them.
            Self::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Self::Str(Text::Known(k)) => json!(k.as_str()),
            Self::Str(Text::Other(s)) => Value::String(s),
            Self::Array(_) | Self::Object(_) if depth >= MAX_DEPTH => Value::Null,
            Self::Array(items) => {
                Value::Array(items.into_iter().map(|i| i.into_value(depth + 1)).collect())
            }
            Self::Object(pairs) => Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Key::Known(k) => k.as_str().to_string(),
                            Key::Other(s) => s,
                        };
                        (key, v.into_value(depth + 1))
                    })
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

/// One Workspaces operation whose 200 response is `response` and whose 404 response
/// refers to a schema `B`, with `A` the arbitrary component and `B` one that uses it.
fn normalise_document(input: SchemaInput) {
    let file = Path::new("fuzz.json");
    let component = Json::Object(input.component).into_value(0);
    let response = Json::Object(input.response).into_value(0);
    let version = if input.openapi_31 { "3.1.0" } else { "3.0.3" };
    let document = json!({
        "openapi": version,
        "info": {"title": "fuzz", "version": "1"},
        "paths": {"/things/{id}": {"get": {
            "operationId": "getThing",
            "tags": ["Workspaces"],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": response}}},
                "404": {"description": "missing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}
            }
        }}},
        "components": {"schemas": {
            "A": component,
            "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
        }}
    });
    let tags = ["Workspaces".to_string()];
    let Ok(mut selected) = select::select(&document, &tags, file) else {
        return;
    };
    if normalise::normalise(&mut selected, file).is_ok() {
        let _ = parse::parse(&selected, file);
    }
}
