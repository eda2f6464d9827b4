#![no_main]
//! Server session: chunked input, decisions drawn from the input; buffers
//! stay within their limits and nothing panics.
use std::sync::Arc;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use yubin_sasl::server::Answer;
use yubin_sasl::Mechanism;
use yubin_smtp::server::{Connection, Event, Session, Settings};
use yubin_smtp::Reply;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let mut s = Settings::new("mx.example.org");
    s.lmtp = flags & 1 != 0;
    s.extensions.pipelining = flags & 2 != 0;
    s.extensions.chunking = flags & 4 != 0;
    s.extensions.starttls = flags & 8 != 0;
    s.danger_plaintext_auth_without_tls = flags & 16 != 0;
    s.forbid_unauth_pipelining = flags & 32 != 0;
    // The trusted-front-end steps: a PROXY header first, XCLIENT allowed.
    if flags & 64 != 0 {
        s.proxy_protocol = Some(Vec::new());
    }
    if flags & 128 != 0 {
        s.xclient_trusted = vec!["0.0.0.0/0".parse().expect("a network"), "::/0".parse().expect("a network")];
    }
    s.limits.max_text_line_octets = 80;
    s.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5, Mechanism::ScramSha256];
    s.limits.max_message_octets = 4096;
    s.limits.max_output_octets = 2048;
    s.limits.max_input_octets = 2048;
    s.limits.max_command_line_octets = 512;
    s.limits.max_auth_line_octets = 1024;
    let config = Arc::new(s.build().expect("valid settings"));
    let max_out = config.limits.max_output_octets;
    let now = Instant::now();
    let peer = Connection {
        remote: Some(([127, 0, 0, 1], 40000).into()),
        local: Some(([127, 0, 0, 1], 25).into()),
        tls: false,
    };
    let mut session = Session::new(config, now, peer, [1; 18]);
    let mut decide = 0usize;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        rest = tail;
        let mut off = 0;
        loop {
            let took = session.receive(now, &chunk[off..]);
            off += took;
            while let Some(ev) = session.next_event() {
                decide = decide.wrapping_add(1);
                let yes = chunk.get(decide % chunk.len().max(1)).is_none_or(|b| b & 1 == 0);
                match ev {
                    Event::Connect { ticket, .. }
                    | Event::Helo { ticket, .. }
                    | Event::MailFrom { ticket, .. }
                    | Event::RcptTo { ticket, .. }
                    | Event::BodyEnd { ticket, .. } => {
                        if yes {
                            session.accept(ticket).expect("own ticket");
                        } else {
                            session.reject(ticket, Reply::try_later()).expect("own ticket");
                        }
                    }
                    Event::AuthVerify { ticket, .. } => {
                        let a = if yes { Answer::Accept } else { Answer::Reject };
                        session.answer_auth(ticket, a).expect("own ticket");
                    }
                    Event::StartTls => session.tls_established(),
                    _ => {}
                }
            }
            // Back-pressure: the send buffer never grows far past its limit.
            assert!(session.outgoing().len() <= max_out + 4096);
            let out = session.outgoing().len();
            session.sent(out);
            if off >= chunk.len() || took == 0 && out == 0 {
                break;
            }
        }
    }
    session.timeout(now + Duration::from_secs(3600));
    assert!(session.is_closed());
});
