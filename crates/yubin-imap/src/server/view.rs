//! The selected mailbox as one session sees it: sequence numbers ↔ UIDs and
//! the changes not yet told to the client.
//!
//! A [`MailboxView`] holds the UIDs the client knows, in ascending order (the
//! message with sequence number `n` is `uids[n - 1]`), as one sorted
//! `Vec<u32>`: 400 KiB for 100 000 messages, lookups by binary search. The
//! application feeds it the mailbox's changes as they happen (new messages,
//! expunges, flag changes with their mod-sequence); the view keeps them
//! pending until the session may tell the client (RFC 9051 §7.5.1: never an
//! EXPUNGE during a non-UID FETCH, STORE or SEARCH) and then turns them into
//! `EXPUNGE` / `VANISHED`, `EXISTS` and `FETCH (FLAGS ...)` responses,
//! keeping the numbering consistent for the client.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use crate::types::{Data, FetchItem, Flag, FlagFetch, SeqNo, SeqRange, SequenceSet};

/// A change the view refused: the application's mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// UIDs must be non-zero and strictly ascending, and below UIDNEXT.
    #[error("uids not strictly ascending, zero, or not below uidnext")]
    UidOrder,
    /// A message number beyond the messages the client knows.
    #[error("message sequence number {0} beyond the mailbox")]
    NoSuchMessage(u32),
    /// `$` without a saved search result.
    #[error("no saved search result")]
    NoSavedResult,
}

/// How pending changes are told to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateStyle {
    /// QRESYNC is enabled: `VANISHED` instead of `EXPUNGE`, `UID` in
    /// unsolicited FETCH responses (RFC 7162 §3.2.10, §3.2.4).
    pub qresync: bool,
    /// CONDSTORE is enabled: `MODSEQ` in unsolicited FETCH responses.
    pub condstore: bool,
    /// The client uses IMAP4rev2: no `\Recent` flag is ever sent.
    pub rev2: bool,
}

/// One session's view of the selected mailbox; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct MailboxView {
    uid_validity: NonZeroU32,
    uid_next: u32,
    uids: Vec<u32>,
    expunged: Vec<u32>,
    appended: Vec<u32>,
    flags: BTreeMap<u32, (Vec<FlagFetch>, Option<u64>)>,
    highest_modseq: Option<u64>,
    saved: Option<Vec<u32>>,
}

impl MailboxView {
    /// A view of `uids` (strictly ascending, non-zero, all below `uid_next`).
    pub fn new(uid_validity: NonZeroU32, uid_next: u32, uids: Vec<u32>) -> Result<Self, ViewError> {
        if !strictly_ascending(&uids) || uids.last().is_some_and(|&u| u >= uid_next) {
            return Err(ViewError::UidOrder);
        }
        Ok(Self {
            uid_validity,
            uid_next,
            uids,
            expunged: Vec::new(),
            appended: Vec::new(),
            flags: BTreeMap::new(),
            highest_modseq: None,
            saved: None,
        })
    }

    /// The mailbox's UIDVALIDITY.
    pub fn uid_validity(&self) -> NonZeroU32 {
        self.uid_validity
    }

    /// The next UID the mailbox will assign, as far as the view knows.
    pub fn uid_next(&self) -> u32 {
        self.uid_next
    }

    /// The number of messages the client knows (its `EXISTS`).
    pub fn len(&self) -> usize {
        self.uids.len()
    }

    /// True when the client knows no message.
    pub fn is_empty(&self) -> bool {
        self.uids.is_empty()
    }

    /// The UIDs the client knows, ascending (index + 1 = sequence number).
    pub fn uids(&self) -> &[u32] {
        &self.uids
    }

    /// The UID of message `seq`.
    pub fn uid(&self, seq: u32) -> Option<u32> {
        let i = usize::try_from(seq).ok()?.checked_sub(1)?;
        self.uids.get(i).copied()
    }

    /// The sequence number of `uid`, if the client knows the message.
    pub fn seq(&self, uid: u32) -> Option<NonZeroU32> {
        let i = self.uids.binary_search(&uid).ok()?;
        u32::try_from(i + 1).ok().and_then(NonZeroU32::new)
    }

