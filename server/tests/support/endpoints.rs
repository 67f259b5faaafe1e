//! Every registered server function with arguments that reach its logic, and who may call it:
//! the authorization matrix (tests/authz_matrix.rs) checks the outcomes, the hostile-input suite
//! (tests/hostile.rs) mutates the arguments. Placeholders in `{…}` are filled per test shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allow,
    Deny,
}
use super::{ADMIN, OWNER_A, OWNER_B, SHOPPER, TestApp};
use Outcome::{Allow, Deny};

pub const WHO: [&str; 5] = ["anonymous", "shopper", "owner of A", "owner of B", "admin"];

/// (endpoint, arguments, expected for WHO in order). `{A}` is store A's id, `{ADDR}` the
/// shopper's address, `{PRODUCT_A}` a product of store A and `{REVIEW_A}` a review of it by
/// another shopper.
pub const MATRIX: &[(&str, &[(&str, &str)], [Outcome; 5])] = &[
    ("/api/catalog/nav", &[], [Allow; 5]),
    ("/api/catalog/home", &[], [Allow; 5]),
    ("/api/catalog/category", &[("slug", "fashion")], [Allow; 5]),
    ("/api/catalog/product", &[("slug", "no-such-product")], [Allow; 5]),
    ("/api/catalog/search", &[("q", "lamp")], [Allow; 5]),
    ("/api/catalog/suggest", &[("q", "lam")], [Allow; 5]),
    ("/api/recs/also-bought", &[("product_id", "{PRODUCT_A}")], [Allow; 5]),
    ("/api/recs/together", &[], [Allow; 5]),
    ("/api/recs/for-you", &[], [Allow; 5]),
    ("/api/recs/buy-again", &[], [Allow; 5]),
    ("/api/auth/session", &[], [Allow; 5]),
    ("/api/auth/login", &[("email", "nobody@meridian.test"), ("password", "wrong-password")], [Allow; 5]),
    (
        "/api/auth/register",
        &[("email", "new@meridian.test"), ("display_name", "New"), ("password", "correct horse battery")],
        [Allow; 5],
    ),
    ("/api/auth/logout", &[], [Allow; 5]),
    ("/api/account/overview", &[], [Deny, Allow, Allow, Allow, Allow]),
    (
        "/api/account/change_password",
        &[("current_password", "not-the-password"), ("new_password", "another fine password")],
        [Deny, Allow, Allow, Allow, Allow],
    ),
    ("/api/account/add_address", ADDRESS, [Deny, Allow, Allow, Allow, Allow]),
    (
        "/api/account/update_address",
        &[("id", "{ADDR}"), ("name", "N"), ("line1", "L"), ("city", "C"), ("postal_code", "1"), ("country", "US")],
        [Deny, Allow, Deny, Deny, Deny],
    ),
    ("/api/account/delete_address", &[("id", "{ADDR}")], [Deny, Allow, Deny, Deny, Deny]),
    ("/api/account/open_store", &[("store_name", "Matrix Store")], [Deny, Allow, Allow, Allow, Allow]),
    ("/api/admin/dashboard", &[], [Deny, Deny, Allow, Allow, Allow]),
    ("/api/admin/store", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/store_status", &[("merchant_id", "{A}"), ("status", "active")], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/ranking_weights", &[], [Deny, Deny, Deny, Deny, Allow]),
    (
        "/api/admin/set_ranking_weights",
        &[
            ("text_relevance", "4"),
            ("rating", "2"),
            ("sales", "2"),
            ("freshness", "1"),
            ("availability", "1.5"),
            ("affinity", "1"),
        ],
        [Deny, Deny, Deny, Deny, Allow],
    ),
    ("/api/reviews/list", &[("product_id", "{PRODUCT_A}"), ("sort", "helpful")], [Allow; 5]),
    (
        "/api/reviews/write",
        &[("product_id", "{PRODUCT_A}"), ("rating", "4"), ("body", "Matrix review")],
        // Store A's staff may not review store A's products.
        [Deny, Allow, Deny, Allow, Allow],
    ),
    ("/api/reviews/helpful", &[("review_id", "{REVIEW_A}")], [Deny, Allow, Allow, Allow, Allow]),
    (
        "/api/reviews/reply",
        &[("review_id", "{REVIEW_A}"), ("reply", "Thank you for the review.")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // Everyone has a cart of their own (by session or guest cookie). `{CART_VARIANT}` is in the
    // shopper's cart only: nobody else can change or remove it.
    ("/api/cart/view", &[], [Allow; 5]),
    ("/api/cart/count", &[], [Allow; 5]),
    ("/api/cart/add", &[("variant_id", "{CART_VARIANT}"), ("quantity", "1")], [Allow; 5]),
    ("/api/cart/update", &[("variant_id", "{CART_VARIANT}"), ("quantity", "2")], [Deny, Allow, Deny, Deny, Deny]),
    ("/api/cart/remove", &[("variant_id", "{CART_VARIANT}")], [Deny, Allow, Deny, Deny, Deny]),
    // Everyone may check out their own cart (an empty one is refused with a message).
    ("/api/checkout/page", &[], [Allow; 5]),
    ("/api/catalog/store", &[("slug", "northwind-home")], [Allow; 5]),
    ("/api/auth/forgot", &[("email", "nobody@example.com")], [Allow; 5]),
    // Anyone may call it; the link's token decides (a made-up one is refused for everyone: tests/password_reset.rs).
    (
        "/api/auth/reset",
        &[
            ("token", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            ("password", "a long new passphrase 1"),
        ],
        [Allow; 5],
    ),
    ("/api/checkout/place", CHECKOUT, [Allow; 5]),
    ("/api/checkout/quote", &[("country", "US")], [Allow; 5]),
    // Anyone may come back from the provider's page: the session is read from the provider (an id
    // that names no payment sends the browser to the checkout, changing nothing).
    ("/api/checkout/return", &[("session_id", "cs_test_nosuchsession")], [Allow; 5]),
    // Public by design: the token is the secret, and the answer has no personal details.
    ("/api/tracking/get", &[("token", "NOTATOKEN0000")], [Deny; 5]),
    // A store's orders: its own staff and the platform admin; `{ORDER}` has a part of store A.
    ("/api/admin/orders", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/order", &[("merchant_id", "{A}"), ("number", "{ORDER}")], [Deny, Deny, Allow, Deny, Allow]),
    // Without a store named, a merchant sees its own (B has no part in `{ORDER}`); the admin,
    // who has none, is asked to choose one.
    ("/api/admin/order", &[("number", "{ORDER}")], [Deny, Deny, Allow, Deny, Allow]),
    // A store's analytics: its own staff and the platform admin.
    ("/api/admin/analytics", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    // Inventory: store A's staff and the platform admin acting for A. `{VARIANT_A}` is a variant of
    // store A.
    ("/api/admin/inventory", &[("merchant_id", "{A}"), ("q", "a"), ("low", "true")], [Deny, Deny, Allow, Deny, Allow]),
    (
        "/api/admin/inventory/adjust",
        &[("merchant_id", "{A}"), ("variant_id", "{VARIANT_A}"), ("delta", "1"), ("reason", "received")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // Without `merchant_id` each store acts for itself: store B's owner gets "not found" for A's
    // variant; the admin, who has no store, is asked to choose one (a form error, not a refusal).
    (
        "/api/admin/inventory/adjust",
        &[("variant_id", "{VARIANT_A}"), ("delta", "-1"), ("reason", "correction")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/inventory/history",
        &[("merchant_id", "{A}"), ("variant_id", "{VARIANT_A}")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    ("/api/admin/inventory/history", &[("variant_id", "{VARIANT_A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/inventory/threshold", &[("merchant_id", "{A}"), ("threshold", "3")], [Deny, Deny, Allow, Deny, Allow]),
    // Payments: a store's own (B without a store named sees its own), the admin every store's.
    // `{ORDER}` is already captured, so an allowed capture is refused with 409, never 403/404.
    ("/api/admin/payments", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/payments", &[("status", "captured")], [Deny, Deny, Allow, Allow, Allow]),
    (
        "/api/admin/payments/capture",
        &[("merchant_id", "{A}"), ("order_number", "{ORDER}"), ("idempotency_key", "matrix-capture-0001")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/payments/capture",
        &[("order_number", "{ORDER}"), ("idempotency_key", "matrix-capture-0002")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    ("/api/admin/settings/capture_mode", &[("mode", "automatic")], [Deny, Deny, Deny, Deny, Allow]),
    // Marketplace money: a store's earnings (its own, or any named one for the admin, who must
    // name one: 422), the admin's payouts page, payouts and commission rates (admin only).
    ("/api/admin/earnings", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/earnings", &[], [Deny, Deny, Allow, Allow, Allow]),
    ("/api/admin/payouts", &[], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/shipping", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    (
        "/api/admin/shipping/add",
        &[("merchant_id", "{A}"), ("name", "Matrix"), ("countries", "GB"), ("bands", "3.50"), ("express", "")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // A zone that is not the store's is "not found" even for its owner; that another store's
    // staff cannot remove a real one is in tests/pricing.rs.
    ("/api/admin/shipping/delete", &[("merchant_id", "{A}"), ("zone_id", "999999")], [Deny; 5]),
    ("/api/admin/taxes", &[], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/discounts", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    // Without a store: a store's own codes for its staff, the marketplace's for the admin.
    ("/api/admin/discounts", &[], [Deny, Deny, Allow, Allow, Allow]),
    (
        "/api/admin/discounts/create",
        &[("merchant_id", "{A}"), ("code", "MATRIX-10"), ("kind", "percent"), ("value", "10")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // WELCOME10 is the marketplace's: a store naming itself cannot switch it off (404).
    ("/api/admin/discounts/active", &[("code", "WELCOME10"), ("active", "false")], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/taxes/set", &[("country", "GB"), ("rate", "20")], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/taxes/delete", &[("country", "NL")], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/taxes/mode", &[("mode", "exclusive")], [Deny, Deny, Deny, Deny, Allow]),
    (
        "/api/admin/payouts/record",
        &[
            ("merchant_id", "{A}"),
            ("currency", "USD"),
            ("amount", "0.01"),
            ("reference", "MATRIX-1"),
            ("idempotency_key", "matrix-payout-0001"),
        ],
        [Deny, Deny, Deny, Deny, Allow],
    ),
    ("/api/admin/payouts/commission", &[("rate", "10")], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/payouts/commission", &[("merchant_id", "{A}"), ("rate", "12.5")], [Deny, Deny, Deny, Deny, Allow]),
    ("/api/admin/settings", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    // An empty name is refused (422) after the store check, so nothing is renamed.
    (
        "/api/admin/settings/store",
        &[("merchant_id", "{A}"), ("name", ""), ("description", ""), ("support_email", "")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    ("/api/admin/reviews", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    // A store's people: its owner and the platform admin (never its staff: `STAFF_OF_A`). An
    // invitation or member that is not the store's is "not found" even for its owner.
    ("/api/admin/staff", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    (
        "/api/admin/staff/invite",
        &[("merchant_id", "{A}"), ("email", "matrix-invitee@example.com")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    ("/api/admin/staff/revoke", &[("merchant_id", "{A}"), ("invitation_id", "999999")], [Deny; 5]),
    ("/api/admin/staff/remove", &[("merchant_id", "{A}"), ("user_id", "999999")], [Deny; 5]),
    // Public: the invitation's token decides (a made-up one is refused with a message for
    // everyone, tests/staff.rs); joining as an existing account needs one signed in.
    ("/api/staff/join_page", &[("token", MADE_UP_TOKEN)], [Allow; 5]),
    ("/api/staff/join", &[("token", MADE_UP_TOKEN)], [Deny, Allow, Allow, Allow, Allow]),
    (
        "/api/staff/join_sign_up",
        &[("token", MADE_UP_TOKEN), ("display_name", "Matrix"), ("password", "a long new passphrase 1")],
        [Allow; 5],
    ),
    // E-mail verification: the link's token decides; resending is the signed-in account's own
    // (the demo accounts are verified already, so it answers with a message).
    ("/api/auth/verify_email", &[("token", MADE_UP_TOKEN)], [Allow; 5]),
    ("/api/account/resend_verification", &[], [Deny, Allow, Allow, Allow, Allow]),
    ("/api/admin/users", &[("q", "a")], [Deny, Deny, Deny, Deny, Allow]),
    (
        "/api/admin/ranking_preview",
        &[
            ("q", "lamp"),
            ("text_relevance", "4"),
            ("rating", "0"),
            ("sales", "2"),
            ("freshness", "1"),
            ("availability", "1.5"),
            ("affinity", "1"),
        ],
        [Deny, Deny, Deny, Deny, Allow],
    ),
    // A store's products: its own staff and the platform admin. `{PRODUCT_A}` is store A's: B
    // (and anyone else) is refused, and the admin may act for the product's store.
    ("/api/admin/products", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/product", &[("id", "{PRODUCT_A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/product", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/product/save", PRODUCT_SAVE_A, [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/product/save", PRODUCT_NEW_A, [Deny, Deny, Allow, Deny, Allow]),
    // The CSV import page and a job's progress: store A's staff and the admin (job 1 is not
    // A's here, so the answer is "no such job", not a refusal).
    ("/api/admin/products/import/page", &[("merchant_id", "{A}")], [Deny, Deny, Allow, Deny, Allow]),
    ("/api/admin/products/import/status", &[("merchant_id", "{A}"), ("job", "1")], [Deny, Deny, Allow, Deny, Allow]),
    // A product's images: `{IMAGE_A}` is the first image of `{PRODUCT_A}`. Removing one already
    // removed (here by A, before the admin) succeeds: a retried form is not an error.
    ("/api/admin/product/images", &[("product_id", "{PRODUCT_A}")], [Deny, Deny, Allow, Deny, Allow]),
    (
        "/api/admin/product/images/move",
        &[("product_id", "{PRODUCT_A}"), ("image_id", "{IMAGE_A}"), ("direction", "later")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/product/images/alt",
        &[("product_id", "{PRODUCT_A}"), ("image_id", "{IMAGE_A}"), ("alt", "Matrix alt")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/product/images/remove",
        &[("product_id", "{PRODUCT_A}"), ("image_id", "{IMAGE_A}")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // `{ORDER}` was placed by the shopper: only they and the platform admin may see it.
    ("/api/orders/get", &[("number", "{ORDER}")], [Deny, Allow, Deny, Deny, Allow]),
    ("/api/orders/mine", &[], [Deny, Allow, Allow, Allow, Allow]),
    // After payment: store A's staff and the admin act on store A's part of `{ORDER}` (the
    // second caller allowed meets a retry with the same key, or a part already moved on, and is
    // answered, not refused). `{LINE}` is the order's line of store A.
    ("/api/admin/order/process", &[("merchant_id", "{A}"), ("number", "{ORDER}")], [Deny, Deny, Allow, Deny, Allow]),
    // Without a store named, B acts for its own store, which has no part in `{ORDER}`.
    ("/api/admin/order/process", &[("number", "{ORDER}")], [Deny, Deny, Allow, Deny, Allow]),
    (
        "/api/admin/order/ship",
        &[
            ("merchant_id", "{A}"),
            ("number", "{ORDER}"),
            ("carrier", "royal-mail"),
            ("tracking_number", "AB123456789GB"),
            ("lines[0]", "{LINE}:1"),
            ("idempotency_key", "matrix-ship-key-0001"),
        ],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/order/cancel",
        &[
            ("merchant_id", "{A}"),
            ("number", "{ORDER}"),
            ("reason", "Out of stock"),
            ("idempotency_key", "matrix-cancel-key-01"),
        ],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/order/refund",
        &[
            ("merchant_id", "{A}"),
            ("number", "{ORDER}"),
            ("lines[0]", "{LINE}:1.00"),
            ("idempotency_key", "matrix-refund-key-01"),
        ],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // `{RETURN}`: the shopper asked to return the delivered line of store A.
    (
        "/api/admin/return/approve",
        &[("merchant_id", "{A}"), ("return_id", "{RETURN}")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    ("/api/admin/return/approve", &[("return_id", "{RETURN}")], [Deny, Deny, Allow, Deny, Allow]),
    (
        "/api/admin/return/reject",
        &[("merchant_id", "{A}"), ("return_id", "{RETURN}"), ("reason", "Shows wear")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/return/receive",
        &[("merchant_id", "{A}"), ("return_id", "{RETURN}")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    (
        "/api/admin/return/refund",
        &[("merchant_id", "{A}"), ("return_id", "{RETURN}")],
        [Deny, Deny, Allow, Deny, Allow],
    ),
    // Only the shopper who placed `{ORDER}` asks for a return (refused with a reason here: it has
    // not been delivered); stores and the admin act on returns, they do not open them.
    (
        "/api/orders/return",
        &[("number", "{ORDER}"), ("merchant_id", "{A}"), ("lines[0]", "{LINE}:1"), ("reason", "Too big")],
        [Deny, Allow, Deny, Deny, Deny],
    ),
];

pub const MADE_UP_TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// What a staff member (not owner) of store A may do, beyond the five callers of `MATRIX`: the
/// owner's pages (earnings, settings, staff) are refused, the day-to-day work is not.
pub const STAFF_OF_A: &[(&str, &[(&str, &str)], Outcome)] = &[
    ("/api/admin/earnings", &[("merchant_id", "{A}")], Deny),
    ("/api/admin/earnings", &[], Deny),
    ("/api/admin/settings", &[("merchant_id", "{A}")], Deny),
    ("/api/admin/settings", &[], Deny),
    (
        "/api/admin/settings/store",
        &[("merchant_id", "{A}"), ("name", "Taken over"), ("description", ""), ("support_email", "")],
        Deny,
    ),
    ("/api/admin/staff", &[("merchant_id", "{A}")], Deny),
    ("/api/admin/staff", &[], Deny),
    ("/api/admin/staff/invite", &[("merchant_id", "{A}"), ("email", "friend@example.com")], Deny),
    ("/api/admin/staff/invite", &[("email", "friend@example.com")], Deny),
    ("/api/admin/staff/revoke", &[("invitation_id", "1")], Deny),
    ("/api/admin/staff/remove", &[("user_id", "1")], Deny),
    ("/api/admin/payouts", &[], Deny),
    ("/api/admin/dashboard", &[], Allow),
    ("/api/admin/orders", &[("merchant_id", "{A}")], Allow),
    ("/api/admin/products", &[("merchant_id", "{A}")], Allow),
    ("/api/admin/inventory", &[("merchant_id", "{A}"), ("q", "a"), ("low", "false")], Allow),
    ("/api/admin/payments", &[("merchant_id", "{A}")], Allow),
    ("/api/admin/shipping", &[("merchant_id", "{A}")], Allow),
    ("/api/admin/reviews", &[("merchant_id", "{A}")], Allow),
    ("/api/admin/analytics", &[("merchant_id", "{A}")], Allow),
];

/// A staff member (not owner) of store `merchant_id`, signed in: their Cookie header.
pub async fn staff_of(app: &TestApp, merchant_id: i64, email: &str) -> String {
    use app::domain::account::StoreRole;
    use app::services::account_store::NewUser;
    let password = "staff member passphrase 1";
    let user = NewUser {
        email: email.into(),
        display_name: "Staff Member".into(),
        password_hash: app::services::passwords::hash(password.to_string()).await.unwrap(),
        is_admin: false,
        email_verified: true,
    };
    let id = app.shop.accounts.create_user(&user).await.unwrap();
    app.shop.accounts.add_store_member(merchant_id, id, StoreRole::Staff).await.unwrap();
    app.login(email, password).await
}

pub const PRODUCT_SAVE_A: &[(&str, &str)] = &[
    ("id", "{PRODUCT_A}"),
    ("title", "Matrix product"),
    ("category_id", "1"),
    ("status", "draft"),
    ("sku[0]", "MATRIX-1"),
    ("price[0]", "1.00"),
    ("stock[0]", "1"),
];

pub const PRODUCT_NEW_A: &[(&str, &str)] = &[
    ("merchant_id", "{A}"),
    ("title", "Matrix new product"),
    ("category_id", "1"),
    ("status", "draft"),
    ("sku[0]", "MATRIX-NEW-1"),
    ("price[0]", "1.00"),
    ("stock[0]", "1"),
];

pub const CHECKOUT: &[(&str, &str)] = &[
    ("email", "matrix@meridian.test"),
    ("name", "N"),
    ("line1", "L"),
    ("city", "C"),
    ("postal_code", "1"),
    ("country", "US"),
    ("card_number", "4242 4242 4242 4242"),
    ("card_expiry", "12/39"),
    ("card_cvc", "123"),
];

pub const ADDRESS: &[(&str, &str)] =
    &[("name", "N"), ("line1", "L"), ("city", "C"), ("postal_code", "1"), ("country", "US")];

/// The values behind the placeholders of `MATRIX` in one test shop.
pub struct Fill(Vec<(&'static str, String)>);

impl Fill {
    pub fn new(values: Vec<(&'static str, String)>) -> Fill {
        Fill(values)
    }

    pub fn fill(&self, v: &str) -> String {
        self.0.iter().fold(v.to_string(), |v, (k, with)| v.replace(k, with))
    }
}

/// Sets up what the placeholders name (store A, an address, a review, an order with a line, a
/// cart, a variant and an image of A, and with `with_return` a return) and signs in the callers
/// in `WHO` order (anonymous has no cookie).
pub async fn prepare(app: &TestApp, with_return: bool) -> (Fill, [String; 5]) {
    let a = app.store_of(OWNER_A.0).await.to_string();
    let shopper = app.login(SHOPPER.0, SHOPPER.1).await;
    let add = app.call(&shopper, "/api/account/add_address", ADDRESS).await;
    let addr = add.body.trim().to_string();
    assert!(addr.parse::<i64>().is_ok(), "address id: {}", add.body);
    let (product_a, review_a) = review_of_store_a(app, a.parse().unwrap()).await;
    let order = order_of_shopper(app, &shopper, a.parse().unwrap()).await;
    let part = app.shop.fulfilment.part(&order, a.parse().unwrap()).await.unwrap().unwrap();
    let line = part.lines[0].line_id.to_string();
    let return_id = if with_return {
        return_of_shopper(app, &order, a.parse().unwrap(), part.lines[0].line_id).await
    } else {
        String::new()
    };
    let cart_variant = variant_in_cart(app, &shopper).await;
    let variant_a = variant_of_store(app, a.parse().unwrap()).await;
    let image_a = match app.shop.product_images.product_images(product_a.parse().unwrap()).await.unwrap() {
        Some(p) if !p.images.is_empty() => p.images[0].id.to_string(),
        _ => String::new(),
    };
    let cookies = [
        String::new(),
        shopper,
        app.login(OWNER_A.0, OWNER_A.1).await,
        app.login(OWNER_B.0, OWNER_B.1).await,
        app.login(ADMIN.0, ADMIN.1).await,
    ];
    let fill = Fill(vec![
        ("{A}", a),
        ("{ADDR}", addr),
        ("{CART_VARIANT}", cart_variant),
        ("{ORDER}", order),
        ("{LINE}", line),
        ("{RETURN}", return_id),
        ("{VARIANT_A}", variant_a),
        ("{IMAGE_A}", image_a),
        ("{PRODUCT_A}", product_a),
        ("{REVIEW_A}", review_a),
    ]);
    (fill, cookies)
}

/// A published product of store A (the demo seed numbers products from 1) and a review of it
/// by a shopper who is none of the callers.
async fn review_of_store_a(app: &TestApp, store_a: i64) -> (String, String) {
    use app::services::account_store::NewUser;
    use app::services::review_store::NewReview;
    let mut product = 1;
    while app.shop.reviews.product_merchant(product).await.unwrap() != Some(store_a) {
        product += 1;
        assert!(product < 10_000, "store A has no published product");
    }
    let user = NewUser {
        email: "matrix-reviewer@meridian.test".into(),
        display_name: "Matrix Reviewer".into(),
        password_hash: "not-a-hash".into(),
        is_admin: false,
        email_verified: true,
    };
    let author = app.shop.accounts.create_user(&user).await.unwrap();
    let review = NewReview { product_id: product, user_id: author, rating: 3, body: "Fine.".into() };
    let id = app.shop.reviews.create_review(&review, 1_000).await.unwrap();
    (product.to_string(), id.to_string())
}

/// Puts the first variant that can be bought into the shopper's cart; returns its id.
async fn variant_in_cart(app: &TestApp, shopper: &str) -> String {
    for variant in 1..200 {
        let id = variant.to_string();
        let res = app.call(shopper, "/api/cart/add", &[("variant_id", &id), ("quantity", "1")]).await;
        if res.status == 200 {
            return id;
        }
    }
    panic!("no variant could be added to the cart");
}

/// A variant of store A (in stock, so a removal of one can go through).
async fn variant_of_store(app: &TestApp, store_a: i64) -> String {
    let ids: Vec<i64> = (1..500).collect();
    let variants = app.shop.orders.variants_for_order(&ids).await.unwrap();
    variants
        .iter()
        .find(|v| v.merchant_id == store_a && v.stock > 1)
        .expect("a variant of store A")
        .variant_id
        .to_string()
}

/// The shopper buys one thing from store A; returns the order number.
async fn order_of_shopper(app: &TestApp, shopper: &str, store_a: i64) -> String {
    let ids: Vec<i64> = (1..500).collect();
    let variants = app.shop.orders.variants_for_order(&ids).await.unwrap();
    let of_a = variants
        .iter()
        .find(|v| v.merchant_id == store_a && v.sellable() && v.stock > 0)
        .expect("a variant of store A");
    let id = of_a.variant_id.to_string();
    let res = app.call(shopper, "/api/cart/add", &[("variant_id", &id), ("quantity", "1")]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mut form = CHECKOUT.to_vec();
    form.push(("idempotency_key", "matrix-order-key-0001"));
    let res = app.call(shopper, "/api/checkout/place", &form).await;
    let number = res.body.trim().trim_matches('"').to_string();
    assert!(number.starts_with("MM-"), "checkout answered {} {}", res.status, res.body);
    number
}

/// Store A ships the shopper's order, the carrier delivers it, and the shopper asks to return
/// the line: returns the return's id.
async fn return_of_shopper(app: &TestApp, order: &str, store_a: i64, line: i64) -> String {
    use app::domain::shipment::{LineQuantity, TrackingKind};
    use app::services::fulfilment as f;
    let now = app::services::clock::now();
    let lines = vec![LineQuantity { line_id: line, quantity: 1 }];
    let ship = f::ShipRequest {
        carrier: "dhl-express".into(),
        tracking_number: "1234567890".into(),
        lines: lines.clone(),
        idempotency_key: None,
        now,
    };
    let shipped = f::ship(app.shop.fulfilment.as_ref(), order, store_a, ship).await.unwrap();
    let delivered = app::domain::tracking::TrackingEvent {
        id: "matrix-delivered".into(),
        kind: TrackingKind::Delivered,
        at: now,
        location: None,
        description: "Delivered".into(),
    };
    f::record_tracking_event(app.shop.fulfilment.as_ref(), shipped.shipment.id, "dhl-express", &delivered, now)
        .await
        .unwrap();
    let ask = f::ReturnAsk { lines, reason: "Too big".into(), now };
    let window = app::domain::returns::ReturnWindow::default();
    f::request_return(app.shop.fulfilment.as_ref(), window, order, store_a, ask).await.unwrap().to_string()
}
