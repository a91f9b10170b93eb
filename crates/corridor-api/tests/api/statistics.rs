//! The statistics releases over HTTP: nothing before a release is published, then the stored
//! bytes of its files for anyone (no credential, or an officer's token), with their media
//! types; unknown releases and files are 404 problems, malformed ids 422 `invalid_input`; and the
//! statistics name no case and no person.

use corridor_app::statistics::release::{PublishRequest, PublishedRelease, publish_on};
use corridor_domain::terms::Country;
use corridor_domain::{Party, Role};
use corridor_log::checkpoint::Checkpoint;
use corridor_log::note::{Ed25519Signer, KeyName};
use corridor_stats::manifest::signer_name;
use corridor_stats::period::{Month, Period};
use corridor_stats::release::ReleasePeriod;
use corridor_store::CaseFilter;
use jiff::Timestamp;

use crate::cases::{call, token};
use crate::harness::{ORIGIN, Setup, TestApp, spawn_app_with};

/// Cases proposed on 2025-08-10 under the US–Rwanda agreement (in force from August 2025).
const PROPOSALS: u64 = 12;

/// After August 2025 has ended: when the checkpoint is made and the release published.
const SEPTEMBER_2: &str = "2025-09-02T09:00:00Z";

/// A served app whose log holds [`PROPOSALS`] proposals, with no release yet.
async fn app() -> TestApp {
    spawn_app_with(Setup {
        proposals: PROPOSALS,
        ..Setup::default()
    })
    .await
}

/// Signs and records a checkpoint of the whole log at `at`, as `corridor log checkpoint` does.
async fn checkpoint_at(app: &TestApp, at: &str) {
    let (size, root) = app.store.tree_head().await.expect("the tree head");
    let note = Checkpoint::new(ORIGIN, size, root)
        .expect("a checkpoint")
        .sign(&app.signer)
        .expect("signed");
    app.store
        .record_checkpoint(size, &root, &note.to_text(), at.parse().expect("a moment"))
        .await
        .expect("the checkpoint is recorded");
}

/// An officer of the sending state, by token.
async fn officer(app: &TestApp) -> String {
    token(
        app,
        "officer.stats",
        Role::SendingOfficer,
        Party::State(Country::parse("USA").expect("USA")),
    )
    .await
}

/// Publishes the release of August 2025 through corridor-app once the month has ended: the
/// officer's read of the (not yet published) statistics is recorded in the log, then
/// [`publish_august_now`].
async fn publish_august(app: &TestApp, officer: &str) -> PublishedRelease {
    let (before, _) = app.store.tree_head().await.expect("the tree head");
    call(app, "GET", "/api/statistics", officer, None, None)
        .await
        .problem(404, "not_found");
    let (after, _) = app.store.tree_head().await.expect("the tree head");
    assert!(after > before, "the officer's read is a leaf of the log");
    publish_august_now(app).await
}

/// Signs a checkpoint of the log on 2 September 2025 and publishes the release of August 2025
/// from it then, through corridor-app. The log must have grown since the harness's checkpoint:
/// a checkpoint of an unchanged log keeps the time it was first made.
pub async fn publish_august_now(app: &TestApp) -> PublishedRelease {
    checkpoint_at(app, SEPTEMBER_2).await;
    publish_august_at_september_2(app)
        .await
        .expect("the release is published")
}

/// Publishes the release of August 2025 on 2 September 2025 from the latest checkpoint.
async fn publish_august_at_september_2(
    app: &TestApp,
) -> Result<PublishedRelease, corridor_app::AppError> {
    let now: Timestamp = SEPTEMBER_2.parse().expect("a moment");
    let signer = Ed25519Signer::from_seed(
        KeyName::new(signer_name(ORIGIN)).expect("a key name"),
        &[6; 32],
    );
    let request = PublishRequest {
        period: ReleasePeriod::Period(Period::Month(Month::new(2025, 8).expect("a month"))),
        id: None,
        corrects: None,
        threshold: corridor_stats::DEFAULT_THRESHOLD,
        base: corridor_stats::DEFAULT_BASE,
    };
    publish_on(&app.store, now, &request, &signer).await
}

/// The stored bytes of a file of a release.
async fn stored(app: &TestApp, release: &str, file: &str) -> Vec<u8> {
    app.store
        .release_file(release, file)
        .await
        .expect("the store reads")
        .unwrap_or_else(|| panic!("no stored {release}/{file}"))
}

#[tokio::test]
async fn no_release_is_a_404_problem_for_the_public() {
    // Proves that before any release is published, the anonymous public asking for the latest
    // statistics (or the latest release's files) gets a 404 `not_found` problem, and the list
    // of releases is empty.
    let app = app().await;
    app.get("/api/statistics").await.problem(404, "not_found");
    app.get("/public/statistics/latest/statistics.csv")
        .await
        .problem(404, "not_found");
    let list = app.get("/api/statistics/releases").await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.json(), serde_json::json!({ "releases": [] }));
}