    /// Whether `uid` was expunged but the client has not been told yet.
    pub fn is_expunged(&self, uid: u32) -> bool {
        self.expunged.binary_search(&uid).is_ok()
    }

    /// The highest mod-sequence the view knows (CONDSTORE), if any.
    pub fn highest_modseq(&self) -> Option<u64> {
        self.highest_modseq
    }

    /// Sets the mailbox's highest mod-sequence (never lowers it).
    pub fn set_highest_modseq(&mut self, modseq: u64) {
        self.highest_modseq = Some(self.highest_modseq.map_or(modseq, |m| m.max(modseq)));
    }

    /// The saved search result (`$`, RFC 5182), as UIDs.
    pub fn saved(&self) -> Option<&[u32]> {
        self.saved.as_deref()
    }

    /// Replaces the saved search result (SEARCH `RETURN (SAVE)`).
    pub fn save(&mut self, uids: Vec<u32>) {
        self.saved = Some(uids);
    }

    /// Resolves a sequence set into the UIDs of known messages, ascending and
    /// without duplicates. With `uid`, numbers are UIDs and those of no known
    /// message are skipped (RFC 9051 §6.4.9); without, they are sequence
    /// numbers and one beyond the mailbox is an error. `$` gives the saved
    /// result, less the messages expunged since.
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Result<Vec<u32>, ViewError> {
        let ranges = match set {
            SequenceSet::Saved => {
                let saved = self.saved.as_ref().ok_or(ViewError::NoSavedResult)?;
                return Ok(saved
                    .iter()
                    .copied()
                    .filter(|u| self.uids.binary_search(u).is_ok())
                    .collect());
            }
            SequenceSet::Set(r) => r,
        };
        // Index ranges into `uids`, merged before copying: overlapping
        // ranges ("1:*,1:*,...") cost nothing extra.
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for r in ranges {
            let (a, b) = match *r {
                SeqRange::Single(n) => (n, n),
                SeqRange::Range(a, b) => (a, b),
            };
            if uid {
                let largest = self.uids.last().copied().unwrap_or(0);
                let num = |n: SeqNo| match n {
                    SeqNo::Value(v) => v.get(),
                    SeqNo::Largest => largest,
                };
                let (lo, hi) = order(num(a), num(b));
                // RFC 9051 §6.4.9: "n:*" covers the largest UID even when n is larger.
                let (lo, hi) = if matches!(b, SeqNo::Largest) || matches!(a, SeqNo::Largest) {
                    (lo.min(largest), hi)
                } else {
                    (lo, hi)
                };
                let start = self.uids.partition_point(|&u| u < lo);
                let end = self.uids.partition_point(|&u| u <= hi);
                spans.push((start, end));
            } else {
                let len = u32::try_from(self.uids.len()).unwrap_or(u32::MAX);
                let num = |n: SeqNo| match n {
                    SeqNo::Value(v) => Ok(v.get()),
                    SeqNo::Largest if len > 0 => Ok(len),
                    SeqNo::Largest => Err(ViewError::NoSuchMessage(0)),
                };
                let (lo, hi) = order(num(a)?, num(b)?);
                if hi > len {
                    return Err(ViewError::NoSuchMessage(hi));
                }
                let lo = usize::try_from(lo).unwrap_or(usize::MAX).saturating_sub(1);
                let hi = usize::try_from(hi).unwrap_or(usize::MAX);
                spans.push((lo, hi));
            }
        }
        spans.sort_unstable();
        let mut out = Vec::new();
        let mut done = 0usize;
        for (start, end) in spans {
            let start = start.max(done);
            if start < end {
                out.extend_from_slice(self.uids.get(start..end).unwrap_or_default());
                done = end;
            }
        }
        Ok(out)
    }

