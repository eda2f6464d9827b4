//! proptest: commands and responses encode → frame (fed in random pieces) →
//! parse back to the same value. Generators cover deep BODYSTRUCTURE
//! nesting, literals (synchronising, non-synchronising, literal8), 8-bit
//! data and modified UTF-7 mailbox names.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::num::NonZeroU32;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use yubin_imap::Limits;
use yubin_imap::encode;
use yubin_imap::framer::{Frame, Framer, InPlace, Role};
use yubin_imap::parse::Parser;
use yubin_imap::types::*;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn atom_str() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_.-]{0,8}"
}

fn x_atom() -> impl Strategy<Value = Atom> {
    "X-[A-Z0-9]{1,6}".prop_map(|s| Atom::try_from(s.as_str()).unwrap())
}

fn literal_mode() -> impl Strategy<Value = LiteralMode> {
    prop_oneof![Just(LiteralMode::Sync), Just(LiteralMode::NonSync)]
}

/// Strings: quoted (with quotes and backslashes), or literals with 8-bit data.
fn istring(server: bool) -> BoxedStrategy<IString> {
    let quoted = "[ -~\u{e9}\u{4e16}]{0,12}"
        .prop_map(|s| IString::Quoted(Quoted::try_from(s.as_str()).unwrap()));
    let literal =
        (proptest::collection::vec(1u8..=255, 0..40), literal_mode()).prop_map(move |(d, m)| {
            let m = if server { LiteralMode::Sync } else { m };
            IString::Literal(Literal::with_mode(Bytes::from(d), m, false).unwrap())
        });
    prop_oneof![3 => quoted, 1 => literal].boxed()
}

fn nstring(server: bool) -> BoxedStrategy<NString> {
    prop_oneof![1 => Just(None), 3 => istring(server).prop_map(Some)].boxed()
}

fn astring(server: bool) -> BoxedStrategy<AString> {
    prop_oneof![
        "[A-Za-z0-9_.\\]-]{1,10}"
            .prop_map(|s| AString::Atom(AstringAtom::try_from(s.as_str()).unwrap())),
        istring(server).prop_map(AString::String),
    ]
    .boxed()
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    mailbox_for(false)
}

fn mailbox_for(server: bool) -> impl Strategy<Value = Mailbox> {
    prop_oneof![
        Just(Mailbox::inbox()),
        "[a-zA-Z0-9 &/\u{e9}\u{53f0}\u{1F600}]{1,10}".prop_map(|s| Mailbox::from_utf8_name(&s)),
        astring(server).prop_map(Mailbox::new),
    ]
}

fn nz() -> impl Strategy<Value = NonZeroU32> {
    (1u32..=u32::MAX).prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn seq_no() -> impl Strategy<Value = SeqNo> {
    prop_oneof![nz().prop_map(SeqNo::Value), Just(SeqNo::Largest)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![
        1 => Just(SequenceSet::Saved),
        6 => proptest::collection::vec(
            prop_oneof![seq_no().prop_map(SeqRange::Single), (seq_no(), seq_no()).prop_map(|(a, b)| SeqRange::Range(a, b))],
            1..4
        )
        .prop_map(|v| SequenceSet::new(v).unwrap()),
    ]
}

fn flag() -> impl Strategy<Value = Flag> {
    prop_oneof![
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Seen),
        Just(Flag::Draft),
        atom_str().prop_map(|s| Flag::Keyword(Atom::try_from(s.as_str()).unwrap())),
        x_atom().prop_map(Flag::Extension),
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (1u8..=31, 0usize..12, 1990u16..2100, any::<bool>()).prop_map(|(d, m, y, q)| {
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        Date::new(b(&format!("{d}-{}-{y}", months[m])), q).unwrap()
    })
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        1u8..=31,
        1u8..=12,
        1990u16..2100,
        0u8..24,
        0u8..60,
        0u8..60,
        -720i16..=720,
    )
        .prop_map(|(day, month, year, hour, minute, second, zone)| {
            DateTime::from_parts(DateTimeParts {
                day,
                month,
                year,
                hour,
                minute,
                second,
                zone_minutes: zone / 15 * 15,
            })
            .unwrap()
        })
}

fn search_key() -> impl Strategy<Value = SearchKey> {
    let leaf = prop_oneof![
        Just(SearchKey::All),
        Just(SearchKey::Seen),
        Just(SearchKey::Unseen),
        Just(SearchKey::Deleted),
        Just(SearchKey::New),
        astring(false).prop_map(SearchKey::Subject),
        astring(false).prop_map(SearchKey::Body),
        (astring(false), astring(false)).prop_map(|(a, b)| SearchKey::Header(a, b)),
        date().prop_map(SearchKey::Since),
        date().prop_map(SearchKey::SentBefore),
        any::<u32>().prop_map(|n| SearchKey::Larger(u64::from(n))),
        sequence_set().prop_map(SearchKey::Uid),
        sequence_set().prop_map(SearchKey::SequenceSet),
        atom_str().prop_map(|s| SearchKey::Keyword(Atom::try_from(s.as_str()).unwrap())),
        (0u64..1 << 40).prop_map(|m| SearchKey::ModSeq {
            entry: None,
            modseq: m
        }),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| SearchKey::Not(Box::new(k))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| SearchKey::Or(Box::new(a), Box::new(b))),
            proptest::collection::vec(inner, 1..3).prop_map(SearchKey::And),
        ]
    })
}

