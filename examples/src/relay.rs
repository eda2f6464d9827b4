//! Relaying: the persistent outgoing queue and its delivery task.
//!
//! A message for a non-local domain, from an authenticated user or an
//! address granted by POP-before-SMTP, is written to `queue/` under the
//! data directory before the SMTP `250` goes out:
//!
//! * `<id>.msg`: the message as received, with our `Received:` line (the
//!   spool file, renamed into the queue after it was synced);
//! * `<id>.env`: the envelope and the delivery state, a small text file
//!   rewritten atomically (temporary file, fsync, rename, directory fsync)
//!   after each attempt.
//!
//! An entry exists once its `.env` file does; a `.msg` without one was never
//! acknowledged and is removed on start-up. The delivery task reads the
//! directory on start-up and after each enqueue, so mail queued before a
//! restart or a crash is delivered.
//!
//! Delivery goes to a configured route (`domain → host:port`) or to the
//! smarthost; there is no DNS MX lookup. Without a route or smarthost for
//! its domain, a recipient is refused at `RCPT` (`550 5.7.1`), so nothing
//! is queued that could never leave. Each recipient's reply decides its
//! fate: `2xx` delivered, `5xx` a bounce, `4xx` or a connection error a
//! retry after a back-off that doubles from [`QueueConfig::retry_base`] up to
//! [`QueueConfig::retry_max`]. A message still undelivered after
//! [`QueueConfig::max_age`] bounces. A bounce is an RFC 3464
//! `multipart/report` from the null sender `<>`: delivered to the sender's
//! mailbox when the sender is a local account, otherwise queued like any
//! relayed message to the sender's route or the smarthost (dropped, and
//! logged, when there is neither). A message from `<>` never bounces, so
//! bounces cannot loop.
//!
//! Up to [`QueueConfig::max_parallel`] entries are attempted at once (one
//! connection per route and entry), so a route that accepts connections
//! but never answers holds one slot, not the whole queue, for its
//! timeouts. Hops use plain SMTP without TLS
//! (a relay on a trusted network). The
//! message is read into memory for each attempt (the client takes the body
//! as one slice); the SMTP size limit bounds it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use yubin_smtp::client::{Envelope, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, Reply, ReversePath};
use yubin_tokio::Shutdown;
use yubin_tokio::client::{Endpoint, Security, SmtpClient};

use crate::accounts::{Accounts, sync_dir, write_atomically};
use crate::smtp::rfc5322_date;
use crate::store::Store;

/// Retry and expiry settings of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// The first retry's delay; each later one doubles it. Default 1 minute.
    pub retry_base: Duration,
    /// The longest delay between attempts. Default 1 hour.
    pub retry_max: Duration,
    /// How long a message may stay queued before it bounces. Default 5
    /// days (RFC 5321 §4.5.4.1 asks for at least 4-5 days).
    pub max_age: Duration,
    /// Time allowed for connecting to a route. Default 30 s.
    pub connect_timeout: Duration,
    /// Entries attempted at the same time (each holds one connection and
    /// its message in memory). Default 8; 0 counts as 1.
    pub max_parallel: usize,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(60),
            retry_max: Duration::from_secs(3600),
            max_age: Duration::from_secs(5 * 24 * 3600),
            connect_timeout: Duration::from_secs(30),
            max_parallel: 8,
        }
    }
}

/// Where mail for other domains goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    /// Domain (lower case) → `host:port`.
    pub domains: HashMap<String, String>,
    /// `host:port` for every other domain.
    pub smarthost: Option<String>,
}

impl Routes {
    /// The `host:port` mail for `domain` goes to, if any.
    pub fn route(&self, domain: &str) -> Option<&str> {
        self.domains
            .get(&domain.to_ascii_lowercase())
            .or(self.smarthost.as_ref())
            .map(String::as_str)
    }

    /// True when no route and no smarthost is configured.
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty() && self.smarthost.is_none()
    }
}

