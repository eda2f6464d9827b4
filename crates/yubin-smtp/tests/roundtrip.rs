#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! proptest: every command and reply round-trips encode -> parse, with the
//! bytes fed through the line framer in random pieces.

use bytes::BytesMut;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use yubin_smtp::parse::{parse_command, parse_reply, reply_from_lines};
use yubin_smtp::{
    AddressLiteral, BodyType, Command, Domain, EnhancedCode, ForwardPath, Host, MailParams,
    Mailbox, Notify, Orcpt, RcptParams, Reply, ReplyCode, Ret, ReversePath,
};
use yubin_wire::{Line, LineFramer};

/// Feeds `bytes` cut at `cuts` through a framer; returns the lines.
fn lines_in_pieces(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut framer = LineFramer::new(4096);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(bytes.len());
    for c in cuts {
        buf.extend_from_slice(&bytes[pos..c.max(pos)]);
        pos = c.max(pos);
        while let Some(l) = framer.next_line(&mut buf) {
            match l {
                Line::Complete(b) => out.push(b.to_vec()),
                Line::TooLong { .. } => panic!("too long"),
            }
        }
    }
    assert!(buf.is_empty());
    out
}

fn domain() -> impl Strategy<Value = Domain> {
    "[a-z][a-z0-9-]{0,6}[a-z0-9](\\.[a-z][a-z0-9]{0,8}){0,3}".prop_map(|s| Domain::new(&s).unwrap())
}

fn host() -> impl Strategy<Value = Host> {
    prop_oneof![
        domain().prop_map(Host::Domain),
        any::<[u8; 4]>().prop_map(|a| Host::Literal(AddressLiteral::V4(a.into()))),
        any::<[u16; 8]>().prop_map(|a| Host::Literal(AddressLiteral::V6(a.into()))),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    let local = prop_oneof![
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\\.[a-zA-Z0-9_-]{1,5}){0,2}",
        "\"[a-z @<>]{0,8}\"",
        "[a-z\u{e9}\u{7528}]{1,6}",
    ];
    (local, domain()).prop_map(|(l, d)| Mailbox::new(&format!("{l}@{d}")).unwrap())
}

fn xtext_value() -> impl Strategy<Value = String> {
    "[ -~\u{e9}]{1,20}"
}

fn mail_params() -> impl Strategy<Value = MailParams> {
    (
        option::of(any::<u64>()),
        option::of(prop_oneof![
            Just(BodyType::SevenBit),
            Just(BodyType::EightBitMime),
            Just(BodyType::BinaryMime)
        ]),
        any::<bool>(),
        option::of(prop_oneof![
            Just("<>".to_owned()),
            mailbox().prop_map(|m| m.to_string())
        ]),
        option::of(prop_oneof![Just(Ret::Full), Just(Ret::Hdrs)]),
        option::of(xtext_value()),
        any::<bool>(),
    )
        .prop_map(
            |(size, body, smtputf8, auth, ret, envid, requiretls)| MailParams {
                size,
                body,
                smtputf8,
                auth,
                ret,
                envid,
                requiretls,
            },
        )
}

