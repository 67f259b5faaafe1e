//! `/admin/staff` (a store's owner, or the platform admin acting for it: members, pending
//! invitations, invite by e-mail, revoke, remove staff) and `/join?token=…` (the public page an
//! invitation's link opens: sign up, join, or a clear reason why not). Plain forms first: every
//! form works before WASM loads, and a success comes back with `?done=…` in the address.
use crate::api::staff::{InviteStaff, JoinSignUp, JoinStore, RemoveStaff, RevokeInvitation, join_page, staff_page};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{
    ActionOutcome, BUTTON, BUTTON_SECONDARY, CARD, Field, FormAlert, last_error, refresh_session_on_success,
};
use crate::components::status::LoadFailed;
use crate::domain::account::StoreRole;
use crate::domain::dates::ymd;
use crate::domain::errors::AppError;
use crate::domain::staff::{INVALID_INVITATION, JoinView, StaffOverview as Page};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

fn problem(e: &AppError) -> String {
    ["email", "form", "token"].iter().find_map(|f| e.field(f)).unwrap_or_else(|| e.to_string())
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let invite = ServerAction::<InviteStaff>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let query = use_query_map();
    let store = move || query.read().get("store").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(
        move || (store(), invite.version().get(), revoke.version().get(), remove.version().get()),
        |(s, ..)| staff_page(s),
    );
    view! {
        <Title text="Staff" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e, "/admin/staff"),
                        Ok(page) => view! { <People page invite revoke remove /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn People(
    page: Page,
    invite: ServerAction<InviteStaff>,
    revoke: ServerAction<RevokeInvitation>,
    remove: ServerAction<RemoveStaff>,
) -> impl IntoView {
    let query = use_query_map();
    // Without JavaScript the result arrives as `?done=…` (the server redirected back here).
    let outcome = move || match (invite.value().get(), revoke.value().get(), remove.value().get()) {
        (Some(Err(e)), ..) | (_, Some(Err(e)), _) | (.., Some(Err(e))) => Some((false, problem(&e))),
        (Some(Ok(sent)), ..) => Some((true, sent)),
        (_, Some(Ok(())), _) => Some((true, "Invitation withdrawn; its link no longer works.".to_string())),
        (.., Some(Ok(()))) => Some((true, "Removed from the store.".to_string())),
        _ => match query.read().get("done").as_deref() {
            Some("invited") => Some((true, "Invitation sent.".to_string())),
            Some("revoked") => Some((true, "Invitation withdrawn; its link no longer works.".to_string())),
            Some("removed") => Some((true, "Removed from the store.".to_string())),
            _ => None,
        },
    };
    let id = page.merchant_id;
    let viewer = page.viewer_id;
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Staff"</p>
            <h1 class="text-2xl font-semibold tracking-tight">{format!("Staff · {}", page.store_name)}</h1>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "Staff handle products, stock, orders and reviews. Earnings, settings and this page stay with the owner."
            </p>
        </header>
        <ActionOutcome outcome=Signal::derive(outcome) testid="staff-outcome" />
        <div class="grid gap-6 lg:grid-cols-2">
            <section class=CARD aria-labelledby="members-heading">
                <h2 id="members-heading" class="text-lg font-semibold">"Members"</h2>
                <ul class="mt-3 divide-y divide-stone-200" data-testid="members">
                    {page.members.into_iter().map(|m| {
                        let removable = m.role == StoreRole::Staff && m.user_id != viewer;
                        let label = format!("Remove {}", m.display_name);
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-3" data-testid="member">
                                <div class="min-w-0">
                                    <p class="truncate font-medium text-stone-900">{m.display_name.clone()}</p>
                                    <p class="truncate text-sm text-stone-600">{m.email.clone()}</p>
                                </div>
                                <div class="flex items-center gap-3">
                                    <span class="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-700" data-testid="member-role">{m.role.as_str()}</span>
                                    {removable.then(|| view! {
                                        <ActionForm action=remove>
                                            <input type="hidden" name="merchant_id" value=id />
                                            <input type="hidden" name="user_id" value=m.user_id />
                                            <button type="submit" class="text-sm font-semibold text-rose-700 hover:underline" aria-label=label>"Remove"</button>
                                        </ActionForm>
                                    })}
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <section class=CARD aria-labelledby="invite-heading">
                <h2 id="invite-heading" class="text-lg font-semibold">"Invite staff"</h2>
                <p class="mt-1 text-sm text-stone-600">"We e-mail them a link that works once, for 7 days. Inviting the same address again sends a fresh link."</p>
                <ActionForm action=invite attr:class="mt-3 flex flex-col gap-3 sm:flex-row sm:items-end" attr:data-testid="invite-form">
                    <input type="hidden" name="merchant_id" value=id />
                    <div class="flex-1">
                        <label for="invite-email" class="text-sm font-medium text-stone-800">"E-mail address"</label>
                        <input id="invite-email" name="email" type="email" required autocomplete="off" placeholder="name@example.com"
                            class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600" />
                    </div>
                    <button type="submit" class=BUTTON disabled=move || invite.pending().get()>"Send invitation"</button>
                </ActionForm>
                <h3 class="mt-6 text-sm font-semibold text-stone-800">"Pending invitations"</h3>
                {page.invitations.is_empty().then(|| view! { <p class="mt-2 text-sm text-stone-600" data-testid="no-invitations">"None."</p> })}
                <ul class="mt-2 divide-y divide-stone-200" data-testid="invitations">
                    {page.invitations.into_iter().map(|i| {
                        let when = if i.expired { "expired".to_string() } else { format!("until {}", ymd(i.expires_at)) };
                        let label = format!("Withdraw the invitation of {}", i.email);
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-3" data-testid="invitation">
                                <div class="min-w-0">
                                    <p class="truncate text-sm font-medium text-stone-900">{i.email.clone()}</p>
                                    <p class="text-xs text-stone-500">{when}</p>
                                </div>
                                <ActionForm action=revoke>
                                    <input type="hidden" name="merchant_id" value=id />
                                    <input type="hidden" name="invitation_id" value=i.id />
                                    <button type="submit" class=BUTTON_SECONDARY aria-label=label>"Withdraw"</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </div>
    }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let view_of = Resource::new(token, join_page);
    view! {
        <Title text="Join a store" />
        <Meta name="robots" content="noindex" />
        <div class="mx-auto max-w-md">
            <Suspense fallback=|| view! { <div class="h-48 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match view_of.await {
                        Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                        Ok(v) => view! { <Join v token=token() /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

const NOTE: &str = "rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200";

#[component]
fn Join(v: JoinView, token: String) -> impl IntoView {
    let sign_in = format!("/login?next={}", crate::domain::safe_path::query_value(&format!("/join?token={token}")));
    let join = ServerAction::<JoinStore>::new();
    let sign_up = ServerAction::<JoinSignUp>::new();
    refresh_session_on_success(join.value());
    refresh_session_on_success(sign_up.value());
    let join_errors = last_error(join.value());
    let sign_up_errors = last_error(sign_up.value());
    // A link that stopped working between loading the page and pressing the button says so too.
    let expired = move || join_errors.get().or(sign_up_errors.get()).and_then(|e| e.field("token"));
    let body = match v {
        JoinView::Invalid => view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">"Join a store"</h1>
            <p class=NOTE role="alert" data-testid="join-invalid">{INVALID_INVITATION}</p>
        }
        .into_any(),
        JoinView::SignUp { store_name, email } => view! {
            <h1 class="mb-2 text-2xl font-semibold tracking-tight">{format!("Join {store_name}")}</h1>
            <p class="mb-6 text-sm text-stone-600">"Create your account to start working for the store."</p>
            <div class=CARD>
                <ActionForm action=sign_up attr:class="flex flex-col gap-4" attr:data-testid="join-sign-up">
                    <FormAlert errors=sign_up_errors />
                    <input type="hidden" name="token" value=token.clone() />
                    // The address is the invitation's, not a choice: shown as text (wrapping on a
                    // phone, where a read-only input cut it off), never sent by the form.
                    <div class="flex flex-col gap-1">
                        <p class="text-sm font-medium text-stone-800">"Email"</p>
                        <p id="join-email" class="break-all rounded-lg bg-stone-100 px-3 py-2 text-base text-stone-700">{email}</p>
                        <p class="text-xs text-stone-500">"The invitation is for this address."</p>
                    </div>
                    <Field label="Your name" name="display_name" autocomplete="name" errors=sign_up_errors />
                    <Field label="Password" name="password" kind="password" autocomplete="new-password"
                        hint="At least 10 characters; a few unrelated words work well." errors=sign_up_errors />
                    <button type="submit" class=BUTTON disabled=move || sign_up.pending().get()>"Create account and join"</button>
                </ActionForm>
            </div>
            <p class="mt-4 text-center text-sm text-stone-600">
                "Already have an account with this address? "
                <a href=sign_in class="font-semibold text-emerald-700 hover:underline">"Sign in"</a>
            </p>
        }
        .into_any(),
        JoinView::Join { store_name } => view! {
            <h1 class="mb-6 text-2xl font-semibold tracking-tight">{format!("Join {store_name}")}</h1>
            <div class=CARD>
                <ActionForm action=join attr:class="flex flex-col gap-4" attr:data-testid="join-form">
                    <FormAlert errors=join_errors />
                    <input type="hidden" name="token" value=token />
                    <p class="text-sm text-stone-700">"You will work for the store as staff: products, stock, orders and reviews."</p>
                    <button type="submit" class=BUTTON disabled=move || join.pending().get()>{format!("Join {store_name}")}</button>
                </ActionForm>
            </div>
        }
        .into_any(),
        JoinView::OtherAccount { store_name, invited, signed_in_as } => view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{format!("Join {store_name}")}</h1>
            <p class=NOTE role="alert" data-testid="join-other-account">
                {format!("This invitation is for {invited}, but you are signed in as {signed_in_as}. Sign out, then open the link again.")}
            </p>
        }
        .into_any(),
        JoinView::AlreadyInStore { store_name, current_store } => view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{format!("Join {store_name}")}</h1>
            <p class=NOTE role="alert" data-testid="join-already-in-store">
                {format!("Your account already works for {current_store}; an account belongs to one store only. Accept with another e-mail address, or leave {current_store} first.")}
            </p>
        }
        .into_any(),
    };
    view! {
        {move || expired().map(|m| view! { <p class=format!("{NOTE} mb-4") role="alert" data-testid="join-expired">{m}</p> })}
        {body}
    }
}
