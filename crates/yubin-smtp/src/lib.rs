//! yubin-smtp: sans-IO SMTP / ESMTP / LMTP.
#![forbid(unsafe_code)]

pub mod client;
pub mod encode;
pub mod parse;
pub mod server;
pub mod types;

pub use parse::ParseError;
pub use types::*;