/// One queue entry's envelope and state (the `.env` file).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The reverse path ("" for the null sender).
    from: String,
    /// Recipients still to deliver.
    rcpts: Vec<String>,
    /// The user who submitted it (AUTH or POP-before-SMTP), for the logs.
    user: String,
    /// Octets at the start of the `.msg` file that are not sent (the
    /// `Return-Path:` line the local delivery needs).
    skip: u64,
    /// Queued at (seconds since the epoch).
    created: u64,
    /// Attempts made.
    attempts: u32,
    /// Next attempt at (seconds since the epoch, milliseconds precision).
    next_ms: u64,
    /// The last temporary error.
    last_error: String,
}

impl Entry {
    fn encode(&self) -> String {
        let mut s = String::from("yubin-queue 1\n");
        let one_line = |t: &str| t.replace(['\r', '\n'], " ");
        let _ = writeln!(s, "from {}", one_line(&self.from));
        let _ = writeln!(s, "user {}", one_line(&self.user));
        let _ = writeln!(s, "skip {}", self.skip);
        let _ = writeln!(s, "created {}", self.created);
        let _ = writeln!(s, "attempts {}", self.attempts);
        let _ = writeln!(s, "next-ms {}", self.next_ms);
        let _ = writeln!(s, "error {}", one_line(&self.last_error));
        for r in &self.rcpts {
            let _ = writeln!(s, "rcpt {}", one_line(r));
        }
        s
    }

    fn decode(text: &str) -> Option<Self> {
        let mut lines = text.lines();
        if lines.next()? != "yubin-queue 1" {
            return None;
        }
        let mut e = Entry {
            from: String::new(),
            rcpts: Vec::new(),
            user: String::new(),
            skip: 0,
            created: 0,
            attempts: 0,
            next_ms: 0,
            last_error: String::new(),
        };
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "from" => e.from = value.to_owned(),
                "user" => e.user = value.to_owned(),
                "skip" => e.skip = value.parse().ok()?,
                "created" => e.created = value.parse().ok()?,
                "attempts" => e.attempts = value.parse().ok()?,
                "next-ms" => e.next_ms = value.parse().ok()?,
                "error" => e.last_error = value.to_owned(),
                "rcpt" if !value.is_empty() => e.rcpts.push(value.to_owned()),
                _ => {}
            }
        }
        Some(e)
    }
}

/// A recipient that failed for good, and why.
#[derive(Debug, Clone)]
struct Failure {
    rcpt: String,
    status: String,
    diagnostic: String,
}

/// The outgoing queue; see the [module](self) docs.
#[derive(Debug)]
pub struct Queue {
    dir: PathBuf,
    spool_dir: PathBuf,
    routes: Routes,
    config: QueueConfig,
    hostname: String,
    store: Arc<dyn Store>,
    accounts: Arc<Accounts>,
    wake: Notify,
    /// One permit per attempt that may run ([`QueueConfig::max_parallel`]).
    slots: Arc<Semaphore>,
    /// Entries with an attempt running.
    in_flight: Mutex<HashSet<String>>,
    counter: AtomicU64,
}

