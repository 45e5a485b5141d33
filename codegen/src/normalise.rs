//! Stage 3: rewrite the selected OpenAPI 3.1 document into the OpenAPI 3.0 form that
//! `openapiv3` and progenitor understand, and lift inline operation schemas into
//! `components` so that they get generated types of their own.
//!
//! Only schema positions are rewritten: example payloads, defaults and property names are
//! data, and are never touched.

use std::collections::HashSet;
use std::path::Path;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use crate::error::{Error, ErrorKind, Result, pointer_push};
use crate::select::METHODS;

/// Keywords of JSON Schema 2020-12 with no OpenAPI 3.0 meaning that change what a schema
/// accepts; silently dropping them would change the API, so they are refused.
const UNSUPPORTED_KEYWORDS: [&str; 10] = [
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
];

/// Annotation keywords of 2020-12 that OpenAPI 3.0 lacks; they carry no validation.
const DROPPED_ANNOTATIONS: [&str; 7] = [
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "examples",
    "contentMediaType",
    "contentEncoding",
];

/// Keywords that only describe: an `allOf` member made of these alone adds no constraint.
const ANNOTATIONS: [&str; 7] = [
    "description",
    "title",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "default",
];

/// Rewrites `doc` (already selected) in place from OpenAPI 3.1 to 3.0.3.
pub fn normalise(doc: &mut Value, file: &Path) -> Result<()> {
    let Some(root) = doc.as_object_mut() else {
        return Err(Error::new(ErrorKind::Invalid, file, "", "not a mapping"));
    };
    rewrite_header(root, file)?;
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        normalise_components(components, file)?;
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        normalise_paths(paths, file)?;
    }
    lift_nullable_compositions(doc);
    lift_inline_schemas(doc);
    Ok(())
}

/// Checks the OpenAPI version and rewrites the document-level fields that 3.0 lacks.
fn rewrite_header(root: &mut Map<String, Value>, file: &Path) -> Result<()> {
    let version = root.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !(version.starts_with("3.1") || version.starts_with("3.0")) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            file,
            "/openapi",
            format!("OpenAPI version `{version}` is not supported; 3.0.x and 3.1.x are"),
        ));
    }
    root.insert("openapi".into(), json!("3.0.3"));
    root.remove("jsonSchemaDialect");
    if let Some(license) = root
        .get_mut("info")
        .and_then(|i| i.get_mut("license"))
        .and_then(Value::as_object_mut)
    {
        license.remove("identifier");
    }
    Ok(())
}

/// How one entry of a components section is normalised: the entry, its pointer, the file.
type Normaliser = fn(&mut Value, &str, &Path) -> Result<()>;

/// Normalises every section of `components` that holds schemas, and drops `pathItems`.
fn normalise_components(components: &mut Map<String, Value>, file: &Path) -> Result<()> {
    components.remove("pathItems");
    let sections: [(&str, Normaliser); 5] = [
        ("schemas", normalise_schema),
        ("parameters", normalise_parameter),
        ("headers", normalise_parameter),
        ("requestBodies", normalise_content),
        ("responses", normalise_response),
    ];
    for (section, normalise_entry) in sections {
        if let Some(map) = components.get_mut(section).and_then(Value::as_object_mut) {
            for (name, entry) in map.iter_mut() {
                let pointer = pointer_push(&format!("/components/{section}"), name);
                normalise_entry(entry, &pointer, file)?;
            }
        }
    }
    Ok(())
}

/// Normalises the parameters of every path item, and every operation below them.
fn normalise_paths(paths: &mut Map<String, Value>, file: &Path) -> Result<()> {
    for (path, item) in paths.iter_mut() {
        let item_pointer = pointer_push("/paths", path);
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        normalise_parameter_list(item.get_mut("parameters"), &item_pointer, file)?;
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            normalise_operation(op, &pointer_push(&item_pointer, method), file)?;
        }
    }
    Ok(())
}

/// Normalises an operation's parameters, request body and responses.
fn normalise_operation(op: &mut Map<String, Value>, op_pointer: &str, file: &Path) -> Result<()> {
    normalise_parameter_list(op.get_mut("parameters"), op_pointer, file)?;
    if let Some(body) = op.get_mut("requestBody") {
        normalise_content(body, &pointer_push(op_pointer, "requestBody"), file)?;
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, response) in responses.iter_mut() {
            let pointer = pointer_push(&pointer_push(op_pointer, "responses"), status);
            normalise_response(response, &pointer, file)?;
        }
    }
    Ok(())
}

