//! The true counts a release is computed from, by agreement × month × measure × detail × person
//! (secret: only a protected release is published).

use std::collections::HashMap;

use crate::measure::{Measure, PersonAttributes};
use crate::period::Month;

/// What one true count counts, at the finest grain a release is built from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TallyKey {
    /// The agreement's id ([`crate::measure::NO_AGREEMENT`] for court holds).
    pub agreement: String,
    /// The UTC month of the event (the month of its public leaf's `day`).
    pub month: Month,
    /// The measure's name (one of [`crate::measure::MEASURES`]).
    pub measure: &'static str,
    /// The value of the measure's own breakdown (`Measure::detail`), if it has one.
    pub detail: Option<String>,
    /// The person counted, for measures that count people.
    pub person: Option<PersonAttributes>,
}

/// True counts, summed per key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    counts: HashMap<TallyKey, u64>,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts `n` more at a key.
    pub fn add(&mut self, key: TallyKey, n: u64) {
        *self.counts.entry(key).or_default() += n;
    }

    /// Counts one occurrence of `measure`.
    pub fn count(
        &mut self,
        agreement: &str,
        month: Month,
        measure: &'static Measure,
        detail: Option<&str>,
        person: Option<&PersonAttributes>,
    ) {
        self.add(
            TallyKey {
                agreement: agreement.to_owned(),
                month,
                measure: measure.name,
                detail: detail.map(str::to_owned),
                person: person.filter(|_| measure.counts_people).cloned(),
            },
            1,
        );
    }

    /// Adds every count of another tally.
    pub fn merge(&mut self, other: Self) {
        for (key, n) in other.counts {
            self.add(key, n);
        }
    }

    /// Every non-zero count, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&TallyKey, u64)> {
        self.counts.iter().map(|(key, n)| (key, *n))
    }

    /// How many distinct keys hold a count.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}
