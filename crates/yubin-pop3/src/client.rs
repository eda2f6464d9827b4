//! The POP3 client session.
//!
//! The application calls command methods ([`Session::stat`],
//! [`Session::retr`], ...), which queue command lines in
//! [`Session::outgoing`]; the server's bytes go into [`Session::receive`]
//! and come out of [`Session::next_event`] as typed events, in command
//! order (commands may be pipelined when the server announces
//! `PIPELINING`). Message bodies (`RETR`, `TOP`) come out dot-unstuffed as
//! [`Event::BodyChunk`]s split off the receive buffer, never whole.
//!
//! Parsing happens in [`Session::next_event`]: the receive buffer is
//! bounded, so a client that stops draining events stops taking input.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use thiserror::Error;
use yubin_sasl::{Secret, wire};
use yubin_wire::dot::{BareEol, Body, Unstuffer};
use yubin_wire::{Line, LineFramer, OutBuf};

use crate::apop::{ApopError, Digest, Timestamp};
use crate::parse::{
    ParseError, StatusLine, parse_capability, parse_continuation, parse_list_entry, parse_stat,
    parse_status_line, parse_uidl_entry,
};
use crate::types::{Capability, Command, InitialResponse, ListEntry, MsgNum, Reply, UidlEntry};

/// Sizes and times the server can influence, with safe defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest status or list line, CRLF included, in octets. Default 512
    /// (RFC 2449 §4: first response lines are at most 512 octets).
    pub max_line_octets: usize,
    /// Longest SASL challenge line, in octets. Default 22 000 (base64 of
    /// yubin-sasl's 16 384-octet message limit).
    pub max_challenge_octets: usize,
    /// Receive buffer in octets: input beyond it waits until events are
    /// drained. Default 65 536. Body chunks are split off this buffer.
    pub max_input_octets: usize,
    /// Output buffer in octets at which command methods refuse more.
    /// Default 16 384 (commands are at most 255 octets each, RFC 2449 §4).
    pub max_output_octets: usize,
    /// Most `CAPA` lines kept. Default 64 (RFC 2449 registers about 15).
    /// Memory: at most this many lines of `max_line_octets`.
    pub max_capabilities: usize,
    /// How long to wait for a response. Default 10 minutes (RFC 1939 §3's
    /// server idle time).
    pub response_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_octets: 512,
            max_challenge_octets: 22_000,
            max_input_octets: 65_536,
            max_output_octets: 16_384,
            max_capabilities: 64,
            response_timeout: Duration::from_secs(600),
        }
    }
}

/// Client settings.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Config {
    /// Limits on what the server can make the client hold.
    pub limits: Limits,
    /// Quirk: accept a bare LF as a line end in status lines.
    pub quirk_bare_lf: bool,
}

/// Which command a response answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandKind {
    /// The greeting (no command).
    Greeting,
    /// `USER`.
    User,
    /// `PASS`.
    Pass,
    /// `APOP`.
    Apop,
    /// `AUTH`.
    Auth,
    /// `STAT`.
    Stat,
    /// `LIST`.
    List,
    /// `RETR`.
    Retr,
    /// `DELE`.
    Dele,
    /// `NOOP`.
    Noop,
    /// `RSET`.
    Rset,
    /// `QUIT`.
    Quit,
    /// `TOP`.
    Top,
    /// `UIDL`.
    Uidl,
    /// `CAPA`.
    Capa,
    /// `STLS`.
    Stls,
    /// `UTF8`.
    Utf8,
}

/// What the client reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// The server's greeting.
    Greeting {
        /// `+OK` (ready) or `-ERR` (the server refuses the connection).
        reply: Reply,
        /// The APOP timestamp, if the greeting carries a well-formed one.
        timestamp: Option<Timestamp>,
    },
    /// A status line answering `command`. For multi-line commands, `+OK`
    /// is followed by their items and [`Event::End`].
    Reply {
        /// The command answered.
        command: CommandKind,
        /// The status, response code and text.
        reply: Reply,
    },
    /// `STAT`'s answer.
    Stat {
        /// Messages in the maildrop.
        count: u32,
        /// Their total size.
        octets: u64,
    },
    /// One `LIST` entry (also the answer to `LIST n`).
    ListEntry(ListEntry),
    /// One `UIDL` entry (also the answer to `UIDL n`).
    UidlEntry(UidlEntry),
    /// The `CAPA` list, whole.
    Capabilities(Vec<Capability>),
    /// Dot-unstuffed bytes of the message (`RETR`, `TOP`).
    BodyChunk(Bytes),
    /// The end of a multi-line response (list or body).
    End(CommandKind),
    /// A SASL challenge (decoded); answer with [`Session::auth_respond`] or
    /// [`Session::auth_cancel`].
    AuthChallenge(Vec<u8>),
    /// `STLS` accepted: run the TLS handshake, then call
    /// [`Session::tls_established`].
    StartTls,
    /// The server broke the protocol; the session closed.
    ProtocolError(ClientError),
    /// The session closed.
    Closed,
}

