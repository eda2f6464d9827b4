//! yubin-load: drives N concurrent SMTP, POP3 or IMAP sessions against any
//! server, with yubin-tokio's client connectors, and reports throughput,
//! p50/p99 latency, errors and (for local server processes) memory.
//!
//! ```text
//! yubin-load smtp --server 127.0.0.1:2525 --from load@example.org --to demo@localhost \
//!     --connections 16 --messages 5000 --per-connection 1
//! yubin-load pop3 --server 127.0.0.1:1110 --user demo --password secret --sessions 2000
//! yubin-load imap --server 127.0.0.1:1143 --user demo --password secret --commands 20000
//! yubin-load --proc mailserver idle --server 127.0.0.1:1143 --user demo --password secret \
//!     --connections 1000 --hold 5
//! ```
//!
//! Every run is bounded: by its count (messages, sessions, commands,
//! connections) and by `--time-limit` (default 60 s), after which no new
//! operation starts. Targets must be loopback addresses unless
//! `--allow-remote` is given: this is a load tool, not a way to flood
//! somebody else's server.
//!
//! Besides the human summary it prints one machine-readable line:
//!
//! ```text
//! RESULT mode=pop3 ops=2000 errors=0 secs=1.234 rate=1620.7 p50_ms=4.1 p99_ms=9.8 \
//!     mem_before_kib=- mem_peak_kib=- mem_per_conn_kib=-
//! ```
//!
//! Memory (`--pid`, `--proc`) is the sum of the proportional set size (Pss,
//! `/proc/PID/smaps_rollup`) of the matched processes, sampled every 100 ms:
//! shared pages count once across a multi-process server such as Dovecot.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use yubin_imap::parse::{ParseOptions, Parser as ImapParser};
use yubin_imap::types::{CommandBody, Data, Mailbox as ImapMailbox, StatusKind};
use yubin_smtp::client::{Envelope, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};
use yubin_tokio::ClientTls;
use yubin_tokio::client::{Endpoint, ImapClient, Pop3Client, Security, SmtpClient};

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Tls {
    None,
    Starttls,
    Implicit,
}

/// Load generator for SMTP, POP3 and IMAP servers.
#[derive(Parser, Debug)]
#[command(name = "yubin-load")]
struct Cli {
    /// Allow a target that is not a loopback address.
    #[arg(long)]
    allow_remote: bool,
    /// Start no new operation after this many seconds.
    #[arg(long, default_value_t = 60)]
    time_limit: u64,
    /// A server process whose memory to sample (repeatable).
    #[arg(long)]
    pid: Vec<u32>,
    /// Sample every process whose /proc/PID/comm is NAME (repeatable).
    #[arg(long = "proc", value_name = "NAME")]
    procs: Vec<String>,
    /// Accounts to spread the load over: with N > 1, worker k logs in as
    /// USER1 … USERN (k mod N + 1), so POP3's exclusive maildrop lock
    /// (RFC 1939 §8) does not make concurrent sessions refuse each other.
    #[arg(long, default_value_t = 1)]
    users: usize,
    /// How to secure connections (certificates are not checked: testing).
    #[arg(long, value_enum, default_value = "none")]
    tls: Tls,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand, Debug, Clone)]
