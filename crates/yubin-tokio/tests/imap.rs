#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! yubin-imap's server session served by yubin-tokio over real loopback
//! sockets: STARTTLS (with the injection test), implicit TLS, autologout
//! with `* BYE`, the busy reply.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use yubin_imap::server::{Config, Event, Greeting, Refusal, Session, Tls};
use yubin_tokio::{
    ClientTls, ConnLimits, DriveConfig, Handler, Server, ShutdownTrigger, TlsMode, entropy,
};

struct App;

impl Handler<Session> for App {
    async fn on_event(&mut self, s: &mut Session, event: Event) {
        if let Event::Login {
            ticket,
            username,
            password,
        } = event
        {
            if username == "alice" && password.expose() == "pass word" {
                s.accept_login(ticket).unwrap();
            } else {
                s.reject(ticket, Refusal::no(None, "invalid credentials"))
                    .unwrap();
            }
        }
    }
}

use common::cert;

async fn start(
    tls: TlsMode,
    mode: Tls,
    limits: ConnLimits,
    idle: Duration,
) -> (SocketAddr, ShutdownTrigger) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut c = Config::default();
    c.tls = mode;
    c.limits.idle_not_authenticated = idle;
    let config = Arc::new(c);
    let (trigger, shutdown) = ShutdownTrigger::new();
    let server = Server {
        name: "imap-test",
        listeners: vec![listener],
        tls,
        limits,
        drive: DriveConfig::default(),
        busy_reply: yubin_tokio::imap::IMAP_BUSY,
        factory: move |_: &yubin_tokio::ConnInfo| {
            (
                Session::new(config.clone(), yubin_tokio::now(), entropy(), Greeting::Ok),
                App,
            )
        },
    };
    tokio::spawn(server.run(shutdown));
    (addr, trigger)
}

/// Lines up to and including the one tagged `tag`.
async fn until_tagged<R: AsyncRead + Unpin>(r: &mut BufReader<R>, tag: &str) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut l = String::new();
        assert!(
            r.read_line(&mut l).await.unwrap() > 0,
            "closed before {tag}: {lines:?}"
        );
        let done = l.starts_with(&format!("{tag} "));
        lines.push(l);
        if done {
            return lines;
        }
    }
}

#[tokio::test]
async fn starttls_discards_injected_commands() {
    let (store, pem) = cert();
    let (addr, _t) = start(
        TlsMode::StartTls(store.acceptor().unwrap()),
        Tls::StartTls,
        ConnLimits::default(),
        Duration::from_secs(60),
    )
    .await;
    let mut r = BufReader::new(TcpStream::connect(addr).await.unwrap());
    let mut greeting = String::new();
    r.read_line(&mut greeting).await.unwrap();
    assert!(greeting.starts_with("* OK"), "{greeting}");
    r.get_mut().write_all(b"a0 CAPABILITY\r\n").await.unwrap();
    let caps = until_tagged(&mut r, "a0").await.concat();
    assert!(
        caps.contains("STARTTLS") && caps.contains("LOGINDISABLED"),
        "{caps}"
    );
    // The injection: LOGIN in the same packet as STARTTLS must not run.
    r.get_mut()
        .write_all(b"a1 STARTTLS\r\na2 LOGIN alice \"pass word\"\r\n")
        .await
        .unwrap();
    let ok = until_tagged(&mut r, "a1").await.concat();
    assert!(ok.starts_with("a1 OK"), "{ok}");
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = ClientTls::Roots(pem)
        .connector()
        .unwrap()
        .connect(name, r.into_inner())
        .await
        .unwrap();
    let mut t = BufReader::new(tls);
    t.get_mut().write_all(b"a3 CAPABILITY\r\n").await.unwrap();
    let caps = until_tagged(&mut t, "a3").await.concat();
    assert!(!caps.contains("a2 "), "the injected LOGIN ran: {caps}");
    assert!(
        !caps.contains("STARTTLS") && !caps.contains("LOGINDISABLED"),
        "{caps}"
    );
    t.get_mut()
        .write_all(b"a4 LOGIN alice \"pass word\"\r\na5 LOGOUT\r\n")
        .await
        .unwrap();
    assert!(until_tagged(&mut t, "a4").await.concat().contains("a4 OK"));
    let bye = until_tagged(&mut t, "a5").await.concat();
    assert!(bye.starts_with("* BYE") && bye.contains("a5 OK"), "{bye}");
}

