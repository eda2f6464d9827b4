//! The IMAP side of the mail server: the account's mailboxes in the
//! [`Store`] (a Maildir tree in the real server) as IMAP mailboxes.
//!
//! * LOGIN and AUTHENTICATE (PLAIN, LOGIN) check the users file; a
//!   successful login calls the [`LoginHook`] (POP-before-SMTP can hang
//!   off it).
//! * SELECT claims the mailbox's new messages (Maildir: `new/` to `cur/`;
//!   they are `\Recent` for this session) and subscribes to the store's
//!   change bus: a delivery, a POP3 deletion or another session's STORE,
//!   COPY or EXPUNGE reaches the client at once during IDLE, else at the
//!   end of its next command. The session rescans the mailbox on each
//!   notice and tells the client the difference, so nothing is missed if
//!   notices are.
//! * FETCH computes ENVELOPE and BODYSTRUCTURE with `mail-parser` (cached
//!   per message) and streams large body sections from the store in
//!   64 KiB chunks ([`Store::read`]).
//! * Store calls run on `spawn_blocking` threads; APPEND writes the
//!   literal with tokio's file API to the file the store names.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::sync::broadcast;
use yubin_imap::server::{
    Change, ChangedMessage, CopyUid, Event, MailboxOp, MailboxSnapshot, MailboxStatus, MailboxView,
    Refusal, SearchResult, Session, StreamedItem, Ticket,
};
use yubin_imap::types::{
    Atom, Charset, Code, Data, Date, DateTime, DateTimeParts, FetchAttr, FetchItem, Flag,
    FlagFetch, FlagPerm, IString, ListItem, ListMailbox, ListOption, Literal, Mailbox, NString,
    NamespaceDescr, SearchKey, Section, StoreMode,
};
use yubin_sasl::server::{Answer, Verify};
use yubin_tokio::Handler;

use crate::accounts::Accounts;
use crate::mime::{self, Cache, Parsed, Want};
use crate::store::{self, Changed, FlagOp, FlagOutcome, Flags, FolderError, Store};

/// The size of each chunk read from a message file.
const CHUNK: usize = 64 * 1024;
/// Body sections at least this large are streamed from the file.
const STREAM_OCTETS: u64 = 64 * 1024;

/// Called with the peer's address and the account after each successful
/// IMAP login (e.g. to open a POP-before-SMTP relay window).
#[derive(Clone)]
pub struct LoginHook(pub Arc<LoginFn>);

/// The function a [`LoginHook`] holds: the peer's address, the account.
pub type LoginFn = dyn Fn(IpAddr, &str) + Send + Sync;

impl LoginHook {
    /// A hook that does nothing.
    pub fn none() -> Self {
        Self(Arc::new(|_, _| {}))
    }
}

impl std::fmt::Debug for LoginHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginHook")
    }
}

/// What every IMAP connection shares.
#[derive(Debug)]
pub struct Shared {
    /// The accounts.
    pub accounts: Arc<Accounts>,
    /// The mail store.
    pub store: Arc<dyn Store>,
    /// Parsed message structures.
    pub cache: Cache,
    /// Called after each successful login.
    pub on_login: LoginHook,
}

#[derive(Debug)]
struct Selected {
    name: String,
    read_only: bool,
    /// What the client has been told: flags and mod-sequence per UID.
    known: BTreeMap<u32, (Vec<Flag>, u64)>,
    recent: HashSet<u32>,
    highest: u64,
    changes: broadcast::Receiver<Changed>,
}

#[derive(Debug)]
struct Appending {
    mailbox: String,
    tmp: PathBuf,
    file: Option<tokio::fs::File>,
    flags: Flags,
    date: Option<SystemTime>,
    failed: bool,
}

#[derive(Debug)]
struct FetchJob {
    ticket: Ticket,
    queue: VecDeque<u32>,
    attrs: Vec<FetchAttr>,
    changed_since: Option<u64>,
    messages: HashMap<u32, store::Message>,
    /// Messages whose `\Seen` this FETCH set (their FLAGS are sent).
    seen_set: HashSet<u32>,
    recent: HashSet<u32>,
    /// The account and mailbox the messages are read from.
    account: String,
    mailbox: String,
    /// The message streaming a `BODY[]` item, the offset of its next chunk
    /// and the octets still to send.
    stream: Option<(store::Message, u64, u64)>,
}

/// One connection's handler.
#[derive(Debug)]
pub struct ImapHandler {
    shared: Arc<Shared>,
    peer: SocketAddr,
    account: Option<String>,
    sasl_account: Option<String>,
    selected: Option<Selected>,
    append: Option<Appending>,
    fetch: Option<FetchJob>,
}

fn nz(n: u32) -> Option<NonZeroU32> {
    NonZeroU32::new(n)
}

fn no(code: Code, text: &str) -> Refusal {
    Refusal::no(Some(code), text)
}

fn folder_refusal(e: &FolderError, target: bool) -> Refusal {
    match e {
        FolderError::NotFound if target => no(Code::TryCreate, "no such mailbox"),
        FolderError::NotFound => no(Code::NonExistent, "no such mailbox"),
        FolderError::Exists => no(Code::AlreadyExists, "mailbox already exists"),
        FolderError::Invalid(why) if target => no(Code::TryCreate, why),
        FolderError::Invalid(why) => no(Code::Cannot, why),
        FolderError::Io(e) => {
            tracing::error!(error = %e, "imap: store failure");
            no(Code::ServerBug, "the mail store failed; try again later")
        }
    }
}

fn server_bug() -> Refusal {
    no(Code::ServerBug, "internal error; try again later")
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// The store's name of an IMAP mailbox name.
fn mailbox_name(m: &Mailbox) -> Option<String> {
    if m.is_inbox() {
        return Some("INBOX".to_owned());
    }
    let s = std::str::from_utf8(m.as_bytes()).ok()?;
    let s = s.strip_suffix(store::DELIMITER).unwrap_or(s);
    (!s.is_empty()).then(|| s.to_owned())
}

/// IMAP flags of a stored message.
pub fn flags_of(m: &store::Message) -> Vec<Flag> {
    let mut v = Vec::new();
    for c in m.flags.chars() {
        match c {
            'D' => v.push(Flag::Draft),
            'F' => v.push(Flag::Flagged),
            'R' => v.push(Flag::Answered),
            'S' => v.push(Flag::Seen),
            'T' => v.push(Flag::Deleted),
            _ => {}
        }
    }
    for k in &m.keywords {
        if let Ok(a) = Atom::new(Bytes::from(k.clone().into_bytes())) {
            v.push(Flag::Keyword(a));
        }
    }
    v
}

/// Store flags from IMAP flags (`\Recent` and other `\`-flags are not
/// stored).
fn store_flags(flags: &[Flag]) -> Flags {
    let mut f = Flags::default();
    for flag in flags {
        match flag {
            Flag::Draft => f.letters.push('D'),
            Flag::Flagged => f.letters.push('F'),
            Flag::Answered => f.letters.push('R'),
            Flag::Seen => f.letters.push('S'),
            Flag::Deleted => f.letters.push('T'),
            Flag::Keyword(k) => {
                if let Ok(s) = std::str::from_utf8(k.as_bytes()) {
                    f.keywords.push(s.to_owned());
                }
            }
            _ => {}
        }
    }
    f
}

fn system_flags() -> Vec<Flag> {
    vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ]
}

