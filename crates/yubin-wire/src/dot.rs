//! Dot-stuffing and un-stuffing of message bodies (SMTP DATA, RFC 5321
//! §4.5.2; POP3 multi-line responses, RFC 1939 §3).
//!
//! # Receiving: [`Unstuffer`]
//!
//! The body ends only at CRLF "." CRLF, where the first CRLF is either the
//! end of a body line or the very start of the body (".\r\n" alone is the
//! empty body). `LF.LF`, `CR.CR`, `LF.CRLF` and `CRLF.LF` end nothing: a body
//! that a lenient receiver would cut short at one of those is passed through
//! whole, which is what defeats SMTP smuggling. The terminator is found
//! however the input is split across calls.
//!
//! A dot at the start of a line is a stuffing dot and is removed ("..x"
//! becomes ".x", the first line of the body included). A line starts at the
//! start of the body and after every LF, the LF of a CRLF or a bare LF: the
//! [`Stuffer`] stuffs after every LF as well, so that a receiver taking a
//! bare LF for a line end cannot be tricked, and the two are exact inverses
//! on any bytes. (Bodies that follow RFC 5321 §2.3.8 hold no bare LF, where
//! this is plain RFC 5321 §4.5.2.)
//!
//! A bare CR or bare LF in the body is handled by a [`BareEol`] policy.
//!
//! Body chunks are [`Bytes`] split off the caller's receive buffer without
//! copying: a run of lines between two stuffed dots is one chunk. The scan
//! looks at every octet once (with `memchr`); at most the two octets after a
//! line end (".\r", a possible terminator) are held back until more input
//! arrives.
//!
//! # Sending: [`Stuffer`]
//!
//! [`Stuffer::push`] copies the body into the output in runs, adding a dot
//! before every line that starts with "."; [`Stuffer::finish`] adds a CRLF
//! when the body did not end with one, then the terminator ".\r\n".

use bytes::{Buf, Bytes, BytesMut};

/// What the [`Unstuffer`] does with a CR not followed by LF, or an LF not
/// preceded by CR, inside a body. RFC 5321 §2.3.8 forbids both; neither ever
/// ends the body, whatever the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BareEol {
    /// Pass the octets through unchanged, but remember them
    /// ([`Unstuffer::bare_eol_seen`]): the SMTP server answers
    /// `550 5.6.11` at the end of the body.
    Reject,
    /// Pass the octets through unchanged.
    Allow,
    /// Replace each bare CR and each bare LF with CRLF (and remember them, as
    /// [`Reject`](Self::Reject) does).
    Normalize,
}

/// One step of an un-stuffed body, as returned by [`Unstuffer::next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The next octets of the body, stuffing dots removed.
    Chunk(Bytes),
    /// The terminator has been consumed: the body is complete.
    End,
}

/// Where the next octet of the input stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineStart {
    /// Inside a line.
    No,
    /// At the start of the body or after CRLF: a dot here is stuffing, or
    /// the start of the terminator.
    AfterCrlf,
    /// After a bare LF: a dot here is stuffing, never a terminator.
    AfterLf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Body,
    /// The terminator was consumed along with the last chunk.
    EndPending,
    Done,
}

const CR: u8 = b'\r';
const LF: u8 = b'\n';

/// Streaming dot-unstuffer (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct Unstuffer {
    policy: BareEol,
    phase: Phase,
    at: LineStart,
    /// The last octet handed out was a CR whose next octet is not known yet.
    prev_cr: bool,
    /// A line end to hand out before anything else ([`BareEol::Normalize`]).
    pending: Option<Bytes>,
    bare_eol_seen: bool,
    body_octets: u64,
    /// Finds "\n." (a line that starts with a dot).
    dot_finder: memchr::memmem::Finder<'static>,
}

impl Unstuffer {
    /// An unstuffer at the start of a body.
    pub fn new(policy: BareEol) -> Self {
        Self {
            policy,
            phase: Phase::Body,
            at: LineStart::AfterCrlf,
            prev_cr: false,
            pending: None,
            bare_eol_seen: false,
            body_octets: 0,
            dot_finder: memchr::memmem::Finder::new(b"\n."),
        }
    }

    /// Makes the unstuffer ready for a new body (same policy).
    pub fn reset(&mut self) {
        *self = Self::new(self.policy);
    }

