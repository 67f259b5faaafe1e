//! Recommendations against SQLite and PostgreSQL: co-purchases become "customers also bought"
//! after a refresh (never the product itself); unpublished, sold-out and suspended-store products
//! never appear in any block; a shopper without history gets popular products; a shopper who
//! bought A gets predictions without A; concurrent refreshes take turns on the lease and leave
//! consistent rows; buffered views (signed-in and anonymous) reach their tables in one flush; the
//! product page gives an anonymous visitor a visitor cookie and records the view.
#[macro_use]
mod support;

use app::services::recommendation_store::{HistoryOrder, RecommendationStore, ViewEvent, ViewSink, Viewer};
use app::services::recommendations::{Asker, also_bought, buy_again, for_you, together};
use server::recs_job::{Refresh, refresh};
use server::store::Database;
use std::sync::Arc;
use support::fixtures::{self, Marketplace, store};

conformance!(multi_thread;
    co_purchases_become_also_bought,
    hidden_sold_out_and_suspended_products_are_never_recommended,
    a_shopper_without_history_gets_popular_products,
    a_buyer_gets_predictions_without_what_they_bought,
    concurrent_refreshes_take_turns_on_the_lease,
    buffered_views_are_written_in_one_flush,
    buy_again_is_what_the_shopper_bought_most_and_nothing_else,
    a_visitors_own_views_feed_recommended_for_you,
    recommended_for_you_puts_new_things_first_then_what_they_rebuy,
);

const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;

struct Fixture {
    /// Products by letter: (product id, variant id). a..f in store "north", g in store "harbor".
    p: Vec<(i64, i64)>,
    harbor: i64,
    users: Vec<i64>,
}

impl Fixture {
    fn id(&self, letter: char) -> i64 {
        self.p[(letter as u8 - b'a') as usize].0
    }
}

async fn fixture(db: &Database) -> Fixture {
    let items = |letters: &str| -> Vec<fixtures::Item> {
        letters
            .chars()
            .map(|l| {
                fixtures::item(&format!("item-{l}"))
                    .title(format!("Item {}", l.to_ascii_uppercase()))
                    .sku(format!("SKU-{l}"))
                    .price(1500)
                    .created_at(NOW - 100 * DAY)
            })
            .collect()
    };
    let m = Marketplace::new()
        .store(store("north").sells(items("abcdef")))
        .store(store("harbor").sells(items("g")))
        .build(db)
        .await;
    let p = m.products.iter().map(|p| (p.id, p.variants[0])).collect();
    let mut users = Vec::new();
    for i in 0..8 {
        users.push(fixtures::shopper(db, &format!("shopper{i}@recs.test"), &format!("Shopper {i}")).await);
    }
    Fixture { p, harbor: m.stores[1], users }
}

/// Shopper `u` bought these letters together, `days` ago.
fn order(f: &Fixture, u: usize, letters: &str, days: i64) -> HistoryOrder {
    HistoryOrder {
        user_id: f.users[u],
        email: format!("shopper{u}@recs.test"),
        at: NOW - days * DAY,
        lines: letters.chars().map(|l| (f.id(l), 1)).collect(),
    }
}

async fn refreshed(store: &dyn RecommendationStore) {
    let outcome = refresh(store, "test-holder", NOW).await.unwrap();
    assert!(matches!(outcome, Refresh::Done { .. }), "{outcome:?}");
}

fn ids(cards: &[app::domain::catalog::ProductCard]) -> Vec<i64> {
    cards.iter().map(|c| c.id).collect()
}

