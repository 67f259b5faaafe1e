//! Shipments as shoppers, stores and the public tracking page see them: what crosses to the
//! browser. The public view carries no name, address or email.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEventView {
    /// `TrackingKind::as_str`.
    pub kind: String,
    pub label: String,
    /// Unix seconds, when it happened.
    pub at: i64,
    /// City level only.
    pub location: Option<String>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub id: i64,
    /// `Carrier::code`.
    pub carrier: String,
    pub carrier_name: String,
    pub tracking_number: String,
    /// The carrier's own tracking page, when it has one.
    pub tracking_url: Option<String>,
    /// `ShipmentStatus::as_str`.
    pub status: String,
    pub status_label: String,
    /// The unguessable token of `/track/{token}`.
    pub token: String,
    /// (title, quantity) of the lines in this parcel.
    pub lines: Vec<(String, i64)>,
    /// Oldest first, as `domain::tracking::timeline` orders them.
    pub events: Vec<TrackingEventView>,
}

/// `/track/{token}`: where the parcel is, for anyone holding the link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicTracking {
    pub carrier_name: String,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
    pub status: String,
    pub status_label: String,
    /// Oldest first.
    pub events: Vec<TrackingEventView>,
    /// Changes whenever an event is recorded: the page polls and re-renders when it moves.
    pub version: i64,
}
