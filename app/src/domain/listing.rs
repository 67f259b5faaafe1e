//! How a product list is ordered and paged, parsed forgivingly from the URL.
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 24;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sort {
    /// The ranking engine with the admin's weights (text relevance counts in search only).
    #[default]
    Recommended,
    /// The ranking engine with the Bayesian rating as the only signal.
    BestRated,
    Newest,
    PriceLowHigh,
    PriceHighLow,
}

impl Sort {
    pub const ALL: [Sort; 5] =
        [Sort::Recommended, Sort::BestRated, Sort::Newest, Sort::PriceLowHigh, Sort::PriceHighLow];

    /// Unknown values fall back to the default instead of failing: old links keep working.
    pub fn from_param(s: Option<&str>) -> Sort {
        match s.map(str::trim) {
            Some("rating") => Sort::BestRated,
            Some("newest") => Sort::Newest,
            Some("price_asc") => Sort::PriceLowHigh,
            Some("price_desc") => Sort::PriceHighLow,
            _ => Sort::Recommended,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            Sort::Recommended => "recommended",
            Sort::BestRated => "rating",
            Sort::Newest => "newest",
            Sort::PriceLowHigh => "price_asc",
            Sort::PriceHighLow => "price_desc",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Recommended => "Recommended",
            Sort::BestRated => "Best rated",
            Sort::Newest => "Newest",
            Sort::PriceLowHigh => "Price: low to high",
            Sort::PriceHighLow => "Price: high to low",
        }
    }

    /// Ordered by the ranking engine, so each result has a score that can be explained.
    pub fn is_ranked(self) -> bool {
        matches!(self, Sort::Recommended | Sort::BestRated)
    }
}

/// A page number from the URL: missing, zero, negative or garbage means the first page.
pub fn page_from_param(s: Option<&str>) -> u32 {
    s.and_then(|s| s.trim().parse::<u32>().ok()).filter(|&p| p >= 1).unwrap_or(1)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The page actually shown: a request past the end shows the last page.
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u32 {
        total_pages(self.total, self.per_page)
    }
}

pub fn total_pages(total: i64, per_page: u32) -> u32 {
    if total <= 0 || per_page == 0 { 1 } else { ((total as u64).div_ceil(per_page as u64)).min(u32::MAX as u64) as u32 }
}

/// Clamps a requested page into the range that has items.
pub fn clamp_page(requested: u32, total: i64, per_page: u32) -> u32 {
    requested.clamp(1, total_pages(total, per_page))
}

/// The page numbers to show in a pager: first, last, and a window around the current one;
/// `None` marks a gap ("…").
pub fn pager_window(current: u32, last: u32) -> Vec<Option<u32>> {
    let mut out = Vec::new();
    let mut prev = 0;
    for p in 1..=last {
        let near = p.saturating_add(1) >= current && p <= current.saturating_add(1);
        if p == 1 || p == last || near {
            if prev != 0 && p > prev + 1 {
                out.push(None);
            }
            out.push(Some(p));
            prev = p;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sort_forgivingly() {
        assert_eq!(Sort::from_param(Some("price_asc")), Sort::PriceLowHigh);
        assert_eq!(Sort::from_param(Some("price_desc")), Sort::PriceHighLow);
        assert_eq!(Sort::from_param(Some("rating")), Sort::BestRated);
        assert_eq!(Sort::from_param(Some("bogus")), Sort::Recommended);
        assert_eq!(Sort::from_param(None), Sort::Recommended);
        for s in Sort::ALL {
            assert_eq!(Sort::from_param(Some(s.param())), s);
        }
    }

    #[test]
    fn bad_page_numbers_mean_the_first_page() {
        assert_eq!(page_from_param(Some("3")), 3);
        assert_eq!(page_from_param(Some("abc")), 1);
        assert_eq!(page_from_param(Some("0")), 1);
        assert_eq!(page_from_param(Some("-2")), 1);
        assert_eq!(page_from_param(Some("99999999999999")), 1);
        assert_eq!(page_from_param(None), 1);
    }

    #[test]
    fn pages_clamp_into_range() {
        assert_eq!(total_pages(0, 24), 1);
        assert_eq!(total_pages(24, 24), 1);
        assert_eq!(total_pages(25, 24), 2);
        assert_eq!(clamp_page(9, 50, 24), 3);
        assert_eq!(clamp_page(2, 0, 24), 1);
    }

    #[test]
    fn pager_shows_ends_and_neighbours() {
        assert_eq!(pager_window(1, 1), vec![Some(1)]);
        assert_eq!(pager_window(5, 9), vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(9)]);
        assert_eq!(pager_window(2, 3), vec![Some(1), Some(2), Some(3)]);
    }
}

/// The sort, page and facet parameters come from the URL: anything a link can hold.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::facets::{Filters, PRICE_BANDS, PriceBand};
    use crate::domain::test_input::{config, wild};
    use proptest::prelude::*;

    fn opt_wild() -> impl Strategy<Value = Option<String>> {
        prop::option::of(wild())
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn sort_and_page_never_panic_and_read_back(s in opt_wild(), page in any::<u32>()) {
            let sort = Sort::from_param(s.as_deref());
            prop_assert_eq!(Sort::from_param(Some(sort.param())), sort);
            prop_assert!(page_from_param(s.as_deref()) >= 1);
            prop_assert_eq!(page_from_param(Some(&format!(" {page} "))), page.max(1));
        }

        #[test]
        fn paging_arithmetic_never_panics(requested in any::<u32>(), total in any::<i64>(), per_page in any::<u32>()) {
            let last = total_pages(total, per_page);
            let page = clamp_page(requested, total, per_page);
            prop_assert!((1..=last).contains(&page));
            // The window only for a pager a page could show (its loop walks every page).
            if last <= 10_000 {
                let window = pager_window(page, last);
                prop_assert!(window.contains(&Some(page)) && window.contains(&Some(1)) && window.contains(&Some(last)));
            }
            let _ = pager_window(requested, 3);
        }

        #[test]
        fn facets_never_panic_and_read_back(
            category in opt_wild(),
            store in opt_wild(),
            price in opt_wild(),
            rating in opt_wild(),
            stock in opt_wild(),
        ) {
            let f = Filters::from_params(category.as_deref(), store.as_deref(), price.as_deref(), rating.as_deref(), stock.as_deref());
            let params = f.params();
            let get = |k: &str| params.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
            let again = Filters::from_params(get("category"), get("store"), get("price"), get("rating"), get("stock"));
            prop_assert_eq!(again, f);
        }

        #[test]
        fn offered_facet_values_are_kept(
            slugs in prop::collection::vec("[a-z0-9]{1,10}(-[a-z0-9]{1,8})?", 1..4),
            band in 0usize..PRICE_BANDS.len(),
            rating in 1u8..=4,
        ) {
            let (min, max) = PRICE_BANDS[band];
            let price = PriceBand { min, max };
            let joined = slugs.join(",");
            let f = Filters::from_params(Some(&joined), Some(&joined), Some(&price.param()), Some(&rating.to_string()), Some("1"));
            let mut unique = slugs.clone();
            unique.dedup();
            prop_assert_eq!(f.price, Some(price));
            prop_assert_eq!(f.min_rating, Some(rating));
            prop_assert!(f.in_stock);
            prop_assert!(unique.iter().all(|s| f.categories.contains(s)));
        }
    }
}
