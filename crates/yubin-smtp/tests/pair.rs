#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    missing_docs
)]
//! Client <-> server pair: the two sessions wired together in memory, no
//! sockets. Every combination of PIPELINING on/off x DATA/BDAT x AUTH
//! mechanism, with one recipient refused; the body arrives byte for byte.

use std::sync::Arc;
use std::time::Instant;

use yubin_sasl::client::Credentials;
use yubin_sasl::server::{Answer, Verify};
use yubin_sasl::{Mechanism, Nonce, ScramHash, Secret, scram_credentials};
use yubin_smtp::client::{self, Auth, Envelope};
use yubin_smtp::server::{self, Connection, Settings};
use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, Reply, ReversePath};

const USER: &str = "tim";
const PASSWORD: &str = "tanstaaftanstaaf";

fn body() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b".first line starts with a dot\r\n");
    b.extend_from_slice(b"Subject: pair test\r\n\r\n");
    for i in 0..2000 {
        b.extend_from_slice(format!("line {i} of the body\r\n").as_bytes());
        if i % 97 == 0 {
            b.extend_from_slice(b".\r\n..\r\n.x\r\n");
        }
    }
    b
}

struct Outcome {
    received: Vec<u8>,
    result: client::Outcome,
    authenticated: Option<String>,
}

fn run(pipelining: bool, chunking: bool, lmtp: bool, mech: Option<Mechanism>) -> Outcome {
    let mut s = Settings::new("mx.example.org");
    s.extensions.pipelining = pipelining;
    s.extensions.chunking = chunking;
    s.lmtp = lmtp;
    s.danger_plaintext_auth_without_tls = true;
    s.auth_mechanisms = vec![
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ];
    let config = Arc::new(s.build().unwrap());
    let now = Instant::now();
    let mut srv = server::Session::new(config, now, Connection::default(), [3; 18]);

    let mut cs = client::Settings::new(Host::Domain(Domain::new("client.example.net").unwrap()));
    cs.lmtp = lmtp;
    cs.auth = mech.map(|mechanism| Auth {
        mechanism,
        credentials: Credentials::password(USER, Secret::new(PASSWORD.to_owned())),
        nonce: Nonce::from_entropy([9; 18]),
    });
    let mut cli = client::Session::new(cs, now, false);

    let body = body();
    let mut sent_body = 0;
    let mut body_started = false;
    let mut received = Vec::new();
    let mut result = None;
    let mut authenticated = None;
    let mut rcpt_ok = 0;
    let mb = |s: &str| Mailbox::new(s).unwrap();
    for _round in 0..10_000 {
        // client -> server
        let out = cli.outgoing().to_vec();
        let n = srv.receive(now, &out);
        cli.sent(n);
        while let Some(ev) = srv.next_event() {
            match ev {
                server::Event::Helo { ticket, .. } => srv.accept(ticket).unwrap(),
                server::Event::MailFrom { ticket, .. } => {
                    rcpt_ok = 0;
                    srv.accept(ticket).unwrap()
                }
                server::Event::RcptTo { ticket, to, .. } => {
                    let ForwardPath::Mailbox(m) = to else {
                        panic!()
                    };
                    if m.local_part() == "refused" {
                        srv.reject(ticket, Reply::relay_denied()).unwrap();
                    } else {
                        rcpt_ok += 1;
                        srv.accept(ticket).unwrap();
                    }
                }
                server::Event::BodyChunk(b) => received.extend_from_slice(&b),
                server::Event::BodyEnd { ticket, .. } => {
                    if lmtp {
                        let replies = (0..rcpt_ok)
                            .map(|i| {
                                if i == 0 {
                                    Reply::with_enhanced(
                                        yubin_smtp::ReplyCode::OK,
                                        yubin_smtp::EnhancedCode::OK,
                                        "delivered",
                                    )
                                } else {
                                    Reply::try_later()
                                }
                            })
                            .collect();
                        srv.accept_each(ticket, replies).unwrap();
                    } else {
                        srv.accept(ticket).unwrap();
                    }
                }
                server::Event::AuthVerify { ticket, verify, .. } => {
                    let answer = match verify {
                        Verify::Password {
                            authcid, password, ..
                        } => {
                            if authcid == USER && password.expose() == PASSWORD {
                                Answer::Accept
                            } else {
                                Answer::Reject
                            }
                        }
                        Verify::CramMd5(c) => {
                            if c.user == USER && c.verify(PASSWORD.as_bytes()) {
                                Answer::Accept
                            } else {
                                Answer::Reject
                            }
                        }
                        Verify::ScramLookup { authcid, hash, .. } => {
                            assert_eq!(authcid, USER);
                            assert_eq!(hash, ScramHash::Sha256);
                            Answer::Scram(scram_credentials(hash, PASSWORD, b"salty", 4096))
                        }
                        other => panic!("{other:?}"),
                    };
                    srv.answer_auth(ticket, answer).unwrap();
                }
                server::Event::Authenticated {
                    authcid, authzid, ..
                } => authenticated = authzid.or(authcid),
                server::Event::Closed(_) => {}
                server::Event::Reset | server::Event::MessageRejected(_) => {}
                other => panic!("unexpected server event {other:?}"),
            }
        }
        // server -> client
        let out = srv.outgoing().to_vec();
        let n = cli.receive(now, &out);
        srv.sent(n);
        while let Some(ev) = cli.next_event() {
            match ev {
                client::Event::Ready(caps) => {
                    assert_eq!(caps.pipelining, pipelining || lmtp);
                    assert_eq!(caps.chunking, chunking);
                    if result.is_none() && !body_started {
                        cli.send_mail(Envelope {
                            from: ReversePath::Mailbox(mb("sender@example.net")),
                            params: MailParams::default(),
                            recipients: vec![
                                (
                                    ForwardPath::Mailbox(mb("a@example.org")),
                                    RcptParams::default(),
                                ),
                                (
                                    ForwardPath::Mailbox(mb("refused@example.com")),
                                    RcptParams::default(),
                                ),
                                (
                                    ForwardPath::Mailbox(mb("b@example.org")),
                                    RcptParams::default(),
                                ),
                            ],
                        })
                        .unwrap();
                    }
                }
                client::Event::SendBody => body_started = true,
                client::Event::Done(o) => {
                    result = Some(o);
                    cli.quit();
                }
                client::Event::Closed => {}
                other => panic!("unexpected client event {other:?}"),
            }
        }
        if body_started && sent_body < body.len() {
            sent_body += cli.send_body(&body[sent_body..(sent_body + 7001).min(body.len())]);
            if sent_body == body.len() {
                cli.end_body();
            }
        }
        if cli.is_closed() && srv.is_closed() {
            break;
        }
    }
    assert!(
        cli.is_closed() && srv.is_closed(),
        "sessions did not finish"
    );
    Outcome {
        received,
        result: result.expect("no transaction result"),
        authenticated,
    }
}

