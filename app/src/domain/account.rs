//! Accounts: who someone is, what they may do, and the rules for what they type in.
use super::errors::{AppError, FieldErrors};
use serde::{Deserialize, Serialize};

pub const MAX_EMAIL: usize = 254;
pub const MIN_PASSWORD: usize = 10;
/// Argon2 is slow on purpose; an unbounded input would make it slower still.
pub const MAX_PASSWORD: usize = 256;
pub const MAX_NAME: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoreRole {
    Owner,
    Staff,
}

impl StoreRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreRole::Owner => "owner",
            StoreRole::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<StoreRole> {
        match s {
            "owner" => Some(StoreRole::Owner),
            "staff" => Some(StoreRole::Staff),
            _ => None,
        }
    }
}

/// Where a store stands with the marketplace: waiting for approval, selling, or suspended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MerchantStatus {
    Pending,
    Active,
    Suspended,
}

impl MerchantStatus {
    /// The name stored in the database (and shown as it is).
    pub fn as_str(&self) -> &'static str {
        match self {
            MerchantStatus::Pending => "pending",
            MerchantStatus::Active => "active",
            MerchantStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<MerchantStatus> {
        [MerchantStatus::Pending, MerchantStatus::Active, MerchantStatus::Suspended]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The store someone works for, if any (one store per account).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreMembership {
    pub merchant_id: i64,
    pub merchant_name: String,
    pub merchant_slug: String,
    pub merchant_status: MerchantStatus,
    pub role: StoreRole,
}

/// The signed-in user, as the server established it for this request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub store: Option<StoreMembership>,
    /// Whether the account proved it receives mail at `email` (the link of the verification
    /// e-mail, or of a staff invitation). Opening a store needs it.
    pub email_verified: bool,
}

impl Principal {
    pub fn works_for(&self, merchant_id: i64) -> bool {
        self.store.as_ref().is_some_and(|s| s.merchant_id == merchant_id)
    }
    pub fn owns(&self, merchant_id: i64) -> bool {
        self.store.as_ref().is_some_and(|s| s.merchant_id == merchant_id && s.role == StoreRole::Owner)
    }
}

/// A link's token as we make them (`passwords::new_token`: 64 hex digits); anything else is
/// refused before any lookup.
pub fn well_formed_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Lowercased and trimmed, so one person cannot register twice by changing case.
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter your email address.".into());
    }
    if email.len() > MAX_EMAIL {
        return Err(format!("An email address has at most {MAX_EMAIL} characters."));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("Enter an email address like name@example.com.".into());
    };
    let ok = !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && email.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>' && c != '"');
    if ok { Ok(email) } else { Err("Enter an email address like name@example.com.".into()) }
}

/// Passwords people pick first; a long list would catch more, these are the ones attackers try first.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "iloveyou12",
    "iloveyou123",
    "abcdefghij",
    "abcd123456",
    "abc1234567",
    "0123456789",
    "9876543210",
    "1111111111",
    "0000000000",
    "aaaaaaaaaa",
    "letmein123",
    "welcome123",
    "welcome1234",
    "sunshine12",
    "football12",
    "baseball12",
    "monkey1234",
    "dragon1234",
    "princess12",
    "superman12",
    "trustno1234",
    "changeme123",
    "administrator",
    "adminadmin",
    "admin12345",
    "admin123456",
    "password!1",
    "p@ssw0rd123",
    "zaq12wsxcde",
    "asdfghjkl1",
    "asdfghjkl;",
    "zxcvbnm123",
    "qazwsxedcr",
    "michael123",
    "jennifer12",
    "starwars12",
    "whatever12",
    "computer12",
    "internet12",
    "shopping12",
    "marketplace",
];

pub fn validate_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD {
        return Err(format!("Use at least {MIN_PASSWORD} characters."));
    }
    if password.len() > MAX_PASSWORD {
        return Err(format!("Use at most {MAX_PASSWORD} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err("This password is too common; choose one that is harder to guess.".into());
    }
    let local = email.split('@').next().unwrap_or_default();
    if !local.is_empty() && lower.contains(local) && local.len() >= 4 {
        return Err("Don't use your email address in your password.".into());
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err("Use more than one repeated character.".into());
    }
    Ok(())
}

pub fn validate_display_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter your name.".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("Use at most {MAX_NAME} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("Remove control characters from the name.".into());
    }
    Ok(name.to_string())
}

