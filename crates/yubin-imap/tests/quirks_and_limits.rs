//! Quirks on and off, recursion limits, error positions and tag recovery.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use bytes::Bytes;
use yubin_imap::parse::{ParseOptions, Parser};
use yubin_imap::types::*;

fn strict() -> Parser {
    Parser::default()
}

fn with(f: impl FnOnce(&mut ParseOptions)) -> Parser {
    let mut o = ParseOptions::default();
    f(&mut o);
    Parser::new(o)
}

fn b(s: &[u8]) -> Bytes {
    Bytes::copy_from_slice(s)
}

#[test]
fn quirk_trailing_space_off_and_on() {
    let m = b(b"* SEARCH 2 3 \r\n");
    assert!(strict().response(&m).is_err());
    let r = with(|o| o.quirk_trailing_space = true)
        .response(&m)
        .unwrap();
    assert_eq!(
        r,
        Response::Data(Data::Search {
            ids: vec![2.try_into().unwrap(), 3.try_into().unwrap()],
            modseq: None
        })
    );
    let c = b(b"A1 NOOP  \r\n");
    assert!(strict().command(&c).is_err());
    assert_eq!(
        with(|o| o.quirk_trailing_space = true)
            .command(&c)
            .unwrap()
            .body,
        CommandBody::Noop
    );
}

const NIL_BODY: &[u8] = b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 12 1))\r\n";

#[test]
fn quirk_nil_as_string_off_and_on() {
    let m = b(NIL_BODY);
    let err = strict().response(&m).unwrap_err();
    assert_eq!(err.tag, None);
    let r = with(|o| o.quirk_nil_as_string = true).response(&m).unwrap();
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let FetchItem::BodyStructure(bs) = &items[0] else {
        panic!()
    };
    let BodyStructure::Single { fields, .. } = bs.as_ref() else {
        panic!()
    };
    assert_eq!(fields.encoding.as_bytes(), b"");
}

const QUOTE_BODY: &[u8] = b"* 2 FETCH (BODYSTRUCTURE (\"APPLICATION\" \"PDF\" (\"NAME\" \"my \"big\" file.pdf\") NIL NIL \"BASE64\" 10 NIL (\"attachment\" (\"FILENAME\" \"my \"big\" file.pdf\")) NIL NIL))\r\n";

