//! A committee's indicators and their values (with the bilan's legend),
//! and its annual report with its charts (SVG drawn on the server).

mod annual;
mod indicators;

use crate::methods::Pages;

use crate::domain::indicators::Band;

/// A band as the pages show it: its class (colour) and its words.
pub struct BandLine {
    pub class: &'static str,
    pub label: &'static str,
}

impl BandLine {
    pub fn of(band: Band) -> Self {
        Self {
            class: match band {
                Band::OnTarget => "clu-band--on_target",
                Band::GapUnder25 => "clu-band--gap_under_25",
                Band::Gap25To50 => "clu-band--gap_25_to_50",
                Band::GapOver50 => "clu-band--gap_over_50",
            },
            label: band.label(),
        }
    }

    /// The legend of the bilan qualité, every band in order.
    pub fn legend() -> Vec<Self> {
        Band::ALL.iter().map(|b| Self::of(*b)).collect()
    }
}

pub fn routes(config: &mut Pages) {
    config
        .get("/comites/{id}/indicateurs", indicators::page)
        .post("/comites/{id}/indicateurs", indicators::create)
        .post(
            "/comites/{id}/indicateurs/{indicator}/valeurs",
            indicators::record_value,
        )
        .get("/comites/{id}/bilan", annual::years)
        .get("/comites/{id}/bilan/{year}", annual::page);
}
