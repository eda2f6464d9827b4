//! Encoders: every type back into the bytes the parser accepts.
//!
//! Values keep the form they were parsed in (atom, quoted, literal), so a
//! parsed message encodes back byte for byte; values built with the
//! `from_bytes` constructors get the cheapest form their content allows.
//!
//! Two ways out:
//! * [`command`] / [`response`] write everything contiguously into a
//!   `BytesMut` (a server's output, or a client that already knows the
//!   server takes LITERAL+);
//! * [`command_fragments`] splits a command at each literal and tells a
//!   client where to wait for the server's `+` ([`Fragment`]); literal data
//!   is handed over as the same `Bytes`, never copied.
//!
//! A large message body is streamed with [`append_prefix`]: write the
//! command up to the literal announcement, then the body in chunks, then CRLF.

use bytes::{BufMut, Bytes, BytesMut};

use crate::types::*;

/// A piece of an encoded command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// Command text through a CRLF (the last line, or one that ends in a
    /// literal announcement).
    Line(Bytes),
    /// Literal data, sent after the preceding line. With
    /// [`LiteralMode::Sync`] the client must wait for `+` before sending it.
    Literal {
        /// The data.
        data: Bytes,
        /// Whether to wait for `+`.
        mode: LiteralMode,
    },
}

trait Sink {
    fn put(&mut self, b: &[u8]);
    fn literal(&mut self, l: &Literal);
}

/// Contiguous output; `server` writes every literal as `{n}` (servers never
/// send non-synchronising literals).
struct Flat<'a> {
    out: &'a mut BytesMut,
    server: bool,
}

fn literal_header(out: &mut BytesMut, len: u64, mode: LiteralMode, binary: bool) {
    if binary {
        out.put_u8(b'~');
    }
    out.put_u8(b'{');
    out.extend_from_slice(itoa(len).as_bytes());
    if mode == LiteralMode::NonSync {
        out.put_u8(b'+');
    }
    out.extend_from_slice(b"}\r\n");
}

fn itoa(n: u64) -> String {
    n.to_string()
}

impl Sink for Flat<'_> {
    fn put(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }
    fn literal(&mut self, l: &Literal) {
        let mode = if self.server {
            LiteralMode::Sync
        } else {
            l.mode()
        };
        literal_header(self.out, l.as_bytes().len() as u64, mode, l.is_binary());
        self.out.extend_from_slice(l.as_bytes());
    }
}

struct Fragmenter {
    buf: BytesMut,
    fragments: Vec<Fragment>,
}

impl Sink for Fragmenter {
    fn put(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    fn literal(&mut self, l: &Literal) {
        literal_header(
            &mut self.buf,
            l.as_bytes().len() as u64,
            l.mode(),
            l.is_binary(),
        );
        self.fragments
            .push(Fragment::Line(self.buf.split().freeze()));
        self.fragments.push(Fragment::Literal {
            data: l.to_bytes(),
            mode: l.mode(),
        });
    }
}

/// Writes a command contiguously (literals inline, as announced).
pub fn command(cmd: &Command, out: &mut BytesMut) {
    let mut s = Flat { out, server: false };
    enc_command(&mut s, cmd);
}

/// Splits a command into lines and literals (see [`Fragment`]).
pub fn command_fragments(cmd: &Command) -> Vec<Fragment> {
    let mut s = Fragmenter {
        buf: BytesMut::new(),
        fragments: Vec::new(),
    };
    enc_command(&mut s, cmd);
    if !s.buf.is_empty() {
        let rest = s.buf.split().freeze();
        s.fragments.push(Fragment::Line(rest));
    }
    s.fragments
}

/// Writes a response contiguously.
pub fn response(resp: &Response, out: &mut BytesMut) {
    let mut s = Flat { out, server: true };
    enc_response(&mut s, resp);
}

/// The head of an `APPEND` command whose message body the caller streams.
#[derive(Debug, Clone, Copy)]
pub struct AppendPrefix<'a> {
    /// The command's tag.
    pub tag: &'a Tag,
    /// The destination mailbox.
    pub mailbox: &'a Mailbox,
    /// The flag list, if any.
    pub flags: Option<&'a [Flag]>,
    /// The internal date, if any.
    pub date: Option<&'a DateTime>,
    /// The message size in octets.
    pub length: u64,
    /// Synchronising or not (`{n}`, `{n+}`).
    pub mode: LiteralMode,
    /// A `~{n}` literal8 (RFC 3516 BINARY).
    pub binary: bool,
}

/// Writes `tag APPEND mailbox [(flags)] ["date"] {n}` CRLF, ready for `n`
/// octets of message body streamed by the caller (after `+` when `mode` is
/// [`LiteralMode::Sync`]), which then ends the command with CRLF.
pub fn append_prefix(head: &AppendPrefix<'_>, out: &mut BytesMut) {
    let mut s = Flat {
        out: &mut *out,
        server: false,
    };
    s.put(head.tag.as_bytes());
    s.put(b" APPEND ");
    enc_astring(&mut s, head.mailbox.as_astring());
    if let Some(f) = head.flags {
        s.put(b" ");
        enc_flag_list(&mut s, f);
    }
    if let Some(d) = head.date {
        s.put(b" ");
        enc_date_time(&mut s, d);
    }
    s.put(b" ");
    literal_header(out, head.length, head.mode, head.binary);
}

/// Writes a status response (`tag OK [code] text`), e.g. a server's reply.
pub fn status(resp: &StatusResponse, out: &mut BytesMut) {
    let mut s = Flat { out, server: true };
    enc_status(&mut s, resp);
}

fn enc_quoted<S: Sink>(s: &mut S, q: &[u8]) {
    s.put(b"\"");
    let mut rest = q;
    while let Some(at) = memchr::memchr2(b'"', b'\\', rest) {
        let (head, tail) = rest.split_at(at);
        s.put(head);
        s.put(b"\\");
        let (c, tail) = tail.split_at(1);
        s.put(c);
        rest = tail;
    }
    s.put(rest);
    s.put(b"\"");
}

fn enc_string<S: Sink>(s: &mut S, v: &IString) {
    match v {
        IString::Quoted(q) => enc_quoted(s, q.as_bytes()),
        IString::Literal(l) => s.literal(l),
    }
}

fn enc_nstring<S: Sink>(s: &mut S, v: &NString) {
    match v {
        Some(v) => enc_string(s, v),
        None => s.put(b"NIL"),
    }
}

