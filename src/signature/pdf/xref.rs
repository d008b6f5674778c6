//! The cross-reference tables of a PDF with classic `xref` sections (what
//! Typst writes), and finding bytes in a file.

use std::collections::HashMap;

use super::objects::{Obj, Parser};

/// A PDF's cross-reference: where each object is, and its last trailer.
pub struct Xref {
    pub offsets: HashMap<u32, usize>,
    pub trailer: Obj,
    /// Where the last `xref` section starts.
    pub start: usize,
}

impl Xref {
    /// Reads every classic `xref` section, newest first.
    pub fn read(pdf: &[u8]) -> Result<Self, String> {
        let at = rfind(pdf, b"startxref").ok_or("« startxref » introuvable")?;
        let mut parser = Parser::new(pdf, at + 9);
        let start: usize = std::str::from_utf8(parser.word())
            .ok()
            .and_then(|w| w.parse().ok())
            .ok_or("« startxref » illisible")?;
        let (mut offsets, mut trailer, mut next, mut seen) = (HashMap::new(), None, Some(start), 0);
        while let Some(section) = next {
            seen += 1;
            if seen > 64 || section >= pdf.len() {
                return Err("table de références illisible".into());
            }
            let mut parser = Parser::new(pdf, section);
            parser
                .expect(b"xref")
                .map_err(|_| "table de références compressée : non prise en charge")?;
            loop {
                let save = parser.pos;
                let word = parser.word();
                if word == b"trailer" {
                    break;
                }
                parser.pos = save;
                let first = number(parser.word())?;
                let count = number(parser.word())?;
                for i in 0..count {
                    let offset = number(parser.word())?;
                    let _generation = parser.word();
                    let kind = parser.word();
                    let num = u32::try_from(first + i).map_err(|_| "numéro d'objet illisible")?;
                    if kind == b"n" {
                        offsets.entry(num).or_insert(offset);
                    }
                }
            }
            let dict = parser.object()?;
            next = dict
                .get(b"Prev")
                .and_then(Obj::as_int)
                .and_then(|p| usize::try_from(p).ok());
            trailer.get_or_insert(dict);
        }
        Ok(Self {
            offsets,
            trailer: trailer.ok_or("« trailer » introuvable")?,
            start,
        })
    }

    /// Object `num`, read at its offset.
    pub fn object(&self, pdf: &[u8], num: u32) -> Result<Obj, String> {
        let offset = *self
            .offsets
            .get(&num)
            .ok_or_else(|| format!("objet {num} introuvable"))?;
        let mut parser = Parser::new(pdf, offset);
        if number(parser.word())? != num as usize {
            return Err(format!("objet {num} mal placé"));
        }
        parser.word();
        parser.expect(b"obj")?;
        parser.object()
    }
}

fn number(word: &[u8]) -> Result<usize, String> {
    std::str::from_utf8(word)
        .ok()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| "nombre attendu dans la table de références".into())
}

/// Where `needle` first is in `haystack` from `from`.
pub fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
