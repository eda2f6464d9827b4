//! An in-memory mail store and the application that serves it through a
//! server session: what a Maildir-backed server does, in a few hundred lines.
#![allow(dead_code, unreachable_pub, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Instant;

use bytes::Bytes;
use yubin_imap::server::{
    Change, ChangedMessage, CopyUid, Event, MailboxOp, MailboxSnapshot, MailboxStatus, Refusal,
    SearchResult, Session, StreamedItem,
};
use yubin_imap::types::*;
use yubin_sasl::server::{Answer, Verify};

/// The simulated clock's origin.
pub fn t0() -> Instant {
    Instant::now()
}

pub fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

#[derive(Debug, Clone)]
pub struct Msg {
    pub uid: u32,
    pub flags: Vec<Flag>,
    pub modseq: u64,
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub struct Mbox {
    pub validity: u32,
    pub next: u32,
    pub msgs: Vec<Msg>,
    pub subscribed: bool,
}

/// The store shared by every connection, with a change log that lets each
/// connection tell its client what others did.
#[derive(Debug, Default)]
pub struct Store {
    pub boxes: BTreeMap<String, Mbox>,
    pub users: Vec<(String, String)>,
    pub modseq: u64,
    /// (connection id, mailbox, change)
    pub log: Vec<(u32, String, Change)>,
}

impl Store {
    pub fn new() -> Self {
        let mut s = Self {
            users: vec![("joe".into(), "secret".into())],
            modseq: 1,
            ..Self::default()
        };
        s.create("INBOX");
        s
    }

    pub fn create(&mut self, name: &str) {
        self.boxes.insert(
            name.to_owned(),
            Mbox {
                validity: 1000 + self.boxes.len() as u32,
                next: 1,
                msgs: Vec::new(),
                subscribed: false,
            },
        );
    }

    /// Delivers a message (as SMTP would); returns its UID.
    pub fn deliver(&mut self, mbox: &str, body: &[u8], flags: Vec<Flag>) -> u32 {
        self.modseq += 1;
        let modseq = self.modseq;
        let b = self.boxes.get_mut(mbox).unwrap();
        let uid = b.next;
        b.next += 1;
        b.msgs.push(Msg {
            uid,
            flags,
            modseq,
            body: Bytes::copy_from_slice(body),
        });
        self.log
            .push((0, mbox.to_owned(), Change::Appended(nz(uid))));
        uid
    }
}

/// One connection's application state.
#[derive(Debug, Default)]
pub struct Conn {
    pub id: u32,
    pub selected: Option<String>,
    pub read_only: bool,
    pub seen_log: usize,
    pub appending: Option<(String, Option<Vec<Flag>>, Vec<u8>)>,
    /// Bytes "sent to the network" while streaming.
    pub wire: Vec<u8>,
    /// The most output the session held when flushed while streaming.
    pub max_out: usize,
}

fn name(m: &Mailbox) -> String {
    if m.is_inbox() {
        "INBOX".to_owned()
    } else {
        String::from_utf8_lossy(m.as_bytes()).into_owned()
    }
}

fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| matches(rest, &name[i..])),
        Some((b'%', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != b'/')
            .any(|i| matches(rest, &name[i..])),
        Some((c, rest)) => name.first() == Some(c) && matches(rest, &name[1..]),
    }
}

fn has(flags: &[Flag], f: &Flag) -> bool {
    flags.contains(f)
}

impl Conn {
    pub fn new(id: u32) -> Self {
        Self {
            id,
            ..Self::default()
        }
    }

    /// Tells the session what other connections changed in its mailbox.
    pub fn sync(&mut self, s: &mut Session, store: &Store) {
        let Some(sel) = &self.selected else {
            self.seen_log = store.log.len();
            return;
        };
        for (who, mbox, change) in &store.log[self.seen_log..] {
            if *who != self.id && mbox == sel {
                s.update(change.clone()).unwrap();
            }
        }
        self.seen_log = store.log.len();
    }

