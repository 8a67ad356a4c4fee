//! pprof's legend: file, type, time, duration, what is shown and dropped.

use yew::prelude::*;

/// Properties of [`Legend`].
#[derive(Properties, PartialEq)]
pub struct LegendProps {
    /// The report's header lines, as pprof prints them.
    pub lines: Vec<AttrValue>,
}

/// The report's header lines.
#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    html! {
        <section class="legend" aria-label="Legend" data-testid="legend">
            { for props.lines.iter().map(|l| html! { <div class="legend-line">{ l.clone() }</div> }) }
        </section>
    }
}
