//! Body digests: cavage-era `Digest` (RFC 3230) and RFC 9530 `Content-Digest`.

use crate::sfv::{self, BareItem, Member};
use crate::SignatureError;
use aws_lc_rs::digest::{digest, SHA256};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

pub(crate) fn sha256(body: &[u8]) -> Vec<u8> {
    digest(&SHA256, body).as_ref().to_vec()
}

/// `Digest` header value for an outgoing body.
pub(crate) fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(sha256(body)))
}

/// Checks a `Digest` header value such as `SHA-256=abc=,SHA-512=def=`.
/// Other algorithms are ignored as long as a SHA-256 value is present.
pub(crate) fn check_digest(value: &str, body: &[u8]) -> Result<(), SignatureError> {
    let expected = sha256(body);
    let mut saw_sha256 = false;
    for entry in value.split(',') {
        let Some((alg, encoded)) = entry.split_once('=') else {
            continue;
        };
        if !alg.trim().eq_ignore_ascii_case("sha-256") {
            continue;
        }
        saw_sha256 = true;
        // Undecodable counts as not matching: it certainly is not our body.
        match STANDARD.decode(encoded.trim()) {
            Ok(got) if got == expected => {}
            _ => return Err(SignatureError::DigestMismatch),
        }
    }
    if saw_sha256 {
        Ok(())
    } else {
        Err(SignatureError::DigestUnsupported)
    }
}

/// Checks a `Content-Digest` header value such as `sha-256=:abc=:`.
pub(crate) fn check_content_digest(value: &str, body: &[u8]) -> Result<(), SignatureError> {
    let dict = sfv::parse_dictionary(value)
        .map_err(|_| SignatureError::Malformed("Content-Digest is not a structured dictionary"))?;
    let member = dict
        .into_iter()
        .find_map(|(alg, member)| (alg == "sha-256").then_some(member))
        .ok_or(SignatureError::DigestUnsupported)?;
    match member {
        Member::Item(item) => match item.bare {
            BareItem::ByteSeq(got) if got == sha256(body) => Ok(()),
            BareItem::ByteSeq(_) => Err(SignatureError::DigestMismatch),
            _ => Err(SignatureError::Malformed("Content-Digest value is not a byte sequence")),
        },
        Member::InnerList(..) => Err(SignatureError::Malformed("Content-Digest value is not a byte sequence")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // sha256("hello") in base64.
    const HELLO: &str = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";

    #[test]
    fn digest_header_format() {
        assert_eq!(digest_header(b"hello"), format!("SHA-256={HELLO}"));
    }

    #[test]
    fn digest_accepts_sha256_among_others() {
        check_digest(&format!("SHA-256={HELLO}"), b"hello").unwrap();
        check_digest(&format!("sha-256={HELLO}"), b"hello").unwrap();
        check_digest(&format!("SHA-512=AAAA,SHA-256={HELLO}"), b"hello").unwrap();
        check_digest(&format!("SHA-256={HELLO}, SHA-512=AAAA"), b"hello").unwrap();
    }

    #[test]
    fn digest_mismatch_and_unsupported() {
        assert_eq!(check_digest(&format!("SHA-256={HELLO}"), b"hellO"), Err(SignatureError::DigestMismatch));
        assert_eq!(check_digest("SHA-256=not base64!", b"hello"), Err(SignatureError::DigestMismatch));
        // Every SHA-256 value must match, not just one of them.
        assert_eq!(
            check_digest(&format!("SHA-256={HELLO},SHA-256=AAAA"), b"hello"),
            Err(SignatureError::DigestMismatch)
        );
        assert_eq!(check_digest("SHA-512=AAAA", b"hello"), Err(SignatureError::DigestUnsupported));
        assert_eq!(check_digest("", b"hello"), Err(SignatureError::DigestUnsupported));
    }

    #[test]
    fn content_digest() {
        check_content_digest(&format!("sha-256=:{HELLO}:"), b"hello").unwrap();
        check_content_digest(&format!("sha-512=:AAAA:, sha-256=:{HELLO}:"), b"hello").unwrap();
        assert_eq!(check_content_digest(&format!("sha-256=:{HELLO}:"), b"hellO"), Err(SignatureError::DigestMismatch));
        assert_eq!(check_content_digest("sha-512=:AAAA:", b"hello"), Err(SignatureError::DigestUnsupported));
        assert!(matches!(
            check_content_digest(&format!("sha-256={HELLO}"), b"hello"),
            Err(SignatureError::Malformed(_))
        ));
    }
}