async fn co_purchases_become_also_bought(db: Database) {
    let f = fixture(&db).await;
    let recs = db.recommendations();
    // A+B by three shoppers, A+C once (below the minimum support), D alone (popular).
    let orders = vec![
        order(&f, 0, "ab", 10),
        order(&f, 1, "ab", 9),
        order(&f, 2, "abe", 8),
        order(&f, 3, "ac", 7),
        order(&f, 4, "d", 2),
        order(&f, 5, "d", 2),
    ];
    assert_eq!(recs.import_history(&orders).await.unwrap(), 6);
    refreshed(recs.as_ref()).await;
    let cards = also_bought(recs.as_ref(), f.id('a')).await.unwrap();
    let got = ids(&cards);
    assert_eq!(got.first(), Some(&f.id('b')), "B first in A's also-bought: {got:?}");
    assert!(!got.contains(&f.id('a')), "never the product itself: {got:?}");
    // B's neighbours: A (three baskets) before E (one basket, filled from popularity at most).
    let b = ids(&also_bought(recs.as_ref(), f.id('b')).await.unwrap());
    assert_eq!(b.first(), Some(&f.id('a')), "{b:?}");
    // Stored rows: ranks from 1, support counted.
    let support = db
        .scalar_raw(&format!("SELECT support FROM item_similarities WHERE product_id = {} AND rank = 1", f.id('a')))
        .await
        .unwrap();
    assert_eq!(support, 3);
    // The cart's "bought together": B for a cart holding A, never A.
    let t = ids(&together(recs.as_ref(), &[f.id('a')]).await.unwrap());
    assert_eq!(t.first(), Some(&f.id('b')), "{t:?}");
    assert!(!t.contains(&f.id('a')));
}

async fn hidden_sold_out_and_suspended_products_are_never_recommended(db: Database) {
    let f = fixture(&db).await;
    let recs = db.recommendations();
    let mut orders = Vec::new();
    // A bought with B, C and G (store harbor) by several shoppers each: all strong neighbours.
    for u in 0..4 {
        orders.push(order(&f, u, "abcg", 5 + u as i64));
    }
    recs.import_history(&orders).await.unwrap();
    refreshed(recs.as_ref()).await;
    let before = ids(&also_bought(recs.as_ref(), f.id('a')).await.unwrap());
    for l in ['b', 'c', 'g'] {
        assert!(before.contains(&f.id(l)), "{l} is a neighbour before: {before:?}");
    }
    db.execute_raw(&format!("UPDATE products SET status = 'draft' WHERE id = {}", f.id('b'))).await.unwrap();
    db.execute_raw(&format!("UPDATE product_variants SET stock = 0 WHERE product_id = {}", f.id('c'))).await.unwrap();
    db.execute_raw(&format!("UPDATE merchants SET status = 'suspended' WHERE id = {}", f.harbor)).await.unwrap();
    let hidden = [f.id('b'), f.id('c'), f.id('g')];
    let other = f.users[7];
    recs.import_history(&[order(&f, 7, "a", 1)]).await.unwrap();
    let blocks = vec![
        ("also bought", also_bought(recs.as_ref(), f.id('a')).await.unwrap()),
        ("together", together(recs.as_ref(), &[f.id('a'), f.id('d')]).await.unwrap()),
        ("for you", for_you(recs.as_ref(), Asker::Shopper(other), NOW).await.unwrap().1),
        ("popular", for_you(recs.as_ref(), Asker::Nobody, NOW).await.unwrap().1),
    ];
    for (name, cards) in blocks {
        assert!(!cards.is_empty(), "{name} is never empty while products are on sale");
        for id in ids(&cards) {
            assert!(!hidden.contains(&id), "{name} recommends hidden product {id}");
        }
    }
}

async fn a_shopper_without_history_gets_popular_products(db: Database) {
    let f = fixture(&db).await;
    let recs = db.recommendations();
    recs.import_history(&[order(&f, 0, "ab", 3), order(&f, 1, "b", 2)]).await.unwrap();
    refreshed(recs.as_ref()).await;
    let (personal, cards) = for_you(recs.as_ref(), Asker::Shopper(f.users[6]), NOW).await.unwrap();
    assert!(!personal);
    assert_eq!(cards.first().map(|c| c.id), Some(f.id('b')), "the most bought first");
    let (personal, anon) = for_you(recs.as_ref(), Asker::Nobody, NOW).await.unwrap();
    assert!(!personal);
    assert_eq!(ids(&anon), ids(&cards));
    // Before any refresh (nothing stored yet) a block is simply empty, never an error.
    let fresh = support::sqlite().await;
    assert!(for_you(fresh.recommendations().as_ref(), Asker::Nobody, NOW).await.unwrap().1.is_empty());
}

