//! The IMAP server session (RFC 9051, RFC 3501 and the extensions of
//! [`Extensions`]).
//!
//! A [`Session`] is a state machine: bytes in ([`Session::receive`]),
//! events out ([`Session::next_event`]), decisions in (the methods that
//! consume or borrow a [`Ticket`]), bytes out ([`Session::outgoing`] /
//! [`Session::sent`]). It never touches a socket, a clock or a random
//! number generator: time is an argument, entropy for SASL is given to
//! [`Session::new`].
//!
//! # States (RFC 9051 §3)
//!
//! | State             | Commands                                                                 |
//! |-------------------|--------------------------------------------------------------------------|
//! | any               | CAPABILITY, NOOP, LOGOUT                                                  |
//! | Not Authenticated | STARTTLS, AUTHENTICATE, LOGIN                                             |
//! | Authenticated     | ENABLE, SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, NAMESPACE, STATUS, APPEND, IDLE |
//! | Selected          | the Authenticated commands but ENABLE, plus CLOSE, UNSELECT, EXPUNGE, UID EXPUNGE, SEARCH, FETCH, STORE, COPY, MOVE, CHECK and their UID forms |
//!
//! Anything else gets `tag BAD` with the reason; after
//! [`Limits::max_bad_commands`] of those the session says `* BYE`.
//!
//! # Commands run one at a time
//!
//! The client may pipeline: commands wait in the receive buffer and are
//! answered in order, each completion tagged. Running them one after the
//! other is always a valid order under RFC 9051 §5.5, so no ambiguity can
//! arise. While the application owes an answer no further command is read.
//!
//! # The application side
//!
//! Each mailbox operation is an [`Event`] carrying a [`Ticket`]; the
//! application sends typed data with the methods named in the event's
//! documentation (they borrow the ticket) and ends with a completion
//! ([`Session::complete`], [`Session::reject`], or a method that carries
//! the command's result, such as [`Session::accept_select`]). The session
//! formats every response: sequence numbers, ESEARCH versus SEARCH,
//! `\Recent` for IMAP4rev1 only, CONDSTORE's MODSEQ items, QRESYNC's
//! VANISHED.
//!
//! While a mailbox is selected the session keeps a [`MailboxView`]: the
//! application feeds it the mailbox's changes with [`Session::update`] and
//! the session tells the client when RFC 9051 §7.5.1 allows it (during
//! IDLE at once; otherwise at the end of a command, and never an EXPUNGE
//! at the end of a non-UID FETCH, STORE or SEARCH).
//!
//! # Example: a tiny in-memory mailbox
//!
//! ```
//! use std::num::NonZeroU32;
//! use std::sync::Arc;
//! use std::time::Instant;
//! use bytes::Bytes;
//! use yubin_imap::server::{Config, Event, Greeting, MailboxSnapshot, Refusal, Session};
//! use yubin_imap::types::{FetchAttr, FetchItem, FlagFetch, Flag, IString, Literal, Section};
//!
//! let messages: Vec<(u32, &[u8])> = vec![(1, b"Subject: hi\r\n\r\nhello\r\n")];
//! let mut config = Config::default();
//! config.danger_allow_plaintext_auth = true; // the example runs without TLS
//! let config = Arc::new(config);
//! let now = Instant::now();
//! let mut s = Session::new(config, now, [7; 18], Greeting::Ok);
//! s.receive(now, b"a LOGIN joe secret\r\nb SELECT INBOX\r\nc FETCH 1 (FLAGS BODY[])\r\nd LOGOUT\r\n");
//! let nz = |n| NonZeroU32::new(n).unwrap();
//! while let Some(event) = s.next_event() {
//!     match event {
//!         Event::Login { ticket, username, password } => {
//!             if username == "joe" && password.expose() == "secret" {
//!                 s.accept_login(ticket).unwrap();
//!             } else {
//!                 s.reject(ticket, Refusal::no(None, "no")).unwrap();
//!             }
//!         }
//!         Event::Select { ticket, .. } => {
//!             let uids = messages.iter().map(|m| m.0).collect();
//!             s.accept_select(ticket, MailboxSnapshot::new(nz(1), nz(2), uids)).unwrap();
//!         }
//!         Event::Fetch { ticket, uids, attrs, .. } => {
//!             for uid in uids {
//!                 let body = messages.iter().find(|m| m.0 == uid).unwrap().1;
//!                 let mut items = Vec::new();
//!                 for a in &attrs {
//!                     match a {
//!                         FetchAttr::Flags => items.push(FetchItem::Flags(vec![FlagFetch::Flag(Flag::Seen)])),
//!                         FetchAttr::BodySection { section, .. } => items.push(FetchItem::BodySection {
//!                             section: section.clone(),
//!                             origin: None,
//!                             data: Some(IString::Literal(Literal::new(Bytes::from_static(body)).unwrap())),
//!                         }),
//!                         _ => {}
//!                     }
//!                 }
//!                 s.fetch(&ticket, uid, items).unwrap();
//!             }
//!             s.complete(ticket).unwrap();
//!         }
//!         _ => {}
//!     }
//! }
//! let out = String::from_utf8_lossy(s.outgoing()).into_owned();
//! assert!(out.contains("a OK [CAPABILITY"));
//! assert!(out.contains("* 1 EXISTS\r\n"));
//! assert!(out.contains("* 1 FETCH (FLAGS (\\Seen) BODY[] {22}\r\nSubject: hi\r\n\r\nhello\r\n)\r\n"));
//! assert!(out.ends_with("d OK LOGOUT completed\r\n"));
//! assert!(s.is_closed());
//! ```

mod api;
mod config;
mod dispatch;
pub mod view;

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use yubin_sasl::server::{Answer, Authenticator, FailureKind, Step};
use yubin_sasl::{Nonce, Secret, wire};
use yubin_wire::OutBuf;

use crate::encode;
use crate::framer::{Frame, FrameError, Framer, InPlace, LiteralAnnouncement, Role};
use crate::parse::{ParseOptions, Parser};
use crate::types::*;

pub use self::api::*;
pub use self::config::*;
pub use self::view::{MailboxView, UpdateStyle, ViewError};

/// Events queued before the session stops reading (APPEND chunks).
const MAX_QUEUED_EVENTS: usize = 8;

#[derive(Debug)]
struct Selected {
    view: MailboxView,
    read_only: bool,
}

#[derive(Debug)]
enum State {
    NotAuthenticated,
    Authenticated,
    Selected(Box<Selected>),
    Logout,
}

/// What [`Session::next_input`] takes from the receive buffer.
enum Input {
    /// A command read in place, parsed.
    Command(Result<Command, crate::parse::ParseError>),
    /// A frame split off the buffer, or the framer's refusal.
    Frame(Result<Frame, FrameError>),
}

#[derive(Debug)]
enum Mode {
    Commands,
    Sasl { tag: Tag, auth: Box<Authenticator> },
    Idle { tag: Tag },
    Append { tag: Tag },
}

#[derive(Debug)]
enum Running {
    Login {
        user: String,
    },
    SaslVerify(Box<Authenticator>),
    Select {
        read_only: bool,
        qresync: Option<QresyncRequest>,
    },
    List {
        lsub: bool,
    },
    Status {
        mailbox: Mailbox,
        attrs: Vec<StatusAttr>,
    },
    Simple,
    AppendStart {
        sync: bool,
    },
    AppendEnd,
    Poll,
    Fetch {
        uid: bool,
        uids: Vec<u32>,
        stream: Option<u64>,
    },
    Store {
        uid: bool,
        uids: Vec<u32>,
        silent: bool,
        conditional: bool,
        modified: Vec<u32>,
    },
    Search {
        uid: bool,
        returns: Option<Vec<SearchReturn>>,
    },
    Copy {
        is_move: bool,
        uids: Vec<u32>,
    },
    Expunge,
    Close,
}

#[derive(Debug)]
struct Cmd {
    serial: u64,
    tag: Tag,
    name: &'static str,
    kind: Running,
}

/// One IMAP server connection. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: Arc<Config>,
    owner: Arc<()>,
    serial: u64,
    state: State,
    mode: Mode,
    running: Option<Cmd>,
    rx: BytesMut,
    framer: Framer,
    parser: Parser,
    out: OutBuf,
    events: VecDeque<Event>,
    tls_active: bool,
    tls_pending: bool,
    rev2: bool,
    rev2_enabled: bool,
    condstore: bool,
    qresync: bool,
    utf8: bool,
    sasl_entropy: [u8; Nonce::ENTROPY_OCTETS],
    sasl_nonce: Option<Nonce>,
    sasl_ok_text: Option<String>,
    sasl_attempts: u8,
    failed_logins: u32,
    bad_commands: u32,
    last_activity: Instant,
    closed: bool,
    user: Option<String>,
    max_rx: usize,
}

