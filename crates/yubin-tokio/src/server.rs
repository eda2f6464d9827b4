//! Listeners: accept on many addresses, enforce a global and a per-IP
//! connection limit (refusing with the protocol's own busy reply), run each
//! connection's session in its own task under a `tracing` span, and stop
//! gracefully.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument;

use crate::driver::{DriveConfig, Handler, Session, drive};
use crate::shutdown::Shutdown;

/// Connection limits of one server.
#[derive(Clone, Debug)]
pub struct ConnLimits {
    /// Open connections across all addresses of this server. Default 1,000
    /// (each costs a read buffer, a session and its output buffer: roughly
    /// 16 KiB + the protocol's limits).
    pub max_connections: usize,
    /// Open connections from one IP address. Default 20 (Postfix's
    /// `smtpd_client_connection_count_limit` is 50 for a whole MTA; a single
    /// host needs far fewer).
    pub max_per_ip: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            max_connections: 1000,
            max_per_ip: 20,
        }
    }
}

/// How a listener speaks TLS.
#[derive(Clone)]
pub enum TlsMode {
    /// Plain text; no in-band upgrade.
    Plain,
    /// Plain text with STARTTLS / STLS through this acceptor.
    StartTls(TlsAcceptor),
    /// TLS from the first byte (ports 465, 993, 995; RFC 8314).
    Implicit(TlsAcceptor),
}

impl std::fmt::Debug for TlsMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsMode::Plain => "Plain",
            TlsMode::StartTls(_) => "StartTls",
            TlsMode::Implicit(_) => "Implicit",
        })
    }
}

/// What the factory learns about a new connection.
#[derive(Clone, Debug)]
pub struct ConnInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// The address the client connected to.
    pub local: SocketAddr,
    /// True when the connection is already under TLS (implicit TLS).
    pub tls: bool,
}

/// One server: listeners sharing a session factory, limits and a shutdown
/// signal.
pub struct Server<F> {
    /// A name for logs ("smtp", "imaps", …).
    pub name: &'static str,
    /// The sockets to accept on.
    pub listeners: Vec<TcpListener>,
    /// TLS on these listeners.
    pub tls: TlsMode,
    /// Connection limits.
    pub limits: ConnLimits,
    /// The drive-loop settings.
    pub drive: DriveConfig,
    /// The bytes sent to a connection refused for a limit, before closing
    /// (SMTP `421 4.7.0 …`, POP3 `-ERR [SYS/TEMP] …`, IMAP `* BYE …`).
    pub busy_reply: &'static [u8],
    /// Makes the session and its handler for each accepted connection.
    pub factory: F,
}

struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// Releases a connection's slot when dropped.
struct Slot {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.per_ip.remove(&self.ip);
            }
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

