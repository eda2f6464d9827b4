//! The POP3 server session (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856).
//!
//! A [`Session`] is a state machine: bytes in ([`Session::receive`]),
//! events out ([`Session::next_event`]), decisions in (the methods that
//! consume a [`Ticket`]), bytes out ([`Session::outgoing`] /
//! [`Session::sent`]). It never touches a socket, a clock or a random
//! number generator.
//!
//! # States (RFC 1939 §3)
//!
//! - **AUTHORIZATION**: `USER`/`PASS`, `APOP`, `AUTH`, `CAPA`, `STLS`,
//!   `UTF8`, `QUIT`. A login is decided by the application
//!   ([`Event::Login`]): it answers with a [`Maildrop`] snapshot
//!   ([`Session::accept_login`]) or a refusal ([`Session::reject`]).
//! - **TRANSACTION**: `STAT`, `LIST`, `RETR`, `DELE`, `NOOP`, `RSET`, `TOP`,
//!   `UIDL`, `CAPA`, `QUIT`. Message numbers are checked against the
//!   snapshot; `DELE` only marks. `RETR`/`TOP` ask the application for the
//!   message ([`Event::Retrieve`]), which it feeds in chunks.
//! - **UPDATE**: only `QUIT` in TRANSACTION gets there. The session emits
//!   one [`Event::Update`] listing the messages to remove; the application
//!   commits and answers `+OK` ([`Session::accept_update`]) or
//!   `-ERR [SYS/TEMP]` ([`Session::reject`]). A dropped connection, a
//!   timeout or a fatal error never enters UPDATE: nothing is deleted.
//!
//! # Streaming and back-pressure
//!
//! While [`Session::outgoing`] holds `max_output_octets` or more,
//! [`Session::receive`] takes nothing. A message body is fed with
//! [`Session::send_body`] one chunk at a time, only when
//! [`Session::body_demand`] says [`BodyDemand::Ready`]; the session
//! dot-stuffs it into the output as room allows, so it never holds more
//! than one chunk of a message.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use thiserror::Error;
use yubin_sasl::server::{Answer, Authenticator, FailureKind, Step, Verify};
use yubin_sasl::{Mechanism, Nonce, Secret, wire};
use yubin_wire::dot::Stuffer;
use yubin_wire::{Line, LineFramer, OutBuf};

use crate::apop::{Digest, Timestamp};
use crate::encode;
use crate::parse::{ParseError, parse_command};
use crate::types::{
    Capability, Command, Expire, InitialResponse, MsgNum, Reply, RespCode, Status, valid_uid,
};

/// Sizes, counts and times the peer can influence, with safe defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line, CRLF included, in octets. Default 255, the
    /// length RFC 2449 §4 requires servers to accept. Memory: the receive
    /// buffer holds at most `max_input_octets` regardless.
    pub max_command_octets: usize,
    /// Longest SASL response line during `AUTH`, CRLF included, in octets.
    /// Default 22 000: the base64 of yubin-sasl's 16 384-octet message limit
    /// (RFC 5034 §4 lets these lines exceed 255 octets). Must not exceed
    /// `max_input_octets`.
    pub max_auth_line_octets: usize,
    /// Receive buffer size in octets: pipelined input beyond it is not
    /// taken ([`Session::receive`] returns less). Default 32 768 (bounds the
    /// memory held for unread pipelined commands).
    pub max_input_octets: usize,
    /// Output buffer size in octets at which the session stops taking input
    /// and stops writing body bytes. Default 65 536. Worst case: twice this
    /// (dot-stuffing a piece can add a dot per line) plus one status line.
    pub max_output_octets: usize,
    /// Failed logins (PASS, APOP, AUTH) before the session answers
    /// `-ERR [AUTH]` and closes. Default 3, common server practice
    /// (Dovecot and Cyrus disconnect after a few failures).
    pub max_failed_logins: u32,
    /// Unknown, malformed or out-of-state commands before the session
    /// closes. Default 10. No memory depends on it.
    pub max_bad_commands: u32,
    /// Idle time before autologout. Default 10 minutes, the least RFC 1939
    /// §3 allows; the session reports it through [`Session::deadline`].
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_command_octets: 255,
            max_auth_line_octets: 22_000,
            max_input_octets: 32_768,
            max_output_octets: 65_536,
            max_failed_logins: 3,
            max_bad_commands: 10,
            idle: Duration::from_secs(600),
        }
    }
}

/// How the connection is protected by TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tls {
    /// No TLS at all: `STLS` is not offered.
    None,
    /// Plaintext first; `STLS` (RFC 2595 §4) is offered.
    Stls,
    /// TLS from the first byte (port 995, RFC 8314).
    Implicit,
}

/// The server's settings, shared by its sessions through an `Arc`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Limits on what the peer can make the session hold or do.
    pub limits: Limits,
    /// Greeting text after `+OK` (the APOP timestamp is appended).
    /// Default `"POP3 server ready"`.
    pub greeting: String,
    /// Text of the `+OK` answering `QUIT`. Default `"POP3 server signing off"`.
    pub farewell: String,
    /// The host name for SASL CRAM-MD5 challenges.
    pub hostname: String,
    /// `IMPLEMENTATION` capability text; `None` leaves it out.
    pub implementation: Option<String>,
    /// TLS mode of this listener.
    pub tls: Tls,
    /// Allow `USER`/`PASS`. Default true (still refused before TLS unless
    /// `danger_allow_plaintext_auth`).
    pub allow_user_pass: bool,
    /// Allow APOP (RFC 1939 §7). Default false: MD5-based and weak
    /// (CVE-2007-1558); see [`crate::apop`].
    pub enable_apop: bool,
    /// SASL mechanisms offered by `AUTH` (RFC 5034). Default: every
    /// mechanism of yubin-sasl. Plaintext ones (`PLAIN`, `LOGIN`, bearer
    /// tokens) are offered only under TLS unless
    /// `danger_allow_plaintext_auth`.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Limits of the SASL exchanges.
    pub sasl_limits: yubin_sasl::Limits,
    /// Allow passwords in the clear before TLS (USER/PASS, AUTH PLAIN and
    /// friends). Default false (RFC 5034 §4, RFC 2595 §2.2).
    pub danger_allow_plaintext_auth: bool,
    /// Offer the `UTF8` command (RFC 6856). Default true.
    pub enable_utf8: bool,
    /// `EXPIRE` capability; `None` leaves it out.
    pub expire: Option<Expire>,
    /// `LOGIN-DELAY` capability in seconds; `None` leaves it out. The
    /// application enforces it by refusing logins with `[LOGIN-DELAY]`.
    pub login_delay: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            greeting: "POP3 server ready".to_owned(),
            farewell: "POP3 server signing off".to_owned(),
            hostname: "localhost".to_owned(),
            implementation: None,
            tls: Tls::None,
            allow_user_pass: true,
            enable_apop: false,
            sasl_mechanisms: Mechanism::ALL.to_vec(),
            sasl_limits: yubin_sasl::Limits::DEFAULT,
            danger_allow_plaintext_auth: false,
            enable_utf8: true,
            expire: None,
            login_delay: None,
        }
    }
}

