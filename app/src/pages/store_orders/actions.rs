//! Every action a store can take on its part, and the notice each leaves.
use crate::api::fulfilment::{
    ApproveReturn, CancelPart, ReceiveReturn, RefundPart, RefundReturn, RejectReturn, ShipPart, StartProcessing,
};
use crate::domain::carriers::Carrier;
use crate::domain::errors::AppError;
use crate::views::orders::RefundOutcome;
use leptos::prelude::*;

/// Everything a store can do to its part of an order; the page reloads its data after each.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub(super) process: ServerAction<StartProcessing>,
    pub(super) ship: ServerAction<ShipPart>,
    pub(super) cancel: ServerAction<CancelPart>,
    pub(super) refund: ServerAction<RefundPart>,
    pub(super) approve: ServerAction<ApproveReturn>,
    pub(super) reject: ServerAction<RejectReturn>,
    pub(super) receive: ServerAction<ReceiveReturn>,
    pub(super) refund_return: ServerAction<RefundReturn>,
    /// What the last action that went through did, for the page's notice.
    pub(super) done: RwSignal<Option<String>>,
    /// The ship form's carrier; kept here so its hint survives the page's data reloading.
    pub(super) carrier: RwSignal<String>,
}

impl Actions {
    pub(super) fn new() -> Actions {
        let a = Actions {
            process: ServerAction::new(),
            ship: ServerAction::new(),
            cancel: ServerAction::new(),
            refund: ServerAction::new(),
            approve: ServerAction::new(),
            reject: ServerAction::new(),
            receive: ServerAction::new(),
            refund_return: ServerAction::new(),
            done: RwSignal::new(None),
            carrier: RwSignal::new(Carrier::ALL[0].code().to_string()),
        };
        let done = a.done;
        // A success says what it did; a refusal takes the last success's notice away.
        let note = move |outcome: Option<Result<String, ()>>| match outcome {
            Some(Ok(t)) => done.set(Some(t)),
            Some(Err(())) => done.set(None),
            None => {}
        };
        fn outcome<T>(v: Option<Result<T, AppError>>, say: impl FnOnce(T) -> String) -> Option<Result<String, ()>> {
            v.map(|r| r.map(say).map_err(|_| ()))
        }
        Effect::new(move |_| note(outcome(a.process.value().get(), |_| "Marked as being prepared.".into())));
        Effect::new(move |_| {
            note(outcome(a.ship.value().get(), |o| {
                format!("Shipped with {} · {}.", o.shipment.carrier_name, o.shipment.tracking_number)
            }))
        });
        Effect::new(move |_| {
            note(outcome(a.cancel.value().get(), |o| match o.refund {
                Some(r) => format!("Cancelled; {} refunded to the shopper ({}).", r.amount, r.status),
                None if o.voided => "Cancelled; the payment was released.".to_string(),
                None => "Cancelled.".to_string(),
            }))
        });
        Effect::new(move |_| note(outcome(a.refund.value().get(), refund_note)));
        Effect::new(move |_| note(outcome(a.approve.value().get(), |_| "Return approved.".into())));
        Effect::new(move |_| note(outcome(a.reject.value().get(), |_| "Return rejected.".into())));
        Effect::new(move |_| {
            note(outcome(a.receive.value().get(), |_| "Return received; the items are back in stock.".into()))
        });
        Effect::new(move |_| note(outcome(a.refund_return.value().get(), refund_note)));
        a
    }

    pub(super) fn version(&self) -> usize {
        self.process.version().get()
            + self.ship.version().get()
            + self.cancel.version().get()
            + self.refund.version().get()
            + self.approve.version().get()
            + self.reject.version().get()
            + self.receive.version().get()
            + self.refund_return.version().get()
    }
}

pub(super) fn refund_note(r: RefundOutcome) -> String {
    match r.status.as_str() {
        "succeeded" => format!("Refunded {}.", r.amount),
        "pending" => format!("A refund of {} is waiting for the payment gateway; submit again to finish it.", r.amount),
        _ => format!("The payment gateway declined the refund of {}; nothing was refunded.", r.amount),
    }
}
