//! A client session wired to a server session over an in-memory "network"
//! under a simulated clock: LOGIN, LIST, SELECT with QRESYNC, UID FETCH
//! (a large body streamed), IDLE with a new message arriving, STORE, MOVE,
//! EXPUNGE, LOGOUT. Both sides must agree on every message's UID, flags and
//! bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod support;

use std::num::NonZeroU32;
use std::sync::Arc;

use bytes::Bytes;
use support::{Conn, Store, t0};
use yubin_imap::client::{self, Event as CEvent};
use yubin_imap::server::{self, Greeting};
use yubin_imap::types::*;

#[derive(Debug, Clone, Default, PartialEq)]
struct Cached {
    uid: u32,
    flags: Vec<Flag>,
    body: Vec<u8>,
}

struct Pair {
    c: client::Session,
    s: server::Session,
    conn: Conn,
    store: Store,
    /// The client's copy of the selected mailbox, by sequence number.
    cache: Vec<Cached>,
    completed: Vec<(Tag, StatusKind, String)>,
    idling: bool,
    streaming: Option<(usize, Vec<u8>)>,
    modseq: u64,
    validity: u32,
}

impl Pair {
    fn new() -> Self {
        let mut cfg = server::Config::default();
        cfg.danger_allow_plaintext_auth = true;
        let now = t0();
        let mut store = Store::new();
        store.create("Archive");
        store.deliver("INBOX", b"Subject: one\r\n\r\nfirst\r\n", vec![Flag::Seen]);
        let big: Vec<u8> = b"Subject: big\r\n\r\n"
            .iter()
            .copied()
            .chain((0..200_000u32).map(|i| b'a' + (i % 23) as u8))
            .collect();
        store.deliver("INBOX", &big, vec![]);
        store.deliver(
            "INBOX",
            b"Subject: three\r\n\r\nthird\r\n",
            vec![Flag::Answered],
        );
        Self {
            c: client::Session::new(Arc::new(client::Config::default()), now),
            s: server::Session::new(Arc::new(cfg), now, [5; 18], Greeting::Ok),
            conn: Conn::new(1),
            store,
            cache: Vec::new(),
            completed: Vec::new(),
            idling: false,
            streaming: None,
            modseq: 0,
            validity: 0,
        }
    }

    /// Moves bytes both ways until nothing moves.
    fn progress(&mut self) {
        let now = t0();
        loop {
            let mut moved = false;
            let out = self.c.outgoing().to_vec();
            if !out.is_empty() {
                let n = self.s.receive(now, &out);
                self.c.sent(n);
                moved |= n > 0;
            }
            self.conn.serve(&mut self.s, &mut self.store);
            let mut down = std::mem::take(&mut self.conn.wire);
            down.extend_from_slice(self.s.outgoing());
            let n = self.s.outgoing().len();
            self.s.sent(n);
            let mut off = 0;
            while off < down.len() {
                let k = self.c.receive(now, &down[off..]);
                off += k;
                moved = true;
                self.client_events();
            }
            self.client_events();
            if !moved {
                return;
            }
        }
    }

    fn seq_index(seq: NonZeroU32) -> usize {
        seq.get() as usize - 1
    }

    fn apply_fetch(&mut self, seq: NonZeroU32, items: Vec<FetchItem>) {
        let i = Self::seq_index(seq);
        let m = &mut self.cache[i];
        for it in items {
            match it {
                FetchItem::Uid(u) => m.uid = u.get(),
                FetchItem::Flags(f) => {
                    m.flags = f
                        .into_iter()
                        .filter_map(|x| match x {
                            FlagFetch::Flag(f) => Some(f),
                            FlagFetch::Recent => None,
                        })
                        .collect()
                }
                FetchItem::BodySection { data: Some(d), .. } => m.body = d.as_bytes().to_vec(),
                FetchItem::ModSeq(n) => self.modseq = self.modseq.max(n),
                _ => {}
            }
        }
    }

