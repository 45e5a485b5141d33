//! Stage 5, continued: models open to a server newer than the document.
//!
//! A built client meets servers that have moved on, so the response side must be open and
//! lossless while the request side stays strict:
//!
//! - [`prepare`] (on the document, before the model generator): every object schema that
//!   does not say otherwise gets `additionalProperties: {}`, for which the generator adds a
//!   flattened `extra` map that keeps the fields the document does not list; and the string
//!   `format`s of every schema an answer reaches are dropped, so that a value breaking its
//!   format (an id that is not a UUID) still decodes, as the string the server sent.
//! - [`rewrite`] (on the generated models): every string enum gains an `Unknown(String)`
//!   variant that keeps a value the document does not list and writes it back unchanged,
//!   with serde implementations of our own; and every `extra` map reports what it caught.
//!   Both report through the runtime's `drift` module, which tells the user, once, that the
//!   server is newer than the document.
//!
//! One rewrite concerns the request side: an optional, nullable field of a schema only
//! requests use becomes a `crate::Patch<T>`, so a typed body can say "leave out" and
//! "clear" (`null`), which the API tells apart, and not only "set".

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value, json};
use syn::{Fields, Item, ItemEnum, ItemStruct};

/// The name of the variant that keeps an unlisted value, unless the enum already has one.
const UNKNOWN: &str = "Unknown";
/// Used instead when a listed value already takes [`UNKNOWN`].
const UNKNOWN_FALLBACK: &str = "UnlistedValue";

/// What [`prepare`] learns of the document that [`rewrite`] needs.
#[derive(Debug, Default)]
pub struct Openings {
    /// Per model (by its Rust name), the fields (by their JSON names) that become
    /// `crate::Patch<T>`: optional and nullable, in a schema no answer reaches.
    patch_fields: BTreeMap<String, BTreeSet<String>>,
}

/// Prepares the models' copy of `doc` (its paths are still there to find the answers).
pub fn prepare(doc: &mut Value) -> Openings {
    let answered = schemas_answers_reach(doc);
    describe_by_use(doc);
    let mut openings = Openings::default();
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return openings;
    };
    for (name, schema) in schemas.iter_mut() {
        keep_unknown_fields(schema);
        if answered.contains(name) {
            drop_string_formats(schema);
        } else {
            let fields = clearable_fields(schema);
            if !fields.is_empty() {
                let model = crate::document::type_ident(name).to_string();
                openings.patch_fields.insert(model, fields);
            }
        }
    }
    openings
}

/// The properties of `schema` that a request may leave out and may also set to `null`.
fn clearable_fields(schema: &Value) -> BTreeSet<String> {
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    let nullable = |property: &Value| {
        let typed_null = match property.get("type") {
            Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
            _ => false,
        };
        let branch_null = ["anyOf", "oneOf"].iter().any(|key| {
            property
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|branches| branches.iter().any(is_null))
        });
        typed_null || branch_null || property.get("nullable") == Some(&Value::Bool(true))
    };
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, property)| !required.contains(name.as_str()) && nullable(property))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Every operation of the document: each method of each path item.
fn operations(doc: &Value) -> impl Iterator<Item = &Value> {
    let items = doc.get("paths").and_then(Value::as_object);
    items
        .into_iter()
        .flat_map(Map::values)
        .flat_map(|item| item.as_object().into_iter().flat_map(Map::values))
}

