//! The line forms SMTP `AUTH`, POP3 `AUTH` and IMAP `AUTHENTICATE` share.
//!
//! Challenges and responses travel base64-encoded (RFC 4648 §4, padded,
//! canonical: no whitespace, no stray padding, no non-zero trailing bits).
//! A client cancels with a line holding only `*`. An empty initial response
//! is sent as `=` (RFC 4954 §4, RFC 5034 §4, RFC 4959 §3), while an empty
//! response to a challenge is an empty line.
//!
//! The functions take the line without its CRLF; the protocol's line
//! framer bounds its length.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A client's answer line to a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// `*`: the client cancels the exchange (RFC 4954 §4: answer `501`;
    /// RFC 3501 §6.2.2: tagged `BAD`; RFC 5034 §4: `-ERR`).
    Cancel,
    /// The decoded response, possibly empty.
    Data(Vec<u8>),
}

/// The error for a line that is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The line is not canonical padded base64 (RFC 4954 §4: `501 5.5.2`;
    /// IMAP: tagged `BAD`).
    #[error("invalid base64")]
    Base64,
    /// An initial response was empty; an empty one is sent as `=`.
    #[error("empty initial response argument")]
    EmptyInitialResponse,
}

/// Decodes a client's response line to a challenge: `*` cancels, an empty
/// line is an empty response, anything else must be base64.
pub fn decode_response(line: &[u8]) -> Result<Response, WireError> {
    match line {
        b"*" => Ok(Response::Cancel),
        _ => decode(line).map(Response::Data),
    }
}

/// Decodes an initial response argument (SMTP `AUTH PLAIN <ir>`, POP3
/// `AUTH`, IMAP SASL-IR): `=` is the empty response, anything else must be
/// non-empty base64.
pub fn decode_initial_response(arg: &[u8]) -> Result<Vec<u8>, WireError> {
    match arg {
        b"=" => Ok(Vec::new()),
        b"" => Err(WireError::EmptyInitialResponse),
        _ => decode(arg),
    }
}

/// Decodes a server challenge (client side). An empty line is an empty
/// challenge.
pub fn decode_challenge(line: &[u8]) -> Result<Vec<u8>, WireError> {
    decode(line)
}

/// Encodes a server challenge; an empty challenge is the empty string
/// (`"334 "`, `"+ "`).
pub fn encode_challenge(challenge: &[u8]) -> String {
    STANDARD.encode(challenge)
}

/// Encodes a client response to a challenge; an empty response is the empty
/// line.
pub fn encode_response(response: &[u8]) -> String {
    STANDARD.encode(response)
}

/// Encodes a client initial response; an empty one is `=`.
pub fn encode_initial_response(response: &[u8]) -> String {
    if response.is_empty() {
        "=".to_owned()
    } else {
        STANDARD.encode(response)
    }
}

/// The cancel line a client sends instead of a response.
pub const CANCEL: &str = "*";

fn decode(text: &[u8]) -> Result<Vec<u8>, WireError> {
    STANDARD.decode(text).map_err(|_| WireError::Base64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4954_4_cancel_and_empty() {
        assert_eq!(decode_response(b"*"), Ok(Response::Cancel));
        assert_eq!(decode_response(b""), Ok(Response::Data(Vec::new())));
        assert_eq!(decode_initial_response(b"="), Ok(Vec::new()));
        assert_eq!(
            decode_initial_response(b""),
            Err(WireError::EmptyInitialResponse)
        );
        assert_eq!(encode_initial_response(b""), "=");
        assert_eq!(encode_challenge(b""), "");
        assert_eq!(encode_response(b""), "");
    }

    #[test]
    fn rfc4616_4_plain_initial_response() {
        assert_eq!(
            decode_initial_response(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm").unwrap(),
            b"\0tim\0tanstaaftanstaaf"
        );
    }

    #[test]
    fn strict_base64_rejects_garbage() {
        for bad in [
            &b"="[..],
            b"*x",
            b"dGlt\r",
            b"dG lt",
            b"dGl",       // missing padding
            b"dGltAA=",   // short padding
            b"dGltAA===", // too much padding
            b"dGltAB==",  // non-zero trailing bits
            b"dGl\xff",
            b"d=lt",
        ] {
            assert_eq!(decode_response(bad), Err(WireError::Base64), "{bad:?}");
        }
        assert_eq!(decode_initial_response(b"*"), Err(WireError::Base64));
        assert_eq!(decode_challenge(b"="), Err(WireError::Base64));
    }

    proptest! {
        #[test]
        fn response_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(decode_response(encode_response(&data).as_bytes()), Ok(Response::Data(data.clone())));
            prop_assert_eq!(decode_initial_response(encode_initial_response(&data).as_bytes()), Ok(data.clone()));
            prop_assert_eq!(decode_challenge(encode_challenge(&data).as_bytes()), Ok(data));
        }

        #[test]
        fn arbitrary_lines_never_panic(line in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_response(&line);
            let _ = decode_initial_response(&line);
            let _ = decode_challenge(&line);
        }
    }
}
