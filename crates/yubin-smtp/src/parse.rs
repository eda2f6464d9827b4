//! Parsing: command lines (server side) and reply lines (client side).
//!
//! Hand-written over byte slices (no allocation until a value is built).
//! Lines are handed in without their CRLF; framing is yubin-wire's
//! `LineFramer`. Every error maps to the reply the server sends
//! ([`ParseError::reply`]).

use std::borrow::Cow;

use crate::types::{
    AddressLiteral, BodyType, Command, Domain, EnhancedCode, ForwardPath, Host, MailParams,
    MailboxRef, Notify, Orcpt, RcptParams, Reply, ReplyCode, Ret, ReversePath,
};

/// Why a command or reply line was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The verb is not an SMTP command this crate knows.
    #[error("command unrecognized")]
    UnknownCommand,
    /// The line exceeded the command line limit.
    #[error("line too long")]
    LineTooLong,
    /// The arguments of a known verb do not match its syntax.
    #[error("syntax error in arguments of {0}")]
    BadArguments(&'static str),
    /// The reverse path of MAIL FROM is malformed.
    #[error("bad sender address syntax")]
    BadReversePath,
    /// The forward path of RCPT TO is malformed.
    #[error("bad recipient address syntax")]
    BadForwardPath,
    /// A mailbox is malformed.
    #[error("bad address syntax")]
    BadAddress,
    /// A domain or address literal is malformed.
    #[error("bad domain syntax")]
    BadDomain,
    /// An ESMTP parameter this crate does not know.
    #[error("unrecognized parameter {0}")]
    UnknownParameter(String),
    /// A known ESMTP parameter with a bad or missing value.
    #[error("bad value for parameter {0}")]
    BadParameter(&'static str),
    /// The same ESMTP parameter twice.
    #[error("duplicate parameter {0}")]
    DuplicateParameter(&'static str),
    /// A reply line that does not match `Reply-code [("-" / SP) textstring]`.
    #[error("malformed reply line")]
    BadReply,
    /// A continuation line of a reply carries a different code.
    #[error("reply code changed inside a multi-line reply")]
    ReplyCodeMismatch,
}

impl ParseError {
    /// The reply a server sends for this error (RFC 5321 §4.2.3, RFC 3463).
    pub fn reply(&self) -> Reply {
        let (code, enh, text): (ReplyCode, EnhancedCode, Cow<'static, str>) = match self {
            Self::UnknownCommand => (
                ReplyCode::SYNTAX_ERROR,
                EnhancedCode::SYNTAX,
                "Command unrecognized".into(),
            ),
            Self::LineTooLong => (
                ReplyCode::SYNTAX_ERROR,
                EnhancedCode::SYNTAX,
                "Line too long".into(),
            ),
            Self::BadArguments(verb) => (
                ReplyCode::PARAM_SYNTAX_ERROR,
                EnhancedCode::INVALID_ARGUMENTS,
                format!("Syntax error in {verb} arguments").into(),
            ),
            Self::BadReversePath => (
                ReplyCode::PARAM_SYNTAX_ERROR,
                EnhancedCode::BAD_SENDER_SYNTAX,
                "Bad sender address syntax".into(),
            ),
            Self::BadForwardPath | Self::BadAddress => (
                ReplyCode::PARAM_SYNTAX_ERROR,
                EnhancedCode::BAD_DEST_SYNTAX,
                "Bad recipient address syntax".into(),
            ),
            Self::BadDomain => (
                ReplyCode::PARAM_SYNTAX_ERROR,
                EnhancedCode::INVALID_ARGUMENTS,
                "Bad domain or address literal".into(),
            ),
            Self::UnknownParameter(_) => (
                ReplyCode::PARAMS_NOT_RECOGNIZED,
                EnhancedCode::INVALID_ARGUMENTS,
                "Unsupported parameter".into(),
            ),
            Self::BadParameter(p) => (
                ReplyCode::PARAM_SYNTAX_ERROR,
                EnhancedCode::INVALID_ARGUMENTS,
                format!("Bad {p} parameter").into(),
            ),
            Self::DuplicateParameter(p) => (
                ReplyCode::PARAM_SYNTAX_ERROR,
                EnhancedCode::INVALID_ARGUMENTS,
                format!("Duplicate {p} parameter").into(),
            ),
            Self::BadReply | Self::ReplyCodeMismatch => (
                ReplyCode::SYNTAX_ERROR,
                EnhancedCode::SYNTAX,
                "Syntax error".into(),
            ),
        };
        Reply::with_enhanced(code, enh, text)
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// Parses one command line (CRLF already removed).
///
/// Verbs are case-insensitive; trailing spaces are ignored. Whitespace after
/// `FROM:` / `TO:` is tolerated (common client practice; the path itself is
/// strict).
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    parse_command_ref(line).map(CommandRef::into_owned)
}

/// A parsed command that borrows its addresses from the line: MAIL and
/// RCPT, the commands a busy server parses most, need no allocation; every
/// other command comes owned. [`parse_command`] is this plus
/// [`CommandRef::into_owned`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandRef<'a> {
    /// `MAIL FROM:<path> [params]`; `None` is the null path `<>`.
    Mail {
        /// The reverse path.
        from: Option<MailboxRef<'a>>,
        /// ESMTP parameters.
        params: MailParams,
    },
    /// `RCPT TO:<path> [params]`; `None` is `<Postmaster>` without a domain.
    Rcpt {
        /// The forward path.
        to: Option<MailboxRef<'a>>,
        /// ESMTP parameters.
        params: RcptParams,
    },
    /// Any other command.
    Other(Command),
}

impl CommandRef<'_> {
    /// The owned [`Command`].
    pub fn into_owned(self) -> Command {
        match self {
            Self::Mail { from, params } => Command::Mail {
                from: from.map_or(ReversePath::Null, |m| ReversePath::Mailbox(m.to_owned())),
                params,
            },
            Self::Rcpt { to, params } => Command::Rcpt {
                to: to.map_or(ForwardPath::Postmaster, |m| {
                    ForwardPath::Mailbox(m.to_owned())
                }),
                params,
            },
            Self::Other(c) => c,
        }
    }
}

/// Parses one command line (CRLF already removed) without copying the
/// addresses of MAIL and RCPT; see [`parse_command`] for the syntax rules.
pub fn parse_command_ref(line: &[u8]) -> Result<CommandRef<'_>, ParseError> {
    let line = trim_end_sp(line);
    let (verb, rest) = match memchr::memchr(b' ', line) {
        Some(i) => (line.get(..i).unwrap_or_default(), line.get(i + 1..)),
        None => (line, None),
    };
    let other = |c: Result<Command, ParseError>| c.map(CommandRef::Other);
    match verb.len() {
        4 => {
            let mut v = [0u8; 4];
            v.copy_from_slice(verb);
            v.make_ascii_uppercase();
            match &v {
                b"MAIL" => parse_mail(rest),
                b"RCPT" => parse_rcpt(rest),
                b"DATA" => other(no_args(rest, Command::Data, "DATA")),
                b"BDAT" => other(parse_bdat(rest)),
                b"RSET" => other(no_args(rest, Command::Rset, "RSET")),
                b"NOOP" => other(opt_string(rest, "NOOP").map(Command::Noop)),
                b"QUIT" => other(no_args(rest, Command::Quit, "QUIT")),
                b"EHLO" => other(parse_host(rest, "EHLO").map(Command::Ehlo)),
                b"HELO" => other(parse_host(rest, "HELO").map(Command::Helo)),
                b"LHLO" => other(parse_host(rest, "LHLO").map(Command::Lhlo)),
                b"VRFY" => other(req_string(rest, "VRFY").map(Command::Vrfy)),
                b"EXPN" => other(req_string(rest, "EXPN").map(Command::Expn)),
                b"HELP" => other(opt_string(rest, "HELP").map(Command::Help)),
                b"AUTH" => other(parse_auth(rest)),
                _ => Err(ParseError::UnknownCommand),
            }
        }
        8 if verb.eq_ignore_ascii_case(b"STARTTLS") => {
            other(no_args(rest, Command::StartTls, "STARTTLS"))
        }
        7 if verb.eq_ignore_ascii_case(b"XCLIENT") => other(parse_xclient(rest)),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// `XCLIENT attribute-name=attribute-value ...`: one or more attributes;
/// a name is letters, a value xtext (decoded here). Which names the server
/// takes is its own check.
fn parse_xclient(rest: Option<&[u8]>) -> Result<Command, ParseError> {
    let bad = ParseError::BadArguments("XCLIENT");
    let mut attrs = Vec::new();
    for word in rest.unwrap_or_default().split(|&b| b == b' ') {
        if word.is_empty() {
            continue;
        }
        let eq = memchr::memchr(b'=', word).ok_or(bad.clone())?;
        let (name, value) = (
            word.get(..eq).unwrap_or_default(),
            word.get(eq + 1..).unwrap_or_default(),
        );
        if name.is_empty() || !name.iter().all(u8::is_ascii_alphabetic) {
            return Err(bad);
        }
        let value = xtext_decode(value).ok_or(bad.clone())?;
        attrs.push((String::from_utf8_lossy(name).to_ascii_uppercase(), value));
    }
    if attrs.is_empty() {
        return Err(bad);
    }
    Ok(Command::Xclient(attrs))
}

fn trim_end_sp(mut s: &[u8]) -> &[u8] {
    while let Some((b' ', head)) = s.split_last() {
        s = head;
    }
    s
}

fn no_args(rest: Option<&[u8]>, cmd: Command, verb: &'static str) -> Result<Command, ParseError> {
    match rest {
        None => Ok(cmd),
        Some(r) if r.iter().all(|&b| b == b' ') => Ok(cmd),
        Some(_) => Err(ParseError::BadArguments(verb)),
    }
}

fn text_arg(r: &[u8], verb: &'static str) -> Result<String, ParseError> {
    let r = trim_start_sp(r);
    if r.is_empty() || r.iter().any(|&b| b < 0x20 && b != b'\t' || b == 0x7f) {
        return Err(ParseError::BadArguments(verb));
    }
    std::str::from_utf8(r)
        .map(str::to_owned)
        .map_err(|_| ParseError::BadArguments(verb))
}

fn opt_string(rest: Option<&[u8]>, verb: &'static str) -> Result<Option<String>, ParseError> {
    match rest {
        None => Ok(None),
        Some(r) if r.iter().all(|&b| b == b' ') => Ok(None),
        Some(r) => text_arg(r, verb).map(Some),
    }
}

fn req_string(rest: Option<&[u8]>, verb: &'static str) -> Result<String, ParseError> {
    text_arg(rest.ok_or(ParseError::BadArguments(verb))?, verb)
}

fn trim_start_sp(mut s: &[u8]) -> &[u8] {
    while let Some((b' ', tail)) = s.split_first() {
        s = tail;
    }
    s
}

fn parse_host(rest: Option<&[u8]>, verb: &'static str) -> Result<Host, ParseError> {
    let r = trim_start_sp(rest.ok_or(ParseError::BadArguments(verb))?);
    host(r)
}

/// Parses a domain or an address literal, the whole slice.
pub(crate) fn host(r: &[u8]) -> Result<Host, ParseError> {
    if r.first() == Some(&b'[') {
        address_literal(r).map(Host::Literal)
    } else if is_domain(r) {
        let s = std::str::from_utf8(r).map_err(|_| ParseError::BadDomain)?;
        Ok(Host::Domain(Domain::new_unchecked(s)))
    } else {
        Err(ParseError::BadDomain)
    }
}

fn parse_bdat(rest: Option<&[u8]>) -> Result<Command, ParseError> {
    const E: ParseError = ParseError::BadArguments("BDAT");
    let r = rest.ok_or(E)?;
    let (num, last) = match memchr::memchr(b' ', r) {
        Some(i) => {
            let tail = trim_start_sp(r.get(i + 1..).unwrap_or_default());
            if !tail.eq_ignore_ascii_case(b"LAST") {
                return Err(E);
            }
            (r.get(..i).unwrap_or_default(), true)
        }
        None => (r, false),
    };
    let size = parse_u64(num).ok_or(E)?;
    Ok(Command::Bdat { size, last })
}

/// `1*DIGIT` into a u64, refusing overflow and more than 20 digits.
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

fn parse_auth(rest: Option<&[u8]>) -> Result<Command, ParseError> {
    const E: ParseError = ParseError::BadArguments("AUTH");
    let r = rest.ok_or(E)?;
    let (mech, initial) = match memchr::memchr(b' ', r) {
        Some(i) => (r.get(..i).unwrap_or_default(), r.get(i + 1..)),
        None => (r, None),
    };
    // sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_") (RFC 4422 §3.1), case-folded.
    if mech.is_empty()
        || mech.len() > 20
        || !mech
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(E);
    }
    let mechanism = ascii_upper(mech);
    let initial = match initial {
        None => None,
        Some(ir) => {
            if ir == b"=" || is_base64(ir) {
                Some(ascii_string(ir))
            } else {
                return Err(E);
            }
        }
    };
    Ok(Command::Auth { mechanism, initial })
}

fn ascii_upper(s: &[u8]) -> String {
    s.iter()
        .map(|&b| char::from(b.to_ascii_uppercase()))
        .collect()
}

fn ascii_string(s: &[u8]) -> String {
    s.iter().map(|&b| char::from(b)).collect()
}

/// `base64 = base64-terminal / ( 1*(4base64-char) [base64-terminal] )`.
pub(crate) fn is_base64(s: &[u8]) -> bool {
    if s.is_empty() || !s.len().is_multiple_of(4) {
        return false;
    }
    let body = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    body.iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn parse_mail(rest: Option<&[u8]>) -> Result<CommandRef<'_>, ParseError> {
    const E: ParseError = ParseError::BadArguments("MAIL");
    let r = rest.ok_or(E)?;
    let r = strip_prefix_ci(r, b"FROM:").ok_or(E)?;
    let r = trim_start_sp(r);
    let (from, after) = path(r).ok_or(ParseError::BadReversePath)?;
    let mut params = MailParams::default();
    for_each_param(after, "MAIL", |k, v| mail_param(&mut params, k, v))?;
    Ok(CommandRef::Mail { from, params })
}

fn parse_rcpt(rest: Option<&[u8]>) -> Result<CommandRef<'_>, ParseError> {
    const E: ParseError = ParseError::BadArguments("RCPT");
    let r = rest.ok_or(E)?;
    let r = strip_prefix_ci(r, b"TO:").ok_or(E)?;
    let r = trim_start_sp(r);
    let postmaster = r.get(1).is_some_and(|&c| c | 0x20 == b'p');
    let (to, after) = if let Some(tail) = postmaster
        .then(|| strip_prefix_ci(r, b"<postmaster>"))
        .flatten()
    {
        (None, tail)
    } else {
        match path(r).ok_or(ParseError::BadForwardPath)? {
            (Some(m), after) => (Some(m), after),
            (None, _) => return Err(ParseError::BadForwardPath),
        }
    };
    let mut params = RcptParams::default();
    for_each_param(after, "RCPT", |k, v| rcpt_param(&mut params, k, v))?;
    Ok(CommandRef::Rcpt { to, params })
}

