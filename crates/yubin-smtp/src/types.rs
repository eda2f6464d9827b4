//! SMTP values: reply codes, replies, addresses, ESMTP parameters, commands.
//!
//! Every type here can only hold what its ABNF allows (RFC 5321 §4.1.2,
//! extended for UTF-8 by RFC 6531 §3.3); constructors check and return
//! [`crate::parse::ParseError`] otherwise.

use std::borrow::Cow;
use std::fmt;

use crate::parse::{self, ParseError};

/// A three-digit SMTP reply code (RFC 5321 §4.2), an open code space.
///
/// `Reply-code = %x32-35 %x30-35 %x30-39`; the constants name the codes
/// this crate sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// 211 System status.
    pub const SYSTEM_STATUS: Self = Self(211);
    /// 214 Help message.
    pub const HELP: Self = Self(214);
    /// 220 Service ready (the greeting, the STARTTLS go-ahead).
    pub const SERVICE_READY: Self = Self(220);
    /// 221 Service closing transmission channel.
    pub const CLOSING: Self = Self(221);
    /// 235 Authentication succeeded (RFC 4954).
    pub const AUTH_OK: Self = Self(235);
    /// 250 Requested mail action okay, completed.
    pub const OK: Self = Self(250);
    /// 251 User not local; will forward.
    pub const USER_NOT_LOCAL: Self = Self(251);
    /// 252 Cannot VRFY user, but will accept message and attempt delivery.
    pub const CANNOT_VRFY: Self = Self(252);
    /// 334 Server challenge (RFC 4954).
    pub const AUTH_CHALLENGE: Self = Self(334);
    /// 354 Start mail input; end with `<CRLF>.<CRLF>`.
    pub const START_MAIL_INPUT: Self = Self(354);
    /// 421 Service not available, closing transmission channel.
    pub const SERVICE_UNAVAILABLE: Self = Self(421);
    /// 450 Mailbox unavailable (temporary).
    pub const MAILBOX_BUSY: Self = Self(450);
    /// 451 Local error in processing.
    pub const LOCAL_ERROR: Self = Self(451);
    /// 452 Insufficient system storage / too many recipients.
    pub const INSUFFICIENT_STORAGE: Self = Self(452);
    /// 454 Temporary authentication failure / TLS not available (RFC 4954, RFC 3207).
    pub const TEMP_AUTH_FAILURE: Self = Self(454);
    /// 455 Server unable to accommodate parameters.
    pub const PARAMS_NOT_ACCOMMODATED: Self = Self(455);
    /// 500 Syntax error, command unrecognized (also: line too long).
    pub const SYNTAX_ERROR: Self = Self(500);
    /// 501 Syntax error in parameters or arguments.
    pub const PARAM_SYNTAX_ERROR: Self = Self(501);
    /// 502 Command not implemented.
    pub const NOT_IMPLEMENTED: Self = Self(502);
    /// 503 Bad sequence of commands.
    pub const BAD_SEQUENCE: Self = Self(503);
    /// 504 Command parameter not implemented.
    pub const PARAM_NOT_IMPLEMENTED: Self = Self(504);
    /// 530 Authentication required (RFC 4954) / must issue STARTTLS first (RFC 3207).
    pub const AUTH_REQUIRED: Self = Self(530);
    /// 535 Authentication credentials invalid (RFC 4954).
    pub const AUTH_INVALID: Self = Self(535);
    /// 538 Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_REQUIRED: Self = Self(538);
    /// 550 Mailbox unavailable / policy rejection.
    pub const MAILBOX_UNAVAILABLE: Self = Self(550);
    /// 551 User not local.
    pub const USER_NOT_LOCAL_ERR: Self = Self(551);
    /// 552 Exceeded storage allocation (message too big).
    pub const EXCEEDED_STORAGE: Self = Self(552);
    /// 553 Mailbox name not allowed.
    pub const MAILBOX_NAME_NOT_ALLOWED: Self = Self(553);
    /// 554 Transaction failed (also: no service at connect).
    pub const TRANSACTION_FAILED: Self = Self(554);
    /// 555 MAIL FROM/RCPT TO parameters not recognized or not implemented.
    pub const PARAMS_NOT_RECOGNIZED: Self = Self(555);

    /// Builds a code from its number; `None` unless it matches the RFC 5321 ABNF.
    pub const fn new(code: u16) -> Option<Self> {
        let (a, b) = (code / 100, (code / 10) % 10);
        if a >= 2 && a <= 5 && b <= 5 {
            Some(Self(code))
        } else {
            None
        }
    }

    /// The number.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The first digit: 2 success, 3 intermediate, 4 transient, 5 permanent.
    pub const fn class(self) -> u8 {
        (self.0 / 100) as u8
    }

    /// True for 2xx.
    pub const fn is_positive(self) -> bool {
        self.class() == 2
    }

    /// True for 3xx.
    pub const fn is_intermediate(self) -> bool {
        self.class() == 3
    }

    /// True for 4xx.
    pub const fn is_transient(self) -> bool {
        self.class() == 4
    }

    /// True for 5xx.
    pub const fn is_permanent(self) -> bool {
        self.class() == 5
    }

    pub(crate) fn digits(self) -> [u8; 3] {
        [
            b'0' + (self.0 / 100) as u8,
            b'0' + ((self.0 / 10) % 10) as u8,
            b'0' + (self.0 % 10) as u8,
        ]
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463, RFC 2034).
///
/// `class` is 2, 4 or 5; `subject` and `detail` are 0..=999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    class: u8,
    subject: u16,
    detail: u16,
}

