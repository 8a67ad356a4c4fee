//! The Leaks view: allocation sites whose in-use memory grew across the
//! heap snapshots, with a sparkline per site, the reason for its rank, and
//! links to its chain in Graph, Flame Graph and Source.

use std::rc::Rc;

use yew::prelude::*;

use crate::protocol::{LeakData, LeakSuspect};
use crate::query::View;

/// A suspect to open in another view, comparing the newest snapshot with
/// the oldest.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakLink {
    /// The view to open.
    pub view: View,
    /// The allocating function.
    pub function: String,
    /// Its chain, leaf first.
    pub chain: Vec<String>,
    /// The oldest snapshot's file name (the base).
    pub oldest: String,
    /// The newest snapshot's file name (the source).
    pub newest: String,
}

/// Properties of [`LeaksView`].
#[derive(Properties, PartialEq)]
pub struct LeaksViewProps {
    /// The report.
    pub data: Rc<LeakData>,
    /// Called when a suspect's Graph, Flame or Source link is clicked.
    pub on_open: Callback<LeakLink>,
}

/// Width and height of a sparkline.
const SPARK: (f64, f64) = (96.0, 22.0);

/// The points of a sparkline of `values` (oldest first), scaled from zero
/// to the largest value.
pub fn sparkline_points(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len();
    let step = if n > 1 { (SPARK.0 - 4.0) / (n - 1) as f64 } else { 0.0 };
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let x = 2.0 + step * i as f64;
            let y = SPARK.1 - 2.0 - (v.max(0) as f64 / max) * (SPARK.1 - 4.0);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn sparkline(values: &[i64]) -> Html {
    let points = sparkline_points(values);
    let last = points.rsplit(' ').next().unwrap_or("0,0").to_string();
    let (lx, ly) = last.split_once(',').unwrap_or(("0", "0"));
    html! {
        <svg class="sparkline" width={SPARK.0.to_string()} height={SPARK.1.to_string()} role="img"
             aria-label="in-use bytes across the snapshots" data-testid="sparkline">
            <polyline points={points} fill="none" stroke="#c0392b" stroke-width="1.5" />
            <circle cx={lx.to_string()} cy={ly.to_string()} r="2" fill="#c0392b" />
        </svg>
    }
}

fn chain_text(chain: &[String]) -> String {
    chain.iter().skip(1).map(String::as_str).collect::<Vec<_>>().join(" ← ")
}

/// The Leaks view.
#[function_component(LeaksView)]
pub fn leaks_view(props: &LeaksViewProps) -> Html {
    let data = &props.data;
    let oldest = data.snapshots.first().map(|s| s.name.clone()).unwrap_or_default();
    let newest = data.snapshots.last().map(|s| s.name.clone()).unwrap_or_default();
    let link = |s: &LeakSuspect, view: View, label: &'static str| {
        let target = LeakLink {
            view,
            function: s.function.clone(),
            chain: s.chain.clone(),
            oldest: oldest.clone(),
            newest: newest.clone(),
        };
        let on_open = props.on_open.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            on_open.emit(target.clone());
        });
        html! { <button class="link" data-open={view.name()} {onclick}>{ label }</button> }
    };
    html! {
        <div class="leaks-view" data-testid="leaks-view">
            <section class="legend" aria-label="Snapshots">
                <div class="legend-line">
                    { format!("Leak suspects across {} heap snapshots, oldest first: ", data.snapshots.len()) }
                    { data.snapshots.iter().map(|s| format!("{} ({} in {} objects)", s.name, s.space, s.objects)).collect::<Vec<_>>().join(" → ") }
                </div>
                <div class="legend-line">{ &data.summary }</div>
            </section>
            if data.suspects.is_empty() {
                <p class="empty-note">{ "No allocation site grew between the snapshots: no suspects." }</p>
            } else {
                <div class="table-scroller">
                    <table class="leaks">
                        <thead>
                            <tr>
                                <th scope="col" class="num">{ "#" }</th>
                                <th scope="col">{ "Allocation site" }</th>
                                <th scope="col">{ "In use" }</th>
                                <th scope="col" class="num">{ "Bytes" }</th>
                                <th scope="col" class="num">{ "/min" }</th>
                                <th scope="col" class="num">{ "Share" }</th>
                                <th scope="col" class="num">{ "Objects" }</th>
                                <th scope="col">{ "Flags" }</th>
                                <th scope="col">{ "Open" }</th>
                            </tr>
                        </thead>
                        { for data.suspects.iter().map(|s| html! {
                            <tbody class="suspect" data-rank={s.rank.to_string()} data-function={s.function.clone()}>
                                <tr>
                                    <td class="num rank">{ s.rank }</td>
                                    <td class="site">
                                        <div class="function">{ &s.function }</div>
                                        <div class="chain" data-testid="chain" title={s.chain.join(" ← ")}>
                                            if s.chain.len() > 1 { { "← " }{ chain_text(&s.chain) } }
                                        </div>
                                    </td>
                                    <td>{ sparkline(&s.space) }</td>
                                    <td class="num grew">{ &s.space_growth }</td>
                                    <td class="num">{ &s.per_minute }</td>
                                    <td class="num">{ &s.share }</td>
                                    <td class="num" title={format!("rank {} by objects", s.objects_rank)}>{ &s.objects_growth }</td>
                                    <td class="flags">
                                        <span class="flag">{ &s.kind }</span>
                                        if s.monotonic { <span class="flag">{ "monotonic" }</span> }
                                        if s.new { <span class="flag">{ "new" }</span> }
                                    </td>
                                    <td class="open">
                                        { link(s, View::Graph, "Graph") }
                                        { link(s, View::Flame, "Flame") }
                                        { link(s, View::Source, "Source") }
                                    </td>
                                </tr>
                                <tr class="why"><td></td><td colspan="8" class="explanation">{ &s.explanation }</td></tr>
                            </tbody>
                        }) }
                    </table>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_rise_with_the_values() {
        assert_eq!(sparkline_points(&[0, 10]), "2.0,20.0 94.0,2.0");
        assert_eq!(sparkline_points(&[5]), "2.0,2.0");
        assert_eq!(sparkline_points(&[]), "");
        assert_eq!(chain_text(&["a".into(), "b".into(), "c".into()]), "b ← c");
    }
}
