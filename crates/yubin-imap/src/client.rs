//! The IMAP client session.
//!
//! A [`Session`] turns commands into bytes and the server's bytes into
//! [`Event`]s: bytes in ([`Session::receive`]), events out
//! ([`Session::next_event`]), commands in ([`Session::command`] and the
//! helpers), bytes out ([`Session::outgoing`] / [`Session::sent`]). Like the
//! server session it never touches a socket, a clock or randomness.
//!
//! - Tags are generated (`A1`, `A2`, …); every tagged completion comes out
//!   as [`Event::Completed`] with the command it ends.
//! - Capabilities are tracked from the greeting, `CAPABILITY` responses and
//!   `[CAPABILITY ...]` codes; they are forgotten after STARTTLS and a
//!   login without the code, as RFC 9051 §6.2 asks.
//! - Literals: a synchronising literal is held back until the server's `+`;
//!   with `LITERAL+` (or `LITERAL-` up to 4 096 octets) the session sends
//!   non-synchronising literals instead. No other command is written while a
//!   continuation is awaited.
//! - AUTHENTICATE runs a [`yubin_sasl::client::Client`], with SASL-IR when
//!   offered; STARTTLS stops the input until [`Session::tls_established`];
//!   IDLE is [`Session::idle`] / [`Session::idle_done`].
//! - Untagged responses come out in arrival order: mailbox updates
//!   (EXISTS, EXPUNGE, VANISHED, RECENT, and FETCH responses while no
//!   FETCH or STORE runs) as [`Event::Update`], other data as
//!   [`Event::Data`], status responses as [`Event::Status`] (alerts) and
//!   [`Event::Bye`]. A FETCH literal larger than
//!   [`Config::stream_threshold_octets`] streams as
//!   [`Event::FetchStreamStart`], [`Event::FetchChunk`]s and
//!   [`Event::FetchStreamEnd`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use yubin_sasl::client::Client as SaslClient;
use yubin_sasl::wire;
use yubin_wire::OutBuf;

use crate::encode::{self, AppendPrefix, Fragment};
use crate::framer::{Frame, Framer, Role};
use crate::parse::{ParseError, ParseOptions, Parser};
use crate::types::*;

/// The client's settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Codec limits for responses (line, literal, message sizes).
    pub limits: crate::Limits,
    /// FETCH literals larger than this stream as chunks instead of being
    /// buffered. Default 65 536. Memory: responses are held whole only up
    /// to this size (plus their lines).
    pub stream_threshold_octets: u64,
    /// Use non-synchronising literals when the server offers LITERAL+ or
    /// LITERAL-. Default true.
    pub use_nonsync_literals: bool,
    /// Tag prefix. Default `"A"`.
    pub tag_prefix: String,
    /// Output size at which [`Session::receive`] stops taking input.
    /// Default 1 MiB (commands are written whole).
    pub max_output_octets: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            limits: crate::Limits::default(),
            stream_threshold_octets: 65_536,
            use_nonsync_literals: true,
            tag_prefix: "A".to_owned(),
            max_output_octets: 1024 * 1024,
        }
    }
}

/// The connection state as the client sees it (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Waiting for the greeting.
    Greeting,
    /// Not Authenticated.
    NotAuthenticated,
    /// Authenticated.
    Authenticated,
    /// A mailbox is selected.
    Selected,
    /// Logged out, or the server said BYE.
    Logout,
}

/// The embedder's mistake, refused without a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// An APPEND stream, IDLE or STARTTLS handshake is in progress.
    #[error("the session is busy with an append, idle or tls handshake")]
    Busy,
    /// No IDLE to end, or no APPEND to feed.
    #[error("nothing of this kind in progress")]
    NotInProgress,
    /// The append data does not wait for `+` yet.
    #[error("append data not yet requested by the server")]
    NotReady,
    /// More (or fewer, at the end) octets than announced.
    #[error("append octets differ from the announced size")]
    Length,
    /// `tls_established` without a STARTTLS accepted.
    #[error("no tls handshake pending")]
    NoTlsPending,
    /// The session is closed.
    #[error("session closed")]
    Closed,
}

