//! Encoders: commands (client side), replies and multi-line items (server side).
//!
//! Encoders write straight into a `BytesMut` (the session's output buffer).
//! Text fields are made safe on the way out: CR, LF and other control
//! characters become spaces, so no field can end a line early.

use bytes::{BufMut, BytesMut};

use crate::types::{Capability, Command, Expire, InitialResponse, Reply, Status};

/// Writes `s`, replacing control characters (CR and LF included) by spaces.
fn put_text(out: &mut BytesMut, s: &str) {
    let bytes = s.as_bytes();
    if !bytes.iter().any(u8::is_ascii_control) {
        out.put_slice(bytes);
        return;
    }
    out.reserve(bytes.len());
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(u8::is_ascii_control) {
        out.put_slice(rest.get(..i).unwrap_or_default());
        out.put_u8(b' ');
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.put_slice(rest);
}

fn put_u64(out: &mut BytesMut, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // n % 10 < 10, so the cast keeps the value.
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(buf.get(i..).unwrap_or_default());
}

impl Command {
    /// Writes the command line, CRLF included.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_slice(self.keyword().as_bytes());
        match self {
            Command::User(name) => {
                out.put_u8(b' ');
                put_text(out, name);
            }
            Command::Pass(p) => {
                out.put_u8(b' ');
                put_text(out, p.expose());
            }
            Command::Apop { name, digest } => {
                out.put_u8(b' ');
                put_text(out, name);
                out.put_u8(b' ');
                out.put_slice(digest.to_hex().as_bytes());
            }
            Command::Auth { mechanism, initial } => {
                out.put_u8(b' ');
                put_text(out, mechanism);
                match initial {
                    None => {}
                    Some(InitialResponse::Empty) => out.put_slice(b" ="),
                    Some(InitialResponse::Base64(b)) => {
                        out.put_u8(b' ');
                        put_text(out, b);
                    }
                }
            }
            Command::List(m) | Command::Uidl(m) => {
                if let Some(m) = m {
                    out.put_u8(b' ');
                    put_u64(out, u64::from(m.get()));
                }
            }
            Command::Retr(m) | Command::Dele(m) => {
                out.put_u8(b' ');
                put_u64(out, u64::from(m.get()));
            }
            Command::Top { msg, lines } => {
                out.put_u8(b' ');
                put_u64(out, u64::from(msg.get()));
                out.put_u8(b' ');
                put_u64(out, u64::from(*lines));
            }
            Command::Stat
            | Command::Noop
            | Command::Rset
            | Command::Quit
            | Command::Capa
            | Command::Stls
            | Command::Utf8 => {}
        }
        out.put_slice(b"\r\n");
    }

    /// The command line as bytes, CRLF included.
    pub fn to_bytes(&self) -> BytesMut {
        let mut out = BytesMut::with_capacity(64);
        self.encode(&mut out);
        out
    }
}

impl Reply {
    /// Writes the status line, CRLF included: `+OK`, `-ERR [CODE] text`.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_slice(match self.status {
            Status::Ok => b"+OK",
            Status::Err => b"-ERR",
        });
        if let Some(code) = &self.code {
            out.put_slice(b" [");
            out.put_slice(code.as_str().as_bytes());
            out.put_u8(b']');
        }
        if !self.text.is_empty() {
            out.put_u8(b' ');
            put_text(out, &self.text);
        }
        out.put_slice(b"\r\n");
    }

    /// The status line as bytes, CRLF included.
    pub fn to_bytes(&self) -> BytesMut {
        let mut out = BytesMut::with_capacity(64);
        self.encode(&mut out);
        out
    }
}

