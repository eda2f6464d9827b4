//! Commands, responses and their data items.

use std::num::NonZeroU32;

use bytes::Bytes;

use super::core::*;

/// A generic extension value (`tagged-ext-val`, `body-extension`, vendor data):
/// how unknown data passes through typed but uninterpreted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// `NIL`.
    Nil,
    /// A number.
    Number(u64),
    /// An atom-like token (also sequence sets and flags such as `\Seen`).
    Atom(Bytes),
    /// A string.
    String(IString),
    /// `( ... )`.
    List(Vec<Value>),
}

/// A message flag (`flag`). The system flags are matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Flag {
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted`.
    Deleted,
    /// `\Seen`.
    Seen,
    /// `\Draft`.
    Draft,
    /// A keyword (`$Forwarded`, `NonJunk`, …).
    Keyword(Atom),
    /// Another `\`-flag (the atom after the backslash).
    Extension(Atom),
}

/// A flag in a FETCH response: a [`Flag`] or the obsolete `\Recent`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlagFetch {
    /// A flag.
    Flag(Flag),
    /// `\Recent` (IMAP4rev1).
    Recent,
}

/// A flag in PERMANENTFLAGS: a [`Flag`] or `\*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlagPerm {
    /// A flag.
    Flag(Flag),
    /// `\*`: new keywords may be created.
    Any,
}

/// A capability name (`capability = ("AUTH=" auth-type) / atom`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `IMAP4rev1`.
    Imap4Rev1,
    /// `IMAP4rev2`.
    Imap4Rev2,
    /// `AUTH=<mechanism>`.
    Auth(Atom),
    /// `STARTTLS`.
    StartTls,
    /// `LOGINDISABLED`.
    LoginDisabled,
    /// `IDLE` (RFC 2177).
    Idle,
    /// `LITERAL+` (RFC 7888).
    LiteralPlus,
    /// `LITERAL-` (RFC 7888).
    LiteralMinus,
    /// `UIDPLUS` (RFC 4315).
    UidPlus,
    /// `MOVE` (RFC 6851).
    Move,
    /// `ENABLE` (RFC 5161).
    Enable,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `ID` (RFC 2971).
    Id,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// `CREATE-SPECIAL-USE` (RFC 6154).
    CreateSpecialUse,
    /// `LIST-EXTENDED` (RFC 5258).
    ListExtended,
    /// `LIST-STATUS` (RFC 5819).
    ListStatus,
    /// `ESEARCH` (RFC 4731).
    Esearch,
    /// `SEARCHRES` (RFC 5182).
    SearchRes,
    /// `CONDSTORE` (RFC 7162).
    CondStore,
    /// `QRESYNC` (RFC 7162).
    QResync,
    /// `SASL-IR` (RFC 4959).
    SaslIr,
    /// `UTF8=ACCEPT` (RFC 6855).
    Utf8Accept,
    /// `BINARY` (RFC 3516).
    Binary,
    /// `SORT` (RFC 5256).
    Sort,
    /// `THREAD=<algorithm>` (RFC 5256).
    Thread(Atom),
    /// `QUOTA` (RFC 9208).
    Quota,
    /// `APPENDLIMIT` or `APPENDLIMIT=<n>` (RFC 7889).
    AppendLimit(Option<u64>),
    /// `STATUS=SIZE` (RFC 9051 / RFC 8438).
    StatusSize,
    /// `MULTIAPPEND` (RFC 3502).
    MultiAppend,
    /// `COMPRESS=<mechanism>` (RFC 4978).
    Compress(Atom),
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate,
    /// Any other capability, as sent.
    Other(Atom),
}

