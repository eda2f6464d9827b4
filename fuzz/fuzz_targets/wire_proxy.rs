//! Fuzz the PROXY protocol header parser: no panic; a header is never
//! longer than the input or the parser's own bounds; every prefix of a
//! parsed header asks for more bytes, and the header alone parses to the
//! same value (the answer does not depend on how the bytes arrived).
#![no_main]

use libfuzzer_sys::fuzz_target;
use yubin_wire::proxy::{V1_MAX_OCTETS, V2_MAX_OCTETS, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(Some((header, used))) = parse(data) else {
        return;
    };
    assert!(used <= data.len());
    assert!(used <= V1_MAX_OCTETS.max(V2_MAX_OCTETS));
    let whole = data.get(..used).unwrap_or_default();
    assert_eq!(parse(whole), Ok(Some((header, used))));
    for cut in 1..used {
        assert_eq!(parse(data.get(..cut).unwrap_or_default()), Ok(None), "prefix {cut}");
    }
});
