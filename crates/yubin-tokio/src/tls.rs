//! TLS for the listeners and the connectors: certificates from PEM, selection
//! by SNI among several names, and a hot reload that swaps certificates under
//! running listeners without a restart.
//!
//! The crypto provider is rustls' `ring` provider, chosen explicitly so that
//! no process-wide default has to be installed.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// What went wrong while loading or using TLS material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A certificate or key file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The PEM text holds no certificate.
    #[error("no certificate found in {0}")]
    NoCertificate(String),
    /// The PEM text holds no usable private key.
    #[error("no private key found in {0}: {1}")]
    NoKey(String, String),
    /// rustls refused the material or the configuration.
    #[error("tls: {0}")]
    Rustls(#[from] rustls::Error),
    /// A name given for SNI selection is not a DNS name.
    #[error("invalid server name {0:?}")]
    BadName(String),
}

/// Where one certificate chain and its key come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertSource {
    /// PEM files on disk, read again on every [`CertStore::reload`].
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// The private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
    /// PEM text held in memory (tests, generated certificates).
    Pem {
        /// The certificate chain, leaf first.
        cert: String,
        /// The private key.
        key: String,
    },
}

impl CertSource {
    fn label(&self) -> String {
        match self {
            CertSource::Files { cert, .. } => cert.display().to_string(),
            CertSource::Pem { .. } => "in-memory PEM".to_owned(),
        }
    }

    fn load(&self, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, TlsError> {
        let (cert_pem, key_pem) = match self {
            CertSource::Files { cert, key } => (read(cert)?, read(key)?),
            CertSource::Pem { cert, key } => (cert.clone().into_bytes(), key.clone().into_bytes()),
        };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
            .filter_map(Result::ok)
            .collect();
        if certs.is_empty() {
            return Err(TlsError::NoCertificate(self.label()));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|e| TlsError::NoKey(self.label(), e.to_string()))?;
        let signing = provider.key_provider.load_private_key(key)?;
        Ok(Arc::new(CertifiedKey::new(certs, signing)))
    }

    fn modified(&self) -> Option<std::time::SystemTime> {
        match self {
            CertSource::Files { cert, key } => {
                let a = std::fs::metadata(cert).and_then(|m| m.modified()).ok()?;
                let b = std::fs::metadata(key).and_then(|m| m.modified()).ok()?;
                Some(a.max(b))
            }
            CertSource::Pem { .. } => None,
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

struct Loaded {
    default: Arc<CertifiedKey>,
    by_name: HashMap<String, Arc<CertifiedKey>>,
}

/// The server's certificates: a default chain and optional chains per SNI
/// name, swappable at run time.
///
/// Listeners and in-band upgrades share one `CertStore`; [`CertStore::reload`]
/// (or [`CertStore::watch`]) replaces the certificates for every handshake
/// that starts afterwards, while established connections keep theirs.
pub struct CertStore {
    provider: Arc<CryptoProvider>,
    default: CertSource,
    named: Vec<(String, CertSource)>,
    loaded: RwLock<Arc<Loaded>>,
}

impl fmt::Debug for CertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertStore")
            .field("default", &self.default.label())
            .field(
                "named",
                &self
                    .named
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl CertStore {
    /// Loads the default certificate chain; more names can be added with
    /// [`CertStore::with_names`].
    pub fn new(default: CertSource) -> Result<Arc<Self>, TlsError> {
        Self::build(default, Vec::new())
    }

    /// Loads a default chain plus one chain per SNI name (matched
    /// case-insensitively; a client without SNI, or with an unknown name,
    /// gets the default).
    pub fn with_names(
        default: CertSource,
        named: Vec<(String, CertSource)>,
    ) -> Result<Arc<Self>, TlsError> {
        Self::build(default, named)
    }

    fn build(default: CertSource, named: Vec<(String, CertSource)>) -> Result<Arc<Self>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut named_lower = Vec::with_capacity(named.len());
        for (name, source) in named {
            if rustls_pki_types::ServerName::try_from(name.as_str()).is_err() {
                return Err(TlsError::BadName(name));
            }
            named_lower.push((name.to_ascii_lowercase(), source));
        }
        let loaded = Self::load_all(&provider, &default, &named_lower)?;
        Ok(Arc::new(Self {
            provider,
            default,
            named: named_lower,
            loaded: RwLock::new(Arc::new(loaded)),
        }))
    }

    fn load_all(
        provider: &CryptoProvider,
        default: &CertSource,
        named: &[(String, CertSource)],
    ) -> Result<Loaded, TlsError> {
        let default = default.load(provider)?;
        let mut by_name = HashMap::with_capacity(named.len());
        for (name, source) in named {
            by_name.insert(name.clone(), source.load(provider)?);
        }
        Ok(Loaded { default, by_name })
    }

    /// Reads every source again and swaps the certificates in one step. On
    /// error the old certificates stay in service.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = Self::load_all(&self.provider, &self.default, &self.named)?;
        let mut guard = self.loaded.write().unwrap_or_else(|p| p.into_inner());
        *guard = Arc::new(fresh);
        tracing::info!(
            certificates = 1 + self.named.len(),
            "tls certificates reloaded"
        );
        Ok(())
    }

    /// Polls the certificate files every `every` and reloads when one of them
    /// changed. The task ends when the last reference to the store is dropped.
    pub fn watch(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let mut last = self.newest_change();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(store) = weak.upgrade() else { return };
                let now = store.newest_change();
                if now != last {
                    last = now;
                    if let Err(e) = store.reload() {
                        tracing::warn!(error = %e, "tls reload failed; keeping the old certificates");
                    }
                }
            }
        })
    }

