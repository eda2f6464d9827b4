//! APOP (RFC 1939 §7): the greeting timestamp and the MD5 digest.
//!
//! APOP proves knowledge of a shared secret without sending it: the server
//! puts a unique `<unique@host>` timestamp in its greeting, and the client
//! answers `APOP name digest` where `digest = hex(MD5(timestamp + secret))`.
//!
//! **APOP is weak.** MD5 is broken for collisions, and a man in the middle
//! who chooses the timestamp can recover the first characters of the secret
//! (CVE-2007-1558, Leurent / Sasaki et al.). The server keeps it off by
//! default; enable it only for legacy clients, preferably only over TLS.
//! The secret must be stored in the clear (or reversibly) on the server.
//!
//! Nothing here draws randomness or reads the clock: the caller passes the
//! unique bytes and the time it wants in the timestamp.

use md5::{Digest as _, Md5};
use thiserror::Error;

/// Longest timestamp accepted, angle brackets included, in octets.
///
/// The greeting line is at most 512 octets (RFC 2449 §4); 255 leaves room
/// for the rest of the greeting text.
pub const MAX_TIMESTAMP_OCTETS: usize = 255;

/// Why a timestamp or a digest was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ApopError {
    /// The timestamp is not `<local@domain>` made of printable ASCII.
    #[error("malformed apop timestamp")]
    MalformedTimestamp,
    /// The timestamp is longer than [`MAX_TIMESTAMP_OCTETS`].
    #[error("apop timestamp longer than {MAX_TIMESTAMP_OCTETS} octets")]
    TimestampTooLong,
    /// The digest is not 32 lower-case hexadecimal digits.
    #[error("malformed apop digest")]
    MalformedDigest,
}

/// A greeting timestamp, angle brackets included: `<1896.697170952@host>`.
///
/// Its syntax follows RFC 822's `msg-id` as RFC 1939 §7 asks: `<`, a
/// local part, `@`, a domain, `>`, all printable ASCII without spaces or
/// angle brackets inside.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// Builds `<hex(unique).time@host>` from values the caller chose.
    ///
    /// `unique` must differ for every greeting (RFC 1939 §7: "MUST be
    /// different each time"): pass fresh random bytes (16 are plenty).
    /// `time` is any number the caller likes, e.g. seconds since the epoch.
    /// `host` is the server's name.
    pub fn new(unique: &[u8], time: u64, host: &str) -> Result<Self, ApopError> {
        let mut s = String::with_capacity(unique.len() * 2 + host.len() + 24);
        s.push('<');
        push_hex(&mut s, unique);
        s.push('.');
        s.push_str(&time.to_string());
        s.push('@');
        s.push_str(host);
        s.push('>');
        Self::parse(&s)
    }

    /// Checks `s` as a timestamp (angle brackets included).
    pub fn parse(s: &str) -> Result<Self, ApopError> {
        if s.len() > MAX_TIMESTAMP_OCTETS {
            return Err(ApopError::TimestampTooLong);
        }
        let inner = s
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .ok_or(ApopError::MalformedTimestamp)?;
        let (local, domain) = inner.split_once('@').ok_or(ApopError::MalformedTimestamp)?;
        let ok_char = |b: u8| (0x21..=0x7e).contains(&b) && !matches!(b, b'<' | b'>' | b'@');
        if local.is_empty()
            || domain.is_empty()
            || !local.bytes().all(ok_char)
            || !domain.bytes().all(ok_char)
        {
            return Err(ApopError::MalformedTimestamp);
        }
        Ok(Self(s.to_owned()))
    }

    /// Finds the timestamp in a greeting's text (what follows `+OK `).
    ///
    /// `None`: the greeting has no `<`, so the server offers no APOP.
    /// `Some(Err(_))`: there is one, but it is malformed; a client must not
    /// answer it with APOP.
    pub fn from_greeting(text: &str) -> Option<Result<Self, ApopError>> {
        let start = text.find('<')?;
        let rest = text.get(start..)?;
        Some(match rest.find('>') {
            Some(end) => rest
                .get(..=end)
                .ok_or(ApopError::MalformedTimestamp)
                .and_then(Self::parse),
            None => Err(ApopError::MalformedTimestamp),
        })
    }

    /// The timestamp, angle brackets included.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An APOP digest: the 16 octets of MD5(timestamp + secret).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Digest([u8; 16]);

