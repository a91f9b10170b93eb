//! Refusals and problems in the visitor's language: every refusal the core can give has a
//! sentence and a title in every shipped language with exactly the placeholders its facts
//! provide; a sentence is filled in the visitor's language, and falls back to the application
//! layer's English where no catalogue fits; the error page speaks the visitor's language.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use corridor_api::ApiError;
use corridor_api::problem::Problem;
use corridor_domain::{CapKind, HoldId, Refusal};
use corridor_testkit::refusals::{VARIANTS, every_refusal, variant};
use corridor_web::i18n::{CATALOGUES, Messages, parse_files, placeholders};
use corridor_web::refusals::{message_key, refusal_sentence, sentence, title};

use crate::harness::spawn;

/// Every language's catalogue, as one flat map each.
fn catalogues() -> BTreeMap<&'static str, BTreeMap<String, String>> {
    CATALOGUES
        .iter()
        .map(|(language, files)| {
            (
                *language,
                parse_files(files).unwrap_or_else(|error| panic!("{language}: {error}")),
            )
        })
        .collect()
}

/// Proves the examples hold one refusal of every variant of `Refusal` (a new variant does not
/// compile until `variant` numbers it, and then fails here until it has an example).
#[test]
fn every_refusal_variant_has_an_example() {
    let covered: BTreeSet<usize> = every_refusal().iter().map(variant).collect();
    let all: BTreeSet<usize> = (0..VARIANTS).collect();
    assert_eq!(covered, all, "variants without an example");
}

