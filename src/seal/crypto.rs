//! The Sealed Secrets hybrid encryption, exactly as kubeseal's `HybridEncrypt` does it
//! (FACTS.md, Sealed Secrets), and the keys it needs: the controller's certificate for
//! sealing and, for `afc seal --verify-with`, its private key.
//!
//! A value is sealed with a fresh 32-byte AES-256-GCM session key, wrapped with
//! RSA-OAEP (SHA-256 for the hash and for MGF1) under the scope's label; the GCM nonce
//! is 12 zero bytes (safe: the key is used once) and there is no associated data. The
//! layout of the result is [`crate::sealed::join`]'s. Everything here is RustCrypto
//! primitives; nothing is hand-written crypto.
//!
//! Secrets in memory: the session key and every buffer that holds plaintext are
//! [`Zeroizing`], and the AES key schedule is wiped on drop (the `zeroize` features of
//! `aes` and `aes-gcm`).

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::rand_core::{CryptoRngCore, OsRng};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Oaep, RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use std::time::{Duration, SystemTime};
use x509_cert::Certificate;
use x509_cert::der::DecodePem;
use zeroize::Zeroizing;

/// Bytes of the AES-256 session key.
pub const SESSION_KEY_BYTES: usize = 32;
/// The largest RSA modulus afc seals for, in bits (the Sealed Secrets controller's
/// default is 4096; its `--key-size` can go higher).
pub const MAX_KEY_BITS: usize = 16384;
/// The GCM nonce: all zeros, as kubeseal uses it.
const NONCE: [u8; 12] = [0; 12];
/// `rsaEncryption` (PKCS #1).
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// Why a value could not be sealed. Neither variant carries any part of the plaintext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SealFailure {
    /// The operating system's random number generator failed.
    Random,
    /// RSA-OAEP refused the session key (a modulus too small for OAEP with SHA-256).
    Rsa(String),
    /// AES-GCM refused the plaintext (longer than GCM allows).
    Aead,
}

impl std::fmt::Display for SealFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SealFailure::Random => {
                f.write_str("the operating system's random number generator failed")
            }
            SealFailure::Rsa(e) => write!(f, "RSA-OAEP encryption failed: {e}"),
            SealFailure::Aead => f.write_str("AES-GCM encryption failed (the value is too long)"),
        }
    }
}

/// Seals `plaintext` for `label` with the controller's public key, using the operating
/// system's random number generator. Returns the standard-base64 ciphertext.
///
/// # Errors
/// The OS RNG fails, or the key is too small for RSA-OAEP with SHA-256.
pub fn seal(key: &RsaPublicKey, label: &str, plaintext: &[u8]) -> Result<String, SealFailure> {
    seal_with_rng(key, label, plaintext, &mut OsRng)
}

/// [`seal`] with a caller-chosen cryptographic RNG (for tests; afc itself always uses
/// the OS RNG).
///
/// # Errors
/// As [`seal`].
pub fn seal_with_rng(
    key: &RsaPublicKey,
    label: &str,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<String, SealFailure> {
    let mut session = Zeroizing::new([0u8; SESSION_KEY_BYTES]);
    rng.try_fill_bytes(&mut session[..])
        .map_err(|_| SealFailure::Random)?;
    let wrapped = key
        .encrypt(rng, Oaep::new_with_label::<Sha256, _>(label), &session[..])
        .map_err(|e| SealFailure::Rsa(e.to_string()))?;
    let cipher = Aes256Gcm::new_from_slice(&session[..]).map_err(|_| SealFailure::Aead)?;
    // Exactly the room the ciphertext and tag need, so the buffer never reallocates and
    // leaves no copy of the plaintext behind; it is wiped on every path out.
    let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + 16));
    buf.extend_from_slice(plaintext);
    cipher
        .encrypt_in_place(Nonce::from_slice(&NONCE), b"", &mut *buf)
        .map_err(|_| SealFailure::Aead)?;
    Ok(crate::sealed::join(&wrapped, &buf))
}