impl Digest {
    /// Computes MD5(timestamp + secret).
    pub fn compute(timestamp: &Timestamp, secret: &[u8]) -> Self {
        let mut h = Md5::new();
        h.update(timestamp.as_str().as_bytes());
        h.update(secret);
        Self(h.finalize().into())
    }

    /// Parses the command's argument: exactly 32 hexadecimal digits.
    ///
    /// RFC 1939 asks for lower case; upper case is accepted too, as the
    /// digest's value does not depend on it.
    pub fn from_hex(hex: &[u8]) -> Result<Self, ApopError> {
        if hex.len() != 32 {
            return Err(ApopError::MalformedDigest);
        }
        let mut out = [0u8; 16];
        for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            let (&hi, &lo) = match pair {
                [hi, lo] => (hi, lo),
                _ => return Err(ApopError::MalformedDigest),
            };
            *o = (hex_val(hi)? << 4) | hex_val(lo)?;
        }
        Ok(Self(out))
    }

    /// The digest as 32 lower-case hexadecimal digits.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(32);
        push_hex(&mut s, &self.0);
        s
    }

    /// The 16 raw octets.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Compares in constant time (no early exit on the first difference).
    pub fn ct_eq(&self, other: &Digest) -> bool {
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

/// Verifies a client's digest against the secret, in constant time.
pub fn verify(timestamp: &Timestamp, secret: &[u8], presented: &Digest) -> bool {
    Digest::compute(timestamp, secret).ct_eq(presented)
}

fn hex_val(b: u8) -> Result<u8, ApopError> {
    match b {
        b'0'..=b'9' => Ok(b - b'0'),
        b'a'..=b'f' => Ok(b - b'a' + 10),
        b'A'..=b'F' => Ok(b - b'A' + 10),
        _ => Err(ApopError::MalformedDigest),
    }
}

fn push_hex(s: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            // `nibble` < 16, so the lookup always succeeds.
            if let Some(&c) = HEX.get(usize::from(nibble)) {
                s.push(char::from(c));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1939_7_apop_example() {
        let ts = Timestamp::from_greeting("POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
            .unwrap()
            .unwrap();
        assert_eq!(ts.as_str(), "<1896.697170952@dbc.mtview.ca.us>");
        let d = Digest::compute(&ts, b"tanstaaf");
        assert_eq!(d.to_hex(), "c4c9334bac560ecc979e58001b3e22fb");
        let presented = Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb").unwrap();
        assert!(verify(&ts, b"tanstaaf", &presented));
        assert!(!verify(&ts, b"tanstaaF", &presented));
        assert!(!verify(&ts, b"", &presented));
    }

    #[test]
    fn timestamp_built_from_caller_values() {
        let ts = Timestamp::new(&[0xde, 0xad, 0x01], 697170952, "dbc.mtview.ca.us").unwrap();
        assert_eq!(ts.as_str(), "<dead01.697170952@dbc.mtview.ca.us>");
        assert_eq!(
            Timestamp::new(&[1], 1, "bad host"),
            Err(ApopError::MalformedTimestamp)
        );
        assert_eq!(
            Timestamp::new(&[1; 200], 1, "h"),
            Err(ApopError::TimestampTooLong)
        );
    }

    #[test]
    fn malformed_timestamps_refused() {
        for bad in [
            "",
            "<>",
            "<@>",
            "<a@>",
            "<@b>",
            "a@b",
            "<a b@c>",
            "<a@b",
            "<a<@b>",
            "<a@b@c>",
            "<a@\u{e9}>",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Timestamp::parse("<a@b@c>").is_err());
        assert!(Timestamp::parse("<a.b@c>").is_ok());
        assert!(matches!(
            Timestamp::from_greeting("ready <no-close"),
            Some(Err(ApopError::MalformedTimestamp))
        ));
        assert!(Timestamp::from_greeting("POP3 server ready").is_none());
    }

    #[test]
    fn digest_hex_round_trip_and_errors() {
        let d = Digest::from_hex(b"C4C9334BAC560ECC979E58001B3E22FB").unwrap();
        assert_eq!(d.to_hex(), "c4c9334bac560ecc979e58001b3e22fb");
        assert!(Digest::from_hex(b"c4c9").is_err());
        assert!(Digest::from_hex(b"g4c9334bac560ecc979e58001b3e22fb").is_err());
        assert!(Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb0").is_err());
        let other = Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fa").unwrap();
        assert!(!d.ct_eq(&other));
        assert!(d.ct_eq(&d.clone()));
    }
}
