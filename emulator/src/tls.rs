//! HTTPS: the certificate the emulator serves (made at start-up, or loaded from PEM files)
//! and the stream a connection is served on, plain or TLS.
//!
//! The certificates made at start-up come from a CA made at start-up too, whose
//! certificate a client trusts to connect ([`Emulator::ca_certificate_pem`]); the other
//! kinds play a misconfigured server, for testing what a client says about it.
//!
//! [`Emulator::ca_certificate_pem`]: crate::Emulator::ca_certificate_pem

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// The names a made certificate is valid for, unless told otherwise.
pub const DEFAULT_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// Which certificate an HTTPS emulator serves ([`EmulatorConfig::tls`]).
///
/// [`EmulatorConfig::tls`]: crate::EmulatorConfig::tls
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsCertificate {
    /// A certificate for `localhost` and `127.0.0.1`, issued by a CA made at start-up.
    Issued,
    /// A certificate for these names only, issued by a CA made at start-up: a client that
    /// trusts the CA and connects by another name meets a name mismatch.
    IssuedFor(Vec<String>),
    /// A certificate issued by a CA made at start-up, for `localhost` and `127.0.0.1`,
    /// whose validity ended in 2020.
    Expired,
    /// A self-signed CA certificate presented as the server's own, as a quickly made
    /// certificate often is.
    SelfSigned,
    /// The certificate chain and private key in these PEM files (the server's certificate
    /// first).
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// The private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
}

/// The server side of TLS: the configuration every connection uses, and the CA that made
/// the certificate (none for loaded files and the self-signed certificate, whose PEM is
/// given instead).
pub(crate) struct ServerTls {
    pub(crate) config: Arc<ServerConfig>,
    /// The certificate a client trusts to connect, PEM.
    pub(crate) ca_pem: Option<String>,
}

/// Makes or loads the certificate and the server configuration.
pub(crate) fn prepare(certificate: &TlsCertificate) -> io::Result<ServerTls> {
    let (chain, key, ca_pem) = match certificate {
        TlsCertificate::Issued => issued(&names(&DEFAULT_NAMES), false)?,
        TlsCertificate::IssuedFor(names) => issued(names, false)?,
        TlsCertificate::Expired => issued(&names(&DEFAULT_NAMES), true)?,
        TlsCertificate::SelfSigned => self_signed()?,
        TlsCertificate::Files { cert, key } => loaded(cert, key)?,
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    Ok(ServerTls {
        config: Arc::new(config),
        ca_pem,
    })
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

type Made = (
    Vec<CertificateDer<'static>>,
    PrivateKeyDer<'static>,
    Option<String>,
);

/// A CA, and a certificate for `names` it issues; expired if asked.
fn issued(names: &[String], expired: bool) -> io::Result<Made> {
    let ca_key = KeyPair::generate().map_err(io::Error::other)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(io::Error::other)?;
    ca.distinguished_name
        .push(DnType::CommonName, "openrouter-workspaces emulator CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).map_err(io::Error::other)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(io::Error::other)?;
    let mut leaf = CertificateParams::new(names.to_vec()).map_err(io::Error::other)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "openrouter-workspaces emulator");
    if expired {
        leaf.not_before = rcgen::date_time_ymd(2019, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2020, 1, 1);
    }
    let cert = leaf.signed_by(&key, &issuer).map_err(io::Error::other)?;
    Ok((
        vec![cert.der().clone()],
        private_key(&key),
        Some(ca_cert.pem()),
    ))
}

/// A self-signed CA certificate for the default names, presented as the server's own.
fn self_signed() -> io::Result<Made> {
    let key = KeyPair::generate().map_err(io::Error::other)?;
    let mut params = CertificateParams::new(names(&DEFAULT_NAMES)).map_err(io::Error::other)?;
    params.distinguished_name.push(
        DnType::CommonName,
        "openrouter-workspaces emulator (self-signed)",
    );
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).map_err(io::Error::other)?;
    Ok((
        vec![cert.der().clone()],
        private_key(&key),
        Some(cert.pem()),
    ))
}

fn private_key(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(key.serialize_der().into())
}

/// A certificate chain and key from PEM files; errors name the file.
fn loaded(cert: &PathBuf, key: &PathBuf) -> io::Result<Made> {
    let unusable = |path: &PathBuf, why: String| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: {why}", path.display()),
        )
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| unusable(cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(unusable(cert, "no certificate in the file".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| unusable(key, e.to_string()))?;
    Ok((chain, key, None))
}

/// A connection's stream: plain TCP, or TLS over it.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Stream {
    /// `tcp`, with TLS when `tls` is given (the handshake happens on the first read).
    pub(crate) fn new(tcp: TcpStream, tls: Option<&Arc<ServerConfig>>) -> io::Result<Stream> {
        match tls {
            None => Ok(Stream::Plain(tcp)),
            Some(config) => {
                let connection =
                    ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
                Ok(Stream::Tls(Box::new(StreamOwned::new(connection, tcp))))
            }
        }
    }

    /// The socket under it, for resets, shutdowns and timeouts.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }

    /// Ends a connection that closes cleanly: TLS says so (`close_notify`) first.
    pub(crate) fn finish(&mut self) {
        if let Stream::Tls(tls) = self {
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}
