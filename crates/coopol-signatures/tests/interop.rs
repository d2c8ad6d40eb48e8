//! Wire compatibility with an independent implementation: the pure-Rust `rsa`
//! crate signs and verifies, signing strings and signature bases are built
//! by hand here, digests come from `sha2`. Only the public API is used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use coopol_signatures::{
    generate_rsa_keypair, sign_request, IncomingSignature, KeyPairPem, SignatureError, SigningKey, VerifyingKey,
};
use http::{HeaderMap, HeaderValue, Method};
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs1v15;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const KEY_ID: &str = "https://a.example/users/alice#main-key";
const BODY: &[u8] = br#"{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow"}"#;
const NOW_SECS: u64 = 1_700_000_000;
const DATE: &str = "Tue, 14 Nov 2023 22:13:20 GMT";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn keys() -> &'static KeyPairPem {
    static KEYS: OnceLock<KeyPairPem> = OnceLock::new();
    KEYS.get_or_init(|| generate_rsa_keypair().unwrap())
}

fn rsa_signer(pem: &str) -> pkcs1v15::SigningKey<Sha256> {
    pkcs1v15::SigningKey::new(RsaPrivateKey::from_pkcs8_pem(pem).unwrap())
}

fn rsa_sign(signer: &pkcs1v15::SigningKey<Sha256>, message: &str) -> String {
    STANDARD.encode(signer.sign(message.as_bytes()).to_bytes())
}

fn sha256_b64(body: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(body))
}

