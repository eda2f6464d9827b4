#![no_main]
//! IMAP client session: server bytes in chunks, the application's commands
//! drawn from the input; nothing panics and buffers stay bounded.
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use yubin_imap::client::{Config, Event, Session};
use yubin_imap::types::{
    AString, CommandBody, FetchAttr, FetchAttrs, IString, Literal, Mailbox, SeqNo, SequenceSet,
};
use yubin_sasl::client::{Client, Credentials};
use yubin_sasl::{Mechanism, Nonce, Secret};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let mut c = Config::default();
    c.stream_threshold_octets = 64;
    c.limits.max_line_octets = 1024;
    c.limits.max_literal_octets = 4096;
    c.limits.max_message_octets = 8192;
    c.use_nonsync_literals = flags & 1 != 0;
    let now = Instant::now();
    let mut s = Session::new(Arc::new(c), now);
    let mut appending: Option<u64> = None;
    while let Some((&op, tail)) = rest.split_first() {
        let Some((&len, tail)) = tail.split_first() else { break };
        let n = usize::from(len).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        rest = tail;
        // The application's move.
        let _ = match op % 12 {
            0 => s.login("joe", "p w\r\n").map(|_| ()),
            1 => s
                .command(CommandBody::Select {
                    mailbox: Mailbox::inbox(),
                    params: vec![],
                })
                .map(|_| ()),
            2 => s
                .command(CommandBody::Fetch {
                    uid: true,
                    set: SequenceSet::range(SeqNo::Largest, SeqNo::Largest),
                    attrs: FetchAttrs::Single(FetchAttr::Flags),
                    modifiers: vec![],
                })
                .map(|_| ()),
            3 => s.idle().map(|_| ()),
            4 => s.idle_done(),
            5 => {
                let creds = Credentials::password("joe", Secret::new("pw".to_owned()));
                match Client::new(Mechanism::ScramSha256, creds, Nonce::from_entropy([2; 18])) {
                    Ok(cl) => s.authenticate(cl).map(|_| ()),
                    Err(_) => Ok(()),
                }
            }
            6 => s.starttls().map(|_| ()),
            7 => match appending {
                None => s
                    .append_start(&Mailbox::inbox(), None, None, u64::from(len))
                    .map(|_| appending = Some(u64::from(len))),
                Some(left) => {
                    let k = left.min(u64::from(op));
                    let r = s.append_chunk(&vec![b'x'; k as usize]);
                    if r.is_ok() {
                        appending = Some(left - k);
                    }
                    r
                }
            },
            8 => {
                let r = s.append_end();
                if r.is_ok() {
                    appending = None;
                }
                r
            }
            9 => s
                .command(CommandBody::Status {
                    mailbox: Mailbox::new(AString::String(IString::Literal(
                        Literal::new(Bytes::from_static(b"a\r\nb")).expect("no NUL"),
                    ))),
                    attrs: vec![],
                })
                .map(|_| ()),
            _ => Ok(()),
        };
        // The server's bytes.
        let mut off = 0;
        loop {
            let took = s.receive(now, &chunk[off..]);
            off += took;
            while let Some(ev) = s.next_event() {
                if let Event::StartTls = ev {
                    let _ = s.tls_established();
                }
            }
            let out = s.outgoing().len();
            s.sent(out);
            if off >= chunk.len() || took == 0 {
                break;
            }
        }
        assert!(s.outgoing().is_empty());
    }
});
