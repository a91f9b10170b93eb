//! The validated model of an agreement file.
//!
//! Every type here is built only by the parser in [`crate::parse`], which checks each invariant
//! once; the rest of corridor reads these values and never re-checks them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::country::Country;
use crate::span::ClockSpan;

/// A stable identifier for an agreement, e.g. `us-rwa-2025`.
///
/// INVARIANT: 1–64 characters of lowercase ASCII letters, digits and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgreementId(String);

impl AgreementId {
    /// Longest identifier accepted.
    pub const LENGTH_MAX: usize = 64;

    /// Parses an identifier, saying what is wrong with a bad one.
    pub fn parse(text: &str) -> Result<Self, String> {
        let starts_with_letter = text.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        let all_allowed = text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if text.is_empty() || text.len() > Self::LENGTH_MAX || !starts_with_letter || !all_allowed {
            return Err(format!(
                "`{text}` is not an agreement id: use 1 to {} lowercase letters, digits and `-`, starting with a letter",
                Self::LENGTH_MAX
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgreementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an agreement stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgreementStatus {
    /// Being negotiated: nothing may happen under it yet.
    Negotiating,
    /// Signed but not yet in force.
    Signed,
    /// In force: transfers may proceed.
    InForce,
    /// Suspended: no new steps, obligations continue.
    Suspended,
    /// Terminated: no new cases or transfers; obligations to people already transferred survive.
    Terminated,
}

impl AgreementStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 5] = [
        Self::Negotiating,
        Self::Signed,
        Self::InForce,
        Self::Suspended,
        Self::Terminated,
    ];

    /// The snake_case name used in files, events and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Negotiating => "negotiating",
            Self::Signed => "signed",
            Self::InForce => "in_force",
            Self::Suspended => "suspended",
            Self::Terminated => "terminated",
        }
    }

    /// Parses a snake_case status name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether the lifecycle allows moving from `self` to `next`.
    ///
    /// `negotiating → signed → in_force ⇄ suspended`, and any status but `terminated` may end in
    /// `terminated`. Nothing leaves `terminated`.
    pub fn may_become(self, next: Self) -> bool {
        use AgreementStatus::*;
        matches!(
            (self, next),
            (Negotiating, Signed)
                | (Signed, InForce)
                | (InForce, Suspended)
                | (Suspended, InForce)
                | (Negotiating | Signed | InForce | Suspended, Terminated)
        )
    }
}

impl fmt::Display for AgreementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One dated entry of an agreement's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status entered.
    pub status: AgreementStatus,
    /// The day it was entered.
    pub on: Date,
}

/// A person's sex as recorded for eligibility rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Another sex, or not recorded.
    Other,
}

impl Sex {
    /// Every value.
    pub const ALL: [Self; 3] = [Self::Female, Self::Male, Self::Other];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sex| sex.as_str() == text)
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A vulnerability category that terms may exclude.
///
/// A closed list on purpose: a misspelt exclusion in an agreement file must be an error, never a
/// rule that silently matches nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vulnerability {
    /// A child with no parent or guardian present.
    UnaccompaniedMinor,
    /// Any person under 18.
    Minor,
    /// Pregnancy.
    Pregnant,
    /// A physical or mental disability.
    Disability,
    /// A serious physical or mental illness.
    SeriousIllness,
    /// A survivor of torture or serious violence.
    TortureSurvivor,
    /// A victim of human trafficking.
    TraffickingVictim,
    /// A single parent with minor children.
    SingleParent,
    /// An elderly person.
    Elderly,
}

