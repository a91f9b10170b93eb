//! A release computed from the true counts: the tables of every agreement and measure, primary
//! suppression, keyed rounding, exact totals, then the linked secondary suppression
//! ([`crate::linked_protect`]) against this release and every earlier one together.
//!
//! The tables (docs/statistics.md, "The tables"), per agreement in force by the period's last
//! month (and the agreement `-` for the measures that count no people, the court holds), per
//! measure of [`MEASURES`]:
//!
//! - the measure's total: exact when the measure has a leaf kind (the public log already
//!   discloses it per agreement and day), otherwise protected like any cell;
//! - its detail, if it has one, as a 1-D table: `acceptance` and `decision` list their closed
//!   set of values; the other details (`code`, `destination`, `outcome`, `scope`) name a value on
//!   its own only once it reached the threshold since the agreement entered into force (up to
//!   the release's last month), and pool every other into `other`;
//! - for measures that count people, as the agreement's terms allow: nationality × sex as one 2-D
//!   table with margins (1-D when only one of them is allowed), age band as a 1-D table.
//!   Nationalities are named on their own once at least `threshold` people of that nationality
//!   were proposed since entry into force, the rest pooled into `other`.
//!
//! Every category has its row, zeros included, so that a row's appearance says nothing but what
//! its label's rule says.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::StatsError;
use crate::linked::{OTHER, SEXES};
use crate::linked_protect::secure;
use crate::measure::{AgeBand, Breakdown, MEASURES, Measure, NO_AGREEMENT};
use crate::period::{Month, Period};
use crate::protect::primary_suppressed;
use crate::release::{
    AgreementInfo, LogPoint, RELEASE_FORMAT, Release, ReleaseCell, ReleasePeriod, Value,
};
use crate::rounding::Protection;
use crate::table::{CellDefinition, Pair, Table};
use crate::tally::{Tally, TallyKey};

/// The details whose values form a closed set: every value always has its row.
const CLOSED_DETAILS: [(&str, &[&str]); 2] = [
    // `terms`: the agreement needs no per-person approval, so the request itself is accepted.
    ("acceptance", &["explicit", "silence", "terms"]),
    ("decision", &["found", "not_found"]),
];

/// What a release is asked to be.
#[derive(Debug, Clone)]
pub struct ReleaseRequest {
    /// Its id, unique in the deployment.
    pub id: String,
    /// What it covers.
    pub period: ReleasePeriod,
    /// The earlier release it corrects, if any.
    pub corrects: Option<String>,
    /// The log checkpoint the tally was computed at.
    pub checkpoint: LogPoint,
    /// The deployment's threshold, base and rounding key.
    pub protection: Protection,
    /// The agreements to count.
    pub agreements: Vec<AgreementInfo>,
}

/// The protected release of `tally` as `request` asks, safe against differencing with every
/// release in `earlier` (all the deployment published before; their cells are public).
/// Refuses an id already published and a correction of a release that does not exist.
pub fn compute(
    tally: &Tally,
    request: &ReleaseRequest,
    earlier: &[Release],
) -> Result<Release, StatsError> {
    let mut release = primary_release(tally, request, earlier)?;
    secure(&mut release, earlier, tally)?;
    Ok(release)
}

