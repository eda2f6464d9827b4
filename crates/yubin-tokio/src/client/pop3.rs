//! [`Pop3Client`]: yubin-pop3's client session over a socket.

use std::sync::Arc;

use bytes::Bytes;
use yubin_pop3::client::{CommandKind, Config, Event, Session};
use yubin_pop3::types::{MsgNum, Reply, Status};
use yubin_sasl::Secret;

use super::{ClientError, Endpoint, Sans, Security, Transport};
use crate::driver::now;

impl Sans for Session {
    type Event = Event;
    fn next_event(&mut self) -> Option<Event> {
        Session::next_event(self)
    }
    fn is_closed(&self) -> bool {
        Session::is_closed(self)
    }
    fn timeout(&mut self, now: std::time::Instant) {
        Session::timeout(self, now);
    }
    fn receive(&mut self, now: std::time::Instant, bytes: &[u8]) -> usize {
        Session::receive(self, now, bytes)
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

/// A POP3 client connection: greeting, `STLS` when asked for, then one
/// async method per command.
///
/// ```no_run
/// # async fn demo() -> Result<(), yubin_tokio::client::ClientError> {
/// use yubin_tokio::client::{Endpoint, Pop3Client, Security};
/// use yubin_tokio::ClientTls;
///
/// let endpoint = Endpoint::new("127.0.0.1:1995", "localhost", Security::Implicit)
///     .with_tls(ClientTls::DangerAcceptAnyCertificate);
/// let mut pop = Pop3Client::connect(&endpoint, Default::default()).await?;
/// pop.login("demo", "secret").await?;
/// let (count, _octets) = pop.stat().await?;
/// if count > 0 {
///     let mut message = Vec::new();
///     pop.retr(1, |chunk| message.extend_from_slice(&chunk)).await?;
/// }
/// pop.quit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pop3Client {
    io: Transport,
    session: Session,
    greeting: Reply,
}

impl Pop3Client {
    /// Connects and reads the greeting; for [`Security::StartTls`] runs
    /// `STLS` and the handshake. A `-ERR` greeting is
    /// [`ClientError::Refused`].
    pub async fn connect(endpoint: &Endpoint, config: Config) -> Result<Self, ClientError> {
        let io = Transport::open(endpoint).await?;
        let mut client = Self {
            io,
            session: Session::new(Arc::new(config), now()),
            greeting: Reply::ok(""),
        };
        match client.next().await? {
            Event::Greeting { reply, .. } if reply.status == Status::Ok => client.greeting = reply,
            Event::Greeting { reply, .. } => return Err(ClientError::Refused(reply.text)),
            _ => return Err(ClientError::Closed),
        }
        if endpoint.security == Security::StartTls {
            client.session.stls().map_err(ClientError::Pop3)?;
            loop {
                match client.next().await? {
                    Event::StartTls => {
                        client.io.flush(&mut client.session).await?;
                        client.io.upgrade().await?;
                        client.session.tls_established();
                        break;
                    }
                    Event::Reply { reply, .. } if reply.status == Status::Err => {
                        return Err(ClientError::NoStartTls);
                    }
                    event => client.other(event)?,
                }
            }
        }
        Ok(client)
    }

    /// The server's greeting.
    pub fn greeting(&self) -> &Reply {
        &self.greeting
    }

    /// `USER` and `PASS`, pipelined. A refusal is [`ClientError::Refused`]
    /// with the server's text.
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), ClientError> {
        self.session.user(user).map_err(ClientError::Pop3)?;
        self.session
            .pass(&Secret::new(password.to_owned()))
            .map_err(ClientError::Pop3)?;
        let mut outcome = Ok(());
        for _ in 0..2 {
            let reply = self.reply().await?;
            // USER's answer may already be -ERR; PASS's then is too.
            if outcome.is_ok()
                && let Some(e) = refused(reply)
            {
                outcome = Err(e);
            }
        }
        outcome
    }

