//! The mail store: one Maildir per account (the layout Dovecot, Courier and
//! mutt read), Maildir++ folders for the special-use mailboxes, and a UID
//! list beside each mailbox so every protocol names a message the same way.
//!
//! Delivery writes the message under `tmp/`, syncs it, renames it into
//! `new/` and syncs the directory: only then is the delivery acknowledged,
//! so a crash loses nothing that was answered and never shows half a
//! message. The UID list (`yubin-uidlist`) is rewritten atomically.
//!
//! All functions here block (file system); call them from
//! `tokio::task::spawn_blocking`.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::accounts::{sync_dir, write_atomically};

/// The special-use folders every new account gets (RFC 6154 names).
pub const SPECIAL_FOLDERS: [&str; 5] = ["Sent", "Drafts", "Trash", "Junk", "Archive"];

const UIDLIST: &str = "yubin-uidlist";

/// One message of a mailbox snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its UID, stable for the mailbox's UIDVALIDITY.
    pub uid: u32,
    /// Its size in octets (CRLF line ends, as stored).
    pub size: u64,
    /// The file.
    pub path: PathBuf,
}

/// A snapshot of a mailbox, in UID order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The UIDVALIDITY.
    pub uid_validity: u32,
    /// The next UID to assign.
    pub uid_next: u32,
    /// The messages, ascending by UID.
    pub messages: Vec<Message>,
}

/// The Maildir store under one root directory.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    host: String,
    counter: AtomicU64,
    locks: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
}

impl Store {
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
        Self {
            root: root.to_owned(),
            host,
            counter: AtomicU64::new(0),
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// The INBOX Maildir of `account`.
    pub fn inbox_dir(&self, account: &str) -> PathBuf {
        self.root.join(account)
    }

    /// Creates the INBOX and the special-use folders of `account` (existing
    /// ones are left alone).
    pub fn create_account(&self, account: &str) -> io::Result<()> {
        let inbox = self.inbox_dir(account);
        make_maildir(&inbox)?;
        for f in SPECIAL_FOLDERS {
            make_maildir(&inbox.join(format!(".{f}")))?;
        }
        let subscriptions: String = SPECIAL_FOLDERS.iter().map(|f| format!("{f}\n")).collect();
        let subs = inbox.join("subscriptions");
        if !subs.exists() {
            write_atomically(&subs, subscriptions.as_bytes(), 0o600)?;
        }
        Ok(())
    }

    fn unique_name(&self, size: u64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!(
            "{}.M{}P{}Q{}.{},S={}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            n,
            self.host,
            size
        )
    }

    /// Delivers the (already synced) file `spool` of `size` octets into
    /// `account`'s INBOX: linked (or copied) under `tmp/`, synced, renamed
    /// into `new/`, directory synced. When this returns `Ok`, the message
    /// survives a crash.
    pub fn deliver(&self, account: &str, spool: &Path, size: u64) -> io::Result<()> {
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
        sync_dir(&md.join("new"))?;
        // The tmp entry is gone; syncing tmp/ makes that durable too, so a
        // crash leaves no stray link to clean up.
        sync_dir(&md.join("tmp"))
    }

    fn lock(&self, dir: &Path) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(dir.to_owned()).or_default().clone()
    }

    /// A snapshot of `account`'s INBOX. New files get UIDs in name order
    /// (names start with the delivery time); files gone since the last call
    /// leave the UID list. The list is saved when it changed.
    pub fn inbox(&self, account: &str) -> io::Result<Mailbox> {
        let md = self.inbox_dir(account);
        make_maildir(&md)?;
        let lock = self.lock(&md);
        let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());

        let list_path = md.join(UIDLIST);
        let (mut validity, mut next, mut known) = read_uidlist(&list_path)?;
        let mut changed = false;
        if validity == 0 {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            validity = u32::try_from(secs).unwrap_or(u32::MAX).max(1);
            next = 1;
            changed = true;
        }
        // Every file in new/ and cur/, by its key (the name before ":2,").
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        for sub in ["cur", "new"] {
            for entry in fs::read_dir(md.join(sub))? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let key = name.split(':').next().unwrap_or(&name).to_owned();
                files.push((key, entry.path()));
            }
        }
        files.sort();
        let present: HashSet<&str> = files.iter().map(|(k, _)| k.as_str()).collect();
        let before = known.len();
        known.retain(|k, _| present.contains(k.as_str()));
        changed |= known.len() != before;
        let mut messages = Vec::with_capacity(files.len());
        for (key, path) in &files {
            let uid = match known.get(key) {
                Some(uid) => *uid,
                None => {
                    let uid = next;
                    next = next.saturating_add(1);
                    known.insert(key.clone(), uid);
                    changed = true;
                    uid
                }
            };
            let size =
                size_from_name(key).map_or_else(|| fs::metadata(path).map(|m| m.len()), Ok)?;
            messages.push(Message {
                uid,
                size,
                path: path.clone(),
            });
        }
        messages.sort_by_key(|m| m.uid);
        if changed {
            let mut text = format!("yubin-uidlist 1 {validity} {next}\n");
            let mut rows: Vec<(&u32, &String)> = known.iter().map(|(k, u)| (u, k)).collect();
            rows.sort();
            for (uid, key) in rows {
                text.push_str(&format!("{uid} {key}\n"));
            }
            write_atomically(&list_path, text.as_bytes(), 0o600)?;
        }
        Ok(Mailbox {
            uid_validity: validity,
            uid_next: next,
            messages,
        })
    }

    /// Removes messages (POP3 `DELE` + `QUIT`). A file already gone counts
    /// as removed. The UID list forgets them at the next snapshot.
    pub fn remove(&self, account: &str, paths: &[PathBuf]) -> io::Result<()> {
        let md = self.inbox_dir(account);
        let lock = self.lock(&md);
        let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        for p in paths {
            match fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        sync_dir(&md.join("cur"))?;
        sync_dir(&md.join("new"))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("yubin-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn deliver_snapshot_remove_keep_uids() {
        let root = temp("uids");
        let store = Store::new(&root.join("mail"), "host.test");
        store.create_account("alice").unwrap();
        assert!(root.join("mail/alice/.Sent/cur").is_dir());
        let spool = root.join("spool");
        for i in 0..3 {
            fs::write(&spool, format!("Subject: {i}\r\n\r\nbody\r\n")).unwrap();
            store.deliver("alice", &spool, 23).unwrap();
            fs::remove_file(&spool).unwrap();
        }
        let a = store.inbox("alice").unwrap();
        assert_eq!(
            a.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(a.messages.iter().all(|m| m.size == 23));
        assert!(
            fs::read_dir(root.join("mail/alice/tmp"))
                .unwrap()
                .next()
                .is_none()
        );
        // A second store on the same files (a restart) sees the same UIDs.
        let again = Store::new(&root.join("mail"), "host.test");
        assert_eq!(again.inbox("alice").unwrap(), a);
        store
            .remove("alice", &[a.messages[1].path.clone()])
            .unwrap();
        fs::write(&spool, "x").unwrap();
        store.deliver("alice", &spool, 1).unwrap();
        let b = store.inbox("alice").unwrap();
        assert_eq!(b.uid_validity, a.uid_validity);
        assert_eq!(
            b.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [1, 3, 4]
        );
        let _ = fs::remove_dir_all(&root);
    }
}
