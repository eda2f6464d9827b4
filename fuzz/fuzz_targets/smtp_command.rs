#![no_main]
//! Command parser: no panic; what parses re-encodes to something that
//! parses to the same command.
use libfuzzer_sys::fuzz_target;
use yubin_smtp::parse::parse_command;

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = parse_command(data) {
        let bytes = cmd.to_bytes();
        let line = bytes.strip_suffix(b"\r\n").expect("encoder ends with CRLF");
        assert_eq!(parse_command(line).expect("re-parse"), cmd);
    }
});
