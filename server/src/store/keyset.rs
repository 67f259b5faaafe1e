//! Keyset ("cursor") reads for the dashboard's sorted lists (`domain::paging`): a page is the rows
//! just below or above one row in the list's order, found with a row-value comparison against
//! that row's own sort keys, so any page costs what the first does (no OFFSET, no COUNT).
//! `Cursor::Before(k)` reads down the list from row `k`, `Cursor::After(k)` up from it (nearest
//! first, in reverse order; `domain::paging::page` puts it back).
use app::domain::paging::Cursor;
use sqlx::QueryBuilder;

/// A list's order: its sort expressions (the last one the row's unique id, so the order is
/// total), whether it is descending, and how to read those expressions for the cursor's row.
pub struct Keyset {
    /// e.g. `["LOWER(p.title)", "p.id"]`; every one sorts the same way.
    pub keys: &'static [&'static str],
    pub descending: bool,
    /// The FROM clause that defines the keys' aliases for one row, e.g. `products p`.
    pub row_from: &'static str,
    /// The column naming that row, e.g. `p.id`.
    pub row_id: &'static str,
    /// How many leading keys one index holds when the rest come from a joined table (0: all of
    /// them, or none). A row-value comparison across two tables is only a filter, so the index
    /// walk would start at the list's top; comparing the leading keys too (`>=`) lets it start at
    /// the cursor (the inventory at 100,000 variants: 71 ms → under 1 ms on PostgreSQL).
    pub indexed: usize,
}

impl Keyset {
    /// Appends ` AND (keys) < (the cursor row's keys)` (or `>`) and the `ORDER BY` for `cursor`,
    /// then ` LIMIT limit`. A cursor naming no row (deleted, or another store's) reads nothing;
    /// the service then shows the first page.
    pub fn push<'q, DB>(&self, qb: &mut QueryBuilder<'q, DB>, cursor: Cursor, limit: i64)
    where
        DB: sqlx::Database,
        i64: 'q + sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let keys = self.keys.join(", ");
        // Down the list is "below" for a descending order, "above" for an ascending one.
        let (down, up) = if self.descending { ("<", ">") } else { (">", "<") };
        let (forward, backward) = if self.descending { ("DESC", "ASC") } else { ("ASC", "DESC") };
        let leading =
            (self.indexed > 0 && self.indexed < self.keys.len()).then(|| self.keys[..self.indexed].join(", "));
        let mut compare = |op: &str, k: i64| {
            if let Some(leading) = &leading {
                qb.push(format!(
                    " AND ({leading}) {op}= (SELECT {leading} FROM {} WHERE {} = ",
                    self.row_from, self.row_id
                ))
                .push_bind(k)
                .push(")");
            }
            qb.push(format!(" AND ({keys}) {op} (SELECT {keys} FROM {} WHERE {} = ", self.row_from, self.row_id))
                .push_bind(k)
                .push(")");
        };
        let direction = match cursor {
            Cursor::Newest => forward,
            Cursor::Before(k) => {
                compare(down, k);
                forward
            }
            Cursor::After(k) => {
                compare(up, k);
                backward
            }
        };
        let order: Vec<String> = self.keys.iter().map(|k| format!("{k} {direction}")).collect();
        qb.push(" ORDER BY ").push(order.join(", ")).push(" LIMIT ").push_bind(limit.max(0));
    }
}

/// `LIKE` pattern for "contains", lowercased, with the wildcards in the text taken literally
/// (`ESCAPE '\'`); empty for blank text.
pub fn contains_pattern(text: &str) -> String {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return String::new();
    }
    let mut out = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Sqlite;

    const TITLES: Keyset = Keyset {
        keys: &["LOWER(p.title)", "p.id"],
        descending: false,
        row_from: "products p",
        row_id: "p.id",
        indexed: 0,
    };

    fn sql(k: &Keyset, cursor: Cursor) -> String {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT p.id FROM products p WHERE p.merchant_id = 1");
        k.push(&mut qb, cursor, 26);
        qb.into_sql()
    }

    #[test]
    fn pages_compare_with_the_cursor_rows_keys_in_the_lists_direction() {
        assert!(sql(&TITLES, Cursor::Newest).ends_with("ORDER BY LOWER(p.title) ASC, p.id ASC LIMIT ?"));
        let down = sql(&TITLES, Cursor::Before(7));
        assert!(
            down.contains("AND (LOWER(p.title), p.id) > (SELECT LOWER(p.title), p.id FROM products p WHERE p.id = ?)")
        );
        assert!(down.ends_with("ORDER BY LOWER(p.title) ASC, p.id ASC LIMIT ?"));
        let up = sql(&TITLES, Cursor::After(7));
        assert!(up.contains(") < (SELECT"));
        assert!(up.ends_with("ORDER BY LOWER(p.title) DESC, p.id DESC LIMIT ?"));
        let newest =
            Keyset { keys: &["r.id"], descending: true, row_from: "product_reviews r", row_id: "r.id", indexed: 0 };
        assert!(sql(&newest, Cursor::Before(9)).contains("AND (r.id) < (SELECT r.id FROM product_reviews r"));
        // Keys across a join: the indexed ones are compared too, so the walk starts at the cursor.
        let joined = Keyset {
            keys: &["p.title", "p.id", "v.id"],
            descending: false,
            row_from: "v JOIN p",
            row_id: "v.id",
            indexed: 2,
        };
        let down = sql(&joined, Cursor::Before(3));
        assert!(down.contains("AND (p.title, p.id) >= (SELECT p.title, p.id FROM v JOIN p WHERE v.id = ?)"), "{down}");
        assert!(
            down.contains("AND (p.title, p.id, v.id) > (SELECT p.title, p.id, v.id FROM v JOIN p WHERE v.id = ?)"),
            "{down}"
        );
        assert!(sql(&joined, Cursor::After(3)).contains("AND (p.title, p.id) <= (SELECT"));
    }

    #[test]
    fn contains_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("  "), "");
        assert_eq!(contains_pattern("Mug"), "%mug%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
