//! `clu demo`: the Haute-Marne CLU of 20 December 2023, from the seed —
//! structure, registry, agenda, attendance, minutes, signed — loaded
//! through the same domain functions the API uses.

mod annexes;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

use crate::auth::{Caller, Role, password};
use crate::db::{DbConn, write_transaction};
use crate::domain::Found;
use crate::domain::accounts::structures::{CaseOfficer, NewStructure};
use crate::domain::accounts::{structures, users};
use crate::domain::indicators::{self, Direction, NewIndicator, NewValue, Unit};
use crate::domain::meetings::attendance::{AttendanceUpdate, Presence};
use crate::domain::meetings::{self, agenda, attendance};
use crate::domain::meetings::{MeetingMode, MeetingStatus, NewMeeting};
use crate::domain::minutes;
use crate::domain::minutes::signing;
use crate::domain::minutes::{MinutesInput, MinutesItem, SignRequest};
use crate::domain::registry::committees::{CommitteeKind, NewCommittee};
use crate::domain::registry::{committees, import as member_import, memberships};
use crate::error::{AppError, AppResult};
use crate::service::minutes::render_signed;
use crate::state::AppState;
use crate::store::{self, Scope};

const REGISTRY: &[u8] = include_bytes!("registre-haute-marne.csv");
pub const SECRETARIAT_EMAIL: &str = "secretariat@demo.clu";
pub const SIGNATORY_EMAIL: &str = "signataire@demo.clu";
pub const PASSWORD: &str = "demo-clu-haute-marne";

/// What was loaded, for the newcomer.
pub struct Demo {
    pub meeting_id: String,
    pub committee_id: String,
    pub sha256_pdf: String,
}

