//! Fuzz the line framer: no panic, the buffer stays within the limit, and
//! feeding the input in two pieces (split point drawn from the input) gives
//! the same lines as feeding it whole.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use yubin_wire::{Line, LineFramer};

fn frame(input: &[u8], split: usize, max: usize, bare_lf: bool) -> Vec<Line> {
    let mut framer = LineFramer::new(max);
    framer.allow_bare_lf(bare_lf);
    let mut buf = BytesMut::new();
    let mut lines = Vec::new();
    let (a, b) = input.split_at(split.min(input.len()));
    for piece in [a, b] {
        buf.extend_from_slice(piece);
        while let Some(line) = framer.next_line(&mut buf) {
            if let Line::TooLong { head } = &line {
                assert!(head.len() <= LineFramer::HEAD_OCTETS);
            }
            lines.push(line);
        }
        assert!(buf.len() <= max, "buffer {} over limit {max}", buf.len());
    }
    lines
}

fuzz_target!(|data: &[u8]| {
    let Some((&[m, flags, s0, s1], input)) = data.split_first_chunk::<4>() else {
        return;
    };
    let max = usize::from(m) * 2;
    let bare_lf = flags & 1 == 1;
    let split = usize::from(u16::from_le_bytes([s0, s1]));
    let whole = frame(input, input.len(), max, bare_lf);
    let halves = frame(input, split, max, bare_lf);
    assert_eq!(whole, halves);
});
