//! A scripted application around a server session, for transcripts and tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use yubin_pop3::apop::{self, Timestamp};
use yubin_pop3::server::{
    BodyDemand, Config, Credentials, Event, Maildrop, Retrieval, Session, Tls,
};
use yubin_pop3::types::{Reply, RespCode};
use yubin_sasl::Mechanism;
use yubin_sasl::server::{Answer, Verify};

/// The simulated clock's origin.
#[allow(clippy::disallowed_methods)]
pub fn t0() -> Instant {
    Instant::now()
}

/// One user of the scripted maildrop service.
#[derive(Clone)]
pub struct Account {
    pub user: String,
    pub password: String,
    /// What USER answers (`None`: the default text).
    pub user_text: Option<String>,
}

/// The scripted application: accounts, one maildrop, canned decisions.
pub struct App {
    pub accounts: Vec<Account>,
    /// Messages: (uid, raw content).
    pub messages: Vec<(String, Vec<u8>)>,
    /// Refuse the next login with this reply (then clear it).
    pub locked_once: Option<Reply>,
    /// Text of the login +OK, instead of the session's default.
    pub login_text: Option<String>,
    /// Answer UPDATE with -ERR [SYS/TEMP].
    pub update_fails: bool,
    /// Body chunk size used to feed RETR/TOP.
    pub chunk: usize,
    /// What UPDATE events asked to delete (1-based), in order.
    pub updates: Vec<Vec<u32>>,
    /// Messages actually removed (after a committed UPDATE).
    pub removed: Vec<u32>,
    pub starttls_seen: u32,
    pub closed: Vec<yubin_pop3::server::CloseReason>,
    pub errors: Vec<yubin_pop3::server::ProtocolError>,
    /// Logins that got to the application (user names).
    pub logins: Vec<String>,
    /// Retrievals in progress.
    pub body: Option<(Retrieval, Bytes)>,
}

impl Default for App {
    fn default() -> Self {
        Self {
            accounts: vec![
                Account {
                    user: "mrose".into(),
                    password: "secret".into(),
                    user_text: Some("mrose is a real hoopy frood".into()),
                },
                Account {
                    user: "spacey".into(),
                    password: " tan staaf".into(),
                    user_text: None,
                },
                Account {
                    user: "test".into(),
                    password: "test".into(),
                    user_text: None,
                },
            ],
            messages: Vec::new(),
            locked_once: None,
            login_text: None,
            update_fails: false,
            chunk: 7,
            updates: Vec::new(),
            removed: Vec::new(),
            starttls_seen: 0,
            closed: Vec::new(),
            errors: Vec::new(),
            logins: Vec::new(),
            body: None,
        }
    }
}

/// The APOP secret of every account (RFC 1939 §7's example).
pub const APOP_SECRET: &str = "tanstaaf";

impl App {
    fn account(&self, user: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.user == user)
    }

    fn maildrop(&self) -> Maildrop {
        Maildrop::new(
            self.messages
                .iter()
                .map(|(uid, m)| (m.len() as u64, uid.clone()))
                .collect(),
        )
        .unwrap()
    }

    /// Answers every pending event, streaming bodies; collects output.
    pub fn drive(&mut self, s: &mut Session, out: &mut Vec<u8>) {
        loop {
            let mut progressed = false;
            while let Some(ev) = s.next_event() {
                progressed = true;
                self.event(s, ev);
            }
            if let Some((r, rest)) = self.body.take() {
                progressed = true;
                match s.body_demand() {
                    Some(BodyDemand::Ready) if !rest.is_empty() => {
                        let n = self.chunk.min(rest.len());
                        let mut rest = rest;
                        let chunk = rest.split_to(n);
                        s.send_body(&r, chunk).unwrap();
                        self.body = Some((r, rest));
                    }
                    Some(BodyDemand::Ready) | Some(BodyDemand::Done) => {
                        s.finish_body(r).unwrap();
                    }
                    Some(BodyDemand::Wait) => {
                        self.body = Some((r, rest));
                        flush(s, out);
                    }
                    None => panic!("body handle without a transfer"),
                }
            }
            if !s.outgoing().is_empty() {
                progressed = true;
                flush(s, out);
            }
            if !progressed {
                return;
            }
        }
    }

    fn event(&mut self, s: &mut Session, ev: Event) {
        match ev {
            Event::User { ticket, user } => match self.account(&user) {
                Some(a) => {
                    let text = a.user_text.clone();
                    s.accept_user(ticket, text.as_deref()).unwrap()
                }
                None => s
                    .reject(
                        ticket,
                        Reply::err(format!("sorry, no mailbox for {user} here")),
                    )
                    .unwrap(),
            },
            Event::Login {
                ticket,
                user,
                credentials,
            } => {
                self.logins.push(user.clone());
                let good = match (&credentials, self.account(&user)) {
                    (Credentials::Password(p), Some(a)) => p.expose() == &a.password,
                    (Credentials::Apop { timestamp, digest }, Some(_)) => {
                        apop::verify(timestamp, APOP_SECRET.as_bytes(), digest)
                    }
                    (Credentials::Sasl { .. }, Some(_)) => true,
                    _ => false,
                };
                if !good {
                    s.reject(
                        ticket,
                        Reply::err_code(RespCode::auth(), "invalid user name or password"),
                    )
                    .unwrap();
                } else if let Some(r) = self.locked_once.take() {
                    s.reject(ticket, r).unwrap();
                } else {
                    let md = self.maildrop();
                    let text = self.login_text.clone();
                    s.accept_login(ticket, md, text.as_deref()).unwrap();
                }
            }
            Event::SaslVerify { ticket, verify } => {
                let answer = match verify {
                    Verify::Password {
                        authcid, password, ..
                    } => match self.account(&authcid) {
                        Some(a) if password.expose() == &a.password => Answer::Accept,
                        _ => Answer::Reject,
                    },
                    Verify::CramMd5(c) => match self.account(&c.user) {
                        Some(a) if c.verify(a.password.as_bytes()) => Answer::Accept,
                        _ => Answer::Reject,
                    },
                    _ => Answer::Reject,
                };
                s.answer_sasl(ticket, answer).unwrap();
            }
            Event::Retrieve {
                ticket, msg, uid, ..
            } => {
                let (u, content) = self.messages[msg.index()].clone();
                assert_eq!(u, uid);
                let r = s.start_body(ticket).unwrap();
                self.body = Some((r, Bytes::from(content)));
            }
            Event::Update { ticket, deleted } => {
                let list: Vec<u32> = deleted.iter().map(|m| m.get()).collect();
                self.updates.push(list.clone());
                if self.update_fails {
                    s.reject(
                        ticket,
                        Reply::err_code(RespCode::sys_temp(), "some deleted messages not removed"),
                    )
                    .unwrap();
                } else {
                    self.removed.extend(list);
                    s.accept_update(ticket).unwrap();
                }
            }
            Event::StartTls => {
                // The adapter flushes the go-ahead and runs the handshake.
                self.starttls_seen += 1;
                s.tls_established().unwrap();
            }
            Event::Error(e) => self.errors.push(e),
            Event::Closed(r) => self.closed.push(r),
            _ => {}
        }
    }
}

