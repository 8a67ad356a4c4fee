//! The page's state and how worker answers and user actions change it.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use super::client::{WorkerClient, WorkerEvent};
use super::compare::{canonical, default_setup, fragment_names, resolve};
use super::components::source_view::SourceTexts;
use super::crash::Crash;
use super::symbolize::Symbolization;
use crate::protocol::{
    BaseMode, FlameZoom, LabelsData, Request, Response, Setup, Stage, Summary, TopRow, ViewData,
};
use crate::query::{sample_position, Query};

/// The profiles of a session, in the worker that owns them.
#[derive(Clone)]
pub struct Loaded {
    /// Which load this was.
    pub generation: u32,
    /// The profile shown (a combination when comparing).
    pub summary: Summary,
    /// The worker.
    pub client: Rc<WorkerClient>,
    /// Every profile the worker holds, in load order.
    pub profiles: Rc<Vec<Summary>>,
    /// What the worker shows.
    pub setup: Setup,
    /// Why the worker stopped, if it did: what is on screen stays, but
    /// nothing more can be computed until the files are opened again.
    pub stopped: Option<String>,
}

/// Where files come from, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Files, a drop, a URL or an embedding host's bytes.
    Files,
    /// A link that carries the profile in its fragment.
    Link,
}

/// Files on their way in.
#[derive(Clone)]
pub struct Loading {
    /// Which load this is (the session's own when adding to it).
    pub generation: u32,
    /// The files' names.
    pub file_name: String,
    /// What is happening.
    pub stage: Stage,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
    /// The worker, once started (for a new session).
    pub client: Option<Rc<WorkerClient>>,
    /// Load ids the worker has not answered yet (None until sent).
    pub waiting: Option<Vec<u32>>,
    /// The files that loaded.
    pub added: Vec<Summary>,
    /// Why the others did not.
    pub failures: Vec<String>,
    /// The files join the current session (Compare with…).
    pub adding: bool,
    /// Where they come from.
    pub origin: Origin,
}

/// A Compare request the worker has not answered yet.
#[derive(Clone)]
pub struct Comparing {
    /// The request id.
    pub id: u32,
    /// The setup asked for.
    pub setup: Setup,
    /// The worker's load generation.
    pub generation: u32,
    /// For a new session: its worker and profiles, adopted once the worker
    /// answers.
    pub fresh: Option<(Rc<WorkerClient>, Rc<Vec<Summary>>)>,
}

/// Everything the page shows.
#[derive(Clone, Default)]
pub struct Model {
    /// The view state (the URL fragment's, or an embedded analyzer's).
    pub query: Query,
    /// The profiles shown.
    pub loaded: Option<Loaded>,
    /// Files being loaded.
    pub loading: Option<Loading>,
    /// A comparison being made.
    pub comparing: Option<Comparing>,
    /// Counts the worker's Compare answers, so the fragment follows them.
    pub compared: u32,
    /// The current view's data (None until it arrives).
    pub data: Option<Rc<ViewData>>,
    /// Why the current view's data could not be made.
    pub view_error: Option<String>,
    /// The top table's rows, shared with the table without copying.
    pub rows: Rc<Vec<TopRow>>,
    /// Id of the request whose answer is awaited.
    pub awaited: Option<u32>,
    /// The next request id.
    pub next_id: u32,
    /// The next load generation.
    pub next_generation: u32,
    /// The next file load id.
    pub next_file: u32,
    /// An error to show.
    pub error: Option<String>,
    /// Selected node names.
    pub selected: Rc<BTreeSet<String>>,
    /// The search box's (debounced) text.
    pub search: String,
    /// Source files the user gave.
    pub sources: SourceTexts,
    /// The Labels panel is open.
    pub labels_open: bool,
    /// The Labels panel's data (None until it arrives).
    pub labels: Option<Rc<LabelsData>>,
    /// Id of the Labels request whose answer is awaited.
    pub labels_awaited: Option<u32>,
    /// The flame graph's zoom, its frames built for it (not in the URL).
    pub flame_zoom: Option<FlameZoom>,
    /// Symbolizations of the shown load and of one loading.
    pub symbolizations: Vec<Rc<Symbolization>>,
}

