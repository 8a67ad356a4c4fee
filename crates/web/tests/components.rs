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