fn header_map(pairs: &[(&'static str, String)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(*name, HeaderValue::from_str(value).unwrap());
    }
    headers
}

fn verify(
    method: Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
    key: &VerifyingKey,
) -> Result<(), SignatureError> {
    IncomingSignature::parse(headers)?.verify(&method, path_and_query, headers, body, key, now())
}

#[test]
fn our_post_signature_verifies_with_rsa_crate() {
    let signing = SigningKey::from_pkcs8_pem(KEY_ID, &keys().private_pem).unwrap();
    let url = "https://b.example:8443/users/bob/inbox?x=1".parse().unwrap();
    let headers = sign_request(&signing, &Method::POST, &url, Some(BODY), now()).unwrap();
    let get =
        |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.to_str().unwrap().to_owned()).unwrap();
    assert_eq!(get("host"), "b.example:8443");
    assert_eq!(get("date"), DATE);
    assert_eq!(get("digest"), format!("SHA-256={}", sha256_b64(BODY)));

    let signature_header = get("signature");
    let (prefix, signature) = signature_header.split_once(",signature=\"").unwrap();
    assert_eq!(
        prefix,
        format!(r#"keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest""#)
    );
    let signature = STANDARD.decode(signature.trim_end_matches('"')).unwrap();

    let signing_string = format!(
        "(request-target): post /users/bob/inbox?x=1\nhost: b.example:8443\ndate: {DATE}\ndigest: SHA-256={}",
        sha256_b64(BODY)
    );
    let public = RsaPublicKey::from_public_key_pem(&keys().public_pem).unwrap();
    pkcs1v15::VerifyingKey::<Sha256>::new(public)
        .verify(signing_string.as_bytes(), &pkcs1v15::Signature::try_from(signature.as_slice()).unwrap())
        .unwrap();
    // PKCS#1 v1.5 is deterministic: both implementations produce the same bytes.
    assert_eq!(rsa_sign(&rsa_signer(&keys().private_pem), &signing_string), STANDARD.encode(&signature));
}

#[test]
fn rsa_crate_cavage_post_verifies_with_ours() {
    let digest = format!("SHA-256={}", sha256_b64(BODY));
    let signing_string = format!(
        "(request-target): post /inbox\nhost: b.example\ndate: {DATE}\ndigest: {digest}\ncontent-type: application/activity+json"
    );
    let signature = rsa_sign(&rsa_signer(&keys().private_pem), &signing_string);
    let headers = header_map(&[
        ("host", "b.example".into()),
        ("date", DATE.into()),
        ("digest", digest),
        ("content-type", "application/activity+json".into()),
        (
            "signature",
            format!(
                r#"keyId="{KEY_ID}",algorithm="hs2019",headers="(request-target) host date digest content-type",signature="{signature}""#
            ),
        ),
    ]);
    let key = VerifyingKey::from_pem(&keys().public_pem).unwrap();
    verify(Method::POST, "/inbox", &headers, Some(BODY), &key).unwrap();
    assert_eq!(verify(Method::POST, "/inbox", &headers, Some(b"{}"), &key), Err(SignatureError::DigestMismatch));
}

#[test]
fn rsa_crate_rfc9421_post_verifies_with_ours() {
    let content_digest = format!("sha-256=:{}:", sha256_b64(BODY));
    let params = format!(
        r#"("@method" "@target-uri" "content-digest" "content-type");created={NOW_SECS};keyid="{KEY_ID}";alg="rsa-v1_5-sha256""#
    );
    let base = format!(
        "\"@method\": POST\n\"@target-uri\": https://b.example/users/bob/inbox\n\"content-digest\": {content_digest}\n\"content-type\": application/activity+json\n\"@signature-params\": {params}"
    );
    let signature = rsa_sign(&rsa_signer(&keys().private_pem), &base);
    let headers = header_map(&[
        ("host", "b.example".into()),
        ("content-digest", content_digest),
        ("content-type", "application/activity+json".into()),
        ("signature-input", format!("sig1={params}")),
        ("signature", format!("sig1=:{signature}:")),
    ]);
    let key = VerifyingKey::from_pem(&keys().public_pem).unwrap();
    let parsed = IncomingSignature::parse(&headers).unwrap();
    assert_eq!(parsed.key_id(), KEY_ID);
    verify(Method::POST, "/users/bob/inbox", &headers, Some(BODY), &key).unwrap();
    assert_eq!(
        verify(Method::POST, "/users/bob/inbox", &headers, Some(b"{}"), &key),
        Err(SignatureError::DigestMismatch)
    );
}

#[test]
fn rsa_crate_rfc9421_without_content_digest_is_refused() {
    let params = format!(r#"("@method" "@target-uri");created={NOW_SECS};keyid="{KEY_ID}""#);
    let base = format!("\"@method\": POST\n\"@target-uri\": https://b.example/inbox\n\"@signature-params\": {params}");
    let signature = rsa_sign(&rsa_signer(&keys().private_pem), &base);
    let headers = header_map(&[
        ("host", "b.example".into()),
        ("signature-input", format!("sig1={params}")),
        ("signature", format!("sig1=:{signature}:")),
    ]);
    let key = VerifyingKey::from_pem(&keys().public_pem).unwrap();
    // The signature itself is fine (a GET would pass) ...
    verify(Method::POST, "/inbox", &headers, None, &key).unwrap();
    // ... but it does not protect the body.
    assert_eq!(
        verify(Method::POST, "/inbox", &headers, Some(BODY), &key),
        Err(SignatureError::MissingComponent("content-digest".into()))
    );
}

#[test]
fn pkcs1_public_key_pem_is_accepted() {
    let public = RsaPublicKey::from_public_key_pem(&keys().public_pem).unwrap();
    let pkcs1 = public.to_pkcs1_pem(LineEnding::LF).unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    let key = VerifyingKey::from_pem(&pkcs1).unwrap();

    let signing = SigningKey::from_pkcs8_pem(KEY_ID, &keys().private_pem).unwrap();
    let url = "https://b.example/users/bob".parse().unwrap();
    let headers: HeaderMap = sign_request(&signing, &Method::GET, &url, None, now()).unwrap().into_iter().collect();
    verify(Method::GET, "/users/bob", &headers, None, &key).unwrap();
}

#[test]
fn pkcs1_private_key_pem_is_accepted() {
    let private = RsaPrivateKey::from_pkcs8_pem(&keys().private_pem).unwrap();
    let pkcs1 = private.to_pkcs1_pem(LineEnding::LF).unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let signing = SigningKey::from_pkcs8_pem(KEY_ID, &pkcs1).unwrap();
    let url = "https://b.example/users/bob".parse().unwrap();
    let headers: HeaderMap = sign_request(&signing, &Method::GET, &url, None, now()).unwrap().into_iter().collect();
    let key = VerifyingKey::from_pem(&keys().public_pem).unwrap();
    verify(Method::GET, "/users/bob", &headers, None, &key).unwrap();
}

#[test]
fn legacy_1024_bit_keys_verify_and_tiny_keys_are_refused() {
    let mut rng = rand::thread_rng();
    let private = RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let public_pem = private.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let signer = pkcs1v15::SigningKey::<Sha256>::new(private);
    let signing_string = format!("(request-target): get /users/bob\nhost: b.example\ndate: {DATE}");
    let signature = rsa_sign(&signer, &signing_string);
    let headers = header_map(&[
        ("host", "b.example".into()),
        ("date", DATE.into()),
        (
            "signature",
            format!(
                r#"keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date",signature="{signature}""#
            ),
        ),
    ]);
    let key = VerifyingKey::from_pem(&public_pem).unwrap();
    verify(Method::GET, "/users/bob", &headers, None, &key).unwrap();

    let tiny = RsaPrivateKey::new(&mut rng, 512).unwrap();
    let tiny_pem = tiny.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    assert!(matches!(VerifyingKey::from_pem(&tiny_pem), Err(SignatureError::InvalidKey(_))));
}
