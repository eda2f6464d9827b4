//! yubin-smtp: sans-IO SMTP / ESMTP / LMTP.
#![forbid(unsafe_code)]

pub mod client;
pub mod encode;
pub mod parse;
pub mod server;
pub mod types;

pub use parse::ParseError;
pub use types::*;

/// The README section's example, compiled as a doctest.
#[doc = include_str!("../README-section.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
