//! The POP3 side of the mail server: the account's INBOX as the maildrop.
//!
//! One POP3 session per account at a time (`-ERR [IN-USE]`); UIDL values
//! are the store's UIDs (the ones IMAP uses); messages marked deleted are
//! removed only when the client sends `QUIT`. A session cut off mid-way
//! deletes nothing.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use yubin_pop3::before_smtp::Ledger;
use yubin_pop3::server::{BodyDemand, Credentials, Event, Maildrop, Retrieval, Session};
use yubin_pop3::types::{Reply, RespCode};
use yubin_sasl::server::{Answer, Verify};
use yubin_tokio::Handler;

use crate::accounts::Accounts;
use crate::store::{Message, Store};

/// The size of each chunk read from the store.
const CHUNK: usize = 64 * 1024;

/// What every POP3 connection shares.
#[derive(Debug)]
pub struct Shared {
    /// The accounts.
    pub accounts: Arc<Accounts>,
    /// The mail store.
    pub store: Arc<dyn Store>,
    /// Accounts with an open POP3 session.
    pub locked: Mutex<HashSet<String>>,
    /// The POP-before-SMTP ledger (a login grants relaying), when on.
    pub ledger: Option<Arc<Mutex<Ledger>>>,
}

/// One connection's handler.
#[derive(Debug)]
pub struct Pop3Handler {
    shared: Arc<Shared>,
    peer: SocketAddr,
    /// The account whose maildrop this session holds (and has locked).
    account: Option<String>,
    /// The SASL-verified account, until its login completes.
    sasl_account: Option<String>,
    /// The maildrop as the login saw it (message n is `messages[n - 1]`).
    messages: Vec<Message>,
    /// The message being retrieved and the offset of its next chunk.
    body: Option<(Retrieval, Message, u64)>,
}

impl Pop3Handler {
    /// A handler for a connection from `peer`.
    pub fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Self {
            shared,
            peer,
            account: None,
            sasl_account: None,
            messages: Vec::new(),
            body: None,
        }
    }

    fn unlock(&mut self) {
        if let Some(a) = self.account.take() {
            let mut locked = self.shared.locked.lock().unwrap_or_else(|p| p.into_inner());
            locked.remove(&a);
        }
    }

    async fn verify(&self, user: &str, password: String) -> Option<String> {
        let accounts = self.shared.accounts.clone();
        let user = user.to_owned();
        tokio::task::spawn_blocking(move || accounts.verify(&user, &password))
            .await
            .ok()
            .flatten()
    }

    /// Locks and opens `account`'s maildrop for the login `ticket`.
    async fn open(&mut self, s: &mut Session, ticket: yubin_pop3::server::Ticket, account: String) {
        {
            let mut locked = self.shared.locked.lock().unwrap_or_else(|p| p.into_inner());
            if !locked.insert(account.clone()) {
                drop(locked);
                let _ = s.reject(
                    ticket,
                    Reply::err_code(
                        RespCode::in_use(),
                        "maildrop already locked by another session",
                    ),
                );
                return;
            }
        }
        self.account = Some(account.clone());
        let store = self.shared.store.clone();
        let snapshot = tokio::task::spawn_blocking(move || store.inbox(&account)).await;
        let drop_result = match snapshot {
            Ok(Ok(mb)) => {
                let maildrop = Maildrop::new(
                    mb.messages
                        .iter()
                        .map(|m| (m.size, m.uid.to_string()))
                        .collect(),
                )
                .map_err(|e| e.to_string());
                self.messages = mb.messages;
                maildrop
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match drop_result {
            Ok(maildrop) => {
                tracing::info!(peer = %self.peer, user = ?self.account, messages = maildrop.len(), "pop3 login");
                if let (Some(ledger), Some(user)) = (&self.shared.ledger, &self.account) {
                    crate::server::record_login(ledger, self.peer.ip(), user);
                }
                let _ = s.accept_login(ticket, maildrop, None);
            }
            Err(e) => {
                tracing::error!(error = %e, "pop3: cannot open the maildrop");
                self.unlock();
                let _ = s.reject(
                    ticket,
                    Reply::err_code(
                        RespCode::known(RespCode::SYS_TEMP),
                        "cannot open the maildrop",
                    ),
                );
            }
        }
    }

    /// Feeds the message being retrieved while the session has room.
    async fn feed(&mut self, s: &mut Session) {
        loop {
            let Some((_, m, offset)) = &self.body else {
                return;
            };
            match s.body_demand() {
                Some(BodyDemand::Ready) => {
                    let store = self.shared.store.clone();
                    let account = self.account.clone().unwrap_or_default();
                    let (m, at) = (m.clone(), *offset);
                    let chunk = tokio::task::spawn_blocking(move || {
                        store.read(&account, "INBOX", &m, at, CHUNK as u64)
                    })
                    .await;
                    match chunk {
                        Ok(Ok(buf)) if buf.is_empty() => {
                            if let Some((r, _, _)) = self.body.take() {
                                let _ = s.finish_body(r);
                            }
                            return;
                        }
                        Ok(Ok(buf)) => {
                            if let Some((r, _, offset)) = &mut self.body {
                                *offset += buf.len() as u64;
                                let _ = s.send_body(r, Bytes::from(buf));
                            }
                        }
                        Ok(Err(e)) => {
                            tracing::error!(error = %e, "pop3: message unreadable mid-way");
                            if let Some((r, _, _)) = self.body.take() {
                                let _ = s.abort_body(r);
                            }
                            return;
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "pop3: reader task failed");
                            if let Some((r, _, _)) = self.body.take() {
                                let _ = s.abort_body(r);
                            }
                            return;
                        }
                    }
                }
                Some(BodyDemand::Done) => {
                    if let Some((r, _, _)) = self.body.take() {
                        let _ = s.finish_body(r);
                    }
                    return;
                }
                Some(BodyDemand::Wait) => return,
                None => {
                    self.body = None;
                    return;
                }
            }
        }
    }
}

