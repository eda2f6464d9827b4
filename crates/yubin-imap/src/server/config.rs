//! The server's settings: limits, TLS mode, revisions and extensions.

use std::time::Duration;

use yubin_sasl::Mechanism;

use crate::types::Capability;

/// Sizes, counts and times the peer can influence, with safe defaults.
///
/// Commands in flight: the session runs one command at a time; pipelined
/// commands wait in the receive buffer, which holds at most
/// `max_command_octets + max_line_octets` octets ([`super::Session::receive`]
/// takes no more), so a client that pipelines without reading cannot make
/// the session hold more. Worst case per connection: that receive buffer,
/// plus `max_output_octets` and the responses to one command, plus a few
/// SASL messages (`sasl_limits`), plus the selected mailbox's view (4
/// octets per message).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest command line once logged in, CRLF included, in octets.
    /// Default 65 536 (RFC 9051 §4 asks clients to stay under 8 192;
    /// RFC 7162 §4 asks servers to take at least 8 192, more for long
    /// sequence sets). Memory: bounded by `max_command_octets`.
    pub max_line_octets: usize,
    /// Longest command line before login. Default 8 192 (a LOGIN or an
    /// AUTHENTICATE with SASL-IR fits; nothing more is needed yet).
    pub max_line_octets_before_login: usize,
    /// Largest literal in a command other than APPEND, in octets. Default
    /// 1 MiB (search strings, passwords). Memory: the command is buffered
    /// whole, up to `max_command_octets`.
    pub max_literal_octets: u64,
    /// Largest literal before login. Default 8 192 (a LOGIN password).
    pub max_literal_octets_before_login: u64,
    /// Largest command buffered whole (all lines and literals; APPEND's
    /// message is streamed and not counted), in octets. Default 2 MiB.
    /// Memory: the receive buffer holds at most this plus one line.
    pub max_command_octets: usize,
    /// Largest message APPEND takes, in octets; announced as
    /// `APPENDLIMIT=n` (RFC 7889). Default 64 MiB. Memory: none (the
    /// message streams to the application in chunks).
    pub max_append_octets: u64,
    /// Output buffer size in octets at which the session stops taking
    /// input and a streamed FETCH should wait. Default 65 536. Worst case:
    /// this plus the responses to one command and one chunk.
    pub max_output_octets: usize,
    /// Malformed, unknown or out-of-state commands before `* BYE`.
    /// Default 20. No memory depends on it.
    pub max_bad_commands: u32,
    /// Failed logins (LOGIN, AUTHENTICATE) before `* BYE`. Default 3,
    /// common server practice (Dovecot, Cyrus).
    pub max_failed_logins: u32,
    /// Inactivity before autologout once logged in (and during IDLE).
    /// Default 30 minutes, the least RFC 9051 §5.4 allows.
    pub idle_authenticated: Duration,
    /// Inactivity before autologout before login. Default 60 seconds
    /// (RFC 9051 §5.4 allows a shorter timer before login).
    pub idle_not_authenticated: Duration,
    /// Deepest parenthesis nesting the parser follows. Default 64.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_octets: 65_536,
            max_line_octets_before_login: 8_192,
            max_literal_octets: 1024 * 1024,
            max_literal_octets_before_login: 8_192,
            max_command_octets: 2 * 1024 * 1024,
            max_append_octets: 64 * 1024 * 1024,
            max_output_octets: 65_536,
            max_bad_commands: 20,
            max_failed_logins: 3,
            idle_authenticated: Duration::from_secs(30 * 60),
            idle_not_authenticated: Duration::from_secs(60),
            max_depth: 64,
        }
    }
}

/// How the connection is protected by TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tls {
    /// No TLS: STARTTLS is not offered.
    None,
    /// Plaintext first; STARTTLS is offered (RFC 9051 §6.2.1).
    StartTls,
    /// TLS from the first byte (port 993, RFC 8314).
    Implicit,
}

/// Which protocol revisions the server speaks (RFC 9051 appendix E).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Revisions {
    /// IMAP4rev1 only (RFC 3501).
    Rev1,
    /// IMAP4rev2 only (RFC 9051).
    Rev2,
    /// Both: rev1 behaviour until the client sends `ENABLE IMAP4rev2`.
    Both,
}