    fn newest_change(&self) -> Option<std::time::SystemTime> {
        std::iter::once(&self.default)
            .chain(self.named.iter().map(|(_, s)| s))
            .filter_map(CertSource::modified)
            .max()
    }

    fn current(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A rustls server configuration that resolves through this store.
    pub fn server_config(self: &Arc<Self>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(self.clone())));
        Ok(Arc::new(config))
    }

    /// A tokio-rustls acceptor over [`CertStore::server_config`].
    pub fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor, TlsError> {
        Ok(TlsAcceptor::from(self.server_config()?))
    }
}

struct Resolver(Arc<CertStore>);

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let loaded = self.0.current();
        if let Some(name) = hello.server_name()
            && let Some(key) = loaded.by_name.get(&name.to_ascii_lowercase())
        {
            return Some(key.clone());
        }
        Some(loaded.default.clone())
    }
}

/// A client-side TLS configuration.
#[derive(Clone, Debug)]
pub enum ClientTls {
    /// Trust exactly these certificate authorities (PEM), e.g. a private CA or
    /// the server's self-signed certificate.
    Roots(String),
    /// Trust anything. For tests against self-signed servers only: this
    /// removes all protection against an active attacker.
    DangerAcceptAnyCertificate,
}

impl ClientTls {
    /// Builds a tokio-rustls connector.
    pub fn connector(&self) -> Result<TlsConnector, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let config = match self {
            ClientTls::Roots(pem) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(pem.as_bytes()).filter_map(Result::ok) {
                    roots.add(cert)?;
                }
                if roots.is_empty() {
                    return Err(TlsError::NoCertificate("client roots".to_owned()));
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            ClientTls::DangerAcceptAnyCertificate => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(danger::AcceptAny(provider)))
                .with_no_client_auth(),
        };
        Ok(TlsConnector::from(Arc::new(config)))
    }
}

mod danger {
    use std::sync::Arc;

    use rustls::DigitallySignedStruct;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

    /// Accepts any certificate but still checks the handshake signatures.
    #[derive(Debug)]
    pub(super) struct AcceptAny(pub(super) Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAny {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}
