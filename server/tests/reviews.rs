//! Review storage and rules, run against SQLite and PostgreSQL: one review per shopper and
//! product, rating totals kept in `product_rating_stats`, helpful votes, and one reply from the
//! selling store only.
#[macro_use]
mod support;

use app::domain::account::{Principal, StoreMembership, StoreRole};
use app::domain::errors::AppError;
use app::domain::review::{RatingSummary, ReviewSort};
use app::services::StoreError;
use app::services::catalog_store::ProductStatus;
use app::services::review_store::{HelpfulVote, ImportedReview, NewReview, ReplyOutcome, ReviewStore};
use app::services::reviews;
use server::store::Database;
use support::fixtures::{self, Marketplace, store};

conformance!(
    a_review_is_created_once_per_shopper_and_product,
    editing_changes_the_sum_but_not_the_count,
    stats_row_matches_the_reviews_and_their_distribution,
    newest_and_most_helpful_orders_differ,
    helpful_votes_count_once_and_never_on_ones_own_review,
    the_store_replies_once,
    the_service_refuses_other_stores_and_second_reviews,
    imported_reviews_keep_votes_replies_and_totals,
    reviews_come_in_pages,
    the_store_reads_its_reviews_by_cursor_filter_and_search,
);

/// Two active stores, A and B, each with a published product; store A also has a draft.
struct Fixture {
    store: std::sync::Arc<dyn ReviewStore>,
    merchant_a: i64,
    merchant_b: i64,
    product_a: i64,
    product_b: i64,
    draft_a: i64,
}

async fn fixture(db: &Database) -> Fixture {
    let product = |slug: &str, status: ProductStatus| {
        fixtures::item(slug)
            .title(format!("Title {slug}"))
            .description("A fine thing.")
            .status(status)
            .sku(format!("{slug}-0"))
            .variant_title("Default")
            .stock(5)
            .created_at(1_000)
    };
    let m = Marketplace::new()
        .category("home", "Home")
        .store(
            store("store-a")
                .sells([product("mug-a", ProductStatus::Published), product("draft-a", ProductStatus::Draft)]),
        )
        .store(store("store-b").sells([product("tee-b", ProductStatus::Published)]))
        .build(db)
        .await;
    Fixture {
        store: db.reviews(),
        merchant_a: m.stores[0],
        merchant_b: m.stores[1],
        product_a: m.product("mug-a").id,
        product_b: m.product("tee-b").id,
        draft_a: m.product("draft-a").id,
    }
}

async fn user(db: &Database, name: &str) -> i64 {
    fixtures::shopper(db, &format!("{}@example.com", name.to_lowercase().replace(' ', ".")), name).await
}

fn review(product_id: i64, user_id: i64, rating: i64, body: &str) -> NewReview {
    NewReview { product_id, user_id, rating, body: body.into() }
}

fn draft<'a>(
    product_id: i64,
    editing: Option<i64>,
    rating: Option<&'a str>,
    body: &'a str,
) -> reviews::ReviewDraft<'a> {
    reviews::ReviewDraft { product_id, editing, rating, body }
}

fn shopper(user_id: i64) -> Principal {
    Principal {
        user_id,
        email: format!("u{user_id}@example.com"),
        display_name: "Shopper".into(),
        is_admin: false,
        store: None,
        email_verified: true,
    }
}

fn staff(user_id: i64, merchant_id: i64) -> Principal {
    Principal {
        store: Some(StoreMembership {
            merchant_id,
            merchant_name: "Store".into(),
            merchant_slug: "store".into(),
            merchant_status: app::domain::account::MerchantStatus::Active,
            role: StoreRole::Owner,
        }),
        ..shopper(user_id)
    }
}

