#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! Properties: arbitrary input never panics a server mechanism, and our
//! client and server agree on every mechanism for arbitrary credentials.

use proptest::prelude::*;
use yubin_sasl::client::{Client, Credentials};
use yubin_sasl::server::{Answer, Authenticator, Failure, Step, Verify};
use yubin_sasl::{Limits, Mechanism, Nonce, ScramHash, Secret, scram_credentials, wire};

const MECHANISMS: [Mechanism; 8] = Mechanism::ALL;

fn answer_for(pick: u8, mechanism: Mechanism) -> Answer {
    match pick % 5 {
        0 => Answer::Accept,
        1 => Answer::Reject,
        2 => Answer::Unavailable,
        3 => Answer::BearerError("{}".into()),
        _ => {
            let hash = if mechanism == Mechanism::ScramSha1 {
                ScramHash::Sha1
            } else {
                ScramHash::Sha256
            };
            Answer::Scram(scram_credentials(hash, "pw", b"salt", 1))
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_a_server(
        mech in 0usize..8,
        ir in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..200)),
        responses in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..5),
        picks in proptest::collection::vec(any::<u8>(), 5),
    ) {
        let mechanism = MECHANISMS[mech];
        let mut s = Authenticator::new(mechanism, Nonce::from_entropy([1; 18]), "h");
        let mut step = s.start(ir.as_deref());
        let mut responses = responses.iter();
        let mut picks = picks.iter();
        loop {
            step = match step {
                Step::Challenge(_) => match responses.next() {
                    Some(r) => s.step(r),
                    None => break,
                },
                Step::Verify(_) => match picks.next() {
                    Some(&p) => s.answer(answer_for(p, mechanism)),
                    None => break,
                },
                Step::Success(_) | Step::Failure(_) => {
                    prop_assert!(s.is_done());
                    prop_assert!(matches!(s.step(b""), Step::Failure(Failure::OutOfSequence)));
                    break;
                }
            };
        }
    }

    #[test]
    fn arbitrary_challenges_never_panic_a_client(
        mech in 0usize..8,
        challenges in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..5),
        finish in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
    ) {
        let mechanism = MECHANISMS[mech];
        let creds = match mechanism {
            Mechanism::XOAuth2 | Mechanism::OAuthBearer => Credentials::bearer("u", Secret::new("tok".into())),
            Mechanism::External => Credentials::External { authzid: None },
            _ => Credentials::password("u", Secret::new("pw".into())),
        };
        let mut c = Client::new(mechanism, creds, Nonce::from_entropy([2; 18])).unwrap();
        let _ = c.initial_response();
        for ch in &challenges {
            if c.step(ch).is_err() {
                break;
            }
        }
        let _ = c.finish(finish.as_deref());
    }

    /// Client and server of each mechanism agree, through the wire
    /// encoding, for arbitrary user names and passwords.
    #[test]
    fn client_and_server_agree(
        mech in 0usize..8,
        user in "[a-zA-Z0-9@.=,_-]{1,24}",
        password in "[ -~]{1,24}",
        authzid in proptest::option::of("[a-z=,]{1,8}"),
        seed in any::<[u8; 18]>(),
        ir in any::<bool>(),
    ) {
        let mechanism = MECHANISMS[mech];
        let creds = match mechanism {
            Mechanism::XOAuth2 => Credentials::bearer(&user, Secret::new("tok.en-_~+/=".into())),
            Mechanism::OAuthBearer => Credentials::Bearer {
                user: authzid.clone(), token: Secret::new("tok".into()), host: Some("h.example".into()), port: Some(993),
            },
            Mechanism::External => Credentials::External { authzid: authzid.clone() },
            Mechanism::Plain | Mechanism::ScramSha1 | Mechanism::ScramSha256 => Credentials::Password {
                authzid: authzid.clone(), authcid: user.clone(), password: Secret::new(password.clone()),
            },
            _ => Credentials::password(&user, Secret::new(password.clone())),
        };
        // Few SCRAM iterations keep the test fast; allow them on the client.
        let limits = Limits::DEFAULT.with_scram_iterations(1, 4096);
        let mut client = Client::new(mechanism, creds, Nonce::from_entropy(seed)).unwrap().with_limits(limits);
        let mut server = Authenticator::new(mechanism, Nonce::from_entropy(seed.map(|b| !b)), "h")
            .success_data_as_challenge();
        let first = if ir { client.initial_response() } else { None };
        let first = first.map(|f| wire::decode_initial_response(wire::encode_initial_response(&f).as_bytes()).unwrap());
        let mut step = server.start(first.as_deref());
        let mut rounds = 0;
        let outcome = loop {
            rounds += 1;
            prop_assert!(rounds < 10);
            step = match step {
                Step::Challenge(ch) => {
                    let ch = wire::decode_challenge(wire::encode_challenge(&ch).as_bytes()).unwrap();
                    let r = client.step(&ch).unwrap();
                    match wire::decode_response(wire::encode_response(&r).as_bytes()).unwrap() {
                        wire::Response::Data(d) => server.step(&d),
                        wire::Response::Cancel => unreachable!("base64 never encodes to *"),
                    }
                }
                Step::Verify(Verify::Password { authcid, password: p, authzid: z }) => {
                    prop_assert_eq!(&authcid, &user);
                    prop_assert_eq!(p.expose(), &password);
                    if mechanism == Mechanism::Plain { prop_assert_eq!(&z, &authzid); }
                    server.answer(Answer::Accept)
                }
                Step::Verify(Verify::CramMd5(cram)) => {
                    prop_assert!(cram.verify(password.as_bytes()));
                    prop_assert!(!cram.verify(b"not the password"));
                    server.answer(Answer::Accept)
                }
                Step::Verify(Verify::Bearer { token, .. }) => {
                    prop_assert!(token.is_some());
                    server.answer(Answer::Accept)
                }
                Step::Verify(Verify::ScramLookup { authcid, authzid: z, hash }) => {
                    prop_assert_eq!(&authcid, &user);
                    prop_assert_eq!(&z, &authzid);
                    server.answer(Answer::Scram(scram_credentials(hash, &password, b"NaCl", 16)))
                }
                Step::Verify(Verify::External { authzid: z }) => {
                    prop_assert_eq!(&z, &authzid);
                    server.answer(Answer::Accept)
                }
                Step::Verify(other) => panic!("unexpected {other:?}"),
                Step::Success(s) => break s,
                Step::Failure(f) => panic!("failed: {f}"),
            };
        };
        prop_assert_eq!(outcome.additional, None);
        client.finish(None).unwrap();
    }
}
