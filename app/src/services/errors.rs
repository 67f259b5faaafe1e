//! How a failure below the services reaches a user: a storage error becomes the `AppError` that
//! tells them what to do (a taken name, a rejected value) or, for anything else, the generic
//! message while the cause goes to the log.
use super::catalog_store::StoreError;
use crate::domain::errors::AppError;

pub fn store_err(err: StoreError) -> AppError {
    match err {
        StoreError::Conflict(msg) => AppError::Conflict(msg),
        StoreError::Invalid(msg) => AppError::one("form", msg),
        other => {
            tracing::error!(error = %other, "store call failed");
            AppError::server()
        }
    }
}

/// An internal failure (a state the code does not expect, a stored value that does not parse):
/// the detail goes to the log, the user gets the generic message.
pub fn internal(detail: impl std::fmt::Display) -> AppError {
    tracing::error!(%detail, "internal error");
    AppError::server()
}