    /// Splits dot-unstuffed body bytes off the front of `buf`. `End` once
    /// CRLF.CRLF has been consumed (the final CRLF of the body is kept in the
    /// chunks: the body is "line\r\n" for "line\r\n.\r\n"); what follows in
    /// `buf` belongs to the next command/response.
    ///
    /// `None`: more input is needed (everything that could be handed out
    /// has been), or the body has ended and `End` was already returned.
    /// Call it in a loop until `None` after each append to `buf`. Chunks are
    /// never empty.
    pub fn next(&mut self, buf: &mut BytesMut) -> Option<Body> {
        match self.phase {
            Phase::Body => {}
            Phase::EndPending => {
                self.phase = Phase::Done;
                return Some(Body::End);
            }
            Phase::Done => return None,
        }
        if let Some(p) = self.pending.take() {
            return Some(self.emit(p));
        }
        // Whether an LF at index 0 completes a CRLF.
        let mut cr_before = false;
        if self.prev_cr {
            let &first = buf.first()?;
            self.prev_cr = false;
            if first == LF {
                cr_before = true;
            } else {
                self.bare();
                if self.policy == BareEol::Normalize {
                    return Some(self.emit(Bytes::from_static(b"\n")));
                }
            }
        }
        match self.at {
            LineStart::No => {}
            LineStart::AfterCrlf => {
                if buf.first()? == &b'.' {
                    if buf.get(1)? == &CR && buf.get(2)? == &LF {
                        buf.advance(3);
                        self.phase = Phase::Done;
                        return Some(Body::End);
                    }
                    buf.advance(1);
                }
            }
            LineStart::AfterLf => {
                if buf.first()? == &b'.' {
                    buf.advance(1);
                }
            }
        }
        self.at = LineStart::No;
        self.scan(buf, cr_before)
    }

    /// `true` once a bare CR or bare LF has been seen in the body (tracked
    /// under [`BareEol::Reject`] and [`BareEol::Normalize`]; always `false`
    /// under [`BareEol::Allow`]).
    pub fn bare_eol_seen(&self) -> bool {
        self.bare_eol_seen
    }

    /// Unstuffed octets handed out so far (what the body weighs, for a size
    /// limit).
    pub fn body_octets(&self) -> u64 {
        self.body_octets
    }

    /// `true` once [`Body::End`] has been returned.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// The policy given to [`new`](Self::new).
    pub fn policy(&self) -> BareEol {
        self.policy
    }

    fn bare(&mut self) {
        if self.policy != BareEol::Allow {
            self.bare_eol_seen = true;
        }
    }

    fn emit(&mut self, chunk: Bytes) -> Body {
        self.body_octets = self
            .body_octets
            .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        Body::Chunk(chunk)
    }

    /// Hands out `buf[..n]` (`n > 0`).
    ///
    /// Under [`BareEol::Reject`], until a bare line end has been seen, the
    /// octets are checked for one first (`cr_before`: the octet before them
    /// was CR).
    fn emit_front(&mut self, buf: &mut BytesMut, n: usize, cr_before: bool) -> Option<Body> {
        if self.policy == BareEol::Reject && !self.bare_eol_seen {
            let region = buf.get(..n).unwrap_or(&[]);
            if has_bare_eol(region, cr_before, buf.get(n).copied()) {
                self.bare_eol_seen = true;
            }
        }
        let chunk = buf.split_to(n).freeze();
        Some(self.emit(chunk))
    }

    /// Hands out all of `buf` (no line end in it needs a split), noting
    /// what its last octet means for the next call.
    fn emit_rest(&mut self, buf: &mut BytesMut, cr_before: bool) -> Option<Body> {
        let n = buf.len();
        let &last = buf.last()?;
        self.prev_cr = last == CR;
        if last == LF {
            let crlf = match n.checked_sub(2) {
                Some(p) => buf.get(p) == Some(&CR),
                None => cr_before,
            };
            if crlf {
                self.at = LineStart::AfterCrlf;
            } else {
                self.bare();
                self.at = LineStart::AfterLf;
            }
        }
        self.emit_front(buf, n, cr_before)
    }

