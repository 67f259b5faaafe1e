//! Inventory against SQLite and PostgreSQL: adjustments change stock and record their history with
//! the stock they left; removing more than there is is refused and writes nothing; store B cannot
//! touch store A's variant; concurrent removals never take stock below zero; the low-stock list
//! follows the store's threshold; a repeated idempotency key applies once.
#[macro_use]
mod support;

use app::domain::inventory::{Adjustment, DEFAULT_THRESHOLD, Reason, insufficient_message, validate};
use app::domain::paging::Cursor;
use app::services::inventory_store::{AdjustOutcome, InventoryStore};
use server::store::Database;
use std::sync::Arc;
use support::fixtures::{self, Marketplace, store};

conformance!(multi_thread;
    adjustments_change_stock_and_record_history,
    removing_more_than_in_stock_is_refused_and_writes_nothing,
    another_store_cannot_adjust_the_variant,
    low_stock_list_honours_the_threshold,
    a_repeated_key_applies_once,
    concurrent_removals_never_go_below_zero,
);

struct Fixture {
    a: i64,
    b: i64,
    /// (variant id, sku) of store A: lamp (stock 5), vase (stock 2), cup (stock 40).
    lamp: i64,
    vase: i64,
    cup: i64,
    /// Store B's chair (stock 7).
    chair: i64,
}

async fn stores(db: &Database) -> Fixture {
    let item = |slug: &str, stock: i64| {
        fixtures::item(slug)
            .title(format!("The {slug}"))
            .sku(format!("{}-1", slug.to_uppercase()))
            .variant_title("Default")
            .stock(stock)
    };
    let m = Marketplace::new()
        .store(store("north").sells([item("lamp", 5), item("vase", 2), item("cup", 40)]))
        .store(store("harbor").sells([item("chair", 7)]))
        .build(db)
        .await;
    Fixture {
        a: m.stores[0],
        b: m.stores[1],
        lamp: m.variant("lamp"),
        vase: m.variant("vase"),
        cup: m.variant("cup"),
        chair: m.variant("chair"),
    }
}

fn adj(variant_id: i64, delta: i64, reason: Reason, note: &str) -> Adjustment {
    Adjustment { variant_id, delta, reason, note: note.into() }
}

async fn stock(db: &Database, variant: i64) -> i64 {
    db.scalar_raw(&format!("SELECT stock FROM product_variants WHERE id = {variant}")).await.unwrap()
}

async fn adjustments(db: &Database) -> i64 {
    db.scalar_raw("SELECT COUNT(*) FROM stock_adjustments").await.unwrap()
}

async fn adjustments_change_stock_and_record_history(db: Database) {
    let f = stores(&db).await;
    let inv = db.inventory();
    let got = inv.adjust(f.a, None, &adj(f.lamp, 10, Reason::Received, "pallet 4"), None, 100).await.unwrap();
    assert!(matches!(got, AdjustOutcome::Applied { stock_after: 15, .. }), "{got:?}");
    let got = inv.adjust(f.a, None, &adj(f.lamp, -2, Reason::Damaged, ""), None, 200).await.unwrap();
    assert!(matches!(got, AdjustOutcome::Applied { stock_after: 13, .. }), "{got:?}");
    let got = inv.adjust(f.a, None, &adj(f.lamp, -13, Reason::Correction, "count"), None, 300).await.unwrap();
    assert!(matches!(got, AdjustOutcome::Applied { stock_after: 0, .. }), "{got:?}");
    assert_eq!(stock(&db, f.lamp).await, 0);

    let h = inv.history(f.a, f.lamp, 50).await.unwrap().expect("the lamp is store A's");
    assert_eq!(h.stock, 0);
    assert_eq!(h.sku, "LAMP-1");
    assert_eq!(h.product_title, "The lamp");
    let seen: Vec<(i64, &str, i64, &str, i64)> =
        h.entries.iter().map(|e| (e.delta, e.reason.as_str(), e.stock_after, e.note.as_str(), e.created_at)).collect();
    assert_eq!(
        seen,
        vec![(-13, "correction", 0, "count", 300), (-2, "damaged", 13, "", 200), (10, "received", 15, "pallet 4", 100)]
    );
    // Other variants untouched, and their history is their own.
    assert_eq!(stock(&db, f.vase).await, 2);
    assert!(inv.history(f.a, f.vase, 50).await.unwrap().unwrap().entries.is_empty());
    assert_eq!(inv.history(f.a, f.lamp, 2).await.unwrap().unwrap().entries.len(), 2);
}

