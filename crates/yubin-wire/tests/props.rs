#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Property tests: any split of the input gives the same result, and the
//! streaming code agrees with simple octet-at-a-time models of the rules.

use bytes::{Bytes, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;
use yubin_wire::{BareEol, Body, Line, LineFramer, Stuffer, Unstuffer};

/// Octets weighted towards the ones the framing cares about.
fn wire_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => Just(b'\r'),
        3 => Just(b'\n'),
        3 => Just(b'.'),
        2 => Just(b'a'),
        1 => any::<u8>(),
    ]
}

fn policy() -> impl Strategy<Value = BareEol> {
    prop_oneof![
        Just(BareEol::Reject),
        Just(BareEol::Allow),
        Just(BareEol::Normalize)
    ]
}

/// Splits `input` at the sorted, clamped `cuts`.
fn pieces<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|&c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    points.push(input.len());
    let mut out = Vec::new();
    let mut at = 0;
    for p in points {
        out.push(&input[at..p]);
        at = p;
    }
    out
}

struct Unstuffed {
    body: Vec<u8>,
    /// Offset of the first octet after the terminator.
    end: Option<usize>,
    bare: bool,
}

fn unstuff_in_pieces(input: &[u8], cuts: &[usize], policy: BareEol) -> Unstuffed {
    let mut u = Unstuffer::new(policy);
    let mut buf = BytesMut::new();
    let mut body = Vec::new();
    let mut fed = 0;
    let mut end = None;
    for piece in pieces(input, cuts) {
        buf.extend_from_slice(piece);
        fed += piece.len();
        while let Some(step) = u.next(&mut buf) {
            match step {
                Body::Chunk(c) => {
                    assert!(!c.is_empty());
                    assert!(end.is_none());
                    body.extend_from_slice(&c);
                }
                Body::End => {
                    assert!(end.is_none());
                    end = Some(fed - buf.len());
                }
            }
        }
        // At most ".\r" (or a CR) is ever held back before the end.
        if end.is_none() {
            assert!(buf.len() <= 2, "held back {} octets", buf.len());
        }
    }
    assert_eq!(u.body_octets(), body.len() as u64);
    Unstuffed {
        body,
        end,
        bare: u.bare_eol_seen(),
    }
}

/// The un-stuffing rules, one octet at a time.
fn unstuff_model(input: &[u8], policy: BareEol) -> Unstuffed {
    #[derive(PartialEq)]
    enum At {
        No,
        Crlf,
        Lf,
    }
    let normalize = policy == BareEol::Normalize;
    let mut body = Vec::new();
    let mut bare = false;
    let mut at = At::Crlf;
    let mut i = 0;
    while i < input.len() {
        let rest = &input[i..];
        if at == At::Crlf && rest.starts_with(b".\r\n") {
            return Unstuffed {
                body,
                end: Some(i + 3),
                bare: bare && policy != BareEol::Allow,
            };
        }
        if at != At::No && rest[0] == b'.' {
            at = At::No;
            i += 1;
            continue;
        }
        at = At::No;
        match rest {
            [b'\r', b'\n', ..] => {
                body.extend_from_slice(b"\r\n");
                at = At::Crlf;
                i += 2;
            }
            [b'\r'] => {
                body.push(b'\r');
                i += 1;
            }
            [b'\r', ..] => {
                bare = true;
                body.extend_from_slice(if normalize { b"\r\n" } else { b"\r" });
                i += 1;
            }
            [b'\n', ..] => {
                bare = true;
                body.extend_from_slice(if normalize { b"\r\n" } else { b"\n" });
                at = At::Lf;
                i += 1;
            }
            [b, ..] => {
                body.push(*b);
                i += 1;
            }
            [] => unreachable!(),
        }
    }
    Unstuffed {
        body,
        end: None,
        bare: bare && policy != BareEol::Allow,
    }
}

fn stuff_in_pieces(body: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut s = Stuffer::new();
    let mut out = BytesMut::new();
    for piece in pieces(body, cuts) {
        s.push(piece, &mut out);
    }
    s.finish(&mut out);
    out.to_vec()
}