/// Moves everything in the output to `out`.
pub fn flush(s: &mut Session, out: &mut Vec<u8>) {
    let n = s.outgoing().len();
    out.extend_from_slice(s.outgoing());
    s.sent(n);
}

/// Feeds `bytes` fully (driving the app as needed) and returns the output.
pub fn exchange(app: &mut App, s: &mut Session, now: Instant, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut stalls = 0;
    loop {
        let n = s.receive(now, rest);
        rest = &rest[n..];
        app.drive(s, &mut out);
        if rest.is_empty() {
            break;
        }
        if n == 0 {
            stalls += 1;
            if stalls > 10_000 || s.is_closed() {
                break;
            }
        }
    }
    app.drive(s, &mut out);
    out
}

/// A config with the transcript's directives applied.
pub fn config_from(directives: &[(String, String)]) -> (Config, Option<Timestamp>, App) {
    let mut c = Config::default();
    c.farewell = "dewey POP3 server signing off".into();
    let mut ts = None;
    let mut app = App::default();
    for (k, v) in directives {
        match k.as_str() {
            "apop" => {
                c.enable_apop = true;
                ts = Some(Timestamp::parse(v).unwrap());
            }
            "greeting" => c.greeting = v.clone(),
            "farewell" => c.farewell = v.clone(),
            "tls" => {
                c.tls = match v.as_str() {
                    "stls" => Tls::Stls,
                    "implicit" => Tls::Implicit,
                    _ => Tls::None,
                }
            }
            "plaintext" => c.danger_allow_plaintext_auth = true,
            "sasl" => {
                c.sasl_mechanisms = v
                    .split(' ')
                    .filter(|m| !m.is_empty())
                    .map(|m| Mechanism::from_name(m.as_bytes()).unwrap())
                    .collect()
            }
            "implementation" => c.implementation = Some(v.clone()),
            "expire" => c.expire = Some(yubin_pop3::types::Expire::Days(v.parse().unwrap())),
            "login-delay" => c.login_delay = Some(v.parse().unwrap()),
            "no-utf8" => c.enable_utf8 = false,
            "no-user" => c.allow_user_pass = false,
            "login-text" => app.login_text = Some(v.clone()),
            "locked-once" => {
                let s = yubin_pop3::parse::parse_status_line(v.as_bytes()).unwrap();
                app.locked_once = Some(Reply {
                    status: s.status,
                    code: s.code,
                    text: s.text,
                });
            }
            "update-fails" => app.update_fails = true,
            "max-failed-logins" => c.limits.max_failed_logins = v.parse().unwrap(),
            "max-bad-commands" => c.limits.max_bad_commands = v.parse().unwrap(),
            "message" | "line" | "end" | "timeout" | "expect-update" | "expect-closed" => {}
            other => panic!("unknown directive @{other}"),
        }
    }
    (c, ts, app)
}

/// A session with `config`, fixed entropy, and its greeting drained.
pub fn session(config: Config, ts: Option<Timestamp>, now: Instant) -> Session {
    Session::new(Arc::new(config), now, [7u8; 18], ts)
}

pub const IDLE_PLUS: Duration = Duration::from_secs(601);
