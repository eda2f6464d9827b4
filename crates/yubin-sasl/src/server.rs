//! The server side: one [`Authenticator`] per exchange.
//!
//! The protocol session decodes each client line with [`crate::wire`] and
//! feeds the bytes in; every call returns the next [`Step`]:
//!
//! - [`Step::Challenge`]: send these bytes (base64, `334 ` / `+ `), then
//!   call [`Authenticator::step`] with the client's decoded response;
//! - [`Step::Verify`]: ask the application; it answers later with
//!   [`Authenticator::answer`];
//! - [`Step::Success`] / [`Step::Failure`]: the exchange is over.
//!
//! A `*` cancel line ends the exchange in the protocol session; no call is
//! needed here. Any call out of order (a step while an answer is awaited, a
//! step after the end) returns [`Failure::OutOfSequence`] and ends the
//! exchange; nothing panics.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::gs2::{self, Cbind};
use crate::scram::{self, ScramCredentials, ScramHash};
use crate::{Limits, Mechanism, Nonce, Secret, ct, nonce};

/// What the server does next.
#[derive(Debug)]
#[must_use = "a step says what to send or whom to ask"]
pub enum Step {
    /// Send this challenge (raw bytes; [`crate::wire::encode_challenge`]
    /// base64-encodes them) and feed the response to
    /// [`Authenticator::step`].
    Challenge(Vec<u8>),
    /// Ask the application; answer with [`Authenticator::answer`].
    Verify(Verify),
    /// Authenticated.
    Success(Success),
    /// Not authenticated; the exchange is over.
    Failure(Failure),
}

/// The outcome of a successful exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Success {
    /// The authentication identity the client proved (PLAIN, LOGIN,
    /// CRAM-MD5, SCRAM user; XOAUTH2 `user=`). `None` for OAUTHBEARER and
    /// EXTERNAL, where the identity comes from the token or the TLS layer.
    pub authcid: Option<String>,
    /// The identity the client asked to act as, when it named one (PLAIN,
    /// SCRAM and OAUTHBEARER `a=`, EXTERNAL). The application already
    /// approved it when it answered [`Answer::Accept`] or [`Answer::Scram`].
    pub authzid: Option<String>,
    /// Additional data with success: SCRAM's server-final message
    /// (`v=<signature>`). A protocol that cannot carry data with its success
    /// reply sends it as a challenge instead; see
    /// [`Authenticator::success_data_as_challenge`].
    pub additional: Option<Vec<u8>>,
}

/// What the application must check.
#[derive(Debug)]
#[non_exhaustive]
pub enum Verify {
    /// PLAIN or LOGIN: check the password of `authcid`, and whether
    /// `authcid` may act as `authzid` when one is given. Answer
    /// [`Answer::Accept`] or [`Answer::Reject`].
    Password {
        /// The identity to act as (PLAIN only), when not the same as
        /// `authcid`.
        authzid: Option<String>,
        /// The user whose password this is.
        authcid: String,
        /// The password.
        password: Secret<String>,
    },
    /// CRAM-MD5: check the digest with [`CramMd5::verify`] against the
    /// user's shared secret. Answer [`Answer::Accept`] or [`Answer::Reject`].
    CramMd5(CramMd5),
    /// XOAUTH2 or OAUTHBEARER: validate the bearer token. Answer
    /// [`Answer::Accept`], [`Answer::Reject`] or [`Answer::BearerError`];
    /// both refusals send the mechanism's JSON error challenge first.
    Bearer {
        /// XOAUTH2's `user=` or OAUTHBEARER's GS2 authzid, when given.
        user: Option<String>,
        /// The access token, without the `Bearer ` scheme. `None` when an
        /// OAUTHBEARER client sent an empty `auth=` to discover the scope it
        /// needs (RFC 7628 §4.3): answer [`Answer::BearerError`] with the
        /// discovery JSON; [`Answer::Accept`] is then treated as `Reject`.
        token: Option<Secret<String>>,
        /// OAUTHBEARER `host=`, when given.
        host: Option<String>,
        /// OAUTHBEARER `port=`, when given.
        port: Option<u16>,
    },
    /// SCRAM: look up the user's stored credentials for `hash`. Answer
    /// [`Answer::Scram`]; [`Answer::Reject`] for an unknown user (or a
    /// refused `authzid`) runs the exchange on with made-up credentials and
    /// fails at the proof, so the client cannot tell which. The made-up
    /// salt is derived from this exchange's nonce, so it differs between
    /// attempts; to give an unknown user a stable salt, answer
    /// [`Answer::Scram`] with credentials derived from a server secret and
    /// the user name (the proof then fails as for a wrong password).
    ScramLookup {
        /// The user name.
        authcid: String,
        /// The identity to act as, when given.
        authzid: Option<String>,
        /// The hash the credentials must be derived with.
        hash: ScramHash,
    },
    /// EXTERNAL: check that the external identity (a TLS client
    /// certificate) may act as `authzid`, or is enough on its own when
    /// `None`. Answer [`Answer::Accept`] or [`Answer::Reject`].
    External {
        /// The requested identity; `None` when the client sent none.
        authzid: Option<String>,
    },
}

