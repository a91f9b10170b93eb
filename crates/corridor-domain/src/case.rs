//! A case: one person's path under one agreement, folded from its events.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use corridor_terms::{AgreementId, Country, Vulnerability};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::event::{Acceptance, EventBody, MonitorAlert, WelfareOutcome};
use crate::ids::{CaseId, HoldId, UserId};
use crate::person::{Language, RuleAttributes, Sealed};

/// Where a case stands in the lifecycle of docs/domain.md §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Proposed; no notice yet.
    Proposed,
    /// A complete notice was served.
    Noticed,
    /// A protection claim is pending: nothing moves until it is decided.
    ProtectionClaimed,
    /// The receiving state was asked.
    Requested,
    /// The receiving state accepted.
    Accepted,
    /// A departure is scheduled.
    Scheduled,
    /// Travelling.
    InTransit,
    /// In the receiving state.
    Arrived,
    /// Settled in the receiving state.
    Settled,
    /// Back in the sending state after arrival.
    Returned,
    /// Moved on from the receiving state to a permitted destination.
    Departed,
    /// No longer where they were last known to be.
    WhereaboutsUnknown,
    /// Refused by the receiving state.
    Refused,
    /// Withdrawn by the sending state.
    Withdrawn,
    /// A clock ran out before departure.
    Expired,
    /// Protection was found: no transfer.
    Protected,
    /// A hold arrived in transit: the sending state kept custody.
    Recalled,
}

impl CaseStatus {
    /// Every status.
    pub const ALL: [Self; 17] = [
        Self::Proposed,
        Self::Noticed,
        Self::ProtectionClaimed,
        Self::Requested,
        Self::Accepted,
        Self::Scheduled,
        Self::InTransit,
        Self::Arrived,
        Self::Settled,
        Self::Returned,
        Self::Departed,
        Self::WhereaboutsUnknown,
        Self::Refused,
        Self::Withdrawn,
        Self::Expired,
        Self::Protected,
        Self::Recalled,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Noticed => "noticed",
            Self::ProtectionClaimed => "protection_claimed",
            Self::Requested => "requested",
            Self::Accepted => "accepted",
            Self::Scheduled => "scheduled",
            Self::InTransit => "in_transit",
            Self::Arrived => "arrived",
            Self::Settled => "settled",
            Self::Returned => "returned",
            Self::Departed => "departed",
            Self::WhereaboutsUnknown => "whereabouts_unknown",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::Protected => "protected",
            Self::Recalled => "recalled",
        }
    }

    /// Parses a snake_case status.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Before departure: the person is still in the sending state's custody.
    pub fn is_before_departure(self) -> bool {
        matches!(
            self,
            Self::Proposed
                | Self::Noticed
                | Self::ProtectionClaimed
                | Self::Requested
                | Self::Accepted
                | Self::Scheduled
        )
    }

    /// After arrival and still in the receiving state (for the present-at-once cap).
    pub fn is_present(self) -> bool {
        matches!(
            self,
            Self::InTransit | Self::Arrived | Self::Settled | Self::WhereaboutsUnknown
        )
    }

    /// Counted as transferred (for the total cap): the person left and was not recalled.
    pub fn is_transferred(self) -> bool {
        matches!(
            self,
            Self::InTransit
                | Self::Arrived
                | Self::Settled
                | Self::Returned
                | Self::Departed
                | Self::WhereaboutsUnknown
        )
    }

    /// After arrival: the receiving state's procedure and the monitors' follow-up apply.
    pub fn is_after_arrival(self) -> bool {
        matches!(
            self,
            Self::Arrived | Self::Settled | Self::WhereaboutsUnknown
        )
    }

    /// No further step can change the case's path.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Returned
                | Self::Departed
                | Self::Refused
                | Self::Withdrawn
                | Self::Expired
                | Self::Protected
                | Self::Recalled
        )
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the receiving state's own procedure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceivingProcedure {
    /// No claim lodged.
    None,
    /// A claim is pending.
    ClaimPending,
    /// Protection granted.
    Granted,
    /// Refused; an appeal may follow.
    Refused,
    /// An appeal is pending.
    AppealPending,
    /// Refused on appeal.
    RefusedOnAppeal,
}

