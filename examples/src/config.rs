//! The `mailserver` configuration file (TOML).
//!
//! Every key is optional: a missing one keeps the built-in default, and a
//! command-line flag overrides what the file says. A key the server does
//! not know is an error (a typo must not silently keep a default), and so
//! is a value of the wrong type. `examples/mailserver.example.toml`
//! documents every key; a test parses it, so it stays in step with this
//! module.
//!
//! ```toml
//! hostname = "mail.example.org"
//! domains = ["example.org"]
//!
//! [ports]
//! smtp = 25
//!
//! [relay]
//! smarthost = "smtp.provider.example:587"
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::server::Config;

/// The whole file. Each field mirrors a [`Config`] setting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    /// Where mail, accounts, the queue and the certificate live.
    pub data_dir: Option<PathBuf>,
    /// The address every listener binds (`0.0.0.0` or `::` for all).
    pub bind: Option<IpAddr>,
    /// The server's host name (greetings, `Received:` lines, certificate).
    pub hostname: Option<String>,
    /// The local mail domains; the first is the primary one.
    pub domains: Option<Vec<String>>,
    /// Create the `demo` account on first start.
    pub demo_account: Option<bool>,
    /// Log level: `error`, `warn`, `info`, `debug` or `trace`.
    pub log: Option<String>,
    /// The listening ports.
    pub ports: PortsFile,
    /// The certificate and key.
    pub tls: TlsFile,
    /// Sizes, connection counts and timeouts.
    pub limits: LimitsFile,
    /// Relaying: who may, where mail goes, and the queue.
    pub relay: RelayFile,
}

/// `[ports]`: 0 picks a free port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortsFile {
    /// SMTP for incoming mail (MX).
    pub smtp: Option<u16>,
    /// Submission with STARTTLS, AUTH required.
    pub submission: Option<u16>,
    /// Submission over implicit TLS.
    pub submissions: Option<u16>,
    /// POP3 with STLS.
    pub pop3: Option<u16>,
    /// POP3 over implicit TLS.
    pub pop3s: Option<u16>,
    /// IMAP with STARTTLS.
    pub imap: Option<u16>,
    /// IMAP over implicit TLS.
    pub imaps: Option<u16>,
}

/// `[tls]`: both or neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsFile {
    /// The certificate chain (PEM).
    pub cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
    /// Accept passwords on the plain ports before TLS (benchmarks, tests).
    pub danger_allow_plaintext_auth: Option<bool>,
}

/// `[limits]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsFile {
    /// The largest message accepted (SMTP and IMAP APPEND), in octets.
    pub max_message_octets: Option<u64>,
    /// Open connections per listener.
    pub max_connections: Option<usize>,
    /// Open connections per listener from one IP address.
    pub max_connections_per_ip: Option<usize>,
    /// Idle time before a session is closed, in seconds.
    pub idle_secs: Option<u64>,
    /// Accounts the login cache remembers; 0: off.
    pub login_cache_entries: Option<usize>,
    /// How long the login cache remembers a successful check, in seconds.
    pub login_cache_secs: Option<u64>,
}

/// `[relay]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RelayFile {
    /// POP-before-SMTP window in minutes; absent: off.
    pub pop_before_smtp_minutes: Option<u64>,
    /// `host:port` for every remote domain without a route.
    pub smarthost: Option<String>,
    /// Remote domain → `host:port`.
    pub routes: BTreeMap<String, String>,
    /// The first retry delay, in seconds (doubles after each failure).
    pub retry_base_secs: Option<u64>,
    /// The longest retry delay, in seconds.
    pub retry_max_secs: Option<u64>,
    /// How long a message may stay queued before it bounces, in hours.
    pub max_queue_hours: Option<u64>,
    /// Time allowed to connect to a route, in seconds.
    pub connect_timeout_secs: Option<u64>,
    /// Queued messages attempted at the same time.
    pub max_parallel_deliveries: Option<usize>,
}

