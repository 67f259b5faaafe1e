//! The merchant and platform dashboard as lazy routes. In the release build (`cargo leptos build
//! --release --split`) each of these pages' code, and whatever only they use (the product form,
//! the CSV import, the analytics charts, their server functions' client halves), is a WASM chunk
//! of its own, fetched when a merchant opens the page — or, landing on it, before it hydrates
//! (`hydrate_lazy` in frontend/). A shopper's first download is the storefront only;
//! `bench/first-load.mjs` measures it and `make test` fails over the budget. Without the split
//! (debug builds, the end-to-end tests) these are ordinary routes whose view is awaited, and the
//! server renders them exactly as before.
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// `Name => page component`: a unit route type whose view renders the component.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    Checkout => super::checkout::CheckoutPage,
    Order => super::order::OrderPage,
    MyOrders => super::order::MyOrdersPage,
    Login => super::auth::LoginPage,
    Register => super::auth::RegisterPage,
    Account => super::account::AccountPage,
    Track => super::track::TrackPage,
    Dashboard => super::admin::AdminPage,
    StoreOrders => super::store_orders::StoreOrdersPage,
    StoreOrder => super::store_orders::StoreOrderPage,
    Analytics => super::analytics::AnalyticsPage,
    Products => super::products::ProductsPage,
    ProductImport => super::product_import::ProductImportPage,
    ProductEdit => super::product_edit::ProductEditPage,
    Inventory => super::inventory::InventoryPage,
    Payments => super::payments::PaymentsPage,
    Earnings => super::earnings::EarningsPage,
    Payouts => super::payouts::PayoutsPage,
    Shipping => super::shipping::ShippingPage,
    Staff => super::staff::StaffPage,
    Join => super::staff::JoinPage,
    VerifyEmail => super::verify_email::VerifyEmailPage,
    ForgotPassword => super::password_reset::ForgotPasswordPage,
    Store => super::store::StorePage,
    ResetPassword => super::password_reset::ResetPasswordPage,
    Discounts => super::discounts::DiscountsPage,
    Taxes => super::taxes::TaxesPage,
    StoreReviews => super::store_reviews::StoreReviewsPage,
    Settings => super::settings::SettingsPage,
    Merchants => super::merchants::MerchantsPage,
    Users => super::users::UsersPage,
    Ranking => super::ranking::RankingPage,
}
