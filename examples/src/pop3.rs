//! The POP3 side of the mail server: the account's INBOX as the maildrop.
//!
//! One POP3 session per account at a time (`-ERR [IN-USE]`); UIDL values
//! are the store's UIDs (the ones IMAP uses); messages marked deleted are
//! removed only when the client sends `QUIT`. A session cut off mid-way
//! deletes nothing.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::io::AsyncReadExt;
use yubin_pop3::before_smtp::Ledger;
use yubin_pop3::server::{BodyDemand, Credentials, Event, Maildrop, Retrieval, Session};
use yubin_pop3::types::{Reply, RespCode};
use yubin_sasl::server::{Answer, Verify};
use yubin_tokio::Handler;

use crate::accounts::Accounts;
use crate::store::Store;

/// The size of each chunk read from a message file.
const CHUNK: usize = 64 * 1024;

/// What every POP3 connection shares.
#[derive(Debug)]
pub struct Shared {
    /// The accounts.
    pub accounts: Arc<Accounts>,
    /// The mail store.
    pub store: Arc<Store>,
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
    paths: Vec<PathBuf>,
    body: Option<(Retrieval, tokio::fs::File)>,
}

impl Pop3Handler {
    /// A handler for a connection from `peer`.
    pub fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Self {
            shared,
            peer,
            account: None,
            sasl_account: None,
            paths: Vec::new(),
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
                self.paths = mb.messages.iter().map(|m| m.path.clone()).collect();
                Maildrop::new(
                    mb.messages
                        .iter()
                        .map(|m| (m.size, m.uid.to_string()))
                        .collect(),
                )
                .map_err(|e| e.to_string())
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
            let Some((_, file)) = &mut self.body else {
                return;
            };
            match s.body_demand() {
                Some(BodyDemand::Ready) => {
                    let mut buf = vec![0u8; CHUNK];
                    match file.read(&mut buf).await {
                        Ok(0) => {
                            if let Some((r, _)) = self.body.take() {
                                let _ = s.finish_body(r);
                            }
                            return;
                        }
                        Ok(n) => {
                            buf.truncate(n);
                            if let Some((r, _)) = &self.body {
                                let _ = s.send_body(r, Bytes::from(buf));
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "pop3: message file unreadable mid-way");
                            if let Some((r, _)) = self.body.take() {
                                let _ = s.abort_body(r);
                            }
                            return;
                        }
                    }
                }
                Some(BodyDemand::Done) => {
                    if let Some((r, _)) = self.body.take() {
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
                // An IMAP session may have moved the file to cur/ or renamed
                // it for its flags since the snapshot: find it by its name.
                let found = match self.paths.get(index).cloned() {
                    Some(p) => {
                        let store = self.shared.store.clone();
                        let account = self.account.clone().unwrap_or_default();
                        tokio::task::spawn_blocking(move || store.locate(&account, &p))
                            .await
                            .ok()
                            .flatten()
                    }
                    None => None,
                };
                let file = match found {
                    Some(p) => tokio::fs::File::open(p).await.ok(),
                    None => None,
                };
                match file {
                    Some(f) => match s.start_body(ticket) {
                        Ok(r) => {
                            self.body = Some((r, f));
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
                let paths: Vec<PathBuf> = deleted
                    .iter()
                    .filter_map(|m| {
                        let i = usize::try_from(m.get()).ok()?.checked_sub(1)?;
                        self.paths.get(i).cloned()
                    })
                    .collect();
                let store = self.shared.store.clone();
                let account = self.account.clone().unwrap_or_default();
                let n = paths.len();
                let result =
                    tokio::task::spawn_blocking(move || store.remove(&account, &paths)).await;
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