/// Moves `spool` into the queue directory `dir` as entry `id` and writes
/// its envelope file (the entry exists from then on).
fn enqueue_entry(
    dir: &Path,
    id: &str,
    spool: &Path,
    skip: u64,
    from: &str,
    rcpts: &[String],
    user: &str,
) -> io::Result<()> {
    let msg = dir.join(format!("{id}.msg"));
    fs::rename(spool, &msg)?;
    let entry = Entry {
        from: from.to_owned(),
        rcpts: rcpts.to_vec(),
        user: user.to_owned(),
        skip,
        created: now_ms() / 1000,
        attempts: 0,
        next_ms: 0,
        last_error: String::new(),
    };
    // write_atomically syncs the directory, which makes the rename of the
    // message file durable too.
    if let Err(e) = write_atomically(
        &dir.join(format!("{id}.env")),
        entry.encode().as_bytes(),
        0o600,
    ) {
        let _ = fs::remove_file(&msg);
        return Err(e);
    }
    Ok(())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Queue {
    /// A queue in `dir` (created), cleaned of entries that were never
    /// acknowledged.
    pub fn open(
        dir: &Path,
        spool_dir: &Path,
        routes: Routes,
        config: QueueConfig,
        hostname: &str,
        store: Arc<dyn Store>,
        accounts: Arc<Accounts>,
    ) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        for e in fs::read_dir(dir)?.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let orphan = name.starts_with('.')
                || (name.ends_with(".msg") && !path.with_extension("env").exists());
            if orphan {
                tracing::info!(file = %path.display(), "queue: removing an unacknowledged file");
                let _ = fs::remove_file(&path);
            }
        }
        let slots = Arc::new(Semaphore::new(config.max_parallel.max(1)));
        Ok(Self {
            dir: dir.to_owned(),
            spool_dir: spool_dir.to_owned(),
            routes,
            config,
            hostname: hostname.to_owned(),
            store,
            accounts,
            wake: Notify::new(),
            slots,
            in_flight: Mutex::new(HashSet::new()),
            counter: AtomicU64::new(0),
        })
    }

    /// The routes.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    /// The queue directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many messages are queued (entries with an envelope file).
    pub fn len(&self) -> usize {
        fs::read_dir(&self.dir).map_or(0, |d| {
            d.flatten()
                .filter(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    !n.starts_with('.') && n.ends_with(".env")
                })
                .count()
        })
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues the synced file `spool` (moved into the queue) for `rcpts`.
    /// When this returns `Ok`, the entry survives a crash. Blocking: call it
    /// from `spawn_blocking`.
    pub fn enqueue(
        &self,
        id: &str,
        spool: &Path,
        skip: u64,
        from: &str,
        rcpts: &[String],
        user: &str,
    ) -> io::Result<()> {
        enqueue_entry(&self.dir, id, spool, skip, from, rcpts, user)
    }

    /// Wakes the delivery task (a new entry).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The delivery task: runs until `shutdown` starts draining. An attempt
    /// in flight may finish during the grace period; one cut off is made
    /// again after the restart (the entry changes only after an attempt).
    pub async fn run(self: Arc<Self>, mut shutdown: Shutdown) {
        tracing::info!(dir = %self.dir.display(), routes = ?self.routes, "queue: delivery task started");
        let mut attempts = JoinSet::new();
        loop {
            if shutdown.is_draining() {
                break;
            }
            while attempts.try_join_next().is_some() {}
            let mut closing = shutdown.clone();
            let next = tokio::select! {
                n = self.pass(&mut attempts) => n,
                () = closing.closing() => break,
            };
            let wait = next.map_or(Duration::from_secs(3600), |at| {
                Duration::from_millis(at.saturating_sub(now_ms()))
            });
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
                () = shutdown.draining() => break,
            }
        }
        // Attempts in flight may finish during the grace period; the rest
        // are cut off (dropping the set aborts them) and retried later.
        let mut closing = shutdown.clone();
        tokio::select! {
            () = async { while attempts.join_next().await.is_some() {} } => {}
            () = closing.closing() => {}
        }
        tracing::info!("queue: delivery task stopped");
    }

    /// One pass over the queue: every entry that is due and not already
    /// being attempted gets an attempt in `attempts`, as soon as one of the
    /// [`QueueConfig::max_parallel`] slots is free. Returns when the next
    /// entry is due (ms since the epoch); a finished attempt wakes the
    /// delivery task, whose next pass sees the entry's new state.
    async fn pass(self: &Arc<Self>, attempts: &mut JoinSet<()>) -> Option<u64> {
        let dir = self.dir.clone();
        let ids = tokio::task::spawn_blocking(move || {
            let mut ids: Vec<String> = fs::read_dir(&dir)
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            if n.starts_with('.') {
                                return None;
                            }
                            n.strip_suffix(".env").map(str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default();
            ids.sort();
            ids
        })
        .await
        .unwrap_or_default();
        let mut next: Option<u64> = None;
        for id in ids {
            if self.busy(&id) {
                continue;
            }
            let env_path = self.dir.join(format!("{id}.env"));
            let entry = match tokio::fs::read_to_string(&env_path).await {
                Ok(t) => Entry::decode(&t),
                Err(_) => continue,
            };
            let Some(entry) = entry else {
                tracing::error!(id = %id, "queue: unreadable envelope file; left alone");
                continue;
            };
            if entry.next_ms > now_ms() {
                next = Some(next.map_or(entry.next_ms, |n| n.min(entry.next_ms)));
                continue;
            }
            let Ok(permit) = self.slots.clone().acquire_owned().await else {
                break;
            };
            let guard = InFlight::new(self.clone(), id);
            attempts.spawn(async move {
                let _permit = permit;
                let _ = guard.queue.attempt(&guard.id, entry).await;
            });
        }
        next
    }

    fn busy(&self, id: &str) -> bool {
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
    }

    /// One delivery attempt of entry `id`; returns when the next is due,
    /// `None` once the entry is gone.
    async fn attempt(&self, id: &str, mut entry: Entry) -> Option<u64> {
        let msg_path = self.dir.join(format!("{id}.msg"));
        let data = match tokio::fs::read(&msg_path).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(id = %id, error = %e, "queue: message file unreadable; retrying later");
                return self.reschedule(id, entry, e.to_string()).await;
            }
        };
        let skip = usize::try_from(entry.skip).unwrap_or(usize::MAX);
        let body = data.get(skip..).unwrap_or(&data);
        // Recipients grouped by where they go.
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut failures = Vec::new();
        for r in &entry.rcpts {
            let domain = r.rsplit_once('@').map_or("", |(_, d)| d);
            match self.routes.route(domain) {
                Some(host) => groups.entry(host.to_owned()).or_default().push(r.clone()),
                None => failures.push(Failure {
                    rcpt: r.clone(),
                    status: "5.4.4".into(),
                    diagnostic: "x-yubin; no route to the recipient's domain".into(),
                }),
            }
        }
        let mut remaining = Vec::new();
        let mut last_error = String::new();
        for (host, rcpts) in groups {
            match self.send(&host, &entry.from, &rcpts, body).await {
                Ok(results) => {
                    for (rcpt, reply) in rcpts.into_iter().zip(results) {
                        let code = reply.code();
                        if code.is_positive() {
                            tracing::info!(id = %id, to = %rcpt, via = %host, user = %entry.user, reply = %reply, "relayed");
                        } else if code.is_permanent() {
                            tracing::warn!(id = %id, to = %rcpt, via = %host, reply = %reply, "relay refused; bouncing");
                            failures.push(Failure {
                                rcpt,
                                status: reply
                                    .enhanced()
                                    .map_or_else(|| "5.0.0".to_owned(), |e| e.to_string()),
                                diagnostic: format!("smtp; {}", one_line(&reply.to_string())),
                            });
                        } else {
                            tracing::info!(id = %id, to = %rcpt, via = %host, reply = %reply, "relay deferred");
                            last_error = format!("{host}: {}", one_line(&reply.to_string()));
                            remaining.push(rcpt);
                        }
                    }
                }
                Err(e) => {
                    tracing::info!(id = %id, via = %host, error = %e, "relay deferred");
                    last_error = format!("{host}: {e}");
                    remaining.extend(rcpts);
                }
            }
        }
        entry.attempts = entry.attempts.saturating_add(1);
        let age = (now_ms() / 1000).saturating_sub(entry.created);
        if !remaining.is_empty() && age >= self.config.max_age.as_secs() {
            tracing::warn!(id = %id, rcpts = ?remaining, "queue: message expired; bouncing");
            for rcpt in remaining.drain(..) {
                failures.push(Failure {
                    rcpt,
                    status: "4.4.7".into(),
                    diagnostic: format!(
                        "x-yubin; delivery time expired after {} attempts; last error: {last_error}",
                        entry.attempts
                    ),
                });
            }
        }
        if !failures.is_empty() {
            // The bounce is stored before the entry changes: a crash in
            // between may bounce twice, never lose the notice.
            self.bounce(id, &entry, &failures, &data).await;
        }
        if remaining.is_empty() {
            let _ = tokio::fs::remove_file(self.dir.join(format!("{id}.env"))).await;
            let _ = tokio::fs::remove_file(&msg_path).await;
            let dir = self.dir.clone();
            let _ = tokio::task::spawn_blocking(move || sync_dir(&dir)).await;
            tracing::info!(id = %id, "queue: entry done");
            return None;
        }
        entry.rcpts = remaining;
        self.reschedule(id, entry, last_error).await
    }

    /// Saves the entry with its next attempt time after the back-off.
    async fn reschedule(&self, id: &str, mut entry: Entry, error: String) -> Option<u64> {
        let shift = entry.attempts.saturating_sub(1).min(20);
        let delay = self
            .config
            .retry_base
            .saturating_mul(1u32 << shift)
            .min(self.config.retry_max);
        entry.next_ms = now_ms().saturating_add(u64::try_from(delay.as_millis()).unwrap_or(0));
        entry.last_error = error;
        let path = self.dir.join(format!("{id}.env"));
        let text = entry.encode();
        let saved =
            tokio::task::spawn_blocking(move || write_atomically(&path, text.as_bytes(), 0o600))
                .await;
        if !matches!(saved, Ok(Ok(()))) {
            tracing::error!(id = %id, "queue: cannot save the entry's state; it will be retried");
        }
        tracing::info!(id = %id, attempts = entry.attempts, retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(0), "queue: will retry");
        Some(entry.next_ms)
    }

    /// Sends `body` to `rcpts` through `host`; one reply per recipient.
    async fn send(
        &self,
        host: &str,
        from: &str,
        rcpts: &[String],
        body: &[u8],
    ) -> Result<Vec<Reply>, String> {
        let from = if from.is_empty() {
            ReversePath::Null
        } else {
            ReversePath::Mailbox(Mailbox::new(from).map_err(|e| format!("sender {from}: {e}"))?)
        };
        let mut recipients = Vec::new();
        for r in rcpts {
            let m = Mailbox::new(r).map_err(|e| format!("recipient {r}: {e}"))?;
            recipients.push((ForwardPath::Mailbox(m), RcptParams::default()));
        }
        let helo = Domain::new(&self.hostname)
            .or_else(|_| Domain::new("localhost"))
            .map_err(|e| e.to_string())?;
        let mut endpoint = Endpoint::new(host, host, Security::Plain);
        endpoint.connect_timeout = self.config.connect_timeout;
        endpoint.io_timeout = Duration::from_secs(300);
        let mut client = SmtpClient::connect(&endpoint, Settings::new(Host::Domain(helo)))
            .await
            .map_err(|e| e.to_string())?;
        let envelope = Envelope {
            from,
            params: MailParams::default(),
            recipients,
        };
        let outcome = client
            .send(envelope, body)
            .await
            .map_err(|e| e.to_string())?;
        let _ = client.quit().await;
        // A recipient the server took gets the final reply (or, when there
        // is none, the MAIL reply that refused the envelope).
        let fin = outcome.data.first().unwrap_or(&outcome.mail).clone();
        let mut replies = Vec::new();
        for i in 0..rcpts.len() {
            let reply = match outcome.recipients.get(i) {
                Some(r) if !r.code().is_positive() => r.clone(),
                Some(_) => fin.clone(),
                None => outcome.mail.clone(),
            };
            replies.push(reply);
        }
        Ok(replies)
    }

    /// Stores a delivery status notification for `failures` in the local
    /// sender's INBOX.
    async fn bounce(&self, id: &str, entry: &Entry, failures: &[Failure], message: &[u8]) {
        if entry.from.is_empty() {
            tracing::info!(id = %id, "queue: no bounce for the null sender");
            return;
        }
        let account = entry.from.rsplit_once('@').and_then(|(local, domain)| {
            if self.accounts.is_local_domain(domain) {
                self.accounts.resolve(local.trim_matches('"'))
            } else {
                None
            }
        });
        let skip = usize::try_from(entry.skip).unwrap_or(usize::MAX);
        let original = message.get(skip..).unwrap_or(message);
        let text = dsn(&self.hostname, id, entry, failures, original);
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let path = self.spool_dir.join(format!("bounce-{id}-{n}.msg"));
        let Some(account) = account else {
            self.relay_bounce(id, entry, &path, text).await;
            return;
        };
        let store = self.store.clone();
        let result = tokio::task::spawn_blocking(move || {
            let r = (|| {
                write_atomically(&path, text.as_bytes(), 0o600)?;
                store.deliver(&account, &path, text.len() as u64)
            })();
            let _ = fs::remove_file(&path);
            r
        })
        .await;
        match result {
            Ok(Ok(())) => tracing::info!(id = %id, to = %entry.from, "queue: bounce delivered"),
            _ => tracing::error!(id = %id, to = %entry.from, "queue: cannot store the bounce"),
        }
    }
}

