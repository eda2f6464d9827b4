//! Shared driver for the `sasl_*` targets: runs one server mechanism on
//! fuzzer-chosen responses and answers. Responses are the input split on
//! `\n`; the first byte picks the answers and whether an initial response
//! is sent.

use yubin_sasl::server::{Answer, Authenticator, Failure, Step};
use yubin_sasl::{Mechanism, Nonce, ScramHash, scram_credentials};

pub fn run(mechanism: Mechanism, data: &[u8]) {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let mut messages = rest.split(|&b| b == b'\n');
    let mut auth = Authenticator::new(mechanism, Nonce::from_entropy([control; 18]), "fuzz.example");
    if control & 0x80 != 0 {
        auth = auth.success_data_as_challenge();
    }
    let mut step = if control & 1 == 0 {
        auth.start(messages.next())
    } else {
        auth.start(None)
    };
    let mut answers = control >> 1;
    for _ in 0..16 {
        step = match step {
            Step::Challenge(_) => match messages.next() {
                Some(m) => auth.step(m),
                None => return,
            },
            Step::Verify(_) => {
                let answer = match answers % 5 {
                    0 => Answer::Accept,
                    1 => Answer::Reject,
                    2 => Answer::Unavailable,
                    3 => Answer::BearerError(r#"{"status":"invalid_token"}"#.to_owned()),
                    _ => {
                        let hash = match mechanism {
                            Mechanism::ScramSha1 => ScramHash::Sha1,
                            _ => ScramHash::Sha256,
                        };
                        Answer::Scram(scram_credentials(hash, "pencil", b"salt", 1))
                    }
                };
                answers /= 5;
                auth.answer(answer)
            }
            Step::Success(_) | Step::Failure(_) => {
                assert!(auth.is_done());
                // Anything after the end fails, without panicking.
                assert!(matches!(auth.step(b"x"), Step::Failure(Failure::OutOfSequence)));
                return;
            }
        };
    }
}
