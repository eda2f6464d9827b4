#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]
//! The RFC examples, run on the server side and on the client side.

use yubin_sasl::client::{Client, ClientError, Credentials};
use yubin_sasl::server::{Answer, Authenticator, Failure, Step, Verify};
use yubin_sasl::wire::{self, Response};
use yubin_sasl::{Mechanism, Nonce, ScramHash, Secret, scram_credentials};

fn nonce(s: &str) -> Nonce {
    Nonce::from_printable(s).unwrap()
}

fn any_nonce() -> Nonce {
    Nonce::from_entropy([42; 18])
}

/// Joins an RFC's wrapped base64 lines.
fn b64(lines: &str) -> Vec<u8> {
    let joined: String = lines.split_whitespace().collect();
    wire::decode_initial_response(joined.as_bytes()).unwrap()
}

fn challenge(step: Step) -> Vec<u8> {
    match step {
        Step::Challenge(c) => c,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn failure(step: Step) -> Failure {
    match step {
        Step::Failure(f) => f,
        other => panic!("expected a failure, got {other:?}"),
    }
}

// ---- PLAIN (RFC 4616 §4) ----

#[test]
fn rfc4616_4_example1_server() {
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "acap.example");
    // S: + ""
    assert_eq!(challenge(s.start(None)), b"");
    // C: <NUL>tim<NUL>tanstaaftanstaaf
    let Step::Verify(Verify::Password {
        authzid,
        authcid,
        password,
    }) = s.step(b"\0tim\0tanstaaftanstaaf")
    else {
        panic!()
    };
    assert_eq!(
        (authzid, authcid.as_str(), password.expose().as_str()),
        (None, "tim", "tanstaaftanstaaf")
    );
    let Step::Success(ok) = s.answer(Answer::Accept) else {
        panic!()
    };
    assert_eq!(
        (ok.authcid.as_deref(), ok.authzid, ok.additional),
        (Some("tim"), None, None)
    );
    assert!(s.is_done());
}

#[test]
fn rfc4616_4_example1_client() {
    let creds = Credentials::password("tim", Secret::new("tanstaaftanstaaf".into()));
    let mut c = Client::new(Mechanism::Plain, creds, any_nonce()).unwrap();
    // No initial response: the first message answers the empty challenge.
    assert_eq!(c.step(b"").unwrap(), b"\0tim\0tanstaaftanstaaf");
    c.finish(None).unwrap();
}

#[test]
fn rfc4616_4_example2_server_authzid_refused() {
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "acap.example");
    let Step::Verify(Verify::Password {
        authzid,
        authcid,
        password,
    }) = s.start(Some(b"Ursel\0Kurt\0xipj3plmq"))
    else {
        panic!()
    };
    assert_eq!(
        (
            authzid.as_deref(),
            authcid.as_str(),
            password.expose().as_str()
        ),
        (Some("Ursel"), "Kurt", "xipj3plmq")
    );
    assert_eq!(failure(s.answer(Answer::Reject)), Failure::Rejected);
}

#[test]
fn rfc4616_4_example2_client() {
    let creds = Credentials::Password {
        authzid: Some("Ursel".into()),
        authcid: "Kurt".into(),
        password: Secret::new("xipj3plmq".into()),
    };
    let mut c = Client::new(Mechanism::Plain, creds, any_nonce()).unwrap();
    assert_eq!(c.initial_response().unwrap(), b"Ursel\0Kurt\0xipj3plmq");
}

#[test]
fn rfc4616_2_plain_malformed() {
    for bad in [
        &b"tim\0tanstaaf"[..], // one NUL
        b"\0tim\0pw\0",        // three NULs
        b"\0\0pw",             // empty authcid
        b"\0tim\0",            // empty password
        b"\0tim\xff\0pw",      // not UTF-8
        b"",
    ] {
        let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
        assert!(
            matches!(failure(s.start(Some(bad))), Failure::Malformed(_)),
            "{bad:?}"
        );
        // A step after the end is out of sequence, not a panic.
        assert_eq!(failure(s.step(b"x")), Failure::OutOfSequence);
    }
}

// ---- LOGIN (draft-murchison-sasl-login §2.3) ----

