//! The axum router, nested at any path. This test binary has no sampling
//! allocator: heap answers 501 here (tests/heap.rs has one).

mod common;

use axum::routing::get;
use axum::Router;
use common::{get as fetch, request};
use proflens_agent::Config;

fn start(app: Router) -> std::net::SocketAddr {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr
}

#[test]
fn nested_router_serves_every_route() {
    let app = Router::new()
        .route("/", get(|| async { "the service" }))
        .nest_service("/debug/pprof", proflens_agent::axum::router(Config::default()));
    let addr = start(app);

    assert_eq!(fetch(addr, "/").text(), "the service");

    // The mount point without a slash: the same index, links through "pprof/".
    let r = fetch(addr, "/debug/pprof");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("href=\"pprof/heap\""), "{}", r.text());
    assert!(r.text().contains("href=\"pprof/ui/?url=../heap\""), "{}", r.text());

    let r = fetch(addr, "/debug/pprof/");
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert!(html.contains("<title>/debug/pprof/</title>"), "{html}");
    for name in ["allocs", "heap", "profile", "threads", "cmdline"] {
        assert!(html.contains(&format!(">{name}</a>")), "{name} missing from the index");
    }
    assert!(html.contains("href=\"ui/?url=../heap\""), "{html}");
    assert!(html.contains("href=\"ui/?url=../profile%3Fseconds%3D30\""), "{html}");

    let r = fetch(addr, "/debug/pprof/cmdline");
    assert_eq!(r.status, 200);
    let want: Vec<u8> = std::env::args().collect::<Vec<_>>().join("\0").into_bytes();
    assert_eq!(r.body, want);

    let r = fetch(addr, "/debug/pprof/heap");
    assert_eq!(r.status, 501);
    assert!(r.text().contains("SamplingAllocator"), "{}", r.text());

    let p = fetch(addr, "/debug/pprof/threads").profile();
    assert_eq!(p.sample_type_names(), vec!["threads"]);
    assert!(p.samples.len() > 1);

    let r = fetch(addr, "/debug/pprof/ui/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let r = fetch(addr, "/debug/pprof/ui");
    assert_eq!((r.status, r.header("location")), (301, Some("ui/")));

    let r = request(addr, "POST", "/debug/pprof/heap", &[]);
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));

    let r = fetch(addr, "/debug/pprof/goroutine");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("unknown profile \"goroutine\""), "{}", r.text());

    let r = fetch(addr, "/debug/pprof/heap?debug=7");
    assert_eq!(r.status, 400);
}

#[test]
fn nest_at_any_path_with_a_token() {
    // `nest` as in the issue: axum does not route "/admin/profiling/" then,
    // so the index is served at "/admin/profiling" with links through
    // "profiling/".
    let config = Config::default().token("s3cret");
    let app = Router::new().nest("/admin/profiling", proflens_agent::axum::router(config));
    let addr = start(app);
    let auth = [("Authorization", "Bearer s3cret")];
    assert_eq!(fetch(addr, "/admin/profiling").status, 401);
    let ok = request(addr, "GET", "/admin/profiling", &auth);
    assert_eq!(ok.status, 200);
    assert!(ok.text().contains("<title>/admin/profiling/</title>"), "{}", ok.text());
    assert!(ok.text().contains("href=\"profiling/threads\""), "{}", ok.text());
    let r = request(addr, "GET", "/admin/profiling/cmdline", &auth);
    assert_eq!(r.status, 200);
    let r = request(addr, "GET", "/admin/profiling/ui/", &auth);
    assert_eq!(r.status, 200);
}
