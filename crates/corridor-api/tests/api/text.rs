//! Text fields refuse control characters and bidirectional overrides at the boundary: every free
//! text field of every route answers 422 naming the field, before anything is decided.

use corridor_domain::terms::Country;
use corridor_domain::{Party, Role};
use serde_json::{Value, json};

use crate::cases::{call, token};
use crate::harness::spawn_app;

/// What an attacker typed into a name in the adversarial test: NUL, an ANSI colour escape and a
/// right-to-left override.
const HOSTILE: &str = "A\u{0}B\u{1b}[31m\u{202e}";

/// A request body with one text field set to the value given.
type BodyWith = Box<dyn Fn(&str) -> Value>;

/// A proposal of a synthetic person whose `field` is `value`.
fn proposal(field: &str, value: Value) -> Value {
    let mut body = crate::cases::proposal();
    body[field] = value;
    body
}

#[tokio::test]
async fn every_text_field_refuses_control_characters_and_bidi_overrides() {
    // Proves each free-text field (sealed personal data, reasons, court names and references,
    // agreement file names) answers 422 `invalid_input` naming the field for a control
    // character or a bidirectional override, and that an ordinary value of the same field is not
    // refused for its text.
    let app = spawn_app().await;
    let officer = token(
        &app,
        "officer.text",
        Role::SendingOfficer,
        Party::State(Country::parse("USA").expect("USA")),
    )
    .await;
    let case = "/api/cases/case-0000000000001001";
    let cases: Vec<(&str, String, BodyWith, &str)> = vec![
        (
            "POST",
            "/api/agreements/us-rwa-2025/cases".to_owned(),
            Box::new(|v| proposal("name", json!(v))),
            "body.name",
        ),
        (
            "POST",
            "/api/agreements/us-rwa-2025/cases".to_owned(),
            Box::new(|v| proposal("documents", json!(["passport (synthetic)", v]))),
            "body.documents[1]",
        ),
        (
            "POST",
            "/api/agreements/us-rwa-2025/cases".to_owned(),
            Box::new(|v| proposal("contact", json!(v))),
            "body.contact",
        ),
        (
            "POST",
            "/api/agreements/us-rwa-2025/cases".to_owned(),
            Box::new(|v| proposal("health", json!(v))),
            "body.health",
        ),
        (
            "POST",
            format!("{case}/refuse"),
            Box::new(|v| json!({ "reason": v })),
            "body.reason",
        ),
        (
            "POST",
            format!("{case}/extend"),
            Box::new(|v| json!({ "reason": v })),
            "body.reason",
        ),
        (
            "POST",
            format!("{case}/withdraw"),
            Box::new(|v| json!({ "reason": v })),
            "body.reason",
        ),
        (
            "POST",
            "/api/holds".to_owned(),
            Box::new(
                |v| json!({ "court": v, "reference": "Order 1", "scope": { "nationalities": ["ATA"] } }),
            ),
            "body.court",
        ),
        (
            "POST",
            "/api/holds".to_owned(),
            Box::new(
                |v| json!({ "court": "court-a", "reference": v, "scope": { "nationalities": ["ATA"] } }),
            ),
            "body.reference",
        ),
        (
            "POST",
            "/api/agreements".to_owned(),
            Box::new(|v| json!({ "file_name": v, "text": "" })),
            "body.file_name",
        ),
    ];
    for (method, path, body, field) in &cases {
        for hostile in [
            HOSTILE,
            "Synthetic\u{202e}Person",
            "two\nlines",
            "bell\u{7}",
            "c1\u{85}",
        ] {
            let reply = call(&app, method, path, &officer, None, Some(body(hostile))).await;
            let problem = reply.problem(422, "invalid_input");
            assert_eq!(
                problem["facts"]["field"], *field,
                "{method} {path} {hostile:?}"
            );
            assert!(
                !reply.text().contains('\u{1b}') && !reply.text().contains('\u{202e}'),
                "the problem does not echo the character: {}",
                reply.text()
            );
        }
        let fine = call(
            &app,
            method,
            path,
            &officer,
            None,
            Some(body("Ñandú O'Brien — محمد")),
        )
        .await;
        let refused_field = serde_json::from_slice::<Value>(&fine.body)
            .ok()
            .and_then(|body| body["facts"]["field"].as_str().map(str::to_owned));
        assert_ne!(
            refused_field.as_deref(),
            Some(*field),
            "{method} {path}: an ordinary value refused: {}",
            fine.text()
        );
    }
}