impl EnhancedCode {
    /// Builds a code; `None` when out of the RFC 3463 ranges.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        if (class == 2 || class == 4 || class == 5) && subject <= 999 && detail <= 999 {
            Some(Self {
                class,
                subject,
                detail,
            })
        } else {
            None
        }
    }

    const fn c(class: u8, subject: u16, detail: u16) -> Self {
        Self {
            class,
            subject,
            detail,
        }
    }

    /// 2.0.0 Other or undefined status (success).
    pub const OK: Self = Self::c(2, 0, 0);
    /// 2.1.0 Other address status (sender ok).
    pub const SENDER_OK: Self = Self::c(2, 1, 0);
    /// 2.1.5 Destination address valid.
    pub const RECIPIENT_OK: Self = Self::c(2, 1, 5);
    /// 2.7.0 Other or undefined security status (authentication ok).
    pub const SECURITY_OK: Self = Self::c(2, 7, 0);
    /// 4.3.0 Other or undefined mail system status (temporary).
    pub const TEMP_SYSTEM: Self = Self::c(4, 3, 0);
    /// 4.4.2 Bad connection (idle timeout).
    pub const BAD_CONNECTION: Self = Self::c(4, 4, 2);
    /// 4.5.3 Too many recipients.
    pub const TOO_MANY_RECIPIENTS: Self = Self::c(4, 5, 3);
    /// 4.7.0 Other or undefined security status (temporary).
    pub const TEMP_SECURITY: Self = Self::c(4, 7, 0);
    /// 4.7.1 Delivery not authorized (temporary).
    pub const TEMP_NOT_AUTHORIZED: Self = Self::c(4, 7, 1);
    /// 4.3.2 System not accepting network messages.
    pub const NOT_ACCEPTING: Self = Self::c(4, 3, 2);
    /// 5.1.1 Bad destination mailbox address.
    pub const BAD_MAILBOX: Self = Self::c(5, 1, 1);
    /// 5.1.3 Bad destination mailbox address syntax.
    pub const BAD_DEST_SYNTAX: Self = Self::c(5, 1, 3);
    /// 5.1.7 Bad sender's mailbox address syntax.
    pub const BAD_SENDER_SYNTAX: Self = Self::c(5, 1, 7);
    /// 5.3.4 Message too big for system.
    pub const TOO_BIG: Self = Self::c(5, 3, 4);
    /// 5.5.0 Other or undefined protocol status.
    pub const PROTOCOL: Self = Self::c(5, 5, 0);
    /// 5.5.1 Invalid command (bad sequence, not implemented).
    pub const INVALID_COMMAND: Self = Self::c(5, 5, 1);
    /// 5.5.2 Syntax error.
    pub const SYNTAX: Self = Self::c(5, 5, 2);
    /// 5.5.3 Too many recipients (permanent).
    pub const TOO_MANY_RECIPIENTS_PERM: Self = Self::c(5, 5, 3);
    /// 5.5.4 Invalid command arguments.
    pub const INVALID_ARGUMENTS: Self = Self::c(5, 5, 4);
    /// 5.5.6 Authentication exchange line too long (RFC 4954).
    pub const AUTH_LINE_TOO_LONG: Self = Self::c(5, 5, 6);
    /// 5.6.0 Other or undefined media error (BINARYMIME body mixed with DATA).
    pub const MEDIA: Self = Self::c(5, 6, 0);
    /// 5.6.7 Non-ASCII addresses not permitted (RFC 6531).
    pub const NON_ASCII_ADDRESS: Self = Self::c(5, 6, 7);
    /// 5.6.11 Invalid characters (a bare CR or LF in the body; RFC 3463 registry).
    pub const BARE_EOL: Self = Self::c(5, 6, 11);
    /// 5.7.0 Other or undefined security status (permanent).
    pub const SECURITY: Self = Self::c(5, 7, 0);
    /// 5.7.1 Delivery not authorized, message refused (relay access denied).
    pub const NOT_AUTHORIZED: Self = Self::c(5, 7, 1);
    /// 5.7.4 Security features not supported (RFC 8689: REQUIRETLS without TLS).
    pub const SECURITY_NOT_SUPPORTED: Self = Self::c(5, 7, 4);
    /// 5.7.8 Authentication credentials invalid (RFC 4954).
    pub const AUTH_CREDENTIALS: Self = Self::c(5, 7, 8);
    /// 5.7.9 Authentication mechanism is too weak (RFC 4954).
    pub const AUTH_TOO_WEAK: Self = Self::c(5, 7, 9);
    /// 5.7.11 Encryption required for requested authentication mechanism (RFC 4954).
    pub const ENCRYPTION_REQUIRED: Self = Self::c(5, 7, 11);
    /// 5.7.0 used with 530: must issue a STARTTLS command first (RFC 3207).
    pub const STARTTLS_FIRST: Self = Self::c(5, 7, 0);

    /// The class digit (2, 4 or 5).
    pub const fn class(self) -> u8 {
        self.class
    }

    /// The subject number.
    pub const fn subject(self) -> u16 {
        self.subject
    }

    /// The detail number.
    pub const fn detail(self) -> u16 {
        self.detail
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A reply: a code, an optional enhanced status code and one or more text lines.
///
/// Encoded as `code "-" text CRLF` for every line but the last and
/// `code SP text CRLF` for the last (RFC 5321 §4.2.1). With
/// ENHANCEDSTATUSCODES the enhanced code prefixes the text of every line
/// (RFC 2034 §4). Text is `%d09 / %d32-126` (plus UTF-8 under SMTPUTF8);
/// the encoder replaces any CR or LF with a space so a reply can never
/// split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    code: ReplyCode,
    enhanced: Option<EnhancedCode>,
    lines: Vec<Cow<'static, str>>,
}

