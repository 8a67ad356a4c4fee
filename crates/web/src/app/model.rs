//! The page's state and how worker answers and user actions change it.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::client::WorkerClient;
use crate::components::source_view::SourceTexts;
use crate::protocol::{Response, Stage, Summary, TopRow, ViewData};
use crate::state::ViewState;

/// A profile in the worker that owns it.
#[derive(Clone)]
pub struct Loaded {
    /// Which load this was.
    pub generation: u32,
    /// What the worker said about it.
    pub summary: Summary,
    /// The worker.
    pub client: Rc<WorkerClient>,
}

/// A profile on its way in.
#[derive(Clone)]
pub struct Loading {
    /// Which load this is.
    pub generation: u32,
    /// The file's name.
    pub file_name: String,
    /// What is happening.
    pub stage: Stage,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
    /// The worker, once started.
    pub client: Option<Rc<WorkerClient>>,
}

/// Everything the page shows.
#[derive(Clone, Default)]
pub struct Model {
    /// The URL fragment's state.
    pub state: ViewState,
    /// The profile shown.
    pub loaded: Option<Loaded>,
    /// A profile being loaded.
    pub loading: Option<Loading>,
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
    /// A file is being read.
    StartRead {
        /// Which load.
        generation: u32,
        /// The file.
        file_name: String,
        /// Its size.
        total: u64,
    },
    /// A worker was started for a load.
    Spawned {
        /// Which load.
        generation: u32,
        /// The worker.
        client: Rc<WorkerClient>,
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
            Action::StartRead { generation, file_name, total } => {
                m.next_generation = m.next_generation.max(generation + 1);
                m.loading =
                    Some(Loading { generation, file_name, stage: Stage::Read, done: 0, total, client: None });
            }
            Action::Spawned { generation, client } => match &mut m.loading {
                Some(l) if l.generation == generation => l.client = Some(client),
                _ => {} // Cancelled meanwhile: dropping the client stops it.
            },
            Action::Worker { generation, response } => m.on_worker(generation, response),
            Action::Failed { generation, message } => {
                if m.loading.as_ref().is_some_and(|l| l.generation == generation) {
                    m.loading = None;
                    m.error = Some(message);
                }
            }
            Action::Cancel => m.loading = None,
            Action::Requested(id) => {
                m.awaited = Some(id);
                m.next_id = id + 1;
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
                let loading = self.loading.take().expect("checked above");
                if let Some(client) = loading.client {
                    // The previous profile's worker is dropped (terminated) here.
                    self.loaded = Some(Loaded { generation, summary, client });
                    self.data = None;
                    self.awaited = None;
                    self.error = None;
                    self.selected = Rc::default();
                }
            }
            Response::LoadFailed(message) if from_loading => {
                self.loading = None;
                self.error = Some(message);
            }
            Response::LoadFailed(message) if from_loaded => self.error = Some(message),
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
}
