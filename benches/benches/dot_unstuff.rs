//! Dot-unstuffing throughput against the physical limit: a
//! `memchr::memmem` scan of the same bytes for "\r\n." (every byte looked at
//! once, nothing handed out).
//!
//! Bodies: realistic text lines of 70-78 octets with an occasional stuffed
//! line, and a dot-heavy body where every 4th line is stuffed; 10 KiB, 1 MiB
//! and 25 MiB. Run: `cargo bench -p yubin-benches --bench dot_unstuff`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use bytes::BytesMut;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
use std::hint::black_box;
use yubin_benches::{Contender, timed};
use yubin_wire::{BareEol, Body, Unstuffer};

const WORDS: &[&str] = &[
    "the",
    "message",
    "body",
    "of",
    "a",
    "mail",
    "with",
    "some",
    "ordinary",
    "words",
    "and",
    "numbers",
    "1234",
    "sent",
    "over",
    "SMTP",
    "to",
    "somebody@example.org",
    "regards,",
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
];

/// A dot-stuffed body of about `octets` octets, terminator included: lines
/// of 70-78 octets, every `dot_every`-th one starting with a (stuffed) dot.
fn stuffed_body(octets: usize, dot_every: usize) -> Vec<u8> {
    // A fixed linear congruential generator: the same body on every run.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        usize::try_from(seed >> 33).unwrap()
    };
    let mut out = Vec::with_capacity(octets + 128);
    let mut line_no = 0usize;
    while out.len() < octets {
        line_no += 1;
        let target = 70 + next() % 9;
        let mut line = Vec::with_capacity(target + 4);
        if line_no.is_multiple_of(dot_every) {
            line.extend_from_slice(b"..");
        }
        while line.len() < target {
            if !line.is_empty() && line != b".." {
                line.push(b' ');
            }
            line.extend_from_slice(WORDS[next() % WORDS.len()].as_bytes());
        }
        line.truncate(target);
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

fn unstuff_all(buf: &mut BytesMut, policy: BareEol) -> usize {
    let mut u = Unstuffer::new(policy);
    let mut n = 0;
    while let Some(step) = u.next(buf) {
        match step {
            Body::Chunk(c) => n += c.len(),
            Body::End => break,
        }
    }
    n
}

fn scan(body: &[u8]) -> usize {
    memchr::memmem::find_iter(body, b"\r\n.").count()
}

fn bench(c: &mut Criterion) {
    let sizes = [("10KiB", 10 << 10), ("1MiB", 1 << 20), ("25MiB", 25 << 20)];
    for (kind, dot_every) in [("normal", 50), ("dot_heavy", 4)] {
        let mut group = c.benchmark_group(format!("dot_unstuff/{kind}"));
        for (label, octets) in sizes {
            let body = stuffed_body(octets, dot_every);
            if octets > 1 << 20 {
                group.sample_size(10);
            } else {
                group.sample_size(50);
            }
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(BenchmarkId::new("memmem_scan", label), &body, |b, body| {
                b.iter(|| scan(black_box(body)));
            });
            for (name, policy) in [
                ("unstuff_reject", BareEol::Reject),
                ("unstuff_allow", BareEol::Allow),
            ] {
                group.bench_with_input(BenchmarkId::new(name, label), &body, |b, body| {
                    b.iter_batched(
                        || BytesMut::from(&body[..]),
                        |mut buf| unstuff_all(&mut buf, policy),
                        BatchSize::LargeInput,
                    );
                });
            }
        }
        group.finish();
    }
}

/// Race mode (see `yubin_benches::race`): the same inputs, ratios to the
/// `memmem` scan.
fn race() {
    for (kind, dot_every) in [("normal", 50), ("dot_heavy", 4)] {
        for (label, octets, rounds) in [("1MiB", 1 << 20, 200), ("25MiB", 25 << 20, 10)] {
            let body = stuffed_body(octets, dot_every);
            let unstuff = |policy| {
                let body = &body;
                move || {
                    let mut buf = BytesMut::from(&body[..]);
                    timed(|| unstuff_all(&mut buf, policy))
                }
            };
            yubin_benches::race(
                &format!("dot_unstuff/{kind}/{label}"),
                body.len() as u64,
                rounds,
                &mut [
                    Contender::new("memmem_scan", || scan(black_box(&body))),
                    Contender::self_timed("unstuff_reject", unstuff(BareEol::Reject)),
                    Contender::self_timed("unstuff_allow", unstuff(BareEol::Allow)),
                ],
            );
        }
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