/// A configuration mistake found by [`Config::check`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `max_command_octets` is below RFC 2449's 255 octets.
    #[error("max_command_octets below 255 (rfc 2449 section 4)")]
    CommandLineTooShort,
    /// The receive buffer cannot hold one SASL line.
    #[error("max_input_octets smaller than max_auth_line_octets")]
    InputSmallerThanAuthLine,
    /// The output buffer cannot hold one status line (512 octets).
    #[error("max_output_octets below 512")]
    OutputTooSmall,
    /// `idle` is below RFC 1939 §3's ten minutes.
    #[error("idle below 10 minutes (rfc 1939 section 3)")]
    IdleTooShort,
}

impl Config {
    /// Checks the cross-limit rules. A session built from a config that
    /// fails them still works, with each value raised to its minimum.
    pub fn check(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        if l.max_command_octets < 255 {
            return Err(ConfigError::CommandLineTooShort);
        }
        if l.max_input_octets < l.max_auth_line_octets {
            return Err(ConfigError::InputSmallerThanAuthLine);
        }
        if l.max_output_octets < 512 {
            return Err(ConfigError::OutputTooSmall);
        }
        if l.idle < Duration::from_secs(600) {
            return Err(ConfigError::IdleTooShort);
        }
        Ok(())
    }
}

/// The application's snapshot of a maildrop, taken at login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maildrop {
    messages: Vec<(u64, String)>,
}

/// Why a [`Maildrop`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MaildropError {
    /// A unique id is not 1-70 characters of 0x21-0x7E (RFC 1939 §7).
    #[error("invalid unique id for message {0}")]
    BadUid(usize),
    /// More messages than a message number can count.
    #[error("too many messages")]
    TooManyMessages,
}

impl Maildrop {
    /// A snapshot from `(size in octets, unique id)` per message, in
    /// message-number order.
    pub fn new(messages: Vec<(u64, String)>) -> Result<Self, MaildropError> {
        if u32::try_from(messages.len()).is_err() {
            return Err(MaildropError::TooManyMessages);
        }
        if let Some(i) = messages.iter().position(|(_, uid)| !valid_uid(uid)) {
            return Err(MaildropError::BadUid(i + 1));
        }
        Ok(Self { messages })
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// True when the maildrop holds no message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Total size in octets.
    pub fn octets(&self) -> u64 {
        self.messages.iter().map(|(o, _)| *o).sum()
    }
}

/// What a login presented. The application checks it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// `USER`/`PASS`: check the password.
    Password(Secret<String>),
    /// `APOP`: check with [`crate::apop::verify`] against the user's secret.
    Apop {
        /// The timestamp of this session's greeting.
        timestamp: Timestamp,
        /// The digest the client sent.
        digest: Digest,
    },
    /// `AUTH`: the SASL exchange already verified the credentials (the
    /// application answered [`Event::SaslVerify`]); only the maildrop is
    /// left to open.
    Sasl {
        /// The mechanism used.
        mechanism: Mechanism,
    },
}

/// A decision the application owes the session. Not `Clone`; consumed by
/// the method that answers it. A ticket from another session, or of
/// another kind than the method expects, is refused with an `Err`.
#[derive(Debug)]
#[must_use = "the session waits until the ticket is answered"]
pub struct Ticket {
    owner: Arc<()>,
    serial: u64,
}

/// An active message body transfer, from [`Session::start_body`].
#[derive(Debug)]
#[must_use = "finish the body with Session::finish_body or abort it"]
pub struct Retrieval {
    owner: Arc<()>,
    serial: u64,
}

/// What the body transfer needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyDemand {
    /// Call [`Session::send_body`] with the next chunk (or
    /// [`Session::finish_body`] at the end of the message).
    Ready,
    /// The previous chunk is still being written: flush the output
    /// ([`Session::sent`]) first.
    Wait,
    /// `TOP` has all the lines it needs: call [`Session::finish_body`].
    Done,
}

/// Why the session closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client sent `QUIT`.
    Quit,
    /// The idle limit passed (autologout; nothing deleted).
    Timeout,
    /// Too many bad commands.
    TooManyBadCommands,
    /// Too many failed logins.
    TooManyFailedLogins,
    /// The application aborted a message transfer.
    BodyAborted,
    /// The server shut down ([`Session::shutdown`]; nothing deleted).
    Shutdown,
}

/// A protocol error the session answered itself; reported for logging.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A command line longer than the limit.
    #[error("command line too long")]
    LineTooLong,
    /// A line that does not parse.
    #[error("bad command: {0}")]
    Parse(#[from] ParseError),
    /// A valid command in a state that does not allow it.
    #[error("{0} not allowed in this state")]
    WrongState(&'static str),
    /// A message number beyond the maildrop.
    #[error("no such message")]
    NoSuchMessage,
    /// A message already marked deleted.
    #[error("message already deleted")]
    MessageDeleted,
    /// A plaintext login before TLS.
    #[error("plaintext authentication refused before tls")]
    PlaintextRefused,
    /// A SASL exchange failed or was cancelled.
    #[error("sasl exchange failed")]
    SaslFailed,
    /// An unsupported SASL mechanism, or APOP while disabled.
    #[error("authentication method not available")]
    MethodUnavailable,
    /// A user name with UTF-8 before the `UTF8` command.
    #[error("utf-8 user name before UTF8")]
    Utf8NotEnabled,
}

/// The embedder's mistake, refused without a panic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The ticket belongs to another session, was already answered, or is
    /// not of the kind this method answers.
    #[error("ticket not pending in this session or of another kind")]
    WrongTicket,
    /// `send_body` while the previous chunk is still being written.
    #[error("previous body chunk still pending")]
    BodyBusy,
    /// The maildrop snapshot is invalid.
    #[error("invalid maildrop: {0}")]
    Maildrop(#[from] MaildropError),
    /// `tls_established` without a pending STLS.
    #[error("no tls handshake pending")]
    NoTlsPending,
}

/// What the session reports to the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// `USER name`: answer [`Session::accept_user`] (`+OK`, wait for
    /// `PASS`) or [`Session::reject`] (`-ERR`, e.g. no such mailbox).
    User {
        /// The decision owed.
        ticket: Ticket,
        /// The name given.
        user: String,
    },
    /// A login to check: answer [`Session::accept_login`] with the
    /// maildrop, or [`Session::reject`] with `-ERR [AUTH]`, `[IN-USE]`,
    /// `[LOGIN-DELAY]` or `[SYS/TEMP]`.
    Login {
        /// The decision owed.
        ticket: Ticket,
        /// The user (for SASL: the authorization identity, else the
        /// authentication identity).
        user: String,
        /// What to check.
        credentials: Credentials,
    },
    /// A SASL step needs the credential store: answer
    /// [`Session::answer_sasl`].
    SaslVerify {
        /// The decision owed.
        ticket: Ticket,
        /// What to check (see yubin-sasl).
        verify: Verify,
    },
    /// `RETR` or `TOP`: answer [`Session::start_body`] and feed the message,
    /// or [`Session::reject`] (e.g. `-ERR [SYS/TEMP]`).
    Retrieve {
        /// The decision owed.
        ticket: Ticket,
        /// The message number.
        msg: MsgNum,
        /// Its unique id from the snapshot.
        uid: String,
        /// `Some(n)` for `TOP msg n`: the session sends the header, the
        /// blank line and `n` body lines, however the chunks are cut.
        top: Option<u32>,
    },
    /// `QUIT` in TRANSACTION: remove these messages, then answer
    /// [`Session::accept_update`] or [`Session::reject`]
    /// (`-ERR [SYS/TEMP]`). The list may be empty.
    Update {
        /// The decision owed.
        ticket: Ticket,
        /// The messages marked deleted, ascending.
        deleted: Vec<MsgNum>,
    },
    /// `STLS` accepted: the go-ahead is queued and pipelined input
    /// discarded. Flush the output, run the TLS handshake, then call
    /// [`Session::tls_established`].
    StartTls,
    /// The session answered a protocol error itself (for logging).
    Error(ProtocolError),
    /// The session closed; the farewell is in the output. Yielded once.
    Closed(CloseReason),
}

