//! The mail server: configuration, first-start set-up (directories, a
//! certificate, a demo account), the listeners and the start-up banner.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use yubin_sasl::Mechanism;
use yubin_tokio::{
    CertSource, CertStore, ConnInfo, ConnLimits, DriveConfig, Server, Shutdown, ShutdownTrigger,
    TlsMode, entropy,
};

use yubin_pop3::before_smtp::{Ledger, LedgerConfig, LedgerStore};

use crate::accounts::{AccountError, Accounts, LoginCacheConfig, write_atomically};
use crate::relay::{Queue, QueueConfig, Routes};
use crate::store::{Maildir, Store};
use crate::{imap, pop3, smtp};

/// The listening ports (0 picks a free port, as the tests do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// SMTP for incoming mail (MX). Default 2525.
    pub smtp: u16,
    /// Submission with STARTTLS and AUTH required (RFC 6409). Default 2587.
    pub submission: u16,
    /// Submission over implicit TLS (RFC 8314). Default 2465.
    pub submissions: u16,
    /// POP3 with STLS. Default 1110.
    pub pop3: u16,
    /// POP3 over implicit TLS. Default 1995.
    pub pop3s: u16,
    /// IMAP with STARTTLS. Default 1143.
    pub imap: u16,
    /// IMAP over implicit TLS. Default 1993.
    pub imaps: u16,
}

impl Default for Ports {
    fn default() -> Self {
        Self {
            smtp: 2525,
            submission: 2587,
            submissions: 2465,
            pop3: 1110,
            pop3s: 1995,
            imap: 1143,
            imaps: 1993,
        }
    }
}

/// Everything the server is started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where mail, accounts, the spool and the certificate live. Default `./mail-data`.
    pub data_dir: PathBuf,
    /// The address to listen on. Default 127.0.0.1 (loopback only).
    pub bind: IpAddr,
    /// The server's host name (greetings, trace headers, certificate).
    pub hostname: String,
    /// Local mail domains; the first is the primary one. Default `localhost`.
    pub domains: Vec<String>,
    /// The ports.
    pub ports: Ports,
    /// A certificate chain and key (PEM); `None`: a self-signed one is made
    /// under the data directory on first start.
    pub tls_files: Option<(PathBuf, PathBuf)>,
    /// The largest message accepted, in octets. Default 25 MiB.
    pub max_message_octets: u64,
    /// Create the account `demo` with a random password when there are no
    /// accounts yet. Default true.
    pub demo_account: bool,
    /// Connection limits of each listener.
    pub limits: ConnLimits,
    /// Idle time before a session is closed. Default 5 minutes for SMTP (RFC
    /// 5321 §4.5.3.2 asks for 5 minutes) and 10 for POP3 (RFC 1939 §3).
    /// IMAP keeps at least the 30 minutes RFC 9051 §5.4 asks for once
    /// logged in: a longer value here raises it, a shorter one is ignored.
    pub idle: Option<Duration>,
    /// POP-before-SMTP: a POP3 or IMAP login lets its address relay
    /// without AUTH (MX and submission ports) for this long. Default
    /// `None` (off). Weaker than AUTH: see `yubin_pop3::before_smtp`.
    pub pop_before_smtp: Option<Duration>,
    /// Static routes for other domains: (domain, `host:port`). Mail for a
    /// domain without a route goes to the smarthost, or is refused at RCPT
    /// when there is none.
    pub routes: Vec<(String, String)>,
    /// Where mail for every other non-local domain goes (`host:port`).
    pub smarthost: Option<String>,
    /// Retry and expiry settings of the outgoing queue.
    pub queue: QueueConfig,
    /// Accept USER/PASS, LOGIN and plaintext SASL on the plain POP3 and
    /// IMAP ports before TLS, and MAIL and AUTH on the submission port
    /// without STARTTLS. Default false. Passwords then cross the network
    /// in clear: only for a loopback benchmark or a test (as Dovecot's
    /// `ssl = no` with `auth_allow_cleartext = yes`).
    pub danger_allow_plaintext_auth: bool,
    /// The cache of successful password checks (argon2 is skipped for a
    /// login repeating a password that succeeded within the TTL).
    pub login_cache: LoginCacheConfig,
    /// The mail store; `None` (the default): the Maildir tree under
    /// `data_dir/mail`. Tests pass a [`crate::store::memory::MemoryStore`].
    pub store: Option<Arc<dyn Store>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("mail-data"),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            hostname: "localhost".to_owned(),
            domains: vec!["localhost".to_owned()],
            ports: Ports::default(),
            tls_files: None,
            max_message_octets: 25 * 1024 * 1024,
            demo_account: true,
            limits: ConnLimits::default(),
            idle: None,
            pop_before_smtp: None,
            routes: Vec::new(),
            smarthost: None,
            queue: QueueConfig::default(),
            danger_allow_plaintext_auth: false,
            login_cache: LoginCacheConfig::default(),
            store: None,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A file or directory problem.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path or address.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// The users file.
    #[error(transparent)]
    Accounts(#[from] AccountError),
    /// The certificate.
    #[error("certificate: {0}")]
    Tls(String),
    /// A protocol configuration was refused.
    #[error("configuration: {0}")]
    Config(String),
}