#[test]
fn draft_murchison_2_3_login_server() {
    let mut s = Authenticator::new(Mechanism::Login, any_nonce(), "smtp.example.com");
    assert_eq!(challenge(s.start(None)), b"Username:");
    // C: dGlt
    let Response::Data(user) = wire::decode_response(b"dGlt").unwrap() else {
        panic!()
    };
    assert_eq!(challenge(s.step(&user)), b"Password:");
    // C: dGFuc3RhYWZ0YW5zdGFhZg==
    let Response::Data(pass) = wire::decode_response(b"dGFuc3RhYWZ0YW5zdGFhZg==").unwrap() else {
        panic!()
    };
    let Step::Verify(Verify::Password {
        authzid: None,
        authcid,
        password,
    }) = s.step(&pass)
    else {
        panic!()
    };
    assert_eq!(
        (authcid.as_str(), password.expose().as_str()),
        ("tim", "tanstaaftanstaaf")
    );
    let Step::Success(ok) = s.answer(Answer::Accept) else {
        panic!()
    };
    assert_eq!(ok.authcid.as_deref(), Some("tim"));
}

#[test]
fn draft_murchison_2_3_login_client() {
    let creds = Credentials::password("tim", Secret::new("tanstaaftanstaaf".into()));
    let mut c = Client::new(Mechanism::Login, creds, any_nonce()).unwrap();
    assert_eq!(c.initial_response(), None);
    // S: 334 VXNlciBOYW1lAA== ("User Name\0"); the content is ignored.
    let ch = wire::decode_challenge(b"VXNlciBOYW1lAA==").unwrap();
    assert_eq!(wire::encode_response(&c.step(&ch).unwrap()), "dGlt");
    let ch = wire::decode_challenge(b"UGFzc3dvcmQA").unwrap();
    assert_eq!(
        wire::encode_response(&c.step(&ch).unwrap()),
        "dGFuc3RhYWZ0YW5zdGFhZg=="
    );
    c.finish(None).unwrap();
}

#[test]
fn login_initial_response_is_the_user_name() {
    let mut s = Authenticator::new(Mechanism::Login, any_nonce(), "h");
    assert_eq!(challenge(s.start(Some(b"tim"))), b"Password:");
    assert!(matches!(
        s.step(b"pw"),
        Step::Verify(Verify::Password { .. })
    ));
    assert_eq!(failure(s.answer(Answer::Reject)), Failure::Rejected);
}

#[test]
fn login_malformed() {
    let mut s = Authenticator::new(Mechanism::Login, any_nonce(), "h");
    let _ = s.start(None);
    assert!(matches!(failure(s.step(b"")), Failure::Malformed(_)));
    let mut s = Authenticator::new(Mechanism::Login, any_nonce(), "h");
    let _ = s.start(None);
    let _ = s.step(b"tim");
    assert!(matches!(
        failure(s.step(b"\xc3\x28")),
        Failure::Malformed(_)
    ));
    let mut s = Authenticator::new(Mechanism::Login, any_nonce(), "h");
    assert!(matches!(failure(s.start(Some(b""))), Failure::Malformed(_)));
}

// ---- CRAM-MD5 (RFC 2195 §2) ----

const CRAM_CHALLENGE: &str = "<1896.697170952@postoffice.reston.mci.net>";