fn strip_prefix_ci<'a>(s: &'a [u8], p: &[u8]) -> Option<&'a [u8]> {
    let head = s.get(..p.len())?;
    if head.eq_ignore_ascii_case(p) {
        s.get(p.len()..)
    } else {
        None
    }
}

/// Parses `"<>"` or `"<" [A-d-l ":"] Mailbox ">"`; returns the mailbox
/// (None for `<>`) and the rest of the line.
fn path(r: &[u8]) -> Option<(Option<MailboxRef<'_>>, &[u8])> {
    let mut r = r.strip_prefix(b"<")?;
    if let Some(tail) = r.strip_prefix(b">") {
        return Some((None, tail));
    }
    // A-d-l = At-domain *( "," At-domain ) ":" — accepted and ignored.
    if r.first() == Some(&b'@') {
        let colon = memchr::memchr(b':', r)?;
        let adl = r.get(..colon)?;
        for at_domain in adl.split(|&b| b == b',') {
            let d = at_domain.strip_prefix(b"@")?;
            if !is_domain(d) {
                return None;
            }
        }
        r = r.get(colon + 1..)?;
    }
    let (at, len) = mailbox_prefix(r)?;
    let mb = r.get(..len)?;
    let tail = r.get(len..)?.strip_prefix(b">")?;
    let text = std::str::from_utf8(mb).ok()?;
    Some((Some(MailboxRef::from_checked(text, at)), tail))
}

