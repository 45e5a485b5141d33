//! The client and its configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::http::{HeaderMap, HeaderValue, Uri};

use crate::drift::Drift;
use crate::error::{ConfigError, Error};
use crate::options::{APP_CATEGORIES, APP_TITLE, CallOptions, HTTP_REFERER};
use crate::resolver::{Lookup, Resolver};
use crate::retry::RetryPolicy;
use crate::tls::{RootSource, SSL_CERT_DIR_ENV, SSL_CERT_FILE_ENV};

/// Environment variable read for the API key.
pub const API_KEY_ENV: &str = "OPENROUTER_API_KEY";
/// Environment variable read for the base URL.
pub const BASE_URL_ENV: &str = "OPENROUTER_BASE_URL";
/// Environment variable read for the default `HTTP-Referer` header.
pub const HTTP_REFERER_ENV: &str = "OPENROUTER_HTTP_REFERER";
/// Environment variable read for the default `X-OpenRouter-Title` header.
pub const APP_TITLE_ENV: &str = "OPENROUTER_APP_TITLE";
/// Environment variable read for the default `X-OpenRouter-Categories` header.
pub const APP_CATEGORIES_ENV: &str = "OPENROUTER_APP_CATEGORIES";
/// Environment variable read for the total time a call keeps retrying, in seconds (the
/// default policy's [`RetryPolicy::max_elapsed`]): a script's way to shorten it.
pub const RETRY_MAX_ELAPSED_ENV: &str = "OPENROUTER_RETRY_MAX_ELAPSED";

/// Default timeout of one attempt, from sending the request to the end of the response.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default timeout for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on the size of a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// A blocking client of the OpenRouter Workspaces API.
///
/// Cheap to clone (the clones share one connection pool) and safe to share between
/// threads. Operations are grouped by tag: `client.workspaces().list()`.
///
/// ```no_run
/// use openrouter_workspaces::Client;
///
/// # fn main() -> Result<(), openrouter_workspaces::Error> {
/// let client = Client::from_env()?; // OPENROUTER_API_KEY, optional OPENROUTER_BASE_URL
/// for workspace in client.workspaces().list().items() {
///     println!("{}", workspace?.slug);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// The client's fixed state: everything per-call work only reads.
pub(crate) struct Inner {
    pub(crate) agent: ureq::Agent,
    /// A caller's agent keeps its own settings; ours already has the ones we need.
    pub(crate) agent_is_ours: bool,
    pub(crate) base_url: String,
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    /// The default attribution headers, checked ([`CallOptions::attribution`]).
    pub(crate) attribution: HeaderMap,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: u64,
    pub(crate) on_attempt: Option<AttemptHook>,
    pub(crate) on_drift: Option<DriftHook>,
    /// The resolver of our own agent (none with a caller's agent).
    pub(crate) resolver: Option<Resolver>,
    /// The wait a 429 asked for, kept by every call on every thread.
    pub(crate) pause: crate::retry::SharedPause,
}

/// A function called after every attempt.
pub(crate) type AttemptHook = Arc<dyn Fn(&Attempt<'_>) + Send + Sync>;
/// A function called for each thing an answer carried that the document lacks.
pub(crate) type DriftHook = Arc<dyn Fn(&Drift) + Send + Sync>;

/// What one attempt of a call did; given to the hook set with
/// [`ClientBuilder::on_attempt`], for metrics and tracing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Attempt<'a> {
    /// The operationId of the call.
    pub operation: &'static str,
    /// The call's own request, or a lookup the client made to settle it.
    pub kind: AttemptKind,
    /// The HTTP method.
    pub method: &'static str,
    /// The full URL requested (it never contains the key).
    pub url: &'a str,
    /// 1 for the first attempt (lookups are counted apart, from 1).
    pub number: u32,
    /// What came of it.
    pub outcome: AttemptOutcome,
    /// The response headers, when a response arrived (rate-limit headers, request ids):
    /// an [`http::HeaderMap`](ureq::http::HeaderMap).
    pub headers: Option<&'a ureq::http::HeaderMap>,
    /// How long the attempt took.
    pub elapsed: Duration,
    /// The wait before the next attempt, when there will be one.
    pub next_delay: Option<Duration>,
}

