//! `mailserver`: SMTP + POP3 + IMAP over one Maildir store, on loopback by default.
//!
//! ```text
//! cargo run --release --bin mailserver                 # start, print the banner
//! cargo run --release --bin mailserver -- adduser bob  # add an account (password on stdin)
//! cargo run --release --bin mailserver -- passwd bob   # change its password
//! cargo run --release --bin mailserver -- --config mailserver.toml
//! ```
//!
//! `examples/mailserver.example.toml` documents every configuration key.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::io::{BufRead, IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use yubin_examples::config::{FileConfig, check_host_port, minutes};
use yubin_examples::server::{self, Config};

/// A small mail server built from the yubin crates.
///
/// Settings come from the built-in defaults, then `--config FILE` (TOML;
/// see examples/mailserver.example.toml), then these flags: a flag wins.
#[derive(Parser, Debug)]
#[command(name = "mailserver", version)]
struct Cli {
    /// A TOML configuration file (every key is optional; unknown keys are errors).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Where mail, accounts, the spool and the certificate live [default: mail-data].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// The address to listen on (0.0.0.0 or :: for every interface) [default: 127.0.0.1].
    #[arg(long)]
    bind: Option<IpAddr>,
    /// The server's host name [default: localhost].
    #[arg(long, global = true)]
    hostname: Option<String>,
    /// A local mail domain (repeat for more; the first is the primary one) [default: localhost].
    #[arg(long = "domain", global = true)]
    domains: Vec<String>,
    /// SMTP (MX) port [default: 2525].
    #[arg(long)]
    smtp_port: Option<u16>,
    /// Submission port (STARTTLS, AUTH required) [default: 2587].
    #[arg(long)]
    submission_port: Option<u16>,
    /// Submission port with implicit TLS [default: 2465].
    #[arg(long)]
    submissions_port: Option<u16>,
    /// POP3 port (STLS) [default: 1110].
    #[arg(long)]
    pop3_port: Option<u16>,
    /// POP3 port with implicit TLS [default: 1995].
    #[arg(long)]
    pop3s_port: Option<u16>,
    /// IMAP port (STARTTLS) [default: 1143].
    #[arg(long)]
    imap_port: Option<u16>,
    /// IMAP port with implicit TLS [default: 1993].
    #[arg(long)]
    imaps_port: Option<u16>,
    /// Certificate chain (PEM); with --key. Default: self-signed, made on first start.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Private key (PEM) for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Largest message accepted, in octets [default: 26214400].
    #[arg(long)]
    max_message_size: Option<u64>,
    /// Do not create the demo account on first start.
    #[arg(long)]
    no_demo: bool,
    /// POP-before-SMTP: a POP3 or IMAP login lets its address relay
    /// without AUTH for this many minutes (off by default).
    #[arg(long, value_name = "MINUTES")]
    pop_before_smtp: Option<u64>,
    /// A static route for a remote domain, DOMAIN=HOST:PORT (repeat for
    /// more; replaces the file's routes).
    #[arg(long = "route", value_name = "DOMAIN=HOST:PORT", value_parser = parse_route)]
    routes: Vec<(String, String)>,
    /// Relay mail for every other remote domain through HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    smarthost: Option<String>,
    /// First retry delay of the outgoing queue, in seconds (doubles each time) [default: 60].
    #[arg(long)]
    retry_base_secs: Option<u64>,
    /// Longest retry delay of the outgoing queue, in seconds [default: 3600].
    #[arg(long)]
    retry_max_secs: Option<u64>,
    /// How long a message may stay queued before it bounces, in hours [default: 120].
    #[arg(long)]
    max_queue_hours: Option<u64>,
    /// Accept passwords on the plain POP3, IMAP and submission ports
    /// before TLS (for loopback benchmarks and tests only).
    #[arg(long)]
    danger_allow_plaintext_auth: bool,
    /// Log level: error, warn, info, debug or trace [default: info].
    #[arg(long, global = true)]
    log: Option<tracing::Level>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Add an account; the password is read from stdin (or --password).
    Adduser {
        /// The account name (mail to `name@<domain>` is delivered to it).
        name: String,
        /// The password (prefer stdin: command lines are visible to others).
        #[arg(long)]
        password: Option<String>,
    },
    /// Change an account's password, read from stdin (or --password).
    Passwd {
        /// The account name.
        name: String,
        /// The password.
        #[arg(long)]
        password: Option<String>,
    },
}

