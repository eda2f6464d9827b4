#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    clippy::field_reassign_with_default
)]
//! Round trips of every command and response, fed in random pieces.

mod common;

use std::sync::Arc;

use bytes::BytesMut;
use proptest::collection::vec;
use proptest::prelude::*;
use yubin_pop3::apop::Digest;
use yubin_pop3::client::{self, CommandKind, Event as CEvent};
use yubin_pop3::encode;
use yubin_pop3::parse::{parse_capability, parse_command, parse_status_line};
use yubin_pop3::server::Config;
use yubin_pop3::types::{
    Capability, Command, Expire, InitialResponse, MsgNum, Reply, RespCode, Status,
};
use yubin_sasl::Secret;
use yubin_wire::{Line, LineFramer};

fn msg() -> impl Strategy<Value = MsgNum> {
    (1u32..=u32::MAX).prop_map(|n| MsgNum::new(n).unwrap())
}

fn name() -> impl Strategy<Value = String> {
    "[!-~]{1,40}"
}

fn any_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        name().prop_map(Command::User),
        "[ -~]{1,60}".prop_map(|p| Command::Pass(Secret::new(p))),
        (name(), any::<[u8; 16]>()).prop_map(|(n, d)| {
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            Command::Apop {
                name: n,
                digest: Digest::from_hex(hex.as_bytes()).unwrap(),
            }
        }),
        (
            "[A-Z0-9_-]{1,20}",
            prop::option::of(prop_oneof![
                Just(InitialResponse::Empty),
                "[A-Za-z0-9+/]{4,40}".prop_map(InitialResponse::Base64)
            ])
        )
            .prop_map(|(mechanism, initial)| Command::Auth { mechanism, initial }),
        Just(Command::Stat),
        prop::option::of(msg()).prop_map(Command::List),
        msg().prop_map(Command::Retr),
        msg().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        Just(Command::Quit),
        (msg(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        prop::option::of(msg()).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        Just(Command::Utf8),
    ]
}

fn any_code() -> impl Strategy<Value = RespCode> {
    prop_oneof![
        Just(RespCode::in_use()),
        Just(RespCode::login_delay()),
        Just(RespCode::sys_temp()),
        Just(RespCode::sys_perm()),
        Just(RespCode::auth()),
        "[A-Z]{1,8}(/[A-Z]{1,8}){0,2}".prop_map(|c| RespCode::new(&c).unwrap()),
    ]
}

fn any_reply() -> impl Strategy<Value = Reply> {
    (
        prop_oneof![Just(Status::Ok), Just(Status::Err)],
        prop::option::of(any_code()),
        "([!-Z\\\\-~][ -~]{0,60})?",
    )
        .prop_map(|(status, code, text)| Reply {
            status,
            code,
            text: text.trim_end().to_owned(),
        })
}

fn any_capability() -> impl Strategy<Value = Capability> {
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        vec("[A-Z0-9-]{1,20}", 0..4).prop_map(Capability::Sasl),
        Just(Capability::RespCodes),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        prop_oneof![
            Just(Expire::Never),
            any::<u32>().prop_map(Expire::Days),
            any::<u32>().prop_map(Expire::DaysPerUser)
        ]
        .prop_map(Capability::Expire),
        Just(Capability::Uidl),
        "[!-~]{1,10}( [!-~]{1,10}){0,3}".prop_map(Capability::Implementation),
        Just(Capability::Stls),
        Just(Capability::AuthRespCode),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        ("X-[A-Z]{1,8}", vec("[!-~]{1,8}", 0..3))
            .prop_map(|(name, params)| Capability::Other { name, params }),
    ]
}

/// Cuts `bytes` at the given offsets (taken modulo the length).
fn pieces(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|c| if bytes.is_empty() { 0 } else { c % bytes.len() })
        .collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for a in at {
        out.push(bytes[prev..a].to_vec());
        prev = a;
    }
    out.push(bytes[prev..].to_vec());
    out
}

fn server_output(input: &[Vec<u8>]) -> Vec<u8> {
    let now = common::t0();
    let mut config = Config::default();
    config.danger_allow_plaintext_auth = true;
    let (_, _, mut app) = common::config_from(&[]);
    app.messages = vec![
        ("a".into(), b"S: 1\r\n\r\n.x\r\n".to_vec()),
        ("b".into(), b"S: 2\r\n\r\nyy\r\n".to_vec()),
    ];
    let mut s = common::session(config, None, now);
    let mut out = Vec::new();
    app.drive(&mut s, &mut out);
    for piece in input {
        out.extend(common::exchange(&mut app, &mut s, now, piece));
    }
    out
}

