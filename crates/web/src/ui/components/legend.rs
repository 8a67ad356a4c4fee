//! pprof's legend: file, type, time, duration, what is shown and dropped.

use yew::prelude::*;

/// Properties of [`Legend`].
#[derive(Properties, PartialEq)]
pub struct LegendProps {
    /// The report's header lines, as pprof prints them.
    pub lines: Vec<AttrValue>,
    /// The comparison shown, if any ("Comparing heap2.pb.gz with base …").
    #[prop_or_default]
    pub compare: Option<AttrValue>,
}

/// The report's header lines.
#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    html! {
        <section class="legend" aria-label="Legend" data-testid="legend">
            if let Some(compare) = &props.compare {
                <div class="legend-compare" data-testid="diff-legend">{ compare.clone() }</div>
            }
            { for props.lines.iter().map(|l| html! { <div class="legend-line">{ l.clone() }</div> }) }
        </section>
    }
}