impl Reply {
    /// A one-line reply without an enhanced code.
    pub fn new(code: ReplyCode, text: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            enhanced: None,
            lines: vec![text.into()],
        }
    }

    /// A one-line reply with an enhanced status code.
    pub fn with_enhanced(
        code: ReplyCode,
        enhanced: EnhancedCode,
        text: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            code,
            enhanced: Some(enhanced),
            lines: vec![text.into()],
        }
    }

    /// A multi-line reply. An empty `lines` encodes as one empty line.
    pub fn multiline(
        code: ReplyCode,
        enhanced: Option<EnhancedCode>,
        lines: Vec<Cow<'static, str>>,
    ) -> Self {
        Self {
            code,
            enhanced,
            lines,
        }
    }

    /// The reply code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code, if any.
    pub fn enhanced(&self) -> Option<EnhancedCode> {
        self.enhanced
    }

    /// The text lines (without codes).
    pub fn lines(&self) -> &[Cow<'static, str>] {
        &self.lines
    }

    /// The text lines joined by `\n`, for logs and error messages.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Appends a text line.
    pub fn push_line(&mut self, line: impl Into<Cow<'static, str>>) {
        self.lines.push(line.into());
    }

    // ---- the standard replies, one call away ----

    /// `550 5.7.1 Relay access denied`.
    pub fn relay_denied() -> Self {
        Self::with_enhanced(
            ReplyCode::MAILBOX_UNAVAILABLE,
            EnhancedCode::NOT_AUTHORIZED,
            "Relay access denied",
        )
    }

    /// `553 5.1.3 Bad address syntax`.
    pub fn bad_address() -> Self {
        Self::with_enhanced(
            ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
            EnhancedCode::BAD_DEST_SYNTAX,
            "Bad address syntax",
        )
    }

    /// `550 5.1.1 Mailbox unavailable` (no such user).
    pub fn no_such_user() -> Self {
        Self::with_enhanced(
            ReplyCode::MAILBOX_UNAVAILABLE,
            EnhancedCode::BAD_MAILBOX,
            "Mailbox unavailable",
        )
    }

    /// `452 4.5.3 Too many recipients`.
    pub fn too_many_recipients() -> Self {
        Self::with_enhanced(
            ReplyCode::INSUFFICIENT_STORAGE,
            EnhancedCode::TOO_MANY_RECIPIENTS,
            "Too many recipients",
        )
    }

    /// `451 4.3.0 Local error in processing, try again later`.
    pub fn try_later() -> Self {
        Self::with_enhanced(
            ReplyCode::LOCAL_ERROR,
            EnhancedCode::TEMP_SYSTEM,
            "Local error in processing, try again later",
        )
    }

    /// `554 5.7.1 Access denied` (a refusal at connect, HELO, MAIL or end of data).
    pub fn access_denied() -> Self {
        Self::with_enhanced(
            ReplyCode::TRANSACTION_FAILED,
            EnhancedCode::NOT_AUTHORIZED,
            "Access denied",
        )
    }

    /// `552 5.3.4 Message size exceeds fixed maximum message size`.
    pub fn too_big() -> Self {
        Self::with_enhanced(
            ReplyCode::EXCEEDED_STORAGE,
            EnhancedCode::TOO_BIG,
            "Message size exceeds fixed maximum message size",
        )
    }

    /// `503 5.5.1 Bad sequence of commands`.
    pub fn bad_sequence() -> Self {
        Self::with_enhanced(
            ReplyCode::BAD_SEQUENCE,
            EnhancedCode::INVALID_COMMAND,
            "Bad sequence of commands",
        )
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(e) = self.enhanced {
            write!(f, " {e}")?;
        }
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, " {l}")?;
        }
        Ok(())
    }
}