/// What a registration form carries once every field is checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Registration {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// What every password reset request is told, whether or not an account uses the address.
pub const RESET_SENT: &str =
    "If an account uses that email, we have sent it a link to choose a new password. The link works for an hour.";

pub fn validate_registration(email: &str, display_name: &str, password: &str) -> Result<Registration, AppError> {
    let mut errors = FieldErrors::default();
    let email = normalize_email(email).map_err(|e| errors.add("email", e)).ok();
    let display_name = validate_display_name(display_name).map_err(|e| errors.add("display_name", e)).ok();
    if let Err(e) = validate_password(password, email.as_deref().unwrap_or_default()) {
        errors.add("password", e);
    }
    errors.into_result()?;
    Ok(Registration {
        email: email.unwrap_or_default(),
        display_name: display_name.unwrap_or_default(),
        password: password.to_string(),
    })
}

/// Exponential back-off for failed logins: free attempts first, then 5 s, 10 s, 20 s … capped.
/// Attempts made while locked are refused without counting.
pub const FREE_LOGIN_FAILURES: i64 = 5;
pub const FIRST_LOCKOUT_SECS: i64 = 5;
pub const MAX_LOCKOUT_SECS: i64 = 15 * 60;

pub fn lockout_after(failures: i64) -> i64 {
    if failures < FREE_LOGIN_FAILURES {
        0
    } else {
        let exp = (failures - FREE_LOGIN_FAILURES).min(20) as u32;
        (FIRST_LOCKOUT_SECS << exp).min(MAX_LOCKOUT_SECS)
    }
}

/// A session is valid while used within `idle` seconds and younger than `absolute` seconds.
pub fn session_is_live(now: i64, created_at: i64, last_seen_at: i64, idle: i64, absolute: i64) -> bool {
    now < created_at + absolute && now < last_seen_at + idle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email("  Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@x.com",
            "<a>@x.com",
            "ada@x..com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
        let huge = format!("{}@example.com", "a".repeat(1_000_000));
        assert!(normalize_email(&huge).unwrap_err().contains("at most"));
    }

    #[test]
    fn passwords_must_be_long_and_uncommon() {
        assert!(validate_password("short", "a@b.co").unwrap_err().contains("at least 10"));
        assert!(validate_password("Password123", "a@b.co").unwrap_err().contains("common"));
        assert!(validate_password("aaaaaaaaaaaa", "a@b.co").is_err());
        assert!(validate_password("adalovelace99", "adalovelace@x.com").unwrap_err().contains("email"));
        assert!(validate_password(&"x".repeat(300), "a@b.co").is_err());
        assert!(validate_password("correct horse battery", "ada@example.com").is_ok());
        assert!(validate_password("ünïcödé-pässwörd", "ada@example.com").is_ok());
    }

    #[test]
    fn registration_reports_every_bad_field() {
        let err = validate_registration("nope", "", "short").unwrap_err();
        assert!(err.field("email").is_some());
        assert!(err.field("display_name").is_some());
        assert!(err.field("password").is_some());
        let ok = validate_registration("Ada@Example.com", " Ada ", "correct horse battery").unwrap();
        assert_eq!((ok.email.as_str(), ok.display_name.as_str()), ("ada@example.com", "Ada"));
    }

    #[test]
    fn lockout_grows_exponentially_and_is_capped() {
        assert_eq!(lockout_after(0), 0);
        assert_eq!(lockout_after(4), 0);
        assert_eq!(lockout_after(5), 5);
        assert_eq!(lockout_after(6), 10);
        assert_eq!(lockout_after(9), 80);
        assert_eq!(lockout_after(40), MAX_LOCKOUT_SECS);
    }

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let (idle, absolute) = (3600, 86_400 * 30);
        assert!(session_is_live(1000, 0, 900, idle, absolute));
        assert!(!session_is_live(5000, 0, 1000, idle, absolute), "idle for longer than an hour");
        assert!(!session_is_live(absolute + 10, 0, absolute, idle, absolute), "past the absolute limit");
    }

    #[test]
    fn principals_know_their_store() {
        let p = Principal {
            user_id: 1,
            email: "o@x.com".into(),
            display_name: "O".into(),
            is_admin: false,
            store: Some(StoreMembership {
                merchant_id: 7,
                merchant_name: "S".into(),
                merchant_slug: "s".into(),
                merchant_status: MerchantStatus::Active,
                role: StoreRole::Staff,
            }),
            email_verified: true,
        };
        assert!(p.works_for(7) && !p.works_for(8));
        assert!(!p.owns(7));
    }
}
