//! # yubin-tokio
//!
//! The one crate of yubin that touches sockets, clocks and randomness. It
//! runs the sans-IO sessions of yubin-smtp, yubin-pop3 and yubin-imap over
//! tokio: the drive loop of the sans-IO contract written once
//! ([`driver::drive`]), listeners with connection limits and graceful
//! shutdown ([`server::Server`], [`shutdown`]), and TLS through tokio-rustls
//! with PEM certificates, SNI selection and hot reload ([`tls::CertStore`]).
//!
//! What it does not do: parse or decide anything of a protocol. Sessions
//! decide what to say; your [`driver::Handler`] decides what to accept.
//!
//! ## The drive loop
//!
//! For each connection: flush the session's outgoing bytes; hand every event
//! to the handler (an async trait: a decision may await a database); when
//! the session signals STARTTLS, drop the plaintext read buffer and run the
//! handshake; otherwise wait for input, the session's `deadline()` (compared
//! with the clock on wake-up, never trusted blindly) or the shutdown signal.
//! Writes to a peer that stops reading time out instead of buffering.
#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod client;
pub mod driver;
pub mod imap;
pub mod pop3;
pub mod server;
pub mod shutdown;
pub mod smtp;
pub mod tls;

pub use driver::{DriveConfig, End, Handler, Session, drive, now};
pub use server::{ConnInfo, ConnLimits, Server, TlsMode};
pub use shutdown::{Shutdown, ShutdownTrigger};
pub use tls::{CertSource, CertStore, ClientTls, TlsError};

/// Fresh entropy from the operating system, for the arguments the sans-IO
/// sessions take (SASL nonces, the APOP timestamp).
///
/// This is the one place yubin draws randomness; protocol crates only
/// receive it.
///
/// # Panics
///
/// When the operating system has no random source at all, which leaves no
/// safe way to run the protocols.
#[allow(clippy::expect_used)]
pub fn entropy<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // A missing OS RNG is an unusable host, not peer input.
    getrandom::fill(&mut out).expect("the operating system's random source failed");
    out
}
