//! Limits, both sides of each: the body limit (413), the header and request-target limits (431,
//! 414) and the per-client rate limit (429).

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use corridor_api::limits::{
    Decision, RATE_LIMIT_RETRY_AFTER_SECONDS_MAX, REQUEST_BODY_BYTES_MAX, REQUEST_HEADER_BYTES_MAX,
    REQUEST_HEADERS_MAX, REQUEST_URI_BYTES_MAX, RateLimit, RateLimiter,
};

use crate::harness::{Setup, spawn_app_with};

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem_and_one_at_it_is_not() {
    // Proves a body of REQUEST_BODY_BYTES_MAX + 1 bytes is refused with 413 and one of exactly the limit passes the limit.
    let app = spawn_app_with(Setup::default()).await;
    let over = app
        .request(
            "POST",
            "/api/agreements",
            &[("content-type", "application/json")],
            vec![b' '; REQUEST_BODY_BYTES_MAX + 1],
        )
        .await;
    let body = over.problem(413, "body_too_large");
    assert_eq!(
        body["facts"]["limit_bytes"],
        REQUEST_BODY_BYTES_MAX.to_string()
    );
    // At the limit the body reaches the handler, whose JSON parser answers for it instead.
    let at = app
        .request(
            "POST",
            "/api/agreements",
            &[("content-type", "application/json")],
            vec![b' '; REQUEST_BODY_BYTES_MAX],
        )
        .await;
    at.problem(422, "invalid_input");
}

#[tokio::test]
async fn headers_and_targets_over_the_limits_are_problems_and_those_at_them_are_not() {
    // Proves one header field over REQUEST_HEADERS_MAX, header bytes over
    // REQUEST_HEADER_BYTES_MAX and a target over REQUEST_URI_BYTES_MAX are answered with 431 and
    // 414 problems (below hyper's own limits, whose answers have no body), and requests at each
    // limit are served.
    let app = spawn_app_with(Setup::default()).await;
    let names: Vec<String> = (0..REQUEST_HEADERS_MAX)
        .map(|i| format!("x-h{i}"))
        .collect();
    // The client sends `host` too: one field fewer than the limit fills it exactly.
    let fields = |count: usize| -> Vec<(&str, &str)> {
        names
            .iter()
            .take(count)
            .map(|name| (name.as_str(), "1"))
            .collect()
    };
    let at = app
        .request(
            "GET",
            "/healthz",
            &fields(REQUEST_HEADERS_MAX - 1),
            Vec::new(),
        )
        .await;
    assert_eq!(at.status, 200, "{}", at.text());
    let over = app
        .request("GET", "/healthz", &fields(REQUEST_HEADERS_MAX), Vec::new())
        .await;
    let body = over.problem(431, "headers_too_large");
    assert_eq!(
        body["facts"]["limit_headers"],
        REQUEST_HEADERS_MAX.to_string()
    );

    let host_bytes = "host".len() + app.address.to_string().len();
    let filler = |bytes: usize| "v".repeat(bytes - host_bytes - "x-filler".len());
    let at = filler(REQUEST_HEADER_BYTES_MAX);
    let reply = app
        .request("GET", "/healthz", &[("x-filler", at.as_str())], Vec::new())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let over = filler(REQUEST_HEADER_BYTES_MAX + 1);
    app.request(
        "GET",
        "/healthz",
        &[("x-filler", over.as_str())],
        Vec::new(),
    )
    .await
    .problem(431, "headers_too_large");

    let target = |bytes: usize| format!("/healthz?{}", "q".repeat(bytes - "/healthz?".len()));
    assert_eq!(app.get(&target(REQUEST_URI_BYTES_MAX)).await.status, 200);
    let body = app
        .get(&target(REQUEST_URI_BYTES_MAX + 1))
        .await
        .problem(414, "uri_too_long");
    assert_eq!(
        body["facts"]["limit_bytes"],
        REQUEST_URI_BYTES_MAX.to_string()
    );
}

#[tokio::test]
async fn the_request_after_the_burst_is_a_429_problem() {
    // Proves a client gets exactly its burst of answers, then a 429 problem with Retry-After; operations routes stay open.
    let burst = 5;
    let app = spawn_app_with(Setup {
        rate_limit: RateLimit {
            burst_requests: burst,
            refill_per_second: 0,
        },
        ..Setup::default()
    })
    .await;
    for attempt in 1..=burst {
        assert_eq!(
            app.get("/api/agreements").await.status,
            200,
            "request {attempt}"
        );
    }
    let limited = app.get("/api/agreements").await;
    limited.problem(429, "rate_limited");
    assert_eq!(
        limited.header("retry-after"),
        RATE_LIMIT_RETRY_AFTER_SECONDS_MAX.to_string()
    );
    assert_eq!(limited.header("x-frame-options"), "DENY");
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[test]
fn the_bucket_refills_at_its_rate_and_per_client() {
    // Proves the token bucket allows the burst, refuses the next, refills with time and keeps clients apart.
    let limiter = RateLimiter::new(RateLimit {
        burst_requests: 2,
        refill_per_second: 1,
    });
    let alice = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let bob = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
    let start = Instant::now();
    assert_eq!(limiter.check(alice, start), Decision::Allowed);
    assert_eq!(limiter.check(alice, start), Decision::Allowed);
    assert_eq!(
        limiter.check(alice, start),
        Decision::Limited {
            retry_after_seconds: 1
        }
    );
    assert_eq!(limiter.check(bob, start), Decision::Allowed);
    assert_eq!(
        limiter.check(alice, start + Duration::from_millis(999)),
        Decision::Limited {
            retry_after_seconds: 1
        }
    );
    assert_eq!(
        limiter.check(alice, start + Duration::from_secs(2)),
        Decision::Allowed
    );
    // Idle time never buys more than the burst.
    let later = start + Duration::from_secs(3_600);
    assert_eq!(limiter.check(bob, later), Decision::Allowed);
    assert_eq!(limiter.check(bob, later), Decision::Allowed);
    assert!(matches!(
        limiter.check(bob, later),
        Decision::Limited { .. }
    ));
}