/// A component that is a nullable composition (`allOf`/`anyOf`/`oneOf` plus `nullable`)
/// becomes a nullable reference to a new component `<Name>Value` holding the composition.
/// The model generator otherwise names the wrapper and the wrapped type alike and defines
/// the type twice.
fn lift_nullable_compositions(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut lifted = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let Some(map) = schema.as_object_mut() else {
            continue;
        };
        let composed = ["allOf", "anyOf", "oneOf"]
            .iter()
            .any(|k| map.contains_key(*k));
        if !composed || map.get("nullable") != Some(&Value::Bool(true)) {
            continue;
        }
        let mut inner = std::mem::take(map);
        inner.remove("nullable");
        let value_name = format!("{name}Value");
        if let Some(description) = inner.get("description").cloned() {
            map.insert("description".into(), description);
        }
        map.insert("nullable".into(), Value::Bool(true));
        map.insert(
            "allOf".into(),
            json!([{ "$ref": format!("#/components/schemas/{value_name}") }]),
        );
        lifted.push((value_name, Value::Object(inner)));
    }
    for (name, schema) in lifted {
        schemas.entry(name).or_insert(schema);
    }
}

fn normalise_parameter_list(list: Option<&mut Value>, base: &str, file: &Path) -> Result<()> {
    let Some(Value::Array(list)) = list else {
        return Ok(());
    };
    let base = pointer_push(base, "parameters");
    for (i, parameter) in list.iter_mut().enumerate() {
        normalise_parameter(parameter, &pointer_push(&base, &i.to_string()), file)?;
    }
    Ok(())
}

fn normalise_parameter(parameter: &mut Value, pointer: &str, file: &Path) -> Result<()> {
    if let Some(schema) = parameter.get_mut("schema") {
        normalise_schema(schema, &pointer_push(pointer, "schema"), file)?;
    }
    normalise_content(parameter, pointer, file)
}

fn normalise_response(response: &mut Value, pointer: &str, file: &Path) -> Result<()> {
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, header) in headers.iter_mut() {
            normalise_parameter(
                header,
                &pointer_push(&pointer_push(pointer, "headers"), name),
                file,
            )?;
        }
    }
    normalise_content(response, pointer, file)
}

/// Normalises the schemas under `content/<media type>/schema` of a body, response or parameter.
fn normalise_content(holder: &mut Value, pointer: &str, file: &Path) -> Result<()> {
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (media, media_object) in content.iter_mut() {
        let media_pointer = pointer_push(&pointer_push(pointer, "content"), media);
        if let Some(schema) = media_object.get_mut("schema") {
            normalise_schema(schema, &pointer_push(&media_pointer, "schema"), file)?;
        }
        if let Some(map) = media_object.as_object_mut() {
            // 3.0 has no `itemSchema`/`prefixEncoding`; an encoding map is irrelevant to JSON.
            map.remove("itemSchema");
        }
    }
    Ok(())
}