/// When the demo's minutes were signed: 8 April 2024, 10h12 in Chaumont.
pub fn signing_instant() -> DateTime<Utc> {
    Paris
        .with_ymd_and_hms(2024, 4, 8, 10, 12, 0)
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

fn paris(h: u32, m: u32) -> DateTime<Utc> {
    Paris
        .with_ymd_and_hms(2023, 12, 20, h, m, 0)
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

const AGENDA: [&str; 8] = [
    "Bilan qualité 2022",
    "Résultats des audits",
    "Indicateurs 2022",
    "Présentation du programme Services Publics +",
    "Amélioration des services existants",
    "Nouveautés",
    "Perspectives 2024",
    "Questions diverses",
];

const OPENING: &str = "M. le Secrétaire Général ouvre la séance et souligne l'importance pour la Préfecture de bénéficier du concours des partenaires extérieurs, représentant les usagers, afin de lui permettre d'être dans une démarche constante d'amélioration de la qualité.";

/// (body, remarks) per agenda item, from the seed.
const SECTIONS: [(&str, &str); 8] = [
    (
        "Le label qual-e-pref est une habilitation qualité spécifique au ministère de l'intérieur et de l'outre-mer (MIOM). Objectif : 100 % des sites du MIOM labellisés au 31/12/22.\n\nRésultats de la Préfecture de la Haute-Marne : audit interne le 28/04/22, audit externe le 23/06/22 ; site labellisé depuis le 11/08/22 par la Socotec sur 2 modules : module 1 – relation générale avec les usagers ; module 6 – coordination des politiques publiques.",
        "",
    ),
    (
        "Points forts : implication de l'ensemble des services dans la démarche ; prise en charge des personnes à mobilité réduite.\n\nPistes de progrès : information de la fermeture des services sur le serveur vocal interactif (SVI) ; révision de la méthode de recueil des enquêtes de satisfaction (tablette, présence d'un agent dans le hall d'accueil).",
        "",
    ),
    (
        "Indicateurs présentés : réseaux sociaux, site internet, appels aboutis et décrochés, mise à jour du SVI, réponse aux suggestions et réclamations, délais de mise à disposition des CNI et passeports, point d'accueil numérique, enquête de satisfaction 2022. Les chiffres présentés sont disponibles en annexe 1.",
        "M. Bernard GUY et M. Abderrazak DORAFI font part de leur étonnement quant à la fermeture de la préfecture à 16h30, horaire inadapté pour les personnes en activité.",
    ),
    (
        "Programme qualité commun à l'ensemble des services publics, animé et piloté par la Direction Interministérielle de la Transformation Publique (DITP). Objectif : faire de l'avis des Français la clé de réussite des services publics pour des services + proches + simples + efficaces. La présentation détaillée des piliers est disponible en annexe 2.\n\nM. le Secrétaire Général souhaite fusionner les instances usagers en corrélation avec les thématiques qualité / services publics+.",
        "",
    ),
    (
        "Mai 2023 : installation du PAN dans un box fermé et refonte du site internet www.haute-marne.gouv.fr ; fin novembre 2023 : évolution de la prise de rendez-vous en ligne ; à venir : reconfiguration du SVI déployé en mars 2022.",
        "M. Jean-Paul PIERRON estime que 20 % de la population a besoin d'un accompagnement numérique.\n\nMme Christine MARIA indique que le défenseur des droits porte un grand intérêt à venir en aide aux personnes.\n\nM. Abderrazak DORAFI fait part des excellentes relations qu'il entretient avec le bureau des migrations et de l'intégration (BMI) même si des marges de progrès subsistent ; M. le Secrétaire Général sensibilise le BMI à travailler en étroite collaboration avec le SRU afin d'orienter les usagers vers le PAN.\n\nMme Nathalie SIMON précise qu'il serait probant de préserver tant l'accueil physique que l'accompagnement numérique.",
    ),
    (
        "Au niveau local : nouvelles ouvertures de France Services depuis juin 2022 ; 3 nouvelles mairies équipées d'un dispositif de recueil pour les CNI et passeports ; rubrique services publics+ sur le site internet depuis septembre 2023.\n\nAu niveau national : dématérialisation des démarches des étrangers en France (ANEF).",
        "",
    ),
    (
        "Poursuite de l'amélioration continue : déploiement du nouveau référentiel qualité Quali-ATE qui intègre le SGC et les engagements Services Publics+. Objectif : labellisation au plus tard le 31/12/2025.",
        "",
    ),
    (
        "Pour conclure, M. le Secrétaire Général remercie l'ensemble des participants pour leur collaboration et invite les personnes qui le souhaitent à poursuivre avec la visite du standard mutualisé de la préfecture.",
        "",
    ),
];

/// The demo committee's indicators: name, unit, direction, national
/// target, and values by period (2021 is left out of the 2023 annex).
type DemoIndicator = (
    &'static str,
    Unit,
    Direction,
    f64,
    &'static [(&'static str, f64)],
);
const INDICATORS: [DemoIndicator; 4] = [
    (
        "Taux d'appels décrochés aux horaires d'ouverture",
        Unit::Percent,
        Direction::HigherIsBetter,
        90.0,
        &[("2021", 88.4), ("2022", 91.96)],
    ),
    (
        "Taux de réponse aux suggestions et réclamations dans le délai de 10 jours ouvrés",
        Unit::Percent,
        Direction::HigherIsBetter,
        100.0,
        &[("2022", 80.0)],
    ),
    (
        "Délai de mise à disposition des CNI et passeports",
        Unit::Days,
        Direction::LowerIsBetter,
        30.0,
        &[("2022", 42.0)],
    ),
    (
        "Taux de mise à jour du SVI dans le délai de 3 jours ouvrés",
        Unit::Percent,
        Direction::HigherIsBetter,
        100.0,
        &[("2022", 45.0)],
    ),
];

fn staff(conn: &mut DbConn, email: &str) -> AppResult<Caller> {
    let user = store::users::find_by_email(conn, email)?.ok_or(AppError::NotFound)?;
    Ok(Caller {
        role: Role::parse(&user.role).ok_or_else(|| AppError::internal("unknown role"))?,
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        structure_id: user.structure_id,
    })
}

