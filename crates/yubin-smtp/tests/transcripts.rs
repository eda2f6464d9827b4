#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    missing_docs
)]
//! Replays `tests/transcripts/{ok,err}/*.txt` against the server session.
//!
//! Format: `S: text` is a server line, `C: text` a client line (each gets
//! CRLF); `R: text` is raw client bytes with `\r`, `\n`, `\xNN` and `\\` escapes
//! and no CRLF added. Consecutive client lines go to `receive` as one
//! chunk. Header lines `# key: value` configure the server (see `settings`).
//! The scripted application answers every ticket with the reply the
//! transcript expects at that point (2xx accept, else reject), so a
//! transcript pins both the session's own replies and their order.

use std::sync::Arc;
use std::time::Instant;

use yubin_sasl::Mechanism;
use yubin_sasl::server::Answer;
use yubin_smtp::parse::reply_from_lines;
use yubin_smtp::server::{Connection, Event, Session, Settings, SizeAnnounce};
use yubin_smtp::{Reply, ReplyCode};
use yubin_wire::dot::BareEol;

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        if b == b'\\' {
            match it.next() {
                Some(b'r') => out.push(b'\r'),
                Some(b'n') => out.push(b'\n'),
                Some(b'\\') => out.push(b'\\'),
                Some(b'x') => {
                    let h: Vec<u8> = it.by_ref().take(2).collect();
                    let h = std::str::from_utf8(&h).unwrap();
                    out.push(u8::from_str_radix(h, 16).unwrap());
                }
                other => panic!("bad escape {other:?}"),
            }
        } else {
            out.push(b);
        }
    }
    out
}

fn settings(headers: &[(String, String)]) -> Settings {
    let host = headers
        .iter()
        .find(|(k, _)| k == "hostname")
        .map_or("mx.example.org", |(_, v)| v.as_str());
    let mut s = Settings::new(host);
    for (k, v) in headers {
        match k.as_str() {
            "hostname" => {}
            "greeting" => s.texts.greeting = v.clone(),
            "closing" => s.texts.closing = v.clone(),
            "data" => s.texts.data = v.clone(),
            "no-recipients" => s.texts.no_recipients = v.clone(),
            "auth" => {
                s.auth_mechanisms = v
                    .split_whitespace()
                    .map(|m| Mechanism::from_name(m.as_bytes()).unwrap())
                    .collect()
            }
            "flags" => {
                for f in v.split_whitespace() {
                    let (name, val) = f.split_once('=').unwrap_or((f, ""));
                    let n = || val.parse::<u64>().unwrap();
                    let e = &mut s.extensions;
                    match name {
                        "lmtp" => s.lmtp = true,
                        "no-enhanced" => e.enhanced_status_codes = false,
                        "no-pipelining" => e.pipelining = false,
                        "no-chunking" => e.chunking = false,
                        "no-8bitmime" => {
                            e.eightbitmime = false;
                            e.smtputf8 = false
                        }
                        "no-smtputf8" => e.smtputf8 = false,
                        "binarymime" => e.binarymime = true,
                        "dsn" => e.dsn = true,
                        "help" => e.help = true,
                        "starttls" => e.starttls = true,
                        "requiretls" => e.requiretls = true,
                        "size-bare" => e.size = SizeAnnounce::Bare,
                        "size-off" => e.size = SizeAnnounce::Off,
                        "danger-plaintext" => s.danger_plaintext_auth_without_tls = true,
                        "require-tls" => s.require_tls = true,
                        "require-auth" => s.require_auth = true,
                        "forbid-unauth-pipelining" => s.forbid_unauth_pipelining = true,
                        "bare-eol-normalize" => s.bare_eol = BareEol::Normalize,
                        "connect-decision" => s.connect_decision = true,
                        "max-recipients" => s.limits.max_recipients = n() as usize,
                        "max-bad" => s.limits.max_bad_commands = n() as u32,
                        "max-junk" => s.limits.max_junk_commands = n() as u32,
                        "max-auth-failures" => s.limits.max_auth_failures = n() as u32,
                        "max-message" => s.limits.max_message_octets = n(),
                        "max-line" => s.limits.max_command_line_octets = n() as usize,
                        "max-text-line" => s.limits.max_text_line_octets = n() as usize,
                        "max-auth-line" => s.limits.max_auth_line_octets = n() as usize,
                        other => panic!("unknown flag {other}"),
                    }
                }
            }
            other => panic!("unknown header {other}"),
        }
    }
    s
}

