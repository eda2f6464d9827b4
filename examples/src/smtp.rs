//! The SMTP side of the mail server: local delivery into the store, and
//! relaying through the outgoing [queue](crate::relay).
//!
//! A message is spooled to a file as it arrives (the server never holds a
//! whole message in memory), synced, then delivered to each local
//! recipient's Maildir and, for recipients in other domains, moved into the
//! queue; the `250` goes out only after every delivery and the queue entry
//! are durable. Local deliveries come first: should queueing then fail, the
//! client gets `451` and its retry may deliver the local copies twice
//! (duplicated, never lost).
//!
//! Relaying is allowed to an authenticated user and, when POP-before-SMTP
//! is on, to an address a POP3 or IMAP login granted (the grant's user is
//! logged with the message); anyone else gets `550 5.7.1`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::AsyncWriteExt;
use yubin_pop3::before_smtp::{Ledger, LedgerStore};
use yubin_sasl::server::{Answer, Verify};
use yubin_smtp::server::{Event, Session};
use yubin_smtp::types::{EnhancedCode, ForwardPath, Reply, ReplyCode, ReversePath};
use yubin_tokio::Handler;

use crate::accounts::Accounts;
use crate::relay::Queue;
use crate::store::Store;

/// What every SMTP connection of the server shares.
#[derive(Debug)]
pub struct Shared {
    /// The accounts.
    pub accounts: Arc<Accounts>,
    /// The mail store.
    pub store: Arc<dyn Store>,
    /// Where messages are spooled while they arrive.
    pub spool_dir: PathBuf,
    /// Our host name, for trace headers.
    pub hostname: String,
    /// Numbers spool files and message ids.
    pub counter: AtomicU64,
    /// The POP-before-SMTP ledger, when that is on.
    pub ledger: Option<Arc<Mutex<Ledger>>>,
    /// The outgoing queue (relaying), when routes are configured.
    pub queue: Option<Arc<Queue>>,
}

impl Shared {
    /// The user whose POP3 or IMAP login granted `peer` relaying, if any.
    pub fn grant(&self, peer: SocketAddr) -> Option<String> {
        let ledger = self.ledger.as_ref()?;
        let mut ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
        match ledger.lookup(peer.ip(), yubin_tokio::now()) {
            Ok(grant) => grant.map(|g| g.user),
            Err(never) => match never {},
        }
    }
}

/// Why a message may leave for other domains.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Relay {
    /// SMTP AUTH as this user.
    Auth(String),
    /// A POP-before-SMTP grant of this user.
    Grant(String),
}

/// One connection's handler.
#[derive(Debug)]
pub struct SmtpHandler {
    shared: Arc<Shared>,
    listener: &'static str,
    peer: SocketAddr,
    from: String,
    rcpts: Vec<String>,
    /// Recipients in other domains (relayed through the queue).
    remote: Vec<String>,
    /// Why this transaction may relay, once a remote recipient was taken.
    relay: Option<Relay>,
    spool: Option<Spool>,
}

#[derive(Debug)]
struct Spool {
    id: String,
    path: PathBuf,
    file: Option<tokio::fs::File>,
    size: u64,
    /// Length of the `Return-Path:` line (local delivery only).
    return_path: u64,
    failed: bool,
}

fn reply(code: u16, enhanced: (u8, u16, u16), text: &'static str) -> Reply {
    Reply::multiline(
        ReplyCode::new(code).unwrap_or(ReplyCode::LOCAL_ERROR),
        EnhancedCode::new(enhanced.0, enhanced.1, enhanced.2),
        vec![text.into()],
    )
}

impl SmtpHandler {
    /// A handler for a connection from `peer` on `listener` ("mx", "submission", …).
    pub fn new(shared: Arc<Shared>, listener: &'static str, peer: SocketAddr) -> Self {
        Self {
            shared,
            listener,
            peer,
            from: String::new(),
            rcpts: Vec::new(),
            remote: Vec::new(),
            relay: None,
            spool: None,
        }
    }

    async fn discard_spool(&mut self) {
        if let Some(sp) = self.spool.take() {
            drop(sp.file);
            let _ = tokio::fs::remove_file(&sp.path).await;
        }
    }

