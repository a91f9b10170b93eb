//! Hold matching, directly: class criteria field by field (AND across fields, OR within one),
//! scope validation, and the hold index, which must never miss a covering hold (a property test
//! against a brute-force scan).

use std::collections::{BTreeMap, BTreeSet};

use corridor_domain::terms::{AgreementId, Country, Sex};
use corridor_domain::{
    Case, CaseId, ClassCriteria, Event, EventBody, Hold, HoldId, HoldIndex, HoldScope, HoldStatus,
    Label, RuleAttributes, Sealed, holds_covering,
};
use jiff::civil::Date;
use proptest::prelude::*;

use crate::fixture::{START, at, country, criteria, day, label, person};

/// The rule attributes of the fixture's default person changed by `modifiers`.
fn rule(modifiers: &[&str]) -> RuleAttributes {
    let (facts, _) = person(modifiers, day("2025-06-02"));
    RuleAttributes {
        nationality: facts.nationality,
        age_years_at_proposal: 30,
        sex: facts.sex,
        vulnerabilities: facts.vulnerabilities,
        feared_countries: facts.feared_countries,
        protected_countries: facts.protected_countries,
        languages: facts.languages,
        legal_basis: facts.legal_basis,
        designation: facts.designation,
        detention_place: facts.detention_place,
        removal_ordered_on: facts.removal_ordered_on,
        health_data_consent: facts.health_data_consent,
    }
}

/// A case proposed under `agreement` with these attributes.
fn case(id: u64, agreement: &str, rule: RuleAttributes) -> Case {
    let event = Event {
        at: at(START),
        by: None,
        body: EventBody::CaseProposed {
            case: CaseId::from_u64(id),
            agreement: AgreementId::parse(agreement).unwrap(),
            terms_version: 1,
            rule,
            counsel: None,
            personal: Sealed("sealed".to_owned()),
        },
    };
    Case::proposed(&event).unwrap()
}

/// Class criteria match field by field: OR within a field, AND across, empty means any.
#[test]
fn class_criteria_match_field_by_field() {
    // (criteria, person, agreement, member)
    let table: &[(&str, &str, &str, bool)] = &[
        ("nat=VEN", "nat=VEN", "test-usa-rwa", true),
        ("nat=VEN", "nat=CUB", "test-usa-rwa", false),
        ("nat=VEN,CUB", "nat=CUB", "test-usa-rwa", true),
        (
            "basis=alien_enemies_act",
            "basis=alien_enemies_act",
            "test-usa-rwa",
            true,
        ),
        ("basis=alien_enemies_act", "", "test-usa-rwa", false),
        ("basis=alien_enemies_act,ina_241", "", "test-usa-rwa", true),
        ("designation=tda", "designation=tda", "test-usa-rwa", true),
        ("designation=tda", "designation=ms13", "test-usa-rwa", false),
        ("designation=tda", "", "test-usa-rwa", false),
        ("place=dilley", "place=dilley", "test-usa-rwa", true),
        ("place=dilley", "place=bluebonnet", "test-usa-rwa", false),
        ("place=dilley", "", "test-usa-rwa", false),
        (
            "place=dilley,bluebonnet",
            "place=bluebonnet",
            "test-usa-rwa",
            true,
        ),
        (
            "from=2025-04-01",
            "ordered=2025-04-01",
            "test-usa-rwa",
            true,
        ),
        (
            "from=2025-04-01",
            "ordered=2025-03-31",
            "test-usa-rwa",
            false,
        ),
        (
            "until=2025-04-30",
            "ordered=2025-04-30",
            "test-usa-rwa",
            true,
        ),
        (
            "until=2025-04-30",
            "ordered=2025-05-01",
            "test-usa-rwa",
            false,
        ),
        (
            "from=2025-04-01 until=2025-04-30",
            "ordered=2025-04-15",
            "test-usa-rwa",
            true,
        ),
        (
            "from=2025-04-01 until=2025-04-30",
            "ordered=2025-05-15",
            "test-usa-rwa",
            false,
        ),
        ("agreements=test-usa-rwa", "", "test-usa-rwa", true),
        ("agreements=gbr-rwa-2024", "", "test-usa-rwa", false),
        (
            "agreements=gbr-rwa-2024,test-usa-rwa",
            "",
            "test-usa-rwa",
            true,
        ),
        (
            "nat=VEN basis=alien_enemies_act",
            "nat=VEN basis=alien_enemies_act",
            "test-usa-rwa",
            true,
        ),
        (
            "nat=VEN basis=alien_enemies_act",
            "nat=VEN",
            "test-usa-rwa",
            false,
        ),
        (
            "nat=VEN basis=alien_enemies_act",
            "nat=CUB basis=alien_enemies_act",
            "test-usa-rwa",
            false,
        ),
        (
            "nat=VEN place=dilley agreements=test-usa-rwa",
            "nat=VEN place=dilley",
            "test-usa-rwa",
            true,
        ),
        (
            "nat=VEN place=dilley agreements=test-usa-rwa",
            "nat=VEN place=dilley",
            "gbr-rwa-2024",
            false,
        ),
        (
            "nat=VEN",
            "nat=VEN designation=tda place=dilley basis=alien_enemies_act",
            "test-usa-rwa",
            true,
        ),
    ];
    for (criteria_text, person_text, agreement, member) in table {
        let (criteria, rest) = criteria(&criteria_text.split_whitespace().collect::<Vec<_>>());
        assert!(rest.is_empty());
        let rule = rule(&person_text.split_whitespace().collect::<Vec<_>>());
        let agreement_id = AgreementId::parse(agreement).unwrap();
        assert_eq!(
            criteria.matches(&agreement_id, &rule),
            *member,
            "criteria `{criteria_text}`, person `{person_text}`, agreement `{agreement}`"
        );
        let scope = HoldScope::Class { criteria };
        assert_eq!(scope.covers(&case(1, agreement, rule)), *member);
    }
}