    fn flush_wire(&mut self, s: &mut Session) {
        let n = s.outgoing().len();
        self.max_out = self.max_out.max(n);
        self.wire.extend_from_slice(s.outgoing());
        s.sent(n);
    }

    /// Answers every pending event.
    pub fn serve(&mut self, s: &mut Session, store: &mut Store) {
        while let Some(ev) = s.next_event() {
            self.handle(s, store, ev);
        }
    }

    fn handle(&mut self, s: &mut Session, store: &mut Store, ev: Event) {
        match ev {
            Event::Login {
                ticket,
                username,
                password,
            } => {
                if store
                    .users
                    .iter()
                    .any(|(u, p)| *u == username && p == password.expose())
                {
                    s.accept_login(ticket).unwrap();
                } else {
                    s.reject(ticket, Refusal::no(None, "Invalid credentials"))
                        .unwrap();
                }
            }
            Event::SaslVerify { ticket, verify } => {
                let ok = match verify {
                    Verify::Password {
                        authcid, password, ..
                    } => store
                        .users
                        .iter()
                        .any(|(u, p)| *u == authcid && p == password.expose()),
                    _ => false,
                };
                let a = if ok { Answer::Accept } else { Answer::Reject };
                s.answer_sasl(ticket, a).unwrap();
            }
            Event::StartTls => s.tls_established().unwrap(),
            Event::Select {
                ticket,
                mailbox,
                read_only,
                qresync,
            } => {
                let n = name(&mailbox);
                let Some(b) = store.boxes.get(&n) else {
                    self.selected = None;
                    return s
                        .reject(
                            ticket,
                            Refusal::no(Some(Code::NonExistent), "No such mailbox"),
                        )
                        .unwrap();
                };
                let mut snap = MailboxSnapshot::new(
                    nz(b.validity),
                    nz(b.next),
                    b.msgs.iter().map(|m| m.uid).collect(),
                );
                snap.permanent_flags = vec![
                    FlagPerm::Flag(Flag::Deleted),
                    FlagPerm::Flag(Flag::Seen),
                    FlagPerm::Any,
                ];
                snap.highest_modseq = Some(store.modseq);
                if let Some(q) = qresync {
                    snap.changed = b
                        .msgs
                        .iter()
                        .filter(|m| m.modseq > q.modseq)
                        .map(|m| ChangedMessage {
                            uid: nz(m.uid),
                            flags: m.flags.clone(),
                            modseq: m.modseq,
                        })
                        .collect();
                }
                self.selected = Some(n);
                self.read_only = read_only;
                self.seen_log = store.log.len();
                s.accept_select(ticket, snap).unwrap();
            }
            Event::Unselected => self.selected = None,
            Event::List {
                ticket,
                lsub,
                patterns,
                ..
            } => {
                for (n, b) in &store.boxes {
                    let hit = patterns.iter().any(|p| {
                        let pat = match p {
                            ListMailbox::Token(t) => t.to_vec(),
                            ListMailbox::String(s) => s.as_bytes().to_vec(),
                        };
                        matches(&pat, n.as_bytes())
                    });
                    if hit && (!lsub || b.subscribed) {
                        let item = ListItem {
                            attributes: Vec::new(),
                            delimiter: Some(b'/'),
                            mailbox: Mailbox::try_from(n.as_str()).unwrap(),
                            extended: Vec::new(),
                        };
                        s.list(&ticket, item).unwrap();
                    }
                }
                s.complete(ticket).unwrap();
            }
            Event::Status {
                ticket, mailbox, ..
            } => match store.boxes.get(&name(&mailbox)) {
                Some(b) => {
                    let mut st = MailboxStatus::default();
                    st.messages = b.msgs.len() as u32;
                    st.uid_next = b.next;
                    st.uid_validity = b.validity;
                    st.unseen = b
                        .msgs
                        .iter()
                        .filter(|m| !has(&m.flags, &Flag::Seen))
                        .count() as u32;
                    st.highest_modseq = Some(store.modseq);
                    s.answer_status(ticket, &st).unwrap();
                }
                None => s
                    .reject(
                        ticket,
                        Refusal::no(Some(Code::NonExistent), "No such mailbox"),
                    )
                    .unwrap(),
            },
            Event::Namespace { ticket } => {
                let personal = NamespaceDescr {
                    prefix: IString::try_from("").unwrap(),
                    delimiter: Some(b'/'),
                    extensions: Vec::new(),
                };
                s.send_data(
                    &ticket,
                    Data::Namespace {
                        personal: Some(vec![personal]),
                        other: None,
                        shared: None,
                    },
                )
                .unwrap();
                s.complete(ticket).unwrap();
            }
            Event::Mailbox { ticket, op } => {
                let r = match op {
                    MailboxOp::Create { mailbox, .. } => {
                        let n = name(&mailbox);
                        if store.boxes.contains_key(&n) {
                            Err(Code::AlreadyExists)
                        } else {
                            store.create(&n);
                            Ok(())
                        }
                    }
                    MailboxOp::Delete(m) => store
                        .boxes
                        .remove(&name(&m))
                        .map(|_| ())
                        .ok_or(Code::NonExistent),
                    MailboxOp::Rename { from, to } => match store.boxes.remove(&name(&from)) {
                        Some(b) => {
                            store.boxes.insert(name(&to), b);
                            Ok(())
                        }
                        None => Err(Code::NonExistent),
                    },
                    MailboxOp::Subscribe(m) | MailboxOp::Unsubscribe(m) => {
                        let sub = store.boxes.get_mut(&name(&m));
                        match sub {
                            Some(b) => {
                                b.subscribed = !b.subscribed;
                                Ok(())
                            }
                            None => Err(Code::NonExistent),
                        }
                    }
                    _ => Err(Code::Cannot),
                };
                match r {
                    Ok(()) => s.complete(ticket).unwrap(),
                    Err(c) => s.reject(ticket, Refusal::no(Some(c), "Failed")).unwrap(),
                }
            }
            Event::Append {
                ticket,
                mailbox,
                flags,
                ..
            } => {
                let n = name(&mailbox);
                if store.boxes.contains_key(&n) {
                    self.appending = Some((n, flags, Vec::new()));
                    s.accept_append(ticket).unwrap();
                } else {
                    s.reject(
                        ticket,
                        Refusal::no(Some(Code::TryCreate), "No such mailbox"),
                    )
                    .unwrap();
                }
            }
            Event::AppendChunk(b) => {
                if let Some((_, _, buf)) = &mut self.appending {
                    buf.extend_from_slice(&b);
                }
            }
            Event::AppendAborted => self.appending = None,
            Event::AppendEnd { ticket } => {
                let (n, flags, body) = self.appending.take().unwrap();
                let uid = store.deliver(&n, &body, flags.unwrap_or_default());
                // Our own append: the session learns it like any other change.
                if let Some(last) = store.log.last_mut() {
                    last.0 = u32::MAX;
                }
                let v = store.boxes[&n].validity;
                s.complete_append(ticket, Some((nz(v), nz(uid)))).unwrap();
                self.sync(s, store);
            }
            Event::Poll { ticket } => {
                self.sync(s, store);
                s.complete(ticket).unwrap();
            }
            Event::IdleStarted => self.sync(s, store),
            Event::Fetch {
                ticket,
                uids,
                attrs,
                changed_since,
                ..
            } => {
                let sel = self.selected.clone().unwrap();
                let msgs = store.boxes[&sel].msgs.clone();
                for uid in uids {
                    let Some(m) = msgs.iter().find(|m| m.uid == uid) else {
                        continue;
                    };
                    if changed_since.is_some_and(|c| m.modseq <= c) {
                        continue;
                    }
                    let mut items = Vec::new();
                    let mut stream = None;
                    for a in &attrs {
                        match a {
                            FetchAttr::Flags => items.push(FetchItem::Flags(
                                m.flags.iter().cloned().map(FlagFetch::Flag).collect(),
                            )),
                            FetchAttr::Uid => items.push(FetchItem::Uid(nz(m.uid))),
                            FetchAttr::Rfc822Size => {
                                items.push(FetchItem::Rfc822Size(m.body.len() as u64))
                            }
                            FetchAttr::ModSeq => items.push(FetchItem::ModSeq(m.modseq)),
                            FetchAttr::BodySection {
                                section, partial, ..
                            } if section.part.is_empty() && section.text.is_none() => {
                                let (origin, data) = match partial {
                                    Some(p) => {
                                        let from = (p.offset as usize).min(m.body.len());
                                        let to = (from + p.length as usize).min(m.body.len());
                                        (Some(p.offset), m.body.slice(from..to))
                                    }
                                    None => (None, m.body.clone()),
                                };
                                stream = Some((section.clone(), origin, data));
                            }
                            _ => {}
                        }
                    }
                    match stream {
                        Some((section, origin, data)) if data.len() > 4096 => {
                            s.fetch_streamed(
                                &ticket,
                                uid,
                                items,
                                StreamedItem::Body { section, origin },
                                data.len() as u64,
                            )
                            .unwrap();
                            let mut off = 0;
                            while off < data.len() {
                                if s.stream_room() == 0 {
                                    self.flush_wire(s);
                                }
                                let n = s.stream_room().min(data.len() - off).min(16 * 1024);
                                s.stream_chunk(&ticket, &data[off..off + n]).unwrap();
                                off += n;
                            }
                            s.stream_end(&ticket).unwrap();
                        }
                        Some((section, origin, data)) => {
                            items.push(FetchItem::BodySection {
                                section,
                                origin,
                                data: Some(IString::Literal(Literal::new(data).unwrap())),
                            });
                            s.fetch(&ticket, uid, items).unwrap();
                        }
                        None => s.fetch(&ticket, uid, items).unwrap(),
                    }
                }
                s.complete(ticket).unwrap();
            }
            Event::Store {
                ticket,
                uids,
                mode,
                flags,
                unchanged_since,
                ..
            } => {
                let sel = self.selected.clone().unwrap();
                for uid in uids {
                    let b = store.boxes.get_mut(&sel).unwrap();
                    let Some(m) = b.msgs.iter_mut().find(|m| m.uid == uid) else {
                        continue;
                    };
                    if unchanged_since.is_some_and(|u| m.modseq > u) {
                        s.store_modified(&ticket, uid).unwrap();
                        continue;
                    }
                    match mode {
                        StoreMode::Replace => m.flags = flags.clone(),
                        StoreMode::Add => {
                            for f in &flags {
                                if !m.flags.contains(f) {
                                    m.flags.push(f.clone());
                                }
                            }
                        }
                        StoreMode::Remove => m.flags.retain(|f| !flags.contains(f)),
                    }
                    store.modseq += 1;
                    m.modseq = store.modseq;
                    let change = Change::Flags {
                        uid: nz(uid),
                        flags: m.flags.clone(),
                        modseq: Some(m.modseq),
                    };
                    let (f, ms) = (m.flags.clone(), m.modseq);
                    store.log.push((self.id, sel.clone(), change));
                    s.store_result(&ticket, uid, f, Some(ms)).unwrap();
                }
                s.complete(ticket).unwrap();
            }
            Event::Search {
                ticket, criteria, ..
            } => {
                let sel = self.selected.clone().unwrap();
                let view = s.view().unwrap().clone();
                let uids = store.boxes[&sel]
                    .msgs
                    .iter()
                    .filter(|m| view.seq(m.uid).is_some())
                    .filter(|m| criteria.iter().all(|k| eval(k, m, &view)))
                    .map(|m| m.uid)
                    .collect();
                s.search_result(ticket, SearchResult::new(uids, None))
                    .unwrap();
            }
            Event::Copy {
                ticket,
                is_move,
                uids,
                mailbox,
            } => {
                let sel = self.selected.clone().unwrap();
                let dest = name(&mailbox);
                if !store.boxes.contains_key(&dest) {
                    return s
                        .reject(
                            ticket,
                            Refusal::no(Some(Code::TryCreate), "No such mailbox"),
                        )
                        .unwrap();
                }
                let moved: Vec<Msg> = store.boxes[&sel]
                    .msgs
                    .iter()
                    .filter(|m| uids.contains(&m.uid))
                    .cloned()
                    .collect();
                let mut dst_uids = Vec::new();
                for m in &moved {
                    dst_uids.push(store.deliver(&dest, &m.body.clone(), m.flags.clone()));
                }
                if is_move {
                    let b = store.boxes.get_mut(&sel).unwrap();
                    b.msgs.retain(|m| !uids.contains(&m.uid));
                    for u in &uids {
                        store
                            .log
                            .push((self.id, sel.clone(), Change::Expunged(nz(*u))));
                    }
                }
                let c = CopyUid {
                    uid_validity: nz(store.boxes[&dest].validity),
                    source: moved.iter().map(|m| m.uid).collect(),
                    destination: dst_uids,
                };
                s.complete_copy(ticket, Some(c)).unwrap();
            }
            Event::Expunge { ticket, uids } => {
                let sel = self.selected.clone().unwrap();
                let b = store.boxes.get_mut(&sel).unwrap();
                let gone: Vec<u32> = b
                    .msgs
                    .iter()
                    .filter(|m| has(&m.flags, &Flag::Deleted))
                    .filter(|m| uids.as_ref().is_none_or(|u| u.contains(&m.uid)))
                    .map(|m| m.uid)
                    .collect();
                b.msgs.retain(|m| !gone.contains(&m.uid));
                for u in &gone {
                    store
                        .log
                        .push((self.id, sel.clone(), Change::Expunged(nz(*u))));
                }
                store.modseq += 1;
                s.complete_expunge(ticket, &gone).unwrap();
            }
            Event::Close { ticket, read_only } => {
                let sel = self.selected.take().unwrap();
                if !read_only {
                    let b = store.boxes.get_mut(&sel).unwrap();
                    b.msgs.retain(|m| !has(&m.flags, &Flag::Deleted));
                }
                s.complete(ticket).unwrap();
            }
            _ => {}
        }
    }
}