    fn client_events(&mut self) {
        while let Some(ev) = self.c.next_event() {
            match ev {
                CEvent::Update(Data::Exists(n)) | CEvent::Data(Data::Exists(n)) => {
                    self.cache.resize(n as usize, Cached::default())
                }
                CEvent::Update(Data::Expunge(seq)) => {
                    self.cache.remove(Self::seq_index(seq));
                }
                CEvent::Update(Data::Vanished { uids, .. })
                | CEvent::Data(Data::Vanished { uids, .. }) => {
                    let SequenceSet::Set(ranges) = uids else {
                        panic!()
                    };
                    for r in ranges {
                        let (a, b) = match r {
                            SeqRange::Single(SeqNo::Value(a)) => (a.get(), a.get()),
                            SeqRange::Range(SeqNo::Value(a), SeqNo::Value(b)) => (a.get(), b.get()),
                            other => panic!("{other:?}"),
                        };
                        self.cache.retain(|m| m.uid < a || m.uid > b);
                    }
                }
                CEvent::Update(Data::Fetch { seq, items })
                | CEvent::Data(Data::Fetch { seq, items }) => self.apply_fetch(seq, items),
                CEvent::FetchStreamStart { seq, items, length } => {
                    self.apply_fetch(seq, items);
                    self.streaming =
                        Some((Self::seq_index(seq), Vec::with_capacity(length as usize)));
                }
                CEvent::FetchChunk(b) => self.streaming.as_mut().unwrap().1.extend_from_slice(&b),
                CEvent::FetchStreamEnd { seq, items } => {
                    let (i, body) = self.streaming.take().unwrap();
                    self.cache[i].body = body;
                    self.apply_fetch(seq, items);
                }
                CEvent::Status(st) | CEvent::Greeting(st) => {
                    if let Some(Code::UidValidity(v)) = st.text.code {
                        self.validity = v.get();
                    }
                    if let Some(Code::HighestModSeq(m)) = st.text.code {
                        self.modseq = m;
                    }
                }
                CEvent::IdleStarted => self.idling = true,
                CEvent::Completed {
                    tag, kind, text, ..
                } => {
                    let t = String::from_utf8_lossy(text.text.as_bytes()).into_owned();
                    self.completed.push((tag, kind, t));
                }
                CEvent::Error(e) => panic!("client error: {e}"),
                _ => {}
            }
        }
    }

    fn run(&mut self, body: CommandBody) -> StatusKind {
        let tag = self.c.command(body).unwrap();
        self.progress();
        let (_, kind, text) = self
            .completed
            .iter()
            .find(|(t, ..)| *t == tag)
            .unwrap_or_else(|| panic!("no completion for {tag:?}"))
            .clone();
        assert_eq!(kind, StatusKind::Ok, "{text}");
        kind
    }

    fn cmd(&mut self, line: &str) -> StatusKind {
        let msg = Bytes::from(format!("x {line}\r\n"));
        let body = yubin_imap::parse::Parser::default()
            .command(&msg)
            .unwrap()
            .body;
        self.run(body)
    }

    /// The client's copy equals the store's INBOX.
    fn agree(&self) {
        let inbox = &self.store.boxes["INBOX"];
        let theirs: Vec<Cached> = inbox
            .msgs
            .iter()
            .map(|m| Cached {
                uid: m.uid,
                flags: m.flags.clone(),
                body: m.body.to_vec(),
            })
            .collect();
        assert_eq!(self.cache.len(), theirs.len());
        for (a, b) in self.cache.iter().zip(&theirs) {
            assert_eq!(a.uid, b.uid);
            let (mut fa, mut fb) = (a.flags.clone(), b.flags.clone());
            fa.sort_by_key(|f| format!("{f:?}"));
            fb.sort_by_key(|f| format!("{f:?}"));
            assert_eq!(fa, fb, "flags of uid {}", a.uid);
            assert!(a.body == b.body, "body of uid {}", a.uid);
        }
    }
}

