//! IMAP server session throughput: `UID FETCH 1:* (FLAGS ENVELOPE
//! BODYSTRUCTURE)` over a 100 000-message view (sequence numbers, encoding,
//! output buffer), and streaming a 25 MiB `BODY[]` through the bounded
//! output buffer in 64 KiB chunks.
//! Run: `cargo bench -p yubin-benches --bench imap_session`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods
)]

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yubin_imap::server::{Config, Event, Greeting, MailboxSnapshot, Session, StreamedItem};
use yubin_imap::types::*;

const MESSAGES: u32 = 100_000;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn q(s: &str) -> NString {
    Some(IString::try_from(s).unwrap())
}

fn envelope() -> Envelope {
    let a = Address {
        name: q("Terry Gray"),
        adl: None,
        mailbox: q("gray"),
        host: q("cac.washington.edu"),
    };
    Envelope {
        date: q("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"),
        subject: q("IMAP4rev2 WG mtg summary and minutes"),
        from: vec![a.clone()],
        sender: vec![a.clone()],
        reply_to: vec![a],
        to: Vec::new(),
        cc: Vec::new(),
        bcc: Vec::new(),
        in_reply_to: None,
        message_id: q("<B27397-0100000@cac.washington.edu>"),
    }
}

fn bodystructure() -> BodyStructure {
    BodyStructure::Single {
        kind: SinglePartKind::Text {
            media_type: IString::try_from("TEXT").unwrap(),
            subtype: IString::try_from("PLAIN").unwrap(),
            lines: 92,
        },
        fields: BodyFields {
            params: Some(vec![(
                IString::try_from("CHARSET").unwrap(),
                IString::try_from("US-ASCII").unwrap(),
            )]),
            id: None,
            description: None,
            encoding: IString::try_from("7BIT").unwrap(),
            octets: 3028,
        },
        extension: None,
    }
}

/// A logged-in session with INBOX selected.
fn selected(messages: u32) -> Session {
    let now = Instant::now();
    let mut s = Session::new(
        Arc::new(Config::default()),
        now,
        [1; 18],
        Greeting::PreAuth("bench".into()),
    );
    s.receive(now, b"s SELECT INBOX\r\n");
    while let Some(ev) = s.next_event() {
        if let Event::Select { ticket, .. } = ev {
            let snap = MailboxSnapshot::new(nz(1), nz(messages + 1), (1..=messages).collect());
            s.accept_select(ticket, snap).unwrap();
        }
    }
    let n = s.outgoing().len();
    s.sent(n);
    s
}

fn fetch_all(c: &mut Criterion) {
    let mut s = selected(MESSAGES);
    let env = Box::new(envelope());
    let body = Box::new(bodystructure());
    let mut g = c.benchmark_group("imap_session");
    g.throughput(Throughput::Elements(u64::from(MESSAGES)));
    g.sample_size(10);
    g.bench_function("uid_fetch_100k_flags_envelope_bodystructure", |b| {
        b.iter(|| {
            let now = Instant::now();
            s.receive(now, b"f UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)\r\n");
            let mut octets = 0usize;
            while let Some(ev) = s.next_event() {
                if let Event::Fetch { ticket, uids, .. } = ev {
                    for uid in uids {
                        let items = vec![
                            FetchItem::Flags(vec![FlagFetch::Flag(Flag::Seen)]),
                            FetchItem::Envelope(env.clone()),
                            FetchItem::BodyStructure(body.clone()),
                        ];
                        s.fetch(&ticket, uid, items).unwrap();
                        if s.stream_room() == 0 {
                            octets += s.outgoing().len();
                            let n = s.outgoing().len();
                            s.sent(n);
                        }
                    }
                    s.complete(ticket).unwrap();
                }
            }
            octets += s.outgoing().len();
            let n = s.outgoing().len();
            s.sent(n);
            black_box(octets)
        })
    });
    g.finish();
}

fn stream_body(c: &mut Criterion) {
    const SIZE: usize = 25 * 1024 * 1024;
    let body: Bytes = (0..SIZE)
        .map(|i| b'a' + (i % 26) as u8)
        .collect::<Vec<_>>()
        .into();
    let mut s = selected(1);
    let mut g = c.benchmark_group("imap_session");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.sample_size(10);
    g.bench_function("stream_body_25mib", |b| {
        b.iter(|| {
            let now = Instant::now();
            s.receive(now, b"f UID FETCH 1 BODY.PEEK[]\r\n");
            let mut octets = 0usize;
            while let Some(ev) = s.next_event() {
                if let Event::Fetch { ticket, .. } = ev {
                    let item = StreamedItem::Body {
                        section: Section::default(),
                        origin: None,
                    };
                    s.fetch_streamed(&ticket, 1, Vec::new(), item, SIZE as u64)
                        .unwrap();
                    let mut off = 0;
                    while off < SIZE {
                        if s.stream_room() == 0 {
                            octets += s.outgoing().len();
                            let n = s.outgoing().len();
                            s.sent(n);
                        }
                        let n = s.stream_room().min(SIZE - off).min(64 * 1024);
                        s.stream_chunk(&ticket, &body[off..off + n]).unwrap();
                        off += n;
                    }
                    s.stream_end(&ticket).unwrap();
                    s.complete(ticket).unwrap();
                }
            }
            octets += s.outgoing().len();
            let n = s.outgoing().len();
            s.sent(n);
            black_box(octets)
        })
    });
    g.finish();
}

criterion_group!(benches, fetch_all, stream_body);
criterion_main!(benches);
