//! Behaviour the server session must keep, pinned: RFC 9051 §7.5.1 (no
//! EXPUNGE during a non-UID FETCH, STORE or SEARCH), consistent numbering
//! across sessions, literal limits, STARTTLS injection, autologout,
//! streaming, any split of the input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Conn, Store, nz, t0};
use yubin_imap::server::{
    Change, CloseReason, Config, Event, Greeting, NonSyncLiterals, Session, SessionError, Tls,
};
use yubin_imap::types::Flag;

fn config() -> Config {
    let mut c = Config::default();
    c.danger_allow_plaintext_auth = true;
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Feeds `input`, serves the events, returns (and consumes) the output.
fn talk(s: &mut Session, conn: &mut Conn, store: &mut Store, input: &str) -> String {
    let now = t0();
    let mut off = 0;
    let bytes = input.as_bytes();
    let mut out = Vec::new();
    loop {
        off += s.receive(now, &bytes[off..]);
        conn.serve(s, store);
        out.extend_from_slice(&conn.wire);
        conn.wire.clear();
        out.extend_from_slice(s.outgoing());
        let n = s.outgoing().len();
        s.sent(n);
        if off >= bytes.len() {
            conn.serve(s, store);
            out.extend_from_slice(s.outgoing());
            let n = s.outgoing().len();
            s.sent(n);
            break;
        }
    }
    text(&out)
}

fn logged_in(store: &mut Store, id: u32) -> (Session, Conn) {
    let mut s = Session::new(Arc::new(config()), t0(), [id as u8; 18], Greeting::Ok);
    let mut c = Conn::new(id);
    let out = talk(&mut s, &mut c, store, "l LOGIN joe secret\r\n");
    assert!(out.contains("l OK [CAPABILITY"), "{out}");
    (s, c)
}

fn store_with(n: u32) -> Store {
    let mut st = Store::new();
    for i in 0..n {
        st.deliver(
            "INBOX",
            format!("Subject: {i}\r\n\r\nbody {i}\r\n").as_bytes(),
            vec![],
        );
    }
    st
}

#[test]
fn rfc9051_7_5_1_no_expunge_during_fetch_store_search() {
    let mut store = store_with(5);
    let (mut a, mut ca) = logged_in(&mut store, 1);
    let (mut b, mut cb) = logged_in(&mut store, 2);
    talk(&mut a, &mut ca, &mut store, "s SELECT INBOX\r\n");
    talk(&mut b, &mut cb, &mut store, "s SELECT INBOX\r\n");
    // B deletes message 2 (UID 2) and expunges it.
    let out = talk(
        &mut b,
        &mut cb,
        &mut store,
        "x STORE 2 +FLAGS (\\Deleted)\r\ny EXPUNGE\r\n",
    );
    assert!(out.contains("* 2 EXPUNGE\r\ny OK"), "{out}");
    // A learns it while a non-UID FETCH runs: no EXPUNGE at its end.
    ca.sync(&mut a, &store);
    for cmd in [
        "f FETCH 1:* (FLAGS)",
        "t STORE 1 +FLAGS (\\Seen)",
        "q SEARCH ALL",
    ] {
        let out = talk(&mut a, &mut ca, &mut store, &format!("{cmd}\r\n"));
        assert!(!out.contains("EXPUNGE"), "{cmd}: {out}");
    }
    // Message 2 still has its number for A.
    let out = talk(&mut a, &mut ca, &mut store, "f2 FETCH 2:3 (UID)\r\n");
    assert!(out.contains("* 3 FETCH (UID 3)"), "{out}");
    // A UID command may carry it.
    let out = talk(&mut a, &mut ca, &mut store, "u UID FETCH 1 (FLAGS)\r\n");
    assert!(out.contains("* 2 EXPUNGE\r\nu OK"), "{out}");
    let out = talk(&mut a, &mut ca, &mut store, "g FETCH 2 (UID)\r\n");
    assert!(out.contains("* 2 FETCH (UID 3)"), "{out}");
}

#[test]
fn numbering_consistent_when_another_session_expunges_during_idle() {
    let mut store = store_with(6);
    let (mut a, mut ca) = logged_in(&mut store, 1);
    let (mut b, mut cb) = logged_in(&mut store, 2);
    talk(&mut a, &mut ca, &mut store, "s SELECT INBOX\r\n");
    talk(&mut b, &mut cb, &mut store, "s SELECT INBOX\r\n");
    let out = talk(&mut a, &mut ca, &mut store, "i IDLE\r\n");
    assert_eq!(out, "+ idling\r\n");
    talk(
        &mut b,
        &mut cb,
        &mut store,
        "x STORE 2,4,5 +FLAGS (\\Deleted)\r\ny EXPUNGE\r\n",
    );
    store.deliver("INBOX", b"Subject: new\r\n\r\nnew\r\n", vec![]);
    ca.sync(&mut a, &store);
    let pushed = text(a.outgoing());
    a.sent(pushed.len());
    // UIDs 2, 4, 5 were 2, 4, 5; told as 2, 3, 3 (each after the previous).
    // (B's flag changes came first: during IDLE each change goes out at once.)
    assert!(
        pushed.ends_with("* 2 EXPUNGE\r\n* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 4 EXISTS\r\n"),
        "{pushed}"
    );
    let out = talk(&mut a, &mut ca, &mut store, "DONE\r\nf FETCH 1:* (UID)\r\n");
    assert!(out.contains("i OK IDLE terminated"), "{out}");
    for (seq, uid) in [(1, 1), (2, 3), (3, 6), (4, 7)] {
        assert!(out.contains(&format!("* {seq} FETCH (UID {uid})")), "{out}");
    }
    assert_eq!(a.view().unwrap().uids(), &[1, 3, 6, 7]);
}

#[test]
fn oversized_sync_literal_refused_without_continuation() {
    let mut store = Store::new();
    let (mut s, mut c) = logged_in(&mut store, 1);
    let out = talk(
        &mut s,
        &mut c,
        &mut store,
        "a APPEND INBOX {99999999999}\r\n",
    );
    assert_eq!(out, "a NO [TOOBIG] Message too large\r\n");
    let out = talk(&mut s, &mut c, &mut store, "b SEARCH TEXT {2000000}\r\n");
    assert_eq!(out, "b NO [TOOBIG] Literal too large\r\n");
    let out = talk(&mut s, &mut c, &mut store, "c NOOP\r\n");
    assert_eq!(out, "c OK NOOP completed\r\n");
}

#[test]
fn too_large_literal_plus_is_drained_then_refused() {
    let mut store = Store::new();
    let mut cfg = config();
    cfg.limits.max_append_octets = 100;
    let mut s = Session::new(
        Arc::new(cfg),
        t0(),
        [1; 18],
        Greeting::PreAuth("joe".into()),
    );
    let mut c = Conn::new(1);
    let body = "z".repeat(150);
    let out = talk(
        &mut s,
        &mut c,
        &mut store,
        &format!("a APPEND INBOX {{150+}}\r\n{body}\r\nb NOOP\r\n"),
    );
    assert!(
        out.ends_with("a NO [TOOBIG] Message too large\r\nb OK NOOP completed\r\n"),
        "{out}"
    );
    assert!(store.boxes["INBOX"].msgs.is_empty());
    // LITERAL-: above 4096 octets a non-synchronising literal is BAD [TOOBIG].
    let mut cfg = config();
    cfg.literals = NonSyncLiterals::Minus;
    let mut s = Session::new(
        Arc::new(cfg),
        t0(),
        [1; 18],
        Greeting::PreAuth("joe".into()),
    );
    let body = "z".repeat(5000);
    let out = talk(
        &mut s,
        &mut c,
        &mut store,
        &format!("a APPEND INBOX {{5000+}}\r\n{body}\r\nb NOOP\r\n"),
    );
    assert!(
        out.ends_with("a BAD [TOOBIG] Non-synchronizing literal larger than 4096 octets\r\nb OK NOOP completed\r\n"),
        "{out}"
    );
}

#[test]
fn starttls_discards_pipelined_injection() {
    let mut cfg = Config::default();
    cfg.tls = Tls::StartTls;
    let mut s = Session::new(Arc::new(cfg), t0(), [1; 18], Greeting::Ok);
    let greeting = s.outgoing().len();
    s.sent(greeting);
    let input = b"a STARTTLS\r\nb LOGIN joe secret\r\n";
    assert_eq!(s.receive(t0(), input), input.len());
    assert!(matches!(s.next_event(), Some(Event::StartTls)));
    assert!(s.next_event().is_none());
    assert_eq!(text(s.outgoing()), "a OK Begin TLS negotiation now\r\n");
    let out = s.outgoing().len();
    s.sent(out);
    assert_eq!(
        s.receive(t0(), b"c NOOP\r\n"),
        0,
        "no input until the handshake"
    );
    s.tls_established().unwrap();
    assert_eq!(s.tls_established(), Err(SessionError::NoTlsPending));
    assert!(s.next_event().is_none(), "the injected LOGIN is gone");
    s.receive(t0(), b"c CAPABILITY\r\n");
    let caps = text(s.outgoing());
    assert!(
        !caps.contains("STARTTLS") && !caps.contains("LOGINDISABLED"),
        "{caps}"
    );
    assert!(caps.contains("AUTH=PLAIN"), "{caps}");
}

#[test]
fn autologout_at_the_deadline_under_a_simulated_clock() {
    let now = t0();
    let mut s = Session::new(Arc::new(config()), now, [1; 18], Greeting::Ok);
    let d = s.deadline().unwrap();
    assert_eq!(d, now + Duration::from_secs(60), "short before login");
    s.timeout(d - Duration::from_millis(1));
    assert!(!s.is_closed());
    s.receive(now + Duration::from_secs(30), b"a LOGIN joe secret\r\n");
    let Some(Event::Login { ticket, .. }) = s.next_event() else {
        panic!()
    };
    s.accept_login(ticket).unwrap();
    let d = s.deadline().unwrap();
    assert_eq!(
        d,
        now + Duration::from_secs(30 + 30 * 60),
        "30 min once logged in"
    );
    s.timeout(d - Duration::from_secs(1));
    assert!(!s.is_closed());
    s.timeout(d);
    assert!(s.is_closed());
    assert!(text(s.outgoing()).ends_with("* BYE Autologout; idle for too long\r\n"));
    let mut closed = None;
    while let Some(e) = s.next_event() {
        if let Event::Closed(r) = e {
            closed = Some(r);
        }
    }
    assert_eq!(closed, Some(CloseReason::Timeout));
    assert_eq!(s.deadline(), None);
}

#[test]
fn streams_a_large_body_within_the_output_limit() {
    let mut store = Store::new();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    store.deliver("INBOX", &big, vec![Flag::Seen]);
    let (mut s, mut c) = logged_in(&mut store, 1);
    talk(&mut s, &mut c, &mut store, "s SELECT INBOX\r\n");
    s.receive(t0(), b"f UID FETCH 1 (BODY.PEEK[])\r\n");
    let mut wire = Vec::new();
    // The app streams; the support code flushes when the buffer is full.
    c.serve(&mut s, &mut store);
    let max_out = c.max_out;
    wire.extend_from_slice(&c.wire);
    wire.extend_from_slice(s.outgoing());
    assert!(max_out <= 65_536 + 16 * 1024, "{max_out}");
    let head = b"* 1 FETCH (UID 1 BODY[] {3000000}\r\n";
    let start = wire.windows(head.len()).position(|w| w == head).unwrap();
    let body = &wire[start + head.len()..start + head.len() + big.len()];
    assert_eq!(body, &big[..]);
    assert!(wire.ends_with(b")\r\nf OK UID FETCH completed\r\n"));
}

#[test]
fn append_streams_and_any_split_gives_the_same_output() {
    let script = "a LOGIN joe secret\r\nb APPEND INBOX (\\Seen) {11}\r\nhello world\r\nc SELECT INBOX\r\nd FETCH 1 (FLAGS BODY.PEEK[])\r\ne LOGOUT\r\n";
    let run = |step: usize| {
        let mut store = Store::new();
        let mut s = Session::new(Arc::new(config()), t0(), [1; 18], Greeting::Ok);
        let mut c = Conn::new(1);
        let mut out = Vec::new();
        for chunk in script.as_bytes().chunks(step) {
            let mut off = 0;
            while off < chunk.len() {
                off += s.receive(t0(), &chunk[off..]);
                c.serve(&mut s, &mut store);
                out.extend_from_slice(s.outgoing());
                let n = s.outgoing().len();
                s.sent(n);
            }
        }
        (text(&out), store.boxes["INBOX"].msgs.len())
    };
    let (whole, n) = run(script.len());
    assert_eq!(n, 1);
    assert!(whole.contains("+ Ready for literal data\r\n"), "{whole}");
    assert!(
        whole.contains("b OK [APPENDUID 1000 1] APPEND completed"),
        "{whole}"
    );
    assert!(
        whole.contains("* 1 FETCH (FLAGS (\\Seen) BODY[] {11}\r\nhello world)\r\n"),
        "{whole}"
    );
    for step in [1, 2, 3, 7, 13] {
        assert_eq!(run(step), (whole.clone(), 1), "step {step}");
    }
}

#[test]
fn tickets_are_checked() {
    let mut store = Store::new();
    let (mut a, _) = logged_in(&mut store, 1);
    let mut b = Session::new(Arc::new(config()), t0(), [2; 18], Greeting::Ok);
    b.receive(t0(), b"x LOGIN joe secret\r\n");
    let Some(Event::Login { ticket, .. }) = b.next_event() else {
        panic!()
    };
    a.receive(t0(), b"y LIST \"\" *\r\n");
    let Some(Event::List { ticket: ta, .. }) = a.next_event() else {
        panic!()
    };
    assert_eq!(a.accept_login(ticket), Err(SessionError::WrongTicket));
    assert_eq!(
        a.accept_select(
            ta,
            yubin_imap::server::MailboxSnapshot::new(nz(1), nz(1), vec![])
        )
        .err(),
        Some(SessionError::WrongTicket)
    );
    assert!(matches!(
        a.update(Change::Expunged(nz(1))),
        Err(SessionError::NotSelected)
    ));
}

#[test]
fn each_revision_gets_its_own_responses() {
    use yubin_imap::server::{MailboxSnapshot, Revisions, SearchResult};
    use yubin_imap::types::{FetchItem, FlagFetch};
    for rev in [Revisions::Rev1, Revisions::Rev2] {
        let mut cfg = config();
        cfg.revisions = rev;
        let now = t0();
        let mut s = Session::new(Arc::new(cfg), now, [1; 18], Greeting::PreAuth("joe".into()));
        s.receive(
            now,
            b"a SELECT INBOX\r\nb FETCH 1 FLAGS\r\nc SEARCH ALL\r\nd LOGOUT\r\n",
        );
        while let Some(ev) = s.next_event() {
            match ev {
                Event::Select { ticket, .. } => {
                    let mut snap = MailboxSnapshot::new(nz(1), nz(3), vec![1, 2]);
                    snap.recent = 1;
                    s.accept_select(ticket, snap).unwrap();
                }
                Event::Fetch { ticket, .. } => {
                    let f = vec![FlagFetch::Flag(Flag::Seen), FlagFetch::Recent];
                    s.fetch(&ticket, 1, vec![FetchItem::Flags(f)]).unwrap();
                    s.complete(ticket).unwrap();
                }
                Event::Search { ticket, .. } => {
                    s.search_result(ticket, SearchResult::new(vec![2, 1], None))
                        .unwrap();
                }
                _ => {}
            }
        }
        let out = text(s.outgoing());
        if rev == Revisions::Rev1 {
            assert!(out.contains("* 1 RECENT\r\n"), "{out}");
            assert!(
                out.contains("* 1 FETCH (FLAGS (\\Seen \\Recent))\r\n"),
                "{out}"
            );
            assert!(out.contains("* SEARCH 1 2\r\n"), "{out}");
            assert!(out.contains("* BYE IMAP4rev1 "), "{out}");
        } else {
            assert!(
                !out.contains("RECENT") && !out.contains("\\Recent"),
                "{out}"
            );
            assert!(out.contains("* 1 FETCH (FLAGS (\\Seen))\r\n"), "{out}");
            assert!(out.contains("* ESEARCH (TAG \"c\") ALL 1:2\r\n"), "{out}");
            assert!(out.contains("* BYE IMAP4rev2 "), "{out}");
        }
    }
}
