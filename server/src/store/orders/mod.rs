//! Order and payment SQL shared by SQLite and PostgreSQL, written once (see `sql_catalog`), by
//! subject: placing an order (`placing`), the gateway's answers (`payments`), hosted payments (`hosted`), guests' access keys
//! (`access`) and orders read back for their pages (`reading`). `impl_sql_orders!` writes them
//! into one adapter module.
//!
//! Stock is reserved with `UPDATE … SET stock = stock - n WHERE id = ? AND stock >= n`: on
//! PostgreSQL a concurrent checkout waits for the row lock and re-checks the condition; on SQLite
//! writers are serialised by `BEGIN IMMEDIATE` (`store::statements`). Either way stock can never go
//! negative. Currencies and statuses are parsed into the domain's types here, once.
#[macro_use]
mod access;
#[macro_use]
mod hosted;
#[macro_use]
mod payments;
#[macro_use]
mod placing;
#[macro_use]
mod reading;

macro_rules! impl_sql_orders {
    ($store:ty, $db:ty) => {
        use app::domain::account::MerchantStatus;
        use app::domain::order::OrderStatus;
        use app::services::catalog_store::{ProductStatus, StoreError};
        use sqlx::{QueryBuilder, Row};
        use $crate::store::errors::{currency, map_sqlx, parsed};

        impl_idempotency_keys!($db);
        impl_discount_rows!($db);

        fn order_status(raw: &str) -> Result<OrderStatus, StoreError> {
            parsed("order status", raw, OrderStatus::parse(raw))
        }

        fn product_status(raw: &str) -> Result<ProductStatus, StoreError> {
            parsed("product status", raw, ProductStatus::parse(raw))
        }

        fn merchant_status(raw: &str) -> Result<MerchantStatus, StoreError> {
            parsed("store status", raw, MerchantStatus::parse(raw))
        }

        orders_placing!($store, $db);
        orders_payments!($store, $db);
        orders_hosted!($store, $db);
        orders_access!($store, $db);
        orders_reading!($store, $db);
    };
}
