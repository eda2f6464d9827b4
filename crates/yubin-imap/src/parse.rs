//! nom parsers for complete IMAP messages (what [`crate::framer`] hands out).
//!
//! [`Parser::command`] parses a client command, [`Parser::response`] a server
//! response. The input is one whole message, CRLF included; strings and
//! literals are sliced out of it without copying (only quoted strings with
//! escapes are copied). Errors say what was expected and at which octet, and
//! carry the tag when one could be recovered so a server can answer
//! `tag BAD ...` and go on at the next message.
//!
//! Parsing is strict by default; [`ParseOptions`] has named, off-by-default
//! quirks for broken peers met in practice.

use std::cell::Cell;
use std::num::NonZeroU32;

use bytes::Bytes;
use nom::IResult;

use crate::Limits;
use crate::types::*;

/// Parser settings: the nesting limit and the quirks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Deepest parenthesis nesting followed (see [`Limits::max_depth`]).
    pub max_depth: usize,
    /// Accept extra spaces before the CRLF (seen after FETCH and SEARCH
    /// responses from some servers, imap-codec #650). Off by default.
    pub quirk_trailing_space: bool,
    /// Accept `NIL` where BODYSTRUCTURE wants a string (media type, subtype,
    /// encoding, parameter values, disposition); it becomes an empty quoted
    /// string. Off by default.
    pub quirk_nil_as_string: bool,
    /// Inside BODYSTRUCTURE, a `"` that is not followed by SP or `)` is taken
    /// as part of the quoted string (servers that forget to escape quotes in
    /// file names, imap-proto #152). Off by default.
    pub quirk_unescaped_quote_in_bodystructure: bool,
    /// A FETCH item that does not parse becomes [`FetchItem::Invalid`] and the
    /// other items of the response are kept. Off by default.
    pub quirk_isolate_bad_fetch_item: bool,
    /// Accept a status response or continuation without the SP before its
    /// (empty) text (`A1 OK\r\n`, `+\r\n`), imap-codec #468. Off by default.
    pub quirk_missing_text: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::from_limits(&Limits::default())
    }
}

impl ParseOptions {
    /// Strict options with the depth limit from `limits`.
    pub fn from_limits(limits: &Limits) -> Self {
        Self {
            max_depth: limits.max_depth,
            quirk_trailing_space: false,
            quirk_nil_as_string: false,
            quirk_unescaped_quote_in_bodystructure: false,
            quirk_isolate_bad_fetch_item: false,
            quirk_missing_text: false,
        }
    }
}

/// A message that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} at octet {offset}")]
pub struct ParseError {
    /// The tag, when one could be recovered (answer `tag BAD`).
    pub tag: Option<Tag>,
    /// Where parsing failed, in octets from the start of the message.
    pub offset: usize,
    /// What was expected there.
    pub expected: &'static str,
}

/// The nom error type: where and what.
#[derive(Debug)]
pub(crate) struct PErr<'a> {
    input: &'a [u8],
    expected: &'static str,
}

impl<'a> nom::error::ParseError<&'a [u8]> for PErr<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        Self {
            input,
            expected: "valid syntax",
        }
    }
    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type R<'a, T> = IResult<&'a [u8], T, PErr<'a>>;
/// The error of a parser that returns only the rest of its input.
type PE<'a> = nom::Err<PErr<'a>>;

/// [`fail`]'s error, for the parsers that return only the rest.
fn reject<'a>(input: &'a [u8], expected: &'static str) -> PE<'a> {
    nom::Err::Error(PErr { input, expected })
}

fn fail<'a, T>(input: &'a [u8], expected: &'static str) -> R<'a, T> {
    Err(nom::Err::Error(PErr { input, expected }))
}

fn fatal<'a, T>(input: &'a [u8], expected: &'static str) -> R<'a, T> {
    Err(nom::Err::Failure(PErr { input, expected }))
}

/// Replaces nom's generic "valid syntax" with what this production wanted.
fn expect<'a, T>(r: R<'a, T>, what: &'static str) -> R<'a, T> {
    r.map_err(|e| {
        e.map(|mut p| {
            if p.expected == "valid syntax" {
                p.expected = what;
            }
            p
        })
    })
}

fn lit<'a>(i: &'a [u8], t: &'static [u8], what: &'static str) -> R<'a, ()> {
    match i.strip_prefix(t) {
        Some(rest) => Ok((rest, ())),
        None => fail(i, what),
    }
}

fn kw<'a>(i: &'a [u8], t: &'static str) -> R<'a, ()> {
    match i.split_at_checked(t.len()) {
        Some((head, rest)) if head.eq_ignore_ascii_case(t.as_bytes()) => Ok((rest, ())),
        _ => fail(i, t),
    }
}

fn opt_kw<'a>(i: &'a [u8], t: &'static str) -> (&'a [u8], bool) {
    match kw(i, t) {
        Ok((rest, ())) => (rest, true),
        Err(_) => (i, false),
    }
}

fn sp(i: &[u8]) -> R<'_, ()> {
    lit(i, b" ", "SP")
}

fn starts_sp(i: &[u8]) -> bool {
    i.first() == Some(&b' ')
}

/// The fetch attributes that are a bare name (BODY is one only when no
/// section follows, so the caller decides it).
#[inline(always)]
fn plain_fetch_att(k: u128) -> Option<FetchAttr> {
    Some(match k {
        key::ENVELOPE => FetchAttr::Envelope,
        key::FLAGS => FetchAttr::Flags,
        key::INTERNALDATE => FetchAttr::InternalDate,
        key::RFC822_SIZE => FetchAttr::Rfc822Size,
        key::RFC822 => FetchAttr::Rfc822,
        key::RFC822_HEADER => FetchAttr::Rfc822Header,
        key::RFC822_TEXT => FetchAttr::Rfc822Text,
        key::BODYSTRUCTURE => FetchAttr::BodyStructure,
        key::UID => FetchAttr::Uid,
        key::MODSEQ => FetchAttr::ModSeq,
        key::EMAILID => FetchAttr::EmailId,
        key::THREADID => FetchAttr::ThreadId,
        _ => return None,
    })
}

/// One or more octets for which `pred` holds, then the rest.
#[inline]
fn take1<'a>(i: &'a [u8], pred: impl Fn(u8) -> bool, expected: &'static str) -> R<'a, &'a [u8]> {
    let n = i.iter().position(|&b| !pred(b)).unwrap_or(i.len());
    match i.split_at_checked(n) {
        Some((t, r)) if n > 0 => Ok((r, t)),
        _ => fail(i, expected),
    }
}

/// Keyword dispatch on one integer.
///
/// A word of up to 16 octets becomes a `u128`, little-endian, each octet
/// with its 0x20 bit set and zeros after the word. Matching it against the
/// constants below costs a few integer comparisons, where uppercasing the
/// word into a buffer and comparing it with each candidate slice cost a
/// loop and a comparison per arm. Setting 0x20 folds ASCII letters to one
/// case; the only other octets it merges with a keyword's letters, digits,
/// `.`, `-`, `+` and `=` are controls, which no word scanned by the parser
/// contains. The length is implied by the zeros (no keyword octet is 0).
mod key {
    /// The folded form of a keyword of at most 16 octets (a longer one
    /// fails the build: its folded prefix would match a shorter word).
    // Indexing in a const initialiser: a bad index fails the build.
    #[allow(clippy::indexing_slicing, clippy::panic)]
    pub(super) const fn fold(s: &[u8]) -> u128 {
        assert!(s.len() <= 16, "keyword longer than 16 octets");
        let mut v = 0u128;
        let mut i = 0;
        while i < s.len() {
            v |= ((s[i] | 0x20) as u128) << (8 * i);
            i += 1;
        }
        v
    }

    macro_rules! keys {
        ($($name:ident = $word:literal),* $(,)?) => {
            $(pub(super) const $name: u128 = fold($word);)*
        };
    }

    keys! {
        // Commands.
        APPEND = b"APPEND", AUTHENTICATE = b"AUTHENTICATE", CAPABILITY = b"CAPABILITY",
        CHECK = b"CHECK", CLOSE = b"CLOSE", COMPRESS = b"COMPRESS", COPY = b"COPY",
        CREATE = b"CREATE", DELETE = b"DELETE", ENABLE = b"ENABLE", EXAMINE = b"EXAMINE",
        EXPUNGE = b"EXPUNGE", FETCH = b"FETCH", GETQUOTA = b"GETQUOTA",
        GETQUOTAROOT = b"GETQUOTAROOT", ID = b"ID", IDLE = b"IDLE", LIST = b"LIST",
        LOGIN = b"LOGIN", LOGOUT = b"LOGOUT", LSUB = b"LSUB", MOVE = b"MOVE",
        NAMESPACE = b"NAMESPACE", NOOP = b"NOOP", RENAME = b"RENAME", SEARCH = b"SEARCH",
        SELECT = b"SELECT", SETQUOTA = b"SETQUOTA", SORT = b"SORT", STARTTLS = b"STARTTLS",
        STATUS = b"STATUS", STORE = b"STORE", SUBSCRIBE = b"SUBSCRIBE", THREAD = b"THREAD",
        UID = b"UID", UNAUTHENTICATE = b"UNAUTHENTICATE", UNSELECT = b"UNSELECT",
        UNSUBSCRIBE = b"UNSUBSCRIBE",
        // Fetch attributes and items.
        BINARY = b"BINARY", BINARY_PEEK = b"BINARY.PEEK", BINARY_SIZE = b"BINARY.SIZE",
        BODY = b"BODY", BODY_PEEK = b"BODY.PEEK", BODYSTRUCTURE = b"BODYSTRUCTURE",
        EMAILID = b"EMAILID", ENVELOPE = b"ENVELOPE", FLAGS = b"FLAGS",
        INTERNALDATE = b"INTERNALDATE", MODSEQ = b"MODSEQ", RFC822 = b"RFC822",
        RFC822_HEADER = b"RFC822.HEADER", RFC822_SIZE = b"RFC822.SIZE",
        RFC822_TEXT = b"RFC822.TEXT", THREADID = b"THREADID",
        // Section text.
        HEADER = b"HEADER", HEADER_FIELDS = b"HEADER.FIELDS", MIME = b"MIME", TEXT = b"TEXT",
        // Flags and search keys.
        ALL = b"ALL", ANSWERED = b"ANSWERED", BCC = b"BCC", BEFORE = b"BEFORE", CC = b"CC",
        DELETED = b"DELETED", DRAFT = b"DRAFT", FLAGGED = b"FLAGGED", FROM = b"FROM",
        KEYWORD = b"KEYWORD", LARGER = b"LARGER", NEW = b"NEW", NOT = b"NOT", OLD = b"OLD",
        ON = b"ON", OR = b"OR", RECENT = b"RECENT", SEEN = b"SEEN",
        SENTBEFORE = b"SENTBEFORE", SENTON = b"SENTON", SENTSINCE = b"SENTSINCE",
        SINCE = b"SINCE", SMALLER = b"SMALLER", SUBJECT = b"SUBJECT", TO = b"TO",
        UNANSWERED = b"UNANSWERED", UNDELETED = b"UNDELETED", UNDRAFT = b"UNDRAFT",
        UNFLAGGED = b"UNFLAGGED", UNKEYWORD = b"UNKEYWORD", UNSEEN = b"UNSEEN",
        // Search return options.
        COUNT = b"COUNT", MAX = b"MAX", MIN = b"MIN", SAVE = b"SAVE",
    }
}

/// `KEY_MASKS[n]` keeps the low `n` octets of a key (a load, where a
/// shift of a `u128` by a variable is a dozen instructions).
// Indexing in a const initialiser: a bad index fails the build.
#[allow(clippy::indexing_slicing)]
static KEY_MASKS: [u128; 17] = {
    let mut t = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        t[n] = u128::MAX >> (8 * (16 - n));
        n += 1;
    }
    t
};

/// Uppercases a short token for keyword dispatch (empty when too long).
fn upper(s: &[u8], buf: &mut [u8; 24]) -> usize {
    if s.len() > buf.len() {
        return 0;
    }
    for (d, c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_uppercase();
    }
    s.len()
}

/// `number64` (RFC 9051: 0 to 2^63-1), scanned and summed in one pass.
fn number64(i: &[u8]) -> R<'_, u64> {
    // The value only grows, so its range is checked once, at the end
    // (leading zeros are allowed, so the digit count alone says nothing).
    let mut n: u64 = 0;
    let mut overflow = false;
    let mut len = 0;
    for &c in i {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        match n.checked_mul(10).and_then(|m| m.checked_add(u64::from(d))) {
            Some(m) => n = m,
            None => overflow = true,
        }
        len += 1;
    }
    match i.get(len..) {
        _ if len == 0 => fail(i, "number"),
        Some(rest) if !overflow && n <= i64::MAX as u64 => Ok((rest, n)),
        _ => fail(i, "number in range"),
    }
}

fn number(i: &[u8]) -> R<'_, u32> {
    let (rest, n) = number64(i)?;
    match u32::try_from(n) {
        Ok(n) => Ok((rest, n)),
        Err(_) => fail(i, "32-bit number"),
    }
}

fn nz_number(i: &[u8]) -> R<'_, NonZeroU32> {
    let (rest, n) = number(i)?;
    match NonZeroU32::new(n) {
        Some(n) if i.first() != Some(&b'0') => Ok((rest, n)),
        _ => fail(i, "non-zero number"),
    }
}

fn nz_number64(i: &[u8]) -> R<'_, u64> {
    let (rest, n) = number64(i)?;
    if n == 0 {
        fail(i, "non-zero number")
    } else {
        Ok((rest, n))
    }
}

/// The offset of the first octet of `s` that [`chars::is_quoted_stop`]
/// flags. Eight octets at a time: a word test finds the first octet that is
/// `"`, `\` or below 0x0E (the lowest flagged octet of such a test is always a true
/// hit), and the table settles the rare control character that is not a
/// stop. Quoted strings (addresses, subjects, dates) average tens of
/// octets; this is several times faster than a table lookup per octet.
fn find_quoted_stop(s: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w);
        let q = x ^ (LO * u64::from(b'"'));
        let b = x ^ (LO * u64::from(b'\\'));
        let hits = ((q.wrapping_sub(LO) & !q)
            | (b.wrapping_sub(LO) & !b)
            | (x.wrapping_sub(LO * 0x0E) & !x))
            & HI;
        if hits != 0 {
            let first = (hits.trailing_zeros() / 8) as usize;
            if let Some(at) = c
                .get(first..)
                .and_then(|t| t.iter().position(|&o| chars::is_quoted_stop(o)))
            {
                return Some(base + first + at);
            }
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&o| chars::is_quoted_stop(o))
        .map(|at| base + at)
}

/// With `quirk_unescaped_quote_in_bodystructure`: whether a `"` followed by
/// `after` plausibly closes the string (`)`, or SP and the start of a value).
fn plausible_close(after: &[u8]) -> bool {
    match after {
        [] | [b')' | b'\r', ..] => true,
        [b' ', next, ..] => {
            matches!(next, b'"' | b'(' | b'{' | b'0'..=b'9')
                || is_nil(after.get(1..).unwrap_or_default())
        }
        _ => false,
    }
}