#[test]
fn pair_every_combination() {
    let mechs = [
        None,
        Some(Mechanism::Plain),
        Some(Mechanism::Login),
        Some(Mechanism::CramMd5),
        Some(Mechanism::ScramSha256),
    ];
    for pipelining in [false, true] {
        for chunking in [false, true] {
            for mech in mechs {
                let o = run(pipelining, chunking, false, mech);
                let ctx = format!("pipelining={pipelining} chunking={chunking} mech={mech:?}");
                assert_eq!(o.received, body(), "{ctx}");
                assert_eq!(o.result.recipients.len(), 3, "{ctx}");
                assert!(o.result.recipients[0].code().is_positive(), "{ctx}");
                assert_eq!(o.result.recipients[1].code().get(), 550, "{ctx}");
                assert!(o.result.recipients[2].code().is_positive(), "{ctx}");
                assert_eq!(o.result.data.len(), 1, "{ctx}");
                assert!(o.result.delivered(), "{ctx}");
                assert_eq!(o.authenticated.as_deref(), mech.map(|_| USER), "{ctx}");
            }
        }
    }
}

#[test]
fn rfc2033_pair_lmtp_per_recipient_results() {
    for chunking in [false, true] {
        let o = run(true, chunking, true, None);
        assert_eq!(o.received, body());
        assert_eq!(
            o.result.data.len(),
            2,
            "one final reply per accepted recipient"
        );
        assert!(o.result.data[0].code().is_positive());
        assert_eq!(o.result.data[1].code().get(), 451);
    }
}