/// Why a sealed value did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenFailure {
    /// Not standard base64, or not the `length ‖ RSA ‖ GCM` layout.
    Malformed,
    /// The RSA block's size is not the key's: sealed with another key.
    KeySize,
    /// RSA-OAEP failed: another key, or another label (namespace, name or scope).
    Unwrap,
    /// The session key opened but AES-GCM did not authenticate: the value was altered.
    Corrupt,
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OpenFailure::Malformed => "it is not a sealed value (not base64, or not the Sealed Secrets layout)",
            OpenFailure::KeySize => "it was sealed with a key of another size",
            OpenFailure::Unwrap => "its session key does not unwrap: another key, or another namespace, name or scope",
            OpenFailure::Corrupt => "its session key unwraps but the payload does not authenticate: the value was altered",
        })
    }
}

/// Opens a sealed value as the controller would: the plaintext, wiped when dropped.
///
/// # Errors
/// The value is malformed, was sealed for another key or label, or was altered.
pub fn open(
    key: &RsaPrivateKey,
    label: &str,
    value: &str,
) -> Result<Zeroizing<Vec<u8>>, OpenFailure> {
    let raw = STANDARD
        .decode(value.as_bytes())
        .map_err(|_| OpenFailure::Malformed)?;
    let (wrapped, sealed) = crate::sealed::split(&raw).ok_or(OpenFailure::Malformed)?;
    if wrapped.len() != key.size() {
        return Err(OpenFailure::KeySize);
    }
    let session = key
        .decrypt(Oaep::new_with_label::<Sha256, _>(label), wrapped)
        .map(Zeroizing::new)
        .map_err(|_| OpenFailure::Unwrap)?;
    let cipher = Aes256Gcm::new_from_slice(&session).map_err(|_| OpenFailure::Unwrap)?;
    let mut buf = Zeroizing::new(sealed.to_vec());
    cipher
        .decrypt_in_place(Nonce::from_slice(&NONCE), b"", &mut *buf)
        .map_err(|_| OpenFailure::Corrupt)?;
    Ok(buf)
}

/// The controller's public key, from its certificate.
#[derive(Clone, Debug)]
pub struct SealingCert {
    pub key: RsaPublicKey,
    /// The end of the certificate's validity.
    pub not_after: SystemTime,
    /// `not_after` as written in the certificate, RFC 3339 (`2035-12-30T00:00:00Z`).
    pub not_after_text: String,
    /// The modulus size in bits.
    pub bits: usize,
}

/// Why a certificate cannot be sealed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertFailure {
    /// No `-----BEGIN CERTIFICATE-----` block.
    NotPem,
    /// The PEM block is not a well-formed X.509 certificate.
    Invalid(String),
    /// The certificate's `notAfter` is in the past (kubeseal refuses these too).
    Expired { not_after: String },
    /// The public key is not an RSA key (the algorithm's name or OID).
    NotRsa { algorithm: String },
    /// An RSA key afc cannot use (malformed, or larger than [`MAX_KEY_BITS`]).
    BadRsaKey(String),
}

