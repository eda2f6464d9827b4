#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    missing_docs
)]
//! The trusted-front-end steps: the PROXY protocol header before the
//! greeting and Postfix's XCLIENT command. Both change the address every
//! later policy decision sees, so both are refused to untrusted peers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use yubin_smtp::server::{CloseReason, Connection, Context, Event, Network, Session, Settings};

fn conn(peer: &str) -> Connection {
    Connection {
        remote: Some(peer.parse().unwrap()),
        local: Some("127.0.0.1:25".parse().unwrap()),
        tls: false,
    }
}

fn nets(list: &[&str]) -> Vec<Network> {
    list.iter().map(|n| n.parse().unwrap()).collect()
}

/// A session that accepts every decision and records the context of the
/// last MAIL it saw.
struct Run {
    s: Session,
    out: Vec<u8>,
    mail_context: Option<Arc<Context>>,
    closed: Option<CloseReason>,
}

impl Run {
    fn new(settings: Settings, connection: Connection) -> Self {
        let cfg = Arc::new(settings.build().unwrap());
        let mut r = Self {
            s: Session::new(cfg, Instant::now(), connection, [3; 18]),
            out: Vec::new(),
            mail_context: None,
            closed: None,
        };
        r.pump();
        r
    }

    fn pump(&mut self) {
        while let Some(ev) = self.s.next_event() {
            match ev {
                Event::MailFrom {
                    ticket, context, ..
                } => {
                    self.mail_context = Some(context);
                    self.s.accept(ticket).unwrap();
                }
                Event::Connect { ticket, .. }
                | Event::Helo { ticket, .. }
                | Event::RcptTo { ticket, .. } => self.s.accept(ticket).unwrap(),
                Event::Closed(reason) => self.closed = Some(reason),
                _ => {}
            }
        }
        let n = self.s.outgoing().len();
        self.out.extend_from_slice(self.s.outgoing());
        self.s.sent(n);
    }

    fn send(&mut self, bytes: &[u8]) -> String {
        let start = self.out.len();
        let mut off = 0;
        while off < bytes.len() {
            let n = self.s.receive(Instant::now(), &bytes[off..]);
            off += n;
            self.pump();
            if n == 0 {
                break;
            }
        }
        self.pump();
        String::from_utf8_lossy(&self.out[start..]).into_owned()
    }
}

fn proxied(list: &[&str]) -> Settings {
    let mut s = Settings::new("mx.example.org");
    s.proxy_protocol = Some(nets(list));
    s
}

#[test]
fn proxy_v1_sets_the_client_address_then_greets() {
    let mut r = Run::new(proxied(&["127.0.0.0/8"]), conn("127.0.0.1:40000"));
    assert_eq!(r.out, b"", "no greeting before the header");
    // The header and the first command in one read, split oddly.
    let got = r.send(b"PROXY TCP4 203.0.113.7 192.0.2.25 51000 25\r\nEHLO c.example\r\nMAIL FROM:<a@c.example>\r\n");
    assert!(
        got.starts_with("220 mx.example.org ESMTP\r\n250-mx.example.org"),
        "{got}"
    );
    let ctx = r.mail_context.unwrap();
    assert_eq!(
        ctx.remote,
        Some("203.0.113.7:51000".parse::<SocketAddr>().unwrap())
    );
    assert_eq!(
        ctx.local,
        Some("192.0.2.25:25".parse::<SocketAddr>().unwrap())
    );
}

