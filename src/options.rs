//! Per-call options: attribution headers, retry policy and timeout for one request.

use std::time::Duration;

use ureq::http::HeaderName;

use crate::RetryPolicy;

pub(crate) const HTTP_REFERER: HeaderName = HeaderName::from_static("http-referer");
pub(crate) const APP_TITLE: HeaderName = HeaderName::from_static("x-openrouter-title");
pub(crate) const APP_CATEGORIES: HeaderName = HeaderName::from_static("x-openrouter-categories");

/// Overrides of the client's defaults for one call.
///
/// Every operation builder has the same setters (`http_referer`, `app_title`,
/// `app_categories`, `retry_policy`, `no_retries`, `timeout`, `options`); this type lets
/// you keep a set of them and apply it to many calls.
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::CallOptions;
///
/// let quick = CallOptions::new().timeout(Duration::from_secs(5)).app_title("nightly-sync");
/// # let _ = quick;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    pub(crate) http_referer: Option<String>,
    pub(crate) app_title: Option<String>,
    pub(crate) app_categories: Option<String>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<Duration>,
}

impl CallOptions {
    /// No overrides: the client's defaults apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `HTTP-Referer` header for this call (your app's URL, used for attribution).
    pub fn http_referer(mut self, value: impl Into<String>) -> Self {
        self.http_referer = Some(value.into());
        self
    }

    /// The `X-OpenRouter-Title` header for this call (your app's display name).
    pub fn app_title(mut self, value: impl Into<String>) -> Self {
        self.app_title = Some(value.into());
        self
    }

    /// The `X-OpenRouter-Categories` header for this call (comma-separated categories).
    pub fn app_categories(mut self, value: impl Into<String>) -> Self {
        self.app_categories = Some(value.into());
        self
    }

    /// The retry policy for this call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends this call once, whatever happens.
    pub fn no_retries(self) -> Self {
        self.retry_policy(RetryPolicy::none())
    }

    /// The timeout of each attempt of this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The attribution headers, each with its value when one is set: the one list of them,
    /// for the client's defaults and a call's overrides alike.
    pub(crate) fn attribution(&self) -> [(HeaderName, Option<&str>); 3] {
        [
            (HTTP_REFERER, self.http_referer.as_deref()),
            (APP_TITLE, self.app_title.as_deref()),
            (APP_CATEGORIES, self.app_categories.as_deref()),
        ]
    }

    /// Applies the overrides set in `other` on top of these.
    pub(crate) fn merge(&mut self, other: CallOptions) {
        let CallOptions {
            http_referer,
            app_title,
            app_categories,
            retry,
            timeout,
        } = other;
        self.http_referer = http_referer.or(self.http_referer.take());
        self.app_title = app_title.or(self.app_title.take());
        self.app_categories = app_categories.or(self.app_categories.take());
        self.retry = retry.or(self.retry.take());
        self.timeout = timeout.or(self.timeout.take());
    }
}

/// Gives an operation builder the per-call setters of [`CallOptions`].
///
/// Generated builders invoke it, so that every operation offers the same options under the
/// same names. Each setter applies the [`CallOptions`] setter of the same name, which
/// defines what it does.
macro_rules! call_options {
    ($builder:ident) => {
        impl $builder<'_> {
            /// Sets the `HTTP-Referer` header of this call, replacing the client's default.
            pub fn http_referer(
                self,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.options($crate::CallOptions::new().http_referer(value))
            }

            /// Sets the `X-OpenRouter-Title` header of this call, replacing the client's default.
            pub fn app_title(
                self,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.options($crate::CallOptions::new().app_title(value))
            }

            /// Sets the `X-OpenRouter-Categories` header of this call, replacing the client's default.
            pub fn app_categories(
                self,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.options($crate::CallOptions::new().app_categories(value))
            }

            /// Uses `policy` for this call instead of the client's retry policy.
            pub fn retry_policy(self, policy: $crate::RetryPolicy) -> Self {
                self.options($crate::CallOptions::new().retry_policy(policy))
            }

            /// Sends this call once, with no retries.
            pub fn no_retries(self) -> Self {
                self.options($crate::CallOptions::new().no_retries())
            }

            /// Sets the timeout of each attempt of this call.
            pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
                self.options($crate::CallOptions::new().timeout(timeout))
            }

            /// Applies a prepared set of per-call options on top of those already set.
            pub fn options(mut self, options: $crate::CallOptions) -> Self {
                self.options.merge(options);
                self
            }
        }
    };
}

pub(crate) use call_options;
