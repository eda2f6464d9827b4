//! The hostile-input battery: one running `mailserver` takes abuse on every
//! protocol (over-long lines, huge literal announcements, unterminated
//! DATA, NUL bytes, invalid UTF-8, commands out of order, 10,000 pipelined
//! commands, a client sending one byte a second, TLS garbage, a
//! 10,000-deep list, 1,000 parallel connections). After each case the same
//! server must still serve an ordinary client and must still hold every
//! message it had stored.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{Client, imap_login, pop_login, start, temp_dir};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use yubin_examples::server::Running;

async fn plain(addr: SocketAddr) -> Client<TcpStream> {
    Client::new(TcpStream::connect(addr).await.unwrap())
}

/// Delivers one message over the MX port; true when it was answered 250.
async fn deliver(r: &Running, subject: &str) -> bool {
    let mut c = plain(r.addrs.smtp).await;
    assert!(c.smtp_reply().await.starts_with("220"));
    assert!(c.smtp("EHLO client.test").await.starts_with("250"));
    assert!(c.smtp("MAIL FROM:<a@remote.test>").await.starts_with("250"));
    assert!(
        c.smtp("RCPT TO:<demo@example.test>")
            .await
            .starts_with("250")
    );
    assert!(c.smtp("DATA").await.starts_with("354"));
    let reply = c
        .smtp(&format!("Subject: {subject}\r\n\r\nbody of {subject}\r\n."))
        .await;
    let _ = c.smtp("QUIT").await;
    reply.starts_with("250")
}