async fn removing_more_than_in_stock_is_refused_and_writes_nothing(db: Database) {
    let f = stores(&db).await;
    let inv = db.inventory();
    let before = stock(&db, f.lamp).await;
    let got = inv.adjust(f.a, None, &adj(f.lamp, -6, Reason::Damaged, ""), None, 100).await.unwrap();
    assert_eq!(got, AdjustOutcome::Insufficient { stock: 5 });
    assert_eq!(insufficient_message(5, -6), "Only 5 in stock; you cannot remove 6.");
    assert_eq!(stock(&db, f.lamp).await, before);
    assert_eq!(adjustments(&db).await, 0);
    // Exactly what there is can go.
    let got = inv.adjust(f.a, None, &adj(f.lamp, -5, Reason::Correction, ""), None, 100).await.unwrap();
    assert!(matches!(got, AdjustOutcome::Applied { stock_after: 0, .. }));
    assert_eq!(adjustments(&db).await, 1);
    // The domain refuses what the store never sees.
    assert!(validate(f.lamp, "0", "correction", "").is_err());
    assert!(validate(f.lamp, "5", "damaged", "").is_err());
}

async fn another_store_cannot_adjust_the_variant(db: Database) {
    let f = stores(&db).await;
    let inv = db.inventory();
    let got = inv.adjust(f.b, None, &adj(f.lamp, 10, Reason::Received, ""), None, 100).await.unwrap();
    assert_eq!(got, AdjustOutcome::NotFound);
    let got = inv.adjust(f.b, None, &adj(f.lamp, -100, Reason::Damaged, ""), None, 100).await.unwrap();
    assert_eq!(got, AdjustOutcome::NotFound, "a foreign variant never reveals its stock");
    assert_eq!(stock(&db, f.lamp).await, 5);
    assert_eq!(adjustments(&db).await, 0);
    assert_eq!(inv.history(f.b, f.lamp, 50).await.unwrap(), None);
    let rows = inv.stock_rows(f.b, "", false, 5, Cursor::Newest, 50).await.unwrap();
    let total = rows.len();
    assert_eq!(total, 1);
    assert_eq!(rows.iter().map(|r| r.variant_id).collect::<Vec<_>>(), vec![f.chair]);
    let rows = inv.stock_rows(f.b, "lamp", false, 5, Cursor::Newest, 50).await.unwrap();
    assert!(rows.is_empty());
    // Its own variant, yes.
    let got = inv.adjust(f.b, None, &adj(f.chair, 1, Reason::Received, ""), None, 100).await.unwrap();
    assert!(matches!(got, AdjustOutcome::Applied { stock_after: 8, .. }));
}

async fn concurrent_removals_never_go_below_zero(db: Database) {
    let f = stores(&db).await;
    let inv: Arc<dyn InventoryStore> = db.inventory();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let inv = inv.clone();
        let (a, lamp) = (f.a, f.lamp);
        tasks.push(tokio::spawn(async move {
            inv.adjust(a, None, &adj(lamp, -1, Reason::Damaged, &format!("task {i}")), None, 100 + i).await.unwrap()
        }));
    }
    let mut applied = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            AdjustOutcome::Applied { stock_after, .. } => applied.push(stock_after),
            AdjustOutcome::Insufficient { stock } => {
                assert_eq!(stock, 0);
                refused += 1
            }
            AdjustOutcome::NotFound => panic!("the lamp is store A's"),
        }
    }
    applied.sort();
    assert_eq!(applied, vec![0, 1, 2, 3, 4], "each removal left its own stock");
    assert_eq!(refused, 3);
    assert_eq!(stock(&db, f.lamp).await, 0);
    let h = inv.history(f.a, f.lamp, 50).await.unwrap().unwrap();
    assert_eq!(h.entries.len(), 5);
    let after: Vec<i64> = h.entries.iter().map(|e| e.stock_after).collect();
    // Newest first: the history counts down to zero in the order the removals committed.
    assert_eq!(after, vec![0, 1, 2, 3, 4]);
    assert!(h.entries.iter().all(|e| e.delta == -1 && e.reason.as_str() == "damaged"));
}

