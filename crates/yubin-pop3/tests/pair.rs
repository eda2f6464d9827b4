#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    clippy::field_reassign_with_default
)]
//! A client session wired to a server session in memory, no sockets: every
//! command, both directions, on a simulated clock.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use yubin_pop3::apop::Timestamp;
use yubin_pop3::client::{self, CommandKind, Event as CEvent};
use yubin_pop3::server::{Config, Session as Server, Tls};
use yubin_pop3::types::{Capability, MsgNum, Status};
use yubin_sasl::Secret;

struct Pair {
    c: client::Session,
    s: Server,
    app: App,
    now: Instant,
    to_client: Vec<u8>,
    events: Vec<CEvent>,
}

impl Pair {
    fn new(config: Config, ts: Option<Timestamp>, messages: Vec<(String, Vec<u8>)>) -> Self {
        let now = t0();
        let mut app = App::default();
        app.messages = messages;
        app.chunk = 5;
        let s = Server::new(Arc::new(config), now, [9; 18], ts);
        let mut cc = client::Config::default();
        cc.limits.max_input_octets = 64;
        let c = client::Session::new(Arc::new(cc), now);
        Self {
            c,
            s,
            app,
            now,
            to_client: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Runs both sides until neither moves; returns the client's events.
    fn run(&mut self) -> Vec<CEvent> {
        for _ in 0..100_000 {
            let mut moved = false;
            let out = self.c.outgoing().to_vec();
            if !out.is_empty() {
                let n = self.s.receive(self.now, &out);
                self.c.sent(n);
                moved |= n > 0;
            }
            let before = self.to_client.len();
            self.app.drive(&mut self.s, &mut self.to_client);
            moved |= self.to_client.len() != before;
            if !self.to_client.is_empty() {
                let n = self.c.receive(self.now, &self.to_client);
                self.to_client.drain(..n);
                moved |= n > 0;
            }
            while let Some(e) = self.c.next_event() {
                moved = true;
                self.events.push(e);
            }
            if !moved {
                return std::mem::take(&mut self.events);
            }
        }
        panic!("pair did not settle");
    }
}

fn ok_reply(events: &[CEvent], kind: CommandKind) -> bool {
    events.iter().any(|e| {
        matches!(e, CEvent::Reply { command, reply } if *command == kind && reply.status == Status::Ok)
    })
}

fn body(events: &[CEvent]) -> Vec<u8> {
    let mut b = Vec::new();
    for e in events {
        if let CEvent::BodyChunk(c) = e {
            b.extend_from_slice(c);
        }
    }
    b
}

fn m(n: u32) -> MsgNum {
    MsgNum::new(n).unwrap()
}

const DOTTY: &[u8] =
    b".first line starts with a dot\r\nSubject: x\r\n\r\n.\r\n..\r\n.. .\r\nend\r\n";

#[test]
fn pair_every_command() {
    let mut config = Config::default();
    config.tls = Tls::Stls;
    config.implementation = Some("yubin".into());
    let messages = vec![
        ("uid-1".to_owned(), DOTTY.to_vec()),
        (
            "uid-2".to_owned(),
            b"Subject: two\r\n\r\nl1\r\nl2\r\nl3\r\n".to_vec(),
        ),
        (
            "uid-3".to_owned(),
            b"Subject: three\r\n\r\nbye\r\n".to_vec(),
        ),
    ];
    let mut p = Pair::new(config, None, messages);
    let ev = p.run();
    assert!(matches!(&ev[0], CEvent::Greeting { reply, timestamp: None } if reply.is_ok()));

    // CAPA before TLS: no USER, no plaintext SASL; STLS offered.
    p.c.capa().unwrap();
    let ev = p.run();
    let caps = ev
        .iter()
        .find_map(|e| match e {
            CEvent::Capabilities(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap();
    assert!(caps.contains(&Capability::Stls));
    assert!(!caps.contains(&Capability::User));
    assert!(caps.contains(&Capability::Implementation("yubin".into())));

    // STLS: both sides "handshake".
    p.c.stls().unwrap();
    assert!(p.c.noop().is_err(), "nothing may follow STLS");
    let ev = p.run();
    assert!(ev.iter().any(|e| matches!(e, CEvent::StartTls)));
    // The scripted app did the server side of the handshake.
    assert!(p.s.is_tls());
    p.c.tls_established();

    // UTF8, then USER/PASS with a password with spaces.
    p.c.utf8().unwrap();
    p.c.user("spacey").unwrap();
    p.c.pass(&Secret::new(" tan staaf".into())).unwrap();
    let ev = p.run();
    assert!(ok_reply(&ev, CommandKind::Utf8));
    assert!(ok_reply(&ev, CommandKind::User));
    assert!(ok_reply(&ev, CommandKind::Pass), "{ev:?}");
    assert!(p.s.utf8_enabled());

    p.c.stat().unwrap();
    p.c.list(None).unwrap();
    p.c.list(Some(m(2))).unwrap();
    p.c.uidl(None).unwrap();
    p.c.uidl(Some(m(3))).unwrap();
    let ev = p.run();
    assert!(
        ev.iter()
            .any(|e| matches!(e, CEvent::Stat { count: 3, .. }))
    );
    let lists: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            CEvent::ListEntry(l) => Some((l.msg.get(), l.octets)),
            _ => None,
        })
        .collect();
    assert_eq!(
        lists,
        vec![(1, DOTTY.len() as u64), (2, 28), (3, 23), (2, 28)]
    );
    let uids: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            CEvent::UidlEntry(u) => Some(u.uid.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(uids, ["uid-1", "uid-2", "uid-3", "uid-3"]);

    // RETR: `.` lines round-trip byte-exact.
    p.c.retr(m(1)).unwrap();
    let ev = p.run();
    assert_eq!(body(&ev), DOTTY);
    assert!(
        ev.iter()
            .any(|e| matches!(e, CEvent::End(CommandKind::Retr)))
    );

    // TOP n 0 and TOP n 2.
    p.c.top(m(2), 0).unwrap();
    let ev = p.run();
    assert_eq!(body(&ev), b"Subject: two\r\n\r\n");
    p.c.top(m(2), 2).unwrap();
    let ev = p.run();
    assert_eq!(body(&ev), b"Subject: two\r\n\r\nl1\r\nl2\r\n");

    // DELE, RSET, DELE, NOOP, errors, QUIT.
    p.c.dele(m(1)).unwrap();
    p.c.rset().unwrap();
    p.c.dele(m(2)).unwrap();
    p.c.retr(m(2)).unwrap();
    p.c.retr(m(9)).unwrap();
    p.c.noop().unwrap();
    let ev = p.run();
    assert!(ok_reply(&ev, CommandKind::Dele));
    assert!(ok_reply(&ev, CommandKind::Rset));
    assert!(ok_reply(&ev, CommandKind::Noop));
    let errs = ev
        .iter()
        .filter(
            |e| matches!(e, CEvent::Reply { command: CommandKind::Retr, reply } if !reply.is_ok()),
        )
        .count();
    assert_eq!(errs, 2);
    p.c.quit().unwrap();
    let ev = p.run();
    assert!(ok_reply(&ev, CommandKind::Quit));
    assert!(ev.iter().any(|e| matches!(e, CEvent::Closed)));
    assert!(p.c.is_closed());
    assert!(p.s.is_closed());
    assert_eq!(p.app.removed, vec![2]);
}

#[test]
fn pair_apop() {
    let mut config = Config::default();
    config.enable_apop = true;
    let ts = Timestamp::new(&[1, 2, 3, 4], 1_700_000_000, "pop.example").unwrap();
    let mut p = Pair::new(config, Some(ts.clone()), vec![]);
    let ev = p.run();
    assert!(matches!(&ev[0], CEvent::Greeting { timestamp: Some(t), .. } if *t == ts));
    p.c.apop("mrose", &Secret::new(APOP_SECRET.into())).unwrap();
    let ev = p.run();
    assert!(ok_reply(&ev, CommandKind::Apop), "{ev:?}");
    p.c.quit().unwrap();
    p.run();
    assert!(p.c.is_closed());
}

#[test]
fn pair_auth_plain_and_login() {
    use base64::Engine as _;
    let mut config = Config::default();
    config.tls = Tls::Implicit;
    let mut p = Pair::new(config, None, vec![]);
    p.run();
    // PLAIN after an empty challenge, with a wrong password first.
    p.c.auth("PLAIN", None).unwrap();
    let ev = p.run();
    assert!(matches!(&ev[0], CEvent::AuthChallenge(c) if c.is_empty()));
    p.c.auth_respond(b"\0test\0wrong").unwrap();
    let ev = p.run();
    let CEvent::Reply { reply, .. } = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(reply.code.as_ref().unwrap().as_str(), "AUTH");
    // LOGIN: user and password as challenges.
    p.c.auth("LOGIN", None).unwrap();
    let ev = p.run();
    assert!(matches!(&ev[0], CEvent::AuthChallenge(c) if c == b"Username:"));
    p.c.auth_respond(b"test").unwrap();
    let ev = p.run();
    assert!(matches!(&ev[0], CEvent::AuthChallenge(c) if c == b"Password:"));
    p.c.auth_respond(b"test").unwrap();
    let ev = p.run();
    assert!(ok_reply(&ev, CommandKind::Auth), "{ev:?}");
    // A second AUTH is refused in TRANSACTION.
    let ir = base64::engine::general_purpose::STANDARD.encode(b"\0test\0test");
    assert!(!ir.is_empty());
    p.c.auth("PLAIN", Some(b"\0test\0test")).unwrap();
    let ev = p.run();
    assert!(matches!(&ev[0], CEvent::Reply { reply, .. } if !reply.is_ok()));
}

#[test]
fn client_refuses_malformed_timestamp() {
    let now = t0();
    let mut c = client::Session::new(Arc::new(client::Config::default()), now);
    c.receive(now, b"+OK ready <no-at-sign>\r\n");
    let Some(CEvent::Greeting { timestamp, .. }) = c.next_event() else {
        panic!()
    };
    assert!(timestamp.is_none());
    assert!(c.apop("u", &Secret::new("s".into())).is_err());
    assert!(c.outgoing().is_empty());
}
