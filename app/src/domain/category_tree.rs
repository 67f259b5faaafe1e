//! The category tree is small, so its walks happen in memory over the flat list.
use super::catalog::Category;

/// The category itself and every category below it.
pub fn subtree_ids(categories: &[Category], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        for child in categories.iter().filter(|c| c.parent_id == Some(parent)) {
            // Bad data with a cycle must not loop forever.
            if !out.contains(&child.id) {
                out.push(child.id);
            }
        }
        i += 1;
    }
    out
}

/// Root first, `id` last; empty if `id` is unknown.
pub fn path_to(categories: &[Category], id: i64) -> Vec<Category> {
    let mut path = Vec::new();
    let mut next = Some(id);
    while let Some(cur) = next {
        let Some(cat) = categories.iter().find(|c| c.id == cur) else {
            break;
        };
        if path.iter().any(|c: &Category| c.id == cat.id) {
            break;
        }
        path.push(cat.clone());
        next = cat.parent_id;
    }
    path.reverse();
    path
}

pub fn children(categories: &[Category], parent: Option<i64>) -> Vec<Category> {
    categories.iter().filter(|c| c.parent_id == parent).cloned().collect()
}

/// Turns per-category counts into counts that include every descendant.
pub fn roll_up_counts(categories: &mut [Category]) {
    let own: Vec<(i64, i64)> = categories.iter().map(|c| (c.id, c.product_count)).collect();
    let snapshot = categories.to_vec();
    for cat in categories.iter_mut() {
        let ids = subtree_ids(&snapshot, cat.id);
        cat.product_count = own.iter().filter(|(id, _)| ids.contains(id)).map(|(_, n)| n).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: i64, parent: Option<i64>, count: i64) -> Category {
        Category {
            id,
            parent_id: parent,
            slug: format!("c{id}"),
            name: format!("C{id}"),
            description: String::new(),
            product_count: count,
        }
    }

    fn tree() -> Vec<Category> {
        vec![cat(1, None, 0), cat(2, Some(1), 3), cat(3, Some(1), 4), cat(4, Some(3), 5), cat(5, None, 7)]
    }

    #[test]
    fn subtree_and_path() {
        let t = tree();
        let mut ids = subtree_ids(&t, 1);
        ids.sort();
        assert_eq!(ids, vec![1, 2, 3, 4]);
        assert_eq!(subtree_ids(&t, 5), vec![5]);
        let path: Vec<i64> = path_to(&t, 4).iter().map(|c| c.id).collect();
        assert_eq!(path, vec![1, 3, 4]);
        assert!(path_to(&t, 42).is_empty());
        assert_eq!(children(&t, None).len(), 2);
    }

    #[test]
    fn counts_include_descendants() {
        let mut t = tree();
        roll_up_counts(&mut t);
        let count = |id| t.iter().find(|c| c.id == id).unwrap().product_count;
        assert_eq!(count(1), 12);
        assert_eq!(count(3), 9);
        assert_eq!(count(5), 7);
    }

    #[test]
    fn survives_a_cycle() {
        let t = vec![cat(1, Some(2), 1), cat(2, Some(1), 1)];
        assert_eq!(path_to(&t, 1).len(), 2);
        assert_eq!(subtree_ids(&t, 1), vec![1, 2]);
    }
}