/// Which request of a call an [`Attempt`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptKind {
    /// The call's own request (sent again on a retry).
    Request,
    /// A `GET` the client sent to settle a write whose outcome an earlier attempt left
    /// unknown: did the create happen, where did the rename put the workspace.
    Lookup,
}

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// A response arrived with this status.
    Status(u16),
    /// No complete answer within the timeout.
    Timeout,
    /// No answer over the network (or one over the size limit): what failed, in the words
    /// of the [`NetworkFailure`](crate::NetworkFailure) (the host, the proxy without its
    /// credentials, the cause, what to do).
    Transport(String),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("api_key", &"<redacted>")
            .field("http_referer", &inner.attribution.get(HTTP_REFERER))
            .field("app_title", &inner.attribution.get(APP_TITLE))
            .field("app_categories", &inner.attribution.get(APP_CATEGORIES))
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with nothing set: give it at least an API key.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `OPENROUTER_API_KEY` (required),
    /// `OPENROUTER_BASE_URL`, `OPENROUTER_HTTP_REFERER`, `OPENROUTER_APP_TITLE`,
    /// `OPENROUTER_APP_CATEGORIES`, `OPENROUTER_RETRY_MAX_ELAPSED` (seconds), and CA
    /// certificates to trust from `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` (see [`ClientBuilder::add_root_certificates_file`]). Proxies come
    /// from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` with any builder.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::from_env()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env().build()
    }

    /// The base URL every request path is appended to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::{Client, RetryPolicy};