/// Where detention validation stands (for terms that require it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detention {
    /// The terms need no validation, or the person has not arrived.
    NotRequired,
    /// Awaiting a court's validation.
    Pending,
    /// Validated in time.
    Validated,
    /// Not validated in time: the person must be released.
    Lapsed,
}

/// The safeguard whose consequence a case's status is: a later step refused because of that
/// status is refused with this safeguard's code and facts (docs/domain.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SafeguardCause {
    /// A court order recalled the person in transit.
    Hold(HoldId),
    /// An excluded vulnerability withdrew the case, or recalled the person in transit.
    Vulnerability(Vulnerability),
    /// The transfer deadline ran out.
    TransferDeadline,
    /// Protection was found.
    Protection,
}

/// A welfare check that was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelfareCheck {
    /// When.
    pub at: Timestamp,
    /// By whom.
    pub by: Option<UserId>,
    /// What was found.
    pub outcome: WelfareOutcome,
}

/// A case folded from its events. Nothing here is stored except through events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The case.
    pub id: CaseId,
    /// The agreement.
    pub agreement: AgreementId,
    /// The terms version the case keeps.
    pub terms_version: u32,
    /// The stream version: how many events the case has.
    pub version: u64,
    /// Where it stands.
    pub status: CaseStatus,
    /// Who proposed it.
    pub proposed_by: Option<UserId>,
    /// When.
    pub proposed_at: Timestamp,
    /// The latest moment any of the case's events is dated: no later step may be dated before it
    /// (beyond the deployment's allowed clock skew).
    pub last_event_at: Timestamp,
    /// What the safeguards read.
    pub rule: RuleAttributes,
    /// Vulnerabilities found after proposal.
    pub later_vulnerabilities: BTreeSet<Vulnerability>,
    /// Countries the person fears, learnt after proposal, with when each was recorded.
    pub later_fears: BTreeMap<Country, Timestamp>,
    /// When a protection screening was last decided.
    pub protection_decided_at: Option<Timestamp>,
    /// A pending age dispute: the age on the day of the proposal the person's own birth date gives.
    pub age_disputed: Option<u8>,
    /// The age on the day of the proposal an age assessment decided, if one did.
    pub age_decided: Option<u8>,
    /// The person's lawyer.
    pub counsel: Option<UserId>,
    /// Sealed personal data; `None` once erased.
    pub personal: Option<Sealed>,
    /// When a complete notice was served, and in which language.
    pub notice: Option<(Timestamp, Language)>,
    /// When a pending protection claim was filed.
    pub protection_claim_filed_at: Option<Timestamp>,
    /// The status to return to if the pending claim is refused.
    pub status_before_claim: Option<CaseStatus>,
    /// When the transfer was requested.
    pub requested_at: Option<Timestamp>,
    /// When and how the receiving state accepted.
    pub accepted: Option<(Timestamp, Acceptance)>,
    /// The supervisor who approved the transfer for scheduling.
    pub supervisor_approval: Option<UserId>,
    /// The reason code of a transfer deadline extension.
    pub deadline_extension: Option<String>,
    /// The scheduled departure.
    pub departure: Option<Timestamp>,
    /// The last departure the person was told of (kept when a schedule is pulled).
    pub told_departure: Option<Timestamp>,
    /// When a departure earlier than the one the person had been told of was last scheduled.
    pub rescheduled_earlier_at: Option<Timestamp>,
    /// When the person departed.
    pub departed_at: Option<Timestamp>,
    /// When the person arrived.
    pub arrived_at: Option<Timestamp>,
    /// Holds that were found to cover the case.
    pub holds_matched: BTreeSet<HoldId>,
    /// The receiving state's procedure.
    pub receiving_procedure: ReceivingProcedure,
    /// Welfare checks done.
    pub welfare_checks: Vec<WelfareCheck>,
    /// Detention validation.
    pub detention: Detention,
    /// Whether the support period has ended.
    pub support_ended: bool,
    /// Whether an excluded vulnerability found after departure requires the person's return.
    pub return_required: bool,
    /// Where the person moved on to.
    pub onward_destination: Option<Country>,
    /// When the person moved on.
    pub onward_moved_at: Option<Timestamp>,
    /// The status before whereabouts became unknown.
    pub status_before_unknown: Option<CaseStatus>,
    /// When the whereabouts last became unknown, while they are.
    pub whereabouts_unknown_since: Option<Timestamp>,
    /// When the person was last found again after their whereabouts were unknown.
    pub whereabouts_known_since: Option<Timestamp>,
    /// The alerts raised to the monitoring body, with when.
    pub alerts: Vec<(Timestamp, MonitorAlert)>,
    /// How many of the case's events are monitoring records
    /// ([`EventBody::is_monitoring_record`]): the version a government is told leaves them out.
    pub monitoring_records: u64,
    /// How many commands safeguards refused.
    pub safeguard_refusals: u64,
    /// Why the case was withdrawn or refused.
    pub closing_reason: Option<String>,
    /// The safeguard whose consequence the current status is, if it is one.
    pub safeguard_cause: Option<SafeguardCause>,
}