fn section(server: bool) -> impl Strategy<Value = Section> {
    (
        proptest::collection::vec(nz(), 0..3),
        prop_oneof![
            Just(None),
            Just(Some(SectionText::Header)),
            Just(Some(SectionText::Text)),
            proptest::collection::vec(astring(server), 1..3)
                .prop_map(|v| Some(SectionText::HeaderFields(v))),
            proptest::collection::vec(astring(server), 1..3)
                .prop_map(|v| Some(SectionText::HeaderFieldsNot(v))),
        ],
    )
        .prop_map(|(part, text)| Section { part, text })
}

fn fetch_attr() -> impl Strategy<Value = FetchAttr> {
    prop_oneof![
        Just(FetchAttr::Envelope),
        Just(FetchAttr::Flags),
        Just(FetchAttr::InternalDate),
        Just(FetchAttr::Rfc822Size),
        Just(FetchAttr::BodyStructure),
        Just(FetchAttr::Body),
        Just(FetchAttr::Uid),
        Just(FetchAttr::ModSeq),
        (
            any::<bool>(),
            section(false),
            proptest::option::of((0u64..1000, 1u64..1000))
        )
            .prop_map(|(peek, section, p)| FetchAttr::BodySection {
                peek,
                section,
                partial: p.map(|(offset, length)| Partial { offset, length })
            }),
        (any::<bool>(), proptest::collection::vec(nz(), 0..3)).prop_map(|(peek, part)| {
            FetchAttr::Binary {
                peek,
                part,
                partial: None,
            }
        }),
        proptest::collection::vec(nz(), 0..3).prop_map(FetchAttr::BinarySize),
        x_atom().prop_map(FetchAttr::Other),
    ]
}

fn tag() -> impl Strategy<Value = Tag> {
    "[A-Za-z0-9.]{1,6}".prop_map(|s| Tag::try_from(s.as_str()).unwrap())
}

fn command_body() -> impl Strategy<Value = CommandBody> {
    prop_oneof![
        Just(CommandBody::Noop),
        Just(CommandBody::Capability),
        Just(CommandBody::Idle),
        Just(CommandBody::Unselect),
        (astring(false), astring(false)).prop_map(|(u, p)| CommandBody::Login {
            username: u,
            password: Secret::new(p)
        }),
        mailbox().prop_map(|m| CommandBody::Select {
            mailbox: m,
            params: vec![]
        }),
        (mailbox(), mailbox()).prop_map(|(from, to)| CommandBody::Rename { from, to }),
        (
            mailbox(),
            proptest::collection::vec(
                prop_oneof![
                    Just(StatusAttr::Messages),
                    Just(StatusAttr::UidNext),
                    Just(StatusAttr::Size)
                ],
                1..3
            )
        )
            .prop_map(|(mailbox, attrs)| CommandBody::Status { mailbox, attrs }),
        (
            mailbox(),
            proptest::collection::vec(
                (
                    proptest::option::of(proptest::collection::vec(flag(), 0..3)),
                    proptest::option::of(date_time()),
                    proptest::collection::vec(any::<u8>(), 0..64),
                    literal_mode(),
                    any::<bool>()
                ),
                1..3
            )
        )
            .prop_map(|(mailbox, msgs)| CommandBody::Append {
                mailbox,
                messages: msgs
                    .into_iter()
                    .map(|(flags, date, data, mode, binary)| {
                        let data: Vec<u8> = if binary {
                            data
                        } else {
                            data.into_iter().map(|c| c.max(1)).collect()
                        };
                        AppendMessage {
                            flags,
                            date,
                            message: Literal::with_mode(Bytes::from(data), mode, binary).unwrap(),
                        }
                    })
                    .collect()
            }),
        (any::<bool>(), proptest::collection::vec(search_key(), 1..3)).prop_map(
            |(uid, criteria)| CommandBody::Search {
                uid,
                returns: None,
                charset: None,
                criteria
            }
        ),
        (
            any::<bool>(),
            sequence_set(),
            proptest::collection::vec(fetch_attr(), 1..5)
        )
            .prop_map(|(uid, set, v)| CommandBody::Fetch {
                uid,
                set,
                attrs: FetchAttrs::List(v),
                modifiers: vec![]
            }),
        (any::<bool>(), sequence_set(), fetch_attr()).prop_map(|(uid, set, a)| {
            CommandBody::Fetch {
                uid,
                set,
                attrs: FetchAttrs::Single(a),
                modifiers: vec![FetchModifier::ChangedSince(7)],
            }
        }),
        (
            any::<bool>(),
            sequence_set(),
            any::<bool>(),
            proptest::collection::vec(flag(), 1..3)
        )
            .prop_map(|(uid, set, silent, flags)| {
                CommandBody::Store {
                    uid,
                    set,
                    unchanged_since: None,
                    mode: StoreMode::Add,
                    silent,
                    flags,
                    parenthesized: true,
                }
            }),
        (any::<bool>(), sequence_set(), mailbox())
            .prop_map(|(uid, set, mailbox)| CommandBody::Move { uid, set, mailbox }),
        sequence_set().prop_map(CommandBody::UidExpunge),
    ]
}

