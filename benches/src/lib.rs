//! Shared pieces of the criterion benchmarks in `benches/benches/`.
//!
//! Run them with `cargo bench -p yubin-benches`.
//!
//! Criterion's figures drift when anything else runs on the machine (two
//! shared cores give swings of several times within one run). For the
//! ratios the issue notes quote, every bench binary also has a *race* mode:
//! `YUBIN_RACE=1 cargo bench -p yubin-benches` runs the contenders of each
//! comparison in turn, round after round, and keeps each one's fastest
//! round. Interleaving gives all contenders the same background load, and
//! the minimum is the run least disturbed by it, so the ratios hold still
//! from run to run where the absolute times do not.
//!
//! For profiling, `YUBIN_RACE_ONLY=<part of a title>` runs only the matching
//! comparisons and `YUBIN_RACE_CONTENDER=<name>` only that contender, e.g.
//! under `perf record` or `valgrind --tool=callgrind`.
//! `YUBIN_RACE_ROUNDS=<n>` replaces every race's round count (a profiler
//! wants many more samples than a ratio does).
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // timing is this crate's purpose

use std::time::{Duration, Instant};

/// True when the bench binary should print race ratios instead of running
/// criterion (`YUBIN_RACE` set to anything but `0`).
#[must_use]
pub fn race_mode() -> bool {
    std::env::var_os("YUBIN_RACE").is_some_and(|v| v != "0")
}

/// Times `f` once. For contenders whose set-up (copying the input into a
/// fresh buffer, say) must stay outside the measurement, time only the part
/// that counts and return that instead.
pub fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

/// One contender of a race: a name and a closure that runs the work once
/// and returns how long the measured part took.
pub struct Contender<'a> {
    name: &'a str,
    run: Box<dyn FnMut() -> Duration + 'a>,
}

impl<'a> Contender<'a> {
    /// A contender whose every call is measured whole.
    pub fn new<T>(name: &'a str, mut f: impl FnMut() -> T + 'a) -> Self {
        Self {
            name,
            run: Box::new(move || timed(&mut f)),
        }
    }

    /// A contender that measures itself (see [`timed`]).
    pub fn self_timed(name: &'a str, f: impl FnMut() -> Duration + 'a) -> Self {
        Self {
            name,
            run: Box::new(f),
        }
    }
}

/// Runs the contenders in turn for `rounds` rounds (at least one) and
/// prints, for each, its best time, its throughput over `octets` and its
/// ratio to the first contender (the baseline). Returns the best times in
/// the contenders' order.
pub fn race(
    title: &str,
    octets: u64,
    rounds: usize,
    contenders: &mut [Contender<'_>],
) -> Vec<Duration> {
    if std::env::var("YUBIN_RACE_ONLY").is_ok_and(|only| !title.contains(only.as_str())) {
        return Vec::new();
    }
    // For profiling one contender under perf or callgrind.
    let pick = std::env::var("YUBIN_RACE_CONTENDER").ok();
    let rounds = std::env::var("YUBIN_RACE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(rounds);
    let mut best = vec![Duration::MAX; contenders.len()];
    for _ in 0..rounds.max(1) {
        for (slot, c) in best.iter_mut().zip(contenders.iter_mut()) {
            if pick.as_deref().is_none_or(|p| p == c.name) {
                *slot = (*slot).min((c.run)());
            }
        }
    }
    println!("{title}  ({octets} octets, best of {rounds} rounds)");
    let base = best.first().copied().unwrap_or(Duration::MAX);
    for (c, t) in contenders.iter().zip(&best) {
        let secs = t.as_secs_f64();
        let mib_s = if secs > 0.0 {
            octets as f64 / secs / f64::from(1u32 << 20)
        } else {
            f64::INFINITY
        };
        let ratio = secs / base.as_secs_f64();
        println!(
            "  {:<22} {:>12.1} µs {:>10.1} MiB/s {:>7.2}× baseline time",
            c.name,
            secs * 1e6,
            mib_s,
            ratio
        );
    }
    best
}
