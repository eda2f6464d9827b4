//! The client side: one [`Client`] per exchange.
//!
//! Send [`Client::initial_response`] with the command when the protocol
//! allows one (SMTP `AUTH`, POP3 `AUTH`, IMAP SASL-IR) and the mechanism
//! speaks first; answer every server challenge with [`Client::step`]; when
//! the server reports success, call [`Client::finish`] with the data that
//! came with it, so SCRAM can check that the server knew the password too.
//!
//! A client that cannot send an initial response just skips
//! [`Client::initial_response`]: its first message then answers the
//! server's empty challenge.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::gs2;
use crate::scram::{self, Keys, ScramHash};
use crate::{Limits, Mechanism, Nonce, Secret, ct, nonce};

/// What the client proves itself with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// A password: PLAIN, LOGIN, CRAM-MD5 (the shared secret), SCRAM.
    Password {
        /// The identity to act as (PLAIN, SCRAM), when not `authcid`.
        authzid: Option<String>,
        /// The user name.
        authcid: String,
        /// The password.
        password: Secret<String>,
    },
    /// An OAuth 2.0 access token: XOAUTH2, OAUTHBEARER.
    Bearer {
        /// The user (XOAUTH2 `user=`, required there; OAUTHBEARER's
        /// authzid, optional).
        user: Option<String>,
        /// The access token. For OAUTHBEARER an empty token sends an empty
        /// `auth=`, which asks the server for the scope it needs (RFC 7628
        /// §4.3); the exchange then fails with the server's error.
        token: Secret<String>,
        /// OAUTHBEARER `host=`: the server name the client connected to.
        host: Option<String>,
        /// OAUTHBEARER `port=`: the port the client connected to.
        port: Option<u16>,
    },
    /// EXTERNAL: the identity comes from TLS; optionally ask to act as
    /// `authzid`.
    External {
        /// The identity to act as; `None` derives it from the certificate.
        authzid: Option<String>,
    },
}

impl Credentials {
    /// A user name and password, with no separate authorization identity.
    pub fn password(authcid: &str, password: Secret<String>) -> Self {
        Credentials::Password {
            authzid: None,
            authcid: authcid.to_owned(),
            password,
        }
    }

    /// A user and an OAuth 2.0 access token, without host and port.
    pub fn bearer(user: &str, token: Secret<String>) -> Self {
        Credentials::Bearer {
            user: Some(user.to_owned()),
            token,
            host: None,
            port: None,
        }
    }
}

/// Why the client side of an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The credentials do not fit the mechanism (a token for PLAIN, a
    /// password for XOAUTH2), or a field cannot be sent (a NUL in a PLAIN
    /// field, an empty user).
    #[error("credentials do not fit the mechanism")]
    Credentials,
    /// A challenge broke the mechanism's grammar.
    #[error("malformed server challenge: {0}")]
    Malformed(&'static str),
    /// A challenge was longer than [`Limits::max_message_octets`].
    #[error("server challenge too long")]
    TooLong,
    /// SCRAM: the server nonce does not extend the client nonce.
    #[error("scram nonce mismatch")]
    NonceMismatch,
    /// SCRAM: the iteration count is outside
    /// [`Limits::min_scram_iterations`]..=[`Limits::max_scram_iterations`].
    #[error("scram iteration count out of range")]
    IterationCount,
    /// SCRAM: the server signature is wrong: the server does not know the
    /// password (or the exchange was tampered with).
    #[error("server signature mismatch")]
    ServerSignature,
    /// SCRAM `e=`, or the bearer mechanisms' JSON error: the server refused.
    #[error("server refused: {0}")]
    ServerError(String),
    /// A call out of order, or success claimed before the server proved
    /// itself (SCRAM).
    #[error("sasl client step out of sequence")]
    OutOfSequence,
}

/// One client-side exchange of one mechanism.
#[derive(Debug)]
pub struct Client {
    mechanism: Mechanism,
    credentials: Credentials,
    nonce: Nonce,
    limits: Limits,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Nothing sent yet.
    New,
    /// LOGIN: user name sent, password next.
    LoginUserSent,
    /// The last message is sent; only a bearer error challenge may follow.
    Sent,
    /// Bearer: the dummy response to the error challenge is sent.
    BearerErrorAnswered(String),
    /// SCRAM: client-first sent.
    ScramFirstSent {
        /// `client-first-message-bare`
        bare: String,
        gs2_header: String,
    },
    /// SCRAM: client-final sent; the server signature it must send.
    ScramFinalSent { server_signature: Vec<u8> },
    /// SCRAM: server signature checked.
    Verified,
    /// Over (finished or failed).
    Done,
}

