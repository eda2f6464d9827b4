#![no_main]
//! Reply parser: no panic; a parsed reply re-encodes and re-parses equal;
//! the borrowed `parse_reply` agrees with the line-by-line parser.
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use yubin_smtp::parse::{parse_reply, reply_from_lines};
use yubin_wire::{Line, LineFramer};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some((view, used))) = parse_reply(data, true) {
        assert!(used <= data.len());
        let lines: Vec<&[u8]> = view
            .raw()
            .split_inclusive(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\n").unwrap_or(l))
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        let owned = reply_from_lines(lines, true).expect("a found reply parses line by line");
        assert_eq!(view.to_reply(), owned);
    }
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