/// Gives a component schema that has no description one that says where the document
/// uses it (the body of an operation, or its answer), so its docs say more than its name.
fn describe_by_use(doc: &mut Value) {
    let mut uses: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for operation in operations(doc) {
        let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let json_schema_ref = |content: &Value| {
            content
                .get("content")
                .and_then(Value::as_object)
                .and_then(|media| media.values().next())
                .and_then(|m| m.pointer("/schema/$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_string)
        };
        if let Some(name) = operation.get("requestBody").and_then(json_schema_ref) {
            uses.entry(name)
                .or_default()
                .push(format!("JSON body of `{id}`"));
        }
        for (status, response) in operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if status.starts_with('2')
                && let Some(name) = json_schema_ref(response)
            {
                uses.entry(name)
                    .or_default()
                    .push(format!("{status} answer of `{id}`"));
            }
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, places) in uses {
        if let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut)
            && !schema.contains_key("description")
        {
            let text = format!("The {}.", places.join("; also the "));
            schema.insert("description".into(), Value::String(text));
        }
    }
}

/// Gives every object schema under `schema` (not inside a composition, where each branch
/// would catch every field) an `additionalProperties: {}` unless it has its own.
fn keep_unknown_fields(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let is_object =
        map.get("type").and_then(Value::as_str) == Some("object") || map.contains_key("properties");
    let composed = ["allOf", "anyOf", "oneOf"]
        .iter()
        .any(|k| map.contains_key(*k));
    if is_object && !composed {
        match map.get("additionalProperties") {
            None | Some(Value::Bool(true)) => {
                map.insert("additionalProperties".into(), json!({}));
            }
            _ => {}
        }
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.values_mut().for_each(keep_unknown_fields);
    }
    if let Some(items) = map.get_mut("items") {
        keep_unknown_fields(items);
    }
}

/// Removes `format` from every string schema under `schema`: the value stays the string
/// the server sent.
fn drop_string_formats(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            if is_string {
                map.remove("format");
            }
            for (key, child) in map.iter_mut() {
                // Examples and defaults are data, not schemas.
                if !matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                    drop_string_formats(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_string_formats),
        _ => {}
    }
}

/// The names of the component schemas that any response of any operation reaches.
fn schemas_answers_reach(doc: &Value) -> BTreeSet<String> {
    let mut pending: Vec<String> = Vec::new();
    for operation in operations(doc) {
        if let Some(responses) = operation.get("responses") {
            collect_refs(responses, &mut pending);
        }
    }
    let mut reached = BTreeSet::new();
    while let Some(reference) = pending.pop() {
        let Some(target) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
            continue;
        };
        if let Some(name) = reference.strip_prefix("#/components/schemas/")
            && !reached.insert(name.to_string())
        {
            continue;
        }
        collect_refs(target, &mut pending);
    }
    reached
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push(reference.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Rewrites the generated models: open string enums, `extra` maps that report what they
/// caught, and three-state request fields. `models` is the body of the `types` module.
pub fn rewrite(models: TokenStream, openings: &Openings) -> syn::Result<TokenStream> {
    let file: syn::File = syn::parse2(models)?;
    let open: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Enum(e) if string_enum_values(e).is_some() => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    let conversions = subset_conversions(&file.items);
    let has_default = default_impls(&file.items);
    let text = quote!(#file).to_string();
    let mut items = Vec::with_capacity(file.items.len());
    for item in file.items {
        match item {
            Item::Enum(e) if open.contains(&e.ident.to_string()) => {
                items.push(open_enum(e));
            }
            // The generator's Display walks the closed set of variants; ours replaces it.
            Item::Impl(ref i) if is_display_of(i, &open) => {}
            Item::Struct(mut s) => {
                if let Some(fields) = openings.patch_fields.get(&s.ident.to_string()) {
                    patch_fields(&mut s, fields);
                }
                report_extra(&mut s);
                let constructor = constructor(&s);
                let default = (!has_default.contains(&s.ident.to_string()))
                    .then(|| default_impl(&s))
                    .flatten();
                let field_names = field_names(&s);
                items.push(quote!(#s #constructor #default #field_names));
            }
            Item::Mod(mut m) if m.ident == "defaults" => {
                drop_unused_default_helpers(&mut m, &text);
                items.push(quote!(#m));
            }
            other => items.push(quote!(#other)),
        }
    }
    Ok(quote!(#(#items)* #conversions))
}

/// Removes the model generator's generic default helpers (`default_i64` and the like) that
/// no field names. Typify 0.8 writes `default_i64` for every non-zero `number` default but
/// fills such a field with a function of its own, which would leave a dead function, and a
/// warning, in every client built from a document with one.
fn drop_unused_default_helpers(defaults: &mut syn::ItemMod, text: &str) {
    const HELPERS: [&str; 4] = [
        "default_bool",
        "default_i64",
        "default_u64",
        "default_nzu64",
    ];
    if let Some((_, items)) = &mut defaults.content {
        items.retain(|item| match item {
            Item::Fn(f) => {
                let name = f.sig.ident.to_string();
                !HELPERS.contains(&name.as_str()) || text.contains(&format!("defaults::{name}"))
            }
            _ => true,
        });
    }
}

/// The names of the types that the model generator wrote an `impl Default` for.
fn default_impls(items: &[Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(i)
                if i.trait_.as_ref().is_some_and(|(path, _)| {
                    path.segments.last().is_some_and(|s| s.ident == "Default")
                }) =>
            {
                match &*i.self_ty {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// `From<B> for A` wherever every value of string enum `B` is a value of string enum `A`:
/// a value of the narrower type (a budget's reset interval, say) can be given where the
/// wider one is asked for (the interval of a budget path) without a hand-written match.
fn subset_conversions(items: &[Item]) -> TokenStream {
    let enums: Vec<(&syn::Ident, BTreeSet<String>)> = items
        .iter()
        .filter_map(|item| match item {
            Item::Enum(e) => string_enum_values(e).map(|v| (&e.ident, v.into_iter().collect())),
            _ => None,
        })
        .collect();
    let mut impls = Vec::new();
    for (wide, wide_values) in &enums {
        for (narrow, narrow_values) in &enums {
            if wide != narrow && narrow_values.is_subset(wide_values) {
                let doc = format!(
                    " Every value of `{narrow}` is a value of `{wide}`; an unlisted one is kept."
                );
                impls.push(quote! {
                    impl ::std::convert::From<#narrow> for #wide {
                        #[doc = #doc]
                        fn from(value: #narrow) -> Self {
                            Self::from_wire(value.as_str())
                        }
                    }
                });
            }
        }
    }
    quote!(#(#impls)*)
}

/// The wire values of an enum whose variants are all units: a string enum.
fn string_enum_values(e: &ItemEnum) -> Option<Vec<String>> {
    if e.variants.is_empty() {
        return None;
    }
    e.variants
        .iter()
        .map(|variant| {
            if !matches!(variant.fields, Fields::Unit) {
                return None;
            }
            Some(serde_rename(&variant.attrs).unwrap_or_else(|| variant.ident.to_string()))
        })
        .collect()
}

/// The value of `#[serde(rename = "...")]` among `attrs`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                // Skip the value of another key.
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

fn is_display_of(item: &syn::ItemImpl, open: &BTreeSet<String>) -> bool {
    let Some((trait_path, _)) = &item.trait_ else {
        return false;
    };
    let is_display = trait_path
        .segments
        .last()
        .is_some_and(|s| s.ident == "Display");
    let self_name = match &*item.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    is_display && self_name.is_some_and(|name| open.contains(&name))
}

/// A string enum with a variant for unlisted values, and serde and `Display`
/// implementations of our own. The generator's `FromStr` and `TryFrom` stay: parsing a
/// value (a command-line argument, say) still refuses one the document does not list.
fn open_enum(mut e: ItemEnum) -> TokenStream {
    let values = string_enum_values(&e).expect("only string enums are opened");
    let name = e.ident.clone();
    let taken = e.variants.iter().any(|v| v.ident == UNKNOWN);
    let unknown = format_ident!("{}", if taken { UNKNOWN_FALLBACK } else { UNKNOWN });
    let known: Vec<_> = e.variants.iter().map(|v| v.ident.clone()).collect();
    drop_serde_derives(&mut e);
    add_unknown_variant(&mut e, &unknown);
    let methods = open_enum_methods(&name, &known, &values, &unknown);
    let serde = open_enum_serde(&name, &unknown);
    quote! {
        #e
        #methods
        #serde
    }
}

/// Removes serde's derives and attributes, which go with the implementations of our own,
/// and `Copy`, which cannot hold a `String`.
fn drop_serde_derives(e: &mut ItemEnum) {
    e.attrs.retain(|a| !a.path().is_ident("serde"));
    for attr in &mut e.attrs {
        if attr.path().is_ident("derive")
            && let Ok(list) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
        {
            let kept = list.into_iter().filter(|path| {
                let last = path.segments.last().map(|s| s.ident.to_string());
                !matches!(last.as_deref(), Some("Copy" | "Serialize" | "Deserialize"))
            });
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    for variant in &mut e.variants {
        variant.attrs.retain(|a| !a.path().is_ident("serde"));
    }
}

/// Adds the variant `unknown` that keeps an unlisted value, and says so in the enum's docs.
fn add_unknown_variant(e: &mut ItemEnum, unknown: &Ident) {
    let name_text = e.ident.to_string();
    let unknown_doc = format!(
        " A value the OpenAPI document does not list, kept as the server sent it: the server \
         is newer than the document. It is written back unchanged, so it can also be used to \
         send a value the document does not know yet (`{name_text}::{unknown}(\"...\".into())`)."
    );
    e.variants.push(syn::parse_quote! {
        #[doc = #unknown_doc]
        #unknown(::std::string::String)
    });
    e.attrs.push(syn::parse_quote!(#[doc = ""]));
    e.attrs.push(syn::parse_quote!(
        #[doc = " Open to values the document does not list: see the last variant."]
    ));
}

/// `KNOWN`, `as_str`, `from_wire`, `is_unknown` and `Display` of the opened enum `name`, whose
/// variants `known` stand for the wire `values`.
fn open_enum_methods(
    name: &Ident,
    known: &[Ident],
    values: &[String],
    unknown: &Ident,
) -> TokenStream {
    quote! {
        impl #name {
            /// Every value the document lists, in its order.
            pub const KNOWN: &'static [Self] = &[#(Self::#known),*];

            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#known => #values,)*
                    Self::#unknown(value) => value.as_str(),
                }
            }

            /// The value as sent on the wire, listed or not: a listed value becomes its
            /// variant, any other is kept. (`FromStr` and `TryFrom` refuse an unlisted value,
            /// for input that should be one of the listed values.)
            pub fn from_wire(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                let value = value.into();
                match value.as_str() {
                    #(#values => Self::#known,)*
                    _ => Self::#unknown(value),
                }
            }

            /// Whether this is a value the OpenAPI document does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#unknown(_))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// `Serialize` and `Deserialize` of the opened enum `name`: the wire string, with an
/// unlisted value reported as drift.
fn open_enum_serde(name: &Ident, unknown: &Ident) -> TokenStream {
    let name_text = name.to_string();
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = Self::from_wire(<::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?);
                if let Self::#unknown(raw) = &value {
                    crate::__runtime::unknown_value(#name_text, raw);
                }
                ::std::result::Result::Ok(value)
            }
        }
    }
}

/// `new(required fields)` for a model with an `extra` map and at least one required field:
/// every other field starts as it would be read from a body that leaves it out (unset, or
/// the document's default) and `extra` empty, so a request body is written without spelling
/// out every `None`.
fn constructor(s: &ItemStruct) -> Option<TokenStream> {
    let Fields::Named(fields) = &s.fields else {
        return None;
    };
    if !fields
        .named
        .iter()
        .any(|f| f.ident.as_ref().is_some_and(|i| i == "extra"))
    {
        return None;
    }
    let mut params = Vec::new();
    let mut names = Vec::new();
    let mut inits = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else { continue };
        match value_when_absent(field) {
            Some(value) => inits.push(quote!(#ident: #value)),
            None => {
                let ty = &field.ty;
                params.push(quote!(#ident: impl ::std::convert::Into<#ty>));
                names.push(format!("`{ident}`"));
                inits.push(quote!(#ident: #ident.into()));
            }
        }
    }
    if params.is_empty() {
        return None;
    }
    let name = &s.ident;
    let others = if fields.named.iter().any(has_default_fn) {
        "the optional ones start unset, or at the document's default where it gives one"
    } else {
        "the optional ones start unset"
    };
    let doc = format!(
        " A `{name}` with its required fields ({}); {others}.",
        names.join(", ")
    );
    Some(quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

/// The value a field of a generated model takes when the JSON leaves it out, as an
/// expression: unset for an `Option` or a `Patch` (and the `extra` map), the model
/// generator's `#[serde(default)]` or `#[serde(default = "...")]` otherwise. `None` for a
/// required field.
fn value_when_absent(field: &syn::Field) -> Option<TokenStream> {
    if is_optional(&field.ty) || field.ident.as_ref().is_some_and(|i| i == "extra") {
        return Some(quote!(::std::default::Default::default()));
    }
    match serde_default(field)? {
        SerdeDefault::OfType => Some(quote!(::std::default::Default::default())),
        SerdeDefault::Function(path) => Some(quote!(#path())),
    }
}

/// Makes the flattened `extra` map of a struct report the fields it caught, and keeps
/// `Default` on a struct whose other fields are all optional (the map alone would make the
/// model generator drop it).
fn report_extra(s: &mut ItemStruct) {
    let name = s.ident.to_string();
    let Fields::Named(fields) = &mut s.fields else {
        return;
    };
    let has_extra = fields
        .named
        .iter()
        .any(|f| f.ident.as_ref().is_some_and(|i| i == "extra"));
    // A field the generator fills with a default function of the document's needs a
    // written `Default` (see `default_impl`); one whose default is its type's can derive it.
    let others_default_of_type = fields
        .named
        .iter()
        .filter(|f| f.ident.as_ref().is_some_and(|i| i != "extra"))
        .all(|f| is_optional(&f.ty) || matches!(serde_default(f), Some(SerdeDefault::OfType)));
    if has_extra && others_default_of_type {
        for attr in &mut s.attrs {
            if attr.path().is_ident("derive")
                && let Ok(list) = attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                && !list.iter().any(|p| p.is_ident("Default"))
            {
                let derives = list.into_iter();
                *attr = syn::parse_quote!(#[derive(#(#derives,)* Default)]);
                break;
            }
        }
    }
    let Fields::Named(fields) = &mut s.fields else {
        return;
    };
    for field in &mut fields.named {
        let flattened = field.attrs.iter().any(|a| {
            a.path().is_ident("serde")
                && a.parse_nested_meta(|meta| {
                    if meta.path.is_ident("flatten") {
                        Ok(())
                    } else {
                        Err(meta.error("not flatten"))
                    }
                })
                .is_ok()
        });
        // Only the map `additionalProperties: {}` made: where the document gives the extra
        // fields a schema of its own, they are documented, not drift.
        let untyped = {
            let ty = &field.ty;
            let text = quote!(#ty).to_string().replace(' ', "");
            text == "::serde_json::Map<::std::string::String,::serde_json::Value>"
        };
        if field.ident.as_ref().is_some_and(|i| i == "extra") && flattened && untyped {
            let with = format!("crate::__runtime::keep_unknown_fields::<{name}, _>");
            field
                .attrs
                .push(syn::parse_quote!(#[serde(deserialize_with = #with)]));
            field.attrs.push(syn::parse_quote!(
                #[doc = " Fields the server sent that the OpenAPI document does not describe, as received; written back when the value is serialised."]
            ));
        }
    }
}

/// Whether a field of a generated model may be left out: an `Option` or a `Patch`.
fn is_optional(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Option" || s.ident == "Patch"),
        _ => false,
    }
}

/// The JSON name of a field: its serde rename, else its identifier (without `r#`).
fn wire_name(field: &syn::Field) -> Option<String> {
    serde_rename(&field.attrs).or_else(|| {
        field
            .ident
            .as_ref()
            .map(|i| i.to_string().trim_start_matches("r#").to_string())
    })
}

/// The type of every named field of every generated struct in `models` (the contents of
/// the `types` module), by the struct's name and the field's JSON name.
pub fn field_types(models: &TokenStream) -> BTreeMap<(String, String), syn::Type> {
    let Ok(file) = syn::parse2::<syn::File>(models.clone()) else {
        return BTreeMap::new();
    };
    let mut types = BTreeMap::new();
    for item in file.items {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        for field in &named.named {
            if let Some(name) = wire_name(field) {
                types.insert((s.ident.to_string(), name), field.ty.clone());
            }
        }
    }
    types
}

/// Turns each `Option<T>` field of `s` named in `fields` into a `crate::Patch<T>`, left out
/// of the JSON when unchanged and `null` when cleared.
fn patch_fields(s: &mut ItemStruct, fields: &BTreeSet<String>) {
    let Fields::Named(named) = &mut s.fields else {
        return;
    };
    for field in &mut named.named {
        // A field with a documented default keeps the generator's form: its default
        // function is what fills it in when it is absent.
        if !wire_name(field).is_some_and(|name| fields.contains(&name)) || has_default_fn(field) {
            continue;
        }
        let syn::Type::Path(path) = &field.ty else {
            continue;
        };
        let Some(last) = path.path.segments.last() else {
            continue;
        };
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            continue;
        };
        if last.ident != "Option" || args.args.len() != 1 {
            continue;
        }
        let inner = &args.args[0];
        field.ty = syn::parse_quote!(crate::__runtime::Patch<#inner>);
        let rename = serde_rename(&field.attrs);
        field.attrs.retain(|a| !a.path().is_ident("serde"));
        field.attrs.push(match rename {
            Some(rename) => syn::parse_quote!(
                #[serde(rename = #rename, default, skip_serializing_if = "crate::__runtime::Patch::is_unchanged")]
            ),
            None => syn::parse_quote!(
                #[serde(default, skip_serializing_if = "crate::__runtime::Patch::is_unchanged")]
            ),
        });
        field.attrs.push(syn::parse_quote!(#[doc = ""]));
        field.attrs.push(syn::parse_quote!(
            #[doc = " [`Patch::Unchanged`](crate::Patch::Unchanged) leaves it out of the body (the server keeps the value), [`Patch::Clear`](crate::Patch::Clear) sends `null` (the server clears it)."]
        ));
    }
}

/// How the model generator fills a field that the JSON leaves out.
enum SerdeDefault {
    /// `#[serde(default)]`: the type's `Default`.
    OfType,
    /// `#[serde(default = "path")]`: a function giving the document's default.
    Function(syn::ExprPath),
}

/// The `#[serde(default ...)]` of a field, if it has one.
fn serde_default(field: &syn::Field) -> Option<SerdeDefault> {
    let mut found = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.input.peek(syn::Token![=]) {
                let value = meta.value()?;
                if meta.path.is_ident("default") {
                    let path: syn::LitStr = value.parse()?;
                    found = path.parse().ok().map(SerdeDefault::Function);
                } else {
                    let _: syn::Expr = value.parse()?;
                }
            } else if meta.path.is_ident("default") {
                found = Some(SerdeDefault::OfType);
            }
            Ok(())
        });
    }
    found
}

/// Whether a field has `#[serde(default = "...")]`: a default value of the document's.
fn has_default_fn(field: &syn::Field) -> bool {
    matches!(serde_default(field), Some(SerdeDefault::Function(_)))
}

/// `impl Default` for a model with an `extra` map whose fields may all be left out and at
/// least one of which has a default function of the document's: each field as a body
/// without it reads, so `Default` agrees with deserialising `{}`. (Where every default is
/// the type's own, `report_extra` derives it instead.)
fn default_impl(s: &ItemStruct) -> Option<TokenStream> {
    let Fields::Named(fields) = &s.fields else {
        return None;
    };
    let derives_default = s.attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|list| list.iter().any(|p| p.is_ident("Default")))
    });
    if derives_default
        || !fields.named.iter().any(has_default_fn)
        || !fields
            .named
            .iter()
            .any(|f| f.ident.as_ref().is_some_and(|i| i == "extra"))
    {
        return None;
    }
    let inits = fields
        .named
        .iter()
        .map(|f| {
            let ident = f.ident.as_ref()?;
            let value = value_when_absent(f)?;
            Some(quote!(#ident: #value))
        })
        .collect::<Option<Vec<_>>>()?;
    let name = &s.ident;
    Some(quote! {
        impl ::std::default::Default for #name {
            fn default() -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

/// `FIELDS`: the JSON names of a model's fields, in the document's order (without the
/// `extra` map), so that code reading the same fields from elsewhere (a file, say) can
/// name the known ones without listing them by hand.
fn field_names(s: &ItemStruct) -> Option<TokenStream> {
    let Fields::Named(named) = &s.fields else {
        return None;
    };
    let names: Vec<String> = named
        .named
        .iter()
        .filter(|f| f.ident.as_ref().is_none_or(|i| i != "extra"))
        .filter_map(wire_name)
        .collect();
    let name = &s.ident;
    Some(quote! {
        impl #name {
            /// The JSON names of the fields the document lists, in its order.
            pub const FIELDS: &'static [&'static str] = &[#(#names),*];
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The models as [`rewrite`] leaves them, with nothing to make a `Patch`.
    /// The map of unknown fields every generated struct ends with, as typify writes it.
    fn extra_field() -> TokenStream {
        quote! {
            #[serde(flatten)]
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }
    }

    fn rewritten(models: TokenStream) -> String {
        rewrite(models, &Openings::default()).unwrap().to_string()
    }

    #[test]
    fn objects_keep_unknown_fields_unless_they_say_otherwise() {
        let mut schema = json!({"type": "object", "properties": {
            "nested": {"type": "object", "properties": {"a": {"type": "string"}}},
            "list": {"type": "array", "items": {"properties": {"b": {"type": "integer"}}}},
            "closed": {"type": "object", "additionalProperties": false},
            "either": {"oneOf": [{"type": "object"}, {"type": "string"}]}
        }});
        keep_unknown_fields(&mut schema);
        assert_eq!(schema["additionalProperties"], json!({}));
        assert_eq!(
            schema["properties"]["nested"]["additionalProperties"],
            json!({})
        );
        assert_eq!(
            schema["properties"]["list"]["items"]["additionalProperties"],
            json!({})
        );
        assert_eq!(
            schema["properties"]["closed"]["additionalProperties"],
            json!(false)
        );
        assert!(
            schema["properties"]["either"]["oneOf"][0]
                .get("additionalProperties")
                .is_none()
        );
    }

    #[test]
    fn formats_are_dropped_only_where_answers_reach() {
        let mut doc = json!({
            "paths": {"/w": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}}}},
                "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}}, "responses": {}}
            }},
            "components": {"schemas": {
                "Out": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "inner": {"$ref": "#/components/schemas/Inner"}}},
                "Inner": {"type": "object", "properties": {"at": {"type": ["string", "null"], "format": "date-time", "example": {"format": "kept"}}}},
                "In": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
            }}
        });
        prepare(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["Out"]["properties"]["id"].get("format").is_none());
        assert!(schemas["Inner"]["properties"]["at"].get("format").is_none());
        assert_eq!(
            schemas["Inner"]["properties"]["at"]["example"]["format"], "kept",
            "examples are data"
        );
        assert_eq!(schemas["In"]["properties"]["id"]["format"], "uuid");
    }

    #[test]
    fn string_enums_open_and_other_enums_stay() {
        let extra = extra_field();
        let models = quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]
            pub enum Role {
                #[serde(rename = "admin")]
                Admin,
                Member,
            }
            impl ::std::fmt::Display for Role {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { todo!() }
            }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            #[serde(untagged)]
            pub enum Either { A(i64), B(String) }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Thing {
                pub role: Role,
                #extra
            }
        };
        let out = rewritten(models);
        assert!(
            out.contains("Unknown (:: std :: string :: String)"),
            "{out}"
        );
        assert!(out.contains("Self :: Admin => \"admin\""), "{out}");
        assert!(out.contains("Self :: Member => \"Member\""), "{out}");
        assert!(
            !out.contains("todo"),
            "the generated Display is replaced: {out}"
        );
        assert!(!out.contains("Copy"), "{out}");
        assert!(
            out.contains("# [serde (untagged)] pub enum Either"),
            "{out}"
        );
        assert!(
            out.contains("keep_unknown_fields::<Thing, _>"),
            "the extra map reports: {out}"
        );
    }

    #[test]
    fn a_listed_unknown_value_moves_the_open_variant_aside() {
        let models = quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub enum State { #[serde(rename = "unknown")] Unknown, #[serde(rename = "ok")] Ok }
        };
        let out = rewritten(models);
        assert!(
            out.contains("UnlistedValue (:: std :: string :: String)"),
            "{out}"
        );
        assert!(out.contains("Self :: Unknown => \"unknown\""), "{out}");
    }

    #[test]
    fn a_narrower_enum_converts_into_a_wider_one_and_bodies_get_constructors() {
        let extra = extra_field();
        let models = quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub enum Interval { #[serde(rename = "daily")] Daily, #[serde(rename = "lifetime")] Lifetime }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub enum Reset { #[serde(rename = "daily")] Daily }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Body {
                pub name: ::std::string::String,
                pub note: ::std::option::Option<::std::string::String>,
                #extra
            }
        };
        let out = rewritten(models);
        assert!(
            out.contains("impl :: std :: convert :: From < Reset > for Interval"),
            "{out}"
        );
        assert!(!out.contains("From < Interval > for Reset"), "{out}");
        assert!(
            out.contains("pub fn new (name : impl :: std :: convert :: Into < :: std :: string :: String >) -> Self"),
            "{out}"
        );
    }

    #[test]
    fn schemas_without_a_description_are_described_by_their_use() {
        let mut doc = json!({
            "paths": {"/w": {"post": {
                "operationId": "makeW",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/MakeW"}}}},
                "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/W"}}}}}
            }}},
            "components": {"schemas": {
                "MakeW": {"type": "object"},
                "W": {"type": "object", "description": "Kept as written."}
            }}
        });
        prepare(&mut doc);
        assert_eq!(
            doc["components"]["schemas"]["MakeW"]["description"],
            "The JSON body of `makeW`."
        );
        assert_eq!(
            doc["components"]["schemas"]["W"]["description"],
            "Kept as written."
        );
    }

    #[test]
    fn a_documented_extra_map_is_not_reported_as_drift() {
        let models = quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Config {
                pub model: ::std::option::Option<::std::string::String>,
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<::std::string::String, f64>,
            }
        };
        let out = rewritten(models);
        assert!(!out.contains("keep_unknown_fields"), "{out}");
    }
    #[test]
    fn optional_nullable_request_fields_become_three_state() {
        let mut doc = json!({
            "paths": {"/w": {"patch": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/edit_w"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/W"}}}}}
            }}},
            "components": {"schemas": {
                "edit_w": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": ["string", "null"]},
                    "note": {"type": ["string", "null"]},
                    "old": {"type": "string", "nullable": true},
                    "either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "name": {"type": "string"}
                }},
                "W": {"type": "object", "properties": {"note": {"type": ["string", "null"]}}}
            }}
        });
        let openings = prepare(&mut doc);
        let fields: Vec<_> = openings.patch_fields["EditW"].iter().cloned().collect();
        assert_eq!(
            fields,
            ["either", "note", "old"],
            "required and non-nullable stay"
        );
        assert!(
            !openings.patch_fields.contains_key("W"),
            "answers keep Option"
        );

        let extra = extra_field();
        let models = quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            pub struct EditW {
                pub id: ::std::option::Option<::std::string::String>,
                #[serde(rename = "note", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub note_: ::std::option::Option<::std::string::String>,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub name: ::std::option::Option<::std::string::String>,
                #extra
            }
        };
        let out = rewrite(models, &openings).unwrap().to_string();
        assert!(
            out.contains("# [serde (rename = \"note\" , default , skip_serializing_if = \"crate::__runtime::Patch::is_unchanged\")]"),
            "{out}"
        );
        assert!(
            out.contains("pub note_ : crate :: __runtime :: Patch < :: std :: string :: String >"),
            "{out}"
        );
        assert!(
            out.contains("pub name : :: std :: option :: Option"),
            "a field outside the set keeps its Option: {out}"
        );
        assert!(
            out.contains("Default"),
            "an all-optional body keeps Default: {out}"
        );
        assert!(
            out.contains(
                "pub const FIELDS : & 'static [& 'static str] = & [\"id\" , \"note\" , \"name\"]"
            ),
            "{out}"
        );
    }
}
