//! Client connectors: open a TCP or TLS connection, run a yubin client
//! session over it and expose the session as async methods.
//!
//! [`SmtpClient`] sends mail through a submission or relay server:
//! greeting, EHLO, STARTTLS when asked for, AUTH through yubin-sasl, then
//! one [`SmtpClient::send`] per message (pipelined and with BDAT when the
//! server offers them), then [`SmtpClient::quit`].
//!
//! [`Pop3Client`] and [`ImapClient`] do the same for yubin-pop3's and
//! yubin-imap's client sessions: greeting, STLS / STARTTLS when asked for,
//! then one async call per command (`RETR` and large FETCH literals come
//! out in pieces). All three share one socket loop; TLS asked for is never
//! skipped.
//!
//! ```no_run
//! # async fn demo() -> Result<(), yubin_tokio::client::ClientError> {
//! use yubin_smtp::client::{Envelope, Settings};
//! use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};
//! use yubin_tokio::client::{Endpoint, Security, SmtpClient};
//! use yubin_tokio::ClientTls;
//!
//! let mailbox = |s: &str| Mailbox::new(s).expect("a valid address");
//! let host = Host::Domain(Domain::new("client.example.org").expect("a valid name"));
//! let endpoint = Endpoint::new("127.0.0.1:2587", "localhost", Security::StartTls)
//!     .with_tls(ClientTls::DangerAcceptAnyCertificate);
//! let mut smtp = SmtpClient::connect(&endpoint, Settings::new(host)).await?;
//! let envelope = Envelope {
//!     from: ReversePath::Mailbox(mailbox("me@example.org")),
//!     params: MailParams::default(),
//!     recipients: vec![(ForwardPath::Mailbox(mailbox("you@example.org")), RcptParams::default())],
//! };
//! let outcome = smtp.send(envelope, b"Subject: hi\r\n\r\nHello.\r\n").await?;
//! assert!(outcome.delivered());
//! smtp.quit().await?;
//! # Ok(()) }
//! ```

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use yubin_smtp::client::{
    Capabilities, ClientError as SmtpError, Envelope, Event, Outcome, Session, Settings,
};

use crate::driver::now;
use crate::tls::{ClientTls, TlsError};

mod imap;
mod pop3;

pub use imap::{ImapClient, Response as ImapResponse};
pub use pop3::Pop3Client;

/// How the connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all (a relay hop on a trusted network, or tests).
    Plain,
    /// Plain TCP, then the protocol's STARTTLS; the connection fails when
    /// the server does not offer it.
    StartTls,
    /// TLS from the first byte (ports 465, 993, 995).
    Implicit,
}

/// Where and how to connect.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// `host:port` to connect to.
    pub address: String,
    /// The name the server's certificate must carry (SNI).
    pub server_name: String,
    /// Plain, STARTTLS or implicit TLS.
    pub security: Security,
    /// Which certificates to trust. Default: none besides what
    /// [`Endpoint::with_tls`] sets, so TLS fails until it is set.
    pub tls: Option<ClientTls>,
    /// Time allowed for the TCP connect and the TLS handshake, each.
    /// Default 30 s.
    pub connect_timeout: Duration,
    /// Time allowed for any one read or write. Default 300 s (RFC 5321
    /// §4.5.3.2 gives the client 5 to 10 minutes per step).
    pub io_timeout: Duration,
}

impl Endpoint {
    /// An endpoint with the default timeouts.
    pub fn new(
        address: impl Into<String>,
        server_name: impl Into<String>,
        security: Security,
    ) -> Self {
        Self {
            address: address.into(),
            server_name: server_name.into(),
            security,
            tls: None,
            connect_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(300),
        }
    }

