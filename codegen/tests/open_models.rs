//! The generated models are open to a server newer than the document where answers reach,
//! and strict where only requests go: what the generator emits, read back as Rust items.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::generated;
use quote::ToTokens;
use syn::{Fields, Item, ItemEnum, ItemImpl, ItemStruct};

/// A document with each case: an inline string enum in a response property, a component
/// string enum used only by a path parameter, `format: uuid` on a response-only schema (and
/// its nested object) and on a request-only schema, and an inline response schema.
const DOCUMENT: &str = r##"openapi: 3.1.0
info: {title: Open, version: "1"}
paths:
  /gadgets/{kind}:
    get:
      operationId: getGadget
      tags: [Gadgets]
      parameters:
        - {name: kind, in: path, required: true, schema: {$ref: "#/components/schemas/GadgetKind"}}
      responses:
        "200":
          description: the gadget
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Gadget"}
    post:
      operationId: makeGadget
      tags: [Gadgets]
      parameters:
        - {name: kind, in: path, required: true, schema: {$ref: "#/components/schemas/GadgetKind"}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/GadgetInput"}
      responses:
        "204": {description: made}
  /gadgets:
    get:
      operationId: listGadgets
      tags: [Gadgets]
      parameters:
        - {name: after, in: query, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: a page
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  cursor: {type: string, format: uuid}
                  items: {type: array, items: {$ref: "#/components/schemas/Gadget"}}
components:
  schemas:
    GadgetKind:
      type: string
      enum: [lamp, fan]
    Gadget:
      type: object
      required: [id, state, detail]
      properties:
        id: {type: string, format: uuid}
        state: {type: string, enum: [running, stopped]}
        detail:
          type: object
          required: [serial]
          properties:
            serial: {type: string, format: uuid}
            note: {type: string}
    GadgetInput:
      type: object
      required: [owner_id]
      properties:
        owner_id: {type: string, format: uuid}
        label: {type: string}
"##;

const STRING: &str = "::std::string::String";
const UUID: &str = "::uuid::Uuid";

fn spec_file(name: &str, text: &str) -> PathBuf {
    common::spec_file("open-models", name, text)
}

/// The structs, enums and impls of the generated `types` module, by type name.
#[derive(Default)]
struct Models {
    structs: HashMap<String, ItemStruct>,
    enums: HashMap<String, ItemEnum>,
    impls: Vec<ItemImpl>,
}

impl Models {
    fn read(source: &str) -> Models {
        let file = syn::parse_file(source).expect("the generated source is Rust");
        let mut models = Models::default();
        let types = file
            .items
            .iter()
            .find_map(|item| match item {
                Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
                _ => None,
            })
            .expect("a `types` module");
        for item in &types.1 {
            match item {
                Item::Struct(s) => {
                    models.structs.insert(s.ident.to_string(), s.clone());
                }
                Item::Enum(e) => {
                    models.enums.insert(e.ident.to_string(), e.clone());
                }
                Item::Impl(i) => models.impls.push(i.clone()),
                _ => {}
            }
        }
        models
    }

    fn r#struct(&self, name: &str) -> &ItemStruct {
        self.structs.get(name).unwrap_or_else(|| {
            panic!(
                "no struct {name}; structs: {:?}",
                self.structs.keys().collect::<Vec<_>>()
            )
        })
    }

    fn r#enum(&self, name: &str) -> &ItemEnum {
        self.enums.get(name).unwrap_or_else(|| {
            panic!(
                "no enum {name}; enums: {:?}",
                self.enums.keys().collect::<Vec<_>>()
            )
        })
    }

    /// The type of field `field` of struct `name`, without spaces.
    fn field_type(&self, name: &str, field: &str) -> String {
        let Fields::Named(fields) = &self.r#struct(name).fields else {
            panic!("{name} has no named fields");
        };
        let found = fields
            .named
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == field))
            .unwrap_or_else(|| panic!("{name} has no field {field}"));
        tokens(&found.ty)
    }

    /// The attributes of the `extra` field of struct `name`, without spaces.
    fn extra_attributes(&self, name: &str) -> Option<Vec<String>> {
        let Fields::Named(fields) = &self.r#struct(name).fields else {
            return None;
        };
        let extra = fields
            .named
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "extra"))?;
        assert_eq!(
            tokens(&extra.ty),
            "::serde_json::Map<::std::string::String,::serde_json::Value>",
            "{name}.extra"
        );
        Some(extra.attrs.iter().map(tokens).collect())
    }

    /// The names of the methods of the inherent impls of `name`.
    fn methods(&self, name: &str) -> Vec<String> {
        self.impls
            .iter()
            .filter(|i| i.trait_.is_none() && tokens(&i.self_ty) == name)
            .flat_map(|i| &i.items)
            .filter_map(|item| match item {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The traits implemented for `name` (last path segment).
    fn traits(&self, name: &str) -> Vec<String> {
        self.impls
            .iter()
            .filter(|i| tokens(&i.self_ty) == name)
            .filter_map(|i| i.trait_.as_ref())
            .filter_map(|(path, _)| path.segments.last().map(|s| s.ident.to_string()))
            .collect()
    }
}

fn tokens(value: &impl ToTokens) -> String {
    value
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect()
}

/// Checks that `name` is an open string enum: its listed values, then `Unknown(String)`, with
/// `from_wire` and serde implementations of its own (no derived ones).
fn assert_open_enum(models: &Models, name: &str, listed: &[&str]) {
    let e = models.r#enum(name);
    let variants: Vec<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
    let mut expected: Vec<String> = listed.iter().map(|v| v.to_string()).collect();
    expected.push("Unknown".into());
    assert_eq!(variants, expected, "{name}");
    let last = e.variants.last().expect("variants");
    assert_eq!(
        tokens(&last.fields),
        format!("({STRING})"),
        "{name}::Unknown"
    );
    for attr in &e.attrs {
        let text = tokens(attr);
        assert!(
            !text.contains("Serialize") && !text.contains("Deserialize") && !text.contains("Copy"),
            "{name}: {text}"
        );
    }
    let methods = models.methods(name);
    for method in ["as_str", "from_wire", "is_unknown"] {
        assert!(methods.iter().any(|m| m == method), "{name}: {methods:?}");
    }
    let traits = models.traits(name);
    for expected in ["Serialize", "Deserialize", "Display", "FromStr"] {
        assert_eq!(
            traits.iter().filter(|t| *t == expected).count(),
            1,
            "{name} implements {expected} once: {traits:?}"
        );
    }
}

/// Checks that struct `name` keeps unknown fields in a flattened `extra` map that reports them
/// as `name`.
fn assert_keeps_unknown_fields(models: &Models, name: &str) {
    let attrs = models
        .extra_attributes(name)
        .unwrap_or_else(|| panic!("{name} has no `extra` field"));
    assert!(
        attrs.iter().any(|a| a == "#[serde(flatten)]"),
        "{name}: {attrs:?}"
    );
    // `tokens` removes every space, in the literal too.
    let with =
        format!("#[serde(deserialize_with=\"crate::__runtime::keep_unknown_fields::<{name},_>\")]");
    assert!(attrs.contains(&with), "{name}: {attrs:?}");
}

#[test]
fn string_enums_get_an_unknown_variant_whether_answers_or_requests_use_them() {
    let path = spec_file("enums.yaml", DOCUMENT);
    let models = Models::read(&generated(&path, &["Gadgets"]));
    // An inline enum of a response property.
    assert_open_enum(&models, "GadgetState", &["Running", "Stopped"]);
    assert_eq!(models.field_type("Gadget", "state"), "GadgetState");
    // A component enum used only by a path parameter.
    assert_open_enum(&models, "GadgetKind", &["Lamp", "Fan"]);
}

#[test]
fn every_response_struct_keeps_unknown_fields_nested_and_inline_included() {
    let path = spec_file("extra.yaml", DOCUMENT);
    let models = Models::read(&generated(&path, &["Gadgets"]));
    for name in ["Gadget", "GadgetDetail", "ListGadgetsResponse200"] {
        assert_keeps_unknown_fields(&models, name);
    }
    assert_eq!(models.field_type("Gadget", "detail"), "GadgetDetail");
    // Every struct of the module, the request's included (the document says nothing
    // against it), has the map.
    for name in models.structs.keys() {
        if name != "ConversionError" {
            assert!(models.extra_attributes(name).is_some(), "{name}");
        }
    }
}

#[test]
fn uuid_formats_are_dropped_where_answers_reach_and_kept_elsewhere() {
    let path = spec_file("formats.yaml", DOCUMENT);
    let source = generated(&path, &["Gadgets"]);
    let models = Models::read(&source);
    assert_eq!(models.field_type("Gadget", "id"), STRING);
    assert_eq!(models.field_type("GadgetDetail", "serial"), STRING);
    assert_eq!(
        models.field_type("ListGadgetsResponse200", "cursor"),
        format!("::std::option::Option<{STRING}>")
    );
    // Only requests carry these: the format is kept.
    assert_eq!(models.field_type("GadgetInput", "owner_id"), UUID);
    assert!(
        source.contains("pub fn after(mut self, value: ::uuid::Uuid) -> Self"),
        "a query parameter keeps its format"
    );
}

#[test]
fn an_enum_whose_listed_value_is_unknown_keeps_it_and_opens_with_another_variant() {
    let document = DOCUMENT.replace("enum: [running, stopped]", "enum: [running, unknown]");
    let path = spec_file("unknown-listed.yaml", &document);
    let models = Models::read(&generated(&path, &["Gadgets"]));
    let e = models.r#enum("GadgetState");
    let variants: Vec<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
    assert_eq!(variants, ["Running", "Unknown", "UnlistedValue"]);
    assert_eq!(
        tokens(&e.variants.last().unwrap().fields),
        format!("({STRING})")
    );
}

#[test]
fn the_shapes_fixture_has_open_models_where_answers_reach() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shapes.yaml");
    let models = Models::read(&generated(&path, &["Things"]));
    // Response side: the component `Thing`, its inline enum and nested object.
    assert_eq!(models.field_type("Thing", "id"), STRING);
    assert_open_enum(&models, "ThingStatus", &["Active", "Retired"]);
    for name in [
        "Thing",
        "ThingDimensions",
        "Problem",
        "SetLabelsResponse200",
    ] {
        assert_keeps_unknown_fields(&models, name);
    }
    assert_eq!(models.field_type("ThingDimensions", "serial"), STRING);
    // Request side: the request body's UUID keeps its format; the path parameter's component
    // enum is open.
    assert_eq!(
        models.field_type("ThingBody", "owner_id"),
        format!("::std::option::Option<{UUID}>")
    );
    assert_open_enum(&models, "LabelSet", &["Primary", "Secondary"]);
}
