//! Split equivalence: the framer yields the same frames whether the input
//! arrives at once or in the pieces the fuzzer chooses, and whether messages
//! without literals are split off (`next`) or read in place (`next_in_place`).
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use yubin_imap::Limits;
use yubin_imap::framer::{Frame, FrameError, Framer, InPlace, Role};

fn run(input: &[u8], cuts: &[usize], role: Role, in_place: bool) -> Vec<Result<Frame, FrameError>> {
    let limits = Limits { max_line_octets: 64, max_literal_octets: 256, max_message_octets: 1024, ..Limits::default() };
    let mut framer = Framer::new(&limits, role);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut last = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        let c = c.clamp(last, input.len());
        buf.extend_from_slice(&input[last..c]);
        last = c;
        if in_place {
            while let Some(f) = framer.next_in_place(&mut buf) {
                out.push(f.map(|x| match x {
                    InPlace::Read(m) => Frame::Message(Bytes::copy_from_slice(&m)),
                    InPlace::Frame(f) => f,
                }));
            }
        } else {
            while let Some(f) = framer.next(&mut buf) {
                out.push(f);
            }
        }
    }
    out
}

fuzz_target!(|data: (Vec<u8>, Vec<u16>, bool)| {
    let (input, cuts, client) = data;
    let role = if client { Role::Client } else { Role::Server };
    let mut cuts: Vec<usize> = cuts.into_iter().map(usize::from).collect();
    cuts.sort_unstable();
    let whole = run(&input, &[], role, false);
    let pieces = run(&input, &cuts, role, false);
    assert_eq!(whole, pieces);
    let in_place = run(&input, &cuts, role, true);
    assert_eq!(whole, in_place);
});