/// The number of messages in the maildrop, seen over POP3.
async fn stored(r: &Running) -> usize {
    let mut c = pop_login(r).await;
    let stat = c.pop("STAT").await;
    let _ = c.pop("QUIT").await;
    stat.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// An ordinary client still gets through on SMTP, POP3 and IMAP, and the
/// store still holds at least `expect` messages.
async fn still_serves(r: &Running, case: &str, expect: usize) {
    let n = stored(r).await;
    assert!(
        n >= expect,
        "{case}: {n} messages stored, expected {expect}"
    );
    let mut c = imap_login(r).await;
    let sel = c.imap_ok("s", "SELECT INBOX").await;
    assert!(sel.contains(" EXISTS"), "{case}: {sel}");
    c.imap_ok("z", "LOGOUT").await;
    assert!(
        deliver(r, case).await,
        "{case}: delivery refused afterwards"
    );
}

/// Reads whatever comes until the peer closes or `limit` passes.
async fn read_until_closed(s: &mut (impl AsyncRead + Unpin), limit: Duration) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = vec![0u8; 65536];
    let end = Instant::now() + limit;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return all,
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_survives_hostile_input_and_loses_no_mail() {
    let dir = temp_dir("hostile");
    let r = start(&dir).await;
    assert!(deliver(&r, "before").await);
    let mut expect = stored(&r).await;
    assert!(expect >= 1);

    // 1. Over-long lines on every protocol: an error reply, never a hang.
    {
        let long = vec![b'A'; 100_000];
        let mut c = plain(r.addrs.smtp).await;
        c.smtp_reply().await;
        c.send(&long).await;
        c.send(b"\r\n").await;
        let rep = c.smtp_reply().await;
        assert!(rep.starts_with('5'), "SMTP long line: {rep}");
        let mut c = plain(r.addrs.pop3).await;
        c.line().await;
        c.send(&long).await;
        c.send(b"\r\n").await;
        assert!(c.line().await.starts_with("-ERR"));
        let mut c = plain(r.addrs.imap).await;
        c.imap_line().await;
        c.send(b"a NOOP ").await;
        c.send(&long).await;
        c.send(b"\r\n").await;
        let rep = String::from_utf8_lossy(&c.imap_line().await).into_owned();
        assert!(
            rep.contains("BAD") || rep.starts_with("* BYE"),
            "IMAP long line: {rep}"
        );
    }
    still_serves(&r, "long lines", expect).await;
    expect += 1;

    // 2. A 100 MB literal announced before and after login: refused, no `+`.
    {
        let mut c = plain(r.addrs.imap).await;
        c.imap_line().await;
        c.send(b"a LOGIN {104857600}\r\n").await;
        let rep = String::from_utf8_lossy(&c.imap_line().await).into_owned();
        assert!(!rep.starts_with('+'), "literal before login: {rep}");
        let mut c = imap_login(&r).await;
        c.send(b"b APPEND INBOX {104857600}\r\n").await;
        let rep = String::from_utf8_lossy(&c.imap_line().await).into_owned();
        assert!(
            rep.starts_with("b NO") || rep.starts_with("b BAD"),
            "literal after login: {rep}"
        );
        c.imap_ok("c", "NOOP").await;
    }
    still_serves(&r, "huge literals", expect).await;
    expect += 1;

    // 3. DATA that never ends, then the connection drops: nothing stored.
    {
        let before = stored(&r).await;
        let mut c = plain(r.addrs.smtp).await;
        c.smtp_reply().await;
        c.smtp("EHLO c.test").await;
        c.smtp("MAIL FROM:<a@remote.test>").await;
        c.smtp("RCPT TO:<demo@example.test>").await;
        assert!(c.smtp("DATA").await.starts_with("354"));
        c.send(b"Subject: cut\r\n\r\nhalf a message\r\n").await;
        drop(c);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(stored(&r).await, before, "unterminated DATA was stored");
    }
    still_serves(&r, "unterminated DATA", expect).await;
    expect += 1;

    // 4. NUL bytes and 5. invalid UTF-8 in commands.
    {
        let mut c = plain(r.addrs.smtp).await;
        c.smtp_reply().await;
        c.send(b"EHLO c\0.test\r\n").await;
        assert!(c.smtp_reply().await.starts_with('5'));
        c.smtp("EHLO c.test").await;
        c.send(b"MAIL FROM:<\xff\xfe@remote.test>\r\n").await;
        assert!(c.smtp_reply().await.starts_with('5'));
        c.send(b"MAIL FROM:<a\0b@remote.test>\r\n").await;
        assert!(c.smtp_reply().await.starts_with('5'));
        assert!(c.smtp("NOOP").await.starts_with("250"));

        let mut c = plain(r.addrs.pop3).await;
        c.line().await;
        c.send(b"USER a\0b\r\n").await;
        assert!(c.line().await.starts_with("-ERR"));
        c.send(b"USER \xff\xfe\r\n").await;
        let _ = c.line().await;
        assert!(c.pop("NOOP").await.starts_with("-ERR"));

        let mut c = imap_login(&r).await;
        c.send(b"n1 SELECT \"IN\0BOX\"\r\n").await;
        let rep = String::from_utf8_lossy(&c.imap_until("n1").await).into_owned();
        assert!(rep.contains("n1 BAD") || rep.contains("n1 NO"), "{rep}");
        c.send(b"n2 SELECT \"\xff\xfe\"\r\n").await;
        let rep = String::from_utf8_lossy(&c.imap_until("n2").await).into_owned();
        assert!(rep.contains("n2 BAD") || rep.contains("n2 NO"), "{rep}");
        c.imap_ok("n3", "NOOP").await;
    }
    still_serves(&r, "NUL and invalid UTF-8", expect).await;
    expect += 1;

    // 6. Commands out of order.
    {
        let mut c = plain(r.addrs.smtp).await;
        c.smtp_reply().await;
        assert!(c.smtp("RCPT TO:<x@example.test>").await.starts_with("503"));
        c.smtp("EHLO c.test").await;
        assert!(c.smtp("DATA").await.starts_with("503"));
        assert!(c.smtp("RCPT TO:<x@example.test>").await.starts_with("503"));
        let mut c = plain(r.addrs.pop3).await;
        c.line().await;
        assert!(c.pop("PASS secret").await.starts_with("-ERR"));
        assert!(c.pop("RETR 1").await.starts_with("-ERR"));
        let mut c = plain(r.addrs.imap).await;
        c.imap_line().await;
        let rep = String::from_utf8_lossy(&c.imap("o1", "FETCH 1 FLAGS").await).into_owned();
        assert!(rep.contains("o1 BAD"), "{rep}");
        let rep = String::from_utf8_lossy(&c.imap("o2", "SELECT INBOX").await).into_owned();
        assert!(rep.contains("o2 BAD") || rep.contains("o2 NO"), "{rep}");
    }
    still_serves(&r, "out of order", expect).await;
    expect += 1;

    // 7. 10,000 pipelined commands, each answered in order: RCPTs in one
    // transaction (the first 1,000 taken, the rest refused with 452 as the
    // recipient limit says), and 10,000 NOOPs, which the junk-command limit
    // (100, as Postfix) ends with a 421 and a close.
    for (cmd, expect_replies) in [("RCPT TO:<demo@example.test>", 10_000), ("NOOP", 100)] {
        let s = TcpStream::connect(r.addrs.smtp).await.unwrap();
        let (mut rd, mut wr) = s.into_split();
        let writer = tokio::spawn(async move {
            let mut all = b"EHLO c.test\r\nMAIL FROM:<a@remote.test>\r\n".to_vec();
            for _ in 0..10_000 {
                all.extend_from_slice(cmd.as_bytes());
                all.extend_from_slice(b"\r\n");
            }
            all.extend_from_slice(b"QUIT\r\n");
            // The server may close before it has read everything.
            let _ = wr.write_all(&all).await;
            wr
        });
        let got = read_until_closed(&mut rd, Duration::from_secs(60)).await;
        let _wr = writer.await.unwrap();
        let text = String::from_utf8_lossy(&got);
        let lines: Vec<&str> = text.lines().collect();
        // Greeting, EHLO's last line and MAIL's reply come first.
        let answers: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.starts_with("220 ") && !l.starts_with("250-"))
            .skip(2)
            .collect();
        let replies = answers
            .iter()
            .filter(|l| l.starts_with("250 ") || l.starts_with("452 "))
            .count();
        assert_eq!(replies, expect_replies, "{cmd}: {:?}", answers.last());
        let last = answers.last().copied().unwrap_or_default();
        assert!(
            last.starts_with("221 ") || last.starts_with("421 "),
            "{cmd}: ends with {last:?}"
        );
    }
    still_serves(&r, "10,000 pipelined commands", expect).await;
    expect += 1;

    // 8. A client sending one byte a second (bounded to a few seconds) does
    // not hold up anyone else.
    {
        let mut slow = TcpStream::connect(r.addrs.smtp).await.unwrap();
        let slow_task = tokio::spawn(async move {
            for &b in b"EHLO" {
                slow.write_all(&[b]).await.unwrap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            slow
        });
        let t = Instant::now();
        assert!(deliver(&r, "beside a slow client").await);
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "blocked by the slow client"
        );
        drop(slow_task.await.unwrap());
    }
    still_serves(&r, "slow client", expect + 1).await;
    expect += 2;

    // 9. TLS garbage on the implicit-TLS ports: the connection ends.
    for addr in [r.addrs.submissions, r.addrs.pop3s, r.addrs.imaps] {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let mut junk = Vec::new();
        for i in 0..4096u32 {
            junk.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
        }
        let _ = s.write_all(&junk).await;
        let _ = read_until_closed(&mut s, Duration::from_secs(15)).await;
    }
    still_serves(&r, "TLS garbage", expect).await;
    expect += 1;

    // 10. A 10,000-deep parenthesised list, before and after login.
    {
        let deep = format!("d1 FETCH 1 {}\r\n", "(".repeat(10_000));
        let mut c = plain(r.addrs.imap).await;
        c.imap_line().await;
        c.send(deep.as_bytes()).await;
        let rep = String::from_utf8_lossy(&c.imap_line().await).into_owned();
        assert!(rep.contains("BAD") || rep.starts_with("* BYE"), "{rep}");
        let mut c = imap_login(&r).await;
        c.imap_ok("s", "SELECT INBOX").await;
        c.send(deep.as_bytes()).await;
        let rep = String::from_utf8_lossy(&c.imap_until("d1").await).into_owned();
        assert!(rep.contains("d1 BAD"), "{rep}");
        let search = format!(
            "d2 SEARCH {}ALL{}\r\n",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        c.send(search.as_bytes()).await;
        let rep = String::from_utf8_lossy(&c.imap_until("d2").await).into_owned();
        assert!(rep.contains("d2 BAD"), "{rep}");
        c.imap_ok("d3", "NOOP").await;
    }
    still_serves(&r, "deep lists", expect).await;
    expect += 1;

    // 11. 1,000 parallel connections: each is greeted or told to come back
    // later, none hangs.
    {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..1000 {
            let addr = [r.addrs.smtp, r.addrs.pop3, r.addrs.imap][i % 3];
            tasks.spawn(async move {
                // Connections open 2 ms apart (a SYN burst of 1,000 at once
                // trips the kernel's flood guard, not the server) and all
                // stay open until every one has its answer.
                tokio::time::sleep(Duration::from_millis(2 * i as u64)).await;
                let mut s = TcpStream::connect(addr)
                    .await
                    .map_err(|e| format!("connect: {e}"))?;
                let mut buf = [0u8; 512];
                match tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await {
                    Err(_) => Err("no greeting in 30 s".to_string()),
                    // A reset is a refusal too: the peer closed at once.
                    Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                        Ok((Vec::new(), s))
                    }
                    Ok(Err(e)) => Err(format!("read: {e}")),
                    Ok(Ok(n)) => Ok((buf[..n].to_vec(), s)),
                }
            });
        }
        let mut answered = 0;
        let mut failures = std::collections::BTreeMap::<String, usize>::new();
        let mut open = Vec::new();
        while let Some(res) = tasks.join_next().await {
            match res.unwrap() {
                Err(e) => *failures.entry(e).or_default() += 1,
                Ok((g, stream)) => {
                    open.push(stream);
                    assert!(
                        g.is_empty()
                            || g.starts_with(b"220")
                            || g.starts_with(b"421")
                            || g.starts_with(b"+OK")
                            || g.starts_with(b"-ERR")
                            || g.starts_with(b"* OK")
                            || g.starts_with(b"* BYE"),
                        "{}",
                        String::from_utf8_lossy(&g)
                    );
                    answered += 1;
                }
            }
        }
        assert_eq!(
            answered, 1000,
            "every connection got an answer or a close: {failures:?}"
        );
    }
    still_serves(&r, "1,000 parallel connections", expect).await;

    // And POP3 still logs in with the same account after all that.
    let mut c = pop_login(&r).await;
    assert!(c.pop("QUIT").await.starts_with("+OK"));
    r.shutdown(Duration::from_secs(1)).await;
}
