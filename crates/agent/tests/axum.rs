//! The axum router, nested at any path. This test binary has no sampling
//! allocator: heap answers 501 here (tests/heap.rs has one).

mod common;

use axum::routing::get;
use axum::Router;
use common::{get as fetch, request};
use proflens_agent::Config;

/// Serves `app` as the docs say to: with the peer's address.
fn start(app: Router) -> std::net::SocketAddr {
    serve_app(app, true)
}

/// Serves `app` with `axum::serve(listener, app)`: no peer addresses.
fn start_without_connect_info(app: Router) -> std::net::SocketAddr {
    serve_app(app, false)
}

fn serve_app(app: Router, connect_info: bool) -> std::net::SocketAddr {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            if connect_info {
                let make = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
                axum::serve(listener, make).await.unwrap();
            } else {
                axum::serve(listener, app).await.unwrap();
            }
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
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));

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

/// One request straight into the router (no network), as from `peer`
/// (`None`: a server that does not pass peer addresses).
fn call(router: Router, target: &str, host: &str, peer: Option<std::net::SocketAddr>) -> (u16, String) {
    use axum::extract::ConnectInfo;
    use tower::ServiceExt;
    let mut req =
        axum::http::Request::get(target).header("host", host).body(axum::body::Body::empty()).unwrap();
    if let Some(peer) = peer {
        req.extensions_mut().insert(ConnectInfo(peer));
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let r = router.oneshot(req).await.unwrap();
        let status = r.status().as_u16();
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
}

#[test]
fn the_router_refuses_remote_peers_without_a_token() {
    let remote: std::net::SocketAddr = "192.0.2.7:40000".parse().unwrap();
    let local: std::net::SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let local6: std::net::SocketAddr = "[::1]:40000".parse().unwrap();
    let router = || proflens_agent::axum::router::<()>(Config::default());

    let (status, body) = call(router(), "/cmdline", "127.0.0.1:6060", Some(remote));
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("192.0.2.7") && body.contains("allow_remote"), "{body}");
    assert_eq!(call(router(), "/cmdline", "127.0.0.1:6060", Some(local)).0, 200);
    assert_eq!(call(router(), "/cmdline", "localhost", Some(local6)).0, 200);

    // No peer address (axum::serve without connect info): refused, with the fix.
    let (status, body) = call(router(), "/cmdline", "127.0.0.1:6060", None);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("into_make_service_with_connect_info::<SocketAddr>()"), "{body}");

    // allow_remote(true), or a token, lets remote peers in (and then the
    // Host header is theirs to choose).
    let open = proflens_agent::axum::router::<()>(Config::default().allow_remote(true));
    assert_eq!(call(open, "/cmdline", "profiler.example:6060", Some(remote)).0, 200);
    let guarded = proflens_agent::axum::router::<()>(Config::default().token("t0k"));
    assert_eq!(call(guarded, "/cmdline", "profiler.example", Some(remote)).0, 401);
}

#[test]
fn the_router_checks_the_host_like_serve() {
    let local: std::net::SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let router = || proflens_agent::axum::router::<()>(Config::default());
    let (status, body) = call(router(), "/cmdline", "evil.example", Some(local));
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Host"), "{body}");
    let r = proflens_agent::axum::router::<()>(Config::default().allow_host("devbox"));
    assert_eq!(call(r, "/cmdline", "devbox:8080", Some(local)).0, 200);
}

#[test]
fn served_with_connect_info_over_tcp() {
    let app = Router::new().nest_service("/debug/pprof", proflens_agent::axum::router(Config::default()));
    let addr = start(app.clone());
    assert_eq!(fetch(addr, "/debug/pprof/cmdline").status, 200);
    // Without connect info the router cannot tell a local peer from a remote one.
    let addr = start_without_connect_info(app);
    let r = fetch(addr, "/debug/pprof/cmdline");
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("into_make_service_with_connect_info"), "{}", r.text());
}

/// `tasks` dumps the app's runtime when mounted in an app, the configured
/// runtime under `serve`, and never the built-in server's own runtime.
/// Runs with `RUSTFLAGS="--cfg tokio_unstable"` and feature tokio-taskdump.
#[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
#[test]
fn tasks_dump_the_apps_runtime_never_the_agents() {
    let app = Router::new().nest_service("/debug/pprof", proflens_agent::axum::router(Config::default()));
    let addr = start(app);
    let r = fetch(addr, "/debug/pprof/tasks?debug=1");
    assert_eq!(r.status, 200, "{}", r.text());

    let server = proflens_agent::serve_with("127.0.0.1:0", Config::default()).unwrap();
    let r = fetch(server.local_addr(), "/debug/pprof/tasks");
    assert_eq!(r.status, 501, "{}", r.text());
    assert!(r.text().contains("Config::tokio_handle"), "{}", r.text());
    server.shutdown();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    rt.spawn(async { tokio::time::sleep(std::time::Duration::from_secs(60)).await });
    let config = Config::default().tokio_handle(rt.handle().clone());
    let server = proflens_agent::serve_with("127.0.0.1:0", config).unwrap();
    let r = fetch(server.local_addr(), "/debug/pprof/tasks?debug=1");
    assert_eq!(r.status, 200, "{}", r.text());
    server.shutdown();
}
