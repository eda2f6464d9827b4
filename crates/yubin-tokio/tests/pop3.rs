#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! yubin-pop3 served by yubin-tokio over real loopback sockets: STLS (with
//! the injection test), implicit TLS, streaming RETR, the busy reply.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use yubin_pop3::server::{BodyDemand, Config, Credentials, Event, Maildrop, Session, Tls};
use yubin_pop3::types::Reply;
use yubin_tokio::{
    ClientTls, ConnLimits, DriveConfig, Handler, Server, ShutdownTrigger, TlsMode, entropy,
};

/// 200 KiB with dotted lines: RETR streams it in several chunks.
fn message() -> Bytes {
    let mut m = b"Subject: pop3 over tokio\r\n\r\n".to_vec();
    let mut i = 0;
    while m.len() < 200 * 1024 {
        if i % 7 == 0 {
            m.push(b'.');
        }
        m.extend_from_slice(b"line of the message body\r\n");
        i += 1;
    }
    Bytes::from(m)
}

struct App {
    msg: Bytes,
    /// What is left of the body being retrieved.
    sending: Option<(yubin_pop3::server::Retrieval, Bytes)>,
}

impl App {
    fn feed(&mut self, s: &mut Session) {
        while let Some((r, rest)) = &mut self.sending {
            match s.body_demand() {
                Some(BodyDemand::Ready) if !rest.is_empty() => {
                    let chunk = rest.split_to(rest.len().min(16 * 1024));
                    s.send_body(r, chunk).unwrap();
                }
                Some(BodyDemand::Wait) => return,
                _ => {
                    let (r, _) = self.sending.take().unwrap();
                    s.finish_body(r).unwrap();
                }
            }
        }
    }
}

impl Handler<Session> for App {
    async fn on_event(&mut self, s: &mut Session, event: Event) {
        match event {
            Event::User { ticket, .. } => s.accept_user(ticket, None).unwrap(),
            Event::Login {
                ticket,
                user,
                credentials,
            } => {
                let ok = user == "alice"
                    && matches!(&credentials, Credentials::Password(p) if p.expose() == "pass word");
                if ok {
                    let md = Maildrop::new(vec![(self.msg.len() as u64, "uid-1".into())]).unwrap();
                    s.accept_login(ticket, md, None).unwrap();
                } else {
                    s.reject(ticket, Reply::err("invalid credentials")).unwrap();
                }
            }
            Event::Retrieve { ticket, .. } => {
                let r = s.start_body(ticket).unwrap();
                self.sending = Some((r, self.msg.clone()));
                self.feed(s);
            }
            Event::Update { ticket, .. } => s.accept_update(ticket).unwrap(),
            _ => {}
        }
    }

    async fn on_sent(&mut self, s: &mut Session) {
        self.feed(s);
    }
}

use common::cert;

async fn start(tls: TlsMode, mode: Tls, limits: ConnLimits) -> (SocketAddr, ShutdownTrigger) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut c = Config::default();
    c.tls = mode;
    let config = Arc::new(c);
    let (trigger, shutdown) = ShutdownTrigger::new();
    let server = Server {
        name: "pop3-test",
        listeners: vec![listener],
        tls,
        limits,
        drive: DriveConfig::default(),
        busy_reply: yubin_tokio::pop3::POP3_BUSY,
        factory: move |_: &yubin_tokio::ConnInfo| {
            let s = Session::new(config.clone(), yubin_tokio::now(), entropy(), None);
            (
                s,
                App {
                    msg: message(),
                    sending: None,
                },
            )
        },
    };
    tokio::spawn(server.run(shutdown));
    (addr, trigger)
}

async fn line<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> String {
    let mut l = String::new();
    r.read_line(&mut l).await.unwrap();
    l
}

/// Reads a multi-line response's body up to ".\r\n", un-stuffed.
async fn multiline<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let mut l = Vec::new();
        r.read_until(b'\n', &mut l).await.unwrap();
        if l == b".\r\n" {
            return out;
        }
        out.extend_from_slice(l.strip_prefix(b".").unwrap_or(&l));
    }
}

