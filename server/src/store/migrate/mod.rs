//! The migrations both engines run and the plan: numbered SQL files embedded in the binary,
//! applied in order, each recorded with a checksum so an edited migration is caught instead of
//! silently diverging. `runner` applies them.
//! (sqlx's `migrate!` macro would pull its proc-macro database drivers into the build; this
//! keeps compile times down on two cores.)
#[macro_use]
mod runner;

#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    /// The file's number, `version` zero-padded to 4 digits ("0010").
    pub file: &'static str,
    pub sql: &'static str,
}

/// `(version, "NNNN", name)` embeds `migrations/{engine}/NNNN_{name}.sql`. The file's number is
/// written out (a macro cannot zero-pad a literal); a test checks it is the version on 4 digits, so
/// version 10 reads `0010_…`, not `00010_…`.
macro_rules! migrations {
    ($engine:literal: $(($version:literal, $file:literal, $name:literal)),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            file: $file,
            sql: include_str!(concat!("../../../migrations/", $engine, "/", $file, "_", $name, ".sql")),
        }),*]
    };
}

pub const SQLITE: &[Migration] = migrations!("sqlite":
    (1, "0001", "catalog"), (2, "0002", "accounts"), (3, "0003", "search"), (4, "0004", "ranking_weights"),
    (5, "0005", "reviews"), (6, "0006", "product_views"), (7, "0007", "orders"), (8, "0008", "fulfilment"),
    (9, "0009", "outbox"), (10, "0010", "cart_adds"), (11, "0011", "inventory"), (12, "0012", "product_image_files"),
    (13, "0013", "product_imports"), (14, "0014", "recommendations"), (15, "0015", "settings"),
    (16, "0016", "login_claims"), (17, "0017", "order_keys"), (18, "0018", "search_sellable"),
    (19, "0019", "catalog_version"), (20, "0020", "payouts"), (21, "0021", "pricing_rules"), (22, "0022", "discount_scopes"), (23, "0023", "password_resets"),
    (24, "0024", "order_search"), (25, "0025", "staff_and_verification"), (26, "0026", "dashboard_lists"), (27, "0027", "store_rating_totals"));
pub const POSTGRES: &[Migration] = migrations!("postgres":
    (1, "0001", "catalog"), (2, "0002", "accounts"), (3, "0003", "search"), (4, "0004", "ranking_weights"),
    (5, "0005", "reviews"), (6, "0006", "product_views"), (7, "0007", "orders"), (8, "0008", "fulfilment"),
    (9, "0009", "outbox"), (10, "0010", "cart_adds"), (11, "0011", "inventory"), (12, "0012", "product_image_files"),
    (13, "0013", "product_imports"), (14, "0014", "recommendations"), (15, "0015", "settings"),
    (16, "0016", "login_claims"), (17, "0017", "order_keys"), (18, "0018", "search_sellable"),
    (19, "0019", "catalog_version"), (20, "0020", "payouts"), (21, "0021", "pricing_rules"), (22, "0022", "discount_scopes"), (23, "0023", "password_resets"),
    (24, "0024", "order_search"), (25, "0025", "staff_and_verification"), (26, "0026", "dashboard_lists"), (27, "0027", "store_rating_totals"));

pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL,
    checksum   TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)";

/// FNV-1a: stable across builds and platforms, enough to notice an edit.
pub fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in sql.bytes() {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("{hash:016x}")
}

/// Decides what to run given what is recorded; refuses when history and code disagree.
pub fn pending<'a>(all: &'a [Migration], applied: &[(i64, String)]) -> Result<Vec<&'a Migration>, String> {
    for (version, sum) in applied {
        match all.iter().find(|m| m.version == *version) {
            None => {
                return Err(format!(
                    "the database has migration {version}, which this build does not know: it was migrated by a newer version"
                ));
            }
            Some(m) if checksum(m.sql) != *sum => {
                return Err(format!(
                    "migration {} ({}) was edited after it was applied; add a new migration instead",
                    m.version, m.name
                ));
            }
            Some(_) => {}
        }
    }
    Ok(all.iter().filter(|m| !applied.iter().any(|(v, _)| *v == m.version)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_increasing_and_match_between_engines() {
        for list in [SQLITE, POSTGRES] {
            assert!(list.windows(2).all(|w| w[0].version < w[1].version));
        }
        let names = |l: &[Migration]| l.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(names(SQLITE), names(POSTGRES), "every migration needs both engines");
    }

    #[test]
    fn file_numbers_are_the_padded_versions() {
        for m in SQLITE.iter().chain(POSTGRES) {
            assert_eq!(m.file, format!("{:04}", m.version), "{}", m.name);
        }
        // Each migration embeds its own file, not another's.
        assert!(SQLITE[9].sql.contains("CREATE TABLE cart_adds"));
        assert!(POSTGRES[9].sql.contains("CREATE TABLE cart_adds"));
        assert!(SQLITE[0].sql.contains("CREATE TABLE"));
    }

    #[test]
    fn pending_skips_applied_and_catches_edits() {
        let applied = vec![(1, checksum(SQLITE[0].sql))];
        assert!(pending(SQLITE, &applied).unwrap().iter().all(|m| m.version != 1));
        assert_eq!(pending(SQLITE, &[]).unwrap().len(), SQLITE.len());
        let edited = vec![(1, "0000".to_string())];
        assert!(pending(SQLITE, &edited).unwrap_err().contains("edited"));
        let future = vec![(999, "x".to_string())];
        assert!(pending(SQLITE, &future).unwrap_err().contains("newer"));
    }
}