    /// UIDs within `set` (interpreted as UIDs, `*` as the largest known
    /// UID) that belong to no known message: what `VANISHED (EARLIER)`
    /// reports for a QRESYNC SELECT or a `UID FETCH ... (VANISHED)` when the
    /// server keeps no record of expunges (RFC 7162 §3.2.5.1, §3.2.6).
    pub fn missing(&self, set: &SequenceSet, upto: u32) -> Vec<(u32, u32)> {
        let SequenceSet::Set(ranges) = set else {
            return Vec::new();
        };
        let largest = self.uids.last().copied().unwrap_or(0).max(upto);
        let mut wanted: Vec<(u32, u32)> = ranges
            .iter()
            .map(|r| {
                let (a, b) = match *r {
                    SeqRange::Single(n) => (n, n),
                    SeqRange::Range(a, b) => (a, b),
                };
                let num = |n: SeqNo| match n {
                    SeqNo::Value(v) => v.get(),
                    SeqNo::Largest => largest,
                };
                let (lo, hi) = order(num(a), num(b));
                (lo, hi.min(upto))
            })
            .filter(|(lo, hi)| lo <= hi)
            .collect();
        wanted.sort_unstable();
        // Merge overlapping ranges so each known UID is looked at once.
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(wanted.len());
        for (lo, hi) in wanted {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        let mut out: Vec<(u32, u32)> = Vec::new();
        for (lo, hi) in merged {
            let mut next = lo;
            let start = self.uids.partition_point(|&u| u < lo);
            for &u in self.uids.get(start..).unwrap_or_default() {
                if u > hi {
                    break;
                }
                if u > next {
                    push_range(&mut out, next, u - 1);
                }
                next = u.saturating_add(1);
            }
            if next <= hi && next >= lo {
                push_range(&mut out, next, hi);
            }
        }
        out
    }

    /// A new message arrived (its UID is above every UID seen so far).
    pub fn message_appended(&mut self, uid: u32) -> Result<(), ViewError> {
        let last = self
            .appended
            .last()
            .or(self.uids.last())
            .copied()
            .unwrap_or(0);
        if uid == 0 || uid <= last {
            return Err(ViewError::UidOrder);
        }
        self.appended.push(uid);
        self.uid_next = self.uid_next.max(uid.saturating_add(1));
        Ok(())
    }

    /// A message was expunged. Unknown UIDs are ignored (already gone).
    pub fn message_expunged(&mut self, uid: u32) {
        if let Ok(i) = self.appended.binary_search(&uid) {
            self.appended.remove(i);
            return;
        }
        if self.uids.binary_search(&uid).is_ok() {
            if let Err(i) = self.expunged.binary_search(&uid) {
                self.expunged.insert(i, uid);
            }
            self.flags.remove(&uid);
        }
    }

    /// A message's flags changed (by another session, or the server); the
    /// client is told `* n FETCH (FLAGS ...)`. `modseq` is its new
    /// mod-sequence (CONDSTORE), which also raises the highest one.
    pub fn flags_changed(&mut self, uid: u32, flags: Vec<Flag>, modseq: Option<u64>) {
        if let Some(m) = modseq {
            self.set_highest_modseq(m);
        }
        if self.uids.binary_search(&uid).is_ok() && !self.is_expunged(uid) {
            let flags = flags.into_iter().map(FlagFetch::Flag).collect();
            self.flags.insert(uid, (flags, modseq));
        }
    }

    /// Whether changes wait to be told (with expunges or without).
    pub fn has_updates(&self, allow_expunge: bool) -> bool {
        (allow_expunge && !self.expunged.is_empty())
            || !self.appended.is_empty()
            || !self.flags.is_empty()
    }

    /// Removes messages this session expunged itself (EXPUNGE, MOVE) and
    /// returns the responses telling the client, in order.
    pub fn expunge_now(&mut self, uids: &[u32], style: UpdateStyle) -> Vec<Data> {
        for &u in uids {
            self.message_expunged(u);
        }
        let mut out = Vec::new();
        self.flush_expunges(style, &mut out);
        out
    }

    /// Takes the pending changes as responses: expunges first (unless
    /// `allow_expunge` is false), then `EXISTS` for new messages, then flag
    /// changes. The numbering of each response is the one the client has
    /// when it reads it.
    pub fn take_updates(&mut self, allow_expunge: bool, style: UpdateStyle) -> Vec<Data> {
        let mut out = Vec::new();
        if allow_expunge {
            self.flush_expunges(style, &mut out);
        }
        if !self.appended.is_empty() {
            self.uids.append(&mut self.appended);
            out.push(Data::Exists(
                u32::try_from(self.uids.len()).unwrap_or(u32::MAX),
            ));
        }
        let flags = std::mem::take(&mut self.flags);
        for (uid, (flags, modseq)) in flags {
            let Some(seq) = self.seq(uid) else { continue };
            let mut items = Vec::with_capacity(3);
            if style.qresync
                && let Some(u) = NonZeroU32::new(uid)
            {
                items.push(FetchItem::Uid(u));
            }
            let flags = flags
                .into_iter()
                .filter(|f| !(style.rev2 && *f == FlagFetch::Recent))
                .collect();
            items.push(FetchItem::Flags(flags));
            if let (true, Some(m)) = (style.condstore || style.qresync, modseq) {
                items.push(FetchItem::ModSeq(m));
            }
            out.push(Data::Fetch { seq, items });
        }
        out
    }

    fn flush_expunges(&mut self, style: UpdateStyle, out: &mut Vec<Data>) {
        if self.expunged.is_empty() {
            return;
        }
        let gone = std::mem::take(&mut self.expunged);
        if style.qresync {
            let mut ranges = Vec::new();
            for &u in &gone {
                push_range(&mut ranges, u, u);
            }
            if let Some(set) = ranges_to_set(&ranges) {
                out.push(Data::Vanished {
                    earlier: false,
                    uids: set,
                });
            }
        } else {
            // Ascending, each number as the client counts after the previous
            // EXPUNGE (RFC 9051 §7.5.1 example: 3, 3, 5, 8 for 3, 4, 7, 11).
            for (removed, &u) in gone.iter().enumerate() {
                if let Ok(i) = self.uids.binary_search(&u) {
                    let seq = i + 1 - removed.min(i);
                    if let Some(n) = u32::try_from(seq).ok().and_then(NonZeroU32::new) {
                        out.push(Data::Expunge(n));
                    }
                }
            }
        }
        let mut g = gone.iter().peekable();
        self.uids.retain(|u| {
            while g.peek().is_some_and(|&&x| x < *u) {
                g.next();
            }
            g.peek() != Some(&u)
        });
        if let Some(saved) = &mut self.saved {
            saved.retain(|u| gone.binary_search(u).is_err());
        }
    }
}

fn order(a: u32, b: u32) -> (u32, u32) {
    if a <= b { (a, b) } else { (b, a) }
}

fn strictly_ascending(v: &[u32]) -> bool {
    v.first().is_none_or(|&f| f > 0) && v.windows(2).all(|w| matches!(w, [a, b] if a < b))
}

fn push_range(out: &mut Vec<(u32, u32)>, lo: u32, hi: u32) {
    if let Some(last) = out.last_mut()
        && last.1.checked_add(1) == Some(lo)
    {
        last.1 = hi;
        return;
    }
    out.push((lo, hi));
}

/// A sequence set from ascending, disjoint `(lo, hi)` ranges; `None` when empty.
pub(crate) fn ranges_to_set(ranges: &[(u32, u32)]) -> Option<SequenceSet> {
    let v: Vec<SeqRange> = ranges
        .iter()
        .filter_map(|&(lo, hi)| {
            let a = NonZeroU32::new(lo)?;
            let b = NonZeroU32::new(hi)?;
            Some(if a == b {
                SeqRange::Single(SeqNo::Value(a))
            } else {
                SeqRange::Range(SeqNo::Value(a), SeqNo::Value(b))
            })
        })
        .collect();
    SequenceSet::new(v).ok()
}

/// A sequence set from ascending numbers, runs merged; `None` when empty.
pub(crate) fn numbers_to_set(nums: &[u32]) -> Option<SequenceSet> {
    let mut ranges = Vec::new();
    for &n in nums {
        push_range(&mut ranges, n, n);
    }
    ranges_to_set(&ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    fn set(s: &str) -> SequenceSet {
        let parser = crate::parse::Parser::default();
        let msg = bytes::Bytes::from(format!("a FETCH {s} FLAGS\r\n"));
        match parser.command(&msg).unwrap().body {
            crate::types::CommandBody::Fetch { set, .. } => set,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rfc9051_7_5_1_expunge_numbering() {
        let mut v = MailboxView::new(nz(1), 20, (1..=12).collect()).unwrap();
        for u in [3, 4, 7, 11] {
            v.message_expunged(u);
        }
        let d = v.take_updates(true, UpdateStyle::default());
        assert_eq!(
            d,
            [3, 3, 5, 8]
                .iter()
                .map(|&n| Data::Expunge(nz(n)))
                .collect::<Vec<_>>()
        );
        assert_eq!(v.uids(), &[1, 2, 5, 6, 8, 9, 10, 12]);
    }

    #[test]
    fn resolve_seq_and_uid_sets() {
        let v = MailboxView::new(nz(1), 100, vec![2, 4, 6, 8, 10]).unwrap();
        assert_eq!(v.resolve(&set("2:3"), false).unwrap(), vec![4, 6]);
        assert_eq!(v.resolve(&set("*"), false).unwrap(), vec![10]);
        assert_eq!(v.resolve(&set("4:*,1"), false).unwrap(), vec![2, 8, 10]);
        assert_eq!(
            v.resolve(&set("6"), false),
            Err(ViewError::NoSuchMessage(6))
        );
        assert_eq!(v.resolve(&set("3:7"), true).unwrap(), vec![4, 6]);
        assert_eq!(v.resolve(&set("50:*"), true).unwrap(), vec![10]);
        assert_eq!(v.resolve(&set("$"), true), Err(ViewError::NoSavedResult));
        assert_eq!(
            v.missing(&set("1:12"), 12),
            vec![(1, 1), (3, 3), (5, 5), (7, 7), (9, 9), (11, 12)]
        );
    }

    #[test]
    fn pending_changes_keep_numbering() {
        let mut v = MailboxView::new(nz(1), 10, vec![1, 2, 3]).unwrap();
        v.message_appended(10).unwrap();
        assert_eq!(v.message_appended(10), Err(ViewError::UidOrder));
        v.message_expunged(2);
        v.flags_changed(3, vec![Flag::Seen], Some(7));
        // Expunges withheld (non-UID FETCH in progress): the number stays.
        let d = v.take_updates(false, UpdateStyle::default());
        assert_eq!(
            d,
            vec![
                Data::Exists(4),
                Data::Fetch {
                    seq: nz(3),
                    items: vec![FetchItem::Flags(vec![FlagFetch::Flag(Flag::Seen)])]
                }
            ]
        );
        assert_eq!(v.seq(10), Some(nz(4)));
        let d = v.take_updates(
            true,
            UpdateStyle {
                qresync: true,
                ..Default::default()
            },
        );
        assert_eq!(
            d,
            vec![Data::Vanished {
                earlier: false,
                uids: SequenceSet::single(nz(2))
            }]
        );
        assert_eq!(v.seq(10), Some(nz(3)));
        assert_eq!(v.highest_modseq(), Some(7));
    }

    #[test]
    fn repeated_ranges_cost_nothing_extra() {
        let v = MailboxView::new(nz(1), 200_001, (1..=200_000).collect()).unwrap();
        let many = vec!["1:*"; 5000].join(",");
        assert_eq!(v.resolve(&set(&many), false).unwrap().len(), 200_000);
        assert_eq!(v.resolve(&set(&many), true).unwrap().len(), 200_000);
        assert!(v.missing(&set(&many), 400_000).len() == 1);
        assert_eq!(
            v.resolve(&set("3,1:2,2:4"), false).unwrap(),
            vec![1, 2, 3, 4]
        );
    }

    #[test]
    fn large_view_is_fast() {
        let uids: Vec<u32> = (1..=200_000).map(|n| n * 2).collect();
        let mut v = MailboxView::new(nz(1), 400_001, uids).unwrap();
        for u in (2..=400_000).step_by(4) {
            v.message_expunged(u);
        }
        let d = v.take_updates(true, UpdateStyle::default());
        assert_eq!(d.len(), 100_000);
        assert_eq!(v.len(), 100_000);
        assert_eq!(v.seq(8), Some(nz(2)));
    }
}
