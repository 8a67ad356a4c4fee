//! The analyzer page: the model, the hooks that keep it in step with the
//! URL, the worker, the loads and the keyboard, and the view.

use yew::prelude::*;

use super::actions::Ui;
use super::embed::EmbedRef;
use super::embed_bridge::use_embed_bridge;
use super::fragment_sync::{current_fragment, use_fragment_sync};
use super::loading::use_initial_load;
use super::model::Model;
use super::requests::use_report_requests;
use super::shortcuts::use_app_shortcuts;
use super::theme::use_theme;
use crate::fragment;

/// The analyzer page. Embedded in another page (see crate::ui::embed), its
/// state stays inside; on its own page, it lives in the URL fragment.
#[function_component(App)]
pub fn app() -> Html {
    let embed = use_context::<EmbedRef>().map(|e| e.0);
    let model = {
        let initial = embed.as_ref().map(|e| e.initial.clone());
        use_reducer(move || Model {
            query: initial.unwrap_or_else(|| fragment::parse(&current_fragment())),
            ..Model::default()
        })
    };
    let set_query = use_fragment_sync(&model, embed.is_some());
    use_initial_load(&model, embed.clone());
    use_report_requests(&model);
    let ui = Ui {
        theme: use_theme(embed.as_ref().and_then(|e| e.host.clone())),
        help: use_state(|| false),
        share_note: use_state(|| None),
        search_timer: use_mut_ref(|| None),
        model,
        set_query,
        embed,
    };
    use_embed_bridge(&ui);
    use_app_shortcuts(&ui);
    // A link made for the previous profile carries that profile: it goes
    // when another is shown.
    {
        let share_note = ui.share_note.clone();
        let generation = ui.model.loaded.as_ref().map(|l| l.generation);
        use_effect_with(generation, move |_| share_note.set(None));
    }
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    html! {
        <div class={classes!("app", ui.embed.is_some().then_some("embedded"))} ondrop={ui.on_drop()}
             ondragover={on_drag_over} data-testid="dropzone">
            { ui.header() }
            { ui.panels() }
            { ui.body() }
        </div>
    }
}
