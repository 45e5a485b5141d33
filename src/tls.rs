//! Which certificate authorities the client trusts.
//!
//! By default, the Mozilla roots (rustls), or the operating system's store and verifier
//! (the `platform-verifier` feature, or `native-tls`). Root certificates the caller adds
//! (the builder, `SSL_CERT_FILE`, `SSL_CERT_DIR`) are trusted besides the Mozilla roots:
//! a private CA, or the CA of a TLS-inspecting proxy. They are read and checked when the
//! client is built, so that a missing or broken file is a configuration error naming it,
//! not a handshake failure later.

#[cfg(any(feature = "rustls", feature = "native-tls"))]
use std::collections::HashSet;
#[cfg(any(feature = "rustls", feature = "native-tls"))]
use std::path::Path;
use std::path::PathBuf;

#[cfg(any(feature = "rustls", feature = "native-tls"))]
use ureq::tls::{Certificate, PemItem};

use crate::error::{ConfigError, Error};

/// Environment variable read for a file of trusted CA certificates (PEM), as curl and
/// OpenSSL read it.
pub const SSL_CERT_FILE_ENV: &str = "SSL_CERT_FILE";
/// Environment variable read for directories of trusted CA certificates (PEM files,
/// `:`-separated), as OpenSSL reads it.
pub const SSL_CERT_DIR_ENV: &str = "SSL_CERT_DIR";

/// Where added root certificates come from.
#[derive(Debug, Clone)]
pub(crate) enum RootSource {
    /// PEM text given to the builder.
    Pem(Vec<u8>),
    /// A PEM file; `origin` is the variable that named it, if one did.
    File {
        path: PathBuf,
        origin: Option<&'static str>,
    },
    /// A directory of PEM files, as `SSL_CERT_DIR` names one.
    Dir {
        path: PathBuf,
        origin: Option<&'static str>,
    },
}

impl RootSource {
    /// How messages name this source.
    fn name(&self) -> String {
        match self {
            RootSource::Pem(pem) => format!(
                "the PEM given to ClientBuilder::add_root_certificates ({} bytes)",
                pem.len()
            ),
            RootSource::File { path, origin } | RootSource::Dir { path, origin } => match origin {
                Some(var) => format!("{var}={}", path.display()),
                None => format!("`{}`", path.display()),
            },
        }
    }

