//! Messages to shoppers (order confirmation, shipped, delivered, refund issued, return decision):
//! what each says, rendered once as a subject, a plain-text body and an HTML body, and the
//! schedule on which a failed send is retried. Pure: the outbox, the sender and SMTP live in
//! `services::notifications` and the server.
//!
//! Every value interpolated into the HTML body goes through [`escape_html`]; links are absolute
//! (built with [`Links`] from the configured public address) because mail clients have no base.
use crate::domain::money::Money;

/// The shop's name as it signs its messages.
pub const SHOP_NAME: &str = "Meridian Market";

/// One line of an order confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageLine {
    pub title: String,
    pub quantity: i64,
    pub line_total: Money,
}

/// What a message says; the data it needs travels with it.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    OrderConfirmation {
        number: String,
        email: String,
        lines: Vec<MessageLine>,
        total: Money,
        /// Absolute link to `/orders/{number}` (with `?key=` for a guest's order).
        order_url: String,
    },
    Shipped {
        number: String,
        carrier: String,
        tracking_number: String,
        /// The carrier's own tracking page, when the carrier has one.
        carrier_url: Option<String>,
        /// Absolute link to the shop's public tracking page `/track/{token}`.
        track_url: String,
    },
    Delivered {
        number: String,
        carrier: String,
        tracking_number: String,
        track_url: String,
    },
    RefundIssued {
        number: String,
        amount: Money,
        order_url: String,
    },
    ReturnDecision {
        number: String,
        approved: bool,
        /// The merchant's words; may be empty.
        reason: String,
        order_url: String,
    },
    /// To a store: a paid order has a part for it to fulfil.
    NewOrder {
        number: String,
        store: String,
        lines: Vec<MessageLine>,
        /// The store's part: its items, shipping, tax, less its share of a discount.
        part_total: Money,
        /// Absolute link to `/admin/orders/{number}`.
        dashboard_url: String,
    },
    /// A link to choose a new password (single use, expiring); about no order.
    PasswordReset {
        reset_url: String,
        /// How long the link works, in minutes.
        valid_minutes: i64,
    },
    /// An owner invites this address to work for their store (single use, expiring link).
    StaffInvitation {
        store_name: String,
        accept_url: String,
        valid_days: i64,
    },
    /// A link that proves a new account receives mail at its address (single use, expiring).
    EmailVerification {
        verify_url: String,
        valid_hours: i64,
    },
}

/// What a message is about, without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    OrderConfirmation,
    Shipped,
    Delivered,
    RefundIssued,
    ReturnDecision,
    PasswordReset,
    NewOrder,
    StaffInvitation,
    EmailVerification,
}

impl MessageKind {
    pub const ALL: [MessageKind; 9] = [
        MessageKind::OrderConfirmation,
        MessageKind::Shipped,
        MessageKind::Delivered,
        MessageKind::RefundIssued,
        MessageKind::ReturnDecision,
        MessageKind::PasswordReset,
        MessageKind::NewOrder,
        MessageKind::StaffInvitation,
        MessageKind::EmailVerification,
    ];

