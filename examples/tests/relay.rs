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

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use tokio::net::TcpStream;
use yubin_examples::relay::QueueConfig;
use yubin_examples::server::{self, Config, Running};
use yubin_sasl::client::Credentials;
use yubin_sasl::{Mechanism, Nonce, Secret};
use yubin_smtp::client::{Auth, Envelope, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};
use yubin_tokio::ClientTls;
use yubin_tokio::client::{Endpoint, Security, SmtpClient};

/// A server for `domain` whose queue retries within a fraction of a second.
fn config(dir: &Path, domain: &str) -> Config {
    Config {
        queue: QueueConfig {
            retry_base: Duration::from_millis(200),
            retry_max: Duration::from_millis(400),
            ..QueueConfig::default()
        },
        ..config_for(dir, domain)
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

/// A loopback address nothing listens on (for now).
fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], free_port()))
}

/// Sends through `addr` (plain, no AUTH); the first refusal or the final reply.
async fn plain_send(addr: SocketAddr, from: &str, to: &str, body: &[u8]) -> String {
    let mut c = Client::new(TcpStream::connect(addr).await.unwrap());
    assert!(c.smtp_reply().await.starts_with("220"));
    assert!(c.smtp("EHLO client.test").await.starts_with("250"));
    let rep = c.smtp(&format!("MAIL FROM:<{from}>")).await;
    if !rep.starts_with("250") {
        return rep;
    }
    let rep = c.smtp(&format!("RCPT TO:<{to}>")).await;
    if !rep.starts_with("250") {
        return rep;
    }
    assert!(c.smtp("DATA").await.starts_with("354"));
    c.send(body).await;
    c.send(b".\r\n").await;
    let rep = c.smtp_reply().await;
    c.smtp("QUIT").await;
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
async fn pop3_login_quit(r: &Running) {
    let mut c = pop_login(r).await;
    assert!(c.pop("QUIT").await.starts_with("+OK"));
}

/// Logs in as demo over IMAPS and logs out.
async fn imap_login_logout(r: &Running) {
    let mut c = imap_login(r).await;
    c.imap_ok("b", "LOGOUT").await;
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
    // Long enough that a loaded CI machine relays within it.
    let window = Duration::from_secs(10);
    cfg.pop_before_smtp = Some(window);
    let a = server::start(cfg).await.unwrap();
    // No AUTH, no grant: refused.
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("550 5.7.1"), "{rep}");
    // A POP3 login grants this address.
    pop3_login_quit(&a).await;
    // The grant was made before this.
    let login = tokio::time::Instant::now();
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    let msgs = wait_inbox(&b, 1).await;
    assert_eq!(without_trace(&msgs[0]).1, b"From: demo@example.test\r\nTo: demo@remote.test\r\nSubject: relayed\r\n\r\nleading dot\r\nline two\xc3\xa9\r\n");
    // Local delivery still works as before for anyone.
    let rep = plain_send(a.addrs.smtp, "x@client.test", "demo@example.test", BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    // After the window: refused again.
    tokio::time::sleep_until(login + window + Duration::from_millis(300)).await;
    let rep = plain_send(a.addrs.smtp, "demo@example.test", "demo@remote.test", BODY).await;
    assert!(rep.starts_with("550 5.7.1"), "{rep}");
    // An IMAP login grants as well.
    imap_login_logout(&a).await;
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
    let route = free_addr();
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
    let down = free_addr();
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
    let down = free_addr();
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

/// Python's smtplib as the client: relaying without AUTH is refused with
/// 550 5.7.1 (`SMTPRecipientsRefused`); after a poplib login from the
/// same address it is accepted without AUTH (POP-before-SMTP) and arrives
/// at the route; after the window it is refused again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_smtplib_relay_refused_then_granted_by_a_poplib_login() {
    if !have_python("python_smtplib_relay_refused_then_granted_by_a_poplib_login") {
        return;
    }
    let (da, db) = (temp_dir("py-pbs-a"), temp_dir("py-pbs-b"));
    let b = start_remote(&db, 0).await;
    let mut cfg = sender_config(&da, b.addrs.smtp);
    // Long enough that a loaded CI machine (TLS, a login, then a relay
    // in debug builds) relays within it.
    let window = Duration::from_secs(10);
    cfg.pop_before_smtp = Some(window);
    let a = server::start(cfg).await.unwrap();
    let (user, pass) = a.demo.clone().unwrap();
    let refused = r#"
import smtplib, sys
mx = int(sys.argv[1])
body = b"From: demo@example.test\r\nTo: demo@remote.test\r\nSubject: py relay\r\n\r\nhello\r\n"
s = smtplib.SMTP("127.0.0.1", mx)
try:
    s.sendmail("demo@example.test", ["demo@remote.test"], body)
    raise SystemExit("relayed without AUTH or a grant")
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients["demo@remote.test"]
    assert code == 550 and text.startswith(b"5.7.1"), (code, text)
s.quit()
print("refused")
"#;
    let granted = r#"
import smtplib, poplib, ssl, sys
mx, pop3s, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL("127.0.0.1", pop3s, context=ctx)
p.user(user); p.pass_(password); p.quit()
body = b"From: demo@example.test\r\nTo: demo@remote.test\r\nSubject: py relay\r\n\r\nhello\r\n"
s = smtplib.SMTP("127.0.0.1", mx)
assert s.sendmail("demo@example.test", ["demo@remote.test"], body) == {}
s.quit()
print("relayed")
"#;
    let mx = a.addrs.smtp.port().to_string();
    let args = vec![mx.clone()];
    let out = tokio::task::spawn_blocking(move || python(refused, &args))
        .await
        .unwrap();
    assert_eq!(out.trim(), "refused");
    let args = vec![mx.clone(), a.addrs.pop3s.port().to_string(), user, pass];
    let out = tokio::task::spawn_blocking(move || python(granted, &args))
        .await
        .unwrap();
    // The grant was made before this.
    let login = tokio::time::Instant::now();
    assert_eq!(out.trim(), "relayed");
    let msgs = wait_inbox(&b, 1).await;
    assert_eq!(
        without_trace(&msgs[0]).1,
        b"From: demo@example.test\r\nTo: demo@remote.test\r\nSubject: py relay\r\n\r\nhello\r\n"
    );
    // The grant expires.
    tokio::time::sleep_until(login + window + Duration::from_millis(300)).await;
    let args = vec![mx];
    let out = tokio::task::spawn_blocking(move || python(refused, &args))
        .await
        .unwrap();
    assert_eq!(out.trim(), "refused");
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}

/// A bounce for a sender outside our domains goes, from `<>`, through the
/// sender's route (here: the second server, where the sender has a
/// mailbox), not into a local mailbox and not into the void.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounce_for_a_remote_sender_is_relayed_to_its_route() {
    let (da, db) = (temp_dir("rbounce-a"), temp_dir("rbounce-b"));
    let b = start_remote(&db, 0).await;
    let mut cfg = sender_config(&da, b.addrs.smtp);
    cfg.pop_before_smtp = Some(Duration::from_secs(60));
    let a = server::start(cfg).await.unwrap();
    pop3_login_quit(&a).await;
    // From a remote.test sender to a remote.test user that does not exist.
    let rep = plain_send(a.addrs.smtp, "demo@remote.test", "nobody@remote.test", BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    let msgs = wait_inbox(&b, 1).await;
    let text = String::from_utf8_lossy(&msgs[0]).into_owned();
    assert!(text.starts_with("Return-Path: <>\r\n"), "{text}");
    assert_eq!(text.matches("Return-Path:").count(), 1, "{text}");
    assert!(text.contains("report-type=delivery-status"), "{text}");
    assert!(
        text.contains("Final-Recipient: rfc822; nobody@remote.test"),
        "{text}"
    );
    assert!(text.contains("Status: 5.1.1"), "{text}");
    assert!(text.contains("Subject: relayed"), "{text}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !a.queue.is_empty() {
        assert!(Instant::now() < deadline, "queue not emptied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(a.store.inbox("demo").unwrap().messages.is_empty());
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}

/// A route that accepts connections and never answers holds one delivery
/// slot, not the queue: mail for another route queued after it arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_that_hangs_does_not_hold_up_the_rest_of_the_queue() {
    let (da, db) = (temp_dir("hang-a"), temp_dir("hang-b"));
    let b = start_remote(&db, 0).await;
    // Accepts, says nothing, keeps the connections open.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let mut cfg = sender_config(&da, b.addrs.smtp);
    cfg.routes
        .push(("slow.test".into(), silent_addr.to_string()));
    let a = server::start(cfg).await.unwrap();
    assert!(submit(&a, &["someone@slow.test"], BODY).await);
    // Let the first attempt start and hang.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(submit(&a, &["demo@remote.test"], BODY).await);
    let msgs = wait_inbox(&b, 1).await;
    assert!(without_trace(&msgs[0]).1.ends_with(b"line two\xc3\xa9\r\n"));
    // The delivered entry leaves the queue once the route's reply is
    // handled, a moment after the route stored the message.
    let deadline = Instant::now() + Duration::from_secs(10);
    while a.queue.len() > 1 {
        assert!(
            Instant::now() < deadline,
            "the delivered entry stays queued"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(a.queue.len(), 1, "the hanging entry stays queued");
    a.shutdown(Duration::from_millis(100)).await;
    b.shutdown(Duration::from_millis(100)).await;
    holder.abort();
    let _ = std::fs::remove_dir_all(&da);
    let _ = std::fs::remove_dir_all(&db);
}
