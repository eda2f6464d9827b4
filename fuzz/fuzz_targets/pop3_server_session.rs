#![no_main]
//! The POP3 server session under chunked input with decisions drawn from the
//! input: no panic, buffers stay within their limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use yubin_pop3::apop::Timestamp;
use yubin_pop3::server::{BodyDemand, Config, Event, Maildrop, Retrieval, Session, Tls};
use yubin_pop3::types::{Reply, RespCode};
use yubin_sasl::server::{Answer, Verify};

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let flags = input.byte();
    let mut config = Config::default();
    config.limits.max_output_octets = 1024;
    config.limits.max_input_octets = 22_000;
    config.danger_allow_plaintext_auth = flags & 1 != 0;
    config.tls = match flags >> 1 & 3 {
        0 => Tls::None,
        1 => Tls::Stls,
        _ => Tls::Implicit,
    };
    config.enable_apop = flags & 8 != 0;
    let max_out = config.limits.max_output_octets;
    #[allow(clippy::disallowed_methods)]
    let mut now = Instant::now();
    let ts = Timestamp::parse("<1.2@fuzz>").ok();
    let mut s = Session::new(Arc::new(config), now, [3; 18], ts);
    let messages: Vec<Vec<u8>> = vec![
        b"Subject: a\r\n\r\n.dot\r\nline\r\n".to_vec(),
        b"no header end\r\n.".to_vec(),
        Vec::new(),
    ];
    let mut body: Option<(Retrieval, Bytes)> = None;
    let mut rounds = 0;
    while !input.0.is_empty() && rounds < 10_000 {
        rounds += 1;
        let n = usize::from(input.byte());
        let chunk = input.take(n).to_vec();
        let _ = s.receive(now, &chunk);
        assert!(s.outgoing().len() <= 2 * max_out + 1024, "output bounded");
        while let Some(ev) = s.next_event() {
            let d = input.byte();
            match ev {
                Event::User { ticket, .. } => {
                    if d & 1 == 0 {
                        let _ = s.accept_user(ticket, None);
                    } else {
                        let _ = s.reject(ticket, Reply::err("no"));
                    }
                }
                Event::Login { ticket, .. } => {
                    if d & 3 == 0 {
                        let _ = s.reject(ticket, Reply::err_code(RespCode::in_use(), "locked"));
                    } else if d & 1 == 0 {
                        let md = Maildrop::new(
                            messages
                                .iter()
                                .enumerate()
                                .map(|(i, m)| (m.len() as u64, format!("u{i}")))
                                .collect(),
                        )
                        .unwrap();
                        let _ = s.accept_login(ticket, md, None);
                    } else {
                        let _ = s.reject(ticket, Reply::err_code(RespCode::auth(), "bad"));
                    }
                }
                Event::SaslVerify { ticket, verify } => {
                    let a = match (d & 3, verify) {
                        (0, _) => Answer::Reject,
                        (1, _) => Answer::Unavailable,
                        (_, Verify::ScramLookup { .. }) => Answer::Reject,
                        _ => Answer::Accept,
                    };
                    let _ = s.answer_sasl(ticket, a);
                }
                Event::Retrieve { ticket, msg, .. } => {
                    if d & 7 == 0 {
                        let _ = s.reject(ticket, Reply::err_code(RespCode::sys_temp(), "later"));
                    } else if let Ok(r) = s.start_body(ticket) {
                        let m = messages.get(msg.index()).cloned().unwrap_or_default();
                        body = Some((r, Bytes::from(m)));
                    }
                }
                Event::Update { ticket, .. } => {
                    if d & 1 == 0 {
                        let _ = s.accept_update(ticket);
                    } else {
                        let _ = s.reject(ticket, Reply::err_code(RespCode::sys_temp(), "x"));
                    }
                }
                Event::StartTls => {
                    let _ = s.tls_established();
                }
                _ => {}
            }
        }
        if let Some((r, mut rest)) = body.take() {
            match s.body_demand() {
                Some(BodyDemand::Ready) if !rest.is_empty() => {
                    let k = usize::from(input.byte()).max(1).min(rest.len());
                    let c = rest.split_to(k);
                    let _ = s.send_body(&r, c);
                    body = Some((r, rest));
                }
                Some(BodyDemand::Wait) => body = Some((r, rest)),
                Some(_) => {
                    if input.byte() == 0xff {
                        let _ = s.abort_body(r);
                    } else {
                        let _ = s.finish_body(r);
                    }
                }
                None => {}
            }
        }
        assert!(s.outgoing().len() <= 2 * max_out + 1024, "output bounded");
        let k = usize::from(input.byte()) * 16;
        let k = k.min(s.outgoing().len());
        s.sent(k);
        if input.byte() == 0xfe {
            now += Duration::from_secs(700);
            s.timeout(now);
        }
    }
});
