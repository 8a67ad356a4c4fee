//! What the page asks of the worker: the current view's data whenever the
//! profile, the query or the view changes, and the comparison the state
//! names when it differs from what the worker shows.

use yew::prelude::*;

use super::compare;
use super::loading::tz_offset_seconds;
use super::model::{Action, Model};
use crate::protocol::{FlameZoom, Request, ViewRequest};
use crate::query::{Query, View};

/// The request the view makes for `query`, with `search` standing in for
/// an empty selection in Peek and Source and the flame graph built for
/// `flame_zoom`; None when the view needs no data (Leaks without two heap
/// profiles shows a hint instead).
pub fn view_request(
    query: &Query,
    search: &str,
    leaks_available: bool,
    flame_zoom: Option<FlameZoom>,
) -> Option<ViewRequest> {
    let chosen = if query.selection.is_empty() { search.to_string() } else { query.selection.clone() };
    Some(match query.view {
        View::Top => ViewRequest::Top,
        View::Graph => ViewRequest::Graph,
        View::Flame => ViewRequest::Flame { pivot: query.pivot.clone(), zoom: flame_zoom },
        View::Peek => ViewRequest::Peek { regex: if chosen.is_empty() { ".".into() } else { chosen } },
        View::Source => ViewRequest::Source { regex: chosen },
        View::Leaks if leaks_available => ViewRequest::Leaks,
        View::Leaks => return None,
    })
}

/// Sends the report and comparison requests the model calls for.
#[hook]
pub fn use_report_requests(model: &UseReducerHandle<Model>) {
    let dispatcher = model.dispatcher();
    // The view's data.
    {
        let dispatcher = dispatcher.clone();
        let loaded = model.loaded.clone().filter(|l| l.stopped.is_none());
        let next_id = model.next_id;
        let generation = loaded.as_ref().map(|l| l.generation);
        let report = model.query.report.for_worker();
        let tz = loaded.as_ref().map(|l| tz_offset_seconds(l.summary.time_nanos));
        let view = view_request(&model.query, &model.search, model.leaks_available(), model.flame_zoom);
        let setup = loaded.as_ref().map(|l| l.setup);
        let comparing = model.comparing.is_some();
        use_effect_with(
            (generation, setup, comparing, report, tz, view),
            move |(_, _, comparing, report, tz, view)| {
                if *comparing {
                    return; // The answer to the comparison brings a new request.
                }
                if let (Some(loaded), Some(tz), Some(view)) = (loaded, tz, view) {
                    loaded.client.send(&Request::Report {
                        id: next_id,
                        report: report.clone(),
                        view: view.clone(),
                        tz_offset_seconds: *tz,
                    });
                    dispatcher.dispatch(Action::Requested(next_id));
                }
            },
        );
    }
    // The Labels panel's data, while it is open: the same report query,
    // so its shares follow the sample type and the name filters. Its id is
    // one past the view's, which may go out in the same render.
    {
        let dispatcher = dispatcher.clone();
        let loaded = model.loaded.clone().filter(|l| l.stopped.is_none() && model.labels_open);
        let next_id = model.next_id + 1;
        let generation = loaded.as_ref().map(|l| l.generation);
        let report = model.query.report.for_worker();
        let tz = loaded.as_ref().map(|l| tz_offset_seconds(l.summary.time_nanos));
        let setup = loaded.as_ref().map(|l| l.setup);
        let comparing = model.comparing.is_some();
        use_effect_with((generation, setup, comparing, report, tz), move |(_, _, comparing, report, tz)| {
            if let (Some(loaded), Some(tz), false) = (loaded, tz, *comparing) {
                loaded.client.send(&Request::Report {
                    id: next_id,
                    report: report.clone(),
                    view: ViewRequest::Labels,
                    tz_offset_seconds: *tz,
                });
                dispatcher.dispatch(Action::LabelsRequested(next_id));
            }
        });
    }
    // The comparison the state asks for: when it names loaded profiles and
    // differs from what the worker shows, ask the worker for it.
    {
        let loaded = model.loaded.clone().filter(|l| l.stopped.is_none());
        let wanted = loaded.as_ref().and_then(|l| compare::resolve(&model.query, &l.profiles));
        let applied = loaded.as_ref().map(|l| l.setup);
        let comparing = model.comparing.is_some();
        let next_id = model.next_id;
        use_effect_with((wanted, applied, comparing), move |&(wanted, applied, comparing)| {
            if let (Some(loaded), Some(wanted)) = (loaded, wanted) {
                if !comparing && Some(wanted) != applied {
                    loaded.client.send(&Request::Compare { id: next_id, setup: wanted });
                    dispatcher.dispatch(Action::Comparing(next_id, wanted));
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_ask_for_their_data() {
        let mut q = Query { view: View::Peek, ..Query::default() };
        assert_eq!(view_request(&q, "", true, None), Some(ViewRequest::Peek { regex: ".".into() }));
        assert_eq!(view_request(&q, "main", true, None), Some(ViewRequest::Peek { regex: "main".into() }));
        q.selection = "^(a)$".into();
        assert_eq!(view_request(&q, "main", true, None), Some(ViewRequest::Peek { regex: "^(a)$".into() }));
        q.view = View::Flame;
        q.pivot = "^main$".into();
        assert_eq!(
            view_request(&q, "", true, None),
            Some(ViewRequest::Flame { pivot: "^main$".into(), zoom: None })
        );
        let zoom = FlameZoom { start: 5.0, span: 10.0, pixels: 600 };
        assert_eq!(
            view_request(&q, "", true, Some(zoom)),
            Some(ViewRequest::Flame { pivot: "^main$".into(), zoom: Some(zoom) })
        );
        q.view = View::Leaks;
        assert_eq!(view_request(&q, "", true, None), Some(ViewRequest::Leaks));
        assert_eq!(view_request(&q, "", false, None), None, "no Leaks request without two heap profiles");
    }
}
