//! The empty page: what proflens is, how to load a profile, and a sample.

use yew::prelude::*;

/// Properties of [`Landing`].
#[derive(Properties, PartialEq)]
pub struct LandingProps {
    /// Loads the bundled sample profile.
    pub on_sample: Callback<()>,
}

/// Shown until a profile is loaded.
#[function_component(Landing)]
pub fn landing(props: &LandingProps) -> Html {
    let sample = props.on_sample.reform(|_: MouseEvent| ());
    html! {
        <main class="landing">
            <h1>{ "Drop a pprof profile anywhere on this page" }</h1>
            <p>
                { "A " }<code>{ ".pb.gz" }</code>{ " or raw profile.proto, e.g. fetched from a Go service's " }
                <code>{ "/debug/pprof/heap" }</code>{ ". It is analysed in this tab; nothing is uploaded." }
            </p>
            <p class="hint" data-testid="text-formats">
                { "Also read: Go goroutine dumps (" }<code>{ "?debug=2" }</code>{ ", panics) and " }
                <code>{ "?debug=1" }</code>{ " text, " }<code>{ "perf script" }</code>
                { " output and collapsed stacks." }
            </p>
            <p class="hint" data-testid="symbolize-hint">
                { "Addresses without names? Drop the profile together with the binary it came from (or its debug file) to name them, here in the tab." }
            </p>
            <p class="landing-actions">
                <label class="button primary" for="file-input">{ "Open a profile…" }</label>
                <button class="button" data-testid="try-sample" onclick={sample}>{ "Try a sample" }</button>
            </p>
            <p class="hint">
                { "Or link to one: " }<code>{ "?url=https://service/debug/pprof/heap" }</code>
                { " (the server must allow CORS)." }
            </p>
        </main>
    }
}
