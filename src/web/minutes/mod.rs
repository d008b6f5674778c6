//! The minutes after the meeting: the editor, the preview, submitting; the signatory's "À signer", returning and signing; the signed documents, revisions and distribution.

use actix_web::web;

pub fn routes(config: &mut web::ServiceConfig) {
    let _ = config;
}
