//! Court holds: orders that stop transfers, for named cases or for a whole class.
//!
//! A class order's membership is decided by the software for every present and future case:
//! [`ClassCriteria::matches`] is the one definition of membership, and both directions of lookup
//! (which holds cover this case, which cases does this hold cover) go through indexes built on it.

use std::collections::{BTreeMap, BTreeSet};

use corridor_terms::{AgreementId, Country};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::ids::{CaseId, HoldId};
use crate::person::{Label, RuleAttributes};

/// The criteria of a class-wide order. Fields are combined with AND; the values within one field
/// with OR; an empty field does not restrict.
///
/// INVARIANT (checked by [`ClassCriteria::validate`] before any event carries it): at least one
/// field restricts, and a date range is not inverted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClassCriteria {
    /// Agreements the order covers.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub agreements: BTreeSet<AgreementId>,
    /// Nationalities.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub nationalities: BTreeSet<Country>,
    /// Legal bases of the removal order.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub legal_bases: BTreeSet<Label>,
    /// Designations.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub designations: BTreeSet<Label>,
    /// Detention places.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub detention_places: BTreeSet<Label>,
    /// Removal orders made on or after this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_ordered_from: Option<Date>,
    /// Removal orders made on or before this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_ordered_until: Option<Date>,
}

impl ClassCriteria {
    /// Says what is wrong with criteria that no event may carry.
    pub fn validate(&self) -> Result<(), String> {
        let restricts = !self.agreements.is_empty()
            || !self.nationalities.is_empty()
            || !self.legal_bases.is_empty()
            || !self.designations.is_empty()
            || !self.detention_places.is_empty()
            || self.removal_ordered_from.is_some()
            || self.removal_ordered_until.is_some();
        if !restricts {
            return Err("a class order needs at least one criterion".to_owned());
        }
        if let (Some(from), Some(until)) = (self.removal_ordered_from, self.removal_ordered_until)
            && from > until
        {
            return Err(format!(
                "the date range starts ({from}) after it ends ({until})"
            ));
        }
        Ok(())
    }

    /// Whether a case with these attributes, under this agreement, is a member of the class.
    pub fn matches(&self, agreement: &AgreementId, rule: &RuleAttributes) -> bool {
        fn any_of<T: Ord>(set: &BTreeSet<T>, value: Option<&T>) -> bool {
            set.is_empty() || value.is_some_and(|v| set.contains(v))
        }
        any_of(&self.agreements, Some(agreement))
            && any_of(&self.nationalities, Some(&rule.nationality))
            && any_of(&self.legal_bases, Some(&rule.legal_basis))
            && any_of(&self.designations, rule.designation.as_ref())
            && any_of(&self.detention_places, rule.detention_place.as_ref())
            && self
                .removal_ordered_from
                .is_none_or(|from| rule.removal_ordered_on >= from)
            && self
                .removal_ordered_until
                .is_none_or(|until| rule.removal_ordered_on <= until)
    }
}

/// Whom an order covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum HoldScope {
    /// Named cases.
    Cases {
        /// The cases.
        cases: BTreeSet<CaseId>,
    },
    /// A class defined by criteria.
    Class {
        /// The criteria.
        criteria: ClassCriteria,
    },
}

/// Why named cases and class criteria do not make one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeChoice {
    /// Both were given: an order is individual or a class, never both.
    Both,
    /// Neither was given.
    Neither,
}

impl HoldScope {
    /// The scope of an order given as named cases or class criteria: exactly one of the two
    /// must be given (empty criteria count as not given).
    pub fn of(cases: BTreeSet<CaseId>, criteria: ClassCriteria) -> Result<Self, ScopeChoice> {
        match (cases.is_empty(), criteria == ClassCriteria::default()) {
            (false, false) => Err(ScopeChoice::Both),
            (true, true) => Err(ScopeChoice::Neither),
            (false, true) => Ok(Self::Cases { cases }),
            (true, false) => Ok(Self::Class { criteria }),
        }
    }

    /// Says what is wrong with a scope no event may carry.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Self::Cases { cases } if cases.is_empty() => {
                Err("an individual order must name at least one case".to_owned())
            }
            Self::Cases { .. } => Ok(()),
            Self::Class { criteria } => criteria.validate(),
        }
    }

    /// Whether the scope covers this case.
    pub fn covers(&self, case: &Case) -> bool {
        match self {
            Self::Cases { cases } => cases.contains(&case.id),
            Self::Class { criteria } => criteria.matches(&case.agreement, &case.rule),
        }
    }
}

