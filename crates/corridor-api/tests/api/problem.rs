//! The one mapping from errors to problem details, variant by variant.

use axum::http::StatusCode;
use axum::response::IntoResponse as _;
use corridor_api::problem::{ApiError, INTERNAL_DETAIL, PROBLEM_CONTENT_TYPE, refusal_status};
use corridor_domain::terms::{AgreementId, AgreementStatus};
use corridor_domain::{CaseId, HoldId, Refusal, Role};
use corridor_store::StoreError;

fn agreement() -> AgreementId {
    AgreementId::parse("us-rwa-2025").expect("an agreement id")
}

#[test]
fn refusals_map_to_their_status_with_code_message_and_facts() {
    // Proves each kind of refusal gets its status, its code as type and member, its message as detail and its facts.
    let cases = [
        (Refusal::NoticeMissing, 409),
        (
            Refusal::AgreementNotInForce {
                agreement: agreement(),
                status: AgreementStatus::Suspended,
            },
            409,
        ),
        (
            Refusal::InvalidState {
                command: "schedule",
                status: corridor_domain::CaseStatus::Proposed,
            },
            409,
        ),
        (
            Refusal::AlreadyExists {
                what: "case x".to_owned(),
            },
            409,
        ),
        (
            Refusal::NotPermitted {
                role: Role::Monitor,
                command: "propose",
                reason: "monitors only observe".to_owned(),
            },
            403,
        ),
        (
            Refusal::UnknownCase {
                case: CaseId::from_u64(7),
            },
            404,
        ),
        (
            Refusal::UnknownAgreement {
                agreement: agreement(),
            },
            404,
        ),
        (
            Refusal::UnknownHold {
                hold: HoldId::from_u64(3),
            },
            404,
        ),
        (
            Refusal::InvalidInput {
                field: "reason",
                reason: "it is empty".to_owned(),
            },
            422,
        ),
    ];
    for (refusal, status) in cases {
        let problem = ApiError::from(refusal.clone()).problem();
        assert_eq!(problem.status.as_u16(), status, "{refusal}");
        assert_eq!(refusal_status(&refusal).as_u16(), status);
        let body = problem.to_json();
        assert_eq!(
            body["type"],
            format!("https://corridor.invalid/problems/{}", refusal.code())
        );
        assert_eq!(body["code"], refusal.code());
        assert_eq!(body["status"], status);
        assert_eq!(body["detail"], refusal.message());
        assert!(
            body["title"]
                .as_str()
                .is_some_and(|title| !title.is_empty())
        );
        for (name, value) in refusal.facts() {
            assert_eq!(body["facts"][&name], value, "{refusal}: fact {name}");
        }
    }
}

#[test]
fn a_fact_named_status_does_not_clobber_the_http_status() {
    // Proves facts live under `facts`, so an agreement's `status` fact leaves the RFC 9457 `status` member alone.
    let refusal = Refusal::AgreementNotInForce {
        agreement: agreement(),
        status: AgreementStatus::Suspended,
    };
    let body = ApiError::from(refusal).problem().to_json();
    assert_eq!(body["status"], 409);
    assert_eq!(body["facts"]["status"], "suspended");
    assert_eq!(body["facts"]["agreement"], "us-rwa-2025");
}

#[test]
fn a_stale_version_is_412_with_both_versions() {
    // Proves StoreError::Conflict maps to 412 version_conflict with the expected and current versions as facts.
    let error = StoreError::Conflict {
        case: CaseId::from_u64(9),
        expected: 2,
        current: 3,
    };
    let problem = ApiError::from(error).problem();
    assert_eq!(problem.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(problem.code, "version_conflict");
    assert_eq!(problem.facts["expected_version"], "2");
    assert_eq!(problem.facts["current_version"], "3");
}

#[test]
fn an_unreachable_database_is_503_with_retry_after() {
    // Proves connection failures and pool timeouts map to 503 database_unavailable with a Retry-After.
    for error in [
        StoreError::Database(sqlx::Error::PoolTimedOut),
        StoreError::Database(sqlx::Error::PoolClosed),
        StoreError::Connect {
            url: "sqlite://x".to_owned(),
            reason: "no such file".to_owned(),
        },
    ] {
        let response = ApiError::from(error).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key("retry-after"));
        assert_eq!(response.headers()["content-type"], PROBLEM_CONTENT_TYPE);
    }
}

#[test]
fn internal_errors_are_500_and_leak_nothing() {
    // Proves corrupt data, store limits, refused store calls, other database errors and internal bugs are 500 with the fixed detail and none of the cause.
    for error in [
        ApiError::from(StoreError::Corrupt("event 12 secret-detail".to_owned())),
        ApiError::from(StoreError::Limit {
            what: "secret-detail",
            limit: 10_000,
            value: 10_001,
        }),
        ApiError::from(StoreError::Invalid("secret-detail".to_owned())),
        ApiError::from(StoreError::Internal("secret-detail".to_owned())),
        ApiError::from(StoreError::Random("secret-detail".to_owned())),
        ApiError::from(StoreError::Database(sqlx::Error::Protocol(
            "secret-detail".to_owned(),
        ))),
        ApiError::from(StoreError::Migrate("secret-detail".to_owned())),
        ApiError::Internal("secret-detail".to_owned()),
    ] {
        let problem = error.problem();
        assert_eq!(problem.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(problem.code, "internal");
        assert_eq!(problem.detail, INTERNAL_DETAIL);
        assert!(!problem.to_json().to_string().contains("secret-detail"));
    }
}

#[test]
fn the_other_errors_map_to_their_statuses() {
    // Proves the remaining variants: 428, 404s, 400, 503 and 429 with its Retry-After.
    let cases = [
        (ApiError::PreconditionRequired, 428, "precondition_required"),
        (ApiError::NoCheckpoint, 404, "no_checkpoint"),
        (
            ApiError::TileNotFound {
                path: "tile/0/000".to_owned(),
            },
            404,
            "tile_not_found",
        ),
        (
            ApiError::InvalidTilePath {
                reason: "bad".to_owned(),
            },
            400,
            "invalid_tile_path",
        ),
        (
            ApiError::NotReady {
                reason: "starting".to_owned(),
            },
            503,
            "not_ready",
        ),
        (ApiError::Timeout, 503, "timeout"),
        (
            ApiError::RateLimited {
                retry_after_seconds: 7,
            },
            429,
            "rate_limited",
        ),
        (
            ApiError::Status(StatusCode::PAYLOAD_TOO_LARGE),
            413,
            "body_too_large",
        ),
        (ApiError::Status(StatusCode::NOT_FOUND), 404, "not_found"),
    ];
    for (error, status, code) in cases {
        let problem = error.problem();
        assert_eq!(
            (problem.status.as_u16(), problem.code.as_str()),
            (status, code),
            "{error}"
        );
    }
    let response = ApiError::RateLimited {
        retry_after_seconds: 7,
    }
    .into_response();
    assert_eq!(response.headers()["retry-after"], "7");
}
