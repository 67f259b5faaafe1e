//! Products as CSV: one row per variant, rows with the same `handle` (the product's slug) form
//! one product. This module checks the file (encoding, header), groups the already-split records
//! by handle, turns each group into the product form's input and runs the form's own rules
//! (`product_form::validate`) on it, and words every problem for a merchant, with its line
//! number. It also writes the export rows, in exactly the format the import reads. The CSV
//! tokenising itself (quotes, commas, line breaks in fields) is the server's `csv` crate.
use super::errors::FieldErrors;
use super::product_form::{ProductInput, ValidProduct, VariantInput, format_amount, parse_amount, validate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The columns every file needs, in the order the export writes them (the import accepts any
/// order).
pub const COLUMNS: [&str; 11] = [
    "handle",
    "title",
    "description",
    "category",
    "status",
    "option_names",
    "option_values",
    "sku",
    "price",
    "compare_at_price",
    "stock",
];
/// An optional column: the stock when the file was exported. The export writes it after
/// `COLUMNS`; on import, a row whose `stock` still equals it leaves the stock alone (sales made
/// since the export are kept), and a different `stock` is written only if the stock still is
/// `exported_stock` — otherwise the product is refused with the current stock (compare-and-set,
/// as the product form does). Blank, or a file without the column: `stock` is a count that
/// replaces the stock.
pub const EXPORTED_STOCK: &str = "exported_stock";
/// What the export writes: `COLUMNS`, then `EXPORTED_STOCK`.
pub const EXPORT_COLUMNS: [&str; 12] = {
    let mut columns = [EXPORTED_STOCK; 12];
    let mut i = 0;
    while i < COLUMNS.len() {
        columns[i] = COLUMNS[i];
        i += 1;
    }
    columns
};
/// The largest file the upload takes.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;
/// Rows written per transaction by the import job.
pub const BATCH_ROWS: usize = 500;

/// One variant row as read from the file; `line` is where the record starts (the header is line 1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRow {
    pub line: u64,
    pub handle: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub status: String,
    pub option_names: String,
    pub option_values: String,
    pub sku: String,
    pub price: String,
    pub compare_at_price: String,
    pub stock: String,
    /// Blank when the file has no `exported_stock` column.
    #[serde(default)]
    pub exported_stock: String,
}

/// A row that was not imported, and why, in a merchant's words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub handle: String,
    pub sku: String,
    pub message: String,
}

impl RowError {
    pub fn of(row: &CsvRow, message: impl Into<String>) -> RowError {
        RowError { line: row.line, handle: row.handle.clone(), sku: row.sku.clone(), message: message.into() }
    }

    /// "line 7: price must be a number like 12.50, got 'abc'".
    pub fn text(&self) -> String {
        format!("line {}: {}", self.line, self.message)
    }
}

/// The rows of one product, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvGroup {
    pub handle: String,
    pub rows: Vec<CsvRow>,
}

/// A group after the form's rules: the product to write (with the file line of each variant, in
/// the product's variant order) and the rows that were left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedProduct {
    pub product: Option<ValidProduct>,
    pub lines: Vec<u64>,
    pub errors: Vec<RowError>,
}

/// What the file's header row asks for: the position of each of `COLUMNS`, and of
/// `exported_stock` when the file has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns([usize; 11], Option<usize>);

fn expected_list() -> String {
    COLUMNS.join(",")
}

/// Strips a UTF-8 byte order mark and checks the rest is UTF-8; a file saved in another encoding
/// (Windows-1252, Latin-1) is refused with the line of its first unreadable character.
pub fn decode(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes.iter().take(e.valid_up_to()).filter(|b| **b == b'\n').count() + 1;
        format!(
            "The file is not UTF-8 text: line {line} has a character we can't read (the file may be saved as \
             Windows-1252 or Latin-1). Save it as \"CSV UTF-8\" in your spreadsheet app and upload it again."
        )
    })
}

