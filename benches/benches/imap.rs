//! IMAP parsing throughput: yubin-imap against imap-codec and imap-proto on
//! the same bytes.
//!
//! (a) a client session's commands (LOGIN, SELECT, UID FETCH 1:* with
//! ENVELOPE/BODYSTRUCTURE, UID SEARCH, STORE, APPEND with a literal);
//! (b) 10 000 `* n FETCH` responses with ENVELOPE and a nested BODYSTRUCTURE,
//! and a BODY[] literal of 64 KiB per message (handed out without copying).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group};
use imap_codec::decode::Decoder;
use yubin_benches::Contender;
use yubin_imap::Limits;
use yubin_imap::framer::{Frame, Framer, InPlace, Role};
use yubin_imap::parse::Parser;

/// The session's commands, each named (the race also times each alone).
fn named_commands() -> Vec<(&'static str, Vec<u8>)> {
    let body = "From: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\n\r\n".to_string()
        + &"Hello, world! ".repeat(140)
        + "\r\n";
    let append = format!(
        "a6 APPEND Sent (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {{{}}}\r\n{body}\r\n",
        body.len()
    );
    vec![
        ("LOGIN", b"a1 LOGIN \"joe@example.org\" \"secret password\"\r\n".to_vec()),
        ("SELECT", b"a2 SELECT INBOX\r\n".to_vec()),
        ("UID FETCH", b"a3 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])\r\n".to_vec()),
        ("UID SEARCH", b"a4 UID SEARCH UNSEEN SINCE 1-Feb-1994 NOT FROM \"Smith\" OR SUBJECT hello BODY \"world\"\r\n".to_vec()),
        ("UID STORE", b"a5 UID STORE 1:100,200:* +FLAGS.SILENT (\\Seen \\Flagged)\r\n".to_vec()),
        ("APPEND", append.into_bytes()),
        ("NOOP", b"a7 NOOP\r\n".to_vec()),
    ]
}

fn session_commands() -> Vec<u8> {
    named_commands().into_iter().flat_map(|(_, c)| c).collect()
}

fn fetch_responses(n: u32, with_body: bool) -> Vec<u8> {
    let mut v = Vec::new();
    let body = "x".repeat(64 * 1024);
    for i in 1..=n {
        v.extend_from_slice(format!(
            "* {i} FETCH (UID {uid} FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 \
ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") \
BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)\
(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 2345 40 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") \"<id1@example>\" \"The report\" \"BASE64\" 4554 NIL \
(\"attachment\" (\"FILENAME\" \"report.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b0\") NIL NIL NIL)",
            uid = i + 1000
        ).as_bytes());
        if with_body {
            v.extend_from_slice(format!(" BODY[] {{{}}}\r\n", body.len()).as_bytes());
            v.extend_from_slice(body.as_bytes());
        }
        v.extend_from_slice(b")\r\n");
    }
    v
}

fn yubin_parse(input: &[u8], role: Role) -> usize {
    yubin_parse_buf(BytesMut::from(input), role)
}

/// Parses what a socket read left in the receive buffer (the copy into it
/// is the socket's, not the parser's: the race keeps it out of the time).
fn yubin_parse_buf(mut buf: BytesMut, role: Role) -> usize {
    let mut framer = Framer::new(&Limits::default(), role);
    let parser = Parser::default();
    let mut n = 0;
    match role {
        // As the server session reads commands: a message without literals
        // is parsed where it lies in the buffer; one with literals is split
        // off, and its literals are handed out as slices of it.
        Role::Server => {
            while let Some(f) = framer.next_in_place(&mut buf) {
                match f {
                    Ok(InPlace::Read(m)) => {
                        black_box(parser.command_slice(&m).as_ref().unwrap());
                        n += 1;
                    }
                    Ok(InPlace::Frame(Frame::Message(m))) => {
                        black_box(parser.command(&m).as_ref().unwrap());
                        n += 1;
                    }
                    _ => {}
                }
            }
        }
        Role::Client => {
            while let Some(f) = framer.next(&mut buf) {
                if let Ok(Frame::Message(m)) = f {
                    black_box(parser.response(&m).as_ref().unwrap());
                    n += 1;
                }
            }
        }
    }
    n
}

fn codec_commands(input: &[u8]) -> usize {
    let codec = imap_codec::CommandCodec::default();
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        let decoded = codec.decode(rest);
        let (r, cmd) = decoded.as_ref().unwrap();
        black_box(cmd);
        rest = r;
        n += 1;
    }
    n
}

