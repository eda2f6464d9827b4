//! The mail store: one Maildir per account (the layout Dovecot, Courier and
//! mutt read), Maildir++ folders (`.Sent`, `.Lists.rust`, …) for the other
//! mailboxes, and small side files beside each mailbox so every protocol
//! names a message the same way.
//!
//! * Delivery and APPEND write the message under `tmp/`, sync it, rename it
//!   into `new/` (delivery) or `cur/` (APPEND) and sync the directory: only
//!   then is the message acknowledged, so a crash loses nothing that was
//!   answered and never shows half a message.
//! * System flags live in the file name, as the Maildir convention has it
//!   (`:2,` then the letters `D` draft, `F` flagged, `P` passed, `R`
//!   replied, `S` seen, `T` trashed, in ASCII order). A message still in
//!   `new/` is moved to `cur/` when an IMAP session selects its mailbox and
//!   is `\Recent` for that session.
//! * `yubin-uidlist` maps each file's unique name to its UID (with the
//!   UIDVALIDITY and the next UID); `yubin-state` holds the highest
//!   mod-sequence (RFC 7162) and each message's mod-sequence and keywords.
//!   Both are rewritten atomically ([`write_atomically`]).
//!
//! Every change (a delivery, a POP3 deletion, an IMAP flag change, copy,
//! append or expunge) is announced on the store's change bus
//! ([`Store::subscribe`]), so a selected IMAP session learns of it at once.
//!
//! All functions here block (file system); call them from
//! `tokio::task::spawn_blocking`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::broadcast;

use crate::accounts::{replace_file, sync_dir, write_atomically};

/// The special-use folders every new account gets (RFC 6154 names).
pub const SPECIAL_FOLDERS: [&str; 5] = ["Sent", "Drafts", "Trash", "Junk", "Archive"];

/// The hierarchy delimiter of mailbox names as IMAP shows them (`.` is the
/// Maildir++ separator on disk).
pub const DELIMITER: char = '/';

const UIDLIST: &str = "yubin-uidlist";
const STATE: &str = "yubin-state";
const SUBSCRIPTIONS: &str = "subscriptions";
/// How many change notices the bus keeps for a slow listener (one that
/// falls behind rescans its mailbox anyway).
const BUS_CAPACITY: usize = 256;
/// How long a mailbox read from disk answers later reads that nothing in
/// this process changed it in between: the longest a change made by
/// another program (a delivery agent, a mail client on the Maildir) goes
/// unseen. This process's own changes are seen at once.
const FOLDER_CACHE_TTL: Duration = Duration::from_secs(1);
/// How many mailboxes the read cache holds before it starts over.
const FOLDER_CACHE_ENTRIES: usize = 1024;

/// One message of a mailbox snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its UID, stable for the mailbox's UIDVALIDITY.
    pub uid: u32,
    /// Its size in octets (CRLF line ends, as stored).
    pub size: u64,
    /// Where the Maildir store last saw its file (empty in other stores);
    /// read the message through [`Store::read`].
    pub(crate) path: PathBuf,
    /// The Maildir unique name (the file name before `:2,`).
    pub key: String,
    /// The Maildir flag letters, in ASCII order (`DFPRST` at most).
    pub flags: String,
    /// IMAP keywords (`$Forwarded`, `NonJunk`, …).
    pub keywords: Vec<String>,
    /// Its mod-sequence (RFC 7162).
    pub modseq: u64,
    /// It was moved out of `new/` by this snapshot (`\Recent`).
    pub recent: bool,
    /// No IMAP session has selected its mailbox since it arrived (it is in
    /// Maildir's `new/`): the next one to do so sees it `\Recent`.
    pub unclaimed: bool,
    /// Its internal date: seconds since the Unix epoch (the file's mtime).
    pub received: u64,
}

impl Message {
    /// Whether the flag letter (`S`, `T`, …) is set.
    pub fn has(&self, letter: char) -> bool {
        self.flags.contains(letter)
    }
}

/// A snapshot of a mailbox, in UID order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The UIDVALIDITY.
    pub uid_validity: u32,
    /// The next UID to assign.
    pub uid_next: u32,
    /// The highest mod-sequence (RFC 7162).
    pub highest_modseq: u64,
    /// The messages, ascending by UID.
    pub messages: Vec<Message>,
}

/// A mailbox changed: the notice on the change bus.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Changed {
    /// The account.
    pub account: String,
    /// The mailbox, as IMAP names it (`INBOX`, `Sent`, `Lists/rust`).
    pub mailbox: String,
}

/// How a flag change applies (IMAP STORE `FLAGS`, `+FLAGS`, `-FLAGS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    /// Replace every flag.
    Replace,
    /// Add these.
    Add,
    /// Remove these.
    Remove,
}

/// A set of flags: Maildir letters and keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// Maildir letters (any order; duplicates ignored).
    pub letters: String,
    /// Keywords.
    pub keywords: Vec<String>,
}

/// What a flag change did to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagOutcome {
    /// The message as it is now (changed or not).
    Done(Message),
    /// Its mod-sequence was above `unchanged_since`: left alone.
    Modified(u32),
}

