//! The documents the properties render: hostile text in every field a
//! user types, in documents of every shape.

use proptest::prelude::*;

use crate::documents::model::*;

pub(super) const SCRIPT: &str = "<script>alert(1)</script>";

/// Pieces of hostile text for HTML, Markdown and Typst, and text that is
/// hard to print.
pub(super) const HOSTILE: &[&str] = &[
    SCRIPT,
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "' onmouseover='alert(1)",
    "</td></tr></table>",
    "<!--",
    "]]>",
    "&amp;",
    "&lt;b&gt;",
    "&#60;",
    "&",
    "`",
    "=",
    "# Titre injecté",
    "\n# Titre injecté\n",
    "\n## 9. Faux point\n",
    "[lien](javascript:alert(1))",
    "![image](http://exemple.fr/x.png)",
    "<http://exemple.fr>",
    "[ref]: http://exemple.fr",
    "**gras**",
    "_italique_",
    "~~barré~~",
    "| a | b |",
    "\n| --- | --- |\n",
    "\n---\n",
    "\n===\n",
    "\n> citation",
    "\n- puce",
    "\n+ puce",
    "\n* puce",
    "\n1. liste",
    "\n2) liste",
    "\n```\ncode\n```",
    "\n~~~",
    "\n    code indenté",
    "\n\t\tcode",
    "\\",
    "\\*",
    "#set page(width: 1cm)",
    "#panic(\"injecté\")",
    "#import \"/etc/passwd\"",
    "$x^2$",
    "*gras*",
    "= Titre",
    "@label",
    "<label>",
    "[",
    "]",
    "{",
    "}",
    "//",
    "/*",
    "\u{202e}evil\u{202c}",
    "محمد بن سلمان",
    "שָׁלוֹם",
    "👩‍👩‍👧 🇫🇷",
    "e\u{301}\u{301}\u{301}",
    "\u{200b}\u{feff}",
    "\u{a0}",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "   ",
    "\t",
    "Mme Hélène LÉGER",
    "l'Haÿ-les-Roses",
];

/// Hostile text: a few pieces, sometimes with arbitrary printable text.
pub(super) fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(HOSTILE).prop_map(str::to_owned),
            1 => "\\PC{1,10}",
        ],
        1..5,
    )
    .prop_map(|pieces| pieces.concat())
}

/// The size of a document: people and agenda items.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    participants: usize,
    excused: usize,
    absent: usize,
    sections: usize,
    actions: usize,
    indicators: usize,
    mode: &'static str,
    draft: bool,
}

pub(super) fn shape(max: usize) -> impl Strategy<Value = Shape> {
    (
        0..=max,
        0..=max,
        0..=max,
        0..=max,
        0..=max,
        0..=max,
        prop::sample::select(vec!["in_person", "remote", "hybrid"]),
        any::<bool>(),
    )
        .prop_map(
            |(participants, excused, absent, sections, actions, indicators, mode, draft)| Shape {
                participants,
                excused,
                absent,
                sections,
                actions,
                indicators,
                mode,
                draft,
            },
        )
}

/// Texts taken in turn, round and round.
struct Texts<'a> {
    texts: &'a [String],
    next: usize,
}

impl Texts<'_> {
    fn text(&mut self) -> String {
        let text = self.texts[self.next % self.texts.len()].clone();
        self.next += 1;
        text
    }

    fn some(&mut self) -> Option<String> {
        Some(self.text())
    }

    fn paragraphs(&mut self) -> Vec<String> {
        vec![self.text(), self.text()]
    }
}