/// Checks the header row: every column exactly once, nothing else (names are trimmed and case
/// does not matter). Nothing is imported from a file whose header is wrong.
pub fn check_header(header: &[String]) -> Result<Columns, String> {
    let names: Vec<String> = header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
    let mut problems = Vec::new();
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !names.iter().any(|n| n == c)).collect();
    if !missing.is_empty() {
        problems.push(format!("missing {}", missing.join(", ")));
    }
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !COLUMNS.contains(n) && *n != EXPORTED_STOCK)
        .map(|n| if n.is_empty() { "(blank)" } else { n })
        .collect();
    if !unknown.is_empty() {
        problems.push(format!("unknown {}", unknown.join(", ")));
    }
    let repeated: Vec<&str> =
        EXPORT_COLUMNS.iter().copied().filter(|c| names.iter().filter(|n| n == c).count() > 1).collect();
    if !repeated.is_empty() {
        problems.push(format!("repeated {}", repeated.join(", ")));
    }
    if !problems.is_empty() {
        return Err(format!(
            "The first line must name the columns {} (any order); this file's header has {}. Nothing was imported.",
            expected_list(),
            problems.join("; ")
        ));
    }
    let mut at = [0usize; 11];
    for (i, c) in COLUMNS.iter().enumerate() {
        at[i] = names.iter().position(|n| n == c).unwrap_or(i);
    }
    Ok(Columns(at, names.iter().position(|n| n == EXPORTED_STOCK)))
}

impl Columns {
    /// One record as a row; a record with the wrong number of values is an error on its line.
    pub fn row(&self, line: u64, fields: &[String]) -> Result<CsvRow, RowError> {
        let cell = |at: usize| fields.get(at).map(|s| unescape_cell(s.trim()).to_string()).unwrap_or_default();
        let get = |i: usize| self.0.get(i).map(|at| cell(*at)).unwrap_or_default();
        let row = CsvRow {
            line,
            handle: get(0),
            title: get(1),
            // The description keeps its inner spacing (Markdown); only the ends are trimmed.
            description: get(2),
            category: get(3),
            status: get(4),
            option_names: get(5),
            option_values: get(6),
            sku: get(7),
            price: get(8),
            compare_at_price: get(9),
            stock: get(10),
            exported_stock: self.1.map(cell).unwrap_or_default(),
        };
        let expected = COLUMNS.len() + usize::from(self.1.is_some());
        if fields.len() != expected {
            return Err(RowError::of(
                &row,
                format!("this line has {} values; every line needs {expected} (one per column)", fields.len()),
            ));
        }
        Ok(row)
    }
}

/// Whether a record is only blanks (a spreadsheet's trailing empty lines).
pub fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(|f| f.trim().is_empty())
}

/// Groups rows by handle (first appearance order). A row without a handle, or with a SKU already
/// used on an earlier line, is refused here.
pub fn group_rows(rows: Vec<CsvRow>) -> (Vec<CsvGroup>, Vec<RowError>) {
    let mut groups: Vec<CsvGroup> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut skus: HashMap<String, (u64, String)> = HashMap::new();
    let mut errors = Vec::new();
    for row in rows {
        if row.handle.is_empty() {
            errors
                .push(RowError::of(&row, "handle is empty; give every row its product's handle (like linen-tote-bag)"));
            continue;
        }
        if !row.sku.is_empty() {
            let key = row.sku.to_lowercase();
            if let Some((line, handle)) = skus.get(&key) {
                errors.push(RowError::of(&row, format!("SKU {} is already used on line {line} ({handle})", row.sku)));
                continue;
            }
            skus.insert(key, (row.line, row.handle.clone()));
        }
        match index.get(&row.handle) {
            Some(&i) => {
                if let Some(g) = groups.get_mut(i) {
                    g.rows.push(row);
                }
            }
            None => {
                index.insert(row.handle.clone(), groups.len());
                groups.push(CsvGroup { handle: row.handle.clone(), rows: vec![row] });
            }
        }
    }
    (groups, errors)
}

/// The CSV column a form field is read from.
fn column_of(field: &str) -> &str {
    match field.rsplit('.').next().unwrap_or(field) {
        "slug" => "handle",
        "category_id" => "category",
        "option_name" => "option_names",
        "option" => "option_values",
        "compare_at" => "compare_at_price",
        "stock_now" => "stock",
        other => other,
    }
}

