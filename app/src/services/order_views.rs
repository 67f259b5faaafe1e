//! Orders as people see them: the shopper's order page and history, and a store's queue and its
//! view of one order. The storage port returns what is stored; the shown status
//! (`domain::fulfilment::shown_status`), the parcels' and returns' labels and links
//! (`fulfilment::views`) and what a store may see of an order are applied here.
use super::Shop;
use super::fulfilment::views::{return_view, shipment_view};
use super::order_store::{OrderStore, PartFilter};
use super::store_err;
use crate::domain::errors::AppError;
use crate::domain::fulfilment::shown_status;
use crate::domain::money::Money;
use crate::domain::order::{OrderNumber, PartStatus};
use crate::domain::order_search;
use crate::domain::paging::{self, Cursor, Page};
use crate::views::orders::{
    MerchantOrderView, MerchantPartSummary, OrderSummary, OrderView, PartPaymentView, StoreOrderQueue,
};

/// The order with this number and the user who placed it (none for a guest), as its shopper
/// sees it.
pub async fn order_view(store: &dyn OrderStore, number: &str) -> Result<Option<(Option<i64>, OrderView)>, AppError> {
    let Some(record) = store.order(number).await.map_err(store_err)? else { return Ok(None) };
    let mut order = record.order;
    let parts: Vec<PartStatus> = order.parts.iter().filter_map(|p| PartStatus::parse(&p.status)).collect();
    order.status = shown_status(&order.status, &parts);
    let (mut shipments, mut returns) = (record.shipments, record.returns);
    for part in &mut order.parts {
        part.shipments = take_of(&mut shipments, part.merchant_id).into_iter().map(shipment_view).collect();
        part.returns = take_of(&mut returns, part.merchant_id).into_iter().map(return_view).collect();
    }
    Ok(Some((record.user_id, order)))
}

/// The records of one part (by its store), taken out of (store id, record) pairs in their order.
fn take_of<T>(all: &mut Vec<(i64, T)>, merchant_id: i64) -> Vec<T> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(all).into_iter().partition(|(m, _)| *m == merchant_id);
    *all = rest;
    mine.into_iter().map(|(_, v)| v).collect()
}

/// The user's orders, newest first, each with the status its page shows.
pub async fn orders_of_user(store: &dyn OrderStore, user_id: i64, limit: i64) -> Result<Vec<OrderSummary>, AppError> {
    let rows = store.orders_of_user(user_id, limit).await.map_err(store_err)?;
    Ok(rows.into_iter().map(|(o, parts)| OrderSummary { status: shown_status(&o.status, &parts), ..o }).collect())
}

/// How many order parts a page of the queue shows.
pub const QUEUE_PAGE: usize = 25;

/// A page of a store's queue of order parts, newest first: one status, a search (order number,
/// e-mail, ship-to name or SKU: `domain::order_search`) and a cursor (`domain::paging`). An
/// unknown status filter or cursor is dropped rather than refused: the list is a link people
/// share; a search that cannot be run says why and shows the unsearched list.
pub async fn store_queue(
    shop: &Shop,
    merchant_id: i64,
    status: Option<String>,
    search: Option<String>,
    cursor: Cursor,
) -> Result<StoreOrderQueue, AppError> {
    let status = status.and_then(|s| PartStatus::parse(&s));
    let typed = search.unwrap_or_default();
    let (query, search_error) = match order_search::parse(&typed) {
        Ok(q) => (q, None),
        Err(message) => (None, Some(message)),
    };
    let filter = PartFilter { status, search: query };
    let page = store_parts(shop.orders.as_ref(), merchant_id, &filter, cursor, QUEUE_PAGE).await?;
    let store_name =
        shop.admin.store_settings(merchant_id).await.map_err(store_err)?.map(|s| s.name).unwrap_or_default();
    Ok(StoreOrderQueue {
        merchant_id,
        store_name,
        status: status.map(|s| s.as_str().to_string()),
        search: typed.trim().to_string(),
        search_error,
        page,
    })
}

/// One page of the store's parts matching `filter` from `cursor`.
pub async fn store_parts(
    store: &dyn OrderStore,
    merchant_id: i64,
    filter: &PartFilter,
    cursor: Cursor,
    size: usize,
) -> Result<Page<MerchantPartSummary>, AppError> {
    let read = |c: Cursor| store.parts_of_merchant(merchant_id, filter, c, paging::fetch_size(size));
    super::list_pages::cursor_page(read, |p| p.order_id, cursor, size).await
}

/// The orders CSV (`/admin/orders.csv`): one row per order part, amounts as plain decimals a
/// spreadsheet sums, text escaped against formula injection.
pub const ORDERS_CSV_COLUMNS: [&str; 15] = [
    "order",
    "date_utc",
    "status",
    "payment",
    "email",
    "ship_name",
    "ship_country",
    "items",
    "subtotal",
    "shipping",
    "discount",
    "tax",
    "total",
    "currency",
    "order_id",
];

pub fn orders_csv_record(p: &MerchantPartSummary) -> [String; 15] {
    use crate::domain::product_csv::escape_cell;
    [
        p.number.clone(),
        crate::domain::dates::ymd_hm(p.created_at),
        p.status.clone(),
        p.payment_status.clone().unwrap_or_default(),
        escape_cell(&p.email),
        escape_cell(&p.ship_name),
        escape_cell(&p.ship_country),
        p.items.to_string(),
        p.subtotal.decimal(),
        p.shipping.decimal(),
        p.discount.decimal(),
        p.tax.decimal(),
        p.total.decimal(),
        p.total.currency.code().to_string(),
        p.order_id.to_string(),
    ]
}