/// The next complete reply in `expected` at `at`, with its lines.
fn expected_reply(expected: &[u8], at: usize, enhanced: bool) -> Reply {
    let rest = &expected[at.min(expected.len())..];
    let mut lines = Vec::new();
    for l in rest.split(|&b| b == b'\n') {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        lines.push(l);
        if l.get(3) != Some(&b'-') {
            break;
        }
    }
    reply_from_lines(lines, enhanced).unwrap_or_else(|e| {
        panic!(
            "no expected reply at {at}: {e}; expected so far:\n{}",
            String::from_utf8_lossy(&expected[..at.min(expected.len())])
        )
    })
}

struct Run {
    session: Session,
    produced: Vec<u8>,
    rcpts: usize,
    lmtp: bool,
    body: Vec<u8>,
}

impl Run {
    fn drain(&mut self, expected: &[u8], enhanced: bool) {
        loop {
            let out = self.session.outgoing().to_vec();
            self.produced.extend_from_slice(&out);
            self.session.sent(out.len());
            let Some(ev) = self.session.next_event() else {
                let out = self.session.outgoing().to_vec();
                self.produced.extend_from_slice(&out);
                self.session.sent(out.len());
                if out.is_empty() {
                    return;
                }
                continue;
            };
            let at = self.produced.len() + self.session.outgoing().len();
            match ev {
                Event::Connect { ticket, .. } => {
                    let r = expected_reply(expected, at, false);
                    if r.code().is_positive() {
                        self.session.accept_with(ticket, r).unwrap();
                    } else {
                        self.session.reject(ticket, r).unwrap();
                    }
                }
                Event::Helo { ticket, .. } => {
                    let r = expected_reply(expected, at, false);
                    if r.code().is_positive() {
                        let first = Reply::new(ReplyCode::OK, r.lines()[0].to_string());
                        self.session.accept_with(ticket, first).unwrap();
                    } else {
                        self.session.reject(ticket, r).unwrap();
                    }
                }
                Event::MailFrom { ticket, .. } => {
                    self.rcpts = 0;
                    self.answer(ticket, expected_reply(expected, at, enhanced));
                }
                Event::RcptTo { ticket, .. } => {
                    let r = expected_reply(expected, at, enhanced);
                    if r.code().is_positive() {
                        self.rcpts += 1;
                    }
                    self.answer(ticket, r);
                }
                Event::BodyChunk(b) => self.body.extend_from_slice(&b),
                Event::BodyEnd { ticket, .. } => {
                    let mut replies = Vec::new();
                    let mut off = at;
                    let n = if self.lmtp { self.rcpts.max(1) } else { 1 };
                    for _ in 0..n {
                        let r = expected_reply(expected, off, enhanced);
                        off += r.to_bytes(enhanced).len();
                        replies.push(r);
                    }
                    if replies.len() > 1 || replies.iter().any(|r| !r.code().is_positive()) {
                        if replies.len() == 1 {
                            let r = replies.pop().unwrap();
                            self.session.reject(ticket, r).unwrap();
                        } else {
                            self.session.accept_each(ticket, replies).unwrap();
                        }
                    } else {
                        self.session
                            .accept_with(ticket, replies.pop().unwrap())
                            .unwrap();
                    }
                }
                Event::AuthVerify { ticket, .. } => {
                    // The expected reply may be further on (after SCRAM's
                    // last challenge); the class of the next decisive code
                    // tells accept from reject.
                    let r = expected_reply(expected, at, enhanced);
                    let answer = if r.code() == ReplyCode::AUTH_OK
                        || r.code() == ReplyCode::AUTH_CHALLENGE
                    {
                        Answer::Accept
                    } else {
                        Answer::Reject
                    };
                    self.session.answer_auth(ticket, answer).unwrap();
                }
                Event::StartTls => self.session.tls_established(),
                Event::MessageRejected(_)
                | Event::Reset
                | Event::Authenticated { .. }
                | Event::Closed(_) => {}
                other => panic!("unexpected event {other:?}"),
            }
        }
    }

