//! Fetches the web interface's npm packages named in `web-assets.lock` by
//! their pinned version (`npm pack`, or the tarballs of the folder named by
//! `CLU_WEB_ASSETS_DIR` for an offline build), refuses any whose sha512
//! differs from the pinned integrity, and writes into `OUT_DIR`:
//! - `web/`: the files the pages use, in the packages' own layout (the
//!   DSFR's CSS reaches its fonts and icons by relative paths), and
//!   `web_assets.rs`, their table for `include_bytes!`;
//! - `test/axe.min.js`, for the browser suite only.
//!
//! Tarballs are kept in `OUT_DIR/npm/` and reused while their hash matches;
//! the script reruns only when the lock file, this file or the variable
//! changes, so a rebuild with nothing changed downloads nothing.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha512};

const LOCK: &str = "web-assets.lock";
const OFFLINE_DIR: &str = "CLU_WEB_ASSETS_DIR";
/// clu's own few styles and its one script, each served under a name that
/// changes with it.
const OWN_CSS: &str = "templates/web/static/clu.css";
const OWN_JS: &str = "templates/web/static/clu.js";

struct Package {
    name: String,
    version: String,
    integrity: String,
}

impl Package {
    /// The file name `npm pack` gives the tarball: `@scope/name` becomes
    /// `scope-name`.
    fn tarball_name(&self) -> String {
        format!(
            "{}-{}.tgz",
            self.name.trim_start_matches('@').replace('/', "-"),
            self.version
        )
    }
}

fn main() {
    println!("cargo::rerun-if-changed={LOCK}");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={OFFLINE_DIR}");
    println!("cargo::rerun-if-changed={OWN_CSS}");
    println!("cargo::rerun-if-changed={OWN_JS}");
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env("OUT_DIR"));
    let packages = read_lock(&manifest.join(LOCK));
    let find = |name: &str| {
        packages
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| fail(&format!("{LOCK} names no {name}")))
    };
    let dsfr = find("@gouvfr/dsfr");
    let htmx = find("htmx.org");
    let axe = find("axe-core");

    let web = out.join("web");
    let _ = std::fs::remove_dir_all(&web);
    let mut assets = Vec::new();

    // DSFR: the compiled CSS and JS, the favicons, and exactly the fonts and
    // icons the CSS refers to (no analytics/, no unused icon).
    let dsfr_prefix = format!("dsfr-{}", dsfr.version);
    let dsfr_files = unpack(&tarball(dsfr, &out));
    let css = dsfr_files
        .get("package/dist/dsfr.min.css")
        .unwrap_or_else(|| fail("dsfr.min.css missing from the DSFR package"));
    let mut wanted: BTreeSet<String> = [
        "dsfr.min.css",
        "dsfr.module.min.js",
        "dsfr.nomodule.min.js",
        "favicon/favicon.svg",
        "favicon/favicon.ico",
        "favicon/apple-touch-icon.png",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    wanted.extend(css_references(&String::from_utf8_lossy(css)));
    for path in &wanted {
        let body = dsfr_files
            .get(&format!("package/dist/{path}"))
            .unwrap_or_else(|| fail(&format!("the DSFR package has no dist/{path}")));
        assets.push(write(&web, &format!("{dsfr_prefix}/{path}"), body));
    }

    let htmx_files = unpack(&tarball(htmx, &out));
    let htmx_js = htmx_files
        .get("package/dist/htmx.min.js")
        .unwrap_or_else(|| fail("htmx.min.js missing from the htmx package"));
    assets.push(write(
        &web,
        &format!("htmx-{}/htmx.min.js", htmx.version),
        htmx_js,
    ));

    let mut own = |file: &str| {
        let body = std::fs::read(manifest.join(file))
            .unwrap_or_else(|e| fail(&format!("cannot read {file}: {e}")));
        let hash: String = Sha512::digest(&body)
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(file);
        let path = format!("clu-{hash}/{name}");
        assets.push(write(&web, &path, &body));
        path
    };
    let own_css_path = own(OWN_CSS);
    let own_js_path = own(OWN_JS);

    let axe_files = unpack(&tarball(axe, &out));
    let axe_js = axe_files
        .get("package/axe.min.js")
        .unwrap_or_else(|| fail("axe.min.js missing from the axe-core package"));
    let test = out.join("test");
    std::fs::create_dir_all(&test).unwrap_or_else(|e| fail(&e.to_string()));
    std::fs::write(test.join("axe.min.js"), axe_js).unwrap_or_else(|e| fail(&e.to_string()));

    let mut table = String::new();
    let _ = writeln!(table, "pub const DSFR_VERSION: &str = {:?};", dsfr.version);
    let _ = writeln!(table, "pub const HTMX_VERSION: &str = {:?};", htmx.version);
    let _ = writeln!(table, "pub const OWN_CSS: &str = {own_css_path:?};");
    let _ = writeln!(table, "pub const OWN_JS: &str = {own_js_path:?};");
    let _ = writeln!(table, "pub const AXE_VERSION: &str = {:?};", axe.version);
    let _ = writeln!(table, "pub static ASSETS: &[Asset] = &[");
    for (path, file) in &assets {
        let content_type = content_type(path);
        let _ = writeln!(
            table,
            "    Asset {{ path: {path:?}, content_type: {content_type:?}, body: include_bytes!({:?}) }},",
            file.display().to_string()
        );
    }
    let _ = writeln!(table, "];");
    std::fs::write(out.join("web_assets.rs"), table).unwrap_or_else(|e| fail(&e.to_string()));
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("{name} is not set")))
}

