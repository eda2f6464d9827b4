//! Encoding: commands (client side) and replies (server side), written
//! straight into a `BytesMut`.

use bytes::{BufMut, BytesMut};

use crate::types::{
    AddressLiteral, BodyType, Command, ForwardPath, Host, MailParams, Notify, RcptParams, Reply,
    Ret, ReversePath,
};

impl Reply {
    /// Appends the reply in wire form. With `enhanced`, the enhanced status
    /// code (if any) prefixes every line (RFC 2034 §4); without, it is left
    /// out. CR and LF inside text become spaces.
    pub fn encode(&self, enhanced: bool, out: &mut BytesMut) {
        let digits = self.code().digits();
        let enh = if enhanced { self.enhanced() } else { None };
        let lines = self.lines();
        let n = lines.len().max(1);
        for i in 0..n {
            let text = lines.get(i).map(|c| c.as_ref()).unwrap_or("");
            out.reserve(text.len() + 16);
            out.put_slice(&digits);
            out.put_u8(if i + 1 == n { b' ' } else { b'-' });
            if let Some(e) = enh {
                put_enhanced(e, out);
                if !text.is_empty() {
                    out.put_u8(b' ');
                }
            }
            put_text(text.as_bytes(), out);
            out.put_slice(b"\r\n");
        }
    }

    /// The reply in wire form, as bytes.
    pub fn to_bytes(&self, enhanced: bool) -> Vec<u8> {
        let mut b = BytesMut::new();
        self.encode(enhanced, &mut b);
        b.to_vec()
    }
}

fn put_enhanced(e: crate::types::EnhancedCode, out: &mut BytesMut) {
    out.put_u8(b'0' + e.class());
    out.put_u8(b'.');
    put_num(u64::from(e.subject()), out);
    out.put_u8(b'.');
    put_num(u64::from(e.detail()), out);
}

fn put_text(text: &[u8], out: &mut BytesMut) {
    if memchr::memchr2(b'\r', b'\n', text).is_none() {
        out.put_slice(text);
    } else {
        for chunk in text.split(|&b| b == b'\r' || b == b'\n').enumerate() {
            if chunk.0 > 0 {
                out.put_u8(b' ');
            }
            out.put_slice(chunk.1);
        }
    }
}

/// Writes a decimal number.
pub(crate) fn put_num(n: u64, out: &mut BytesMut) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.put_slice(buf.get(i..).unwrap_or_default());
}

/// Encodes xtext (RFC 3461 §4): `+XX` for `+`, `=` and anything outside 33..=126.
pub fn xtext_encode(s: &str, out: &mut BytesMut) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            out.put_u8(b);
        } else {
            out.put_u8(b'+');
            out.put_u8(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.put_u8(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'));
        }
    }
}

impl Command {
    /// Appends the command line in wire form, CRLF included.
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Self::Ehlo(h) => host_cmd(b"EHLO ", h, out),
            Self::Helo(h) => host_cmd(b"HELO ", h, out),
            Self::Lhlo(h) => host_cmd(b"LHLO ", h, out),
            Self::Mail { from, params } => {
                out.put_slice(b"MAIL FROM:<");
                if let ReversePath::Mailbox(m) = from {
                    out.put_slice(m.as_str().as_bytes());
                }
                out.put_u8(b'>');
                mail_params(params, out);
                out.put_slice(b"\r\n");
            }
            Self::Rcpt { to, params } => {
                out.put_slice(b"RCPT TO:<");
                match to {
                    ForwardPath::Postmaster => out.put_slice(b"Postmaster"),
                    ForwardPath::Mailbox(m) => out.put_slice(m.as_str().as_bytes()),
                }
                out.put_u8(b'>');
                rcpt_params(params, out);
                out.put_slice(b"\r\n");
            }
            Self::Data => out.put_slice(b"DATA\r\n"),
            Self::Bdat { size, last } => {
                out.put_slice(b"BDAT ");
                put_num(*size, out);
                if *last {
                    out.put_slice(b" LAST");
                }
                out.put_slice(b"\r\n");
            }
            Self::Rset => out.put_slice(b"RSET\r\n"),
            Self::Noop(s) => opt_arg(b"NOOP", s.as_deref(), out),
            Self::Quit => out.put_slice(b"QUIT\r\n"),
            Self::Vrfy(s) => opt_arg(b"VRFY", Some(s), out),
            Self::Expn(s) => opt_arg(b"EXPN", Some(s), out),
            Self::Help(s) => opt_arg(b"HELP", s.as_deref(), out),
            Self::StartTls => out.put_slice(b"STARTTLS\r\n"),
            Self::Auth { mechanism, initial } => {
                out.put_slice(b"AUTH ");
                out.put_slice(mechanism.as_bytes());
                if let Some(ir) = initial {
                    out.put_u8(b' ');
                    out.put_slice(ir.as_bytes());
                }
                out.put_slice(b"\r\n");
            }
            Self::Xclient(attrs) => {
                out.put_slice(b"XCLIENT");
                for (name, value) in attrs {
                    out.put_u8(b' ');
                    out.put_slice(name.as_bytes());
                    out.put_u8(b'=');
                    xtext_encode(value, out);
                }
                out.put_slice(b"\r\n");
            }
        }
    }

    /// The command line in wire form, as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = BytesMut::new();
        self.encode(&mut b);
        b.to_vec()
    }
}