/// Rewrites one schema and everything nested in it.
pub fn normalise_schema(schema: &mut Value, pointer: &str, file: &Path) -> Result<()> {
    let Some(map) = schema.as_object_mut() else {
        // `true`/`false` schemas (2020-12) have no 3.0 form except the empty schema.
        if schema.as_bool() == Some(true) {
            *schema = json!({});
            return Ok(());
        }
        return Err(Error::new(
            ErrorKind::Unsupported,
            file,
            pointer,
            format!("a schema must be a mapping, found {schema}"),
        ));
    };
    if map.contains_key("$ref") {
        // 3.1 allows siblings beside $ref; in 3.0 they are ignored, and so are annotations.
        map.retain(|k, _| k == "$ref" || k == "description" || k.starts_with("x-"));
        return Ok(());
    }
    for keyword in UNSUPPORTED_KEYWORDS {
        if map.contains_key(keyword) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                file,
                pointer_push(pointer, keyword),
                format!("JSON Schema keyword `{keyword}` has no OpenAPI 3.0 equivalent"),
            ));
        }
    }
    for keyword in DROPPED_ANNOTATIONS {
        map.remove(keyword);
    }

    rewrite_type(map, pointer, file)?;
    if let Some(constant) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![constant]));
    }
    for (bound, flag) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(limit) = map.get(bound).filter(|v| v.is_number()).cloned() {
            map.insert(flag.into(), limit);
            map.insert(bound.into(), Value::Bool(true));
        }
    }

    // Children first, so the rules below see normalised branches.
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        let base = pointer_push(pointer, "properties");
        for (name, child) in properties.iter_mut() {
            normalise_schema(child, &pointer_push(&base, name), file)?;
        }
    }
    for keyword in ["items", "not"] {
        if let Some(child) = map.get_mut(keyword) {
            normalise_schema(child, &pointer_push(pointer, keyword), file)?;
        }
    }
    if let Some(child) = map
        .get_mut("additionalProperties")
        .filter(|v| v.is_object())
    {
        normalise_schema(child, &pointer_push(pointer, "additionalProperties"), file)?;
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(keyword) {
            let base = pointer_push(pointer, keyword);
            for (i, branch) in branches.iter_mut().enumerate() {
                normalise_schema(branch, &pointer_push(&base, &i.to_string()), file)?;
            }
        }
    }

    fold_annotation_only_all_of(map);
    fold_nullable_union(map);
    Ok(())
}

/// `type: [T, 'null']` → `type: T, nullable: true`; `type: 'null'` → an enum of null;
/// several non-null types → `anyOf` of single-type schemas.
fn rewrite_type(map: &mut Map<String, Value>, pointer: &str, file: &Path) -> Result<()> {
    let types: Vec<String> = match map.get("type") {
        None => return Ok(()),
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                t.as_str().map(str::to_string).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Invalid,
                        file,
                        pointer_push(pointer, "type"),
                        "`type` lists must hold strings",
                    )
                })
            })
            .collect::<Result<_>>()?,
        Some(other) => {
            return Err(Error::new(
                ErrorKind::Invalid,
                file,
                pointer_push(pointer, "type"),
                format!("`type` must be a string or a list, found {other}"),
            ));
        }
    };
    let nullable = types.iter().any(|t| t == "null");
    let concrete: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    match concrete.as_slice() {
        [] => {
            map.remove("type");
            map.insert("nullable".into(), Value::Bool(true));
            map.insert("enum".into(), json!([null]));
        }
        [one] => {
            map.insert("type".into(), Value::String((*one).clone()));
            if nullable {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
        many => {
            let branches = many.iter().map(|t| json!({ "type": t })).collect();
            map.remove("type");
            map.insert("anyOf".into(), Value::Array(branches));
            if nullable {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
    }
    Ok(())
}

/// `allOf: [$ref, {description}]` → `allOf: [$ref]` with the description on the schema.
fn fold_annotation_only_all_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(branches)) = map.get_mut("allOf") else {
        return;
    };
    let mut lifted = Map::new();
    branches.retain(|branch| {
        let Some(b) = branch.as_object() else {
            return true;
        };
        let annotation_only =
            !b.contains_key("$ref") && b.keys().all(|k| ANNOTATIONS.contains(&k.as_str()));
        if annotation_only {
            for (k, v) in b {
                lifted.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        !annotation_only
    });
    for (k, v) in lifted {
        map.entry(k).or_insert(v);
    }
    if matches!(map.get("allOf"), Some(Value::Array(b)) if b.is_empty()) {
        map.remove("allOf");
    }
}

/// `anyOf`/`oneOf` of one schema and the null schema → that schema, nullable.
fn fold_nullable_union(map: &mut Map<String, Value>) {
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = map.get(keyword) else {
            continue;
        };
        let is_null = |b: &Value| b.get("enum") == Some(&json!([null])) && b.get("type").is_none();
        if branches.len() != 2 || branches.iter().filter(|b| is_null(b)).count() != 1 {
            continue;
        }
        let Some(Value::Array(branches)) = map.remove(keyword) else {
            continue;
        };
        let Some(other) = branches.into_iter().find(|b| !is_null(b)) else {
            continue;
        };
        map.insert("nullable".into(), Value::Bool(true));
        match other {
            Value::Object(o) if o.contains_key("$ref") => {
                map.insert("allOf".into(), Value::Array(vec![Value::Object(o)]));
            }
            Value::Object(o) => {
                for (k, v) in o {
                    map.entry(k).or_insert(v);
                }
            }
            _ => {}
        }
    }
}

/// Gives inline object and enum schemas of operations a name in `components/schemas`, so
/// the model generator produces a named type for them, as it does for component schemas.
fn lift_inline_schemas(doc: &mut Value) {
    let mut lifted = Lifted::new(doc);
    lift_component_contents(doc, &mut lifted);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                lift_operation_schemas(op, method, &mut lifted);
            }
        }
    }
    add_lifted(doc, lifted.schemas);
}

