//! Serving a router over HTTP/1.1 with hyper, under limits.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::Service;

use crate::io::StallGuard;

/// What a server puts up with from a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The whole request head (request line and headers) must arrive within
    /// this time from when the server starts waiting for it, however the
    /// client spaces its bytes; then the connection is closed. On a kept
    /// alive connection the wait for the next request counts too.
    pub request_deadline: Duration,
    /// The largest request head, in bytes (431 beyond it).
    pub max_head_bytes: usize,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// A response write that makes no progress for this long closes the
    /// connection (a client that does not read).
    pub write_stall: Duration,
    /// On shutdown, how long requests in flight may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    /// 10 s for a request head of at most 16 KiB, 64 connections, 30 s of
    /// write stall, 5 s of grace.
    fn default() -> Self {
        Limits {
            request_deadline: Duration::from_secs(10),
            max_head_bytes: 16 * 1024,
            max_connections: 64,
            write_stall: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

fn http1_builder(limits: &Limits) -> http1::Builder {
    let mut b = http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(limits.request_deadline)
        .max_header_size(limits.max_head_bytes)
        // A client that half-closes after its request still gets the answer.
        .half_close(true)
        .keep_alive(true);
    b
}

/// Serves `router` on `listener` until `stop` completes, then lets
/// connections finish for [`Limits::shutdown_grace`] and returns.
///
/// Each request carries the peer's address as
/// `axum::extract::ConnectInfo<SocketAddr>`, as with axum's
/// `into_make_service_with_connect_info::<SocketAddr>()`.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, stop: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, closing_rx) = watch::channel(false);
    let builder = http1_builder(&limits);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p,
            () = &mut stop => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut stop => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(_) => {
                // Out of file descriptors and the like: back off a little.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let connection = Connection {
            builder: builder.clone(),
            router: router.clone(),
            write_stall: limits.write_stall,
            closing: closing_rx.clone(),
            _permit: permit,
        };
        tokio::spawn(connection.run(stream, peer));
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a slot: all slots back means all are done.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all)).await;
}

/// One accepted connection and what it needs.
struct Connection {
    builder: http1::Builder,
    router: Router,
    write_stall: Duration,
    closing: watch::Receiver<bool>,
    /// Returned to the server's count when the connection ends.
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(mut self, stream: TcpStream, peer: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(StallGuard::new(stream, self.write_stall));
        let router = self.router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            // A Router is always ready: calling it without poll_ready is fine.
            let mut router = router.clone();
            async move {
                Ok::<_, Infallible>(router.call(req.map(Body::new)).await.unwrap_or_else(|e| match e {}))
            }
        });
        let conn = self.builder.serve_connection(io, service);
        tokio::pin!(conn);
        let closing = async {
            // Ends when the server closes (or is gone).
            let _ = self.closing.wait_for(|c| *c).await.map(|_| ());
        };
        tokio::select! {
            _ = conn.as_mut() => {}
            () = closing => {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        }
    }
}
