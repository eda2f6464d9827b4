#![no_main]
//! The POP3 client session fed arbitrary server bytes in chunks: no panic,
//! the receive buffer stays bounded.

use std::sync::Arc;
use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use yubin_pop3::client::{Config, Event, Session};
use yubin_pop3::types::MsgNum;
use yubin_sasl::Secret;

fuzz_target!(|data: &[u8]| {
    let Some((&plan, data)) = data.split_first() else {
        return;
    };
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let mut c = Session::new(Arc::new(Config::default()), now);
    let one = MsgNum::new(1).unwrap();
    let _ = c.capa();
    match plan % 4 {
        0 => {
            let _ = c.user("u");
            let _ = c.pass(&Secret::new("p w".into()));
        }
        1 => {
            let _ = c.auth("PLAIN", None);
        }
        2 => {
            let _ = c.stls();
        }
        _ => {}
    }
    let _ = c.stat();
    let _ = c.list(None);
    let _ = c.list(Some(one));
    let _ = c.uidl(None);
    let _ = c.uidl(Some(one));
    let _ = c.retr(one);
    let _ = c.top(one, 3);
    let _ = c.dele(one);
    let _ = c.quit();
    for chunk in data.chunks(usize::from(plan).max(1)) {
        let mut rest = chunk;
        let mut stalls = 0;
        while !rest.is_empty() && stalls < 3 {
            let n = c.receive(now, rest);
            rest = &rest[n..];
            if n == 0 {
                stalls += 1;
            }
            while let Some(ev) = c.next_event() {
                match ev {
                    Event::AuthChallenge(_) => {
                        let _ = c.auth_respond(b"\0u\0p");
                    }
                    Event::StartTls => c.tls_established(),
                    Event::Greeting { .. } => {
                        let _ = c.apop("u", &Secret::new("s".into()));
                    }
                    _ => {}
                }
            }
        }
    }
});
