//! The server session: an SMTP / ESMTP / LMTP receiver as a sans-IO state
//! machine.
//!
//! Bytes in through [`Session::receive`], events out through
//! [`Session::next_event`], decisions in through the `accept` / `reject`
//! family (each consumes the event's [`Ticket`]), bytes out through
//! [`Session::outgoing`] and [`Session::sent`]. The session answers bad
//! input, sequencing errors and limits itself; the application decides
//! policy (connect, HELO, MAIL, RCPT, the message) and credentials (AUTH).
//!
//! One decision is outstanding at a time: while a ticket is unanswered,
//! `next_event` yields nothing new (pipelined commands wait in the receive
//! buffer), so replies always keep command order.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use yubin_sasl::server::{Answer, Authenticator, FailureKind, Step, Verify};
use yubin_sasl::{Mechanism, Nonce, wire};
use yubin_wire::dot::{BareEol, Body, Unstuffer};
use yubin_wire::proxy::{self, trusted};
use yubin_wire::{Line, LineFramer, OutBuf};

pub use yubin_wire::proxy::Network;

use crate::encode::put_num;
use crate::parse::{ParseError, parse_command};
use crate::types::{
    BodyType, Command, EnhancedCode, ForwardPath, Host, MailParams, RcptParams, Reply, ReplyCode,
    ReversePath,
};

/// Sizes, counts and times a client can influence. Defaults follow Postfix
/// where it has a matching setting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line, CRLF included, in octets. Default 2048
    /// (Postfix `line_length_limit`; RFC 5321 §4.5.3.1.4 asks for at least
    /// 512 plus what extensions add). Longer lines are answered
    /// `500 5.5.2` and never buffered whole (memory: this many octets).
    pub max_command_line_octets: usize,
    /// Longest AUTH response line, CRLF included. Default 12 288 (RFC 4954
    /// §4). Longer: `500 5.5.6` and the exchange fails.
    pub max_auth_line_octets: usize,
    /// Largest message, in octets (as received, after dot-unstuffing).
    /// Default 10 240 000 (Postfix `message_size_limit`). Announced in
    /// `SIZE`; a larger declared `SIZE=` gets `552 5.3.4` at MAIL, a larger
    /// body is drained to its end and answered `552 5.3.4`. The body is
    /// streamed, so this costs no memory.
    pub max_message_octets: u64,
    /// Longest text line of a DATA body, CRLF included, in octets: RFC 5321
    /// §4.5.3.1.6 sets 1000 (RFC 5322 §2.1.1: 998 plus CRLF). A longer line
    /// fails the message: it is drained to its end and answered `500 5.6.0
    /// Line too long`, and the session goes on. Default 1000, as Exim's
    /// `message_linelength_limit`; 0 turns the check off. BDAT bodies are
    /// not line-based and are not checked. The body is streamed, so this
    /// costs no memory.
    pub max_text_line_octets: usize,
    /// Recipients per transaction. Default 1000 (Postfix
    /// `smtpd_recipient_limit`). More: `452 4.5.3` (RFC 5321 §4.5.3.1.10),
    /// the session goes on.
    pub max_recipients: usize,
    /// Errors (syntax, sequence, unknown commands) before `421` and close.
    /// Default 20 (Postfix `smtpd_hard_error_limit`).
    pub max_bad_commands: u32,
    /// NOOP, RSET, VRFY, EXPN and HELP commands per session before `421`
    /// and close. Default 100 (Postfix `smtpd_junk_command_limit`).
    pub max_junk_commands: u32,
    /// Replies queued but not yet sent before the session stops reading
    /// commands (pipelining depth). Default 100. Memory: about 100 short
    /// replies.
    pub max_pipelined_commands: usize,
    /// Failed AUTH attempts before `421 4.7.0` and close. Default 3 (yubin's
    /// choice; Postfix counts them among its errors).
    pub max_auth_failures: u32,
    /// Receive buffer, in octets: `receive` takes no more. Default 65 536.
    /// Must hold a command line and an AUTH line.
    pub max_input_octets: usize,
    /// Send buffer, in octets: while it holds this much, `receive` takes
    /// nothing (back-pressure). Default 65 536 (rustls' default).
    pub max_output_octets: usize,
    /// Idle time before `421 4.4.2` and close, enforced through
    /// [`Session::deadline`]. Default 300 s (RFC 5321 §4.5.3.2.7 and
    /// Postfix `smtpd_timeout`).
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_command_line_octets: 2048,
            max_auth_line_octets: 12_288,
            max_message_octets: 10_240_000,
            max_text_line_octets: 1000,
            max_recipients: 1000,
            max_bad_commands: 20,
            max_junk_commands: 100,
            max_pipelined_commands: 100,
            max_auth_failures: 3,
            max_input_octets: 65_536,
            max_output_octets: 65_536,
            idle: Duration::from_secs(300),
        }
    }
}

/// How the `SIZE` keyword is announced (RFC 1870 §4). The limit is
/// enforced in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeAnnounce {
    /// Not announced; `SIZE=` gets `555`.
    Off,
    /// `SIZE` without a number.
    Bare,
    /// `SIZE <max_message_octets>`.
    Limit,
}

/// The service extensions, one typed set: it produces the EHLO reply and
/// decides which commands and parameters are enabled.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extensions {
    /// PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// 8BITMIME (RFC 6152).
    pub eightbitmime: bool,
    /// SIZE (RFC 1870).
    pub size: SizeAnnounce,
    /// DSN (RFC 3461): RET, ENVID, NOTIFY, ORCPT.
    pub dsn: bool,
    /// BINARYMIME (RFC 3030); needs `chunking`.
    pub binarymime: bool,
    /// CHUNKING (RFC 3030): BDAT.
    pub chunking: bool,
    /// SMTPUTF8 (RFC 6531); needs `eightbitmime`.
    pub smtputf8: bool,
    /// ENHANCEDSTATUSCODES (RFC 2034): every reply but the greeting, EHLO
    /// and 3xx carries its enhanced code.
    pub enhanced_status_codes: bool,
    /// STARTTLS (RFC 3207): the adapter can run a TLS handshake. Not offered
    /// once TLS is up.
    pub starttls: bool,
    /// REQUIRETLS (RFC 8689); offered only under TLS.
    pub requiretls: bool,
    /// HELP keyword and command.
    pub help: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            pipelining: true,
            eightbitmime: true,
            size: SizeAnnounce::Limit,
            dsn: false,
            binarymime: false,
            chunking: true,
            smtputf8: true,
            enhanced_status_codes: true,
            starttls: false,
            requiretls: false,
            help: false,
        }
    }
}

/// Reply texts the session writes itself and operators like to choose.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Texts {
    /// The greeting text after `220 `. Default `<hostname> ESMTP`.
    pub greeting: String,
    /// The EHLO/HELO first line when the application accepts without its
    /// own text. Default `<hostname>`.
    pub helo: String,
    /// The `354` text. Default `Start mail input; end with <CRLF>.<CRLF>`.
    pub data: String,
    /// The `221` text. Default `<hostname> Service closing transmission channel`.
    pub closing: String,
    /// The `554` text for DATA or BDAT LAST with no accepted recipient.
    /// Default `No valid recipients`.
    pub no_recipients: String,
}

/// The embedder's settings, checked by [`Settings::build`] into a [`Config`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings {
    /// This server's name, used in the greeting, EHLO and 221 replies.
    pub hostname: String,
    /// LMTP mode (RFC 2033): LHLO instead of EHLO/HELO, one reply per
    /// recipient after the message.
    pub lmtp: bool,
    /// Extensions offered.
    pub extensions: Extensions,
    /// Limits.
    pub limits: Limits,
    /// Reply texts.
    pub texts: Texts,
    /// Bare CR / bare LF in a DATA body: `Reject` (default: `550 5.6.11` at
    /// the end of the data, the answer to SMTP smuggling), `Normalize` or
    /// `Allow`. Either way only CRLF.CRLF ends a message.
    pub bare_eol: BareEol,
    /// SASL mechanisms offered with AUTH, in this order.
    pub auth_mechanisms: Vec<Mechanism>,
    /// Offer and accept plaintext mechanisms (PLAIN, LOGIN, XOAUTH2,
    /// OAUTHBEARER) without TLS. Off: they are not announced before TLS and
    /// AUTH with one answers `538 5.7.11`.
    pub danger_plaintext_auth_without_tls: bool,
    /// MAIL and AUTH need TLS first: `530 5.7.0` (RFC 3207 §4).
    pub require_tls: bool,
    /// MAIL needs a successful AUTH first: `530 5.7.0` (RFC 4954 §6).
    pub require_auth: bool,
    /// Ask the application at connect ([`Event::Connect`]) before the
    /// greeting; off: the greeting is queued by [`Session::new`].
    pub connect_decision: bool,
    /// Close with `554 5.5.0` a client that pipelines where PIPELINING is
    /// not in force (before EHLO, after HELO), as Postfix's
    /// `smtpd_forbid_unauth_pipelining`.
    pub forbid_unauth_pipelining: bool,
    /// PROXY protocol (HAProxy v1 and v2): `Some(networks)` expects a
    /// header before the greeting from every connection and takes the
    /// client's address from it. A connection from outside `networks` (an
    /// empty list trusts every peer: use it only on a listener that only
    /// the proxy can reach), or one that does not start with a valid header,
    /// is closed without a word, as the specification asks. Default `None`:
    /// off.
    pub proxy_protocol: Option<Vec<Network>>,
    /// Peers allowed to use XCLIENT (Postfix's extension, for a trusted
    /// front end that passes on the real client's address, name, HELO and
    /// login). Only they see it in the EHLO reply; anyone else gets `550
    /// 5.7.0`. Default empty: off.
    pub xclient_trusted: Vec<Network>,
}