fn enc_astring<S: Sink>(s: &mut S, v: &AString) {
    match v {
        AString::Atom(a) => s.put(a.as_bytes()),
        AString::String(v) => enc_string(s, v),
    }
}

fn enc_num<S: Sink>(s: &mut S, n: u64) {
    s.put(itoa(n).as_bytes());
}

fn enc_list<S: Sink, T>(s: &mut S, items: &[T], mut f: impl FnMut(&mut S, &T)) {
    s.put(b"(");
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            s.put(b" ");
        }
        f(s, x);
    }
    s.put(b")");
}

fn enc_seq_no<S: Sink>(s: &mut S, n: SeqNo) {
    match n {
        SeqNo::Value(v) => enc_num(s, u64::from(v.get())),
        SeqNo::Largest => s.put(b"*"),
    }
}

fn enc_set<S: Sink>(s: &mut S, set: &SequenceSet) {
    match set {
        SequenceSet::Saved => s.put(b"$"),
        SequenceSet::Set(v) => {
            for (i, r) in v.iter().enumerate() {
                if i > 0 {
                    s.put(b",");
                }
                match *r {
                    SeqRange::Single(n) => enc_seq_no(s, n),
                    SeqRange::Range(a, b) => {
                        enc_seq_no(s, a);
                        s.put(b":");
                        enc_seq_no(s, b);
                    }
                }
            }
        }
    }
}

fn enc_flag<S: Sink>(s: &mut S, f: &Flag) {
    match f {
        Flag::Answered => s.put(b"\\Answered"),
        Flag::Flagged => s.put(b"\\Flagged"),
        Flag::Deleted => s.put(b"\\Deleted"),
        Flag::Seen => s.put(b"\\Seen"),
        Flag::Draft => s.put(b"\\Draft"),
        Flag::Keyword(a) => s.put(a.as_bytes()),
        Flag::Extension(a) => {
            s.put(b"\\");
            s.put(a.as_bytes());
        }
    }
}

fn enc_flag_list<S: Sink>(s: &mut S, f: &[Flag]) {
    enc_list(s, f, |s, f| enc_flag(s, f));
}

fn enc_date_time<S: Sink>(s: &mut S, d: &DateTime) {
    s.put(b"\"");
    s.put(d.as_bytes());
    s.put(b"\"");
}

fn enc_date<S: Sink>(s: &mut S, d: &Date) {
    if d.is_quoted() {
        s.put(b"\"");
        s.put(d.as_bytes());
        s.put(b"\"");
    } else {
        s.put(d.as_bytes());
    }
}

fn enc_charset<S: Sink>(s: &mut S, c: &Charset) {
    match c {
        Charset::Atom(a) => s.put(a.as_bytes()),
        Charset::Quoted(q) => enc_quoted(s, q.as_bytes()),
    }
}

fn enc_value<S: Sink>(s: &mut S, v: &Value) {
    match v {
        Value::Nil => s.put(b"NIL"),
        Value::Number(n) => enc_num(s, *n),
        Value::Atom(a) => s.put(a),
        Value::String(v) => enc_string(s, v),
        Value::List(v) => enc_list(s, v, |s, x| enc_value(s, x)),
    }
}

fn capability_name(c: &Capability) -> Option<&'static str> {
    Some(match c {
        Capability::Imap4Rev1 => "IMAP4rev1",
        Capability::Imap4Rev2 => "IMAP4rev2",
        Capability::StartTls => "STARTTLS",
        Capability::LoginDisabled => "LOGINDISABLED",
        Capability::Idle => "IDLE",
        Capability::LiteralPlus => "LITERAL+",
        Capability::LiteralMinus => "LITERAL-",
        Capability::UidPlus => "UIDPLUS",
        Capability::Move => "MOVE",
        Capability::Enable => "ENABLE",
        Capability::Unselect => "UNSELECT",
        Capability::Namespace => "NAMESPACE",
        Capability::Id => "ID",
        Capability::SpecialUse => "SPECIAL-USE",
        Capability::CreateSpecialUse => "CREATE-SPECIAL-USE",
        Capability::ListExtended => "LIST-EXTENDED",
        Capability::ListStatus => "LIST-STATUS",
        Capability::Esearch => "ESEARCH",
        Capability::SearchRes => "SEARCHRES",
        Capability::CondStore => "CONDSTORE",
        Capability::QResync => "QRESYNC",
        Capability::SaslIr => "SASL-IR",
        Capability::Utf8Accept => "UTF8=ACCEPT",
        Capability::Binary => "BINARY",
        Capability::Sort => "SORT",
        Capability::Quota => "QUOTA",
        Capability::AppendLimit(None) => "APPENDLIMIT",
        Capability::StatusSize => "STATUS=SIZE",
        Capability::MultiAppend => "MULTIAPPEND",
        Capability::Unauthenticate => "UNAUTHENTICATE",
        Capability::Auth(_)
        | Capability::Thread(_)
        | Capability::Compress(_)
        | Capability::AppendLimit(Some(_))
        | Capability::Other(_) => return None,
    })
}

fn enc_capability<S: Sink>(s: &mut S, c: &Capability) {
    if let Some(name) = capability_name(c) {
        s.put(name.as_bytes());
        return;
    }
    match c {
        Capability::Auth(a) => {
            s.put(b"AUTH=");
            s.put(a.as_bytes());
        }
        Capability::Thread(a) => {
            s.put(b"THREAD=");
            s.put(a.as_bytes());
        }
        Capability::Compress(a) => {
            s.put(b"COMPRESS=");
            s.put(a.as_bytes());
        }
        Capability::AppendLimit(Some(n)) => {
            s.put(b"APPENDLIMIT=");
            enc_num(s, *n);
        }
        Capability::Other(a) => s.put(a.as_bytes()),
        _ => {}
    }
}

fn enc_capabilities<S: Sink>(s: &mut S, caps: &[Capability]) {
    for c in caps {
        s.put(b" ");
        enc_capability(s, c);
    }
}

fn enc_status_attr<S: Sink>(s: &mut S, a: &StatusAttr) {
    s.put(match a {
        StatusAttr::Messages => b"MESSAGES",
        StatusAttr::Recent => b"RECENT",
        StatusAttr::UidNext => b"UIDNEXT",
        StatusAttr::UidValidity => b"UIDVALIDITY",
        StatusAttr::Unseen => b"UNSEEN",
        StatusAttr::Deleted => b"DELETED",
        StatusAttr::Size => b"SIZE",
        StatusAttr::HighestModSeq => b"HIGHESTMODSEQ",
        StatusAttr::AppendLimit => b"APPENDLIMIT",
        StatusAttr::Other(a) => a.as_bytes(),
    });
}

