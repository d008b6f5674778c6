//! Field checks shared by every input, collecting all errors of a body so the
//! client gets them in one 422.

use serde::{Deserialize, Deserializer};

use crate::error::{AppError, FieldError};

#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn push(&mut self, error: Option<FieldError>) {
        self.errors.extend(error);
    }

    /// Trimmed text of `min..=max` characters.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let value = value.trim();
        let len = value.chars().count();
        if len < min {
            self.add(
                field,
                if min <= 1 {
                    "ce champ est obligatoire".to_owned()
                } else {
                    format!("au moins {min} caractères")
                },
            );
        } else if len > max {
            self.add(field, format!("au plus {max} caractères"));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.add(field, "caractères de contrôle interdits");
        }
        value.to_owned()
    }

    /// Optional trimmed text; empty means absent.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.text(field, value, 1, max))
    }

    /// A trimmed, lower-cased e-mail address with a valid syntax.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let value = value.trim().to_lowercase();
        if value.chars().count() > 254 || !email_address::EmailAddress::is_valid(&value) {
            self.add(field, "adresse e-mail invalide");
        }
        value
    }

    pub fn optional_email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.email(field, value))
    }

    /// 422 with every error found, or nothing.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

/// For PATCH bodies: tells "absent" (`None`) from "set to null"
/// (`Some(None)`). Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error() {
        let mut check = Check::new();
        assert_eq!(check.text("name", "  Chaumont  ", 1, 100), "Chaumont");
        check.text("city", "   ", 1, 100);
        check.email("email", "pas-une-adresse");
        let Err(AppError::Validation(errors)) = check.finish() else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["city", "email"]);
    }

    #[test]
    fn emails_are_normalised() {
        let mut check = Check::new();
        assert_eq!(
            check.email("e", " Mylene.Begue@Haute-Marne.gouv.fr "),
            "mylene.begue@haute-marne.gouv.fr"
        );
        assert!(check.finish().is_ok());
    }
}