/// Scopes validate (a criterion, an ordered range, a case) and cover exactly what they name.
#[test]
fn scopes_validate_and_cover() {
    let scope = |text: &str| HoldScope::Class {
        criteria: criteria(&text.split_whitespace().collect::<Vec<_>>()).0,
    };
    assert_eq!(
        scope("").validate(),
        Err("a class order needs at least one criterion".to_owned())
    );
    assert_eq!(
        scope("from=2025-05-01 until=2025-04-30").validate(),
        Err("the date range starts (2025-05-01) after it ends (2025-04-30)".to_owned())
    );
    assert_eq!(scope("from=2025-05-01 until=2025-05-01").validate(), Ok(()));
    assert_eq!(scope("until=2025-05-01").validate(), Ok(()));
    let none = HoldScope::Cases {
        cases: BTreeSet::new(),
    };
    assert_eq!(
        none.validate(),
        Err("an individual order must name at least one case".to_owned())
    );
    let named = HoldScope::Cases {
        cases: [CaseId::from_u64(7)].into(),
    };
    assert_eq!(named.validate(), Ok(()));
    assert!(named.covers(&case(7, "test-usa-rwa", rule(&[]))));
    assert!(!named.covers(&case(8, "test-usa-rwa", rule(&[]))));
}

// ----- the index against a brute-force scan -------------------------------------------------

const NATIONALITIES: [&str; 3] = ["VEN", "CUB", "SLV"];
const BASES: [&str; 2] = ["ina_241", "alien_enemies_act"];
const DESIGNATIONS: [&str; 2] = ["tda", "ms13"];
const PLACES: [&str; 2] = ["dilley", "bluebonnet"];
const AGREEMENTS: [&str; 2] = ["test-usa-rwa", "gbr-rwa-2024"];
const DAYS: [&str; 4] = ["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"];

fn subset<T: Clone + Ord>(mask: u8, items: &[T]) -> BTreeSet<T> {
    items
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, item)| item.clone())
        .collect()
}

fn labels(mask: u8, items: &[&str]) -> BTreeSet<Label> {
    subset(mask, items).into_iter().map(label).collect()
}