/// A CRAM-MD5 response to check (RFC 2195 §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CramMd5 {
    /// The user name.
    pub user: String,
    /// The challenge the server sent, e.g. `<1896.697170952@host>`.
    pub challenge: String,
    /// The client's HMAC-MD5 digest.
    pub digest: [u8; 16],
}

impl CramMd5 {
    /// True when `digest` is HMAC-MD5(`secret`, challenge), compared in
    /// constant time.
    pub fn verify(&self, secret: &[u8]) -> bool {
        use hmac::{Hmac, Mac};
        match Hmac::<md5::Md5>::new_from_slice(secret) {
            Ok(mac) => mac
                .chain_update(self.challenge.as_bytes())
                .verify_slice(&self.digest)
                .is_ok(),
            // HMAC takes keys of any length; fail closed all the same.
            Err(_) => false,
        }
    }
}

/// The application's answer to a [`Step::Verify`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Answer {
    /// The credentials are good: password, digest, token or external
    /// identity, and the authorization identity when one was given.
    Accept,
    /// The credentials are bad, or the user is unknown.
    Reject,
    /// The credential store cannot answer now; the exchange fails with
    /// [`Failure::Unavailable`] (SMTP `454 4.7.0`, IMAP `NO [UNAVAILABLE]`,
    /// POP3 `-ERR [SYS/TEMP]`).
    Unavailable,
    /// Bearer mechanisms: refuse with this JSON error (RFC 7628 §3.2.2, e.g.
    /// `{"status":"invalid_token","scope":"..."}`), sent as a challenge
    /// before the exchange fails. Other mechanisms treat it as `Reject`.
    BearerError(String),
    /// SCRAM: the user's stored credentials.
    Scram(ScramCredentials),
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// The client's message broke the mechanism's grammar (missing NUL,
    /// bad UTF-8, bad GS2 header, unexpected initial response, ...).
    #[error("malformed sasl message: {0}")]
    Malformed(&'static str),
    /// A client message was longer than [`Limits::max_message_octets`].
    #[error("sasl message too long")]
    TooLong,
    /// SCRAM: the client asked for channel binding (`p=`), which this
    /// server does not offer.
    #[error("channel binding not supported")]
    ChannelBindingUnsupported,
    /// SCRAM: the nonce in the final message is not the one the server
    /// sent (a replay or a mix-up).
    #[error("scram nonce mismatch")]
    NonceMismatch,
    /// SCRAM: the client proof is wrong (bad password or unknown user).
    #[error("invalid scram proof")]
    InvalidProof,
    /// The application rejected the credentials (after the error round for
    /// bearer mechanisms).
    #[error("credentials rejected")]
    Rejected,
    /// The application could not check the credentials now.
    #[error("authentication temporarily unavailable")]
    Unavailable,
    /// A call out of order: a step while an answer was awaited, an answer
    /// that does not fit the question, or any call after the end.
    #[error("sasl step out of sequence")]
    OutOfSequence,
}

