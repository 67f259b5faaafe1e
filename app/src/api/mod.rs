//! Server functions, grouped by capability. Each is thin: find the shop in context,
//! call a service, turn a failure into a message a shopper can act on.
pub mod catalog;

#[cfg(feature = "ssr")]
use leptos::prelude::{ServerFnError, use_context};

#[cfg(feature = "ssr")]
pub(crate) fn shop() -> Result<crate::services::Shop, ServerFnError> {
    use_context::<crate::services::Shop>()
        .ok_or_else(|| ServerFnError::new("The shop is not configured on this server."))
}

/// Logs the cause for operators and tells the shopper only what they can do about it;
/// SQL and internals never reach the browser.
#[cfg(feature = "ssr")]
pub(crate) fn internal(err: crate::services::StoreError) -> ServerFnError {
    tracing::error!(error = %err, "store call failed");
    ServerFnError::new("Something went wrong on our side. Please try again in a moment.")
}
