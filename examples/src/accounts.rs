//! Accounts: a users file of `name:hash` lines, the hash an argon2id PHC
//! string (`$argon2id$v=19$...`), so the file can be shared with other
//! software that reads the format.
//!
//! argon2id is slow on purpose (tens of milliseconds and 19 MiB per check),
//! which would cap logins at a few dozen a second on a small machine. As
//! Dovecot's auth cache (`auth_cache_size`, `auth_cache_ttl`), successful
//! checks are remembered for a while: see [`LoginCache`].

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The accounts of one server, loaded from (and saved to) a users file.
#[derive(Debug)]
pub struct Accounts {
    path: PathBuf,
    domains: Vec<String>,
    users: RwLock<HashMap<String, String>>,
    cache: LoginCache,
}

/// Size and lifetime of the [`LoginCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginCacheConfig {
    /// Accounts remembered at most; 0 turns the cache off. Default 10,000
    /// (Dovecot's `auth_cache_size` is in bytes; at about 100 bytes an
    /// entry this is roughly 1 MiB).
    pub max_entries: usize,
    /// How long a successful check is remembered. Default 1 hour (as a
    /// typical Dovecot `auth_cache_ttl`).
    pub ttl: Duration,
}

impl Default for LoginCacheConfig {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            ttl: Duration::from_secs(3600),
        }
    }
}

/// Successful password checks, remembered so that a client logging in
/// again (a mail client polling, a phone reconnecting) skips argon2.
///
/// An entry is the account name, `HMAC-SHA256(key, password)` under a key
/// drawn when the process starts (never written anywhere, so the cache
/// holds nothing an offline guesser could use after a restart or from a
/// core file without the key), and when it was stored. A login with the
/// same tag within the TTL is accepted at once; any other login runs
/// argon2, and only a success is stored: a wrong password is never
/// cached, so it costs a guesser the full argon2 price every time. Tags
/// are compared in constant time. Changing an account's password drops
/// its entry.
#[derive(Debug)]
pub struct LoginCache {
    key: [u8; 32],
    config: LoginCacheConfig,
    inner: Mutex<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    entries: HashMap<String, CacheEntry>,
    /// Bumped on every password change: a check that started before a
    /// change must not store the old password after it.
    generation: u64,
}

#[derive(Debug)]
struct CacheEntry {
    tag: [u8; 32],
    stored: Instant,
}

