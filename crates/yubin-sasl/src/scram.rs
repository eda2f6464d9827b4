//! SCRAM key derivation (RFC 5802 §3) for SHA-1 and SHA-256 (RFC 7677).

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::Secret;

/// The hash function of a SCRAM mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScramHash {
    /// SHA-1, for `SCRAM-SHA-1` (RFC 5802).
    Sha1,
    /// SHA-256, for `SCRAM-SHA-256` (RFC 7677).
    Sha256,
}

impl ScramHash {
    /// The digest length in octets: 20 for SHA-1, 32 for SHA-256.
    pub const fn output_octets(self) -> usize {
        match self {
            ScramHash::Sha1 => 20,
            ScramHash::Sha256 => 32,
        }
    }

    /// `H(data)`.
    pub(crate) fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha1 => Sha1::digest(data).to_vec(),
            ScramHash::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    /// `HMAC(key, data)`.
    pub(crate) fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail; were
        // it to, the empty output fails every comparison (fail closed).
        match self {
            ScramHash::Sha1 => Hmac::<Sha1>::new_from_slice(key)
                .map(|m| m.chain_update(data).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
            ScramHash::Sha256 => Hmac::<Sha256>::new_from_slice(key)
                .map(|m| m.chain_update(data).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
        }
    }

    /// `Hi(password, salt, i)`: PBKDF2 with HMAC as the PRF, one block.
    pub(crate) fn hi(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        let mut out = vec![0u8; self.output_octets()];
        match self {
            ScramHash::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out),
            ScramHash::Sha256 => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out)
            }
        }
        out
    }
}

/// What a server stores for a SCRAM user (RFC 5802 §3): the salt, the
/// iteration count, `StoredKey` and `ServerKey`. Not the password.
#[derive(Debug, Clone)]
pub struct ScramCredentials {
    /// The hash these keys were derived with; must match the mechanism.
    pub hash: ScramHash,
    /// The salt (sent to the client base64-encoded).
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// `StoredKey := H(ClientKey)`.
    pub stored_key: Secret<Vec<u8>>,
    /// `ServerKey := HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Secret<Vec<u8>>,
}

/// Derives the stored SCRAM credentials from a password, for a user store
/// (RFC 5802 §3). The password is used as given (no SASLprep).
///
/// ```
/// use yubin_sasl::{scram_credentials, ScramHash};
/// let c = scram_credentials(ScramHash::Sha256, "pencil", b"salt-from-csprng", 4096);
/// assert_eq!(c.stored_key.expose().len(), 32);
/// ```
pub fn scram_credentials(
    hash: ScramHash,
    password: &str,
    salt: &[u8],
    iterations: u32,
) -> ScramCredentials {
    let keys = Keys::derive(hash, password.as_bytes(), salt, iterations);
    ScramCredentials {
        hash,
        salt: salt.to_vec(),
        iterations,
        stored_key: Secret::new(hash.hash(&keys.client_key)),
        server_key: Secret::new(keys.server_key),
    }
}

/// The client's and server's keys from a password.
pub(crate) struct Keys {
    pub(crate) client_key: Vec<u8>,
    pub(crate) server_key: Vec<u8>,
}

impl Keys {
    pub(crate) fn derive(hash: ScramHash, password: &[u8], salt: &[u8], iterations: u32) -> Keys {
        let salted = hash.hi(password, salt, iterations);
        Keys {
            client_key: hash.hmac(&salted, b"Client Key"),
            server_key: hash.hmac(&salted, b"Server Key"),
        }
    }
}

/// `a XOR b`, for equal lengths (digests of one hash); a length mismatch
/// yields an empty vector, which fails every later comparison.
pub(crate) fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.len() != b.len() {
        return Vec::new();
    }
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn rfc5802_5_keys_give_the_published_proof() {
        // RFC 5802 §5: user "user", password "pencil", salt QSXCR+Q6sek8bf92, i=4096.
        let salt = STANDARD.decode("QSXCR+Q6sek8bf92").unwrap();
        let c = scram_credentials(ScramHash::Sha1, "pencil", &salt, 4096);
        let auth = b"n=user,r=fyko+d2lbbFgONRv9qkxdawL,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j";
        let server_sig = ScramHash::Sha1.hmac(c.server_key.expose(), auth);
        assert_eq!(STANDARD.encode(server_sig), "rmF9pqV8S7suAoZWja4dJRkFsKQ=");
    }

    #[test]
    fn xor_length_mismatch_is_empty() {
        assert_eq!(xor(b"ab", b"a"), Vec::<u8>::new());
        assert_eq!(xor(b"\x0f", b"\xf0"), vec![0xff]);
    }
}
