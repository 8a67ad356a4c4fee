//! An embedded analyzer's link with its host: the host's commands change
//! the state or load a profile; loads, errors and selections are reported
//! back (see embed.rs for the API).

use yew::prelude::*;

use super::actions::Ui;
use super::embed::{EmbedCommand, EmbedEvent};

/// Takes the host's commands and reports what happens, when embedded.
#[hook]
pub fn use_embed_bridge(ui: &Ui) {
    let embed = ui.embed.clone();
    if let Some(embed) = &embed {
        let (set_query, loader) = (ui.set_query.clone(), ui.loader());
        *embed.commands.borrow_mut() = Some(Callback::from(move |command: EmbedCommand| match command {
            EmbedCommand::SetView(view) => set_query.update(|q| q.view = view),
            EmbedCommand::SetSample(sample) => set_query.update(|q| q.report.sample = sample),
            EmbedCommand::LoadUrl(url) => loader.url(url),
            EmbedCommand::LoadBytes(name, bytes) => loader.bytes(name, &bytes),
        }));
        let queued: Vec<EmbedCommand> = embed.queued.borrow_mut().drain(..).collect();
        for command in queued {
            embed.send(command);
        }
    }
    let m = &ui.model;
    let loaded = m.loaded.as_ref().map(|l| {
        (
            l.generation,
            l.summary.file_name.clone(),
            l.summary.type_names().iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        )
    });
    {
        let embed = embed.clone();
        use_effect_with(loaded, move |loaded| {
            if let (Some(embed), Some((_, file, types))) = (embed, loaded) {
                embed.report(EmbedEvent::Loaded { file: file.clone(), sample_types: types.clone() });
            }
        });
    }
    {
        let embed = embed.clone();
        use_effect_with(m.error.clone(), move |error| {
            if let (Some(embed), Some(message)) = (embed, error) {
                embed.report(EmbedEvent::Error(message.clone()));
            }
        });
    }
    use_effect_with(m.selected.clone(), move |selected| {
        if let Some(embed) = embed.filter(|_| !selected.is_empty()) {
            embed.report(EmbedEvent::Selected(selected.iter().cloned().collect()));
        }
    });
}
