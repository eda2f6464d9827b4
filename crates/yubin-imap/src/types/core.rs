//! Validated building blocks: tags, atoms, strings, numbers, sequence sets, dates.

use std::fmt;
use std::num::NonZeroU32;

use bytes::Bytes;

use super::TypeError;

/// Character classes of the IMAP grammar (RFC 9051 §9).
pub(crate) mod chars {
    const ATOM: u8 = 1;
    const ASTRING: u8 = 2;
    const TAG: u8 = 4;
    const LIST: u8 = 8;
    const QUOTED_STOP: u8 = 16;
    const ITEM: u8 = 32;
    const SECTION_WORD: u8 = 64;
    const DATE: u8 = 128;

    /// `ATOM-CHAR`: any CHAR except atom-specials (the definition the
    /// table is built from).
    const fn atom_def(b: u8) -> bool {
        matches!(b, 0x21..=0x7e)
            && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
    }

    /// The classes of every octet, one bit each: the parser's scanning loops
    /// test a bit of one load instead of a chain of comparisons.
    // Indexing in a const initialiser: a bad index fails the build, not a peer.
    #[allow(clippy::indexing_slicing)]
    static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            let b = i as u8;
            let atom = atom_def(b);
            let astring = atom || b == b']';
            let mut c = 0;
            if atom {
                c |= ATOM;
            }
            if astring {
                c |= ASTRING;
            }
            if astring && b != b'+' {
                c |= TAG;
            }
            if astring || b == b'%' || b == b'*' {
                c |= LIST;
            }
            if matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0) {
                c |= QUOTED_STOP;
            }
            if atom && b != b'[' && b != b'<' {
                c |= ITEM;
            }
            if b.is_ascii_alphabetic() || b == b'.' {
                c |= SECTION_WORD;
            }
            if b.is_ascii_alphanumeric() || b == b'-' {
                c |= DATE;
            }
            t[i] = c;
            i += 1;
        }
        t
    };

    #[inline]
    fn class(b: u8) -> u8 {
        CLASS.get(usize::from(b)).copied().unwrap_or(0)
    }

    /// `ATOM-CHAR`: any CHAR except atom-specials.
    #[inline]
    pub(crate) fn is_atom_char(b: u8) -> bool {
        class(b) & ATOM != 0
    }
    /// `ASTRING-CHAR`: ATOM-CHAR or `]`.
    #[inline]
    pub(crate) fn is_astring_char(b: u8) -> bool {
        class(b) & ASTRING != 0
    }
    /// A `tag` character: ASTRING-CHAR except `+`.
    #[inline]
    pub(crate) fn is_tag_char(b: u8) -> bool {
        class(b) & TAG != 0
    }
    /// `list-char`: ATOM-CHAR, list-wildcards or resp-specials.
    #[inline]
    pub(crate) fn is_list_char(b: u8) -> bool {
        class(b) & LIST != 0
    }
    /// An octet a quoted string cannot simply contain: `"`, `\\`, CR, LF, NUL.
    #[inline]
    pub(crate) fn is_quoted_stop(b: u8) -> bool {
        class(b) & QUOTED_STOP != 0
    }
    /// A fetch item name's character: ATOM-CHAR except `[` and `<`, which
    /// open its section and partial range.
    #[inline]
    pub(crate) fn is_item_char(b: u8) -> bool {
        class(b) & ITEM != 0
    }
    /// A section text word's character (`HEADER.FIELDS`): a letter or `.`.
    #[inline]
    pub(crate) fn is_section_word_char(b: u8) -> bool {
        class(b) & SECTION_WORD != 0
    }
    /// A date's character as scanned before it is checked: a letter, a
    /// digit or `-`.
    #[inline]
    pub(crate) fn is_date_char(b: u8) -> bool {
        class(b) & DATE != 0
    }
    /// `TEXT-CHAR` plus 8-bit octets (UTF-8 text): anything but CR, LF, NUL.
    pub(crate) const fn is_text_char(b: u8) -> bool {
        !matches!(b, b'\r' | b'\n' | 0)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn table_agrees_with_the_grammar() {
            for b in 0..=255u8 {
                let atom = atom_def(b);
                assert_eq!(is_atom_char(b), atom, "{b:#x}");
                assert_eq!(is_astring_char(b), atom || b == b']', "{b:#x}");
                assert_eq!(is_tag_char(b), (atom || b == b']') && b != b'+', "{b:#x}");
                assert_eq!(
                    is_list_char(b),
                    atom || matches!(b, b']' | b'%' | b'*'),
                    "{b:#x}"
                );
                assert_eq!(
                    is_quoted_stop(b),
                    matches!(b, b'"' | b'\\' | b'\r' | b'\n' | 0),
                    "{b:#x}"
                );
                assert_eq!(is_item_char(b), atom && !matches!(b, b'[' | b'<'));
                assert_eq!(
                    is_section_word_char(b),
                    b.is_ascii_alphabetic() || b == b'.'
                );
                assert_eq!(is_date_char(b), b.is_ascii_alphanumeric() || b == b'-');
            }
        }
    }
}