/// What can happen to the page.
pub enum Action {
    /// The view state changed (the URL fragment, or an embedded command).
    SetQuery(Query),
    /// The flame graph zoomed (None: zoomed out).
    FlameZoom(Option<FlameZoom>),
    /// Files are being read.
    StartRead {
        /// Which load.
        generation: u32,
        /// The files.
        file_name: String,
        /// Their size (0 when unknown).
        total: u64,
        /// They join the current session.
        adding: bool,
        /// Where they come from.
        origin: Origin,
    },
    /// Reading (a download) has reached `done` of `total` bytes.
    ReadProgress {
        /// Which load.
        generation: u32,
        /// Bytes read.
        done: u64,
        /// Bytes in all (0 when unknown).
        total: u64,
    },
    /// Files were sent to a worker with these load ids.
    Spawned {
        /// Which load.
        generation: u32,
        /// The worker, for a new session.
        client: Option<Rc<WorkerClient>>,
        /// The files' load ids.
        ids: Vec<u32>,
    },
    /// A worker said something.
    Worker {
        /// Which load's worker.
        generation: u32,
        /// What it said.
        event: WorkerEvent,
    },
    /// A load failed before reaching its worker.
    Failed {
        /// Which load.
        generation: u32,
        /// Why.
        message: String,
    },
    /// The user cancelled loading.
    Cancel,
    /// A report request went out.
    Requested(u32),
    /// A request for the Labels panel's data went out.
    LabelsRequested(u32),
    /// The Labels panel opens or closes.
    ToggleLabels,
    /// A Compare request went out to the session's worker.
    Comparing(u32, Setup),
    /// The user closed the error banner.
    Dismiss,
    /// The selection changed.
    Select(Rc<BTreeSet<String>>),
    /// The search text changed.
    Search(String),
    /// Source files arrived.
    Sources(SourceTexts),
    /// Something went wrong on the page itself.
    Error(String),
    /// Load `generation`'s profiles go to the symbolizer with binaries.
    Symbolizing {
        /// Which load.
        generation: u32,
        /// "PROFILE with BINARY", for the progress bar.
        label: String,
    },
    /// A symbolization is done; its profiles load as its generation.
    Symbolized(Rc<Symbolization>),
}

/// `query` fitted to the profile shown: a sample type the profile lacks
/// (a mutex profile opened after a heap profile's `si=inuse_space`) gives
/// way to the profile's default.
pub fn fit(query: Query, shown: Option<&Summary>) -> Query {
    match shown {
        Some(s) if sample_position(&query.report.sample, &s.type_names(), s.default_index).is_none() => {
            let mut fitted = query;
            fitted.report.sample.clear();
            fitted
        }
        _ => query,
    }
}

