//! CRLF line framing over a bounded receive buffer.
//!
//! [`LineFramer::next_line`] splits one line at a time off the front of the
//! caller's receive buffer as a zero-copy [`Bytes`] (the line terminator
//! removed). A line longer than the limit is never buffered whole: its first
//! [`LineFramer::HEAD_OCTETS`] octets are copied aside (enough for an IMAP tag
//! or an SMTP verb, so the session can answer it), the rest is dropped from
//! the buffer as it arrives, and [`Line::TooLong`] is returned once the line's
//! CRLF has gone by. The buffer therefore never holds more than
//! `max_line_octets` octets of one line, plus whatever the caller appended
//! since the last call.
//!
//! Only CRLF ends a line. A bare LF or a bare CR is an ordinary octet of the
//! line, for the protocol's parser to refuse (RFC 5321 §2.3.8, RFC 1939 §3,
//! RFC 9051 §2.2); [`LineFramer::allow_bare_lf`] turns on the quirk of
//! accepting a bare LF as a line end.

use bytes::{Buf, Bytes, BytesMut};

/// One framed line, as returned by [`LineFramer::next_line`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A complete line, the CRLF (or, with the quirk, the LF) removed.
    Complete(Bytes),
    /// A line longer than the limit. It has been consumed from the buffer up
    /// to and including its line end; `head` holds its first octets (at most
    /// [`LineFramer::HEAD_OCTETS`]), so the session can recover a tag or a
    /// command name for its error reply.
    TooLong {
        /// The first octets of the over-long line.
        head: Bytes,
    },
}

/// Splits CRLF-terminated lines off a receive buffer (see the
/// [module docs](self)).
#[derive(Debug, Clone)]
pub struct LineFramer {
    max_line_octets: usize,
    bare_lf: bool,
    /// Octets at the front of the buffer already known to hold no line end.
    scanned: usize,
    /// `Some(head)` while the rest of an over-long line is being dropped.
    skipping: Option<Bytes>,
    /// While skipping: the last octet dropped was CR.
    skipped_cr: bool,
}

impl LineFramer {
    /// How many octets of an over-long line [`Line::TooLong`] keeps.
    pub const HEAD_OCTETS: usize = 128;

    /// A framer that accepts lines of at most `max_line_octets` octets,
    /// counting the CRLF (so `"NOOP\r\n"` is 6 octets).
    pub fn new(max_line_octets: usize) -> Self {
        Self {
            max_line_octets,
            bare_lf: false,
            scanned: 0,
            skipping: None,
            skipped_cr: false,
        }
    }

    /// Changes the limit for the lines that follow (for example a tighter
    /// limit before IMAP login). A line already partly scanned is judged by
    /// the new limit.
    pub fn set_max_line_octets(&mut self, n: usize) {
        self.max_line_octets = n;
    }

    /// The current limit, in octets including the CRLF.
    pub fn max_line_octets(&self) -> usize {
        self.max_line_octets
    }

    /// Quirk, off by default: also accept a bare LF as a line end (a CR
    /// before the LF is then removed too). Never use this where a line end
    /// decides where a message body stops.
    pub fn allow_bare_lf(&mut self, yes: bool) {
        self.bare_lf = yes;
    }

    /// Forgets the scanning progress and any over-long line being skipped.
    /// Call it after removing or replacing bytes in the buffer yourself (for
    /// example when the plaintext after a STARTTLS command is discarded): the
    /// framer remembers how far into the buffer it has already looked.
    pub fn reset(&mut self) {
        self.scanned = 0;
        self.skipping = None;
        self.skipped_cr = false;
    }

