//! The Top view: Flat, Flat%, Sum%, Cum, Cum%, Name, Inlined?, virtualized
//! so that only the rows in view exist in the DOM (50k rows scroll freely).

use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use crate::protocol::TopRow;
use crate::query::SortKey;

/// Height of one row, in CSS pixels (styles.css uses the same).
pub const ROW_HEIGHT: f64 = 24.0;
/// Rows rendered beyond the visible ones, on each side.
const OVERSCAN: usize = 12;

/// Properties of [`TopTable`].
#[derive(Properties, PartialEq)]
pub struct TopTableProps {
    /// Rows in the worker's order (flat or cum, as the query asked).
    pub rows: Rc<Vec<TopRow>>,
    /// The order shown; Name is applied here.
    pub sort: SortKey,
    /// Called when a header is clicked.
    pub on_sort: Callback<SortKey>,
    /// Selected names.
    #[prop_or_default]
    pub selected: Rc<std::collections::BTreeSet<String>>,
    /// Called with a clicked row's name and whether to add to the selection.
    #[prop_or_default]
    pub on_select: Callback<(String, bool)>,
    /// A comparison: rows are coloured by the sign of their change.
    #[prop_or_default]
    pub diff: bool,
}

/// The class of a value in a diff: "grew" or "shrank" (None for zero or
/// outside a diff).
pub fn sign_class(diff: bool, value: i64) -> Option<&'static str> {
    match (diff, value.signum()) {
        (true, 1) => Some("grew"),
        (true, -1) => Some("shrank"),
        _ => None,
    }
}

/// The rows in display order: the worker's, or by name.
pub fn ordered(rows: &[TopRow], sort: SortKey) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    if sort == SortKey::Name {
        order.sort_by(|&a, &b| rows[a].name.cmp(&rows[b].name));
    }
    order
}

/// Which rows to render for a scroll position and viewport height.
pub fn visible_range(scroll_top: f64, viewport: f64, len: usize) -> std::ops::Range<usize> {
    let first = (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
    let count = (viewport / ROW_HEIGHT).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + count + OVERSCAN).min(len);
    start..end
}

/// The top table.
#[function_component(TopTable)]
pub fn top_table(props: &TopTableProps) -> Html {
    let scroller = use_node_ref();
    let scroll = use_state(|| (0.0f64, 800.0f64));
    let order = {
        let rows = props.rows.clone();
        use_memo((rows, props.sort), |(rows, sort)| ordered(rows, *sort))
    };
    let onscroll = {
        let scroller = scroller.clone();
        let scroll = scroll.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                scroll.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            }
        })
    };
    {
        // Measure the viewport once it exists.
        let scroller = scroller.clone();
        let scroll = scroll.clone();
        use_effect_with((), move |_| {
            if let Some(el) = scroller.cast::<Element>() {
                scroll.set((f64::from(el.scroll_top()), f64::from(el.client_height()).max(ROW_HEIGHT)));
            }
        });
    }
    let (scroll_top, viewport) = *scroll;
    let range = visible_range(scroll_top, viewport, order.len());
    let above = range.start as f64 * ROW_HEIGHT;
    let below = (order.len() - range.end) as f64 * ROW_HEIGHT;
    // `marked` is the one column that shows the sort arrow for its key.
    let header = |label: &'static str, key: SortKey, class: &'static str, marked: bool| {
        let on_sort = props.on_sort.clone();
        let active = props.sort == key && marked;
        let aria = if active { "descending" } else { "none" };
        html! {
            <th class={classes!(class, active.then_some("sorted"))} aria-sort={aria} scope="col"
                data-sort={key.name()} onclick={Callback::from(move |_: MouseEvent| on_sort.emit(key))}>
                { label }
            </th>
        }
    };
    html! {
        <div class="table-scroller" ref={scroller} {onscroll} data-testid="top-table" tabindex="0">
            <table class="top">
                <thead>
                    <tr>
                        { header("Flat", SortKey::Flat, "num", true) }
                        { header("Flat%", SortKey::Flat, "num", false) }
                        { header("Sum%", SortKey::Flat, "num", false) }
                        { header("Cum", SortKey::Cum, "num", true) }
                        { header("Cum%", SortKey::Cum, "num", false) }
                        { header("Name", SortKey::Name, "name", true) }
                        <th class="inl" scope="col">{ "Inlined?" }</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" style={format!("height: {above}px")}></tr>
                    { for order[range.clone()].iter().map(|&i| {
                        let r = &props.rows[i];
                        let selected = props.selected.contains(&r.name);
                        let name = r.name.clone();
                        let on_select = props.on_select.clone();
                        let onclick = Callback::from(move |e: MouseEvent| {
                            on_select.emit((name.clone(), e.shift_key() || e.ctrl_key() || e.meta_key()))
                        });
                        let (flat, cum) = (sign_class(props.diff, r.flat), sign_class(props.diff, r.cum));
                        let row_sign = if r.flat != 0 { flat } else { cum };
                        html! {
                            <tr key={i} data-row={i.to_string()} class={classes!(selected.then_some("selected"), row_sign)}
                                aria-selected={selected.to_string()} {onclick}>
                                <td class={classes!("num", flat)}>{ &r.flat_text }</td>
                                <td class={classes!("num", flat)}>{ &r.flat_pct }</td>
                                <td class="num">{ &r.sum_pct }</td>
                                <td class={classes!("num", cum)}>{ &r.cum_text }</td>
                                <td class={classes!("num", cum)}>{ &r.cum_pct }</td>
                                <td class="name" title={r.name.clone()}>{ &r.name }</td>
                                <td class="inl">{ &r.inline }</td>
                            </tr>
                        }
                    }) }
                    <tr class="spacer" style={format!("height: {below}px")}></tr>
                </tbody>
            </table>
            if props.rows.is_empty() {
                <p class="empty-note">{ "No samples match the current options." }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_rows_in_view_are_rendered() {
        assert_eq!(visible_range(0.0, 240.0, 50_000), 0..23);
        let r = visible_range(24.0 * 10_000.0, 240.0, 50_000);
        assert_eq!(r, 9_988..10_023);
        assert_eq!(visible_range(24.0 * 60_000.0, 240.0, 50_000), 50_000..50_000);
        assert_eq!(visible_range(0.0, 240.0, 3), 0..3);
    }
}
