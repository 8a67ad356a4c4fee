//! Component tests in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): the table sorts, the sample menu switches,
//! the error banner appears and dismisses.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use proflens_web::protocol::{LeakData, LeakSnapshot, LeakSuspect, SampleType, Setup, Summary, TopRow};
use proflens_web::query::{SortKey, View};
use proflens_web::ui::components::banner::ErrorBanner;
use proflens_web::ui::components::leaks_view::{LeakLink, LeaksView};
use proflens_web::ui::components::profiles::{ProfileChoice, ProfilesPanel};
use proflens_web::ui::components::sample_menu::SampleMenu;
use proflens_web::ui::components::top_table::TopTable;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element to render into.
fn mount_point() -> Element {
    let document = gloo_document();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

fn gloo_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Lets Yew's scheduler render.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

fn row(name: &str, flat: i64, cum: i64) -> TopRow {
    TopRow {
        name: name.into(),
        flat,
        cum,
        flat_text: format!("{flat}B"),
        flat_pct: String::new(),
        sum_pct: String::new(),
        cum_text: format!("{cum}B"),
        cum_pct: String::new(),
        inline: String::new(),
    }
}

/// The names in the table, in display order.
fn names(root: &Element) -> Vec<String> {
    let cells = root.query_selector_all("tbody tr[data-row] td.name").unwrap();
    (0..cells.length()).map(|i| cells.item(i).unwrap().text_content().unwrap_or_default()).collect()
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

#[derive(Properties, PartialEq)]
struct TableHostProps {
    rows: Rc<Vec<TopRow>>,
}

/// Holds the sort the way the app does: a header click sets it.
#[function_component(TableHost)]
fn table_host(props: &TableHostProps) -> Html {
    let sort = use_state(|| SortKey::Flat);
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |k| sort.set(k))
    };
    html! { <TopTable rows={props.rows.clone()} sort={*sort} {on_sort} /> }
}

#[wasm_bindgen_test]
async fn table_sorts_by_name_on_header_click() {
    let root = mount_point();
    let rows = Rc::new(vec![row("zeta", 30, 30), row("alpha", 20, 50), row("mid", 10, 60)]);
    yew::Renderer::<TableHost>::with_root_and_props(root.clone(), TableHostProps { rows }).render();
    settle().await;
    assert_eq!(names(&root), ["zeta", "alpha", "mid"], "the worker's (flat) order first");
    click(&root, "th[data-sort=name]");
    settle().await;
    assert_eq!(names(&root), ["alpha", "mid", "zeta"]);
    let sorted = root.query_selector("th.sorted").unwrap().unwrap();
    assert_eq!(sorted.get_attribute("data-sort").as_deref(), Some("name"));
    click(&root, "th[data-sort=flat]");
    settle().await;
    assert_eq!(names(&root), ["zeta", "alpha", "mid"]);
}

#[wasm_bindgen_test]
async fn table_renders_only_rows_in_view() {
    let root = mount_point();
    // The page's stylesheet gives the scroller its height; so does this.
    let style = gloo_document().create_element("style").unwrap();
    style.set_text_content(Some(".table-scroller { overflow: auto; height: 300px } td { height: 24px }"));
    gloo_document().head().unwrap().append_child(&style).unwrap();
    let rows = Rc::new((0..50_000).map(|i| row(&format!("f{i:05}"), 50_000 - i, 50_000 - i)).collect());
    yew::Renderer::<TableHost>::with_root_and_props(root.clone(), TableHostProps { rows }).render();
    settle().await;
    let rendered = names(&root).len();
    assert!(rendered > 0 && rendered < 100, "rendered {rendered} of 50000 rows");
}

#[derive(Properties, PartialEq)]
struct MenuHostProps {
    chosen: Rc<RefCell<Vec<String>>>,
}

#[function_component(MenuHost)]
fn menu_host(props: &MenuHostProps) -> Html {
    let chosen = props.chosen.clone();
    let types = ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
        .iter()
        .map(|n| SampleType { name: n.to_string(), unit: "x".into() })
        .collect::<Vec<_>>();
    html! { <SampleMenu {types} selected={3} on_select={Callback::from(move |s| chosen.borrow_mut().push(s))} /> }
}

