//! The router, its layers and the serving loop.
//!
//! Layers, outermost first: a request span (`tracing`), the security headers, the metrics,
//! `Cache-Control: no-store` on every private answer, the conversion of bare error statuses into
//! problem details, the header and request-target limits (431, 414), then (for every route but the
//! operations ones) the per-client rate limit, the request timeout and the body limit.
//!
//! With a witness ([`crate::ServerConfig::witness`]), `POST /add-checkpoint` is the witness crate's
//! own router ([`corridor_witness::router`]), mounted beside the public routes: behind the same
//! span, security headers, metrics, rate limit and timeout, but with its own body limit and its
//! own answers, which speak C2SP tlog-witness (`text/plain`, `text/x.tlog.size`) and are never
//! turned into problem details. Without a witness the path is unknown: 404, as any other.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use corridor_witness::WitnessState;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::limits::{
    Decision, REQUEST_BODY_BYTES_MAX, REQUEST_HEADER_BYTES_MAX, REQUEST_HEADERS_MAX,
    REQUEST_TIMEOUT, REQUEST_URI_BYTES_MAX,
};
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

/// The path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// Where the vendored Swagger UI is served.
pub const DOCS_PATH: &str = "/docs";

/// `Content-Security-Policy` of the Swagger UI pages: its stylesheet sets inline styles and
/// its images are data URIs; scripts still come only from this origin.
pub const DOCS_CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

/// The document's frame: title, version, security schemes.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "corridor",
        description = "Third-country transfer arrangements with the safeguards enforced, every step in a public transparency log. Errors are RFC 9457 problem details; refusals carry the core's stable codes. Commands on a case need `If-Match` with the case's `ETag`. Browser sessions (cookie `corridor_session`) send `X-CSRF-Token` on every request that changes something; machines send `Authorization: Bearer <token>`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    // Served outside the rate limit (see `router`), or on a path OpenAPI cannot name.
    paths(routes::healthz, routes::readyz, routes::metrics, routes::tile)
)]
struct Document;

/// The witness's part of the document, present when the server serves a witness: its routes
/// (`POST /add-checkpoint`, `GET /{origin_hash}/checkpoint`) are the witness crate's router (see
/// [`router`]), so they are documented here, not through `routes!`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(routes::add_checkpoint, routes::monitoring_checkpoint))]
struct WitnessDocument;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The session cookie set by `POST /api/session`",
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `corridor user token` or `POST /api/users/{user}/tokens`"))
                    .build(),
            ),
        );
    }
}

/// Every rate-limited route with its part of the OpenAPI document, added through
/// `utoipa_axum::routes!` so that such a route cannot exist without its document. The
/// operations routes and the tile route are documented in `Document` and routed in [`router`];
/// so is `POST /add-checkpoint`, in the document only `with_witness` (the server serves a
/// witness).
pub fn documented(with_witness: bool) -> OpenApiRouter<AppState> {
    let mut document = <Document as utoipa::OpenApi>::openapi();
    if with_witness {
        document.merge(<WitnessDocument as utoipa::OpenApi>::openapi());
    }
    OpenApiRouter::with_openapi(document)
        .routes(routes!(routes::checkpoint))
        .merge(crate::access::router())
        .merge(crate::agreements::router())
        .merge(crate::cases::router())
        .merge(crate::complaints::router())
        .merge(crate::holds::router())
        .merge(crate::monitoring::router())
        .merge(crate::queues::router())
        .merge(crate::reports::router())
        .merge(crate::session::router())
        .merge(crate::statistics::router())
        .merge(crate::users::router())
}

/// The OpenAPI 3.1 document of every route of a server that serves a witness (`with_witness`)
/// or not: the document `/openapi.json` serves.
pub fn openapi(with_witness: bool) -> utoipa::openapi::OpenApi {
    documented(with_witness).split_for_parts().1
}