impl Vulnerability {
    /// Every category.
    pub const ALL: [Self; 9] = [
        Self::UnaccompaniedMinor,
        Self::Minor,
        Self::Pregnant,
        Self::Disability,
        Self::SeriousIllness,
        Self::TortureSurvivor,
        Self::TraffickingVictim,
        Self::SingleParent,
        Self::Elderly,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnaccompaniedMinor => "unaccompanied_minor",
            Self::Minor => "minor",
            Self::Pregnant => "pregnant",
            Self::Disability => "disability",
            Self::SeriousIllness => "serious_illness",
            Self::TortureSurvivor => "torture_survivor",
            Self::TraffickingVictim => "trafficking_victim",
            Self::SingleParent => "single_parent",
            Self::Elderly => "elderly",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

impl fmt::Display for Vulnerability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may be proposed under the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Eligibility {
    /// Nationalities that may never be proposed.
    pub excluded_nationalities: BTreeSet<Country>,
    /// Youngest age, in whole years at proposal, that may be proposed.
    pub age_years_min: Option<u8>,
    /// The sexes that may be proposed; `None` means any.
    pub sexes: Option<BTreeSet<Sex>>,
    /// Vulnerability categories that exclude a person, at proposal or when found later.
    pub excluded_vulnerabilities: BTreeSet<Vulnerability>,
    /// Whether the receiving state approves each person (otherwise a request is accepted by the
    /// terms themselves).
    pub per_person_approval: bool,
    /// Whether nationals of the receiving state may be proposed. A third-country arrangement
    /// sends nobody to their own country, so this is `false` unless a file says otherwise.
    pub receiving_state_nationals: bool,
}

/// Limits on how many people the arrangement may move.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Caps {
    /// Most people ever transferred.
    pub transferred_total_max: Option<u64>,
    /// Most people present in the receiving state (or in transit to it) at once.
    pub present_max: Option<u64>,
}

/// A reasoned extension of the transfer deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineExtension {
    /// Why it may be granted, as a snake_case reason code (e.g. `imprisonment`, `absconding`).
    pub reason: String,
    /// The whole deadline once extended, counted from acceptance.
    pub deadline: ClockSpan,
}

/// A welfare check scheduled after arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelfareCheckRule {
    /// How long after arrival the check is due.
    pub offset: ClockSpan,
    /// How long after the due time the check may still be done before it is overdue.
    pub window: ClockSpan,
}

/// A recurring welfare check after arrival: one check every `every`, the first `from` after
/// arrival, the last no later than `until` after it (e.g. monthly for the first year).
///
/// INVARIANT (checked by the parser): `every` is at least a day, `until` is not before `from`,
/// twice the `window` fits in `every` (consecutive windows never overlap), and the rule yields
/// at most [`WelfareScheduleRule::CHECKS_MAX`] checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelfareScheduleRule {
    /// The time between two checks.
    pub every: ClockSpan,
    /// How long after arrival the first check is due.
    pub from: ClockSpan,
    /// How long after arrival the last check may be due.
    pub until: ClockSpan,
    /// How long before and after its due time each check may be done.
    pub window: ClockSpan,
}

impl WelfareScheduleRule {
    /// Most checks one rule may yield (ten years of weekly checks fit).
    pub const CHECKS_MAX: usize = 600;

    /// The due times of the rule's checks for a person who arrived at `arrived_at`.
    ///
    /// Check `index` is due `from` plus `index` times `every` after arrival, the units added
    /// field by field and then to the arrival day: monthly checks of a person who arrived on
    /// the 31st fall on the last day of shorter months and on the 31st again after them.
    pub fn due_times(&self, arrived_at: Timestamp) -> Vec<Timestamp> {
        let last = self.until.after(arrived_at);
        let start = arrived_at.to_zoned_datetime(TimeZone::UTC);
        let mut times = Vec::new();
        for index in 0..Self::CHECKS_MAX {
            let Some(due) = i64::try_from(index)
                .ok()
                .and_then(|times| fieldwise_sum(self.from.span(), self.every.span(), times))
                .and_then(|span| start.checked_add(span).ok())
                .map(|zoned| zoned.timestamp())
            else {
                break;
            };
            if due > last {
                break;
            }
            times.push(due);
        }
        times
    }
}

/// `base` plus `times` times `step`, unit by unit (years with years, months with months, …),
/// so calendar units are never balanced into days; `None` if a unit overflows.
fn fieldwise_sum(base: jiff::Span, step: jiff::Span, times: i64) -> Option<jiff::Span> {
    let unit = |of: fn(&jiff::Span) -> i64| {
        of(&step)
            .checked_mul(times)
            .and_then(|steps| steps.checked_add(of(&base)))
    };
    let years = unit(|span| i64::from(span.get_years()))?;
    let months = unit(|span| i64::from(span.get_months()))?;
    let weeks = unit(|span| i64::from(span.get_weeks()))?;
    let days = unit(|span| i64::from(span.get_days()))?;
    let hours = unit(|span| i64::from(span.get_hours()))?;
    let minutes = unit(jiff::Span::get_minutes)?;
    let seconds = unit(jiff::Span::get_seconds)?;
    jiff::Span::new()
        .try_years(years)
        .and_then(|span| span.try_months(months))
        .and_then(|span| span.try_weeks(weeks))
        .and_then(|span| span.try_days(days))
        .and_then(|span| span.try_hours(hours))
        .and_then(|span| span.try_minutes(minutes))
        .and_then(|span| span.try_seconds(seconds))
        .ok()
}

