//! POP3: command parsing, and RETR streaming of 1 MiB and 25 MiB messages
//! through the server and the client session, beside a `memmem` scan of the
//! same bytes (the floor any CRLF.CRLF-aware pass has to pay).
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

use bytes::{Bytes, BytesMut};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use yubin_benches::Contender;
use yubin_pop3::client::{self, Event as CEvent};
use yubin_pop3::parse::parse_command;
use yubin_pop3::server::{BodyDemand, Config, Event, Maildrop, Session};
use yubin_pop3::types::MsgNum;

const CHUNK: usize = 64 * 1024;

/// A message of `size` octets: 72-octet lines, one in 16 starting with '.'.
fn message(size: usize) -> Bytes {
    let mut m = Vec::with_capacity(size + 80);
    m.extend_from_slice(b"Subject: bench\r\n\r\n");
    let mut i = 0u32;
    while m.len() < size {
        if i.is_multiple_of(16) {
            m.push(b'.');
        }
        m.extend(std::iter::repeat_n(b'x', 69));
        m.extend_from_slice(b"\r\n");
        i += 1;
    }
    m.truncate(size - 2);
    m.extend_from_slice(b"\r\n");
    Bytes::from(m)
}

#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

/// A server session logged in with one message of `msg.len()` octets.
fn logged_in(msg: &Bytes) -> Session {
    let now = now();
    let mut c = Config::default();
    c.danger_allow_plaintext_auth = true;
    let mut s = Session::new(Arc::new(c), now, [1; 18], None);
    s.receive(now, b"USER u\r\nPASS p\r\n");
    while let Some(ev) = s.next_event() {
        match ev {
            Event::User { ticket, .. } => s.accept_user(ticket, None).unwrap(),
            Event::Login { ticket, .. } => {
                let md = Maildrop::new(vec![(msg.len() as u64, "u1".into())]).unwrap();
                s.accept_login(ticket, md, None).unwrap();
            }
            _ => {}
        }
    }
    let n = s.outgoing().len();
    s.sent(n);
    s
}

/// RETR through the server: returns the octets written to the "socket".
fn server_retr(s: &mut Session, msg: &Bytes) -> usize {
    let now = now();
    s.receive(now, b"RETR 1\r\n");
    let Some(Event::Retrieve { ticket, .. }) = s.next_event() else {
        panic!()
    };
    let r = s.start_body(ticket).unwrap();
    let mut rest = msg.clone();
    let mut written = 0;
    loop {
        match s.body_demand() {
            Some(BodyDemand::Ready) if !rest.is_empty() => {
                let c = rest.split_to(rest.len().min(CHUNK));
                s.send_body(&r, c).unwrap();
            }
            Some(BodyDemand::Wait) => {
                let n = s.outgoing().len();
                written += black_box(s.outgoing()).len();
                s.sent(n);
            }
            _ => break,
        }
    }
    s.finish_body(r).unwrap();
    let n = s.outgoing().len();
    written += n;
    s.sent(n);
    written
}

/// The server's output for RETR 1 of `msg` (status line, stuffed body, dot).
fn server_bytes(msg: &Bytes) -> Vec<u8> {
    let mut out = BytesMut::new();
    out.extend_from_slice(format!("+OK {} octets\r\n", msg.len()).as_bytes());
    let mut st = yubin_wire::dot::Stuffer::new();
    st.push(msg, &mut out);
    st.finish(&mut out);
    out.to_vec()
}

fn client_retr(wire: &[u8]) -> usize {
    let now = now();
    let mut c = client::Session::new(Arc::new(client::Config::default()), now);
    c.receive(now, b"+OK ready\r\n");
    while c.next_event().is_some() {}
    c.retr(MsgNum::new(1).unwrap()).unwrap();
    let mut got = 0;
    let mut rest = wire;
    loop {
        let n = c.receive(now, rest);
        rest = &rest[n..];
        while let Some(ev) = c.next_event() {
            match ev {
                CEvent::BodyChunk(b) => got += black_box(b).len(),
                CEvent::End(_) => return got,
                _ => {}
            }
        }
        if n == 0 && rest.is_empty() {
            return got;
        }
    }
}

fn bench(c: &mut Criterion) {
    let lines: Vec<&[u8]> = vec![
        b"USER mrose",
        b"PASS tanstaaf tanstaaf",
        b"APOP mrose c4c9334bac560ecc979e58001b3e22fb",
        b"STAT",
        b"LIST 2",
        b"RETR 1",
        b"TOP 1 10",
        b"UIDL",
        b"DELE 12345",
        b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=",
    ];
    let mut g = c.benchmark_group("pop3_parse");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("commands", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(parse_command(black_box(l)).unwrap());
            }
        })
    });
    g.finish();

    for (name, size) in [("1MiB", 1 << 20), ("25MiB", 25 << 20)] {
        let msg = message(size);
        let wire = server_bytes(&msg);
        let mut g = c.benchmark_group("pop3_retr");
        g.throughput(Throughput::Bytes(size as u64));
        if size > (1 << 20) {
            g.sample_size(10);
        }
        g.bench_with_input(BenchmarkId::new("memmem_scan", name), &msg, |b, m| {
            b.iter(|| memchr::memmem::find_iter(black_box(&m[..]), b"\r\n.").count())
        });
        g.bench_with_input(BenchmarkId::new("server", name), &msg, |b, m| {
            let mut s = logged_in(m);
            b.iter(|| server_retr(&mut s, m))
        });
        g.bench_with_input(BenchmarkId::new("client", name), &wire, |b, w| {
            b.iter(|| client_retr(w))
        });
        g.finish();
    }
}

/// Race mode (see `yubin_benches::race`): RETR through the server and the
/// client session against the `memmem` scan of the same bytes.
fn race() {
    for (name, size, rounds) in [("1MiB", 1 << 20, 100), ("25MiB", 25 << 20, 8)] {
        let msg = message(size);
        let wire = server_bytes(&msg);
        let mut s = logged_in(&msg);
        yubin_benches::race(
            &format!("pop3_retr/{name}"),
            size as u64,
            rounds,
            &mut [
                Contender::new("memmem_scan", || {
                    memchr::memmem::find_iter(black_box(&msg[..]), b"\r\n.").count()
                }),
                Contender::new("server", || server_retr(&mut s, &msg)),
                Contender::new("client", || client_retr(&wire)),
            ],
        );
    }
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
