//! The router, its layers and the serving loop.
//!
//! Layers, outermost first: a request span (`tracing`), the security headers, the metrics, the
//! conversion of bare error statuses into problem details, then (for every route but the
//! operations ones) the per-client rate limit, the request timeout and the body limit.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::limits::{Decision, REQUEST_BODY_BYTES_MAX, REQUEST_TIMEOUT};
use crate::problem::{ApiError, PROBLEM_CONTENT_TYPE};
use crate::routes;
use crate::state::AppState;

/// `Content-Security-Policy`: the API serves no scripts or frames; `/docs` will serve its own
/// files from the same origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'";
/// `X-Content-Type-Options`: browsers must not guess a type other than the one sent.
pub const CONTENT_TYPE_OPTIONS: &str = "nosniff";
/// `X-Frame-Options`: no page of corridor may be framed.
pub const FRAME_OPTIONS: &str = "DENY";
/// `Referrer-Policy`: a URL of corridor (which may name a case) never leaves in a referrer.
pub const REFERRER_POLICY: &str = "no-referrer";

/// The route label of a request no route matched.
const UNMATCHED_ROUTE: &str = "unmatched";

/// The whole server: every route with every layer.
pub fn router(state: AppState) -> Router {
    // Probes and scrapes come often and from one address, and must not be throttled into
    // looking like an outage; they are cheap and take no body.
    let operations = Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(routes::metrics));
    let public = Router::new()
        .route("/checkpoint", get(routes::checkpoint))
        .route("/tile/{*path}", get(routes::tile))
        .route("/api/agreements", get(routes::agreements))
        .fallback(routes::not_found)
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_BYTES_MAX))
        .layer(middleware::from_fn(timeout))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    operations
        .merge(public)
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static(CONTENT_TYPE_OPTIONS),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static(FRAME_OPTIONS)))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static(REFERRER_POLICY),
        ))
        .layer(
            // The span names the method and the route template only: never the raw path or
            // query (which may one day carry a name), headers or bodies.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    tracing::info_span!("request", method = %request.method(), route = route_of(request))
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then lets requests in flight finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "serving");
    }
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

fn route_of<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
}

/// The method as a metric label: the standard ones by name, anything else as `other`, so a
/// client cannot create label values at will.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts and times every request by route, method and status.
async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&request).to_owned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    state.metrics().request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Turns every error answer that is not yet a problem (a 404 or 405 from routing, a 413 from
/// the body limit, an extractor's rejection) into one, through [`ApiError::problem`], keeping
/// headers such as `Allow`.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_CONTENT_TYPE.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let problem = ApiError::Status(status).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in problem.headers() {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, problem.into_body())
}

/// Answers 503 when a request runs past [`REQUEST_TIMEOUT`].
async fn timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

/// Answers 429 when the client's bucket is empty.
async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Without connection info (a router driven directly, not served) every request shares one
    // bucket, which errs on the side of limiting.
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    match state.rate_limiter().check(client, Instant::now()) {
        Decision::Allowed => next.run(request).await,
        Decision::Limited {
            retry_after_seconds,
        } => ApiError::RateLimited {
            retry_after_seconds,
        }
        .into_response(),
    }
}
