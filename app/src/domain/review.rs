//! Product reviews: what a shopper may write, how ratings add up, and what crosses to the
//! browser. Pure rules, shared by server and browser, unit-tested.
use super::errors::{AppError, FieldErrors};
use serde::{Deserialize, Serialize};

/// Longest review text, in characters.
pub const MAX_BODY: usize = 4000;
/// Longest merchant reply, in characters.
pub const MAX_REPLY: usize = 2000;
/// Reviews shown on a product page, best first in the chosen order.
pub const PAGE_SIZE: i64 = 20;

/// The order of the reviews on a product page (`?reviews=newest|helpful` in the URL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewSort {
    #[default]
    Newest,
    Helpful,
}

impl ReviewSort {
    pub const ALL: [ReviewSort; 2] = [ReviewSort::Newest, ReviewSort::Helpful];

    /// Unknown or missing values fall back to newest, so a mistyped URL still shows reviews.
    pub fn from_param(value: Option<&str>) -> ReviewSort {
        match value.map(str::trim) {
            Some("helpful") => ReviewSort::Helpful,
            _ => ReviewSort::Newest,
        }
    }

    pub fn as_param(self) -> &'static str {
        match self {
            ReviewSort::Newest => "newest",
            ReviewSort::Helpful => "helpful",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewSort::Newest => "Newest",
            ReviewSort::Helpful => "Most helpful",
        }
    }
}

/// A review as a product page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub product_id: i64,
    /// The author's public name ("Ada L."), never their email.
    pub author: String,
    pub rating: i64,
    pub body: String,
    pub helpful_count: i64,
    /// The author has a paid order containing this product.
    pub verified_purchase: bool,
    pub merchant_reply: Option<String>,
    pub replied_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Written by whoever is looking at the page.
    pub is_own: bool,
    /// Whoever is looking has already marked it helpful.
    pub voted_helpful: bool,
}

/// Count, sum and per-star counts of a product's ratings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSummary {
    pub count: i64,
    pub sum: i64,
    /// `distribution[0]` is the number of 1★ ratings, `distribution[4]` of 5★.
    pub distribution: [i64; 5],
}

impl RatingSummary {
    pub fn from_ratings(ratings: &[i64]) -> RatingSummary {
        let mut s = RatingSummary::default();
        for &r in ratings.iter().filter(|r| (1..=5).contains(*r)) {
            s.count += 1;
            s.sum += r;
            s.distribution[(r - 1) as usize] += 1;
        }
        s
    }

    /// The mean rating, `None` before the first review.
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64)
    }

    /// The mean to one decimal, as shown ("4.3"); empty before the first review.
    pub fn average_label(&self) -> String {
        self.average().map(|a| format!("{:.1}", round_tenth(a))).unwrap_or_default()
    }

    /// Ratings with this many stars.
    pub fn with_stars(&self, stars: i64) -> i64 {
        if (1..=5).contains(&stars) { self.distribution[(stars - 1) as usize] } else { 0 }
    }

    /// Share of ratings with this many stars, 0–100, rounded.
    pub fn percent(&self, stars: i64) -> i64 {
        if self.count == 0 { 0 } else { (self.with_stars(stars) * 100 + self.count / 2) / self.count }
    }
}

fn round_tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// How many of five stars to draw full, half and empty for a rating (to the nearest half).
pub fn star_fill(rating: f64) -> (usize, bool, usize) {
    let halves = (rating.clamp(0.0, 5.0) * 2.0).round() as usize;
    let full = halves / 2;
    let half = halves % 2 == 1;
    (full, half, 5 - full - usize::from(half))
}

/// "4.3 out of 5", for screen readers.
pub fn stars_label(rating: f64) -> String {
    let r = round_tenth(rating.clamp(0.0, 5.0));
    if r.fract() == 0.0 { format!("{r:.0} out of 5") } else { format!("{r:.1} out of 5") }
}

/// What a reviewer may show of their name: the first name and the initial of the last ("Ada L.").
pub fn public_name(display_name: &str) -> String {
    // Demo and imported names may carry a role in brackets: "Ada (shopper)".
    let clean = display_name.split('(').next().unwrap_or_default();
    let mut words = clean.split_whitespace();
    match (words.next(), words.last()) {
        (None, _) => "A shopper".to_string(),
        (Some(first), None) => first.chars().take(40).collect(),
        (Some(first), Some(last)) => {
            let first: String = first.chars().take(40).collect();
            match last.chars().next() {
                Some(initial) => format!("{first} {}.", initial.to_uppercase()),
                None => first,
            }
        }
    }
}

