//! Stage 6: one blocking operation builder per OpenAPI operation, grouped by tag.
//!
//! The emitted code only describes requests (method, path, parameters, body, rules,
//! response types) and hands them to the runtime's single execution path; it never sends
//! anything itself. What it refers to in the runtime is listed in [`RUNTIME_CONTRACT`].

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
    Response, Schema, SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::{self, safe_ident, split_component_ref, type_ident};
use crate::error::{Error, ErrorKind, Result, pointer_push};

/// The runtime items the generated code uses; the runtime crate must provide all of them.
pub const RUNTIME_CONTRACT: &str = "crate::Client, crate::Error, crate::options::{CallOptions, \
     call_options!}, crate::request::{Operation, Method, ErrorStatus, RequestParts, \
     JsonBody}, crate::StatusClass, crate::validation::{Rules, FieldRule, Pattern}, crate::pagination::{OffsetPaged, \
     Items}, crate::retry::SpecRetry";

/// Header parameters the client sets from its configuration (attribution) or itself
/// (credentials, content negotiation): never arguments of a generated method.
pub const CLIENT_HEADERS: [&str; 6] = [
    "http-referer",
    "x-openrouter-title",
    "x-openrouter-categories",
    "authorization",
    "accept",
    "content-type",
];

/// Emits the operations of `spec` (already selected and normalised; `doc` is its JSON form).
///
/// An operation using something the client cannot express (a non-JSON body, a cookie
/// parameter) is left out and returned as an error in the list, or, when `strict`, fails
/// the whole generation.
pub fn generate_operations(
    spec: &OpenAPI,
    doc: &Value,
    strict: bool,
    file: &Path,
) -> Result<(TokenStream, Vec<Error>)> {
    let ctx = Context { spec, file };
    let mut operations = Vec::new();
    let mut skipped = Vec::new();
    for (path, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue; // refused in `select`
        };
        for (method, op) in item.iter() {
            match ctx.operation(path, method, op, &item.parameters) {
                Ok(operation) => operations.push(operation),
                Err(e) if !strict && e.kind == ErrorKind::Unsupported => {
                    let id = op.operation_id.as_deref().unwrap_or("?");
                    skipped.push(Error {
                        message: format!("operation `{id}` skipped: {}", e.message),
                        ..e
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }
    check_unique_names(&operations, file)?;

    let error_bodies = collect_error_bodies(&operations);
    let mut by_tag: BTreeMap<String, Vec<&Op>> = BTreeMap::new();
    for op in &operations {
        by_tag.entry(op.tag.clone()).or_default().push(op);
    }
    let tag_modules = by_tag
        .iter()
        .map(|(tag, ops)| emit_tag(spec, tag, ops))
        .collect::<Vec<_>>();
    let error_enum = emit_error_bodies(&error_bodies);
    let spec_info = emit_spec_info(spec, doc, &operations);
    let tokens = quote! {
        #error_enum
        #spec_info
        #(#tag_modules)*
    };
    Ok((tokens, skipped))
}

struct Context<'a> {
    spec: &'a OpenAPI,
    file: &'a Path,
}

/// One operation, as the emitter needs it.
struct Op {
    id: String,
    tag: String,
    method: String,
    path: String,
    pointer: String,
    method_name: Ident,
    builder: Ident,
    summary: Option<String>,
    description: Option<String>,
    params: Vec<Param>,
    body: Option<Body>,
    success: Option<TokenStream>,
    success_status: Option<String>,
    /// The success answer's top-level fields (JSON name, description), for the docs.
    success_fields: Vec<(String, Option<String>)>,
    /// The success answer's example in the document, for the docs.
    success_example: Option<Value>,
    errors: Vec<(StatusCode, Option<String>)>,
    pagination: Option<Pagination>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
}

struct Param {
    name: String,
    ident: Ident,
    location: Location,
    required: bool,
    field: FieldType,
    rules: Rules,
    nullable: bool,
    description: Option<String>,
    example: Option<Value>,
}

struct Body {
    /// The named model type of the whole body, when it has one.
    type_name: Option<String>,
    fields: Vec<BodyField>,
    /// The body is an object whose properties get setters.
    object: bool,
    /// The media type's example in the document, for the docs.
    example: Option<Value>,
}

struct BodyField {
    name: String,
    ident: Ident,
    field: FieldType,
    required: bool,
    nullable: bool,
    rules: Rules,
    description: Option<String>,
    example: Option<Value>,
}

struct Success {
    status: String,
    schema: Option<String>,
    example: Option<Value>,
}

struct Pagination {
    offset: Ident,
    offset_type: FieldType,
    limit: Ident,
    limit_type: FieldType,
    results: String,
    item: TokenStream,
    total: Option<String>,
}

/// How a parameter or body field is typed in the generated API.
#[derive(Clone)]
enum FieldType {
    String,
    Uuid,
    Integer { unsigned: bool, narrow: bool },
    Number,
    Boolean,
    Array(Box<FieldType>),
    Named(String),
    Map,
    Any,
}

#[derive(Default, Clone, PartialEq)]
struct Rules {
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<String>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: bool,
    exclusive_maximum: bool,
    min_items: Option<usize>,
    max_items: Option<usize>,
}

impl Rules {
    fn is_empty(&self) -> bool {
        *self == Rules::default()
    }
}

impl Context<'_> {
    fn error(&self, kind: ErrorKind, pointer: &str, message: impl Into<String>) -> Error {
        Error::new(kind, self.file, pointer, message)
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        path_params: &[ReferenceOr<Parameter>],
    ) -> Result<Op> {
        let pointer = pointer_push(&pointer_push("/paths", path), method);
        let id = op
            .operation_id
            .clone()
            .ok_or_else(|| self.error(ErrorKind::MissingOperationId, &pointer, "no operationId"))?;
        let tag = document::tag(op).to_string();
        let name = document::method_name(op, &id);
        // The method, the builder, its statics and the tag's module and group are named
        // after these; with no ASCII letter or digit, nothing would tell them apart.
        for (what, text) in [("operationId", &id), ("method name", &name), ("tag", &tag)] {
            if !text.chars().any(|c| c.is_ascii_alphanumeric()) {
                return Err(self.error(
                    ErrorKind::Unsupported,
                    &pointer,
                    format!(
                        "the {what} `{text}` has no ASCII letter or digit to name Rust items after"
                    ),
                ));
            }
        }
        let method_name = safe_ident(&name);
        // The builder is named after the method (`set_budget()` returns `SetBudget`), so
        // the docs speak one vocabulary; the operationId serves only where that name is
        // the tag's own group type.
        let builder = if type_ident(&name) == type_ident(&tag) {
            type_ident(&id)
        } else {
            type_ident(&name)
        };

        let params = self.parameters(path, &pointer, path_params, &op.parameters)?;
        let body = match &op.request_body {
            Some(body) => Some(self.body(body, &pointer_push(&pointer, "requestBody"))?),
            None => None,
        };
        let success = self.success(op, &pointer)?;
        let errors = self.errors(op, &pointer)?;
        let success_schema = success.as_ref().and_then(|s| s.schema.as_deref());
        let pagination = self.pagination(op, &params, success_schema);
        let success_fields = success_schema
            .map(|name| self.top_level_fields(name))
            .unwrap_or_default();
        Ok(Op {
            id,
            tag,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            pointer,
            method_name,
            builder,
            summary: op.summary.clone(),
            description: op.description.clone(),
            params,
            body,
            success: success_schema.map(|name| {
                let ident = type_ident(name);
                quote!(types::#ident)
            }),
            success_fields,
            success_example: success.as_ref().and_then(|s| s.example.clone()),
            success_status: success.map(|s| s.status),
            errors,
            pagination,
        })
    }

    fn resolve<'a, T>(
        &'a self,
        item: &'a ReferenceOr<T>,
        section: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
        pointer: &str,
    ) -> Result<&'a T> {
        let components = self.spec.components.as_ref();
        document::resolve(item, |_, name| {
            components.and_then(|c| section(c).get(name))
        })
        .map_err(|e| e.into_error(self.file, pointer))
    }

    fn schema_by_name(&self, name: &str) -> Option<&Schema> {
        let schemas = &self.spec.components.as_ref()?.schemas;
        document::resolve(schemas.get(name)?, |_, next| schemas.get(next)).ok()
    }

    fn parameters(
        &self,
        path: &str,
        pointer: &str,
        path_level: &[ReferenceOr<Parameter>],
        op_level: &[ReferenceOr<Parameter>],
    ) -> Result<Vec<Param>> {
        // Operation-level parameters replace path-level ones of the same name and location.
        let mut merged: Vec<(&Parameter, String)> = Vec::new();
        let path_pointer = pointer.rsplit_once('/').map_or("", |(item, _)| item);
        for (list, owner) in [(path_level, path_pointer), (op_level, pointer)] {
            for (i, p) in list.iter().enumerate() {
                let at = pointer_push(&pointer_push(owner, "parameters"), &i.to_string());
                let resolved = self.resolve(p, |c| &c.parameters, &at)?;
                let key = parameter_key(resolved);
                merged.retain(|(q, _)| parameter_key(q) != key);
                merged.push((resolved, at));
            }
        }
        let mut out = Vec::new();
        let mut idents = HashSet::new();
        for (param, at) in merged {
            let data = param.parameter_data_ref();
            let location = match param {
                Parameter::Path { .. } => Location::Path,
                Parameter::Query { .. } => Location::Query,
                Parameter::Header { .. } => {
                    if CLIENT_HEADERS.contains(&data.name.to_ascii_lowercase().as_str()) {
                        continue;
                    }
                    Location::Header
                }
                Parameter::Cookie { .. } => {
                    return Err(self.error(
                        ErrorKind::Unsupported,
                        &at,
                        format!("cookie parameter `{}` is not supported", data.name),
                    ));
                }
            };
            let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                return Err(self.error(
                    ErrorKind::Unsupported,
                    &at,
                    format!(
                        "parameter `{}` uses `content`; only `schema` is supported",
                        data.name
                    ),
                ));
            };
            let described = self.describe(schema, &pointer_push(&at, "schema"))?;
            if location == Location::Path && !path.contains(&format!("{{{}}}", data.name)) {
                return Err(self.error(
                    ErrorKind::Invalid,
                    &at,
                    format!("path parameter `{}` does not appear in `{path}`", data.name),
                ));
            }
            let ident = safe_ident(&data.name.to_snake_case());
            if !idents.insert(ident.to_string()) {
                return Err(self.error(
                    ErrorKind::DuplicateName,
                    &at,
                    format!("two parameters would both be named `{ident}`"),
                ));
            }
            out.push(Param {
                name: data.name.clone(),
                ident,
                location,
                required: data.required || location == Location::Path,
                field: described.field,
                rules: described.rules,
                nullable: described.nullable,
                description: data.description.clone().or(described.description),
                example: data.example.clone().or(described.example),
            });
        }
        // Every `{name}` in the template needs a parameter.
        for segment in path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                && !out
                    .iter()
                    .any(|p| p.location == Location::Path && p.name == name)
            {
                return Err(self.error(
                    ErrorKind::Invalid,
                    pointer,
                    format!("`{path}` has `{{{name}}}` but no path parameter of that name"),
                ));
            }
        }
        Ok(out)
    }

    fn body(&self, body: &ReferenceOr<RequestBody>, pointer: &str) -> Result<Body> {
        let body = self.resolve(body, |c| &c.request_bodies, pointer)?;
        let Some((_, media)) = document::json_media(&body.content) else {
            let types: Vec<&String> = body.content.keys().collect();
            return Err(self.error(
                ErrorKind::Unsupported,
                pointer,
                format!("request bodies must be JSON; this one is {types:?}"),
            ));
        };
        let schema = media.schema.as_ref().ok_or_else(|| {
            self.error(
                ErrorKind::Unsupported,
                pointer,
                "a JSON request body without a schema",
            )
        })?;
        let type_name = match schema {
            ReferenceOr::Reference { reference } => split_component_ref(reference).map(|(_, n)| n),
            ReferenceOr::Item(_) => None,
        };
        let resolved = self.resolve(schema, |c| &c.schemas, pointer)?;
        let mut fields = Vec::new();
        let mut object = false;
        if let SchemaKind::Type(Type::Object(obj)) = &resolved.schema_kind {
            object = true;
            for (name, prop) in &obj.properties {
                let prop = prop.clone().unbox();
                let at = pointer_push(&pointer_push(pointer, "properties"), name);
                let described = self.describe(&prop, &at)?;
                fields.push(BodyField {
                    name: name.clone(),
                    ident: safe_ident(&name.to_snake_case()),
                    field: described.field,
                    required: obj.required.contains(name),
                    nullable: described.nullable,
                    rules: described.rules,
                    description: described.description,
                    example: described.example,
                });
            }
        }
        Ok(Body {
            type_name,
            fields,
            object,
            example: media_example(media),
        })
    }

    /// The first documented 2xx response: its status, and the name of its JSON schema.
    fn success(&self, op: &openapiv3::Operation, pointer: &str) -> Result<Option<Success>> {
        for (status, response) in &op.responses.responses {
            let is_success = match status {
                StatusCode::Code(c) => (200..300).contains(c),
                StatusCode::Range(r) => *r == 2,
            };
            if !is_success {
                continue;
            }
            let at = pointer_push(&pointer_push(pointer, "responses"), &status.to_string());
            let response = self.resolve(response, |c| &c.responses, &at)?;
            return Ok(Some(Success {
                status: status.to_string(),
                schema: self.json_schema_name(response),
                example: document::json_media(&response.content)
                    .and_then(|(_, m)| media_example(m)),
            }));
        }
        Ok(None)
    }

    fn json_schema_name(&self, response: &Response) -> Option<String> {
        let (_, media) = document::json_media(&response.content)?;
        match media.schema.as_ref()? {
            ReferenceOr::Reference { reference } => split_component_ref(reference).map(|(_, n)| n),
            ReferenceOr::Item(_) => None,
        }
    }

    /// The top-level properties of the object schema `name`, with their descriptions.
    fn top_level_fields(&self, name: &str) -> Vec<(String, Option<String>)> {
        let Some(SchemaKind::Type(Type::Object(obj))) =
            self.schema_by_name(name).map(|s| &s.schema_kind)
        else {
            return Vec::new();
        };
        obj.properties
            .iter()
            .map(|(name, prop)| (name.clone(), self.property_description(prop)))
            .collect()
    }

    /// A property's description: its own, else that of the schema it refers to (directly,
    /// or as the one member of an `allOf`).
    fn property_description(&self, prop: &ReferenceOr<Box<Schema>>) -> Option<String> {
        let reference = match prop {
            ReferenceOr::Reference { reference } => reference,
            ReferenceOr::Item(schema) => {
                if let Some(description) = &schema.schema_data.description {
                    return Some(description.clone());
                }
                let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
                    return None;
                };
                let [ReferenceOr::Reference { reference }] = all_of.as_slice() else {
                    return None;
                };
                reference
            }
        };
        let (_, target) = split_component_ref(reference)?;
        self.schema_by_name(&target)?
            .schema_data
            .description
            .clone()
    }

    fn errors(
        &self,
        op: &openapiv3::Operation,
        pointer: &str,
    ) -> Result<Vec<(StatusCode, Option<String>)>> {
        let mut out = Vec::new();
        for (status, response) in &op.responses.responses {
            let is_error = match status {
                StatusCode::Code(c) => *c >= 400,
                StatusCode::Range(r) => *r >= 4,
            };
            if !is_error {
                continue;
            }
            let at = pointer_push(&pointer_push(pointer, "responses"), &status.to_string());
            let response = self.resolve(response, |c| &c.responses, &at)?;
            out.push((status.clone(), self.json_schema_name(response)));
        }
        Ok(out)
    }

    fn pagination(
        &self,
        op: &openapiv3::Operation,
        params: &[Param],
        response_type: Option<&str>,
    ) -> Option<Pagination> {
        let ext = op.extensions.get("x-speakeasy-pagination")?;
        if ext.get("type").and_then(Value::as_str) != Some("offsetLimit") {
            return None;
        }
        let input = |kind: &str| -> Option<(Ident, FieldType)> {
            let name = ext
                .get("inputs")?
                .as_array()?
                .iter()
                .find(|i| i.get("type").and_then(Value::as_str) == Some(kind))?
                .get("name")?
                .as_str()?;
            params
                .iter()
                .find(|p| p.name == name && p.location == Location::Query)
                .filter(|p| matches!(p.field, FieldType::Integer { .. }))
                .map(|p| (p.ident.clone(), p.field.clone()))
        };
        let results = ext
            .pointer("/outputs/results")
            .and_then(Value::as_str)?
            .strip_prefix("$.")?
            .to_string();
        // The helper reads the field by name: only a name that is already the field's
        // identifier (snake case, no keyword) can be used as it is.
        if results != results.to_snake_case() || syn::parse_str::<Ident>(&results).is_err() {
            return None;
        }
        let response = self.schema_by_name(response_type?)?;
        let SchemaKind::Type(Type::Object(obj)) = &response.schema_kind else {
            return None;
        };
        let items = match obj.properties.get(&results)? {
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::Type(Type::Array(a)) => a.items.clone()?,
                _ => return None,
            },
            ReferenceOr::Reference { .. } => return None,
        };
        let item = match items.unbox() {
            ReferenceOr::Reference { reference } => {
                let (_, name) = split_component_ref(&reference)?;
                let ident = type_ident(&name);
                quote!(types::#ident)
            }
            ReferenceOr::Item(_) => return None,
        };
        let total = obj
            .properties
            .get("total_count")
            .filter(|_| obj.required.iter().any(|r| r == "total_count"))
            .map(|_| "total_count".to_string());
        let (offset, offset_type) = input("offset")?;
        let (limit, limit_type) = input("limit")?;
        Some(Pagination {
            offset,
            offset_type,
            limit,
            limit_type,
            results,
            item,
            total,
        })
    }

    /// What a parameter or property schema means for the generated API.
    fn describe(&self, schema: &ReferenceOr<Schema>, pointer: &str) -> Result<Described> {
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                let (_, name) = split_component_ref(reference).ok_or_else(|| {
                    self.error(
                        ErrorKind::Unsupported,
                        pointer,
                        format!("unsupported reference `{reference}`"),
                    )
                })?;
                let target = self.schema_by_name(&name).ok_or_else(|| {
                    self.error(
                        ErrorKind::DanglingRef,
                        pointer,
                        format!("`{reference}` points at nothing"),
                    )
                })?;
                return Ok(Described {
                    field: FieldType::Named(name),
                    rules: Rules::default(),
                    nullable: false,
                    description: target.schema_data.description.clone(),
                    example: None,
                });
            }
            ReferenceOr::Item(schema) => schema,
        };
        let data = &schema.schema_data;
        let mut rules = Rules::default();
        let field = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                rules.min_length = s.min_length;
                rules.max_length = s.max_length;
                if let Some(pattern) = &s.pattern {
                    if let Err(e) = regress::Regex::new(pattern) {
                        return Err(self.error(
                            ErrorKind::Invalid,
                            &pointer_push(pointer, "pattern"),
                            format!("pattern `{pattern}` is not a valid regular expression: {e}"),
                        ));
                    }
                    rules.pattern = Some(pattern.clone());
                }
                match &s.format {
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => FieldType::Uuid,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => {
                        return Err(self.error(
                            ErrorKind::Unsupported,
                            pointer,
                            "binary strings are not supported",
                        ));
                    }
                    _ => FieldType::String,
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                rules.minimum = i.minimum.map(|m| m as f64);
                rules.maximum = i.maximum.map(|m| m as f64);
                rules.exclusive_minimum = i.exclusive_minimum;
                rules.exclusive_maximum = i.exclusive_maximum;
                let narrow = matches!(
                    &i.format,
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32)
                );
                FieldType::Integer {
                    unsigned: i.minimum.is_some_and(|m| m >= 0),
                    narrow,
                }
            }
            SchemaKind::Type(Type::Number(n)) => {
                rules.minimum = n.minimum;
                rules.maximum = n.maximum;
                rules.exclusive_minimum = n.exclusive_minimum;
                rules.exclusive_maximum = n.exclusive_maximum;
                FieldType::Number
            }
            SchemaKind::Type(Type::Boolean(_)) => FieldType::Boolean,
            SchemaKind::Type(Type::Array(a)) => {
                rules.min_items = a.min_items;
                rules.max_items = a.max_items;
                let item = match &a.items {
                    Some(items) => {
                        self.describe(&items.clone().unbox(), &pointer_push(pointer, "items"))?
                            .field
                    }
                    None => FieldType::Any,
                };
                FieldType::Array(Box::new(item))
            }
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => {
                match &o.additional_properties {
                    None | Some(AdditionalProperties::Any(true)) => FieldType::Map,
                    Some(AdditionalProperties::Schema(_)) => FieldType::Map,
                    Some(AdditionalProperties::Any(false)) => FieldType::Map,
                }
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let mut inner = self.describe(&all_of[0], &pointer_push(pointer, "allOf/0"))?;
                inner.nullable |= data.nullable;
                inner.description = data.description.clone().or(inner.description);
                return Ok(inner);
            }
            _ => FieldType::Any,
        };
        Ok(Described {
            field,
            rules,
            nullable: data.nullable,
            description: data.description.clone(),
            example: data.example.clone(),
        })
    }
}

