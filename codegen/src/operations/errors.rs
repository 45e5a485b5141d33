//! The error-body enum: one variant per schema the documented error responses use.

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::Op;
use crate::document::type_ident;

/// Variant name of the error body enum for a schema: `BadRequestResponse` → `BadRequest`.
pub(super) fn error_variant(schema: &str) -> Ident {
    let trimmed = schema
        .strip_suffix("Response")
        .filter(|s| !s.is_empty())
        .unwrap_or(schema);
    type_ident(trimmed)
}

pub(super) fn collect_error_bodies(ops: &[Op]) -> Vec<String> {
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

pub(super) fn emit_error_bodies(schemas: &[String]) -> TokenStream {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_variants_drop_the_response_suffix() {
        assert_eq!(
            error_variant("BadRequestResponse").to_string(),
            "BadRequest"
        );
        assert_eq!(error_variant("Response").to_string(), "Response");
    }
}