/// The schemas lifted so far, and the names of `components/schemas` already taken.
struct Lifted {
    taken: HashSet<String>,
    schemas: Vec<(String, Value)>,
}

impl Lifted {
    /// Nothing lifted yet; the component schemas of `doc` take their names.
    fn new(doc: &Value) -> Self {
        let taken = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        Lifted {
            taken,
            schemas: Vec::new(),
        }
    }

    /// Lifts `schema` under `base` (with a number after it when that is taken) and returns
    /// the reference to it.
    fn claim(&mut self, base: String, schema: Value) -> Value {
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        self.schemas.push((name.clone(), schema));
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// Lifts, under `base`, each schema of the `content` of `holder` that needs a name.
    fn claim_content(&mut self, holder: &mut Value, base: &str) {
        let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else {
            return;
        };
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema").filter(|s| needs_name(s)) {
                *schema = self.claim(base.to_string(), schema.take());
            }
        }
    }
}

/// Shared request bodies and responses: named after their component.
fn lift_component_contents(doc: &mut Value, lifted: &mut Lifted) {
    for (section, suffix) in [("requestBodies", ""), ("responses", "Response")] {
        let Some(map) = doc
            .pointer_mut(&format!("/components/{section}"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (name, holder) in map.iter_mut() {
            lifted.claim_content(holder, &format!("{}{suffix}", name.to_upper_camel_case()));
        }
    }
}

/// An operation's parameters, body and responses: named after the operation and the place.
fn lift_operation_schemas(op: &mut Map<String, Value>, method: &str, lifted: &mut Lifted) {
    let op_name = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or(method)
        .to_upper_camel_case();
    if let Some(Value::Array(params)) = op.get_mut("parameters") {
        for param in params.iter_mut() {
            let pname = param.get("name").and_then(Value::as_str).unwrap_or("param");
            let base = format!("{op_name}{}", pname.to_upper_camel_case());
            if let Some(schema) = param.get_mut("schema").filter(|s| needs_name(s)) {
                *schema = lifted.claim(base, schema.take());
            }
        }
    }
    if let Some(body) = op.get_mut("requestBody") {
        lifted.claim_content(body, &format!("{op_name}Body"));
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, response) in responses.iter_mut() {
            let base = format!("{op_name}Response{}", status.to_upper_camel_case());
            lifted.claim_content(response, &base);
        }
    }
}

/// Adds the lifted schemas to `components/schemas`, making both when missing.
fn add_lifted(doc: &mut Value, lifted: Vec<(String, Value)>) {
    if lifted.is_empty() {
        return;
    }
    let root = doc
        .as_object_mut()
        .expect("normalise checked the root is a mapping");
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(components) = components {
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        if let Some(schemas) = schemas.as_object_mut() {
            schemas.extend(lifted);
        }
    }
}

/// Scalars, arrays of scalars and references are used as they are; anything with structure
/// or a closed set of values deserves a named type.
fn needs_name(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    if map.contains_key("$ref") {
        return false;
    }
    if map.contains_key("enum")
        || map.contains_key("properties")
        || map.contains_key("allOf")
        || map.contains_key("anyOf")
        || map.contains_key("oneOf")
    {
        return true;
    }
    match map.get("type").and_then(Value::as_str) {
        Some("object") => true,
        Some("array") => map.get("items").is_some_and(needs_name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(schema: Value) -> Value {
        let mut s = schema;
        normalise_schema(&mut s, "/components/schemas/T", Path::new("s.yaml")).unwrap();
        s
    }

    #[test]
    fn type_list_with_null_becomes_nullable() {
        assert_eq!(
            norm(json!({"type": ["string", "null"], "maxLength": 5})),
            json!({"type": "string", "nullable": true, "maxLength": 5})
        );
    }

    #[test]
    fn bare_null_type_becomes_nullable_enum_of_null() {
        assert_eq!(
            norm(json!({"type": "null"})),
            json!({"nullable": true, "enum": [null]})
        );
    }

    #[test]
    fn several_types_become_any_of() {
        assert_eq!(
            norm(json!({"type": ["string", "integer", "null"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn const_becomes_single_enum() {
        assert_eq!(
            norm(json!({"type": "boolean", "const": true})),
            json!({"type": "boolean", "enum": [true]})
        );
    }

    #[test]
    fn all_of_ref_with_description_moves_description_up() {
        assert_eq!(
            norm(
                json!({"allOf": [{"$ref": "#/components/schemas/W"}, {"description": "the thing"}]})
            ),
            json!({"allOf": [{"$ref": "#/components/schemas/W"}], "description": "the thing"})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_3_0_flags() {
        assert_eq!(
            norm(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10})),
            json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 10})
        );
    }

    #[test]
    fn nullable_union_folds_into_the_other_branch() {
        assert_eq!(
            norm(json!({"anyOf": [{"$ref": "#/components/schemas/W"}, {"type": "null"}]})),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/W"}]})
        );
        assert_eq!(
            norm(json!({"oneOf": [{"type": "null"}, {"type": "string", "minLength": 1}]})),
            json!({"nullable": true, "type": "string", "minLength": 1})
        );
    }

    #[test]
    fn nested_positions_are_rewritten() {
        let out = norm(json!({
            "type": "object",
            "properties": {"a": {"type": ["array", "null"], "items": {"const": "x"}}},
            "additionalProperties": {"type": ["integer", "null"]}
        }));
        assert_eq!(
            out["properties"]["a"],
            json!({"type": "array", "nullable": true, "items": {"enum": ["x"]}})
        );
        assert_eq!(
            out["additionalProperties"],
            json!({"type": "integer", "nullable": true})
        );
    }

    #[test]
    fn property_names_and_examples_are_not_touched() {
        let out = norm(json!({
            "type": "object",
            "properties": {"const": {"type": "string"}, "type": {"type": "string"}},
            "example": {"type": ["a", "null"], "const": 1}
        }));
        assert_eq!(out["properties"]["const"], json!({"type": "string"}));
        assert_eq!(out["example"], json!({"type": ["a", "null"], "const": 1}));
    }

    #[test]
    fn unsupported_keyword_is_an_error_with_pointer() {
        let mut s =
            json!({"type": "object", "properties": {"p": {"type": "array", "prefixItems": []}}});
        let err =
            normalise_schema(&mut s, "/components/schemas/T", Path::new("s.yaml")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(
            err.pointer,
            "/components/schemas/T/properties/p/prefixItems"
        );
        assert!(
            err.to_string()
                .starts_with("s.yaml at /components/schemas/T/properties/p/prefixItems")
        );
    }

    #[test]
    fn document_version_and_inline_schemas() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/x": {"post": {
                "operationId": "makeThing",
                "parameters": [{"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
                               {"name": "n", "in": "query", "schema": {"type": ["integer", "null"]}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }}},
            "components": {"schemas": {"MakeThingBody": {"type": "string"}}}
        });
        normalise(&mut doc, Path::new("s.yaml")).unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
        let op = &doc["paths"]["/x"]["post"];
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"$ref": "#/components/schemas/MakeThingMode"})
        );
        assert_eq!(
            op["parameters"][1]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/MakeThingBody2"}),
            "a taken name gets a suffix"
        );
        assert!(
            doc.pointer("/components/schemas/MakeThingResponse200")
                .is_some()
        );
    }

    #[test]
    fn unknown_openapi_version_is_refused() {
        let mut doc = json!({"openapi": "2.0", "paths": {}});
        let err = normalise(&mut doc, Path::new("s.yaml")).unwrap_err();
        assert_eq!(err.pointer, "/openapi");
    }
}
