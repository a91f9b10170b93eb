//! The true counts of a release, from the events below a log checkpoint: every measure of
//! [`corridor_stats::measure::MEASURES`] by agreement × UTC month × detail × person.
//!
//! Walks read the case streams (in [`WALK_PARTS`] ranges at once) and the hold streams, stream by
//! stream through the store's `(stream, version)` index
//! ([`StreamWalker::for_each_stream_in`], a whole stream at a time): the access records, a
//! busy deployment's great majority, are never read. Of each event of a kind a count needs
//! ([`COUNTED_KINDS`]) it decodes only the fields used ([`Slim`]), never the sealed personal data.
//! A measure with a `leaf_kind` counts every event of that kind once, under its case's agreement
//! ([`NO_AGREEMENT`] for court holds) in the UTC month of its `at`: the month of its public
//! leaf's `day`, so these totals equal the public leaf counts per agreement and month. No
//! monitoring body's record is among the kinds counted, so none is ever counted.
//!
//! The person a count describes is the case's rule attributes at proposal (nationality, sex, age
//! band) **as known at the event**: an `age_decided` event changes the band of the counts after
//! it, never of those before. A count never changes once its month is published, and a person
//! counted as 17 in a month was known to corridor as 17 then.
//!
//! The welfare checks due and missed are counted from the domain's own schedule
//! ([`corridor_domain::clock::welfare_schedule`]) over each arrived case folded from its events
//! (kept while its stream is read, for agreements that schedule checks), as the case stood
//! before the person left the receiving state: a check counts as due in the month of its due
//! moment if that moment is before both the release's end and the person's leaving, and as
//! missed (in the same month) if its window had closed by then without the person being found
//! in it. So a count of a month does not change when the person later leaves.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use corridor_domain::terms::{AgreementStatus, Country, Sex};
use corridor_domain::{
    Acceptance, AgreementState, Case, CaseId, Snapshot, WelfareOutcome, case_terms, clock,
};
use corridor_stats::measure::{AgeBand, MEASURES, NO_AGREEMENT};
use corridor_stats::period::Month;
use corridor_stats::tally::Tally;
use corridor_store::{EventRow, Store, StoreError, StreamRange, StreamWalker};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::counts::{Counts, Person};
use crate::error::AppError;

/// Every kind the tally decodes: the measures' leaf kinds, and what a count needs besides
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

/// The fields of a stored event the tally reads; every other field is skipped unread. Texts
/// are borrowed from the body where they hold no escape.
#[derive(Debug, Deserialize)]
struct Slim<'a> {
    at: Timestamp,
    #[serde(default, borrow)]
    agreement: Option<Cow<'a, str>>,
    #[serde(default)]
    rule: Option<SlimRule>,
    #[serde(default)]
    age_at_proposal: Option<u8>,
    #[serde(default)]
    acceptance: Option<Acceptance>,
    #[serde(default)]
    granted: Option<bool>,
    #[serde(default, borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(default)]
    outcome: Option<WelfareOutcome>,
    #[serde(default)]
    destination: Option<Country>,
    #[serde(default, borrow)]
    cause: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    scope: Option<SlimScope<'a>>,
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
struct SlimScope<'a> {
    #[serde(borrow)]
    scope: Cow<'a, str>,
}

/// What the tally keeps of one case while it reads.
#[derive(Debug)]
struct CaseFacts {
    /// The agreement's number in the walk's texts.
    agreement: u32,
    person: Person,
    /// The age band before any age decision.
    first_band: AgeBand,
    /// Each age decision: from when, which band.
    decided: Vec<(Timestamp, AgeBand)>,
    /// When it arrived in the receiving state, if it did below the size.
    arrived: bool,
}

impl CaseFacts {
    /// The person as known at `at`.
    fn person_at(&self, at: Timestamp) -> Person {
        let band = self
            .decided
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .map_or(self.first_band, |(_, band)| *band);
        Person {
            age_band: band,
            ..self.person
        }
    }
}

/// Parts the case streams are walked in at once, each on its own connection and task: the walk
/// is the tally's time (SQLite's lookups of each event's row, the hashing and the decoding, see
/// docs/benchmarks.md), which two cores share.
pub const WALK_PARTS: usize = 2;