fn host_cmd(verb: &[u8], h: &Host, out: &mut BytesMut) {
    out.put_slice(verb);
    match h {
        Host::Domain(d) => out.put_slice(d.as_str().as_bytes()),
        Host::Literal(l) => put_literal(l, out),
    }
    out.put_slice(b"\r\n");
}

fn put_literal(l: &AddressLiteral, out: &mut BytesMut) {
    out.put_slice(l.to_string().as_bytes());
}

fn opt_arg(verb: &[u8], s: Option<&str>, out: &mut BytesMut) {
    out.put_slice(verb);
    if let Some(s) = s {
        out.put_u8(b' ');
        put_text(s.as_bytes(), out);
    }
    out.put_slice(b"\r\n");
}

fn mail_params(p: &MailParams, out: &mut BytesMut) {
    if let Some(n) = p.size {
        out.put_slice(b" SIZE=");
        put_num(n, out);
    }
    if let Some(b) = p.body {
        out.put_slice(match b {
            BodyType::SevenBit => b" BODY=7BIT",
            BodyType::EightBitMime => b" BODY=8BITMIME",
            BodyType::BinaryMime => b" BODY=BINARYMIME",
        });
    }
    if p.smtputf8 {
        out.put_slice(b" SMTPUTF8");
    }
    if let Some(a) = &p.auth {
        out.put_slice(b" AUTH=");
        if a == "<>" {
            out.put_slice(b"<>");
        } else {
            xtext_encode(a, out);
        }
    }
    if let Some(r) = p.ret {
        out.put_slice(match r {
            Ret::Full => b" RET=FULL",
            Ret::Hdrs => b" RET=HDRS",
        });
    }
    if let Some(e) = &p.envid {
        out.put_slice(b" ENVID=");
        xtext_encode(e, out);
    }
    if p.requiretls {
        out.put_slice(b" REQUIRETLS");
    }
}

fn rcpt_params(p: &RcptParams, out: &mut BytesMut) {
    if let Some(n) = p.notify {
        out.put_slice(b" NOTIFY=");
        match n {
            Notify::Never => out.put_slice(b"NEVER"),
            Notify::On {
                success,
                failure,
                delay,
            } => {
                let mut first = true;
                for (on, w) in [
                    (success, &b"SUCCESS"[..]),
                    (failure, b"FAILURE"),
                    (delay, b"DELAY"),
                ] {
                    if on {
                        if !first {
                            out.put_u8(b',');
                        }
                        out.put_slice(w);
                        first = false;
                    }
                }
            }
        }
    }
    if let Some(o) = &p.orcpt {
        out.put_slice(b" ORCPT=");
        out.put_slice(o.addr_type.as_bytes());
        out.put_u8(b';');
        xtext_encode(&o.addr, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::xtext_decode;
    use crate::types::{EnhancedCode, ReplyCode};

    #[test]
    fn rfc5321_4_2_1_multiline_reply() {
        let r = Reply::multiline(
            ReplyCode::OK,
            None,
            vec![
                "foo.com greets bar.com".into(),
                "8BITMIME".into(),
                "HELP".into(),
            ],
        );
        assert_eq!(
            r.to_bytes(false),
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n"
        );
    }

    #[test]
    fn rfc2034_4_enhanced_on_every_line() {
        let mut r = Reply::with_enhanced(
            ReplyCode::MAILBOX_UNAVAILABLE,
            EnhancedCode::BAD_MAILBOX,
            "a",
        );
        r.push_line("b");
        assert_eq!(r.to_bytes(true), b"550-5.1.1 a\r\n550 5.1.1 b\r\n");
        assert_eq!(r.to_bytes(false), b"550-a\r\n550 b\r\n");
    }

    #[test]
    fn reply_text_cannot_split() {
        let r = Reply::new(ReplyCode::OK, "a\r\n250 b");
        assert_eq!(r.to_bytes(false), b"250 a  250 b\r\n");
    }

    #[test]
    fn rfc3461_4_xtext_round_trip() {
        let mut b = BytesMut::new();
        xtext_encode("a+b=c d\u{e9}", &mut b);
        assert_eq!(&b[..], b"a+2Bb+3Dc+20d+C3+A9");
        assert_eq!(xtext_decode(&b).unwrap(), "a+b=c d\u{e9}");
    }

    #[test]
    fn put_num_edges() {
        for n in [0u64, 9, 10, 1234567, u64::MAX] {
            let mut b = BytesMut::new();
            put_num(n, &mut b);
            assert_eq!(b, n.to_string().as_bytes());
        }
    }
}