/// Reads the first certificate of a PEM file, as kubeseal's `ParseKey` does: text before
/// it is skipped, the key must be RSA and the certificate not expired at `now`.
///
/// # Errors
/// See [`CertFailure`].
pub fn parse_cert(pem: &[u8], now: SystemTime) -> Result<SealingCert, CertFailure> {
    let text = String::from_utf8_lossy(pem);
    let (_, block) = pem_block(&text, &["CERTIFICATE"]).ok_or(CertFailure::NotPem)?;
    let cert =
        Certificate::from_pem(block.as_bytes()).map_err(|e| CertFailure::Invalid(e.to_string()))?;
    let tbs = &cert.tbs_certificate;
    let not_after = tbs.validity.not_after;
    let not_after_text = not_after.to_string();
    let not_after_time = SystemTime::UNIX_EPOCH + not_after.to_unix_duration();
    if not_after_time < now {
        return Err(CertFailure::Expired {
            not_after: not_after_text,
        });
    }
    let spki = &tbs.subject_public_key_info;
    let oid = spki.algorithm.oid.to_string();
    if oid != RSA_ENCRYPTION {
        return Err(CertFailure::NotRsa {
            algorithm: algorithm_name(&oid),
        });
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| CertFailure::BadRsaKey("the key's bit string is not whole bytes".into()))?;
    let pkcs1 = rsa::pkcs1::RsaPublicKey::try_from(bits)
        .map_err(|e| CertFailure::BadRsaKey(e.to_string()))?;
    let key = RsaPublicKey::new_with_max_size(
        BigUint::from_bytes_be(pkcs1.modulus.as_bytes()),
        BigUint::from_bytes_be(pkcs1.public_exponent.as_bytes()),
        MAX_KEY_BITS,
    )
    .map_err(|e| CertFailure::BadRsaKey(e.to_string()))?;
    Ok(SealingCert {
        bits: key.n().bits(),
        key,
        not_after: not_after_time,
        not_after_text,
    })
}

/// A readable name for the public-key algorithms one meets in certificates.
fn algorithm_name(oid: &str) -> String {
    let name = match oid {
        "1.2.840.10045.2.1" => "EC (ECDSA)",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.3.101.110" => "X25519",
        "1.2.840.10040.4.1" => "DSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS (a signature-only RSA key)",
        _ => return format!("OID {oid}"),
    };
    format!("{name}, OID {oid}")
}

/// Why a private key file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyFailure {
    /// No `RSA PRIVATE KEY` (PKCS #1) or `PRIVATE KEY` (PKCS #8) block.
    NotPem,
    /// An `ENCRYPTED PRIVATE KEY` block.
    Encrypted,
    /// The block does not decode as an RSA private key.
    Invalid(String),
}

/// Reads an RSA private key from PEM: PKCS #1 (`RSA PRIVATE KEY`, what the Sealed
/// Secrets controller stores in `tls.key`) or PKCS #8 (`PRIVATE KEY`). Text around the
/// block (a certificate beside it, say) is skipped.
///
/// # Errors
/// See [`KeyFailure`].
pub fn parse_private_key(pem: &str) -> Result<RsaPrivateKey, KeyFailure> {
    if pem_block(pem, &["ENCRYPTED PRIVATE KEY"]).is_some() {
        return Err(KeyFailure::Encrypted);
    }
    match pem_block(pem, &["RSA PRIVATE KEY", "PRIVATE KEY"]) {
        Some(("RSA PRIVATE KEY", block)) => {
            RsaPrivateKey::from_pkcs1_pem(block).map_err(|e| KeyFailure::Invalid(e.to_string()))
        }
        Some((_, block)) => {
            RsaPrivateKey::from_pkcs8_pem(block).map_err(|e| KeyFailure::Invalid(e.to_string()))
        }
        None => Err(KeyFailure::NotPem),
    }
}

/// The first PEM block with one of `labels`: (its label, the block from `-----BEGIN`
/// to the end of its `-----END ...-----` line).
fn pem_block<'a>(text: &'a str, labels: &[&'static str]) -> Option<(&'static str, &'a str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for label in labels {
        let begin = format!("-----BEGIN {label}-----");
        if let Some(at) = text.find(&begin) {
            if best.is_none_or(|(b, _)| at < b) {
                best = Some((at, label));
            }
        }
    }
    let (start, label) = best?;
    let end_marker = format!("-----END {label}-----");
    let end = text[start..].find(&end_marker)? + start + end_marker.len();
    Some((label, &text[start..end]))
}

