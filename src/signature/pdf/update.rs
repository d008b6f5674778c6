//! The incremental update that signs a PDF: the signature dictionary (its
//! /Contents left as zeros to fill), the signature field's widget on the
//! page, the page and the catalog rewritten to point at it, a new `xref`
//! section and trailer. The original bytes are kept as they are, so the
//! PDF/A identification and everything signed stay; nothing in the update
//! depends on the clock or chance, so it is reproducible.

use chrono::{DateTime, Utc};

use super::objects::Obj;
use super::xref::{Xref, find};

/// Where the signature field goes: a rectangle of a page, in PDF points
/// from the bottom left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The page, from 1.
    pub page: usize,
    pub rect: [f64; 4],
}

/// What the signature dictionary says.
pub enum Kind<'a> {
    /// A PAdES signature (CAdES detached), by whom and why.
    Signature {
        name: &'a str,
        reason: &'a str,
        location: &'a str,
        contact: &'a str,
        time: DateTime<Utc>,
        placement: Option<Placement>,
    },
    /// A document timestamp (RFC 3161), added later.
    DocumentTimestamp,
}

/// A PDF with its signature to fill in.
pub struct Prepared {
    pub bytes: Vec<u8>,
    /// The hex string's `<` and one past its `>`.
    contents: (usize, usize),
}

impl Prepared {
    /// The two signed parts: everything but the /Contents hex string.
    pub fn signed_parts(&self) -> [&[u8]; 2] {
        [
            &self.bytes[..self.contents.0],
            &self.bytes[self.contents.1..],
        ]
    }

    /// Writes the CMS (or timestamp token) into the reserved /Contents.
    pub fn finish(mut self, cms: &[u8]) -> Result<Vec<u8>, String> {
        let capacity = (self.contents.1 - self.contents.0 - 2) / 2;
        if cms.len() > capacity {
            return Err(format!(
                "signature trop grande ({} octets pour {capacity} réservés)",
                cms.len()
            ));
        }
        let hex = crate::documents::hex(cms).to_uppercase();
        let start = self.contents.0 + 1;
        self.bytes[start..start + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

/// The PDF date of `time`, in UTC.
fn pdf_date(time: DateTime<Utc>) -> Obj {
    Obj::Literal(
        time.format("D:%Y%m%d%H%M%S+00'00'")
            .to_string()
            .into_bytes(),
    )
}

fn name(text: &str) -> Obj {
    Obj::Name(text.as_bytes().to_vec())
}

fn dict(entries: Vec<(&str, Obj)>) -> Obj {
    Obj::Dict(
        entries
            .into_iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v))
            .collect(),
    )
}

fn real(value: f64) -> Obj {
    Obj::Real(format!("{value:.2}"))
}

const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 0000000000 0000000000 0000000000]";

