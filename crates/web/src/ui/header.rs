//! The page's header bar: open and compare, the sample and granularity
//! menus, search, Refine, configs, Copy link, the view tabs, theme and
//! help.

use yew::prelude::*;

use super::actions::Ui;
use super::components::configs::ConfigMenu;
use super::components::sample_menu::SampleMenu;
use super::fragment_sync::fragment_href;
use super::model::Action;
use super::refine::Refine;
use super::theme::Theme;
use crate::fragment;
use crate::query::{sample_position, View, GRANULARITIES};

impl Ui {
    /// The header bar.
    pub fn header(&self) -> Html {
        let m = &self.model;
        let help = self.help.clone();
        let theme = self.theme.clone();
        let on_theme = Callback::from(move |_: MouseEvent| theme.set(theme.next()));
        let icon = match *self.theme {
            Theme::Dark => "☾",
            Theme::Light => "☀",
            Theme::System => "◐",
        };
        html! {
            <header class="bar">
                <span class="brand">{ "proflens" }</span>
                if let Some(l) = &m.loaded {
                    <span class="file" title={l.summary.file_name.clone()}>{ &l.summary.file_name }</span>
                }
                <label class="button" for="file-input">{ "Open…" }</label>
                <input id="file-input" type="file" class="visually-hidden" data-testid="file-input" multiple=true
                       onchange={self.on_file_input()} />
                if m.loaded.is_some() {
                    <label class="button" for="compare-input" data-testid="compare-with"
                           title="Add profiles to compare with: the first becomes the base">{ "Compare with…" }</label>
                    <input id="compare-input" type="file" class="visually-hidden" data-testid="compare-input"
                           multiple=true onchange={self.on_compare_input()} />
                    <label class="button" for="binaries-input" data-testid="add-binaries"
                           title="Name the profile's addresses from the binaries it came from (executables, shared libraries, debug files)">{ "Add binaries…" }</label>
                    <input id="binaries-input" type="file" class="visually-hidden" data-testid="binaries-input"
                           multiple=true onchange={self.on_binaries_input()} />
                    { self.controls() }
                }
                <button class="button icon" onclick={on_theme} data-testid="theme" aria-label={self.theme.label()}
                        title={self.theme.label()}>{ icon }</button>
                <button class="button icon" onclick={move |_: MouseEvent| help.set(true)}
                        aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{ "?" }</button>
            </header>
        }
    }

    /// The controls that need a profile.
    fn controls(&self) -> Html {
        let Some(l) = &self.model.loaded else { return Html::default() };
        let q = &self.model.query;
        let types = &l.summary;
        let selected = sample_position(&q.report.sample, &types.type_names(), types.default_index)
            .unwrap_or(types.default_index);
        let granularity = q.report.granularity.unwrap_or_default();
        html! {
            <>
                <SampleMenu types={types.sample_types.clone()} {selected}
                            on_select={self.set(|q, si: String| q.report.sample = si)} />
                <label class="control">
                    <span class="control-label">{ "Granularity" }</span>
                    <select data-testid="granularity" aria-label="Granularity" onchange={self.on_granularity()}>
                        { for GRANULARITIES.iter().map(|g| html! {
                            <option value={g.name()} selected={*g == granularity}>{ g.name() }</option>
                        }) }
                    </select>
                </label>
                <input type="search" class="search" placeholder="Search (regexp)" aria-label="Search"
                       data-testid="search" oninput={self.on_search_input()} onkeydown={self.on_search_key()} />
                { self.refine_menu() }
                <button class={classes!("button", self.model.labels_open.then_some("active"))} data-testid="labels-toggle"
                        aria-pressed={self.model.labels_open.to_string()} onclick={self.dispatch(|| Action::ToggleLabels).reform(|_: MouseEvent| ())}
                        title="Labels: the samples' labels, to focus on, ignore or group by">{ "Labels" }</button>
                <ConfigMenu fragment={AttrValue::from(fragment::write(&q.for_config()))} on_apply={self.on_config()} />
                if self.embed.is_none() {
                    <button class="button" onclick={self.on_share()} data-testid="share">{ "Copy link" }</button>
                }
                <nav class="views" aria-label="Views">{ self.view_tabs() }</nav>
            </>
        }
    }

    fn refine_menu(&self) -> Html {
        let regex = self.refine_regex();
        html! {
            <details class="refine" data-testid="refine">
                <summary class="button">{ "Refine" }</summary>
                <div class="refine-menu" role="menu">
                    { for Refine::ALL.iter().map(|&r| html! {
                        <button class="button" role="menuitem" data-refine={r.label()}
                                disabled={r != Refine::Reset && regex.is_empty()}
                                onclick={self.refine(r)}>{ r.label() }</button>
                    }) }
                    if regex.is_empty() {
                        <p class="hint">{ "Select functions or search to refine." }</p>
                    }
                </div>
            </details>
        }
    }

    /// The view tabs: links to the state with another view (Leaks only
    /// with two or more heap profiles).
    fn view_tabs(&self) -> Html {
        let q = &self.model.query;
        let leaks = self.model.leaks_available();
        let embedded = self.embed.is_some();
        let tabs = View::ALL.iter().filter(|&&v| v != View::Leaks || leaks).map(|&v| {
            let target = crate::query::Query { view: v, ..q.clone() };
            let active = v == q.view;
            let set_view = self.set(move |q, ()| q.view = v);
            let onclick = Callback::from(move |e: MouseEvent| {
                // Embedded, the host page's URL is not ours to change.
                if embedded {
                    e.prevent_default();
                    set_view.emit(());
                }
            });
            html! {
                <a class={classes!("view", active.then_some("active"))} href={fragment_href(&target)} {onclick}
                   aria-current={if active { "page" } else { "false" }} data-view={v.name()}>{ v.label() }</a>
            }
        });
        html! { <>{ for tabs }</> }
    }
}
