//! Swedish organisation numbers (organisationsnummer).

use std::fmt;

/// A valid Swedish organisation number, kept as `NNNNNN-NNNN`.
///
/// Ten digits, the last a Luhn check digit over the first nine, and a third
/// digit of at least 2, which tells a legal entity from a personal identity
/// number. Sole traders registered on a personal identity number are left out
/// on purpose: that number is personal data and does not belong in this table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganisationNumber(String);

/// Why a string is not an organisation number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationNumberError {
    #[error("an organisation number has ten digits, written NNNNNN-NNNN")]
    Format,
    #[error("the third digit of an organisation number is at least 2")]
    NotALegalEntity,
    #[error("the check digit of the organisation number does not match")]
    CheckDigit,
}

impl OrganisationNumber {
    /// Parses `NNNNNN-NNNN` or `NNNNNNNNNN`, with an optional `16` century
    /// prefix as written in some registers.
    pub fn parse(input: &str) -> Result<Self, OrganisationNumberError> {
        let trimmed = input.trim();
        let digits: String = match trimmed.len() {
            10 => trimmed.to_owned(),
            11 if trimmed.as_bytes().get(6) == Some(&b'-') => trimmed.replacen('-', "", 1),
            12 if trimmed.starts_with("16") => trimmed[2..].to_owned(),
            13 if trimmed.starts_with("16") && trimmed.as_bytes().get(8) == Some(&b'-') => {
                trimmed[2..].replacen('-', "", 1)
            }
            _ => return Err(OrganisationNumberError::Format),
        };
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OrganisationNumberError::Format);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        if values[2] < 2 {
            return Err(OrganisationNumberError::NotALegalEntity);
        }
        if luhn_check_digit(&values[..9]) != values[9] {
            return Err(OrganisationNumberError::CheckDigit);
        }
        Ok(Self(format!("{}-{}", &digits[..6], &digits[6..])))
    }

    /// The normalised form, `NNNNNN-NNNN`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds a valid number from nine leading digits by adding the check
    /// digit. Used by the seed generators; `None` when the nine digits cannot
    /// start an organisation number.
    pub fn from_nine_digits(first_nine: u32) -> Option<Self> {
        let text = format!("{first_nine:09}");
        if text.len() != 9 {
            return None;
        }
        let values: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
        if values[2] < 2 {
            return None;
        }
        let check = luhn_check_digit(&values);
        Some(Self(format!("{}-{}{check}", &text[..6], &text[6..])))
    }
}

impl fmt::Display for OrganisationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Luhn check digit for nine digits, weights 2,1,2,1,... from the left.
fn luhn_check_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let product = if i % 2 == 0 { d * 2 } else { *d };
            product / 10 + product % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_number_with_or_without_hyphen() {
        // 556016-0680 is the classic textbook example of a valid number.
        assert_eq!(
            OrganisationNumber::parse("556016-0680").map(|n| n.to_string()),
            Ok("556016-0680".to_owned())
        );
        assert_eq!(
            OrganisationNumber::parse("5560160680").map(|n| n.to_string()),
            Ok("556016-0680".to_owned())
        );
        assert_eq!(
            OrganisationNumber::parse("16556016-0680").map(|n| n.to_string()),
            Ok("556016-0680".to_owned())
        );
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(
            OrganisationNumber::parse("556016-0681"),
            Err(OrganisationNumberError::CheckDigit)
        );
    }

    #[test]
    fn rejects_a_personal_identity_number() {
        // Third digit below 2: a birth month, so a person, not an organisation.
        assert_eq!(
            OrganisationNumber::parse("850101-1234"),
            Err(OrganisationNumberError::NotALegalEntity)
        );
    }

    #[test]
    fn rejects_malformed_input() {
        for input in [
            "",
            "55601-60680",
            "556016-068",
            "55601606800",
            "55601a-0680",
            "556016_0680",
        ] {
            assert_eq!(
                OrganisationNumber::parse(input),
                Err(OrganisationNumberError::Format),
                "{input}"
            );
        }
    }

    #[test]
    fn generated_numbers_are_valid() {
        for nine in [556_016_068, 802_002_123, 212_000_001] {
            let generated = OrganisationNumber::from_nine_digits(nine);
            let reparsed = generated
                .as_ref()
                .map(|n| OrganisationNumber::parse(n.as_str()));
            assert!(matches!(reparsed, Some(Ok(_))), "{nine}");
        }
        assert_eq!(OrganisationNumber::from_nine_digits(551_016_068), None);
    }
}
