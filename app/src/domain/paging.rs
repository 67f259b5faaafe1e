//! Keyset ("cursor") paging for the dashboard's long lists. A page is found by the row key it
//! starts after, never by an offset, so the hundredth page costs what the first does and no list
//! counts its rows: every list page's cost is independent of how many rows the store has.
//! Lists are newest first by an increasing row key (an order's id, a payment's, a review's).
//! Cursors come from the page's own links (`?before=…`, `?after=…`); anything else in them is
//! ignored and the list starts at its newest rows, since a list link is something people share.
use serde::{Deserialize, Serialize};

/// Where a page of a newest-first list starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    /// The newest rows.
    #[default]
    Newest,
    /// The rows older than (with a key below) this one.
    Before(i64),
    /// The rows newer than (with a key above) this one, nearest first.
    After(i64),
}

impl Cursor {
    /// From a list link's `before` and `after` parameters; `before` wins when both are sent.
    pub fn from_params(before: Option<&str>, after: Option<&str>) -> Cursor {
        let key = |raw: Option<&str>| raw.and_then(|s| s.trim().parse::<i64>().ok());
        Cursor::from_keys(key(before), key(after))
    }

    /// From the keys a server function was called with (row keys are positive).
    pub fn from_keys(before: Option<i64>, after: Option<i64>) -> Cursor {
        match (before.filter(|k| *k > 0), after.filter(|k| *k > 0)) {
            (Some(k), _) => Cursor::Before(k),
            (None, Some(k)) => Cursor::After(k),
            (None, None) => Cursor::Newest,
        }
    }

    /// The `(before, after)` keys a server function is called with.
    pub fn keys(&self) -> (Option<i64>, Option<i64>) {
        match *self {
            Cursor::Newest => (None, None),
            Cursor::Before(k) => (Some(k), None),
            Cursor::After(k) => (None, Some(k)),
        }
    }

    /// Whether the store reads this page in ascending key order (then `page` puts it back).
    pub fn ascending(&self) -> bool {
        matches!(self, Cursor::After(_))
    }
}

/// One page of a newest-first list and the cursors of its neighbours: `older` for the "Older"
/// link (`?before=`), `newer` for "Newer" (`?after=`); `None` where there is nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub older: Option<i64>,
    pub newer: Option<i64>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { rows: Vec::new(), older: None, newer: None }
    }
}

/// How many rows to ask the store for: one more than a page, to learn whether there are more.
pub fn fetch_size(size: usize) -> i64 {
    size as i64 + 1
}

/// The page from the rows the store returned for `cursor` (at most `fetch_size(size)`, in key
/// order descending, or ascending for `After`). `None` when an `After` page reached the newest
/// row: the caller shows the newest page instead, so the first page always looks the same.
pub fn page<T>(mut rows: Vec<T>, key: impl Fn(&T) -> i64, cursor: Cursor, size: usize) -> Option<Page<T>> {
    let more = rows.len() > size;
    rows.truncate(size);
    match cursor {
        Cursor::Newest => {
            let older = if more { rows.last().map(&key) } else { None };
            Some(Page { rows, older, newer: None })
        }
        Cursor::Before(_) => {
            let older = if more { rows.last().map(&key) } else { None };
            let newer = rows.first().map(&key);
            Some(Page { rows, older, newer })
        }
        Cursor::After(k) => {
            if !more {
                return None;
            }
            rows.reverse();
            let newer = rows.first().map(&key);
            // There is at least the row the cursor named below this page.
            let older = rows.last().map(&key).or(Some(k));
            Some(Page { rows, older, newer })
        }
    }
}

