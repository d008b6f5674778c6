//! The annual report's pictures, drawn as SVG on the server (no chart
//! library, no script): attendance per organization, the action plan's
//! figures, indicator values against their targets. The same markup goes
//! into the staff page and into the API's HTML report.
//!
//! Every chart is an accessible image (`role="img"`, a `<title>` and a
//! `<desc>` it is labelled by) whose figures are also printed in words on
//! the chart and given as a table beside it; every label is XML-escaped
//! here, so the markup may be inserted as it is. Text is #161616 on white
//! (contrast 17:1); a value's band is written, never shown by colour alone.

use serde::Serialize;
use utoipa::ToSchema;

use super::annual_report::AnnualReport;
use super::quality::Band;

const WIDTH: u32 = 720;
const LABEL_WIDTH: u32 = 230;
const BAR_AREA: u32 = 230;
const ROW: u32 = 30;
const TOP: u32 = 8;
const TEXT: &str = "#161616";
const FONT: &str = "Marianne, Arial, Helvetica, sans-serif";
/// Labels longer than this are cut (the table beside has them whole).
const LABEL_CHARS: usize = 32;

/// The three charts of a report, as SVG markup.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Charts {
    pub attendance: String,
    pub actions: String,
    pub indicators: String,
}

/// Escapes text for XML content and attribute values.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let kept: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", kept.trim_end())
    }
}

/// One bar: its label, its length as a fraction of the bar area, its
/// colour, the figure written after it, and an optional marker (a target).
pub struct Bar {
    pub label: String,
    pub fraction: f64,
    pub colour: &'static str,
    pub text: String,
    pub marker: Option<f64>,
}

/// A horizontal bar chart: labels on the left, bars, their figure after.
pub fn bar_chart(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    let height = TOP * 2 + ROW * u32::try_from(bars.len().max(1)).unwrap_or(1);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"clu-chart\" role=\"img\" \
         aria-labelledby=\"{id}-titre {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" font-family=\"{FONT}\" font-size=\"13\">\
         <title id=\"{id}-titre\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>",
        xml(title),
        xml(description),
    );
    if bars.is_empty() {
        svg.push_str(&format!(
            "<text x=\"8\" y=\"{}\" fill=\"{TEXT}\">Aucune donnée pour cette année.</text>",
            TOP + 19
        ));
    }
    let axis = LABEL_WIDTH;
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * u32::try_from(i).unwrap_or(0);
        let length = (bar.fraction.clamp(0.0, 1.0) * f64::from(BAR_AREA)).round();
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{TEXT}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{axis}\" y=\"{}\" width=\"{length}\" height=\"{}\" fill=\"{}\"/>",
            axis - 8,
            y + 19,
            xml(&cut(&bar.label)),
            y + 5,
            ROW - 10,
            bar.colour,
        ));
        if let Some(marker) = bar.marker {
            let x = f64::from(axis) + (marker.clamp(0.0, 1.0) * f64::from(BAR_AREA)).round();
            svg.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{TEXT}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>",
                y + 1,
                y + ROW - 1,
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" fill=\"{TEXT}\">{}</text>",
            f64::from(axis) + length + 6.0,
            y + 19,
            xml(&bar.text),
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{axis}\" y1=\"{TOP}\" x2=\"{axis}\" y2=\"{}\" stroke=\"{TEXT}\" stroke-width=\"1\"/></svg>",
        height - TOP
    ));
    svg
}

/// A band's colour on the chart (its words are written beside it).
pub fn band_colour(band: Option<Band>) -> &'static str {
    match band {
        Some(Band::OnTarget) => "#18753c",
        Some(Band::GapUnder25) => "#8d6c00",
        Some(Band::Gap25To50) => "#b34000",
        Some(Band::GapOver50) => "#ce0500",
        None => "#666666",
    }
}

/// A band in a few words, for the chart.
pub fn band_words(band: Band) -> &'static str {
    match band {
        Band::OnTarget => "conforme",
        Band::GapUnder25 => "écart < 25 %",
        Band::Gap25To50 => "écart 25 à 50 %",
        Band::GapOver50 => "écart > 50 %",
    }
}

