//! The joint committee's report over HTTP, over a small synthetic world with known counts, and
//! the monitoring body's alerts kept from both governments.

use corridor_domain::terms::Country;
use corridor_domain::{EventBody, Party, Role};

use crate::cases::{call, token};
use crate::fixture::{self, CaseSpec, MEDP_MONITORS, Seeder, Stage};
use crate::harness::{TestApp, spawn_app};

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

/// The callers of these tests.
struct Callers {
    monitor: String,
    supervisor: String,
    officer: String,
    receiver: String,
    admin: String,
}

async fn callers(app: &TestApp) -> Callers {
    Callers {
        monitor: token(
            app,
            "monitor.medp",
            Role::Monitor,
            Party::MonitoringBody(MEDP_MONITORS.to_owned()),
        )
        .await,
        supervisor: token(app, "supervisor.gbr", Role::SendingSupervisor, state("GBR")).await,
        officer: token(app, "officer.gbr", Role::SendingOfficer, state("GBR")).await,
        receiver: token(app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await,
        admin: token(app, "admin.ops", Role::Admin, Party::None).await,
    }
}

/// 12 people arrived and 3 whose whereabouts became unknown, all under the UK–Rwanda
/// agreement, leaving on 2024-05-04; the clocks then run to the server's 2025-08-10.
async fn world(app: &TestApp, callers: &Callers) -> Vec<corridor_domain::CaseId> {
    fixture::load_agreements(app, &["gbr-rwa-2024.toml"]).await;
    let mut specs = vec![CaseSpec::new("gbr-rwa-2024", Stage::Arrived); 12];
    specs.extend(vec![
        CaseSpec::new("gbr-rwa-2024", Stage::WhereaboutsUnknown);
        3
    ]);
    let cases = Seeder::default().build(app, &specs).await;
    let tick = call(app, "POST", "/api/tick", &callers.admin, None, None).await;
    assert_eq!(tick.status, 200, "{}", tick.text());
    cases
}

/// A report's body, asserting it was answered with `media`.
async fn report(app: &TestApp, who: &str, query: &str, media: &str) -> String {
    let reply = call(
        app,
        "GET",
        &format!("/api/reports/gbr-rwa-2024?{query}"),
        who,
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.text());
    assert_eq!(reply.header("content-type"), media, "{query}");
    reply.text()
}

#[tokio::test]
async fn the_committee_report_counts_a_known_world() {
    // Proves the committee's report counts what happened: 15 people left in 2024, 12 now
    // arrived and 3 unknown; each had 7 welfare checks due in 2024 (June to December, monthly
    // from a month after arrival), all missed (105); the clock raised one missed-checks alert
    // per person and one whereabouts alert per missing person, which only the monitoring body's
    // version shows; each case is listed by id.
    let app = spawn_app().await;
    let who = callers(&app).await;
    let cases = world(&app, &who).await;
    let monitor = report(
        &app,
        &who.monitor,
        "period=2024&version=committee",
        "text/markdown; charset=utf-8",
    )
    .await;
    for line in [
        "| arrived | 12 |",
        "| whereabouts\\_unknown | 3 |",
        "| in\\_transit | 0 |",
        "| **total** | **15** |",
        "| missed | 105 |",
        "| done | 0 |",
        "| **total** | **105** |",
        "| missed\\_checks | 15 |",
        "| whereabouts\\_unknown | 3 |",
        "## Alerts to the monitoring body",
    ] {
        assert!(monitor.contains(line), "no `{line}` in:\n{monitor}");
    }
    for case in &cases {
        assert!(monitor.contains(&case.to_string()), "{case} is listed");
    }
    // The sending state's supervisor sits on the committee, without the monitoring body's
    // own sections.
    let supervisor = report(
        &app,
        &who.supervisor,
        "period=2024&version=committee",
        "text/markdown; charset=utf-8",
    )
    .await;
    assert!(
        supervisor.contains("| **total** | **15** |"),
        "{supervisor}"
    );
    assert!(
        !supervisor.contains("Alerts to the monitoring body"),
        "{supervisor}"
    );
    assert!(!supervisor.contains("missed\\_checks"), "{supervisor}");
    // Q3 2025: the 15-month check of each person is due now (its window open on 10 August).
    let quarter = report(
        &app,
        &who.monitor,
        "period=2025-Q3&version=committee",
        "text/markdown; charset=utf-8",
    )
    .await;
    assert!(quarter.contains("| due | 15 |"), "{quarter}");
    assert!(
        quarter.contains("| **total** | **0** |"),
        "nobody left in Q3 2025: {quarter}"
    );
    // Neither an officer nor the receiving state reads the committee's version; the read of
    // each is on the record, allowed or denied.
    for token in [&who.officer, &who.receiver] {
        let reply = call(
            &app,
            "GET",
            "/api/reports/gbr-rwa-2024?period=2024&version=committee",
            token,
            None,
            None,
        )
        .await;
        reply.problem(403, "forbidden");
    }
    let recorded: Vec<(String, bool)> = app
        .store
        .history(&corridor_domain::StreamId::Access)
        .await
        .expect("the access records")
        .into_iter()
        .filter_map(|stored| match stored.event.body {
            EventBody::AccessRecorded {
                action, allowed, ..
            } if action.ends_with("_report") => Some((action, allowed)),
            _ => None,
        })
        .collect();
    assert_eq!(recorded.len(), 5, "{recorded:?}");
    assert_eq!(
        recorded.iter().filter(|(_, allowed)| !allowed).count(),
        2,
        "{recorded:?}"
    );
}

#[tokio::test]
async fn the_public_report_hides_small_counts_and_names_no_case() {
    // Proves the public version, read by anyone (signed in or not): no case id, every count
    // under 10 shown as `<10`, the total of a table with a hidden cell suppressed, a table
    // without one keeping its total; no monitoring-body section; as HTML (escaped, a print
    // stylesheet, no script) and as CSV.
    let app = spawn_app().await;
    let who = callers(&app).await;
    let cases = world(&app, &who).await;
    let anonymous = app
        .request(
            "GET",
            "/api/reports/gbr-rwa-2024?period=2024&version=public",
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(anonymous.status, 200, "{}", anonymous.text());
    let public = anonymous.text();
    for line in [
        "| arrived | 12 |",
        "| whereabouts\\_unknown | &lt;10 |",
        "| **total** | **suppressed** |",
        "| missed | 105 |",
        "| done | &lt;10 |",
    ] {
        assert!(public.contains(line), "no `{line}` in:\n{public}");
    }
    assert!(!public.contains("case-"), "a case id in:\n{public}");
    assert!(
        !public.contains("Alerts to the monitoring body"),
        "{public}"
    );
    assert!(
        !public.contains("| 3 |") && !public.contains("| 0 |"),
        "{public}"
    );
    for case in &cases {
        assert!(!public.contains(&case.to_string()));
    }
    // The receiving state reads the public version too.
    let html = report(
        &app,
        &who.receiver,
        "period=2024&version=public&format=html",
        "text/html; charset=utf-8",
    )
    .await;
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("@media print"), "{html}");
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    assert!(html.contains("<td class=\"n\">&lt;10</td>"), "{html}");
    assert!(!html.contains("case-"));
    let csv = report(
        &app,
        &who.receiver,
        "period=2024&version=public&format=csv",
        "text/csv; charset=utf-8",
    )
    .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "agreement,period,version,section,label,value");
    assert!(
        lines.contains(&"gbr-rwa-2024,2024,public,transfers,arrived,12"),
        "{csv}"
    );
    assert!(
        lines.contains(&"gbr-rwa-2024,2024,public,transfers,total,suppressed"),
        "{csv}"
    );
    assert!(
        lines.contains(&"gbr-rwa-2024,2024,public,welfare_checks,missed,105"),
        "{csv}"
    );
    assert!(!csv.contains("case-"));
}