impl Case {
    /// Starts a case from its `CaseProposed` event; `None` for any other event.
    pub fn proposed(event: &crate::event::Event) -> Option<Self> {
        let EventBody::CaseProposed {
            case,
            agreement,
            terms_version,
            rule,
            counsel,
            personal,
        } = &event.body
        else {
            return None;
        };
        let (id, agreement, terms_version, rule, counsel, personal, at, by) = (
            *case,
            agreement.clone(),
            *terms_version,
            rule.clone(),
            counsel.clone(),
            personal.clone(),
            event.at,
            event.by.clone(),
        );
        Some(Self {
            id,
            agreement,
            terms_version,
            version: 1,
            status: CaseStatus::Proposed,
            proposed_by: by,
            proposed_at: at,
            last_event_at: at,
            rule,
            later_vulnerabilities: BTreeSet::new(),
            later_fears: BTreeMap::new(),
            protection_decided_at: None,
            age_disputed: None,
            age_decided: None,
            counsel,
            personal: Some(personal),
            notice: None,
            protection_claim_filed_at: None,
            status_before_claim: None,
            requested_at: None,
            accepted: None,
            supervisor_approval: None,
            deadline_extension: None,
            departure: None,
            told_departure: None,
            rescheduled_earlier_at: None,
            departed_at: None,
            arrived_at: None,
            holds_matched: BTreeSet::new(),
            receiving_procedure: ReceivingProcedure::None,
            welfare_checks: Vec::new(),
            detention: Detention::NotRequired,
            support_ended: false,
            return_required: false,
            onward_destination: None,
            onward_moved_at: None,
            status_before_unknown: None,
            whereabouts_unknown_since: None,
            whereabouts_known_since: None,
            alerts: Vec::new(),
            monitoring_records: 0,
            safeguard_refusals: 0,
            closing_reason: None,
            safeguard_cause: None,
        })
    }

    /// Applies one of the case's own events (after the first). Events of other streams are
    /// ignored; the caller routes by [`EventBody::stream`].
    ///
    /// `detention_required` says whether the case's terms require detention validation, which
    /// decides the detention state at arrival.
    pub fn apply(
        &mut self,
        at: Timestamp,
        by: Option<&UserId>,
        body: &EventBody,
        detention_required: bool,
    ) {
        let part = Part::of(body);
        if part == Part::NotCase {
            return;
        }
        self.version += 1;
        self.last_event_at = self.last_event_at.max(at);
        match part {
            Part::Request => self.apply_request(at, by, body),
            Part::Protection => self.apply_protection(at, body),
            Part::Transfer => self.apply_transfer(at, body, detention_required),
            Part::AfterArrival => self.apply_after_arrival(at, by, body),
            Part::Record => self.apply_record(body),
            Part::Monitoring => {
                self.monitoring_records += 1;
                if let EventBody::MonitorAlertRaised { alert, .. } = body {
                    self.alerts.push((at, *alert));
                }
            }
            Part::NotCase => {}
        }
    }

