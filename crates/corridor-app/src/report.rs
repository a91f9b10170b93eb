//! The joint committee's report on an agreement for a period (docs/monitoring.md, "The joint
//! committee's report"): people transferred and their status now, welfare checks due, done and
//! missed, holds and safeguard refusals by code, and the monitoring body's own sections.
//!
//! It is computed when asked from the cases as the store folds them and their events, never
//! stored. Two versions: the committee's, in full ([`ReportVersion::Committee`], decided by
//! `read_committee_report`), and the public one ([`ReportVersion::Public`], `read_public_report`):
//! no case id, no person, every count under [`PUBLIC_COUNT_MIN`] shown as `<10`, and a table's
//! total withheld whenever one of its cells is, so that no hidden cell can be recomputed from the
//! total and the cells shown. Sections are listed in [`SECTIONS`], each for an [`Audience`]: the
//! list is where more sections are added.
//!
//! Rendered as Markdown, as a printable HTML page (an inline print stylesheet, no script, every
//! value escaped) and as CSV (the figures; a cell that a spreadsheet would read as a formula is
//! prefixed with `'`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use corridor_authz::Action;
use corridor_domain::ComplaintStatus;
use corridor_domain::clock::{ResponseState, WelfareState, finding_responses, welfare_schedule};
use corridor_domain::monitoring::{Finding, FindingCategory, Severity};
use corridor_domain::terms::AgreementId;
use corridor_domain::{Case, CaseId, CaseStatus, EventBody, Role, StreamId};
use corridor_store::CaseFilter;
use corridor_store::PAGE_ROWS_MAX;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::authorize::authorize;
use crate::caller::Caller;
use crate::error::AppError;
use crate::execute::{agreement_facts, load_agreement};
use crate::state::App;

/// The smallest count the public version shows as it is; smaller ones are shown as `<10`.
pub const PUBLIC_COUNT_MIN: u64 = 10;

/// The years a period may fall in.
const PERIOD_YEARS: std::ops::RangeInclusive<i16> = 1900..=2200;

/// The period a report covers: a calendar year, quarter or month, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A year: `2026`.
    Year(i16),
    /// A quarter, 1 to 4: `2026-Q3`.
    Quarter(i16, i8),
    /// A month, 1 to 12: `2026-07`.
    Month(i16, i8),
}

impl Period {
    /// Parses `2026`, `2026-Q3` or `2026-07`, saying what is wrong with anything else.
    pub fn parse(text: &str) -> Result<Self, String> {
        let wrong = || {
            format!(
                "`{text}` is not a period: write a year (`2026`), a quarter (`2026-Q3`) or a month (`2026-07`)"
            )
        };
        let (year_text, rest) = match text.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (text, None),
        };
        let digits = |part: &str, length: usize| {
            (part.len() == length && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i16>().ok())
                .flatten()
        };
        let year = digits(year_text, 4).ok_or_else(wrong)?;
        if !PERIOD_YEARS.contains(&year) {
            return Err(format!(
                "`{text}`: the year must be between {} and {}",
                PERIOD_YEARS.start(),
                PERIOD_YEARS.end()
            ));
        }
        let period = match rest {
            None => Self::Year(year),
            Some(quarter) if quarter.starts_with('Q') => {
                let number = digits(quarter.get(1..).unwrap_or_default(), 1).ok_or_else(wrong)?;
                if !(1..=4).contains(&number) {
                    return Err(format!("`{text}`: a quarter is Q1, Q2, Q3 or Q4"));
                }
                Self::Quarter(year, i8::try_from(number).map_err(|_| wrong())?)
            }
            Some(month) => {
                let number = digits(month, 2).ok_or_else(wrong)?;
                if !(1..=12).contains(&number) {
                    return Err(format!("`{text}`: a month is 01 to 12"));
                }
                Self::Month(year, i8::try_from(number).map_err(|_| wrong())?)
            }
        };
        Ok(period)
    }

    /// The first day of the period and the first day after it.
    fn days(self) -> (Date, Date) {
        let (year, first_month, months) = match self {
            Self::Year(year) => (year, 1, 12),
            Self::Quarter(year, quarter) => (year, (quarter - 1) * 3 + 1, 3),
            Self::Month(year, month) => (year, month, 1),
        };
        let start = jiff::civil::date(year, first_month, 1);
        let end = start
            .checked_add(jiff::Span::new().months(months))
            .unwrap_or(Date::MAX);
        (start, end)
    }

    /// The first moment of the period and the first moment after it, in UTC.
    pub fn bounds(self) -> (Timestamp, Timestamp) {
        let moment = |day: Date| {
            day.to_zoned_datetime(TimeZone::UTC)
                .map_or(Timestamp::MAX, |zoned| zoned.timestamp())
        };
        let (start, end) = self.days();
        (moment(start), moment(end))
    }

    /// Whether `at` falls in the period.
    pub fn contains(self, at: Timestamp) -> bool {
        let (start, end) = self.bounds();
        at >= start && at < end
    }

    /// The period as written: `2026`, `2026-Q3` or `2026-07`.
    pub fn label(self) -> String {
        match self {
            Self::Year(year) => format!("{year}"),
            Self::Quarter(year, quarter) => format!("{year}-Q{quarter}"),
            Self::Month(year, month) => format!("{year}-{month:02}"),
        }
    }
}

