//! The browser entry point: hydrate the server-rendered page.
// The whole app's view type is one nested type unless components are erased (`--cfg
// erase_components`, which every build here sets; a plain `cargo check` does not):
// hydrate_lazy's future over it needs a deeper query limit than the default 128.
#![recursion_limit = "256"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: a dashboard page's code (a lazy route, app/src/pages/lazy_routes.rs) is a chunk of its own
    // in the release build, and must arrive before its server-rendered HTML can be hydrated.
    leptos::mount::hydrate_lazy(app::App);
}
