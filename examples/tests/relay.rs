#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! End-to-end relaying: two mail servers on loopback, the first routing a
//! domain to the second; POP-before-SMTP grants; the persistent queue
//! (a route that is down, a restart, bounces).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadHalf, WriteHalf,
};
use tokio::net::TcpStream;
use yubin_examples::relay::QueueConfig;
use yubin_examples::server::{self, Config, Ports, Running};
use yubin_sasl::client::Credentials;
use yubin_sasl::{Mechanism, Nonce, Secret};
use yubin_smtp::client::{Auth, Envelope, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};
use yubin_tokio::ClientTls;
use yubin_tokio::client::{Endpoint, Security, SmtpClient};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yubin-relay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn config(dir: &Path, domain: &str) -> Config {
    Config {
        data_dir: dir.to_owned(),
        hostname: format!("mail.{domain}"),
        domains: vec![domain.into()],
        ports: Ports {
            smtp: 0,
            submission: 0,
            submissions: 0,
            pop3: 0,
            pop3s: 0,
            imap: 0,
            imaps: 0,
        },
        queue: QueueConfig {
            retry_base: Duration::from_millis(200),
            retry_max: Duration::from_millis(400),
            ..QueueConfig::default()
        },
        ..Config::default()
    }
}

/// The first server (example.test), relaying remote.test to `route`.
fn sender_config(dir: &Path, route: SocketAddr) -> Config {
    Config {
        routes: vec![("remote.test".into(), route.to_string())],
        ..config(dir, "example.test")
    }
}

/// The second server: remote.test, with its MX on `port` (0: any).
async fn start_remote(dir: &Path, port: u16) -> Running {
    let mut c = config(dir, "remote.test");
    c.ports.smtp = port;
    server::start(c).await.unwrap()
}

/// A loopback port nothing listens on (for now).
async fn free_port() -> SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

struct Client<S> {
    r: BufReader<ReadHalf<S>>,
    w: WriteHalf<S>,
}

impl<S: AsyncRead + AsyncWrite> Client<S> {
    fn new(s: S) -> Self {
        let (r, w) = tokio::io::split(s);
        Self {
            r: BufReader::new(r),
            w,
        }
    }
    async fn line(&mut self) -> String {
        let mut l = String::new();
        tokio::time::timeout(Duration::from_secs(20), self.r.read_line(&mut l))
            .await
            .expect("reply in time")
            .unwrap();
        l
    }
    async fn smtp_reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let l = self.line().await;
            assert!(l.len() >= 4, "short reply {l:?}");
            all.push_str(&l);
            if l.as_bytes()[3] == b' ' {
                return all;
            }
        }
    }
    async fn send(&mut self, data: &[u8]) {
        self.w.write_all(data).await.unwrap();
        self.w.flush().await.unwrap();
    }
    async fn cmd(&mut self, cmd: &str) -> String {
        self.send(format!("{cmd}\r\n").as_bytes()).await;
        self.smtp_reply().await
    }
}

/// Sends through `addr` (plain, no AUTH); the first refusal or the final reply.
async fn plain_send(addr: SocketAddr, from: &str, to: &str, body: &[u8]) -> String {
    let mut c = Client::new(TcpStream::connect(addr).await.unwrap());
    assert!(c.smtp_reply().await.starts_with("220"));
    assert!(c.cmd("EHLO client.test").await.starts_with("250"));
    let rep = c.cmd(&format!("MAIL FROM:<{from}>")).await;
    if !rep.starts_with("250") {
        return rep;
    }
    let rep = c.cmd(&format!("RCPT TO:<{to}>")).await;
    if !rep.starts_with("250") {
        return rep;
    }
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send(body).await;
    c.send(b".\r\n").await;
    let rep = c.smtp_reply().await;
    c.cmd("QUIT").await;
    rep
}

/// An authenticated submission (STARTTLS + AUTH PLAIN) as the demo user.
async fn submit(r: &Running, to: &[&str], body: &[u8]) -> bool {
    let (user, pass) = r.demo.clone().unwrap();
    let endpoint = Endpoint::new(
        r.addrs.submission.to_string(),
        "localhost",
        Security::StartTls,
    )
    .with_tls(ClientTls::DangerAcceptAnyCertificate);
    let mut settings = Settings::new(Host::Domain(Domain::new("client.test").unwrap()));
    settings.auth = Some(Auth {
        mechanism: Mechanism::Plain,
        credentials: Credentials::password(&user, Secret::new(pass)),
        nonce: Nonce::from_entropy(yubin_tokio::entropy()),
    });
    let mut smtp = SmtpClient::connect(&endpoint, settings).await.unwrap();
    let envelope = Envelope {
        from: ReversePath::Mailbox(Mailbox::new(&format!("{user}@example.test")).unwrap()),
        params: MailParams::default(),
        recipients: to
            .iter()
            .map(|t| {
                (
                    ForwardPath::Mailbox(Mailbox::new(t).unwrap()),
                    RcptParams::default(),
                )
            })
            .collect(),
    };
    let outcome = smtp.send(envelope, body).await.unwrap();
    smtp.quit().await.unwrap();
    outcome.delivered()
}

