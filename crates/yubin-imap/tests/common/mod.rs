//! Shared test helpers: known-answer round trips.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use bytes::{Bytes, BytesMut};
use yubin_imap::encode;
use yubin_imap::parse::{self, AuthLine, Parser};
use yubin_imap::types::{CommandBody, Response, StatusResponse};

/// Client to server.
pub const C: char = 'C';
/// Server to client.
pub const S: char = 'S';

/// Example lines of the RFC texts that are not protocol, each with why:
const SKIP: &[(&[u8], &str)] = &[
    (b"...", "prose placeholder (`* 2 FETCH ....`)"),
    (
        b"(note that",
        "RFC 4959 puts a remark inside the example line",
    ),
    (
        b"BLURDYBLOOP {102856}",
        "RFC 3501/9051 §7.5: the literal data is not shown",
    ),
    (
        b"\"\"  \"INBOX\"",
        "typo in RFC 9051 §6.3.9.8 and RFC 5819 §3: two spaces",
    ),
    (
        b"\".\"  \"INBOX\"",
        "typo in RFC 9051 §6.3.9.8 and RFC 5819 §3: two spaces",
    ),
    (
        b"SORT RETURN",
        "ESORT (RFC 5267) is not one of this crate's extensions",
    ),
    (b"TEXT {4}\r\n", "RFC 9051 §6.4.4.4: KOI8-R data not shown"),
    (
        b"XXXX\r\n",
        "RFC 9051 §6.4.4.4: placeholder for the KOI8-R data above",
    ),
    (
        b"NIL  NIL",
        "typo in RFC 9051 §6.3.10 and RFC 2342 §5: two spaces",
    ),
    (
        b"dGVzdAB0ZXN0AHRlc3Q=\r\n",
        "RFC 4959 §4: data for the remark line skipped above",
    ),
    (b"(more expunges)", "RFC 6851 §3.3: prose"),
    (
        b")\"\" %",
        "typo in RFC 5819 §3: no SP before the reference name",
    ),
    (
        b"107 OK\r\n",
        "RFC 7162 §3.1.3 omits the SP of resp-cond-state (parses with quirk_missing_text)",
    ),
];

fn placeholder(m: &[u8]) -> bool {
    // RFC 4959 §4: the empty client response of the AUTHENTICATE whose
    // command line (with a remark in it) is skipped above.
    if m == b"\r\n" {
        return true;
    }
    SKIP.iter()
        .any(|(p, _why)| m.windows(p.len()).any(|w| w == *p))
}

/// Keywords are case-insensitive and the encoder writes their canonical
/// case (`create` → `CREATE`, `IMAP4REV1` → `IMAP4rev1`): the encoding must
/// then equal the original ignoring ASCII case and parse to the same value.
fn same_or_canonical(out: &[u8], m: &[u8]) -> bool {
    out == m || out.eq_ignore_ascii_case(m)
}

/// Parses a command and checks it encodes back byte for byte.
pub fn command(m: &[u8]) -> yubin_imap::types::Command {
    let bytes = Bytes::copy_from_slice(m);
    let cmd = Parser::default()
        .command(&bytes)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(m)));
    let mut out = BytesMut::new();
    encode::command(&cmd, &mut out);
    if !same_or_canonical(&out, m) {
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(m),
            "command re-encoding"
        );
    }
    assert_eq!(Parser::default().command(&out.freeze()).unwrap(), cmd);
    cmd
}

/// Parses a response and checks it encodes back byte for byte.
pub fn response(m: &[u8]) -> Response {
    let bytes = Bytes::copy_from_slice(m);
    let resp = Parser::default()
        .response(&bytes)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(m)));
    let mut out = BytesMut::new();
    encode::response(&resp, &mut out);
    if !same_or_canonical(&out, m) {
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(m),
            "response re-encoding"
        );
    }
    assert_eq!(Parser::default().response(&out.freeze()).unwrap(), resp);
    resp
}

/// Runs a transcript: commands, responses, AUTHENTICATE lines and IDLE's DONE.
pub fn check(lines: &[(char, &[u8])]) {
    let mut auth = false;
    let mut idle = false;
    for &(dir, m) in lines {
        if placeholder(m) {
            continue;
        }
        if dir == C {
            if idle && parse::idle_done(m) {
                idle = false;
                continue;
            }
            if auth {
                let line = parse::auth_line(&Bytes::copy_from_slice(m))
                    .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(m)));
                assert!(matches!(line, AuthLine::Data(_) | AuthLine::Cancel));
                continue;
            }
            let cmd = command(m);
            match cmd.body {
                CommandBody::Authenticate { .. } => auth = true,
                CommandBody::Idle => idle = true,
                _ => {}
            }
        } else {
            // The RFC texts lose the SP of an empty continuation ("S: + ").
            let fixed;
            let m = if m == b"+\r\n" {
                fixed = b"+ \r\n".to_vec();
                &fixed[..]
            } else {
                m
            };
            let r = response(m);
            if let Response::Status(StatusResponse { tag: Some(_), .. }) = r {
                auth = false;
            }
        }
    }
}