impl LoginCache {
    /// An empty cache keyed with `key` (draw it at random).
    pub fn new(config: LoginCacheConfig, key: [u8; 32]) -> Self {
        Self {
            key,
            config,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn mac(&self, password: &str) -> Hmac<Sha256> {
        // HMAC takes a key of any length: this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(password.as_bytes());
        mac
    }

    /// True when `name` logged in with `password` less than the TTL ago.
    fn hit(&self, name: &str, password: &str, now: Instant) -> bool {
        if self.config.max_entries == 0 {
            return false;
        }
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let Some(entry) = inner.entries.get(name) else {
            return false;
        };
        if now.saturating_duration_since(entry.stored) >= self.config.ttl {
            return false;
        }
        // verify_slice compares in constant time.
        self.mac(password).verify_slice(&entry.tag).is_ok()
    }

    /// The generation to hand back to [`Self::store`].
    fn generation(&self) -> u64 {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .generation
    }

    /// Remembers a successful check, unless a password changed since
    /// `generation` was read. When full, expired entries go first, then
    /// the oldest one.
    fn store(&self, name: &str, password: &str, generation: u64, now: Instant) {
        let max = self.config.max_entries;
        if max == 0 {
            return;
        }
        let tag: [u8; 32] = self.mac(password).finalize().into_bytes().into();
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.generation != generation {
            return;
        }
        if !inner.entries.contains_key(name) && inner.entries.len() >= max {
            let ttl = self.config.ttl;
            inner
                .entries
                .retain(|_, e| now.saturating_duration_since(e.stored) < ttl);
            if inner.entries.len() >= max {
                let oldest = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.stored)
                    .map(|(n, _)| n.clone());
                if let Some(n) = oldest {
                    inner.entries.remove(&n);
                }
            }
        }
        inner
            .entries
            .insert(name.to_owned(), CacheEntry { tag, stored: now });
    }

    /// Drops `name`'s entry (its password changed).
    fn forget(&self, name: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.remove(name);
    }

    /// The number of accounts remembered.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why an account could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The users file could not be read or written.
    #[error("users file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A line of the users file is not `name:hash`.
    #[error("users file {path}, line {line}: expected name:hash")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
    },
    /// The name is not a usable account name.
    #[error("bad account name {0:?}: use letters, digits, '.', '-' and '_'")]
    BadName(String),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl Accounts {
    /// Loads `path` (an absent file is an empty set). `domains` are the local
    /// domains: `name@domain` logs in as `name` for each of them.
    pub fn load(path: &Path, domains: &[String]) -> Result<Self, AccountError> {
        Self::load_with_cache(path, domains, LoginCacheConfig::default())
    }

    /// [`Self::load`] with a login cache of this size and lifetime, keyed
    /// with fresh randomness.
    pub fn load_with_cache(
        path: &Path,
        domains: &[String],
        cache: LoginCacheConfig,
    ) -> Result<Self, AccountError> {
        let io_err = |source| AccountError::Io {
            path: path.to_owned(),
            source,
        };
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io_err(e)),
        };
        let mut users = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, hash)) = line.split_once(':') else {
                return Err(AccountError::Syntax {
                    path: path.to_owned(),
                    line: i + 1,
                });
            };
            users.insert(name.to_ascii_lowercase(), hash.to_owned());
        }
        Ok(Self {
            path: path.to_owned(),
            domains: domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
            users: RwLock::new(users),
            cache: LoginCache::new(cache, yubin_tokio::entropy()),
        })
    }

    /// The account a login name or an address belongs to: `name`, or
    /// `name@domain` for a local domain. `None` when there is no such account.
    pub fn resolve(&self, login: &str) -> Option<String> {
        let login = login.to_ascii_lowercase();
        let name = match login.rsplit_once('@') {
            Some((local, domain)) if self.domains.iter().any(|d| *d == domain) => local.to_owned(),
            Some(_) => return None,
            None => login,
        };
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        users.contains_key(&name).then_some(name)
    }

    /// True when `domain` is one of ours.
    pub fn is_local_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }

    /// The local domains, first one the primary.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Checks a password; the account name on success. Slow on purpose
    /// (argon2) unless the same password succeeded recently (the
    /// [`LoginCache`]): call it off the async threads.
    pub fn verify(&self, login: &str, password: &str) -> Option<String> {
        self.verify_at(login, password, yubin_tokio::now())
    }

    /// [`Self::verify`] at `now` (the tests move the clock).
    fn verify_at(&self, login: &str, password: &str, now: Instant) -> Option<String> {
        let name = self.resolve(login)?;
        if self.cache.hit(&name, password, now) {
            return Some(name);
        }
        let generation = self.cache.generation();
        let hash = {
            let users = self.users.read().unwrap_or_else(|p| p.into_inner());
            users.get(&name)?.clone()
        };
        let parsed = PasswordHash::new(&hash).ok()?;
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .ok()?;
        self.cache.store(&name, password, generation, now);
        Some(name)
    }

    /// The login cache (for its size in tests and reports).
    pub fn login_cache(&self) -> &LoginCache {
        &self.cache
    }

    /// All account names, sorted.
    pub fn names(&self) -> Vec<String> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<String> = users.keys().cloned().collect();
        v.sort();
        v
    }

    /// Adds an account or sets its password, then rewrites the users file
    /// atomically (a new file renamed over the old one).
    pub fn set_password(
        &self,
        name: &str,
        password: &str,
        salt: [u8; 16],
    ) -> Result<(), AccountError> {
        let name = name.to_ascii_lowercase();
        let valid = !name.is_empty()
            && name.len() <= 64
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !valid {
            return Err(AccountError::BadName(name));
        }
        let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| AccountError::Hash(e.to_string()))?
            .to_string();
        let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
        self.cache.forget(&name);
        users.insert(name, hash);
        let mut names: Vec<&String> = users.keys().collect();
        names.sort();
        let mut text = String::from("# yubin mailserver accounts: name:argon2id-hash\n");
        for n in names {
            if let Some(h) = users.get(n) {
                text.push_str(&format!("{n}:{h}\n"));
            }
        }
        write_atomically(&self.path, text.as_bytes(), 0o600).map_err(|source| AccountError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// Writes `data` to `path` through a temporary file in the same directory,
/// synced, then renamed over `path`: readers see the old or the new file,
/// never a mix.
pub fn write_atomically(path: &Path, data: &[u8], mode: u32) -> io::Result<()> {
    replace_file(path, data, mode, true)
}

/// [`write_atomically`], with the file and directory synced only when
/// `durable`: readers still never see a mix, but a crash may keep the old
/// file.
pub fn replace_file(path: &Path, data: &[u8], mode: u32, durable: bool) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = opts.open(&tmp)?;
        f.write_all(data)?;
        if durable {
            f.sync_all()?;
        }
    }
    fs::rename(&tmp, path)?;
    if durable {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Makes a rename or a new file in `dir` durable (fsync of the directory).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_verify_reload() {
        let dir = std::env::temp_dir().join(format!("yubin-acc-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("users");
        let domains = vec!["example.test".to_owned()];
        let a = Accounts::load(&path, &domains).unwrap();
        a.set_password("Alice", "s3cret", [7; 16]).unwrap();
        assert_eq!(a.verify("alice", "s3cret").as_deref(), Some("alice"));
        assert_eq!(
            a.verify("ALICE@example.test", "s3cret").as_deref(),
            Some("alice")
        );
        assert_eq!(a.verify("alice@elsewhere.test", "s3cret"), None);
        assert_eq!(a.verify("alice", "wrong"), None);
        assert_eq!(a.verify("bob", "s3cret"), None);
        let b = Accounts::load(&path, &domains).unwrap();
        assert_eq!(b.verify("alice", "s3cret").as_deref(), Some("alice"));
        assert!(a.set_password("../x", "p", [1; 16]).is_err());
        fs::write(&path, "no colon here\n").unwrap();
        assert!(matches!(
            Accounts::load(&path, &domains),
            Err(AccountError::Syntax { line: 1, .. })
        ));
        let _ = fs::remove_dir_all(&dir);
    }

    /// A users file with `names`, all with password "pw", and a cache of
    /// `cfg`; the directory is removed by the caller.
    fn fixture(tag: &str, names: &[&str], cfg: LoginCacheConfig) -> (PathBuf, Accounts) {
        let dir = std::env::temp_dir().join(format!("yubin-acc-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("users");
        let a = Accounts::load_with_cache(&path, &["example.test".to_owned()], cfg).unwrap();
        for n in names {
            a.set_password(n, "pw", [3; 16]).unwrap();
        }
        (dir, a)
    }

    #[test]
    fn login_cache_hit_skips_argon2_and_a_wrong_password_still_fails() {
        let (dir, a) = fixture("hit", &["alice"], LoginCacheConfig::default());
        let t0 = Instant::now();
        assert!(a.login_cache().is_empty());
        assert_eq!(a.verify_at("alice", "pw", t0).as_deref(), Some("alice"));
        assert_eq!(a.login_cache().len(), 1);
        // A hit: even with the hash gone from the table, the cache answers.
        let hash = a.users.write().unwrap().remove("alice").unwrap();
        assert_eq!(a.resolve("alice"), None);
        a.users
            .write()
            .unwrap()
            .insert("alice".into(), "not-a-phc-string".into());
        let t1 = t0 + Duration::from_secs(60);
        assert_eq!(
            a.verify_at("ALICE@example.test", "pw", t1).as_deref(),
            Some("alice")
        );
        // A wrong password after a hit is checked (here: against an
        // unparsable hash, so it fails) and is not cached.
        assert_eq!(a.verify_at("alice", "pW", t1), None);
        assert_eq!(a.verify_at("alice", "", t1), None);
        a.users.write().unwrap().insert("alice".into(), hash);
        assert_eq!(a.verify_at("alice", "wrong", t1), None);
        assert_eq!(a.verify_at("alice", "pw", t1).as_deref(), Some("alice"));
        assert_eq!(a.login_cache().len(), 1);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn login_cache_drops_an_account_whose_password_changes() {
        let (dir, a) = fixture("change", &["alice", "bob"], LoginCacheConfig::default());
        let t0 = Instant::now();
        assert!(a.verify_at("alice", "pw", t0).is_some());
        assert!(a.verify_at("bob", "pw", t0).is_some());
        assert_eq!(a.login_cache().len(), 2);
        a.set_password("alice", "new", [4; 16]).unwrap();
        assert_eq!(a.login_cache().len(), 1);
        assert_eq!(a.verify_at("alice", "pw", t0), None);
        assert_eq!(a.verify_at("alice", "new", t0).as_deref(), Some("alice"));
        assert_eq!(a.verify_at("bob", "pw", t0).as_deref(), Some("bob"));
        // A check that began before the change does not store the old password.
        let generation = a.cache.generation();
        a.set_password("bob", "other", [5; 16]).unwrap();
        a.cache.store("bob", "pw", generation, t0);
        assert!(!a.cache.hit("bob", "pw", t0));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn login_cache_entries_expire_after_the_ttl() {
        let cfg = LoginCacheConfig {
            max_entries: 10,
            ttl: Duration::from_secs(3600),
        };
        let cache = LoginCache::new(cfg, [9; 32]);
        let t0 = Instant::now();
        cache.store("alice", "pw", cache.generation(), t0);
        assert!(cache.hit("alice", "pw", t0 + Duration::from_secs(3599)));
        assert!(!cache.hit("alice", "pw", t0 + Duration::from_secs(3600)));
        assert!(!cache.hit("alice", "other", t0));
        assert!(!cache.hit("bob", "pw", t0));
        // Through Accounts: an expired entry runs argon2 and is stored anew.
        let (dir, a) = fixture("ttl", &["alice"], cfg);
        assert!(a.verify_at("alice", "pw", t0).is_some());
        let later = t0 + Duration::from_secs(7200);
        assert!(!a.cache.hit("alice", "pw", later));
        assert!(a.verify_at("alice", "pw", later).is_some());
        assert!(a.cache.hit("alice", "pw", later));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn login_cache_is_bounded_expired_then_oldest_first() {
        let cfg = LoginCacheConfig {
            max_entries: 3,
            ttl: Duration::from_secs(100),
        };
        let cache = LoginCache::new(cfg, [1; 32]);
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        cache.store("a", "pw", 0, at(0));
        cache.store("b", "pw", 0, at(10));
        cache.store("c", "pw", 0, at(20));
        assert_eq!(cache.len(), 3);
        // Full: the oldest ("a") makes room.
        cache.store("d", "pw", 0, at(30));
        assert_eq!(cache.len(), 3);
        assert!(!cache.hit("a", "pw", at(30)));
        assert!(cache.hit("b", "pw", at(30)) && cache.hit("d", "pw", at(30)));
        // Storing an account already there replaces it, evicting nothing.
        cache.store("b", "pw", 0, at(40));
        assert_eq!(cache.len(), 3);
        // Full with an expired entry ("c", stored at 20): it goes first,
        // though "d" is older than "b".
        cache.store("e", "pw", 0, at(125));
        assert_eq!(cache.len(), 3);
        assert!(!cache.hit("c", "pw", at(125)));
        for n in ["b", "d", "e"] {
            assert!(cache.hit(n, "pw", at(125)), "{n}");
        }
        // Size 0: off.
        let off = LoginCache::new(
            LoginCacheConfig {
                max_entries: 0,
                ttl: Duration::from_secs(100),
            },
            [1; 32],
        );
        off.store("a", "pw", 0, t0);
        assert!(off.is_empty() && !off.hit("a", "pw", t0));
    }
}
