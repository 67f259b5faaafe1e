//! Turning what a shopper typed into search terms, and forgiving their typos.

/// Lowercase words with common accents folded ("Café crème" → ["cafe", "creme"]); punctuation
/// splits words, as the search indexes do. At most 8 words of 40 characters are kept.
pub fn tokenize(query: &str) -> Vec<String> {
    let folded = crate::domain::slug::slugify(query);
    folded.split('-').filter(|w| !w.is_empty()).map(|w| w.chars().take(40).collect::<String>()).take(8).collect()
}

/// Damerau–Levenshtein (optimal string alignment) distance, giving up above `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

/// How many typos a word of this length may carry and still be recognised.
pub fn allowed_typos(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Replaces each word that is not in the catalog's vocabulary with the closest word that is
/// (fewest edits, then most products), so "hedphones" finds "headphones". Returns `None`
/// when nothing needed correcting or nothing close was found.
pub fn correct(words: &[String], vocabulary: &[(String, i64)]) -> Option<Vec<String>> {
    // Only the last word is searched as a prefix (search-as-you-type); the others must be whole.
    let known =
        |w: &str, last: bool| vocabulary.iter().any(|(t, _)| t == w || (last && w.len() >= 3 && t.starts_with(w)));
    let mut changed = false;
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        if known(w, i + 1 == words.len()) {
            out.push(w.clone());
            continue;
        }
        let max = allowed_typos(w);
        let best =
            vocabulary.iter().filter_map(|(term, docs)| edit_distance(w, term, max).map(|d| (d, -docs, term))).min();
        match best {
            Some((_, _, term)) => {
                out.push(term.clone());
                changed = true;
            }
            None => out.push(w.clone()),
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(words: &[(&str, i64)]) -> Vec<(String, i64)> {
        words.iter().map(|(w, n)| (w.to_string(), *n)).collect()
    }

    #[test]
    fn tokenizes_like_the_index() {
        assert_eq!(tokenize("  Wireless Over-Ear HEADPHONES "), vec!["wireless", "over", "ear", "headphones"]);
        assert_eq!(tokenize("Café crème"), vec!["cafe", "creme"]);
        assert!(tokenize("!!! ").is_empty());
        assert_eq!(tokenize(&"word ".repeat(50)).len(), 8);
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("hedphones", "headphones", 2), Some(1));
        assert_eq!(edit_distance("bluetoth", "bluetooth", 2), Some(1));
        assert_eq!(edit_distance("speakre", "speaker", 2), Some(1));
        assert_eq!(edit_distance("lamp", "lamp", 0), Some(0));
        assert_eq!(edit_distance("lamp", "table", 1), None);
    }

    #[test]
    fn corrects_typos_against_the_vocabulary() {
        let v = vocab(&[("headphones", 40), ("bluetooth", 30), ("speaker", 25), ("shirt", 60), ("sheet", 2)]);
        assert_eq!(correct(&tokenize("hedphones"), &v), Some(vec!["headphones".to_string()]));
        assert_eq!(correct(&tokenize("bluetoth speaker"), &v), Some(vec!["bluetooth".into(), "speaker".into()]));
        assert_eq!(correct(&tokenize("tshirt"), &v), Some(vec!["shirt".to_string()]));
        assert_eq!(correct(&tokenize("speaker"), &v), None, "nothing to correct");
        assert_eq!(correct(&tokenize("zzzzzz"), &v), None, "nothing close");
        assert_eq!(correct(&tokenize("spea"), &v), None, "the last word may be a prefix");
        assert_eq!(correct(&tokenize("spea bluetooth"), &v), None, "too short to correct, left as typed");
        assert_eq!(correct(&tokenize("speakr bluetooth"), &v), Some(vec!["speaker".into(), "bluetooth".into()]));
    }
}

/// Query completions as the shopper types: the words before the last kept, the last one
/// completed from the vocabulary (most products first). A last word that completes to nothing
/// is typo-corrected first, so "hedph" still suggests "headphones".
pub fn complete(words: &[String], vocabulary: &[(String, i64)], limit: usize) -> Vec<String> {
    let Some((last, before)) = words.split_last() else {
        return Vec::new();
    };
    let prefix_of = |p: &str| {
        let mut found: Vec<&(String, i64)> = vocabulary.iter().filter(|(t, _)| t.starts_with(p)).collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.into_iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
    };
    let mut endings = if last.len() >= 2 { prefix_of(last) } else { Vec::new() };
    if endings.is_empty() && last.chars().count() >= 4 {
        let budget = allowed_typos(last).max(1);
        let n = last.chars().count();
        // Compare with the word's beginnings around the typed length: "hedph" ~ "headph".
        let mut near: Vec<(usize, i64, &String)> = vocabulary
            .iter()
            .filter_map(|(t, count)| {
                let d = (n - 1..=n + 1)
                    .filter_map(|len| edit_distance(last, &t.chars().take(len).collect::<String>(), budget))
                    .min()?;
                Some((d, *count, t))
            })
            .collect();
        near.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(b.2)));
        endings = near.into_iter().map(|(_, _, t)| t.clone()).collect();
    }
    let head = before.join(" ");
    endings.into_iter().take(limit).map(|w| if head.is_empty() { w } else { format!("{head} {w}") }).collect()
}