/// Logs in as demo over POP3S (USER/PASS) and quits.
async fn pop3_login(r: &Running) {
    let (user, pass) = r.demo.clone().unwrap();
    let tcp = TcpStream::connect(r.addrs.pop3s).await.unwrap();
    let connector = ClientTls::DangerAcceptAnyCertificate.connector().unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    let mut c = Client::new(tls);
    assert!(c.line().await.starts_with("+OK"));
    c.send(format!("USER {user}\r\n").as_bytes()).await;
    assert!(c.line().await.starts_with("+OK"));
    c.send(format!("PASS {pass}\r\n").as_bytes()).await;
    let rep = c.line().await;
    assert!(rep.starts_with("+OK"), "{rep}");
    c.send(b"QUIT\r\n").await;
    assert!(c.line().await.starts_with("+OK"));
}

/// Logs in as demo over IMAPS and logs out.
async fn imap_login(r: &Running) {
    let (user, pass) = r.demo.clone().unwrap();
    let tcp = TcpStream::connect(r.addrs.imaps).await.unwrap();
    let connector = ClientTls::DangerAcceptAnyCertificate.connector().unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut c = Client::new(connector.connect(name, tcp).await.unwrap());
    assert!(c.line().await.starts_with("* OK"));
    c.send(format!("a LOGIN {user} {pass}\r\n").as_bytes())
        .await;
    loop {
        let l = c.line().await;
        if l.starts_with("a ") {
            assert!(l.starts_with("a OK"), "{l}");
            break;
        }
    }
    c.send(b"b LOGOUT\r\n").await;
}