/// Proves every refusal code the core can give has, in every shipped language, a sentence
/// whose placeholders are exactly its facts (for a fact given only sometimes, a sentence each
/// way), and a title.
#[test]
fn every_refusal_code_has_a_sentence_with_its_facts_in_every_language() {
    let all = catalogues();
    assert!(all.len() >= 2, "English and French ship");
    let mut checked = 0;
    for (language, catalogue) in &all {
        let messages = Messages::of(language);
        assert_eq!(messages.language(), *language);
        for refusal in every_refusal() {
            let code = refusal.code();
            let facts = refusal.facts();
            let key = message_key(&messages, "refusal", code, &facts)
                .unwrap_or_else(|| panic!("{language}: no message fits `{code}` {facts:?}"));
            let message = catalogue
                .get(&key)
                .unwrap_or_else(|| panic!("{language}: `{key}` is not in its own catalogue"));
            let names: Vec<String> = facts.keys().cloned().collect();
            assert_eq!(placeholders(message), names, "{language}: `{key}`");
            assert!(
                catalogue.contains_key(&format!("refusal.{code}.title")),
                "{language}: no title for `{code}`"
            );
            let shown = refusal_sentence(&messages, &refusal);
            assert!(
                !shown.contains('{'),
                "{language}: `{key}` unfilled: {shown}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 2 * VARIANTS, "{checked} refusals checked");
}

/// Proves no catalogue names a refusal code the core cannot give: every `refusal.<code>` key
/// is a code of an example.
#[test]
fn the_catalogues_name_only_refusal_codes_that_exist() {
    let codes: BTreeSet<&str> = every_refusal().iter().map(Refusal::code).collect();
    for (language, catalogue) in catalogues() {
        for key in catalogue.keys().filter(|key| key.starts_with("refusal.")) {
            let code = key
                .trim_start_matches("refusal.")
                .split('.')
                .next()
                .unwrap_or_default();
            assert!(
                codes.contains(code),
                "{language}: `{key}` names no refusal code"
            );
        }
    }
}

/// Proves a refusal reads in French with its facts filled in and named in French (a cap, a
/// status, a moment), and in English from the English catalogue.
#[test]
fn a_refusal_reads_in_the_visitors_language() {
    let french = Messages::of("fr");
    let english = Messages::of("en");
    let hold = Refusal::HoldActive {
        hold: HoldId::from_u64(3),
        court: "Tribunal {de} Kigali".to_owned(),
        reference: "RC-2025-{hold}".to_owned(),
    };
    let shown = refusal_sentence(&french, &hold);
    assert!(
        shown.starts_with("Une ordonnance judiciaire fait obstacle à ce transfert"),
        "{shown}"
    );
    // A fact's own braces are text, never a placeholder.
    assert!(shown.contains("l’ordonnance RC-2025-{hold} de la juridiction Tribunal {de} Kigali"));
    assert!(refusal_sentence(&english, &hold).starts_with("A court order stops this transfer"));

    let cap = Refusal::CapReached {
        cap: CapKind::Present,
        limit: 3000,
        current: 3000,
    };
    assert_eq!(
        refusal_sentence(&french, &cap),
        "L’accord fixe un plafond de 3000 personnes présentes en même temps dans l’État d’accueil, \
         et 3000 sont déjà comptées (transférées, en transit ou dont le transfert est programmé)."
    );
    let running = Refusal::NoticePeriodRunning {
        earliest_departure: corridor_testkit::at("2025-08-12T09:00:00Z"),
    };
    assert!(refusal_sentence(&french, &running).ends_with("qu’à compter du 2025-08-12 09:00 UTC."));
    let departure = Refusal::DepartureOutsideSchedule {
        scheduled: corridor_testkit::at("2025-08-12T09:00:00Z"),
        earliest: corridor_testkit::at("2025-08-12T03:00:00Z"),
        latest: None,
    };
    assert!(
        refusal_sentence(&french, &departure).contains("qu’à compter du 2025-08-12 03:00 UTC"),
        "the sentence without `latest`"
    );
    let problem = ApiError::from(hold).problem();
    assert_eq!(
        title(&french, &problem),
        "Une ordonnance judiciaire s’applique"
    );
    assert_eq!(title(&english, &problem), "A court hold is in effect");
}

/// Proves a code no catalogue has, or facts that do not fill its message, give the application
/// layer's English sentence and title, never a half-filled message.
#[test]
fn a_code_the_catalogue_lacks_falls_back_to_the_english_sentence() {
    let french = Messages::of("fr");
    let unknown = Problem {
        status: StatusCode::CONFLICT,
        code: "refused_by_a_rule_added_later".to_owned(),
        title: "A later rule".to_owned(),
        detail: "A rule this catalogue does not know refused the step.".to_owned(),
        facts: BTreeMap::new(),
        retry_after_seconds: None,
        safeguard: Some(true),
        recorded_seq: None,
    };
    assert_eq!(sentence(&french, &unknown), unknown.detail);
    assert_eq!(title(&french, &unknown), unknown.title);
    let unfilled = Problem {
        code: "hold_active".to_owned(),
        detail: "A court order stops this transfer.".to_owned(),
        ..unknown
    };
    assert_eq!(
        sentence(&french, &unfilled),
        "A court order stops this transfer."
    );
}

/// Proves the HTTP error pages speak the visitor's language: a French browser gets the
/// problem's title and sentence in French with the stable code beside them, an English one
/// gets English.
#[tokio::test]
async fn an_error_page_is_in_the_visitors_language() {
    let app = spawn().await;
    let french = app
        .get(
            "/agreements/no-such-agreement",
            &[("accept-language", "fr")],
        )
        .await;
    assert_eq!(french.status, 404, "{}", french.body);
    assert!(french.body.contains("<html lang=\"fr\">"));
    let english = app
        .get(
            "/agreements/no-such-agreement",
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(english.status, 404);
    assert!(english.body.contains("<html lang=\"en\">"));
    assert_ne!(french.body, english.body);
    assert!(
        french.body.contains("Accord introuvable") || french.body.contains("Page introuvable"),
        "{}",
        french.body
    );
    assert!(
        french.body.contains("Il n’existe aucun accord")
            || french.body.contains("Il n’y a rien ici")
    );
    assert!(!french.body.contains("There is no"), "{}", french.body);
}
