//! Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed keys
//! (`metadata[order]=A1`, `line_items[0][price_data][unit_amount]=1999`, `expand[]=x`), and the
//! validation errors Stripe answers for it.

use std::collections::BTreeMap;

use crate::api::ApiError;

/// The decoded parameters of one request, in the order sent.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

/// Splits `a[b][c]` into `["a", "b", "c"]` and `expand[]` into `["expand", ""]`; `None` when the
/// brackets are malformed.
fn segments(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut out = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        out.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    Some(out)
}

/// Whether `key` fits `pattern`, where a pattern segment `*` is any non-empty key, `#` an array
/// index and `` (from `[]`) an appended array element.
fn matches(pattern: &str, key: &str) -> bool {
    let (Some(p), Some(k)) = (segments(pattern), segments(key)) else { return false };
    p.len() == k.len()
        && p.iter().zip(&k).all(|(p, k)| match *p {
            "*" => !k.is_empty(),
            "#" => !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()),
            lit => lit == *k,
        })
}

impl Params {
    /// Decodes a form body or query string.
    pub fn parse(raw: &[u8]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).map_err(|_| {
            ApiError::invalid("Invalid request: the body must be application/x-www-form-urlencoded.", None)
        })?;
        Ok(Params { pairs })
    }

    /// Order-insensitive fingerprint, to tell a retry from a different request under the same
    /// idempotency key.
    pub fn fingerprint(&self) -> Vec<(String, String)> {
        let mut pairs = self.pairs.clone();
        pairs.sort();
        pairs
    }

    /// Stripe rejects parameters it does not know ("Received unknown parameter"); so does the
    /// fake, for everything outside `allowed`. A real Stripe parameter the fake does not model is
    /// rejected the same way, with a note, rather than silently ignored.
    pub fn allow_only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (key, _) in &self.pairs {
            if !allowed.iter().any(|p| matches(p, key)) {
                return Err(ApiError::param(
                    "parameter_unknown",
                    format!(
                        "Received unknown parameter: {key}. (fake-stripe models only part of Stripe's API; \
                         see fake-stripe/README.md.)"
                    ),
                    key,
                ));
            }
        }
        Ok(())
    }

    fn last(&self, key: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A scalar parameter. Stripe reads an empty string as "unset", which is an error for a
    /// parameter that cannot be unset.
    pub fn str(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.last(key) {
            None => Ok(None),
            Some("") => Err(ApiError::param(
                "parameter_invalid_empty",
                format!(
                    "You passed an empty string for '{key}'. We assume empty values are an attempt to unset a \
                     parameter; however '{key}' cannot be unset. You should remove '{key}' from your request or \
                     supply a non-empty value."
                ),
                key,
            )),
            Some(v) => Ok(Some(v)),
        }
    }

    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.str(key)?.ok_or_else(|| ApiError::missing(key))
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::param("parameter_invalid_integer", format!("Invalid integer: {v}"), key)),
        }
    }

    /// A hash parameter such as `metadata[…]`: the keys under `prefix`. Empty values are
    /// dropped (that is how Stripe unsets a key).
    pub fn map(&self, prefix: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (key, value) in &self.pairs {
            if let Some(seg) = segments(key) {
                let pre = segments(prefix).unwrap_or_default();
                if seg.len() == pre.len() + 1 && seg[..pre.len()] == pre[..] {
                    if value.is_empty() {
                        out.remove(seg[pre.len()]);
                    } else {
                        out.insert(seg[pre.len()].to_string(), value.clone());
                    }
                }
            }
        }
        out
    }

    /// The array indices used under `prefix` (`line_items` → 0, 1, …), sorted.
    pub fn indices(&self, prefix: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .pairs
            .iter()
            .filter_map(|(key, _)| {
                let seg = segments(key)?;
                if seg.len() >= 2 && seg[0] == prefix { seg[1].parse().ok() } else { None }
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Values of `expand[]=…` / `expand[0]=…`.
    pub fn expand(&self) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| matches("expand[]", k) || matches("expand[#]", k))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Stripe's metadata limits: at most 50 keys, keys up to 40 characters, values up to 500.
    pub fn metadata(&self, prefix: &str) -> Result<BTreeMap<String, String>, ApiError> {
        let map = self.map(prefix);
        if map.len() > 50 {
            return Err(ApiError::param(
                "parameter_invalid_metadata",
                "Metadata can have a maximum of 50 keys.".to_string(),
                prefix,
            ));
        }
        for (k, v) in &map {
            if k.chars().count() > 40 {
                return Err(ApiError::param(
                    "parameter_invalid_metadata",
                    format!("Metadata keys can have a maximum length of 40 characters (key: {k})."),
                    &format!("{prefix}[{k}]"),
                ));
            }
            if v.chars().count() > 500 {
                return Err(ApiError::param(
                    "parameter_invalid_metadata",
                    "Metadata values can have a maximum length of 500 characters.".to_string(),
                    &format!("{prefix}[{k}]"),
                ));
            }
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_keys() {
        assert_eq!(segments("a[b][c]"), Some(vec!["a", "b", "c"]));
        assert_eq!(segments("expand[]"), Some(vec!["expand", ""]));
        assert_eq!(segments("a[b"), None);
        assert!(matches("line_items[#][price_data][currency]", "line_items[12][price_data][currency]"));
        assert!(!matches("line_items[#][quantity]", "line_items[x][quantity]"));
        assert!(matches("metadata[*]", "metadata[order]"));
        assert!(!matches("metadata[*]", "metadata[a][b]"));
    }

    #[test]
    fn decodes_and_reads() {
        let p = Params::parse(
            b"metadata%5Border%5D=A1&metadata[x]=&line_items[1][q]=2&line_items[0][q]=1&expand%5B%5D=pi&n=12",
        )
        .unwrap();
        assert_eq!(p.map("metadata").into_iter().collect::<Vec<_>>(), vec![("order".to_string(), "A1".to_string())]);
        assert_eq!(p.indices("line_items"), vec![0, 1]);
        assert_eq!(p.expand(), vec!["pi"]);
        assert_eq!(p.int("n").unwrap(), Some(12));
        assert!(p.allow_only(&["metadata[*]", "line_items[#][q]", "expand[]"]).is_err());
        assert!(p.allow_only(&["metadata[*]", "line_items[#][q]", "expand[]", "n"]).is_ok());
    }
}
