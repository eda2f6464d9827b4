#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    clippy::field_reassign_with_default
)]
//! Server session behaviour beyond the transcripts: deletion safety,
//! streaming with back-pressure, TOP across chunk boundaries, tickets.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::*;
use yubin_pop3::server::{
    BodyDemand, CloseReason, Config, Event, Maildrop, Session, SessionError, Tls,
};
use yubin_pop3::types::Reply;

fn plaintext() -> Config {
    let mut c = Config::default();
    c.danger_allow_plaintext_auth = true;
    c
}

fn logged_in(app: &mut App, config: Config) -> (Session, std::time::Instant) {
    let now = t0();
    let mut s = session(config, None, now);
    let mut out = Vec::new();
    app.drive(&mut s, &mut out);
    let got = exchange(app, &mut s, now, b"USER mrose\r\nPASS secret\r\n");
    assert!(
        String::from_utf8_lossy(&got).contains("maildrop has"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    (s, now)
}

fn two_messages() -> App {
    let mut app = App::default();
    app.messages = vec![
        ("a".into(), b"Subject: a\r\n\r\nbody a\r\n".to_vec()),
        ("b".into(), b"Subject: b\r\n\r\nbody b\r\n".to_vec()),
    ];
    app
}

#[test]
fn rfc1939_6_disconnect_deletes_nothing() {
    let mut app = two_messages();
    let (mut s, now) = logged_in(&mut app, plaintext());
    exchange(&mut app, &mut s, now, b"DELE 1\r\nDELE 2\r\n");
    drop(s); // the connection drops: the app never sees an UPDATE
    assert!(app.updates.is_empty());
    assert!(app.removed.is_empty());
}

#[test]
fn rfc1939_3_timeout_deletes_nothing() {
    let mut app = two_messages();
    let (mut s, now) = logged_in(&mut app, plaintext());
    exchange(&mut app, &mut s, now, b"DELE 1\r\n");
    let d = s.deadline().unwrap();
    assert_eq!(d, now + std::time::Duration::from_secs(600));
    s.timeout(d - std::time::Duration::from_millis(1));
    assert!(!s.is_closed(), "not before the deadline");
    s.timeout(d);
    assert!(s.is_closed());
    let mut out = Vec::new();
    app.drive(&mut s, &mut out);
    assert_eq!(app.closed, vec![CloseReason::Timeout]);
    assert!(app.updates.is_empty());
    // Late input is ignored.
    assert_eq!(s.receive(d, b"QUIT\r\n"), 6);
    app.drive(&mut s, &mut out);
    assert!(app.updates.is_empty());
    assert!(s.next_event().is_none());
    assert_eq!(s.deadline(), None);
}

#[test]
fn error_close_deletes_nothing() {
    let mut app = two_messages();
    let mut c = plaintext();
    c.limits.max_bad_commands = 2;
    let (mut s, now) = logged_in(&mut app, c);
    exchange(
        &mut app,
        &mut s,
        now,
        b"DELE 1\r\nBOGUS\r\nBOGUS\r\nQUIT\r\n",
    );
    assert!(s.is_closed());
    assert_eq!(app.closed, vec![CloseReason::TooManyBadCommands]);
    assert!(
        app.updates.is_empty(),
        "QUIT after the fatal error is ignored"
    );
}

#[test]
fn rfc1939_dele_rset_quit_deletes_nothing() {
    let mut app = two_messages();
    let (mut s, now) = logged_in(&mut app, plaintext());
    exchange(
        &mut app,
        &mut s,
        now,
        b"DELE 1\r\nDELE 2\r\nRSET\r\nQUIT\r\n",
    );
    assert_eq!(app.updates, vec![Vec::<u32>::new()]);
    assert!(app.removed.is_empty());
}

#[test]
fn rfc1939_dele_quit_deletes_exactly_the_marked() {
    let mut app = two_messages();
    app.messages.push(("c".into(), b"x\r\n".to_vec()));
    let (mut s, now) = logged_in(&mut app, plaintext());
    let out = exchange(&mut app, &mut s, now, b"DELE 3\r\nDELE 1\r\nQUIT\r\n");
    assert_eq!(app.updates, vec![vec![1, 3]]);
    assert_eq!(app.removed, vec![1, 3]);
    assert!(String::from_utf8_lossy(&out).ends_with("signing off (1 message left)\r\n"));
}

#[test]
fn top_counts_lines_across_any_chunking() {
    let msg = b"H1: a\r\nH2: b\r\n\r\n.l1\r\nl2\r\n\r\nl4\r\nl5\r\n".to_vec();
    let expected_for = |n: u32| -> Vec<u8> {
        let body_lines = [".l1", "l2", "", "l4", "l5"];
        let mut e = b"+OK\r\nH1: a\r\nH2: b\r\n\r\n".to_vec();
        for l in body_lines.iter().take(n as usize) {
            if l.starts_with('.') {
                e.push(b'.');
            }
            e.extend_from_slice(l.as_bytes());
            e.extend_from_slice(b"\r\n");
        }
        e.extend_from_slice(b".\r\n");
        e
    };
    for chunk in [1, 2, 3, 5, 8, 100] {
        for n in 0..7u32 {
            let mut app = App::default();
            app.chunk = chunk;
            app.messages = vec![("u".into(), msg.clone())];
            let (mut s, now) = logged_in(&mut app, plaintext());
            let out = exchange(&mut app, &mut s, now, format!("TOP 1 {n}\r\n").as_bytes());
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&expected_for(n)),
                "chunk {chunk}, n {n}"
            );
        }
    }
}