    async fn open_spool(&mut self, session: &Session) -> Spool {
        let n = self.shared.counter.fetch_add(1, Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let id = format!("{:x}{:06x}{n:x}", now.as_secs(), now.subsec_micros());
        let path = self.shared.spool_dir.join(format!("{id}.msg"));
        let ctx = session.context();
        let helo = ctx
            .helo
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |h| h.to_string());
        let with = match (ctx.esmtp, ctx.tls, ctx.authenticated.is_some()) {
            (false, _, _) => "SMTP",
            (true, false, false) => "ESMTP",
            (true, true, false) => "ESMTPS",
            (true, false, true) => "ESMTPA",
            (true, true, true) => "ESMTPSA",
        };
        // RFC 5321 §4.4: the final delivery adds Return-Path; every hop a
        // Received. The queue skips the Return-Path line when relaying.
        let return_path = format!("Return-Path: <{}>\r\n", self.from);
        let head = format!(
            "{return_path}Received: from {helo} ([{}])\r\n\tby {} with {with} id {id};\r\n\t{}\r\n",
            self.peer.ip(),
            self.shared.hostname,
            rfc5322_date(SystemTime::now()),
        );
        let mut spool = Spool {
            id,
            path,
            file: None,
            size: 0,
            return_path: return_path.len() as u64,
            failed: false,
        };
        match tokio::fs::File::create(&spool.path).await {
            Ok(mut f) => {
                if f.write_all(head.as_bytes()).await.is_err() {
                    spool.failed = true;
                }
                spool.size = head.len() as u64;
                spool.file = Some(f);
            }
            Err(e) => {
                tracing::error!(error = %e, path = %spool.path.display(), "cannot create spool file");
                spool.failed = true;
            }
        }
        spool
    }