fn io_err(
    what: &'static str,
    path: impl std::fmt::Display,
) -> impl FnOnce(io::Error) -> StartError {
    let path = path.to_string();
    move |source| StartError::Io { what, path, source }
}

/// The addresses the server listens on.
#[derive(Debug, Clone, Copy)]
pub struct Addrs {
    /// SMTP (MX).
    pub smtp: SocketAddr,
    /// Submission (STARTTLS).
    pub submission: SocketAddr,
    /// Submission (implicit TLS).
    pub submissions: SocketAddr,
    /// POP3 (STLS).
    pub pop3: SocketAddr,
    /// POP3 (implicit TLS).
    pub pop3s: SocketAddr,
    /// IMAP (STARTTLS).
    pub imap: SocketAddr,
    /// IMAP (implicit TLS).
    pub imaps: SocketAddr,
}

/// A started server.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addrs: Addrs,
    /// The demo account and its password, when there is one.
    pub demo: Option<(String, String)>,
    /// The certificate in use (PEM file).
    pub cert_path: PathBuf,
    /// The configuration it runs with.
    pub config: Config,
    /// The mail store (and its change bus) the servers share.
    pub store: Arc<dyn Store>,
    /// The outgoing (relay) queue.
    pub queue: Arc<Queue>,
    trigger: ShutdownTrigger,
    tasks: JoinSet<()>,
}

impl Running {
    /// Stops accepting, lets sessions finish for `grace` (a message in
    /// DATA completes and is delivered), then says farewell to the rest and
    /// waits for every task.
    pub async fn shutdown(mut self, grace: Duration) {
        self.trigger.shutdown(grace).await;
        while self.tasks.join_next().await.is_some() {}
    }