/// Which version of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportVersion {
    /// The committee's, in full.
    Committee,
    /// The public one: no case, no person, small counts hidden.
    Public,
}

impl ReportVersion {
    /// Parses `committee` or `public`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "committee" => Ok(Self::Committee),
            "public" => Ok(Self::Public),
            _ => Err(format!(
                "`{text}` is not a version of the report: write `committee` or `public`"
            )),
        }
    }

    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Committee => "committee",
            Self::Public => "public",
        }
    }

    /// The action that decides who may read it.
    pub fn action(self) -> Action {
        match self {
            Self::Committee => Action::ReadCommitteeReport,
            Self::Public => Action::ReadPublicReport,
        }
    }
}

/// How the report is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown.
    Markdown,
    /// A printable HTML page.
    Html,
    /// The figures as CSV.
    Csv,
}

impl ReportFormat {
    /// Parses `md`, `html` or `csv`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "md" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            "csv" => Ok(Self::Csv),
            _ => Err(format!(
                "`{text}` is not a report format: write `md`, `html` or `csv`"
            )),
        }
    }

    /// The media type of the rendered report.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    /// Renders `report`.
    pub fn render(self, report: &Report) -> String {
        match self {
            Self::Markdown => report.to_markdown(),
            Self::Html => report.to_html(),
            Self::Csv => report.to_csv(),
        }
    }
}

/// Who a section of the report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    /// Both versions; the public one with small counts hidden.
    Everyone,
    /// The committee's version only (it names cases).
    Committee,
    /// The committee's version read by the monitoring body's monitors only: the monitoring
    /// body's own work, which neither government sees unless it is addressed to it.
    Monitor,
}

/// The sections of the report, in order. A new section is a variant here, its audience, and its
/// computation in [`build_section`]. Complaints are [`Audience::Monitor`], never
/// [`Audience::Committee`]: the committee's version is read by a government too, and neither
/// government may learn that a complaint exists (their figures are not even computed for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// People who left for the receiving state in the period, and their status now.
    Transfers,
    /// The same people, one by one (committee only).
    TransferredCases,
    /// Welfare checks due in the period: done, missed, due now, upcoming, ended.
    Welfare,
    /// Court holds that matched cases in the period.
    Holds,
    /// Safeguard refusals recorded in the period, by code.
    SafeguardRefusals,
    /// Alerts raised to the monitoring body in the period, by reason (monitors only).
    MonitorAlerts,
    /// Findings recorded in the period, by category and severity.
    Findings,
    /// The responses those findings asked for: given in time, given late, awaited, and how long
    /// they took (committee only).
    FindingResponses,
    /// Complaints lodged in the period, by status now, counts only (monitors only).
    Complaints,
}

/// Every section, in the order the report prints them.
pub const SECTIONS: &[SectionKind] = &[
    SectionKind::Transfers,
    SectionKind::TransferredCases,
    SectionKind::Welfare,
    SectionKind::Holds,
    SectionKind::SafeguardRefusals,
    SectionKind::MonitorAlerts,
    SectionKind::Findings,
    SectionKind::FindingResponses,
    SectionKind::Complaints,
];