/// A review as submitted, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewInput {
    pub rating: i64,
    pub body: String,
}

pub fn parse_rating(value: Option<&str>) -> Result<i64, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Err("Choose a rating from 1 to 5 stars.".into()),
        Some(v) => match v.parse::<i64>() {
            Ok(r) if (1..=5).contains(&r) => Ok(r),
            _ => Err("A rating is 1 to 5 stars.".into()),
        },
    }
}

/// Trims the text; the rating must be 1–5 and the text at most `MAX_BODY` characters.
pub fn validate_review(rating: Option<&str>, body: &str) -> Result<ReviewInput, AppError> {
    let mut errors = FieldErrors::default();
    let rating = parse_rating(rating).map_err(|e| errors.add("rating", e)).unwrap_or(0);
    let body = body.trim().replace("\r\n", "\n");
    let len = body.chars().count();
    if len > MAX_BODY {
        errors.add("body", format!("Keep your review under {MAX_BODY} characters (it has {len})."));
    }
    errors.into_result()?;
    Ok(ReviewInput { rating, body })
}

pub fn validate_reply(reply: &str) -> Result<String, AppError> {
    let reply = reply.trim().replace("\r\n", "\n");
    let len = reply.chars().count();
    if len == 0 {
        return Err(AppError::one("reply", "Write a reply first."));
    }
    if len > MAX_REPLY {
        return Err(AppError::one("reply", format!("Keep your reply under {MAX_REPLY} characters (it has {len}).")));
    }
    Ok(reply)
}

/// "Mar 12, 2026" for a unix time (UTC), so server and browser render the same text.
pub fn date_label(unix: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (y, m, d) = super::dates::civil_from_days(unix.div_euclid(86_400));
    format!("{} {d}, {y}", MONTHS[(m - 1) as usize])
}

/// Who is looking at a product's reviews, and so what they may do there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// Signed out: may read, and is invited to sign in to write.
    Visitor,
    /// Signed in: may write (or edit) their review and mark others' reviews helpful.
    Shopper,
    /// Staff of the store selling the product: may reply to reviews, and may not review the
    /// store's own products.
    StoreStaff,
}

/// Everything the reviews section of a product page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewsView {
    pub product_id: i64,
    pub summary: RatingSummary,
    pub sort: ReviewSort,
    pub reviews: Vec<Review>,
    pub viewer: Viewer,
    /// The viewer's own review, for editing.
    pub mine: Option<Review>,
    /// Which page of `PAGE_SIZE` reviews this is, from 1.
    pub page: u32,
}

impl ReviewsView {
    pub fn last_page(&self) -> u32 {
        last_page(self.summary.count)
    }

    /// The 1-based positions of the first and last review shown.
    pub fn shown_range(&self) -> (i64, i64) {
        let first = (self.page as i64 - 1) * PAGE_SIZE + 1;
        (first, first + self.reviews.len() as i64 - 1)
    }
}

