//! [`World`]: the in-memory reference that holds every stream.
//!
//! `World` is what every storage backend must agree with. It keeps the whole state in memory,
//! with the same indexes a database would use, and it is what the property tests drive.

use std::collections::{BTreeMap, BTreeSet};

use corridor_terms::Country;
use jiff::Timestamp;

use crate::apply::{ApplyError, apply_to_snapshot};
use crate::case::CaseStatus;
use crate::clock::next_deadline;
use crate::command::{Command, Context};
use crate::decide::{decide, refusal_event};
use crate::event::{Event, StreamId};
use crate::hold::HoldScope;
use crate::ids::CaseId;
use crate::refusal::Refusal;
use crate::snapshot::{Needs, STATUSES_A_HOLD_PULLS, Snapshot, case_terms, needs_with_findings};

/// What executing a command did.
#[expect(
    clippy::large_enum_variant,
    reason = "built once per command and moved, never stored in bulk"
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The command was accepted and these events were appended.
    Accepted(Vec<Event>),
    /// The command was refused; a safeguard refusal on a case was itself recorded.
    Refused {
        /// Why.
        refusal: Refusal,
        /// The `safeguard_triggered` event appended, if any.
        recorded: Option<Event>,
    },
}

/// Every stream in memory, with the indexes a database would keep.
#[derive(Debug, Clone, Default)]
pub struct World {
    state: Snapshot,
    /// Every event, in global order.
    events: Vec<Event>,
    by_nationality: BTreeMap<Country, BTreeSet<CaseId>>,
    /// Cases a hold taking effect acts on (scheduled or in transit), the only ones it must visit.
    pullable: BTreeSet<CaseId>,
    deadlines: BTreeSet<(Timestamp, CaseId)>,
    deadline_of: BTreeMap<CaseId, Timestamp>,
    /// The clock skew decisions allow (zero unless set: see [`World::with_clock_skew`]).
    clock_skew: jiff::SignedDuration,
}

impl World {
    /// An empty world.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows commands to be dated up to `skew` before the last event of a stream they read, as a
    /// store configured for several servers does.
    pub fn with_clock_skew(mut self, skew: jiff::SignedDuration) -> Self {
        self.clock_skew = skew.abs();
        self
    }

    /// Rebuilds a world by replaying events in order.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Self, ApplyError> {
        let mut world = Self::new();
        for event in events {
            world.append(event.clone())?;
        }
        Ok(world)
    }

    /// The whole state.
    pub fn state(&self) -> &Snapshot {
        &self.state
    }

    /// Every event, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Appends an event and updates every index.
    pub fn append(&mut self, event: Event) -> Result<(), ApplyError> {
        apply_to_snapshot(&mut self.state, &event)?;
        if let StreamId::Case(id) = event.body.stream() {
            self.reindex(id);
        }
        self.events.push(event);
        Ok(())
    }

    fn reindex(&mut self, id: CaseId) {
        let Some(case) = self.state.cases.get(&id) else {
            return;
        };
        self.by_nationality
            .entry(case.rule.nationality)
            .or_default()
            .insert(id);
        if STATUSES_A_HOLD_PULLS.contains(&case.status) {
            self.pullable.insert(id);
        } else {
            self.pullable.remove(&id);
        }
        if let Some(old) = self.deadline_of.remove(&id) {
            self.deadlines.remove(&(old, id));
        }
        if let Some(due) =
            case_terms(&self.state, case).and_then(|terms| next_deadline(case, terms))
        {
            self.deadlines.insert((due, id));
            self.deadline_of.insert(id, due);
        }
    }

    /// Loads what a command needs, as a store would.
    pub fn snapshot(&self, needs: &Needs) -> Snapshot {
        let mut snapshot = Snapshot {
            holds: self.state.holds.clone(),
            findings: self.state.findings.clone(),
            visits: needs
                .visits
                .iter()
                .filter_map(|id| self.state.visits.get_key_value(id))
                .map(|(id, visit)| (*id, visit.clone()))
                .collect(),
            clock_skew: self.clock_skew,
            ..Snapshot::default()
        };
        let mut cases: BTreeSet<CaseId> = needs.cases.clone();
        for scope in &needs.scheduled_or_in_transit_covered_by {
            cases.extend(self.cases_covered(scope));
        }
        if let Some(by) = needs.clocks_due_by {
            cases.extend(
                self.deadlines
                    .iter()
                    .take_while(|(due, _)| *due <= by)
                    .map(|(_, id)| *id),
            );
        }
        let mut agreements = needs.agreements.clone();
        for id in cases {
            if let Some(case) = self.state.cases.get(&id) {
                agreements.insert(case.agreement.clone());
                snapshot.cases.insert(id, case.clone());
            }
        }
        for id in &needs.complaints {
            if let Some(complaint) = self.state.complaints.get(id) {
                agreements.insert(complaint.agreement.clone());
                snapshot.complaints.insert(*id, complaint.clone());
            }
        }
        for id in agreements {
            if let Some(agreement) = self.state.agreements.get(&id) {
                snapshot.agreements.insert(id.clone(), agreement.clone());
                snapshot.counts.insert(
                    id.clone(),
                    self.state.counts.get(&id).copied().unwrap_or_default(),
                );
            }
        }
        snapshot
    }

    /// Scheduled or in-transit cases a scope covers, found through the nationality index where
    /// the scope names nationalities and through the index of pullable cases otherwise: never a
    /// scan of every case.
    fn cases_covered(&self, scope: &HoldScope) -> Vec<CaseId> {
        let candidates: Vec<CaseId> = match scope {
            HoldScope::Cases { cases } => cases.iter().copied().collect(),
            HoldScope::Class { criteria } if !criteria.nationalities.is_empty() => criteria
                .nationalities
                .iter()
                .filter_map(|n| self.by_nationality.get(n))
                .flatten()
                .copied()
                .collect(),
            HoldScope::Class { .. } => self.pullable.iter().copied().collect(),
        };
        candidates
            .into_iter()
            .filter(|id| {
                self.state.cases.get(id).is_some_and(|case| {
                    STATUSES_A_HOLD_PULLS.contains(&case.status) && scope.covers(case)
                })
            })
            .collect()
    }

    /// Decides a command and appends what it causes, recording safeguard refusals.
    pub fn execute(&mut self, command: &Command, context: &Context) -> Result<Outcome, ApplyError> {
        let snapshot = self.snapshot(&needs_with_findings(
            command,
            &self.state.holds,
            &self.state.findings,
            context.now,
        ));
        match decide(&snapshot, command, context) {
            Ok(events) => {
                for event in &events {
                    self.append(event.clone())?;
                }
                Ok(Outcome::Accepted(events))
            }
            Err(refusal) => {
                let recorded = refusal_event(command, &refusal, context).filter(|_| {
                    command
                        .case()
                        .is_some_and(|id| self.state.cases.contains_key(&id))
                });
                if let Some(event) = &recorded {
                    self.append(event.clone())?;
                }
                Ok(Outcome::Refused { refusal, recorded })
            }
        }
    }

    /// Cases by status, for summaries.
    pub fn count_by_status(&self) -> BTreeMap<CaseStatus, u64> {
        let mut counts = BTreeMap::new();
        for case in self.state.cases.values() {
            *counts.entry(case.status).or_insert(0) += 1;
        }
        counts
    }
}
