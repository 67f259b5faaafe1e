//! Recommendation reads: "Customers also bought" (a product's stored neighbours), "Frequently
//! bought together" (the cart's items' neighbours, summed), and the home page's repeat-aware pair:
//! "Buy it again" (the shopper's own purchases by decayed frequency, `domain::recommend::repeat`)
//! above the repeat-aware "Recommended for you" (`domain::recommend::for_you`: what is new to the
//! shopper — or to a visitor who is not signed in, from their views — then what they re-buy). Every list but
//! "Buy it again" is filled up with time-decayed popular products, so a block is never empty while
//! anything is on sale.
use super::Shop;
use super::cart_store::CartOwner;
use super::catalog_store::StoreError;
use super::errors::store_err;
use super::recommendation_store::{RecommendationStore, ViewEvent, Viewer};
use crate::domain::catalog::ProductCard;
use crate::domain::errors::AppError;
use crate::domain::recommend::for_you;
use crate::domain::recommend::repeat::{self, Purchase};
use crate::domain::recommend::{
    Interaction, InteractionKind, InterestWeights, PRIOR_WEIGHT, interest, predict_with_prior,
};
use crate::views::recommendations::ForYouBlock;
use std::collections::{HashMap, HashSet};

/// Cards in one block.
pub const BLOCK: i64 = 8;
/// How far back a shopper's history counts (decay makes older signals negligible anyway).
pub const HISTORY_WINDOW_SECS: i64 = 365 * 86_400;
/// Most recent interactions read for a shopper.
pub const HISTORY_LIMIT: i64 = 300;
/// The shopper's strongest items whose neighbours are read.
pub const SEED_ITEMS: usize = 40;
/// Item-kNN predictions and trending products weighed for the new half of "Recommended for you"
/// (as `eval-recs` weighs them: `eval_for_you::KNN_CANDIDATES`).
pub const KNN_CANDIDATES: usize = crate::domain::recommend::eval_for_you::KNN_CANDIDATES;
pub const TREND_CANDIDATES: i64 = 300;

/// "Customers also bought" on product `product_id`'s page.
pub async fn for_product(shop: &Shop, product_id: i64) -> Result<Vec<ProductCard>, AppError> {
    also_bought(shop.recommendations.as_ref(), product_id).await.map_err(store_err)
}

/// "Frequently bought together" for the cart of `owner` (nothing for an empty cart or no cart).
pub async fn for_cart(shop: &Shop, owner: Option<CartOwner<'_>>) -> Result<Vec<ProductCard>, AppError> {
    let mut products = Vec::new();
    if let Some(owner) = owner {
        if let Some(cart) = shop.carts.find_cart(owner).await.map_err(store_err)? {
            products = shop.carts.items(cart).await.map_err(store_err)?.iter().map(|i| i.line.product_id).collect();
        }
    }
    if products.is_empty() {
        return Ok(Vec::new());
    }
    together(shop.recommendations.as_ref(), &products).await.map_err(store_err)
}

/// Whose "Recommended for you" and "Buy it again" are asked for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Asker<'a> {
    Shopper(i64),
    /// Not signed in: the hash of their visitor (or guest-cart) cookie.
    Visitor(&'a str),
    Nobody,
}

/// The home page's "Recommended for you" (or popular products, when nothing is known).
pub async fn for_visitor(shop: &Shop, asker: Asker<'_>) -> Result<ForYouBlock, AppError> {
    let (personal, products) =
        for_you(shop.recommendations.as_ref(), asker, shop.clock.now()).await.map_err(store_err)?;
    Ok(ForYouBlock { personal, products })
}

/// "Buy it again" for a signed-in shopper (empty for anyone else).
pub async fn buy_again_for(shop: &Shop, user_id: Option<i64>) -> Result<Vec<ProductCard>, AppError> {
    let Some(user_id) = user_id else { return Ok(Vec::new()) };
    buy_again(shop.recommendations.as_ref(), user_id, shop.clock.now()).await.map_err(store_err)
}

/// Queues a product view for the signals; never waits for the database (written in batches).
pub fn record_view(shop: &Shop, viewer: Viewer, product_id: i64) {
    shop.views.record(ViewEvent { viewer, product_id, at: shop.clock.now() });
}

pub async fn also_bought(store: &dyn RecommendationStore, product_id: i64) -> Result<Vec<ProductCard>, StoreError> {
    store.also_bought(product_id, BLOCK).await
}

pub async fn together(store: &dyn RecommendationStore, cart_products: &[i64]) -> Result<Vec<ProductCard>, StoreError> {
    let mut ids: Vec<i64> = cart_products.to_vec();
    ids.sort_unstable();
    ids.dedup();
    store.together(&ids, BLOCK).await
}

/// The shopper's purchases as `repeat::Purchase`s; an order's lines share its time, which
/// stands for the order (two lines of one product in one order count once).
fn purchases(history: &[Interaction]) -> Vec<Purchase> {
    history
        .iter()
        .filter(|h| h.kind == InteractionKind::Purchase)
        .map(|h| Purchase { item: h.item, at: h.at, basket: h.at })
        .collect()
}