/// A domain name (RFC 5321 `Domain`, RFC 6531 U-labels allowed).
///
/// `Domain = sub-domain *("." sub-domain)`, `sub-domain = Let-dig [Ldh-str]`
/// or a U-label. Kept as received (case preserved); compare with
/// [`eq_ignore_ascii_case`](str::eq_ignore_ascii_case).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Domain(String);

impl Domain {
    /// Checks and wraps a domain.
    pub fn new(s: &str) -> Result<Self, ParseError> {
        if parse::is_domain(s.as_bytes()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::BadDomain)
        }
    }

    pub(crate) fn new_unchecked(s: &str) -> Self {
        Self(s.to_owned())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when a label holds non-ASCII (a U-label, RFC 6531).
    pub fn is_utf8(&self) -> bool {
        !self.0.is_ascii()
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address literal (RFC 5321 §4.1.3): `[1.2.3.4]`, `[IPv6:...]` or a
/// general `[tag:content]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddressLiteral {
    /// `IPv4-address-literal`.
    V4(std::net::Ipv4Addr),
    /// `IPv6-address-literal` (`IPv6:` tag).
    V6(std::net::Ipv6Addr),
    /// `General-address-literal = Standardized-tag ":" 1*dcontent`.
    General {
        /// The tag (`Ldh-str`).
        tag: String,
        /// The content (`%d33-90 / %d94-126`).
        content: String,
    },
}

impl fmt::Display for AddressLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(a) => write!(f, "[{a}]"),
            Self::V6(a) => write!(f, "[IPv6:{a}]"),
            Self::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

/// What EHLO/HELO/LHLO names: a domain or an address literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A domain name.
    Domain(Domain),
    /// An address literal.
    Literal(AddressLiteral),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain(d) => d.fmt(f),
            Self::Literal(l) => l.fmt(f),
        }
    }
}

