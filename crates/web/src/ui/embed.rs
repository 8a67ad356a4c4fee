//! The analyzer inside other pages: the Yew component [`Analyzer`] for Yew
//! portals, and [`mount_analyzer`], which www/proflens.js calls for the
//! `<proflens-analyzer>` custom element and `proflens.mount(...)`.
//!
//! An embedded analyzer keeps its view state to itself (several can share
//! a page, so none owns the URL fragment), reports what happens as DOM
//! events on its host element (`proflens-load`, `proflens-error`,
//! `proflens-select`) and takes commands from the host (change the view or
//! sample type, load a profile).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::App;
use crate::query::{Filters, Query, ReportQuery, View};

/// What the host asks of a running analyzer.
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedCommand {
    /// Show this view.
    SetView(View),
    /// Use this sample type (name or index; "" for the default).
    SetSample(String),
    /// Fetch and load a profile.
    LoadUrl(String),
    /// Load a profile's bytes, under a name.
    LoadBytes(String, Rc<Vec<u8>>),
}

/// What an embedded analyzer reports.
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedEvent {
    /// A profile loaded: its file name and sample types.
    Loaded {
        /// The file's name.
        file: String,
        /// Its sample types.
        sample_types: Vec<String>,
    },
    /// Loading failed, or a view could not be computed.
    Error(String),
    /// The selection changed: the selected names.
    Selected(Vec<String>),
}

/// The embedding, shared by the analyzer's components through a context.
pub struct Embed {
    /// The element that receives the DOM events (the custom element).
    pub host: Option<web_sys::Element>,
    /// The root the analyzer renders into (inside the shadow root).
    pub root: Option<web_sys::Element>,
    /// The state to start with.
    pub initial: Query,
    /// A profile to fetch at start.
    pub src: Option<String>,
    /// A profile to load at start.
    pub bytes: Option<(String, Rc<Vec<u8>>)>,
    /// Where the analyzer takes commands (set once it runs).
    pub commands: RefCell<Option<Callback<EmbedCommand>>>,
    /// Commands sent before the analyzer took any.
    pub queued: RefCell<Vec<EmbedCommand>>,
    /// Called with every event, beside the DOM events.
    pub on_event: Option<Callback<EmbedEvent>>,
}

impl Embed {
    /// Sends a command now, or once the analyzer runs.
    pub fn send(&self, command: EmbedCommand) {
        match self.commands.borrow().as_ref() {
            Some(c) => c.emit(command),
            None => self.queued.borrow_mut().push(command),
        }
    }

    /// Reports `event` to the callback and as a DOM event on the host.
    pub fn report(&self, event: EmbedEvent) {
        if let Some(cb) = &self.on_event {
            cb.emit(event.clone());
        }
        let Some(host) = &self.host else { return };
        let (name, detail) = match &event {
            EmbedEvent::Loaded { file, sample_types } => {
                let detail = js_sys::Object::new();
                let types: js_sys::Array = sample_types.iter().map(|t| JsValue::from_str(t)).collect();
                let _ = js_sys::Reflect::set(&detail, &"file".into(), &file.into());
                let _ = js_sys::Reflect::set(&detail, &"sampleTypes".into(), &types);
                ("proflens-load", JsValue::from(detail))
            }
            EmbedEvent::Error(message) => {
                let detail = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&detail, &"message".into(), &message.into());
                ("proflens-error", JsValue::from(detail))
            }
            EmbedEvent::Selected(names) => {
                let detail = js_sys::Object::new();
                let list: js_sys::Array = names.iter().map(|n| JsValue::from_str(n)).collect();
                let _ = js_sys::Reflect::set(&detail, &"names".into(), &list);
                ("proflens-select", JsValue::from(detail))
            }
        };
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&detail);
        init.set_bubbles(true);
        init.set_composed(true);
        if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = host.dispatch_event(&e);
        }
    }
}

/// The context value: the embedding, compared by identity.
#[derive(Clone)]
pub struct EmbedRef(pub Rc<Embed>);

impl PartialEq for EmbedRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Props of [`Analyzer`].
#[derive(Properties, PartialEq, Clone)]
pub struct AnalyzerProps {
    /// A profile to fetch (a URL).
    #[prop_or_default]
    pub src: Option<AttrValue>,
    /// The view: top, graph, flamegraph, peek or source.
    #[prop_or_default]
    pub view: Option<AttrValue>,
    /// The sample type, by name or index.
    #[prop_or_default]
    pub sample: Option<AttrValue>,
    /// Called when something happens (load, error, selection).
    #[prop_or_default]
    pub on_event: Option<Callback<EmbedEvent>>,
    /// Set by [`mount_analyzer`]: the embedding it made.
    #[prop_or_default]
    pub embed: Option<EmbedRef>,
}

/// The analyzer as a Yew component: the whole page's function, with its
/// state inside the component instead of the URL.
#[function_component(Analyzer)]
pub fn analyzer(props: &AnalyzerProps) -> Html {
    let embed = {
        let props = props.clone();
        use_memo((), move |_| {
            props.embed.clone().unwrap_or_else(|| {
                EmbedRef(Rc::new(Embed {
                    host: None,
                    root: None,
                    initial: initial_query(
                        props.view.as_deref(),
                        props.sample.as_deref(),
                        Filters::default(),
                    ),
                    src: props.src.as_ref().map(|s| s.to_string()),
                    bytes: None,
                    commands: RefCell::new(None),
                    queued: RefCell::new(Vec::new()),
                    on_event: props.on_event.clone(),
                }))
            })
        })
    };
    // Later prop changes become commands.
    {
        let embed = embed.clone();
        use_effect_with(
            (props.view.clone(), props.sample.clone(), props.src.clone()),
            move |(view, sample, src)| {
                let first = embed.0.commands.borrow().is_none();
                if !first {
                    if let Some(v) = view.as_deref().and_then(View::parse) {
                        embed.0.send(EmbedCommand::SetView(v));
                    }
                    if let Some(s) = sample {
                        embed.0.send(EmbedCommand::SetSample(s.to_string()));
                    }
                    if let Some(s) = src {
                        embed.0.send(EmbedCommand::LoadUrl(s.to_string()));
                    }
                }
            },
        );
    }
    html! {
        <ContextProvider<EmbedRef> context={(*embed).clone()}>
            <App />
        </ContextProvider<EmbedRef>>
    }
}

