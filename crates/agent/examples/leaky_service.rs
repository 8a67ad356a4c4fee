//! A small HTTP service with proflens-agent mounted, and a memory leak.
//!
//! Normal churn: an `/api/items` handler behind a bounded cache, two client
//! threads calling it, and CPU work (hashing, sorting). The leak, the same
//! as in tests/fixtures/go/src/gen/leak/main.go: `flush_event` loops on
//! `ctx = reset_log_id(ctx); flush(&ctx)`, and `reset_log_id` calls
//! `set_ctx_value`, which wraps the context in a new `with_value` node that
//! points at its parent, so the context chain grows without end.
//!
//! ```sh
//! cargo run -p proflens-agent --example leaky_service [-- --addr 127.0.0.1:6060] [--sample-rate BYTES] [--address-only]
//! ```
//!
//! then open http://127.0.0.1:6060/debug/pprof/ and "open in proflens" next to heap.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::Query;
use axum::routing::get;
use axum::Router;

#[global_allocator]
static ALLOC: proflens_agent::SamplingAllocator = proflens_agent::SamplingAllocator::system();

// ---------------------------------------------------------------------------
// The leak.

const LOG_ID: &str = "K_LOGID";
const TRACE_ID: &str = "K_TRACEID";

static LOG_SEQ: AtomicU64 = AtomicU64::new(0);
static FLUSHES: AtomicU64 = AtomicU64::new(0);

/// A context node: one key and value, and the context it was derived from.
struct Ctx {
    parent: Option<Arc<Ctx>>,
    key: &'static str,
    value: String,
}

impl Ctx {
    fn background() -> Arc<Ctx> {
        Arc::new(Ctx { parent: None, key: "", value: String::new() })
    }

    /// The nearest value for `key`, walking up the chain.
    fn value(&self, key: &str) -> Option<&str> {
        let mut c = self;
        loop {
            if c.key == key {
                return Some(&c.value);
            }
            c = c.parent.as_deref()?;
        }
    }
}

/// Derives a context carrying `key = value` (Go's context.WithValue).
#[inline(never)]
fn with_value(parent: Arc<Ctx>, key: &'static str, value: String) -> Arc<Ctx> {
    Arc::new(Ctx { parent: Some(parent), key, value })
}

/// A thin wrapper around with_value.
#[inline(never)]
fn set_ctx_value(ctx: Arc<Ctx>, key: &'static str, value: String) -> Arc<Ctx> {
    with_value(ctx, key, value)
}

/// Generates a fresh log id and stores it in the context.
#[inline(never)]
fn reset_log_id(ctx: Arc<Ctx>) -> Arc<Ctx> {
    let seq = LOG_SEQ.fetch_add(1, Ordering::Relaxed) + 1;
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let id = format!("{secs}{:06}{:08x}", seq % 1_000_000, mix(seq) as u32);
    set_ctx_value(ctx, LOG_ID, id)
}

/// Writes the pending event for the current log id.
#[inline(never)]
fn flush(ctx: &Ctx, sink: &mut Vec<u8>) {
    let n = FLUSHES.fetch_add(1, Ordering::Relaxed) + 1;
    sink.extend_from_slice(b"event logid=");
    sink.extend_from_slice(ctx.value(LOG_ID).unwrap_or("").as_bytes());
    sink.push(b'\n');
    if n % 4096 == 0 {
        // The trace id lives at the very bottom of the ever-growing chain:
        // this lookup is O(chain length).
        sink.extend_from_slice(ctx.value(TRACE_ID).unwrap_or("").as_bytes());
        sink.clear();
    }
    if n % 16 == 0 {
        std::thread::sleep(Duration::from_millis(1)); // the flush interval
    }
}

/// Started once; "resets" the log id for every batch of events by deriving
/// a new context from the previous one: one more node per iteration, forever.
#[inline(never)]
fn flush_event(mut ctx: Arc<Ctx>) {
    let mut sink = Vec::with_capacity(64 << 10);
    loop {
        ctx = reset_log_id(ctx);
        flush(&ctx, &mut sink);
    }
}

// ---------------------------------------------------------------------------
// Normal churn: a bounded cache behind an HTTP handler.

struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    payload: Vec<u8>,
}

struct BoundedCache {
    max: usize,
    items: HashMap<u64, Arc<Item>>,
    keys: Vec<u64>,
}

static CACHE: Mutex<Option<BoundedCache>> = Mutex::new(None);

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[inline(never)]
fn load_item(id: u64) -> Item {
    let mut payload = vec![0u8; 512];
    for (i, b) in payload.iter_mut().enumerate() {
        *b = mix(id ^ i as u64) as u8;
    }
    let tags = (0..1 + id % 4).map(|i| format!("tag-{}", id % 97 + i)).collect();
    Item { id, name: format!("item-{id}"), tags, payload }
}

