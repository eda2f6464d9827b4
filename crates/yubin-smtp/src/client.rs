//! The client session: an SMTP / LMTP sender as a sans-IO state machine.
//!
//! Greeting, EHLO (HELO fallback), STARTTLS then EHLO again, AUTH through
//! yubin-sasl, then transactions: MAIL, RCPT (pipelined when offered; every
//! reply checked), the body dot-stuffed after DATA or as BDAT chunks when
//! CHUNKING is offered, and one result per recipient (LMTP: one final
//! reply per accepted recipient). QUIT closes.
//!
//! Drive it like the server: [`Session::receive`] the server's bytes, drain
//! [`Session::next_event`], write [`Session::outgoing`] and call
//! [`Session::sent`].

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use yubin_sasl::client::{Client as SaslClient, Credentials};
use yubin_sasl::{Mechanism, Nonce, wire};
use yubin_wire::dot::Stuffer;
use yubin_wire::{Line, LineFramer, OutBuf};

use crate::parse::{ParseError, reply_from_lines};
use crate::types::{
    Command, ForwardPath, Host, MailParams, RcptParams, Reply, ReplyCode, ReversePath,
};

/// The client's own limits.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest reply line, CRLF included. Default 4096 (RFC 5321
    /// §4.5.3.1.5 requires 512; servers send longer EHLO lines). Memory:
    /// one line.
    pub max_reply_line_octets: usize,
    /// Lines per reply. Default 100. Memory: this many lines.
    pub max_reply_lines: usize,
    /// Send buffer; body chunks are taken only while it has room. Default 65 536.
    pub max_output_octets: usize,
    /// Receive buffer. Default 65 536.
    pub max_input_octets: usize,
    /// Time to wait for a reply before giving up. Default 300 s (RFC 5321
    /// §4.5.3.2 asks for 5 to 10 minutes).
    pub reply_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_reply_line_octets: 4096,
            max_reply_lines: 100,
            max_output_octets: 65_536,
            max_input_octets: 65_536,
            reply_timeout: Duration::from_secs(300),
        }
    }
}

/// What the client authenticates with.
#[derive(Debug)]
pub struct Auth {
    /// The mechanism; the server must offer it.
    pub mechanism: Mechanism,
    /// The credentials.
    pub credentials: Credentials,
    /// The SCRAM client nonce (caller entropy); other mechanisms ignore it.
    pub nonce: Nonce,
}

/// The client's settings.
#[derive(Debug)]
#[non_exhaustive]
pub struct Settings {
    /// Our name for EHLO/HELO/LHLO.
    pub helo: Host,
    /// LMTP (LHLO, per-recipient results after the body).
    pub lmtp: bool,
    /// Run STARTTLS when offered.
    pub starttls: bool,
    /// Fail with [`ClientError::TlsRequired`] instead of going on in the
    /// clear (and before any AUTH) when the server does not offer STARTTLS
    /// and the connection is not already under TLS. Default off
    /// (opportunistic TLS, as between MTAs); a submission client sets it.
    pub require_tls: bool,
    /// Authenticate after EHLO (after STARTTLS when that runs).
    pub auth: Option<Auth>,
    /// Use BDAT when CHUNKING is offered.
    pub use_chunking: bool,
    /// Use PIPELINING when offered.
    pub use_pipelining: bool,
    /// Limits.
    pub limits: Limits,
}

impl Settings {
    /// Defaults for a client named `helo`.
    pub fn new(helo: Host) -> Self {
        Self {
            helo,
            lmtp: false,
            starttls: true,
            require_tls: false,
            auth: None,
            use_chunking: true,
            use_pipelining: true,
            limits: Limits::default(),
        }
    }
}