    /// Applies an event of notice, the request and its answers, approval, extension and withdrawal ([`Part::Request`]).
    fn apply_request(&mut self, at: Timestamp, by: Option<&UserId>, body: &EventBody) {
        use EventBody::*;
        match body {
            NoticeServed { language, .. } => {
                self.notice = Some((at, language.clone()));
                if self.status == CaseStatus::Proposed {
                    self.status = CaseStatus::Noticed;
                }
                // A notice served while a claim is pending counts when the claim is refused.
                if self.status_before_claim == Some(CaseStatus::Proposed) {
                    self.status_before_claim = Some(CaseStatus::Noticed);
                }
            }
            TransferRequested { .. } => {
                self.requested_at = Some(at);
                self.status = CaseStatus::Requested;
            }
            AcceptedByReceivingState { acceptance, .. } => {
                self.accepted = Some((at, *acceptance));
                self.status = CaseStatus::Accepted;
            }
            RequestLapsed { .. } => {
                self.requested_at = None;
                self.status = CaseStatus::Noticed;
            }
            RefusedByReceivingState { reason, .. } => {
                self.closing_reason = Some(reason.clone());
                self.status = CaseStatus::Refused;
            }
            SupervisorApproved { .. } => self.supervisor_approval = by.cloned(),
            TransferDeadlineExtended { reason, .. } => {
                self.deadline_extension = Some(reason.clone())
            }
            Withdrawn { reason, .. } => {
                self.departure = None;
                self.closing_reason = Some(reason.clone());
                self.status = CaseStatus::Withdrawn;
            }
            _ => {}
        }
    }

    /// Applies an event of protection claims and screenings, vulnerabilities, fears and age ([`Part::Protection`]).
    fn apply_protection(&mut self, at: Timestamp, body: &EventBody) {
        use EventBody::*;
        match body {
            ProtectionClaimed { .. } => {
                self.protection_claim_filed_at = Some(at);
                // A claim pulls a scheduled transfer back to the accepted stage.
                let resume = match self.status {
                    CaseStatus::Scheduled => CaseStatus::Accepted,
                    other => other,
                };
                self.status_before_claim = Some(resume);
                self.departure = None;
                self.status = CaseStatus::ProtectionClaimed;
            }
            ProtectionDecided { granted, .. } => {
                self.protection_claim_filed_at = None;
                self.protection_decided_at = Some(at);
                if *granted {
                    self.safeguard_cause = Some(SafeguardCause::Protection);
                }
                self.status = if *granted {
                    CaseStatus::Protected
                } else {
                    self.status_before_claim.unwrap_or(CaseStatus::Noticed)
                };
                self.status_before_claim = None;
            }
            VulnerabilityRecorded {
                category, excluded, ..
            } => {
                self.later_vulnerabilities.insert(*category);
                if *excluded {
                    if self.status.is_before_departure() || self.status == CaseStatus::InTransit {
                        self.safeguard_cause = Some(SafeguardCause::Vulnerability(*category));
                    }
                    if self.status.is_before_departure() {
                        self.departure = None;
                        self.closing_reason = Some("ineligible_vulnerability".to_owned());
                        self.status = CaseStatus::Withdrawn;
                    } else if self.status == CaseStatus::InTransit {
                        self.status = CaseStatus::Recalled;
                    } else {
                        self.return_required = true;
                    }
                }
            }
            AgeDisputed {
                claimed_age_at_proposal,
                ..
            } => self.age_disputed = Some(*claimed_age_at_proposal),
            AgeDecided {
                age_at_proposal, ..
            } => {
                self.age_disputed = None;
                self.age_decided = Some(*age_at_proposal);
            }
            FearRecorded { country, .. } => {
                self.later_fears.entry(*country).or_insert(at);
            }
            _ => {}
        }
    }

