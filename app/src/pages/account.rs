//! The signed-in user's page: profile, addresses, password, opening a store.
use crate::api::account::{
    AddAddress, ChangePassword, DeleteAddress, OpenStore, ResendVerification, UpdateAddress, get_account,
};
use crate::api::auth::Logout;
use crate::components::form::{
    BUTTON, BUTTON_SECONDARY, CARD, Field, FormAlert, last_error, refresh_session_on_success,
};
use crate::components::status::LoadFailed;
use crate::domain::address::{Address, AddressInput, COUNTRIES};
use crate::domain::errors::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn AccountPage() -> impl IntoView {
    let add = ServerAction::<AddAddress>::new();
    let update = ServerAction::<UpdateAddress>::new();
    let delete = ServerAction::<DeleteAddress>::new();
    let password = ServerAction::<ChangePassword>::new();
    let query = leptos_router::hooks::use_query_map();
    // `?verified=1`: back from the confirmation button (`/verify-email`).
    let confirmed = move || query.read_untracked().get("verified").as_deref() == Some("1");
    let account =
        Resource::new(move || (add.version().get(), update.version().get(), delete.version().get()), |_| get_account());
    view! {
        <Title text="Your account" />
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match account.await {
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/account" /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                    Ok(data) => {
                        let p = data.principal.clone();
                        let logout = ServerAction::<Logout>::new();
                        refresh_session_on_success(logout.value());
                        view! {
                            <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
                                <div>
                                    <h1 class="text-2xl font-semibold tracking-tight">"Your account"</h1>
                                    <p class="mt-1 text-stone-600" data-testid="account-email">
                                        {p.display_name.clone()} " · " {p.email.clone()}
                                    </p>
                                </div>
                                <div class="flex items-center gap-2">
                                    <a href="/account/orders" class=BUTTON_SECONDARY data-testid="orders-link">"Your orders"</a>
                                    <ActionForm action=logout>
                                        <button type="submit" class=BUTTON_SECONDARY>"Sign out"</button>
                                    </ActionForm>
                                </div>
                            </div>
                            {(!p.email_verified).then(|| view! { <VerifyBanner email=p.email.clone() /> })}
                            {(p.email_verified && confirmed()).then(|| view! {
                                <p class="mb-6 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200" role="status" data-testid="verified-note">
                                    "Your e-mail address is confirmed."
                                </p>
                            })}
                            <div class="grid gap-6 lg:grid-cols-3">
                                <div class="flex flex-col gap-6 lg:col-span-2">
                                    <Addresses addresses=data.addresses add update delete />
                                </div>
                                <div class="flex flex-col gap-6">
                                    <StorePanel store=p.store.clone() is_admin=p.is_admin />
                                    <PasswordPanel action=password />
                                </div>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Addresses(
    addresses: Vec<Address>,
    add: ServerAction<AddAddress>,
    update: ServerAction<UpdateAddress>,
    delete: ServerAction<DeleteAddress>,
) -> impl IntoView {
    let add_errors = last_error(add.value());
    let update_errors = last_error(update.value());
    let empty = addresses.is_empty();
    view! {
        <section class=CARD aria-labelledby="addresses-heading">
            <h2 id="addresses-heading" class="text-lg font-semibold">"Shipping addresses"</h2>
            {empty.then(|| view! { <p class="mt-2 text-sm text-stone-600">"No saved addresses yet."</p> })}
            <ul class="mt-4 grid gap-4 sm:grid-cols-2" data-testid="address-list">
                {addresses
                    .into_iter()
                    .map(|a| {
                        let id = a.id;
                        let f = a.fields.clone();
                        view! {
                            <li class="rounded-xl p-4 ring-1 ring-stone-200" data-testid="address">
                                <address class="not-italic text-sm leading-relaxed text-stone-800">
                                    <span class="font-semibold">{f.name.clone()}</span><br />
                                    {f.line1.clone()}<br />
                                    {(!f.line2.is_empty()).then(|| view! { {f.line2.clone()}<br /> })}
                                    {format!("{} {} {}", f.city, f.region, f.postal_code)}<br />
                                    {country_name(&f.country)}
                                    {(!f.phone.is_empty()).then(|| view! { <br />{f.phone.clone()} })}
                                </address>
                                <details class="mt-3">
                                    <summary class="cursor-pointer text-sm font-semibold text-emerald-700">"Edit"</summary>
                                    <ActionForm action=update attr:class="mt-3 flex flex-col gap-3">
                                        <input type="hidden" name="id" value=id />
                                        <FormAlert errors=update_errors />
                                        <AddressFields value=a.fields.clone() errors=update_errors suffix=format!("-{id}") />
                                        <button type="submit" class=BUTTON>"Save address"</button>
                                    </ActionForm>
                                </details>
                                <ActionForm action=delete attr:class="mt-2">
                                    <input type="hidden" name="id" value=id />
                                    <button type="submit" class="text-sm font-semibold text-rose-700 hover:underline">"Remove"</button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <details class="mt-5" open=empty>
                <summary class="cursor-pointer text-sm font-semibold text-emerald-700">"Add an address"</summary>
                <ActionForm action=add attr:class="mt-3 flex flex-col gap-3" attr:data-testid="add-address-form">
                    <FormAlert errors=add_errors />
                    <AddressFields value=AddressInput { country: "US".into(), ..Default::default() } errors=add_errors suffix=String::new() />
                    <button type="submit" class=BUTTON>"Save address"</button>
                </ActionForm>
            </details>
        </section>
    }
}

fn country_name(code: &str) -> String {
    COUNTRIES.iter().find(|(c, _)| *c == code).map(|(_, n)| n.to_string()).unwrap_or_else(|| code.to_string())
}

#[component]
pub(crate) fn AddressFields(
    value: AddressInput,
    #[prop(into)] errors: Signal<Option<AppError>>,
    suffix: String,
) -> impl IntoView {
    let country_id = format!("country{suffix}");
    let selected = value.country.clone();
    view! {
        <Field label="Full name" name="name" value=value.name autocomplete="name" errors id_suffix=suffix.clone() />
        <Field label="Street address" name="line1" value=value.line1 autocomplete="address-line1" errors id_suffix=suffix.clone() />
        <Field label="Apartment, suite, etc." name="line2" value=value.line2 autocomplete="address-line2" required=false errors id_suffix=suffix.clone() />
        <div class="grid gap-3 sm:grid-cols-2">
            <Field label="City" name="city" value=value.city autocomplete="address-level2" errors id_suffix=suffix.clone() />
            <Field label="State / region" name="region" value=value.region autocomplete="address-level1" required=false errors id_suffix=suffix.clone() />
            <Field label="Postal code" name="postal_code" value=value.postal_code autocomplete="postal-code" errors id_suffix=suffix.clone() />
            <div class="flex flex-col gap-1">
                <label for=country_id.clone() class="text-sm font-medium text-stone-800">"Country"</label>
                <select id=country_id name="country" autocomplete="country" class="rounded-lg border border-stone-300 bg-white px-3 py-2 text-base">
                    {COUNTRIES
                        .iter()
                        .map(|(code, name)| view! { <option value=*code selected=selected == *code>{*name}</option> })
                        .collect_view()}
                </select>
                <p class="text-sm text-rose-700">{move || errors.get().and_then(|e| e.field("country"))}</p>
            </div>
        </div>
        <Field label="Phone" name="phone" kind="tel" value=value.phone autocomplete="tel" required=false hint="For the courier, if they need to reach you." errors id_suffix=suffix />
    }
}

/// Shown until the account confirms its address: opening a store waits for it.
#[component]
fn VerifyBanner(email: String) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let errors = last_error(resend.value());
    let query = leptos_router::hooks::use_query_map();
    let sent = move || matches!(resend.value().get(), Some(Ok(()))) || query.read().get("sent").as_deref() == Some("1");
    view! {
        <section class="mb-6 rounded-2xl bg-amber-50 p-5 ring-1 ring-amber-200" role="status" data-testid="verify-banner">
            <p class="font-semibold text-amber-900">"Your e-mail is not verified"</p>
            <p class="mt-1 text-sm text-amber-900">
                {format!("We sent a link to {email}. Open it to confirm the address; until then you cannot open a store.")}
            </p>
            <ActionForm action=resend attr:class="mt-3 flex flex-wrap items-center gap-3">
                <button type="submit" class=BUTTON_SECONDARY>"Send the link again"</button>
                <Show when=sent>
                    <span class="text-sm text-emerald-800" data-testid="verify-sent">"Sent. The link works for 24 hours."</span>
                </Show>
            </ActionForm>
            <div class="mt-2"><FormAlert errors /></div>
        </section>
    }
}

#[component]
fn PasswordPanel(action: ServerAction<ChangePassword>) -> impl IntoView {
    let errors = last_error(action.value());
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class=CARD aria-labelledby="password-heading">
            <h2 id="password-heading" class="text-lg font-semibold">"Change password"</h2>
            <p class="mt-1 text-sm text-stone-600">"Other devices are signed out when you change it."</p>
            <ActionForm action attr:class="mt-4 flex flex-col gap-3">
                <FormAlert errors />
                <Show when=done>
                    <p role="status" class="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800">"Password changed."</p>
                </Show>
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" errors />
                <Field label="New password" name="new_password" kind="password" autocomplete="new-password" errors />
                <button type="submit" class=BUTTON>"Change password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn StorePanel(store: Option<crate::domain::account::StoreMembership>, is_admin: bool) -> impl IntoView {
    let open = ServerAction::<OpenStore>::new();
    refresh_session_on_success(open.value());
    let errors = last_error(open.value());
    let body = match (store, is_admin) {
        (_, true) => view! {
            <p class="mt-1 text-sm text-stone-600">"You run the marketplace."</p>
            <a href="/admin" class=format!("{BUTTON} mt-4")>"Open the dashboard"</a>
        }
        .into_any(),
        (Some(s), _) => view! {
            <p class="mt-1 text-sm text-stone-600">
                {format!("{} · {} · ", s.merchant_name, s.role.as_str())}
                <span class="font-medium">{s.merchant_status.as_str()}</span>
            </p>
            <a href="/admin" class=format!("{BUTTON} mt-4")>"Open the dashboard"</a>
        }
        .into_any(),
        (None, false) => view! {
            <p class="mt-1 text-sm text-stone-600">"Sell on Meridian Market. New stores go live once we approve them."</p>
            <ActionForm action=open attr:class="mt-4 flex flex-col gap-3">
                <FormAlert errors />
                <Field label="Store name" name="store_name" errors />
                <Field label="What you sell" name="description" required=false errors />
                <button type="submit" class=BUTTON>"Open a store"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <section class=CARD aria-labelledby="store-heading">
            <h2 id="store-heading" class="text-lg font-semibold">"Your store"</h2>
            {body}
        </section>
    }
}