/// How non-synchronising literals are offered (RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonSyncLiterals {
    /// Neither: a `{n+}` literal is read, discarded and refused with BAD.
    Off,
    /// `LITERAL+`: any size, up to the limits (larger ones are read,
    /// discarded and refused with `NO [TOOBIG]`).
    Plus,
    /// `LITERAL-`: at most 4 096 octets; a larger one is read, discarded
    /// and refused with `BAD [TOOBIG]` (RFC 7888 §5).
    Minus,
}

/// The extensions the server offers. Each one changes what the session
/// accepts and sends; turn one off to hide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extensions {
    /// `IDLE` (RFC 2177). Default on.
    pub idle: bool,
    /// `MOVE` (RFC 6851). Default on.
    pub move_: bool,
    /// `UIDPLUS` (RFC 4315). Default on.
    pub uidplus: bool,
    /// `ENABLE` (RFC 5161). Default on.
    pub enable: bool,
    /// `UNSELECT` (RFC 3691). Default on.
    pub unselect: bool,
    /// `NAMESPACE` (RFC 2342). Default on.
    pub namespace: bool,
    /// `CONDSTORE` (RFC 7162). Default on.
    pub condstore: bool,
    /// `QRESYNC` (RFC 7162); needs `condstore` and `enable`. Default on.
    pub qresync: bool,
    /// `ESEARCH` (RFC 4731). Default on.
    pub esearch: bool,
    /// `SEARCHRES` (RFC 5182). Default on.
    pub searchres: bool,
    /// `SASL-IR` (RFC 4959). Default on.
    pub sasl_ir: bool,
    /// `UTF8=ACCEPT` (RFC 6855). Default off: the application must then
    /// take UTF-8 mailbox names and headers.
    pub utf8_accept: bool,
    /// `BINARY` (RFC 3516). Default off: the application must then decode
    /// content transfer encodings for `BINARY[]`.
    pub binary: bool,
    /// `APPENDLIMIT=n` from [`Limits::max_append_octets`] (RFC 7889).
    /// Default on.
    pub appendlimit: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Self {
            idle: true,
            move_: true,
            uidplus: true,
            enable: true,
            unselect: true,
            namespace: true,
            condstore: true,
            qresync: true,
            esearch: true,
            searchres: true,
            sasl_ir: true,
            utf8_accept: false,
            binary: false,
            appendlimit: true,
        }
    }
}

impl Extensions {
    /// Every extension off: a plain server of the chosen revision.
    pub fn none() -> Self {
        Self {
            idle: false,
            move_: false,
            uidplus: false,
            enable: false,
            unselect: false,
            namespace: false,
            condstore: false,
            qresync: false,
            esearch: false,
            searchres: false,
            sasl_ir: false,
            utf8_accept: false,
            binary: false,
            appendlimit: false,
        }
    }
}

