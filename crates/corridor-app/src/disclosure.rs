//! What each user may see of a case: one place that filters fields on the way out.
//!
//! The sending state's officers, the person's own counsel and the agreement's monitors see the
//! whole case. A receiving officer sees a case only once it was requested of them, and then only
//! the fields the agreement shares, health data only with the person's recorded consent. Court
//! clerks see status and what holds match on, never personal data. Admins and the
//! public see no case. Court clerks see what class orders match on: nationality and the removal
//! order.
//!
//! The monitoring body's own records on a case (its alerts, [`EventBody::is_monitoring_record`])
//! are for its monitors alone: the sending state and counsel see the whole case but those
//! ([`Disclosure::WHOLE_CASE`]), and the version they are told counts only the events they may
//! know of ([`crate::views::told_version`]).
//!
//! [`EventBody::is_monitoring_record`]: corridor_domain::EventBody::is_monitoring_record
//!
//! The status is filtered too ([`Disclosure::status`]): a caller who may not see what the person
//! fears learns that the transfer is `paused` or `withdrawn`, never that a protection claim was
//! made (`protection_claimed`) or how it ended (`protected`); nor how many safeguard refusals
//! were recorded on the case, which a pending claim causes.

use corridor_domain::terms::{Agreement, SharedField};
use corridor_domain::{Actor, Case, CaseStatus, Party, PersonalData, Role};

/// A case's status as a caller may be told it: one of the case statuses, or `paused` (a
/// protection claim is pending, told to a caller who may not know of the claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ShownStatus {
    /// A case status, as it is.
    Case(CaseStatus),
    /// The transfer is paused: a protection claim is pending, but the caller is not told so.
    Paused,
}

impl ShownStatus {
    /// Every status a caller may be told, in order.
    pub fn all() -> impl Iterator<Item = Self> {
        CaseStatus::ALL
            .into_iter()
            .map(Self::Case)
            .chain([Self::Paused])
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case(status) => status.as_str(),
            Self::Paused => "paused",
        }
    }

    /// Parses a snake_case name: a case status or `paused`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::all().find(|status| status.as_str() == text)
    }
}

/// What a user may see of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// The case exists for this user at all.
    pub visible: bool,
    /// Nationality.
    pub nationality: bool,
    /// Sex.
    pub sex: bool,
    /// Age at proposal: the birth date, coarsened, so shown only where the birth date may be.
    pub age: bool,
    /// Languages understood.
    pub languages: bool,
    /// Vulnerabilities.
    pub vulnerabilities: bool,
    /// Feared and protected countries: what a protection claim rests on.
    pub protection_facts: bool,
    /// The removal order: legal basis, designation, detention place, date (what holds match on).
    pub removal_order: bool,
    /// Personal data, field by field.
    pub name: bool,
    /// Date of birth.
    pub birth_date: bool,
    /// Documents.
    pub documents: bool,
    /// Contact.
    pub contact: bool,
    /// Health notes.
    pub health: bool,
    /// The monitoring body's own records on the case (its alerts).
    pub monitoring: bool,
}

impl Disclosure {
    /// Nothing at all.
    pub const NOTHING: Self = Self {
        visible: false,
        nationality: false,
        sex: false,
        age: false,
        languages: false,
        vulnerabilities: false,
        protection_facts: false,
        removal_order: false,
        name: false,
        birth_date: false,
        documents: false,
        contact: false,
        health: false,
        monitoring: false,
    };
    /// The whole case, the monitoring body's records included: its monitors' view.
    pub const EVERYTHING: Self = Self {
        visible: true,
        nationality: true,
        sex: true,
        age: true,
        languages: true,
        vulnerabilities: true,
        protection_facts: true,
        removal_order: true,
        name: true,
        birth_date: true,
        documents: true,
        contact: true,
        health: true,
        monitoring: true,
    };
    /// The whole case but the monitoring body's records: the sending state's view, and the
    /// person's counsel's.
    pub const WHOLE_CASE: Self = Self {
        monitoring: false,
        ..Self::EVERYTHING
    };