/// A field error in a merchant's words, naming the column and, for an unreadable value, the value.
fn wording(row: &CsvRow, field: &str, message: &str) -> String {
    let column = column_of(field);
    match column {
        "price" if !row.price.is_empty() && parse_amount(&row.price).is_none() => {
            format!("price must be a number like 12.50, got '{}'", row.price)
        }
        "compare_at_price" if parse_amount(&row.compare_at_price).is_none() => {
            format!("compare_at_price must be a number like 15.00 or blank, got '{}'", row.compare_at_price)
        }
        "stock" if !row.stock.is_empty() && row.stock.parse::<i64>().is_err() => {
            format!("stock must be a whole number like 12, got '{}'", row.stock)
        }
        "stock" if !row.exported_stock.is_empty() && row.exported_stock.parse::<i64>().is_err() => {
            format!("exported_stock must be a whole number like 12 or blank, got '{}'", row.exported_stock)
        }
        "status" => format!("status must be draft or published, got '{}'", row.status),
        "variants" => message.to_string(),
        _ => format!("{column}: {message}"),
    }
}

/// Product columns are read from a product's first row; a later row may repeat them or leave
/// them blank, but a different value is refused (which one was meant?).
fn disagreement(first: &CsvRow, row: &CsvRow) -> Option<String> {
    let pairs = [
        ("title", &first.title, &row.title),
        ("description", &first.description, &row.description),
        ("category", &first.category, &row.category),
        ("status", &first.status, &row.status),
        ("option_names", &first.option_names, &row.option_names),
    ];
    pairs.iter().find(|(_, a, b)| !b.is_empty() && a != b).map(|(name, _, _)| {
        format!("{name} differs from line {} of the same handle; repeat it exactly or leave it blank", first.line)
    })
}

/// Runs the product form's rules on a group. A problem of one variant row leaves out just that
/// row (the others are checked again without it); a problem of the product (title, handle,
/// category, status, option names) leaves out every row of the group.
pub fn prepare(group: &CsvGroup, categories: &HashMap<String, i64>) -> PreparedProduct {
    let Some((first, rest)) = group.rows.split_first() else {
        return PreparedProduct { product: None, lines: Vec::new(), errors: Vec::new() };
    };
    let mut errors = Vec::new();
    let mut rows: Vec<&CsvRow> = vec![first];
    for row in rest {
        match disagreement(first, row) {
            Some(m) => errors.push(RowError::of(row, m)),
            None => rows.push(row),
        }
    }
    let category = match categories.get(&first.category.to_lowercase()) {
        Some(id) => id.to_string(),
        None => {
            let m = if first.category.is_empty() {
                "category is empty; enter a category handle (like home-decor)".to_string()
            } else {
                format!("category '{}' doesn't exist; use the handle of one of the shop's categories", first.category)
            };
            return fail_all(group, &errors, vec![(first.line, m)]);
        }
    };
    loop {
        let input = ProductInput {
            title: first.title.clone(),
            slug: group.handle.clone(),
            description: first.description.clone(),
            category_id: category.clone(),
            status: first.status.clone(),
            option_name: first.option_names.clone(),
            variants: rows
                .iter()
                .map(|r| VariantInput {
                    sku: r.sku.clone(),
                    option: r.option_values.clone(),
                    price: r.price.clone(),
                    compare_at: r.compare_at_price.clone(),
                    stock: r.stock.clone(),
                    stock_seen: r.exported_stock.clone(),
                })
                .collect(),
        };
        let fields: FieldErrors = match validate(&input) {
            Ok(product) => {
                let lines = rows.iter().map(|r| r.line).collect();
                return PreparedProduct { product: Some(product), lines, errors };
            }
            Err(fields) => fields,
        };
        let variant_of =
            |field: &str| -> Option<usize> { field.strip_prefix("variants[")?.split(']').next()?.parse().ok() };
        let product_level: Vec<(u64, String)> = fields
            .0
            .iter()
            .filter(|(f, _)| variant_of(f).is_none())
            .map(|(f, m)| (first.line, wording(first, f, m)))
            .collect();
        let mut bad: Vec<usize> = Vec::new();
        for (field, message) in &fields.0 {
            if let Some((i, row)) = variant_of(field).and_then(|i| Some((i, *rows.get(i)?))) {
                if !bad.contains(&i) {
                    bad.push(i);
                    errors.push(RowError::of(row, wording(row, field, message)));
                }
            }
        }
        if !product_level.is_empty() {
            return fail_all(group, &errors, product_level);
        }
        let kept: Vec<&CsvRow> = rows.iter().enumerate().filter(|(i, _)| !bad.contains(i)).map(|(_, r)| *r).collect();
        if kept.is_empty() || bad.is_empty() {
            return PreparedProduct { product: None, lines: Vec::new(), errors };
        }
        rows = kept;
    }
}

