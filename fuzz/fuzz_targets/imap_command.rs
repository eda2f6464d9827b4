//! Any bytes as an IMAP command: parsing never panics, a borrowed slice
//! parses to the same value (or error) as a shared `Bytes`, and whatever
//! parses encodes to bytes that parse back to the same value (decode →
//! encode → decode).
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use yubin_imap::encode;
use yubin_imap::parse::Parser;

fuzz_target!(|data: &[u8]| {
    let parser = Parser::default();
    let msg = Bytes::copy_from_slice(data);
    let parsed = parser.command(&msg);
    assert_eq!(parser.command_slice(data), parsed);
    if let Ok(cmd) = parsed {
        let mut out = BytesMut::new();
        encode::command(&cmd, &mut out);
        let again = parser.command(&out.freeze()).expect("encoded command must parse");
        assert_eq!(again, cmd);
    }
});
