//! What the pages' forms share: the domain's validation errors placed next
//! to the field they concern, and the reading of a form's text fields
//! (blank means absent), so that a refused form is shown again as typed.

use chrono::{DateTime, Utc};

use crate::error::{AppError, FieldError};

/// The errors of a refused form, by field (the domain's field names).
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// The errors of `err` when it is a validation failure; any other error
    /// is given back, to become an error page.
    pub fn of(err: AppError) -> Result<Self, AppError> {
        match err {
            AppError::Validation(errors) => Ok(Self(errors)),
            other => Err(other),
        }
    }

    pub fn one(field: &str, message: &str) -> Self {
        Self(vec![FieldError::new(field, message)])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, empty when it has none.
    pub fn on(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every error as "field : message", for the summary above the form,
    /// fields named by `label` (the form's own words).
    pub fn summary(&self, label: impl Fn(&str) -> Option<&'static str>) -> Vec<String> {
        self.0
            .iter()
            .map(|e| match label(&e.field) {
                Some(name) => format!("{name} : {}", e.message),
                None => e.message.clone(),
            })
            .collect()
    }
}

/// A text field: trimmed, `None` when blank.
pub fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The record's version a form was read at, as it carries it (RFC 3339,
/// microseconds); `None` when absent or unreadable.
pub fn version_of(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The version to put in a form.
pub fn version(updated_at: DateTime<Utc>) -> String {
    updated_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_found_by_field() {
        let errors = Errors::of(AppError::Validation(vec![
            FieldError::new("last_name", "obligatoire"),
            FieldError::new("email", "adresse invalide"),
        ]))
        .expect("validation");
        assert_eq!(errors.on("email"), "adresse invalide");
        assert_eq!(errors.on("phone"), "");
        assert_eq!(
            errors.summary(|f| (f == "email").then_some("Adresse e-mail")),
            ["obligatoire", "Adresse e-mail : adresse invalide"]
        );
        assert!(Errors::of(AppError::NotFound).is_err());
    }

    #[test]
    fn a_version_goes_through_a_form_unchanged() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T10:11:12.345678Z")
            .expect("date")
            .with_timezone(&Utc);
        assert_eq!(version_of(&version(now)), Some(now));
        assert_eq!(version_of("hier"), None);
        assert_eq!(text("  "), None);
        assert_eq!(text(" Dupont "), Some("Dupont".into()));
    }
}
