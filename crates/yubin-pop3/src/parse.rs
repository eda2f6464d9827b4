//! Parsers: command lines (server side) and response lines (client side).
//!
//! Every function takes one line without its CRLF; the line framer in the
//! session has already bounded its length. Keywords are case-insensitive
//! (RFC 1939 §3); arguments are separated by one space.

use thiserror::Error;
use yubin_sasl::Secret;

use crate::apop::Digest;
use crate::types::{
    Capability, Command, Expire, InitialResponse, ListEntry, MsgNum, RespCode, Status, UidlEntry,
    valid_uid,
};

/// Why a line could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The line is empty.
    #[error("empty command")]
    Empty,
    /// The keyword is not a POP3 command this crate knows.
    #[error("unknown command")]
    UnknownCommand,
    /// A required argument is missing.
    #[error("missing argument")]
    MissingArgument,
    /// More arguments than the command takes, or stray spaces.
    #[error("too many arguments or stray spaces")]
    ExtraArgument,
    /// A message number or count is not a decimal number in range.
    #[error("invalid number")]
    BadNumber,
    /// A name or text holds control characters or is not UTF-8.
    #[error("invalid characters in argument")]
    BadCharacters,
    /// The APOP digest is not 32 hexadecimal digits.
    #[error("invalid apop digest")]
    BadDigest,
    /// The SASL mechanism name is not valid (RFC 4422 §3.1).
    #[error("invalid sasl mechanism name")]
    BadMechanism,
    /// A response line starts with neither `+OK` nor `-ERR`.
    #[error("response status is neither +OK nor -ERR")]
    BadStatus,
    /// A response code's brackets or text are malformed.
    #[error("malformed response code")]
    BadRespCode,
    /// A `UIDL` unique id is not 1-70 printable characters.
    #[error("invalid unique id")]
    BadUid,
    /// A capability line is malformed.
    #[error("malformed capability")]
    BadCapability,
}

