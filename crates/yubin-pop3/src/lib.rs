//! Sans-IO POP3: types, parser, encoder, server and client sessions, APOP,
//! and the POP-before-SMTP ledger.
//!
//! # What it does
//!
//! - [`server::Session`]: a POP3 server connection (RFC 1939) with CAPA,
//!   RESP-CODES, PIPELINING, EXPIRE, LOGIN-DELAY, IMPLEMENTATION (RFC 2449),
//!   STLS (RFC 2595), AUTH with every yubin-sasl mechanism (RFC 5034),
//!   response codes (RFC 3206) and UTF8 (RFC 6856). The maildrop stays the
//!   application's: the session asks for decisions (logins, message bytes,
//!   the UPDATE commit) through events with tickets, and streams message
//!   bodies dot-stuffed with back-pressure.
//! - [`client::Session`]: the client side, with bodies un-stuffed as chunks.
//! - [`apop`]: the RFC 1939 §7 digest, weak and off by default.
//! - [`before_smtp`]: the POP-before-SMTP relay ledger.
//! - [`types`], [`parse`], [`encode`]: the values and their wire forms.
//!
//! # What it does not do
//!
//! No sockets, threads, clocks or randomness: time (`now`) and entropy (the
//! APOP timestamp, SASL nonces) are arguments. TLS is the adapter's job: the
//! session says when to start it. No mail storage: the application owns the
//! maildrop and its locking.
//!
//! # Deletion is safe
//!
//! `DELE` only marks. Only `QUIT` in TRANSACTION produces
//! [`server::Event::Update`]; a dropped connection, an autologout or an
//! error never does, so nothing is deleted then.
//!
//! # The drive loop (server)
//!
//! Receive, drain events (answering as you go), flush the output, wait for
//! input or the deadline:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::Bytes;
//! use yubin_pop3::server::{BodyDemand, Config, Credentials, Event, Maildrop, Session};
//! use yubin_pop3::types::{Reply, RespCode};
//!
//! let message = b"Subject: hi\r\n\r\n.dot line\r\n".to_vec();
//! let mut config = Config::default();
//! config.danger_allow_plaintext_auth = true; // a demo on loopback; use TLS
//! # #[allow(clippy::disallowed_methods)]
//! let now = Instant::now(); // the adapter's clock; the crate never reads it
//! let mut s = Session::new(Arc::new(config), now, [7; 18], None);
//!
//! let mut wire = Vec::new(); // stands for the socket
//! let mut body = None;
//! for input in [&b"USER alice\r\nPASS open sesame\r\n"[..], b"RETR 1\r\nQUIT\r\n"] {
//!     let mut input = input;
//!     while !input.is_empty() {
//!         let n = s.receive(now, input);
//!         input = &input[n..];
//!         loop {
//!             while let Some(event) = s.next_event() {
//!                 match event {
//!                     Event::User { ticket, .. } => s.accept_user(ticket, None).unwrap(),
//!                     Event::Login { ticket, user, credentials } => {
//!                         let ok = matches!(&credentials,
//!                             Credentials::Password(p) if user == "alice" && p.expose() == "open sesame");
//!                         if ok {
//!                             let drop = Maildrop::new(vec![(message.len() as u64, "uid-1".into())]).unwrap();
//!                             s.accept_login(ticket, drop, None).unwrap();
//!                         } else {
//!                             s.reject(ticket, Reply::err_code(RespCode::auth(), "no")).unwrap();
//!                         }
//!                     }
//!                     Event::Retrieve { ticket, .. } => {
//!                         body = Some((s.start_body(ticket).unwrap(), Bytes::from(message.clone())));
//!                     }
//!                     Event::Update { ticket, deleted } => {
//!                         assert!(deleted.is_empty()); // remove these, then:
//!                         s.accept_update(ticket).unwrap();
//!                     }
//!                     _ => {}
//!                 }
//!             }
//!             // Feed the message while the session wants more.
//!             if let Some((r, rest)) = body.take() {
//!                 match s.body_demand() {
//!                     Some(BodyDemand::Ready) if !rest.is_empty() => {
//!                         s.send_body(&r, rest).unwrap();
//!                         body = Some((r, Bytes::new()));
//!                     }
//!                     Some(BodyDemand::Wait) => body = Some((r, rest)),
//!                     _ => s.finish_body(r).unwrap(),
//!                 }
//!             }
//!             // Flush (a real adapter writes to the socket here).
//!             let out = s.outgoing().len();
//!             wire.extend_from_slice(s.outgoing());
//!             s.sent(out);
//!             if body.is_none() && out == 0 {
//!                 break;
//!             }
//!         }
//!     }
//! }
//! assert!(s.is_closed());
//! let text = String::from_utf8(wire).unwrap();
//! assert!(text.contains("+OK 26 octets\r\nSubject: hi\r\n\r\n..dot line\r\n.\r\n"));
//! assert!(text.ends_with("+OK POP3 server signing off (1 message left)\r\n"));
//! ```
//!
//! # Limits
//!
//! | [`server::Limits`] field | Default | Source |
//! |---|---|---|
//! | `max_command_octets` | 255 | RFC 2449 §4 |
//! | `max_auth_line_octets` | 22 000 | base64 of yubin-sasl's 16 KiB |
//! | `max_input_octets` | 32 768 | pipelined input held |
//! | `max_output_octets` | 65 536 | back-pressure threshold |
//! | `max_failed_logins` | 3 | common server practice |
//! | `max_bad_commands` | 10 | |
//! | `idle` | 10 min | RFC 1939 §3 |
#![forbid(unsafe_code)]

pub mod apop;
pub mod before_smtp;
pub mod client;
pub mod encode;
pub mod parse;
pub mod server;
pub mod types;

#[doc = include_str!("../README-section.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