/// The release with primary suppression, rounding and exact totals only. Not for publication:
/// a suppressed cell may be recoverable from it (tests compare it with [`compute`]'s result).
/// Refuses what [`compute`] refuses.
pub fn primary_release(
    tally: &Tally,
    request: &ReleaseRequest,
    earlier: &[Release],
) -> Result<Release, StatsError> {
    if earlier.iter().any(|release| release.id == request.id) {
        return Err(StatsError::DuplicateRelease(request.id.clone()));
    }
    if let Some(corrects) = &request.corrects
        && !earlier.iter().any(|release| release.id == *corrects)
    {
        return Err(StatsError::UnknownCorrected(corrects.clone()));
    }
    let last = request
        .period
        .last_month()
        .ok_or_else(|| StatsError::MalformedCell {
            release: request.id.clone(),
            reason: "the period has no month".to_owned(),
        })?;
    let index = TallyIndex::new(tally);
    let mut totals = Vec::new();
    let mut breakdowns = Vec::new();
    for scope in scopes(&request.agreements) {
        let Some(period) = request.period.for_agreement(scope.entry) else {
            continue;
        };
        let context = Context {
            index: &index,
            scope: &scope,
            period,
            last,
            protection: &request.protection,
        };
        for measure in MEASURES
            .iter()
            .filter(|measure| measure.counts_people == scope.people)
        {
            let (total, cells) = context.measure_cells(measure)?;
            totals.push(total);
            breakdowns.extend(cells);
        }
    }
    Ok(Release {
        format: RELEASE_FORMAT.to_owned(),
        id: request.id.clone(),
        period: request.period.label(),
        corrects: request.corrects.clone(),
        checkpoint: request.checkpoint.clone(),
        threshold: request.protection.threshold(),
        base: request.protection.base(),
        agreements: request.agreements.clone(),
        cells: totals.into_iter().chain(breakdowns).collect(),
    })
}

/// An agreement's part of a release: its id, the month counting starts, its breakdowns.
#[derive(Debug, Clone)]
struct Scope {
    id: String,
    entry: Month,
    breakdowns: Vec<Breakdown>,
    /// Whether its measures count people (`false` only for the agreement `-`).
    people: bool,
}

/// Every agreement, then `-` (counted from the earliest entry into force) when there is one.
fn scopes(agreements: &[AgreementInfo]) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = agreements
        .iter()
        .map(|agreement| Scope {
            id: agreement.id.clone(),
            entry: agreement.entry_into_force,
            breakdowns: agreement.breakdowns.clone(),
            people: true,
        })
        .collect();
    if let Some(entry) = agreements
        .iter()
        .map(|agreement| agreement.entry_into_force)
        .min()
    {
        scopes.push(Scope {
            id: NO_AGREEMENT.to_owned(),
            entry,
            breakdowns: Vec::new(),
            people: false,
        });
    }
    scopes
}

/// The tally's entries by agreement and measure.
#[derive(Debug)]
pub(crate) struct TallyIndex<'a> {
    entries: HashMap<(&'a str, &'a str), Vec<(&'a TallyKey, u64)>>,
}

impl<'a> TallyIndex<'a> {
    /// Indexes a tally.
    pub(crate) fn new(tally: &'a Tally) -> Self {
        let mut entries: HashMap<(&str, &str), Vec<(&TallyKey, u64)>> = HashMap::new();
        for (key, count) in tally.iter() {
            entries
                .entry((key.agreement.as_str(), key.measure))
                .or_default()
                .push((key, count));
        }
        Self { entries }
    }

    /// The entries of one agreement and measure within `first ..= last`.
    pub(crate) fn within(
        &self,
        agreement: &str,
        measure: &str,
        first: Month,
        last: Month,
    ) -> Vec<(&'a TallyKey, u64)> {
        self.entries
            .get(&(agreement, measure))
            .into_iter()
            .flatten()
            .filter(|(key, _)| first <= key.month && key.month <= last)
            .copied()
            .collect()
    }
}

/// What one agreement's part of a release is computed from.
struct Context<'a> {
    index: &'a TallyIndex<'a>,
    scope: &'a Scope,
    period: Period,
    last: Month,
    protection: &'a Protection,
}