/// One welfare check of a person's schedule, as the terms set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledCheck {
    /// When it falls due.
    pub due_at: Timestamp,
    /// How long before and after `due_at` it may be done.
    pub window: ClockSpan,
}

/// Deadlines the agreement sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clocks {
    /// Shortest time between a complete notice and departure.
    pub notice_lead_time: Option<ClockSpan>,
    /// How long after notice a person may raise a fear claim; no departure before it has run.
    pub fear_claim_window: Option<ClockSpan>,
    /// How long the receiving state has to answer a request.
    pub reply_deadline: Option<ClockSpan>,
    /// Whether silence until the reply deadline counts as acceptance.
    pub silence_accepts: bool,
    /// How long after acceptance the transfer must take place.
    pub transfer_deadline: Option<ClockSpan>,
    /// Reasoned extensions of the transfer deadline.
    pub transfer_deadline_extensions: Vec<DeadlineExtension>,
    /// Welfare checks after arrival, one by one.
    pub welfare_checks: Vec<WelfareCheckRule>,
    /// Recurring welfare checks after arrival, in order (each rule's `from` after the previous
    /// rule's `until`).
    pub welfare_schedule: Vec<WelfareScheduleRule>,
    /// How long a person's whereabouts may stay unknown before the monitor is alerted.
    pub whereabouts_alert_after: Option<ClockSpan>,
    /// How long support lasts after arrival.
    pub support_period: Option<ClockSpan>,
    /// How long after arrival a court must validate detention.
    pub detention_validation: Option<ClockSpan>,
    /// How long each party a monitoring finding is addressed to has to respond to it, from the
    /// moment the finding is recorded; `None`: no period runs, and no response is overdue.
    pub finding_response: Option<ClockSpan>,
    /// How long before the scheduled departure the person may leave; `None`: not before it.
    pub departure_window_before: Option<ClockSpan>,
    /// How long after the scheduled departure the person may leave; `None`: no limit but the
    /// transfer deadline.
    pub departure_window_after: Option<ClockSpan>,
    /// Whether scheduling a departure earlier than the one the person was told of restarts the
    /// notice lead time from that new schedule (`true` unless a file says otherwise).
    pub earlier_schedule_restarts_notice: bool,
}

impl Clocks {
    /// Every welfare check of a person who arrived at `arrived_at`, one-off and recurring, by
    /// due time; two checks due at the same moment are one (the longer window kept).
    pub fn welfare_checks_for(&self, arrived_at: Timestamp) -> Vec<ScheduledCheck> {
        let mut checks: Vec<ScheduledCheck> = self
            .welfare_checks
            .iter()
            .map(|rule| ScheduledCheck {
                due_at: rule.offset.after(arrived_at),
                window: rule.window,
            })
            .chain(self.welfare_schedule.iter().flat_map(|rule| {
                rule.due_times(arrived_at)
                    .into_iter()
                    .map(|due_at| ScheduledCheck {
                        due_at,
                        window: rule.window,
                    })
            }))
            .collect();
        checks.sort_by_key(|check| check.due_at);
        checks.dedup_by(|later, earlier| {
            let same = later.due_at == earlier.due_at;
            if same && later.window.after(later.due_at) > earlier.window.after(earlier.due_at) {
                earlier.window = later.window;
            }
            same
        });
        checks
    }
}

impl Default for Clocks {
    /// No clock runs, and an earlier schedule restarts the notice lead time (the protective
    /// reading when a file says nothing).
    fn default() -> Self {
        Self {
            notice_lead_time: None,
            fear_claim_window: None,
            reply_deadline: None,
            silence_accepts: false,
            transfer_deadline: None,
            transfer_deadline_extensions: Vec::new(),
            welfare_checks: Vec::new(),
            welfare_schedule: Vec::new(),
            whereabouts_alert_after: None,
            support_period: None,
            detention_validation: None,
            finding_response: None,
            departure_window_before: None,
            departure_window_after: None,
            earlier_schedule_restarts_notice: true,
        }
    }
}

/// Where a person may go after arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnwardRule {
    /// Only back to the sending state (UK–Rwanda treaty Art. 10(3)).
    SendingStateOnly,
    /// Anywhere except a country the person fears or is protected from.
    AnyExceptFearedAndProtected,
}

impl OnwardRule {
    /// Every rule.
    pub const ALL: [Self; 2] = [Self::SendingStateOnly, Self::AnyExceptFearedAndProtected];

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.as_str() == text)
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendingStateOnly => "sending_state_only",
            Self::AnyExceptFearedAndProtected => "any_except_feared_and_protected",
        }
    }
}