/// Longest value [`Octets`] keeps inline (the most that fits beside the
/// discriminant in the space of a [`Bytes`]).
const INLINE: usize = 23;

/// The octets of a short token or string kept inline, or a longer one as a
/// shared [`Bytes`].
///
/// Tags, atoms, short quoted strings and dates are a few octets long. Copying
/// them costs less than sharing a slice of the receive buffer, whose clone
/// and drop are each an atomic reference count update (and whose drop is an
/// indirect call). Literals stay shared slices: they are the payloads that
/// must not be copied.
#[derive(Clone)]
pub(crate) enum Octets {
    /// Up to [`INLINE`] octets in place.
    Inline(Inline),
    /// A longer value, or one handed in as `Bytes`.
    Shared(Bytes),
}

/// An inline value: its octets, then octets that are not part of it, and
/// its length in the last octet.
///
/// Word-aligned and built a word at a time: a value written as a length
/// octet beside a run of copied octets is read back by word-wide moves that
/// span both stores, which the CPU cannot forward and must wait out.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub(crate) struct Inline([u8; INLINE + 1]);

impl Octets {
    /// Longest value kept inline.
    pub(crate) const INLINE: usize = INLINE;

    /// The first `len` octets of `window` inline (the rest are carried
    /// along unread); `None` when `window` is not [`INLINE`] octets long or
    /// `len` exceeds it.
    #[inline]
    pub(crate) fn window(window: &[u8], len: usize) -> Option<Self> {
        let word = |at: usize| -> Option<u64> {
            Some(u64::from_le_bytes(window.get(at..at + 8)?.try_into().ok()?))
        };
        if window.len() != INLINE || len > INLINE {
            return None;
        }
        let (a, b) = (word(0)?, word(8)?);
        // Octets 16..23, shifted down one, under the length.
        let c = (word(15)? >> 8) | ((len as u64) << 56);
        let mut buf = [0u8; INLINE + 1];
        for (dst, w) in buf.chunks_exact_mut(8).zip([a, b, c]) {
            dst.copy_from_slice(&w.to_le_bytes());
        }
        Some(Self::Inline(Inline(buf)))
    }

    /// `b` inline when it fits.
    ///
    /// Built a word at a time, like [`Octets::window`], from overlapping
    /// loads of `b` (no `memcpy` into the buffer).
    #[inline]
    pub(crate) fn short(b: &[u8]) -> Option<Self> {
        // Most values are a few octets: load only the words they reach.
        let (w0, w1, w2) = match b.len() {
            0..=8 => (le_word(b), 0, 0),
            9..=16 => {
                let (x, y) = b.split_at(8);
                (le_word(x), le_word(y), 0)
            }
            17..=INLINE => {
                let (x, rest) = b.split_at(8);
                let (y, z) = rest.split_at(8);
                (le_word(x), le_word(y), le_word(z))
            }
            _ => return None,
        };
        let c = w2 | ((b.len() as u64) << 56);
        let mut buf = [0u8; INLINE + 1];
        for (dst, w) in buf.chunks_exact_mut(8).zip([w0, w1, c]) {
            dst.copy_from_slice(&w.to_le_bytes());
        }
        Some(Self::Inline(Inline(buf)))
    }

    /// The value's octets.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Self::Inline(Inline(buf)) => {
                let len = buf.last().copied().unwrap_or(0);
                buf.get(..usize::from(len)).unwrap_or_default()
            }
            Self::Shared(b) => b,
        }
    }

    /// The value as `Bytes`: a shared value's handle, an inline one's copy.
    pub(crate) fn to_bytes(&self) -> Bytes {
        match self {
            Self::Inline(_) => Bytes::copy_from_slice(self.as_slice()),
            Self::Shared(b) => b.clone(),
        }
    }
}

/// Up to 8 octets as a little-endian word, zero-extended, from at most
/// three loads (the first and last four octets overlap, as do the first,
/// middle and last of three or fewer).
#[inline]
pub(crate) fn le_word(b: &[u8]) -> u64 {
    let n = b.len();
    let u32_at = |at: usize| -> u64 {
        b.get(at..at + 4)
            .and_then(|w| w.try_into().ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let byte = |at: usize| b.get(at).copied().map_or(0, u64::from);
    match n {
        8.. => b
            .get(..8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes),
        4..=7 => u32_at(0) | (u32_at(n - 4) << (8 * (n - 4))),
        1..=3 => byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1))),
        0 => 0,
    }
}

impl Default for Octets {
    fn default() -> Self {
        Self::Inline(Inline([0; INLINE + 1]))
    }
}

impl From<Bytes> for Octets {
    /// Keeps the handle: a caller's `Bytes` is not copied, whatever its length.
    fn from(b: Bytes) -> Self {
        Self::Shared(b)
    }
}