/// The query string of a list link: the list's own parameters (empty ones dropped) and the
/// cursor's, e.g. `status=paid&before=812`.
pub fn link_query(params: &[(&str, &str)], cursor: Cursor) -> String {
    let mut parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::search::url_encode(v)))
        .collect();
    match cursor {
        Cursor::Newest => {}
        Cursor::Before(k) => parts.push(format!("before={k}")),
        Cursor::After(k) => parts.push(format!("after={k}")),
    }
    parts.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A store of keys 1..=n read the way the SQL adapters read it.
    fn read(n: i64, cursor: Cursor, size: usize) -> Vec<i64> {
        let all: Vec<i64> = (1..=n).collect();
        let mut rows: Vec<i64> = match cursor {
            Cursor::Newest => all.iter().rev().copied().collect(),
            Cursor::Before(k) => all.iter().rev().copied().filter(|x| *x < k).collect(),
            Cursor::After(k) => all.iter().copied().filter(|x| *x > k).collect(),
        };
        rows.truncate(fetch_size(size) as usize);
        rows
    }

    fn open(n: i64, cursor: Cursor, size: usize) -> Page<i64> {
        page(read(n, cursor, size), |x| *x, cursor, size).unwrap_or_else(|| open(n, Cursor::Newest, size))
    }

    #[test]
    fn params_are_read_and_junk_is_the_newest_page() {
        assert_eq!(Cursor::from_params(Some("812"), None), Cursor::Before(812));
        assert_eq!(Cursor::from_params(None, Some(" 9 ")), Cursor::After(9));
        assert_eq!(Cursor::from_params(Some("3"), Some("9")), Cursor::Before(3));
        for junk in ["", "x", "-4", "0", "1e9", "99999999999999999999999"] {
            assert_eq!(Cursor::from_params(Some(junk), None), Cursor::Newest, "{junk}");
        }
    }

    #[test]
    fn the_first_page_links_older_only_when_there_is_more() {
        let p = open(30, Cursor::Newest, 25);
        assert_eq!(p.rows.first(), Some(&30));
        assert_eq!(p.rows.len(), 25);
        assert_eq!((p.older, p.newer), (Some(6), None));
        let p = open(25, Cursor::Newest, 25);
        assert_eq!((p.older, p.newer), (None, None));
        let p = open(0, Cursor::Newest, 25);
        assert!(p.rows.is_empty());
    }

    #[test]
    fn an_after_page_that_reaches_the_top_is_the_newest_page() {
        assert_eq!(page(read(30, Cursor::After(20), 25), |x| *x, Cursor::After(20), 25), None);
        let p = open(100, Cursor::After(50), 25);
        assert_eq!(p.rows, (51..=75).rev().collect::<Vec<_>>());
        assert_eq!((p.older, p.newer), (Some(51), Some(75)));
    }

    #[test]
    fn link_queries_keep_the_filters_and_encode_what_was_typed() {
        assert_eq!(link_query(&[("status", "paid"), ("q", "")], Cursor::Before(9)), "status=paid&before=9");
        assert_eq!(link_query(&[("q", "ada lovelace&x=1")], Cursor::Newest), "q=ada+lovelace%26x%3D1");
        assert_eq!(link_query(&[], Cursor::After(3)), "after=3");
    }

    proptest! {
        /// Walking older from the newest page and back newer visits every row exactly once, in
        /// order, and comes back to the same pages.
        #[test]
        fn walking_the_pages_visits_every_row_once(n in 0i64..300, size in 1usize..40) {
            let mut seen = Vec::new();
            let mut pages = vec![open(n, Cursor::Newest, size)];
            loop {
                let p = pages.last().cloned().unwrap_or_default();
                prop_assert!(p.rows.len() <= size);
                seen.extend(p.rows.iter().copied());
                match p.older {
                    Some(k) => pages.push(open(n, Cursor::Before(k), size)),
                    None => break,
                }
            }
            prop_assert_eq!(seen, (1..=n).rev().collect::<Vec<_>>());
            // Back up through the "Newer" links: the same pages, newest last.
            let mut back = pages.last().cloned().unwrap_or_default();
            for expected in pages.iter().rev().skip(1) {
                let k = back.newer;
                prop_assert!(k.is_some());
                back = open(n, Cursor::After(k.unwrap_or_default()), size);
                prop_assert_eq!(&back.rows, &expected.rows);
            }
            prop_assert_eq!(back.newer, None);
        }

        #[test]
        fn any_parameter_text_gives_a_cursor(before in ".{0,30}", after in ".{0,30}") {
            let c = Cursor::from_params(Some(&before), Some(&after));
            if let Cursor::Before(k) | Cursor::After(k) = c { prop_assert!(k > 0); }
        }
    }
}
