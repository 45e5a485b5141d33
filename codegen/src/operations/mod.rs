//! Stage 6: one blocking operation builder per OpenAPI operation, grouped by tag.
//!
//! The emitted code only describes requests (method, path, parameters, body, rules,
//! response types) and hands them to the runtime's single execution path; it never sends
//! anything itself. What it refers to in the runtime is listed in [`RUNTIME_CONTRACT`].

mod collect;
mod docs;
mod emit;
mod errors;

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
