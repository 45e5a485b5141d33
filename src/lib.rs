//! A blocking client for the OpenRouter Workspaces management API: workspaces, their
//! spending budgets and their members.
//!
//! The models ([`types`]) and one request builder per operation ([`workspaces`]) are
//! generated at build time from the OpenAPI document in `openapi/`; this crate's own code
//! is the runtime around them: [`Client`] configuration, the single execution path with
//! retries, attribution headers, errors, input checks and pagination.
//!
//! ```no_run
//! use openrouter_workspaces::{Client, types::WorkspaceBudgetInterval};
//!
//! # fn main() -> Result<(), openrouter_workspaces::Error> {
//! let client = Client::from_env()?;
//! let created = client
//!     .workspaces()
//!     .create()
//!     .name("Staging")
//!     .slug("staging")
//!     .send()?;
//! client
//!     .workspaces()
//!     .set_budget("staging", WorkspaceBudgetInterval::Monthly)
//!     .limit_usd(250.0)
//!     .send()?;
//! println!("created {}", created.data.id);
//! # Ok(())
//! # }
//! ```

//! Against the local emulator (the crate `openrouter-workspaces-emulator`), as the tests
//! and the quickstart run it, the same calls go through every layer with nothing leaving
//! the machine:
//!
//! ```
//! use openrouter_workspaces::{Client, types::WorkspaceBudgetInterval};
//! use openrouter_workspaces_emulator::Emulator;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start()?;
//! let client = Client::builder()
//!     .api_key(emulator.management_key())
//!     .base_url(emulator.base_url())
//!     .build()?;
//! client.workspaces().create().name("Staging").slug("staging").send()?;
//! client
//!     .workspaces()
//!     .set_budget("staging", WorkspaceBudgetInterval::Monthly)
//!     .limit_usd(250.0)
//!     .send()?;
//! let budgets = client.workspaces().list_budgets("staging").send()?;
//! assert_eq!(budgets.data[0].limit_usd, 250.0);
//! # Ok(())
//! # }
//! ```
//!
//! # Other crates in the public API
//!
//! A few types of other crates appear in this crate's API; they are re-exported, so that a
//! caller names the very versions this crate was built with, and a major version change of
//! one of them is a major version change of this crate:
//!
//! - [`ureq`]: [`Error::Transport`]'s `source` is a [`ureq::Error`];
//!   [`ClientBuilder::agent`] takes a [`ureq::Agent`]; headers ([`ApiError`]'s, and
//!   [`Response::headers`]) are a [`ureq::http::HeaderMap`] (the `http` crate's type).
//! - [`serde_json`]: the `extra` map of every model is a
//!   `serde_json::Map<String, serde_json::Value>`.
//! - [`uuid`]: a `format: uuid` string that only requests carry (a parameter, a field of a
//!   request-only body) is a [`uuid::Uuid`]. The Workspaces document has none today; a
//!   regenerated client whose document has one uses this type.
//!
//! Timestamps in the models stay the `String`s the server sent (RFC 3339): every value
//! decodes, and the caller parses it with the date crate of their choice.

mod client;
mod decode;
mod drift;
mod error;
mod execute;
mod network;
mod options;
mod pagination;
mod patch;
mod proxy;
mod reconcile;
mod request;
mod resolver;
mod response;
mod retry;
pub mod schema;
mod tls;
mod transport;
mod validation;

pub use client::{
    API_KEY_ENV, APP_CATEGORIES_ENV, APP_TITLE_ENV, Attempt, AttemptKind, AttemptOutcome,
    BASE_URL_ENV, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT, HTTP_REFERER_ENV, RETRY_MAX_ELAPSED_ENV,
};
pub use serde_json;
pub use ureq;
pub use uuid;

pub use drift::{DIFF_COMMAND, DIFF_TOOL_INSTALL, Drift, DriftKind};
pub use error::{ApiError, ConfigError, Error, InvalidInput};
pub use network::{CertificateProblem, NetworkFailure, NetworkFailureKind};
pub use options::CallOptions;
pub use pagination::{Items, OffsetPaged};
pub use patch::Patch;
pub use proxy::PROXY_ENV_VARS;
pub use resolver::{CACHE_ENTRIES as RESOLVER_CACHE_ENTRIES, CACHE_TTL as RESOLVER_CACHE_TTL};
pub use response::Response;
pub use retry::{DEFAULT_MAX_ELAPSED, RetryPolicy, StatusClass};
pub use schema::{Described, RequestBuilder};
pub use tls::{SSL_CERT_DIR_ENV, SSL_CERT_FILE_ENV};

/// What the generated code calls: the one contract between the generator and this crate's
/// runtime, checked by the compiler when the generated source is built. Not part of the
/// public API and exempt from semantic versioning; use the items' public paths instead.
#[doc(hidden)]
pub mod __runtime {
    pub use crate::client::Client;
    pub use crate::drift::{keep_unknown_fields, unknown_value};
    pub use crate::error::Error;
    pub use crate::options::CallOptions;
    pub(crate) use crate::options::call_options;
    pub use crate::pagination::{Items, OffsetPaged};
    pub use crate::patch::Patch;
    pub use crate::request::{Deferred, ErrorStatus, JsonBody, RequestParts};
    pub use crate::response::Response;
    pub use crate::retry::{SpecRetry, StatusClass};
    pub use crate::schema::{
        Body, Described, Field, Kind, Location, Lookup, Method, Model, Operation, Parameter,
        Pattern, RequestBuilder, Rules, Shape, WriteRules,
    };

    /// Sends a request an operation built, under the call's options, and decodes the
    /// answer: the one execution path of every operation.
    pub fn send<T: serde::de::DeserializeOwned>(
        client: &Client,
        request: RequestParts,
        options: &CallOptions,
    ) -> Result<Response<T>, Error> {
        client.execute(request, options)
    }
}

/// The README's Rust examples, compiled as doc tests so that the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

// The generated models (`types`), operation builders (one module per tag), the typed
// error bodies (`ApiErrorBody`) and the facts taken from the spec (`spec`).
include!(concat!(env!("OUT_DIR"), "/openrouter_workspaces.rs"));