#[wasm_bindgen_test]
async fn sample_menu_lists_types_and_switches() {
    let root = mount_point();
    let chosen = Rc::new(RefCell::new(Vec::new()));
    yew::Renderer::<MenuHost>::with_root_and_props(root.clone(), MenuHostProps { chosen: chosen.clone() })
        .render();
    settle().await;
    let select: HtmlSelectElement =
        root.query_selector("[data-testid=sample-menu]").unwrap().unwrap().unchecked_into();
    assert_eq!(select.length(), 4);
    assert_eq!(select.value(), "inuse_space", "the selected index is shown");
    select.set_value("alloc_space");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    settle().await;
    assert_eq!(*chosen.borrow(), ["alloc_space"]);
}

#[derive(Properties, PartialEq)]
struct BannerHostProps {
    message: AttrValue,
}

#[function_component(BannerHost)]
fn banner_host(props: &BannerHostProps) -> Html {
    let shown = use_state(|| true);
    let on_dismiss = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(false))
    };
    html! {
        if *shown {
            <ErrorBanner message={props.message.clone()} {on_dismiss} />
        }
    }
}

#[wasm_bindgen_test]
async fn error_banner_appears_and_dismisses() {
    let root = mount_point();
    let message = "not a pprof profile: this is a text file";
    yew::Renderer::<BannerHost>::with_root_and_props(
        root.clone(),
        BannerHostProps { message: message.into() },
    )
    .render();
    settle().await;
    let banner = root.query_selector("[data-testid=error-banner]").unwrap().expect("the banner shows");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert!(banner.text_content().unwrap_or_default().contains(message));
    click(&root, ".banner-close");
    settle().await;
    assert!(root.query_selector("[data-testid=error-banner]").unwrap().is_none(), "dismissed");
}

#[wasm_bindgen_test]
async fn diff_rows_are_marked_by_sign() {
    #[function_component(DiffHost)]
    fn diff_host() -> Html {
        let rows = Rc::new(vec![row("up", 30, 30), row("down", -20, -20), row("flat", 0, 5)]);
        html! { <TopTable {rows} sort={SortKey::Flat} on_sort={Callback::noop()} diff=true /> }
    }
    let root = mount_point();
    yew::Renderer::<DiffHost>::with_root(root.clone()).render();
    settle().await;
    let class = |i: usize| root.query_selector(&format!("tr[data-row='{i}']")).unwrap().unwrap().class_name();
    assert!(class(0).contains("grew"), "{}", class(0));
    assert!(class(1).contains("shrank"), "{}", class(1));
    assert!(class(2).contains("grew"), "a zero flat takes the cum's sign: {}", class(2));
}

fn summary(id: u32, name: &str) -> Summary {
    Summary {
        id,
        file_name: name.into(),
        sample_types: vec![SampleType { name: "inuse_space".into(), unit: "bytes".into() }],
        default_index: 0,
        samples: 1,
        functions: 1,
        time_nanos: 0,
    }
}

#[derive(Properties, PartialEq)]
struct PanelHostProps {
    chosen: Rc<RefCell<Vec<ProfileChoice>>>,
}

#[function_component(PanelHost)]
fn panel_host(props: &PanelHostProps) -> Html {
    let chosen = props.chosen.clone();
    let on_choose = Callback::from(move |c| chosen.borrow_mut().push(c));
    let profiles = Rc::new(vec![summary(0, "heap1.pb.gz"), summary(1, "heap2.pb.gz")]);
    html! { <ProfilesPanel {profiles} setup={Setup { source: 1, ..Setup::default() }} {on_choose} /> }
}

#[wasm_bindgen_test]
async fn profiles_panel_picks_a_base() {
    let root = mount_point();
    let chosen = Rc::new(RefCell::new(Vec::new()));
    yew::Renderer::<PanelHost>::with_root_and_props(root.clone(), PanelHostProps { chosen: chosen.clone() })
        .render();
    settle().await;
    click(&root, "tr[data-profile='heap1.pb.gz'] [data-testid=pick-base]");
    settle().await;
    assert_eq!(*chosen.borrow(), [ProfileChoice::Base(Some(0))]);
    // The source cannot be its own base, and options need a base.
    let own = root.query_selector("tr[data-profile='heap2.pb.gz'] [data-testid=pick-base]").unwrap().unwrap();
    assert!(own.has_attribute("disabled"));
    assert!(root.query_selector("[data-testid=compare-mode]").unwrap().unwrap().has_attribute("disabled"));
}