/// Response codes (`resp-text-code`) of RFC 9051 §7.1 and the extensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `ALERT`.
    Alert,
    /// `BADCHARSET [(charset ...)]`.
    BadCharset(Vec<Charset>),
    /// `CAPABILITY ...`.
    Capability(Vec<Capability>),
    /// `PARSE`.
    Parse,
    /// `PERMANENTFLAGS (...)`.
    PermanentFlags(Vec<FlagPerm>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`.
    TryCreate,
    /// `UIDNEXT n`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY n`.
    UidValidity(NonZeroU32),
    /// `UNSEEN n` (IMAP4rev1).
    Unseen(NonZeroU32),
    /// `APPENDUID validity uids` (RFC 4315).
    AppendUid {
        /// The destination's UIDVALIDITY.
        validity: NonZeroU32,
        /// The new UIDs.
        uids: SequenceSet,
    },
    /// `COPYUID validity source dest` (RFC 4315).
    CopyUid {
        /// The destination's UIDVALIDITY.
        validity: NonZeroU32,
        /// The source UIDs.
        source: SequenceSet,
        /// The destination UIDs.
        destination: SequenceSet,
    },
    /// `UIDNOTSTICKY`.
    UidNotSticky,
    /// `UNAVAILABLE`.
    Unavailable,
    /// `AUTHENTICATIONFAILED`.
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED`.
    AuthorizationFailed,
    /// `EXPIRED`.
    Expired,
    /// `PRIVACYREQUIRED`.
    PrivacyRequired,
    /// `CONTACTADMIN`.
    ContactAdmin,
    /// `NOPERM`.
    NoPerm,
    /// `INUSE`.
    InUse,
    /// `EXPUNGEISSUED`.
    ExpungeIssued,
    /// `CORRUPTION`.
    Corruption,
    /// `SERVERBUG`.
    ServerBug,
    /// `CLIENTBUG`.
    ClientBug,
    /// `CANNOT`.
    Cannot,
    /// `LIMIT`.
    Limit,
    /// `OVERQUOTA`.
    OverQuota,
    /// `ALREADYEXISTS`.
    AlreadyExists,
    /// `NONEXISTENT`.
    NonExistent,
    /// `NOTSAVED`.
    NotSaved,
    /// `HASCHILDREN`.
    HasChildren,
    /// `CLOSED`.
    Closed,
    /// `UNKNOWN-CTE` (RFC 3516).
    UnknownCte,
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162).
    NoModSeq,
    /// `MODIFIED set` (RFC 7162).
    Modified(SequenceSet),
    /// `COMPRESSIONACTIVE` (RFC 4978).
    CompressionActive,
    /// `TOOBIG` (RFC 4469 / RFC 7889).
    TooBig,
    /// `USEATTR` (RFC 6154).
    UseAttr,
    /// Any other code: its atom and the raw text after it, if any.
    Other(Atom, Option<Bytes>),
}

/// A charset name (`charset = atom / quoted`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Charset {
    /// As an atom.
    Atom(Atom),
    /// As a quoted string.
    Quoted(Quoted),
}

/// `resp-text`: an optional code and text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RespText {
    /// The `[code]`, if any.
    pub code: Option<Code>,
    /// The human-readable text (may be empty).
    pub text: Text,
}

/// The condition of a status response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusKind {
    /// `OK`.
    Ok,
    /// `NO`.
    No,
    /// `BAD`.
    Bad,
    /// `PREAUTH` (greeting only, untagged).
    PreAuth,
    /// `BYE` (untagged).
    Bye,
}

/// An address structure in an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// `addr-name`.
    pub name: NString,
    /// `addr-adl` (source route).
    pub adl: NString,
    /// `addr-mailbox` (local part or group name).
    pub mailbox: NString,
    /// `addr-host`.
    pub host: NString,
}

/// An `envelope`. Empty address lists are sent as `NIL`; the default is
/// all `NIL`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Envelope {
    /// `env-date`.
    pub date: NString,
    /// `env-subject`.
    pub subject: NString,
    /// `env-from`.
    pub from: Vec<Address>,
    /// `env-sender`.
    pub sender: Vec<Address>,
    /// `env-reply-to`.
    pub reply_to: Vec<Address>,
    /// `env-to`.
    pub to: Vec<Address>,
    /// `env-cc`.
    pub cc: Vec<Address>,
    /// `env-bcc`.
    pub bcc: Vec<Address>,
    /// `env-in-reply-to`.
    pub in_reply_to: NString,
    /// `env-message-id`.
    pub message_id: NString,
}

/// `body-fld-param`: attribute/value pairs, `None` for `NIL`.
pub type Params = Option<Vec<(IString, IString)>>;

/// `body-fields`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BodyFields {
    /// `body-fld-param`.
    pub params: Params,
    /// `body-fld-id`.
    pub id: NString,
    /// `body-fld-desc`.
    pub description: NString,
    /// `body-fld-enc`.
    pub encoding: IString,
    /// `body-fld-octets`.
    pub octets: u32,
}

/// The type-specific part of a single-part body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SinglePartKind {
    /// `body-type-basic`: any type other than TEXT and MESSAGE/RFC822|GLOBAL.
    Basic {
        /// `media-type`.
        media_type: IString,
        /// `media-subtype`.
        subtype: IString,
    },
    /// `body-type-text`.
    Text {
        /// `media-type` (`TEXT`, any case).
        media_type: IString,
        /// `media-subtype`.
        subtype: IString,
        /// `body-fld-lines`.
        lines: u64,
    },
    /// `body-type-msg`: MESSAGE/RFC822 or MESSAGE/GLOBAL.
    Message {
        /// `media-type` (`MESSAGE`, any case).
        media_type: IString,
        /// `media-subtype` (`RFC822` or `GLOBAL`).
        subtype: IString,
        /// The encapsulated message's envelope.
        envelope: Box<Envelope>,
        /// The encapsulated message's body.
        body: Box<BodyStructure>,
        /// `body-fld-lines`.
        lines: u64,
    },
}

/// `body-fld-dsp`: a disposition and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Disposition {
    /// The disposition type (`inline`, `attachment`, …).
    pub kind: IString,
    /// Its parameters.
    pub params: Params,
}

/// `body-fld-lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Language {
    /// A single nstring.
    Single(NString),
    /// A parenthesised list.
    List(Vec<IString>),
}

/// The extension data shared by single- and multi-part bodies, after md5 or params:
/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
///
/// Each `Option` is "present on the wire"; encoding stops at the first `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BodyExtension {
    /// `body-fld-dsp`: `Some(None)` is `NIL`.
    pub disposition: Option<Option<Disposition>>,
    /// `body-fld-lang`.
    pub language: Option<Language>,
    /// `body-fld-loc`.
    pub location: Option<NString>,
    /// Further `body-extension` values.
    pub extensions: Vec<Value>,
}