    /// Splits the next line off the front of `buf` (CRLF removed). `None`:
    /// more bytes needed. An over-long line is never buffered whole: its
    /// first [`HEAD_OCTETS`](Self::HEAD_OCTETS) are kept, the rest is dropped
    /// from `buf` as it arrives, and `TooLong { head }` is returned once its
    /// CRLF has been seen.
    ///
    /// Octets already looked at are not scanned again on the next call, so a
    /// line that arrives one octet at a time costs linear time. The framer
    /// expects `buf` to change only by appending between calls; see
    /// [`reset`](Self::reset) otherwise.
    pub fn next_line(&mut self, buf: &mut BytesMut) -> Option<Line> {
        if self.scanned > buf.len() {
            // The caller took bytes out behind our back: start over.
            self.scanned = 0;
        }
        if self.skipping.is_some() {
            return self.skip(buf);
        }
        let window = buf.len().min(self.max_line_octets);
        let mut from = self.scanned;
        while let Some(lf) = buf
            .get(from..window)
            .and_then(|hay| memchr::memchr(b'\n', hay))
            .map(|i| i + from)
        {
            let cr = lf > 0 && buf.get(lf - 1) == Some(&b'\r');
            if cr || self.bare_lf {
                let content = if cr { lf - 1 } else { lf };
                let mut line = buf.split_to(lf + 1);
                line.truncate(content);
                self.scanned = 0;
                return Some(Line::Complete(line.freeze()));
            }
            // A bare LF is an octet of the line.
            from = lf + 1;
        }
        if buf.len() < self.max_line_octets {
            self.scanned = window;
            return None;
        }
        // The line end, if any, lies at or beyond `max_line_octets`: the line
        // is too long. Keep its head and drop the rest as it comes.
        // A CR at the very end of the head may belong to the CRLF: drop it.
        let mut head = buf.get(..Self::HEAD_OCTETS.min(window)).unwrap_or(&[]);
        if let Some(h) = head.strip_suffix(b"\r") {
            head = h;
        }
        self.skipping = Some(Bytes::copy_from_slice(head));
        // Nothing before `window` ends the line, but an LF at `window` may
        // pair with a CR just before it: keep that one octet. (An LF kept
        // there is bare: a CRLF or, with the quirk, any LF inside the window
        // was found above.)
        self.skipped_cr = false;
        buf.advance(window.saturating_sub(1));
        self.scanned = 0;
        self.skip(buf)
    }