fn atom(s: &str) -> Option<Atom> {
    Atom::new(Bytes::copy_from_slice(s.as_bytes())).ok()
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// INTERNALDATE of a Unix time, in UTC.
fn internal_date(secs: u64) -> Option<DateTime> {
    let secs = i64::try_from(secs).ok()?;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    DateTime::from_parts(DateTimeParts {
        day: u8::try_from(d).ok()?,
        month: u8::try_from(m).ok()?,
        year: u16::try_from(y).ok()?,
        hour: u8::try_from(rem / 3600).ok()?,
        minute: u8::try_from(rem % 3600 / 60).ok()?,
        second: u8::try_from(rem % 60).ok()?,
        zone_minutes: 0,
    })
    .ok()
}

/// The instant an APPEND date names.
fn system_time(dt: &DateTime) -> Option<SystemTime> {
    let p = dt.parts();
    let days = days_from_civil(i64::from(p.year), u32::from(p.month), u32::from(p.day));
    let secs =
        days * 86_400 + i64::from(p.hour) * 3600 + i64::from(p.minute) * 60 + i64::from(p.second)
            - i64::from(p.zone_minutes) * 60;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// A SEARCH date as a day number.
fn search_day(d: &Date) -> Option<i64> {
    let text = std::str::from_utf8(d.as_bytes()).ok()?;
    let mut it = text.split('-');
    let day: u32 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let year: i64 = it.next()?.parse().ok()?;
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = months.iter().position(|x| x.eq_ignore_ascii_case(mon))?;
    Some(days_from_civil(year, u32::try_from(m).ok()? + 1, day))
}

/// `*` matches anything, `%` anything but the delimiter (RFC 9051 §6.3.9).
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => {
            (0..=name.len()).any(|i| name.get(i..).is_some_and(|n| matches(rest, n)))
        }
        Some((b'%', rest)) => {
            for i in 0..=name.len() {
                if let Some(n) = name.get(i..)
                    && matches(rest, n)
                {
                    return true;
                }
                if name.get(i) == Some(&(store::DELIMITER as u8)) {
                    return false;
                }
            }
            false
        }
        Some((c, rest)) => match name.split_first() {
            Some((n, nrest)) => n == c && matches(rest, nrest),
            None => false,
        },
    }
}

fn list_pattern(p: &ListMailbox) -> Vec<u8> {
    match p {
        ListMailbox::Token(t) => t.to_vec(),
        ListMailbox::String(s) => s.as_bytes().to_vec(),
    }
}

/// Literal data for a FETCH item (NUL octets, which a literal may not hold
/// outside BINARY, become spaces).
fn literal(data: Vec<u8>) -> NString {
    let data = if data.contains(&0) {
        tracing::warn!("imap: NUL octets in a message sent as spaces");
        data.into_iter()
            .map(|b| if b == 0 { b' ' } else { b })
            .collect()
    } else {
        data
    };
    Literal::new(Bytes::from(data)).ok().map(IString::Literal)
}

/// Reads `[a, b)` of a file.
/// Octets `[a, b)` of message `m` of the job's mailbox.
fn read_range(
    store: &dyn Store,
    job: (&str, &str),
    m: &store::Message,
    a: u64,
    b: u64,
) -> std::io::Result<Vec<u8>> {
    store.read(job.0, job.1, m, a, b.saturating_sub(a))
}

