//! Splits an IMAP byte stream into messages before any grammar is parsed.
//!
//! An IMAP message (a command or a response) is one or more CRLF lines; a
//! line that ends in a literal announcement (`{n}`, `{n+}`, `~{n}`) is
//! followed by exactly `n` octets of literal data and then by the rest of the
//! message. The [`Framer`] finds message boundaries with `memchr`, keeps the
//! message in the caller's `BytesMut` until it is complete and then splits it
//! off as one zero-copy [`Bytes`] for [`crate::parse`]; or, through
//! [`Framer::next_in_place`], hands a message without literals out where it
//! lies, so that it is parsed without being split off.
//!
//! Every literal announcement surfaces as [`Frame::Literal`] *before* its data,
//! with the tag, so a server can refuse an oversized APPEND before it sends
//! `+`, or stream a large literal in chunks ([`Framer::stream_literal`]).
//! Nothing is ever allocated from a size the peer declares.
//!
//! ```
//! use bytes::BytesMut;
//! use yubin_imap::framer::{Frame, Framer, Role};
//! use yubin_imap::Limits;
//!
//! let mut framer = Framer::new(&Limits::default(), Role::Server);
//! let mut buf = BytesMut::from(&b"A1 LOGIN {5}\r\n"[..]);
//! let Some(Ok(Frame::Literal(ann))) = framer.next(&mut buf) else { panic!() };
//! assert_eq!(ann.length, 5);
//! // The server sends "+ go ahead" here, then the client sends the data.
//! buf.extend_from_slice(b"smith \"pw\"\r\n");
//! let Some(Ok(Frame::Message(m))) = framer.next(&mut buf) else { panic!() };
//! assert_eq!(&m[..], b"A1 LOGIN {5}\r\nsmith \"pw\"\r\n");
//! ```

use bytes::{Buf, Bytes, BytesMut};

use crate::Limits;
use crate::types::{LiteralMode, Octets, Tag, chars};

/// Which side the framer reads for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A server reading commands: a synchronising literal's data only comes
    /// after the server's `+`.
    Server,
    /// A client reading responses: literal data always follows its
    /// announcement; lines that are status responses never announce one.
    Client,
}

/// A literal announced at the end of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralAnnouncement {
    /// The tag of the command, when one can be recovered.
    pub tag: Option<Tag>,
    /// The announced number of octets.
    pub length: u64,
    /// `{n}` or `{n+}`.
    pub mode: LiteralMode,
    /// `~{n}` (literal8).
    pub binary: bool,
    /// Whether the default decision (buffering into the message) is within
    /// [`Limits::max_literal_octets`] and [`Limits::max_message_octets`].
    /// When `false`, the caller streams or refuses; calling [`Framer::next`]
    /// without deciding yields [`FrameError::LiteralTooLarge`].
    pub within_limits: bool,
}

/// What the framer hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete message: all its lines and literals, CRLFs kept.
    Message(Bytes),
    /// A literal was announced; by default its data is buffered into the
    /// message on the next call (if within the limits, see
    /// [`LiteralAnnouncement::within_limits`]). Call [`Framer::stream_literal`] or
    /// [`Framer::refuse_literal`] before that to decide otherwise.
    Literal(LiteralAnnouncement),
    /// A chunk of a streamed literal's data.
    LiteralChunk(Bytes),
    /// The streamed literal is complete; the message goes on.
    LiteralEnd,
    /// The rest of a message after a streamed literal, through its final CRLF.
    Tail(Bytes),
}

/// What [`Framer::next_in_place`] hands out.
#[derive(Debug)]
pub enum InPlace<'b> {
    /// A complete message without literals, where it lies in the buffer.
    Read(MessageRef<'b>),
    /// Any other frame, as [`Framer::next`] gives it.
    Frame(Frame),
}

/// A complete message read in place: derefs to its octets (CRLF
/// included); dropping it drops them from the buffer.
pub struct MessageRef<'b> {
    buf: &'b mut BytesMut,
    len: usize,
}

impl std::fmt::Debug for MessageRef<'_> {
    /// The message's octets only, not the rest of the buffer.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("MessageRef")
            .field(&bytes::Bytes::copy_from_slice(self))
            .finish()
    }
}

impl std::ops::Deref for MessageRef<'_> {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl Drop for MessageRef<'_> {
    #[inline]
    fn drop(&mut self) {
        self.buf.advance(self.len.min(self.buf.len()));
    }
}

/// [`Framer::next_inner`]'s frames: a message to read in place is only
/// its length.
enum Inner {
    InPlace(usize),
    Frame(Frame),
}

