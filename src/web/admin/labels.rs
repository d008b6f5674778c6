//! The audit log in French words: what an action was, what kind of record
//! it touched, the fields a change named.

use serde_json::Value;

use crate::web::account::role_label;

/// The kinds of record the log names, with their French names (the
/// entity filter's choices).
pub const ENTITIES: &[(&str, &str)] = &[
    ("structure", "Structure"),
    ("user", "Utilisateur"),
    ("organization", "Organisme"),
    ("member", "Membre"),
    ("committee", "Comité"),
    ("membership", "Siège au comité"),
    ("meeting", "Réunion"),
    ("agenda_item", "Point de l’ordre du jour"),
    ("invitation", "Invitation"),
    ("minutes", "Compte-rendu"),
    ("action", "Action"),
    ("indicator", "Indicateur"),
];

pub fn entity(name: &str) -> String {
    ENTITIES
        .iter()
        .find(|(key, _)| *key == name)
        .map_or_else(|| name.to_owned(), |(_, label)| (*label).to_owned())
}

/// "structure.update" → "Modification de la structure".
pub fn action(action: &str) -> String {
    let (entity, verb) = action.split_once('.').unwrap_or((action, ""));
    let whole = match action {
        "user.reauthentication_failed" => Some("Mot de passe erroné à la signature"),
        "member.anonymize" => Some("Anonymisation d’un membre"),
        "member.import" => Some("Import de membres"),
        "invitation.answer" => Some("Réponse à une invitation"),
        "invitation.resent" => Some("Invitation renvoyée"),
        "invitation.substitute" => Some("Invitation du suppléant"),
        "meeting.invite" => Some("Envoi des invitations"),
        "meeting.remind" => Some("Envoi d’un rappel"),
        "meeting.cancel" => Some("Annulation de la réunion"),
        "meeting.hold" | "meeting.held" => Some("Réunion tenue"),
        "attendance.update" => Some("Émargement"),
        "minutes.save" | "minutes.draft" => Some("Rédaction du compte-rendu"),
        "minutes.submit" => Some("Compte-rendu soumis à la signature"),
        "minutes.return" => Some("Compte-rendu renvoyé"),
        "minutes.sign" => Some("Signature du compte-rendu"),
        "minutes.revise" => Some("Nouvelle révision du compte-rendu"),
        "minutes.distribute" => Some("Diffusion du compte-rendu"),
        "indicator.value" => Some("Valeur d’un indicateur"),
        _ => None,
    };
    if let Some(whole) = whole {
        return whole.to_owned();
    }
    let noun = match entity {
        "structure" => "d’une structure",
        "user" => "d’un compte",
        "organization" => "d’un organisme",
        "member" => "d’un membre",
        "committee" => "d’un comité",
        "membership" => "d’un siège",
        "meeting" => "d’une réunion",
        "agenda_item" => "d’un point de l’ordre du jour",
        "action" => "d’une action",
        "indicator" => "d’un indicateur",
        "minutes" => "du compte-rendu",
        _ => return action.to_owned(),
    };
    let what = match verb {
        "create" => "Création",
        "update" => "Modification",
        "delete" | "remove" => "Suppression",
        "cancel" => "Annulation",
        "done" | "complete" => "Réalisation",
        "start" => "Démarrage",
        _ => return action.to_owned(),
    };
    format!("{what} {noun}")
}

/// A field named in a summary, in French when it is a usual one.
fn field(name: &str) -> &str {
    match name {
        "name" => "nom",
        "display_name" => "nom affiché",
        "email" => "adresse e-mail",
        "role" => "rôle",
        "structure_id" => "structure",
        "active" => "activation",
        "password" => "mot de passe",
        "department_code" => "département",
        "city" => "ville",
        "service_name" => "service",
        "letterhead" => "en-tête",
        "case_officer" => "affaire suivie par",
        "status" => "statut",
        "description" => "description",
        "kind" => "type",
        "title" => "titre",
        other => other,
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(", "),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// A summary as a line: "champs modifiés : nom, rôle", "rôle : reader".
pub fn details(summary: &Value) -> String {
    let Value::Object(map) = summary else {
        return String::new();
    };
    map.iter()
        .map(|(key, item)| {
            if key == "changed" {
                let fields = match item {
                    Value::Array(items) => items
                        .iter()
                        .map(|i| field(i.as_str().unwrap_or_default()).to_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => text_of(other),
                };
                format!("champs modifiés : {fields}")
            } else if key == "role" {
                let role = item.as_str().and_then(crate::auth::Role::parse);
                let role = role.map_or_else(|| text_of(item), |r| role_label(r).to_lowercase());
                format!("rôle : {role}")
            } else {
                format!("{} : {}", field(key), text_of(item))
            }
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_details_read_in_french() {
        assert_eq!(action("structure.update"), "Modification d’une structure");
        assert_eq!(action("user.create"), "Création d’un compte");
        assert_eq!(action("minutes.sign"), "Signature du compte-rendu");
        assert_eq!(action("strange.thing"), "strange.thing");
        assert_eq!(
            details(&serde_json::json!({"changed": ["role", "active"]})),
            "champs modifiés : rôle, activation"
        );
        assert_eq!(entity("meeting"), "Réunion");
    }
}
