//! The hosted payment page: what the shopper sees at the session's `url` instead of Stripe
//! Checkout. It takes Stripe's test card numbers and behaves like Checkout does with them: a
//! decline re-renders the page (the session stays open, no event), a success completes the
//! session, delivers `checkout.session.completed` per the webhook mode and redirects (303) to
//! the `success_url` with `{CHECKOUT_SESSION_ID}` filled in.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::objects::{Session, SessionStatus, Store, format_minor};
use crate::payments::pay_session;
use crate::webhook::deliver_before_redirect;

/// Whose page the shopper is on (Stripe shows the account's business name).
const MERCHANT: &str = "Meridian Market";

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/pay/{id}", get(show).post(submit))
}

/// Stripe's test cards that fail, and the message Checkout shows for each.
fn decline_message(number: &str) -> Option<&'static str> {
    Some(match number {
        "4000000000000002" => "Your card was declined.",
        "4000000000009995" => "Your card has insufficient funds.",
        "4000000000000069" => "Your card has expired.",
        "4000000000000127" => "Your card's security code is incorrect.",
        "4000000000000119" => "An error occurred while processing your card. Try again in a little bit.",
        _ => return None,
    })
}

/// What a session that cannot take a payment answers, or `None` when it is open.
fn not_payable(store: &Store, id: &str) -> Option<Response> {
    let Some(session) = store.sessions.get(id) else {
        return Some(message_page(StatusCode::NOT_FOUND, "This payment page does not exist."));
    };
    // The ticker may not have run yet: a session past `expires_at` takes no payment.
    let expired = session.status == SessionStatus::Expired
        || (session.status == SessionStatus::Open && session.expires_at <= store.now());
    if expired {
        return Some(message_page(StatusCode::GONE, "This payment page has expired."));
    }
    if session.status == SessionStatus::Complete {
        return Some(redirect_to_success(session));
    }
    None
}

async fn show(State(sh): State<AppState>, Path(id): Path<String>) -> Response {
    let store = sh.lock();
    if let Some(resp) = not_payable(&store, &id) {
        return resp;
    }
    page(&store.sessions[&id], StatusCode::OK, None)
}

async fn submit(
    State(sh): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let number: String = form.get("card_number").map(String::as_str).unwrap_or("").replace([' ', '-'], "");
    let (event, mode, location) = {
        let mut store = sh.lock();
        if let Some(resp) = not_payable(&store, &id) {
            return resp;
        }
        let session = &store.sessions[&id];
        if !(12..=19).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return page(session, StatusCode::BAD_REQUEST, Some("Enter a card number."));
        }
        if let Some(message) = decline_message(&number) {
            return page(session, StatusCode::PAYMENT_REQUIRED, Some(message));
        }
        let location = success_location(session);
        let mode = store.webhook_mode;
        let event = pay_session(&mut store, &sh.base_url, &id).expect("session checked open under the same lock");
        (event, mode, location)
    };
    deliver_before_redirect(&sh, event, mode).await;
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

fn success_location(session: &Session) -> String {
    session.success_url.replace("{CHECKOUT_SESSION_ID}", &session.id)
}

fn redirect_to_success(session: &Session) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, success_location(session))]).into_response()
}

/// Escapes text for HTML content and double-quoted attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;\
background:#f6f8fa;color:#1a1f36}main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;\
border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}.test{display:inline-block;margin:0;padding:.1rem .5rem;\
border-radius:4px;background:#ffde92;color:#7a4a00;font-size:.75rem;font-weight:600;letter-spacing:.05em}\
h1{font-size:1.1rem;font-weight:500;color:#697386;margin:.75rem 0 0}.amount{font-size:2rem;font-weight:600;margin:0 0 1rem}\
ul{list-style:none;padding:0;margin:0 0 1rem;border-top:1px solid #e3e8ee}li{display:flex;justify-content:space-between;\
padding:.4rem 0;border-bottom:1px solid #e3e8ee;font-size:.9rem}.email{color:#697386;font-size:.9rem}\
label{display:block;font-size:.85rem;color:#3c4257;margin:.75rem 0 .25rem}input{width:100%;padding:.6rem .75rem;\
border:1px solid #cfd7df;border-radius:6px;font:inherit}.row{display:flex;gap:.75rem}.row>div{flex:1}\
button{width:100%;margin-top:1.25rem;padding:.75rem;border:0;border-radius:6px;background:#0570de;color:#fff;\
font:inherit;font-weight:600;cursor:pointer}.error{margin:1rem 0 0;padding:.6rem .75rem;border-radius:6px;\
background:#fdecea;color:#b3261e}.cancel{display:block;margin-top:1rem;text-align:center;color:#697386;font-size:.9rem}";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let doc = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title>\
         <style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        esc(title)
    );
    (status, Html(doc)).into_response()
}

fn message_page(status: StatusCode, message: &str) -> Response {
    html(status, &format!("Pay {MERCHANT}"), &format!("<p class=\"test\">TEST MODE</p><h1>{}</h1>", esc(message)))
}

/// The payment form for an open session, with `error` shown above it.
fn page(session: &Session, status: StatusCode, error: Option<&str>) -> Response {
    let currency = session.currency.to_uppercase();
    let items: String = session
        .line_items
        .iter()
        .map(|li| {
            format!(
                "<li><span>{} × {}</span><span>{} {}</span></li>",
                esc(&li.name),
                li.quantity,
                format_minor(li.unit_amount.saturating_mul(li.quantity), &session.currency),
                esc(&currency)
            )
        })
        .collect();
    let email = session
        .customer_email
        .as_deref()
        .map(|e| format!("<p class=\"email\" data-testid=\"email\">{}</p>", esc(e)))
        .unwrap_or_default();
    let error = error.map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    let cancel = session
        .cancel_url
        .as_deref()
        .map(|u| format!("<a class=\"cancel\" href=\"{}\">Cancel and return</a>", esc(u)))
        .unwrap_or_default();
    let body = format!(
        "<p class=\"test\">TEST MODE</p><h1>Pay {merchant}</h1>\
         <p class=\"amount\" data-testid=\"amount\">{amount} {currency}</p><ul>{items}</ul>{email}{error}\
         <form method=\"post\" action=\"/pay/{id}\">\
         <label for=\"card_number\">Card number</label>\
         <input id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" autocomplete=\"cc-number\" \
         placeholder=\"1234 1234 1234 1234\">\
         <div class=\"row\"><div><label for=\"expiry\">MM / YY</label>\
         <input id=\"expiry\" name=\"expiry\" autocomplete=\"cc-exp\" placeholder=\"MM / YY\"></div>\
         <div><label for=\"cvc\">CVC</label>\
         <input id=\"cvc\" name=\"cvc\" inputmode=\"numeric\" autocomplete=\"cc-csc\" placeholder=\"CVC\"></div></div>\
         <button type=\"submit\">Pay</button></form>{cancel}",
        merchant = esc(MERCHANT),
        amount = format_minor(session.amount_total, &session.currency),
        currency = esc(&currency),
        id = esc(&session.id),
    );
    html(status, &format!("Pay {MERCHANT}"), &body)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">O'Neil & co</a>"), "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
    }
}