fn codec_limits(l: &Limits) -> crate::Limits {
    crate::Limits {
        max_line_octets: l.max_line_octets.max(1000),
        max_literal_octets: l.max_literal_octets,
        max_message_octets: l.max_command_octets.max(l.max_line_octets.max(1000)),
        max_depth: l.max_depth,
    }
}

fn text(s: &str) -> Text {
    let clean: Vec<u8> = s
        .bytes()
        .map(|b| {
            if matches!(b, b'\r' | b'\n' | 0) {
                b' '
            } else {
                b
            }
        })
        .collect();
    Text::new(Bytes::from(clean)).unwrap_or_default()
}

fn nz(n: u32) -> Option<NonZeroU32> {
    NonZeroU32::new(n)
}

impl Session {
    /// A new session; the greeting is queued.
    ///
    /// `sasl_entropy` seeds the CRAM-MD5 challenges and SCRAM nonces of
    /// this session (fresh random bytes from the caller).
    pub fn new(
        config: Arc<Config>,
        now: Instant,
        sasl_entropy: [u8; Nonce::ENTROPY_OCTETS],
        greeting: Greeting,
    ) -> Self {
        let l = &config.limits;
        let codec = codec_limits(l);
        let max_rx = codec
            .max_message_octets
            .saturating_add(codec.max_line_octets);
        let mut framer = Framer::new(&codec, Role::Server);
        framer.set_max_line_octets(l.max_line_octets_before_login.max(1000));
        framer.set_max_literal_octets(l.max_literal_octets_before_login);
        let parser = Parser::new(ParseOptions::from_limits(&codec));
        let mut s = Self {
            owner: Arc::new(()),
            serial: 0,
            state: State::NotAuthenticated,
            mode: Mode::Commands,
            running: None,
            rx: BytesMut::new(),
            framer,
            parser,
            out: OutBuf::new(l.max_output_octets.max(1024)),
            events: VecDeque::new(),
            tls_active: config.tls == Tls::Implicit,
            tls_pending: false,
            rev2: config.revisions == Revisions::Rev2,
            rev2_enabled: false,
            condstore: false,
            qresync: false,
            utf8: false,
            sasl_entropy,
            sasl_nonce: None,
            sasl_ok_text: None,
            sasl_attempts: 0,
            failed_logins: 0,
            bad_commands: 0,
            last_activity: now,
            closed: false,
            user: None,
            max_rx,
            config,
        };
        let greeting_code = |s: &Self| {
            s.config
                .greeting_capabilities
                .then(|| Code::Capability(s.capabilities()))
        };
        match greeting {
            Greeting::Ok => {
                let code = greeting_code(&s);
                let t = s.config.greeting.clone();
                s.status(None, StatusKind::Ok, code, &t);
            }
            Greeting::PreAuth(user) => {
                s.authenticated(user.clone());
                let code = greeting_code(&s);
                let t = s.config.greeting.clone();
                s.status(None, StatusKind::PreAuth, code, &t);
                s.events.push_back(Event::Authenticated { user });
            }
            Greeting::Bye(t) => {
                s.status(None, StatusKind::Bye, None, &t);
                s.close(CloseReason::Refused);
            }
        }
        s
    }

    // ----- the drive loop -----

    /// Takes bytes from the peer; returns how many were taken. Takes
    /// nothing while the output is full or a TLS handshake is pending, and
    /// no more than the receive buffer holds (pipelined commands wait until
    /// earlier ones are answered). After the session closed, input is
    /// taken and ignored.
    pub fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if self.closed {
            return bytes.len();
        }
        if self.tls_pending || self.out.is_full() {
            return 0;
        }
        let room = self.max_rx.saturating_sub(self.rx.len());
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
        let e = self.events.pop_front();
        if self.events.is_empty() {
            self.pump();
        }
        e
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

    /// Room left in the output buffer: while streaming a FETCH item, send
    /// chunks no larger than this (and none while it is 0).
    pub fn stream_room(&self) -> usize {
        self.out.room()
    }

    /// When to call [`Session::timeout`] (autologout), unless input comes
    /// first. `None` once closed.
    pub fn deadline(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        let l = &self.config.limits;
        let idle = match self.state {
            State::NotAuthenticated => l.idle_not_authenticated,
            _ => l.idle_authenticated,
        };
        Some(self.last_activity + idle.max(Duration::from_secs(1)))
    }

    /// Autologout (RFC 9051 §5.4) if the deadline has passed: queues
    /// `* BYE` and closes.
    pub fn timeout(&mut self, now: Instant) {
        if self.closed || self.deadline().is_some_and(|d| now < d) {
            return;
        }
        self.status(None, StatusKind::Bye, None, "Autologout; idle for too long");
        self.close(CloseReason::Timeout);
    }

    /// Closes the session from the application's side (shutdown): queues
    /// `* BYE text`.
    pub fn bye(&mut self, text: &str) {
        if self.closed {
            return;
        }
        self.status(None, StatusKind::Bye, None, text);
        self.close(CloseReason::Application);
    }

    /// True once the farewell is queued; flush the output, then close.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// True while TLS protects the connection.
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// The logged-in user, once authenticated.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Whether the client uses IMAP4rev2 (enabled, or the only revision).
    pub fn is_rev2(&self) -> bool {
        self.rev2
    }

    /// Whether CONDSTORE is enabled for this session.
    pub fn condstore_enabled(&self) -> bool {
        self.condstore
    }

    /// Whether QRESYNC is enabled for this session.
    pub fn qresync_enabled(&self) -> bool {
        self.qresync
    }

    /// Whether UTF8=ACCEPT is enabled (RFC 6855).
    pub fn utf8_enabled(&self) -> bool {
        self.utf8
    }

    /// The selected mailbox's view (to resolve sequence sets in SEARCH
    /// criteria, or map UIDs), if a mailbox is selected.
    pub fn view(&self) -> Option<&MailboxView> {
        match &self.state {
            State::Selected(s) => Some(&s.view),
            _ => None,
        }
    }