#[derive(Properties, PartialEq)]
struct LeaksHostProps {
    opened: Rc<RefCell<Vec<LeakLink>>>,
}

#[function_component(LeaksHost)]
fn leaks_host(props: &LeaksHostProps) -> Html {
    let opened = props.opened.clone();
    let on_open = Callback::from(move |l| opened.borrow_mut().push(l));
    let snapshot =
        |name: &str| LeakSnapshot { name: name.into(), time_nanos: 0, space: "1MB".into(), objects: 1 };
    let data = Rc::new(LeakData {
        snapshots: vec![snapshot("a.pb.gz"), snapshot("b.pb.gz")],
        suspects: vec![LeakSuspect {
            rank: 1,
            objects_rank: 1,
            function: "context.WithValue".into(),
            chain: vec!["context.WithValue".into(), "main.SetCtxValue".into()],
            space: vec![10, 20],
            space_growth: "+10B".into(),
            per_minute: String::new(),
            share: "100.0%".into(),
            objects_growth: "+1".into(),
            monotonic: true,
            new: false,
            kind: "objects kept alive".into(),
            explanation: "Ranked first.".into(),
        }],
        summary: String::new(),
    });
    html! { <LeaksView {data} {on_open} /> }
}

#[wasm_bindgen_test]
async fn leaks_view_links_to_the_chain() {
    let root = mount_point();
    let opened = Rc::new(RefCell::new(Vec::new()));
    yew::Renderer::<LeaksHost>::with_root_and_props(root.clone(), LeaksHostProps { opened: opened.clone() })
        .render();
    settle().await;
    assert!(root.query_selector("[data-testid=sparkline] polyline").unwrap().is_some());
    click(&root, "tbody.suspect [data-open=graph]");
    settle().await;
    let opened = opened.borrow();
    assert_eq!(opened.len(), 1);
    assert_eq!(
        (opened[0].view, opened[0].oldest.as_str(), opened[0].newest.as_str()),
        (View::Graph, "a.pb.gz", "b.pb.gz")
    );
    assert_eq!(opened[0].chain[1], "main.SetCtxValue");
}

/// The Yew `Analyzer` for portals: its state stays inside (the page's URL
/// is left alone), and what happens reaches `on_event`: here a profile URL
/// that does not exist becomes an Error event naming it.
#[wasm_bindgen_test]
async fn analyzer_component_reports_through_on_event() {
    use proflens_web::ui::embed::{Analyzer, AnalyzerProps, EmbedEvent};
    let hash_before = web_sys::window().unwrap().location().hash().unwrap();
    let events: Rc<RefCell<Vec<EmbedEvent>>> = Rc::default();
    let seen = events.clone();
    let props = AnalyzerProps {
        src: Some("missing-profile-for-test.pb.gz".into()),
        view: Some("graph".into()),
        sample: None,
        on_event: Some(Callback::from(move |e: EmbedEvent| seen.borrow_mut().push(e))),
        embed: None,
    };
    let root = mount_point();
    yew::Renderer::<Analyzer>::with_root_and_props(root.clone(), props).render();
    for _ in 0..100 {
        if !events.borrow().is_empty() {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(50)).await;
    }
    let got = events.borrow().clone();
    assert!(
        matches!(got.first(), Some(EmbedEvent::Error(m)) if m.contains("missing-profile-for-test.pb.gz")),
        "events: {got:?}"
    );
    assert_eq!(web_sys::window().unwrap().location().hash().unwrap(), hash_before, "the URL changed");
    assert!(
        root.query_selector("[data-testid=error-banner]").unwrap().is_some(),
        "no banner in the component"
    );
}