fn is_nil(i: &[u8]) -> bool {
    i.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(b"NIL"))
        && !i.get(3).copied().is_some_and(chars::is_astring_char)
}

fn atom_raw(i: &[u8]) -> R<'_, &[u8]> {
    take1(i, chars::is_atom_char, "atom")
}

fn seq_no(i: &[u8]) -> R<'_, SeqNo> {
    match i.split_first() {
        Some((b'*', rest)) => Ok((rest, SeqNo::Largest)),
        _ => {
            let (rest, n) = nz_number(i)?;
            Ok((rest, SeqNo::Value(n)))
        }
    }
}

fn seq_range(i: &[u8]) -> R<'_, SeqRange> {
    let (rest, a) = seq_no(i)?;
    match rest.split_first() {
        Some((b':', r)) => {
            let (r, b) = seq_no(r)?;
            Ok((r, SeqRange::Range(a, b)))
        }
        _ => Ok((rest, SeqRange::Single(a))),
    }
}

/// `sequence-set` (including `$`).
fn sequence_set(i: &[u8]) -> R<'_, SequenceSet> {
    if let Some(rest) = i.strip_prefix(b"$") {
        return Ok((rest, SequenceSet::Saved));
    }
    let (rest, first) = expect(seq_range(i), "sequence set")?;
    // One or two ranges are the common cases, kept without an allocation;
    // more get room for four at once rather than growing one by one.
    let Some(r) = rest.strip_prefix(b",") else {
        return Ok((rest, SequenceSet::Set(SeqRanges::one(first))));
    };
    let (mut rest, second) = expect(seq_range(r), "sequence set")?;
    if !rest.starts_with(b",") {
        return Ok((rest, SequenceSet::Set(SeqRanges::two(first, second))));
    }
    let mut v = Vec::with_capacity(4);
    v.push(first);
    v.push(second);
    while let Some(r) = rest.strip_prefix(b",") {
        let (r, x) = expect(seq_range(r), "sequence set")?;
        v.push(x);
        rest = r;
    }
    match SequenceSet::new(v) {
        Ok(set) => Ok((rest, set)),
        Err(_) => fail(i, "sequence set"),
    }
}

fn section_part(i: &[u8]) -> R<'_, Vec<NonZeroU32>> {
    let (mut rest, first) = nz_number(i)?;
    let mut v = vec![first];
    loop {
        match rest.strip_prefix(b".") {
            Some(r) if r.first().is_some_and(u8::is_ascii_digit) => {
                let (r, n) = nz_number(r)?;
                v.push(n);
                rest = r;
            }
            _ => return Ok((rest, v)),
        }
    }
}

fn partial(i: &[u8]) -> R<'_, Option<Partial>> {
    let Some(r) = i.strip_prefix(b"<") else {
        return Ok((i, None));
    };
    let (r, offset) = number64(r)?;
    let (r, ()) = lit(r, b".", "\".\"")?;
    let (r, length) = nz_number64(r)?;
    let (r, ()) = lit(r, b">", "\">\"")?;
    Ok((r, Some(Partial { offset, length })))
}

fn origin(i: &[u8]) -> R<'_, Option<u64>> {
    let Some(r) = i.strip_prefix(b"<") else {
        return Ok((i, None));
    };
    let (r, n) = number64(r)?;
    let (r, ()) = lit(r, b">", "\">\"")?;
    Ok((r, Some(n)))
}

/// The per-message parsing context.
struct Ctx<'a> {
    /// The message's octets.
    src: &'a [u8],
    /// The message as `Bytes`, when values may share it (else they are copied).
    shared: Option<&'a Bytes>,
    opts: &'a ParseOptions,
    depth: Cell<usize>,
    in_body: Cell<bool>,
}

impl<'a> Ctx<'a> {
    /// A zero-copy `Bytes` for a subslice of the message (a copy when the
    /// message is a borrowed slice). Kept out of line: the callers on hot
    /// paths ([`Ctx::octets`]) take it only for long values.
    #[inline(never)]
    fn bytes(&self, s: &[u8]) -> Bytes {
        let start = self.offset(s);
        match (self.shared, start.checked_add(s.len())) {
            // `end` within the message, and `start` before it.
            (Some(b), Some(end)) if end <= b.len() => b.slice(start..end),
            _ => Bytes::copy_from_slice(s),
        }
    }

    /// Where `s` starts in the message. An offset inside the message means
    /// `s`'s own octets are there (the subtraction wraps back exactly); a
    /// slice from elsewhere gets one that no range check accepts.
    #[inline]
    fn offset(&self, s: &[u8]) -> usize {
        (s.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize)
    }

