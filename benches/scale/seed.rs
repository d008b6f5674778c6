//! The national data set, seeded in-process through clu's own domain
//! functions (the calls `src/demo` makes), so that every record and its
//! audit events are the ones the API would have written; then the audit
//! log topped up to its target with batched inserts.
//!
//! One structure is one préfecture: 10 organizations, 200 members, a
//! committee of 60 seats, 10 meetings over five years (8 held, 2 to come)
//! with their agenda, 60 invitations each (most answered, by link), the
//! roll call of the held ones, 20 actions (some overdue) and 4 indicators
//! with five years of values. A size of N× is N such structures.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use diesel::prelude::*;
use serde_json::json;

use clu::auth::token::TokenKeys;
use clu::auth::{Caller, Role, password};
use clu::db::schema::{audit_events, outbox};
use clu::db::{Db, DbConn, write_transaction};
use clu::domain::accounts::structures::{self, NewStructure};
use clu::domain::accounts::users;
use clu::domain::actions::{self, ActionStatus, NewAction, SourceInput, SourceKind};
use clu::domain::audit::Actor;
use clu::domain::indicators::{self, Direction, NewIndicator, NewValue, Unit};
use clu::domain::meetings::attendance::{
    self, AttendanceMode, AttendanceUpdate, Presence, Response,
};
use clu::domain::meetings::invitations::{self, InviteRequest};
use clu::domain::meetings::notices::Notices;
use clu::domain::meetings::rsvp::{self, Given};
use clu::domain::meetings::{self, MeetingMode, MeetingStatus, NewMeeting, agenda};
use clu::domain::registry::committees::{self, CommitteeKind, NewCommittee};
use clu::domain::registry::members::{self, Civility, NewMember};
use clu::domain::registry::memberships::{self, MembershipRole, NewMembership};
use clu::domain::registry::organizations::{self, NewOrganization, OrganizationKind};
use clu::error::{AppError, AppResult};
use clu::store::audit::AuditRow;
use clu::templates::Templates;

pub const MEMBERS: usize = 200;
pub const SEATS: usize = 60;
pub const HELD_MEETINGS: usize = 8;
pub const MEETINGS_TO_COME: usize = 2;
pub const AGENDA_ITEMS: usize = 6;
pub const ACTIONS: usize = 20;
/// Audit events per structure once topped up: 1,000,000 at 100×.
pub const AUDIT_EVENTS: i64 = 10_000;
/// Rows per INSERT of the top-up (9 parameters a row), and per transaction.
const AUDIT_BATCH: usize = 1_000;
const AUDIT_TRANSACTION: usize = 10_000;

pub const PASSWORD: &str = "mot de passe du banc de croissance";
const MAIL_FROM: &str = "clu@bench.test";
/// Five years of history, up to the seeding.
const HISTORY_DAYS: i64 = 5 * 365;

const ORGANIZATIONS: [(&str, Option<&str>, OrganizationKind); 10] = [
    (
        "Association des Paralysés de France",
        Some("APF"),
        OrganizationKind::Association,
    ),
    (
        "Union départementale des associations familiales",
        Some("UDAF"),
        OrganizationKind::Association,
    ),
    ("UFC « Que Choisir »", None, OrganizationKind::Association),
    ("Défenseur des droits", None, OrganizationKind::Institution),
    (
        "Caisse d'allocations familiales",
        Some("CAF"),
        OrganizationKind::PublicService,
    ),
    (
        "Chambre de commerce et d'industrie",
        Some("CCI"),
        OrganizationKind::Institution,
    ),
    ("Conseil départemental", None, OrganizationKind::ElectedBody),
    ("Secours catholique", None, OrganizationKind::Association),
    ("Restos du cœur", None, OrganizationKind::Association),
    (
        "Association des maires ruraux",
        Some("AMR"),
        OrganizationKind::ElectedBody,
    ),
];