fn address() -> impl Strategy<Value = Address> {
    (nstring(true), nstring(true), nstring(true), nstring(true)).prop_map(
        |(name, adl, mailbox, host)| Address {
            name,
            adl,
            mailbox,
            host,
        },
    )
}

fn envelope() -> impl Strategy<Value = Envelope> {
    let addrs = || proptest::collection::vec(address(), 0..3);
    (
        nstring(true),
        nstring(true),
        addrs(),
        addrs(),
        addrs(),
        addrs(),
        nstring(true),
        nstring(true),
    )
        .prop_map(
            |(date, subject, from, sender, to, cc, in_reply_to, message_id)| Envelope {
                date,
                subject,
                reply_to: from.clone(),
                from,
                sender,
                to,
                cc,
                bcc: vec![],
                in_reply_to,
                message_id,
            },
        )
}

fn params() -> impl Strategy<Value = Params> {
    proptest::option::of(proptest::collection::vec(
        (istring(true), istring(true)),
        1..3,
    ))
}

fn body_ext() -> impl Strategy<Value = BodyExtension> {
    (
        0usize..5,
        params(),
        istring(true),
        nstring(true),
        nstring(true),
        any::<u32>(),
    )
        .prop_map(|(level, p, kind, lang, loc, n)| {
            let mut e = BodyExtension::default();
            if level >= 1 {
                e.disposition = Some(if level % 2 == 0 {
                    None
                } else {
                    Some(Disposition { kind, params: p })
                });
            }
            if level >= 2 {
                e.language = Some(Language::Single(lang));
            }
            if level >= 3 {
                e.location = Some(loc);
            }
            if level >= 4 {
                e.extensions = vec![
                    Value::Number(u64::from(n)),
                    Value::List(vec![Value::Nil, Value::Atom(b("X1"))]),
                ];
            }
            e
        })
}

fn q(s: &str) -> IString {
    IString::Quoted(Quoted::try_from(s).unwrap())
}

fn fields() -> impl Strategy<Value = BodyFields> {
    (params(), nstring(true), nstring(true), any::<u32>()).prop_map(
        |(params, id, description, octets)| BodyFields {
            params,
            id,
            description,
            encoding: q("BASE64"),
            octets,
        },
    )
}