impl Settings {
    /// Defaults for `hostname`.
    pub fn new(hostname: &str) -> Self {
        Self {
            hostname: hostname.to_owned(),
            lmtp: false,
            extensions: Extensions::default(),
            limits: Limits::default(),
            texts: Texts {
                greeting: format!("{hostname} ESMTP"),
                helo: hostname.to_owned(),
                data: "Start mail input; end with <CRLF>.<CRLF>".to_owned(),
                closing: format!("{hostname} Service closing transmission channel"),
                no_recipients: "No valid recipients".to_owned(),
            },
            bare_eol: BareEol::Reject,
            auth_mechanisms: Vec::new(),
            danger_plaintext_auth_without_tls: false,
            require_tls: false,
            require_auth: false,
            connect_decision: false,
            forbid_unauth_pipelining: false,
            proxy_protocol: None,
            xclient_trusted: Vec::new(),
        }
    }

    /// Checks the couplings between settings.
    pub fn build(self) -> Result<Config, ConfigError> {
        let e = &self.extensions;
        let l = &self.limits;
        if e.smtputf8 && !e.eightbitmime {
            return Err(ConfigError::Smtputf8Without8bitmime);
        }
        if e.binarymime && !e.chunking {
            return Err(ConfigError::BinarymimeWithoutChunking);
        }
        if l.max_command_line_octets < 512 {
            return Err(ConfigError::CommandLineTooShort);
        }
        if l.max_input_octets < l.max_command_line_octets
            || l.max_input_octets < l.max_auth_line_octets
        {
            return Err(ConfigError::InputBufferTooSmall);
        }
        if l.max_output_octets < 1024 || l.max_pipelined_commands == 0 {
            return Err(ConfigError::OutputBufferTooSmall);
        }
        if crate::parse::host(self.hostname.as_bytes()).is_err() {
            return Err(ConfigError::BadHostname);
        }
        Ok(Config(self))
    }
}

/// A checked [`Settings`]; share it between sessions with an `Arc`.
#[derive(Clone, Debug)]
pub struct Config(Settings);

impl std::ops::Deref for Config {
    type Target = Settings;
    fn deref(&self) -> &Settings {
        &self.0
    }
}

/// The embedder's mistakes in [`Settings`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// RFC 6531 §3.1: SMTPUTF8 needs 8BITMIME.
    #[error("smtputf8 needs 8bitmime")]
    Smtputf8Without8bitmime,
    /// RFC 3030 §3: BINARYMIME needs CHUNKING.
    #[error("binarymime needs chunking")]
    BinarymimeWithoutChunking,
    /// RFC 5321 §4.5.3.1.4: command lines of 512 octets must fit.
    #[error("max_command_line_octets below 512")]
    CommandLineTooShort,
    /// The receive buffer must hold a command line and an AUTH line.
    #[error("max_input_octets smaller than a command or auth line")]
    InputBufferTooSmall,
    /// The send buffer must hold a few replies.
    #[error("max_output_octets below 1024 or max_pipelined_commands zero")]
    OutputBufferTooSmall,
    /// The hostname is not a domain or address literal.
    #[error("hostname is not a domain or address literal")]
    BadHostname,
}

/// What the adapter knows about the connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connection {
    /// The client's address.
    pub remote: Option<SocketAddr>,
    /// Our address.
    pub local: Option<SocketAddr>,
    /// True for implicit TLS (port 465, RFC 8314).
    pub tls: bool,
}

/// What a policy decision needs, attached to the events that ask for one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context {
    /// The client's address.
    pub remote: Option<SocketAddr>,
    /// Our address.
    pub local: Option<SocketAddr>,
    /// TLS is in force (implicit or after STARTTLS).
    pub tls: bool,
    /// The identity from a successful AUTH (authzid if given, else authcid).
    pub authenticated: Option<String>,
    /// The EHLO/HELO/LHLO argument once accepted.
    pub helo: Option<Host>,
    /// True after EHLO/LHLO, false after HELO.
    pub esmtp: bool,
    /// The client's host name as XCLIENT `NAME` gave it (the front end's
    /// reverse lookup); `None` otherwise.
    pub client_name: Option<String>,
}

/// Why a session closed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client sent QUIT.
    Quit,
    /// The application refused the connection.
    Refused,
    /// Idle past [`Limits::idle`].
    Timeout,
    /// Too many bad commands.
    TooManyErrors,
    /// Too many junk commands.
    TooManyJunk,
    /// Too many failed AUTH attempts.
    TooManyAuthFailures,
    /// Pipelining where it is not allowed ([`Settings::forbid_unauth_pipelining`]).
    UnauthPipelining,
    /// The application called [`Session::shutdown`].
    Shutdown,
    /// No valid PROXY protocol header, or a peer outside the trusted
    /// networks ([`Settings::proxy_protocol`]); nothing was sent.
    Proxy,
}

/// An answer owed to the client. Not `Clone`: each decision consumes it.
#[derive(Debug)]
#[must_use = "the client waits until this ticket is answered"]
pub struct Ticket {
    /// The issuing session's identity (pointer equality; no global counter).
    session: Arc<()>,
    seq: u64,
}

/// What the session reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A client connected ([`Settings::connect_decision`]). Accept: the
    /// greeting; reject (e.g. `554`): the reply, then close.
    Connect {
        /// Answer with accept or reject.
        ticket: Ticket,
        /// The connection.
        context: Arc<Context>,
    },
    /// EHLO, HELO or LHLO. Accept: 250 and the capability list
    /// ([`Session::accept_with`] sets the first line's text).
    Helo {
        /// Answer with accept or reject.
        ticket: Ticket,
        /// The argument.
        host: Host,
        /// EHLO or LHLO (true) or HELO (false).
        esmtp: bool,
        /// The connection.
        context: Arc<Context>,
    },
    /// MAIL FROM, already checked against the extensions and limits.
    MailFrom {
        /// Answer with accept (250 2.1.0) or reject.
        ticket: Ticket,
        /// The reverse path.
        from: ReversePath,
        /// Its parameters.
        params: MailParams,
        /// The connection.
        context: Arc<Context>,
    },
    /// RCPT TO, already checked against the extensions and limits.
    RcptTo {
        /// Answer with accept (250 2.1.5) or reject (e.g. [`Reply::relay_denied`]).
        ticket: Ticket,
        /// The forward path.
        to: ForwardPath,
        /// Its parameters.
        params: RcptParams,
        /// The connection.
        context: Arc<Context>,
    },
    /// Body octets, dot-unstuffed (DATA) or as sent (BDAT).
    BodyChunk(Bytes),
    /// The message is complete. Store it, then accept (250; in LMTP
    /// [`Session::accept_each`] gives one reply per recipient) or reject.
    BodyEnd {
        /// Answer once the message is stored.
        ticket: Ticket,
        /// Body octets received.
        octets: u64,
    },
    /// The session refused the current message by itself (too big, bare
    /// CR/LF, failed BDAT chunk) and has queued or will queue `reply`:
    /// drop what was received of it.
    MessageRejected(Reply),
    /// The transaction was abandoned (RSET, EHLO, STARTTLS): forget its
    /// envelope.
    Reset,
    /// AUTH needs the application: check what `verify` carries and answer
    /// with [`Session::answer_auth`] (accept/reject work too).
    AuthVerify {
        /// Answer with [`Session::answer_auth`].
        ticket: Ticket,
        /// The mechanism.
        mechanism: Mechanism,
        /// What to check.
        verify: Verify,
    },
    /// AUTH succeeded.
    Authenticated {
        /// The mechanism.
        mechanism: Mechanism,
        /// The authentication identity, when the mechanism carries one.
        authcid: Option<String>,
        /// The authorization identity, when given.
        authzid: Option<String>,
    },
    /// STARTTLS accepted: the go-ahead is queued and pipelined bytes were
    /// dropped. Flush [`Session::outgoing`], run the handshake, then call
    /// [`Session::tls_established`].
    StartTls,
    /// The session is over: flush `outgoing`, then close the connection.
    Closed(CloseReason),
}

