//! URL slugs: lowercase ASCII words joined by dashes, so links stay stable and readable.

/// Turns a title into a slug, folding common accented letters ("Café" → "cafe").
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for ch in text.chars().flat_map(fold_char) {
        if ch.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(ch.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

fn fold_char(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ç' | 'Ç' => "c",
        'ñ' | 'Ñ' => "n",
        'ß' => "ss",
        '&' => " and ",
        _ => "",
    };
    let single = if folded.is_empty() { Some(ch) } else { None };
    folded.chars().chain(single)
}

/// A slug as it may appear in a URL: what `slugify` would produce, bounded in length.
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugifies_titles() {
        assert_eq!(slugify("Linen Tote Bag — Navy"), "linen-tote-bag-navy");
        assert_eq!(slugify("  Café Crème 2.0! "), "cafe-creme-2-0");
        assert_eq!(slugify("Salt & Pepper"), "salt-and-pepper");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn validates_slugs_from_urls() {
        assert!(is_valid_slug("linen-tote-bag"));
        assert!(!is_valid_slug("Linen"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("-a"));
        assert!(!is_valid_slug("../etc"));
        assert!(!is_valid_slug(""));
    }
}