fn body_structure() -> impl Strategy<Value = BodyStructure> {
    let leaf = prop_oneof![
        (fields(), proptest::option::of((nstring(true), body_ext()))).prop_map(
            |(fields, extension)| BodyStructure::Single {
                kind: SinglePartKind::Basic {
                    media_type: q("APPLICATION"),
                    subtype: q("PDF")
                },
                fields,
                extension
            }
        ),
        (
            fields(),
            any::<u32>(),
            proptest::option::of((nstring(true), body_ext()))
        )
            .prop_map(|(fields, lines, extension)| {
                BodyStructure::Single {
                    kind: SinglePartKind::Text {
                        media_type: q("TEXT"),
                        subtype: q("PLAIN"),
                        lines: u64::from(lines),
                    },
                    fields,
                    extension,
                }
            }),
    ];
    leaf.prop_recursive(12, 64, 3, |inner| {
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 1..3),
                proptest::option::of((params(), body_ext()))
            )
                .prop_map(|(parts, extension)| BodyStructure::Multi {
                    parts,
                    subtype: q("MIXED"),
                    extension
                }),
            (fields(), envelope(), inner, any::<u16>()).prop_map(
                |(fields, envelope, body, lines)| BodyStructure::Single {
                    kind: SinglePartKind::Message {
                        media_type: q("MESSAGE"),
                        subtype: q("RFC822"),
                        envelope: Box::new(envelope),
                        body: Box::new(body),
                        lines: u64::from(lines)
                    },
                    fields,
                    extension: None
                }
            ),
        ]
    })
}

fn fetch_item() -> impl Strategy<Value = FetchItem> {
    prop_oneof![
        proptest::collection::vec(
            prop_oneof![flag().prop_map(FlagFetch::Flag), Just(FlagFetch::Recent)],
            0..4
        )
        .prop_map(FetchItem::Flags),
        nz().prop_map(FetchItem::Uid),
        any::<u32>().prop_map(|n| FetchItem::Rfc822Size(u64::from(n))),
        date_time().prop_map(FetchItem::InternalDate),
        envelope().prop_map(|e| FetchItem::Envelope(Box::new(e))),
        body_structure().prop_map(|b| FetchItem::BodyStructure(Box::new(b))),
        (
            section(true),
            proptest::option::of(0u64..100000),
            nstring(true)
        )
            .prop_map(|(section, origin, data)| FetchItem::BodySection {
                section,
                origin,
                data
            }),
        (
            proptest::collection::vec(nz(), 0..3),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(part, d)| FetchItem::Binary {
                part,
                origin: None,
                data: Some(IString::Literal(
                    Literal::with_mode(Bytes::from(d), LiteralMode::Sync, true).unwrap()
                ))
            }),
        (0u64..1 << 50).prop_map(FetchItem::ModSeq),
        (x_atom(), "[a-z]{1,5}").prop_map(|(a, s)| FetchItem::Other(
            a,
            Value::List(vec![Value::Atom(b(&s)), Value::Number(3)])
        )),
    ]
}

fn code() -> impl Strategy<Value = Option<Code>> {
    prop_oneof![
        Just(None),
        Just(Some(Code::Alert)),
        Just(Some(Code::TooBig)),
        nz().prop_map(|n| Some(Code::UidValidity(n))),
        (nz(), sequence_set())
            .prop_map(|(validity, uids)| Some(Code::AppendUid { validity, uids })),
        (nz(), sequence_set(), sequence_set()).prop_map(|(validity, source, destination)| Some(
            Code::CopyUid {
                validity,
                source,
                destination
            }
        )),
        proptest::collection::vec(
            prop_oneof![flag().prop_map(FlagPerm::Flag), Just(FlagPerm::Any)],
            0..3
        )
        .prop_map(|v| Some(Code::PermanentFlags(v))),
        (0u64..1 << 40).prop_map(|n| Some(Code::HighestModSeq(n))),
        (x_atom(), proptest::option::of("[a-z0-9 ]{1,8}"))
            .prop_map(|(a, t)| Some(Code::Other(a, t.map(|t| b(&t))))),
    ]
}

fn response() -> impl Strategy<Value = Response> {
    let text = "[a-zA-Z0-9 .]{0,20}".prop_map(|s| Text::try_from(s.as_str()).unwrap());
    prop_oneof![
        (
            proptest::option::of(tag()),
            prop_oneof![
                Just(StatusKind::Ok),
                Just(StatusKind::No),
                Just(StatusKind::Bad)
            ],
            code(),
            text.clone()
        )
            .prop_map(|(tag, kind, code, text)| Response::Status(StatusResponse {
                tag,
                kind,
                text: RespText { code, text }
            })),
        (code(), text).prop_map(|(code, text)| Response::Continue(RespText { code, text })),
        (nz(), proptest::collection::vec(fetch_item(), 1..4))
            .prop_map(|(seq, items)| Response::Data(Data::Fetch { seq, items })),
        any::<u32>().prop_map(|n| Response::Data(Data::Exists(n))),
        proptest::collection::vec(nz(), 0..5)
            .prop_map(|ids| Response::Data(Data::Search { ids, modseq: None })),
        (
            mailbox_for(true),
            proptest::collection::vec(any::<u32>(), 1..3)
        )
            .prop_map(|(mailbox, v)| Response::Data(Data::Status {
                mailbox,
                items: v
                    .into_iter()
                    .map(|n| StatusItem {
                        attr: StatusAttr::Messages,
                        value: Some(u64::from(n))
                    })
                    .collect()
            })),
        (proptest::collection::vec(x_atom(), 0..3), mailbox_for(true)).prop_map(
            |(attributes, mailbox)| Response::Data(Data::List(ListItem {
                attributes,
                delimiter: Some(b'/'),
                mailbox,
                extended: vec![]
            }))
        ),
        proptest::collection::vec(
            prop_oneof![
                Just(Capability::Imap4Rev2),
                Just(Capability::Idle),
                x_atom().prop_map(Capability::Other)
            ],
            1..4
        )
        .prop_map(|c| Response::Data(Data::Capability(c))),
    ]
}