#[derive(Debug)]
struct Txn {
    user: String,
    drop: Maildrop,
    deleted: Vec<bool>,
}

impl Txn {
    fn live(&self) -> (usize, u64) {
        self.drop
            .messages
            .iter()
            .zip(&self.deleted)
            .filter(|(_, d)| !**d)
            .fold((0, 0), |(n, o), ((s, _), _)| (n + 1, o + s))
    }
}

#[derive(Debug)]
enum State {
    Authorization { user: Option<String> },
    Sasl(Box<Authenticator>),
    Transaction(Txn),
    Closed,
}

#[derive(Debug)]
enum Pending {
    User(String),
    Login(String),
    SaslVerify(Box<Authenticator>),
    Retrieve { index: usize, top: Option<u32> },
    Update,
}

#[derive(Debug, Clone, Copy)]
enum Listing {
    List(usize),
    Uidl(usize),
}

#[derive(Debug)]
struct BodyOut {
    serial: u64,
    stuffer: Stuffer,
    chunk: Bytes,
    finishing: bool,
    top: Option<TopFilter>,
}

/// Counts `TOP n m` lines across chunk boundaries.
#[derive(Debug)]
struct TopFilter {
    remaining: u32,
    in_header: bool,
    line_octets: usize,
    last_cr: bool,
    done: bool,
}

impl TopFilter {
    fn new(lines: u32) -> Self {
        Self {
            remaining: lines,
            in_header: true,
            line_octets: 0,
            last_cr: false,
            done: false,
        }
    }

    /// How many octets of `chunk` belong to the output.
    fn take(&mut self, chunk: &[u8]) -> usize {
        if self.done {
            return 0;
        }
        let mut start = 0;
        for lf in memchr::memchr_iter(b'\n', chunk) {
            if lf > start {
                self.line_octets += lf - start;
                self.last_cr = chunk.get(lf - 1) == Some(&b'\r');
            }
            let empty = self.line_octets == 0 || (self.line_octets == 1 && self.last_cr);
            self.line_octets = 0;
            self.last_cr = false;
            start = lf + 1;
            if self.in_header {
                if empty {
                    self.in_header = false;
                    if self.remaining == 0 {
                        self.done = true;
                        return start;
                    }
                }
            } else {
                self.remaining = self.remaining.saturating_sub(1);
                if self.remaining == 0 {
                    self.done = true;
                    return start;
                }
            }
        }
        if chunk.len() > start {
            self.line_octets += chunk.len() - start;
            self.last_cr = chunk.last() == Some(&b'\r');
        }
        chunk.len()
    }
}

/// Room kept free for one status or list line before the session writes more.
const LINE_ROOM: usize = 600;

/// One POP3 server connection. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: Arc<Config>,
    owner: Arc<()>,
    serial: u64,
    state: State,
    rx: BytesMut,
    framer: LineFramer,
    out: OutBuf,
    events: VecDeque<Event>,
    pending: Option<(u64, Pending)>,
    listing: Option<Listing>,
    body: Option<BodyOut>,
    tls_active: bool,
    tls_pending: bool,
    utf8: bool,
    apop: Option<Timestamp>,
    sasl_entropy: [u8; Nonce::ENTROPY_OCTETS],
    sasl_attempts: u32,
    failed_logins: u32,
    bad_commands: u32,
    last_activity: Instant,
    closed: bool,
    close_reason: Option<CloseReason>,
    max_input: usize,
}

impl Session {
    /// A new session; the greeting is queued.
    ///
    /// `sasl_entropy` seeds the CRAM-MD5 challenges and SCRAM nonces of
    /// this session (fresh random bytes from the caller). `apop` is this
    /// greeting's timestamp (see [`Timestamp::new`]); APOP is offered only
    /// when [`Config::enable_apop`] is set and a timestamp is given.
    pub fn new(
        config: Arc<Config>,
        now: Instant,
        sasl_entropy: [u8; Nonce::ENTROPY_OCTETS],
        apop: Option<Timestamp>,
    ) -> Self {
        let l = &config.limits;
        let max_cmd = l.max_command_octets.max(255);
        let max_input = l.max_input_octets.max(l.max_auth_line_octets).max(max_cmd);
        let apop = apop.filter(|_| config.enable_apop);
        let mut s = Self {
            owner: Arc::new(()),
            serial: 0,
            state: State::Authorization { user: None },
            rx: BytesMut::new(),
            framer: LineFramer::new(max_cmd),
            out: OutBuf::new(l.max_output_octets.max(512)),
            events: VecDeque::new(),
            pending: None,
            listing: None,
            body: None,
            tls_active: config.tls == Tls::Implicit,
            tls_pending: false,
            utf8: false,
            apop,
            sasl_entropy,
            sasl_attempts: 0,
            failed_logins: 0,
            bad_commands: 0,
            last_activity: now,
            closed: false,
            close_reason: None,
            max_input,
            config,
        };
        let mut text = s.config.greeting.clone();
        if let Some(ts) = &s.apop {
            text.push(' ');
            text.push_str(ts.as_str());
        }
        s.reply(&Reply::ok(text));
        s
    }

