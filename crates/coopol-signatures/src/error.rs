/// Everything that can go wrong while handling keys, signing or verifying.
///
/// Verification failures are deliberately fine-grained so that an inbox can
/// log why a peer's request was refused; all of them mean "reject".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The RNG or the key generator failed.
    #[error("RSA key generation failed")]
    KeyGeneration,
    /// A PEM or DER key could not be parsed or is not an acceptable RSA key.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// A key id that cannot be put in a `Signature` header as is.
    #[error("key id must be non-empty visible ASCII without quotes or backslashes")]
    InvalidKeyId,
    /// The RSA signing operation failed.
    #[error("signing failed")]
    SigningFailed,
    /// The URL to sign for has no host.
    #[error("URL has no host")]
    InvalidUrl,
    /// The time given cannot be written as an HTTP date (before 1970 or after 9999).
    #[error("time cannot be represented as an HTTP date")]
    InvalidTime,
    /// The request carries neither a `Signature` nor a `Signature-Input` header.
    #[error("request carries no signature")]
    MissingSignature,
    /// The signature headers could not be parsed.
    #[error("malformed signature: {0}")]
    Malformed(&'static str),
    /// The signature names an algorithm other than RSA PKCS#1 v1.5 with SHA-256.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// An RFC 9421 component (or cavage pseudo-header) this crate cannot reproduce.
    #[error("unsupported signature component: {0}")]
    UnsupportedComponent(String),
    /// A component that must be signed is not covered by the signature, or a
    /// covered header is absent from the request.
    #[error("missing signature component: {0}")]
    MissingComponent(String),
    /// The `Date` header is not a valid HTTP date.
    #[error("Date header cannot be parsed")]
    DateUnparseable,
    /// `Date` (or `created`) is more than an hour away from now.
    #[error("signature date is outside the accepted window")]
    DateOutOfWindow,
    /// The signature's `expires` time has passed.
    #[error("signature has expired")]
    Expired,
    /// The body does not match its `Digest` / `Content-Digest`.
    #[error("body digest does not match")]
    DigestMismatch,
    /// The digest header carries no SHA-256 value.
    #[error("digest header has no SHA-256 value")]
    DigestUnsupported,
    /// The cryptographic check failed: wrong key, or tampered request.
    #[error("signature verification failed")]
    BadSignature,
}