/// Misuse of the decision API. The ticket comes back so nothing is lost.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The ticket belongs to another session or an earlier event.
    #[error("ticket does not belong to this session's pending decision")]
    ForeignTicket(Ticket),
    /// A rejection must carry a 4xx or 5xx reply.
    #[error("a rejection needs a 4xx or 5xx reply")]
    NotARejection(Ticket),
    /// An acceptance must carry a 2xx reply.
    #[error("an acceptance needs a 2xx reply")]
    NotPositive(Ticket),
    /// LMTP: one reply per accepted recipient is needed.
    #[error("one reply per accepted recipient is needed")]
    RecipientCount(Ticket),
}

enum Mode {
    /// Waiting for the PROXY protocol header.
    Proxy,
    /// Waiting for the connect decision.
    Connect,
    /// Reading command lines.
    Command,
    /// Reading a DATA body.
    Data,
    /// Reading a BDAT chunk.
    Bdat {
        remaining: u64,
        size: u64,
        last: bool,
    },
    /// Reading an AUTH response line.
    AuthLine(Box<Authenticator>),
    /// STARTTLS go-ahead queued; waiting for `tls_established`.
    TlsWait,
    /// Farewell queued.
    Closed,
}

enum Pending {
    Connect,
    Helo {
        host: Host,
        esmtp: bool,
    },
    Mail {
        from: ReversePath,
        params: MailParams,
    },
    Rcpt,
    Message,
    Auth(Box<Authenticator>),
}

#[derive(Default)]
struct Txn {
    rcpts: usize,
    rcpt_tried: bool,
    binary: bool,
    smtputf8: bool,
    /// BDAT used in this transaction (DATA then refused).
    bdat: bool,
    octets: u64,
    /// The session refused this message; the reply for its end.
    failed: Option<Reply>,
}

/// One SMTP (or LMTP) server session.
pub struct Session {
    cfg: Arc<Config>,
    id: Arc<()>,
    seq: u64,
    rx: BytesMut,
    out: OutBuf,
    framer: LineFramer,
    unstuffer: Unstuffer,
    /// Octets of the DATA body's current (unfinished) line.
    text_line: usize,
    mode: Mode,
    pending: Option<(u64, Pending)>,
    events: Vec<Event>,
    ctx: Arc<Context>,
    txn: Option<Txn>,
    errors: u32,
    junk: u32,
    auth_failures: u32,
    auth_attempts: u8,
    in_flight: usize,
    entropy: [u8; Nonce::ENTROPY_OCTETS],
    deadline: Option<Instant>,
    close_reason: Option<CloseReason>,
    close_reported: bool,
    bdat_refusal: Option<Reply>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("context", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new session. The greeting is queued unless
    /// [`Settings::connect_decision`] asks for an [`Event::Connect`] first.
    /// `entropy` seeds the nonces of CRAM-MD5 and SCRAM challenges (each
    /// AUTH attempt of the session uses a distinct nonce derived from it).
    pub fn new(
        config: Arc<Config>,
        now: Instant,
        connection: Connection,
        entropy: [u8; Nonce::ENTROPY_OCTETS],
    ) -> Self {
        let l = &config.limits;
        let mut s = Self {
            id: Arc::new(()),
            seq: 0,
            rx: BytesMut::with_capacity(l.max_input_octets.min(16_384)),
            out: OutBuf::new(l.max_output_octets),
            framer: LineFramer::new(l.max_command_line_octets),
            unstuffer: Unstuffer::new(config.bare_eol),
            text_line: 0,
            mode: Mode::Command,
            pending: None,
            events: Vec::new(),
            ctx: Arc::new(Context {
                remote: connection.remote,
                local: connection.local,
                tls: connection.tls,
                authenticated: None,
                helo: None,
                esmtp: false,
                client_name: None,
            }),
            txn: None,
            errors: 0,
            junk: 0,
            auth_failures: 0,
            auth_attempts: 0,
            in_flight: 0,
            entropy,
            deadline: Some(now + l.idle),
            close_reason: None,
            close_reported: false,
            bdat_refusal: None,
            cfg: config,
        };
        match &s.cfg.proxy_protocol {
            Some(nets) => {
                let peer_ok =
                    nets.is_empty() || s.ctx.remote.is_some_and(|a| trusted(nets, a.ip()));
                if peer_ok {
                    s.mode = Mode::Proxy;
                } else {
                    s.close(CloseReason::Proxy);
                }
            }
            None => s.connected(),
        }
        s
    }

    /// The connection is established (after the PROXY header, if any): the
    /// connect decision or the greeting.
    fn connected(&mut self) {
        if self.cfg.connect_decision {
            self.mode = Mode::Connect;
            let t = self.ticket(Pending::Connect);
            let context = self.ctx.clone();
            self.events.push(Event::Connect { ticket: t, context });
        } else {
            self.mode = Mode::Command;
            self.greet();
        }
    }

    /// Reads the PROXY header; the client's bytes may follow it.
    fn proxy_header(&mut self) -> Progress {
        match proxy::parse(&self.rx) {
            // More bytes can still make a header (and the receive buffer
            // has room for them).
            Ok(None)
                if self.rx.len() < proxy::V2_MAX_OCTETS.min(self.cfg.limits.max_input_octets) =>
            {
                Progress::Blocked
            }
            Ok(Some((header, used))) => {
                self.rx.advance(used);
                self.set_ctx(|c| {
                    if let Some(src) = header.source {
                        c.remote = Some(src);
                    }
                    if let Some(dst) = header.destination {
                        c.local = Some(dst);
                    }
                });
                self.connected();
                Progress::Continue
            }
            Ok(None) | Err(_) => {
                self.close(CloseReason::Proxy);
                Progress::Continue
            }
        }
    }

    /// The context policy decisions see.
    pub fn context(&self) -> &Arc<Context> {
        &self.ctx
    }

    /// Takes bytes from the client; returns how many were taken. Takes
    /// nothing while the send buffer is full or the receive buffer is.
    /// After STARTTLS (until [`tls_established`](Self::tls_established))
    /// and after close, bytes are taken and dropped.
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        let Some(take) = self.intake(now, bytes.len()) else {
            return bytes.len();
        };
        if let Some(b) = bytes.get(..take) {
            self.rx.extend_from_slice(b);
        }
        take
    }

    /// [`receive`](Self::receive) without a copy: moves up to the room
    /// left in the receive buffer off the front of `buf` (a buffer a socket
    /// read into) and returns how many octets it took. When the session's
    /// buffer is empty, or `buf` continues the same allocation, the octets
    /// change hands without being copied.
    pub fn receive_buf(&mut self, now: Instant, buf: &mut BytesMut) -> usize {
        let Some(take) = self.intake(now, buf.len()) else {
            let n = buf.len();
            buf.clear();
            return n;
        };
        if take > 0 {
            let part = buf.split_to(take);
            if self.rx.is_empty() {
                self.rx = part;
            } else {
                self.rx.unsplit(part);
            }
        }
        take
    }

    /// How many of `offered` octets the receive buffer takes now (0 while
    /// the send buffer or the receive buffer is full), restarting the idle
    /// deadline when it takes any; `None` when they are to be dropped
    /// (after STARTTLS until the handshake, and after close).
    fn intake(&mut self, now: Instant, offered: usize) -> Option<usize> {
        if matches!(self.mode, Mode::Closed | Mode::TlsWait) {
            return None;
        }
        if self.out.is_full() {
            return Some(0);
        }
        let room = self
            .cfg
            .limits
            .max_input_octets
            .saturating_sub(self.rx.len());
        let take = room.min(offered);
        if take > 0 {
            self.deadline = Some(now + self.cfg.limits.idle);
        }
        Some(take)
    }

