//! The header row of the dashboard's tables, written once: every list reads the same and a new list
//! does not copy the markup. A column's classes say its alignment and from which width it shows.
use leptos::prelude::*;

/// A header row inside a card's full-bleed table (a rule under it).
pub const HEAD_RULED: &str = "border-b border-stone-200 text-xs uppercase tracking-wide text-stone-500";
/// A header row of a table set inside a section's text.
pub const HEAD_PLAIN: &str = "text-xs uppercase tracking-wide text-stone-500";

/// One header cell: what it says and its classes.
#[derive(Clone, Copy, Debug)]
pub struct Col {
    label: &'static str,
    class: &'static str,
    /// Said to screen readers only (a row's action buttons need no visible heading).
    unseen: bool,
}

impl Col {
    pub const fn new(label: &'static str, class: &'static str) -> Col {
        Col { label, class, unseen: false }
    }

    pub const fn unseen(label: &'static str, class: &'static str) -> Col {
        Col { label, class, unseen: true }
    }
}

#[component]
pub fn TableHead(cols: Vec<Col>, #[prop(default = HEAD_PLAIN)] class: &'static str) -> impl IntoView {
    view! {
        <thead class=class>
            <tr>
                {cols
                    .into_iter()
                    .map(|c| {
                        let label = if c.unseen {
                            view! { <span class="sr-only">{c.label}</span> }.into_any()
                        } else {
                            c.label.into_any()
                        };
                        view! { <th scope="col" class=c.class>{label}</th> }
                    })
                    .collect_view()}
            </tr>
        </thead>
    }
}

/// A table with its header row; `children` are its rows.
#[component]
pub fn DataTable(
    cols: Vec<Col>,
    #[prop(default = HEAD_PLAIN)] head: &'static str,
    #[prop(default = "w-full text-left text-sm")] class: &'static str,
    #[prop(default = "divide-y divide-stone-100")] body: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <table class=class data-testid=testid>
            <TableHead cols class=head />
            <tbody class=body>{children()}</tbody>
        </table>
    }
}
