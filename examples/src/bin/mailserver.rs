//! `mailserver`: SMTP + POP3 + IMAP over one Maildir store, on loopback by default.
//!
//! ```text
//! cargo run --release --bin mailserver                 # start, print the banner
//! cargo run --release --bin mailserver -- adduser bob  # add an account (password on stdin)
//! cargo run --release --bin mailserver -- passwd bob   # change its password
//! ```
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::io::{BufRead, IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use yubin_examples::relay::QueueConfig;
use yubin_examples::server::{self, Config, Ports};

/// A small mail server built from the yubin crates.
#[derive(Parser, Debug)]
#[command(name = "mailserver", version)]
struct Cli {
    /// Where mail, accounts, the spool and the certificate live.
    #[arg(long, default_value = "mail-data", global = true)]
    data_dir: PathBuf,
    /// The address to listen on (0.0.0.0 or :: for every interface).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// The server's host name.
    #[arg(long, default_value = "localhost", global = true)]
    hostname: String,
    /// A local mail domain (repeat for more; the first is the primary one).
    #[arg(long = "domain", default_value = "localhost", global = true)]
    domains: Vec<String>,
    /// SMTP (MX) port.
    #[arg(long, default_value_t = 2525)]
    smtp_port: u16,
    /// Submission port (STARTTLS, AUTH required).
    #[arg(long, default_value_t = 2587)]
    submission_port: u16,
    /// Submission port with implicit TLS.
    #[arg(long, default_value_t = 2465)]
    submissions_port: u16,
    /// POP3 port (STLS).
    #[arg(long, default_value_t = 1110)]
    pop3_port: u16,
    /// POP3 port with implicit TLS.
    #[arg(long, default_value_t = 1995)]
    pop3s_port: u16,
    /// IMAP port (STARTTLS).
    #[arg(long, default_value_t = 1143)]
    imap_port: u16,
    /// IMAP port with implicit TLS.
    #[arg(long, default_value_t = 1993)]
    imaps_port: u16,
    /// Certificate chain (PEM); with --key. Default: self-signed, made on first start.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// Private key (PEM) for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Largest message accepted, in octets.
    #[arg(long, default_value_t = 25 * 1024 * 1024)]
    max_message_size: u64,
    /// Do not create the demo account on first start.
    #[arg(long)]
    no_demo: bool,
    /// POP-before-SMTP: a POP3 or IMAP login lets its address relay
    /// without AUTH for this many minutes (off by default).
    #[arg(long, value_name = "MINUTES")]
    pop_before_smtp: Option<u64>,
    /// A static route for a remote domain, DOMAIN=HOST:PORT (repeat for more).
    #[arg(long = "route", value_name = "DOMAIN=HOST:PORT", value_parser = parse_route)]
    routes: Vec<(String, String)>,
    /// Relay mail for every other remote domain through HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    smarthost: Option<String>,
    /// First retry delay of the outgoing queue, in seconds (doubles each time).
    #[arg(long, default_value_t = 60)]
    retry_base_secs: u64,
    /// Longest retry delay of the outgoing queue, in seconds.
    #[arg(long, default_value_t = 3600)]
    retry_max_secs: u64,
    /// How long a message may stay queued before it bounces, in hours.
    #[arg(long, default_value_t = 120)]
    max_queue_hours: u64,
    /// Log level: error, warn, info, debug or trace.
    #[arg(long, default_value = "info", global = true)]
    log: tracing::Level,
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
        Some((domain, host)) if !domain.is_empty() && host.contains(':') => {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_max_level(cli.log)
        .with_target(false)
        .init();
    match &cli.command {
        Some(Command::Adduser { name, password } | Command::Passwd { name, password }) => {
            let result = read_password(password.clone()).and_then(|p| {
                server::set_password(&cli.data_dir, &cli.domains, &cli.hostname, name, &p)
                    .map_err(|e| e.to_string())
            });
            match result {
                Ok(()) => {
                    println!(
                        "account {name} saved in {}",
                        cli.data_dir.join("users").display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("mailserver: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => run(cli),
    }
}

fn run(cli: Cli) -> ExitCode {
    let config = Config {
        data_dir: cli.data_dir,
        bind: cli.bind,
        hostname: cli.hostname,
        domains: cli.domains,
        ports: Ports {
            smtp: cli.smtp_port,
            submission: cli.submission_port,
            submissions: cli.submissions_port,
            pop3: cli.pop3_port,
            pop3s: cli.pop3s_port,
            imap: cli.imap_port,
            imaps: cli.imaps_port,
        },
        tls_files: cli.cert.zip(cli.key),
        max_message_octets: cli.max_message_size,
        demo_account: !cli.no_demo,
        pop_before_smtp: cli
            .pop_before_smtp
            .map(|m| Duration::from_secs(m.saturating_mul(60))),
        routes: cli.routes,
        smarthost: cli.smarthost,
        queue: QueueConfig {
            retry_base: Duration::from_secs(cli.retry_base_secs.max(1)),
            retry_max: Duration::from_secs(cli.retry_max_secs.max(1)),
            max_age: Duration::from_secs(cli.max_queue_hours.saturating_mul(3600)),
            ..QueueConfig::default()
        },
        ..Config::default()
    };
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