#[tokio::test]
async fn stls_discards_injected_commands_then_streams_retr() {
    let (store, pem) = cert();
    let (addr, _t) = start(
        TlsMode::StartTls(store.acceptor().unwrap()),
        Tls::Stls,
        ConnLimits::default(),
    )
    .await;
    let mut r = BufReader::new(TcpStream::connect(addr).await.unwrap());
    assert!(line(&mut r).await.starts_with("+OK"));
    // Plaintext login is refused before TLS by default.
    r.get_mut().write_all(b"USER alice\r\n").await.unwrap();
    assert!(line(&mut r).await.starts_with("-ERR"));
    // The injection: USER in the same packet as STLS must not run.
    r.get_mut()
        .write_all(b"STLS\r\nUSER alice\r\n")
        .await
        .unwrap();
    assert!(line(&mut r).await.starts_with("+OK"));
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = ClientTls::Roots(pem)
        .connector()
        .unwrap()
        .connect(name, r.into_inner())
        .await
        .unwrap();
    let mut t = BufReader::new(tls);
    t.get_mut().write_all(b"PASS pass word\r\n").await.unwrap();
    let after = line(&mut t).await;
    assert!(
        after.starts_with("-ERR"),
        "PASS without a USER after STLS: {after}"
    );
    t.get_mut()
        .write_all(b"USER alice\r\nPASS pass word\r\nSTAT\r\n")
        .await
        .unwrap();
    assert!(line(&mut t).await.starts_with("+OK"));
    assert!(line(&mut t).await.starts_with("+OK"));
    assert_eq!(line(&mut t).await, format!("+OK 1 {}\r\n", message().len()));
    t.get_mut().write_all(b"RETR 1\r\n").await.unwrap();
    assert!(line(&mut t).await.starts_with("+OK"));
    assert_eq!(multiline(&mut t).await, message().to_vec());
    t.get_mut().write_all(b"QUIT\r\n").await.unwrap();
    assert!(line(&mut t).await.starts_with("+OK"));
}

#[tokio::test]
async fn implicit_tls_and_the_busy_reply() {
    let (store, pem) = cert();
    let limits = ConnLimits {
        max_connections: 1,
        max_per_ip: 1,
    };
    let (addr, _t) = start(
        TlsMode::Implicit(store.acceptor().unwrap()),
        Tls::Implicit,
        limits,
    )
    .await;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let connector = ClientTls::Roots(pem).connector().unwrap();
    let tls = connector
        .connect(name, TcpStream::connect(addr).await.unwrap())
        .await
        .unwrap();
    let mut t = BufReader::new(tls);
    assert!(line(&mut t).await.starts_with("+OK"));
    // A second connection over the limit gets the busy reply (inside TLS
    // on an implicit-TLS port), then the close.
    let name2 = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut second = connector
        .connect(name2, TcpStream::connect(addr).await.unwrap())
        .await
        .unwrap();
    let mut busy = Vec::new();
    let _ = second.read_to_end(&mut busy).await;
    assert_eq!(busy, yubin_tokio::pop3::POP3_BUSY);
    t.get_mut()
        .write_all(b"USER alice\r\nPASS pass word\r\nRETR 1\r\n")
        .await
        .unwrap();
    assert!(line(&mut t).await.starts_with("+OK"));
    assert!(line(&mut t).await.starts_with("+OK"));
    assert!(line(&mut t).await.starts_with("+OK"));
    assert_eq!(multiline(&mut t).await, message().to_vec());
    t.get_mut().write_all(b"QUIT\r\n").await.unwrap();
    assert!(line(&mut t).await.starts_with("+OK"));
}

#[tokio::test]
async fn pop3_client_connector_over_stls_and_implicit_tls() {
    use yubin_tokio::client::{ClientError, Endpoint, Pop3Client, Security};
    let (store, pem) = cert();
    for (tls, mode, security) in [
        (
            TlsMode::StartTls(store.acceptor().unwrap()),
            Tls::Stls,
            Security::StartTls,
        ),
        (
            TlsMode::Implicit(store.acceptor().unwrap()),
            Tls::Implicit,
            Security::Implicit,
        ),
    ] {
        let (addr, _t) = start(tls, mode, ConnLimits::default()).await;
        let endpoint = Endpoint::new(addr.to_string(), "localhost", security)
            .with_tls(ClientTls::Roots(pem.clone()));
        // A wrong password is the server's refusal, with its text.
        let mut pop = Pop3Client::connect(&endpoint, Default::default())
            .await
            .unwrap();
        match pop.login("alice", "wrong").await {
            Err(ClientError::Refused(text)) => assert!(text.contains("invalid"), "{text}"),
            other => panic!("wrong password: {other:?}"),
        }
        pop.quit().await.unwrap();

        let mut pop = Pop3Client::connect(&endpoint, Default::default())
            .await
            .unwrap();
        pop.login("alice", "pass word").await.unwrap();
        assert_eq!(pop.stat().await.unwrap(), (1, message().len() as u64));
        let mut got = Vec::new();
        let mut chunks = 0;
        pop.retr(1, |c| {
            chunks += 1;
            got.extend_from_slice(&c);
        })
        .await
        .unwrap();
        assert_eq!(got, message().to_vec(), "dot-unstuffed, byte for byte");
        assert!(chunks > 1, "a 200 KiB body arrives in pieces");
        pop.noop().await.unwrap();
        assert!(matches!(
            pop.retr(0, |_| {}).await,
            Err(ClientError::Misuse)
        ));
        pop.quit().await.unwrap();
    }
}