impl Client {
    /// A new exchange. `nonce` is the SCRAM client nonce (caller entropy);
    /// other mechanisms ignore it. Fails when the credentials do not fit
    /// the mechanism.
    pub fn new(
        mechanism: Mechanism,
        credentials: Credentials,
        nonce: Nonce,
    ) -> Result<Self, ClientError> {
        let fits = match (&credentials, mechanism) {
            (
                Credentials::Password {
                    authzid,
                    authcid,
                    password,
                },
                Mechanism::Plain,
            ) => {
                !authcid.is_empty()
                    && !password.expose().is_empty()
                    && ![
                        Some(authcid.as_str()),
                        authzid.as_deref(),
                        Some(password.expose()),
                    ]
                    .into_iter()
                    .flatten()
                    .any(|f| f.contains('\0'))
            }
            (
                Credentials::Password {
                    authzid, authcid, ..
                },
                Mechanism::ScramSha1 | Mechanism::ScramSha256,
            ) => !authcid.is_empty() && authzid.as_deref() != Some(""),
            (
                Credentials::Password {
                    authzid: None,
                    authcid,
                    password,
                },
                Mechanism::Login,
            ) => !authcid.is_empty() && !password.expose().is_empty(),
            (
                Credentials::Password {
                    authzid: None,
                    authcid,
                    ..
                },
                Mechanism::CramMd5,
            ) => !authcid.is_empty(),
            (Credentials::Bearer { user, token, .. }, Mechanism::XOAuth2) => {
                user.as_deref()
                    .is_some_and(|u| !u.is_empty() && !u.contains('\x01'))
                    && bearer_ok(token.expose())
            }
            (
                Credentials::Bearer {
                    user, token, host, ..
                },
                Mechanism::OAuthBearer,
            ) => {
                user.as_deref() != Some("")
                    && (token.expose().is_empty() || bearer_ok(token.expose()))
                    && host
                        .as_deref()
                        .is_none_or(|h| h.bytes().all(|b| (0x20..=0x7e).contains(&b)))
            }
            (Credentials::External { authzid }, Mechanism::External) => {
                authzid.as_deref().is_none_or(|z| !z.contains('\0'))
            }
            _ => false,
        };
        if !fits {
            return Err(ClientError::Credentials);
        }
        Ok(Client {
            mechanism,
            credentials,
            nonce,
            limits: Limits::DEFAULT,
            state: State::New,
        })
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The mechanism of this exchange.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The client's first message, to send as the initial response, for
    /// client-first mechanisms ([`Mechanism::is_client_first`]); `None`
    /// for LOGIN and CRAM-MD5 and when called after the exchange began.
    /// Encode it with [`crate::wire::encode_initial_response`].
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        if !matches!(self.state, State::New) || !self.mechanism.is_client_first() {
            return None;
        }
        Some(self.first_message())
    }

