//! Accounts: a users file of `name:hash` lines, the hash an argon2id PHC
//! string (`$argon2id$v=19$...`), so the file can be shared with other
//! software that reads the format.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The accounts of one server, loaded from (and saved to) a users file.
#[derive(Debug)]
pub struct Accounts {
    path: PathBuf,
    domains: Vec<String>,
    users: RwLock<HashMap<String, String>>,
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
    /// (argon2): call it off the async threads.
    pub fn verify(&self, login: &str, password: &str) -> Option<String> {
        let name = self.resolve(login)?;
        let hash = {
            let users = self.users.read().unwrap_or_else(|p| p.into_inner());
            users.get(&name)?.clone()
        };
        let parsed = PasswordHash::new(&hash).ok()?;
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .ok()
            .map(|()| name)
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
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(dir)
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
}
