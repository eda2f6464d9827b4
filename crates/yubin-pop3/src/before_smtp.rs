//! The POP-before-SMTP ledger: relay grants for addresses that logged in.
//!
//! Old mail clients cannot authenticate to SMTP. The workaround many sites
//! still run: a successful POP3 (or IMAP) login from an address lets that
//! address relay through the SMTP server for a short window. The POP3 (or
//! IMAP) side calls [`Ledger::record`] on every successful login; the SMTP
//! relay policy calls [`Ledger::lookup`] for the connecting address.
//!
//! # Weaknesses, and what the settings do about them
//!
//! The scheme authenticates an *address*, not a person:
//!
//! - **Shared addresses.** Behind a NAT, a carrier-grade NAT, a proxy or a
//!   Wi-Fi hotspot, everyone shares the address of the one user who read
//!   mail. [`LedgerConfig::max_users_per_address`] treats an address that
//!   many distinct users log in from as shared and grants it nothing;
//!   keep [`LedgerConfig::window`] short.
//! - **Reassigned addresses.** A dial-up or DHCP address can be handed to
//!   someone else right after the user hangs up; the grant outlives the
//!   user's session. A short window, or [`Ledger::session_opened`] /
//!   [`Ledger::session_closed`] with a short window after logout, narrows
//!   the gap; [`Ledger::revoke_user`] withdraws a compromised account's
//!   grants at once.
//! - **IPv6.** A host may use many addresses of its /64, so the grant may
//!   be widened with [`LedgerConfig::ipv6_prefix_len`] (opt-in: a wider
//!   prefix grants more hosts). By default a grant covers one exact
//!   address. IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are the same
//!   address as `192.0.2.1`.
//! - **Spoofing.** A grant is only as good as the address the SMTP server
//!   sees; it is meaningless through a proxy that hides the client.
//!
//! Prefer SMTP AUTH (RFC 4954) over TLS wherever the clients support it.
//!
//! # Memory and time
//!
//! At most [`LedgerConfig::max_entries`] addresses are kept; a new address
//! beyond that evicts the one whose grant ends first. [`Ledger::lookup`] is
//! one hash probe (plus an O(log n) removal when it finds an expired
//! entry); [`Ledger::purge`] drops every expired entry in time proportional
//! to their number, through an index ordered by expiry. Time is always an
//! argument, so tests run on a simulated clock.
//!
//! # Several nodes
//!
//! [`LedgerStore`] is the interface the POP3, IMAP and SMTP sides use;
//! [`Ledger`] is its in-memory implementation. Nodes behind a load
//! balancer can share one ledger by implementing the trait over an
//! existing engine (a database, Redis with key expiry).

use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

/// Settings of a [`Ledger`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LedgerConfig {
    /// How long a grant lasts after a login (or after the last open session
    /// closed). Default: 15 minutes, a common POP-before-SMTP window
    /// (e.g. DRAC and poprelayd used 15-30 minutes).
    pub window: Duration,
    /// Most addresses kept at once. Default: 100,000. Each entry costs
    /// about 120 octets plus its user names, so the default bounds the
    /// ledger to roughly 12 MB with short user names (plus the user names
    /// kept: at most `max_users_per_address` per entry).
    pub max_entries: usize,
    /// When set, an address from which more than this many distinct users
    /// logged in within one grant's life is treated as shared (a NAT) and
    /// granted nothing until its entry expires. Default: `None` (no cap).
    pub max_users_per_address: Option<usize>,
    /// When set, IPv6 addresses are widened to this prefix length before
    /// they are stored or looked up (e.g. 64 grants the whole /64).
    /// Default: `None` (one exact address). Values over 128 act as 128.
    pub ipv6_prefix_len: Option<u8>,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            max_entries: 100_000,
            max_users_per_address: None,
            ipv6_prefix_len: None,
        }
    }
}

impl LedgerConfig {
    /// The default settings with another window.
    pub fn with_window(window: Duration) -> Self {
        Self {
            window,
            ..Self::default()
        }
    }
}

/// A relay grant found by [`LedgerStore::lookup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The user whose login granted the address (the latest one).
    pub user: String,
    /// When the grant ends; `None` while a session from the address is
    /// still open (the window starts when the last one closes).
    pub expires: Option<Instant>,
}