    /// Stable name, stored in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::OrderConfirmation => "order_confirmation",
            MessageKind::Shipped => "shipped",
            MessageKind::Delivered => "delivered",
            MessageKind::RefundIssued => "refund_issued",
            MessageKind::ReturnDecision => "return_decision",
            MessageKind::PasswordReset => "password_reset",
            MessageKind::NewOrder => "new_order",
            MessageKind::StaffInvitation => "staff_invitation",
            MessageKind::EmailVerification => "email_verification",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message as it is stored in the outbox and sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Message {
    /// Stable name of the kind, stored in the outbox and used in dedupe keys.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::OrderConfirmation { .. } => MessageKind::OrderConfirmation,
            Message::Shipped { .. } => MessageKind::Shipped,
            Message::Delivered { .. } => MessageKind::Delivered,
            Message::RefundIssued { .. } => MessageKind::RefundIssued,
            Message::ReturnDecision { .. } => MessageKind::ReturnDecision,
            Message::PasswordReset { .. } => MessageKind::PasswordReset,
            Message::NewOrder { .. } => MessageKind::NewOrder,
            Message::StaffInvitation { .. } => MessageKind::StaffInvitation,
            Message::EmailVerification { .. } => MessageKind::EmailVerification,
        }
    }

    pub fn number(&self) -> &str {
        match self {
            Message::OrderConfirmation { number, .. }
            | Message::Shipped { number, .. }
            | Message::Delivered { number, .. }
            | Message::RefundIssued { number, .. }
            | Message::ReturnDecision { number, .. }
            | Message::NewOrder { number, .. } => number,
            Message::PasswordReset { .. } | Message::StaffInvitation { .. } | Message::EmailVerification { .. } => "",
        }
    }

    /// The subject, text and HTML. Text is what a plain mail reader shows; HTML says the same.
    pub fn render(&self) -> Rendered {
        match self {
            Message::OrderConfirmation { number, email, lines, total, order_url } => {
                let subject = format!("Your order {number} is confirmed");
                let mut text = format!(
                    "Thank you for your order.\n\nOrder {number} is paid and on its way to the stores that sell it. We will write again when it ships.\n\n"
                );
                for l in lines {
                    text.push_str(&format!("  {} × {}  {}\n", l.quantity, l.title, l.line_total));
                }
                text.push_str(&format!(
                    "\nTotal paid: {total}\n\nSee your order: {order_url}\n\nThis receipt was sent to {email}.\n"
                ));
                let rows: String = lines
                    .iter()
                    .map(|l| {
                        html(
                            "<tr><td>{}</td><td>{}</td><td style=\"text-align:right\">{}</td></tr>",
                            &[&l.quantity.to_string(), &l.title, &l.line_total.to_string()],
                        )
                    })
                    .collect();
                let head = html(
                    "<p>Thank you for your order.</p>\
                     <p>Order <strong>{}</strong> is paid and on its way to the stores that sell it. \
                     We will write again when it ships.</p>\
                     <table cellpadding=\"4\"><tr><th>Qty</th><th>Item</th><th>Price</th></tr>",
                    &[number],
                );
                let foot = html(
                    "<tr><td></td><td><strong>Total paid</strong></td>\
                     <td style=\"text-align:right\"><strong>{}</strong></td></tr></table>\
                     <p><a href=\"{}\">See your order</a></p>\
                     <p style=\"color:#666\">This receipt was sent to {}.</p>",
                    &[&total.to_string(), order_url, email],
                );
                let body = format!("{head}{rows}{foot}");
                finish(subject, text, body)
            }
            Message::Shipped { number, carrier, tracking_number, carrier_url, track_url } => {
                let subject = format!("Your order {number} has shipped");
                let mut text = format!(
                    "Good news: part of order {number} has shipped with {carrier}.\n\nTracking number: {tracking_number}\nFollow it here: {track_url}\n"
                );
                if let Some(url) = carrier_url {
                    text.push_str(&format!("Or on {carrier}'s site: {url}\n"));
                }
                let carrier_link = carrier_url
                    .as_ref()
                    .map(|u| html("<p>Or on <a href=\"{}\">{}'s site</a>.</p>", &[u, carrier]))
                    .unwrap_or_default();
                let body = html(
                    "<p>Good news: part of order <strong>{}</strong> has shipped with {}.</p>\
                     <p>Tracking number: <strong>{}</strong></p>\
                     <p><a href=\"{}\">Follow your parcel</a></p>",
                    &[number, carrier, tracking_number, track_url],
                ) + &carrier_link;
                finish(subject, text, body)
            }
            Message::Delivered { number, carrier, tracking_number, track_url } => {
                let subject = format!("Your parcel for order {number} was delivered");
                let text = format!(
                    "{carrier} delivered your parcel {tracking_number} for order {number}.\n\nDetails: {track_url}\n"
                );
                let body = html(
                    "<p>{} delivered your parcel <strong>{}</strong> for order <strong>{}</strong>.</p>\
                     <p><a href=\"{}\">See the details</a></p>",
                    &[carrier, tracking_number, number, track_url],
                );
                finish(subject, text, body)
            }
            Message::RefundIssued { number, amount, order_url } => {
                let subject = format!("Refund of {amount} for order {number}");
                let text = format!(
                    "We refunded {amount} for order {number} to the card you paid with. Banks usually show it within 5–10 business days.\n\nSee your order: {order_url}\n"
                );
                let body = html(
                    "<p>We refunded <strong>{}</strong> for order <strong>{}</strong> to the card you paid with. \
                     Banks usually show it within 5–10 business days.</p>\
                     <p><a href=\"{}\">See your order</a></p>",
                    &[&amount.to_string(), number, order_url],
                );
                finish(subject, text, body)
            }
            Message::NewOrder { number, store, lines, part_total, dashboard_url } => {
                let subject = format!("New order {number} for {store}");
                let mut text = format!("A paid order has a part for {store} to ship.\n\nOrder {number}:\n");
                for l in lines {
                    text.push_str(&format!("  {} × {}  {}\n", l.quantity, l.title, l.line_total));
                }
                text.push_str(&format!("\nYour part: {part_total}\n\nOpen it in the dashboard: {dashboard_url}\n"));
                let rows: String = lines
                    .iter()
                    .map(|l| {
                        html("<li>{} × {} — {}</li>", &[&l.quantity.to_string(), &l.title, &l.line_total.to_string()])
                    })
                    .collect();
                let body = html(
                    "<p>A paid order has a part for {} to ship.</p><p>Order <strong>{}</strong>:</p><ul>",
                    &[store, number],
                ) + &rows
                    + &html(
                        "</ul><p>Your part: <strong>{}</strong></p><p><a href=\"{}\">Open it in the dashboard</a></p>",
                        &[&part_total.to_string(), dashboard_url],
                    );
                finish(subject, text, body)
            }
            Message::PasswordReset { reset_url, valid_minutes } => {
                let subject = "Choose a new password for Meridian Market".to_string();
                let text = format!(
                    "Someone (we hope you) asked to reset the password of your Meridian Market account.\n\nChoose a new one here: {reset_url}\n\nThe link works once, for {valid_minutes} minutes. If you did not ask, ignore this message: your password stays as it is.\n"
                );
                let body = html(
                    "<p>Someone (we hope you) asked to reset the password of your Meridian Market account.</p>\
                     <p><a href=\"{}\">Choose a new password</a></p>\
                     <p style=\"color:#666\">The link works once, for {} minutes. If you did not ask, ignore this message: \
                     your password stays as it is.</p>",
                    &[reset_url, &valid_minutes.to_string()],
                );
                finish(subject, text, body)
            }
            Message::StaffInvitation { store_name, accept_url, valid_days } => {
                let subject = format!("Join {store_name} on Meridian Market");
                let text = format!(
                    "The owner of {store_name} invites you to help run the store on Meridian Market.\n\nAccept here: {accept_url}\n\nThe link works once, for {valid_days} days. If you were not expecting this, ignore this message.\n"
                );
                let body = html(
                    "<p>The owner of <strong>{}</strong> invites you to help run the store on Meridian Market.</p>\
                     <p><a href=\"{}\">Accept the invitation</a></p>\
                     <p style=\"color:#666\">The link works once, for {} days. If you were not expecting this, ignore this message.</p>",
                    &[store_name, accept_url, &valid_days.to_string()],
                );
                finish(subject, text, body)
            }
            Message::EmailVerification { verify_url, valid_hours } => {
                let subject = "Confirm your e-mail for Meridian Market".to_string();
                let text = format!(
                    "Welcome to Meridian Market. Confirm that this is your address: {verify_url}\n\nThe link works once, for {valid_hours} hours. If you did not sign up, ignore this message.\n"
                );
                let body = html(
                    "<p>Welcome to Meridian Market.</p><p><a href=\"{}\">Confirm my e-mail</a></p>\
                     <p style=\"color:#666\">The link works once, for {} hours. If you did not sign up, ignore this message.</p>",
                    &[verify_url, &valid_hours.to_string()],
                );
                finish(subject, text, body)
            }
            Message::ReturnDecision { number, approved, reason, order_url } => {
                let (subject, verdict) = if *approved {
                    (
                        format!("Your return for order {number} is approved"),
                        "Your return request was approved. Send the items back as the store describes; we refund you once they arrive.",
                    )
                } else {
                    (
                        format!("Your return for order {number} was not approved"),
                        "Your return request was not approved.",
                    )
                };
                let reason = reason.trim();
                let mut text = format!("Order {number}: {verdict}\n");
                if !reason.is_empty() {
                    text.push_str(&format!("\nThe store wrote: {reason}\n"));
                }
                text.push_str(&format!("\nSee your order: {order_url}\n"));
                let why = if reason.is_empty() {
                    String::new()
                } else {
                    html("<p>The store wrote: <em>{}</em></p>", &[reason])
                };
                let body = html("<p>Order <strong>{}</strong>: {}</p>", &[number, verdict])
                    + &why
                    + &html("<p><a href=\"{}\">See your order</a></p>", &[order_url]);
                finish(subject, text, body)
            }
        }
    }
}