/// What the server's EHLO reply offered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// True after EHLO/LHLO, false after the HELO fallback.
    pub esmtp: bool,
    /// SIZE and its value (0: none declared).
    pub size: Option<u64>,
    /// AUTH mechanisms (names as sent, upper-cased).
    pub auth: Vec<String>,
    /// PIPELINING.
    pub pipelining: bool,
    /// STARTTLS.
    pub starttls: bool,
    /// 8BITMIME.
    pub eightbitmime: bool,
    /// SMTPUTF8.
    pub smtputf8: bool,
    /// CHUNKING.
    pub chunking: bool,
    /// BINARYMIME.
    pub binarymime: bool,
    /// DSN.
    pub dsn: bool,
    /// ENHANCEDSTATUSCODES.
    pub enhanced_status_codes: bool,
    /// REQUIRETLS.
    pub requiretls: bool,
}

impl Capabilities {
    /// Reads the EHLO reply's keyword lines (all but the first).
    pub fn from_ehlo(reply: &Reply) -> Self {
        let mut c = Self {
            esmtp: true,
            ..Self::default()
        };
        for line in reply.lines().iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            let Some(kw) = words.next() else { continue };
            match kw.to_ascii_uppercase().as_str() {
                "SIZE" => c.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0)),
                "AUTH" => c.auth = words.map(str::to_ascii_uppercase).collect(),
                "PIPELINING" => c.pipelining = true,
                "STARTTLS" => c.starttls = true,
                "8BITMIME" => c.eightbitmime = true,
                "SMTPUTF8" => c.smtputf8 = true,
                "CHUNKING" => c.chunking = true,
                "BINARYMIME" => c.binarymime = true,
                "DSN" => c.dsn = true,
                "ENHANCEDSTATUSCODES" => c.enhanced_status_codes = true,
                "REQUIRETLS" => c.requiretls = true,
                _ => {}
            }
        }
        c
    }
}

/// A message envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path.
    pub from: ReversePath,
    /// MAIL parameters.
    pub params: MailParams,
    /// The recipients, in order.
    pub recipients: Vec<(ForwardPath, RcptParams)>,
}

/// Why the session failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server's reply could not be parsed.
    #[error("malformed reply: {0}")]
    Parse(#[from] ParseError),
    /// A reply line exceeded the limit.
    #[error("reply line too long")]
    LineTooLong,
    /// A reply had too many lines.
    #[error("too many reply lines")]
    TooManyLines,
    /// The server refused a step the session needs (greeting, EHLO, STARTTLS, AUTH).
    #[error("server refused: {0}")]
    Refused(Reply),
    /// The configured AUTH mechanism is not offered, or SASL failed.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// No reply in time.
    #[error("timed out waiting for a reply")]
    Timeout,
    /// TLS was required but the server does not offer STARTTLS.
    #[error("the server does not offer STARTTLS")]
    TlsRequired,
}

/// What the client session reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// Greeting, EHLO, STARTTLS and AUTH are done: call [`Session::send_mail`].
    Ready(Capabilities),
    /// STARTTLS accepted: flush `outgoing`, run the handshake, then call
    /// [`Session::tls_established`].
    StartTls,
    /// The envelope was accepted (MAIL and at least one RCPT): push the
    /// body with [`Session::send_body`], then [`Session::end_body`].
    SendBody,
    /// The transaction is over.
    Done(Outcome),
    /// The session failed; QUIT was queued when possible.
    Failed(ClientError),
    /// The server said goodbye (or the session failed): close the connection.
    Closed,
}

/// The result of one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The reply to MAIL FROM.
    pub mail: Reply,
    /// Each recipient's RCPT reply, in order.
    pub recipients: Vec<Reply>,
    /// The final replies: one (SMTP) or one per accepted recipient (LMTP);
    /// empty when the envelope was refused.
    pub data: Vec<Reply>,
}