fn enc_section<S: Sink>(s: &mut S, sec: &Section) {
    s.put(b"[");
    enc_part(s, &sec.part);
    if let Some(t) = &sec.text {
        if !sec.part.is_empty() {
            s.put(b".");
        }
        match t {
            SectionText::Header => s.put(b"HEADER"),
            SectionText::Text => s.put(b"TEXT"),
            SectionText::Mime => s.put(b"MIME"),
            SectionText::HeaderFields(v) => {
                s.put(b"HEADER.FIELDS ");
                enc_list(s, v, |s, x| enc_astring(s, x));
            }
            SectionText::HeaderFieldsNot(v) => {
                s.put(b"HEADER.FIELDS.NOT ");
                enc_list(s, v, |s, x| enc_astring(s, x));
            }
        }
    }
    s.put(b"]");
}

fn enc_part<S: Sink>(s: &mut S, part: &[std::num::NonZeroU32]) {
    for (i, p) in part.iter().enumerate() {
        if i > 0 {
            s.put(b".");
        }
        enc_num(s, u64::from(p.get()));
    }
}

fn enc_fetch_attr<S: Sink>(s: &mut S, a: &FetchAttr) {
    match a {
        FetchAttr::Envelope => s.put(b"ENVELOPE"),
        FetchAttr::Flags => s.put(b"FLAGS"),
        FetchAttr::InternalDate => s.put(b"INTERNALDATE"),
        FetchAttr::Rfc822Size => s.put(b"RFC822.SIZE"),
        FetchAttr::Rfc822 => s.put(b"RFC822"),
        FetchAttr::Rfc822Header => s.put(b"RFC822.HEADER"),
        FetchAttr::Rfc822Text => s.put(b"RFC822.TEXT"),
        FetchAttr::Body => s.put(b"BODY"),
        FetchAttr::BodyStructure => s.put(b"BODYSTRUCTURE"),
        FetchAttr::Uid => s.put(b"UID"),
        FetchAttr::ModSeq => s.put(b"MODSEQ"),
        FetchAttr::EmailId => s.put(b"EMAILID"),
        FetchAttr::ThreadId => s.put(b"THREADID"),
        FetchAttr::BodySection {
            peek,
            section,
            partial,
        } => {
            s.put(if *peek { b"BODY.PEEK" } else { b"BODY" });
            enc_section(s, section);
            enc_partial(s, partial.as_ref());
        }
        FetchAttr::Binary {
            peek,
            part,
            partial,
        } => {
            s.put(if *peek { b"BINARY.PEEK[" } else { b"BINARY[" });
            enc_part(s, part);
            s.put(b"]");
            enc_partial(s, partial.as_ref());
        }
        FetchAttr::BinarySize(part) => {
            s.put(b"BINARY.SIZE[");
            enc_part(s, part);
            s.put(b"]");
        }
        FetchAttr::Other(a) => s.put(a.as_bytes()),
    }
}

fn enc_partial<S: Sink>(s: &mut S, p: Option<&Partial>) {
    if let Some(p) = p {
        s.put(b"<");
        enc_num(s, p.offset);
        s.put(b".");
        enc_num(s, p.length);
        s.put(b">");
    }
}

fn enc_search_key<S: Sink>(s: &mut S, k: &SearchKey) {
    let word_astr = |s: &mut S, w: &[u8], a: &AString| {
        s.put(w);
        s.put(b" ");
        enc_astring(s, a);
    };
    match k {
        SearchKey::All => s.put(b"ALL"),
        SearchKey::Answered => s.put(b"ANSWERED"),
        SearchKey::Deleted => s.put(b"DELETED"),
        SearchKey::Draft => s.put(b"DRAFT"),
        SearchKey::Flagged => s.put(b"FLAGGED"),
        SearchKey::New => s.put(b"NEW"),
        SearchKey::Old => s.put(b"OLD"),
        SearchKey::Recent => s.put(b"RECENT"),
        SearchKey::Seen => s.put(b"SEEN"),
        SearchKey::Unanswered => s.put(b"UNANSWERED"),
        SearchKey::Undeleted => s.put(b"UNDELETED"),
        SearchKey::Undraft => s.put(b"UNDRAFT"),
        SearchKey::Unflagged => s.put(b"UNFLAGGED"),
        SearchKey::Unseen => s.put(b"UNSEEN"),
        SearchKey::Bcc(a) => word_astr(s, b"BCC", a),
        SearchKey::Body(a) => word_astr(s, b"BODY", a),
        SearchKey::Cc(a) => word_astr(s, b"CC", a),
        SearchKey::From(a) => word_astr(s, b"FROM", a),
        SearchKey::Subject(a) => word_astr(s, b"SUBJECT", a),
        SearchKey::Text(a) => word_astr(s, b"TEXT", a),
        SearchKey::To(a) => word_astr(s, b"TO", a),
        SearchKey::Header(f, v) => {
            word_astr(s, b"HEADER", f);
            s.put(b" ");
            enc_astring(s, v);
        }
        SearchKey::Before(d)
        | SearchKey::On(d)
        | SearchKey::Since(d)
        | SearchKey::SentBefore(d)
        | SearchKey::SentOn(d)
        | SearchKey::SentSince(d) => {
            s.put(match k {
                SearchKey::Before(_) => b"BEFORE ",
                SearchKey::On(_) => b"ON ",
                SearchKey::Since(_) => b"SINCE ",
                SearchKey::SentBefore(_) => b"SENTBEFORE ",
                SearchKey::SentOn(_) => b"SENTON ",
                _ => b"SENTSINCE ",
            });
            enc_date(s, d);
        }
        SearchKey::Keyword(a)
        | SearchKey::Unkeyword(a)
        | SearchKey::EmailId(a)
        | SearchKey::ThreadId(a) => {
            s.put(match k {
                SearchKey::Keyword(_) => b"KEYWORD ",
                SearchKey::Unkeyword(_) => b"UNKEYWORD ",
                SearchKey::EmailId(_) => b"EMAILID ",
                _ => b"THREADID ",
            });
            s.put(a.as_bytes());
        }
        SearchKey::Larger(n) => {
            s.put(b"LARGER ");
            enc_num(s, *n);
        }
        SearchKey::Smaller(n) => {
            s.put(b"SMALLER ");
            enc_num(s, *n);
        }
        SearchKey::Uid(set) => {
            s.put(b"UID ");
            enc_set(s, set);
        }
        SearchKey::SequenceSet(set) => enc_set(s, set),
        SearchKey::Not(k) => {
            s.put(b"NOT ");
            enc_search_key(s, k);
        }
        SearchKey::Or(a, b) => {
            s.put(b"OR ");
            enc_search_key(s, a);
            s.put(b" ");
            enc_search_key(s, b);
        }
        SearchKey::And(v) => enc_list(s, v, |s, k| enc_search_key(s, k)),
        SearchKey::ModSeq { entry, modseq } => {
            s.put(b"MODSEQ ");
            if let Some((name, kind)) = entry {
                enc_quoted(s, name.as_bytes());
                s.put(b" ");
                s.put(kind.as_bytes());
                s.put(b" ");
            }
            enc_num(s, *modseq);
        }
    }
}

