//! The Haute-Marne demo meeting rendered to HTML and Markdown, compared
//! with reviewed files under `tests/golden/`; the PDF checked through its
//! extracted text. `CLU_UPDATE_GOLDEN=1` rewrites the golden files (review
//! the diff before committing it).

use std::path::PathBuf;

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(backend: demo_compte_rendu_matches_the_reviewed_documents);

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn compare(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var("CLU_UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with CLU_UPDATE_GOLDEN=1 and review it",
            path.display()
        )
    });
    for (number, (got, want)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(got, want, "{name}, line {}", number + 1);
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "{name}: line count"
    );
}

/// The text of an HTML document: no style, no tags.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        let end = if rest.starts_with("<style") {
            rest.find("</style>")
                .map_or(rest.len(), |i| i + "</style>".len())
        } else {
            rest.find('>').map_or(rest.len(), |i| i + 1)
        };
        rest = &rest[end..];
    }
    text.push_str(rest);
    text
}

/// Plain spaces before `:`, `;`, `!`, `?`, `»` and after `«`.
fn plain_spaces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .enumerate()
        .filter(|(_, w)| {
            (w[0] == ' ' && matches!(w[1], ':' | ';' | '!' | '?' | '»'))
                || (w[0] == '«' && w[1] == ' ')
        })
        .map(|(i, _)| {
            chars[i.saturating_sub(30)..(i + 10).min(chars.len())]
                .iter()
                .collect()
        })
        .collect()
}

/// French typography in the documents (issue 13, part 7): no plain space
/// before a colon or after a guillemet, the no-break spaces in their place.
fn french_typography(html: &str, markdown: &str) {
    let text = html_text(html);
    assert_eq!(plain_spaces(&text), Vec::<String>::new(), "HTML");
    assert_eq!(plain_spaces(markdown), Vec::<String>::new(), "Markdown");
    for document in [text.as_str(), markdown] {
        assert!(document.contains("Affaire suivie par\u{a0}:"), "{document}");
        assert!(document.contains("Tél.\u{a0}:"));
        assert!(!document.contains("Tél.\u{202f}:"), "a colon takes U+00A0");
    }
    assert!(!html.contains("\u{a0};"), "a semicolon takes U+202F");
}

async fn demo_compte_rendu_matches_the_reviewed_documents(backend: Backend) {
    let app = TestApp::new(backend).await;
    let state = app.state.clone();
    let demo = actix_web::web::block(move || clu::demo::load(&state))
        .await
        .expect("block")
        .expect("demo loads");
    let token = app
        .token_with(clu::demo::SECRETARIAT_EMAIL, clu::demo::PASSWORD)
        .await;
    let base = format!("/api/v1/meetings/{}/compte-rendu", demo.meeting_id);

    let html = app.get(&format!("{base}.html"), &token).await;
    html.assert_status(200);
    compare("compte-rendu-haute-marne.html", &html.text());
    let markdown = app.get(&format!("{base}.md"), &token).await;
    markdown.assert_status(200);
    compare("compte-rendu-haute-marne.md", &markdown.text());
    french_typography(&html.text(), &markdown.text());

    let pdf = app.get(&format!("{base}.pdf"), &token).await;
    pdf.assert_status(200);
    assert!(pdf.body.starts_with(b"%PDF"));
    let text = crate::common::pdf::text(&pdf.body);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for element in [
        "PRÉFET DE LA HAUTE-MARNE",
        "Secrétariat Général Commun Départemental",
        "Affaire suivie par : Mylène BÉGUÉ",
        "Chaumont, le 8 avril 2024",
        "Mercredi 20 décembre 2023",
        "14h30-16h30",
        "Salle Louise Michel",
        "Présidence : M. Guillaume THIRARD",
        "Association des Maires de la Haute-Marne",
        "M. Bernard GUY",
        "Personnes excusées",
        "M. Eric KREZEL",
        "Ordre du jour",
        "Perspectives 2024",
        "M. Bernard GUY et M. Abderrazak DORAFI font part de leur étonnement",
        "La séance est levée à 16h30",
        "Pour la Préfète et par délégation",
        "Le Secrétaire Général",
        "GUILLAUME THIRARD",
    ] {
        assert!(
            flat.contains(element) || flat.to_uppercase().contains(&element.to_uppercase()),
            "{element} missing from the PDF:\n{text}"
        );
    }
    assert!(!flat.contains("PROJET"), "the signed PDF has no draft mark");
    // What the demo prints for the newcomer is verifiable.
    let verified = app
        .open(&format!("/verify/{}", demo.sha256_pdf))
        .await
        .assert_status(200)
        .json();
    assert_eq!(verified["meeting_date"], "mercredi 20 décembre 2023");
    // Its PAdES signature, made at the recorded date with the local
    // certificate, verifies, and the signature block says when.
    assert!(
        flat.contains("Signé électroniquement le 8 avril 2024"),
        "{flat}"
    );
    let checked = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/verify")
                .insert_header(("Content-Type", "application/pdf"))
                .set_payload(pdf.body.clone()),
        )
        .await
        .assert_status(200)
        .json();
    assert_eq!(checked["valid"], true, "{checked}");
    assert_eq!(checked["identical"], true);
    let reason = checked["report"]["signatures"][0]["reason"]
        .as_str()
        .expect("reason");
    assert_eq!(
        reason,
        "Approuvé par Guillaume THIRARD, Le Secrétaire Général, par délégation de la Préfète"
    );
}
