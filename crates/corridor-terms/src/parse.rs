//! Parsing and validating agreement files, reporting every error with file, line and field.
//!
//! The text is parsed once with toml's span-preserving parser ([`toml::de::DeTable`]) and the
//! tree is then walked by hand, section by section. We do not derive `Deserialize`: serde stops at
//! the first error and knows nothing of the rules that span fields (the status history's order, a
//! cap that exceeds another, an extension shorter than its base deadline), while a reviewer of an
//! agreement file needs every problem at once, each with its line and dotted field path.
//!
//! The format is documented, with an annotated example, in `docs/agreements.md`.

mod reader;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use jiff::Span;
use jiff::civil::{Date, DateTime, Time};
use toml::de::DeTable;

use crate::country::Country;
use crate::model::{
    Agreement, AgreementId, AgreementStatus, Caps, Clocks, DeadlineExtension, Eligibility,
    MonitoringBody, OnwardRule, Sex, SharedField, StatisticsBreakdown, StatusChange, Terms,
    Vulnerability, WelfareCheckRule, WelfareScheduleRule,
};
use crate::span::ClockSpan;

use reader::{Reader, TableSource, Value, child, item};

/// Largest agreement file accepted, in bytes (256 KiB). The richest real agreement fits in a few
/// KiB; anything near this size is a mistake or an attack on the parser, not a contract.
pub const AGREEMENT_FILE_SIZE_MAX_BYTES: usize = 256 * 1024;

/// Most entries in any list (status history, nationalities, welfare checks, …). ISO 3166-1 has
/// 249 codes, so every nationality fits.
pub(crate) const LIST_ENTRIES_MAX: usize = 256;

/// Longest source note, in characters: a citation, not a copy of the treaty.
pub(crate) const SOURCE_LENGTH_MAX: usize = 2_000;

/// Longest title or monitoring body name, in characters.
const NAME_LENGTH_MAX: usize = 200;

/// Longest monitoring body id or extension reason code, in characters (as for agreement ids).
const CODE_LENGTH_MAX: usize = AgreementId::LENGTH_MAX;

/// Largest cap on people. Dublin transfers between two member states run to thousands a year;
/// a cap above a million is a typo, not a term.
const CAP_PEOPLE_MAX: i128 = 1_000_000;

/// Oldest minimum age an eligibility rule may set, in years.
const AGE_YEARS_MAX: i128 = 120;

/// The years a status date may fall in: the range every clock in corridor is computed for (see
/// [`ClockSpan::after`]).
const DATE_YEARS: std::ops::RangeInclusive<i16> = 1900..=2200;

/// The first day of the reference calendar cycle used to compare clock spans.
const CALENDAR_CYCLE_START: Date = jiff::civil::date(2000, 1, 1);

/// Months in a four-year cycle with one leap day (1,461 days). A span with months and one with
/// days compare differently depending on the start (`1 month` is shorter than `30 days` from 1
/// February), so spans are ordered only when they are ordered from every start day of the cycle.
const CALENDAR_CYCLE_MONTHS: i64 = 4 * 12;

/// Keys allowed at the top level of a file.
const ROOT_KEYS: &[&str] = &[
    "id",
    "title",
    "parties",
    "status",
    "eligibility",
    "caps",
    "clocks",
    "onward",
    "sharing",
    "monitoring",
    "statistics",
];
const PARTIES_KEYS: &[&str] = &["sending", "receiving"];
const STATUS_KEYS: &[&str] = &["status", "on"];
const ELIGIBILITY_KEYS: &[&str] = &[
    "excluded_nationalities",
    "age_years_min",
    "sexes",
    "excluded_vulnerabilities",
    "per_person_approval",
    "receiving_state_nationals",
];
const CAPS_KEYS: &[&str] = &["transferred_total_max", "present_max"];
const CLOCKS_KEYS: &[&str] = &[
    "notice_lead_time",
    "fear_claim_window",
    "reply_deadline",
    "silence_accepts",
    "transfer_deadline",
    "transfer_deadline_extensions",
    "welfare_checks",
    "welfare_schedule",
    "whereabouts_alert_after",
    "support_period",
    "detention_validation",
    "finding_response",
    "departure_window_before",
    "departure_window_after",
    "earlier_schedule_restarts_notice",
];
const EXTENSION_KEYS: &[&str] = &["reason", "deadline"];
const WELFARE_CHECK_KEYS: &[&str] = &["offset", "window"];
const WELFARE_SCHEDULE_KEYS: &[&str] = &["every", "from", "until", "window"];
const ONWARD_KEYS: &[&str] = &["rule"];
const SHARING_KEYS: &[&str] = &["fields"];
const MONITORING_KEYS: &[&str] = &["id", "name"];
const STATISTICS_KEYS: &[&str] = &["breakdowns"];

