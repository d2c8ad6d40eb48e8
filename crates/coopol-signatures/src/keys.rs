//! RSA key generation and PEM parsing.

use crate::SignatureError;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKey, RsaParameters};
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::fmt;
use std::sync::Arc;

/// Smallest RSA modulus accepted from peers. Some long-lived servers still
/// publish 1024-bit keys; refusing them would cut those servers off.
const MIN_PEER_KEY_BITS: u32 = 1024;
const MAX_PEER_KEY_BITS: u32 = 8192;

/// A freshly generated key pair, PEM-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPairPem {
    /// PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`). Keep it secret.
    pub private_pem: String,
    /// SubjectPublicKeyInfo public key (`-----BEGIN PUBLIC KEY-----`), the
    /// format Mastodon publishes as `publicKeyPem`.
    pub public_pem: String,
}

impl fmt::Debug for KeyPairPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPairPem").field("private_pem", &"<redacted>").field("public_pem", &self.public_pem).finish()
    }
}

/// Generates a 2048-bit RSA key pair for an actor.
pub fn generate_rsa_keypair() -> Result<KeyPairPem, SignatureError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| SignatureError::KeyGeneration)?;
    let private_der = pair.as_der().map_err(|_| SignatureError::KeyGeneration)?;
    let public_der = pair.public_key().as_der().map_err(|_| SignatureError::KeyGeneration)?;
    Ok(KeyPairPem {
        private_pem: pem_encode("PRIVATE KEY", private_der.as_ref()),
        public_pem: pem_encode("PUBLIC KEY", public_der.as_ref()),
    })
}

/// An RSA private key together with the key id it is published under.
///
/// Cloning is cheap: the parsed key is shared.
#[derive(Clone)]
pub struct SigningKey(Arc<SigningKeyInner>);

struct SigningKeyInner {
    key_id: String,
    pair: KeyPair,
}

impl SigningKey {
    /// Parses a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) is accepted too, since
    /// keys made with `openssl genrsa` look like that. `key_id` is the URL
    /// peers fetch the public key from, e.g.
    /// `https://a.example/users/alice#main-key`.
    pub fn from_pkcs8_pem(key_id: &str, pem: &str) -> Result<Self, SignatureError> {
        // The key id is written inside a quoted string of the Signature header.
        let key_id_ok = !key_id.is_empty() && key_id.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        if !key_id_ok {
            return Err(SignatureError::InvalidKeyId);
        }
        let (label, der) = pem_decode(pem)?;
        let pair = match label {
            "PRIVATE KEY" => KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => KeyPair::from_der(&der),
            _ => return Err(SignatureError::InvalidKey("not a private key PEM")),
        }
        .map_err(|_| SignatureError::InvalidKey("not an acceptable RSA private key"))?;
        Ok(Self(Arc::new(SigningKeyInner { key_id: key_id.to_owned(), pair })))
    }

    /// The key id sent in the `keyId` signature parameter.
    pub fn key_id(&self) -> &str {
        &self.0.key_id
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let pair = &self.0.pair;
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| SignatureError::SigningFailed)?;
        Ok(signature)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("key_id", &self.0.key_id).finish_non_exhaustive()
    }
}

/// A parsed RSA public key of a remote actor.
///
/// Cloning is cheap: the parsed key is shared, so it can sit in a cache.
#[derive(Clone)]
pub struct VerifyingKey {
    key: Arc<ParsedPublicKey>,
    bits: u32,
}

impl VerifyingKey {
    /// Parses a PEM public key: SubjectPublicKeyInfo (`-----BEGIN PUBLIC
    /// KEY-----`, what Mastodon publishes) or PKCS#1 (`-----BEGIN RSA PUBLIC
    /// KEY-----`). RSA keys of 1024 to 8192 bits are accepted.
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        let (label, der) = pem_decode(pem)?;
        if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
            return Err(SignatureError::InvalidKey("not a public key PEM"));
        }
        // aws-lc-rs reads both DER layouts; normalise to PKCS#1 to size it.
        let public = PublicKey::from_der(&der).map_err(|_| SignatureError::InvalidKey("not an RSA public key"))?;
        let bits = RsaParameters::public_modulus_len(public.as_ref())
            .map_err(|_| SignatureError::InvalidKey("not an RSA public key"))?;
        if !(MIN_PEER_KEY_BITS..=MAX_PEER_KEY_BITS).contains(&bits) {
            return Err(SignatureError::InvalidKey("unsupported RSA key size"));
        }
        let key = ParsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, public.as_ref())
            .map_err(|_| SignatureError::InvalidKey("not an RSA public key"))?;
        Ok(Self { key: Arc::new(key), bits })
    }

    /// Checks an RSASSA-PKCS1-v1_5 SHA-256 signature over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        self.key.verify_sig(message, signature).map_err(|_| SignatureError::BadSignature)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey").field("rsa_bits", &self.bits).finish()
    }
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for (i, c) in body.chars().enumerate() {
        if i > 0 && i % 64 == 0 {
            out.push('\n');
        }
        out.push(c);
    }
    out.push_str(&format!("\n-----END {label}-----\n"));
    out
}

