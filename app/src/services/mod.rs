//! Use cases on the server. They depend on the store traits ("ports"), never on a backend;
//! the server binary hands them concrete stores through Leptos context.
pub mod account_store;
pub mod accounts;
pub mod admin_store;
pub mod analytics;
pub mod analytics_store;
pub mod cart;
pub mod cart_checkout;
pub mod cart_store;
pub mod catalog;
pub mod catalog_store;
pub mod checkout;
pub mod clock;
pub mod discounts;
pub mod email_verification;
pub mod errors;
pub mod fulfilment;
pub mod fulfilment_notices;
pub mod fulfilment_store;
pub mod hosted_checkout;
pub mod inventory;
pub mod inventory_store;
pub mod list_pages;
pub mod listing;
pub mod merchants;
pub mod notification_store;
pub mod notifications;
pub mod order_store;
pub mod order_views;
pub mod password_reset;
pub mod passwords;
pub mod payment_provider;
pub mod payments;
pub mod payout_store;
pub mod payouts;
pub mod per_version;
pub mod pricing;
pub mod pricing_store;
pub mod product_admin_store;
pub mod product_image_store;
pub mod product_images;
pub mod product_import;
pub mod product_import_store;
pub mod products_admin;
pub mod random;
pub mod ranking;
pub mod recommendation_store;
pub mod recommendations;
pub mod review_store;
pub mod reviews;
pub mod search;
pub mod settings;
pub mod shopper_orders;
pub mod staff;
pub mod staff_store;
pub mod store_notices;
pub mod storefront;
pub mod users;

use std::sync::Arc;

pub use account_store::AccountStore;
pub use accounts::AuthSettings;
pub use analytics_store::AnalyticsStore;
pub use cart_store::CartStore;
pub use catalog_store::{CatalogStore, StoreError};
pub use errors::{internal, store_err};
pub use inventory_store::InventoryStore;
pub use notification_store::NotificationStore;
pub use review_store::ReviewStore;

/// Everything a server function needs, provided once per request via context.
#[derive(Clone)]
pub struct Shop {
    pub catalog: Arc<dyn CatalogStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub reviews: Arc<dyn ReviewStore>,
    pub carts: Arc<dyn CartStore>,
    pub orders: Arc<dyn order_store::OrderStore>,
    pub fulfilment: Arc<dyn fulfilment_store::FulfilmentStore>,
    /// Whoever takes the money (`payment_provider`): the test gateway or Stripe.
    pub gateway: Arc<dyn payment_provider::PaymentProvider>,
    pub checkout: Arc<checkout::CheckoutSettings>,
    pub auth: Arc<AuthSettings>,
    pub vocabulary: Arc<search::VocabularyCache>,
    pub categories: Arc<catalog::CategoryCache>,
    pub listing_rows: Arc<listing::ListingCache>,
    /// The outbox of messages to shoppers; queue with `notifications::enqueue`.
    pub notifications: Arc<dyn NotificationStore>,
    /// Absolute links (from `PUBLIC_URL`) for messages.
    pub links: Arc<crate::domain::notification::Links>,
    /// Store analytics (`/admin/analytics`).
    pub analytics: Arc<dyn AnalyticsStore>,
    /// The merchant's products (`/admin/products`).
    pub products_admin: Arc<dyn product_admin_store::ProductAdminStore>,
    /// Stock adjustments and the low-stock threshold (`/admin/inventory`).
    pub inventory: Arc<dyn InventoryStore>,
    /// Product CSV import jobs and the export (`/admin/products/import`).
    pub product_import: Arc<dyn product_import_store::ProductImportStore>,
    /// Recommendation signals, the similarity job's storage and the recommendation reads.
    pub recommendations: Arc<dyn recommendation_store::RecommendationStore>,
    /// Product views, buffered and written in batches (`server/src/view_buffer.rs`).
    pub views: Arc<dyn recommendation_store::ViewSink>,
    /// Product images (upload, order, remove) on the product edit page.
    pub product_images: Arc<dyn product_image_store::ProductImageStore>,
    /// Where uploaded files live (`MEDIA_DIR`, served under `/media`); set by the router.
    pub media_dir: Arc<std::path::PathBuf>,
    /// Payments, reviews, settings and users for the dashboard; the marketplace's settings.
    pub admin: Arc<dyn admin_store::AdminStore>,
    /// Marketplace money: commission rates, the ledger's rows and payouts (`/admin/earnings`,
    /// `/admin/payouts`).
    pub payouts: Arc<dyn payout_store::PayoutStore>,
    /// Stores' shipping zones and the marketplace's tax rules (`/admin/shipping`, `/admin/taxes`).
    pub pricing: Arc<dyn pricing_store::PricingStore>,
    /// A store's members and the owner's staff invitations (`/admin/staff`, `/join`).
    pub staff: Arc<dyn staff_store::StaffStore>,
    /// What time it is (`clock::SystemClock`; tests may hand in a `clock::FixedClock`).
    pub clock: Arc<dyn clock::Clock>,
}

/// The currency of a store with nothing priced yet (an empty cart, a store without products):
/// its zero amounts show in it. Every stored price carries its own currency.
pub const MARKETPLACE_CURRENCY: crate::domain::money::Currency = crate::domain::money::Currency::USD;