#[tokio::test]
async fn implicit_tls_autologout_and_the_busy_reply() {
    let (store, pem) = cert();
    let limits = ConnLimits {
        max_connections: 1,
        max_per_ip: 1,
    };
    let (addr, _t) = start(
        TlsMode::Implicit(store.acceptor().unwrap()),
        Tls::Implicit,
        limits,
        Duration::from_millis(500),
    )
    .await;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let connector = ClientTls::Roots(pem).connector().unwrap();
    let tls = connector
        .connect(name, TcpStream::connect(addr).await.unwrap())
        .await
        .unwrap();
    let mut t = BufReader::new(tls);
    let mut greeting = String::new();
    t.read_line(&mut greeting).await.unwrap();
    assert!(greeting.starts_with("* OK"), "{greeting}");
    // A second connection over the limit gets the busy reply (inside TLS
    // on an implicit-TLS port), then the close.
    let name2 = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut second = connector
        .connect(name2, TcpStream::connect(addr).await.unwrap())
        .await
        .unwrap();
    let mut busy = Vec::new();
    let _ = second.read_to_end(&mut busy).await;
    assert_eq!(busy, yubin_tokio::imap::IMAP_BUSY);
    // Silent past the pre-login idle limit: `* BYE`, then the close.
    let mut rest = String::new();
    tokio::time::timeout(Duration::from_secs(10), t.read_to_string(&mut rest))
        .await
        .expect("autologout within the deadline")
        .ok();
    assert!(rest.starts_with("* BYE"), "{rest:?}");
}

#[tokio::test]
async fn imap_client_connector_over_starttls() {
    use yubin_imap::types::{CommandBody, StatusKind};
    use yubin_tokio::client::{ClientError, Endpoint, ImapClient, Security};
    let (store, pem) = cert();
    let (addr, _t) = start(
        TlsMode::StartTls(store.acceptor().unwrap()),
        Tls::StartTls,
        ConnLimits::default(),
        Duration::from_secs(60),
    )
    .await;
    let endpoint = Endpoint::new(addr.to_string(), "localhost", Security::StartTls)
        .with_tls(ClientTls::Roots(pem));
    let mut imap = ImapClient::connect(&endpoint, Default::default())
        .await
        .unwrap();
    // After STARTTLS the capabilities were asked for again: no
    // LOGINDISABLED and no STARTTLS any more.
    let caps = format!("{:?}", imap.capabilities());
    assert!(!caps.contains("LoginDisabled"), "{caps}");
    assert!(!caps.contains("StartTls"), "{caps}");
    match imap.login("alice", "wrong").await {
        Err(ClientError::Refused(text)) => assert!(text.contains("invalid"), "{text}"),
        other => panic!("wrong password: {other:?}"),
    }
    imap.login("alice", "pass word").await.unwrap();
    let noop = imap.run(CommandBody::Noop).await.unwrap();
    assert_eq!(noop.kind, StatusKind::Ok);
    let caps = imap.run(CommandBody::Capability).await.unwrap();
    assert_eq!(caps.data.len(), 1, "one CAPABILITY response: {caps:?}");
    imap.logout().await.unwrap();
}

#[tokio::test]
async fn imap_client_connector_refuses_plain_starttls_server() {
    use yubin_tokio::client::{ClientError, Endpoint, ImapClient, Security};
    let (addr, _t) = start(
        TlsMode::Plain,
        Tls::None,
        ConnLimits::default(),
        Duration::from_secs(60),
    )
    .await;
    let endpoint = Endpoint::new(addr.to_string(), "localhost", Security::StartTls)
        .with_tls(ClientTls::DangerAcceptAnyCertificate);
    let r = ImapClient::connect(&endpoint, Default::default()).await;
    assert!(matches!(r, Err(ClientError::NoStartTls)), "{r:?}");
}