/// A message the framer refused; the bytes are already being skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A line longer than [`Limits::max_line_octets`].
    #[error("line too long")]
    LineTooLong {
        /// The tag, when recovered.
        tag: Option<Tag>,
    },
    /// A literal larger than [`Limits::max_literal_octets`], or one that would
    /// grow the message past [`Limits::max_message_octets`].
    #[error("literal of {length} octets too large")]
    LiteralTooLarge {
        /// The tag, when recovered.
        tag: Option<Tag>,
        /// The announced size.
        length: u64,
        /// Whether the peer waits for `+` (synchronising literal to a server):
        /// then nothing more of this command arrives.
        sync: bool,
    },
    /// A malformed literal announcement (`{` digits overflow, `{n+}` from a server).
    #[error("malformed literal announcement")]
    BadLiteral {
        /// The tag, when recovered.
        tag: Option<Tag>,
    },
}

impl FrameError {
    /// The tag of the refused message, if recovered.
    pub fn tag(&self) -> Option<&Tag> {
        match self {
            Self::LineTooLong { tag }
            | Self::LiteralTooLarge { tag, .. }
            | Self::BadLiteral { tag } => tag.as_ref(),
        }
    }
}

/// Calling a decision method when no literal is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no literal announcement is pending")]
pub struct NoPendingLiteral;

const TAIL_KEEP: usize = 32;

#[derive(Debug)]
enum State {
    Line,
    Announced {
        length: u64,
        will_come: bool,
        within_limits: bool,
    },
    Literal {
        end: usize,
    },
    Streaming {
        remaining: u64,
    },
    StreamEnd,
    Skip {
        remaining: u64,
    },
    DiscardLine,
}

/// The stream splitter; see the [module docs](self).
#[derive(Debug)]
pub struct Framer {
    role: Role,
    max_line: usize,
    max_literal: u64,
    max_message: usize,
    state: State,
    /// Start of the current line, relative to the front of `buf`.
    line_start: usize,
    /// How far the current line has been searched for LF.
    scanned: usize,
    /// Whether the current message had a streamed literal (next is a tail).
    after_stream: bool,
    /// The tag of the current message, kept across a streamed literal.
    tag: Option<Tag>,
    /// The last octets of a line being discarded (to see a literal at its end).
    tail: Vec<u8>,
}

impl Framer {
    /// A framer with the limits' line, literal and message sizes.
    pub fn new(limits: &Limits, role: Role) -> Self {
        Self {
            role,
            max_line: limits.max_line_octets,
            max_literal: limits.max_literal_octets,
            max_message: limits.max_message_octets,
            state: State::Line,
            line_start: 0,
            scanned: 0,
            after_stream: false,
            tag: None,
            tail: Vec::with_capacity(TAIL_KEEP),
        }
    }

    /// Changes the maximum line length (e.g. tighter before login).
    pub fn set_max_line_octets(&mut self, n: usize) {
        self.max_line = n;
    }

    /// Changes the maximum buffered literal size (e.g. from APPENDLIMIT).
    pub fn set_max_literal_octets(&mut self, n: u64) {
        self.max_literal = n;
    }