fn enc_search_keys<S: Sink>(s: &mut S, keys: &[SearchKey]) {
    for k in keys {
        s.put(b" ");
        enc_search_key(s, k);
    }
}

fn enc_list_mailbox<S: Sink>(s: &mut S, m: &ListMailbox) {
    match m {
        ListMailbox::Token(b) => s.put(b),
        ListMailbox::String(v) => enc_string(s, v),
    }
}

fn enc_list_option<S: Sink>(s: &mut S, o: &ListOption) {
    match o {
        ListOption::Subscribed => s.put(b"SUBSCRIBED"),
        ListOption::Remote => s.put(b"REMOTE"),
        ListOption::RecursiveMatch => s.put(b"RECURSIVEMATCH"),
        ListOption::SpecialUse => s.put(b"SPECIAL-USE"),
        ListOption::Children => s.put(b"CHILDREN"),
        ListOption::Status(v) => {
            s.put(b"STATUS ");
            enc_list(s, v, |s, a| enc_status_attr(s, a));
        }
        ListOption::Other(a, v) => enc_atom_value(s, a, v.as_ref()),
    }
}

fn enc_atom_value<S: Sink>(s: &mut S, a: &Atom, v: Option<&Value>) {
    s.put(a.as_bytes());
    if let Some(v) = v {
        s.put(b" ");
        enc_value(s, v);
    }
}

fn enc_mailbox<S: Sink>(s: &mut S, m: &Mailbox) {
    enc_astring(s, m.as_astring());
}

fn enc_command<S: Sink>(s: &mut S, cmd: &Command) {
    s.put(cmd.tag.as_bytes());
    s.put(b" ");
    enc_command_body(s, &cmd.body);
    s.put(b"\r\n");
}

fn uid_prefix<S: Sink>(s: &mut S, uid: bool) {
    if uid {
        s.put(b"UID ");
    }
}

