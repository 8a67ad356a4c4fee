//! The loaded profiles, when there are several: which one is shown (the
//! source), which is subtracted from it (the base), and how.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::protocol::{BaseMode, Setup, Summary};

/// A choice made in the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileChoice {
    /// Show this profile.
    Source(u32),
    /// Subtract this profile, or none.
    Base(Option<u32>),
    /// Subtract as `-base` (true) or `-diff_base` (false).
    Subtract(bool),
    /// Scale the source to the base (`-normalize`).
    Normalize(bool),
}

/// Properties of [`ProfilesPanel`].
#[derive(Properties, PartialEq)]
pub struct ProfilesPanelProps {
    /// The loaded profiles, in load order.
    pub profiles: Rc<Vec<Summary>>,
    /// What is shown.
    pub setup: Setup,
    /// Called with the user's choice.
    pub on_choose: Callback<ProfileChoice>,
}

/// A profile's time as the browser writes local times ("" if unknown).
fn local_time(nanos: i64) -> String {
    if nanos == 0 {
        return String::new();
    }
    let date = js_sys::Date::new(&((nanos / 1_000_000) as f64).into());
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// The profiles panel.
#[function_component(ProfilesPanel)]
pub fn profiles_panel(props: &ProfilesPanelProps) -> Html {
    let choose = |choice: ProfileChoice| {
        let on_choose = props.on_choose.clone();
        Callback::from(move |_: Event| on_choose.emit(choice))
    };
    let on_mode = {
        let on_choose = props.on_choose.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on_choose.emit(ProfileChoice::Subtract(select.value() == "subtract"));
            }
        })
    };
    let on_normalize = {
        let on_choose = props.on_choose.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                on_choose.emit(ProfileChoice::Normalize(input.checked()));
            }
        })
    };
    let setup = props.setup;
    let has_base = setup.base.is_some();
    html! {
        <section class="profiles" aria-label="Loaded profiles" data-testid="profiles">
            <table class="profiles-table">
                <thead>
                    <tr>
                        <th scope="col">{ "Profile" }</th>
                        <th scope="col">{ "Time" }</th>
                        <th scope="col">{ "Sample types" }</th>
                        <th scope="col" class="pick">{ "Show" }</th>
                        <th scope="col" class="pick">{ "Base" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for props.profiles.iter().map(|p| {
                        let is_source = p.id == setup.source;
                        let is_base = setup.base == Some(p.id);
                        let types = p.sample_types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
                        html! {
                            <tr data-profile={p.file_name.clone()}
                                class={classes!(is_source.then_some("source"), is_base.then_some("base"))}>
                                <td class="name" title={p.file_name.clone()}>{ &p.file_name }</td>
                                <td class="time">{ local_time(p.time_nanos) }</td>
                                <td class="types" title={types.clone()}>{ types.clone() }</td>
                                <td class="pick">
                                    <input type="radio" name="profile-source" aria-label={format!("Show {}", p.file_name)}
                                           data-testid="pick-source" checked={is_source}
                                           onchange={choose(ProfileChoice::Source(p.id))} />
                                </td>
                                <td class="pick">
                                    <input type="radio" name="profile-base" aria-label={format!("Base {}", p.file_name)}
                                           data-testid="pick-base" checked={is_base} disabled={is_source}
                                           onchange={choose(ProfileChoice::Base(Some(p.id)))} />
                                </td>
                            </tr>
                        }
                    }) }
                    <tr class="no-base">
                        <td colspan="4" class="hint">{ "No base: show one profile as it is" }</td>
                        <td class="pick">
                            <input type="radio" name="profile-base" aria-label="No base" data-testid="pick-no-base"
                                   checked={!has_base} onchange={choose(ProfileChoice::Base(None))} />
                        </td>
                    </tr>
                </tbody>
            </table>
            <div class="profiles-options">
                <label class="control">
                    <span class="control-label">{ "Subtract as" }</span>
                    <select data-testid="compare-mode" aria-label="How the base is subtracted" onchange={on_mode}
                            disabled={!has_base}>
                        <option value="diff" selected={setup.mode == BaseMode::Diff}>{ "-diff_base (% of base)" }</option>
                        <option value="subtract" selected={setup.mode == BaseMode::Subtract}>{ "-base (% of result)" }</option>
                    </select>
                </label>
                <label class="control">
                    <input type="checkbox" data-testid="compare-normalize" checked={setup.normalize}
                           disabled={!has_base} onchange={on_normalize} />
                    <span>{ "Normalize to the base's total" }</span>
                </label>
            </div>
        </section>
    }
}
