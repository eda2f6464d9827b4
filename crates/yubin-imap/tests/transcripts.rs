//! Replays `tests/transcripts/{ok,err}/*.txt` against the server session
//! with a scripted mailbox application, byte for byte.
//!
//! A transcript is a list of lines:
//!
//! - `# ...` comments; `@key value` settings before the first exchange
//!   (`@rev 1|2|both`, `@tls none|starttls|implicit`, `@plaintext`,
//!   `@ext none` / `@ext +idle` …, `@literal plus|minus|off`,
//!   `@mechs PLAIN,LOGIN`, `@greeting text`, `@preauth user`,
//!   `@max-literal n`, `@max-append n`, `@max-bad n`,
//!   `@text <field> <text>` for a field of `server::Texts` (the rest of the
//!   line, possibly empty), `@greeting-capabilities off`,
//!   `@login-capabilities off`, `@sasl-nonce <printable>`,
//!   `@capability-order STARTTLS AUTH=X IMAP4rev2` (`AUTH=X`: every `AUTH=`));
//! - `@session` alone on a line ends one session and starts another (its
//!   settings follow), for RFC examples that are separate connections;
//! - `C: ` client bytes and `S: ` server bytes (each line gets CRLF);
//! - `A: ` the application's answers, used in order by the events that the
//!   preceding client line caused (see [`App::answer`] for the directives).
//!   A completion directive (`ok`, `copyuid ...`, `expunged ...`,
//!   `appenduid ...`, `scram ...`) may end in `text=<rest of line>`, the
//!   text of the tagged OK (`Ticket::with_text`); `ok <text>` is short for
//!   `ok text=<text>`.
//!
//! The session's output must equal the concatenated `S:` lines exactly.
//! Set `YUBIN_BLESS=1` to print the actual output of a failing transcript.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use yubin_imap::parse::Parser;
use yubin_imap::server::{
    Change, ChangedMessage, Config, CopyUid, Event, Extensions, Greeting, MailboxSnapshot,
    MailboxStatus, NonSyncLiterals, Refusal, Revisions, SearchResult, SelectItem, Session, Ticket,
    Tls,
};
use yubin_imap::types::{
    Data, FetchItem, Flag, FlagFetch, FlagPerm, Response, SeqNo, SeqRange, SequenceSet,
};
use yubin_sasl::server::Answer;
use yubin_sasl::{Mechanism, Nonce, ScramHash, scram_credentials, wire};