fn enc_command_body<S: Sink>(s: &mut S, body: &CommandBody) {
    match body {
        CommandBody::Capability => s.put(b"CAPABILITY"),
        CommandBody::Noop => s.put(b"NOOP"),
        CommandBody::Logout => s.put(b"LOGOUT"),
        CommandBody::StartTls => s.put(b"STARTTLS"),
        CommandBody::Check => s.put(b"CHECK"),
        CommandBody::Close => s.put(b"CLOSE"),
        CommandBody::Unselect => s.put(b"UNSELECT"),
        CommandBody::Expunge => s.put(b"EXPUNGE"),
        CommandBody::Idle => s.put(b"IDLE"),
        CommandBody::Namespace => s.put(b"NAMESPACE"),
        CommandBody::Unauthenticate => s.put(b"UNAUTHENTICATE"),
        CommandBody::Authenticate { mechanism, initial } => {
            s.put(b"AUTHENTICATE ");
            s.put(mechanism.as_bytes());
            if let Some(ir) = initial {
                s.put(b" ");
                s.put(if ir.is_empty() { b"=" } else { ir });
            }
        }
        CommandBody::Login { username, password } => {
            s.put(b"LOGIN ");
            enc_astring(s, username);
            s.put(b" ");
            enc_astring(s, password.expose());
        }
        CommandBody::Enable(caps) => {
            s.put(b"ENABLE");
            enc_capabilities(s, caps);
        }
        CommandBody::Select { mailbox, params } | CommandBody::Examine { mailbox, params } => {
            s.put(if matches!(body, CommandBody::Select { .. }) {
                b"SELECT "
            } else {
                b"EXAMINE "
            });
            enc_mailbox(s, mailbox);
            if !params.is_empty() {
                s.put(b" ");
                enc_list(s, params, |s, p| match p {
                    SelectParam::CondStore => s.put(b"CONDSTORE"),
                    SelectParam::QResync {
                        uid_validity,
                        modseq,
                        known_uids,
                        seq_match,
                    } => {
                        s.put(b"QRESYNC (");
                        enc_num(s, u64::from(uid_validity.get()));
                        s.put(b" ");
                        enc_num(s, *modseq);
                        if let Some(k) = known_uids {
                            s.put(b" ");
                            enc_set(s, k);
                        }
                        if let Some((a, b)) = seq_match {
                            s.put(b" (");
                            enc_set(s, a);
                            s.put(b" ");
                            enc_set(s, b);
                            s.put(b")");
                        }
                        s.put(b")");
                    }
                    SelectParam::Other(a, v) => enc_atom_value(s, a, v.as_ref()),
                });
            }
        }
        CommandBody::Create {
            mailbox,
            special_use,
        } => {
            s.put(b"CREATE ");
            enc_mailbox(s, mailbox);
            if let Some(v) = special_use {
                s.put(b" (USE ");
                enc_list(s, v, |s, a| {
                    s.put(b"\\");
                    s.put(a.as_bytes());
                });
                s.put(b")");
            }
        }
        CommandBody::Delete(m) => {
            s.put(b"DELETE ");
            enc_mailbox(s, m);
        }
        CommandBody::Subscribe(m) => {
            s.put(b"SUBSCRIBE ");
            enc_mailbox(s, m);
        }
        CommandBody::Unsubscribe(m) => {
            s.put(b"UNSUBSCRIBE ");
            enc_mailbox(s, m);
        }
        CommandBody::GetQuotaRoot(m) => {
            s.put(b"GETQUOTAROOT ");
            enc_mailbox(s, m);
        }
        CommandBody::Rename { from, to } => {
            s.put(b"RENAME ");
            enc_mailbox(s, from);
            s.put(b" ");
            enc_mailbox(s, to);
        }
        CommandBody::List {
            selection,
            reference,
            patterns,
            returns,
        } => {
            s.put(b"LIST ");
            if let Some(sel) = selection {
                enc_list(s, sel, |s, o| enc_list_option(s, o));
                s.put(b" ");
            }
            enc_mailbox(s, reference);
            s.put(b" ");
            match patterns {
                ListPatterns::Single(p) => enc_list_mailbox(s, p),
                ListPatterns::List(v) => enc_list(s, v, |s, p| enc_list_mailbox(s, p)),
            }
            if let Some(r) = returns {
                s.put(b" RETURN ");
                enc_list(s, r, |s, o| enc_list_option(s, o));
            }
        }
        CommandBody::Lsub { reference, pattern } => {
            s.put(b"LSUB ");
            enc_mailbox(s, reference);
            s.put(b" ");
            enc_list_mailbox(s, pattern);
        }
        CommandBody::Status { mailbox, attrs } => {
            s.put(b"STATUS ");
            enc_mailbox(s, mailbox);
            s.put(b" ");
            enc_list(s, attrs, |s, a| enc_status_attr(s, a));
        }
        CommandBody::Append { mailbox, messages } => {
            s.put(b"APPEND ");
            enc_mailbox(s, mailbox);
            for m in messages {
                if let Some(f) = &m.flags {
                    s.put(b" ");
                    enc_flag_list(s, f);
                }
                if let Some(d) = &m.date {
                    s.put(b" ");
                    enc_date_time(s, d);
                }
                s.put(b" ");
                s.literal(&m.message);
            }
        }
        CommandBody::UidExpunge(set) => {
            s.put(b"UID EXPUNGE ");
            enc_set(s, set);
        }
        CommandBody::Search {
            uid,
            returns,
            charset,
            criteria,
        } => {
            uid_prefix(s, *uid);
            s.put(b"SEARCH");
            if let Some(r) = returns {
                s.put(b" RETURN ");
                enc_list(s, r, |s, o| match o {
                    SearchReturn::Min => s.put(b"MIN"),
                    SearchReturn::Max => s.put(b"MAX"),
                    SearchReturn::All => s.put(b"ALL"),
                    SearchReturn::Count => s.put(b"COUNT"),
                    SearchReturn::Save => s.put(b"SAVE"),
                    SearchReturn::Other(a, v) => enc_atom_value(s, a, v.as_ref()),
                });
            }
            if let Some(c) = charset {
                s.put(b" CHARSET ");
                enc_charset(s, c);
            }
            enc_search_keys(s, criteria);
        }
        CommandBody::Fetch {
            uid,
            set,
            attrs,
            modifiers,
        } => {
            uid_prefix(s, *uid);
            s.put(b"FETCH ");
            enc_set(s, set);
            s.put(b" ");
            match attrs {
                FetchAttrs::Macro(FetchMacro::All) => s.put(b"ALL"),
                FetchAttrs::Macro(FetchMacro::Fast) => s.put(b"FAST"),
                FetchAttrs::Macro(FetchMacro::Full) => s.put(b"FULL"),
                FetchAttrs::Single(a) => enc_fetch_attr(s, a),
                FetchAttrs::List(v) => enc_list(s, v, |s, a| enc_fetch_attr(s, a)),
            }
            if !modifiers.is_empty() {
                s.put(b" ");
                enc_list(s, modifiers, |s, m| match m {
                    FetchModifier::ChangedSince(n) => {
                        s.put(b"CHANGEDSINCE ");
                        enc_num(s, *n);
                    }
                    FetchModifier::Vanished => s.put(b"VANISHED"),
                    FetchModifier::Other(a, v) => enc_atom_value(s, a, v.as_ref()),
                });
            }
        }
        CommandBody::Store {
            uid,
            set,
            unchanged_since,
            mode,
            silent,
            flags,
            parenthesized,
        } => {
            uid_prefix(s, *uid);
            s.put(b"STORE ");
            enc_set(s, set);
            s.put(b" ");
            if let Some(n) = unchanged_since {
                s.put(b"(UNCHANGEDSINCE ");
                enc_num(s, *n);
                s.put(b") ");
            }
            s.put(match mode {
                StoreMode::Replace => b"FLAGS".as_slice(),
                StoreMode::Add => b"+FLAGS",
                StoreMode::Remove => b"-FLAGS",
            });
            if *silent {
                s.put(b".SILENT");
            }
            s.put(b" ");
            if *parenthesized || flags.is_empty() {
                enc_flag_list(s, flags);
            } else {
                for (i, f) in flags.iter().enumerate() {
                    if i > 0 {
                        s.put(b" ");
                    }
                    enc_flag(s, f);
                }
            }
        }
        CommandBody::Copy { uid, set, mailbox } | CommandBody::Move { uid, set, mailbox } => {
            uid_prefix(s, *uid);
            s.put(if matches!(body, CommandBody::Copy { .. }) {
                b"COPY "
            } else {
                b"MOVE "
            });
            enc_set(s, set);
            s.put(b" ");
            enc_mailbox(s, mailbox);
        }
        CommandBody::Id(p) => {
            s.put(b"ID ");
            enc_id(s, p.as_deref());
        }
        CommandBody::Sort {
            uid,
            criteria,
            charset,
            search,
        } => {
            uid_prefix(s, *uid);
            s.put(b"SORT ");
            enc_list(s, criteria, |s, c| {
                if c.reverse {
                    s.put(b"REVERSE ");
                }
                s.put(c.key.as_bytes());
            });
            s.put(b" ");
            enc_charset(s, charset);
            enc_search_keys(s, search);
        }
        CommandBody::Thread {
            uid,
            algorithm,
            charset,
            search,
        } => {
            uid_prefix(s, *uid);
            s.put(b"THREAD ");
            s.put(algorithm.as_bytes());
            s.put(b" ");
            enc_charset(s, charset);
            enc_search_keys(s, search);
        }
        CommandBody::GetQuota(root) => {
            s.put(b"GETQUOTA ");
            enc_astring(s, root);
        }
        CommandBody::SetQuota { root, limits } => {
            s.put(b"SETQUOTA ");
            enc_astring(s, root);
            s.put(b" ");
            enc_list(s, limits, |s, (name, n)| {
                s.put(name.as_bytes());
                s.put(b" ");
                enc_num(s, *n);
            });
        }
        CommandBody::Compress(a) => {
            s.put(b"COMPRESS ");
            s.put(a.as_bytes());
        }
        CommandBody::Other { name, arguments } => {
            s.put(name.as_bytes());
            if !arguments.is_empty() {
                s.put(b" ");
                s.put(arguments);
            }
        }
    }
}