/// A mailbox `Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
///
/// Held as one string in its wire form (a quoted local part keeps its
/// quotes and backslashes), so parsing allocates once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mailbox {
    text: String,
    at: usize,
}

impl Mailbox {
    /// Checks and wraps `local@domain` in wire form.
    pub fn new(s: &str) -> Result<Self, ParseError> {
        let at = parse::mailbox_at(s.as_bytes()).ok_or(ParseError::BadAddress)?;
        Ok(Self {
            text: s.to_owned(),
            at,
        })
    }

    pub(crate) fn from_checked(text: String, at: usize) -> Self {
        Self { text, at }
    }

    /// The whole address in wire form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The local part in wire form (quotes kept).
    pub fn local_part(&self) -> &str {
        self.text.get(..self.at).unwrap_or_default()
    }

    /// The domain or address literal after the `@`.
    pub fn domain(&self) -> &str {
        self.text.get(self.at + 1..).unwrap_or_default()
    }

    /// True when the local part is a `Quoted-string`.
    pub fn is_quoted(&self) -> bool {
        self.text.starts_with('"')
    }

    /// True when the address needs SMTPUTF8 (RFC 6531).
    pub fn is_utf8(&self) -> bool {
        !self.text.is_ascii()
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A checked mailbox borrowed from the command line it was parsed from
/// ([`crate::parse::parse_command_ref`]); [`MailboxRef::to_owned`] makes
/// the [`Mailbox`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MailboxRef<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> MailboxRef<'a> {
    pub(crate) fn from_checked(text: &'a str, at: usize) -> Self {
        Self { text, at }
    }

    /// The whole address in wire form.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The local part in wire form (quotes kept).
    pub fn local_part(&self) -> &'a str {
        self.text.get(..self.at).unwrap_or_default()
    }

    /// The domain or address literal after the `@`.
    pub fn domain(&self) -> &'a str {
        self.text.get(self.at + 1..).unwrap_or_default()
    }

    /// The owned mailbox.
    #[allow(clippy::should_implement_trait)] // not `ToOwned`: a different type
    pub fn to_owned(&self) -> Mailbox {
        Mailbox::from_checked(self.text.to_owned(), self.at)
    }
}

/// `Reverse-path = Path / "<>"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReversePath {
    /// The null path `<>` (bounces).
    Null,
    /// A sender mailbox (a source route, if sent, is dropped as RFC 5321 §4.1.1.3 allows).
    Mailbox(Mailbox),
}

/// `Forward-path`, plus the special `<Postmaster>` without a domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ForwardPath {
    /// `<Postmaster>` (case-insensitive, RFC 5321 §4.5.1).
    Postmaster,
    /// A recipient mailbox (`<Postmaster@domain>` included).
    Mailbox(Mailbox),
}

impl ForwardPath {
    /// True when the path names the postmaster (with or without domain).
    pub fn is_postmaster(&self) -> bool {
        match self {
            Self::Postmaster => true,
            Self::Mailbox(m) => m.local_part().eq_ignore_ascii_case("postmaster"),
        }
    }
}

/// `BODY=` values (RFC 6152, RFC 3030).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyType {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030; BDAT only).
    BinaryMime,
}