/// The PDF `pdf` with a signature field and dictionary added as an
/// incremental update, `capacity` bytes reserved for the signature.
pub fn prepare(pdf: &[u8], kind: &Kind<'_>, capacity: usize) -> Result<Prepared, String> {
    let xref = Xref::read(pdf)?;
    let size = xref
        .trailer
        .get(b"Size")
        .and_then(Obj::as_int)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or("taille du PDF illisible")?;
    let root = xref
        .trailer
        .get(b"Root")
        .and_then(Obj::as_ref)
        .ok_or("catalogue du PDF introuvable")?;
    let mut catalog = xref.object(pdf, root)?;
    let (sig, widget, appearance) = (size, size + 1, size + 2);
    let placement = match kind {
        Kind::Signature { placement, .. } => *placement,
        Kind::DocumentTimestamp => None,
    };
    let page_num = match placement {
        Some(p) => page_at(pdf, &xref, &catalog, p.page)?,
        None => first_page(pdf, &xref, &catalog)?,
    };
    let mut page = xref.object(pdf, page_num)?;

    let mut objects: Vec<(u32, Vec<u8>)> = Vec::new();
    let signature = match kind {
        Kind::Signature {
            name: who,
            reason,
            location,
            contact,
            time,
            ..
        } => dict(vec![
            ("Type", name("Sig")),
            ("Filter", name("Adobe.PPKLite")),
            ("SubFilter", name("ETSI.CAdES.detached")),
            ("M", pdf_date(*time)),
            ("Name", Obj::text_of(who)),
            ("Reason", Obj::text_of(reason)),
            ("Location", Obj::text_of(location)),
            ("ContactInfo", Obj::text_of(contact)),
        ]),
        Kind::DocumentTimestamp => dict(vec![
            ("Type", name("DocTimeStamp")),
            ("Filter", name("Adobe.PPKLite")),
            ("SubFilter", name("ETSI.RFC3161")),
        ]),
    };
    // /ByteRange and /Contents last, written by hand to patch them after.
    let mut sig_bytes = Vec::new();
    signature.write(&mut sig_bytes);
    sig_bytes.truncate(sig_bytes.len() - 2);
    sig_bytes.extend_from_slice(b"/ByteRange ");
    sig_bytes.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
    sig_bytes.extend_from_slice(b"/Contents <");
    sig_bytes.extend(std::iter::repeat_n(b'0', capacity * 2));
    sig_bytes.extend_from_slice(b">>>");
    objects.push((sig, sig_bytes));

    let field_count = match catalog.get(b"AcroForm") {
        Some(form) => resolve(pdf, &xref, form)?
            .get(b"Fields")
            .map_or(0, |f| match f {
                Obj::Array(items) => items.len(),
                _ => 0,
            }),
        None => 0,
    };
    let rect = placement.map_or([0.0; 4], |p| p.rect);
    let mut widget_dict = dict(vec![
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", Obj::text_of(&format!("Signature{}", field_count + 1))),
        ("V", Obj::Ref(sig, 0)),
        ("F", Obj::Int(132)),
        ("P", Obj::Ref(page_num, 0)),
        ("Rect", Obj::Array(rect.iter().map(|v| real(*v)).collect())),
    ]);
    if placement.is_some() {
        // PDF/A: a visible widget has an appearance; a thin frame, the
        // text being the page's own.
        widget_dict.set(b"F", Obj::Int(4));
        widget_dict.set(b"AP", dict(vec![("N", Obj::Ref(appearance, 0))]));
        let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
        let stream = format!(
            "q 0.5 w 0.42 0.42 0.67 RG 0.25 0.25 {:.2} {:.2} re S Q",
            w - 0.5,
            h - 0.5
        );
        let mut bytes = Vec::new();
        dict(vec![
            ("Type", name("XObject")),
            ("Subtype", name("Form")),
            (
                "BBox",
                Obj::Array(vec![real(0.0), real(0.0), real(w), real(h)]),
            ),
            ("Resources", Obj::Dict(Vec::new())),
            ("Length", Obj::Int(stream.len() as i64)),
        ])
        .write(&mut bytes);
        bytes.extend_from_slice(b"\nstream\n");
        bytes.extend_from_slice(stream.as_bytes());
        bytes.extend_from_slice(b"\nendstream");
        objects.push((appearance, bytes));
    }
    let mut widget_bytes = Vec::new();
    widget_dict.write(&mut widget_bytes);
    objects.push((widget, widget_bytes));

    // The page's annotations, and the form's fields, gain the widget.
    match page.get(b"Annots").cloned() {
        Some(Obj::Ref(annots, _)) => {
            let mut list = xref.object(pdf, annots)?;
            push(&mut list, Obj::Ref(widget, 0))?;
            objects.push((annots, written(&list)));
        }
        Some(mut list) => {
            push(&mut list, Obj::Ref(widget, 0))?;
            page.set(b"Annots", list);
        }
        None => page.set(b"Annots", Obj::Array(vec![Obj::Ref(widget, 0)])),
    }
    objects.push((page_num, written(&page)));
    match catalog.get(b"AcroForm").cloned() {
        Some(Obj::Ref(form_num, _)) => {
            let mut form = xref.object(pdf, form_num)?;
            add_field(&mut form, widget)?;
            objects.push((form_num, written(&form)));
        }
        Some(mut form) => {
            add_field(&mut form, widget)?;
            catalog.set(b"AcroForm", form);
        }
        None => {
            let mut form = dict(vec![("Fields", Obj::Array(Vec::new()))]);
            add_field(&mut form, widget)?;
            catalog.set(b"AcroForm", form);
        }
    }
    objects.push((root, written(&catalog)));
    objects.sort_by_key(|(num, _)| *num);
    let new_size = if placement.is_some() {
        size + 3
    } else {
        size + 2
    };
    write_update(pdf, &xref, objects, new_size)
}