/// A worker script (as a blob URL for `window.__proflensWorkerUrl`) that
/// says it is ready, posts `messages` (postcard-encoded responses), then
/// throws `error` as an uncaught exception, as a trapped wasm worker does.
fn fake_worker(messages: &[proflens_web::protocol::Response], error: &str) -> String {
    use proflens_web::protocol::{encode, Response};
    let post = |r: &Response| format!("postMessage(new Uint8Array({:?}));", encode(r));
    let posts: String = std::iter::once(&Response::Ready).chain(messages).map(post).collect();
    let script = format!("{posts} setTimeout(() => {{ throw {error}; }}, 10);");
    let parts = js_sys::Array::of1(&script.into());
    let blob = web_sys::Blob::new_with_str_sequence(&parts).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

/// The events of a worker made from `script`, once it stopped.
async fn worker_events(script: String) -> Vec<proflens_web::ui::client::WorkerEvent> {
    use proflens_web::ui::client::{adopt_worker, WorkerEvent};
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &"__proflensWorkerUrl".into(), &script.into()).unwrap();
    // A spare another test warmed (from the page's script) goes first.
    drop(adopt_worker(|_| {}).unwrap());
    let events: Rc<RefCell<Vec<WorkerEvent>>> = Rc::default();
    let seen = events.clone();
    let client = adopt_worker(move |e| seen.borrow_mut().push(e)).unwrap();
    for _ in 0..100 {
        if client.stopped() {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }
    js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &"__proflensWorkerUrl".into())
        .unwrap();
    let got = events.borrow().clone();
    got
}

/// A worker whose wasm memory cannot grow is reported as out of memory,
/// not as "maybe too large".
#[wasm_bindgen_test]
async fn a_worker_out_of_memory_is_reported_as_such() {
    use proflens_web::ui::client::WorkerEvent;
    use proflens_web::ui::crash::Crash;
    let script =
        fake_worker(&[], "new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')");
    let events = worker_events(script).await;
    assert_eq!(events, [WorkerEvent::Stopped(Crash::OutOfMemory)]);
    let message = Crash::OutOfMemory.message("loading big.pb.gz");
    assert!(message.contains("ran out of memory") && !message.contains("may be too large"), "{message}");
}

/// A panic's message reaches the page, and the trap that follows it does
/// not turn it into something else.
#[wasm_bindgen_test]
async fn a_panicking_worker_reports_its_message() {
    use proflens_web::protocol::Response;
    use proflens_web::ui::client::WorkerEvent;
    use proflens_web::ui::crash::Crash;
    let panic = Response::Panicked("index out of bounds: the len is 3 but the index is 7".into());
    let script = fake_worker(&[panic], "new WebAssembly.RuntimeError('unreachable')");
    let events = worker_events(script).await;
    assert_eq!(
        events,
        [WorkerEvent::Stopped(Crash::Panic("index out of bounds: the len is 3 but the index is 7".into()))]
    );
}

/// A body read past its cap stops with the cap in the message; under the
/// cap, every byte arrives.
#[wasm_bindgen_test]
async fn bodies_are_read_up_to_the_cap() {
    use proflens_web::ui::fetch::read_capped;
    let bytes = js_sys::Uint8Array::new_with_length(5000);
    bytes.fill(7, 0, 5000);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes)).unwrap();
    // A stream: no Content-Length, so only counting can stop it.
    let streamed = || web_sys::Response::new_with_opt_readable_stream(Some(&blob.stream())).unwrap();
    let err = read_capped(&streamed(), "https://x/heap", 1000, &|_, _| {}).await.unwrap_err();
    assert!(err.starts_with("https://x/heap is more than 1 kB, over the 1 kB this page reads"), "{err}");
    let read = read_capped(&streamed(), "https://x/heap", 10_000, &|_, _| {}).await.unwrap();
    assert_eq!(js_sys::Uint8Array::new(&read).to_vec(), vec![7u8; 5000]);
    // A declared length over the cap is refused before reading.
    let init = web_sys::ResponseInit::new();
    let headers = web_sys::Headers::new().unwrap();
    headers.set("content-length", "2000000000").unwrap();
    init.set_headers(&headers);
    let declared = web_sys::Response::new_with_opt_blob_and_init(Some(&blob), &init).unwrap();
    let err = read_capped(&declared, "https://x/heap", 1000, &|_, _| {}).await.unwrap_err();
    assert!(err.starts_with("https://x/heap is 2 GB, over the 1 kB"), "{err}");
}

