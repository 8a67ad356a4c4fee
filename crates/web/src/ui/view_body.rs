//! Below the header: the notes and panels (Copy link, shortcuts, errors,
//! profiles, progress) and the current view, or what stands in for it
//! (the landing page, a hint, a reason, "Aggregating…").

use std::rc::Rc;

use yew::prelude::*;

use super::actions::Ui;
use super::compare;
use super::components::banner::ErrorBanner;
use super::components::flame_view::FlameView;
use super::components::graph_view::GraphView;
use super::components::labels_panel::LabelsPanel;
use super::components::landing::Landing;
use super::components::leaks_view::LeaksView;
use super::components::legend::Legend;
use super::components::peek_view::PeekView;
use super::components::profiles::ProfilesPanel;
use super::components::progress::ProgressBar;
use super::components::shortcuts::ShortcutsPanel;
use super::components::source_view::SourceView;
use super::components::top_table::TopTable;
use super::js_regex::Matcher;
use super::model::Action;
use crate::protocol::{Stage, ViewData};
use crate::query::View;

fn legend_lines(lines: &[String]) -> Vec<AttrValue> {
    lines.iter().map(|l| AttrValue::from(l.clone())).collect()
}

impl Ui {
    /// The notes and panels above the view.
    pub fn panels(&self) -> Html {
        let m = &self.model;
        let help = self.help.clone();
        let on_close_help = Callback::from(move |()| help.set(false));
        let profiles = m.loaded.as_ref().filter(|l| l.profiles.len() >= 2);
        html! {
            <>
                { self.share_panel() }
                { self.symbolized_note() }
                if *self.help {
                    <ShortcutsPanel on_close={on_close_help} />
                }
                if let Some(message) = &m.error {
                    <ErrorBanner message={message.clone()} on_dismiss={self.dispatch(|| Action::Dismiss)} />
                }
                if let Some(l) = profiles {
                    <ProfilesPanel profiles={l.profiles.clone()} on_choose={self.on_choose()}
                                   setup={compare::resolve(&m.query, &l.profiles).unwrap_or(l.setup)} />
                }
                if let (true, Some(data)) = (m.labels_open, &m.labels) {
                    <LabelsPanel data={data.clone()} filters={m.query.report.filters.clone()}
                                 on_filters={self.set(|q, f| q.report.filters = f)}
                                 on_close={self.dispatch(|| Action::ToggleLabels)} />
                }
                if let Some(l) = &m.loading {
                    <ProgressBar file_name={l.file_name.clone()} stage={l.stage} done={l.done} total={l.total}
                                 on_cancel={self.dispatch(|| Action::Cancel)} />
                }
            </>
        }
    }

    /// How the shown profiles were symbolized: the binaries, and per
    /// mapping what named it or why nothing did; beside it, the download of
    /// the symbolized profile (here rather than in the header, which would
    /// wrap to a third row).
    fn symbolized_note(&self) -> Html {
        let Some(s) = self.model.shown_symbolization() else { return Html::default() };
        let several = s.reports.len() > 1;
        html! {
            <div class="banner symbolized">
                <details data-testid="symbolized-note">
                    <summary class="banner-text">{ s.headline() }</summary>
                    <ul class="symbolize-report">
                        { for s.reports.iter().flat_map(|(name, lines, _)| lines.iter().map(move |line| {
                            let text = if several { format!("{name}: {line}") } else { line.clone() };
                            html! { <li>{ text }</li> }
                        })) }
                    </ul>
                </details>
                <button class="button" data-testid="download-symbolized" onclick={self.on_download_symbolized()}
                        title="Save the symbolized profile (gzip profile.proto, readable by go tool pprof)">
                    { "Download symbolized profile" }
                </button>
            </div>
        }
    }

    /// What "Copy link" made, or why it made nothing.
    fn share_panel(&self) -> Html {
        let Some(note) = &*self.share_note else { return Html::default() };
        let share_note = self.share_note.clone();
        let on_close = Callback::from(move |_: MouseEvent| share_note.set(None));
        html! {
            <div class="banner share" role="status" data-testid="share-note">
                { match note {
                    Ok(url) => html! {
                        <>
                            <span class="banner-text">{ "Link copied. It carries the profile itself; nothing is uploaded." }</span>
                            <input class="share-link" readonly=true value={url.clone()} data-testid="share-link"
                                   aria-label="The link" />
                        </>
                    },
                    Err(why) => html! { <span class="banner-text" data-testid="share-refused">{ why.clone() }</span> },
                } }
                <button class="banner-close" onclick={on_close} aria-label="Close">{ "×" }</button>
            </div>
        }
    }