    /// The bytes of the current message received so far (up to the last
    /// announced literal): what a server inspects to decide on a literal.
    pub fn pending<'a>(&self, buf: &'a BytesMut) -> &'a [u8] {
        buf.get(..self.line_start).unwrap_or_default()
    }

    /// Streams the announced literal instead of buffering it: returns the
    /// message so far (including the announcement line); the data then comes
    /// as [`Frame::LiteralChunk`]s, then [`Frame::LiteralEnd`], then the rest.
    pub fn stream_literal(&mut self, buf: &mut BytesMut) -> Result<Bytes, NoPendingLiteral> {
        let State::Announced { length, .. } = self.state else {
            return Err(NoPendingLiteral);
        };
        let head = buf.split_to(self.line_start.min(buf.len())).freeze();
        self.reset_positions();
        self.after_stream = true;
        self.state = if length == 0 {
            State::StreamEnd
        } else {
            State::Streaming { remaining: length }
        };
        Ok(head)
    }

    /// Refuses the announced literal: the message so far is dropped, the
    /// literal's data (if the peer sends it without waiting) and the rest of
    /// the message are skipped. The caller answers (e.g. `NO [TOOBIG]`) and
    /// sends no `+`.
    pub fn refuse_literal(&mut self, buf: &mut BytesMut) -> Result<(), NoPendingLiteral> {
        let State::Announced {
            length, will_come, ..
        } = self.state
        else {
            return Err(NoPendingLiteral);
        };
        buf.advance(self.line_start.min(buf.len()));
        self.reset_positions();
        self.after_stream = false;
        self.tag = None;
        self.state = if will_come {
            State::Skip { remaining: length }
        } else {
            State::Line
        };
        Ok(())
    }

    fn reset_positions(&mut self) {
        self.line_start = 0;
        self.scanned = 0;
    }

    fn recover_tag(&self, buf: &[u8]) -> Option<Tag> {
        if self.after_stream {
            return self.tag.clone();
        }
        recover_tag(buf)
    }

    /// The tag of a message that grew past the line or message limit. It is
    /// reported as soon as it passes the limit, so only that much of it is
    /// sure to be here: look no further, or the answer would depend on how
    /// the bytes arrived.
    fn recover_tag_of_overlong(&self, buf: &[u8]) -> Option<Tag> {
        let window = RECOVER_TAG_OCTETS.min(self.max_line).min(self.max_message);
        self.recover_tag(buf.get(..=window).unwrap_or(buf))
    }

    /// Starts discarding the message: everything in `buf` up to `upto` is
    /// dropped and the framer skips to the end of the current line.
    fn discard(&mut self, buf: &mut BytesMut, upto: usize) {
        let upto = upto.min(buf.len());
        self.remember_tail(buf.get(..upto).unwrap_or_default());
        buf.advance(upto);
        self.reset_positions();
        self.after_stream = false;
        self.tag = None;
        self.state = State::DiscardLine;
    }

    fn remember_tail(&mut self, bytes: &[u8]) {
        let keep = bytes.len().min(TAIL_KEEP);
        let from = bytes.len() - keep;
        if keep == TAIL_KEEP {
            self.tail.clear();
        } else {
            let overflow = (self.tail.len() + keep).saturating_sub(TAIL_KEEP);
            self.tail.drain(..overflow.min(self.tail.len()));
        }
        self.tail
            .extend_from_slice(bytes.get(from..).unwrap_or_default());
    }

    fn will_come(&self, mode: LiteralMode) -> bool {
        self.role == Role::Client || mode == LiteralMode::NonSync
    }

    /// Splits the next frame off `buf`. `None`: more bytes needed.
    pub fn next(&mut self, buf: &mut BytesMut) -> Option<Result<Frame, FrameError>> {
        match self.next_inner(buf, false)? {
            Ok(Inner::Frame(f)) => Some(Ok(f)),
            // Not asked for: every message is split off.
            Ok(Inner::InPlace(_)) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Like [`Framer::next`], but a complete message that holds no literal
    /// is not split off `buf`: it comes as an [`InPlace::Read`] view of
    /// `buf` (CRLF included), and dropping the view drops the message from
    /// `buf`. Every other frame (a message with literals, an announcement,
    /// a streamed literal's chunks and tail) comes as [`Framer::next`]
    /// gives it.
    ///
    /// Splitting a message off costs an atomic reference count update, and
    /// dropping it another; a server reading short commands, nearly all of
    /// which have no literal, spends much of its framing time on those two.
    /// Pair it with [`crate::parse::Parser::command_slice`]:
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use yubin_imap::framer::{Framer, InPlace, Role};
    /// use yubin_imap::parse::Parser;
    /// use yubin_imap::types::CommandBody;
    /// use yubin_imap::Limits;
    ///
    /// let mut framer = Framer::new(&Limits::default(), Role::Server);
    /// let parser = Parser::default();
    /// let mut buf = BytesMut::from(&b"a1 NOOP\r\na2 LOGOUT\r\n"[..]);
    /// let Some(Ok(InPlace::Read(msg))) = framer.next_in_place(&mut buf) else {
    ///     unreachable!()
    /// };
    /// let cmd = parser.command_slice(&msg).unwrap();
    /// drop(msg);
    /// assert_eq!(cmd.body, CommandBody::Noop);
    /// assert_eq!(&buf[..], b"a2 LOGOUT\r\n");
    /// ```
    ///
    /// Forgetting the view (`std::mem::forget`) leaves the message in `buf`,
    /// to be framed again.
    pub fn next_in_place<'b>(
        &mut self,
        buf: &'b mut BytesMut,
    ) -> Option<Result<InPlace<'b>, FrameError>> {
        // The common case first: a new message whose first line is complete,
        // within the limits, and does not end in a literal announcement (no
        // `}` before its CRLF) is a whole message.
        if matches!(self.state, State::Line)
            && self.line_start == 0
            && self.scanned == 0
            && !self.after_stream
        {
            let Some(i) = memchr::memchr(b'\n', buf) else {
                // Searched: the general path below takes it from here.
                self.scanned = buf.len();
                return self.next_in_place_general(buf);
            };
            let len = i + 1;
            let line = buf.get(..len).unwrap_or_default();
            if len <= self.max_line && len <= self.max_message && !line.ends_with(b"}\r\n") {
                self.tag = None;
                return Some(Ok(InPlace::Read(MessageRef { buf, len })));
            }
            // The general path finds the same LF without a second search.
            self.scanned = i;
        }
        self.next_in_place_general(buf)
    }

    fn next_in_place_general<'b>(
        &mut self,
        buf: &'b mut BytesMut,
    ) -> Option<Result<InPlace<'b>, FrameError>> {
        match self.next_inner(buf, true)? {
            Ok(Inner::Frame(f)) => Some(Ok(InPlace::Frame(f))),
            Ok(Inner::InPlace(len)) => Some(Ok(InPlace::Read(MessageRef { buf, len }))),
            Err(e) => Some(Err(e)),
        }
    }

    #[inline]
    fn next_inner(
        &mut self,
        buf: &mut BytesMut,
        in_place: bool,
    ) -> Option<Result<Inner, FrameError>> {
        loop {
            match self.state {
                State::Line => return self.next_line(buf, in_place),
                State::Announced {
                    length,
                    will_come,
                    within_limits,
                } => {
                    if !within_limits {
                        let tag = self.tag.take();
                        buf.advance(self.line_start.min(buf.len()));
                        self.reset_positions();
                        self.after_stream = false;
                        self.state = if will_come {
                            State::Skip { remaining: length }
                        } else {
                            State::Line
                        };
                        return Some(Err(FrameError::LiteralTooLarge {
                            tag,
                            length,
                            sync: !will_come,
                        }));
                    }
                    // The default decision: buffer the literal into the message.
                    let end = usize::try_from(length)
                        .ok()
                        .and_then(|l| self.line_start.checked_add(l));
                    match end {
                        Some(end) => self.state = State::Literal { end },
                        None => {
                            self.state = State::Skip { remaining: length };
                        }
                    }
                }
                State::Literal { end } => {
                    if buf.len() < end {
                        return None;
                    }
                    self.line_start = end;
                    self.scanned = end;
                    self.state = State::Line;
                }
                State::Streaming { remaining } => {
                    if buf.is_empty() {
                        return None;
                    }
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(buf.len());
                    let chunk = buf.split_to(n).freeze();
                    let left = remaining - n as u64;
                    self.state = if left == 0 {
                        State::StreamEnd
                    } else {
                        State::Streaming { remaining: left }
                    };
                    return Some(Ok(Inner::Frame(Frame::LiteralChunk(chunk))));
                }
                State::StreamEnd => {
                    self.state = State::Line;
                    return Some(Ok(Inner::Frame(Frame::LiteralEnd)));
                }
                State::Skip { remaining } => {
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(buf.len());
                    buf.advance(n);
                    let left = remaining - n as u64;
                    if left > 0 {
                        self.state = State::Skip { remaining: left };
                        return None;
                    }
                    self.tail.clear();
                    self.state = State::DiscardLine;
                }
                State::DiscardLine => match memchr::memchr(b'\n', buf) {
                    None => {
                        let all = buf.split();
                        self.remember_tail(&all);
                        return None;
                    }
                    Some(i) => {
                        let line = buf.split_to(i + 1);
                        self.remember_tail(&line);
                        let ann = parse_announcement(&self.tail);
                        self.tail.clear();
                        self.state = match ann {
                            Some(Ok((length, mode, _))) if self.will_come(mode) => {
                                State::Skip { remaining: length }
                            }
                            _ => State::Line,
                        };
                    }
                },
            }
        }
    }

    #[inline]
    fn next_line(
        &mut self,
        buf: &mut BytesMut,
        in_place: bool,
    ) -> Option<Result<Inner, FrameError>> {
        let found = buf
            .get(self.scanned..)
            .and_then(|rest| memchr::memchr(b'\n', rest));
        let Some(i) = found else {
            self.scanned = buf.len();
            let line_len = buf.len().saturating_sub(self.line_start);
            if line_len > self.max_line || buf.len() > self.max_message {
                let tag = self.recover_tag_of_overlong(buf);
                let len = buf.len();
                self.discard(buf, len);
                return Some(Err(FrameError::LineTooLong { tag }));
            }
            return None;
        };
        let end = self.scanned + i + 1;
        if end - self.line_start > self.max_line || end > self.max_message {
            let tag = self.recover_tag_of_overlong(buf);
            let line = buf.get(self.line_start..end).unwrap_or_default();
            let ann = parse_announcement(line);
            buf.advance(end);
            self.reset_positions();
            self.after_stream = false;
            self.tag = None;
            self.state = match ann {
                Some(Ok((length, mode, _))) if self.will_come(mode) => {
                    State::Skip { remaining: length }
                }
                _ => State::Line,
            };
            return Some(Err(FrameError::LineTooLong { tag }));
        }
        let line = buf.get(self.line_start..end).unwrap_or_default();
        let first_line = self.line_start == 0 && !self.after_stream;
        let announcement = if self.role == Role::Client && first_line && is_status_line(line) {
            None
        } else {
            parse_announcement(line)
        };
        match announcement {
            None => {
                let tail = std::mem::replace(&mut self.after_stream, false);
                self.tag = None;
                // A message that starts at the front of `buf` holds no
                // buffered literal (those move `line_start` past them).
                if in_place && !tail && self.line_start == 0 {
                    // The view drops the message from `buf`.
                    self.reset_positions();
                    return Some(Ok(Inner::InPlace(end)));
                }
                let msg = buf.split_to(end).freeze();
                self.reset_positions();
                Some(Ok(Inner::Frame(if tail {
                    Frame::Tail(msg)
                } else {
                    Frame::Message(msg)
                })))
            }
            Some(Err(())) => {
                let tag = self.recover_tag(buf);
                buf.advance(end);
                self.reset_positions();
                self.after_stream = false;
                self.tag = None;
                self.state = State::Line;
                Some(Err(FrameError::BadLiteral { tag }))
            }
            Some(Ok((length, mode, binary))) => {
                let tag = self.recover_tag(buf);
                if self.role == Role::Client && mode == LiteralMode::NonSync {
                    // Servers never send non-synchronising literals.
                    self.discard(buf, end);
                    self.state = State::Skip { remaining: length };
                    return Some(Err(FrameError::BadLiteral { tag }));
                }
                let will_come = self.will_come(mode);
                let fits_message = usize::try_from(length)
                    .ok()
                    .and_then(|l| end.checked_add(l))
                    .is_some_and(|total| total <= self.max_message);
                self.line_start = end;
                self.scanned = end;
                let within_limits = length <= self.max_literal && fits_message;
                self.tag.clone_from(&tag);
                self.state = State::Announced {
                    length,
                    will_come,
                    within_limits,
                };
                Some(Ok(Inner::Frame(Frame::Literal(LiteralAnnouncement {
                    tag,
                    length,
                    mode,
                    binary,
                    within_limits,
                }))))
            }
        }
    }
}

