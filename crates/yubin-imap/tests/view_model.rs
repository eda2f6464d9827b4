//! The mailbox view against a naive model: whatever the order of appends,
//! expunges and flushes (with and without expunges allowed, EXPUNGE or
//! VANISHED style), a client that applies the responses in order ends with
//! the view's numbering, and that numbering is the store's once flushed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::num::NonZeroU32;

use proptest::prelude::*;
use yubin_imap::server::{MailboxView, UpdateStyle};
use yubin_imap::types::{Data, SeqNo, SeqRange, SequenceSet};

#[derive(Debug, Clone)]
enum Op {
    Append,
    Expunge(usize),
    Flush { allow_expunge: bool, qresync: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Append),
        3 => (0usize..64).prop_map(Op::Expunge),
        2 => (any::<bool>(), any::<bool>())
            .prop_map(|(allow_expunge, qresync)| Op::Flush { allow_expunge, qresync }),
    ]
}

/// What a client does with the responses.
fn apply(client: &mut Vec<u32>, next_unknown: &mut u32, data: Vec<Data>) {
    for d in data {
        match d {
            Data::Expunge(n) => {
                client.remove(n.get() as usize - 1);
            }
            Data::Vanished { uids, .. } => {
                let SequenceSet::Set(r) = uids else { panic!() };
                for r in r {
                    let (a, b) = match r {
                        SeqRange::Single(SeqNo::Value(a)) => (a.get(), a.get()),
                        SeqRange::Range(SeqNo::Value(a), SeqNo::Value(b)) => (a.get(), b.get()),
                        other => panic!("{other:?}"),
                    };
                    client.retain(|u| *u < a || *u > b);
                }
            }
            Data::Exists(n) => {
                while client.len() < n as usize {
                    // The client learns UIDs later (UID FETCH); mark them.
                    *next_unknown += 1;
                    client.push(0);
                }
            }
            other => panic!("{other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn client_numbering_follows_the_view(initial in 0u32..20, ops in prop::collection::vec(op(), 0..40)) {
        let uids: Vec<u32> = (1..=initial).map(|u| u * 3).collect();
        let mut store = uids.clone();
        let mut next = initial * 3 + 1;
        let mut view = MailboxView::new(NonZeroU32::new(7).unwrap(), next, uids.clone()).unwrap();
        let mut client = uids;
        let mut unknown = 0;
        for op in ops {
            match op {
                Op::Append => {
                    view.message_appended(next).unwrap();
                    store.push(next);
                    next += 2;
                }
                Op::Expunge(i) => {
                    if !store.is_empty() {
                        let u = store.remove(i % store.len());
                        view.message_expunged(u);
                    }
                }
                Op::Flush { allow_expunge, qresync } => {
                    let style = UpdateStyle { qresync, ..UpdateStyle::default() };
                    let d = view.take_updates(allow_expunge, style);
                    apply(&mut client, &mut unknown, d);
                    // Fill in the UIDs the client would fetch.
                    for (c, v) in client.iter_mut().zip(view.uids()) {
                        if *c == 0 { *c = *v; }
                    }
                    prop_assert_eq!(&client, &view.uids().to_vec());
                    if allow_expunge {
                        // Every expunge told: the view is the store, less
                        // what is still pending as new.
                        prop_assert!(view.uids().iter().all(|u| store.contains(u)));
                    }
                }
            }
        }
        let d = view.take_updates(true, UpdateStyle::default());
        apply(&mut client, &mut unknown, d);
        for (c, v) in client.iter_mut().zip(view.uids()) {
            if *c == 0 { *c = *v; }
        }
        prop_assert_eq!(&client, &store);
        prop_assert_eq!(view.uids(), &store[..]);
    }
}