/// Where a hold stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldStatus {
    /// In effect.
    Active,
    /// Stayed by a higher court: no effect until reactivated.
    Stayed,
    /// Vacated: ended for good.
    Vacated,
}

impl HoldStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Stayed => "stayed",
            Self::Vacated => "vacated",
        }
    }
}

/// A court order, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// The hold.
    pub id: HoldId,
    /// The court.
    pub court: String,
    /// The court's reference.
    pub reference: String,
    /// Whom it covers now.
    pub scope: HoldScope,
    /// The order it depends on.
    pub depends_on: Option<HoldId>,
    /// Where it stands now.
    pub status: HoldStatus,
    /// Every status it has had, with when.
    pub history: Vec<(HoldStatus, Timestamp)>,
    /// How many times its scope was amended.
    pub amendments: u32,
    /// The stream version: how many events the hold has.
    pub version: u64,
    /// The latest moment any of its events is dated.
    pub last_event_at: Timestamp,
}

/// The holds in force, indexed so that finding those that cover a case never scans every hold.
///
/// Individual orders are indexed by case; class orders by their most selective field (an
/// agreement, a nationality or a legal basis where they name one). A class order that names none
/// of those sits in a short "general" list checked for every case.
#[derive(Debug, Clone, Default)]
pub struct HoldIndex {
    by_case: BTreeMap<CaseId, BTreeSet<HoldId>>,
    by_nationality: BTreeMap<Country, BTreeSet<HoldId>>,
    by_legal_basis: BTreeMap<Label, BTreeSet<HoldId>>,
    by_agreement: BTreeMap<AgreementId, BTreeSet<HoldId>>,
    general: BTreeSet<HoldId>,
}

impl HoldIndex {
    /// Indexes the holds that are in effect.
    pub fn build<'a>(
        holds: impl IntoIterator<Item = &'a Hold>,
        all: &BTreeMap<HoldId, Hold>,
    ) -> Self {
        let mut index = Self::default();
        for hold in holds {
            if effective(hold, all) {
                index.insert(hold);
            }
        }
        index
    }

    fn insert(&mut self, hold: &Hold) {
        match &hold.scope {
            HoldScope::Cases { cases } => {
                for case in cases {
                    self.by_case.entry(*case).or_default().insert(hold.id);
                }
            }
            HoldScope::Class { criteria } => {
                if !criteria.nationalities.is_empty() {
                    for nationality in &criteria.nationalities {
                        self.by_nationality
                            .entry(*nationality)
                            .or_default()
                            .insert(hold.id);
                    }
                } else if !criteria.legal_bases.is_empty() {
                    for basis in &criteria.legal_bases {
                        self.by_legal_basis
                            .entry(basis.clone())
                            .or_default()
                            .insert(hold.id);
                    }
                } else if !criteria.agreements.is_empty() {
                    for agreement in &criteria.agreements {
                        self.by_agreement
                            .entry(agreement.clone())
                            .or_default()
                            .insert(hold.id);
                    }
                } else {
                    self.general.insert(hold.id);
                }
            }
        }
    }

    /// The ids of holds that may cover the case; callers confirm with [`HoldScope::covers`].
    pub fn candidates(&self, case: &Case) -> BTreeSet<HoldId> {
        let mut found = self.general.clone();
        let lists = [
            self.by_case.get(&case.id),
            self.by_nationality.get(&case.rule.nationality),
            self.by_legal_basis.get(&case.rule.legal_basis),
            self.by_agreement.get(&case.agreement),
        ];
        for ids in lists.into_iter().flatten() {
            found.extend(ids.iter().copied());
        }
        found
    }
}

/// Whether a hold has effect now: it is active and so is every order it depends on.
pub fn effective(hold: &Hold, all: &BTreeMap<HoldId, Hold>) -> bool {
    let mut current = hold;
    // Dependencies form a chain that can only point to holds registered earlier, so it ends; the
    // bound keeps a corrupted store from looping.
    for _ in 0..=all.len() {
        if current.status != HoldStatus::Active {
            return false;
        }
        match current.depends_on.and_then(|parent| all.get(&parent)) {
            Some(parent) => current = parent,
            None => return current.depends_on.is_none(),
        }
    }
    false
}

/// The holds in effect that cover the case, found through the index.
pub fn holds_covering<'a>(
    case: &Case,
    index: &HoldIndex,
    all: &'a BTreeMap<HoldId, Hold>,
) -> Vec<&'a Hold> {
    index
        .candidates(case)
        .into_iter()
        .filter_map(|id| all.get(&id))
        .filter(|hold| effective(hold, all) && hold.scope.covers(case))
        .collect()
}
