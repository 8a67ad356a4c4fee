//! The Sample menu: every sample type of the profile.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::protocol::SampleType;

/// Properties of [`SampleMenu`].
#[derive(Properties, PartialEq)]
pub struct SampleMenuProps {
    /// The profile's sample types.
    pub types: Vec<SampleType>,
    /// The index shown.
    pub selected: usize,
    /// Called with the chosen type's name.
    pub on_select: Callback<String>,
}

/// A select listing the sample types, as pprof's Sample menu does.
#[function_component(SampleMenu)]
pub fn sample_menu(props: &SampleMenuProps) -> Html {
    let on_select = props.on_select.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
            on_select.emit(select.value());
        }
    });
    html! {
        <label class="control">
            <span class="control-label">{ "Sample" }</span>
            <select data-testid="sample-menu" aria-label="Sample type" {onchange}>
                { for props.types.iter().enumerate().map(|(i, t)| html! {
                    <option value={t.name.clone()} selected={i == props.selected}>
                        { format!("{} ({})", t.name, t.unit) }
                    </option>
                }) }
            </select>
        </label>
    }
}
