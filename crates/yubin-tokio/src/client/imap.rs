//! [`ImapClient`]: yubin-imap's client session over a socket.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use yubin_imap::client::{Config, Event, Session};
use yubin_imap::types::{CommandBody, Data, Mailbox, RespText, StatusKind, StatusResponse, Tag};

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
    fn receive(&mut self, now: std::time::Instant, bytes: &[u8]) -> usize {
        Session::receive(self, now, bytes)
    }
    fn outgoing(&self) -> &[u8] {
        Session::outgoing(self)
    }
    fn sent(&mut self, n: usize) {
        Session::sent(self, n);
    }
}

/// A command's result: the untagged data it brought and its completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Untagged data (LIST, SEARCH, FETCH, … results), in arrival order.
    pub data: Vec<Data>,
    /// Mailbox updates that arrived while the command ran (EXISTS,
    /// RECENT, EXPUNGE, VANISHED, flag changes by others): for SELECT the
    /// mailbox's size; after NOOP what changed.
    pub updates: Vec<Data>,
    /// OK, NO or BAD.
    pub kind: StatusKind,
    /// The completion's code and text.
    pub text: RespText,
}

/// An IMAP client connection: greeting, STARTTLS when asked for, then one
/// async call per command.
///
/// Mailbox updates (EXISTS, EXPUNGE, VANISHED, flag changes by others) are
/// never lost: those that arrive while a command runs come back in its
/// [`Response::updates`], the others (during IDLE, between commands) and
/// alerts and BYE queue in [`ImapClient::take_unsolicited`].
///
/// ```no_run
/// # async fn demo() -> Result<(), yubin_tokio::client::ClientError> {
/// use std::time::Duration;
/// use yubin_imap::types::Mailbox;
/// use yubin_tokio::client::{Endpoint, ImapClient, Security};
/// use yubin_tokio::ClientTls;
///
/// let endpoint = Endpoint::new("127.0.0.1:1143", "localhost", Security::StartTls)
///     .with_tls(ClientTls::DangerAcceptAnyCertificate);
/// let mut imap = ImapClient::connect(&endpoint, Default::default()).await?;
/// imap.login("demo", "secret").await?;
/// imap.select(Mailbox::inbox()).await?;
/// imap.idle().await?;
/// if let Some(update) = imap.wait_unsolicited(Duration::from_secs(60)).await? {
///     println!("{update:?}");
/// }
/// imap.idle_done().await?;
/// imap.logout().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ImapClient {
    io: Transport,
    session: Session,
    greeting: StatusResponse,
    unsolicited: VecDeque<Event>,
    /// The IDLE command's tag while IDLE runs.
    idling: Option<Tag>,
}

/// Unsolicited events kept for [`ImapClient::take_unsolicited`] before the
/// oldest are dropped (a caller that never looks must not grow memory).
const MAX_UNSOLICITED: usize = 10_000;

impl ImapClient {
    /// Connects and reads the greeting; for [`Security::StartTls`] runs
    /// STARTTLS and the handshake. A `* BYE` greeting is
    /// [`ClientError::Refused`].
    pub async fn connect(endpoint: &Endpoint, config: Config) -> Result<Self, ClientError> {
        let io = Transport::open(endpoint).await?;
        let mut client = Self {
            io,
            session: Session::new(Arc::new(config), now()),
            greeting: StatusResponse {
                tag: None,
                kind: StatusKind::Ok,
                text: RespText::default(),
            },
            unsolicited: VecDeque::new(),
            idling: None,
        };
        loop {
            match client.next().await? {
                Event::Greeting(g) if g.kind == StatusKind::Bye => {
                    return Err(ClientError::Refused(text(&g.text)));
                }
                Event::Greeting(g) => {
                    client.greeting = g;
                    break;
                }
                Event::Bye(t) => return Err(ClientError::Refused(text(&t))),
                event => client.keep(event)?,
            }
        }
        if endpoint.security == Security::StartTls {
            let tag = client.session.starttls().map_err(ClientError::Imap)?;
            loop {
                match client.next().await? {
                    Event::StartTls => {
                        client.io.flush(&mut client.session).await?;
                        client.io.upgrade().await?;
                        // The session asks for CAPABILITY again; wait for it.
                        let caps = client
                            .session
                            .tls_established()
                            .map_err(ClientError::Imap)?;
                        client.wait(&caps, &mut |_| {}).await?;
                        break;
                    }
                    Event::Completed { tag: t, kind, .. } if t == tag && kind != StatusKind::Ok => {
                        return Err(ClientError::NoStartTls);
                    }
                    event => client.keep(event)?,
                }
            }
        }
        Ok(client)
    }

    /// The greeting (OK or PREAUTH).
    pub fn greeting(&self) -> &StatusResponse {
        &self.greeting
    }

    /// The server's capabilities as the session last learnt them.
    pub fn capabilities(&self) -> &[yubin_imap::types::Capability] {
        self.session.capabilities()
    }