///
/// # fn main() -> Result<(), openrouter_workspaces::Error> {
/// let client = Client::builder()
///     .api_key("sk-or-v1-example")
///     .app_title("inventory-sync")
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_elapsed(Duration::from_secs(20)))
///     .build()?;
/// assert_eq!(client.base_url(), "https://openrouter.ai/api/v1");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    /// What every call does unless it says otherwise: the attribution headers, the timeout
    /// and the retry policy, set as a call's options are.
    defaults: CallOptions,
    connect_timeout: Option<Duration>,
    agent: Option<ureq::Agent>,
    max_response_bytes: Option<u64>,
    allow_insecure_http: bool,
    on_attempt: Option<AttemptHook>,
    on_drift: Option<DriftHook>,
    lookup: Option<Lookup>,
    proxy: Option<String>,
    roots: Vec<RootSource>,
    /// `OPENROUTER_RETRY_MAX_ELAPSED`, checked by `build`.
    retry_max_elapsed: Option<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("http_referer", &self.defaults.http_referer)
            .field("app_title", &self.defaults.app_title)
            .field("app_categories", &self.defaults.app_categories)
            .field("timeout", &self.defaults.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.defaults.retry)
            .field("custom_agent", &self.agent.is_some())
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("custom_lookup", &self.lookup.is_some())
            .field(
                "proxy",
                &self.proxy.as_deref().map(crate::proxy::without_credentials),
            )
            .field("added_root_sources", &self.roots.len())
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder filled from the process environment (see [`Client::from_env`]); setters
    /// called afterwards win.
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// A builder filled from `lookup` instead of the process environment, with the same
    /// variable names: for configuration kept elsewhere, and for tests.
    ///
    /// ```
    /// use openrouter_workspaces::ClientBuilder;
    ///
    /// let vars = [("OPENROUTER_API_KEY", "sk-or-test"), ("OPENROUTER_BASE_URL", "http://127.0.0.1:9/v1")];
    /// let client = ClientBuilder::from_env_with(|name| {
    ///     vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    /// })
    /// .build()
    /// .unwrap();
    /// assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut roots = Vec::new();
        if let Some(file) = get(SSL_CERT_FILE_ENV) {
            roots.push(RootSource::File {
                path: file.into(),
                origin: Some(SSL_CERT_FILE_ENV),
            });
        }
        if let Some(dirs) = get(SSL_CERT_DIR_ENV) {
            roots.extend(
                std::env::split_paths(&dirs)
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .map(|path| RootSource::Dir {
                        path,
                        origin: Some(SSL_CERT_DIR_ENV),
                    }),
            );
        }
        Self {
            api_key: get(API_KEY_ENV),
            base_url: get(BASE_URL_ENV),
            defaults: CallOptions {
                http_referer: get(HTTP_REFERER_ENV),
                app_title: get(APP_TITLE_ENV),
                app_categories: get(APP_CATEGORIES_ENV),
                ..CallOptions::default()
            },
            roots,
            retry_max_elapsed: get(RETRY_MAX_ELAPSED_ENV),
            ..Self::default()
        }
    }

    /// The API key (a management key), sent as `Authorization: Bearer …`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The base URL, for example a proxy or a local emulator. Default: the server of the
    /// OpenAPI document, `https://openrouter.ai/api/v1`. A trailing slash is ignored; a
    /// path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Default `HTTP-Referer` header: your app's URL, for attribution. Unset means not sent.
    pub fn http_referer(mut self, value: impl Into<String>) -> Self {
        self.defaults = self.defaults.http_referer(value);
        self
    }

    /// Default `X-OpenRouter-Title` header: your app's display name. Unset means not sent.
    pub fn app_title(mut self, value: impl Into<String>) -> Self {
        self.defaults = self.defaults.app_title(value);
        self
    }

    /// Default `X-OpenRouter-Categories` header: comma-separated categories such as
    /// `cli-agent`. Unset means not sent.
    pub fn app_categories(mut self, value: impl Into<String>) -> Self {
        self.defaults = self.defaults.app_categories(value);
        self
    }

    /// Timeout of one attempt, from sending the request to the end of the response body
    /// (default [`DEFAULT_TIMEOUT`], 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.defaults = self.defaults.timeout(timeout);
        self
    }

    /// Timeout for establishing a connection (default [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    /// Ignored when you hand in your own agent.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The retry policy of every call (default [`RetryPolicy::default`], its total time
    /// bounded by `OPENROUTER_RETRY_MAX_ELAPSED` when [`from_env`](Self::from_env) read it).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.defaults = self.defaults.retry_policy(policy);
        self
    }

    /// Uses your own configured `ureq::Agent` (TLS roots, proxy, pool sizes). The client
    /// still reads error bodies itself and applies its timeouts per request; the connect
    /// timeout, resolver, proxy and root certificates set on this builder are then yours
    /// to set on the agent. Its failures are classified by their errors alone, so fewer of
    /// them are known to have happened before sending.
    pub fn agent(mut self, agent: ureq::Agent) -> Self {
        self.agent = Some(agent);
        self
    }

    /// The largest response body accepted (default [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Allows a plain `http://` base URL on a host other than loopback, which would send
    /// the key unencrypted. Off by default: such a URL is refused by [`build`](Self::build).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Calls `hook` after every attempt of every call, with what happened and the wait
    /// before the next attempt: for metrics and tracing, or to show retries as they happen
    /// (what the command-line tool prints):
    ///
    /// ```
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .on_attempt(|a| if let Some(wait) = a.next_delay {
    ///         eprintln!("attempt {} failed ({:?}); retrying in {wait:.1?}", a.number, a.outcome)
    ///     })
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_attempt(mut self, hook: impl Fn(&Attempt<'_>) + Send + Sync + 'static) -> Self {
        self.on_attempt = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` for each thing a successful answer carried that the OpenAPI document
    /// does not describe (a new field, a new enum value): the sign that the server is newer
    /// than the document and the client should be regenerated. It is called on every call
    /// that meets one (once per distinct finding in an answer), for counting; the client
    /// also logs each distinct finding once at warning level through `log`. The values
    /// themselves are kept in the decoded model.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use openrouter_workspaces::Client;
    ///
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&seen);
    /// let client = Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .on_drift(move |drift| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///         eprintln!("regenerate soon: {drift}");
    ///     })
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_drift(mut self, hook: impl Fn(&Drift) + Send + Sync + 'static) -> Self {
        self.on_drift = Some(Arc::new(hook));
        self
    }

    /// Looks host names up with `lookup` instead of the system's resolver. It receives
    /// `host:port` and returns the addresses to try, in order: to pin a host to an address
    /// (as curl's `--resolve` does), or to test. Its results are cached like the system's
    /// (for [`RESOLVER_CACHE_TTL`](crate::RESOLVER_CACHE_TTL)); an IP literal never
    /// reaches it. An error of kind [`std::io::ErrorKind::NotFound`] says the name does
    /// not exist (the call fails at once, not retried); any other error is a lookup that
    /// failed for now (retried like a refused connection). Ignored when you hand in your
    /// own [`agent`](Self::agent).
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use openrouter_workspaces::Client;
    ///
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .base_url("http://localhost:8080/api/v1")
    ///     .resolver(|_host_port| Ok(vec![SocketAddr::from(([127, 0, 0, 1], 8080))]))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn resolver(
        mut self,
        lookup: impl Fn(&str) -> std::io::Result<Vec<std::net::SocketAddr>> + Send + Sync + 'static,
    ) -> Self {
        self.lookup = Some(Arc::new(lookup));
        self
    }

    /// Sends every request through this proxy (`http://[user:password@]host:port`, or
    /// `https://...`; an HTTP `CONNECT` tunnel), instead of the one `ALL_PROXY`,
    /// `HTTPS_PROXY` or `HTTP_PROXY` names (then `NO_PROXY` does not apply). Its
    /// credentials never appear in a message. Ignored when you hand in your own
    /// [`agent`](Self::agent).
    ///
    /// ```
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .proxy("http://user:secret@proxy.example:3128")
    ///     .build()?;
    /// assert!(!format!("{client:?}").contains("secret"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Trusts the CA certificates in `pem` (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks) besides the default roots: a private CA, or the CA of a TLS-inspecting
    /// proxy. Checked by [`build`](Self::build). Ignored when you hand in your own
    /// [`agent`](Self::agent); with the `platform-verifier` feature, added certificates
    /// replace the system's store by the Mozilla roots and them (ureq cannot combine the
    /// two).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let pem = std::fs::read("corporate-ca.pem").expect("the CA certificate");
    /// let client = openrouter_workspaces::Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .add_root_certificates(pem)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots.push(RootSource::Pem(pem.into()));
        self
    }

    /// Trusts the CA certificates in the PEM file at `path` besides the default roots, as
    /// `SSL_CERT_FILE` does with [`from_env`](Self::from_env). The file is read by
    /// [`build`](Self::build), which fails naming it when it cannot be read or holds no
    /// usable certificate.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .add_root_certificates_file("/etc/ssl/certs/corporate-ca.pem")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_root_certificates_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.roots.push(RootSource::File {
            path: path.into(),
            origin: None,
        });
        self
    }

    /// Trusts the CA certificates of a directory besides the default roots, as
    /// `SSL_CERT_DIR` does with [`from_env`](Self::from_env): its files named as OpenSSL's
    /// `c_rehash` names them (`5ad8a5d6.0`), or else its `*.pem` and `*.crt` files. Read by
    /// [`build`](Self::build), which fails when none holds a usable certificate.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), openrouter_workspaces::Error> {
    /// let client = openrouter_workspaces::Client::builder()
    ///     .api_key("sk-or-v1-example")
    ///     .add_root_certificates_dir("/usr/local/share/ca-certificates")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_root_certificates_dir(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.roots.push(RootSource::Dir {
            path: path.into(),
            origin: None,
        });
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Fails with [`Error::Config`] when there is no API key, when the base URL is not an
    /// absolute `http(s)` URL (or is plain `http` to a non-loopback host without
    /// [`allow_insecure_http`](Self::allow_insecure_http)), when a header value cannot be
    /// sent (control characters such as CR or LF), when the proxy (given, or the first of
    /// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` set) cannot be used, or when added root
    /// certificates cannot be read or used.
    pub fn build(self) -> Result<Client, Error> {
        let key = self
            .api_key
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .ok_or(Error::Config(ConfigError::MissingApiKey))?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {key}"))
            .map_err(|_| Error::Config(ConfigError::UnsendableApiKey))?;
        authorization.set_sensitive(true);

        let base_url = self
            .base_url
            .or_else(|| crate::spec::DEFAULT_BASE_URL.map(str::to_string))
            .ok_or(Error::Config(ConfigError::MissingBaseUrl))?;
        let base_url = check_base_url(&base_url, self.allow_insecure_http)?;

        let mut attribution = HeaderMap::new();
        for (name, value) in self.defaults.attribution() {
            if let Some(value) = value {
                let value = HeaderValue::try_from(value).map_err(|_| {
                    Error::Config(ConfigError::UnsendableHeader {
                        header: name.to_string(),
                    })
                })?;
                attribution.insert(name, value);
            }
        }
        let CallOptions { retry, timeout, .. } = self.defaults;
        let timeout = timeout.unwrap_or(DEFAULT_TIMEOUT);

        let user_agent = HeaderValue::from_static(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ));
        let (agent, resolver) = match self.agent {
            Some(agent) => (agent, None),
            None => {
                let resolver = match self.lookup {
                    Some(lookup) => Resolver::with_lookup(lookup),
                    None => Resolver::default(),
                };
                let agent = our_agent(
                    Transport {
                        connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                        timeout,
                        proxy: crate::proxy::checked(self.proxy.as_deref())?,
                        tls: crate::tls::settings(&self.roots)?,
                    },
                    &user_agent,
                    resolver.clone(),
                );
                (agent, Some(resolver))
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                agent_is_ours: resolver.is_some(),
                base_url,
                authorization,
                user_agent,
                attribution,
                timeout,
                retry: match (retry, self.retry_max_elapsed) {
                    (Some(policy), _) => policy,
                    (None, Some(text)) => RetryPolicy::default().max_elapsed(seconds(&text)?),
                    (None, None) => RetryPolicy::default(),
                },
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                on_attempt: self.on_attempt,
                on_drift: self.on_drift,
                resolver,
                pause: crate::retry::SharedPause::new(),
            }),
        })
    }
}