    /// Takes bytes from the peer; returns how many were taken. Takes
    /// nothing while the output is full, while a STLS handshake is pending,
    /// or while the receive buffer is full (pipelined commands wait until
    /// earlier ones are answered). After the session closed, input is
    /// taken and ignored.
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if self.closed {
            return bytes.len();
        }
        if self.tls_pending || self.out.is_full() {
            return 0;
        }
        let room = self.max_input.saturating_sub(self.rx.len());
        let n = room.min(bytes.len());
        if n > 0 {
            self.rx
                .extend_from_slice(bytes.get(..n).unwrap_or_default());
            self.last_activity = now;
        }
        self.pump();
        n
    }

    /// The next event, if any.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The bytes to send to the peer.
    pub fn outgoing(&self) -> &[u8] {
        self.out.as_slice()
    }

    /// Reports that the first `n` bytes of [`Session::outgoing`] were sent.
    pub fn sent(&mut self, n: usize) {
        self.out.sent(n);
        self.pump();
    }

    /// When to call [`Session::timeout`] (autologout), unless input comes
    /// first. `None` once closed.
    pub fn deadline(&self) -> Option<Instant> {
        (!self.closed).then(|| self.last_activity + self.config.limits.idle)
    }

    /// Autologout (RFC 1939 §3) if the deadline has passed: queues
    /// `-ERR`, closes, deletes nothing.
    pub fn timeout(&mut self, now: Instant) {
        if self.closed || self.deadline().is_some_and(|d| now < d) {
            return;
        }
        self.body = None;
        self.listing = None;
        self.reply(&Reply::err("autologout: idle for too long"));
        self.close(CloseReason::Timeout);
    }

    /// The server is stopping: queues `-ERR [SYS/TEMP]` and closes without
    /// entering UPDATE, so nothing marked deleted is removed (RFC 1939 §6:
    /// only `QUIT` in TRANSACTION deletes). A body being sent is cut off.
    pub fn shutdown(&mut self) {
        if self.closed {
            return;
        }
        self.body = None;
        self.listing = None;
        self.reply(&Reply::err_code(
            RespCode::known(RespCode::SYS_TEMP),
            "server shutting down, nothing was deleted",
        ));
        self.close(CloseReason::Shutdown);
    }

    /// True once the farewell is queued; flush the output, then close.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// True while TLS protects the connection.
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// True once the client enabled UTF-8 mode (RFC 6856 `UTF8`): the
    /// application must then send message content unchanged as UTF-8.
    pub fn utf8_enabled(&self) -> bool {
        self.utf8
    }

    /// The logged-in user, in TRANSACTION.
    pub fn user(&self) -> Option<&str> {
        match &self.state {
            State::Transaction(t) => Some(&t.user),
            State::Authorization { .. } | State::Sasl(_) | State::Closed => None,
        }
    }

    /// The adapter finished the TLS handshake after [`Event::StartTls`].
    pub fn tls_established(&mut self) -> Result<(), SessionError> {
        if !self.tls_pending {
            return Err(SessionError::NoTlsPending);
        }
        self.tls_pending = false;
        self.tls_active = true;
        self.pump();
        Ok(())
    }

    fn take_ticket(&mut self, ticket: &Ticket) -> Result<Pending, SessionError> {
        if !Arc::ptr_eq(&ticket.owner, &self.owner) {
            return Err(SessionError::WrongTicket);
        }
        match self.pending.take() {
            Some((serial, p)) if serial == ticket.serial => Ok(p),
            other => {
                self.pending = other;
                Err(SessionError::WrongTicket)
            }
        }
    }

    fn put_back(&mut self, ticket: &Ticket, p: Pending) {
        self.pending = Some((ticket.serial, p));
    }

    /// Accepts `USER`: `+OK`, with `text` or a default.
    pub fn accept_user(&mut self, ticket: Ticket, text: Option<&str>) -> Result<(), SessionError> {
        match self.take_ticket(&ticket)? {
            Pending::User(name) => {
                if let State::Authorization { user } = &mut self.state {
                    *user = Some(name);
                }
                self.reply(&Reply::ok(text.unwrap_or("send PASS")));
                self.pump();
                Ok(())
            }
            other => {
                self.put_back(&ticket, other);
                Err(SessionError::WrongTicket)
            }
        }
    }

    /// Accepts a login ([`Event::Login`]): the session enters TRANSACTION
    /// with this snapshot. `text` replaces the default
    /// `user's maildrop has N messages (M octets)`.
    pub fn accept_login(
        &mut self,
        ticket: Ticket,
        maildrop: Maildrop,
        text: Option<&str>,
    ) -> Result<(), SessionError> {
        let user = match self.take_ticket(&ticket)? {
            Pending::Login(user) => user,
            other => {
                self.put_back(&ticket, other);
                return Err(SessionError::WrongTicket);
            }
        };
        let text = match text {
            Some(t) => t.to_owned(),
            None => format!(
                "{user}'s maildrop has {}",
                count_text(maildrop.len(), maildrop.octets())
            ),
        };
        let n = maildrop.len();
        self.state = State::Transaction(Txn {
            user,
            drop: maildrop,
            deleted: vec![false; n],
        });
        self.reply(&Reply::ok(text));
        self.pump();
        Ok(())
    }

    /// Answers a [`Event::SaslVerify`].
    pub fn answer_sasl(&mut self, ticket: Ticket, answer: Answer) -> Result<(), SessionError> {
        match self.take_ticket(&ticket)? {
            Pending::SaslVerify(mut auth) => {
                let step = auth.answer(answer);
                self.sasl_step(auth, step);
                self.pump();
                Ok(())
            }
            other => {
                self.put_back(&ticket, other);
                Err(SessionError::WrongTicket)
            }
        }
    }

    /// Starts sending a message for [`Event::Retrieve`]: queues `+OK` and
    /// returns the transfer handle. Feed the message with
    /// [`Session::send_body`] and end it with [`Session::finish_body`].
    pub fn start_body(&mut self, ticket: Ticket) -> Result<Retrieval, SessionError> {
        let (index, top) = match self.take_ticket(&ticket)? {
            Pending::Retrieve { index, top } => (index, top),
            other => {
                self.put_back(&ticket, other);
                return Err(SessionError::WrongTicket);
            }
        };
        let reply = match (&self.state, top) {
            (State::Transaction(t), None) => {
                let octets = t.drop.messages.get(index).map_or(0, |(o, _)| *o);
                Reply::ok(format!("{octets} octets"))
            }
            _ => Reply::ok(""),
        };
        self.reply(&reply);
        self.body = Some(BodyOut {
            serial: ticket.serial,
            stuffer: Stuffer::new(),
            chunk: Bytes::new(),
            finishing: false,
            top: top.map(TopFilter::new),
        });
        Ok(Retrieval {
            owner: ticket.owner,
            serial: ticket.serial,
        })
    }

    /// What the active body transfer needs; `None` when there is none.
    pub fn body_demand(&self) -> Option<BodyDemand> {
        let b = self.body.as_ref()?;
        Some(if b.top.as_ref().is_some_and(|t| t.done) {
            BodyDemand::Done
        } else if !b.chunk.is_empty() || self.out.is_full() {
            BodyDemand::Wait
        } else {
            BodyDemand::Ready
        })
    }

    fn check_retrieval(&self, r: &Retrieval) -> Result<(), SessionError> {
        match &self.body {
            Some(b) if Arc::ptr_eq(&r.owner, &self.owner) && b.serial == r.serial => Ok(()),
            _ => Err(SessionError::WrongTicket),
        }
    }

    /// Feeds the next chunk of the message (raw, not dot-stuffed). Only
    /// when [`Session::body_demand`] is `Ready` (or `Done`, where the chunk
    /// is dropped); the session writes it as the output has room.
    pub fn send_body(&mut self, r: &Retrieval, chunk: Bytes) -> Result<(), SessionError> {
        self.check_retrieval(r)?;
        if let Some(b) = &mut self.body {
            if !b.chunk.is_empty() {
                return Err(SessionError::BodyBusy);
            }
            b.chunk = chunk;
        }
        self.pump();
        Ok(())
    }

    /// Ends the message: the terminating `.` follows the last chunk.
    pub fn finish_body(&mut self, r: Retrieval) -> Result<(), SessionError> {
        self.check_retrieval(&r)?;
        if let Some(b) = &mut self.body {
            b.finishing = true;
        }
        self.pump();
        Ok(())
    }

    /// The message could not be read after `+OK` was sent: the only safe
    /// answer is to close the connection (the client sees no terminating
    /// `.` and discards the message). Nothing is deleted.
    pub fn abort_body(&mut self, r: Retrieval) -> Result<(), SessionError> {
        self.check_retrieval(&r)?;
        self.body = None;
        self.close(CloseReason::BodyAborted);
        Ok(())
    }

    /// Confirms [`Event::Update`]: the messages were removed; `+OK`, close.
    pub fn accept_update(&mut self, ticket: Ticket) -> Result<(), SessionError> {
        match self.take_ticket(&ticket)? {
            Pending::Update => {}
            other => {
                self.put_back(&ticket, other);
                return Err(SessionError::WrongTicket);
            }
        }
        let left = match &self.state {
            State::Transaction(t) => t.live().0,
            State::Authorization { .. } | State::Sasl(_) | State::Closed => 0,
        };
        let tail = match left {
            0 => "(maildrop empty)".to_owned(),
            1 => "(1 message left)".to_owned(),
            n => format!("({n} messages left)"),
        };
        let text = format!("{} {tail}", self.config.farewell);
        self.reply(&Reply::ok(text));
        self.close(CloseReason::Quit);
        Ok(())
    }

    /// Refuses a pending decision with `reply` (its status is forced to
    /// `-ERR`): a user, a login (counted as a failed login), a message
    /// retrieval, or the UPDATE commit (the session then closes).
    pub fn reject(&mut self, ticket: Ticket, reply: Reply) -> Result<(), SessionError> {
        let pending = self.take_ticket(&ticket)?;
        let mut reply = reply;
        reply.status = Status::Err;
        match pending {
            Pending::User(_) => self.reply(&reply),
            Pending::Login(_) => {
                self.state = State::Authorization { user: None };
                self.login_failed(reply);
            }
            Pending::SaslVerify(mut auth) => {
                let step = auth.answer(Answer::Reject);
                self.sasl_step(auth, step);
            }
            Pending::Retrieve { .. } => self.reply(&reply),
            Pending::Update => {
                self.reply(&reply);
                self.close(CloseReason::Quit);
            }
        }
        self.pump();
        Ok(())
    }

    // ---- internals ----

    fn reply(&mut self, r: &Reply) {
        r.encode(self.out.buf_mut());
    }

    fn close(&mut self, reason: CloseReason) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.close_reason = Some(reason);
        self.state = State::Closed;
        self.pending = None;
        self.listing = None;
        self.body = None;
        self.rx.clear();
        self.events.push_back(Event::Closed(reason));
    }

    fn ticket(&mut self, p: Pending) -> Ticket {
        self.serial += 1;
        self.pending = Some((self.serial, p));
        Ticket {
            owner: Arc::clone(&self.owner),
            serial: self.serial,
        }
    }

    fn login_failed(&mut self, reply: Reply) {
        self.failed_logins += 1;
        if self.failed_logins >= self.config.limits.max_failed_logins {
            self.reply(&Reply::err_code(
                RespCode::auth(),
                "too many failed logins, closing",
            ));
            self.close(CloseReason::TooManyFailedLogins);
        } else {
            self.reply(&reply);
        }
    }

    fn protocol_error(&mut self, e: ProtocolError) {
        let reply = match &e {
            ProtocolError::LineTooLong => Reply::err("command line too long"),
            ProtocolError::Parse(p) => Reply::err(match p {
                ParseError::Empty => "empty command".to_owned(),
                ParseError::UnknownCommand => "unknown command".to_owned(),
                ParseError::MissingArgument => "missing argument".to_owned(),
                ParseError::ExtraArgument => "too many arguments".to_owned(),
                ParseError::BadNumber => "invalid message number".to_owned(),
                ParseError::BadCharacters => "invalid characters in argument".to_owned(),
                ParseError::BadDigest => "invalid APOP digest".to_owned(),
                ParseError::BadMechanism => "invalid mechanism name".to_owned(),
                ParseError::BadStatus
                | ParseError::BadRespCode
                | ParseError::BadUid
                | ParseError::BadCapability => "syntax error".to_owned(),
            }),
            ProtocolError::WrongState(kw) => Reply::err(format!("{kw} not allowed now")),
            ProtocolError::NoSuchMessage => Reply::err("no such message"),
            ProtocolError::MessageDeleted => Reply::err("message already deleted"),
            ProtocolError::PlaintextRefused => Reply::err_code(
                RespCode::auth(),
                "plaintext authentication requires TLS, use STLS",
            ),
            ProtocolError::SaslFailed => Reply::err("authentication failed"),
            ProtocolError::MethodUnavailable => Reply::err("authentication method not available"),
            ProtocolError::Utf8NotEnabled => {
                Reply::err_code(RespCode::known(RespCode::UTF8), "send UTF8 first")
            }
        };
        let counts = match &e {
            ProtocolError::LineTooLong
            | ProtocolError::Parse(_)
            | ProtocolError::WrongState(_)
            | ProtocolError::Utf8NotEnabled => true,
            ProtocolError::NoSuchMessage
            | ProtocolError::MessageDeleted
            | ProtocolError::PlaintextRefused
            | ProtocolError::SaslFailed
            | ProtocolError::MethodUnavailable => false,
        };
        self.reply(&reply);
        self.events.push_back(Event::Error(e));
        if counts {
            self.bad_commands += 1;
            if self.bad_commands >= self.config.limits.max_bad_commands {
                self.reply(&Reply::err("too many bad commands, closing"));
                self.close(CloseReason::TooManyBadCommands);
            }
        }
    }

    /// Runs queued work: body bytes, listings, then pipelined commands,
    /// as far as the output has room and no decision is pending.
    fn pump(&mut self) {
        loop {
            if self.closed || self.tls_pending {
                return;
            }
            if self.body.is_some() {
                self.drain_body();
                if self.body.is_some() {
                    return;
                }
                continue;
            }
            if self.pending.is_some() {
                return;
            }
            if self.listing.is_some() {
                self.drain_listing();
                if self.listing.is_some() {
                    return;
                }
                continue;
            }
            if self.out.is_full() {
                return;
            }
            match self.framer.next_line(&mut self.rx) {
                None => return,
                Some(Line::TooLong { .. }) => {
                    match std::mem::replace(&mut self.state, State::Authorization { user: None }) {
                        State::Sasl(_) => {
                            self.framer.set_max_line_octets(self.max_command_octets());
                            self.reply(&Reply::err("authentication line too long"));
                            self.events
                                .push_back(Event::Error(ProtocolError::LineTooLong));
                        }
                        other => {
                            self.state = other;
                            self.protocol_error(ProtocolError::LineTooLong);
                        }
                    }
                }
                Some(Line::Complete(line)) => {
                    if let State::Sasl(_) = &self.state {
                        self.sasl_line(&line);
                    } else {
                        match parse_command(&line) {
                            Ok(cmd) => self.command(cmd),
                            Err(e) => self.protocol_error(ProtocolError::Parse(e)),
                        }
                    }
                }
            }
        }
    }

    fn max_command_octets(&self) -> usize {
        self.config.limits.max_command_octets.max(255)
    }

    fn drain_body(&mut self) {
        let Some(b) = &mut self.body else { return };
        loop {
            let room = self.out.room();
            if b.chunk.is_empty() {
                if b.finishing {
                    b.stuffer.finish(self.out.buf_mut());
                    self.body = None;
                }
                return;
            }
            if room == 0 {
                return;
            }
            let n = room.min(b.chunk.len());
            let piece = b.chunk.split_to(n);
            let piece = match &mut b.top {
                Some(top) => {
                    let k = top.take(&piece);
                    if top.done {
                        b.chunk.clear();
                    }
                    piece.get(..k).unwrap_or_default().to_vec().into()
                }
                None => piece,
            };
            b.stuffer.push(&piece, self.out.buf_mut());
        }
    }

    fn drain_listing(&mut self) {
        let Some(listing) = self.listing else { return };
        let State::Transaction(t) = &self.state else {
            self.listing = None;
            return;
        };
        let (mut i, is_list) = match listing {
            Listing::List(i) => (i, true),
            Listing::Uidl(i) => (i, false),
        };
        let max = self.out.room();
        let out = self.out.buf_mut();
        let start_len = out.len();
        while let (Some((octets, uid)), Some(deleted)) = (t.drop.messages.get(i), t.deleted.get(i))
        {
            if out.len() - start_len + LINE_ROOM > max {
                self.listing = Some(if is_list {
                    Listing::List(i)
                } else {
                    Listing::Uidl(i)
                });
                return;
            }
            let num = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if !deleted {
                if is_list {
                    encode::list_line(out, num, *octets);
                } else {
                    encode::uidl_line(out, num, uid);
                }
            }
            i += 1;
        }
        encode::end_multi_line(out);
        self.listing = None;
    }

    fn sasl_line(&mut self, line: &[u8]) {
        let State::Sasl(auth) =
            std::mem::replace(&mut self.state, State::Authorization { user: None })
        else {
            return;
        };
        self.framer.set_max_line_octets(self.max_command_octets());
        match wire::decode_response(line) {
            Ok(wire::Response::Cancel) => {
                self.reply(&Reply::err("authentication cancelled"));
                self.events
                    .push_back(Event::Error(ProtocolError::SaslFailed));
            }
            Ok(wire::Response::Data(data)) => {
                let mut auth = auth;
                let step = auth.step(&data);
                self.sasl_step(auth, step);
            }
            Err(_) => {
                self.reply(&Reply::err("invalid base64 in authentication response"));
                self.events
                    .push_back(Event::Error(ProtocolError::SaslFailed));
            }
        }
    }

    fn sasl_step(&mut self, auth: Box<Authenticator>, step: Step) {
        match step {
            Step::Challenge(c) => {
                encode::continuation(self.out.buf_mut(), &wire::encode_challenge(&c));
                self.framer.set_max_line_octets(
                    self.config
                        .limits
                        .max_auth_line_octets
                        .max(self.max_command_octets()),
                );
                self.state = State::Sasl(auth);
            }
            Step::Verify(verify) => {
                let ticket = self.ticket(Pending::SaslVerify(auth));
                self.events.push_back(Event::SaslVerify { ticket, verify });
            }
            Step::Success(s) => {
                let mechanism = auth.mechanism();
                match s.authzid.or(s.authcid) {
                    Some(user) if !user.is_empty() => {
                        self.state = State::Authorization { user: None };
                        let ticket = self.ticket(Pending::Login(user.clone()));
                        self.events.push_back(Event::Login {
                            ticket,
                            user,
                            credentials: Credentials::Sasl { mechanism },
                        });
                    }
                    _ => {
                        self.login_failed(Reply::err_code(
                            RespCode::auth(),
                            "no identity from the exchange",
                        ));
                    }
                }
            }
            Step::Failure(f) => {
                self.events
                    .push_back(Event::Error(ProtocolError::SaslFailed));
                match f.kind() {
                    FailureKind::Malformed => {
                        self.reply(&Reply::err("malformed authentication exchange"));
                    }
                    FailureKind::Rejected => {
                        self.login_failed(Reply::err_code(
                            RespCode::auth(),
                            "authentication failed",
                        ));
                    }
                    FailureKind::Temporary => self.reply(&Reply::err_code(
                        RespCode::sys_temp(),
                        "authentication temporarily unavailable",
                    )),
                }
            }
        }
    }

    fn sasl_offered(&self) -> Vec<Mechanism> {
        let plain_ok = self.tls_active || self.config.danger_allow_plaintext_auth;
        self.config
            .sasl_mechanisms
            .iter()
            .copied()
            .filter(|m| plain_ok || !m.is_plaintext())
            .filter(|m| *m != Mechanism::External || self.tls_active)
            .collect()
    }

    fn user_pass_offered(&self) -> bool {
        self.config.allow_user_pass && (self.tls_active || self.config.danger_allow_plaintext_auth)
    }

    fn capabilities(&self) -> Vec<Capability> {
        let in_auth = matches!(self.state, State::Authorization { .. });
        let mut caps = vec![Capability::Top];
        if in_auth && self.user_pass_offered() {
            caps.push(Capability::User);
        }
        let mechs = self.sasl_offered();
        if in_auth && !mechs.is_empty() {
            caps.push(Capability::Sasl(
                mechs.iter().map(|m| m.name().to_owned()).collect(),
            ));
        }
        caps.push(Capability::RespCodes);
        caps.push(Capability::AuthRespCode);
        if let Some(seconds) = self.config.login_delay {
            caps.push(Capability::LoginDelay {
                seconds,
                per_user: false,
            });
        }
        caps.push(Capability::Pipelining);
        if let Some(e) = self.config.expire {
            caps.push(Capability::Expire(e));
        }
        caps.push(Capability::Uidl);
        if in_auth && self.config.tls == Tls::Stls && !self.tls_active {
            caps.push(Capability::Stls);
        }
        if in_auth && self.config.enable_utf8 {
            caps.push(Capability::Utf8 { user: false });
        }
        if let Some(i) = &self.config.implementation {
            caps.push(Capability::Implementation(i.clone()));
        }
        caps
    }

    fn command(&mut self, cmd: Command) {
        let in_txn = matches!(self.state, State::Transaction(_));
        match cmd {
            Command::Capa => {
                self.reply(&Reply::ok("Capability list follows"));
                let caps = self.capabilities();
                let out = self.out.buf_mut();
                for c in &caps {
                    c.encode(out);
                }
                encode::end_multi_line(out);
            }
            Command::Noop if in_txn => self.reply(&Reply::ok("")),
            Command::Quit => self.quit(),
            Command::Stls => self.stls(),
            Command::Utf8 => self.utf8_cmd(),
            Command::User(name) => self.user_cmd(name),
            Command::Pass(p) => self.pass_cmd(p),
            Command::Apop { name, digest } => self.apop_cmd(name, digest),
            Command::Auth { mechanism, initial } => self.auth_cmd(&mechanism, initial),
            Command::Stat
            | Command::List(_)
            | Command::Retr(_)
            | Command::Dele(_)
            | Command::Noop
            | Command::Rset
            | Command::Top { .. }
            | Command::Uidl(_) => self.transaction_cmd(cmd),
        }
    }

    fn quit(&mut self) {
        match &self.state {
            State::Transaction(t) => {
                let deleted = t
                    .deleted
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| **d)
                    .filter_map(|(i, _)| u32::try_from(i + 1).ok().and_then(MsgNum::new))
                    .collect();
                let ticket = self.ticket(Pending::Update);
                self.events.push_back(Event::Update { ticket, deleted });
            }
            State::Authorization { .. } | State::Sasl(_) | State::Closed => {
                let text = self.config.farewell.clone();
                self.reply(&Reply::ok(text));
                self.close(CloseReason::Quit);
            }
        }
    }

    fn stls(&mut self) {
        if self.tls_active {
            self.reply(&Reply::err("Command not permitted when TLS active"));
            self.events
                .push_back(Event::Error(ProtocolError::WrongState("STLS")));
            return;
        }
        if self.config.tls != Tls::Stls || !matches!(self.state, State::Authorization { .. }) {
            self.protocol_error(ProtocolError::WrongState("STLS"));
            return;
        }
        self.reply(&Reply::ok("Begin TLS negotiation"));
        // RFC 2595 §4 and the STARTTLS injection attacks: nothing received
        // before the handshake may be acted upon after it.
        self.rx.clear();
        self.framer = LineFramer::new(self.max_command_octets());
        self.state = State::Authorization { user: None };
        self.tls_pending = true;
        self.events.push_back(Event::StartTls);
    }

    fn utf8_cmd(&mut self) {
        if !self.config.enable_utf8 || !matches!(self.state, State::Authorization { .. }) {
            self.protocol_error(ProtocolError::WrongState("UTF8"));
            return;
        }
        self.utf8 = true;
        self.reply(&Reply::ok("UTF8 enabled"));
    }

    fn check_name(&mut self, name: &str) -> bool {
        if !self.utf8 && !name.is_ascii() {
            self.protocol_error(ProtocolError::Utf8NotEnabled);
            return false;
        }
        true
    }

    fn user_cmd(&mut self, name: String) {
        if !matches!(self.state, State::Authorization { .. }) || !self.config.allow_user_pass {
            self.protocol_error(ProtocolError::WrongState("USER"));
            return;
        }
        if !self.user_pass_offered() {
            self.protocol_error(ProtocolError::PlaintextRefused);
            return;
        }
        if !self.check_name(&name) {
            return;
        }
        let ticket = self.ticket(Pending::User(name.clone()));
        self.events.push_back(Event::User { ticket, user: name });
    }

    fn pass_cmd(&mut self, password: Secret<String>) {
        let user = match &mut self.state {
            State::Authorization { user } => user.take(),
            State::Sasl(_) | State::Transaction(_) | State::Closed => {
                self.protocol_error(ProtocolError::WrongState("PASS"));
                return;
            }
        };
        let Some(user) = user else {
            self.protocol_error(ProtocolError::WrongState("PASS"));
            return;
        };
        if !self.user_pass_offered() {
            self.protocol_error(ProtocolError::PlaintextRefused);
            return;
        }
        let ticket = self.ticket(Pending::Login(user.clone()));
        self.events.push_back(Event::Login {
            ticket,
            user,
            credentials: Credentials::Password(password),
        });
    }

    fn apop_cmd(&mut self, name: String, digest: Digest) {
        if !matches!(self.state, State::Authorization { .. }) {
            self.protocol_error(ProtocolError::WrongState("APOP"));
            return;
        }
        let Some(timestamp) = self.apop.clone() else {
            self.protocol_error(ProtocolError::MethodUnavailable);
            return;
        };
        if !self.check_name(&name) {
            return;
        }
        self.state = State::Authorization { user: None };
        let ticket = self.ticket(Pending::Login(name.clone()));
        self.events.push_back(Event::Login {
            ticket,
            user: name,
            credentials: Credentials::Apop { timestamp, digest },
        });
    }

    fn auth_cmd(&mut self, mechanism: &str, initial: Option<InitialResponse>) {
        if !matches!(self.state, State::Authorization { .. }) {
            self.protocol_error(ProtocolError::WrongState("AUTH"));
            return;
        }
        let Ok(mech) = Mechanism::from_name(mechanism.as_bytes()) else {
            self.protocol_error(ProtocolError::MethodUnavailable);
            return;
        };
        if !self.config.sasl_mechanisms.contains(&mech) {
            self.protocol_error(ProtocolError::MethodUnavailable);
            return;
        }
        if !self.sasl_offered().contains(&mech) {
            self.protocol_error(ProtocolError::PlaintextRefused);
            return;
        }
        let ir = match initial {
            None => None,
            Some(InitialResponse::Empty) => Some(Vec::new()),
            Some(InitialResponse::Base64(b)) => match wire::decode_initial_response(b.as_bytes()) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.reply(&Reply::err("invalid base64 in initial response"));
                    self.events
                        .push_back(Event::Error(ProtocolError::SaslFailed));
                    return;
                }
            },
        };
        self.state = State::Authorization { user: None };
        self.sasl_attempts += 1;
        let nonce = self.nonce();
        let mut auth = Box::new(
            Authenticator::new(mech, nonce, &self.config.hostname)
                .with_limits(self.config.sasl_limits)
                .success_data_as_challenge(),
        );
        let step = auth.start(ir.as_deref());
        self.sasl_step(auth, step);
    }

    /// A nonce unique to this exchange: the session's entropy with the
    /// attempt number folded into its last octets.
    fn nonce(&self) -> Nonce {
        let mut e = self.sasl_entropy;
        for (slot, b) in e.iter_mut().rev().zip(self.sasl_attempts.to_le_bytes()) {
            *slot ^= b;
        }
        Nonce::from_entropy(e)
    }

    fn transaction_cmd(&mut self, cmd: Command) {
        let keyword = cmd.keyword();
        let State::Transaction(t) = &mut self.state else {
            self.protocol_error(ProtocolError::WrongState(keyword));
            return;
        };
        match transaction_outcome(t, cmd) {
            Outcome::Reply(r) => self.reply(&r),
            Outcome::Listing(r, l) => {
                self.reply(&r);
                self.listing = Some(l);
            }
            Outcome::Retrieve {
                msg,
                index,
                uid,
                top,
            } => {
                let ticket = self.ticket(Pending::Retrieve { index, top });
                self.events.push_back(Event::Retrieve {
                    ticket,
                    msg,
                    uid,
                    top,
                });
            }
            Outcome::Refused(e, r) => {
                self.reply(&r);
                self.events.push_back(Event::Error(e));
            }
            Outcome::WrongState => self.protocol_error(ProtocolError::WrongState(keyword)),
        }
    }
}

