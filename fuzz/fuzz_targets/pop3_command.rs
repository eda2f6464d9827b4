#![no_main]
//! POP3 command and response parsers: no panic; decode → encode → decode is stable.

use libfuzzer_sys::fuzz_target;
use yubin_pop3::parse::{
    parse_capability, parse_command, parse_list_entry, parse_stat, parse_status_line,
    parse_uidl_entry,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = parse_command(data) {
        let bytes = cmd.to_bytes();
        let line = &bytes[..bytes.len() - 2];
        let again = parse_command(line).expect("an encoded command parses");
        assert_eq!(again, cmd);
        assert_eq!(again.to_bytes(), bytes);
    }
    if let Ok(s) = parse_status_line(data) {
        let r = yubin_pop3::types::Reply {
            status: s.status,
            code: s.code,
            text: s.text,
        };
        let bytes = r.to_bytes();
        let again = parse_status_line(&bytes[..bytes.len() - 2]).expect("an encoded reply parses");
        assert_eq!(again.status, r.status);
        assert_eq!(again.code, r.code);
    }
    if let Ok(c) = parse_capability(data) {
        let mut out = bytes::BytesMut::new();
        c.encode(&mut out);
        let _ = parse_capability(&out[..out.len() - 2]);
    }
    let _ = parse_list_entry(data);
    let _ = parse_uidl_entry(data);
    let _ = parse_stat(data);
});
