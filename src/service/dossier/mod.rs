//! The dossier de séance: one ZIP holding the convocation, the agenda and
//! every annex in agenda order, with a manifest of their names, sizes and
//! SHA-256; or, when every annex is a PDF, one PDF (`pdf`). The annexes are
//! copied chunk by chunk (one short read each), stored as they are (they
//! are compressed already), and their bytes checked against their
//! fingerprint on the way.

mod pdf;

pub use pdf::download_pdf;

use std::io::Write;

use actix_web::HttpResponse;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::documents::{fingerprint, hex};
use crate::domain::Found;
use crate::domain::meetings::annexes::{self, Annex};
use crate::domain::meetings::convocation::{self, Letters};
use crate::domain::meetings::print::MeetingContext;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{self, Scope};

/// Whose dossier: the staff's (every convocation letter) or a member's
/// (theirs).
pub enum For {
    Staff(Scope),
    Member {
        structure_id: String,
        member_id: String,
    },
}

/// A file name fit for a ZIP entry: no folders, no control characters.
fn entry_name(number: usize, annex: &Annex) -> String {
    let name: String = annex
        .file_name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    match annex.item_number {
        Some(item) => format!("{number:02}-point-{item}-{name}"),
        None => format!("{number:02}-reunion-{name}"),
    }
}

/// The agenda as a text file: the meeting's facts, then its items.
fn agenda_text(context: &MeetingContext) -> String {
    let mut text = format!(
        "{}\n{}\n\n{}\n{}\n",
        context.structure.name,
        context.committee.name,
        context.meeting.title,
        context.meeting.long_date_capitalized,
    );
    text.push_str(&format!("Horaires : {}\n", context.meeting.hours));
    if let Some(location) = &context.meeting.location {
        text.push_str(&format!("Lieu : {location}\n"));
    }
    text.push_str(&format!(
        "Modalité : {}\n\nORDRE DU JOUR\n\n",
        context.meeting.mode_label
    ));
    for item in &context.agenda {
        text.push_str(&format!("{}. {}", item.number, item.title));
        if let Some(presenter) = &item.presenter {
            text.push_str(&format!(" — présenté par {presenter}"));
        }
        text.push('\n');
    }
    if context.agenda.is_empty() {
        text.push_str("L’ordre du jour sera communiqué ultérieurement.\n");
    }
    if !context.annexes.is_empty() {
        text.push_str("\nDOCUMENTS JOINTS\n\n");
        for annex in &context.annexes {
            text.push_str(&format!(
                "{}. {} ({})\n",
                annex.number, annex.file_name, annex.size_label
            ));
        }
    }
    text
}

fn dossier_error(err: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("dossier de séance : {err}"))
}

/// A dossier's form: a ZIP of any files, or one PDF when every annex is one.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Zip,
    Pdf,
}

/// The dossier of a meeting, as `kind` makes it.
pub async fn make(
    state: &AppState,
    meeting_id: String,
    who: For,
    kind: Kind,
) -> AppResult<HttpResponse> {
    match kind {
        Kind::Zip => download(state, meeting_id, who).await,
        Kind::Pdf => download_pdf(state, meeting_id, who).await,
    }
}

/// What a dossier holds, read in one transaction.
struct Gathered {
    letters: Letters,
    annexes: Vec<Annex>,
    /// The meeting's day, for the file's name.
    date: chrono::NaiveDate,
}

async fn gather(state: &AppState, meeting_id: String, who: For) -> AppResult<Gathered> {
    let today = state.clock.today();
    state
        .db
        .read(move |conn| {
            let (scope, member) = match &who {
                For::Staff(scope) => (scope.clone(), None),
                For::Member {
                    structure_id,
                    member_id,
                } => (
                    Scope::Structure(structure_id.clone()),
                    Some(member_id.clone()),
                ),
            };
            let meeting = store::meetings::find(conn, &scope, &meeting_id).found()?;
            Ok(Gathered {
                letters: convocation::letters(conn, &scope, &meeting.id, member.as_deref(), today)?,
                annexes: annexes::of_meeting(conn, &meeting.id)?,
                date: crate::clock::paris_date(meeting.starts_at.and_utc()),
            })
        })
        .await
}

/// Reads an annex's bytes chunk by chunk, one short read each, into
/// `sink`, and checks them against the annex's fingerprint.
async fn copy_annex(
    state: &AppState,
    annex: &Annex,
    sink: &mut impl Write,
) -> AppResult<(usize, String)> {
    let (mut hasher, mut size) = (Sha256::new(), 0);
    for seq in 0.. {
        let sha256 = annex.sha256.clone();
        let chunk = state
            .db
            .read(move |conn| Ok(store::annexes::chunk(conn, &sha256, seq)?))
            .await?;
        let Some(chunk) = chunk else { break };
        hasher.update(&chunk);
        size += chunk.len();
        sink.write_all(&chunk).map_err(dossier_error)?;
    }
    let sha256 = hex(&hasher.finalize());
    if sha256 != annex.sha256 {
        return Err(AppError::internal(format!(
            "annex {} does not match its fingerprint",
            annex.id
        )));
    }
    Ok((size, sha256))
}

/// A dossier as a download, never cached.
fn attachment(content_type: &str, file_name: String, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file_name)],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(bytes)
}

/// The dossier of a meeting as a ZIP.
pub async fn download(state: &AppState, meeting_id: String, who: For) -> AppResult<HttpResponse> {
    let Gathered {
        letters,
        annexes,
        date,
    } = gather(state, meeting_id, who).await?;
    let convocation = state
        .templates
        .render("documents/convocation.html.hbs", &letters)?;
    let context = &letters.meeting;
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let text = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(false);
    let mut manifest: Vec<(String, usize, String)> = Vec::new();
    for (name, bytes) in [
        ("00-convocation.html".to_owned(), convocation.into_bytes()),
        (
            "00-ordre-du-jour.txt".to_owned(),
            agenda_text(context).into_bytes(),
        ),
    ] {
        zip.start_file(name.as_str(), text).map_err(dossier_error)?;
        zip.write_all(&bytes).map_err(dossier_error)?;
        manifest.push((name, bytes.len(), fingerprint(&bytes)));
    }
    for (index, annex) in annexes.iter().enumerate() {
        let name = entry_name(index + 1, annex);
        zip.start_file(name.as_str(), stored)
            .map_err(dossier_error)?;
        let (size, sha256) = copy_annex(state, annex, &mut zip).await?;
        manifest.push((name, size, sha256));
    }
    let mut listing = format!(
        "Dossier de séance — {} — {}\nChaque fichier est suivi de sa taille en octets et de son empreinte SHA-256.\n\nfichier;taille;sha256\n",
        context.committee.name, context.meeting.long_date
    );
    for (name, size, sha256) in &manifest {
        listing.push_str(&format!("{name};{size};{sha256}\n"));
    }
    zip.start_file("MANIFESTE.txt", text)
        .map_err(dossier_error)?;
    zip.write_all(listing.as_bytes()).map_err(dossier_error)?;
    let bytes = zip.finish().map_err(dossier_error)?.into_inner();
    Ok(attachment(
        "application/zip",
        format!("dossier-de-seance-{date}.zip"),
        bytes,
    ))
}