#[tokio::test]
async fn bad_report_queries_are_refused_by_field() {
    // Proves a period, version or format corridor does not know is refused with the field and
    // a sentence, before anything is read; an unknown agreement is not found.
    let app = spawn_app().await;
    let who = callers(&app).await;
    fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    for (query, field, message) in [
        (
            "period=2026-13",
            "query.period",
            "`2026-13`: a month is 01 to 12",
        ),
        (
            "period=2026-Q5",
            "query.period",
            "`2026-Q5`: a quarter is Q1, Q2, Q3 or Q4",
        ),
        (
            "period=26",
            "query.period",
            "`26` is not a period: write a year (`2026`), a quarter (`2026-Q3`) or a month (`2026-07`)",
        ),
        (
            "period=2026&version=secret",
            "query.version",
            "`secret` is not a version of the report: write `committee` or `public`",
        ),
        (
            "period=2026&format=pdf",
            "query.format",
            "`pdf` is not a report format: write `md`, `html` or `csv`",
        ),
    ] {
        let reply = call(
            &app,
            "GET",
            &format!("/api/reports/gbr-rwa-2024?{query}"),
            &who.monitor,
            None,
            None,
        )
        .await;
        let problem = reply.problem(422, "invalid_input");
        assert_eq!(problem["facts"]["field"], field, "{query}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(message),
            "{query}: {problem}"
        );
    }
    let missing = call(
        &app,
        "GET",
        "/api/reports/no-such-agreement?period=2026",
        &who.monitor,
        None,
        None,
    )
    .await;
    missing.problem(404, "not_found");
}

