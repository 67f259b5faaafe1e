//! The one error type server functions return. It crosses to the browser (and, for forms
//! posted without JavaScript, round-trips through the URL), so it carries only what a user may see.
use serde::{Deserialize, Serialize};

/// Field name → message, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field.to_string(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was added, else the validation error.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() { Ok(()) } else { Err(AppError::Validation(self)) }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please check the highlighted fields.")]
    Validation(FieldErrors),
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You don't have access to this.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Please wait {0} seconds and try again.")]
    RateLimited(u64),
    /// Internal trouble. The text is for the server's log only: it is neither shown
    /// (`Display` is the generic message) nor sent to the browser (it serialises as the generic
    /// message), so a detail put here by mistake cannot leak.
    #[error("{}", SERVER_MESSAGE)]
    Server(#[serde(serialize_with = "generic_server_message")] String),
}

/// What a user is told when the server failed; the cause is in the log.
pub const SERVER_MESSAGE: &str = "Something went wrong on our side. Please try again in a moment.";

fn generic_server_message<S: serde::Serializer>(_detail: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(SERVER_MESSAGE)
}

impl AppError {
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Validation(f) => f.get(name).map(str::to_string),
            _ => None,
        }
    }

    pub fn one(field: &str, message: impl Into<String>) -> AppError {
        let mut f = FieldErrors::default();
        f.add(field, message);
        AppError::Validation(f)
    }

    pub fn server() -> AppError {
        AppError::Server(SERVER_MESSAGE.into())
    }

    /// The HTTP status the error stands for.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited(_) => 429,
            AppError::Server(_) => 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message_per_field() {
        let mut f = FieldErrors::default();
        assert!(f.clone().into_result().is_ok());
        f.add("email", "Enter an email address");
        f.add("email", "second");
        f.add("password", "Too short");
        assert_eq!(f.get("email"), Some("Enter an email address"));
        let err = f.into_result().unwrap_err();
        assert_eq!(err.field("password").as_deref(), Some("Too short"));
        assert_eq!(err.status(), 422);
        assert_eq!(AppError::Forbidden.status(), 403);
    }
}

#[cfg(test)]
mod server_detail_tests {
    use super::*;

    #[test]
    fn internal_details_are_neither_shown_nor_sent() {
        let e = AppError::Server("unknown part status frobbed; SELECT * FROM orders".into());
        assert_eq!(e.to_string(), SERVER_MESSAGE);
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("SELECT") && json.contains(SERVER_MESSAGE), "{json}");
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), AppError::server());
    }
}