/// Parses a command line (without CRLF).
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    let (keyword, rest) = match memchr::memchr(b' ', line) {
        Some(i) => (
            line.get(..i).unwrap_or_default(),
            Some(line.get(i + 1..).unwrap_or_default()),
        ),
        None => (line, None),
    };
    let mut kw = [0u8; 4];
    if !(3..=4).contains(&keyword.len()) {
        return Err(ParseError::UnknownCommand);
    }
    for (k, b) in kw.iter_mut().zip(keyword) {
        *k = b.to_ascii_uppercase();
    }
    let kw = kw.get(..keyword.len()).unwrap_or_default();
    match kw {
        b"USER" => Ok(Command::User(name(one_arg(rest)?)?)),
        b"PASS" => {
            // RFC 1939 §7: the server may treat spaces as part of the password.
            let arg = rest.ok_or(ParseError::MissingArgument)?;
            if arg.is_empty() {
                return Err(ParseError::MissingArgument);
            }
            let text = text(arg)?;
            Ok(Command::Pass(Secret::new(text)))
        }
        b"APOP" => {
            let arg = rest.ok_or(ParseError::MissingArgument)?;
            let (n, d) = split_last_space(arg).ok_or(ParseError::MissingArgument)?;
            let digest = Digest::from_hex(d).map_err(|_| ParseError::BadDigest)?;
            Ok(Command::Apop {
                name: name(n)?,
                digest,
            })
        }
        b"AUTH" => {
            let arg = rest.ok_or(ParseError::MissingArgument)?;
            let (mech, ir) = match memchr::memchr(b' ', arg) {
                Some(i) => (
                    arg.get(..i).unwrap_or_default(),
                    Some(arg.get(i + 1..).unwrap_or_default()),
                ),
                None => (arg, None),
            };
            let mechanism = mechanism(mech)?;
            let initial = match ir {
                None => None,
                Some(b"=") => Some(InitialResponse::Empty),
                Some(ir) => {
                    if ir.is_empty() || ir.contains(&b' ') {
                        return Err(ParseError::ExtraArgument);
                    }
                    Some(InitialResponse::Base64(text(ir)?))
                }
            };
            Ok(Command::Auth { mechanism, initial })
        }
        b"STAT" => no_arg(rest, Command::Stat),
        b"LIST" => Ok(Command::List(opt_msg(rest)?)),
        b"RETR" => Ok(Command::Retr(msg(one_arg(rest)?)?)),
        b"DELE" => Ok(Command::Dele(msg(one_arg(rest)?)?)),
        b"NOOP" => no_arg(rest, Command::Noop),
        b"RSET" => no_arg(rest, Command::Rset),
        b"QUIT" => no_arg(rest, Command::Quit),
        b"TOP" => {
            let arg = rest.ok_or(ParseError::MissingArgument)?;
            let (m, n) = split_last_space(arg).ok_or(ParseError::MissingArgument)?;
            Ok(Command::Top {
                msg: msg(m)?,
                lines: number(n)?,
            })
        }
        b"UIDL" => Ok(Command::Uidl(opt_msg(rest)?)),
        b"CAPA" => no_arg(rest, Command::Capa),
        b"STLS" => no_arg(rest, Command::Stls),
        b"UTF8" => no_arg(rest, Command::Utf8),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// The keyword of a command line, upper-cased, if it looks like one (for
/// error texts and logs).
pub fn command_keyword(line: &[u8]) -> Option<String> {
    let end = memchr::memchr(b' ', line).unwrap_or(line.len());
    let kw = line.get(..end)?;
    (1..=4).contains(&kw.len()).then_some(())?;
    kw.iter()
        .all(u8::is_ascii_alphanumeric)
        .then(|| String::from_utf8_lossy(kw).to_ascii_uppercase())
}

fn no_arg(rest: Option<&[u8]>, cmd: Command) -> Result<Command, ParseError> {
    match rest {
        None => Ok(cmd),
        Some(_) => Err(ParseError::ExtraArgument),
    }
}

fn one_arg(rest: Option<&[u8]>) -> Result<&[u8], ParseError> {
    let arg = rest.ok_or(ParseError::MissingArgument)?;
    if arg.is_empty() {
        return Err(ParseError::MissingArgument);
    }
    if arg.contains(&b' ') {
        return Err(ParseError::ExtraArgument);
    }
    Ok(arg)
}

fn opt_msg(rest: Option<&[u8]>) -> Result<Option<MsgNum>, ParseError> {
    match rest {
        None => Ok(None),
        Some(_) => msg(one_arg(rest)?).map(Some),
    }
}

fn split_last_space(arg: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = memchr::memrchr(b' ', arg)?;
    let a = arg.get(..i)?;
    let b = arg.get(i + 1..)?;
    (!a.is_empty() && !b.is_empty()).then_some((a, b))
}

/// A decimal number: 1 to 10 digits, no sign, fits in u32.
fn number(s: &[u8]) -> Result<u32, ParseError> {
    if s.is_empty() || s.len() > 10 || !s.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::BadNumber);
    }
    s.iter()
        .try_fold(0u32, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
        .ok_or(ParseError::BadNumber)
}

fn number_u64(s: &[u8]) -> Result<u64, ParseError> {
    if s.is_empty() || s.len() > 20 || !s.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::BadNumber);
    }
    s.iter()
        .try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .ok_or(ParseError::BadNumber)
}

fn msg(s: &[u8]) -> Result<MsgNum, ParseError> {
    MsgNum::new(number(s)?).ok_or(ParseError::BadNumber)
}

/// A user name: UTF-8 without spaces or control characters.
fn name(s: &[u8]) -> Result<String, ParseError> {
    if s.is_empty() || s.contains(&b' ') {
        return Err(ParseError::ExtraArgument);
    }
    text(s)
}

/// UTF-8 text without control characters (spaces allowed).
fn text(s: &[u8]) -> Result<String, ParseError> {
    let t = std::str::from_utf8(s).map_err(|_| ParseError::BadCharacters)?;
    if t.chars().any(char::is_control) {
        return Err(ParseError::BadCharacters);
    }
    Ok(t.to_owned())
}