/// `query` as the session shows it: fitted to the profile shown, with the
/// comparison the worker applied (file names, mode, normalize).
pub fn followed(query: &Query, loaded: &Loaded) -> Query {
    let mut next = fit(query.clone(), Some(&loaded.summary));
    (next.compare.source, next.compare.base) = fragment_names(&loaded.setup, &loaded.profiles);
    if loaded.setup.base.is_some() {
        next.compare.mode = loaded.setup.mode;
        next.compare.normalize = loaded.setup.normalize;
    }
    next
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        match action {
            Action::SetQuery(query) => {
                if query.view != m.query.view {
                    m.data = None;
                    m.view_error = None;
                }
                // Another flame graph: its zoom does not apply.
                if query.report != m.query.report
                    || query.pivot != m.query.pivot
                    || query.view != m.query.view
                {
                    m.flame_zoom = None;
                }
                m.query = fit(query, m.loaded.as_ref().map(|l| &l.summary));
            }
            Action::FlameZoom(zoom) => m.flame_zoom = zoom,
            Action::StartRead { generation, file_name, total, adding, origin } => {
                m.flame_zoom = None;
                m.next_generation = m.next_generation.max(generation + 1);
                m.loading = Some(Loading {
                    generation,
                    file_name,
                    stage: Stage::Read,
                    done: 0,
                    total,
                    client: None,
                    waiting: None,
                    added: Vec::new(),
                    failures: Vec::new(),
                    adding,
                    origin,
                });
            }
            Action::ReadProgress { generation, done, total } => {
                if let Some(l) =
                    m.loading.as_mut().filter(|l| l.generation == generation && l.stage == Stage::Read)
                {
                    (l.done, l.total) = (done, total);
                }
            }
            Action::Spawned { generation, client, ids } => {
                m.next_file = m.next_file.max(ids.iter().max().map_or(0, |i| i + 1));
                if let Some(l) = m.loading.as_mut().filter(|l| l.generation == generation) {
                    l.client = client;
                    l.waiting = Some(ids);
                }
                // Else cancelled meanwhile: dropping the client stops it.
            }
            Action::Worker { generation, event: WorkerEvent::Response(response) } => {
                m.on_worker(generation, response)
            }
            Action::Worker { generation, event: WorkerEvent::Stopped(crash) } => {
                m.on_stopped(generation, &crash)
            }
            Action::Failed { generation, message } => {
                if m.loading.as_ref().is_some_and(|l| l.generation == generation) {
                    m.loading = None;
                    m.error = Some(message);
                }
            }
            Action::Cancel => {
                if m.loading.as_ref().is_some_and(|l| l.stage == Stage::Symbolize) {
                    super::symbolize::cancel();
                }
                m.loading = None;
                m.comparing = m.comparing.take().filter(|c| c.fresh.is_none());
            }
            Action::Requested(id) => {
                m.awaited = Some(id);
                m.view_error = None;
                m.next_id = m.next_id.max(id + 1);
            }
            Action::LabelsRequested(id) => {
                m.labels_awaited = Some(id);
                m.next_id = m.next_id.max(id + 1);
            }
            Action::ToggleLabels => m.labels_open = !m.labels_open,
            Action::Comparing(id, setup) => {
                m.next_id = m.next_id.max(id + 1);
                if let Some(l) = &m.loaded {
                    m.comparing = Some(Comparing { id, setup, generation: l.generation, fresh: None });
                }
            }
            Action::Dismiss => m.error = None,
            Action::Select(selected) => m.selected = selected,
            Action::Search(text) => m.search = text,
            Action::Sources(sources) => m.sources = sources,
            Action::Error(message) => m.error = Some(message),
            Action::Symbolizing { generation, label } => {
                if let Some(l) = m.loading.as_mut().filter(|l| l.generation == generation) {
                    (l.stage, l.file_name, l.done, l.total) = (Stage::Symbolize, label, 0, 0);
                }
            }
            Action::Symbolized(symbolization) => {
                let shown = m.loaded.as_ref().map(|l| l.generation);
                m.symbolizations.retain(|s| Some(s.generation) == shown);
                m.symbolizations.push(symbolization);
            }
        }
        Rc::new(m)
    }
}

impl Model {
    fn on_worker(&mut self, generation: u32, response: Response) {
        let from_loading = self.loading.as_ref().is_some_and(|l| l.generation == generation);
        let from_loaded = self.loaded.as_ref().is_some_and(|l| l.generation == generation);
        match response {
            Response::Progress { stage, done, total } if from_loading => {
                if let Some(l) = &mut self.loading {
                    (l.stage, l.done, l.total) = (stage, done, total);
                }
            }
            Response::Loaded(summary) if from_loading => self.file_answered(summary.id, Ok(summary)),
            Response::FileFailed { id, message } if from_loading => self.file_answered(id, Err(message)),
            Response::BadRequest(message) if from_loading || from_loaded => {
                // A page bug: say so, and wait for no answer that will not come.
                self.error = Some(format!("Internal error: {message}"));
                self.awaited = None;
            }
            Response::Compared { id, result }
                if self.comparing.as_ref().is_some_and(|c| c.id == id && c.generation == generation) =>
            {
                self.on_compared(result);
            }
            Response::Report { id, result } if from_loaded && self.labels_awaited == Some(id) => {
                self.labels_awaited = None;
                match result {
                    Ok(ViewData::Labels(data)) => self.labels = Some(Rc::new(data)),
                    Ok(_) => {}
                    Err(message) => self.error = Some(message),
                }
            }
            Response::Report { id, result } if from_loaded && self.awaited == Some(id) => {
                self.awaited = None;
                self.on_report(result);
            }
            _ => {} // A late answer from a worker or request that no longer matters.
        }
    }