#[test]
fn top_of_a_message_without_body_or_final_crlf() {
    let mut app = App::default();
    app.messages = vec![("u".into(), b"H: a\r\nH: b".to_vec())];
    let (mut s, now) = logged_in(&mut app, plaintext());
    let out = exchange(&mut app, &mut s, now, b"TOP 1 0\r\nRETR 1\r\n");
    assert_eq!(
        String::from_utf8_lossy(&out),
        "+OK\r\nH: a\r\nH: b\r\n.\r\n+OK 10 octets\r\nH: a\r\nH: b\r\n.\r\n"
    );
}

#[test]
fn retr_streams_with_back_pressure() {
    let mut c = plaintext();
    c.limits.max_output_octets = 1024;
    let mut body = Vec::new();
    for i in 0..20_000 {
        body.extend_from_slice(format!(".line {i}\r\n").as_bytes());
    }
    let mut app = App::default();
    app.messages = vec![("big".into(), body.clone())];
    let (mut s, now) = logged_in(&mut app, c);
    let mut out = Vec::new();
    assert_eq!(s.receive(now, b"RETR 1\r\nNOOP\r\n"), 14);
    let Some(Event::Retrieve { ticket, .. }) = s.next_event() else {
        panic!()
    };
    let r = s.start_body(ticket).unwrap();
    let mut rest = Bytes::from(body.clone());
    let mut max_seen = 0;
    loop {
        max_seen = max_seen.max(s.outgoing().len());
        match s.body_demand() {
            Some(BodyDemand::Ready) if !rest.is_empty() => {
                let chunk = rest.split_to(rest.len().min(4096));
                s.send_body(&r, chunk.clone()).unwrap();
                // A second chunk before the first is written is refused.
                if !s.outgoing().is_empty() && s.body_demand() == Some(BodyDemand::Wait) {
                    assert_eq!(s.send_body(&r, chunk), Err(SessionError::BodyBusy));
                }
            }
            Some(BodyDemand::Ready) => {
                s.finish_body(r).unwrap();
                break;
            }
            Some(BodyDemand::Wait) => {
                // Nothing more is taken while the output is full.
                if s.outgoing().len() >= 1024 {
                    assert_eq!(s.receive(now, b"NOOP\r\n"), 0);
                }
                let n = s.outgoing().len().min(700);
                out.extend_from_slice(&s.outgoing()[..n]);
                s.sent(n);
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        max_seen <= 2 * 1024 + 64,
        "output stayed bounded: {max_seen}"
    );
    flush(&mut s, &mut out);
    let mut expected = format!("+OK {} octets\r\n", body.len()).into_bytes();
    for i in 0..20_000 {
        expected.extend_from_slice(format!("..line {i}\r\n").as_bytes());
    }
    expected.extend_from_slice(b".\r\n+OK\r\n");
    assert_eq!(out.len(), expected.len());
    assert!(out == expected);
}

#[test]
fn list_streams_large_maildrops() {
    let mut c = plaintext();
    c.limits.max_output_octets = 1024;
    let mut app = App::default();
    app.messages = (0..5000)
        .map(|i| (format!("u{i}"), b"x\r\n".to_vec()))
        .collect();
    let (mut s, now) = logged_in(&mut app, c);
    let mut out = Vec::new();
    s.receive(now, b"UIDL\r\nLIST\r\nSTAT\r\n");
    let mut max_seen = 0;
    while !s.outgoing().is_empty() {
        max_seen = max_seen.max(s.outgoing().len());
        flush(&mut s, &mut out);
    }
    assert!(max_seen < 1024 + 700, "{max_seen}");
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("+OK\r\n1 u0\r\n"));
    assert!(text.contains("5000 u4999\r\n.\r\n+OK 5000 messages (15000 octets)\r\n1 3\r\n"));
    assert!(text.ends_with("5000 3\r\n.\r\n+OK 5000 15000\r\n"));
}

#[test]
fn tickets_cannot_be_misused() {
    let now = t0();
    let mut a = session(plaintext(), None, now);
    let mut b = session(plaintext(), None, now);
    a.receive(now, b"USER x\r\n");
    b.receive(now, b"USER y\r\n");
    let Some(Event::User { ticket: ta, .. }) = a.next_event() else {
        panic!()
    };
    let Some(Event::User { ticket: tb, .. }) = b.next_event() else {
        panic!()
    };
    // A ticket from another session is refused, not panicked on.
    assert_eq!(a.accept_user(tb, None), Err(SessionError::WrongTicket));
    // A ticket of another kind is refused and stays pending.
    assert_eq!(
        a.accept_login(ta, Maildrop::default(), None),
        Err(SessionError::WrongTicket)
    );
    // b's decision was lost with its ticket above; b is still waiting.
    assert!(b.next_event().is_none());
    assert_eq!(a.tls_established(), Err(SessionError::NoTlsPending));
}

#[test]
fn stls_discards_pipelined_input_and_waits_for_tls() {
    let now = t0();
    let mut c = Config::default();
    c.tls = Tls::Stls;
    let mut s = session(c, None, now);
    s.sent(s.outgoing().len());
    assert_eq!(s.receive(now, b"STLS\r\nUSER evil\r\n"), 17);
    assert!(matches!(s.next_event(), Some(Event::StartTls)));
    assert!(s.next_event().is_none(), "the pipelined USER is gone");
    assert_eq!(s.outgoing(), b"+OK Begin TLS negotiation\r\n");
    assert_eq!(s.receive(now, b"CAPA\r\n"), 0, "no input until TLS is up");
    s.sent(s.outgoing().len());
    s.tls_established().unwrap();
    assert!(s.is_tls());
    s.receive(now, b"CAPA\r\n");
    let capa = String::from_utf8_lossy(s.outgoing()).into_owned();
    assert!(capa.contains("USER\r\n"), "{capa}");
    assert!(capa.contains(
        "SASL SCRAM-SHA-256 SCRAM-SHA-1 OAUTHBEARER XOAUTH2 EXTERNAL CRAM-MD5 PLAIN LOGIN\r\n"
    ));
    assert!(!capa.contains("STLS"));
}

#[test]
fn implicit_tls_allows_plaintext_logins() {
    let mut c = Config::default();
    c.tls = Tls::Implicit;
    let mut app = two_messages();
    let (s, _) = logged_in(&mut app, c);
    assert_eq!(s.user(), Some("mrose"));
}

#[test]
fn reject_forces_err_status() {
    let now = t0();
    let mut s = session(plaintext(), None, now);
    s.sent(s.outgoing().len());
    s.receive(now, b"USER x\r\n");
    let Some(Event::User { ticket, .. }) = s.next_event() else {
        panic!()
    };
    s.reject(ticket, Reply::ok("no such user")).unwrap();
    assert_eq!(s.outgoing(), b"-ERR no such user\r\n");
}

#[test]
fn apop_greeting_carries_the_timestamp_only_when_enabled() {
    let now = t0();
    let ts = yubin_pop3::apop::Timestamp::parse("<1.2@h>").unwrap();
    let s = Session::new(Arc::new(Config::default()), now, [0; 18], Some(ts.clone()));
    assert_eq!(s.outgoing(), b"+OK POP3 server ready\r\n");
    let mut c = Config::default();
    c.enable_apop = true;
    let s = Session::new(Arc::new(c), now, [0; 18], Some(ts));
    assert_eq!(s.outgoing(), b"+OK POP3 server ready <1.2@h>\r\n");
}

#[test]
fn receive_buffer_is_bounded() {
    let now = t0();
    let mut c = plaintext();
    // Below the 255-octet command line: raised to 255.
    c.limits.max_input_octets = 100;
    c.limits.max_auth_line_octets = 100;
    let mut s = session(c, None, now);
    s.sent(s.outgoing().len());
    // USER waits for a decision: nothing more is parsed, and the buffer fills.
    let mut input = b"USER x\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'N', 500));
    let n = s.receive(now, &input);
    assert_eq!(n, 255);
    let m = s.receive(now, &[b'N'; 500]);
    assert_eq!(m, 8, "only the room freed by the USER line");
    assert_eq!(s.receive(now, b"more"), 0);
}
