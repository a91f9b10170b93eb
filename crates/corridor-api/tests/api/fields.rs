//! The field filter, agreement by agreement: a receiving officer never receives a field the
//! agreement does not share, health data only with recorded consent; counsel and monitors see
//! their own cases whole and nobody else's.
//!
//! What each agreement shares is read from its file (`[sharing]`), the contract, not from the
//! code under test. Every person carries a distinctive sentinel in each field, and the whole
//! answer is searched for the sentinels of the fields not shared, so a field that leaked under
//! another name would be caught too.

use std::collections::BTreeSet;

use corridor_domain::terms::{Agreement, Country, SharedField};
use corridor_domain::{CaseId, Label, Language, Party, Role};
use serde_json::Value;

use crate::cases::{call, token};
use crate::fixture::{self, AGREEMENT_FILES, CaseSpec, MEDP_MONITORS, Person, Seeder, Stage};
use crate::harness::{TestApp, spawn_app};

/// An agreement made for this test: US–Rwanda sharing sex, contact and languages but not the
/// birth date, a combination no shipped file has (the age must then stay hidden too).
const PROBE_FILE: &str = "fields-probe.toml";

fn probe_text() -> String {
    let text = fixture::agreement_text("us-rwa-2025.toml")
        .replace("id = \"us-rwa-2025\"", "id = \"fields-probe\"")
        .replace(
            "fields = { value = [\"name\", \"birth_date\", \"nationality\", \"sex\", \"documents\"]",
            "fields = { value = [\"sex\", \"contact\", \"languages\"]",
        );
    assert!(text.contains("fields-probe") && text.contains("\"contact\""));
    text
}

/// The sentinel of each personal and rule field.
mod sentinel {
    pub const NAME: &str = "Sentinel Name Qzx";
    pub const BIRTH_DATE: &str = "1987-06-05";
    pub const DOCUMENT: &str = "SENTINEL-DOCUMENT-5521";
    pub const CONTACT: &str = "SENTINEL-CONTACT-0100";
    pub const HEALTH: &str = "SENTINEL-HEALTH-NOTE";
    pub const LEGAL_BASIS: &str = "sentinel_legal_basis";
    pub const DESIGNATION: &str = "sentinel_designation";
    pub const DETENTION_PLACE: &str = "sentinel_detention_place";
    pub const REMOVAL_ORDERED_ON: &str = "2023-09-08";
}

/// A person with a sentinel in every field, eligible under `terms`.
fn sentinel_person(terms: &Agreement, health_data_consent: bool) -> Person {
    let mut person = Person::synthetic();
    let facts = &mut person.facts;
    facts.birth_date = sentinel::BIRTH_DATE.parse().expect("a date");
    facts.languages = [Language::parse("qu").expect("a language")]
        .into_iter()
        .collect();
    facts.vulnerabilities = fixture::unexcluded_vulnerability(terms)
        .into_iter()
        .collect();
    facts.feared_countries = [Country::parse("SYR").expect("SYR")].into_iter().collect();
    facts.protected_countries = [Country::parse("IRQ").expect("IRQ")].into_iter().collect();
    facts.legal_basis = Label::parse(sentinel::LEGAL_BASIS).expect("a label");
    facts.designation = Some(Label::parse(sentinel::DESIGNATION).expect("a label"));
    facts.detention_place = Some(Label::parse(sentinel::DETENTION_PLACE).expect("a label"));
    facts.removal_ordered_on = sentinel::REMOVAL_ORDERED_ON.parse().expect("a date");
    facts.health_data_consent = health_data_consent;
    person.personal.name = sentinel::NAME.to_owned();
    person.personal.birth_date = Some(facts.birth_date);
    person.personal.documents = vec![sentinel::DOCUMENT.to_owned()];
    person.personal.contact = Some(sentinel::CONTACT.to_owned());
    person.personal.health = Some(sentinel::HEALTH.to_owned());
    person
}