#[test]
fn client_and_server_agree_through_a_whole_session() {
    let mut p = Pair::new();
    p.progress();
    assert_eq!(p.c.state(), client::State::NotAuthenticated);
    assert!(p.c.has_capability(&Capability::Imap4Rev2));
    let tag = p.c.login("joe", "secret").unwrap();
    p.progress();
    assert!(
        p.completed
            .iter()
            .any(|(t, k, _)| *t == tag && *k == StatusKind::Ok)
    );
    assert_eq!(p.c.state(), client::State::Authenticated);
    assert!(
        p.c.has_capability(&Capability::QResync),
        "caps from the login OK"
    );

    p.cmd("LIST \"\" \"*\"");
    p.cmd("ENABLE QRESYNC");
    assert!(p.s.qresync_enabled());
    p.cmd("SELECT INBOX");
    assert_eq!(p.c.state(), client::State::Selected);
    assert_eq!(p.cache.len(), 3);
    p.cmd("UID FETCH 1:* (FLAGS BODY.PEEK[])");
    p.agree();
    assert_eq!(
        p.cache[1].body.len(),
        200_016,
        "the big body arrived whole, streamed"
    );

    // Leave, let the mailbox change, come back with QRESYNC.
    let (validity, modseq) = (p.validity, p.modseq);
    p.cmd("UNSELECT");
    let inbox = p.store.boxes.get_mut("INBOX").unwrap();
    inbox.msgs.retain(|m| m.uid != 3);
    p.store.modseq += 1;
    let m = p.store.modseq;
    let first = &mut p.store.boxes.get_mut("INBOX").unwrap().msgs[0];
    first.flags.push(Flag::Flagged);
    first.modseq = m;
    p.cmd(&format!("SELECT INBOX (QRESYNC ({validity} {modseq} 1:3))"));
    p.agree();

    // IDLE; a message arrives.
    p.c.idle().unwrap();
    p.progress();
    assert!(p.idling);
    p.store
        .deliver("INBOX", b"Subject: four\r\n\r\nfourth\r\n", vec![]);
    p.conn.sync(&mut p.s, &p.store);
    p.progress();
    assert_eq!(p.cache.len(), 3, "EXISTS pushed during IDLE");
    p.c.idle_done().unwrap();
    p.progress();
    p.cmd("UID FETCH 4 (FLAGS BODY.PEEK[])");
    p.agree();

    p.cmd("STORE 1 +FLAGS (\\Seen \\Answered)");
    p.agree();
    p.cmd("UID MOVE 2 Archive");
    p.agree();
    assert_eq!(p.store.boxes["Archive"].msgs.len(), 1);
    p.cmd("STORE 1 +FLAGS (\\Deleted)");
    p.cmd("EXPUNGE");
    p.agree();
    assert_eq!(p.cache.iter().map(|m| m.uid).collect::<Vec<_>>(), vec![4]);

    p.cmd("LOGOUT");
    assert!(p.c.is_closed());
    assert!(p.s.is_closed());
}

#[test]
fn client_waits_for_continuation_without_literal_plus() {
    // A server without LITERAL+: the client holds the literal until "+".
    let mut cfg = server::Config::default();
    cfg.danger_allow_plaintext_auth = true;
    cfg.literals = server::NonSyncLiterals::Off;
    let now = t0();
    let mut s = server::Session::new(Arc::new(cfg), now, [1; 18], Greeting::Ok);
    let mut c = client::Session::new(Arc::new(client::Config::default()), now);
    let g = s.outgoing().to_vec();
    s.sent(g.len());
    c.receive(now, &g);
    let pass = "p\u{e9}ss \"w\u{f6}rd\"\nline";
    c.login("joe", pass).unwrap();
    let first = c.outgoing().to_vec();
    assert!(first.ends_with(b"}\r\n") && !first.ends_with(b"+}\r\n"));
    c.sent(first.len());
    s.receive(now, &first);
    assert_eq!(s.outgoing(), b"+ Ready for literal data\r\n");
    let cont = s.outgoing().to_vec();
    s.sent(cont.len());
    c.receive(now, &cont);
    let rest = c.outgoing().to_vec();
    c.sent(rest.len());
    s.receive(now, &rest);
    let Some(server::Event::Login {
        username,
        password,
        ticket,
    }) = s.next_event()
    else {
        panic!()
    };
    assert_eq!(username, "joe");
    assert_eq!(password.expose(), pass);
    s.accept_login(ticket).unwrap();
}

