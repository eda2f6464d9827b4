//! The application-facing types: events, tickets, answers, errors.

use std::num::NonZeroU32;
use std::sync::Arc;

use bytes::Bytes;
use yubin_sasl::Secret;
use yubin_sasl::server::Verify;

use crate::framer::FrameError;
use crate::parse::ParseError;
use crate::types::{
    Atom, Capability, Charset, Code, DateTime, FetchAttr, Flag, FlagPerm, ListItem, ListMailbox,
    ListOption, Mailbox, SearchKey, SequenceSet, StatusAttr, StoreMode,
};

use super::view::ViewError;

/// A decision the application owes the session. Not `Clone`; consumed by
/// the method that answers it. A ticket from another session, one already
/// answered, or one of another kind than the method expects is refused
/// with [`SessionError::WrongTicket`].
///
/// The completion that consumes the ticket ends the command with
/// `tag OK [code] text`; the text is the session's (`<COMMAND> completed`,
/// or the one in [`Config::texts`](super::Config::texts)) unless the
/// application chose one with [`Ticket::with_text`].
#[derive(Debug)]
#[must_use = "the session waits until the ticket is answered"]
pub struct Ticket {
    pub(super) owner: Arc<()>,
    pub(super) serial: u64,
    pub(super) text: Option<String>,
}

impl Ticket {
    /// Sets the human-readable text of the tagged `OK` that answers this
    /// ticket, e.g. `s.complete(ticket.with_text("+FLAGS completed"))`
    /// (RFC 9051 §8). The response code stays the session's. CR, LF and
    /// NUL are sent as spaces. [`super::Session::reject`] ignores it (the
    /// [`Refusal`] carries its own text); for AUTHENTICATE it applies to
    /// the `OK` that ends the exchange, however many steps remain.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }
}

/// The greeting the session opens with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Greeting {
    /// `* OK`: Not Authenticated state.
    Ok,
    /// `* PREAUTH`: the connection is already authenticated (e.g. a local
    /// pipe); the session starts in Authenticated state as this user.
    PreAuth(String),
    /// `* BYE`: the server refuses the connection; the session is closed.
    Bye(String),
}

/// A mailbox operation without data of its own (answered with
/// [`super::Session::complete`] or [`super::Session::reject`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailboxOp {
    /// `CREATE mailbox [(USE (...))]`.
    Create {
        /// The new mailbox.
        mailbox: Mailbox,
        /// Special-use attributes asked for (RFC 6154), when given.
        special_use: Option<Vec<Atom>>,
    },
    /// `DELETE mailbox`.
    Delete(Mailbox),
    /// `RENAME from to`.
    Rename {
        /// The existing name.
        from: Mailbox,
        /// The new name.
        to: Mailbox,
    },
    /// `SUBSCRIBE mailbox`.
    Subscribe(Mailbox),
    /// `UNSUBSCRIBE mailbox`.
    Unsubscribe(Mailbox),
}

/// The QRESYNC parameters of a SELECT / EXAMINE (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QresyncRequest {
    /// The UIDVALIDITY the client last saw.
    pub uid_validity: NonZeroU32,
    /// The mod-sequence the client last saw: report flag changes after it
    /// in [`MailboxSnapshot::changed`] (only when the UIDVALIDITY matches).
    pub modseq: u64,
    /// The UIDs the client knows, when it said.
    pub known_uids: Option<SequenceSet>,
}

/// A message whose flags changed, with its flags and mod-sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedMessage {
    /// The message's UID.
    pub uid: NonZeroU32,
    /// Its flags now.
    pub flags: Vec<Flag>,
    /// Its mod-sequence now.
    pub modseq: u64,
}

