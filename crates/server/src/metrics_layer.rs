//! Prometheus metrics, served on their own listener (`--metrics-listen`) so they never share
//! a port with the public service.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::PrometheusBuilder;

/// Counts requests and their latency per route pattern (not per URL, to bound the labels).
pub async fn record(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("motcua_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("motcua_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

pub fn install(addr: &str) -> std::io::Result<()> {
    let socket: std::net::SocketAddr = addr.parse().map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("invalid metrics address {addr}"),
        )
    })?;
    PrometheusBuilder::new()
        .with_http_listener(socket)
        .install()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    tracing::info!(%socket, "metrics listener started");
    Ok(())
}