/// AUTHENTICATE end to end: SCRAM-SHA-256 (server-final sent as a last
/// challenge, checked by the client) and PLAIN with SASL-IR.
#[test]
fn authenticate_scram_and_plain_between_client_and_server() {
    use yubin_sasl::client::{Client, Credentials};
    use yubin_sasl::server::{Answer, Verify};
    use yubin_sasl::{Mechanism, Nonce, ScramHash, Secret, scram_credentials};

    for mech in [Mechanism::ScramSha256, Mechanism::Plain] {
        let mut cfg = server::Config::default();
        cfg.tls = server::Tls::Implicit;
        let now = t0();
        let mut s = server::Session::new(Arc::new(cfg), now, [9; 18], Greeting::Ok);
        let mut c = client::Session::new(Arc::new(client::Config::default()), now);
        let creds = Credentials::password("joe", Secret::new("secret".to_owned()));
        let mut tag = None;
        let mut done = None;
        for _ in 0..20 {
            let down = s.outgoing().to_vec();
            s.sent(down.len());
            c.receive(now, &down);
            while let Some(ev) = c.next_event() {
                match ev {
                    CEvent::Greeting(_) => {
                        let cl =
                            Client::new(mech, creds.clone(), Nonce::from_entropy([4; 18])).unwrap();
                        tag = Some(c.authenticate(cl).unwrap());
                    }
                    CEvent::Completed { tag: t, kind, .. } => done = Some((t, kind)),
                    CEvent::Error(e) => panic!("{e}"),
                    _ => {}
                }
            }
            let up = c.outgoing().to_vec();
            c.sent(up.len());
            s.receive(now, &up);
            while let Some(ev) = s.next_event() {
                if let server::Event::SaslVerify { ticket, verify } = ev {
                    let answer = match verify {
                        Verify::ScramLookup { authcid, hash, .. } => {
                            assert_eq!(authcid, "joe");
                            assert_eq!(hash, ScramHash::Sha256);
                            Answer::Scram(scram_credentials(hash, "secret", b"salt", 4096))
                        }
                        Verify::Password {
                            authcid, password, ..
                        } => {
                            if authcid == "joe" && password.expose() == "secret" {
                                Answer::Accept
                            } else {
                                Answer::Reject
                            }
                        }
                        other => panic!("{other:?}"),
                    };
                    s.answer_sasl(ticket, answer).unwrap();
                }
            }
        }
        assert_eq!(done, Some((tag.unwrap(), StatusKind::Ok)), "{mech:?}");
        assert_eq!(s.user(), Some("joe"));
        assert_eq!(c.state(), client::State::Authenticated);
    }
}

/// STARTTLS between the two sessions: the server drops what was pipelined,
/// the client forgets the capabilities and asks again after the handshake.
#[test]
fn starttls_then_capabilities_again() {
    let mut cfg = server::Config::default();
    cfg.tls = server::Tls::StartTls;
    let now = t0();
    let mut s = server::Session::new(Arc::new(cfg), now, [1; 18], Greeting::Ok);
    let mut c = client::Session::new(Arc::new(client::Config::default()), now);
    let g = s.outgoing().to_vec();
    s.sent(g.len());
    c.receive(now, &g);
    assert!(c.has_capability(&Capability::StartTls));
    assert!(c.has_capability(&Capability::LoginDisabled));
    c.starttls().unwrap();
    let up = c.outgoing().to_vec();
    c.sent(up.len());
    s.receive(now, &up);
    assert!(matches!(s.next_event(), Some(server::Event::StartTls)));
    let down = s.outgoing().to_vec();
    s.sent(down.len());
    c.receive(now, &down);
    let evs: Vec<_> = std::iter::from_fn(|| c.next_event()).collect();
    assert!(evs.contains(&CEvent::StartTls), "{evs:?}");
    assert!(c.capabilities().is_empty());
    // Both sides run the handshake.
    s.tls_established().unwrap();
    c.tls_established().unwrap();
    let up = c.outgoing().to_vec();
    c.sent(up.len());
    s.receive(now, &up);
    let down = s.outgoing().to_vec();
    c.receive(now, &down);
    assert!(!c.has_capability(&Capability::StartTls));
    assert!(!c.has_capability(&Capability::LoginDisabled));
    assert!(c.has_capability(&Capability::Auth(Atom::try_from("PLAIN").unwrap())));
}
