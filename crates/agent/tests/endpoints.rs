//! The built-in server (`serve_with`): every route, CPU profiles, thread
//! dumps, parameter checks and the bearer token. This binary has no
//! sampling allocator, so heap answers 501 here (tests/heap.rs has one).

mod common;

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::{get, label, request, stack_names, sum_where, type_index};
use proflens_agent::Config;

/// CPU profiles are process-wide: the tests that take one run one at a time.
static CPU: Mutex<()> = Mutex::new(());

fn start(config: Config) -> proflens_agent::Server {
    proflens_agent::serve_with("127.0.0.1:0", config).expect("start the agent")
}

#[test]
fn every_route_answers() {
    let server = start(Config::default());
    let addr = server.local_addr();
    assert_eq!(server.url(), format!("http://{addr}/debug/pprof/"));

    for path in ["/debug/pprof/", "/debug/pprof"] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
        let html = r.text();
        for name in ["allocs", "heap", "profile", "threads", "cmdline"] {
            assert!(html.contains(&format!(">{name}</a>")), "{name} missing from the index at {path}");
        }
    }
    // Links are relative to the page they are on.
    assert!(get(addr, "/debug/pprof/").text().contains("href=\"ui/?url=../heap\""));
    assert!(get(addr, "/debug/pprof").text().contains("href=\"pprof/ui/?url=../heap\""));

    let r = get(addr, "/debug/pprof/cmdline");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, std::env::args().collect::<Vec<_>>().join("\0").into_bytes());

    // No sampling allocator in this binary.
    for p in ["heap", "allocs"] {
        let r = get(addr, &format!("/debug/pprof/{p}"));
        assert_eq!(r.status, 501, "{p}");
        assert!(r.text().contains("#[global_allocator]"), "{}", r.text());
    }

    let p = get(addr, "/debug/pprof/threads").profile();
    assert_eq!(p.sample_type_names(), vec!["threads"]);
    assert!(get(addr, "/debug/pprof/threads?debug=1").text().starts_with("threads profile: total "));
    assert!(get(addr, "/debug/pprof/threads?debug=2").text().starts_with("thread "));

    // Without feature tokio-taskdump and --cfg tokio_unstable: 501 with the reason.
    let r = get(addr, "/debug/pprof/tasks");
    if !cfg!(tokio_unstable) {
        assert_eq!(r.status, 501);
        assert!(r.text().contains("task dumps"), "{}", r.text());
    }

    let r = get(addr, "/debug/pprof/ui/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let r = get(addr, "/debug/pprof/ui");
    assert_eq!((r.status, r.header("location")), (301, Some("ui/")));

    let r = get(addr, "/debug/pprof/goroutine");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("unknown profile \"goroutine\""), "{}", r.text());
    assert_eq!(get(addr, "/elsewhere").status, 404);
    assert_eq!(get(addr, "/debug/pprofx").status, 404);

    let r = request(addr, "POST", "/debug/pprof/heap", &[]);
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    server.shutdown();
}

#[test]
fn bad_parameters_get_400_with_a_reason() {
    let server = start(Config::default().max_seconds(5));
    let addr = server.local_addr();
    for (target, reason) in [
        ("/debug/pprof/profile?seconds=abc", "whole number"),
        ("/debug/pprof/profile?seconds=0", "whole number"),
        ("/debug/pprof/profile?seconds=6", "the maximum is 5"),
        ("/debug/pprof/profile?seconds=-1", "whole number"),
        ("/debug/pprof/profile?debug=1", "profile takes debug 0"),
        ("/debug/pprof/heap?debug=9", "heap takes debug 0, 1"),
        ("/debug/pprof/heap?seconds=99999999999999999999", "whole number"),
        ("/debug/pprof/threads?debug=3", "threads takes debug 0, 1, 2"),
        ("/debug/pprof/threads?seconds=1", "snapshot"),
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 400, "{target}: {}", r.text());
        assert!(r.text().contains(reason), "{target}: {}", r.text());
    }
    server.shutdown();
}

#[test]
fn a_bearer_token_guards_every_route() {
    let server = start(Config::default().token("s3cret"));
    let addr = server.local_addr();
    for path in ["/debug/pprof/", "/debug/pprof/threads", "/debug/pprof/cmdline", "/debug/pprof/ui/"] {
        let r = get(addr, path);
        assert_eq!(r.status, 401, "{path}");
        assert!(r.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")));
        let r = request(addr, "GET", path, &[("Authorization", "Bearer wrong")]);
        assert_eq!(r.status, 401, "{path}");
        assert!(r.text().contains("wrong bearer token"));
        let r = request(addr, "GET", path, &[("Authorization", "Bearer s3cret")]);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    // Another scheme is no token.
    let r = request(addr, "GET", "/debug/pprof/", &[("Authorization", "Basic czNjcmV0")]);
    assert_eq!(r.status, 401);
    server.shutdown();
}

#[test]
fn remote_addresses_need_allow_remote() {
    let err = proflens_agent::serve("0.0.0.0:0").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
}

/// The busy function the CPU profile must name.
#[inline(never)]
fn proflens_test_busy_spin(stop: &AtomicBool) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..10_000 {
            x = black_box(x.wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(17) ^ 0x5bd1);
        }
    }
    x
}