    fn on_report(&mut self, result: Result<ViewData, String>) {
        match result {
            Ok(ViewData::Top(table)) => {
                let (legend, sample_type) = (table.legend, table.sample_type);
                self.rows = Rc::new(table.rows);
                let header = crate::protocol::TopTable { legend, rows: Vec::new(), sample_type };
                self.data = Some(Rc::new(ViewData::Top(header)));
            }
            Ok(data) => self.data = Some(Rc::new(data)),
            Err(message) => {
                self.data = None;
                self.view_error = Some(message.clone());
                self.error = Some(message);
            }
        }
    }

    /// A worker stopped: a load or a new session's comparison in it fails,
    /// a session in it keeps what is on screen but computes nothing more.
    /// The view state stays as it is.
    fn on_stopped(&mut self, generation: u32, crash: &Crash) {
        let ours = |g: u32| g == generation;
        let loading = self.loading.as_ref().filter(|l| ours(l.generation)).map(|l| l.file_name.clone());
        let opening = self.comparing.as_ref().filter(|c| ours(c.generation)).and_then(|c| c.fresh.as_ref());
        let opening =
            opening.map(|(_, p)| p.iter().map(|s| s.file_name.as_str()).collect::<Vec<_>>().join(", "));
        let session =
            self.loaded.as_ref().filter(|l| ours(l.generation)).map(|l| l.summary.file_name.clone());
        let kept = if self.loaded.is_some() { " The profile shown before stays." } else { "" };
        let message = match (loading, opening, &session) {
            (Some(file), ..) | (None, Some(file), _) => {
                format!("{}{kept}", crash.message(&format!("loading {file}")))
            }
            (None, None, Some(file)) => {
                let doing = match self.awaited {
                    Some(_) => format!("computing the {} view of {file}", self.query.view.label()),
                    None => format!("holding {file}"),
                };
                format!(
                    "{} What is shown stays; open the file again to go on (the view settings are kept).",
                    crash.message(&doing)
                )
            }
            (None, None, None) => return, // A worker that no longer matters.
        };
        self.loading = self.loading.take().filter(|l| !ours(l.generation));
        self.comparing = self.comparing.take().filter(|c| !ours(c.generation));
        if session.is_some() {
            self.awaited = None;
            if let Some(l) = &mut self.loaded {
                l.stopped = Some(message.clone());
            }
        }
        self.error = Some(message);
    }

    /// A file of the load answered (loaded, or why not).
    fn file_answered(&mut self, id: u32, result: Result<Summary, String>) {
        let Some(l) = &mut self.loading else { return };
        if let Some(w) = &mut l.waiting {
            w.retain(|&i| i != id);
        }
        match result {
            Ok(summary) => l.added.push(summary),
            Err(message) if l.origin == Origin::Link => {
                l.failures.push(format!("The profile in this link cannot be opened: {message}"))
            }
            Err(message) => l.failures.push(message),
        }
        self.batch_done();
    }

