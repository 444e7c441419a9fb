//! E-mail addresses and phone numbers, checked for shape only: whether they
//! reach anyone is not knowable here.

/// Trims and checks an e-mail address: one `@`, a local part, a domain with a
/// dot, no spaces, at most 254 characters. Lowercases the domain.
pub fn normalise_email(input: &str) -> Result<String, &'static str> {
    let email = input.trim();
    let (local, domain) = email.rsplit_once('@').ok_or("an e-mail address has an @")?;
    let ok = email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if ok {
        Ok(format!("{local}@{}", domain.to_lowercase()))
    } else {
        Err("not a valid e-mail address")
    }
}

/// Trims and checks a phone number: an optional leading `+`, then 7 to 15
/// digits, which may be grouped by spaces or hyphens.
pub fn normalise_phone(input: &str) -> Result<String, &'static str> {
    let phone = input.trim();
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let ok = body
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        && (7..=15).contains(&digits)
        && body.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(phone.to_owned())
    } else {
        Err("a phone number is 7 to 15 digits, with an optional leading +")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_ordinary_addresses() {
        assert_eq!(
            normalise_email(" amina@Example.ORG "),
            Ok("amina@example.org".to_owned())
        );
        assert_eq!(
            normalise_phone("+46 70 174 06 05"),
            Ok("+46 70 174 06 05".to_owned())
        );
        assert_eq!(
            normalise_phone("011-123 45 67"),
            Ok("011-123 45 67".to_owned())
        );
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "amina",
            "amina@",
            "@example.org",
            "a b@example.org",
            "amina@example",
            "amina@.org",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
        for bad in [
            "",
            "12345",
            "+46 70 abc",
            "++46701740605",
            "1234567890123456",
            "-46701740605",
        ] {
            assert!(normalise_phone(bad).is_err(), "{bad}");
        }
    }
}
