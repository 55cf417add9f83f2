//! Keys and certificates for the `afc seal` tests, made in the test (no `openssl`
//! binary): shared by the unit tests (`src/seal/mod.rs` includes this file) and the
//! integration tests (`tests/seal.rs`, `tests/seal_conformance.rs`). Key generation is
//! slow, so each test binary makes at most these two keys, once.
#![allow(dead_code)]

use rsa::RsaPrivateKey;
use rsa::rand_core::OsRng;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::EncodePem;
use x509_cert::der::asn1::BitString;
use x509_cert::der::pem::LineEnding;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

const DAY: Duration = Duration::from_secs(86_400);

/// The test controller key, made once per test binary: 4096 bits, the Sealed Secrets
/// controller's default (so the example's own values have the size of its key, as the
/// `sealed-wrong-key` lint wants).
pub fn rsa_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut OsRng, 4096).expect("key generation"))
}

/// A second, unrelated key (another controller, 2048 bits), made once per test binary.
pub fn other_rsa_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut OsRng, 2048).expect("key generation"))
}

/// A self-signed certificate like the Sealed Secrets controller's, for `spki`, signed
/// by `signer`, valid from `not_before` to `not_after`.
pub fn cert_pem_for(
    signer: &RsaPrivateKey,
    spki: SubjectPublicKeyInfoOwned,
    not_before: SystemTime,
    not_after: SystemTime,
) -> String {
    let signing_key = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(signer.clone());
    let validity = Validity {
        not_before: Time::try_from(not_before).expect("time"),
        not_after: Time::try_from(not_after).expect("time"),
    };
    let builder = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(1u32),
        validity,
        Name::from_str("CN=sealed-secret,O=afc-test").expect("name"),
        spki,
        &signing_key,
    )
    .expect("certificate builder");
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .expect("signed certificate");
    cert.to_pem(LineEnding::LF).expect("PEM")
}

/// The SubjectPublicKeyInfo of an RSA key.
pub fn rsa_spki(key: &RsaPrivateKey) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).expect("SPKI")
}

/// A certificate for `key`, valid from yesterday for ten years.
pub fn cert_pem(key: &RsaPrivateKey) -> String {
    let now = SystemTime::now();
    cert_pem_for(key, rsa_spki(key), now - DAY, now + 3650 * DAY)
}

/// A certificate for `key` that expired yesterday.
pub fn expired_cert_pem(key: &RsaPrivateKey) -> String {
    let now = SystemTime::now();
    cert_pem_for(key, rsa_spki(key), now - 400 * DAY, now - DAY)
}

/// A valid certificate whose key is Ed25519, not RSA (signed by `signer`).
pub fn ed25519_cert_pem(signer: &RsaPrivateKey) -> String {
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.3.101.112"),
            parameters: None,
        },
        subject_public_key: BitString::from_bytes(&[7u8; 32]).expect("bit string"),
    };
    let now = SystemTime::now();
    cert_pem_for(signer, spki, now - DAY, now + 3650 * DAY)
}