impl SectionKind {
    /// Who the section is for.
    pub fn audience(self) -> Audience {
        match self {
            Self::Transfers
            | Self::Welfare
            | Self::Holds
            | Self::SafeguardRefusals
            | Self::Findings => Audience::Everyone,
            Self::TransferredCases | Self::FindingResponses => Audience::Committee,
            Self::MonitorAlerts | Self::Complaints => Audience::Monitor,
        }
    }

    /// The section's stable key (used in the CSV).
    pub fn key(self) -> &'static str {
        match self {
            Self::Transfers => "transfers",
            Self::TransferredCases => "transferred_cases",
            Self::Welfare => "welfare_checks",
            Self::Holds => "holds",
            Self::SafeguardRefusals => "safeguard_refusals",
            Self::MonitorAlerts => "monitor_alerts",
            Self::Findings => "findings",
            Self::FindingResponses => "finding_responses",
            Self::Complaints => "complaints",
        }
    }
}

/// One figure of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figure {
    /// A count, as it is.
    Count(u64),
    /// A count under [`PUBLIC_COUNT_MIN`], hidden in the public version: `<10`.
    Small,
    /// A total withheld because a cell of its table is hidden: `suppressed`.
    Suppressed,
    /// Text (a case's status, in the committee's version).
    Text(String),
}

impl Figure {
    /// The figure as printed.
    pub fn text(&self) -> String {
        match self {
            Self::Count(count) => count.to_string(),
            Self::Small => format!("<{PUBLIC_COUNT_MIN}"),
            Self::Suppressed => "suppressed".to_owned(),
            Self::Text(text) => text.clone(),
        }
    }
}

/// One row of a table: a label and its figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// What is counted.
    pub label: String,
    /// The figure.
    pub value: Figure,
}

/// A table of figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The heading of the label column.
    pub label: String,
    /// The heading of the figure column.
    pub value: String,
    /// The rows.
    pub rows: Vec<Row>,
    /// The total of the rows, where they partition a whole.
    pub total: Option<Figure>,
}

/// One section of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Which section.
    pub kind: SectionKind,
    /// Its heading.
    pub title: String,
    /// A sentence on what it counts.
    pub note: String,
    /// Its table.
    pub table: Table,
}

/// The report, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The agreement.
    pub agreement: AgreementId,
    /// Its title.
    pub title: String,
    /// The period.
    pub period: Period,
    /// Which version.
    pub version: ReportVersion,
    /// When it was computed.
    pub generated_at: Timestamp,
    /// The sections its reader may see.
    pub sections: Vec<Section>,
}

/// What a report is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// The agreement.
    pub agreement: AgreementId,
    /// The period.
    pub period: Period,
    /// Which version.
    pub version: ReportVersion,
}

/// The figures of one agreement for one period, before they are laid out.
#[derive(Debug, Default)]
struct Figures {
    /// Cases that departed in the period, with their status now.
    transferred: Vec<(CaseId, CaseStatus)>,
    /// Welfare checks due in the period, by where they stand now.
    welfare: BTreeMap<&'static str, u64>,
    /// Holds that matched cases in the period.
    holds: BTreeSet<String>,
    /// Cases a hold matched in the period.
    cases_held: BTreeSet<CaseId>,
    /// Safeguard refusals recorded in the period, by code.
    refusals: BTreeMap<String, u64>,
    /// Alerts raised in the period, by reason.
    alerts: BTreeMap<&'static str, u64>,
    /// Findings recorded in the period, by category and severity.
    findings: BTreeMap<(FindingCategory, Severity), u64>,
    /// The responses those findings asked for, by how they stand now.
    responses: BTreeMap<&'static str, u64>,
    /// Whole days each response given took, from the finding to the response.
    response_days: Vec<i64>,
    /// Complaints lodged in the period, by status now (gathered for monitors only).
    complaints: BTreeMap<ComplaintStatus, u64>,
}

/// The rows of the responses table, in order.
const RESPONSE_ROWS: [&str; 5] = [
    "given in time",
    "given late",
    "awaited, overdue",
    "awaited, in time",
    "never given (finding closed)",
];