/// One untagged response of the SELECT / EXAMINE answer, to put in
/// [`MailboxSnapshot::order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectItem {
    /// `* n EXISTS`.
    Exists,
    /// `* n RECENT` (IMAP4rev1 only).
    Recent,
    /// `* OK [UNSEEN n]` (IMAP4rev1 only, when known).
    Unseen,
    /// `* OK [UIDVALIDITY n]`.
    UidValidity,
    /// `* OK [UIDNEXT n]` (unless left out).
    UidNext,
    /// `* NO [UIDNOTSTICKY]` (only when [`MailboxSnapshot::uid_not_sticky`]
    /// and the client has UIDPLUS or IMAP4rev2). Its place in
    /// [`Self::DEFAULT_ORDER`], after `UIDNEXT`, is RFC 4315 §3's example.
    UidNotSticky,
    /// `* FLAGS (...)`.
    Flags,
    /// `* OK [PERMANENTFLAGS (...)]` (unless left out).
    PermanentFlags,
    /// `* LIST ...` (IMAP4rev2 only, when given).
    List,
    /// `* OK [HIGHESTMODSEQ n]` or `* OK [NOMODSEQ]` (CONDSTORE only).
    HighestModSeq,
}

impl SelectItem {
    /// The order the session uses for what [`MailboxSnapshot::order`]
    /// does not name (RFC 3501 §6.3.1's and RFC 9051 §6.3.2's first
    /// example; [`SelectItem::UidNotSticky`] where RFC 4315 §3's example
    /// puts it).
    pub const DEFAULT_ORDER: [SelectItem; 10] = [
        SelectItem::Exists,
        SelectItem::Recent,
        SelectItem::Unseen,
        SelectItem::UidValidity,
        SelectItem::UidNext,
        SelectItem::UidNotSticky,
        SelectItem::Flags,
        SelectItem::PermanentFlags,
        SelectItem::List,
        SelectItem::HighestModSeq,
    ];
}

/// What the application knows of a mailbox when it is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxSnapshot {
    /// `UIDVALIDITY`.
    pub uid_validity: NonZeroU32,
    /// `UIDNEXT`: sent unless `send_uid_next` is false, and used by the
    /// session either way (QRESYNC's `VANISHED (EARLIER)` ranges).
    pub uid_next: NonZeroU32,
    /// Send `OK [UIDNEXT n]`. Default true. RFC 9051 §6.3.2 and RFC 3501
    /// §6.3.1 require it; leaving it out answers like an RFC 2060 server
    /// (and like the sample sessions of RFC 3501 §8 and RFC 9051 §8): the
    /// client then has no next UID until it asks STATUS, and must not
    /// assume one.
    pub send_uid_next: bool,
    /// Send `OK [PERMANENTFLAGS (...)]`. Default true. RFC 9051 §6.3.2
    /// requires it; when it is missing the client assumes that every flag
    /// can be changed permanently, so leave it out only when that holds.
    /// A read-only selection always sends `PERMANENTFLAGS ()`, whatever
    /// this says.
    pub send_permanent_flags: bool,
    /// The mailbox's mail store does not keep UIDs: its UIDVALIDITY
    /// changes each time it is selected (RFC 4315 §3, RFC 9051 §7.1).
    /// Default false. When true the session sends `* NO [UIDNOTSTICKY]`
    /// with [`Texts::uid_not_sticky`](super::Texts::uid_not_sticky): an
    /// untagged `NO` is a warning, the SELECT still succeeds. It goes only
    /// to a client that knows the code, the same condition as for
    /// `COPYUID` / `APPENDUID`: UIDPLUS offered
    /// ([`Extensions::uidplus`](super::Extensions::uidplus)), or IMAP4rev2
    /// in use (a rev2-only server, or `ENABLE IMAP4rev2`), whose base
    /// protocol has it (RFC 9051 §7.1). An IMAP4rev1 client without
    /// UIDPLUS gets nothing: the code belongs to an extension the server
    /// did not announce, and such a client ignores codes it does not know
    /// (RFC 3501 §7.1). The flag speaks of this selection only; the RFCs
    /// also say that APPEND or COPY *to* such a mailbox returns no
    /// `APPENDUID` / `COPYUID`, which the application ensures by giving
    /// none when it answers them. RFC 4315 §3: servers SHOULD NOT have
    /// such mail stores.
    pub uid_not_sticky: bool,
    /// The order of the untagged responses (RFC 9051 §6.3.2: "the order
    /// of individual responses is not important"). The items named come
    /// first, in this order; the rest follow in
    /// [`SelectItem::DEFAULT_ORDER`]; repeats are ignored. It only orders:
    /// what is sent still follows the revision (`RECENT` and `UNSEEN` for
    /// IMAP4rev1, `LIST` for IMAP4rev2) and the fields above. `[CLOSED]`
    /// comes before all, QRESYNC's `VANISHED` and `FETCH` after all.
    /// Default empty.
    pub order: Vec<SelectItem>,
    /// The UIDs of the messages, strictly ascending.
    pub uids: Vec<u32>,
    /// `FLAGS`: the flags defined in the mailbox.
    pub flags: Vec<Flag>,
    /// `PERMANENTFLAGS` (ignored for EXAMINE, which sends `()`).
    pub permanent_flags: Vec<FlagPerm>,
    /// IMAP4rev1 `RECENT` count (not sent to IMAP4rev2 clients).
    pub recent: u32,
    /// IMAP4rev1 `UNSEEN`: the sequence number of the first unseen message.
    pub first_unseen: Option<NonZeroU32>,
    /// The mailbox's highest mod-sequence; `None` sends `NOMODSEQ` to
    /// CONDSTORE clients (RFC 7162 §3.1.2.2).
    pub highest_modseq: Option<u64>,
    /// The `LIST` response IMAP4rev2 sends with SELECT (RFC 9051 §6.3.2).
    pub list: Option<ListItem>,
    /// QRESYNC: the messages changed since the client's mod-sequence,
    /// ascending by UID.
    pub changed: Vec<ChangedMessage>,
}