/// `RET=` values (RFC 3461 §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message.
    Full,
    /// `HDRS`: return only the headers.
    Hdrs,
}

/// `NOTIFY=` (RFC 3461 §4.1): `NEVER` or a non-empty subset of the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Notify {
    /// `NEVER`.
    Never,
    /// Some of `SUCCESS`, `FAILURE`, `DELAY` (at least one is true).
    On {
        /// `SUCCESS`.
        success: bool,
        /// `FAILURE`.
        failure: bool,
        /// `DELAY`.
        delay: bool,
    },
}

/// `ORCPT=addr-type;xtext` (RFC 3461 §4.2), xtext decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Orcpt {
    /// The address type atom, e.g. `rfc822` or `utf-8`.
    pub addr_type: String,
    /// The original recipient, decoded from xtext.
    pub addr: String,
}

/// The parameters of MAIL FROM, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MailParams {
    /// `SIZE=n` (RFC 1870): the declared message size in octets.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152 / RFC 3030).
    pub body: Option<BodyType>,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `AUTH=` (RFC 4954 §5), xtext decoded; `<>` when the submitter is unknown.
    pub auth: Option<String>,
    /// `RET=` (RFC 3461).
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461), xtext decoded.
    pub envid: Option<String>,
    /// `REQUIRETLS` (RFC 8689).
    pub requiretls: bool,
}

/// The parameters of RCPT TO, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RcptParams {
    /// `NOTIFY=` (RFC 3461).
    pub notify: Option<Notify>,
    /// `ORCPT=` (RFC 3461).
    pub orcpt: Option<Orcpt>,
}

/// One SMTP command line, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `EHLO domain-or-literal`.
    Ehlo(Host),
    /// `HELO domain` (an address literal is tolerated).
    Helo(Host),
    /// `LHLO domain-or-literal` (LMTP, RFC 2033).
    Lhlo(Host),
    /// `MAIL FROM:<path> [params]`.
    Mail {
        /// The reverse path.
        from: ReversePath,
        /// ESMTP parameters.
        params: MailParams,
    },
    /// `RCPT TO:<path> [params]`.
    Rcpt {
        /// The forward path.
        to: ForwardPath,
        /// ESMTP parameters.
        params: RcptParams,
    },
    /// `DATA`.
    Data,
    /// `BDAT size [LAST]` (RFC 3030).
    Bdat {
        /// The chunk size in octets.
        size: u64,
        /// `LAST` given.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `NOOP [string]`.
    Noop(Option<String>),
    /// `QUIT`.
    Quit,
    /// `VRFY string`.
    Vrfy(String),
    /// `EXPN string`.
    Expn(String),
    /// `HELP [string]`.
    Help(Option<String>),
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954).
    Auth {
        /// The mechanism name, upper-cased.
        mechanism: String,
        /// The initial response as sent: base64 text, or `=` for an empty one.
        initial: Option<String>,
    },
    /// `XCLIENT name=value ...` (Postfix's XCLIENT extension): a trusted
    /// proxy passes on the real client's attributes. Names upper-cased,
    /// values xtext-decoded, in the order sent.
    Xclient(Vec<(String, String)>),
}

impl Command {
    /// The verb as it is written on the wire (upper case).
    pub fn verb(&self) -> &'static str {
        match self {
            Self::Ehlo(_) => "EHLO",
            Self::Helo(_) => "HELO",
            Self::Lhlo(_) => "LHLO",
            Self::Mail { .. } => "MAIL",
            Self::Rcpt { .. } => "RCPT",
            Self::Data => "DATA",
            Self::Bdat { .. } => "BDAT",
            Self::Rset => "RSET",
            Self::Noop(_) => "NOOP",
            Self::Quit => "QUIT",
            Self::Vrfy(_) => "VRFY",
            Self::Expn(_) => "EXPN",
            Self::Help(_) => "HELP",
            Self::StartTls => "STARTTLS",
            Self::Auth { .. } => "AUTH",
            Self::Xclient(_) => "XCLIENT",
        }
    }
}
