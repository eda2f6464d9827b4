//! The drive loop of STYLE.md §2, written once for every protocol: receive,
//! drain events (answering them through an async handler), flush the
//! outgoing bytes, wait for input or the session's deadline.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::shutdown::Shutdown;

/// What the driver needs from a sans-IO session. yubin-tokio implements it
/// for the server sessions of yubin-smtp, yubin-pop3 and yubin-imap; an
/// embedder can implement it for a session of their own.
pub trait Session: Send {
    /// The session's event type.
    type Event: Send;

    /// Offers received bytes; returns how many the session took (0 while its
    /// output is full).
    fn receive(&mut self, now: std::time::Instant, bytes: &[u8]) -> usize;
    /// Takes bytes off the front of `buf`, which a socket read filled;
    /// returns how many. The default copies them through
    /// [`Session::receive`]; a session that can adopt the buffer itself
    /// (yubin-smtp's `receive_buf`) overrides it and saves that copy.
    fn receive_buf(&mut self, now: std::time::Instant, buf: &mut BytesMut) -> usize {
        let n = self.receive(now, buf);
        buf.advance(n);
        n
    }
    /// The next event, if any.
    fn next_event(&mut self) -> Option<Self::Event>;
    /// The bytes waiting to be sent.
    fn outgoing(&self) -> &[u8];
    /// Tells the session that `n` bytes of [`Session::outgoing`] went out.
    fn sent(&mut self, n: usize);
    /// When the session wants [`Session::timeout`] called.
    fn deadline(&self) -> Option<std::time::Instant>;
    /// The deadline has passed: the session queues its farewell and closes.
    fn timeout(&mut self, now: std::time::Instant);
    /// The server is shutting down: queue the protocol's farewell (SMTP
    /// `421`, POP3 `-ERR`, IMAP `* BYE`) and close.
    fn shutdown(&mut self, now: std::time::Instant);
    /// True once the session has nothing more to say after its outgoing bytes.
    fn is_closed(&self) -> bool;
    /// Whether this event is the session's signal to switch to TLS (its
    /// go-ahead reply is already queued). Inspected before the event goes to
    /// the handler.
    fn is_tls_signal(event: &Self::Event) -> bool;
    /// The adapter finished the TLS handshake.
    fn tls_established(&mut self);
}

/// The application side of a connection: it answers the session's events.
/// Handlers are async, so a decision may await a database.
pub trait Handler<S: Session>: Send {
    /// Handles one event; answer it through `session` (accept, reject, …).
    fn on_event(&mut self, session: &mut S, event: S::Event) -> impl Future<Output = ()> + Send;

    /// Called each time outgoing bytes were written: a handler that streams
    /// a message body (POP3 `RETR`, IMAP `FETCH BODY[]`) feeds its next chunk
    /// here once the session has room for it. The default does nothing.
    fn on_sent(&mut self, session: &mut S) -> impl Future<Output = ()> + Send {
        let _ = session;
        std::future::ready(())
    }

    /// Resolves when something outside the connection needs the handler
    /// while the session waits for input: another connection changed the
    /// mailbox an IMAP session has selected (IDLE). The driver then calls
    /// [`Handler::on_wake`] and flushes what it queued. Must be cancel-safe
    /// (it is dropped whenever input arrives first). The default never
    /// resolves.
    fn wake(&mut self) -> impl Future<Output = ()> + Send {
        std::future::pending()
    }

    /// Called after [`Handler::wake`] resolved: feed the session (e.g.
    /// IMAP `update`). The default does nothing.
    fn on_wake(&mut self, session: &mut S) -> impl Future<Output = ()> + Send {
        let _ = session;
        std::future::ready(())
    }
}

/// Settings of the drive loop itself (the protocol limits live in each
/// session's `Limits`).
#[derive(Clone, Debug)]
pub struct DriveConfig {
    /// Largest read buffer in octets. Default 16 KiB. A connection starts
    /// with [`IDLE_READ_OCTETS`] and grows towards this while its reads fill
    /// the buffer (a DATA or APPEND upload), then shrinks back when they no
    /// longer do: an idle connection holds about 1 KiB, not this.
    pub read_buffer_octets: usize,
    /// How long a write may block on a peer that does not read before the
    /// connection is dropped. Default 60 s.
    pub write_timeout: Duration,
    /// How long a TLS handshake may take. Default 10 s.
    pub handshake_timeout: Duration,
}

