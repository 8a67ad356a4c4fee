//! The Source view: per-line costs of the selected functions. Source text
//! shows beside the costs once the user gives the files (dropped, picked,
//! or a folder), matched to the profile's paths by their longest common
//! suffix; without it, the sampled lines are listed with a hint.

use std::collections::HashMap;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::protocol::SourceData;

/// Source files the user gave: path (as the browser names it) to lines.
pub type SourceTexts = Rc<HashMap<String, Rc<Vec<String>>>>;

/// The given file whose path best matches `profile_path`: the longest
/// common run of trailing path components, at least the file name.
pub fn match_source<'a>(
    texts: &'a HashMap<String, Rc<Vec<String>>>,
    profile_path: &str,
) -> Option<&'a Rc<Vec<String>>> {
    let want: Vec<&str> = profile_path.rsplit('/').filter(|s| !s.is_empty()).collect();
    texts
        .iter()
        .map(|(path, lines)| {
            let have = path.rsplit('/').filter(|s| !s.is_empty());
            let common = have.zip(&want).take_while(|(a, b)| a == *b).count();
            (common, std::cmp::Reverse(path.len()), path, lines)
        })
        .filter(|(common, ..)| *common > 0)
        .max_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)))
        .map(|(_, _, _, lines)| lines)
}

/// Properties of [`SourceView`].
#[derive(Properties, PartialEq)]
pub struct SourceViewProps {
    /// Per-line costs.
    pub data: Rc<SourceData>,
    /// Source files given so far.
    pub texts: SourceTexts,
    /// Called with files the user picked.
    pub on_files: Callback<web_sys::FileList>,
    /// Called when the user picks binaries (to name the profile's addresses).
    pub on_binaries: Callback<Event>,
}

/// Per-line costs, with the source when available.
#[function_component(SourceView)]
pub fn source_view(props: &SourceViewProps) -> Html {
    let on_files = props.on_files.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(files) = input.files() {
            on_files.emit(files);
        }
    });
    let on_folder = props.on_files.clone();
    let onchange_folder = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(files) = input.files() {
            on_folder.emit(files);
        }
    });
    html! {
        <div class="table-scroller source" data-testid="source-view">
            <div class="source-tools">
                <label class="button">{ "Add source files…" }
                    <input type="file" multiple=true class="visually-hidden" data-testid="source-files" {onchange} />
                </label>
                <label class="button">{ "Add a source folder…" }
                    <input type="file" webkitdirectory=true class="visually-hidden" data-testid="source-folder"
                           onchange={onchange_folder} />
                </label>
                <label class="button" title="Name the profile's addresses from the binaries it came from">{ "Add binaries…" }
                    <input type="file" multiple=true class="visually-hidden" data-testid="source-binaries"
                           onchange={props.on_binaries.clone()} />
                </label>
                if props.texts.is_empty() {
                    <span class="hint">{ "No source files yet: lines show their numbers and costs. Drop or pick the files to see the code." }</span>
                }
            </div>
            { for props.data.no_source.iter().map(|f| html! {
                <p class="hint">{ format!("No source information for {f}") }</p>
            }) }
            { for props.data.files.iter().map(|file| {
                let text = match_source(&props.texts, &file.file);
                let costs: HashMap<i64, &crate::protocol::SourceLine> = file.lines.iter().map(|l| (l.line, l)).collect();
                let numbers: Vec<i64> = match text {
                    Some(t) => (file.start..=file.end).take_while(|&n| n >= 1 && (n as usize) <= t.len()).collect(),
                    None => file.lines.iter().map(|l| l.line).collect(),
                };
                html! {
                    <section class="routine" data-file={file.file.clone()}>
                        <h3 class="routine-head">{ format!("{} in {}", file.function, file.file) }
                            <span class="routine-total">{ format!("{} flat, {} cum, {} of total", file.flat, file.cum, file.cum_pct) }</span>
                        </h3>
                        <table class="source-lines">
                            <tbody>
                            { for numbers.iter().map(|&n| {
                                let cost = costs.get(&n);
                                let code = text.and_then(|t| t.get((n - 1) as usize)).cloned().unwrap_or_default();
                                html! {
                                    <tr class={classes!(cost.is_some().then_some("hot"))} data-line={n.to_string()}>
                                        <td class="num">{ cost.map_or(".", |c| c.flat.as_str()) }</td>
                                        <td class="num">{ cost.map_or(".", |c| c.cum.as_str()) }</td>
                                        <td class="lineno">{ n }</td>
                                        <td class="code"><pre>{ code }</pre></td>
                                    </tr>
                                }
                            }) }
                            </tbody>
                        </table>
                    </section>
                }
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_match_by_path_suffix() {
        let mut texts = HashMap::new();
        texts.insert("leak/main.go".to_string(), Rc::new(vec!["package main".to_string()]));
        texts.insert("other/main.go".to_string(), Rc::new(vec!["package other".to_string()]));
        texts.insert("util.go".to_string(), Rc::new(vec![]));
        let found = match_source(&texts, "gen/leak/main.go").unwrap();
        assert_eq!(found[0], "package main");
        assert!(match_source(&texts, "x/y/none.go").is_none());
    }
}