    /// Drops the rest of an over-long line; returns `TooLong` at its end.
    fn skip(&mut self, buf: &mut BytesMut) -> Option<Line> {
        let mut from = 0;
        while let Some(lf) = buf
            .get(from..)
            .and_then(|hay| memchr::memchr(b'\n', hay))
            .map(|i| i + from)
        {
            let cr = if lf == 0 {
                self.skipped_cr
            } else {
                buf.get(lf - 1) == Some(&b'\r')
            };
            if cr || self.bare_lf {
                buf.advance(lf + 1);
                self.skipped_cr = false;
                let head = self.skipping.take().unwrap_or_default();
                return Some(Line::TooLong { head });
            }
            from = lf + 1;
        }
        if let Some(&last) = buf.last() {
            self.skipped_cr = last == b'\r';
        }
        buf.clear();
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(s: &[u8]) -> Option<Line> {
        Some(Line::Complete(Bytes::copy_from_slice(s)))
    }

    #[test]
    fn rfc5321_2_3_8_crlf_ends_line() {
        let mut f = LineFramer::new(512);
        let mut buf = BytesMut::from(&b"EHLO a\r\nNOOP\r\nQU"[..]);
        assert_eq!(f.next_line(&mut buf), complete(b"EHLO a"));
        assert_eq!(f.next_line(&mut buf), complete(b"NOOP"));
        assert_eq!(f.next_line(&mut buf), None);
        buf.extend_from_slice(b"IT\r\n");
        assert_eq!(f.next_line(&mut buf), complete(b"QUIT"));
        assert!(buf.is_empty());
    }

    #[test]
    fn crlf_split_across_calls() {
        let mut f = LineFramer::new(512);
        let mut buf = BytesMut::from(&b"NOOP\r"[..]);
        assert_eq!(f.next_line(&mut buf), None);
        buf.extend_from_slice(b"\n");
        assert_eq!(f.next_line(&mut buf), complete(b"NOOP"));
        assert_eq!(f.next_line(&mut buf), None);
    }

    #[test]
    fn bare_lf_is_line_content_by_default() {
        let mut f = LineFramer::new(512);
        let mut buf = BytesMut::from(&b"a\nb\rc\r\n"[..]);
        assert_eq!(f.next_line(&mut buf), complete(b"a\nb\rc"));
    }

    #[test]
    fn bare_lf_quirk_ends_line() {
        let mut f = LineFramer::new(512);
        f.allow_bare_lf(true);
        let mut buf = BytesMut::from(&b"a\nb\r\nc"[..]);
        assert_eq!(f.next_line(&mut buf), complete(b"a"));
        assert_eq!(f.next_line(&mut buf), complete(b"b"));
        assert_eq!(f.next_line(&mut buf), None);
        f.allow_bare_lf(false);
        buf.extend_from_slice(b"\nd\r\n");
        assert_eq!(f.next_line(&mut buf), complete(b"c\nd"));
    }

    #[test]
    fn limit_counts_crlf() {
        let mut f = LineFramer::new(6);
        let mut buf = BytesMut::from(&b"NOOP\r\nNOOPS\r\nQUIT\r\n"[..]);
        assert_eq!(f.next_line(&mut buf), complete(b"NOOP"));
        assert_eq!(
            f.next_line(&mut buf),
            Some(Line::TooLong {
                head: Bytes::from_static(b"NOOPS")
            })
        );
        assert_eq!(f.next_line(&mut buf), complete(b"QUIT"));
    }

    #[test]
    fn too_long_line_reported_with_head_and_skipped_without_buffering() {
        let limit = 512;
        let mut f = LineFramer::new(limit);
        let mut buf = BytesMut::new();
        let mut line = b"A0001 ".to_vec();
        line.extend(std::iter::repeat_n(b'x', 100_000));
        line.extend_from_slice(b"\r\nA0002 NOOP\r\n");
        let mut got = Vec::new();
        for piece in line.chunks(100) {
            buf.extend_from_slice(piece);
            while let Some(l) = f.next_line(&mut buf) {
                got.push(l);
            }
            assert!(buf.len() <= limit, "buffer grew to {}", buf.len());
        }
        assert_eq!(got.len(), 2);
        match &got[0] {
            Line::TooLong { head } => {
                assert_eq!(head.len(), LineFramer::HEAD_OCTETS);
                assert!(head.starts_with(b"A0001 xxx"));
            }
            other => panic!("expected TooLong, got {other:?}"),
        }
        assert_eq!(got[1], Line::Complete(Bytes::from_static(b"A0002 NOOP")));
    }

    #[test]
    fn too_long_crlf_split_while_skipping() {
        let mut f = LineFramer::new(4);
        let mut buf = BytesMut::from(&b"abcdefg\r"[..]);
        assert_eq!(f.next_line(&mut buf), None);
        assert!(buf.is_empty());
        // A bare LF while skipping does not end the line.
        buf.extend_from_slice(b"x\nyz\r");
        assert_eq!(f.next_line(&mut buf), None);
        buf.extend_from_slice(b"\nok\r\n");
        assert_eq!(
            f.next_line(&mut buf),
            Some(Line::TooLong {
                head: Bytes::from_static(b"abcd")
            })
        );
        assert_eq!(f.next_line(&mut buf), complete(b"ok"));
    }

    #[test]
    fn too_long_cr_at_limit_pairs_with_lf_after() {
        // "abc\r" fills the limit of 4; the LF after it makes a 5-octet line.
        let mut f = LineFramer::new(4);
        let mut buf = BytesMut::from(&b"abc\r"[..]);
        assert_eq!(f.next_line(&mut buf), None);
        buf.extend_from_slice(b"\nok\r\n");
        assert_eq!(
            f.next_line(&mut buf),
            Some(Line::TooLong {
                head: Bytes::from_static(b"abc")
            })
        );
        assert_eq!(f.next_line(&mut buf), complete(b"ok"));
    }

    #[test]
    fn line_of_exactly_the_limit_is_complete() {
        let mut f = LineFramer::new(6);
        let mut buf = BytesMut::new();
        for &b in b"NOOP\r\n" {
            buf.extend_from_slice(&[b]);
            if let Some(l) = f.next_line(&mut buf) {
                assert_eq!(Some(l), complete(b"NOOP"));
                return;
            }
        }
        panic!("no line");
    }

    #[test]
    fn set_max_line_octets_applies_to_next_line() {
        let mut f = LineFramer::new(100);
        assert_eq!(f.max_line_octets(), 100);
        let mut buf = BytesMut::from(&b"a123456789\r\nb1\r\n"[..]);
        f.set_max_line_octets(5);
        assert!(matches!(f.next_line(&mut buf), Some(Line::TooLong { .. })));
        assert_eq!(f.next_line(&mut buf), complete(b"b1"));
    }

    #[test]
    fn reset_after_external_discard() {
        let mut f = LineFramer::new(100);
        let mut buf = BytesMut::from(&b"garbage without end"[..]);
        assert_eq!(f.next_line(&mut buf), None);
        buf.clear();
        f.reset();
        buf.extend_from_slice(b"a\r\nlonger line here\r\n");
        assert_eq!(f.next_line(&mut buf), complete(b"a"));
        assert_eq!(f.next_line(&mut buf), complete(b"longer line here"));
    }

    #[test]
    fn shrunk_buffer_without_reset_rescans() {
        let mut f = LineFramer::new(100);
        let mut buf = BytesMut::from(&b"0123456789"[..]);
        assert_eq!(f.next_line(&mut buf), None);
        buf.clear();
        buf.extend_from_slice(b"a\r\n");
        assert_eq!(f.next_line(&mut buf), complete(b"a"));
    }

    #[test]
    fn zero_limit_never_panics() {
        let mut f = LineFramer::new(0);
        let mut buf = BytesMut::from(&b"\r\nx\r\n"[..]);
        assert_eq!(
            f.next_line(&mut buf),
            Some(Line::TooLong { head: Bytes::new() })
        );
        assert!(matches!(f.next_line(&mut buf), Some(Line::TooLong { .. })));
        assert_eq!(f.next_line(&mut buf), None);
    }
}