fn enc_id<S: Sink>(s: &mut S, p: Option<&[(IString, NString)]>) {
    match p {
        None => s.put(b"NIL"),
        Some(v) => enc_list(s, v, |s, (k, v)| {
            enc_string(s, k);
            s.put(b" ");
            enc_nstring(s, v);
        }),
    }
}

// ------------------------------------------------------------------ responses

fn enc_code<S: Sink>(s: &mut S, c: &Code) {
    let simple: &[u8] = match c {
        Code::Alert => b"ALERT",
        Code::Parse => b"PARSE",
        Code::ReadOnly => b"READ-ONLY",
        Code::ReadWrite => b"READ-WRITE",
        Code::TryCreate => b"TRYCREATE",
        Code::UidNotSticky => b"UIDNOTSTICKY",
        Code::Unavailable => b"UNAVAILABLE",
        Code::AuthenticationFailed => b"AUTHENTICATIONFAILED",
        Code::AuthorizationFailed => b"AUTHORIZATIONFAILED",
        Code::Expired => b"EXPIRED",
        Code::PrivacyRequired => b"PRIVACYREQUIRED",
        Code::ContactAdmin => b"CONTACTADMIN",
        Code::NoPerm => b"NOPERM",
        Code::InUse => b"INUSE",
        Code::ExpungeIssued => b"EXPUNGEISSUED",
        Code::Corruption => b"CORRUPTION",
        Code::ServerBug => b"SERVERBUG",
        Code::ClientBug => b"CLIENTBUG",
        Code::Cannot => b"CANNOT",
        Code::Limit => b"LIMIT",
        Code::OverQuota => b"OVERQUOTA",
        Code::AlreadyExists => b"ALREADYEXISTS",
        Code::NonExistent => b"NONEXISTENT",
        Code::NotSaved => b"NOTSAVED",
        Code::HasChildren => b"HASCHILDREN",
        Code::Closed => b"CLOSED",
        Code::UnknownCte => b"UNKNOWN-CTE",
        Code::NoModSeq => b"NOMODSEQ",
        Code::CompressionActive => b"COMPRESSIONACTIVE",
        Code::TooBig => b"TOOBIG",
        Code::UseAttr => b"USEATTR",
        Code::BadCharset(v) => {
            s.put(b"BADCHARSET");
            if !v.is_empty() {
                s.put(b" ");
                enc_list(s, v, |s, c| enc_charset(s, c));
            }
            return;
        }
        Code::Capability(v) => {
            s.put(b"CAPABILITY");
            enc_capabilities(s, v);
            return;
        }
        Code::PermanentFlags(v) => {
            s.put(b"PERMANENTFLAGS ");
            enc_list(s, v, |s, f| match f {
                FlagPerm::Flag(f) => enc_flag(s, f),
                FlagPerm::Any => s.put(b"\\*"),
            });
            return;
        }
        Code::UidNext(n) | Code::UidValidity(n) | Code::Unseen(n) => {
            s.put(match c {
                Code::UidNext(_) => b"UIDNEXT ".as_slice(),
                Code::UidValidity(_) => b"UIDVALIDITY ",
                _ => b"UNSEEN ",
            });
            enc_num(s, u64::from(n.get()));
            return;
        }
        Code::AppendUid { validity, uids } => {
            s.put(b"APPENDUID ");
            enc_num(s, u64::from(validity.get()));
            s.put(b" ");
            enc_set(s, uids);
            return;
        }
        Code::CopyUid {
            validity,
            source,
            destination,
        } => {
            s.put(b"COPYUID ");
            enc_num(s, u64::from(validity.get()));
            s.put(b" ");
            enc_set(s, source);
            s.put(b" ");
            enc_set(s, destination);
            return;
        }
        Code::HighestModSeq(n) => {
            s.put(b"HIGHESTMODSEQ ");
            enc_num(s, *n);
            return;
        }
        Code::Modified(set) => {
            s.put(b"MODIFIED ");
            enc_set(s, set);
            return;
        }
        Code::Other(a, text) => {
            s.put(a.as_bytes());
            if let Some(t) = text {
                s.put(b" ");
                s.put(t);
            }
            return;
        }
    };
    s.put(simple);
}

fn enc_resp_text<S: Sink>(s: &mut S, t: &RespText) {
    if let Some(c) = &t.code {
        s.put(b"[");
        enc_code(s, c);
        // `[code]` CRLF when there is no text, as RFC 9051's examples.
        s.put(if t.text.as_bytes().is_empty() {
            b"]"
        } else {
            b"] "
        });
    }
    s.put(t.text.as_bytes());
}

fn enc_status<S: Sink>(s: &mut S, r: &StatusResponse) {
    match &r.tag {
        Some(t) => s.put(t.as_bytes()),
        None => s.put(b"*"),
    }
    s.put(match r.kind {
        StatusKind::Ok => b" OK ".as_slice(),
        StatusKind::No => b" NO ",
        StatusKind::Bad => b" BAD ",
        StatusKind::PreAuth => b" PREAUTH ",
        StatusKind::Bye => b" BYE ",
    });
    enc_resp_text(s, &r.text);
    s.put(b"\r\n");
}

fn enc_address<S: Sink>(s: &mut S, a: &Address) {
    s.put(b"(");
    enc_nstring(s, &a.name);
    s.put(b" ");
    enc_nstring(s, &a.adl);
    s.put(b" ");
    enc_nstring(s, &a.mailbox);
    s.put(b" ");
    enc_nstring(s, &a.host);
    s.put(b")");
}

fn enc_addresses<S: Sink>(s: &mut S, v: &[Address]) {
    if v.is_empty() {
        s.put(b"NIL");
        return;
    }
    s.put(b"(");
    for a in v {
        enc_address(s, a);
    }
    s.put(b")");
}

fn enc_envelope<S: Sink>(s: &mut S, e: &Envelope) {
    s.put(b"(");
    enc_nstring(s, &e.date);
    s.put(b" ");
    enc_nstring(s, &e.subject);
    for list in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        s.put(b" ");
        enc_addresses(s, list);
    }
    s.put(b" ");
    enc_nstring(s, &e.in_reply_to);
    s.put(b" ");
    enc_nstring(s, &e.message_id);
    s.put(b")");
}

fn enc_params<S: Sink>(s: &mut S, p: &Params) {
    match p {
        None => s.put(b"NIL"),
        Some(v) => enc_list(s, v, |s, (k, v)| {
            enc_string(s, k);
            s.put(b" ");
            enc_string(s, v);
        }),
    }
}