fn codec_responses(input: &[u8]) -> usize {
    let codec = imap_codec::ResponseCodec::default();
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        let decoded = codec.decode(rest);
        let (r, resp) = decoded.as_ref().unwrap();
        black_box(resp);
        rest = r;
        n += 1;
    }
    n
}

fn proto_responses(input: &[u8]) -> usize {
    let mut rest = input;
    let mut n = 0;
    while !rest.is_empty() {
        let parsed = imap_proto::Response::parse(rest);
        let (r, resp) = parsed.as_ref().unwrap();
        black_box(resp);
        rest = r;
        n += 1;
    }
    n
}

fn commands(c: &mut Criterion) {
    let one = session_commands();
    let input: Vec<u8> = one.repeat(100);
    let count = yubin_parse(&input, Role::Server);
    assert_eq!(count, codec_commands(&input));
    let mut g = c.benchmark_group("imap_commands");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("yubin", |b| {
        b.iter(|| yubin_parse(black_box(&input), Role::Server))
    });
    g.bench_function("imap-codec", |b| {
        b.iter(|| codec_commands(black_box(&input)))
    });
    g.finish();
}

fn responses(c: &mut Criterion) {
    let input = fetch_responses(10_000, false);
    let count = yubin_parse(&input, Role::Client);
    assert_eq!(count, 10_000);
    assert_eq!(codec_responses(&input), count);
    assert_eq!(proto_responses(&input), count);
    let mut g = c.benchmark_group("imap_fetch_responses");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("yubin", |b| {
        b.iter(|| yubin_parse(black_box(&input), Role::Client))
    });
    g.bench_function("imap-codec", |b| {
        b.iter(|| codec_responses(black_box(&input)))
    });
    g.bench_function("imap-proto", |b| {
        b.iter(|| proto_responses(black_box(&input)))
    });
    g.finish();

    let input = fetch_responses(200, true);
    let mut g = c.benchmark_group("imap_fetch_body_literal");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(20);
    g.bench_function("yubin", |b| {
        b.iter(|| yubin_parse(black_box(&input), Role::Client))
    });
    g.bench_function("imap-codec", |b| {
        b.iter(|| codec_responses(black_box(&input)))
    });
    g.bench_function("imap-proto", |b| {
        b.iter(|| proto_responses(black_box(&input)))
    });
    g.finish();
}

/// Keeps `Bytes` in use for the zero-copy claim's doc.
#[allow(dead_code)]
fn _zero_copy(b: Bytes) -> Bytes {
    b
}

/// Race mode (see `yubin_benches::race`): the same inputs; the baseline is
/// imap-codec.
fn race() {
    let input = session_commands().repeat(100);
    yubin_benches::race(
        "imap_commands",
        input.len() as u64,
        100,
        &mut [
            Contender::new("imap-codec", || codec_commands(black_box(&input))),
            Contender::self_timed("yubin", || {
                let buf = BytesMut::from(&input[..]);
                yubin_benches::timed(|| yubin_parse_buf(buf, Role::Server))
            }),
        ],
    );
    // Each command alone, 100 times: where the ratio above comes from.
    if std::env::var_os("YUBIN_RACE_EACH").is_some() {
        for (name, cmd) in named_commands() {
            let input = cmd.repeat(100);
            let title = format!("imap_commands: {name} alone");
            yubin_benches::race(
                &title,
                input.len() as u64,
                300,
                &mut [
                    Contender::new("imap-codec", || codec_commands(black_box(&input))),
                    Contender::self_timed("yubin", || {
                        let buf = BytesMut::from(&input[..]);
                        yubin_benches::timed(|| yubin_parse_buf(buf, Role::Server))
                    }),
                ],
            );
        }
    }
    for (title, input, rounds) in [
        ("imap_fetch_responses", fetch_responses(10_000, false), 20),
        ("imap_fetch_body_literal", fetch_responses(200, true), 50),
    ] {
        yubin_benches::race(
            title,
            input.len() as u64,
            rounds,
            &mut [
                Contender::new("imap-codec", || codec_responses(black_box(&input))),
                Contender::new("imap-proto", || proto_responses(black_box(&input))),
                Contender::self_timed("yubin", || {
                    let buf = BytesMut::from(&input[..]);
                    yubin_benches::timed(|| yubin_parse_buf(buf, Role::Client))
                }),
            ],
        );
    }
}

criterion_group!(benches, commands, responses);

fn main() {
    if yubin_benches::race_mode() {
        race();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
