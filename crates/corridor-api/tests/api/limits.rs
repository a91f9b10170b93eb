//! Limits, both sides of each: the body limit (413) and the per-client rate limit (429).

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use corridor_api::limits::{
    Decision, RATE_LIMIT_RETRY_AFTER_SECONDS_MAX, REQUEST_BODY_BYTES_MAX, RateLimit, RateLimiter,
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
