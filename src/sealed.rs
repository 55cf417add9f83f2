//! The shape of a Sealed Secrets ciphertext (see FACTS.md, Sealed Secrets): standard
//! base64 of `u16 BE length ‖ RSA-OAEP(session key) ‖ AES-256-GCM(plaintext) ‖ tag`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The smallest RSA modulus a controller would use (1024 bits), in bytes.
const MIN_RSA_BYTES: usize = 128;
/// The GCM tag.
const TAG_BYTES: usize = 16;

/// The parts of a well-formed ciphertext: the RSA block's length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub rsa_len: usize,
    pub total_len: usize,
}

/// Parses the outer structure of a sealed value without decrypting it.
#[must_use]
pub fn shape(value: &str) -> Option<Shape> {
    let bytes = STANDARD.decode(value.as_bytes()).ok()?;
    let (rsa, _) = split(&bytes)?;
    Some(Shape {
        rsa_len: rsa.len(),
        total_len: bytes.len(),
    })
}

/// Splits a decoded ciphertext into its RSA block (the wrapped session key) and its
/// AES-GCM part (ciphertext with the tag), or `None` when the outer structure is wrong.
/// The one parser of the format: [`shape`] and `afc seal --verify-with` both use it.
#[must_use]
pub fn split(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    if bytes.len() < 2 {
        return None;
    }
    let rsa_len = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
    if rsa_len < MIN_RSA_BYTES || rsa_len % 64 != 0 || bytes.len() < 2 + rsa_len + TAG_BYTES {
        return None;
    }
    Some(bytes[2..].split_at(rsa_len))
}

/// The inverse of [`split`]: `u16 BE length ‖ rsa ‖ gcm`, standard base64 with padding.
/// `rsa` is at most 2048 bytes (afc refuses keys over 16384 bits), so its length fits
/// the `u16` prefix.
#[must_use]
pub fn join(rsa: &[u8], gcm: &[u8]) -> String {
    let len = u16::try_from(rsa.len()).unwrap_or(u16::MAX);
    let mut raw = Vec::with_capacity(2 + rsa.len() + gcm.len());
    raw.extend_from_slice(&len.to_be_bytes());
    raw.extend_from_slice(rsa);
    raw.extend_from_slice(gcm);
    STANDARD.encode(raw)
}

/// True for a value that has the shape of a sealed ciphertext; anything else in a
/// `sealed` block is plaintext.
#[must_use]
pub fn looks_sealed(value: &str) -> bool {
    shape(value).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut raw = vec![0x02, 0x00];
        raw.extend(std::iter::repeat_n(7u8, 512 + 16 + 5));
        let enc = STANDARD.encode(&raw);
        assert_eq!(
            shape(&enc),
            Some(Shape {
                rsa_len: 512,
                total_len: raw.len()
            })
        );
        assert!(!looks_sealed("hunter2"));
        assert!(!looks_sealed(""));
        assert!(!looks_sealed("AgAB"));
        // Right prefix, too short.
        assert!(!looks_sealed(&STANDARD.encode([0x02, 0x00, 1, 2, 3])));
    }

    #[test]
    fn split_and_join_are_inverse() {
        let rsa = vec![9u8; 256];
        let gcm = vec![4u8; 16 + 3];
        let enc = join(&rsa, &gcm);
        let raw = STANDARD.decode(&enc).expect("base64");
        assert_eq!(&raw[..2], &[0x01, 0x00]);
        assert_eq!(split(&raw), Some((&rsa[..], &gcm[..])));
        assert_eq!(
            shape(&enc),
            Some(Shape {
                rsa_len: 256,
                total_len: 2 + 256 + 19
            })
        );
        // A length that is not a multiple of 64, and one that overruns the value.
        assert_eq!(split(&[0x01, 0x01, 0, 0]), None);
        assert_eq!(split(&raw[..2 + 256 + 15]), None);
    }
}
