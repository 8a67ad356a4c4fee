//! The page's state and how worker answers and user actions change it.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::client::WorkerClient;
use crate::components::source_view::SourceTexts;
use crate::protocol::{Request, Response, Setup, Stage, Summary, TopRow, ViewData};
use crate::state::ViewState;

use super::compare::{canonical, default_setup, resolve};

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
    /// The URL fragment's state.
    pub state: ViewState,
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
}

/// What can happen to the page.
pub enum Action {
    /// The URL fragment changed.
    SetState(ViewState),
    /// Files are being read.
    StartRead {
        /// Which load.
        generation: u32,
        /// The files.
        file_name: String,
        /// Their size.
        total: u64,
        /// They join the current session.
        adding: bool,
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
        response: Response,
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
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        match action {
            Action::SetState(state) => {
                if state.view != m.state.view {
                    m.data = None;
                }
                m.state = state;
            }
            Action::StartRead { generation, file_name, total, adding } => {
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
                });
            }
            Action::Spawned { generation, client, ids } => {
                m.next_file = m.next_file.max(ids.iter().max().map_or(0, |i| i + 1));
                if let Some(l) = m.loading.as_mut().filter(|l| l.generation == generation) {
                    l.client = client;
                    l.waiting = Some(ids);
                }
                // Else cancelled meanwhile: dropping the client stops it.
            }
            Action::Worker { generation, response } => m.on_worker(generation, response),
            Action::Failed { generation, message } => {
                if m.loading.as_ref().is_some_and(|l| l.generation == generation) {
                    m.loading = None;
                    m.error = Some(message);
                }
            }
            Action::Cancel => {
                m.loading = None;
                m.comparing = m.comparing.take().filter(|c| c.fresh.is_none());
            }
            Action::Requested(id) => {
                m.awaited = Some(id);
                m.next_id = m.next_id.max(id + 1);
            }
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
            Response::Loaded(summary) if from_loading => {
                if let Some(l) = &mut self.loading {
                    if let Some(w) = &mut l.waiting {
                        w.retain(|&id| id != summary.id);
                    }
                    l.added.push(summary);
                }
                self.batch_done();
            }
            Response::FileFailed { id, message } if from_loading => {
                if let Some(l) = &mut self.loading {
                    if let Some(w) = &mut l.waiting {
                        w.retain(|&i| i != id);
                    }
                    l.failures.push(message);
                }
                self.batch_done();
            }
            Response::LoadFailed(message) if from_loading => {
                self.loading = None;
                self.error = Some(message);
            }
            Response::LoadFailed(message) if from_loaded => {
                // A worker that stopped answers no comparison either.
                self.comparing = self.comparing.take().filter(|c| c.generation != generation);
                self.error = Some(message);
            }
            Response::Compared { id, result }
                if self.comparing.as_ref().is_some_and(|c| c.id == id && c.generation == generation) =>
            {
                self.on_compared(result);
            }
            Response::Report { id, result } if from_loaded && self.awaited == Some(id) => {
                self.awaited = None;
                match result {
                    Ok(ViewData::Top(table)) => {
                        let legend = table.legend.clone();
                        self.rows = Rc::new(table.rows);
                        let sample_type = table.sample_type;
                        self.data = Some(Rc::new(ViewData::Top(crate::protocol::TopTable {
                            legend,
                            rows: Vec::new(),
                            sample_type,
                        })));
                    }
                    Ok(data) => self.data = Some(Rc::new(data)),
                    Err(message) => {
                        self.data = None;
                        self.error = Some(message);
                    }
                }
            }
            _ => {} // A late answer from a worker or request that no longer matters.
        }
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
        let setup = resolve(&self.state, &l.added).unwrap_or_else(|| default_setup(&l.added));
        let setup = self.requested_setup(setup);
        client.send(&Request::Compare { id, setup });
        self.comparing =
            Some(Comparing { id, setup, generation: l.generation, fresh: Some((client, Rc::new(l.added))) });
    }

    /// `setup` with the fragment's mode and normalize options.
    fn requested_setup(&self, setup: Setup) -> Setup {
        let wanted = super::compare::options(&self.state);
        canonical(Setup { mode: wanted.mode, normalize: wanted.normalize, ..setup })
    }

    fn on_compared(&mut self, result: Result<Summary, String>) {
        let Some(c) = self.comparing.take() else { return };
        self.compared += 1;
        match (result, c.fresh) {
            (Ok(summary), Some((client, profiles))) => {
                // The previous session's worker is dropped (terminated) here.
                self.loaded =
                    Some(Loaded { generation: c.generation, summary, client, profiles, setup: c.setup });
                self.data = None;
                self.awaited = None;
                self.selected = Rc::default();
            }
            (Ok(summary), None) => {
                if let Some(l) = &mut self.loaded {
                    l.summary = summary;
                    l.setup = c.setup;
                    self.data = None;
                    self.awaited = None;
                }
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
}
