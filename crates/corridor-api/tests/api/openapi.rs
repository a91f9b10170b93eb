//! The OpenAPI contract: every route the router serves is in the document and every operation of
//! the document is served; the document is OpenAPI 3.1 at `/openapi.json`, every operation says
//! how it fails, and `/docs` is the Swagger UI served from the server itself.
//!
//! Both directions are checked against the real router:
//!
//! - document → router: every (method, path) of the document is sent to the live server, with
//!   each path parameter filled with a syntactically valid value, and `/metrics` must then count
//!   a request whose matched route template is that path and whose status is not 405. A request
//!   no route matches is counted under `unmatched`, so this proves the router matched exactly
//!   the documented template, not merely that something answered.
//! - router → document: axum cannot list a router's routes, but `Router`'s `Debug` prints its
//!   path table (each route id with its path, and each route's method router with the methods
//!   it has a handler for). [`served_routes`] reads that table; it fails loudly, printing the
//!   router, when the format changes, rather than finding nothing and passing.
//!
//! The few routes outside the document are listed in [`UNDOCUMENTED`], each with its reason;
//! the tile route is matched as `/tile/{*path}` (the rest of the path, many segments) and
//! documented as `/tile/{path}`, which OpenAPI can name ([`TILE_ROUTE`]).
//!
//! Both directions hold in each configuration ([`CONFIGURATIONS`]): a server that serves a
//! witness routes and documents `POST /add-checkpoint` and `GET /{origin_hash}/checkpoint`; one
//! that does not, neither.

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::{Setup, TestApp, spawn_app, spawn_app_with};

/// Every configuration that changes the routes: without a witness, and with one.
const CONFIGURATIONS: [bool; 2] = [false, true];

/// A route only a server with a witness serves.
const WITNESS_ROUTE: (&str, &str) = ("POST", "/add-checkpoint");

/// The witness's monitoring route, served and documented only with a witness.
const MONITORING_ROUTE: (&str, &str) = ("GET", "/{origin_hash}/checkpoint");

/// A served app with a witness or without.
async fn spawn_configured(with_witness: bool) -> TestApp {
    spawn_app_with(Setup {
        witness: with_witness,
        ..Setup::default()
    })
    .await
}

/// Routes the router serves that the document does not list, and why.
const UNDOCUMENTED: &[(&str, &str, &str)] = &[
    ("GET", "/openapi.json", "the document itself"),
    ("GET", "/docs", "the Swagger UI: redirects to `/docs/`"),
    ("GET", "/docs/", "the Swagger UI page"),
    ("GET", "/docs/{*rest}", "the Swagger UI's vendored assets"),
];

/// The tile route as the router matches it and as the document names it.
const TILE_ROUTE: (&str, &str) = ("/tile/{*path}", "/tile/{path}");

