//! The true counts of a release, from the events below a log checkpoint: every measure of
//! [`corridor_stats::measure::MEASURES`] by agreement × UTC month × detail × person.
//!
//! One streaming pass reads, filtered by kind in SQL ([`COUNTED_KINDS`]), only the events a
//! measure counts or a count needs (a case's proposal for its agreement and person, an age
//! decision), decoding from each body only the fields used ([`Slim`]), never the sealed personal
//! data. A measure with a `leaf_kind` counts every event of that kind once, under its case's
//! agreement ([`NO_AGREEMENT`] for court holds) in the UTC month of its `at`: the month of its
//! public leaf's `day`, so these totals equal the public leaf counts per agreement and month.
//! No monitoring body's record is among the kinds read, so none is ever counted.
//!
//! The person a count describes is the case's rule attributes at proposal (nationality, sex, age
//! band) **as known at the event**: an `age_decided` event changes the band of the counts after
//! it, never of those before. A count never changes once its month is published, and a person
//! counted as 17 in a month was known to corridor as 17 then.
//!
//! The welfare checks due and missed are counted from the domain's own schedule
//! ([`corridor_domain::clock::welfare_schedule`]) over each arrived case folded from its events
//! (a second read, of those cases only), as the case stood before the person left the receiving
//! state: a check counts as due in the month of its due moment if that moment is before both the
//! release's end and the person's leaving, and as missed (in the same month) if its window had
//! closed by then without the person being found in it. So a count of a month does not change
//! when the person later leaves.

use std::collections::{BTreeSet, HashMap};

