//! The keyboard shortcuts panel (`?`).

use yew::prelude::*;

use crate::ui::keyboard::HELP;

/// Props of [`ShortcutsPanel`].
#[derive(Properties, PartialEq)]
pub struct ShortcutsPanelProps {
    /// Closes the panel.
    pub on_close: Callback<()>,
}

/// A dialog listing every shortcut.
#[function_component(ShortcutsPanel)]
pub fn shortcuts_panel(props: &ShortcutsPanelProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="dialog-backdrop" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                 data-testid="shortcuts" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                <table class="shortcuts">
                    <tbody>
                        { for HELP.iter().map(|(key, what)| html! {
                            <tr><th scope="row"><kbd>{ *key }</kbd></th><td>{ *what }</td></tr>
                        }) }
                    </tbody>
                </table>
                <button class="button" onclick={close} aria-label="Close the shortcuts">{ "Close" }</button>
            </div>
        </div>
    }
}
