//! The Labels panel: every label key of the profile with its values and
//! their share of the sample type (numeric keys as a histogram in their
//! unit), as core's label summary gives them. Clicking a value focuses on
//! it (tagfocus), alt-clicking ignores it (tagignore); "Group by" adds the
//! key to tagroot, so Top, Graph and Flame Graph split by it; keys can be
//! hidden (taghide). The active tag options show as removable chips.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::protocol::{LabelKeyData, LabelsData};
use crate::query::Filters;
use crate::ui::js_regex::escape;

/// Values listed per key before a search narrows them.
const SHOWN_VALUES: usize = 50;

/// Properties of [`LabelsPanel`].
#[derive(Properties, PartialEq)]
pub struct LabelsPanelProps {
    /// The keys and values.
    pub data: Rc<LabelsData>,
    /// The filters in force.
    pub filters: Filters,
    /// Called with the filters a click asks for.
    pub on_filters: Callback<Filters>,
    /// Closes the panel.
    pub on_close: Callback<()>,
}

/// The tag options as (pprof's name, value), for the chips.
fn tag_options(f: &Filters) -> [(&'static str, &str); 7] {
    [
        ("tagfocus", &f.tag_focus),
        ("tagignore", &f.tag_ignore),
        ("tagshow", &f.tag_show),
        ("taghide", &f.tag_hide),
        ("tagroot", &f.tag_root),
        ("tagleaf", &f.tag_leaf),
        ("tagbase", &f.tag_base),
    ]
}

/// `filters` without the tag option named `name`.
pub fn without_option(filters: &Filters, name: &str) -> Filters {
    let mut f = filters.clone();
    match name {
        "tagfocus" => f.tag_focus.clear(),
        "tagignore" => f.tag_ignore.clear(),
        "tagshow" => f.tag_show.clear(),
        "taghide" => f.tag_hide.clear(),
        "tagroot" => f.tag_root.clear(),
        "tagleaf" => f.tag_leaf.clear(),
        _ => f.tag_base.clear(),
    }
    f
}

/// `filters` with `key` added to tagroot, or taken out if it is there.
pub fn toggle_group_by(filters: &Filters, key: &str) -> Filters {
    let mut keys: Vec<&str> = filters.tag_root.split(',').filter(|k| !k.is_empty()).collect();
    if let Some(i) = keys.iter().position(|k| *k == key) {
        keys.remove(i);
    } else {
        keys.push(key);
    }
    Filters { tag_root: keys.join(","), ..filters.clone() }
}

/// `filters` with `key` hidden (an `^key$` alternative in taghide) or, if
/// hidden, shown again (its alternative removed; a hand-written tagshow or
/// taghide that hides it is dropped).
pub fn toggle_hidden(filters: &Filters, key: &str, hidden: bool) -> Filters {
    let term = format!("^{}$", escape(key));
    let mut f = filters.clone();
    let terms: Vec<&str> = filters.tag_hide.split('|').filter(|t| !t.is_empty()).collect();
    if !hidden {
        f.tag_hide = terms.into_iter().chain([term.as_str()]).collect::<Vec<_>>().join("|");
    } else if terms.contains(&term.as_str()) {
        f.tag_hide = terms.into_iter().filter(|t| *t != term).collect::<Vec<_>>().join("|");
    } else {
        f.tag_hide.clear();
        f.tag_show.clear();
    }
    f
}

/// `filters` focused on (or, with `ignore`, ignoring) the value whose tag
/// filter is `filter`.
pub fn pick_value(filters: &Filters, filter: &str, ignore: bool) -> Filters {
    let mut f = filters.clone();
    if ignore {
        f.tag_ignore = filter.to_string();
        if f.tag_focus == filter {
            f.tag_focus.clear();
        }
    } else {
        f.tag_focus = filter.to_string();
        if f.tag_ignore == filter {
            f.tag_ignore.clear();
        }
    }
    f
}

/// The Labels panel.
#[function_component(LabelsPanel)]
pub fn labels_panel(props: &LabelsPanelProps) -> Html {
    let search = use_state(String::new);
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                search.set(input.value());
            }
        })
    };
    let emit = |f: Filters| {
        let on_filters = props.on_filters.clone();
        Callback::from(move |_: MouseEvent| on_filters.emit(f.clone()))
    };
    let chips = tag_options(&props.filters).into_iter().filter(|(_, v)| !v.is_empty()).map(|(name, value)| {
        html! {
            <span class="chip" data-testid="tag-chip" data-option={name}>
                <span class="chip-text">{ format!("{name}={value}") }</span>
                <button class="chip-remove" aria-label={format!("Remove {name}")} data-testid="chip-remove"
                        onclick={emit(without_option(&props.filters, name))}>{ "×" }</button>
            </span>
        }
    });
    let needle = search.to_lowercase();
    let keys = props.data.keys.iter().map(|k| key_block(k, &needle, &props.filters, &props.on_filters));
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="labels-panel" aria-label="Labels" data-testid="labels-panel">
            <div class="labels-head">
                <strong>{ "Labels" }</strong>
                <span class="hint">{ "click a value to focus on it, alt-click to ignore it" }</span>
                <input type="search" class="search" placeholder="Search values" aria-label="Search label values"
                       data-testid="labels-search" value={(*search).clone()} oninput={on_search} />
                <button class="banner-close" onclick={on_close} aria-label="Close the Labels panel">{ "×" }</button>
            </div>
            <div class="chips" data-testid="tag-chips">{ for chips }</div>
            if props.data.keys.is_empty() {
                <p class="hint" data-testid="no-labels">{ "This profile's samples carry no labels." }</p>
            }
            <div class="label-keys">{ for keys }</div>
        </section>
    }
}