#[test]
fn proxy_v2_byte_by_byte() {
    let mut r = Run::new(proxied(&[]), conn("10.0.0.9:1234"));
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.extend_from_slice(&[0x21, 0x21, 0, 36]);
    h.extend_from_slice(
        &"2001:db8::7"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    h.extend_from_slice(
        &"2001:db8::25"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    h.extend_from_slice(&[0xc3, 0x50, 0, 25]);
    h.extend_from_slice(b"EHLO c.example\r\nMAIL FROM:<>\r\n");
    for b in &h {
        r.send(std::slice::from_ref(b));
    }
    let out = String::from_utf8_lossy(&r.out).into_owned();
    assert!(out.starts_with("220 "), "{out}");
    let ctx = r.mail_context.unwrap();
    assert_eq!(ctx.remote, Some("[2001:db8::7]:50000".parse().unwrap()));
}

#[test]
fn proxy_refuses_bad_headers_and_untrusted_peers_silently() {
    for junk in [
        &b"EHLO c.example\r\n"[..],
        b"PROXY TCP4 1.2.3.4\r\n",
        b"\r\n\r\n\0\r\nQUIT\n\x11\x11\0\x0c",
    ] {
        let mut r = Run::new(proxied(&["127.0.0.1"]), conn("127.0.0.1:40000"));
        assert_eq!(r.send(junk), "");
        assert!(r.s.is_closed());
        assert_eq!(r.closed, Some(CloseReason::Proxy));
    }
    let r = Run::new(proxied(&["10.0.0.0/8"]), conn("192.0.2.1:40000"));
    assert!(r.s.is_closed());
    assert_eq!(r.closed, Some(CloseReason::Proxy));
    assert!(r.out.is_empty());
    // Off by default: a PROXY line is just an unknown command.
    let mut r = Run::new(Settings::new("mx.example.org"), conn("127.0.0.1:40000"));
    let got = r.send(b"PROXY TCP4 203.0.113.7 192.0.2.25 51000 25\r\n");
    assert!(got.starts_with("500 5.5.2"), "{got}");
}

fn xclient(trusted: &[&str]) -> Settings {
    let mut s = Settings::new("mx.example.org");
    s.xclient_trusted = nets(trusted);
    s
}

#[test]
fn xclient_from_a_trusted_front_end() {
    let mut r = Run::new(xclient(&["127.0.0.0/8"]), conn("127.0.0.1:40000"));
    let ehlo = r.send(b"EHLO front.example\r\n");
    assert!(
        ehlo.contains("250 XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT\r\n"),
        "{ehlo}"
    );
    let got = r.send(b"XCLIENT NAME=client.example.net ADDR=IPV6:2001:db8::5 PORT=4567 LOGIN=alice HELO=c+3Dx PROTO=ESMTP\r\n");
    assert_eq!(got, "220 mx.example.org ESMTP\r\n");
    // EHLO again, as on a new connection; the trusted peer is gone, so
    // XCLIENT is no longer offered.
    let ehlo = r.send(b"MAIL FROM:<a@b.example>\r\nEHLO c.example\r\n");
    assert!(ehlo.starts_with("503 5.5.1"), "{ehlo}");
    assert!(!ehlo.contains("XCLIENT"), "{ehlo}");
    r.send(b"MAIL FROM:<a@b.example>\r\n");
    let ctx = r.mail_context.clone().unwrap();
    assert_eq!(ctx.remote, Some("[2001:db8::5]:4567".parse().unwrap()));
    assert_eq!(ctx.client_name.as_deref(), Some("client.example.net"));
    assert_eq!(ctx.authenticated.as_deref(), Some("alice"));
    // The peer is now the (untrusted) client itself: refused.
    assert!(
        r.send(b"XCLIENT ADDR=192.0.2.1\r\n")
            .starts_with("550 5.7.0")
    );
}

#[test]
fn xclient_refusals() {
    let mut r = Run::new(xclient(&["10.0.0.0/8"]), conn("127.0.0.1:40000"));
    let ehlo = r.send(b"EHLO c.example\r\n");
    assert!(!ehlo.contains("XCLIENT"));
    assert_eq!(
        r.send(b"XCLIENT ADDR=192.0.2.1\r\n"),
        "550 5.7.0 Error: insufficient authorization\r\n"
    );

    let mut r = Run::new(xclient(&["127.0.0.1"]), conn("127.0.0.1:40000"));
    r.send(b"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n");
    assert_eq!(
        r.send(b"XCLIENT ADDR=192.0.2.1\r\n"),
        "503 5.5.1 Error: MAIL transaction in progress\r\n"
    );
    r.send(b"RSET\r\n");
    for bad in [
        &b"XCLIENT\r\n"[..],
        b"XCLIENT ADDR\r\n",
        b"XCLIENT ADDR=999.1.1.1\r\n",
        b"XCLIENT PORT=70000\r\n",
        b"XCLIENT COLOUR=blue\r\n",
        b"XCLIENT NAME=a+zz\r\n",
    ] {
        let got = r.send(bad);
        assert!(
            got.starts_with("501 "),
            "{:?} -> {got}",
            String::from_utf8_lossy(bad)
        );
    }
    // [UNAVAILABLE] clears what it names.
    assert!(
        r.send(b"XCLIENT ADDR=[UNAVAILABLE] NAME=[TEMPUNAVAIL]\r\n")
            .starts_with("220 ")
    );
    r.send(b"EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n");
    let ctx = r.mail_context.clone().unwrap();
    assert_eq!((ctx.remote, ctx.client_name.clone()), (None, None));
}