async fn a_review_is_created_once_per_shopper_and_product(db: Database) {
    let f = fixture(&db).await;
    let ada = user(&db, "Ada Lovelace").await;
    let id = f.store.create_review(&review(f.product_a, ada, 4, "Keeps tea hot."), 100).await.unwrap();
    let mine = f.store.review_by_author(f.product_a, ada).await.unwrap().expect("the review is stored");
    assert_eq!((mine.id, mine.rating, mine.body.as_str()), (id, 4, "Keeps tea hot."));
    assert_eq!((mine.author_name.as_str(), mine.helpful_count, mine.created_at), ("Ada Lovelace", 0, 100));
    assert_eq!(mine.merchant_reply, None);

    let again = f.store.create_review(&review(f.product_a, ada, 1, "Changed my mind"), 200).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let s = f.store.rating_summary(f.product_a).await.unwrap();
    assert_eq!((s.count, s.sum), (1, 4), "the refused review changed nothing");
    assert_eq!(f.store.review_by_author(f.product_a, ada).await.unwrap().unwrap().body, "Keeps tea hot.");

    // The same shopper may review another product; a rating outside 1–5 never reaches the table.
    f.store.create_review(&review(f.product_b, ada, 5, ""), 300).await.unwrap();
    assert!(f.store.create_review(&review(f.product_b, user(&db, "Bob").await, 6, ""), 300).await.is_err());
    assert_eq!(f.store.rating_summary(f.product_b).await.unwrap().count, 1);
}

async fn editing_changes_the_sum_but_not_the_count(db: Database) {
    let f = fixture(&db).await;
    let (ada, bob) = (user(&db, "Ada").await, user(&db, "Bob").await);
    f.store.create_review(&review(f.product_a, ada, 5, "Great"), 100).await.unwrap();
    f.store.create_review(&review(f.product_a, bob, 3, "Fine"), 110).await.unwrap();
    assert!(f.store.update_review(&review(f.product_a, ada, 2, "Cracked after a week"), 500).await.unwrap());
    let s = f.store.rating_summary(f.product_a).await.unwrap();
    assert_eq!((s.count, s.sum, s.distribution), (2, 5, [0, 1, 1, 0, 0]));
    let mine = f.store.review_by_author(f.product_a, ada).await.unwrap().unwrap();
    assert_eq!(
        (mine.rating, mine.body.as_str(), mine.created_at, mine.updated_at),
        (2, "Cracked after a week", 100, 500)
    );
    let carol = user(&db, "Carol").await;
    assert!(!f.store.update_review(&review(f.product_a, carol, 4, "x"), 500).await.unwrap(), "no review to edit");
    assert_eq!(f.store.rating_summary(f.product_a).await.unwrap().count, 2);
}

async fn stats_row_matches_the_reviews_and_their_distribution(db: Database) {
    let f = fixture(&db).await;
    assert_eq!(f.store.rating_summary(f.product_a).await.unwrap(), RatingSummary::default(), "no reviews yet");
    let ratings = [5, 4, 4, 1, 5, 5, 3];
    for (i, r) in ratings.iter().enumerate() {
        let u = user(&db, &format!("Reviewer {i}")).await;
        f.store.create_review(&review(f.product_a, u, *r, ""), 100 + i as i64).await.unwrap();
    }
    let other = user(&db, "Other").await;
    f.store.create_review(&review(f.product_b, other, 1, ""), 100).await.unwrap();
    let s = f.store.rating_summary(f.product_a).await.unwrap();
    assert_eq!(s, RatingSummary::from_ratings(&ratings), "the stats row matches the reviews");
    assert_eq!(s.distribution, [1, 0, 1, 2, 3]);
    assert_eq!(s.average_label(), "3.9");
    assert_eq!(f.store.rating_summary(f.product_b).await.unwrap().distribution, [1, 0, 0, 0, 0]);
}

