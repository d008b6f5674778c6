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

    /// A phone number kept as typed, checked as French ("03 25 30 22 69")
    /// or international ("+33 3 25 30 22 69", "0033 …").
    pub fn optional_phone(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let value = self.optional_text(field, value, 40)?;
        if !is_phone_number(&value) {
            self.add(
                field,
                "numéro de téléphone invalide (ex. 03 25 30 22 69 ou +33 3 25 30 22 69)",
            );
        }
        Some(value)
    }

    /// One of the enum's stored words, or an error listing them.
    pub fn one_of<'a>(&mut self, field: &str, value: &str, allowed: &[&'a str]) -> Option<&'a str> {
        let found = allowed.iter().find(|a| **a == value).copied();
        if found.is_none() {
            self.add(
                field,
                format!(
                    "valeur inconnue ; valeurs possibles : {}",
                    allowed.join(", ")
                ),
            );
        }
        found
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors found so far, emptied.
    pub fn take(&mut self) -> Vec<FieldError> {
        std::mem::take(&mut self.errors)
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

fn is_phone_number(value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = compact
        .strip_prefix('+')
        .or_else(|| compact.strip_prefix("00"))
    {
        // E.164: a country code and up to 15 digits in all.
        digits_only(rest) && (8..=15).contains(&rest.len()) && !rest.starts_with('0')
    } else {
        // French national format: 0 then nine digits, the first not 0.
        digits_only(&compact)
            && compact.len() == 10
            && compact.starts_with('0')
            && !compact.starts_with("00")
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
    fn phone_numbers_french_or_international() {
        for ok in [
            "03 25 30 22 69",
            "03.25.30.22.69",
            "0325302269",
            "+33 3 25 30 22 69",
            "0033 3 25 30 22 69",
            "+1 (555) 123-4567",
        ] {
            assert!(is_phone_number(ok), "{ok}");
        }
        for bad in [
            "12345",
            "3 25 30 22 69",
            "00 12 34",
            "+0 123456789",
            "03 25 30 22 6x",
            "+33",
        ] {
            assert!(!is_phone_number(bad), "{bad}");
        }
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