impl std::ops::Deref for Octets {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Octets {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Octets {}

impl fmt::Debug for Octets {
    /// As `Bytes` prints: `b"..."` with non-printing octets escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.as_slice().escape_ascii())
    }
}

impl std::hash::Hash for Octets {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` and `Bytes` hash, whichever way the value is stored.
        self.as_slice().hash(state);
    }
}

macro_rules! bytes_newtype_common {
    ($name:ident) => {
        impl $name {
            /// The bytes of this value (without any quoting).
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }
            /// The bytes of this value as [`Bytes`]: shared when the value
            /// is, copied when it is short enough to be kept inline.
            pub fn to_bytes(&self) -> Bytes {
                self.0.to_bytes()
            }
            /// Wraps `bytes` without validation; for the parser, which has checked the grammar.
            #[allow(dead_code)]
            pub(crate) fn unvalidated(bytes: impl Into<Octets>) -> Self {
                Self(bytes.into())
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "{}({:?})",
                    stringify!($name),
                    String::from_utf8_lossy(&self.0)
                )
            }
        }
        impl TryFrom<&str> for $name {
            type Error = TypeError;
            fn try_from(s: &str) -> Result<Self, TypeError> {
                Self::new(Bytes::copy_from_slice(s.as_bytes()))
            }
        }
    };
}

/// A command tag (`tag = 1*<any ASTRING-CHAR except "+">`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Tag(Octets);
bytes_newtype_common!(Tag);

impl Tag {
    /// Validates `bytes` as a tag.
    pub fn new(bytes: Bytes) -> Result<Self, TypeError> {
        if !bytes.is_empty() && bytes.iter().all(|&b| chars::is_tag_char(b)) {
            Ok(Self(bytes.into()))
        } else {
            Err(TypeError::Tag)
        }
    }
}

/// An `atom` (`1*ATOM-CHAR`); compared case-sensitively.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Atom(Octets);
bytes_newtype_common!(Atom);

impl Atom {
    /// Validates `bytes` as an atom.
    pub fn new(bytes: Bytes) -> Result<Self, TypeError> {
        if !bytes.is_empty() && bytes.iter().all(|&b| chars::is_atom_char(b)) {
            Ok(Self(bytes.into()))
        } else {
            Err(TypeError::Atom)
        }
    }
    /// Whether this atom equals `s`, ignoring ASCII case.
    pub fn eq_ignore_case(&self, s: &str) -> bool {
        self.0.eq_ignore_ascii_case(s.as_bytes())
    }
}

/// The atom form of an `astring` (`1*ASTRING-CHAR`, which admits `]`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AstringAtom(Octets);
bytes_newtype_common!(AstringAtom);

impl AstringAtom {
    /// Validates `bytes` as `1*ASTRING-CHAR`.
    pub fn new(bytes: Bytes) -> Result<Self, TypeError> {
        if !bytes.is_empty() && bytes.iter().all(|&b| chars::is_astring_char(b)) {
            Ok(Self(bytes.into()))
        } else {
            Err(TypeError::Atom)
        }
    }
}

/// The content of a `quoted` string, unescaped: no CR, LF or NUL.
///
/// 8-bit content is UTF-8 under IMAP4rev2 / UTF8=ACCEPT; the type does not
/// check the encoding, so a rev1 peer's raw 8-bit bytes round-trip.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Quoted(Octets);
bytes_newtype_common!(Quoted);

impl Quoted {
    /// Validates `bytes` as quotable content.
    pub fn new(bytes: Bytes) -> Result<Self, TypeError> {
        if bytes.iter().all(|&b| chars::is_text_char(b)) {
            Ok(Self(bytes.into()))
        } else {
            Err(TypeError::Quoted)
        }
    }
}

/// How a literal is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiteralMode {
    /// `{n}`: the sender waits for a `+` continuation (client side).
    Sync,
    /// `{n+}`: LITERAL+ / LITERAL- (RFC 7888), no wait. Clients only.
    NonSync,
}

/// A `literal` (`{n}`) or, when `binary`, a `literal8` (`~{n}`, RFC 3516).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Literal {
    data: Bytes,
    mode: LiteralMode,
    binary: bool,
}

impl Literal {
    /// A synchronising, non-binary literal; `data` must not contain NUL.
    pub fn new(data: Bytes) -> Result<Self, TypeError> {
        Self::with_mode(data, LiteralMode::Sync, false)
    }
    /// A literal with an explicit mode; a `binary` literal8 may hold any octet.
    pub fn with_mode(data: Bytes, mode: LiteralMode, binary: bool) -> Result<Self, TypeError> {
        if !binary && memchr::memchr(0, &data).is_some() {
            return Err(TypeError::LiteralNul);
        }
        Ok(Self { data, mode, binary })
    }
    pub(crate) fn unvalidated(data: Bytes, mode: LiteralMode, binary: bool) -> Self {
        Self { data, mode, binary }
    }
    /// The literal's octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }
    /// The literal's octets as a cheaply cloned [`Bytes`].
    pub fn to_bytes(&self) -> Bytes {
        self.data.clone()
    }
    /// How it is announced.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }
    /// Whether it is a `literal8` (`~{n}`).
    pub fn is_binary(&self) -> bool {
        self.binary
    }
}

impl fmt::Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Literal")
            .field("len", &self.data.len())
            .field("mode", &self.mode)
            .field("binary", &self.binary)
            .finish()
    }
}

/// Longest content [`IString::from_bytes`] and friends put in a quoted string.
const MAX_AUTO_QUOTED: usize = 1024;

/// A `string`: `quoted` or `literal`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IString {
    /// `"..."`.
    Quoted(Quoted),
    /// `{n}\r\n...` (or `~{n}` for literal8).
    Literal(Literal),
}

impl IString {
    /// Chooses quoted (short text) or a synchronising literal by content.
    pub fn from_bytes(bytes: Bytes) -> Result<Self, TypeError> {
        if bytes.len() <= MAX_AUTO_QUOTED && bytes.iter().all(|&b| chars::is_text_char(b)) {
            Ok(Self::Quoted(Quoted(bytes.into())))
        } else {
            Ok(Self::Literal(Literal::new(bytes)?))
        }
    }
    /// The content octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Quoted(q) => q.as_bytes(),
            Self::Literal(l) => l.as_bytes(),
        }
    }
    /// The content octets as [`Bytes`] (see [`Quoted::to_bytes`]).
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Self::Quoted(q) => q.to_bytes(),
            Self::Literal(l) => l.to_bytes(),
        }
    }
}

impl TryFrom<&str> for IString {
    type Error = TypeError;
    fn try_from(s: &str) -> Result<Self, TypeError> {
        Self::from_bytes(Bytes::copy_from_slice(s.as_bytes()))
    }
}

/// An `astring`: atom form or a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AString {
    /// `1*ASTRING-CHAR`.
    Atom(AstringAtom),
    /// A quoted string or literal.
    String(IString),
}

impl AString {
    /// Chooses atom, quoted or literal by content (cheapest first).
    pub fn from_bytes(bytes: Bytes) -> Result<Self, TypeError> {
        if !bytes.is_empty()
            && bytes.iter().all(|&b| chars::is_astring_char(b))
            && !bytes.eq_ignore_ascii_case(b"NIL")
        {
            Ok(Self::Atom(AstringAtom(bytes.into())))
        } else {
            Ok(Self::String(IString::from_bytes(bytes)?))
        }
    }
    /// The content octets.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Atom(a) => a.as_bytes(),
            Self::String(s) => s.as_bytes(),
        }
    }
    /// The content octets as [`Bytes`] (see [`Quoted::to_bytes`]).
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Self::Atom(a) => a.to_bytes(),
            Self::String(s) => s.to_bytes(),
        }
    }
}

impl TryFrom<&str> for AString {
    type Error = TypeError;
    fn try_from(s: &str) -> Result<Self, TypeError> {
        Self::from_bytes(Bytes::copy_from_slice(s.as_bytes()))
    }
}

/// An `nstring`: a string or `NIL` (`None`).
pub type NString = Option<IString>;

/// Text after a status response or continuation (`text`): no CR, LF or NUL.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(Octets);
bytes_newtype_common!(Text);

impl Text {
    /// Validates `bytes` as response text (may be empty).
    pub fn new(bytes: Bytes) -> Result<Self, TypeError> {
        if bytes.iter().all(|&b| chars::is_text_char(b)) {
            Ok(Self(bytes.into()))
        } else {
            Err(TypeError::Text)
        }
    }
}

/// A password or other secret astring; its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(AString);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: AString) -> Self {
        Self(value)
    }
    /// The secret itself (handle with care).
    pub fn expose(&self) -> &AString {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A mailbox name as sent (`mailbox = "INBOX" / astring`).
///
/// Equality treats every case variant of `INBOX` as the same mailbox
/// (RFC 9051 §5.1); other names compare byte for byte. The bytes are modified
/// UTF-7 (see [`crate::utf7`]) unless UTF8=ACCEPT is enabled.
#[derive(Debug, Clone)]
pub struct Mailbox(AString);

impl Mailbox {
    /// A mailbox name from its wire form.
    pub fn new(name: AString) -> Self {
        Self(name)
    }
    /// `INBOX`.
    pub fn inbox() -> Self {
        Self(AString::Atom(AstringAtom(
            Bytes::from_static(b"INBOX").into(),
        )))
    }
    /// A mailbox from a Unicode name, encoded in modified UTF-7.
    pub fn from_utf8_name(name: &str) -> Self {
        let encoded = crate::utf7::encode(name);
        // Modified UTF-7 output is printable ASCII: never fails.
        match AString::from_bytes(Bytes::from(encoded.into_bytes())) {
            Ok(a) => Self(a),
            Err(_) => Self::inbox(),
        }
    }
    /// Whether this is INBOX (any case).
    pub fn is_inbox(&self) -> bool {
        self.0.as_bytes().eq_ignore_ascii_case(b"INBOX")
    }
    /// The name as sent on the wire.
    pub fn as_astring(&self) -> &AString {
        &self.0
    }
    /// The wire bytes of the name.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
    /// The name decoded from modified UTF-7.
    pub fn decode_utf7(&self) -> Result<String, crate::utf7::Utf7Error> {
        crate::utf7::decode(self.0.as_bytes())
    }
}

impl PartialEq for Mailbox {
    fn eq(&self, other: &Self) -> bool {
        (self.is_inbox() && other.is_inbox()) || self.0 == other.0
    }
}
impl Eq for Mailbox {}

impl std::hash::Hash for Mailbox {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if self.is_inbox() {
            b"INBOX".hash(state);
        } else {
            self.0.hash(state);
        }
    }
}

impl TryFrom<&str> for Mailbox {
    type Error = TypeError;
    fn try_from(s: &str) -> Result<Self, TypeError> {
        Ok(Self(AString::try_from(s)?))
    }
}

/// A `seq-number`: a non-zero number or `*` (the largest in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNo {
    /// A message sequence number or UID.
    Value(NonZeroU32),
    /// `*`.
    Largest,
}

/// One element of a sequence set: a number or a range (in either order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqRange {
    /// `n`.
    Single(SeqNo),
    /// `a:b`.
    Range(SeqNo, SeqNo),
}

/// A `sequence-set`, or `$` (the saved search result, RFC 5182 / RFC 9051).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SequenceSet {
    /// `$`.
    Saved,
    /// Comma-separated numbers and ranges; never empty.
    Set(SeqRanges),
}

impl SequenceSet {
    /// A set from its elements; `Err` when empty.
    pub fn new(ranges: Vec<SeqRange>) -> Result<Self, TypeError> {
        SeqRanges::new(ranges).map(Self::Set)
    }
    /// A single number.
    pub fn single(n: NonZeroU32) -> Self {
        Self::Set(SeqRanges::one(SeqRange::Single(SeqNo::Value(n))))
    }
    /// `a:b`.
    pub fn range(a: SeqNo, b: SeqNo) -> Self {
        Self::Set(SeqRanges::one(SeqRange::Range(a, b)))
    }
}

/// The elements of a [`SequenceSet`], never empty; read them as a slice.
///
/// One or two elements (`1:*`, `42`, `1:100,200:*`: most sets) are kept
/// in place, without the allocation a `Vec` costs.
#[derive(Clone)]
pub struct SeqRanges(RangesRepr);

#[derive(Clone)]
enum RangesRepr {
    One(SeqRange),
    Two([SeqRange; 2]),
    Many(Vec<SeqRange>),
}

impl SeqRanges {
    /// The elements of a set; `Err` when empty.
    pub fn new(ranges: Vec<SeqRange>) -> Result<Self, TypeError> {
        match ranges.as_slice() {
            [] => Err(TypeError::EmptySet),
            [one] => Ok(Self::one(*one)),
            [a, b] => Ok(Self::two(*a, *b)),
            _ => Ok(Self(RangesRepr::Many(ranges))),
        }
    }
    /// A set of one element.
    pub fn one(range: SeqRange) -> Self {
        Self(RangesRepr::One(range))
    }
    /// A set of two elements.
    pub fn two(a: SeqRange, b: SeqRange) -> Self {
        Self(RangesRepr::Two([a, b]))
    }
    /// The elements.
    pub fn as_slice(&self) -> &[SeqRange] {
        match &self.0 {
            RangesRepr::One(r) => std::slice::from_ref(r),
            RangesRepr::Two(two) => two,
            RangesRepr::Many(v) => v,
        }
    }
    /// The elements as a `Vec`.
    pub fn into_vec(self) -> Vec<SeqRange> {
        match self.0 {
            RangesRepr::One(r) => vec![r],
            RangesRepr::Two(two) => two.to_vec(),
            RangesRepr::Many(v) => v,
        }
    }
}

impl std::ops::Deref for SeqRanges {
    type Target = [SeqRange];
    fn deref(&self) -> &[SeqRange] {
        self.as_slice()
    }
}

impl<'s> IntoIterator for &'s SeqRanges {
    type Item = &'s SeqRange;
    type IntoIter = std::slice::Iter<'s, SeqRange>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl IntoIterator for SeqRanges {
    type Item = SeqRange;
    type IntoIter = std::vec::IntoIter<SeqRange>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl PartialEq for SeqRanges {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SeqRanges {}

impl std::hash::Hash for SeqRanges {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for SeqRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The months, in order, as `date-month` spells them.
pub(crate) const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The number (1–12) of a three-letter month name in any case: the name
/// folded into one word and compared with each month's, where comparing
/// slices ignoring case took a loop per month.
fn month_number(mon: &[u8]) -> Option<u8> {
    let fold = |m: &[u8]| -> Option<u32> {
        let [a, b, c]: [u8; 3] = m.try_into().ok()?;
        Some(u32::from_le_bytes([a, b, c, 0]) | 0x0020_2020)
    };
    // An octet folds onto a lowercase letter only from that letter or its
    // capital, so a name matches exactly when it equals a month ignoring
    // ASCII case (see the test).
    let m = fold(mon)?;
    MONTHS
        .iter()
        .position(|name| fold(name.as_slice()) == Some(m))
        .and_then(|p| u8::try_from(p + 1).ok())
}

/// A `date-time` (`"dd-Mon-yyyy hh:mm:ss +zzzz"`), kept as sent.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime(Octets);
bytes_newtype_common!(DateTime);

/// The fields of a [`DateTime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTimeParts {
    /// Day of month, 1–31.
    pub day: u8,
    /// Month, 1–12.
    pub month: u8,
    /// Year, four digits.
    pub year: u16,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Zone offset from UTC in minutes (e.g. -0700 → -420).
    pub zone_minutes: i16,
}

impl DateTime {
    /// Validates the unquoted text of a date-time (`dd-Mon-yyyy hh:mm:ss +zzzz`,
    /// day as two digits, space-padded, or a single digit).
    pub fn new(bytes: Bytes) -> Result<Self, TypeError> {
        Self::parse_parts(&bytes).ok_or(TypeError::DateTime)?;
        Ok(Self(bytes.into()))
    }
    pub(crate) fn valid(b: &[u8]) -> bool {
        Self::parse_parts(b).is_some()
    }
    /// Formats a date-time from its fields (day space-padded, as servers send).
    pub fn from_parts(p: DateTimeParts) -> Result<Self, TypeError> {
        let month = p
            .month
            .checked_sub(1)
            .and_then(|m| MONTHS.get(usize::from(m)))
            .ok_or(TypeError::DateTime)?;
        let month = std::str::from_utf8(*month).map_err(|_| TypeError::DateTime)?;
        let (sign, zone) = if p.zone_minutes < 0 {
            ('-', -i32::from(p.zone_minutes))
        } else {
            ('+', i32::from(p.zone_minutes))
        };
        let s = format!(
            "{:>2}-{}-{:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            p.day,
            month,
            p.year,
            p.hour,
            p.minute,
            p.second,
            sign,
            zone / 60,
            zone % 60
        );
        Self::new(Bytes::from(s))
    }
    /// The fields.
    pub fn parts(&self) -> DateTimeParts {
        // Validated at construction; the fallback is unreachable.
        Self::parse_parts(&self.0).unwrap_or(DateTimeParts {
            day: 1,
            month: 1,
            year: 1970,
            hour: 0,
            minute: 0,
            second: 0,
            zone_minutes: 0,
        })
    }
    fn parse_parts(b: &[u8]) -> Option<DateTimeParts> {
        // Everything after the day is at a fixed place: the day is two
        // octets (the first a digit or a space) or one.
        let (d1, rest) = match b.len() {
            26 => b.split_first().map(|(&d1, rest)| (d1, rest))?,
            25 => (b' ', b),
            _ => return None,
        };
        let rest: &[u8; 25] = rest.try_into().ok()?;
        let &[
            d2,
            b'-',
            m1,
            m2,
            m3,
            b'-',
            y1,
            y2,
            y3,
            y4,
            b' ',
            h1,
            h2,
            b':',
            n1,
            n2,
            b':',
            s1,
            s2,
            b' ',
            sign,
            z1,
            z2,
            z3,
            z4,
        ] = rest
        else {
            return None;
        };
        let digits = [d2, y1, y2, y3, y4, h1, h2, n1, n2, s1, s2, z1, z2, z3, z4];
        if digits.iter().any(|d| !d.is_ascii_digit()) || !(d1 == b' ' || d1.is_ascii_digit()) {
            return None;
        }
        let num = |a: u8, b: u8| (a - b'0') * 10 + (b - b'0');
        let day = num(if d1 == b' ' { b'0' } else { d1 }, d2);
        let month = month_number(&[m1, m2, m3])?;
        let year = u16::from(num(y1, y2)) * 100 + u16::from(num(y3, y4));
        let (hour, minute, second) = (num(h1, h2), num(n1, n2), num(s1, s2));
        let zone = i16::from(num(z1, z2)) * 60 + i16::from(num(z3, z4));
        let zone_minutes = match sign {
            b'+' => zone,
            b'-' => -zone,
            _ => return None,
        };
        if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        Some(DateTimeParts {
            day,
            month,
            year,
            hour,
            minute,
            second,
            zone_minutes,
        })
    }
}

/// A search `date` (`d-Mon-yyyy`), kept as sent, optionally quoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Date {
    text: Octets,
    quoted: bool,
}