    /// Applies an event of the schedule, departure, recall, arrival and expiry ([`Part::Transfer`]).
    fn apply_transfer(&mut self, at: Timestamp, body: &EventBody, detention_required: bool) {
        use EventBody::*;
        match body {
            TransferScheduled { departure, .. } => {
                if self.told_departure.is_some_and(|told| *departure < told) {
                    self.rescheduled_earlier_at = Some(at);
                }
                self.told_departure = Some(*departure);
                self.departure = Some(*departure);
                self.status = CaseStatus::Scheduled;
            }
            TransferUnscheduled { .. } => {
                self.departure = None;
                self.status = CaseStatus::Accepted;
            }
            Departed { .. } => {
                self.departed_at = Some(at);
                self.status = CaseStatus::InTransit;
            }
            Recalled { hold, .. } => {
                if let Some(hold) = hold {
                    self.safeguard_cause = Some(SafeguardCause::Hold(*hold));
                }
                self.status = CaseStatus::Recalled;
            }
            Arrived { .. } => {
                self.arrived_at = Some(at);
                self.status = CaseStatus::Arrived;
                if detention_required {
                    self.detention = Detention::Pending;
                }
            }
            TransferDeadlineExpired { .. } => {
                self.safeguard_cause = Some(SafeguardCause::TransferDeadline);
                self.departure = None;
                self.status = CaseStatus::Expired;
            }
            _ => {}
        }
    }

    /// Applies an event of what follows arrival ([`Part::AfterArrival`]).
    fn apply_after_arrival(&mut self, at: Timestamp, by: Option<&UserId>, body: &EventBody) {
        use EventBody::*;
        match body {
            ReceivingClaimLodged { .. } => {
                self.receiving_procedure = ReceivingProcedure::ClaimPending
            }
            ReceivingClaimDecided {
                granted, appeal, ..
            } => {
                self.receiving_procedure = match (granted, appeal) {
                    (true, _) => ReceivingProcedure::Granted,
                    (false, false) => ReceivingProcedure::Refused,
                    (false, true) => ReceivingProcedure::RefusedOnAppeal,
                };
            }
            AppealLodged { .. } => self.receiving_procedure = ReceivingProcedure::AppealPending,
            OnwardMoved { destination, .. } => {
                self.onward_destination = Some(*destination);
                self.onward_moved_at = Some(at);
                self.status = CaseStatus::Departed;
            }
            Settled { .. } => self.status = CaseStatus::Settled,
            Returned { .. } => self.status = CaseStatus::Returned,
            WhereaboutsUnknown { .. } => {
                self.status_before_unknown = Some(self.status);
                self.status = CaseStatus::WhereaboutsUnknown;
                self.whereabouts_unknown_since = Some(at);
            }
            WhereaboutsKnown { .. } => {
                self.whereabouts_unknown_since = None;
                self.whereabouts_known_since = Some(at);
                self.status = self
                    .status_before_unknown
                    .take()
                    .unwrap_or(CaseStatus::Arrived);
            }
            WelfareCheckRecorded { outcome, .. } => self.welfare_checks.push(WelfareCheck {
                at,
                by: by.cloned(),
                outcome: *outcome,
            }),
            DetentionValidated { .. } => self.detention = Detention::Validated,
            DetentionValidationLapsed { .. } => self.detention = Detention::Lapsed,
            SupportPeriodEnded { .. } => self.support_ended = true,
            _ => {}
        }
    }

    /// Applies an event of orders matched, erasure and safeguard refusals recorded ([`Part::Record`]).
    fn apply_record(&mut self, body: &EventBody) {
        use EventBody::*;
        match body {
            HoldMatched { hold, .. } => {
                self.holds_matched.insert(*hold);
            }
            PersonalDataErased { .. } => self.personal = None,
            SafeguardTriggered { .. } => self.safeguard_refusals += 1,
            _ => {}
        }
    }

