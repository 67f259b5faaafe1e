//! Turns driver errors into the app's `StoreError`, keeping SQL text out of user-facing messages.
use app::services::StoreError;

pub fn map_sqlx(err: sqlx::Error) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default()).to_lowercase();
            let what = if text.contains("sku") {
                "A variant with this SKU already exists in the store"
            } else if text.contains("slug") {
                "This slug is already used; choose another"
            } else {
                "This record already exists"
            };
            StoreError::Conflict(what.to_string())
        }
        sqlx::Error::Database(db) if db.is_check_violation() || db.is_foreign_key_violation() => {
            StoreError::Invalid(format!("the database refused the values: {}", db.message()))
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            StoreError::Unavailable(err.to_string())
        }
        _ => StoreError::Other(err.to_string()),
    }
}

/// A stored value the app has no name for (a status, kind or currency code the schema admits
/// but this build does not know): the row is refused by name instead of read as a default.
pub fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("the database holds an unknown {what} {value:?}"))
}

/// Reads a stored currency code (parsed once here, at the adapter's edge).
pub fn currency(code: &str) -> Result<app::domain::money::Currency, StoreError> {
    app::domain::money::Currency::parse(code).map_err(|_| unknown("currency", code))
}

/// A stored value parsed into the domain's type (a status, a currency); a value the domain does
/// not know is bad data, reported as such rather than guessed at.
pub(crate) fn parsed<T>(what: &str, value: &str, parsed: Option<T>) -> Result<T, StoreError> {
    parsed.ok_or_else(|| unknown(what, value))
}

/// `map_sqlx`, with a unique-constraint violation told in the words the user needs ("an account
/// with this email already exists") instead of the constraint's name.
pub fn conflict_means(err: sqlx::Error, message: &str) -> StoreError {
    match map_sqlx(err) {
        StoreError::Conflict(_) => StoreError::Conflict(message.into()),
        other => other,
    }
}
