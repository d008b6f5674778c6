//! The time source, injected so that rules depending on "now" can be tested
//! at a fixed instant.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock stopped at `instant`.
    pub fn fixed(instant: DateTime<Utc>) -> Self {
        Self(Arc::new(move || instant))
    }

    /// Now, truncated to microseconds: PostgreSQL keeps no more, and a value
    /// read back must equal the value written on both backends.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)().trunc_subsecs(6)
    }

    /// Now as stored in the database (UTC, no offset).
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_is_fixed_and_truncated() {
        let instant = DateTime::parse_from_rfc3339("2031-11-13T14:30:00.123456789Z")
            .expect("date")
            .with_timezone(&Utc);
        let clock = Clock::fixed(instant);
        assert_eq!(clock.now(), clock.now());
        assert_eq!(clock.now().timestamp_subsec_nanos(), 123_456_000);
    }
}