/// What [`LedgerStore::record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recorded {
    /// The address is granted.
    Granted,
    /// Too many distinct users logged in from this address
    /// ([`LedgerConfig::max_users_per_address`]): it is treated as shared and
    /// granted nothing until its entry expires.
    Shared,
}

/// The ledger interface, so nodes can share one ledger through an engine.
///
/// Every call takes the current time; implementations never read a clock.
pub trait LedgerStore {
    /// The error a shared backend may report; the in-memory ledger never fails.
    type Error;
    /// Records a successful login of `user` from `ip` at `now`.
    fn record(&mut self, ip: IpAddr, user: &str, now: Instant) -> Result<Recorded, Self::Error>;
    /// Records a login and an open session: the address stays granted
    /// until [`LedgerStore::session_closed`], then for one window.
    fn session_opened(
        &mut self,
        ip: IpAddr,
        user: &str,
        now: Instant,
    ) -> Result<Recorded, Self::Error>;
    /// Marks one session from `ip` closed; when none is left, the window
    /// starts at `now`.
    fn session_closed(&mut self, ip: IpAddr, now: Instant) -> Result<(), Self::Error>;
    /// The grant for `ip` at `now`, if any.
    fn lookup(&mut self, ip: IpAddr, now: Instant) -> Result<Option<Grant>, Self::Error>;
    /// Withdraws every grant obtained by `user`; returns how many entries
    /// were removed or changed.
    fn revoke_user(&mut self, user: &str) -> Result<usize, Self::Error>;
    /// Removes every entry expired at `now`; returns how many.
    fn purge(&mut self, now: Instant) -> Result<usize, Self::Error>;
}

/// When an entry's grant ends: ordered so that open entries come last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expiry {
    At(Instant),
    Open,
}

#[derive(Debug)]
struct Entry {
    /// Distinct users seen, latest last. At most `max(cap, 1)` names.
    users: Vec<String>,
    expiry: Expiry,
    /// When the last open session closes, the window starts then.
    open_sessions: u32,
    shared: bool,
}

/// The in-memory ledger. See the [module docs](self).
#[derive(Debug)]
pub struct Ledger {
    config: LedgerConfig,
    entries: HashMap<IpAddr, Entry>,
    /// (expiry, address) for every entry: the first one expires first.
    by_expiry: BTreeSet<(Expiry, IpAddr)>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new(config: LedgerConfig) -> Self {
        Self {
            config,
            entries: HashMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// How many addresses are stored (expired ones not yet purged included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no address is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The settings.
    pub fn config(&self) -> &LedgerConfig {
        &self.config
    }

    /// The key an address is stored under: IPv4-mapped IPv6 becomes IPv4,
    /// and IPv6 is masked to the configured prefix.
    pub fn canonical(&self, ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => match self.config.ipv6_prefix_len {
                    None => ip,
                    Some(len) => {
                        let len = u32::from(len.min(128));
                        let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                        IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
                    }
                },
            },
        }
    }

    fn insert(&mut self, ip: IpAddr, user: &str, now: Instant, open: bool) -> Recorded {
        let key = self.canonical(ip);
        let window_end = Expiry::At(now + self.config.window);
        if let Some(entry) = self.entries.get_mut(&key) {
            if matches!(entry.expiry, Expiry::At(t) if t <= now) {
                // Expired but not yet purged: start afresh.
                entry.users.clear();
                entry.shared = false;
            }
            let old = entry.expiry;
            if open {
                entry.open_sessions = entry.open_sessions.saturating_add(1);
            }
            let new = if entry.open_sessions > 0 {
                Expiry::Open
            } else {
                old.max(window_end)
            };
            entry.expiry = new;
            let outcome = note_user(entry, user, self.config.max_users_per_address);
            if new != old {
                self.by_expiry.remove(&(old, key));
                self.by_expiry.insert((new, key));
            }
            return outcome;
        }
        if self.entries.len() >= self.config.max_entries.max(1)
            && let Some((_, victim)) = self.by_expiry.pop_first()
        {
            self.entries.remove(&victim);
        }
        let mut entry = Entry {
            users: Vec::with_capacity(1),
            expiry: if open { Expiry::Open } else { window_end },
            open_sessions: u32::from(open),
            shared: false,
        };
        let outcome = note_user(&mut entry, user, self.config.max_users_per_address);
        self.by_expiry.insert((entry.expiry, key));
        self.entries.insert(key, entry);
        outcome
    }