/// The field path and message of a duplicate key at `span`: the key as written there, in the
/// table whose header last precedes it (the top level if none does).
fn duplicate_key(text: &str, span: &Range<usize>) -> Option<(String, String)> {
    let key = text
        .get(span.clone())?
        .trim()
        .trim_matches('"')
        .trim_matches('\'');
    if key.is_empty() {
        return None;
    }
    let before = text.get(..span.start)?;
    let table = before
        .lines()
        .map(str::trim)
        .rfind(|line| line.starts_with('['))
        .map(|header| {
            header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        });
    Some(match table {
        Some(table) => (
            format!("{table}.{key}"),
            format!(
                "invalid toml: the key `{key}` appears twice in table `[{table}]`; each key may appear once"
            ),
        ),
        None => (
            key.to_owned(),
            format!(
                "invalid toml: the key `{key}` appears twice at the top level; each key may appear once"
            ),
        ),
    })
}

/// One problem in an agreement file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementError {
    /// The file name as given by the caller.
    pub file: String,
    /// 1-based line of the offending value (or of the table that lacks a field).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted field path, e.g. `clocks.notice_lead_time`.
    pub field: String,
    /// Lowercase sentence without a trailing period.
    pub message: String,
}

impl fmt::Display for AgreementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Errors about the whole file (size, TOML syntax) have no field to name.
        if self.field.is_empty() {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: `{}`: {}",
                self.file, self.line, self.column, self.field, self.message
            )
        }
    }
}

/// Every problem found in an agreement file, in file order; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementErrors(pub Vec<AgreementError>);

impl fmt::Display for AgreementErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AgreementErrors {}

/// Parses and validates an agreement file's text. `file` is only used in error messages.
pub fn parse_agreement(file: &str, text: &str) -> Result<Agreement, AgreementErrors> {
    let mut reader = Reader::new(file, text);
    if text.len() > AGREEMENT_FILE_SIZE_MAX_BYTES {
        reader.error(
            &(0..0),
            "",
            format!(
                "the file is {} bytes, more than the {AGREEMENT_FILE_SIZE_MAX_BYTES} bytes (256 KiB) an agreement file may have",
                text.len()
            ),
        );
        return Err(AgreementErrors(reader.finish().0));
    }
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(error) => {
            // A syntax error leaves no tree to walk: it is the one error reported.
            let span = error.span().unwrap_or(0..0);
            match duplicate_key(text, &span).filter(|_| error.message() == "duplicate key") {
                Some((path, message)) => reader.error(&span, &path, message),
                None => reader.error(
                    &span,
                    "",
                    format!("invalid toml: {}", sentence(error.message())),
                ),
            }
            return Err(AgreementErrors(reader.finish().0));
        }
    };

    let fields = reader.fields(
        root.get_ref(),
        root.span(),
        "",
        ROOT_KEYS,
        TableSource::Forbidden,
    );
    let id = fields
        .required(&mut reader, "id")
        .and_then(|value| read_id(&mut reader, value));
    let title = fields
        .required(&mut reader, "title")
        .and_then(|value| read_title(&mut reader, value));
    let parties = fields
        .required(&mut reader, "parties")
        .and_then(|value| read_parties(&mut reader, value));
    let status_history = fields
        .required(&mut reader, "status")
        .and_then(|value| read_status_history(&mut reader, value));
    let eligibility = fields
        .required(&mut reader, "eligibility")
        .and_then(|value| read_eligibility(&mut reader, value));
    let caps = fields
        .optional("caps")
        .map_or_else(Caps::default, |value| read_caps(&mut reader, value));
    let clocks = fields
        .optional("clocks")
        .map_or_else(Clocks::default, |value| read_clocks(&mut reader, value));
    let onward = fields
        .required(&mut reader, "onward")
        .and_then(|value| read_onward(&mut reader, value));
    // No `[sharing]` table means nothing is shared: the receiving state sees no case field.
    let shared_fields = fields
        .optional("sharing")
        .map_or_else(BTreeSet::new, |value| read_sharing(&mut reader, value));
    let monitoring = fields
        .optional("monitoring")
        .and_then(|value| read_monitoring(&mut reader, value));
    // No `[statistics]` table means no breakdown of people is published: totals only.
    let statistics_breakdowns = fields
        .optional("statistics")
        .map_or_else(BTreeSet::new, |value| read_statistics(&mut reader, value));

    // Sections return stand-ins for what they could not read, so the walk goes on and finds every
    // error; an agreement is built only when none was reported, so no stand-in ever escapes.
    let (errors, sources) = reader.finish();
    if !errors.is_empty() {
        return Err(AgreementErrors(errors));
    }
    match (id, title, parties, status_history, eligibility, onward) {
        (
            Some(id),
            Some(title),
            Some((sending, receiving)),
            Some(status_history),
            Some(eligibility),
            Some(onward),
        ) => Ok(Agreement {
            id,
            title,
            sending,
            receiving,
            status_history,
            terms: Terms {
                eligibility,
                caps,
                clocks,
                onward,
                shared_fields,
                monitoring,
                statistics_breakdowns,
            },
            sources,
        }),
        _ => Err(AgreementErrors(vec![AgreementError {
            file: file.to_owned(),
            line: 1,
            column: 1,
            field: String::new(),
            message:
                "internal error: a required part of the agreement was neither read nor reported"
                    .to_owned(),
        }])),
    }
}

