//! Sign-in test kit: a CA made at test time, https stand-ins signed by it,
//! RSA client certificates (PEM and PFX), fake JWT access tokens, and the
//! token endpoint's form body. Nothing here leaves loopback.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, RsaKeySize};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use super::common::Reply;

/// A fresh folder under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir(tag: &str) -> TempDir {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mg-signin-{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

/// A certificate authority that exists for one test.
pub struct TestCa {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "mg-runtime test CA");
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// Writes the CA certificate to a PEM file (for `SSL_CERT_FILE`); the
    /// file lives as long as the returned folder.
    pub fn pem_file(&self) -> (TempDir, PathBuf) {
        let dir = temp_dir("ca");
        let path = dir.join("ca.pem");
        std::fs::write(&path, &self.pem).expect("write CA file");
        (dir, path)
    }

    /// A TLS acceptor for a server at 127.0.0.1 / localhost.
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let key = KeyPair::generate().expect("server key");
        let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server params");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server config");
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

/// An app registration's certificate: RSA 2048, self-signed.
pub struct ClientCert {
    pub key: KeyPair,
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
}

impl ClientCert {
    pub fn new() -> ClientCert {
        let key =
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048).expect("RSA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(DnType::CommonName, "mg-runtime test app");
        let cert = params.self_signed(&key).expect("client certificate");
        ClientCert {
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            key,
        }
    }

    /// Certificate and unencrypted PKCS#8 key in one PEM file (key last).
    pub fn pem_bundle(&self) -> String {
        format!("{}{}", self.cert_pem, self.key.serialize_pem())
    }

    /// A PKCS#12 file protected by `password`.
    pub fn pfx(&self, password: &str) -> Vec<u8> {
        use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
        let chain = PrivateKeyChain::new(
            b"1".to_vec(),
            PrivateKey::from_der(&self.key.serialize_der()).expect("PKCS#8"),
            [Certificate::from_der(&self.cert_der).expect("certificate")],
        );
        let mut store = KeyStore::new();
        store.add_entry("app", KeyStoreEntry::PrivateKeyChain(chain));
        store.writer(password).write().expect("write PFX")
    }

    /// Base64url SHA-1 of the certificate (the JWT `x5t`).
    pub fn x5t(&self) -> String {
        b64url(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.cert_der)
                .as_ref(),
        )
    }

    /// Upper-case hex SHA-1 thumbprint.
    pub fn thumbprint(&self) -> String {
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.cert_der)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// Checks an RS256 JWT's signature against this certificate's key and
    /// returns its (header, claims).
    pub fn verify(&self, jwt: &str) -> (serde_json::Value, serde_json::Value) {
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "a JWT has three parts");
        let signature = b64url_decode(parts[2]);
        let input = format!("{}.{}", parts[0], parts[1]);
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            self.key.public_key_raw(),
        )
        .verify(input.as_bytes(), &signature)
        .expect("the assertion is signed with the certificate's key");
        (
            serde_json::from_slice(&b64url_decode(parts[0])).expect("header JSON"),
            serde_json::from_slice(&b64url_decode(parts[1])).expect("claims JSON"),
        )
    }
}

pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn b64url_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => panic!("not base64url: {c}"),
    };
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.trim_end_matches('=').bytes() {
        buffer = (buffer << 6) | u32::from(value(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// An unsigned JWT-shaped access token carrying `claims` (services check
/// signatures; the client only reads the claims).
pub fn jwt(claims: serde_json::Value) -> String {
    format!(
        "{}.{}.c2ln",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(claims.to_string().as_bytes())
    )
}

/// An app-only token for tenant `tid` and app `appid`, numbered `n`.
pub fn app_token(n: usize) -> String {
    jwt(serde_json::json!({
        "tid": "tenant-1111", "appid": "client-2222", "idtyp": "app",
        "roles": ["Synchronization.ReadWrite.All"], "n": n,
    }))
}

/// The token endpoint's success answer.
pub fn token_reply(token: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        &serde_json::json!({
            "token_type": "Bearer", "expires_in": expires_in, "ext_expires_in": expires_in,
            "access_token": token,
        })
        .to_string(),
    )
}

/// A decoded `application/x-www-form-urlencoded` body.
pub fn form(body: &[u8]) -> HashMap<String, String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .expect("utf-8")
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The https URL of a TLS test server.
pub fn https_url(server: &super::common::TestServer) -> String {
    format!("https://127.0.0.1:{}", server.addr.port())
}

/// Writes an executable shell script.
#[cfg(unix)]
pub fn script(dir: &std::path::Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}