/// A folder problem worth its own IMAP response code.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// No such mailbox (`[NONEXISTENT]`, or `[TRYCREATE]` as a target).
    #[error("no such mailbox")]
    NotFound,
    /// The name is taken (`[ALREADYEXISTS]`).
    #[error("mailbox already exists")]
    Exists,
    /// The name cannot be a folder here (`[CANNOT]`).
    #[error("{0}")]
    Invalid(&'static str),
    /// The file system failed (`[SERVERBUG]`).
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// What the protocol handlers need from a mail store: delivery, mailbox
/// snapshots with UIDs, flags and mod-sequences, message content, copy,
/// append and expunge, folders and subscriptions, and the change bus.
///
/// [`Maildir`] keeps mail on disk; [`memory::MemoryStore`] keeps it in
/// memory (for tests). Both pass the same behavioural tests (this module's
/// `tests::behaves`). Every method may block: call them from
/// `tokio::task::spawn_blocking`.
///
/// Mailbox names are IMAP's (`INBOX`, `Sent`, `Lists/rust`); `INBOX` is
/// case-insensitive. A message is named by its UID within a mailbox, or by
/// its [`Message::key`], which no UID change or flag change alters.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Listens to the change bus: a notice for every mailbox changed after
    /// this call. A receiver that lags gets `Lagged` and should rescan.
    fn subscribe(&self) -> broadcast::Receiver<Changed>;

    /// Creates the INBOX and the special-use folders of `account` (existing
    /// ones are left alone).
    fn create_account(&self, account: &str) -> io::Result<()>;

    /// Delivers the (already synced) file `spool` of `size` octets into
    /// `account`'s INBOX (creating it when missing). When this returns
    /// `Ok`, the message is stored as durably as the store can.
    fn deliver(&self, account: &str, spool: &Path, size: u64) -> io::Result<()>;

    /// A snapshot of `account`'s INBOX for POP3: no message is claimed
    /// (see [`Store::snapshot`]).
    fn inbox(&self, account: &str) -> io::Result<Mailbox>;

    /// A snapshot of one mailbox, in UID order. With `claim_new` (an IMAP
    /// SELECT) the unclaimed messages are claimed and come back with
    /// `recent` set.
    fn snapshot(
        &self,
        account: &str,
        mailbox: &str,
        claim_new: bool,
    ) -> Result<Mailbox, FolderError>;

    /// Up to `len` octets of message `m` of `mailbox`, from `offset`
    /// (fewer at its end). `NotFound` when the message is gone.
    fn read(
        &self,
        account: &str,
        mailbox: &str,
        m: &Message,
        offset: u64,
        len: u64,
    ) -> io::Result<Vec<u8>>;

    /// Removes the INBOX messages with these keys (POP3 `DELE` + `QUIT`).
    /// A message already gone counts as removed.
    fn remove(&self, account: &str, keys: &[String]) -> io::Result<()>;

    /// Changes the flags of the messages `uids` (those still there). With
    /// `unchanged_since`, a message whose mod-sequence is above it is left
    /// alone and reported as [`FlagOutcome::Modified`] (RFC 7162 §3.1.3).
    fn set_flags(
        &self,
        account: &str,
        mailbox: &str,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<Vec<FlagOutcome>, FolderError>;

    /// Removes the messages `uids` (all with `None`) that are flagged
    /// `\Deleted` (`T`), or regardless of flags with `only_deleted` false
    /// (the source side of a MOVE). Returns the UIDs removed.
    fn expunge(
        &self,
        account: &str,
        mailbox: &str,
        uids: Option<&[u32]>,
        only_deleted: bool,
    ) -> Result<Vec<u32>, FolderError>;

    /// Copies the messages `uids` of `from` into `to` with their flags and
    /// keywords (not `\Recent`): each gets a new UID there. Returns the
    /// target's UIDVALIDITY and the (source, target) UID pairs.
    fn copy(
        &self,
        account: &str,
        from: &str,
        uids: &[u32],
        to: &str,
    ) -> Result<(u32, Vec<(u32, u32)>), FolderError>;

    /// A fresh file for a message being appended to `mailbox`: write it,
    /// then hand it to [`Store::append`] (or remove it).
    fn append_target(&self, account: &str, mailbox: &str) -> Result<PathBuf, FolderError>;

    /// Stores the message written to `tmp` (from [`Store::append_target`])
    /// in `mailbox` with `flags` and the internal date `received` (now when
    /// `None`). Returns the UIDVALIDITY and the new UID.
    fn append(
        &self,
        account: &str,
        mailbox: &str,
        tmp: &Path,
        flags: &Flags,
        received: Option<SystemTime>,
    ) -> Result<(u32, u32), FolderError>;

    /// `account`'s mailboxes: `INBOX` first, then the folders by name.
    fn folders(&self, account: &str) -> io::Result<Vec<String>>;

    /// Creates a folder (and the levels above it that are missing).
    fn create_folder(&self, account: &str, name: &str) -> Result<(), FolderError>;

    /// Deletes a folder and its messages (not INBOX; not one with
    /// sub-folders).
    fn delete_folder(&self, account: &str, name: &str) -> Result<(), FolderError>;

    /// Renames a folder and its sub-folders (not INBOX).
    fn rename_folder(&self, account: &str, from: &str, to: &str) -> Result<(), FolderError>;

    /// The subscribed mailbox names.
    fn subscriptions(&self, account: &str) -> io::Result<Vec<String>>;

    /// Subscribes (`on`) or unsubscribes a mailbox name.
    fn subscribe_folder(&self, account: &str, name: &str, on: bool) -> io::Result<()>;
}

pub mod memory;

/// The Maildir store under one root directory.
#[derive(Debug)]
pub struct Maildir {
    root: PathBuf,
    host: String,
    counter: AtomicU64,
    /// The last UIDVALIDITY handed out (see [`new_validity`]).
    last_validity: AtomicU32,
    locks: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
    bus: broadcast::Sender<Changed>,
    cache: Mutex<FolderCache>,
}

/// Mailboxes as last read from disk, so that the sessions re-reading a
/// mailbox after every command (and after every change notice) do not each
/// list its directories and stat its files.
///
/// Every change this process makes to a mailbox moves its generation on;
/// a read that began before the change cannot then leave its (older)
/// result here.
#[derive(Debug, Default)]
struct FolderCache {
    /// The last generation handed out.
    generation: u64,
    entries: HashMap<PathBuf, CacheEntry>,
    /// How many entries hold a folder.
    filled: usize,
}

#[derive(Debug, Default)]
struct CacheEntry {
    generation: u64,
    /// The folder and when its directories were listed.
    folder: Option<(Folder, Instant)>,
}

impl FolderCache {
    fn generation(&self, md: &Path) -> u64 {
        self.entries.get(md).map_or(0, |e| e.generation)
    }

    /// A copy of the folder of `md`, while fresh; not when a session
    /// selecting it must claim messages still in `new/`.
    fn get(&self, md: &Path, claim_new: bool) -> Option<(Folder, Instant)> {
        let (folder, at) = self.entries.get(md)?.folder.as_ref()?;
        if at.elapsed() >= FOLDER_CACHE_TTL
            || (claim_new && folder.messages.iter().any(|m| m.unclaimed))
        {
            return None;
        }
        Some((folder.clone(), *at))
    }

    /// Keeps `folder`, read at `generation`, unless a change came since.
    fn put(&mut self, md: &Path, generation: u64, folder: &Folder, at: Instant) {
        if self.generation(md) != generation {
            return;
        }
        if self.filled >= FOLDER_CACHE_ENTRIES {
            for e in self.entries.values_mut() {
                e.folder = None;
            }
            self.filled = 0;
        }
        let entry = self.entries.entry(md.to_owned()).or_default();
        let mut kept = folder.clone();
        // `recent` belongs to the read that claimed the message.
        for m in &mut kept.messages {
            m.recent = false;
        }
        if entry.folder.replace((kept, at)).is_none() {
            self.filled += 1;
        }
    }

    /// This process changed `md`: later reads go to disk, and reads begun
    /// before are not kept.
    fn changed(&mut self, md: &Path) {
        self.generation += 1;
        let generation = self.generation;
        let entry = self.entries.entry(md.to_owned()).or_default();
        entry.generation = generation;
        if entry.folder.take().is_some() {
            self.filled -= 1;
        }
    }

    /// This process changed `md`, read at `generation`, into `folder`
    /// (flags only, files renamed): that is what later reads get, unless
    /// something else changed it meanwhile.
    fn replaced(&mut self, md: &Path, generation: u64, folder: &Folder, at: Instant) {
        let unchanged = self.generation(md) == generation;
        self.changed(md);
        if unchanged {
            let now = self.generation(md);
            self.put(md, now, folder, at);
        }
    }

    /// Folders were created, deleted or renamed: forget every mailbox.
    fn changed_all(&mut self) {
        let paths: Vec<PathBuf> = self.entries.keys().cloned().collect();
        for p in paths {
            self.changed(&p);
        }
    }
}

/// One mailbox as read under its lock.
#[derive(Debug, Clone)]
struct Folder {
    validity: u32,
    next: u32,
    highest: u64,
    messages: Vec<Message>,
}

impl Maildir {
    /// A store under `root` (created on demand); `hostname` goes into the
    /// unique file names, as the Maildir convention asks.
    pub fn new(root: &Path, hostname: &str) -> Self {
        let host = hostname
            .chars()
            .map(|c| {
                if c == '/' || c == ':' || c == ',' {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let (bus, _) = broadcast::channel(BUS_CAPACITY);
        Self {
            root: root.to_owned(),
            host,
            counter: AtomicU64::new(0),
            last_validity: AtomicU32::new(0),
            locks: Mutex::new(HashMap::new()),
            bus,
            cache: Mutex::new(FolderCache::default()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, FolderCache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the mailbox `md`, its lock held: from the cache when this
    /// process changed nothing in it since it was last listed (and that
    /// was less than [`FOLDER_CACHE_TTL`] ago), else from disk. Returns the
    /// generation read at and when the directories were listed.
    fn read_folder(&self, md: &Path, claim_new: bool) -> io::Result<(Folder, u64, Instant)> {
        let generation = {
            let cache = self.cache();
            if let Some((f, at)) = cache.get(md, claim_new) {
                return Ok((f, cache.generation(md), at));
            }
            cache.generation(md)
        };
        let at = Instant::now();
        let f = scan(&self.last_validity, md, claim_new)?;
        self.cache().put(md, generation, &f, at);
        Ok((f, generation, at))
    }

    fn notify(&self, account: &str, mailbox: &str) {
        // No listener is not an error.
        let _ = self.bus.send(Changed {
            account: account.to_owned(),
            mailbox: mailbox.to_owned(),
        });
    }

    /// The INBOX Maildir of `account`.
    pub fn inbox_dir(&self, account: &str) -> PathBuf {
        self.root.join(account)
    }

    /// The Maildir of `account`'s mailbox `name` (IMAP form, `/` between
    /// levels), or `None` when the name cannot be a folder.
    pub fn folder_dir(&self, account: &str, name: &str) -> Option<PathBuf> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Some(self.inbox_dir(account));
        }
        valid_folder_name(name).ok()?;
        Some(
            self.inbox_dir(account)
                .join(format!(".{}", name.replace(DELIMITER, "."))),
        )
    }

    fn unique_name(&self, size: u64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // Micro-seconds and counter zero-padded: new messages get their
        // UIDs in file-name order, which must be arrival order.
        format!(
            "{}.M{:06}P{}Q{:06}.{},S={}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            n,
            self.host,
            size
        )
    }

    fn lock(&self, dir: &Path) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(dir.to_owned()).or_default().clone()
    }

    fn existing(&self, account: &str, mailbox: &str) -> Result<PathBuf, FolderError> {
        let md = self
            .folder_dir(account, mailbox)
            .ok_or(FolderError::NotFound)?;
        if md.join("cur").is_dir() {
            Ok(md)
        } else {
            Err(FolderError::NotFound)
        }
    }

    /// Where message `m` of the Maildir `md` is now: its snapshot's path,
    /// or the file of the same unique name that an IMAP session moved to
    /// `cur/` or renamed for its flags since.
    fn locate(&self, md: &Path, m: &Message) -> Option<PathBuf> {
        if m.path.exists() {
            return Some(m.path.clone());
        }
        find_key(md, &m.key)
    }
}

impl Store for Maildir {
    /// Listens to the change bus: a notice for every mailbox changed after
    /// this call. A receiver that lags gets `Lagged` and should rescan.
    fn subscribe(&self) -> broadcast::Receiver<Changed> {
        self.bus.subscribe()
    }

    /// Creates the INBOX and the special-use folders of `account` (existing
    /// ones are left alone).
    fn create_account(&self, account: &str) -> io::Result<()> {
        let inbox = self.inbox_dir(account);
        make_maildir(&inbox)?;
        for f in SPECIAL_FOLDERS {
            make_maildir(&inbox.join(format!(".{f}")))?;
        }
        let subscriptions: String = SPECIAL_FOLDERS.iter().map(|f| format!("{f}\n")).collect();
        let subs = inbox.join(SUBSCRIPTIONS);
        if !subs.exists() {
            write_atomically(&subs, subscriptions.as_bytes(), 0o600)?;
        }
        Ok(())
    }

    /// Delivers the (already synced) file `spool` of `size` octets into
    /// `account`'s INBOX: linked (or copied) under `tmp/`, synced, renamed
    /// into `new/`, directory synced. When this returns `Ok`, the message
    /// survives a crash.
    fn deliver(&self, account: &str, spool: &Path, size: u64) -> io::Result<()> {
        let md = self.inbox_dir(account);
        make_maildir(&md)?;
        let name = self.unique_name(size);
        let tmp = md.join("tmp").join(&name);
        if fs::hard_link(spool, &tmp).is_err() {
            fs::copy(spool, &tmp)?;
            fs::File::open(&tmp)?.sync_all()?;
        }
        let new = md.join("new").join(&name);
        if let Err(e) = fs::rename(&tmp, &new) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        self.cache().changed(&md);
        // Makes the message's name in new/ durable. The tmp/ entry's removal
        // is not synced: a crash may leave a stray link there, which Maildir
        // readers clean up (files in tmp/ older than 36 hours), never a
        // lost message; one fsync fewer per delivery.
        sync_dir(&md.join("new"))?;
        self.notify(account, "INBOX");
        Ok(())
    }

    /// A snapshot of `account`'s INBOX for POP3 (messages in `new/` stay
    /// there). New files get UIDs in name order (names start with the
    /// delivery time); files gone since the last call leave the UID list.
    fn inbox(&self, account: &str) -> io::Result<Mailbox> {
        make_maildir(&self.inbox_dir(account))?;
        self.snapshot(account, "INBOX", false).map_err(|e| match e {
            FolderError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })
    }

    /// A snapshot of one mailbox. With `claim_new` (an IMAP SELECT) the
    /// messages in `new/` move to `cur/` and come back with `recent` set.
    fn snapshot(
        &self,
        account: &str,
        mailbox: &str,
        claim_new: bool,
    ) -> Result<Mailbox, FolderError> {
        let md = self.existing(account, mailbox)?;
        let lock = self.lock(&md);
        let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        let (f, _, _) = self.read_folder(&md, claim_new)?;
        Ok(Mailbox {
            uid_validity: f.validity,
            uid_next: f.next,
            highest_modseq: f.highest,
            messages: f.messages,
        })
    }

    /// Removes messages (POP3 `DELE` + `QUIT`). A file already gone counts
    /// as removed. The UID list forgets them at the next snapshot.
    fn read(
        &self,
        account: &str,
        mailbox: &str,
        m: &Message,
        offset: u64,
        len: u64,
    ) -> io::Result<Vec<u8>> {
        use std::io::{Read, Seek};
        let md = self
            .existing(account, mailbox)
            .map_err(|_| io::Error::from(io::ErrorKind::NotFound))?;
        let open = |p: &Path| fs::File::open(p);
        let mut file = match open(&m.path) {
            Ok(f) => f,
            // Renamed for its flags or moved to cur/ since the snapshot.
            Err(e) if e.kind() == io::ErrorKind::NotFound => open(&self.locate(&md, m).ok_or(e)?)?,
            Err(e) => return Err(e),
        };
        file.seek(io::SeekFrom::Start(offset))?;
        let mut out = Vec::with_capacity(usize::try_from(len.min(m.size)).unwrap_or(0));
        file.take(len).read_to_end(&mut out)?;
        Ok(out)
    }

    fn remove(&self, account: &str, keys: &[String]) -> io::Result<()> {
        let md = self.inbox_dir(account);
        {
            let lock = self.lock(&md);
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            for key in keys {
                let Some(p) = find_key(&md, key) else {
                    continue;
                };
                match fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            self.cache().changed(&md);
            sync_dir(&md.join("cur"))?;
            sync_dir(&md.join("new"))?;
        }
        self.notify(account, "INBOX");
        Ok(())
    }

    /// Changes the flags of the messages `uids` (those still there). With
    /// `unchanged_since`, a message whose mod-sequence is above it is left
    /// alone and reported as [`FlagOutcome::Modified`] (RFC 7162 §3.1.3).
    fn set_flags(
        &self,
        account: &str,
        mailbox: &str,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<Vec<FlagOutcome>, FolderError> {
        let md = self.existing(account, mailbox)?;
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let lock = self.lock(&md);
        let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        let (mut f, generation, at) = self.read_folder(&md, false)?;
        let mut out = Vec::new();
        let mut changed = false;
        let mut fresh = false;
        let mut highest = f.highest;
        let mut i = 0;
        while let Some(m) = f.messages.get_mut(i) {
            i += 1;
            if !wanted.contains(&m.uid) {
                continue;
            }
            if unchanged_since.is_some_and(|u| m.modseq > u) {
                out.push(FlagOutcome::Modified(m.uid));
                continue;
            }
            let (letters, keywords) = apply(m, op, flags);
            if letters == m.flags && keywords == m.keywords {
                out.push(FlagOutcome::Done(m.clone()));
                continue;
            }
            if letters != m.flags {
                let to = md.join("cur").join(format!("{}:2,{letters}", m.key));
                match fs::rename(&m.path, &to) {
                    Ok(()) => {}
                    // Renamed or claimed by another program since the
                    // cached read: read the mailbox from disk and start over
                    // (once; a file gone from disk is then left out).
                    Err(e) if e.kind() == io::ErrorKind::NotFound && !fresh && !changed => {
                        self.cache().changed(&md);
                        f = scan(&self.last_validity, &md, false)?;
                        highest = f.highest;
                        out.clear();
                        fresh = true;
                        i = 0;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
                m.path = to;
                m.flags = letters;
            }
            m.keywords = keywords;
            highest += 1;
            m.modseq = highest;
            changed = true;
            out.push(FlagOutcome::Done(m.clone()));
        }
        if changed {
            f.highest = highest;
            // The renames and the state file are not synced: a crash may
            // cost the latest flag changes, never a message.
            save_state(&md, &f)?;
            if fresh {
                self.cache().changed(&md);
            } else {
                self.cache().replaced(&md, generation, &f, at);
            }
        }
        drop(guard);
        if changed {
            self.notify(account, mailbox);
        }
        Ok(out)
    }

    /// Removes the messages `uids` that are flagged `\Deleted` (`T`), or
    /// all of `uids` with `only_deleted` false (the source side of a MOVE).
    /// Returns the UIDs removed.
    fn expunge(
        &self,
        account: &str,
        mailbox: &str,
        uids: Option<&[u32]>,
        only_deleted: bool,
    ) -> Result<Vec<u32>, FolderError> {
        let md = self.existing(account, mailbox)?;
        let mut gone = Vec::new();
        {
            let lock = self.lock(&md);
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            let (mut f, _, _) = self.read_folder(&md, false)?;
            let wanted: Option<HashSet<u32>> = uids.map(|u| u.iter().copied().collect());
            let mut kept = Vec::with_capacity(f.messages.len());
            for m in f.messages.drain(..) {
                let hit = wanted.as_ref().is_none_or(|w| w.contains(&m.uid))
                    && (!only_deleted || m.has('T'));
                if !hit {
                    kept.push(m);
                    continue;
                }
                match fs::remove_file(&m.path) {
                    Ok(()) => gone.push(m.uid),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => gone.push(m.uid),
                    Err(e) => {
                        tracing::error!(error = %e, path = %m.path.display(), "expunge failed");
                        kept.push(m);
                    }
                }
            }
            f.messages = kept;
            if !gone.is_empty() {
                self.cache().changed(&md);
                f.highest += 1;
                sync_dir(&md.join("cur"))?;
                save(&md, &f)?;
            }
        }
        if !gone.is_empty() {
            self.notify(account, mailbox);
        }
        Ok(gone)
    }

    /// Copies the messages `uids` of `from` into `to` with their flags
    /// (not `\Recent`): each gets a new UID there. Returns the target's
    /// UIDVALIDITY and the (source, target) UID pairs, in source order.
    fn copy(
        &self,
        account: &str,
        from: &str,
        uids: &[u32],
        to: &str,
    ) -> Result<(u32, Vec<(u32, u32)>), FolderError> {
        let src_md = self.existing(account, from)?;
        let dst_md = self.existing(account, to)?;
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let sources: Vec<Message> = {
            let lock = self.lock(&src_md);
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            self.read_folder(&src_md, false)?
                .0
                .messages
                .into_iter()
                .filter(|m| wanted.contains(&m.uid))
                .collect()
        };
        let lock = self.lock(&dst_md);
        let result = {
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            let mut placed = Vec::new();
            for m in &sources {
                let name = self.unique_name(m.size);
                let tmp = dst_md.join("tmp").join(&name);
                if fs::hard_link(&m.path, &tmp).is_err() {
                    fs::copy(&m.path, &tmp)?;
                    fs::File::open(&tmp)?.sync_all()?;
                }
                let cur = dst_md.join("cur").join(format!("{name}:2,{}", m.flags));
                fs::rename(&tmp, &cur)?;
                placed.push((m.uid, name, m.keywords.clone()));
            }
            sync_dir(&dst_md.join("cur"))?;
            self.cache().changed(&dst_md);
            let mut f = scan(&self.last_validity, &dst_md, false)?;
            let mut pairs = Vec::new();
            for (src_uid, key, keywords) in placed {
                if let Some(m) = f.messages.iter_mut().find(|m| m.key == key) {
                    m.keywords = keywords;
                    pairs.push((src_uid, m.uid));
                }
            }
            save(&dst_md, &f)?;
            (f.validity, pairs)
        };
        self.notify(account, to);
        Ok(result)
    }

    /// A fresh file name under `mailbox`'s `tmp/` for a message being
    /// appended; hand it to [`Store::append`] once written.
    fn append_target(&self, account: &str, mailbox: &str) -> Result<PathBuf, FolderError> {
        let md = self.existing(account, mailbox)?;
        Ok(md.join("tmp").join(self.unique_name(0)))
    }

    /// Stores the message written to `tmp` (from [`Store::append_target`])
    /// in `mailbox` with `flags` and the internal date `received` (seconds
    /// since the epoch): synced, renamed into `cur/`, directory synced.
    /// Returns the UIDVALIDITY and the new UID.
    fn append(
        &self,
        account: &str,
        mailbox: &str,
        tmp: &Path,
        flags: &Flags,
        received: Option<SystemTime>,
    ) -> Result<(u32, u32), FolderError> {
        let md = self.existing(account, mailbox)?;
        let size = fs::metadata(tmp)?.len();
        {
            let file = fs::OpenOptions::new().write(true).open(tmp)?;
            if let Some(t) = received {
                file.set_modified(t)?;
            }
            file.sync_all()?;
        }
        let name = self.unique_name(size);
        let letters = normalize_letters(&flags.letters);
        let lock = self.lock(&md);
        let result = {
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            let cur = md.join("cur").join(format!("{name}:2,{letters}"));
            fs::rename(tmp, &cur)?;
            self.cache().changed(&md);
            sync_dir(&md.join("cur"))?;
            sync_dir(&md.join("tmp"))?;
            let mut f = scan(&self.last_validity, &md, false)?;
            let mut uid = 0;
            if let Some(m) = f.messages.iter_mut().find(|m| m.key == name) {
                m.keywords = dedup_keywords(&flags.keywords);
                uid = m.uid;
            }
            save(&md, &f)?;
            (f.validity, uid)
        };
        self.notify(account, mailbox);
        Ok(result)
    }

    /// `account`'s mailboxes: `INBOX` first, then the folders by name.
    fn folders(&self, account: &str) -> io::Result<Vec<String>> {
        let inbox = self.inbox_dir(account);
        let mut names = Vec::new();
        for entry in fs::read_dir(&inbox)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(folder) = name.strip_prefix('.') else {
                continue;
            };
            if folder.is_empty() || !entry.path().join("cur").is_dir() {
                continue;
            }
            names.push(folder.replace('.', &DELIMITER.to_string()));
        }
        names.sort();
        names.insert(0, "INBOX".to_owned());
        Ok(names)
    }

    /// Creates a folder (and the levels above it that are missing).
    fn create_folder(&self, account: &str, name: &str) -> Result<(), FolderError> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Exists);
        }
        valid_folder_name(name)?;
        let md = self
            .folder_dir(account, name)
            .ok_or(FolderError::NotFound)?;
        if md.exists() {
            return Err(FolderError::Exists);
        }
        let mut level = String::new();
        for part in name.split(DELIMITER) {
            if !level.is_empty() {
                level.push(DELIMITER);
            }
            level.push_str(part);
            if let Some(d) = self.folder_dir(account, &level) {
                make_maildir(&d)?;
            }
        }
        self.cache().changed_all();
        sync_dir(&self.inbox_dir(account))?;
        Ok(())
    }

    /// Deletes a folder and its messages (not INBOX; not one with
    /// sub-folders, RFC 9051 §6.3.9 `[HASCHILDREN]` left as `[CANNOT]`).
    fn delete_folder(&self, account: &str, name: &str) -> Result<(), FolderError> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Invalid("INBOX cannot be deleted"));
        }
        let md = self.existing(account, name)?;
        let prefix = format!("{name}{DELIMITER}");
        if self
            .folders(account)?
            .iter()
            .any(|f| f.starts_with(&prefix))
        {
            return Err(FolderError::Invalid("mailbox has children"));
        }
        {
            let lock = self.lock(&md);
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            self.cache().changed_all();
            fs::remove_dir_all(&md)?;
            self.cache().changed_all();
            sync_dir(&self.inbox_dir(account))?;
        }
        self.notify(account, name);
        Ok(())
    }

    /// Renames a folder and its sub-folders (not INBOX).
    fn rename_folder(&self, account: &str, from: &str, to: &str) -> Result<(), FolderError> {
        if from.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Invalid("renaming INBOX is not supported"));
        }
        if to.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Exists);
        }
        valid_folder_name(to)?;
        self.existing(account, from)?;
        if self.folder_dir(account, to).is_some_and(|d| d.exists()) {
            return Err(FolderError::Exists);
        }
        let prefix = format!("{from}{DELIMITER}");
        let mut moves: Vec<(String, String)> = self
            .folders(account)?
            .into_iter()
            .filter(|f| f == from || f.starts_with(&prefix))
            .map(|f| {
                let rest = f.get(from.len()..).unwrap_or_default().to_owned();
                (f, format!("{to}{rest}"))
            })
            .collect();
        // Parents of `to` that are missing.
        if let Some((parent, _)) = to.rsplit_once(DELIMITER)
            && self.existing(account, parent).is_err()
        {
            self.create_folder(account, parent)?;
        }
        moves.sort();
        for (a, b) in &moves {
            let (Some(da), Some(db)) = (self.folder_dir(account, a), self.folder_dir(account, b))
            else {
                return Err(FolderError::Invalid("bad mailbox name"));
            };
            fs::rename(da, db)?;
        }
        self.cache().changed_all();
        sync_dir(&self.inbox_dir(account))?;
        self.notify(account, from);
        Ok(())
    }

    /// The subscribed mailbox names.
    fn subscriptions(&self, account: &str) -> io::Result<Vec<String>> {
        match fs::read_to_string(self.inbox_dir(account).join(SUBSCRIPTIONS)) {
            Ok(t) => Ok(t
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Subscribes (`on`) or unsubscribes a mailbox name.
    fn subscribe_folder(&self, account: &str, name: &str, on: bool) -> io::Result<()> {
        let inbox = self.inbox_dir(account);
        let lock = self.lock(&inbox.join(SUBSCRIPTIONS));
        let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut subs = self.subscriptions(account)?;
        subs.retain(|s| s != name);
        if on {
            subs.push(name.to_owned());
        }
        subs.sort();
        let text: String = subs.iter().map(|s| format!("{s}\n")).collect();
        write_atomically(&inbox.join(SUBSCRIPTIONS), text.as_bytes(), 0o600)
    }
}

/// The RFC 6154 attribute of a special-use folder name.
pub fn special_use(name: &str) -> Option<&'static str> {
    match name {
        "Sent" => Some("Sent"),
        "Drafts" => Some("Drafts"),
        "Trash" => Some("Trash"),
        "Junk" => Some("Junk"),
        "Archive" => Some("Archive"),
        _ => None,
    }
}

fn valid_folder_name(name: &str) -> Result<(), FolderError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with(DELIMITER)
        && !name.ends_with(DELIMITER)
        && !name.contains("//")
        && !name.contains('.')
        && !name.contains('\\')
        && !name.chars().any(char::is_control)
        && !name
            .split(DELIMITER)
            .next()
            .is_some_and(|first| first.eq_ignore_ascii_case("INBOX"));
    if ok {
        Ok(())
    } else {
        Err(FolderError::Invalid(
            "mailbox names here may not contain '.' or '\\', nor sit under INBOX",
        ))
    }
}