use corridor_domain::terms::{AgreementStatus, Country, Sex};
use corridor_domain::{
    Acceptance, AgreementState, Case, CaseId, Snapshot, WelfareOutcome, case_terms, clock,
};
use corridor_stats::measure::{AgeBand, MEASURES, Measure, NO_AGREEMENT, PersonAttributes};
use corridor_stats::period::Month;
use corridor_stats::tally::Tally;
use corridor_store::{EventRow, STATISTICS_STREAMS_MAX, Store, StoreError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::error::AppError;

/// Every kind the tally reads: the measures' leaf kinds, and what a count needs besides
/// (a case's proposal, its age decision, an unscheduling for `cases_pulled`).
pub const COUNTED_KINDS: [&str; 20] = [
    "case_proposed",
    "age_decided",
    "transfer_unscheduled",
    "notice_served",
    "transfer_requested",
    "accepted_by_receiving_state",
    "refused_by_receiving_state",
    "request_lapsed",
    "transfer_scheduled",
    "departed",
    "arrived",
    "returned",
    "onward_moved",
    "protection_claimed",
    "protection_decided",
    "withdrawn",
    "personal_data_erased",
    "safeguard_triggered",
    "welfare_check_recorded",
    "hold_registered",
];

/// The fields of a stored event the tally reads; every other field is skipped unread.
#[derive(Debug, Deserialize)]
struct Slim {
    at: Timestamp,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    rule: Option<SlimRule>,
    #[serde(default)]
    age_at_proposal: Option<u8>,
    #[serde(default)]
    acceptance: Option<Acceptance>,
    #[serde(default)]
    granted: Option<bool>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    outcome: Option<WelfareOutcome>,
    #[serde(default)]
    destination: Option<Country>,
    #[serde(default)]
    cause: Option<String>,
    #[serde(default)]
    scope: Option<SlimScope>,
}

/// What the breakdowns read of a proposal's rule attributes.
#[derive(Debug, Deserialize)]
struct SlimRule {
    nationality: Country,
    age_years_at_proposal: u8,
    sex: Sex,
}

/// A hold's scope, by its tag only.
#[derive(Debug, Deserialize)]
struct SlimScope {
    scope: String,
}

/// What the tally keeps of one case while it reads.
#[derive(Debug)]
struct CaseFacts {
    agreement: String,
    person: PersonAttributes,
    /// The age band before any age decision.
    first_band: AgeBand,
    /// Each age decision: from when, which band.
    decided: Vec<(Timestamp, AgeBand)>,
    /// When it arrived in the receiving state, if it did below the size.
    arrived: bool,
}

impl CaseFacts {
    /// The person as known at `at`.
    fn person_at(&self, at: Timestamp) -> PersonAttributes {
        let band = self
            .decided
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .map_or(self.first_band, |(_, band)| *band);
        PersonAttributes {
            age_band: band,
            ..self.person.clone()
        }
    }
}

/// The true counts of every measure over the events whose log leaves are below `up_to_size`,
/// with the welfare checks due and missed before `as_of` (the end of the release's period).
pub async fn tally(store: &Store, up_to_size: u64, as_of: Timestamp) -> Result<Tally, AppError> {
    let measures = Measures::new()?;
    let mut cases: HashMap<String, CaseFacts> = HashMap::new();
    let mut tally = Tally::new();
    store
        .for_each_event_up_to(up_to_size, Some(&COUNTED_KINDS), |row| {
            count_event(&measures, &mut cases, &mut tally, row)
        })
        .await?;
    count_welfare(store, &measures, &cases, &mut tally, up_to_size, as_of).await?;
    Ok(tally)
}

/// The measures by the kind of event they count, and the three the tally names.
struct Measures {
    by_kind: HashMap<&'static str, &'static Measure>,
    cases_pulled: &'static Measure,
    welfare_due: &'static Measure,
    welfare_missed: &'static Measure,
}

impl Measures {
    fn new() -> Result<Self, AppError> {
        let by_kind: HashMap<&'static str, &'static Measure> = MEASURES
            .iter()
            .filter_map(|measure| measure.leaf_kind.map(|kind| (kind, measure)))
            .collect();
        if let Some(kind) = by_kind.keys().find(|kind| !COUNTED_KINDS.contains(kind)) {
            return Err(AppError::Internal(format!(
                "the tally does not read `{kind}`, the leaf kind of a measure"
            )));
        }
        let named = |name: &str| {
            corridor_stats::measure::measure(name)
                .ok_or_else(|| AppError::Internal(format!("no measure `{name}`")))
        };
        Ok(Self {
            by_kind,
            cases_pulled: named("cases_pulled")?,
            welfare_due: named("welfare_check_due")?,
            welfare_missed: named("welfare_check_missed")?,
        })
    }
}

/// The UTC month of a moment.
fn month_of(at: Timestamp) -> Result<Month, AppError> {
    let date = at.to_zoned_datetime(TimeZone::UTC).date();
    u16::try_from(date.year())
        .ok()
        .and_then(|year| Month::new(year, u8::try_from(date.month()).ok()?))
        .ok_or_else(|| corrupt(format!("`{at}` is outside the months statistics count")))
}

fn corrupt(message: String) -> AppError {
    AppError::Store(StoreError::Corrupt(message))
}

/// A sex's letter in every file.
fn sex_letter(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "f",
        Sex::Male => "m",
        Sex::Other => "x",
    }
}

/// The value of a measure's own breakdown an event gives.
fn detail_of(kind: &str, slim: &Slim) -> Result<Option<String>, AppError> {
    let missing = || corrupt(format!("a `{kind}` event without the field its measure reads"));
    Ok(match kind {
        "accepted_by_receiving_state" => Some(
            match slim.acceptance.ok_or_else(missing)? {
                Acceptance::Explicit => "explicit",
                Acceptance::Silence => "silence",
                Acceptance::Terms => "terms",
            }
            .to_owned(),
        ),
        "protection_decided" => Some(
            if slim.granted.ok_or_else(missing)? {
                "found"
            } else {
                "not_found"
            }
            .to_owned(),
        ),
        "safeguard_triggered" => Some(slim.code.clone().ok_or_else(missing)?),
        "welfare_check_recorded" => Some(slim.outcome.ok_or_else(missing)?.name().to_owned()),
        "onward_moved" => Some(slim.destination.ok_or_else(missing)?.to_string()),
        "hold_registered" => Some(
            match slim.scope.as_ref().ok_or_else(missing)?.scope.as_str() {
                "cases" => "named".to_owned(),
                "class" => "class".to_owned(),
                other => return Err(corrupt(format!("a hold of scope `{other}`"))),
            },
        ),
        _ => None,
    })
}