    /// The age the rules read: in whole years on the day of the proposal (a minor then is not
    /// made eligible by waiting), from the birth date an assessment decided if one did, and while
    /// an age is disputed the younger of the two (the rule that protects the person applies
    /// until the dispute is decided).
    pub fn age_for_rules(&self) -> u8 {
        let settled = self.age_decided.unwrap_or(self.rule.age_years_at_proposal);
        self.age_disputed
            .map_or(settled, |claimed| claimed.min(settled))
    }

    /// Every country the person fears, at proposal or later.
    pub fn feared_countries(&self) -> BTreeSet<Country> {
        let mut feared = self.rule.feared_countries.clone();
        feared.extend(self.later_fears.keys().copied());
        feared
    }

    /// When the person was first recorded as fearing `country`, if they are.
    pub fn fear_recorded_at(&self, country: Country) -> Option<Timestamp> {
        if self.rule.feared_countries.contains(&country) {
            return Some(self.proposed_at);
        }
        self.later_fears.get(&country).copied()
    }

    /// Every vulnerability known, at proposal or later.
    pub fn vulnerabilities(&self) -> BTreeSet<Vulnerability> {
        self.rule
            .vulnerabilities
            .union(&self.later_vulnerabilities)
            .copied()
            .collect()
    }
}

/// Which part of a case an event changes: [`Case::apply`] hands each part to its own function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Notice, the request and its answers, approval, extension and withdrawal.
    Request,
    /// Protection claims and screenings, vulnerabilities, fears and age.
    Protection,
    /// The schedule, departure, recall, arrival and expiry.
    Transfer,
    /// What follows arrival.
    AfterArrival,
    /// Orders matched, erasure and safeguard refusals recorded.
    Record,
    /// The monitoring body's own records ([`EventBody::is_monitoring_record`]).
    Monitoring,
    /// Not an event of the case's own stream after the first.
    NotCase,
}

impl Part {
    /// The part an event changes. Exhaustive on purpose: a new event does not compile until it
    /// is given a part.
    fn of(body: &EventBody) -> Self {
        use EventBody::*;
        match body {
            NoticeServed { .. }
            | TransferRequested { .. }
            | AcceptedByReceivingState { .. }
            | RequestLapsed { .. }
            | RefusedByReceivingState { .. }
            | SupervisorApproved { .. }
            | TransferDeadlineExtended { .. }
            | Withdrawn { .. } => Self::Request,
            ProtectionClaimed { .. }
            | ProtectionDecided { .. }
            | VulnerabilityRecorded { .. }
            | AgeDisputed { .. }
            | AgeDecided { .. }
            | FearRecorded { .. } => Self::Protection,
            TransferScheduled { .. }
            | TransferUnscheduled { .. }
            | Departed { .. }
            | Recalled { .. }
            | Arrived { .. }
            | TransferDeadlineExpired { .. } => Self::Transfer,
            ReceivingClaimLodged { .. }
            | ReceivingClaimDecided { .. }
            | AppealLodged { .. }
            | OnwardMoved { .. }
            | Settled { .. }
            | Returned { .. }
            | WhereaboutsUnknown { .. }
            | WhereaboutsKnown { .. }
            | WelfareCheckRecorded { .. }
            | DetentionValidated { .. }
            | DetentionValidationLapsed { .. }
            | SupportPeriodEnded { .. } => Self::AfterArrival,
            HoldMatched { .. } | PersonalDataErased { .. } | SafeguardTriggered { .. } => {
                Self::Record
            }
            MonitorAlertRaised { .. } => Self::Monitoring,
            CaseProposed { .. }
            | AgreementLoaded { .. }
            | AgreementStatusChanged { .. }
            | AccessRecorded { .. }
            | HoldRegistered { .. }
            | HoldStayed { .. }
            | HoldReactivated { .. }
            | HoldAmended { .. }
            | HoldVacated { .. }
            | VisitScheduled { .. }
            | VisitRecorded { .. }
            | FindingRecorded { .. }
            | FindingResponded { .. }
            | FindingClosed { .. }
            | ComplaintLodged { .. }
            | ComplaintReviewed { .. }
            | ComplaintLinked { .. }
            | ComplaintErased { .. } => Self::NotCase,
        }
    }
}