fn normalize_letters(letters: &str) -> String {
    let mut v: Vec<char> = letters.chars().filter(char::is_ascii_uppercase).collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().collect()
}

fn dedup_keywords(k: &[String]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for w in k {
        if !v.iter().any(|x| x.eq_ignore_ascii_case(w)) {
            v.push(w.clone());
        }
    }
    v
}

fn apply(m: &Message, op: FlagOp, flags: &Flags) -> (String, Vec<String>) {
    match op {
        FlagOp::Replace => (
            // Letters IMAP cannot name (P, passed) survive a replace.
            normalize_letters(&format!(
                "{}{}",
                flags.letters,
                m.flags.chars().filter(|c| *c == 'P').collect::<String>()
            )),
            dedup_keywords(&flags.keywords),
        ),
        FlagOp::Add => {
            let mut k = m.keywords.clone();
            k.extend(flags.keywords.iter().cloned());
            (
                normalize_letters(&format!("{}{}", m.flags, flags.letters)),
                dedup_keywords(&k),
            )
        }
        FlagOp::Remove => (
            m.flags
                .chars()
                .filter(|c| !flags.letters.contains(*c))
                .collect(),
            m.keywords
                .iter()
                .filter(|k| !flags.keywords.iter().any(|r| r.eq_ignore_ascii_case(k)))
                .cloned()
                .collect(),
        ),
    }
}