/// A SASL mechanism name (RFC 4422 §3.1): 1-20 of A-Z 0-9 - _.
fn mechanism(s: &[u8]) -> Result<String, ParseError> {
    let ok = (1..=20).contains(&s.len())
        && s.iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    if !ok {
        return Err(ParseError::BadMechanism);
    }
    Ok(String::from_utf8_lossy(s).to_ascii_uppercase())
}

/// A parsed status line: status, optional response code, the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// `+OK` or `-ERR`.
    pub status: Status,
    /// The response code, if the text starts with `[...]`.
    pub code: Option<RespCode>,
    /// The text after the status and code, lossily decoded as UTF-8.
    pub text: String,
}

/// Parses a server's status line (`+OK ...` / `-ERR ...`, no CRLF).
///
/// A `[` opening the text starts a response code (RFC 2449 §8); a
/// malformed one is an error, as the client cannot tell what it meant.
pub fn parse_status_line(line: &[u8]) -> Result<StatusLine, ParseError> {
    let (status, rest) = if let Some(r) = strip_prefix_ci(line, b"+OK") {
        (Status::Ok, r)
    } else if let Some(r) = strip_prefix_ci(line, b"-ERR") {
        (Status::Err, r)
    } else {
        return Err(ParseError::BadStatus);
    };
    let rest = match rest.split_first() {
        None => rest,
        Some((b' ', r)) => r,
        Some(_) => return Err(ParseError::BadStatus),
    };
    let (code, text) = match rest.strip_prefix(b"[") {
        None => (None, rest),
        Some(r) => {
            let end = memchr::memchr(b']', r).ok_or(ParseError::BadRespCode)?;
            let code = std::str::from_utf8(r.get(..end).unwrap_or_default())
                .ok()
                .and_then(RespCode::new)
                .ok_or(ParseError::BadRespCode)?;
            let after = r.get(end + 1..).unwrap_or_default();
            (Some(code), after.strip_prefix(b" ").unwrap_or(after))
        }
    };
    Ok(StatusLine {
        status,
        code,
        text: String::from_utf8_lossy(text).into_owned(),
    })
}

fn strip_prefix_ci<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| line.get(prefix.len()..))
        .flatten()
}

/// Parses a SASL continuation line `+ base64` (RFC 5034 §4); returns the
/// base64 text (empty for an empty challenge). `None`: not a continuation.
pub fn parse_continuation(line: &[u8]) -> Option<&[u8]> {
    match line {
        b"+" => Some(b""),
        _ => line.strip_prefix(b"+ "),
    }
}

/// Parses `n octets` (a `LIST` line, or the text of a `LIST n` reply).
///
/// Text after the size is allowed (RFC 1939 leaves it open).
pub fn parse_list_entry(text: &[u8]) -> Result<ListEntry, ParseError> {
    let mut parts = text.splitn(3, |&b| b == b' ');
    let msg = msg(parts.next().unwrap_or_default())?;
    let octets = number_u64(parts.next().ok_or(ParseError::MissingArgument)?)?;
    Ok(ListEntry { msg, octets })
}

/// Parses `n uid` (a `UIDL` line, or the text of a `UIDL n` reply).
pub fn parse_uidl_entry(text: &[u8]) -> Result<UidlEntry, ParseError> {
    let (m, u) = match memchr::memchr(b' ', text) {
        Some(i) => (
            text.get(..i).unwrap_or_default(),
            text.get(i + 1..).unwrap_or_default(),
        ),
        None => return Err(ParseError::MissingArgument),
    };
    let uid = std::str::from_utf8(u).map_err(|_| ParseError::BadUid)?;
    if !valid_uid(uid) {
        return Err(ParseError::BadUid);
    }
    Ok(UidlEntry {
        msg: msg(m)?,
        uid: uid.to_owned(),
    })
}

/// Parses the text of a `STAT` reply: `count octets` (RFC 1939 §5).
pub fn parse_stat(text: &[u8]) -> Result<(u32, u64), ParseError> {
    let mut parts = text.splitn(3, |&b| b == b' ');
    let count = number(parts.next().unwrap_or_default())?;
    let octets = number_u64(parts.next().ok_or(ParseError::MissingArgument)?)?;
    Ok((count, octets))
}