    /// Scans from the front of `buf`, which is inside a line, up to the next
    /// point that needs a split (a stuffing dot, the terminator, a rewritten
    /// line end) or the end of the input.
    fn scan(&mut self, buf: &mut BytesMut, cr_before: bool) -> Option<Body> {
        let mut from = 0;
        loop {
            let watch_bare = match self.policy {
                BareEol::Allow => false,
                // Checked per chunk in `emit_front`, without stopping at
                // every line end.
                BareEol::Reject => false,
                BareEol::Normalize => true,
            };
            let rest = buf.get(from..).unwrap_or(&[]);
            let lf = if watch_bare {
                // Every CR and LF needs a look.
                let Some(i) = memchr::memchr2(CR, LF, rest).map(|i| i + from) else {
                    return self.emit_rest(buf, cr_before);
                };
                if buf.get(i) == Some(&CR) {
                    match buf.get(i + 1) {
                        None => {
                            // The next octet decides; hand the CR out now.
                            self.prev_cr = true;
                            return self.emit_front(buf, i + 1, cr_before);
                        }
                        Some(&LF) => i + 1,
                        Some(_) => {
                            self.bare();
                            if self.policy == BareEol::Normalize {
                                self.pending = Some(Bytes::from_static(b"\n"));
                                return self.emit_front(buf, i + 1, cr_before);
                            }
                            from = i + 1;
                            continue;
                        }
                    }
                } else {
                    i
                }
            } else {
                // Only an LF followed by a dot needs a look: the same search
                // as a plain scan for the stuffed lines.
                let Some(i) = self.dot_finder.find(rest).map(|i| i + from) else {
                    return self.emit_rest(buf, cr_before);
                };
                i
            };
            let crlf = match lf.checked_sub(1) {
                Some(p) => buf.get(p) == Some(&CR),
                None => cr_before,
            };
            if !crlf {
                self.bare();
                if self.policy == BareEol::Normalize {
                    let crlf = Bytes::from_static(b"\r\n");
                    self.at = LineStart::AfterLf;
                    if lf == 0 {
                        buf.advance(1);
                        return Some(self.emit(crlf));
                    }
                    let chunk = buf.split_to(lf).freeze();
                    buf.advance(1);
                    self.pending = Some(crlf);
                    return Some(self.emit(chunk));
                }
            }
            let kind = if crlf {
                LineStart::AfterCrlf
            } else {
                LineStart::AfterLf
            };
            match buf.get(lf + 1) {
                None => {
                    self.at = kind;
                    return self.emit_front(buf, lf + 1, cr_before);
                }
                Some(&b'.') => {
                    if kind == LineStart::AfterCrlf {
                        match (buf.get(lf + 2), buf.get(lf + 3)) {
                            (None, _) | (Some(&CR), None) => {
                                // Maybe the terminator: wait for more.
                                self.at = kind;
                                return self.emit_front(buf, lf + 1, cr_before);
                            }
                            (Some(&CR), Some(&LF)) => {
                                let chunk = self.emit_front(buf, lf + 1, cr_before);
                                buf.advance(3);
                                self.phase = Phase::EndPending;
                                return chunk;
                            }
                            _ => {}
                        }
                    }
                    // A stuffing dot: hand out the lines before it, drop it.
                    let chunk = self.emit_front(buf, lf + 1, cr_before);
                    buf.advance(1);
                    return chunk;
                }
                Some(_) => from = lf + 1,
            }
        }
    }
}

/// Whether `region` holds a CR not followed by LF or an LF not preceded by
/// CR. `cr_before`: the octet before `region` was CR; `next`: the octet after
/// it, if known (a CR at the very end with `next == None` is not judged).
/// Branch-free over blocks, so the compiler can vectorise it.
fn has_bare_eol(region: &[u8], cr_before: bool, next: Option<u8>) -> bool {
    const BLOCK: usize = 4096;
    let (Some(&first), Some(&last)) = (region.first(), region.last()) else {
        return false;
    };
    if (first == LF && !cr_before) || (last == CR && next.is_some_and(|b| b != LF)) {
        return true;
    }
    // Each adjacent pair (x, y): x is CR exactly when y is LF.
    let pairs = region.len() - 1;
    let mut start = 0;
    while start < pairs {
        let end = pairs.min(start + BLOCK);
        let xs = region.get(start..end).unwrap_or(&[]);
        let ys = region.get(start + 1..end + 1).unwrap_or(&[]);
        let bad = xs.iter().zip(ys).fold(0u8, |acc, (&x, &y)| {
            acc | (u8::from(x == CR) ^ u8::from(y == LF))
        });
        if bad != 0 {
            return true;
        }
        start = end;
    }
    false
}

