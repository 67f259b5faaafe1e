//! The headers every CSV download answers with: a CSV body, saved as a file of the given name,
//! never kept by a cache (an export holds a store's orders, money or catalogue).
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// `res` as a CSV attachment named `filename` (made of ids and fixed words, so always a valid
/// header; a name that were not would be left off, never panic).
pub fn attachment(mut res: Response, filename: &str) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_download_is_csv_saved_under_its_name_and_never_cached() {
        let res = attachment("a,b\n".into_response(), "orders-store-7.csv");
        let h = res.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::CONTENT_DISPOSITION], "attachment; filename=\"orders-store-7.csv\"");
        let odd = attachment("".into_response(), "bad\nname.csv");
        assert!(odd.headers().get(header::CONTENT_DISPOSITION).is_none());
    }
}