/// Turns a parser message into our style: lowercase start, one line, no trailing period.
fn sentence(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = one_line.trim_end_matches('.');
    let mut chars = trimmed.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// `` `a`, `b`, `c` `` for a message listing the allowed names.
fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `text` is a code of lowercase letters, digits and `separator`, starting with a letter.
fn is_code(text: &str, separator: char) -> bool {
    let starts_with_letter = text.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let all_allowed = text
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == separator);
    starts_with_letter && all_allowed && text.len() <= CODE_LENGTH_MAX
}

fn read_id(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<AgreementId> {
    let (text, span) = reader.string_fact(value, "id")?;
    AgreementId::parse(text)
        .map_err(|message| reader.error(&span, "id", message))
        .ok()
}

/// Reads a one-line, non-empty name such as a title.
fn read_name(reader: &mut Reader<'_>, value: &Value<'_>, path: &str, what: &str) -> Option<String> {
    let (text, span) = reader.string_fact(value, path)?;
    if text.trim().is_empty() {
        reader.error(&span, path, format!("the {what} is empty"));
        return None;
    }
    if let Err(message) = crate::check_text(text) {
        reader.error(
            &span,
            path,
            format!("the {what} must be one line: {message}"),
        );
        return None;
    }
    if text.chars().count() > NAME_LENGTH_MAX {
        reader.error(
            &span,
            path,
            format!("the {what} is longer than {NAME_LENGTH_MAX} characters"),
        );
        return None;
    }
    Some(text.to_owned())
}

fn read_title(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<String> {
    read_name(reader, value, "title", "title")
}

fn read_country(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Option<(Country, Range<usize>)> {
    let (text, span) = reader.string_fact(value, path)?;
    match Country::parse(text) {
        Ok(country) => Some((country, span)),
        Err(message) => {
            reader.error(&span, path, message);
            None
        }
    }
}

fn read_parties(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<(Country, Country)> {
    let fields = reader.table(value, "parties", PARTIES_KEYS)?;
    let sending = fields
        .required(reader, "sending")
        .and_then(|value| read_country(reader, value, "parties.sending"));
    let receiving = fields
        .required(reader, "receiving")
        .and_then(|value| read_country(reader, value, "parties.receiving"));
    let ((sending, _), (receiving, receiving_span)) = (sending?, receiving?);
    if sending == receiving {
        reader.error(
            &receiving_span,
            "parties.receiving",
            format!("`{receiving}` is both the sending and the receiving state: a transfer needs two states"),
        );
        return None;
    }
    Some((sending, receiving))
}

/// Parses a quoted `YYYY-MM-DD` date within [`DATE_YEARS`].
fn parse_date(text: &str) -> Result<Date, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return Err(format!("`{text}` is not a date: write `YYYY-MM-DD`"));
    }
    let date: Date = text.parse().map_err(|_| {
        let year = text.get(0..4).and_then(|year| year.parse::<i16>().ok());
        let month = text.get(5..7).and_then(|month| month.parse::<i8>().ok());
        let days_in_month = year
            .zip(month)
            .and_then(|(year, month)| Date::new(year, month, 1).ok())
            .map(|first| first.days_in_month());
        match days_in_month {
            Some(days) => format!("`{text}` is not a calendar date: that month has {days} days"),
            None => format!("`{text}` is not a calendar date: months run from `01` to `12`"),
        }
    })?;
    if !DATE_YEARS.contains(&date.year()) {
        return Err(format!(
            "`{text}` is outside the years {} to {} corridor handles",
            DATE_YEARS.start(),
            DATE_YEARS.end()
        ));
    }
    Ok(date)
}

fn read_date(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Option<(Date, Range<usize>)> {
    let (text, span) = reader.string_fact(value, path)?;
    match parse_date(text) {
        Ok(date) => Some((date, span)),
        Err(message) => {
            reader.error(&span, path, message);
            None
        }
    }
}

fn read_status(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Option<(AgreementStatus, Range<usize>)> {
    let (text, span) = reader.string_fact(value, path)?;
    match AgreementStatus::parse(text) {
        Some(status) => Some((status, span)),
        None => {
            let names = quoted_list(AgreementStatus::ALL.map(AgreementStatus::as_str));
            reader.error(
                &span,
                path,
                format!("`{text}` is not a status: expected one of {names}"),
            );
            None
        }
    }
}

/// Reads the status history: oldest first, dates never going backwards, each step one the
/// lifecycle allows, starting at `negotiating` or `signed`.
fn read_status_history(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<Vec<StatusChange>> {
    let path = "status";
    let entries = reader.list(value, path)?;
    if entries.is_empty() {
        reader.error(
            &value.span(),
            path,
            "the status history is empty: add at least one entry",
        );
        return None;
    }
    let mut history = Vec::with_capacity(entries.len());
    // The last entry read whole. After an unreadable entry there is nothing sound to compare the
    // next one with, so it is reset rather than reporting errors that follow from the first.
    let mut previous: Option<StatusChange> = None;
    for (index, entry) in entries.iter().enumerate() {
        let entry_path = item(path, index);
        let Some(fields) = reader.table(entry, &entry_path, STATUS_KEYS) else {
            previous = None;
            continue;
        };
        let status_path = fields.path("status");
        let status = fields
            .required(reader, "status")
            .and_then(|value| read_status(reader, value, &status_path));
        let on_path = fields.path("on");
        let on = fields
            .required(reader, "on")
            .and_then(|value| read_date(reader, value, &on_path));

        if let Some((status, span)) = &status {
            let first_allowed = matches!(
                status,
                AgreementStatus::Negotiating | AgreementStatus::Signed
            );
            if index == 0 && !first_allowed {
                reader.error(
                    span,
                    &status_path,
                    format!(
                        "the history must start with `negotiating` or `signed`, not `{status}`"
                    ),
                );
            }
            if let Some(previous) = &previous
                && !previous.status.may_become(*status)
            {
                reader.error(
                    span,
                    &status_path,
                    transition_message(previous.status, *status),
                );
            }
        }
        if let (Some((on, span)), Some(previous)) = (&on, &previous)
            && *on < previous.on
        {
            reader.error(
                span,
                &on_path,
                format!(
                    "`{on}` is before the previous entry's `{}`: list the history oldest first",
                    previous.on
                ),
            );
        }
        previous = match (status, on) {
            (Some((status, _)), Some((on, _))) => {
                history.push(StatusChange { status, on });
                Some(StatusChange { status, on })
            }
            _ => None,
        };
    }
    Some(history)
}

/// Says why `from → to` is not a lifecycle step, and which steps would be.
fn transition_message(from: AgreementStatus, to: AgreementStatus) -> String {
    let allowed: Vec<&str> = AgreementStatus::ALL
        .into_iter()
        .filter(|next| from.may_become(*next))
        .map(AgreementStatus::as_str)
        .collect();
    if allowed.is_empty() {
        format!("an agreement cannot go from `{from}` to `{to}`: nothing follows `{from}`")
    } else {
        format!(
            "an agreement cannot go from `{from}` to `{to}`: after `{from}` comes {}",
            allowed
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    }
}

/// A set of names as read, with where the list was written and how many entries it had.
#[derive(Debug)]
struct SetFact<T> {
    set: BTreeSet<T>,
    span: Range<usize>,
    entries: usize,
}

/// Reads a list of distinct names into a set, reporting each bad or repeated entry.
fn read_set<T: Ord>(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<SetFact<T>> {
    let (entries, span) = reader.list_fact(value, path)?;
    let mut set = BTreeSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let entry_path = item(path, index);
        let Some(text) = reader.string(entry, &entry_path) else {
            continue;
        };
        match parse(text) {
            Ok(parsed) => {
                if !set.insert(parsed) {
                    reader.error(
                        &entry.span(),
                        &entry_path,
                        format!("`{text}` is listed twice"),
                    );
                }
            }
            Err(message) => reader.error(&entry.span(), &entry_path, message),
        }
    }
    Some(SetFact {
        set,
        span,
        entries: entries.len(),
    })
}

/// A parser for one of a closed list of snake_case names, naming them all when the text is none.
fn one_of<T>(
    what: &'static str,
    all: &'static [T],
    name: fn(&T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl Fn(&str) -> Result<T, String> {
    move |text| {
        parse(text).ok_or_else(|| {
            format!(
                "`{text}` is not {what}: expected one of {}",
                quoted_list(all.iter().map(name))
            )
        })
    }
}

fn read_eligibility(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<Eligibility> {
    let fields = reader.table(value, "eligibility", ELIGIBILITY_KEYS)?;
    let excluded_nationalities = fields
        .optional("excluded_nationalities")
        .and_then(|value| {
            read_set(
                reader,
                value,
                &fields.path("excluded_nationalities"),
                Country::parse,
            )
        })
        .map(|fact| fact.set)
        .unwrap_or_default();

    let age_path = fields.path("age_years_min");
    let age_years_min = fields.optional("age_years_min").and_then(|value| {
        let (years, span) = reader.integer_fact(value, &age_path)?;
        let age = u8::try_from(years)
            .ok()
            .filter(|_| (0..=AGE_YEARS_MAX).contains(&years));
        if age.is_none() {
            reader.error(
                &span,
                &age_path,
                format!("`{years}` is outside 0 to {AGE_YEARS_MAX} years"),
            );
        }
        age
    });

    let sexes_path = fields.path("sexes");
    let sexes = fields.optional("sexes").and_then(|value| {
        let parse = one_of("a sex", &Sex::ALL, |sex| sex.as_str(), Sex::parse);
        let fact = read_set(reader, value, &sexes_path, parse)?;
        if fact.entries == 0 {
            reader.error(
                &fact.span,
                &sexes_path,
                "an empty list allows nobody: leave `sexes` out to allow any sex",
            );
        }
        Some(fact.set)
    });

    let excluded_vulnerabilities = fields
        .optional("excluded_vulnerabilities")
        .and_then(|value| {
            let parse = one_of(
                "a vulnerability category",
                &Vulnerability::ALL,
                |vulnerability| vulnerability.as_str(),
                Vulnerability::parse,
            );
            read_set(
                reader,
                value,
                &fields.path("excluded_vulnerabilities"),
                parse,
            )
        })
        .map(|fact| fact.set)
        .unwrap_or_default();

    // Required, not defaulted: whether the receiving state vets each person is a safeguard, and a
    // forgotten line must not silently switch it off.
    let per_person_approval = fields
        .required(reader, "per_person_approval")
        .and_then(|value| reader.boolean_fact(value, &fields.path("per_person_approval")))
        .map(|(approval, _)| approval);
    // A third-country arrangement sends nobody to their own country: only a file that says so
    // (with its source) lets nationals of the receiving state be proposed.
    let receiving_state_nationals = fields
        .optional("receiving_state_nationals")
        .and_then(|value| reader.boolean_fact(value, &fields.path("receiving_state_nationals")))
        .is_some_and(|(allowed, _)| allowed);

    Some(Eligibility {
        excluded_nationalities,
        age_years_min,
        sexes,
        excluded_vulnerabilities,
        per_person_approval: per_person_approval?,
        receiving_state_nationals,
    })
}

/// Reads a cap on people: a positive whole number no larger than [`CAP_PEOPLE_MAX`].
fn read_cap(reader: &mut Reader<'_>, value: &Value<'_>, path: &str) -> Option<(u64, Range<usize>)> {
    let (count, span) = reader.integer_fact(value, path)?;
    let problem = if count < 0 {
        Some(format!("`{count}` is negative: a cap counts people"))
    } else if count == 0 {
        Some("a cap of `0` is absurd: it allows nobody; leave the cap out for no limit".to_owned())
    } else if count > CAP_PEOPLE_MAX {
        Some(format!(
            "`{count}` is absurd: no cap may exceed {CAP_PEOPLE_MAX} people"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        reader.error(&span, path, problem);
        return None;
    }
    u64::try_from(count).ok().map(|count| (count, span))
}

fn read_caps(reader: &mut Reader<'_>, value: &Value<'_>) -> Caps {
    let Some(fields) = reader.table(value, "caps", CAPS_KEYS) else {
        return Caps::default();
    };
    let total = fields
        .optional("transferred_total_max")
        .and_then(|value| read_cap(reader, value, &fields.path("transferred_total_max")));
    let present_path = fields.path("present_max");
    let present = fields
        .optional("present_max")
        .and_then(|value| read_cap(reader, value, &present_path));
    if let (Some((total, _)), Some((present, span))) = (&total, &present)
        && present > total
    {
        reader.error(
            span,
            &present_path,
            format!("`{present}` present at once is more than the `{total}` ever transferred (`caps.transferred_total_max`)"),
        );
    }
    Caps {
        transferred_total_max: total.map(|(count, _)| count),
        present_max: present.map(|(count, _)| count),
    }
}

/// A clock as read, with the text the file wrote (for messages) and where it was written.
#[derive(Debug, Clone)]
struct ClockFact<'a> {
    span: ClockSpan,
    text: &'a str,
    at: Range<usize>,
}

fn read_clock<'a>(
    reader: &mut Reader<'_>,
    value: &'a Value<'_>,
    path: &str,
) -> Option<ClockFact<'a>> {
    let (text, at) = reader.string_fact(value, path)?;
    match ClockSpan::parse(text) {
        Ok(span) => Some(ClockFact { span, text, at }),
        Err(message) => {
            reader.error(&at, path, message);
            None
        }
    }
}

/// Whether `later` ends strictly after `earlier` from every start day of a calendar cycle.
fn ends_after_from_every_start(later: ClockSpan, earlier: ClockSpan) -> bool {
    from_every_start(later.span(), earlier.span(), |a, b| a > b)
}

/// Whether `longer` ends no earlier than `shorter` from every start day of a calendar cycle.
fn ends_no_earlier_from_every_start(longer: Span, shorter: Span) -> bool {
    from_every_start(longer, shorter, |a, b| a >= b)
}

/// Whether the ends of `a` and `b` satisfy `holds` from every start day of a calendar cycle.
///
/// Spans without years or months have the same length from every start (a civil day is always
/// 24 hours, a week 7 days), so one start decides for all. With years or months, the days 2 to 28
/// of a month are skipped: adding years and months to such a day lands on the same day of the
/// target month (no clamping to a month's end), so the distance between the two ends is the
/// month lengths between the target months plus the spans' fixed parts, the same from the 1st as
/// from the 28th (jiff adds a span's calendar units first, then its days and time). The 1st and
/// the 29th to 31st of each month of the cycle are compared. Agreements are read from their
/// events at every command, so this matters for a command's start-up (docs/benchmarks.md, "CLI
/// start-up").
fn from_every_start(a: Span, b: Span, holds: fn(DateTime, DateTime) -> bool) -> bool {
    let compare = |day: Date| {
        let start = day.to_datetime(Time::midnight());
        matches!(
            (start.checked_add(a), start.checked_add(b)),
            (Ok(a_end), Ok(b_end)) if holds(a_end, b_end)
        )
    };
    let fixed = |span: Span| span.get_years() == 0 && span.get_months() == 0;
    if fixed(a) && fixed(b) {
        return compare(CALENDAR_CYCLE_START);
    }
    (0..CALENDAR_CYCLE_MONTHS).all(|month| {
        let Ok(first) = CALENDAR_CYCLE_START.checked_add(Span::new().months(month)) else {
            return false;
        };
        [1, 29, 30, 31]
            .into_iter()
            .filter(|day| *day <= first.days_in_month())
            .all(|day| first.with().day(day).build().is_ok_and(compare))
    })
}

fn read_clocks(reader: &mut Reader<'_>, value: &Value<'_>) -> Clocks {
    let Some(fields) = reader.table(value, "clocks", CLOCKS_KEYS) else {
        return Clocks::default();
    };
    let clock = |reader: &mut Reader<'_>, key: &str| {
        fields
            .optional(key)
            .and_then(|value| read_clock(reader, value, &fields.path(key)))
    };
    let notice_lead_time = clock(reader, "notice_lead_time");
    let fear_claim_window = clock(reader, "fear_claim_window");
    let reply_deadline = clock(reader, "reply_deadline");
    let transfer_deadline = clock(reader, "transfer_deadline");
    let support_period = clock(reader, "support_period");
    let detention_validation = clock(reader, "detention_validation");
    let finding_response = clock(reader, "finding_response");
    let departure_window_before = clock(reader, "departure_window_before");
    let departure_window_after = clock(reader, "departure_window_after");
    let restarts_path = fields.path("earlier_schedule_restarts_notice");
    let earlier_schedule_restarts_notice = fields
        .optional("earlier_schedule_restarts_notice")
        .and_then(|value| reader.boolean_fact(value, &restarts_path))
        .is_none_or(|(restarts, _)| restarts);

    let silence_path = fields.path("silence_accepts");
    let silence_accepts = fields
        .optional("silence_accepts")
        .and_then(|value| reader.boolean_fact(value, &silence_path));
    if let Some((true, span)) = &silence_accepts
        && fields.optional("reply_deadline").is_none()
    {
        reader.error(
            span,
            &silence_path,
            "silence cannot accept a request without a `reply_deadline` to wait for",
        );
    }

    let transfer_deadline_extensions = fields
        .optional("transfer_deadline_extensions")
        .map(|value| {
            let base = Base {
                written: fields.optional("transfer_deadline").is_some(),
                clock: transfer_deadline.clone(),
            };
            read_extensions(
                reader,
                value,
                &fields.path("transfer_deadline_extensions"),
                base,
            )
        })
        .unwrap_or_default();
    let welfare_checks = fields
        .optional("welfare_checks")
        .map(|value| read_welfare_checks(reader, value, &fields.path("welfare_checks")))
        .unwrap_or_default();
    let welfare_schedule = fields
        .optional("welfare_schedule")
        .map(|value| read_welfare_schedule(reader, value, &fields.path("welfare_schedule")))
        .unwrap_or_default();
    let whereabouts_alert_after = clock(reader, "whereabouts_alert_after");

    Clocks {
        notice_lead_time: notice_lead_time.map(|clock| clock.span),
        fear_claim_window: fear_claim_window.map(|clock| clock.span),
        reply_deadline: reply_deadline.map(|clock| clock.span),
        silence_accepts: silence_accepts.is_some_and(|(accepts, _)| accepts),
        transfer_deadline: transfer_deadline.map(|clock| clock.span),
        transfer_deadline_extensions,
        welfare_checks,
        welfare_schedule,
        whereabouts_alert_after: whereabouts_alert_after.map(|clock| clock.span),
        support_period: support_period.map(|clock| clock.span),
        detention_validation: detention_validation.map(|clock| clock.span),
        finding_response: finding_response.map(|clock| clock.span),
        departure_window_before: departure_window_before.map(|clock| clock.span),
        departure_window_after: departure_window_after.map(|clock| clock.span),
        earlier_schedule_restarts_notice,
    }
}

/// The base transfer deadline that extensions lengthen.
#[derive(Debug)]
struct Base<'a> {
    /// Whether the file sets one at all (it may be set but unreadable, already reported).
    written: bool,
    /// The deadline, when it was read.
    clock: Option<ClockFact<'a>>,
}

fn read_extensions(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
    base: Base<'_>,
) -> Vec<DeadlineExtension> {
    let Some(entries) = reader.list(value, path) else {
        return Vec::new();
    };
    if !base.written && !entries.is_empty() {
        reader.error(
            &value.span(),
            path,
            "an extension needs a base `transfer_deadline` to extend",
        );
    }
    let mut extensions = Vec::with_capacity(entries.len());
    let mut reasons = BTreeSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let entry_path = item(path, index);
        let Some(fields) = reader.table(entry, &entry_path, EXTENSION_KEYS) else {
            continue;
        };
        let reason_path = fields.path("reason");
        let reason = fields.required(reader, "reason").and_then(|value| {
            let (text, span) = reader.string_fact(value, &reason_path)?;
            if !is_code(text, '_') {
                reader.error(
                    &span,
                    &reason_path,
                    format!("`{text}` is not a reason code: use 1 to {CODE_LENGTH_MAX} lowercase letters, digits and `_`, starting with a letter"),
                );
                return None;
            }
            if !reasons.insert(text.to_owned()) {
                reader.error(&span, &reason_path, format!("`{text}` is listed twice"));
            }
            Some(text.to_owned())
        });
        let deadline_path = fields.path("deadline");
        let deadline = fields
            .required(reader, "deadline")
            .and_then(|value| read_clock(reader, value, &deadline_path));
        if let (Some(deadline), Some(base)) = (&deadline, &base.clock)
            && !ends_after_from_every_start(deadline.span, base.span)
        {
            reader.error(
                &deadline.at,
                &deadline_path,
                format!(
                    "`{}` is not longer than the base `transfer_deadline` of `{}` from every start day: an extension must lengthen the deadline",
                    deadline.text, base.text
                ),
            );
        }
        if let (Some(reason), Some(deadline)) = (reason, deadline) {
            extensions.push(DeadlineExtension {
                reason,
                deadline: deadline.span,
            });
        }
    }
    extensions
}

fn read_welfare_checks(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Vec<WelfareCheckRule> {
    let Some(entries) = reader.list(value, path) else {
        return Vec::new();
    };
    let mut checks = Vec::with_capacity(entries.len());
    // The offset of the last entry read, to keep the schedule in order; a window longer than the
    // gap to the next check is fine (checks may overlap), an offset out of order is not.
    let mut previous_offset: Option<ClockFact<'_>> = None;
    for (index, entry) in entries.iter().enumerate() {
        let entry_path = item(path, index);
        let Some(fields) = reader.table(entry, &entry_path, WELFARE_CHECK_KEYS) else {
            previous_offset = None;
            continue;
        };
        let offset_path = fields.path("offset");
        let offset = fields
            .required(reader, "offset")
            .and_then(|value| read_clock(reader, value, &offset_path));
        let window = fields
            .required(reader, "window")
            .and_then(|value| read_clock(reader, value, &fields.path("window")));
        if let (Some(offset), Some(previous)) = (&offset, &previous_offset) {
            if offset.span == previous.span {
                reader.error(
                    &offset.at,
                    &offset_path,
                    format!("`{}` repeats the previous check's offset", offset.text),
                );
            } else if !ends_after_from_every_start(offset.span, previous.span) {
                reader.error(
                    &offset.at,
                    &offset_path,
                    format!(
                        "`{}` does not come after the previous check's `{}` from every start day: list welfare checks by increasing offset",
                        offset.text, previous.text
                    ),
                );
            }
        }
        if let (Some(offset), Some(window)) = (&offset, &window) {
            checks.push(WelfareCheckRule {
                offset: offset.span,
                window: window.span,
            });
        }
        previous_offset = offset;
    }
    checks
}

/// The first day of the calendar cycle as a moment, to count a rule's checks from.
fn cycle_start() -> jiff::Timestamp {
    CALENDAR_CYCLE_START
        .to_datetime(Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_or(jiff::Timestamp::UNIX_EPOCH, |zoned| zoned.timestamp())
}

fn read_welfare_schedule(
    reader: &mut Reader<'_>,
    value: &Value<'_>,
    path: &str,
) -> Vec<WelfareScheduleRule> {
    let Some(entries) = reader.list(value, path) else {
        return Vec::new();
    };
    let mut rules = Vec::with_capacity(entries.len());
    // The `until` of the rule before, to keep the rules in order and apart.
    let mut previous_until: Option<ClockFact<'_>> = None;
    for (index, entry) in entries.iter().enumerate() {
        let entry_path = item(path, index);
        let Some(fields) = reader.table(entry, &entry_path, WELFARE_SCHEDULE_KEYS) else {
            previous_until = None;
            continue;
        };
        let read = |reader: &mut Reader<'_>, key: &str, required: bool| {
            let value = if required {
                fields.required(reader, key)
            } else {
                fields.optional(key)
            };
            value.and_then(|value| read_clock(reader, value, &fields.path(key)))
        };
        let every = read(reader, "every", true);
        let from = read(reader, "from", false).or_else(|| {
            // `from` defaults to `every`: the first check one period after arrival.
            fields
                .optional("from")
                .is_none()
                .then(|| every.clone())
                .flatten()
        });
        let until = read(reader, "until", true);
        let window = read(reader, "window", true);
        let (Some(every), Some(from), Some(until), Some(window)) = (every, from, until, window)
        else {
            previous_until = None;
            continue;
        };
        let rule = ScheduleFacts {
            every,
            from,
            until,
            window,
        };
        let valid = check_schedule_rule(reader, &rule, &entry_path, previous_until.as_ref());
        previous_until = Some(rule.until.clone());
        if valid {
            rules.push(WelfareScheduleRule {
                every: rule.every.span,
                from: rule.from.span,
                until: rule.until.span,
                window: rule.window.span,
            });
        }
    }
    rules
}

/// A recurring welfare check rule as read, before its checks across fields.
struct ScheduleFacts<'a> {
    every: ClockFact<'a>,
    from: ClockFact<'a>,
    until: ClockFact<'a>,
    window: ClockFact<'a>,
}

/// Checks one recurring rule at `path`, reporting each problem at its field;
/// whether it is sound.
fn check_schedule_rule(
    reader: &mut Reader<'_>,
    rule: &ScheduleFacts<'_>,
    path: &str,
    previous_until: Option<&ClockFact<'_>>,
) -> bool {
    let at = |key: &str| child(path, key);
    let ScheduleFacts {
        every,
        from,
        until,
        window,
    } = rule;
    let mut sound = true;
    if !ends_no_earlier_from_every_start(every.span.span(), Span::new().days(1)) {
        reader.error(
            &every.at,
            &at("every"),
            format!(
                "`{}` is shorter than a day: no monitor visits that often",
                every.text
            ),
        );
        return false;
    }
    if !ends_no_earlier_from_every_start(until.span.span(), from.span.span()) {
        reader.error(
            &until.at,
            &at("until"),
            format!(
                "`{}` ends before `from` (`{}`) from some start day: the rule would schedule no check",
                until.text, from.text
            ),
        );
        sound = false;
    }
    let doubled = window
        .span
        .span()
        .checked_mul(2)
        .unwrap_or(Span::new().years(20));
    if !ends_no_earlier_from_every_start(every.span.span(), doubled) {
        reader.error(
            &window.at,
            &at("window"),
            format!(
                "`{}` is more than half of `every` (`{}`) from some start day: a window opens before and closes after its check's due time, so consecutive windows would overlap",
                window.text, every.text
            ),
        );
        sound = false;
    }
    if let Some(previous) = previous_until
        && !ends_after_from_every_start(from.span, previous.span)
    {
        reader.error(
            &from.at,
            &at("from"),
            format!(
                "`{}` does not come after the previous rule's `until` (`{}`) from every start day: list recurring checks in order, one rule after the other",
                from.text, previous.text
            ),
        );
        sound = false;
    }
    let probe = WelfareScheduleRule {
        every: every.span,
        from: from.span,
        until: until.span,
        window: window.span,
    };
    if sound && probe.due_times(cycle_start()).len() >= WelfareScheduleRule::CHECKS_MAX {
        reader.error(
            &every.at,
            &at("every"),
            format!(
                "`{}` from `{}` until `{}` makes {} checks or more, more than a schedule may have",
                every.text,
                from.text,
                until.text,
                WelfareScheduleRule::CHECKS_MAX
            ),
        );
        sound = false;
    }
    sound
}

fn read_onward(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<OnwardRule> {
    let fields = reader.table(value, "onward", ONWARD_KEYS)?;
    let rule_path = fields.path("rule");
    let (text, span) = fields
        .required(reader, "rule")
        .and_then(|value| reader.string_fact(value, &rule_path))?;
    let parse = one_of(
        "an onward rule",
        &OnwardRule::ALL,
        |rule| rule.as_str(),
        OnwardRule::parse,
    );
    parse(text)
        .map_err(|message| reader.error(&span, &rule_path, message))
        .ok()
}

fn read_sharing(reader: &mut Reader<'_>, value: &Value<'_>) -> BTreeSet<SharedField> {
    let Some(fields) = reader.table(value, "sharing", SHARING_KEYS) else {
        return BTreeSet::new();
    };
    let parse = one_of(
        "a shared field",
        &SharedField::ALL,
        |field| field.as_str(),
        SharedField::parse,
    );
    fields
        .required(reader, "fields")
        .and_then(|value| read_set(reader, value, &fields.path("fields"), parse))
        .map(|fact| fact.set)
        .unwrap_or_default()
}

fn read_statistics(reader: &mut Reader<'_>, value: &Value<'_>) -> BTreeSet<StatisticsBreakdown> {
    let Some(fields) = reader.table(value, "statistics", STATISTICS_KEYS) else {
        return BTreeSet::new();
    };
    let parse = one_of(
        "a statistics breakdown",
        &StatisticsBreakdown::ALL,
        |breakdown| breakdown.as_str(),
        StatisticsBreakdown::parse,
    );
    fields
        .required(reader, "breakdowns")
        .and_then(|value| read_set(reader, value, &fields.path("breakdowns"), parse))
        .map(|fact| fact.set)
        .unwrap_or_default()
}

fn read_monitoring(reader: &mut Reader<'_>, value: &Value<'_>) -> Option<MonitoringBody> {
    let fields = reader.table(value, "monitoring", MONITORING_KEYS)?;
    let id_path = fields.path("id");
    let id = fields.required(reader, "id").and_then(|value| {
        let (text, span) = reader.string_fact(value, &id_path)?;
        if !is_code(text, '-') {
            reader.error(
                &span,
                &id_path,
                format!("`{text}` is not a monitoring body id: use 1 to {CODE_LENGTH_MAX} lowercase letters, digits and `-`, starting with a letter"),
            );
            return None;
        }
        Some(text.to_owned())
    });
    let name_path = fields.path("name");
    let name = fields
        .required(reader, "name")
        .and_then(|value| read_name(reader, value, &name_path, "name"));
    Some(MonitoringBody {
        id: id?,
        name: name?,
    })
}