impl Date {
    /// Validates `date-text` (`1*2DIGIT "-" date-month "-" 4DIGIT`, month in any case).
    pub fn new(text: Bytes, quoted: bool) -> Result<Self, TypeError> {
        if Self::valid(&text) {
            Ok(Self {
                text: text.into(),
                quoted,
            })
        } else {
            Err(TypeError::Date)
        }
    }
    pub(crate) fn unvalidated(text: Octets, quoted: bool) -> Self {
        Self { text, quoted }
    }
    pub(crate) fn valid(b: &[u8]) -> bool {
        // The day is one or two digits, so the first dash is second or third.
        let dash = match b.get(..3) {
            Some([_, b'-', _]) => 1,
            Some([_, _, b'-']) => 2,
            _ => return false,
        };
        let (Some(day), Some(rest)) = (b.get(..dash), b.get(dash + 1..)) else {
            return false;
        };
        if day.is_empty() || day.len() > 2 || !day.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let Some((mon, rest)) = rest.split_at_checked(3) else {
            return false;
        };
        month_number(mon).is_some()
            && rest.len() == 5
            && rest.first() == Some(&b'-')
            && rest.iter().skip(1).all(u8::is_ascii_digit)
    }
    /// The `date-text`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }
    /// Whether it was sent in double quotes.
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }
}

