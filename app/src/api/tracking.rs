//! Public parcel tracking by unguessable token: anyone with the link may look, so the answer
//! carries the carrier, the tracking number and city-level events only — never a name,
//! address or email.
use crate::domain::errors::AppError;
use crate::views::shipments::PublicTracking;
use leptos::prelude::*;

#[server(endpoint = "tracking/get")]
pub async fn track_parcel(token: String) -> Result<PublicTracking, AppError> {
    use super::guard::{Access, guard, shop};
    guard(Access::Anyone).await?;
    crate::services::fulfilment::public_tracking(shop()?.fulfilment.as_ref(), &token)
        .await?
        .ok_or_else(|| AppError::NotFound("We couldn't find that parcel. Check the link in your email.".into()))
}
