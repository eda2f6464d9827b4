//! Modified UTF-7 for mailbox names (RFC 3501 §5.1.3, RFC 9051 §5.1.3).
//!
//! Printable ASCII stands for itself, `&` is written `&-`, and every other
//! run of characters is UTF-16 in modified base64 (`,` for `/`, no padding)
//! between `&` and `-`.

/// A name that is not valid modified UTF-7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Utf7Error {
    /// An octet outside printable ASCII appeared outside a shift sequence.
    #[error("octet {0:#04x} outside a base64 run")]
    NotPrintable(u8),
    /// A `&` run was not closed by `-`.
    #[error("unterminated base64 run")]
    Unterminated,
    /// A character outside the modified base64 alphabet inside a run.
    #[error("invalid base64 character in a run")]
    BadBase64,
    /// The run decodes to invalid UTF-16, leftover bits, or only ASCII that
    /// should have been written directly.
    #[error("invalid UTF-16 in a base64 run")]
    BadUtf16,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn sextet(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' => Some(62),
        b',' => Some(63),
        _ => None,
    }
}

/// Encodes a Unicode mailbox name in modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut units: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut units, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            units.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut units, &mut out);
    out
}

fn flush(units: &mut Vec<u16>, out: &mut String) {
    if units.is_empty() {
        return;
    }
    out.push('&');
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for u in units.drain(..) {
        acc = (acc << 16) | u32::from(u);
        bits += 16;
        while bits >= 6 {
            bits -= 6;
            push_sextet(out, (acc >> bits) & 0x3f);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        push_sextet(out, (acc << (6 - bits)) & 0x3f);
    }
    out.push('-');
}

fn push_sextet(out: &mut String, v: u32) {
    if let Some(&c) = ALPHABET.get(v as usize) {
        out.push(char::from(c));
    }
}

/// Decodes a modified UTF-7 mailbox name.
pub fn decode(name: &[u8]) -> Result<String, Utf7Error> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'&' {
            let end = memchr::memchr(b'-', tail).ok_or(Utf7Error::Unterminated)?;
            let (run, after) = tail.split_at(end);
            rest = after.get(1..).unwrap_or_default();
            if run.is_empty() {
                out.push('&');
            } else {
                decode_run(run, &mut out)?;
            }
        } else if (0x20..=0x7e).contains(&b) {
            out.push(char::from(b));
            rest = tail;
        } else {
            return Err(Utf7Error::NotPrintable(b));
        }
    }
    Ok(out)
}

fn decode_run(run: &[u8], out: &mut String) -> Result<(), Utf7Error> {
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut units = Vec::with_capacity(run.len() * 6 / 16);
    for &b in run {
        acc = (acc << 6) | sextet(b).ok_or(Utf7Error::BadBase64)?;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push(((acc >> bits) & 0xffff) as u16);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be fewer than 6 and zero (RFC 2152 / RFC 3501).
    if bits >= 6 || acc != 0 {
        return Err(Utf7Error::BadUtf16);
    }
    let start = out.len();
    for c in char::decode_utf16(units) {
        out.push(c.map_err(|_| Utf7Error::BadUtf16)?);
    }
    // A run that holds printable ASCII is not the canonical form.
    if out
        .get(start..)
        .is_some_and(|s| s.chars().any(|c| (' '..='~').contains(&c)))
    {
        return Err(Utf7Error::BadUtf16);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_5_1_3_example() {
        // "~peter/mail/台北/日本語" from RFC 3501 §5.1.3.
        let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        assert_eq!(encode(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), name);
    }

    #[test]
    fn ampersand() {
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode(b"Tom &- Jerry").unwrap(), "Tom & Jerry");
    }

    #[test]
    fn rfc3501_5_1_3_illegal_forms() {
        // "&Jjo!" is unterminated; "&U,BTFw-&ZeVnLIqe-" is legal (two runs) per RFC 3501
        assert_eq!(decode(b"&Jjo!"), Err(Utf7Error::Unterminated));
        assert!(decode(b"&AGE-").is_err()); // "a" must be written directly
        assert!(decode(b"\xc3\xa9").is_err());
        assert!(decode(b"&2D3-").is_err()); // lone surrogate / leftover bits
    }

    #[test]
    fn astral_plane() {
        let s = "\u{1F600} smile";
        assert_eq!(decode(encode(s).as_bytes()).unwrap(), s);
    }
}