enum Mode {
    /// Send messages (new connection per message with --per-connection 1).
    Smtp {
        /// host:port
        #[arg(long)]
        server: String,
        /// Envelope sender.
        #[arg(long)]
        from: String,
        /// Envelope recipient.
        #[arg(long)]
        to: String,
        /// Concurrent connections.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Messages in all.
        #[arg(long, default_value_t = 1000)]
        messages: u64,
        /// Messages sent over one connection before it quits.
        #[arg(long, default_value_t = 1)]
        per_connection: u64,
        /// Message size in octets.
        #[arg(long, default_value_t = 2048)]
        size: usize,
    },
    /// POP3 sessions: connect, USER/PASS, STAT, RETR one message, QUIT.
    Pop3 {
        /// host:port
        #[arg(long)]
        server: String,
        /// Login name.
        #[arg(long)]
        user: String,
        /// Password.
        #[arg(long)]
        password: String,
        /// Concurrent sessions.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Sessions in all.
        #[arg(long, default_value_t = 1000)]
        sessions: u64,
    },
    /// IMAP: LOGIN, SELECT INBOX, then a mix of FETCH, STORE, SEARCH and
    /// NOOP on each connection; counts every tagged command.
    Imap {
        /// host:port
        #[arg(long)]
        server: String,
        /// Login name.
        #[arg(long)]
        user: String,
        /// Password.
        #[arg(long)]
        password: String,
        /// Concurrent connections.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Commands in all (LOGIN, SELECT and LOGOUT included).
        #[arg(long, default_value_t = 10_000)]
        commands: u64,
    },
    /// N connections that LOGIN, SELECT INBOX and IDLE, held together.
    Idle {
        /// host:port
        #[arg(long)]
        server: String,
        /// Login name.
        #[arg(long)]
        user: String,
        /// Password.
        #[arg(long)]
        password: String,
        /// Connections to hold.
        #[arg(long, default_value_t = 100)]
        connections: usize,
        /// Seconds to hold them once all are idling.
        #[arg(long, default_value_t = 5)]
        hold: u64,
        /// Connections being set up at the same time.
        #[arg(long, default_value_t = 64)]
        ramp: usize,
    },
}

/// What every worker shares: the operations left, the stop time, counts.
struct Shared {
    left: AtomicU64,
    until: Instant,
    ops: AtomicU64,
    errors: AtomicU64,
    first_error: std::sync::Mutex<Option<String>>,
}

impl Shared {
    fn new(count: u64, limit: Duration) -> Self {
        Self {
            left: AtomicU64::new(count),
            until: Instant::now() + limit,
            ops: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            first_error: std::sync::Mutex::new(None),
        }
    }

    /// Takes up to `n` operations; 0 when the count or the time is used up.
    fn claim(&self, n: u64) -> u64 {
        if Instant::now() >= self.until {
            return 0;
        }
        let mut cur = self.left.load(Ordering::Relaxed);
        loop {
            let take = cur.min(n);
            if take == 0 {
                return 0;
            }
            match self.left.compare_exchange_weak(
                cur,
                cur - take,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return take,
                Err(now) => cur = now,
            }
        }
    }

    fn error(&self, e: impl std::fmt::Display) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(e.to_string());
        }
    }
}

/// Latencies of one worker, in microseconds.
#[derive(Default)]
struct Lat(Vec<u64>);