/// What the client session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The greeting: OK, PREAUTH or BYE.
    Greeting(StatusResponse),
    /// Untagged data belonging to the running command (LIST, SEARCH, FETCH
    /// results, …).
    Data(Data),
    /// An untagged mailbox update: EXISTS, RECENT, EXPUNGE, VANISHED, or a
    /// FETCH while no FETCH or STORE runs (flag changes by others).
    Update(Data),
    /// An untagged OK / NO / BAD (check for the ALERT code).
    Status(StatusResponse),
    /// The server is closing the connection.
    Bye(RespText),
    /// A command ended.
    Completed {
        /// Its tag.
        tag: Tag,
        /// The command's name (`"FETCH"`, `"UID STORE"`, …).
        command: &'static str,
        /// OK, NO or BAD.
        kind: StatusKind,
        /// Code and text.
        text: RespText,
    },
    /// STARTTLS was accepted: run the TLS handshake, then call
    /// [`Session::tls_established`].
    StartTls,
    /// The server accepted IDLE (`+`); updates follow as [`Event::Update`].
    IdleStarted,
    /// The server wants the APPEND message (or the session sent it as a
    /// non-synchronising literal): call [`Session::append_chunk`].
    AppendReady,
    /// A FETCH response whose literal streams: the items before it and the
    /// streamed item (its data `None`), with the literal's size.
    FetchStreamStart {
        /// The message sequence number.
        seq: std::num::NonZeroU32,
        /// Items that came before the streamed one, the streamed one last.
        items: Vec<FetchItem>,
        /// The literal's size in octets.
        length: u64,
    },
    /// A piece of the streamed literal.
    FetchChunk(Bytes),
    /// The rest of the streamed FETCH response.
    FetchStreamEnd {
        /// The message sequence number.
        seq: std::num::NonZeroU32,
        /// Items after the streamed one.
        items: Vec<FetchItem>,
    },
    /// A response that did not parse or did not fit; it was skipped.
    Error(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Login,
    Authenticate,
    StartTls,
    Select,
    Close,
    Logout,
    Idle,
    Append,
    FetchLike,
}

#[derive(Debug)]
struct InFlight {
    tag: Tag,
    name: &'static str,
    kind: Kind,
}

#[derive(Debug)]
enum Block {
    /// The front of `sending` waits for `+` before its literal.
    Literal,
    Sasl,
    Idle {
        started: bool,
    },
    Append {
        tag: Tag,
        remaining: u64,
        ready: bool,
    },
    Tls,
}

#[derive(Debug)]
struct Outgoing {
    tag: Tag,
    kind: Kind,
    fragments: VecDeque<Fragment>,
}

/// One IMAP client connection. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: Arc<Config>,
    state: State,
    rx: BytesMut,
    framer: Framer,
    parser: Parser,
    out: OutBuf,
    events: VecDeque<Event>,
    caps: Vec<Capability>,
    next_tag: u64,
    in_flight: Vec<InFlight>,
    sending: VecDeque<Outgoing>,
    block: Option<Block>,
    sasl: Option<SaslClient>,
    tls_pending: bool,
    streaming: Option<std::num::NonZeroU32>,
    closed: bool,
    last_activity: Instant,
}