/// How far into an over-long message the framer looks for its tag; a
/// longer tag is not echoed back.
const RECOVER_TAG_OCTETS: usize = 64;

/// The tag at the front of a message (`None` for `*`, `+` or garbage, or
/// when `buf` ends inside the tag).
pub(crate) fn recover_tag(buf: &[u8]) -> Option<Tag> {
    let end = buf.iter().position(|&b| !chars::is_tag_char(b))?;
    let t = buf.get(..end)?;
    if t.is_empty() {
        return None;
    }
    // The scan above checked the tag's octets. Short tags (nearly all) are
    // kept inline, without an allocation.
    Some(Tag::unvalidated(
        Octets::short(t).unwrap_or_else(|| Bytes::copy_from_slice(t).into()),
    ))
}

/// Whether a response line is a status response (`* OK`, `tag NO`, `+ ...`)
/// whose free text must not be mistaken for a literal announcement.
fn is_status_line(line: &[u8]) -> bool {
    if line.first() == Some(&b'+') {
        return true;
    }
    let Some(sp) = memchr::memchr(b' ', line) else {
        return false;
    };
    let rest = line.get(sp + 1..).unwrap_or_default();
    let word_end = rest
        .iter()
        .position(|&b| b == b' ' || b == b'\r' || b == b'\n')
        .unwrap_or(rest.len());
    let word = rest.get(..word_end).unwrap_or_default();
    [&b"OK"[..], b"NO", b"BAD", b"BYE", b"PREAUTH"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// Parses a literal announcement at the end of a line (`... {n}\r\n`,
/// `{n+}`, `~{n}`). `None`: the line ends otherwise. `Err`: malformed size.
#[allow(clippy::type_complexity)]
pub(crate) fn parse_announcement(line: &[u8]) -> Option<Result<(u64, LiteralMode, bool), ()>> {
    let line = line.strip_suffix(b"\r\n")?;
    let line = line.strip_suffix(b"}")?;
    let (line, mode) = match line.strip_suffix(b"+") {
        Some(l) => (l, LiteralMode::NonSync),
        None => (line, LiteralMode::Sync),
    };
    // The digits run back to the `{` (a short backward scan: a `memrchr`
    // over the whole line costs more to set up than this loop runs).
    let ndigits = line.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let open = line.len().checked_sub(ndigits + 1)?;
    if ndigits == 0 || line.get(open) != Some(&b'{') {
        return None;
    }
    let digits = line.get(open + 1..)?;
    let binary = open > 0 && line.get(open - 1) == Some(&b'~');
    if digits.len() > 19 {
        return Some(Err(()));
    }
    let n = digits
        .iter()
        .fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
    if n > i64::MAX as u64 {
        return Some(Err(()));
    }
    Some(Ok((n, mode, binary)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` to a framer `step` octets at a time, collecting what
    /// `pull` takes from it after each piece.
    fn frames_by(
        role: Role,
        limits: &Limits,
        input: &[u8],
        step: usize,
        mut pull: impl FnMut(&mut Framer, &mut BytesMut) -> Option<Result<Frame, FrameError>>,
    ) -> Vec<Result<Frame, FrameError>> {
        let mut f = Framer::new(limits, role);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for chunk in input.chunks(step.max(1)) {
            buf.extend_from_slice(chunk);
            while let Some(fr) = pull(&mut f, &mut buf) {
                out.push(fr);
            }
        }
        out
    }

    fn frames(
        role: Role,
        limits: &Limits,
        input: &[u8],
        step: usize,
    ) -> Vec<Result<Frame, FrameError>> {
        frames_by(role, limits, input, step, |f, buf| f.next(buf))
    }

    /// As [`frames`], through [`Framer::next_in_place`]; a message read in
    /// place is reported as the `Frame::Message` `next` gives.
    fn frames_in_place(
        role: Role,
        limits: &Limits,
        input: &[u8],
        step: usize,
    ) -> Vec<Result<Frame, FrameError>> {
        frames_by(role, limits, input, step, |f, buf| {
            Some(f.next_in_place(buf)?.map(|x| match x {
                InPlace::Read(m) => Frame::Message(Bytes::copy_from_slice(&m)),
                InPlace::Frame(f) => f,
            }))
        })
    }

    #[test]
    fn in_place_agrees_with_next_at_every_split() {
        let input: &[u8] = b"A1 NOOP\r\nA2 LOGIN {3+}\r\nabc {2+}\r\nxy\r\nA3 X ~{1+}\r\n\0\r\n\
A4 SELECT \"a very long mailbox name, longer than 23 octets\"\r\n\
A5 APPEND x {40}\r\nA6 this line is far too long for the limit set below\r\n\
A7 CHECK\r\n";
        let limits = Limits {
            max_line_octets: 60,
            max_literal_octets: 30,
            ..Limits::default()
        };
        for role in [Role::Server, Role::Client] {
            let whole = frames(role, &limits, input, input.len());
            assert!(whole.len() >= 7, "{whole:?}");
            for step in 1..=input.len() {
                assert_eq!(
                    frames_in_place(role, &limits, input, step),
                    whole,
                    "{role:?} step {step}"
                );
            }
        }
    }

    #[test]
    fn in_place_view_shows_only_its_message() {
        let mut f = Framer::new(&Limits::default(), Role::Server);
        let mut buf = BytesMut::from(&b"A1 NOOP\r\nA2 LOGOUT\r\n"[..]);
        let Some(Ok(InPlace::Read(m))) = f.next_in_place(&mut buf) else {
            panic!()
        };
        assert_eq!(format!("{m:?}"), r#"MessageRef(b"A1 NOOP\r\n")"#);
    }

    #[test]
    fn in_place_view_consumes_only_when_dropped() {
        let mut f = Framer::new(&Limits::default(), Role::Server);
        let mut buf = BytesMut::from(&b"A1 NOOP\r\nA2 APPEND x {2+}\r\nhi\r\nA3"[..]);
        let Some(Ok(InPlace::Read(m))) = f.next_in_place(&mut buf) else {
            panic!()
        };
        assert_eq!(&m[..], b"A1 NOOP\r\n");
        drop(m);
        assert!(buf.starts_with(b"A2 APPEND"));
        // A message with a literal is announced, then split off whole.
        assert!(matches!(
            f.next_in_place(&mut buf),
            Some(Ok(InPlace::Frame(Frame::Literal(_))))
        ));
        let Some(Ok(InPlace::Frame(Frame::Message(m)))) = f.next_in_place(&mut buf) else {
            panic!()
        };
        assert_eq!(&m[..], b"A2 APPEND x {2+}\r\nhi\r\n");
        assert!(f.next_in_place(&mut buf).is_none());
        assert_eq!(&buf[..], b"A3");
    }

    #[test]
    fn lines_and_literals_any_split() {
        let input = b"A1 NOOP\r\nA2 LOGIN {3+}\r\nabc {2+}\r\nxy\r\nA3 X ~{1+}\r\n\0\r\n";
        let whole = frames(Role::Server, &Limits::default(), input, input.len());
        for step in 1..input.len() {
            assert_eq!(
                frames(Role::Server, &Limits::default(), input, step),
                whole,
                "step {step}"
            );
        }
        let msgs: Vec<_> = whole
            .iter()
            .filter_map(|f| match f {
                Ok(Frame::Message(m)) => Some(m.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(msgs.len(), 3);
        assert_eq!(&msgs[1][..], b"A2 LOGIN {3+}\r\nabc {2+}\r\nxy\r\n");
        assert!(whole.contains(&Ok(Frame::Literal(LiteralAnnouncement {
            tag: Some(Tag::try_from("A3").unwrap()),
            length: 1,
            mode: LiteralMode::NonSync,
            binary: true,
            within_limits: true,
        }))));
    }

    #[test]
    fn oversized_sync_literal_refused_before_continuation() {
        let limits = Limits {
            max_literal_octets: 10,
            ..Limits::default()
        };
        let mut f = Framer::new(&limits, Role::Server);
        let mut buf = BytesMut::from(&b"A1 APPEND INBOX {11}\r\n"[..]);
        let Some(Ok(Frame::Literal(ann))) = f.next(&mut buf) else {
            panic!()
        };
        assert!(!ann.within_limits);
        // No decision: the framer refuses it (the server answers instead of "+").
        let err = f.next(&mut buf).unwrap().unwrap_err();
        assert_eq!(
            err,
            FrameError::LiteralTooLarge {
                tag: Some(Tag::try_from("A1").unwrap()),
                length: 11,
                sync: true
            }
        );
        // The client waits for "+", which never comes; its next command is framed normally.
        buf.extend_from_slice(b"A2 NOOP\r\n");
        assert_eq!(
            f.next(&mut buf),
            Some(Ok(Frame::Message(Bytes::from_static(b"A2 NOOP\r\n"))))
        );
    }

    #[test]
    fn oversized_nonsync_literal_skipped() {
        let limits = Limits {
            max_literal_octets: 3,
            ..Limits::default()
        };
        let out = frames(
            Role::Server,
            &limits,
            b"A1 X {5+}\r\nab\r\nc {1+}\r\nz\r\nA2 NOOP\r\n",
            1,
        );
        assert!(matches!(&out[0], Ok(Frame::Literal(a)) if !a.within_limits));
        assert!(matches!(
            out[1],
            Err(FrameError::LiteralTooLarge {
                sync: false,
                length: 5,
                ..
            })
        ));
        assert_eq!(
            out[2],
            Ok(Frame::Message(Bytes::from_static(b"A2 NOOP\r\n")))
        );
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn refuse_literal_by_decision() {
        let mut f = Framer::new(&Limits::default(), Role::Server);
        let mut buf = BytesMut::from(&b"A1 APPEND INBOX {5+}\r\nhello\r\nA2 NOOP\r\n"[..]);
        assert!(matches!(f.next(&mut buf), Some(Ok(Frame::Literal(_)))));
        assert_eq!(f.pending(&buf), b"A1 APPEND INBOX {5+}\r\n");
        f.refuse_literal(&mut buf).unwrap();
        assert_eq!(f.refuse_literal(&mut buf), Err(NoPendingLiteral));
        assert_eq!(
            f.next(&mut buf),
            Some(Ok(Frame::Message(Bytes::from_static(b"A2 NOOP\r\n"))))
        );
    }

    #[test]
    fn long_line_error_keeps_tag_and_resyncs() {
        let limits = Limits {
            max_line_octets: 16,
            ..Limits::default()
        };
        let out = frames(
            Role::Server,
            &limits,
            b"A7 SEARCH TEXT aaaaaaaaaaaaaaaaaaaa\r\nA8 NOOP\r\n",
            3,
        );
        assert_eq!(
            out[0],
            Err(FrameError::LineTooLong {
                tag: Some(Tag::try_from("A7").unwrap())
            })
        );
        assert_eq!(
            out[1],
            Ok(Frame::Message(Bytes::from_static(b"A8 NOOP\r\n")))
        );
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn long_tag_on_long_line_is_dropped_however_the_line_arrives() {
        // Found by the imap_framer fuzz target: a tag longer than the line
        // limit was echoed when the line came at once, not in pieces.
        let limits = Limits {
            max_line_octets: 64,
            ..Limits::default()
        };
        let mut line = b"A".repeat(100);
        line.extend_from_slice(b"01 NOOP\r\nA8 NOOP\r\n");
        for piece in [1, 7, 65, line.len()] {
            let out = frames(Role::Server, &limits, &line, piece);
            assert_eq!(
                out[0],
                Err(FrameError::LineTooLong { tag: None }),
                "{piece}"
            );
            assert_eq!(out.len(), 2, "{piece}");
        }
        let mut line = b"A".repeat(63);
        line.extend_from_slice(b" NOOP ");
        line.extend_from_slice(&b"x".repeat(100));
        line.extend_from_slice(b"\r\n");
        for piece in [1, 7, 65, line.len()] {
            let out = frames(Role::Server, &limits, &line, piece);
            let tag = Some(Tag::new(Bytes::from(b"A".repeat(63))).unwrap());
            assert_eq!(out, vec![Err(FrameError::LineTooLong { tag })], "{piece}");
        }
    }

    #[test]
    fn long_line_with_nonsync_literal_skips_data() {
        let limits = Limits {
            max_line_octets: 16,
            ..Limits::default()
        };
        let out = frames(
            Role::Server,
            &limits,
            b"A7 LOGIN aaaaaaaaaaaaaaaa {4+}\r\nA9 X\r\nA8 NOOP\r\n",
            5,
        );
        assert!(matches!(out[0], Err(FrameError::LineTooLong { .. })));
        assert_eq!(
            out[1],
            Ok(Frame::Message(Bytes::from_static(b"A8 NOOP\r\n")))
        );
    }

    #[test]
    fn status_text_is_not_a_literal_for_clients() {
        let out = frames(
            Role::Client,
            &Limits::default(),
            b"* OK see {5}\r\n* 1 EXISTS\r\n",
            4,
        );
        assert_eq!(
            out[0],
            Ok(Frame::Message(Bytes::from_static(b"* OK see {5}\r\n")))
        );
        assert_eq!(
            out[1],
            Ok(Frame::Message(Bytes::from_static(b"* 1 EXISTS\r\n")))
        );
    }

    #[test]
    fn streaming_50_mib_append_in_bounded_memory() {
        const SIZE: usize = 50 * 1024 * 1024;
        let limits = Limits::default();
        let mut f = Framer::new(&limits, Role::Server);
        let mut buf = BytesMut::from(&b"A1 APPEND INBOX (\\Seen) {52428800}\r\n"[..]);
        let Some(Ok(Frame::Literal(ann))) = f.next(&mut buf) else {
            panic!()
        };
        assert_eq!(ann.length, SIZE as u64);
        assert!(
            !ann.within_limits,
            "too big to buffer: the caller streams it"
        );
        let head = f.stream_literal(&mut buf).unwrap();
        assert_eq!(&head[..], b"A1 APPEND INBOX (\\Seen) {52428800}\r\n");
        let block = vec![b'x'; 64 * 1024];
        let mut seen = 0usize;
        let mut max_buf = 0usize;
        let mut sent = 0usize;
        let mut tail = None;
        let mut ended = false;
        let mut crlf_sent = false;
        while tail.is_none() {
            if sent < SIZE {
                let n = block.len().min(SIZE - sent);
                buf.extend_from_slice(&block[..n]);
                sent += n;
            } else if !crlf_sent {
                buf.extend_from_slice(b"\r\n");
                crlf_sent = true;
            }
            max_buf = max_buf.max(buf.len());
            while let Some(fr) = f.next(&mut buf) {
                match fr.unwrap() {
                    Frame::LiteralChunk(c) => seen += c.len(),
                    Frame::LiteralEnd => ended = true,
                    Frame::Tail(t) => tail = Some(t),
                    other => panic!("{other:?}"),
                }
            }
        }
        assert_eq!(seen, SIZE);
        assert!(ended);
        assert_eq!(&tail.unwrap()[..], b"\r\n");
        assert!(max_buf <= 64 * 1024 + 2, "buffer grew to {max_buf}");
    }

    /// The announcement as a search for the last `{` reads it.
    #[allow(clippy::type_complexity)]
    fn announcement_by_search(line: &[u8]) -> Option<Result<(u64, LiteralMode, bool), ()>> {
        let line = line.strip_suffix(b"\r\n")?.strip_suffix(b"}")?;
        let (line, mode) = match line.strip_suffix(b"+") {
            Some(l) => (l, LiteralMode::NonSync),
            None => (line, LiteralMode::Sync),
        };
        let open = line.iter().rposition(|&b| b == b'{')?;
        let digits = &line[open + 1..];
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if digits.len() > 19 {
            return Some(Err(()));
        }
        let n: u64 = std::str::from_utf8(digits).unwrap().parse().unwrap();
        if n > i64::MAX as u64 {
            return Some(Err(()));
        }
        Some(Ok((n, mode, open > 0 && line[open - 1] == b'~')))
    }

    #[test]
    fn announcement_scan_agrees_with_a_search_for_the_brace() {
        // Every line of up to six octets from the announcement's alphabet.
        let alphabet = b"{}~+1a";
        let mut line = Vec::new();
        for len in 0..=6u32 {
            for mut code in 0..alphabet.len().pow(len) {
                line.clear();
                for _ in 0..len {
                    line.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                line.extend_from_slice(b"\r\n");
                assert_eq!(
                    parse_announcement(&line),
                    announcement_by_search(&line),
                    "{line:?}"
                );
            }
        }
        for l in [
            &b"A1 APPEND x {9223372036854775807}\r\n"[..],
            b"A1 APPEND x {9223372036854775808}\r\n",
            b"A1 APPEND x ~{12345678901234567890}\r\n",
            b"A1 X {0012+}\r\n",
        ] {
            assert_eq!(parse_announcement(l), announcement_by_search(l), "{l:?}");
        }
    }

    #[test]
    fn bad_announcement() {
        let out = frames(
            Role::Server,
            &Limits::default(),
            b"A1 X {99999999999999999999}\r\nA2 NOOP\r\n",
            7,
        );
        assert!(matches!(out[0], Err(FrameError::BadLiteral { .. })));
        assert_eq!(
            out[1],
            Ok(Frame::Message(Bytes::from_static(b"A2 NOOP\r\n")))
        );
    }
}