fn enc_body_ext<S: Sink>(s: &mut S, e: &BodyExtension) {
    let Some(dsp) = &e.disposition else { return };
    s.put(b" ");
    match dsp {
        None => s.put(b"NIL"),
        Some(d) => {
            s.put(b"(");
            enc_string(s, &d.kind);
            s.put(b" ");
            enc_params(s, &d.params);
            s.put(b")");
        }
    }
    let Some(lang) = &e.language else { return };
    s.put(b" ");
    match lang {
        Language::Single(v) => enc_nstring(s, v),
        Language::List(v) => enc_list(s, v, |s, x| enc_string(s, x)),
    }
    let Some(loc) = &e.location else { return };
    s.put(b" ");
    enc_nstring(s, loc);
    for x in &e.extensions {
        s.put(b" ");
        enc_value(s, x);
    }
}

fn enc_body<S: Sink>(s: &mut S, b: &BodyStructure) {
    s.put(b"(");
    match b {
        BodyStructure::Multi {
            parts,
            subtype,
            extension,
        } => {
            for p in parts {
                enc_body(s, p);
            }
            s.put(b" ");
            enc_string(s, subtype);
            if let Some((params, ext)) = extension {
                s.put(b" ");
                enc_params(s, params);
                enc_body_ext(s, ext);
            }
        }
        BodyStructure::Single {
            kind,
            fields,
            extension,
        } => {
            match kind {
                SinglePartKind::Basic {
                    media_type,
                    subtype,
                }
                | SinglePartKind::Text {
                    media_type,
                    subtype,
                    ..
                }
                | SinglePartKind::Message {
                    media_type,
                    subtype,
                    ..
                } => {
                    enc_string(s, media_type);
                    s.put(b" ");
                    enc_string(s, subtype);
                }
            }
            s.put(b" ");
            enc_params(s, &fields.params);
            s.put(b" ");
            enc_nstring(s, &fields.id);
            s.put(b" ");
            enc_nstring(s, &fields.description);
            s.put(b" ");
            enc_string(s, &fields.encoding);
            s.put(b" ");
            enc_num(s, u64::from(fields.octets));
            match kind {
                SinglePartKind::Basic { .. } => {}
                SinglePartKind::Text { lines, .. } => {
                    s.put(b" ");
                    enc_num(s, *lines);
                }
                SinglePartKind::Message {
                    envelope,
                    body,
                    lines,
                    ..
                } => {
                    s.put(b" ");
                    enc_envelope(s, envelope);
                    s.put(b" ");
                    enc_body(s, body);
                    s.put(b" ");
                    enc_num(s, *lines);
                }
            }
            if let Some((md5, ext)) = extension {
                s.put(b" ");
                enc_nstring(s, md5);
                enc_body_ext(s, ext);
            }
        }
    }
    s.put(b")");
}

fn enc_fetch_item<S: Sink>(s: &mut S, item: &FetchItem) {
    match item {
        FetchItem::Envelope(e) => {
            s.put(b"ENVELOPE ");
            enc_envelope(s, e);
        }
        FetchItem::Flags(v) => {
            s.put(b"FLAGS ");
            enc_list(s, v, |s, f| match f {
                FlagFetch::Flag(f) => enc_flag(s, f),
                FlagFetch::Recent => s.put(b"\\Recent"),
            });
        }
        FetchItem::InternalDate(d) => {
            s.put(b"INTERNALDATE ");
            enc_date_time(s, d);
        }
        FetchItem::Rfc822Size(n) => {
            s.put(b"RFC822.SIZE ");
            enc_num(s, *n);
        }
        FetchItem::Rfc822(v) | FetchItem::Rfc822Header(v) | FetchItem::Rfc822Text(v) => {
            s.put(match item {
                FetchItem::Rfc822(_) => b"RFC822 ".as_slice(),
                FetchItem::Rfc822Header(_) => b"RFC822.HEADER ",
                _ => b"RFC822.TEXT ",
            });
            enc_nstring(s, v);
        }
        FetchItem::Body(b) => {
            s.put(b"BODY ");
            enc_body(s, b);
        }
        FetchItem::BodyStructure(b) => {
            s.put(b"BODYSTRUCTURE ");
            enc_body(s, b);
        }
        FetchItem::BodySection {
            section,
            origin,
            data,
        } => {
            s.put(b"BODY");
            enc_section(s, section);
            enc_origin(s, *origin);
            s.put(b" ");
            enc_nstring(s, data);
        }
        FetchItem::Binary { part, origin, data } => {
            s.put(b"BINARY[");
            enc_part(s, part);
            s.put(b"]");
            enc_origin(s, *origin);
            s.put(b" ");
            enc_nstring(s, data);
        }
        FetchItem::BinarySize { part, size } => {
            s.put(b"BINARY.SIZE[");
            enc_part(s, part);
            s.put(b"] ");
            enc_num(s, *size);
        }
        FetchItem::Uid(n) => {
            s.put(b"UID ");
            enc_num(s, u64::from(n.get()));
        }
        FetchItem::ModSeq(n) => {
            s.put(b"MODSEQ (");
            enc_num(s, *n);
            s.put(b")");
        }
        FetchItem::EmailId(a) => {
            s.put(b"EMAILID (");
            s.put(a.as_bytes());
            s.put(b")");
        }
        FetchItem::ThreadId(a) => {
            s.put(b"THREADID ");
            match a {
                Some(a) => {
                    s.put(b"(");
                    s.put(a.as_bytes());
                    s.put(b")");
                }
                None => s.put(b"NIL"),
            }
        }
        FetchItem::Other(a, v) => {
            s.put(a.as_bytes());
            s.put(b" ");
            enc_value(s, v);
        }
        FetchItem::Invalid { raw, .. } => s.put(raw),
    }
}

fn enc_origin<S: Sink>(s: &mut S, o: Option<u64>) {
    if let Some(o) = o {
        s.put(b"<");
        enc_num(s, o);
        s.put(b">");
    }
}

fn enc_delimiter<S: Sink>(s: &mut S, d: Option<u8>) {
    match d {
        None => s.put(b"NIL"),
        Some(c) => enc_quoted(s, &[c]),
    }
}