/// Why the file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// It could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// It is not valid TOML, has an unknown key or a value of the wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What and where (line, column, the key).
        message: String,
    },
    /// A value is well-formed but unusable.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl FileConfig {
    /// Parses the text of a configuration file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: Self = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        file.check()?;
        Ok(file)
    }

    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigFileError> {
        let text = fs::read_to_string(path).map_err(|source| ConfigFileError::Read {
            path: path.to_owned(),
            source,
        })?;
        let file: Self = toml::from_str(&text).map_err(|e| ConfigFileError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        file.check().map_err(|message| ConfigFileError::Invalid {
            path: path.to_owned(),
            message,
        })?;
        Ok(file)
    }

    /// Rules the types alone do not express.
    fn check(&self) -> Result<(), String> {
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return Err("[tls]: set both cert and key, or neither".into());
        }
        if let Some(d) = &self.domains
            && d.is_empty()
        {
            return Err("domains: at least one local domain is needed".into());
        }
        if let Some(h) = &self.relay.smarthost {
            check_host_port("relay.smarthost", h)?;
        }
        for (domain, host) in &self.relay.routes {
            if domain.is_empty() {
                return Err("[relay.routes]: empty domain".into());
            }
            check_host_port(&format!("relay.routes.{domain:?}"), host)?;
        }
        if let Some(level) = &self.log {
            level
                .parse::<tracing::Level>()
                .map_err(|_| format!("log: {level:?} is not error, warn, info, debug or trace"))?;
        }
        Ok(())
    }

    /// Writes every setting the file gives over `cfg` (what it leaves out
    /// stays as it is).
    pub fn apply(&self, cfg: &mut Config) {
        set(&mut cfg.data_dir, &self.data_dir);
        set(&mut cfg.bind, &self.bind);
        set(&mut cfg.hostname, &self.hostname);
        set(&mut cfg.domains, &self.domains);
        set(&mut cfg.demo_account, &self.demo_account);
        let p = &self.ports;
        set(&mut cfg.ports.smtp, &p.smtp);
        set(&mut cfg.ports.submission, &p.submission);
        set(&mut cfg.ports.submissions, &p.submissions);
        set(&mut cfg.ports.pop3, &p.pop3);
        set(&mut cfg.ports.pop3s, &p.pop3s);
        set(&mut cfg.ports.imap, &p.imap);
        set(&mut cfg.ports.imaps, &p.imaps);
        if let (Some(c), Some(k)) = (&self.tls.cert, &self.tls.key) {
            cfg.tls_files = Some((c.clone(), k.clone()));
        }
        set(
            &mut cfg.danger_allow_plaintext_auth,
            &self.tls.danger_allow_plaintext_auth,
        );
        let l = &self.limits;
        set(&mut cfg.max_message_octets, &l.max_message_octets);
        set(&mut cfg.limits.max_connections, &l.max_connections);
        set(&mut cfg.limits.max_per_ip, &l.max_connections_per_ip);
        if let Some(s) = l.idle_secs {
            cfg.idle = Some(Duration::from_secs(s));
        }
        set(&mut cfg.login_cache.max_entries, &l.login_cache_entries);
        if let Some(s) = l.login_cache_secs {
            cfg.login_cache.ttl = Duration::from_secs(s);
        }
        let r = &self.relay;
        if let Some(m) = r.pop_before_smtp_minutes {
            cfg.pop_before_smtp = Some(minutes(m));
        }
        if r.smarthost.is_some() {
            cfg.smarthost.clone_from(&r.smarthost);
        }
        if !r.routes.is_empty() {
            cfg.routes = r
                .routes
                .iter()
                .map(|(d, h)| (d.to_ascii_lowercase(), h.clone()))
                .collect();
        }
        if let Some(s) = r.retry_base_secs {
            cfg.queue.retry_base = Duration::from_secs(s.max(1));
        }
        if let Some(s) = r.retry_max_secs {
            cfg.queue.retry_max = Duration::from_secs(s.max(1));
        }
        if let Some(h) = r.max_queue_hours {
            cfg.queue.max_age = Duration::from_secs(h.saturating_mul(3600));
        }
        if let Some(s) = r.connect_timeout_secs {
            cfg.queue.connect_timeout = Duration::from_secs(s.max(1));
        }
        if let Some(n) = r.max_parallel_deliveries {
            cfg.queue.max_parallel = n.max(1);
        }
    }
}

/// `m` minutes.
pub fn minutes(m: u64) -> Duration {
    Duration::from_secs(m.saturating_mul(60))
}

fn set<T: Clone>(to: &mut T, from: &Option<T>) {
    if let Some(v) = from {
        to.clone_from(v);
    }
}

