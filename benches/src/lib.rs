//! Shared inputs for the criterion benchmarks in `benches/benches/`.
//!
//! Run them with `cargo bench -p yubin-benches`.
#![forbid(unsafe_code)]
