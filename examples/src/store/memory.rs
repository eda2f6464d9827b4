//! A [`Store`] that keeps every mailbox in memory: for tests, and as a
//! second implementation that keeps the trait honest (nothing in it may
//! assume files). It loses everything when dropped.
//!
//! Messages that arrive by delivery are *unclaimed* until an IMAP session
//! selects their mailbox, as Maildir's `new/`; UIDVALIDITY values come from
//! a counter, so a mailbox deleted and created again gets a new one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::sync::broadcast;

use super::{
    BUS_CAPACITY, Changed, DELIMITER, FlagOp, FlagOutcome, Flags, FolderError, Mailbox, Message,
    SPECIAL_FOLDERS, Store, apply, dedup_keywords, normalize_letters, valid_folder_name,
};

/// The in-memory store.
#[derive(Debug)]
pub struct MemoryStore {
    accounts: Mutex<HashMap<String, Account>>,
    bus: broadcast::Sender<Changed>,
    scratch: PathBuf,
    counter: AtomicU64,
}

#[derive(Debug, Default)]
struct Account {
    /// Folder name (IMAP form; `INBOX` upper case) → folder.
    folders: BTreeMap<String, Folder>,
    subscriptions: Vec<String>,
}

#[derive(Debug)]
struct Folder {
    validity: u32,
    next: u32,
    highest: u64,
    /// Ascending by UID.
    messages: Vec<(Message, Bytes)>,
}