/// A compte-rendu with `texts` in every field that prints text typed by a
/// user; numbers, statuses and the verification URL are the application's.
pub(super) fn document(texts: &[String], shape: Shape) -> CompteRendu {
    let mut t = Texts { texts, next: 0 };
    let person = |t: &mut Texts<'_>, i: usize| Person {
        display: t.text(),
        organization: t.some().filter(|_| i % 3 != 2),
        function: t.some().filter(|_| i % 4 != 3),
        remote: i % 2 == 1,
    };
    let participants: Vec<Person> = (0..shape.participants).map(|i| person(&mut t, i)).collect();
    let excused = (0..shape.excused).map(|i| person(&mut t, i)).collect();
    let absent = (0..shape.absent).map(|i| person(&mut t, i)).collect();
    let agenda: Vec<AgendaEntry> = (1..=shape.sections)
        .map(|i| AgendaEntry {
            number: i.to_string(),
            title: t.text(),
            presenter: t.some(),
            annex_label: t.some(),
        })
        .collect();
    let sections = agenda
        .iter()
        .enumerate()
        .map(|(i, item)| Section {
            number: item.number.clone(),
            title: item.title.clone(),
            body_paragraphs: t.paragraphs(),
            remarks_paragraphs: if i % 2 == 0 {
                t.paragraphs()
            } else {
                Vec::new()
            },
        })
        .collect();
    // The statuses the templates colour, as the domain names them.
    let bands = ["on_target", "gap_under_25", "gap_25_to_50", "gap_over_50"];
    CompteRendu {
        draft: shape.draft,
        revision: 2,
        meeting: MeetingContext {
            structure: StructureContext {
                name: t.text(),
                service_name: t.text(),
                city: t.text(),
                letterhead: vec![t.text(), t.text()],
                case_officer: CaseOfficerContext {
                    name: t.some(),
                    phone: t.some(),
                    email: t.some(),
                },
            },
            committee: CommitteeContext { name: t.text() },
            meeting: MeetingText {
                title: t.text(),
                long_date: t.text(),
                long_date_capitalized: t.text(),
                hours_span: t.text(),
                hours: t.text(),
                start_time: t.text(),
                end_time: t.text(),
                location: t.some(),
                mode: shape.mode.into(),
                mode_label: t.text(),
            },
            chair: Some(ChairContext {
                display: t.text(),
                function: t.some(),
            }),
            agenda,
            annexes: Vec::new(),
            annexes_all_pdf: true,
        },
        document_date: t.text(),
        has_remote: participants.iter().any(|p| p.remote),
        participants,
        excused,
        absent,
        opening_paragraphs: t.paragraphs(),
        sections,
        post_meeting_paragraphs: t.paragraphs(),
        closing_time: t.some(),
        signature: Some(Signature {
            delegation: t.text(),
            function: t.text(),
            name: t.text(),
        }),
        signed: (!shape.draft).then(|| Signed {
            by: t.text(),
            at: t.text(),
            revision: 2,
            verify_url: "https://clu.example.fr/verify".into(),
        }),
        actions: (1..=shape.actions)
            .map(|i| ActionLine {
                number: i.to_string(),
                finding: t.text(),
                reference: t.text(),
                status_label: t.text(),
                due_date: t.text(),
                responsible: t.text(),
                effective_label: t.text(),
                verification: t.text(),
            })
            .collect(),
        indicators: (0..shape.indicators)
            .map(|i| IndicatorLine {
                name: t.text(),
                period: t.text(),
                value_text: t.text(),
                target_text: t.text(),
                status: bands[i % bands.len()].into(),
                status_label: t.text(),
            })
            .collect(),
        legend: bands
            .iter()
            .map(|band| LegendEntry {
                status: band,
                label: "légende",
            })
            .collect(),
    }
}

/// Texts the HTML prints: names, organizations, agenda, minutes.
pub(super) fn printed(document: &CompteRendu) -> Vec<&str> {
    let mut texts = vec![document.meeting.committee.name.as_str()];
    texts.extend(document.meeting.chair.iter().map(|c| c.display.as_str()));
    for person in document
        .participants
        .iter()
        .chain(&document.excused)
        .chain(&document.absent)
    {
        texts.push(&person.display);
        texts.extend(person.organization.as_deref());
    }
    texts.extend(document.meeting.agenda.iter().map(|a| a.title.as_str()));
    for section in &document.sections {
        texts.extend(section.body_paragraphs.iter().map(String::as_str));
        texts.extend(section.remarks_paragraphs.iter().map(String::as_str));
    }
    texts.extend(document.signature.iter().map(|s| s.name.as_str()));
    texts
}

/// The same text with every character but white space made `x`.
pub(super) fn twin(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_whitespace() { c } else { 'x' })
        .collect()
}
