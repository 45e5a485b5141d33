//! Stage 6: one blocking operation builder per OpenAPI operation, grouped by tag.
//!
//! The emitted code describes each operation as data (`schema::Operation`: method, path,
//! parameters, body fields, their shapes and rules, the write rules), and each request as
//! it is built, and hands it to the runtime's single execution path; it never sends
//! anything itself. Everything it refers to in the runtime goes through one module,
//! `crate::__runtime`, so the compiler checks the contract.

mod collect;
mod docs;
mod emit;
mod errors;
pub mod write_safety;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use openapiv3::{OpenAPI, ReferenceOr, StatusCode};
use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use collect::Context;
use emit::{emit_spec_info, emit_tag};
use errors::{collect_error_bodies, emit_error_bodies};

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
/// What the operations stage produced.
pub struct Operations {
    /// The generated code.
    pub tokens: TokenStream,
    /// Operations left out, each with the reason.
    pub skipped: Vec<Error>,
    /// The operations generated.
    pub operations: Vec<crate::GeneratedOperation>,
}

/// `model_fields` is the type of each field of each generated model (by model and JSON
/// name), so that a setter takes the model's own type where the document's schema alone
/// does not name one (an inline enum).
pub fn generate_operations(
    spec: &OpenAPI,
    doc: &Value,
    model_fields: &BTreeMap<(String, String), syn::Type>,
    strict: bool,
    file: &Path,
) -> Result<Operations> {
    let ctx = Context {
        spec,
        file,
        model_fields,
    };
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
    let models = ctx.models()?;
    let spec_info = emit_spec_info(spec, doc, &operations, &models);
    let tokens = quote! {
        #error_enum
        #spec_info
        #(#tag_modules)*
    };
    let generated = operations
        .iter()
        .map(|op| crate::GeneratedOperation {
            id: op.id.clone(),
            call: emit::call_text(op),
        })
        .collect();
    Ok(Operations {
        tokens,
        skipped,
        operations: generated,
    })
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
    write: WriteSafety,
}

/// The operation's `x-write-safety` extension: how a write is made safe to retry.
#[derive(Default)]
struct WriteSafety {
    repeatable: bool,
    /// The success body (compact JSON) reported when a retry finds the thing gone.
    gone_means_done: Option<String>,
    settle: Option<LookupDesc>,
    relocate: Option<LookupDesc>,
}

/// A lookup of the result of a write.
struct LookupDesc {
    path: String,
    object: String,
    identity: Vec<String>,
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
    value: Described,
}

impl Param {
    /// An argument of the operation's method (a path or required parameter), as opposed to
    /// an optional parameter, which gets a setter.
    fn is_argument(&self) -> bool {
        self.location == Location::Path || self.required
    }
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
    required: bool,
    value: Described,
}

/// What the document says of a value, a parameter or a body field, besides its name: what
/// the generated API takes for it, its shape, and the document's words about it.
struct Described {
    field: FieldType,
    shape: Shape,
    /// Whether `null` is a value it may take (not used for parameters).
    nullable: bool,
    description: Option<String>,
    example: Option<Value>,
    default: Option<Value>,
}

/// An object schema of the components, described for `schema::Model`.
struct ModelDesc {
    name: String,
    description: Option<String>,
    fields: Vec<BodyField>,
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

/// A value's JSON type and rules, as the runtime's `schema::Shape` describes it.
#[derive(Default, Clone, PartialEq)]
struct Shape {
    kind: Kind,
    format: Option<String>,
    /// The values of a string enum.
    values: Vec<String>,
    rules: Rules,
    items: Option<Box<Shape>>,
    /// The component schema, for a reference to one.
    model: Option<String>,
    /// The generated type is an open enum (a reference to an enum schema).
    open: bool,
}

/// A JSON type, as the runtime's `schema::Kind` names it.
#[derive(Default, Clone, Copy, PartialEq)]
enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    #[default]
    Any,
}

impl Kind {
    fn variant(self) -> &'static str {
        match self {
            Kind::String => "String",
            Kind::Integer => "Integer",
            Kind::Number => "Number",
            Kind::Boolean => "Boolean",
            Kind::Array => "Array",
            Kind::Object => "Object",
            Kind::Any => "Any",
        }
    }
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

fn check_unique_names(ops: &[Op], file: &Path) -> Result<()> {
    let mut methods = HashSet::new();
    let mut builders = HashSet::new();
    for op in ops {
        let clashes = [
            (&mut methods, &op.method_name, "be named"),
            (&mut builders, &op.builder, "generate the builder"),
        ];
        for (seen, name, what) in clashes {
            if !seen.insert((op.tag.clone(), name.to_string())) {
                return Err(Error::new(
                    ErrorKind::DuplicateName,
                    file,
                    &op.pointer,
                    format!(
                        "two operations of tag `{}` would both {what} `{name}`",
                        op.tag
                    ),
                ));
            }
        }
    }
    Ok(())
}