/// A generated case: indexes into the small domains above.
#[derive(Debug, Clone)]
struct CaseSpec {
    nationality: usize,
    basis: usize,
    designation: Option<usize>,
    place: Option<usize>,
    ordered: usize,
    agreement: usize,
}

/// A generated hold: a scope (masks over the domains, or over case numbers), a status and a
/// dependency on an earlier hold (or on one that does not exist).
#[derive(Debug, Clone)]
struct HoldSpec {
    individual: Option<u16>,
    masks: [u8; 5],
    from: Option<usize>,
    until: Option<usize>,
    status: usize,
    depends_on: Option<usize>,
}

fn case_spec() -> impl Strategy<Value = CaseSpec> {
    (
        0..3usize,
        0..2usize,
        proptest::option::of(0..2usize),
        proptest::option::of(0..2usize),
        0..4usize,
        0..2usize,
    )
        .prop_map(
            |(nationality, basis, designation, place, ordered, agreement)| CaseSpec {
                nationality,
                basis,
                designation,
                place,
                ordered,
                agreement,
            },
        )
}

fn hold_spec() -> impl Strategy<Value = HoldSpec> {
    (
        proptest::option::of(any::<u16>()),
        [0u8..8, 0u8..4, 0u8..4, 0u8..4, 0u8..4],
        proptest::option::of(0..4usize),
        proptest::option::of(0..4usize),
        0..3usize,
        proptest::option::of(0..12usize),
    )
        .prop_map(
            |(individual, masks, from, until, status, depends_on)| HoldSpec {
                individual,
                masks,
                from,
                until,
                status,
                depends_on,
            },
        )
}

fn build_case(number: usize, spec: &CaseSpec) -> Case {
    let mut rule = rule(&[]);
    rule.nationality = country(NATIONALITIES[spec.nationality]);
    rule.legal_basis = label(BASES[spec.basis]);
    rule.designation = spec.designation.map(|i| label(DESIGNATIONS[i]));
    rule.detention_place = spec.place.map(|i| label(PLACES[i]));
    rule.removal_ordered_on = day(DAYS[spec.ordered]);
    rule.sex = Sex::Male;
    case(number as u64, AGREEMENTS[spec.agreement], rule)
}

fn build_hold(number: usize, spec: &HoldSpec, case_count: usize) -> Hold {
    let scope = match spec.individual {
        // Individual orders name some of the cases, and sometimes a case that does not exist.
        Some(mask) => HoldScope::Cases {
            cases: (1..=case_count + 1)
                .filter(|n| mask & (1 << (n % 16)) != 0)
                .map(|n| CaseId::from_u64(n as u64))
                .collect(),
        },
        None => HoldScope::Class {
            criteria: ClassCriteria {
                nationalities: subset(spec.masks[0], &NATIONALITIES)
                    .into_iter()
                    .map(country)
                    .collect(),
                legal_bases: labels(spec.masks[1], &BASES),
                designations: labels(spec.masks[2], &DESIGNATIONS),
                detention_places: labels(spec.masks[3], &PLACES),
                agreements: subset(spec.masks[4], &AGREEMENTS)
                    .into_iter()
                    .map(|a| AgreementId::parse(a).unwrap())
                    .collect(),
                removal_ordered_from: spec.from.map(|i| day(DAYS[i])),
                removal_ordered_until: spec.until.map(|i| day(DAYS[i])),
            },
        },
    };
    let status = [HoldStatus::Active, HoldStatus::Stayed, HoldStatus::Vacated][spec.status];
    // Dependencies point to earlier holds; a pointer past them names a hold that does not exist.
    let depends_on = spec.depends_on.map(|parent| {
        HoldId::from_u64(if parent < number {
            parent as u64
        } else {
            1000 + parent as u64
        })
    });
    Hold {
        id: HoldId::from_u64(number as u64),
        court: "dc-dc".to_owned(),
        reference: format!("order-{number}"),
        scope,
        depends_on,
        status,
        history: vec![(status, at(START))],
        amendments: 0,
        last_event_at: at(START),
        version: 1,
    }
}

