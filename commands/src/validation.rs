use crate::{DomainError, FieldError};

/// Collects field errors so a request learns about every bad field at once.
#[derive(Debug, Default)]
pub struct Validator(Vec<FieldError>);

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<String>) -> &mut Self {
        if !ok {
            self.0.push(FieldError {
                field: field.into(),
                message: message.into(),
            });
        }
        self
    }

    pub fn name(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        let trimmed = value.trim();
        self.check(!trimmed.is_empty(), field, "must not be empty");
        self.check(
            value.chars().count() <= max,
            field,
            format!("must be at most {max} characters"),
        );
        self.check(
            !value.chars().any(char::is_control),
            field,
            "must not contain control characters",
        )
    }

    pub fn finish(&mut self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(std::mem::take(&mut self.0)))
        }
    }
}

/// A slug is 1–63 lowercase letters, digits and inner hyphens.
pub fn validate_slug(slug: &str) -> Result<(), String> {
    let ok = !slug.is_empty()
        && slug.len() <= 63
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err("must be 1-63 lowercase letters, digits or inner hyphens".into())
    }
}

/// Derive a slug from a display name: ASCII letters and digits kept, everything else folded to `-`.
pub fn generate_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "workspace".into()
    } else {
        out
    }
}

pub(crate) fn validate_timezone(tz: &str) -> bool {
    tz.parse::<chrono_tz::Tz>().is_ok()
}

/// A pragmatic BCP 47 shape check: `en`, `en-US`, `zh-Hant-TW`.
pub(crate) fn validate_locale(locale: &str) -> bool {
    let mut parts = locale.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_generated_from_names() {
        assert_eq!(generate_slug("Acme Corp."), "acme-corp");
        assert_eq!(generate_slug("  Ünïcode  ltd "), "n-code-ltd");
        assert_eq!(generate_slug("!!!"), "workspace");
        assert!(validate_slug(&generate_slug(&"x".repeat(300))).is_ok());
    }

    #[test]
    fn slug_rules() {
        assert!(validate_slug("acme-1").is_ok());
        for bad in ["", "-a", "a-", "A", "a_b", &"a".repeat(64)] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locales_and_timezones() {
        assert!(validate_locale("en") && validate_locale("en-US") && validate_locale("zh-Hant-TW"));
        assert!(!validate_locale("e") && !validate_locale("en_US") && !validate_locale(""));
        assert!(validate_timezone("Europe/Berlin") && validate_timezone("UTC"));
        assert!(!validate_timezone("Mars/Olympus"));
    }
}
