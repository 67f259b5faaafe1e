//! The connection loop. `axum::serve` has no knob for slow clients, so a client that opens a
//! connection and sends its headers a byte a minute (or never sends another request on a
//! kept-alive connection) held a task and a socket forever. Here hyper gets a timer: the request
//! head must arrive within `header_read`, which also bounds how long an idle keep-alive
//! connection stays open, and shutdown lets in-flight requests finish.
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// Time allowed for a request's head to arrive, and for an idle kept-alive connection.
    pub header_read: Duration,
    /// How long shutdown waits for in-flight requests before giving up on them.
    pub drain: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits { header_read: Duration::from_secs(10), drain: Duration::from_secs(30) }
    }
}

/// Serves `app` on `listener` until `shutdown` completes. Every request carries the peer address
/// as `ConnectInfo<SocketAddr>` (what throttles key on).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read).keep_alive(true);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(Some(limits.header_read));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // Timeouts and clients that went away: routine, not worth more than debug.
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain) => {
            tracing::warn!("in-flight requests did not finish in {:?}; stopping anyway", limits.drain);
        }
    }
    Ok(())
}