#[cfg(test)]
mod octets_tests {
    use super::*;

    #[test]
    fn month_numbers_ignore_case_only() {
        for (i, m) in MONTHS.iter().enumerate() {
            let lower = m.to_ascii_lowercase();
            let upper = m.to_ascii_uppercase();
            for v in [&m[..], &lower, &upper] {
                assert_eq!(month_number(v), Some(i as u8 + 1));
            }
        }
        for bad in [
            &b"Ja"[..],
            b"Janu",
            b"J\x01n",
            b"Jan\0",
            b"",
            b"J@n",
            b"JAn ",
        ] {
            assert_eq!(month_number(bad), None, "{bad:?}");
        }
        // Every three-octet word the fold accepts is a month in some case.
        for a in 0..=255u8 {
            for b in [b'a', b'A', 0x01, b'@'] {
                let w = [a, b, b'n'];
                if month_number(&w).is_some() {
                    assert!(MONTHS.iter().any(|m| m.eq_ignore_ascii_case(&w)), "{w:?}");
                }
            }
        }
    }

    /// The date-time grammar written out field by field, as the parser
    /// had it before it read the fields at their fixed places.
    fn parts_by_fields(b: &[u8]) -> Option<DateTimeParts> {
        fn two_digits(b: &[u8]) -> Option<u8> {
            match b {
                [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
                    Some((a - b'0') * 10 + (b - b'0'))
                }
                [b' ', b] | [b] if b.is_ascii_digit() => Some(b - b'0'),
                _ => None,
            }
        }
        let dash = match (b.get(1), b.get(2)) {
            (_, Some(b'-')) => 2,
            (Some(b'-'), _) => 1,
            _ => return None,
        };
        let day = two_digits(b.get(..dash)?)?;
        let rest = b.get(dash + 1..)?;
        let (mon, rest) = rest.split_at_checked(3)?;
        let month = month_number(mon)?;
        let rest = rest.strip_prefix(b"-")?;
        let (year, rest) = rest.split_at_checked(4)?;
        if !year.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year = year.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0'));
        let rest = rest.strip_prefix(b" ")?;
        let (time, rest) = rest.split_at_checked(8)?;
        let [h1, h2, b':', m1, m2, b':', s1, s2] = *time else {
            return None;
        };
        let hour = two_digits(&[h1, h2])?;
        let minute = two_digits(&[m1, m2])?;
        let second = two_digits(&[s1, s2])?;
        let [b' ', sign, z1, z2, z3, z4] = *rest else {
            return None;
        };
        let zh = two_digits(&[z1, z2])?;
        let zm = two_digits(&[z3, z4])?;
        if h1 == b' ' || m1 == b' ' || s1 == b' ' || z1 == b' ' || z3 == b' ' {
            return None;
        }
        let zone = i16::from(zh) * 60 + i16::from(zm);
        let zone_minutes = match sign {
            b'+' => zone,
            b'-' => -zone,
            _ => return None,
        };
        if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        Some(DateTimeParts {
            day,
            month,
            year,
            hour,
            minute,
            second,
            zone_minutes,
        })
    }