fn number(value: f64) -> String {
    format!("{}", (value * 10.0).round() / 10.0).replace('.', ",")
}

pub fn charts(report: &AnnualReport) -> Charts {
    let year = report.year;
    let attendance: Vec<Bar> = report
        .attendance
        .iter()
        .map(|a| Bar {
            label: a.organization.clone(),
            fraction: a.rate_percent / 100.0,
            colour: "#000091",
            text: format!(
                "{} % ({} sur {})",
                number(a.rate_percent),
                a.present,
                a.invited
            ),
            marker: None,
        })
        .collect();
    let figures = &report.actions;
    let most = figures.opened.max(figures.done).max(figures.overdue).max(1) as f64;
    let actions = [
        ("Ouvertes dans l’année", figures.opened, "#000091"),
        ("Réalisées dans l’année", figures.done, "#18753c"),
        ("En retard", figures.overdue, "#ce0500"),
    ]
    .into_iter()
    .map(|(label, count, colour)| Bar {
        label: label.into(),
        fraction: count as f64 / most,
        colour,
        text: count.to_string(),
        marker: None,
    })
    .collect::<Vec<_>>();
    let indicators: Vec<Bar> = report
        .indicators
        .iter()
        .filter_map(|i| {
            let value = i.value?;
            let scale = value.max(i.target.unwrap_or(0.0)).abs().max(f64::EPSILON) * 1.1;
            let mut text = i.value_text.clone().unwrap_or_default();
            if let Some(target) = &i.target_text {
                text.push_str(&format!(" (cible {target})"));
            }
            if let Some(band) = i.status {
                text.push_str(&format!(" — {}", band_words(band)));
            }
            Some(Bar {
                label: i.name.clone(),
                fraction: value / scale,
                colour: band_colour(i.status),
                text,
                marker: i.target.map(|t| t / scale),
            })
        })
        .collect();
    Charts {
        attendance: bar_chart(
            "graphique-assiduite",
            &format!("Taux de présence par organisation en {year}"),
            "Pour chaque organisation, la part de ses invitations aux réunions tenues suivies d’une présence ; les chiffres sont repris dans le tableau.",
            &attendance,
        ),
        actions: bar_chart(
            "graphique-actions",
            &format!("Plan d’action en {year} : actions ouvertes, réalisées, en retard"),
            &format!(
                "{} ouvertes, {} réalisées, {} en retard.",
                figures.opened, figures.done, figures.overdue
            ),
            &actions,
        ),
        indicators: bar_chart(
            "graphique-indicateurs",
            &format!("Indicateurs {year} comparés à leur cible"),
            "Chaque barre est la valeur de l’année, le trait pointillé la cible nationale ; l’appréciation selon la légende du bilan qualité est écrite après la valeur.",
            &indicators,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_the_chart_is_an_image_with_its_title() {
        let svg = bar_chart(
            "g",
            "Taux <de> présence",
            "desc & co",
            &[Bar {
                label: "UFC « Que Choisir » <script>alert(1)</script>".into(),
                fraction: 0.5,
                colour: "#000091",
                text: "50 % (1 sur 2)".into(),
                marker: Some(0.9),
            }],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"g-titre g-desc\""));
        assert!(svg.contains("<title id=\"g-titre\">Taux &lt;de&gt; présence</title>"));
        assert!(svg.contains("desc &amp; co"));
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("width=\"115\""), "half the bar area: {svg}");
        assert!(svg.contains("stroke-dasharray"), "the target marker");
        assert!(svg.contains("50 % (1 sur 2)"));
    }

    #[test]
    fn long_labels_are_cut_and_an_empty_chart_says_so() {
        assert_eq!(cut("court"), "court");
        let long = "Association départementale des amis et parents d’enfants";
        assert!(cut(long).ends_with('…'));
        assert!(cut(long).chars().count() <= LABEL_CHARS);
        assert!(bar_chart("v", "t", "d", &[]).contains("Aucune donnée"));
        assert_eq!(xml("a'b\"c\u{1}"), "a&apos;b&quot;c");
    }
}