    /// Sets the certificates to trust.
    #[must_use]
    pub fn with_tls(mut self, tls: ClientTls) -> Self {
        self.tls = Some(tls);
        self
    }
}

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The socket failed.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// Connect, handshake, read or write took too long.
    #[error("timed out")]
    Timeout,
    /// TLS could not be set up.
    #[error("tls: {0}")]
    Tls(#[from] TlsError),
    /// TLS was asked for but the server does not offer STARTTLS.
    #[error("the server does not offer STARTTLS")]
    NoStartTls,
    /// The server name is not a valid DNS name or address.
    #[error("invalid server name {0:?}")]
    ServerName(String),
    /// The SMTP session failed (a refused greeting, EHLO or AUTH, a
    /// malformed reply).
    #[error("smtp: {0}")]
    Smtp(SmtpError),
    /// The POP3 session failed or refused the call (a malformed response,
    /// a command it cannot send now).
    #[error("pop3: {0}")]
    Pop3(yubin_pop3::client::ClientError),
    /// The IMAP session refused the call (busy, closed).
    #[error("imap: {0}")]
    Imap(yubin_imap::client::ClientError),
    /// The server refused: a POP3 `-ERR`, an IMAP `NO`, `BAD` or `BYE`,
    /// with its text.
    #[error("refused: {0}")]
    Refused(String),
    /// The session cannot take this call now (an envelope without
    /// recipients, or a call after the session closed).
    #[error("the session cannot take this call now")]
    Misuse,
    /// The server closed the connection.
    #[error("the server closed the connection")]
    Closed,
}

/// A plain or TLS client stream.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    /// Only while a STARTTLS handshake owns the socket.
    Gone,
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_read(cx, buf),
            Stream::Tls(io) => Pin::new(io).poll_read(cx, buf),
            Stream::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_write(cx, buf),
            Stream::Tls(io) => Pin::new(io).poll_write(cx, buf),
            Stream::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_flush(cx),
            Stream::Tls(io) => Pin::new(io).poll_flush(cx),
            Stream::Gone => Poll::Ready(Ok(())),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(io) => Pin::new(io).poll_shutdown(cx),
            Stream::Tls(io) => Pin::new(io).poll_shutdown(cx),
            Stream::Gone => Poll::Ready(Ok(())),
        }
    }
}

/// The TLS pieces an endpoint needs: a connector and the SNI name.
fn tls_parts(endpoint: &Endpoint) -> Result<(TlsConnector, ServerName<'static>), ClientError> {
    let connector = endpoint
        .tls
        .as_ref()
        .ok_or(ClientError::Tls(TlsError::NoCertificate(
            "client trust roots".to_owned(),
        )))?
        .connector()?;
    let name = ServerName::try_from(endpoint.server_name.clone())
        .map_err(|_| ClientError::ServerName(endpoint.server_name.clone()))?;
    Ok((connector, name))
}

async fn within<T>(
    limit: Duration,
    f: impl Future<Output = io::Result<T>>,
) -> Result<T, ClientError> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => Ok(r?),
        Err(_) => Err(ClientError::Timeout),
    }
}