impl Outcome {
    /// True when the message was accepted for at least one recipient.
    pub fn delivered(&self) -> bool {
        self.data.iter().any(|r| r.code().is_positive())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt,
    Data,
    BdatChunk,
    Final,
    Rset,
    Quit,
}

#[derive(Debug)]
enum Phase {
    Setup,
    Idle,
    Envelope,
    Body,
    AwaitFinal,
    TlsWait,
    Closed,
}

/// One SMTP (or LMTP) client session.
#[derive(Debug)]
pub struct Session {
    settings: Settings,
    rx: BytesMut,
    out: OutBuf,
    framer: LineFramer,
    lines: Vec<Bytes>,
    expect: VecDeque<Expect>,
    phase: Phase,
    caps: Capabilities,
    tls: bool,
    sasl: Option<SaslClient>,
    authenticated: bool,
    events: VecDeque<Event>,
    envelope: Option<Envelope>,
    outcome: Option<Outcome>,
    stuffer: Stuffer,
    bdat: bool,
    body_pending: Vec<Reply>,
    deadline: Option<Instant>,
}

impl Session {
    /// A new session; it waits for the greeting.
    pub fn new(settings: Settings, now: Instant, tls: bool) -> Self {
        let l = &settings.limits;
        Self {
            rx: BytesMut::new(),
            out: OutBuf::new(l.max_output_octets),
            framer: LineFramer::new(l.max_reply_line_octets),
            lines: Vec::new(),
            expect: VecDeque::from([Expect::Greeting]),
            phase: Phase::Setup,
            caps: Capabilities::default(),
            tls,
            sasl: None,
            authenticated: false,
            events: VecDeque::new(),
            envelope: None,
            outcome: None,
            stuffer: Stuffer::new(),
            bdat: false,
            body_pending: Vec::new(),
            deadline: Some(now + l.reply_timeout),
            settings,
        }
    }

    /// Takes bytes from the server; returns how many were taken.
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if matches!(self.phase, Phase::Closed | Phase::TlsWait) {
            return bytes.len();
        }
        let room = self
            .settings
            .limits
            .max_input_octets
            .saturating_sub(self.rx.len());
        let take = room.min(bytes.len());
        if let Some(b) = bytes.get(..take) {
            self.rx.extend_from_slice(b);
        }
        if take > 0 && !self.expect.is_empty() {
            self.deadline = Some(now + self.settings.limits.reply_timeout);
        }
        take
    }

