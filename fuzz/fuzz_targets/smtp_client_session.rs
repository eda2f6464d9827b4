#![no_main]
//! Client session: arbitrary server bytes in random chunks; no panic,
//! bounded buffers.
use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use yubin_smtp::client::{Envelope, Event, Session, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else { return };
    let mut s = Settings::new(Host::Domain(Domain::new("client.example").expect("domain")));
    s.lmtp = flags & 1 != 0;
    s.use_pipelining = flags & 2 != 0;
    s.use_chunking = flags & 4 != 0;
    let now = Instant::now();
    let mut c = Session::new(s, now, false);
    let mb = Mailbox::new("a@b.example").expect("mailbox");
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (chunk, tail) = tail.split_at(n);
        rest = tail;
        c.receive(now, chunk);
        while let Some(ev) = c.next_event() {
            match ev {
                Event::Ready(_) => {
                    let _ = c.send_mail(Envelope {
                        from: ReversePath::Mailbox(mb.clone()),
                        params: MailParams::default(),
                        recipients: vec![(ForwardPath::Mailbox(mb.clone()), RcptParams::default())],
                    });
                }
                Event::SendBody => {
                    c.send_body(b"Subject: x\r\n\r\n.body\r\n");
                    c.end_body();
                }
                Event::StartTls => c.tls_established(),
                _ => {}
            }
        }
        let out = c.outgoing().len();
        assert!(out <= 65_536 + 8192);
        c.sent(out);
    }
});