/// A `body` (BODY / BODYSTRUCTURE).
// Single parts are the common case and the leaves of every tree: boxing them
// would add an allocation per part to save space only in multipart nodes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BodyStructure {
    /// A single part.
    Single {
        /// Type and type-specific data.
        kind: SinglePartKind,
        /// `body-fields`.
        fields: BodyFields,
        /// `body-ext-1part`: `(md5, rest)`; `None` in non-extensible BODY.
        extension: Option<(NString, BodyExtension)>,
    },
    /// A multipart body.
    Multi {
        /// The parts (at least one).
        parts: Vec<BodyStructure>,
        /// `media-subtype` (`MIXED`, `ALTERNATIVE`, …).
        subtype: IString,
        /// `body-ext-mpart`: `(params, rest)`; `None` in non-extensible BODY.
        extension: Option<(Params, BodyExtension)>,
    },
}

/// The text part of a `section-spec`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionText {
    /// `HEADER`.
    Header,
    /// `HEADER.FIELDS (...)`.
    HeaderFields(Vec<AString>),
    /// `HEADER.FIELDS.NOT (...)`.
    HeaderFieldsNot(Vec<AString>),
    /// `TEXT`.
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

/// A `section`: `[part.part...[.text]]`. Empty means the whole message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Section {
    /// `section-part`.
    pub part: Vec<NonZeroU32>,
    /// `section-text` / `section-msgtext`.
    pub text: Option<SectionText>,
}