#[test]
fn quirk_unescaped_quote_in_bodystructure_off_and_on() {
    let m = b(QUOTE_BODY);
    assert!(strict().response(&m).is_err());
    let r = with(|o| o.quirk_unescaped_quote_in_bodystructure = true)
        .response(&m)
        .unwrap();
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let FetchItem::BodyStructure(bs) = &items[0] else {
        panic!()
    };
    let BodyStructure::Single { fields, .. } = bs.as_ref() else {
        panic!()
    };
    assert_eq!(
        fields.params.as_ref().unwrap()[0].1.as_bytes(),
        b"my \"big\" file.pdf"
    );
    // Outside BODYSTRUCTURE the quirk does not apply.
    let m = b(b"* 3 FETCH (ENVELOPE (\"a\"b\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
    assert!(
        with(|o| o.quirk_unescaped_quote_in_bodystructure = true)
            .response(&m)
            .is_err()
    );
}

#[test]
fn quirk_isolate_bad_fetch_item_off_and_on() {
    let m = b(b"* 4 FETCH (UID 7 INTERNALDATE \"not a date\" FLAGS (\\Seen) RFC822.SIZE 44)\r\n");
    let err = strict().response(&m).unwrap_err();
    assert_eq!(err.expected, "date-time");
    let r = with(|o| o.quirk_isolate_bad_fetch_item = true)
        .response(&m)
        .unwrap();
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert_eq!(items.len(), 4);
    assert_eq!(items[0], FetchItem::Uid(7.try_into().unwrap()));
    let FetchItem::Invalid { raw, error } = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert_eq!(&raw[..], b"INTERNALDATE \"not a date\"");
    assert!(error.contains("date-time"), "{error}");
    assert_eq!(
        items[2],
        FetchItem::Flags(vec![FlagFetch::Flag(Flag::Seen)])
    );
    assert_eq!(items[3], FetchItem::Rfc822Size(44));
}

#[test]
fn quirk_isolate_bad_fetch_item_with_nil_quirk_keeps_rest() {
    // A bad BODYSTRUCTURE (NIL encoding) is isolated; the envelope-less rest survives.
    let m = b(b"* 5 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 12 1) UID 9)\r\n");
    let r = with(|o| o.quirk_isolate_bad_fetch_item = true)
        .response(&m)
        .unwrap();
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert!(matches!(items[0], FetchItem::Invalid { .. }));
    assert_eq!(items[1], FetchItem::Uid(9.try_into().unwrap()));
}

#[test]
fn quirk_missing_text_off_and_on() {
    for m in [&b"A1 OK\r\n"[..], b"* BYE\r\n", b"+\r\n"] {
        let m = b(m);
        assert!(strict().response(&m).is_err(), "{m:?}");
        assert!(
            with(|o| o.quirk_missing_text = true).response(&m).is_ok(),
            "{m:?}"
        );
    }
}

#[test]
fn recursion_limit_10000_deep_parens_is_an_error() {
    let mut m = b"A1 SEARCH ".to_vec();
    m.extend(std::iter::repeat_n(b'(', 10_000));
    m.extend_from_slice(b"ALL");
    m.extend(std::iter::repeat_n(b')', 10_000));
    m.extend_from_slice(b"\r\n");
    let err = strict().command(&b(&m)).unwrap_err();
    assert_eq!(err.expected, "less nesting (depth limit)");
    assert_eq!(err.tag.unwrap().as_bytes(), b"A1");

    let mut r = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    r.extend(std::iter::repeat_n(b'(', 10_000));
    r.extend_from_slice(b"\r\n");
    assert_eq!(
        strict().response(&b(&r)).unwrap_err().expected,
        "less nesting (depth limit)"
    );

    let mut x = b"* 1 FETCH (X-GM-LABELS ".to_vec();
    x.extend(std::iter::repeat_n(b'(', 10_000));
    x.extend_from_slice(b"\r\n");
    assert!(strict().response(&b(&x)).is_err());

    let mut t = b"* THREAD ".to_vec();
    t.extend(std::iter::repeat_n(b'(', 10_000));
    t.extend_from_slice(b"\r\n");
    assert!(strict().response(&b(&t)).is_err());

    let mut n = b"A2 SEARCH ".to_vec();
    for _ in 0..10_000 {
        n.extend_from_slice(b"NOT ");
    }
    n.extend_from_slice(b"ALL\r\n");
    assert_eq!(
        strict().command(&b(&n)).unwrap_err().expected,
        "less nesting (depth limit)"
    );
}

#[test]
fn nesting_within_the_limit_parses() {
    let mut m = b"A1 SEARCH ".to_vec();
    m.extend(std::iter::repeat_n(b'(', 60));
    m.extend_from_slice(b"ALL");
    m.extend(std::iter::repeat_n(b')', 60));
    m.extend_from_slice(b"\r\n");
    assert!(strict().command(&b(&m)).is_ok());
}

#[test]
fn errors_carry_tag_and_position() {
    let err = strict()
        .command(&b(b"x17 FETCH 1:* (FLAGS BOGUS[)\r\n"))
        .unwrap_err();
    assert_eq!(err.tag.unwrap().as_bytes(), b"x17");
    assert_eq!(err.offset, 26);
    let err = strict().command(&b(b"x18 SELECT\r\n")).unwrap_err();
    assert_eq!((err.offset, err.expected), (10, "SP"));
    let err = strict().command(&b(b"+ NOOP\r\n")).unwrap_err();
    assert_eq!(err.tag, None);
    let err = strict().response(&b(b"* 1 FETCH (UID 0)\r\n")).unwrap_err();
    assert_eq!(err.tag, None);
    assert_eq!(err.expected, "non-zero number");
}

#[test]
fn unknown_things_pass_through_as_other() {
    let c = strict().command(&b(b"a1 XLIST \"\" *\r\n")).unwrap();
    assert_eq!(
        c.body,
        CommandBody::Other {
            name: Atom::try_from("XLIST").unwrap(),
            arguments: Bytes::from_static(b"\"\" *")
        }
    );
    let r = strict().response(&b(b"* 1 FETCH (X-GM-LABELS (\\Inbox \"Muy Importante\") X-GM-MSGID 1278455344230334865)\r\n")).unwrap();
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert!(
        matches!(&items[0], FetchItem::Other(a, Value::List(v)) if a.as_bytes() == b"X-GM-LABELS" && v.len() == 2)
    );
    assert!(matches!(
        &items[1],
        FetchItem::Other(_, Value::Number(1278455344230334865))
    ));
    let r = strict()
        .response(&b(b"* OK [X-SOMETHING foo bar] hi\r\n"))
        .unwrap();
    let Response::Status(s) = r else { panic!() };
    assert_eq!(
        s.text.code,
        Some(Code::Other(
            Atom::try_from("X-SOMETHING").unwrap(),
            Some(Bytes::from_static(b"foo bar"))
        ))
    );
    let r = strict().response(&b(b"* XYZZY 1 2 3\r\n")).unwrap();
    assert_eq!(
        r,
        Response::Data(Data::Other(Bytes::from_static(b"XYZZY 1 2 3")))
    );
}

#[test]
fn body_literal_is_zero_copy() {
    let msg = b(b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    let r = strict().response(&msg).unwrap();
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let FetchItem::BodySection {
        data: Some(IString::Literal(l)),
        ..
    } = &items[0]
    else {
        panic!()
    };
    // The literal points into the message buffer: no copy was made.
    assert_eq!(l.as_bytes().as_ptr(), msg[23..].as_ptr());
}

#[test]
fn inbox_is_case_insensitive() {
    let c = strict().command(&b(b"a SELECT iNbOx\r\n")).unwrap();
    let CommandBody::Select { mailbox, .. } = c.body else {
        panic!()
    };
    assert!(mailbox.is_inbox());
    assert_eq!(mailbox, Mailbox::inbox());
    assert_ne!(Mailbox::try_from("inboxes").unwrap(), Mailbox::inbox());
}

#[test]
fn encode_fragments_wait_for_continuation() {
    use yubin_imap::encode::{Fragment, command_fragments};
    let cmd = Command {
        tag: Tag::try_from("A1").unwrap(),
        body: CommandBody::Login {
            username: AString::try_from("fred").unwrap(),
            password: Secret::new(AString::from_bytes(Bytes::from_static(b"pa\r\nss")).unwrap()),
        },
    };
    let f = command_fragments(&cmd);
    assert_eq!(
        f,
        vec![
            Fragment::Line(Bytes::from_static(b"A1 LOGIN fred {6}\r\n")),
            Fragment::Literal {
                data: Bytes::from_static(b"pa\r\nss"),
                mode: LiteralMode::Sync
            },
            Fragment::Line(Bytes::from_static(b"\r\n")),
        ]
    );
    assert!(
        !format!("{:?}", cmd.body).contains("pa\\r\\nss"),
        "password must be redacted"
    );
    assert!(format!("{:?}", cmd.body).contains("<redacted>"));
}

#[test]
fn astring_chooses_form_by_content() {
    assert!(matches!(
        AString::try_from("plain").unwrap(),
        AString::Atom(_)
    ));
    assert!(matches!(
        AString::try_from("two words").unwrap(),
        AString::String(IString::Quoted(_))
    ));
    assert!(matches!(
        AString::try_from("").unwrap(),
        AString::String(IString::Quoted(_))
    ));
    assert!(matches!(
        AString::try_from("NIL").unwrap(),
        AString::String(IString::Quoted(_))
    ));
    assert!(matches!(
        AString::from_bytes(Bytes::from_static(b"a\nb")).unwrap(),
        AString::String(IString::Literal(_))
    ));
    assert!(AString::from_bytes(Bytes::from_static(b"a\0b")).is_err());
    assert!(Tag::try_from("A+1").is_err());
    assert!(Atom::try_from("a b").is_err());
}