/// Connects and, for implicit TLS, runs the handshake.
async fn open(
    endpoint: &Endpoint,
) -> Result<(Stream, Option<(TlsConnector, ServerName<'static>)>), ClientError> {
    let tcp = within(
        endpoint.connect_timeout,
        TcpStream::connect(endpoint.address.as_str()),
    )
    .await?;
    tcp.set_nodelay(true)?;
    match endpoint.security {
        Security::Plain => Ok((Stream::Plain(tcp), None)),
        Security::StartTls => Ok((Stream::Plain(tcp), Some(tls_parts(endpoint)?))),
        Security::Implicit => {
            let (connector, name) = tls_parts(endpoint)?;
            let tls = within(endpoint.connect_timeout, connector.connect(name, tcp)).await?;
            Ok((Stream::Tls(Box::new(tls)), None))
        }
    }
}

/// A client session as the transport drives it: bytes in, bytes out, and
/// (for the sessions that keep one) a response deadline.
trait Sans {
    type Event;
    fn receive(&mut self, now: std::time::Instant, bytes: &[u8]) -> usize;
    fn outgoing(&self) -> &[u8];
    fn sent(&mut self, n: usize);
    fn next_event(&mut self) -> Option<Self::Event>;
    fn is_closed(&self) -> bool;
    fn deadline(&self) -> Option<std::time::Instant> {
        None
    }
    /// Called when the deadline (or the i/o limit) passed with no input.
    fn timeout(&mut self, _now: std::time::Instant) {}
}

impl Sans for Session {
    type Event = Event;
    fn receive(&mut self, now: std::time::Instant, bytes: &[u8]) -> usize {
        Session::receive(self, now, bytes)
    }
    fn next_event(&mut self) -> Option<Event> {
        Session::next_event(self)
    }
    fn is_closed(&self) -> bool {
        Session::is_closed(self)
    }
    fn timeout(&mut self, now: std::time::Instant) {
        Session::timeout(self, now);
    }
    fn outgoing(&self) -> &[u8] {
        Session::outgoing(self)
    }
    fn sent(&mut self, n: usize) {
        Session::sent(self, n);
    }
    fn deadline(&self) -> Option<std::time::Instant> {
        Session::deadline(self)
    }
}

/// The socket side of a client connection, shared by the three clients:
/// writes what the session queued, reads into a pending buffer the session
/// takes from, and runs the STARTTLS handshake.
struct Transport {
    io: Stream,
    /// Bytes read but not yet taken by the session.
    pending: Vec<u8>,
    /// The read buffer, kept between reads.
    buf: Vec<u8>,
    starttls: Option<(TlsConnector, ServerName<'static>)>,
    connect_timeout: Duration,
    io_timeout: Duration,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

/// What one [`Transport::pump`] did.
enum Pumped {
    /// The session took bytes (its events may have changed).
    Progress,
    /// Nothing arrived in time: the session's deadline or the i/o limit.
    TimedOut,
}

impl Transport {
    async fn open(endpoint: &Endpoint) -> Result<Self, ClientError> {
        let (io, starttls) = open(endpoint).await?;
        Ok(Self {
            io,
            pending: Vec::new(),
            buf: Vec::new(),
            starttls,
            connect_timeout: endpoint.connect_timeout,
            io_timeout: endpoint.io_timeout,
        })
    }

    /// Writes everything the session has queued.
    async fn flush(&mut self, session: &mut impl Sans) -> Result<(), ClientError> {
        while !session.outgoing().is_empty() {
            let n = within(self.io_timeout, self.io.write(session.outgoing())).await?;
            if n == 0 {
                return Err(ClientError::Closed);
            }
            session.sent(n);
        }
        within(self.io_timeout, self.io.flush()).await
    }

    /// Hands the session bytes it has not taken yet, or reads more (up to
    /// the session's deadline and the i/o limit).
    async fn pump(&mut self, session: &mut impl Sans) -> Result<Pumped, ClientError> {
        if !self.pending.is_empty() {
            let took = session.receive(now(), &self.pending);
            self.pending.drain(..took.min(self.pending.len()));
            if took > 0 {
                return Ok(Pumped::Progress);
            }
        }
        let limit = match session.deadline() {
            Some(d) => d.saturating_duration_since(now()).min(self.io_timeout),
            None => self.io_timeout,
        };
        if !self.read(limit).await? {
            return Ok(Pumped::TimedOut);
        }
        let took = session.receive(now(), &self.pending);
        self.pending.drain(..took.min(self.pending.len()));
        Ok(Pumped::Progress)
    }

    /// The session's next event, writing and reading as it needs; `None`
    /// once the session closed. When nothing arrives in time the session
    /// is told ([`Sans::timeout`]) and may report that as an event;
    /// otherwise it is [`ClientError::Timeout`].
    async fn next<S: Sans>(&mut self, session: &mut S) -> Result<Option<S::Event>, ClientError> {
        loop {
            if let Some(event) = session.next_event() {
                return Ok(Some(event));
            }
            self.flush(session).await?;
            if session.is_closed() {
                return Ok(None);
            }
            if let Pumped::TimedOut = self.pump(session).await? {
                session.timeout(now());
                return session.next_event().map(Some).ok_or(ClientError::Timeout);
            }
        }
    }

    /// Waits up to `limit` for bytes without handing them to a session
    /// (IDLE: the caller decides when to look). True when some arrived.
    async fn wait_readable(&mut self, limit: Duration) -> Result<bool, ClientError> {
        if !self.pending.is_empty() {
            return Ok(true);
        }
        self.read(limit).await
    }

    /// One read of up to 16 KiB into `pending`, within `limit`; false when
    /// nothing came in time.
    async fn read(&mut self, limit: Duration) -> Result<bool, ClientError> {
        if self.buf.is_empty() {
            self.buf = vec![0u8; 16 * 1024];
        }
        match tokio::time::timeout(limit, self.io.read(&mut self.buf)).await {
            Ok(Ok(0)) => Err(ClientError::Closed),
            Ok(Ok(n)) => {
                self.pending
                    .extend_from_slice(self.buf.get(..n).unwrap_or_default());
                Ok(true)
            }
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Ok(false),
        }
    }

    /// The STARTTLS handshake: whatever the server sent after accepting
    /// STARTTLS is discarded with the plaintext buffer.
    async fn upgrade(&mut self) -> Result<(), ClientError> {
        let (connector, name) = self.starttls.take().ok_or(ClientError::NoStartTls)?;
        let Stream::Plain(tcp) = std::mem::replace(&mut self.io, Stream::Gone) else {
            return Err(ClientError::Misuse);
        };
        self.pending.clear();
        let tls = within(self.connect_timeout, connector.connect(name, tcp)).await?;
        self.io = Stream::Tls(Box::new(tls));
        Ok(())
    }

    /// Closes the write side; the peer may have closed first.
    async fn close(&mut self) {
        let _ = self.io.shutdown().await;
    }
}

/// An SMTP (or LMTP) client connection; see the [module](self) docs.
pub struct SmtpClient {
    io: Transport,
    session: Session,
    caps: Capabilities,
}

impl std::fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpClient")
            .field("session", &self.session)
            .field("capabilities", &self.caps)
            .finish_non_exhaustive()
    }
}

impl SmtpClient {
    /// Connects, reads the greeting, says EHLO, runs STARTTLS (for
    /// [`Security::StartTls`]) and AUTH (when `settings.auth` is set).
    pub async fn connect(endpoint: &Endpoint, mut settings: Settings) -> Result<Self, ClientError> {
        let io = Transport::open(endpoint).await?;
        settings.starttls = endpoint.security == Security::StartTls;
        // Asked for TLS: never go on (or send credentials) in the clear.
        settings.require_tls = endpoint.security != Security::Plain;
        let implicit = endpoint.security == Security::Implicit;
        let mut client = Self {
            io,
            session: Session::new(settings, now(), implicit),
            caps: Capabilities::default(),
        };
        match client.next().await? {
            Event::Ready(caps) => {
                client.caps = caps;
                Ok(client)
            }
            Event::Failed(SmtpError::TlsRequired) => Err(ClientError::NoStartTls),
            Event::Failed(e) => Err(ClientError::Smtp(e)),
            _ => Err(ClientError::Closed),
        }
    }

    /// What the server offered in its (last) EHLO reply.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Sends one message: the envelope, then `body` (a whole RFC 5322
    /// message with CRLF line ends; the session dot-stuffs it or sends it as
    /// BDAT chunks). Returns every recipient's reply and the final one(s);
    /// a refused envelope is an [`Outcome`] too, not an error.
    pub async fn send(&mut self, envelope: Envelope, body: &[u8]) -> Result<Outcome, ClientError> {
        self.session
            .send_mail(envelope)
            .map_err(|_| ClientError::Misuse)?;
        loop {
            match self.next().await? {
                Event::SendBody => break,
                Event::Done(outcome) => return Ok(outcome),
                Event::Failed(e) => return Err(ClientError::Smtp(e)),
                Event::Closed => return Err(ClientError::Closed),
                _ => {}
            }
        }
        let mut rest = body;
        while !rest.is_empty() {
            let took = self.session.send_body(rest);
            rest = rest.get(took..).unwrap_or_default();
            if took == 0 || !rest.is_empty() {
                self.io.flush(&mut self.session).await?;
            }
        }
        self.session.end_body();
        loop {
            match self.next().await? {
                Event::Done(outcome) => return Ok(outcome),
                Event::Failed(e) => return Err(ClientError::Smtp(e)),
                Event::Closed => return Err(ClientError::Closed),
                _ => {}
            }
        }
    }

    /// Says QUIT, waits for the reply and closes the connection.
    pub async fn quit(mut self) -> Result<(), ClientError> {
        self.session.quit();
        while !self.session.is_closed() {
            match self.next().await {
                Ok(Event::Closed) | Err(ClientError::Closed) => break,
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        self.io.flush(&mut self.session).await?;
        // The server closes first after 221; our close may race it.
        self.io.close().await;
        Ok(())
    }

    /// The session's next event, reading and writing as it needs; runs the
    /// STARTTLS handshake itself.
    async fn next(&mut self) -> Result<Event, ClientError> {
        loop {
            match self.io.next(&mut self.session).await? {
                Some(Event::StartTls) => {
                    self.io.flush(&mut self.session).await?;
                    self.io.upgrade().await?;
                    self.session.tls_established();
                }
                Some(event) => return Ok(event),
                None => return Ok(Event::Closed),
            }
        }
    }
}