impl ImapHandler {
    /// A handler for a connection from `peer`.
    pub fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Self {
            shared,
            peer,
            account: None,
            sasl_account: None,
            selected: None,
            append: None,
            fetch: None,
        }
    }

    fn account(&self) -> String {
        self.account.clone().unwrap_or_default()
    }

    async fn verify(&self, user: &str, password: String) -> Option<String> {
        let accounts = self.shared.accounts.clone();
        let user = user.to_owned();
        blocking(move || accounts.verify(&user, &password))
            .await
            .flatten()
    }

    fn logged_in(&mut self, account: String) {
        tracing::info!(peer = %self.peer, user = %account, "imap login");
        (self.shared.on_login.0)(self.peer.ip(), &account);
        self.account = Some(account);
    }

    /// Rescans the selected mailbox and feeds the session what changed
    /// since the client was last told.
    async fn sync(&mut self, s: &mut Session) {
        let Some(sel) = &self.selected else {
            return;
        };
        let store = self.shared.store.clone();
        let (account, name, claim) = (self.account(), sel.name.clone(), !sel.read_only);
        let snap = blocking(move || store.snapshot(&account, &name, claim)).await;
        let Some(Ok(mb)) = snap else {
            tracing::warn!(peer = %self.peer, "imap: selected mailbox unreadable");
            return;
        };
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        let present: HashSet<u32> = mb.messages.iter().map(|m| m.uid).collect();
        let gone: Vec<u32> = sel
            .known
            .keys()
            .filter(|u| !present.contains(u))
            .copied()
            .collect();
        for u in gone {
            sel.known.remove(&u);
            if let Some(u) = nz(u) {
                let _ = s.update(Change::Expunged(u));
            }
        }
        for m in &mb.messages {
            let flags = flags_of(m);
            if m.recent {
                sel.recent.insert(m.uid);
            }
            let Some(uid) = nz(m.uid) else {
                continue;
            };
            match sel.known.get(&m.uid) {
                Some((f, ms)) if *f == flags && *ms == m.modseq => {}
                Some(_) => {
                    let _ = s.update(Change::Flags {
                        uid,
                        flags: flags.clone(),
                        modseq: Some(m.modseq),
                    });
                    sel.known.insert(m.uid, (flags, m.modseq));
                }
                None => {
                    if s.update(Change::Appended(uid)).is_ok() {
                        sel.known.insert(m.uid, (flags, m.modseq));
                    }
                }
            }
        }
        if mb.highest_modseq > sel.highest {
            sel.highest = mb.highest_modseq;
            let _ = s.update(Change::HighestModSeq(mb.highest_modseq));
        }
    }

    async fn select(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        mailbox: Mailbox,
        read_only: bool,
        qresync: Option<yubin_imap::server::QresyncRequest>,
    ) {
        self.selected = None;
        let Some(name) = mailbox_name(&mailbox) else {
            let _ = s.reject(ticket, no(Code::NonExistent, "no such mailbox"));
            return;
        };
        let store = self.shared.store.clone();
        // Listen before the snapshot: no change can fall in between.
        let changes = store.subscribe();
        let account = self.account();
        let n = name.clone();
        let snap = blocking(move || store.snapshot(&account, &n, !read_only)).await;
        let mb = match snap {
            Some(Ok(mb)) => mb,
            Some(Err(e)) => {
                let _ = s.reject(ticket, folder_refusal(&e, false));
                return;
            }
            None => {
                let _ = s.reject(ticket, server_bug());
                return;
            }
        };
        let (Some(validity), Some(next)) = (nz(mb.uid_validity), nz(mb.uid_next.max(1))) else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        let uids: Vec<u32> = mb.messages.iter().map(|m| m.uid).collect();
        let mut snap = MailboxSnapshot::new(validity, next, uids);
        let mut flags = system_flags();
        let mut keywords: Vec<&String> = mb.messages.iter().flat_map(|m| &m.keywords).collect();
        keywords.sort();
        keywords.dedup();
        flags.extend(keywords.iter().filter_map(|k| atom(k)).map(Flag::Keyword));
        snap.flags = flags;
        snap.permanent_flags = system_flags()
            .into_iter()
            .map(FlagPerm::Flag)
            .chain([FlagPerm::Any])
            .collect();
        snap.recent = u32::try_from(mb.messages.iter().filter(|m| m.recent).count()).unwrap_or(0);
        snap.first_unseen = mb
            .messages
            .iter()
            .position(|m| !m.has('S'))
            .and_then(|i| u32::try_from(i + 1).ok())
            .and_then(nz);
        snap.highest_modseq = Some(mb.highest_modseq);
        snap.list = Some(ListItem {
            attributes: store::special_use(&name)
                .and_then(atom)
                .into_iter()
                .collect(),
            delimiter: Some(store::DELIMITER as u8),
            mailbox: mailbox.clone(),
            extended: Vec::new(),
        });
        if let Some(q) = &qresync
            && q.uid_validity == validity
        {
            snap.changed = mb
                .messages
                .iter()
                .filter(|m| m.modseq > q.modseq)
                .filter_map(|m| {
                    Some(ChangedMessage {
                        uid: nz(m.uid)?,
                        flags: flags_of(m),
                        modseq: m.modseq,
                    })
                })
                .collect();
        }
        let sel = Selected {
            name,
            read_only,
            known: mb
                .messages
                .iter()
                .map(|m| (m.uid, (flags_of(m), m.modseq)))
                .collect(),
            recent: mb
                .messages
                .iter()
                .filter(|m| m.recent)
                .map(|m| m.uid)
                .collect(),
            highest: mb.highest_modseq,
            changes,
        };
        match s.accept_select(ticket, snap) {
            Ok(()) => self.selected = Some(sel),
            Err(e) => tracing::error!(error = %e, "imap: accept_select refused"),
        }
    }

    async fn list(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        lsub: bool,
        reference: Mailbox,
        patterns: Vec<ListMailbox>,
        (selection, returns): (Vec<ListOption>, Vec<ListOption>),
    ) {
        let store = self.shared.store.clone();
        let account = self.account();
        let found = blocking(move || -> std::io::Result<_> {
            Ok((store.folders(&account)?, store.subscriptions(&account)?))
        })
        .await;
        let Some(Ok((names, subs))) = found else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        let subscribed_only = lsub || selection.contains(&ListOption::Subscribed);
        let mark_subscribed = subscribed_only || returns.contains(&ListOption::Subscribed);
        let reference = reference.as_bytes().to_vec();
        for p in &patterns {
            let pat = list_pattern(p);
            if pat.is_empty() && !lsub {
                // The hierarchy delimiter (RFC 9051 §6.3.9).
                if let (Some(no_select), Ok(root)) = (atom("Noselect"), Mailbox::try_from("")) {
                    let _ = s.list(
                        &ticket,
                        ListItem {
                            attributes: vec![no_select],
                            delimiter: Some(store::DELIMITER as u8),
                            mailbox: root,
                            extended: Vec::new(),
                        },
                    );
                }
                continue;
            }
            let mut full = reference.clone();
            full.extend_from_slice(&pat);
            for name in &names {
                let hit = if name == "INBOX" {
                    let mut upper = full.clone();
                    upper.make_ascii_uppercase();
                    matches(&upper, b"INBOX") || matches(&full, b"INBOX")
                } else {
                    matches(&full, name.as_bytes())
                };
                // INBOX is always there to read: shown as subscribed.
                let subscribed = name == "INBOX" || subs.iter().any(|x| x == name);
                if !hit || (subscribed_only && !subscribed) {
                    continue;
                }
                let prefix = format!("{name}{}", store::DELIMITER);
                let children = names.iter().any(|n| n.starts_with(&prefix));
                let mut attributes: Vec<Atom> = Vec::new();
                attributes.extend(atom(if children {
                    "HasChildren"
                } else {
                    "HasNoChildren"
                }));
                if mark_subscribed && subscribed {
                    attributes.extend(atom("Subscribed"));
                }
                attributes.extend(store::special_use(name).and_then(atom));
                let Ok(mailbox) = Mailbox::try_from(name.as_str()) else {
                    continue;
                };
                let _ = s.list(
                    &ticket,
                    ListItem {
                        attributes,
                        delimiter: Some(store::DELIMITER as u8),
                        mailbox,
                        extended: Vec::new(),
                    },
                );
            }
        }
        let _ = s.complete(ticket);
    }

    async fn status(&mut self, s: &mut Session, ticket: Ticket, mailbox: Mailbox) {
        let Some(name) = mailbox_name(&mailbox) else {
            let _ = s.reject(ticket, no(Code::NonExistent, "no such mailbox"));
            return;
        };
        let store = self.shared.store.clone();
        let account = self.account();
        match blocking(move || store.snapshot(&account, &name, false)).await {
            Some(Ok(mb)) => {
                let count = |f: &dyn Fn(&store::Message) -> bool| {
                    u32::try_from(mb.messages.iter().filter(|m| f(m)).count()).unwrap_or(u32::MAX)
                };
                let mut st = MailboxStatus::default();
                st.messages = u32::try_from(mb.messages.len()).unwrap_or(u32::MAX);
                st.recent = count(&|m| m.unclaimed);
                st.uid_next = mb.uid_next;
                st.uid_validity = mb.uid_validity;
                st.unseen = count(&|m| !m.has('S'));
                st.deleted = count(&|m| m.has('T'));
                st.size = mb.messages.iter().map(|m| m.size).sum();
                st.highest_modseq = Some(mb.highest_modseq);
                let _ = s.answer_status(ticket, &st);
            }
            Some(Err(e)) => {
                let _ = s.reject(ticket, folder_refusal(&e, false));
            }
            None => {
                let _ = s.reject(ticket, server_bug());
            }
        }
    }

    async fn mailbox_op(&mut self, s: &mut Session, ticket: Ticket, op: MailboxOp) {
        let store = self.shared.store.clone();
        let account = self.account();
        let name = |m: &Mailbox| mailbox_name(m).ok_or(FolderError::Invalid("bad mailbox name"));
        let job: Result<Box<dyn FnOnce() -> Result<(), FolderError> + Send>, FolderError> = match op
        {
            MailboxOp::Create { mailbox, .. } => name(&mailbox).map(|n| {
                Box::new(move || store.create_folder(&account, &n))
                    as Box<dyn FnOnce() -> Result<(), FolderError> + Send>
            }),
            MailboxOp::Delete(m) => name(&m).map(|n| {
                Box::new(move || store.delete_folder(&account, &n))
                    as Box<dyn FnOnce() -> Result<(), FolderError> + Send>
            }),
            MailboxOp::Rename { from, to } => match (name(&from), name(&to)) {
                (Ok(a), Ok(b)) => Ok(Box::new(move || store.rename_folder(&account, &a, &b))
                    as Box<dyn FnOnce() -> Result<(), FolderError> + Send>),
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            MailboxOp::Subscribe(m) => name(&m).map(|n| {
                Box::new(move || Ok(store.subscribe_folder(&account, &n, true)?))
                    as Box<dyn FnOnce() -> Result<(), FolderError> + Send>
            }),
            MailboxOp::Unsubscribe(m) => name(&m).map(|n| {
                Box::new(move || Ok(store.subscribe_folder(&account, &n, false)?))
                    as Box<dyn FnOnce() -> Result<(), FolderError> + Send>
            }),
            _ => Err(FolderError::Invalid("not supported")),
        };
        let result = match job {
            Ok(f) => blocking(f)
                .await
                .unwrap_or(Err(FolderError::Invalid("internal error"))),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                let _ = s.complete(ticket);
            }
            Err(e) => {
                let _ = s.reject(ticket, folder_refusal(&e, false));
            }
        }
    }

    async fn append_start(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        mailbox: Mailbox,
        flags: Option<Vec<Flag>>,
        date: Option<DateTime>,
    ) {
        let Some(name) = mailbox_name(&mailbox) else {
            let _ = s.reject(ticket, no(Code::TryCreate, "no such mailbox"));
            return;
        };
        let store = self.shared.store.clone();
        let account = self.account();
        let n = name.clone();
        let tmp = match blocking(move || store.append_target(&account, &n)).await {
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                let _ = s.reject(ticket, folder_refusal(&e, true));
                return;
            }
            None => {
                let _ = s.reject(ticket, server_bug());
                return;
            }
        };
        let file = match tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .await
        {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(error = %e, "imap: cannot create the APPEND file");
                let _ = s.reject(ticket, server_bug());
                return;
            }
        };
        self.append = Some(Appending {
            mailbox: name,
            tmp,
            file: Some(file),
            flags: store_flags(flags.as_deref().unwrap_or_default()),
            date: date.as_ref().and_then(system_time),
            failed: false,
        });
        let _ = s.accept_append(ticket);
    }

    async fn append_end(&mut self, s: &mut Session, ticket: Ticket) {
        let Some(mut a) = self.append.take() else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        if let Some(mut f) = a.file.take()
            && f.flush().await.is_err()
        {
            a.failed = true;
        }
        if a.failed {
            let _ = tokio::fs::remove_file(&a.tmp).await;
            let _ = s.reject(ticket, server_bug());
            return;
        }
        let store = self.shared.store.clone();
        let account = self.account();
        let (name, tmp, flags, date) = (a.mailbox.clone(), a.tmp.clone(), a.flags, a.date);
        let stored = blocking(move || store.append(&account, &name, &tmp, &flags, date)).await;
        match stored {
            Some(Ok((validity, uid))) => {
                tracing::info!(peer = %self.peer, mailbox = %a.mailbox, uid, "imap append");
                if self
                    .selected
                    .as_ref()
                    .is_some_and(|sel| sel.name == a.mailbox)
                {
                    self.sync(s).await;
                }
                let _ = s.complete_append(ticket, nz(validity).zip(nz(uid)));
            }
            Some(Err(e)) => {
                let _ = tokio::fs::remove_file(&a.tmp).await;
                let _ = s.reject(ticket, folder_refusal(&e, true));
            }
            None => {
                let _ = tokio::fs::remove_file(&a.tmp).await;
                let _ = s.reject(ticket, server_bug());
            }
        }
    }

    async fn fetch_start(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        uids: Vec<u32>,
        attrs: Vec<FetchAttr>,
        changed_since: Option<u64>,
    ) {
        let Some(sel) = &self.selected else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        let store = self.shared.store.clone();
        let (account, name, read_only) = (self.account(), sel.name.clone(), sel.read_only);
        let (a, n) = (account.clone(), name.clone());
        let mut messages: HashMap<u32, store::Message> =
            match blocking(move || store.snapshot(&a, &n, false)).await {
                Some(Ok(mb)) => mb.messages.into_iter().map(|m| (m.uid, m)).collect(),
                Some(Err(e)) => {
                    let _ = s.reject(ticket, folder_refusal(&e, false));
                    return;
                }
                None => {
                    let _ = s.reject(ticket, server_bug());
                    return;
                }
            };
        let sets_seen = !read_only
            && attrs.iter().any(|a| {
                matches!(
                    a,
                    FetchAttr::BodySection { peek: false, .. }
                        | FetchAttr::Rfc822
                        | FetchAttr::Rfc822Text
                )
            });
        let mut seen_set = HashSet::new();
        if sets_seen {
            let unseen: Vec<u32> = uids
                .iter()
                .copied()
                .filter(|u| messages.get(u).is_some_and(|m| !m.has('S')))
                .collect();
            if !unseen.is_empty() {
                let store = self.shared.store.clone();
                let seen = Flags {
                    letters: "S".to_owned(),
                    keywords: Vec::new(),
                };
                let r = blocking(move || {
                    store.set_flags(&account, &name, &unseen, FlagOp::Add, &seen, None)
                })
                .await;
                if let Some(Ok(outcomes)) = r {
                    for o in outcomes {
                        if let FlagOutcome::Done(m) = o {
                            if let Some(sel) = self.selected.as_mut() {
                                sel.known.insert(m.uid, (flags_of(&m), m.modseq));
                            }
                            seen_set.insert(m.uid);
                            messages.insert(m.uid, m);
                        }
                    }
                }
            }
        }
        let recent = self
            .selected
            .as_ref()
            .map(|s| s.recent.clone())
            .unwrap_or_default();
        self.fetch = Some(FetchJob {
            ticket,
            queue: uids.into_iter().collect(),
            attrs,
            changed_since,
            messages,
            seen_set,
            recent,
            account: self.account(),
            mailbox: self
                .selected
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            stream: None,
        });
        self.run_fetch(s).await;
    }

    /// Answers the FETCH in progress until it is done or the output is full
    /// (then [`Handler::on_sent`] goes on).
    async fn run_fetch(&mut self, s: &mut Session) {
        loop {
            let Some(job) = self.fetch.as_mut() else {
                return;
            };
            if let Some((m, offset, left)) = &mut job.stream {
                if *left == 0 {
                    let _ = s.stream_end(&job.ticket);
                    job.stream = None;
                    continue;
                }
                let room = s.stream_room();
                if room == 0 {
                    return;
                }
                let n = room
                    .min(CHUNK)
                    .min(usize::try_from(*left).unwrap_or(usize::MAX));
                let store = self.shared.store.clone();
                let (account, mailbox) = (job.account.clone(), job.mailbox.clone());
                let (msg, at) = (m.clone(), *offset);
                let chunk =
                    blocking(move || store.read(&account, &mailbox, &msg, at, n as u64)).await;
                match chunk {
                    Some(Ok(buf)) if !buf.is_empty() => {
                        let k = buf.len();
                        if s.stream_chunk(&job.ticket, &buf).is_err() {
                            s.bye("[SERVERBUG] internal error");
                            self.fetch = None;
                            return;
                        }
                        *left = left.saturating_sub(k as u64);
                        *offset += k as u64;
                    }
                    _ => {
                        // The literal's length is promised: the only honest
                        // way out is to drop the connection.
                        tracing::error!(peer = %self.peer, "imap: message file unreadable mid-way");
                        s.bye("[SERVERBUG] message file unreadable");
                        self.fetch = None;
                        return;
                    }
                }
                continue;
            }
            let Some(uid) = job.queue.pop_front() else {
                if let Some(job) = self.fetch.take() {
                    let _ = s.complete(job.ticket);
                }
                return;
            };
            fetch_one(&self.shared, job, s, uid).await;
        }
    }

    async fn search(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        charset: Option<Charset>,
        criteria: Vec<SearchKey>,
    ) {
        if let Some(c) = charset {
            let name = match &c {
                Charset::Atom(a) => a.as_bytes().to_vec(),
                Charset::Quoted(q) => q.as_bytes().to_vec(),
            };
            if !(name.eq_ignore_ascii_case(b"UTF-8") || name.eq_ignore_ascii_case(b"US-ASCII")) {
                let _ = s.reject(ticket, no(Code::BadCharset(Vec::new()), "use UTF-8"));
                return;
            }
        }
        let (Some(sel), Some(view)) = (&self.selected, s.view().cloned()) else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        let store = self.shared.store.clone();
        let (account, name, recent) = (self.account(), sel.name.clone(), sel.recent.clone());
        let shared = self.shared.clone();
        let result = blocking(move || -> Result<SearchResult, FolderError> {
            let mb = store.snapshot(&account, &name, false)?;
            let wants_modseq = criteria.iter().any(has_modseq);
            let mut hits = Vec::new();
            let mut top = 0;
            for m in &mb.messages {
                if view.seq(m.uid).is_none() {
                    continue;
                }
                let mut ctx = SearchCtx {
                    m,
                    store: store.as_ref(),
                    at: (&account, &name),
                    view: &view,
                    recent: &recent,
                    cache: &shared.cache,
                    parsed: None,
                    raw: None,
                };
                if criteria.iter().all(|k| ctx.eval(k)) {
                    hits.push(m.uid);
                    top = top.max(m.modseq);
                }
            }
            Ok(SearchResult::new(hits, wants_modseq.then_some(top)))
        })
        .await;
        match result {
            Some(Ok(r)) => {
                let _ = s.search_result(ticket, r);
            }
            Some(Err(e)) => {
                let _ = s.reject(ticket, folder_refusal(&e, false));
            }
            None => {
                let _ = s.reject(ticket, server_bug());
            }
        }
    }

    async fn store_flags(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        uids: Vec<u32>,
        mode: StoreMode,
        flags: Vec<Flag>,
        unchanged_since: Option<u64>,
    ) {
        let Some(sel) = &self.selected else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        if sel.read_only {
            let _ = s.reject(ticket, no(Code::ReadOnly, "mailbox is read-only"));
            return;
        }
        let op = match mode {
            StoreMode::Replace => FlagOp::Replace,
            StoreMode::Add => FlagOp::Add,
            StoreMode::Remove => FlagOp::Remove,
        };
        let f = store_flags(&flags);
        let store = self.shared.store.clone();
        let (account, name) = (self.account(), sel.name.clone());
        let r = blocking(move || store.set_flags(&account, &name, &uids, op, &f, unchanged_since))
            .await;
        match r {
            Some(Ok(outcomes)) => {
                for o in outcomes {
                    match o {
                        FlagOutcome::Done(m) => {
                            let flags = flags_of(&m);
                            if let Some(sel) = self.selected.as_mut() {
                                sel.known.insert(m.uid, (flags.clone(), m.modseq));
                                sel.highest = sel.highest.max(m.modseq);
                            }
                            let _ = s.store_result(&ticket, m.uid, flags, Some(m.modseq));
                        }
                        FlagOutcome::Modified(uid) => {
                            let _ = s.store_modified(&ticket, uid);
                        }
                    }
                }
                let _ = s.complete(ticket);
            }
            Some(Err(e)) => {
                let _ = s.reject(ticket, folder_refusal(&e, false));
            }
            None => {
                let _ = s.reject(ticket, server_bug());
            }
        }
    }

    async fn copy(
        &mut self,
        s: &mut Session,
        ticket: Ticket,
        is_move: bool,
        uids: Vec<u32>,
        mailbox: Mailbox,
    ) {
        let Some(sel) = &self.selected else {
            let _ = s.reject(ticket, server_bug());
            return;
        };
        if is_move && sel.read_only {
            let _ = s.reject(ticket, no(Code::ReadOnly, "mailbox is read-only"));
            return;
        }
        let Some(dest) = mailbox_name(&mailbox) else {
            let _ = s.reject(ticket, no(Code::TryCreate, "no such mailbox"));
            return;
        };
        let store = self.shared.store.clone();
        let (account, src) = (self.account(), sel.name.clone());
        let d = dest.clone();
        // The session takes every requested UID out of the client's view on
        // MOVE: so does `known`.
        let requested = uids.clone();
        let r = blocking(move || -> Result<_, FolderError> {
            let (validity, pairs) = store.copy(&account, &src, &uids, &d)?;
            if is_move {
                let moved: Vec<u32> = pairs.iter().map(|p| p.0).collect();
                store.expunge(&account, &src, Some(&moved), false)?;
            }
            Ok((validity, pairs))
        })
        .await;
        match r {
            Some(Ok((validity, pairs))) => {
                if let Some(sel) = self.selected.as_mut()
                    && is_move
                {
                    for u in &requested {
                        sel.known.remove(u);
                    }
                }
                if !is_move && self.selected.as_ref().is_some_and(|sel| sel.name == dest) {
                    self.sync(s).await;
                }
                let copyuid = nz(validity).filter(|_| !pairs.is_empty()).map(|v| CopyUid {
                    uid_validity: v,
                    source: pairs.iter().map(|p| p.0).collect(),
                    destination: pairs.iter().map(|p| p.1).collect(),
                });
                let _ = s.complete_copy(ticket, copyuid);
            }
            Some(Err(e)) => {
                let _ = s.reject(ticket, folder_refusal(&e, true));
            }
            None => {
                let _ = s.reject(ticket, server_bug());
            }
        }
    }

    /// Removes the `\Deleted` messages (of `uids` when given); the UIDs gone.
    async fn expunge(&mut self, uids: Option<Vec<u32>>) -> Result<Vec<u32>, FolderError> {
        let Some(sel) = &self.selected else {
            return Ok(Vec::new());
        };
        let store = self.shared.store.clone();
        let (account, name) = (self.account(), sel.name.clone());
        let gone = blocking(move || store.expunge(&account, &name, uids.as_deref(), true))
            .await
            .unwrap_or(Err(FolderError::Invalid("internal error")))?;
        if let Some(sel) = self.selected.as_mut() {
            for u in &gone {
                sel.known.remove(u);
            }
        }
        Ok(gone)
    }
}