/// Returns the PEM label and the decoded DER. Lenient about whitespace
/// (CRLF, indentation, unwrapped lines), strict about everything else.
fn pem_decode(pem: &str) -> Result<(&str, Vec<u8>), SignatureError> {
    const BAD: SignatureError = SignatureError::InvalidKey("malformed PEM");
    let rest = pem.trim().strip_prefix("-----BEGIN ").ok_or(BAD)?;
    let (label, rest) = rest.split_once("-----").ok_or(BAD)?;
    let (body, tail) = rest.split_once(&format!("-----END {label}-----")).ok_or(BAD)?;
    if !tail.trim().is_empty() {
        return Err(BAD);
    }
    let body: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(body).map_err(|_| BAD)?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{pair, KEY_ID};

    #[test]
    fn generated_pems_have_expected_labels() {
        let (pem, signing, _) = pair();
        assert!(pem.private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.private_pem.ends_with("-----END PRIVATE KEY-----\n"));
        assert!(pem.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pem.public_pem.ends_with("-----END PUBLIC KEY-----\n"));
        assert!(pem.public_pem.lines().all(|l| l.len() <= 64));
        assert_eq!(signing.key_id(), KEY_ID);
        assert_eq!(pem_decode(&pem.public_pem).unwrap().1.len(), 294, "2048-bit SPKI");
    }

    #[test]
    fn sign_then_verify_raw() {
        let (_, signing, verifying) = pair();
        let sig = signing.sign(b"hello").unwrap();
        assert_eq!(sig.len(), 256);
        verifying.verify(b"hello", &sig).unwrap();
        assert_eq!(verifying.verify(b"hellO", &sig), Err(SignatureError::BadSignature));
    }

    #[test]
    fn debug_does_not_leak_private_key() {
        let (pem, signing, verifying) = pair();
        let body_line = pem.private_pem.lines().nth(1).unwrap();
        assert!(!format!("{pem:?}").contains(body_line));
        assert!(!format!("{signing:?}").contains(body_line));
        assert!(format!("{verifying:?}").contains("2048"));
    }

    #[test]
    fn pem_whitespace_is_tolerated() {
        let (pem, _, _) = pair();
        let crlf = format!("  {}  ", pem.public_pem.replace('\n', "\r\n"));
        VerifyingKey::from_pem(&crlf).unwrap();
        let unwrapped: String = pem
            .public_pem
            .lines()
            .map(|l| if l.starts_with("-----") { format!("{l}\n") } else { l.to_owned() })
            .collect();
        VerifyingKey::from_pem(&unwrapped).unwrap();
    }

    #[test]
    fn bad_keys_are_rejected() {
        let (pem, _, _) = pair();
        for bad in [
            "",
            "garbage",
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            assert!(matches!(VerifyingKey::from_pem(bad), Err(SignatureError::InvalidKey(_))));
            assert!(matches!(SigningKey::from_pkcs8_pem(KEY_ID, bad), Err(SignatureError::InvalidKey(_))));
        }
        // Labels must match what is expected of each side.
        assert!(VerifyingKey::from_pem(&pem.private_pem).is_err());
        assert!(SigningKey::from_pkcs8_pem(KEY_ID, &pem.public_pem).is_err());
        // Trailing garbage after the END line.
        assert!(VerifyingKey::from_pem(&format!("{}junk", pem.public_pem)).is_err());
    }

    #[test]
    fn key_id_must_fit_in_a_quoted_string() {
        let (pem, _, _) = pair();
        for bad in ["", "a\"b", "a\\b", "a b", "a\nb", "é"] {
            assert_eq!(SigningKey::from_pkcs8_pem(bad, &pem.private_pem).unwrap_err(), SignatureError::InvalidKeyId);
        }
    }
}