/// Whole days until `t`, negative when it has passed (for messages).
#[must_use]
pub fn days_until(t: SystemTime, now: SystemTime) -> i64 {
    match t.duration_since(now) {
        Ok(d) => i64::try_from(d.as_secs() / 86_400).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs() / 86_400).unwrap_or(i64::MAX),
    }
}

/// The validity left when `afc seal` warns that a certificate is about to expire.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 86_400);

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePrivateKey;

    /// The shared 2048-bit test key (key generation is slow: one per test binary).
    fn key() -> &'static RsaPrivateKey {
        crate::seal::test_support::other_rsa_key()
    }

    #[test]
    fn round_trip_with_each_label() {
        let k = key();
        for label in ["af-staging/jwt", "af-staging", ""] {
            let v = seal(&k.to_public_key(), label, b"hunter2").expect("seal");
            assert!(crate::sealed::looks_sealed(&v));
            assert_eq!(&open(k, label, &v).expect("opens")[..], b"hunter2");
        }
    }

    #[test]
    fn layout_is_kubeseals() {
        let k = key();
        let v = seal(&k.to_public_key(), "ns/name", b"abc").expect("seal");
        let raw = STANDARD.decode(&v).expect("standard base64 with padding");
        // 2048-bit key: a 256-byte RSA block, then 3 bytes of ciphertext and a 16-byte tag.
        assert_eq!(&raw[..2], &[0x01, 0x00]);
        assert_eq!(raw.len(), 2 + 256 + 3 + 16);
        // Decrypt with the primitives directly: OAEP-SHA256 with the label, then GCM
        // with a zero nonce and no associated data.
        let session = k
            .decrypt(Oaep::new_with_label::<Sha256, _>("ns/name"), &raw[2..258])
            .expect("unwrap");
        assert_eq!(session.len(), 32);
        let cipher = Aes256Gcm::new_from_slice(&session).expect("key");
        let plain = aes_gcm::aead::Aead::decrypt(&cipher, Nonce::from_slice(&[0; 12]), &raw[258..])
            .expect("open");
        assert_eq!(plain, b"abc");
    }

    #[test]
    fn every_seal_uses_a_fresh_session_key() {
        let k = key();
        let a = seal(&k.to_public_key(), "x", b"same").expect("seal");
        let b = seal(&k.to_public_key(), "x", b"same").expect("seal");
        assert_ne!(a, b);
        let (ra, ga) = {
            let raw = STANDARD.decode(&a).expect("b64");
            (raw[2..258].to_vec(), raw[258..].to_vec())
        };
        let raw_b = STANDARD.decode(&b).expect("b64");
        assert_ne!(ra, raw_b[2..258].to_vec());
        // Same plaintext and nonce but another key: another GCM ciphertext.
        assert_ne!(ga, raw_b[258..].to_vec());
    }

    #[test]
    fn a_label_opens_only_its_own_value() {
        let k = key();
        let v = seal(&k.to_public_key(), "af-staging/jwt", b"s").expect("seal");
        for other in ["af-production/jwt", "af-staging", "", "af-staging/jwt2"] {
            assert_eq!(open(k, other, &v), Err(OpenFailure::Unwrap), "{other}");
        }
    }

    #[test]
    fn open_reports_malformed_and_altered_values() {
        let k = key();
        assert_eq!(open(k, "", "hunter2"), Err(OpenFailure::Malformed));
        let v = seal(&k.to_public_key(), "", b"payload").expect("seal");
        let mut raw = STANDARD.decode(&v).expect("b64");
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert_eq!(
            open(k, "", &STANDARD.encode(&raw)),
            Err(OpenFailure::Corrupt)
        );
        // A 4096-bit-shaped value against a 2048-bit key.
        let big = crate::sealed::join(&[1u8; 512], &[0u8; 20]);
        assert_eq!(open(k, "", &big), Err(OpenFailure::KeySize));
    }

    #[test]
    fn empty_and_binary_plaintexts_round_trip() {
        let k = key();
        let bytes: Vec<u8> = (0..=255u8).collect();
        for p in [&b""[..], &bytes[..]] {
            let v = seal(&k.to_public_key(), "a/b", p).expect("seal");
            assert_eq!(&open(k, "a/b", &v).expect("opens")[..], p);
        }
    }

    #[test]
    fn private_keys_in_pkcs1_and_pkcs8() {
        let k = key();
        let p1 = k.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).expect("pkcs1");
        let p8 = k.to_pkcs8_pem(rsa::pkcs8::LineEnding::CRLF).expect("pkcs8");
        assert_eq!(&parse_private_key(&p1).expect("pkcs1 parses"), k);
        let with_noise = format!("a certificate might be here\n{}\ntrailer", &*p8);
        assert_eq!(&parse_private_key(&with_noise).expect("pkcs8 parses"), k);
        assert_eq!(parse_private_key("nothing"), Err(KeyFailure::NotPem));
        assert_eq!(
            parse_private_key(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
            ),
            Err(KeyFailure::Encrypted)
        );
        assert!(matches!(
            parse_private_key(
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
            ),
            Err(KeyFailure::Invalid(_))
        ));
    }

    #[test]
    fn certificates_that_are_not_pem_certificates() {
        let now = SystemTime::now();
        assert_eq!(parse_cert(b"", now).err(), Some(CertFailure::NotPem));
        assert_eq!(
            parse_cert(
                b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                now
            )
            .err(),
            Some(CertFailure::NotPem)
        );
        assert!(matches!(
            parse_cert(
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                now
            ),
            Err(CertFailure::Invalid(_))
        ));
    }

    #[test]
    fn the_example_certificate_is_a_4096_bit_rsa_key() {
        let pem = include_bytes!("../../examples/alternatefutures/certs/sealed-secrets.pem");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 2027-01-15
        let cert = parse_cert(pem, now).expect("parses");
        assert_eq!(cert.bits, 4096);
        assert_eq!(cert.not_after_text, "2035-12-30T00:00:00Z");
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(2_100_000_000); // 2036-07
        assert_eq!(
            parse_cert(pem, later).err(),
            Some(CertFailure::Expired {
                not_after: "2035-12-30T00:00:00Z".into()
            })
        );
    }

    #[test]
    fn generated_certificates() {
        use crate::seal::test_support as ts;
        let k = ts::rsa_key();
        let now = SystemTime::now();
        let cert = parse_cert(ts::cert_pem(k).as_bytes(), now).expect("valid");
        assert_eq!(cert.key, k.to_public_key());
        assert_eq!(cert.bits, 4096);
        assert!(days_until(cert.not_after, now) > 3000);
        // CRLF line endings are fine.
        let crlf = ts::cert_pem(k).replace('\n', "\r\n");
        assert_eq!(
            parse_cert(crlf.as_bytes(), now).map(|c| c.key),
            Ok(k.to_public_key())
        );
        // Text before the certificate (a README line, a private key) is skipped.
        let noisy = format!("fetched with kubeseal\n{}", ts::cert_pem(k));
        assert!(parse_cert(noisy.as_bytes(), now).is_ok());
        assert!(matches!(
            parse_cert(ts::expired_cert_pem(k).as_bytes(), now),
            Err(CertFailure::Expired { .. })
        ));
        assert_eq!(
            parse_cert(ts::ed25519_cert_pem(k).as_bytes(), now).err(),
            Some(CertFailure::NotRsa {
                algorithm: "Ed25519, OID 1.3.101.112".into()
            })
        );
    }

    #[test]
    fn days_until_counts_both_ways() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            days_until(now + Duration::from_secs(3 * 86_400 + 5), now),
            3
        );
        assert_eq!(
            days_until(now - Duration::from_secs(2 * 86_400 + 5), now),
            -2
        );
    }
}
