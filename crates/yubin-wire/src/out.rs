//! A bounded outgoing buffer with back-pressure.
//!
//! A session writes its replies into an [`OutBuf`]; the I/O driver shows
//! [`OutBuf::as_slice`] to the socket and reports what was written with
//! [`OutBuf::sent`]. While the buffer holds `max_octets` or more
//! ([`OutBuf::is_full`]) the session takes no input, so a peer that pipelines
//! commands but never reads their replies cannot grow it without bound
//! (the rustls model: back-pressure instead of growth).
//!
//! Writes themselves are never refused or truncated, since a reply cut in half
//! would desynchronise the peer: the buffer may end up above `max_octets` by
//! the replies produced for the input taken before it filled. The worst case
//! is `max_octets` plus the replies to one receive call (bounded by the
//! session's receive buffer and line limits).

use bytes::{Buf, BytesMut};

/// The bounded send buffer of a session (see the [module docs](self)).
#[derive(Debug, Clone, Default)]
pub struct OutBuf {
    buf: BytesMut,
    max_octets: usize,
}

impl OutBuf {
    /// An empty buffer that reports [full](Self::is_full) at `max_octets`
    /// octets. The storage grows on demand; nothing is reserved up front.
    pub fn new(max_octets: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            max_octets,
        }
    }

    /// The octets waiting to be written to the peer, oldest first.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Drops the first `n` octets, which the driver has written. `n` larger
    /// than [`len`](Self::len) is clamped (everything is dropped); it never
    /// panics.
    pub fn sent(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.advance(n);
    }

    /// `true` while the buffer holds `max_octets` or more: the session must
    /// take no input until the driver has written some of it.
    pub fn is_full(&self) -> bool {
        self.buf.len() >= self.max_octets
    }

    /// `max_octets - len`, or 0 when the buffer is full.
    pub fn room(&self) -> usize {
        self.max_octets.saturating_sub(self.buf.len())
    }

    /// Appends `bytes` whole (see the [module docs](self) on why a write is
    /// never refused).
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The underlying buffer, for encoders that write straight into it
    /// (for example through [`bytes::BufMut`]). Only append to it: the octets
    /// already there are owed to the peer.
    pub fn buf_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Number of octets waiting to be written.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// `true` when nothing waits to be written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The limit given to [`new`](Self::new) or
    /// [`set_max_octets`](Self::set_max_octets).
    pub fn max_octets(&self) -> usize {
        self.max_octets
    }

    /// Changes the limit; octets already queued stay.
    pub fn set_max_octets(&mut self, max_octets: usize) {
        self.max_octets = max_octets;
    }

    /// Drops everything queued (for example when the connection is gone).
    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_buf_back_pressure_at_limit() {
        let mut out = OutBuf::new(8);
        assert!(out.is_empty());
        assert!(!out.is_full());
        assert_eq!(out.room(), 8);
        out.extend(b"250 OK\r\n");
        assert_eq!(out.len(), 8);
        assert!(out.is_full());
        assert_eq!(out.room(), 0);
        // A write is never truncated, even past the limit.
        out.extend(b"250 OK\r\n");
        assert_eq!(out.as_slice(), b"250 OK\r\n250 OK\r\n");
        assert_eq!(out.room(), 0);
        out.sent(12);
        assert_eq!(out.as_slice(), b"OK\r\n");
        assert!(!out.is_full());
        assert_eq!(out.room(), 4);
    }

    #[test]
    fn out_buf_sent_clamps() {
        let mut out = OutBuf::new(4);
        out.sent(3);
        assert!(out.is_empty());
        out.extend(b"ab");
        out.sent(usize::MAX);
        assert!(out.is_empty());
        assert_eq!(out.as_slice(), b"");
    }

    #[test]
    fn out_buf_buf_mut_appends() {
        use bytes::BufMut;
        let mut out = OutBuf::new(16);
        out.extend(b"+OK ");
        out.buf_mut().put_slice(b"ready\r\n");
        assert_eq!(out.as_slice(), b"+OK ready\r\n");
        assert_eq!(out.max_octets(), 16);
        out.set_max_octets(4);
        assert!(out.is_full());
        out.clear();
        assert!(out.is_empty());
    }

    #[test]
    fn out_buf_zero_limit_is_always_full() {
        let out = OutBuf::new(0);
        assert!(out.is_full());
        assert_eq!(out.room(), 0);
    }
}
