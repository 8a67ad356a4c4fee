//! The loading progress bar, with its stage and a cancel button.

use yew::prelude::*;

use crate::protocol::Stage;

/// Properties of [`ProgressBar`].
#[derive(Properties, PartialEq)]
pub struct ProgressBarProps {
    /// The file being loaded.
    pub file_name: AttrValue,
    /// What is happening.
    pub stage: Stage,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all (0 when unknown).
    pub total: u64,
    /// Stops loading.
    pub on_cancel: Callback<()>,
}

/// A progress bar for a profile being loaded.
#[function_component(ProgressBar)]
pub fn progress_bar(props: &ProgressBarProps) -> Html {
    let fraction =
        if props.total > 0 { (props.done as f64 / props.total as f64).clamp(0.0, 1.0) } else { 0.0 };
    let percent = (fraction * 100.0).round() as u32;
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <div class="progress" data-testid="progress" data-stage={props.stage.label()}>
            <div class="progress-label">
                if props.stage == Stage::Symbolize {
                    { format!("{} {} …", props.stage.label(), props.file_name) }
                } else {
                    { format!("{} {} … {}%", props.stage.label(), props.file_name, percent) }
                }
            </div>
            <div class={classes!("progress-track", (props.stage == Stage::Symbolize).then_some("indeterminate"))} role="progressbar" aria-valuemin="0" aria-valuemax="100"
                 aria-valuenow={percent.to_string()}>
                <div class="progress-fill" style={format!("width: {percent}%")}></div>
            </div>
            <button class="button" data-testid="cancel" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}
