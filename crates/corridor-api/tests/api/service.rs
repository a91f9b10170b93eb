//! The application functions the command line calls without `--server`
//! (`corridor_app::service`), as a local caller: the policies decide reads and commands alike,
//! and every decision is an access record, exactly as over HTTP.

use corridor_api::ApiError;
use corridor_app::service::{self, CaseQuery};
use corridor_app::{AppError, Caller, Credential};
use corridor_domain::terms::Country;
use corridor_domain::{Actor, CaseId, Command, EventBody, Party, Role, StreamId, UserId};

use crate::harness::{TestApp, spawn_app};

/// The first case `spawn_app` proposes.
const CASE: u64 = 0x1001;

fn local(user: &str, role: Role, party: Party) -> Caller {
    Caller::local(Actor {
        user: UserId::parse(user).expect("a user id"),
        role,
        party,
    })
}

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// Every access record so far: who, which action, on what, and whether it was allowed.
async fn access_records(app: &TestApp) -> Vec<(String, String, String, bool)> {
    app.store
        .history(&StreamId::Access)
        .await
        .expect("the access stream")
        .into_iter()
        .filter_map(|stored| match stored.event.body {
            EventBody::AccessRecorded {
                action,
                resource,
                allowed,
                ..
            } => Some((
                stored
                    .event
                    .by
                    .map(|user| user.to_string())
                    .unwrap_or_default(),
                action,
                resource,
                allowed,
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_local_read_is_decided_by_the_policies_and_recorded() {
    // Proves service::read_case, as the command line calls it, writes an allowed access record
    // for the officer's read and a denied one for the receiving officer's, who gets a 403.
    let app = spawn_app().await;
    let case = CaseId::from_u64(CASE);
    let officer = local("officer.ada", Role::SendingOfficer, state("USA"));
    assert!(matches!(officer.credential, Credential::Local));
    assert!(access_records(&app).await.is_empty());

    let view = service::read_case(app.state.app(), &officer, case)
        .await
        .expect("the officer reads the case");
    assert_eq!(view.case, case.to_string());
    assert_eq!(
        access_records(&app).await,
        [(
            "officer.ada".to_owned(),
            "read_case".to_owned(),
            case.to_string(),
            true
        )]
    );

    let receiver = local("receiver.dee", Role::ReceivingOfficer, state("RWA"));
    let denied = service::read_case(app.state.app(), &receiver, case).await;
    assert!(
        matches!(denied, Err(AppError::NotFound { .. })),
        "{denied:?}"
    );
    let history = service::read_history(app.state.app(), &officer, case)
        .await
        .expect("the officer reads the history");
    assert_eq!(
        history.first().map(|event| event.kind.as_str()),
        Some("case_proposed")
    );
    let records = access_records(&app).await;
    assert_eq!(
        records.get(1..),
        Some(
            &[
                (
                    "receiver.dee".to_owned(),
                    "read_case".to_owned(),
                    case.to_string(),
                    false
                ),
                (
                    "officer.ada".to_owned(),
                    "read_history".to_owned(),
                    case.to_string(),
                    true
                ),
            ][..]
        ),
        "{records:?}"
    );
}

#[tokio::test]
async fn a_local_list_records_the_listing_and_each_case_shown() {
    // Proves service::list_cases without an agreement records a `list_cases` decision per
    // agreement and a `read_case` decision per case shown, and shows what the field filter allows.
    let app = spawn_app().await;
    let officer = local("officer.ada", Role::SendingOfficer, state("USA"));
    let query = CaseQuery {
        agreement: None,
        status: None,
        limit: 10,
        after: None,
    };
    let page = service::list_cases(app.state.app(), &officer, &query)
        .await
        .expect("the officer lists cases");
    assert_eq!(page.cases.len(), 2, "{page:?}");
    assert!(
        page.cases
            .iter()
            .all(|case| case.nationality.as_deref() == Some("VEN"))
    );
    let actions: Vec<String> = access_records(&app)
        .await
        .into_iter()
        .map(|(_, action, _, allowed)| format!("{action}:{allowed}"))
        .collect();
    assert_eq!(
        actions,
        ["list_cases:true", "read_case:true", "read_case:true"]
    );

    let admin = local("admin", Role::Admin, Party::None);
    let denied = service::list_cases(app.state.app(), &admin, &query).await;
    assert!(
        matches!(
            denied,
            Err(AppError::NotPermitted {
                action: "list_cases"
            })
        ),
        "{denied:?}"
    );
}

#[tokio::test]
async fn a_local_command_commits_its_access_record_and_names_a_recorded_refusal() {
    // Proves service::case_command records the decision with the command, and a safeguard
    // refusal comes back naming the `safeguard_triggered` event that records it.
    let app = spawn_app().await;
    let case = CaseId::from_u64(CASE);
    let officer = local("officer.ada", Role::SendingOfficer, state("USA"));
    let before = app.store.event_count().await.expect("a count");
    let refused = service::case_command(
        app.state.app(),
        &officer,
        Command::RequestTransfer { case },
        None,
    )
    .await;
    let Err(AppError::RefusedRecorded { refusal, seq }) = refused else {
        panic!("not a recorded refusal: {refused:?}");
    };
    assert_eq!(refusal.code(), "notice_missing");
    assert_eq!(seq, before + 2, "the access record first, then the refusal");
    let problem = ApiError::from(AppError::RefusedRecorded { refusal, seq }).problem();
    assert_eq!(
        (problem.safeguard, problem.recorded_seq),
        (Some(true), Some(seq))
    );
    assert_eq!(
        access_records(&app).await,
        [(
            "officer.ada".to_owned(),
            "request_transfer".to_owned(),
            case.to_string(),
            true
        )]
    );
}