    /// The next event, or `None` when more input (or a decision, or room in
    /// the send buffer) is needed.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if !self.events.is_empty() {
                return Some(self.events.remove(0));
            }
            if let Mode::Closed = self.mode {
                if self.close_reported {
                    return None;
                }
                self.close_reported = true;
                let r = self.close_reason.clone().unwrap_or(CloseReason::Shutdown);
                return Some(Event::Closed(r));
            }
            if self.pending.is_some() {
                return None;
            }
            match self.advance() {
                Progress::Event(e) => return Some(e),
                Progress::Continue => {}
                Progress::Blocked => {
                    return if self.events.is_empty() {
                        None
                    } else {
                        Some(self.events.remove(0))
                    };
                }
            }
        }
    }

    /// Accepts with the default positive reply.
    pub fn accept(&mut self, ticket: Ticket) -> Result<(), SessionError> {
        let p = self.take(ticket)?;
        self.resolve(p, Decision::Accept(None));
        Ok(())
    }

    /// Accepts with this 2xx reply (for EHLO: the first line's text; the
    /// capabilities follow).
    pub fn accept_with(&mut self, ticket: Ticket, reply: Reply) -> Result<(), SessionError> {
        if !reply.code().is_positive() {
            return Err(SessionError::NotPositive(ticket));
        }
        let p = self.take(ticket)?;
        self.resolve(p, Decision::Accept(Some(reply)));
        Ok(())
    }

    /// Refuses with this 4xx/5xx reply.
    pub fn reject(&mut self, ticket: Ticket, reply: Reply) -> Result<(), SessionError> {
        if !(reply.code().is_transient() || reply.code().is_permanent()) {
            return Err(SessionError::NotARejection(ticket));
        }
        let p = self.take(ticket)?;
        self.resolve(p, Decision::Reject(reply));
        Ok(())
    }

    /// LMTP: one reply per accepted recipient, in RCPT order (RFC 2033 §4.2).
    /// Outside LMTP, or for another event, the first reply answers it.
    pub fn accept_each(&mut self, ticket: Ticket, replies: Vec<Reply>) -> Result<(), SessionError> {
        let want = match (&self.pending, self.cfg.lmtp) {
            (Some((_, Pending::Message)), true) => self.txn.as_ref().map_or(0, |t| t.rcpts),
            _ => 1,
        };
        if replies.len() != want {
            return Err(SessionError::RecipientCount(ticket));
        }
        let p = self.take(ticket)?;
        self.resolve(p, Decision::Each(replies));
        Ok(())
    }

    /// Answers an [`Event::AuthVerify`].
    pub fn answer_auth(&mut self, ticket: Ticket, answer: Answer) -> Result<(), SessionError> {
        let p = self.take(ticket)?;
        match p {
            Pending::Auth(mut auth) => {
                let step = auth.answer(answer);
                self.auth_step(auth, step);
            }
            other => {
                let d = match answer {
                    Answer::Accept => Decision::Accept(None),
                    _ => Decision::Reject(Reply::try_later()),
                };
                self.resolve(other, d);
            }
        }
        Ok(())
    }

    /// The bytes to send.
    pub fn outgoing(&self) -> &[u8] {
        self.out.as_slice()
    }

    /// `n` bytes of [`outgoing`](Self::outgoing) were written.
    pub fn sent(&mut self, n: usize) {
        self.out.sent(n);
        if self.out.is_empty() {
            self.in_flight = 0;
        }
    }

    /// When to call [`timeout`](Self::timeout); `None` once closed.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Past the deadline: queues `421 4.4.2` and closes.
    pub fn timeout(&mut self, now: Instant) {
        match self.deadline {
            Some(d) if now >= d => {
                let text = format!("{} Error: timeout exceeded", self.cfg.hostname);
                self.fatal(
                    Reply::with_enhanced(
                        ReplyCode::SERVICE_UNAVAILABLE,
                        EnhancedCode::BAD_CONNECTION,
                        text,
                    ),
                    CloseReason::Timeout,
                );
            }
            _ => {}
        }
    }

    /// Closes with `421 4.3.2` (server shutting down).
    pub fn shutdown(&mut self) {
        let text = format!("{} Service shutting down", self.cfg.hostname);
        self.fatal(
            Reply::with_enhanced(
                ReplyCode::SERVICE_UNAVAILABLE,
                EnhancedCode::NOT_ACCEPTING,
                text,
            ),
            CloseReason::Shutdown,
        );
    }

    /// True once the farewell is queued.
    pub fn is_closed(&self) -> bool {
        matches!(self.mode, Mode::Closed)
    }

    /// The TLS handshake after [`Event::StartTls`] succeeded: the session
    /// starts over before EHLO (RFC 3207 §4.2), with TLS in force.
    pub fn tls_established(&mut self) {
        if let Mode::TlsWait = self.mode {
            self.rx.clear();
            self.framer.reset();
            self.mode = Mode::Command;
            let mut c = (*self.ctx).clone();
            c.tls = true;
            c.helo = None;
            c.esmtp = false;
            c.authenticated = None;
            self.ctx = Arc::new(c);
        }
    }

    // ---- internals ----

    fn ticket(&mut self, p: Pending) -> Ticket {
        self.seq += 1;
        self.pending = Some((self.seq, p));
        Ticket {
            session: self.id.clone(),
            seq: self.seq,
        }
    }

    fn take(&mut self, t: Ticket) -> Result<Pending, SessionError> {
        match &self.pending {
            Some((seq, _)) if Arc::ptr_eq(&t.session, &self.id) && t.seq == *seq => {}
            _ => return Err(SessionError::ForeignTicket(t)),
        }
        match self.pending.take() {
            Some((_, p)) => Ok(p),
            None => Err(SessionError::ForeignTicket(t)),
        }
    }

    fn enhanced(&self) -> bool {
        self.cfg.extensions.enhanced_status_codes
    }

    fn send(&mut self, r: &Reply) {
        let enh = self.enhanced();
        r.encode(enh, self.out.buf_mut());
        self.in_flight += 1;
    }

    fn send_parts(&mut self, code: ReplyCode, enh: EnhancedCode, text: &str) {
        let r = Reply::with_enhanced(code, enh, Cow::Owned(text.to_owned()));
        self.send(&r);
    }

    fn greet(&mut self) {
        let r = Reply::new(
            ReplyCode::SERVICE_READY,
            Cow::Owned(self.cfg.texts.greeting.clone()),
        );
        r.encode(false, self.out.buf_mut());
    }

    fn fatal(&mut self, r: Reply, reason: CloseReason) {
        if let Mode::Closed = self.mode {
            return;
        }
        self.send(&r);
        self.close(reason);
    }

    fn close(&mut self, reason: CloseReason) {
        self.mode = Mode::Closed;
        self.close_reason = Some(reason);
        self.pending = None;
        self.deadline = None;
        self.rx.clear();
        if self.txn.take().is_some() {
            self.events.push(Event::Reset);
        }
    }

    /// A reply that counts as an error; closes at the limit.
    fn error(&mut self, r: &Reply) {
        self.send(r);
        self.errors += 1;
        if self.errors >= self.cfg.limits.max_bad_commands {
            let text = format!("{} Error: too many errors", self.cfg.hostname);
            self.fatal(
                Reply::with_enhanced(
                    ReplyCode::SERVICE_UNAVAILABLE,
                    EnhancedCode::TEMP_SECURITY,
                    text,
                ),
                CloseReason::TooManyErrors,
            );
        }
    }

    fn bad_sequence(&mut self, text: &'static str) {
        self.error(&Reply::with_enhanced(
            ReplyCode::BAD_SEQUENCE,
            EnhancedCode::INVALID_COMMAND,
            text,
        ));
    }

    fn not_implemented(&mut self) {
        self.error(&Reply::with_enhanced(
            ReplyCode::NOT_IMPLEMENTED,
            EnhancedCode::INVALID_COMMAND,
            "Command not implemented",
        ));
    }

    fn junk(&mut self) -> bool {
        self.junk += 1;
        if self.junk > self.cfg.limits.max_junk_commands {
            let text = format!("{} Error: too many junk commands", self.cfg.hostname);
            self.fatal(
                Reply::with_enhanced(
                    ReplyCode::SERVICE_UNAVAILABLE,
                    EnhancedCode::TEMP_SECURITY,
                    text,
                ),
                CloseReason::TooManyJunk,
            );
            return true;
        }
        false
    }

    fn reset_txn(&mut self) {
        if self.txn.take().is_some() {
            self.events.push(Event::Reset);
        }
    }

    fn set_ctx(&mut self, f: impl FnOnce(&mut Context)) {
        let mut c = (*self.ctx).clone();
        f(&mut c);
        self.ctx = Arc::new(c);
    }

    fn advance(&mut self) -> Progress {
        match self.mode {
            Mode::Connect | Mode::TlsWait | Mode::Closed => Progress::Blocked,
            Mode::Proxy => self.proxy_header(),
            Mode::Command => {
                if self.out.is_full() || self.in_flight >= self.cfg.limits.max_pipelined_commands {
                    return Progress::Blocked;
                }
                match self.framer.next_line(&mut self.rx) {
                    None => Progress::Blocked,
                    Some(Line::TooLong { .. }) => {
                        self.error(&ParseError::LineTooLong.reply());
                        Progress::Continue
                    }
                    Some(Line::Complete(line)) => self.command(&line),
                }
            }
            Mode::Data => match self.unstuffer.next(&mut self.rx) {
                None => Progress::Blocked,
                Some(Body::Chunk(b)) => {
                    if let Some(p) = self.check_text_lines(&b) {
                        return p;
                    }
                    self.body_chunk(b)
                }
                Some(Body::End) => self.data_end(),
            },
            Mode::Bdat {
                remaining,
                size,
                last,
            } => {
                if remaining == 0 {
                    return self.bdat_end(size, last);
                }
                let n = usize::try_from(remaining)
                    .unwrap_or(usize::MAX)
                    .min(self.rx.len());
                if n == 0 {
                    return Progress::Blocked;
                }
                let chunk = self.rx.split_to(n).freeze();
                self.mode = Mode::Bdat {
                    remaining: remaining - n as u64,
                    size,
                    last,
                };
                self.body_chunk(chunk)
            }
            Mode::AuthLine(_) => {
                if self.out.is_full() {
                    return Progress::Blocked;
                }
                let line = match self.framer.next_line(&mut self.rx) {
                    None => return Progress::Blocked,
                    Some(l) => l,
                };
                let Mode::AuthLine(auth) = std::mem::replace(&mut self.mode, Mode::Command) else {
                    return Progress::Continue;
                };
                self.auth_line(auth, line)
            }
        }
    }

    fn body_chunk(&mut self, b: Bytes) -> Progress {
        let max = self.cfg.limits.max_message_octets;
        if self.bdat_refusal.is_some() {
            return Progress::Continue;
        }
        let Some(txn) = self.txn.as_mut() else {
            // BDAT outside a transaction: drained, answered at its end.
            return Progress::Continue;
        };
        if txn.failed.is_some() {
            return Progress::Continue;
        }
        txn.octets += b.len() as u64;
        if txn.octets > max {
            let r = Reply::too_big();
            txn.failed = Some(r.clone());
            return Progress::Event(Event::MessageRejected(r));
        }
        Progress::Event(Event::BodyChunk(b))
    }

    /// The text-line limit over one DATA chunk: fails the transaction (once)
    /// when a line runs past `max_text_line_octets`.
    fn check_text_lines(&mut self, chunk: &[u8]) -> Option<Progress> {
        let limit = self.cfg.limits.max_text_line_octets;
        if limit == 0 {
            return None;
        }
        // Octets before a line's LF, its CR included, may be at most
        // limit - 1: CRLF counts two, a bare LF one.
        if !line_reaches(&mut self.text_line, chunk, limit) {
            return None;
        }
        let txn = self.txn.as_mut()?;
        if txn.failed.is_some() {
            return None;
        }
        let r = Reply::with_enhanced(
            ReplyCode::SYNTAX_ERROR,
            EnhancedCode::MEDIA,
            "Line too long",
        );
        txn.failed = Some(r.clone());
        Some(Progress::Event(Event::MessageRejected(r)))
    }

    fn data_end(&mut self) -> Progress {
        self.mode = Mode::Command;
        self.framer.reset();
        self.text_line = 0;
        let bare = self.unstuffer.bare_eol_seen() && self.cfg.bare_eol == BareEol::Reject;
        let Some(txn) = self.txn.as_mut() else {
            return Progress::Continue;
        };
        if txn.failed.is_none() && bare {
            let r = Reply::with_enhanced(
                ReplyCode::MAILBOX_UNAVAILABLE,
                EnhancedCode::BARE_EOL,
                "Bare CR or LF in message body not allowed",
            );
            txn.failed = Some(r.clone());
            self.events.push(Event::MessageRejected(r));
        }
        self.message_end()
    }

    fn message_end(&mut self) -> Progress {
        let Some(txn) = self.txn.as_mut() else {
            return Progress::Continue;
        };
        if let Some(r) = txn.failed.take() {
            let n = if self.cfg.lmtp { txn.rcpts.max(1) } else { 1 };
            self.txn = None;
            for _ in 0..n {
                self.send(&r);
            }
            return Progress::Continue;
        }
        let octets = txn.octets;
        let ticket = self.ticket(Pending::Message);
        Progress::Event(Event::BodyEnd { ticket, octets })
    }

    fn bdat_end(&mut self, size: u64, last: bool) -> Progress {
        self.mode = Mode::Command;
        self.framer.reset();
        if let Some(r) = self.bdat_refusal.take() {
            self.error(&r);
            return Progress::Continue;
        }
        let Some(txn) = self.txn.as_mut() else {
            return Progress::Continue;
        };
        if last {
            if txn.failed.is_none() && txn.rcpts == 0 {
                txn.failed = Some(Reply::with_enhanced(
                    ReplyCode::TRANSACTION_FAILED,
                    EnhancedCode::INVALID_COMMAND,
                    Cow::Owned(self.cfg.texts.no_recipients.clone()),
                ));
            }
            return self.message_end();
        }
        if let Some(r) = txn.failed.clone() {
            self.send(&r);
        } else {
            let mut t = BytesMut::with_capacity(24);
            put_num(size, &mut t);
            t.put_slice(b" octets received");
            let text = String::from_utf8_lossy(&t).into_owned();
            self.send_parts(ReplyCode::OK, EnhancedCode::OK, &text);
        }
        Progress::Continue
    }

    fn resolve(&mut self, p: Pending, d: Decision) {
        match p {
            Pending::Connect => match d {
                Decision::Accept(r) => {
                    self.mode = Mode::Command;
                    match r {
                        Some(r) => r.encode(false, self.out.buf_mut()),
                        None => self.greet(),
                    }
                }
                Decision::Reject(r) => {
                    r.encode(false, self.out.buf_mut());
                    self.close(CloseReason::Refused);
                }
                Decision::Each(rs) => self.resolve_first(Pending::Connect, rs),
            },
            Pending::Helo { host, esmtp } => match d {
                Decision::Accept(r) => {
                    let first = r
                        .and_then(|r| r.lines().first().cloned())
                        .unwrap_or_else(|| Cow::Owned(self.cfg.texts.helo.clone()));
                    let reply = if esmtp {
                        self.ehlo_reply(first)
                    } else {
                        Reply::new(ReplyCode::OK, first)
                    };
                    reply.encode(false, self.out.buf_mut());
                    self.in_flight += 1;
                    self.set_ctx(|c| {
                        c.helo = Some(host);
                        c.esmtp = esmtp;
                    });
                }
                Decision::Reject(r) => self.send(&r),
                Decision::Each(rs) => self.resolve_first(Pending::Helo { host, esmtp }, rs),
            },
            Pending::Mail { from, params } => match d {
                Decision::Accept(r) => {
                    let r = r.unwrap_or_else(|| {
                        Reply::with_enhanced(ReplyCode::OK, EnhancedCode::SENDER_OK, "OK")
                    });
                    self.send(&r);
                    let _ = (from, &params);
                    self.txn = Some(Txn {
                        binary: params.body == Some(BodyType::BinaryMime),
                        smtputf8: params.smtputf8,
                        ..Txn::default()
                    });
                }
                Decision::Reject(r) => self.send(&r),
                Decision::Each(rs) => self.resolve_first(Pending::Mail { from, params }, rs),
            },
            Pending::Rcpt => match d {
                Decision::Accept(r) => {
                    let r = r.unwrap_or_else(|| {
                        Reply::with_enhanced(ReplyCode::OK, EnhancedCode::RECIPIENT_OK, "OK")
                    });
                    self.send(&r);
                    if let Some(t) = self.txn.as_mut() {
                        t.rcpts += 1;
                    }
                }
                Decision::Reject(r) => self.send(&r),
                Decision::Each(rs) => self.resolve_first(Pending::Rcpt, rs),
            },
            Pending::Message => {
                let n = if self.cfg.lmtp {
                    self.txn.as_ref().map_or(1, |t| t.rcpts.max(1))
                } else {
                    1
                };
                self.txn = None;
                match d {
                    Decision::Accept(r) => {
                        let r = r.unwrap_or_else(|| {
                            Reply::with_enhanced(ReplyCode::OK, EnhancedCode::OK, "OK")
                        });
                        for _ in 0..n {
                            self.send(&r);
                        }
                    }
                    Decision::Reject(r) => {
                        for _ in 0..n {
                            self.send(&r);
                        }
                    }
                    Decision::Each(rs) => {
                        for r in &rs {
                            self.send(r);
                        }
                    }
                }
            }
            Pending::Auth(mut auth) => {
                let answer = match d {
                    Decision::Accept(_) => Answer::Accept,
                    Decision::Reject(_) => Answer::Reject,
                    Decision::Each(_) => Answer::Reject,
                };
                let step = auth.answer(answer);
                self.auth_step(auth, step);
            }
        }
    }

    fn resolve_first(&mut self, p: Pending, rs: Vec<Reply>) {
        let d = match rs.into_iter().next() {
            Some(r) if r.code().is_positive() => Decision::Accept(Some(r)),
            Some(r) => Decision::Reject(r),
            None => Decision::Accept(None),
        };
        self.resolve(p, d);
    }

    /// The EHLO/LHLO reply: first line, then the capabilities in force.
    fn ehlo_reply(&self, first: Cow<'static, str>) -> Reply {
        let e = &self.cfg.extensions;
        let tls = self.ctx.tls;
        let mut lines: Vec<Cow<'static, str>> = vec![first];
        if e.pipelining || self.cfg.lmtp {
            lines.push("PIPELINING".into());
        }
        if e.eightbitmime {
            lines.push("8BITMIME".into());
        }
        match e.size {
            SizeAnnounce::Off => {}
            SizeAnnounce::Bare => lines.push("SIZE".into()),
            SizeAnnounce::Limit => {
                lines.push(format!("SIZE {}", self.cfg.limits.max_message_octets).into())
            }
        }
        if e.dsn {
            lines.push("DSN".into());
        }
        if e.binarymime {
            lines.push("BINARYMIME".into());
        }
        if e.chunking {
            lines.push("CHUNKING".into());
        }
        if e.smtputf8 {
            lines.push("SMTPUTF8".into());
        }
        let mechs = self.offered_mechanisms();
        if !mechs.is_empty() {
            let mut s = String::from("AUTH");
            for m in mechs {
                s.push(' ');
                s.push_str(m.name());
            }
            lines.push(s.into());
        }
        if e.enhanced_status_codes {
            lines.push("ENHANCEDSTATUSCODES".into());
        }
        if e.starttls && !tls {
            lines.push("STARTTLS".into());
        }
        if e.requiretls && tls {
            lines.push("REQUIRETLS".into());
        }
        if e.help {
            lines.push("HELP".into());
        }
        if self.xclient_allowed() {
            lines.push("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT".into());
        }
        Reply::multiline(ReplyCode::OK, None, lines)
    }

    fn offered_mechanisms(&self) -> Vec<Mechanism> {
        let plain_ok = self.ctx.tls || self.cfg.danger_plaintext_auth_without_tls;
        self.cfg
            .auth_mechanisms
            .iter()
            .copied()
            .filter(|m| plain_ok || !m.is_plaintext())
            .collect()
    }

    fn command(&mut self, line: &[u8]) -> Progress {
        let cmd = match parse_command(line) {
            Ok(c) => c,
            Err(e) => {
                self.error(&e.reply());
                return Progress::Continue;
            }
        };
        if self.cfg.forbid_unauth_pipelining && !self.ctx.esmtp && !self.rx.is_empty() {
            self.fatal(
                Reply::with_enhanced(
                    ReplyCode::TRANSACTION_FAILED,
                    EnhancedCode::PROTOCOL,
                    "Error: SMTP protocol synchronization",
                ),
                CloseReason::UnauthPipelining,
            );
            return Progress::Continue;
        }
        let helo_done = self.ctx.helo.is_some();
        match cmd {
            Command::Ehlo(host) | Command::Helo(host) if self.cfg.lmtp => {
                let _ = host;
                self.error(&ParseError::UnknownCommand.reply());
                Progress::Continue
            }
            Command::Lhlo(_) if !self.cfg.lmtp => {
                self.not_implemented();
                Progress::Continue
            }
            Command::Ehlo(host) | Command::Lhlo(host) => self.helo(host, true),
            Command::Helo(host) => self.helo(host, false),
            Command::Mail { from, params } => {
                if !helo_done {
                    self.bad_sequence("Send EHLO/HELO first");
                    return Progress::Continue;
                }
                if self.txn.is_some() {
                    self.bad_sequence("Nested MAIL command");
                    return Progress::Continue;
                }
                if self.cfg.require_tls && !self.ctx.tls {
                    self.send_parts(
                        ReplyCode::AUTH_REQUIRED,
                        EnhancedCode::STARTTLS_FIRST,
                        "Must issue a STARTTLS command first",
                    );
                    return Progress::Continue;
                }
                if self.cfg.require_auth && self.ctx.authenticated.is_none() {
                    self.send_parts(
                        ReplyCode::AUTH_REQUIRED,
                        EnhancedCode::STARTTLS_FIRST,
                        "Authentication required",
                    );
                    return Progress::Continue;
                }
                if let Some(r) = self.check_mail(&from, &params) {
                    self.error(&r);
                    return Progress::Continue;
                }
                let context = self.ctx.clone();
                let ticket = self.ticket(Pending::Mail {
                    from: from.clone(),
                    params: params.clone(),
                });
                Progress::Event(Event::MailFrom {
                    ticket,
                    from,
                    params,
                    context,
                })
            }
            Command::Rcpt { to, params } => {
                let max = self.cfg.limits.max_recipients;
                let dsn = self.cfg.extensions.dsn;
                let Some(txn) = self.txn.as_mut() else {
                    self.bad_sequence("Need MAIL before RCPT");
                    return Progress::Continue;
                };
                if txn.bdat {
                    self.bad_sequence("RCPT after BDAT");
                    return Progress::Continue;
                }
                txn.rcpt_tried = true;
                if txn.rcpts >= max {
                    self.send(&Reply::too_many_recipients());
                    return Progress::Continue;
                }
                if !dsn && (params.notify.is_some() || params.orcpt.is_some()) {
                    self.error(&ParseError::UnknownParameter("NOTIFY/ORCPT".into()).reply());
                    return Progress::Continue;
                }
                let utf8_ok = txn.smtputf8;
                if matches!(&to, ForwardPath::Mailbox(m) if m.is_utf8()) && !utf8_ok {
                    self.send_parts(
                        ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                        EnhancedCode::NON_ASCII_ADDRESS,
                        "Non-ASCII addresses need SMTPUTF8",
                    );
                    return Progress::Continue;
                }
                let context = self.ctx.clone();
                let ticket = self.ticket(Pending::Rcpt);
                Progress::Event(Event::RcptTo {
                    ticket,
                    to,
                    params,
                    context,
                })
            }
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                if self.junk() {
                    return Progress::Continue;
                }
                self.reset_txn();
                self.send_parts(ReplyCode::OK, EnhancedCode::OK, "OK");
                Progress::Continue
            }
            Command::Noop(_) => {
                if !self.junk() {
                    self.send_parts(ReplyCode::OK, EnhancedCode::OK, "OK");
                }
                Progress::Continue
            }
            Command::Quit => {
                let text = self.cfg.texts.closing.clone();
                let r = Reply::with_enhanced(ReplyCode::CLOSING, EnhancedCode::OK, text);
                self.send(&r);
                self.close(CloseReason::Quit);
                Progress::Continue
            }
            Command::Vrfy(_) => {
                if !self.junk() {
                    self.send_parts(
                        ReplyCode::CANNOT_VRFY,
                        EnhancedCode::new(2, 5, 0).unwrap_or(EnhancedCode::OK),
                        "Cannot VRFY user, but will accept message and attempt delivery",
                    );
                }
                Progress::Continue
            }
            Command::Expn(_) => {
                if !self.junk() {
                    self.not_implemented();
                }
                Progress::Continue
            }
            Command::Help(_) => {
                if self.junk() {
                    return Progress::Continue;
                }
                if self.cfg.extensions.help {
                    self.send_parts(
                        ReplyCode::HELP,
                        EnhancedCode::OK,
                        "See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)",
                    );
                } else {
                    self.not_implemented();
                }
                Progress::Continue
            }
            Command::StartTls => self.starttls(),
            Command::Xclient(attrs) => self.xclient(attrs),
            Command::Auth { mechanism, initial } => self.auth(&mechanism, initial.as_deref()),
        }
    }

    /// XCLIENT from a trusted front end: takes the attributes it passes on,
    /// then greets again as for a new connection (Postfix's behaviour).
    fn xclient(&mut self, attrs: Vec<(String, String)>) -> Progress {
        if !self.xclient_allowed() {
            self.error(&Reply::with_enhanced(
                ReplyCode::MAILBOX_UNAVAILABLE,
                EnhancedCode::SECURITY,
                "Error: insufficient authorization",
            ));
            return Progress::Continue;
        }
        if self.txn.is_some() {
            self.bad_sequence("Error: MAIL transaction in progress");
            return Progress::Continue;
        }
        let mut c = (*self.ctx).clone();
        let mut port = None;
        let mut dest_port = None;
        for (name, value) in attrs {
            let unknown = value.eq_ignore_ascii_case("[UNAVAILABLE]")
                || value.eq_ignore_ascii_case("[TEMPUNAVAIL]");
            let ok = match name.as_str() {
                "ADDR" if unknown => {
                    c.remote = None;
                    true
                }
                "ADDR" => match xclient_ip(&value) {
                    Some(ip) => {
                        c.remote = Some(SocketAddr::new(ip, c.remote.map_or(0, |a| a.port())));
                        true
                    }
                    None => false,
                },
                "PORT" | "DESTPORT" if unknown => true,
                "PORT" => value.parse::<u16>().map(|p| port = Some(p)).is_ok(),
                "DESTPORT" => value.parse::<u16>().map(|p| dest_port = Some(p)).is_ok(),
                "DESTADDR" if unknown => true,
                "DESTADDR" => match xclient_ip(&value) {
                    Some(ip) => {
                        c.local = Some(SocketAddr::new(ip, c.local.map_or(0, |a| a.port())));
                        true
                    }
                    None => false,
                },
                "NAME" => {
                    c.client_name = (!unknown).then_some(value);
                    true
                }
                "LOGIN" => {
                    c.authenticated = (!unknown && !value.is_empty()).then_some(value);
                    true
                }
                "HELO" | "PROTO" => true,
                _ => false,
            };
            if !ok {
                self.error(&Reply::with_enhanced(
                    ReplyCode::PARAM_SYNTAX_ERROR,
                    EnhancedCode::INVALID_ARGUMENTS,
                    "Bad XCLIENT attribute or value",
                ));
                return Progress::Continue;
            }
        }
        if let (Some(p), Some(a)) = (port, c.remote.as_mut()) {
            a.set_port(p);
        }
        if let (Some(p), Some(a)) = (dest_port, c.local.as_mut()) {
            a.set_port(p);
        }
        // A new session for the client the front end speaks for: EHLO again.
        c.helo = None;
        c.esmtp = false;
        self.ctx = Arc::new(c);
        self.greet();
        Progress::Continue
    }

    /// Whether the (real) peer may use XCLIENT.
    fn xclient_allowed(&self) -> bool {
        !self.cfg.xclient_trusted.is_empty()
            && self
                .ctx
                .remote
                .is_some_and(|a| trusted(&self.cfg.xclient_trusted, a.ip()))
    }

    fn helo(&mut self, host: Host, esmtp: bool) -> Progress {
        // RFC 5321 §4.1.4: EHLO/HELO in a transaction resets it.
        self.reset_txn();
        let context = self.ctx.clone();
        let ticket = self.ticket(Pending::Helo {
            host: host.clone(),
            esmtp,
        });
        Progress::Event(Event::Helo {
            ticket,
            host,
            esmtp,
            context,
        })
    }

    /// Checks MAIL parameters against the extensions in force and the limits.
    fn check_mail(&self, from: &ReversePath, p: &MailParams) -> Option<Reply> {
        let e = &self.cfg.extensions;
        let unknown = |name: &str| Some(ParseError::UnknownParameter(name.to_owned()).reply());
        if p.size.is_some() && e.size == SizeAnnounce::Off {
            return unknown("SIZE");
        }
        match p.body {
            None => {}
            Some(BodyType::SevenBit) | Some(BodyType::EightBitMime) if e.eightbitmime => {}
            Some(BodyType::BinaryMime) if e.binarymime => {}
            Some(_) => return unknown("BODY"),
        }
        if p.smtputf8 && !e.smtputf8 {
            return unknown("SMTPUTF8");
        }
        if p.auth.is_some() && self.cfg.auth_mechanisms.is_empty() {
            return unknown("AUTH");
        }
        if (p.ret.is_some() || p.envid.is_some()) && !e.dsn {
            return unknown("RET/ENVID");
        }
        if p.requiretls {
            if !e.requiretls {
                return unknown("REQUIRETLS");
            }
            if !self.ctx.tls {
                return Some(Reply::with_enhanced(
                    ReplyCode::AUTH_REQUIRED,
                    EnhancedCode::new(5, 7, 10).unwrap_or(EnhancedCode::SECURITY),
                    "REQUIRETLS needs a TLS session",
                ));
            }
        }
        if matches!(from, ReversePath::Mailbox(m) if m.is_utf8()) && !p.smtputf8 {
            return Some(Reply::with_enhanced(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                EnhancedCode::NON_ASCII_ADDRESS,
                "Non-ASCII addresses need SMTPUTF8",
            ));
        }
        if p.size
            .is_some_and(|n| n > self.cfg.limits.max_message_octets)
        {
            return Some(Reply::too_big());
        }
        None
    }

    fn data(&mut self) -> Progress {
        let Some(txn) = self.txn.as_ref() else {
            self.bad_sequence("Need MAIL command");
            return Progress::Continue;
        };
        if txn.bdat {
            self.bad_sequence("DATA after BDAT");
            return Progress::Continue;
        }
        if txn.binary {
            self.bad_sequence("BODY=BINARYMIME needs BDAT");
            return Progress::Continue;
        }
        if txn.rcpts == 0 {
            if txn.rcpt_tried {
                let text = self.cfg.texts.no_recipients.clone();
                let r = Reply::with_enhanced(
                    ReplyCode::TRANSACTION_FAILED,
                    EnhancedCode::INVALID_COMMAND,
                    text,
                );
                self.error(&r);
            } else {
                self.bad_sequence("Need RCPT command");
            }
            return Progress::Continue;
        }
        let r = Reply::new(
            ReplyCode::START_MAIL_INPUT,
            Cow::Owned(self.cfg.texts.data.clone()),
        );
        self.send(&r);
        self.unstuffer.reset();
        self.mode = Mode::Data;
        Progress::Continue
    }

    fn bdat(&mut self, size: u64, last: bool) -> Progress {
        // The chunk is read to its end whatever the answer, so the
        // stream stays in sync (RFC 3030 §2).
        self.mode = Mode::Bdat {
            remaining: size,
            size,
            last,
        };
        let max = self.cfg.limits.max_message_octets;
        let refusal = if !self.cfg.extensions.chunking {
            Some(Reply::with_enhanced(
                ReplyCode::NOT_IMPLEMENTED,
                EnhancedCode::INVALID_COMMAND,
                "Command not implemented",
            ))
        } else if self.txn.is_none() {
            Some(Reply::with_enhanced(
                ReplyCode::BAD_SEQUENCE,
                EnhancedCode::INVALID_COMMAND,
                "Need MAIL command",
            ))
        } else {
            None
        };
        if let Some(r) = refusal {
            // No transaction: the chunk is drained, then answered.
            self.bdat_refusal = Some(r);
            return Progress::Continue;
        }
        let Some(txn) = self.txn.as_mut() else {
            return Progress::Continue;
        };
        txn.bdat = true;
        if txn.failed.is_none() {
            if txn.rcpts == 0 {
                txn.failed = Some(Reply::with_enhanced(
                    ReplyCode::TRANSACTION_FAILED,
                    EnhancedCode::INVALID_COMMAND,
                    Cow::Owned(self.cfg.texts.no_recipients.clone()),
                ));
            } else if txn.octets.saturating_add(size) > max {
                let r = Reply::too_big();
                txn.failed = Some(r.clone());
                return Progress::Event(Event::MessageRejected(r));
            }
        }
        Progress::Continue
    }

    fn starttls(&mut self) -> Progress {
        if !self.cfg.extensions.starttls || self.ctx.tls {
            self.not_implemented();
            return Progress::Continue;
        }
        if self.ctx.helo.is_none() || !self.ctx.esmtp {
            self.bad_sequence("Send EHLO first");
            return Progress::Continue;
        }
        self.reset_txn();
        self.send_parts(
            ReplyCode::SERVICE_READY,
            EnhancedCode::OK,
            "Ready to start TLS",
        );
        // CVE-2011-0411: nothing received after the command line survives.
        self.rx.clear();
        self.framer.reset();
        self.mode = Mode::TlsWait;
        Progress::Event(Event::StartTls)
    }

    fn auth(&mut self, mechanism: &str, initial: Option<&str>) -> Progress {
        if self.cfg.auth_mechanisms.is_empty() {
            self.not_implemented();
            return Progress::Continue;
        }
        if self.ctx.helo.is_none() || !self.ctx.esmtp {
            self.bad_sequence("Send EHLO first");
            return Progress::Continue;
        }
        if self.txn.is_some() {
            self.bad_sequence("AUTH not allowed during a mail transaction");
            return Progress::Continue;
        }
        if self.ctx.authenticated.is_some() {
            self.bad_sequence("Already authenticated");
            return Progress::Continue;
        }
        if self.cfg.require_tls && !self.ctx.tls {
            self.send_parts(
                ReplyCode::AUTH_REQUIRED,
                EnhancedCode::STARTTLS_FIRST,
                "Must issue a STARTTLS command first",
            );
            return Progress::Continue;
        }
        let mech = match Mechanism::from_name(mechanism.as_bytes()) {
            Ok(m) if self.cfg.auth_mechanisms.contains(&m) => m,
            _ => {
                self.error(&Reply::with_enhanced(
                    ReplyCode::PARAM_NOT_IMPLEMENTED,
                    EnhancedCode::INVALID_ARGUMENTS,
                    "Unrecognized authentication type",
                ));
                return Progress::Continue;
            }
        };
        if mech.is_plaintext() && !self.ctx.tls && !self.cfg.danger_plaintext_auth_without_tls {
            self.send_parts(
                ReplyCode::ENCRYPTION_REQUIRED,
                EnhancedCode::ENCRYPTION_REQUIRED,
                "Encryption required for requested authentication mechanism",
            );
            return Progress::Continue;
        }
        let ir = match initial.map(|s| wire::decode_initial_response(s.as_bytes())) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                self.error(&Reply::with_enhanced(
                    ReplyCode::PARAM_SYNTAX_ERROR,
                    EnhancedCode::SYNTAX,
                    "Invalid base64 data",
                ));
                return Progress::Continue;
            }
        };
        // A distinct nonce per attempt: the session's entropy with the
        // attempt number folded into its last octet.
        let mut e = self.entropy;
        if let Some(last) = e.last_mut() {
            *last ^= self.auth_attempts;
        }
        self.auth_attempts = self.auth_attempts.wrapping_add(1);
        let mut auth = Authenticator::new(mech, Nonce::from_entropy(e), &self.cfg.hostname)
            .success_data_as_challenge();
        let step = auth.start(ir.as_deref());
        self.auth_step(Box::new(auth), step);
        Progress::Continue
    }

    fn auth_line(&mut self, auth: Box<Authenticator>, line: Line) -> Progress {
        self.framer
            .set_max_line_octets(self.cfg.limits.max_command_line_octets);
        let line = match line {
            Line::Complete(l) => l,
            Line::TooLong { .. } => {
                self.error(&Reply::with_enhanced(
                    ReplyCode::SYNTAX_ERROR,
                    EnhancedCode::AUTH_LINE_TOO_LONG,
                    "Authentication exchange line is too long",
                ));
                return Progress::Continue;
            }
        };
        match wire::decode_response(&line) {
            Ok(wire::Response::Cancel) => {
                self.error(&Reply::with_enhanced(
                    ReplyCode::PARAM_SYNTAX_ERROR,
                    EnhancedCode::SECURITY,
                    "Authentication cancelled",
                ));
            }
            Ok(wire::Response::Data(d)) => {
                let mut auth = auth;
                let step = auth.step(&d);
                self.auth_step(auth, step);
            }
            Err(_) => {
                self.error(&Reply::with_enhanced(
                    ReplyCode::PARAM_SYNTAX_ERROR,
                    EnhancedCode::SYNTAX,
                    "Invalid base64 data",
                ));
            }
        }
        Progress::Continue
    }

    fn auth_step(&mut self, auth: Box<Authenticator>, step: Step) {
        let mechanism = auth.mechanism();
        match step {
            Step::Challenge(c) => {
                let r = Reply::new(ReplyCode::AUTH_CHALLENGE, wire::encode_challenge(&c));
                r.encode(false, self.out.buf_mut());
                self.in_flight += 1;
                self.framer
                    .set_max_line_octets(self.cfg.limits.max_auth_line_octets);
                self.mode = Mode::AuthLine(auth);
            }
            Step::Verify(verify) => {
                let ticket = self.ticket(Pending::Auth(auth));
                self.events.push(Event::AuthVerify {
                    ticket,
                    mechanism,
                    verify,
                });
            }
            Step::Success(s) => {
                self.send_parts(
                    ReplyCode::AUTH_OK,
                    EnhancedCode::SECURITY_OK,
                    "Authentication successful",
                );
                let id = s.authzid.clone().or_else(|| s.authcid.clone());
                self.set_ctx(|c| c.authenticated = id.or_else(|| Some(String::new())));
                self.events.push(Event::Authenticated {
                    mechanism,
                    authcid: s.authcid,
                    authzid: s.authzid,
                });
            }
            Step::Failure(f) => match f.kind() {
                FailureKind::Malformed => self.error(&Reply::with_enhanced(
                    ReplyCode::PARAM_SYNTAX_ERROR,
                    EnhancedCode::SYNTAX,
                    "Malformed authentication data",
                )),
                FailureKind::Temporary => self.send_parts(
                    ReplyCode::TEMP_AUTH_FAILURE,
                    EnhancedCode::TEMP_SECURITY,
                    "Temporary authentication failure",
                ),
                FailureKind::Rejected => {
                    self.send_parts(
                        ReplyCode::AUTH_INVALID,
                        EnhancedCode::AUTH_CREDENTIALS,
                        "Authentication credentials invalid",
                    );
                    self.auth_failures += 1;
                    if self.auth_failures >= self.cfg.limits.max_auth_failures {
                        let text = format!(
                            "{} Error: too many authentication failures",
                            self.cfg.hostname
                        );
                        self.fatal(
                            Reply::with_enhanced(
                                ReplyCode::SERVICE_UNAVAILABLE,
                                EnhancedCode::TEMP_SECURITY,
                                text,
                            ),
                            CloseReason::TooManyAuthFailures,
                        );
                    }
                }
            },
        }
    }
}

