//! Requests refused before the policies are asked — a bad body (422), no `If-Match` (428), an
//! `If-Match` that is not a version (412) — are on the record as denied attempts, so a caller
//! probing a case it may not touch leaves a trace like any other. A stale `If-Match` (412
//! `version_conflict`) comes after the policies, so its decision is on the record as made.

use corridor_domain::terms::Country;
use corridor_domain::{EventBody, Party, Role, StreamId};
use serde_json::json;

use crate::cases::{call, token};
use crate::harness::{TestApp, spawn_app};

/// One access record: who, action, resource, agreement, allowed, policies.
type Record = (String, String, String, Option<String>, bool, Vec<String>);

async fn records(app: &TestApp) -> Vec<Record> {
    app.store
        .history(&StreamId::Access)
        .await
        .expect("the access stream")
        .into_iter()
        .filter_map(|stored| match stored.event.body {
            EventBody::AccessRecorded {
                action,
                resource,
                agreement,
                allowed,
                policies,
                ..
            } => Some((
                stored.event.by.map(|u| u.to_string()).unwrap_or_default(),
                action,
                resource,
                agreement.map(|a| a.to_string()),
                allowed,
                policies,
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn requests_refused_before_the_policies_are_denied_attempts_on_the_record() {
    // Proves a bad body, a missing If-Match and a malformed If-Match on a case command each
    // leave one denied record naming the action, the case, its agreement and the problem's code
    // — for a caller the policies would refuse too, and for a case that does not exist — while
    // the anonymous caller leaves none.
    let app = spawn_app().await;
    let stranger = token(
        &app,
        "receiver.probe",
        Role::ReceivingOfficer,
        Party::State(Country::parse("ALB").expect("ALB")),
    )
    .await;
    // A case the harness proposed (never requested of anyone).
    let case = "case-0000000000001001";
    let missing = "case-00000000deadbeef";
    let refused = |code: &str| vec![format!("refused-before-policy:{code}")];
    let sent = [
        (
            format!("/api/cases/{case}/refuse"),
            None,
            Some(json!({})),
            422,
            "invalid_input",
        ),
        (
            format!("/api/cases/{case}/arrive"),
            None,
            None,
            428,
            "precondition_required",
        ),
        (
            format!("/api/cases/{case}/arrive"),
            Some("three"),
            None,
            412,
            "invalid_precondition",
        ),
        (
            format!("/api/cases/{missing}/refuse"),
            None,
            Some(json!({"reason": 3})),
            422,
            "invalid_input",
        ),
    ];
    let before = records(&app).await.len();
    for (path, if_match, body, status, code) in &sent {
        call(&app, "POST", path, &stranger, *if_match, body.clone())
            .await
            .problem(*status, code);
    }
    let anonymous = app
        .request(
            "POST",
            &format!("/api/cases/{case}/arrive"),
            &[],
            Vec::new(),
        )
        .await;
    anonymous.problem(401, "unauthenticated");
    let new: Vec<Record> = records(&app).await.into_iter().skip(before).collect();
    let who = "receiver.probe".to_owned();
    let agreement = Some("us-rwa-2025".to_owned());
    assert_eq!(
        new,
        vec![
            (
                who.clone(),
                "refuse".to_owned(),
                case.to_owned(),
                agreement.clone(),
                false,
                refused("invalid_input")
            ),
            (
                who.clone(),
                "arrive".to_owned(),
                case.to_owned(),
                agreement.clone(),
                false,
                refused("precondition_required")
            ),
            (
                who.clone(),
                "arrive".to_owned(),
                case.to_owned(),
                agreement,
                false,
                refused("invalid_precondition")
            ),
            (
                who,
                "refuse".to_owned(),
                missing.to_owned(),
                None,
                false,
                refused("invalid_input")
            ),
        ]
    );

    // A stale If-Match comes after the policies: its decision is recorded as it was made.
    let officer = token(
        &app,
        "officer.stale",
        Role::SendingOfficer,
        Party::State(Country::parse("USA").expect("USA")),
    )
    .await;
    let before = records(&app).await.len();
    call(
        &app,
        "POST",
        &format!("/api/cases/{case}/withdraw"),
        &officer,
        Some("\"99\""),
        Some(json!({"reason": "a synthetic reason"})),
    )
    .await
    .problem(412, "version_conflict");
    let new: Vec<Record> = records(&app).await.into_iter().skip(before).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    let (_, action, resource, _, allowed, _) = &new[0];
    assert_eq!(
        (action.as_str(), resource.as_str(), *allowed),
        ("withdraw", case, true)
    );
}
