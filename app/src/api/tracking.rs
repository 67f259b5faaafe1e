//! Public parcel tracking by unguessable token: anyone with the link may look, so the answer
//! carries the carrier, the tracking number and city-level events only — never a name,
//! address or email.
use crate::domain::errors::AppError;
use crate::domain::shipment_view::PublicTracking;
use leptos::prelude::*;

#[server(endpoint = "tracking/get")]
pub async fn track_parcel(token: String) -> Result<PublicTracking, AppError> {
    use super::guard::{Access, guard, shop};
    guard(Access::Anyone).await?;
    let missing = || AppError::NotFound("We couldn't find that parcel. Check the link in your email.".into());
    // Tokens are short ASCII; anything else cannot be one, so the database is not asked.
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(missing());
    }
    shop()?.fulfilment.public_tracking(&token).await.map_err(crate::services::store_err)?.ok_or_else(missing)
}