    #[test]
    fn date_time_at_fixed_places_agrees_with_the_fields() {
        // Each octet of a few date-times replaced by each octet value, and
        // the texts cut or grown by one: the two readings agree on all.
        for base in [
            &b"17-Jul-1996 02:44:25 -0700"[..],
            b" 7-Jul-1996 02:44:25 +0000",
            b"7-Jul-1996 02:44:25 +0000",
            b"31-dec-2099 23:59:60 +9959",
        ] {
            for at in 0..base.len() {
                for o in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[at] = o;
                    assert_eq!(DateTime::parse_parts(&v), parts_by_fields(&v), "{v:?}");
                    v.insert(at, o);
                    assert_eq!(DateTime::parse_parts(&v), parts_by_fields(&v), "{v:?}");
                    v.remove(at);
                    v.remove(at);
                    assert_eq!(DateTime::parse_parts(&v), parts_by_fields(&v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn date_dash_at_a_fixed_place_agrees_with_a_search() {
        let by_search = |b: &[u8]| {
            let Some(dash) = b.iter().position(|&o| o == b'-') else {
                return false;
            };
            let (day, rest) = b.split_at(dash);
            let rest = &rest[1..];
            !day.is_empty()
                && day.len() <= 2
                && day.iter().all(u8::is_ascii_digit)
                && rest.len() == 8
                && month_number(&rest[..3]).is_some()
                && rest[3] == b'-'
                && rest[4..].iter().all(u8::is_ascii_digit)
        };
        for base in [&b"1-Feb-1994"[..], b"17-Jul-1996", b"-1-Feb-199"] {
            for at in 0..base.len() {
                for o in 0..=255u8 {
                    let mut v = base.to_vec();
                    v[at] = o;
                    assert_eq!(Date::valid(&v), by_search(&v), "{v:?}");
                    v.remove(at);
                    assert_eq!(Date::valid(&v), by_search(&v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn date_time_day_is_one_or_two_octets() {
        let ok = |s: &str| DateTime::parse_parts(s.as_bytes());
        let p = ok("17-Jul-1996 02:44:25 -0700").unwrap();
        assert_eq!(
            (p.day, p.month, p.year, p.zone_minutes),
            (17, 7, 1996, -420)
        );
        assert_eq!(ok(" 7-Jul-1996 02:44:25 +0000").unwrap().day, 7);
        assert_eq!(ok("7-Jul-1996 02:44:25 +0000").unwrap().day, 7);
        assert_eq!(ok("07-jUL-1996 02:44:25 +0130").unwrap().zone_minutes, 90);
        for bad in [
            "",
            "7",
            "-7-Jul-1996 02:44:25 +0000",
            "7--Jul-1996 02:44:25 +0000",
            "117-Jul-1996 02:44:25 +0000",
            "1-7-Jul-1996 02:44:25 +0000",
            "00-Jul-1996 02:44:25 +0000",
            "17-Jul-1996 24:44:25 +0000",
            "17-Jul-1996 02:44:25 0000",
            "17-Jul-1996 02:44:25 +0000 ",
        ] {
            assert!(ok(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn octets_stay_the_size_of_bytes() {
        assert_eq!(std::mem::size_of::<Octets>(), std::mem::size_of::<Bytes>());
    }

    #[test]
    fn inline_and_shared_values_agree() {
        let msg: Vec<u8> = (0..64u8).map(|i| b'a' + i % 26).collect();
        for start in 0..8 {
            for len in 0..=INLINE {
                let v = &msg[start..start + len];
                let w = Octets::window(&msg[start..start + INLINE], len).unwrap();
                let s = Octets::short(v).unwrap();
                let b = Octets::from(Bytes::copy_from_slice(v));
                assert_eq!(w.as_slice(), v);
                assert_eq!(s.as_slice(), v);
                assert_eq!(w, b);
                assert_eq!(s, b);
                assert_eq!(w.to_bytes(), v);
            }
        }
        assert!(Octets::short(&msg[..INLINE + 1]).is_none());
        assert!(Octets::window(&msg[..INLINE], INLINE + 1).is_none());
        assert!(Octets::window(&msg[..INLINE + 1], 3).is_none());
        assert!(Octets::default().as_slice().is_empty());
    }
}

#[cfg(test)]
mod seq_ranges_tests {
    use super::*;

    #[test]
    fn one_and_many_ranges_compare_and_hash_as_slices() {
        use std::hash::{BuildHasher, RandomState};
        let r = SeqRange::Range(SeqNo::Value(NonZeroU32::MIN), SeqNo::Largest);
        let one = SeqRanges::one(r);
        let via_new = SeqRanges::new(vec![r]).unwrap();
        assert_eq!(one, via_new);
        assert_eq!(one.as_slice(), &[r]);
        let h = RandomState::new();
        assert_eq!(h.hash_one(&one), h.hash_one(&via_new));
        let many = SeqRanges::new(vec![r, SeqRange::Single(SeqNo::Largest)]).unwrap();
        assert_eq!(many.len(), 2);
        assert_ne!(one, many);
        assert_eq!((&many).into_iter().count(), 2);
        assert_eq!(many.clone().into_vec().len(), 2);
        assert_eq!(one.into_iter().collect::<Vec<_>>(), vec![r]);
        assert_eq!(SeqRanges::new(Vec::new()), Err(TypeError::EmptySet));
        assert_eq!(format!("{many:?}"), format!("{:?}", many.as_slice()));
        // Two in place, three or more in a Vec: all read, compare and hash
        // as their slices.
        let s = SeqRange::Single(SeqNo::Largest);
        let two = SeqRanges::two(r, s);
        assert_eq!(two, many);
        assert_eq!(h.hash_one(&two), h.hash_one(&many));
        assert_eq!(two.as_slice(), &[r, s]);
        assert_eq!(two.clone().into_vec(), vec![r, s]);
        let three = SeqRanges::new(vec![r, s, r]).unwrap();
        assert_eq!(three.as_slice(), &[r, s, r]);
        assert_ne!(three, two);
        assert_eq!(three.into_iter().collect::<Vec<_>>(), vec![r, s, r]);
    }
}
