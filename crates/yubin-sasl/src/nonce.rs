//! `Nonce`: the caller's entropy for CRAM-MD5 challenges and SCRAM nonces.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A printable nonce: caller entropy for the CRAM-MD5 challenge and the SCRAM
/// client or server nonce. The crate never draws randomness itself.
///
/// Its text is 1 to [`Nonce::MAX_OCTETS`] characters from `%x21-7E` except
/// `,` (RFC 5802's `printable`), so it fits both uses unchanged.
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce(String);

/// The error from [`Nonce::from_printable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NonceError {
    /// The nonce was empty or longer than [`Nonce::MAX_OCTETS`].
    #[error("nonce length out of range")]
    Length,
    /// The nonce held a character outside `%x21-7E`, or a `,`.
    #[error("nonce holds a character outside printable ascii or a comma")]
    Character,
}

impl Nonce {
    /// Octets of entropy [`Nonce::from_entropy`] takes: 18 octets (144 bits)
    /// become 24 base64 characters.
    pub const ENTROPY_OCTETS: usize = 18;

    /// The longest nonce text accepted, in octets.
    pub const MAX_OCTETS: usize = 256;

    /// A nonce from random octets (from the caller's CSPRNG), base64-encoded.
    pub fn from_entropy(entropy: [u8; Self::ENTROPY_OCTETS]) -> Nonce {
        Nonce(STANDARD.encode(entropy))
    }

    /// A nonce from text chosen by the caller, e.g. an RFC test vector or a
    /// `<pid.timestamp>`-style CRAM-MD5 local part. The caller vouches for its
    /// unpredictability.
    pub fn from_printable(text: &str) -> Result<Nonce, NonceError> {
        if text.is_empty() || text.len() > Self::MAX_OCTETS {
            return Err(NonceError::Length);
        }
        if !text.bytes().all(is_printable) {
            return Err(NonceError::Character);
        }
        Ok(Nonce(text.to_owned()))
    }

    /// The nonce text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// RFC 5802 `printable = %x21-2B / %x2D-7E` (printable ASCII except ",").
pub(crate) fn is_printable(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && b != b','
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonce(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_is_base64() {
        let n = Nonce::from_entropy([0xff; 18]);
        assert_eq!(n.as_str(), "////////////////////////");
        assert!(Nonce::from_printable(n.as_str()).is_ok());
    }

    #[test]
    fn printable_rules() {
        assert!(Nonce::from_printable("fyko+d2lbbFgONRv9qkxdawL").is_ok());
        assert_eq!(Nonce::from_printable(""), Err(NonceError::Length));
        assert_eq!(Nonce::from_printable("a,b"), Err(NonceError::Character));
        assert_eq!(Nonce::from_printable("a b"), Err(NonceError::Character));
        assert_eq!(Nonce::from_printable("é"), Err(NonceError::Character));
        assert_eq!(
            Nonce::from_printable(&"a".repeat(257)),
            Err(NonceError::Length)
        );
    }
}