/// 50 surnames, many with accents, so that the search must fold them.
const SURNAMES: [&str; 50] = [
    "BÉGUÉ",
    "MARTIN",
    "BERNARD",
    "THIRARD",
    "DUBOIS",
    "LEFÈVRE",
    "MOREAU",
    "GIRARD",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GÉRARD",
    "ANDRÉ",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANÇOIS",
    "MARTINEZ",
    "LEGRAND",
    "GARNIER",
    "FAURE",
    "ROUSSEAU",
    "BLANC",
    "GUÉRIN",
    "MULLER",
    "HENRY",
    "ROUSSEL",
    "NICOLAS",
    "PERRIN",
    "MORIN",
    "MATHIEU",
    "CLÉMENT",
    "GAUTHIER",
    "DUMONT",
    "LOPEZ",
    "FONTAINE",
    "CHEVALIER",
    "ROBIN",
    "MASSON",
    "SANCHEZ",
    "GÉRÔME",
    "NOËL",
];
const FIRST_NAMES: [(&str, Civility); 16] = [
    ("Mylène", Civility::Madame),
    ("Guillaume", Civility::Monsieur),
    ("Hélène", Civility::Madame),
    ("François", Civility::Monsieur),
    ("Zoé", Civility::Madame),
    ("Jérôme", Civility::Monsieur),
    ("Anaïs", Civility::Madame),
    ("Noël", Civility::Monsieur),
    ("Céline", Civility::Madame),
    ("Étienne", Civility::Monsieur),
    ("Béatrice", Civility::Madame),
    ("Raphaël", Civility::Monsieur),
    ("Agnès", Civility::Madame),
    ("Loïc", Civility::Monsieur),
    ("Chloé", Civility::Madame),
    ("Benoît", Civility::Monsieur),
];
const AGENDA: [&str; AGENDA_ITEMS] = [
    "Bilan qualité de l'année",
    "Résultats des enquêtes de satisfaction",
    "Indicateurs du programme Services Publics +",
    "Suivi du plan d'actions",
    "Accueil numérique et point d'accueil",
    "Questions diverses",
];
const FINDINGS: [&str; 5] = [
    "Délais de réponse aux réclamations supérieurs à 10 jours ouvrés",
    "Serveur vocal interactif non mis à jour lors des fermetures",
    "Signalétique de l'accueil peu lisible pour les personnes malvoyantes",
    "Taux de décroché téléphonique sous l'objectif national",
    "Rendez-vous en ligne indisponibles le lundi matin",
];
const RESPONSIBLE: [&str; 4] = ["DC / BLS", "SGCD / RQ", "BMI", "Cabinet / SIDPC"];
const CITIES: [(&str, &str); 8] = [
    ("Chaumont", "52"),
    ("Épinal", "88"),
    ("Bar-le-Duc", "55"),
    ("Troyes", "10"),
    ("Besançon", "25"),
    ("Mâcon", "71"),
    ("Évry-Courcouronnes", "91"),
    ("Nîmes", "30"),
];

/// A size: how many structures, and the anchor of their history.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub factor: usize,
}

impl Size {
    pub fn structures(self) -> usize {
        self.factor
    }

    /// The structure measured: the middle one (all have the same shape;
    /// the middle one has as many records seeded before it as after).
    pub fn measured(self) -> usize {
        self.factor / 2
    }
}

/// What the measurement needs from the measured structure.
#[derive(Debug, Clone)]
pub struct Target {
    pub secretariat_email: String,
    /// A surname of the structure, typed without accents ("begue").
    pub surname_query: String,
    /// A word of an organization's name, without accents ("paralyses").
    pub organization_query: String,
    pub committee_id: String,
    /// A held meeting: its attendance, and its audit events.
    pub meeting_id: String,
    pub report_year: i32,
    /// A month in the middle of the five years.
    pub period: (DateTime<Utc>, DateTime<Utc>),
}

/// Counts of the data set, read back from the database.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub structures: i64,
    pub members: i64,
    pub meetings: i64,
    pub invitations: i64,
    pub actions: i64,
    pub audit_events: i64,
    /// Of those, written by the domain functions.
    pub domain_audit_events: i64,
}

pub struct Seeded {
    pub target: Target,
    pub counts: Counts,
    pub domain_seconds: f64,
    pub audit_seconds: f64,
}

/// A small deterministic generator (SplitMix64): the same data set on
/// every run and backend.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Context {
    templates: Arc<Templates>,
    keys: TokenKeys,
    public_url: String,
    password_hash: String,
    /// The seeding's "now": history runs five years up to it.
    now: DateTime<Utc>,
}

