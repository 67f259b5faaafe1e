//! The shopper's returns of the part and what the store can do with each.
use super::actions::Actions;
use super::{DANGER, ERROR, INPUT, LABEL};
use crate::api::fulfilment::{ApproveReturn, ReceiveReturn, RefundReturn, RejectReturn};
use crate::components::form::{BUTTON, CARD, FormAlert};
use crate::components::shipments::ReturnSummary;
use crate::pages::order::scoped_errors;
use crate::views::orders::ReturnView;
use leptos::prelude::*;

/// The shopper's returns of this part, each with what the store can do next.
#[component]
pub(super) fn ReturnsPanel(returns: Vec<ReturnView>, explicit: Option<i64>, actions: Actions) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="returns-heading" data-testid="store-returns">
            <h2 id="returns-heading" class="text-base font-semibold">"Returns"</h2>
            <ul class="mt-3 flex flex-col gap-3">
                {returns
                    .into_iter()
                    .map(|r| {
                        let id = r.id;
                        let status = r.status.clone();
                        view! {
                            <li>
                                <ReturnSummary ret=r>
                                    <ReturnActions id status=status.clone() explicit actions />
                                </ReturnSummary>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub(super) fn ReturnActions(id: i64, status: String, explicit: Option<i64>, actions: Actions) -> impl IntoView {
    let approve_errors = scoped_errors(actions.approve, |i: &ApproveReturn| i.return_id, id);
    let reject_errors = scoped_errors(actions.reject, |i: &RejectReturn| i.return_id, id);
    let receive_errors = scoped_errors(actions.receive, |i: &ReceiveReturn| i.return_id, id);
    let refund_errors = scoped_errors(actions.refund_return, |i: &RefundReturn| i.return_id, id);
    let hidden = move || {
        view! {
            <input type="hidden" name="return_id" value=id.to_string() />
            {explicit.map(|m| view! { <input type="hidden" name="merchant_id" value=m.to_string() /> })}
        }
    };
    let reason_id = format!("reject-reason-{id}");
    match status.as_str() {
        "requested" => view! {
            <div class="mt-3 flex flex-col gap-3 border-t border-stone-200 pt-3">
                <FormAlert errors=approve_errors />
                <ActionForm action=actions.approve attr:data-testid="approve-return-form">
                    {hidden()}
                    <button type="submit" class=BUTTON data-testid="approve-return">"Approve return"</button>
                </ActionForm>
                <ActionForm action=actions.reject attr:class="flex flex-col gap-2" attr:data-testid="reject-return-form">
                    {hidden()}
                    <FormAlert errors=reject_errors />
                    <label for=reason_id.clone() class=LABEL>"Or reject it, saying why"</label>
                    <div class="flex flex-wrap gap-2">
                        <input id=reason_id name="reason" required maxlength="500" class=format!("{INPUT} min-w-0 flex-1") />
                        <button type="submit" class=DANGER data-testid="reject-return">"Reject"</button>
                    </div>
                    <p class=ERROR>{move || reject_errors.get().and_then(|e| e.field("reason"))}</p>
                </ActionForm>
            </div>
        }
        .into_any(),
        "approved" => view! {
            <ActionForm action=actions.receive attr:class="mt-3 flex flex-col gap-2 border-t border-stone-200 pt-3" attr:data-testid="receive-return-form">
                {hidden()}
                <FormAlert errors=receive_errors />
                <p class="text-sm text-stone-600">"When the parcel arrives, the items go back into stock."</p>
                <button type="submit" class=format!("{BUTTON} self-start") data-testid="receive-return">"Mark received"</button>
            </ActionForm>
        }
        .into_any(),
        "received" => view! {
            <ActionForm action=actions.refund_return attr:class="mt-3 flex flex-col gap-2 border-t border-stone-200 pt-3" attr:data-testid="refund-return-form">
                {hidden()}
                <FormAlert errors=refund_errors />
                <button type="submit" class=format!("{BUTTON} self-start") data-testid="refund-return">"Refund the returned items"</button>
            </ActionForm>
        }
        .into_any(),
        _ => ().into_any(),
    }
}