async fn a_buyer_gets_predictions_without_what_they_bought(db: Database) {
    let f = fixture(&db).await;
    let recs = db.recommendations();
    let mut orders = vec![order(&f, 0, "ab", 20), order(&f, 1, "ab", 19), order(&f, 2, "abc", 18)];
    orders.push(order(&f, 3, "bc", 17));
    recs.import_history(&orders).await.unwrap();
    refreshed(recs.as_ref()).await;
    // Shopper 6 bought A only.
    recs.import_history(&[order(&f, 6, "a", 1)]).await.unwrap();
    let (personal, cards) = for_you(recs.as_ref(), Asker::Shopper(f.users[6]), NOW).await.unwrap();
    let got = ids(&cards);
    assert!(personal, "{got:?}");
    assert!(!got.contains(&f.id('a')), "A was bought: {got:?}");
    assert_eq!(got.first(), Some(&f.id('b')), "{got:?}");
}

async fn concurrent_refreshes_take_turns_on_the_lease(db: Database) {
    let f = fixture(&db).await;
    let recs: Arc<dyn RecommendationStore> = db.recommendations();
    recs.import_history(&[order(&f, 0, "ab", 3), order(&f, 1, "ab", 2), order(&f, 2, "abc", 1)]).await.unwrap();
    // The lease itself: one holder at a time, free again once expired or released.
    assert!(recs.try_lease("recommendations", "one", NOW, 60).await.unwrap());
    assert!(!recs.try_lease("recommendations", "two", NOW + 10, 60).await.unwrap());
    assert_eq!(refresh(recs.as_ref(), "two", NOW + 10).await.unwrap(), Refresh::Skipped);
    assert!(recs.try_lease("recommendations", "two", NOW + 61, 60).await.unwrap(), "an expired lease is free");
    // "one" overran: its write is refused and nothing is written.
    assert!(!recs.replace(("recommendations", "one"), NOW + 62, &[], &[]).await.unwrap());
    recs.release_lease("recommendations", "two", NOW + 62, false).await.unwrap();

    let runs: Vec<_> = (0..4)
        .map(|i| {
            let recs = recs.clone();
            tokio::spawn(async move { refresh(recs.as_ref(), &format!("holder-{i}"), server_now()).await.unwrap() })
        })
        .collect();
    let mut done = 0;
    for run in runs {
        if matches!(run.await.unwrap(), Refresh::Done { .. }) {
            done += 1;
        }
    }
    assert!(done >= 1, "at least one refresh ran");
    let duplicates = db
        .scalar_raw(
            "SELECT COUNT(*) FROM (SELECT product_id, similar_id FROM item_similarities
             GROUP BY product_id, similar_id HAVING COUNT(*) > 1) d",
        )
        .await
        .unwrap();
    assert_eq!(duplicates, 0);
    let rows = db.scalar_raw("SELECT COUNT(*) FROM item_similarities").await.unwrap();
    // a–b, a–c, b–c above the minimum support? Only a–b (3 baskets); both directions stored.
    assert_eq!(rows, 2);
    let popular = db.scalar_raw("SELECT COUNT(*) FROM item_popularity").await.unwrap();
    assert_eq!(popular, 3);
}