impl Context {
    fn notices(&self, at: DateTime<Utc>) -> Notices {
        Notices::new(
            at,
            Arc::clone(&self.templates),
            self.keys.clone(),
            &self.public_url,
            MAIL_FROM,
        )
    }

    fn start(&self) -> DateTime<Utc> {
        self.now - Duration::days(HISTORY_DAYS)
    }

    /// When the held meeting `j` started: from two months after the start
    /// of the history to a month before now, at 14h00 (13h00 UTC).
    fn held_start(&self, j: usize) -> DateTime<Utc> {
        let first = self.start() + Duration::days(60);
        let span = (self.now - Duration::days(30)) - first;
        let day = first + span * (j as i32) / (HELD_MEETINGS as i32 - 1);
        day.with_hour(13)
            .and_then(|t| t.with_minute(0))
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(day)
    }

    fn to_come_start(&self, j: usize) -> DateTime<Utc> {
        let day = self.now + Duration::days(21 + 40 * j as i64);
        day.with_hour(13)
            .and_then(|t| t.with_minute(0))
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(day)
    }
}

fn secretariat_email(index: usize) -> String {
    format!("secretariat-{index:03}@bench.test")
}

fn app(e: AppError) -> String {
    format!("{e} ({e:?})")
}

/// The records of one structure the audit top-up refers to.
#[derive(Default)]
struct Made {
    structure_id: String,
    user_id: String,
    user_email: String,
    organizations: Vec<String>,
    members: Vec<String>,
    committee_id: String,
    meetings: Vec<String>,
    held: Vec<(String, DateTime<Utc>)>,
    invitations: Vec<String>,
    actions: Vec<String>,
    /// Rows written (records and their audit events), for the progress.
    rows: u64,
}

/// Seeds `size` into the (migrated) database of `db`.
pub fn seed(db: &Db, size: Size, keys: TokenKeys) -> Result<Seeded, String> {
    let templates = Arc::new(Templates::load(None)?);
    let now = Utc::now()
        .with_nanosecond(0)
        .ok_or("the clock has no second")?;
    let ctx = Context {
        templates,
        keys,
        public_url: "http://127.0.0.1".into(),
        password_hash: password::hash(PASSWORD).map_err(app)?,
        now,
    };
    let mut conn = db.get().map_err(app)?;
    let structures = size.structures();
    let mut made = Vec::with_capacity(structures);
    let started = Instant::now();
    let mut rows = 0u64;
    let mut last_print = Instant::now();
    for index in 0..structures {
        let one =
            write_transaction(&mut conn, |conn| seed_structure(conn, &ctx, index)).map_err(app)?;
        // The invitations were sent long ago: their e-mails are marked
        // sent, so that the server started on this database has nothing
        // to deliver while it is measured.
        diesel::update(outbox::table.filter(outbox::structure_id.eq(&one.structure_id)))
            .set((
                outbox::status.eq("sent"),
                outbox::sent_at.eq(outbox::created_at.nullable()),
                outbox::attempts.eq(1),
            ))
            .execute(&mut *conn)
            .map_err(|e| e.to_string())?;
        rows += one.rows;
        made.push(one);
        if last_print.elapsed().as_secs_f64() >= 5.0 || index + 1 == structures {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "    domain: {}/{} structures, {:.0} rows/s, {:.0} s",
                index + 1,
                structures,
                rows as f64 / seconds,
                seconds
            );
            last_print = Instant::now();
        }
    }
    let domain_seconds = started.elapsed().as_secs_f64();
    let domain_audit_events: i64 = audit_events::table
        .count()
        .get_result(&mut *conn)
        .map_err(|e| e.to_string())?;

    let started = Instant::now();
    top_up_audit(&mut conn, &ctx, &made)?;
    let audit_seconds = started.elapsed().as_secs_f64();

    analyze(&mut conn)?;
    let counts = count(&mut conn, domain_audit_events)?;
    let measured = &made[size.measured()];
    let target = target(&ctx, size.measured(), measured)?;
    Ok(Seeded {
        target,
        counts,
        domain_seconds,
        audit_seconds,
    })
}