/// Wraps the HTML body in a minimal document and signs both bodies.
fn finish(subject: String, mut text: String, body: String) -> Rendered {
    text.push_str(&format!("\n— {SHOP_NAME}\n"));
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5\">{body}<p>— {}</p></body></html>",
        escape_html(&subject),
        escape_html(SHOP_NAME)
    );
    Rendered { subject: one_line(&subject), text, html }
}

/// Fills each `{}` of trusted markup with the next value, escaped: a value cannot reach a message's
/// HTML unescaped.
fn html(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut values = values.iter();
    let mut pieces = template.split("{}");
    out.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        out.push_str(&escape_html(values.next().copied().unwrap_or_default()));
        out.push_str(piece);
    }
    debug_assert!(values.next().is_none(), "more values than places in {template:?}");
    out
}

/// Subjects are header values: no line breaks, bounded length.
fn one_line(s: &str) -> String {
    let flat: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    flat.chars().take(200).collect()
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Absolute links into the shop, from its public address (`PUBLIC_URL`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Links {
    base: String,
}

pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:3000";

impl Default for Links {
    fn default() -> Self {
        Links::new(DEFAULT_PUBLIC_URL)
    }
}

impl Links {
    /// `base` like `https://shop.example`; a trailing slash is dropped.
    pub fn new(base: &str) -> Links {
        Links { base: base.trim().trim_end_matches('/').to_string() }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The order's page; opens for the signed-in shopper who placed it.
    pub fn order(&self, number: &str) -> String {
        format!("{}/orders/{}", self.base, crate::domain::search::url_encode(number))
    }

    /// A guest's order page with its access key. The key travels in the query, not the path: the
    /// request log prints paths only.
    pub fn guest_order(&self, number: &str, key: &str) -> String {
        format!("{}?key={}", self.order(number), crate::domain::search::url_encode(key))
    }

    pub fn track(&self, token: &str) -> String {
        format!("{}/track/{}", self.base, crate::domain::search::url_encode(token))
    }

    /// A store's view of an order in the dashboard.
    pub fn store_order(&self, number: &str) -> String {
        format!("{}/admin/orders/{}", self.base, crate::domain::search::url_encode(number))
    }

    /// The page to choose a new password; the token in the query (never in the logged path).
    pub fn password_reset(&self, token: &str) -> String {
        format!("{}/reset-password?token={}", self.base, crate::domain::search::url_encode(token))
    }

    /// The page that accepts a staff invitation; the token in the query, as above.
    pub fn join(&self, token: &str) -> String {
        format!("{}/join?token={}", self.base, crate::domain::search::url_encode(token))
    }

    /// The page that confirms an account's address; the token in the query, as above.
    pub fn verify_email(&self, token: &str) -> String {
        format!("{}/verify-email?token={}", self.base, crate::domain::search::url_encode(token))
    }
}

/// Seconds to wait before the next try after `attempts` failed tries; `None`: give up.
/// 1 min, 5 min, 30 min, 2 h, 12 h — six tries over about 15 hours.
pub fn retry_delay(attempts: i64) -> Option<i64> {
    match attempts {
        i64::MIN..=1 => Some(60),
        2 => Some(5 * 60),
        3 => Some(30 * 60),
        4 => Some(2 * 3600),
        5 => Some(12 * 3600),
        _ => None,
    }
}

/// The number of tries after which a message is marked failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// What the outbox says about a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    Queued,
    /// Claimed by a sender whose lease has not run out.
    Sending,
    Sent,
    /// Gave up after [`MAX_ATTEMPTS`].
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxStatus> {
        Some(match s {
            "queued" => OutboxStatus::Queued,
            "sending" => OutboxStatus::Sending,
            "sent" => OutboxStatus::Sent,
            "failed" => OutboxStatus::Failed,
            _ => return None,
        })
    }
}

/// An error text fit to store and log: one line, bounded, with `secret` (if any) masked.
pub fn scrub_error(error: &str, secret: Option<&str>) -> String {
    let mut text = error.to_string();
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        text = text.replace(secret, "***");
    }
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    flat.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn confirmation() -> Message {
        Message::OrderConfirmation {
            number: "MM-ABCD2345EFGH".into(),
            email: "ada@example.com".into(),
            lines: vec![
                MessageLine { title: "Linen Tee — M / Navy".into(), quantity: 2, line_total: usd(5000) },
                MessageLine { title: "Mug".into(), quantity: 1, line_total: usd(1250) },
            ],
            total: usd(123456),
            order_url: Links::default().order("MM-ABCD2345EFGH"),
        }
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape_html("<script>alert(\"x\")</script>"), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
        assert_eq!(escape_html("Tom's & Jerry's"), "Tom&#39;s &amp; Jerry&#39;s");
        assert_eq!(escape_html("plain — text"), "plain — text");
        assert_eq!(escape_html(""), "");
    }

    #[test]
    fn confirmation_lists_lines_total_and_link() {
        let r = confirmation().render();
        assert_eq!(r.subject, "Your order MM-ABCD2345EFGH is confirmed");
        assert!(r.text.contains("2 × Linen Tee — M / Navy  $50.00"), "{}", r.text);
        assert!(r.text.contains("Total paid: $1,234.56"), "{}", r.text);
        assert!(r.text.contains("http://127.0.0.1:3000/orders/MM-ABCD2345EFGH"), "{}", r.text);
        assert!(r.html.contains("<strong>$1,234.56</strong>"), "{}", r.html);
        assert!(r.html.contains("href=\"http://127.0.0.1:3000/orders/MM-ABCD2345EFGH\""), "{}", r.html);
        assert!(r.html.starts_with("<!DOCTYPE html>"));
        assert!(r.text.ends_with("— Meridian Market\n"));
    }

    #[test]
    fn every_interpolated_value_is_escaped_in_html() {
        let evil = "<script>alert('x')</script>\"";
        let messages = vec![
            Message::OrderConfirmation {
                number: evil.into(),
                email: evil.into(),
                lines: vec![MessageLine { title: evil.into(), quantity: 1, line_total: usd(1) }],
                total: usd(1),
                order_url: format!("https://x/\"><script>{evil}"),
            },
            Message::Shipped {
                number: evil.into(),
                carrier: evil.into(),
                tracking_number: evil.into(),
                carrier_url: Some(format!("https://c/\"{evil}")),
                track_url: evil.into(),
            },
            Message::Delivered {
                number: evil.into(),
                carrier: evil.into(),
                tracking_number: evil.into(),
                track_url: evil.into(),
            },
            Message::RefundIssued { number: evil.into(), amount: usd(500), order_url: evil.into() },
            Message::ReturnDecision {
                number: evil.into(),
                approved: false,
                reason: evil.into(),
                order_url: evil.into(),
            },
            Message::PasswordReset { reset_url: format!("https://x/\"><script>{evil}"), valid_minutes: 60 },
            Message::StaffInvitation {
                store_name: evil.into(),
                accept_url: format!("https://x/\"><script>{evil}"),
                valid_days: 7,
            },
            Message::EmailVerification { verify_url: format!("https://x/\"><script>{evil}"), valid_hours: 24 },
            Message::NewOrder {
                number: evil.into(),
                store: evil.into(),
                lines: vec![MessageLine { title: evil.into(), quantity: 1, line_total: usd(1) }],
                part_total: usd(1),
                dashboard_url: format!("https://x/\"><script>{evil}"),
            },
        ];
        for m in messages {
            let r = m.render();
            assert!(!r.html.contains("<script"), "{}: {}", m.kind(), r.html);
            assert!(!r.html.contains("'x'"), "{}: {}", m.kind(), r.html);
            assert!(!r.html.contains("</script") && r.html.contains("&quot;"), "{}: {}", m.kind(), r.html);
            assert!(r.html.contains("&lt;script&gt;"), "{}: {}", m.kind(), r.html);
            // The text body is plain text: it keeps the characters as they are.
            assert!(r.text.contains(evil), "{}: {}", m.kind(), r.text);
        }
    }

    #[test]
    fn shipped_links_to_the_public_tracking_page_and_the_carrier() {
        let links = Links::new("https://shop.example/");
        let m = Message::Shipped {
            number: "MM-1".into(),
            carrier: "UPS".into(),
            tracking_number: "1Z999AA10123456784".into(),
            carrier_url: Some("https://www.ups.com/track?tracknum=1Z999AA10123456784".into()),
            track_url: links.track("tok_abc"),
        };
        let r = m.render();
        assert_eq!(r.subject, "Your order MM-1 has shipped");
        assert!(r.text.contains("https://shop.example/track/tok_abc"), "{}", r.text);
        assert!(r.text.contains("https://www.ups.com/track?tracknum=1Z999AA10123456784"));
        assert!(r.html.contains("href=\"https://shop.example/track/tok_abc\""));
        let without = Message::Shipped {
            number: "MM-1".into(),
            carrier: "Other".into(),
            tracking_number: "X1".into(),
            carrier_url: None,
            track_url: links.track("t"),
        };
        assert!(!without.render().text.contains("site:"));
    }

    #[test]
    fn refund_and_return_decision_say_what_happened() {
        let r = Message::RefundIssued { number: "MM-2".into(), amount: usd(1999), order_url: "u".into() }.render();
        assert_eq!(r.subject, "Refund of $19.99 for order MM-2");
        assert!(r.html.contains("<strong>$19.99</strong>"));
        let yes = Message::ReturnDecision {
            number: "MM-3".into(),
            approved: true,
            reason: " ".into(),
            order_url: "u".into(),
        }
        .render();
        assert!(yes.subject.contains("approved") && !yes.subject.contains("not"));
        assert!(!yes.text.contains("The store wrote"));
        let no = Message::ReturnDecision {
            number: "MM-3".into(),
            approved: false,
            reason: "Worn items cannot be returned".into(),
            order_url: "u".into(),
        }
        .render();
        assert!(no.subject.contains("not approved"));
        assert!(no.text.contains("The store wrote: Worn items cannot be returned"));
        let d = Message::Delivered {
            number: "MM-4".into(),
            carrier: "DHL Express".into(),
            tracking_number: "1234567890".into(),
            track_url: "u".into(),
        };
        assert_eq!(d.kind().as_str(), "delivered");
        assert!(d.render().text.contains("DHL Express delivered your parcel 1234567890 for order MM-4"));
    }

    #[test]
    fn subjects_are_one_line() {
        let m = Message::RefundIssued { number: "MM-1\r\nBcc: x@y".into(), amount: usd(1), order_url: "u".into() };
        let s = m.render().subject;
        assert!(!s.contains('\n') && !s.contains('\r'), "{s:?}");
    }

    #[test]
    fn links_are_absolute_and_encoded() {
        let l = Links::new(" http://127.0.0.1:3000/ ");
        assert_eq!(l.base(), "http://127.0.0.1:3000");
        assert_eq!(l.order("MM-X"), "http://127.0.0.1:3000/orders/MM-X");
        assert_eq!(l.track("a/b?c"), "http://127.0.0.1:3000/track/a%2Fb%3Fc");
        // A guest's key rides in the query (the request log prints paths only), encoded.
        assert_eq!(l.guest_order("MM-X", "ab12"), "http://127.0.0.1:3000/orders/MM-X?key=ab12");
        assert_eq!(l.guest_order("MM-X", "a&b"), "http://127.0.0.1:3000/orders/MM-X?key=a%26b");
        assert_eq!(Links::default().base(), DEFAULT_PUBLIC_URL);
    }

    #[test]
    fn back_off_grows_then_gives_up() {
        let delays: Vec<Option<i64>> = (1..=7).map(retry_delay).collect();
        assert_eq!(
            delays,
            vec![Some(60), Some(300), Some(1800), Some(7200), Some(43200), None, None],
            "1 min, 5 min, 30 min, 2 h, 12 h, then failed"
        );
        assert_eq!(retry_delay(0), Some(60));
        assert!(retry_delay(MAX_ATTEMPTS).is_none());
        assert!(retry_delay(MAX_ATTEMPTS - 1).is_some());
    }

    #[test]
    fn status_round_trips() {
        for s in [OutboxStatus::Queued, OutboxStatus::Sending, OutboxStatus::Sent, OutboxStatus::Failed] {
            assert_eq!(OutboxStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OutboxStatus::parse("lost"), None);
    }

    #[test]
    fn scrubbed_errors_hide_the_secret_and_stay_short() {
        let e = scrub_error("535 auth failed for user:hunter2\r\nmore", Some("hunter2"));
        assert!(!e.contains("hunter2") && !e.contains('\n'), "{e}");
        assert!(e.contains("***"));
        assert_eq!(scrub_error(&"x".repeat(2000), None).len(), 500);
        assert_eq!(scrub_error("fine", Some("")), "fine");
    }
}
