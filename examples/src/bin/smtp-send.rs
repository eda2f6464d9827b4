//! smtp-send: sends a message file through an SMTP server with
//! yubin-tokio's `SmtpClient` (STARTTLS, implicit TLS, AUTH), once or as a
//! load: `--connections N --messages M` sends N × M copies over N parallel
//! connections and prints the rate.
//!
//! ```text
//! cargo run --release --bin smtp-send -- --server 127.0.0.1:2587 --tls starttls \
//!     --user demo --password demo --from demo@localhost --to demo@localhost message.eml
//! ```
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use yubin_sasl::client::Credentials;
use yubin_sasl::{Mechanism, Nonce, Secret};
use yubin_smtp::client::{Auth, Envelope, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};
use yubin_tokio::ClientTls;
use yubin_tokio::client::{Endpoint, Security, SmtpClient};

#[derive(Clone, Copy, ValueEnum)]
enum Tls {
    None,
    Starttls,
    Implicit,
}

/// Send a message through an SMTP server.
#[derive(Parser)]
struct Cli {
    /// The server, host:port.
    #[arg(long, default_value = "127.0.0.1:2525")]
    server: String,
    /// How to secure the connection (certificates are not checked: testing).
    #[arg(long, value_enum, default_value = "none")]
    tls: Tls,
    /// User for AUTH PLAIN (with --password).
    #[arg(long)]
    user: Option<String>,
    /// Password for AUTH PLAIN.
    #[arg(long)]
    password: Option<String>,
    /// The envelope sender.
    #[arg(long)]
    from: String,
    /// An envelope recipient (repeat for more).
    #[arg(long, required = true)]
    to: Vec<String>,
    /// Parallel connections.
    #[arg(long, default_value_t = 1)]
    connections: usize,
    /// Messages per connection.
    #[arg(long, default_value_t = 1)]
    messages: usize,
    /// The message file (RFC 5322, CRLF or LF line ends).
    file: std::path::PathBuf,
}

fn mailbox(s: &str) -> Result<Mailbox, String> {
    Mailbox::new(s).map_err(|e| format!("{s}: {e}"))
}

/// One connection: connect, send `count` copies, quit.
async fn run(cli: &Cli, body: &[u8], count: usize) -> Result<usize, String> {
    let security = match cli.tls {
        Tls::None => Security::Plain,
        Tls::Starttls => Security::StartTls,
        Tls::Implicit => Security::Implicit,
    };
    let endpoint = Endpoint::new(cli.server.as_str(), "localhost", security)
        .with_tls(ClientTls::DangerAcceptAnyCertificate);
    let mut settings = Settings::new(Host::Domain(
        Domain::new("smtp-send.localhost").map_err(|e| e.to_string())?,
    ));
    if let (Some(user), Some(password)) = (&cli.user, &cli.password) {
        settings.auth = Some(Auth {
            mechanism: Mechanism::Plain,
            credentials: Credentials::password(user, Secret::new(password.clone())),
            nonce: Nonce::from_entropy(yubin_tokio::entropy()),
        });
    }
    let mut smtp = SmtpClient::connect(&endpoint, settings)
        .await
        .map_err(|e| e.to_string())?;
    let mut delivered = 0;
    for _ in 0..count {
        let envelope = Envelope {
            from: ReversePath::Mailbox(mailbox(&cli.from)?),
            params: MailParams::default(),
            recipients: cli
                .to
                .iter()
                .map(|to| Ok((ForwardPath::Mailbox(mailbox(to)?), RcptParams::default())))
                .collect::<Result<_, String>>()?,
        };
        let outcome = smtp.send(envelope, body).await.map_err(|e| e.to_string())?;
        if outcome.delivered() {
            delivered += 1;
        } else {
            eprintln!("refused: {outcome:?}");
        }
    }
    smtp.quit().await.map_err(|e| e.to_string())?;
    Ok(delivered)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = std::sync::Arc::new(Cli::parse());
    let text = match std::fs::read(&cli.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", cli.file.display());
            return std::process::ExitCode::FAILURE;
        }
    };
    // SMTP wants CRLF line ends: turn lone LFs into CRLF.
    let mut body = Vec::with_capacity(text.len() + text.len() / 32);
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' && (i == 0 || text.get(i - 1) != Some(&b'\r')) {
            body.push(b'\r');
        }
        body.push(b);
    }
    let body = std::sync::Arc::new(body);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..cli.connections.max(1) {
        let (cli, body) = (cli.clone(), body.clone());
        tasks.spawn(async move { run(&cli, &body, cli.messages).await });
    }
    let (mut delivered, mut failed) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(n)) => delivered += n,
            Ok(Err(e)) => {
                eprintln!("connection failed: {e}");
                failed += 1;
            }
            Err(e) => eprintln!("task failed: {e}"),
        }
    }
    let secs = start.elapsed().max(Duration::from_micros(1)).as_secs_f64();
    println!(
        "{delivered} messages of {} octets delivered in {secs:.2} s: {:.0} msg/s; {failed} connections failed",
        body.len(),
        delivered as f64 / secs
    );
    if failed == 0 && delivered == cli.connections.max(1) * cli.messages {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
