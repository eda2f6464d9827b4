//! yubin-imap: a sans-IO IMAP4rev1 + IMAP4rev2 codec.
//!
//! * [`types`]: misuse-resistant types for every command, response and data item;
//! * [`framer`]: splits the byte stream into messages (lines and literals),
//!   surfacing each literal announcement before its data;
//! * [`parse`]: nom parsers for complete commands and responses;
//! * [`encode`]: byte-exact encoders into `BytesMut`, literals as fragments;
//! * [`utf7`]: modified UTF-7 mailbox names;
//! * [`server`]: the server session (states, pipelining, literals, login,
//!   the selected mailbox view, IDLE, streaming FETCH and APPEND, limits);
//! * [`client`]: the client session (tags, capabilities, literal flow,
//!   STARTTLS, SASL, IDLE, streaming FETCH and APPEND).
//!
//! Both sessions are sans-IO state machines: bytes in, events out,
//! decisions in, bytes out; time and entropy are arguments. See the
//! [`server`] module for a runnable example of an application.
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use yubin_imap::framer::{Frame, Framer, Role};
//! use yubin_imap::parse::{Parser, ParseOptions};
//! use yubin_imap::types::{CommandBody, Mailbox};
//! use yubin_imap::{Limits, encode};
//!
//! let limits = Limits::default();
//! let mut framer = Framer::new(&limits, Role::Server);
//! let parser = Parser::new(ParseOptions::default());
//! let mut buf = BytesMut::from(&b"a1 SELECT INBOX\r\n"[..]);
//! let Some(Ok(Frame::Message(msg))) = framer.next(&mut buf) else { unreachable!() };
//! let cmd = parser.command(&msg).unwrap();
//! assert_eq!(cmd.body, CommandBody::Select { mailbox: Mailbox::inbox(), params: vec![] });
//! let mut out = BytesMut::new();
//! encode::command(&cmd, &mut out);
//! assert_eq!(&out[..], b"a1 SELECT INBOX\r\n");
//! ```
#![forbid(unsafe_code)]

pub mod client;
pub mod encode;
pub mod framer;
pub mod parse;
pub mod server;
pub mod types;
pub mod utf7;

/// Every size the peer can influence, with safe defaults.
///
/// Worst case memory per connection is about `max_message_octets` (a message
/// is held whole until it is complete; streamed literals are not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest line, CRLF included, in octets. Default 65 536 (RFC 9051 §4
    /// asks clients to keep lines under 8 192 octets; RFC 7162 §4 recommends
    /// servers accept at least 8 192). Memory: at most this much per line.
    pub max_line_octets: usize,
    /// Largest literal buffered into a message, in octets. Default 16 MiB.
    /// Larger literals are refused ([`framer::FrameError::LiteralTooLarge`])
    /// unless the caller streams them. Memory: bounded by `max_message_octets`.
    pub max_literal_octets: u64,
    /// Largest buffered message (all lines and literals), in octets.
    /// Default 32 MiB. Memory: this is the framer's worst case.
    pub max_message_octets: usize,
    /// Deepest nesting of parentheses the parser follows (BODYSTRUCTURE,
    /// search keys, extension values, THREAD). Default 64 (imap-codec and
    /// real servers stay below 20). Memory: stack proportional to it.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_octets: 65_536,
            max_literal_octets: 16 * 1024 * 1024,
            max_message_octets: 32 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// The README section's example, compiled as a doctest.
#[doc = include_str!("../README-section.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
