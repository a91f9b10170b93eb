//! What a decision reads: the slice of current state a command needs, loaded by the caller.
//!
//! The domain never loads anything. [`needs`] says what a command will read; the store (or the
//! in-memory [`crate::World`]) loads exactly that into a [`Snapshot`]; [`crate::decide`] reads it.

use std::collections::{BTreeMap, BTreeSet};

use corridor_terms::AgreementId;
use jiff::Timestamp;

use crate::agreement::AgreementState;
use crate::case::{Case, CaseStatus};
use crate::command::Command;
use crate::complaint::Complaint;
use crate::hold::{Hold, HoldIndex, HoldScope, effective};
use crate::ids::{CaseId, ComplaintId, FindingId, HoldId, VisitId};
use crate::monitoring::{Finding, Visit};

/// How many cases of an agreement count against each cap.
///
/// Derived from case statuses only ([`CaseStatus::is_transferred`], [`CaseStatus::is_present`]),
/// so replaying the events always rebuilds the same counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Cases counted as transferred.
    pub transferred: u64,
    /// Cases present in the receiving state or in transit.
    pub present: u64,
    /// Cases scheduled to depart.
    pub scheduled: u64,
}

impl Counts {
    /// Moves one case from status `from` to status `to` (`None` for "not a case yet").
    pub fn record_transition(&mut self, from: Option<CaseStatus>, to: Option<CaseStatus>) {
        if from == to {
            return;
        }
        if let Some(from) = from {
            self.adjust(from, false);
        }
        if let Some(to) = to {
            self.adjust(to, true);
        }
    }

    fn adjust(&mut self, status: CaseStatus, add: bool) {
        let step = |count: &mut u64| {
            *count = if add {
                count.saturating_add(1)
            } else {
                count.saturating_sub(1)
            };
        };
        if status.is_transferred() {
            step(&mut self.transferred);
        }
        if status.is_present() {
            step(&mut self.present);
        }
        if status == CaseStatus::Scheduled {
            step(&mut self.scheduled);
        }
    }
}

/// What a command reads, loaded by the caller.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Agreements, by id.
    pub agreements: BTreeMap<AgreementId, AgreementState>,
    /// The cases the command reads.
    pub cases: BTreeMap<CaseId, Case>,
    /// Every hold (holds are few; each command checks them through an index).
    pub holds: BTreeMap<HoldId, Hold>,
    /// Every finding of the monitoring body (few, like holds): an open critical finding of
    /// onward-removal risk is the monitor's hold on the cases it names, which every case
    /// command reads.
    pub findings: BTreeMap<FindingId, Finding>,
    /// The visits the command reads.
    pub visits: BTreeMap<VisitId, Visit>,
    /// Cap counts for the agreements loaded.
    pub counts: BTreeMap<AgreementId, Counts>,
    /// The complaints the command reads (complaint commands only).
    pub complaints: BTreeMap<ComplaintId, Complaint>,
    /// The access stream's version: how many access records precede (loaded only to append
    /// one; decisions never read it).
    pub access_records: u64,
    /// How far a command's moment may fall before the last event of a stream it reads: the skew
    /// the deployment allows between servers that share one database (zero unless the store is
    /// configured otherwise). See [`crate::decide`] and docs/domain.md §4 "time moves forward".
    pub clock_skew: jiff::SignedDuration,
}

/// What to load for a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Cases by id (with their agreements and counts).
    pub cases: BTreeSet<CaseId>,
    /// Agreements by id (with their counts).
    pub agreements: BTreeSet<AgreementId>,
    /// Cases covered by any of these scopes that are scheduled or in transit (with their
    /// agreements): the cases a hold taking effect acts on.
    pub scheduled_or_in_transit_covered_by: Vec<HoldScope>,
    /// Cases with a clock that runs out at or before this moment.
    pub clocks_due_by: Option<Timestamp>,
    /// Visits by id.
    pub visits: BTreeSet<VisitId>,
    /// Complaints by id (complaint commands only; with their agreements).
    pub complaints: BTreeSet<ComplaintId>,
}

/// The statuses a hold taking effect acts on.
pub const STATUSES_A_HOLD_PULLS: [CaseStatus; 2] = [CaseStatus::Scheduled, CaseStatus::InTransit];

/// Says what a command reads. `holds` is every hold, which the caller always loads.
pub fn needs(command: &Command, holds: &BTreeMap<HoldId, Hold>, now: Timestamp) -> Needs {
    needs_with_findings(command, holds, &BTreeMap::new(), now)
}

