//! smtp-sink: an SMTP server that accepts every message and throws it away,
//! printing the message rate once a second. A load target, and the shortest
//! complete example of embedding yubin-smtp with yubin-tokio.
//!
//! ```text
//! cargo run --release --bin smtp-sink -- 127.0.0.1:2526
//! cargo run --release --bin smtp-sink -- 127.0.0.1:2526 --threads 0
//! ```
//!
//! By default it runs on one thread, as Postfix's smtp-sink does: a sink
//! does next to no work per command, so a second worker thread costs more
//! in cross-thread wake-ups than it gains, and the load generator on the
//! same machine wants the other core. `--threads 0` uses one worker per
//! core.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Parser;
use yubin_smtp::server::{Connection, Event, Session, Settings};
use yubin_tokio::{ConnInfo, ConnLimits, DriveConfig, Handler, Server, ShutdownTrigger, TlsMode};

/// Messages and body octets taken so far, shared by every connection.
#[derive(Default)]
struct Counters {
    messages: AtomicU64,
    octets: AtomicU64,
}

/// The application side of one connection: yes to everything.
struct Sink(Arc<Counters>);

impl Handler<Session> for Sink {
    async fn on_event(&mut self, session: &mut Session, event: Event) {
        let ticket = match event {
            Event::Connect { ticket, .. }
            | Event::Helo { ticket, .. }
            | Event::MailFrom { ticket, .. }
            | Event::RcptTo { ticket, .. } => ticket,
            Event::BodyChunk(chunk) => {
                self.0
                    .octets
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                return;
            }
            Event::BodyEnd { ticket, .. } => {
                self.0.messages.fetch_add(1, Ordering::Relaxed);
                ticket
            }
            _ => return,
        };
        if let Err(e) = session.accept(ticket) {
            tracing::warn!("accept failed: {e}");
        }
    }
}

/// Accepts every SMTP message and discards it, printing the rate.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The address to listen on.
    #[arg(default_value = "127.0.0.1:2526")]
    addr: String,
    /// Runtime threads: 1 runs everything on the main thread; 0 starts one
    /// worker per core.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt().with_target(false).init();
    let runtime = if cli.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if cli.threads > 1 {
            builder.worker_threads(cli.threads);
        }
        builder.enable_all().build()?
    };
    runtime.block_on(run(cli.addr))
}

async fn run(addr: String) -> std::io::Result<()> {
    let mut settings = Settings::new("sink.localhost");
    settings.limits.max_message_octets = 64 << 20;
    let config = match settings.build() {
        Ok(c) => Arc::new(c),
        Err(e) => return Err(std::io::Error::other(e.to_string())),
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "smtp-sink listening on {}; every message is accepted and discarded",
        listener.local_addr()?
    );

    let counters = Arc::new(Counters::default());
    let (trigger, shutdown) = ShutdownTrigger::new();
    let shared = counters.clone();
    let server = Server {
        name: "smtp-sink",
        listeners: vec![listener],
        tls: TlsMode::Plain,
        limits: ConnLimits {
            max_connections: 10_000,
            max_per_ip: 10_000,
        },
        drive: DriveConfig::default(),
        busy_reply: yubin_tokio::smtp::SMTP_BUSY,
        factory: move |info: &ConnInfo| {
            let conn = Connection {
                remote: Some(info.peer),
                local: Some(info.local),
                tls: info.tls,
            };
            let session = Session::new(
                config.clone(),
                yubin_tokio::now(),
                conn,
                yubin_tokio::entropy(),
            );
            (session, Sink(shared.clone()))
        },
    };
    let task = tokio::spawn(server.run(shutdown));

    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let (mut last_messages, mut last_octets) = (0, 0);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let messages = counters.messages.load(Ordering::Relaxed);
                let octets = counters.octets.load(Ordering::Relaxed);
                if messages != last_messages {
                    println!(
                        "{} msg/s  {:.1} MiB/s  total {messages}",
                        messages - last_messages,
                        (octets - last_octets) as f64 / f64::from(1u32 << 20)
                    );
                }
                (last_messages, last_octets) = (messages, octets);
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    trigger.shutdown(Duration::from_secs(5)).await;
    let _ = task.await;
    Ok(())
}
