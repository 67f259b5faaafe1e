//! The payment port: what checkout, captures, cancellations and refunds ask of whoever takes the
//! money. It is shaped like a hosted provider, not like a card terminal: starting a payment
//! answers with the next action — send the browser to the provider's page (Stripe Checkout), or,
//! for the built-in test gateway that takes a card on our own form, the settled answer at once.
//! A hosted payment ends later, through the provider's signed webhook or the browser's return,
//! both of which read the session back through [`PaymentProvider::session`].
//!
//! Every card gateway of the old, synchronous shape (`domain::gateway::PaymentGateway`: the test
//! gateway, test doubles) is a provider through the blanket implementation below, so tests that
//! hand in `&TestGateway` keep working.
use crate::domain::card::CardDetails;
use crate::domain::gateway::{GatewayOutcome, PaymentGateway};
use crate::domain::hosted_payment::HostedSession;
use crate::domain::money::Money;
use crate::domain::payment::{DeclineReason, EventOutcome};
use async_trait::async_trait;

/// What checkout tells the provider about the payment it starts.
#[derive(Clone, Debug)]
pub struct BeginPayment<'a> {
    pub amount: Money,
    /// The card from our form: only for a gateway that takes cards here (`hosted()` false).
    pub card: Option<&'a CardDetails>,
    /// The checkout's key: the provider creates one payment per key, however often it is asked.
    pub idempotency_key: &'a str,
    /// Only authorize; the marketplace captures later from the Payments page.
    pub manual_capture: bool,
    pub order_number: &'a str,
    /// For the provider's receipt.
    pub email: &'a str,
    /// What the provider's page shows the shopper ("Order MM-… at Meridian Market").
    pub description: &'a str,
    /// Same-site path the provider sends the browser back to after paying; the adapter makes it
    /// absolute and adds the session's id.
    pub return_path: &'a str,
    /// Same-site path for "cancel and go back".
    pub cancel_path: &'a str,
    /// Unix seconds after which the provider's page stops taking the payment.
    pub expires_at: i64,
}

/// What to do after starting a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextAction {
    /// Settled on our page: the authorization and, unless capture is manual and if it was
    /// approved, the capture.
    Settled { authorization: GatewayOutcome, capture: Option<GatewayOutcome> },
    /// Send the browser to `url`, the provider's page for session `session`.
    Redirect { session: String, url: String },
}

/// The provider could not be asked, or refused the request itself (not a card's decline).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("the payment provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    #[error("the payment provider does not do this: {0}")]
    Unsupported(&'static str),
    #[error("the payment provider has no such {0}")]
    NoSuch(&'static str),
}

/// A provider's webhook event that passed its signature check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderEvent {
    /// The provider's id of the event: each is acted on once.
    pub id: String,
    /// The provider's name for it (`checkout.session.completed`).
    pub kind: String,
    /// The hosted session it is about, when it is about one.
    pub session: Option<String>,
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Stored with each payment ("test", "stripe").
    fn name(&self) -> &'static str;
    /// Whether the shopper pays on the provider's page: our checkout then shows no card fields.
    fn hosted(&self) -> bool;
    /// How an order's page names the payment method when no card was typed here.
    fn label(&self) -> &'static str {
        self.name()
    }
    /// The origin of the provider's payment pages (`https://checkout.stripe.com`): the only
    /// place outside our site checkout may send a browser.
    fn redirect_origin(&self) -> Option<&str> {
        None
    }
    async fn begin(&self, payment: &BeginPayment<'_>) -> Result<NextAction, ProviderError>;
    /// A hosted session as the provider has it now.
    async fn session(&self, _id: &str) -> Result<HostedSession, ProviderError> {
        Err(ProviderError::Unsupported("hosted sessions"))
    }
    /// Checks a webhook's signature (the raw header) over its raw body; the event if it is the
    /// provider's.
    fn webhook(
        &self,
        _signature: Option<&str>,
        _body: &[u8],
        _now: i64,
    ) -> Result<ProviderEvent, crate::domain::webhook::WebhookError> {
        Err(crate::domain::webhook::WebhookError::NotConfigured)
    }
    /// Takes `amount` (at most the hold) of the authorized payment `reference`.
    async fn capture(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome;
    /// Releases the hold of an authorized, uncaptured payment.
    async fn void(&self, reference: &str, idempotency_key: &str) -> GatewayOutcome;
    /// Returns `amount` of a captured payment; the outcome's reference is the refund's.
    async fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome;
}

/// The answer to a call that did not go through: no money moved (as far as we know; the same
/// idempotency key makes a retry safe if it did).
pub fn not_done(reference: &str) -> GatewayOutcome {
    GatewayOutcome { reference: reference.to_string(), outcome: EventOutcome::Declined(DeclineReason::ProcessingError) }
}

#[async_trait]
impl<G: PaymentGateway + 'static> PaymentProvider for G {
    fn name(&self) -> &'static str {
        PaymentGateway::name(self)
    }

    fn hosted(&self) -> bool {
        false
    }

    async fn begin(&self, payment: &BeginPayment<'_>) -> Result<NextAction, ProviderError> {
        let Some(card) = payment.card else {
            return Err(ProviderError::Refused("this gateway needs the card from the checkout form".into()));
        };
        let key = payment.idempotency_key;
        let authorization = self.authorize(card, payment.amount, key);
        let capture = (authorization.is_approved() && !payment.manual_capture).then(|| {
            PaymentGateway::capture(self, &authorization.reference, payment.amount, &format!("{key}-capture"))
        });
        Ok(NextAction::Settled { authorization, capture })
    }

    async fn capture(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        PaymentGateway::capture(self, reference, amount, idempotency_key)
    }

    async fn void(&self, reference: &str, idempotency_key: &str) -> GatewayOutcome {
        PaymentGateway::void(self, reference, idempotency_key)
    }

    async fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> GatewayOutcome {
        PaymentGateway::refund(self, reference, amount, idempotency_key)
    }
}