/// One key: its name and share, Group by and Hide, and its values.
fn key_block(k: &LabelKeyData, needle: &str, filters: &Filters, on_filters: &Callback<Filters>) -> Html {
    let emit = |f: Filters| {
        let on_filters = on_filters.clone();
        Callback::from(move |_: MouseEvent| on_filters.emit(f.clone()))
    };
    let grouped = filters.tag_root.split(',').any(|r| r == k.key);
    // With one of this key's values focused, the others can be its diff base.
    let focused_here = k.values.iter().any(|v| !v.filter.is_empty() && v.filter == filters.tag_focus);
    let matching: Vec<_> =
        k.values.iter().filter(|v| needle.is_empty() || v.text.to_lowercase().contains(needle)).collect();
    // Long lists show their heaviest values; search reaches the rest.
    let hidden_rows = matching.len().saturating_sub(SHOWN_VALUES) + k.more;
    let values = matching.into_iter().take(SHOWN_VALUES);
    let rows = values.map(|v| {
        let (focus, ignore) = (pick_value(filters, &v.filter, false), pick_value(filters, &v.filter, true));
        let on_pick = on_filters.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            on_pick.emit(if e.alt_key() { ignore.clone() } else { focus.clone() })
        });
        let active = !v.filter.is_empty() && filters.tag_focus == v.filter;
        let ignored = !v.filter.is_empty() && filters.tag_ignore == v.filter;
        let title = if v.filter.is_empty() {
            "pprof's tag filters cannot select this value".to_string()
        } else {
            format!("Focus on {} (alt-click: ignore)", v.filter)
        };
        let compare = (focused_here && !active && !v.filter.is_empty()).then(|| {
            let base = Filters { tag_base: v.filter.clone(), ..filters.clone() };
            let on_filters = on_filters.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_filters.emit(base.clone()));
            let title = format!("Compare {} with {} as the base, in the diff views", filters.tag_focus, v.filter);
            html! {
                <button class="button small vs" data-testid="label-compare" data-value={v.text.clone()} {title} {onclick}>
                    { "vs" }
                </button>
            }
        });
        html! {
            <li class="label-row">
                <button class={classes!("label-value", active.then_some("active"), ignored.then_some("ignored"))}
                        data-testid="label-value" data-key={k.key.clone()} data-value={v.text.clone()}
                        data-filter={v.filter.clone()} disabled={v.filter.is_empty()} {title} {onclick}>
                    <span class="label-bar" style={format!("width: {:.1}%", v.fraction * 100.0)}></span>
                    <span class="label-value-text">{ &v.text }</span>
                    <span class="num">{ &v.value_text }</span>
                    <span class="num pct">{ &v.percent }</span>
                </button>
                { for compare }
            </li>
        }
    });
    html! {
        <div class={classes!("label-key", k.hidden.then_some("hidden"))} data-testid="label-key" data-key={k.key.clone()}>
            <div class="label-key-head">
                <span class="label-key-name">{ &k.key }</span>
                <span class="num pct">{ &k.percent }</span>
                if k.numeric {
                    <span class="hint">{ format!("histogram, {}", k.unit) }</span>
                }
                <button class={classes!("button", "small", grouped.then_some("active"))} data-testid="group-by"
                        aria-pressed={grouped.to_string()} title="Group by this key in Top, Graph and Flame Graph (tagroot)"
                        onclick={emit(toggle_group_by(filters, &k.key))}>{ "Group by" }</button>
                <button class="button small" data-testid="hide-key"
                        title={if k.hidden { "Show this key's labels again" } else { "Hide this key's labels (taghide)" }}
                        onclick={emit(toggle_hidden(filters, &k.key, k.hidden))}>
                    { if k.hidden { "Show" } else { "Hide" } }
                </button>
            </div>
            <ul class="label-values">{ for rows }</ul>
            if hidden_rows > 0 {
                <p class="hint" data-testid="more-values">{ format!("{hidden_rows} lighter values not listed; search to find one") }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_edit_the_tag_options() {
        let f = Filters::default();
        let f = toggle_group_by(&f, "worker");
        let f = toggle_group_by(&f, "id");
        assert_eq!(f.tag_root, "worker,id");
        assert_eq!(toggle_group_by(&f, "worker").tag_root, "id");
        let f = toggle_hidden(&f, "a.b", false);
        let f = toggle_hidden(&f, "id", false);
        assert_eq!(f.tag_hide, "^a\\.b$|^id$");
        assert_eq!(toggle_hidden(&f, "a.b", true).tag_hide, "^id$");
        let f = pick_value(&f, "worker=^sort$", false);
        assert_eq!(f.tag_focus, "worker=^sort$");
        let f = pick_value(&f, "worker=^sort$", true);
        assert_eq!((f.tag_focus.as_str(), f.tag_ignore.as_str()), ("", "worker=^sort$"));
        assert_eq!(without_option(&f, "tagroot").tag_root, "");
    }
}