#[test]
fn rfc2195_2_cram_md5_server() {
    let mut s = Authenticator::new(
        Mechanism::CramMd5,
        nonce("1896.697170952"),
        "postoffice.reston.mci.net",
    );
    let ch = challenge(s.start(None));
    assert_eq!(ch, CRAM_CHALLENGE.as_bytes());
    assert_eq!(
        wire::encode_challenge(&ch),
        "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
    );
    let Response::Data(r) =
        wire::decode_response(b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw").unwrap()
    else {
        panic!()
    };
    let Step::Verify(Verify::CramMd5(cram)) = s.step(&r) else {
        panic!()
    };
    assert_eq!(cram.user, "tim");
    assert_eq!(cram.challenge, CRAM_CHALLENGE);
    assert!(cram.verify(b"tanstaaftanstaaf"));
    assert!(!cram.verify(b"tanstaaftanstaag"));
    assert!(!cram.verify(b""));
    let Step::Success(ok) = s.answer(Answer::Accept) else {
        panic!()
    };
    assert_eq!(ok.authcid.as_deref(), Some("tim"));
}

#[test]
fn rfc2195_2_cram_md5_client() {
    let creds = Credentials::password("tim", Secret::new("tanstaaftanstaaf".into()));
    let mut c = Client::new(Mechanism::CramMd5, creds, any_nonce()).unwrap();
    assert_eq!(c.initial_response(), None);
    let r = c.step(CRAM_CHALLENGE.as_bytes()).unwrap();
    assert_eq!(r, b"tim b913a602c7eda7a495b4e6e7334d3890");
    assert_eq!(
        wire::encode_response(&r),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
    );
}

#[test]
fn rfc2195_2_cram_md5_malformed() {
    for bad in [
        &b"tim b913a602c7eda7a495b4e6e7334d389"[..], // 31 digits
        b"tim B913A602C7EDA7A495B4E6E7334D3890",     // upper case
        b"timb913a602c7eda7a495b4e6e7334d3890",      // no space
        b" b913a602c7eda7a495b4e6e7334d3890",        // empty user
        b"tim b913a602c7eda7a495b4e6e7334d389g",
        b"",
    ] {
        let mut s = Authenticator::new(Mechanism::CramMd5, any_nonce(), "h");
        let _ = s.start(None);
        assert!(
            matches!(failure(s.step(bad)), Failure::Malformed(_)),
            "{bad:?}"
        );
    }
    let mut s = Authenticator::new(Mechanism::CramMd5, any_nonce(), "h");
    assert!(matches!(
        failure(s.start(Some(b"tim"))),
        Failure::Malformed(_)
    ));
}

// ---- SCRAM-SHA-1 (RFC 5802 §5) and SCRAM-SHA-256 (RFC 7677 §3) ----

struct ScramVector {
    mechanism: Mechanism,
    hash: ScramHash,
    client_nonce: &'static str,
    server_nonce: &'static str,
    salt: &'static str,
    client_first: &'static str,
    server_first: &'static str,
    client_final: &'static str,
    server_final: &'static str,
}

const RFC5802_5: ScramVector = ScramVector {
    mechanism: Mechanism::ScramSha1,
    hash: ScramHash::Sha1,
    client_nonce: "fyko+d2lbbFgONRv9qkxdawL",
    server_nonce: "3rfcNHYJY1ZVvWVs7j",
    salt: "QSXCR+Q6sek8bf92",
    client_first: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    server_first: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    client_final: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    server_final: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

const RFC7677_3: ScramVector = ScramVector {
    mechanism: Mechanism::ScramSha256,
    hash: ScramHash::Sha256,
    client_nonce: "rOprNGfwEbeRWgbNEkqO",
    server_nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    client_first: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    server_first: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    client_final: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    server_final: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

fn scram_server(v: &ScramVector) -> (Authenticator, yubin_sasl::ScramCredentials) {
    let salt = b64(v.salt);
    let creds = scram_credentials(v.hash, "pencil", &salt, 4096);
    (
        Authenticator::new(v.mechanism, nonce(v.server_nonce), "h"),
        creds,
    )
}

fn scram_server_exchange(v: &ScramVector) {
    let (mut s, creds) = scram_server(v);
    let Step::Verify(Verify::ScramLookup {
        authcid,
        authzid,
        hash,
    }) = s.start(Some(v.client_first.as_bytes()))
    else {
        panic!()
    };
    assert_eq!((authcid.as_str(), authzid, hash), ("user", None, v.hash));
    assert_eq!(
        challenge(s.answer(Answer::Scram(creds))),
        v.server_first.as_bytes()
    );
    let Step::Success(ok) = s.step(v.client_final.as_bytes()) else {
        panic!()
    };
    assert_eq!(ok.authcid.as_deref(), Some("user"));
    assert_eq!(ok.additional.as_deref(), Some(v.server_final.as_bytes()));
}

fn scram_client_exchange(v: &ScramVector) {
    let creds = Credentials::password("user", Secret::new("pencil".into()));
    let mut c = Client::new(v.mechanism, creds, nonce(v.client_nonce)).unwrap();
    assert_eq!(c.initial_response().unwrap(), v.client_first.as_bytes());
    assert_eq!(
        c.step(v.server_first.as_bytes()).unwrap(),
        v.client_final.as_bytes()
    );
    // SMTP style: the server-final comes as a challenge, answered empty.
    assert_eq!(c.step(v.server_final.as_bytes()).unwrap(), b"");
    c.finish(None).unwrap();
}

#[test]
fn rfc5802_5_scram_sha1_server() {
    scram_server_exchange(&RFC5802_5);
}

#[test]
fn rfc5802_5_scram_sha1_client() {
    scram_client_exchange(&RFC5802_5);
}

#[test]
fn rfc7677_3_scram_sha256_server() {
    scram_server_exchange(&RFC7677_3);
}

#[test]
fn rfc7677_3_scram_sha256_client() {
    scram_client_exchange(&RFC7677_3);
}

#[test]
fn rfc7677_3_server_final_as_challenge() {
    let v = &RFC7677_3;
    let (s, creds) = scram_server(v);
    let mut s = s.success_data_as_challenge();
    let _ = s.start(Some(v.client_first.as_bytes()));
    let _ = s.answer(Answer::Scram(creds));
    assert_eq!(
        challenge(s.step(v.client_final.as_bytes())),
        v.server_final.as_bytes()
    );
    let Step::Success(ok) = s.step(b"") else {
        panic!()
    };
    assert_eq!((ok.authcid.as_deref(), ok.additional), (Some("user"), None));
}

#[test]
fn rfc5802_5_client_rejects_forged_server_signature() {
    let v = &RFC5802_5;
    let creds = Credentials::password("user", Secret::new("pencil".into()));
    let mut c = Client::new(v.mechanism, creds, nonce(v.client_nonce)).unwrap();
    let _ = c.initial_response();
    let _ = c.step(v.server_first.as_bytes()).unwrap();
    assert_eq!(
        c.finish(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKA=")),
        Err(ClientError::ServerSignature)
    );
    // Success claimed without any server signature is refused too.
    let creds = Credentials::password("user", Secret::new("pencil".into()));
    let mut c = Client::new(v.mechanism, creds, nonce(v.client_nonce)).unwrap();
    let _ = c.initial_response();
    let _ = c.step(v.server_first.as_bytes()).unwrap();
    assert_eq!(c.finish(None), Err(ClientError::OutOfSequence));
}

#[test]
fn rfc5802_5_wrong_proof_fails() {
    let v = &RFC5802_5;
    let (mut s, creds) = scram_server(v);
    let _ = s.start(Some(v.client_first.as_bytes()));
    let _ = s.answer(Answer::Scram(creds));
    let forged = v.client_final.replace("p=v0X8", "p=v0X9");
    assert_eq!(failure(s.step(forged.as_bytes())), Failure::InvalidProof);
}

#[test]
fn rfc5802_5_replayed_or_mismatched_nonce_fails() {
    let v = &RFC5802_5;
    // The same client-final replayed against a server that chose another nonce.
    let (_, creds) = scram_server(v);
    let mut s = Authenticator::new(v.mechanism, nonce("aDifferentServerNonce"), "h");
    let _ = s.start(Some(v.client_first.as_bytes()));
    let _ = s.answer(Answer::Scram(creds));
    assert_eq!(
        failure(s.step(v.client_final.as_bytes())),
        Failure::NonceMismatch
    );
}

#[test]
fn rfc5802_5_unknown_user_runs_a_fake_exchange() {
    let v = &RFC5802_5;
    let mut s = Authenticator::new(v.mechanism, nonce(v.server_nonce), "h");
    let _ = s.start(Some(v.client_first.as_bytes()));
    let server_first = challenge(s.answer(Answer::Reject));
    let text = String::from_utf8(server_first).unwrap();
    assert!(
        text.starts_with("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s="),
        "{text}"
    );
    assert!(text.ends_with(",i=4096"));
    assert_eq!(
        failure(s.step(v.client_final.as_bytes())),
        Failure::InvalidProof
    );
}

#[test]
fn rfc5802_7_scram_malformed() {
    let v = &RFC5802_5;
    let firsts: [(&[u8], Failure); 8] = [
        (
            b"p=tls-unique,,n=user,r=abc",
            Failure::ChannelBindingUnsupported,
        ),
        (
            b"n,,m=ext,n=user,r=abc",
            Failure::Malformed("unsupported mandatory scram extension"),
        ),
        (
            b"n,,n=user",
            Failure::Malformed("scram client-first needs n= and r="),
        ),
        (
            b"n,,r=abc,n=user",
            Failure::Malformed("scram client-first needs n= and r="),
        ),
        (
            b"n,,n=us=er,r=abc",
            Failure::Malformed("bad scram user name"),
        ),
        (
            b"n,,n=user,r=a,bc",
            Failure::Malformed("bad scram extension"),
        ),
        (
            b"n,,n=user,r=",
            Failure::Malformed("bad scram client nonce"),
        ),
        (
            b"x,,n=user,r=abc",
            Failure::Malformed("bad gs2 channel binding flag"),
        ),
    ];
    for (first, want) in firsts {
        let mut s = Authenticator::new(Mechanism::ScramSha256, any_nonce(), "h");
        assert_eq!(failure(s.start(Some(first))), want, "{first:?}");
    }
    let finals: [&str; 5] = [
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j", // no proof
        "c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", // c= "y,,"
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,c=biws,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", // order
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts", // bad base64
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=,x=1", // p= not last
    ];
    for fin in finals {
        let (mut s, creds) = scram_server(v);
        let _ = s.start(Some(v.client_first.as_bytes()));
        let _ = s.answer(Answer::Scram(creds));
        assert!(
            matches!(failure(s.step(fin.as_bytes())), Failure::Malformed(_)),
            "{fin}"
        );
    }
}

#[test]
fn rfc5802_scram_y_flag_round_trips_in_c() {
    // "y,," is accepted and must be echoed as c=eSws.
    let v = &RFC5802_5;
    let (mut s, creds) = scram_server(v);
    let _ = s.start(Some(b"y,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"));
    let _ = s.answer(Answer::Scram(creds));
    // Right binding, wrong proof (the proof was computed over c=biws).
    let fin = v.client_final.replace("c=biws", "c=eSws");
    assert_eq!(failure(s.step(fin.as_bytes())), Failure::InvalidProof);
}

#[test]
fn rfc5802_client_rejects_bad_server_first() {
    let v = &RFC5802_5;
    let cases: [(&str, ClientError); 6] = [
        (
            "r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096",
            ClientError::NonceMismatch,
        ),
        (
            "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",
            ClientError::NonceMismatch,
        ),
        (
            "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4095",
            ClientError::IterationCount,
        ),
        (
            "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=99999999",
            ClientError::IterationCount,
        ),
        (
            "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf9,i=4096",
            ClientError::Malformed("scram salt is not base64"),
        ),
        (
            "m=x,r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096",
            ClientError::Malformed("unsupported mandatory scram extension"),
        ),
    ];
    for (server_first, want) in cases {
        let creds = Credentials::password("user", Secret::new("pencil".into()));
        let mut c = Client::new(v.mechanism, creds, nonce(v.client_nonce)).unwrap();
        let _ = c.initial_response();
        assert_eq!(c.step(server_first.as_bytes()), Err(want), "{server_first}");
        assert_eq!(c.step(b""), Err(ClientError::OutOfSequence));
    }
    let creds = Credentials::password("user", Secret::new("pencil".into()));
    let mut c = Client::new(v.mechanism, creds, nonce(v.client_nonce)).unwrap();
    let _ = c.initial_response();
    let _ = c.step(v.server_first.as_bytes()).unwrap();
    assert_eq!(
        c.step(b"e=invalid-proof"),
        Err(ClientError::ServerError("invalid-proof".into()))
    );
}

// ---- OAUTHBEARER (RFC 7628 §4.1, §4.3) ----

const RFC7628_4_1_IMAP: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhv
         c3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyI
         HZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQ
         EB";
const RFC7628_4_1_SMTP: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2Vy
         dmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmd
         DRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const RFC7628_TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

#[test]
fn rfc7628_4_1_oauthbearer_server() {
    for (ir, port) in [(RFC7628_4_1_IMAP, 143), (RFC7628_4_1_SMTP, 587)] {
        let mut s = Authenticator::new(Mechanism::OAuthBearer, any_nonce(), "server.example.com");
        let Step::Verify(Verify::Bearer {
            user,
            token,
            host,
            port: p,
        }) = s.start(Some(&b64(ir)))
        else {
            panic!()
        };
        assert_eq!(user.as_deref(), Some("user@example.com"));
        assert_eq!(token.unwrap().expose(), RFC7628_TOKEN);
        assert_eq!(
            (host.as_deref(), p),
            (Some("server.example.com"), Some(port))
        );
        let Step::Success(ok) = s.answer(Answer::Accept) else {
            panic!()
        };
        assert_eq!(
            (ok.authcid, ok.authzid.as_deref()),
            (None, Some("user@example.com"))
        );
    }
}

#[test]
fn rfc7628_4_1_oauthbearer_client() {
    for (ir, port) in [(RFC7628_4_1_IMAP, 143), (RFC7628_4_1_SMTP, 587)] {
        let creds = Credentials::Bearer {
            user: Some("user@example.com".into()),
            token: Secret::new(RFC7628_TOKEN.into()),
            host: Some("server.example.com".into()),
            port: Some(port),
        };
        let mut c = Client::new(Mechanism::OAuthBearer, creds, any_nonce()).unwrap();
        assert_eq!(c.initial_response().unwrap(), b64(ir));
        c.finish(None).unwrap();
    }
}

const RFC7628_4_3_IR: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAW
         hvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE=";
const RFC7628_4_3_ERROR: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxl
        X3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4
        YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9u
        In0=";

#[test]
fn rfc7628_4_3_failed_exchange_server() {
    let mut s = Authenticator::new(Mechanism::OAuthBearer, any_nonce(), "server.example.com");
    let Step::Verify(Verify::Bearer {
        user,
        token: None,
        host,
        port,
    }) = s.start(Some(&b64(RFC7628_4_3_IR)))
    else {
        panic!()
    };
    assert_eq!(
        (user.as_deref(), host.as_deref(), port),
        (
            Some("user@example.com"),
            Some("server.example.com"),
            Some(143)
        )
    );
    let json = String::from_utf8(b64(RFC7628_4_3_ERROR)).unwrap();
    let ch = challenge(s.answer(Answer::BearerError(json)));
    assert_eq!(ch, b64(RFC7628_4_3_ERROR));
    // C: AQ==
    let Response::Data(dummy) = wire::decode_response(b"AQ==").unwrap() else {
        panic!()
    };
    assert_eq!(failure(s.step(&dummy)), Failure::Rejected);
}

#[test]
fn rfc7628_4_3_accepting_an_empty_token_still_fails() {
    let mut s = Authenticator::new(Mechanism::OAuthBearer, any_nonce(), "h");
    let _ = s.start(Some(&b64(RFC7628_4_3_IR)));
    assert_eq!(
        challenge(s.answer(Answer::Accept)),
        br#"{"status":"invalid_token"}"#
    );
    assert_eq!(failure(s.step(b"\x01")), Failure::Rejected);
}

#[test]
fn rfc7628_4_3_failed_exchange_client() {
    let creds = Credentials::Bearer {
        user: Some("user@example.com".into()),
        token: Secret::new(String::new()),
        host: Some("server.example.com".into()),
        port: Some(143),
    };
    let mut c = Client::new(Mechanism::OAuthBearer, creds, any_nonce()).unwrap();
    assert_eq!(c.initial_response().unwrap(), b64(RFC7628_4_3_IR));
    let reply = c.step(&b64(RFC7628_4_3_ERROR)).unwrap();
    assert_eq!(wire::encode_response(&reply), "AQ==");
    assert!(c.bearer_error().unwrap().contains("example_scope"));
}

#[test]
fn rfc7628_3_1_oauthbearer_malformed() {
    let cases: [(&[u8], Failure); 6] = [
        (
            b"n,,auth=Bearer x\x01\x01",
            Failure::Malformed("oauthbearer gs2 header not followed by ^A"),
        ),
        (
            b"n,,\x01auth=Bearer x\x01",
            Failure::Malformed("key/value pair not closed by ^A"),
        ),
        (
            b"n,,\x01host=h\x01\x01",
            Failure::Malformed("oauthbearer without auth"),
        ),
        (
            b"n,,\x01auth=Basic x\x01\x01",
            Failure::Malformed("oauthbearer auth is not a bearer token"),
        ),
        (
            b"n,,\x01port=0143\x01auth=Bearer x\x01\x01",
            Failure::Malformed("bad oauthbearer port"),
        ),
        (
            b"p=tls-unique,,\x01auth=Bearer x\x01\x01",
            Failure::ChannelBindingUnsupported,
        ),
    ];
    for (msg, want) in cases {
        let mut s = Authenticator::new(Mechanism::OAuthBearer, any_nonce(), "h");
        assert_eq!(failure(s.start(Some(msg))), want, "{msg:?}");
    }
}

// ---- XOAUTH2 (Google's format) ----

#[test]
fn xoauth2_google_example_both_sides() {
    // Google's documented example: user someuser@example.com, token ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg
    let ir = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    let token = "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg";
    let creds = Credentials::bearer("someuser@example.com", Secret::new(token.into()));
    let mut c = Client::new(Mechanism::XOAuth2, creds, any_nonce()).unwrap();
    assert_eq!(
        wire::encode_initial_response(&c.initial_response().unwrap()),
        ir
    );

    let mut s = Authenticator::new(Mechanism::XOAuth2, any_nonce(), "h");
    let Step::Verify(Verify::Bearer {
        user,
        token: t,
        host: None,
        port: None,
    }) = s.start(Some(&b64(ir)))
    else {
        panic!()
    };
    assert_eq!(
        (user.as_deref(), t.unwrap().expose().as_str()),
        (Some("someuser@example.com"), token)
    );
    // Refused: the JSON error challenge, the client's empty response, failure.
    let err = challenge(s.answer(Answer::Reject));
    assert_eq!(err, br#"{"status":"401","schemes":"bearer"}"#);
    assert_eq!(c.step(&err).unwrap(), b"");
    assert_eq!(failure(s.step(b"")), Failure::Rejected);
}

#[test]
fn xoauth2_malformed() {
    for bad in [
        &b"user=a\x01auth=Bearer x\x01"[..],
        b"auth=Bearer x\x01\x01",
        b"user=\x01auth=Bearer x\x01\x01",
        b"user=a\x01auth=x\x01\x01",
        b"user=a\x01user=b\x01auth=Bearer x\x01\x01",
    ] {
        let mut s = Authenticator::new(Mechanism::XOAuth2, any_nonce(), "h");
        assert!(
            matches!(failure(s.start(Some(bad))), Failure::Malformed(_)),
            "{bad:?}"
        );
    }
}

// ---- EXTERNAL (RFC 4422 appendix A) ----

#[test]
fn rfc4422_a_external_both_sides() {
    let mut c = Client::new(
        Mechanism::External,
        Credentials::External { authzid: None },
        any_nonce(),
    )
    .unwrap();
    let ir = c.initial_response().unwrap();
    assert_eq!(wire::encode_initial_response(&ir), "=");
    let mut s = Authenticator::new(Mechanism::External, any_nonce(), "h");
    let Step::Verify(Verify::External { authzid: None }) = s.start(Some(&ir)) else {
        panic!()
    };
    let Step::Success(ok) = s.answer(Answer::Accept) else {
        panic!()
    };
    assert_eq!((ok.authcid, ok.authzid), (None, None));

    let mut s = Authenticator::new(Mechanism::External, any_nonce(), "h");
    assert_eq!(challenge(s.start(None)), b"");
    let Step::Verify(Verify::External { authzid }) = s.step(b"fred") else {
        panic!()
    };
    assert_eq!(authzid.as_deref(), Some("fred"));
    assert_eq!(failure(s.answer(Answer::Unavailable)), Failure::Unavailable);

    let mut s = Authenticator::new(Mechanism::External, any_nonce(), "h");
    assert!(matches!(
        failure(s.start(Some(b"\xff"))),
        Failure::Malformed(_)
    ));
}

// ---- misuse and limits ----

#[test]
fn out_of_sequence_calls_fail() {
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
    assert_eq!(failure(s.step(b"\0a\0b")), Failure::OutOfSequence);
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
    assert_eq!(failure(s.answer(Answer::Accept)), Failure::OutOfSequence);
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
    let _ = s.start(Some(b"\0a\0b"));
    assert_eq!(failure(s.step(b"again")), Failure::OutOfSequence);
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
    let _ = s.start(Some(b"\0a\0b"));
    assert_eq!(
        failure(s.answer(Answer::Scram(scram_credentials(
            ScramHash::Sha1,
            "x",
            b"s",
            1
        )))),
        Failure::OutOfSequence
    );
    // SCRAM credentials of the wrong hash.
    let mut s = Authenticator::new(Mechanism::ScramSha256, any_nonce(), "h");
    let _ = s.start(Some(b"n,,n=user,r=abc"));
    assert_eq!(
        failure(s.answer(Answer::Scram(scram_credentials(
            ScramHash::Sha1,
            "x",
            b"s",
            1
        )))),
        Failure::OutOfSequence
    );
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
    let _ = s.start(None);
    assert_eq!(failure(s.start(None)), Failure::OutOfSequence);
}

#[test]
fn over_long_responses_fail() {
    let limits = yubin_sasl::Limits::DEFAULT.with_max_message_octets(16);
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h").with_limits(limits);
    assert_eq!(failure(s.start(Some(&[b'a'; 17]))), Failure::TooLong);
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h").with_limits(limits);
    let _ = s.start(None);
    assert_eq!(failure(s.step(&[b'a'; 17])), Failure::TooLong);
    let creds = Credentials::password("tim", Secret::new("pw".into()));
    let mut c = Client::new(Mechanism::CramMd5, creds, any_nonce())
        .unwrap()
        .with_limits(limits);
    assert_eq!(c.step(&[b'a'; 17]), Err(ClientError::TooLong));
}

#[test]
fn credentials_must_fit_the_mechanism() {
    let pw = || Credentials::password("tim", Secret::new("pw".into()));
    let tok = || Credentials::bearer("tim", Secret::new("tok".into()));
    assert_eq!(
        Client::new(Mechanism::XOAuth2, pw(), any_nonce()).err(),
        Some(ClientError::Credentials)
    );
    assert_eq!(
        Client::new(Mechanism::Plain, tok(), any_nonce()).err(),
        Some(ClientError::Credentials)
    );
    let nul = Credentials::password("ti\0m", Secret::new("pw".into()));
    assert_eq!(
        Client::new(Mechanism::Plain, nul, any_nonce()).err(),
        Some(ClientError::Credentials)
    );
    let empty_token = Credentials::bearer("tim", Secret::new(String::new()));
    assert_eq!(
        Client::new(Mechanism::XOAuth2, empty_token, any_nonce()).err(),
        Some(ClientError::Credentials)
    );
}

#[test]
fn failure_kinds() {
    use yubin_sasl::server::FailureKind;
    assert_eq!(Failure::Malformed("x").kind(), FailureKind::Malformed);
    assert_eq!(Failure::InvalidProof.kind(), FailureKind::Rejected);
    assert_eq!(Failure::Unavailable.kind(), FailureKind::Temporary);
}

#[test]
fn secrets_do_not_leak_through_debug() {
    let mut s = Authenticator::new(Mechanism::Plain, any_nonce(), "h");
    let step = s.start(Some(b"\0tim\0tanstaaftanstaaf"));
    let out = format!("{step:?} {s:?}");
    assert!(!out.contains("tanstaaf"), "{out}");
    let creds = Credentials::password("tim", Secret::new("tanstaaftanstaaf".into()));
    let c = Client::new(Mechanism::Plain, creds, any_nonce()).unwrap();
    assert!(!format!("{c:?}").contains("tanstaaf"));
    let creds = scram_credentials(ScramHash::Sha256, "pencil", b"salt", 4096);
    let out = format!("{creds:?}");
    assert!(out.contains("Secret(..)"), "{out}");
}
