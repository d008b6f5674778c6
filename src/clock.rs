//! The time source, injected so that rules depending on "now" can be tested
//! at a fixed instant.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use chrono_tz::Europe::Paris;

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock reading `now` (tests move time with it).
    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
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

    /// Today's date in France (Europe/Paris), whatever the server's zone.
    pub fn today(&self) -> NaiveDate {
        paris_date(self.now())
    }

    /// Now as stored in the database (UTC, no offset).
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }
}

/// The calendar date of `instant` in France.
pub fn paris_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&Paris).date_naive()
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

    #[test]
    fn today_is_the_date_in_paris() {
        let late = DateTime::parse_from_rfc3339("2031-11-13T23:30:00Z")
            .expect("date")
            .with_timezone(&Utc);
        assert_eq!(Clock::fixed(late).today().to_string(), "2031-11-14");
    }
}