/// A misuse or a server error.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The session is closed.
    #[error("session closed")]
    Closed,
    /// The output buffer is full; flush first.
    #[error("output buffer full")]
    Busy,
    /// No command may follow `STLS` until the handshake is done.
    #[error("tls handshake pending")]
    TlsPending,
    /// No SASL exchange awaits a response.
    #[error("no authentication exchange in progress")]
    NoAuthInProgress,
    /// APOP needs a well-formed timestamp in the greeting.
    #[error("apop unavailable: {0}")]
    Apop(#[from] ApopError),
    /// The greeting has not arrived, or carried no timestamp.
    #[error("greeting has no apop timestamp")]
    NoTimestamp,
    /// A response line did not parse.
    #[error("bad response: {0}")]
    BadResponse(#[from] ParseError),
    /// A response line was longer than the limit.
    #[error("response line too long")]
    LineTooLong,
    /// A response arrived that no command asked for.
    #[error("unexpected response")]
    Unexpected,
    /// The server did not answer in time.
    #[error("response timeout")]
    Timeout,
    /// The SASL challenge was not valid base64.
    #[error("invalid base64 in challenge")]
    BadChallenge,
    /// A command argument would break the line (CR, LF) or exceed 255 octets.
    #[error("invalid command argument")]
    BadArgument,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Single(CommandKind),
    Stat,
    ListOne,
    UidlOne,
    List,
    Uidl,
    Capa,
    Body(CommandKind),
    Auth,
    Stls,
}

impl Expect {
    fn kind(self) -> CommandKind {
        match self {
            Expect::Greeting => CommandKind::Greeting,
            Expect::Single(k) | Expect::Body(k) => k,
            Expect::Stat => CommandKind::Stat,
            Expect::ListOne | Expect::List => CommandKind::List,
            Expect::UidlOne | Expect::Uidl => CommandKind::Uidl,
            Expect::Capa => CommandKind::Capa,
            Expect::Auth => CommandKind::Auth,
            Expect::Stls => CommandKind::Stls,
        }
    }
}

#[derive(Debug)]
enum Multi {
    List,
    Uidl,
    Capa(Vec<Capability>),
    Body(CommandKind, Box<Unstuffer>),
}

/// One POP3 client connection. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: Arc<Config>,
    rx: BytesMut,
    framer: LineFramer,
    out: OutBuf,
    expect: VecDeque<Expect>,
    multi: Option<Multi>,
    events: VecDeque<Event>,
    timestamp: Option<Result<Timestamp, ApopError>>,
    auth_waiting: bool,
    tls_pending: bool,
    closed: bool,
    last_activity: Instant,
}

impl Session {
    /// A new session, waiting for the greeting.
    pub fn new(config: Arc<Config>, now: Instant) -> Self {
        let mut framer = LineFramer::new(config.limits.max_line_octets.max(64));
        framer.allow_bare_lf(config.quirk_bare_lf);
        Self {
            out: OutBuf::new(config.limits.max_output_octets.max(512)),
            rx: BytesMut::new(),
            framer,
            expect: VecDeque::from([Expect::Greeting]),
            multi: None,
            events: VecDeque::new(),
            timestamp: None,
            auth_waiting: false,
            tls_pending: false,
            closed: false,
            last_activity: now,
            config,
        }
    }

