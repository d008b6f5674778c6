//! The demo meeting's two annexes, as the real compte-rendu has them: the
//! indicators presented (annexe 1, a spreadsheet in CSV) and the
//! presentation of the Services Publics + programme (annexe 2, text from
//! the préfecture of the Aube's presentation).

use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::indicators::Unit;
use crate::domain::meetings::annex_files::Upload;
use crate::domain::meetings::annexes::{self, Limits, Target};
use crate::error::AppResult;

const SERVICES_PUBLICS_PLUS: &str = include_str!("services-publics-plus.txt");

/// The indicators as a French spreadsheet writes them: `;`, decimal comma.
fn indicators_csv() -> String {
    let mut csv = "Indicateur;Unité;Cible;2021;2022\r\n".to_owned();
    for (name, unit, _, target, values) in super::INDICATORS {
        let value = |period: &str| {
            values
                .iter()
                .find(|(p, _)| *p == period)
                .map(|(_, v)| v.to_string().replace('.', ","))
                .unwrap_or_default()
        };
        let unit = match unit {
            Unit::Percent => "%",
            Unit::Days => "jours",
            Unit::PerMille => "‰",
            Unit::Count => "nombre",
        };
        csv.push_str(&format!(
            "{name};{unit};{};{};{}\r\n",
            target.to_string().replace('.', ","),
            value("2021"),
            value("2022"),
        ));
    }
    csv
}

/// Attaches them to their items: `indicators` and `programme`.
pub fn attach(
    conn: &mut DbConn,
    caller: &Caller,
    now: DateTime<Utc>,
    indicators: &str,
    programme: &str,
) -> AppResult<()> {
    let limits = Limits {
        file_bytes: 1024 * 1024,
        meeting_bytes: 1024 * 1024,
    };
    for (item, name, text) in [
        (
            indicators,
            "annexe-1-indicateurs-2022.csv",
            indicators_csv(),
        ),
        (
            programme,
            "annexe-2-services-publics-plus.txt",
            SERVICES_PUBLICS_PLUS.to_owned(),
        ),
    ] {
        let mut upload = Upload::new(name, limits.file_bytes);
        upload.push(text.as_bytes())?;
        let file = upload.finish()?;
        annexes::attach(
            conn,
            caller,
            now,
            &Target::AgendaItem(item.to_owned()),
            &file,
            limits,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_indicators_are_a_french_csv() {
        let csv = super::indicators_csv();
        assert!(csv.starts_with("Indicateur;Unité;Cible;2021;2022\r\n"));
        assert!(
            csv.contains("décrochés aux horaires d'ouverture;%;90;88,4;91,96\r\n"),
            "{csv}"
        );
    }
}
