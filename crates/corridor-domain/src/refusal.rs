//! Why a command was refused: a stable code, the facts behind it, and a sentence for a caseworker.

use std::collections::BTreeMap;
use std::fmt;

use corridor_terms::{AgreementId, AgreementStatus, Country};
use jiff::Timestamp;

use crate::actor::Role;
use crate::case::CaseStatus;
use crate::complaint::ComplaintStatus;
use crate::ids::{CaseId, ComplaintId, FindingId, HoldId, UserId, VisitId};
use crate::monitoring::{AddressedParty, FindingCategory, FindingOutcome, Severity};

/// Which cap a transfer would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapKind {
    /// The most people ever transferred.
    TransferredTotal,
    /// The most people present at once.
    Present,
}

impl CapKind {
    /// The terms field that sets the cap.
    pub fn field(self) -> &'static str {
        match self {
            Self::TransferredTotal => "caps.transferred_total_max",
            Self::Present => "caps.present_max",
        }
    }
}

/// A refused command. The first group are safeguards (recorded as `safeguard_triggered` events
/// when a case exists); the rest are ordinary refusals of bad or unauthorised requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An active court hold covers the case.
    HoldActive {
        /// The order.
        hold: HoldId,
        /// The court.
        court: String,
        /// The court's reference.
        reference: String,
    },
    /// The notice lead time or the fear-claim window has not run.
    NoticePeriodRunning {
        /// The earliest departure the notice allows.
        earliest_departure: Timestamp,
    },
    /// No complete notice was served.
    NoticeMissing,
    /// A notice was offered that does not meet the requirements.
    NoticeDeficient {
        /// What is missing, each as a short phrase.
        defects: Vec<String>,
    },
    /// A protection claim is pending.
    ProtectionClaimPending {
        /// When it was filed.
        filed_at: Timestamp,
    },
    /// Protection was found: the transfer has ended.
    ProtectionFound,
    /// The receiving state has not approved the person.
    NotApprovedByReceivingState,
    /// No sending supervisor approved the transfer for scheduling.
    NotApprovedBySupervisor,
    /// The agreement is not in force.
    AgreementNotInForce {
        /// The agreement.
        agreement: AgreementId,
        /// Its status today.
        status: AgreementStatus,
    },
    /// A cap would be exceeded.
    CapReached {
        /// Which cap.
        cap: CapKind,
        /// Its limit.
        limit: u64,
        /// How many it counts now (including transfers already scheduled).
        current: u64,
    },
    /// The person falls under an exclusion of the terms.
    Ineligible {
        /// Every reason, each a short phrase.
        reasons: Vec<String>,
    },
    /// The approver proposed the case.
    SelfApproval {
        /// The user who proposed and tried to approve.
        user: UserId,
    },
    /// The transfer deadline has passed or would pass before departure.
    TransferDeadlinePassed {
        /// The deadline.
        deadline: Timestamp,
    },
    /// An onward movement to a destination the rule or non-refoulement forbids.
    OnwardDestinationProhibited {
        /// The destination.
        destination: Country,
        /// Why, as a short phrase.
        reason: String,
    },
    /// A departure outside the window around the schedule the person was told of.
    DepartureOutsideSchedule {
        /// The scheduled departure.
        scheduled: Timestamp,
        /// The earliest moment the terms' window allows.
        earliest: Timestamp,
        /// The latest moment the terms' window allows, if they set one.
        latest: Option<Timestamp>,
    },
    /// The person fears the receiving state, and no protection screening has decided since.
    FearNotScreened {
        /// The receiving state.
        country: Country,
    },

    /// An open finding of the monitoring body holds the case (a critical finding of
    /// onward-removal risk): no onward movement until the monitor closes it.
    MonitorHold {
        /// The finding.
        finding: FindingId,
        /// Its category.
        category: FindingCategory,
        /// Its severity.
        severity: Severity,
    },

    /// The user's role may not issue this command, or not for this party.
    NotPermitted {
        /// The role.
        role: Role,
        /// The command.
        command: &'static str,
        /// Why, as a short phrase.
        reason: String,
    },
    /// The command does not fit the case's current status.
    InvalidState {
        /// The command.
        command: &'static str,
        /// The status.
        status: CaseStatus,
    },
    /// The transfer is paused: said instead of why, to a caller who may not know that a
    /// protection claim is pending (docs/api.md, what each role can learn).
    TransferPaused {
        /// The command.
        command: &'static str,
    },
    /// No such case.
    UnknownCase {
        /// The case.
        case: CaseId,
    },
    /// No such agreement.
    UnknownAgreement {
        /// The agreement.
        agreement: AgreementId,
    },
    /// No such hold.
    UnknownHold {
        /// The hold.
        hold: HoldId,
    },
    /// No such visit.
    UnknownVisit {
        /// The visit.
        visit: VisitId,
    },
    /// No such finding.
    UnknownFinding {
        /// The finding.
        finding: FindingId,
    },
    /// A response to a finding from a party it is not addressed to.
    FindingNotAddressed {
        /// The finding.
        finding: FindingId,
        /// The party the caller responds for.
        party: AddressedParty,
    },
    /// The party has already responded to the finding: each responds once.
    FindingAlreadyResponded {
        /// The finding.
        finding: FindingId,
        /// The party.
        party: AddressedParty,
        /// When it responded.
        responded_at: Timestamp,
    },
    /// The finding is closed: nothing more may be added to it.
    FindingClosed {
        /// The finding.
        finding: FindingId,
        /// How it was closed.
        outcome: FindingOutcome,
    },
    /// The id is taken.
    AlreadyExists {
        /// What exists.
        what: String,
    },
    /// The command is dated before the last event of a stream its decision reads or writes:
    /// time only moves forward.
    TimeBeforeRecorded {
        /// The stream (`case-…`, `agreement:…`, `hold-…`).
        stream: String,
        /// Its latest recorded moment; `None` where the caller may not learn it (the stream is
        /// not the one the command names, or holds events hidden from the caller).
        recorded: Option<Timestamp>,
        /// The moment the command was dated.
        at: Timestamp,
    },
    /// No such complaint (or none this caller may know of: answered alike).
    UnknownComplaint {
        /// The complaint.
        complaint: ComplaintId,
    },
    /// A complaint's status may not move this way.
    ComplaintStatusNotAllowed {
        /// Its status now.
        from: ComplaintStatus,
        /// The status asked for.
        to: ComplaintStatus,
    },
    /// The complaint's key was destroyed: nothing can be sealed for it or erased again.
    ComplaintErased {
        /// The complaint.
        complaint: ComplaintId,
    },
    /// An input is invalid.
    InvalidInput {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl Refusal {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::HoldActive { .. } => "hold_active",
            Self::NoticePeriodRunning { .. } => "notice_period_running",
            Self::NoticeMissing => "notice_missing",
            Self::NoticeDeficient { .. } => "notice_deficient",
            Self::ProtectionClaimPending { .. } => "protection_claim_pending",
            Self::ProtectionFound => "protection_found",
            Self::NotApprovedByReceivingState => "not_approved_by_receiving_state",
            Self::NotApprovedBySupervisor => "not_approved_by_supervisor",
            Self::AgreementNotInForce { .. } => "agreement_not_in_force",
            Self::CapReached { .. } => "cap_reached",
            Self::Ineligible { .. } => "ineligible",
            Self::SelfApproval { .. } => "self_approval",
            Self::TransferDeadlinePassed { .. } => "transfer_deadline_passed",
            Self::OnwardDestinationProhibited { .. } => "onward_destination_prohibited",
            Self::DepartureOutsideSchedule { .. } => "departure_outside_schedule",
            Self::FearNotScreened { .. } => "fear_not_screened",
            Self::MonitorHold { .. } => "monitor_hold",
            Self::NotPermitted { .. } => "not_permitted",
            Self::InvalidState { .. } => "invalid_state",
            Self::TransferPaused { .. } => "transfer_paused",
            Self::UnknownCase { .. } => "unknown_case",
            Self::UnknownAgreement { .. } => "unknown_agreement",
            Self::UnknownHold { .. } => "unknown_hold",
            Self::UnknownVisit { .. } => "unknown_visit",
            Self::UnknownFinding { .. } => "unknown_finding",
            Self::FindingNotAddressed { .. } => "finding_not_addressed_to_party",
            Self::FindingAlreadyResponded { .. } => "finding_already_responded",
            Self::FindingClosed { .. } => "finding_closed",
            Self::AlreadyExists { .. } => "already_exists",
            Self::TimeBeforeRecorded { .. } => "time_before_recorded",
            Self::InvalidInput { .. } => "invalid_input",
            Self::UnknownComplaint { .. } => "unknown_complaint",
            Self::ComplaintStatusNotAllowed { .. } => "complaint_status_not_allowed",
            Self::ComplaintErased { .. } => "complaint_erased",
        }
    }

    /// Whether a safeguard refused the command (as opposed to a bad or unauthorised request).
    pub fn is_safeguard(&self) -> bool {
        !matches!(
            self,
            Self::NotPermitted { .. }
                | Self::InvalidState { .. }
                | Self::TransferPaused { .. }
                | Self::UnknownCase { .. }
                | Self::UnknownAgreement { .. }
                | Self::UnknownHold { .. }
                | Self::UnknownVisit { .. }
                | Self::UnknownFinding { .. }
                | Self::FindingNotAddressed { .. }
                | Self::FindingAlreadyResponded { .. }
                | Self::FindingClosed { .. }
                | Self::AlreadyExists { .. }
                | Self::TimeBeforeRecorded { .. }
                | Self::InvalidInput { .. }
                | Self::UnknownComplaint { .. }
                | Self::ComplaintStatusNotAllowed { .. }
                | Self::ComplaintErased { .. }
        )
    }

    /// The facts behind the refusal, by name, as text.
    pub fn facts(&self) -> BTreeMap<String, String> {
        self.safeguard_facts()
            .or_else(|| self.monitoring_facts())
            .unwrap_or_else(|| self.request_facts())
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }

    /// The facts of a safeguard's refusal; `None` for any other refusal.
    fn safeguard_facts(&self) -> Option<Vec<(&'static str, String)>> {
        Some(match self {
            Self::HoldActive {
                hold,
                court,
                reference,
            } => vec![
                ("hold", hold.to_string()),
                ("court", court.clone()),
                ("reference", reference.clone()),
            ],
            Self::NoticePeriodRunning { earliest_departure } => {
                vec![("earliest_departure", earliest_departure.to_string())]
            }
            Self::NoticeDeficient { defects } => vec![("defects", defects.join("; "))],
            Self::ProtectionClaimPending { filed_at } => vec![("filed_at", filed_at.to_string())],
            Self::AgreementNotInForce { agreement, status } => {
                vec![
                    ("agreement", agreement.to_string()),
                    ("status", status.to_string()),
                ]
            }
            Self::CapReached {
                cap,
                limit,
                current,
            } => vec![
                ("cap", cap.field().to_owned()),
                ("limit", limit.to_string()),
                ("current", current.to_string()),
            ],
            Self::Ineligible { reasons } => vec![("reasons", reasons.join("; "))],
            Self::SelfApproval { user } => vec![("user", user.to_string())],
            Self::TransferDeadlinePassed { deadline } => vec![("deadline", deadline.to_string())],
            Self::OnwardDestinationProhibited {
                destination,
                reason,
            } => {
                vec![
                    ("destination", destination.to_string()),
                    ("reason", reason.clone()),
                ]
            }
            Self::DepartureOutsideSchedule {
                scheduled,
                earliest,
                latest,
            } => {
                let mut facts = vec![
                    ("scheduled", scheduled.to_string()),
                    ("earliest", earliest.to_string()),
                ];
                facts.extend(latest.map(|latest| ("latest", latest.to_string())));
                facts
            }
            Self::FearNotScreened { country } => vec![("country", country.to_string())],
            Self::MonitorHold {
                finding,
                category,
                severity,
            } => vec![
                ("finding", finding.to_string()),
                ("category", category.to_string()),
                ("severity", severity.to_string()),
            ],
            Self::NoticeMissing
            | Self::ProtectionFound
            | Self::NotApprovedByReceivingState
            | Self::NotApprovedBySupervisor => vec![],
            _ => return None,
        })
    }

    /// The facts of a refusal of the request itself (who asks, in which state, with which input).
    fn request_facts(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NotPermitted {
                role,
                command,
                reason,
            } => vec![
                ("role", role.to_string()),
                ("command", (*command).to_owned()),
                ("reason", reason.clone()),
            ],
            Self::InvalidState { command, status } => {
                vec![
                    ("command", (*command).to_owned()),
                    ("status", status.to_string()),
                ]
            }
            Self::TransferPaused { command } => vec![("command", (*command).to_owned())],
            Self::UnknownCase { case } => vec![("case", case.to_string())],
            Self::UnknownAgreement { agreement } => vec![("agreement", agreement.to_string())],
            Self::UnknownHold { hold } => vec![("hold", hold.to_string())],
            Self::AlreadyExists { what } => vec![("what", what.clone())],
            Self::TimeBeforeRecorded {
                stream,
                recorded,
                at,
            } => {
                let mut facts = vec![("stream", stream.clone()), ("at", at.to_string())];
                facts.extend(recorded.map(|recorded| ("recorded", recorded.to_string())));
                facts
            }
            Self::InvalidInput { field, reason } => {
                vec![("field", (*field).to_owned()), ("reason", reason.clone())]
            }
            // Answered by `safeguard_facts`.
            Self::HoldActive { .. }
            | Self::NoticePeriodRunning { .. }
            | Self::NoticeMissing
            | Self::NoticeDeficient { .. }
            | Self::ProtectionClaimPending { .. }
            | Self::ProtectionFound
            | Self::NotApprovedByReceivingState
            | Self::NotApprovedBySupervisor
            | Self::AgreementNotInForce { .. }
            | Self::CapReached { .. }
            | Self::Ineligible { .. }
            | Self::SelfApproval { .. }
            | Self::TransferDeadlinePassed { .. }
            | Self::OnwardDestinationProhibited { .. }
            | Self::DepartureOutsideSchedule { .. }
            | Self::FearNotScreened { .. }
            | Self::MonitorHold { .. }
            // Answered by `monitoring_facts`/`monitoring_message`.
            | Self::UnknownVisit { .. }
            | Self::UnknownFinding { .. }
            | Self::FindingNotAddressed { .. }
            | Self::FindingAlreadyResponded { .. }
            | Self::FindingClosed { .. }
            | Self::UnknownComplaint { .. }
            | Self::ComplaintErased { .. }
            | Self::ComplaintStatusNotAllowed { .. } => vec![],
        }
    }

    /// A sentence a caseworker understands.
    pub fn message(&self) -> String {
        self.safeguard_message()
            .or_else(|| self.monitoring_message())
            .unwrap_or_else(|| self.request_message())
    }

    /// The sentence for a safeguard's refusal; `None` for any other refusal.
    fn safeguard_message(&self) -> Option<String> {
        Some(match self {
            Self::HoldActive { hold, court, reference } => format!(
                "A court order stops this transfer: {court} order {reference} ({hold}) covers this case."
            ),
            Self::NoticePeriodRunning { earliest_departure } => format!(
                "The person has not had the notice period the agreement requires; departure is possible from {earliest_departure} at the earliest."
            ),
            Self::NoticeMissing => "No complete notice has been served on this person yet: serve notice in a language they understand, on them and their counsel, naming the destination and how to contest it.".to_owned(),
            Self::NoticeDeficient { defects } => format!(
                "This notice cannot be recorded as served because it {}.",
                defects.join(", and it ")
            ),
            Self::ProtectionClaimPending { filed_at } => format!(
                "A protection claim filed at {filed_at} is still pending; nothing may move until an adjudicator decides it."
            ),
            Self::ProtectionFound => "Protection was found for this person, so this transfer has ended.".to_owned(),
            Self::NotApprovedByReceivingState => "The receiving state has not approved this person yet.".to_owned(),
            Self::NotApprovedBySupervisor => "A sending supervisor who did not propose this case must approve the transfer before it is scheduled.".to_owned(),
            Self::AgreementNotInForce { agreement, status } => format!(
                "The agreement {agreement} is {} today, so this step is not allowed.",
                status.as_str().replace('_', " ")
            ),
            Self::CapReached { cap, limit, current } => match cap {
                CapKind::TransferredTotal => format!(
                    "The agreement allows at most {limit} people to be transferred in all, and {current} are already transferred or scheduled."
                ),
                CapKind::Present => format!(
                    "The agreement allows at most {limit} people in the receiving state at once, and {current} are there, in transit or scheduled."
                ),
            },
            Self::Ineligible { reasons } => format!(
                "This person cannot be transferred under the agreement: {}.",
                reasons.join("; ")
            ),
            Self::SelfApproval { user } => format!(
                "{user} proposed this case and so cannot approve its transfer; another supervisor must."
            ),
            Self::TransferDeadlinePassed { deadline } => format!(
                "The transfer deadline ({deadline}) has passed or would pass before departure; responsibility stays with the sending state."
            ),
            Self::OnwardDestinationProhibited { destination, reason } => format!(
                "The person may not be sent on to {} ({destination}): {reason}.",
                destination.name()
            ),
            Self::DepartureOutsideSchedule { scheduled, earliest, latest } => format!(
                "The person was told of a departure at {scheduled}; the agreement allows it only {}. Schedule again (and serve what the terms require) to depart at another time.",
                match latest {
                    Some(latest) => format!("between {earliest} and {latest}"),
                    None => format!("from {earliest}"),
                }
            ),
            Self::FearNotScreened { country } => format!(
                "The person fears being sent to {} ({country}), the receiving state; a protection screening must decide that fear before the transfer can go on.",
                country.name()
            ),
            Self::MonitorHold { finding, category, severity } => format!(
                "The monitoring body's {} finding {finding} of {} places this case under the monitor's hold: the person may not be moved on until the monitor closes the finding.",
                severity,
                category.as_str().replace('_', " ")
            ),
            _ => return None,
        })
    }

    /// The facts of a refusal about the monitoring body's records (visits, findings,
    /// complaints); `None` for any other refusal.
    fn monitoring_facts(&self) -> Option<Vec<(&'static str, String)>> {
        Some(match self {
            Self::UnknownVisit { visit } => vec![("visit", visit.to_string())],
            Self::UnknownFinding { finding } => vec![("finding", finding.to_string())],
            Self::FindingNotAddressed { finding, party } => vec![
                ("finding", finding.to_string()),
                ("party", party.to_string()),
            ],
            Self::FindingAlreadyResponded {
                finding,
                party,
                responded_at,
            } => vec![
                ("finding", finding.to_string()),
                ("party", party.to_string()),
                ("responded_at", responded_at.to_string()),
            ],
            Self::FindingClosed { finding, outcome } => vec![
                ("finding", finding.to_string()),
                ("outcome", outcome.to_string()),
            ],
            Self::UnknownComplaint { complaint } | Self::ComplaintErased { complaint } => {
                vec![("complaint", complaint.to_string())]
            }
            Self::ComplaintStatusNotAllowed { from, to } => {
                vec![("from", from.to_string()), ("to", to.to_string())]
            }
            _ => return None,
        })
    }

    /// The sentence for a refusal about the monitoring body's records; `None` for any other.
    fn monitoring_message(&self) -> Option<String> {
        Some(match self {
            Self::UnknownVisit { visit } => format!("There is no visit {visit}."),
            Self::UnknownFinding { finding } => format!("There is no finding {finding}."),
            Self::FindingNotAddressed { finding, party } => format!(
                "The finding {finding} is not addressed to the {}, so it has nothing to respond to.",
                party.as_str().replace('_', " ")
            ),
            Self::FindingAlreadyResponded {
                finding,
                party,
                responded_at,
            } => format!(
                "The {} already responded to the finding {finding} at {responded_at}; each party responds once.",
                party.as_str().replace('_', " ")
            ),
            Self::FindingClosed { finding, outcome } => format!(
                "The finding {finding} is closed ({}); nothing more can be added to it.",
                outcome.as_str().replace('_', " ")
            ),
            Self::UnknownComplaint { complaint } => format!("There is no complaint {complaint}."),
            Self::ComplaintStatusNotAllowed { from, to } => format!(
                "A complaint that is {} cannot become {}.",
                from.as_str().replace('_', " "),
                to.as_str().replace('_', " ")
            ),
            Self::ComplaintErased { complaint } => format!(
                "The complaint {complaint} was erased: nothing can be added to it or erased again."
            ),
            _ => return None,
        })
    }

    /// The sentence for a refusal of the request itself.
    fn request_message(&self) -> String {
        match self {
            Self::NotPermitted {
                role,
                command,
                reason,
            } => format!(
                "A {} may not {}: {reason}.",
                role.as_str().replace('_', " "),
                command.replace('_', " ")
            ),
            Self::InvalidState { command, status } => format!(
                "The step `{}` is not possible for a case that is {}.",
                command.replace('_', " "),
                status.as_str().replace('_', " ")
            ),
            Self::TransferPaused { command } => format!(
                "The step `{}` is not possible while the transfer is paused.",
                command.replace('_', " ")
            ),
            Self::UnknownCase { case } => format!("There is no case {case}."),
            Self::UnknownAgreement { agreement } => format!("There is no agreement {agreement}."),
            Self::UnknownHold { hold } => format!("There is no hold {hold}."),
            Self::AlreadyExists { what } => format!("{what} already exists."),
            Self::TimeBeforeRecorded {
                stream,
                recorded,
                at,
            } => format!(
                "This step is dated {at}, before the last step recorded for {stream}{}: no step may be dated before what it follows. Check this server's clock; nothing was recorded.",
                recorded
                    .map(|recorded| format!(" ({recorded})"))
                    .unwrap_or_default()
            ),
            Self::InvalidInput { field, reason } => format!("The {field} is not valid: {reason}."),
            // Answered by `safeguard_message`.
            Self::HoldActive { .. }
            | Self::NoticePeriodRunning { .. }
            | Self::NoticeMissing
            | Self::NoticeDeficient { .. }
            | Self::ProtectionClaimPending { .. }
            | Self::ProtectionFound
            | Self::NotApprovedByReceivingState
            | Self::NotApprovedBySupervisor
            | Self::AgreementNotInForce { .. }
            | Self::CapReached { .. }
            | Self::Ineligible { .. }
            | Self::SelfApproval { .. }
            | Self::TransferDeadlinePassed { .. }
            | Self::OnwardDestinationProhibited { .. }
            | Self::DepartureOutsideSchedule { .. }
            | Self::FearNotScreened { .. }
            | Self::MonitorHold { .. }
            // Answered by `monitoring_facts`/`monitoring_message`.
            | Self::UnknownVisit { .. }
            | Self::UnknownFinding { .. }
            | Self::FindingNotAddressed { .. }
            | Self::FindingAlreadyResponded { .. }
            | Self::FindingClosed { .. }
            | Self::UnknownComplaint { .. }
            | Self::ComplaintErased { .. }
            | Self::ComplaintStatusNotAllowed { .. } => String::new(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for Refusal {}