impl Drop for Pop3Handler {
    fn drop(&mut self) {
        self.unlock();
    }
}

impl Handler<Session> for Pop3Handler {
    async fn on_event(&mut self, s: &mut Session, event: Event) {
        match event {
            Event::User { ticket, .. } => {
                // The same answer for every name: USER does not reveal accounts.
                let _ = s.accept_user(ticket, None);
            }
            Event::Login {
                ticket,
                user,
                credentials,
            } => {
                let account = match credentials {
                    Credentials::Password(p) => self.verify(&user, p.expose().to_owned()).await,
                    Credentials::Sasl { .. } => self.sasl_account.take(),
                    _ => None,
                };
                match account {
                    Some(a) => self.open(s, ticket, a).await,
                    None => {
                        tracing::info!(peer = %self.peer, user = %user, "pop3 login failed");
                        let _ = s.reject(
                            ticket,
                            Reply::err_code(RespCode::known(RespCode::AUTH), "invalid credentials"),
                        );
                    }
                }
            }
            Event::SaslVerify { ticket, verify } => {
                let answer = match verify {
                    Verify::Password {
                        authzid,
                        authcid,
                        password,
                    } => {
                        let who = self.verify(&authcid, password.expose().to_owned()).await;
                        let allowed = match (&who, authzid) {
                            (Some(w), Some(z)) => {
                                self.shared.accounts.resolve(&z).as_deref() == Some(w.as_str())
                            }
                            (Some(_), None) => true,
                            (None, _) => false,
                        };
                        if allowed {
                            self.sasl_account = who;
                            Answer::Accept
                        } else {
                            Answer::Reject
                        }
                    }
                    _ => Answer::Unavailable,
                };
                let _ = s.answer_sasl(ticket, answer);
            }
            Event::Retrieve { ticket, msg, .. } => {
                let index = usize::try_from(msg.get())
                    .unwrap_or(usize::MAX)
                    .saturating_sub(1);
                // Read its first octet now: a message expunged over IMAP
                // since the login gets -ERR instead of an empty body.
                let found = match self.messages.get(index).cloned() {
                    Some(m) => {
                        let store = self.shared.store.clone();
                        let account = self.account.clone().unwrap_or_default();
                        let probe = m.clone();
                        tokio::task::spawn_blocking(move || {
                            store.read(&account, "INBOX", &probe, 0, 1)
                        })
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .map(|_| m)
                    }
                    None => None,
                };
                match found {
                    Some(m) => match s.start_body(ticket) {
                        Ok(r) => {
                            self.body = Some((r, m, 0));
                            self.feed(s).await;
                        }
                        Err(e) => tracing::error!(error = %e, "pop3: start_body refused"),
                    },
                    None => {
                        let _ = s.reject(
                            ticket,
                            Reply::err_code(
                                RespCode::known(RespCode::SYS_TEMP),
                                "message no longer available",
                            ),
                        );
                    }
                }
            }
            Event::Update { ticket, deleted } => {
                let keys: Vec<String> = deleted
                    .iter()
                    .filter_map(|m| {
                        let i = usize::try_from(m.get()).ok()?.checked_sub(1)?;
                        self.messages.get(i).map(|m| m.key.clone())
                    })
                    .collect();
                let store = self.shared.store.clone();
                let account = self.account.clone().unwrap_or_default();
                let n = keys.len();
                let result =
                    tokio::task::spawn_blocking(move || store.remove(&account, &keys)).await;
                match result {
                    Ok(Ok(())) => {
                        tracing::info!(peer = %self.peer, user = ?self.account, deleted = n, "pop3 update");
                        let _ = s.accept_update(ticket);
                    }
                    _ => {
                        let _ = s.reject(
                            ticket,
                            Reply::err_code(
                                RespCode::known(RespCode::SYS_TEMP),
                                "some messages were not deleted",
                            ),
                        );
                    }
                }
            }
            Event::Closed(reason) => {
                tracing::debug!(peer = %self.peer, ?reason, "pop3 session closed");
                self.body = None;
                self.unlock();
            }
            _ => {}
        }
    }

    async fn on_sent(&mut self, s: &mut Session) {
        if self.body.is_some() {
            self.feed(s).await;
        }
    }
}
