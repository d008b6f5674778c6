//! The DSFR and htmx files, embedded at build time (see `build.rs` and
//! `web-assets.lock`) and served under `/static/` with the version in the
//! path, so they can be cached for a year.

use actix_web::{HttpResponse, web};

/// One embedded file.
pub struct Asset {
    /// Under `/static/`: `dsfr-1.15.3/dsfr.min.css`.
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The URL prefix of every embedded file.
pub const PREFIX: &str = "/static";

pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

/// `/static/dsfr-1.15.3/`: the DSFR's `dist/`, layout kept.
pub fn dsfr(path: &str) -> String {
    format!("{PREFIX}/dsfr-{DSFR_VERSION}/{path}")
}

/// clu's own stylesheet (a few layout fixes over the DSFR).
pub fn own_css() -> String {
    format!("{PREFIX}/{OWN_CSS}")
}

/// clu's own script (progressive: every page works without it).
pub fn own_js() -> String {
    format!("{PREFIX}/{OWN_JS}")
}

pub fn htmx() -> String {
    format!("{PREFIX}/htmx-{HTMX_VERSION}/htmx.min.js")
}

/// `GET /static/{path}`: the file, cacheable for a year (its URL changes
/// with its version), or a plain 404. (The server sends no body to a HEAD.)
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    let Some(asset) = find(&path) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body("Fichier introuvable.");
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.content_type)
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"));
    response.body(asset.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_and_what_it_refers_to_are_embedded() {
        let css = find(&format!("dsfr-{DSFR_VERSION}/dsfr.min.css")).expect("css");
        assert!(css.content_type.starts_with("text/css"));
        let marianne =
            find(&format!("dsfr-{DSFR_VERSION}/fonts/Marianne-Regular.woff2")).expect("font");
        assert_eq!(marianne.content_type, "font/woff2");
        assert!(ASSETS.iter().all(|a| !a.path.contains("analytics")));
        assert!(find(&format!("htmx-{HTMX_VERSION}/htmx.min.js")).is_some());
    }
}
