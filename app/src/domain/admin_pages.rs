//! What the dashboard's Payments, Reviews, Settings and Users pages show, and the rules behind
//! them: when a payment may be captured and by whom, the marketplace's capture mode, and what a
//! store's settings must look like. Pure: the pages and the SQL store only move these values.
use super::account::{MerchantStatus, StoreRole};
use super::errors::{AppError, FieldErrors};
use super::money::Currency;
use super::payment::PaymentStatus;
use serde::{Deserialize, Serialize};

/// Rows per page of the payments and users tables.
pub const PAGE_SIZE: i64 = 25;
pub const MAX_STORE_NAME: usize = 80;
pub const MAX_STORE_DESCRIPTION: usize = 2_000;

/// When checkout takes the money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaptureMode {
    /// Authorize and capture at checkout (the default).
    Automatic,
    /// Authorize at checkout; the money is taken later from the Payments page, and an order
    /// cancelled before that only releases the hold.
    Manual,
}

impl CaptureMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureMode::Automatic => "automatic",
            CaptureMode::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<CaptureMode> {
        match s.trim() {
            "automatic" => Some(CaptureMode::Automatic),
            "manual" => Some(CaptureMode::Manual),
            _ => None,
        }
    }
}

/// One payment as the caller may see it. For a store, only its part of the order: the amount,
/// captured and refunded figures and the status are the part's, never another store's money. For
/// the marketplace view (platform admin, no store chosen), the whole payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub payment_id: i64,
    /// The order's row id: the list's cursor (`domain::paging`).
    pub order_id: i64,
    pub order_number: String,
    pub placed_at: i64,
    pub status: PaymentStatus,
    pub currency: Currency,
    pub amount_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    /// The acting store's part of the order (the whole order for the marketplace view).
    pub share_minor: i64,
    /// How many stores have a part in the order.
    pub store_count: i64,
    /// The totals of the order's cancelled parts (marketplace view; the store view: its own part
    /// if cancelled). A part cancelled while the payment was only authorized is not captured.
    pub cancelled_minor: i64,
    pub card_brand: String,
    pub card_last4: String,
    /// The gateway's charge reference (what the gateway's own dashboard searches by).
    pub gateway_reference: Option<String>,
}

/// Who may capture: only an authorized payment, and only by the platform admin or by a store
/// that owns the whole order — one store capturing would otherwise take the other stores' money.
pub fn can_capture(row: &PaymentRow, is_admin: bool) -> bool {
    row.status == PaymentStatus::Authorized && (is_admin || row.store_count == 1)
}

/// What a capture takes: the authorized amount less the parts cancelled before it (their stock
/// went back and the shopper was told they will not pay for them).
pub fn capture_amount(whole: &PaymentRow) -> i64 {
    (whole.amount_minor - whole.cancelled_minor).max(0)
}

/// Why `can_capture` said no, in words for the merchant.
pub fn capture_refusal(row: &PaymentRow, is_admin: bool) -> Option<String> {
    if row.status != PaymentStatus::Authorized {
        return Some(format!(
            "Only an authorized payment can be captured; this one is {}.",
            row.status.label().to_lowercase()
        ));
    }
    if !is_admin && row.store_count > 1 {
        return Some(format!(
            "Order {} has items from {} stores, so the marketplace captures its payment.",
            row.order_number, row.store_count
        ));
    }
    None
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentList {
    /// The store acted for; `None` is the platform admin's marketplace-wide view.
    pub merchant_id: Option<i64>,
    pub title: String,
    pub is_admin: bool,
    pub capture_mode: CaptureMode,
    pub status: Option<PaymentStatus>,
    /// What was searched for, as typed ("" for none), and why it could not be, if it could not.
    pub search: String,
    pub search_error: Option<String>,
    /// A page of payments, newest first, with its neighbours' cursors.
    pub page: super::paging::Page<PaymentRow>,
    /// A fresh idempotency key rendered into each capture form.
    pub action_key: String,
}

/// A review of one of the store's products, for the store's Reviews page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreReviewRow {
    pub id: i64,
    pub product_title: String,
    pub product_slug: String,
    pub rating: u8,
    pub body: String,
    pub author: String,
    pub created_at: i64,
    pub reply: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreReviews {
    pub merchant_id: i64,
    pub store_name: String,
    /// A page of the reviews shown, newest first, with its neighbours' cursors.
    pub page: super::paging::Page<StoreReviewRow>,
    /// Only reviews still waiting for the store's reply.
    pub unanswered: bool,
    /// Part of a product's title or SKU, as typed ("" for all).
    pub search: String,
    /// How many reviews the store's products have, and their average rating.
    pub total: i64,
    pub average: Option<f64>,
}

/// What a store may change about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub merchant_id: i64,
    pub slug: String,
    pub status: MerchantStatus,
    pub name: String,
    pub description: String,
    pub support_email: String,
    pub low_stock_threshold: i64,
}