/// Checks a whole mailbox; returns the index of its `@`.
pub(crate) fn mailbox_at(s: &[u8]) -> Option<usize> {
    let (at, len) = mailbox_prefix(s)?;
    (len == s.len() && std::str::from_utf8(s).is_ok()).then_some(at)
}

/// Scans `Local-part "@" (Domain / address-literal)` at the start of `s`;
/// returns (index of `@`, length). UTF-8 validity is the caller's check
/// (every caller turns the mailbox into a `str`).
fn mailbox_prefix(s: &[u8]) -> Option<(usize, usize)> {
    let at = local_part_len(s)?;
    if at == 0 || s.get(at) != Some(&b'@') {
        return None;
    }
    let dom = s.get(at + 1..)?;
    let dlen = if dom.first() == Some(&b'[') {
        let end = memchr::memchr(b']', dom)?;
        address_literal(dom.get(..=end)?).ok()?;
        end + 1
    } else {
        let end = domain_len(dom)?;
        // A domain ends the mailbox: only `>`, a space or the end may follow.
        if !matches!(dom.get(end), None | Some(b'>' | b' ')) {
            return None;
        }
        end
    };
    Some((at, at + 1 + dlen))
}

// Character classes, one table lookup per octet.
const ATEXT: u8 = 1; // RFC 5322 atext, plus UTF-8 octets (RFC 6531)
const QTEXT: u8 = 4; // qtextSMTP, plus UTF-8 octets
const LDH: u8 = 2; // ALPHA / DIGIT / "-", plus UTF-8 octets (U-labels)

#[allow(clippy::indexing_slicing)] // c < 256 indexes a 256-entry table
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0usize;
    while c < 256 {
        let b = c as u8;
        let mut k = 0;
        if b.is_ascii_alphanumeric() || b >= 0x80 {
            k |= ATEXT | LDH;
        }
        if b == b'-' {
            k |= LDH;
        }
        if matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        ) {
            k |= ATEXT;
        }
        if b == 32 || b == 33 || (b >= 35 && b <= 91) || (b >= 93 && b <= 126) || b >= 0x80 {
            k |= QTEXT;
        }
        t[c] = k;
        c += 1;
    }
    t
};

