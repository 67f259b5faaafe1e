//! Marketplace money: a store's Earnings (ledger and balance), the platform admin's Payouts page,
//! recording a payout, the commission rates, and the ledger for CSV export. The rules live in
//! `domain::payouts`; this wires them to the storage port.
use super::Shop;
use super::errors::store_err;
use super::payout_store::{NewPayout, PayoutRecorded};
use crate::domain::errors::AppError;
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::money::Currency;
use crate::domain::payouts::{
    Balance, CommissionRate, Earnings, LedgerEntry, PayoutRecord, PayoutsOverview, StoreMoney, balances, ledger,
    newest_page, validate_payout,
};

/// How many payouts the Payouts page lists.
const RECENT_PAYOUTS: usize = 20;

async fn entries(shop: &Shop, merchant_id: Option<i64>) -> Result<Vec<LedgerEntry>, AppError> {
    let source = shop.payouts.ledger_source(merchant_id).await.map_err(store_err)?;
    Ok(ledger(&source.parts, &source.refunds, &source.payouts))
}

/// Store `merchant_id`'s Earnings page: page `page` of its ledger, newest first.
pub async fn earnings(shop: &Shop, merchant_id: i64, page: usize) -> Result<Earnings, AppError> {
    let rates = shop.payouts.store_rates().await.map_err(store_err)?;
    let store = rates
        .into_iter()
        .find(|s| s.merchant_id == merchant_id)
        .ok_or_else(|| AppError::NotFound("No such store.".into()))?;
    let default = shop.payouts.default_commission().await.map_err(store_err)?;
    let all = entries(shop, Some(merchant_id)).await?;
    let (shown, page, pages) = newest_page(&all, page);
    Ok(Earnings {
        merchant_id,
        name: store.name,
        rate: crate::domain::payouts::effective_rate(store.own_rate, default),
        own_rate: store.own_rate.is_some(),
        balances: balances(&all),
        entries: shown,
        page,
        pages,
    })
}

/// The platform admin's Payouts page: every store's rate and balances, and the latest payouts.
pub async fn overview(shop: &Shop) -> Result<PayoutsOverview, AppError> {
    let default_rate = shop.payouts.default_commission().await.map_err(store_err)?;
    let rates = shop.payouts.store_rates().await.map_err(store_err)?;
    let source = shop.payouts.ledger_source(None).await.map_err(store_err)?;
    let all = ledger(&source.parts, &source.refunds, &source.payouts);
    let source_payouts = source.payouts;
    let stores: Vec<StoreMoney> = rates
        .into_iter()
        .map(|s| {
            let own: Vec<LedgerEntry> = all.iter().filter(|e| e.merchant_id == s.merchant_id).cloned().collect();
            StoreMoney { merchant_id: s.merchant_id, name: s.name, own_rate: s.own_rate, balances: balances(&own) }
        })
        .collect();
    let mut recent: Vec<PayoutRecord> = source_payouts;
    recent.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.id)));
    recent.truncate(RECENT_PAYOUTS);
    let recent = recent
        .into_iter()
        .map(|p| {
            let name =
                stores.iter().find(|s| s.merchant_id == p.merchant_id).map(|s| s.name.clone()).unwrap_or_default();
            (p, name)
        })
        .collect();
    Ok(PayoutsOverview { default_rate, stores, recent, action_key: super::random::action_key() })
}