fn has_modseq(k: &SearchKey) -> bool {
    match k {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) => has_modseq(k),
        SearchKey::Or(a, b) => has_modseq(a) || has_modseq(b),
        SearchKey::And(v) => v.iter().any(has_modseq),
        _ => false,
    }
}

struct SearchCtx<'a> {
    m: &'a store::Message,
    store: &'a dyn Store,
    /// The account and the mailbox.
    at: (&'a str, &'a str),
    view: &'a MailboxView,
    recent: &'a HashSet<u32>,
    cache: &'a Cache,
    parsed: Option<Arc<Parsed>>,
    raw: Option<Vec<u8>>,
}

impl SearchCtx<'_> {
    fn raw(&mut self) -> &[u8] {
        if self.raw.is_none() {
            self.raw = Some(
                self.store
                    .read(self.at.0, self.at.1, self.m, 0, u64::MAX)
                    .unwrap_or_default(),
            );
        }
        self.raw.as_deref().unwrap_or_default()
    }

    fn parsed(&mut self) -> Arc<Parsed> {
        if let Some(p) = &self.parsed {
            return p.clone();
        }
        let p = match self.cache.get(&self.m.key) {
            Some(p) => p,
            None => {
                let key = self.m.key.clone();
                let raw = self.raw().to_vec();
                self.cache.get_or_parse(&key, &raw)
            }
        };
        self.parsed = Some(p.clone());
        p
    }

    fn header_has(&mut self, field: &str, needle: &[u8]) -> bool {
        let needle = String::from_utf8_lossy(needle).to_lowercase();
        let p = self.parsed();
        p.headers
            .iter()
            .any(|(n, v)| n == field && (needle.is_empty() || v.contains(&needle)))
    }

    fn body_has(&mut self, needle: &[u8], whole: bool) -> bool {
        let n = String::from_utf8_lossy(needle).to_lowercase();
        let p = self.parsed();
        if p.text.contains(&n) {
            return true;
        }
        let start = if whole { 0 } else { p.root.body.0 };
        let raw = self.raw();
        let hay = raw
            .get(usize::try_from(start).unwrap_or(0)..)
            .unwrap_or_default();
        String::from_utf8_lossy(hay).to_lowercase().contains(&n)
    }

    fn day(&self) -> i64 {
        i64::try_from(self.m.received / 86_400).unwrap_or(0)
    }

    fn sent_day(&mut self) -> Option<i64> {
        self.parsed().sent.map(|(y, m, d)| days_from_civil(y, m, d))
    }

    fn eval(&mut self, k: &SearchKey) -> bool {
        let m = self.m;
        match k {
            SearchKey::All => true,
            SearchKey::Answered => m.has('R'),
            SearchKey::Unanswered => !m.has('R'),
            SearchKey::Deleted => m.has('T'),
            SearchKey::Undeleted => !m.has('T'),
            SearchKey::Draft => m.has('D'),
            SearchKey::Undraft => !m.has('D'),
            SearchKey::Flagged => m.has('F'),
            SearchKey::Unflagged => !m.has('F'),
            SearchKey::Seen => m.has('S'),
            SearchKey::Unseen => !m.has('S'),
            SearchKey::Recent => self.recent.contains(&m.uid),
            SearchKey::New => self.recent.contains(&m.uid) && !m.has('S'),
            SearchKey::Old => !self.recent.contains(&m.uid),
            SearchKey::Keyword(a) => m
                .keywords
                .iter()
                .any(|k| k.as_bytes().eq_ignore_ascii_case(a.as_bytes())),
            SearchKey::Unkeyword(a) => !m
                .keywords
                .iter()
                .any(|k| k.as_bytes().eq_ignore_ascii_case(a.as_bytes())),
            SearchKey::Larger(n) => m.size > *n,
            SearchKey::Smaller(n) => m.size < *n,
            SearchKey::Before(d) => search_day(d).is_some_and(|d| self.day() < d),
            SearchKey::On(d) => search_day(d).is_some_and(|d| self.day() == d),
            SearchKey::Since(d) => search_day(d).is_some_and(|d| self.day() >= d),
            SearchKey::SentBefore(d) => {
                let d = search_day(d);
                self.sent_day().zip(d).is_some_and(|(a, b)| a < b)
            }
            SearchKey::SentOn(d) => {
                let d = search_day(d);
                self.sent_day().zip(d).is_some_and(|(a, b)| a == b)
            }
            SearchKey::SentSince(d) => {
                let d = search_day(d);
                self.sent_day().zip(d).is_some_and(|(a, b)| a >= b)
            }
            SearchKey::From(s) => self.header_has("from", s.as_bytes()),
            SearchKey::To(s) => self.header_has("to", s.as_bytes()),
            SearchKey::Cc(s) => self.header_has("cc", s.as_bytes()),
            SearchKey::Bcc(s) => self.header_has("bcc", s.as_bytes()),
            SearchKey::Subject(s) => self.header_has("subject", s.as_bytes()),
            SearchKey::Header(f, s) => {
                let f = String::from_utf8_lossy(f.as_bytes()).to_ascii_lowercase();
                self.header_has(&f, s.as_bytes())
            }
            SearchKey::Body(s) => self.body_has(s.as_bytes(), false),
            SearchKey::Text(s) => self.body_has(s.as_bytes(), true),
            SearchKey::Uid(set) => self
                .view
                .resolve(set, true)
                .is_ok_and(|u| u.contains(&m.uid)),
            SearchKey::SequenceSet(set) => self
                .view
                .resolve(set, false)
                .is_ok_and(|u| u.contains(&m.uid)),
            SearchKey::Not(k) => !self.eval(k),
            SearchKey::Or(a, b) => self.eval(a) || self.eval(b),
            SearchKey::And(v) => v.iter().all(|k| self.eval(k)),
            SearchKey::ModSeq { modseq, .. } => m.modseq >= *modseq,
            _ => false,
        }
    }
}

