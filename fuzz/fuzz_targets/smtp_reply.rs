#![no_main]
//! Reply parser: no panic; a parsed reply re-encodes and re-parses equal.
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use yubin_smtp::parse::reply_from_lines;
use yubin_wire::{Line, LineFramer};

fuzz_target!(|data: &[u8]| {
    let mut framer = LineFramer::new(1024);
    let mut buf = BytesMut::from(data);
    let mut lines = Vec::new();
    while let Some(Line::Complete(l)) = framer.next_line(&mut buf) {
        lines.push(l);
        if lines.len() > 64 {
            break;
        }
    }
    if let Ok(r) = reply_from_lines(lines.iter().map(|l| l.as_ref()), true) {
        let enc = r.to_bytes(true);
        let again: Vec<&[u8]> = enc
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        let r2 = reply_from_lines(again, true).expect("re-parse");
        assert_eq!(r2.code(), r.code());
        assert_eq!(r2.lines().len(), r.lines().len());
    }
});