impl MemoryStore {
    /// An empty store. `scratch` is a directory for the files IMAP APPEND
    /// writes before [`Store::append`] takes them in (created on demand).
    pub fn new(scratch: &Path) -> Self {
        let (bus, _) = broadcast::channel(BUS_CAPACITY);
        Self {
            accounts: Mutex::new(HashMap::new()),
            bus,
            scratch: scratch.to_owned(),
            counter: AtomicU64::new(1),
        }
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn folder(&self) -> Folder {
        Folder {
            validity: u32::try_from(self.next()).unwrap_or(u32::MAX),
            next: 1,
            highest: 1,
            messages: Vec::new(),
        }
    }

    fn notify(&self, account: &str, mailbox: &str) {
        let _ = self.bus.send(Changed {
            account: account.to_owned(),
            mailbox: mailbox.to_owned(),
        });
    }

    /// Runs `f` on `account` (created, with an INBOX, when missing).
    fn with<T>(&self, account: &str, f: impl FnOnce(&mut Account) -> T) -> T {
        let mut all = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let a = all.entry(account.to_owned()).or_default();
        if !a.folders.contains_key("INBOX") {
            a.folders.insert("INBOX".to_owned(), self.folder());
        }
        f(a)
    }

    /// Runs `f` on `account`'s mailbox `name`.
    fn with_folder<T>(
        &self,
        account: &str,
        name: &str,
        f: impl FnOnce(&mut Folder) -> Result<T, FolderError>,
    ) -> Result<T, FolderError> {
        let key = canonical(name);
        self.with(account, |a| match a.folders.get_mut(&key) {
            Some(folder) => f(folder),
            None => Err(FolderError::NotFound),
        })
    }

    /// Adds a message to `folder`; returns its UID.
    fn add(
        &self,
        folder: &mut Folder,
        data: Bytes,
        letters: String,
        keywords: Vec<String>,
        received: u64,
        unclaimed: bool,
    ) -> u32 {
        let uid = folder.next;
        folder.next = folder.next.saturating_add(1);
        folder.highest += 1;
        let key = format!("mem{}", self.next());
        folder.messages.push((
            Message {
                uid,
                size: data.len() as u64,
                path: PathBuf::new(),
                key,
                flags: letters,
                keywords,
                modseq: folder.highest,
                recent: false,
                unclaimed,
                received,
            },
            data,
        ));
        uid
    }
}

/// The map key of a mailbox name.
fn canonical(name: &str) -> String {
    if name.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_owned()
    } else {
        name.to_owned()
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn snapshot_of(f: &Folder) -> Mailbox {
    Mailbox {
        uid_validity: f.validity,
        uid_next: f.next,
        highest_modseq: f.highest,
        messages: f.messages.iter().map(|(m, _)| m.clone()).collect(),
    }
}

impl Store for MemoryStore {
    fn subscribe(&self) -> broadcast::Receiver<Changed> {
        self.bus.subscribe()
    }

    fn create_account(&self, account: &str) -> io::Result<()> {
        self.with(account, |a| {
            let fresh = a.folders.len() == 1 && a.subscriptions.is_empty();
            for f in SPECIAL_FOLDERS {
                if !a.folders.contains_key(f) {
                    a.folders.insert(f.to_owned(), self.folder());
                }
            }
            if fresh {
                a.subscriptions = SPECIAL_FOLDERS.iter().map(|f| (*f).to_owned()).collect();
            }
        });
        Ok(())
    }

    fn deliver(&self, account: &str, spool: &Path, _size: u64) -> io::Result<()> {
        let data = Bytes::from(fs::read(spool)?);
        let now = secs(SystemTime::now());
        self.with(account, |a| {
            if let Some(inbox) = a.folders.get_mut("INBOX") {
                self.add(inbox, data, String::new(), Vec::new(), now, true);
            }
        });
        self.notify(account, "INBOX");
        Ok(())
    }

    fn inbox(&self, account: &str) -> io::Result<Mailbox> {
        self.snapshot(account, "INBOX", false).map_err(|e| match e {
            FolderError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })
    }

    fn snapshot(
        &self,
        account: &str,
        mailbox: &str,
        claim_new: bool,
    ) -> Result<Mailbox, FolderError> {
        self.with_folder(account, mailbox, |f| {
            let mut snap = snapshot_of(f);
            if claim_new {
                for ((m, _), s) in f.messages.iter_mut().zip(&mut snap.messages) {
                    if m.unclaimed {
                        m.unclaimed = false;
                        s.unclaimed = false;
                        s.recent = true;
                    }
                }
            }
            Ok(snap)
        })
    }

    fn read(
        &self,
        account: &str,
        mailbox: &str,
        m: &Message,
        offset: u64,
        len: u64,
    ) -> io::Result<Vec<u8>> {
        let data = self
            .with_folder(account, mailbox, |f| {
                f.messages
                    .iter()
                    .find(|(x, _)| x.key == m.key)
                    .map(|(_, d)| d.clone())
                    .ok_or(FolderError::NotFound)
            })
            .map_err(|_| io::Error::from(io::ErrorKind::NotFound))?;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let end = start
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(data.len());
        Ok(data.get(start..end).unwrap_or_default().to_vec())
    }

    fn remove(&self, account: &str, keys: &[String]) -> io::Result<()> {
        let keys: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let _ = self.with_folder(account, "INBOX", |f| {
            let before = f.messages.len();
            f.messages.retain(|(m, _)| !keys.contains(m.key.as_str()));
            if f.messages.len() != before {
                f.highest += 1;
            }
            Ok(())
        });
        self.notify(account, "INBOX");
        Ok(())
    }

    fn set_flags(
        &self,
        account: &str,
        mailbox: &str,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> Result<Vec<FlagOutcome>, FolderError> {
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let mut changed = false;
        let out = self.with_folder(account, mailbox, |f| {
            let mut out = Vec::new();
            for (m, _) in f
                .messages
                .iter_mut()
                .filter(|(m, _)| wanted.contains(&m.uid))
            {
                if unchanged_since.is_some_and(|u| m.modseq > u) {
                    out.push(FlagOutcome::Modified(m.uid));
                    continue;
                }
                let (letters, keywords) = apply(m, op, flags);
                if letters != m.flags || keywords != m.keywords {
                    m.flags = letters;
                    m.keywords = keywords;
                    f.highest += 1;
                    m.modseq = f.highest;
                    changed = true;
                }
                out.push(FlagOutcome::Done(m.clone()));
            }
            Ok(out)
        })?;
        if changed {
            self.notify(account, mailbox);
        }
        Ok(out)
    }

    fn expunge(
        &self,
        account: &str,
        mailbox: &str,
        uids: Option<&[u32]>,
        only_deleted: bool,
    ) -> Result<Vec<u32>, FolderError> {
        let wanted: Option<HashSet<u32>> = uids.map(|u| u.iter().copied().collect());
        let gone = self.with_folder(account, mailbox, |f| {
            let mut gone = Vec::new();
            f.messages.retain(|(m, _)| {
                let hit = wanted.as_ref().is_none_or(|w| w.contains(&m.uid))
                    && (!only_deleted || m.has('T'));
                if hit {
                    gone.push(m.uid);
                }
                !hit
            });
            if !gone.is_empty() {
                f.highest += 1;
            }
            Ok(gone)
        })?;
        if !gone.is_empty() {
            self.notify(account, mailbox);
        }
        Ok(gone)
    }

    fn copy(
        &self,
        account: &str,
        from: &str,
        uids: &[u32],
        to: &str,
    ) -> Result<(u32, Vec<(u32, u32)>), FolderError> {
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let (src, dst) = (canonical(from), canonical(to));
        let result = self.with(account, |a| {
            let sources: Vec<(Message, Bytes)> = a
                .folders
                .get(&src)
                .ok_or(FolderError::NotFound)?
                .messages
                .iter()
                .filter(|(m, _)| wanted.contains(&m.uid))
                .cloned()
                .collect();
            let target = a.folders.get_mut(&dst).ok_or(FolderError::NotFound)?;
            let mut pairs = Vec::new();
            for (m, data) in sources {
                let uid = self.add(target, data, m.flags, m.keywords, m.received, false);
                pairs.push((m.uid, uid));
            }
            Ok::<_, FolderError>((target.validity, pairs))
        })?;
        self.notify(account, to);
        Ok(result)
    }

    fn append_target(&self, account: &str, mailbox: &str) -> Result<PathBuf, FolderError> {
        self.with_folder(account, mailbox, |_| Ok(()))?;
        fs::create_dir_all(&self.scratch)?;
        Ok(self
            .scratch
            .join(format!("append-{}-{}", std::process::id(), self.next())))
    }

    fn append(
        &self,
        account: &str,
        mailbox: &str,
        tmp: &Path,
        flags: &Flags,
        received: Option<SystemTime>,
    ) -> Result<(u32, u32), FolderError> {
        let data = Bytes::from(fs::read(tmp)?);
        let received = secs(received.unwrap_or_else(SystemTime::now));
        let result = self.with_folder(account, mailbox, |f| {
            let uid = self.add(
                f,
                data,
                normalize_letters(&flags.letters),
                dedup_keywords(&flags.keywords),
                received,
                false,
            );
            Ok((f.validity, uid))
        })?;
        let _ = fs::remove_file(tmp);
        self.notify(account, mailbox);
        Ok(result)
    }

    fn folders(&self, account: &str) -> io::Result<Vec<String>> {
        // BTreeMap order is by name; INBOX goes first whatever sorts before it.
        Ok(self.with(account, |a| {
            let mut names: Vec<String> = a
                .folders
                .keys()
                .filter(|k| k.as_str() != "INBOX")
                .cloned()
                .collect();
            names.insert(0, "INBOX".to_owned());
            names
        }))
    }

    fn create_folder(&self, account: &str, name: &str) -> Result<(), FolderError> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Exists);
        }
        valid_folder_name(name)?;
        self.with(account, |a| {
            if a.folders.contains_key(name) {
                return Err(FolderError::Exists);
            }
            let mut level = String::new();
            for part in name.split(DELIMITER) {
                if !level.is_empty() {
                    level.push(DELIMITER);
                }
                level.push_str(part);
                if !a.folders.contains_key(&level) {
                    a.folders.insert(level.clone(), self.folder());
                }
            }
            Ok(())
        })
    }

