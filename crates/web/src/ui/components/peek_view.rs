//! The Peek view: each matched function with its callers above and callees
//! below, with pprof's columns.

use std::rc::Rc;

use yew::prelude::*;

use crate::protocol::{PeekData, PeekLink};

/// Properties of [`PeekView`].
#[derive(Properties, PartialEq)]
pub struct PeekViewProps {
    /// The report.
    pub data: Rc<PeekData>,
    /// Called with a function name when one is clicked.
    pub on_select: Callback<(String, bool)>,
}

fn link_row(l: &PeekLink, class: &'static str, on_select: &Callback<(String, bool)>) -> Html {
    let name = l.name.clone();
    let on_select = on_select.clone();
    let onclick = Callback::from(move |e: MouseEvent| on_select.emit((name.clone(), e.shift_key())));
    html! {
        <tr class={class}>
            <td class="num"></td><td class="num"></td><td class="num"></td><td class="num"></td><td class="num"></td>
            <td class="num">{ &l.value }</td><td class="num">{ &l.pct }</td>
            <td class="name"><a href="#" onclick={onclick.reform(|e: MouseEvent| { e.prevent_default(); e })}>
                { &l.name }</a>{ if l.inline { " (inline)" } else { "" } }</td>
        </tr>
    }
}

/// Callers and callees of the matched functions.
#[function_component(PeekView)]
pub fn peek_view(props: &PeekViewProps) -> Html {
    html! {
        <div class="table-scroller peek" data-testid="peek-view">
            <table class="top peek-table">
                <thead>
                    <tr>
                        <th class="num" scope="col">{ "Flat" }</th>
                        <th class="num" scope="col">{ "Flat%" }</th>
                        <th class="num" scope="col">{ "Sum%" }</th>
                        <th class="num" scope="col">{ "Cum" }</th>
                        <th class="num" scope="col">{ "Cum%" }</th>
                        <th class="num" scope="col">{ "Calls" }</th>
                        <th class="num" scope="col">{ "Calls%" }</th>
                        <th class="name" scope="col">{ "Context" }</th>
                    </tr>
                </thead>
                { for props.data.entries.iter().map(|e| html! {
                    <tbody class="peek-entry" data-name={e.name.clone()}>
                        { for e.callers.iter().map(|l| link_row(l, "caller", &props.on_select)) }
                        <tr class="focus-row">
                            <td class="num">{ &e.flat }</td><td class="num">{ &e.flat_pct }</td>
                            <td class="num">{ &e.sum_pct }</td><td class="num">{ &e.cum }</td>
                            <td class="num">{ &e.cum_pct }</td><td class="num"></td><td class="num"></td>
                            <td class="name"><strong>{ &e.name }</strong></td>
                        </tr>
                        { for e.callees.iter().map(|l| link_row(l, "callee", &props.on_select)) }
                    </tbody>
                }) }
            </table>
        </div>
    }
}
