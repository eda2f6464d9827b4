//! Any bytes as an IMAP response (strict and with every quirk): parsing never
//! panics, and whatever parses is stable under decode → encode → decode.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use yubin_imap::encode;
use yubin_imap::parse::{ParseOptions, Parser};
use yubin_imap::types::{Data, FetchItem, Response};

fuzz_target!(|data: &[u8]| {
    let msg = Bytes::copy_from_slice(data);
    let strict = Parser::default();
    if let Ok(resp) = strict.response(&msg) {
        let mut out = BytesMut::new();
        encode::response(&resp, &mut out);
        let again = strict.response(&out.freeze()).expect("encoded response must parse");
        assert_eq!(again, resp);
    }
    let lenient = Parser::new(ParseOptions {
        quirk_trailing_space: true,
        quirk_nil_as_string: true,
        quirk_unescaped_quote_in_bodystructure: true,
        quirk_isolate_bad_fetch_item: true,
        quirk_missing_text: true,
        ..ParseOptions::default()
    });
    if let Ok(resp) = lenient.response(&msg) {
        // Quirk output need not re-encode identically, but must encode without panicking
        // and, when no item was isolated as invalid, parse again.
        let mut out = BytesMut::new();
        encode::response(&resp, &mut out);
        let isolated = matches!(&resp, Response::Data(Data::Fetch { items, .. }) if items.iter().any(|i| matches!(i, FetchItem::Invalid { .. })));
        if !isolated {
            let _ = lenient.response(&out.freeze());
        }
    }
});