/// How the client's own agent connects.
struct Transport {
    connect_timeout: Duration,
    timeout: Duration,
    /// A proxy to use instead of the environment's.
    proxy: Option<ureq::Proxy>,
    /// The TLS settings, when not ureq's default.
    tls: Option<crate::tls::Settings>,
}

/// The agent the client uses unless given one: its timeouts, no redirects, a pool sized
/// for threads sharing the client, our resolver instead of ureq's (which starts a thread
/// for every request once a timeout applies; see `resolver`), and ureq's connectors
/// watched, so that a failure is known to have happened before sending (see `transport`).
fn our_agent(transport: Transport, user_agent: &HeaderValue, resolver: Resolver) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(transport.connect_timeout))
        .timeout_global(Some(transport.timeout))
        // An API answer is never a redirect; following one would move the key.
        .max_redirects(0)
        .max_redirects_will_error(false)
        // A client shared by threads keeps a connection per busy thread; ureq's default of
        // 3 idle connections per host makes the others reconnect.
        .max_idle_connections(32)
        .max_idle_connections_per_host(16)
        .user_agent(user_agent.to_str().unwrap_or("openrouter-workspaces"));
    // Without one given, ureq's default reads the environment's proxy (and NO_PROXY).
    let config = match transport.proxy {
        Some(proxy) => config.proxy(Some(proxy)),
        None => config,
    };
    // The trust roots (see `tls`); otherwise ureq's default, rustls with the Mozilla roots
    // (or no TLS at all).
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    let config = match transport.tls {
        Some(tls) => config.tls_config(tls),
        None => config,
    };
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    if let Some(none) = transport.tls {
        match none {}
    }
    ureq::Agent::with_parts(
        config.build(),
        crate::transport::Watched::default(),
        resolver,
    )
}