    async fn deliver(&mut self) -> Result<String, String> {
        let Some(mut sp) = self.spool.take() else {
            return Err("no message".into());
        };
        let result = async {
            let mut f = sp.file.take().ok_or("spool file missing")?;
            if sp.failed {
                return Err("spool write failed".to_owned());
            }
            f.flush().await.map_err(|e| e.to_string())?;
            f.sync_all().await.map_err(|e| e.to_string())?;
            drop(f);
            let store = self.shared.store.clone();
            let rcpts = self.rcpts.clone();
            let remote = self.remote.clone();
            let queue = self.shared.queue.clone();
            let from = self.from.clone();
            let user = match &self.relay {
                Some(Relay::Auth(u) | Relay::Grant(u)) => u.clone(),
                None => String::new(),
            };
            let (path, size, id, skip) = (sp.path.clone(), sp.size, sp.id.clone(), sp.return_path);
            tokio::task::spawn_blocking(move || {
                for r in &rcpts {
                    store.deliver(r, &path, size)?;
                }
                if !remote.is_empty() {
                    let queue = queue.ok_or_else(|| std::io::Error::other("no queue"))?;
                    queue.enqueue(&id, &path, skip, &from, &remote, &user)?;
                    queue.wake();
                }
                Ok::<(), std::io::Error>(())
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
        }
        .await;
        // Gone already when it was moved into the queue.
        let _ = tokio::fs::remove_file(&sp.path).await;
        result.map(|()| sp.id)
    }

    /// Why this connection may relay now, if it may.
    fn relay_permission(&self, authenticated: Option<String>) -> Option<Relay> {
        if let Some(user) = authenticated {
            return Some(Relay::Auth(user));
        }
        self.shared.grant(self.peer).map(Relay::Grant)
    }
}

impl Handler<Session> for SmtpHandler {
    async fn on_event(&mut self, s: &mut Session, event: Event) {
        let answered = match event {
            Event::Connect { ticket, .. } | Event::Helo { ticket, .. } => s.accept(ticket),
            Event::MailFrom { ticket, from, .. } => {
                self.from = match from {
                    ReversePath::Null => String::new(),
                    ReversePath::Mailbox(m) => m.as_str().to_owned(),
                };
                self.rcpts.clear();
                self.remote.clear();
                self.relay = None;
                self.discard_spool().await;
                // Submission without AUTH: only for a POP-before-SMTP grant
                // (the session itself requires AUTH when that is off).
                if self.listener != "smtp"
                    && s.context().authenticated.is_none()
                    && self.shared.grant(self.peer).is_none()
                {
                    s.reject(ticket, reply(530, (5, 7, 0), "Authentication required"))
                } else {
                    s.accept(ticket)
                }
            }
            Event::RcptTo {
                ticket,
                to,
                context,
                ..
            } => {
                let accounts = &self.shared.accounts;
                let target = match &to {
                    ForwardPath::Postmaster => Ok(accounts
                        .resolve("postmaster")
                        .or_else(|| accounts.names().into_iter().next())),
                    ForwardPath::Mailbox(m) if accounts.is_local_domain(m.domain()) => {
                        let local = m.local_part().trim_matches('"');
                        Ok(accounts.resolve(local).or_else(|| {
                            (to.is_postmaster())
                                .then(|| accounts.names().into_iter().next())
                                .flatten()
                        }))
                    }
                    ForwardPath::Mailbox(m) => {
                        let permission = self.relay_permission(context.authenticated.clone());
                        let routed = self
                            .shared
                            .queue
                            .as_ref()
                            .is_some_and(|q| q.routes().route(m.domain()).is_some());
                        match permission {
                            Some(p) if routed => {
                                let address = m.as_str().to_owned();
                                if !self.remote.contains(&address) {
                                    self.remote.push(address);
                                }
                                self.relay = Some(p);
                                return finish(s.accept(ticket));
                            }
                            Some(_) => Err(true),
                            None => Err(false),
                        }
                    }
                };
                match target {
                    Ok(Some(account)) => {
                        if !self.rcpts.contains(&account) {
                            self.rcpts.push(account);
                        }
                        s.accept(ticket)
                    }
                    Ok(None) => s.reject(ticket, reply(550, (5, 1, 1), "no such user here")),
                    Err(true) => s.reject(
                        ticket,
                        reply(
                            550,
                            (5, 7, 1),
                            "relaying to other domains is not configured here",
                        ),
                    ),
                    Err(false) => s.reject(ticket, reply(550, (5, 7, 1), "relaying denied")),
                }
            }
            Event::BodyChunk(chunk) => {
                if self.spool.is_none() {
                    let sp = self.open_spool(s).await;
                    self.spool = Some(sp);
                }
                if let Some(sp) = &mut self.spool
                    && !sp.failed
                    && let Some(f) = &mut sp.file
                {
                    if f.write_all(&chunk).await.is_err() {
                        sp.failed = true;
                    }
                    sp.size += chunk.len() as u64;
                }
                Ok(())
            }
            Event::BodyEnd { ticket, octets } => {
                if self.spool.is_none() {
                    // An empty body: still a message (with our trace headers).
                    let sp = self.open_spool(s).await;
                    self.spool = Some(sp);
                }
                match self.deliver().await {
                    Ok(id) => {
                        let (user, via) = match &self.relay {
                            Some(Relay::Auth(u)) => (Some(u.clone()), "auth"),
                            Some(Relay::Grant(u)) => (Some(u.clone()), "pop-before-smtp"),
                            None => (s.context().authenticated.clone(), "-"),
                        };
                        tracing::info!(
                            listener = self.listener,
                            id = %id,
                            from = %self.from,
                            to = ?self.rcpts,
                            queued = ?self.remote,
                            octets,
                            user = ?user,
                            relay = via,
                            "delivered"
                        );
                        s.accept(ticket)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "delivery failed; answered 451");
                        s.reject(
                            ticket,
                            reply(451, (4, 3, 0), "local delivery failed, try again later"),
                        )
                    }
                }
            }
            Event::MessageRejected(_) | Event::Reset => {
                self.discard_spool().await;
                Ok(())
            }
            Event::AuthVerify { ticket, verify, .. } => {
                let answer = match verify {
                    Verify::Password {
                        authzid,
                        authcid,
                        password,
                    } => {
                        let accounts = self.shared.accounts.clone();
                        let ok = tokio::task::spawn_blocking(move || {
                            let who = accounts.verify(&authcid, password.expose())?;
                            // Acting for another user is not allowed.
                            match authzid {
                                Some(z)
                                    if accounts.resolve(&z).as_deref() != Some(who.as_str()) =>
                                {
                                    None
                                }
                                _ => Some(who),
                            }
                        })
                        .await
                        .ok()
                        .flatten();
                        if ok.is_some() {
                            Answer::Accept
                        } else {
                            Answer::Reject
                        }
                    }
                    _ => Answer::Unavailable,
                };
                s.answer_auth(ticket, answer)
            }
            Event::Authenticated { authcid, .. } => {
                tracing::info!(listener = self.listener, user = ?authcid, "authenticated");
                Ok(())
            }
            Event::Closed(reason) => {
                self.discard_spool().await;
                tracing::debug!(listener = self.listener, ?reason, "smtp session closed");
                Ok(())
            }
            _ => Ok(()),
        };
        finish(answered);
    }
}

fn finish<E: std::fmt::Display>(answered: Result<(), E>) {
    if let Err(e) = answered {
        tracing::error!(error = %e, "smtp: answer refused by the session");
    }
}

/// `Sun, 22 Nov 2026 08:26:59 +0000` (RFC 5322 §3.3), in UTC.
pub fn rfc5322_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let wday = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    let mon = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{wday}, {day} {mon} {year} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(rfc5322_date(UNIX_EPOCH), "Thu, 1 Jan 1970 00:00:00 +0000");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_336_019);
        assert_eq!(rfc5322_date(t), "Sun, 22 Nov 2026 08:26:59 +0000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc5322_date(leap), "Tue, 29 Feb 2000 00:00:00 +0000");
    }
}