    /// The `n` octets of the message from where `s` starts, when it holds
    /// that many: a fixed-width load, where a copy of `s.len()` octets is
    /// a `memcpy` whose narrow stores stall the wide loads after it.
    #[inline]
    fn window(&self, s: &[u8], n: usize) -> Option<&'a [u8]> {
        let start = self.offset(s);
        self.src.get(start..start.checked_add(n)?)
    }

    /// A short subslice of the message copied inline, a longer one shared.
    #[inline]
    fn octets(&self, s: &[u8]) -> Octets {
        // The octets past the value are carried along, never looked at.
        if s.len() <= Octets::INLINE
            && let Some(window) = self.window(s, Octets::INLINE)
            && let Some(o) = Octets::window(window, s.len())
        {
            return o;
        }
        Octets::short(s).unwrap_or_else(|| self.bytes(s).into())
    }

    /// `word` folded for matching against the [`key`] constants; 0, which
    /// matches none, when longer than 16 octets.
    #[inline]
    fn key(&self, word: &[u8]) -> u128 {
        let n = word.len();
        if n == 0 || n > 16 {
            return 0;
        }
        let raw = match self
            .window(word, 16)
            .and_then(|window| <[u8; 16]>::try_from(window).ok())
        {
            // The octets after the word are masked off below.
            Some(window) => u128::from_le_bytes(window),
            // Near the end of the message, or a word from elsewhere: two
            // words from overlapping loads (a copy into a buffer would stall
            // the wide load that follows it).
            None => {
                let (lo, hi) = word.split_at(n.min(8));
                u128::from(le_word(lo)) | (u128::from(le_word(hi)) << 64)
            }
        };
        let v = raw | u128::from_le_bytes([0x20; 16]);
        v & KEY_MASKS.get(n).copied().unwrap_or(0)
    }

    fn nested<T>(&self, i: &'a [u8], f: impl FnOnce(&'a [u8]) -> R<'a, T>) -> R<'a, T> {
        let d = self.depth.get();
        if d >= self.opts.max_depth {
            return fatal(i, "less nesting (depth limit)");
        }
        self.depth.set(d + 1);
        let r = f(i);
        self.depth.set(d);
        r
    }

    /// CRLF at the end of the message (extra spaces first with the quirk).
    fn end(&self, mut i: &'a [u8]) -> R<'a, ()> {
        if self.opts.quirk_trailing_space {
            while let Some(r) = i.strip_prefix(b" ") {
                i = r;
            }
        }
        match i {
            b"\r\n" => Ok((&[], ())),
            _ => fail(i, "CRLF"),
        }
    }

    fn atom(&self, i: &'a [u8]) -> R<'a, Atom> {
        let (rest, a) = atom_raw(i)?;
        Ok((rest, Atom::unvalidated(self.octets(a))))
    }

    fn quoted(&self, i: &'a [u8]) -> R<'a, Quoted> {
        let Some(body) = i.strip_prefix(b"\"") else {
            return fail(i, "quoted string");
        };
        // Fast path: the first octet that needs a look (the quote, a
        // backslash, CR, LF or NUL) is the closing quote, and (with the
        // unescaped-quote quirk, inside BODYSTRUCTURE) a plausible one.
        // Everything else goes the slow way, from the start.
        if let Some(at) = find_quoted_stop(body)
            && let Some((seg, rest)) = body.split_at_checked(at)
            && let Some(after) = rest.strip_prefix(b"\"")
            && !(self.opts.quirk_unescaped_quote_in_bodystructure
                && self.in_body.get()
                && !plausible_close(after))
        {
            return Ok((after, Quoted::unvalidated(self.octets(seg))));
        }
        self.quoted_slow(i, body)
    }

    /// A quoted string with escapes, an error, or a quote the quirk skips.
    #[cold]
    #[inline(never)]
    fn quoted_slow(&self, i: &'a [u8], body: &'a [u8]) -> R<'a, Quoted> {
        let lenient = self.opts.quirk_unescaped_quote_in_bodystructure && self.in_body.get();
        // One pass stops at whatever needs a look: the quote, a backslash,
        // CR, LF or NUL.
        let mut pos = 0;
        let mut owned: Option<Vec<u8>> = None;
        loop {
            let Some(off) = body.get(pos..).and_then(find_quoted_stop) else {
                return fail(i, "closing quote");
            };
            let at = pos + off;
            match body.get(at) {
                Some(0 | b'\n') => return fail(i, "quoted string without NUL or LF"),
                Some(b'"') => {
                    let after = body.get(at + 1..).unwrap_or_default();
                    if lenient && !plausible_close(after) {
                        if let Some(o) = owned.as_mut() {
                            o.extend_from_slice(body.get(pos..=at).unwrap_or_default());
                        }
                        pos = at + 1;
                        continue;
                    }
                    let seg = body.get(pos..at).unwrap_or_default();
                    let value = match owned {
                        Some(mut o) => {
                            o.extend_from_slice(seg);
                            Octets::short(&o).unwrap_or_else(|| Bytes::from(o).into())
                        }
                        None => self.octets(body.get(..at).unwrap_or_default()),
                    };
                    return Ok((after, Quoted::unvalidated(value)));
                }
                Some(b'\\') => {
                    let esc = body.get(at + 1).copied();
                    if !matches!(esc, Some(b'"' | b'\\')) {
                        return fail(
                            body.get(at..).unwrap_or_default(),
                            "quoted-specials after backslash",
                        );
                    }
                    let o = owned.get_or_insert_with(Vec::new);
                    o.extend_from_slice(body.get(pos..at).unwrap_or_default());
                    o.extend(esc);
                    pos = at + 2;
                }
                _ => return fail(body.get(at..).unwrap_or_default(), "closing quote"),
            }
        }
    }

    fn literal(&self, i: &'a [u8]) -> R<'a, Literal> {
        let (r, binary) = match i.strip_prefix(b"~") {
            Some(r) => (r, true),
            None => (i, false),
        };
        let (r, ()) = lit(r, b"{", "string")?;
        let (r, n) = number64(r)?;
        let (r, mode) = match r.strip_prefix(b"+") {
            Some(r) => (r, LiteralMode::NonSync),
            None => (r, LiteralMode::Sync),
        };
        let (r, ()) = lit(r, b"}\r\n", "}CRLF")?;
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let (Some(data), Some(rest)) = (r.get(..n), r.get(n..)) else {
            return fail(r, "literal data");
        };
        if !binary && memchr::memchr(0, data).is_some() {
            return fail(r, "literal without NUL");
        }
        Ok((rest, Literal::unvalidated(self.bytes(data), mode, binary)))
    }

    fn string(&self, i: &'a [u8]) -> R<'a, IString> {
        match i.first() {
            Some(b'"') => {
                let (r, q) = self.quoted(i)?;
                Ok((r, IString::Quoted(q)))
            }
            Some(b'{') => {
                let (r, l) = self.literal(i)?;
                Ok((r, IString::Literal(l)))
            }
            _ => fail(i, "string"),
        }
    }

    /// `string`, or NIL as an empty string with `quirk_nil_as_string`.
    fn body_string(&self, i: &'a [u8]) -> R<'a, IString> {
        if self.opts.quirk_nil_as_string && is_nil(i) {
            return Ok((
                i.get(3..).unwrap_or_default(),
                IString::Quoted(Quoted::unvalidated(Bytes::new())),
            ));
        }
        self.string(i)
    }

    fn nstring(&self, i: &'a [u8]) -> R<'a, NString> {
        if is_nil(i) {
            return Ok((i.get(3..).unwrap_or_default(), None));
        }
        let (r, s) = self.string(i)?;
        Ok((r, Some(s)))
    }

    /// nstring or literal8 (BINARY data).
    fn nstring8(&self, i: &'a [u8]) -> R<'a, NString> {
        if i.first() == Some(&b'~') {
            let (r, l) = self.literal(i)?;
            return Ok((r, Some(IString::Literal(l))));
        }
        self.nstring(i)
    }

    fn astring(&self, i: &'a [u8]) -> R<'a, AString> {
        self.astring_inline(i)
    }

    /// [`Self::astring`], for the callers that wrap its value at once.
    #[inline(always)]
    fn astring_inline(&self, i: &'a [u8]) -> R<'a, AString> {
        match i.first() {
            Some(b'"' | b'{') => {
                let (r, s) = self.string(i)?;
                Ok((r, AString::String(s)))
            }
            _ => {
                let (r, a) = take1(i, chars::is_astring_char, "astring")?;
                Ok((r, AString::Atom(AstringAtom::unvalidated(self.octets(a)))))
            }
        }
    }

    /// A mailbox name. The astring is parsed here, not by a call to
    /// [`Self::astring`] whose result is then wrapped: that moved the
    /// returned value, and the processor stalled on the move (perf: more
    /// than half of this function's time in SELECT).
    fn mailbox(&self, i: &'a [u8]) -> R<'a, Mailbox> {
        let (r, a) = expect(self.astring_inline(i), "mailbox")?;
        Ok((r, Mailbox::new(a)))
    }

    fn list_mailbox(&self, i: &'a [u8]) -> R<'a, ListMailbox> {
        match i.first() {
            Some(b'"' | b'{') => {
                let (r, s) = self.string(i)?;
                Ok((r, ListMailbox::String(s)))
            }
            _ => {
                let (r, a) = take1(i, chars::is_list_char, "list-mailbox")?;
                Ok((r, ListMailbox::Token(self.bytes(a))))
            }
        }
    }

    fn charset(&self, i: &'a [u8]) -> R<'a, Charset> {
        if i.first() == Some(&b'"') {
            let (r, q) = self.quoted(i)?;
            Ok((r, Charset::Quoted(q)))
        } else {
            let (r, a) = expect(self.atom(i), "charset")?;
            Ok((r, Charset::Atom(a)))
        }
    }

    /// `"(" [f *(SP f)] ")"`, empty allowed when `allow_empty`.
    fn paren_list<T>(
        &self,
        i: &'a [u8],
        allow_empty: bool,
        f: impl FnMut(&'a [u8]) -> R<'a, T>,
    ) -> R<'a, Vec<T>> {
        self.paren_list_in(i, allow_empty, Vec::new(), f)
    }

    /// [`Self::paren_list`] into `v` (for lists that are usually longer than
    /// the four elements a first push makes room for).
    fn paren_list_in<T>(
        &self,
        i: &'a [u8],
        allow_empty: bool,
        mut v: Vec<T>,
        mut f: impl FnMut(&'a [u8]) -> R<'a, T>,
    ) -> R<'a, Vec<T>> {
        let (mut r, ()) = lit(i, b"(", "\"(\"")?;
        if let Some(rest) = r.strip_prefix(b")") {
            return if allow_empty {
                Ok((rest, v))
            } else {
                fail(r, "list element")
            };
        }
        // Room for four, as a first push would make, but allocated here
        // without the push's reallocation path.
        if v.capacity() == 0 {
            v = Vec::with_capacity(4);
        }
        loop {
            let (rest, x) = f(r)?;
            v.push(x);
            match rest.split_first() {
                Some((b' ', rest)) => r = rest,
                Some((b')', rest)) => return Ok((rest, v)),
                _ => return fail(rest, "SP or \")\""),
            }
        }
    }

    /// `"(" item *(SP item) ")"` where `item` keeps what it parses (pushes
    /// it where it belongs) and returns the rest of the input. The loop is
    /// [`Self::paren_list_in`]'s: that one pushing through this one cost
    /// the command bench 3% (measured), so each keeps its own.
    fn paren_items(
        &self,
        i: &'a [u8],
        allow_empty: bool,
        mut item: impl FnMut(&'a [u8]) -> Result<&'a [u8], PE<'a>>,
    ) -> Result<&'a [u8], PE<'a>> {
        let (mut r, ()) = lit(i, b"(", "\"(\"")?;
        if let Some(rest) = r.strip_prefix(b")") {
            return if allow_empty {
                Ok(rest)
            } else {
                Err(reject(r, "list element"))
            };
        }
        loop {
            let rest = item(r)?;
            match rest.split_first() {
                Some((b' ', rest)) => r = rest,
                Some((b')', rest)) => return Ok(rest),
                _ => return Err(reject(rest, "SP or \")\"")),
            }
        }
    }

    fn flag(&self, i: &'a [u8]) -> R<'a, Flag> {
        if let Some(r) = i.strip_prefix(b"\\") {
            let (rest, a) = expect(atom_raw(r), "flag")?;
            let k = self.key(a);
            let f = match k {
                key::ANSWERED => Flag::Answered,
                key::FLAGGED => Flag::Flagged,
                key::DELETED => Flag::Deleted,
                key::SEEN => Flag::Seen,
                key::DRAFT => Flag::Draft,
                _ => Flag::Extension(Atom::unvalidated(self.octets(a))),
            };
            Ok((rest, f))
        } else {
            let (rest, a) = expect(self.atom(i), "flag")?;
            Ok((rest, Flag::Keyword(a)))
        }
    }

    fn flag_fetch(&self, i: &'a [u8]) -> R<'a, FlagFetch> {
        if let Some(r) = i
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case(b"\\Recent"))
            .and(i.get(7..))
            && !r.first().copied().is_some_and(chars::is_atom_char)
        {
            return Ok((r, FlagFetch::Recent));
        }
        let (r, f) = self.flag(i)?;
        Ok((r, FlagFetch::Flag(f)))
    }

    fn flag_perm(&self, i: &'a [u8]) -> R<'a, FlagPerm> {
        if let Some(r) = i.strip_prefix(b"\\*") {
            return Ok((r, FlagPerm::Any));
        }
        let (r, f) = self.flag(i)?;
        Ok((r, FlagPerm::Flag(f)))
    }

    fn flag_list(&self, i: &'a [u8]) -> R<'a, Vec<Flag>> {
        self.paren_list(i, true, |i| self.flag(i))
    }

    fn date(&self, i: &'a [u8]) -> R<'a, Date> {
        let (quoted, body) = match i.strip_prefix(b"\"") {
            Some(b) => (true, b),
            None => (false, i),
        };
        let len = body
            .iter()
            .position(|&b| !chars::is_date_char(b))
            .unwrap_or(body.len());
        let text = body.get(..len).unwrap_or_default();
        if !Date::valid(text) {
            return fail(i, "date");
        }
        let mut rest = body.get(len..).unwrap_or_default();
        if quoted {
            rest = lit(rest, b"\"", "closing quote")?.0;
        }
        Ok((rest, Date::unvalidated(self.octets(text), quoted)))
    }

    fn date_time(&self, i: &'a [u8]) -> R<'a, DateTime> {
        let Some(body) = i.strip_prefix(b"\"") else {
            return fail(i, "date-time");
        };
        // A date-time is 26 octets (the day is two, space-padded) with no
        // quote in it (each place takes digits, letters or one punctuation
        // mark), so a valid one followed by a quote is the whole string. A
        // shorter one (a one-digit day, which the parts parser also takes)
        // or a stray quote goes the long way, to the first quote.
        if let (Some(text), Some(b'"')) = (body.get(..26), body.get(26))
            && DateTime::valid(text)
        {
            return Ok((
                body.get(27..).unwrap_or_default(),
                DateTime::unvalidated(self.octets(text)),
            ));
        }
        let Some(end) = memchr::memchr(b'"', body) else {
            return fail(i, "date-time");
        };
        let text = body.get(..end).unwrap_or_default();
        if !DateTime::valid(text) {
            return fail(i, "date-time");
        }
        Ok((
            body.get(end + 1..).unwrap_or_default(),
            DateTime::unvalidated(self.octets(text)),
        ))
    }

    fn capability(&self, i: &'a [u8]) -> R<'a, Capability> {
        let (r, a) = expect(atom_raw(i), "capability")?;
        let mut buf = [0u8; 24];
        let n = upper(a, &mut buf);
        let up = buf.get(..n).unwrap_or_default();
        let sub = |p: usize| Atom::unvalidated(self.octets(a.get(p..).unwrap_or_default()));
        let c = match up {
            b"IMAP4REV1" => Capability::Imap4Rev1,
            b"IMAP4REV2" => Capability::Imap4Rev2,
            b"STARTTLS" => Capability::StartTls,
            b"LOGINDISABLED" => Capability::LoginDisabled,
            b"IDLE" => Capability::Idle,
            b"LITERAL+" => Capability::LiteralPlus,
            b"LITERAL-" => Capability::LiteralMinus,
            b"UIDPLUS" => Capability::UidPlus,
            b"MOVE" => Capability::Move,
            b"ENABLE" => Capability::Enable,
            b"UNSELECT" => Capability::Unselect,
            b"NAMESPACE" => Capability::Namespace,
            b"ID" => Capability::Id,
            b"SPECIAL-USE" => Capability::SpecialUse,
            b"CREATE-SPECIAL-USE" => Capability::CreateSpecialUse,
            b"LIST-EXTENDED" => Capability::ListExtended,
            b"LIST-STATUS" => Capability::ListStatus,
            b"ESEARCH" => Capability::Esearch,
            b"SEARCHRES" => Capability::SearchRes,
            b"CONDSTORE" => Capability::CondStore,
            b"QRESYNC" => Capability::QResync,
            b"SASL-IR" => Capability::SaslIr,
            b"UTF8=ACCEPT" => Capability::Utf8Accept,
            b"BINARY" => Capability::Binary,
            b"SORT" => Capability::Sort,
            b"QUOTA" => Capability::Quota,
            b"APPENDLIMIT" => Capability::AppendLimit(None),
            b"STATUS=SIZE" => Capability::StatusSize,
            b"MULTIAPPEND" => Capability::MultiAppend,
            b"UNAUTHENTICATE" => Capability::Unauthenticate,
            _ if up.starts_with(b"AUTH=") && a.len() > 5 => Capability::Auth(sub(5)),
            _ if up.starts_with(b"THREAD=") && a.len() > 7 => Capability::Thread(sub(7)),
            _ if up.starts_with(b"COMPRESS=") && a.len() > 9 => Capability::Compress(sub(9)),
            _ if up.starts_with(b"APPENDLIMIT=") => match a.get(12..).map(|d| (d, number64(d))) {
                Some((_, Ok(([], n)))) => Capability::AppendLimit(Some(n)),
                _ => Capability::Other(Atom::unvalidated(self.octets(a))),
            },
            _ => Capability::Other(Atom::unvalidated(self.octets(a))),
        };
        Ok((r, c))
    }

    fn capabilities(&self, mut i: &'a [u8]) -> R<'a, Vec<Capability>> {
        let mut v = Vec::new();
        while starts_sp(i) && i.get(1).copied().is_some_and(chars::is_atom_char) {
            let (r, c) = self.capability(i.get(1..).unwrap_or_default())?;
            v.push(c);
            i = r;
        }
        Ok((i, v))
    }

    /// A generic extension value (`tagged-ext-val`, `body-extension`).
    fn value(&self, i: &'a [u8]) -> R<'a, Value> {
        match i.first() {
            Some(b'(') => self.nested(i, |i| {
                let (r, v) = self.paren_list(i, true, |i| self.value(i))?;
                Ok((r, Value::List(v)))
            }),
            Some(b'"' | b'{' | b'~') => {
                let (r, s) = if i.first() == Some(&b'~') {
                    let (r, l) = self.literal(i)?;
                    (r, IString::Literal(l))
                } else {
                    self.string(i)?
                };
                Ok((r, Value::String(s)))
            }
            _ if is_nil(i) => Ok((i.get(3..).unwrap_or_default(), Value::Nil)),
            _ => {
                let (r, tok) = take1(i, |b| chars::is_list_char(b) || b == b'\\', "value")?;
                let canonical_number = tok.iter().all(u8::is_ascii_digit)
                    && (tok.len() == 1 || tok.first() != Some(&b'0'));
                if canonical_number && let Ok(([], n)) = number64(tok) {
                    return Ok((r, Value::Number(n)));
                }
                Ok((r, Value::Atom(self.bytes(tok))))
            }
        }
    }

    // ---------------------------------------------------------------- responses

    fn resp_text(&self, i: &'a [u8]) -> R<'a, RespText> {
        let mut code = None;
        let mut r = i;
        if let Some(after) = i.strip_prefix(b"[")
            && let Ok((after, c)) = self.code(after)
            && let Some(after) = after.strip_prefix(b"]")
        {
            match after.split_first() {
                Some((b' ', t)) => {
                    code = Some(c);
                    r = t;
                }
                // RFC 9051's own examples end a code with CRLF (`* OK [CLOSED]`).
                Some((b'\r', _)) => {
                    code = Some(c);
                    r = after;
                }
                _ => return fail(after, "SP after response code"),
            }
        }
        let len = memchr::memchr2(b'\r', b'\n', r).unwrap_or(r.len());
        let text = r.get(..len).unwrap_or_default();
        if text.contains(&0) {
            return fail(r, "text without NUL");
        }
        Ok((
            r.get(len..).unwrap_or_default(),
            RespText {
                code,
                text: Text::unvalidated(self.octets(text)),
            },
        ))
    }

    fn code(&self, i: &'a [u8]) -> R<'a, Code> {
        let (r, name) = atom_raw(i)?;
        let mut buf = [0u8; 24];
        let n = upper(name, &mut buf);
        let c = match buf.get(..n).unwrap_or_default() {
            b"ALERT" => Code::Alert,
            b"BADCHARSET" => {
                if let Some(r2) = r.strip_prefix(b" ") {
                    let (r2, v) = self.paren_list(r2, false, |i| self.charset(i))?;
                    return Ok((r2, Code::BadCharset(v)));
                }
                Code::BadCharset(Vec::new())
            }
            b"CAPABILITY" => {
                let (r2, caps) = self.capabilities(r)?;
                return Ok((r2, Code::Capability(caps)));
            }
            b"PARSE" => Code::Parse,
            b"PERMANENTFLAGS" => {
                let (r2, ()) = sp(r)?;
                let (r2, v) = self.paren_list(r2, true, |i| self.flag_perm(i))?;
                return Ok((r2, Code::PermanentFlags(v)));
            }
            b"READ-ONLY" => Code::ReadOnly,
            b"READ-WRITE" => Code::ReadWrite,
            b"TRYCREATE" => Code::TryCreate,
            b"UIDNEXT" | b"UIDVALIDITY" | b"UNSEEN" => {
                let (r2, ()) = sp(r)?;
                let (r2, v) = nz_number(r2)?;
                let c = match buf.get(..n).unwrap_or_default() {
                    b"UIDNEXT" => Code::UidNext(v),
                    b"UIDVALIDITY" => Code::UidValidity(v),
                    _ => Code::Unseen(v),
                };
                return Ok((r2, c));
            }
            b"APPENDUID" => {
                let (r2, ()) = sp(r)?;
                let (r2, validity) = nz_number(r2)?;
                let (r2, ()) = sp(r2)?;
                let (r2, uids) = sequence_set(r2)?;
                return Ok((r2, Code::AppendUid { validity, uids }));
            }
            b"COPYUID" => {
                let (r2, ()) = sp(r)?;
                let (r2, validity) = nz_number(r2)?;
                let (r2, ()) = sp(r2)?;
                let (r2, source) = sequence_set(r2)?;
                let (r2, ()) = sp(r2)?;
                let (r2, destination) = sequence_set(r2)?;
                return Ok((
                    r2,
                    Code::CopyUid {
                        validity,
                        source,
                        destination,
                    },
                ));
            }
            b"UIDNOTSTICKY" => Code::UidNotSticky,
            b"UNAVAILABLE" => Code::Unavailable,
            b"AUTHENTICATIONFAILED" => Code::AuthenticationFailed,
            b"AUTHORIZATIONFAILED" => Code::AuthorizationFailed,
            b"EXPIRED" => Code::Expired,
            b"PRIVACYREQUIRED" => Code::PrivacyRequired,
            b"CONTACTADMIN" => Code::ContactAdmin,
            b"NOPERM" => Code::NoPerm,
            b"INUSE" => Code::InUse,
            b"EXPUNGEISSUED" => Code::ExpungeIssued,
            b"CORRUPTION" => Code::Corruption,
            b"SERVERBUG" => Code::ServerBug,
            b"CLIENTBUG" => Code::ClientBug,
            b"CANNOT" => Code::Cannot,
            b"LIMIT" => Code::Limit,
            b"OVERQUOTA" => Code::OverQuota,
            b"ALREADYEXISTS" => Code::AlreadyExists,
            b"NONEXISTENT" => Code::NonExistent,
            b"NOTSAVED" => Code::NotSaved,
            b"HASCHILDREN" => Code::HasChildren,
            b"CLOSED" => Code::Closed,
            b"UNKNOWN-CTE" => Code::UnknownCte,
            b"HIGHESTMODSEQ" => {
                let (r2, ()) = sp(r)?;
                let (r2, v) = number64(r2)?;
                return Ok((r2, Code::HighestModSeq(v)));
            }
            b"NOMODSEQ" => Code::NoModSeq,
            b"MODIFIED" => {
                let (r2, ()) = sp(r)?;
                let (r2, v) = sequence_set(r2)?;
                return Ok((r2, Code::Modified(v)));
            }
            b"COMPRESSIONACTIVE" => Code::CompressionActive,
            b"TOOBIG" => Code::TooBig,
            b"USEATTR" => Code::UseAttr,
            _ => {
                let atom = Atom::unvalidated(self.octets(name));
                if let Some(r2) = r.strip_prefix(b" ") {
                    let len = r2
                        .iter()
                        .position(|&b| matches!(b, b']' | b'\r' | b'\n' | 0))
                        .unwrap_or(r2.len());
                    if len == 0 {
                        return fail(r2, "code text");
                    }
                    return Ok((
                        r2.get(len..).unwrap_or_default(),
                        Code::Other(atom, Some(self.bytes(r2.get(..len).unwrap_or_default()))),
                    ));
                }
                return Ok((r, Code::Other(atom, None)));
            }
        };
        Ok((r, c))
    }

    /// One address, pushed onto `out` (built in its slot rather than
    /// returned and moved: an address is 160 octets).
    fn address(&self, i: &'a [u8], out: &mut Vec<Address>) -> R<'a, ()> {
        let (r, ()) = lit(i, b"(", "address")?;
        let (r, name) = self.nstring(r)?;
        let (r, ()) = sp(r)?;
        let (r, adl) = self.nstring(r)?;
        let (r, ()) = sp(r)?;
        let (r, mailbox) = self.nstring(r)?;
        let (r, ()) = sp(r)?;
        let (r, host) = self.nstring(r)?;
        let (r, ()) = lit(r, b")", "\")\"")?;
        out.push(Address {
            name,
            adl,
            mailbox,
            host,
        });
        Ok((r, ()))
    }

    fn address_list(&self, i: &'a [u8]) -> R<'a, Vec<Address>> {
        if is_nil(i) {
            return Ok((i.get(3..).unwrap_or_default(), Vec::new()));
        }
        let (mut r, ()) = lit(i, b"(", "address list")?;
        let mut v = Vec::new();
        loop {
            let (rest, ()) = self.address(r, &mut v)?;
            // Addresses are concatenated; some servers put spaces between them.
            r = rest;
            if let Some(rest) = r.strip_prefix(b")") {
                return Ok((rest, v));
            }
            if let Some(rest) = r.strip_prefix(b" ") {
                r = rest;
            }
        }
    }

    /// An envelope, parsed straight into its box (~300 octets that would
    /// otherwise be returned and then moved into the heap).
    fn envelope(&self, i: &'a [u8]) -> R<'a, Box<Envelope>> {
        let mut e = Box::<Envelope>::default();
        let (r, ()) = lit(i, b"(", "envelope")?;
        let (r, date) = self.nstring(r)?;
        e.date = date;
        let (r, ()) = sp(r)?;
        let (r, subject) = self.nstring(r)?;
        e.subject = subject;
        let (r, ()) = sp(r)?;
        let (r, from) = self.address_list(r)?;
        e.from = from;
        let (r, ()) = sp(r)?;
        let (r, sender) = self.address_list(r)?;
        e.sender = sender;
        let (r, ()) = sp(r)?;
        let (r, reply_to) = self.address_list(r)?;
        e.reply_to = reply_to;
        let (r, ()) = sp(r)?;
        let (r, to) = self.address_list(r)?;
        e.to = to;
        let (r, ()) = sp(r)?;
        let (r, cc) = self.address_list(r)?;
        e.cc = cc;
        let (r, ()) = sp(r)?;
        let (r, bcc) = self.address_list(r)?;
        e.bcc = bcc;
        let (r, ()) = sp(r)?;
        let (r, in_reply_to) = self.nstring(r)?;
        e.in_reply_to = in_reply_to;
        let (r, ()) = sp(r)?;
        let (r, message_id) = self.nstring(r)?;
        e.message_id = message_id;
        let (r, ()) = lit(r, b")", "\")\"")?;
        Ok((r, e))
    }

    fn params(&self, i: &'a [u8]) -> R<'a, Params> {
        if is_nil(i) {
            return Ok((i.get(3..).unwrap_or_default(), None));
        }
        let (r, v) = self.paren_list(i, false, |i| {
            let (r, k) = self.body_string(i)?;
            let (r, ()) = sp(r)?;
            let (r, v) = self.body_string(r)?;
            Ok((r, (k, v)))
        })?;
        Ok((r, Some(v)))
    }

    fn body_fields(&self, i: &'a [u8]) -> R<'a, BodyFields> {
        let (r, params) = self.params(i)?;
        let (r, ()) = sp(r)?;
        let (r, id) = self.nstring(r)?;
        let (r, ()) = sp(r)?;
        let (r, description) = self.nstring(r)?;
        let (r, ()) = sp(r)?;
        let (r, encoding) = self.body_string(r)?;
        let (r, ()) = sp(r)?;
        let (r, octets) = number(r)?;
        Ok((
            r,
            BodyFields {
                params,
                id,
                description,
                encoding,
                octets,
            },
        ))
    }

    /// The extension data after the MD5 or the multipart parameters, filled
    /// into `ext` (a `BodyExtension` is ~170 octets: returning it by value
    /// costs 0.8% more instructions over the FETCH bench, by callgrind).
    fn body_ext(&self, i: &'a [u8], ext: &mut BodyExtension) -> R<'a, ()> {
        let Some(r) = i.strip_prefix(b" ") else {
            return Ok((i, ()));
        };
        let (r, dsp) = if is_nil(r) {
            (r.get(3..).unwrap_or_default(), None)
        } else {
            let (r, ()) = lit(r, b"(", "body-fld-dsp")?;
            let (r, kind) = self.body_string(r)?;
            let (r, ()) = sp(r)?;
            let (r, params) = self.params(r)?;
            let (r, ()) = lit(r, b")", "\")\"")?;
            (r, Some(Disposition { kind, params }))
        };
        ext.disposition = Some(dsp);
        let Some(r) = r.strip_prefix(b" ") else {
            return Ok((r, ()));
        };
        let (r, lang) = if r.first() == Some(&b'(') {
            let (r, v) = self.paren_list(r, false, |i| self.string(i))?;
            (r, Language::List(v))
        } else {
            let (r, s) = self.nstring(r)?;
            (r, Language::Single(s))
        };
        ext.language = Some(lang);
        let Some(r) = r.strip_prefix(b" ") else {
            return Ok((r, ()));
        };
        let (mut r, loc) = self.nstring(r)?;
        ext.location = Some(loc);
        while let Some(rest) = r.strip_prefix(b" ") {
            let (rest, v) = self.value(rest)?;
            ext.extensions.push(v);
            r = rest;
        }
        Ok((r, ()))
    }

    fn body(&self, i: &'a [u8], extensible: bool) -> R<'a, BodyStructure> {
        self.nested(i, |i| {
            let was = self.in_body.replace(true);
            let r = self.body_inner(i, extensible);
            self.in_body.set(was);
            r
        })
    }

    fn body_inner(&self, i: &'a [u8], extensible: bool) -> R<'a, BodyStructure> {
        let (r, ()) = lit(i, b"(", "body")?;
        if r.first() == Some(&b'(') {
            // Two parts is the common case (alternative; text and one
            // attachment). Room for two keeps the allocation within malloc's
            // per-thread cache (~1 KiB); the default first capacity of four
            // ~460-octet parts is not, and showed in profiles.
            let mut parts = Vec::with_capacity(2);
            let mut r = r;
            while r.first() == Some(&b'(') {
                let (rest, b) = self.body(r, extensible)?;
                parts.push(b);
                r = rest;
            }
            let (r, ()) = sp(r)?;
            let (r, subtype) = self.body_string(r)?;
            let (r, extension) = match r.strip_prefix(b" ") {
                Some(r2) if extensible || !r2.starts_with(b")") => {
                    let (r2, params) = self.params(r2)?;
                    let mut ext = BodyExtension::default();
                    let (r2, ()) = self.body_ext(r2, &mut ext)?;
                    (r2, Some((params, ext)))
                }
                _ => (r, None),
            };
            let (r, ()) = lit(r, b")", "\")\" after multipart body")?;
            return Ok((
                r,
                BodyStructure::Multi {
                    parts,
                    subtype,
                    extension,
                },
            ));
        }
        let (r, media_type) = self.body_string(r)?;
        let (r, ()) = sp(r)?;
        let (r, subtype) = self.body_string(r)?;
        let (r, ()) = sp(r)?;
        let (r, fields) = self.body_fields(r)?;
        let mt = media_type.as_bytes();
        let st = subtype.as_bytes();
        let (r, kind) = if mt.eq_ignore_ascii_case(b"TEXT") {
            let (r, ()) = sp(r)?;
            let (r, lines) = number64(r)?;
            (
                r,
                SinglePartKind::Text {
                    media_type,
                    subtype,
                    lines,
                },
            )
        } else if mt.eq_ignore_ascii_case(b"MESSAGE")
            && (st.eq_ignore_ascii_case(b"RFC822") || st.eq_ignore_ascii_case(b"GLOBAL"))
        {
            let (r, ()) = sp(r)?;
            let (r, envelope) = self.envelope(r)?;
            let (r, ()) = sp(r)?;
            let (r, body) = self.body(r, extensible)?;
            let (r, ()) = sp(r)?;
            let (r, lines) = number64(r)?;
            (
                r,
                SinglePartKind::Message {
                    media_type,
                    subtype,
                    envelope,
                    body: Box::new(body),
                    lines,
                },
            )
        } else {
            (
                r,
                SinglePartKind::Basic {
                    media_type,
                    subtype,
                },
            )
        };
        let (r, extension) = match r.strip_prefix(b" ") {
            Some(r2) => {
                let (r2, md5) = self.nstring(r2)?;
                let mut ext = BodyExtension::default();
                let (r2, ()) = self.body_ext(r2, &mut ext)?;
                (r2, Some((md5, ext)))
            }
            None => (r, None),
        };
        let (r, ()) = lit(r, b")", "\")\" after body")?;
        Ok((
            r,
            BodyStructure::Single {
                kind,
                fields,
                extension,
            },
        ))
    }

    fn section(&self, i: &'a [u8]) -> R<'a, Section> {
        let (r, ()) = lit(i, b"[", "\"[\"")?;
        if let Some(r) = r.strip_prefix(b"]") {
            return Ok((r, Section::default()));
        }
        let (r, part) = if r.first().is_some_and(u8::is_ascii_digit) {
            let (r, p) = section_part(r)?;
            match r.strip_prefix(b".") {
                Some(r) => (r, p),
                None => {
                    let (r, ()) = lit(r, b"]", "\"]\"")?;
                    return Ok((
                        r,
                        Section {
                            part: p,
                            text: None,
                        },
                    ));
                }
            }
        } else {
            (r, Vec::new())
        };
        let (r, word) = take1(r, chars::is_section_word_char, "section text")?;
        let k = self.key(word);
        let n = word.len();
        let (r, text) = match k {
            key::HEADER => (r, SectionText::Header),
            key::TEXT => (r, SectionText::Text),
            key::MIME if !part.is_empty() => (r, SectionText::Mime),
            // HEADER.FIELDS.NOT is one octet too long for a key.
            _ if k == key::HEADER_FIELDS || word.eq_ignore_ascii_case(b"HEADER.FIELDS.NOT") => {
                let (r, ()) = sp(r)?;
                let (r, names) = self.paren_list(r, false, |i| self.astring(i))?;
                if n == 13 {
                    (r, SectionText::HeaderFields(names))
                } else {
                    (r, SectionText::HeaderFieldsNot(names))
                }
            }
            _ => return fail(r, "section text"),
        };
        let (r, ()) = lit(r, b"]", "\"]\"")?;
        Ok((
            r,
            Section {
                part,
                text: Some(text),
            },
        ))
    }

    fn section_binary(&self, i: &'a [u8]) -> R<'a, Vec<NonZeroU32>> {
        let (r, ()) = lit(i, b"[", "\"[\"")?;
        if let Some(r) = r.strip_prefix(b"]") {
            return Ok((r, Vec::new()));
        }
        let (r, p) = section_part(r)?;
        let (r, ()) = lit(r, b"]", "\"]\"")?;
        Ok((r, p))
    }

    /// A fetch item name: atom characters up to `[`, `<`, SP or `)`.
    fn item_name(i: &'a [u8]) -> R<'a, &'a [u8]> {
        take1(i, chars::is_item_char, "fetch item name")
    }

    fn fetch_item(&self, i: &'a [u8]) -> R<'a, FetchItem> {
        let (r, name) = Self::item_name(i)?;
        let k = self.key(name);
        match k {
            key::BODY if r.first() == Some(&b'[') => {
                let (r, section) = self.section(r)?;
                let (r, origin) = origin(r)?;
                let (r, ()) = sp(r)?;
                let (r, data) = self.nstring(r)?;
                return Ok((
                    r,
                    FetchItem::BodySection {
                        section,
                        origin,
                        data,
                    },
                ));
            }
            key::BINARY => {
                let (r, part) = self.section_binary(r)?;
                let (r, origin) = origin(r)?;
                let (r, ()) = sp(r)?;
                let (r, data) = self.nstring8(r)?;
                return Ok((r, FetchItem::Binary { part, origin, data }));
            }
            key::BINARY_SIZE => {
                let (r, part) = self.section_binary(r)?;
                let (r, ()) = sp(r)?;
                let (r, size) = number64(r)?;
                return Ok((r, FetchItem::BinarySize { part, size }));
            }
            _ => {}
        }
        let (r, ()) = sp(r)?;
        match k {
            key::FLAGS => {
                let (r, v) = self.paren_list(r, true, |i| self.flag_fetch(i))?;
                Ok((r, FetchItem::Flags(v)))
            }
            key::ENVELOPE => {
                let (r, e) = self.envelope(r)?;
                Ok((r, FetchItem::Envelope(e)))
            }
            key::INTERNALDATE => {
                let (r, d) = self.date_time(r)?;
                Ok((r, FetchItem::InternalDate(d)))
            }
            key::RFC822_SIZE => {
                let (r, n) = number64(r)?;
                Ok((r, FetchItem::Rfc822Size(n)))
            }
            key::RFC822 | key::RFC822_HEADER | key::RFC822_TEXT => {
                let (r, s) = self.nstring(r)?;
                let item = match k {
                    key::RFC822 => FetchItem::Rfc822(s),
                    key::RFC822_HEADER => FetchItem::Rfc822Header(s),
                    _ => FetchItem::Rfc822Text(s),
                };
                Ok((r, item))
            }
            key::BODY => {
                let (r, b) = self.body(r, false)?;
                Ok((r, FetchItem::Body(Box::new(b))))
            }
            key::BODYSTRUCTURE => {
                let (r, b) = self.body(r, true)?;
                Ok((r, FetchItem::BodyStructure(Box::new(b))))
            }
            key::UID => {
                let (r, n) = nz_number(r)?;
                Ok((r, FetchItem::Uid(n)))
            }
            key::MODSEQ => {
                let (r, ()) = lit(r, b"(", "\"(\"")?;
                let (r, n) = number64(r)?;
                let (r, ()) = lit(r, b")", "\")\"")?;
                Ok((r, FetchItem::ModSeq(n)))
            }
            key::EMAILID => {
                let (r, ()) = lit(r, b"(", "\"(\"")?;
                let (r, a) = self.atom(r)?;
                let (r, ()) = lit(r, b")", "\")\"")?;
                Ok((r, FetchItem::EmailId(a)))
            }
            key::THREADID => {
                if is_nil(r) {
                    return Ok((r.get(3..).unwrap_or_default(), FetchItem::ThreadId(None)));
                }
                let (r, ()) = lit(r, b"(", "\"(\"")?;
                let (r, a) = self.atom(r)?;
                let (r, ()) = lit(r, b")", "\")\"")?;
                Ok((r, FetchItem::ThreadId(Some(a))))
            }
            _ => {
                let (r, v) = self.value(r)?;
                Ok((r, FetchItem::Other(Atom::unvalidated(self.octets(name)), v)))
            }
        }
    }

    /// Skips one fetch item (name, optional section, SP, one value) for the
    /// isolate-bad-item quirk; returns the rest.
    fn skip_item(&self, i: &'a [u8]) -> Option<&'a [u8]> {
        let mut r = i;
        let mut depth = 0usize;
        let mut seen_value = false;
        loop {
            let (&b, rest) = r.split_first()?;
            match b {
                b'"' => {
                    let mut p = rest;
                    loop {
                        let at = memchr::memchr2(b'"', b'\\', p)?;
                        let c = *p.get(at)?;
                        p = p.get(at + 1..)?;
                        if c == b'\\' {
                            p = p.get(1..)?;
                        } else {
                            break;
                        }
                    }
                    r = p;
                    seen_value = true;
                }
                b'{' | b'~' => {
                    let close = memchr::memchr(b'}', rest)?;
                    let lenb = rest.get(usize::from(b == b'~')..close)?;
                    let lenb = lenb.strip_suffix(b"+").unwrap_or(lenb);
                    let (_, n) = number64(lenb).ok()?;
                    let after = rest.get(close + 1..)?.strip_prefix(b"\r\n")?;
                    r = after.get(usize::try_from(n).ok()?..)?;
                    seen_value = true;
                }
                b'(' | b'[' | b'<' => {
                    depth += 1;
                    r = rest;
                }
                b')' | b']' | b'>' => {
                    if depth == 0 {
                        return Some(r);
                    }
                    depth -= 1;
                    r = rest;
                    seen_value = true;
                }
                b' ' if depth == 0 && seen_value => return Some(r),
                b' ' => {
                    r = rest;
                    if rest.first().is_some_and(|&c| c != b'(') {
                        seen_value = false;
                    }
                    // After the name's SP comes the value.
                    if !seen_value {
                        let (tok_rest, _) = take1(
                            rest,
                            |c| !matches!(c, b' ' | b')' | b'(' | b'"' | b'{' | b'\r'),
                            "token",
                        )
                        .unwrap_or((rest, rest));
                        if tok_rest.len() != rest.len() && depth == 0 {
                            return Some(tok_rest);
                        }
                    }
                }
                b'\r' | b'\n' => return Some(r),
                _ => r = rest,
            }
        }
    }

    fn msg_att(&self, i: &'a [u8]) -> R<'a, Vec<FetchItem>> {
        let (mut r, ()) = lit(i, b"(", "\"(\" before FETCH items")?;
        // Room for a typical response's items: no regrowth for up to eight.
        let mut items = Vec::with_capacity(8);
        loop {
            match self.fetch_item(r) {
                Ok((rest, item)) => {
                    items.push(item);
                    r = rest;
                }
                Err(nom::Err::Error(e)) if self.opts.quirk_isolate_bad_fetch_item => {
                    let Some(rest) = self.skip_item(r) else {
                        return Err(nom::Err::Error(e));
                    };
                    let raw_len = r.len() - rest.len();
                    if raw_len == 0 {
                        return Err(nom::Err::Error(e));
                    }
                    let offset = self.src.len() - e.input.len();
                    items.push(FetchItem::Invalid {
                        raw: self.bytes(r.get(..raw_len).unwrap_or_default()),
                        error: format!("expected {} at octet {offset}", e.expected),
                    });
                    r = rest;
                }
                Err(e) => return Err(e),
            }
            match r.split_first() {
                Some((b' ', rest)) => r = rest,
                Some((b')', rest)) => return Ok((rest, items)),
                _ => return fail(r, "SP or \")\" between FETCH items"),
            }
        }
    }

    fn status_att(&self, i: &'a [u8]) -> R<'a, StatusAttr> {
        let (r, a) = expect(atom_raw(i), "status attribute")?;
        let mut buf = [0u8; 24];
        let n = upper(a, &mut buf);
        let attr = match buf.get(..n).unwrap_or_default() {
            b"MESSAGES" => StatusAttr::Messages,
            b"RECENT" => StatusAttr::Recent,
            b"UIDNEXT" => StatusAttr::UidNext,
            b"UIDVALIDITY" => StatusAttr::UidValidity,
            b"UNSEEN" => StatusAttr::Unseen,
            b"DELETED" => StatusAttr::Deleted,
            b"SIZE" => StatusAttr::Size,
            b"HIGHESTMODSEQ" => StatusAttr::HighestModSeq,
            b"APPENDLIMIT" => StatusAttr::AppendLimit,
            _ => StatusAttr::Other(Atom::unvalidated(self.octets(a))),
        };
        Ok((r, attr))
    }

    fn status_item(&self, i: &'a [u8]) -> R<'a, StatusItem> {
        let (r, attr) = self.status_att(i)?;
        let (r, ()) = sp(r)?;
        if attr == StatusAttr::AppendLimit && is_nil(r) {
            return Ok((
                r.get(3..).unwrap_or_default(),
                StatusItem { attr, value: None },
            ));
        }
        let (r, v) = number64(r)?;
        Ok((
            r,
            StatusItem {
                attr,
                value: Some(v),
            },
        ))
    }

    fn quoted_char_or_nil(&self, i: &'a [u8]) -> R<'a, Option<u8>> {
        if is_nil(i) {
            return Ok((i.get(3..).unwrap_or_default(), None));
        }
        match i {
            [b'"', b'\\', c @ (b'"' | b'\\'), b'"', rest @ ..] => Ok((rest, Some(*c))),
            [b'"', c, b'"', rest @ ..]
                if *c != b'"' && *c != b'\\' && chars::is_text_char(*c) && c.is_ascii() =>
            {
                Ok((rest, Some(*c)))
            }
            _ => fail(i, "delimiter"),
        }
    }

    fn list_item(&self, i: &'a [u8]) -> R<'a, ListItem> {
        let (r, attributes) = self.paren_list(i, true, |i| {
            let (r, ()) = lit(i, b"\\", "mailbox attribute")?;
            self.atom(r)
        })?;
        let (r, ()) = sp(r)?;
        let (r, delimiter) = self.quoted_char_or_nil(r)?;
        let (r, ()) = sp(r)?;
        let (r, mailbox) = self.mailbox(r)?;
        let (r, extended) = match r.strip_prefix(b" ") {
            Some(r) => self.paren_list(r, false, |i| {
                let (r, t) = self.astring(i)?;
                let (r, ()) = sp(r)?;
                let (r, v) = self.value(r)?;
                Ok((r, (t, v)))
            })?,
            None => (r, Vec::new()),
        };
        Ok((
            r,
            ListItem {
                attributes,
                delimiter,
                mailbox,
                extended,
            },
        ))
    }

    fn namespace(&self, i: &'a [u8]) -> R<'a, Option<Vec<NamespaceDescr>>> {
        if is_nil(i) {
            return Ok((i.get(3..).unwrap_or_default(), None));
        }
        let (mut r, ()) = lit(i, b"(", "namespace")?;
        let mut v = Vec::new();
        loop {
            let (rest, ()) = lit(r, b"(", "namespace-descr")?;
            let (rest, prefix) = self.string(rest)?;
            let (rest, ()) = sp(rest)?;
            let (mut rest, delimiter) = self.quoted_char_or_nil(rest)?;
            let mut extensions = Vec::new();
            while let Some(x) = rest.strip_prefix(b" ") {
                let (x, name) = self.string(x)?;
                let (x, ()) = sp(x)?;
                let (x, vals) = self.paren_list(x, false, |i| self.string(i))?;
                extensions.push((name, vals));
                rest = x;
            }
            let (rest, ()) = lit(rest, b")", "\")\"")?;
            v.push(NamespaceDescr {
                prefix,
                delimiter,
                extensions,
            });
            r = rest;
            if let Some(rest) = r.strip_prefix(b")") {
                return Ok((rest, Some(v)));
            }
        }
    }

    fn id_params(&self, i: &'a [u8]) -> R<'a, Option<Vec<(IString, NString)>>> {
        if is_nil(i) {
            return Ok((i.get(3..).unwrap_or_default(), None));
        }
        let (r, v) = self.paren_list(i, true, |i| {
            let (r, k) = self.string(i)?;
            let (r, ()) = sp(r)?;
            let (r, v) = self.nstring(r)?;
            Ok((r, (k, v)))
        })?;
        Ok((r, Some(v)))
    }

    fn thread_list(&self, i: &'a [u8]) -> R<'a, ThreadList> {
        self.nested(i, |i| {
            let (mut r, ()) = lit(i, b"(", "thread list")?;
            let mut members = Vec::new();
            let mut children = Vec::new();
            loop {
                if r.first() == Some(&b'(') {
                    while r.first() == Some(&b'(') {
                        let (rest, t) = self.thread_list(r)?;
                        children.push(t);
                        r = rest;
                    }
                    let (r, ()) = lit(r, b")", "\")\"")?;
                    return Ok((r, ThreadList { members, children }));
                }
                let (rest, n) = nz_number(r)?;
                members.push(n);
                r = rest;
                if let Some(rest) = r.strip_prefix(b")") {
                    return Ok((rest, ThreadList { members, children }));
                }
                r = sp(r)?.0;
            }
        })
    }

    fn numbers(&self, mut i: &'a [u8]) -> R<'a, Vec<NonZeroU32>> {
        let mut v = Vec::new();
        while let Some(r) = i.strip_prefix(b" ") {
            if !r.first().is_some_and(u8::is_ascii_digit) {
                break;
            }
            let (r, n) = nz_number(r)?;
            v.push(n);
            i = r;
        }
        Ok((i, v))
    }

    fn esearch(&self, i: &'a [u8]) -> R<'a, Esearch> {
        let mut r = i;
        let mut correlator = None;
        if let Some(x) = r.strip_prefix(b" (") {
            let (x, ()) = kw(x, "TAG")?;
            let (x, ()) = sp(x)?;
            let (x, t) = self.astring(x)?;
            let (x, ()) = lit(x, b")", "\")\"")?;
            correlator = Some(t);
            r = x;
        }
        let mut uid = false;
        if let Some(x) = r.strip_prefix(b" ") {
            let (x2, u) = opt_kw(x, "UID");
            if u && !x2.first().copied().is_some_and(chars::is_atom_char) {
                uid = true;
                r = x2;
            }
        }
        let mut data = Vec::new();
        while let Some(x) = r.strip_prefix(b" ") {
            let (x, name) = atom_raw(x)?;
            let (x, ()) = sp(x)?;
            let mut buf = [0u8; 24];
            let n = upper(name, &mut buf);
            let (x, d) = match buf.get(..n).unwrap_or_default() {
                b"MIN" => nz_number(x).map(|(x, v)| (x, SearchReturnData::Min(v)))?,
                b"MAX" => nz_number(x).map(|(x, v)| (x, SearchReturnData::Max(v)))?,
                b"ALL" => sequence_set(x).map(|(x, v)| (x, SearchReturnData::All(v)))?,
                b"COUNT" => number(x).map(|(x, v)| (x, SearchReturnData::Count(v)))?,
                b"MODSEQ" => number64(x).map(|(x, v)| (x, SearchReturnData::ModSeq(v)))?,
                _ => {
                    let (x, v) = self.value(x)?;
                    (
                        x,
                        SearchReturnData::Other(Atom::unvalidated(self.octets(name)), v),
                    )
                }
            };
            data.push(d);
            r = x;
        }
        Ok((
            r,
            Esearch {
                correlator,
                uid,
                data,
            },
        ))
    }

    fn untagged(&self, i: &'a [u8]) -> R<'a, Response> {
        if i.first().is_some_and(u8::is_ascii_digit) {
            let (r, n) = number(i)?;
            let (r, ()) = sp(r)?;
            let (r, word) = atom_raw(r)?;
            let mut buf = [0u8; 24];
            let len = upper(word, &mut buf);
            let data = match buf.get(..len).unwrap_or_default() {
                b"EXISTS" => Data::Exists(n),
                b"RECENT" => Data::Recent(n),
                b"EXPUNGE" | b"FETCH" => {
                    let Some(seq) = NonZeroU32::new(n) else {
                        return fail(i, "non-zero number");
                    };
                    if len == 7 {
                        Data::Expunge(seq)
                    } else {
                        let (r, ()) = sp(r)?;
                        let (r, items) = self.msg_att(r)?;
                        return Ok((r, Response::Data(Data::Fetch { seq, items })));
                    }
                }
                _ => return fail(r, "EXISTS, RECENT, EXPUNGE or FETCH"),
            };
            return Ok((r, Response::Data(data)));
        }
        let (r, word) = atom_raw(i)?;
        let mut buf = [0u8; 24];
        let len = upper(word, &mut buf);
        let up = buf.get(..len).unwrap_or_default();
        let status = match up {
            b"OK" => Some(StatusKind::Ok),
            b"NO" => Some(StatusKind::No),
            b"BAD" => Some(StatusKind::Bad),
            b"PREAUTH" => Some(StatusKind::PreAuth),
            b"BYE" => Some(StatusKind::Bye),
            _ => None,
        };
        if let Some(kind) = status {
            let (r, text) = self.status_text(r)?;
            return Ok((
                r,
                Response::Status(StatusResponse {
                    tag: None,
                    kind,
                    text,
                }),
            ));
        }
        let data = match up {
            b"CAPABILITY" => {
                let (r, c) = self.capabilities(r)?;
                if c.is_empty() {
                    return fail(r, "capability");
                }
                return Ok((r, Response::Data(Data::Capability(c))));
            }
            b"ENABLED" => {
                let (r, c) = self.capabilities(r)?;
                return Ok((r, Response::Data(Data::Enabled(c))));
            }
            b"FLAGS" => {
                let (r, ()) = sp(r)?;
                let (r, f) = self.flag_list(r)?;
                (r, Data::Flags(f))
            }
            b"LIST" | b"LSUB" => {
                let (r2, ()) = sp(r)?;
                let (r2, item) = self.list_item(r2)?;
                (
                    r2,
                    if len == 4 && up == b"LIST" {
                        Data::List(item)
                    } else {
                        Data::Lsub(item)
                    },
                )
            }
            b"STATUS" => {
                let (r, ()) = sp(r)?;
                let (r, mailbox) = self.mailbox(r)?;
                let (r, ()) = sp(r)?;
                let (r, items) = self.paren_list(r, true, |i| self.status_item(i))?;
                (r, Data::Status { mailbox, items })
            }
            b"SEARCH" => {
                let (r, ids) = self.numbers(r)?;
                let (r, modseq) = match r.strip_prefix(b" (") {
                    Some(x) => {
                        let (x, ()) = kw(x, "MODSEQ")?;
                        let (x, ()) = sp(x)?;
                        let (x, m) = number64(x)?;
                        let (x, ()) = lit(x, b")", "\")\"")?;
                        (x, Some(m))
                    }
                    None => (r, None),
                };
                (r, Data::Search { ids, modseq })
            }
            b"ESEARCH" => {
                let (r, e) = self.esearch(r)?;
                (r, Data::Esearch(e))
            }
            b"NAMESPACE" => {
                let (r, ()) = sp(r)?;
                let (r, personal) = self.namespace(r)?;
                let (r, ()) = sp(r)?;
                let (r, other) = self.namespace(r)?;
                let (r, ()) = sp(r)?;
                let (r, shared) = self.namespace(r)?;
                (
                    r,
                    Data::Namespace {
                        personal,
                        other,
                        shared,
                    },
                )
            }
            b"ID" => {
                let (r, ()) = sp(r)?;
                let (r, p) = self.id_params(r)?;
                (r, Data::Id(p))
            }
            b"SORT" => {
                let (r, ids) = self.numbers(r)?;
                (r, Data::Sort(ids))
            }
            b"THREAD" => {
                let mut v = Vec::new();
                let mut r = r;
                if let Some(x) = r.strip_prefix(b" ") {
                    r = x;
                    while r.first() == Some(&b'(') {
                        let (x, t) = self.thread_list(r)?;
                        v.push(t);
                        r = x;
                    }
                    if v.is_empty() {
                        return fail(r, "thread list");
                    }
                }
                (r, Data::Thread(v))
            }
            b"QUOTA" => {
                let (r, ()) = sp(r)?;
                let (r, root) = self.astring(r)?;
                let (r, ()) = sp(r)?;
                let (r, resources) = self.paren_list(r, true, |i| {
                    let (r, name) = self.atom(i)?;
                    let (r, ()) = sp(r)?;
                    let (r, usage) = number64(r)?;
                    let (r, ()) = sp(r)?;
                    let (r, limit) = number64(r)?;
                    Ok((r, QuotaResource { name, usage, limit }))
                })?;
                (r, Data::Quota { root, resources })
            }
            b"QUOTAROOT" => {
                let (r, ()) = sp(r)?;
                let (mut r, mailbox) = self.mailbox(r)?;
                let mut roots = Vec::new();
                while let Some(x) = r.strip_prefix(b" ") {
                    let (x, a) = self.astring(x)?;
                    roots.push(a);
                    r = x;
                }
                (r, Data::QuotaRoot { mailbox, roots })
            }
            b"VANISHED" => {
                let (r, ()) = sp(r)?;
                let (r, earlier) = match r.get(..9).filter(|p| p.eq_ignore_ascii_case(b"(EARLIER)"))
                {
                    Some(_) => (sp(r.get(9..).unwrap_or_default())?.0, true),
                    None => (r, false),
                };
                let (r, uids) = sequence_set(r)?;
                (r, Data::Vanished { earlier, uids })
            }
            _ => {
                let end = memchr::memchr2(b'\r', b'\n', i).unwrap_or(i.len());
                let raw = i.get(..end).unwrap_or_default();
                return Ok((
                    i.get(end..).unwrap_or_default(),
                    Response::Data(Data::Other(self.bytes(raw))),
                ));
            }
        };
        Ok((data.0, Response::Data(data.1)))
    }

    /// `SP resp-text` after a status word (text optional with the quirk).
    fn status_text(&self, i: &'a [u8]) -> R<'a, RespText> {
        match i.strip_prefix(b" ") {
            Some(r) => self.resp_text(r),
            None if self.opts.quirk_missing_text && i.starts_with(b"\r\n") => {
                Ok((i, RespText::default()))
            }
            None => fail(i, "SP"),
        }
    }

    fn response(&self, i: &'a [u8]) -> R<'a, Response> {
        let (r, resp) = if let Some(r) = i.strip_prefix(b"+") {
            let (r, text) = match r.strip_prefix(b" ") {
                Some(r) => self.resp_text(r)?,
                None if self.opts.quirk_missing_text => (r, RespText::default()),
                None => return fail(r, "SP"),
            };
            (r, Response::Continue(text))
        } else if let Some(r) = i.strip_prefix(b"* ") {
            self.untagged(r)?
        } else {
            let (r, t) = take1(i, chars::is_tag_char, "tag, \"*\" or \"+\"")?;
            let tag = Tag::unvalidated(self.octets(t));
            let (r, ()) = sp(r)?;
            let (r, word) = atom_raw(r)?;
            let kind = if word.eq_ignore_ascii_case(b"OK") {
                StatusKind::Ok
            } else if word.eq_ignore_ascii_case(b"NO") {
                StatusKind::No
            } else if word.eq_ignore_ascii_case(b"BAD") {
                StatusKind::Bad
            } else {
                return fail(r, "OK, NO or BAD");
            };
            let (r, text) = self.status_text(r)?;
            (
                r,
                Response::Status(StatusResponse {
                    tag: Some(tag),
                    kind,
                    text,
                }),
            )
        };
        let (r, ()) = self.end(r)?;
        Ok((r, resp))
    }

    // ----------------------------------------------------------------- commands

    /// One search key, pushed onto `out` (the list it belongs to) by the
    /// function that builds it. Returned in a `Result` and moved into the
    /// list by the caller, the 88-octet key was written in narrow pieces and
    /// read back in wide ones, a read the processor stalls on (perf showed a
    /// third of the list loop's time there). NOT and OR parse their operands
    /// onto `out` and take them back off into their boxes.
    fn search_key(&self, i: &'a [u8], out: &mut Vec<SearchKey>) -> Result<&'a [u8], PE<'a>> {
        if i.first() == Some(&b'(') {
            let mut v = Vec::new();
            let (r, ()) = self.nested(i, |i| {
                let r = self.paren_items(i, false, |i| self.search_key(i, &mut v))?;
                Ok((r, ()))
            })?;
            out.push(SearchKey::And(v));
            return Ok(r);
        }
        if i.first()
            .is_some_and(|&b| b.is_ascii_digit() || b == b'*' || b == b'$')
        {
            let (r, s) = sequence_set(i)?;
            out.push(SearchKey::SequenceSet(s));
            return Ok(r);
        }
        let (r, word) = expect(atom_raw(i), "search key")?;
        let k = self.key(word);
        let n = word.len();
        let astr = |r: &'a [u8]| -> R<'a, AString> {
            let (r, ()) = sp(r)?;
            self.astring(r)
        };
        let date = |r: &'a [u8]| -> R<'a, Date> {
            let (r, ()) = sp(r)?;
            self.date(r)
        };
        // The operand of NOT or OR, parsed onto `out` and taken back off.
        let operand = |r: &'a [u8], out: &mut Vec<SearchKey>| -> R<'a, Box<SearchKey>> {
            let (r, ()) = sp(r)?;
            let (r, ()) = self.nested(r, |r| self.search_key(r, out).map(|r| (r, ())))?;
            match out.pop() {
                Some(k) => Ok((r, Box::new(k))),
                None => fail(r, "search key"),
            }
        };
        let (r, key) = match k {
            key::ALL => (r, SearchKey::All),
            key::ANSWERED => (r, SearchKey::Answered),
            key::DELETED => (r, SearchKey::Deleted),
            key::DRAFT => (r, SearchKey::Draft),
            key::FLAGGED => (r, SearchKey::Flagged),
            key::NEW => (r, SearchKey::New),
            key::OLD => (r, SearchKey::Old),
            key::RECENT => (r, SearchKey::Recent),
            key::SEEN => (r, SearchKey::Seen),
            key::UNANSWERED => (r, SearchKey::Unanswered),
            key::UNDELETED => (r, SearchKey::Undeleted),
            key::UNDRAFT => (r, SearchKey::Undraft),
            key::UNFLAGGED => (r, SearchKey::Unflagged),
            key::UNSEEN => (r, SearchKey::Unseen),
            key::BCC => astr(r).map(|(r, s)| (r, SearchKey::Bcc(s)))?,
            key::BODY => astr(r).map(|(r, s)| (r, SearchKey::Body(s)))?,
            key::CC => astr(r).map(|(r, s)| (r, SearchKey::Cc(s)))?,
            key::FROM => astr(r).map(|(r, s)| (r, SearchKey::From(s)))?,
            key::SUBJECT => astr(r).map(|(r, s)| (r, SearchKey::Subject(s)))?,
            key::TEXT => astr(r).map(|(r, s)| (r, SearchKey::Text(s)))?,
            key::TO => astr(r).map(|(r, s)| (r, SearchKey::To(s)))?,
            key::HEADER => {
                let (r, f) = astr(r)?;
                let (r, v) = astr(r)?;
                (r, SearchKey::Header(f, v))
            }
            key::BEFORE => date(r).map(|(r, d)| (r, SearchKey::Before(d)))?,
            key::ON => date(r).map(|(r, d)| (r, SearchKey::On(d)))?,
            key::SINCE => date(r).map(|(r, d)| (r, SearchKey::Since(d)))?,
            key::SENTBEFORE => date(r).map(|(r, d)| (r, SearchKey::SentBefore(d)))?,
            key::SENTON => date(r).map(|(r, d)| (r, SearchKey::SentOn(d)))?,
            key::SENTSINCE => date(r).map(|(r, d)| (r, SearchKey::SentSince(d)))?,
            key::KEYWORD | key::UNKEYWORD | key::EMAILID | key::THREADID => {
                let (r, ()) = sp(r)?;
                let (r, a) = self.atom(r)?;
                let k = match k {
                    key::KEYWORD => SearchKey::Keyword(a),
                    key::UNKEYWORD => SearchKey::Unkeyword(a),
                    key::EMAILID => SearchKey::EmailId(a),
                    _ => SearchKey::ThreadId(a),
                };
                (r, k)
            }
            key::LARGER | key::SMALLER => {
                let (r, ()) = sp(r)?;
                let (r, v) = number64(r)?;
                (
                    r,
                    if n == 6 {
                        SearchKey::Larger(v)
                    } else {
                        SearchKey::Smaller(v)
                    },
                )
            }
            key::UID => {
                let (r, ()) = sp(r)?;
                let (r, s) = sequence_set(r)?;
                (r, SearchKey::Uid(s))
            }
            key::NOT => {
                let (r, k) = operand(r, out)?;
                (r, SearchKey::Not(k))
            }
            key::OR => {
                let (r, a) = operand(r, out)?;
                let (r, b) = operand(r, out)?;
                (r, SearchKey::Or(a, b))
            }
            key::MODSEQ => {
                let (r, ()) = sp(r)?;
                let (r, entry) = if r.first() == Some(&b'"') {
                    let (r, q) = self.quoted(r)?;
                    let (r, ()) = sp(r)?;
                    let (r, t) = self.atom(r)?;
                    let (r, ()) = sp(r)?;
                    (r, Some((q, t)))
                } else {
                    (r, None)
                };
                let (r, modseq) = number64(r)?;
                (r, SearchKey::ModSeq { entry, modseq })
            }
            _ => return Err(reject(i, "search key")),
        };
        out.push(key);
        Ok(r)
    }

    /// ` key *(SP key)` after the command's fixed part.
    fn search_keys(&self, mut i: &'a [u8]) -> R<'a, Vec<SearchKey>> {
        // Room for eight: growing from four (a first push's capacity) to
        // eight is a reallocation, which costs more than the allocation.
        let mut v = Vec::with_capacity(8);
        while let Some(r) = i.strip_prefix(b" ") {
            if r.starts_with(b"\r\n") {
                break;
            }
            i = self.search_key(r, &mut v)?;
        }
        if v.is_empty() {
            return fail(i, "search key");
        }
        Ok((i, v))
    }

    fn fetch_att(&self, i: &'a [u8]) -> R<'a, FetchAttr> {
        let (r, name) = Self::item_name(i)?;
        let k = self.key(name);
        let n = name.len();
        if let Some(a) = plain_fetch_att(k) {
            return Ok((r, a));
        }
        let a = match k {
            key::BODY | key::BODY_PEEK if r.first() == Some(&b'[') => {
                let (r, section) = self.section(r)?;
                let (r, partial) = partial(r)?;
                return Ok((
                    r,
                    FetchAttr::BodySection {
                        peek: n == 9,
                        section,
                        partial,
                    },
                ));
            }
            key::BODY => FetchAttr::Body,
            key::BINARY | key::BINARY_PEEK => {
                let (r, part) = self.section_binary(r)?;
                let (r, partial) = partial(r)?;
                return Ok((
                    r,
                    FetchAttr::Binary {
                        peek: n == 11,
                        part,
                        partial,
                    },
                ));
            }
            key::BINARY_SIZE => {
                let (r, part) = self.section_binary(r)?;
                return Ok((r, FetchAttr::BinarySize(part)));
            }
            key::BODY_PEEK => return fail(r, "\"[\""),
            _ => FetchAttr::Other(Atom::unvalidated(self.octets(name))),
        };
        Ok((r, a))
    }

    /// One attribute pushed onto `out`. The common ones (a bare name, or
    /// `BODY[section]<partial>`) are built at the push, not returned by
    /// [`Self::fetch_att`] and moved (see [`Self::search_key`] on such
    /// moves); that is why the BODY arm is here as well as there. The rest
    /// (BINARY, bare BODY, unknown names) go through `fetch_att`, which
    /// reads the name again: handing it the name and key already read kept
    /// them alive across the common arms and made the command bench 2.5%
    /// slower (measured), for a path that lists rarely take.
    fn fetch_att_into(&self, i: &'a [u8], out: &mut Vec<FetchAttr>) -> Result<&'a [u8], PE<'a>> {
        let (r, name) = Self::item_name(i)?;
        let k = self.key(name);
        if let Some(a) = plain_fetch_att(k) {
            out.push(a);
            return Ok(r);
        }
        if matches!(k, key::BODY | key::BODY_PEEK) && r.first() == Some(&b'[') {
            let (r, section) = self.section(r)?;
            let (r, partial) = partial(r)?;
            out.push(FetchAttr::BodySection {
                peek: name.len() == 9,
                section,
                partial,
            });
            return Ok(r);
        }
        let (r, a) = self.fetch_att(i)?;
        out.push(a);
        Ok(r)
    }

    fn fetch_attrs(&self, i: &'a [u8]) -> R<'a, FetchAttrs> {
        if i.first() == Some(&b'(') {
            let mut v = Vec::with_capacity(8);
            let r = self.paren_items(i, false, |i| self.fetch_att_into(i, &mut v))?;
            return Ok((r, FetchAttrs::List(v)));
        }
        for (word, m) in [
            ("ALL", FetchMacro::All),
            ("FAST", FetchMacro::Fast),
            ("FULL", FetchMacro::Full),
        ] {
            if let Ok((r, ())) = kw(i, word)
                && !r.first().copied().is_some_and(chars::is_atom_char)
            {
                return Ok((r, FetchAttrs::Macro(m)));
            }
        }
        let (r, a) = self.fetch_att(i)?;
        Ok((r, FetchAttrs::Single(a)))
    }

    fn option_value(&self, i: &'a [u8]) -> (&'a [u8], Option<Value>) {
        match i.strip_prefix(b" ") {
            Some(r) if r.first() == Some(&b'(') || r.first().is_some_and(u8::is_ascii_digit) => {
                match self.value(r) {
                    Ok((r, v)) => (r, Some(v)),
                    Err(_) => (i, None),
                }
            }
            _ => (i, None),
        }
    }

    fn list_option(&self, i: &'a [u8]) -> R<'a, ListOption> {
        let (r, a) = self.atom(i)?;
        let mut buf = [0u8; 24];
        let n = upper(a.as_bytes(), &mut buf);
        let o = match buf.get(..n).unwrap_or_default() {
            b"SUBSCRIBED" => ListOption::Subscribed,
            b"REMOTE" => ListOption::Remote,
            b"RECURSIVEMATCH" => ListOption::RecursiveMatch,
            b"SPECIAL-USE" => ListOption::SpecialUse,
            b"CHILDREN" => ListOption::Children,
            b"STATUS" => {
                let (r, ()) = sp(r)?;
                let (r, v) = self.paren_list(r, false, |i| self.status_att(i))?;
                return Ok((r, ListOption::Status(v)));
            }
            _ => {
                let (r, v) = self.option_value(r);
                return Ok((r, ListOption::Other(a, v)));
            }
        };
        Ok((r, o))
    }

    fn select_params(&self, i: &'a [u8]) -> R<'a, Vec<SelectParam>> {
        let Some(r) = i.strip_prefix(b" ") else {
            return Ok((i, Vec::new()));
        };
        self.paren_list(r, false, |i| {
            let (r, a) = self.atom(i)?;
            if a.eq_ignore_case("CONDSTORE") {
                return Ok((r, SelectParam::CondStore));
            }
            if a.eq_ignore_case("QRESYNC") {
                let (r, ()) = sp(r)?;
                let (r, ()) = lit(r, b"(", "\"(\"")?;
                let (r, uid_validity) = nz_number(r)?;
                let (r, ()) = sp(r)?;
                let (mut r, modseq) = nz_number64(r)?;
                let mut known_uids = None;
                let mut seq_match = None;
                if let Some(x) = r.strip_prefix(b" ")
                    && x.first() != Some(&b'(')
                {
                    let (x, s) = sequence_set(x)?;
                    known_uids = Some(s);
                    r = x;
                }
                if let Some(x) = r.strip_prefix(b" (") {
                    let (x, a) = sequence_set(x)?;
                    let (x, ()) = sp(x)?;
                    let (x, b) = sequence_set(x)?;
                    let (x, ()) = lit(x, b")", "\")\"")?;
                    seq_match = Some((a, b));
                    r = x;
                }
                let (r, ()) = lit(r, b")", "\")\"")?;
                return Ok((
                    r,
                    SelectParam::QResync {
                        uid_validity,
                        modseq,
                        known_uids,
                        seq_match,
                    },
                ));
            }
            let (r, v) = self.option_value(r);
            Ok((r, SelectParam::Other(a, v)))
        })
    }

    /// One message of an APPEND, pushed onto `out` where it is built (see
    /// [`Self::search_key`] on moves).
    fn append_message(
        &self,
        i: &'a [u8],
        out: &mut Vec<AppendMessage>,
    ) -> Result<&'a [u8], PE<'a>> {
        let mut r = i;
        let mut flags = None;
        if r.first() == Some(&b'(') {
            let (x, f) = self.flag_list(r)?;
            flags = Some(f);
            r = sp(x)?.0;
        }
        let mut date = None;
        if r.first() == Some(&b'"') {
            let (x, d) = self.date_time(r)?;
            date = Some(d);
            r = sp(x)?.0;
        }
        let (r, message) = expect(self.literal(r), "literal")?;
        out.push(AppendMessage {
            flags,
            date,
            message,
        });
        Ok(r)
    }

    fn command_body(&self, i: &'a [u8]) -> R<'a, CommandBody> {
        let (mut r, word) = take1(i, chars::is_atom_char, "command name")?;
        let mut k = self.key(word);
        let mut n = word.len();
        // `UID cmd` is dispatched here, not by a nested call: the command
        // value is then built once, where it is returned.
        let mut uid = false;
        if k == key::UID {
            let (at, ()) = sp(r)?;
            let (rest, word) = take1(at, chars::is_atom_char, "UID command")?;
            k = self.key(word);
            n = word.len();
            if !matches!(
                k,
                key::EXPUNGE
                    | key::COPY
                    | key::MOVE
                    | key::FETCH
                    | key::STORE
                    | key::SEARCH
                    | key::SORT
                    | key::THREAD
            ) {
                return fail(
                    at,
                    "COPY, MOVE, FETCH, STORE, SEARCH, SORT, THREAD or EXPUNGE",
                );
            }
            uid = true;
            r = rest;
        }
        let body = match k {
            key::CAPABILITY => (r, CommandBody::Capability),
            key::NOOP => (r, CommandBody::Noop),
            key::LOGOUT => (r, CommandBody::Logout),
            key::STARTTLS => (r, CommandBody::StartTls),
            key::CHECK => (r, CommandBody::Check),
            key::CLOSE => (r, CommandBody::Close),
            key::UNSELECT => (r, CommandBody::Unselect),
            key::EXPUNGE if uid => {
                let (r, ()) = sp(r)?;
                let (r, s) = sequence_set(r)?;
                (r, CommandBody::UidExpunge(s))
            }
            key::EXPUNGE => (r, CommandBody::Expunge),
            key::IDLE => (r, CommandBody::Idle),
            key::NAMESPACE => (r, CommandBody::Namespace),
            key::UNAUTHENTICATE => (r, CommandBody::Unauthenticate),
            key::AUTHENTICATE => {
                let (r, ()) = sp(r)?;
                let (r, mechanism) = self.atom(r)?;
                let (r, initial) = match r.strip_prefix(b" ") {
                    Some(x) => {
                        let (x, ir) = take1(
                            x,
                            |b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='),
                            "initial response",
                        )?;
                        (
                            x,
                            Some(if ir == b"=" {
                                Bytes::new()
                            } else {
                                self.bytes(ir)
                            }),
                        )
                    }
                    None => (r, None),
                };
                (r, CommandBody::Authenticate { mechanism, initial })
            }
            key::LOGIN => {
                let (r, ()) = sp(r)?;
                let (r, username) = self.astring(r)?;
                let (r, ()) = sp(r)?;
                let (r, password) = self.astring(r)?;
                (
                    r,
                    CommandBody::Login {
                        username,
                        password: Secret::new(password),
                    },
                )
            }
            key::ENABLE => {
                let (r, caps) = self.capabilities(r)?;
                if caps.is_empty() {
                    return fail(r, "capability");
                }
                (r, CommandBody::Enable(caps))
            }
            key::SELECT | key::EXAMINE => {
                let (r, ()) = sp(r)?;
                let (r, mailbox) = self.mailbox(r)?;
                let (r, params) = self.select_params(r)?;
                if n == 6 {
                    (r, CommandBody::Select { mailbox, params })
                } else {
                    (r, CommandBody::Examine { mailbox, params })
                }
            }
            key::CREATE => {
                let (r, ()) = sp(r)?;
                let (r, mailbox) = self.mailbox(r)?;
                let (r, special_use) = match r.strip_prefix(b" (") {
                    Some(x) => {
                        let (x, ()) = kw(x, "USE")?;
                        let (x, ()) = sp(x)?;
                        let (x, v) = self.paren_list(x, true, |i| {
                            let (r, ()) = lit(i, b"\\", "use-attr")?;
                            self.atom(r)
                        })?;
                        let (x, ()) = lit(x, b")", "\")\"")?;
                        (x, Some(v))
                    }
                    None => (r, None),
                };
                (
                    r,
                    CommandBody::Create {
                        mailbox,
                        special_use,
                    },
                )
            }
            key::DELETE | key::SUBSCRIBE | key::UNSUBSCRIBE | key::GETQUOTAROOT => {
                let (r, ()) = sp(r)?;
                let (r, m) = self.mailbox(r)?;
                let c = match n {
                    6 => CommandBody::Delete(m),
                    9 => CommandBody::Subscribe(m),
                    11 => CommandBody::Unsubscribe(m),
                    _ => CommandBody::GetQuotaRoot(m),
                };
                (r, c)
            }
            key::RENAME => {
                let (r, ()) = sp(r)?;
                let (r, from) = self.mailbox(r)?;
                let (r, ()) = sp(r)?;
                let (r, to) = self.mailbox(r)?;
                (r, CommandBody::Rename { from, to })
            }
            key::LIST => {
                let (r, ()) = sp(r)?;
                let (r, selection) = if r.first() == Some(&b'(') {
                    let (r, v) = self.paren_list(r, true, |i| self.list_option(i))?;
                    (sp(r)?.0, Some(v))
                } else {
                    (r, None)
                };
                let (r, reference) = self.mailbox(r)?;
                let (r, ()) = sp(r)?;
                let (r, patterns) = if r.first() == Some(&b'(') {
                    let (r, v) = self.paren_list(r, false, |i| self.list_mailbox(i))?;
                    (r, ListPatterns::List(v))
                } else {
                    let (r, p) = self.list_mailbox(r)?;
                    (r, ListPatterns::Single(p))
                };
                let (r, returns) = match r.strip_prefix(b" ") {
                    Some(x) => {
                        let (x, ()) = kw(x, "RETURN")?;
                        let (x, ()) = sp(x)?;
                        let (x, v) = self.paren_list(x, true, |i| self.list_option(i))?;
                        (x, Some(v))
                    }
                    None => (r, None),
                };
                (
                    r,
                    CommandBody::List {
                        selection,
                        reference,
                        patterns,
                        returns,
                    },
                )
            }
            key::LSUB => {
                let (r, ()) = sp(r)?;
                let (r, reference) = self.mailbox(r)?;
                let (r, ()) = sp(r)?;
                let (r, pattern) = self.list_mailbox(r)?;
                (r, CommandBody::Lsub { reference, pattern })
            }
            key::STATUS => {
                let (r, ()) = sp(r)?;
                let (r, mailbox) = self.mailbox(r)?;
                let (r, ()) = sp(r)?;
                let (r, attrs) = self.paren_list(r, false, |i| self.status_att(i))?;
                (r, CommandBody::Status { mailbox, attrs })
            }
            key::APPEND => {
                let (r, ()) = sp(r)?;
                let (mut r, mailbox) = self.mailbox(r)?;
                // One message, unless MULTIAPPEND.
                let mut messages = Vec::with_capacity(1);
                while let Some(x) = r.strip_prefix(b" ") {
                    r = self.append_message(x, &mut messages)?;
                }
                if messages.is_empty() {
                    return fail(r, "SP and message");
                }
                (r, CommandBody::Append { mailbox, messages })
            }
            key::SEARCH => {
                let (mut r, returns) =
                    match r.get(..8).filter(|p| p.eq_ignore_ascii_case(b" RETURN ")) {
                        Some(_) => {
                            let (x, v) =
                                self.paren_list(r.get(8..).unwrap_or_default(), true, |i| {
                                    let (r, a) = self.atom(i)?;
                                    let o = match self.key(a.as_bytes()) {
                                        key::MIN => SearchReturn::Min,
                                        key::MAX => SearchReturn::Max,
                                        key::ALL => SearchReturn::All,
                                        key::COUNT => SearchReturn::Count,
                                        key::SAVE => SearchReturn::Save,
                                        _ => {
                                            let (r, v) = self.option_value(r);
                                            return Ok((r, SearchReturn::Other(a, v)));
                                        }
                                    };
                                    Ok((r, o))
                                })?;
                            (x, Some(v))
                        }
                        None => (r, None),
                    };
                let mut charset = None;
                if let Some(x) = r.get(..9).filter(|p| p.eq_ignore_ascii_case(b" CHARSET ")) {
                    let _ = x;
                    let (x, c) = self.charset(r.get(9..).unwrap_or_default())?;
                    charset = Some(c);
                    r = x;
                }
                let (r, criteria) = self.search_keys(r)?;
                (
                    r,
                    CommandBody::Search {
                        uid,
                        returns,
                        charset,
                        criteria,
                    },
                )
            }
            key::FETCH => {
                let (r, ()) = sp(r)?;
                let (r, set) = sequence_set(r)?;
                let (r, ()) = sp(r)?;
                let (r, attrs) = self.fetch_attrs(r)?;
                let (r, modifiers) = match r.strip_prefix(b" ") {
                    Some(x) => self.paren_list(x, false, |i| {
                        let (r, a) = self.atom(i)?;
                        if a.eq_ignore_case("CHANGEDSINCE") {
                            let (r, ()) = sp(r)?;
                            let (r, v) = number64(r)?;
                            return Ok((r, FetchModifier::ChangedSince(v)));
                        }
                        if a.eq_ignore_case("VANISHED") {
                            return Ok((r, FetchModifier::Vanished));
                        }
                        let (r, v) = self.option_value(r);
                        Ok((r, FetchModifier::Other(a, v)))
                    })?,
                    None => (r, Vec::new()),
                };
                (
                    r,
                    CommandBody::Fetch {
                        uid,
                        set,
                        attrs,
                        modifiers,
                    },
                )
            }
            key::STORE => {
                let (r, ()) = sp(r)?;
                let (r, set) = sequence_set(r)?;
                let (r, ()) = sp(r)?;
                let (r, unchanged_since) = match r.strip_prefix(b"(") {
                    Some(x) => {
                        let (x, ()) = kw(x, "UNCHANGEDSINCE")?;
                        let (x, ()) = sp(x)?;
                        let (x, v) = number64(x)?;
                        let (x, ()) = lit(x, b") ", "\")\" SP")?;
                        (x, Some(v))
                    }
                    None => (r, None),
                };
                let (r, mode) = match r.first() {
                    Some(b'+') => (r.get(1..).unwrap_or_default(), StoreMode::Add),
                    Some(b'-') => (r.get(1..).unwrap_or_default(), StoreMode::Remove),
                    _ => (r, StoreMode::Replace),
                };
                let (r, ()) = kw(r, "FLAGS")?;
                let (r, silent) = opt_kw(r, ".SILENT");
                let (r, ()) = sp(r)?;
                let (r, flags, parenthesized) = if r.first() == Some(&b'(') {
                    let (r, f) = self.flag_list(r)?;
                    (r, f, true)
                } else {
                    let (mut r, first) = self.flag(r)?;
                    let mut f = vec![first];
                    while let Some(x) = r.strip_prefix(b" ") {
                        let (x, fl) = self.flag(x)?;
                        f.push(fl);
                        r = x;
                    }
                    (r, f, false)
                };
                (
                    r,
                    CommandBody::Store {
                        uid,
                        set,
                        unchanged_since,
                        mode,
                        silent,
                        flags,
                        parenthesized,
                    },
                )
            }
            key::COPY | key::MOVE => {
                let (r, ()) = sp(r)?;
                let (r, set) = sequence_set(r)?;
                let (r, ()) = sp(r)?;
                let (r, mailbox) = self.mailbox(r)?;
                if k == key::COPY {
                    (r, CommandBody::Copy { uid, set, mailbox })
                } else {
                    (r, CommandBody::Move { uid, set, mailbox })
                }
            }
            key::ID => {
                let (r, ()) = sp(r)?;
                let (r, p) = self.id_params(r)?;
                (r, CommandBody::Id(p))
            }
            key::SORT => {
                let (r, ()) = sp(r)?;
                let (r, criteria) = self.paren_list(r, false, |i| {
                    let (i, reverse) =
                        match i.get(..8).filter(|p| p.eq_ignore_ascii_case(b"REVERSE ")) {
                            Some(_) => (i.get(8..).unwrap_or_default(), true),
                            None => (i, false),
                        };
                    let (r, key) = self.atom(i)?;
                    Ok((r, SortCriterion { reverse, key }))
                })?;
                let (r, ()) = sp(r)?;
                let (r, charset) = self.charset(r)?;
                let (r, search) = self.search_keys(r)?;
                (
                    r,
                    CommandBody::Sort {
                        uid,
                        criteria,
                        charset,
                        search,
                    },
                )
            }
            key::THREAD => {
                let (r, ()) = sp(r)?;
                let (r, algorithm) = self.atom(r)?;
                let (r, ()) = sp(r)?;
                let (r, charset) = self.charset(r)?;
                let (r, search) = self.search_keys(r)?;
                (
                    r,
                    CommandBody::Thread {
                        uid,
                        algorithm,
                        charset,
                        search,
                    },
                )
            }
            key::GETQUOTA => {
                let (r, ()) = sp(r)?;
                let (r, root) = self.astring(r)?;
                (r, CommandBody::GetQuota(root))
            }
            key::SETQUOTA => {
                let (r, ()) = sp(r)?;
                let (r, root) = self.astring(r)?;
                let (r, ()) = sp(r)?;
                let (r, limits) = self.paren_list(r, true, |i| {
                    let (r, name) = self.atom(i)?;
                    let (r, ()) = sp(r)?;
                    let (r, v) = number64(r)?;
                    Ok((r, (name, v)))
                })?;
                (r, CommandBody::SetQuota { root, limits })
            }
            key::COMPRESS => {
                let (r, ()) = sp(r)?;
                let (r, a) = self.atom(r)?;
                (r, CommandBody::Compress(a))
            }
            _ if !uid => {
                let name = Atom::unvalidated(self.octets(word));
                let (r, arguments) = match r.strip_prefix(b" ") {
                    Some(x) => {
                        let args = x.strip_suffix(b"\r\n").unwrap_or(x);
                        (x.get(args.len()..).unwrap_or_default(), self.bytes(args))
                    }
                    None => (r, Bytes::new()),
                };
                (r, CommandBody::Other { name, arguments })
            }
            _ => return fail(i, "UID command"),
        };
        Ok(body)
    }

    fn command(&self, i: &'a [u8]) -> R<'a, Command> {
        let (r, t) = take1(i, chars::is_tag_char, "tag")?;
        let tag = Tag::unvalidated(self.octets(t));
        let (r, ()) = sp(r)?;
        let (r, body) = self.command_body(r)?;
        let (r, ()) = self.end(r)?;
        Ok((r, Command { tag, body }))
    }
}

/// Parses complete messages with fixed [`ParseOptions`].
#[derive(Debug, Clone, Default)]
pub struct Parser {
    opts: ParseOptions,
}

impl Parser {
    /// A parser with these options.
    pub fn new(opts: ParseOptions) -> Self {
        Self { opts }
    }

    /// The options.
    pub fn options(&self) -> &ParseOptions {
        &self.opts
    }

    fn run<T>(
        &self,
        msg: &[u8],
        shared: Option<&Bytes>,
        f: impl for<'a> FnOnce(&Ctx<'a>, &'a [u8]) -> R<'a, T>,
    ) -> Result<T, ParseError> {
        let ctx = Ctx {
            src: msg,
            shared,
            opts: &self.opts,
            depth: Cell::new(0),
            in_body: Cell::new(false),
        };
        match f(&ctx, msg) {
            Ok((_, v)) => Ok(v),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(ParseError {
                tag: crate::framer::recover_tag(msg),
                offset: msg.len().saturating_sub(e.input.len()),
                expected: e.expected,
            }),
            Err(nom::Err::Incomplete(_)) => Err(ParseError {
                tag: crate::framer::recover_tag(msg),
                offset: msg.len(),
                expected: "more input",
            }),
        }
    }

    /// Parses one complete command (CRLF included).
    #[inline]
    pub fn command(&self, msg: &Bytes) -> Result<Command, ParseError> {
        self.command_in(msg, Some(msg))
    }

    /// Parses one complete command (CRLF included) from a borrowed slice,
    /// such as a message [`crate::framer::Framer::next_in_place`] hands out.
    ///
    /// The result owns its data: values up to 23 octets are kept inline
    /// (as [`Parser::command`] keeps them), longer ones and literals are
    /// copied out of `msg` (where [`Parser::command`] shares its `Bytes`).
    /// A message without literals is at most a line, so the copies are
    /// bounded by [`crate::Limits::max_line_octets`].
    #[inline]
    pub fn command_slice(&self, msg: &[u8]) -> Result<Command, ParseError> {
        self.command_in(msg, None)
    }

    /// The one instance of the command grammar both entry points share.
    fn command_in(&self, msg: &[u8], shared: Option<&Bytes>) -> Result<Command, ParseError> {
        self.run(msg, shared, |c, i| c.command(i))
    }

    /// Parses one complete response (CRLF included).
    pub fn response(&self, msg: &Bytes) -> Result<Response, ParseError> {
        let r = self.run(msg, Some(msg), |c, i| c.response(i));
        r.map_err(|mut e| {
            if e.tag.as_ref().is_some_and(|t| t.as_bytes() == b"*") {
                e.tag = None;
            }
            e
        })
    }
}

/// Whether a line ends IDLE (`DONE` CRLF, case-insensitive).
pub fn idle_done(line: &[u8]) -> bool {
    line.len() == 6
        && line
            .get(..4)
            .is_some_and(|d| d.eq_ignore_ascii_case(b"DONE"))
        && line.get(4..) == Some(b"\r\n")
}

/// A client's line during AUTHENTICATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthLine {
    /// Base64 data, as sent (may be empty).
    Data(Bytes),
    /// `*`: the client cancels the exchange.
    Cancel,
}

/// Parses a client's AUTHENTICATE continuation line (`base64 CRLF` or `* CRLF`).
pub fn auth_line(line: &Bytes) -> Result<AuthLine, ParseError> {
    let err = |offset| ParseError {
        tag: None,
        offset,
        expected: "base64 or \"*\" and CRLF",
    };
    let Some(body) = line.strip_suffix(b"\r\n") else {
        return Err(err(line.len()));
    };
    if body == b"*" {
        return Ok(AuthLine::Cancel);
    }
    if let Some(bad) = body
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
    {
        return Err(err(bad));
    }
    Ok(AuthLine::Data(line.slice(..body.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &[u8]) -> Option<usize> {
        s.iter().position(|&o| chars::is_quoted_stop(o))
    }

    #[test]
    fn find_quoted_stop_agrees_with_a_scan_per_octet() {
        for len in 0..20 {
            for at in 0..len {
                for o in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = o;
                    assert_eq!(find_quoted_stop(&s), scan(&s), "{s:?}");
                }
            }
        }
        // Pairs of awkward octets: control characters that are not stops,
        // octets with the high bit set, and the stops themselves.
        let odd = [
            0, 1, 9, 0x0A, 0x0D, 0x0E, b'"', b'\\', 0x7F, 0x80, 0x8E, 0xA2, 0xDC, 0xFF,
        ];
        for at in 0..17 {
            for at2 in 0..17 {
                for &a in &odd {
                    for &b in &odd {
                        let mut s = vec![b'x'; 17];
                        s[at] = a;
                        s[at2] = b;
                        assert_eq!(find_quoted_stop(&s), scan(&s), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn command_slice_agrees_with_command() {
        let p = Parser::default();
        for wire in [
            &b"a1 NOOP\r\n"[..],
            b"a2 SELECT \"a mailbox name longer than twenty-three octets\"\r\n",
            b"a3 LOGIN {3}\r\njoe \"pw\"\r\n",
            b"a4 XUNKNOWN some arguments that run on for a while\r\n",
            b"a5 UID SEARCH SUBJECT \"a subject of more than twenty-three octets\"\r\n",
        ] {
            let shared = p.command(&Bytes::copy_from_slice(wire)).unwrap();
            assert_eq!(p.command_slice(wire).unwrap(), shared, "{wire:?}");
        }
        for wire in [
            &b"a6 FETCH\r\n"[..],
            b"a7 NOOP \r\n",
            b"* NOOP\r\n",
            b"\r\n",
        ] {
            let shared = p.command(&Bytes::copy_from_slice(wire)).unwrap_err();
            assert_eq!(p.command_slice(wire).unwrap_err(), shared, "{wire:?}");
        }
        let e = p.command_slice(b"a6 FETCH\r\n").unwrap_err();
        assert_eq!(e.tag.as_ref().map(Tag::as_bytes), Some(&b"a6"[..]));
    }

    #[test]
    fn numbers_in_range_only() {
        assert_eq!(number64(b"0)").ok(), Some((&b")"[..], 0)));
        assert_eq!(
            number64(b"9223372036854775807 ").ok(),
            Some((&b" "[..], i64::MAX as u64))
        );
        // Leading zeros count for nothing.
        assert_eq!(
            number64(b"0009223372036854775807").ok(),
            Some((&b""[..], i64::MAX as u64))
        );
        for bad in [
            &b"9223372036854775808"[..],
            b"18446744073709551616",
            b"99999999999999999999999",
        ] {
            let Err(nom::Err::Error(e)) = number64(bad) else {
                panic!("{bad:?}")
            };
            assert_eq!(e.expected, "number in range");
        }
        let Err(nom::Err::Error(e)) = number64(b"x1") else {
            panic!()
        };
        assert_eq!(e.expected, "number");
        assert_eq!(number(b"4294967295").map(|(_, n)| n).ok(), Some(u32::MAX));
        assert!(number(b"4294967296").is_err());
        assert!(nz_number(b"0").is_err());
        assert!(nz_number(b"01").is_err());
        assert_eq!(nz_number(b"10").map(|(_, n)| n.get()).ok(), Some(10));
    }

    #[test]
    fn date_time_closes_at_the_first_quote() {
        let p = Parser::default();
        let append = |dt: &str| {
            let wire = format!("a APPEND x {dt} {{1}}\r\nz\r\n");
            p.command(&Bytes::from(wire.into_bytes()))
        };
        for ok in [
            "\"17-Jul-1996 02:44:25 -0700\"",
            "\" 7-Jul-1996 02:44:25 -0700\"",
            "\"7-Jul-1996 02:44:25 -0700\"",
        ] {
            assert!(append(ok).is_ok(), "{ok}");
        }
        for bad in [
            "\"17-Jul-1996 02:44:25 -0700",
            "\"17-Jul-1996\" 02:44:25 -0700\"",
            "\"17-Jul-1996 02:44:25 -07000\"",
            "\"\"",
        ] {
            assert_eq!(append(bad).unwrap_err().expected, "date-time", "{bad}");
        }
    }

    #[test]
    fn keys_fold_case_and_length_only() {
        let msg = Bytes::from_static(b"a UiD fetch 1 (Body.Peek[HEADER.FIELDS.NOT (x)])\r\n");
        let opts = ParseOptions::default();
        let ctx = Ctx {
            src: &msg,
            shared: Some(&msg),
            opts: &opts,
            depth: Cell::new(0),
            in_body: Cell::new(false),
        };
        let at = |w: &[u8]| {
            let p = msg.windows(w.len()).position(|x| x == w).unwrap();
            &msg[p..p + w.len()]
        };
        // In the message, with a full window after the word and without.
        assert_eq!(ctx.key(at(b"UiD")), key::UID);
        assert_eq!(ctx.key(at(b"fetch")), key::FETCH);
        assert_eq!(ctx.key(at(b"Body.Peek")), key::BODY_PEEK);
        assert_eq!(ctx.key(at(b"x)])")), key::fold(b"x)])"));
        // A prefix of a keyword is not the keyword.
        assert_ne!(ctx.key(at(b"Body")), key::BODY_PEEK);
        assert_eq!(ctx.key(at(b"Body")), key::BODY);
        // Words from elsewhere go through the copy.
        assert_eq!(ctx.key(b"envelope"), key::ENVELOPE);
        assert_eq!(ctx.key(b"RFC822.HEADER"), key::RFC822_HEADER);
        // 16 octets is the most a key holds; longer and empty words match nothing.
        assert_eq!(ctx.key(b"UNAUTHENTICATE"), key::UNAUTHENTICATE);
        assert_eq!(ctx.key(b"abcdefghijklmnop"), key::fold(b"ABCDEFGHIJKLMNOP"));
        assert_eq!(ctx.key(at(b"HEADER.FIELDS.NOT")), 0);
        assert_eq!(ctx.key(b""), 0);
        // Among the octets a scanned word holds (ASTRING-CHAR), folding
        // merges a keyword's octet only with its other case.
        for w in (0..=255u8).filter(|&b| chars::is_astring_char(b)) {
            for c in (0..=255u8).filter(|c| c.is_ascii_alphanumeric() || b".-+=".contains(c)) {
                if w | 0x20 == c | 0x20 {
                    assert!(w.eq_ignore_ascii_case(&c), "{w:#x} {c:#x}");
                }
            }
        }
        let p = Parser::default();
        let c = p.command(&msg).unwrap();
        assert!(matches!(c.body, CommandBody::Fetch { uid: true, .. }));
        // Near misses are other words, not the keyword.
        let c = p
            .command(&Bytes::from_static(b"a UIDX FETCH 1 UID\r\n"))
            .unwrap();
        assert!(
            matches!(c.body, CommandBody::Other { ref name, .. } if name.as_bytes() == b"UIDX")
        );
        assert!(
            p.command(&Bytes::from_static(b"a UID FETCHX 1 UID\r\n"))
                .is_err()
        );
        let c = p
            .command(&Bytes::from_static(b"a FETCH 1 UIDD\r\n"))
            .unwrap();
        assert!(matches!(
            c.body,
            CommandBody::Fetch {
                attrs: FetchAttrs::Single(FetchAttr::Other(_)),
                ..
            }
        ));
    }

    #[test]
    fn uid_commands_dispatch_and_errors() {
        let p = Parser::default();
        let cmd = |s: &'static [u8]| p.command(&Bytes::from_static(s));
        let ok = cmd(b"a UID EXPUNGE 3000:3002\r\n").unwrap();
        assert!(matches!(ok.body, CommandBody::UidExpunge(_)));
        let ok = cmd(b"a EXPUNGE\r\n").unwrap();
        assert_eq!(ok.body, CommandBody::Expunge);
        let ok = cmd(b"a uid fetch 1 UID\r\n").unwrap();
        assert!(matches!(ok.body, CommandBody::Fetch { uid: true, .. }));
        let ok = cmd(b"a FETCH 1 UID\r\n").unwrap();
        assert!(matches!(ok.body, CommandBody::Fetch { uid: false, .. }));
        for (line, offset, expected) in [
            (
                &b"a UID NOOP\r\n"[..],
                6,
                "COPY, MOVE, FETCH, STORE, SEARCH, SORT, THREAD or EXPUNGE",
            ),
            (
                b"a UID UID FETCH 1 UID\r\n",
                6,
                "COPY, MOVE, FETCH, STORE, SEARCH, SORT, THREAD or EXPUNGE",
            ),
            (b"a UID\r\n", 5, "SP"),
            (b"a UID (\r\n", 6, "UID command"),
            (b"a UID EXPUNGE\r\n", 13, "SP"),
        ] {
            let e = p.command(&Bytes::from_static(line)).unwrap_err();
            assert_eq!((e.offset, e.expected), (offset, expected), "{line:?}");
            assert_eq!(e.tag.as_ref().map(Tag::as_bytes), Some(&b"a"[..]));
        }
    }
}