async fn newest_and_most_helpful_orders_differ(db: Database) {
    let f = fixture(&db).await;
    let users = [user(&db, "A").await, user(&db, "B").await, user(&db, "C").await, user(&db, "D").await];
    let mut ids = Vec::new();
    for (i, u) in users[..3].iter().enumerate() {
        ids.push(f.store.create_review(&review(f.product_a, *u, 4, "text"), 1_000 + i as i64 * 10).await.unwrap());
    }
    // The oldest review is the most helpful; the middle one has one vote.
    for voter in [users[1], users[2], users[3]] {
        assert_eq!(f.store.vote_helpful(ids[0], voter).await.unwrap(), HelpfulVote::Counted);
    }
    assert_eq!(f.store.vote_helpful(ids[1], users[3]).await.unwrap(), HelpfulVote::Counted);
    let product = f.product_a;
    let order = |sort| {
        let store = f.store.clone();
        async move {
            let rows = store.list_reviews(product, sort, 0, 10, None).await.unwrap();
            rows.iter().map(|r| r.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(order(ReviewSort::Newest).await, vec![ids[2], ids[1], ids[0]]);
    assert_eq!(order(ReviewSort::Helpful).await, vec![ids[0], ids[1], ids[2]]);
    let page: Vec<i64> =
        f.store.list_reviews(f.product_a, ReviewSort::Newest, 1, 1, None).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(page, vec![ids[1]], "offset and limit page through the reviews");
    assert!(f.store.list_reviews(f.product_b, ReviewSort::Newest, 0, 10, None).await.unwrap().is_empty());
}

async fn helpful_votes_count_once_and_never_on_ones_own_review(db: Database) {
    let f = fixture(&db).await;
    let (author, fan, other) = (user(&db, "Author").await, user(&db, "Fan").await, user(&db, "Other").await);
    let id = f.store.create_review(&review(f.product_a, author, 5, "Superb"), 100).await.unwrap();
    assert_eq!(f.store.vote_helpful(id, author).await.unwrap(), HelpfulVote::OwnReview);
    assert_eq!(f.store.vote_helpful(id, fan).await.unwrap(), HelpfulVote::Counted);
    assert_eq!(f.store.vote_helpful(id, fan).await.unwrap(), HelpfulVote::AlreadyVoted);
    assert_eq!(f.store.vote_helpful(id + 1000, fan).await.unwrap(), HelpfulVote::NoSuchReview);
    let product = f.product_a;
    let seen_by = |viewer| {
        let store = f.store.clone();
        async move { store.list_reviews(product, ReviewSort::Helpful, 0, 10, viewer).await.unwrap().remove(0) }
    };
    let r = seen_by(Some(fan)).await;
    assert_eq!((r.helpful_count, r.voted_helpful), (1, true));
    assert!(!seen_by(Some(other)).await.voted_helpful);
    assert!(!seen_by(None).await.voted_helpful);

    // The service turns each refusal into a message for the shopper.
    let err = reviews::mark_helpful(f.store.as_ref(), &shopper(author), id).await.unwrap_err();
    assert!(err.field("form").unwrap().contains("your own"), "{err:?}");
    let err = reviews::mark_helpful(f.store.as_ref(), &shopper(fan), id).await.unwrap_err();
    assert!(err.field("form").unwrap().contains("already"), "{err:?}");
    reviews::mark_helpful(f.store.as_ref(), &shopper(other), id).await.unwrap();
    assert_eq!(seen_by(None).await.helpful_count, 2);
}

async fn the_store_replies_once(db: Database) {
    let f = fixture(&db).await;
    let ada = user(&db, "Ada").await;
    let id = f.store.create_review(&review(f.product_a, ada, 2, "Chipped"), 100).await.unwrap();
    assert_eq!(f.store.review_merchant(id).await.unwrap(), Some(f.merchant_a));
    assert_eq!(f.store.reply(id, f.merchant_b, "Not ours", 150).await.unwrap(), ReplyOutcome::NotFound);
    assert_eq!(f.store.reply(id, f.merchant_a, "Sorry! We'll replace it.", 200).await.unwrap(), ReplyOutcome::Saved);
    assert_eq!(f.store.reply(id, f.merchant_a, "Again", 300).await.unwrap(), ReplyOutcome::AlreadyReplied);
    let r = f.store.review_by_author(f.product_a, ada).await.unwrap().unwrap();
    assert_eq!((r.merchant_reply.as_deref(), r.replied_at), (Some("Sorry! We'll replace it."), Some(200)));
    assert_eq!(f.store.reply(id + 1000, f.merchant_a, "x", 300).await.unwrap(), ReplyOutcome::NotFound);
}

async fn the_service_refuses_other_stores_and_second_reviews(db: Database) {
    let f = fixture(&db).await;
    let store = f.store.as_ref();
    let (ada, owner_a, owner_b) = (user(&db, "Ada").await, user(&db, "Owner A").await, user(&db, "Owner B").await);
    let ada_p = shopper(ada);

    // Bad input is refused field by field.
    let err = reviews::write_review(store, &ada_p, draft(f.product_a, None, Some("6"), "")).await.unwrap_err();
    assert!(err.field("rating").is_some(), "{err:?}");
    let err =
        reviews::write_review(store, &ada_p, draft(f.product_a, None, None, &"x".repeat(4001))).await.unwrap_err();
    assert!(err.field("rating").is_some() && err.field("body").unwrap().contains("4000"), "{err:?}");

    reviews::write_review(store, &ada_p, draft(f.product_a, None, Some("5"), "  Lovely  ")).await.unwrap();
    let err = reviews::write_review(store, &ada_p, draft(f.product_a, None, Some("1"), "Again")).await.unwrap_err();
    assert!(err.field("form").unwrap().contains("Edit your review"), "a second review says to edit: {err:?}");
    let view = reviews::reviews_view(store, Some(&ada_p), f.product_a, ReviewSort::Newest, 1).await.unwrap();
    let mine = view.mine.clone().expect("the shopper's own review, for editing");
    assert_eq!((mine.body.as_str(), mine.is_own, mine.verified_purchase), ("Lovely", true, false));
    assert_eq!(view.summary.count, 1);

    // Editing goes through the review's id, and only one's own.
    reviews::write_review(store, &ada_p, draft(f.product_a, Some(mine.id), Some("3"), "Faded")).await.unwrap();
    let bob = shopper(user(&db, "Bob").await);
    let err = reviews::write_review(store, &bob, draft(f.product_a, Some(mine.id), Some("1"), "x")).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let s = store.rating_summary(f.product_a).await.unwrap();
    assert_eq!((s.count, s.sum), (1, 3));

    // Staff cannot review their own store's products, nor anything hidden.
    let err =
        reviews::write_review(store, &staff(owner_a, f.merchant_a), draft(f.product_a, None, Some("5"), "")).await;
    assert_eq!(err, Err(AppError::Forbidden));
    let err = reviews::write_review(store, &ada_p, draft(f.draft_a, None, Some("5"), "")).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // Only the selling store replies, once.
    let err = reviews::reply(store, &staff(owner_b, f.merchant_b), mine.id, "We are not the seller").await;
    assert_eq!(err, Err(AppError::Forbidden), "another store's staff are refused");
    assert_eq!(reviews::reply(store, &ada_p, mine.id, "I am a shopper").await, Err(AppError::Forbidden));
    let a = staff(owner_a, f.merchant_a);
    assert!(reviews::reply(store, &a, mine.id, "   ").await.unwrap_err().field("reply").is_some());
    reviews::reply(store, &a, mine.id, "Thanks, Ada.").await.unwrap();
    let err = reviews::reply(store, &a, mine.id, "Twice").await.unwrap_err();
    assert!(err.field("reply").unwrap().contains("already"), "{err:?}");
    let view = reviews::reviews_view(store, Some(&a), f.product_a, ReviewSort::Newest, 1).await.unwrap();
    assert_eq!(view.viewer, app::domain::review::Viewer::StoreStaff);
    assert_eq!(view.reviews[0].merchant_reply.as_deref(), Some("Thanks, Ada."));
    assert_eq!(view.reviews[0].author, "Ada", "public names only");
}

async fn imported_reviews_keep_votes_replies_and_totals(db: Database) {
    let f = fixture(&db).await;
    let (a, b, c) = (user(&db, "A").await, user(&db, "B").await, user(&db, "C").await);
    let imported = vec![
        ImportedReview {
            review: review(f.product_a, a, 5, "Great"),
            created_at: 100,
            helpful_voters: vec![b, c],
            merchant_reply: Some(("Thanks!".into(), 150)),
        },
        ImportedReview {
            review: review(f.product_a, b, 2, ""),
            created_at: 200,
            helpful_voters: vec![],
            merchant_reply: None,
        },
    ];
    f.store.import_reviews(&imported).await.unwrap();
    let s = f.store.rating_summary(f.product_a).await.unwrap();
    assert_eq!((s.count, s.sum, s.distribution), (2, 7, [0, 1, 0, 0, 1]));
    let top = f.store.list_reviews(f.product_a, ReviewSort::Helpful, 0, 10, Some(c)).await.unwrap();
    assert_eq!((top[0].helpful_count, top[0].voted_helpful), (2, true));
    assert_eq!(top[0].merchant_reply.as_deref(), Some("Thanks!"));
    let first = top[0].id;
    assert_eq!(f.store.vote_helpful(first, b).await.unwrap(), HelpfulVote::AlreadyVoted, "imported votes count");
    // All or nothing: a duplicate in the batch writes none of it.
    let dup = vec![imported[1].clone(), imported[1].clone()];
    let mut fresh = dup.clone();
    fresh[0].review.product_id = f.product_b;
    fresh[1].review.product_id = f.product_b;
    assert!(f.store.import_reviews(&fresh).await.is_err());
    assert_eq!(f.store.rating_summary(f.product_b).await.unwrap().count, 0);
}

async fn reviews_come_in_pages(db: Database) {
    use app::domain::review::PAGE_SIZE;
    let f = fixture(&db).await;
    let n = PAGE_SIZE + 3;
    let mut imported = Vec::new();
    for i in 0..n {
        let u = user(&db, &format!("Reader {i}")).await;
        let review = review(f.product_a, u, 1 + i % 5, "");
        imported.push(ImportedReview { review, created_at: 1_000 + i, helpful_voters: vec![], merchant_reply: None });
    }
    f.store.import_reviews(&imported).await.unwrap();
    let page = |p: u32| {
        let store = f.store.clone();
        let product = f.product_a;
        async move { reviews::reviews_view(store.as_ref(), None, product, ReviewSort::Newest, p).await.unwrap() }
    };
    let first = page(1).await;
    assert_eq!((first.reviews.len() as i64, first.shown_range(), first.last_page()), (PAGE_SIZE, (1, PAGE_SIZE), 2));
    assert_eq!(first.reviews[0].created_at, 1_000 + n - 1, "newest first");
    let second = page(2).await;
    assert_eq!((second.page, second.shown_range()), (2, (PAGE_SIZE + 1, n)));
    assert_eq!(second.reviews.last().unwrap().created_at, 1_000, "the oldest review comes last");
    assert_eq!(page(99).await.page, 2, "a page past the end shows the last one");
    assert_eq!(page(0).await.page, 1);
}

/// The dashboard's Reviews list (`AdminStore::store_reviews`): only the store's reviews, written
/// by either path (a shopper's review, an import), newest first by cursor in both directions,
/// "waiting for a reply", and a search by product title or SKU.
async fn the_store_reads_its_reviews_by_cursor_filter_and_search(db: Database) {
    use app::domain::paging::Cursor;
    let f = fixture(&db).await;
    let admin = db.admin();
    let mut imported = Vec::new();
    for i in 0..7 {
        let u = user(&db, &format!("Buyer {i}")).await;
        let reply = (i % 3 == 0).then(|| ("Thanks".to_string(), 2_000 + i));
        imported.push(ImportedReview {
            review: review(f.product_a, u, 4, ""),
            created_at: 1_000 + i,
            helpful_voters: vec![],
            merchant_reply: reply,
        });
    }
    f.store.import_reviews(&imported).await.unwrap();
    let late = user(&db, "Late Buyer").await;
    let newest = f.store.create_review(&review(f.product_a, late, 5, "Written on the site"), 5_000).await.unwrap();
    let other = user(&db, "Elsewhere").await;
    f.store.create_review(&review(f.product_b, other, 1, "Store B's"), 6_000).await.unwrap();

    let read = |unanswered: bool, search: &'static str, cursor: Cursor, limit: i64| {
        let admin = admin.clone();
        let m = f.merchant_a;
        async move {
            admin
                .store_reviews(m, unanswered, search, cursor, limit)
                .await
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    let all = read(false, "", Cursor::Newest, 50).await;
    assert_eq!(all.len(), 8, "store B's review is not listed");
    assert_eq!(all[0], newest, "newest first, the site's review included");
    assert!(all.windows(2).all(|w| w[0] > w[1]));
    // Down from the third row, and up from the sixth (nearest first).
    assert_eq!(read(false, "", Cursor::Before(all[2]), 3).await, all[3..6].to_vec());
    assert_eq!(read(false, "", Cursor::After(all[5]), 2).await, vec![all[4], all[3]]);
    assert!(read(false, "", Cursor::Before(*all.last().unwrap()), 3).await.is_empty());

    // Imports 0, 3 and 6 were answered: five wait, the newest first.
    let open = read(true, "", Cursor::Newest, 50).await;
    assert_eq!(open.len(), 5);
    assert_eq!(open[0], newest);
    assert_eq!(read(true, "", Cursor::Before(open[1]), 50).await, open[2..].to_vec());

    assert_eq!(read(false, "TITLE MUG", Cursor::Newest, 50).await.len(), 8, "by product title");
    assert_eq!(read(false, "mug-a-0", Cursor::Newest, 50).await.len(), 8, "by SKU");
    assert!(read(false, "tee", Cursor::Newest, 50).await.is_empty(), "another store's product");
    assert!(read(false, "%", Cursor::Newest, 50).await.is_empty(), "wildcards taken literally");
    // The store's totals come from the per-product stats: 7 × 4 + 5.
    let (count, average) = admin.store_rating(f.merchant_a).await.unwrap();
    assert_eq!(count, 8);
    assert!((average.unwrap() - 33.0 / 8.0).abs() < 1e-9);
    assert_eq!(admin.store_rating(f.merchant_a + 1000).await.unwrap(), (0, None));
    // An edit moves the store's totals (kept by triggers, migration 0027); store B's stay its own.
    f.store.update_review(&review(f.product_a, late, 1, "Changed my mind"), 7_000).await.unwrap();
    let (count, average) = admin.store_rating(f.merchant_a).await.unwrap();
    assert_eq!(count, 8);
    assert!((average.unwrap() - 29.0 / 8.0).abs() < 1e-9);
    assert_eq!(admin.store_rating(f.merchant_b).await.unwrap(), (1, Some(1.0)));
}

/// The text between `marker` and the next `"` in `html`.
fn attr_after<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("{marker} not in the page")) + marker.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// Without JavaScript: the review form posts, comes back to the product page with the error
/// (or the new review), and the review text is escaped in the server's HTML.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_form_works_without_javascript() {
    let app = support::spawn_app().await;
    let listing = app.get("/c/t-shirts-tops").await;
    let link = support::product_links(&listing.body).into_iter().next().expect("a product link");
    let visitor = app.get(&link).await;
    assert!(visitor.body.contains("Sign in to write a review"), "signed-out visitors are invited to sign in");
    assert!(visitor.body.contains(&format!(r#"href="/login?next={link}""#)));
    assert!(visitor.body.contains(r#"data-testid="rating-summary""#));

    let cookie = app.login(support::SHOPPER.0, support::SHOPPER.1).await;
    let page = app.get_as(&cookie, &link).await;
    let product_id = attr_after(&page.body, r#"name="product_id" value=""#).to_string();
    let referer = format!("http://{}{link}", app.addr);
    let post = |rating: &'static str, body: &'static str| {
        let (cookie, referer, product_id) = (cookie.clone(), referer.clone(), product_id.clone());
        let app = &app;
        async move {
            let headers = [("Cookie", cookie.as_str()), ("Accept", "text/html"), ("Referer", referer.as_str())];
            let form = [("product_id", product_id.as_str()), ("rating", rating), ("body", body)];
            app.post_form("/api/reviews/write", &headers, &form).await
        }
    };

    let refused = post("9", "Out of range").await;
    assert!((300..400).contains(&refused.status), "{} {}", refused.status, refused.body);
    let back = refused.header("location").unwrap().to_string();
    assert!(back.starts_with(&referer) && back.contains("__err="), "{back}");
    let shown = app.get_as(&cookie, back.trim_start_matches(&format!("http://{}", app.addr))).await;
    assert!(shown.body.contains("A rating is 1 to 5 stars."), "the field error is shown on the product page");

    // `</textarea>` must not end the edit form's text box early either.
    let saved = post("4", "</textarea><script>alert('x')</script> Soft & warm").await;
    assert!((300..400).contains(&saved.status), "{} {}", saved.status, saved.body);
    let back = saved.header("location").unwrap();
    assert!(back.starts_with(&referer) && !back.contains("__err"), "back to the product page: {back}");
    let html = app.get_as(&cookie, &link).await.body;
    let escaped = "&lt;/textarea&gt;&lt;script&gt;alert('x')&lt;/script&gt; Soft &amp; warm";
    let around = &html[html.find("alert").map(|i| i.saturating_sub(200)).unwrap_or(0)..][..400];
    assert_eq!(html.matches(escaped).count(), 2, "escaped in the review and in the edit form: {around}");
    assert!(!html.contains("<script>alert("), "no script from a review reaches the page");
    assert!(html.contains("Update your review"), "the form now edits the review");

    let again = post("2", "Second").await;
    let back = again.header("location").unwrap().to_string();
    let shown = app.get_as(&cookie, back.trim_start_matches(&format!("http://{}", app.addr))).await;
    assert!(shown.body.contains("You have already reviewed this product"), "a second review is refused");

    // Past one page of reviews, a pager of plain links appears.
    let product_id: i64 = product_id.parse().unwrap();
    let mut more = Vec::new();
    for i in 0..app::domain::review::PAGE_SIZE {
        let user_id = fixtures::shopper(&app.db, &format!("reader{i}@example.com"), &format!("Reader {i}")).await;
        let review = review(product_id, user_id, 5, "");
        more.push(ImportedReview { review, created_at: 1_000 + i, helpful_voters: vec![], merchant_reply: None });
    }
    app.shop.reviews.import_reviews(&more).await.unwrap();
    let total = app::domain::review::PAGE_SIZE + 1;
    let html = app.get(&format!("{link}?reviews=helpful&reviews_page=2")).await.body;
    assert!(html.contains(&format!("Showing {total}–{total} of {total} reviews")), "second page");
    assert!(html.contains("Page 2 of 2"));
    assert!(html.contains(&format!(r#"href="{link}?reviews=helpful&amp;reviews_page=1#reviews""#)), "previous page");
}