    /// Whether every field of the case is shown (the monitoring body's records aside).
    pub fn whole_case(&self) -> bool {
        Self {
            monitoring: false,
            ..*self
        } == Self::WHOLE_CASE
    }

    /// The status as this caller may be told it. Without the protection facts, a pending claim
    /// is a pause and protection found is a withdrawal: the receiving state learns that the
    /// transfer is paused or ended, not why.
    pub fn status(&self, status: CaseStatus) -> ShownStatus {
        match status {
            _ if self.protection_facts => ShownStatus::Case(status),
            CaseStatus::ProtectionClaimed => ShownStatus::Paused,
            CaseStatus::Protected => ShownStatus::Case(CaseStatus::Withdrawn),
            other => ShownStatus::Case(other),
        }
    }

    /// The statuses this caller is told as `shown`: the ones a listing filtered on `shown`
    /// must find.
    pub fn statuses_shown_as(&self, shown: ShownStatus) -> Vec<CaseStatus> {
        CaseStatus::ALL
            .into_iter()
            .filter(|status| self.status(*status) == shown)
            .collect()
    }

    /// Whether any personal field is disclosed (so the case key must be opened).
    pub fn any_personal(&self) -> bool {
        self.name || self.birth_date || self.documents || self.contact || self.health
    }

    /// Blanks the fields this user may not see.
    pub fn filter(&self, data: PersonalData) -> PersonalData {
        PersonalData {
            name: if self.name { data.name } else { String::new() },
            birth_date: data.birth_date.filter(|_| self.birth_date),
            documents: if self.documents {
                data.documents
            } else {
                Vec::new()
            },
            contact: data.contact.filter(|_| self.contact),
            health: data.health.filter(|_| self.health),
        }
    }
}

/// Decides what `actor` may see of `case` under `agreement`.
pub fn disclose(actor: &Actor, case: &Case, agreement: &Agreement) -> Disclosure {
    let own_state = |state| matches!(actor.party, Party::State(country) if country == state);
    match actor.role {
        Role::SendingOfficer | Role::SendingSupervisor | Role::Adjudicator
            if own_state(agreement.sending) =>
        {
            Disclosure::WHOLE_CASE
        }
        Role::Counsel if case.counsel.as_ref() == Some(&actor.user) => Disclosure::WHOLE_CASE,
        Role::Monitor => match (&actor.party, &agreement.terms.monitoring) {
            (Party::MonitoringBody(own), Some(body)) if *own == body.id => Disclosure::EVERYTHING,
            _ => Disclosure::NOTHING,
        },
        Role::ReceivingOfficer if own_state(agreement.receiving) && case.requested_at.is_some() => {
            let shared = |field| agreement.terms.shared_fields.contains(&field);
            Disclosure {
                visible: true,
                nationality: shared(SharedField::Nationality),
                sex: shared(SharedField::Sex),
                // The age is read off the birth date: an agreement that shares sex but not the
                // birth date must not give away the year of birth through it.
                age: shared(SharedField::BirthDate),
                languages: shared(SharedField::Languages),
                vulnerabilities: shared(SharedField::Vulnerabilities),
                // What the person fears, and the sending state's order, stay with the sending state.
                protection_facts: false,
                removal_order: false,
                name: shared(SharedField::Name),
                birth_date: shared(SharedField::BirthDate),
                documents: shared(SharedField::Documents),
                contact: shared(SharedField::Contact),
                health: shared(SharedField::Health) && case.rule.health_data_consent,
                monitoring: false,
            }
        }
        Role::CourtClerk => Disclosure {
            visible: true,
            nationality: true,
            removal_order: true,
            ..Disclosure::NOTHING
        },
        _ => Disclosure::NOTHING,
    }
}
