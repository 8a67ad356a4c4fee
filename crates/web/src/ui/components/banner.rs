//! The error banner: one clear message, dismissable.

use yew::prelude::*;

/// Properties of [`ErrorBanner`].
#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    /// What went wrong.
    pub message: AttrValue,
    /// Called when the user closes the banner.
    pub on_dismiss: Callback<()>,
}

/// Shows an error above the current view, which stays usable.
#[function_component(ErrorBanner)]
pub fn error_banner(props: &ErrorBannerProps) -> Html {
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="banner error" role="alert" data-testid="error-banner">
            <span class="banner-text">{ props.message.clone() }</span>
            <button class="banner-close" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