/// Validates a base URL and returns it without a trailing slash.
fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let trimmed = url.trim().trim_end_matches('/');
    let uri: Uri = trimmed
        .parse()
        .map_err(|e| bad_base_url(trimmed, format!("is not a URL: {e}")))?;
    let host = uri
        .host()
        .ok_or_else(|| bad_base_url(trimmed, "has no host".into()))?;
    if uri.query().is_some() {
        return Err(bad_base_url(trimmed, "must not have a query".into()));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_insecure_http || is_loopback(host) => {}
        Some("http") => {
            return Err(Error::Config(ConfigError::InsecureBaseUrl {
                url: trimmed.to_string(),
                host: host.to_string(),
            }));
        }
        _ => {
            return Err(bad_base_url(
                trimmed,
                "must start with https:// (or http:// for a local server)".into(),
            ));
        }
    }
    Ok(trimmed.to_string())
}

/// `OPENROUTER_RETRY_MAX_ELAPSED` as a duration.
fn seconds(text: &str) -> Result<Duration, Error> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            Error::Config(ConfigError::InvalidVariable {
                name: RETRY_MAX_ELAPSED_ENV.to_string(),
                reason: format!("must be a number of seconds (such as 10 or 2.5), not `{text}`"),
            })
        })
}

fn bad_base_url(url: &str, reason: String) -> Error {
    Error::Config(ConfigError::BadBaseUrl {
        url: url.to_string(),
        reason,
    })
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_prefix_and_drops_trailing_slash() {
        assert_eq!(
            check_base_url("https://example.com/api/v1/", false).unwrap(),
            "https://example.com/api/v1"
        );
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        assert!(check_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(check_base_url("http://localhost:8080/v1", false).is_ok());
        assert!(check_base_url("http://[::1]:8080", false).is_ok());
        let err = check_base_url("http://example.com", false).unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{err}");
        assert!(check_base_url("http://example.com", true).is_ok());
        assert!(check_base_url("ftp://example.com", true).is_err());
        assert!(check_base_url("not a url", true).is_err());
    }
}