/// The whole server: every route with every layer, and no web pages.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The whole server with `pages` (the web interface, `corridor-web`) merged into its public,
/// rate-limited part: under the same body limit, timeout, rate limit, `no_store`, metrics,
/// security headers and request spans as the API. A page sets its own
/// `Content-Security-Policy`, which the server's default does not override, and its error
/// answers are HTML pages, which [`problem_for_bare_errors`] leaves as they are.
pub fn router_with(state: AppState, pages: Router<AppState>) -> Router {
    let (api, document) = documented(state.witness().is_some()).split_for_parts();
    // Probes and scrapes come often and from one address, and must not be throttled into
    // looking like an outage; they are cheap and take no body.
    let operations = Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(routes::metrics));
    let docs: Router<AppState> =
        Router::from(utoipa_swagger_ui::SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, document))
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DOCS_CONTENT_SECURITY_POLICY),
            ));
    let mut public = api
        // The tile path has many segments, which OpenAPI cannot name: the document lists it
        // as `/tile/{path}` (see `Document`), the router matches the rest of the path.
        .route("/tile/{*path}", get(routes::tile))
        .merge(docs)
        .merge(pages.layer(middleware::map_response(mark_own_protocol)))
        .fallback(routes::not_found)
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_BYTES_MAX));
    if let Some(witness) = state.witness() {
        // Merged after the API's body limit, so that only the witness's own applies to it.
        public = public.merge(witness_routes(witness.clone()));
    }
    let public = public
        .layer(middleware::from_fn(timeout))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    operations
        .merge(public)
        .layer(middleware::from_fn(transport_limits))
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(middleware::from_fn(no_store))
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

/// The witness's router as it is, its every answer marked [`OwnProtocol`].
fn witness_routes(witness: WitnessState) -> Router<AppState> {
    corridor_witness::router(witness)
        .layer(middleware::map_response(mark_own_protocol))
        // The router holds its own state already; this only gives it the server's state type.
        .with_state(())
}

/// Marks an answer that speaks its own protocol (the witness's C2SP text answers, the web
/// pages' HTML), which [`problem_for_bare_errors`] must leave as it is.
#[derive(Debug, Clone, Copy)]
struct OwnProtocol;

async fn mark_own_protocol(mut response: Response) -> Response {
    response.extensions_mut().insert(OwnProtocol);
    response
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
    serve_with(listener, state, Router::new(), shutdown).await
}

/// Serves `state` with `pages` ([`router_with`]) on `listener` until `shutdown` completes, then
/// lets requests in flight finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    pages: Router<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "serving");
    }
    axum::serve(
        listener,
        router_with(state, pages).into_make_service_with_connect_info::<SocketAddr>(),
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
    // The complaint routes are never counted: a public series per route would move when a
    // complaint is lodged or read (docs/domain.md §6; docs/monitoring.md, "Metrics and timing").
    if !crate::complaints::is_complaint_route(&route) {
        state.metrics().request(
            &route,
            method,
            response.status().as_u16(),
            started.elapsed(),
        );
    }
    response
}

/// Turns every error answer that is not yet a problem (a 404 or 405 from routing, a 413 from
/// the body limit, an extractor's rejection) into one, through [`ApiError::problem`], keeping
/// headers such as `Allow`. Answers marked [`OwnProtocol`] are left as they are.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.extensions().get::<OwnProtocol>().is_some() {
        return response;
    }
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

/// `Cache-Control` of every answer no cache may keep.
pub const NO_STORE: &str = "no-store";

/// Marks answers that no cache may keep: every answer to a request that carries a credential
/// (it is about the caller, and may carry personal data), whatever the handler said, and every
/// answer whose handler did not say how long it may be kept. Only public answers that chose
/// their own caching (the log's tiles and checkpoint) keep it, and only when asked anonymously.
async fn no_store(request: Request, next: Next) -> Response {
    let private = crate::auth::carries_credential(request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if private || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    }
    response
}

/// Refuses a request whose headers or target exceed the server's limits ([`REQUEST_HEADERS_MAX`],
/// [`REQUEST_HEADER_BYTES_MAX`], [`REQUEST_URI_BYTES_MAX`]) with a 431 or 414 problem. These
/// limits sit below hyper's own, whose rejections are written by hyper itself with an empty
/// body and no hook for a server to give them one (as are its 400s for a request it cannot
/// parse at all): so every request hyper lets through and these limits refuse gets a problem.
async fn transport_limits(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > REQUEST_HEADERS_MAX || header_bytes > REQUEST_HEADER_BYTES_MAX {
        return ApiError::Status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).into_response();
    }
    let target_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target_bytes > REQUEST_URI_BYTES_MAX {
        return ApiError::Status(StatusCode::URI_TOO_LONG).into_response();
    }
    next.run(request).await
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
