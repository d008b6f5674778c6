//! PDFs in tests: small real ones to upload, and what poppler (Debian's
//! poppler-utils, installed by `.ci/run`) reads in those clu serves.

use std::process::Command;

/// A real PDF of `pages` pages, each 300 × 200 pt, showing "`label` page N"
/// in Helvetica: objects, cross-reference table and trailer as the
/// specification has them.
pub fn real_pdf(pages: usize, label: &str) -> Vec<u8> {
    let first_page = 4;
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages)
                .map(|n| format!("{} 0 R", first_page + 2 * n))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    for n in 0..pages {
        let stream = format!("BT /F1 20 Tf 20 100 Td ({label} page {}) Tj ET", n + 1);
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
            first_page + 2 * n + 1
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ));
    }
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}

fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (Debian's poppler-utils; .ci/run installs it): {e}"));
    assert!(
        output.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The text of a PDF, laid out.
pub fn text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout"], pdf)
}

/// The text of one page (from 1).
pub fn page_text(pdf: &[u8], page: usize) -> String {
    let page = page.to_string();
    poppler("pdftotext", &["-f", &page, "-l", &page], pdf)
}

/// Each page's size in points, in order.
pub fn page_sizes(pdf: &[u8]) -> Vec<(f64, f64)> {
    poppler("pdfinfo", &["-f", "1", "-l", "100000"], pdf)
        .lines()
        .filter(|line| line.starts_with("Page") && line.contains(" size:"))
        .filter_map(|line| {
            let (_, size) = line.split_once("size:")?;
            let mut numbers = size.split_whitespace();
            let width = numbers.next()?.parse().ok()?;
            numbers.next();
            let height = numbers.next()?.parse().ok()?;
            Some((width, height))
        })
        .collect()
}