fn cached_item(id: u64) -> Arc<Item> {
    let mut guard = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache =
        guard.get_or_insert_with(|| BoundedCache { max: 1024, items: HashMap::new(), keys: Vec::new() });
    if let Some(it) = cache.items.get(&id) {
        return it.clone();
    }
    let it = Arc::new(load_item(id));
    if cache.items.len() >= cache.max {
        let victim = (mix(id) as usize) % cache.keys.len();
        let key = cache.keys.swap_remove(victim);
        cache.items.remove(&key);
    }
    cache.items.insert(id, it.clone());
    cache.keys.push(id);
    it
}

async fn handle_items(Query(q): Query<HashMap<String, String>>) -> (axum::http::StatusCode, String) {
    let Some(id) = q.get("id").and_then(|v| v.parse::<u64>().ok()) else {
        return (axum::http::StatusCode::BAD_REQUEST, "bad id\n".into());
    };
    let it = cached_item(id);
    let sum: u64 = it.payload.iter().map(|&b| u64::from(b)).sum();
    let body = format!(
        "{{\"id\":{},\"name\":\"{}\",\"tags\":[{}],\"sum\":{}}}\n",
        it.id,
        it.name,
        it.tags.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(","),
        sum
    );
    (axum::http::StatusCode::OK, body)
}

fn client_loop(addr: String, seed: u64) {
    let mut x = seed;
    loop {
        x = mix(x);
        let id = x % 20_000;
        if let Ok(mut s) = TcpStream::connect(&addr) {
            let req = format!("GET /api/items?id={id} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let _ = s.write_all(req.as_bytes());
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

// ---------------------------------------------------------------------------
// CPU work.

#[inline(never)]
fn hash_chunks(buf: &[u8], rounds: usize) -> u64 {
    let mut acc = 0xcbf2_9ce4_8422_2325u64;
    for _ in 0..rounds {
        for chunk in buf.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            acc = mix(acc ^ u64::from_le_bytes(w));
        }
    }
    acc
}

fn hash_worker() {
    let buf: Vec<u8> = (0..256 << 10).map(|i| mix(i as u64) as u8).collect();
    loop {
        std::hint::black_box(hash_chunks(&buf, 2));
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[inline(never)]
fn sort_records(seed: u64, n: usize) -> Vec<(String, u64)> {
    let mut recs: Vec<(String, u64)> =
        (0..n as u64).map(|i| (mix(seed ^ i).to_string(), mix(i) % 1000)).collect();
    recs.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    recs
}

fn sort_worker() {
    let mut seed = 2u64;
    loop {
        seed = mix(seed);
        let mut ints: Vec<u64> = (0..50_000).map(|i| mix(seed ^ i)).collect();
        ints.sort_unstable();
        std::hint::black_box(&ints);
        std::hint::black_box(sort_records(seed, 20_000));
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------------------

fn main() {
    let mut addr = "127.0.0.1:6060".to_string();
    let mut config = proflens_agent::Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => addr = args.next().unwrap_or(addr),
            "--sample-rate" => {
                let rate = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                    eprintln!("--sample-rate wants a number of bytes");
                    std::process::exit(2)
                });
                proflens_agent::heap::set_sample_rate(rate);
            }
            // Profiles with addresses and mappings only, for a symbolizer.
            "--address-only" => config = config.symbolize(false),
            other => {
                eprintln!(
                    "unknown argument {other}; usage: leaky_service [--addr HOST:PORT] [--sample-rate BYTES] \
                     [--address-only]"
                );
                std::process::exit(2);
            }
        }
    }

    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap_or_else(
            |e| {
                eprintln!("cannot start the runtime: {e}");
                std::process::exit(1)
            },
        );
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await.unwrap_or_else(|e| {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1)
        });
        let actual = listener.local_addr().map(|a| a.to_string()).unwrap_or(addr);
        println!("listening on http://{actual}/debug/pprof/");
        let _ = std::io::stdout().flush();

        let app = Router::new()
            .route("/api/items", get(handle_items))
            .nest_service("/debug/pprof", proflens_agent::axum::router(config));

        // The leak.
        let root = with_value(Ctx::background(), TRACE_ID, "trace-0f1e2d3c4b5a6978".into());
        spawn("flush-event", move || flush_event(root));
        // Normal load.
        for i in 0..2 {
            let a = actual.clone();
            spawn("client", move || client_loop(a, 100 + i));
        }
        spawn("hash-worker", hash_worker);
        spawn("sort-worker", sort_worker);

        // The agent's router answers loopback clients only, so it needs
        // each client's address.
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server error: {e}");
        }
    });
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(f) {
        eprintln!("cannot start thread {name}: {e}");
    }
}