/// Every row of the group refused: the given problems on their lines, the other rows told why.
pub fn fail_all(group: &CsvGroup, earlier: &[RowError], problems: Vec<(u64, String)>) -> PreparedProduct {
    let mut errors = earlier.to_vec();
    let first_line = problems.first().map(|(l, _)| *l).or(group.rows.first().map(|r| r.line)).unwrap_or_default();
    for row in &group.rows {
        let own: Vec<&String> = problems.iter().filter(|(l, _)| *l == row.line).map(|(_, m)| m).collect();
        if !own.is_empty() {
            for m in own {
                errors.push(RowError::of(row, m.clone()));
            }
        } else if !errors.iter().any(|e| e.line == row.line) {
            errors.push(RowError::of(
                row,
                format!("not imported: product {} has a problem on line {first_line}", group.handle),
            ));
        }
    }
    errors.sort_by_key(|e| e.line);
    PreparedProduct { product: None, lines: Vec::new(), errors }
}

/// Every row of a product refused by a check only the database can make (a handle or SKU taken
/// elsewhere): `rows` are the product's (line, SKU), `problems` the lines at fault with why.
pub fn refuse_rows(handle: &str, rows: &[(u64, String)], problems: &[(u64, String)]) -> Vec<RowError> {
    let first_line = problems.first().map(|(l, _)| *l).unwrap_or_default();
    rows.iter()
        .map(|(line, sku)| {
            let message = match problems.iter().find(|(l, _)| l == line) {
                Some((_, m)) => m.clone(),
                None => format!("not imported: product {handle} has a problem on line {first_line}"),
            };
            RowError { line: *line, handle: handle.to_string(), sku: sku.clone(), message }
        })
        .collect()
}

/// One variant as the export writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportVariant {
    pub product_id: i64,
    pub handle: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub published: bool,
    pub option_names: Vec<String>,
    pub option_values: Vec<String>,
    pub sku: String,
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub stock: i64,
}

/// The export's record for a variant, in `EXPORT_COLUMNS` order, every cell through
/// `escape_cell`.
pub fn export_record(v: &ExportVariant) -> [String; 12] {
    [
        v.handle.clone(),
        v.title.clone(),
        v.description.clone(),
        v.category.clone(),
        if v.published { "published" } else { "draft" }.to_string(),
        v.option_names.join(" / "),
        v.option_values.join(" / "),
        v.sku.clone(),
        format_amount(v.price_minor),
        v.compare_at_minor.map(format_amount).unwrap_or_default(),
        v.stock.to_string(),
        v.stock.to_string(),
    ]
    .map(|cell| escape_cell(&cell))
}

/// Whether a spreadsheet would read a cell as a formula (or a command: `@`, and `-`/`+` that
/// start one), or strip its start (tab, carriage return).
fn formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// CSV formula injection: a product's text opened in a spreadsheet must stay text. A cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return — after any apostrophes — gets one
/// more apostrophe in front (spreadsheets show a leading `'` as "this is text"). `unescape_cell`
/// removes exactly that one, so an exported file imports back to the same values.
pub fn escape_cell(value: &str) -> String {
    if value.trim_start_matches('\'').starts_with(formula_start) { format!("'{value}") } else { value.to_string() }
}

/// The import's side of `escape_cell`: a cell that is one or more apostrophes followed by `=`,
/// `+`, `-`, `@`, a tab or a carriage return loses its first apostrophe. Any other cell is read
/// as written (so "'80s style" keeps its apostrophe).
pub fn unescape_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(formula_start) => rest,
        _ => cell,
    }
}

/// Where an import job is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStatus {
    #[default]
    Running,
    Done,
    /// Stopped part way.
    Failed,
    /// The file was refused before any row was read: nothing imported.
    Rejected,
}

