//! Signatures in PDF files: adding one as an incremental update
//! (`update`), and finding those a PDF holds, with the bytes each covers.

pub mod objects;
pub mod update;
pub mod xref;

use objects::{Obj, Parser};
use xref::find;

/// A signature dictionary found in a PDF.
#[derive(Debug, Clone)]
pub struct Found {
    /// "ETSI.CAdES.detached", "adbe.pkcs7.detached", "ETSI.RFC3161"…
    pub sub_filter: String,
    pub is_timestamp: bool,
    /// The byte range: two parts around the /Contents hex string.
    pub range: [usize; 4],
    /// The CMS (or timestamp token), zeros after it.
    pub contents: Vec<u8>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact: Option<String>,
    /// /M as written ("D:20240408081200+00'00'").
    pub time: Option<String>,
}

impl Found {
    /// The bytes the signature covers, in two parts.
    pub fn parts<'a>(&self, pdf: &'a [u8]) -> [&'a [u8]; 2] {
        let [a, b, c, d] = self.range;
        [&pdf[a..a + b], &pdf[c..c + d]]
    }

    /// Where the signed revision of the file ends.
    pub fn end(&self) -> usize {
        self.range[2] + self.range[3]
    }
}

/// A compte-rendu has one signature and a timestamp or two; a file with
/// many more is not read further (each costs a scan back and a digest).
const MAX_SIGNATURES: usize = 16;

/// Every signature dictionary of `pdf` whose byte range is well formed
/// (within the file, around a hex string), in file order. A dictionary
/// that cannot be read is reported as `Err` with the reason.
pub fn signatures(pdf: &[u8]) -> Vec<Result<Found, String>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(pdf, from, b"/ByteRange") {
        if found.len() == MAX_SIGNATURES {
            found.push(Err(format!(
                "plus de {MAX_SIGNATURES} signatures : les suivantes ne sont pas vérifiées"
            )));
            break;
        }
        from = at + 10;
        let Some(start) = object_start(pdf, at) else {
            continue;
        };
        let mut parser = Parser::new(pdf, start);
        for _ in 0..3 {
            parser.word();
        }
        let dict = match parser.object() {
            Ok(dict @ Obj::Dict(_)) => dict,
            Ok(_) | Err(_) => {
                found.push(Err("dictionnaire de signature illisible".to_owned()));
                continue;
            }
        };
        found.push(read(pdf, &dict));
        from = from.max(parser.pos);
    }
    found
}

fn read(pdf: &[u8], dict: &Obj) -> Result<Found, String> {
    let range: Vec<usize> = match dict.get(b"ByteRange") {
        Some(Obj::Array(items)) => items
            .iter()
            .filter_map(Obj::as_int)
            .filter_map(|n| usize::try_from(n).ok())
            .collect(),
        _ => Vec::new(),
    };
    let [a, b, c, d] =
        <[usize; 4]>::try_from(range).map_err(|_| "plage d'octets signée illisible".to_owned())?;
    let well_formed = a == 0
        && b < c
        && c.checked_add(d).is_some_and(|end| end <= pdf.len())
        && pdf.get(b) == Some(&b'<')
        && pdf.get(c - 1) == Some(&b'>');
    if !well_formed {
        return Err("la plage d'octets signée ne correspond pas au fichier".into());
    }
    let contents = objects::decode_hex(&pdf[b + 1..c - 1]);
    let name = |key: &[u8]| match dict.get(key) {
        Some(Obj::Name(n)) => String::from_utf8_lossy(n).into_owned(),
        _ => String::new(),
    };
    let text = |key: &[u8]| dict.get(key).and_then(Obj::text);
    let sub_filter = name(b"SubFilter");
    Ok(Found {
        is_timestamp: sub_filter == "ETSI.RFC3161" || name(b"Type") == "DocTimeStamp",
        sub_filter,
        range: [a, b, c, d],
        contents,
        name: text(b"Name"),
        reason: text(b"Reason"),
        location: text(b"Location"),
        contact: text(b"ContactInfo"),
        time: dict
            .get(b"M")
            .and_then(Obj::string_bytes)
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
    })
}

/// Where the indirect object around `at` starts (`12 0 obj`), looking
/// back at most 256 KB (a /Contents may come first).
fn object_start(pdf: &[u8], at: usize) -> Option<usize> {
    let floor = at.saturating_sub(256 * 1024);
    let window = &pdf[floor..at];
    let obj = xref::rfind(window, b" obj")? + floor;
    let mut start = obj;
    let mut spaces = 0;
    while start > 0 {
        let b = pdf[start - 1];
        if b.is_ascii_digit() {
            start -= 1;
        } else if b == b' ' && spaces == 0 {
            spaces += 1;
            start -= 1;
        } else {
            break;
        }
    }
    (start < obj).then_some(start)
}

/// A PDF date ("D:20240408101200+00'00'") as UTC.
pub fn parse_date(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let digits = text.strip_prefix("D:").unwrap_or(text);
    let base = chrono::NaiveDateTime::parse_from_str(digits.get(..14)?, "%Y%m%d%H%M%S").ok()?;
    let zone = digits.get(14..).unwrap_or("");
    let offset = match zone.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let numbers: String = zone.chars().filter(char::is_ascii_digit).collect();
            let hours: i64 = numbers.get(..2)?.parse().ok()?;
            let minutes: i64 = numbers.get(2..4).unwrap_or("0").parse().ok()?;
            let total = hours * 60 + minutes;
            if sign == '+' { total } else { -total }
        }
        _ => 0,
    };
    Some(base.and_utc() - chrono::Duration::minutes(offset))
}