    fn answer(&mut self, ticket: yubin_smtp::server::Ticket, r: Reply) {
        if r.code().is_positive() {
            self.session.accept_with(ticket, r).unwrap();
        } else {
            self.session.reject(ticket, r).unwrap();
        }
    }
}

fn replay(path: &std::path::Path) {
    eprintln!("replaying {}", path.display());
    let text = std::fs::read_to_string(path).unwrap();
    let mut headers = Vec::new();
    let mut steps: Vec<(bool, Vec<u8>)> = Vec::new(); // (client?, bytes)
    let mut expected = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("# ") {
            if let Some((k, v)) = h.split_once(": ").filter(|(k, _)| {
                [
                    "hostname",
                    "greeting",
                    "closing",
                    "data",
                    "no-recipients",
                    "auth",
                    "flags",
                ]
                .contains(k)
            }) {
                headers.push((k.trim().to_owned(), v.to_owned()));
            }
            continue;
        }
        let (kind, rest) = match line.split_at_checked(2) {
            Some((k, r)) => (k, r.strip_prefix(' ').unwrap_or(r)),
            None if line.is_empty() => continue,
            None => panic!("bad line {line:?}"),
        };
        let (client, bytes) = match kind {
            "S:" => {
                let mut b = rest.as_bytes().to_vec();
                b.extend_from_slice(b"\r\n");
                expected.extend_from_slice(&b);
                (false, b)
            }
            "C:" => {
                let mut b = rest.as_bytes().to_vec();
                b.extend_from_slice(b"\r\n");
                (true, b)
            }
            "R:" => (true, unescape(rest)),
            _ => panic!("bad line {line:?}"),
        };
        match steps.last_mut() {
            Some((true, acc)) if client => acc.extend_from_slice(&bytes),
            _ if client => steps.push((true, bytes)),
            _ => steps.push((false, Vec::new())),
        }
    }
    let settings = settings(&headers);
    let enhanced = settings.extensions.enhanced_status_codes;
    let lmtp = settings.lmtp;
    let config = Arc::new(settings.build().unwrap());
    let now = Instant::now();
    let mut run = Run {
        session: Session::new(config, now, Connection::default(), [7; 18]),
        produced: Vec::new(),
        rcpts: 0,
        lmtp,
        body: Vec::new(),
    };
    run.drain(&expected, enhanced);
    for (client, bytes) in &steps {
        if !client {
            continue;
        }
        let mut off = 0;
        while off < bytes.len() {
            let n = run.session.receive(now, &bytes[off..]);
            off += n;
            run.drain(&expected, enhanced);
            if n == 0 {
                break;
            }
        }
    }
    run.drain(&expected, enhanced);
    assert_eq!(
        String::from_utf8_lossy(&run.produced),
        String::from_utf8_lossy(&expected),
        "{}",
        path.display()
    );
}

fn replay_dir(dir: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut n = 0;
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for p in paths {
        replay(&p);
        n += 1;
    }
    assert!(n > 0, "no transcripts in {}", root.display());
}

#[test]
fn transcripts_ok() {
    replay_dir("tests/transcripts/ok");
}

#[test]
fn transcripts_err() {
    replay_dir("tests/transcripts/err");
}