/// The HTTP methods an OpenAPI path item may hold, as its keys spell them.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every (METHOD, path) operation of the document of a server with a witness or without.
pub fn documented_operations(with_witness: bool) -> BTreeSet<(String, String)> {
    let document = serde_json::to_value(corridor_api::server::openapi(with_witness))
        .expect("the document serializes");
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            item.keys()
                .filter(|key| METHODS.contains(&key.as_str()))
                .map(|method| (method.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The text between `open` (which must occur after `from`) and its matching closing brace.
fn braced(text: &str, from: usize, open: &str) -> (usize, usize) {
    let start = text[from..]
        .find(open)
        .map(|at| from + at + open.len())
        .unwrap_or_else(|| panic!("`{open}` is not in the router's Debug output:\n{text}"));
    let mut depth = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, c) in text[start..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return (start, start + offset);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces after `{open}` in the router's Debug output:\n{text}");
}

/// Every (METHOD, path template) the router has a handler for, read from its `Debug` output
/// (axum 0.8: `Router { path_router: PathRouter { routes: {RouteId(n): MethodRouter(MethodRouter
/// { get: Route, head: None, … }), …}, node: Node { paths: {RouteId(n): "/path", …} } }, … }`).
fn served_routes(app: &TestApp) -> BTreeSet<(String, String)> {
    let router = corridor_api::router(app.state.clone());
    let text = format!("{router:?}");
    // Only the path router: the fallback router holds the catch-all that answers `not_found`.
    let path_router = text
        .find("path_router: PathRouter {")
        .unwrap_or_else(|| panic!("no path router in the router's Debug output:\n{text}"));
    let (routes_start, routes_end) = braced(&text, path_router, "routes: {");
    let (paths_start, paths_end) = braced(&text, routes_end, "node: Node { paths: {");

    let id_and_path = route_paths(&text[paths_start..paths_end]);
    assert!(
        id_and_path.len() >= 10 && id_and_path.values().any(|path| path == "/healthz"),
        "the router's path table was not read (axum's Debug format changed?): {id_and_path:?}\n{text}"
    );

    // Each route: `RouteId(n): MethodRouter(MethodRouter { get: Route, head: None, … })`.
    let routes = &text[routes_start..routes_end];
    let mut served = BTreeSet::new();
    for (id, path) in &id_and_path {
        let key = format!("RouteId({id}): ");
        let at = routes
            .find(&key)
            .unwrap_or_else(|| panic!("route {id} ({path}) has no endpoint in:\n{routes}"));
        let endpoint = &routes[at + key.len()..];
        let Some(fields) = endpoint.strip_prefix("MethodRouter(MethodRouter { ") else {
            panic!("route {id} ({path}) is not a method router: {endpoint:.200}");
        };
        let fields = &fields[..fields.find(", fallback:").expect("a fallback field")];
        let methods: Vec<String> = fields
            .split(", ")
            .filter_map(|field| field.split_once(": "))
            .filter(|(_, handler)| *handler != "None")
            .map(|(method, _)| method.to_uppercase())
            .collect();
        assert!(
            !methods.is_empty(),
            "route {path} has no method with a handler: {fields}"
        );
        for method in methods {
            served.insert((method, path.clone()));
        }
    }
    served
}

/// The `RouteId(n): "path"` pairs of a Debug map, by id.
fn route_paths(map: &str) -> BTreeMap<u32, String> {
    let mut pairs = BTreeMap::new();
    for entry in map.split("RouteId(").skip(1) {
        let (id, rest) = entry.split_once("): \"").expect("`RouteId(n): \"path\"`");
        let path = &rest[..rest.find('"').expect("a closing quote")];
        pairs.insert(id.parse().expect("a route id"), path.to_owned());
    }
    pairs
}

/// A request path for a documented template: each parameter filled with a valid value.
fn concrete(template: &str) -> String {
    template
        .replace("{agreement}", "us-rwa-2025")
        .replace("{case}", "case-00000000000000aa")
        .replace("{hold}", "hold-00000000000000bb")
        .replace("{user}", "nobody")
        .replace("{token_id}", "token-00000000000000cc")
        .replace("{origin_hash}", &"ab".repeat(32))
        .replace("{path}", "0/000")
        .replace("{complaint}", "complaint-00000000000000dd")
}

#[tokio::test]
async fn every_documented_operation_is_routed_to_its_template() {
    // Proves each (method, path) of the OpenAPI document reaches the route of that very
    // template (as /metrics counts it), never the fallback or a 405, with a witness and without.
    for with_witness in CONFIGURATIONS {
        every_documented_operation_is_routed_in(with_witness).await;
    }
}

async fn every_documented_operation_is_routed_in(with_witness: bool) {
    let app = spawn_configured(with_witness).await;
    let operations = documented_operations(with_witness);
    assert!(operations.len() >= 40, "{operations:?}");
    for route in [WITNESS_ROUTE, MONITORING_ROUTE] {
        let route = (route.0.to_owned(), route.1.to_owned());
        assert_eq!(operations.contains(&route), with_witness, "{operations:?}");
    }
    for (method, template) in &operations {
        let path = concrete(template);
        let reply = app.request(method, &path, &[], Vec::new()).await;
        assert_ne!(reply.status, 405, "{method} {path}: {}", reply.text());
        assert!(
            !reply.text().contains("there is nothing at this path"),
            "{method} {path} reached the fallback: {}",
            reply.text()
        );
    }
    let metrics = app.get("/metrics").await.text();
    for (method, template) in &operations {
        // The complaint routes are never counted (docs/monitoring.md, "Metrics and timing").
        if corridor_api::complaints::is_complaint_route(template) {
            assert!(
                !metrics.contains(&format!("route=\"{template}\"")),
                "{template}"
            );
            continue;
        }
        let route = if template == TILE_ROUTE.1 {
            TILE_ROUTE.0
        } else {
            template
        };
        let label = format!("corridor_http_requests_total{{route=\"{route}\",method=\"{method}\",");
        assert!(
            metrics.contains(&label),
            "{method} {template} was not counted under its own route:\n{metrics}"
        );
    }
}

#[tokio::test]
async fn every_served_route_is_documented() {
    // Proves the router serves nothing the document lacks, but for the listed exemptions, with
    // a witness and without.
    for with_witness in CONFIGURATIONS {
        every_served_route_is_documented_in(with_witness).await;
    }
}

async fn every_served_route_is_documented_in(with_witness: bool) {
    let app = spawn_configured(with_witness).await;
    let served = served_routes(&app);
    for route in [WITNESS_ROUTE, MONITORING_ROUTE] {
        let route = (route.0.to_owned(), route.1.to_owned());
        assert_eq!(served.contains(&route), with_witness, "{served:?}");
    }
    let documented = documented_operations(with_witness);
    let exempt: BTreeSet<(String, String)> = UNDOCUMENTED
        .iter()
        .map(|(method, path, _)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    let served_named: BTreeSet<(String, String)> = served
        .iter()
        .filter(|route| !exempt.contains(*route))
        .map(|(method, path)| {
            let path = if path == TILE_ROUTE.0 {
                TILE_ROUTE.1
            } else {
                path
            };
            (method.clone(), path.to_owned())
        })
        .collect();
    let undocumented: Vec<_> = served_named.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the document: {undocumented:?}"
    );
    let unserved: Vec<_> = documented.difference(&served_named).collect();
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
    // Every exemption is real: a stale one would hide nothing, but mislead.
    for route in &exempt {
        assert!(served.contains(route), "exempt but not served: {route:?}");
    }
}

#[tokio::test]
async fn the_document_is_served_as_openapi_3_1() {
    // Proves /openapi.json is served, is OpenAPI 3.1, and is the document the code builds for
    // the server's configuration, with a witness and without.
    for with_witness in CONFIGURATIONS {
        the_document_is_served_in(with_witness).await;
    }
}

async fn the_document_is_served_in(with_witness: bool) {
    let app = spawn_configured(with_witness).await;
    let reply = app.get("/openapi.json").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply.header("content-type").starts_with("application/json"),
        "{}",
        reply.header("content-type")
    );
    let served = reply.json();
    let version = served["openapi"].as_str().expect("an `openapi` field");
    assert!(version.starts_with("3.1"), "{version}");
    let built = serde_json::to_value(corridor_api::server::openapi(with_witness))
        .expect("the document serializes");
    assert_eq!(served["paths"], built["paths"]);
    assert_eq!(served["info"]["title"], "corridor");
    assert_eq!(
        served["paths"].get(WITNESS_ROUTE.1).is_some(),
        with_witness,
        "{}",
        served["paths"]
    );
}

#[test]
fn the_witness_route_documents_its_own_answers() {
    // Proves POST /add-checkpoint is documented as C2SP tlog-witness has it: a text/plain body
    // in; 200 and the witness's refusals as text (409 as `text/x.tlog.size`), never problems;
    // the server's own 429 as a problem; and the 5xx with which nothing is cosigned.
    let document = serde_json::to_value(corridor_api::server::openapi(true)).expect("the document");
    let operation = &document["paths"][WITNESS_ROUTE.1]["post"];
    assert!(
        operation["requestBody"]["content"]["text/plain"].is_object(),
        "{operation}"
    );
    let responses = &operation["responses"];
    for (status, content_type) in [
        ("200", "text/plain"),
        ("400", "text/plain"),
        ("403", "text/plain"),
        ("404", "text/plain"),
        ("409", "text/x.tlog.size"),
        ("413", "text/plain"),
        ("422", "text/plain"),
        ("429", "application/problem+json"),
        ("500", "text/plain"),
        ("503", "text/plain"),
    ] {
        let content = responses[status]["content"]
            .as_object()
            .unwrap_or_else(|| panic!("{status}: {operation}"));
        assert!(content.contains_key(content_type), "{status}: {operation}");
        if status != "429" && status != "503" {
            assert_eq!(
                content.len(),
                1,
                "{status} is the witness's own text: {operation}"
            );
        }
    }
}

#[tokio::test]
async fn every_operation_documents_how_it_fails() {
    // Proves each operation documents at least one 4xx answer as a problem (RFC 9457), and each
    // rate-limited one its 429; the three probes, which take no input, need no credential and
    // are not rate-limited, can fail only with 5xx and must document that instead. The
    // document with a witness holds every operation.
    let document =
        serde_json::to_value(corridor_api::server::openapi(true)).expect("the document serializes");
    let probes = ["/healthz", "/readyz", "/metrics"];
    let mut missing = Vec::new();
    for (method, path) in documented_operations(true) {
        let responses = document["paths"][&path][method.to_lowercase()]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has no responses"))
            .clone();
        let problem = |status: &str| {
            responses
                .get(status)
                .and_then(|response| response["content"].get("application/problem+json"))
                .is_some()
        };
        let client_errors: Vec<&String> = responses
            .keys()
            .filter(|status| status.starts_with('4') && problem(status))
            .collect();
        if probes.contains(&path.as_str()) {
            continue;
        }
        if client_errors.is_empty() {
            missing.push(format!("{method} {path}: no 4xx problem"));
        }
        if !problem("429") {
            missing.push(format!("{method} {path}: no 429 problem"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    let readyz = &document["paths"]["/readyz"]["get"]["responses"];
    assert!(readyz["503"]["content"]["application/problem+json"].is_object());
}

#[tokio::test]
async fn docs_serve_the_vendored_swagger_ui() {
    // Proves /docs serves the Swagger UI from the server itself, pointed at /openapi.json, with
    // no script, style or image from another origin.
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    assert!(
        redirect.status == 200 || (300..400).contains(&redirect.status),
        "{}",
        redirect.status
    );
    let page = app.get("/docs/").await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.header("content-type").starts_with("text/html"));
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    for foreign in ["http://", "https://", "//cdn", "unpkg", "jsdelivr", "cdnjs"] {
        for attribute in ["src=\"", "href=\""] {
            assert!(
                !html.contains(&format!("{attribute}{foreign}")),
                "{attribute}{foreign} in {html}"
            );
        }
    }
    // Every script and stylesheet the page names is served here.
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css"))
        .collect();
    assert!(!assets.is_empty(), "{html}");
    for asset in assets {
        let path = if asset.starts_with('/') {
            asset.to_owned()
        } else {
            format!("/docs/{}", asset.trim_start_matches("./"))
        };
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        let body = reply.text();
        assert!(
            !body.contains("cdn.jsdelivr") && !body.contains("unpkg.com"),
            "{path}"
        );
    }
    let initializer = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status, 200);
    assert!(
        initializer.text().contains("/openapi.json"),
        "{}",
        initializer.text()
    );
}
