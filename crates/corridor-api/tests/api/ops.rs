//! Operations routes and the JSON example route: `/healthz`, `/readyz`, `/metrics`,
//! `/api/agreements`, and the headers every answer carries.

use crate::harness::{Setup, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_answers_ok() {
    // Proves /healthz answers 200 with a JSON status while the process runs.
    let app = spawn_app().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_the_log_and_its_checkpoint() {
    // Proves /readyz is 200 when the stored log gives the latest checkpoint's root, and reports both sizes.
    let app = spawn_app().await;
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["log_leaves"], size);
    assert_eq!(body["checkpoint_leaves"], size);
}

#[tokio::test]
async fn readyz_is_unavailable_when_the_database_is_closed() {
    // Proves /readyz answers a 503 problem once the database cannot be reached.
    let app = spawn_app().await;
    app.store.close().await;
    app.get("/readyz").await.problem(503, "not_ready");
}

#[tokio::test]
async fn metrics_render_requests_and_log_figures() {
    // Proves /metrics is Prometheus text with requests by route and status and the log's size.
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/no/such/path").await.status, 404);
    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.header("content-type").starts_with("text/plain"),
        "{}",
        reply.header("content-type")
    );
    let text = reply.text();
    let (size, _) = app.store.tree_head().await.expect("the tree head");
    for expected in [
        r#"corridor_http_requests_total{route="/healthz",method="GET",status="200"} 1"#.to_owned(),
        r#"corridor_http_requests_total{route="unmatched",method="GET",status="404"} 1"#.to_owned(),
        r#"corridor_http_request_duration_seconds_bucket{route="/healthz",method="GET",status="200",le="30"} 1"#
            .to_owned(),
        format!("corridor_log_leaves {size}"),
        format!("corridor_log_checkpoint_leaves {size}"),
        "corridor_events_appended_total 0".to_owned(),
        "# HELP corridor_http_requests_total".to_owned(),
    ] {
        assert!(text.lines().any(|line| line.starts_with(&expected)), "no `{expected}` in:\n{text}");
    }
}

#[tokio::test]
async fn metrics_count_safeguard_refusals_and_denials() {
    // Proves the safeguard and authorization counters render by code and by role once recorded.
    let app = spawn_app().await;
    let state = crate::harness::app_state(
        app.store.clone(),
        corridor_api::limits::RateLimit::default(),
        std::sync::Arc::new(jiff::Timestamp::now),
    )
    .await;
    state.metrics().safeguard_refused("hold_active");
    state.metrics().authorization_denied("receiving_officer");
    let text = state.metrics().render();
    assert!(
        text.contains(r#"corridor_safeguard_refusals_total{code="hold_active"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"corridor_authorization_denials_total{role="receiving_officer"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn agreements_lists_parties_and_status_today() {
    // Proves GET /api/agreements lists the loaded agreement with its parties and its status on the server's today.
    let app = spawn_app_with(Setup {
        proposals: 0,
        ..Setup::default()
    })
    .await;
    let reply = app.get("/api/agreements").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.header("content-type").starts_with("application/json"));
    let body = reply.json();
    let agreements = body["agreements"].as_array().expect("a list");
    assert_eq!(agreements.len(), 1, "{body}");
    assert_eq!(agreements[0]["id"], "us-rwa-2025");
    assert_eq!(agreements[0]["parties"]["sending"], "USA");
    assert_eq!(agreements[0]["parties"]["receiving"], "RWA");
    assert_eq!(agreements[0]["status"], "in_force");
    assert_eq!(agreements[0]["terms_version"], 1);
    assert!(
        agreements[0]["title"]
            .as_str()
            .is_some_and(|title| !title.is_empty())
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    // Proves CSP, nosniff, frame-deny and no-referrer are on successes, problems and operations routes alike.
    let app = spawn_app().await;
    for path in [
        "/healthz",
        "/checkpoint",
        "/api/agreements",
        "/tile/9/000",
        "/nowhere",
    ] {
        let reply = app.get(path).await;
        assert_eq!(
            reply.header("content-security-policy"),
            "default-src 'self'",
            "{path}"
        );
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(reply.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(reply.header("referrer-policy"), "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    // Proves routing errors come back as problem details: 404 for no route, 405 with `Allow` for a wrong method.
    let app = spawn_app().await;
    app.get("/api/nothing-here").await.problem(404, "not_found");
    let reply = app
        .request("DELETE", "/api/agreements", &[], Vec::new())
        .await;
    reply.problem(405, "method_not_allowed");
    assert!(reply.header("allow").contains("GET"), "{:?}", reply.headers);
}
