//! Fuzz the dot-unstuffer: no panic, and any split of the input (two split
//! points drawn from the input) gives the same chunks joined, the same End
//! position and the same bare-EOL verdict as feeding it whole. Also checks
//! that stuffing the input and unstuffing it again gives it back.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use yubin_wire::{BareEol, Body, Stuffer, Unstuffer};

struct Outcome {
    body: Vec<u8>,
    end: Option<usize>,
    bare: bool,
}

fn unstuff(input: &[u8], cuts: [usize; 2], policy: BareEol) -> Outcome {
    let mut u = Unstuffer::new(policy);
    let mut buf = BytesMut::new();
    let mut body = Vec::new();
    let mut end = None;
    let mut fed = 0;
    let mut cuts = cuts.map(|c| c.min(input.len()));
    cuts.sort_unstable();
    for p in [cuts[0], cuts[1], input.len()] {
        buf.extend_from_slice(input.get(fed..p).unwrap_or(&[]));
        fed = fed.max(p);
        while let Some(step) = u.next(&mut buf) {
            match step {
                Body::Chunk(c) => {
                    assert!(!c.is_empty() && end.is_none());
                    body.extend_from_slice(&c);
                }
                Body::End => {
                    assert!(end.is_none());
                    end = Some(fed - buf.len());
                }
            }
        }
        if end.is_none() {
            assert!(buf.len() <= 2, "held back {}", buf.len());
        }
    }
    assert_eq!(u.body_octets(), body.len() as u64);
    Outcome {
        body,
        end,
        bare: u.bare_eol_seen(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&[p, a0, a1, b0, b1], input)) = data.split_first_chunk::<5>() else {
        return;
    };
    let policy = match p % 3 {
        0 => BareEol::Reject,
        1 => BareEol::Allow,
        _ => BareEol::Normalize,
    };
    let cuts = [
        usize::from(u16::from_le_bytes([a0, a1])),
        usize::from(u16::from_le_bytes([b0, b1])),
    ];
    let whole = unstuff(input, [input.len(); 2], policy);
    let split = unstuff(input, cuts, policy);
    assert_eq!(whole.body, split.body);
    assert_eq!(whole.end, split.end);
    assert_eq!(whole.bare, split.bare);
    if let Some(end) = whole.end {
        let ended = input.get(..end).unwrap_or(&[]);
        assert!(ended == b".\r\n" || ended.ends_with(b"\r\n.\r\n"));
    }

    // Stuff the input as a body, then unstuff it in the same pieces.
    if policy != BareEol::Normalize {
        let mut wire = BytesMut::new();
        let mut s = Stuffer::new();
        let (x, y) = input.split_at(cuts[0].min(input.len()));
        s.push(x, &mut wire);
        s.push(y, &mut wire);
        s.finish(&mut wire);
        let back = unstuff(&wire, cuts, policy);
        let mut expect = input.to_vec();
        if !input.is_empty() && !input.ends_with(b"\r\n") {
            expect.extend_from_slice(b"\r\n");
        }
        assert_eq!(back.body, expect);
        assert_eq!(back.end, Some(wire.len()));
    }
});