    /// The start-up banner: ports, account, test commands.
    pub fn banner(&self) -> String {
        let a = &self.addrs;
        let c = &self.config;
        let domain = c.domains.first().map_or("localhost", String::as_str);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "yubin mailserver {} — {}",
            env!("CARGO_PKG_VERSION"),
            c.hostname
        );
        let _ = writeln!(s, "  data directory   {}", c.data_dir.display());
        let _ = writeln!(s, "  local domains    {}", c.domains.join(", "));
        let _ = writeln!(
            s,
            "  SMTP (MX)        {}   plain + STARTTLS, local delivery",
            a.smtp
        );
        let _ = writeln!(
            s,
            "  submission       {}   STARTTLS, AUTH required",
            a.submission
        );
        let _ = writeln!(
            s,
            "  submissions      {}   implicit TLS, AUTH required",
            a.submissions
        );
        let _ = writeln!(s, "  POP3             {}   STLS", a.pop3);
        let _ = writeln!(s, "  POP3S            {}   implicit TLS", a.pop3s);
        let _ = writeln!(s, "  IMAP             {}   STARTTLS", a.imap);
        let _ = writeln!(s, "  IMAPS            {}   implicit TLS", a.imaps);
        let routes = self.queue.routes();
        if routes.is_empty() {
            let _ = writeln!(s, "  relay            off (no --route or --smarthost)");
        } else {
            let mut list: Vec<String> = routes
                .domains
                .iter()
                .map(|(d, h)| format!("{d} → {h}"))
                .collect();
            list.sort();
            if let Some(h) = &routes.smarthost {
                list.push(format!("* → {h}"));
            }
            let _ = writeln!(
                s,
                "  relay            {} (AUTH{}); queue {}",
                list.join(", "),
                if c.pop_before_smtp.is_some() {
                    " or POP-before-SMTP"
                } else {
                    ""
                },
                self.queue.dir().display()
            );
        }
        if let Some(w) = c.pop_before_smtp {
            let _ = writeln!(
                s,
                "  POP-before-SMTP  on: a POP3/IMAP login grants relay for {} s",
                w.as_secs()
            );
        }
        let _ = writeln!(s, "  certificate      {}", self.cert_path.display());
        let (user, pass) = match &self.demo {
            Some((u, p)) => {
                let _ = writeln!(s, "  demo account     {u}@{domain}  password {p}");
                (u.clone(), p.clone())
            }
            None => ("USER".to_owned(), "PASSWORD".to_owned()),
        };
        let _ = writeln!(s, "Try it:");
        let _ = writeln!(
            s,
            "  printf 'Subject: hello\\r\\n\\r\\nHi!\\r\\n' > /tmp/msg.txt"
        );
        let _ = writeln!(
            s,
            "  curl -sk smtp://{}:{} --ssl-reqd --mail-from {user}@{domain} --mail-rcpt {user}@{domain} --user '{user}:{pass}' -T /tmp/msg.txt",
            a.submission.ip(),
            a.submission.port()
        );
        let _ = writeln!(
            s,
            "  curl -sk pop3s://{}:{}/1 --user '{user}:{pass}'",
            a.pop3s.ip(),
            a.pop3s.port()
        );
        let _ = writeln!(
            s,
            "  curl -sk 'imaps://{}:{}/INBOX;UID=1' --user '{user}:{pass}'",
            a.imaps.ip(),
            a.imaps.port()
        );
        let _ = writeln!(
            s,
            "  openssl s_client -quiet -connect {}:{}",
            a.imaps.ip(),
            a.imaps.port()
        );
        let _ = writeln!(
            s,
            "  openssl s_client -quiet -connect {}:{} -starttls smtp",
            a.submission.ip(),
            a.submission.port()
        );
        let _ = write!(
            s,
            "  swaks --server {}:{} --tls --auth-user {user} --auth-password '{pass}' --to {user}@{domain}",
            a.submission.ip(),
            a.submission.port()
        );
        s
    }
}

/// A random password of 16 letters and digits.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    entropy::<16>()
        .iter()
        .map(|b| {
            ALPHABET
                .get(usize::from(*b) % ALPHABET.len())
                .map_or('x', |c| char::from(*c))
        })
        .collect()
}

fn ensure_certificate(cfg: &Config) -> Result<(PathBuf, PathBuf), StartError> {
    if let Some((cert, key)) = &cfg.tls_files {
        return Ok((cert.clone(), key.clone()));
    }
    let dir = cfg.data_dir.join("tls");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let mut names = vec![cfg.hostname.clone(), "localhost".to_owned()];
    names.dedup();
    let ck =
        rcgen::generate_simple_self_signed(names).map_err(|e| StartError::Tls(e.to_string()))?;
    write_atomically(&key, ck.signing_key.serialize_pem().as_bytes(), 0o600)
        .map_err(io_err("writing", key.display()))?;
    write_atomically(&cert, ck.cert.pem().as_bytes(), 0o644)
        .map_err(io_err("writing", cert.display()))?;
    tracing::info!(path = %cert.display(), "generated a self-signed certificate");
    Ok((cert, key))
}

async fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, StartError> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr)
        .await
        .map_err(io_err("listening on", addr))
}

fn local(l: &TcpListener) -> Result<SocketAddr, StartError> {
    l.local_addr().map_err(io_err("listener address", "?"))
}