    /// The next event.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Some(e);
            }
            if matches!(self.phase, Phase::Closed | Phase::TlsWait) {
                return None;
            }
            let reply = match self.next_reply() {
                Ok(Some(r)) => r,
                Ok(None) => return None,
                Err(e) => {
                    self.fail(e);
                    continue;
                }
            };
            self.on_reply(reply);
        }
    }

    /// The capabilities from the last EHLO.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Starts a transaction (after [`Event::Ready`] or [`Event::Done`]).
    /// With PIPELINING, MAIL, every RCPT and DATA go out at once.
    pub fn send_mail(&mut self, envelope: Envelope) -> Result<(), Box<Envelope>> {
        if !matches!(self.phase, Phase::Idle) || envelope.recipients.is_empty() {
            return Err(Box::new(envelope));
        }
        self.bdat = self.settings.use_chunking && self.caps.chunking;
        let pipe = self.settings.use_pipelining && self.caps.pipelining;
        self.outcome = Some(Outcome {
            mail: Reply::new(ReplyCode::OK, ""),
            recipients: Vec::new(),
            data: Vec::new(),
        });
        self.command(&Command::Mail {
            from: envelope.from.clone(),
            params: envelope.params.clone(),
        });
        self.expect.push_back(Expect::Mail);
        if pipe {
            for (to, params) in &envelope.recipients {
                self.command(&Command::Rcpt {
                    to: to.clone(),
                    params: params.clone(),
                });
                self.expect.push_back(Expect::Rcpt);
            }
            if !self.bdat {
                self.command(&Command::Data);
                self.expect.push_back(Expect::Data);
            }
        }
        self.envelope = Some(envelope);
        self.phase = Phase::Envelope;
        Ok(())
    }

    /// Pushes body octets (after [`Event::SendBody`]); returns how many were
    /// taken (fewer while the send buffer is full).
    pub fn send_body(&mut self, chunk: &[u8]) -> usize {
        if !matches!(self.phase, Phase::Body) {
            return 0;
        }
        let take = self.out.room().min(chunk.len());
        let Some(part) = chunk.get(..take) else {
            return 0;
        };
        if take == 0 {
            return 0;
        }
        if self.bdat {
            self.command(&Command::Bdat {
                size: take as u64,
                last: false,
            });
            self.out.extend(part);
            self.expect.push_back(Expect::BdatChunk);
        } else {
            self.stuffer.push(part, self.out.buf_mut());
        }
        take
    }

    /// Ends the body.
    pub fn end_body(&mut self) {
        if !matches!(self.phase, Phase::Body) {
            return;
        }
        if self.bdat {
            self.command(&Command::Bdat {
                size: 0,
                last: true,
            });
        } else {
            self.stuffer.finish(self.out.buf_mut());
        }
        self.expect.push_back(Expect::Final);
        self.phase = Phase::AwaitFinal;
    }

    /// Sends QUIT.
    pub fn quit(&mut self) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.command(&Command::Quit);
        self.expect.push_back(Expect::Quit);
    }

    /// The TLS handshake after [`Event::StartTls`] succeeded: EHLO again.
    pub fn tls_established(&mut self) {
        if let Phase::TlsWait = self.phase {
            self.tls = true;
            self.rx.clear();
            self.framer.reset();
            self.phase = Phase::Setup;
            self.ehlo();
        }
    }

    /// The bytes to send.
    pub fn outgoing(&self) -> &[u8] {
        self.out.as_slice()
    }

    /// `n` bytes of [`outgoing`](Self::outgoing) were written.
    pub fn sent(&mut self, n: usize) {
        self.out.sent(n);
    }

    /// When to call [`timeout`](Self::timeout): only while a reply is awaited.
    pub fn deadline(&self) -> Option<Instant> {
        if self.expect.is_empty() || matches!(self.phase, Phase::Closed) {
            None
        } else {
            self.deadline
        }
    }

    /// Past the deadline: fails the session.
    pub fn timeout(&mut self, now: Instant) {
        if self.deadline().is_some_and(|d| now >= d) {
            self.fail(ClientError::Timeout);
        }
    }

    /// True once the session is over.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    // ---- internals ----

    fn command(&mut self, c: &Command) {
        c.encode(self.out.buf_mut());
    }

    fn ehlo(&mut self) {
        let h = self.settings.helo.clone();
        let c = if self.settings.lmtp {
            Command::Lhlo(h)
        } else {
            Command::Ehlo(h)
        };
        self.command(&c);
        self.expect.push_back(Expect::Ehlo);
    }

    fn fail(&mut self, e: ClientError) {
        if matches!(self.phase, Phase::Closed) {
            return;
        }
        self.events.push_back(Event::Failed(e));
        self.events.push_back(Event::Closed);
        self.phase = Phase::Closed;
        self.expect.clear();
    }

    fn next_reply(&mut self) -> Result<Option<Reply>, ClientError> {
        loop {
            match self.framer.next_line(&mut self.rx) {
                None => return Ok(None),
                Some(Line::TooLong { .. }) => return Err(ClientError::LineTooLong),
                Some(Line::Complete(l)) => {
                    let last = crate::parse::parse_reply_line(&l)?.last;
                    self.lines.push(l);
                    if self.lines.len() > self.settings.limits.max_reply_lines {
                        return Err(ClientError::TooManyLines);
                    }
                    if last {
                        let lines = std::mem::take(&mut self.lines);
                        let r = reply_from_lines(
                            lines.iter().map(|b| b.as_ref()),
                            self.caps.enhanced_status_codes,
                        )?;
                        return Ok(Some(r));
                    }
                }
            }
        }
    }

    fn on_reply(&mut self, r: Reply) {
        let Some(exp) = self.expect.pop_front() else {
            // A reply nobody asked for (RFC 5321 §4.2: e.g. a 421 shutdown).
            if r.code() == ReplyCode::SERVICE_UNAVAILABLE {
                self.fail(ClientError::Refused(r));
            } else {
                self.fail(ClientError::Parse(ParseError::BadReply));
            }
            return;
        };
        let ok = r.code().is_positive();
        match exp {
            Expect::Greeting => {
                if r.code() == ReplyCode::SERVICE_READY {
                    self.ehlo();
                } else {
                    self.quit_after_failure(r);
                }
            }
            Expect::Ehlo => {
                if ok {
                    self.caps = Capabilities::from_ehlo(&r);
                    self.after_ehlo();
                } else if !self.settings.lmtp && r.code().is_permanent() {
                    let h = self.settings.helo.clone();
                    self.command(&Command::Helo(h));
                    self.expect.push_back(Expect::Helo);
                } else {
                    self.quit_after_failure(r);
                }
            }
            Expect::Helo => {
                if ok {
                    self.caps = Capabilities::default();
                    self.after_ehlo();
                } else {
                    self.quit_after_failure(r);
                }
            }
            Expect::StartTls => {
                if r.code() == ReplyCode::SERVICE_READY {
                    self.phase = Phase::TlsWait;
                    self.events.push_back(Event::StartTls);
                } else {
                    self.quit_after_failure(r);
                }
            }
            Expect::Auth => self.on_auth_reply(r),
            Expect::Mail => {
                if let Some(o) = self.outcome.as_mut() {
                    o.mail = r.clone();
                }
                let pipe = self.settings.use_pipelining && self.caps.pipelining;
                if !ok {
                    if !pipe {
                        self.finish_txn(false);
                    }
                    // Pipelined: the RCPT and DATA replies still come.
                } else if !pipe {
                    self.next_rcpt();
                }
            }
            Expect::Rcpt => {
                let pipe = self.settings.use_pipelining && self.caps.pipelining;
                if let Some(o) = self.outcome.as_mut() {
                    o.recipients.push(r);
                }
                if !pipe {
                    self.next_rcpt();
                } else if self.bdat && !self.expect.contains(&Expect::Rcpt) {
                    self.envelope_done();
                }
            }
            Expect::Data => {
                if r.code() == ReplyCode::START_MAIL_INPUT {
                    if self.accepted() == 0 {
                        // Nothing to deliver: send an empty body, ignore it.
                        self.stuffer.finish(self.out.buf_mut());
                        self.expect.push_back(Expect::Rset);
                        self.phase = Phase::AwaitFinal;
                    } else {
                        self.phase = Phase::Body;
                        self.events.push_back(Event::SendBody);
                    }
                } else {
                    if let Some(o) = self.outcome.as_mut() {
                        o.data.push(r);
                    }
                    self.finish_txn(false);
                }
            }
            Expect::BdatChunk => {
                if !ok {
                    self.body_pending.push(r);
                }
            }
            Expect::Final => {
                let n = if self.settings.lmtp {
                    self.accepted().max(1)
                } else {
                    1
                };
                let bdat_failure = self.body_pending.first().cloned();
                if let Some(o) = self.outcome.as_mut() {
                    o.data.push(bdat_failure.unwrap_or(r));
                    if o.data.len() < n {
                        self.expect.push_front(Expect::Final);
                        return;
                    }
                }
                self.body_pending.clear();
                self.finish_txn(true);
            }
            Expect::Rset => {
                if matches!(self.phase, Phase::AwaitFinal) {
                    self.finish_txn(false);
                }
            }
            Expect::Quit => {
                self.phase = Phase::Closed;
                self.expect.clear();
                self.events.push_back(Event::Closed);
            }
        }
    }

    fn accepted(&self) -> usize {
        self.outcome.as_ref().map_or(0, |o| {
            o.recipients
                .iter()
                .filter(|r| r.code().is_positive())
                .count()
        })
    }

    fn next_rcpt(&mut self) {
        let mail_ok = self
            .outcome
            .as_ref()
            .is_some_and(|o| o.mail.code().is_positive());
        if !mail_ok {
            self.finish_txn(false);
            return;
        }
        let done = self.outcome.as_ref().map_or(0, |o| o.recipients.len());
        let next = self
            .envelope
            .as_ref()
            .and_then(|e| e.recipients.get(done).cloned());
        match next {
            Some((to, params)) => {
                self.command(&Command::Rcpt { to, params });
                self.expect.push_back(Expect::Rcpt);
            }
            None => {
                if self.accepted() == 0 {
                    self.command(&Command::Rset);
                    self.expect.push_back(Expect::Rset);
                    self.finish_txn(false);
                } else if self.bdat {
                    self.envelope_done();
                } else {
                    self.command(&Command::Data);
                    self.expect.push_back(Expect::Data);
                }
            }
        }
    }

    /// BDAT: the envelope replies are in; start the body or give up.
    fn envelope_done(&mut self) {
        let mail_ok = self
            .outcome
            .as_ref()
            .is_some_and(|o| o.mail.code().is_positive());
        if mail_ok && self.accepted() > 0 {
            self.phase = Phase::Body;
            self.events.push_back(Event::SendBody);
        } else {
            if mail_ok {
                self.command(&Command::Rset);
                self.expect.push_back(Expect::Rset);
            }
            self.finish_txn(false);
        }
    }

    fn finish_txn(&mut self, _delivered: bool) {
        self.envelope = None;
        self.phase = Phase::Idle;
        if let Some(o) = self.outcome.take() {
            self.events.push_back(Event::Done(o));
        }
    }

    fn after_ehlo(&mut self) {
        if self.settings.starttls && self.caps.starttls && !self.tls {
            self.command(&Command::StartTls);
            self.expect.push_back(Expect::StartTls);
            return;
        }
        if self.settings.require_tls && !self.tls {
            self.fail(ClientError::TlsRequired);
            return;
        }
        let auth = if self.authenticated {
            None
        } else {
            self.settings.auth.take()
        };
        if let Some(auth) = auth {
            self.start_auth(auth);
            return;
        }
        self.phase = Phase::Idle;
        self.events.push_back(Event::Ready(self.caps.clone()));
    }

    fn start_auth(&mut self, auth: Auth) {
        let name = auth.mechanism.name();
        if !self.caps.auth.iter().any(|m| m == name) {
            self.fail(ClientError::Auth(format!("{name} not offered")));
            return;
        }
        let mut sasl = match SaslClient::new(auth.mechanism, auth.credentials, auth.nonce) {
            Ok(s) => s,
            Err(e) => {
                self.fail(ClientError::Auth(e.to_string()));
                return;
            }
        };
        let initial = sasl
            .initial_response()
            .map(|ir| wire::encode_initial_response(&ir));
        self.command(&Command::Auth {
            mechanism: name.to_owned(),
            initial,
        });
        self.expect.push_back(Expect::Auth);
        self.sasl = Some(sasl);
    }

    fn on_auth_reply(&mut self, r: Reply) {
        let Some(sasl) = self.sasl.as_mut() else {
            self.fail(ClientError::Auth("unexpected reply".into()));
            return;
        };
        if r.code() == ReplyCode::AUTH_CHALLENGE {
            let text = r.lines().first().map(|l| l.as_bytes()).unwrap_or_default();
            let step = wire::decode_challenge(text)
                .map_err(|e| e.to_string())
                .and_then(|c| sasl.step(&c).map_err(|e| e.to_string()));
            match step {
                Ok(resp) => {
                    let line = wire::encode_response(&resp);
                    let out = self.out.buf_mut();
                    out.put_slice(line.as_bytes());
                    out.put_slice(b"\r\n");
                    self.expect.push_back(Expect::Auth);
                }
                Err(e) => {
                    // Cancel the exchange (RFC 4954 §4), expect the 501.
                    self.out.extend(b"*\r\n");
                    self.sasl = None;
                    self.fail(ClientError::Auth(e));
                }
            }
        } else if r.code() == ReplyCode::AUTH_OK {
            let done = sasl.finish(None);
            self.sasl = None;
            match done {
                Ok(()) => {
                    self.authenticated = true;
                    self.phase = Phase::Idle;
                    self.events.push_back(Event::Ready(self.caps.clone()));
                }
                Err(e) => self.fail(ClientError::Auth(e.to_string())),
            }
        } else {
            self.sasl = None;
            self.quit_after_failure(r);
        }
    }

    fn quit_after_failure(&mut self, r: Reply) {
        if r.code() != ReplyCode::SERVICE_UNAVAILABLE {
            self.command(&Command::Quit);
        }
        self.fail(ClientError::Refused(r));
    }
}
