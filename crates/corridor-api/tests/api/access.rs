//! The access records, read back: the monitoring body reads those of the agreements it monitors,
//! auditors those of every agreement, nobody else any; every read is itself recorded.

use corridor_domain::terms::Country;
use corridor_domain::{Party, Role};
use serde_json::Value;

use crate::cases::{call, token};
use crate::fixture::{self, MEDP_MONITORS};
use crate::harness::spawn_app;

/// `(user, action, resource, allowed, policies)` of each record in a page.
fn rows(page: &Value) -> Vec<(String, String, String, bool, Vec<String>)> {
    page["records"]
        .as_array()
        .unwrap_or_else(|| panic!("no records: {page}"))
        .iter()
        .map(|record| {
            (
                record["user"].as_str().unwrap_or_default().to_owned(),
                record["action"].as_str().unwrap_or_default().to_owned(),
                record["resource"].as_str().unwrap_or_default().to_owned(),
                record["allowed"].as_bool().expect("allowed"),
                record["policies"]
                    .as_array()
                    .expect("policies")
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn auditors_and_the_monitoring_body_read_who_read_which_case() {
    // Proves an auditor reads who read which case of an agreement, when, allowed or denied and by
    // which policy, by case and page by page, and that the read itself is recorded; that a monitor
    // reads only the records of the agreement its body monitors; and that the operator, an
    // officer and a monitor of another body are refused (403, on the record).
    let app = spawn_app().await;
    fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    let state = |code: &str| Party::State(Country::parse(code).expect("a country"));
    let officer = token(&app, "officer.read", Role::SendingOfficer, state("USA")).await;
    let stranger = token(&app, "receiver.alb", Role::ReceivingOfficer, state("ALB")).await;
    let auditor = token(&app, "auditor.ins", Role::Auditor, Party::None).await;
    let admin = token(&app, "admin.ops", Role::Admin, Party::None).await;
    let medp = token(
        &app,
        "monitor.medp",
        Role::Monitor,
        Party::MonitoringBody(MEDP_MONITORS.to_owned()),
    )
    .await;
    let case = "case-0000000000001001";
    let other = "case-0000000000001002";
    for (who, path) in [(&officer, case), (&stranger, case), (&officer, other)] {
        call(&app, "GET", &format!("/api/cases/{path}"), who, None, None).await;
    }
    let us = "/api/agreements/us-rwa-2025/access-records";
    let page = call(
        &app,
        "GET",
        &format!("{us}?case={case}"),
        &auditor,
        None,
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.header("cache-control"), "no-store");
    assert_eq!(
        rows(&page.json()),
        vec![
            (
                "officer.read".to_owned(),
                "read_case".to_owned(),
                case.to_owned(),
                true,
                vec!["sending-read-cases".to_owned()]
            ),
            (
                "receiver.alb".to_owned(),
                "read_case".to_owned(),
                case.to_owned(),
                false,
                vec!["guard-receiving-only-requested".to_owned()]
            ),
        ]
    );
    assert!(
        page.json()["records"][0]["at"]
            .as_str()
            .is_some_and(|at| at.starts_with("2025-08-10"))
    );

    // Page by page, one record at a time, `next` leading on, up to the auditor's own first read
    // (every read of the records is a record too, so the pages go on as long as someone reads).
    let own_read = |seen: &[(String, String, String, bool, Vec<String>)]| {
        seen.iter().any(|(user, action, resource, allowed, _)| {
            user == "auditor.ins"
                && action == "read_access_records"
                && resource == "agreement:us-rwa-2025"
                && *allowed
        })
    };
    let mut after = 0u64;
    let mut seen = Vec::new();
    for _ in 0..20 {
        let page = call(
            &app,
            "GET",
            &format!("{us}?limit=1&after={after}"),
            &auditor,
            None,
            None,
        )
        .await
        .json();
        assert!(rows(&page).len() <= 1, "{page}");
        seen.extend(rows(&page));
        after = page["next"]
            .as_u64()
            .expect("a next page while reads go on");
        if own_read(&seen) {
            break;
        }
    }
    assert!(
        own_read(&seen),
        "the reads of the records are records: {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(user, action, resource, ..)| user == "officer.read"
                && action == "read_case"
                && resource == other),
        "{seen:?}"
    );

    // The monitor reads its agreement's records only; the operator and an officer none.
    let gbr = call(
        &app,
        "GET",
        "/api/agreements/gbr-rwa-2024/access-records",
        &medp,
        None,
        None,
    )
    .await;
    assert_eq!(gbr.status, 200, "{}", gbr.text());
    assert!(
        rows(&gbr.json())
            .iter()
            .all(|(_, _, resource, ..)| resource == "agreement:gbr-rwa-2024"),
        "{}",
        gbr.text()
    );
    for who in [&medp, &admin, &officer] {
        call(&app, "GET", us, who, None, None)
            .await
            .problem(403, "forbidden");
    }
    let refusals = call(
        &app,
        "GET",
        &format!("{us}?limit=100"),
        &auditor,
        None,
        None,
    )
    .await
    .json();
    assert!(
        rows(&refusals)
            .iter()
            .any(|(user, action, _, allowed, _)| user == "admin.ops"
                && action == "read_access_records"
                && !allowed),
        "{refusals}"
    );
    call(&app, "GET", &format!("{us}?limit=0"), &auditor, None, None)
        .await
        .problem(422, "invalid_input");
}