/// The settings page: the store's own settings, and the marketplace's for the platform admin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub store: Option<StoreSettings>,
    pub capture_mode: Option<CaptureMode>,
}

/// Trims and checks a store's name, description and support address; field errors name the field.
pub fn validate_store_settings(
    name: &str,
    description: &str,
    support_email: &str,
) -> Result<(String, String, String), AppError> {
    let (name, description, email) = (name.trim(), description.trim(), support_email.trim().to_lowercase());
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.add("name", "Enter the store's name as shoppers should see it.");
    } else if name.chars().count() > MAX_STORE_NAME {
        errors.add("name", format!("Keep the name to {MAX_STORE_NAME} characters or fewer."));
    }
    if description.chars().count() > MAX_STORE_DESCRIPTION {
        errors.add("description", format!("Keep the description to {MAX_STORE_DESCRIPTION} characters or fewer."));
    }
    if !email.is_empty() && !looks_like_email(&email) {
        errors.add("support_email", "Enter an email address like help@yourstore.com, or leave it empty.");
    }
    errors.into_result()?;
    Ok((name.to_string(), description.to_string(), email))
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        && !domain.contains('@')
}

/// What waits for the store, on its Overview: each figure links to the page that clears it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreTodo {
    /// Paid parts not fully shipped yet (paid, processing, partially shipped).
    pub to_fulfil: i64,
    /// Variants at or below the low-stock threshold.
    pub low_stock: i64,
    pub unanswered_reviews: i64,
    /// Payments of orders with a part of the store, authorized but not captured.
    pub to_capture: i64,
}

/// A user as the platform admin finds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    pub store_name: Option<String>,
    pub store_role: Option<StoreRole>,
    pub created_at: i64,
    pub order_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserList {
    pub q: String,
    pub rows: Vec<UserRow>,
    pub total: i64,
    pub page: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: PaymentStatus, stores: i64) -> PaymentRow {
        PaymentRow {
            payment_id: 1,
            order_id: 1,
            order_number: "MM-ABC".into(),
            placed_at: 0,
            status,
            currency: Currency::USD,
            amount_minor: 1000,
            captured_minor: 0,
            refunded_minor: 0,
            share_minor: 1000,
            store_count: stores,
            cancelled_minor: 0,
            card_brand: "Visa".into(),
            card_last4: "4242".into(),
            gateway_reference: Some("tg_ch_1".into()),
        }
    }

    #[test]
    fn a_capture_leaves_out_the_parts_cancelled_before_it() {
        let mut r = row(PaymentStatus::Authorized, 2);
        assert_eq!(capture_amount(&r), 1000);
        r.cancelled_minor = 400;
        assert_eq!(capture_amount(&r), 600);
        r.cancelled_minor = 1200;
        assert_eq!(capture_amount(&r), 0, "never below zero");
    }

    #[test]
    fn only_authorized_payments_of_a_stores_own_order_are_captured_by_it() {
        assert!(can_capture(&row(PaymentStatus::Authorized, 1), false));
        assert!(!can_capture(&row(PaymentStatus::Authorized, 2), false), "another store's money");
        assert!(can_capture(&row(PaymentStatus::Authorized, 2), true), "the marketplace captures shared orders");
        for s in PaymentStatus::ALL.into_iter().filter(|s| *s != PaymentStatus::Authorized) {
            assert!(!can_capture(&row(s, 1), true), "{s:?}");
            assert!(capture_refusal(&row(s, 1), true).unwrap().contains("Only an authorized payment"));
        }
        assert!(capture_refusal(&row(PaymentStatus::Authorized, 3), false).unwrap().contains("3 stores"));
        assert_eq!(capture_refusal(&row(PaymentStatus::Authorized, 1), false), None);
    }

    #[test]
    fn capture_modes_round_trip() {
        for m in [CaptureMode::Automatic, CaptureMode::Manual] {
            assert_eq!(CaptureMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(CaptureMode::parse("later"), None);
    }

    #[test]
    fn store_settings_are_trimmed_and_checked_per_field() {
        let ok = validate_store_settings("  Northwind Home ", " Linen. ", " Help@Northwind.TEST ").unwrap();
        assert_eq!(ok, ("Northwind Home".into(), "Linen.".into(), "help@northwind.test".into()));
        assert!(validate_store_settings("Shop", "", "").is_ok(), "the support address is optional");
        let e = validate_store_settings(" ", &"x".repeat(2_001), "not-an-email").unwrap_err();
        assert!(e.field("name").unwrap().contains("name"));
        assert!(e.field("description").unwrap().contains("2000"));
        assert!(e.field("support_email").unwrap().contains("help@yourstore.com"));
        assert!(validate_store_settings(&"n".repeat(81), "", "").unwrap_err().field("name").is_some());
        assert!(validate_store_settings("Shop", "", "a@b").is_err());
        assert!(validate_store_settings("Shop", "", "a b@c.com").is_err());
    }
}