impl Default for DriveConfig {
    fn default() -> Self {
        Self {
            read_buffer_octets: 16 * 1024,
            write_timeout: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// The read buffer of a connection whose reads are small (commands, an
/// idle IMAP client): 1 KiB.
pub const IDLE_READ_OCTETS: usize = 1024;

/// The read buffer's size: grows fourfold while reads fill it, halves
/// while they use less than a quarter of it.
#[derive(Debug)]
struct ReadSize {
    now: usize,
    max: usize,
}

impl ReadSize {
    fn new(max: usize) -> Self {
        let max = max.max(512);
        Self {
            now: IDLE_READ_OCTETS.min(max),
            max,
        }
    }

    /// After a read of `n` octets into room for `room`.
    fn update(&mut self, n: usize, room: usize) {
        if n >= room {
            self.now = self.now.saturating_mul(4).min(self.max);
        } else if n < self.now / 4 {
            self.now = (self.now / 2).max(IDLE_READ_OCTETS.min(self.max));
        }
    }
}

/// How a connection ended.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
#[non_exhaustive]
pub enum End {
    /// The session closed itself (QUIT, LOGOUT, a fatal error, a timeout).
    Closed,
    /// The peer closed the connection.
    PeerClosed,
    /// The peer stopped reading and a write timed out.
    WriteTimeout,
    /// Shutdown: the session was told to say farewell.
    Shutdown,
}

/// A stream that may be upgraded to TLS in place.
pub(crate) enum Stream<IO> {
    Plain(IO),
    Tls(Box<tokio_rustls::server::TlsStream<IO>>),
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_read(cx, buf),
            Stream::Tls(io) => Pin::new(io).poll_read(cx, buf),
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_write(cx, buf),
            Stream::Tls(io) => Pin::new(io).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_flush(cx),
            Stream::Tls(io) => Pin::new(io).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_shutdown(cx),
            Stream::Tls(io) => Pin::new(io).poll_shutdown(cx),
        }
    }
}

/// Runs `session` over `io` until it closes.
///
/// `starttls` is the acceptor used when the session signals an in-band
/// upgrade (`None`: the session should not offer it; a signal is then a
/// fatal error). `shutdown` tells the loop when the server is stopping: the
/// session then gets its [`Session::timeout`] call (its farewell) once the
/// grace period ends.
pub async fn drive<S, H, IO>(
    session: &mut S,
    handler: &mut H,
    io: IO,
    starttls: Option<TlsAcceptor>,
    shutdown: Shutdown,
    config: &DriveConfig,
) -> io::Result<End>
where
    S: Session,
    H: Handler<S>,
    IO: AsyncRead + AsyncWrite + Unpin + Send,
{
    let mut stream = Stream::Plain(io);
    // Each read lands in spare room of `buf`; a session that adopts the
    // octets (`receive_buf`) keeps them without a copy, and the next read
    // then gets fresh room.
    let mut size = ReadSize::new(config.read_buffer_octets);
    let mut buf = BytesMut::new();
    let mut shutdown = shutdown;
    // One timer for the connection's life, moved when the session's deadline
    // moves: a later deadline only updates the entry, so the common case (an
    // idle timeout pushed on by each command) costs no timer-wheel insert and
    // removal per read.
    let timer = tokio::time::sleep_until(Instant::now());
    tokio::pin!(timer);
    loop {
        let upgrade = drain(session, handler).await;
        if let Err(end) = flush(session, handler, &mut stream, config).await {
            return Ok(end);
        }
        if upgrade {
            let Some(acceptor) = starttls.as_ref() else {
                tracing::warn!("session asked for TLS but no certificate is configured");
                return Ok(End::Closed);
            };
            stream = upgrade_stream(stream, acceptor, config).await?;
            session.tls_established();
            continue;
        }
        if session.is_closed() {
            let _ = stream.shutdown().await;
            return Ok(End::Closed);
        }
        let deadline = session.deadline().map(Instant::from_std);
        if let Some(d) = deadline
            && timer.deadline() != d
        {
            timer.as_mut().reset(d);
        }
        buf.clear();
        if buf.capacity() > 2 * size.now {
            // Give back a large buffer once reads are small again.
            buf = BytesMut::new();
        }
        buf.reserve(size.now);
        let room = buf.capacity();
        // Fixed order: shutdown and the deadline first, so a peer that
        // keeps input coming cannot starve them (and no random draw per
        // wait, as an unbiased select makes).
        let n = tokio::select! {
            biased;
            _ = shutdown.closing() => {
                session.shutdown(now());
                drain(session, handler).await;
                let _ = flush(session, handler, &mut stream, config).await;
                let _ = stream.shutdown().await;
                return Ok(End::Shutdown);
            }
            _ = &mut timer, if deadline.is_some() => {
                // Compare with the clock rather than trusting the timer.
                let now = now();
                if session.deadline().is_some_and(|d| d <= now) {
                    session.timeout(now);
                }
                continue;
            }
            r = stream.read_buf(&mut buf) => r?,
            _ = handler.wake() => {
                handler.on_wake(session).await;
                continue;
            }
        };
        size.update(n, room);
        if n == 0 {
            // End of stream: drain what the session still has to say.
            drain(session, handler).await;
            return Ok(End::PeerClosed);
        }
        while !buf.is_empty() {
            let took = session.receive_buf(now(), &mut buf);
            if drain(session, handler).await {
                // Plaintext pipelined after STARTTLS is dropped here and in
                // the session: it must never be executed after the handshake.
                if let Err(end) = flush(session, handler, &mut stream, config).await {
                    return Ok(end);
                }
                let Some(acceptor) = starttls.as_ref() else {
                    return Ok(End::Closed);
                };
                stream = upgrade_stream(stream, acceptor, config).await?;
                session.tls_established();
                break;
            }
            if took == 0 {
                if session.outgoing().is_empty() || session.is_closed() {
                    // The session takes nothing more from this read: it
                    // closed, or the rest is after its last command.
                    break;
                }
                if let Err(end) = flush(session, handler, &mut stream, config).await {
                    return Ok(end);
                }
            }
        }
    }
}

/// The time to hand to sessions (and to session constructors in a factory):
/// tokio's clock, so that a paused test clock (and `tokio::time::advance`)
/// moves the sessions' deadlines too.
pub fn now() -> std::time::Instant {
    Instant::now().into_std()
}

/// Hands every pending event to the handler; true when one was the TLS signal.
async fn drain<S: Session, H: Handler<S>>(session: &mut S, handler: &mut H) -> bool {
    let mut upgrade = false;
    while let Some(event) = session.next_event() {
        upgrade |= S::is_tls_signal(&event);
        handler.on_event(session, event).await;
    }
    upgrade
}

async fn flush<S, H, IO>(
    session: &mut S,
    handler: &mut H,
    stream: &mut Stream<IO>,
    config: &DriveConfig,
) -> Result<(), End>
where
    S: Session,
    H: Handler<S>,
    IO: AsyncRead + AsyncWrite + Unpin + Send,
{
    loop {
        let out = session.outgoing();
        if out.is_empty() {
            break;
        }
        match write_some(stream, out, config.write_timeout).await {
            Ok(0) | Err(End::PeerClosed) => return Err(End::PeerClosed),
            Ok(n) => session.sent(n),
            Err(end) => return Err(end),
        }
        handler.on_sent(session).await;
        // Sending may free room for streamed bodies: the session may ask for more.
        drain(session, handler).await;
    }
    if let Stream::Plain(_) = stream {
        // A plain socket's flush does nothing: it has no buffer of its own.
        return Ok(());
    }
    match tokio::time::timeout(config.write_timeout, stream.flush()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(End::PeerClosed),
        Err(_) => Err(End::WriteTimeout),
    }
}

/// One write of `out`. The first attempt runs without a timer: a socket with
/// room in its send buffer (nearly always) takes the bytes at once, and only
/// a peer that stops reading makes the write wait, for at most `limit`.
async fn write_some<IO>(stream: &mut Stream<IO>, out: &[u8], limit: Duration) -> Result<usize, End>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send,
{
    let first =
        std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *stream).poll_write(cx, out))).await;
    let result = match first {
        Poll::Ready(r) => r,
        Poll::Pending => match tokio::time::timeout(limit, stream.write(out)).await {
            Ok(r) => r,
            Err(_) => return Err(End::WriteTimeout),
        },
    };
    result.map_err(|_| End::PeerClosed)
}