/// Reads a mailbox under its lock: the UID list and state, reconciled with
/// the files (new files get UIDs and mod-sequences, vanished ones leave);
/// saved when that changed anything.
fn scan(last_validity: &AtomicU32, md: &Path, claim_new: bool) -> io::Result<Folder> {
    let (mut validity, mut next, mut known) = read_uidlist(&md.join(UIDLIST))?;
    let (mut highest, mut state) = read_state(&md.join(STATE));
    let mut changed = false;
    if validity == 0 {
        validity = new_validity(last_validity);
        next = 1;
        state.clear();
        changed = true;
    }
    highest = highest.max(1);
    // Every file in new/ and cur/: (key, path, letters, recent, unclaimed).
    let mut files: Vec<(String, PathBuf, String, bool, bool)> = Vec::new();
    let mut claimed = false;
    for sub in ["cur", "new"] {
        for entry in fs::read_dir(md.join(sub))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let (key, letters) = match name.split_once(':') {
                Some((k, info)) => (
                    k.to_owned(),
                    info.strip_prefix("2,")
                        .map(normalize_letters)
                        .unwrap_or_default(),
                ),
                None => (name.clone(), String::new()),
            };
            let mut path = entry.path();
            let mut recent = false;
            if sub == "new" && claim_new {
                let to = md.join("cur").join(format!("{key}:2,{letters}"));
                match fs::rename(&path, &to) {
                    Ok(()) => {
                        path = to;
                        recent = true;
                        claimed = true;
                    }
                    // Another session claimed it first: it is in cur/ now.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
            }
            let unclaimed = sub == "new" && !recent;
            files.push((key, path, letters, recent, unclaimed));
        }
    }
    if claimed {
        sync_dir(&md.join("cur"))?;
        sync_dir(&md.join("new"))?;
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    let present: HashSet<&str> = files.iter().map(|f| f.0.as_str()).collect();
    let before = known.len();
    known.retain(|k, _| present.contains(k.as_str()));
    if known.len() != before {
        // Expunged behind our back (POP3, another program): a new modseq.
        changed = true;
        highest += 1;
    }
    let mut messages = Vec::with_capacity(files.len());
    for (key, path, letters, recent, unclaimed) in files {
        let uid = match known.get(&key) {
            Some(uid) => *uid,
            None => {
                let uid = next;
                next = next.saturating_add(1);
                known.insert(key.clone(), uid);
                changed = true;
                uid
            }
        };
        let (modseq, keywords) = match state.get(&uid) {
            Some(s) => s.clone(),
            None => {
                highest += 1;
                changed = true;
                (highest, Vec::new())
            }
        };
        let meta = fs::metadata(&path);
        let size = match size_from_name(&key) {
            Some(s) => s,
            None => meta.as_ref().map(fs::Metadata::len).unwrap_or(0),
        };
        let received = meta
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        messages.push(Message {
            uid,
            size,
            path,
            key,
            flags: letters,
            keywords,
            modseq,
            recent,
            unclaimed,
            received,
        });
    }
    messages.sort_by_key(|m| m.uid);
    let f = Folder {
        validity,
        next,
        highest,
        messages,
    };
    if changed {
        save(md, &f)?;
    }
    Ok(f)
}

/// A UIDVALIDITY for a new (or re-created) mailbox: the time in seconds,
/// but above every value this store handed out before, so a mailbox
/// deleted and created again within a second still gets a new one
/// (RFC 9051 §2.3.1.1). After a restart the clock has moved on.
fn new_validity(last: &AtomicU32) -> u32 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let now = u32::try_from(now).unwrap_or(u32::MAX).max(1);
    let mut prev = last.load(Ordering::Relaxed);
    loop {
        let v = now.max(prev.saturating_add(1));
        match last.compare_exchange(prev, v, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return v,
            Err(p) => prev = p,
        }
    }
}