/// A body item of one FETCH response.
enum BodyItem {
    Section(Section, Option<yubin_imap::types::Partial>),
    Rfc822,
    Rfc822Header,
    Rfc822Text,
}

/// Answers one message of the FETCH in `job`; may leave a streamed item
/// open in `job.stream`.
async fn fetch_one(shared: &Arc<Shared>, job: &mut FetchJob, s: &mut Session, uid: u32) {
    let Some(m) = job.messages.get(&uid).cloned() else {
        return;
    };
    if job.changed_since.is_some_and(|c| m.modseq <= c) {
        return;
    }
    let Some(nzuid) = nz(uid) else {
        return;
    };
    let needs_parse = job.attrs.iter().any(|a| match a {
        FetchAttr::Envelope
        | FetchAttr::BodyStructure
        | FetchAttr::Body
        | FetchAttr::Rfc822Header
        | FetchAttr::Rfc822Text => true,
        FetchAttr::BodySection { section, .. } => {
            !section.part.is_empty() || section.text.is_some()
        }
        _ => false,
    });
    let parsed = if needs_parse {
        match shared.cache.get(&m.key) {
            Some(p) => Some(p),
            None => {
                let sh = shared.clone();
                let (account, mailbox, msg) = (job.account.clone(), job.mailbox.clone(), m.clone());
                blocking(move || {
                    sh.store
                        .read(&account, &mailbox, &msg, 0, u64::MAX)
                        .ok()
                        .map(|raw| sh.cache.get_or_parse(&msg.key, &raw))
                })
                .await
                .flatten()
            }
        }
    } else {
        None
    };
    let len = m.size;
    let mut items = Vec::new();
    let mut bodies: Vec<(BodyItem, Want)> = Vec::new();
    let whole = Want::Range(0, len);
    for a in &job.attrs {
        match a {
            FetchAttr::Uid => items.push(FetchItem::Uid(nzuid)),
            FetchAttr::Flags => {
                let mut f: Vec<FlagFetch> = flags_of(&m).into_iter().map(FlagFetch::Flag).collect();
                if job.recent.contains(&uid) {
                    f.push(FlagFetch::Recent);
                }
                items.push(FetchItem::Flags(f));
            }
            FetchAttr::InternalDate => {
                items.extend(internal_date(m.received).map(FetchItem::InternalDate))
            }
            FetchAttr::Rfc822Size => items.push(FetchItem::Rfc822Size(len)),
            FetchAttr::ModSeq => items.push(FetchItem::ModSeq(m.modseq)),
            FetchAttr::Envelope => {
                if let Some(p) = &parsed {
                    items.push(FetchItem::Envelope(Box::new(p.envelope.clone())));
                }
            }
            FetchAttr::BodyStructure => {
                if let Some(b) = parsed.as_ref().and_then(|p| p.structure.clone()) {
                    items.push(FetchItem::BodyStructure(Box::new(b)));
                }
            }
            FetchAttr::Body => {
                if let Some(b) = parsed.as_ref().and_then(|p| p.body.clone()) {
                    items.push(FetchItem::Body(Box::new(b)));
                }
            }
            FetchAttr::BodySection {
                section, partial, ..
            } => {
                let want = match &parsed {
                    Some(p) => p.want(section, len),
                    None => whole.clone(),
                };
                bodies.push((BodyItem::Section(section.clone(), *partial), want));
            }
            FetchAttr::Rfc822 => bodies.push((BodyItem::Rfc822, whole.clone())),
            FetchAttr::Rfc822Header => {
                let w = parsed.as_ref().map_or(Want::Empty, |p| {
                    Want::Range(p.root.header.0, p.root.header.1)
                });
                bodies.push((BodyItem::Rfc822Header, w));
            }
            FetchAttr::Rfc822Text => {
                let w = parsed
                    .as_ref()
                    .map_or(Want::Empty, |p| Want::Range(p.root.body.0, p.root.body.1));
                bodies.push((BodyItem::Rfc822Text, w));
            }
            _ => {}
        }
    }
    if job.seen_set.contains(&uid) && !job.attrs.contains(&FetchAttr::Flags) {
        let mut f: Vec<FlagFetch> = flags_of(&m).into_iter().map(FlagFetch::Flag).collect();
        if job.recent.contains(&uid) {
            f.push(FlagFetch::Recent);
        }
        items.push(FetchItem::Flags(f));
    }
    // The largest plain range of a BODY[] item streams; the rest go inline.
    let mut streamed: Option<(Section, Option<u64>, u64, u64)> = None;
    let mut best = STREAM_OCTETS.saturating_sub(1);
    let mut stream_index = None;
    for (i, (item, want)) in bodies.iter().enumerate() {
        if let (BodyItem::Section(_, partial), Want::Range(a, b)) = (item, want) {
            let (a, b) = clip(*a, *b, *partial);
            if b - a > best {
                best = b - a;
                stream_index = Some(i);
            }
        }
    }
    for (i, (item, want)) in bodies.into_iter().enumerate() {
        let partial = match &item {
            BodyItem::Section(_, p) => *p,
            _ => None,
        };
        if Some(i) == stream_index
            && let (BodyItem::Section(section, p), Want::Range(a, b)) = (&item, &want)
        {
            let (a, b) = clip(*a, *b, *p);
            streamed = Some((section.clone(), p.map(|p| p.offset), a, b));
            continue;
        }
        let store = shared.store.clone();
        let (account, mailbox, msg) = (job.account.clone(), job.mailbox.clone(), m.clone());
        let data = blocking(move || -> std::io::Result<Vec<u8>> {
            let at = (account.as_str(), mailbox.as_str());
            Ok(match want {
                Want::Range(a, b) => {
                    let (a, b) = clip(a, b, partial);
                    read_range(store.as_ref(), at, &msg, a, b)?
                }
                Want::Fields { range, names, not } => {
                    let block = read_range(store.as_ref(), at, &msg, range.0, range.1)?;
                    let v = mime::filter_fields(&block, &names, not);
                    match partial {
                        Some(p) => {
                            let a = usize::try_from(p.offset).unwrap_or(usize::MAX).min(v.len());
                            let b = a
                                .saturating_add(usize::try_from(p.length).unwrap_or(usize::MAX))
                                .min(v.len());
                            v.get(a..b).unwrap_or_default().to_vec()
                        }
                        None => v,
                    }
                }
                Want::Empty => Vec::new(),
            })
        })
        .await;
        let data = match data {
            Some(Ok(d)) => d,
            _ => {
                tracing::warn!(uid, "imap: message file unreadable");
                Vec::new()
            }
        };
        items.push(match item {
            BodyItem::Section(section, p) => FetchItem::BodySection {
                section,
                origin: p.map(|p| p.offset),
                data: literal(data),
            },
            BodyItem::Rfc822 => FetchItem::Rfc822(literal(data)),
            BodyItem::Rfc822Header => FetchItem::Rfc822Header(literal(data)),
            BodyItem::Rfc822Text => FetchItem::Rfc822Text(literal(data)),
        });
    }
    match streamed {
        None => {
            if let Err(e) = s.fetch(&job.ticket, uid, items) {
                tracing::error!(error = %e, "imap: fetch refused");
            }
        }
        Some((section, origin, a, b)) => {
            // The first octet now: a message gone is left out before its
            // literal's length is promised.
            let store = shared.store.clone();
            let (account, mailbox, msg) = (job.account.clone(), job.mailbox.clone(), m.clone());
            let readable = blocking(move || store.read(&account, &mailbox, &msg, a, 1))
                .await
                .is_some_and(|r| r.is_ok());
            if !readable {
                tracing::warn!(uid, "imap: message file unreadable");
                let _ = s.fetch(&job.ticket, uid, items);
                return;
            }
            match s.fetch_streamed(
                &job.ticket,
                uid,
                items,
                StreamedItem::Body { section, origin },
                b - a,
            ) {
                Ok(()) => job.stream = Some((m, a, b - a)),
                Err(e) => tracing::error!(error = %e, "imap: fetch_streamed refused"),
            }
        }
    }
}

