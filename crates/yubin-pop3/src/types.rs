//! POP3 values: commands, replies, response codes, capabilities.

use std::num::NonZeroU32;

use yubin_sasl::Secret;

use crate::apop::Digest;

/// A message number: 1-based, as RFC 1939 §3 numbers the maildrop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MsgNum(NonZeroU32);

impl MsgNum {
    /// `None` for 0, which names no message.
    pub fn new(n: u32) -> Option<Self> {
        NonZeroU32::new(n).map(Self)
    }

    /// The number, at least 1.
    pub fn get(self) -> u32 {
        self.0.get()
    }

    /// The 0-based index into the maildrop snapshot.
    pub fn index(self) -> usize {
        // u32 always fits in usize on the platforms Rust's std supports
        // for this crate (16-bit targets have no std networking use here).
        usize::try_from(self.0.get() - 1).unwrap_or(usize::MAX)
    }
}

impl std::fmt::Display for MsgNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The client's optional initial response to `AUTH` (RFC 5034 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialResponse {
    /// `=`: a present but empty response.
    Empty,
    /// Base64 text, as sent (decoded by the session).
    Base64(String),
}

/// A client command (RFC 1939 §4-§7, RFC 2449, RFC 2595, RFC 5034, RFC 6856).
///
/// `PartialEq` compares passwords too (it is meant for tests and logs of
/// parsed values; credential checks go through the session's events).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Command {
    /// `USER name`.
    User(String),
    /// `PASS string`: everything after `PASS ` is the password, spaces included.
    Pass(Secret<String>),
    /// `APOP name digest`.
    Apop {
        /// The mailbox name.
        name: String,
        /// MD5(timestamp + secret).
        digest: Digest,
    },
    /// `AUTH mechanism [initial-response]`.
    Auth {
        /// The SASL mechanism name, upper-cased.
        mechanism: String,
        /// The initial response, if the client sent one.
        initial: Option<InitialResponse>,
    },
    /// `STAT`.
    Stat,
    /// `LIST [msg]`.
    List(Option<MsgNum>),
    /// `RETR msg`.
    Retr(MsgNum),
    /// `DELE msg`.
    Dele(MsgNum),
    /// `NOOP`.
    Noop,
    /// `RSET`.
    Rset,
    /// `QUIT`.
    Quit,
    /// `TOP msg n`.
    Top {
        /// The message.
        msg: MsgNum,
        /// Body lines to send after the header.
        lines: u32,
    },
    /// `UIDL [msg]`.
    Uidl(Option<MsgNum>),
    /// `CAPA`.
    Capa,
    /// `STLS`.
    Stls,
    /// `UTF8`.
    Utf8,
}

impl PartialEq for Command {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Command::User(a), Command::User(b)) => a == b,
            (Command::Pass(a), Command::Pass(b)) => a.expose() == b.expose(),
            (
                Command::Apop { name, digest },
                Command::Apop {
                    name: n2,
                    digest: d2,
                },
            ) => name == n2 && digest == d2,
            (
                Command::Auth { mechanism, initial },
                Command::Auth {
                    mechanism: m2,
                    initial: i2,
                },
            ) => mechanism == m2 && initial == i2,
            (Command::List(a), Command::List(b)) | (Command::Uidl(a), Command::Uidl(b)) => a == b,
            (Command::Retr(a), Command::Retr(b)) | (Command::Dele(a), Command::Dele(b)) => a == b,
            (Command::Top { msg, lines }, Command::Top { msg: m2, lines: l2 }) => {
                msg == m2 && lines == l2
            }
            (Command::Stat, Command::Stat)
            | (Command::Noop, Command::Noop)
            | (Command::Rset, Command::Rset)
            | (Command::Quit, Command::Quit)
            | (Command::Capa, Command::Capa)
            | (Command::Stls, Command::Stls)
            | (Command::Utf8, Command::Utf8) => true,
            _ => false,
        }
    }
}

impl Eq for Command {}

impl Command {
    /// The command's keyword, upper case.
    pub fn keyword(&self) -> &'static str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Apop { .. } => "APOP",
            Command::Auth { .. } => "AUTH",
            Command::Stat => "STAT",
            Command::List(_) => "LIST",
            Command::Retr(_) => "RETR",
            Command::Dele(_) => "DELE",
            Command::Noop => "NOOP",
            Command::Rset => "RSET",
            Command::Quit => "QUIT",
            Command::Top { .. } => "TOP",
            Command::Uidl(_) => "UIDL",
            Command::Capa => "CAPA",
            Command::Stls => "STLS",
            Command::Utf8 => "UTF8",
        }
    }
}

/// `+OK` or `-ERR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `+OK`.
    Ok,
    /// `-ERR`.
    Err,
}

/// An extended response code (RFC 2449 §8, RFC 3206, RFC 6856 §5).
///
/// An open code space: any `resp-level *("/" resp-level)` is representable;
/// the known codes are constants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RespCode(String);