    /// Sets the nonce of the next AUTHENTICATE exchange (the SCRAM server
    /// nonce, the CRAM-MD5 challenge's local part) instead of the one the
    /// session derives from the entropy given to [`Session::new`]: for an
    /// application that draws a fresh nonce per exchange, or a test that
    /// replays a published exchange (RFC 7677's). Used once; the caller
    /// vouches for its unpredictability.
    pub fn set_sasl_nonce(&mut self, nonce: Nonce) {
        self.sasl_nonce = Some(nonce);
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

    /// Feeds a change of the selected mailbox. It is told to the client
    /// at once during IDLE, else when a command ends (see the module docs).
    /// Changes made by this session's own STORE, EXPUNGE and MOVE are
    /// reported through their answers instead.
    pub fn update(&mut self, change: Change) -> Result<(), SessionError> {
        let State::Selected(sel) = &mut self.state else {
            return Err(SessionError::NotSelected);
        };
        let v = &mut sel.view;
        match change {
            Change::Appended(uid) => v.message_appended(uid.get())?,
            Change::Expunged(uid) => v.message_expunged(uid.get()),
            Change::Flags { uid, flags, modseq } => v.flags_changed(uid.get(), flags, modseq),
            Change::HighestModSeq(m) => v.set_highest_modseq(m),
        }
        if matches!(self.mode, Mode::Idle { .. }) {
            self.flush_updates(true);
        }
        Ok(())
    }

    // ----- answers -----

    fn ticket(&mut self) -> Ticket {
        self.serial += 1;
        Ticket {
            owner: Arc::clone(&self.owner),
            serial: self.serial,
            text: None,
        }
    }

    fn start(&mut self, tag: Tag, name: &'static str, kind: Running) -> Ticket {
        let t = self.ticket();
        self.running = Some(Cmd {
            serial: t.serial,
            tag,
            name,
            kind,
        });
        t
    }

    fn check(&self, ticket: &Ticket) -> Result<(), SessionError> {
        match &self.running {
            Some(c) if Arc::ptr_eq(&ticket.owner, &self.owner) && c.serial == ticket.serial => {
                Ok(())
            }
            _ => Err(SessionError::WrongTicket),
        }
    }

    fn take(&mut self, ticket: &Ticket) -> Result<Cmd, SessionError> {
        self.check(ticket)?;
        self.running.take().ok_or(SessionError::WrongTicket)
    }

    fn running_mut(&mut self, ticket: &Ticket) -> Result<&mut Cmd, SessionError> {
        self.check(ticket)?;
        self.running.as_mut().ok_or(SessionError::WrongTicket)
    }

    /// Accepts a LOGIN: `OK [CAPABILITY ...]`, Authenticated state.
    pub fn accept_login(&mut self, ticket: Ticket) -> Result<(), SessionError> {
        let cmd = self.take(&ticket)?;
        let Running::Login { user } = cmd.kind else {
            self.running = Some(cmd);
            return Err(SessionError::WrongTicket);
        };
        self.authenticated(user);
        let code = self.login_code();
        let t = ticket
            .text
            .unwrap_or_else(|| self.config.texts.login.clone());
        self.status(Some(cmd.tag), StatusKind::Ok, code, &t);
        self.pump();
        Ok(())
    }

    /// Answers a SASL [`Event::SaslVerify`].
    pub fn answer_sasl(&mut self, ticket: Ticket, answer: Answer) -> Result<(), SessionError> {
        let cmd = self.take(&ticket)?;
        let Running::SaslVerify(mut auth) = cmd.kind else {
            self.running = Some(cmd);
            return Err(SessionError::WrongTicket);
        };
        self.sasl_ok_text = ticket.text;
        let step = auth.answer(answer);
        self.sasl_step(cmd.tag, auth, step);
        self.pump();
        Ok(())
    }

    /// Refuses the command of this ticket: `tag NO` (or `BAD`) with the
    /// code and text given. A refused LOGIN counts as a failed login; a
    /// refused SELECT leaves no mailbox selected; a refused APPEND reads
    /// no message (a non-synchronising one is read and dropped).
    pub fn reject(&mut self, ticket: Ticket, refusal: Refusal) -> Result<(), SessionError> {
        self.check(&ticket)?;
        if let Some(Cmd {
            kind: Running::Fetch {
                stream: Some(_), ..
            },
            ..
        }) = &self.running
        {
            return Err(SessionError::StreamState);
        }
        let cmd = self.take(&ticket)?;
        let allow_expunge = match &cmd.kind {
            Running::Login { .. } => {
                self.login_failed(cmd.tag, refusal.code, &refusal.text);
                self.pump();
                return Ok(());
            }
            Running::SaslVerify(_) => {
                // Refusing a SASL check is a failed login.
                self.login_failed(cmd.tag, refusal.code, &refusal.text);
                self.pump();
                return Ok(());
            }
            Running::AppendStart { .. } => {
                let _ = self.framer.refuse_literal(&mut self.rx);
                true
            }
            Running::Fetch { uid, .. }
            | Running::Store { uid, .. }
            | Running::Search { uid, .. } => *uid,
            _ => true,
        };
        self.flush_updates(allow_expunge);
        let kind = if refusal.bad {
            StatusKind::Bad
        } else {
            StatusKind::No
        };
        self.status(Some(cmd.tag), kind, refusal.code, &refusal.text);
        self.pump();
        Ok(())
    }

    /// Ends a command with `tag OK <NAME> completed` (LIST, NAMESPACE,
    /// mailbox operations, FETCH, STORE, CLOSE, NOOP), after the pending
    /// mailbox changes the end of this command may carry.
    pub fn complete(&mut self, ticket: Ticket) -> Result<(), SessionError> {
        self.check(&ticket)?;
        let ok = matches!(
            self.running.as_ref().map(|c| &c.kind),
            Some(
                Running::List { .. }
                    | Running::Simple
                    | Running::Poll
                    | Running::Fetch { stream: None, .. }
                    | Running::Store { .. }
                    | Running::Close
            )
        );
        if !ok {
            return Err(SessionError::WrongTicket);
        }
        let cmd = self.take(&ticket)?;
        let custom = ticket.text;
        let done = match (&custom, &cmd.kind) {
            (Some(t), _) => t.clone(),
            (None, Running::Poll) if cmd.name == "NOOP" => self.config.texts.noop.clone(),
            (None, _) => format!("{} completed", cmd.name),
        };
        match cmd.kind {
            Running::Close => {
                self.state = State::Authenticated;
                self.status(Some(cmd.tag), StatusKind::Ok, None, &done);
            }
            Running::Fetch { uid, .. } => self.finish(cmd.tag, None, &done, uid),
            Running::Store { uid, modified, .. } => {
                if modified.is_empty() {
                    self.finish(cmd.tag, None, &done, uid);
                } else {
                    let mut m = modified;
                    m.sort_unstable();
                    m.dedup();
                    let code = view::numbers_to_set(&m).map(Code::Modified);
                    let t = custom
                        .unwrap_or_else(|| self.config.texts.conditional_store_failed.clone());
                    self.finish(cmd.tag, code, &t, uid);
                }
            }
            _ => self.finish(cmd.tag, None, &done, true),
        }
        self.pump();
        Ok(())
    }

    /// Answers SELECT / EXAMINE with the mailbox: the session sends
    /// EXISTS, FLAGS, the UID codes (and RECENT, UNSEEN for IMAP4rev1,
    /// LIST for IMAP4rev2, HIGHESTMODSEQ for CONDSTORE, VANISHED and
    /// FETCH for QRESYNC, `NO [UIDNOTSTICKY]` when
    /// [`MailboxSnapshot::uid_not_sticky`] asks and the client has UIDPLUS
    /// or IMAP4rev2) and `tag OK [READ-WRITE]` / `[READ-ONLY]`, in
    /// the order and with the omissions the snapshot asks for
    /// ([`MailboxSnapshot::order`], [`MailboxSnapshot::send_uid_next`],
    /// [`MailboxSnapshot::send_permanent_flags`]).
    pub fn accept_select(
        &mut self,
        ticket: Ticket,
        snapshot: MailboxSnapshot,
    ) -> Result<(), SessionError> {
        self.check(&ticket)?;
        let Some(Cmd {
            kind: Running::Select { .. },
            ..
        }) = &self.running
        else {
            return Err(SessionError::WrongTicket);
        };
        let mut view = MailboxView::new(
            snapshot.uid_validity,
            snapshot.uid_next.get(),
            snapshot.uids,
        )?;
        let cmd = self.take(&ticket)?;
        let Running::Select { read_only, qresync } = cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        if let Some(m) = snapshot.highest_modseq {
            view.set_highest_modseq(m);
        }
        let mut order = snapshot.order;
        order.extend(SelectItem::DEFAULT_ORDER);
        let mut done: Vec<SelectItem> = Vec::with_capacity(SelectItem::DEFAULT_ORDER.len());
        let mut flags = Some(snapshot.flags);
        let mut permanent = Some(snapshot.permanent_flags);
        let mut list = snapshot.list;
        for item in order {
            if done.contains(&item) {
                continue;
            }
            done.push(item);
            let texts = &self.config.texts;
            match item {
                SelectItem::Exists => {
                    let exists = u32::try_from(view.len()).unwrap_or(u32::MAX);
                    self.data(Data::Exists(exists));
                }
                SelectItem::Recent if !self.rev2 => self.data(Data::Recent(snapshot.recent)),
                SelectItem::Unseen if !self.rev2 => {
                    if let Some(u) = snapshot.first_unseen {
                        let t = texts.unseen.replace("{n}", &u.to_string());
                        self.status(None, StatusKind::Ok, Some(Code::Unseen(u)), &t);
                    }
                }
                SelectItem::UidValidity => {
                    let t = texts.uid_validity.clone();
                    let code = Code::UidValidity(snapshot.uid_validity);
                    self.status(None, StatusKind::Ok, Some(code), &t);
                }
                SelectItem::UidNext if snapshot.send_uid_next => {
                    let t = texts.uid_next.clone();
                    let code = Code::UidNext(snapshot.uid_next);
                    self.status(None, StatusKind::Ok, Some(code), &t);
                }
                SelectItem::UidNotSticky
                    if snapshot.uid_not_sticky && (self.config.extensions.uidplus || self.rev2) =>
                {
                    let t = texts.uid_not_sticky.clone();
                    self.status(None, StatusKind::No, Some(Code::UidNotSticky), &t);
                }
                SelectItem::Flags => {
                    if let Some(f) = flags.take() {
                        self.data(Data::Flags(f));
                    }
                }
                SelectItem::PermanentFlags if read_only => {
                    let t = texts.permanent_flags_read_only.clone();
                    let code = Code::PermanentFlags(Vec::new());
                    self.status(None, StatusKind::Ok, Some(code), &t);
                }
                SelectItem::PermanentFlags if snapshot.send_permanent_flags => {
                    let t = texts.permanent_flags.clone();
                    let code = Code::PermanentFlags(permanent.take().unwrap_or_default());
                    self.status(None, StatusKind::Ok, Some(code), &t);
                }
                SelectItem::List if self.rev2 => {
                    if let Some(item) = list.take() {
                        self.data(Data::List(item));
                    }
                }
                SelectItem::HighestModSeq if self.condstore => match snapshot.highest_modseq {
                    Some(m) => {
                        let t = texts.highest_modseq.clone();
                        self.status(None, StatusKind::Ok, Some(Code::HighestModSeq(m)), &t);
                    }
                    None => {
                        let t = texts.no_modseq.clone();
                        self.status(None, StatusKind::Ok, Some(Code::NoModSeq), &t);
                    }
                },
                _ => {}
            }
        }
        if let Some(q) = qresync.filter(|q| q.uid_validity == snapshot.uid_validity) {
            let upto = view.uid_next().saturating_sub(1);
            let known = q.known_uids.clone().unwrap_or_else(|| {
                SequenceSet::range(SeqNo::Value(NonZeroU32::MIN), SeqNo::Largest)
            });
            let missing = view.missing(&known, upto);
            if let Some(uids) = view::ranges_to_set(&missing) {
                self.data(Data::Vanished {
                    earlier: true,
                    uids,
                });
            }
            for c in snapshot.changed {
                let Some(seq) = view.seq(c.uid.get()) else {
                    continue;
                };
                let flags = c.flags.into_iter().map(FlagFetch::Flag).collect();
                self.data(Data::Fetch {
                    seq,
                    items: vec![
                        FetchItem::Uid(c.uid),
                        FetchItem::Flags(flags),
                        FetchItem::ModSeq(c.modseq),
                    ],
                });
            }
        }
        self.state = State::Selected(Box::new(Selected { view, read_only }));
        let code = if read_only {
            Code::ReadOnly
        } else {
            Code::ReadWrite
        };
        let t = completion_text(ticket.text, cmd.name);
        self.status(Some(cmd.tag), StatusKind::Ok, Some(code), &t);
        self.pump();
        Ok(())
    }

    /// Sends one LIST (or LSUB) item for an [`Event::List`].
    pub fn list(&mut self, ticket: &Ticket, item: ListItem) -> Result<(), SessionError> {
        let cmd = self.running_mut(ticket)?;
        let Running::List { lsub } = cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        self.data(if lsub {
            Data::Lsub(item)
        } else {
            Data::List(item)
        });
        Ok(())
    }

    /// Sends untagged data that belongs to the running command (STATUS for
    /// LIST-STATUS, NAMESPACE, ID, QUOTA…). Data about the selected
    /// mailbox (EXISTS, EXPUNGE, FETCH, VANISHED, SEARCH, …) is refused:
    /// the session sends it itself.
    pub fn send_data(&mut self, ticket: &Ticket, data: Data) -> Result<(), SessionError> {
        self.running_mut(ticket)?;
        match &data {
            Data::List(_)
            | Data::Lsub(_)
            | Data::Status { .. }
            | Data::Namespace { .. }
            | Data::Id(_)
            | Data::Quota { .. }
            | Data::QuotaRoot { .. } => {
                self.data(data);
                Ok(())
            }
            _ => Err(SessionError::DataNotAllowed),
        }
    }

    /// Answers STATUS: the session sends the attributes asked for.
    pub fn answer_status(
        &mut self,
        ticket: Ticket,
        status: &MailboxStatus,
    ) -> Result<(), SessionError> {
        self.check(&ticket)?;
        if !matches!(
            self.running.as_ref().map(|c| &c.kind),
            Some(Running::Status { .. })
        ) {
            return Err(SessionError::WrongTicket);
        }
        let cmd = self.take(&ticket)?;
        let Running::Status { mailbox, attrs } = cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        let mut items = Vec::new();
        for a in attrs {
            let value = match a {
                StatusAttr::Messages => Some(u64::from(status.messages)),
                StatusAttr::Recent => Some(u64::from(status.recent)),
                StatusAttr::UidNext => Some(u64::from(status.uid_next)),
                StatusAttr::UidValidity => Some(u64::from(status.uid_validity)),
                StatusAttr::Unseen => Some(u64::from(status.unseen)),
                StatusAttr::Deleted => Some(u64::from(status.deleted)),
                StatusAttr::Size => Some(status.size),
                StatusAttr::HighestModSeq => Some(status.highest_modseq.unwrap_or(0)),
                StatusAttr::AppendLimit => Some(self.config.limits.max_append_octets),
                StatusAttr::Other(_) => continue,
            };
            items.push(StatusItem { attr: a, value });
        }
        // The name in its cheapest form (a literal in the command need not
        // be one in the response).
        let mailbox = AString::from_bytes(mailbox.as_astring().to_bytes())
            .map(Mailbox::new)
            .unwrap_or(mailbox);
        self.data(Data::Status { mailbox, items });
        let t = ticket.text.unwrap_or_else(|| "STATUS completed".to_owned());
        self.finish(cmd.tag, None, &t, true);
        self.pump();
        Ok(())
    }

    /// Answers one message of a FETCH with complete items (`UID` is added
    /// for UID FETCH when missing; `\Recent` is dropped for IMAP4rev2).
    pub fn fetch(
        &mut self,
        ticket: &Ticket,
        uid: u32,
        items: Vec<FetchItem>,
    ) -> Result<(), SessionError> {
        let (seq, items) = self.fetch_prepare(ticket, uid, items)?;
        self.data(Data::Fetch { seq, items });
        Ok(())
    }

    /// Answers one message of a FETCH with `items` and one item whose
    /// `length` octets the application then streams with
    /// [`Session::stream_chunk`] and ends with [`Session::stream_end`]:
    /// a message body is never held whole.
    pub fn fetch_streamed(
        &mut self,
        ticket: &Ticket,
        uid: u32,
        items: Vec<FetchItem>,
        item: StreamedItem,
        length: u64,
    ) -> Result<(), SessionError> {
        let (seq, mut items) = self.fetch_prepare(ticket, uid, items)?;
        let binary = matches!(item, StreamedItem::Binary { .. });
        items.push(match item {
            StreamedItem::Body { section, origin } => FetchItem::BodySection {
                section,
                origin,
                data: None,
            },
            StreamedItem::Binary { part, origin } => FetchItem::Binary {
                part,
                origin,
                data: None,
            },
        });
        let mut buf = BytesMut::new();
        encode::response(&Response::Data(Data::Fetch { seq, items }), &mut buf);
        let head = buf.strip_suffix(b"NIL)\r\n").unwrap_or(&buf);
        self.out.extend(head);
        let lit = if binary {
            format!("~{{{length}}}\r\n")
        } else {
            format!("{{{length}}}\r\n")
        };
        self.out.extend(lit.as_bytes());
        if let Some(Cmd {
            kind: Running::Fetch { stream, .. },
            ..
        }) = &mut self.running
        {
            *stream = Some(length);
        }
        Ok(())
    }

    /// A chunk of the streamed FETCH item.
    pub fn stream_chunk(&mut self, ticket: &Ticket, chunk: &[u8]) -> Result<(), SessionError> {
        let cmd = self.running_mut(ticket)?;
        let Running::Fetch { stream, .. } = &mut cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        let Some(left) = stream else {
            return Err(SessionError::StreamState);
        };
        let n = chunk.len() as u64;
        if n > *left {
            return Err(SessionError::StreamLength);
        }
        *left -= n;
        self.out.extend(chunk);
        Ok(())
    }

    /// Ends the streamed FETCH item (all announced octets sent).
    pub fn stream_end(&mut self, ticket: &Ticket) -> Result<(), SessionError> {
        let cmd = self.running_mut(ticket)?;
        let Running::Fetch { stream, .. } = &mut cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        match stream {
            Some(0) => *stream = None,
            Some(_) => return Err(SessionError::StreamLength),
            None => return Err(SessionError::StreamState),
        }
        self.out.extend(b")\r\n");
        Ok(())
    }

    fn fetch_prepare(
        &mut self,
        ticket: &Ticket,
        uid: u32,
        mut items: Vec<FetchItem>,
    ) -> Result<(NonZeroU32, Vec<FetchItem>), SessionError> {
        let rev2 = self.rev2;
        let cmd = self.running_mut(ticket)?;
        let Running::Fetch {
            uid: is_uid,
            uids,
            stream,
        } = &cmd.kind
        else {
            return Err(SessionError::WrongTicket);
        };
        if stream.is_some() {
            return Err(SessionError::StreamState);
        }
        if uids.binary_search(&uid).is_err() {
            return Err(SessionError::UnknownUid(uid));
        }
        let is_uid = *is_uid;
        let seq = self
            .view()
            .and_then(|v| v.seq(uid))
            .ok_or(SessionError::UnknownUid(uid))?;
        if rev2 {
            for it in &mut items {
                if let FetchItem::Flags(f) = it {
                    f.retain(|x| *x != FlagFetch::Recent);
                }
            }
        }
        if is_uid
            && !items.iter().any(|i| matches!(i, FetchItem::Uid(_)))
            && let Some(u) = nz(uid)
        {
            items.push(FetchItem::Uid(u));
        }
        Ok((seq, items))
    }

    /// Reports one message's flags after a STORE (sent unless `.SILENT`;
    /// with CONDSTORE the MODSEQ is sent even then, RFC 7162 §3.1.3).
    pub fn store_result(
        &mut self,
        ticket: &Ticket,
        uid: u32,
        flags: Vec<Flag>,
        modseq: Option<u64>,
    ) -> Result<(), SessionError> {
        let condstore = self.condstore;
        let cmd = self.running_mut(ticket)?;
        let Running::Store {
            uid: is_uid,
            uids,
            silent,
            conditional,
            ..
        } = &cmd.kind
        else {
            return Err(SessionError::WrongTicket);
        };
        if uids.binary_search(&uid).is_err() {
            return Err(SessionError::UnknownUid(uid));
        }
        let (is_uid, silent, conditional) = (*is_uid, *silent, *conditional);
        let State::Selected(sel) = &mut self.state else {
            return Err(SessionError::NotSelected);
        };
        if let Some(m) = modseq {
            sel.view.set_highest_modseq(m);
        }
        let seq = sel.view.seq(uid).ok_or(SessionError::UnknownUid(uid))?;
        let send_modseq = condstore && modseq.is_some();
        if silent && !(send_modseq && conditional) {
            return Ok(());
        }
        let mut items = Vec::new();
        if is_uid && let Some(u) = nz(uid) {
            items.push(FetchItem::Uid(u));
        }
        if let (true, Some(m)) = (send_modseq, modseq) {
            items.push(FetchItem::ModSeq(m));
        }
        if !silent {
            items.push(FetchItem::Flags(
                flags.into_iter().map(FlagFetch::Flag).collect(),
            ));
        }
        self.data(Data::Fetch { seq, items });
        Ok(())
    }

    /// Reports a message that failed STORE's UNCHANGEDSINCE test: it goes
    /// into the `MODIFIED` code of the completion.
    pub fn store_modified(&mut self, ticket: &Ticket, uid: u32) -> Result<(), SessionError> {
        let seq = self.view().and_then(|v| v.seq(uid)).map(NonZeroU32::get);
        let cmd = self.running_mut(ticket)?;
        let Running::Store {
            uid: is_uid,
            uids,
            modified,
            ..
        } = &mut cmd.kind
        else {
            return Err(SessionError::WrongTicket);
        };
        if uids.binary_search(&uid).is_err() {
            return Err(SessionError::UnknownUid(uid));
        }
        let n = if *is_uid {
            uid
        } else {
            seq.ok_or(SessionError::UnknownUid(uid))?
        };
        modified.push(n);
        Ok(())
    }

    /// Answers SEARCH: the session numbers the result (UIDs or sequence
    /// numbers), saves it for `$` when asked, and sends `SEARCH` or
    /// `ESEARCH` as the client's revision and the command ask.
    pub fn search_result(
        &mut self,
        ticket: Ticket,
        result: SearchResult,
    ) -> Result<(), SessionError> {
        self.check(&ticket)?;
        if !matches!(
            self.running.as_ref().map(|c| &c.kind),
            Some(Running::Search { .. })
        ) {
            return Err(SessionError::WrongTicket);
        }
        let cmd = self.take(&ticket)?;
        let Running::Search { uid, returns } = cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        let State::Selected(sel) = &mut self.state else {
            return Err(SessionError::NotSelected);
        };
        let mut uids = result.uids;
        uids.sort_unstable();
        uids.dedup();
        uids.retain(|u| sel.view.seq(*u).is_some());
        let nums: Vec<u32> = if uid {
            uids.clone()
        } else {
            uids.iter()
                .filter_map(|u| sel.view.seq(*u).map(NonZeroU32::get))
                .collect()
        };
        let returns = match returns {
            Some(r) => Some(r),
            None if self.rev2 => Some(vec![SearchReturn::All]),
            None => None,
        };
        let data = match returns {
            None => Some(Data::Search {
                ids: nums.iter().filter_map(|&n| nz(n)).collect(),
                modseq: result.modseq,
            }),
            Some(r) => {
                let r = if r.is_empty() {
                    vec![SearchReturn::All]
                } else {
                    r
                };
                if r.contains(&SearchReturn::Save) {
                    sel.view.save(uids.clone());
                }
                let mut items = Vec::new();
                for opt in &r {
                    match opt {
                        SearchReturn::Min => {
                            if let Some(n) = nums.first().and_then(|&n| nz(n)) {
                                items.push(SearchReturnData::Min(n));
                            }
                        }
                        SearchReturn::Max => {
                            if let Some(n) = nums.last().and_then(|&n| nz(n)) {
                                items.push(SearchReturnData::Max(n));
                            }
                        }
                        SearchReturn::All => {
                            if let Some(set) = view::numbers_to_set(&nums) {
                                items.push(SearchReturnData::All(set));
                            }
                        }
                        SearchReturn::Count => items.push(SearchReturnData::Count(
                            u32::try_from(nums.len()).unwrap_or(u32::MAX),
                        )),
                        SearchReturn::Save | SearchReturn::Other(..) => {}
                    }
                }
                if let (Some(m), false) = (result.modseq, items.is_empty()) {
                    items.push(SearchReturnData::ModSeq(m));
                }
                let only_save = r.iter().all(|o| *o == SearchReturn::Save);
                if only_save {
                    None
                } else {
                    let tag = Quoted::new(cmd.tag.to_bytes()).ok();
                    Some(Data::Esearch(Esearch {
                        correlator: tag.map(|q| AString::String(IString::Quoted(q))),
                        uid,
                        data: items,
                    }))
                }
            }
        };
        if let Some(d) = data {
            self.data(d);
        }
        let done = completion_text(ticket.text, cmd.name);
        self.finish(cmd.tag, None, &done, uid);
        self.pump();
        Ok(())
    }

    /// Answers COPY or MOVE (with `COPYUID` data under UIDPLUS or
    /// IMAP4rev2, RFC 9051 §7.1). For MOVE the session then expunges the
    /// moved messages from the client's view (RFC 6851 §3.3).
    pub fn complete_copy(
        &mut self,
        ticket: Ticket,
        copyuid: Option<CopyUid>,
    ) -> Result<(), SessionError> {
        self.check(&ticket)?;
        if !matches!(
            self.running.as_ref().map(|c| &c.kind),
            Some(Running::Copy { .. })
        ) {
            return Err(SessionError::WrongTicket);
        }
        let cmd = self.take(&ticket)?;
        let Running::Copy { is_move, uids } = cmd.kind else {
            return Err(SessionError::WrongTicket);
        };
        let code = copyuid
            .filter(|_| self.config.extensions.uidplus || self.rev2)
            .and_then(|c| {
                Some(Code::CopyUid {
                    validity: c.uid_validity,
                    source: list_to_set(&c.source)?,
                    destination: list_to_set(&c.destination)?,
                })
            });
        let done = completion_text(ticket.text, cmd.name);
        if is_move {
            if let Some(c) = code {
                let t = self.config.texts.moved.clone();
                self.status(None, StatusKind::Ok, Some(c), &t);
            }
            let style = self.style();
            let gone = match &mut self.state {
                State::Selected(sel) => sel.view.expunge_now(&uids, style),
                _ => Vec::new(),
            };
            for d in gone {
                self.data_raw(d);
            }
            self.finish(cmd.tag, None, &done, true);
        } else {
            self.finish(cmd.tag, code, &done, true);
        }
        self.pump();
        Ok(())
    }

    /// Answers EXPUNGE / UID EXPUNGE with the UIDs removed; the session
    /// sends EXPUNGE (or VANISHED) for each.
    pub fn complete_expunge(
        &mut self,
        ticket: Ticket,
        expunged: &[u32],
    ) -> Result<(), SessionError> {
        self.check(&ticket)?;
        if !matches!(
            self.running.as_ref().map(|c| &c.kind),
            Some(Running::Expunge)
        ) {
            return Err(SessionError::WrongTicket);
        }
        let cmd = self.take(&ticket)?;
        let style = self.style();
        let mut gone = expunged.to_vec();
        gone.sort_unstable();
        gone.dedup();
        let (out, modseq) = match &mut self.state {
            State::Selected(sel) => (
                sel.view.expunge_now(&gone, style),
                sel.view.highest_modseq(),
            ),
            _ => (Vec::new(), None),
        };
        for d in out {
            self.data_raw(d);
        }
        let code = modseq.filter(|_| self.condstore).map(Code::HighestModSeq);
        let done = completion_text(ticket.text, cmd.name);
        self.finish(cmd.tag, code, &done, true);
        self.pump();
        Ok(())
    }

    /// Lets APPEND's message come: `+` for a synchronising literal, then
    /// [`Event::AppendChunk`]s and [`Event::AppendEnd`].
    pub fn accept_append(&mut self, ticket: Ticket) -> Result<(), SessionError> {
        self.check(&ticket)?;
        let Some(Cmd {
            kind: Running::AppendStart { sync },
            ..
        }) = &self.running
        else {
            return Err(SessionError::WrongTicket);
        };
        let sync = *sync;
        let cmd = self.take(&ticket)?;
        if self.framer.stream_literal(&mut self.rx).is_err() {
            self.status(Some(cmd.tag), StatusKind::Bad, None, "APPEND failed");
            return Ok(());
        }
        if sync {
            self.literal_continuation();
        }
        self.mode = Mode::Append { tag: cmd.tag };
        self.pump();
        Ok(())
    }

    /// Answers [`Event::AppendEnd`]: the message is stored (`APPENDUID`
    /// under UIDPLUS or IMAP4rev2 when given: the mailbox's UIDVALIDITY
    /// and the UID).
    pub fn complete_append(
        &mut self,
        ticket: Ticket,
        appenduid: Option<(NonZeroU32, NonZeroU32)>,
    ) -> Result<(), SessionError> {
        self.check(&ticket)?;
        if !matches!(
            self.running.as_ref().map(|c| &c.kind),
            Some(Running::AppendEnd)
        ) {
            return Err(SessionError::WrongTicket);
        }
        let cmd = self.take(&ticket)?;
        let code = appenduid
            .filter(|_| self.config.extensions.uidplus || self.rev2)
            .map(|(validity, uid)| Code::AppendUid {
                validity,
                uids: SequenceSet::single(uid),
            });
        let t = ticket.text.unwrap_or_else(|| "APPEND completed".to_owned());
        self.finish(cmd.tag, code, &t, true);
        self.pump();
        Ok(())
    }

    // ----- output helpers -----

    /// The `[CAPABILITY ...]` code of a LOGIN / AUTHENTICATE `OK`, if sent.
    fn login_code(&self) -> Option<Code> {
        self.config
            .login_capabilities
            .then(|| Code::Capability(self.capabilities()))
    }

    /// `+ text` asking for a synchronising literal.
    fn literal_continuation(&mut self) {
        let r = Response::Continue(RespText {
            code: None,
            text: text(&self.config.texts.literal_continuation),
        });
        encode::response(&r, self.out.buf_mut());
    }

    fn status(&mut self, tag: Option<Tag>, kind: StatusKind, code: Option<Code>, t: &str) {
        let r = StatusResponse {
            tag,
            kind,
            text: RespText {
                code,
                text: text(t),
            },
        };
        encode::status(&r, self.out.buf_mut());
    }

    fn data(&mut self, d: Data) {
        self.data_raw(d);
    }

    fn data_raw(&mut self, d: Data) {
        encode::response(&Response::Data(d), self.out.buf_mut());
    }

    fn style(&self) -> UpdateStyle {
        UpdateStyle {
            qresync: self.qresync,
            condstore: self.condstore,
            rev2: self.rev2,
        }
    }

    fn flush_updates(&mut self, allow_expunge: bool) {
        let style = self.style();
        if let State::Selected(sel) = &mut self.state
            && sel.view.has_updates(allow_expunge)
        {
            for d in sel.view.take_updates(allow_expunge, style) {
                encode::response(&Response::Data(d), self.out.buf_mut());
            }
        }
    }

    /// Pending changes (as allowed), then `tag OK [code] text`.
    fn finish(&mut self, tag: Tag, code: Option<Code>, t: &str, allow_expunge: bool) {
        self.flush_updates(allow_expunge);
        self.status(Some(tag), StatusKind::Ok, code, t);
    }

    fn close(&mut self, reason: CloseReason) {
        if self.closed {
            return;
        }
        if matches!(self.mode, Mode::Append { .. }) {
            self.events.push_back(Event::AppendAborted);
        }
        self.closed = true;
        self.running = None;
        self.mode = Mode::Commands;
        self.rx = BytesMut::new();
        self.state = State::Logout;
        self.events.push_back(Event::Closed(reason));
    }

    fn bad(&mut self, tag: Option<Tag>, code: Option<Code>, t: &str, err: ProtocolError) {
        self.status(tag, StatusKind::Bad, code, t);
        self.events.push_back(Event::Error(err));
        self.bad_commands += 1;
        if self.bad_commands >= self.config.limits.max_bad_commands.max(1) {
            self.status(None, StatusKind::Bye, None, "Too many invalid commands");
            self.close(CloseReason::TooManyBadCommands);
        }
    }

    fn login_failed(&mut self, tag: Tag, code: Option<Code>, t: &str) {
        self.failed_logins += 1;
        let code = code.or(Some(Code::AuthenticationFailed));
        let t = if t.is_empty() {
            "Authentication failed"
        } else {
            t
        };
        self.status(Some(tag), StatusKind::No, code, t);
        if self.failed_logins >= self.config.limits.max_failed_logins.max(1) {
            self.status(None, StatusKind::Bye, None, "Too many failed logins");
            self.close(CloseReason::TooManyFailedLogins);
        }
    }

    fn authenticated(&mut self, user: String) {
        self.user = Some(user);
        self.state = State::Authenticated;
        let l = &self.config.limits;
        self.framer.set_max_line_octets(l.max_line_octets.max(1000));
        self.framer.set_max_literal_octets(l.max_literal_octets);
    }

    fn plaintext_ok(&self) -> bool {
        self.tls_active || self.config.danger_allow_plaintext_auth
    }

    /// The capabilities for the current state.
    pub fn capabilities(&self) -> Vec<Capability> {
        let c = &self.config;
        let e = &c.extensions;
        let mut v = Vec::new();
        match c.revisions {
            Revisions::Rev1 => v.push(Capability::Imap4Rev1),
            Revisions::Rev2 => v.push(Capability::Imap4Rev2),
            Revisions::Both => {
                v.push(Capability::Imap4Rev1);
                v.push(Capability::Imap4Rev2);
            }
        }
        if matches!(self.state, State::NotAuthenticated) {
            if c.tls == Tls::StartTls && !self.tls_active {
                v.push(Capability::StartTls);
            }
            if !self.plaintext_ok() {
                v.push(Capability::LoginDisabled);
            }
            for m in &c.sasl_mechanisms {
                if (!m.is_plaintext() || self.plaintext_ok())
                    && let Ok(a) = Atom::try_from(m.name())
                {
                    v.push(Capability::Auth(a));
                }
            }
            if e.sasl_ir {
                v.push(Capability::SaslIr);
            }
        }
        match c.literals {
            NonSyncLiterals::Off => {}
            NonSyncLiterals::Plus => v.push(Capability::LiteralPlus),
            NonSyncLiterals::Minus => v.push(Capability::LiteralMinus),
        }
        let flags = [
            (e.enable, Capability::Enable),
            (e.idle, Capability::Idle),
            (e.namespace, Capability::Namespace),
            (e.uidplus, Capability::UidPlus),
            (e.move_, Capability::Move),
            (e.unselect, Capability::Unselect),
            (e.condstore, Capability::CondStore),
            (e.qresync, Capability::QResync),
            (e.esearch, Capability::Esearch),
            (e.searchres, Capability::SearchRes),
            (e.utf8_accept, Capability::Utf8Accept),
            (e.binary, Capability::Binary),
        ];
        v.extend(flags.into_iter().filter(|(on, _)| *on).map(|(_, c)| c));
        if e.appendlimit {
            v.push(Capability::AppendLimit(Some(c.limits.max_append_octets)));
        }
        if !c.capability_order.is_empty() {
            let order = &c.capability_order;
            let rank = |cap: &Capability| {
                let d = std::mem::discriminant(cap);
                order
                    .iter()
                    .position(|o| std::mem::discriminant(o) == d)
                    .unwrap_or(order.len())
            };
            // Stable: the unnamed keep the session's order.
            v.sort_by_key(rank);
        }
        v
    }

    // ----- input -----

    fn pump(&mut self) {
        loop {
            if self.closed
                || self.tls_pending
                || self.running.is_some()
                || self.out.is_full()
                || self.events.len() >= MAX_QUEUED_EVENTS
            {
                return;
            }
            let frame = match self.next_input() {
                None => return,
                Some(Input::Command(parsed)) => {
                    self.parsed(parsed);
                    continue;
                }
                Some(Input::Frame(frame)) => frame,
            };
            match frame {
                Err(e) => self.frame_error(e),
                Ok(Frame::Message(m)) => match std::mem::replace(&mut self.mode, Mode::Commands) {
                    Mode::Commands => self.command(m),
                    Mode::Sasl { tag, auth } => self.sasl_line(tag, auth, &m),
                    Mode::Idle { tag } => self.idle_line(tag, &m),
                    Mode::Append { tag } => {
                        self.events.push_back(Event::AppendAborted);
                        self.bad(
                            Some(tag),
                            None,
                            "APPEND message incomplete",
                            ProtocolError::Other("append framing"),
                        );
                    }
                },
                Ok(Frame::Literal(ann)) => {
                    match std::mem::replace(&mut self.mode, Mode::Commands) {
                        Mode::Commands => self.literal(ann),
                        Mode::Append { tag } => {
                            let _ = self.framer.refuse_literal(&mut self.rx);
                            self.events.push_back(Event::AppendAborted);
                            self.bad(
                                Some(tag),
                                None,
                                "MULTIAPPEND not supported",
                                ProtocolError::Unsupported("MULTIAPPEND"),
                            );
                        }
                        Mode::Sasl { tag, .. } | Mode::Idle { tag } => {
                            let _ = self.framer.refuse_literal(&mut self.rx);
                            self.bad(
                                Some(tag),
                                None,
                                "Unexpected literal",
                                ProtocolError::Other("literal in sasl or idle"),
                            );
                        }
                    }
                }
                Ok(Frame::LiteralChunk(b)) => {
                    if matches!(self.mode, Mode::Append { .. }) {
                        self.events.push_back(Event::AppendChunk(b));
                    }
                }
                Ok(Frame::LiteralEnd) => {}
                Ok(Frame::Tail(t)) => {
                    if let Mode::Append { tag } = std::mem::replace(&mut self.mode, Mode::Commands)
                    {
                        if &t[..] == b"\r\n" {
                            let ticket = self.start(tag, "APPEND", Running::AppendEnd);
                            self.events.push_back(Event::AppendEnd { ticket });
                        } else {
                            self.events.push_back(Event::AppendAborted);
                            self.bad(
                                Some(tag),
                                None,
                                "Expected CRLF after the message",
                                ProtocolError::Other("text after append literal"),
                            );
                        }
                    }
                }
            }
        }
    }

    /// The next command or frame from the receive buffer. Between
    /// commands, one without literals is parsed where it lies in the buffer
    /// (no split, no reference count); its view of the buffer is gone by
    /// the time the command is returned.
    fn next_input(&mut self) -> Option<Input> {
        if !matches!(self.mode, Mode::Commands) {
            return self.framer.next(&mut self.rx).map(Input::Frame);
        }
        Some(match self.framer.next_in_place(&mut self.rx)? {
            Ok(InPlace::Read(msg)) => Input::Command(self.parser.command_slice(&msg)),
            Ok(InPlace::Frame(f)) => Input::Frame(Ok(f)),
            Err(e) => Input::Frame(Err(e)),
        })
    }

    fn frame_error(&mut self, e: FrameError) {
        let mode_tag = match std::mem::replace(&mut self.mode, Mode::Commands) {
            Mode::Commands => None,
            Mode::Append { tag } => {
                self.events.push_back(Event::AppendAborted);
                Some(tag)
            }
            Mode::Sasl { tag, .. } | Mode::Idle { tag } => Some(tag),
        };
        let tag = mode_tag.or_else(|| e.tag().cloned());
        match &e {
            FrameError::LineTooLong { .. } => {
                self.bad(tag, None, "Command line too long", ProtocolError::Frame(e))
            }
            FrameError::LiteralTooLarge { length, .. } => {
                let n = *length;
                self.status(tag, StatusKind::No, Some(Code::TooBig), "Literal too large");
                self.events
                    .push_back(Event::Error(ProtocolError::LiteralTooLarge(n)));
            }
            FrameError::BadLiteral { .. } => {
                self.bad(tag, None, "Invalid literal", ProtocolError::Frame(e))
            }
        }
    }

    fn literal(&mut self, ann: LiteralAnnouncement) {
        let pending = Bytes::copy_from_slice(self.framer.pending(&self.rx));
        let tag = ann
            .tag
            .clone()
            .or_else(|| crate::framer::recover_tag(&pending));
        if is_append_head(&pending) {
            self.append_literal(ann, tag, &pending);
            return;
        }
        let nonsync = ann.mode == LiteralMode::NonSync;
        let limit = match self.state {
            State::NotAuthenticated => self.config.limits.max_literal_octets_before_login,
            _ => self.config.limits.max_literal_octets,
        };
        if nonsync {
            match self.config.literals {
                NonSyncLiterals::Off => {
                    let _ = self.framer.refuse_literal(&mut self.rx);
                    return self.bad(
                        tag,
                        None,
                        "Non-synchronizing literals not supported",
                        ProtocolError::Unsupported("LITERAL+"),
                    );
                }
                NonSyncLiterals::Minus if ann.length > 4096 => {
                    let _ = self.framer.refuse_literal(&mut self.rx);
                    return self.bad(
                        tag,
                        Some(Code::TooBig),
                        "Non-synchronizing literal larger than 4096 octets",
                        ProtocolError::LiteralTooLarge(ann.length),
                    );
                }
                _ => {}
            }
        }
        if ann.length > limit || !ann.within_limits {
            let _ = self.framer.refuse_literal(&mut self.rx);
            self.status(tag, StatusKind::No, Some(Code::TooBig), "Literal too large");
            self.events
                .push_back(Event::Error(ProtocolError::LiteralTooLarge(ann.length)));
            return;
        }
        if !nonsync {
            self.literal_continuation();
        }
    }

    fn append_literal(&mut self, ann: LiteralAnnouncement, tag: Option<Tag>, head: &[u8]) {
        let nonsync = ann.mode == LiteralMode::NonSync;
        let refuse = |s: &mut Self| {
            let _ = s.framer.refuse_literal(&mut s.rx);
        };
        let Some(tag) = tag else {
            refuse(self);
            return self.bad(None, None, "Missing tag", ProtocolError::Other("no tag"));
        };
        if matches!(self.state, State::NotAuthenticated | State::Logout) {
            refuse(self);
            return self.bad(
                Some(tag),
                None,
                "APPEND not allowed now",
                ProtocolError::WrongState("APPEND"),
            );
        }
        // Parse the head as an APPEND of an empty message.
        let brace = memchr::memrchr(b'{', head).unwrap_or(head.len());
        let mut m = BytesMut::from(head.get(..brace).unwrap_or_default());
        m.extend_from_slice(b"{0}\r\n\r\n");
        let parsed = self.parser.command(&m.freeze());
        let (mailbox, flags, date) = match parsed.map(|c| c.body) {
            Ok(CommandBody::Append {
                mailbox,
                mut messages,
            }) if messages.len() == 1 => match messages.pop() {
                Some(msg) => (mailbox, msg.flags, msg.date),
                None => return,
            },
            Ok(_) => {
                refuse(self);
                return self.bad(
                    Some(tag),
                    None,
                    "Invalid APPEND",
                    ProtocolError::Other("append"),
                );
            }
            Err(e) => {
                refuse(self);
                let t = format!("Invalid APPEND: {e}");
                return self.bad(Some(tag), None, &t, ProtocolError::Parse(e));
            }
        };
        if nonsync {
            match self.config.literals {
                NonSyncLiterals::Off => {
                    refuse(self);
                    return self.bad(
                        Some(tag),
                        None,
                        "Non-synchronizing literals not supported",
                        ProtocolError::Unsupported("LITERAL+"),
                    );
                }
                NonSyncLiterals::Minus if ann.length > 4096 => {
                    refuse(self);
                    return self.bad(
                        Some(tag),
                        Some(Code::TooBig),
                        "Non-synchronizing literal larger than 4096 octets",
                        ProtocolError::LiteralTooLarge(ann.length),
                    );
                }
                _ => {}
            }
        }
        if ann.length > self.config.limits.max_append_octets {
            refuse(self);
            self.status(
                Some(tag),
                StatusKind::No,
                Some(Code::TooBig),
                "Message too large",
            );
            self.events
                .push_back(Event::Error(ProtocolError::LiteralTooLarge(ann.length)));
            return;
        }
        let ticket = self.start(tag, "APPEND", Running::AppendStart { sync: !nonsync });
        self.events.push_back(Event::Append {
            ticket,
            mailbox,
            flags,
            date,
            size: ann.length,
            binary: ann.binary,
        });
    }

    fn sasl_line(&mut self, tag: Tag, mut auth: Box<Authenticator>, line: &[u8]) {
        let line = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(line);
        match wire::decode_response(line) {
            Ok(wire::Response::Cancel) => self.bad(
                Some(tag),
                None,
                "AUTHENTICATE cancelled",
                ProtocolError::Other("authenticate cancelled"),
            ),
            Ok(wire::Response::Data(d)) => {
                let step = auth.step(&d);
                self.sasl_step(tag, auth, step);
            }
            Err(_) => self.bad(
                Some(tag),
                None,
                "Invalid base64",
                ProtocolError::Other("invalid base64 in authenticate"),
            ),
        }
    }

    fn sasl_step(&mut self, tag: Tag, auth: Box<Authenticator>, step: Step) {
        match step {
            Step::Challenge(c) => {
                let line = format!("+ {}\r\n", wire::encode_challenge(&c));
                self.out.extend(line.as_bytes());
                self.mode = Mode::Sasl { tag, auth };
            }
            Step::Verify(verify) => {
                let ticket = self.start(tag, "AUTHENTICATE", Running::SaslVerify(auth));
                self.events.push_back(Event::SaslVerify { ticket, verify });
            }
            Step::Success(s) => {
                let user = s.authzid.or(s.authcid).unwrap_or_default();
                self.authenticated(user.clone());
                let code = self.login_code();
                let t = self
                    .sasl_ok_text
                    .take()
                    .unwrap_or_else(|| self.config.texts.authenticate.clone());
                self.status(Some(tag), StatusKind::Ok, code, &t);
                self.events.push_back(Event::Authenticated { user });
            }
            Step::Failure(f) => match f.kind() {
                FailureKind::Malformed => self.bad(
                    Some(tag),
                    None,
                    "Malformed authentication exchange",
                    ProtocolError::Other("malformed sasl"),
                ),
                FailureKind::Rejected => self.login_failed(tag, None, ""),
                FailureKind::Temporary => self.status(
                    Some(tag),
                    StatusKind::No,
                    Some(Code::Unavailable),
                    "Authentication temporarily unavailable",
                ),
            },
        }
    }

    fn idle_line(&mut self, tag: Tag, line: &[u8]) {
        self.events.push_back(Event::IdleEnded);
        if crate::parse::idle_done(line) {
            let t = self.config.texts.idle_done.clone();
            self.finish(tag, None, &t, true);
        } else {
            self.bad(
                Some(tag),
                None,
                "Expected DONE",
                ProtocolError::Other("idle without done"),
            );
        }
    }

    fn command(&mut self, m: Bytes) {
        let parsed = self.parser.command(&m);
        self.parsed(parsed);
    }

    fn parsed(&mut self, parsed: Result<Command, crate::parse::ParseError>) {
        let cmd = match parsed {
            Ok(c) => c,
            Err(e) => {
                let t = format!("Invalid command: {e}");
                let tag = e.tag.clone();
                return self.bad(tag, None, &t, ProtocolError::Parse(e));
            }
        };
        self.dispatch(cmd);
    }

    fn wrong_state(&mut self, tag: Tag, name: &'static str) {
        let t = format!("{name} not allowed now");
        self.bad(Some(tag), None, &t, ProtocolError::WrongState(name));
    }

    fn unsupported(&mut self, tag: Tag, name: &'static str) {
        let t = format!("{name} not supported");
        self.bad(Some(tag), None, &t, ProtocolError::Unsupported(name));
    }

    fn dispatch(&mut self, cmd: Command) {
        let Command { tag, body } = cmd;
        let not_auth = matches!(self.state, State::NotAuthenticated);
        let selected = matches!(self.state, State::Selected(_));
        let authed = !not_auth;
        let e = self.config.extensions;
        match body {
            CommandBody::Capability => {
                let caps = self.capabilities();
                self.data(Data::Capability(caps));
                let t = self.config.texts.capability.clone();
                self.finish(tag, None, &t, true);
            }
            CommandBody::Noop | CommandBody::Check => {
                let name = if matches!(body, CommandBody::Noop) {
                    "NOOP"
                } else {
                    "CHECK"
                };
                if selected {
                    let ticket = self.start(tag, name, Running::Poll);
                    self.events.push_back(Event::Poll { ticket });
                } else if name == "CHECK" {
                    self.wrong_state(tag, name);
                } else {
                    let t = self.config.texts.noop.clone();
                    self.status(Some(tag), StatusKind::Ok, None, &t);
                }
            }
            CommandBody::Logout => {
                let rev = if self.rev2 { "IMAP4rev2" } else { "IMAP4rev1" };
                let texts = &self.config.texts;
                let bye = texts.logout_bye.replace("{revision}", rev);
                let ok = texts.logout.clone();
                self.status(None, StatusKind::Bye, None, &bye);
                self.status(Some(tag), StatusKind::Ok, None, &ok);
                if selected {
                    self.events.push_back(Event::Unselected);
                }
                self.close(CloseReason::Logout);
            }
            CommandBody::StartTls => {
                if !not_auth {
                    return self.wrong_state(tag, "STARTTLS");
                }
                if self.config.tls != Tls::StartTls || self.tls_active {
                    return self.unsupported(tag, "STARTTLS");
                }
                let t = self.config.texts.starttls.clone();
                self.status(Some(tag), StatusKind::Ok, None, &t);
                // Plaintext pipelined after STARTTLS is an injection attempt.
                self.rx = BytesMut::new();
                let codec = codec_limits(&self.config.limits);
                self.framer = Framer::new(&codec, Role::Server);
                self.framer
                    .set_max_line_octets(self.config.limits.max_line_octets_before_login.max(1000));
                self.framer
                    .set_max_literal_octets(self.config.limits.max_literal_octets_before_login);
                self.tls_pending = true;
                self.events.push_back(Event::StartTls);
            }
            CommandBody::Login { username, password } => {
                if !not_auth {
                    return self.wrong_state(tag, "LOGIN");
                }
                if !self.plaintext_ok() {
                    self.status(
                        Some(tag),
                        StatusKind::No,
                        Some(Code::PrivacyRequired),
                        "LOGIN disabled before TLS",
                    );
                    self.events
                        .push_back(Event::Error(ProtocolError::PlaintextRefused));
                    return;
                }
                let user = String::from_utf8(username.as_bytes().to_vec());
                let pass = String::from_utf8(password.expose().as_bytes().to_vec());
                let (Ok(username), Ok(pass)) = (user, pass) else {
                    return self.login_failed(tag, None, "");
                };
                let ticket = self.start(
                    tag,
                    "LOGIN",
                    Running::Login {
                        user: username.clone(),
                    },
                );
                self.events.push_back(Event::Login {
                    ticket,
                    username,
                    password: Secret::new(pass),
                });
            }
            CommandBody::Authenticate { mechanism, initial } => {
                if !not_auth {
                    return self.wrong_state(tag, "AUTHENTICATE");
                }
                self.authenticate(tag, &mechanism, initial);
            }
            CommandBody::Enable(caps) => {
                let rev2_offered = self.config.revisions != Revisions::Rev1;
                if !(e.enable || rev2_offered) {
                    return self.unsupported(tag, "ENABLE");
                }
                if !matches!(self.state, State::Authenticated) {
                    return self.wrong_state(tag, "ENABLE");
                }
                let mut newly = Vec::new();
                for c in caps {
                    let added = match &c {
                        Capability::CondStore if e.condstore => {
                            !std::mem::replace(&mut self.condstore, true)
                        }
                        Capability::QResync if e.qresync => {
                            self.condstore = true;
                            !std::mem::replace(&mut self.qresync, true)
                        }
                        Capability::Utf8Accept if e.utf8_accept => {
                            !std::mem::replace(&mut self.utf8, true)
                        }
                        // Reported the first time even by an IMAP4rev2-only
                        // server, as in RFC 9051 §8.
                        Capability::Imap4Rev2 if rev2_offered => {
                            self.rev2 = true;
                            !std::mem::replace(&mut self.rev2_enabled, true)
                        }
                        _ => false,
                    };
                    if added && !newly.contains(&c) {
                        newly.push(c);
                    }
                }
                self.data(Data::Enabled(newly.clone()));
                if !newly.is_empty() {
                    self.events.push_back(Event::Enabled(newly));
                }
                let t = self.config.texts.enable.clone();
                self.finish(tag, None, &t, true);
            }
            CommandBody::Select { mailbox, params } if authed => {
                self.select(tag, mailbox, params, false);
            }
            CommandBody::Examine { mailbox, params } if authed => {
                self.select(tag, mailbox, params, true);
            }
            CommandBody::Select { .. } => self.wrong_state(tag, "SELECT"),
            CommandBody::Examine { .. } => self.wrong_state(tag, "EXAMINE"),
            _ => self.dispatch_authenticated(tag, body),
        }
    }
}

/// `tag APPEND ...` with no earlier literal in the message.
fn is_append_head(pending: &[u8]) -> bool {
    let lines = memchr::memchr_iter(b'\n', pending).count();
    if lines != 1 {
        return false;
    }
    let Some(sp) = memchr::memchr(b' ', pending) else {
        return false;
    };
    pending
        .get(sp + 1..sp + 8)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"APPEND "))
}

/// A sequence set in the order given (COPYUID keeps the copy order).
fn list_to_set(nums: &[u32]) -> Option<SequenceSet> {
    if nums.windows(2).all(|w| matches!(w, [a, b] if a < b)) {
        return view::numbers_to_set(nums);
    }
    let v: Vec<SeqRange> = nums
        .iter()
        .filter_map(|&n| nz(n).map(|n| SeqRange::Single(SeqNo::Value(n))))
        .collect();
    SequenceSet::new(v).ok()
}

/// The text of a tagged `OK`: the application's (from its ticket) or
/// `<COMMAND> completed`.
fn completion_text(text: Option<String>, name: &str) -> String {
    text.unwrap_or_else(|| format!("{name} completed"))
}
