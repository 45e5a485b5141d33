//! The proxy: the one given to the builder or named by the environment, checked when the
//! client is built, and named in messages without its credentials.
//!
//! ureq reads `ALL_PROXY`, `HTTPS_PROXY` and `HTTP_PROXY` (and their lower-case forms) in
//! that order, with `NO_PROXY`, and silently skips a value it cannot use, which would send
//! the requests past a proxy that may be required. The client reads the same variables in
//! the same order and refuses to build when the first one set cannot be used.

use crate::error::{ConfigError, Error};

/// The environment variables a proxy is taken from, in the order they are tried (ureq's):
/// the first one set is used, with any builder unless [`ClientBuilder::proxy`] names one,
/// and `NO_PROXY` (or `no_proxy`) lists the hosts reached without it.
///
/// [`ClientBuilder::proxy`]: crate::ClientBuilder::proxy
pub const PROXY_ENV_VARS: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// Checks the proxy `given` to the builder, or else the one the process environment
/// names; returns the proxy to configure explicitly (`None`: ureq's own reading of the
/// environment, `NO_PROXY` included, stays in force).
pub(crate) fn checked(given: Option<&str>) -> Result<Option<ureq::Proxy>, Error> {
    if let Some(url) = given {
        return parse(url, "ClientBuilder::proxy").map(Some);
    }
    for var in PROXY_ENV_VARS {
        if let Some(url) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
            // The first one set is the one ureq would use, if it can.
            parse(&url, var)?;
            return Ok(None);
        }
    }
    Ok(None)
}

/// Parses a proxy URL given by `origin` (a variable, or the builder method).
fn parse(url: &str, origin: &str) -> Result<ureq::Proxy, Error> {
    let refused = |reason: &str| {
        Error::Config(ConfigError::InvalidProxy {
            origin: origin.to_string(),
            proxy: without_credentials(url),
            reason: reason.to_string(),
        })
    };
    let proxy = ureq::Proxy::new(url.trim()).map_err(|_| {
        let scheme = url.split_once("://").map(|(scheme, _)| scheme);
        match scheme {
            Some(s) if !["http", "https"].contains(&s.to_ascii_lowercase().as_str()) => {
                refused("its scheme must be http or https")
            }
            _ => refused("it is not a URL of the form http://[user:password@]host:port"),
        }
    })?;
    if !matches!(
        proxy.protocol(),
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
    ) {
        return Err(refused(
            "SOCKS proxies are not supported: use an HTTP proxy (CONNECT)",
        ));
    }
    Ok(proxy)
}

/// `url` with any `user:password@` replaced, for messages.
pub(crate) fn without_credentials(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    // The authority ends at the first `/`; its credentials end at its last `@`.
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{authority}{path}"),
        None => format!("{authority}{path}"),
    }
}

/// How messages name `proxy`: `scheme://host:port`, never its credentials.
pub(crate) fn display(proxy: &ureq::Proxy) -> String {
    let scheme = match proxy.protocol() {
        ureq::ProxyProtocol::Https => "https",
        _ => "http",
    };
    format!("{scheme}://{}:{}", proxy.host(), proxy.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_a_message() {
        assert_eq!(
            without_credentials("http://alice:s3cret@proxy.corp:3128"),
            "http://***@proxy.corp:3128"
        );
        assert_eq!(
            without_credentials("alice:p@ss@proxy.corp"),
            "***@proxy.corp"
        );
        assert_eq!(
            without_credentials("http://proxy.corp:3128/x@y"),
            "http://proxy.corp:3128/x@y"
        );
        let proxy = ureq::Proxy::new("http://alice:s3cret@proxy.corp:3128").unwrap();
        assert_eq!(display(&proxy), "http://proxy.corp:3128");
    }

    #[test]
    fn unusable_proxies_are_refused_by_name() {
        for (url, words) in [
            ("ftp://proxy.corp", "scheme must be http or https"),
            (
                "socks5://alice:s3cret@proxy.corp",
                "SOCKS proxies are not supported",
            ),
            ("http://alice:s3cret@[bad", "not a URL"),
        ] {
            let error = parse(url, "HTTPS_PROXY").unwrap_err();
            let text = error.to_string();
            assert!(text.contains(words), "{url}: {text}");
            assert!(text.contains("HTTPS_PROXY"), "{text}");
            assert!(
                !text.contains("s3cret") && !text.contains("alice"),
                "{text}"
            );
        }
        assert!(parse("http://alice:s3cret@proxy.corp:3128", "x").is_ok());
    }
}