    /// The response to a decoded server challenge.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        if challenge.len() > self.limits.max_message_octets {
            self.state = State::Done;
            return Err(ClientError::TooLong);
        }
        let result = self.step_inner(challenge);
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    fn step_inner(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::New => match self.mechanism {
                // The draft: "The contents of both challenges SHOULD be ignored."
                Mechanism::Login => {
                    self.state = State::LoginUserSent;
                    Ok(self.authcid().as_bytes().to_vec())
                }
                Mechanism::CramMd5 => {
                    self.state = State::Sent;
                    Ok(self.cram_md5(challenge))
                }
                _ if challenge.is_empty() => Ok(self.first_message()),
                _ => Err(ClientError::Malformed("non-empty first challenge")),
            },
            State::LoginUserSent => {
                self.state = State::Sent;
                Ok(self.password().as_bytes().to_vec())
            }
            State::Sent => match self.mechanism {
                // RFC 7628 §3.2.3: answer the error with a lone ^A.
                Mechanism::OAuthBearer => {
                    self.state = State::BearerErrorAnswered(lossy(challenge));
                    Ok(b"\x01".to_vec())
                }
                // XOAUTH2: answer the error with an empty response.
                Mechanism::XOAuth2 => {
                    self.state = State::BearerErrorAnswered(lossy(challenge));
                    Ok(Vec::new())
                }
                _ => Err(ClientError::OutOfSequence),
            },
            State::ScramFirstSent { bare, gs2_header } => {
                self.scram_final(&bare, &gs2_header, challenge)
            }
            State::ScramFinalSent { server_signature } => {
                check_server_final(&server_signature, challenge)?;
                self.state = State::Verified;
                Ok(Vec::new())
            }
            State::BearerErrorAnswered(_) | State::Verified | State::Done => {
                Err(ClientError::OutOfSequence)
            }
        }
    }

    /// The server reported success, with `additional` data if the protocol
    /// carried any. For SCRAM this checks the server signature, unless a
    /// challenge already carried it; success without it is an error.
    pub fn finish(&mut self, additional: Option<&[u8]>) -> Result<(), ClientError> {
        match (std::mem::replace(&mut self.state, State::Done), additional) {
            (State::ScramFinalSent { server_signature }, Some(data)) => {
                check_server_final(&server_signature, data)
            }
            // Nothing (or nothing but an empty string) to check.
            (State::Verified | State::Sent, None | Some(b"")) => Ok(()),
            _ => Err(ClientError::OutOfSequence),
        }
    }

    /// The error the server sent before failing a bearer exchange
    /// (OAUTHBEARER or XOAUTH2 JSON), once answered.
    pub fn bearer_error(&self) -> Option<&str> {
        match &self.state {
            State::BearerErrorAnswered(json) => Some(json),
            _ => None,
        }
    }

    fn authcid(&self) -> &str {
        match &self.credentials {
            Credentials::Password { authcid, .. } => authcid,
            Credentials::Bearer { .. } | Credentials::External { .. } => "",
        }
    }

    fn password(&self) -> &str {
        match &self.credentials {
            Credentials::Password { password, .. } => password.expose(),
            Credentials::Bearer { .. } | Credentials::External { .. } => "",
        }
    }

    /// The first message of a client-first mechanism; sets the next state.
    fn first_message(&mut self) -> Vec<u8> {
        self.state = State::Sent;
        match (&self.credentials, self.mechanism) {
            (
                Credentials::Password {
                    authzid,
                    authcid,
                    password,
                },
                Mechanism::Plain,
            ) => {
                let z = authzid.as_deref().unwrap_or("");
                format!("{z}\0{authcid}\0{}", password.expose()).into_bytes()
            }
            (
                Credentials::Password {
                    authzid, authcid, ..
                },
                Mechanism::ScramSha1 | Mechanism::ScramSha256,
            ) => {
                let gs2_header = gs2::encode_gs2_header(authzid.as_deref());
                let bare = format!(
                    "n={},r={}",
                    gs2::encode_saslname(authcid),
                    self.nonce.as_str()
                );
                let msg = format!("{gs2_header}{bare}").into_bytes();
                self.state = State::ScramFirstSent { bare, gs2_header };
                msg
            }
            (Credentials::Bearer { user, token, .. }, Mechanism::XOAuth2) => format!(
                "user={}\x01auth=Bearer {}\x01\x01",
                user.as_deref().unwrap_or(""),
                token.expose()
            )
            .into_bytes(),
            (
                Credentials::Bearer {
                    user,
                    token,
                    host,
                    port,
                },
                Mechanism::OAuthBearer,
            ) => {
                let mut msg = format!("{}\x01", gs2::encode_gs2_header(user.as_deref()));
                if let Some(h) = host {
                    msg.push_str(&format!("host={h}\x01"));
                }
                if let Some(p) = port {
                    msg.push_str(&format!("port={p}\x01"));
                }
                match token.expose().as_str() {
                    // RFC 7628 §4.3: an empty auth asks for the needed scope.
                    "" => msg.push_str("auth=\x01\x01"),
                    t => msg.push_str(&format!("auth=Bearer {t}\x01\x01")),
                }
                msg.into_bytes()
            }
            (Credentials::External { authzid }, _) => {
                authzid.as_deref().unwrap_or("").as_bytes().to_vec()
            }
            // `new` admits no other pairing.
            _ => Vec::new(),
        }
    }

    /// RFC 2195 §2: `user SP hex(HMAC-MD5(secret, challenge))`.
    fn cram_md5(&self, challenge: &[u8]) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        let digest = Hmac::<md5::Md5>::new_from_slice(self.password().as_bytes())
            .map(|m| m.chain_update(challenge).finalize().into_bytes().to_vec())
            .unwrap_or_default();
        let mut out = format!("{} ", self.authcid()).into_bytes();
        for b in digest {
            out.extend_from_slice(format!("{b:02x}").as_bytes());
        }
        out
    }

    /// RFC 5802 §7: from `server-first-message` to `client-final-message`.
    fn scram_final(
        &mut self,
        bare: &str,
        gs2_header: &str,
        server_first: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        if server_first.starts_with(b"m=") {
            return Err(ClientError::Malformed(
                "unsupported mandatory scram extension",
            ));
        }
        let mut attrs = server_first.split(|&b| b == b',');
        let nonce = attrs.next().and_then(|a| a.strip_prefix(b"r="));
        let salt = attrs.next().and_then(|a| a.strip_prefix(b"s="));
        let iterations = attrs.next().and_then(|a| a.strip_prefix(b"i="));
        let (Some(nonce), Some(salt), Some(iterations)) = (nonce, salt, iterations) else {
            return Err(ClientError::Malformed(
                "scram server-first needs r=, s= and i=",
            ));
        };
        if !attrs.all(|a| matches!(a, [x, b'=', ..] if x.is_ascii_alphabetic())) {
            return Err(ClientError::Malformed("bad scram extension"));
        }
        let server_part = nonce
            .strip_prefix(self.nonce.as_str().as_bytes())
            .ok_or(ClientError::NonceMismatch)?;
        if server_part.is_empty() || !server_part.iter().copied().all(nonce::is_printable) {
            return Err(ClientError::NonceMismatch);
        }
        let salt = STANDARD
            .decode(salt)
            .map_err(|_| ClientError::Malformed("scram salt is not base64"))?;
        if salt.is_empty() {
            return Err(ClientError::Malformed("empty scram salt"));
        }
        let iterations =
            parse_positive(iterations).ok_or(ClientError::Malformed("bad scram i="))?;
        if iterations < self.limits.min_scram_iterations
            || iterations > self.limits.max_scram_iterations
        {
            return Err(ClientError::IterationCount);
        }
        let hash = match self.mechanism {
            Mechanism::ScramSha1 => ScramHash::Sha1,
            _ => ScramHash::Sha256,
        };
        let keys = Keys::derive(hash, self.password().as_bytes(), &salt, iterations);
        let without_proof = format!(
            "c={},r={}",
            STANDARD.encode(gs2_header),
            String::from_utf8_lossy(nonce)
        );
        let auth_message = [
            bare.as_bytes(),
            b",",
            server_first,
            b",",
            without_proof.as_bytes(),
        ]
        .concat();
        let stored_key = hash.hash(&keys.client_key);
        let client_signature = hash.hmac(&stored_key, &auth_message);
        let proof = scram::xor(&keys.client_key, &client_signature);
        let server_signature = hash.hmac(&keys.server_key, &auth_message);
        self.state = State::ScramFinalSent { server_signature };
        Ok(format!("{without_proof},p={}", STANDARD.encode(proof)).into_bytes())
    }
}

/// `server-final-message = (server-error / verifier) ["," extensions]`.
fn check_server_final(expected: &[u8], msg: &[u8]) -> Result<(), ClientError> {
    let first = msg.split(|&b| b == b',').next().unwrap_or_default();
    if let Some(e) = first.strip_prefix(b"e=") {
        return Err(ClientError::ServerError(lossy(e)));
    }
    let v = first
        .strip_prefix(b"v=")
        .ok_or(ClientError::Malformed("scram server-final needs v= or e="))?;
    let v = STANDARD
        .decode(v)
        .map_err(|_| ClientError::Malformed("scram v= is not base64"))?;
    if ct::eq(&v, expected) {
        Ok(())
    } else {
        Err(ClientError::ServerSignature)
    }
}

/// A token that fits RFC 6750's `b64token` and so our own server's check.
fn bearer_ok(token: &str) -> bool {
    gs2::bearer_token(&format!("Bearer {token}")) == Some(token)
}

/// `posit-number = %x31-39 *DIGIT` as a `u32`.
fn parse_positive(digits: &[u8]) -> Option<u32> {
    if digits.first().is_none_or(|&d| d == b'0') || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
