//! The generated code: the `spec` facts, one module per tag with its group type, and per
//! operation a method and a request builder that describes the request to the runtime.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, StatusCode};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::docs::{describe_rules, doc_lines, location_word, method_doc};
use super::errors::error_variant;
use super::{Body, BodyField, FieldType, Location, Op, Pagination, Param, Rules};
use crate::document::{safe_ident, type_ident};

/// The `spec` module: facts of the document (server, retries, title) and of its operations.
pub(super) fn emit_spec_info(spec: &OpenAPI, doc: &Value, operations: &[Op]) -> TokenStream {
    let server = default_server(spec);
    let retry = spec_retry(doc);
    let title = &spec.info.title;
    let version = &spec.info.version;
    let calls = operations.iter().map(call_entry);
    let body_rules = operations
        .iter()
        .filter(|op| op.body.is_some())
        .map(body_rules_entry);
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
            /// Each operation with a JSON body, and the rules of its fields: for checking a
            /// body that is not built by the operation's builder (a desired-state file).
            #[allow(dead_code)]
            pub(crate) static BODY_RULES: &[(&str, &[crate::validation::FieldRule])] = &[#(#body_rules),*];
        }
    }
}

/// The first server's URL, as an `Option<&str>` expression.
fn default_server(spec: &OpenAPI) -> TokenStream {
    match spec.servers.first() {
        Some(s) => {
            let url = &s.url;
            quote!(::std::option::Option::Some(#url))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// The document's `x-speakeasy-retries` backoff, as an `Option<SpecRetry>` expression.
fn spec_retry(doc: &Value) -> TokenStream {
    let Some(r) = doc
        .get("x-speakeasy-retries")
        .filter(|r| r.get("strategy").and_then(Value::as_str) == Some("backoff"))
    else {
        return quote!(::std::option::Option::None);
    };
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
    let statuses = retry_status_codes(r);
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

/// The retry extension's `statusCodes`, each as text (`"5XX"`, `"429"`).
fn retry_status_codes(retries: &Value) -> Vec<String> {
    retries
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
        .unwrap_or_default()
}

/// The `CALLS` entry of `op`: its operationId and the call a caller writes.
fn call_entry(op: &Op) -> TokenStream {
    let id = &op.id;
    let accessor = safe_ident(&op.tag.to_snake_case()).to_string();
    let method = op.method_name.to_string();
    let call = format!(
        "{}().{}",
        accessor.trim_start_matches("r#"),
        method.trim_start_matches("r#")
    );
    quote!((#id, #call))
}

/// The `BODY_RULES` entry of `op`, which has a body: its operationId and its rules static.
fn body_rules_entry(op: &Op) -> TokenStream {
    let id = &op.id;
    let module = safe_ident(&op.tag.to_snake_case());
    let rules = body_rules_static(&operation_static(op));
    quote!((#id, &crate::#module::#rules))
}

/// The name of the static describing `op` to the runtime (`SET_BUDGET`).
fn operation_static(op: &Op) -> Ident {
    safe_ident(&op.id.to_snake_case().to_uppercase())
}

/// The name of the static holding the body field rules, next to the operation's static.
fn body_rules_static(op_static: &Ident) -> Ident {
    format_ident!("{}_BODY", op_static)
}

pub(super) fn emit_tag(spec: &OpenAPI, tag: &str, ops: &[&Op]) -> TokenStream {
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
    op.params.iter().filter(|p| p.is_argument()).collect()
}

/// The optional parameters: each gets a setter on the builder.
fn optional_params(op: &Op) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| !p.is_argument())
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
    let optional_inits = optional_params(op).map(|p| {
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

/// The request builder of `op`: its statics, struct, setters, `send` and pagination.
fn emit_builder(op: &Op) -> TokenStream {
    let builder = &op.builder;
    let op_static = operation_static(op);
    let mut statics = Statics::new(&op_static);
    let param_steps = param_steps(op, &mut statics);
    let BodyParts {
        field: body_field,
        setters: body_setters,
        step: body_step,
    } = op
        .body
        .as_ref()
        .map(|body| emit_body(body, &mut statics))
        .unwrap_or_default();
    let optional_setters = optional_params(op).map(optional_setter);
    let operation = emit_operation_static(op, &op_static);
    let builder_struct = emit_builder_struct(op, &body_field);
    let send = emit_send(op, &op_static, &param_steps, &body_step);
    let pagination = op.pagination.as_ref().map(|p| emit_pagination(builder, p));
    let statics = statics.items;
    quote! {
        #(#statics)*

        #operation

        #builder_struct

        impl<'a> #builder<'a> {
            #(#optional_setters)*
            #(#body_setters)*

            #send
        }

        crate::options::call_options!(#builder);

        #pagination
    }
}

/// The statics of one operation's builder, collected as its parameters and body are emitted.
struct Statics<'a> {
    op_static: &'a Ident,
    items: Vec<TokenStream>,
}

impl<'a> Statics<'a> {
    /// No statics yet, for the operation whose static is `op_static`.
    fn new(op_static: &'a Ident) -> Self {
        Statics {
            op_static,
            items: Vec::new(),
        }
    }

    /// The `Rules` of the parameter or field `owner`, with a `Pattern` static when it has a pattern.
    fn rules(&mut self, owner: &str, rules: &Rules) -> TokenStream {
        let pattern = rules.pattern.as_ref().map(|p| {
            let ident = safe_ident(&format!(
                "{}_{}_PATTERN",
                self.op_static,
                owner.to_snake_case().to_uppercase()
            ));
            self.items.push(quote!(static #ident: crate::validation::Pattern = crate::validation::Pattern::new(#p);));
            ident
        });
        emit_rules(rules, pattern.as_ref())
    }
}

/// The `Operation` static: id, method, path template and the error statuses with their decoders.
fn emit_operation_static(op: &Op, op_static: &Ident) -> TokenStream {
    let op_id = &op.id;
    let method_variant = format_ident!("{}", op.method.to_upper_camel_case());
    let path_template = &op.path;
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
    quote! {
        static #op_static: crate::request::Operation = crate::request::Operation {
            id: #op_id,
            method: crate::request::Method::#method_variant,
            path: #path_template,
            errors: &[#(#errors),*],
        };
    }
}

/// The builder struct: the client, each parameter (optional ones as `Option`), the body and
/// the call options.
fn emit_builder_struct(op: &Op, body_field: &TokenStream) -> TokenStream {
    let builder = &op.builder;
    let fields = op.params.iter().map(|p| {
        let ident = &p.ident;
        let ty = rust_type(&p.field);
        if p.is_argument() {
            quote!(#ident: #ty)
        } else {
            quote!(#ident: ::std::option::Option<#ty>)
        }
    });
    let tag_type = type_ident(&op.tag);
    let method_name = &op.method_name;
    let builder_doc = format!(
        " A `{} {}` request (operation `{}`), built by [`{tag_type}::{method_name}`]({tag_type}::{method_name}); sent by [`send`](Self::send).",
        op.method, op.path, op.id,
    );
    quote! {
        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until `send` is called"]
        pub struct #builder<'a> {
            client: &'a crate::Client,
            #(#fields,)*
            #body_field
            options: crate::options::CallOptions,
        }
    }
}

/// The setter of an optional parameter.
fn optional_setter(p: &Param) -> TokenStream {
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
}

/// The steps that put the parameters on the request: the path, literal pieces and encoded
/// parameters in template order, then the query and header parameters.
fn param_steps(op: &Op, statics: &mut Statics) -> Vec<TokenStream> {
    let mut steps = Vec::new();
    for piece in split_template(&op.path) {
        match piece {
            TemplatePiece::Literal(text) => steps.push(quote!(request.push_path(#text);)),
            TemplatePiece::Param(name) => {
                let Some(p) = op
                    .params
                    .iter()
                    .find(|p| p.location == Location::Path && p.name == name)
                else {
                    continue; // checked while reading the spec
                };
                let ident = &p.ident;
                let rules = statics.rules(&p.name, &p.rules);
                steps.push(quote!(request.path_param(#name, &self.#ident, &#rules)?;));
            }
        }
    }
    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let ident = &p.ident;
        let name = &p.name;
        let rules = statics.rules(&p.name, &p.rules);
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
        steps.push(quote!(request.#call(#name, #value, &#rules)?;));
    }
    steps
}

/// What a JSON body adds to the builder.
#[derive(Default)]
struct BodyParts {
    /// The struct field holding the body.
    field: TokenStream,
    /// A setter per field (and a `clear_` setter per nullable one), and `body` for the whole.
    setters: Vec<TokenStream>,
    /// The step that puts the body on the request.
    step: TokenStream,
}

/// The body's struct field, setters and step, with the static of its field rules.
fn emit_body(body: &Body, statics: &mut Statics) -> BodyParts {
    let rules_ident = body_rules_static(statics.op_static);
    let field_rules = body
        .fields
        .iter()
        .map(|f| {
            let name = &f.name;
            let required = f.required;
            let nullable = f.nullable;
            let rules = statics.rules(&f.name, &f.rules);
            quote!(crate::validation::FieldRule { name: #name, required: #required, nullable: #nullable, rules: #rules })
        })
        .collect::<Vec<_>>();
    let count = field_rules.len();
    statics.items.push(quote!(pub(crate) static #rules_ident: [crate::validation::FieldRule; #count] = [#(#field_rules),*];));
    let object = body.object;
    let mut setters: Vec<TokenStream> = body.fields.iter().flat_map(body_field_setters).collect();
    setters.extend(body.type_name.as_deref().map(whole_body_setter));
    BodyParts {
        field: quote!(body: crate::request::JsonBody,),
        setters,
        step: quote!(request.json_body(self.body, &#rules_ident, #object)?;),
    }
}

/// The setter of a body field, and for a nullable one the `clear_` setter that sends `null`.
fn body_field_setters(f: &BodyField) -> Vec<TokenStream> {
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
    let mut setters = vec![quote! {
        #doc
        pub fn #ident(mut self, value: #input) -> Self {
            self.body.set(#name, #convert);
            self
        }
    }];
    if f.nullable {
        let clear = format_ident!("clear_{}", ident.to_string().trim_start_matches("r#"));
        let doc = format!(
            " Sends `\"{name}\": null`, which clears the field, as opposed to leaving it out, which keeps it."
        );
        setters.push(quote! {
            #[doc = #doc]
            pub fn #clear(mut self) -> Self {
                self.body.set_null(#name);
                self
            }
        });
    }
    setters
}

/// The `body` setter taking the whole body as its model type `type_name`.
fn whole_body_setter(type_name: &str) -> TokenStream {
    let ty = type_ident(type_name);
    let doc = format!(
        " Sets the whole body from a [`types::{ty}`]; fields set before are replaced, fields set after are applied on top of it."
    );
    quote! {
        #[doc = #doc]
        pub fn body(mut self, value: types::#ty) -> Self {
            self.body.replace_with(&value);
            self
        }
    }
}

/// `send` and `send_with_response`, which build the request from the steps and execute it.
fn emit_send(
    op: &Op,
    op_static: &Ident,
    param_steps: &[TokenStream],
    body_step: &TokenStream,
) -> TokenStream {
    let success = op.success.clone().unwrap_or_else(|| quote!(()));
    let success_doc = format!(
        " Validates the request, sends it (retrying as the client's policy allows) and decodes the {} response.",
        op.success_status
            .clone()
            .unwrap_or_else(|| "success".into())
    );
    quote! {
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
}

/// `items()` and the `OffsetPaged` implementation of a builder whose operation pages by
/// offset and limit.
fn emit_pagination(builder: &Ident, p: &Pagination) -> TokenStream {
    let Pagination {
        offset,
        limit,
        item,
        ..
    } = p;
    let start = option_to_u64(&p.offset_type, quote!(self.#offset));
    let page_size = option_to_u64(&p.limit_type, quote!(self.#limit));
    let offset_arg = from_u64(&p.offset_type, quote!(offset));
    let results = format_ident!("{}", p.results);
    let total = match &p.total {
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
}

/// Rust tokens for a field's stored type.
fn rust_type(field: &FieldType) -> TokenStream {
    match field {
        FieldType::String => quote!(::std::string::String),
        FieldType::Uuid => quote!(::uuid::Uuid),
        FieldType::Integer { unsigned, narrow } => match (unsigned, narrow) {
            (true, true) => quote!(u32),
            (true, false) => quote!(u64),
            (false, true) => quote!(i32),
            (false, false) => quote!(i64),
        },
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
}