/// `partial`: `<offset.length>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partial {
    /// The first octet (0-based).
    pub offset: u64,
    /// The number of octets (non-zero).
    pub length: u64,
}

/// A `fetch-att`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchAttr {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822` (IMAP4rev1).
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1).
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1).
    Rfc822Text,
    /// `BODY`.
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[...]`.
    BodySection {
        /// `.PEEK`.
        peek: bool,
        /// The section.
        section: Section,
        /// The partial range.
        partial: Option<Partial>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516).
    Binary {
        /// `.PEEK`.
        peek: bool,
        /// `section-part`.
        part: Vec<NonZeroU32>,
        /// The partial range.
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[part]`.
    BinarySize(Vec<NonZeroU32>),
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `EMAILID` (RFC 8474).
    EmailId,
    /// `THREADID` (RFC 8474).
    ThreadId,
    /// An unknown attribute (e.g. `X-GM-LABELS`), as sent.
    Other(Atom),
}

/// The FETCH macros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FetchMacro {
    /// `ALL`: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE.
    All,
    /// `FAST`: FLAGS INTERNALDATE RFC822.SIZE.
    Fast,
    /// `FULL`: ALL plus BODY.
    Full,
}

/// What FETCH asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchAttrs {
    /// A macro.
    Macro(FetchMacro),
    /// One attribute without parentheses.
    Single(FetchAttr),
    /// A parenthesised list (at least one).
    List(Vec<FetchAttr>),
}

/// A FETCH modifier (RFC 4466 / RFC 7162).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchModifier {
    /// `CHANGEDSINCE modseq`.
    ChangedSince(u64),
    /// `VANISHED` (QRESYNC).
    Vanished,
    /// Another modifier and its value.
    Other(Atom, Option<Value>),
}

/// A `msg-att` item in a FETCH response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchItem {
    /// `ENVELOPE`.
    Envelope(Box<Envelope>),
    /// `FLAGS (...)`.
    Flags(Vec<FlagFetch>),
    /// `INTERNALDATE "..."`.
    InternalDate(DateTime),
    /// `RFC822.SIZE n`.
    Rfc822Size(u64),
    /// `RFC822 nstring`.
    Rfc822(NString),
    /// `RFC822.HEADER nstring`.
    Rfc822Header(NString),
    /// `RFC822.TEXT nstring`.
    Rfc822Text(NString),
    /// `BODY (...)` (non-extensible).
    Body(Box<BodyStructure>),
    /// `BODYSTRUCTURE (...)`.
    BodyStructure(Box<BodyStructure>),
    /// `BODY[section]<origin> nstring`; the data is handed out without copying.
    BodySection {
        /// The section.
        section: Section,
        /// `<origin>` for partial fetches.
        origin: Option<u64>,
        /// The content.
        data: NString,
    },
    /// `BINARY[part]<origin> (nstring / literal8)`.
    Binary {
        /// `section-part`.
        part: Vec<NonZeroU32>,
        /// `<origin>`.
        origin: Option<u64>,
        /// The content.
        data: NString,
    },
    /// `BINARY.SIZE[part] n`.
    BinarySize {
        /// `section-part`.
        part: Vec<NonZeroU32>,
        /// The decoded size.
        size: u64,
    },
    /// `UID n`.
    Uid(NonZeroU32),
    /// `MODSEQ (n)`.
    ModSeq(u64),
    /// `EMAILID (id)`.
    EmailId(Atom),
    /// `THREADID (id)` or `THREADID NIL`.
    ThreadId(Option<Atom>),
    /// An unknown item (e.g. `X-GM-LABELS (...)`) and its value.
    Other(Atom, Value),
    /// An item that did not parse (only with `quirk_isolate_bad_fetch_item`):
    /// its raw bytes and what was wrong.
    Invalid {
        /// The item's bytes as received.
        raw: Bytes,
        /// What failed.
        error: String,
    },
}

