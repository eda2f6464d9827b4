#![no_main]
//! IMAP server session: chunked input, application decisions and mailbox
//! changes drawn from the input; buffers stay within their limits and
//! nothing panics.
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use yubin_imap::server::{
    Change, Config, CopyUid, Event, Greeting, MailboxSnapshot, MailboxStatus, NonSyncLiterals,
    Refusal, Revisions, SearchResult, Session, StreamedItem, Tls,
};
use yubin_imap::types::{FetchAttr, FetchItem, Flag, FlagFetch, IString, Literal};
use yubin_sasl::Mechanism;
use yubin_sasl::server::Answer;

const MAX_OUT: usize = 2048;

struct Dice<'a> {
    bytes: &'a [u8],
    i: usize,
}

impl Dice<'_> {
    fn roll(&mut self) -> u8 {
        self.i = self.i.wrapping_add(1);
        self.bytes.get(self.i % self.bytes.len().max(1)).copied().unwrap_or(0)
    }
    fn yes(&mut self) -> bool {
        self.roll() & 1 == 0
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("non-zero")
}

/// Keeps the output bounded the way an adapter does: write it out when full.
fn drain_if_full(s: &mut Session) {
    if s.stream_room() == 0 {
        let n = s.outgoing().len();
        s.sent(n);
    }
}