/// The true counts of every measure over the events whose log leaves are below `up_to_size`,
/// with the welfare checks due and missed before `as_of` (the end of the release's period).
///
/// The case streams are split into [`WALK_PARTS`] ranges of about as many events, each walked on
/// its own task and connection (in its own read snapshot: together they read exactly what one
/// snapshot would, see [`StreamWalker::for_each_stream_in`]), and their tallies added; a
/// case's stream is never cut between two parts, so each case is folded whole by one walk.
pub async fn tally(store: &Store, up_to_size: u64, as_of: Timestamp) -> Result<Tally, AppError> {
    tally_in_parts(store, up_to_size, as_of, WALK_PARTS).await
}

/// [`tally`] with the case streams walked in up to `parts` parts at once (1: one walk); the
/// counts are the same for any number of parts.
pub async fn tally_in_parts(
    store: &Store,
    up_to_size: u64,
    as_of: Timestamp,
    parts: usize,
) -> Result<Tally, AppError> {
    let mut snapshot = Snapshot::default();
    for state in store.agreements().await? {
        snapshot.agreements.insert(state.id.clone(), state);
    }
    let walker = store.stream_walker();
    let cases = StreamRange::of_prefix("case-")?;
    let mut walks = Vec::with_capacity(parts);
    for range in walker.split(&cases, parts).await? {
        walks.push(AbortOnDrop(tokio::spawn(walk_cases(
            walker.clone(),
            range,
            Walk::new(snapshot.clone(), as_of)?,
            up_to_size,
        ))));
    }
    let mut walk = Walk::new(snapshot, as_of)?;
    walker
        .for_each_stream_event_in(up_to_size, &StreamRange::of_prefix("hold-")?, |row| {
            walk.hold_row(row)
        })
        .await?;
    let mut tally = walk.counts.into_tally();
    for walk in &mut walks {
        let counted = (&mut walk.0).await.map_err(|error| {
            AppError::Internal(format!("a walk of the case streams stopped: {error}"))
        })??;
        tally.merge(counted);
    }
    Ok(tally)
}

/// The tally of the case streams of `range`.
async fn walk_cases(
    walker: StreamWalker,
    range: StreamRange,
    mut walk: Walk,
    up_to_size: u64,
) -> Result<Tally, AppError> {
    walker
        .for_each_stream_in(up_to_size, &range, |events| walk.case_stream(events))
        .await?;
    Ok(walk.counts.into_tally())
}

/// A spawned walk, stopped if the tally is dropped before it ends (a cancelled request).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The tally as the walk over the streams builds it.
struct Walk {
    measures: Measures,
    /// Every agreement; each arrived case is folded into it, then taken out.
    snapshot: Snapshot,
    counts: Counts,
    /// Whether each agreement met schedules welfare checks, by its number in the texts.
    schedules_welfare: super::counts::FxHashMap<u32, bool>,
    as_of: Timestamp,
}

impl Walk {
    /// A walk that has counted nothing yet, over the agreements of `snapshot`.
    fn new(snapshot: Snapshot, as_of: Timestamp) -> Result<Self, AppError> {
        Ok(Self {
            measures: Measures::new()?,
            snapshot,
            counts: Counts::new(),
            schedules_welfare: super::counts::FxHashMap::default(),
            as_of,
        })
    }