    fn remove(&mut self, key: IpAddr) {
        if let Some(entry) = self.entries.remove(&key) {
            self.by_expiry.remove(&(entry.expiry, key));
        }
    }
}

/// Adds `user` to the entry's distinct users, applying the cap.
fn note_user(entry: &mut Entry, user: &str, cap: Option<usize>) -> Recorded {
    if entry.shared {
        return Recorded::Shared;
    }
    if let Some(pos) = entry.users.iter().position(|u| u == user) {
        // Move to the end: the latest user is the one a lookup reports.
        let name = entry.users.remove(pos);
        entry.users.push(name);
        return Recorded::Granted;
    }
    match cap {
        None => {
            entry.users.clear();
            entry.users.push(user.to_owned());
            Recorded::Granted
        }
        Some(cap) if entry.users.len() >= cap => {
            entry.shared = true;
            entry.users.clear();
            Recorded::Shared
        }
        Some(_) => {
            entry.users.push(user.to_owned());
            Recorded::Granted
        }
    }
}

impl LedgerStore for Ledger {
    type Error = Infallible;

    fn record(&mut self, ip: IpAddr, user: &str, now: Instant) -> Result<Recorded, Infallible> {
        Ok(self.insert(ip, user, now, false))
    }

    fn session_opened(
        &mut self,
        ip: IpAddr,
        user: &str,
        now: Instant,
    ) -> Result<Recorded, Infallible> {
        Ok(self.insert(ip, user, now, true))
    }

