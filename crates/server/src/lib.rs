//! motcua's HTTP service: the JSON API (`/api/v1`, described by OpenAPI), the Vietnamese web
//! pages, sessions and sign-in, metrics and health.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod error;
mod metrics_layer;
pub mod pages;
pub mod password;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use state::AppState;

/// The whole application: API, pages, static files, with its middleware.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api::routes().split_for_parts();
    let doc_json = doc.to_pretty_json().unwrap_or_default();
    let pages = Router::new()
        .route("/", get(pages::session::home))
        .route(
            "/login",
            get(pages::session::login_form).post(pages::session::login_submit),
        )
        .route("/logout", post(pages::session::logout))
        .route(
            "/password",
            get(pages::session::password_form).post(pages::session::password_submit),
        )
        .route("/units", get(pages::units::tree).post(pages::units::create))
        .route(
            "/units/{code}",
            get(pages::units::unit_page).post(pages::units::change),
        )
        .route("/users", get(pages::users::list).post(pages::users::create))
        .route("/audit", get(pages::audit::list))
        .route(
            "/calendar",
            get(pages::calendar::page).post(pages::calendar::submit),
        )
        .route("/reports/bieu-06", get(pages::reports::page))
        .route(
            "/reports/quarterly",
            get(pages::quarterly::page).post(pages::quarterly::download_report),
        )
        .route("/egov", get(pages::facts::page))
        .route("/units/{code}/facts", post(pages::facts::record))
        .route("/inbox", get(pages::dossiers::inbox))
        .route("/procedures", get(pages::procedures::list))
        .route("/procedures/{code}", get(pages::procedures::show))
        .route(
            "/dossiers/new",
            get(pages::dossiers::intake_form).post(pages::dossiers::intake_submit),
        )
        .route("/dossiers/{code}", get(pages::dossiers::dossier_page))
        .route(
            "/dossiers/{code}/attachments",
            post(pages::attachments::upload).layer(DefaultBodyLimit::max(
                // the file plus room for the form's other fields and the multipart framing
                state.config().limits.max_attachment_bytes + 64 * 1024,
            )),
        )
        .route(
            "/dossiers/{code}/attachments/{sha256}",
            get(pages::attachments::download),
        )
        .route(
            "/dossiers/{code}/actions",
            post(pages::dossiers::dossier_act),
        )
        .route("/dossiers/{code}/receipt", get(pages::dossiers::receipt))
        .route(
            "/dossiers/{code}/control-slip",
            get(pages::dossiers::control_slip),
        )
        .route(
            "/dossiers/{code}/notices/{version}",
            get(pages::dossiers::notice),
        )
        .route("/intake-slips/{id}", get(pages::dossiers::intake_slip))
        .route("/tra-cuu", get(pages::dossiers::track_form))
        .route(
            "/tra-cuu/{code}",
            get(pages::dossiers::track).post(pages::dossiers::rate),
        )
        .route("/static/app.css", get(stylesheet));
    let max_body = state.config().limits.max_body_bytes;
    Router::new()
        .merge(api)
        .merge(pages)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(fallback)
        .layer(Extension(api::system::OpenApiJson(Arc::new(doc_json))))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(error::plain_rejections))
        .layer(axum::middleware::from_fn(metrics_layer::record))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(
            // One structured line per request at info level: method, path, status, latency.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(CatchPanicLayer::custom(|_| {
            error::ApiError(motcua_domain::Error::internal()).into_response_boxed()
        }))
        .with_state(state)
}

impl error::ApiError {
    fn into_response_boxed(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response(self)
    }
}

/// API paths answer JSON 404; everything else gets the friendly page.
async fn fallback(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::ApiError(motcua_domain::Error::not_found(
            "route_not_found",
            "Không có địa chỉ API này.",
        ))
        .into_response()
    } else {
        pages::not_found().await
    }
}

/// A known address asked with a method it does not take: 405 (axum adds `Allow`) with our
/// error body, JSON under `/api/`, the error page elsewhere.
async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    let e = motcua_domain::Error::bad_request(
        "method_not_allowed",
        format!("Địa chỉ này không nhận yêu cầu {method}."),
    );
    error::answer_at(uri.path(), e, axum::http::StatusCode::METHOD_NOT_ALLOWED)
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    if let Some(addr) = state
        .config()
        .metrics_listen
        .clone()
        .filter(|a| !a.is_empty())
    {
        metrics_layer::install(&addr)?;
    }
    // Build the working calendar before taking requests, so invalid calendar settings stop
    // the start instead of failing the first deadline.
    state
        .calendar()
        .await
        .map_err(|e| std::io::Error::other(e.message))?;
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let app = app(state.clone());
    // The peer address feeds the public routes' per-client rate limit.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    housekeeping.abort();
    state.close().await;
    result
}

/// Removes expired sessions and old sign-in failures every few minutes.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        let now = state.now();
        let keep = now - time::Duration::days(1);
        if let Err(e) = state.prune(now, keep).await {
            tracing::warn!(error = %e, "housekeeping failed");
        }
        if let Err(e) = state.refresh_calendar().await {
            tracing::warn!(error = %e, "calendar refresh failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