fn parse_route(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((domain, host)) if !domain.is_empty() && check_host_port("route", host).is_ok() => {
            Ok((domain.to_ascii_lowercase(), host.to_owned()))
        }
        _ => Err(format!("{s:?}: expected DOMAIN=HOST:PORT")),
    }
}

fn read_password(given: Option<String>) -> Result<String, String> {
    if let Some(p) = given {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        return Err("empty password".into());
    }
    Ok(p)
}

/// The configuration: defaults, then the file, then the flags.
fn resolve(cli: &Cli) -> Result<(Config, tracing::Level), String> {
    let mut config = Config::default();
    let mut level = tracing::Level::INFO;
    if let Some(path) = &cli.config {
        let file = FileConfig::load(path).map_err(|e| format!("config file {e}"))?;
        file.apply(&mut config);
        if let Some(l) = file.log.as_deref().and_then(|l| l.parse().ok()) {
            level = l;
        }
    }
    if let Some(l) = cli.log {
        level = l;
    }
    let set = |to: &mut u16, from: Option<u16>| {
        if let Some(p) = from {
            *to = p;
        }
    };
    if let Some(d) = &cli.data_dir {
        config.data_dir.clone_from(d);
    }
    if let Some(b) = cli.bind {
        config.bind = b;
    }
    if let Some(h) = &cli.hostname {
        config.hostname.clone_from(h);
    }
    if !cli.domains.is_empty() {
        config.domains.clone_from(&cli.domains);
    }
    let p = &mut config.ports;
    set(&mut p.smtp, cli.smtp_port);
    set(&mut p.submission, cli.submission_port);
    set(&mut p.submissions, cli.submissions_port);
    set(&mut p.pop3, cli.pop3_port);
    set(&mut p.pop3s, cli.pop3s_port);
    set(&mut p.imap, cli.imap_port);
    set(&mut p.imaps, cli.imaps_port);
    if let (Some(c), Some(k)) = (&cli.cert, &cli.key) {
        config.tls_files = Some((c.clone(), k.clone()));
    }
    if let Some(m) = cli.max_message_size {
        config.max_message_octets = m;
    }
    if cli.no_demo {
        config.demo_account = false;
    }
    if cli.danger_allow_plaintext_auth {
        config.danger_allow_plaintext_auth = true;
    }
    if let Some(m) = cli.pop_before_smtp {
        config.pop_before_smtp = Some(minutes(m));
    }
    if !cli.routes.is_empty() {
        config.routes.clone_from(&cli.routes);
    }
    if let Some(h) = &cli.smarthost {
        check_host_port("--smarthost", h)?;
        config.smarthost = Some(h.clone());
    }
    if let Some(s) = cli.retry_base_secs {
        config.queue.retry_base = Duration::from_secs(s.max(1));
    }
    if let Some(s) = cli.retry_max_secs {
        config.queue.retry_max = Duration::from_secs(s.max(1));
    }
    if let Some(h) = cli.max_queue_hours {
        config.queue.max_age = Duration::from_secs(h.saturating_mul(3600));
    }
    Ok((config, level))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (config, level) = match resolve(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mailserver: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .init();
    match &cli.command {
        Some(Command::Adduser { name, password } | Command::Passwd { name, password }) => {
            let result = read_password(password.clone()).and_then(|p| {
                server::set_password(
                    &config.data_dir,
                    &config.domains,
                    &config.hostname,
                    name,
                    &p,
                )
                .map_err(|e| e.to_string())
            });
            match result {
                Ok(()) => {
                    println!(
                        "account {name} saved in {}",
                        config.data_dir.join("users").display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("mailserver: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => run(config),
    }
}

fn run(config: Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mailserver: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match server::start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("mailserver: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", running.banner());
        wait_for_signal().await;
        tracing::info!("stopping: finishing the sessions in flight (up to 10 s)");
        running.shutdown(Duration::from_secs(10)).await;
        tracing::info!("stopped");
        ExitCode::SUCCESS
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
