//! The actions a user may ask for: every CLI and API capability, named as the Cedar schema names it.

use std::fmt;

use corridor_domain::Command;

/// What an action acts on: the Cedar entity type of its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// The deployment itself (`Service`): actions that concern no one agreement, case or hold.
    Service,
    /// The transparency log (`Log`).
    Log,
    /// An agreement (`Agreement`).
    Agreement,
    /// A case (`Case`).
    Case,
    /// A court hold (`Hold`).
    Hold,
    /// A user account (`User`), the target of account administration.
    User,
}

impl ResourceKind {
    /// The Cedar entity type name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "Service",
            Self::Log => "Log",
            Self::Agreement => "Agreement",
            Self::Case => "Case",
            Self::Hold => "Hold",
            Self::User => "User",
        }
    }
}

macro_rules! actions {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal on $kind:ident, )*) => {
        /// Every action a principal may be authorized for. Each is a Cedar action of the same
        /// snake_case name in `policies/corridor.cedarschema`; [`crate::Authz::load`] checks that the
        /// two lists agree.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action {
            $( $(#[$doc])* $variant, )*
        }

        impl Action {
            /// Every action, in schema order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )* ];

            /// The Cedar action id (snake_case).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )*
                }
            }

            /// What the action acts on.
            pub fn resource_kind(self) -> ResourceKind {
                match self {
                    $( Self::$variant => ResourceKind::$kind, )*
                }
            }
        }
    };
}

actions! {
    /// List agreements (public).
    ListAgreements => "list_agreements" on Service,
    /// Read an agreement's text and status (public).
    ReadAgreement => "read_agreement" on Agreement,
    /// Load an agreement file, new or a new version.
    LoadAgreement => "load_agreement" on Service,
    /// Load a new version of a known agreement.
    AmendAgreement => "amend_agreement" on Agreement,
    /// Record an agreement's lifecycle status.
    ChangeAgreementStatus => "change_agreement_status" on Agreement,
    /// List an agreement's cases (each then filtered through [`Action::ReadCase`]).
    ListCases => "list_cases" on Agreement,
    /// Read a case.
    ReadCase => "read_case" on Case,
    /// Read a case's events.
    ReadHistory => "read_history" on Case,
    /// Read the access records of an agreement's cases and of the agreement itself.
    ReadAccessRecords => "read_access_records" on Agreement,
    /// Read the joint committee's report on an agreement, in full.
    ReadCommitteeReport => "read_committee_report" on Agreement,
    /// Read the public version of the joint committee's report.
    ReadPublicReport => "read_public_report" on Agreement,
    /// Read the published statistics releases (public: protected counts, no person).
    ReadStatistics => "read_statistics" on Service,
    /// Compute, sign and publish a statistics release.
    PublishStatistics => "publish_statistics" on Service,
    /// Propose a case under an agreement.
    Propose => "propose" on Agreement,
    /// Serve notice.
    ServeNotice => "serve_notice" on Case,
    /// File a protection claim.
    ClaimProtection => "claim_protection" on Case,
    /// Decide a protection screening.
    DecideProtection => "decide_protection" on Case,
    /// Request the transfer of the receiving state.
    RequestTransfer => "request_transfer" on Case,
    /// Approve (receiving acceptance or sending supervisor approval).
    Approve => "approve" on Case,
    /// Refuse the person (receiving state).
    Refuse => "refuse" on Case,
    /// Extend the transfer deadline.
    ExtendDeadline => "extend_deadline" on Case,
    /// Schedule the departure.
    Schedule => "schedule" on Case,
    /// Record the departure.
    Depart => "depart" on Case,
    /// Confirm arrival.
    Arrive => "arrive" on Case,
    /// Record a vulnerability found after proposal.
    RecordVulnerability => "record_vulnerability" on Case,
    /// Record a country the person fears, learnt after proposal.
    RecordFear => "record_fear" on Case,
    /// Dispute the person's age.
    DisputeAge => "dispute_age" on Case,
    /// Decide an age dispute.
    DecideAge => "decide_age" on Case,
    /// Record a protection claim lodged in the receiving state.
    LodgeReceivingClaim => "lodge_receiving_claim" on Case,
    /// Record the receiving state's decision on that claim.
    DecideReceivingClaim => "decide_receiving_claim" on Case,
    /// Record an appeal.
    LodgeAppeal => "lodge_appeal" on Case,
    /// Record an onward movement.
    Onward => "onward" on Case,
    /// Record the person's return.
    Return => "return" on Case,
    /// Record that the person settled.
    Settle => "settle" on Case,
    /// Report the person's whereabouts unknown.
    ReportWhereaboutsUnknown => "report_whereabouts_unknown" on Case,
    /// Report the person found again.
    ReportWhereaboutsKnown => "report_whereabouts_known" on Case,
    /// Record a welfare check.
    RecordWelfareCheck => "record_welfare_check" on Case,
    /// Record that a court validated detention.
    ValidateDetention => "validate_detention" on Case,
    /// Withdraw a case.
    Withdraw => "withdraw" on Case,
    /// Destroy a case's key.
    Erase => "erase" on Case,
    /// Register a hold.
    RegisterHold => "register_hold" on Hold,
    /// Stay a hold.
    StayHold => "stay_hold" on Hold,
    /// Reactivate a stayed hold.
    ReactivateHold => "reactivate_hold" on Hold,
    /// Amend a hold's scope.
    AmendHold => "amend_hold" on Hold,
    /// Vacate a hold.
    VacateHold => "vacate_hold" on Hold,
    /// List holds (each then filtered through [`Action::ReadHold`]).
    ListHolds => "list_holds" on Service,
    /// Know of a hold: see it in the list, and be told why a command on it was refused.
    ReadHold => "read_hold" on Hold,
    /// Schedule an announced visit, or plan an unannounced one.
    ScheduleVisit => "schedule_visit" on Agreement,
    /// Record a visit made.
    RecordVisit => "record_visit" on Agreement,
    /// Read an agreement's visits (each then filtered by who may see it).
    ReadVisits => "read_visits" on Agreement,
    /// Record a finding.
    RecordFinding => "record_finding" on Agreement,
    /// Respond to a finding addressed to the caller's state.
    RespondToFinding => "respond_to_finding" on Agreement,
    /// Close a finding.
    CloseFinding => "close_finding" on Agreement,
    /// Read an agreement's findings (each then filtered to those addressed to the caller).
    ReadFindings => "read_findings" on Agreement,
    /// Read the monitor's queue.
    ReadMonitoringQueue => "read_monitoring_queue" on Service,
    /// Let the clocks run.
    Tick => "tick" on Service,
    /// Replay the events against the projections and the log.
    Check => "check" on Service,
    /// Read the transparency log: checkpoints, tiles, proofs (public).
    ReadLog => "read_log" on Log,
    /// Cosign a checkpoint as a witness.
    CosignCheckpoint => "cosign_checkpoint" on Log,
    /// List user accounts.
    ListUsers => "list_users" on Service,
    /// Add a user account.
    AddUser => "add_user" on User,
    /// Disable a user account.
    DisableUser => "disable_user" on User,
    /// Change a user's role.
    SetUserRole => "set_user_role" on User,
    /// Issue an API token for a user.
    IssueToken => "issue_token" on User,
    /// Revoke a user's API token.
    RevokeToken => "revoke_token" on User,
    /// Choose the language of one's own web interface (the resource is the account itself).
    SetLanguage => "set_language" on User,
    /// Manage the log signing key and the key hierarchy.
    ManageKeys => "manage_keys" on Service,
    /// Lodge a confidential complaint with the agreement's monitoring body (public).
    LodgeComplaint => "lodge_complaint" on Agreement,
    /// List an agreement's complaints (its monitoring body).
    ListComplaints => "list_complaints" on Agreement,
    /// Read one complaint of an agreement (its monitoring body).
    ReadComplaint => "read_complaint" on Agreement,
    /// Move a complaint on, with a reply or not (its monitoring body).
    ReviewComplaint => "review_complaint" on Agreement,
    /// Link a complaint to a case of its agreement (its monitoring body).
    LinkComplaint => "link_complaint" on Agreement,
    /// Destroy a complaint's key (its monitoring body).
    EraseComplaint => "erase_complaint" on Agreement,
}