/// A worker that says it is ready and then idles.
fn idle_worker() -> proflens_web::ui::client::WorkerClient {
    let parts = js_sys::Array::of1(
        &format!(
            "postMessage(new Uint8Array({:?}));",
            proflens_web::protocol::encode(&proflens_web::protocol::Response::Ready)
        )
        .into(),
    );
    let blob = web_sys::Blob::new_with_str_sequence(&parts).unwrap();
    let url = web_sys::Url::create_object_url_with_blob(&blob).unwrap();
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &"__proflensWorkerUrl".into(), &url.into()).unwrap();
    // A spare another test warmed (from the page's script) goes first.
    drop(proflens_web::ui::client::adopt_worker(|_| {}).unwrap());
    let client = proflens_web::ui::client::adopt_worker(|_| {}).unwrap();
    js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &"__proflensWorkerUrl".into())
        .unwrap();
    client
}

/// When a worker stops, what was shown and the view state stay: a load
/// that crashes leaves the session before it; a session whose worker
/// crashes keeps its data on screen and says why nothing more comes.
#[wasm_bindgen_test]
async fn crashes_keep_what_was_shown_and_the_view_state() {
    use proflens_web::protocol::Stage;
    use proflens_web::protocol::{TopTable as TopData, ViewData};
    use proflens_web::ui::client::WorkerEvent;
    use proflens_web::ui::crash::Crash;
    use proflens_web::ui::model::{Action, Loaded, Loading, Model, Origin};
    use yew::functional::Reducible;

    let query = proflens_web::fragment::parse("top?sort=cum&f=main");
    let data = Rc::new(ViewData::Top(TopData {
        legend: vec!["File: leak".into()],
        rows: Vec::new(),
        sample_type: "inuse_space".into(),
    }));
    let loaded = Loaded {
        generation: 1,
        summary: summary(0, "heap.pb.gz"),
        client: Rc::new(idle_worker()),
        profiles: Rc::new(vec![summary(0, "heap.pb.gz")]),
        setup: Setup::default(),
        stopped: None,
    };
    let loading = Loading {
        generation: 2,
        file_name: "big.pb.gz".into(),
        stage: Stage::Decode,
        done: 1,
        total: 2,
        client: None,
        waiting: Some(vec![0]),
        added: Vec::new(),
        failures: Vec::new(),
        adding: false,
        origin: Origin::Files,
    };
    let model = Rc::new(Model {
        query: query.clone(),
        loaded: Some(loaded),
        loading: Some(loading),
        data: Some(data.clone()),
        ..Model::default()
    });
    let stopped = |generation, crash| Action::Worker { generation, event: WorkerEvent::Stopped(crash) };

    let m = model.reduce(stopped(2, Crash::OutOfMemory));
    assert!(m.loading.is_none());
    let l = m.loaded.as_ref().expect("the session before stays");
    assert_eq!((l.generation, l.stopped.is_none()), (1, true));
    assert_eq!((m.query.clone(), m.data.clone()), (query.clone(), Some(data.clone())));
    let error = m.error.clone().unwrap();
    assert!(error.starts_with("The analysis ran out of memory while loading big.pb.gz"), "{error}");
    assert!(error.ends_with("The profile shown before stays."), "{error}");

    let m = m.reduce(Action::Requested(5)).reduce(stopped(1, Crash::Panic("boom".into())));
    let why = m.loaded.as_ref().and_then(|l| l.stopped.clone()).expect("the session knows it stopped");
    assert!(why.contains("internal error while computing the Top view of heap.pb.gz: boom"), "{why}");
    assert!(why.contains("open the file again"), "{why}");
    assert_eq!((m.query.clone(), m.data.clone()), (query, Some(data)), "the view state and the data stay");
    // A late word from a worker that no longer matters changes nothing.
    let after = m.clone().reduce(stopped(7, Crash::OutOfMemory));
    assert_eq!(after.error, m.error);
}