#[allow(clippy::indexing_slicing)] // a u8 indexes a 256-entry table
fn class(c: u8) -> u8 {
    CLASS[usize::from(c)]
}

/// Length of the `Local-part` (Dot-string or Quoted-string) at the start of `s`.
fn local_part_len(s: &[u8]) -> Option<usize> {
    if s.first() == Some(&b'"') {
        let mut i = 1;
        loop {
            match *s.get(i)? {
                b'"' => return Some(i + 1),
                b'\\' => {
                    let c = *s.get(i + 1)?;
                    if !(32..=126).contains(&c) {
                        return None;
                    }
                    i += 2;
                }
                c if class(c) & QTEXT != 0 => i += 1,
                _ => return None,
            }
        }
    } else {
        // Dot-string = Atom *("." Atom): runs of atext joined by single dots.
        let mut i = 0;
        loop {
            let rest = s.get(i..)?;
            let run = rest
                .iter()
                .position(|&c| class(c) & ATEXT == 0)
                .unwrap_or(rest.len());
            if run == 0 {
                return None;
            }
            i += run;
            if rest.get(run) != Some(&b'.') {
                return Some(i);
            }
            i += 1;
        }
    }
}

/// Length of the `Domain` (`sub-domain *("." sub-domain)`, each
/// `Let-dig [Ldh-str]`) at the start of `s`; at most 255 octets.
fn domain_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let rest = s.get(i..)?;
        let run = rest
            .iter()
            .position(|&c| class(c) & LDH == 0)
            .unwrap_or(rest.len());
        let label = rest.get(..run)?;
        match (label.first(), label.last()) {
            (Some(b'-'), _) | (_, Some(b'-')) | (None, _) => return None,
            _ => {}
        }
        i += run;
        if rest.get(run) != Some(&b'.') {
            return (i <= 255).then_some(i);
        }
        i += 1;
    }
}

/// `Domain = sub-domain *("." sub-domain)`; U-labels (non-ASCII) allowed.
pub(crate) fn is_domain(s: &[u8]) -> bool {
    domain_len(s) == Some(s.len()) && (s.is_ascii() || std::str::from_utf8(s).is_ok())
}

fn address_literal(s: &[u8]) -> Result<AddressLiteral, ParseError> {
    const E: ParseError = ParseError::BadDomain;
    let inner = s
        .strip_prefix(b"[")
        .and_then(|x| x.strip_suffix(b"]"))
        .ok_or(E)?;
    if let Some(v6) = strip_prefix_ci(inner, b"IPv6:") {
        let t = std::str::from_utf8(v6).map_err(|_| E)?;
        return t.parse().map(AddressLiteral::V6).map_err(|_| E);
    }
    if let Some(colon) = memchr::memchr(b':', inner) {
        let tag = inner.get(..colon).ok_or(E)?;
        let content = inner.get(colon + 1..).ok_or(E)?;
        let tag_ok = match (tag.first(), tag.last()) {
            (Some(f), Some(l)) => {
                f.is_ascii_alphanumeric()
                    && l.is_ascii_alphanumeric()
                    && tag.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            }
            _ => false,
        };
        let content_ok = !content.is_empty()
            && content
                .iter()
                .all(|&c| (33..=90).contains(&c) || (94..=126).contains(&c));
        if !tag_ok || !content_ok {
            return Err(E);
        }
        return Ok(AddressLiteral::General {
            tag: ascii_string(tag),
            content: ascii_string(content),
        });
    }
    // IPv4: exactly four 1-3 digit groups (RFC 5321 Snum).
    let t = std::str::from_utf8(inner).map_err(|_| E)?;
    if t.split('.').count() != 4 || t.split('.').any(|g| g.is_empty() || g.len() > 3) {
        return Err(E);
    }
    t.parse().map(AddressLiteral::V4).map_err(|_| E)
}

/// Splits `*(SP esmtp-param)` and calls `f(keyword, value)` for each.
fn for_each_param(
    after: &[u8],
    verb: &'static str,
    mut f: impl FnMut(&[u8], Option<&[u8]>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    if after.is_empty() {
        return Ok(());
    }
    let rest = after
        .strip_prefix(b" ")
        .ok_or(ParseError::BadArguments(verb))?;
    for p in rest.split(|&b| b == b' ').filter(|p| !p.is_empty()) {
        let (k, v) = match memchr::memchr(b'=', p) {
            Some(i) => (p.get(..i).unwrap_or_default(), p.get(i + 1..)),
            None => (p, None),
        };
        let kw_ok = match k.split_first() {
            Some((f0, tail)) => {
                f0.is_ascii_alphanumeric()
                    && tail.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            }
            None => false,
        };
        // esmtp-value = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)
        let v_ok = v.is_none_or(|v| {
            !v.is_empty()
                && v.iter()
                    .all(|&c| (33..=60).contains(&c) || (62..=126).contains(&c) || c >= 0x80)
        });
        if !kw_ok || !v_ok {
            return Err(ParseError::BadArguments(verb));
        }
        f(k, v)?;
    }
    Ok(())
}

fn set_once<T>(slot: &mut Option<T>, v: T, name: &'static str) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::DuplicateParameter(name));
    }
    *slot = Some(v);
    Ok(())
}

fn flag(slot: &mut bool, v: Option<&[u8]>, name: &'static str) -> Result<(), ParseError> {
    if v.is_some() {
        return Err(ParseError::BadParameter(name));
    }
    if *slot {
        return Err(ParseError::DuplicateParameter(name));
    }
    *slot = true;
    Ok(())
}