fn server_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn buffered_views_are_written_in_one_flush(db: Database) {
    let f = fixture(&db).await;
    let buffer = server::view_buffer::ViewBuffer::new(db.recommendations());
    let visitor = Viewer::Visitor("ab".repeat(32));
    for (viewer, letter, at) in [
        (visitor.clone(), 'a', NOW),
        (visitor.clone(), 'a', NOW + 5),
        (visitor.clone(), 'b', NOW + 6),
        (Viewer::User(f.users[0]), 'c', NOW + 7),
        (Viewer::User(f.users[0]), 'c', NOW + 9),
    ] {
        buffer.record(ViewEvent { viewer, product_id: f.id(letter), at });
    }
    assert_eq!(db.scalar_raw("SELECT COUNT(*) FROM anon_product_views").await.unwrap(), 0, "not written yet");
    assert_eq!(buffer.flush().await.unwrap(), 5);
    assert_eq!(buffer.pending(), 0);
    assert_eq!(db.scalar_raw("SELECT COUNT(*) FROM anon_product_views").await.unwrap(), 2);
    let a = format!("SELECT view_count FROM anon_product_views WHERE product_id = {}", f.id('a'));
    assert_eq!(db.scalar_raw(&a).await.unwrap(), 2);
    // A signed-in shopper's views land where the analytics funnel and ranking read them.
    let c = format!(
        "SELECT view_count * 1000000000000 + last_viewed_at FROM product_views WHERE user_id = {} AND product_id = {}",
        f.users[0],
        f.id('c')
    );
    assert_eq!(db.scalar_raw(&c).await.unwrap(), 2 * 1_000_000_000_000 + NOW + 9);
    // More views later add up; the co-view basket has both products the visitor saw.
    buffer.record(ViewEvent { viewer: visitor.clone(), product_id: f.id('a'), at: NOW + 100 });
    assert_eq!(buffer.flush().await.unwrap(), 1);
    assert_eq!(db.scalar_raw(&a).await.unwrap(), 3);
    let baskets = db.recommendations().view_baskets(NOW - DAY).await.unwrap();
    assert!(baskets.iter().any(|b| b.contains(&f.id('a')) && b.contains(&f.id('b'))), "{baskets:?}");
}

/// The product page, for an anonymous visitor: a visitor cookie (HttpOnly, SameSite=Lax) and the
/// view buffered, then written by a flush.
#[tokio::test]
async fn the_product_page_records_an_anonymous_view() {
    let app = support::spawn_app().await;
    let id = app.db.scalar_raw("SELECT MIN(id) FROM products WHERE status = 'published'").await.unwrap();
    let query = app::services::catalog_store::ProductQuery {
        category_ids: None,
        ids: Some(vec![id]),
        sort: app::domain::listing::Sort::Newest,
        offset: 0,
        limit: 1,
        in_stock_only: false,
    };
    let slug = app.shop.catalog.list_products(&query).await.unwrap()[0].slug.clone();
    let before = app.db.scalar_raw("SELECT COUNT(*) FROM anon_product_views").await.unwrap();
    let res = app.get(&format!("/products/{slug}")).await;
    assert_eq!(res.status, 200);
    let cookie = res
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("mm_visitor="))
        .map(|(_, v)| v.clone())
        .expect("a visitor cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    app.shop.views.flush().await.unwrap();
    let after = app.db.scalar_raw("SELECT COUNT(*) FROM anon_product_views").await.unwrap();
    assert_eq!(after, before + 1);
}

async fn buy_again_is_what_the_shopper_bought_most_and_nothing_else(db: Database) {
    let f = fixture(&db).await;
    let recs = db.recommendations();
    recs.import_history(&[order(&f, 0, "ab", 20), order(&f, 1, "ab", 19), order(&f, 2, "abc", 18)]).await.unwrap();
    refreshed(recs.as_ref()).await;
    // Shopper 6 bought C in three orders, A in one, and G from the store that gets suspended.
    let mut mine = vec![order(&f, 6, "ca", 9), order(&f, 6, "c", 5), order(&f, 6, "c", 2)];
    mine.push(order(&f, 6, "g", 1));
    recs.import_history(&mine).await.unwrap();
    db.execute_raw(&format!("UPDATE merchants SET status = 'suspended' WHERE id = {}", f.harbor)).await.unwrap();
    let got = ids(&buy_again(recs.as_ref(), f.users[6], NOW).await.unwrap());
    assert_eq!(
        got,
        vec![f.id('c'), f.id('a')],
        "C (three orders) before A; G's store is suspended; nothing they did not buy"
    );
    // "Recommended for you" under it leaves out what they bought: the two blocks never repeat each other.
    let (_, cards) = for_you(recs.as_ref(), Asker::Shopper(f.users[6]), NOW).await.unwrap();
    for id in ids(&cards) {
        assert!(!got.contains(&id), "{id} is in both blocks");
    }
    // Someone who bought nothing gets no "Buy it again" (not popular products).
    assert!(buy_again(recs.as_ref(), f.users[7], NOW).await.unwrap().is_empty());
}