impl MailboxSnapshot {
    /// A snapshot with the required fields; the rest empty.
    pub fn new(uid_validity: NonZeroU32, uid_next: NonZeroU32, uids: Vec<u32>) -> Self {
        Self {
            uid_validity,
            uid_next,
            send_uid_next: true,
            send_permanent_flags: true,
            uid_not_sticky: false,
            order: Vec::new(),
            uids,
            flags: vec![
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Seen,
                Flag::Draft,
            ],
            permanent_flags: Vec::new(),
            recent: 0,
            first_unseen: None,
            highest_modseq: None,
            list: None,
            changed: Vec::new(),
        }
    }
}

/// The numbers STATUS asks for; the session sends those requested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxStatus {
    /// `MESSAGES`.
    pub messages: u32,
    /// `RECENT` (IMAP4rev1).
    pub recent: u32,
    /// `UIDNEXT`.
    pub uid_next: u32,
    /// `UIDVALIDITY`.
    pub uid_validity: u32,
    /// `UNSEEN`.
    pub unseen: u32,
    /// `DELETED`.
    pub deleted: u32,
    /// `SIZE` in octets.
    pub size: u64,
    /// `HIGHESTMODSEQ`; `None` sends 0 (no mod-sequences).
    pub highest_modseq: Option<u64>,
}

/// The result of a SEARCH, as UIDs; the session numbers and formats it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SearchResult {
    /// The matching messages' UIDs (any order; duplicates ignored).
    pub uids: Vec<u32>,
    /// The highest mod-sequence of the matches, when the criteria had
    /// `MODSEQ` (RFC 7162 §3.1.5).
    pub modseq: Option<u64>,
}

impl SearchResult {
    /// A result from the matching UIDs and, for a `MODSEQ` search, the
    /// highest mod-sequence among them.
    pub fn new(uids: Vec<u32>, modseq: Option<u64>) -> Self {
        Self { uids, modseq }
    }
}

/// `COPYUID` / `APPENDUID` data (RFC 4315).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyUid {
    /// The destination's UIDVALIDITY.
    pub uid_validity: NonZeroU32,
    /// The source UIDs, in the order copied.
    pub source: Vec<u32>,
    /// The destination UIDs, in the same order.
    pub destination: Vec<u32>,
}