fn command_name(b: &CommandBody) -> (&'static str, Kind) {
    match b {
        CommandBody::Login { .. } => ("LOGIN", Kind::Login),
        CommandBody::Authenticate { .. } => ("AUTHENTICATE", Kind::Authenticate),
        CommandBody::StartTls => ("STARTTLS", Kind::StartTls),
        CommandBody::Select { .. } => ("SELECT", Kind::Select),
        CommandBody::Examine { .. } => ("EXAMINE", Kind::Select),
        CommandBody::Close => ("CLOSE", Kind::Close),
        CommandBody::Unselect => ("UNSELECT", Kind::Close),
        CommandBody::Logout => ("LOGOUT", Kind::Logout),
        CommandBody::Idle => ("IDLE", Kind::Idle),
        CommandBody::Append { .. } => ("APPEND", Kind::Append),
        CommandBody::Fetch { uid: true, .. } => ("UID FETCH", Kind::FetchLike),
        CommandBody::Fetch { .. } => ("FETCH", Kind::FetchLike),
        CommandBody::Store { uid: true, .. } => ("UID STORE", Kind::FetchLike),
        CommandBody::Store { .. } => ("STORE", Kind::FetchLike),
        CommandBody::Capability => ("CAPABILITY", Kind::Plain),
        CommandBody::Noop => ("NOOP", Kind::Plain),
        CommandBody::Enable(_) => ("ENABLE", Kind::Plain),
        CommandBody::List { .. } => ("LIST", Kind::Plain),
        CommandBody::Status { .. } => ("STATUS", Kind::Plain),
        CommandBody::Search { .. } => ("SEARCH", Kind::Plain),
        CommandBody::Copy { .. } => ("COPY", Kind::Plain),
        CommandBody::Move { .. } => ("MOVE", Kind::Plain),
        CommandBody::Expunge | CommandBody::UidExpunge(_) => ("EXPUNGE", Kind::Plain),
        _ => ("command", Kind::Plain),
    }
}

impl Session {
    /// A new session, waiting for the server's greeting.
    pub fn new(config: Arc<Config>, now: Instant) -> Self {
        Self {
            framer: Framer::new(&config.limits, Role::Client),
            parser: Parser::new(ParseOptions::from_limits(&config.limits)),
            out: OutBuf::new(config.max_output_octets.max(1024)),
            state: State::Greeting,
            rx: BytesMut::new(),
            events: VecDeque::new(),
            caps: Vec::new(),
            next_tag: 0,
            in_flight: Vec::new(),
            sending: VecDeque::new(),
            block: None,
            sasl: None,
            tls_pending: false,
            streaming: None,
            closed: false,
            last_activity: now,
            config,
        }
    }

