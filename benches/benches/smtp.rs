//! SMTP: command parsing and DATA body reception, yubin against smtp-proto
//! (the parser of Stalwart) on the same bytes.
//!
//! (a) a pipelined session's command lines (EHLO, MAIL with parameters, five
//! RCPTs, RSET, NOOP, VRFY, QUIT), 1,000 times over;
//! (b) the server's replies to that session (a multi-line EHLO reply
//! included);
//! (c) a whole session with a 1 MiB and a 25 MiB message through yubin's
//! server session against smtp-proto's request parser and `DataReceiver`,
//! beside a `memmem` scan for CRLF.CRLF over the same bytes;
//! (d) a 1 MiB dot-stuffed DATA body: yubin's streaming unstuffer
//! (zero-copy chunks) against smtp-proto's `DataReceiver`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use yubin_benches::{Contender, timed};
use yubin_smtp::parse::{parse_command, parse_command_ref, parse_reply};
use yubin_smtp::server::{Config, Connection, Event, Session, Settings};
use yubin_wire::{BareEol, Body, Unstuffer};

fn session() -> Vec<u8> {
    let mut one = Vec::new();
    one.extend_from_slice(b"EHLO client.example.org\r\n");
    one.extend_from_slice(b"MAIL FROM:<sender.name@example.org> SIZE=48213 BODY=8BITMIME\r\n");
    for i in 0..50 {
        one.extend_from_slice(format!("RCPT TO:<recipient.{i}@example.net>\r\n").as_bytes());
    }
    one.extend_from_slice(b"DATA\r\nRSET\r\nNOOP\r\nQUIT\r\n");
    one.repeat(200)
}

/// The server's side of the same session: greeting, a 10-line EHLO reply,
/// MAIL, 50 RCPT, DATA, end of data and QUIT replies.
fn replies() -> Vec<u8> {
    let mut one = Vec::new();
    one.extend_from_slice(b"220 mx.example.net ESMTP ready\r\n");
    for ext in [
        "mx.example.net greets client.example.org",
        "PIPELINING",
        "SIZE 10240000",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "SMTPUTF8",
        "CHUNKING",
        "DSN",
        "STARTTLS",
    ] {
        one.extend_from_slice(format!("250-{ext}\r\n").as_bytes());
    }
    one.extend_from_slice(b"250 AUTH PLAIN LOGIN\r\n");
    one.extend_from_slice(b"250 2.1.0 Sender OK\r\n");
    for _ in 0..50 {
        one.extend_from_slice(b"250 2.1.5 Recipient OK\r\n");
    }
    one.extend_from_slice(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n");
    one.extend_from_slice(b"250 2.0.0 Message accepted for delivery: queued as 4F2A1B\r\n");
    one.extend_from_slice(b"221 2.0.0 Bye\r\n");
    one.repeat(200)
}

/// Command lines as the server's framer finds them: up to each LF, the CR
/// before it dropped.
fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    memchr::memchr_iter(b'\n', input).scan(0usize, move |start, end| {
        let l = &input[*start..end];
        *start = end + 1;
        Some(l.strip_suffix(b"\r").unwrap_or(l))
    })
}

/// yubin's borrowed replies ([`parse_reply`]): code, enhanced code and
/// line texts checked and found, nothing copied.
fn yubin_replies(input: &[u8]) -> usize {
    let mut n = 0;
    let mut off = 0;
    while let Ok(Some((view, used))) = parse_reply(&input[off..], true) {
        n += usize::from(view.code().class() != 0);
        off += used;
    }
    n
}

/// The same, each made into an owned `Reply` (as smtp-proto's parser
/// gives a `Response<String>`).
fn yubin_owned_replies(input: &[u8]) -> usize {
    let mut n = 0;
    let mut off = 0;
    while let Ok(Some((view, used))) = parse_reply(&input[off..], true) {
        n += black_box(view.to_reply()).lines().len().min(1);
        off += used;
    }
    n
}

fn proto_replies(input: &[u8]) -> usize {
    let mut n = 0;
    let mut it = input.iter();
    let mut rx = smtp_proto::response::parser::ResponseReceiver::default();
    while !it.as_slice().is_empty() {
        match rx.parse(&mut it) {
            Ok(_) => {
                n += 1;
                rx.reset();
            }
            Err(_) => break,
        }
    }
    n
}

/// yubin's commands as `CommandRef`s: MAIL and RCPT addresses borrowed
/// from the line, as smtp-proto's `Request<Cow<str>>` borrows them.
fn yubin_commands(input: &[u8]) -> usize {
    let mut n = 0;
    for line in lines(input) {
        if parse_command_ref(line).is_ok() {
            n += 1;
        }
    }
    n
}

/// The same, each made into an owned `Command`.
fn yubin_owned_commands(input: &[u8]) -> usize {
    let mut n = 0;
    for line in lines(input) {
        if parse_command(line).is_ok() {
            n += 1;
        }
    }
    n
}