    fn session_closed(&mut self, ip: IpAddr, now: Instant) -> Result<(), Infallible> {
        let key = self.canonical(ip);
        let window_end = Expiry::At(now + self.config.window);
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.open_sessions = entry.open_sessions.saturating_sub(1);
            if entry.open_sessions == 0 && entry.expiry == Expiry::Open {
                entry.expiry = window_end;
                self.by_expiry.remove(&(Expiry::Open, key));
                self.by_expiry.insert((window_end, key));
            }
        }
        Ok(())
    }

    fn lookup(&mut self, ip: IpAddr, now: Instant) -> Result<Option<Grant>, Infallible> {
        let key = self.canonical(ip);
        let Some(entry) = self.entries.get(&key) else {
            return Ok(None);
        };
        let expires = match entry.expiry {
            Expiry::Open => None,
            Expiry::At(t) if t <= now => {
                self.remove(key);
                return Ok(None);
            }
            Expiry::At(t) => Some(t),
        };
        if entry.shared {
            return Ok(None);
        }
        Ok(entry.users.last().map(|user| Grant {
            user: user.clone(),
            expires,
        }))
    }

    fn revoke_user(&mut self, user: &str) -> Result<usize, Infallible> {
        let mut emptied = Vec::new();
        let mut changed = 0;
        for (key, entry) in &mut self.entries {
            let before = entry.users.len();
            entry.users.retain(|u| u != user);
            if entry.users.len() != before {
                changed += 1;
                if entry.users.is_empty() {
                    emptied.push(*key);
                }
            }
        }
        for key in emptied {
            self.remove(key);
        }
        Ok(changed)
    }

    fn purge(&mut self, now: Instant) -> Result<usize, Infallible> {
        let mut n = 0;
        while let Some(&(Expiry::At(t), key)) = self.by_expiry.first() {
            if t > now {
                break;
            }
            self.by_expiry.pop_first();
            self.entries.remove(&key);
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    /// The simulated clock's origin; every other instant is derived from it.
    #[allow(clippy::disallowed_methods)]
    fn t0() -> Instant {
        Instant::now()
    }

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn grant_expires_exactly_at_window_end() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig::default());
        let ip = v4(192, 0, 2, 1);
        assert_eq!(l.record(ip, "mrose", t0), Ok(Recorded::Granted));
        let end = t0 + 15 * MIN;
        let g = l
            .lookup(ip, end - Duration::from_nanos(1))
            .unwrap()
            .unwrap();
        assert_eq!(g.user, "mrose");
        assert_eq!(g.expires, Some(end));
        assert_eq!(l.lookup(ip, end), Ok(None));
        // The lookup removed the expired entry.
        assert!(l.is_empty());
    }

    #[test]
    fn refresh_extends_the_grant() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig::with_window(10 * MIN));
        let ip = v4(192, 0, 2, 1);
        l.record(ip, "a", t0).unwrap();
        l.record(ip, "a", t0 + 8 * MIN).unwrap();
        let g = l.lookup(ip, t0 + 12 * MIN).unwrap().unwrap();
        assert_eq!(g.expires, Some(t0 + 18 * MIN));
        assert_eq!(l.lookup(ip, t0 + 18 * MIN), Ok(None));
    }

    #[test]
    fn ipv4_mapped_is_the_same_address() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig::default());
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        l.record(mapped, "u", t0).unwrap();
        assert_eq!(l.lookup(v4(192, 0, 2, 1), t0).unwrap().unwrap().user, "u");
        l.record(v4(192, 0, 2, 1), "u", t0).unwrap();
        assert_eq!(l.len(), 1);
        // A neighbour is not granted.
        assert_eq!(l.lookup(v4(192, 0, 2, 2), t0), Ok(None));
    }

    #[test]
    fn ipv6_exact_by_default_prefix_opt_in() {
        let t0 = t0();
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        let far: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        let mut exact = Ledger::new(LedgerConfig::default());
        exact.record(a, "u", t0).unwrap();
        assert_eq!(exact.lookup(b, t0), Ok(None));
        let mut wide = Ledger::new(LedgerConfig {
            ipv6_prefix_len: Some(64),
            ..LedgerConfig::default()
        });
        wide.record(a, "u", t0).unwrap();
        assert!(wide.lookup(b, t0).unwrap().is_some());
        assert_eq!(wide.lookup(far, t0), Ok(None));
        assert_eq!(
            wide.canonical("2001:db8::ffff".parse().unwrap()),
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0))
        );
        let all = Ledger::new(LedgerConfig {
            ipv6_prefix_len: Some(0),
            ..LedgerConfig::default()
        });
        assert_eq!(all.canonical(a), IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        let over = Ledger::new(LedgerConfig {
            ipv6_prefix_len: Some(200),
            ..LedgerConfig::default()
        });
        assert_eq!(over.canonical(a), a);
    }

    #[test]
    fn entry_cap_holds_under_a_million_addresses() {
        let t0 = t0();
        let cap = 1000;
        let mut l = Ledger::new(LedgerConfig {
            max_entries: cap,
            ..LedgerConfig::default()
        });
        for i in 0u32..1_000_000 {
            // Later logins expire later, so the oldest are evicted.
            let now = t0 + Duration::from_millis(u64::from(i));
            l.record(IpAddr::V4(Ipv4Addr::from(i)), "u", now).unwrap();
            assert!(l.len() <= cap);
        }
        assert_eq!(l.len(), cap);
        assert_eq!(l.by_expiry.len(), cap);
        let end = t0 + Duration::from_millis(999_999);
        // The newest survive, the oldest went.
        assert!(
            l.lookup(IpAddr::V4(Ipv4Addr::from(999_999u32)), end)
                .unwrap()
                .is_some()
        );
        assert!(
            l.lookup(IpAddr::V4(Ipv4Addr::from(0u32)), end)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn eviction_takes_the_soonest_expiring() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig {
            max_entries: 2,
            ..LedgerConfig::default()
        });
        l.record(v4(10, 0, 0, 1), "a", t0 + MIN).unwrap();
        l.record(v4(10, 0, 0, 2), "b", t0).unwrap();
        l.record(v4(10, 0, 0, 3), "c", t0 + 2 * MIN).unwrap();
        assert!(l.lookup(v4(10, 0, 0, 2), t0 + 2 * MIN).unwrap().is_none());
        assert!(l.lookup(v4(10, 0, 0, 1), t0 + 2 * MIN).unwrap().is_some());
        assert!(l.lookup(v4(10, 0, 0, 3), t0 + 2 * MIN).unwrap().is_some());
    }

    #[test]
    fn purge_leaves_no_expired_entry() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig::default());
        for i in 0..100u8 {
            l.record(v4(10, 0, 0, i), "u", t0 + Duration::from_secs(u64::from(i)))
                .unwrap();
        }
        l.session_opened(v4(10, 0, 1, 1), "open", t0).unwrap();
        let now = t0 + 15 * MIN + Duration::from_secs(49);
        assert_eq!(l.purge(now), Ok(50));
        assert_eq!(l.len(), 51);
        for (key, e) in &l.entries {
            assert!(!matches!(e.expiry, Expiry::At(t) if t <= now), "{key}");
        }
        assert_eq!(l.entries.len(), l.by_expiry.len());
        assert_eq!(l.purge(now), Ok(0));
    }

    #[test]
    fn open_session_keeps_the_grant_window_starts_at_logout() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig::default());
        let ip = v4(198, 51, 100, 7);
        l.session_opened(ip, "u", t0).unwrap();
        l.session_opened(ip, "u", t0).unwrap();
        let later = t0 + 100 * MIN;
        assert_eq!(l.purge(later), Ok(0));
        let g = l.lookup(ip, later).unwrap().unwrap();
        assert_eq!(g.expires, None);
        l.session_closed(ip, later).unwrap();
        assert_eq!(l.lookup(ip, later).unwrap().unwrap().expires, None);
        l.session_closed(ip, later).unwrap();
        assert_eq!(
            l.lookup(ip, later).unwrap().unwrap().expires,
            Some(later + 15 * MIN)
        );
        assert_eq!(l.lookup(ip, later + 15 * MIN), Ok(None));
        // Closing an unknown address is harmless.
        l.session_closed(v4(1, 2, 3, 4), later).unwrap();
    }

    #[test]
    fn revoke_user_withdraws_grants() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig {
            max_users_per_address: Some(3),
            ..LedgerConfig::default()
        });
        l.record(v4(10, 0, 0, 1), "evil", t0).unwrap();
        l.record(v4(10, 0, 0, 2), "evil", t0).unwrap();
        l.record(v4(10, 0, 0, 2), "good", t0).unwrap();
        l.record(v4(10, 0, 0, 3), "good", t0).unwrap();
        assert_eq!(l.revoke_user("evil"), Ok(2));
        assert_eq!(l.lookup(v4(10, 0, 0, 1), t0), Ok(None));
        assert_eq!(l.lookup(v4(10, 0, 0, 2), t0).unwrap().unwrap().user, "good");
        assert_eq!(l.lookup(v4(10, 0, 0, 3), t0).unwrap().unwrap().user, "good");
        assert_eq!(l.entries.len(), l.by_expiry.len());
    }

    #[test]
    fn users_per_address_cap_marks_shared() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig {
            max_users_per_address: Some(2),
            ..LedgerConfig::default()
        });
        let nat = v4(203, 0, 113, 9);
        assert_eq!(l.record(nat, "a", t0), Ok(Recorded::Granted));
        assert_eq!(l.record(nat, "b", t0), Ok(Recorded::Granted));
        assert_eq!(l.record(nat, "a", t0), Ok(Recorded::Granted));
        assert_eq!(l.lookup(nat, t0).unwrap().unwrap().user, "a");
        assert_eq!(l.record(nat, "c", t0), Ok(Recorded::Shared));
        assert_eq!(l.lookup(nat, t0), Ok(None));
        assert_eq!(l.record(nat, "a", t0 + MIN), Ok(Recorded::Shared));
        // Once the shared entry expires, the address starts afresh.
        let later = t0 + 16 * MIN;
        assert_eq!(l.lookup(nat, later), Ok(None));
        assert_eq!(l.record(nat, "a", later), Ok(Recorded::Granted));
        assert!(l.lookup(nat, later).unwrap().is_some());
    }

    #[test]
    fn expired_unpurged_entry_starts_afresh() {
        let t0 = t0();
        let mut l = Ledger::new(LedgerConfig {
            max_users_per_address: Some(1),
            ..LedgerConfig::default()
        });
        let ip = v4(10, 9, 8, 7);
        l.record(ip, "a", t0).unwrap();
        // No lookup or purge in between: the old user must not count.
        assert_eq!(l.record(ip, "b", t0 + 20 * MIN), Ok(Recorded::Granted));
        assert_eq!(l.lookup(ip, t0 + 20 * MIN).unwrap().unwrap().user, "b");
    }
}