    /// Takes bytes from the server; returns how many were taken (0 while
    /// a TLS handshake is pending or the output is full).
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if self.closed {
            return bytes.len();
        }
        if self.tls_pending || self.out.is_full() {
            return 0;
        }
        let room = self
            .config
            .limits
            .max_message_octets
            .saturating_add(self.config.limits.max_line_octets)
            .saturating_sub(self.rx.len());
        let n = room.min(bytes.len());
        self.rx
            .extend_from_slice(bytes.get(..n).unwrap_or_default());
        self.last_activity = now;
        self.pump();
        n
    }

    /// The next event, if any.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The bytes to send to the server.
    pub fn outgoing(&self) -> &[u8] {
        self.out.as_slice()
    }

    /// Reports that the first `n` bytes of [`Session::outgoing`] were sent.
    pub fn sent(&mut self, n: usize) {
        self.out.sent(n);
    }

    /// The connection state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The server's capabilities as last announced (empty when unknown:
    /// send CAPABILITY).
    pub fn capabilities(&self) -> &[Capability] {
        &self.caps
    }

    /// Whether the server announced `cap`.
    pub fn has_capability(&self, cap: &Capability) -> bool {
        self.caps.contains(cap)
    }

    /// True once the server said BYE or LOGOUT completed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// When the connection last received data (for keep-alive decisions).
    pub fn last_activity(&self) -> Instant {
        self.last_activity
    }

    /// The adapter finished the TLS handshake after [`Event::StartTls`].
    /// The session asks for the capabilities again (RFC 9051 §6.2.1: the
    /// list from before TLS is not to be trusted); its tag is returned.
    pub fn tls_established(&mut self) -> Result<Tag, ClientError> {
        if !self.tls_pending {
            return Err(ClientError::NoTlsPending);
        }
        self.tls_pending = false;
        self.block = None;
        let tag = self.command(CommandBody::Capability)?;
        self.pump();
        Ok(tag)
    }

    fn new_tag(&mut self) -> Tag {
        self.next_tag += 1;
        let t = format!("{}{}", self.config.tag_prefix, self.next_tag);
        Tag::new(Bytes::from(t)).unwrap_or_else(|_| {
            Tag::new(Bytes::from(format!("A{}", self.next_tag)))
                .unwrap_or_else(|_| Tag::unvalidated(Bytes::from_static(b"A")))
        })
    }

    fn nonsync_ok(&self, len: usize) -> bool {
        self.config.use_nonsync_literals
            && (self.has_capability(&Capability::LiteralPlus)
                || (self.has_capability(&Capability::LiteralMinus) && len <= 4096))
    }

    /// Sends a command; returns its tag. Literals wait for `+` unless the
    /// server takes non-synchronising ones. Commands queue behind a pending
    /// continuation.
    pub fn command(&mut self, body: CommandBody) -> Result<Tag, ClientError> {
        if self.closed {
            return Err(ClientError::Closed);
        }
        if matches!(self.block, Some(Block::Append { .. } | Block::Tls)) {
            return Err(ClientError::Busy);
        }
        let tag = self.new_tag();
        let (name, kind) = command_name(&body);
        let cmd = Command {
            tag: tag.clone(),
            body,
        };
        let mut fragments: VecDeque<Fragment> = encode::command_fragments(&cmd).into();
        // Rewrite `{n}` to `{n+}` where the server allows it.
        let mut i = 0;
        while i + 1 < fragments.len() {
            let len = match fragments.get(i + 1) {
                Some(Fragment::Literal {
                    data,
                    mode: LiteralMode::Sync,
                }) => Some(data.len()),
                _ => None,
            };
            if len.is_some_and(|l| self.nonsync_ok(l)) {
                if let Some(Fragment::Line(line)) = fragments.get_mut(i)
                    && let Some(head) = line.strip_suffix(b"}\r\n")
                {
                    let mut v = head.to_vec();
                    v.extend_from_slice(b"+}\r\n");
                    *line = Bytes::from(v);
                }
                if let Some(Fragment::Literal { mode, .. }) = fragments.get_mut(i + 1) {
                    *mode = LiteralMode::NonSync;
                }
            }
            i += 1;
        }
        self.in_flight.push(InFlight {
            tag: tag.clone(),
            name,
            kind,
        });
        self.sending.push_back(Outgoing {
            tag: tag.clone(),
            kind,
            fragments,
        });
        self.flush_sending();
        Ok(tag)
    }

    /// `LOGIN user password`.
    pub fn login(&mut self, user: &str, password: &str) -> Result<Tag, ClientError> {
        let u = AString::try_from(user)
            .unwrap_or_else(|_| AString::Atom(AstringAtom::unvalidated(Bytes::new())));
        let p = AString::try_from(password)
            .unwrap_or_else(|_| AString::Atom(AstringAtom::unvalidated(Bytes::new())));
        self.command(CommandBody::Login {
            username: u,
            password: Secret::new(p),
        })
    }

    /// `AUTHENTICATE` with a SASL client; the initial response goes with
    /// the command when the server offers SASL-IR.
    pub fn authenticate(&mut self, mut client: SaslClient) -> Result<Tag, ClientError> {
        let mechanism = Atom::new(Bytes::from_static(client.mechanism().name().as_bytes()))
            .unwrap_or_else(|_| Atom::unvalidated(Bytes::from_static(b"PLAIN")));
        let initial = if self.has_capability(&Capability::SaslIr) {
            client
                .initial_response()
                .map(|ir| Bytes::from(wire::encode_initial_response(&ir)))
        } else {
            None
        };
        self.sasl = Some(client);
        self.command(CommandBody::Authenticate { mechanism, initial })
    }

    /// `STARTTLS`.
    pub fn starttls(&mut self) -> Result<Tag, ClientError> {
        self.command(CommandBody::StartTls)
    }

    /// `IDLE`: [`Event::IdleStarted`] once the server agrees.
    pub fn idle(&mut self) -> Result<Tag, ClientError> {
        self.command(CommandBody::Idle)
    }

    /// Ends IDLE (`DONE`).
    pub fn idle_done(&mut self) -> Result<(), ClientError> {
        match self.block {
            Some(Block::Idle { started: true }) => {
                self.out.extend(b"DONE\r\n");
                self.block = None;
                self.flush_sending();
                Ok(())
            }
            _ => Err(ClientError::NotInProgress),
        }
    }

    /// Starts an APPEND whose message (`size` octets) the caller streams
    /// with [`Session::append_chunk`] after [`Event::AppendReady`], then
    /// ends with [`Session::append_end`].
    pub fn append_start(
        &mut self,
        mailbox: &Mailbox,
        flags: Option<&[Flag]>,
        date: Option<&DateTime>,
        size: u64,
    ) -> Result<Tag, ClientError> {
        if self.closed {
            return Err(ClientError::Closed);
        }
        if self.block.is_some() || !self.sending.is_empty() {
            return Err(ClientError::Busy);
        }
        let tag = self.new_tag();
        let nonsync = usize::try_from(size).is_ok_and(|s| self.nonsync_ok(s));
        let mode = if nonsync {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        };
        let head = AppendPrefix {
            tag: &tag,
            mailbox,
            flags,
            date,
            length: size,
            mode,
            binary: false,
        };
        encode::append_prefix(&head, self.out.buf_mut());
        self.in_flight.push(InFlight {
            tag: tag.clone(),
            name: "APPEND",
            kind: Kind::Append,
        });
        self.block = Some(Block::Append {
            tag: tag.clone(),
            remaining: size,
            ready: nonsync,
        });
        if nonsync {
            self.events.push_back(Event::AppendReady);
        }
        Ok(tag)
    }

    /// A piece of the APPEND message.
    pub fn append_chunk(&mut self, chunk: &[u8]) -> Result<(), ClientError> {
        match &mut self.block {
            Some(Block::Append {
                remaining, ready, ..
            }) => {
                if !*ready {
                    return Err(ClientError::NotReady);
                }
                let n = chunk.len() as u64;
                if n > *remaining {
                    return Err(ClientError::Length);
                }
                *remaining -= n;
                self.out.extend(chunk);
                Ok(())
            }
            _ => Err(ClientError::NotInProgress),
        }
    }

    /// Ends the APPEND message (CRLF ends the command).
    pub fn append_end(&mut self) -> Result<(), ClientError> {
        match &self.block {
            Some(Block::Append {
                remaining: 0,
                ready: true,
                ..
            }) => {
                self.out.extend(b"\r\n");
                self.block = None;
                self.flush_sending();
                Ok(())
            }
            Some(Block::Append { .. }) => Err(ClientError::Length),
            _ => Err(ClientError::NotInProgress),
        }
    }

    fn flush_sending(&mut self) {
        while self.block.is_none() {
            let Some(front) = self.sending.front_mut() else {
                return;
            };
            match front.fragments.pop_front() {
                Some(Fragment::Line(l)) => self.out.extend(&l),
                Some(Fragment::Literal {
                    data,
                    mode: LiteralMode::NonSync,
                }) => self.out.extend(&data),
                Some(f @ Fragment::Literal { .. }) => {
                    front.fragments.push_front(f);
                    self.block = Some(Block::Literal);
                }
                None => {
                    let done = self.sending.pop_front();
                    match done.map(|d| d.kind) {
                        Some(Kind::Authenticate) => self.block = Some(Block::Sasl),
                        Some(Kind::Idle) => self.block = Some(Block::Idle { started: false }),
                        Some(Kind::StartTls) => self.block = Some(Block::Tls),
                        _ => {}
                    }
                }
            }
        }
    }

    fn pump(&mut self) {
        while !self.closed && !self.tls_pending {
            let Some(frame) = self.framer.next(&mut self.rx) else {
                return;
            };
            match frame {
                Err(e) => self.events.push_back(Event::Error(e.to_string())),
                Ok(Frame::Message(m)) => self.message(&m),
                Ok(Frame::Literal(ann)) => {
                    let big =
                        ann.length > self.config.stream_threshold_octets || !ann.within_limits;
                    if big {
                        self.start_stream(ann.length);
                    }
                }
                Ok(Frame::LiteralChunk(b)) => self.events.push_back(Event::FetchChunk(b)),
                Ok(Frame::LiteralEnd) => {}
                Ok(Frame::Tail(t)) => self.end_stream(&t),
            }
        }
    }

    fn start_stream(&mut self, length: u64) {
        let head = Bytes::copy_from_slice(self.framer.pending(&self.rx));
        let parsed = head_as_fetch(&self.parser, &head);
        match parsed {
            Some((seq, items)) if self.framer.stream_literal(&mut self.rx).is_ok() => {
                self.streaming = Some(seq);
                self.events
                    .push_back(Event::FetchStreamStart { seq, items, length });
            }
            _ => {
                // Not a FETCH we can stream: the framer refuses it if too big.
            }
        }
    }

    fn end_stream(&mut self, tail: &Bytes) {
        let Some(seq) = self.streaming.take() else {
            return;
        };
        let rest = tail.strip_prefix(b" ").unwrap_or(tail);
        let items = if rest == b")\r\n" {
            Vec::new()
        } else {
            let mut m = BytesMut::from(format!("* {seq} FETCH (").as_bytes());
            m.extend_from_slice(rest);
            match self.parser.response(&m.freeze()) {
                Ok(Response::Data(Data::Fetch { items, .. })) => items,
                Ok(_) => Vec::new(),
                Err(e) => {
                    self.events.push_back(Event::Error(e.to_string()));
                    Vec::new()
                }
            }
        };
        self.events.push_back(Event::FetchStreamEnd { seq, items });
    }

    fn message(&mut self, m: &Bytes) {
        let resp = match self.parser.response(m) {
            Ok(r) => r,
            Err(e) => return self.parse_error(&e),
        };
        match resp {
            Response::Continue(t) => self.continuation(&t),
            Response::Status(st) => self.status(st),
            Response::Data(d) => self.data(d),
        }
    }

    fn parse_error(&mut self, e: &ParseError) {
        self.events.push_back(Event::Error(e.to_string()));
    }

    fn continuation(&mut self, t: &RespText) {
        match self.block.take() {
            Some(Block::Literal) => {
                if let Some(front) = self.sending.front_mut()
                    && let Some(Fragment::Literal { data, .. }) = front.fragments.pop_front()
                {
                    self.out.extend(&data);
                }
                self.flush_sending();
            }
            Some(Block::Sasl) => {
                let challenge = wire::decode_challenge(t.text.as_bytes());
                let resp = match (&mut self.sasl, challenge) {
                    (Some(c), Ok(ch)) => c.step(&ch).ok(),
                    _ => None,
                };
                match resp {
                    Some(r) => {
                        self.out.extend(wire::encode_response(&r).as_bytes());
                        self.out.extend(b"\r\n");
                    }
                    None => self.out.extend(b"*\r\n"),
                }
                self.block = Some(Block::Sasl);
            }
            Some(Block::Idle { .. }) => {
                self.block = Some(Block::Idle { started: true });
                self.events.push_back(Event::IdleStarted);
            }
            Some(Block::Append { tag, remaining, .. }) => {
                self.block = Some(Block::Append {
                    tag,
                    remaining,
                    ready: true,
                });
                self.events.push_back(Event::AppendReady);
            }
            other => {
                self.block = other;
                self.events
                    .push_back(Event::Error("unexpected continuation request".to_owned()));
            }
        }
    }

    fn take_caps(&mut self, code: &Option<Code>) -> bool {
        if let Some(Code::Capability(c)) = code {
            self.caps.clone_from(c);
            true
        } else {
            false
        }
    }

    fn status(&mut self, st: StatusResponse) {
        let Some(tag) = st.tag.clone() else {
            self.take_caps(&st.text.code);
            if self.state == State::Greeting {
                self.state = match st.kind {
                    StatusKind::PreAuth => State::Authenticated,
                    StatusKind::Bye => State::Logout,
                    _ => State::NotAuthenticated,
                };
                if st.kind == StatusKind::Bye {
                    self.closed = true;
                }
                self.events.push_back(Event::Greeting(st));
                return;
            }
            if st.kind == StatusKind::Bye {
                self.state = State::Logout;
                self.events.push_back(Event::Bye(st.text));
            } else {
                self.events.push_back(Event::Status(st));
            }
            return;
        };
        let Some(pos) = self.in_flight.iter().position(|c| c.tag == tag) else {
            self.events
                .push_back(Event::Error("completion for an unknown tag".to_owned()));
            return;
        };
        let cmd = self.in_flight.remove(pos);
        let ok = st.kind == StatusKind::Ok;
        // A command refused before its literal was sent: drop the rest.
        if self.sending.front().is_some_and(|o| o.tag == tag) {
            self.sending.pop_front();
            if matches!(self.block, Some(Block::Literal)) {
                self.block = None;
            }
        }
        match cmd.kind {
            Kind::Login | Kind::Authenticate => {
                if cmd.kind == Kind::Authenticate {
                    if matches!(self.block, Some(Block::Sasl)) {
                        self.block = None;
                    }
                    if let Some(mut c) = self.sasl.take()
                        && ok
                        && c.finish(None).is_err()
                    {
                        self.events.push_back(Event::Error(
                            "server not verified by the sasl exchange".to_owned(),
                        ));
                    }
                }
                if ok {
                    self.state = State::Authenticated;
                    if !self.take_caps(&st.text.code) {
                        self.caps.clear();
                    }
                }
            }
            Kind::StartTls => {
                if ok {
                    self.caps.clear();
                    self.tls_pending = true;
                    self.block = Some(Block::Tls);
                    self.rx.clear();
                    self.framer = Framer::new(&self.config.limits, Role::Client);
                    self.events.push_back(Event::StartTls);
                } else if matches!(self.block, Some(Block::Tls)) {
                    self.block = None;
                }
            }
            Kind::Select => {
                self.state = if ok {
                    State::Selected
                } else {
                    State::Authenticated
                };
            }
            Kind::Close if ok => self.state = State::Authenticated,
            Kind::Logout => {
                self.state = State::Logout;
                self.closed = true;
            }
            Kind::Idle => {
                if matches!(self.block, Some(Block::Idle { .. })) {
                    self.block = None;
                }
            }
            Kind::Append => {
                if let Some(Block::Append { tag: t, .. }) = &self.block
                    && *t == tag
                {
                    self.block = None;
                }
            }
            Kind::Close | Kind::Plain | Kind::FetchLike => {
                self.take_caps(&st.text.code);
            }
        }
        self.events.push_back(Event::Completed {
            tag,
            command: cmd.name,
            kind: st.kind,
            text: st.text,
        });
        self.flush_sending();
    }

    fn data(&mut self, d: Data) {
        match &d {
            Data::Capability(c) => self.caps.clone_from(c),
            Data::Exists(_) | Data::Recent(_) | Data::Expunge(_) => {
                return self.events.push_back(Event::Update(d));
            }
            Data::Vanished { earlier: false, .. } => {
                return self.events.push_back(Event::Update(d));
            }
            Data::Fetch { .. } => {
                let fetch_running = self.in_flight.iter().any(|c| c.kind == Kind::FetchLike);
                if !fetch_running {
                    return self.events.push_back(Event::Update(d));
                }
            }
            _ => {}
        }
        self.events.push_back(Event::Data(d));
    }
}

/// Parses `* n FETCH (... ITEM {len}\r\n` as a FETCH whose last item's data
/// is `NIL`.
fn head_as_fetch(parser: &Parser, head: &[u8]) -> Option<(std::num::NonZeroU32, Vec<FetchItem>)> {
    if !head.starts_with(b"* ") {
        return None;
    }
    let brace = memchr::memrchr(b'{', head)?;
    let cut = if brace > 0 && head.get(brace - 1) == Some(&b'~') {
        brace - 1
    } else {
        brace
    };
    let mut m = BytesMut::from(head.get(..cut)?);
    m.extend_from_slice(b"NIL)\r\n");
    match parser.response(&m.freeze()) {
        Ok(Response::Data(Data::Fetch { seq, items })) => Some((seq, items)),
        _ => None,
    }
}