impl Queue {
    /// Queues the bounce `text` for the non-local sender of entry `id`,
    /// from `<>`, through the sender's route or the smarthost; `spool` is
    /// where it is written first.
    async fn relay_bounce(&self, id: &str, entry: &Entry, spool: &Path, text: String) {
        let domain = entry.from.rsplit_once('@').map_or("", |(_, d)| d);
        if self.routes.route(domain).is_none() {
            tracing::warn!(id = %id, from = %entry.from, "queue: no route to the non-local sender; bounce dropped");
            return;
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let bounce_id = format!("{id}.b{n}");
        let (spool, queue_id, from) = (spool.to_owned(), bounce_id.clone(), entry.from.clone());
        let dir = self.dir.clone();
        let result = tokio::task::spawn_blocking(move || {
            // The receiving server adds its own Return-Path.
            let text = text.strip_prefix("Return-Path: <>\r\n").unwrap_or(&text);
            let r = write_atomically(&spool, text.as_bytes(), 0o600).and_then(|()| {
                enqueue_entry(&dir, &queue_id, &spool, 0, "", &[from], "MAILER-DAEMON")
            });
            if r.is_err() {
                let _ = fs::remove_file(&spool);
            }
            r
        })
        .await;
        match result {
            Ok(Ok(())) => {
                tracing::info!(id = %id, bounce = %bounce_id, to = %entry.from, "queue: bounce queued for the sender's route");
                self.wake();
            }
            _ => tracing::error!(id = %id, to = %entry.from, "queue: cannot queue the bounce"),
        }
    }
}

/// An entry being attempted: marked in [`Queue::in_flight`] while it
/// lives; when dropped (the attempt is over or aborted) the mark goes and
/// the delivery task wakes to look at the entry again.
struct InFlight {
    queue: Arc<Queue>,
    id: String,
}

impl InFlight {
    fn new(queue: Arc<Queue>, id: String) -> Self {
        queue
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone());
        Self { queue, id }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.queue
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
        self.queue.wake();
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// An RFC 3464 delivery status notification: a human-readable part, the
/// `message/delivery-status` part and the original headers.
fn dsn(hostname: &str, id: &str, entry: &Entry, failures: &[Failure], original: &[u8]) -> String {
    let now = SystemTime::now();
    let boundary = format!("{id}.bounce/{hostname}");
    let mut s = String::new();
    let _ = write!(
        s,
        "Return-Path: <>\r\n\
         From: Mail Delivery System <MAILER-DAEMON@{hostname}>\r\n\
         To: <{from}>\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Date: {date}\r\n\
         Message-ID: <{id}.bounce@{hostname}>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status;\r\n\
         \tboundary=\"{boundary}\"\r\n\
         \r\n\
         This is a MIME-encapsulated message.\r\n\
         \r\n\
         --{boundary}\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         This is the mail system at host {hostname}.\r\n\
         \r\n\
         Your message could not be delivered to one or more recipients.\r\n\
         \r\n",
        from = entry.from,
        date = rfc5322_date(now),
    );
    for f in failures {
        let _ = write!(s, "<{}>: {}\r\n", f.rcpt, f.diagnostic);
    }
    let created = UNIX_EPOCH + Duration::from_secs(entry.created);
    let _ = write!(
        s,
        "\r\n--{boundary}\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; {hostname}\r\n\
         X-Yubin-Queue-ID: {id}\r\n\
         Arrival-Date: {arrival}\r\n",
        arrival = rfc5322_date(created),
    );
    for f in failures {
        let _ = write!(
            s,
            "\r\nFinal-Recipient: rfc822; {}\r\n\
             Action: failed\r\n\
             Status: {}\r\n\
             Diagnostic-Code: {}\r\n",
            f.rcpt, f.status, f.diagnostic
        );
    }
    let _ = write!(
        s,
        "\r\n--{boundary}\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n"
    );
    // The original header section (at most 64 KiB of it).
    let limit = original.len().min(64 * 1024);
    let head = original.get(..limit).unwrap_or(original);
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(head.len(), |p| p + 2);
    let headers = String::from_utf8_lossy(head.get(..end).unwrap_or(head));
    s.push_str(&headers);
    if !headers.ends_with("\r\n") {
        s.push_str("\r\n");
    }
    let _ = write!(s, "\r\n--{boundary}--\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_round_trip() {
        let e = Entry {
            from: "a@example.test".into(),
            rcpts: vec!["b@remote.test".into(), "c@remote.test".into()],
            user: "demo".into(),
            skip: 30,
            created: 1_795_336_019,
            attempts: 3,
            next_ms: 1_795_336_019_500,
            last_error: "127.0.0.1:1: refused\r\nsecond line".into(),
        };
        let d = Entry::decode(&e.encode()).unwrap();
        assert_eq!(d.rcpts, e.rcpts);
        assert_eq!(d.last_error, "127.0.0.1:1: refused  second line");
        assert_eq!((d.skip, d.created, d.attempts), (30, 1_795_336_019, 3));
        assert!(Entry::decode("garbage").is_none());
        assert!(Entry::decode("yubin-queue 1\nskip x\n").is_none());
    }

    #[test]
    fn routes_prefer_the_domain_then_the_smarthost() {
        let mut r = Routes::default();
        assert_eq!(r.route("example.net"), None);
        r.domains
            .insert("example.net".into(), "127.0.0.1:3525".into());
        assert_eq!(r.route("EXAMPLE.net"), Some("127.0.0.1:3525"));
        assert_eq!(r.route("other.net"), None);
        r.smarthost = Some("10.0.0.1:25".into());
        assert_eq!(r.route("other.net"), Some("10.0.0.1:25"));
    }

    #[test]
    fn dsn_names_each_recipient_and_keeps_the_headers() {
        let e = Entry::decode("yubin-queue 1\nfrom demo@example.test\ncreated 0\n").unwrap();
        let f = [Failure {
            rcpt: "x@remote.test".into(),
            status: "5.1.1".into(),
            diagnostic: "smtp; 550 5.1.1 no such user".into(),
        }];
        let text = dsn(
            "mail.example.test",
            "q1",
            &e,
            &f,
            b"Subject: hi\r\nFrom: demo@example.test\r\n\r\nsecret body\r\n",
        );
        assert!(text.contains("Final-Recipient: rfc822; x@remote.test\r\n"));
        assert!(text.contains("Status: 5.1.1\r\n"));
        assert!(text.contains("Subject: hi\r\n"));
        assert!(!text.contains("secret body"));
        assert!(text.contains("report-type=delivery-status"));
    }
}