fn smtp_config(
    cfg: &Config,
    require_auth: bool,
    require_tls: bool,
) -> Result<Arc<yubin_smtp::server::Config>, StartError> {
    let mut s = yubin_smtp::server::Settings::new(&cfg.hostname);
    s.extensions.starttls = true;
    s.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    s.limits.max_message_octets = cfg.max_message_octets;
    if let Some(idle) = cfg.idle {
        s.limits.idle = idle;
    }
    s.require_auth = require_auth;
    s.require_tls = require_tls && !cfg.danger_allow_plaintext_auth;
    s.danger_plaintext_auth_without_tls = cfg.danger_allow_plaintext_auth;
    s.build()
        .map(Arc::new)
        .map_err(|e| StartError::Config(e.to_string()))
}

fn pop3_config(cfg: &Config, tls: yubin_pop3::server::Tls) -> Arc<yubin_pop3::server::Config> {
    let mut p = yubin_pop3::server::Config::default();
    p.hostname = cfg.hostname.clone();
    p.tls = tls;
    p.enable_apop = false;
    p.danger_allow_plaintext_auth = cfg.danger_allow_plaintext_auth;
    p.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    if let Some(idle) = cfg.idle {
        p.limits.idle = idle;
    }
    Arc::new(p)
}

fn imap_config(cfg: &Config, tls: yubin_imap::server::Tls) -> Arc<yubin_imap::server::Config> {
    let mut c = yubin_imap::server::Config::default();
    c.hostname = cfg.hostname.clone();
    c.greeting = format!("{} yubin IMAP ready", cfg.hostname);
    c.tls = tls;
    c.danger_allow_plaintext_auth = cfg.danger_allow_plaintext_auth;
    c.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    c.limits.max_append_octets = cfg.max_message_octets;
    if let Some(idle) = cfg.idle
        && idle > c.limits.idle_authenticated
    {
        c.limits.idle_authenticated = idle;
    }
    Arc::new(c)
}

/// Sets up the data directory and starts every listener.
pub async fn start(cfg: Config) -> Result<Running, StartError> {
    start_with(cfg, imap::LoginHook::none()).await
}