    /// `LOGIN`; NO or BAD is [`ClientError::Refused`].
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), ClientError> {
        let tag = self
            .session
            .login(user, password)
            .map_err(ClientError::Imap)?;
        let response = self.wait(&tag, &mut |_| {}).await?;
        ok(response).map(drop)
    }

    /// `SELECT mailbox`; the untagged data (EXISTS, FLAGS, UIDVALIDITY, …)
    /// comes back in the [`Response`].
    pub async fn select(&mut self, mailbox: Mailbox) -> Result<Response, ClientError> {
        let response = self
            .run(CommandBody::Select {
                mailbox,
                params: Vec::new(),
            })
            .await?;
        ok(response)
    }

    /// Runs any command and collects its untagged data. A NO or BAD
    /// completion is a [`Response`], not an error.
    ///
    /// FETCH literals above [`Config::stream_threshold_octets`] stream
    /// instead of being collected: use [`ImapClient::run_with`] for them.
    pub async fn run(&mut self, body: CommandBody) -> Result<Response, ClientError> {
        let tag = self.session.command(body).map_err(ClientError::Imap)?;
        self.wait(&tag, &mut |_| {}).await
    }

    /// Runs a command; `on_event` sees every event of it that is not
    /// untagged data ([`Event::FetchStreamStart`], [`Event::FetchChunk`],
    /// [`Event::FetchStreamEnd`], [`Event::Error`]).
    pub async fn run_with(
        &mut self,
        body: CommandBody,
        mut on_event: impl FnMut(Event) + Send,
    ) -> Result<Response, ClientError> {
        let tag = self.session.command(body).map_err(ClientError::Imap)?;
        self.wait(&tag, &mut on_event).await
    }

    /// Starts IDLE and waits for the server's `+`.
    pub async fn idle(&mut self) -> Result<(), ClientError> {
        let tag = self.session.idle().map_err(ClientError::Imap)?;
        loop {
            match self.next().await? {
                Event::IdleStarted => {
                    self.idling = Some(tag);
                    return Ok(());
                }
                Event::Completed {
                    tag: t,
                    kind,
                    text: txt,
                    ..
                } if t == tag => {
                    return Err(ClientError::Refused(format!("{kind:?} {}", text(&txt))));
                }
                event => self.keep(event)?,
            }
        }
    }

    /// Waits up to `limit` for an unsolicited event (during IDLE: the
    /// server's updates); `None` when none came.
    pub async fn wait_unsolicited(
        &mut self,
        limit: Duration,
    ) -> Result<Option<Event>, ClientError> {
        let until = now() + limit;
        loop {
            if let Some(event) = self.unsolicited.pop_front() {
                return Ok(Some(event));
            }
            if let Some(event) = self.session.next_event() {
                self.keep(event)?;
                continue;
            }
            self.io.flush(&mut self.session).await?;
            let left = until.saturating_duration_since(now());
            if left.is_zero() || !self.io.wait_readable(left).await? {
                return Ok(None);
            }
            self.io.pump(&mut self.session).await?;
        }
    }

    /// Ends IDLE (`DONE`) and waits for its completion.
    pub async fn idle_done(&mut self) -> Result<(), ClientError> {
        let tag = self.idling.take().ok_or(ClientError::Misuse)?;
        self.session.idle_done().map_err(ClientError::Imap)?;
        let response = self.wait(&tag, &mut |_| {}).await?;
        ok(response).map(drop)
    }

    /// Unsolicited events so far, oldest first (the newest
    /// 10 000 when nobody looked for a long time).
    pub fn take_unsolicited(&mut self) -> Vec<Event> {
        self.unsolicited.drain(..).collect()
    }

    /// `LOGOUT`: waits for the completion, then closes.
    pub async fn logout(mut self) -> Result<(), ClientError> {
        let tag = self
            .session
            .command(CommandBody::Logout)
            .map_err(ClientError::Imap)?;
        // The server says BYE before it completes LOGOUT: expected here.
        let outcome = loop {
            match self.next().await {
                Ok(Event::Completed { tag: t, .. }) if t == tag => break Ok(()),
                Ok(Event::Bye(_)) => {}
                Ok(event) => {
                    let _ = self.keep(event);
                }
                Err(ClientError::Closed) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.io.close().await;
        outcome
    }

    /// Collects events until `tag` completes.
    async fn wait(
        &mut self,
        tag: &Tag,
        on_event: &mut (dyn FnMut(Event) + Send),
    ) -> Result<Response, ClientError> {
        let (mut data, mut updates) = (Vec::new(), Vec::new());
        loop {
            match self.next().await? {
                Event::Completed {
                    tag: t, kind, text, ..
                } if &t == tag => {
                    return Ok(Response {
                        data,
                        updates,
                        kind,
                        text,
                    });
                }
                Event::Data(d) => data.push(d),
                Event::Update(d) => updates.push(d),
                event @ (Event::FetchStreamStart { .. }
                | Event::FetchChunk(_)
                | Event::FetchStreamEnd { .. }
                | Event::Error(_)) => on_event(event),
                event => self.keep(event)?,
            }
        }
    }

    /// Queues an unsolicited event; BYE ends the connection.
    fn keep(&mut self, event: Event) -> Result<(), ClientError> {
        let bye = match &event {
            Event::Bye(t) => Some(text(t)),
            _ => None,
        };
        if self.unsolicited.len() >= MAX_UNSOLICITED {
            self.unsolicited.pop_front();
        }
        self.unsolicited.push_back(event);
        match bye {
            Some(t) => Err(ClientError::Refused(t)),
            None => Ok(()),
        }
    }

    async fn next(&mut self) -> Result<Event, ClientError> {
        self.io
            .next(&mut self.session)
            .await?
            .ok_or(ClientError::Closed)
    }
}

/// OK as the response; NO or BAD as [`ClientError::Refused`].
fn ok(response: Response) -> Result<Response, ClientError> {
    match response.kind {
        StatusKind::Ok => Ok(response),
        kind => Err(ClientError::Refused(format!(
            "{kind:?} {}",
            text(&response.text)
        ))),
    }
}

fn text(t: &RespText) -> String {
    String::from_utf8_lossy(t.text.as_bytes()).into_owned()
}
