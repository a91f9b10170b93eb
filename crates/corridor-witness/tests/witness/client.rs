//! The client against a scripted witness: what it makes of answers a real witness should not
//! give, and its limit on answer size, on both sides.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::post;
use corridor_witness::client::{self, AddOutcome, ClientError, MAX_RESPONSE_BODY_BYTES};
use corridor_witness::server::TREE_SIZE_CONTENT_TYPE;
use tokio::net::TcpListener;

use crate::Log;

/// The scripted answer for each case, chosen by the witness URL's path prefix.
async fn scripted(Path(case): Path<String>) -> Response {
    let (status, content_type, body) = match case.as_str() {
        "size-with-charset" => (409, "text/x.tlog.size; charset=utf-8", "5\n".to_owned()),
        "size-leading-zero" => (409, TREE_SIZE_CONTENT_TYPE, "05\n".to_owned()),
        "size-no-newline" => (409, TREE_SIZE_CONTENT_TYPE, "5".to_owned()),
        "size" => (409, TREE_SIZE_CONTENT_TYPE, "5\n".to_owned()),
        "empty-200" => (200, "text/plain", String::new()),
        "garbage-200" => (200, "text/plain", "not a signature\n".to_owned()),
        "at-limit" => (200, "text/plain", "x".repeat(MAX_RESPONSE_BODY_BYTES)),
        "over-limit" => (200, "text/plain", "x".repeat(MAX_RESPONSE_BODY_BYTES + 1)),
        _ => (500, "text/plain", "boom\n".to_owned()),
    };
    let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
    response
}

// The client reads a 409 as a conflict only with exactly `text/x.tlog.size` and a canonical
// size line, refuses a 200 that holds no cosignature, reads answers up to its limit and not
// one byte beyond, and finds the endpoint below the witness URL's path prefix.
#[tokio::test]
async fn client_reads_answers_strictly() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/{case}/add-checkpoint", post(scripted));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let log = Log::new(&[(4, "main")]);
    let signed = log.signed(4);

    let refused_409 = |body: &str| AddOutcome::Refused {
        status: 409,
        body: body.to_owned(),
    };
    for (case, expected) in [
        ("size", AddOutcome::Conflict { witness_size: 5 }),
        ("size-with-charset", refused_409("5\n")),
        ("size-leading-zero", refused_409("05\n")),
        ("size-no-newline", refused_409("5")),
        (
            "failure",
            AddOutcome::Refused {
                status: 500,
                body: "boom\n".to_owned(),
            },
        ),
    ] {
        // A trailing slash on the prefix is the same witness.
        for url in [format!("{base}/{case}"), format!("{base}/{case}/")] {
            let outcome = client::add_checkpoint(&url, 0, &[], &signed).await.unwrap();
            assert_eq!(outcome, expected, "{url}");
        }
    }
    for case in ["empty-200", "garbage-200", "at-limit"] {
        let error = client::add_checkpoint(&format!("{base}/{case}"), 0, &[], &signed)
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::MalformedCosignatures { .. }),
            "{case}: {error:?}"
        );
    }
    let error = client::add_checkpoint(&format!("{base}/over-limit"), 0, &[], &signed)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::ResponseTooLarge { .. }),
        "{error:?}"
    );
    server.abort();
}