/// How a protocol should answer a [`Failure`]. Deliberately exhaustive so a
/// protocol crate can map it with a `match` without a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The client sent something malformed (SMTP `501 5.5.2`, IMAP `BAD`,
    /// POP3 `-ERR`).
    Malformed,
    /// Authentication failed (SMTP `535 5.7.8`, IMAP
    /// `NO [AUTHENTICATIONFAILED]`, POP3 `-ERR [AUTH]`).
    Rejected,
    /// A temporary problem on the server side (SMTP `454 4.7.0`, IMAP
    /// `NO [UNAVAILABLE]`, POP3 `-ERR [SYS/TEMP]`).
    Temporary,
}

impl Failure {
    /// The class of reply this failure calls for.
    pub const fn kind(&self) -> FailureKind {
        match self {
            Failure::Malformed(_) | Failure::TooLong | Failure::ChannelBindingUnsupported => {
                FailureKind::Malformed
            }
            Failure::NonceMismatch | Failure::InvalidProof | Failure::Rejected => {
                FailureKind::Rejected
            }
            Failure::Unavailable | Failure::OutOfSequence => FailureKind::Temporary,
        }
    }
}

/// One server-side exchange of one mechanism.
#[derive(Debug)]
pub struct Authenticator {
    mechanism: Mechanism,
    nonce: Nonce,
    hostname: String,
    limits: Limits,
    success_data_as_challenge: bool,
    state: State,
}

/// The exchange's states; each names what it waits for.
#[derive(Debug)]
enum State {
    /// `start` not yet called.
    New,
    /// A client-first mechanism sent an empty challenge; its first message
    /// comes as a response.
    AwaitFirst,
    /// LOGIN: "Username:" sent.
    LoginUser,
    /// LOGIN: "Password:" sent.
    LoginPassword { user: String },
    /// CRAM-MD5: challenge sent.
    CramResponse { challenge: String },
    /// `Step::Verify` returned; waiting for `answer`.
    Pending(Pending),
    /// Bearer: error challenge sent; the client's dummy response ends it.
    BearerErrorSent,
    /// SCRAM: server-first sent; waiting for the client-final message.
    ScramFinal(Box<ScramServer>),
    /// SCRAM: server-final sent as a challenge; waiting for the empty
    /// response.
    ScramAck {
        authcid: String,
        authzid: Option<String>,
    },
    /// Over.
    Done,
}

/// What a pending `Verify` was about.
#[derive(Debug)]
enum Pending {
    Simple {
        authcid: Option<String>,
        authzid: Option<String>,
    },
    Bearer {
        user: Option<String>,
        has_token: bool,
    },
    Scram(Box<ScramFirst>),
}

/// SCRAM: what the client-first message said.
#[derive(Debug)]
struct ScramFirst {
    authcid: String,
    authzid: Option<String>,
    /// The GS2 header bytes, echoed base64 in `c=`.
    gs2_header: Vec<u8>,
    /// `client-first-message-bare`.
    bare: Vec<u8>,
    client_nonce: String,
}

/// SCRAM: state between server-first and client-final.
#[derive(Debug)]
struct ScramServer {
    first: ScramFirst,
    server_first: Vec<u8>,
    credentials: ScramCredentials,
    /// Made-up credentials for an unknown user: the proof always fails.
    fake: bool,
}

