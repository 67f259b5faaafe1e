//! Discount codes for the dashboard: a store's own (its staff, or the platform admin naming it),
//! or the marketplace's (the platform admin without a store). Use cases in `services::discounts`.
use crate::domain::errors::AppError;
use crate::views::pricing::DiscountsPage;
use leptos::prelude::*;

#[server(endpoint = "admin/discounts")]
pub async fn discount_codes(merchant_id: Option<i64>) -> Result<DiscountsPage, AppError> {
    let (_, owner) = super::guard::store_or_marketplace(merchant_id).await?;
    crate::services::discounts::page(&super::guard::shop()?, owner).await
}

/// Makes a code; answers it as stored ("SPRING-10").
#[server(endpoint = "admin/discounts/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_discount_code(
    merchant_id: Option<i64>,
    code: String,
    kind: String,
    value: Option<String>,
    min_spend: Option<String>,
    usage_limit: Option<String>,
    last_day: Option<String>,
) -> Result<String, AppError> {
    use crate::domain::discounts::DiscountForm;
    let (_, owner) = super::guard::store_or_marketplace(merchant_id).await?;
    let form = DiscountForm {
        code,
        kind,
        value: value.unwrap_or_default(),
        min_spend: min_spend.unwrap_or_default(),
        usage_limit: usage_limit.unwrap_or_default(),
        last_day: last_day.unwrap_or_default(),
    };
    crate::services::discounts::create(&super::guard::shop()?, owner, &form).await
}

/// Switches one of the caller's codes off ("false") or on again ("true").
#[server(endpoint = "admin/discounts/active")]
pub async fn set_discount_active(merchant_id: Option<i64>, code: String, active: bool) -> Result<(), AppError> {
    let (_, owner) = super::guard::store_or_marketplace(merchant_id).await?;
    crate::services::discounts::set_active(&super::guard::shop()?, owner, &code, active).await
}
