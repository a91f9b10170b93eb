//! Case commands, by stage of the lifecycle: the proposal and what precedes the request
//! (`proposal.rs`), the request and the answers to it (`request.rs`), scheduling, departure and
//! arrival (`departure.rs`), what follows arrival (`after_arrival.rs`), and what may be recorded
//! at any stage (`records.rs`).
//!
//! Where the case's status is the consequence of a safeguard (recalled by an order, withdrawn for
//! an excluded vulnerability, expired, protected), a step the status does not allow is refused
//! with that safeguard's code and facts, so the refusal names the rule that stopped the person and
//! is recorded as one (docs/domain.md §4).

mod after_arrival;
mod departure;
pub(super) mod proposal;
mod records;
mod request;

use corridor_terms::{Country, Terms};

use super::guards::{permitted, safeguard_behind};
use super::{agreement_state, event_by};
use crate::agreement::AgreementState;
use crate::case::Case;
use crate::command::{Command, Context};
use crate::event::{Event, EventBody};
use crate::ids::CaseId;
use crate::refusal::Refusal;
use crate::roles::Parties;
use crate::snapshot::Snapshot;

/// A command on an existing case, with the safeguard behind the case's status answering for it.
pub(super) fn decide_case(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    // A status a safeguard caused is final, so whatever check of the step came first, the
    // safeguard is what stops it. Who may ask, and bad input, are answered as such.
    decide_case_command(snapshot, command, context).map_err(|refusal| match refusal {
        Refusal::NotPermitted { .. }
        | Refusal::InvalidInput { .. }
        | Refusal::UnknownCase { .. }
        | Refusal::UnknownAgreement { .. }
        | Refusal::UnknownHold { .. } => refusal,
        other => command
            .case()
            .and_then(|id| snapshot.cases.get(&id))
            .and_then(|case| safeguard_behind(snapshot, case))
            .unwrap_or(other),
    })
}

/// What every case command reads: the case, its agreement, the terms it keeps and the agreement's
/// latest version (whose parties and caps apply now).
struct CaseCtx<'a> {
    snapshot: &'a Snapshot,
    command: &'a Command,
    context: &'a Context,
    id: CaseId,
    case: &'a Case,
    agreement: &'a AgreementState,
    terms: &'a Terms,
    latest: &'a corridor_terms::Agreement,
    sending: Country,
    receiving: Country,
}

impl<'a> CaseCtx<'a> {
    fn load(
        snapshot: &'a Snapshot,
        command: &'a Command,
        context: &'a Context,
    ) -> Result<Self, Refusal> {
        let id = command.case().ok_or(Refusal::InvalidInput {
            field: "command",
            reason: "it names no case".to_owned(),
        })?;
        let case = snapshot
            .cases
            .get(&id)
            .ok_or(Refusal::UnknownCase { case: id })?;
        let agreement = agreement_state(snapshot, &case.agreement)?;
        let unknown = || Refusal::UnknownAgreement {
            agreement: case.agreement.clone(),
        };
        let terms = agreement.terms(case.terms_version).ok_or_else(unknown)?;
        let latest = agreement.latest().ok_or_else(unknown)?;
        Ok(Self {
            snapshot,
            command,
            context,
            id,
            case,
            agreement,
            terms,
            latest,
            sending: latest.sending,
            receiving: latest.receiving,
        })
    }

    /// Who may ask: the role table, for this case's parties.
    fn permitted(&self) -> Result<(), Refusal> {
        let parties = Parties {
            sending: Some(self.sending),
            receiving: Some(self.receiving),
            counsel: self.case.counsel.as_ref(),
            monitoring_body: self
                .latest
                .terms
                .monitoring
                .as_ref()
                .map(|body| body.id.as_str()),
        };
        permitted(self.context, self.command, &parties)
    }

    /// The event the actor records now.
    fn event(&self, body: EventBody) -> Event {
        event_by(self.context, body)
    }

    /// The one event the actor records now, as the command's outcome.
    fn one(&self, body: EventBody) -> Result<Vec<Event>, Refusal> {
        Ok(vec![self.event(body)])
    }

    /// The actor's role.
    fn role(&self) -> crate::actor::Role {
        self.context.actor.role
    }

    /// A refusal naming the command and the case's status.
    fn invalid_state(&self) -> Refusal {
        Refusal::InvalidState {
            command: self.command.name(),
            status: self.case.status,
        }
    }
}

/// Sends a case command to the stage that decides it.
fn decide_case_command(
    snapshot: &Snapshot,
    command: &Command,
    context: &Context,
) -> Result<Vec<Event>, Refusal> {
    let c = CaseCtx::load(snapshot, command, context)?;
    match command {
        Command::ServeNotice { notice, .. } => proposal::serve_notice(&c, notice),
        Command::ClaimProtection { .. } => proposal::claim_protection(&c),
        Command::DecideProtection { granted, .. } => proposal::decide_protection(&c, *granted),
        Command::DisputeAge {
            claimed_birth_date, ..
        } => proposal::dispute_age(&c, *claimed_birth_date),
        Command::DecideAge { birth_date, .. } => proposal::decide_age(&c, *birth_date),
        Command::Withdraw { reason, .. } => proposal::withdraw(&c, reason),
        Command::RequestTransfer { .. } => request::request_transfer(&c),
        Command::Approve { .. } => request::approve(&c),
        Command::Refuse { reason, .. } => request::refuse(&c, reason),
        Command::ExtendDeadline { reason, .. } => request::extend_deadline(&c, reason),
        Command::Schedule { departure, .. } => departure::schedule(&c, *departure),
        Command::Depart { .. } => departure::depart(&c),
        Command::Arrive { .. } => departure::arrive(&c),
        Command::LodgeReceivingClaim { .. } => after_arrival::lodge_receiving_claim(&c),
        Command::DecideReceivingClaim { granted, .. } => {
            after_arrival::decide_receiving_claim(&c, *granted)
        }
        Command::LodgeAppeal { .. } => after_arrival::lodge_appeal(&c),
        Command::Onward { destination, .. } => after_arrival::onward(&c, *destination),
        Command::Return { .. } => after_arrival::return_(&c),
        Command::Settle { .. } => after_arrival::settle(&c),
        Command::ReportWhereaboutsUnknown { .. } => after_arrival::whereabouts(&c, false),
        Command::ReportWhereaboutsKnown { .. } => after_arrival::whereabouts(&c, true),
        Command::RecordWelfareCheck { outcome, .. } => after_arrival::welfare_check(&c, *outcome),
        Command::RecordVulnerability { category, .. } => {
            records::record_vulnerability(&c, *category)
        }
        Command::RecordFear { country, .. } => records::record_fear(&c, *country),
        Command::ValidateDetention { .. } => records::validate_detention(&c),
        Command::Erase { .. } => records::erase(&c),
        Command::LoadAgreement { .. }
        | Command::ChangeAgreementStatus { .. }
        | Command::Propose { .. }
        | Command::RegisterHold { .. }
        | Command::StayHold { .. }
        | Command::ReactivateHold { .. }
        | Command::AmendHold { .. }
        | Command::VacateHold { .. }
        | Command::ScheduleVisit { .. }
        | Command::RecordVisit { .. }
        | Command::RecordFinding { .. }
        | Command::RespondToFinding { .. }
        | Command::CloseFinding { .. }
        | Command::Tick
        | Command::LodgeComplaint { .. }
        | Command::ReviewComplaint { .. }
        | Command::LinkComplaint { .. }
        | Command::EraseComplaint { .. } => Err(Refusal::InvalidInput {
            field: "command",
            reason: "it is not a case command".to_owned(),
        }),
    }
}