fn proto_commands(input: &[u8]) -> usize {
    let mut n = 0;
    let mut it = input.iter();
    let mut rx = RequestReceiver::default();
    while !it.as_slice().is_empty() {
        match rx.ingest(&mut it) {
            Ok(_) => n += 1,
            Err(smtp_proto::Error::NeedsMoreData { .. }) => break,
            Err(_) => n += 0,
        }
    }
    n
}

/// A 1 MiB dot-stuffed body: 76-octet lines, every 20th starting with a dot.
fn body() -> Vec<u8> {
    body_of(1 << 20)
}

fn body_of(octets: usize) -> Vec<u8> {
    body_with(octets, 20)
}

/// 76-octet lines, every `dot_every`-th one starting with a (stuffed) dot;
/// `usize::MAX` for none.
fn body_with(octets: usize, dot_every: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(octets + 128);
    let mut i = 0;
    while out.len() < octets {
        if i % dot_every == 0 && dot_every != usize::MAX {
            out.extend_from_slice(b"..");
        }
        out.extend_from_slice(
            &b"the quick brown fox jumps over the lazy dog 0123456789 abcdefghij"[..],
        );
        out.extend_from_slice(b"\r\n");
        i += 1;
    }
    out.extend_from_slice(b".\r\n");
    out
}

fn yubin_data(buf: &mut BytesMut) -> usize {
    let mut u = Unstuffer::new(BareEol::Reject);
    let mut n = 0;
    while let Some(step) = u.next(buf) {
        match step {
            Body::Chunk(c) => n += c.len(),
            Body::End => break,
        }
    }
    n
}

fn proto_data(input: &[u8]) -> usize {
    let mut rx = DataReceiver::new();
    let mut out = Vec::with_capacity(input.len());
    let mut it = input.iter();
    assert!(rx.ingest(&mut it, &mut out));
    out.len()
}

/// Runs yubin's server session to its end: `feed` hands it input and says
/// how much it took and whether more is to come; every decision accepted;
/// returns the body octets delivered.
fn yubin_drive(
    config: &Arc<Config>,
    mut feed: impl FnMut(&mut Session, Instant) -> (usize, bool),
) -> usize {
    let now = Instant::now();
    let mut s = Session::new(config.clone(), now, Connection::default(), [7; 18]);
    let mut body = 0;
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
                Event::BodyChunk(c) => body += c.len(),
                _ => {}
            }
        }
        let pending = s.outgoing().len();
        s.sent(pending);
        if s.is_closed() || (took == 0 && !events && pending == 0 && !more) {
            return body;
        }
    }
}

/// A whole session into yubin's server session: EHLO, MAIL, RCPT, DATA with
/// `body`, QUIT, copied in with `receive`.
fn yubin_session(config: &Arc<Config>, input: &[u8]) -> usize {
    let mut off = 0;
    yubin_drive(config, |s, now| {
        let took = s.receive(now, &input[off..]);
        off += took;
        // A session that takes nothing and says nothing is done.
        (took, false)
    })
}

/// The same session fed the way the tokio adapter feeds it: what each
/// 64 KiB socket read left in a `BytesMut` moves into the session with
/// `receive_buf`, without a copy (the reads themselves are the socket's
/// copy, made before the clock starts).
fn socket_reads(input: &[u8]) -> Vec<BytesMut> {
    let mut v: Vec<BytesMut> = input.chunks(64 << 10).map(BytesMut::from).collect();
    v.reverse();
    v
}

fn yubin_session_buf(config: &Arc<Config>, mut reads: Vec<BytesMut>) -> usize {
    let mut buf = BytesMut::new();
    yubin_drive(config, |s, now| {
        if buf.is_empty()
            && let Some(r) = reads.pop()
        {
            buf = r;
        }
        let took = s.receive_buf(now, &mut buf);
        (took, !buf.is_empty() || !reads.is_empty())
    })
}