    /// Takes server bytes; returns how many were taken (fewer when the
    /// receive buffer is full: drain [`Session::next_event`] first).
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if self.closed {
            return bytes.len();
        }
        if self.tls_pending {
            return 0;
        }
        let room = self
            .config
            .limits
            .max_input_octets
            .max(self.config.limits.max_challenge_octets)
            .saturating_sub(self.rx.len());
        let n = room.min(bytes.len());
        if n > 0 {
            self.rx
                .extend_from_slice(bytes.get(..n).unwrap_or_default());
            self.last_activity = now;
        }
        n
    }

    /// The next event, parsing buffered input as needed.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Some(e);
            }
            if self.closed || self.tls_pending || self.auth_waiting {
                return None;
            }
            if !self.step() {
                return self.events.pop_front();
            }
        }
    }

    /// The bytes to send to the server.
    pub fn outgoing(&self) -> &[u8] {
        self.out.as_slice()
    }

    /// Reports that `n` bytes of [`Session::outgoing`] were sent.
    pub fn sent(&mut self, n: usize) {
        self.out.sent(n);
    }

    /// When to call [`Session::timeout`]: while a response is awaited.
    pub fn deadline(&self) -> Option<Instant> {
        (!self.closed && !self.expect.is_empty() && !self.tls_pending)
            .then(|| self.last_activity + self.config.limits.response_timeout)
    }

    /// Closes the session if the deadline has passed.
    pub fn timeout(&mut self, now: Instant) {
        if self.deadline().is_some_and(|d| now >= d) {
            self.fail(ClientError::Timeout);
        }
    }

    /// True once the session closed (after `QUIT`'s answer, or an error).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Responses still awaited.
    pub fn in_flight(&self) -> usize {
        self.expect.len()
    }

    /// The greeting's APOP timestamp: `None` before the greeting or when it
    /// has none, `Some(Err)` when it is malformed (APOP is then refused).
    pub fn timestamp(&self) -> Option<&Result<Timestamp, ApopError>> {
        self.timestamp.as_ref()
    }

    /// The TLS handshake after [`Event::StartTls`] is done.
    pub fn tls_established(&mut self) {
        if self.tls_pending {
            self.tls_pending = false;
            self.rx.clear();
            self.framer.reset();
        }
    }

    fn send(&mut self, cmd: &Command, expect: Expect) -> Result<(), ClientError> {
        if self.closed {
            return Err(ClientError::Closed);
        }
        if self.tls_pending || self.expect.contains(&Expect::Stls) {
            return Err(ClientError::TlsPending);
        }
        if self.out.is_full() {
            return Err(ClientError::Busy);
        }
        let line = cmd.to_bytes();
        if line.len() > 255 {
            // RFC 2449 §4: commands are at most 255 octets.
            return Err(ClientError::BadArgument);
        }
        self.out.extend(&line);
        self.expect.push_back(expect);
        Ok(())
    }

    /// `CAPA`: answered by [`Event::Capabilities`] (or `-ERR`).
    pub fn capa(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Capa, Expect::Capa)
    }

    /// `STLS`: answered by [`Event::StartTls`] (or `-ERR`).
    pub fn stls(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Stls, Expect::Stls)
    }

    /// `UTF8` (RFC 6856).
    pub fn utf8(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Utf8, Expect::Single(CommandKind::Utf8))
    }

    /// `USER name`.
    pub fn user(&mut self, name: &str) -> Result<(), ClientError> {
        check_arg(name, false)?;
        self.send(
            &Command::User(name.to_owned()),
            Expect::Single(CommandKind::User),
        )
    }

    /// `PASS password` (spaces allowed).
    pub fn pass(&mut self, password: &Secret<String>) -> Result<(), ClientError> {
        check_arg(password.expose(), true)?;
        self.send(
            &Command::Pass(password.clone()),
            Expect::Single(CommandKind::Pass),
        )
    }

    /// `APOP name digest` from the greeting's timestamp and the secret.
    /// Refused when the greeting had no timestamp or a malformed one.
    pub fn apop(&mut self, name: &str, secret: &Secret<String>) -> Result<(), ClientError> {
        check_arg(name, false)?;
        let ts = match &self.timestamp {
            Some(Ok(ts)) => ts.clone(),
            Some(Err(e)) => return Err(ClientError::Apop(e.clone())),
            None => return Err(ClientError::NoTimestamp),
        };
        let digest = Digest::compute(&ts, secret.expose().as_bytes());
        self.send(
            &Command::Apop {
                name: name.to_owned(),
                digest,
            },
            Expect::Single(CommandKind::Apop),
        )
    }

    /// `AUTH mechanism [initial-response]` (RFC 5034). Challenges come as
    /// [`Event::AuthChallenge`]; the outcome as a `Reply` for `Auth`.
    /// Drive a yubin-sasl client with them. An initial response that would
    /// make the line exceed 255 octets is sent after an empty challenge
    /// instead, as RFC 5034 §4 requires... by the caller: pass `None` then.
    pub fn auth(&mut self, mechanism: &str, initial: Option<&[u8]>) -> Result<(), ClientError> {
        check_arg(mechanism, false)?;
        let initial = initial.map(|ir| match wire::encode_initial_response(ir).as_str() {
            "=" => InitialResponse::Empty,
            b => InitialResponse::Base64(b.to_owned()),
        });
        self.send(
            &Command::Auth {
                mechanism: mechanism.to_ascii_uppercase(),
                initial,
            },
            Expect::Auth,
        )
    }

    /// Answers the last [`Event::AuthChallenge`].
    pub fn auth_respond(&mut self, response: &[u8]) -> Result<(), ClientError> {
        if !self.auth_waiting {
            return Err(ClientError::NoAuthInProgress);
        }
        self.auth_waiting = false;
        let line = wire::encode_response(response);
        self.out.extend(line.as_bytes());
        self.out.extend(b"\r\n");
        Ok(())
    }

    /// Cancels the exchange with `*`; the server answers `-ERR`.
    pub fn auth_cancel(&mut self) -> Result<(), ClientError> {
        if !self.auth_waiting {
            return Err(ClientError::NoAuthInProgress);
        }
        self.auth_waiting = false;
        self.out.extend(b"*\r\n");
        Ok(())
    }

    /// `STAT`: answered by [`Event::Stat`].
    pub fn stat(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Stat, Expect::Stat)
    }

    /// `LIST [n]`: [`Event::ListEntry`] items.
    pub fn list(&mut self, msg: Option<MsgNum>) -> Result<(), ClientError> {
        let e = if msg.is_some() {
            Expect::ListOne
        } else {
            Expect::List
        };
        self.send(&Command::List(msg), e)
    }

    /// `UIDL [n]`: [`Event::UidlEntry`] items.
    pub fn uidl(&mut self, msg: Option<MsgNum>) -> Result<(), ClientError> {
        let e = if msg.is_some() {
            Expect::UidlOne
        } else {
            Expect::Uidl
        };
        self.send(&Command::Uidl(msg), e)
    }

    /// `RETR n`: [`Event::BodyChunk`]s then [`Event::End`].
    pub fn retr(&mut self, msg: MsgNum) -> Result<(), ClientError> {
        self.send(&Command::Retr(msg), Expect::Body(CommandKind::Retr))
    }

    /// `TOP n lines`: [`Event::BodyChunk`]s then [`Event::End`].
    pub fn top(&mut self, msg: MsgNum, lines: u32) -> Result<(), ClientError> {
        self.send(&Command::Top { msg, lines }, Expect::Body(CommandKind::Top))
    }

    /// `DELE n`.
    pub fn dele(&mut self, msg: MsgNum) -> Result<(), ClientError> {
        self.send(&Command::Dele(msg), Expect::Single(CommandKind::Dele))
    }

    /// `RSET`.
    pub fn rset(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Rset, Expect::Single(CommandKind::Rset))
    }

    /// `NOOP`.
    pub fn noop(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Noop, Expect::Single(CommandKind::Noop))
    }

    /// `QUIT`: the session closes after the answer.
    pub fn quit(&mut self) -> Result<(), ClientError> {
        self.send(&Command::Quit, Expect::Single(CommandKind::Quit))
    }

    fn fail(&mut self, e: ClientError) {
        if self.closed {
            return;
        }
        self.events.push_back(Event::ProtocolError(e));
        self.close();
    }

    fn close(&mut self) {
        self.closed = true;
        self.expect.clear();
        self.multi = None;
        self.rx.clear();
        self.events.push_back(Event::Closed);
    }

    /// Parses one step of input; false when more input is needed.
    fn step(&mut self) -> bool {
        if let Some(Multi::Body(kind, unstuffer)) = &mut self.multi {
            let kind = *kind;
            return match unstuffer.next(&mut self.rx) {
                None => false,
                Some(Body::Chunk(c)) => {
                    self.events.push_back(Event::BodyChunk(c));
                    true
                }
                Some(Body::End) => {
                    self.multi = None;
                    self.events.push_back(Event::End(kind));
                    true
                }
            };
        }
        let limit = if self.multi.is_none() && self.expect.front() == Some(&Expect::Auth) {
            self.config.limits.max_challenge_octets
        } else {
            self.config.limits.max_line_octets
        };
        self.framer.set_max_line_octets(limit.max(64));
        let line = match self.framer.next_line(&mut self.rx) {
            None => return false,
            Some(Line::TooLong { .. }) => {
                self.fail(ClientError::LineTooLong);
                return true;
            }
            Some(Line::Complete(l)) => l,
        };
        if let Some(m) = self.multi.take() {
            self.multi_line(m, &line);
            return true;
        }
        let Some(&expect) = self.expect.front() else {
            self.fail(ClientError::Unexpected);
            return true;
        };
        if expect == Expect::Auth
            && let Some(b64) = parse_continuation(&line)
        {
            match wire::decode_challenge(b64) {
                Ok(c) => {
                    self.auth_waiting = true;
                    self.events.push_back(Event::AuthChallenge(c));
                }
                Err(_) => self.fail(ClientError::BadChallenge),
            }
            return true;
        }
        let status = match parse_status_line(&line) {
            Ok(s) => s,
            Err(e) => {
                self.fail(ClientError::BadResponse(e));
                return true;
            }
        };
        self.expect.pop_front();
        self.status(expect, status);
        true
    }

    fn status(&mut self, expect: Expect, s: StatusLine) {
        let ok = s.status == crate::types::Status::Ok;
        let reply = Reply {
            status: s.status,
            code: s.code,
            text: s.text,
        };
        let kind = expect.kind();
        let fail_parse = |this: &mut Self, e: ParseError| this.fail(ClientError::BadResponse(e));
        match expect {
            Expect::Greeting => {
                self.timestamp = if ok {
                    Timestamp::from_greeting(&reply.text)
                } else {
                    None
                };
                let timestamp = self.timestamp.clone().and_then(Result::ok);
                self.events.push_back(Event::Greeting { reply, timestamp });
                if !ok {
                    self.close();
                }
            }
            _ if !ok => {
                self.events.push_back(Event::Reply {
                    command: kind,
                    reply,
                });
                if kind == CommandKind::Quit {
                    self.close();
                }
            }
            Expect::Single(k) => {
                self.events.push_back(Event::Reply { command: k, reply });
                if k == CommandKind::Quit {
                    self.close();
                }
            }
            Expect::Stat => match parse_stat(reply.text.as_bytes()) {
                Ok((count, octets)) => self.events.push_back(Event::Stat { count, octets }),
                Err(e) => fail_parse(self, e),
            },
            Expect::ListOne => match parse_list_entry(reply.text.as_bytes()) {
                Ok(e) => self.events.push_back(Event::ListEntry(e)),
                Err(e) => fail_parse(self, e),
            },
            Expect::UidlOne => match parse_uidl_entry(reply.text.as_bytes()) {
                Ok(e) => self.events.push_back(Event::UidlEntry(e)),
                Err(e) => fail_parse(self, e),
            },
            Expect::List | Expect::Uidl | Expect::Capa | Expect::Body(_) => {
                self.events.push_back(Event::Reply {
                    command: kind,
                    reply,
                });
                self.multi = Some(match expect {
                    Expect::List => Multi::List,
                    Expect::Uidl => Multi::Uidl,
                    Expect::Capa => Multi::Capa(Vec::new()),
                    _ => Multi::Body(kind, Box::new(Unstuffer::new(BareEol::Allow))),
                });
            }
            Expect::Auth => {
                self.events.push_back(Event::Reply {
                    command: kind,
                    reply,
                });
            }
            Expect::Stls => {
                self.events.push_back(Event::Reply {
                    command: kind,
                    reply,
                });
                self.tls_pending = true;
                self.events.push_back(Event::StartTls);
            }
        }
    }

    fn multi_line(&mut self, m: Multi, line: &[u8]) {
        if line == b"." {
            let kind = match m {
                Multi::List => CommandKind::List,
                Multi::Uidl => CommandKind::Uidl,
                Multi::Capa(caps) => {
                    self.events.push_back(Event::Capabilities(caps));
                    CommandKind::Capa
                }
                Multi::Body(k, _) => k,
            };
            self.events.push_back(Event::End(kind));
            return;
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        match m {
            Multi::List => match parse_list_entry(line) {
                Ok(e) => {
                    self.events.push_back(Event::ListEntry(e));
                    self.multi = Some(Multi::List);
                }
                Err(e) => self.fail(ClientError::BadResponse(e)),
            },
            Multi::Uidl => match parse_uidl_entry(line) {
                Ok(e) => {
                    self.events.push_back(Event::UidlEntry(e));
                    self.multi = Some(Multi::Uidl);
                }
                Err(e) => self.fail(ClientError::BadResponse(e)),
            },
            Multi::Capa(mut caps) => {
                if caps.len() < self.config.limits.max_capabilities {
                    // An unparsable capability line is skipped, not fatal:
                    // capabilities are advisory (RFC 2449 §5).
                    if let Ok(c) = parse_capability(line) {
                        caps.push(c);
                    }
                }
                self.multi = Some(Multi::Capa(caps));
            }
            Multi::Body(k, u) => self.multi = Some(Multi::Body(k, u)),
        }
    }
}

/// A command argument must fit on one line.
fn check_arg(arg: &str, spaces: bool) -> Result<(), ClientError> {
    let bad = arg.is_empty()
        || arg.len() > 250
        || arg.chars().any(char::is_control)
        || (!spaces && arg.contains(' '));
    if bad {
        Err(ClientError::BadArgument)
    } else {
        Ok(())
    }
}