/// A case field that may be shared with the receiving state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SharedField {
    /// Full name.
    Name,
    /// Date of birth.
    BirthDate,
    /// Nationality.
    Nationality,
    /// Sex.
    Sex,
    /// Identity and travel documents.
    Documents,
    /// Contact details.
    Contact,
    /// Languages spoken.
    Languages,
    /// Vulnerabilities recorded.
    Vulnerabilities,
    /// Health data: shared only where the person's consent is recorded.
    Health,
    /// Criminal record summary.
    CriminalRecord,
}

impl SharedField {
    /// Every field.
    pub const ALL: [Self; 10] = [
        Self::Name,
        Self::BirthDate,
        Self::Nationality,
        Self::Sex,
        Self::Documents,
        Self::Contact,
        Self::Languages,
        Self::Vulnerabilities,
        Self::Health,
        Self::CriminalRecord,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::BirthDate => "birth_date",
            Self::Nationality => "nationality",
            Self::Sex => "sex",
            Self::Documents => "documents",
            Self::Contact => "contact",
            Self::Languages => "languages",
            Self::Vulnerabilities => "vulnerabilities",
            Self::Health => "health",
            Self::CriminalRecord => "criminal_record",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// A breakdown of the people a published statistic counts, which an agreement's terms may allow
/// (`[statistics] breakdowns`). Without one, only totals and the measures' own details are
/// published: the safe default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatisticsBreakdown {
    /// Nationality (ISO 3166-1 alpha-3).
    Nationality,
    /// Sex.
    Sex,
    /// Age band at proposal.
    AgeBand,
}

impl StatisticsBreakdown {
    /// Every breakdown.
    pub const ALL: [Self; 3] = [Self::Nationality, Self::Sex, Self::AgeBand];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nationality => "nationality",
            Self::Sex => "sex",
            Self::AgeBand => "age_band",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == text)
    }
}

/// The independent body that monitors the arrangement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringBody {
    /// Stable identifier used to bind monitor accounts to the body.
    pub id: String,
    /// Human-readable name.
    pub name: String,
}

/// The terms that decide what may happen to a person under an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Who may be proposed.
    pub eligibility: Eligibility,
    /// How many may be moved.
    pub caps: Caps,
    /// The deadlines.
    pub clocks: Clocks,
    /// Where a person may go after arrival.
    pub onward: OnwardRule,
    /// Case fields the receiving state may see.
    pub shared_fields: BTreeSet<SharedField>,
    /// The monitoring body, if the agreement names one.
    pub monitoring: Option<MonitoringBody>,
    /// The breakdowns of people its public statistics may show (none without a `[statistics]`
    /// table: totals and the measures' own details only).
    pub statistics_breakdowns: BTreeSet<StatisticsBreakdown>,
}

/// A whole agreement file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// Stable identifier.
    pub id: AgreementId,
    /// Human-readable title.
    pub title: String,
    /// The state that sends people.
    pub sending: Country,
    /// The state that receives them.
    pub receiving: Country,
    /// Dated status history, oldest first; never empty.
    pub status_history: Vec<StatusChange>,
    /// The terms.
    pub terms: Terms,
    /// The `source` note of each fact, by dotted field path (e.g. `caps.transferred_total_max`).
    pub sources: BTreeMap<String, String>,
}

impl Agreement {
    /// The status the file's history ends with.
    pub fn current_status(&self) -> AgreementStatus {
        self.status_history
            .last()
            .map_or(AgreementStatus::Negotiating, |change| change.status)
    }

    /// The day the agreement entered into force: the first `in_force` of its status history, if
    /// it ever was in force.
    pub fn entered_into_force_on(&self) -> Option<Date> {
        self.status_history
            .iter()
            .find(|change| change.status == AgreementStatus::InForce)
            .map(|change| change.on)
    }

    /// The source note that covers the fact at the dotted `path` (e.g. `caps.present_max` or
    /// `status[1].on`): the fact's own note, or else that of the nearest enclosing table.
    pub fn source_of(&self, path: &str) -> Option<&str> {
        let mut path = path;
        loop {
            if let Some(source) = self.sources.get(path) {
                return Some(source);
            }
            // Step out one level: `a.b[2]` → `a.b` → `a`, then give up at the top.
            let parent_end = if path.ends_with(']') {
                path.rfind('[')
            } else {
                path.rfind('.')
            };
            path = path.get(..parent_end?)?;
        }
    }
}