impl Lat {
    fn since(&mut self, t: Instant) {
        self.0
            .push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
}

/// The account worker `k` logs in as (see `--users`).
fn account(cli: &Cli, base: &str, k: usize) -> String {
    if cli.users <= 1 {
        base.to_owned()
    } else {
        format!("{base}{}", k % cli.users + 1)
    }
}

fn endpoint(cli: &Cli, server: &str) -> Endpoint {
    let security = match cli.tls {
        Tls::None => Security::Plain,
        Tls::Starttls => Security::StartTls,
        Tls::Implicit => Security::Implicit,
    };
    let mut e = Endpoint::new(server, "localhost", security)
        .with_tls(ClientTls::DangerAcceptAnyCertificate);
    e.io_timeout = Duration::from_secs(60);
    e.connect_timeout = Duration::from_secs(30);
    e
}

// ---- SMTP ----

async fn smtp_worker(
    cli: Arc<Cli>,
    shared: Arc<Shared>,
    body: Arc<Vec<u8>>,
) -> Result<Lat, String> {
    let Mode::Smtp {
        server,
        from,
        to,
        per_connection,
        ..
    } = &cli.mode
    else {
        return Err("not smtp".into());
    };
    let from = Mailbox::new(from).map_err(|e| format!("--from: {e}"))?;
    let to = Mailbox::new(to).map_err(|e| format!("--to: {e}"))?;
    let host = Host::Domain(Domain::new("load.localhost").map_err(|e| e.to_string())?);
    let ep = endpoint(&cli, server);
    let mut lat = Lat::default();
    loop {
        let n = shared.claim((*per_connection).max(1));
        if n == 0 {
            return Ok(lat);
        }
        let mut t = Instant::now();
        let mut smtp = match SmtpClient::connect(&ep, Settings::new(host.clone())).await {
            Ok(c) => c,
            Err(e) => {
                shared.error(format!("smtp connect: {e}"));
                continue;
            }
        };
        let mut broken = false;
        for _ in 0..n {
            let envelope = Envelope {
                from: ReversePath::Mailbox(from.clone()),
                params: MailParams::default(),
                recipients: vec![(ForwardPath::Mailbox(to.clone()), RcptParams::default())],
            };
            match smtp.send(envelope, &body).await {
                Ok(o) if o.delivered() => {
                    lat.since(t);
                    shared.ops.fetch_add(1, Ordering::Relaxed);
                }
                Ok(o) => shared.error(format!("smtp refused: {o:?}")),
                Err(e) => {
                    shared.error(format!("smtp send: {e}"));
                    broken = true;
                    break;
                }
            }
            t = Instant::now();
        }
        if !broken && let Err(e) = smtp.quit().await {
            shared.error(format!("smtp quit: {e}"));
        }
    }
}

/// A message of about `size` octets: headers, then 72-octet lines.
fn message(size: usize) -> Vec<u8> {
    let mut m = b"From: load@example.org\r\nTo: demo@example.org\r\nSubject: yubin-load\r\n\
Message-ID: <load@yubin>\r\n\r\n"
        .to_vec();
    let line = b"The quick brown fox jumps over the lazy dog; pack my box with jugs.\r\n";
    while m.len() < size {
        m.extend_from_slice(line);
    }
    m
}

// ---- POP3 ----

async fn pop3_worker(cli: Arc<Cli>, shared: Arc<Shared>, k: usize) -> Result<Lat, String> {
    let Mode::Pop3 {
        server,
        user,
        password,
        ..
    } = &cli.mode
    else {
        return Err("not pop3".into());
    };
    let ep = endpoint(&cli, server);
    let user = &account(&cli, user, k);
    let mut lat = Lat::default();
    let mut i: u64 = 0;
    while shared.claim(1) == 1 {
        let t = Instant::now();
        let session = async {
            let mut pop = Pop3Client::connect(&ep, Default::default()).await?;
            pop.login(user, password).await?;
            let (count, _) = pop.stat().await?;
            if count > 0 {
                let msg = u32::try_from(i % u64::from(count)).unwrap_or(0) + 1;
                let mut octets = 0usize;
                pop.retr(msg, |c| octets += c.len()).await?;
            }
            pop.quit().await
        };
        match session.await {
            Ok(()) => {
                lat.since(t);
                shared.ops.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => shared.error(format!("pop3: {e}")),
        }
        i += 1;
    }
    Ok(lat)
}

// ---- IMAP ----

/// The command mix after LOGIN and SELECT, in turn.
const IMAP_MIX: &[&str] = &[
    "FETCH 1:10 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",
    "STORE 1 +FLAGS (\\Flagged)",
    "UID SEARCH UNSEEN",
    "FETCH * (BODY.PEEK[])",
    "STORE 1 -FLAGS (\\Flagged)",
    "NOOP",
];

fn imap_mix() -> Result<Vec<CommandBody>, String> {
    let parser = ImapParser::new(ParseOptions::default());
    IMAP_MIX
        .iter()
        .map(|c| {
            let line = bytes::Bytes::from(format!("x {c}\r\n"));
            parser
                .command(&line)
                .map(|cmd| cmd.body)
                .map_err(|e| format!("{c}: {e:?}"))
        })
        .collect()
}

async fn imap_worker(
    cli: Arc<Cli>,
    shared: Arc<Shared>,
    mix: Arc<Vec<CommandBody>>,
    k: usize,
) -> Result<Lat, String> {
    let Mode::Imap {
        server,
        user,
        password,
        ..
    } = &cli.mode
    else {
        return Err("not imap".into());
    };
    let ep = endpoint(&cli, server);
    let user = &account(&cli, user, k);
    let mut lat = Lat::default();
    let mut turn = 0usize;
    'connections: while shared.claim(2) == 2 {
        let t = Instant::now();
        let mut imap = match ImapClient::connect(&ep, Default::default()).await {
            Ok(c) => c,
            Err(e) => {
                shared.error(format!("imap connect: {e}"));
                continue;
            }
        };
        if let Err(e) = imap.login(user, password).await {
            shared.error(format!("imap login: {e}"));
            continue;
        }
        lat.since(t);
        let t = Instant::now();
        match imap.select(ImapMailbox::inbox()).await {
            Ok(r)
                if r.data
                    .iter()
                    .chain(&r.updates)
                    .any(|d| matches!(d, Data::Exists(n) if *n > 0)) => {}
            Ok(_) => {
                shared.error("imap: INBOX is empty (the mix needs messages)");
                continue;
            }
            Err(e) => {
                shared.error(format!("imap select: {e}"));
                continue;
            }
        }
        lat.since(t);
        shared.ops.fetch_add(2, Ordering::Relaxed);
        // A few hundred commands per connection, then a new one: the mix
        // includes connection set-up, as a mail client's day does.
        for _ in 0..200 {
            if shared.claim(1) == 0 {
                break;
            }
            let Some(body) = mix.get(turn % mix.len().max(1)) else {
                break;
            };
            turn += 1;
            let t = Instant::now();
            match imap.run(body.clone()).await {
                Ok(r) if r.kind == StatusKind::Ok => {
                    lat.since(t);
                    shared.ops.fetch_add(1, Ordering::Relaxed);
                }
                Ok(r) => shared.error(format!("imap {:?}: {:?}", r.kind, r.text)),
                Err(e) => {
                    shared.error(format!("imap: {e}"));
                    continue 'connections;
                }
            }
        }
        if let Err(e) = imap.logout().await {
            shared.error(format!("imap logout: {e}"));
        }
    }
    Ok(lat)
}

async fn idle_one(ep: &Endpoint, user: &str, password: &str) -> Result<ImapClient, String> {
    let mut imap = ImapClient::connect(ep, Default::default())
        .await
        .map_err(|e| format!("connect: {e}"))?;
    imap.login(user, password)
        .await
        .map_err(|e| format!("login: {e}"))?;
    imap.select(ImapMailbox::inbox())
        .await
        .map_err(|e| format!("select: {e}"))?;
    imap.idle().await.map_err(|e| format!("idle: {e}"))?;
    Ok(imap)
}

// ---- memory ----

/// Pss (or, without smaps_rollup, VmRSS) of one process, in KiB.
fn process_kib(pid: u32) -> Option<u64> {
    let field = |path: String, key: &str| -> Option<u64> {
        let text = std::fs::read_to_string(path).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    field(format!("/proc/{pid}/smaps_rollup"), "Pss:")
        .or_else(|| field(format!("/proc/{pid}/status"), "VmRSS:"))
}

/// The summed memory of the measured processes; `None` when none is asked
/// for or none is found.
fn server_kib(pids: &[u32], names: &[String]) -> Option<u64> {
    if pids.is_empty() && names.is_empty() {
        return None;
    }
    let mut all: Vec<u32> = pids.to_vec();
    if !names.is_empty()
        && let Ok(dir) = std::fs::read_dir("/proc")
    {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Ok(comm) = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                && names.iter().any(|n| n == comm.trim())
                && !all.contains(&pid)
            {
                all.push(pid);
            }
        }
    }
    let kib: Vec<u64> = all.into_iter().filter_map(process_kib).collect();
    (!kib.is_empty()).then(|| kib.iter().sum())
}

/// Samples memory every 100 ms until stopped; returns the peak.
fn sampler(
    pids: Vec<u32>,
    names: Vec<String>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Option<u64>> {
    std::thread::spawn(move || {
        let mut peak: Option<u64> = None;
        while !stop.load(Ordering::Relaxed) {
            if let Some(k) = server_kib(&pids, &names) {
                peak = Some(peak.map_or(k, |p| p.max(k)));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        peak
    })
}

// ---- main ----

async fn check_target(cli: &Cli, server: &str) -> Result<(), String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(server)
        .await
        .map_err(|e| format!("{server}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{server}: no address"));
    }
    if !cli.allow_remote && addrs.iter().any(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "{server} is not a loopback address; pass --allow-remote to load another host"
        ));
    }
    Ok(())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    let i = rank.saturating_sub(1).min(sorted.len() - 1);
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

fn fmt_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Arc::new(Cli::parse());
    match run(cli).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(e) => {
            eprintln!("yubin-load: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Runs the load; `Ok(false)` when some operations failed.
async fn run(cli: Arc<Cli>) -> Result<bool, String> {
    let (server, mode_name) = match &cli.mode {
        Mode::Smtp { server, .. } => (server, "smtp"),
        Mode::Pop3 { server, .. } => (server, "pop3"),
        Mode::Imap { server, .. } => (server, "imap"),
        Mode::Idle { server, .. } => (server, "idle"),
    };
    check_target(&cli, server).await?;
    let limit = Duration::from_secs(cli.time_limit);
    if let Mode::Idle {
        server,
        user,
        password,
        ..
    } = &cli.mode
    {
        // One login per account before the baseline, so what the server
        // builds once (password hashing memory, caches, mailbox indexes)
        // is not counted per connection.
        let ep = endpoint(&cli, server);
        for k in 0..cli.users.max(1) {
            let c = idle_one(&ep, &account(&cli, user, k), password).await?;
            drop(c);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mem_before = server_kib(&cli.pid, &cli.procs);
    let stop = Arc::new(AtomicBool::new(false));
    let peak = sampler(cli.pid.clone(), cli.procs.clone(), stop.clone());
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut per_conn_kib = None;
    // Idle: the rate is of connections set up, not of the hold.
    let mut setup_secs = None;
    let shared;
    match &cli.mode {
        Mode::Smtp {
            connections,
            messages,
            size,
            ..
        } => {
            shared = Arc::new(Shared::new(*messages, limit));
            let body = Arc::new(message(*size));
            for _ in 0..(*connections).max(1) {
                tasks.spawn(smtp_worker(cli.clone(), shared.clone(), body.clone()));
            }
        }
        Mode::Pop3 {
            connections,
            sessions,
            ..
        } => {
            shared = Arc::new(Shared::new(*sessions, limit));
            for k in 0..(*connections).max(1) {
                tasks.spawn(pop3_worker(cli.clone(), shared.clone(), k));
            }
        }
        Mode::Imap {
            connections,
            commands,
            ..
        } => {
            shared = Arc::new(Shared::new(*commands, limit));
            let mix = Arc::new(imap_mix()?);
            for k in 0..(*connections).max(1) {
                tasks.spawn(imap_worker(cli.clone(), shared.clone(), mix.clone(), k));
            }
        }
        Mode::Idle {
            server,
            user,
            password,
            connections,
            hold,
            ramp,
        } => {
            shared = Arc::new(Shared::new(*connections as u64, limit));
            let ep = Arc::new(endpoint(&cli, server));
            let gate = Arc::new(tokio::sync::Semaphore::new((*ramp).max(1)));
            let mut setups = tokio::task::JoinSet::new();
            let mut k = 0;
            while shared.claim(1) == 1 {
                let (ep, gate, user, password) = (
                    ep.clone(),
                    gate.clone(),
                    account(&cli, user, k),
                    password.clone(),
                );
                k += 1;
                setups.spawn(async move {
                    let _permit = gate.acquire_owned().await;
                    let t = Instant::now();
                    idle_one(&ep, &user, &password)
                        .await
                        .map(|c| (c, t.elapsed()))
                });
            }
            let mut held = Vec::new();
            let mut lat = Lat::default();
            while let Some(done) = setups.join_next().await {
                match done {
                    Ok(Ok((client, took))) => {
                        lat.0
                            .push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
                        held.push(client);
                        shared.ops.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Err(e)) => shared.error(e),
                    Err(e) => shared.error(format!("task: {e}")),
                }
            }
            let setup_took = start.elapsed().as_secs_f64();
            // Let the server settle (freed set-up buffers), then measure.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let during = server_kib(&cli.pid, &cli.procs);
            if let (Some(b), Some(d)) = (mem_before, during)
                && !held.is_empty()
            {
                per_conn_kib = Some(d.saturating_sub(b) as f64 / held.len() as f64);
            }
            tokio::time::sleep(Duration::from_secs(*hold)).await;
            // Still there? Every held connection must still be idling.
            let mut alive = 0u64;
            for c in &mut held {
                match c.wait_unsolicited(Duration::from_millis(1)).await {
                    Ok(Some(yubin_imap::client::Event::Bye(_))) | Err(_) => {}
                    Ok(_) => alive += 1,
                }
            }
            if alive < held.len() as u64 {
                shared.error(format!(
                    "{} of {} idle connections closed while held",
                    held.len() as u64 - alive,
                    held.len()
                ));
            }
            drop(held);
            setup_secs = Some(setup_took);
            tasks.spawn(async move { Ok(lat) });
        }
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(lat)) => all.extend(lat.0),
            Ok(Err(e)) => return Err(e),
            Err(e) => shared.error(format!("task: {e}")),
        }
    }
    let secs = setup_secs
        .unwrap_or_else(|| start.elapsed().as_secs_f64())
        .max(1e-6);
    stop.store(true, Ordering::Relaxed);
    let mem_peak = peak.join().ok().flatten();
    all.sort_unstable();
    let ops = shared.ops.load(Ordering::Relaxed);
    let errors = shared.errors.load(Ordering::Relaxed);
    let rate = ops as f64 / secs;
    let (p50, p99) = (percentile(&all, 0.50), percentile(&all, 0.99));
    let unit = match mode_name {
        "smtp" => "messages",
        "pop3" => "sessions",
        "imap" => "commands",
        _ => "idle connections",
    };
    println!(
        "{mode_name}: {ops} {unit} in {secs:.3} s = {rate:.1}/s; latency p50 {p50:.2} ms, p99 {p99:.2} ms; {errors} errors"
    );
    if let Some(e) = shared
        .first_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
    {
        println!("first error: {e}");
    }
    if mem_before.is_some() || mem_peak.is_some() {
        println!(
            "server memory: {} KiB before, {} KiB peak{}",
            fmt_opt(mem_before),
            fmt_opt(mem_peak),
            per_conn_kib.map_or_else(String::new, |k| format!(", {k:.1} KiB per idle connection"))
        );
    }
    println!(
        "RESULT mode={mode_name} ops={ops} errors={errors} secs={secs:.3} rate={rate:.1} p50_ms={p50:.3} p99_ms={p99:.3} mem_before_kib={} mem_peak_kib={} mem_per_conn_kib={}",
        fmt_opt(mem_before),
        fmt_opt(mem_peak),
        fmt_opt(per_conn_kib.map(|k| format!("{k:.1}")))
    );
    Ok(errors == 0)
}
