//! Ed25519 signing and verification keys, and the JWKS that publishes them.
//!
//! One key signs (the newest); every configured key verifies, so tokens
//! signed with a key being retired stay valid until it is removed from the
//! configuration. Each key's `kid` is its RFC 7638 JWK thumbprint, so the
//! same key always has the same id wherever it is loaded.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// File name of the development key kept in the data directory.
pub const DEV_KEY_FILE: &str = "jwt-signing-key.pem";

/// The keys this instance signs and verifies with.
pub struct KeyRing {
    signing_kid: String,
    signing_key: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    jwks: Value,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("KeyRing")
            .field("signing_kid", &self.signing_kid)
            .field("verifying_kids", &self.verifying.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl KeyRing {
    /// Builds the ring from a PKCS#8 PEM private key that signs, and more PEM
    /// keys (SPKI public or PKCS#8 private) that only verify.
    pub fn from_pems(signing_pem: &str, verify_only: &[String]) -> anyhow::Result<Self> {
        let signing = SigningKey::from_pkcs8_pem(signing_pem)
            .context("the JWT signing key is not an Ed25519 private key in PKCS#8 PEM")?;
        let signing_public = signing.verifying_key();
        let signing_kid = thumbprint(&signing_public);
        let signing_key = EncodingKey::from_ed_pem(signing_pem.as_bytes())
            .context("the JWT signing key could not be loaded")?;
        let mut publics = vec![signing_public];
        for (i, pem) in verify_only.iter().enumerate() {
            let public = match VerifyingKey::from_public_key_pem(pem) {
                Ok(public) => public,
                Err(_) => SigningKey::from_pkcs8_pem(pem)
                    .map(|k| k.verifying_key())
                    .with_context(|| {
                        format!("JWT verification key {} is not an Ed25519 PEM key", i + 1)
                    })?,
            };
            publics.push(public);
        }
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        for public in publics {
            let kid = thumbprint(&public);
            if verifying.contains_key(&kid) {
                continue;
            }
            verifying.insert(kid.clone(), DecodingKey::from_ed_der(public.as_bytes()));
            jwks.push(json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "kid": kid,
                "alg": "EdDSA",
                "use": "sig",
            }));
        }
        Ok(Self {
            signing_kid,
            signing_key,
            verifying,
            jwks: json!({ "keys": jwks }),
        })
    }

    /// Loads the configured keys, or in development (none configured) the key
    /// kept in `data_dir`, creating it on first use.
    pub fn load(
        signing: Option<&str>,
        verify_only: &[String],
        data_dir: &Path,
    ) -> anyhow::Result<Self> {
        let verify_only = verify_only
            .iter()
            .map(|source| read_pem(source))
            .collect::<anyhow::Result<Vec<_>>>()?;
        match signing {
            Some(source) => Self::from_pems(&read_pem(source)?, &verify_only),
            None => {
                let path = data_dir.join(DEV_KEY_FILE);
                if !path.exists() {
                    std::fs::create_dir_all(data_dir)
                        .with_context(|| format!("failed to create {}", data_dir.display()))?;
                    write_private(&path, &generate_pem()?)?;
                }
                tracing::warn!(
                    path = %path.display(),
                    "no JWT_SIGNING_KEY configured: using a development key from the data directory; configure a key in production"
                );
                let pem = std::fs::read_to_string(&path)
                    .with_context(|| format!("failed to read {}", path.display()))?;
                Self::from_pems(&pem, &verify_only)
            }
        }
    }

    /// The id of the key that signs new tokens.
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    pub(crate) fn signing_key(&self) -> &EncodingKey {
        &self.signing_key
    }

    /// The verification key with this id, if it is configured.
    pub(crate) fn verification_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid)
    }

    /// The public keys as a JSON Web Key Set.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }
}

/// A new Ed25519 private key in PKCS#8 v1 PEM (RFC 8410), as
/// `openssl genpkey -algorithm ed25519` writes it. Not v2 (RFC 5958, with
/// the public key attached), which OpenSSL 3 and Python's `cryptography`
/// refuse, so operators could not inspect the key or use it elsewhere.
/// Both forms are read.
pub fn generate_pem() -> anyhow::Result<String> {
    use ed25519_dalek::pkcs8::KeypairBytes;
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    let pem = KeypairBytes {
        secret_key: seed,
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .context("failed to encode the generated key")?;
    Ok(pem.to_string())
}

/// RFC 7638 thumbprint of an Ed25519 public key (RFC 8037 members in
/// lexicographic order), base64url.
fn thumbprint(public: &VerifyingKey) -> String {
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public.as_bytes())
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// A PEM given inline, or the path of a file holding one.
fn read_pem(source: &str) -> anyhow::Result<String> {
    if source.trim_start().starts_with("-----BEGIN") {
        return Ok(source.to_owned());
    }
    if source.trim().is_empty() {
        bail!("an empty JWT key setting");
    }
    std::fs::read_to_string(source).with_context(|| format!("failed to read JWT key file {source}"))
}

fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    file.write_all(pem.as_bytes())
        .with_context(|| format!("failed to write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kid_is_stable_and_the_jwks_lists_every_key_once() {
        let old = generate_pem().expect("old");
        let new = generate_pem().expect("new");
        let ring = KeyRing::from_pems(&new, &[old.clone(), new.clone()]).expect("ring");
        let again = KeyRing::from_pems(&new, &[]).expect("ring");
        assert_eq!(ring.signing_kid(), again.signing_kid());
        let keys = ring.jwks()["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), 2);
        assert!(
            keys.iter()
                .all(|k| k["kty"] == "OKP" && k["alg"] == "EdDSA" && k.get("d").is_none())
        );
    }

    #[test]
    fn generated_keys_are_pkcs8_v1_and_v2_keys_are_still_read() {
        use ed25519_dalek::pkcs8::PrivateKeyInfo;
        use ed25519_dalek::pkcs8::spki::der::Decode;
        let pem = generate_pem().expect("key");
        let (label, der) =
            ed25519_dalek::pkcs8::spki::der::pem::decode_vec(pem.as_bytes()).expect("pem");
        assert_eq!(label, "PRIVATE KEY");
        let info = PrivateKeyInfo::from_der(&der).expect("PKCS#8");
        // v1: no public key attached (which is what makes a key v2).
        assert!(info.public_key.is_none());

        let mut seed = [0u8; 32];
        rand::fill(&mut seed);
        let v2 = SigningKey::from_bytes(&seed)
            .to_pkcs8_pem(LineEnding::LF)
            .expect("v2");
        let (_, der) =
            ed25519_dalek::pkcs8::spki::der::pem::decode_vec(v2.as_bytes()).expect("pem");
        assert!(
            PrivateKeyInfo::from_der(&der)
                .expect("v2")
                .public_key
                .is_some()
        );
        KeyRing::from_pems(&v2, std::slice::from_ref(&pem)).expect("a v2 key signs");
        KeyRing::from_pems(&pem, &[v2.to_string()]).expect("a v1 key signs");
    }

    #[test]
    fn a_non_ed25519_key_is_refused() {
        assert!(
            KeyRing::from_pems(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                &[]
            )
            .is_err()
        );
    }
}
