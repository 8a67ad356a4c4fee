//! Light and dark themes. The page follows the system's preference unless
//! the user picks one; the choice is kept in localStorage and applied as
//! `data-theme` on the root element, which the stylesheet keys its colours on.

/// The user's choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

const STORAGE_KEY: &str = "proflens.theme";

impl Theme {
    /// The value stored and set as `data-theme`.
    pub fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn parse(name: &str) -> Theme {
        match name {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The next choice of the toggle: system, dark, light, system...
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::System,
        }
    }

    /// The toggle's label.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored choice (System when none, or when storage is unavailable).
pub fn stored() -> Theme {
    storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).map_or(Theme::System, |n| Theme::parse(&n))
}

/// Applies `theme` to `target` (an embedded analyzer's host element), else
/// to the page's root element, and remembers it.
pub fn apply(theme: Theme, target: Option<&web_sys::Element>) {
    let root = match target {
        Some(t) => Some(t.clone()),
        None => web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()),
    };
    if let Some(root) = root {
        let _ = root.set_attribute("data-theme", theme.name());
    }
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, theme.name());
    }
}

/// The theme's state, applied to `host` (an embedded analyzer's host
/// element) or else the page's root element whenever it changes.
#[yew::hook]
pub fn use_theme(host: Option<web_sys::Element>) -> yew::UseStateHandle<Theme> {
    let theme = yew::use_state(stored);
    yew::use_effect_with(*theme, move |t| apply(*t, host.as_ref()));
    theme
}