/// Whether the hold has effect: it and every order up its chain exist and are active (written
/// independently of the domain, for the property tests).
pub fn brute_effective(hold: &Hold, all: &BTreeMap<HoldId, Hold>) -> bool {
    let mut current = hold;
    loop {
        if current.status != HoldStatus::Active {
            return false;
        }
        match current.depends_on {
            None => return true,
            Some(parent) => match all.get(&parent) {
                Some(parent) => current = parent,
                None => return false,
            },
        }
    }
}

/// Whether the scope covers the case, written out field by field.
pub fn brute_covers(scope: &HoldScope, case: &Case) -> bool {
    let criteria = match scope {
        HoldScope::Cases { cases } => return cases.contains(&case.id),
        HoldScope::Class { criteria } => criteria,
    };
    let one_of = |set: &BTreeSet<Label>, value: &Option<Label>| {
        set.is_empty() || value.as_ref().is_some_and(|value| set.contains(value))
    };
    let day: Date = case.rule.removal_ordered_on;
    (criteria.agreements.is_empty() || criteria.agreements.contains(&case.agreement))
        && (criteria.nationalities.is_empty()
            || criteria
                .nationalities
                .contains::<Country>(&case.rule.nationality))
        && (criteria.legal_bases.is_empty()
            || criteria.legal_bases.contains(&case.rule.legal_basis))
        && one_of(&criteria.designations, &case.rule.designation)
        && one_of(&criteria.detention_places, &case.rule.detention_place)
        && criteria.removal_ordered_from.is_none_or(|from| day >= from)
        && criteria
            .removal_ordered_until
            .is_none_or(|until| day <= until)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The hold index finds exactly the covering holds a brute-force scan finds.
    #[test]
    fn index_never_misses_a_covering_hold(
        cases in proptest::collection::vec(case_spec(), 1..12),
        holds in proptest::collection::vec(hold_spec(), 0..12),
    ) {
        let cases: Vec<Case> =
            cases.iter().enumerate().map(|(i, spec)| build_case(i + 1, spec)).collect();
        let all: BTreeMap<HoldId, Hold> = holds
            .iter()
            .enumerate()
            .map(|(i, spec)| build_hold(i + 1, spec, cases.len()))
            .map(|hold| (hold.id, hold))
            .collect();
        let index = HoldIndex::build(all.values(), &all);
        for case in &cases {
            let found: BTreeSet<HoldId> =
                holds_covering(case, &index, &all).iter().map(|hold| hold.id).collect();
            let expected: BTreeSet<HoldId> = all
                .values()
                .filter(|hold| brute_effective(hold, &all) && brute_covers(&hold.scope, case))
                .map(|hold| hold.id)
                .collect();
            prop_assert_eq!(&found, &expected, "case {:?}", case.rule);
            for hold in all.values() {
                prop_assert_eq!(hold.scope.covers(case), brute_covers(&hold.scope, case));
                let effective = corridor_domain::effective(hold, &all);
                prop_assert_eq!(effective, brute_effective(hold, &all));
            }
        }
    }
}

#[test]
fn a_scope_is_named_cases_or_class_criteria_never_both_nor_neither() {
    // Proves `HoldScope::of`, the one rule the CLI and the API share for an order's scope.
    use corridor_domain::{CaseId, ClassCriteria, HoldScope, ScopeChoice};
    let cases: BTreeSet<CaseId> = [CaseId::from_u64(7)].into();
    let criteria = ClassCriteria {
        nationalities: [country("VEN")].into(),
        ..ClassCriteria::default()
    };
    assert_eq!(
        HoldScope::of(cases.clone(), criteria.clone()),
        Err(ScopeChoice::Both)
    );
    assert_eq!(
        HoldScope::of(BTreeSet::new(), ClassCriteria::default()),
        Err(ScopeChoice::Neither)
    );
    assert_eq!(
        HoldScope::of(cases.clone(), ClassCriteria::default()),
        Ok(HoldScope::Cases { cases })
    );
    assert_eq!(
        HoldScope::of(BTreeSet::new(), criteria.clone()),
        Ok(HoldScope::Class { criteria })
    );
}