impl Figures {
    /// Adds the findings of the agreement recorded in the period, with their response clocks
    /// under `terms` at `now`.
    fn add_findings<'a>(
        &mut self,
        findings: impl Iterator<Item = &'a Finding>,
        terms: &corridor_domain::terms::Terms,
        period: Period,
        now: Timestamp,
    ) {
        for finding in findings.filter(|finding| period.contains(finding.recorded_at)) {
            *self
                .findings
                .entry((finding.facts.category, finding.facts.severity))
                .or_default() += 1;
            for clock in finding_responses(finding, terms, now) {
                let row = match clock.state {
                    ResponseState::Responded(at) => {
                        self.response_days
                            .push(at.duration_since(finding.recorded_at).as_secs() / 86_400);
                        if clock.due_at.is_some_and(|due| at > due) {
                            "given late"
                        } else {
                            "given in time"
                        }
                    }
                    ResponseState::Overdue => "awaited, overdue",
                    ResponseState::Awaited => "awaited, in time",
                    ResponseState::Closed => "never given (finding closed)",
                };
                *self.responses.entry(row).or_default() += 1;
            }
        }
    }
}

/// The welfare-check rows, in order.
const WELFARE_ROWS: [&str; 5] = ["done", "missed", "due", "upcoming", "ended"];

/// The statuses a person who left may be in now, in order.
const TRANSFERRED_STATUSES: [CaseStatus; 7] = [
    CaseStatus::InTransit,
    CaseStatus::Arrived,
    CaseStatus::Settled,
    CaseStatus::WhereaboutsUnknown,
    CaseStatus::Departed,
    CaseStatus::Returned,
    CaseStatus::Recalled,
];

impl Figures {
    /// Adds one case and its events.
    fn add(&mut self, case: &Case, events: &[EventBody], dated: &[Timestamp], query: &Reading<'_>) {
        let period = query.period;
        if case.departed_at.is_some_and(|at| period.contains(at)) {
            self.transferred.push((case.id, case.status));
        }
        for item in welfare_schedule(case, query.terms, query.now) {
            if !period.contains(item.due_at) {
                continue;
            }
            let row = match item.state {
                WelfareState::Done(_) => "done",
                _ if item.missed(query.now) => "missed",
                WelfareState::Due | WelfareState::NotFound(_) => "due",
                WelfareState::Upcoming => "upcoming",
                WelfareState::Overdue | WelfareState::Ended => "ended",
            };
            *self.welfare.entry(row).or_default() += 1;
        }
        for (body, at) in events.iter().zip(dated) {
            if !period.contains(*at) {
                continue;
            }
            match body {
                EventBody::HoldMatched { case, hold } => {
                    self.holds.insert(hold.to_string());
                    self.cases_held.insert(*case);
                }
                EventBody::SafeguardTriggered { code, .. } => {
                    *self.refusals.entry(code.clone()).or_default() += 1;
                }
                EventBody::MonitorAlertRaised { alert, .. } => {
                    *self.alerts.entry(alert.reason()).or_default() += 1;
                }
                _ => {}
            }
        }
    }
}

/// What [`Figures::add`] reads besides the case.
struct Reading<'a> {
    terms: &'a corridor_domain::terms::Terms,
    period: Period,
    now: Timestamp,
}

