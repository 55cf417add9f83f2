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
    if bytes.len() < 2 {
        return None;
    }
    let rsa_len = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
    if rsa_len < MIN_RSA_BYTES || rsa_len % 64 != 0 || bytes.len() < 2 + rsa_len + TAG_BYTES {
        return None;
    }
    Some(Shape {
        rsa_len,
        total_len: bytes.len(),
    })
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
        assert_eq!(shape(&enc), Some(Shape { rsa_len: 512, total_len: raw.len() }));
        assert!(!looks_sealed("hunter2"));
        assert!(!looks_sealed(""));
        assert!(!looks_sealed("AgAB"));
        // Right prefix, too short.
        assert!(!looks_sealed(&STANDARD.encode([0x02, 0x00, 1, 2, 3])));
    }
}