fn answer(s: &mut Session, ev: Event, d: &mut Dice<'_>, next_uid: &mut u32) {
    drain_if_full(s);
    match ev {
        Event::Login { ticket, .. } => {
            if d.yes() {
                s.accept_login(ticket).expect("own ticket");
            } else {
                s.reject(ticket, Refusal::no(None, "no")).expect("own ticket");
            }
        }
        Event::SaslVerify { ticket, .. } => {
            let a = if d.yes() { Answer::Accept } else { Answer::Reject };
            s.answer_sasl(ticket, a).expect("own ticket");
        }
        Event::StartTls => s.tls_established().expect("pending"),
        Event::Select { ticket, .. } => {
            if d.yes() {
                let n = u32::from(d.roll() % 40);
                *next_uid = n * 2 + 1;
                let mut snap = MailboxSnapshot::new(nz(7), nz(*next_uid), (1..=n).map(|u| u * 2).collect());
                snap.highest_modseq = d.yes().then_some(u64::from(d.roll()));
                s.accept_select(ticket, snap).expect("valid snapshot");
            } else {
                s.reject(ticket, Refusal::no(None, "no")).expect("own ticket");
            }
        }
        Event::List { ticket, .. } | Event::Namespace { ticket } | Event::Mailbox { ticket, .. } | Event::Poll { ticket } | Event::Close { ticket, .. } => {
            if d.yes() {
                s.complete(ticket).expect("own ticket");
            } else {
                s.reject(ticket, Refusal::bad(None, "no")).expect("own ticket");
            }
        }
        Event::Status { ticket, .. } => s.answer_status(ticket, &MailboxStatus::default()).expect("own ticket"),
        Event::Fetch { ticket, uids, attrs, .. } => {
            for uid in uids {
                drain_if_full(s);
                let mut items = Vec::new();
                let mut body = false;
                for a in &attrs {
                    match a {
                        FetchAttr::Flags => items.push(FetchItem::Flags(vec![FlagFetch::Flag(Flag::Seen), FlagFetch::Recent])),
                        FetchAttr::BodySection { .. } => body = true,
                        _ => {}
                    }
                }
                if body && d.yes() {
                    let len = u64::from(d.roll()) * 64;
                    s.fetch_streamed(&ticket, uid, items, StreamedItem::Body { section: Default::default(), origin: None }, len).expect("fetch");
                    let mut left = len as usize;
                    let chunk = [b'x'; 1024];
                    while left > 0 {
                        drain_if_full(s);
                        let n = left.min(s.stream_room()).min(chunk.len());
                        s.stream_chunk(&ticket, &chunk[..n]).expect("within length");
                        left -= n;
                        assert!(s.outgoing().len() <= MAX_OUT + 1024);
                    }
                    s.stream_end(&ticket).expect("complete");
                } else {
                    if body {
                        let data = Literal::new(Bytes::from_static(b"Subject: x\r\n\r\ny\r\n")).expect("no NUL");
                        items.push(FetchItem::BodySection { section: Default::default(), origin: None, data: Some(IString::Literal(data)) });
                    }
                    s.fetch(&ticket, uid, items).expect("fetch");
                }
            }
            s.complete(ticket).expect("own ticket");
        }
        Event::Store { ticket, uids, flags, .. } => {
            for uid in uids {
                drain_if_full(s);
                if d.yes() {
                    s.store_result(&ticket, uid, flags.clone(), Some(u64::from(d.roll()))).expect("store");
                } else {
                    s.store_modified(&ticket, uid).expect("store");
                }
            }
            s.complete(ticket).expect("own ticket");
        }
        Event::Search { ticket, .. } => {
            let uids = (0..d.roll() % 8).map(|_| u32::from(d.roll())).collect();
            s.search_result(ticket, SearchResult::new(uids, d.yes().then_some(5))).expect("own ticket");
        }
        Event::Copy { ticket, uids, .. } => {
            let c = d.yes().then(|| CopyUid { uid_validity: nz(9), destination: uids.iter().map(|u| u + 1000).collect(), source: uids });
            s.complete_copy(ticket, c).expect("own ticket");
        }
        Event::Expunge { ticket, uids } => {
            let gone: Vec<u32> = uids.unwrap_or_default().into_iter().filter(|_| d.yes()).collect();
            s.complete_expunge(ticket, &gone).expect("own ticket");
        }
        Event::Append { ticket, .. } => {
            if d.yes() {
                s.accept_append(ticket).expect("own ticket");
            } else {
                s.reject(ticket, Refusal::no(None, "no")).expect("own ticket");
            }
        }
        Event::AppendEnd { ticket } => {
            *next_uid += 1;
            s.complete_append(ticket, Some((nz(7), nz(*next_uid)))).expect("own ticket");
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let mut c = Config::default();
    c.revisions = match flags & 3 {
        0 => Revisions::Rev1,
        1 => Revisions::Rev2,
        _ => Revisions::Both,
    };
    c.literals = match (flags >> 2) & 3 {
        0 => NonSyncLiterals::Off,
        1 => NonSyncLiterals::Minus,
        _ => NonSyncLiterals::Plus,
    };
    c.tls = if flags & 16 != 0 { Tls::StartTls } else { Tls::None };
    c.danger_allow_plaintext_auth = flags & 32 != 0;
    c.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5, Mechanism::ScramSha256];
    c.limits.max_output_octets = MAX_OUT;
    c.limits.max_line_octets = 1024;
    c.limits.max_line_octets_before_login = 1024;
    c.limits.max_literal_octets = 2048;
    c.limits.max_command_octets = 4096;
    c.limits.max_append_octets = 8192;
    let greeting = if flags & 64 != 0 { Greeting::PreAuth("fuzz".into()) } else { Greeting::Ok };
    let now = Instant::now();
    let mut s = Session::new(Arc::new(c), now, [1; 18], greeting);
    let mut next_uid = 1;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        rest = tail;
        let mut dice = Dice { bytes: chunk, i: 0 };
        let mut off = 0;
        loop {
            let took = s.receive(now, &chunk[off..]);
            off += took;
            while let Some(ev) = s.next_event() {
                answer(&mut s, ev, &mut dice, &mut next_uid);
            }
            // Mailbox changes from "other sessions".
            if dice.roll() & 7 == 0 && s.view().is_some() {
                let change = match dice.roll() % 3 {
                    0 => Change::Appended(nz(next_uid + 1)),
                    1 => Change::Expunged(nz(u32::from(dice.roll()))),
                    _ => Change::Flags { uid: nz(u32::from(dice.roll())), flags: vec![Flag::Flagged], modseq: Some(9) },
                };
                if matches!(change, Change::Appended(_)) {
                    next_uid += 1;
                }
                let _ = s.update(change);
            }
            // Back-pressure: the send buffer never grows far past its limit
            // (one command's responses to input taken before it filled).
            assert!(s.outgoing().len() <= MAX_OUT + 64 * 1024);
            let out = s.outgoing().len();
            s.sent(out);
            if off >= chunk.len() || (took == 0 && out == 0) {
                break;
            }
        }
    }
    s.timeout(now + Duration::from_secs(7200));
    assert!(s.is_closed());
});