impl Action {
    /// The action a domain command needs. Exhaustive on purpose: a new command does not compile
    /// until it is given an action here.
    pub fn of_command(command: &Command) -> Self {
        match command {
            Command::LoadAgreement { .. } => Self::LoadAgreement,
            Command::ChangeAgreementStatus { .. } => Self::ChangeAgreementStatus,
            Command::Propose { .. } => Self::Propose,
            Command::ServeNotice { .. } => Self::ServeNotice,
            Command::ClaimProtection { .. } => Self::ClaimProtection,
            Command::DecideProtection { .. } => Self::DecideProtection,
            Command::RequestTransfer { .. } => Self::RequestTransfer,
            Command::Approve { .. } => Self::Approve,
            Command::Refuse { .. } => Self::Refuse,
            Command::ExtendDeadline { .. } => Self::ExtendDeadline,
            Command::Schedule { .. } => Self::Schedule,
            Command::Depart { .. } => Self::Depart,
            Command::Arrive { .. } => Self::Arrive,
            Command::RecordVulnerability { .. } => Self::RecordVulnerability,
            Command::RecordFear { .. } => Self::RecordFear,
            Command::DisputeAge { .. } => Self::DisputeAge,
            Command::DecideAge { .. } => Self::DecideAge,
            Command::LodgeReceivingClaim { .. } => Self::LodgeReceivingClaim,
            Command::DecideReceivingClaim { .. } => Self::DecideReceivingClaim,
            Command::LodgeAppeal { .. } => Self::LodgeAppeal,
            Command::Onward { .. } => Self::Onward,
            Command::Return { .. } => Self::Return,
            Command::Settle { .. } => Self::Settle,
            Command::ReportWhereaboutsUnknown { .. } => Self::ReportWhereaboutsUnknown,
            Command::ReportWhereaboutsKnown { .. } => Self::ReportWhereaboutsKnown,
            Command::RecordWelfareCheck { .. } => Self::RecordWelfareCheck,
            Command::ValidateDetention { .. } => Self::ValidateDetention,
            Command::Withdraw { .. } => Self::Withdraw,
            Command::Erase { .. } => Self::Erase,
            Command::RegisterHold { .. } => Self::RegisterHold,
            Command::StayHold { .. } => Self::StayHold,
            Command::ReactivateHold { .. } => Self::ReactivateHold,
            Command::AmendHold { .. } => Self::AmendHold,
            Command::VacateHold { .. } => Self::VacateHold,
            Command::ScheduleVisit { .. } => Self::ScheduleVisit,
            Command::RecordVisit { .. } => Self::RecordVisit,
            Command::RecordFinding { .. } => Self::RecordFinding,
            Command::RespondToFinding { .. } => Self::RespondToFinding,
            Command::CloseFinding { .. } => Self::CloseFinding,
            Command::Tick => Self::Tick,
            Command::LodgeComplaint { .. } => Self::LodgeComplaint,
            Command::ReviewComplaint { .. } => Self::ReviewComplaint,
            Command::LinkComplaint { .. } => Self::LinkComplaint,
            Command::EraseComplaint { .. } => Self::EraseComplaint,
        }
    }

    /// Parses a Cedar action id.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|action| action.as_str() == text)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