fn save(md: &Path, f: &Folder) -> io::Result<()> {
    let mut text = format!("yubin-uidlist 1 {} {}\n", f.validity, f.next);
    for m in &f.messages {
        text.push_str(&format!("{} {}\n", m.uid, m.key));
    }
    write_atomically(&md.join(UIDLIST), text.as_bytes(), 0o600)?;
    write_atomically(&md.join(STATE), state_text(f).as_bytes(), 0o600)
}

/// Rewrites the state file alone (mod-sequences and keywords: the UID list
/// is unchanged), atomically but not synced.
fn save_state(md: &Path, f: &Folder) -> io::Result<()> {
    replace_file(&md.join(STATE), state_text(f).as_bytes(), 0o600, false)
}

fn state_text(f: &Folder) -> String {
    let mut state = format!("yubin-state 1 {}\n", f.highest);
    for m in &f.messages {
        state.push_str(&format!("{} {}", m.uid, m.modseq));
        for k in &m.keywords {
            state.push(' ');
            state.push_str(k);
        }
        state.push('\n');
    }
    state
}

/// The file of unique name `key` in the Maildir `md` (`cur/` or `new/`).
fn find_key(md: &Path, key: &str) -> Option<PathBuf> {
    for sub in ["cur", "new"] {
        for entry in fs::read_dir(md.join(sub)).ok()?.flatten() {
            let n = entry.file_name();
            let n = n.to_string_lossy();
            if n.split(':').next() == Some(key) {
                return Some(entry.path());
            }
        }
    }
    None
}

