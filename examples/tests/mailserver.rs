#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! End-to-end: the mail server on loopback ports in a temporary directory,
//! driven by a small Rust client, by Python's smtplib/poplib and by curl.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use tokio::net::TcpStream;
use yubin_examples::server::Running;

/// Sends one message through the MX port; returns the final reply.
async fn mx_send(r: &Running, from: &str, to: &[&str], body: &[u8]) -> String {
    let mut c = Client::new(TcpStream::connect(r.addrs.smtp).await.unwrap());
    assert!(c.smtp_reply().await.starts_with("220"));
    assert!(c.smtp("EHLO client.test").await.starts_with("250"));
    assert!(
        c.smtp(&format!("MAIL FROM:<{from}>"))
            .await
            .starts_with("250")
    );
    for t in to {
        let rep = c.smtp(&format!("RCPT TO:<{t}>")).await;
        if !rep.starts_with("250") {
            return rep;
        }
    }
    assert!(c.smtp("DATA").await.starts_with("354"));
    c.send(body).await;
    c.send(b".\r\n").await;
    let rep = c.smtp_reply().await;
    c.smtp("QUIT").await;
    rep
}

async fn uidl(c: &mut Client<Tls>) -> Vec<String> {
    assert!(c.pop("UIDL").await.starts_with("+OK"));
    String::from_utf8(c.pop_multi().await)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A message in wire form: dot-stuffed lines (a leading dot, a lone dot) and 8-bit text.
const BODY: &[u8] = b"From: a@client.test\r\nTo: demo@example.test\r\nSubject: e2e\r\n\r\n..leading dot\r\n..\r\n\r\nend\xc3\xa9\r\n";

fn unstuffed(body: &[u8]) -> Vec<u8> {
    let text = body.split(|b| *b == b'\n').collect::<Vec<_>>();
    let mut out = Vec::new();
    for (i, line) in text.iter().enumerate() {
        if i + 1 == text.len() && line.is_empty() {
            break;
        }
        let line = line.strip_prefix(b".").unwrap_or(line);
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mx_delivery_arrives_byte_identical_over_pop3_and_uids_survive_a_restart() {
    let dir = temp_dir("mx");
    let r = start(&dir).await;
    let rep = mx_send(&r, "a@client.test", &["demo@example.test"], BODY).await;
    assert!(rep.starts_with("250"), "{rep}");
    let rep = mx_send(
        &r,
        "",
        &["DEMO@EXAMPLE.TEST"],
        b"Subject: two\r\n\r\nsecond\r\n",
    )
    .await;
    assert!(rep.starts_with("250"), "{rep}");

    let mut c = pop_login(&r).await;
    let stat = c.pop("STAT").await;
    assert!(stat.starts_with("+OK 2 "), "{stat}");
    assert!(c.pop("RETR 1").await.starts_with("+OK"));
    let msg = c.pop_multi().await;
    // Our trace headers first, then the message exactly as sent.
    assert!(msg.starts_with(b"Return-Path: <a@client.test>\r\nReceived: from client.test"));
    assert!(
        msg.ends_with(&unstuffed(BODY)),
        "{}",
        String::from_utf8_lossy(&msg)
    );
    let before = uidl(&mut c).await;
    assert_eq!(before.len(), 2);
    assert!(c.pop("QUIT").await.starts_with("+OK"));
    r.shutdown(Duration::from_millis(100)).await;

    // A restart keeps UIDs and UIDVALIDITY.
    let r = start(&dir).await;
    let mut c = pop_login(&r).await;
    assert_eq!(uidl(&mut c).await, before);
    c.pop("QUIT").await;
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_and_unknown_users_are_refused() {
    let dir = temp_dir("relay");
    let r = start(&dir).await;
    let rep = mx_send(&r, "a@client.test", &["someone@elsewhere.test"], BODY).await;
    assert!(rep.starts_with("550 5.7.1"), "{rep}");
    let rep = mx_send(&r, "a@client.test", &["nobody@example.test"], BODY).await;
    assert!(rep.starts_with("550 5.1.1"), "{rep}");
    // Submission wants TLS before anything else, and AUTH before MAIL.
    let mut c = Client::new(TcpStream::connect(r.addrs.submission).await.unwrap());
    assert!(c.smtp_reply().await.starts_with("220"));
    c.smtp("EHLO client.test").await;
    let rep = c.smtp("MAIL FROM:<demo@example.test>").await;
    assert!(rep.starts_with("530"), "{rep}");
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_deletes_only_at_quit_and_locks_the_maildrop() {
    let dir = temp_dir("pop");
    let r = start(&dir).await;
    for i in 0..3 {
        let body = format!("Subject: {i}\r\n\r\nbody {i}\r\n");
        assert!(
            mx_send(&r, "a@client.test", &["demo@example.test"], body.as_bytes())
                .await
                .starts_with("250")
        );
    }
    // DELE, then the connection is cut: nothing is deleted.
    let mut c = pop_login(&r).await;
    assert!(c.pop("DELE 1").await.starts_with("+OK"));
    // A second session meanwhile finds the maildrop locked.
    let rep = try_pop_login(&r).await.err().unwrap();
    assert!(rep.starts_with("-ERR [IN-USE]"), "{rep}");
    drop(c);
    // The server notices the cut-off connection and releases the lock.
    let mut attempts = 0;
    let mut c = loop {
        attempts += 1;
        assert!(
            attempts < 100,
            "the lock of a cut-off session was never released"
        );
        match try_pop_login(&r).await {
            Ok(c) => break c,
            Err(rep) => assert!(rep.starts_with("-ERR [IN-USE]"), "{rep}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(c.pop("STAT").await.starts_with("+OK 3 "));
    let uids = uidl(&mut c).await;
    assert!(c.pop("DELE 2").await.starts_with("+OK"));
    assert!(c.pop("QUIT").await.starts_with("+OK"));
    let mut c = pop_login(&r).await;
    let after = uidl(&mut c).await;
    assert_eq!(after.len(), 2);
    // The survivors keep their UIDs (renumbered message numbers only).
    let uid = |l: &str| l.split(' ').nth(1).unwrap().to_owned();
    assert_eq!(uid(&after[0]), uid(&uids[0]));
    assert_eq!(uid(&after[1]), uid(&uids[2]));
    c.pop("QUIT").await;
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_smtplib_submission_and_poplib_retrieval() {
    if !have("python3", "--version") {
        eprintln!("skipped: python3 not found");
        return;
    }
    let dir = temp_dir("py");
    let r = start(&dir).await;
    let (user, pass) = demo(&r);
    let script = format!(
        r#"
import smtplib, poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
body = b"From: {user}@example.test\r\nSubject: py\r\n\r\n.starts with a dot\r\nline two\r\n"
s = smtplib.SMTP("127.0.0.1", {sub})
s.starttls(context=ctx); s.login("{user}", "{pass}")
s.sendmail("{user}@example.test", ["{user}@example.test"], body); s.quit()
s = smtplib.SMTP_SSL("127.0.0.1", {subs}, context=ctx)
s.login("{user}@example.test", "{pass}")
s.sendmail("{user}@example.test", ["{user}@example.test"], body); s.quit()
p = poplib.POP3("127.0.0.1", {pop}); p.stls(context=ctx)
p.user("{user}"); p.pass_("{pass}")
n, _ = p.stat(); assert n == 2, n
for i in (1, 2):
    lines = p.retr(i)[1]
    got = b"\r\n".join(lines) + b"\r\n"
    assert got.endswith(body), got
    assert b"with ESMTPSA" in got, got
p.quit()
print("ok")
"#,
        sub = r.addrs.submission.port(),
        subs = r.addrs.submissions.port(),
        pop = r.addrs.pop3.port(),
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "python: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_submission_and_pop3s_retrieval() {
    if !have("curl", "--version") {
        eprintln!("skipped: curl not found");
        return;
    }
    let dir = temp_dir("curl");
    let r = start(&dir).await;
    let (user, pass) = demo(&r);
    let msg = dir.join("msg.txt");
    std::fs::write(&msg, "Subject: curl\r\n\r\nsent by curl\r\n").unwrap();
    let sub = format!("smtp://127.0.0.1:{}", r.addrs.submission.port());
    let pop = format!("pop3s://127.0.0.1:{}/1", r.addrs.pop3s.port());
    let creds = format!("{user}:{pass}");
    let addr = format!("{user}@example.test");
    let out = tokio::task::spawn_blocking(move || {
        let send = Command::new("curl")
            .args([
                "-sSk",
                "--ssl-reqd",
                &sub,
                "--mail-from",
                &addr,
                "--mail-rcpt",
                &addr,
            ])
            .args(["--user", &creds, "-T"])
            .arg(&msg)
            .output()
            .unwrap();
        assert!(
            send.status.success(),
            "{}",
            String::from_utf8_lossy(&send.stderr)
        );
        Command::new("curl")
            .args(["-sSk", &pop, "--user", &creds])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.ends_with("Subject: curl\r\n\r\nsent by curl\r\n"),
        "{text}"
    );
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_loses_no_acknowledged_message() {
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncBufReadExt;

    let dir = temp_dir("kill");
    let smtp = free_port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailserver"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["--domain", "example.test", "--smtp-port", &smtp.to_string()])
        .args(["--submission-port", &free_port().to_string()])
        .args(["--submissions-port", &free_port().to_string()])
        .args(["--pop3-port", &free_port().to_string()])
        .args(["--pop3s-port", &free_port().to_string()])
        .args(["--imap-port", &free_port().to_string()])
        .args(["--imaps-port", &free_port().to_string()])
        .args(["--log", "warn"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Wait for the banner: the listeners are up.
    let mut out = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(l) = tokio::time::timeout(Duration::from_secs(60), out.next_line())
        .await
        .unwrap()
        .unwrap()
    {
        if l.starts_with("Try it") {
            break;
        }
    }
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut senders = Vec::new();
    for t in 0..4 {
        let acked = acked.clone();
        senders.push(tokio::spawn(async move {
            let Ok(tcp) = TcpStream::connect(("127.0.0.1", smtp)).await else {
                return;
            };
            let mut c = Client::new(tcp);
            c.smtp_reply().await;
            c.smtp("EHLO burst.test").await;
            for i in 0.. {
                let id = format!("m{t}-{i}");
                if !c.smtp("MAIL FROM:<a@burst.test>").await.starts_with("250") {
                    return;
                }
                if !c
                    .smtp("RCPT TO:<demo@example.test>")
                    .await
                    .starts_with("250")
                {
                    return;
                }
                if !c.smtp("DATA").await.starts_with("354") {
                    return;
                }
                // 2 KB in lines of 100 octets (DATA lines are limited to 1000).
                let filler = format!("{}\r\n", "x".repeat(98)).repeat(20);
                let body = format!("Subject: {id}\r\n\r\n{filler}END {id}\r\n.\r\n");
                c.send(body.as_bytes()).await;
                match c.try_line().await {
                    Some(l) if l.starts_with("250") => acked.lock().unwrap().push(id),
                    _ => return,
                }
            }
        }));
    }
    // Let the burst run, then kill the server without warning.
    for _ in 0..200 {
        if acked.lock().unwrap().len() >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for s in senders {
        let _ = s.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        !acked.is_empty(),
        "no message was delivered before the kill"
    );
    // Every visible message is whole; every acknowledged one is visible.
    let mut seen = Vec::new();
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(dir.join("mail/demo").join(sub)).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .unwrap()
                .to_owned();
            assert!(
                text.ends_with(&format!("END {id}\r\n")),
                "partial message {id}"
            );
            seen.push(id);
        }
    }
    for id in &acked {
        assert!(seen.contains(id), "acknowledged message {id} lost");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
