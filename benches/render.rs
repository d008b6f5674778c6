//! Rendering the compte-rendu of a large meeting — 40 agenda items, 150
//! participants — to HTML and to PDF, and signing that PDF (PAdES, with
//! the local P-256 key; a time-stamping authority's round trip is not
//! counted). `cargo bench --bench render`.

use chrono::{TimeZone, Utc};
use clu::documents::model::{CompteRendu, LegendEntry, Person, Section, Signature};
use clu::documents::{self, Format, pdf::PdfEngine};
use clu::domain::meetings::print::{
    AgendaEntry, CaseOfficerContext, ChairContext, CommitteeContext, MeetingContext, MeetingText,
    StructureContext,
};
use clu::templates::Templates;
use criterion::{Criterion, criterion_group, criterion_main};

fn large_meeting() -> CompteRendu {
    let person = |i: usize| Person {
        display: format!("Mme Participante{i} NOM{i}"),
        organization: Some(format!(
            "Association départementale numéro {i} de la Haute-Marne"
        )),
        function: Some("Présidente".into()),
        remote: i.is_multiple_of(7),
    };
    let agenda: Vec<AgendaEntry> = (1..=40)
        .map(|i| AgendaEntry {
            number: i.to_string(),
            title: format!("Point {i} de l'ordre du jour"),
            presenter: None,
            annex_label: None,
        })
        .collect();
    CompteRendu {
        draft: false,
        revision: 1,
        meeting: MeetingContext {
            structure: StructureContext {
                name: "Préfecture de la Haute-Marne".into(),
                service_name: "Secrétariat Général Commun Départemental".into(),
                city: "Chaumont".into(),
                letterhead: vec![
                    "PRÉFET DE LA HAUTE-MARNE".into(),
                    "Liberté Égalité Fraternité".into(),
                ],
                case_officer: CaseOfficerContext {
                    name: Some("Mylène BÉGUÉ".into()),
                    phone: Some("03 25 30 22 69".into()),
                    email: None,
                },
            },
            committee: CommitteeContext {
                name: "Comité Local des Usagers (CLU)".into(),
            },
            meeting: MeetingText {
                title: "Comité Local des Usagers".into(),
                long_date: "mercredi 20 décembre 2023".into(),
                long_date_capitalized: "Mercredi 20 décembre 2023".into(),
                hours_span: "14h30-16h30".into(),
                hours: "de 14h30 à 16h30".into(),
                start_time: "14h30".into(),
                end_time: "16h30".into(),
                location: Some("Salle Louise Michel".into()),
                mode: "hybrid".into(),
                mode_label: "en présentiel et à distance".into(),
            },
            chair: Some(ChairContext {
                display: "M. Guillaume THIRARD".into(),
                function: Some("Secrétaire Général".into()),
            }),
            agenda: agenda.clone(),
            annexes: Vec::new(),
            annexes_all_pdf: true,
        },
        document_date: "8 avril 2024".into(),
        participants: (0..150).map(person).collect(),
        excused: (150..160).map(person).collect(),
        absent: Vec::new(),
        has_remote: true,
        opening_paragraphs: vec!["M. le Secrétaire Général ouvre la séance.".into()],
        sections: agenda
            .iter()
            .map(|item| Section {
                number: item.number.clone(),
                title: item.title.clone(),
                body_paragraphs: vec![
                    "Le point est présenté et discuté par les participants. "
                        .repeat(8);
                    3
                ],
                remarks_paragraphs: vec![
                    "Les représentants des usagers demandent des précisions.".into(),
                ],
            })
            .collect(),
        post_meeting_paragraphs: Vec::new(),
        closing_time: Some("16h30".into()),
        signature: Some(Signature {
            delegation: "Pour la Préfète et par délégation".into(),
            function: "Le Secrétaire Général".into(),
            name: "Guillaume THIRARD".into(),
        }),
        signed: None,
        actions: Vec::new(),
        indicators: Vec::new(),
        legend: vec![LegendEntry {
            status: "on_target",
            label: "résultat conforme voire meilleur que la cible",
        }],
    }
}

/// The templates, the PDF engine, the document and its date.
fn setup() -> (Templates, PdfEngine, CompteRendu, chrono::DateTime<Utc>) {
    let templates = Templates::load(None).expect("templates");
    let pdf = PdfEngine::new(&templates);
    let at = Utc
        .with_ymd_and_hms(2024, 4, 8, 8, 12, 0)
        .single()
        .expect("date");
    (templates, pdf, large_meeting(), at)
}

fn render(c: &mut Criterion) {
    let (templates, pdf, document, at) = setup();
    let mut group = c.benchmark_group("compte-rendu, 40 items and 150 participants");
    group.sample_size(20);
    group.bench_function("html", |b| {
        b.iter(|| documents::render(&templates, &pdf, &document, Format::Html, at).expect("html"))
    });
    group.bench_function("markdown", |b| {
        b.iter(|| documents::render(&templates, &pdf, &document, Format::Markdown, at).expect("md"))
    });
    group.bench_function("pdf", |b| {
        b.iter(|| documents::render(&templates, &pdf, &document, Format::Pdf, at).expect("pdf"))
    });
    group.finish();
}

fn sign(c: &mut Criterion) {
    let (_, pdf, document, at) = setup();
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = clu::config::Settings::from_figment(
        clu::config::Settings::figment(None).merge(("data_dir", dir.path())),
    )
    .expect("settings");
    let signer = clu::signature::Signer::load(&settings).expect("signer");
    let signatory = clu::signature::Signatory {
        name: "Guillaume THIRARD".into(),
        function: "Le Secrétaire Général".into(),
        delegation: "Pour la Préfète et par délégation".into(),
        structure: "Préfecture de la Haute-Marne".into(),
        time: at,
        verify_url: "https://clu.example.fr/verify".into(),
    };
    let (rendered, placement) = documents::pdf_placed(&pdf, &document, at).expect("pdf");
    assert!(placement.is_some(), "the signature block is found");
    let mut group = c.benchmark_group("compte-rendu, 40 items, signed");
    group.sample_size(20);
    group.bench_function("PAdES signature of the rendered PDF", |b| {
        b.iter(|| {
            signer
                .sign_pdf(&rendered, &signatory, placement)
                .expect("signed")
        })
    });
    group.bench_function("PDF rendered and signed", |b| {
        b.iter(|| {
            let (bytes, placement) = documents::pdf_placed(&pdf, &document, at).expect("pdf");
            signer
                .sign_pdf(&bytes, &signatory, placement)
                .expect("signed")
        })
    });
    group.finish();
}

criterion_group!(benches, render, sign);
criterion_main!(benches);