fn enc_list_item<S: Sink>(s: &mut S, l: &ListItem) {
    enc_list(s, &l.attributes, |s, a| {
        s.put(b"\\");
        s.put(a.as_bytes());
    });
    s.put(b" ");
    enc_delimiter(s, l.delimiter);
    s.put(b" ");
    enc_mailbox(s, &l.mailbox);
    if !l.extended.is_empty() {
        s.put(b" ");
        enc_list(s, &l.extended, |s, (t, v)| {
            enc_astring(s, t);
            s.put(b" ");
            enc_value(s, v);
        });
    }
}

fn enc_namespace<S: Sink>(s: &mut S, n: Option<&[NamespaceDescr]>) {
    let Some(v) = n else {
        s.put(b"NIL");
        return;
    };
    s.put(b"(");
    for d in v {
        s.put(b"(");
        enc_string(s, &d.prefix);
        s.put(b" ");
        enc_delimiter(s, d.delimiter);
        for (name, vals) in &d.extensions {
            s.put(b" ");
            enc_string(s, name);
            s.put(b" ");
            enc_list(s, vals, |s, x| enc_string(s, x));
        }
        s.put(b")");
    }
    s.put(b")");
}

fn enc_thread<S: Sink>(s: &mut S, t: &ThreadList) {
    s.put(b"(");
    for (i, m) in t.members.iter().enumerate() {
        if i > 0 {
            s.put(b" ");
        }
        enc_num(s, u64::from(m.get()));
    }
    if !t.members.is_empty() && !t.children.is_empty() {
        s.put(b" ");
    }
    for c in &t.children {
        enc_thread(s, c);
    }
    s.put(b")");
}

fn enc_numbers<S: Sink>(s: &mut S, v: &[std::num::NonZeroU32]) {
    for n in v {
        s.put(b" ");
        enc_num(s, u64::from(n.get()));
    }
}

fn enc_data<S: Sink>(s: &mut S, d: &Data) {
    s.put(b"* ");
    match d {
        Data::Capability(v) => {
            s.put(b"CAPABILITY");
            enc_capabilities(s, v);
        }
        Data::Enabled(v) => {
            s.put(b"ENABLED");
            enc_capabilities(s, v);
        }
        Data::Flags(v) => {
            s.put(b"FLAGS ");
            enc_flag_list(s, v);
        }
        Data::List(l) => {
            s.put(b"LIST ");
            enc_list_item(s, l);
        }
        Data::Lsub(l) => {
            s.put(b"LSUB ");
            enc_list_item(s, l);
        }
        Data::Status { mailbox, items } => {
            s.put(b"STATUS ");
            enc_mailbox(s, mailbox);
            s.put(b" ");
            enc_list(s, items, |s, it| {
                enc_status_attr(s, &it.attr);
                s.put(b" ");
                match it.value {
                    Some(v) => enc_num(s, v),
                    None => s.put(b"NIL"),
                }
            });
        }
        Data::Search { ids, modseq } => {
            s.put(b"SEARCH");
            enc_numbers(s, ids);
            if let Some(m) = modseq {
                s.put(b" (MODSEQ ");
                enc_num(s, *m);
                s.put(b")");
            }
        }
        Data::Esearch(e) => {
            s.put(b"ESEARCH");
            if let Some(t) = &e.correlator {
                s.put(b" (TAG ");
                enc_astring(s, t);
                s.put(b")");
            }
            if e.uid {
                s.put(b" UID");
            }
            for x in &e.data {
                s.put(b" ");
                match x {
                    SearchReturnData::Min(n) => {
                        s.put(b"MIN ");
                        enc_num(s, u64::from(n.get()));
                    }
                    SearchReturnData::Max(n) => {
                        s.put(b"MAX ");
                        enc_num(s, u64::from(n.get()));
                    }
                    SearchReturnData::All(set) => {
                        s.put(b"ALL ");
                        enc_set(s, set);
                    }
                    SearchReturnData::Count(n) => {
                        s.put(b"COUNT ");
                        enc_num(s, u64::from(*n));
                    }
                    SearchReturnData::ModSeq(n) => {
                        s.put(b"MODSEQ ");
                        enc_num(s, *n);
                    }
                    SearchReturnData::Other(a, v) => enc_atom_value(s, a, Some(v)),
                }
            }
        }
        Data::Exists(n) => {
            enc_num(s, u64::from(*n));
            s.put(b" EXISTS");
        }
        Data::Recent(n) => {
            enc_num(s, u64::from(*n));
            s.put(b" RECENT");
        }
        Data::Expunge(n) => {
            enc_num(s, u64::from(n.get()));
            s.put(b" EXPUNGE");
        }
        Data::Fetch { seq, items } => {
            enc_num(s, u64::from(seq.get()));
            s.put(b" FETCH ");
            enc_list(s, items, |s, it| enc_fetch_item(s, it));
        }
        Data::Namespace {
            personal,
            other,
            shared,
        } => {
            s.put(b"NAMESPACE ");
            enc_namespace(s, personal.as_deref());
            s.put(b" ");
            enc_namespace(s, other.as_deref());
            s.put(b" ");
            enc_namespace(s, shared.as_deref());
        }
        Data::Id(p) => {
            s.put(b"ID ");
            enc_id(s, p.as_deref());
        }
        Data::Sort(v) => {
            s.put(b"SORT");
            enc_numbers(s, v);
        }
        Data::Thread(v) => {
            s.put(b"THREAD");
            if !v.is_empty() {
                s.put(b" ");
            }
            for t in v {
                enc_thread(s, t);
            }
        }
        Data::Quota { root, resources } => {
            s.put(b"QUOTA ");
            enc_astring(s, root);
            s.put(b" ");
            enc_list(s, resources, |s, r| {
                s.put(r.name.as_bytes());
                s.put(b" ");
                enc_num(s, r.usage);
                s.put(b" ");
                enc_num(s, r.limit);
            });
        }
        Data::QuotaRoot { mailbox, roots } => {
            s.put(b"QUOTAROOT ");
            enc_mailbox(s, mailbox);
            for r in roots {
                s.put(b" ");
                enc_astring(s, r);
            }
        }
        Data::Vanished { earlier, uids } => {
            s.put(b"VANISHED ");
            if *earlier {
                s.put(b"(EARLIER) ");
            }
            enc_set(s, uids);
        }
        Data::Other(raw) => s.put(raw),
    }
    s.put(b"\r\n");
}

fn enc_response<S: Sink>(s: &mut S, r: &Response) {
    match r {
        Response::Status(st) => enc_status(s, st),
        Response::Data(d) => enc_data(s, d),
        Response::Continue(t) => {
            s.put(b"+ ");
            enc_resp_text(s, t);
            s.put(b"\r\n");
        }
    }
}