/// A STATUS attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusAttr {
    /// `MESSAGES`.
    Messages,
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `UIDNEXT`.
    UidNext,
    /// `UIDVALIDITY`.
    UidValidity,
    /// `UNSEEN`.
    Unseen,
    /// `DELETED`.
    Deleted,
    /// `SIZE` (STATUS=SIZE).
    Size,
    /// `HIGHESTMODSEQ` (CONDSTORE).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// Another attribute.
    Other(Atom),
}

/// A STATUS response item; `value` is `None` only for `APPENDLIMIT NIL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusItem {
    /// The attribute.
    pub attr: StatusAttr,
    /// Its value.
    pub value: Option<u64>,
}

/// A search key (RFC 9051 `search-key`, RFC 3501 additions, MODSEQ).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SearchKey {
    /// `ALL`.
    All,
    /// `ANSWERED`.
    Answered,
    /// `BCC s`.
    Bcc(AString),
    /// `BEFORE date`.
    Before(Date),
    /// `BODY s`.
    Body(AString),
    /// `CC s`.
    Cc(AString),
    /// `DELETED`.
    Deleted,
    /// `DRAFT`.
    Draft,
    /// `FLAGGED`.
    Flagged,
    /// `FROM s`.
    From(AString),
    /// `HEADER field value`.
    Header(AString, AString),
    /// `KEYWORD k`.
    Keyword(Atom),
    /// `LARGER n`.
    Larger(u64),
    /// `NEW` (IMAP4rev1).
    New,
    /// `NOT key`.
    Not(Box<SearchKey>),
    /// `OLD` (IMAP4rev1).
    Old,
    /// `ON date`.
    On(Date),
    /// `OR a b`.
    Or(Box<SearchKey>, Box<SearchKey>),
    /// `RECENT` (IMAP4rev1).
    Recent,
    /// `SEEN`.
    Seen,
    /// `SENTBEFORE date`.
    SentBefore(Date),
    /// `SENTON date`.
    SentOn(Date),
    /// `SENTSINCE date`.
    SentSince(Date),
    /// `SINCE date`.
    Since(Date),
    /// `SMALLER n`.
    Smaller(u64),
    /// `SUBJECT s`.
    Subject(AString),
    /// `TEXT s`.
    Text(AString),
    /// `TO s`.
    To(AString),
    /// `UID set`.
    Uid(SequenceSet),
    /// `UNANSWERED`.
    Unanswered,
    /// `UNDELETED`.
    Undeleted,
    /// `UNDRAFT`.
    Undraft,
    /// `UNFLAGGED`.
    Unflagged,
    /// `UNKEYWORD k`.
    Unkeyword(Atom),
    /// `UNSEEN`.
    Unseen,
    /// A bare sequence set.
    SequenceSet(SequenceSet),
    /// `( key key ... )`.
    And(Vec<SearchKey>),
    /// `MODSEQ ["/flags/x" priv|shared|all] n` (RFC 7162).
    ModSeq {
        /// The entry name (quoted) and type.
        entry: Option<(Quoted, Atom)>,
        /// The mod-sequence value.
        modseq: u64,
    },
    /// `EMAILID id` (RFC 8474).
    EmailId(Atom),
    /// `THREADID id` (RFC 8474).
    ThreadId(Atom),
}

/// A SEARCH `RETURN` option (RFC 4731 / RFC 9051).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchReturn {
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
    /// `ALL`.
    All,
    /// `COUNT`.
    Count,
    /// `SAVE` (SEARCHRES).
    Save,
    /// Another option and its parameters.
    Other(Atom, Option<Value>),
}

/// One item of ESEARCH data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchReturnData {
    /// `MIN n`.
    Min(NonZeroU32),
    /// `MAX n`.
    Max(NonZeroU32),
    /// `ALL set`.
    All(SequenceSet),
    /// `COUNT n`.
    Count(u32),
    /// `MODSEQ n` (CONDSTORE).
    ModSeq(u64),
    /// Another item.
    Other(Atom, Value),
}

/// An ESEARCH response (RFC 4731).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Esearch {
    /// `(TAG "tag")`.
    pub correlator: Option<AString>,
    /// `UID`.
    pub uid: bool,
    /// The data items.
    pub data: Vec<SearchReturnData>,
}

