//! Shipping: a store sends some lines of its part with a carrier and tracking number, or marks
//! the part as being prepared.
use super::views::shipment_view;
use super::{ATTEMPTS, SHIP_SCOPE, busy, claim, conflict_key, hex, internal, invalid, load, picker_lines};
use crate::domain::carriers::Carrier;
use crate::domain::errors::AppError;
use crate::domain::idempotency::IdempotencyClaim;
use crate::domain::order::{PartEvent, PartStatus};
use crate::domain::shipment::{LineAction, LineQuantity, ShipmentStatus, advance_part, after_picking, pick_lines};
use crate::services::Shop;
use crate::services::fulfilment_store::{Applied, FulfilmentStore, NewShipment, PartState};
use crate::views::orders::ShipOutcome;

pub struct ShipRequest {
    pub carrier: String,
    pub tracking_number: String,
    pub lines: Vec<LineQuantity>,
    pub idempotency_key: Option<String>,
    pub now: i64,
}

/// Ships some lines of the store's part with a carrier and tracking number.
pub async fn ship(
    store: &dyn FulfilmentStore,
    number: &str,
    merchant_id: i64,
    req: ShipRequest,
) -> Result<ShipOutcome, AppError> {
    let carrier = Carrier::parse(&req.carrier).ok_or_else(|| invalid("carrier", "Choose a carrier from the list."))?;
    let tracking = carrier
        .validate_tracking_number(&req.tracking_number)
        .map_err(|e| invalid("tracking_number", e.to_string()))?;
    let mut fields: Vec<(String, String)> = vec![
        ("order".into(), number.to_string()),
        ("merchant".into(), merchant_id.to_string()),
        ("carrier".into(), carrier.code().into()),
        ("tracking".into(), tracking.as_str().into()),
    ];
    fields.extend(req.lines.iter().map(|l| (format!("line:{}", l.line_id), l.quantity.to_string())));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let claim = claim(SHIP_SCOPE, req.idempotency_key.as_deref(), &pairs)?;
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = state.status;
        let lines = picker_lines(&state, |l| (l.quantity, l.shipped));
        let picked = match (status.apply(PartEvent::ShipPartially), pick_lines(LineAction::Ship, &lines, &req.lines)) {
            (Ok(_), Ok(picked)) => picked,
            // A retried request finds its lines shipped already: its first outcome answers it.
            (status_check, picked) if claim.is_some() => match replay_ship(store, claim.as_ref(), &state).await? {
                Some(outcome) => return Ok(outcome),
                None => {
                    status_check.map_err(|e| invalid("form", e.to_string()))?;
                    picked.map_err(|e| invalid("lines", e.to_string()))?
                }
            },
            (Err(e), _) => return Err(invalid("form", e.to_string())),
            (_, Err(e)) => return Err(invalid("lines", e.to_string())),
        };
        if let Some(other) = store.shipment_by_tracking(carrier.code(), tracking.as_str()).await.map_err(internal)? {
            if let Some(outcome) = replay_ship(store, claim.as_ref(), &state).await? {
                return Ok(outcome);
            }
            tracing::debug!(shipment = other, "tracking number already used");
            return Err(invalid("tracking_number", "This tracking number is already on another shipment."));
        }
        let mut parcels: Vec<ShipmentStatus> = state.shipments.clone();
        parcels.push(ShipmentStatus::LabelCreated);
        let next = advance_part(status, &after_picking(&lines, &picked), &parcels)
            .map_err(|e| invalid("form", e.to_string()))?;
        let shipment = NewShipment {
            part_id: state.part_id,
            expected_version: state.version,
            part_status: next,
            carrier: carrier.code().into(),
            tracking_number: tracking.as_str().into(),
            token: hex(&crate::services::random::bytes::<16>()),
            lines: picked.iter().map(|l| (l.line_id, l.quantity)).collect(),
            claim: claim.clone(),
            now: req.now,
        };
        let id = match store.ship(&shipment).await {
            Ok(Applied::Done(id) | Applied::Repeat(id)) => id,
            Ok(Applied::Stale) => continue,
            Ok(Applied::Conflict) => return Err(conflict_key()),
            Err(crate::services::StoreError::Conflict(_)) => {
                return Err(invalid("tracking_number", "This tracking number is already on another shipment."));
            }
            Err(e) => return Err(internal(e)),
        };
        return ship_outcome(store, id, state.part_id).await;
    }
    Err(busy())
}

/// [`ship`] for a store's staff: the shopper is told, with the tracking link.
pub async fn ship_and_notify(
    shop: &Shop,
    number: &str,
    merchant_id: i64,
    req: ShipRequest,
) -> Result<ShipOutcome, AppError> {
    let now = req.now;
    let outcome = ship(shop.fulfilment.as_ref(), number, merchant_id, req).await?;
    crate::services::fulfilment_notices::shipped(shop, number, &outcome, now).await;
    Ok(outcome)
}

/// The first outcome of a repeated ship request, if its key was used: a retry after the lines
/// shipped must not be told they already have.
async fn replay_ship(
    store: &dyn FulfilmentStore,
    claim: Option<&IdempotencyClaim>,
    state: &PartState,
) -> Result<Option<ShipOutcome>, AppError> {
    let Some(claim) = claim else { return Ok(None) };
    // Claiming against a version that cannot match writes nothing: the store answers a known
    // key before it looks at the part.
    let probe = NewShipment {
        part_id: state.part_id,
        expected_version: -1,
        part_status: state.status,
        carrier: String::new(),
        tracking_number: String::new(),
        token: String::new(),
        lines: Vec::new(),
        claim: Some(claim.clone()),
        now: 0,
    };
    match store.ship(&probe).await.map_err(internal)? {
        Applied::Repeat(id) => Ok(Some(ship_outcome(store, id, state.part_id).await?)),
        Applied::Conflict => Err(conflict_key()),
        Applied::Done(_) | Applied::Stale => Ok(None),
    }
}

async fn ship_outcome(store: &dyn FulfilmentStore, shipment_id: i64, part_id: i64) -> Result<ShipOutcome, AppError> {
    let shipment = store
        .shipment(shipment_id)
        .await
        .map_err(internal)?
        .map(shipment_view)
        .ok_or_else(|| crate::services::internal(format!("shipment {shipment_id} vanished")))?;
    let part_status = part_status(store, part_id).await?;
    Ok(ShipOutcome { shipment, part_status })
}

/// Paid → processing: the store has started on it. Already processing is fine (a retry).
pub async fn start_processing(store: &dyn FulfilmentStore, number: &str, merchant_id: i64) -> Result<String, AppError> {
    for _ in 0..ATTEMPTS {
        let state = load(store, number, merchant_id).await?;
        let status = state.status;
        if status == PartStatus::Processing {
            return Ok(status.as_str().into());
        }
        let next = status.apply(PartEvent::StartProcessing).map_err(|e| invalid("form", e.to_string()))?;
        match store.set_part_status(state.part_id, state.version, status, next).await {
            Ok(Applied::Done(())) => return Ok(next.as_str().into()),
            Ok(_) => continue,
            Err(e) => return Err(internal(e)),
        }
    }
    Err(busy())
}

/// The part's status now, as outcomes report it ("" if it vanished).
pub(super) async fn part_status(store: &dyn FulfilmentStore, part_id: i64) -> Result<String, AppError> {
    Ok(store.part_by_id(part_id).await.map_err(internal)?.map(|p| p.status.as_str().to_string()).unwrap_or_default())
}