    /// The current view, or what stands in for it.
    pub fn body(&self) -> Html {
        let m = &self.model;
        let Some(loaded) = &m.loaded else { return self.landing() };
        let q = &m.query;
        if q.view == View::Leaks && !m.leaks_available() {
            return html! {
                <p class="empty-note" data-testid="leaks-hint">
                    { "Leaks compares two or more heap profiles: drop several heap snapshots together, or add one with “Compare with…”." }
                </p>
            };
        }
        if let Some(data) = m.data.as_deref() {
            if let Some(view) = self.view(data) {
                return view;
            }
        }
        if let Some(why) = &loaded.stopped {
            return html! { <p class="empty-note" data-testid="view-stopped">{ why.clone() }</p> };
        }
        if m.awaited.is_none() && q.view == View::Source && q.selection.is_empty() && m.search.is_empty() {
            return html! {
                <p class="empty-note" data-testid="source-hint">
                    { "Select functions (click them in Top, Graph or Flame Graph) or type a regexp in Search to see their source lines." }
                </p>
            };
        }
        if let Some(why) = m.view_error.as_ref().filter(|_| m.awaited.is_none()) {
            return html! {
                <p class="empty-note" data-testid="view-error">{ format!("This view cannot be shown: {why}") }</p>
            };
        }
        html! {
            <div class="progress" data-testid="aggregating" data-stage="Aggregating">{ Stage::Aggregate.label() }{ " …" }</div>
        }
    }

    /// Before any profile: the landing page (with what to drop again to
    /// restore a comparison the URL names).
    fn landing(&self) -> Html {
        if self.model.loading.is_some() {
            return Html::default();
        }
        let missing = compare::missing(&self.model.query, &[]);
        html! {
            <>
                if !missing.is_empty() {
                    <p class="restore-hint" data-testid="restore-hint">
                        { format!("Drop {} again to restore this comparison.", missing.join(" and ")) }
                    </p>
                }
                <Landing on_sample={self.on_sample()} />
            </>
        }
    }

    /// The view for its data; None when the data is another view's.
    fn view(&self, data: &ViewData) -> Option<Html> {
        let m = &self.model;
        let q = &m.query;
        let f = &q.report.filters;
        let labels_compared = (!f.tag_base.is_empty())
            .then(|| format!("Comparing the samples of {} with base {} (labels)", f.tag_focus, f.tag_base));
        let comparison = m
            .loaded
            .as_ref()
            .and_then(|l| compare::describe(&l.setup, &l.profiles))
            .or(labels_compared)
            .map(AttrValue::from);
        let search = Matcher::new(&m.search);
        let (selected, on_select) = (m.selected.clone(), self.on_select());
        let (legend, view) = match (data, q.view) {
            (ViewData::Top(t), View::Top) => (
                legend_lines(&t.legend),
                html! {
                    <TopTable rows={m.rows.clone()} sort={q.report.sort} on_sort={self.on_sort()}
                              diff={comparison.is_some()} {selected} {on_select} />
                },
            ),
            (ViewData::Graph(g), View::Graph) => (
                legend_lines(&g.legend),
                html! {
                    <GraphView data={Rc::new(g.clone())} {selected} {search} {on_select} />
                },
            ),
            (ViewData::Flame(f), View::Flame) => (
                legend_lines(&f.legend),
                html! {
                    <FlameView data={Rc::new(f.clone())} {search} {selected} {on_select}
                               on_action={self.on_flame_action()} pivot={AttrValue::from(q.pivot.clone())}
                               colorblind={q.colorblind} on_palette={self.set(|q, on| q.colorblind = on)}
                               on_zoom={self.on_flame_zoom()} />
                },
            ),
            (ViewData::Peek(p), View::Peek) => {
                (legend_lines(&p.legend), html! { <PeekView data={Rc::new(p.clone())} {on_select} /> })
            }
            (ViewData::Source(s), View::Source) => (
                Vec::new(),
                html! {
                    <SourceView data={Rc::new(s.clone())} texts={m.sources.clone()} on_files={self.on_source_files()}
                                on_binaries={self.on_binaries_input()} />
                },
            ),
            (ViewData::Leaks(l), View::Leaks) => {
                return Some(html! {
                    <main class="view-top"><LeaksView data={Rc::new(l.clone())} on_open={self.on_leak()} /></main>
                })
            }
            _ => return None,
        };
        // Source has no legend of its own, only the comparison's line.
        let show_legend = !legend.is_empty() || comparison.is_some();
        Some(html! {
            <main class="view-top">
                if show_legend {
                    <Legend lines={legend} compare={comparison} />
                }
                { view }
            </main>
        })
    }
}
