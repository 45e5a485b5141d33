//! The generated code: the `spec` facts, one module per tag with its group type, and per
//! operation a method and a request builder that describes the request to the runtime.

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{OpenAPI, StatusCode};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::docs::{describe_shape, doc_lines, location_word, method_doc};
use super::errors::error_variant;
use super::{
    Body, BodyField, Described, FieldType, Location, LookupDesc, ModelDesc, Op, Pagination, Param,
    Rules, Shape, WriteSafety,
};
use crate::document::{safe_ident, type_ident};

/// The runtime module generated code calls: the one contract with the runtime, which the
/// compiler checks when the generated source is built.
fn rt() -> TokenStream {
    quote!(crate::__runtime)
}

/// The `spec` module: facts of the document (server, retries), every operation's and model's
/// description, and the `Described` implementation of each model type.
pub(super) fn emit_spec_info(
    spec: &OpenAPI,
    doc: &Value,
    operations: &[Op],
    models: &[ModelDesc],
) -> TokenStream {
    let rt = rt();
    let server = default_server(spec);
    let retry = spec_retry(doc);
    let operation_refs = operations.iter().map(|op| {
        let module = safe_ident(&op.tag.to_snake_case());
        let ident = operation_static(op);
        quote!(&crate::#module::#ident)
    });
    let mut model_statics = Vec::new();
    let mut model_refs = Vec::new();
    let mut described = Vec::new();
    for model in models {
        let ident = safe_ident(&format!(
            "{}_MODEL",
            model.name.to_snake_case().to_uppercase()
        ));
        let mut statics = Statics::new(&ident);
        let fields = model
            .fields
            .iter()
            .map(|f| emit_field(f, &mut statics))
            .collect::<Vec<_>>();
        let name = &model.name;
        let description = model.description.as_deref().unwrap_or_default();
        let ty = type_ident(name);
        model_statics.extend(statics.items);
        model_statics.push(quote! {
            pub(crate) static #ident: #rt::Model = #rt::Model {
                name: #name,
                description: #description,
                fields: &[#(#fields),*],
            };
        });
        model_refs.push(quote!(&#ident));
        described.push(quote! {
            impl #rt::Described for crate::types::#ty {
                fn schema() -> &'static #rt::Model {
                    &spec::#ident
                }
            }
        });
    }
    quote! {
        /// Facts the client takes from the OpenAPI document it was generated from.
        pub(crate) mod spec {
            /// The first server of the document: the default base URL.
            pub(crate) const DEFAULT_BASE_URL: ::std::option::Option<&str> = #server;
            /// The document's retry extension (`x-speakeasy-retries`), when it has one.
            pub(crate) const RETRY: ::std::option::Option<#rt::SpecRetry> = #retry;
            /// Every operation, in the document's order.
            pub(crate) static OPERATIONS: &[&#rt::Operation] = &[#(#operation_refs),*];
            /// Every object model, in the document's order.
            pub(crate) static MODELS: &[&#rt::Model] = &[#(#model_refs),*];

            #(#model_statics)*
        }

        #(#described)*
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
    let rt = rt();
    quote! {
        ::std::option::Option::Some(#rt::SpecRetry {
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

/// The call a caller writes for `op` (`workspaces().set_budget`).
pub(super) fn call_text(op: &Op) -> String {
    let accessor = safe_ident(&op.tag.to_snake_case()).to_string();
    let method = op.method_name.to_string();
    format!(
        "{}().{}",
        accessor.trim_start_matches("r#"),
        method.trim_start_matches("r#")
    )
}

/// The name of the static describing `op` to the runtime (`SET_BUDGET`).
fn operation_static(op: &Op) -> Ident {
    safe_ident(&op.id.to_snake_case().to_uppercase())
}

pub(super) fn emit_tag(spec: &OpenAPI, tag: &str, ops: &[&Op]) -> TokenStream {
    let rt = rt();
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
                client: &'a #rt::Client,
            }

            impl #rt::Client {
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
    let rt = rt();
    let Op {
        method_name,
        builder,
        ..
    } = op;
    let args = required_args(op);
    let arg_decls = args.iter().map(|p| {
        let ident = &p.ident;
        let (input, _) = setter_input(&p.value.field, ident);
        quote!(#ident: #input)
    });
    let arg_inits = args.iter().map(|p| {
        let ident = &p.ident;
        let (_, convert) = setter_input(&p.value.field, ident);
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
        .map(|_| quote!(body: #rt::JsonBody::new(),));

    let doc = doc_lines(&method_doc(spec, op, module, &args));

    quote! {
        #doc
        pub fn #method_name(&self, #(#arg_decls),*) -> #builder<'a> {
            #builder {
                client: self.client,
                #(#arg_inits,)*
                #(#optional_inits,)*
                #body_init
                deferred: #rt::Deferred::default(),
                options: #rt::CallOptions::default(),
            }
        }
    }
}

/// The request builder of `op`: its description, struct, setters, `send`, the by-name
/// setter and pagination.
fn emit_builder(op: &Op) -> TokenStream {
    let rt = rt();
    let builder = &op.builder;
    let op_static = operation_static(op);
    let mut statics = Statics::new(&op_static);
    let operation = emit_operation_static(op, &op_static, &mut statics);
    let param_steps = param_steps(op);
    let BodyParts {
        field: body_field,
        setters: body_setters,
        step: body_step,
    } = op.body.as_ref().map(emit_body).unwrap_or_default();
    let optional_setters = optional_params(op).map(optional_setter);
    let builder_struct = emit_builder_struct(op, &body_field);
    let send = emit_send(op, &op_static, &param_steps, &body_step);
    let by_name = emit_by_name(op, &op_static);
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

        #rt::call_options!(#builder);

        #by_name

        #pagination
    }
}

/// The statics one description needs (patterns), collected as its shapes are emitted.
struct Statics<'a> {
    owner: &'a Ident,
    items: Vec<TokenStream>,
}

impl<'a> Statics<'a> {
    /// No statics yet, for the description named `owner`.
    fn new(owner: &'a Ident) -> Self {
        Statics {
            owner,
            items: Vec::new(),
        }
    }

    /// The `Rules` value of `rules`, with a `Pattern` static when they have a pattern.
    fn rules(&mut self, rules: &Rules) -> TokenStream {
        let rt = rt();
        let pattern = rules.pattern.as_ref().map(|p| {
            let ident = format_ident!("{}_PATTERN_{}", self.owner, self.items.len());
            self.items
                .push(quote!(static #ident: #rt::Pattern = #rt::Pattern::new(#p);));
            ident
        });
        emit_rules(rules, pattern.as_ref())
    }
}

/// A `Shape` value: JSON type, format, enum values, rules and items.
fn emit_shape(shape: &Shape, statics: &mut Statics) -> TokenStream {
    let rt = rt();
    let kind = format_ident!("{}", shape.kind.variant());
    let format = option_str(shape.format.as_deref());
    let values = &shape.values;
    let rules = statics.rules(&shape.rules);
    let items = match &shape.items {
        Some(items) => {
            let items = emit_shape(items, statics);
            quote!(::std::option::Option::Some(&#items))
        }
        None => quote!(::std::option::Option::None),
    };
    let model = option_str(shape.model.as_deref());
    let open = shape.open;
    quote! {
        #rt::Shape {
            kind: #rt::Kind::#kind,
            format: #format,
            values: &[#(#values),*],
            rules: #rules,
            items: #items,
            model: #model,
            open: #open,
        }
    }
}

/// An `Option<&str>` expression.
fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::std::option::Option::Some(#text)),
        None => quote!(::std::option::Option::None),
    }
}

/// A document default as an `Option<&str>` of its JSON text.
fn default_text(value: Option<&Value>) -> TokenStream {
    option_str(value.map(Value::to_string).as_deref())
}

/// What a `Field` and a `Parameter` both say of a value: its description, its shape and
/// its default, as the last members of either.
fn emit_value_members(value: &Described, statics: &mut Statics) -> TokenStream {
    let description = value.description.as_deref().unwrap_or_default();
    let shape = emit_shape(&value.shape, statics);
    let default = default_text(value.default.as_ref());
    quote!(description: #description, shape: #shape, default: #default,)
}

/// A `Field` value of a body or model field.
fn emit_field(f: &BodyField, statics: &mut Statics) -> TokenStream {
    let rt = rt();
    let name = &f.name;
    let required = f.required;
    let nullable = f.value.nullable;
    let value = emit_value_members(&f.value, statics);
    quote! {
        #rt::Field { name: #name, required: #required, nullable: #nullable, #value }
    }
}

/// The `Operation` static: the whole description of `op`, with its write rules and its
/// error statuses and their decoders.
fn emit_operation_static(op: &Op, op_static: &Ident, statics: &mut Statics) -> TokenStream {
    let rt = rt();
    let op_id = &op.id;
    let tag = &op.tag;
    let call = call_text(op);
    let method_variant = format_ident!("{}", op.method.to_upper_camel_case());
    let path_template = &op.path;
    let summary = op.summary.as_deref().unwrap_or_default();
    let parameters = op
        .params
        .iter()
        .map(|p| emit_parameter(p, statics))
        .collect::<Vec<_>>();
    let body = match &op.body {
        Some(body) => {
            let model = option_str(body.type_name.as_deref());
            let object = body.object;
            let fields = body
                .fields
                .iter()
                .map(|f| emit_field(f, statics))
                .collect::<Vec<_>>();
            quote!(::std::option::Option::Some(#rt::Body { model: #model, object: #object, fields: &[#(#fields),*] }))
        }
        None => quote!(::std::option::Option::None),
    };
    let write = emit_write_rules(&op.write);
    let errors = op.errors.iter().map(|(status, schema)| {
        let matcher = match status {
            StatusCode::Code(c) => quote!(#rt::StatusClass::Code(#c)),
            StatusCode::Range(r) => quote!(#rt::StatusClass::Class(#r)),
        };
        let decode = match schema {
            Some(s) => {
                let decoder =
                    format_ident!("decode_{}", error_variant(s).to_string().to_snake_case());
                quote!(::std::option::Option::Some(crate::ApiErrorBody::#decoder))
            }
            None => quote!(::std::option::Option::None),
        };
        quote!(#rt::ErrorStatus { status: #matcher, decode: #decode })
    });
    quote! {
        pub(crate) static #op_static: #rt::Operation = #rt::Operation {
            id: #op_id,
            tag: #tag,
            call: #call,
            method: #rt::Method::#method_variant,
            path: #path_template,
            summary: #summary,
            parameters: &[#(#parameters),*],
            body: #body,
            write: #write,
            errors: &[#(#errors),*],
        };
    }
}

/// A `Parameter` value.
fn emit_parameter(p: &Param, statics: &mut Statics) -> TokenStream {
    let rt = rt();
    let name = &p.name;
    let location = format_ident!(
        "{}",
        match p.location {
            Location::Path => "Path",
            Location::Query => "Query",
            Location::Header => "Header",
        }
    );
    let required = p.required;
    let value = emit_value_members(&p.value, statics);
    quote! {
        #rt::Parameter { name: #name, location: #rt::Location::#location, required: #required, #value }
    }
}

/// The `WriteRules` value of the operation's `x-write-safety`.
fn emit_write_rules(write: &WriteSafety) -> TokenStream {
    let rt = rt();
    let repeatable = write.repeatable;
    let gone = option_str(write.gone_means_done.as_deref());
    let lookup = |lookup: &Option<LookupDesc>| match lookup {
        Some(LookupDesc {
            path,
            object,
            identity,
        }) => quote! {
            ::std::option::Option::Some(#rt::Lookup {
                path: #path,
                object: #object,
                identity: &[#(#identity),*],
            })
        },
        None => quote!(::std::option::Option::None),
    };
    let settle = lookup(&write.settle);
    let relocate = lookup(&write.relocate);
    quote! {
        #rt::WriteRules {
            repeatable: #repeatable,
            gone_means_done: #gone,
            settle: #settle,
            relocate: #relocate,
        }
    }
}

/// The builder struct: the client, each parameter (optional ones as `Option`), the body,
/// what setting by name met, and the call options.
fn emit_builder_struct(op: &Op, body_field: &TokenStream) -> TokenStream {
    let rt = rt();
    let builder = &op.builder;
    let fields = op.params.iter().map(|p| {
        let ident = &p.ident;
        let ty = rust_type(&p.value.field);
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
            client: &'a #rt::Client,
            #(#fields,)*
            #body_field
            deferred: #rt::Deferred,
            options: #rt::CallOptions,
        }
    }
}

/// The setter of an optional parameter.
fn optional_setter(p: &Param) -> TokenStream {
    let ident = &p.ident;
    let (input, convert) = setter_input(&p.value.field, &format_ident!("value"));
    let doc = doc_lines(&format!(
        "{} (optional {} `{}`).",
        p.value
            .description
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
/// parameters in template order, then the query and header parameters. The runtime checks
/// each against the operation's description.
fn param_steps(op: &Op) -> Vec<TokenStream> {
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
                steps.push(quote!(request.path_param(#name, &self.#ident)?;));
            }
        }
    }
    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let ident = &p.ident;
        let name = &p.name;
        let value = if p.required {
            quote!(::std::option::Option::Some(&self.#ident))
        } else {
            quote!(self.#ident.as_ref())
        };
        let call = match p.location {
            Location::Query => quote!(query_param),
            _ => quote!(header_param),
        };
        steps.push(quote!(request.#call(#name, #value)?;));
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

/// The body's struct field, setters and step.
fn emit_body(body: &Body) -> BodyParts {
    let rt = rt();
    let mut setters: Vec<TokenStream> = body.fields.iter().flat_map(body_field_setters).collect();
    setters.extend(body.type_name.as_deref().map(whole_body_setter));
    BodyParts {
        field: quote!(body: #rt::JsonBody,),
        setters,
        step: quote!(request.json_body(self.body)?;),
    }
}

/// The setter of a body field, and for a nullable one the `clear_` setter that sends `null`.
fn body_field_setters(f: &BodyField) -> Vec<TokenStream> {
    let ident = &f.ident;
    let name = &f.name;
    let (input, convert) = setter_input(&f.value.field, &format_ident!("value"));
    let what = f
        .value
        .description
        .clone()
        .unwrap_or_else(|| format!("The `{name}` field"));
    let mut doc = format!("{} (body field `{name}`", what.trim_end_matches('.'));
    doc.push_str(if f.required {
        ", required)."
    } else {
        ", optional)."
    });
    let rules_text = describe_shape(&f.value.shape);
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
    if f.value.nullable {
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
    let rt = rt();
    let success = op.success.clone().unwrap_or_else(|| quote!(()));
    let success_doc = format!(
        " Validates the request, sends it (retrying as the client's policy allows) and decodes the {} response.",
        op.success_status
            .clone()
            .unwrap_or_else(|| "success".into())
    );
    quote! {
        #[doc = #success_doc]
        pub fn send(self) -> ::std::result::Result<#success, #rt::Error> {
            self.send_with_response().map(#rt::Response::into_inner)
        }

        /// Like `send`, with the answer's status, headers and raw body beside the value
        /// (see [`Response`](crate::Response)).
        pub fn send_with_response(self) -> ::std::result::Result<#rt::Response<#success>, #rt::Error> {
            let mut request = #rt::RequestParts::new(&#op_static, self.deferred)?;
            #(#param_steps)*
            #body_step
            #rt::send(self.client, request, &self.options)
        }
    }
}

/// The `RequestBuilder` implementation: the operation's description, and the setter of any
/// query or header parameter or body field by its name in the document.
fn emit_by_name(op: &Op, op_static: &Ident) -> TokenStream {
    let rt = rt();
    let builder = &op.builder;
    let params = op
        .params
        .iter()
        .filter(|p| p.location != Location::Path)
        .map(|p| {
            let name = &p.name;
            let ident = &p.ident;
            let (on_null, assign) = if p.is_argument() {
                (
                    quote!(self.deferred.note(name, "is required and cannot be null")),
                    quote!(self.#ident = value),
                )
            } else {
                (
                    quote!(self.#ident = ::std::option::Option::None),
                    quote!(self.#ident = ::std::option::Option::Some(value)),
                )
            };
            quote! {
                #name => match value {
                    ::serde_json::Value::Null => #on_null,
                    value => {
                        self.deferred.check_param(&#op_static, name, &value);
                        match ::serde_json::from_value(value) {
                            ::std::result::Result::Ok(value) => #assign,
                            ::std::result::Result::Err(e) => self.deferred.note(name, e),
                        }
                    }
                },
            }
        });
    let body_names = op
        .body
        .iter()
        .flat_map(|b| b.fields.iter())
        .map(|f| &f.name)
        .collect::<Vec<_>>();
    let body_arm = (!body_names.is_empty())
        .then(|| quote!(#(#body_names)|* => self.body.set_json(name, value),));
    let unknown = quote! {
        drop(value);
        self.deferred.unknown(name, &#op_static);
    };
    let params = params.collect::<Vec<_>>();
    let set = if params.is_empty() && body_arm.is_none() {
        unknown
    } else {
        quote! {
            match name {
                #(#params)*
                #body_arm
                _ => {
                    #unknown
                }
            }
        }
    };
    quote! {
        impl #rt::RequestBuilder for #builder<'_> {
            fn operation() -> &'static #rt::Operation {
                &#op_static
            }

            fn set_json(mut self, name: &str, value: ::serde_json::Value) -> Self {
                #set
                self
            }
        }
    }
}

/// `items()` and the `OffsetPaged` implementation of a builder whose operation pages by
/// offset and limit.
fn emit_pagination(builder: &Ident, p: &Pagination) -> TokenStream {
    let rt = rt();
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
            pub fn items(self) -> #rt::Items<Self> {
                let offset = #start.unwrap_or(0);
                let limit = #page_size;
                #rt::Items::new(self, offset, limit)
            }
        }

        impl #rt::OffsetPaged for #builder<'_> {
            type Item = #item;

            fn fetch_page(
                &self,
                offset: u64,
            ) -> ::std::result::Result<(::std::vec::Vec<Self::Item>, ::std::option::Option<u64>), #rt::Error> {
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
        FieldType::Array(item) if matches!(**item, FieldType::Named(_)) => {
            // Items of a model type, or of another enum that converts into it (the same
            // values under a create body's and an update body's names).
            let item = rust_type(item);
            (
                quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>),
                quote!(#var.into_iter().map(::std::convert::Into::into).collect::<::std::vec::Vec<#item>>()),
            )
        }
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
    let rt = rt();
    if rules.is_empty() {
        return quote!(#rt::Rules::NONE);
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
        #rt::Rules {
            #(#fields,)*
            ..#rt::Rules::NONE
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