/// The simulated clock's origin.
#[allow(clippy::disallowed_methods)]
fn t0() -> Instant {
    Instant::now()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Splits `a=b c=(d e) f="g h"` into key/value pairs, keeping groups whole.
fn kv(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        let start = i;
        let mut depth = 0i32;
        let mut quoted = false;
        while i < b.len() && (b[i] != b' ' || depth > 0 || quoted) {
            match b[i] {
                b'"' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        let tok = &s[start..i];
        if tok.is_empty() {
            continue;
        }
        match tok.split_once('=') {
            Some((k, v)) => out.push((k.to_owned(), v.trim_matches('"').to_owned())),
            None => out.push((tok.to_owned(), String::new())),
        }
    }
    out
}

fn parse_response(line: &str) -> Response {
    let line = line.replace("\\r\\n", "\r\n");
    Parser::default()
        .response(&Bytes::from(format!("{line}\r\n")))
        .unwrap_or_else(|e| panic!("bad directive response {line:?}: {e}"))
}

fn parse_data(line: &str) -> Data {
    match parse_response(line) {
        Response::Data(d) => d,
        other => panic!("not data: {other:?}"),
    }
}

fn fetch_items(items: &str) -> Vec<FetchItem> {
    match parse_data(&format!("* 1 FETCH {items}")) {
        Data::Fetch { items, .. } => items,
        other => panic!("{other:?}"),
    }
}

fn flags(list: &str) -> Vec<Flag> {
    match parse_data(&format!("* FLAGS {list}")) {
        Data::Flags(f) => f,
        other => panic!("{other:?}"),
    }
}

fn perm_flags(list: &str) -> Vec<FlagPerm> {
    let r = parse_response(&format!("* OK [PERMANENTFLAGS {list}] x"));
    match r {
        Response::Status(s) => match s.text.code {
            Some(yubin_imap::types::Code::PermanentFlags(f)) => f,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// `1:3,7` into numbers.
fn numbers(set: &str) -> Vec<u32> {
    let mut v = Vec::new();
    if set.is_empty() {
        return v;
    }
    for part in set.split([',', ' ']).filter(|p| !p.is_empty()) {
        match part.split_once(':') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.parse().unwrap(), b.parse().unwrap());
                v.extend(a.min(b)..=a.max(b));
            }
            None => v.push(part.parse().unwrap()),
        }
    }
    v
}

/// Splits a trailing ` text=...` off a directive.
fn split_text(d: &str) -> (&str, Option<String>) {
    match d.split_once(" text=") {
        Some((head, t)) => (head, Some(t.to_owned())),
        None => match d.strip_prefix("ok ") {
            Some(t) => ("ok", Some(t.to_owned())),
            None => (d, None),
        },
    }
}

/// The ticket with the directive's text, if any.
fn texted(ticket: Ticket, text: Option<String>) -> Ticket {
    match text {
        Some(t) => ticket.with_text(t),
        None => ticket,
    }
}

fn refusal(kind: &str, rest: &str) -> Refusal {
    let r = parse_response(&format!("x {} {rest}", kind.to_uppercase()));
    let Response::Status(s) = r else { panic!() };
    let text = String::from_utf8(s.text.text.as_bytes().to_vec()).unwrap();
    if kind == "bad" {
        Refusal::bad(s.text.code, &text)
    } else {
        Refusal::no(s.text.code, &text)
    }
}

struct App {
    directives: VecDeque<String>,
    appended: Vec<u8>,
}

impl App {
    fn pop(&mut self, what: &str) -> String {
        self.directives
            .pop_front()
            .unwrap_or_else(|| panic!("no directive left for {what}"))
    }

    /// Runs leading `update` directives; returns the first other one.
    fn next_answer(&mut self, s: &mut Session, what: &str) -> String {
        loop {
            let d = self.pop(what);
            if let Some(u) = d.strip_prefix("update ") {
                update(s, u);
            } else {
                return d;
            }
        }
    }

    fn answer(&mut self, s: &mut Session, ev: Event) {
        match ev {
            Event::Login { ticket, .. } => {
                let d = self.next_answer(s, "login");
                let (head, text) = split_text(&d);
                match d.split_once(' ').unwrap_or((&d, "")) {
                    _ if head == "ok" => s.accept_login(texted(ticket, text)).unwrap(),
                    (k, rest) => s.reject(ticket, refusal(k, rest)).unwrap(),
                }
            }
            Event::SaslVerify { ticket, .. } => {
                let d = self.next_answer(s, "sasl");
                let (head, text) = split_text(&d);
                // scram <password> <base64 salt> <iterations>
                let a = if let Some(args) = head.strip_prefix("scram ") {
                    let p: Vec<&str> = args.split(' ').collect();
                    let salt = wire::decode_challenge(p[1].as_bytes()).unwrap();
                    let c =
                        scram_credentials(ScramHash::Sha256, p[0], &salt, p[2].parse().unwrap());
                    Answer::Scram(c)
                } else if head == "ok" {
                    Answer::Accept
                } else {
                    Answer::Reject
                };
                s.answer_sasl(texted(ticket, text), a).unwrap();
            }
            Event::StartTls => s.tls_established().unwrap(),
            Event::Select { ticket, .. } => {
                let d = self.next_answer(s, "select");
                let (d, text) = split_text(&d);
                let Some(args) = d.strip_prefix("select ") else {
                    let (k, rest) = d.split_once(' ').unwrap_or((d, ""));
                    return s.reject(ticket, refusal(k, rest)).unwrap();
                };
                let mut validity = 1;
                let mut next = 1;
                let mut uids = Vec::new();
                let mut snap_fields: Vec<(String, String)> = Vec::new();
                // `list=` takes the rest of the line.
                let (args, list) = match args.split_once(" list=") {
                    Some((a, l)) => (a, Some(l.to_owned())),
                    None => (args, None),
                };
                if let Some(l) = list {
                    snap_fields.push(("list".to_owned(), l));
                }
                for (k, v) in kv(args) {
                    match k.as_str() {
                        "validity" => validity = v.parse().unwrap(),
                        "next" => next = v.parse().unwrap(),
                        "uids" => uids = numbers(&v),
                        _ => snap_fields.push((k, v)),
                    }
                }
                let mut snap = MailboxSnapshot::new(nz(validity), nz(next), uids);
                for (k, v) in snap_fields {
                    match k.as_str() {
                        "flags" => snap.flags = flags(&v),
                        "perm" => snap.permanent_flags = perm_flags(&v),
                        "recent" => snap.recent = v.parse().unwrap(),
                        "unseen" => snap.first_unseen = Some(nz(v.parse().unwrap())),
                        "modseq" => snap.highest_modseq = Some(v.parse().unwrap()),
                        "no-uidnext" => snap.send_uid_next = false,
                        "no-permanentflags" => snap.send_permanent_flags = false,
                        // `* NO [UIDNOTSTICKY]` (RFC 4315 §3).
                        "uid-not-sticky" => snap.uid_not_sticky = true,
                        // order=exists,flags,recent,unseen,uidvalidity,...
                        "order" => {
                            snap.order = v
                                .split(',')
                                .map(|i| match i {
                                    "exists" => SelectItem::Exists,
                                    "recent" => SelectItem::Recent,
                                    "unseen" => SelectItem::Unseen,
                                    "uidvalidity" => SelectItem::UidValidity,
                                    "uidnext" => SelectItem::UidNext,
                                    "uidnotsticky" => SelectItem::UidNotSticky,
                                    "flags" => SelectItem::Flags,
                                    "permanentflags" => SelectItem::PermanentFlags,
                                    "list" => SelectItem::List,
                                    "highestmodseq" => SelectItem::HighestModSeq,
                                    other => panic!("select item {other}"),
                                })
                                .collect()
                        }
                        "list" => {
                            let Data::List(item) = parse_data(&format!("* LIST {v}")) else {
                                panic!()
                            };
                            snap.list = Some(item);
                        }
                        // changed=uid/modseq/(flags)
                        "changed" => {
                            let mut p = v.splitn(3, '/');
                            let uid = p.next().unwrap().parse().unwrap();
                            let modseq = p.next().unwrap().parse().unwrap();
                            let f = flags(p.next().unwrap());
                            snap.changed.push(ChangedMessage {
                                uid: nz(uid),
                                flags: f,
                                modseq,
                            });
                        }
                        other => panic!("select key {other}"),
                    }
                }
                s.accept_select(texted(ticket, text), snap).unwrap();
            }
            Event::List { ticket, .. }
            | Event::Namespace { ticket }
            | Event::Mailbox { ticket, .. }
            | Event::Poll { ticket }
            | Event::Close { ticket, .. } => loop {
                let d = self.next_answer(s, "list/simple");
                if let Some(line) = d.strip_prefix("data ") {
                    match parse_data(line) {
                        // LIST items of LIST; a CREATE's LIST (OLDNAME) is plain data.
                        Data::List(item) | Data::Lsub(item) => {
                            if s.list(&ticket, item.clone()).is_err() {
                                s.send_data(&ticket, Data::List(item)).unwrap();
                            }
                        }
                        other => s.send_data(&ticket, other).unwrap(),
                    }
                    continue;
                }
                let (head, text) = split_text(&d);
                match d.split_once(' ').unwrap_or((&d, "")) {
                    _ if head == "ok" => s.complete(texted(ticket, text)).unwrap(),
                    (k, rest) => s.reject(ticket, refusal(k, rest)).unwrap(),
                }
                break;
            },
            Event::Status { ticket, .. } => {
                let d = self.next_answer(s, "status");
                let (d, text) = split_text(&d);
                let Some(args) = d.strip_prefix("status ") else {
                    let (k, rest) = d.split_once(' ').unwrap_or((d, ""));
                    return s.reject(ticket, refusal(k, rest)).unwrap();
                };
                let mut st = MailboxStatus::default();
                for (k, v) in kv(args) {
                    let n: u64 = v.parse().unwrap();
                    let n32 = u32::try_from(n).unwrap_or(0);
                    match k.as_str() {
                        "messages" => st.messages = n32,
                        "recent" => st.recent = n32,
                        "uidnext" => st.uid_next = n32,
                        "uidvalidity" => st.uid_validity = n32,
                        "unseen" => st.unseen = n32,
                        "deleted" => st.deleted = n32,
                        "size" => st.size = n,
                        "highestmodseq" => st.highest_modseq = Some(n),
                        other => panic!("status key {other}"),
                    }
                }
                s.answer_status(texted(ticket, text), &st).unwrap();
            }
            Event::Fetch { ticket, .. } | Event::Store { ticket, .. } => loop {
                let d = self.next_answer(s, "fetch/store");
                if let Some(rest) = d.strip_prefix("fetch ") {
                    let (uid, items) = rest.split_once(' ').unwrap();
                    s.fetch(&ticket, uid.parse().unwrap(), fetch_items(items))
                        .unwrap();
                    continue;
                }
                if let Some(rest) = d.strip_prefix("store ") {
                    let (uid, items) = rest.split_once(' ').unwrap();
                    let mut f = Vec::new();
                    let mut m = None;
                    for it in fetch_items(items) {
                        match it {
                            FetchItem::Flags(v) => {
                                f = v
                                    .into_iter()
                                    .filter_map(|x| match x {
                                        FlagFetch::Flag(f) => Some(f),
                                        FlagFetch::Recent => None,
                                    })
                                    .collect()
                            }
                            FetchItem::ModSeq(n) => m = Some(n),
                            _ => {}
                        }
                    }
                    s.store_result(&ticket, uid.parse().unwrap(), f, m).unwrap();
                    continue;
                }
                if let Some(uid) = d.strip_prefix("modified ") {
                    s.store_modified(&ticket, uid.parse().unwrap()).unwrap();
                    continue;
                }
                let (head, text) = split_text(&d);
                match d.split_once(' ').unwrap_or((&d, "")) {
                    _ if head == "ok" => s.complete(texted(ticket, text)).unwrap(),
                    (k, rest) => s.reject(ticket, refusal(k, rest)).unwrap(),
                }
                break;
            },
            Event::Search { ticket, .. } => {
                let d = self.next_answer(s, "search");
                let (d, text) = split_text(&d);
                let Some(args) = d.strip_prefix("search") else {
                    let (k, rest) = d.split_once(' ').unwrap_or((d, ""));
                    return s.reject(ticket, refusal(k, rest)).unwrap();
                };
                let mut r = SearchResult::default();
                for (k, v) in kv(args) {
                    if k == "modseq" {
                        r.modseq = Some(v.parse().unwrap());
                    } else {
                        r.uids.extend(numbers(&k));
                    }
                }
                s.search_result(texted(ticket, text), r).unwrap();
            }
            Event::Copy { ticket, .. } => {
                let d = self.next_answer(s, "copy");
                let (head, text) = split_text(&d);
                let ticket = texted(ticket, text);
                if let Some(rest) = head.strip_prefix("copyuid ") {
                    let p: Vec<&str> = rest.split(' ').collect();
                    let c = CopyUid {
                        uid_validity: nz(p[0].parse().unwrap()),
                        source: numbers(p[1]),
                        destination: numbers(p[2]),
                    };
                    s.complete_copy(ticket, Some(c)).unwrap();
                } else if head == "ok" {
                    s.complete_copy(ticket, None).unwrap();
                } else {
                    let (k, rest) = d.split_once(' ').unwrap_or((&d, ""));
                    s.reject(ticket, refusal(k, rest)).unwrap();
                }
            }
            Event::Expunge { ticket, .. } => {
                let d = self.next_answer(s, "expunge");
                let (head, text) = split_text(&d);
                if let Some(rest) = head.strip_prefix("expunged") {
                    s.complete_expunge(texted(ticket, text), &numbers(rest.trim()))
                        .unwrap();
                } else {
                    let (k, rest) = d.split_once(' ').unwrap_or((&d, ""));
                    s.reject(ticket, refusal(k, rest)).unwrap();
                }
            }
            Event::Append { ticket, .. } => {
                let d = self.next_answer(s, "append");
                if d == "accept" {
                    self.appended.clear();
                    s.accept_append(ticket).unwrap();
                } else {
                    let (k, rest) = d.split_once(' ').unwrap_or((&d, ""));
                    s.reject(ticket, refusal(k, rest)).unwrap();
                }
            }
            Event::AppendChunk(b) => self.appended.extend_from_slice(&b),
            Event::AppendEnd { ticket } => {
                let d = self.next_answer(s, "append end");
                let (head, text) = split_text(&d);
                let ticket = texted(ticket, text);
                if let Some(rest) = head.strip_prefix("appenduid ") {
                    let (v, u) = rest.split_once(' ').unwrap();
                    let uid = (nz(v.parse().unwrap()), nz(u.parse().unwrap()));
                    s.complete_append(ticket, Some(uid)).unwrap();
                } else if head == "ok" {
                    s.complete_append(ticket, None).unwrap();
                } else {
                    let (k, rest) = d.split_once(' ').unwrap_or((&d, ""));
                    s.reject(ticket, refusal(k, rest)).unwrap();
                }
            }
            _ => {}
        }
    }
}

fn update(s: &mut Session, u: &str) {
    let (kind, rest) = u.split_once(' ').unwrap();
    match kind {
        "exists" => s
            .update(Change::Appended(nz(rest.parse().unwrap())))
            .unwrap(),
        "expunge" => {
            for n in numbers(rest) {
                s.update(Change::Expunged(nz(n))).unwrap();
            }
        }
        // flags <uid> (flags) [modseq]
        "flags" => {
            let (uid, rest) = rest.split_once(' ').unwrap();
            let close = rest.find(')').unwrap();
            let f = flags(&rest[..=close]);
            let m = rest[close + 1..].trim();
            let modseq = (!m.is_empty()).then(|| m.parse().unwrap());
            s.update(Change::Flags {
                uid: nz(uid.parse().unwrap()),
                flags: f,
                modseq,
            })
            .unwrap();
        }
        other => panic!("update {other}"),
    }
}

enum Line {
    C(String),
    S(String),
    A(String),
}

fn run(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut sessions = vec![Vec::new()];
    for raw in text.lines() {
        if raw == "@session" {
            sessions.push(Vec::new());
        } else {
            sessions.last_mut().unwrap().push(raw);
        }
    }
    for (n, lines) in sessions.iter().enumerate() {
        run_session(path, n + 1, lines)?;
    }
    Ok(())
}

fn set_text(config: &mut Config, spec: &str) {
    let (field, value) = spec.split_once(' ').unwrap_or((spec, ""));
    let t = &mut config.texts;
    let slot = match field {
        "capability" => &mut t.capability,
        "noop" => &mut t.noop,
        "logout-bye" => &mut t.logout_bye,
        "logout" => &mut t.logout,
        "starttls" => &mut t.starttls,
        "login" => &mut t.login,
        "authenticate" => &mut t.authenticate,
        "enable" => &mut t.enable,
        "idling" => &mut t.idling,
        "idle-done" => &mut t.idle_done,
        "unselect" => &mut t.unselect,
        "literal-continuation" => &mut t.literal_continuation,
        "uidvalidity" => &mut t.uid_validity,
        "uidnext" => &mut t.uid_next,
        "uidnotsticky" => &mut t.uid_not_sticky,
        "unseen" => &mut t.unseen,
        "permanentflags" => &mut t.permanent_flags,
        "permanentflags-read-only" => &mut t.permanent_flags_read_only,
        "highestmodseq" => &mut t.highest_modseq,
        "nomodseq" => &mut t.no_modseq,
        "closed" => &mut t.closed,
        "moved" => &mut t.moved,
        "conditional-store-failed" => &mut t.conditional_store_failed,
        other => panic!("text field {other}"),
    };
    *slot = value.to_owned();
}

fn run_session(path: &Path, number: usize, text: &[&str]) -> Result<(), String> {
    let mut config = Config::default();
    let mut greeting = Greeting::Ok;
    let mut nonce = None;
    let mut lines = Vec::new();
    for &raw in text {
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        if let Some(set) = raw.strip_prefix('@') {
            let (k, v) = set.split_once(' ').unwrap_or((set, ""));
            match k {
                "rev" => {
                    config.revisions = match v {
                        "1" => Revisions::Rev1,
                        "2" => Revisions::Rev2,
                        _ => Revisions::Both,
                    }
                }
                "tls" => {
                    config.tls = match v {
                        "starttls" => Tls::StartTls,
                        "implicit" => Tls::Implicit,
                        _ => Tls::None,
                    }
                }
                "plaintext" => config.danger_allow_plaintext_auth = true,
                "ext" => {
                    for e in v.split(' ') {
                        let on = !e.starts_with('-');
                        let x = &mut config.extensions;
                        match e.trim_start_matches(['+', '-']) {
                            "none" => *x = Extensions::none(),
                            "idle" => x.idle = on,
                            "move" => x.move_ = on,
                            "uidplus" => x.uidplus = on,
                            "enable" => x.enable = on,
                            "unselect" => x.unselect = on,
                            "namespace" => x.namespace = on,
                            "condstore" => x.condstore = on,
                            "qresync" => x.qresync = on,
                            "esearch" => x.esearch = on,
                            "searchres" => x.searchres = on,
                            "sasl-ir" => x.sasl_ir = on,
                            "appendlimit" => x.appendlimit = on,
                            other => panic!("ext {other}"),
                        }
                    }
                }
                "literal" => {
                    config.literals = match v {
                        "plus" => NonSyncLiterals::Plus,
                        "minus" => NonSyncLiterals::Minus,
                        _ => NonSyncLiterals::Off,
                    }
                }
                "mechs" => {
                    config.sasl_mechanisms = v
                        .split(',')
                        .filter(|m| !m.is_empty())
                        .map(|m| Mechanism::from_name(m.as_bytes()).unwrap())
                        .collect()
                }
                "greeting" => config.greeting = v.to_owned(),
                "capability-order" => {
                    let Data::Capability(c) = parse_data(&format!("* CAPABILITY {v}")) else {
                        panic!()
                    };
                    config.capability_order = c;
                }
                "text" => set_text(&mut config, v),
                "greeting-capabilities" => config.greeting_capabilities = v != "off",
                "login-capabilities" => config.login_capabilities = v != "off",
                "sasl-nonce" => nonce = Some(Nonce::from_printable(v).unwrap()),
                "preauth" => greeting = Greeting::PreAuth(v.to_owned()),
                "max-literal" => config.limits.max_literal_octets = v.parse().unwrap(),
                "max-append" => config.limits.max_append_octets = v.parse().unwrap(),
                "max-bad" => config.limits.max_bad_commands = v.parse().unwrap(),
                other => panic!("setting {other}"),
            }
            continue;
        }
        let (kind, rest) = raw.split_at(2.min(raw.len()));
        let rest = rest.strip_prefix(' ').unwrap_or(rest).to_owned();
        lines.push(match kind {
            "C:" => Line::C(rest),
            "S:" => Line::S(rest),
            "A:" => Line::A(rest),
            _ => panic!("bad line {raw:?}"),
        });
    }
    let now = t0();
    let mut s = Session::new(Arc::new(config), now, [3; 18], greeting);
    if let Some(n) = nonce {
        s.set_sasl_nonce(n);
    }
    let mut expected = Vec::new();
    let mut actual = Vec::new();
    let mut app = App {
        directives: VecDeque::new(),
        appended: Vec::new(),
    };
    let mut i = 0;
    let drain = |s: &mut Session, app: &mut App, actual: &mut Vec<u8>| {
        while let Some(ev) = s.next_event() {
            app.answer(s, ev);
        }
        actual.extend_from_slice(s.outgoing());
        let n = s.outgoing().len();
        s.sent(n);
    };
    // Leading directives (before any client line) run as updates.
    while i < lines.len() {
        match &lines[i] {
            Line::C(c) => {
                // The directives up to the next client line belong to it.
                let mut j = i + 1;
                while j < lines.len() && !matches!(lines[j], Line::C(_)) {
                    if let Line::A(a) = &lines[j] {
                        app.directives.push_back(a.clone());
                    }
                    j += 1;
                }
                let mut bytes = c.clone().into_bytes();
                bytes.extend_from_slice(b"\r\n");
                let mut off = 0;
                while off < bytes.len() {
                    off += s.receive(now, &bytes[off..]);
                    drain(&mut s, &mut app, &mut actual);
                }
                drain(&mut s, &mut app, &mut actual);
                // Updates left over (e.g. during IDLE) happen now.
                while let Some(d) = app.directives.pop_front() {
                    let u = d
                        .strip_prefix("update ")
                        .unwrap_or_else(|| panic!("unused directive {d:?} after {c:?}"));
                    update(&mut s, u);
                    drain(&mut s, &mut app, &mut actual);
                }
                i = j;
            }
            Line::A(a) => {
                let u = a
                    .strip_prefix("update ")
                    .expect("only updates before input");
                update(&mut s, u);
                drain(&mut s, &mut app, &mut actual);
                i += 1;
            }
            Line::S(_) => i += 1,
        }
    }
    drain(&mut s, &mut app, &mut actual);
    for l in &lines {
        if let Line::S(x) = l {
            expected.extend_from_slice(x.as_bytes());
            expected.extend_from_slice(b"\r\n");
        }
    }
    if expected != actual {
        let exp = String::from_utf8_lossy(&expected);
        let act = String::from_utf8_lossy(&actual);
        let first = exp
            .lines()
            .zip(act.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(exp.lines().count().min(act.lines().count()));
        let mut msg = format!(
            "{} (session {number}): first difference at S line {}\n  expected: {:?}\n  actual:   {:?}\n",
            path.display(),
            first + 1,
            exp.lines().nth(first),
            act.lines().nth(first)
        );
        if std::env::var_os("YUBIN_BLESS").is_some() {
            msg.push_str("--- actual ---\n");
            for l in act.lines() {
                msg.push_str("S: ");
                msg.push_str(l);
                msg.push('\n');
            }
        }
        return Err(msg);
    }
    Ok(())
}

fn run_dir(dir: &str) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/transcripts")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let failures: Vec<String> = files.iter().filter_map(|f| run(f).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} transcripts failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn transcripts_ok() {
    run_dir("ok");
}

#[test]
fn transcripts_err() {
    run_dir("err");
}

// Keep the sequence-set helpers used by the directives honest.
#[test]
fn numbers_helper() {
    assert_eq!(numbers("1:3,7"), vec![1, 2, 3, 7]);
    let _ = SequenceSet::new(vec![SeqRange::Single(SeqNo::Largest)]);
}