    /// `STAT`: the number of messages and their total size.
    pub async fn stat(&mut self) -> Result<(u32, u64), ClientError> {
        self.session.stat().map_err(ClientError::Pop3)?;
        loop {
            match self.next().await? {
                Event::Stat { count, octets } => return Ok((count, octets)),
                Event::Reply { reply, .. } => {
                    return Err(refused(reply).unwrap_or(ClientError::Closed));
                }
                event => self.other(event)?,
            }
        }
    }

    /// `RETR msg`: `each` gets the dot-unstuffed message in pieces as they
    /// arrive; the message is never held whole here.
    pub async fn retr(&mut self, msg: u32, each: impl FnMut(Bytes)) -> Result<(), ClientError> {
        let msg = MsgNum::new(msg).ok_or(ClientError::Misuse)?;
        self.session.retr(msg).map_err(ClientError::Pop3)?;
        self.body(CommandKind::Retr, each).await
    }

    /// `TOP msg lines`: the header and the first `lines` body lines.
    pub async fn top(
        &mut self,
        msg: u32,
        lines: u32,
        each: impl FnMut(Bytes),
    ) -> Result<(), ClientError> {
        let msg = MsgNum::new(msg).ok_or(ClientError::Misuse)?;
        self.session.top(msg, lines).map_err(ClientError::Pop3)?;
        self.body(CommandKind::Top, each).await
    }

    /// `DELE msg`.
    pub async fn dele(&mut self, msg: u32) -> Result<(), ClientError> {
        let msg = MsgNum::new(msg).ok_or(ClientError::Misuse)?;
        self.session.dele(msg).map_err(ClientError::Pop3)?;
        self.ok().await
    }

    /// `NOOP`.
    pub async fn noop(&mut self) -> Result<(), ClientError> {
        self.session.noop().map_err(ClientError::Pop3)?;
        self.ok().await
    }

    /// `QUIT`: the server removes the messages marked deleted, answers and
    /// closes.
    pub async fn quit(mut self) -> Result<(), ClientError> {
        self.session.quit().map_err(ClientError::Pop3)?;
        let outcome = match self.reply().await {
            Ok(reply) => refused(reply).map_or(Ok(()), Err),
            Err(ClientError::Closed) => Err(ClientError::Closed),
            Err(e) => Err(e),
        };
        self.io.close().await;
        outcome
    }

    async fn ok(&mut self) -> Result<(), ClientError> {
        let reply = self.reply().await?;
        refused(reply).map_or(Ok(()), Err)
    }

    async fn reply(&mut self) -> Result<Reply, ClientError> {
        loop {
            match self.next().await? {
                Event::Reply { reply, .. } => return Ok(reply),
                event => self.other(event)?,
            }
        }
    }

    async fn body(
        &mut self,
        kind: CommandKind,
        mut each: impl FnMut(Bytes),
    ) -> Result<(), ClientError> {
        loop {
            match self.next().await? {
                Event::BodyChunk(chunk) => each(chunk),
                Event::End(k) if k == kind => return Ok(()),
                Event::Reply { reply, .. } if reply.status == Status::Err => {
                    return Err(refused(reply).unwrap_or(ClientError::Closed));
                }
                Event::Reply { .. } => {}
                event => self.other(event)?,
            }
        }
    }

    /// An event no command waits for: the end of the session, or nothing.
    fn other(&mut self, event: Event) -> Result<(), ClientError> {
        match event {
            Event::ProtocolError(e) => Err(ClientError::Pop3(e)),
            Event::Closed => Err(ClientError::Closed),
            _ => Ok(()),
        }
    }

    async fn next(&mut self) -> Result<Event, ClientError> {
        Ok(self
            .io
            .next(&mut self.session)
            .await?
            .unwrap_or(Event::Closed))
    }
}

/// `-ERR` as an error; `None` for `+OK`.
fn refused(reply: Reply) -> Option<ClientError> {
    (reply.status == Status::Err).then(|| ClientError::Refused(reply.text))
}
