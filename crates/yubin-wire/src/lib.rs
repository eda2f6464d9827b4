//! Sans-IO framing shared by the yubin SMTP, POP3 and IMAP crates.
//!
//! # What it does
//!
//! - [`LineFramer`]: splits CRLF-terminated lines off a receive buffer as
//!   zero-copy [`bytes::Bytes`], under a maximum line length. An over-long
//!   line is reported ([`Line::TooLong`], with its first octets so the
//!   session can answer it) and skipped up to its CRLF without ever being
//!   buffered whole.
//! - [`Unstuffer`]: streams an SMTP DATA body or a POP3 multi-line response
//!   out of a receive buffer, removing stuffing dots, and stops exactly at
//!   CRLF "." CRLF. `LF.LF`, `CR.CR`, `LF.CRLF` and `CRLF.LF` never end a
//!   body (SMTP smuggling); bare CR and LF are a [`BareEol`] policy.
//! - [`Stuffer`]: the sending side: stuffs a body given in chunks and
//!   terminates it.
//! - [`OutBuf`]: a bounded send buffer whose fill level is the back-pressure
//!   signal (a session takes no input while it [is full](OutBuf::is_full)).
//!
//! # What it does not do
//!
//! No I/O, no clock, no threads, no allocation beyond the buffers it is
//! handed: the caller reads the socket, appends to a [`bytes::BytesMut`] and
//! asks for lines or body chunks. It knows no command syntax (that is the
//! protocol crates' job), does not limit the size of a body (count
//! [`Unstuffer::body_octets`] against your own limit), and decodes no
//! content (MIME, 8BITMIME, BDAT/CHUNKING and IMAP literals are framed by
//! the protocol crates).
//!
//! # Example
//!
//! A server reads a command line, then a DATA body that arrives in pieces:
//!
//! ```
//! use bytes::BytesMut;
//! use yubin_wire::{BareEol, Body, Line, LineFramer, Stuffer, Unstuffer};
//!
//! let mut framer = LineFramer::new(512); // RFC 5321 §4.5.3.1.4
//! let mut rx = BytesMut::new();
//! rx.extend_from_slice(b"DATA\r\nSubject: hi\r\n\r\n..dot");
//! assert_eq!(framer.next_line(&mut rx), Some(Line::Complete("DATA".into())));
//!
//! // The body follows the command in the same buffer.
//! let mut body = Vec::new();
//! let mut unstuffer = Unstuffer::new(BareEol::Reject);
//! let mut ended = false;
//! for more in [&b"ted\r\n."[..], b"\r", b"\nQUIT\r\n"] {
//!     while let Some(step) = unstuffer.next(&mut rx) {
//!         match step {
//!             Body::Chunk(chunk) => body.extend_from_slice(&chunk),
//!             Body::End => ended = true,
//!         }
//!     }
//!     rx.extend_from_slice(more); // the next read from the socket
//! }
//! while let Some(step) = unstuffer.next(&mut rx) {
//!     assert_eq!(step, Body::End);
//!     ended = true;
//! }
//! assert!(ended && !unstuffer.bare_eol_seen());
//! assert_eq!(body, b"Subject: hi\r\n\r\n.dotted\r\n");
//! // What follows the terminator is the next command.
//! assert_eq!(framer.next_line(&mut rx), Some(Line::Complete("QUIT".into())));
//!
//! // The client side stuffs the same body back.
//! let mut tx = BytesMut::new();
//! let mut stuffer = Stuffer::new();
//! stuffer.push(&body, &mut tx);
//! stuffer.finish(&mut tx);
//! assert_eq!(&tx[..], b"Subject: hi\r\n\r\n..dotted\r\n.\r\n");
//! ```
//!
//! # Limits
//!
//! Every bound is set by the caller; there is no unbounded mode.
//!
//! | Limit | Set by | Unit | Worst-case memory |
//! |---|---|---|---|
//! | line length, CRLF included | [`LineFramer::new`], [`LineFramer::set_max_line_octets`] | octets | the receive buffer holds at most `max_line_octets` octets of one line after [`LineFramer::next_line`] returns `None` |
//! | head of an over-long line | [`LineFramer::HEAD_OCTETS`] (128) | octets | one 128-octet copy while the line is skipped |
//! | octets held back by the unstuffer | fixed | octets | 2 (a possible ".\r" after a line end); everything else is handed out |
//! | send buffer | [`OutBuf::new`] | octets | `max_octets` plus the replies to the input taken before it filled |
//!
//! The protocol crates choose the defaults (for example SMTP's 512-octet
//! command line, RFC 5321 §4.5.3.1.4) and document them in their `Limits`.
#![forbid(unsafe_code)]

pub mod dot;
pub mod line;
pub mod out;
pub mod proxy;

pub use dot::{BareEol, Body, Stuffer, Unstuffer};
pub use line::{Line, LineFramer};
pub use out::OutBuf;