/// [`start`], with a function called after each successful IMAP login
/// (the peer's address and the account).
pub async fn start_with(cfg: Config, on_login: imap::LoginHook) -> Result<Running, StartError> {
    let data = &cfg.data_dir;
    let spool_dir = data.join("spool");
    for d in [data.clone(), data.join("mail"), spool_dir.clone()] {
        fs::create_dir_all(&d).map_err(io_err("creating", d.display()))?;
    }
    // Spool files were never acknowledged (no 250 went out): a crash or a
    // kill left them; the clients will send those messages again.
    if let Ok(entries) = fs::read_dir(&spool_dir) {
        for e in entries.flatten() {
            let _ = fs::remove_file(e.path());
        }
    }
    let accounts = Arc::new(Accounts::load_with_cache(
        &data.join("users"),
        &cfg.domains,
        cfg.login_cache,
    )?);
    let demo_file = data.join("demo-password");
    if cfg.demo_account && accounts.names().is_empty() {
        let password = random_password();
        accounts.set_password("demo", &password, entropy())?;
        write_atomically(&demo_file, format!("{password}\n").as_bytes(), 0o600)
            .map_err(io_err("writing", demo_file.display()))?;
    }
    let demo = fs::read_to_string(&demo_file)
        .ok()
        .map(|p| ("demo".to_owned(), p.trim().to_owned()))
        .filter(|(u, _)| accounts.resolve(u).is_some());
    let store: Arc<dyn Store> = match &cfg.store {
        Some(s) => s.clone(),
        None => Arc::new(Maildir::new(&data.join("mail"), &cfg.hostname)),
    };
    for name in accounts.names() {
        store
            .create_account(&name)
            .map_err(io_err("creating the mailbox of", &name))?;
    }

    let (cert, key) = ensure_certificate(&cfg)?;
    let certs = CertStore::new(CertSource::Files {
        cert: cert.clone(),
        key,
    })
    .map_err(|e| StartError::Tls(e.to_string()))?;
    let acceptor = certs
        .acceptor()
        .map_err(|e| StartError::Tls(e.to_string()))?;

    let routes = Routes {
        domains: cfg
            .routes
            .iter()
            .map(|(d, h)| (d.to_ascii_lowercase(), h.clone()))
            .collect(),
        smarthost: cfg.smarthost.clone(),
    };
    let queue_dir = data.join("queue");
    let queue = Arc::new(
        Queue::open(
            &queue_dir,
            &spool_dir,
            routes,
            cfg.queue.clone(),
            &cfg.hostname,
            store.clone(),
            accounts.clone(),
        )
        .map_err(io_err("opening the queue", queue_dir.display()))?,
    );
    let ledger = cfg
        .pop_before_smtp
        .map(|window| Arc::new(Mutex::new(Ledger::new(LedgerConfig::with_window(window)))));
    let on_login = match &ledger {
        None => on_login,
        Some(ledger) => {
            let ledger = ledger.clone();
            imap::LoginHook(Arc::new(move |ip, user| {
                (on_login.0)(ip, user);
                record_login(&ledger, ip, user);
            }))
        }
    };

    let (trigger, shutdown) = ShutdownTrigger::new();
    let mut tasks = JoinSet::new();
    tasks.spawn(queue.clone().run(shutdown.clone()));
    let smtp_shared = Arc::new(smtp::Shared {
        accounts: accounts.clone(),
        store: store.clone(),
        spool_dir,
        hostname: cfg.hostname.clone(),
        counter: AtomicU64::new(0),
        ledger: ledger.clone(),
        queue: Some(queue.clone()),
    });
    let pop3_shared = Arc::new(pop3::Shared {
        accounts: accounts.clone(),
        store: store.clone(),
        locked: Default::default(),
        ledger,
    });

    let ip = cfg.bind;
    let smtp_l = bind(ip, cfg.ports.smtp).await?;
    let sub_l = bind(ip, cfg.ports.submission).await?;
    let subs_l = bind(ip, cfg.ports.submissions).await?;
    let pop3_l = bind(ip, cfg.ports.pop3).await?;
    let pop3s_l = bind(ip, cfg.ports.pop3s).await?;
    let imap_l = bind(ip, cfg.ports.imap).await?;
    let imaps_l = bind(ip, cfg.ports.imaps).await?;
    let addrs = Addrs {
        smtp: local(&smtp_l)?,
        submission: local(&sub_l)?,
        submissions: local(&subs_l)?,
        pop3: local(&pop3_l)?,
        pop3s: local(&pop3s_l)?,
        imap: local(&imap_l)?,
        imaps: local(&imaps_l)?,
    };

    // With POP-before-SMTP the handler checks AUTH-or-grant at MAIL itself.
    let submission_auth = cfg.pop_before_smtp.is_none();
    let smtp_servers = [
        (
            "smtp",
            smtp_l,
            TlsMode::StartTls(acceptor.clone()),
            smtp_config(&cfg, false, false)?,
        ),
        (
            "submission",
            sub_l,
            TlsMode::StartTls(acceptor.clone()),
            smtp_config(&cfg, submission_auth, true)?,
        ),
        (
            "submissions",
            subs_l,
            TlsMode::Implicit(acceptor.clone()),
            smtp_config(&cfg, submission_auth, false)?,
        ),
    ];
    for (name, listener, tls, config) in smtp_servers {
        let shared = smtp_shared.clone();
        spawn_server(
            &mut tasks,
            &shutdown,
            Server {
                name,
                listeners: vec![listener],
                tls,
                limits: cfg.limits.clone(),
                drive: DriveConfig::default(),
                busy_reply: yubin_tokio::smtp::SMTP_BUSY,
                factory: move |info: &ConnInfo| {
                    let conn = yubin_smtp::server::Connection {
                        remote: Some(info.peer),
                        local: Some(info.local),
                        tls: info.tls,
                    };
                    let session = yubin_smtp::server::Session::new(
                        config.clone(),
                        yubin_tokio::now(),
                        conn,
                        entropy(),
                    );
                    (
                        session,
                        smtp::SmtpHandler::new(shared.clone(), name, info.peer),
                    )
                },
            },
        );
    }
    let pop3_servers = [
        (
            "pop3",
            pop3_l,
            TlsMode::StartTls(acceptor.clone()),
            pop3_config(&cfg, yubin_pop3::server::Tls::Stls),
        ),
        (
            "pop3s",
            pop3s_l,
            TlsMode::Implicit(acceptor.clone()),
            pop3_config(&cfg, yubin_pop3::server::Tls::Implicit),
        ),
    ];
    for (name, listener, tls, config) in pop3_servers {
        let shared = pop3_shared.clone();
        spawn_server(
            &mut tasks,
            &shutdown,
            Server {
                name,
                listeners: vec![listener],
                tls,
                limits: cfg.limits.clone(),
                drive: DriveConfig::default(),
                busy_reply: yubin_tokio::pop3::POP3_BUSY,
                factory: move |info: &ConnInfo| {
                    let session = yubin_pop3::server::Session::new(
                        config.clone(),
                        yubin_tokio::now(),
                        entropy(),
                        None,
                    );
                    (session, pop3::Pop3Handler::new(shared.clone(), info.peer))
                },
            },
        );
    }
    let imap_shared = Arc::new(imap::Shared {
        accounts: accounts.clone(),
        store: store.clone(),
        cache: Default::default(),
        on_login,
    });
    let imap_servers = [
        (
            "imap",
            imap_l,
            TlsMode::StartTls(acceptor.clone()),
            imap_config(&cfg, yubin_imap::server::Tls::StartTls),
        ),
        (
            "imaps",
            imaps_l,
            TlsMode::Implicit(acceptor),
            imap_config(&cfg, yubin_imap::server::Tls::Implicit),
        ),
    ];
    for (name, listener, tls, config) in imap_servers {
        let shared = imap_shared.clone();
        spawn_server(
            &mut tasks,
            &shutdown,
            Server {
                name,
                listeners: vec![listener],
                tls,
                limits: cfg.limits.clone(),
                drive: DriveConfig::default(),
                busy_reply: yubin_tokio::imap::IMAP_BUSY,
                factory: move |info: &ConnInfo| {
                    let session = yubin_imap::server::Session::new(
                        config.clone(),
                        yubin_tokio::now(),
                        entropy(),
                        yubin_imap::server::Greeting::Ok,
                    );
                    (session, imap::ImapHandler::new(shared.clone(), info.peer))
                },
            },
        );
    }
    Ok(Running {
        addrs,
        demo,
        cert_path: cert,
        config: cfg,
        store,
        queue,
        trigger,
        tasks,
    })
}