/// Streaming dot-stuffer for the sending side (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct Stuffer {
    /// The next octet starts a line (body start or after LF).
    line_start: bool,
    /// The last octet pushed was CR.
    last_cr: bool,
    /// The body pushed so far ends with CRLF.
    ends_crlf: bool,
    /// Nothing pushed yet.
    empty: bool,
}

impl Default for Stuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl Stuffer {
    /// A stuffer at the start of a body.
    pub fn new() -> Self {
        Self {
            line_start: true,
            last_cr: false,
            ends_crlf: false,
            empty: true,
        }
    }

    /// Appends `chunk` to `out`, with a dot added before every line that
    /// starts with "." (a line starts at the start of the body and after
    /// every LF, bare or not). Chunks may split the body anywhere.
    pub fn push(&mut self, chunk: &[u8], out: &mut BytesMut) {
        let Some(&last) = chunk.last() else {
            return;
        };
        out.reserve(chunk.len() + 1);
        let mut start = 0;
        if self.line_start && chunk.first() == Some(&b'.') {
            out.extend_from_slice(b".");
        }
        for i in memchr::memmem::find_iter(chunk, b"\n.") {
            // Copy through the LF, then the extra dot; the body's own dot
            // starts the next run.
            out.extend_from_slice(chunk.get(start..=i).unwrap_or(&[]));
            out.extend_from_slice(b".");
            start = i + 1;
        }
        out.extend_from_slice(chunk.get(start..).unwrap_or(&[]));
        self.ends_crlf = if last == LF {
            match chunk.len().checked_sub(2) {
                Some(p) => chunk.get(p) == Some(&CR),
                None => self.last_cr,
            }
        } else {
            false
        };
        self.line_start = last == LF;
        self.last_cr = last == CR;
        self.empty = false;
    }