async fn low_stock_list_honours_the_threshold(db: Database) {
    let f = stores(&db).await;
    let inv = db.inventory();
    assert_eq!(inv.low_stock_threshold(f.a).await.unwrap(), DEFAULT_THRESHOLD);
    let t = inv.low_stock_threshold(f.a).await.unwrap();
    // Default 5: the lamp (5) and the vase (2) are low, the cup (40) is not.
    let rows = inv.stock_rows(f.a, "", true, t, Cursor::Newest, 50).await.unwrap();
    let total = rows.len();
    assert_eq!(total, 2);
    let mut ids: Vec<i64> = rows.iter().map(|r| r.variant_id).collect();
    ids.sort();
    let mut want = vec![f.lamp, f.vase];
    want.sort();
    assert_eq!(ids, want);
    assert!(rows.iter().all(|r| r.low));
    // All rows, flagged; ordered by product title.
    let rows = inv.stock_rows(f.a, "", false, t, Cursor::Newest, 50).await.unwrap();
    let total = rows.len();
    assert_eq!(total, 3);
    assert_eq!(
        rows.iter().map(|r| (r.sku.as_str(), r.low)).collect::<Vec<_>>(),
        vec![("CUP-1", false), ("LAMP-1", true), ("VASE-1", true)]
    );
    // A threshold of 2 leaves only the vase; 40 takes them all.
    inv.set_low_stock_threshold(f.a, 2).await.unwrap();
    assert_eq!(inv.low_stock_threshold(f.a).await.unwrap(), 2);
    assert_eq!(inv.low_stock_threshold(f.b).await.unwrap(), DEFAULT_THRESHOLD, "per store");
    let rows = inv.stock_rows(f.a, "", true, 2, Cursor::Newest, 50).await.unwrap();
    let total = rows.len();
    assert_eq!((total, rows[0].variant_id), (1, f.vase));
    let total = inv.stock_rows(f.a, "", true, 40, Cursor::Newest, 50).await.unwrap().len();
    assert_eq!(total, 3);
    // Search by title or SKU, case-insensitive, with LIKE's wildcards taken literally; paging.
    let rows = inv.stock_rows(f.a, "Lamp", false, 2, Cursor::Newest, 50).await.unwrap();
    let total = rows.len();
    assert_eq!((total, rows[0].variant_id), (1, f.lamp));
    let rows = inv.stock_rows(f.a, "cup-1", false, 2, Cursor::Newest, 50).await.unwrap();
    assert_eq!(rows[0].variant_id, f.cup);
    assert!(inv.stock_rows(f.a, "%", false, 2, Cursor::Newest, 50).await.unwrap().is_empty());
    assert!(inv.stock_rows(f.a, "_", false, 2, Cursor::Newest, 50).await.unwrap().is_empty());
    // Paged by cursor: the rows after the second one (LAMP-1) in title order.
    let rows = inv.stock_rows(f.a, "", false, 2, Cursor::Before(f.lamp), 2).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.sku.as_str()).collect::<Vec<_>>(), vec!["VASE-1"]);
    let rows = inv.stock_rows(f.a, "", false, 2, Cursor::After(f.vase), 2).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.sku.as_str()).collect::<Vec<_>>(), vec!["LAMP-1", "CUP-1"], "nearest first");
    // A bad threshold is refused by the database too.
    assert!(inv.set_low_stock_threshold(f.a, -1).await.is_err());
}

async fn a_repeated_key_applies_once(db: Database) {
    let f = stores(&db).await;
    let inv = db.inventory();
    let a = adj(f.cup, 3, Reason::Received, "");
    let first = inv.adjust(f.a, None, &a, Some("key-cup-0001"), 100).await.unwrap();
    let again = inv.adjust(f.a, None, &a, Some("key-cup-0001"), 101).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(stock(&db, f.cup).await, 43);
    assert_eq!(adjustments(&db).await, 1);
}