/// PostgreSQL's autovacuum analyses a table soon after a bulk load; it
/// is done here at once so that the plans do not depend on when it ran.
/// SQLite is left as clu leaves it (clu runs no ANALYZE).
fn analyze(conn: &mut DbConn) -> Result<(), String> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("ANALYZE")
            .execute(pg)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn count(conn: &mut DbConn, domain_audit_events: i64) -> Result<Counts, String> {
    use clu::db::schema::{actions, invitations, meetings, members, structures};
    let e = |e: diesel::result::Error| e.to_string();
    Ok(Counts {
        structures: structures::table.count().get_result(conn).map_err(e)?,
        members: members::table.count().get_result(conn).map_err(e)?,
        meetings: meetings::table.count().get_result(conn).map_err(e)?,
        invitations: invitations::table.count().get_result(conn).map_err(e)?,
        actions: actions::table.count().get_result(conn).map_err(e)?,
        audit_events: audit_events::table.count().get_result(conn).map_err(e)?,
        domain_audit_events,
    })
}

fn target(ctx: &Context, index: usize, made: &Made) -> Result<Target, String> {
    // The structure's members are named in order through SURNAMES: the
    // first one's surname is in every structure, a few times.
    let (meeting_id, starts_at) = made
        .held
        .last()
        .cloned()
        .ok_or("no held meeting was seeded")?;
    let middle = ctx.start() + Duration::days(HISTORY_DAYS / 2);
    let period_start = Utc
        .with_ymd_and_hms(middle.year(), middle.month(), 1, 0, 0, 0)
        .single()
        .ok_or("no first day of the month")?;
    let period_end = period_start + Duration::days(31);
    Ok(Target {
        secretariat_email: secretariat_email(index),
        surname_query: "begue".into(),
        organization_query: "paralyses".into(),
        committee_id: made.committee_id.clone(),
        meeting_id,
        report_year: starts_at.year(),
        period: (period_start, period_end),
    })
}

fn staff(index: usize, user_id: &str, structure_id: &str) -> Caller {
    Caller {
        user_id: user_id.into(),
        email: secretariat_email(index),
        display_name: format!("Secrétariat {index}"),
        role: Role::Secretariat,
        structure_id: Some(structure_id.into()),
    }
}

