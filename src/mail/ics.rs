//! iCalendar invitations (RFC 5545 / 5546): one event per meeting with a
//! stable UID, its SEQUENCE, times in Europe/Paris with the zone defined in
//! the file, the organizer and the one attendee. `REQUEST` invites and
//! updates; `CANCEL` withdraws.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus, Property};

/// Europe/Paris as a VTIMEZONE, for clients (Outlook) that need it defined.
/// Written as is: a time zone has no UID nor DTSTAMP (those are an
/// event's), which the builder would add to any component.
const PARIS: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

pub struct Invite<'a> {
    pub method: Method,
    /// Stable for the meeting: every update replaces the same event.
    pub uid: &'a str,
    pub sequence: i32,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: Option<&'a str>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub organizer: Person<'a>,
    pub attendee: Person<'a>,
    /// Ask the calendar for an answer (the organizer's mailbox is read).
    pub rsvp: bool,
    /// An alarm this many hours before the start (0: none).
    pub alarm_hours: i64,
}

fn paris(instant: DateTime<Utc>) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: crate::french::in_paris(instant).naive_local(),
        tzid: "Europe/Paris".into(),
    }
}

fn person(key: &str, who: &Person<'_>, extra: &[(&str, &str)]) -> Property {
    let mut property = Property::new(key, format!("mailto:{}", who.email));
    property.add_parameter("CN", who.name);
    for (name, value) in extra {
        property.add_parameter(name, value);
    }
    property.done()
}

/// The `.ics` text, lines folded and ended by CRLF.
pub fn render(invite: &Invite<'_>) -> String {
    let mut event = icalendar::Event::new();
    event
        .uid(invite.uid)
        .sequence(u32::try_from(invite.sequence).unwrap_or(0))
        .timestamp(invite.stamp)
        .summary(invite.summary)
        .description(invite.description)
        .starts(paris(invite.starts_at))
        .ends(paris(invite.ends_at))
        .status(match invite.method {
            Method::Request => EventStatus::Confirmed,
            Method::Cancel => EventStatus::Cancelled,
        })
        .append_property(person("ORGANIZER", &invite.organizer, &[]))
        .append_property(person(
            "ATTENDEE",
            &invite.attendee,
            &[
                ("ROLE", "REQ-PARTICIPANT"),
                ("PARTSTAT", "NEEDS-ACTION"),
                ("RSVP", if invite.rsvp { "TRUE" } else { "FALSE" }),
            ],
        ));
    if let Some(location) = invite.location {
        event.location(location);
    }

    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new(
            "PRODID",
            "-//clu//Comites Locaux des Usagers//FR",
        ))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", invite.method.as_str()));
    calendar.push(event.done());
    let mut text = calendar.to_string();
    // Written as text, for the same reason as the time zone.
    if invite.alarm_hours > 0
        && invite.method == Method::Request
        && let Some(at) = text.find("END:VEVENT")
    {
        let alarm = format!(
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Rappel\r\n\
             TRIGGER:-PT{}H\r\nEND:VALARM\r\n",
            invite.alarm_hours
        );
        text.insert_str(at, &alarm);
    }
    if let Some(at) = text.find("BEGIN:VEVENT") {
        text.insert_str(at, PARIS);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn invite(method: Method) -> String {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("date")
                .with_timezone(&Utc)
        };
        render(&Invite {
            method,
            uid: "meeting-1@clu",
            sequence: 2,
            summary: "Comité local des usagers, virgule; point-virgule",
            description: "Ordre du jour :\n1. Bilan",
            location: Some("Salle Louise Michel"),
            starts_at: at("2031-11-13T13:30:00Z"),
            ends_at: at("2031-11-13T15:00:00Z"),
            stamp: at("2031-10-01T08:00:00Z"),
            organizer: Person {
                name: "Préfecture de la Haute-Marne",
                email: "clu@localhost",
            },
            attendee: Person {
                name: "Mme Nathalie SIMON",
                email: "n.simon@example.fr",
            },
            rsvp: method == Method::Request,
            alarm_hours: 24,
        })
    }

    #[test]
    fn request_has_what_clients_need_and_parses_back() {
        let text = invite(Method::Request);
        let unfolded = text.replace("\r\n ", "");
        for needle in [
            "METHOD:REQUEST",
            "UID:meeting-1@clu",
            "SEQUENCE:2",
            "DTSTART;TZID=Europe/Paris:20311113T143000",
            "DTEND;TZID=Europe/Paris:20311113T160000",
            "BEGIN:VTIMEZONE",
            "ORGANIZER;CN=",
            "ATTENDEE;",
            "mailto:n.simon@example.fr",
            "STATUS:CONFIRMED",
        ] {
            assert!(unfolded.contains(needle), "{needle} missing in\n{text}");
        }
        assert!(text.lines().all(|l| l.len() <= 75), "lines are folded");
        assert!(
            unfolded.contains("RSVP=TRUE"),
            "the calendar is asked to answer"
        );
        // The time zone carries no event's properties.
        let zone = &unfolded[unfolded.find("BEGIN:VTIMEZONE").expect("zone")
            ..unfolded.find("END:VTIMEZONE").expect("zone end")];
        assert!(
            !zone.contains("UID:") && !zone.contains("DTSTAMP:"),
            "{zone}"
        );
        assert!(
            unfolded.contains("BEGIN:VALARM") && unfolded.contains("TRIGGER:-PT24H"),
            "the alarm a day before:\n{unfolded}"
        );
        let parsed = Calendar::from_str(&text).expect("parses");
        assert_eq!(parsed.property_value("METHOD"), Some("REQUEST"));
        let event = parsed.events().next().expect("event");
        assert_eq!(
            event.get_summary(),
            Some("Comité local des usagers, virgule; point-virgule")
        );
    }

    #[test]
    fn cancel_marks_the_event_cancelled() {
        let text = invite(Method::Cancel);
        assert!(text.contains("METHOD:CANCEL") && text.contains("STATUS:CANCELLED"));
        assert!(
            !text.contains("BEGIN:VALARM"),
            "no alarm for a cancelled meeting"
        );
    }
}