fn eval(k: &SearchKey, m: &Msg, view: &yubin_imap::server::MailboxView) -> bool {
    match k {
        SearchKey::All => true,
        SearchKey::Seen => has(&m.flags, &Flag::Seen),
        SearchKey::Unseen => !has(&m.flags, &Flag::Seen),
        SearchKey::Deleted => has(&m.flags, &Flag::Deleted),
        SearchKey::Undeleted => !has(&m.flags, &Flag::Deleted),
        SearchKey::Flagged => has(&m.flags, &Flag::Flagged),
        SearchKey::Not(k) => !eval(k, m, view),
        SearchKey::Or(a, b) => eval(a, m, view) || eval(b, m, view),
        SearchKey::And(v) => v.iter().all(|k| eval(k, m, view)),
        SearchKey::Uid(set) => view.resolve(set, true).unwrap_or_default().contains(&m.uid),
        SearchKey::SequenceSet(set) => view
            .resolve(set, false)
            .unwrap_or_default()
            .contains(&m.uid),
        SearchKey::Text(t) | SearchKey::Body(t) => {
            let needle = t.as_bytes().to_ascii_lowercase();
            m.body
                .to_ascii_lowercase()
                .windows(needle.len().max(1))
                .any(|w| w == needle.as_slice())
        }
        _ => false,
    }
}
