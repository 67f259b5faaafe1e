//! Filters a shopper applies to a product list, parsed forgivingly from the URL, and the facet
//! counts that tell them how many products each choice leaves. Counts are disjunctive: a facet's
//! values are counted with every *other* facet's filter applied, so choosing one store still
//! shows how many products the other stores would add.
use super::listing::Sort;
use super::money::{Currency, Money};
use super::search::url_encode;
use super::slug::is_valid_slug;
use serde::{Deserialize, Serialize};

/// More values than this in one facet is not a person clicking; the rest are ignored.
const MAX_VALUES: usize = 20;

/// Price bands in minor units: [min, max).
pub const PRICE_BANDS: [(i64, Option<i64>); 5] =
    [(0, Some(2500)), (2500, Some(5000)), (5000, Some(10000)), (10000, Some(25000)), (25000, None)];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBand {
    pub min: i64,
    pub max: Option<i64>,
}

impl PriceBand {
    /// "25-50" or "250-" in major units; only the bands the shop offers are accepted.
    pub fn parse(param: &str) -> Option<PriceBand> {
        PRICE_BANDS.iter().map(|(min, max)| PriceBand { min: *min, max: *max }).find(|b| b.param() == param.trim())
    }

    pub fn param(&self) -> String {
        match self.max {
            Some(max) => format!("{}-{}", self.min / 100, max / 100),
            None => format!("{}-", self.min / 100),
        }
    }

    pub fn contains(&self, price_minor: i64) -> bool {
        price_minor >= self.min && self.max.is_none_or(|max| price_minor < max)
    }