/// Counts one event read.
fn count_event(
    measures: &Measures,
    cases: &mut HashMap<String, CaseFacts>,
    tally: &mut Tally,
    row: EventRow<'_>,
) -> Result<(), AppError> {
    let slim: Slim = serde_json::from_str(row.body)
        .map_err(|error| corrupt(format!("event {} does not decode: {error}", row.seq)))?;
    let month = month_of(slim.at)?;
    if row.kind == "case_proposed" {
        let rule = slim
            .rule
            .as_ref()
            .ok_or_else(|| corrupt(format!("event {} proposes no person", row.seq)))?;
        let band = AgeBand::of_age(rule.age_years_at_proposal);
        let facts = CaseFacts {
            agreement: slim
                .agreement
                .clone()
                .ok_or_else(|| corrupt(format!("event {} names no agreement", row.seq)))?,
            person: PersonAttributes {
                nationality: rule.nationality.to_string(),
                sex: sex_letter(rule.sex),
                age_band: band,
            },
            first_band: band,
            decided: Vec::new(),
            arrived: false,
        };
        cases.insert(row.stream.to_owned(), facts);
    }
    let measure = measures.by_kind.get(row.kind).copied();
    if row.kind == "hold_registered" {
        if let Some(measure) = measure {
            let detail = detail_of(row.kind, &slim)?;
            tally.count(NO_AGREEMENT, month, measure, detail.as_deref(), None);
        }
        return Ok(());
    }
    let facts = cases.get_mut(row.stream).ok_or_else(|| {
        corrupt(format!(
            "event {} of `{}` comes before its case's proposal",
            row.seq, row.stream
        ))
    })?;
    match row.kind {
        "age_decided" => {
            let age = slim
                .age_at_proposal
                .ok_or_else(|| corrupt(format!("event {} decides no age", row.seq)))?;
            let band = AgeBand::of_age(age);
            facts.decided.push((slim.at, band));
            facts.person.age_band = band;
        }
        "arrived" => facts.arrived = true,
        "transfer_unscheduled" if slim.cause.as_deref() == Some("hold") => {
            tally.count(
                &facts.agreement,
                month,
                measures.cases_pulled,
                None,
                Some(&facts.person),
            );
        }
        _ => {}
    }
    if let Some(measure) = measure {
        let detail = detail_of(row.kind, &slim)?;
        tally.count(
            &facts.agreement,
            month,
            measure,
            detail.as_deref(),
            Some(&facts.person),
        );
    }
    Ok(())
}

/// Counts the welfare checks due and missed of every arrived case whose terms schedule any.
async fn count_welfare(
    store: &Store,
    measures: &Measures,
    cases: &HashMap<String, CaseFacts>,
    tally: &mut Tally,
    up_to_size: u64,
    as_of: Timestamp,
) -> Result<(), AppError> {
    let agreements: HashMap<String, AgreementState> = store
        .agreements()
        .await?
        .into_iter()
        .map(|state| (state.id.to_string(), state))
        .collect();
    let scheduled = |facts: &CaseFacts| {
        agreements.get(&facts.agreement).is_some_and(|state| {
            state.versions.iter().any(|agreement| {
                let clocks = &agreement.terms.clocks;
                !clocks.welfare_checks.is_empty() || !clocks.welfare_schedule.is_empty()
            })
        })
    };
    let mut streams: Vec<String> = cases
        .iter()
        .filter(|(_, facts)| facts.arrived && scheduled(facts))
        .map(|(stream, _)| stream.clone())
        .collect();
    streams.sort();
    for batch in streams.chunks(STATISTICS_STREAMS_MAX) {
        let events = store.streams_up_to(batch, up_to_size).await?;
        let mut by_stream: HashMap<&str, Vec<&corridor_domain::Event>> = HashMap::new();
        for stored in &events {
            by_stream
                .entry(stored.stream.as_str())
                .or_default()
                .push(&stored.event);
        }
        for (stream, events) in by_stream {
            let facts = cases
                .get(stream)
                .ok_or_else(|| AppError::Internal(format!("`{stream}` was not tallied")))?;
            count_case_welfare(measures, &agreements, facts, &events, tally, as_of)?;
        }
    }
    Ok(())
}