/// Every key and every string or number in a JSON value, as text.
fn words(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                out.insert(key.clone());
                words(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| words(item, out)),
        Value::String(text) => {
            out.insert(text.clone());
        }
        Value::Number(number) => {
            out.insert(number.to_string());
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// The keys of an object member, without `withheld`; empty when absent.
fn keys(view: &Value, member: &str) -> BTreeSet<String> {
    view[member]
        .as_object()
        .map(|object| {
            object
                .keys()
                .filter(|key| *key != "withheld")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// What a receiving officer may see of a case under `terms`, as the file says: personal keys,
/// rule-attribute keys, and the sentinels of everything else (which must appear nowhere).
fn expected(terms: &Agreement, consent: bool) -> (BTreeSet<String>, BTreeSet<String>, Vec<String>) {
    let shared = |field| terms.terms.shared_fields.contains(&field);
    let mut personal = BTreeSet::new();
    let mut rule = BTreeSet::new();
    let mut hidden: Vec<String> = [
        // What the person fears and the sending state's order stay with the sending state.
        sentinel::LEGAL_BASIS,
        sentinel::DESIGNATION,
        sentinel::DETENTION_PLACE,
        sentinel::REMOVAL_ORDERED_ON,
        "SYR",
        "IRQ",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut show = |visible: bool, set: &mut BTreeSet<String>, key: &str, value: Option<&str>| {
        if visible {
            set.insert(key.to_owned());
        } else if let Some(value) = value {
            hidden.push(value.to_owned());
        }
    };
    show(
        shared(SharedField::Name),
        &mut personal,
        "name",
        Some(sentinel::NAME),
    );
    show(
        shared(SharedField::BirthDate),
        &mut personal,
        "birth_date",
        Some(sentinel::BIRTH_DATE),
    );
    show(
        shared(SharedField::Documents),
        &mut personal,
        "documents",
        Some(sentinel::DOCUMENT),
    );
    show(
        shared(SharedField::Contact),
        &mut personal,
        "contact",
        Some(sentinel::CONTACT),
    );
    show(
        shared(SharedField::Health) && consent,
        &mut personal,
        "health",
        Some(sentinel::HEALTH),
    );
    show(
        shared(SharedField::Nationality),
        &mut rule,
        "nationality",
        None,
    );
    show(shared(SharedField::Sex), &mut rule, "sex", None);
    show(
        shared(SharedField::BirthDate),
        &mut rule,
        "age_years_at_proposal",
        None,
    );
    show(
        shared(SharedField::Languages),
        &mut rule,
        "languages",
        Some("qu"),
    );
    show(
        shared(SharedField::Vulnerabilities),
        &mut rule,
        "vulnerabilities",
        fixture::unexcluded_vulnerability(terms).map(|category| category.as_str()),
    );
    (personal, rule, hidden)
}

/// The receiving state's officer of an agreement, by login name.
fn receiver_name(terms: &Agreement) -> String {
    format!("receiver.{}", terms.receiving.code().to_lowercase())
}

/// Asserts what a receiving officer's view of `case` under `terms` holds, and that its history
/// is not theirs to read.
async fn check_receiving_view(
    app: &TestApp,
    token: &str,
    file: &str,
    terms: &Agreement,
    case: CaseId,
    consent: bool,
) {
    let (personal, rule, hidden) = expected(terms, consent);
    let reply = call(app, "GET", &format!("/api/cases/{case}"), token, None, None).await;
    assert_eq!(reply.status, 200, "{file}: {}", reply.text());
    let view = reply.json();
    assert_eq!(keys(&view, "personal_data"), personal, "{file}: {view}");
    assert_eq!(keys(&view, "rule_attributes"), rule, "{file}: {view}");
    if personal.is_empty() {
        assert_eq!(view["personal_data_state"], "withheld", "{file}: {view}");
    }
    let mut seen = BTreeSet::new();
    words(&view, &mut seen);
    for value in &hidden {
        assert!(!seen.contains(value), "{file}: `{value}` leaked: {view}");
        // Short sentinels (country codes, a language tag) are searched as whole values only:
        // `qu` is in `requested`.
        if value.len() > 3 {
            assert!(
                !reply.text().contains(value.as_str()),
                "{file}: `{value}` leaked: {view}"
            );
        }
    }
    // The history carries facts no agreement shares (the notice, protection claims): it is
    // not the receiving state's to read, and its refusal gives nothing away either.
    let history = call(
        app,
        "GET",
        &format!("/api/cases/{case}/history"),
        token,
        None,
        None,
    )
    .await;
    history.problem(403, "forbidden");
    for value in hidden.iter().filter(|value| value.len() > 3) {
        assert!(
            !history.text().contains(value.as_str()),
            "{file}: history leaked `{value}`"
        );
    }
}

#[tokio::test]
async fn a_receiving_officer_receives_only_the_fields_each_agreement_shares() {
    // Proves, for every shipped agreement file and a probe with a combination none ships, that
    // the receiving state's officer sees exactly the shared fields of a requested case (health
    // never without consent, the age only with the birth date) and nothing else anywhere.
    let shipped: BTreeSet<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../agreements"))
            .expect("the agreements directory")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".toml"))
            .collect();
    let listed: BTreeSet<String> = AGREEMENT_FILES
        .iter()
        .map(|file| (*file).to_owned())
        .collect();
    assert_eq!(
        listed, shipped,
        "fixture::AGREEMENT_FILES must name every shipped file"
    );
    let app = spawn_app().await;
    let others: Vec<&str> = AGREEMENT_FILES
        .iter()
        .copied()
        .filter(|file| *file != "us-rwa-2025.toml")
        .collect();
    fixture::load_agreements(&app, &others).await;
    fixture::load_text(&app, PROBE_FILE, &probe_text()).await;

    let mut files: Vec<(&'static str, Agreement)> = AGREEMENT_FILES
        .iter()
        .map(|file| (*file, fixture::agreement(file)))
        .collect();
    let probe = corridor_domain::terms::parse_agreement(PROBE_FILE, &probe_text())
        .expect("the probe parses");
    files.push((PROBE_FILE, probe));
    let specs: Vec<CaseSpec> = files
        .iter()
        .map(|(_, terms)| CaseSpec {
            agreement: terms.id.to_string(),
            stage: Stage::Requested,
            counsel: None,
            person: sentinel_person(terms, false),
        })
        .collect();
    let cases = Seeder::default().build(&app, &specs).await;

    let mut tokens = std::collections::BTreeMap::new();
    for (_, terms) in &files {
        let name = receiver_name(terms);
        if let std::collections::btree_map::Entry::Vacant(entry) = tokens.entry(name) {
            let minted = token(
                &app,
                entry.key(),
                Role::ReceivingOfficer,
                Party::State(terms.receiving),
            )
            .await;
            entry.insert(minted);
        }
    }
    for ((file, terms), case) in files.iter().zip(cases) {
        let token = &tokens[&receiver_name(terms)];
        check_receiving_view(&app, token, file, terms, case, false).await;
    }
}

#[tokio::test]
async fn health_data_reaches_the_receiving_state_only_with_consent() {
    // Proves that under an agreement sharing health (Dublin III profile) the receiving officer
    // sees the health note with recorded consent and not without, and that under one that does
    // not share it (US–Rwanda) consent alone shows nothing.
    let app = spawn_app().await;
    fixture::load_agreements(&app, &["dublin-iii-profile.toml"]).await;
    let dublin = fixture::agreement("dublin-iii-profile.toml");
    let us_rwa = fixture::agreement("us-rwa-2025.toml");
    assert!(dublin.terms.shared_fields.contains(&SharedField::Health));
    assert!(!us_rwa.terms.shared_fields.contains(&SharedField::Health));
    let spec = |terms: &Agreement, consent: bool| CaseSpec {
        agreement: terms.id.to_string(),
        stage: Stage::Requested,
        counsel: None,
        person: sentinel_person(terms, consent),
    };
    let cases = Seeder::default()
        .build(
            &app,
            &[
                spec(&dublin, true),
                spec(&dublin, false),
                spec(&us_rwa, true),
            ],
        )
        .await;
    let italy = token(&app, "receiver.ita", Role::ReceivingOfficer, state("ITA")).await;
    let rwanda = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;

    let consented = call(
        &app,
        "GET",
        &format!("/api/cases/{}", cases[0]),
        &italy,
        None,
        None,
    )
    .await;
    assert_eq!(consented.status, 200, "{}", consented.text());
    assert_eq!(
        consented.json()["personal_data"]["health"],
        sentinel::HEALTH
    );
    check_receiving_view(&app, &italy, "dublin, consent", &dublin, cases[0], true).await;
    check_receiving_view(&app, &italy, "dublin, no consent", &dublin, cases[1], false).await;
    check_receiving_view(&app, &rwanda, "us-rwa, consent", &us_rwa, cases[2], true).await;
    let unshared = call(
        &app,
        "GET",
        &format!("/api/cases/{}", cases[2]),
        &rwanda,
        None,
        None,
    )
    .await;
    assert!(
        !unshared.text().contains(sentinel::HEALTH),
        "{}",
        unshared.text()
    );
}

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

#[tokio::test]
async fn counsel_see_their_own_clients_whole_and_nobody_else() {
    // Proves counsel read their client's case and history in full, and are refused (403, on
    // the record) another client's case, its history and any case list.
    let app = spawn_app().await;
    let terms = fixture::agreement("us-rwa-2025.toml");
    let spec = |counsel: &'static str| CaseSpec {
        counsel: Some(counsel),
        ..CaseSpec {
            agreement: "us-rwa-2025".to_owned(),
            stage: Stage::Requested,
            counsel: None,
            person: sentinel_person(&terms, false),
        }
    };
    let cases = Seeder::default()
        .build(&app, &[spec("counsel.own"), spec("counsel.someone")])
        .await;
    let own = token(&app, "counsel.own", Role::Counsel, Party::Clients).await;
    let (mine, theirs) = (cases[0], cases[1]);

    let shown = call(&app, "GET", &format!("/api/cases/{mine}"), &own, None, None).await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    let view = shown.json();
    assert_eq!(view["personal_data"]["name"], sentinel::NAME);
    assert_eq!(view["personal_data"]["health"], sentinel::HEALTH);
    assert_eq!(
        view["rule_attributes"]["legal_basis"],
        sentinel::LEGAL_BASIS
    );
    assert_eq!(view["rule_attributes"]["withheld"], serde_json::json!([]));
    let history = call(
        &app,
        "GET",
        &format!("/api/cases/{mine}/history"),
        &own,
        None,
        None,
    )
    .await;
    assert_eq!(history.status, 200, "{}", history.text());

    for path in [
        format!("/api/cases/{theirs}"),
        format!("/api/cases/{theirs}/history"),
        "/api/agreements/us-rwa-2025/cases".to_owned(),
    ] {
        let reply = call(&app, "GET", &path, &own, None, None).await;
        // A case they may not see is answered as one that does not exist.
        if path.starts_with("/api/cases/") {
            reply.problem(404, "not_found");
        } else {
            reply.problem(403, "forbidden");
        }
        assert!(!reply.text().contains(sentinel::NAME), "{path}");
    }
}

#[tokio::test]
async fn monitors_see_every_case_of_their_agreements_and_nothing_else() {
    // Proves a monitor reads and lists every case of the agreement their body monitors, and
    // that a monitor of another body, or of an agreement that names none, is refused (403).
    let app = spawn_app().await;
    fixture::load_agreements(&app, &["gbr-rwa-2024.toml"]).await;
    let medp = fixture::agreement("gbr-rwa-2024.toml");
    let us_rwa = fixture::agreement("us-rwa-2025.toml");
    let spec = |terms: &Agreement, stage| CaseSpec {
        agreement: terms.id.to_string(),
        stage,
        counsel: None,
        person: sentinel_person(terms, false),
    };
    let cases = Seeder::default()
        .build(
            &app,
            &[
                spec(&medp, Stage::Proposed),
                spec(&medp, Stage::Arrived),
                spec(&us_rwa, Stage::Requested),
            ],
        )
        .await;
    let own = token(
        &app,
        "monitor.medp",
        Role::Monitor,
        Party::MonitoringBody(MEDP_MONITORS.to_owned()),
    )
    .await;
    let other = token(
        &app,
        "monitor.other",
        Role::Monitor,
        Party::MonitoringBody("another-monitoring-body".to_owned()),
    )
    .await;

    for case in &cases[..2] {
        let shown = call(&app, "GET", &format!("/api/cases/{case}"), &own, None, None).await;
        assert_eq!(shown.status, 200, "{}", shown.text());
        assert_eq!(shown.json()["personal_data"]["name"], sentinel::NAME);
        let history = call(
            &app,
            "GET",
            &format!("/api/cases/{case}/history"),
            &own,
            None,
            None,
        )
        .await;
        assert_eq!(history.status, 200, "{}", history.text());
    }
    let listed = call(
        &app,
        "GET",
        "/api/agreements/gbr-rwa-2024/cases",
        &own,
        None,
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let ids: BTreeSet<String> = listed.json()["cases"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|row| row["case"].as_str().expect("an id").to_owned())
        .collect();
    let expected: BTreeSet<String> = cases[..2].iter().map(ToString::to_string).collect();
    assert_eq!(ids, expected);

    let us_case = cases[2];
    let mut refused = vec![
        (own.clone(), format!("/api/cases/{us_case}")),
        (own.clone(), format!("/api/cases/{us_case}/history")),
        (own.clone(), "/api/agreements/us-rwa-2025/cases".to_owned()),
        (own.clone(), "/api/holds".to_owned()),
        (
            other.clone(),
            "/api/agreements/gbr-rwa-2024/cases".to_owned(),
        ),
        (other.clone(), "/api/holds".to_owned()),
    ];
    for case in &cases[..2] {
        refused.push((other.clone(), format!("/api/cases/{case}")));
        refused.push((other.clone(), format!("/api/cases/{case}/history")));
    }
    for (token, path) in refused {
        let reply = call(&app, "GET", &path, &token, None, None).await;
        if path.starts_with("/api/cases/") {
            reply.problem(404, "not_found");
        } else {
            reply.problem(403, "forbidden");
        }
        assert!(!reply.text().contains(sentinel::NAME), "{path}");
    }
}

#[tokio::test]
async fn a_receiving_officer_lists_only_the_cases_requested_of_them() {
    // Proves the case list of the receiving state's officer leaves out the cases not yet
    // requested of it (the sending state's business alone), and that reading one is refused.
    let app = spawn_app().await;
    let terms = fixture::agreement("us-rwa-2025.toml");
    let spec = |stage| CaseSpec {
        agreement: "us-rwa-2025".to_owned(),
        stage,
        counsel: None,
        person: sentinel_person(&terms, false),
    };
    let cases = Seeder::default()
        .build(
            &app,
            &[
                spec(Stage::Proposed),
                spec(Stage::Noticed),
                spec(Stage::Requested),
                spec(Stage::Arrived),
            ],
        )
        .await;
    let rwanda = token(&app, "receiver.rwa", Role::ReceivingOfficer, state("RWA")).await;
    let listed = call(
        &app,
        "GET",
        "/api/agreements/us-rwa-2025/cases",
        &rwanda,
        None,
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let ids: BTreeSet<String> = listed.json()["cases"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|row| row["case"].as_str().expect("an id").to_owned())
        .collect();
    let expected: BTreeSet<String> = cases[2..].iter().map(ToString::to_string).collect();
    assert_eq!(
        ids, expected,
        "the harness's own proposals are not requested either"
    );
    for case in &cases[..2] {
        call(
            &app,
            "GET",
            &format!("/api/cases/{case}"),
            &rwanda,
            None,
            None,
        )
        .await
        .problem(404, "not_found");
    }
}