impl<F, S, H> Server<F>
where
    F: Fn(&ConnInfo) -> (S, H) + Send + Sync + 'static,
    S: Session + 'static,
    H: Handler<S> + 'static,
{
    /// Accepts until `shutdown` drains, then waits for the open sessions
    /// (which get their farewell when the shutdown reaches its closing phase).
    pub async fn run(self, shutdown: Shutdown) {
        let Server {
            name,
            listeners,
            tls,
            limits,
            drive: drive_config,
            busy_reply,
            factory,
        } = self;
        let factory = Arc::new(factory);
        let counts = Arc::new(Mutex::new(Counts {
            total: 0,
            per_ip: HashMap::new(),
        }));
        let drive_config = Arc::new(drive_config);
        let mut tasks = JoinSet::new();
        let mut accepts = JoinSet::new();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(TcpStream, SocketAddr, SocketAddr)>(64);
        for listener in listeners {
            let tx = tx.clone();
            let mut stop = shutdown.clone();
            accepts.spawn(async move {
                let local = match listener.local_addr() {
                    Ok(a) => a,
                    Err(_) => return,
                };
                loop {
                    tokio::select! {
                        r = listener.accept() => match r {
                            Ok((stream, peer)) => {
                                if tx.send((stream, peer, local)).await.is_err() {
                                    return;
                                }
                            }
                            Err(e) => {
                                // EMFILE and friends: back off instead of spinning.
                                tracing::warn!(error = %e, "accept failed");
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                        },
                        _ = stop.draining() => return,
                    }
                }
            });
        }
        drop(tx);
        let mut stop = shutdown.clone();
        loop {
            let (stream, peer, local) = tokio::select! {
                c = rx.recv() => match c {
                    Some(c) => c,
                    None => break,
                },
                _ = stop.draining() => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            };
            let ip = canonical(peer.ip());
            let admitted = {
                let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
                let per = c.per_ip.get(&ip).copied().unwrap_or(0);
                if c.total >= limits.max_connections || per >= limits.max_per_ip {
                    None
                } else {
                    c.total += 1;
                    *c.per_ip.entry(ip).or_insert(0) += 1;
                    Some(Slot {
                        counts: counts.clone(),
                        ip,
                    })
                }
            };
            let _ = stream.set_nodelay(true);
            let tls = tls.clone();
            let factory = factory.clone();
            let drive_config = drive_config.clone();
            let shutdown = shutdown.clone();
            let span = tracing::info_span!("conn", server = name, %peer);
            tasks.spawn(
                async move {
                    let Some(slot) = admitted else {
                        tracing::info!("refused: connection limit");
                        refuse(stream, &tls, busy_reply, &drive_config).await;
                        return;
                    };
                    let end =
                        serve_one(stream, peer, local, tls, &*factory, shutdown, &drive_config)
                            .await;
                    match end {
                        Ok(end) => tracing::debug!(?end, "connection ended"),
                        Err(e) => tracing::debug!(error = %e, "connection ended with an error"),
                    }
                    drop(slot);
                }
                .instrument(span),
            );
        }
        accepts.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

async fn refuse(stream: TcpStream, tls: &TlsMode, busy: &[u8], cfg: &DriveConfig) {
    let budget = cfg.handshake_timeout;
    let _ = tokio::time::timeout(budget, async {
        match tls {
            TlsMode::Implicit(acceptor) => {
                if let Ok(mut s) = acceptor.accept(stream).await {
                    let _ = s.write_all(busy).await;
                    let _ = s.shutdown().await;
                }
            }
            TlsMode::Plain | TlsMode::StartTls(_) => {
                let mut s = stream;
                let _ = s.write_all(busy).await;
                let _ = s.shutdown().await;
            }
        }
    })
    .await;
}

async fn serve_one<F, S, H>(
    stream: TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    tls: TlsMode,
    factory: &F,
    shutdown: Shutdown,
    cfg: &DriveConfig,
) -> std::io::Result<crate::driver::End>
where
    F: Fn(&ConnInfo) -> (S, H),
    S: Session,
    H: Handler<S>,
{
    match tls {
        TlsMode::Implicit(acceptor) => {
            let tls_stream =
                match tokio::time::timeout(cfg.handshake_timeout, acceptor.accept(stream)).await {
                    Ok(r) => r?,
                    Err(_) => {
                        tracing::info!("tls handshake timed out");
                        return Ok(crate::driver::End::PeerClosed);
                    }
                };
            let info = ConnInfo {
                peer,
                local,
                tls: true,
            };
            let (mut session, mut handler) = factory(&info);
            drive(&mut session, &mut handler, tls_stream, None, shutdown, cfg).await
        }
        TlsMode::StartTls(acceptor) => {
            let info = ConnInfo {
                peer,
                local,
                tls: false,
            };
            let (mut session, mut handler) = factory(&info);
            drive(
                &mut session,
                &mut handler,
                stream,
                Some(acceptor),
                shutdown,
                cfg,
            )
            .await
        }
        TlsMode::Plain => {
            let info = ConnInfo {
                peer,
                local,
                tls: false,
            };
            let (mut session, mut handler) = factory(&info);
            drive(&mut session, &mut handler, stream, None, shutdown, cfg).await
        }
    }
}