    fn delete_folder(&self, account: &str, name: &str) -> Result<(), FolderError> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Invalid("INBOX cannot be deleted"));
        }
        let prefix = format!("{name}{DELIMITER}");
        self.with(account, |a| {
            if !a.folders.contains_key(name) {
                return Err(FolderError::NotFound);
            }
            if a.folders.keys().any(|k| k.starts_with(&prefix)) {
                return Err(FolderError::Invalid("mailbox has children"));
            }
            a.folders.remove(name);
            Ok(())
        })?;
        self.notify(account, name);
        Ok(())
    }

    fn rename_folder(&self, account: &str, from: &str, to: &str) -> Result<(), FolderError> {
        if from.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Invalid("renaming INBOX is not supported"));
        }
        if to.eq_ignore_ascii_case("INBOX") {
            return Err(FolderError::Exists);
        }
        valid_folder_name(to)?;
        let prefix = format!("{from}{DELIMITER}");
        self.with(account, |a| {
            if !a.folders.contains_key(from) {
                return Err(FolderError::NotFound);
            }
            if a.folders.contains_key(to) {
                return Err(FolderError::Exists);
            }
            let moving: Vec<String> = a
                .folders
                .keys()
                .filter(|k| k.as_str() == from || k.starts_with(&prefix))
                .cloned()
                .collect();
            for old in moving {
                let rest = old.get(from.len()..).unwrap_or_default();
                if let Some(folder) = a.folders.remove(&old) {
                    a.folders.insert(format!("{to}{rest}"), folder);
                }
            }
            // Parents of `to` that are missing.
            let mut level = String::new();
            let parents: Vec<&str> = to.split(DELIMITER).collect();
            for part in parents.iter().take(parents.len().saturating_sub(1)) {
                if !level.is_empty() {
                    level.push(DELIMITER);
                }
                level.push_str(part);
                if !a.folders.contains_key(&level) {
                    a.folders.insert(level.clone(), self.folder());
                }
            }
            Ok(())
        })?;
        self.notify(account, from);
        Ok(())
    }

    fn subscriptions(&self, account: &str) -> io::Result<Vec<String>> {
        Ok(self.with(account, |a| a.subscriptions.clone()))
    }

    fn subscribe_folder(&self, account: &str, name: &str, on: bool) -> io::Result<()> {
        self.with(account, |a| {
            a.subscriptions.retain(|s| s != name);
            if on {
                a.subscriptions.push(name.to_owned());
            }
            a.subscriptions.sort();
        });
        Ok(())
    }
}