/// How many parts the export reads per query: memory stays flat however many orders there are.
pub const EXPORT_BATCH: usize = 500;

/// The filter of an export link (`status`, `q`), read like the queue page reads it; a search that
/// cannot be run is an error here, since a file silently holding every order would mislead.
pub fn export_filter(status: Option<&str>, search: Option<&str>) -> Result<PartFilter, AppError> {
    let search = order_search::parse(search.unwrap_or_default()).map_err(|m| AppError::one("q", m))?;
    Ok(PartFilter { status: status.and_then(PartStatus::parse), search })
}

/// One order as store `merchant_id` sees it, with a fresh key for its action forms; another
/// store's order answers like a missing one.
pub async fn store_order(shop: &Shop, merchant_id: i64, number: &str) -> Result<MerchantOrderView, AppError> {
    let missing = || AppError::NotFound("We couldn't find that order in your store.".into());
    let number = OrderNumber::parse(number).map_err(|_| missing())?;
    let (_, view) = order_view(shop.orders.as_ref(), number.as_str()).await?.ok_or_else(missing)?;
    let mut view = merchant_view(view, merchant_id).ok_or_else(missing)?;
    view.action_key = super::random::action_key();
    Ok(view)
}

/// `view` as the store `merchant_id` sees it (its own part, its share of the payment); none when
/// the store has no part in it.
pub fn merchant_view(view: OrderView, merchant_id: i64) -> Option<MerchantOrderView> {
    const BEFORE_PAYMENT: [&str; 4] = ["awaiting_payment", "payment_failed", "expired", "cancelled"];
    let others = view.parts.iter().filter(|p| p.merchant_id != merchant_id).count();
    let part = view.parts.into_iter().find(|p| p.merchant_id == merchant_id)?;
    let order_status = if BEFORE_PAYMENT.contains(&view.status.as_str()) { view.status } else { part.status.clone() };
    // The same share the refund ledger counts as captured for the part (`fulfilment::ledger`).
    let payment = view.payment.map(|p| PartPaymentView {
        status: p.status,
        captured: Money::new(part.total.minor.min(p.captured.minor).max(0), part.total.currency),
    });
    Some(MerchantOrderView {
        number: view.number,
        created_at: view.created_at,
        order_status,
        email: view.email,
        ship_to: view.ship_to,
        part,
        other_stores: others,
        payment,
        action_key: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::address::AddressInput;
    use crate::views::orders::{OrderLineView, OrderPartView, PaymentEventView, PaymentView};

    fn part(merchant_id: i64, title: &str, total: i64, status: &str) -> OrderPartView {
        let usd = |m| Money::new(m, crate::domain::money::Currency::USD);
        OrderPartView {
            merchant_id,
            merchant_name: format!("Store {merchant_id}"),
            status: status.into(),
            shipping_speed: "standard".into(),
            lines: vec![OrderLineView {
                id: merchant_id * 10,
                title: title.into(),
                sku: format!("{title}-sku"),
                quantity: 1,
                unit_price: usd(total),
                line_total: usd(total),
                shipped: 0,
                returned: 0,
                refunded: usd(0),
            }],
            subtotal: usd(total),
            shipping: usd(0),
            discount: usd(0),
            tax: usd(0),
            total: usd(total),
            refunded: usd(0),
            delivered_at: None,
            shipments: vec![],
            returns: vec![],
        }
    }

    #[test]
    fn a_store_sees_its_own_part_and_its_share_of_the_payment() {
        let usd = |m| Money::new(m, crate::domain::money::Currency::USD);
        let view = OrderView {
            number: "MM-ABCDEFGHJKMN".into(),
            status: "partially_shipped".into(),
            email: "ada@example.com".into(),
            created_at: 1,
            ship_to: AddressInput::default(),
            parts: vec![part(1, "Lamp", 2_500, "shipped"), part(2, "Speaker", 4_000, "paid")],
            subtotal: usd(6_500),
            shipping: usd(0),
            discount: usd(0),
            tax: usd(0),
            total: usd(6_500),
            payment: Some(PaymentView {
                status: "captured".into(),
                card_brand: "visa".into(),
                card_last4: "4242".into(),
                amount: usd(6_500),
                captured: usd(6_500),
                events: vec![PaymentEventView {
                    kind: "capture".into(),
                    amount: usd(6_500),
                    outcome: "succeeded".into(),
                    at: 1,
                }],
            }),
        };
        let b = merchant_view(view.clone(), 2).unwrap();
        assert_eq!(b.part.lines.len(), 1);
        assert_eq!(b.part.lines[0].title, "Speaker");
        assert_eq!(b.order_status, "paid", "B's own progress, not that A shipped");
        assert_eq!(b.payment, Some(PartPaymentView { status: "captured".into(), captured: usd(4_000) }));
        let json = leptos::serde_json::to_string(&b).unwrap();
        assert!(!json.contains("Lamp") && !json.contains("6500"), "{json}");
        // Before payment the order's own status shows; a part of a cancelled capture shows 0.
        let mut unpaid = view;
        unpaid.status = "payment_failed".into();
        if let Some(p) = unpaid.payment.as_mut() {
            p.captured = usd(0);
        }
        let a = merchant_view(unpaid, 1).unwrap();
        assert_eq!(a.order_status, "payment_failed");
        assert_eq!(a.payment.unwrap().captured, usd(0));
    }
}
