//! Named configurations, as pprof's Config menu has: the view, sample type
//! and filters saved under a name in localStorage, to apply later.

use yew::prelude::*;

const STORAGE_KEY: &str = "proflens.configs";

/// A saved configuration: a name and a view-state fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// What the user called it.
    pub name: String,
    /// The view state, as the URL fragment writes it.
    pub fragment: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved configurations: one a line, name and fragment split by a tab.
pub fn load() -> Vec<Config> {
    let text = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(name, fragment)| Config { name: name.to_string(), fragment: fragment.to_string() })
        .collect()
}

fn store(configs: &[Config]) {
    let text: String = configs.iter().map(|c| format!("{}\t{}\n", c.name, c.fragment)).collect();
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, &text);
    }
}

/// Adds or replaces `config` by name; names are cleaned of tabs and newlines.
pub fn save(mut configs: Vec<Config>, name: &str, fragment: &str) -> Vec<Config> {
    let name: String = name.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if name.is_empty() {
        return configs;
    }
    configs.retain(|c| c.name != name);
    configs.push(Config { name, fragment: fragment.to_string() });
    configs
}

/// Props of [`ConfigMenu`].
#[derive(Properties, PartialEq)]
pub struct ConfigMenuProps {
    /// The current view state (without the selection).
    pub fragment: AttrValue,
    /// Applies a saved fragment.
    pub on_apply: Callback<String>,
}

/// The Config menu: save the current settings, apply or delete saved ones.
#[function_component(ConfigMenu)]
pub fn config_menu(props: &ConfigMenuProps) -> Html {
    let configs = use_state(load);
    let name = use_node_ref();
    let on_save = {
        let (configs, name, fragment) = (configs.clone(), name.clone(), props.fragment.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(input) = name.cast::<web_sys::HtmlInputElement>() {
                let next = save((*configs).clone(), &input.value(), &fragment);
                store(&next);
                configs.set(next);
                input.set_value("");
            }
        })
    };
    html! {
        <details class="refine" data-testid="configs">
            <summary class="button">{ "Config" }</summary>
            <div class="refine-menu config-menu">
                <form onsubmit={on_save}>
                    <input ref={name} type="text" placeholder="Name" aria-label="Config name" data-testid="config-name" />
                    <button class="button" type="submit" data-testid="config-save">{ "Save" }</button>
                </form>
                if configs.is_empty() {
                    <p class="hint">{ "Save the view, sample type and filters under a name." }</p>
                }
                <ul class="config-list">
                    { for configs.iter().map(|c| {
                        let apply = {
                            let (on_apply, fragment) = (props.on_apply.clone(), c.fragment.clone());
                            Callback::from(move |_: MouseEvent| on_apply.emit(fragment.clone()))
                        };
                        let delete = {
                            let (configs, name) = (configs.clone(), c.name.clone());
                            Callback::from(move |_: MouseEvent| {
                                let next: Vec<Config> = configs.iter().filter(|c| c.name != name).cloned().collect();
                                store(&next);
                                configs.set(next);
                            })
                        };
                        html! {
                            <li data-config={c.name.clone()}>
                                <button class="button" onclick={apply} title={c.fragment.clone()}>{ &c.name }</button>
                                <button class="button" onclick={delete} aria-label={format!("Delete {}", c.name)}>{ "×" }</button>
                            </li>
                        }
                    }) }
                </ul>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_replaces_by_name_and_cleans_names() {
        let c = save(Vec::new(), " heap view ", "top?si=alloc_space");
        let c = save(c, "heap view", "graph?si=inuse_space");
        let c = save(c, "x\ty", "top");
        let c = save(c, "   ", "top");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], Config { name: "heap view".into(), fragment: "graph?si=inuse_space".into() });
        assert_eq!(c[1].name, "xy");
    }
}