async fn upgrade_stream<IO>(
    stream: Stream<IO>,
    acceptor: &TlsAcceptor,
    config: &DriveConfig,
) -> io::Result<Stream<IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Stream::Plain(io) = stream else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "tls requested on a connection that already has it",
        ));
    };
    match tokio::time::timeout(config.handshake_timeout, acceptor.accept(io)).await {
        Ok(Ok(tls)) => Ok(Stream::Tls(Box::new(tls))),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "tls handshake timed out",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncBufReadExt;

    #[test]
    fn the_read_buffer_grows_with_full_reads_and_shrinks_back() {
        let mut s = ReadSize::new(16 * 1024);
        assert_eq!(s.now, IDLE_READ_OCTETS);
        // An upload fills every read: 1 → 4 → 16 KiB, then stays.
        for want in [4096, 16 * 1024, 16 * 1024] {
            s.update(s.now, s.now);
            assert_eq!(s.now, want);
        }
        // A half-full read keeps the size; small reads halve it to 1 KiB.
        s.update(8 * 1024, 16 * 1024);
        assert_eq!(s.now, 16 * 1024);
        for want in [8192, 4096, 2048, 1024, 1024] {
            s.update(20, s.now);
            assert_eq!(s.now, want);
        }
        // A maximum below the idle size is respected.
        let mut tiny = ReadSize::new(100);
        assert_eq!(tiny.now, 512);
        tiny.update(512, 512);
        assert_eq!(tiny.now, 512);
    }

    /// A toy line-echo session: "QUIT" closes, "TLS" signals an upgrade,
    /// everything else is echoed with a prefix. Output is bounded.
    struct Echo {
        rx: Vec<u8>,
        out: Vec<u8>,
        closed: bool,
        deadline: Option<std::time::Instant>,
        max_out: usize,
    }

    impl Echo {
        fn new(idle: Duration) -> Self {
            Self {
                rx: Vec::new(),
                out: b"hello\r\n".to_vec(),
                closed: false,
                deadline: Some(now() + idle),
                max_out: 64,
            }
        }
    }

    impl Session for Echo {
        type Event = String;
        fn receive(&mut self, now: std::time::Instant, bytes: &[u8]) -> usize {
            if self.closed || self.out.len() >= self.max_out {
                return 0;
            }
            self.deadline = Some(now + Duration::from_secs(5));
            let take = bytes.len().min(16);
            self.rx.extend_from_slice(&bytes[..take]);
            take
        }
        // Like the real sessions, a line is taken only once the previous
        // event was answered, so replies keep the commands' order.
        fn next_event(&mut self) -> Option<String> {
            if self.closed {
                return None;
            }
            let pos = self.rx.iter().position(|&b| b == b'\n')?;
            let line: Vec<u8> = self.rx.drain(..=pos).collect();
            let line = String::from_utf8_lossy(&line).trim().to_owned();
            if line == "QUIT" {
                self.out.extend_from_slice(b"bye\r\n");
                self.closed = true;
                None
            } else {
                Some(line)
            }
        }
        fn outgoing(&self) -> &[u8] {
            &self.out
        }
        fn sent(&mut self, n: usize) {
            self.out.drain(..n.min(self.out.len()));
        }
        fn deadline(&self) -> Option<std::time::Instant> {
            self.deadline
        }
        fn timeout(&mut self, _now: std::time::Instant) {
            self.out.extend_from_slice(b"timeout\r\n");
            self.closed = true;
            self.deadline = None;
        }
        fn shutdown(&mut self, now: std::time::Instant) {
            self.timeout(now);
        }
        fn is_closed(&self) -> bool {
            self.closed
        }
        fn is_tls_signal(_event: &String) -> bool {
            false
        }
        fn tls_established(&mut self) {}
    }

    struct EchoApp;
    impl Handler<Echo> for EchoApp {
        async fn on_event(&mut self, session: &mut Echo, event: String) {
            tokio::task::yield_now().await;
            session
                .out
                .extend_from_slice(format!("echo {event}\r\n").as_bytes());
        }
    }

    #[tokio::test]
    async fn drive_echoes_and_closes_on_quit() {
        let (client, server) = tokio::io::duplex(64);
        let task = tokio::spawn(async move {
            let mut s = Echo::new(Duration::from_secs(5));
            drive(
                &mut s,
                &mut EchoApp,
                server,
                None,
                Shutdown::never(),
                &DriveConfig::default(),
            )
            .await
        });
        let (r, mut w) = tokio::io::split(client);
        let mut r = tokio::io::BufReader::new(r);
        w.write_all(b"a\r\nb\r\nQUIT\r\n").await.unwrap();
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            all.push_str(&line);
        }
        assert_eq!(all, "hello\r\necho a\r\necho b\r\nbye\r\n");
        assert_eq!(task.await.unwrap().unwrap(), End::Closed);
    }

    /// Wakes once per message on a channel and says so to the peer.
    struct WakeApp(tokio::sync::mpsc::Receiver<String>, Option<String>);
    impl Handler<Echo> for WakeApp {
        async fn on_event(&mut self, session: &mut Echo, event: String) {
            EchoApp.on_event(session, event).await;
        }
        async fn wake(&mut self) {
            match self.0.recv().await {
                Some(m) => self.1 = Some(m),
                None => std::future::pending().await,
            }
        }
        async fn on_wake(&mut self, session: &mut Echo) {
            if let Some(m) = self.1.take() {
                session
                    .out
                    .extend_from_slice(format!("woken {m}\r\n").as_bytes());
            }
        }
    }

    #[tokio::test]
    async fn drive_wakes_the_handler_while_waiting_for_input() {
        let (client, server) = tokio::io::duplex(64);
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let task = tokio::spawn(async move {
            let mut s = Echo::new(Duration::from_secs(5));
            drive(
                &mut s,
                &mut WakeApp(rx, None),
                server,
                None,
                Shutdown::never(),
                &DriveConfig::default(),
            )
            .await
        });
        let (r, mut w) = tokio::io::split(client);
        let mut r = tokio::io::BufReader::new(r);
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        assert_eq!(line, "hello\r\n");
        tx.send("x".to_owned()).await.unwrap();
        line.clear();
        r.read_line(&mut line).await.unwrap();
        assert_eq!(line, "woken x\r\n");
        w.write_all(b"QUIT\r\n").await.unwrap();
        assert_eq!(task.await.unwrap().unwrap(), End::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn drive_times_out_at_the_deadline() {
        let (client, server) = tokio::io::duplex(64);
        let task = tokio::spawn(async move {
            let mut s = Echo::new(Duration::from_secs(30));
            drive(
                &mut s,
                &mut EchoApp,
                server,
                None,
                Shutdown::never(),
                &DriveConfig::default(),
            )
            .await
        });
        let mut r = tokio::io::BufReader::new(client);
        let mut all = String::new();
        r.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "hello\r\ntimeout\r\n");
        assert_eq!(task.await.unwrap().unwrap(), End::Closed);
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_never_reads_is_cut_and_memory_stays_bounded() {
        // The duplex holds 64 bytes; the session's output holds at most 64 +
        // one reply. The peer writes many lines and reads nothing.
        let (client, server) = tokio::io::duplex(64);
        let task = tokio::spawn(async move {
            let mut s = Echo::new(Duration::from_secs(3600));
            let end = drive(
                &mut s,
                &mut EchoApp,
                server,
                None,
                Shutdown::never(),
                &DriveConfig {
                    write_timeout: Duration::from_secs(2),
                    ..DriveConfig::default()
                },
            )
            .await;
            (end, s.out.len(), s.rx.len())
        });
        let (_r, mut w) = tokio::io::split(client);
        for _ in 0..200 {
            if w.write_all(b"some line of text\r\n").await.is_err() {
                break;
            }
        }
        let (end, out_len, rx_len) = task.await.unwrap();
        assert_eq!(end.unwrap(), End::WriteTimeout);
        assert!(out_len <= 64 + 64, "output grew to {out_len}");
        assert!(rx_len <= 16, "input buffered {rx_len}");
    }
}