/// Parses one line of a `CAPA` response (RFC 2449 §5).
pub fn parse_capability(line: &[u8]) -> Result<Capability, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::BadCapability)?;
    let mut words = text.split(' ');
    let tag = words.next().unwrap_or_default();
    let cchar = |b: u8| (0x21..=0x7f).contains(&b) && b != b'.';
    if tag.is_empty() || !tag.bytes().all(cchar) {
        return Err(ParseError::BadCapability);
    }
    let params: Vec<&str> = words.collect();
    if params.iter().any(|p| p.is_empty()) {
        return Err(ParseError::BadCapability);
    }
    let tag = tag.to_ascii_uppercase();
    let num = |s: &str| number(s.as_bytes()).map_err(|_| ParseError::BadCapability);
    let cap = match (tag.as_str(), params.as_slice()) {
        ("TOP", []) => Capability::Top,
        ("USER", []) => Capability::User,
        ("SASL", mechs) => Capability::Sasl(mechs.iter().map(|m| m.to_ascii_uppercase()).collect()),
        ("RESP-CODES", []) => Capability::RespCodes,
        ("LOGIN-DELAY", [n]) => Capability::LoginDelay {
            seconds: num(n)?,
            per_user: false,
        },
        ("LOGIN-DELAY", [n, u]) if u.eq_ignore_ascii_case("USER") => Capability::LoginDelay {
            seconds: num(n)?,
            per_user: true,
        },
        ("PIPELINING", []) => Capability::Pipelining,
        ("EXPIRE", [n]) if n.eq_ignore_ascii_case("NEVER") => Capability::Expire(Expire::Never),
        ("EXPIRE", [n]) => Capability::Expire(Expire::Days(num(n)?)),
        ("EXPIRE", [n, u]) if u.eq_ignore_ascii_case("USER") => {
            Capability::Expire(Expire::DaysPerUser(num(n)?))
        }
        ("UIDL", []) => Capability::Uidl,
        ("IMPLEMENTATION", [_, ..]) => Capability::Implementation(params.join(" ")),
        ("STLS", []) => Capability::Stls,
        ("AUTH-RESP-CODE", []) => Capability::AuthRespCode,
        ("UTF8", []) => Capability::Utf8 { user: false },
        ("UTF8", [u]) if u.eq_ignore_ascii_case("USER") => Capability::Utf8 { user: true },
        _ => Capability::Other {
            name: tag,
            params: params.iter().map(|p| (*p).to_owned()).collect(),
        },
    };
    Ok(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: u32) -> MsgNum {
        MsgNum::new(n).unwrap()
    }

    #[test]
    fn rfc1939_commands_parse() {
        assert_eq!(parse_command(b"STAT"), Ok(Command::Stat));
        assert_eq!(parse_command(b"stat"), Ok(Command::Stat));
        assert_eq!(parse_command(b"LIST"), Ok(Command::List(None)));
        assert_eq!(parse_command(b"LIST 2"), Ok(Command::List(Some(m(2)))));
        assert_eq!(parse_command(b"RETR 1"), Ok(Command::Retr(m(1))));
        assert_eq!(parse_command(b"DELE 1"), Ok(Command::Dele(m(1))));
        assert_eq!(parse_command(b"NOOP"), Ok(Command::Noop));
        assert_eq!(parse_command(b"RSET"), Ok(Command::Rset));
        assert_eq!(parse_command(b"QUIT"), Ok(Command::Quit));
        assert_eq!(
            parse_command(b"TOP 1 10"),
            Ok(Command::Top {
                msg: m(1),
                lines: 10
            })
        );
        assert_eq!(parse_command(b"UIDL"), Ok(Command::Uidl(None)));
        assert_eq!(parse_command(b"UIDL 2"), Ok(Command::Uidl(Some(m(2)))));
        assert_eq!(
            parse_command(b"USER mrose"),
            Ok(Command::User("mrose".into()))
        );
        assert_eq!(parse_command(b"CAPA"), Ok(Command::Capa));
        assert_eq!(parse_command(b"STLS"), Ok(Command::Stls));
        assert_eq!(parse_command(b"UTF8"), Ok(Command::Utf8));
    }

    #[test]
    fn rfc1939_7_pass_keeps_spaces() {
        let Ok(Command::Pass(p)) = parse_command(b"PASS my secret  word ") else {
            panic!()
        };
        assert_eq!(p.expose(), "my secret  word ");
        assert_eq!(parse_command(b"PASS"), Err(ParseError::MissingArgument));
        assert_eq!(parse_command(b"PASS "), Err(ParseError::MissingArgument));
        assert_eq!(
            parse_command(b"PASS a\x01b"),
            Err(ParseError::BadCharacters)
        );
    }

    #[test]
    fn rfc1939_7_apop_parses() {
        let Ok(Command::Apop { name, digest }) =
            parse_command(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb")
        else {
            panic!()
        };
        assert_eq!(name, "mrose");
        assert_eq!(digest.to_hex(), "c4c9334bac560ecc979e58001b3e22fb");
        assert_eq!(
            parse_command(b"APOP mrose c4c9"),
            Err(ParseError::BadDigest)
        );
        assert_eq!(
            parse_command(b"APOP mrose"),
            Err(ParseError::MissingArgument)
        );
    }

    #[test]
    fn rfc5034_auth_parses() {
        assert_eq!(
            parse_command(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q="),
            Ok(Command::Auth {
                mechanism: "PLAIN".into(),
                initial: Some(InitialResponse::Base64("dGVzdAB0ZXN0AHRlc3Q=".into()))
            })
        );
        assert_eq!(
            parse_command(b"auth plain ="),
            Ok(Command::Auth {
                mechanism: "PLAIN".into(),
                initial: Some(InitialResponse::Empty)
            })
        );
        assert_eq!(
            parse_command(b"AUTH DIGEST-MD5"),
            Ok(Command::Auth {
                mechanism: "DIGEST-MD5".into(),
                initial: None
            })
        );
        assert_eq!(parse_command(b"AUTH"), Err(ParseError::MissingArgument));
        assert_eq!(parse_command(b"AUTH PL/AIN"), Err(ParseError::BadMechanism));
        assert_eq!(
            parse_command(b"AUTH PLAIN a b"),
            Err(ParseError::ExtraArgument)
        );
    }

    #[test]
    fn bad_commands_refused() {
        assert_eq!(parse_command(b""), Err(ParseError::Empty));
        assert_eq!(parse_command(b"HELO"), Err(ParseError::UnknownCommand));
        assert_eq!(parse_command(b"STATS"), Err(ParseError::UnknownCommand));
        assert_eq!(parse_command(b"ST"), Err(ParseError::UnknownCommand));
        assert_eq!(parse_command(b"STAT x"), Err(ParseError::ExtraArgument));
        assert_eq!(parse_command(b"STAT "), Err(ParseError::ExtraArgument));
        assert_eq!(parse_command(b"LIST "), Err(ParseError::MissingArgument));
        assert_eq!(parse_command(b"LIST 1 2"), Err(ParseError::ExtraArgument));
        assert_eq!(parse_command(b"RETR 0"), Err(ParseError::BadNumber));
        assert_eq!(parse_command(b"RETR -1"), Err(ParseError::BadNumber));
        assert_eq!(
            parse_command(b"RETR 4294967296"),
            Err(ParseError::BadNumber)
        );
        assert_eq!(
            parse_command(b"RETR 99999999999"),
            Err(ParseError::BadNumber)
        );
        assert_eq!(parse_command(b"RETR"), Err(ParseError::MissingArgument));
        assert_eq!(parse_command(b"TOP 1"), Err(ParseError::MissingArgument));
        assert_eq!(parse_command(b"TOP 1 x"), Err(ParseError::BadNumber));
        assert_eq!(parse_command(b"TOP 1  2"), Err(ParseError::BadNumber));
        assert_eq!(parse_command(b"USER a b"), Err(ParseError::ExtraArgument));
        assert_eq!(parse_command(b"USER \xff"), Err(ParseError::BadCharacters));
        assert_eq!(parse_command(b"\xff\xfe"), Err(ParseError::UnknownCommand));
    }

    #[test]
    fn rfc2449_status_lines() {
        let s =
            parse_status_line(b"-ERR [IN-USE] Do you have another POP session running?").unwrap();
        assert_eq!(s.status, Status::Err);
        assert_eq!(s.code.unwrap().as_str(), RespCode::IN_USE);
        assert_eq!(s.text, "Do you have another POP session running?");
        let s = parse_status_line(b"+OK").unwrap();
        assert_eq!((s.status, s.code, s.text.as_str()), (Status::Ok, None, ""));
        let s = parse_status_line(b"-ERR [SYS/TEMP] later").unwrap();
        assert_eq!(s.code.unwrap().as_str(), "SYS/TEMP");
        assert_eq!(parse_status_line(b"+OKAY"), Err(ParseError::BadStatus));
        assert_eq!(parse_status_line(b"OK"), Err(ParseError::BadStatus));
        assert_eq!(
            parse_status_line(b"-ERR [SYS/TEMP"),
            Err(ParseError::BadRespCode)
        );
        assert_eq!(
            parse_status_line(b"-ERR [SYS//TEMP] x"),
            Err(ParseError::BadRespCode)
        );
        assert_eq!(
            parse_status_line(b"-ERR [] x"),
            Err(ParseError::BadRespCode)
        );
    }

    #[test]
    fn rfc1939_list_uidl_stat_entries() {
        assert_eq!(
            parse_list_entry(b"2 200"),
            Ok(ListEntry {
                msg: m(2),
                octets: 200
            })
        );
        assert_eq!(
            parse_uidl_entry(b"2 QhdPYR:00WBw1Ph7x7"),
            Ok(UidlEntry {
                msg: m(2),
                uid: "QhdPYR:00WBw1Ph7x7".into()
            })
        );
        assert_eq!(parse_stat(b"2 320"), Ok((2, 320)));
        assert!(parse_stat(b"2").is_err());
        assert!(parse_list_entry(b"0 1").is_err());
        assert!(parse_uidl_entry(b"1 \x01").is_err());
        assert!(parse_uidl_entry(b"1").is_err());
    }

    #[test]
    fn rfc2449_6_capa_example_lines() {
        assert_eq!(parse_capability(b"TOP"), Ok(Capability::Top));
        assert_eq!(
            parse_capability(b"SASL CRAM-MD5 KERBEROS_V4"),
            Ok(Capability::Sasl(vec![
                "CRAM-MD5".into(),
                "KERBEROS_V4".into()
            ]))
        );
        assert_eq!(
            parse_capability(b"LOGIN-DELAY 900"),
            Ok(Capability::LoginDelay {
                seconds: 900,
                per_user: false
            })
        );
        assert_eq!(
            parse_capability(b"EXPIRE 60"),
            Ok(Capability::Expire(Expire::Days(60)))
        );
        assert_eq!(
            parse_capability(b"EXPIRE NEVER"),
            Ok(Capability::Expire(Expire::Never))
        );
        assert_eq!(
            parse_capability(b"IMPLEMENTATION Shlemazle-Plotz-v302"),
            Ok(Capability::Implementation("Shlemazle-Plotz-v302".into()))
        );
        assert_eq!(
            parse_capability(b"X-FOO a b"),
            Ok(Capability::Other {
                name: "X-FOO".into(),
                params: vec!["a".into(), "b".into()]
            })
        );
        assert!(parse_capability(b"").is_err());
        assert!(parse_capability(b"LOGIN-DELAY x").is_err());
        assert!(parse_capability(b"TOP  X").is_err());
    }

    #[test]
    fn continuation_lines() {
        assert_eq!(parse_continuation(b"+ "), Some(&b""[..]));
        assert_eq!(parse_continuation(b"+"), Some(&b""[..]));
        assert_eq!(parse_continuation(b"+ YWJj"), Some(&b"YWJj"[..]));
        assert_eq!(parse_continuation(b"+OK"), None);
    }
}
