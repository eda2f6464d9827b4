//! Sans-IO SASL (RFC 4422) mechanisms, server and client side.
//!
//! One step API serves SMTP `AUTH` (RFC 4954), POP3 `AUTH` (RFC 5034) and
//! IMAP `AUTHENTICATE` (RFC 3501, RFC 9051, SASL-IR RFC 4959).
//!
//! # What it does
//!
//! - [`server::Authenticator`] runs one exchange of one mechanism. It never
//!   calls back into a user store: when it needs the application it returns
//!   [`server::Step::Verify`] with the identity and the proof the mechanism
//!   carries (a password, a CRAM-MD5 digest, a bearer token, a SCRAM user
//!   lookup), and the application answers later with
//!   [`server::Authenticator::answer`].
//! - [`client::Client`] computes the client's responses, and for SCRAM checks
//!   the server's signature.
//! - [`wire`] holds the line forms the three protocols share: base64 lines,
//!   `*` to cancel, `=` for an empty initial response.
//! - [`Secret`] keeps passwords and tokens out of `Debug` output; digests and
//!   proofs are compared in constant time.
//!
//! # What it does not do
//!
//! No I/O, no clock, no randomness: nonces are arguments ([`Nonce`]). No
//! security layers (no mechanism here negotiates one), no channel binding
//! (SCRAM `-PLUS`), no SASLprep (RFC 4013): SCRAM passwords are used as the
//! UTF-8 bytes given, which matches SASLprep for ASCII passwords. It does not
//! decide which mechanisms to offer: [`Mechanism::is_plaintext`] tells which
//! ones must only be offered under TLS.
//!
//! # Mechanisms
//!
//! | Mechanism       | Source                     | Server | Client |
//! |-----------------|----------------------------|--------|--------|
//! | `PLAIN`         | RFC 4616                   | yes    | yes    |
//! | `LOGIN`         | draft-murchison-sasl-login | yes    | yes    |
//! | `CRAM-MD5`      | RFC 2195                   | yes    | yes    |
//! | `XOAUTH2`       | Google's XOAUTH2 protocol  | yes    | yes    |
//! | `OAUTHBEARER`   | RFC 7628                   | yes    | yes    |
//! | `SCRAM-SHA-1`   | RFC 5802                   | yes    | yes    |
//! | `SCRAM-SHA-256` | RFC 7677                   | yes    | yes    |
//! | `EXTERNAL`      | RFC 4422 appendix A        | yes    | yes    |
//!
//! # Limits
//!
//! | [`Limits`] field        | Default | Bounds                                   |
//! |-------------------------|---------|------------------------------------------|
//! | `max_message_octets`    | 16 384  | one decoded response (server) / challenge (client) |
//! | `min_scram_iterations`  | 4 096   | client: weakest iteration count accepted |
//! | `max_scram_iterations`  | 600 000 | client: CPU spent on a server's request  |
//!
//! # A server PLAIN exchange
//!
//! ```
//! use yubin_sasl::server::{Answer, Authenticator, Step, Verify};
//! use yubin_sasl::{wire, Mechanism, Nonce};
//!
//! // "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm" (SMTP) or SASL-IR (IMAP).
//! let ir = wire::decode_initial_response(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm").unwrap();
//! let mut auth = Authenticator::new(Mechanism::Plain, Nonce::from_entropy([7; 18]), "mx.example");
//! let Step::Verify(Verify::Password { authcid, password, .. }) = auth.start(Some(&ir)) else {
//!     panic!("PLAIN asks the application to check the password");
//! };
//! assert_eq!(authcid, "tim");
//! let ok = password.expose() == "tanstaaftanstaaf"; // the application's store
//! let step = auth.answer(if ok { Answer::Accept } else { Answer::Reject });
//! assert!(matches!(step, Step::Success(ref s) if s.authcid.as_deref() == Some("tim")));
//! ```
//!
//! # A client SCRAM exchange
//!
//! ```
//! use yubin_sasl::client::{Client, Credentials};
//! use yubin_sasl::{Mechanism, Nonce, Secret};
//!
//! // RFC 5802 section 5, the client side.
//! let creds = Credentials::password("user", Secret::new("pencil".to_owned()));
//! let nonce = Nonce::from_printable("fyko+d2lbbFgONRv9qkxdawL").unwrap();
//! let mut client = Client::new(Mechanism::ScramSha1, creds, nonce).unwrap();
//! assert_eq!(
//!     client.initial_response().unwrap(),
//!     b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".to_vec()
//! );
//! let final_msg = client
//!     .step(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
//!     .unwrap();
//! assert_eq!(
//!     final_msg,
//!     b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=".to_vec()
//! );
//! // The server's signature is checked, whether it comes as a last challenge
//! // (SMTP, answered with an empty response) or with the success reply.
//! client.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")).unwrap();
//! ```
#![forbid(unsafe_code)]

pub mod client;
mod ct;
mod gs2;
mod mechanism;
mod nonce;
mod scram;
mod secret;
pub mod server;
pub mod wire;

pub use mechanism::{Mechanism, UnknownMechanism};
pub use nonce::{Nonce, NonceError};
pub use scram::{ScramCredentials, ScramHash, scram_credentials};
pub use secret::Secret;

/// Sizes and counts a peer can influence, with safe defaults.
///
/// One value serves both sides; each field says which side reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest decoded client response the server takes, and largest decoded
    /// server challenge the client takes, in octets.
    ///
    /// Default 16 384: room for OAuth 2.0 bearer tokens (JWTs of a few KiB)
    /// and far above the 3 × 255 octets RFC 4616 §2 requires for PLAIN. The
    /// exchange keeps at most a few such messages (SCRAM keeps the first two
    /// for its signature), so one exchange holds at most about 3 × this much.
    pub max_message_octets: usize,
    /// Client side: the smallest SCRAM iteration count accepted from a
    /// server; fewer fails the exchange.
    ///
    /// Default 4 096, the minimum RFC 5802 §5.1 asks servers to announce.
    /// Lowering it weakens the protection of the password against an
    /// attacker who captures the exchange.
    pub min_scram_iterations: u32,
    /// Client side: the largest SCRAM iteration count accepted from a
    /// server; more fails the exchange instead of burning CPU.
    ///
    /// Default 600 000, the PBKDF2-HMAC-SHA-256 count OWASP's password
    /// storage guidance recommends; no memory depends on it.
    pub max_scram_iterations: u32,
}

impl Limits {
    /// The default limits, usable in `const` contexts.
    pub const DEFAULT: Limits = Limits {
        max_message_octets: 16_384,
        min_scram_iterations: 4_096,
        max_scram_iterations: 600_000,
    };

    /// Sets [`Limits::max_message_octets`].
    #[must_use]
    pub const fn with_max_message_octets(mut self, octets: usize) -> Self {
        self.max_message_octets = octets;
        self
    }

    /// Sets [`Limits::min_scram_iterations`] and
    /// [`Limits::max_scram_iterations`].
    #[must_use]
    pub const fn with_scram_iterations(mut self, min: u32, max: u32) -> Self {
        self.min_scram_iterations = min;
        self.max_scram_iterations = max;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