/// Waits until the index says a CPU profile is running.
fn wait_running(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !get(addr, "/debug/pprof/").text().contains("1 running") {
        assert!(Instant::now() < deadline, "the CPU profile did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn cpu_profile_names_the_busy_function_and_runs_one_at_a_time() {
    let _one = CPU.lock().unwrap_or_else(|e| e.into_inner());
    let server = start(Config::default());
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let busy = std::thread::Builder::new()
        .name("busy-worker".into())
        .spawn(move || black_box(proflens_test_busy_spin(&stop2)))
        .unwrap();

    // A 1 s profile of a process whose only busy thread spins in one
    // function: at 100 Hz, about 100 samples, nearly all of them there. The
    // test asks for at least 5 and a majority; a machine too loaded to give
    // that gets two more tries.
    let mut last = String::new();
    let mut found = false;
    for attempt in 0..3 {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || tx.send(get(addr, "/debug/pprof/profile?seconds=1")).unwrap());
        if attempt == 0 {
            // Meanwhile, a second profile is refused.
            wait_running(addr);
            let r = get(addr, "/debug/pprof/profile?seconds=1");
            assert_eq!(r.status, 409, "{}", r.text());
            assert!(r.text().contains("only one can run at a time"), "{}", r.text());
        }
        let p = rx.recv_timeout(Duration::from_secs(30)).expect("the profile answers").profile();
        assert_eq!(p.sample_type_names(), vec!["samples", "cpu"]);
        assert_eq!(p.period, 10_000_000, "100 Hz");
        assert!(p.duration_nanos >= 1_000_000_000);
        let t = type_index(&p, "samples");
        let total: i64 = (0..p.samples.len()).map(|i| p.samples.value(i, t)).sum();
        let busy_samples = sum_where(&p, "samples", "proflens_test_busy_spin");
        // The busy thread's samples carry its name.
        let labelled = (0..p.samples.len())
            .filter(|&i| stack_names(&p, i).iter().any(|n| n.contains("proflens_test_busy_spin")))
            .all(|i| label(&p, i, "thread").as_deref() == Some("busy-worker"));
        // The profiler's own frames are not at the leaf end.
        let leaf_is_profiler = (0..p.samples.len()).any(|i| {
            stack_names(&p, i).first().is_some_and(|n| n.starts_with("backtrace::") || n.contains("pprof"))
        });
        assert!(!leaf_is_profiler, "the profiler's frames are in the stacks");
        last = format!("attempt {attempt}: {busy_samples} of {total} samples in proflens_test_busy_spin");
        if busy_samples >= 5 && 2 * busy_samples > total && labelled {
            found = true;
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    busy.join().unwrap();
    assert!(found, "{last}");
    // The lock is free again once the profile is done.
    assert!(!get(addr, "/debug/pprof/").text().contains("1 running"));
    server.shutdown();
}

/// The function the named thread is parked in.
#[inline(never)]
fn proflens_test_parked_here(rx: mpsc::Receiver<()>) {
    black_box(rx.recv().ok());
}

#[test]
fn threads_lists_a_named_thread_parked_in_a_known_function() {
    let server = start(Config::default());
    let addr = server.local_addr();
    let (tx, rx) = mpsc::channel::<()>();
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let parked = std::thread::Builder::new()
        .name("parked-tester".into())
        .spawn(move || {
            ready_tx.send(()).unwrap();
            proflens_test_parked_here(rx)
        })
        .unwrap();
    ready_rx.recv().unwrap();

    // The thread may not have reached its wait yet: look again until it has
    // (with a deadline).
    let deadline = Instant::now() + Duration::from_secs(10);
    let stack = loop {
        let p = get(addr, "/debug/pprof/threads").profile();
        let mine = (0..p.samples.len()).find(|&i| label(&p, i, "thread").as_deref() == Some("parked-tester"));
        let names = mine.map(|i| stack_names(&p, i)).unwrap_or_default();
        if names.iter().any(|n| n.contains("proflens_test_parked_here")) {
            break names;
        }
        assert!(Instant::now() < deadline, "parked-tester not found parked: {names:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    // Leaf first: the wait is below the known function, the thread's
    // start is above it, and the signal handler is not in the stack.
    let at = stack.iter().position(|n| n.contains("proflens_test_parked_here")).unwrap();
    assert!(at > 0, "{stack:?}");
    assert!(!stack.iter().any(|n| n.contains("proflens_agent::threads")), "{stack:?}");

    let grouped = get(addr, "/debug/pprof/threads?debug=1").text();
    assert!(grouped.contains("# labels: {\"thread\":\"parked-tester\"}"), "{grouped}");
    assert!(grouped.contains("proflens_test_parked_here"), "{grouped}");
    let full = get(addr, "/debug/pprof/threads?debug=2").text();
    let entry = full.split("\n\n").find(|t| t.contains("\"parked-tester\"")).expect("the thread is listed");
    assert!(entry.contains("[sleeping]"), "{entry}");
    assert!(entry.contains("proflens_test_parked_here"), "{entry}");

    drop(tx);
    parked.join().unwrap();
    server.shutdown();
}