/// [`needs`], for a caller that loads every finding as it loads every hold (the store and
/// [`crate::World`]): a response to a finding, or its closing, reads the finding's agreement.
pub fn needs_with_findings(
    command: &Command,
    holds: &BTreeMap<HoldId, Hold>,
    findings: &BTreeMap<FindingId, Finding>,
    now: Timestamp,
) -> Needs {
    let mut needs = Needs::default();
    monitoring_needs(command, findings, &mut needs);
    if let Some(case) = command.case() {
        needs.cases.insert(case);
    }
    match command {
        Command::ChangeAgreementStatus { agreement, .. } => {
            needs.agreements.insert(agreement.clone());
        }
        Command::Propose {
            case, agreement, ..
        } => {
            needs.agreements.insert(agreement.clone());
            // The case it would make: a second proposal of one id is refused as existing, never
            // written twice.
            needs.cases.insert(*case);
        }
        Command::LoadAgreement { file_name, text } => {
            // A file that does not parse needs nothing: deciding it reports every error.
            if let Ok(agreement) = corridor_terms::parse_agreement(file_name, text) {
                needs.agreements.insert(agreement.id);
            }
        }
        Command::RegisterHold { scope, .. } | Command::AmendHold { scope, .. } => {
            needs.scheduled_or_in_transit_covered_by.push(scope.clone());
        }
        Command::ReactivateHold { hold } => {
            // Reactivating an order revives it and every dependent order that is itself active.
            let mut revived = holds.clone();
            if let Some(target) = revived.get_mut(hold) {
                target.status = crate::hold::HoldStatus::Active;
            }
            for candidate in revived.values() {
                if effective(candidate, &revived) && depends_on_chain(candidate, *hold, &revived) {
                    needs
                        .scheduled_or_in_transit_covered_by
                        .push(candidate.scope.clone());
                }
            }
        }
        Command::Tick => needs.clocks_due_by = Some(now),
        _ => {}
    }
    needs
}

/// What the monitoring body's records (visits, findings, complaints) read.
fn monitoring_needs(command: &Command, findings: &BTreeMap<FindingId, Finding>, needs: &mut Needs) {
    match command {
        Command::ScheduleVisit { visit, plan } | Command::RecordVisit { visit, plan, .. } => {
            needs.visits.insert(*visit);
            needs.agreements.insert(plan.agreement.clone());
            needs.cases.extend(plan.cases.iter().copied());
            if let Command::RecordVisit { seen, .. } = command {
                needs.cases.extend(seen.cases.iter().copied());
            }
        }
        Command::RecordFinding { facts, .. } => {
            needs.agreements.insert(facts.agreement.clone());
            needs.cases.extend(facts.cases.iter().copied());
        }
        Command::RespondToFinding { finding, .. } | Command::CloseFinding { finding, .. } => {
            if let Some(found) = findings.get(finding) {
                needs.agreements.insert(found.facts.agreement.clone());
            }
        }
        Command::LodgeComplaint {
            complaint,
            agreement,
            ..
        } => {
            needs.complaints.insert(*complaint);
            needs.agreements.insert(agreement.clone());
        }
        Command::ReviewComplaint { complaint, .. } | Command::EraseComplaint { complaint } => {
            needs.complaints.insert(*complaint);
        }
        Command::LinkComplaint { complaint, case } => {
            needs.complaints.insert(*complaint);
            // Read only, to check it is a case of the complaint's agreement: never written.
            needs.cases.insert(*case);
        }
        _ => {}
    }
}

/// Whether `hold` is `ancestor` or depends on it, directly or through other orders.
pub fn depends_on_chain(hold: &Hold, ancestor: HoldId, all: &BTreeMap<HoldId, Hold>) -> bool {
    let mut current = Some(hold);
    for _ in 0..=all.len() {
        match current {
            Some(h) if h.id == ancestor => return true,
            Some(h) => current = h.depends_on.and_then(|parent| all.get(&parent)),
            None => return false,
        }
    }
    false
}

impl Snapshot {
    /// An index over the holds in effect.
    pub fn hold_index(&self) -> HoldIndex {
        HoldIndex::build(self.holds.values(), &self.holds)
    }
}

/// The terms a case keeps: the version of its agreement it was proposed under.
pub fn case_terms<'a>(snapshot: &'a Snapshot, case: &Case) -> Option<&'a corridor_terms::Terms> {
    snapshot
        .agreements
        .get(&case.agreement)?
        .terms(case.terms_version)
}
