//! Properties of the members' CSV: reading never panics and names the line
//! and field of every error; whatever a member may be called, the export
//! reads back to the same member.

use chrono::TimeZone;
use proptest::prelude::*;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 8, 8, 12, 0)
        .single()
        .expect("date")
}

/// The fields an error may name.
const FIELDS: [&str; 9] = [
    "header",
    "line",
    "civility",
    "first_name",
    "last_name",
    "function",
    "organization",
    "email",
    "phone",
];

/// Pieces of hostile text: markup, CSV syntax, line breaks, right-to-left
/// text and overrides, emoji, combining characters, invisible characters.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<b>",
    "&amp;",
    "&",
    "\"",
    "\"\"",
    "'",
    ";",
    ",",
    ";\";",
    "\n",
    "\n\n",
    "\t",
    "=1+1",
    "#",
    "\\",
    "محمد",
    "שָׁלוֹם",
    "\u{202e}evil\u{202c}",
    "\u{200f}",
    "\u{feff}",
    "👩‍👩‍👧",
    "🇫🇷",
    "e\u{301}\u{301}\u{301}",
    "Zalgo\u{336}\u{334}",
    "Ǆ",
    "ﬁ",
    "\u{a0}",
    "\u{3000}",
    " ",
    "Léa",
    "BÉGUÉ",
];

/// Text as the registry stores it: trimmed, `1..=max` characters, no
/// control characters but line breaks and tabs.
fn stored_text(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(HOSTILE).prop_map(str::to_owned),
            1 => "\\PC{1,12}",
        ],
        1..12,
    );
    let long = prop::sample::select(vec!["é", "W", "ש", "😀", "&", "\"", ";", "\u{301}"])
        .prop_map(move |piece| piece.repeat(max));
    prop_oneof![4 => pieces.prop_map(|p| p.concat()), 1 => long].prop_map(move |text| {
        let text: String = text
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .take(max)
            .collect();
        let text = text.trim();
        if text.is_empty() {
            "X".to_owned()
        } else {
            text.to_owned()
        }
    })
}

fn email() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9]{0,10}([._+-][a-z0-9]{1,8})?@[a-z][a-z0-9]{0,10}\\.(fr|org|gouv\\.fr)",
        prop::sample::select(vec![
            "o'brien@example.fr".to_owned(),
            "a&b@example.fr".to_owned(),
            "x+tag@haute-marne.gouv.fr".to_owned(),
        ]),
    ]
}

fn phone() -> impl Strategy<Value = String> {
    prop_oneof!["0[1-9]( ?[0-9]{2}){4}", "\\+33 [1-9]( [0-9]{2}){4}"]
}