fn written(obj: &Obj) -> Vec<u8> {
    let mut bytes = Vec::new();
    obj.write(&mut bytes);
    bytes
}

fn push(list: &mut Obj, item: Obj) -> Result<(), String> {
    match list {
        Obj::Array(items) => {
            items.push(item);
            Ok(())
        }
        _ => Err("liste d'annotations illisible".into()),
    }
}

fn add_field(form: &mut Obj, widget: u32) -> Result<(), String> {
    match form.get_mut(b"Fields") {
        Some(fields) => push(fields, Obj::Ref(widget, 0))?,
        None => form.set(b"Fields", Obj::Array(vec![Obj::Ref(widget, 0)])),
    }
    form.set(b"SigFlags", Obj::Int(3));
    Ok(())
}

fn resolve(pdf: &[u8], xref: &Xref, obj: &Obj) -> Result<Obj, String> {
    match obj {
        Obj::Ref(n, _) => xref.object(pdf, *n),
        other => Ok(other.clone()),
    }
}

/// The pages of the document, in order (the page tree walked).
fn pages(pdf: &[u8], xref: &Xref, catalog: &Obj) -> Result<Vec<u32>, String> {
    let root = catalog
        .get(b"Pages")
        .and_then(Obj::as_ref)
        .ok_or("arbre des pages introuvable")?;
    let (mut out, mut stack) = (Vec::new(), vec![root]);
    while let Some(num) = stack.pop() {
        if out.len() > 100_000 || stack.len() > 100_000 {
            return Err("arbre des pages trop grand".into());
        }
        let node = xref.object(pdf, num)?;
        match node.get(b"Kids") {
            Some(Obj::Array(kids)) => {
                stack.extend(kids.iter().rev().filter_map(Obj::as_ref));
            }
            _ => out.push(num),
        }
    }
    Ok(out)
}

fn page_at(pdf: &[u8], xref: &Xref, catalog: &Obj, page: usize) -> Result<u32, String> {
    pages(pdf, xref, catalog)?
        .get(page.saturating_sub(1))
        .copied()
        .ok_or_else(|| format!("page {page} introuvable"))
}

fn first_page(pdf: &[u8], xref: &Xref, catalog: &Obj) -> Result<u32, String> {
    page_at(pdf, xref, catalog, 1)
}

/// Appends `objects`, an `xref` section listing them and the trailer.
fn write_update(
    pdf: &[u8],
    xref: &Xref,
    objects: Vec<(u32, Vec<u8>)>,
    size: u32,
) -> Result<Prepared, String> {
    let mut bytes = pdf.to_vec();
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (num, body) in &objects {
        offsets.push((*num, bytes.len()));
        bytes.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = bytes.len();
    bytes.extend_from_slice(b"xref\n0 1\n0000000000 65535 f \n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 == offsets[j].0 + 1 {
            j += 1;
        }
        bytes.extend_from_slice(format!("{} {}\n", offsets[i].0, j - i + 1).as_bytes());
        for (_, offset) in &offsets[i..=j] {
            bytes.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        i = j + 1;
    }
    let mut trailer = Obj::Dict(Vec::new());
    trailer.set(b"Size", Obj::Int(i64::from(size)));
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Some(value) = xref.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    trailer.set(b"Prev", Obj::Int(xref.start as i64));
    bytes.extend_from_slice(b"trailer\n");
    trailer.write(&mut bytes);
    bytes.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());

    // Where /Contents' hex string is, then the byte range around it.
    let range_at = find(&bytes, pdf.len(), b"/ByteRange ")
        .ok_or("plage de signature introuvable")?
        + b"/ByteRange ".len();
    let open = find(&bytes, range_at, b"/Contents <").ok_or("contenu de signature introuvable")?
        + b"/Contents ".len();
    let close = find(&bytes, open, b">").ok_or("contenu de signature non terminé")? + 1;
    let range = format!("[0 {open} {close} {}]", bytes.len() - close);
    let padded = format!("{range:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    if padded.len() != BYTE_RANGE_PLACEHOLDER.len() {
        return Err("PDF trop grand pour être signé".into());
    }
    bytes[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());
    Ok(Prepared {
        bytes,
        contents: (open, close),
    })
}
