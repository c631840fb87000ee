//! App-only sign-in with a certificate, in pure Rust.
//!
//! `azure_identity`'s own certificate credential needs OpenSSL (a system
//! library, or a C build of it). Instead, the certificate and key are read
//! here (PEM, or PKCS#12 / PFX with a password) and the signed client
//! assertion (RFC 7523, RS256) is built with aws-lc-rs, which rustls already
//! compiles in; `azure_identity::ClientAssertionCredential` then exchanges
//! it for a token.

use std::sync::Arc;

use aws_lc_rs::digest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use azure_core::base64;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;

use super::super::error::{Error, Secret};

/// How long a client assertion is valid (Microsoft Entra accepts up to 10
/// minutes; each token request gets a new one).
const ASSERTION_LIFETIME_SECS: u64 = 300;

/// A client certificate with its RSA private key, ready to sign assertions.
pub struct ClientCertificate {
    key: RsaKeyPair,
    /// DER of the certificate, then of the rest of the chain.
    chain: Vec<Vec<u8>>,
    sha1: Vec<u8>,
    sha256: Vec<u8>,
    send_chain: bool,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("thumbprint", &self.thumbprint())
            .field("send_chain", &self.send_chain)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Reads a certificate file: PEM (the certificate and an unencrypted
    /// private key, in any order) or PKCS#12 / PFX (with `password`, empty
    /// when it has none).
    pub fn from_file(
        path: &std::path::Path,
        password: Option<&Secret>,
    ) -> Result<ClientCertificate, Error> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::InvalidArgument(format!(
                "Cannot read the certificate file {}: {e}",
                path.display()
            ))
        })?;
        ClientCertificate::from_bytes(&bytes, password).map_err(|e| match e {
            Error::InvalidArgument(m) => {
                Error::InvalidArgument(format!("Certificate file {}: {m}", path.display()))
            }
            other => other,
        })
    }

    /// See [`ClientCertificate::from_file`].
    pub fn from_bytes(bytes: &[u8], password: Option<&Secret>) -> Result<ClientCertificate, Error> {
        let looks_like_pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
        let (key_der, chain) = if looks_like_pem {
            read_pem(bytes)?
        } else {
            read_pkcs12(bytes, password)?
        };
        let key = match &key_der {
            KeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der),
            KeyDer::Pkcs1(der) => RsaKeyPair::from_der(der),
        }
        .map_err(|e| {
            Error::InvalidArgument(format!(
                "the private key is not a usable RSA key ({e}); Microsoft Entra certificate credentials need RSA"
            ))
        })?;
        // The certificate that goes with the key: its public key is inside
        // the certificate's DER, byte for byte.
        let public = key.public_key().as_ref().to_vec();
        let leaf = chain
            .iter()
            .position(|der| der.windows(public.len()).any(|w| w == public.as_slice()))
            .ok_or_else(|| {
                Error::InvalidArgument("no certificate in it matches the private key".into())
            })?;
        let mut chain = chain;
        let leaf_der = chain.remove(leaf);
        chain.insert(0, leaf_der);
        let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &chain[0])
            .as_ref()
            .to_vec();
        let sha256 = digest::digest(&digest::SHA256, &chain[0]).as_ref().to_vec();
        Ok(ClientCertificate {
            key,
            chain,
            sha1,
            sha256,
            send_chain: false,
        })
    }

    /// Also sends the certificate chain (`x5c`), for subject name / issuer
    /// authentication (`-SendCertificateChain`, `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`).
    pub fn send_chain(mut self, send: bool) -> ClientCertificate {
        self.send_chain = send;
        self
    }

    /// The SHA-1 thumbprint in upper-case hex, as Windows and the Entra
    /// admin center show it (not a secret).
    pub fn thumbprint(&self) -> String {
        self.sha1.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// A signed client assertion for `client_id` at the token endpoint
    /// `audience`.
    pub fn assertion(&self, client_id: &str, audience: &str) -> Result<String, Error> {
        let mut header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": base64::encode_url_safe(&self.sha1),
            "x5t#S256": base64::encode_url_safe(&self.sha256),
        });
        if self.send_chain {
            let chain: Vec<String> = self.chain.iter().map(base64::encode).collect();
            header["x5c"] = serde_json::json!(chain);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            base64::encode_url_safe(header.to_string()),
            base64::encode_url_safe(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| {
                Error::SignIn("Client certificate: signing the assertion failed.".into())
            })?;
        Ok(format!(
            "{signing_input}.{}",
            base64::encode_url_safe(&signature)
        ))
    }
}

enum KeyDer {
    Pkcs8(Vec<u8>),
    Pkcs1(Vec<u8>),
}

fn read_pem(bytes: &[u8]) -> Result<(KeyDer, Vec<Vec<u8>>), Error> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Err(Error::InvalidArgument(
            "its private key is encrypted, which is supported for PFX files only; convert it with `openssl pkcs12 -export` or store the key unencrypted".into(),
        ));
    }
    let chain: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .map(|c| c.as_ref().to_vec())
        .collect();
    if chain.is_empty() {
        return Err(Error::InvalidArgument(
            "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    let key = match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(PrivateKeyDer::Pkcs8(k)) => KeyDer::Pkcs8(k.secret_pkcs8_der().to_vec()),
        Ok(PrivateKeyDer::Pkcs1(k)) => KeyDer::Pkcs1(k.secret_pkcs1_der().to_vec()),
        Ok(_) => {
            return Err(Error::InvalidArgument(
                "its private key is not an RSA key; Microsoft Entra certificate credentials need RSA".into(),
            ));
        }
        Err(_) => {
            return Err(Error::InvalidArgument(
                "it holds no private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----); the certificate file must include it".into(),
            ));
        }
    };
    Ok((key, chain))
}

fn read_pkcs12(bytes: &[u8], password: Option<&Secret>) -> Result<(KeyDer, Vec<Vec<u8>>), Error> {
    use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
    let password = password.map_or("", Secret::expose);
    let store = KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| {
        // The parser's message never holds the password.
        Error::InvalidArgument(format!(
            "it is neither PEM nor a PKCS#12 (PFX) file that opens with the password given ({e}); set AZURE_CLIENT_CERTIFICATE_PASSWORD for a protected PFX"
        ))
    })?;
    let (_, chain) = store.private_key_chain().ok_or_else(|| {
        Error::InvalidArgument("the PFX file holds no private key with a certificate".into())
    })?;
    let certs: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
    if certs.is_empty() {
        return Err(Error::InvalidArgument(
            "the PFX file holds a private key but no certificate".into(),
        ));
    }
    Ok((KeyDer::Pkcs8(chain.key().as_der().to_vec()), certs))
}

/// The [`ClientAssertion`] that `azure_identity::ClientAssertionCredential`
/// sends: a fresh signed assertion per token request.
#[derive(Clone)]
pub struct CertificateAssertion {
    certificate: Arc<ClientCertificate>,
    client_id: String,
    audience: String,
}

impl std::fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Assertions for `client_id`, addressed to the tenant's token endpoint
    /// at `authority_host` (where the credential will send them).
    pub fn new(
        certificate: Arc<ClientCertificate>,
        client_id: impl Into<String>,
        authority_host: &str,
        tenant_id: &str,
    ) -> CertificateAssertion {
        CertificateAssertion {
            certificate,
            client_id: client_id.into(),
            audience: format!(
                "{}/{tenant_id}/oauth2/v2.0/token",
                authority_host.trim_end_matches('/')
            ),
        }
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.certificate
            .assertion(&self.client_id, &self.audience)
            .map_err(|e| {
                azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    e.to_string(),
                )
            })
    }
}
