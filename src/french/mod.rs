//! Dates and times as French documents write them, in Europe/Paris time
//! whatever the server's zone: "jeudi 13 novembre 2031", "14h30",
//! "de 14h30 à 16h00", "1er avril 2024". Every text uses these; and
//! French typography (`typography`), applied to every text printed.

pub mod typography;

use chrono::{DateTime, Datelike, Locale, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use chrono_tz::Tz;

pub fn in_paris(instant: DateTime<Utc>) -> DateTime<Tz> {
    instant.with_timezone(&Paris)
}

/// "1er" for the first of the month, the number otherwise.
fn day_number(date: NaiveDate) -> String {
    match date.day() {
        1 => "1er".to_owned(),
        day => day.to_string(),
    }
}

/// "8 avril 2024", "1er avril 2024".
pub fn date(date: NaiveDate) -> String {
    format!(
        "{} {}",
        day_number(date),
        date.format_localized("%B %Y", Locale::fr_FR)
    )
}

/// "jeudi 13 novembre 2031".
pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.format_localized("%A", Locale::fr_FR),
        day_number(date),
        date.format_localized("%B %Y", Locale::fr_FR)
    )
}

/// The long date of an instant, in France.
pub fn long_date_of(instant: DateTime<Utc>) -> String {
    long_date(in_paris(instant).date_naive())
}

/// "14h30", "9h05".
pub fn time(instant: DateTime<Utc>) -> String {
    in_paris(instant).format("%-Hh%M").to_string()
}

/// "de 14h30 à 16h00".
pub fn hours(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!("de {} à {}", time(start), time(end))
}

/// "14h30-16h30", as in a document's title line.
pub fn hours_span(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!("{}-{}", time(start), time(end))
}

/// "mercredi 20 décembre 2023 à 14h30".
pub fn date_time(instant: DateTime<Utc>) -> String {
    format!("{} à {}", long_date_of(instant), time(instant))
}

/// The instant of a date and a time of day in France ("2026-12-08",
/// "14:30", as date and time fields send them); `None` when unreadable or
/// when the hour does not exist (the spring change). An hour that occurs
/// twice (the autumn change) is its first occurrence.
pub fn paris_instant(date: &str, time: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Paris
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn long_dates_in_french() {
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2031, 11, 13).expect("date")),
            "jeudi 13 novembre 2031"
        );
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2023, 12, 20).expect("date")),
            "mercredi 20 décembre 2023"
        );
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2024, 4, 1).expect("date")),
            "lundi 1er avril 2024"
        );
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2024, 4, 8).expect("date")),
            "8 avril 2024"
        );
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2021, 2, 1).expect("date")),
            "1er février 2021"
        );
    }

    #[test]
    fn times_are_in_paris_summer_and_winter() {
        // Winter: UTC+1.
        let start = utc("2031-11-13T13:30:00Z");
        let end = utc("2031-11-13T15:00:00Z");
        assert_eq!(time(start), "14h30");
        assert_eq!(hours(start, end), "de 14h30 à 16h00");
        assert_eq!(hours_span(start, end), "14h30-16h00");
        // Summer: UTC+2.
        assert_eq!(time(utc("2031-06-10T07:05:00Z")), "9h05");
        // Late evening UTC is the next day in Paris.
        assert_eq!(
            long_date_of(utc("2031-11-13T23:30:00Z")),
            "vendredi 14 novembre 2031"
        );
        assert_eq!(date_time(start), "jeudi 13 novembre 2031 à 14h30");
    }

    #[test]
    fn form_dates_and_times_are_read_in_paris_time() {
        assert_eq!(
            paris_instant("2026-12-08", "14:30"),
            Some(utc("2026-12-08T13:30:00Z"))
        );
        assert_eq!(
            paris_instant("2026-07-01", "09:00"),
            Some(utc("2026-07-01T07:00:00Z"))
        );
        assert_eq!(paris_instant("2026-03-29", "02:30"), None);
        assert_eq!(paris_instant("08/12/2026", "14:30"), None);
        assert_eq!(paris_instant("2026-12-08", "25:00"), None);
    }
}

/// A file's size as French readers write it: "850 octets", "12 ko", "1,2 Mo".
pub fn file_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let size = bytes as f64;
    if size < KB {
        format!("{bytes}\u{a0}octets")
    } else if size < KB * KB {
        format!("{}\u{a0}ko", (size / KB).round())
    } else {
        let tenths = (size / KB / KB * 10.0).round();
        if tenths % 10.0 == 0.0 {
            format!("{}\u{a0}Mo", tenths / 10.0)
        } else {
            format!("{:.1}\u{a0}Mo", tenths / 10.0).replace('.', ",")
        }
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn sizes_in_french() {
        assert_eq!(super::file_size(850), "850\u{a0}octets");
        assert_eq!(super::file_size(12 * 1024 + 300), "12\u{a0}ko");
        assert_eq!(super::file_size(1_258_291), "1,2\u{a0}Mo");
        assert_eq!(super::file_size(20 * 1024 * 1024), "20\u{a0}Mo");
    }
}