/// A search lists at most this many products (20 pages); beyond that a shopper refines it.
pub const MAX_HITS: i64 = 240;
/// Above this many matches a search lists the newest matches rather than the most relevant:
/// ranking every product that contains a word found everywhere costs more than it tells.
pub const COMMON_MATCHES: i64 = 5000;

/// What to tell a shopper when more products match than the results list.
pub fn capped_notice(matches: i64) -> Option<String> {
    let thousands = |n: i64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    match matches {
        m if m > COMMON_MATCHES => Some(format!(
            "More than {} products match; showing the {MAX_HITS} newest. Add a word to narrow it down.",
            thousands(COMMON_MATCHES)
        )),
        m if m > MAX_HITS => Some(format!(
            "{} products match; showing the {MAX_HITS} most relevant. Add a word to narrow it down.",
            thousands(m)
        )),
        _ => None,
    }
}

/// Percent-encodes a query-string value (links to search pages keep the query intact).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod notice_tests {
    #[test]
    fn says_when_results_are_capped() {
        assert_eq!(super::capped_notice(12), None);
        assert!(super::capped_notice(3318).unwrap().starts_with("3,318 products match; showing the 240 most relevant"));
        assert!(super::capped_notice(5001).unwrap().starts_with("More than 5,000 products match"));
    }
}

#[cfg(test)]
mod complete_tests {
    use super::*;

    #[test]
    fn completes_the_last_word_by_popularity_and_forgives_typos() {
        let v: Vec<(String, i64)> = [("headphones", 40), ("headset", 9), ("heater", 3), ("wireless", 30), ("lamp", 12)]
            .iter()
            .map(|(w, n)| (w.to_string(), *n))
            .collect();
        assert_eq!(complete(&tokenize("hea"), &v, 2), vec!["headphones", "headset"]);
        assert_eq!(complete(&tokenize("wireless hea"), &v, 1), vec!["wireless headphones"]);
        assert_eq!(complete(&tokenize("hedph"), &v, 1), vec!["headphones"], "a typo in the prefix");
        assert!(complete(&tokenize("zzzz"), &v, 5).is_empty());
        assert!(complete(&[], &v, 5).is_empty());
    }
}

#[cfg(test)]
mod encode_tests {
    #[test]
    fn encodes_query_values() {
        assert_eq!(super::url_encode("t-shirt & co/é"), "t-shirt+%26+co%2F%C3%A9");
    }
}

/// What a shopper types in the search box, and the vocabulary it is corrected against.
#[cfg(test)]
mod proptests {
    use super::*;
    use crate::domain::test_input::{config, wild};
    use proptest::prelude::*;

    fn vocabulary() -> impl Strategy<Value = Vec<(String, i64)>> {
        prop::collection::vec(("[a-z0-9éß]{1,12}", 1i64..1000), 0..30)
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_query_tokenizes_to_a_few_plain_words(q in wild()) {
            let words = tokenize(&q);
            prop_assert!(words.len() <= 8);
            for w in &words {
                prop_assert!(!w.is_empty() && w.chars().count() <= 40);
                prop_assert!(w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{w:?}");
            }
            // Tokenizing what came out gives it back: the engines see the same words.
            prop_assert_eq!(tokenize(&words.join(" ")), words);
        }

        #[test]
        fn plain_words_read_back(words in prop::collection::vec("[a-z0-9]{1,40}", 0..8), sep in "[ ,.!?/-]{1,3}") {
            prop_assert_eq!(tokenize(&words.join(&sep)), words);
        }

        #[test]
        fn correction_and_completion_never_panic(q in wild(), v in vocabulary(), limit in 0usize..10) {
            let words = tokenize(&q);
            if let Some(fixed) = correct(&words, &v) {
                prop_assert_eq!(fixed.len(), words.len());
            }
            prop_assert!(complete(&words, &v, limit).len() <= limit);
            let _ = capped_notice(q.len() as i64);
            prop_assert!(url_encode(&q).is_ascii());
        }

        #[test]
        fn edit_distance_is_symmetric_and_bounded(a in "\\PC{0,12}", b in "\\PC{0,12}", max in 0usize..4) {
            let d = edit_distance(&a, &b, max);
            prop_assert_eq!(d, edit_distance(&b, &a, max));
            if let Some(d) = d {
                prop_assert!(d <= max);
            }
            prop_assert_eq!(edit_distance(&a, &a, max), Some(0));
        }
    }
}