/// `[a, b)` narrowed by a partial fetch `<offset.length>`.
fn clip(a: u64, b: u64, partial: Option<yubin_imap::types::Partial>) -> (u64, u64) {
    match partial {
        None => (a, b.max(a)),
        Some(p) => {
            let s = a.saturating_add(p.offset).min(b.max(a));
            let e = s.saturating_add(p.length).min(b.max(a));
            (s, e)
        }
    }
}

impl Handler<Session> for ImapHandler {
    async fn on_event(&mut self, s: &mut Session, event: Event) {
        match event {
            Event::Login {
                ticket,
                username,
                password,
            } => match self.verify(&username, password.expose().to_owned()).await {
                Some(account) => {
                    if s.accept_login(ticket).is_ok() {
                        self.logged_in(account);
                    }
                }
                None => {
                    tracing::info!(peer = %self.peer, user = %username, "imap login failed");
                    let _ = s.reject(
                        ticket,
                        no(Code::AuthenticationFailed, "invalid credentials"),
                    );
                }
            },
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
            Event::Authenticated { user } => {
                let account = self
                    .sasl_account
                    .take()
                    .or_else(|| self.shared.accounts.resolve(&user));
                match account {
                    Some(a) => self.logged_in(a),
                    None => s.bye("[AUTHORIZATIONFAILED] no such account"),
                }
            }
            Event::Select {
                ticket,
                mailbox,
                read_only,
                qresync,
            } => {
                self.select(s, ticket, mailbox, read_only, qresync).await;
            }
            Event::Unselected => self.selected = None,
            Event::List {
                ticket,
                lsub,
                reference,
                patterns,
                selection,
                returns,
            } => {
                self.list(s, ticket, lsub, reference, patterns, (selection, returns))
                    .await;
            }
            Event::Status {
                ticket, mailbox, ..
            } => self.status(s, ticket, mailbox).await,
            Event::Namespace { ticket } => {
                if let Ok(prefix) = IString::try_from("") {
                    let personal = NamespaceDescr {
                        prefix,
                        delimiter: Some(store::DELIMITER as u8),
                        extensions: Vec::new(),
                    };
                    let _ = s.send_data(
                        &ticket,
                        Data::Namespace {
                            personal: Some(vec![personal]),
                            other: None,
                            shared: None,
                        },
                    );
                }
                let _ = s.complete(ticket);
            }
            Event::Mailbox { ticket, op } => self.mailbox_op(s, ticket, op).await,
            Event::Append {
                ticket,
                mailbox,
                flags,
                date,
                ..
            } => self.append_start(s, ticket, mailbox, flags, date).await,
            Event::AppendChunk(bytes) => {
                if let Some(a) = self.append.as_mut()
                    && !a.failed
                    && let Some(f) = a.file.as_mut()
                    && let Err(e) = f.write_all(&bytes).await
                {
                    tracing::error!(error = %e, "imap: APPEND write failed");
                    a.failed = true;
                }
            }
            Event::AppendEnd { ticket } => self.append_end(s, ticket).await,
            Event::AppendAborted => {
                if let Some(a) = self.append.take() {
                    drop(a.file);
                    let _ = tokio::fs::remove_file(&a.tmp).await;
                }
            }
            Event::Poll { ticket } => {
                self.sync(s).await;
                let _ = s.complete(ticket);
            }
            Event::IdleStarted => self.sync(s).await,
            Event::IdleEnded => {}
            Event::Fetch {
                ticket,
                uids,
                attrs,
                changed_since,
                ..
            } => {
                self.fetch_start(s, ticket, uids, attrs, changed_since)
                    .await
            }
            Event::Store {
                ticket,
                uids,
                mode,
                flags,
                unchanged_since,
                ..
            } => {
                self.store_flags(s, ticket, uids, mode, flags, unchanged_since)
                    .await;
            }
            Event::Search {
                ticket,
                charset,
                criteria,
                ..
            } => self.search(s, ticket, charset, criteria).await,
            Event::Copy {
                ticket,
                is_move,
                uids,
                mailbox,
            } => self.copy(s, ticket, is_move, uids, mailbox).await,
            Event::Expunge { ticket, uids } => {
                if self.selected.as_ref().is_some_and(|sel| sel.read_only) {
                    let _ = s.reject(ticket, no(Code::ReadOnly, "mailbox is read-only"));
                    return;
                }
                match self.expunge(uids).await {
                    Ok(gone) => {
                        let _ = s.complete_expunge(ticket, &gone);
                    }
                    Err(e) => {
                        let _ = s.reject(ticket, folder_refusal(&e, false));
                    }
                }
            }
            Event::Close { ticket, read_only } => {
                if !read_only && let Err(e) = self.expunge(None).await {
                    tracing::warn!(error = %e, "imap: CLOSE could not expunge");
                }
                self.selected = None;
                let _ = s.complete(ticket);
            }
            Event::Error(e) => {
                tracing::debug!(peer = %self.peer, error = %e, "imap protocol error")
            }
            Event::Closed(reason) => {
                tracing::debug!(peer = %self.peer, ?reason, "imap session closed");
                self.selected = None;
                self.fetch = None;
                if let Some(a) = self.append.take() {
                    drop(a.file);
                    let _ = tokio::fs::remove_file(&a.tmp).await;
                }
            }
            _ => {}
        }
    }

    async fn on_sent(&mut self, s: &mut Session) {
        if self.fetch.is_some() {
            self.run_fetch(s).await;
        }
    }

    async fn wake(&mut self) {
        let account = self.account();
        let Some(sel) = self.selected.as_mut() else {
            return std::future::pending().await;
        };
        loop {
            match sel.changes.recv().await {
                Ok(c) if c.account == account && c.mailbox == sel.name => return,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => return std::future::pending().await,
            }
        }
    }

    async fn on_wake(&mut self, s: &mut Session) {
        // Drain notices already queued: one rescan covers them.
        if let Some(sel) = self.selected.as_mut() {
            while sel.changes.try_recv().is_ok() {}
        }
        self.sync(s).await;
    }
}
