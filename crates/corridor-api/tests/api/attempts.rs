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
    // The stranger may not know the case exists, so the record (a public log leaf) names no
    // agreement: it tells nobody which agreement a probed case belongs to.
    let agreement: Option<String> = None;
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

    // A caller who may know the case is recorded with its agreement.
    let before = records(&app).await.len();
    call(
        &app,
        "POST",
        &format!("/api/cases/{case}/withdraw"),
        &officer,
        None,
        Some(json!({})),
    )
    .await
    .problem(422, "invalid_input");
    let new: Vec<Record> = records(&app).await.into_iter().skip(before).collect();
    assert_eq!(
        new,
        vec![(
            "officer.stale".to_owned(),
            "withdraw".to_owned(),
            case.to_owned(),
            Some("us-rwa-2025".to_owned()),
            false,
            refused("invalid_input")
        )]
    );
}

#[tokio::test]
async fn creations_and_account_changes_refused_for_their_body_are_on_the_record() {
    // Proves a proposal, a hold registration and an amendment refused for their body, and a
    // user added with a bad body, each leave one denied record naming the action and the
    // problem's code; a role change or token asked with a bad body is decided by the policies
    // first, so its decision is on the record before the body is refused.
    let app = spawn_app().await;
    let officer = token(
        &app,
        "officer.body",
        Role::SendingOfficer,
        Party::State(Country::parse("USA").expect("USA")),
    )
    .await;
    let clerk = token(
        &app,
        "clerk.body",
        Role::CourtClerk,
        Party::Court("court-a".to_owned()),
    )
    .await;
    let refused = |code: &str| vec![format!("refused-before-policy:{code}")];
    let before = records(&app).await.len();
    let sent = [
        ("POST", "/api/agreements/us-rwa-2025/cases", &officer),
        ("POST", "/api/holds", &clerk),
        ("POST", "/api/holds/hold-00000000deadbeef/amend", &clerk),
        ("POST", "/api/users", &officer),
    ];
    for (method, path, caller) in sent {
        call(
            &app,
            method,
            path,
            caller,
            None,
            Some(json!({"nonsense": 1})),
        )
        .await
        .problem(422, "invalid_input");
    }
    let new: Vec<Record> = records(&app).await.into_iter().skip(before).collect();
    let record = |who: &str, action: &str, resource: &str, agreement: Option<&str>| {
        (
            who.to_owned(),
            action.to_owned(),
            resource.to_owned(),
            agreement.map(str::to_owned),
            false,
            refused("invalid_input"),
        )
    };
    assert_eq!(
        new,
        vec![
            record(
                "officer.body",
                "propose",
                "agreement:us-rwa-2025",
                Some("us-rwa-2025")
            ),
            record("clerk.body", "register_hold", "service", None),
            record("clerk.body", "amend_hold", "hold-00000000deadbeef", None),
            record("officer.body", "add_user", "service", None),
        ]
    );
    let before = records(&app).await.len();
    for (method, path) in [
        ("PUT", "/api/users/officer.body/role"),
        ("POST", "/api/users/clerk.body/tokens"),
    ] {
        let reply = call(
            &app,
            method,
            path,
            &officer,
            None,
            Some(json!({"nonsense": 1})),
        )
        .await;
        assert!(matches!(reply.status, 403 | 404 | 422), "{}", reply.text());
    }
    let new: Vec<Record> = records(&app).await.into_iter().skip(before).collect();
    let actions: Vec<&str> = new.iter().map(|record| record.1.as_str()).collect();
    assert_eq!(actions, ["set_user_role", "issue_token"], "{new:?}");
}