/// What a TRANSACTION command leads to.
enum Outcome {
    Reply(Reply),
    Listing(Reply, Listing),
    Retrieve {
        msg: MsgNum,
        index: usize,
        uid: String,
        top: Option<u32>,
    },
    Refused(ProtocolError, Reply),
    WrongState,
}

/// The index of a live message, or the refusal. `long` selects RFC 1939's
/// wording for LIST and UIDL.
fn live_index(t: &Txn, m: MsgNum, long: bool) -> Result<usize, Outcome> {
    let i = m.index();
    match t.deleted.get(i) {
        None => Err(Outcome::Refused(
            ProtocolError::NoSuchMessage,
            Reply::err(if long {
                format!(
                    "no such message, only {} in maildrop",
                    count_word(t.drop.len(), "message", "messages")
                )
            } else {
                "no such message".to_owned()
            }),
        )),
        Some(true) => Err(Outcome::Refused(
            ProtocolError::MessageDeleted,
            Reply::err(format!("message {m} already deleted")),
        )),
        Some(false) => Ok(i),
    }
}

fn transaction_outcome(t: &mut Txn, cmd: Command) -> Outcome {
    let run = |t: &mut Txn| -> Result<Outcome, Outcome> {
        Ok(match cmd {
            Command::Stat => {
                let (n, o) = t.live();
                Outcome::Reply(Reply::ok(format!("{n} {o}")))
            }
            Command::List(None) => {
                let (n, o) = t.live();
                Outcome::Listing(Reply::ok(count_text(n, o)), Listing::List(0))
            }
            Command::List(Some(m)) => {
                let i = live_index(t, m, true)?;
                let o = t.drop.messages.get(i).map_or(0, |(o, _)| *o);
                Outcome::Reply(Reply::ok(format!("{m} {o}")))
            }
            Command::Uidl(None) => Outcome::Listing(Reply::ok(""), Listing::Uidl(0)),
            Command::Uidl(Some(m)) => {
                let i = live_index(t, m, true)?;
                let uid = t.drop.messages.get(i).map_or("", |(_, u)| u.as_str());
                Outcome::Reply(Reply::ok(format!("{m} {uid}")))
            }
            Command::Retr(msg) => {
                let index = live_index(t, msg, false)?;
                let uid = t.drop.messages.get(index).map(|(_, u)| u.clone());
                Outcome::Retrieve {
                    msg,
                    index,
                    uid: uid.unwrap_or_default(),
                    top: None,
                }
            }
            Command::Top { msg, lines } => {
                let index = live_index(t, msg, false)?;
                let uid = t.drop.messages.get(index).map(|(_, u)| u.clone());
                Outcome::Retrieve {
                    msg,
                    index,
                    uid: uid.unwrap_or_default(),
                    top: Some(lines),
                }
            }
            Command::Dele(m) => {
                let i = live_index(t, m, false)?;
                if let Some(d) = t.deleted.get_mut(i) {
                    *d = true;
                }
                Outcome::Reply(Reply::ok(format!("message {m} deleted")))
            }
            Command::Rset => {
                t.deleted.iter_mut().for_each(|d| *d = false);
                let (n, o) = t.live();
                Outcome::Reply(Reply::ok(format!("maildrop has {}", count_text(n, o))))
            }
            Command::Noop => Outcome::Reply(Reply::ok("")),
            Command::User(_)
            | Command::Pass(_)
            | Command::Apop { .. }
            | Command::Auth { .. }
            | Command::Quit
            | Command::Capa
            | Command::Stls
            | Command::Utf8 => Outcome::WrongState,
        })
    };
    run(t).unwrap_or_else(|refusal| refusal)
}

/// `2 messages (320 octets)`.
fn count_text(n: usize, octets: u64) -> String {
    format!("{} ({octets} octets)", count_word(n, "message", "messages"))
}

fn count_word(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