/// Pages of `PAGE_SIZE` reviews needed for `count` reviews (at least one).
pub fn last_page(count: i64) -> u32 {
    ((count + PAGE_SIZE - 1) / PAGE_SIZE).clamp(1, u32::MAX as i64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_must_be_one_to_five() {
        for bad in
            [None, Some(""), Some("0"), Some("6"), Some("-1"), Some("3.5"), Some("five"), Some("99999999999999999999")]
        {
            let err = validate_review(bad, "Nice").unwrap_err();
            assert!(err.field("rating").is_some(), "{bad:?}");
        }
        assert!(validate_review(None, "").unwrap_err().field("rating").unwrap().contains("Choose a rating"));
        for (raw, want) in [("1", 1), ("5", 5), (" 4 ", 4)] {
            assert_eq!(validate_review(Some(raw), "").unwrap().rating, want);
        }
    }

    #[test]
    fn text_is_trimmed_optional_and_limited() {
        let ok = validate_review(Some("4"), "  Lovely mug.\r\nKeeps tea hot.  ").unwrap();
        assert_eq!(ok.body, "Lovely mug.\nKeeps tea hot.");
        assert_eq!(validate_review(Some("4"), "   ").unwrap().body, "");
        assert!(validate_review(Some("4"), &"é".repeat(MAX_BODY)).is_ok(), "the limit counts characters, not bytes");
        let err = validate_review(Some("4"), &"x".repeat(MAX_BODY + 1)).unwrap_err();
        let msg = err.field("body").unwrap();
        assert!(msg.contains("4000 characters") && msg.contains("4001"), "{msg}");
        let both = validate_review(Some("9"), &"x".repeat(MAX_BODY + 1)).unwrap_err();
        assert!(both.field("rating").is_some() && both.field("body").is_some(), "every bad field is reported");
    }

    #[test]
    fn replies_need_text_within_the_limit() {
        assert!(validate_reply("  ").unwrap_err().field("reply").is_some());
        assert!(validate_reply(&"x".repeat(MAX_REPLY + 1)).unwrap_err().field("reply").unwrap().contains("2000"));
        assert_eq!(validate_reply(" Thank you! ").unwrap(), "Thank you!");
    }

    #[test]
    fn summary_adds_up() {
        let s = RatingSummary::from_ratings(&[5, 5, 4, 1, 3, 5, 7, 0]);
        assert_eq!(s.count, 6, "out-of-range ratings are ignored");
        assert_eq!(s.sum, 23);
        assert_eq!(s.distribution, [1, 0, 1, 1, 3]);
        assert_eq!(s.average_label(), "3.8");
        assert_eq!(s.with_stars(5), 3);
        assert_eq!(s.with_stars(6), 0);
        assert_eq!(s.percent(5), 50);
        assert_eq!(s.percent(1), 17, "1/6 rounds to 17%");
        assert_eq!((1..=5).map(|n| s.with_stars(n)).sum::<i64>(), s.count);
        let empty = RatingSummary::default();
        assert_eq!((empty.average(), empty.average_label(), empty.percent(5)), (None, String::new(), 0));
        assert!((RatingSummary::from_ratings(&[4, 5]).average().unwrap() - 4.5).abs() < 1e-9);
    }

    #[test]
    fn stars_round_to_halves_and_read_aloud() {
        assert_eq!(star_fill(4.3), (4, true, 0));
        assert_eq!(star_fill(4.2), (4, false, 1));
        assert_eq!(star_fill(4.8), (5, false, 0));
        assert_eq!(star_fill(0.0), (0, false, 5));
        assert_eq!(star_fill(9.0), (5, false, 0));
        assert_eq!(stars_label(4.26), "4.3 out of 5");
        assert_eq!(stars_label(4.0), "4 out of 5");
    }

    #[test]
    fn dates_are_calendar_dates_in_utc() {
        assert_eq!(date_label(0), "Jan 1, 1970");
        assert_eq!(date_label(1_767_225_600), "Jan 1, 2026");
        assert_eq!(date_label(951_782_400 + 86_399), "Feb 29, 2000");
        assert_eq!(date_label(1_767_225_600 - 1), "Dec 31, 2025");
    }

    #[test]
    fn reviews_come_in_pages() {
        assert_eq!((last_page(0), last_page(1), last_page(PAGE_SIZE)), (1, 1, 1));
        assert_eq!((last_page(PAGE_SIZE + 1), last_page(3 * PAGE_SIZE)), (2, 3));
    }

    #[test]
    fn public_names_hide_surnames() {
        assert_eq!(public_name("Ada Lovelace"), "Ada L.");
        assert_eq!(public_name("  grace brewster hopper "), "grace H.");
        assert_eq!(public_name("Shopper (shopper)"), "Shopper");
        assert_eq!(public_name("   "), "A shopper");
    }

    #[test]
    fn sort_comes_from_the_url_forgivingly() {
        assert_eq!(ReviewSort::from_param(Some("helpful")), ReviewSort::Helpful);
        assert_eq!(ReviewSort::from_param(Some("bogus")), ReviewSort::Newest);
        assert_eq!(ReviewSort::from_param(None), ReviewSort::Newest);
        for s in ReviewSort::ALL {
            assert_eq!(ReviewSort::from_param(Some(s.as_param())), s);
        }
    }
}