/// The joint committee's report on an agreement for a period, in the version asked for, as far
/// as the policies let `caller` read it (`read_committee_report` or `read_public_report`, the
/// read recorded like any other). The monitoring body's own sections are in it only for its
/// monitors.
pub async fn read_report(
    state: &App,
    caller: &Caller,
    query: &ReportQuery,
) -> Result<Report, AppError> {
    if query.version == ReportVersion::Committee {
        caller.authenticated()?;
    }
    let agreement = load_agreement(state, &query.agreement).await?;
    authorize(
        state,
        caller,
        query.version.action(),
        &agreement_facts(&agreement)?,
    )
    .await?;
    let latest = agreement
        .latest()
        .ok_or_else(|| AppError::Internal(format!("agreement {} has no terms", agreement.id)))?;
    let terms = &latest.terms;
    let now = state.now();
    let mut figures = Figures::default();
    let mut after = None;
    loop {
        let rows = state
            .store()
            .list_cases(&CaseFilter {
                agreement: Some(query.agreement.to_string()),
                status: None,
                limit: PAGE_ROWS_MAX,
                after: after.clone(),
            })
            .await?;
        for row in &rows {
            let id = CaseId::parse(&row.case_id).map_err(|error| {
                AppError::Internal(format!("a stored case id `{}`: {error}", row.case_id))
            })?;
            let Some((case, case_agreement)) = state.store().case(id).await? else {
                continue;
            };
            let history = state.store().history(&StreamId::Case(id)).await?;
            let (bodies, dated): (Vec<EventBody>, Vec<Timestamp>) = history
                .into_iter()
                .map(|stored| (stored.event.body, stored.event.at))
                .unzip();
            let case_terms = case_agreement.terms(case.terms_version).unwrap_or(terms);
            let reading = Reading {
                terms: case_terms,
                period: query.period,
                now,
            };
            figures.add(&case, &bodies, &dated, &reading);
        }
        if rows.len() < PAGE_ROWS_MAX as usize {
            break;
        }
        after = rows.last().map(|row| row.case_id.clone());
    }
    let findings = state.store().findings().await?;
    // A state reading the committee's version counts the findings addressed to it, as it sees
    // them one by one (docs/monitoring.md); the monitors count every finding, and so does the
    // public version, whose counts are protected.
    let reader = match (query.version, caller.actor.role) {
        (ReportVersion::Committee, role) if role != Role::Monitor => {
            corridor_domain::monitoring::AddressedParty::of_role(role)
        }
        _ => None,
    };
    figures.add_findings(
        findings.values().filter(|finding| {
            finding.facts.agreement == query.agreement
                && reader.is_none_or(|party| finding.facts.addressed.contains(&party))
        }),
        terms,
        query.period,
        now,
    );
    let monitor = caller.actor.role == Role::Monitor;
    // Complaints are read for the monitoring body's own version only: no answer a government
    // gets depends on them, in its figures or in the time it takes (docs/monitoring.md).
    if monitor && query.version == ReportVersion::Committee {
        for complaint in state
            .store()
            .every_complaint_under(std::slice::from_ref(&query.agreement))
            .await?
        {
            if query.period.contains(complaint.lodged_at) {
                *figures.complaints.entry(complaint.status).or_default() += 1;
            }
        }
    }
    Ok(Report::build(
        &agreement.id,
        &latest.title,
        query,
        now,
        &figures,
        monitor,
    ))
}

impl Report {
    /// Lays the figures out for the version asked for and the reader (`monitor`: whether the
    /// monitoring body's own sections are shown).
    fn build(
        agreement: &AgreementId,
        title: &str,
        query: &ReportQuery,
        now: Timestamp,
        figures: &Figures,
        monitor: bool,
    ) -> Self {
        let sections = SECTIONS
            .iter()
            .filter(|kind| match (kind.audience(), query.version) {
                (Audience::Everyone, _) => true,
                (Audience::Committee, version) => version == ReportVersion::Committee,
                (Audience::Monitor, version) => version == ReportVersion::Committee && monitor,
            })
            .map(|kind| {
                let section = build_section(*kind, figures);
                match query.version {
                    ReportVersion::Committee => section,
                    ReportVersion::Public => Section {
                        table: protect(section.table),
                        ..section
                    },
                }
            })
            .collect();
        Self {
            agreement: agreement.clone(),
            title: title.to_owned(),
            period: query.period,
            version: query.version,
            generated_at: now,
            sections,
        }
    }
}

/// A table of counts with their total.
fn counted(label: &str, rows: Vec<(String, u64)>, total: bool) -> Table {
    let sum = rows.iter().map(|(_, count)| count).sum();
    Table {
        label: label.to_owned(),
        value: "count".to_owned(),
        rows: rows
            .into_iter()
            .map(|(label, count)| Row {
                label,
                value: Figure::Count(count),
            })
            .collect(),
        total: total.then_some(Figure::Count(sum)),
    }
}

