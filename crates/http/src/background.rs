//! Running a server without an async program around it: on the calling
//! thread until the process ends ([`run`]), or on a named thread of its own
//! with a handle to stop it ([`Background`]). Both use a current-thread
//! tokio runtime: these servers do little work per request, and what may
//! block goes to the runtime's (bounded) blocking pool.

use std::io;
use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::Router;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;

use crate::server::{serve, Limits};

fn runtime(name: &str, blocking_threads: usize) -> io::Result<Runtime> {
    Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .thread_name(name)
        .max_blocking_threads(blocking_threads.max(1))
        .build()
}

fn tokio_listener(listener: std::net::TcpListener) -> io::Result<tokio::net::TcpListener> {
    listener.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(listener)
}

/// Serves `router` on `listener` on this thread, until the process ends.
pub fn run(listener: std::net::TcpListener, router: Router, limits: Limits) -> io::Result<()> {
    let rt = runtime("proflens-http", 4)?;
    rt.block_on(async move {
        let listener = tokio_listener(listener)?;
        serve(listener, router, limits, std::future::pending()).await;
        Ok(())
    })
}

/// A server on a thread of its own. Dropping the handle leaves it running
/// until the process ends; [`Background::shutdown`] stops it.
#[derive(Debug)]
pub struct Background {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Starts serving `router` on `listener` on a new thread named `name`
    /// (its blocking pool, at most `blocking_threads` threads, has the same
    /// name).
    pub fn spawn(
        name: &str,
        listener: std::net::TcpListener,
        router: Router,
        limits: Limits,
        blocking_threads: usize,
    ) -> io::Result<Background> {
        let addr = listener.local_addr()?;
        let rt = runtime(name, blocking_threads)?;
        // Registering the listener needs the runtime's reactor.
        let listener = {
            let _entered = rt.enter();
            tokio_listener(listener)?
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let grace = limits.shutdown_grace;
        let thread = std::thread::Builder::new().name(name.to_string()).spawn(move || {
            rt.block_on(serve(listener, router, limits, async move {
                // A dropped handle is not a request to stop.
                if stopped.await.is_err() {
                    std::future::pending::<()>().await;
                }
            }));
            // Blocking work still running (a long profile) is not waited
            // for beyond the grace period.
            rt.shutdown_timeout(grace);
        })?;
        Ok(Background { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets requests in flight finish for the
    /// grace period ([`Limits::shutdown_grace`]), closes the rest and waits
    /// for the thread to end.
    pub fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