    /// Ends the body: CRLF if it did not end with one (nothing for an empty
    /// body), then ".\r\n". The stuffer is then ready for a new body.
    pub fn finish(&mut self, out: &mut BytesMut) {
        if !self.empty && !self.ends_crlf {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in the given pieces; returns the body, the offset of
    /// the first octet after the terminator (if found) and `bare_eol_seen`.
    fn unstuff_pieces(
        input: &[u8],
        cuts: &[usize],
        policy: BareEol,
    ) -> (Vec<u8>, Option<usize>, bool) {
        let mut u = Unstuffer::new(policy);
        let mut buf = BytesMut::new();
        let mut body = Vec::new();
        let mut fed = 0;
        let mut end = None;
        let mut points: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
        points.sort_unstable();
        points.push(input.len());
        for p in points {
            if p < fed {
                continue;
            }
            buf.extend_from_slice(&input[fed..p]);
            fed = p;
            while let Some(step) = u.next(&mut buf) {
                match step {
                    Body::Chunk(c) => {
                        assert!(!c.is_empty(), "empty chunk");
                        assert!(end.is_none(), "chunk after End");
                        body.extend_from_slice(&c);
                    }
                    Body::End => {
                        assert!(end.is_none(), "End twice");
                        end = Some(fed - buf.len());
                    }
                }
            }
        }
        assert_eq!(u.body_octets(), body.len() as u64);
        (body, end, u.bare_eol_seen())
    }

    fn unstuff(input: &[u8], policy: BareEol) -> (Vec<u8>, Option<usize>, bool) {
        unstuff_pieces(input, &[], policy)
    }

    #[test]
    fn rfc5321_4_5_2_stuffed_lines_and_terminator() {
        let input = b"hello\r\n..dot\r\n...\r\nx.y\r\n.\r\nQUIT\r\n";
        let (body, end, bare) = unstuff(input, BareEol::Reject);
        assert_eq!(body, b"hello\r\n.dot\r\n..\r\nx.y\r\n");
        assert_eq!(end, Some(input.len() - 6));
        assert!(!bare);
    }

    #[test]
    fn rfc5321_4_5_2_empty_body() {
        let (body, end, _) = unstuff(b".\r\nNEXT", BareEol::Reject);
        assert_eq!(body, b"");
        assert_eq!(end, Some(3));
    }

    #[test]
    fn rfc5321_4_5_2_first_line_starts_with_dot() {
        let (body, end, _) = unstuff(b"..first\r\n.\r\n", BareEol::Reject);
        assert_eq!(body, b".first\r\n");
        assert_eq!(end, Some(12));
        // A lone dot stuffed on the first line.
        let (body, end, _) = unstuff(b"..\r\n.\r\n", BareEol::Reject);
        assert_eq!(body, b".\r\n");
        assert_eq!(end, Some(7));
    }

    #[test]
    fn rfc1939_3_multi_line_response_body() {
        // RFC 1939 §7, RETR example, with a stuffed line added.
        let input = b"blah blah ...\r\n..signature\r\n.\r\n";
        let (body, end, _) = unstuff(input, BareEol::Allow);
        assert_eq!(body, b"blah blah ...\r\n.signature\r\n");
        assert_eq!(end, Some(input.len()));
    }

    /// The SMTP smuggling family: none of these ends the body.
    #[test]
    fn smuggling_variants_end_nothing() {
        let variants: [&[u8]; 6] = [
            b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r",
        ];
        for v in variants {
            for policy in [BareEol::Reject, BareEol::Allow, BareEol::Normalize] {
                let mut input = b"a".to_vec();
                input.extend_from_slice(v);
                input.extend_from_slice(b"MAIL FROM:<x>\r\n.\r\nNEXT");
                for cut in 0..=input.len() {
                    let (body, end, bare) = unstuff_pieces(&input, &[cut], policy);
                    assert_eq!(end, Some(input.len() - 4), "{v:?} {policy:?} cut {cut}");
                    assert!(body.ends_with(b"MAIL FROM:<x>\r\n"), "{v:?} {policy:?}");
                    assert_eq!(bare, policy != BareEol::Allow, "{v:?} {policy:?}");
                    if policy == BareEol::Allow {
                        // Bytes pass through; only a dot after an LF goes.
                        let mut expect = input[..input.len() - 7].to_vec();
                        if let Some(p) = expect.windows(2).position(|w| w == b"\n.") {
                            expect.remove(p + 1);
                        }
                        assert_eq!(body, expect, "{v:?}");
                    }
                }
            }
        }
        // At the very start of the body too.
        for v in [&b".\n"[..], b".\r", b".\rX\r\n"] {
            let mut input = v.to_vec();
            input.extend_from_slice(b"\r\n.\r\n");
            let (body, end, _) = unstuff(&input, BareEol::Allow);
            assert_eq!(end, Some(input.len()), "{v:?}");
            assert_eq!(body, [&v[1..], b"\r\n"].concat(), "{v:?}");
        }
    }

    #[test]
    fn terminator_split_at_every_position() {
        let input = b"Subject: x\r\n\r\n..a\r\nbody\r\n.\r\nRSET\r\n";
        let end = input.len() - 6;
        for a in 0..=input.len() {
            for b in a..=input.len() {
                let (body, got, _) = unstuff_pieces(input, &[a, b], BareEol::Reject);
                assert_eq!(body, b"Subject: x\r\n\r\n.a\r\nbody\r\n", "cuts {a} {b}");
                assert_eq!(got, Some(end), "cuts {a} {b}");
            }
        }
        // One octet at a time.
        let cuts: Vec<usize> = (0..input.len()).collect();
        let (body, got, _) = unstuff_pieces(input, &cuts, BareEol::Reject);
        assert_eq!(body, b"Subject: x\r\n\r\n.a\r\nbody\r\n");
        assert_eq!(got, Some(end));
    }

    #[test]
    fn after_end_nothing_more_is_taken() {
        let mut u = Unstuffer::new(BareEol::Reject);
        let mut buf = BytesMut::from(&b"x\r\n.\r\nQUIT\r\n"[..]);
        assert_eq!(
            u.next(&mut buf),
            Some(Body::Chunk(Bytes::from_static(b"x\r\n")))
        );
        assert!(!u.is_done());
        assert_eq!(u.next(&mut buf), Some(Body::End));
        assert!(u.is_done());
        assert_eq!(u.next(&mut buf), None);
        assert_eq!(&buf[..], b"QUIT\r\n");
        u.reset();
        assert!(!u.is_done());
        assert_eq!(u.body_octets(), 0);
        assert_eq!(u.policy(), BareEol::Reject);
    }

    #[test]
    fn stuffed_line_costs_one_split_not_a_copy() {
        let mut buf = BytesMut::from(&b"aaaa\r\n..bb\r\ncc\r\n.\r\n"[..]);
        let base = buf.as_ptr() as usize;
        let mut u = Unstuffer::new(BareEol::Reject);
        let Some(Body::Chunk(c1)) = u.next(&mut buf) else {
            panic!()
        };
        let Some(Body::Chunk(c2)) = u.next(&mut buf) else {
            panic!()
        };
        assert_eq!(&c1[..], b"aaaa\r\n");
        assert_eq!(&c2[..], b".bb\r\ncc\r\n");
        // Both chunks point into the original buffer.
        assert_eq!(c1.as_ptr() as usize, base);
        assert_eq!(c2.as_ptr() as usize, base + 7);
        assert_eq!(u.next(&mut buf), Some(Body::End));
    }

    #[test]
    fn bare_eol_reject_passes_bytes_and_flags() {
        let (body, _, bare) = unstuff(b"a\rb\r\n.\r\n", BareEol::Reject);
        assert_eq!(body, b"a\rb\r\n");
        assert!(bare);
        let (body, _, bare) = unstuff(b"a\nb\r\n.\r\n", BareEol::Reject);
        assert_eq!(body, b"a\nb\r\n");
        assert!(bare);
        let (_, _, bare) = unstuff(b"a\r\nb\r\n.\r\n", BareEol::Reject);
        assert!(!bare);
        // A CR at the end of one read, LF at the start of the next.
        let (_, _, bare) = unstuff_pieces(b"a\r\nb\r\n.\r\n", &[2, 6], BareEol::Reject);
        assert!(!bare);
        // A CR at the end of one read, no LF at the start of the next.
        let (_, _, bare) = unstuff_pieces(b"a\rb\r\n.\r\n", &[2], BareEol::Reject);
        assert!(bare);
    }

    #[test]
    fn bare_eol_normalize_rewrites_to_crlf() {
        let input = b"a\rb\nc\r\r\n\n.d\r\n.\r\n";
        for cut in 0..=input.len() {
            let (body, end, bare) = unstuff_pieces(input, &[cut], BareEol::Normalize);
            assert_eq!(body, b"a\r\nb\r\nc\r\n\r\n\r\nd\r\n", "cut {cut}");
            assert_eq!(end, Some(input.len()));
            assert!(bare);
        }
    }

    #[test]
    fn stuffer_stuffs_lines_starting_with_dot() {
        let mut s = Stuffer::new();
        let mut out = BytesMut::new();
        s.push(b".a\r\nb\r\n.", &mut out);
        s.push(b"\r\n", &mut out);
        s.push(b"", &mut out);
        s.push(b".c\n.d", &mut out);
        s.finish(&mut out);
        assert_eq!(&out[..], b"..a\r\nb\r\n..\r\n..c\n..d\r\n.\r\n");
    }

    #[test]
    fn stuffer_finish_appends_crlf_only_when_needed() {
        let cases: [(&[&[u8]], &[u8]); 6] = [
            (&[], b".\r\n"),
            (&[b"x\r\n"], b"x\r\n.\r\n"),
            (&[b"x\r", b"\n"], b"x\r\n.\r\n"),
            (&[b"x"], b"x\r\n.\r\n"),
            (&[b"x\n"], b"x\n\r\n.\r\n"),
            (&[b"x\r"], b"x\r\r\n.\r\n"),
        ];
        for (pieces, expect) in cases {
            let mut s = Stuffer::default();
            let mut out = BytesMut::new();
            for p in pieces {
                s.push(p, &mut out);
            }
            s.finish(&mut out);
            assert_eq!(&out[..], expect, "{pieces:?}");
            // Ready for the next body.
            out.clear();
            s.push(b".", &mut out);
            s.finish(&mut out);
            assert_eq!(&out[..], b"..\r\n.\r\n");
        }
    }
}
