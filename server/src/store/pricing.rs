//! The SQL behind stores' shipping zones and the marketplace's tax rules
//! (`app::services::pricing_store`), shared by SQLite and PostgreSQL (see `store/mod.rs`).
//! Zones keep their countries as one space-separated text ('*' for everywhere else) and their
//! bands as JSON `[[from_minor, price_minor], …]`: a zone is always read and written whole.
use app::domain::shipping_zones::{RateBand, ZoneCountries};

/// `countries` as stored.
pub fn countries_column(c: &ZoneCountries) -> String {
    match c {
        ZoneCountries::Rest => "*".into(),
        ZoneCountries::List(l) => l.join(" "),
    }
}

pub fn countries_from_column(text: &str) -> ZoneCountries {
    match text.trim() {
        "*" => ZoneCountries::Rest,
        t => ZoneCountries::List(t.split_whitespace().map(str::to_string).collect()),
    }
}

pub fn bands_column(bands: &[RateBand]) -> String {
    let pairs: Vec<[i64; 2]> = bands.iter().map(|b| [b.from_minor, b.price_minor]).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

pub fn bands_from_column(text: &str) -> Option<Vec<RateBand>> {
    let pairs: Vec<[i64; 2]> = serde_json::from_str(text).ok()?;
    let bands: Vec<RateBand> = pairs.iter().map(|[f, p]| RateBand { from_minor: *f, price_minor: *p }).collect();
    (!bands.is_empty()).then_some(bands)
}

/// Discount codes as stored, read back into the domain's type: written once, used by checkout
/// (`orders/placing.rs`) and the dashboard's list (below).
macro_rules! impl_discount_rows {
    ($db:ty) => {
        const DISCOUNT_COLUMNS: &str = "SELECT code, kind, value, currency, min_spend_minor, expires_at, usage_limit,
            times_used, merchant_id, active FROM discount_codes";

        fn discount_from_row(
            r: &<$db as sqlx::Database>::Row,
        ) -> Result<app::domain::checkout::DiscountCode, app::services::catalog_store::StoreError> {
            use app::domain::checkout::{DiscountCode, DiscountKind};
            use app::domain::money::Money;
            use sqlx::Row;
            let currency = $crate::store::errors::currency(r.get::<&str, _>("currency"))?;
            let value: i64 = r.get("value");
            let min: i64 = r.get("min_spend_minor");
            let kind = match r.get::<&str, _>("kind") {
                "percent" => DiscountKind::Percent { bps: value.clamp(0, 10_000) as u32 },
                "free_shipping" => DiscountKind::FreeShipping,
                _ => DiscountKind::Fixed { amount: Money::new(value, currency) },
            };
            Ok(DiscountCode {
                code: r.get("code"),
                kind,
                min_spend: (min > 0).then(|| Money::new(min, currency)),
                expires_at: r.get("expires_at"),
                usage_limit: r.get("usage_limit"),
                times_used: r.get("times_used"),
                merchant_id: r.get("merchant_id"),
                disabled: r.get::<i64, _>("active") == 0,
            })
        }
    };
}

macro_rules! impl_sql_pricing {
    ($store:ty, $db:ty) => {
        impl_discount_rows!($db);
        use app::domain::checkout::{DiscountCode, TaxRate, TaxTable};
        use app::domain::shipping_zones::{ShippingZone, ZoneRates};
        use app::services::catalog_store::StoreError;
        use app::services::pricing_store::{NewZone, PricingRead, PricingRules, PricingStore};
        use sqlx::Row;
        use $crate::store::errors::{map_sqlx, parsed};
        use $crate::store::pricing::{bands_column, bands_from_column, countries_column, countries_from_column};

        #[async_trait::async_trait]
        impl PricingRead for $store {
            async fn pricing_rules(&self, merchant_ids: &[i64]) -> Result<PricingRules, StoreError> {
                let mut zones = Vec::new();
                for merchant_id in merchant_ids {
                    let rows = sqlx::query(
                        "SELECT id, merchant_id, name, countries, bands, express_minor FROM shipping_zones
                         WHERE merchant_id = $1 ORDER BY id",
                    )
                    .bind(merchant_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                    for r in rows {
                        let bands: String = r.get(4);
                        zones.push(ShippingZone {
                            id: r.get(0),
                            merchant_id: r.get(1),
                            name: r.get(2),
                            countries: countries_from_column(r.get(3)),
                            rates: ZoneRates {
                                bands: parsed("shipping bands", &bands, bands_from_column(&bands))?,
                                express_minor: r.get(5),
                            },
                        });
                    }
                }
                let rates = sqlx::query("SELECT country, region, rate_bps FROM tax_rates ORDER BY country, region")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_sqlx)?;
                let inclusive: Option<String> =
                    sqlx::query_scalar("SELECT value FROM marketplace_settings WHERE key = 'prices_include_tax'")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_sqlx)?;
                Ok(PricingRules {
                    zones,
                    taxes: TaxTable {
                        rates: rates
                            .iter()
                            .map(|r| TaxRate {
                                country: r.get(0),
                                region: r.get(1),
                                bps: r.get::<i64, _>(2).clamp(0, 10_000) as u32,
                            })
                            .collect(),
                        prices_include_tax: inclusive.as_deref() == Some("true"),
                    },
                })
            }
        }

        #[async_trait::async_trait]
        impl PricingStore for $store {
            async fn add_zone(&self, zone: &NewZone, now: i64) -> Result<i64, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO shipping_zones (merchant_id, name, countries, bands, express_minor, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(zone.merchant_id)
                .bind(&zone.name)
                .bind(countries_column(&zone.countries))
                .bind(bands_column(&zone.rates.bands))
                .bind(zone.rates.express_minor)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_sqlx)?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(id)
            }

            async fn delete_zone(&self, merchant_id: i64, zone_id: i64) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let delete = sqlx::query("DELETE FROM shipping_zones WHERE id = $1 AND merchant_id = $2");
                let n = Self::run(&mut tx, delete.bind(zone_id).bind(merchant_id)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(n == 1)
            }

            async fn set_tax_rate(&self, rate: &TaxRate, now: i64) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let upsert = sqlx::query(
                    "INSERT INTO tax_rates (country, region, rate_bps, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (country, region) DO UPDATE SET rate_bps = excluded.rate_bps, updated_at = excluded.updated_at",
                );
                Self::run(&mut tx, upsert.bind(&rate.country).bind(&rate.region).bind(i64::from(rate.bps)).bind(now))
                    .await?;
                tx.commit().await.map_err(map_sqlx)
            }

            async fn delete_tax_rate(&self, country: &str, region: &str) -> Result<bool, StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let delete = sqlx::query("DELETE FROM tax_rates WHERE country = $1 AND region = $2");
                let n = Self::run(&mut tx, delete.bind(country).bind(region)).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(n == 1)
            }

            async fn discount_codes(&self, merchant_id: Option<i64>) -> Result<Vec<DiscountCode>, StoreError> {
                // A store's codes, or the marketplace's own (0 stands for none), newest first.
                let rows = sqlx::query(&format!(
                    "{DISCOUNT_COLUMNS} WHERE COALESCE(merchant_id, 0) = $1 ORDER BY created_at DESC, code LIMIT 200"
                ))
                .bind(merchant_id.unwrap_or(0))
                .fetch_all(&self.pool)
                .await
                .map_err(map_sqlx)?;
                rows.iter().map(discount_from_row).collect()
            }

            async fn set_discount_active(
                &self,
                code: &str,
                merchant_id: Option<i64>,
                active: bool,
                now: i64,
            ) -> Result<bool, StoreError> {
                let _ = now;
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let set = sqlx::query("UPDATE discount_codes SET active = $1 WHERE code = $2 AND COALESCE(merchant_id, 0) = $3");
                let n = Self::run(&mut tx, set.bind(i64::from(active)).bind(code).bind(merchant_id.unwrap_or(0))).await?;
                tx.commit().await.map_err(map_sqlx)?;
                Ok(n == 1)
            }

            async fn set_prices_include_tax(&self, include: bool, now: i64) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(map_sqlx)?;
                let set = sqlx::query(
                    "INSERT INTO marketplace_settings (key, value, updated_at) VALUES ('prices_include_tax', $1, $2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                );
                Self::run(&mut tx, set.bind(if include { "true" } else { "false" }).bind(now)).await?;
                tx.commit().await.map_err(map_sqlx)
            }
        }
    };
}