/// "Buy it again": what the shopper bought, by decayed frequency (`repeat::personal_frequency`
/// with the tuned half-life), only what is on sale now; at most `BLOCK`, never filled up with
/// anything they did not buy.
pub async fn buy_again(
    store: &dyn RecommendationStore,
    user_id: i64,
    now: i64,
) -> Result<Vec<ProductCard>, StoreError> {
    let history = store.history(user_id, now - HISTORY_WINDOW_SECS, HISTORY_LIMIT).await?;
    let freq = repeat::personal_frequency(&purchases(&history), now, repeat::DEFAULT.half_life_days);
    // A few spare: some may be sold out or hidden by now.
    let ranked: Vec<i64> =
        repeat::buy_again(&freq, &HashSet::new(), (BLOCK * 2) as usize).iter().map(|(i, _)| *i).collect();
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let mut cards = store.ranked_cards(&ranked, &[], ranked.len() as i64).await?;
    cards.retain(|c| freq.contains_key(&c.id));
    cards.truncate(BLOCK as usize);
    Ok(cards)
}

/// "Recommended for you": (personal, cards) — the repeat-aware list of `domain::recommend::for_you`
/// with its tuned settings (`for_you::DEFAULT`, chosen by `eval-recs` on Online Retail): first
/// what is new to the shopper, by the weighted average of the item-kNN prediction over what they
/// bought, rated, added and viewed (`predict_with_prior`) and what the shop buys right now (the
/// stored popularity); then, in at most half the block, things they buy again and again. A
/// signed-in shopper's home page shows "Buy it again" above this block, so the repeat half leaves
/// out the `BLOCK` purchases that block leads with (a card is never shown twice); a visitor who is
/// not signed in has no purchases and gets the new half only. Personal is false when nothing of
/// the shopper's own history shaped the list (popularity only).
pub async fn for_you(
    store: &dyn RecommendationStore,
    asker: Asker<'_>,
    now: i64,
) -> Result<(bool, Vec<ProductCard>), StoreError> {
    let since = now - HISTORY_WINDOW_SECS;
    let history = match asker {
        Asker::Shopper(user_id) => store.history(user_id, since, HISTORY_LIMIT).await?,
        Asker::Visitor(visitor) => store.visitor_history(visitor, since, HISTORY_LIMIT).await?,
        Asker::Nobody => Vec::new(),
    };
    let bought: HashSet<i64> = history.iter().filter(|h| h.kind == InteractionKind::Purchase).map(|h| h.item).collect();
    if history.is_empty() {
        return Ok((false, store.ranked_cards(&[], &[], BLOCK).await?));
    }
    let params = for_you::DEFAULT;
    let r = interest(&history, now, &InterestWeights::default());
    let mut strongest = r.clone();
    strongest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let seeds: Vec<i64> = strongest.iter().take(SEED_ITEMS).map(|(i, _)| *i).collect();
    let mut neighbours: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    for (i, j, s) in store.neighbours(&seeds).await? {
        neighbours.entry(i).or_default().push((j, s));
    }
    let seeded: Vec<(i64, f64)> = r.into_iter().filter(|(i, _)| seeds.contains(i)).collect();
    // The weighted average with its prior: one weak neighbour of a favourite does not outrank
    // strong neighbours of several purchases (see `predict_with_prior`; measured by eval-recs).
    let predicted = predict_with_prior(&seeded, &neighbours, &bought, KNN_CANDIDATES, PRIOR_WEIGHT);
    let trending = store.popularity(TREND_CANDIDATES).await?;
    let explored = for_you::explore(&predicted, &trending, &bought, &params);
    // The repeat half: frequent purchases that "Buy it again" does not already lead with.
    let mut freq = repeat::personal_frequency(&purchases(&history), now, repeat::DEFAULT.half_life_days);
    for (item, _) in repeat::buy_again(&freq, &HashSet::new(), BLOCK as usize) {
        freq.remove(&item);
    }
    freq.retain(|_, f| *f >= params.repeat_min);
    // Everything that could be shown, in one query (some may be sold out or hidden by now); the
    // block is then assembled from what is on sale, so a sold-out pick leaves its slot to the next.
    let mut ranked: Vec<i64> = explored.iter().map(|(j, _)| *j).take((BLOCK * 3) as usize).collect();
    ranked.extend(repeat::buy_again(&freq, &HashSet::new(), BLOCK as usize).iter().map(|(i, _)| *i));
    let mut exclude: Vec<i64> = bought.iter().filter(|i| !freq.contains_key(i)).copied().collect();
    exclude.sort_unstable();
    let cards = store.ranked_cards(&ranked, &exclude, ranked.len() as i64 + BLOCK).await?;
    let on_sale: HashSet<i64> = cards.iter().map(|c| c.id).collect();
    freq.retain(|i, _| on_sale.contains(i));
    // Popular fill-ups after the explore items count as explore items of score 0.
    let mut available: Vec<(i64, f64)> = explored.into_iter().filter(|(j, _)| on_sale.contains(j)).collect();
    let listed: HashSet<i64> = available.iter().map(|(j, _)| *j).collect();
    available
        .extend(cards.iter().filter(|c| !listed.contains(&c.id) && !freq.contains_key(&c.id)).map(|c| (c.id, 0.0)));
    let picks = for_you::for_you(&freq, &available, &params, BLOCK as usize);
    let mut by_id: HashMap<i64, ProductCard> = cards.into_iter().map(|c| (c.id, c)).collect();
    let personal_ids: HashSet<i64> = predicted.iter().map(|(j, _)| *j).chain(freq.keys().copied()).collect();
    let personal = picks.iter().any(|p| personal_ids.contains(&p.item));
    Ok((personal, picks.iter().filter_map(|p| by_id.remove(&p.item)).collect()))
}