impl RespCode {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449 §8.1.2).
    pub const IN_USE: &'static str = "IN-USE";
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 §8.1.1).
    pub const LOGIN_DELAY: &'static str = "LOGIN-DELAY";
    /// `[SYS/TEMP]`: a temporary system problem (RFC 3206 §4).
    pub const SYS_TEMP: &'static str = "SYS/TEMP";
    /// `[SYS/PERM]`: a permanent system problem (RFC 3206 §4).
    pub const SYS_PERM: &'static str = "SYS/PERM";
    /// `[AUTH]`: the credentials were wrong (RFC 3206 §5).
    pub const AUTH: &'static str = "AUTH";
    /// `[UTF8]`: the failure is due to UTF-8 (RFC 6856 §5).
    pub const UTF8: &'static str = "UTF8";

    /// A code from its text, e.g. `"SYS/TEMP"`; `None` unless it matches
    /// `resp-level *("/" resp-level)` with `resp-level = 1*rchar`.
    pub fn new(code: &str) -> Option<Self> {
        let rchar = |b: u8| (0x21..=0x7f).contains(&b) && b != b'/' && b != b']';
        let valid = !code.is_empty()
            && code
                .split('/')
                .all(|level| !level.is_empty() && level.bytes().all(rchar));
        valid.then(|| Self(code.to_owned()))
    }

    /// A known code constant (they are all valid).
    pub fn known(code: &'static str) -> Self {
        Self(code.to_owned())
    }

    /// `[IN-USE]`.
    pub fn in_use() -> Self {
        Self::known(Self::IN_USE)
    }
    /// `[LOGIN-DELAY]`.
    pub fn login_delay() -> Self {
        Self::known(Self::LOGIN_DELAY)
    }
    /// `[SYS/TEMP]`.
    pub fn sys_temp() -> Self {
        Self::known(Self::SYS_TEMP)
    }
    /// `[SYS/PERM]`.
    pub fn sys_perm() -> Self {
        Self::known(Self::SYS_PERM)
    }
    /// `[AUTH]`.
    pub fn auth() -> Self {
        Self::known(Self::AUTH)
    }

    /// The code's text, without brackets.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A single-line reply: status, optional response code, text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// `+OK` or `-ERR`.
    pub status: Status,
    /// The `[CODE]` after the status, if any.
    pub code: Option<RespCode>,
    /// The human-readable text. CR and LF are replaced by spaces when encoded.
    pub text: String,
}

impl Reply {
    /// `+OK text`.
    pub fn ok(text: impl Into<String>) -> Self {
        Self {
            status: Status::Ok,
            code: None,
            text: text.into(),
        }
    }

    /// `-ERR text`.
    pub fn err(text: impl Into<String>) -> Self {
        Self {
            status: Status::Err,
            code: None,
            text: text.into(),
        }
    }

    /// `-ERR [code] text`.
    pub fn err_code(code: RespCode, text: impl Into<String>) -> Self {
        Self {
            status: Status::Err,
            code: Some(code),
            text: text.into(),
        }
    }

    /// True for `+OK`.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }
}

/// The argument of the `EXPIRE` capability (RFC 2449 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expire {
    /// `EXPIRE NEVER`: the server never deletes messages on its own.
    Never,
    /// `EXPIRE n`: messages may be deleted `n` days after retrieval.
    Days(u32),
    /// `EXPIRE n USER`: the policy varies per user; `n` is the least.
    DaysPerUser(u32),
}

/// One line of a `CAPA` response (RFC 2449 §6, RFC 2595 §4, RFC 5034, RFC 6856).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Capability {
    /// `TOP`.
    Top,
    /// `USER`.
    User,
    /// `SASL mech...`.
    Sasl(Vec<String>),
    /// `RESP-CODES`.
    RespCodes,
    /// `LOGIN-DELAY n` (seconds), optionally `USER`.
    LoginDelay {
        /// The least delay between logins, in seconds.
        seconds: u32,
        /// True when the delay varies per user.
        per_user: bool,
    },
    /// `PIPELINING`.
    Pipelining,
    /// `EXPIRE ...`.
    Expire(Expire),
    /// `UIDL`.
    Uidl,
    /// `IMPLEMENTATION text`.
    Implementation(String),
    /// `STLS`.
    Stls,
    /// `AUTH-RESP-CODE` (RFC 3206 §6).
    AuthRespCode,
    /// `UTF8`, optionally `UTF8 USER` (RFC 6856 §2).
    Utf8 {
        /// The server accepts UTF-8 user names before `UTF8`.
        user: bool,
    },
    /// Any other capability, kept as sent.
    Other {
        /// The tag, upper-cased.
        name: String,
        /// The parameters.
        params: Vec<String>,
    },
}

/// One `n size` line of a `LIST` response, or the `LIST n` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListEntry {
    /// The message number.
    pub msg: MsgNum,
    /// Its size in octets.
    pub octets: u64,
}

/// One `n uid` line of a `UIDL` response, or the `UIDL n` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidlEntry {
    /// The message number.
    pub msg: MsgNum,
    /// Its unique id: 1 to 70 octets of 0x21-0x7E (RFC 1939 §7).
    pub uid: String,
}

/// Checks a unique id: 1 to 70 octets in 0x21-0x7E (RFC 1939 §7, UIDL).
pub fn valid_uid(uid: &str) -> bool {
    (1..=70).contains(&uid.len()) && uid.bytes().all(|b| (0x21..=0x7e).contains(&b))
}
