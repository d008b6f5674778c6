//! An uploaded file as it arrives: hashed and cut into 1 MiB chunks while
//! it is read (it sits in memory once), refused as soon as it passes its
//! limit; its type read from its content, never from its name; its name
//! kept for display only, without path parts or control characters.

use sha2::{Digest, Sha256};

use crate::error::AppError;

/// The size of the chunks the bytes are stored and served in.
pub const CHUNK: usize = 1024 * 1024;

/// The accepted types: (media type, what the secrétariat calls it).
const ACCEPTED: &[(&str, &str)] = &[
    ("application/pdf", "PDF"),
    (
        "application/vnd.oasis.opendocument.text",
        "texte OpenDocument",
    ),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        "tableur OpenDocument",
    ),
    (
        "application/vnd.oasis.opendocument.presentation",
        "présentation OpenDocument",
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "document Word",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "classeur Excel",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "présentation PowerPoint",
    ),
    ("image/png", "image PNG"),
    ("image/jpeg", "image JPEG"),
    ("text/csv", "tableau CSV"),
    ("text/plain", "texte"),
];

/// The refusal naming what is accepted.
pub const ACCEPTED_TYPES: &str = "PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG, CSV ou texte";

/// What the secrétariat calls a stored type.
pub fn type_label(media_type: &str) -> &'static str {
    ACCEPTED
        .iter()
        .find(|(kind, _)| *kind == media_type)
        .map_or("fichier", |(_, label)| label)
}

/// A file being received.
pub struct Upload {
    file_name: String,
    chunks: Vec<Vec<u8>>,
    size: usize,
    limit: usize,
    hasher: Sha256,
}

/// A file received whole, its type known.
#[derive(Debug, Clone)]
pub struct Received {
    pub file_name: String,
    pub chunks: Vec<Vec<u8>>,
    pub size: i64,
    pub sha256: String,
    pub media_type: &'static str,
}

impl Upload {
    /// A file of at most `limit` bytes, named `file_name` by the sender.
    pub fn new(file_name: &str, limit: usize) -> Self {
        Self {
            file_name: clean_name(file_name),
            chunks: Vec::new(),
            size: 0,
            limit,
            hasher: Sha256::new(),
        }
    }

    /// The next bytes; refused once the file passes its limit.
    pub fn push(&mut self, mut bytes: &[u8]) -> Result<(), AppError> {
        if self.size + bytes.len() > self.limit {
            return Err(AppError::PayloadTooLarge { limit: self.limit });
        }
        self.size += bytes.len();
        self.hasher.update(bytes);
        while !bytes.is_empty() {
            match self.chunks.last_mut() {
                Some(last) if last.len() < CHUNK => {
                    let room = CHUNK - last.len();
                    let (now, later) = bytes.split_at(room.min(bytes.len()));
                    last.extend_from_slice(now);
                    bytes = later;
                }
                _ => self.chunks.push(Vec::with_capacity(CHUNK)),
            }
        }
        Ok(())
    }

    /// The whole file, once its type is one of those accepted.
    pub fn finish(self) -> Result<Received, AppError> {
        if self.size == 0 {
            return Err(AppError::validation("file", "le fichier est vide"));
        }
        let head = self.chunks.first().map_or(&[][..], Vec::as_slice);
        let media_type = detect(head, &self.file_name).ok_or_else(|| {
            AppError::validation(
                "file",
                format!(
                    "type de fichier refusé : seuls sont acceptés les fichiers {ACCEPTED_TYPES}"
                ),
            )
        })?;
        let digest = self.hasher.finalize();
        Ok(Received {
            file_name: if self.file_name.is_empty() {
                "annexe".to_owned()
            } else {
                self.file_name
            },
            chunks: self.chunks,
            size: i64::try_from(self.size).unwrap_or(i64::MAX),
            sha256: crate::documents::hex(&digest),
            media_type,
        })
    }
}

/// The type of a file from its first bytes: one of the accepted ones, or
/// none. Text is text only without NUL or other control bytes, and never
/// HTML, XML or a script (a browser or a shell would run them).
fn detect(head: &[u8], name: &str) -> Option<&'static str> {
    if let Some(kind) = infer::get(head) {
        return ACCEPTED
            .iter()
            .map(|(accepted, _)| *accepted)
            .find(|accepted| *accepted == kind.mime_type() && !accepted.starts_with("text/"));
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text.to_owned(),
        // A UTF-8 sequence cut at the end of the first chunk.
        Err(err) if err.error_len().is_none() => {
            String::from_utf8_lossy(&head[..err.valid_up_to()]).into_owned()
        }
        // Windows-1252, as French spreadsheets write CSV.
        Err(_) => encoding_rs::WINDOWS_1252.decode(head).0.into_owned(),
    };
    let control = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    let start = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    let markup = ["<!doctype", "<html", "<?xml", "<svg", "<script", "#!"]
        .iter()
        .any(|tag| start.starts_with(tag));
    if control || markup {
        return None;
    }
    if name.to_lowercase().ends_with(".csv") {
        Some("text/csv")
    } else {
        Some("text/plain")
    }
}

/// A sender's file name, for display: its last path part, without control
/// characters, at most 200 characters, never "." or "..".
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(200)
        .collect();
    cleaned.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(name: &str, bytes: &[u8]) -> Result<Received, AppError> {
        let mut upload = Upload::new(name, 1000);
        upload.push(bytes)?;
        upload.finish()
    }

    #[test]
    fn names_lose_their_path_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\bilan\u{7}.pdf\n"), "bilan.pdf");
        assert_eq!(clean_name(".."), "");
        assert_eq!(clean_name("  .cache"), "cache");
    }

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(
            received("x.txt", b"%PDF-1.7\n...").expect("pdf").media_type,
            "application/pdf"
        );
        assert_eq!(
            received("liste.csv", "nom;prénom\nSIMON;Nathalie\n".as_bytes())
                .expect("csv")
                .media_type,
            "text/csv"
        );
        for refused in [
            &b"\x7fELF\x02\x01\x01\0\0\0\0\0"[..],
            b"MZ\x90\0\x03\0\0\0",
            b"<!DOCTYPE html><html><script>alert(1)</script>",
            b"#!/bin/sh\nrm -rf /\n",
            b"binary\0data",
        ] {
            let err = received("innocent.pdf", refused).expect_err("refused");
            assert!(
                err.to_string().contains("type de fichier refusé")
                    || matches!(err, AppError::Validation(_))
            );
        }
    }

    #[test]
    fn bytes_past_the_limit_are_refused_as_they_arrive() {
        let mut upload = Upload::new("a.txt", 10);
        upload.push(b"123456").expect("within");
        assert!(matches!(
            upload.push(b"789012"),
            Err(AppError::PayloadTooLarge { limit: 10 })
        ));
    }

    #[test]
    fn chunks_are_a_mebibyte_and_the_hash_covers_them_all() {
        let mut upload = Upload::new("a.txt", 3 * CHUNK);
        let block = vec![b'a'; 700 * 1024];
        for _ in 0..3 {
            upload.push(&block).expect("within");
        }
        let received = upload.finish().expect("text");
        let sizes: Vec<usize> = received.chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [CHUNK, CHUNK, 3 * 700 * 1024 - 2 * CHUNK]);
        let whole: Vec<u8> = received.chunks.concat();
        assert_eq!(received.sha256, crate::documents::fingerprint(&whole));
    }
}
