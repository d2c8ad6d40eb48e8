//! HTTP request signatures for ActivityPub federation.
//!
//! * Outgoing requests are signed with draft-cavage HTTP Signatures
//!   (`rsa-sha256`), which is what Mastodon and nearly every other server
//!   accepts: see [`sign_request`].
//! * Incoming requests may carry either a draft-cavage `Signature` header or
//!   RFC 9421 `Signature-Input` + `Signature` headers: see
//!   [`IncomingSignature`].
//! * RSA keys: [`generate_rsa_keypair`] makes PKCS#8 / SubjectPublicKeyInfo
//!   PEM pairs; [`SigningKey`] and [`VerifyingKey`] parse them.
//!
//! Typical inbox flow: [`IncomingSignature::parse`] (cheap, rejects obviously
//! unusable signatures), fetch the actor's key named by
//! [`IncomingSignature::key_id`], then [`IncomingSignature::verify`].
//!
//! All RSA work is done by aws-lc-rs.
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

mod digest;
mod error;
mod keys;
mod sfv;
mod sign;
mod verify;

pub use error::SignatureError;
pub use keys::{generate_rsa_keypair, KeyPairPem, SigningKey, VerifyingKey};
pub use sign::sign_request;
pub use verify::IncomingSignature;

#[cfg(test)]
mod test_support {
    use crate::{generate_rsa_keypair, KeyPairPem, SigningKey, VerifyingKey};
    use std::sync::OnceLock;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub const KEY_ID: &str = "https://a.example/users/alice#main-key";

    /// Key generation takes a noticeable fraction of a second: share one pair.
    pub fn pair() -> &'static (KeyPairPem, SigningKey, VerifyingKey) {
        static PAIR: OnceLock<(KeyPairPem, SigningKey, VerifyingKey)> = OnceLock::new();
        PAIR.get_or_init(|| {
            let pem = generate_rsa_keypair().unwrap();
            let signing = SigningKey::from_pkcs8_pem(KEY_ID, &pem.private_pem).unwrap();
            let verifying = VerifyingKey::from_pem(&pem.public_pem).unwrap();
            (pem, signing, verifying)
        })
    }

    /// A second, unrelated key pair.
    pub fn other_pair() -> &'static (KeyPairPem, SigningKey, VerifyingKey) {
        static PAIR: OnceLock<(KeyPairPem, SigningKey, VerifyingKey)> = OnceLock::new();
        PAIR.get_or_init(|| {
            let pem = generate_rsa_keypair().unwrap();
            let signing = SigningKey::from_pkcs8_pem(KEY_ID, &pem.private_pem).unwrap();
            let verifying = VerifyingKey::from_pem(&pem.public_pem).unwrap();
            (pem, signing, verifying)
        })
    }

    /// A fixed "now": 2023-11-14T22:13:20Z.
    pub fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }
}
