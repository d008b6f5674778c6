//! The accounts this process read in the last second: what a token or a
//! session names is checked against the account as it is (active, same
//! token version) on every request, but not read from the database on
//! every request. An entry serves for at most [`FRESH_FOR`], and none
//! survives a change to the `users` table made by this process (the store
//! counts them), so:
//!
//! - on the server that disabled an account or changed its password, the
//!   old credentials stop at the next request, as before;
//! - on the other servers over the same database, within one second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::Caller;

/// How long an account read from the database is trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// Entries kept at most; past it the cache starts over (a second's worth
/// of distinct users is far below it).
const CAPACITY: usize = 10_000;

/// An account as read: who it is, and what a credential must match.
#[derive(Debug, Clone)]
pub struct Account {
    pub caller: Caller,
    pub active: bool,
    pub token_version: i32,
}

impl Account {
    /// The caller, if a credential at `token_version` still opens it.
    pub fn admits(&self, token_version: i32) -> Option<Caller> {
        (self.active && self.token_version == token_version).then(|| self.caller.clone())
    }
}

struct Entry {
    read_at: Instant,
    /// The store's count of `users` changes when the row was read.
    changes: u64,
    account: Account,
}

#[derive(Default)]
pub struct RecentAccounts {
    entries: Mutex<HashMap<String, Entry>>,
}

impl RecentAccounts {
    /// The account read less than a second ago, with no change to the
    /// `users` table since (`changes` is the store's count now).
    pub fn get(&self, user_id: &str, changes: u64, now: Instant) -> Option<Account> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(user_id)
            .filter(|e| e.changes == changes && now.duration_since(e.read_at) < FRESH_FOR)
            .map(|e| e.account.clone())
    }

    /// Keeps an account read at `read_at`, when the store's count was
    /// `changes` (taken before the read: a change racing the read makes
    /// the entry stale at once).
    pub fn put(&self, account: Account, changes: u64, read_at: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| read_at.duration_since(e.read_at) < FRESH_FOR);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            account.caller.user_id.clone(),
            Entry {
                read_at,
                changes,
                account,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn account(id: &str, active: bool, token_version: i32) -> Account {
        Account {
            caller: Caller {
                user_id: id.into(),
                email: format!("{id}@clu.test"),
                display_name: id.into(),
                role: Role::Secretariat,
                structure_id: Some("s".into()),
            },
            active,
            token_version,
        }
    }

    #[test]
    fn serves_for_a_second_and_not_past_a_change() {
        let cache = RecentAccounts::default();
        let t0 = Instant::now();
        cache.put(account("a", true, 3), 7, t0);
        assert!(cache.get("a", 7, t0 + Duration::from_millis(999)).is_some());
        assert!(cache.get("a", 7, t0 + FRESH_FOR).is_none(), "a second old");
        assert!(cache.get("a", 8, t0).is_none(), "the users table changed");
        assert!(cache.get("b", 7, t0).is_none());
    }

    #[test]
    fn admits_only_an_active_account_at_its_version() {
        assert!(account("a", true, 3).admits(3).is_some());
        assert!(account("a", true, 3).admits(2).is_none());
        assert!(account("a", false, 3).admits(3).is_none());
    }

    #[test]
    fn stays_bounded() {
        let cache = RecentAccounts::default();
        let t0 = Instant::now();
        for n in 0..CAPACITY + 5 {
            cache.put(account(&n.to_string(), true, 0), 0, t0);
        }
        let len = cache.entries.lock().expect("lock").len();
        assert!(len <= CAPACITY, "{len} entries");
        assert!(cache.get(&(CAPACITY + 4).to_string(), 0, t0).is_some());
    }
}
