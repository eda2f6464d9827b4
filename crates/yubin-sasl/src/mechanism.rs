//! The mechanism names.

use std::fmt;
use std::str::FromStr;

/// A SASL mechanism this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// `PLAIN`, RFC 4616: authzid, authcid and password in one message.
    Plain,
    /// `LOGIN`, draft-murchison-sasl-login: user name, then password.
    Login,
    /// `CRAM-MD5`, RFC 2195: HMAC-MD5 of a server challenge.
    CramMd5,
    /// `XOAUTH2`, Google's bearer-token mechanism.
    XOAuth2,
    /// `OAUTHBEARER`, RFC 7628.
    OAuthBearer,
    /// `SCRAM-SHA-1`, RFC 5802.
    ScramSha1,
    /// `SCRAM-SHA-256`, RFC 7677.
    ScramSha256,
    /// `EXTERNAL`, RFC 4422 appendix A: identity from outside (a TLS client
    /// certificate).
    External,
}

/// The error from parsing a mechanism name this crate does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sasl mechanism")]
#[non_exhaustive]
pub struct UnknownMechanism;

impl Mechanism {
    /// Every mechanism, strongest first (a client's order of preference when
    /// the server offers several).
    pub const ALL: [Mechanism; 8] = [
        Mechanism::ScramSha256,
        Mechanism::ScramSha1,
        Mechanism::OAuthBearer,
        Mechanism::XOAuth2,
        Mechanism::External,
        Mechanism::CramMd5,
        Mechanism::Plain,
        Mechanism::Login,
    ];

    /// The registered name, upper case: `"PLAIN"`, `"SCRAM-SHA-256"`.
    pub const fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::XOAuth2 => "XOAUTH2",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::ScramSha1 => "SCRAM-SHA-1",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::External => "EXTERNAL",
        }
    }

    /// Parses a mechanism name as it appears on the wire, ignoring ASCII
    /// case (RFC 4422 §3.1 names are upper case; RFC 4954 and RFC 3501
    /// compare them case-insensitively).
    pub fn from_name(name: &[u8]) -> Result<Mechanism, UnknownMechanism> {
        Self::ALL
            .into_iter()
            .find(|m| m.name().as_bytes().eq_ignore_ascii_case(name))
            .ok_or(UnknownMechanism)
    }

    /// True for mechanisms that send a reusable secret (a password or a
    /// bearer token) readable by anyone who sees the exchange: `PLAIN`,
    /// `LOGIN`, `XOAUTH2`, `OAUTHBEARER`. Offer them only under TLS.
    pub const fn is_plaintext(self) -> bool {
        matches!(
            self,
            Mechanism::Plain | Mechanism::Login | Mechanism::XOAuth2 | Mechanism::OAuthBearer
        )
    }

    /// True when the client speaks first, so an initial response (SMTP
    /// `AUTH <mech> <ir>`, POP3 `AUTH`, IMAP SASL-IR) carries its first
    /// message. `LOGIN` and `CRAM-MD5` start with a server challenge.
    pub const fn is_client_first(self) -> bool {
        !matches!(self, Mechanism::Login | Mechanism::CramMd5)
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mechanism {
    type Err = UnknownMechanism;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_case_insensitively() {
        for m in Mechanism::ALL {
            assert_eq!(Mechanism::from_name(m.name().as_bytes()), Ok(m));
            assert_eq!(m.name().to_ascii_lowercase().parse::<Mechanism>(), Ok(m));
            assert_eq!(m.to_string(), m.name());
        }
        assert_eq!(Mechanism::from_name(b"cram-md5"), Ok(Mechanism::CramMd5));
        assert_eq!(Mechanism::from_name(b"GSSAPI"), Err(UnknownMechanism));
        assert_eq!(Mechanism::from_name(b""), Err(UnknownMechanism));
        assert_eq!(Mechanism::from_name(b"PLAIN "), Err(UnknownMechanism));
        assert_eq!(
            Mechanism::from_name(b"SCRAM-SHA-256-PLUS"),
            Err(UnknownMechanism)
        );
    }

    #[test]
    fn plaintext_mechanisms() {
        let plain: Vec<_> = Mechanism::ALL
            .into_iter()
            .filter(|m| m.is_plaintext())
            .collect();
        assert_eq!(
            plain,
            [
                Mechanism::OAuthBearer,
                Mechanism::XOAuth2,
                Mechanism::Plain,
                Mechanism::Login
            ]
        );
    }
}