/// One section, in full.
fn build_section(kind: SectionKind, figures: &Figures) -> Section {
    let (title, note, table) = match kind {
        SectionKind::Transfers => (
            "People transferred",
            "People who left for the receiving state in the period, by where they stand now.",
            counted(
                "status now",
                TRANSFERRED_STATUSES
                    .iter()
                    .map(|status| {
                        let count = figures
                            .transferred
                            .iter()
                            .filter(|(_, now)| now == status)
                            .count();
                        (status.as_str().to_owned(), count as u64)
                    })
                    .collect(),
                true,
            ),
        ),
        SectionKind::TransferredCases => (
            "People transferred, case by case",
            "Each case that left in the period and its status now (committee only).",
            Table {
                label: "case".to_owned(),
                value: "status now".to_owned(),
                rows: figures
                    .transferred
                    .iter()
                    .map(|(id, status)| Row {
                        label: id.to_string(),
                        value: Figure::Text(status.as_str().to_owned()),
                    })
                    .collect(),
                total: None,
            },
        ),
        SectionKind::Welfare => (
            "Welfare checks",
            "Checks due in the period, by where they stand now: done (the person found), missed (the window closed without), due (window open), upcoming, ended (the person left first).",
            counted(
                "state",
                WELFARE_ROWS
                    .iter()
                    .map(|row| {
                        (
                            (*row).to_owned(),
                            figures.welfare.get(row).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                true,
            ),
        ),
        SectionKind::Holds => (
            "Court holds",
            "Court orders that matched cases of the agreement in the period, and the cases they matched (an order may match several cases, a case several orders: no total).",
            counted(
                "figure",
                vec![
                    ("orders".to_owned(), figures.holds.len() as u64),
                    ("cases matched".to_owned(), figures.cases_held.len() as u64),
                ],
                false,
            ),
        ),
        SectionKind::SafeguardRefusals => (
            "Safeguard refusals",
            "Commands a safeguard refused in the period, by refusal code.",
            counted(
                "code",
                figures
                    .refusals
                    .iter()
                    .map(|(code, count)| (code.clone(), *count))
                    .collect(),
                true,
            ),
        ),
        SectionKind::MonitorAlerts => (
            "Alerts to the monitoring body",
            "Alerts the clock raised in the period, by reason (the monitoring body's own record).",
            counted(
                "reason",
                ["missed_checks", "whereabouts_unknown"]
                    .iter()
                    .map(|reason| {
                        (
                            (*reason).to_owned(),
                            figures.alerts.get(reason).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                true,
            ),
        ),
        SectionKind::Findings => (
            "Findings of the monitoring body",
            "Findings recorded in the period, by category and severity.",
            counted(
                "category · severity",
                figures
                    .findings
                    .iter()
                    .map(|((category, severity), count)| {
                        (format!("{category} · {severity}"), *count)
                    })
                    .collect(),
                true,
            ),
        ),
        SectionKind::FindingResponses => {
            let mut table = counted(
                "response",
                RESPONSE_ROWS
                    .iter()
                    .map(|row| {
                        (
                            (*row).to_owned(),
                            figures.responses.get(row).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                true,
            );
            if let Some(median) = median(&figures.response_days) {
                table.rows.push(Row {
                    label: "median days to respond".to_owned(),
                    value: Figure::Text(median.to_string()),
                });
            }
            (
                "Responses to findings",
                "The responses the period's findings asked of each state addressed, by where they stand now (due within the agreement's clocks.finding_response), and the median whole days a response took.",
                table,
            )
        }
        SectionKind::Complaints => (
            "Confidential complaints",
            "Complaints lodged in the period, by status now: counts only, for the monitoring body alone.",
            counted(
                "status",
                [
                    ComplaintStatus::Received,
                    ComplaintStatus::UnderReview,
                    ComplaintStatus::Replied,
                    ComplaintStatus::Closed,
                ]
                .iter()
                .map(|status| {
                    (
                        status.as_str().to_owned(),
                        figures.complaints.get(status).copied().unwrap_or(0),
                    )
                })
                .collect(),
                true,
            ),
        ),
    };
    Section {
        kind,
        title: title.to_owned(),
        note: note.to_owned(),
        table,
    }
}

/// The median of `values` (the lower middle of an even count), `None` for none.
fn median(values: &[i64]) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len().checked_sub(1)? / 2;
    sorted.get(middle).copied()
}

/// The public form of a table: every count under [`PUBLIC_COUNT_MIN`] hidden, and the total
/// withheld when any cell is hidden (otherwise the total minus the cells shown would give the
/// hidden cell back); a total under the threshold is itself hidden.
fn protect(table: Table) -> Table {
    let small = |figure: Figure| match figure {
        Figure::Count(count) if count < PUBLIC_COUNT_MIN => Figure::Small,
        other => other,
    };
    let rows: Vec<Row> = table
        .rows
        .into_iter()
        .map(|row| Row {
            value: small(row.value),
            ..row
        })
        .collect();
    let any_hidden = rows.iter().any(|row| row.value == Figure::Small);
    let total = table.total.map(|total| match small(total) {
        Figure::Small => Figure::Small,
        _ if any_hidden => Figure::Suppressed,
        shown => shown,
    });
    Table {
        rows,
        total,
        ..table
    }
}

/// Escapes text for HTML (element content and attribute values alike).
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Escapes text for a Markdown table cell or heading: no markup, no raw HTML, no column break.
fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// One CSV cell: a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is prefixed with `'`, and a cell with a comma, a quote or
/// a line break is quoted (RFC 4180).
pub fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The print stylesheet of the HTML page.
const PRINT_STYLE: &str = "body{font-family:Georgia,serif;max-width:48rem;margin:2rem auto;color:#111}\
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}\
th,td{border:1px solid #999;padding:0.25rem 0.75rem;text-align:left}\
td.n{text-align:right}\
p.note{color:#444}\
@media print{body{margin:0;max-width:none;font-size:10pt}section{break-inside:avoid}\
a{color:inherit;text-decoration:none}}";

impl Report {
    /// The heading lines: title, period, version, when computed.
    fn heading(&self) -> (String, String) {
        let version = match self.version {
            ReportVersion::Committee => "the joint committee's version",
            ReportVersion::Public => {
                "public version: counts under 10 shown as <10, totals of tables with a hidden count suppressed"
            }
        };
        (
            format!(
                "{} ({}): report for {}",
                self.title,
                self.agreement,
                self.period.label()
            ),
            format!(
                "{version}; computed {} from the record, never stored",
                self.generated_at
            ),
        )
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let (title, subtitle) = self.heading();
        let mut out = format!(
            "# {}\n\n{}\n",
            markdown_escape(&title),
            markdown_escape(&subtitle)
        );
        for section in &self.sections {
            let table = &section.table;
            let _ = write!(
                out,
                "\n## {}\n\n{}\n\n| {} | {} |\n|---|---:|\n",
                markdown_escape(&section.title),
                markdown_escape(&section.note),
                markdown_escape(&table.label),
                markdown_escape(&table.value)
            );
            if table.rows.is_empty() {
                out.push_str("| (none) | |\n");
            }
            for row in &table.rows {
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    markdown_escape(&row.label),
                    markdown_escape(&row.value.text())
                );
            }
            if let Some(total) = &table.total {
                let _ = writeln!(
                    out,
                    "| **total** | **{}** |",
                    markdown_escape(&total.text())
                );
            }
        }
        out
    }

    /// The report as a printable HTML page: an inline print stylesheet, no script, every value
    /// escaped.
    pub fn to_html(&self) -> String {
        let (title, subtitle) = self.heading();
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{PRINT_STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{}</p>\n",
            html_escape(&title),
            html_escape(&title),
            html_escape(&subtitle)
        );
        for section in &self.sections {
            let table = &section.table;
            let _ = write!(
                out,
                "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table>\n<thead><tr><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
                html_escape(&section.title),
                html_escape(&section.note),
                html_escape(&table.label),
                html_escape(&table.value)
            );
            if table.rows.is_empty() {
                out.push_str("<tr><td>(none)</td><td></td></tr>\n");
            }
            for row in &table.rows {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                    html_escape(&row.label),
                    html_escape(&row.value.text())
                );
            }
            if let Some(total) = &table.total {
                let _ = writeln!(
                    out,
                    "<tr><th>total</th><th class=\"n\">{}</th></tr>",
                    html_escape(&total.text())
                );
            }
            out.push_str("</tbody>\n</table>\n</section>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }

    /// The figures as CSV: `agreement,period,version,section,label,value`, one line per row
    /// and total.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("agreement,period,version,section,label,value\n");
        let mut line = |section: &str, label: &str, value: &str| {
            let cells = [
                self.agreement.as_str(),
                &self.period.label(),
                self.version.as_str(),
                section,
                label,
                value,
            ];
            let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        };
        for section in &self.sections {
            for row in &section.table.rows {
                line(section.kind.key(), &row.label, &row.value.text());
            }
            if let Some(total) = &section.table.total {
                line(section.kind.key(), "total", &total.text());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Years, quarters and months parse to their bounds; anything else is refused with a
    /// sentence.
    #[test]
    fn periods_parse_and_bound() {
        let bounds = |text: &str| {
            let (start, end) = Period::parse(text).unwrap().bounds();
            (start.to_string(), end.to_string())
        };
        assert_eq!(
            bounds("2026"),
            (
                "2026-01-01T00:00:00Z".to_owned(),
                "2027-01-01T00:00:00Z".to_owned()
            )
        );
        assert_eq!(
            bounds("2026-Q3"),
            (
                "2026-07-01T00:00:00Z".to_owned(),
                "2026-10-01T00:00:00Z".to_owned()
            )
        );
        assert_eq!(
            bounds("2026-12"),
            (
                "2026-12-01T00:00:00Z".to_owned(),
                "2027-01-01T00:00:00Z".to_owned()
            )
        );
        assert_eq!(Period::parse("2026-07").unwrap().label(), "2026-07");
        assert_eq!(Period::parse("2026-Q4").unwrap().label(), "2026-Q4");
        let error = |text: &str| Period::parse(text).unwrap_err();
        let shape =
            "is not a period: write a year (`2026`), a quarter (`2026-Q3`) or a month (`2026-07`)";
        for bad in [
            "",
            "26",
            "2026-7",
            "2026-q3",
            "2026-Q",
            "2026-Q12",
            "2026-07-01",
            "x2026",
            "2026-H1",
        ] {
            assert_eq!(error(bad), format!("`{bad}` {shape}"), "{bad}");
        }
        assert_eq!(error("2026-Q5"), "`2026-Q5`: a quarter is Q1, Q2, Q3 or Q4");
        assert_eq!(error("2026-13"), "`2026-13`: a month is 01 to 12");
        assert_eq!(error("2026-00"), "`2026-00`: a month is 01 to 12");
        assert_eq!(
            error("1899"),
            "`1899`: the year must be between 1900 and 2200"
        );
        let q3 = Period::parse("2026-Q3").unwrap();
        assert!(q3.contains("2026-07-01T00:00:00Z".parse().unwrap()));
        assert!(q3.contains("2026-09-30T23:59:59Z".parse().unwrap()));
        assert!(!q3.contains("2026-10-01T00:00:00Z".parse().unwrap()));
        assert!(!q3.contains("2026-06-30T23:59:59Z".parse().unwrap()));
    }

    /// Cells a spreadsheet would run as formulas are defused; others pass, quoted as CSV needs.
    #[test]
    fn csv_cells_guard_against_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("arrived"), "arrived");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("<10"), "<10");
    }

    /// The public form hides every count under 10 and withholds a total that would give one
    /// back; a table with no hidden cell keeps its total.
    #[test]
    fn public_tables_hide_small_counts_and_their_totals() {
        let table = |counts: &[u64]| {
            counted(
                "x",
                counts
                    .iter()
                    .enumerate()
                    .map(|(index, count)| (format!("row{index}"), *count))
                    .collect(),
                true,
            )
        };
        let shown = |table: &Table| {
            let mut cells: Vec<String> = table.rows.iter().map(|row| row.value.text()).collect();
            cells.push(table.total.as_ref().map(Figure::text).unwrap_or_default());
            cells
        };
        assert_eq!(shown(&protect(table(&[12, 30]))), ["12", "30", "42"]);
        assert_eq!(
            shown(&protect(table(&[12, 30, 3]))),
            ["12", "30", "<10", "suppressed"]
        );
        assert_eq!(
            shown(&protect(table(&[3, 9]))),
            ["<10", "<10", "suppressed"]
        );
        assert_eq!(shown(&protect(table(&[0, 9]))), ["<10", "<10", "<10"]);
        assert_eq!(shown(&protect(table(&[2, 3]))), ["<10", "<10", "<10"]);
        assert_eq!(shown(&protect(table(&[10]))), ["10", "10"]);
    }

    /// Markup in a title cannot break out of its element or its table.
    #[test]
    fn values_are_escaped() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(markdown_escape("a | b <i>"), "a \\| b &lt;i&gt;");
    }
}