fn mail_param(p: &mut MailParams, k: &[u8], v: Option<&[u8]>) -> Result<(), ParseError> {
    if k.eq_ignore_ascii_case(b"SIZE") {
        let n = v
            .and_then(parse_u64)
            .ok_or(ParseError::BadParameter("SIZE"))?;
        set_once(&mut p.size, n, "SIZE")
    } else if k.eq_ignore_ascii_case(b"BODY") {
        let v = v.ok_or(ParseError::BadParameter("BODY"))?;
        let b = if v.eq_ignore_ascii_case(b"7BIT") {
            BodyType::SevenBit
        } else if v.eq_ignore_ascii_case(b"8BITMIME") {
            BodyType::EightBitMime
        } else if v.eq_ignore_ascii_case(b"BINARYMIME") {
            BodyType::BinaryMime
        } else {
            return Err(ParseError::BadParameter("BODY"));
        };
        set_once(&mut p.body, b, "BODY")
    } else if k.eq_ignore_ascii_case(b"SMTPUTF8") {
        flag(&mut p.smtputf8, v, "SMTPUTF8")
    } else if k.eq_ignore_ascii_case(b"REQUIRETLS") {
        flag(&mut p.requiretls, v, "REQUIRETLS")
    } else if k.eq_ignore_ascii_case(b"AUTH") {
        let v = v
            .and_then(xtext_decode)
            .ok_or(ParseError::BadParameter("AUTH"))?;
        if v != "<>" && mailbox_at(v.as_bytes()).is_none() {
            return Err(ParseError::BadParameter("AUTH"));
        }
        set_once(&mut p.auth, v, "AUTH")
    } else if k.eq_ignore_ascii_case(b"RET") {
        let v = v.ok_or(ParseError::BadParameter("RET"))?;
        let r = if v.eq_ignore_ascii_case(b"FULL") {
            Ret::Full
        } else if v.eq_ignore_ascii_case(b"HDRS") {
            Ret::Hdrs
        } else {
            return Err(ParseError::BadParameter("RET"));
        };
        set_once(&mut p.ret, r, "RET")
    } else if k.eq_ignore_ascii_case(b"ENVID") {
        let v = v
            .and_then(xtext_decode)
            .filter(|s| s.len() <= 100)
            .ok_or(ParseError::BadParameter("ENVID"))?;
        set_once(&mut p.envid, v, "ENVID")
    } else {
        Err(ParseError::UnknownParameter(
            String::from_utf8_lossy(k).into_owned(),
        ))
    }
}

fn rcpt_param(p: &mut RcptParams, k: &[u8], v: Option<&[u8]>) -> Result<(), ParseError> {
    if k.eq_ignore_ascii_case(b"NOTIFY") {
        let v = v.ok_or(ParseError::BadParameter("NOTIFY"))?;
        let n = if v.eq_ignore_ascii_case(b"NEVER") {
            Notify::Never
        } else {
            let (mut success, mut failure, mut delay) = (false, false, false);
            for w in v.split(|&b| b == b',') {
                let slot = if w.eq_ignore_ascii_case(b"SUCCESS") {
                    &mut success
                } else if w.eq_ignore_ascii_case(b"FAILURE") {
                    &mut failure
                } else if w.eq_ignore_ascii_case(b"DELAY") {
                    &mut delay
                } else {
                    return Err(ParseError::BadParameter("NOTIFY"));
                };
                if *slot {
                    return Err(ParseError::BadParameter("NOTIFY"));
                }
                *slot = true;
            }
            Notify::On {
                success,
                failure,
                delay,
            }
        };
        set_once(&mut p.notify, n, "NOTIFY")
    } else if k.eq_ignore_ascii_case(b"ORCPT") {
        const E: ParseError = ParseError::BadParameter("ORCPT");
        let v = v.ok_or(E)?;
        let semi = memchr::memchr(b';', v).ok_or(E)?;
        let t = v.get(..semi).ok_or(E)?;
        if t.is_empty() || !t.iter().all(|&c| class(c) & ATEXT != 0 && c.is_ascii()) {
            return Err(E);
        }
        let addr = xtext_decode(v.get(semi + 1..).ok_or(E)?).ok_or(E)?;
        if addr.is_empty() {
            return Err(E);
        }
        let o = Orcpt {
            addr_type: ascii_string(t),
            addr,
        };
        set_once(&mut p.orcpt, o, "ORCPT")
    } else {
        Err(ParseError::UnknownParameter(
            String::from_utf8_lossy(k).into_owned(),
        ))
    }
}

/// Decodes xtext (RFC 3461 §4): `"+" HEXCHAR HEXCHAR` escapes, other chars
/// `%d33-42 / %d44-60 / %d62-126` literal. `None` if malformed or not UTF-8.
pub fn xtext_decode(s: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = memchr::memchr(b'+', rest) {
        let (lit, tail) = rest.split_at_checked(i)?;
        check_xchars(lit)?;
        out.extend_from_slice(lit);
        let hex = tail.get(1..3)?;
        let hi = hex_val(*hex.first()?)?;
        let lo = hex_val(*hex.get(1)?)?;
        out.push(hi << 4 | lo);
        rest = tail.get(3..)?;
    }
    check_xchars(rest)?;
    out.extend_from_slice(rest);
    String::from_utf8(out).ok()
}

fn check_xchars(s: &[u8]) -> Option<()> {
    s.iter()
        .all(|&c| (33..=126).contains(&c) && c != b'=' && c != b'+')
        .then_some(())
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/// One reply line, split: `Reply-code ("-" / SP / end) [textstring]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyLine<'a> {
    /// The code.
    pub code: ReplyCode,
    /// True for the last line of a reply (`code SP` or bare `code`).
    pub last: bool,
    /// The text after the separator.
    pub text: &'a [u8],
}

/// Parses one reply line (CRLF removed).
pub fn parse_reply_line(line: &[u8]) -> Result<ReplyLine<'_>, ParseError> {
    let (d, rest) = line.split_first_chunk::<3>().ok_or(ParseError::BadReply)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::BadReply);
    }
    let n = u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0');
    let code = ReplyCode::new(n).ok_or(ParseError::BadReply)?;
    let (last, text) = match rest.split_first() {
        None => (true, rest),
        Some((b' ', t)) => (true, t),
        Some((b'-', t)) => (false, t),
        Some(_) => return Err(ParseError::BadReply),
    };
    // A branch-free fold over the text (it vectorises; `any` would not).
    if text.iter().fold(false, |bad, &c| {
        bad | (c < 0x20 && c != b'\t') | (c == 0x7f)
    }) {
        return Err(ParseError::BadReply);
    }
    Ok(ReplyLine { code, last, text })
}

/// A whole reply found in a buffer by [`parse_reply`], borrowed from it:
/// nothing is copied or allocated until [`ReplyView::to_reply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyView<'a> {
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
    raw: &'a [u8],
}

impl<'a> ReplyView<'a> {
    /// The reply code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code of the first line, when asked for and present.
    pub fn enhanced(&self) -> Option<EnhancedCode> {
        self.enhanced
    }