#[tokio::test]
async fn a_published_release_is_served_byte_for_byte_to_anyone() {
    // Proves a release published through corridor-app is served to a caller with no
    // credential exactly as stored: /api/statistics is the latest statistics.json
    // (application/json), /public/statistics/latest/statistics.csv and /<id>/release.note
    // carry their stored bytes and media types, /api/statistics/releases lists it; unknown
    // files and releases are 404, malformed ids 422 `invalid_input`; an officer's token reads
    // the same bytes.
    let app = app().await;
    let officer = officer(&app).await;
    let published = publish_august(&app, &officer).await;
    assert_eq!(published.id, "2025-08");
    let id = published.id.as_str();

    let json = stored(&app, id, "statistics.json").await;
    let latest = app.get("/api/statistics").await;
    assert_eq!(latest.status, 200, "{}", latest.text());
    assert_eq!(latest.header("content-type"), "application/json");
    assert_eq!(latest.body, json);
    assert_eq!(latest.json()["id"], id, "{}", latest.text());
    // What publish_on returned is what the store keeps.
    let returned = published
        .files
        .iter()
        .find(|(name, _)| name == "statistics.json")
        .map(|(_, bytes)| bytes.clone());
    assert_eq!(returned, Some(json.clone()));

    let csv = app.get("/public/statistics/latest/statistics.csv").await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(
        csv.header("content-type"),
        "text/csv; charset=utf-8; header=present"
    );
    assert_eq!(csv.header("cache-control"), "no-cache");
    assert_eq!(csv.body, stored(&app, id, "statistics.csv").await);

    let note = app
        .get(&format!("/public/statistics/{id}/release.note"))
        .await;
    assert_eq!(note.status, 200, "{}", note.text());
    assert_eq!(note.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(note.header("cache-control"), "public, max-age=86400");
    assert_eq!(note.body, stored(&app, id, "release.note").await);

    let list = app.get("/api/statistics/releases").await;
    assert_eq!(list.status, 200, "{}", list.text());
    let releases = list.json()["releases"].clone();
    assert_eq!(releases.as_array().map(Vec::len), Some(1), "{releases}");
    assert_eq!(releases[0]["id"], id);
    assert_eq!(releases[0]["period"], "2025-08");
    assert_eq!(releases[0]["corrects"], serde_json::Value::Null);

    app.get(&format!("/public/statistics/{id}/nope.csv"))
        .await
        .problem(404, "not_found");
    app.get("/public/statistics/2024-01/statistics.json")
        .await
        .problem(404, "not_found");
    for malformed in ["..%2Fx", "UPPER"] {
        app.get(&format!("/public/statistics/{malformed}/statistics.json"))
            .await
            .problem(422, "invalid_input");
    }

    let read = call(&app, "GET", "/api/statistics", &officer, None, None).await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.body, json);
    let read = call(
        &app,
        "GET",
        &format!("/public/statistics/{id}/statistics.csv"),
        &officer,
        None,
        None,
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.body, stored(&app, id, "statistics.csv").await);
    let listed = call(
        &app,
        "GET",
        "/api/statistics/releases",
        &officer,
        None,
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["releases"], releases);
}

#[tokio::test]
async fn the_statistics_name_no_case_and_no_person() {
    // Proves the latest statistics count the month's proposals yet carry none of the world's
    // case ids and none of its people's names.
    let app = app().await;
    let officer = officer(&app).await;
    publish_august(&app, &officer).await;
    let reply = app.get("/api/statistics").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.text();
    let cases = app
        .store
        .list_cases(&CaseFilter {
            limit: 1_000,
            ..CaseFilter::default()
        })
        .await
        .expect("the cases list");
    assert_eq!(cases.len(), usize::try_from(PROPOSALS).expect("a count"));
    for case in &cases {
        let id = &case.case_id;
        assert!(
            !body.contains(id.as_str()),
            "the statistics name case {id}:\n{body}"
        );
    }
    for number in 1..=PROPOSALS {
        let name = format!("Synthetic Person {}", 0x1000 + number);
        assert!(!body.contains(&name), "the statistics name {name}");
    }
    assert!(
        !body.contains("Synthetic"),
        "the statistics name a person:\n{body}"
    );
    // Not vacuous: the release counts the month's proposals, exactly (the log discloses them).
    let statistics = reply.json();
    let proposed = statistics["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|cell| {
            cell["agreement"] == "us-rwa-2025"
                && cell["measure"] == "proposed"
                && cell["breakdown"] == serde_json::json!([])
        })
        .unwrap_or_else(|| panic!("no total of proposals in\n{body}"));
    assert_eq!(
        proposed["value"],
        serde_json::json!({ "status": "exact", "value": PROPOSALS }),
        "{proposed}"
    );
}

#[tokio::test]
async fn a_checkpoint_made_inside_the_period_covers_it_only_while_the_log_has_not_grown() {
    // Proves the rule of a release's checkpoint: one made before the period ended is refused
    // (`checkpoint_before_period_end`) once an event was appended after it, since an event of
    // the period could lie beyond it; while nothing was appended since, it covers every event
    // of the period and the release is published.
    let app = app().await;
    checkpoint_at(&app, "2025-08-20T12:00:00Z").await;
    let officer = officer(&app).await;
    call(&app, "GET", "/api/statistics", &officer, None, None)
        .await
        .problem(404, "not_found");
    match publish_august_at_september_2(&app).await {
        Err(corridor_app::AppError::Statistics(refusal)) => {
            assert_eq!(refusal.code(), "checkpoint_before_period_end", "{refusal}");
        }
        other => panic!("a grown log after an early checkpoint was not refused: {other:?}"),
    }
    let unchanged = self::app().await;
    checkpoint_at(&unchanged, "2025-08-20T12:00:00Z").await;
    let published = publish_august_at_september_2(&unchanged)
        .await
        .expect("an early checkpoint of an unchanged log covers the period");
    assert_eq!(published.id, "2025-08");
}