/// A FETCH item whose data the application streams
/// ([`super::Session::fetch_streamed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamedItem {
    /// `BODY[section]<origin>`.
    Body {
        /// The section as asked.
        section: crate::types::Section,
        /// `<origin>` for a partial fetch.
        origin: Option<u64>,
    },
    /// `BINARY[part]<origin>` as a `literal8` (`~{n}`).
    Binary {
        /// The part.
        part: Vec<NonZeroU32>,
        /// `<origin>` for a partial fetch.
        origin: Option<u64>,
    },
}

/// How the application refuses a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `BAD` instead of `NO`.
    pub bad: bool,
    /// The response code, if any.
    pub code: Option<Code>,
    /// The human-readable text.
    pub text: String,
}

impl Refusal {
    /// `NO [code] text`.
    pub fn no(code: Option<Code>, text: &str) -> Self {
        Self {
            bad: false,
            code,
            text: text.to_owned(),
        }
    }
    /// `BAD [code] text`.
    pub fn bad(code: Option<Code>, text: &str) -> Self {
        Self {
            bad: true,
            code,
            text: text.to_owned(),
        }
    }
}

/// Why the session closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client sent LOGOUT.
    Logout,
    /// The greeting was `* BYE`.
    Refused,
    /// Autologout (RFC 9051 §5.4).
    Timeout,
    /// Too many bad commands.
    TooManyBadCommands,
    /// Too many failed logins.
    TooManyFailedLogins,
    /// The application closed the session ([`super::Session::bye`]).
    Application,
}