fn has_bare_eol(body: &[u8]) -> bool {
    body.iter().enumerate().any(|(i, &b)| {
        (b == b'\r' && body.get(i + 1) != Some(&b'\n'))
            || (b == b'\n' && (i == 0 || body[i - 1] != b'\r'))
    })
}

/// The framing rules on the whole input at once.
fn frame_model(input: &[u8], max: usize, bare_lf: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'\n' && (bare_lf || (i > start && input[i - 1] == b'\r')) {
            let with_end = &input[start..=i];
            let content_len = if i > start && input[i - 1] == b'\r' {
                with_end.len() - 2
            } else {
                with_end.len() - 1
            };
            if with_end.len() > max {
                let head = &with_end[..LineFramer::HEAD_OCTETS.min(max)];
                let head = head.strip_suffix(b"\r").unwrap_or(head);
                lines.push(Line::TooLong {
                    head: Bytes::copy_from_slice(head),
                });
            } else {
                lines.push(Line::Complete(Bytes::copy_from_slice(
                    &with_end[..content_len],
                )));
            }
            start = i + 1;
        }
        i += 1;
    }
    lines
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Issue 2: stuff -> unstuff returns the body (plus CRLF when it did not
    /// end with one), for any bytes, any split on both sides.
    #[test]
    fn stuff_then_unstuff_round_trips(
        body in vec(wire_byte(), 0..300),
        stuff_cuts in vec(any::<usize>(), 0..8),
        unstuff_cuts in vec(any::<usize>(), 0..8),
        policy in prop_oneof![Just(BareEol::Reject), Just(BareEol::Allow)],
    ) {
        let wire = stuff_in_pieces(&body, &stuff_cuts);
        let mut expect = body.clone();
        if !body.is_empty() && !body.ends_with(b"\r\n") {
            expect.extend_from_slice(b"\r\n");
        }
        let mut input = wire.clone();
        input.extend_from_slice(b"NEXT\r\n");
        let got = unstuff_in_pieces(&input, &unstuff_cuts, policy);
        prop_assert_eq!(&got.body, &expect);
        prop_assert_eq!(got.end, Some(wire.len()));
        prop_assert_eq!(got.bare, policy == BareEol::Reject && has_bare_eol(&expect));
    }

    /// The streaming unstuffer agrees with the octet-at-a-time model on any
    /// input (not only stuffer output), in any pieces, under every policy.
    #[test]
    fn unstuffer_matches_model(
        raw in vec(wire_byte(), 0..300),
        cuts in vec(any::<usize>(), 0..8),
        policy in policy(),
    ) {
        let mut input = raw;
        input.extend_from_slice(b"\r\n.\r\nTAIL");
        let model = unstuff_model(&input, policy);
        let got = unstuff_in_pieces(&input, &cuts, policy);
        prop_assert!(model.end.is_some());
        prop_assert_eq!(&got.body, &model.body);
        prop_assert_eq!(got.end, model.end);
        prop_assert_eq!(got.bare, model.bare);
        // The body never ends before a CRLF "." CRLF.
        let end = got.end.unwrap();
        prop_assert!(end == 3 && input.starts_with(b".\r\n")
            || input[..end].ends_with(b"\r\n.\r\n"));
    }

    /// The framer agrees with the whole-input model for any split, and the
    /// buffer never holds more than the limit after a call.
    #[test]
    fn line_framer_matches_model_in_any_pieces(
        input in vec(wire_byte(), 0..400),
        cuts in vec(any::<usize>(), 0..8),
        max in 0usize..40,
        bare_lf in any::<bool>(),
    ) {
        let mut f = LineFramer::new(max);
        f.allow_bare_lf(bare_lf);
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for piece in pieces(&input, &cuts) {
            buf.extend_from_slice(piece);
            while let Some(line) = f.next_line(&mut buf) {
                got.push(line);
            }
            prop_assert!(buf.len() <= max, "buffer {} > limit {}", buf.len(), max);
        }
        prop_assert_eq!(got, frame_model(&input, max, bare_lf));
    }
}