/// The starting state for a view name (pprof's: top, graph, flamegraph,
/// peek, source; others are Top), a sample type and filters.
pub fn initial_query(view: Option<&str>, sample: Option<&str>, filters: Filters) -> Query {
    Query {
        view: view.and_then(View::parse).unwrap_or_default(),
        report: ReportQuery {
            sample: sample.unwrap_or_default().to_string(),
            filters,
            ..ReportQuery::default()
        },
        ..Query::default()
    }
}

/// A running embedded analyzer. The page's binary (src/bin/app.rs) wraps
/// it for www/proflens.js; the exports live there, not here, so the
/// worker's binary does not carry the whole page.
pub struct AnalyzerHandle {
    embed: Rc<Embed>,
    app: Option<yew::AppHandle<Analyzer>>,
}

impl AnalyzerHandle {
    /// Changes an attribute: `view`, `sample` or `src`.
    pub fn set(&self, name: &str, value: &str) {
        let command = match name {
            "view" => match View::parse(value) {
                Some(view) => EmbedCommand::SetView(view),
                None => return,
            },
            "sample" | "sampleIndex" => EmbedCommand::SetSample(value.to_string()),
            "src" | "url" if !value.is_empty() => EmbedCommand::LoadUrl(value.to_string()),
            _ => return,
        };
        self.embed.send(command);
    }

    /// Loads a profile's bytes.
    pub fn load(&self, bytes: &[u8], name: Option<String>) {
        self.embed.send(EmbedCommand::LoadBytes(
            name.unwrap_or_else(|| "profile.pb.gz".into()),
            Rc::new(bytes.to_vec()),
        ));
    }

    /// Stops the analyzer and empties its root.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

fn option_text(options: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(options, &key.into()).ok()?.as_string().filter(|s| !s.is_empty())
}

/// Mounts an analyzer into `root`, reporting events on `host`. `options`:
/// `src` or `url`, `bytes` (Uint8Array or ArrayBuffer) with `name`,
/// `view`, `sample` or `sampleIndex`, and `filters` ({focus, ignore, hide,
/// show, showFrom, tagfocus, tagignore, tagshow, taghide, tagroot,
/// tagleaf}, with pprof's syntax).
pub fn mount_analyzer(root: web_sys::Element, host: web_sys::Element, options: JsValue) -> AnalyzerHandle {
    let filters_value = js_sys::Reflect::get(&options, &"filters".into()).unwrap_or(JsValue::UNDEFINED);
    let filters = Filters {
        focus: option_text(&filters_value, "focus").unwrap_or_default(),
        ignore: option_text(&filters_value, "ignore").unwrap_or_default(),
        hide: option_text(&filters_value, "hide").unwrap_or_default(),
        show: option_text(&filters_value, "show").unwrap_or_default(),
        show_from: option_text(&filters_value, "showFrom").unwrap_or_default(),
        tag_focus: option_text(&filters_value, "tagfocus").unwrap_or_default(),
        tag_ignore: option_text(&filters_value, "tagignore").unwrap_or_default(),
        tag_show: option_text(&filters_value, "tagshow").unwrap_or_default(),
        tag_hide: option_text(&filters_value, "taghide").unwrap_or_default(),
        tag_root: option_text(&filters_value, "tagroot").unwrap_or_default(),
        tag_leaf: option_text(&filters_value, "tagleaf").unwrap_or_default(),
        tag_base: option_text(&filters_value, "tagbase").unwrap_or_default(),
    };
    let sample = option_text(&options, "sample").or_else(|| {
        js_sys::Reflect::get(&options, &"sampleIndex".into())
            .ok()
            .and_then(|v| v.as_f64().map(|n| (n as usize).to_string()).or_else(|| v.as_string()))
    });
    let bytes = js_sys::Reflect::get(&options, &"bytes".into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
        .map(|v| js_sys::Uint8Array::new(&v).to_vec());
    let name = option_text(&options, "name").unwrap_or_else(|| "profile.pb.gz".into());
    let view = option_text(&options, "view");
    let embed = Rc::new(Embed {
        host: Some(host),
        root: Some(root.clone()),
        initial: initial_query(view.as_deref(), sample.as_deref(), filters),
        src: option_text(&options, "src").or_else(|| option_text(&options, "url")),
        bytes: bytes.map(|b| (name, Rc::new(b))),
        commands: RefCell::new(None),
        queued: RefCell::new(Vec::new()),
        on_event: None,
    });
    let props = AnalyzerProps { embed: Some(EmbedRef(embed.clone())), ..AnalyzerProps::default_props() };
    let app = yew::Renderer::<Analyzer>::with_root_and_props(root, props).render();
    AnalyzerHandle { embed, app: Some(app) }
}

impl AnalyzerProps {
    fn default_props() -> AnalyzerProps {
        AnalyzerProps { src: None, view: None, sample: None, on_event: None, embed: None }
    }
}