/// The demo INBOX's messages (file contents), waiting up to 20 s for `n`.
async fn wait_inbox(r: &Running, n: usize) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mb = r.store.inbox("demo").unwrap();
        if mb.messages.len() >= n {
            return mb
                .messages
                .iter()
                .map(|m| r.store.read("demo", "INBOX", m, 0, u64::MAX).unwrap())
                .collect();
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} messages arrived",
            mb.messages.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The message without the trace headers at its top (Return-Path,
/// Received and their continuation lines).
fn without_trace(msg: &[u8]) -> (Vec<String>, &[u8]) {
    let mut rest = msg;
    let mut trace = Vec::new();
    loop {
        let end = rest.iter().position(|b| *b == b'\n').unwrap() + 1;
        let line = String::from_utf8_lossy(&rest[..end]).into_owned();
        let is_trace = line.starts_with("Return-Path:")
            || line.starts_with("Received:")
            || line.starts_with('\t');
        if !is_trace {
            return (trace, rest);
        }
        trace.push(line);
        rest = &rest[end..];
    }
}

const BODY: &[u8] = b"From: demo@example.test\r\nTo: demo@remote.test\r\nSubject: relayed\r\n\r\n.leading dot\r\nline two\xc3\xa9\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticated_submission_is_relayed_byte_identical() {
    let (da, db) = (temp_dir("auth-a"), temp_dir("auth-b"));
    let b = start_remote(&db, 0).await;
    let a = server::start(sender_config(&da, b.addrs.smtp))
        .await
        .unwrap();
    // One local and one remote recipient in the same transaction.
    assert!(submit(&a, &["demo@remote.test", "demo@example.test"], BODY).await);
    let local = wait_inbox(&a, 1).await;
    assert_eq!(without_trace(&local[0]).1, BODY);
    let msgs = wait_inbox(&b, 1).await;
    let (trace, rest) = without_trace(&msgs[0]);
    assert_eq!(rest, BODY, "{}", String::from_utf8_lossy(&msgs[0]));
    // Exactly one Return-Path (the final delivery's) and one Received per hop.
    assert_eq!(trace[0], "Return-Path: <demo@example.test>\r\n");
    let return_paths = trace
        .iter()
        .filter(|l| l.starts_with("Return-Path:"))
        .count();
    assert_eq!(return_paths, 1, "{trace:?}");
    let received: Vec<_> = trace
        .iter()
        .filter(|l| l.starts_with("Received:"))
        .collect();
    assert_eq!(received.len(), 2, "{trace:?}");
    assert!(trace.iter().any(|l| l.contains("by mail.remote.test")));
    assert!(trace.iter().any(|l| l.contains("by mail.example.test")));
    // The queue is empty once delivered.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !a.queue.is_empty() {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop_before_smtp_grants_relay_for_the_window_only() {
    let (da, db) = (temp_dir("pbs-a"), temp_dir("pbs-b"));
    let b = start_remote(&db, 0).await;
    let mut cfg = sender_config(&da, b.addrs.smtp);
    cfg.pop_before_smtp = Some(Duration::from_secs(2));
    let a = server::start(cfg).await.unwrap();
    // No AUTH, no grant: refused.
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("550 5.7.1"), "{rep}");
    // A POP3 login grants this address.
    pop3_login(&a).await;
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    let msgs = wait_inbox(&b, 1).await;
    assert_eq!(without_trace(&msgs[0]).1, b"From: demo@example.test\r\nTo: demo@remote.test\r\nSubject: relayed\r\n\r\nleading dot\r\nline two\xc3\xa9\r\n");
    // Local delivery still works as before for anyone.
    let rep = plain_send(a.addrs.smtp, "x@client.test", "demo@example.test", BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    // After the window: refused again.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("550 5.7.1"), "{rep}");
    // An IMAP login grants as well.
    imap_login(&a).await;
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    wait_inbox(&b, 2).await;
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_that_is_down_keeps_the_message_until_it_comes_up() {
    let (da, db) = (temp_dir("down-a"), temp_dir("down-b"));
    let route = free_port().await;
    let a = server::start(sender_config(&da, route)).await.unwrap();
    assert!(submit(&a, &["demo@remote.test"], BODY).await);
    // A few attempts fail (connection refused); the message stays queued.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(a.queue.len(), 1);
    let b = start_remote(&db, route.port()).await;
    let msgs = wait_inbox(&b, 1).await;
    assert_eq!(without_trace(&msgs[0]).1, BODY);
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_before_a_restart_is_delivered_after_it() {
    let (da, db) = (temp_dir("restart-a"), temp_dir("restart-b"));
    let down = free_port().await;
    let a = server::start(sender_config(&da, down)).await.unwrap();
    assert!(submit(&a, &["demo@remote.test"], BODY).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.shutdown(Duration::from_millis(100)).await;
    // Still on disk after the shutdown.
    let queued = std::fs::read_dir(da.join("queue"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".env"))
        .count();
    assert_eq!(queued, 1);
    let b = start_remote(&db, 0).await;
    let a = server::start(sender_config(&da, b.addrs.smtp))
        .await
        .unwrap();
    let msgs = wait_inbox(&b, 1).await;
    assert_eq!(without_trace(&msgs[0]).1, BODY);
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_refusal_and_expiry_bounce_to_the_local_sender() {
    let (da, db) = (temp_dir("bounce-a"), temp_dir("bounce-b"));
    let b = start_remote(&db, 0).await;
    let a = server::start(sender_config(&da, b.addrs.smtp))
        .await
        .unwrap();
    // remote.test has no such user: 550 5.1.1 from the second server.
    assert!(submit(&a, &["nobody@remote.test"], BODY).await);
    let bounces = wait_inbox(&a, 1).await;
    let text = String::from_utf8_lossy(&bounces[0]).into_owned();
    assert!(text.contains("report-type=delivery-status"), "{text}");
    assert!(text.contains("Final-Recipient: rfc822; nobody@remote.test"));
    assert!(text.contains("Status: 5.1.1"), "{text}");
    assert!(text.contains("Subject: relayed"));
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;

    // A route that never comes up: the message expires and bounces.
    let down = free_port().await;
    let mut cfg = sender_config(&da, down);
    cfg.queue.max_age = Duration::from_secs(1);
    let a = server::start(cfg).await.unwrap();
    assert!(submit(&a, &["demo@remote.test"], BODY).await);
    let msgs = wait_inbox(&a, 2).await;
    let text = msgs
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .find(|t| t.contains("Status: 4.4.7"))
        .expect("an expiry bounce");
    assert!(text.contains("Final-Recipient: rfc822; demo@remote.test"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !a.queue.is_empty() {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}