/// The human-readable texts of the responses the session writes itself.
///
/// IMAP clients must not interpret these texts (RFC 9051 §7.1); they are
/// for people reading logs, and for servers that want to sound like a
/// given one. The defaults are the session's own; a text with CR, LF or
/// NUL has them sent as spaces. Completions the application decides take
/// their text from [`super::Ticket::with_text`] instead (default
/// `<COMMAND> completed`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Texts {
    /// Tagged `OK` of CAPABILITY. Default `"CAPABILITY completed"`.
    pub capability: String,
    /// Tagged `OK` of NOOP (when no mailbox is selected, and when the
    /// application completes a selected-state NOOP without a text of its
    /// own). Default `"NOOP completed"`.
    pub noop: String,
    /// `* BYE` before LOGOUT's tagged `OK`; `{revision}` becomes
    /// `IMAP4rev1` or `IMAP4rev2`, the revision the client uses. Default
    /// `"{revision} Server logging out"`.
    pub logout_bye: String,
    /// Tagged `OK` of LOGOUT. Default `"LOGOUT completed"`.
    pub logout: String,
    /// Tagged `OK` of STARTTLS. Default `"Begin TLS negotiation now"`.
    pub starttls: String,
    /// Tagged `OK` of LOGIN (unless the ticket has a text). Default
    /// `"LOGIN completed"`.
    pub login: String,
    /// Tagged `OK` of a successful AUTHENTICATE (unless the ticket has a
    /// text). Default `"AUTHENTICATE completed"`.
    pub authenticate: String,
    /// Tagged `OK` of ENABLE. Default `"ENABLE completed"`.
    pub enable: String,
    /// The `+` continuation that starts IDLE. Default `"idling"`.
    pub idling: String,
    /// Tagged `OK` of IDLE after DONE. Default `"IDLE terminated"`.
    pub idle_done: String,
    /// Tagged `OK` of UNSELECT. Default `"UNSELECT completed"`.
    pub unselect: String,
    /// The `+` continuation for a synchronising literal. Default
    /// `"Ready for literal data"`.
    pub literal_continuation: String,
    /// `* OK [UIDVALIDITY n]` of SELECT / EXAMINE. Default `"UIDs valid"`.
    pub uid_validity: String,
    /// `* OK [UIDNEXT n]` of SELECT / EXAMINE. Default
    /// `"Predicted next UID"`.
    pub uid_next: String,
    /// `* NO [UIDNOTSTICKY]` of SELECT / EXAMINE for a mailbox without
    /// persistent UIDs ([`super::MailboxSnapshot::uid_not_sticky`]).
    /// Default `"Non-persistent UIDs"` (RFC 4315 §3's example).
    pub uid_not_sticky: String,
    /// `* OK [UNSEEN n]` of SELECT / EXAMINE (IMAP4rev1); `{n}` becomes
    /// the message number. Default `"Message {n} is first unseen"`.
    pub unseen: String,
    /// `* OK [PERMANENTFLAGS (...)]` of a read-write SELECT. Default
    /// `"Limited"`.
    pub permanent_flags: String,
    /// `* OK [PERMANENTFLAGS ()]` of EXAMINE or a read-only SELECT.
    /// Default `"No permanent flags permitted"`.
    pub permanent_flags_read_only: String,
    /// `* OK [HIGHESTMODSEQ n]` of SELECT / EXAMINE (CONDSTORE). Default
    /// empty (RFC 7162's examples send none).
    pub highest_modseq: String,
    /// `* OK [NOMODSEQ]` of SELECT / EXAMINE (CONDSTORE). Default
    /// `"Sorry, this mailbox format doesn't support modsequences"`.
    pub no_modseq: String,
    /// `* OK [CLOSED]` when a SELECT closes the selected mailbox. Default
    /// `"Previous mailbox is now closed"`.
    pub closed: String,
    /// `* OK [COPYUID ...]` sent during MOVE (RFC 6851 §4.3). Default
    /// `"Moved"`.
    pub moved: String,
    /// Tagged `OK [MODIFIED ...]` of a STORE whose UNCHANGEDSINCE test
    /// failed for some messages (unless the ticket has a text). Default
    /// `"Conditional STORE failed"`.
    pub conditional_store_failed: String,
}

impl Default for Texts {
    fn default() -> Self {
        Self {
            capability: "CAPABILITY completed".to_owned(),
            noop: "NOOP completed".to_owned(),
            logout_bye: "{revision} Server logging out".to_owned(),
            logout: "LOGOUT completed".to_owned(),
            starttls: "Begin TLS negotiation now".to_owned(),
            login: "LOGIN completed".to_owned(),
            authenticate: "AUTHENTICATE completed".to_owned(),
            enable: "ENABLE completed".to_owned(),
            idling: "idling".to_owned(),
            idle_done: "IDLE terminated".to_owned(),
            unselect: "UNSELECT completed".to_owned(),
            literal_continuation: "Ready for literal data".to_owned(),
            uid_validity: "UIDs valid".to_owned(),
            uid_next: "Predicted next UID".to_owned(),
            uid_not_sticky: "Non-persistent UIDs".to_owned(),
            unseen: "Message {n} is first unseen".to_owned(),
            permanent_flags: "Limited".to_owned(),
            permanent_flags_read_only: "No permanent flags permitted".to_owned(),
            highest_modseq: String::new(),
            no_modseq: "Sorry, this mailbox format doesn't support modsequences".to_owned(),
            closed: "Previous mailbox is now closed".to_owned(),
            moved: "Moved".to_owned(),
            conditional_store_failed: "Conditional STORE failed".to_owned(),
        }
    }
}

