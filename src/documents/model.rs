//! What the documents print: the data given to the templates of the
//! compte-rendu, the letters, the e-mails and the answer page. Plain data,
//! built by the domain (`domain::meetings::print`, `domain::minutes::compte_rendu`).

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CaseOfficerContext {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StructureContext {
    pub name: String,
    pub service_name: String,
    pub city: String,
    pub letterhead: Vec<String>,
    pub case_officer: CaseOfficerContext,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitteeContext {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingText {
    pub title: String,
    /// "mercredi 20 décembre 2023".
    pub long_date: String,
    /// "Mercredi 20 décembre 2023", to open a line.
    pub long_date_capitalized: String,
    /// "14h30-16h30", as in a document's title.
    pub hours_span: String,
    /// "de 14h30 à 16h30".
    pub hours: String,
    pub start_time: String,
    pub end_time: String,
    pub location: Option<String>,
    pub mode: String,
    /// "en présentiel", "à distance"…
    pub mode_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChairContext {
    pub display: String,
    pub function: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaEntry {
    pub number: String,
    pub title: String,
    pub presenter: Option<String>,
    pub annex_label: Option<String>,
}

/// A file attached to the meeting, as members and documents see it.
#[derive(Debug, Clone, Serialize)]
pub struct AnnexEntry {
    pub id: String,
    /// 1, 2, 3… in the order they are listed.
    pub number: String,
    /// The agenda item's number, when it is an item's.
    pub item: Option<String>,
    pub file_name: String,
    /// "PDF", "tableur OpenDocument"…
    pub type_label: String,
    /// "1,2 Mo".
    pub size_label: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingContext {
    pub structure: StructureContext,
    pub committee: CommitteeContext,
    pub meeting: MeetingText,
    pub chair: Option<ChairContext>,
    pub agenda: Vec<AgendaEntry>,
    /// In agenda order, the meeting's own documents last.
    #[serde(default)]
    pub annexes: Vec<AnnexEntry>,
    /// Every annex is a PDF: the dossier can be one PDF too.
    #[serde(default)]
    pub annexes_all_pdf: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberContext {
    /// "Mme Nathalie SIMON".
    pub display: String,
    /// "Madame,".
    pub salutation: String,
    /// "Madame", for "Je vous prie d'agréer, Madame, …".
    pub salutation_formula: String,
    pub function: Option<String>,
    pub organization: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub display: String,
    pub organization: Option<String>,
    pub function: Option<String>,
    pub remote: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub number: String,
    pub title: String,
    pub body_paragraphs: Vec<String>,
    pub remarks_paragraphs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    pub delegation: String,
    pub function: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    pub by: String,
    pub at: String,
    pub revision: i32,
    pub verify_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    pub number: String,
    pub finding: String,
    pub reference: String,
    pub status_label: String,
    pub due_date: String,
    pub responsible: String,
    pub effective_label: String,
    pub verification: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorLine {
    pub name: String,
    pub period: String,
    pub value_text: String,
    pub target_text: String,
    pub status: String,
    pub status_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendEntry {
    pub status: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompteRendu {
    pub draft: bool,
    pub revision: i32,
    #[serde(flatten)]
    pub meeting: MeetingContext,
    pub document_date: String,
    pub participants: Vec<Person>,
    pub excused: Vec<Person>,
    pub absent: Vec<Person>,
    pub has_remote: bool,
    pub opening_paragraphs: Vec<String>,
    pub sections: Vec<Section>,
    pub post_meeting_paragraphs: Vec<String>,
    pub closing_time: Option<String>,
    pub signature: Option<Signature>,
    pub signed: Option<Signed>,
    pub actions: Vec<ActionLine>,
    pub indicators: Vec<IndicatorLine>,
    pub legend: Vec<LegendEntry>,
}