#[derive(Debug, Clone)]
struct Member {
    civility: Civility,
    first_name: String,
    last_name: String,
    function: Option<String>,
    organization: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Member {
    fn cells(&self) -> [&str; 7] {
        [
            self.civility.as_str(),
            &self.first_name,
            &self.last_name,
            self.function.as_deref().unwrap_or_default(),
            self.organization.as_deref().unwrap_or_default(),
            self.email.as_deref().unwrap_or_default(),
            self.phone.as_deref().unwrap_or_default(),
        ]
    }

    /// The lines of the file this member's record takes.
    fn height(&self) -> u64 {
        1 + self
            .cells()
            .iter()
            .map(|cell| cell.matches('\n').count() as u64)
            .sum::<u64>()
    }
}

fn member() -> impl Strategy<Value = Member> {
    (
        prop::sample::select(vec![Civility::Monsieur, Civility::Madame]),
        stored_text(100),
        stored_text(100),
        prop::option::of(stored_text(200)),
        prop::option::of(stored_text(200)),
        prop::option::of(email()),
        prop::option::of(phone()),
    )
        .prop_map(
            |(civility, first_name, last_name, function, organization, email, phone)| Member {
                civility,
                first_name,
                last_name,
                function,
                organization,
                email,
                phone,
            },
        )
}

/// The line of the file each member's record starts on: the header is line 1.
fn first_lines(members: &[Member]) -> Vec<u64> {
    members
        .iter()
        .scan(2, |next, member| {
            let line = *next;
            *next += member.height();
            Some(line)
        })
        .collect()
}

/// Something read as CSV: arbitrary bytes, arbitrary text, and text made
/// of CSV syntax under a valid header so that records are read too.
fn csv_input() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        prop::sample::select(HOSTILE).prop_map(str::to_owned),
        prop::sample::select(vec![
            "M.",
            "Mme",
            "Dr",
            "",
            " ",
            "\"",
            "\"a\"b",
            "\r",
            "\r\n",
            "\n",
            "a@b.fr",
            "@",
            "03 25 30 22 69",
            "+0",
            "\u{0}",
            "\u{1b}[31m",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ];
    let record = prop::collection::vec(cell, 0..10)
        .prop_map(|cells| cells.join(if cells.len() % 2 == 0 { ";" } else { "," }));
    let header = prop::sample::select(vec![
        "civility;first_name;last_name",
        "Civilité;Prénom;Nom;Fonction;Organisation;Courriel;Téléphone",
        "\u{feff}civility,first_name,last_name,email",
        "nom;prénom",
        "",
        "\"civility;first_name;last_name",
    ]);
    let structured = (
        header,
        prop::collection::vec(record, 0..12),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(header, records, end)| {
            let mut text = header.to_owned();
            for record in records {
                text.push_str(end);
                text.push_str(&record);
            }
            text.into_bytes()
        });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        any::<String>().prop_map(String::into_bytes),
        structured.clone(),
        // Windows-1252 bytes after a valid header.
        (structured, prop::collection::vec(128u8..=255, 1..8)).prop_map(|(mut bytes, high)| {
            bytes.extend(high);
            bytes
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Reading never panics; every error names a field and a line of the
    /// file, and every member read starts on a line of the file.
    #[test]
    fn reading_anything_names_the_line_and_field_of_each_error(body in csv_input()) {
        let lines_in_file = 1 + decode(&body).matches('\n').count() as u64;
        match read_lines(&body, now()) {
            Ok(lines) => {
                let numbers: Vec<u64> = lines.iter().map(|l| l.number).collect();
                prop_assert!(numbers.iter().all(|n| (2..=lines_in_file).contains(n)), "{numbers:?}");
                prop_assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for error in errors {
                    let line = error.line.unwrap_or(0);
                    prop_assert!((1..=lines_in_file).contains(&line), "{error:?} of {lines_in_file} lines");
                    prop_assert!(FIELDS.contains(&error.field.as_str()), "{error:?}");
                    prop_assert!(!error.message.is_empty());
                }
            }
        }
    }

    /// Whatever the members are called, the export reads back to the same
    /// members, each at the line it starts on.
    #[test]
    fn hostile_members_survive_export_and_import(members in prop::collection::vec(member(), 1..6)) {
        let csv = write_csv(members.iter().map(Member::cells)).expect("written");
        let lines = match read_lines(&csv, now()) {
            Ok(lines) => lines,
            Err(errors) => {
                return Err(TestCaseError::fail(format!(
                    "refused: {errors:?}\n{}",
                    String::from_utf8_lossy(&csv)
                )));
            }
        };
        prop_assert_eq!(lines.len(), members.len());
        for ((line, member), first_line) in lines.iter().zip(&members).zip(first_lines(&members)) {
            prop_assert_eq!(line.number, first_line);
            prop_assert_eq!(line.member.civility, member.civility);
            prop_assert_eq!(&line.member.first_name, &member.first_name);
            prop_assert_eq!(&line.member.last_name, &member.last_name);
            prop_assert_eq!(&line.member.function, &member.function);
            prop_assert_eq!(&line.organization, &member.organization);
            prop_assert_eq!(&line.member.email, &member.email);
            prop_assert_eq!(&line.member.phone, &member.phone);
        }
    }

    /// A bad value among hostile members is reported at its own line and
    /// field, and only there.
    #[test]
    fn a_bad_value_is_reported_at_its_line(
        members in prop::collection::vec(member(), 1..6),
        bad in any::<prop::sample::Index>(),
        field in prop::sample::select(vec![0usize, 1, 5]),
    ) {
        let bad = bad.index(members.len());
        let csv = write_csv(members.iter().enumerate().map(|(i, member)| {
            let mut cells = member.cells();
            if i == bad {
                cells[field] = match field {
                    0 => "Dr",
                    1 => "",
                    _ => "pas une adresse",
                };
            }
            cells
        }))
        .expect("written");
        let errors = read_lines(&csv, now()).err().unwrap_or_default();
        prop_assert_eq!(errors.len(), 1, "{:?}", errors);
        prop_assert_eq!(errors[0].line, Some(first_lines(&members)[bad]));
        prop_assert_eq!(&errors[0].field, COLUMNS[field]);
    }
}