fn seed_structure(conn: &mut DbConn, ctx: &Context, index: usize) -> AppResult<Made> {
    let mut random = Random(0x5eed ^ index as u64);
    let mut made = Made::default();
    let start = ctx.start() + Duration::minutes(index as i64);
    let admin = Caller {
        user_id: "bench-admin".into(),
        email: "seed@bench.test".into(),
        display_name: "Banc de croissance".into(),
        role: Role::Admin,
        structure_id: None,
    };
    let (city, department) = CITIES[index % CITIES.len()];
    let structure = structures::create(
        conn,
        &Actor::from(&admin),
        start,
        NewStructure {
            name: format!("Préfecture n° {index} ({city})"),
            department_code: department.into(),
            city: city.into(),
            service_name: "Secrétariat Général Commun Départemental".into(),
            letterhead: vec![
                format!("PRÉFECTURE N° {index}"),
                "Liberté Égalité Fraternité".into(),
            ],
            case_officer: None,
        },
    )?;
    made.structure_id = structure.id.clone();
    made.rows += 2;
    let mut input = users::NewUser {
        email: secretariat_email(index),
        display_name: format!("Secrétariat {index}"),
        role: Role::Secretariat,
        structure_id: Some(structure.id.clone()),
        password: PASSWORD.into(),
    };
    users::check_new(&mut input)?;
    let user = users::create(
        conn,
        &admin,
        start,
        users::PreparedUser {
            input,
            password_hash: ctx.password_hash.clone(),
        },
    )?;
    made.rows += 2;
    made.user_id = user.id.clone();
    made.user_email = secretariat_email(index);
    let secretariat = staff(index, &user.id, &structure.id);

    // The registry, set up over the first weeks.
    for (k, (name, acronym, kind)) in ORGANIZATIONS.iter().enumerate() {
        let organization = organizations::create(
            conn,
            &secretariat,
            start + Duration::hours(1 + k as i64),
            NewOrganization {
                name: (*name).into(),
                acronym: acronym.map(Into::into),
                kind: *kind,
                email: Some(format!("contact-{k}@organisation-{index}.test")),
                phone: None,
            },
        )?;
        made.organizations.push(organization.id);
        made.rows += 2;
    }
    for k in 0..MEMBERS {
        let (first_name, civility) = FIRST_NAMES[k % FIRST_NAMES.len()];
        let last_name = SURNAMES[k % SURNAMES.len()];
        let member = members::create(
            conn,
            &secretariat,
            start + Duration::days(1) + Duration::minutes(k as i64 * 7),
            NewMember {
                civility,
                first_name: first_name.into(),
                last_name: last_name.into(),
                function: (k % 3 == 0).then(|| "Représentant des usagers".into()),
                organization_id: Some(made.organizations[k % ORGANIZATIONS.len()].clone()),
                // The committee's seats all have an address; a tenth of the
                // rest get the printed letter.
                email: (k < SEATS || k % 10 != 0).then(|| format!("membre-{k}@s{index}.test")),
                phone: (k % 2 == 0)
                    .then(|| format!("03 25 {:02} {:02} {:02}", k % 100, index % 100, k % 60)),
            },
        )?;
        made.members.push(member.id);
        made.rows += 2;
    }
    let committee = committees::create(
        conn,
        &secretariat,
        start + Duration::days(7),
        NewCommittee {
            name: "Comité Local des Usagers (CLU)".into(),
            kind: CommitteeKind::Clu,
            description: Some(format!(
                "Comité local des usagers de la préfecture n° {index}"
            )),
        },
    )?;
    made.committee_id = committee.id.clone();
    made.rows += 2;
    for (k, member_id) in made.members.iter().take(SEATS).enumerate() {
        memberships::add_membership(
            conn,
            &secretariat,
            start + Duration::days(7),
            &committee.id,
            NewMembership {
                member_id: member_id.clone(),
                role: match k {
                    0 => MembershipRole::Chair,
                    1 => MembershipRole::Secretary,
                    _ => MembershipRole::Member,
                },
                since: None,
                until: None,
                substitute_for: None,
            },
        )?;
        made.rows += 2;
    }
    let chair = made.members[0].clone();

    // Meetings: held ones over the five years, then two to come.
    let starts: Vec<(DateTime<Utc>, bool)> = (0..HELD_MEETINGS)
        .map(|j| (ctx.held_start(j), true))
        .chain((0..MEETINGS_TO_COME).map(|j| (ctx.to_come_start(j), false)))
        .collect();
    for (j, (starts_at, held)) in starts.into_iter().enumerate() {
        let created = (starts_at - Duration::days(45)).min(ctx.now - Duration::days(1));
        let meeting = meetings::create(
            conn,
            &secretariat,
            created,
            &committee.id,
            NewMeeting {
                title: format!("Comité Local des Usagers n° {}", j + 1),
                starts_at,
                ends_at: starts_at + Duration::hours(2),
                location: Some("Salle Louise Michel".into()),
                mode: MeetingMode::InPerson,
                chair_member_id: Some(chair.clone()),
            },
        )?;
        made.rows += 2;
        for (k, title) in AGENDA.iter().enumerate() {
            agenda::create(
                conn,
                &secretariat,
                created + Duration::hours(1 + k as i64),
                &meeting.id,
                agenda::NewAgendaItem {
                    title: (*title).into(),
                    position: None,
                    presenter: None,
                    annex_label: None,
                },
            )?;
            made.rows += 2;
        }
        // Convened three weeks before (a day after creation for the ones
        // to come), each invitation with its e-mail.
        let invited_at = (starts_at - Duration::days(21)).min(created + Duration::hours(12));
        let notices = ctx.notices(invited_at);
        let queued = invitations::invite(
            conn,
            &secretariat,
            &notices,
            &meeting.id,
            InviteRequest::default(),
        )?;
        made.rows += 1 + 2 * queued.queued as u64;
        let invited = clu::store::invitations::of_meeting(conn, &meeting.id)?;
        // Answers by link over the following days: most of the members of
        // a held meeting, a third so far for the ones to come.
        let answered_share = if held { 85 } else { 35 };
        let mut accepted = Vec::new();
        let meeting_row = store_meeting(conn, &meeting.id)?;
        for (k, (invitation, member)) in invited.iter().enumerate() {
            made.invitations.push(invitation.id.clone());
            if random.below(100) >= answered_share {
                continue;
            }
            let at = (invited_at + Duration::hours(2 + 3 * k as i64)).min(ctx.now);
            let accepts = random.below(100) < 75;
            rsvp::record(
                conn,
                &ctx.notices(at),
                &meeting_row,
                invitation,
                Given {
                    response: if accepts {
                        Response::Accepted
                    } else {
                        Response::Declined
                    },
                    mode: accepts.then_some(AttendanceMode::InPerson),
                    note: None,
                    via: "link",
                },
            )?;
            made.rows += 2;
            if accepts {
                accepted.push(member.id.clone());
            }
        }
        if held {
            let after = starts_at + Duration::hours(2);
            meetings::advance(conn, &secretariat, after, &meeting.id, MeetingStatus::Held)?;
            made.rows += 2;
            // The roll call: those who accepted came, one in ten did not.
            for member_id in &accepted {
                let presence = if random.below(10) == 0 {
                    Presence::Absent
                } else {
                    Presence::Present
                };
                attendance::record(
                    conn,
                    &secretariat,
                    after,
                    &meeting.id,
                    member_id,
                    AttendanceUpdate {
                        response: None,
                        mode: None,
                        presence: Some(presence),
                    },
                )?;
                made.rows += 2;
            }
            made.held.push((meeting.id.clone(), starts_at));
        }
        made.meetings.push(meeting.id);
    }

    // The action plan: raised at the held meetings, due three to nine
    // months later; a quarter done, the rest open, so that the older open
    // ones are overdue.
    let today = clu::clock::paris_date(ctx.now);
    for k in 0..ACTIONS {
        let (meeting_id, raised) = made.held[k % made.held.len()].clone();
        let due = clu::clock::paris_date(raised) + Duration::days(90 + 30 * (k % 7) as i64);
        let status = match k % 4 {
            0 => ActionStatus::Done,
            1 => ActionStatus::InProgress,
            _ => ActionStatus::Planned,
        };
        let completed_on =
            (status == ActionStatus::Done).then(|| due.min(today) - Duration::days(5));
        let action = actions::create(
            conn,
            &secretariat,
            raised + Duration::days(1),
            &committee.id,
            NewAction {
                number: Some(k as i32 + 1),
                finding: FINDINGS[k % FINDINGS.len()].into(),
                reference: Some(format!("E{}", 1 + k % 9)),
                sources: vec![SourceInput::Kind(SourceKind::Survey)],
                status: Some(status),
                due_date: Some(due),
                completed_on,
                description: Some(
                    "Mettre en place une procédure de suivi et en rendre compte au comité.".into(),
                ),
                responsible: Some(RESPONSIBLE[k % RESPONSIBLE.len()].into()),
                effective: None,
                verification: None,
                meeting_id: Some(meeting_id),
                discussed_in: Vec::new(),
            },
        )?;
        made.actions.push(action.id);
        made.rows += 3;
    }

    // Indicators, with a value for each of the last five years.
    let year = ctx.now.year();
    for (k, (name, unit, direction, target)) in [
        (
            "Taux d'appels décrochés aux horaires d'ouverture",
            Unit::Percent,
            Direction::HigherIsBetter,
            90.0,
        ),
        (
            "Taux de réponse aux réclamations dans le délai de 10 jours ouvrés",
            Unit::Percent,
            Direction::HigherIsBetter,
            100.0,
        ),
        (
            "Délai de mise à disposition des CNI et passeports",
            Unit::Days,
            Direction::LowerIsBetter,
            30.0,
        ),
        (
            "Réclamations reçues",
            Unit::Count,
            Direction::LowerIsBetter,
            50.0,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        indicators::create(
            conn,
            &secretariat,
            ctx.now - Duration::days(30) + Duration::seconds(k as i64),
            &committee.id,
            NewIndicator {
                name: name.into(),
                unit,
                direction,
                target: Some(target),
                values: (year - 5..year)
                    .map(|period| NewValue {
                        period: period.to_string(),
                        value: target * (0.6 + random.below(60) as f64 / 100.0),
                    })
                    .collect(),
            },
        )?;
        made.rows += 7;
    }
    Ok(made)
}

fn store_meeting(conn: &mut DbConn, id: &str) -> AppResult<clu::store::meetings::MeetingRow> {
    use clu::domain::Found;
    clu::store::meetings::find(conn, &clu::store::Scope::All, id).found()
}

/// Audit events for the records of each structure, up to `AUDIT_EVENTS`
/// per structure, spread over the five years: the changes a registry,
/// meetings and an action plan see in that time.
fn top_up_audit(conn: &mut DbConn, ctx: &Context, made: &[Made]) -> Result<(), String> {
    let started = Instant::now();
    let mut last_print = Instant::now();
    let mut written = 0usize;
    let total_structures = made.len();
    let span_seconds = (HISTORY_DAYS * 86_400) as u64;
    let mut pending: Vec<AuditRow> = Vec::with_capacity(AUDIT_TRANSACTION);
    for (index, one) in made.iter().enumerate() {
        let existing: i64 = audit_events::table
            .filter(audit_events::structure_id.eq(&one.structure_id))
            .count()
            .get_result(conn)
            .map_err(|e| e.to_string())?;
        let missing = (AUDIT_EVENTS - existing).max(0) as usize;
        let mut random = Random(0xa0d1 ^ index as u64);
        for _ in 0..missing {
            let at = ctx.start() + Duration::seconds((random.next() % span_seconds) as i64);
            let (action, entity, entity_id, summary) = match random.below(10) {
                0..=3 => (
                    "member.update",
                    "member",
                    &one.members[random.below(one.members.len())],
                    json!({ "changed": ["phone"] }),
                ),
                4..=5 => (
                    "attendance.update",
                    "invitation",
                    &one.invitations[random.below(one.invitations.len())],
                    json!({ "response": "accepted", "mode": "in_person", "presence": "present" }),
                ),
                6..=7 => (
                    "meeting.update",
                    "meeting",
                    &one.meetings[random.below(one.meetings.len())],
                    json!({ "changed": ["location"] }),
                ),
                8 => (
                    "action.update",
                    "action",
                    &one.actions[random.below(one.actions.len())],
                    json!({ "changes": { "description": { "from": "…", "to": "…" } } }),
                ),
                _ => (
                    "organization.update",
                    "organization",
                    &one.organizations[random.below(one.organizations.len())],
                    json!({ "changed": ["email"] }),
                ),
            };
            pending.push(AuditRow {
                id: clu::store::new_id(),
                structure_id: Some(one.structure_id.clone()),
                actor_id: Some(one.user_id.clone()),
                actor_email: Some(one.user_email.clone()),
                action: action.into(),
                entity: entity.into(),
                entity_id: entity_id.clone(),
                summary: summary.to_string(),
                created_at: at.naive_utc(),
            });
            if pending.len() == AUDIT_TRANSACTION {
                written += insert_audit(conn, &mut pending)?;
            }
        }
        if last_print.elapsed().as_secs_f64() >= 5.0 || index + 1 == total_structures {
            written += insert_audit(conn, &mut pending)?;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "    audit top-up: {}/{} structures, {} events, {:.0} rows/s",
                index + 1,
                total_structures,
                written,
                written as f64 / seconds.max(1e-9)
            );
            last_print = Instant::now();
        }
    }
    insert_audit(conn, &mut pending)?;
    Ok(())
}

/// Inserts `rows` in one transaction, `AUDIT_BATCH` rows per statement.
fn insert_audit(conn: &mut DbConn, rows: &mut Vec<AuditRow>) -> Result<usize, String> {
    if rows.is_empty() {
        return Ok(0);
    }
    let count = rows.len();
    write_transaction(conn, |conn| {
        for batch in rows.chunks(AUDIT_BATCH) {
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into(audit_events::table)
                    .values(batch)
                    .execute(c)?,
                DbConn::Pg(c) => diesel::insert_into(audit_events::table)
                    .values(batch)
                    .execute(c)?,
            };
        }
        Ok::<_, diesel::result::Error>(())
    })
    .map_err(|e| e.to_string())?;
    rows.clear();
    Ok(count)
}