/// A protocol error the session answered itself; reported for logging.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A line or literal the framer refused.
    #[error("framing: {0}")]
    Frame(#[from] FrameError),
    /// A command that does not parse.
    #[error("bad command: {0}")]
    Parse(#[from] ParseError),
    /// A valid command the current state does not allow.
    #[error("{0} not allowed in this state")]
    WrongState(&'static str),
    /// A command the server does not offer.
    #[error("{0} not supported")]
    Unsupported(&'static str),
    /// A bad message number or an empty `$`.
    #[error("{0}")]
    Sequence(#[from] ViewError),
    /// A plaintext login before TLS.
    #[error("plaintext authentication refused before tls")]
    PlaintextRefused,
    /// A literal larger than allowed.
    #[error("literal of {0} octets too large")]
    LiteralTooLarge(u64),
    /// Something else the client did wrong.
    #[error("{0}")]
    Other(&'static str),
}

/// The embedder's mistake, refused without a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The ticket is not pending in this session, or of another kind.
    #[error("ticket not pending in this session or of another kind")]
    WrongTicket,
    /// The UID is not a message of the command's set.
    #[error("uid {0} not in the command's message set")]
    UnknownUid(u32),
    /// A streamed FETCH item is open (or none is, for chunk/end).
    #[error("streamed fetch item state mismatch")]
    StreamState,
    /// More (or fewer, at the end) octets than announced.
    #[error("streamed octets differ from the announced length")]
    StreamLength,
    /// Untagged data the session sends itself (EXISTS, EXPUNGE, FETCH, …).
    #[error("this untagged data is the session's to send")]
    DataNotAllowed,
    /// No mailbox is selected.
    #[error("no mailbox selected")]
    NotSelected,
    /// The mailbox snapshot or change is inconsistent.
    #[error("{0}")]
    View(#[from] ViewError),
    /// `tls_established` without a pending STARTTLS.
    #[error("no tls handshake pending")]
    NoTlsPending,
}

/// What the session reports to the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// `LOGIN`: check the password; answer [`super::Session::accept_login`]
    /// or [`super::Session::reject`] (`NO [AUTHENTICATIONFAILED]`).
    Login {
        /// The decision owed.
        ticket: Ticket,
        /// The user name.
        username: String,
        /// The password.
        password: Secret<String>,
    },
    /// A SASL step needs the credential store: answer
    /// [`super::Session::answer_sasl`].
    SaslVerify {
        /// The decision owed.
        ticket: Ticket,
        /// What to check.
        verify: Verify,
    },
    /// AUTHENTICATE succeeded (or a PREAUTH greeting): the session is in
    /// Authenticated state as this user (authorization identity if given,
    /// else authentication identity).
    Authenticated {
        /// The user.
        user: String,
    },
    /// STARTTLS accepted: the go-ahead is queued and pipelined input
    /// discarded. Flush the output, drop any plaintext the adapter still
    /// holds (bytes [`super::Session::receive`] did not take), run the TLS
    /// handshake, then call [`super::Session::tls_established`].
    StartTls,
    /// `SELECT` / `EXAMINE`: answer [`super::Session::accept_select`] with a
    /// snapshot, or [`super::Session::reject`] (the session is then in
    /// Authenticated state, RFC 9051 §6.3.2).
    Select {
        /// The decision owed.
        ticket: Ticket,
        /// The mailbox.
        mailbox: Mailbox,
        /// EXAMINE (or a read-only SELECT).
        read_only: bool,
        /// QRESYNC parameters, when given.
        qresync: Option<QresyncRequest>,
    },
    /// The selected mailbox was closed without the application's help
    /// (UNSELECT, a failed SELECT, LOGOUT): stop feeding its changes.
    Unselected,
    /// `LIST` / `LSUB`: send [`super::Session::list`] items (and STATUS data
    /// for LIST-STATUS with [`super::Session::send_data`]), then
    /// [`super::Session::complete`].
    List {
        /// The decision owed.
        ticket: Ticket,
        /// `LSUB` (IMAP4rev1): subscribed mailboxes only.
        lsub: bool,
        /// The reference name.
        reference: Mailbox,
        /// The patterns.
        patterns: Vec<ListMailbox>,
        /// Selection options (LIST-EXTENDED).
        selection: Vec<ListOption>,
        /// Return options.
        returns: Vec<ListOption>,
    },
    /// `STATUS`: answer [`super::Session::answer_status`].
    Status {
        /// The decision owed.
        ticket: Ticket,
        /// The mailbox.
        mailbox: Mailbox,
        /// What the client asked for.
        attrs: Vec<StatusAttr>,
    },
    /// `NAMESPACE`: send the data with [`super::Session::send_data`], then
    /// [`super::Session::complete`].
    Namespace {
        /// The decision owed.
        ticket: Ticket,
    },
    /// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE: answer
    /// [`super::Session::complete`] or [`super::Session::reject`].
    Mailbox {
        /// The decision owed.
        ticket: Ticket,
        /// What to do.
        op: MailboxOp,
    },
    /// `APPEND`: answer [`super::Session::accept_append`] (the session asks
    /// for the message, which comes as [`Event::AppendChunk`]s, then
    /// [`Event::AppendEnd`]) or [`super::Session::reject`] (e.g.
    /// `NO [TRYCREATE]`; no message is read).
    Append {
        /// The decision owed.
        ticket: Ticket,
        /// The destination.
        mailbox: Mailbox,
        /// The flags, if given.
        flags: Option<Vec<Flag>>,
        /// The internal date, if given.
        date: Option<DateTime>,
        /// The message size in octets.
        size: u64,
        /// A `literal8` (BINARY).
        binary: bool,
    },
    /// A piece of the message being appended.
    AppendChunk(Bytes),
    /// The whole message arrived: store it, then answer
    /// [`super::Session::complete_append`] or [`super::Session::reject`].
    AppendEnd {
        /// The decision owed.
        ticket: Ticket,
    },
    /// The APPEND was abandoned after [`Event::AppendChunk`]s (malformed
    /// end of command): drop what was received.
    AppendAborted,
    /// NOOP / CHECK in Selected state: feed the mailbox's changes
    /// ([`super::Session::update`]), then [`super::Session::complete`].
    Poll {
        /// The decision owed.
        ticket: Ticket,
    },
    /// IDLE began: feed changes with [`super::Session::update`] as they
    /// happen; they are sent at once.
    IdleStarted,
    /// IDLE ended (DONE).
    IdleEnded,
    /// `[UID] FETCH`: answer each message with
    /// [`super::Session::fetch`] (or [`super::Session::fetch_streamed`] plus
    /// chunks), then [`super::Session::complete`]. A `BODY[...]` without
    /// `.PEEK` on a read-write mailbox sets `\Seen` (RFC 9051 §6.4.5):
    /// store it and include `FLAGS` in that message's items.
    Fetch {
        /// The decision owed.
        ticket: Ticket,
        /// `UID FETCH`.
        uid: bool,
        /// The messages, as UIDs, ascending.
        uids: Vec<u32>,
        /// The attributes (macros expanded; `UID` last for UID FETCH;
        /// `MODSEQ` added for CHANGEDSINCE).
        attrs: Vec<FetchAttr>,
        /// `CHANGEDSINCE`: only messages with a greater mod-sequence.
        changed_since: Option<u64>,
    },
    /// `[UID] STORE`: change the flags, report each message with
    /// [`super::Session::store_result`] (or
    /// [`super::Session::store_modified`] when UNCHANGEDSINCE fails), then
    /// [`super::Session::complete`].
    Store {
        /// The decision owed.
        ticket: Ticket,
        /// `UID STORE`.
        uid: bool,
        /// The messages, as UIDs.
        uids: Vec<u32>,
        /// Replace, add or remove.
        mode: StoreMode,
        /// The flags.
        flags: Vec<Flag>,
        /// `UNCHANGEDSINCE` (CONDSTORE).
        unchanged_since: Option<u64>,
    },
    /// `[UID] SEARCH`: evaluate the criteria (sequence sets in them resolve
    /// with [`super::Session::view`]), then answer
    /// [`super::Session::search_result`].
    Search {
        /// The decision owed.
        ticket: Ticket,
        /// `UID SEARCH`.
        uid: bool,
        /// The charset, if given.
        charset: Option<Charset>,
        /// The criteria, ANDed.
        criteria: Vec<SearchKey>,
    },
    /// `[UID] COPY` / `[UID] MOVE`: answer [`super::Session::complete_copy`]
    /// (for MOVE, once the messages are gone from the source) or
    /// [`super::Session::reject`].
    Copy {
        /// The decision owed.
        ticket: Ticket,
        /// MOVE rather than COPY.
        is_move: bool,
        /// The messages, as UIDs.
        uids: Vec<u32>,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `EXPUNGE` / `UID EXPUNGE`: remove the `\Deleted` messages (only
    /// those in `uids` when given), then answer
    /// [`super::Session::complete_expunge`] with the UIDs removed.
    Expunge {
        /// The decision owed.
        ticket: Ticket,
        /// UID EXPUNGE's restriction.
        uids: Option<Vec<u32>>,
    },
    /// `CLOSE`: silently remove the `\Deleted` messages (unless
    /// `read_only`), then [`super::Session::complete`].
    Close {
        /// The decision owed.
        ticket: Ticket,
        /// The mailbox was selected read-only: remove nothing.
        read_only: bool,
    },
    /// The client enabled these capabilities (ENABLE or implicitly).
    Enabled(Vec<Capability>),
    /// The session answered a protocol error itself (for logging).
    Error(ProtocolError),
    /// The session closed; the farewell is in the output. Yielded once.
    Closed(CloseReason),
}

/// A change of the selected mailbox, fed with [`super::Session::update`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A new message (its UID above all others).
    Appended(NonZeroU32),
    /// A message was expunged.
    Expunged(NonZeroU32),
    /// A message's flags changed, with its new mod-sequence (CONDSTORE).
    Flags {
        /// The message.
        uid: NonZeroU32,
        /// Its flags now.
        flags: Vec<Flag>,
        /// Its mod-sequence now.
        modseq: Option<u64>,
    },
    /// The mailbox's highest mod-sequence rose.
    HighestModSeq(u64),
}