async fn a_visitors_own_views_feed_recommended_for_you(db: Database) {
    let f = fixture(&db).await;
    let recs = db.recommendations();
    // D and E are bought together; B is the best seller.
    let orders = [order(&f, 0, "de", 20), order(&f, 1, "de", 19), order(&f, 2, "b", 18), order(&f, 3, "b", 17)];
    recs.import_history(&orders).await.unwrap();
    recs.import_history(&[order(&f, 4, "b", 16)]).await.unwrap();
    refreshed(recs.as_ref()).await;
    let visitor = "cd".repeat(32);
    let view = ViewEvent { viewer: Viewer::Visitor(visitor.clone()), product_id: f.id('d'), at: NOW - 60 };
    recs.record_views(&[view]).await.unwrap();
    let seen = recs.visitor_history(&visitor, NOW - DAY, 10).await.unwrap();
    assert_eq!(seen.iter().map(|h| h.item).collect::<Vec<_>>(), vec![f.id('d')]);
    let (personal, cards) = for_you(recs.as_ref(), Asker::Visitor(&visitor), NOW).await.unwrap();
    assert!(personal, "{:?}", ids(&cards));
    assert_eq!(cards.first().map(|c| c.id), Some(f.id('e')), "what goes with what they looked at: {:?}", ids(&cards));
    // Another visitor, with no views, gets popular products.
    let (personal, cards) = for_you(recs.as_ref(), Asker::Visitor(&"ef".repeat(32)), NOW).await.unwrap();
    assert!(!personal);
    assert_eq!(cards.first().map(|c| c.id), Some(f.id('b')));
}

async fn recommended_for_you_puts_new_things_first_then_what_they_rebuy(db: Database) {
    // Fourteen products a..n; shopper 0 re-buys ten of them (a..j, two orders each).
    let letters: Vec<char> = ('a'..='n').collect();
    let items: Vec<fixtures::Item> = letters
        .iter()
        .map(|l| fixtures::item(&format!("item-{l}")).title(format!("Item {l}")).sku(format!("SKU-{l}")).price(900))
        .collect();
    let m = Marketplace::new().store(store("north").sells(items)).build(&db).await;
    let id = |l: char| m.products[(l as u8 - b'a') as usize].id;
    let mut users = Vec::new();
    for i in 0..4 {
        users.push(fixtures::shopper(&db, &format!("rebuy{i}@recs.test"), &format!("Rebuyer {i}")).await);
    }
    let order = |u: usize, ls: &str, days: i64| HistoryOrder {
        user_id: users[u],
        email: format!("rebuy{u}@recs.test"),
        at: NOW - days * DAY,
        lines: ls.chars().map(|l| (id(l), 1)).collect(),
    };
    let recs = db.recommendations();
    // A goes with K (two shoppers); M is what everyone else buys this week.
    let others = [order(1, "ak", 30), order(2, "ak", 29), order(1, "m", 3), order(2, "m", 2), order(3, "m", 1)];
    recs.import_history(&others).await.unwrap();
    recs.import_history(&[order(0, "abcdefghij", 20), order(0, "abcdefghij", 10)]).await.unwrap();
    refreshed(recs.as_ref()).await;
    let again = ids(&buy_again(recs.as_ref(), users[0], NOW).await.unwrap());
    assert_eq!(again, "abcdefgh".chars().map(id).collect::<Vec<_>>(), "eight cards, equal frequency by id");
    let (personal, cards) = for_you(recs.as_ref(), Asker::Shopper(users[0]), NOW).await.unwrap();
    let got = ids(&cards);
    assert!(personal, "{got:?}");
    assert_eq!(got.first(), Some(&id('k')), "what goes with what they buy comes first: {got:?}");
    let mut new: Vec<i64> = got[..4].to_vec();
    new.sort_unstable();
    assert_eq!(new, "klmn".chars().map(id).collect::<Vec<_>>(), "the four products new to them: {got:?}");
    assert_eq!(&got[4..], &[id('i'), id('j')], "then the re-bought products Buy it again does not show: {got:?}");
    for g in &got {
        assert!(!again.contains(g), "{g} is in both blocks");
    }
}
