//! The isomorphic shop: pages and components render on the server and hydrate in the browser.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;
pub mod views;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{Route, Router, Routes},
    path,
};

use components::layout::Layout;
use pages::lazy_routes as dashboard;
use pages::{
    cart::CartPage, category::CategoryPage, home::HomePage, not_found::NotFound, product::ProductPage,
    search::SearchPage,
};

/// Bumped after signing in or out, so the header fetches who is signed in again.
#[derive(Clone, Copy)]
pub struct AuthRefresh(pub RwSignal<u64>);

pub const SHOP_NAME: &str = "Meridian Market";

/// The HTML document around the app; only the server renders it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-stone-50 text-stone-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(AuthRefresh(RwSignal::new(0)));
    provide_context(components::cart::CartCount::new());
    #[cfg(feature = "ssr")]
    content_security_policy();
    // `<Redirect>` on the server goes through our validated, non-panicking redirect (303 for a
    // page) instead of leptos_axum's.
    #[cfg(feature = "ssr")]
    leptos_router::components::provide_server_redirect(api::redirect::redirect);
    // Every route renders fully before the first byte (SsrMode::Async), so the status code
    // (404 for unknown slugs), <title> and meta description come from the data.
    view! {
        <Stylesheet id="leptos" href="/pkg/shop.css" />
        <Title formatter=|page: String| format!("{} · {SHOP_NAME}", title_text(&page)) />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/c/:slug") view=CategoryPage ssr=SsrMode::Async />
                    <Route path=path!("/products/:slug") view=ProductPage ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async />
                    <Route path=path!("/checkout") view={Lazy::<dashboard::Checkout>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/orders/:number") view={Lazy::<dashboard::Order>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account/orders") view={Lazy::<dashboard::MyOrders>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<dashboard::Login>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/register") view={Lazy::<dashboard::Register>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/s/:store") view={Lazy::<dashboard::Store>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view={Lazy::<dashboard::ForgotPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reset-password") view={Lazy::<dashboard::ResetPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<dashboard::Account>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/track/:token") view={Lazy::<dashboard::Track>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin") view={Lazy::<dashboard::Dashboard>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/orders") view={Lazy::<dashboard::StoreOrders>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/orders/:number") view={Lazy::<dashboard::StoreOrder>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/analytics") view={Lazy::<dashboard::Analytics>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/products") view={Lazy::<dashboard::Products>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/products/import") view={Lazy::<dashboard::ProductImport>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/products/:id") view={Lazy::<dashboard::ProductEdit>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/inventory") view={Lazy::<dashboard::Inventory>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/payments") view={Lazy::<dashboard::Payments>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/earnings") view={Lazy::<dashboard::Earnings>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/payouts") view={Lazy::<dashboard::Payouts>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/shipping") view={Lazy::<dashboard::Shipping>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/staff") view={Lazy::<dashboard::Staff>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/join") view={Lazy::<dashboard::Join>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/verify-email") view={Lazy::<dashboard::VerifyEmail>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/discounts") view={Lazy::<dashboard::Discounts>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/taxes") view={Lazy::<dashboard::Taxes>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/reviews") view={Lazy::<dashboard::StoreReviews>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/settings") view={Lazy::<dashboard::Settings>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/merchants") view={Lazy::<dashboard::Merchants>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<dashboard::Users>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/ranking") view={Lazy::<dashboard::Ranking>::new()} ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The Content-Security-Policy, with this response's nonce for Leptos' inline scripts. Set as a
/// header (not a <meta>) because `frame-ancestors` only works as a header.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    use http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
    let (Some(res), Some(nonce)) = (use_context::<leptos_axum::ResponseOptions>(), leptos::nonce::use_nonce()) else {
        return;
    };
    let nonce = format!("'nonce-{nonce}'");
    if let Ok(value) = HeaderValue::from_str(&content_security_policy_with(&nonce, &nonce)) {
        res.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The origin of the payment provider's hosted pages (`https://checkout.stripe.com`), set once at
/// start: the checkout form's redirect there must be allowed by `form-action`, or the browser
/// stops a form posted without JavaScript at the redirect.
#[cfg(feature = "ssr")]
pub static PAYMENT_PAGE_ORIGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The shop's Content-Security-Policy with these sources for inline scripts and styles: this
/// response's nonce, or (for a page the page cache serves again) the hashes of its scripts.
#[cfg(feature = "ssr")]
pub fn content_security_policy_with(inline_scripts: &str, inline_styles: &str) -> String {
    // cargo leptos watch reloads the page over a websocket on another port.
    let live_reload = if std::env::var("LEPTOS_WATCH").is_ok() { " ws:" } else { "" };
    let payment_page = PAYMENT_PAGE_ORIGIN.get().map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' {inline_scripts} 'wasm-unsafe-eval'; style-src 'self' {inline_styles}; \
         img-src 'self' data:; connect-src 'self'{live_reload}; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'{payment_page}; frame-ancestors 'none'"
    )
}

/// leptos_meta writes `<title>` text into the server's HTML without escaping it, so a search for
/// `</title><script>` would end the element early. Escape on the server; in the browser the
/// text goes into `document.title`, where entities would show literally.
pub fn title_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        text.to_string()
    }
}