    /// Counts one case's stream, its events in order: each event of a counted kind, then, if
    /// it arrived and its agreement schedules welfare checks, its checks due and missed (from
    /// the case folded from every event of the stream since its proposal).
    fn case_stream(&mut self, events: &[EventRow<'_>]) -> Result<(), AppError> {
        let mut case: Option<(CaseFacts, usize)> = None;
        for (index, row) in events.iter().enumerate() {
            if row.kind == "case_proposed" {
                let slim = slim(row)?;
                case = Some((CaseFacts::proposed(row, &slim, &mut self.counts)?, index));
            }
            let Some((facts, _)) = case.as_mut() else {
                return Err(corrupt(format!(
                    "event {} of `{}` comes before its case's proposal",
                    row.seq, row.stream
                )));
            };
            if COUNTED_KINDS.contains(&row.kind) {
                count_case_event(&self.measures, facts, &mut self.counts, row)?;
            }
        }
        let Some((facts, proposed)) = case else {
            return Ok(());
        };
        if !facts.arrived || !self.schedules_welfare(facts.agreement) {
            return Ok(());
        }
        let stream = events.first().map_or("", |row| row.stream);
        let events = events
            .get(proposed..)
            .unwrap_or_default()
            .iter()
            .map(|row| {
                corridor_domain::Event::from_json(row.body)
                    .map_err(|error| corrupt(format!("`{stream}` does not decode: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let Some((folded, left_at)) = fold_until_left(&mut self.snapshot, &events)? else {
            return Ok(());
        };
        count_case_welfare(
            &self.measures,
            &self.snapshot,
            &folded,
            left_at,
            &facts,
            &mut self.counts,
            self.as_of,
        )
    }

    fn hold_row(&mut self, row: EventRow<'_>) -> Result<(), AppError> {
        if row.kind != "hold_registered" {
            return Ok(());
        }
        let slim = slim(&row)?;
        let measure = self
            .measures
            .of_kind(row.kind)
            .ok_or_else(|| AppError::Internal("no measure counts hold registrations".to_owned()))?;
        let detail = detail_of(row.kind, &slim)?;
        let agreement = self.counts.texts.number(NO_AGREEMENT);
        self.counts
            .count(agreement, month_of(slim.at)?, measure, detail, None);
        Ok(())
    }

    /// Whether an agreement's terms (any version) schedule welfare checks, by its number in
    /// the walk's texts.
    fn schedules_welfare(&mut self, agreement: u32) -> bool {
        if let Some(schedules) = self.schedules_welfare.get(&agreement) {
            return *schedules;
        }
        let name = self.counts.texts.text(agreement);
        let schedules = self
            .snapshot
            .agreements
            .values()
            .find(|state| state.id.as_str() == name)
            .is_some_and(|state| {
                state.versions.iter().any(|agreement| {
                    let clocks = &agreement.terms.clocks;
                    !clocks.welfare_checks.is_empty() || !clocks.welfare_schedule.is_empty()
                })
            });
        self.schedules_welfare.insert(agreement, schedules);
        schedules
    }
}

/// The fields the tally reads of an event's body.
fn slim<'a>(row: &EventRow<'a>) -> Result<Slim<'a>, AppError> {
    serde_json::from_str(row.body)
        .map_err(|error| corrupt(format!("event {} does not decode: {error}", row.seq)))
}

/// The measures (by position in [`MEASURES`]) by the kind of event they count, and the three
/// the tally names.
struct Measures {
    by_kind: HashMap<&'static str, usize>,
    cases_pulled: usize,
    welfare_due: usize,
    welfare_missed: usize,
}

impl Measures {
    fn new() -> Result<Self, AppError> {
        let by_kind: HashMap<&'static str, usize> = MEASURES
            .iter()
            .enumerate()
            .filter_map(|(position, measure)| measure.leaf_kind.map(|kind| (kind, position)))
            .collect();
        if let Some(kind) = by_kind.keys().find(|kind| !COUNTED_KINDS.contains(kind)) {
            return Err(AppError::Internal(format!(
                "the tally does not read `{kind}`, the leaf kind of a measure"
            )));
        }
        let named = |name: &str| {
            MEASURES
                .iter()
                .position(|measure| measure.name == name)
                .ok_or_else(|| AppError::Internal(format!("no measure `{name}`")))
        };
        Ok(Self {
            by_kind,
            cases_pulled: named("cases_pulled")?,
            welfare_due: named("welfare_check_due")?,
            welfare_missed: named("welfare_check_missed")?,
        })
    }

    /// The position of the measure that counts events of `kind`, if one does.
    fn of_kind(&self, kind: &str) -> Option<usize> {
        self.by_kind.get(kind).copied()
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
fn detail_of<'s>(kind: &str, slim: &'s Slim<'_>) -> Result<Option<&'s str>, AppError> {
    let missing = || {
        corrupt(format!(
            "a `{kind}` event without the field its measure reads"
        ))
    };
    Ok(match kind {
        "accepted_by_receiving_state" => Some(match slim.acceptance.ok_or_else(missing)? {
            Acceptance::Explicit => "explicit",
            Acceptance::Silence => "silence",
            Acceptance::Terms => "terms",
        }),
        "protection_decided" => Some(if slim.granted.ok_or_else(missing)? {
            "found"
        } else {
            "not_found"
        }),
        "safeguard_triggered" => Some(slim.code.as_deref().ok_or_else(missing)?),
        "welfare_check_recorded" => Some(slim.outcome.ok_or_else(missing)?.name()),
        "onward_moved" => Some(slim.destination.as_ref().ok_or_else(missing)?.code()),
        "hold_registered" => Some(
            match slim.scope.as_ref().ok_or_else(missing)?.scope.as_ref() {
                "cases" => "named",
                "class" => "class",
                other => return Err(corrupt(format!("a hold of scope `{other}`"))),
            },
        ),
        _ => None,
    })
}

impl CaseFacts {
    /// The case a proposal starts.
    fn proposed(
        row: &EventRow<'_>,
        slim: &Slim<'_>,
        counts: &mut Counts,
    ) -> Result<Self, AppError> {
        let rule = slim
            .rule
            .as_ref()
            .ok_or_else(|| corrupt(format!("event {} proposes no person", row.seq)))?;
        let band = AgeBand::of_age(rule.age_years_at_proposal);
        let agreement = slim
            .agreement
            .as_deref()
            .ok_or_else(|| corrupt(format!("event {} names no agreement", row.seq)))?;
        Ok(Self {
            agreement: counts.texts.number(agreement),
            person: Person {
                nationality: counts.texts.number(rule.nationality.code()),
                sex: sex_letter(rule.sex),
                age_band: band,
            },
            first_band: band,
            decided: Vec::new(),
            arrived: false,
        })
    }
}

/// Counts one event of a case's stream.
fn count_case_event(
    measures: &Measures,
    facts: &mut CaseFacts,
    counts: &mut Counts,
    row: &EventRow<'_>,
) -> Result<(), AppError> {
    let slim = slim(row)?;
    let month = month_of(slim.at)?;
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
            counts.count(
                facts.agreement,
                month,
                measures.cases_pulled,
                None,
                Some(facts.person),
            );
        }
        _ => {}
    }
    if let Some(measure) = measures.of_kind(row.kind) {
        let detail = detail_of(row.kind, &slim)?;
        counts.count(facts.agreement, month, measure, detail, Some(facts.person));
    }
    Ok(())
}

/// Counts one case's welfare checks due and missed, as it stood before the person left (at
/// `left_at`, if they did).
fn count_case_welfare(
    measures: &Measures,
    snapshot: &Snapshot,
    case: &Case,
    left_at: Option<Timestamp>,
    facts: &CaseFacts,
    counts: &mut Counts,
    as_of: Timestamp,
) -> Result<(), AppError> {
    let Some(terms) = case_terms(snapshot, case) else {
        return Err(corrupt(format!(
            "{} has no terms version {}",
            case.agreement, case.terms_version
        )));
    };
    let cutoff = left_at.map_or(as_of, |left| left.min(as_of));
    for item in clock::welfare_schedule(case, terms, cutoff) {
        if item.due_at >= cutoff {
            continue;
        }
        let month = month_of(item.due_at)?;
        let person = facts.person_at(item.due_at);
        counts.count(
            facts.agreement,
            month,
            measures.welfare_due,
            None,
            Some(person),
        );
        if item.missed(cutoff) {
            counts.count(
                facts.agreement,
                month,
                measures.welfare_missed,
                None,
                Some(person),
            );
        }
    }
    Ok(())
}

/// The case of `events` folded into `snapshot` (and taken out of it again) as it stood before
/// the person left the receiving state, with the moment they left, or as it stands if they did
/// not; `None` if it never arrived.
fn fold_until_left(
    snapshot: &mut Snapshot,
    events: &[corridor_domain::Event],
) -> Result<Option<(Case, Option<Timestamp>)>, AppError> {
    let mut id: Option<CaseId> = None;
    let mut found = None;
    for event in events {
        // Only an arrived case can leave: only then is the state before each event kept.
        let before = id
            .and_then(|id| snapshot.cases.get(&id))
            .filter(|case| case.arrived_at.is_some())
            .cloned();
        corridor_domain::apply_to_snapshot(snapshot, event).map_err(StoreError::from)?;
        if let corridor_domain::EventBody::CaseProposed { case, .. } = &event.body {
            id = Some(*case);
        }
        let left = id
            .and_then(|id| snapshot.cases.get(&id))
            .is_some_and(|now| !now.status.is_after_arrival());
        if let Some(before) = before
            && left
        {
            found = Some((before, Some(event.at)));
            break;
        }
    }
    let last = id.and_then(|id| snapshot.cases.remove(&id));
    Ok(found.or_else(|| {
        last.filter(|case| case.arrived_at.is_some())
            .map(|case| (case, None))
    }))
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
pub fn breakdowns_allowed(state: &AgreementState) -> BTreeSet<corridor_stats::measure::Breakdown> {
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
