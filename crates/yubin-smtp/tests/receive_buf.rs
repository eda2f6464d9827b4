#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    missing_docs
)]
//! `Session::receive_buf` (the octets handed over without a copy) drives a
//! session exactly as `receive` (copied) does, whatever the read sizes.

use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use proptest::prelude::*;
use yubin_smtp::server::{Config, Connection, Event, Session, Settings};

fn config() -> Arc<Config> {
    let mut s = Settings::new("mx.example.net");
    s.limits.max_input_octets = 16_384;
    Arc::new(s.build().unwrap())
}

/// The session's input and the body it should deliver.
fn input() -> (Vec<u8>, Vec<u8>) {
    let mut v =
        b"EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
            .to_vec();
    let mut body = Vec::new();
    for i in 0..300 {
        if i % 7 == 0 {
            v.extend_from_slice(b"..stuffed line\r\n");
            body.extend_from_slice(b".stuffed line\r\n");
        }
        let line = format!("line {i} of the message body\r\n");
        v.extend_from_slice(line.as_bytes());
        body.extend_from_slice(line.as_bytes());
    }
    v.extend_from_slice(b".\r\nQUIT\r\n");
    (v, body)
}

/// Runs the session; `feed` hands it more input and says how much it took.
/// Returns everything it sent and the body it delivered.
fn run(mut feed: impl FnMut(&mut Session, Instant) -> (usize, bool)) -> (Vec<u8>, Vec<u8>) {
    let now = Instant::now();
    let mut s = Session::new(config(), now, Connection::default(), [1; 18]);
    let (mut out, mut body) = (Vec::new(), Vec::new());
    loop {
        let (took, more) = feed(&mut s, now);
        let mut events = false;
        while let Some(ev) = s.next_event() {
            events = true;
            match ev {
                Event::Connect { ticket, .. }
                | Event::Helo { ticket, .. }
                | Event::MailFrom { ticket, .. }
                | Event::RcptTo { ticket, .. }
                | Event::BodyEnd { ticket, .. } => s.accept(ticket).unwrap(),
                Event::BodyChunk(c) => body.extend_from_slice(&c),
                _ => {}
            }
        }
        let pending = s.outgoing().len();
        out.extend_from_slice(s.outgoing());
        s.sent(pending);
        if s.is_closed() || (took == 0 && !events && pending == 0 && !more) {
            return (out, body);
        }
    }
}

proptest! {
    #[test]
    fn receive_buf_matches_receive(reads in proptest::collection::vec(1usize..3000, 1..40)) {
        let (input, body) = input();
        let mut off = 0;
        let copied = run(|s, now| {
            let took = s.receive(now, &input[off..]);
            off += took;
            (took, off < input.len())
        });
        // The same input arriving in socket reads of the drawn sizes.
        let mut pieces: Vec<BytesMut> = Vec::new();
        let mut at = 0;
        for r in reads.iter().cycle() {
            if at >= input.len() {
                break;
            }
            let end = (at + r).min(input.len());
            pieces.push(BytesMut::from(&input[at..end]));
            at = end;
        }
        pieces.reverse();
        let mut buf = BytesMut::new();
        let moved = run(|s, now| {
            if buf.is_empty()
                && let Some(p) = pieces.pop()
            {
                buf = p;
            }
            let took = s.receive_buf(now, &mut buf);
            (took, !buf.is_empty() || !pieces.is_empty())
        });
        prop_assert_eq!(&moved, &copied);
        prop_assert!(copied.0.starts_with(b"220 "));
        prop_assert!(copied.0.ends_with(b"Service closing transmission channel\r\n"));
        prop_assert_eq!(copied.1, body);
    }
}