fn rcpt_params() -> impl Strategy<Value = RcptParams> {
    let notify = prop_oneof![
        Just(Notify::Never),
        (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_filter("one on", |(a, b, c)| *a || *b || *c)
            .prop_map(|(success, failure, delay)| Notify::On {
                success,
                failure,
                delay
            }),
    ];
    let orcpt = ("rfc822|utf-8|x-[a-z]{1,4}", xtext_value())
        .prop_map(|(addr_type, addr)| Orcpt { addr_type, addr });
    (option::of(notify), option::of(orcpt)).prop_map(|(notify, orcpt)| RcptParams { notify, orcpt })
}

fn text() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,20}[!-~])?"
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        host().prop_map(Command::Ehlo),
        host().prop_map(Command::Helo),
        host().prop_map(Command::Lhlo),
        (
            prop_oneof![
                Just(ReversePath::Null),
                mailbox().prop_map(ReversePath::Mailbox)
            ],
            mail_params()
        )
            .prop_map(|(from, params)| Command::Mail { from, params }),
        (
            prop_oneof![
                Just(ForwardPath::Postmaster),
                mailbox().prop_map(ForwardPath::Mailbox)
            ],
            rcpt_params()
        )
            .prop_map(|(to, params)| Command::Rcpt { to, params }),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        option::of(text()).prop_map(Command::Noop),
        Just(Command::Quit),
        text().prop_map(Command::Vrfy),
        text().prop_map(Command::Expn),
        option::of(text()).prop_map(Command::Help),
        Just(Command::StartTls),
        (
            "[A-Z][A-Z0-9_-]{0,19}",
            option::of(prop_oneof![
                Just("=".to_owned()),
                vec(any::<u8>(), 1..40).prop_map(|b| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.encode(b)
                })
            ])
        )
            .prop_map(|(mechanism, initial)| Command::Auth { mechanism, initial }),
        vec(("[A-Z]{1,10}", "\\PC{0,12}"), 1..5).prop_map(Command::Xclient),
    ]
}

fn reply() -> impl Strategy<Value = Reply> {
    (
        2u16..=5,
        0u16..=5,
        0u16..=9,
        0u16..=999,
        0u16..=999,
        any::<bool>(),
        vec("[A-Za-z][ -~]{0,30}", 1..5),
    )
        .prop_map(|(a, b, c, s, d, with_enh, lines)| {
            let code = ReplyCode::new(a * 100 + b * 10 + c).unwrap();
            let enh = if with_enh && a != 3 {
                EnhancedCode::new(a as u8, s, d)
            } else {
                None
            };
            Reply::multiline(code, enh, lines.into_iter().map(Into::into).collect())
        })
}

proptest! {
    #[test]
    fn command_survives_any_split(cmd in command(), cuts in vec(any::<usize>(), 0..8)) {
        let bytes = cmd.to_bytes();
        let lines = lines_in_pieces(&bytes, &cuts);
        prop_assert_eq!(lines.len(), 1);
        prop_assert_eq!(parse_command(&lines[0]).unwrap(), cmd);
    }

    #[test]
    fn reply_survives_any_split(r in reply(), cuts in vec(any::<usize>(), 0..8)) {
        let bytes = r.to_bytes(true);
        let lines = lines_in_pieces(&bytes, &cuts);
        prop_assert_eq!(lines.len(), r.lines().len());
        let parsed = reply_from_lines(lines.iter().map(Vec::as_slice), true).unwrap();
        prop_assert_eq!(parsed, r);
    }

    /// The borrowed parser finds the same reply in a buffer, needs the
    /// whole of it, and leaves what follows alone.
    #[test]
    fn reply_view_matches_the_owned_reply(r in reply(), cut in any::<usize>()) {
        let mut bytes = r.to_bytes(true);
        let len = bytes.len();
        let cut = cut % len;
        prop_assert_eq!(parse_reply(&bytes[..cut], true).unwrap(), None);
        bytes.extend_from_slice(b"250 next\r\n");
        let (view, used) = parse_reply(&bytes, true).unwrap().unwrap();
        prop_assert_eq!(used, len);
        prop_assert_eq!(view.code(), r.code());
        prop_assert_eq!(view.lines().count(), r.lines().len());
        prop_assert_eq!(view.to_reply(), r);
    }

    #[test]
    fn parse_reply_never_panics(buf in vec(any::<u8>(), 0..200), enhanced in any::<bool>()) {
        if let Ok(Some((view, used))) = parse_reply(&buf, enhanced) {
            prop_assert!(used <= buf.len());
            let _ = view.to_reply();
        }
    }

    #[test]
    fn parse_command_never_panics(line in vec(any::<u8>(), 0..200)) {
        let _ = parse_command(&line);
    }
}