    fn refused(&self, reason: impl Into<String>) -> Error {
        Error::Config(ConfigError::RootCertificates {
            source: self.name(),
            reason: reason.into(),
        })
    }
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
/// The certificates of every source, each checked; duplicates are dropped.
pub(crate) fn load(sources: &[RootSource]) -> Result<Vec<Certificate<'static>>, Error> {
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    for source in sources {
        let certificates = match source {
            RootSource::Pem(pem) => certificates_in(pem).map_err(|e| source.refused(e))?,
            RootSource::File { path, .. } => {
                let pem = std::fs::read(path)
                    .map_err(|e| source.refused(format!("cannot read the file: {e}")))?;
                certificates_in(&pem).map_err(|e| source.refused(e))?
            }
            RootSource::Dir { path, .. } => in_directory(path).map_err(|e| source.refused(e))?,
        };
        for certificate in certificates {
            if seen.insert(certificate.der().to_vec()) {
                all.push(certificate);
            }
        }
    }
    Ok(all)
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
/// The certificates in PEM text, each checked as a trust root.
fn certificates_in(pem: &[u8]) -> Result<Vec<Certificate<'static>>, String> {
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(certificate)) => {
                usable_as_root(&certificate).map_err(|why| {
                    format!(
                        "certificate {} cannot be a trust root: {why}",
                        certificates.len() + 1
                    )
                })?;
                certificates.push(certificate);
            }
            // A private key beside the certificates is not ours to use, nor an error.
            Ok(_) => {}
            Err(_) => return Err("it is not valid PEM".into()),
        }
    }
    if certificates.is_empty() {
        return Err("it holds no certificate (PEM `-----BEGIN CERTIFICATE-----` blocks)".into());
    }
    Ok(certificates)
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
/// The certificates of a directory: its files named as OpenSSL's `c_rehash` names them
/// (`5ad8a5d6.0`), or else its `*.pem` and `*.crt` files; files that hold no certificate
/// are passed over, as OpenSSL passes over them.
fn in_directory(dir: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the directory: {e}"))?;
    let mut hashed = Vec::new();
    let mut named = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_hash_name(&name) {
            hashed.push(entry.path());
        } else if name.ends_with(".pem") || name.ends_with(".crt") {
            named.push(entry.path());
        }
    }
    let mut files = if hashed.is_empty() { named } else { hashed };
    files.sort();
    let certificates: Vec<_> = files
        .iter()
        .filter_map(|file| std::fs::read(file).ok())
        .filter_map(|pem| certificates_in(&pem).ok())
        .flatten()
        .collect();
    if certificates.is_empty() {
        return Err("it holds no file with a usable certificate".into());
    }
    Ok(certificates)
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
/// Whether `name` is an OpenSSL subject-hash name: eight hex digits, a dot, a number.
fn is_hash_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((hash, n)) => {
            hash.len() == 8
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Whether the TLS library can take `certificate` as a trust root (ureq drops one it
/// cannot parse without a word).
#[cfg(feature = "rustls")]
fn usable_as_root(certificate: &Certificate<'_>) -> Result<(), String> {
    let der = rustls::pki_types::CertificateDer::from(certificate.der());
    webpki::anchor_from_trusted_cert(&der)
        .map(drop)
        .map_err(|_| "it is not a well-formed X.509 certificate".to_string())
}

#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
fn usable_as_root(_: &Certificate<'_>) -> Result<(), String> {
    Ok(())
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
/// The TLS configuration of the client's own agent, trusting `added` besides the default
/// roots; `None` keeps ureq's default (rustls with the Mozilla roots).
pub(crate) fn config(added: Vec<Certificate<'static>>) -> Option<ureq::tls::TlsConfig> {
    use ureq::tls::{RootCerts, TlsConfig};
    let builder = TlsConfig::builder();
    #[cfg(feature = "native-tls")]
    let builder = builder.provider(ureq::tls::TlsProvider::NativeTls);
    if added.is_empty() {
        // The system's trust store with native-tls or the platform verifier.
        if cfg!(any(feature = "native-tls", feature = "platform-verifier")) {
            return Some(builder.root_certs(RootCerts::PlatformVerifier).build());
        }
        return None;
    }
    // ureq trusts a given set of roots instead of its own, so the Mozilla roots join them
    // (the system's store cannot be combined with them: the added roots win).
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    let added = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .chain(added)
        .collect::<Vec<_>>();
    Some(
        builder
            .root_certs(RootCerts::Specific(std::sync::Arc::new(added)))
            .build(),
    )
}

/// The TLS settings of the client's own agent.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub(crate) type Settings = ureq::tls::TlsConfig;

/// Without a TLS feature there are no TLS settings.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
pub(crate) enum Settings {}

/// The TLS settings that trust the roots of `sources` besides the default ones; `None`
/// keeps ureq's default.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub(crate) fn settings(sources: &[RootSource]) -> Result<Option<Settings>, Error> {
    Ok(config(load(sources)?))
}

/// Without a TLS feature, added roots cannot be used: building the client says so.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
pub(crate) fn settings(sources: &[RootSource]) -> Result<Option<Settings>, Error> {
    match sources.first() {
        Some(source) => Err(source.refused(
            "this build of the client has no TLS: enable the `rustls` or `native-tls` feature",
        )),
        None => Ok(None),
    }
}

#[cfg(all(test, any(feature = "rustls", feature = "native-tls")))]
mod tests {
    use super::*;

    #[test]
    fn hash_names_are_openssls() {
        assert!(is_hash_name("5ad8a5d6.0"));
        assert!(is_hash_name("5AD8A5D6.12"));
        assert!(!is_hash_name("ca.pem"));
        assert!(!is_hash_name("5ad8a5d6.pem"));
        assert!(!is_hash_name("5ad8a5d.0"));
    }

    #[test]
    fn pem_without_certificates_is_refused_in_words() {
        let source = RootSource::Pem(b"not pem at all".to_vec());
        let error = load(std::slice::from_ref(&source)).unwrap_err();
        assert!(
            error.to_string().contains("holds no certificate"),
            "{error}"
        );

        let missing = RootSource::File {
            path: PathBuf::from("/nonexistent/ca.pem"),
            origin: Some(SSL_CERT_FILE_ENV),
        };
        let error = load(&[missing]).unwrap_err().to_string();
        assert!(
            error.contains("SSL_CERT_FILE=/nonexistent/ca.pem") && error.contains("cannot read"),
            "{error}"
        );
    }

    #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
    #[test]
    fn added_roots_join_the_mozilla_roots() {
        let der = webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].as_ref();
        let added = Certificate::from_der(der).to_owned();
        let config = config(vec![added]).expect("a configuration with the added root");
        match config.root_certs() {
            ureq::tls::RootCerts::Specific(all) => {
                assert_eq!(
                    all.len(),
                    webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + 1
                );
            }
            other => panic!("expected specific roots, got {other:?}"),
        }
        if !cfg!(feature = "platform-verifier") {
            assert!(super::config(Vec::new()).is_none(), "ureq's default");
        }
    }

    #[test]
    fn a_certificate_that_does_not_parse_is_refused() {
        let pem = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let error = load(&[RootSource::Pem(pem.to_vec())])
            .unwrap_err()
            .to_string();
        if cfg!(feature = "rustls") {
            assert!(
                error.contains("certificate 1 cannot be a trust root"),
                "{error}"
            );
        }
    }
}