/// STORE's operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreMode {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// A LIST pattern (`list-mailbox`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListMailbox {
    /// `1*list-char` (may contain `%` and `*`).
    Token(Bytes),
    /// A string.
    String(IString),
}

/// The patterns of LIST: one, or a parenthesised list (LIST-EXTENDED).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListPatterns {
    /// `mbox-or-pat = list-mailbox`.
    Single(ListMailbox),
    /// `patterns = "(" list-mailbox *(SP list-mailbox) ")"`.
    List(Vec<ListMailbox>),
}

/// A LIST selection or return option (LIST-EXTENDED, LIST-STATUS).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListOption {
    /// `SUBSCRIBED`.
    Subscribed,
    /// `REMOTE`.
    Remote,
    /// `RECURSIVEMATCH`.
    RecursiveMatch,
    /// `SPECIAL-USE`.
    SpecialUse,
    /// `CHILDREN` (return).
    Children,
    /// `STATUS (attrs)` (return, LIST-STATUS).
    Status(Vec<StatusAttr>),
    /// Another option and its value.
    Other(Atom, Option<Value>),
}

/// A LIST / LSUB response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListItem {
    /// `mbx-list-flags`, each without its backslash (`Noselect`, `HasChildren`, …).
    pub attributes: Vec<Atom>,
    /// The hierarchy delimiter, `None` for `NIL`.
    pub delimiter: Option<u8>,
    /// The mailbox.
    pub mailbox: Mailbox,
    /// `mbox-list-extended` items (`CHILDINFO`, `OLDNAME`, …).
    pub extended: Vec<(AString, Value)>,
}

/// One `namespace-descr`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamespaceDescr {
    /// The prefix.
    pub prefix: IString,
    /// The hierarchy delimiter, `None` for `NIL`.
    pub delimiter: Option<u8>,
    /// `namespace-response-extension`s.
    pub extensions: Vec<(IString, Vec<IString>)>,
}

/// A THREAD response node: `thread-members [thread-nested]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThreadList {
    /// The message numbers in line.
    pub members: Vec<NonZeroU32>,
    /// Branches after them (zero or at least two).
    pub children: Vec<ThreadList>,
}

/// A QUOTA resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaResource {
    /// `STORAGE`, `MESSAGE`, …
    pub name: Atom,
    /// Current usage.
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

/// A SORT criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortCriterion {
    /// `REVERSE`.
    pub reverse: bool,
    /// `ARRIVAL`, `CC`, `DATE`, `FROM`, `SIZE`, `SUBJECT`, `TO`, or an extension.
    pub key: Atom,
}