    /// When every file of the load has answered: give up if none loaded
    /// (what was shown stays), else ask the worker to show them.
    fn batch_done(&mut self) {
        let Some(l) = &self.loading else { return };
        if l.waiting.as_ref().is_none_or(|w| !w.is_empty()) {
            return;
        }
        let l = self.loading.take().expect("checked above");
        self.error = (!l.failures.is_empty()).then(|| l.failures.join("\n"));
        if l.added.is_empty() {
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        if l.adding {
            let Some(current) = self.loaded.as_ref().map(|l| l.setup) else { return };
            // "Compare with…": the new file is the base of what is shown.
            let setup = self.requested_setup(Setup { base: Some(l.added[0].id), ..current });
            let Some(loaded) = &mut self.loaded else { return };
            let mut profiles = (*loaded.profiles).clone();
            profiles.extend(l.added.iter().cloned());
            loaded.profiles = Rc::new(profiles);
            loaded.client.send(&Request::Compare { id, setup });
            self.comparing = Some(Comparing { id, setup, generation: loaded.generation, fresh: None });
            return;
        }
        let Some(client) = l.client else { return };
        let setup = resolve(&self.query, &l.added).unwrap_or_else(|| default_setup(&l.added));
        let setup = self.requested_setup(setup);
        client.send(&Request::Compare { id, setup });
        self.comparing =
            Some(Comparing { id, setup, generation: l.generation, fresh: Some((client, Rc::new(l.added))) });
    }

    /// `setup` with the fragment's mode and normalize options.
    fn requested_setup(&self, setup: Setup) -> Setup {
        let wanted = &self.query.compare;
        canonical(Setup { mode: wanted.mode, normalize: wanted.normalize, ..setup })
    }

    fn on_compared(&mut self, result: Result<Summary, String>) {
        let Some(c) = self.comparing.take() else { return };
        self.compared += 1;
        match (result, c.fresh) {
            (Ok(summary), Some((client, profiles))) => {
                self.adopt(c.generation, summary, client, profiles, c.setup)
            }
            (Ok(summary), None) => {
                if let Some(l) = &mut self.loaded {
                    l.summary = summary;
                    l.setup = c.setup;
                    self.data = None;
                    self.awaited = None;
                }
                self.query = fit(self.query.clone(), self.loaded.as_ref().map(|l| &l.summary));
            }
            (Err(message), Some((client, profiles))) if c.setup.base.is_some() => {
                // A new session whose files do not compare: show the source alone.
                self.error = Some(message);
                let setup = Setup { base: None, ..c.setup };
                let id = self.next_id;
                self.next_id += 1;
                client.send(&Request::Compare { id, setup });
                self.comparing =
                    Some(Comparing { id, setup, generation: c.generation, fresh: Some((client, profiles)) });
            }
            (Err(message), _) => self.error = Some(message),
        }
    }

    /// A new session replaces what was shown (the previous session's
    /// worker is dropped, so terminated, here). What named the previous
    /// profile's functions (selection, pivot) goes; the first profile of
    /// the page keeps them, as a shared link or a reload means them for it.
    fn adopt(
        &mut self,
        generation: u32,
        summary: Summary,
        client: Rc<WorkerClient>,
        profiles: Rc<Vec<Summary>>,
        setup: Setup,
    ) {
        let replacing = self.loaded.is_some();
        let query = if replacing { self.query.for_new_profile() } else { self.query.clone() };
        self.query = fit(query, Some(&summary));
        self.loaded = Some(Loaded { generation, summary, client, profiles, setup, stopped: None });
        self.data = None;
        self.view_error = None;
        self.awaited = None;
        self.selected = Rc::default();
    }

    /// How the shown profiles were symbolized, if they were.
    pub fn shown_symbolization(&self) -> Option<Rc<Symbolization>> {
        let shown = self.loaded.as_ref()?.generation;
        self.symbolizations.iter().find(|s| s.generation == shown).cloned()
    }

    /// Whether the shown profiles can be compared for leaks (two or more
    /// heap profiles).
    pub fn leaks_available(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| super::compare::heap_profiles(&l.profiles) >= 2)
    }

    /// Whether the shown comparison subtracts its base as `-base`.
    pub fn subtracting(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.setup.base.is_some() && l.setup.mode == BaseMode::Subtract)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::SampleType;

    fn summary(types: &[&str], default_index: usize) -> Summary {
        Summary {
            id: 0,
            file_name: "x.pb.gz".into(),
            sample_types: types
                .iter()
                .map(|t| SampleType { name: t.to_string(), unit: "x".into() })
                .collect(),
            default_index,
            samples: 1,
            functions: 1,
            time_nanos: 0,
        }
    }

    #[test]
    fn a_sample_type_the_profile_lacks_gives_way_to_its_default() {
        let mutex = summary(&["contentions", "delay"], 1);
        let mut q = Query::default();
        q.report.sample = "inuse_space".into();
        q.selection = "^(main\\.f)$".into();
        let fitted = fit(q.clone(), Some(&mutex));
        assert_eq!(fitted.report.sample, "", "the default");
        assert_eq!(fitted.selection, q.selection, "only the sample type changes");
        for kept in ["delay", "0", "1", ""] {
            q.report.sample = kept.into();
            assert_eq!(fit(q.clone(), Some(&mutex)).report.sample, kept);
        }
        q.report.sample = "2".into();
        assert_eq!(fit(q.clone(), Some(&mutex)).report.sample, "");
        assert_eq!(fit(q.clone(), None).report.sample, "2", "nothing to fit before a profile loads");
    }
}