impl ImportStatus {
    pub const ALL: [ImportStatus; 4] =
        [ImportStatus::Running, ImportStatus::Done, ImportStatus::Failed, ImportStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
            ImportStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ImportStatus> {
        ImportStatus::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// An import as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJobView {
    pub id: i64,
    pub merchant_id: i64,
    pub status: ImportStatus,
    /// Why a job was rejected or stopped.
    pub message: String,
    pub file_name: String,
    pub total_rows: i64,
    pub rows_done: i64,
    pub ok_rows: i64,
    pub failed_rows: i64,
    pub created_at: i64,
    /// The first rows refused, by line.
    pub errors: Vec<RowError>,
}

impl ImportJobView {
    pub fn finished(&self) -> bool {
        self.status != ImportStatus::Running
    }

    /// Progress in whole percent.
    pub fn percent(&self) -> i64 {
        if self.status == ImportStatus::Done {
            100
        } else if self.total_rows <= 0 {
            0
        } else {
            (self.rows_done * 100 / self.total_rows).clamp(0, 100)
        }
    }
}

/// Refused rows shown on the import page (the rest are counted).
pub const SHOWN_ERRORS: i64 = 500;

/// The import page: the store, a fresh key for the upload form and the job asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPage {
    pub merchant_id: i64,
    pub store_name: String,
    pub idempotency_key: String,
    pub job: Option<ImportJobView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn row(line: u64, handle: &str, sku: &str, option: &str, price: &str, stock: &str) -> CsvRow {
        CsvRow {
            line,
            handle: handle.into(),
            title: "Linen Tote".into(),
            description: "A bag.".into(),
            category: "bags".into(),
            status: "published".into(),
            option_names: "Size".into(),
            option_values: option.into(),
            sku: sku.into(),
            price: price.into(),
            compare_at_price: String::new(),
            stock: stock.into(),
            exported_stock: String::new(),
        }
    }

    fn cats() -> HashMap<String, i64> {
        HashMap::from([("bags".to_string(), 3)])
    }

    #[test]
    fn utf8_with_or_without_bom_is_read_and_other_encodings_are_refused_with_the_line() {
        assert_eq!(decode(b"\xEF\xBB\xBFhandle").unwrap(), "handle");
        assert_eq!(decode("caf\u{e9}".as_bytes()).unwrap(), "caf\u{e9}");
        let err = decode(b"handle\nok\ncaf\xE9\n").unwrap_err();
        assert!(err.contains("line 3") && err.contains("UTF-8"), "{err}");
    }

    #[test]
    fn the_header_needs_every_column_once_in_any_order() {
        let mut cols = s(&COLUMNS);
        cols.reverse();
        let c = check_header(&cols).unwrap();
        let mut fields = s(&COLUMNS);
        fields.reverse();
        let r = c.row(2, &fields).unwrap();
        assert_eq!((r.handle.as_str(), r.stock.as_str()), ("handle", "stock"));
        let err = check_header(&s(&["handle", "title", "colour"])).unwrap_err();
        assert!(err.contains("missing description") && err.contains("unknown colour"), "{err}");
        assert!(err.contains(&COLUMNS.join(",")), "{err}");
        let mut twice = s(&COLUMNS);
        twice.push("sku".into());
        assert!(check_header(&twice).unwrap_err().contains("repeated sku"));
        assert!(c.row(3, &s(&["a", "b"])).unwrap_err().message.contains("2 values"));
    }

    #[test]
    fn rows_group_by_handle_and_a_sku_is_used_once_per_file() {
        let rows = vec![
            row(2, "tote", "T-S", "Small", "1", "1"),
            row(3, "mug", "M-1", "", "1", "1"),
            row(4, "tote", "T-L", "Large", "1", "1"),
            row(5, "cup", "t-s", "", "1", "1"),
            row(6, "", "X", "", "1", "1"),
        ];
        let (groups, errors) = group_rows(rows);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(errors.len(), 2);
        assert!(errors[0].text().starts_with("line 5: SKU t-s is already used on line 2"), "{:?}", errors);
        assert!(errors[1].message.contains("handle is empty"));
    }

    #[test]
    fn a_bad_variant_row_is_left_out_and_the_rest_of_the_product_is_kept() {
        let group = CsvGroup {
            handle: "tote".into(),
            rows: vec![
                row(2, "tote", "T-S", "Small", "24.00", "5"),
                row(3, "tote", "T-M", "Medium", "abc", "5"),
                row(4, "tote", "T-L", "Large", "29.50", "x"),
            ],
        };
        let p = prepare(&group, &cats());
        let product = p.product.unwrap();
        assert_eq!(product.variants.len(), 1);
        assert_eq!(product.category_id, 3);
        assert_eq!(product.slug, "tote");
        assert_eq!(p.lines, vec![2]);
        assert_eq!(p.errors[0].text(), "line 3: price must be a number like 12.50, got 'abc'");
        assert_eq!(p.errors[1].text(), "line 4: stock must be a whole number like 12, got 'x'");
    }

    #[test]
    fn a_product_problem_refuses_every_row_of_the_group() {
        let mut a = row(7, "Bad Handle", "B-1", "Small", "1", "1");
        a.status = "live".into();
        let group = CsvGroup {
            handle: "Bad Handle".into(),
            rows: vec![a, {
                let mut b = row(8, "Bad Handle", "B-2", "Large", "1", "1");
                b.status.clear();
                b
            }],
        };
        let p = prepare(&group, &cats());
        assert!(p.product.is_none());
        let texts: Vec<String> = p.errors.iter().map(RowError::text).collect();
        assert!(texts.iter().any(|t| t.starts_with("line 7: handle:")), "{texts:?}");
        assert!(texts.iter().any(|t| t == "line 7: status must be draft or published, got 'live'"), "{texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("line 8: not imported")), "{texts:?}");

        let mut c = row(9, "x", "C-1", "", "1", "1");
        c.option_names.clear();
        c.category = "boats".into();
        let p = prepare(&CsvGroup { handle: "x".into(), rows: vec![c] }, &cats());
        assert!(p.errors[0].message.contains("category 'boats' doesn't exist"));
    }

    #[test]
    fn later_rows_may_leave_product_columns_blank_but_not_contradict_them() {
        let mut second = row(3, "tote", "T-L", "Large", "2", "1");
        second.title.clear();
        second.description.clear();
        let mut third = row(4, "tote", "T-XL", "XL", "2", "1");
        third.title = "Other".into();
        let group =
            CsvGroup { handle: "tote".into(), rows: vec![row(2, "tote", "T-S", "Small", "1", "1"), second, third] };
        let p = prepare(&group, &cats());
        assert_eq!(p.product.unwrap().variants.len(), 2);
        assert!(p.errors[0].text().starts_with("line 4: title differs from line 2"));
    }

    #[test]
    fn export_rows_are_what_the_import_reads() {
        let v = ExportVariant {
            product_id: 1,
            handle: "tote".into(),
            title: "Linen Tote".into(),
            description: "A bag.".into(),
            category: "bags".into(),
            published: true,
            option_names: vec!["Size".into(), "Colour".into()],
            option_values: vec!["S".into(), "Red".into()],
            sku: "T-S".into(),
            price_minor: 1250,
            compare_at_minor: None,
            stock: 4,
        };
        let record = export_record(&v);
        // The export's header: the columns, then exported_stock.
        let c = check_header(&s(&EXPORT_COLUMNS)).unwrap();
        let r = c.row(2, &record).unwrap();
        assert_eq!((r.stock.as_str(), r.exported_stock.as_str()), ("4", "4"));
        assert_eq!((r.price.as_str(), r.option_values.as_str(), r.compare_at_price.as_str()), ("12.50", "S / Red", ""));
        let group = CsvGroup { handle: r.handle.clone(), rows: vec![r] };
        let p = prepare(&group, &cats()).product.unwrap();
        assert_eq!(p.variants[0].price_minor, 1250);
        assert_eq!(p.variants[0].options, vec!["S".to_string(), "Red".to_string()]);
        assert!(p.published);
    }

    #[test]
    fn progress_is_a_percentage() {
        let mut j =
            ImportJobView { status: ImportStatus::Running, total_rows: 200, rows_done: 50, ..Default::default() };
        assert_eq!(j.percent(), 25);
        j.status = ImportStatus::Done;
        assert_eq!(j.percent(), 100);
    }
}

/// CSV files come from merchants' spreadsheets: any header, any cells, any encoding.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::test_input::{config, short, wild};
    use proptest::prelude::*;

    const CATEGORY_ID: i64 = 7;

    fn categories() -> HashMap<String, i64> {
        HashMap::from([("bags".to_string(), CATEGORY_ID)])
    }

    /// Text a merchant may put in a title: no blank ends (the import trims), no line breaks,
    /// and often a spreadsheet's formula characters in front.
    fn title() -> impl Strategy<Value = String> {
        ("('*[=+@-]|\\t|)", "[^\\s\\u{0}-\\u{1f}\\u{7f}]([^\\r\\n\\u{0}-\\u{1f}]{0,60}[^\\s])?")
            .prop_map(|(start, rest)| format!("{start}{rest}"))
            .prop_filter("not blank once trimmed", |t| !t.trim().is_empty() && t.trim() == t)
    }

    fn variant() -> impl Strategy<Value = ExportVariant> {
        (title(), title(), any::<bool>(), "[A-Z0-9][A-Z0-9_-]{0,20}", 0i64..100_000_000, 0i64..=1_000_000).prop_map(
            |(title, description, published, sku, price_minor, stock)| ExportVariant {
                product_id: 1,
                handle: "linen-tote".into(),
                title,
                description,
                category: "bags".into(),
                published,
                option_names: Vec::new(),
                option_values: Vec::new(),
                sku,
                price_minor,
                compare_at_minor: None,
                stock,
            },
        )
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn escaped_cells_are_never_formulas_and_read_back(cell in wild()) {
            let escaped = escape_cell(&cell);
            prop_assert!(!escaped.starts_with(['=', '+', '-', '@', '\t', '\r']));
            prop_assert_eq!(unescape_cell(&escaped), cell.as_str());
            // A cell the export would not have escaped is read as written.
            if escaped == cell {
                prop_assert_eq!(unescape_cell(&cell), cell.as_str());
            }
        }

        #[test]
        fn any_file_header_and_record_is_read_without_panicking(
            header in prop::collection::vec(short(), 0..14),
            mut fields in prop::collection::vec(short(), 0..14),
            big in wild(),
            bytes in prop::collection::vec(any::<u8>(), 0..200),
        ) {
            let _ = decode(&bytes);
            if let Some(f) = fields.first_mut() {
                *f = big;
            }
            let _ = check_header(&header);
            let columns = check_header(&EXPORT_COLUMNS.map(String::from)).unwrap();
            match columns.row(2, &fields) {
                Ok(_) => prop_assert_eq!(fields.len(), EXPORT_COLUMNS.len()),
                Err(e) => prop_assert!(e.text().starts_with("line 2: ")),
            }
        }


        #[test]
        fn an_exported_variant_imports_back_to_the_same_product(v in variant()) {
            let record: Vec<String> = export_record(&v).to_vec();
            prop_assert!(record.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])));
            let columns = check_header(&EXPORT_COLUMNS.map(String::from)).unwrap();
            let row = columns.row(2, &record).unwrap();
            let (groups, refused) = group_rows(vec![row]);
            prop_assert!(refused.is_empty());
            let prepared = prepare(&groups[0], &categories());
            prop_assert!(prepared.errors.is_empty(), "{:?}", prepared.errors);
            let p = prepared.product.unwrap();
            prop_assert_eq!(&p.title, &v.title);
            prop_assert_eq!(&p.description, &v.description);
            prop_assert_eq!(p.published, v.published);
            prop_assert_eq!(p.category_id, CATEGORY_ID);
            let got = &p.variants[0];
            prop_assert_eq!(&got.sku, &v.sku);
            prop_assert_eq!((got.price_minor, got.stock, got.stock_seen), (v.price_minor, v.stock, Some(v.stock)));
        }
    }

    proptest! {
        // Each case runs the form's rules over a whole group: fewer cases keep it quick.
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_rows_group_and_prepare_without_panicking(
            rows in prop::collection::vec(prop::collection::vec(short(), 12), 1..6),
            handles in prop::collection::vec("[a-c]", 6),
        ) {
            let columns = check_header(&EXPORT_COLUMNS.map(String::from)).unwrap();
            let rows: Vec<CsvRow> = rows
                .iter()
                .zip(&handles)
                .enumerate()
                .filter_map(|(i, (fields, handle))| {
                    let mut fields = fields.clone();
                    fields[0] = handle.clone();
                    columns.row(i as u64 + 2, &fields).ok()
                })
                .collect();
            let (groups, _) = group_rows(rows);
            for g in &groups {
                let p = prepare(g, &categories());
                prop_assert!(p.product.is_some() || !p.errors.is_empty());
            }
        }

    }
}