enum Progress {
    Event(Event),
    Continue,
    Blocked,
}

enum Decision {
    Accept(Option<Reply>),
    Reject(Reply),
    Each(Vec<Reply>),
}

/// Updates `run` (the octets of the current line so far) over `chunk` and
/// says whether some line reached `limit` octets before its LF (a CR
/// before the LF counted), the unfinished last line as it stands included.
///
/// It strides instead of visiting every LF: from each point it looks for
/// the *last* LF within the octets the current line may still take, so a
/// body of 70-octet lines costs one search per ~900 octets, not one per
/// line.
fn line_reaches(run: &mut usize, chunk: &[u8], limit: usize) -> bool {
    // Once a line is too long, `run` still follows the chunk to its end.
    let finish = |run: &mut usize, rest: &[u8]| {
        *run = match memchr::memrchr(b'\n', rest) {
            Some(lf) => rest.len() - lf - 1,
            None => run.saturating_add(rest.len()),
        };
        true
    };
    let mut pos = 0;
    loop {
        let rest = chunk.get(pos..).unwrap_or_default();
        if *run >= limit {
            return finish(run, rest);
        }
        // The next LF may come after at most `allowed` more octets.
        let allowed = limit - 1 - *run;
        let window = rest.get(..=allowed).unwrap_or(rest);
        match memchr::memrchr(b'\n', window) {
            // Every line ending in the window is within the limit.
            Some(lf) => {
                *run = 0;
                pos += lf + 1;
            }
            None if window.len() == rest.len() => {
                *run += rest.len();
                return *run >= limit;
            }
            None => return finish(run, rest),
        }
    }
}