/// Counts one case's welfare checks due and missed, from its events.
fn count_case_welfare(
    measures: &Measures,
    agreements: &HashMap<String, AgreementState>,
    facts: &CaseFacts,
    events: &[&corridor_domain::Event],
    tally: &mut Tally,
    as_of: Timestamp,
) -> Result<(), AppError> {
    let Some((case, snapshot, left_at)) = fold_until_left(agreements, facts, events)? else {
        return Ok(());
    };
    let Some(terms) = case_terms(&snapshot, &case) else {
        return Err(corrupt(format!(
            "{} has no terms version {}",
            case.agreement, case.terms_version
        )));
    };
    let cutoff = left_at.map_or(as_of, |left| left.min(as_of));
    for item in clock::welfare_schedule(&case, terms, cutoff) {
        if item.due_at >= cutoff {
            continue;
        }
        let month = month_of(item.due_at)?;
        let person = facts.person_at(item.due_at);
        tally.count(
            &facts.agreement,
            month,
            measures.welfare_due,
            None,
            Some(&person),
        );
        if item.missed(cutoff) {
            tally.count(
                &facts.agreement,
                month,
                measures.welfare_missed,
                None,
                Some(&person),
            );
        }
    }
    Ok(())
}

/// The case folded from its events as it stood before the person left the receiving state
/// (with the moment they left), or as it stands if they did not; `None` if it never arrived.
fn fold_until_left(
    agreements: &HashMap<String, AgreementState>,
    facts: &CaseFacts,
    events: &[&corridor_domain::Event],
) -> Result<Option<(Case, Snapshot, Option<Timestamp>)>, AppError> {
    let mut snapshot = Snapshot::default();
    let agreement = agreements
        .get(&facts.agreement)
        .ok_or_else(|| corrupt(format!("no agreement `{}`", facts.agreement)))?;
    snapshot
        .agreements
        .insert(agreement.id.clone(), agreement.clone());
    let mut id: Option<CaseId> = None;
    for event in events {
        let before = id.and_then(|id| snapshot.cases.get(&id).cloned());
        corridor_domain::apply_to_snapshot(&mut snapshot, event).map_err(StoreError::from)?;
        if let corridor_domain::EventBody::CaseProposed { case, .. } = &event.body {
            id = Some(*case);
        }
        let Some(now) = id.and_then(|id| snapshot.cases.get(&id)) else {
            continue;
        };
        if let Some(before) = before
            && before.arrived_at.is_some()
            && !now.status.is_after_arrival()
        {
            return Ok(Some((before, snapshot, Some(event.at))));
        }
    }
    Ok(id
        .and_then(|id| snapshot.cases.remove(&id))
        .filter(|case| case.arrived_at.is_some())
        .map(|case| (case, snapshot, None)))
}

/// The month an agreement entered into force: its first `in_force` in its dated status history
/// (the files' and the status commands'), if it ever was.
pub fn entered_into_force(state: &AgreementState) -> Option<Month> {
    let day = state
        .status_history
        .iter()
        .find(|change| change.status == AgreementStatus::InForce)?
        .on;
    Month::new(
        u16::try_from(day.year()).ok()?,
        u8::try_from(day.month()).ok()?,
    )
}

/// Every agreement's breakdowns of people its statistics may show, by agreement id, mapped from
/// its latest terms' `[statistics] breakdowns`.
pub fn breakdowns_allowed(
    state: &AgreementState,
) -> BTreeSet<corridor_stats::measure::Breakdown> {
    use corridor_domain::terms::StatisticsBreakdown;
    use corridor_stats::measure::Breakdown;
    state
        .latest()
        .map(|agreement| {
            agreement
                .terms
                .statistics_breakdowns
                .iter()
                .map(|breakdown| match breakdown {
                    StatisticsBreakdown::Nationality => Breakdown::Nationality,
                    StatisticsBreakdown::Sex => Breakdown::Sex,
                    StatisticsBreakdown::AgeBand => Breakdown::AgeBand,
                })
                .collect()
        })
        .unwrap_or_default()
}
