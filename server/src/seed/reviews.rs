//! Demo reviews: a dozen reviewer accounts rate part of the catalog, so ratings, distributions,
//! helpful votes and store replies vary from product to product. Deterministic, and written in
//! one transaction to keep seeding fast.
use super::rng::Rng;
use app::services::Shop;
use app::services::account_store::NewUser;
use app::services::review_store::{ImportedReview, NewReview};

/// Reviewers (display name, email). They have random passwords nobody knows: they only write.
const REVIEWERS: &[(&str, &str)] = &[
    ("Maya Robinson", "maya.robinson"),
    ("Tomás Ortega", "tomas.ortega"),
    ("Priya Nair", "priya.nair"),
    ("Jonas Becker", "jonas.becker"),
    ("Aiko Tanaka", "aiko.tanaka"),
    ("Sam Whitfield", "sam.whitfield"),
    ("Chiara Romano", "chiara.romano"),
    ("Daniel Okafor", "daniel.okafor"),
    ("Lena Kowalski", "lena.kowalski"),
    ("Oliver Grant", "oliver.grant"),
    ("Fatima Haddad", "fatima.haddad"),
    ("Ben Carter", "ben.carter"),
];

/// Review texts by rating (index 0 = 1 star); an empty text is a rating without words.
const TEXTS: [&[&str]; 5] = [
    &[
        "Arrived damaged, and the replacement took two weeks. Not what I expected from the photos.",
        "Stopped working properly after a week. I would not buy it again.",
        "Much cheaper-feeling than the price suggests. Returned it.",
    ],
    &[
        "Not quite as pictured, and the finish was uneven on mine.",
        "It does the job, but it feels flimsy and the colour is duller than shown.",
        "",
    ],
    &[
        "It's fine. Decent quality, but nothing special for the price.",
        "Mixed feelings: it looks great, but it shows wear sooner than I'd like.",
        "Okay for everyday use. The description oversells it a little.",
        "",
    ],
    &[
        "Very happy overall. A bit smaller than I expected, but the quality is great.",
        "Good value and nicely finished. Delivery took a few extra days.",
        "Does exactly what it should. Would be perfect with a couple more colour options.",
        "Solid and well made. Knocked off a star because the packaging was excessive.",
        "",
    ],
    &[
        "Exactly what I hoped for. Well made, and it arrived quickly.",
        "Beautiful quality for the price. I've already ordered a second one as a gift.",
        "Feels sturdy and looks even better in person.",
        "I've used it daily for a month and it still looks new. Highly recommend.",
        "Lovely details you only notice once it's in your hands. Five stars.",
        "",
    ],
];

const THANKS: &[&str] = &[
    "Thank you for the kind words! We're so glad it's a good fit.",
    "Thanks for taking the time to review. Enjoy it!",
];
const SORRY: &[&str] = &[
    "We're sorry to hear this. Please contact us and we'll make it right with a replacement or a refund.",
    "Thank you for the honest feedback. We've passed it on to our workshop and would love the chance to fix this for you.",
];

/// A product the demo catalog just created: (id, created_at).
pub struct SeededProduct {
    pub id: i64,
    pub created_at: i64,
}

/// Creates the reviewers and their reviews; returns how many reviews were written.
pub async fn demo_reviews(shop: &Shop, products: &[SeededProduct], latest: i64) -> Result<usize, String> {
    // One hash of a random password for all reviewers: nobody can sign in as them, and seeding
    // pays for a single Argon2 run.
    let password_hash = app::services::passwords::hash(app::services::passwords::new_token()).await?;
    let mut reviewers = Vec::with_capacity(REVIEWERS.len());
    for (name, local) in REVIEWERS {
        let user = NewUser {
            email: format!("{local}@reviewers.meridian.test"),
            display_name: name.to_string(),
            password_hash: password_hash.clone(),
            is_admin: false,
            email_verified: true,
        };
        reviewers.push(shop.accounts.create_user(&user).await.map_err(|e| e.to_string())?);
    }

    let mut rng = Rng::new(5_2026);
    let mut out = Vec::new();
    for product in products {
        // About half the catalog has reviews, from one to a full dozen.
        if !rng.chance(50) {
            continue;
        }
        // Each product has a character: most are liked, some divide opinion, a few disappoint.
        let (lo, hi) = match rng.range(0, 9) {
            0 => (1, 3),
            1 | 2 => (2, 5),
            3..=5 => (4, 5),
            _ => (3, 5),
        };
        let mut who = reviewers.clone();
        rng.shuffle(&mut who);
        let n = if rng.chance(15) { rng.range(8, 12) } else { rng.range(1, 6) } as usize;
        for (k, user_id) in who.iter().take(n).enumerate() {
            let rating = rng.range(lo, hi);
            let body = rng.pick(TEXTS[(rating - 1) as usize]).to_string();
            // Spread over the weeks between the product's launch and the demo's "today".
            let window = (latest - product.created_at).max(2 * 86_400);
            let created_at = product.created_at + rng.range(86_400, window) - k as i64;
            // Most reviews get few votes; a few become the ones everybody found helpful.
            let votes = match rng.range(0, 9) {
                0..=3 => 0,
                4..=6 => rng.range(1, 2),
                7 => rng.range(3, 5),
                _ => rng.range(6, 11),
            };
            let mut others: Vec<i64> = reviewers.iter().copied().filter(|r| r != user_id).collect();
            rng.shuffle(&mut others);
            let voters = if body.is_empty() { Vec::new() } else { others.into_iter().take(votes as usize).collect() };
            let reply = match rating {
                1 | 2 if rng.chance(60) => Some(rng.pick(SORRY)),
                5 if rng.chance(10) => Some(rng.pick(THANKS)),
                _ => None,
            };
            out.push(ImportedReview {
                review: NewReview { product_id: product.id, user_id: *user_id, rating, body },
                created_at,
                helpful_voters: voters,
                merchant_reply: reply.map(|text| (text.to_string(), created_at + 86_400)),
            });
        }
    }
    shop.reviews.import_reviews(&out).await.map_err(|e| e.to_string())?;
    Ok(out.len())
}