    pub fn label(&self, currency: Currency) -> String {
        let whole = |minor: i64| Money::new(minor, currency).to_string().trim_end_matches(".00").to_string();
        match self.max {
            Some(max) if self.min == 0 => format!("Under {}", whole(max)),
            Some(max) => format!("{} to {}", whole(self.min), whole(max)),
            None => format!("{} and over", whole(self.min)),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    /// Category slugs; a category includes everything below it.
    pub categories: Vec<String>,
    /// Store (merchant) slugs.
    pub stores: Vec<String>,
    pub price: Option<PriceBand>,
    /// Average rating at least this many stars (1–4).
    pub min_rating: Option<u8>,
    pub in_stock: bool,
}

fn slugs(param: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in param.unwrap_or("").split(',').map(str::trim).filter(|s| is_valid_slug(s)) {
        if !out.iter().any(|o| o == s) && out.len() < MAX_VALUES {
            out.push(s.to_string());
        }
    }
    out
}

impl Filters {
    /// Garbage is dropped rather than refused: a hand-edited or stale link still shows products.
    pub fn from_params(
        category: Option<&str>,
        store: Option<&str>,
        price: Option<&str>,
        rating: Option<&str>,
        stock: Option<&str>,
    ) -> Filters {
        Filters {
            categories: slugs(category),
            stores: slugs(store),
            price: price.and_then(PriceBand::parse),
            min_rating: rating.and_then(|r| r.trim().parse::<u8>().ok()).filter(|r| (1..=4).contains(r)),
            in_stock: matches!(stock.map(str::trim), Some("1" | "true" | "on")),
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }

    /// The filters as URL parameters, in a fixed order so equal filters give equal links.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.categories.is_empty() {
            out.push(("category", self.categories.join(",")));
        }
        if !self.stores.is_empty() {
            out.push(("store", self.stores.join(",")));
        }
        if let Some(p) = &self.price {
            out.push(("price", p.param()));
        }
        if let Some(r) = self.min_rating {
            out.push(("rating", r.to_string()));
        }
        if self.in_stock {
            out.push(("stock", "1".into()));
        }
        out
    }

    pub fn toggle_category(&self, slug: &str) -> Filters {
        let mut f = self.clone();
        toggle(&mut f.categories, slug);
        f
    }

    pub fn toggle_store(&self, slug: &str) -> Filters {
        let mut f = self.clone();
        toggle(&mut f.stores, slug);
        f
    }

    pub fn toggle_price(&self, band: PriceBand) -> Filters {
        Filters { price: if self.price == Some(band) { None } else { Some(band) }, ..self.clone() }
    }

    pub fn toggle_rating(&self, stars: u8) -> Filters {
        Filters { min_rating: if self.min_rating == Some(stars) { None } else { Some(stars) }, ..self.clone() }
    }

    pub fn toggle_in_stock(&self) -> Filters {
        Filters { in_stock: !self.in_stock, ..self.clone() }
    }
}

/// The query string (without `?`) of a listing URL: the page's own parameters (e.g. `q`), the
/// filters, the sort unless default, the page unless first. Shared by every link on the page,
/// so facet links, sort links and pager links never drop each other's state.
pub fn listing_query(fixed: &[(&str, String)], filters: &Filters, sort: Sort, page: u32) -> String {
    let mut parts: Vec<String> =
        fixed.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
    parts.extend(filters.params().into_iter().map(|(k, v)| format!("{k}={}", url_encode(&v))));
    if sort != Sort::default() {
        parts.push(format!("sort={}", sort.param()));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    parts.join("&")
}

/// `base` with the query appended when there is one.
pub fn href(base: &str, query: &str) -> String {
    if query.is_empty() { base.to_string() } else { format!("{base}?{query}") }
}

fn toggle(list: &mut Vec<String>, value: &str) {
    if let Some(i) = list.iter().position(|v| v == value) {
        list.remove(i);
    } else {
        list.push(value.to_string());
    }
}

/// What faceting needs to know about one candidate product.
#[derive(Clone, Debug, PartialEq)]
pub struct FacetItem {
    /// The category slugs from the root down to the product's own category.
    pub category_path: Vec<String>,
    pub store_slug: String,
    pub price_minor: i64,
    pub stock: i64,
    pub review_count: i64,
    pub rating_sum: i64,
}

impl FacetItem {
    pub fn average_rating(&self) -> Option<f64> {
        (self.review_count > 0).then(|| self.rating_sum as f64 / self.review_count as f64)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Facet {
    Category,
    Store,
    Price,
    Rating,
    Stock,
}

/// Whether an item passes every filter except `skip` (for disjunctive counts).
fn passes(item: &FacetItem, f: &Filters, skip: Option<Facet>) -> bool {
    let check = |facet: Facet, ok: bool| skip == Some(facet) || ok;
    check(Facet::Category, f.categories.is_empty() || f.categories.iter().any(|c| item.category_path.contains(c)))
        && check(Facet::Store, f.stores.is_empty() || f.stores.contains(&item.store_slug))
        && check(Facet::Price, f.price.is_none_or(|b| b.contains(item.price_minor)))
        && check(Facet::Rating, f.min_rating.is_none_or(|r| item.average_rating().is_some_and(|a| a >= r as f64)))
        && check(Facet::Stock, !f.in_stock || item.stock > 0)
}

pub fn matches(item: &FacetItem, filters: &Filters) -> bool {
    passes(item, filters, None)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FacetValue {
    /// The URL value (a slug, a band, a star count).
    pub value: String,
    pub label: String,
    pub count: i64,
    pub selected: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub categories: Vec<FacetValue>,
    pub stores: Vec<FacetValue>,
    pub prices: Vec<FacetValue>,
    pub ratings: Vec<FacetValue>,
    /// How many would remain with "in stock only" on.
    pub in_stock: i64,
}

/// Counts every facet value over `items`. `names` maps category and store slugs to labels;
/// `facet_categories` are the category slugs worth offering (e.g. the children of the page's
/// category, or the categories search hits fall in), in display order.
pub fn count(
    items: &[FacetItem],
    filters: &Filters,
    facet_categories: &[(String, String)],
    stores: &[(String, String)],
    currency: Currency,
) -> Facets {
    let tally = |facet: Facet, hit: &dyn Fn(&FacetItem) -> bool| -> i64 {
        items.iter().filter(|i| passes(i, filters, Some(facet)) && hit(i)).count() as i64
    };
    let keep = |v: &FacetValue| v.count > 0 || v.selected;
    let categories = facet_categories
        .iter()
        .map(|(slug, name)| FacetValue {
            value: slug.clone(),
            label: name.clone(),
            count: tally(Facet::Category, &|i| i.category_path.contains(slug)),
            selected: filters.categories.contains(slug),
        })
        .filter(keep)
        .collect();
    let mut stores: Vec<FacetValue> = stores
        .iter()
        .map(|(slug, name)| FacetValue {
            value: slug.clone(),
            label: name.clone(),
            count: tally(Facet::Store, &|i| &i.store_slug == slug),
            selected: filters.stores.contains(slug),
        })
        .filter(keep)
        .collect();
    stores.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    let prices = PRICE_BANDS
        .iter()
        .map(|(min, max)| {
            let band = PriceBand { min: *min, max: *max };
            FacetValue {
                value: band.param(),
                label: band.label(currency),
                count: tally(Facet::Price, &|i| band.contains(i.price_minor)),
                selected: filters.price == Some(band),
            }
        })
        .filter(keep)
        .collect();
    let ratings = (1..=4u8)
        .rev()
        .map(|stars| FacetValue {
            value: stars.to_string(),
            label: if stars == 1 { "1 star & up".to_string() } else { format!("{stars} stars & up") },
            count: tally(Facet::Rating, &|i| i.average_rating().is_some_and(|a| a >= stars as f64)),
            selected: filters.min_rating == Some(stars),
        })
        .filter(keep)
        .collect();
    Facets { categories, stores, prices, ratings, in_stock: tally(Facet::Stock, &|i| i.stock > 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(cat: &[&str], store: &str, price: i64, stock: i64, reviews: (i64, i64)) -> FacetItem {
        FacetItem {
            category_path: cat.iter().map(|s| s.to_string()).collect(),
            store_slug: store.into(),
            price_minor: price,
            stock,
            review_count: reviews.0,
            rating_sum: reviews.1,
        }
    }

    #[test]
    fn params_parse_forgivingly_and_round_trip() {
        let f = Filters::from_params(
            Some("lamps,LAMPS,bad slug,,lamps,desk"),
            Some("north"),
            Some("25-50"),
            Some("4"),
            Some("1"),
        );
        assert_eq!(f.categories, vec!["lamps", "desk"]);
        assert_eq!(f.price, Some(PriceBand { min: 2500, max: Some(5000) }));
        assert_eq!(f.min_rating, Some(4));
        assert!(f.in_stock);
        let p = f.params();
        let get = |k: &str| p.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        let again = Filters::from_params(get("category"), get("store"), get("price"), get("rating"), get("stock"));
        assert_eq!(again, f);
        let junk = Filters::from_params(None, Some("';DROP TABLE x"), Some("1-2"), Some("9"), Some("yes please"));
        assert!(junk.is_empty(), "unknown values are ignored: {junk:?}");
        let many: String = (0..100).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(Filters::from_params(Some(&many), None, None, None, None).categories.len(), MAX_VALUES);
    }

    #[test]
    fn links_keep_every_other_parameter() {
        let f = Filters { stores: vec!["a".into(), "b".into()], in_stock: true, ..Default::default() };
        let q = listing_query(&[("q", "desk lamp".into())], &f, Sort::PriceLowHigh, 2);
        assert_eq!(q, "q=desk+lamp&store=a,b&stock=1&sort=price_asc&page=2");
        assert_eq!(listing_query(&[], &Filters::default(), Sort::Recommended, 1), "");
        assert_eq!(href("/c/x", ""), "/c/x");
    }

    #[test]
    fn toggles_add_and_remove() {
        let f = Filters::default().toggle_store("a").toggle_store("b").toggle_store("a");
        assert_eq!(f.stores, vec!["b"]);
        let band = PriceBand::parse("250-").unwrap();
        assert_eq!(f.toggle_price(band).price, Some(band));
        assert_eq!(f.toggle_price(band).toggle_price(band).price, None);
        assert!(f.toggle_in_stock().in_stock && !f.toggle_in_stock().toggle_in_stock().in_stock);
    }

    #[test]
    fn bands_cover_every_price_once_and_read_well() {
        for price in [0, 2499, 2500, 9999, 10000, 1_000_000] {
            let n = PRICE_BANDS.iter().filter(|(min, max)| PriceBand { min: *min, max: *max }.contains(price)).count();
            assert_eq!(n, 1, "price {price}");
        }
        assert_eq!(PriceBand::parse("0-25").unwrap().label(Currency::USD), "Under $25");
        assert_eq!(PriceBand::parse("25-50").unwrap().label(Currency::USD), "$25 to $50");
        assert_eq!(PriceBand::parse("250-").unwrap().label(Currency::USD), "$250 and over");
    }

    #[test]
    fn counts_are_disjunctive_within_a_facet_and_conjunctive_across() {
        let items = vec![
            item(&["home", "lamps"], "north", 2000, 3, (2, 9)),
            item(&["home", "lamps"], "south", 3000, 0, (0, 0)),
            item(&["home", "rugs"], "north", 30000, 1, (1, 3)),
            item(&["audio"], "volt", 4000, 5, (4, 18)),
        ];
        let cats =
            vec![("lamps".into(), "Lamps".into()), ("rugs".into(), "Rugs".into()), ("audio".into(), "Audio".into())];
        let stores =
            vec![("north".into(), "North".into()), ("south".into(), "South".into()), ("volt".into(), "Volt".into())];
        let f = Filters { stores: vec!["north".into()], ..Default::default() };
        let facets = count(&items, &f, &cats, &stores, Currency::USD);
        // Store counts ignore the store filter itself…
        let store = |v: &str| facets.stores.iter().find(|s| s.value == v).map(|s| (s.count, s.selected));
        assert_eq!(store("north"), Some((2, true)));
        assert_eq!(store("south"), Some((1, false)));
        // …while other facets count within the chosen store only; empty values are hidden.
        let cat = |v: &str| facets.categories.iter().find(|s| s.value == v).map(|s| s.count);
        assert_eq!((cat("lamps"), cat("rugs"), cat("audio")), (Some(1), Some(1), None));
        assert_eq!(facets.in_stock, 2);
        let stars = |v: &str| facets.ratings.iter().find(|s| s.value == v).map(|s| s.count);
        assert_eq!((stars("4"), stars("3")), (Some(1), Some(2)), "averages 4.5 and 3.0");
        let all = Filters { categories: vec!["home".into()], in_stock: true, ..Default::default() };
        assert_eq!(items.iter().filter(|i| matches(i, &all)).count(), 2, "a parent category includes its children");
    }
}