/// `host:port` with a non-empty host and a numeric port.
pub fn check_host_port(what: &str, s: &str) -> Result<(), String> {
    match s.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err(format!("{what}: {s:?} is not HOST:PORT")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../mailserver.example.toml");

    #[test]
    fn the_example_file_parses_and_sets_every_section() {
        let file = FileConfig::parse(EXAMPLE).unwrap();
        let mut cfg = Config::default();
        file.apply(&mut cfg);
        assert_eq!(cfg.hostname, "mail.example.org");
        assert_eq!(
            cfg.domains,
            vec!["example.org".to_owned(), "example.net".to_owned()]
        );
        assert_eq!(cfg.ports.smtp, 2525);
        assert_eq!(cfg.ports.imaps, 1993);
        assert_eq!(cfg.max_message_octets, 26_214_400);
        assert_eq!(cfg.limits.max_per_ip, 20);
        assert_eq!(cfg.pop_before_smtp, Some(Duration::from_secs(600)));
        assert_eq!(cfg.smarthost.as_deref(), Some("smtp.provider.example:587"));
        assert!(
            cfg.routes
                .contains(&("partner.example".to_owned(), "10.0.0.7:25".to_owned()))
        );
        assert_eq!(cfg.queue.max_age, Duration::from_secs(120 * 3600));
        assert_eq!(cfg.queue.max_parallel, 4);
        assert!(cfg.tls_files.is_some());
        assert!(!cfg.danger_allow_plaintext_auth);
        assert_eq!(cfg.login_cache.max_entries, 10_000);
        assert_eq!(cfg.login_cache.ttl, Duration::from_secs(3600));
        // Every key the structs know is in the example (commented or not):
        // a key added to the code without documentation fails here.
        for key in [
            "data_dir",
            "bind",
            "hostname",
            "domains",
            "demo_account",
            "log",
            "[ports]",
            "smtp",
            "submission",
            "submissions",
            "pop3",
            "pop3s",
            "imap",
            "imaps",
            "[tls]",
            "cert",
            "key",
            "danger_allow_plaintext_auth",
            "[limits]",
            "max_message_octets",
            "max_connections",
            "max_connections_per_ip",
            "idle_secs",
            "login_cache_entries",
            "login_cache_secs",
            "[relay]",
            "pop_before_smtp_minutes",
            "smarthost",
            "[relay.routes]",
            "retry_base_secs",
            "retry_max_secs",
            "max_queue_hours",
            "connect_timeout_secs",
            "max_parallel_deliveries",
        ] {
            assert!(
                EXAMPLE.lines().any(|l| {
                    let l = l.trim_start_matches(['#', ' ']);
                    l.starts_with(&format!("{key} ")) || l == key
                }),
                "{key} is not documented in mailserver.example.toml"
            );
        }
    }

    #[test]
    fn an_empty_file_changes_nothing() {
        let mut cfg = Config::default();
        FileConfig::parse("").unwrap().apply(&mut cfg);
        let d = Config::default();
        assert_eq!(
            (cfg.hostname, cfg.ports, cfg.tls_files),
            (d.hostname, d.ports, d.tls_files)
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let e = FileConfig::parse("hostnme = \"x\"\n").unwrap_err();
        assert!(e.contains("hostnme"), "{e}");
        let e = FileConfig::parse("[ports]\nsmpt = 25\n").unwrap_err();
        assert!(e.contains("smpt"), "{e}");
        let e =
            FileConfig::parse("[relay]\nsmarthost = \"a:1\"\npop_before_smtp = 5\n").unwrap_err();
        assert!(e.contains("pop_before_smtp"), "{e}");
        let e = FileConfig::parse("[dns]\n").unwrap_err();
        assert!(e.contains("dns"), "{e}");
    }

    #[test]
    fn bad_values_are_refused() {
        for (text, why) in [
            ("[ports]\nsmtp = 70000\n", "smtp"),
            ("bind = \"localhost\"\n", "bind"),
            ("[tls]\ncert = \"c.pem\"\n", "both"),
            ("[relay]\nsmarthost = \"no-port\"\n", "HOST:PORT"),
            ("[relay.routes]\n\"a.example\" = \"h:x\"\n", "HOST:PORT"),
            ("domains = []\n", "domain"),
            ("log = \"loud\"\n", "loud"),
        ] {
            let e = FileConfig::parse(text).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("yubin-config-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        fs::write(&path, "[limits]\nmax_message_size = 1\n").unwrap();
        let e = FileConfig::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("bad.toml") && e.contains("max_message_size"),
            "{e}"
        );
        let missing = FileConfig::load(&dir.join("none.toml")).unwrap_err();
        assert!(matches!(missing, ConfigFileError::Read { .. }));
        let _ = fs::remove_dir_all(&dir);
    }
}