#[tokio::test]
async fn alerts_move_nothing_a_government_sees() {
    // Proves the monitoring body's alerts stay with it: raising them moves neither the version
    // (ETag) the sending state is told nor the receiving state's, adds nothing to their
    // histories or case views, while the monitor sees the alerts and the event in the history.
    let app = spawn_app().await;
    let who = callers(&app).await;
    fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    let case = Seeder::default()
        .build(&app, &[CaseSpec::new("gbr-rwa-2024", Stage::Arrived)])
        .await[0];
    let path = format!("/api/cases/{case}");
    let seen = |token: String| {
        let app = &app;
        let path = path.clone();
        async move {
            let view = call(app, "GET", &path, &token, None, None).await;
            assert_eq!(view.status, 200, "{}", view.text());
            let history = call(app, "GET", &format!("{path}/history"), &token, None, None).await;
            (
                view.header("etag").to_owned(),
                view.json(),
                history.status,
                history.text(),
            )
        }
    };
    let officer_before = seen(who.officer.clone()).await;
    let receiver_before = seen(who.receiver.clone()).await;
    let monitor_before = seen(who.monitor.clone()).await;
    let tick = call(&app, "POST", "/api/tick", &who.admin, None, None).await;
    assert_eq!(tick.status, 200, "{}", tick.text());
    assert!(
        tick.text().contains("monitor_alert_raised"),
        "{}",
        tick.text()
    );
    let officer_after = seen(who.officer.clone()).await;
    let receiver_after = seen(who.receiver.clone()).await;
    let monitor_after = seen(who.monitor.clone()).await;
    assert_eq!(
        officer_before.0, officer_after.0,
        "the sending state's ETag"
    );
    assert_eq!(
        receiver_before.0, receiver_after.0,
        "the receiving state's ETag"
    );
    assert_ne!(
        monitor_before.0, monitor_after.0,
        "the monitor's ETag moves"
    );
    assert_eq!(
        officer_before.3, officer_after.3,
        "the sending state's history"
    );
    assert!(!officer_after.3.contains("monitor_alert_raised"));
    assert!(!receiver_after.3.contains("monitor_alert_raised"));
    assert!(
        monitor_after.3.contains("monitor_alert_raised"),
        "{}",
        monitor_after.3
    );
    // The years after arrival: counted for the sending state, alerts for the monitor alone;
    // nothing of it for the receiving state.
    let aftercare = &officer_after.1["aftercare"];
    assert_eq!(aftercare["checks_missed"], 12, "{aftercare}");
    assert_eq!(aftercare["checks_due"], 1, "{aftercare}");
    assert_eq!(aftercare["whereabouts"], "known");
    assert!(aftercare.get("alerts").is_none(), "{aftercare}");
    assert!(
        receiver_after.1.get("aftercare").is_none(),
        "{}",
        receiver_after.1
    );
    let alerts = &monitor_after.1["aftercare"]["alerts"];
    assert_eq!(alerts[0]["reason"], "missed_checks", "{alerts}");
    assert_eq!(alerts[0]["count"], 3);
    assert_eq!(
        alerts.as_array().map(Vec::len),
        Some(1),
        "one alert per episode: {alerts}"
    );
}

#[tokio::test]
async fn a_state_reads_in_the_committee_report_only_the_findings_addressed_to_it() {
    // Proves the findings section follows who may see a finding: one addressed to the receiving
    // state alone is counted for the monitoring body, not in the committee's version a sending
    // supervisor reads (a state is never told of a finding not addressed to it).
    let app = spawn_app().await;
    let who = callers(&app).await;
    fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    let recorded = call(
        &app,
        "POST",
        "/api/agreements/gbr-rwa-2024/findings",
        &who.monitor,
        None,
        Some(serde_json::json!({
            "category": "detention",
            "severity": "serious",
            "text": "Synthetic: a finding for the receiving state alone.",
            "addressed": ["receiving_state"],
        })),
    )
    .await;
    assert_eq!(recorded.status, 201, "{}", recorded.text());
    let row = "| detention · serious | 1 |";
    let monitor = report(
        &app,
        &who.monitor,
        "period=2025&version=committee&format=md",
        "text/markdown; charset=utf-8",
    )
    .await;
    assert!(monitor.contains(row), "{monitor}");
    let supervisor = report(
        &app,
        &who.supervisor,
        "period=2025&version=committee&format=md",
        "text/markdown; charset=utf-8",
    )
    .await;
    assert!(
        supervisor.contains("Findings of the monitoring body"),
        "{supervisor}"
    );
    assert!(!supervisor.contains("detention"), "{supervisor}");
}