/// A SELECT / EXAMINE parameter (CONDSTORE, QRESYNC).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectParam {
    /// `CONDSTORE`.
    CondStore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [(seqs uids)])`.
    QResync {
        /// The last known UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The last known mod-sequence.
        modseq: u64,
        /// The known UIDs.
        known_uids: Option<SequenceSet>,
        /// `(known-sequence-set known-uid-set)`.
        seq_match: Option<(SequenceSet, SequenceSet)>,
    },
    /// Another parameter.
    Other(Atom, Option<Value>),
}

/// One message of APPEND (several with MULTIAPPEND).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppendMessage {
    /// The flag list, if given.
    pub flags: Option<Vec<Flag>>,
    /// The internal date, if given.
    pub date: Option<DateTime>,
    /// The message (a literal, or a literal8 with BINARY).
    pub message: Literal,
}

/// A command: its tag and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The tag.
    pub tag: Tag,
    /// What it asks.
    pub body: CommandBody,
}

/// Every command of IMAP4rev1, IMAP4rev2 and the supported extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandBody {
    /// `CAPABILITY`.
    Capability,
    /// `NOOP`.
    Noop,
    /// `LOGOUT`.
    Logout,
    /// `STARTTLS`.
    StartTls,
    /// `AUTHENTICATE mech [initial-response]` (SASL-IR); `=` is `Some(empty)`.
    Authenticate {
        /// The mechanism.
        mechanism: Atom,
        /// The initial response, base64 as sent.
        initial: Option<Bytes>,
    },
    /// `LOGIN user password`.
    Login {
        /// The user name.
        username: AString,
        /// The password (redacted in `Debug`).
        password: Secret,
    },
    /// `ENABLE cap...`.
    Enable(Vec<Capability>),
    /// `SELECT mailbox [(params)]`.
    Select {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters.
        params: Vec<SelectParam>,
    },
    /// `EXAMINE mailbox [(params)]`.
    Examine {
        /// The mailbox.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters.
        params: Vec<SelectParam>,
    },
    /// `CREATE mailbox [(USE (...))]`.
    Create {
        /// The mailbox.
        mailbox: Mailbox,
        /// Special-use attributes (CREATE-SPECIAL-USE), `None` when absent.
        special_use: Option<Vec<Atom>>,
    },
    /// `DELETE mailbox`.
    Delete(Mailbox),
    /// `RENAME from to`.
    Rename {
        /// Existing name.
        from: Mailbox,
        /// New name.
        to: Mailbox,
    },
    /// `SUBSCRIBE mailbox`.
    Subscribe(Mailbox),
    /// `UNSUBSCRIBE mailbox`.
    Unsubscribe(Mailbox),
    /// `LIST [(select)] reference patterns [RETURN (...)]`.
    List {
        /// Selection options (LIST-EXTENDED); `None` when absent.
        selection: Option<Vec<ListOption>>,
        /// The reference name.
        reference: Mailbox,
        /// The pattern(s).
        patterns: ListPatterns,
        /// Return options; `None` when absent.
        returns: Option<Vec<ListOption>>,
    },
    /// `LSUB reference pattern` (IMAP4rev1).
    Lsub {
        /// The reference name.
        reference: Mailbox,
        /// The pattern.
        pattern: ListMailbox,
    },
    /// `NAMESPACE`.
    Namespace,
    /// `STATUS mailbox (attrs)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The attributes asked for.
        attrs: Vec<StatusAttr>,
    },
    /// `APPEND mailbox message...` (MULTIAPPEND when more than one).
    Append {
        /// The destination.
        mailbox: Mailbox,
        /// The messages (at least one).
        messages: Vec<AppendMessage>,
    },
    /// `IDLE` (ended by `DONE`, see [`crate::parse::idle_done`]).
    Idle,
    /// `CHECK` (IMAP4rev1).
    Check,
    /// `CLOSE`.
    Close,
    /// `UNSELECT`.
    Unselect,
    /// `EXPUNGE`.
    Expunge,
    /// `UID EXPUNGE set` (UIDPLUS).
    UidExpunge(SequenceSet),
    /// `[UID] SEARCH [RETURN (...)] [CHARSET c] keys`.
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (...)`; `None` when absent.
        returns: Option<Vec<SearchReturn>>,
        /// `CHARSET`.
        charset: Option<Charset>,
        /// The keys (ANDed, at least one).
        criteria: Vec<SearchKey>,
    },
    /// `[UID] FETCH set attrs [(modifiers)]`.
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// What to fetch.
        attrs: FetchAttrs,
        /// CONDSTORE / QRESYNC modifiers.
        modifiers: Vec<FetchModifier>,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags`.
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// `UNCHANGEDSINCE` (CONDSTORE).
        unchanged_since: Option<u64>,
        /// Replace, add or remove.
        mode: StoreMode,
        /// `.SILENT`.
        silent: bool,
        /// The flags.
        flags: Vec<Flag>,
        /// Whether the flags were sent in parentheses.
        parenthesized: bool,
    },
    /// `[UID] COPY set mailbox`.
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851).
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        set: SequenceSet,
        /// The destination.
        mailbox: Mailbox,
    },
    /// `ID (field value ...)` or `ID NIL` (RFC 2971).
    Id(Option<Vec<(IString, NString)>>),
    /// `[UID] SORT (criteria) charset keys` (RFC 5256).
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// The sort criteria (at least one).
        criteria: Vec<SortCriterion>,
        /// The charset.
        charset: Charset,
        /// The search keys.
        search: Vec<SearchKey>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256).
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// `ORDEREDSUBJECT`, `REFERENCES`, …
        algorithm: Atom,
        /// The charset.
        charset: Charset,
        /// The search keys.
        search: Vec<SearchKey>,
    },
    /// `GETQUOTA root` (RFC 9208).
    GetQuota(AString),
    /// `GETQUOTAROOT mailbox`.
    GetQuotaRoot(Mailbox),
    /// `SETQUOTA root (resource limit ...)`.
    SetQuota {
        /// The quota root.
        root: AString,
        /// The new limits.
        limits: Vec<(Atom, u64)>,
    },
    /// `COMPRESS mechanism` (RFC 4978).
    Compress(Atom),
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate,
    /// An unknown command: its name and the raw rest of the line (after the SP).
    Other {
        /// The command name.
        name: Atom,
        /// The arguments as received (may contain literals).
        arguments: Bytes,
    },
}