    /// The reply's octets as received, every line with its line end.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The text of each line, without code, separator, line end or the
    /// enhanced status code (where a line repeats the first line's).
    pub fn lines(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let (code, enh) = (self.code, self.enhanced);
        self.raw.split_inclusive(|&b| b == b'\n').map(move |l| {
            let text = strip_eol(l).get(4..).unwrap_or_default();
            match (enh, split_enhanced(code, text)) {
                (Some(e), Some((e2, t))) if e == e2 => t,
                _ => text,
            }
        })
    }

    /// The owned [`Reply`] (text decoded as UTF-8, lossily).
    pub fn to_reply(&self) -> Reply {
        let lines = self
            .lines()
            .map(|t| Cow::Owned(String::from_utf8_lossy(t).into_owned()))
            .collect();
        Reply::multiline(self.code, self.enhanced, lines)
    }
}

fn strip_eol(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Finds the first whole reply at the start of `buf` (lines ending in CRLF,
/// or a bare LF as lenient servers send), checks every line as
/// [`parse_reply_line`] does and that their codes agree, and returns it
/// with the number of octets it takes. `Ok(None)` means more input is
/// needed; the caller bounds how much it buffers (each call rescans an
/// incomplete reply from its start). With `enhanced`, a leading status
/// code is split off the text ([`split_enhanced`]).
pub fn parse_reply(
    buf: &[u8],
    enhanced: bool,
) -> Result<Option<(ReplyView<'_>, usize)>, ParseError> {
    let mut off = 0;
    let mut first: Option<(ReplyCode, Option<EnhancedCode>)> = None;
    loop {
        let rest = buf.get(off..).unwrap_or_default();
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            return Ok(None);
        };
        let rl = parse_reply_line(strip_eol(rest.get(..=nl).unwrap_or_default()))?;
        let (code, enh) = match first {
            None => {
                let enh = if enhanced {
                    split_enhanced(rl.code, rl.text).map(|(e, _)| e)
                } else {
                    None
                };
                *first.insert((rl.code, enh))
            }
            Some((c, _)) if c != rl.code => return Err(ParseError::ReplyCodeMismatch),
            Some(f) => f,
        };
        off += nl + 1;
        if rl.last {
            let raw = buf.get(..off).unwrap_or_default();
            return Ok(Some((
                ReplyView {
                    code,
                    enhanced: enh,
                    raw,
                },
                off,
            )));
        }
    }
}

/// Splits a leading enhanced status code (`d.d{1,3}.d{1,3}` then spaces)
/// off reply text; only when its class matches the reply code's class.
pub fn split_enhanced(code: ReplyCode, text: &[u8]) -> Option<(EnhancedCode, &[u8])> {
    // class "." subject "." detail, each 1-3 digits (the class exactly 1),
    // then a space or the end; one pass, no allocation.
    let (&c, rest) = text.split_first()?;
    let class = c.wrapping_sub(b'0');
    if class != code.class() {
        return None;
    }
    let (subject, rest) = dot_number(rest)?;
    let (detail, rest) = dot_number(rest)?;
    if !matches!(rest.first(), None | Some(b' ')) {
        return None;
    }
    Some((
        EnhancedCode::new(class, subject, detail)?,
        trim_start_sp(rest),
    ))
}

/// `"." 1*3DIGIT` at the start of `s`: the number and the rest.
fn dot_number(s: &[u8]) -> Option<(u16, &[u8])> {
    let s = s.strip_prefix(b".")?;
    let mut n = 0u16;
    let mut len = 0;
    for &b in s.iter().take(3) {
        if !b.is_ascii_digit() {
            break;
        }
        n = n * 10 + u16::from(b - b'0');
        len += 1;
    }
    if len == 0 {
        return None;
    }
    Some((n, s.get(len..)?))
}

/// Builds a [`Reply`] from its lines (each without CRLF), checking that
/// the codes agree and only the final line is marked last. With
/// `enhanced`, a leading status code on the first line is split off (and
/// the same code on later lines too).
pub fn reply_from_lines<'a>(
    lines: impl IntoIterator<Item = &'a [u8]>,
    enhanced: bool,
) -> Result<Reply, ParseError> {
    let mut code = None;
    let mut enh = None;
    let mut texts: Vec<Cow<'static, str>> = Vec::new();
    let mut done = false;
    for l in lines {
        if done {
            return Err(ParseError::BadReply);
        }
        let rl = parse_reply_line(l)?;
        match code {
            None => code = Some(rl.code),
            Some(c) if c != rl.code => return Err(ParseError::ReplyCodeMismatch),
            Some(_) => {}
        }
        let mut text = rl.text;
        if enhanced {
            if texts.is_empty() {
                if let Some((e, t)) = split_enhanced(rl.code, text) {
                    enh = Some(e);
                    text = t;
                }
            } else if let Some((_, t)) =
                split_enhanced(rl.code, text).filter(|(e, _)| Some(*e) == enh)
            {
                text = t;
            }
        }
        texts.push(String::from_utf8_lossy(text).into_owned().into());
        done = rl.last;
    }
    match (code, done) {
        (Some(c), true) => Ok(Reply::multiline(c, enh, texts)),
        _ => Err(ParseError::BadReply),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Mailbox;

    #[test]
    fn rfc5321_4_1_1_3_rcpt_borrows_its_address() {
        let line = b"RCPT TO:<Jones@XYZ.COM> NOTIFY=SUCCESS,FAILURE";
        let Ok(CommandRef::Rcpt {
            to: Some(m),
            params,
        }) = parse_command_ref(line)
        else {
            panic!("not a borrowed RCPT");
        };
        assert_eq!((m.local_part(), m.domain()), ("Jones", "XYZ.COM"));
        // The address is the line's own bytes, not a copy.
        assert_eq!(m.as_str().as_ptr(), line[9..].as_ptr());
        assert!(params.notify.is_some());
        assert_eq!(
            parse_command_ref(b"rcpt to:<Postmaster>"),
            Ok(CommandRef::Rcpt {
                to: None,
                params: RcptParams::default()
            })
        );
        assert_eq!(
            parse_command_ref(b"MAIL FROM:<>").map(CommandRef::into_owned),
            Ok(Command::Mail {
                from: ReversePath::Null,
                params: MailParams::default()
            })
        );
        assert_eq!(
            parse_command_ref(b"NOOP"),
            Ok(CommandRef::Other(Command::Noop(None)))
        );
    }

    #[test]
    fn rfc5321_4_2_1_multiline_reply_view() {
        let buf = b"250-First line\r\n250-2.0.0 Second line\r\n250 Last line\r\n220 more";
        let (v, used) = parse_reply(buf, true).unwrap().unwrap();
        assert_eq!(used, buf.len() - 8);
        assert_eq!(v.code(), ReplyCode::OK);
        assert_eq!(v.enhanced(), None);
        let lines: Vec<&[u8]> = v.lines().collect();
        assert_eq!(
            lines,
            [&b"First line"[..], b"2.0.0 Second line", b"Last line"]
        );
        assert_eq!(
            v.to_reply(),
            reply_from_lines(
                [
                    &b"250-First line"[..],
                    b"250-2.0.0 Second line",
                    b"250 Last line"
                ],
                true
            )
            .unwrap()
        );
        // Incomplete, a mismatched code, a bad line, bare LF endings.
        assert_eq!(parse_reply(b"250-First\r\n250 La", true).unwrap(), None);
        assert_eq!(parse_reply(b"", true).unwrap(), None);
        assert_eq!(
            parse_reply(b"250-a\r\n251 b\r\n", true),
            Err(ParseError::ReplyCodeMismatch)
        );
        assert_eq!(parse_reply(b"25x ok\r\n", true), Err(ParseError::BadReply));
        assert_eq!(
            parse_reply(b"250 a\x01b\r\n", true),
            Err(ParseError::BadReply)
        );
        let (v, used) = parse_reply(b"550 5.1.1 No such user\n", true)
            .unwrap()
            .unwrap();
        assert_eq!(used, 23);
        assert_eq!(v.enhanced(), EnhancedCode::new(5, 1, 1));
        assert_eq!(v.lines().collect::<Vec<_>>(), [&b"No such user"[..]]);
    }

    fn mb(s: &str) -> Mailbox {
        Mailbox::new(s).unwrap()
    }

    #[test]
    fn rfc5321_4_1_1_1_ehlo_domain_and_literals() {
        assert_eq!(
            parse_command(b"EHLO bar.com").unwrap(),
            Command::Ehlo(Host::Domain(Domain::new("bar.com").unwrap()))
        );
        assert_eq!(
            parse_command(b"ehlo [192.0.2.1]").unwrap(),
            Command::Ehlo(Host::Literal(AddressLiteral::V4(
                "192.0.2.1".parse().unwrap()
            )))
        );
        assert_eq!(
            parse_command(b"EHLO [IPv6:2001:db8::1]").unwrap(),
            Command::Ehlo(Host::Literal(AddressLiteral::V6(
                "2001:db8::1".parse().unwrap()
            )))
        );
        assert_eq!(
            parse_command(b"EHLO").unwrap_err(),
            ParseError::BadArguments("EHLO")
        );
        assert_eq!(
            parse_command(b"EHLO -bad").unwrap_err(),
            ParseError::BadDomain
        );
        assert_eq!(
            parse_command(b"EHLO a..b").unwrap_err(),
            ParseError::BadDomain
        );
        assert_eq!(
            parse_command(b"EHLO [1.2.3]").unwrap_err(),
            ParseError::BadDomain
        );
        assert_eq!(
            parse_command(b"EHLO [300.1.1.1]").unwrap_err(),
            ParseError::BadDomain
        );
    }

    #[test]
    fn rfc5321_4_1_1_2_mail_paths() {
        assert_eq!(
            parse_command(b"MAIL FROM:<Smith@bar.com>").unwrap(),
            Command::Mail {
                from: ReversePath::Mailbox(mb("Smith@bar.com")),
                params: MailParams::default()
            }
        );
        assert_eq!(
            parse_command(b"mail from:<>").unwrap(),
            Command::Mail {
                from: ReversePath::Null,
                params: MailParams::default()
            }
        );
        // Source route accepted and ignored (RFC 5321 §4.1.1.3, §C).
        assert_eq!(
            parse_command(b"MAIL FROM:<@a.org,@b.org:joe@c.org>").unwrap(),
            Command::Mail {
                from: ReversePath::Mailbox(mb("joe@c.org")),
                params: MailParams::default()
            }
        );
        // Quoted local part with a `>` and an escaped quote inside.
        let Command::Mail {
            from: ReversePath::Mailbox(m),
            ..
        } = parse_command(br#"MAIL FROM:<"a>b \"c"@x.org>"#).unwrap()
        else {
            panic!()
        };
        assert_eq!(m.local_part(), r#""a>b \"c""#);
        assert_eq!(m.domain(), "x.org");
        assert!(m.is_quoted());
        for bad in [
            &b"MAIL FROM:<a@>"[..],
            b"MAIL FROM:<@b.org>",
            b"MAIL FROM:<a.@b.org>",
            b"MAIL FROM:<a@b.org",
            b"MAIL FROM:a@b.org",
            b"MAIL FROM:<a b@b.org>",
        ] {
            assert_eq!(
                parse_command(bad).unwrap_err(),
                ParseError::BadReversePath,
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_command(b"MAIL TO:<a@b>").unwrap_err(),
            ParseError::BadArguments("MAIL")
        );
    }

    #[test]
    fn rfc6531_3_3_utf8_addresses() {
        let c = parse_command("MAIL FROM:<用户@例子.广告> SMTPUTF8".as_bytes()).unwrap();
        let Command::Mail {
            from: ReversePath::Mailbox(m),
            params,
        } = c
        else {
            panic!()
        };
        assert!(params.smtputf8);
        assert!(m.is_utf8());
        assert_eq!(m.domain(), "例子.广告");
        assert!(parse_command(b"MAIL FROM:<\xff@a.b>").is_err());
    }

    #[test]
    fn rfc5321_4_1_1_3_rcpt_postmaster() {
        assert_eq!(
            parse_command(b"RCPT TO:<Postmaster>").unwrap(),
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                params: RcptParams::default()
            }
        );
        assert_eq!(
            parse_command(b"RCPT TO:<>").unwrap_err(),
            ParseError::BadForwardPath
        );
        let c = parse_command(b"RCPT TO:<postmaster@x.org>").unwrap();
        let Command::Rcpt { to, .. } = c else {
            panic!()
        };
        assert!(to.is_postmaster());
    }

    #[test]
    fn rfc1870_6152_3461_4954_8689_mail_params() {
        let c = parse_command(
            b"MAIL FROM:<a@b.org> SIZE=1000 BODY=8bitmime RET=HDRS ENVID=QQ314159+2Bx AUTH=e+3Dmc2@example.com REQUIRETLS",
        )
        .unwrap();
        let Command::Mail { params, .. } = c else {
            panic!()
        };
        assert_eq!(params.size, Some(1000));
        assert_eq!(params.body, Some(BodyType::EightBitMime));
        assert_eq!(params.ret, Some(Ret::Hdrs));
        assert_eq!(params.envid.as_deref(), Some("QQ314159+x"));
        assert_eq!(params.auth.as_deref(), Some("e=mc2@example.com"));
        assert!(params.requiretls);
        assert_eq!(
            parse_command(b"MAIL FROM:<a@b.org> FOO=1").unwrap_err(),
            ParseError::UnknownParameter("FOO".into())
        );
        assert_eq!(
            parse_command(b"MAIL FROM:<a@b.org> SIZE=x").unwrap_err(),
            ParseError::BadParameter("SIZE")
        );
        assert_eq!(
            parse_command(b"MAIL FROM:<a@b.org> SIZE=1 SIZE=2").unwrap_err(),
            ParseError::DuplicateParameter("SIZE")
        );
        assert_eq!(
            parse_command(b"MAIL FROM:<a@b.org> ENVID=a+2x").unwrap_err(),
            ParseError::BadParameter("ENVID")
        );
        assert_eq!(
            parse_command(b"MAIL FROM:<a@b.org>SIZE=1").unwrap_err(),
            ParseError::BadArguments("MAIL")
        );
    }

    #[test]
    fn rfc3461_4_rcpt_params() {
        let c = parse_command(b"RCPT TO:<c@d.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c+2Bx@d.org")
            .unwrap();
        let Command::Rcpt { params, .. } = c else {
            panic!()
        };
        assert_eq!(
            params.notify,
            Some(Notify::On {
                success: true,
                failure: false,
                delay: true
            })
        );
        assert_eq!(params.orcpt.unwrap().addr, "c+x@d.org");
        assert!(parse_command(b"RCPT TO:<c@d.org> NOTIFY=NEVER,SUCCESS").is_err());
        assert!(parse_command(b"RCPT TO:<c@d.org> ORCPT=rfc822").is_err());
    }

    #[test]
    fn rfc3030_2_bdat() {
        assert_eq!(
            parse_command(b"BDAT 86 LAST").unwrap(),
            Command::Bdat {
                size: 86,
                last: true
            }
        );
        assert_eq!(
            parse_command(b"bdat 0").unwrap(),
            Command::Bdat {
                size: 0,
                last: false
            }
        );
        assert!(parse_command(b"BDAT").is_err());
        assert!(parse_command(b"BDAT 1 FIRST").is_err());
        assert!(parse_command(b"BDAT 99999999999999999999999").is_err());
    }

    #[test]
    fn rfc4954_4_auth() {
        assert_eq!(
            parse_command(b"AUTH plain dGVzdAB0ZXN0AHRlc3Q=").unwrap(),
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial: Some("dGVzdAB0ZXN0AHRlc3Q=".into())
            }
        );
        assert_eq!(
            parse_command(b"AUTH PLAIN =").unwrap(),
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial: Some("=".into())
            }
        );
        assert!(parse_command(b"AUTH PLAIN abc").is_err());
        assert!(parse_command(b"AUTH").is_err());
    }

    #[test]
    fn rfc5321_4_1_verbs_and_errors() {
        assert_eq!(parse_command(b"DATA").unwrap(), Command::Data);
        assert_eq!(parse_command(b"rset  ").unwrap(), Command::Rset);
        assert_eq!(parse_command(b"QUIT").unwrap(), Command::Quit);
        assert_eq!(parse_command(b"StartTLS").unwrap(), Command::StartTls);
        assert_eq!(parse_command(b"NOOP").unwrap(), Command::Noop(None));
        assert_eq!(
            parse_command(b"HELP mail").unwrap(),
            Command::Help(Some("mail".into()))
        );
        assert_eq!(
            parse_command(b"VRFY Smith").unwrap(),
            Command::Vrfy("Smith".into())
        );
        assert_eq!(
            parse_command(b"XYZZ").unwrap_err(),
            ParseError::UnknownCommand
        );
        assert_eq!(parse_command(b"").unwrap_err(), ParseError::UnknownCommand);
        assert_eq!(
            parse_command(b"DATA x").unwrap_err(),
            ParseError::BadArguments("DATA")
        );
        assert_eq!(
            parse_command(b"VRFY").unwrap_err(),
            ParseError::BadArguments("VRFY")
        );
        assert_eq!(ParseError::UnknownCommand.reply().code().get(), 500);
        assert_eq!(
            ParseError::UnknownParameter("X".into())
                .reply()
                .code()
                .get(),
            555
        );
    }

    #[test]
    fn rfc5321_4_2_reply_lines() {
        let r = reply_from_lines(
            [
                &b"250-foo.com greets bar.com"[..],
                b"250-8BITMIME",
                b"250 HELP",
            ],
            false,
        )
        .unwrap();
        assert_eq!(r.code(), ReplyCode::OK);
        assert_eq!(r.lines().len(), 3);
        assert_eq!(r.lines()[2], "HELP");
        let r = reply_from_lines([&b"550 5.1.1 No such user"[..]], true).unwrap();
        assert_eq!(r.enhanced(), Some(EnhancedCode::BAD_MAILBOX));
        assert_eq!(r.lines()[0], "No such user");
        // Class mismatch: not an enhanced code.
        let r = reply_from_lines([&b"250 5.1.1 x"[..]], true).unwrap();
        assert_eq!(r.enhanced(), None);
        assert_eq!(
            reply_from_lines([&b"250-a"[..], b"251 b"], false).unwrap_err(),
            ParseError::ReplyCodeMismatch
        );
        assert!(parse_reply_line(b"25 x").is_err());
        assert!(parse_reply_line(b"650 x").is_err());
        assert!(parse_reply_line(b"250x").is_err());
        assert!(parse_reply_line(b"250").unwrap().last);
    }
}