fn make_maildir(dir: &Path) -> io::Result<()> {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    Ok(())
}

fn size_from_name(key: &str) -> Option<u64> {
    key.split(',')
        .find_map(|part| part.strip_prefix("S="))
        .and_then(|s| s.parse().ok())
}

type UidList = (u32, u32, HashMap<String, u32>);

fn read_uidlist(path: &Path) -> io::Result<UidList> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, 1, HashMap::new())),
        Err(e) => return Err(e),
    };
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
    let (validity, next) = match head.as_slice() {
        ["yubin-uidlist", "1", v, n] => (v.parse().unwrap_or(0), n.parse().unwrap_or(1)),
        _ => (0, 1),
    };
    if validity == 0 {
        // Unreadable: start a new UIDVALIDITY rather than reuse UIDs wrongly.
        return Ok((0, 1, HashMap::new()));
    }
    let mut known = HashMap::new();
    for line in lines {
        if let Some((uid, key)) = line.split_once(' ')
            && let Ok(uid) = uid.parse::<u32>()
        {
            known.insert(key.to_owned(), uid);
        }
    }
    Ok((validity, next, known))
}

type State = (u64, BTreeMap<u32, (u64, Vec<String>)>);

/// The state file; an unreadable one starts over (mod-sequences only
/// grow from the highest found, keywords are lost).
fn read_state(path: &Path) -> State {
    let Ok(text) = fs::read_to_string(path) else {
        return (1, BTreeMap::new());
    };
    let mut lines = text.lines();
    let highest = match lines
        .next()
        .unwrap_or_default()
        .split(' ')
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["yubin-state", "1", h] => h.parse().unwrap_or(1),
        _ => 1,
    };
    let mut map = BTreeMap::new();
    for line in lines {
        let mut words = line.split(' ');
        let (Some(uid), Some(modseq)) = (words.next(), words.next()) else {
            continue;
        };
        let (Ok(uid), Ok(modseq)) = (uid.parse::<u32>(), modseq.parse::<u64>()) else {
            continue;
        };
        let keywords = words.filter(|w| !w.is_empty()).map(str::to_owned).collect();
        map.insert(uid, (modseq, keywords));
    }
    let top = map.values().map(|v| v.0).max().unwrap_or(1);
    (highest.max(top), map)
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryStore;
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("yubin-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    /// Delivers `text` to `account`'s INBOX through a spool file in `dir`.
    fn deliver(store: &dyn Store, dir: &Path, account: &str, text: &str) {
        let spool = dir.join("spool");
        fs::write(&spool, text).unwrap();
        store.deliver(account, &spool, text.len() as u64).unwrap();
        fs::remove_file(&spool).unwrap();
    }

    fn uids(mb: &Mailbox) -> Vec<u32> {
        mb.messages.iter().map(|m| m.uid).collect()
    }

    fn whole(store: &dyn Store, account: &str, mailbox: &str, m: &Message) -> Vec<u8> {
        store.read(account, mailbox, m, 0, u64::MAX).unwrap()
    }

    /// What every store must do, whatever keeps the mail: run against
    /// [`Maildir`] and [`MemoryStore`] alike. `dir` is scratch space.
    fn behaves(store: &dyn Store, dir: &Path) {
        store.create_account("bob").unwrap();
        let folders = store.folders("bob").unwrap();
        assert_eq!(folders.first().map(String::as_str), Some("INBOX"));
        for f in SPECIAL_FOLDERS {
            assert!(folders.contains(&f.to_owned()), "{f} in {folders:?}");
        }
        let mut subs = store.subscriptions("bob").unwrap();
        subs.sort();
        let mut special: Vec<String> = SPECIAL_FOLDERS.iter().map(|f| (*f).to_owned()).collect();
        special.sort();
        assert_eq!(subs, special);

        // Delivery: UIDs in arrival order, content byte for byte, the bus.
        let mut bus = store.subscribe();
        let texts = [
            "Subject: 0\r\n\r\nfirst\r\n",
            "Subject: 1\r\n\r\nsecond!\r\n",
            "Subject: 2\r\n\r\nthird\r\n",
        ];
        for t in texts {
            deliver(store, dir, "bob", t);
        }
        assert_eq!(
            bus.try_recv().unwrap(),
            Changed {
                account: "bob".into(),
                mailbox: "INBOX".into()
            }
        );
        let pop = store.inbox("bob").unwrap();
        assert_eq!(uids(&pop), [1, 2, 3]);
        assert_eq!(pop.uid_next, 4);
        for (m, t) in pop.messages.iter().zip(texts) {
            assert_eq!(m.size, t.len() as u64);
            assert_eq!(whole(store, "bob", "INBOX", m), t.as_bytes());
            assert!(m.unclaimed && !m.recent);
        }
        let m1 = &pop.messages[1];
        assert_eq!(store.read("bob", "INBOX", m1, 2, 5).unwrap(), b"bject");
        assert_eq!(store.read("bob", "INBOX", m1, 21, 100).unwrap(), b"\r\n");
        assert!(store.read("bob", "INBOX", m1, 100, 5).unwrap().is_empty());

        // A POP3 snapshot claims nothing; an IMAP SELECT claims once.
        assert_eq!(store.inbox("bob").unwrap(), pop);
        let sel = store.snapshot("bob", "INBOX", true).unwrap();
        assert!(sel.messages.iter().all(|m| m.recent && !m.unclaimed));
        let again = store.snapshot("bob", "INBOX", true).unwrap();
        assert!(again.messages.iter().all(|m| !m.recent && !m.unclaimed));
        // The snapshot taken before the claim still reads.
        assert_eq!(
            whole(store, "bob", "INBOX", &pop.messages[0]),
            texts[0].as_bytes()
        );
        let v = sel.uid_validity;
        assert!(v > 0);

        // Flags, keywords, mod-sequences, UNCHANGEDSINCE.
        let h0 = again.highest_modseq;
        let flags = Flags {
            letters: "SF".into(),
            keywords: vec!["$Work".into()],
        };
        let out = store
            .set_flags("bob", "INBOX", &[1], FlagOp::Add, &flags, Some(h0))
            .unwrap();
        let FlagOutcome::Done(m) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(
            (m.flags.as_str(), m.keywords.clone()),
            ("FS", vec!["$Work".into()])
        );
        assert!(m.modseq > h0);
        // The message still reads after its flags changed.
        assert_eq!(
            whole(store, "bob", "INBOX", &pop.messages[0]),
            texts[0].as_bytes()
        );
        let out = store
            .set_flags("bob", "INBOX", &[1], FlagOp::Remove, &flags, Some(h0))
            .unwrap();
        assert_eq!(out, vec![FlagOutcome::Modified(1)]);
        // Setting what is set changes nothing (no new mod-sequence).
        let h1 = store
            .snapshot("bob", "INBOX", false)
            .unwrap()
            .highest_modseq;
        store
            .set_flags("bob", "INBOX", &[1], FlagOp::Add, &flags, None)
            .unwrap();
        assert_eq!(
            store
                .snapshot("bob", "INBOX", false)
                .unwrap()
                .highest_modseq,
            h1
        );
        let out = store
            .set_flags(
                "bob",
                "INBOX",
                &[2],
                FlagOp::Replace,
                &Flags {
                    letters: "D".into(),
                    keywords: vec![],
                },
                None,
            )
            .unwrap();
        assert!(matches!(&out[0], FlagOutcome::Done(m) if m.flags == "D"));

        // COPY keeps flags and keywords, gives new UIDs.
        let (validity, pairs) = store.copy("bob", "INBOX", &[1, 2], "Archive").unwrap();
        assert_eq!(pairs, vec![(1, 1), (2, 2)]);
        let archive = store.snapshot("bob", "Archive", false).unwrap();
        assert_eq!(archive.uid_validity, validity);
        assert_eq!(archive.messages[0].flags, "FS");
        assert_eq!(archive.messages[0].keywords, vec!["$Work".to_owned()]);
        assert!(archive.messages.iter().all(|m| !m.recent));
        assert_eq!(
            whole(store, "bob", "Archive", &archive.messages[1]),
            texts[1].as_bytes()
        );

        // APPEND with flags and a date.
        let tmp = store.append_target("bob", "Archive").unwrap();
        fs::write(&tmp, "Subject: a\r\n\r\nappended\r\n").unwrap();
        let date = UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        let flags = Flags {
            letters: "SS".into(),
            keywords: vec!["a".into(), "A".into()],
        };
        let (v2, uid) = store
            .append("bob", "Archive", &tmp, &flags, Some(date))
            .unwrap();
        assert_eq!((v2, uid), (validity, 3));
        let archive = store.snapshot("bob", "Archive", false).unwrap();
        let appended = &archive.messages[2];
        assert_eq!(appended.received, 1_000_000_000);
        assert_eq!((appended.flags.as_str(), appended.keywords.len()), ("S", 1));
        assert_eq!(
            whole(store, "bob", "Archive", appended),
            b"Subject: a\r\n\r\nappended\r\n"
        );
        assert!(matches!(
            store.append_target("bob", "Nowhere"),
            Err(FolderError::NotFound)
        ));

        // EXPUNGE: only \Deleted, only the UIDs asked for.
        let deleted = Flags {
            letters: "T".into(),
            keywords: vec![],
        };
        store
            .set_flags("bob", "Archive", &[2, 3], FlagOp::Add, &deleted, None)
            .unwrap();
        let before = store
            .snapshot("bob", "Archive", false)
            .unwrap()
            .highest_modseq;
        assert_eq!(
            store.expunge("bob", "Archive", Some(&[3]), true).unwrap(),
            vec![3]
        );
        assert_eq!(
            store.expunge("bob", "Archive", None, true).unwrap(),
            vec![2]
        );
        let archive = store.snapshot("bob", "Archive", false).unwrap();
        assert_eq!(uids(&archive), [1]);
        assert!(archive.highest_modseq > before);
        assert_eq!(archive.uid_next, 4);
        // MOVE's source side: regardless of flags.
        assert_eq!(
            store.expunge("bob", "Archive", Some(&[1]), false).unwrap(),
            vec![1]
        );

        // POP3 removal by key; a gone message reads NotFound; UIDs go on.
        let inbox = store.inbox("bob").unwrap();
        let gone = inbox.messages[1].clone();
        store
            .remove("bob", &[gone.key.clone(), "no-such-key".into()])
            .unwrap();
        let err = store.read("bob", "INBOX", &gone, 0, 10).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        deliver(store, dir, "bob", "x\r\n");
        let inbox = store.inbox("bob").unwrap();
        assert_eq!(uids(&inbox), [1, 3, 4]);
        assert_eq!(inbox.uid_validity, v);
        assert!(inbox.highest_modseq > h1);

        // Folders: create with parents, rename a subtree, delete leaves.
        store.create_folder("bob", "Lists/rust").unwrap();
        assert!(matches!(
            store.create_folder("bob", "Lists"),
            Err(FolderError::Exists)
        ));
        assert!(matches!(
            store.create_folder("bob", "inbox"),
            Err(FolderError::Exists)
        ));
        assert!(matches!(
            store.create_folder("bob", "a.b"),
            Err(FolderError::Invalid(_))
        ));
        store.rename_folder("bob", "Lists", "Groups").unwrap();
        let folders = store.folders("bob").unwrap();
        assert!(folders.contains(&"Groups/rust".to_owned()), "{folders:?}");
        assert!(
            !folders.iter().any(|f| f.starts_with("Lists")),
            "{folders:?}"
        );
        assert!(matches!(
            store.rename_folder("bob", "Groups", "Sent"),
            Err(FolderError::Exists)
        ));
        assert!(store.rename_folder("bob", "INBOX", "Old").is_err());
        store.rename_folder("bob", "Drafts", "Old/Drafts").unwrap();
        assert!(store.snapshot("bob", "Old", false).is_ok());
        assert!(store.delete_folder("bob", "Groups").is_err());
        assert!(store.delete_folder("bob", "INBOX").is_err());
        store.delete_folder("bob", "Groups/rust").unwrap();
        assert!(matches!(
            store.snapshot("bob", "Groups/rust", false),
            Err(FolderError::NotFound)
        ));
        // A mailbox made again under an old name gets a new UIDVALIDITY.
        store.create_folder("bob", "Tmp").unwrap();
        let v1 = store.snapshot("bob", "Tmp", false).unwrap().uid_validity;
        store.delete_folder("bob", "Tmp").unwrap();
        store.create_folder("bob", "Tmp").unwrap();
        let v2 = store.snapshot("bob", "Tmp", false).unwrap().uid_validity;
        assert_ne!(v1, v2);

        // Subscriptions.
        store.subscribe_folder("bob", "Groups", true).unwrap();
        store.subscribe_folder("bob", "Sent", false).unwrap();
        let subs = store.subscriptions("bob").unwrap();
        assert!(subs.contains(&"Groups".to_owned()) && !subs.contains(&"Sent".to_owned()));

        // Accounts are separate.
        deliver(store, dir, "carol", "to carol\r\n");
        assert_eq!(uids(&store.inbox("carol").unwrap()), [1]);
        assert_eq!(uids(&store.inbox("bob").unwrap()), [1, 3, 4]);
    }

    #[test]
    fn maildir_behaves() {
        let root = temp("maildir-behaves");
        behaves(&Maildir::new(&root.join("mail"), "host.test"), &root);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn memory_store_behaves() {
        let root = temp("memory-behaves");
        behaves(&MemoryStore::new(&root.join("scratch")), &root);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn maildir_files_survive_a_restart() {
        let root = temp("uids");
        let store = Maildir::new(&root.join("mail"), "host.test");
        store.create_account("alice").unwrap();
        assert!(root.join("mail/alice/.Sent/cur").is_dir());
        for i in 0..3 {
            deliver(
                &store,
                &root,
                "alice",
                &format!("Subject: {i}\r\n\r\nbody\r\n"),
            );
        }
        let a = store.inbox("alice").unwrap();
        assert_eq!(uids(&a), [1, 2, 3]);
        assert!(
            fs::read_dir(root.join("mail/alice/tmp"))
                .unwrap()
                .next()
                .is_none()
        );
        assert!(
            a.messages
                .iter()
                .all(|m| m.path.starts_with(root.join("mail/alice/new")))
        );
        // A second store on the same files (a restart) sees the same UIDs.
        let again = Maildir::new(&root.join("mail"), "host.test");
        assert_eq!(again.inbox("alice").unwrap(), a);

        let sel = store.snapshot("alice", "INBOX", true).unwrap();
        assert!(
            sel.messages
                .iter()
                .all(|m| m.recent && m.path.to_string_lossy().contains("/cur/"))
        );
        let flags = Flags {
            letters: "SF".into(),
            keywords: vec!["$Work".into()],
        };
        store
            .set_flags("alice", "INBOX", &[2], FlagOp::Add, &flags, None)
            .unwrap();
        let now = store.snapshot("alice", "INBOX", false).unwrap();
        assert!(now.messages[1].path.to_string_lossy().ends_with(":2,FS"));
        // A restart keeps UIDs, flags, keywords and mod-sequences.
        let again = Maildir::new(&root.join("mail"), "host.test");
        assert_eq!(again.snapshot("alice", "INBOX", false).unwrap(), now);
        // Another program (mutt) removing a file is noticed once the read
        // cache lapses.
        fs::remove_file(&now.messages[0].path).unwrap();
        std::thread::sleep(FOLDER_CACHE_TTL);
        let later = store.snapshot("alice", "INBOX", false).unwrap();
        assert_eq!(uids(&later), [2, 3]);
        assert!(later.highest_modseq > now.highest_modseq);
        store.create_folder("alice", "Lists/rust").unwrap();
        assert!(root.join("mail/alice/.Lists.rust/cur").is_dir());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn maildir_read_cache_sees_own_changes_at_once_and_others_within_its_ttl() {
        let root = temp("cache");
        let store = Maildir::new(&root.join("mail"), "host.test");
        store.create_account("bob").unwrap();
        deliver(&store, &root, "bob", "Subject: 1\r\n\r\none\r\n");
        let first = store.snapshot("bob", "INBOX", true).unwrap();
        assert_eq!(uids(&first), [1]);
        assert!(first.messages[0].recent);
        // The cached read does not repeat `\Recent`.
        let again = store.snapshot("bob", "INBOX", true).unwrap();
        assert!(!again.messages[0].recent);

        // This process's own changes: seen at once.
        deliver(&store, &root, "bob", "Subject: 2\r\n\r\ntwo\r\n");
        assert_eq!(
            uids(&store.snapshot("bob", "INBOX", false).unwrap()),
            [1, 2]
        );
        let seen = Flags {
            letters: "S".into(),
            keywords: vec![],
        };
        store
            .set_flags("bob", "INBOX", &[1], FlagOp::Add, &seen, None)
            .unwrap();
        let flagged = store.snapshot("bob", "INBOX", false).unwrap();
        assert_eq!(flagged.messages[0].flags, "S");
        assert!(flagged.messages[0].path.exists());
        // What the cache answers is what a fresh read of the disk gives.
        let disk = Maildir::new(&root.join("mail"), "host.test");
        assert_eq!(disk.snapshot("bob", "INBOX", false).unwrap(), flagged);

        // Another program renames a file for its flags: a flag change on
        // the cached (stale) path reads the disk again and still applies.
        let m = &flagged.messages[0];
        let moved = root.join(format!("mail/bob/cur/{}:2,RS", m.key));
        fs::rename(&m.path, &moved).unwrap();
        let flag = Flags {
            letters: "F".into(),
            keywords: vec![],
        };
        let out = store
            .set_flags("bob", "INBOX", &[1], FlagOp::Add, &flag, None)
            .unwrap();
        let [FlagOutcome::Done(done)] = out.as_slice() else {
            panic!("{out:?}");
        };
        assert_eq!(done.flags, "FRS");
        assert!(done.path.exists());

        // Another program delivers: seen once the cache lapses.
        fs::write(
            root.join("mail/bob/new/1.M1P1.other,S=10"),
            "Subject: 3\r\n",
        )
        .unwrap();
        std::thread::sleep(FOLDER_CACHE_TTL);
        assert_eq!(
            uids(&store.snapshot("bob", "INBOX", false).unwrap()),
            [1, 2, 3]
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_read_begun_before_a_change_is_not_kept() {
        let mut cache = FolderCache::default();
        let md = Path::new("/m");
        let folder = Folder {
            validity: 1,
            next: 1,
            highest: 1,
            messages: Vec::new(),
        };
        let at = Instant::now();
        let before = cache.generation(md);
        cache.changed(md);
        cache.put(md, before, &folder, at);
        assert!(cache.get(md, false).is_none());
        let now = cache.generation(md);
        cache.put(md, now, &folder, at);
        assert!(cache.get(md, false).is_some());
        // A flag change over a read that something else overtook.
        cache.changed(md);
        cache.replaced(md, now, &folder, at);
        assert!(cache.get(md, false).is_none());
        // The cache starts over rather than grow past its bound.
        for i in 0..FOLDER_CACHE_ENTRIES + 5 {
            let p = PathBuf::from(format!("/f{i}"));
            cache.put(&p, 0, &folder, at);
        }
        assert!(cache.filled <= FOLDER_CACHE_ENTRIES);
    }
}