/// A server response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// A status response (tagged, or untagged OK/NO/BAD/PREAUTH/BYE).
    Status(StatusResponse),
    /// Untagged data.
    Data(Data),
    /// `+ ...` continuation request.
    Continue(RespText),
}

/// A status response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusResponse {
    /// The tag, `None` for `*`.
    pub tag: Option<Tag>,
    /// OK, NO, BAD, PREAUTH or BYE.
    pub kind: StatusKind,
    /// Code and text.
    pub text: RespText,
}

/// Untagged response data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Data {
    /// `CAPABILITY ...`.
    Capability(Vec<Capability>),
    /// `ENABLED ...`.
    Enabled(Vec<Capability>),
    /// `FLAGS (...)`.
    Flags(Vec<Flag>),
    /// `LIST ...`.
    List(ListItem),
    /// `LSUB ...` (IMAP4rev1).
    Lsub(ListItem),
    /// `STATUS mailbox (...)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox,
        /// The items.
        items: Vec<StatusItem>,
    },
    /// `SEARCH n...` (IMAP4rev1) with CONDSTORE's `(MODSEQ n)`.
    Search {
        /// The matching numbers.
        ids: Vec<NonZeroU32>,
        /// `(MODSEQ n)`.
        modseq: Option<u64>,
    },
    /// `ESEARCH ...`.
    Esearch(Esearch),
    /// `n EXISTS`.
    Exists(u32),
    /// `n RECENT` (IMAP4rev1).
    Recent(u32),
    /// `n EXPUNGE`.
    Expunge(NonZeroU32),
    /// `n FETCH (...)`.
    Fetch {
        /// The message sequence number.
        seq: NonZeroU32,
        /// The items (at least one).
        items: Vec<FetchItem>,
    },
    /// `NAMESPACE personal other shared`; `None` for `NIL`.
    Namespace {
        /// Personal namespaces.
        personal: Option<Vec<NamespaceDescr>>,
        /// Other users' namespaces.
        other: Option<Vec<NamespaceDescr>>,
        /// Shared namespaces.
        shared: Option<Vec<NamespaceDescr>>,
    },
    /// `ID (...)` or `ID NIL`.
    Id(Option<Vec<(IString, NString)>>),
    /// `SORT n...`.
    Sort(Vec<NonZeroU32>),
    /// `THREAD (...)...`.
    Thread(Vec<ThreadList>),
    /// `QUOTA root (resource usage limit ...)`.
    Quota {
        /// The quota root.
        root: AString,
        /// The resources.
        resources: Vec<QuotaResource>,
    },
    /// `QUOTAROOT mailbox root...`.
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox,
        /// Its quota roots.
        roots: Vec<AString>,
    },
    /// `VANISHED [(EARLIER)] uids` (QRESYNC).
    Vanished {
        /// `(EARLIER)`.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet,
    },
    /// Unknown untagged data: the raw bytes after `* ` (CRLF removed).
    Other(Bytes),
}