struct Described {
    field: FieldType,
    rules: Rules,
    nullable: bool,
    description: Option<String>,
    example: Option<Value>,
}

/// A media type's example: its `example`, else the value of its first inline `examples` entry.
fn media_example(media: &openapiv3::MediaType) -> Option<Value> {
    media.example.clone().or_else(|| {
        media
            .examples
            .values()
            .find_map(|e| e.as_item().and_then(|e| e.value.clone()))
    })
}

/// Parameters are the same when name and location agree (header names in any case).
fn parameter_key(p: &Parameter) -> (String, String) {
    let location = match p {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    };
    document::parameter_key(location, &p.parameter_data_ref().name)
}

fn check_unique_names(ops: &[Op], file: &Path) -> Result<()> {
    let mut methods = HashSet::new();
    let mut builders = HashSet::new();
    for op in ops {
        if !methods.insert((op.tag.clone(), op.method_name.to_string())) {
            return Err(Error::new(
                ErrorKind::DuplicateName,
                file,
                &op.pointer,
                format!(
                    "two operations of tag `{}` would both be named `{}`",
                    op.tag, op.method_name
                ),
            ));
        }
        if !builders.insert((op.tag.clone(), op.builder.to_string())) {
            return Err(Error::new(
                ErrorKind::DuplicateName,
                file,
                &op.pointer,
                format!(
                    "two operations of tag `{}` would both generate the builder `{}`",
                    op.tag, op.builder
                ),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Emission
// ---------------------------------------------------------------------------------------

fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// Rust tokens for a field's stored type.
fn rust_type(field: &FieldType) -> TokenStream {
    match field {
        FieldType::String => quote!(::std::string::String),
        FieldType::Uuid => quote!(::uuid::Uuid),
        FieldType::Integer {
            unsigned: true,
            narrow: true,
        } => quote!(u32),
        FieldType::Integer {
            unsigned: true,
            narrow: false,
        } => quote!(u64),
        FieldType::Integer {
            unsigned: false,
            narrow: true,
        } => quote!(i32),
        FieldType::Integer {
            unsigned: false,
            narrow: false,
        } => quote!(i64),
        FieldType::Number => quote!(f64),
        FieldType::Boolean => quote!(bool),
        FieldType::Array(item) => {
            let item = rust_type(item);
            quote!(::std::vec::Vec<#item>)
        }
        FieldType::Named(name) => {
            let ident = type_ident(name);
            quote!(types::#ident)
        }
        FieldType::Map => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        FieldType::Any => quote!(::serde_json::Value),
    }
}

/// The argument type a setter takes, and the expression that turns the argument `var`
/// into the stored type.
fn setter_input(field: &FieldType, var: &Ident) -> (TokenStream, TokenStream) {
    match field {
        FieldType::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(#var.into()),
        ),
        FieldType::Array(item) if matches!(**item, FieldType::String) => (
            quote!(
                impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>
            ),
            quote!(#var.into_iter().map(::std::convert::Into::into).collect::<::std::vec::Vec<::std::string::String>>()),
        ),
        FieldType::Array(item) => {
            let item = rust_type(item);
            (
                quote!(impl ::std::iter::IntoIterator<Item = #item>),
                quote!(#var.into_iter().collect::<::std::vec::Vec<#item>>()),
            )
        }
        other => (rust_type(other), quote!(#var)),
    }
}

/// An expression turning `option`, an `Option` of integer type `field`, into an
/// `Option<u64>` (`None` for a negative value).
fn option_to_u64(field: &FieldType, option: TokenStream) -> TokenStream {
    match field {
        FieldType::Integer {
            unsigned: true,
            narrow: false,
        } => option,
        FieldType::Integer {
            unsigned: true,
            narrow: true,
        } => quote!(#option.map(u64::from)),
        _ => quote!(#option.and_then(|value| u64::try_from(value).ok())),
    }
}

/// An expression turning the `u64` `var` into integer type `field`, saturating.
fn from_u64(field: &FieldType, var: TokenStream) -> TokenStream {
    match field {
        FieldType::Integer {
            unsigned: true,
            narrow: false,
        } => quote!(#var),
        FieldType::Integer {
            unsigned: true,
            narrow: true,
        } => quote!(u32::try_from(#var).unwrap_or(u32::MAX)),
        FieldType::Integer {
            unsigned: false,
            narrow: true,
        } => quote!(i32::try_from(#var).unwrap_or(i32::MAX)),
        _ => quote!(i64::try_from(#var).unwrap_or(i64::MAX)),
    }
}

/// A Rust expression of `field`'s type for a required argument in examples: the document's
/// example where it can be written as a literal, else a placeholder.
fn example_expr(field: &FieldType, example: Option<&Value>, name: &str, spec: &OpenAPI) -> String {
    example
        .and_then(|value| example_value(field, value, spec, false))
        .unwrap_or_else(|| placeholder(field, name, spec))
}

/// A made-up value of `field`'s type, for an argument the document gives no example of.
fn placeholder(field: &FieldType, name: &str, spec: &OpenAPI) -> String {
    match field {
        FieldType::String => {
            format!(
                "{:?}",
                format!("example-{}", name.to_snake_case().replace('_', "-"))
            )
        }
        FieldType::Uuid => "uuid::Uuid::nil()".into(),
        FieldType::Integer { .. } => "1".into(),
        FieldType::Number => "1.0".into(),
        FieldType::Boolean => "true".into(),
        FieldType::Array(item) => format!("[{}]", placeholder(item, name, spec)),
        FieldType::Named(type_name) => {
            enum_expr(spec, type_name, None).unwrap_or_else(|| named_placeholder(spec, type_name))
        }
        FieldType::Map => "serde_json::Map::new()".into(),
        FieldType::Any => "serde_json::Value::Null".into(),
    }
}

/// `value`, an example from the document, as a Rust expression: of what the setter of
/// `field` accepts, or (`exact`, for the items of an array that is not of strings) of the
/// stored type itself. `None` when it cannot be written as a literal of that type.
fn example_value(field: &FieldType, value: &Value, spec: &OpenAPI, exact: bool) -> Option<String> {
    match field {
        FieldType::String => {
            let text = format!("{:?}", value.as_str()?);
            Some(if exact {
                format!("{text}.to_string()")
            } else {
                text
            })
        }
        FieldType::Uuid => {
            let text = value.as_str().filter(|t| is_uuid(t))?;
            Some(format!("uuid::uuid!({text:?})"))
        }
        FieldType::Integer { unsigned, narrow } => {
            let fits = match (unsigned, narrow) {
                (true, true) => value.as_u64().is_some_and(|n| u32::try_from(n).is_ok()),
                (true, false) => value.as_u64().is_some(),
                (false, true) => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                (false, false) => value.as_i64().is_some(),
            };
            fits.then(|| value.to_string())
        }
        FieldType::Number => value.as_f64().map(|x| format!("{x:?}")),
        FieldType::Boolean => value.as_bool().map(|b| b.to_string()),
        FieldType::Array(item) => {
            // A setter of strings takes anything that becomes a string; other setters take
            // items of the stored type.
            let strings = matches!(**item, FieldType::String) && !exact;
            let items = value.as_array().filter(|items| !items.is_empty())?;
            let items = items
                .iter()
                .map(|v| example_value(item, v, spec, !strings))
                .collect::<Option<Vec<_>>>()?
                .join(", ");
            Some(if exact {
                format!("vec![{items}]")
            } else {
                format!("[{items}]")
            })
        }
        FieldType::Named(type_name) => value
            .as_str()
            .and_then(|wire| enum_expr(spec, type_name, Some(wire)))
            .or_else(|| decoded(&format!("types::{}", type_ident(type_name)), value)),
        FieldType::Map => value
            .is_object()
            .then(|| decoded("serde_json::Map<String, serde_json::Value>", value))?,
        FieldType::Any => json_macro(value),
    }
}

/// `value` as JSON written in Rust: `serde_json::json!`, which reads JSON text, except the
/// `\uXXXX` escapes (Rust spells them otherwise).
fn json_macro(value: &Value) -> Option<String> {
    let json = value.to_string();
    (!json.contains("\\u")).then(|| format!("serde_json::json!({json})"))
}

/// `value` decoded at run time into `rust_type`, for the types no literal spells (structs,
/// unions, nullable enums): the example's `main` then returns a boxed error.
fn decoded(rust_type: &str, value: &Value) -> Option<String> {
    let json = json_macro(value)?;
    Some(format!("serde_json::from_value::<{rust_type}>({json})?"))
}

/// A made-up value of the model `type_name`: its `Default` where the models have one (an
/// object with nothing required), else an empty object (or `null`) decoded into it.
fn named_placeholder(spec: &OpenAPI, type_name: &str) -> String {
    let schema = spec
        .components
        .as_ref()
        .and_then(|c| c.schemas.get(type_name))
        .and_then(ReferenceOr::as_item);
    let empty = match schema.map(|s| &s.schema_kind) {
        Some(SchemaKind::Type(Type::Object(obj))) if obj.required.is_empty() => {
            return format!("types::{}::default()", type_ident(type_name));
        }
        Some(SchemaKind::Type(Type::Object(_))) => Value::Object(Default::default()),
        _ => Value::Null,
    };
    decoded(&format!("types::{}", type_ident(type_name)), &empty)
        .unwrap_or_else(|| format!("types::{}::default()", type_ident(type_name)))
}

/// The value `wire` (when `None` or not listed, the first listed one) of the string enum
/// `type_name`: its variant where the model generator's name for it is certain, else
/// `from_wire`. `None` when `type_name` is not a string enum.
fn enum_expr(spec: &OpenAPI, type_name: &str, wire: Option<&str>) -> Option<String> {
    let schema = spec
        .components
        .as_ref()?
        .schemas
        .get(type_name)?
        .as_item()?;
    let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
        return None;
    };
    // A nullable enum is a wrapper of an `Option` in the models, no enum.
    if schema.schema_data.nullable || string.enumeration.iter().any(Option::is_none) {
        return None;
    }
    let values: Vec<&String> = string.enumeration.iter().flatten().collect();
    let value = wire
        .filter(|w| values.iter().any(|v| v == w))
        .or_else(|| values.first().map(|v| v.as_str()))?;
    // Plain words become their UpperCamelCase; other values are renamed by rules of the
    // model generator that are not worth copying here.
    let variants: HashSet<String> = values.iter().map(|v| v.to_upper_camel_case()).collect();
    let plain = values.iter().all(|v| {
        v.starts_with(|c: char| c.is_ascii_alphabetic())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '))
    }) && variants.len() == values.len()
        && !["Unknown", "UnlistedValue", "Self"]
            .iter()
            .any(|reserved| variants.contains(*reserved));
    let ty = type_ident(type_name);
    Some(if plain {
        format!("types::{ty}::{}", value.to_upper_camel_case())
    } else {
        format!("types::{ty}::from_wire({value:?})")
    })
}

/// A UUID in its hyphenated form, as `uuid::uuid!` accepts it.
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The body setters an example calls: the fields of the document's body example that have
/// a setter, in its order (`clear_*` for a null), then any required field it leaves out;
/// without a body example, the required fields with their property examples.
fn example_body_calls(body: &Body, spec: &OpenAPI) -> Vec<String> {
    let mut calls = Vec::new();
    let mut given = HashSet::new();
    if let Some(Value::Object(example)) = body.example.as_ref().filter(|_| body.object) {
        for (name, value) in example {
            let Some(f) = body.fields.iter().find(|f| &f.name == name) else {
                continue;
            };
            let call = if value.is_null() {
                let setter = f.ident.to_string();
                f.nullable
                    .then(|| format!("clear_{}()", setter.trim_start_matches("r#")))
            } else {
                example_value(&f.field, value, spec, false).map(|v| format!("{}({v})", f.ident))
            };
            if let Some(call) = call {
                calls.push(call);
                given.insert(name.as_str());
            }
        }
    }
    for f in body
        .fields
        .iter()
        .filter(|f| f.required && !given.contains(f.name.as_str()))
    {
        let value = example_expr(&f.field, f.example.as_ref(), &f.name, spec);
        calls.push(format!("{}({value})", f.ident));
    }
    calls
}

/// The `# Example` section: a call with the document's examples, and its example answer.
fn example_doc(spec: &OpenAPI, op: &Op, module: &Ident, args: &[&Param]) -> String {
    let arg_examples: Vec<String> = args
        .iter()
        .map(|p| example_expr(&p.field, p.example.as_ref(), &p.name, spec))
        .collect();
    let mut call = format!(
        "let response = client\n    .{module}()\n    .{}({})\n",
        op.method_name,
        arg_examples.join(", ")
    );
    for setter in op.body.iter().flat_map(|b| example_body_calls(b, spec)) {
        call.push_str(&format!("    .{setter}\n"));
    }
    let error = if call.contains("serde_json::from_value") {
        "Box<dyn std::error::Error>"
    } else {
        "Error"
    };
    let mut doc = String::from("\n# Example\n\n```no_run\n");
    doc.push_str("# use openrouter_workspaces::{types, Client, Error};\n");
    doc.push_str(&format!("# fn main() -> Result<(), {error}> {{\n"));
    doc.push_str("let client = Client::from_env()?;\n");
    doc.push_str(&call);
    doc.push_str("    .send()?;\nprintln!(\"{response:?}\");\n# Ok(())\n# }\n```\n");
    if let Some(example) = &op.success_example {
        let mut example = example.clone();
        shorten_arrays(&mut example);
        doc.push_str(&format!(
            "\nAn answer looks like this (the document's example):\n\n```json\n{example:#}\n```\n"
        ));
    }
    doc
}

/// Cuts every array of more than two items to its first, so an example stays short.
fn shorten_arrays(value: &mut Value) {
    match value {
        Value::Array(items) => {
            if items.len() > 2 {
                items.truncate(1);
            }
            items.iter_mut().for_each(shorten_arrays);
        }
        Value::Object(map) => map.values_mut().for_each(shorten_arrays),
        _ => {}
    }
}

/// The first sentence of `text`'s first line.
fn first_sentence(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default().trim();
    let end = line
        .match_indices(". ")
        .find(|(i, _)| line[i + 2..].starts_with(|c: char| c.is_uppercase()));
    match end {
        Some((i, _)) => &line[..=i],
        None => line,
    }
}

/// The rules as a `Rules` value naming only the constraints that are set.
fn emit_rules(rules: &Rules, pattern_static: Option<&Ident>) -> TokenStream {
    if rules.is_empty() {
        return quote!(crate::validation::Rules::NONE);
    }
    let mut fields = Vec::new();
    let counts = [
        ("min_length", rules.min_length),
        ("max_length", rules.max_length),
        ("min_items", rules.min_items),
        ("max_items", rules.max_items),
    ];
    for (name, value) in counts {
        if let Some(n) = value {
            let field = format_ident!("{name}");
            let n = n as u64;
            fields.push(quote!(#field: ::std::option::Option::Some(#n)));
        }
    }
    for (name, value) in [("minimum", rules.minimum), ("maximum", rules.maximum)] {
        if let Some(x) = value {
            let field = format_ident!("{name}");
            fields.push(quote!(#field: ::std::option::Option::Some(#x)));
        }
    }
    if rules.exclusive_minimum {
        fields.push(quote!(exclusive_minimum: true));
    }
    if rules.exclusive_maximum {
        fields.push(quote!(exclusive_maximum: true));
    }
    if let Some(p) = pattern_static {
        fields.push(quote!(pattern: ::std::option::Option::Some(&#p)));
    }
    quote! {
        crate::validation::Rules {
            #(#fields,)*
            ..crate::validation::Rules::NONE
        }
    }
}

/// Variant name of the error body enum for a schema: `BadRequestResponse` → `BadRequest`.
fn error_variant(schema: &str) -> Ident {
    let trimmed = schema
        .strip_suffix("Response")
        .filter(|s| !s.is_empty())
        .unwrap_or(schema);
    type_ident(trimmed)
}

fn collect_error_bodies(ops: &[Op]) -> Vec<String> {
    let mut seen = Vec::new();
    for op in ops {
        for (_, schema) in &op.errors {
            if let Some(s) = schema
                && !seen.contains(s)
            {
                seen.push(s.clone());
            }
        }
    }
    seen
}

fn emit_error_bodies(schemas: &[String]) -> TokenStream {
    let variants = schemas.iter().map(|s| {
        let variant = error_variant(s);
        let ty = type_ident(s);
        let doc = format!(" The documented `{s}` body.");
        quote!(#[doc = #doc] #variant(types::#ty))
    });
    let decoders = schemas.iter().map(|s| {
        let variant = error_variant(s);
        let decoder = format_ident!("decode_{}", variant.to_string().to_snake_case());
        quote! {
            pub(crate) fn #decoder(bytes: &[u8]) -> ::std::option::Option<Self> {
                ::serde_json::from_slice(bytes).ok().map(Self::#variant)
            }
        }
    });
    quote! {
        /// The typed body of an error response, for the statuses the API documents.
        ///
        /// Kept in [`ApiError::body`](crate::ApiError::body); the raw bytes are always kept
        /// too, so nothing is lost when a body does not match its documented schema.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum ApiErrorBody {
            #(#variants,)*
        }

        impl ApiErrorBody {
            #(#decoders)*
        }
    }
}

fn emit_spec_info(spec: &OpenAPI, doc: &Value, operations: &[Op]) -> TokenStream {
    let server = match spec.servers.first() {
        Some(s) => {
            let url = &s.url;
            quote!(::std::option::Option::Some(#url))
        }
        None => quote!(::std::option::Option::None),
    };
    let retry = match doc.get("x-speakeasy-retries") {
        Some(r) if r.get("strategy").and_then(Value::as_str) == Some("backoff") => {
            let b = r.get("backoff");
            let ms = |key: &str, default: u64| {
                b.and_then(|b| b.get(key))
                    .and_then(Value::as_u64)
                    .unwrap_or(default)
            };
            let initial = ms("initialInterval", 500);
            let max_interval = ms("maxInterval", 60_000);
            let max_elapsed = ms("maxElapsedTime", 3_600_000);
            let exponent = b
                .and_then(|b| b.get("exponent"))
                .and_then(Value::as_f64)
                .unwrap_or(1.5);
            let connection = r
                .get("retryConnectionErrors")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let statuses: Vec<String> = r
                .get("statusCodes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|s| match s {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            quote! {
                ::std::option::Option::Some(crate::retry::SpecRetry {
                    initial_interval_ms: #initial,
                    max_interval_ms: #max_interval,
                    exponent: #exponent,
                    max_elapsed_ms: #max_elapsed,
                    retry_connection_errors: #connection,
                    status_codes: &[#(#statuses),*],
                })
            }
        }
        _ => quote!(::std::option::Option::None),
    };
    let title = &spec.info.title;
    let version = &spec.info.version;
    let calls = operations.iter().map(|op| {
        let id = &op.id;
        let accessor = safe_ident(&op.tag.to_snake_case()).to_string();
        let method = op.method_name.to_string();
        let call = format!(
            "{}().{}",
            accessor.trim_start_matches("r#"),
            method.trim_start_matches("r#")
        );
        quote!((#id, #call))
    });
    quote! {
        /// Facts the client takes from the OpenAPI document it was generated from.
        pub(crate) mod spec {
            /// The first server of the document: the default base URL.
            pub(crate) const DEFAULT_BASE_URL: ::std::option::Option<&str> = #server;
            /// The document's retry extension (`x-speakeasy-retries`), when it has one.
            pub(crate) const RETRY: ::std::option::Option<crate::retry::SpecRetry> = #retry;
            /// The document's title and version.
            #[allow(dead_code)]
            pub(crate) const API: (&str, &str) = (#title, #version);
            /// Each operationId and the method a caller writes for it
            /// (`workspaces().set_budget`), which error messages name.
            pub(crate) const CALLS: &[(&str, &str)] = &[#(#calls),*];
        }
    }
}

fn emit_tag(spec: &OpenAPI, tag: &str, ops: &[&Op]) -> TokenStream {
    let module = safe_ident(&tag.to_snake_case());
    let accessor = module.clone();
    let group = type_ident(tag);
    let tag_description = spec
        .tags
        .iter()
        .find(|t| t.name == tag)
        .and_then(|t| t.description.clone())
        .unwrap_or_default();
    let group_doc = format!(
        " The operations tagged `{tag}`: get them with [`Client::{accessor}`](crate::Client::{accessor})."
    );
    let accessor_doc = format!(" The operations tagged `{tag}`. {tag_description}");
    let module_doc = format!(" Operation builders of the `{tag}` tag. {tag_description}");
    let methods = ops.iter().map(|op| emit_method(spec, op, &module));
    let builders = ops.iter().map(|op| emit_builder(op));
    quote! {
        #[doc = #module_doc]
        pub mod #module {
            #[allow(unused_imports)]
            use crate::types;

            #[doc = #group_doc]
            #[derive(Clone, Copy, Debug)]
            pub struct #group<'a> {
                client: &'a crate::Client,
            }

            impl crate::Client {
                #[doc = #accessor_doc]
                pub fn #accessor(&self) -> #group<'_> {
                    #group { client: self }
                }
            }

            impl<'a> #group<'a> {
                #(#methods)*
            }

            #(#builders)*
        }
    }
}

fn required_args(op: &Op) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| p.location == Location::Path || p.required)
        .collect()
}

fn emit_method(spec: &OpenAPI, op: &Op, module: &Ident) -> TokenStream {
    let Op {
        method_name,
        builder,
        ..
    } = op;
    let args = required_args(op);
    let arg_decls = args.iter().map(|p| {
        let ident = &p.ident;
        let (input, _) = setter_input(&p.field, ident);
        quote!(#ident: #input)
    });
    let arg_inits = args.iter().map(|p| {
        let ident = &p.ident;
        let (_, convert) = setter_input(&p.field, ident);
        if *ident == convert.to_string() {
            quote!(#ident)
        } else {
            quote!(#ident: #convert)
        }
    });
    let optional_inits = op
        .params
        .iter()
        .filter(|p| !(p.location == Location::Path || p.required))
        .map(|p| {
            let ident = &p.ident;
            quote!(#ident: ::std::option::Option::None)
        });
    let body_init = op
        .body
        .as_ref()
        .map(|_| quote!(body: crate::request::JsonBody::new(),));

    let doc = doc_lines(&method_doc(spec, op, module, &args));

    quote! {
        #doc
        pub fn #method_name(&self, #(#arg_decls),*) -> #builder<'a> {
            #builder {
                client: self.client,
                #(#arg_inits,)*
                #(#optional_inits,)*
                #body_init
                options: crate::options::CallOptions::default(),
            }
        }
    }
}

/// An operation method's documentation: summary, description, what goes on the wire,
/// arguments, output, errors and an example.
fn method_doc(spec: &OpenAPI, op: &Op, module: &Ident, args: &[&Param]) -> String {
    let builder = &op.builder;
    let mut doc = String::new();
    if let Some(summary) = &op.summary {
        doc.push_str(&format!("{summary}.\n\n"));
    }
    if let Some(description) = &op.description {
        doc.push_str(&format!("{description}\n\n"));
    }
    doc.push_str(&format!(
        "Sends `{} {}` (operation `{}`). Build the request with the returned [`{builder}`], then call [`{builder}::send`].\n",
        op.method, op.path, op.id
    ));
    if !args.is_empty() {
        doc.push_str("\n# Arguments\n\n");
        for p in args {
            doc.push_str(&format!(
                "* `{}`: {}\n",
                p.ident,
                p.description.clone().unwrap_or_else(|| format!(
                    "the `{}` {}",
                    p.name,
                    location_word(p.location)
                ))
            ));
        }
    }
    let required_fields: Vec<&BodyField> = op
        .body
        .iter()
        .flat_map(|b| b.fields.iter())
        .filter(|f| f.required)
        .collect();
    if !required_fields.is_empty() {
        let names: Vec<String> = required_fields
            .iter()
            .map(|f| format!("`{}`", f.ident))
            .collect();
        doc.push_str(&format!(
            "\nRequired before sending: {}.\n",
            names.join(", ")
        ));
    }
    doc.push_str(&returns_and_errors_doc(op));
    doc.push_str(&example_doc(spec, op, module, args));
    doc
}

/// The `# Returns` and `# Errors` sections of an operation's documentation.
fn returns_and_errors_doc(op: &Op) -> String {
    let mut doc = String::from("\n# Returns\n\n");
    match &op.success {
        Some(success) => {
            let path = success.to_string().replace(' ', "");
            doc.push_str(&format!(
                "[`{}`](crate::{path}) from `send()`, decoded from the {} answer; \
                 `send_with_response()` gives it with the status, headers and raw body \
                 ([`Response`](crate::Response)).\n",
                path.trim_start_matches("types::"),
                op.success_status.as_deref().unwrap_or("success")
            ));
        }
        None => doc.push_str("Nothing (`()`): the answer has no body.\n"),
    }
    if !op.success_fields.is_empty() {
        doc.push_str("\nIts fields:\n\n");
        for (name, description) in &op.success_fields {
            match description {
                Some(text) => doc.push_str(&format!("* `{name}`: {}\n", first_sentence(text))),
                None => doc.push_str(&format!("* `{name}`\n")),
            }
        }
    }
    doc.push_str("\n# Errors\n\n");
    for (status, schema) in &op.errors {
        let status = match status {
            StatusCode::Code(code) => code.to_string(),
            StatusCode::Range(class) => format!("{class}XX"),
        };
        match schema {
            Some(schema) => doc.push_str(&format!(
                "* `{status}`: [`Error::Api`](crate::Error::Api), its body decoded as \
                 [`ApiErrorBody::{variant}`](crate::ApiErrorBody::{variant}).\n",
                variant = error_variant(schema)
            )),
            None => doc.push_str(&format!(
                "* `{status}`: [`Error::Api`](crate::Error::Api), with the raw body.\n"
            )),
        }
    }
    doc.push_str(
        "* Any other status of 400 or above: [`Error::Api`](crate::Error::Api), with the raw body.\n\
         * An argument that breaks a documented rule: [`Error::InvalidInput`](crate::Error::InvalidInput); nothing is sent.\n\
         * No usable answer: [`Error::Transport`](crate::Error::Transport), [`Error::Timeout`](crate::Error::Timeout), \
         [`Error::Decode`](crate::Error::Decode) or [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge).\n",
    );
    if op.method.eq_ignore_ascii_case("post") {
        doc.push_str(
            "* A failure after the request may have been applied that a lookup could not settle: \
             [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).\n",
        );
    }
    doc
}

fn location_word(location: Location) -> &'static str {
    match location {
        Location::Path => "path parameter",
        Location::Query => "query parameter",
        Location::Header => "header",
    }
}

fn emit_builder(op: &Op) -> TokenStream {
    let Op { builder, id, .. } = op;
    let op_static = safe_ident(&id.to_snake_case().to_uppercase());
    let method_variant = format_ident!("{}", op.method.to_upper_camel_case());
    let path_template = &op.path;
    let op_id = &op.id;
    let method_name = &op.method_name;

    // Statics: pattern, parameter rules, body rules.
    let mut statics = Vec::new();
    let pattern_ident = |owner: &str, pattern: &Option<String>, statics: &mut Vec<TokenStream>| {
        pattern.as_ref().map(|p| {
            let ident = safe_ident(&format!("{}_{}_PATTERN", op_static, owner.to_snake_case().to_uppercase()));
            statics.push(quote!(static #ident: crate::validation::Pattern = crate::validation::Pattern::new(#p);));
            ident
        })
    };

    let fields = op.params.iter().map(|p| {
        let ident = &p.ident;
        let ty = rust_type(&p.field);
        if p.location == Location::Path || p.required {
            quote!(#ident: #ty)
        } else {
            quote!(#ident: ::std::option::Option<#ty>)
        }
    });

    let optional_setters = op
        .params
        .iter()
        .filter(|p| !(p.location == Location::Path || p.required))
        .map(|p| {
            let ident = &p.ident;
            let (input, convert) = setter_input(&p.field, &format_ident!("value"));
            let doc = doc_lines(&format!(
                "{} (optional {} `{}`).",
                p.description
                    .clone()
                    .unwrap_or_default()
                    .trim_end_matches('.'),
                location_word(p.location),
                p.name
            ));
            quote! {
                #doc
                pub fn #ident(mut self, value: #input) -> Self {
                    self.#ident = ::std::option::Option::Some(#convert);
                    self
                }
            }
        })
        .collect::<Vec<_>>();

    let mut param_steps = Vec::new();
    // Path: literal pieces and encoded parameters, in template order.
    for piece in split_template(path_template) {
        match piece {
            TemplatePiece::Literal(text) => param_steps.push(quote!(request.push_path(#text);)),
            TemplatePiece::Param(name) => {
                let Some(p) = op
                    .params
                    .iter()
                    .find(|p| p.location == Location::Path && p.name == name)
                else {
                    continue; // checked while reading the spec
                };
                let ident = &p.ident;
                let pattern = pattern_ident(&p.name, &p.rules.pattern, &mut statics);
                let rules = emit_rules(&p.rules, pattern.as_ref());
                param_steps.push(quote!(request.path_param(#name, &self.#ident, &#rules)?;));
            }
        }
    }
    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let ident = &p.ident;
        let name = &p.name;
        let pattern = pattern_ident(&p.name, &p.rules.pattern, &mut statics);
        let rules = emit_rules(&p.rules, pattern.as_ref());
        let value = if p.required {
            quote!(::std::option::Option::Some(&self.#ident))
        } else {
            quote!(self.#ident.as_ref())
        };
        let call = match p.location {
            Location::Query => quote!(query_param),
            _ => quote!(header_param),
        };
        let _ = p.nullable;
        param_steps.push(quote!(request.#call(#name, #value, &#rules)?;));
    }

    let mut body_field = TokenStream::new();
    let mut body_setters = Vec::new();
    let mut body_step = TokenStream::new();
    if let Some(body) = &op.body {
        body_field = quote!(body: crate::request::JsonBody,);
        let rules_ident = format_ident!("{}_BODY", op_static);
        let field_rules = body.fields.iter().map(|f| {
            let name = &f.name;
            let required = f.required;
            let nullable = f.nullable;
            let pattern = pattern_ident(&f.name, &f.rules.pattern, &mut statics);
            let rules = emit_rules(&f.rules, pattern.as_ref());
            quote!(crate::validation::FieldRule { name: #name, required: #required, nullable: #nullable, rules: #rules })
        }).collect::<Vec<_>>();
        let count = field_rules.len();
        statics.push(quote!(static #rules_ident: [crate::validation::FieldRule; #count] = [#(#field_rules),*];));
        let object = body.object;
        body_step = quote!(request.json_body(self.body, &#rules_ident, #object)?;);
        for f in &body.fields {
            let ident = &f.ident;
            let name = &f.name;
            let (input, convert) = setter_input(&f.field, &format_ident!("value"));
            let what = f
                .description
                .clone()
                .unwrap_or_else(|| format!("The `{name}` field"));
            let mut doc = format!("{} (body field `{name}`", what.trim_end_matches('.'));
            doc.push_str(if f.required {
                ", required)."
            } else {
                ", optional)."
            });
            let rules_text = describe_rules(&f.rules);
            if !rules_text.is_empty() {
                doc.push_str(&format!("\n\nChecked before sending: {rules_text}."));
            }
            let doc = doc_lines(&doc);
            body_setters.push(quote! {
                #doc
                pub fn #ident(mut self, value: #input) -> Self {
                    self.body.set(#name, #convert);
                    self
                }
            });
            if f.nullable {
                let clear = format_ident!("clear_{}", ident.to_string().trim_start_matches("r#"));
                let doc = format!(
                    " Sends `\"{name}\": null`, which clears the field, as opposed to leaving it out, which keeps it."
                );
                body_setters.push(quote! {
                    #[doc = #doc]
                    pub fn #clear(mut self) -> Self {
                        self.body.set_null(#name);
                        self
                    }
                });
            }
        }
        if let Some(type_name) = &body.type_name {
            let ty = type_ident(type_name);
            let doc = format!(
                " Sets the whole body from a [`types::{ty}`]; fields set before are replaced, fields set after are applied on top of it."
            );
            body_setters.push(quote! {
                #[doc = #doc]
                pub fn body(mut self, value: types::#ty) -> Self {
                    self.body.replace_with(&value);
                    self
                }
            });
        }
    }

    let success = op.success.clone().unwrap_or_else(|| quote!(()));
    let success_doc = format!(
        " Validates the request, sends it (retrying as the client's policy allows) and decodes the {} response.",
        op.success_status
            .clone()
            .unwrap_or_else(|| "success".into())
    );
    let errors = op.errors.iter().map(|(status, schema)| {
        let matcher = match status {
            StatusCode::Code(c) => quote!(crate::StatusClass::Code(#c)),
            StatusCode::Range(r) => quote!(crate::StatusClass::Class(#r)),
        };
        match schema {
            Some(s) => {
                let decoder = format_ident!("decode_{}", error_variant(s).to_string().to_snake_case());
                quote!(crate::request::ErrorStatus { status: #matcher, decode: ::std::option::Option::Some(crate::ApiErrorBody::#decoder) })
            }
            None => quote!(crate::request::ErrorStatus { status: #matcher, decode: ::std::option::Option::None }),
        }
    });

    let builder_doc = format!(
        " A `{} {}` request (operation `{}`), built by [`{}::{}`]({}::{}); sent by [`send`](Self::send).",
        op.method,
        op.path,
        op.id,
        type_ident(&op.tag),
        method_name,
        type_ident(&op.tag),
        method_name
    );

    let pagination = op.pagination.as_ref().map(|p| {
        let Pagination { offset, offset_type, limit, limit_type, results, item, total } = p;
        let start = option_to_u64(offset_type, quote!(self.#offset));
        let page_size = option_to_u64(limit_type, quote!(self.#limit));
        let offset_arg = from_u64(offset_type, quote!(offset));
        let results = format_ident!("{}", results);
        let total = match total {
            Some(t) => {
                let t = format_ident!("{}", t);
                quote!(u64::try_from(page.#t).ok())
            }
            None => quote!(::std::option::Option::None),
        };
        quote! {
            impl<'a> #builder<'a> {
                /// Iterates over every item across pages, fetching each page only when the
                /// previous one is used up. The page size is this request's `limit` (or the
                /// server's default); iteration starts at its `offset`. An error is yielded
                /// as an item, after the items already fetched, and ends the iteration.
                pub fn items(self) -> crate::pagination::Items<Self> {
                    let offset = #start.unwrap_or(0);
                    let limit = #page_size;
                    crate::pagination::Items::new(self, offset, limit)
                }
            }

            impl crate::pagination::OffsetPaged for #builder<'_> {
                type Item = #item;

                fn fetch_page(
                    &self,
                    offset: u64,
                ) -> ::std::result::Result<(::std::vec::Vec<Self::Item>, ::std::option::Option<u64>), crate::Error> {
                    let page = self.clone().#offset(#offset_arg).send()?;
                    ::std::result::Result::Ok((page.#results, #total))
                }
            }
        }
    });

    quote! {
        #(#statics)*

        static #op_static: crate::request::Operation = crate::request::Operation {
            id: #op_id,
            method: crate::request::Method::#method_variant,
            path: #path_template,
            errors: &[#(#errors),*],
        };

        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until `send` is called"]
        pub struct #builder<'a> {
            client: &'a crate::Client,
            #(#fields,)*
            #body_field
            options: crate::options::CallOptions,
        }

        impl<'a> #builder<'a> {
            #(#optional_setters)*
            #(#body_setters)*

            #[doc = #success_doc]
            pub fn send(self) -> ::std::result::Result<#success, crate::Error> {
                self.send_with_response().map(crate::Response::into_inner)
            }

            /// Like `send`, with the answer's status, headers and raw body beside the value
            /// (see [`Response`](crate::Response)).
            pub fn send_with_response(self) -> ::std::result::Result<crate::Response<#success>, crate::Error> {
                let mut request = crate::request::RequestParts::new(&#op_static);
                #(#param_steps)*
                #body_step
                self.client.execute(request, &self.options)
            }
        }

        crate::options::call_options!(#builder);

        #pagination
    }
}

enum TemplatePiece<'a> {
    Literal(&'a str),
    Param(&'a str),
}

fn split_template(template: &str) -> Vec<TemplatePiece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            out.push(TemplatePiece::Literal(&rest[..start]));
        }
        out.push(TemplatePiece::Param(&rest[start + 1..start + len]));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(TemplatePiece::Literal(rest));
    }
    out
}

fn describe_rules(rules: &Rules) -> String {
    let mut parts = Vec::new();
    match (rules.min_length, rules.max_length) {
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} characters")),
        (Some(a), None) => parts.push(format!("at least {a} characters")),
        (None, Some(b)) => parts.push(format!("at most {b} characters")),
        _ => {}
    }
    if let Some(p) = &rules.pattern {
        parts.push(format!("matches `{p}`"));
    }
    if let Some(m) = rules.minimum {
        parts.push(format!(
            "{} {m}",
            if rules.exclusive_minimum {
                "greater than"
            } else {
                "at least"
            }
        ));
    }
    if let Some(m) = rules.maximum {
        parts.push(format!(
            "{} {m}",
            if rules.exclusive_maximum {
                "less than"
            } else {
                "at most"
            }
        ));
    }
    match (rules.min_items, rules.max_items) {
        (Some(a), Some(b)) => parts.push(format!("{a} to {b} items")),
        (Some(a), None) => parts.push(format!("at least {a} items")),
        (None, Some(b)) => parts.push(format!("at most {b} items")),
        _ => {}
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_splits_into_literals_and_params() {
        let pieces = split_template("/workspaces/{id}/budgets/{interval}");
        let rendered: Vec<String> = pieces
            .iter()
            .map(|p| match p {
                TemplatePiece::Literal(l) => format!("L{l}"),
                TemplatePiece::Param(n) => format!("P{n}"),
            })
            .collect();
        assert_eq!(
            rendered,
            ["L/workspaces/", "Pid", "L/budgets/", "Pinterval"]
        );
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(safe_ident("type").to_string(), "r#type");
        assert_eq!(safe_ident("self").to_string(), "self_");
        assert_eq!(safe_ident("9lives").to_string(), "_9lives");
        assert_eq!(safe_ident("x-key").to_string(), "x_key");
    }

    #[test]
    fn error_variants_drop_the_response_suffix() {
        assert_eq!(
            error_variant("BadRequestResponse").to_string(),
            "BadRequest"
        );
        assert_eq!(error_variant("Response").to_string(), "Response");
    }

    fn spec_with_enums() -> OpenAPI {
        serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "Interval": {"type": "string", "enum": ["daily", "monthly"]},
                "Model": {"type": "string", "enum": ["gpt-4o", "o1.mini"]},
                "Reset": {"type": "string", "nullable": true, "enum": ["daily", null]}
            }}
        }))
        .expect("a valid document")
    }

    #[test]
    fn enum_examples_become_their_variants() {
        let spec = spec_with_enums();
        let interval = FieldType::Named("Interval".into());
        assert_eq!(
            example_expr(
                &interval,
                Some(&serde_json::json!("monthly")),
                "interval",
                &spec
            ),
            "types::Interval::Monthly"
        );
        // No example, or one the enum does not list: its first value.
        assert_eq!(
            example_expr(&interval, None, "interval", &spec),
            "types::Interval::Daily"
        );
        assert_eq!(
            example_expr(
                &interval,
                Some(&serde_json::json!("hourly")),
                "interval",
                &spec
            ),
            "types::Interval::Daily"
        );
        // A value the model generator renames by its own rules goes through `from_wire`.
        let model = FieldType::Named("Model".into());
        assert_eq!(
            example_expr(&model, Some(&serde_json::json!("o1.mini")), "model", &spec),
            "types::Model::from_wire(\"o1.mini\")"
        );
    }

    #[test]
    fn examples_take_the_type_the_setter_accepts() {
        let spec = spec_with_enums();
        let value = |field: FieldType, example: serde_json::Value| {
            example_value(&field, &example, &spec, false)
        };
        let strings = FieldType::Array(Box::new(FieldType::String));
        assert_eq!(
            value(strings.clone(), serde_json::json!(["a", "b"])).as_deref(),
            Some("[\"a\", \"b\"]")
        );
        assert_eq!(value(strings, serde_json::json!([])), None);
        assert_eq!(
            value(FieldType::Number, serde_json::json!(100)).as_deref(),
            Some("100.0")
        );
        let small = FieldType::Integer {
            unsigned: true,
            narrow: true,
        };
        assert_eq!(
            value(small.clone(), serde_json::json!(50)).as_deref(),
            Some("50")
        );
        assert_eq!(value(small, serde_json::json!(-1)), None);
        let nested = FieldType::Array(Box::new(FieldType::Array(Box::new(FieldType::String))));
        assert_eq!(
            value(nested, serde_json::json!([["x"]])).as_deref(),
            Some("[vec![\"x\".to_string()]]")
        );
        assert_eq!(
            value(
                FieldType::Uuid,
                serde_json::json!("550e8400-e29b-41d4-a716-446655440000")
            )
            .as_deref(),
            Some("uuid::uuid!(\"550e8400-e29b-41d4-a716-446655440000\")")
        );
        assert_eq!(
            value(FieldType::Uuid, serde_json::json!("production")),
            None
        );
        // What no literal spells is decoded from the example's JSON.
        assert_eq!(
            value(FieldType::Map, serde_json::json!({"a": 1})).as_deref(),
            Some(
                "serde_json::from_value::<serde_json::Map<String, serde_json::Value>>(serde_json::json!({\"a\":1}))?"
            )
        );
        assert_eq!(
            value(FieldType::Named("Reset".into()), serde_json::json!("daily")).as_deref(),
            Some("serde_json::from_value::<types::Reset>(serde_json::json!(\"daily\"))?")
        );
    }

    #[test]
    fn long_example_arrays_are_cut_to_their_first_item() {
        let mut example = serde_json::json!({"data": [1, 2, 3], "pair": [{"x": [4, 5, 6]}, 7]});
        shorten_arrays(&mut example);
        assert_eq!(
            example,
            serde_json::json!({"data": [1], "pair": [{"x": [4]}, 7]})
        );
    }

    #[test]
    fn field_descriptions_are_cut_to_their_first_sentence() {
        assert_eq!(first_sentence("Always true. It is set."), "Always true.");
        assert_eq!(
            first_sentence("Sorted by e.g. price."),
            "Sorted by e.g. price."
        );
        assert_eq!(first_sentence("One line\nand another"), "One line");
    }

    #[test]
    fn rules_are_described_for_docs() {
        let rules = Rules {
            min_length: Some(1),
            max_length: Some(50),
            minimum: Some(0.0),
            exclusive_minimum: true,
            ..Rules::default()
        };
        assert_eq!(describe_rules(&rules), "1 to 50 characters, greater than 0");
    }
}