impl Context<'_> {
    /// The entries of a measure in the period.
    fn entries(&self, measure: &str) -> Vec<(&TallyKey, u64)> {
        let months = self.period.months();
        match (months.first(), months.last()) {
            (Some(first), Some(last)) => self.index.within(&self.scope.id, measure, *first, *last),
            _ => Vec::new(),
        }
    }

    /// The values of an open set named on their own: those counted at least `threshold` times
    /// from entry into force to the release's last month.
    fn named(&self, measure: &str, value: impl Fn(&TallyKey) -> Option<String>) -> Vec<String> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for (key, count) in self
            .index
            .within(&self.scope.id, measure, self.scope.entry, self.last)
        {
            if let Some(value) = value(key).filter(|value| value != OTHER) {
                *counts.entry(value).or_default() += count;
            }
        }
        counts
            .into_iter()
            .filter(|(_, count)| *count >= self.protection.threshold())
            .map(|(value, _)| value)
            .collect()
    }

    /// The measure's total cell and its breakdown cells, primary suppression and rounding done.
    fn measure_cells(
        &self,
        measure: &Measure,
    ) -> Result<(ReleaseCell, Vec<ReleaseCell>), StatsError> {
        let entries = self.entries(measure.name);
        let label = self.period.label();
        let total: u64 = entries.iter().map(|(_, count)| count).sum();
        let mut tables = Vec::new();
        if let Some(detail) = measure.detail {
            tables.push(self.detail_table(measure, detail, &entries)?);
        }
        if measure.counts_people {
            tables.extend(self.people_tables(measure, &entries)?);
        }
        let threshold = self.protection.threshold();
        let mut truths: BTreeMap<CellDefinition, u64> = BTreeMap::new();
        let mut primary: BTreeSet<CellDefinition> = BTreeSet::new();
        let mut order: Vec<CellDefinition> = Vec::new();
        for table in &tables {
            let suppressed = primary_suppressed(table, threshold);
            for cell in table.cells() {
                if suppressed.contains(&cell.position) {
                    primary.insert(cell.definition.clone());
                }
                if truths.insert(cell.definition.clone(), cell.count).is_none() {
                    order.push(cell.definition.clone());
                }
            }
        }
        let total_definition =
            CellDefinition::new(&self.scope.id, &label, measure.name, Vec::new())?;
        let publish = |definition: &CellDefinition, count: u64| {
            let value = if definition.breakdown().is_empty() && measure.leaf_kind.is_some() {
                Value::Exact(count)
            } else if primary.contains(definition) || (1..threshold).contains(&count) {
                Value::Suppressed
            } else {
                Value::Rounded(self.protection.round(definition, count))
            };
            ReleaseCell {
                agreement: self.scope.id.clone(),
                period: label.clone(),
                measure: measure.name.to_owned(),
                breakdown: definition.breakdown().to_vec(),
                value,
            }
        };
        let cells = order
            .iter()
            .filter(|definition| !definition.breakdown().is_empty())
            .map(|definition| publish(definition, truths.get(definition).copied().unwrap_or(0)))
            .collect();
        Ok((publish(&total_definition, total), cells))
    }

    /// The measure's detail as a 1-D table.
    fn detail_table(
        &self,
        measure: &Measure,
        detail: &str,
        entries: &[(&TallyKey, u64)],
    ) -> Result<Table, StatsError> {
        let closed = CLOSED_DETAILS
            .iter()
            .find(|(name, _)| *name == detail)
            .map(|(_, values)| values.iter().map(|value| (*value).to_owned()).collect());
        let (categories, pooled) = match closed {
            Some(values) => (values, false),
            None => {
                let mut named = self.named(measure.name, |key| key.detail.clone());
                named.push(OTHER.to_owned());
                (named, true)
            }
        };
        let mut counts = vec![0_u64; categories.len()];
        for (key, count) in entries {
            let value = key.detail.as_deref().unwrap_or_default();
            let position = categories
                .iter()
                .position(|category| category == value && (!pooled || value != OTHER))
                .or_else(|| pooled.then_some(categories.len() - 1))
                .ok_or_else(|| StatsError::UnknownCategory {
                    measure: measure.name.to_owned(),
                    value: value.to_owned(),
                })?;
            if let Some(slot) = counts.get_mut(position) {
                *slot += count;
            }
        }
        Table::one_way(
            &self.scope.id,
            &self.period.label(),
            measure.name,
            &labels(detail, &categories),
            &counts,
        )
    }

    /// Nationality × sex (or one of them) and age band, as the agreement allows.
    fn people_tables(
        &self,
        measure: &Measure,
        entries: &[(&TallyKey, u64)],
    ) -> Result<Vec<Table>, StatsError> {
        let allows = |breakdown| self.scope.breakdowns.contains(&breakdown);
        let nationalities = allows(Breakdown::Nationality).then(|| {
            let mut named = self.named("proposed", |key| {
                key.person.as_ref().map(|person| person.nationality.clone())
            });
            named.push(OTHER.to_owned());
            named
        });
        let sexes = allows(Breakdown::Sex).then(|| SEXES.map(str::to_owned).to_vec());
        let bands = allows(Breakdown::AgeBand)
            .then(|| AgeBand::ALL.map(|band| band.label().to_owned()).to_vec());
        let mut rows: Vec<Axis> = Vec::new();
        if let Some(nationalities) = nationalities {
            rows.push(("nationality", nationalities, |key| {
                key.person.as_ref().map(|person| person.nationality.clone())
            }));
        }
        if let Some(sexes) = sexes {
            rows.push(("sex", sexes, |key| {
                key.person.as_ref().map(|person| person.sex.to_owned())
            }));
        }
        let mut tables = Vec::new();
        if !rows.is_empty() {
            tables.push(self.grid(measure, &rows, entries)?);
        }
        if let Some(bands) = bands {
            let band: fn(&TallyKey) -> Option<String> = |key| {
                key.person
                    .as_ref()
                    .map(|person| person.age_band.label().to_owned())
            };
            tables.push(self.grid(measure, &[("age_band", bands, band)], entries)?);
        }
        Ok(tables)
    }

    /// A 1-D (one axis) or 2-D (two axes) table of people; `other` takes what no row names.
    fn grid(
        &self,
        measure: &Measure,
        axes: &[Axis],
        entries: &[(&TallyKey, u64)],
    ) -> Result<Table, StatsError> {
        let (row_axis, column_axis) = match axes {
            [only] => (None, only),
            [row, column] => (Some(row), column),
            _ => {
                return Err(StatsError::Shape {
                    rows: 0,
                    columns: 0,
                });
            }
        };
        let place = |axis: &Axis, key: &TallyKey| -> Result<usize, StatsError> {
            let value = axis.2(key).ok_or_else(|| StatsError::UnknownCategory {
                measure: measure.name.to_owned(),
                value: "a count of no person".to_owned(),
            })?;
            let exact = axis
                .1
                .iter()
                .position(|category| *category == value && value != OTHER);
            let pooled = axis.1.iter().position(|category| category == OTHER);
            exact.or(pooled).ok_or(StatsError::UnknownCategory {
                measure: measure.name.to_owned(),
                value,
            })
        };
        let row_count = row_axis.map_or(1, |axis| axis.1.len());
        let mut counts = vec![vec![0_u64; column_axis.1.len()]; row_count];
        for (key, count) in entries {
            let row = match row_axis {
                Some(axis) => place(axis, key)?,
                None => 0,
            };
            let column = place(column_axis, key)?;
            if let Some(slot) = counts
                .get_mut(row)
                .and_then(|values| values.get_mut(column))
            {
                *slot += count;
            }
        }
        let row_labels = row_axis.map_or_else(|| vec![Vec::new()], |axis| labels(axis.0, &axis.1));
        Table::new(
            &self.scope.id,
            &self.period.label(),
            measure.name,
            &row_labels,
            &labels(column_axis.0, &column_axis.1),
            &counts,
        )
    }
}

/// One axis of a table of people: its breakdown key, its categories, and how a tally entry
/// reads its value.
type Axis = (&'static str, Vec<String>, fn(&TallyKey) -> Option<String>);

/// `key=value` labels.
fn labels(key: &str, values: &[String]) -> Vec<Vec<Pair>> {
    values
        .iter()
        .map(|value| vec![(key.to_owned(), value.clone())])
        .collect()
}