/// An XCLIENT address: IPv4, or IPv6 with its `IPV6:` prefix.
fn xclient_ip(value: &str) -> Option<IpAddr> {
    match value.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("IPV6:") => {
            value.get(5..)?.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
        }
        _ => value.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

#[cfg(test)]
mod line_reaches_tests {
    use super::line_reaches;

    /// The plain definition, line by line.
    fn naive(run: &mut usize, chunk: &[u8], limit: usize) -> bool {
        let mut hit = false;
        for &b in chunk {
            if b == b'\n' {
                hit |= *run >= limit;
                *run = 0;
            } else {
                *run += 1;
            }
        }
        hit || *run >= limit
    }

    #[test]
    fn strides_agree_with_the_definition() {
        let mut seed = 0x9e37_79b9_u32;
        for case in 0..2000 {
            let mut chunks = Vec::new();
            for _ in 0..4 {
                let mut c = Vec::new();
                for _ in 0..(seed % 300) {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    c.push(if seed.is_multiple_of(23) { b'\n' } else { b'x' });
                }
                chunks.push(c);
            }
            let limit = 1 + case % 40;
            let (mut a, mut b) = (0, 0);
            for c in &chunks {
                assert_eq!(
                    line_reaches(&mut a, c, limit),
                    naive(&mut b, c, limit),
                    "case {case}"
                );
                assert_eq!(a, b);
            }
        }
    }
}