/// Records a successful POP3 or IMAP login of `user` from `ip` in the
/// POP-before-SMTP ledger (and drops expired grants).
pub fn record_login(ledger: &Mutex<Ledger>, ip: IpAddr, user: &str) {
    let now = yubin_tokio::now();
    let mut ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
    let recorded = ledger.record(ip, user, now);
    let _ = ledger.purge(now);
    drop(ledger);
    match recorded {
        Ok(r) => tracing::info!(%ip, user, outcome = ?r, "pop-before-smtp: relay granted"),
        Err(never) => match never {},
    }
}

fn spawn_server<F, S, H>(tasks: &mut JoinSet<()>, shutdown: &Shutdown, server: Server<F>)
where
    F: Fn(&ConnInfo) -> (S, H) + Send + Sync + 'static,
    S: yubin_tokio::Session + 'static,
    H: yubin_tokio::Handler<S> + 'static,
{
    tasks.spawn(server.run(shutdown.clone()));
}

/// Adds an account (or changes its password) in `data_dir`'s users file and
/// creates its mailboxes.
pub fn set_password(
    data_dir: &Path,
    domains: &[String],
    hostname: &str,
    name: &str,
    password: &str,
) -> Result<(), StartError> {
    fs::create_dir_all(data_dir).map_err(io_err("creating", data_dir.display()))?;
    let accounts = Accounts::load(&data_dir.join("users"), domains)?;
    accounts.set_password(name, password, entropy())?;
    let store = Maildir::new(&data_dir.join("mail"), hostname);
    let name = name.to_ascii_lowercase();
    store
        .create_account(&name)
        .map_err(io_err("creating the mailbox of", &name))
}