fn fail(message: &str) -> ! {
    eprintln!("build.rs: {message}");
    std::process::exit(1)
}

fn read_lock(path: &Path) -> Vec<Package> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [name, version, integrity] if integrity.starts_with("sha512-") => Package {
                    name: (*name).to_owned(),
                    version: (*version).to_owned(),
                    integrity: (*integrity).to_owned(),
                },
                _ => fail(&format!("{LOCK}: cannot read the line {line:?}")),
            }
        })
        .collect()
}

fn integrity_of(bytes: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(bytes))
    )
}

/// The package's tarball, checked: from the cache, the offline folder, or npm.
fn tarball(package: &Package, out: &Path) -> Vec<u8> {
    let cache = out.join("npm");
    std::fs::create_dir_all(&cache).unwrap_or_else(|e| fail(&e.to_string()));
    let cached = cache.join(package.tarball_name());
    if let Ok(bytes) = std::fs::read(&cached)
        && integrity_of(&bytes) == package.integrity
    {
        return bytes;
    }
    let source = if let Some(dir) = std::env::var_os(OFFLINE_DIR).filter(|d| !d.is_empty()) {
        let path = PathBuf::from(dir).join(package.tarball_name());
        if !path.is_file() {
            fail(&format!(
                "{OFFLINE_DIR} is set but {} is missing (make it with `npm pack {}@{}`)",
                path.display(),
                package.name,
                package.version
            ));
        }
        path
    } else {
        let spec = format!("{}@{}", package.name, package.version);
        let status = Command::new("npm")
            .args([
                "pack",
                &spec,
                "--silent",
                "--ignore-scripts",
                "--pack-destination",
            ])
            .arg(&cache)
            .status()
            .unwrap_or_else(|e| {
                fail(&format!(
                    "cannot run npm to fetch {spec} ({e}); install Node.js and npm, or set \
                     {OFFLINE_DIR} to a folder of tarballs"
                ))
            });
        if !status.success() {
            fail(&format!("`npm pack {spec}` failed ({status})"));
        }
        cached.clone()
    };
    let bytes = std::fs::read(&source)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", source.display())));
    let found = integrity_of(&bytes);
    if found != package.integrity {
        let _ = std::fs::remove_file(&cached);
        fail(&format!(
            "{} {}: integrity {found} differs from the pinned {}",
            package.name, package.version, package.integrity
        ));
    }
    if source != cached {
        std::fs::write(&cached, &bytes).unwrap_or_else(|e| fail(&e.to_string()));
    }
    bytes
}

/// Every regular file of a `.tgz`, by path.
fn unpack(tgz: &[u8]) -> std::collections::HashMap<String, Vec<u8>> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let mut files = std::collections::HashMap::new();
    let entries = archive
        .entries()
        .unwrap_or_else(|e| fail(&format!("bad tarball: {e}")));
    for entry in entries {
        let mut entry = entry.unwrap_or_else(|e| fail(&format!("bad tarball: {e}")));
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .unwrap_or_else(|e| fail(&format!("bad tarball: {e}")))
            .to_string_lossy()
            .into_owned();
        let mut body = Vec::new();
        entry
            .read_to_end(&mut body)
            .unwrap_or_else(|e| fail(&format!("bad tarball: {e}")));
        files.insert(path, body);
    }
    files
}

/// The relative `url(...)`s of a stylesheet (fonts, icons), without `data:`.
fn css_references(css: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = css;
    while let Some(start) = rest.find("url(") {
        rest = &rest[start + 4..];
        let Some(end) = rest.find(')') else { break };
        let raw = rest[..end].trim().trim_matches(['"', '\'']);
        rest = &rest[end..];
        if raw.starts_with("data:") || raw.contains("://") || raw.starts_with('/') {
            continue;
        }
        let path = raw.split(['?', '#']).next().unwrap_or(raw);
        if path.contains("..") {
            fail(&format!("the DSFR CSS refers to {path} outside dist/"));
        }
        found.push(path.to_owned());
    }
    found
}

fn write(root: &Path, path: &str, body: &[u8]) -> (String, PathBuf) {
    let file = root.join(path);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| fail(&e.to_string()));
    }
    std::fs::write(&file, body).unwrap_or_else(|e| fail(&e.to_string()));
    (path.to_owned(), file)
}

fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    match (mime.type_(), mime.subtype().as_str()) {
        (mime_guess::mime::TEXT, _) | (mime_guess::mime::APPLICATION, "javascript") => {
            format!("{mime}; charset=utf-8")
        }
        (mime_guess::mime::IMAGE, "svg") => "image/svg+xml".to_owned(),
        _ => mime.to_string(),
    }
}