/// The same bytes through smtp-proto: its request parser for the commands,
/// its `DataReceiver` for the body.
fn proto_session(input: &[u8]) -> usize {
    let mut it = input.iter();
    let mut rx = RequestReceiver::default();
    let mut body = Vec::new();
    while !it.as_slice().is_empty() {
        match rx.ingest(&mut it) {
            Ok(smtp_proto::Request::Data) => {
                body.clear();
                let mut data = DataReceiver::new();
                assert!(data.ingest(&mut it, &mut body));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    body.len()
}

fn message(octets: usize) -> Vec<u8> {
    message_with(octets, 20)
}

fn message_with(octets: usize, dot_every: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"EHLO client.example.org\r\nMAIL FROM:<a@example.org> SIZE=1000\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    let mut b = body_with(octets, dot_every);
    v.append(&mut b);
    v.extend_from_slice(b"QUIT\r\n");
    v
}

fn bench(c: &mut Criterion) {
    let input = session();
    assert_eq!(yubin_commands(&input), 200 * 56);
    assert_eq!(yubin_owned_commands(&input), 200 * 56);
    assert_eq!(proto_commands(&input), 200 * 56);
    let mut g = c.benchmark_group("smtp_commands");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("yubin", |b| b.iter(|| yubin_commands(black_box(&input))));
    g.bench_function("yubin_owned", |b| {
        b.iter(|| yubin_owned_commands(black_box(&input)))
    });
    g.bench_function("smtp-proto", |b| {
        b.iter(|| proto_commands(black_box(&input)))
    });
    g.finish();

    let input = replies();
    assert_eq!(yubin_replies(&input), 200 * 56);
    assert_eq!(yubin_owned_replies(&input), 200 * 56);
    assert_eq!(proto_replies(&input), 200 * 56);
    let mut g = c.benchmark_group("smtp_replies");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("yubin", |b| b.iter(|| yubin_replies(black_box(&input))));
    g.bench_function("yubin_owned", |b| {
        b.iter(|| yubin_owned_replies(black_box(&input)))
    });
    g.bench_function("smtp-proto", |b| {
        b.iter(|| proto_replies(black_box(&input)))
    });
    g.finish();

    let mut settings = Settings::new("mx.example.net");
    settings.limits.max_message_octets = 64 << 20;
    let config = Arc::new(settings.build().unwrap());
    for (label, octets) in [("1MiB", 1usize << 20), ("25MiB", 25 << 20)] {
        let input = message(octets);
        let expect = proto_session(&input);
        assert_eq!(yubin_session(&config, &input), expect);
        assert_eq!(yubin_session_buf(&config, socket_reads(&input)), expect);
        let mut g = c.benchmark_group(format!("smtp_session_ingest_{label}"));
        g.sample_size(10);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("yubin", |b| {
            b.iter(|| yubin_session(&config, black_box(&input)))
        });
        g.bench_function("smtp-proto", |b| {
            b.iter(|| proto_session(black_box(&input)))
        });
        g.bench_function("memmem_scan", |b| {
            b.iter(|| memchr::memmem::find(black_box(&input), b"\r\n.\r\n"))
        });
        g.finish();
    }

    let body = body();
    let expect = proto_data(&body);
    assert_eq!(yubin_data(&mut BytesMut::from(&body[..])), expect);
    let mut g = c.benchmark_group("smtp_data_1MiB");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("yubin", |b| {
        b.iter_batched(
            || BytesMut::from(&body[..]),
            |mut buf| yubin_data(&mut buf),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("smtp-proto", |b| b.iter(|| proto_data(black_box(&body))));
    g.finish();
}

/// Race mode (see `yubin_benches::race`): the same inputs; the baseline is
/// smtp-proto, or the `memmem` scan where there is one.
fn race() {
    let input = session();
    yubin_benches::race(
        "smtp_commands",
        input.len() as u64,
        100,
        &mut [
            Contender::new("smtp-proto", || proto_commands(black_box(&input))),
            Contender::new("yubin", || yubin_commands(black_box(&input))),
            Contender::new("yubin (owned Command)", || {
                yubin_owned_commands(black_box(&input))
            }),
        ],
    );
    let input = replies();
    yubin_benches::race(
        "smtp_replies",
        input.len() as u64,
        100,
        &mut [
            Contender::new("smtp-proto", || proto_replies(black_box(&input))),
            Contender::new("yubin", || yubin_replies(black_box(&input))),
            Contender::new("yubin (owned Reply)", || {
                yubin_owned_replies(black_box(&input))
            }),
        ],
    );
    let mut settings = Settings::new("mx.example.net");
    settings.limits.max_message_octets = 64 << 20;
    let config = Arc::new(settings.build().unwrap());
    // smtp-proto does not look for bare CR or LF; with `BareEol::Allow`
    // yubin does the same work it does.
    let mut allow = Settings::new("mx.example.net");
    allow.limits.max_message_octets = 64 << 20;
    allow.bare_eol = BareEol::Allow;
    let allow = Arc::new(allow.build().unwrap());
    for (label, octets, dot_every, rounds) in [
        ("1MiB", 1usize << 20, 20, 100),
        ("25MiB", 25 << 20, 20, 8),
        ("1MiB_no_dot_lines", 1 << 20, usize::MAX, 100),
    ] {
        let input = message_with(octets, dot_every);
        yubin_benches::race(
            &format!("smtp_session_ingest_{label}"),
            input.len() as u64,
            rounds,
            &mut [
                Contender::new("memmem_scan", || {
                    memchr::memmem::find(black_box(&input), b"\r\n.\r\n")
                }),
                Contender::new("smtp-proto", || proto_session(black_box(&input))),
                Contender::new("yubin", || yubin_session(&config, black_box(&input))),
                Contender::self_timed("yubin (receive_buf)", || {
                    let reads = socket_reads(&input);
                    timed(|| yubin_session_buf(&config, reads))
                }),
                Contender::self_timed("yubin (receive_buf, Allow)", || {
                    let reads = socket_reads(&input);
                    timed(|| yubin_session_buf(&allow, reads))
                }),
            ],
        );
    }
    let body = body();
    yubin_benches::race(
        "smtp_data_1MiB",
        body.len() as u64,
        100,
        &mut [
            Contender::new("smtp-proto", || proto_data(black_box(&body))),
            Contender::self_timed("yubin", || {
                let mut buf = BytesMut::from(&body[..]);
                timed(|| yubin_data(&mut buf))
            }),
        ],
    );
}

criterion_group!(benches, bench);

fn main() {
    if yubin_benches::race_mode() {
        race();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