proptest! {
    #[test]
    fn command_survives_any_split(cmds in vec(any_command(), 1..6), cuts in vec(0usize..2000, 0..8)) {
        let mut wire = BytesMut::new();
        for c in &cmds {
            c.encode(&mut wire);
        }
        let mut framer = LineFramer::new(4096);
        let mut rx = BytesMut::new();
        let mut got = Vec::new();
        for piece in pieces(&wire, &cuts) {
            rx.extend_from_slice(&piece);
            while let Some(line) = framer.next_line(&mut rx) {
                let Line::Complete(line) = line else { panic!("too long") };
                got.push(parse_command(&line).unwrap());
            }
        }
        prop_assert_eq!(got, cmds);
    }

    #[test]
    fn reply_round_trips(r in any_reply()) {
        let bytes = r.to_bytes();
        let s = parse_status_line(&bytes[..bytes.len() - 2]).unwrap();
        prop_assert_eq!(s.status, r.status);
        prop_assert_eq!(s.code, r.code);
        prop_assert_eq!(s.text, r.text);
    }

    #[test]
    fn capability_round_trips(c in any_capability()) {
        let mut out = BytesMut::new();
        c.encode(&mut out);
        prop_assert_eq!(parse_capability(&out[..out.len() - 2]).unwrap(), c);
    }

    /// Responses of every kind, encoded by the server's encoders, parsed by
    /// the client session from any split.
    #[test]
    fn responses_survive_any_split(
        greeting in any_reply(),
        caps in vec(any_capability(), 0..8),
        stat in (any::<u32>(), any::<u64>()),
        list in vec((1u32..100_000, any::<u64>()), 0..6),
        uids in vec((1u32..100_000, "[!-~]{1,70}"), 0..6),
        body in vec(prop_oneof![Just(b".".to_vec()), Just(b"\r\n".to_vec()), Just(b"..".to_vec()), "[a-z ]{0,5}".prop_map(String::into_bytes)], 0..20),
        err in any_reply(),
        cuts in vec(0usize..4000, 0..10),
    ) {
        let greeting = Reply { status: Status::Ok, ..greeting };
        let err = Reply { status: Status::Err, ..err };
        let body: Vec<u8> = body.concat();
        let mut wire = BytesMut::new();
        greeting.encode(&mut wire);
        Reply::ok("caps").encode(&mut wire);
        for c in &caps { c.encode(&mut wire); }
        encode::end_multi_line(&mut wire);
        Reply::ok(format!("{} {}", stat.0, stat.1)).encode(&mut wire);
        Reply::ok("list").encode(&mut wire);
        for (n, o) in &list { encode::list_line(&mut wire, *n, *o); }
        encode::end_multi_line(&mut wire);
        Reply::ok("").encode(&mut wire);
        for (n, u) in &uids { encode::uidl_line(&mut wire, *n, u); }
        encode::end_multi_line(&mut wire);
        Reply::ok("body").encode(&mut wire);
        let mut st = yubin_wire::dot::Stuffer::new();
        st.push(&body, &mut wire);
        st.finish(&mut wire);
        err.encode(&mut wire);

        let now = common::t0();
        let mut c = client::Session::new(Arc::new(client::Config::default()), now);
        c.capa().unwrap();
        c.stat().unwrap();
        c.list(None).unwrap();
        c.uidl(None).unwrap();
        c.retr(MsgNum::new(1).unwrap()).unwrap();
        c.noop().unwrap();
        let mut events = Vec::new();
        for piece in pieces(&wire, &cuts) {
            let mut rest = &piece[..];
            while !rest.is_empty() {
                let n = c.receive(now, rest);
                rest = &rest[n..];
                while let Some(e) = c.next_event() { events.push(e); }
            }
        }
        while let Some(e) = c.next_event() { events.push(e); }
        let mut it = events.into_iter();
        match it.next() {
            Some(CEvent::Greeting { reply, .. }) => prop_assert_eq!(reply, greeting),
            other => prop_assert!(false, "{:?}", other),
        }
        let ok = matches!(it.next(), Some(CEvent::Reply { command: CommandKind::Capa, .. }));
        prop_assert!(ok);
        match it.next() {
            Some(CEvent::Capabilities(got)) => prop_assert_eq!(got, caps),
            other => prop_assert!(false, "{:?}", other),
        }
        prop_assert!(matches!(it.next(), Some(CEvent::End(CommandKind::Capa))));
        let stat_ok = matches!(it.next(), Some(CEvent::Stat { count, octets }) if (count, octets) == stat);
        prop_assert!(stat_ok);
        let ok = matches!(it.next(), Some(CEvent::Reply { command: CommandKind::List, .. }));
        prop_assert!(ok);
        for (n, o) in &list {
            let ok = matches!(it.next(), Some(CEvent::ListEntry(e)) if e.msg.get() == *n && e.octets == *o);
            prop_assert!(ok);
        }
        prop_assert!(matches!(it.next(), Some(CEvent::End(CommandKind::List))));
        let ok = matches!(it.next(), Some(CEvent::Reply { command: CommandKind::Uidl, .. }));
        prop_assert!(ok);
        for (n, u) in &uids {
            let ok = matches!(it.next(), Some(CEvent::UidlEntry(e)) if e.msg.get() == *n && &e.uid == u);
            prop_assert!(ok);
        }
        prop_assert!(matches!(it.next(), Some(CEvent::End(CommandKind::Uidl))));
        let ok = matches!(it.next(), Some(CEvent::Reply { command: CommandKind::Retr, .. }));
        prop_assert!(ok);
        let mut got_body = Vec::new();
        loop {
            match it.next() {
                Some(CEvent::BodyChunk(b)) => got_body.extend_from_slice(&b),
                Some(CEvent::End(CommandKind::Retr)) => break,
                other => prop_assert!(false, "{:?}", other),
            }
        }
        // The stuffer ends a body without a final CRLF with one.
        let mut want = body.clone();
        if !want.is_empty() && !want.ends_with(b"\r\n") { want.extend_from_slice(b"\r\n"); }
        prop_assert_eq!(got_body, want);
        match it.next() {
            Some(CEvent::Reply { command: CommandKind::Noop, reply }) => prop_assert_eq!(reply, err),
            other => prop_assert!(false, "{:?}", other),
        }
        prop_assert!(it.next().is_none());
    }

    /// The server gives the same output however its input is split.
    #[test]
    fn server_output_independent_of_split(cuts in vec(0usize..300, 0..12)) {
        let script = b"CAPA\r\nUSER mrose\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL 2\r\nTOP 1 0\r\nRETR 1\r\nDELE 1\r\nRETR 1\r\nRSET\r\nBOGUS\r\nNOOP\r\nQUIT\r\n";
        let whole = server_output(&[script.to_vec()]);
        prop_assert_eq!(server_output(&pieces(script, &cuts)), whole);
    }
}