/// Records that the platform paid `merchant_id` `amount` (as typed) in `currency`. At most what
/// the store is owed in that currency; a retry with the same key records it once.
pub async fn record_payout(
    shop: &Shop,
    admin_user_id: i64,
    merchant_id: i64,
    currency: &str,
    amount: &str,
    reference: &str,
    idempotency_key: &str,
) -> Result<PayoutRecord, AppError> {
    let key = IdempotencyKey::parse(idempotency_key).map_err(|m| AppError::one("idempotency_key", m))?;
    let currency = Currency::parse(currency).map_err(|e| AppError::one("currency", e.to_string()))?;
    let amount_minor = crate::domain::product_form::parse_amount(amount);
    let stored_key = format!("payout-{}", key.as_str());
    // Two attempts: a payout recorded by someone else between reading and writing is seen on the
    // second read, and the amount is checked against the new balance.
    for _ in 0..2 {
        let all = entries(shop, Some(merchant_id)).await?;
        let owed = balances(&all).into_iter().find(|b| b.currency == currency).unwrap_or(Balance::zero(currency));
        let reference = match validate_payout(amount_minor, reference, &owed) {
            Ok(r) => r,
            // A retry of a payout that went through finds its key before the balance refuses it.
            Err(e) => match shop.payouts.payout_by_key(&stored_key).await.map_err(store_err)? {
                Some(found) => return same_payout(found, merchant_id, currency, amount_minor),
                None => return Err(AppError::one(e.0, e.1)),
            },
        };
        let payout = NewPayout {
            merchant_id,
            currency,
            amount_minor: amount_minor.unwrap_or_default(),
            reference,
            created_by: Some(admin_user_id),
            idempotency_key: stored_key.clone(),
            expected_paid_minor: owed.payouts_minor,
            now: shop.clock.now(),
        };
        match shop.payouts.record_payout(&payout).await.map_err(store_err)? {
            PayoutRecorded::Recorded(p) => return Ok(p),
            PayoutRecorded::KeyExists(found) => return same_payout(found, merchant_id, currency, amount_minor),
            PayoutRecorded::Stale => continue,
            PayoutRecorded::NoSuchStore => return Err(AppError::NotFound("No such store.".into())),
        }
    }
    Err(AppError::Conflict("Another payout for this store was just recorded; reload to see its balance.".into()))
}

/// A payout found under the key: a retry of the same payout answers like the first time; the
/// key on another payout is a conflict.
fn same_payout(
    found: PayoutRecord,
    merchant_id: i64,
    currency: Currency,
    amount: Option<i64>,
) -> Result<PayoutRecord, AppError> {
    if found.merchant_id == merchant_id && found.currency == currency && Some(found.amount_minor) == amount {
        Ok(found)
    } else {
        Err(AppError::Conflict(crate::domain::idempotency::CONFLICT_MESSAGE.into()))
    }
}

/// Sets the marketplace's default rate (`merchant_id` None) or a store's own rate; a blank rate
/// for a store goes back to the default.
pub async fn set_commission(shop: &Shop, merchant_id: Option<i64>, typed: &str) -> Result<(), AppError> {
    let rate = if typed.trim().is_empty() && merchant_id.is_some() {
        None
    } else {
        Some(CommissionRate::parse_percent(typed).map_err(|m| AppError::one("rate", m))?)
    };
    match (merchant_id, rate) {
        (None, Some(rate)) => shop.payouts.set_default_commission(rate, shop.clock.now()).await.map_err(store_err),
        (Some(id), rate) => match shop.payouts.set_store_commission(id, rate).await.map_err(store_err)? {
            true => Ok(()),
            false => Err(AppError::NotFound("No such store.".into())),
        },
        (None, None) => Err(AppError::one("rate", "Enter the marketplace's commission, like 10.")),
    }
}

/// The ledger of one store, or every store's with `None`, oldest first, each entry with its
/// store's name: the CSV export.
pub async fn ledger_export(shop: &Shop, merchant_id: Option<i64>) -> Result<Vec<(LedgerEntry, String)>, AppError> {
    let names = shop.payouts.store_rates().await.map_err(store_err)?;
    let all = entries(shop, merchant_id).await?;
    Ok(all
        .into_iter()
        .map(|e| {
            let name =
                names.iter().find(|s| s.merchant_id == e.merchant_id).map(|s| s.name.clone()).unwrap_or_default();
            (e, name)
        })
        .collect())
}