/// The server's settings, shared by its sessions through an `Arc`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Limits on what the peer can make the session hold or do.
    pub limits: Limits,
    /// Text of the greeting after the CAPABILITY code. Default
    /// `"IMAP server ready"`.
    pub greeting: String,
    /// Texts of the responses the session writes itself.
    pub texts: Texts,
    /// Send the `[CAPABILITY ...]` code in an `OK` / `PREAUTH` greeting,
    /// which saves the client a CAPABILITY command (RFC 9051 §7.1).
    /// Default true.
    pub greeting_capabilities: bool,
    /// Send the `[CAPABILITY ...]` code in the tagged `OK` of LOGIN and
    /// AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3: the capabilities change
    /// with the login, so the client would otherwise ask again). Default
    /// true.
    pub login_capabilities: bool,
    /// The host name for SASL CRAM-MD5 challenges. Default `"localhost"`.
    pub hostname: String,
    /// TLS mode of this listener. Default [`Tls::None`].
    pub tls: Tls,
    /// Protocol revisions. Default [`Revisions::Both`].
    pub revisions: Revisions,
    /// Non-synchronising literals. Default [`NonSyncLiterals::Plus`].
    pub literals: NonSyncLiterals,
    /// Extensions offered.
    pub extensions: Extensions,
    /// The order of the capability list (CAPABILITY response and codes),
    /// which carries no meaning (RFC 9051 §7.2.2) but which a server may
    /// want to keep, e.g. to look like the one it replaces. The
    /// capabilities named come first, in this order; the others follow in
    /// the session's order. An `AUTH=` entry stands for every `AUTH=`
    /// capability (in the order of `sasl_mechanisms`). It never adds or
    /// removes one. Default empty (the session's order: revisions,
    /// STARTTLS, LOGINDISABLED, AUTH=, SASL-IR, literals, extensions).
    pub capability_order: Vec<Capability>,
    /// SASL mechanisms offered by AUTHENTICATE. Default: every yubin-sasl
    /// mechanism. Plaintext ones (PLAIN, LOGIN, bearer tokens) only under
    /// TLS unless `danger_allow_plaintext_auth`.
    pub sasl_mechanisms: Vec<Mechanism>,
    /// Limits of the SASL exchanges.
    pub sasl_limits: yubin_sasl::Limits,
    /// Allow LOGIN and plaintext SASL mechanisms before TLS. Default false
    /// (RFC 9051 §6.2.3: `LOGINDISABLED` until TLS).
    pub danger_allow_plaintext_auth: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            greeting: "IMAP server ready".to_owned(),
            texts: Texts::default(),
            greeting_capabilities: true,
            login_capabilities: true,
            hostname: "localhost".to_owned(),
            tls: Tls::None,
            revisions: Revisions::Both,
            literals: NonSyncLiterals::Plus,
            extensions: Extensions::default(),
            capability_order: Vec::new(),
            sasl_mechanisms: Mechanism::ALL.to_vec(),
            sasl_limits: yubin_sasl::Limits::DEFAULT,
            danger_allow_plaintext_auth: false,
        }
    }
}

/// A configuration mistake found by [`Config::check`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A line limit below 1 000 octets (RFC 7162 §4 wants at least 8 192).
    #[error("line limit below 1000 octets")]
    LineTooShort,
    /// The command limit cannot hold one line and one literal.
    #[error("max_command_octets smaller than max_line_octets plus max_literal_octets")]
    CommandTooSmall,
    /// The output buffer cannot hold one response line (1 024 octets).
    #[error("max_output_octets below 1024")]
    OutputTooSmall,
    /// The authenticated idle timer is below RFC 9051 §5.4's 30 minutes.
    #[error("idle_authenticated below 30 minutes (rfc 9051 section 5.4)")]
    IdleTooShort,
    /// QRESYNC without CONDSTORE or ENABLE.
    #[error("qresync needs condstore and enable")]
    QresyncNeedsCondstore,
}

impl Config {
    /// Checks the cross-limit rules. A session built from a config that
    /// fails them still works, with each value raised to its minimum.
    pub fn check(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        if l.max_line_octets < 1000 || l.max_line_octets_before_login < 1000 {
            return Err(ConfigError::LineTooShort);
        }
        let need = u64::try_from(l.max_line_octets)
            .unwrap_or(u64::MAX)
            .saturating_add(l.max_literal_octets);
        if u64::try_from(l.max_command_octets).unwrap_or(u64::MAX) < need {
            return Err(ConfigError::CommandTooSmall);
        }
        if l.max_output_octets < 1024 {
            return Err(ConfigError::OutputTooSmall);
        }
        if l.idle_authenticated < Duration::from_secs(30 * 60) {
            return Err(ConfigError::IdleTooShort);
        }
        let e = &self.extensions;
        if e.qresync && !(e.condstore && e.enable) {
            return Err(ConfigError::QresyncNeedsCondstore);
        }
        Ok(())
    }
}
