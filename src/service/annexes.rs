//! Annexes in and out, for both adapters: a file read from its form field
//! as it arrives (limited to what the meeting still has room for, then
//! attached in one transaction), and a file served chunk by chunk, each
//! chunk one short read, with the headers that make a browser save it.

use actix_web::HttpResponse;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use futures_util::StreamExt;

use crate::auth::Caller;
use crate::domain::meetings::annex_files::{Received, Upload};
use crate::domain::meetings::annexes::{self, Annex, Limits, Target};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

impl AppState {
    pub fn annex_limits(&self) -> Limits {
        let mb = |n: u64| usize::try_from(n.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
        Limits {
            file_bytes: mb(self.settings.annex_max_file_mb),
            meeting_bytes: mb(self.settings.annex_max_meeting_mb),
        }
    }
}

/// How much `target`'s meeting can still take, for the caller.
pub async fn room(state: &AppState, caller: &Caller, target: &Target) -> AppResult<usize> {
    let (scope, target, limits) = (caller.scope(), target.clone(), state.annex_limits());
    state
        .db
        .read(move |conn| annexes::room_for(conn, &scope, &target, limits))
        .await
}

/// Reads one file field, refusing it as soon as it passes `limit`.
pub async fn receive(mut field: actix_multipart::Field, limit: usize) -> AppResult<Received> {
    // The RFC 5987 `filename*` (UTF-8) when given, else `filename`.
    let name = field
        .content_disposition()
        .and_then(|d| {
            d.get_filename_ext()
                .map(|ext| String::from_utf8_lossy(&ext.value).into_owned())
                .or_else(|| d.get_filename().map(str::to_owned))
        })
        .unwrap_or_default();
    let mut upload = Upload::new(&name, limit);
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_multipart::MultipartError::Payload(actix_web::error::PayloadError::Overflow) => {
                AppError::PayloadTooLarge { limit }
            }
            _ => AppError::BadRequest("envoi interrompu ou illisible".into()),
        })?;
        upload.push(&chunk)?;
    }
    // The checks on the content are pure work on the first megabyte.
    upload.finish()
}

/// Attaches a received file to `target`.
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    target: Target,
    file: Received,
) -> AppResult<Annex> {
    let (caller, now, limits) = (caller.clone(), state.clock.now(), state.annex_limits());
    let file = std::sync::Arc::new(file);
    state
        .db
        .write(move |conn| annexes::attach(conn, &caller, now, &target, &file, limits))
        .await
}

/// The file as a download: its type, `attachment` with its name, nosniff,
/// and the bytes read one chunk at a time.
pub fn download(state: &AppState, annex: &Annex) -> HttpResponse {
    let (db, sha256) = (state.db.clone(), annex.sha256.clone());
    let chunks = futures_util::stream::unfold(Some(0_i32), move |next| {
        let (db, sha256) = (db.clone(), sha256.clone());
        async move {
            let seq = next?;
            let read = db
                .read(move |conn| Ok(crate::store::annexes::chunk(conn, &sha256, seq)?))
                .await;
            match read {
                Ok(Some(bytes)) => Some((Ok::<_, AppError>(Bytes::from(bytes)), Some(seq + 1))),
                Ok(None) => None,
                Err(err) => Some((Err(err), None)),
            }
        }
    });
    let ascii: String = annex
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    HttpResponse::Ok()
        .content_type(annex.media_type.as_str())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![
                DispositionParam::Filename(ascii),
                DispositionParam::FilenameExt(header::ExtendedValue {
                    charset: header::Charset::Ext("UTF-8".into()),
                    language_tag: None,
                    value: annex.file_name.clone().into_bytes(),
                }),
            ],
        })
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .no_chunking(u64::try_from(annex.size).unwrap_or(0))
        .streaming(chunks)
}

/// The annexes' download for the web and the API alike: the annex, if the
/// caller may see it.
pub async fn find(state: &AppState, caller: &Caller, id: String) -> AppResult<Annex> {
    let scope = caller.scope();
    state
        .db
        .read(move |conn| annexes::get(conn, &scope, &id))
        .await
}