impl Capability {
    /// Writes the capability line, CRLF included.
    pub fn encode(&self, out: &mut BytesMut) {
        let simple = |out: &mut BytesMut, s: &str| out.put_slice(s.as_bytes());
        match self {
            Capability::Top => simple(out, "TOP"),
            Capability::User => simple(out, "USER"),
            Capability::Sasl(mechs) => {
                simple(out, "SASL");
                for m in mechs {
                    out.put_u8(b' ');
                    put_text(out, m);
                }
            }
            Capability::RespCodes => simple(out, "RESP-CODES"),
            Capability::LoginDelay { seconds, per_user } => {
                simple(out, "LOGIN-DELAY ");
                put_u64(out, u64::from(*seconds));
                if *per_user {
                    simple(out, " USER");
                }
            }
            Capability::Pipelining => simple(out, "PIPELINING"),
            Capability::Expire(e) => {
                simple(out, "EXPIRE ");
                match e {
                    Expire::Never => simple(out, "NEVER"),
                    Expire::Days(n) => put_u64(out, u64::from(*n)),
                    Expire::DaysPerUser(n) => {
                        put_u64(out, u64::from(*n));
                        simple(out, " USER");
                    }
                }
            }
            Capability::Uidl => simple(out, "UIDL"),
            Capability::Implementation(text) => {
                simple(out, "IMPLEMENTATION ");
                put_text(out, text);
            }
            Capability::Stls => simple(out, "STLS"),
            Capability::AuthRespCode => simple(out, "AUTH-RESP-CODE"),
            Capability::Utf8 { user } => {
                simple(out, "UTF8");
                if *user {
                    simple(out, " USER");
                }
            }
            Capability::Other { name, params } => {
                put_text(out, name);
                for p in params {
                    out.put_u8(b' ');
                    put_text(out, p);
                }
            }
        }
        out.put_slice(b"\r\n");
    }
}

/// Writes `n octets` (a `LIST` line) with CRLF.
pub fn list_line(out: &mut BytesMut, msg: u32, octets: u64) {
    put_u64(out, u64::from(msg));
    out.put_u8(b' ');
    put_u64(out, octets);
    out.put_slice(b"\r\n");
}

/// Writes `n uid` (a `UIDL` line) with CRLF.
pub fn uidl_line(out: &mut BytesMut, msg: u32, uid: &str) {
    put_u64(out, u64::from(msg));
    out.put_u8(b' ');
    put_text(out, uid);
    out.put_slice(b"\r\n");
}

/// Writes the multi-line terminator `.` CRLF.
pub fn end_multi_line(out: &mut BytesMut) {
    out.put_slice(b".\r\n");
}

/// Writes a SASL continuation line: `+ base64` CRLF (RFC 5034 §4).
pub fn continuation(out: &mut BytesMut, base64: &str) {
    out.put_slice(b"+ ");
    out.put_slice(base64.as_bytes());
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{MsgNum, RespCode};

    #[test]
    fn replies_encode() {
        assert_eq!(&Reply::ok("").to_bytes()[..], b"+OK\r\n");
        assert_eq!(&Reply::ok("2 320").to_bytes()[..], b"+OK 2 320\r\n");
        assert_eq!(
            &Reply::err_code(
                RespCode::in_use(),
                "Do you have another POP session running?"
            )
            .to_bytes()[..],
            b"-ERR [IN-USE] Do you have another POP session running?\r\n"
        );
        assert_eq!(
            &Reply::err("a\r\nb").to_bytes()[..],
            b"-ERR a  b\r\n",
            "no CRLF injection"
        );
    }

    #[test]
    fn commands_encode() {
        let top = Command::Top {
            msg: MsgNum::new(1).unwrap(),
            lines: 10,
        };
        assert_eq!(&top.to_bytes()[..], b"TOP 1 10\r\n");
        assert_eq!(&Command::List(None).to_bytes()[..], b"LIST\r\n");
        assert_eq!(
            &Command::User("a\nb".into()).to_bytes()[..],
            b"USER a b\r\n"
        );
        let mut out = BytesMut::new();
        list_line(&mut out, 0, u64::MAX);
        assert_eq!(&out[..], b"0 18446744073709551615\r\n");
    }
}