/// `wire` cut at the given points (taken modulo its length, in order):
/// the pieces a socket might deliver.
fn pieces<'w>(wire: &'w [u8], cuts: &[usize]) -> impl Iterator<Item = &'w [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
    points.sort_unstable();
    points.push(wire.len());
    let mut last = 0;
    points.into_iter().map(move |p| {
        let piece = &wire[last..p.max(last)];
        last = p.max(last);
        piece
    })
}

/// Feeds `wire` through a framer in the given pieces, accepting every literal.
fn frame_all(wire: &[u8], role: Role, cuts: &[usize]) -> Vec<Bytes> {
    let mut framer = Framer::new(&Limits::default(), role);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in pieces(wire, cuts) {
        buf.extend_from_slice(piece);
        while let Some(f) = framer.next(&mut buf) {
            match f.unwrap() {
                Frame::Message(m) => out.push(m),
                Frame::Literal(_) => {}
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(buf.is_empty());
    out
}

/// Feeds `wire` to a framer in the given pieces and parses each command as
/// the server session does: in place when it has no literal, split off
/// when it has.
fn command_in_place(wire: &[u8], cuts: &[usize]) -> Vec<Command> {
    let mut framer = Framer::new(&Limits::default(), Role::Server);
    let parser = Parser::default();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in pieces(wire, cuts) {
        buf.extend_from_slice(piece);
        while let Some(f) = framer.next_in_place(&mut buf) {
            match f.unwrap() {
                InPlace::Read(m) => out.push(parser.command_slice(&m).unwrap()),
                InPlace::Frame(Frame::Message(m)) => out.push(parser.command(&m).unwrap()),
                InPlace::Frame(Frame::Literal(_)) => {}
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(buf.is_empty());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn command_roundtrip_any_split(tag in tag(), body in command_body(), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let cmd = Command { tag, body };
        let mut wire = BytesMut::new();
        encode::command(&cmd, &mut wire);
        // The fragments concatenate to the same bytes.
        let joined: Vec<u8> = encode::command_fragments(&cmd).iter().flat_map(|f| match f {
            encode::Fragment::Line(b) => b.to_vec(),
            encode::Fragment::Literal { data, .. } => data.to_vec(),
        }).collect();
        prop_assert_eq!(&joined[..], &wire[..]);
        let msgs = frame_all(&wire, Role::Server, &cuts);
        prop_assert_eq!(msgs.len(), 1);
        let parsed = Parser::default().command(&msgs[0]).unwrap();
        prop_assert_eq!(&parsed, &cmd);
        // The same, read in place where the message has no literal.
        let in_place = command_in_place(&wire, &cuts);
        prop_assert_eq!(in_place.len(), 1);
        prop_assert_eq!(&in_place[0], &cmd);
    }

    #[test]
    fn response_roundtrip_any_split(resp in response(), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let mut wire = BytesMut::new();
        encode::response(&resp, &mut wire);
        let msgs = frame_all(&wire, Role::Client, &cuts);
        prop_assert_eq!(msgs.len(), 1);
        let parsed = Parser::default().response(&msgs[0]).unwrap();
        prop_assert_eq!(parsed, resp);
    }

    #[test]
    fn utf7_roundtrip(name in "\\PC{0,16}") {
        let enc = yubin_imap::utf7::encode(&name);
        prop_assert!(enc.bytes().all(|c| (0x20..0x7f).contains(&c)));
        prop_assert_eq!(yubin_imap::utf7::decode(enc.as_bytes()).unwrap(), name);
    }
}
