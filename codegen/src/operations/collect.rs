//! Reading the document into [`Op`]s: parameters, body, success and error responses,
//! pagination, and what each schema means for the generated API.

use std::collections::HashSet;

use heck::ToSnakeCase;
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
    Response, Schema, SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::Ident;
use quote::quote;
use serde_json::Value;

use super::{
    Body, BodyField, CLIENT_HEADERS, Described, FieldType, Kind, Location, ModelDesc, Op,
    Pagination, Param, Rules, Shape, Success, WriteSafety, write_safety,
};
use crate::document::{self, safe_ident, split_component_ref, type_ident};
use crate::error::{Error, ErrorKind, Result, pointer_push};

pub(super) struct Context<'a> {
    pub(super) spec: &'a OpenAPI,
    pub(super) file: &'a std::path::Path,
    /// The type of each field of each generated model, by model and JSON name.
    pub(super) model_fields: &'a std::collections::BTreeMap<(String, String), syn::Type>,
}

impl Context<'_> {
    fn error(&self, kind: ErrorKind, pointer: &str, message: impl Into<String>) -> Error {
        Error::new(kind, self.file, pointer, message)
    }

    pub(super) fn operation(
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
        let write = match op.extensions.get(write_safety::EXTENSION) {
            Some(value) => write_safety::read(value, body.as_ref(), self.file, &pointer)?,
            None => WriteSafety::default(),
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
            write,
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

    /// The operation's parameters, path-level and its own merged, each checked and typed.
    fn parameters(
        &self,
        path: &str,
        pointer: &str,
        path_level: &[ReferenceOr<Parameter>],
        op_level: &[ReferenceOr<Parameter>],
    ) -> Result<Vec<Param>> {
        let mut out = Vec::new();
        let mut idents = HashSet::new();
        for (param, at) in self.merged_parameters(pointer, path_level, op_level)? {
            let Some(param) = self.parameter(path, param, &at)? else {
                continue;
            };
            if !idents.insert(param.ident.to_string()) {
                return Err(self.error(
                    ErrorKind::DuplicateName,
                    &at,
                    format!("two parameters would both be named `{}`", param.ident),
                ));
            }
            out.push(param);
        }
        self.check_path_template(path, pointer, &out)?;
        Ok(out)
    }

    /// The resolved parameters with the pointer of each: operation-level parameters replace
    /// path-level ones of the same name and location.
    fn merged_parameters<'a>(
        &'a self,
        pointer: &str,
        path_level: &'a [ReferenceOr<Parameter>],
        op_level: &'a [ReferenceOr<Parameter>],
    ) -> Result<Vec<(&'a Parameter, String)>> {
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
        Ok(merged)
    }

    /// One parameter (at `at`) as the emitter needs it; `None` for a header the client sets.
    fn parameter(&self, path: &str, param: &Parameter, at: &str) -> Result<Option<Param>> {
        let data = param.parameter_data_ref();
        let location = match param {
            Parameter::Path { .. } => Location::Path,
            Parameter::Query { .. } => Location::Query,
            Parameter::Header { .. } => {
                if CLIENT_HEADERS.contains(&data.name.to_ascii_lowercase().as_str()) {
                    return Ok(None);
                }
                Location::Header
            }
            Parameter::Cookie { .. } => {
                return Err(self.error(
                    ErrorKind::Unsupported,
                    at,
                    format!("cookie parameter `{}` is not supported", data.name),
                ));
            }
        };
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return Err(self.error(
                ErrorKind::Unsupported,
                at,
                format!(
                    "parameter `{}` uses `content`; only `schema` is supported",
                    data.name
                ),
            ));
        };
        let described = self.describe(schema, &pointer_push(at, "schema"))?;
        if location == Location::Path && !path.contains(&format!("{{{}}}", data.name)) {
            return Err(self.error(
                ErrorKind::Invalid,
                at,
                format!("path parameter `{}` does not appear in `{path}`", data.name),
            ));
        }
        Ok(Some(Param {
            name: data.name.clone(),
            ident: safe_ident(&data.name.to_snake_case()),
            location,
            required: data.required || location == Location::Path,
            value: Described {
                description: data.description.clone().or(described.description),
                example: data.example.clone().or(described.example),
                ..described
            },
        }))
    }

    /// Every `{name}` in the template `path` needs a path parameter in `params`.
    fn check_path_template(&self, path: &str, pointer: &str, params: &[Param]) -> Result<()> {
        for segment in path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                && !params
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
        Ok(())
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
        let (object, mut fields) = match &resolved.schema_kind {
            SchemaKind::Type(Type::Object(obj)) => (true, self.object_fields(obj, pointer, false)?),
            _ => (false, Vec::new()),
        };
        if let Some(model) = &type_name {
            for field in &mut fields {
                self.type_inline_enum(model, field);
            }
        }
        Ok(Body {
            type_name,
            fields,
            object,
            example: media_example(media),
        })
    }

    /// The properties of an object schema at `pointer`, described. With `lenient`, a
    /// property the client could not send (a binary string) is described as any value.
    fn object_fields(
        &self,
        obj: &openapiv3::ObjectType,
        pointer: &str,
        lenient: bool,
    ) -> Result<Vec<BodyField>> {
        let mut fields = Vec::new();
        for (name, prop) in &obj.properties {
            let prop = prop.clone().unbox();
            let at = pointer_push(&pointer_push(pointer, "properties"), name);
            let described = match self.describe(&prop, &at) {
                Ok(described) => described,
                Err(e) if lenient && e.kind == ErrorKind::Unsupported => Described {
                    field: FieldType::Any,
                    shape: Shape::default(),
                    nullable: true,
                    description: None,
                    example: None,
                    default: None,
                },
                Err(e) => return Err(e),
            };
            fields.push(BodyField {
                name: name.clone(),
                ident: safe_ident(&name.to_snake_case()),
                required: obj.required.contains(name),
                value: described,
            });
        }
        Ok(fields)
    }

    /// Gives a body field that is an inline string enum (or an array of one) the enum type
    /// the model generator made of it, found in the field of the body's model: its setter
    /// then takes the enum, whose `Unknown` variant is an explicit choice the client sends.
    fn type_inline_enum(&self, model: &str, field: &mut BodyField) {
        let key = (type_ident(model).to_string(), field.name.clone());
        let Some(ty) = self.model_fields.get(&key) else {
            return;
        };
        let ty = unwrap_generic(ty, &["Patch", "Option"]).unwrap_or(ty);
        match &mut field.value.field {
            FieldType::String if !field.value.shape.values.is_empty() => {
                if let Some(name) = plain_type_name(ty) {
                    field.value.field = FieldType::Named(name);
                    field.value.shape.open = true;
                }
            }
            FieldType::Array(item)
                if matches!(**item, FieldType::String)
                    && field
                        .value
                        .shape
                        .items
                        .as_ref()
                        .is_some_and(|i| !i.values.is_empty()) =>
            {
                let item_type = unwrap_generic(ty, &["Vec"]).and_then(plain_type_name);
                if let (Some(name), Some(items)) = (item_type, field.value.shape.items.as_mut()) {
                    **item = FieldType::Named(name);
                    items.open = true;
                }
            }
            _ => {}
        }
    }

    /// Every object schema of the components with its fields, for `schema::Model`: the
    /// generated type of each is named after it.
    pub(super) fn models(&self) -> Result<Vec<ModelDesc>> {
        let Some(components) = &self.spec.components else {
            return Ok(Vec::new());
        };
        let mut models = Vec::new();
        for (name, schema) in &components.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let SchemaKind::Type(Type::Object(obj)) = &schema.schema_kind else {
                continue;
            };
            if obj.properties.is_empty() {
                continue;
            }
            let pointer = pointer_push("/components/schemas", name);
            models.push(ModelDesc {
                name: name.clone(),
                description: schema.schema_data.description.clone(),
                fields: self.object_fields(obj, &pointer, true)?,
            });
        }
        Ok(models)
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
                .filter(|p| matches!(p.value.field, FieldType::Integer { .. }))
                .map(|p| (p.ident.clone(), p.value.field.clone()))
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
                return self.describe_reference(reference, pointer);
            }
            ReferenceOr::Item(schema) => schema,
        };
        let data = &schema.schema_data;
        if let SchemaKind::AllOf { all_of } = &schema.schema_kind
            && all_of.len() == 1
        {
            let mut inner = self.describe(&all_of[0], &pointer_push(pointer, "allOf/0"))?;
            inner.nullable |= data.nullable;
            inner.description = data.description.clone().or(inner.description);
            inner.default = data.default.clone().or(inner.default);
            return Ok(inner);
        }
        let mut shape = Shape::default();
        let field = self.field_type(&schema.schema_kind, &mut shape, pointer)?;
        Ok(Described {
            field,
            shape,
            nullable: data.nullable,
            description: data.description.clone(),
            example: data.example.clone(),
            default: data.default.clone(),
        })
    }

    /// A reference to a component schema: its named type, with the component's description.
    fn describe_reference(&self, reference: &str, pointer: &str) -> Result<Described> {
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
        // Only the type and the values are read from the target: its rules belong to its own
        // model, and a schema that refers to itself is not followed.
        let mut shape = Shape {
            kind: json_kind(&target.schema_kind),
            model: Some(name.clone()),
            ..Shape::default()
        };
        if let SchemaKind::Type(Type::String(s)) = &target.schema_kind {
            shape.values = s.enumeration.iter().flatten().cloned().collect();
            shape.format = format_name(&s.format);
            // The generated type of an enum schema is open: it keeps unlisted values.
            shape.open = !shape.values.is_empty();
        }
        Ok(Described {
            field: FieldType::Named(name),
            shape,
            nullable: false,
            description: target.schema_data.description.clone(),
            example: None,
            default: target.schema_data.default.clone(),
        })
    }

    /// The field type of an inline schema of kind `kind`, recording its JSON type, format,
    /// values, constraints and items in `shape`.
    fn field_type(&self, kind: &SchemaKind, shape: &mut Shape, pointer: &str) -> Result<FieldType> {
        shape.kind = json_kind(kind);
        Ok(match kind {
            SchemaKind::Type(Type::String(s)) => {
                shape.values = s.enumeration.iter().flatten().cloned().collect();
                shape.format = format_name(&s.format);
                self.string_field(s, &mut shape.rules, pointer)?
            }
            SchemaKind::Type(Type::Integer(i)) => {
                shape.format = format_name(&i.format);
                let rules = &mut shape.rules;
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
                shape.format = format_name(&n.format);
                let rules = &mut shape.rules;
                rules.minimum = n.minimum;
                rules.maximum = n.maximum;
                rules.exclusive_minimum = n.exclusive_minimum;
                rules.exclusive_maximum = n.exclusive_maximum;
                FieldType::Number
            }
            SchemaKind::Type(Type::Boolean(_)) => FieldType::Boolean,
            SchemaKind::Type(Type::Array(a)) => {
                shape.rules.min_items = a.min_items;
                shape.rules.max_items = a.max_items;
                let item = match &a.items {
                    Some(items) => {
                        let described =
                            self.describe(&items.clone().unbox(), &pointer_push(pointer, "items"))?;
                        shape.items = Some(Box::new(described.shape));
                        described.field
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
            _ => FieldType::Any,
        })
    }

    /// A string schema: a UUID or a string, with its length and checked pattern in `rules`.
    fn string_field(
        &self,
        s: &openapiv3::StringType,
        rules: &mut Rules,
        pointer: &str,
    ) -> Result<FieldType> {
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
            VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => Ok(FieldType::Uuid),
            VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Err(self.error(
                ErrorKind::Unsupported,
                pointer,
                "binary strings are not supported",
            )),
            _ => Ok(FieldType::String),
        }
    }
}

/// The one type argument of `ty` when it is one of the generic types named in `wrappers`
/// (by their last path segment).
fn unwrap_generic<'t>(ty: &'t syn::Type, wrappers: &[&str]) -> Option<&'t syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if !wrappers.iter().any(|w| last.ident == w) {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// The name of a model type written as one bare identifier (a type of the `types` module).
fn plain_type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let [segment] = path.path.segments.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    (path.qself.is_none() && segment.arguments.is_none()).then(|| segment.ident.to_string())
}

/// The JSON type of a schema of kind `kind`.
fn json_kind(kind: &SchemaKind) -> Kind {
    match kind {
        SchemaKind::Type(Type::String(_)) => Kind::String,
        SchemaKind::Type(Type::Integer(_)) => Kind::Integer,
        SchemaKind::Type(Type::Number(_)) => Kind::Number,
        SchemaKind::Type(Type::Boolean(_)) => Kind::Boolean,
        SchemaKind::Type(Type::Array(_)) => Kind::Array,
        SchemaKind::Type(Type::Object(_)) => Kind::Object,
        _ => Kind::Any,
    }
}

/// A schema's `format`, as the document writes it.
fn format_name<T: std::fmt::Debug>(format: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(known) => Some(heck::ToKebabCase::to_kebab_case(
            format!("{known:?}").as_str(),
        )),
        VariantOrUnknownOrEmpty::Unknown(name) => Some(name.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
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