impl Authenticator {
    /// A new exchange. `nonce` is the caller's fresh entropy (CRAM-MD5
    /// challenge, SCRAM server nonce); `hostname` goes into the CRAM-MD5
    /// challenge. Uses [`Limits::DEFAULT`].
    pub fn new(mechanism: Mechanism, nonce: Nonce, hostname: &str) -> Self {
        Authenticator {
            mechanism,
            nonce,
            hostname: hostname.to_owned(),
            limits: Limits::DEFAULT,
            success_data_as_challenge: false,
            state: State::New,
        }
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// For protocols whose success reply cannot carry SASL data (SMTP,
    /// RFC 4954 §4; IMAP4rev1 without SASL-IR practice): SCRAM's
    /// server-final message is sent as a last [`Step::Challenge`], the
    /// client answers with an empty response, and [`Step::Success`] then
    /// has `additional: None`.
    #[must_use]
    pub fn success_data_as_challenge(mut self) -> Self {
        self.success_data_as_challenge = true;
        self
    }

    /// The mechanism of this exchange.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// True once the exchange has ended (success or failure).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Starts the exchange, with the client's decoded initial response if it
    /// sent one (`Some(b"")` for an empty one, `=` on the wire).
    pub fn start(&mut self, initial_response: Option<&[u8]>) -> Step {
        if !matches!(self.state, State::New) {
            return self.fail(Failure::OutOfSequence);
        }
        if initial_response.is_some_and(|ir| ir.len() > self.limits.max_message_octets) {
            return self.fail(Failure::TooLong);
        }
        match (self.mechanism, initial_response) {
            (Mechanism::Login, None) => self.challenge(State::LoginUser, b"Username:".to_vec()),
            // Common practice (not in the draft): "AUTH LOGIN <user>".
            (Mechanism::Login, Some(user)) => self.login_user(user),
            (Mechanism::CramMd5, None) => {
                let challenge = format!("<{}@{}>", self.nonce.as_str(), self.hostname);
                let bytes = challenge.clone().into_bytes();
                self.challenge(State::CramResponse { challenge }, bytes)
            }
            (Mechanism::CramMd5, Some(_)) => self.fail(Failure::Malformed(
                "initial response for a server-first mechanism",
            )),
            (_, None) => self.challenge(State::AwaitFirst, Vec::new()),
            (_, Some(first)) => self.first_message(first),
        }
    }

    /// Feeds the client's decoded response to the last challenge.
    pub fn step(&mut self, response: &[u8]) -> Step {
        if response.len() > self.limits.max_message_octets {
            return self.fail(Failure::TooLong);
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::AwaitFirst => self.first_message(response),
            State::LoginUser => self.login_user(response),
            State::LoginPassword { user } => match utf8(response, "password is not utf-8") {
                Ok(p) if !p.is_empty() => self.verify(
                    Pending::Simple {
                        authcid: Some(user.clone()),
                        authzid: None,
                    },
                    Verify::Password {
                        authzid: None,
                        authcid: user,
                        password: Secret::new(p),
                    },
                ),
                Ok(_) => self.fail(Failure::Malformed("empty password")),
                Err(f) => self.fail(f),
            },
            State::CramResponse { challenge } => self.cram_response(challenge, response),
            // RFC 7628 §3.2.3: the client's dummy response (^A) ends the
            // failed exchange; XOAUTH2 clients send an empty one.
            State::BearerErrorSent => self.fail(Failure::Rejected),
            State::ScramFinal(s) => self.scram_final(*s, response),
            State::ScramAck { authcid, authzid } => {
                if response.is_empty() {
                    self.succeed(Some(authcid), authzid, None)
                } else {
                    self.fail(Failure::Malformed("non-empty response to server-final"))
                }
            }
            State::New | State::Pending(_) | State::Done => self.fail(Failure::OutOfSequence),
        }
    }

    /// The application's answer to the last [`Step::Verify`].
    pub fn answer(&mut self, answer: Answer) -> Step {
        let State::Pending(pending) = std::mem::replace(&mut self.state, State::Done) else {
            return self.fail(Failure::OutOfSequence);
        };
        match (pending, answer) {
            (_, Answer::Unavailable) => self.fail(Failure::Unavailable),
            (Pending::Simple { authcid, authzid }, Answer::Accept) => {
                self.succeed(authcid, authzid, None)
            }
            (Pending::Simple { .. }, Answer::Reject | Answer::BearerError(_)) => {
                self.fail(Failure::Rejected)
            }
            (
                Pending::Bearer {
                    user,
                    has_token: true,
                },
                Answer::Accept,
            ) => match self.mechanism {
                Mechanism::XOAuth2 => self.succeed(user, None, None),
                _ => self.succeed(None, user, None),
            },
            (
                Pending::Bearer {
                    has_token: false, ..
                },
                Answer::Accept,
            )
            | (Pending::Bearer { .. }, Answer::Reject) => {
                let json = match self.mechanism {
                    Mechanism::XOAuth2 => r#"{"status":"401","schemes":"bearer"}"#,
                    _ => r#"{"status":"invalid_token"}"#,
                };
                self.challenge(State::BearerErrorSent, json.as_bytes().to_vec())
            }
            (Pending::Bearer { .. }, Answer::BearerError(json)) => {
                self.challenge(State::BearerErrorSent, json.into_bytes())
            }
            (Pending::Scram(first), Answer::Scram(credentials)) => {
                if credentials.hash != self.scram_hash()
                    || credentials.stored_key.expose().len() != credentials.hash.output_octets()
                    || credentials.server_key.expose().len() != credentials.hash.output_octets()
                {
                    return self.fail(Failure::OutOfSequence);
                }
                self.server_first(*first, credentials, false)
            }
            (Pending::Scram(first), Answer::Reject | Answer::BearerError(_)) => {
                let hash = self.scram_hash();
                // A salt that looks real: derived from this exchange's nonce
                // and the user name, so nothing about the user leaks.
                let mut seed = self.nonce.as_str().as_bytes().to_vec();
                seed.push(0);
                seed.extend_from_slice(first.authcid.as_bytes());
                let mut salt = hash.hash(&seed);
                salt.truncate(16);
                let zero = vec![0u8; hash.output_octets()];
                let credentials = ScramCredentials {
                    hash,
                    salt,
                    iterations: 4096,
                    stored_key: Secret::new(zero.clone()),
                    server_key: Secret::new(zero),
                };
                self.server_first(*first, credentials, true)
            }
            (Pending::Simple { .. } | Pending::Bearer { .. }, Answer::Scram(_))
            | (Pending::Scram(_), Answer::Accept) => self.fail(Failure::OutOfSequence),
        }
    }

    fn scram_hash(&self) -> ScramHash {
        match self.mechanism {
            Mechanism::ScramSha1 => ScramHash::Sha1,
            _ => ScramHash::Sha256,
        }
    }

    fn challenge(&mut self, next: State, bytes: Vec<u8>) -> Step {
        self.state = next;
        Step::Challenge(bytes)
    }

    fn verify(&mut self, pending: Pending, verify: Verify) -> Step {
        self.state = State::Pending(pending);
        Step::Verify(verify)
    }

    fn fail(&mut self, failure: Failure) -> Step {
        self.state = State::Done;
        Step::Failure(failure)
    }

    fn succeed(
        &mut self,
        authcid: Option<String>,
        authzid: Option<String>,
        additional: Option<Vec<u8>>,
    ) -> Step {
        self.state = State::Done;
        Step::Success(Success {
            authcid,
            authzid,
            additional,
        })
    }

    /// The first message of a client-first mechanism.
    fn first_message(&mut self, msg: &[u8]) -> Step {
        match self.mechanism {
            Mechanism::Plain => self.plain(msg),
            Mechanism::XOAuth2 => self.xoauth2(msg),
            Mechanism::OAuthBearer => self.oauthbearer(msg),
            Mechanism::ScramSha1 | Mechanism::ScramSha256 => self.scram_first(msg),
            Mechanism::External => self.external(msg),
            // Server-first mechanisms never wait in `AwaitFirst`.
            Mechanism::Login | Mechanism::CramMd5 => self.fail(Failure::OutOfSequence),
        }
    }

    /// RFC 4616 §2: `message = [authzid] UTF8NUL authcid UTF8NUL passwd`.
    fn plain(&mut self, msg: &[u8]) -> Step {
        let mut parts = msg.split(|&b| b == 0);
        let (Some(authzid), Some(authcid), Some(passwd), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return self.fail(Failure::Malformed("plain message needs exactly two NULs"));
        };
        let fields = (
            utf8(authzid, "authzid is not utf-8"),
            utf8(authcid, "authcid is not utf-8"),
            utf8(passwd, "password is not utf-8"),
        );
        let (authzid, authcid, passwd) = match fields {
            (Ok(z), Ok(c), Ok(p)) => (z, c, p),
            (Err(f), _, _) | (_, Err(f), _) | (_, _, Err(f)) => return self.fail(f),
        };
        if authcid.is_empty() || passwd.is_empty() {
            return self.fail(Failure::Malformed("empty plain authcid or password"));
        }
        let authzid = (!authzid.is_empty()).then_some(authzid);
        self.verify(
            Pending::Simple {
                authcid: Some(authcid.clone()),
                authzid: authzid.clone(),
            },
            Verify::Password {
                authzid,
                authcid,
                password: Secret::new(passwd),
            },
        )
    }

    fn login_user(&mut self, user: &[u8]) -> Step {
        match utf8(user, "user name is not utf-8") {
            Ok(user) if !user.is_empty() => {
                self.challenge(State::LoginPassword { user }, b"Password:".to_vec())
            }
            Ok(_) => self.fail(Failure::Malformed("empty user name")),
            Err(f) => self.fail(f),
        }
    }

    /// RFC 2195 §2: `user SP digest`, digest 32 lower-case hex digits.
    fn cram_response(&mut self, challenge: String, response: &[u8]) -> Step {
        let Some(space) = response.iter().rposition(|&b| b == b' ') else {
            return self.fail(Failure::Malformed("cram-md5 response without space"));
        };
        let (user, hex) = (response.get(..space), response.get(space + 1..));
        let (Some(user), Some(hex)) = (user, hex) else {
            return self.fail(Failure::Malformed("cram-md5 response"));
        };
        let Some(digest) = parse_hex16(hex) else {
            return self.fail(Failure::Malformed(
                "cram-md5 digest is not 32 lower-case hex",
            ));
        };
        match utf8(user, "user name is not utf-8") {
            Ok(user) if !user.is_empty() => self.verify(
                Pending::Simple {
                    authcid: Some(user.clone()),
                    authzid: None,
                },
                Verify::CramMd5(CramMd5 {
                    user,
                    challenge,
                    digest,
                }),
            ),
            Ok(_) => self.fail(Failure::Malformed("empty user name")),
            Err(f) => self.fail(f),
        }
    }

    /// Google's XOAUTH2: `user=<user>^Aauth=Bearer <token>^A^A`.
    fn xoauth2(&mut self, msg: &[u8]) -> Step {
        let pairs = match gs2::parse_kv_list(msg) {
            Ok(p) => p,
            Err(m) => return self.fail(Failure::Malformed(m)),
        };
        let user = pairs.iter().find(|(k, _)| *k == "user").map(|(_, v)| *v);
        let auth = pairs.iter().find(|(k, _)| *k == "auth").map(|(_, v)| *v);
        let (Some(user), Some(auth)) = (user, auth) else {
            return self.fail(Failure::Malformed("xoauth2 needs user and auth"));
        };
        if user.is_empty() {
            return self.fail(Failure::Malformed("empty xoauth2 user"));
        }
        let Some(token) = gs2::bearer_token(auth) else {
            return self.fail(Failure::Malformed("xoauth2 auth is not a bearer token"));
        };
        let user = Some(user.to_owned());
        self.verify(
            Pending::Bearer {
                user: user.clone(),
                has_token: true,
            },
            Verify::Bearer {
                user,
                token: Some(Secret::new(token.to_owned())),
                host: None,
                port: None,
            },
        )
    }

    /// RFC 7628 §3.1: `gs2-header kvsep *kvpair kvsep`.
    fn oauthbearer(&mut self, msg: &[u8]) -> Step {
        let (header, rest) = match gs2::parse_gs2_header(msg) {
            Ok(h) => h,
            Err(m) => return self.fail(Failure::Malformed(m)),
        };
        if header.cbind == Cbind::Required {
            return self.fail(Failure::ChannelBindingUnsupported);
        }
        let Some(list) = rest.strip_prefix(b"\x01") else {
            return self.fail(Failure::Malformed(
                "oauthbearer gs2 header not followed by ^A",
            ));
        };
        let pairs = match gs2::parse_kv_list(list) {
            Ok(p) => p,
            Err(m) => return self.fail(Failure::Malformed(m)),
        };
        let mut auth = None;
        let mut host = None;
        let mut port = None;
        // Unknown keys are ignored (RFC 7628 §3.1).
        for (k, v) in pairs {
            match k {
                "auth" => auth = Some(v),
                "host" => host = Some(v.to_owned()),
                "port" => match parse_port(v) {
                    Some(p) => port = Some(p),
                    None => return self.fail(Failure::Malformed("bad oauthbearer port")),
                },
                _ => {}
            }
        }
        let Some(auth) = auth else {
            return self.fail(Failure::Malformed("oauthbearer without auth"));
        };
        // RFC 7628 §4.3: an empty auth asks for the error (discovery) reply.
        let token = match (auth, gs2::bearer_token(auth)) {
            ("", _) => None,
            (_, Some(token)) => Some(Secret::new(token.to_owned())),
            (_, None) => {
                return self.fail(Failure::Malformed("oauthbearer auth is not a bearer token"));
            }
        };
        self.verify(
            Pending::Bearer {
                user: header.authzid.clone(),
                has_token: token.is_some(),
            },
            Verify::Bearer {
                user: header.authzid,
                token,
                host,
                port,
            },
        )
    }

    /// RFC 4422 appendix A: the message is the authzid, possibly empty.
    fn external(&mut self, msg: &[u8]) -> Step {
        match utf8(msg, "authzid is not utf-8") {
            Ok(z) if z.contains('\0') => self.fail(Failure::Malformed("NUL in authzid")),
            Ok(z) => {
                let authzid = (!z.is_empty()).then_some(z);
                self.verify(
                    Pending::Simple {
                        authcid: None,
                        authzid: authzid.clone(),
                    },
                    Verify::External { authzid },
                )
            }
            Err(f) => self.fail(f),
        }
    }

    /// RFC 5802 §7: `client-first-message = gs2-header client-first-message-bare`.
    fn scram_first(&mut self, msg: &[u8]) -> Step {
        let (header, bare) = match gs2::parse_gs2_header(msg) {
            Ok(h) => h,
            Err(m) => return self.fail(Failure::Malformed(m)),
        };
        if header.cbind == Cbind::Required {
            return self.fail(Failure::ChannelBindingUnsupported);
        }
        let Some(gs2_header) = msg.get(..header.raw_len) else {
            return self.fail(Failure::Malformed("gs2 header"));
        };
        if bare.starts_with(b"m=") {
            return self.fail(Failure::Malformed("unsupported mandatory scram extension"));
        }
        let mut attrs = bare.split(|&b| b == b',');
        let user = attrs.next().and_then(|a| a.strip_prefix(b"n="));
        let nonce = attrs.next().and_then(|a| a.strip_prefix(b"r="));
        let (Some(user), Some(nonce)) = (user, nonce) else {
            return self.fail(Failure::Malformed("scram client-first needs n= and r="));
        };
        if !attrs.all(is_extension) {
            return self.fail(Failure::Malformed("bad scram extension"));
        }
        let Some(authcid) = gs2::decode_saslname(user) else {
            return self.fail(Failure::Malformed("bad scram user name"));
        };
        if nonce.is_empty() || !nonce.iter().copied().all(nonce::is_printable) {
            return self.fail(Failure::Malformed("bad scram client nonce"));
        }
        // Printable ASCII, checked above.
        let client_nonce = String::from_utf8_lossy(nonce).into_owned();
        let hash = self.scram_hash();
        let first = ScramFirst {
            authcid: authcid.clone(),
            authzid: header.authzid.clone(),
            gs2_header: gs2_header.to_vec(),
            bare: bare.to_vec(),
            client_nonce,
        };
        self.verify(
            Pending::Scram(Box::new(first)),
            Verify::ScramLookup {
                authcid,
                authzid: header.authzid,
                hash,
            },
        )
    }

    /// `server-first-message = nonce "," salt "," iteration-count`.
    fn server_first(
        &mut self,
        first: ScramFirst,
        credentials: ScramCredentials,
        fake: bool,
    ) -> Step {
        let server_first = format!(
            "r={}{},s={},i={}",
            first.client_nonce,
            self.nonce.as_str(),
            STANDARD.encode(&credentials.salt),
            credentials.iterations
        )
        .into_bytes();
        let state = State::ScramFinal(Box::new(ScramServer {
            first,
            server_first: server_first.clone(),
            credentials,
            fake,
        }));
        self.challenge(state, server_first)
    }

    /// `client-final-message = channel-binding "," nonce ["," extensions] "," proof`.
    fn scram_final(&mut self, s: ScramServer, msg: &[u8]) -> Step {
        let Some(comma) = msg.iter().rposition(|&b| b == b',') else {
            return self.fail(Failure::Malformed("scram client-final without proof"));
        };
        let (Some(without_proof), Some(proof)) = (msg.get(..comma), msg.get(comma + 1..)) else {
            return self.fail(Failure::Malformed("scram client-final"));
        };
        let Some(proof) = proof.strip_prefix(b"p=") else {
            return self.fail(Failure::Malformed("scram client-final does not end in p="));
        };
        let Ok(proof) = STANDARD.decode(proof) else {
            return self.fail(Failure::Malformed("scram proof is not base64"));
        };
        let mut attrs = without_proof.split(|&b| b == b',');
        let cbind = attrs.next().and_then(|a| a.strip_prefix(b"c="));
        let nonce = attrs.next().and_then(|a| a.strip_prefix(b"r="));
        let (Some(cbind), Some(nonce)) = (cbind, nonce) else {
            return self.fail(Failure::Malformed("scram client-final needs c= and r="));
        };
        if !attrs.all(is_extension) {
            return self.fail(Failure::Malformed("bad scram extension"));
        }
        match STANDARD.decode(cbind) {
            Ok(c) if c == s.first.gs2_header => {}
            Ok(_) => {
                return self.fail(Failure::Malformed("scram c= does not match the gs2 header"));
            }
            Err(_) => return self.fail(Failure::Malformed("scram c= is not base64")),
        }
        let expected = [
            s.first.client_nonce.as_bytes(),
            self.nonce.as_str().as_bytes(),
        ]
        .concat();
        if !ct::eq(nonce, &expected) {
            return self.fail(Failure::NonceMismatch);
        }
        let hash = s.credentials.hash;
        let auth_message = [
            &s.first.bare[..],
            b",",
            &s.server_first,
            b",",
            without_proof,
        ]
        .concat();
        let stored_key = s.credentials.stored_key.expose();
        let client_signature = hash.hmac(stored_key, &auth_message);
        let client_key = scram::xor(&proof, &client_signature);
        let good = ct::eq(&hash.hash(&client_key), stored_key);
        if !good || s.fake {
            return self.fail(Failure::InvalidProof);
        }
        let server_signature = hash.hmac(s.credentials.server_key.expose(), &auth_message);
        let server_final = format!("v={}", STANDARD.encode(server_signature)).into_bytes();
        let ScramFirst {
            authcid, authzid, ..
        } = s.first;
        if self.success_data_as_challenge {
            self.challenge(State::ScramAck { authcid, authzid }, server_final)
        } else {
            self.succeed(Some(authcid), authzid, Some(server_final))
        }
    }
}

/// A field that must be UTF-8.
fn utf8(bytes: &[u8], what: &'static str) -> Result<String, Failure> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Failure::Malformed(what))
}

/// `attr-val = ALPHA "=" value` (RFC 5802 §7), for extensions we ignore.
fn is_extension(attr: &[u8]) -> bool {
    matches!(attr, [a, b'=', ..] if a.is_ascii_alphabetic())
}

/// 32 lower-case hex digits into 16 octets.
fn parse_hex16(hex: &[u8]) -> Option<[u8; 16]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *o = (nibble(*hi)? << 4) | nibble(*lo)?;
    }
    Some(out)
}

/// RFC 7628 §3.1: "a decimal positive integer string without leading zeros".
fn parse_port(v: &str) -> Option<u16> {
    if v.starts_with('0') || v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}