fn optional(text: &str) -> Option<String> {
    Some(text.to_owned()).filter(|t| !t.is_empty())
}

/// Loads the demo (once: a second run finds it and says so).
pub fn load(state: &AppState) -> AppResult<Demo> {
    let now = signing_instant();
    let mut conn = state.db.get()?;
    if store::users::find_by_email(&mut conn, SECRETARIAT_EMAIL)?.is_some() {
        return Err(AppError::Conflict(
            "la démonstration est déjà chargée dans cette base".into(),
        ));
    }
    let hash = password::hash(PASSWORD)?;
    let composed = annexes::compose(&state.pdf, now)?;
    write_transaction(&mut conn, |conn| {
        let admin = Caller {
            user_id: "demo".into(),
            email: "demo@clu".into(),
            display_name: "Démonstration".into(),
            role: Role::Admin,
            structure_id: None,
        };
        let structure = structures::create(
            conn,
            &(&admin).into(),
            now,
            NewStructure {
                name: "Préfecture de la Haute-Marne".into(),
                department_code: "52".into(),
                city: "Chaumont".into(),
                service_name: "Secrétariat Général Commun Départemental".into(),
                letterhead: vec![
                    "PRÉFET DE LA HAUTE-MARNE".into(),
                    "Liberté Égalité Fraternité".into(),
                ],
                case_officer: Some(CaseOfficer {
                    name: Some("Mylène BÉGUÉ".into()),
                    phone: Some("03 25 30 22 69".into()),
                    email: Some("mylene.begue@haute-marne.gouv.fr".into()),
                }),
            },
        )?;
        for (email, name, role) in [
            (SECRETARIAT_EMAIL, "Mylène BÉGUÉ", Role::Secretariat),
            (SIGNATORY_EMAIL, "Guillaume THIRARD", Role::Signatory),
        ] {
            let mut input = users::NewUser {
                email: email.into(),
                display_name: name.into(),
                role,
                structure_id: Some(structure.id.clone()),
                password: PASSWORD.into(),
            };
            users::check_new(&mut input)?;
            users::create(
                conn,
                &admin,
                now,
                users::PreparedUser {
                    input,
                    password_hash: hash.clone(),
                },
            )?;
        }
        let secretariat = staff(conn, SECRETARIAT_EMAIL)?;
        let signatory = staff(conn, SIGNATORY_EMAIL)?;
        member_import::import(conn, &secretariat, now, REGISTRY, false)?;
        let committee = committees::create(
            conn,
            &secretariat,
            now,
            NewCommittee {
                name: "Comité Local des Usagers (CLU)".into(),
                kind: CommitteeKind::Clu,
                description: Some(
                    "Comité local des usagers de la Préfecture de la Haute-Marne".into(),
                ),
            },
        )?;
        // Indicators for the compte-rendu's annex: the kinds the Haute-Marne
        // committee presented, with figures made up to show every band.
        // A second apart, so that they are listed in this order.
        for (rank, (name, unit, direction, target, values)) in (0..).zip(INDICATORS) {
            indicators::create(
                conn,
                &secretariat,
                now + chrono::Duration::seconds(rank),
                &committee.id,
                NewIndicator {
                    name: name.into(),
                    unit,
                    direction,
                    target: Some(target),
                    values: values
                        .iter()
                        .map(|(period, value)| NewValue {
                            period: (*period).into(),
                            value: *value,
                        })
                        .collect(),
                },
            )?;
        }
        let scope = Scope::Structure(structure.id.clone());
        let filter = store::members::MemberFilter::default();
        let (members, _) = store::members::list(conn, &scope, &filter, None)?;
        let id_of = |last: &str| {
            members
                .iter()
                .find(|(m, _)| m.last_name == last)
                .map(|(m, _)| m.id.clone())
                .ok_or(AppError::NotFound)
        };
        for (member, _) in &members {
            let role = match member.last_name.as_str() {
                "THIRARD" => memberships::MembershipRole::Chair,
                "BÉGUÉ" => memberships::MembershipRole::Secretary,
                _ => memberships::MembershipRole::Member,
            };
            memberships::add_membership(
                conn,
                &secretariat,
                now,
                &committee.id,
                memberships::NewMembership {
                    member_id: member.id.clone(),
                    role,
                    since: None,
                    until: None,
                    substitute_for: None,
                },
            )?;
        }
        let meeting = meetings::create(
            conn,
            &secretariat,
            now,
            &committee.id,
            NewMeeting {
                title: "Comité Local des Usagers".into(),
                starts_at: paris(14, 30),
                ends_at: paris(16, 30),
                location: Some("Salle Louise Michel".into()),
                mode: MeetingMode::InPerson,
                chair_member_id: Some(id_of("THIRARD")?),
            },
        )?;
        let mut agenda_ids = Vec::new();
        for title in AGENDA {
            let item = agenda::create(
                conn,
                &secretariat,
                now,
                &meeting.id,
                agenda::NewAgendaItem {
                    title: title.into(),
                    position: None,
                    presenter: None,
                    annex_label: match title {
                        "Indicateurs 2022" => Some("annexe 1".into()),
                        "Présentation du programme Services Publics +" => Some("annexe 2".into()),
                        _ => None,
                    },
                },
            )?;
            agenda_ids.push(item.id);
        }
        annexes::attach(
            conn,
            &secretariat,
            now,
            &composed,
            [&agenda_ids[2], &agenda_ids[3]],
        )?;
        // Convened by letter and telephone: no e-mail went out from clu.
        let mut row = store::meetings::find(conn, &scope, &meeting.id).found()?;
        row.status = MeetingStatus::Convened.as_str().into();
        store::meetings::update(conn, &row)?;
        for (member, _) in &members {
            let presence = if member.last_name == "KREZEL" {
                Presence::Excused
            } else {
                Presence::Present
            };
            attendance::record(
                conn,
                &secretariat,
                now,
                &meeting.id,
                &member.id,
                AttendanceUpdate {
                    response: None,
                    mode: None,
                    presence: Some(presence),
                },
            )?;
        }
        meetings::advance(conn, &secretariat, now, &meeting.id, MeetingStatus::Held)?;
        minutes::save(
            conn,
            &secretariat,
            now,
            &meeting.id,
            MinutesInput {
                opening: Some(OPENING.into()),
                items: agenda_ids
                    .iter()
                    .zip(SECTIONS)
                    .map(|(id, (body, remarks))| MinutesItem {
                        agenda_item_id: id.clone(),
                        body: optional(body),
                        remarks: optional(remarks),
                    })
                    .collect(),
                post_meeting_notes: None,
                closing_time: Some("16:30".into()),
            },
            None,
        )?;
        let notices = crate::domain::meetings::notices::Notices::new(
            now,
            std::sync::Arc::clone(&state.templates),
            state.keys.clone(),
            &state.settings.public_url,
            &state.settings.mail_from,
        );
        minutes::submit(conn, &secretariat, &notices, &meeting.id)?;
        let request = SignRequest {
            password: String::new(),
            function: Some("Le Secrétaire Général".into()),
            delegation: Some("Pour la Préfète et par délégation".into()),
        };
        let to_sign = signing::prepare(
            conn,
            &signatory,
            now,
            &meeting.id,
            &request,
            &state.settings.public_url,
        )?;
        let (rendered, level) = render_signed(
            &state.templates,
            &state.pdf,
            &state.signer,
            &to_sign,
            &state.settings.public_url,
        )?;
        let signed = signing::store(conn, &signatory, &notices, to_sign, rendered, level)?;
        let sha256_pdf = signed
            .documents
            .iter()
            .find(|d| d.format == "pdf")
            .map(|d| d.sha256.clone())
            .unwrap_or_default();
        Ok(Demo {
            meeting_id: meeting.id,
            committee_id: committee.id,
            sha256_pdf,
        })
    })
}
