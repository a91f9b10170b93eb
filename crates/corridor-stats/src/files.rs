//! The files of a release, written from a [`Release`] alone, byte for byte the same for the same
//! release (no clock, no random draw, no map iteration order):
//!
//! - `statistics.json`: the release itself, pretty-printed ([`JSON_FILE`]);
//! - `statistics.csv`: one row per cell, with an HXL hashtag row under the header ([`CSV_FILE`]);
//! - `datapackage.json`: a Frictionless Data Package describing both ([`DATAPACKAGE_FILE`]);
//! - `chart-<agreement>.svg`: per agreement, a bar chart of the measures' totals
//!   (`chart-court-holds.svg` for the court holds counted under no agreement).
//!
//! The signed manifest over their hashes is [`crate::manifest`]; it is written last, as
//! `release.note`, beside them.
//!
//! # The CSV's columns and their HXL hashtags
//!
//! HXL core hashtags and attributes where the HXL 1.1 dictionary has them (`#activity`,
//! `#country`, `#date`, `#indicator`, `#meta`, `+code`, `+origin`, `+start`, `+end`, `+num`,
//! `+value`); the attributes marked *project* are corridor's own, as HXL allows.
//!
//! | column | hashtag | what it holds |
//! |---|---|---|
//! | `agreement` | `#activity +code` | the agreement's id (`-` for court holds) |
//! | `sending` | `#country +code +sending` (*project* `+sending`) | ISO 3166-1 alpha-3 |
//! | `receiving` | `#country +code +receiving` (*project* `+receiving`) | ISO 3166-1 alpha-3 |
//! | `period` | `#meta +period` (*project* `+period`) | the period's label (`2026-Q4`) |
//! | `period_start` | `#date +start` | its first month, `YYYY-MM` |
//! | `period_end` | `#date +end` | its last month, `YYYY-MM` |
//! | `measure` | `#indicator +code` | the measure's name |
//! | `nationality` | `#country +code +origin` | ISO 3166-1 alpha-3 or `other`; empty if not broken down |
//! | `sex` | `#meta +sex` (*project* `+sex`) | `f`, `m`, `x`; empty if not broken down |
//! | `age_band` | `#meta +age_band` (*project* `+age_band`) | `0-17` ... `50+`; empty if not broken down |
//! | `detail_key` | `#meta +detail +key` (*project*) | which detail of the measure (`code`, `scope`, ...) |
//! | `detail_value` | `#meta +detail +value` (*project* `+detail`) | its value |
//! | `value` | `#indicator +value +num` | the published count; empty when suppressed |
//! | `status` | `#meta +status` (*project* `+status`) | `exact`, `rounded` or `suppressed` |
//!
//! A cell's breakdown is at most one detail plus any of nationality, sex and age band; a
//! breakdown key outside these is refused ([`StatsError::Write`]).

use std::fmt::Write as _;

use plotters::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::StatsError;
use crate::measure::{MEASURES, NO_AGREEMENT, measure};
use crate::period::Period;
use crate::release::{AgreementInfo, RELEASE_FORMAT, Release, ReleaseCell, Value};

/// The release as JSON.
pub const JSON_FILE: &str = "statistics.json";
/// The release as CSV with HXL hashtags.
pub const CSV_FILE: &str = "statistics.csv";
/// The Frictionless Data Package describing the data files.
pub const DATAPACKAGE_FILE: &str = "datapackage.json";
/// The signed manifest (written by whoever signs it, not by [`write`]).
pub const NOTE_FILE: &str = "release.note";
/// The license every release is published under.
pub const LICENSE: &str = "CC-BY-4.0";
/// The longest agreement id a file name is made of.
pub const AGREEMENT_ID_LENGTH_MAX: usize = 64;

/// The CSV's columns, in order.
pub const CSV_COLUMNS: [&str; 14] = [
    "agreement",
    "sending",
    "receiving",
    "period",
    "period_start",
    "period_end",
    "measure",
    "nationality",
    "sex",
    "age_band",
    "detail_key",
    "detail_value",
    "value",
    "status",
];

/// The HXL hashtag of each CSV column, in order.
pub const CSV_HASHTAGS: [&str; 14] = [
    "#activity+code",
    "#country+code+sending",
    "#country+code+receiving",
    "#meta+period",
    "#date+start",
    "#date+end",
    "#indicator+code",
    "#country+code+origin",
    "#meta+sex",
    "#meta+age_band",
    "#meta+detail+key",
    "#meta+detail+value",
    "#indicator+value+num",
    "#meta+status",
];

/// The breakdown keys of a person, each with its own CSV column.
const PERSON_KEYS: [&str; 3] = ["nationality", "sex", "age_band"];

/// One file of a release: its name in the release's directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFile {
    /// The file's name (no directory part).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Writes every file of a release (not its signed note), sorted by name.
///
/// # Errors
/// [`StatsError::Write`] when the release is not one corridor writes: another format, an
/// agreement id that cannot name a file, a cell of an unknown measure or period, or a breakdown
/// key no column holds.
pub fn write(release: &Release) -> Result<Vec<ReleaseFile>, StatsError> {
    check(release)?;
    let mut files = vec![
        ReleaseFile {
            name: JSON_FILE.to_owned(),
            bytes: json_bytes(release)?,
        },
        ReleaseFile {
            name: CSV_FILE.to_owned(),
            bytes: csv_bytes(release)?,
        },
        ReleaseFile {
            name: DATAPACKAGE_FILE.to_owned(),
            bytes: datapackage_bytes(release)?,
        },
    ];
    for agreement in chart_agreements(release) {
        files.push(ReleaseFile {
            name: chart_name(&agreement),
            bytes: chart(release, &agreement)?.into_bytes(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

fn write_error(file: &str, reason: impl Into<String>) -> StatsError {
    StatsError::Write {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

/// Checks what the files rely on.
fn check(release: &Release) -> Result<(), StatsError> {
    if release.format != RELEASE_FORMAT {
        return Err(write_error(
            JSON_FILE,
            format!("the format is `{}`, not `{RELEASE_FORMAT}`", release.format),
        ));
    }
    for agreement in &release.agreements {
        if !agreement_id_names_a_file(&agreement.id) {
            return Err(write_error(
                JSON_FILE,
                format!("agreement id `{}` cannot name a file", agreement.id),
            ));
        }
    }
    for cell in &release.cells {
        if cell.agreement != NO_AGREEMENT && !agreement_id_names_a_file(&cell.agreement) {
            return Err(write_error(
                JSON_FILE,
                format!("agreement id `{}` cannot name a file", cell.agreement),
            ));
        }
        if measure(&cell.measure).is_none() {
            return Err(write_error(
                CSV_FILE,
                format!("unknown measure `{}`", cell.measure),
            ));
        }
        Period::parse(&cell.period).map_err(|error| write_error(CSV_FILE, error.to_string()))?;
        breakdown_columns(&cell.breakdown)?;
    }
    Ok(())
}

/// Whether an agreement id is made of lowercase letters, digits and inner hyphens only.
fn agreement_id_names_a_file(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= AGREEMENT_ID_LENGTH_MAX
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

/// The release as pretty JSON, fields in their declared order, ending in a newline.
///
/// # Errors
/// [`StatsError::Write`] if serialisation fails.
pub fn json_bytes(release: &Release) -> Result<Vec<u8>, StatsError> {
    let mut bytes = serde_json::to_vec_pretty(release)
        .map_err(|error| write_error(JSON_FILE, error.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A cell's breakdown spread over the CSV's columns: nationality, sex, age band, detail key,
/// detail value.
fn breakdown_columns(breakdown: &[(String, String)]) -> Result<[String; 5], StatsError> {
    let mut person: [String; 3] = Default::default();
    let mut detail: Option<(String, String)> = None;
    for (key, value) in breakdown {
        if value.is_empty() {
            return Err(write_error(
                CSV_FILE,
                format!("breakdown `{key}` has an empty value"),
            ));
        }
        let column = PERSON_KEYS
            .iter()
            .position(|person| person == key)
            .and_then(|index| person.get_mut(index));
        match column {
            Some(column) => column.clone_from(value),
            None if MEASURES.iter().any(|m| m.detail == Some(key.as_str())) => {
                if detail.replace((key.clone(), value.clone())).is_some() {
                    return Err(write_error(CSV_FILE, "a cell has two details"));
                }
            }
            None => {
                return Err(write_error(
                    CSV_FILE,
                    format!("breakdown key `{key}` has no column"),
                ));
            }
        }
    }
    let [nationality, sex, age_band] = person;
    let (detail_key, detail_value) = detail.unwrap_or_default();
    Ok([nationality, sex, age_band, detail_key, detail_value])
}

/// The status word and the value text of a published value.
fn value_columns(value: Value) -> (&'static str, String) {
    match value {
        Value::Exact(count) => ("exact", count.to_string()),
        Value::Rounded(count) => ("rounded", count.to_string()),
        Value::Suppressed => ("suppressed", String::new()),
    }
}

/// The first and last month of a period label, or empty text.
fn period_bounds(label: &str) -> (String, String) {
    let months = Period::parse(label).map(|period| period.months());
    match months.as_deref() {
        Ok([first, .., last]) => (first.to_string(), last.to_string()),
        Ok([only]) => (only.to_string(), only.to_string()),
        _ => (String::new(), String::new()),
    }
}

fn agreement_info<'a>(release: &'a Release, id: &str) -> Option<&'a AgreementInfo> {
    release
        .agreements
        .iter()
        .find(|agreement| agreement.id == id)
}

/// The release as CSV: the header, the HXL hashtag row, then one row per cell in the release's
/// order.
///
/// # Errors
/// [`StatsError::Write`] for a breakdown no column holds.
pub fn csv_bytes(release: &Release) -> Result<Vec<u8>, StatsError> {
    let fail = |error: csv::Error| write_error(CSV_FILE, error.to_string());
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(CSV_COLUMNS).map_err(fail)?;
    writer.write_record(CSV_HASHTAGS).map_err(fail)?;
    for cell in &release.cells {
        let info = agreement_info(release, &cell.agreement);
        let (start, end) = period_bounds(&cell.period);
        let [nationality, sex, age_band, detail_key, detail_value] =
            breakdown_columns(&cell.breakdown)?;
        let (status, value) = value_columns(cell.value);
        writer
            .write_record([
                cell.agreement.as_str(),
                info.map_or("", |info| info.sending.as_str()),
                info.map_or("", |info| info.receiving.as_str()),
                cell.period.as_str(),
                &start,
                &end,
                cell.measure.as_str(),
                &nationality,
                &sex,
                &age_band,
                &detail_key,
                &detail_value,
                &value,
                status,
            ])
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|error| write_error(CSV_FILE, error.to_string()))
}

/// Why a release's CSV does not read back as cells.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{CSV_FILE}` line {line}, field `{field}`: {reason}")]
pub struct CsvReadError {
    /// The line (1 is the header).
    pub line: u64,
    /// The column.
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// One row of the CSV as read back: the cell and the columns that repeat what the cell implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// The cell.
    pub cell: ReleaseCell,
    /// The `sending` column.
    pub sending: String,
    /// The `receiving` column.
    pub receiving: String,
    /// The `period_start` column.
    pub period_start: String,
    /// The `period_end` column.
    pub period_end: String,
}

/// Reads a release's CSV back: the header and hashtag rows must be exactly [`CSV_COLUMNS`] and
/// [`CSV_HASHTAGS`]; each further row is one cell.
///
/// # Errors
/// [`CsvReadError`] naming the line and column.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, CsvReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 1;
        let record = record.map_err(|error| CsvReadError {
            line,
            field: "agreement",
            reason: error.to_string(),
        })?;
        let fields: Vec<&str> = record.iter().collect();
        match line {
            1 => expect_row(line, &fields, &CSV_COLUMNS)?,
            2 => expect_row(line, &fields, &CSV_HASHTAGS)?,
            _ => rows.push(read_row(line, &fields)?),
        }
    }
    if rows.is_empty() && reader.position().line() < 2 {
        return Err(CsvReadError {
            line: 1,
            field: "agreement",
            reason: "no header and hashtag rows".to_owned(),
        });
    }
    Ok(rows)
}

fn expect_row(line: u64, fields: &[&str], expected: &[&str; 14]) -> Result<(), CsvReadError> {
    for (index, column) in CSV_COLUMNS.iter().enumerate() {
        if fields.get(index) != expected.get(index) {
            return Err(CsvReadError {
                line,
                field: column,
                reason: format!(
                    "expected `{}`",
                    expected.get(index).copied().unwrap_or_default()
                ),
            });
        }
    }
    if fields.len() != expected.len() {
        return Err(CsvReadError {
            line,
            field: "status",
            reason: format!("{} fields, not {}", fields.len(), expected.len()),
        });
    }
    Ok(())
}

fn read_row(line: u64, fields: &[&str]) -> Result<CsvRow, CsvReadError> {
    if fields.len() != CSV_COLUMNS.len() {
        return Err(CsvReadError {
            line,
            field: "status",
            reason: format!("{} fields, not {}", fields.len(), CSV_COLUMNS.len()),
        });
    }
    let field = |index: usize| fields.get(index).copied().unwrap_or_default();
    let mut breakdown = Vec::new();
    for (index, key) in PERSON_KEYS.iter().enumerate() {
        let value = field(7 + index);
        if !value.is_empty() {
            breakdown.push(((*key).to_owned(), value.to_owned()));
        }
    }
    match (field(10), field(11)) {
        ("", "") => {}
        (key, value) if !key.is_empty() && !value.is_empty() => {
            breakdown.push((key.to_owned(), value.to_owned()));
        }
        _ => {
            return Err(CsvReadError {
                line,
                field: "detail_value",
                reason: "a detail needs both its key and its value".to_owned(),
            });
        }
    }
    breakdown.sort();
    let value = read_value(line, field(13), field(12))?;
    Ok(CsvRow {
        cell: ReleaseCell {
            agreement: field(0).to_owned(),
            period: field(3).to_owned(),
            measure: field(6).to_owned(),
            breakdown,
            value,
        },
        sending: field(1).to_owned(),
        receiving: field(2).to_owned(),
        period_start: field(4).to_owned(),
        period_end: field(5).to_owned(),
    })
}

fn read_value(line: u64, status: &str, value: &str) -> Result<Value, CsvReadError> {
    let count = || {
        // Canonical decimal only: `007` or `+7` would be a second spelling of one count.
        let canonical = value == "0" || (!value.starts_with('0') && !value.starts_with('+'));
        value
            .parse::<u64>()
            .ok()
            .filter(|_| canonical)
            .ok_or_else(|| CsvReadError {
                line,
                field: "value",
                reason: format!("`{value}` is not a count"),
            })
    };
    match status {
        "exact" => count().map(Value::Exact),
        "rounded" => count().map(Value::Rounded),
        "suppressed" if value.is_empty() => Ok(Value::Suppressed),
        "suppressed" => Err(CsvReadError {
            line,
            field: "value",
            reason: "a suppressed cell has no value".to_owned(),
        }),
        other => Err(CsvReadError {
            line,
            field: "status",
            reason: format!("`{other}` is not `exact`, `rounded` or `suppressed`"),
        }),
    }
}

/// One field of a Table Schema.
#[derive(Serialize)]
struct Field {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraints: Option<serde_json::Value>,
    /// The column's HXL hashtag (a property of corridor's own, as Table Schema allows).
    hxl: &'static str,
}

/// The description of each CSV column, in order.
const CSV_DESCRIPTIONS: [&str; 14] = [
    "The agreement's id; `-` for court holds, which can span agreements.",
    "The sending state, ISO 3166-1 alpha-3.",
    "The receiving state, ISO 3166-1 alpha-3.",
    "The period's label: a month `2026-11`, a quarter `2026-Q4`, a year `2026`, or `2025-08..2026-11`.",
    "The period's first month.",
    "The period's last month.",
    "The measure's name.",
    "The nationality (ISO 3166-1 alpha-3, or `other`); empty when the cell is not broken down by it.",
    "Sex: `f`, `m` or `x`; empty when the cell is not broken down by it.",
    "Age band at proposal; empty when the cell is not broken down by it.",
    "Which detail of the measure the cell is broken down by (`code`, `scope`, ...); empty for none.",
    "The detail's value.",
    "The published count; empty when suppressed.",
    "`exact` (the public log already discloses it), `rounded` (to a multiple of the base) or `suppressed`.",
];

fn csv_schema() -> serde_json::Value {
    let fields: Vec<Field> = CSV_COLUMNS
        .iter()
        .zip(CSV_HASHTAGS)
        .zip(CSV_DESCRIPTIONS)
        .map(|((name, hashtag), description)| Field {
            name,
            kind: match *name {
                "value" => "integer",
                "period_start" | "period_end" => "yearmonth",
                _ => "string",
            },
            description,
            constraints: match *name {
                "value" => Some(json!({"minimum": 0})),
                "status" => {
                    Some(json!({"required": true, "enum": ["exact", "rounded", "suppressed"]}))
                }
                "agreement" | "period" | "measure" => Some(json!({"required": true})),
                _ => None,
            },
            hxl: hashtag,
        })
        .collect();
    json!({
        "fields": fields,
        "missingValues": [""],
    })
}

/// The Frictionless Data Package (v1 `data-package` profile) describing the two data files:
/// the CSV as a `tabular-data-resource` with its Table Schema, and the JSON (a document, not a
/// table) as a `data-resource` whose schema describes its `cells`.
///
/// # Errors
/// [`StatsError::Write`] if serialisation fails.
pub fn datapackage_bytes(release: &Release) -> Result<Vec<u8>, StatsError> {
    let checkpoint = &release.checkpoint;
    let package = json!({
        "profile": "data-package",
        "name": package_name(&release.id),
        "id": release.id,
        "version": release.id,
        "title": format!("corridor statistics, release {}", release.id),
        "description": format!(
            "Protected statistics of third-country transfer arrangements for {}, computed from the public transparency log `{}` at size {} (root {}). Counts under {} are suppressed; counts the log does not already disclose are rounded to a multiple of {}.",
            release.period, checkpoint.origin, checkpoint.size, checkpoint.root, release.threshold, release.base
        ),
        "licenses": [{
            "name": LICENSE,
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }],
        "sources": [{
            "title": format!("{} at size {}, root {}", checkpoint.origin, checkpoint.size, checkpoint.root),
            "path": checkpoint.origin,
        }],
        "keywords": ["HXL", "migration", "third-country transfer", "transparency log"],
        "resources": [csv_resource(), json_resource()],
    });
    let mut bytes = serde_json::to_vec_pretty(&package)
        .map_err(|error| write_error(DATAPACKAGE_FILE, error.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A Data Package `name`: lowercase letters, digits, `-`, `.` and `_` only.
fn package_name(release_id: &str) -> String {
    let id: String = release_id
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("corridor-statistics-{id}")
}

fn csv_resource() -> serde_json::Value {
    json!({
        "name": "statistics-csv",
        "path": CSV_FILE,
        "profile": "tabular-data-resource",
        "title": "Every published cell, one per row, with HXL hashtags",
        "description": "One row per published cell. The second row holds the HXL hashtag of each column (https://hxlstandard.org/); a reader that does not know HXL skips it as a comment row.",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {
            "delimiter": ",",
            "lineTerminator": "\r\n",
            "header": true,
            "headerRows": [1],
            "commentRows": [2],
        },
        "schema": csv_schema(),
    })
}

fn json_resource() -> serde_json::Value {
    json!({
        "name": "statistics-json",
        "path": JSON_FILE,
        "profile": "data-resource",
        "title": "The release as one JSON document",
        "description": "The release: its format, id, period, the log checkpoint it was computed at, the suppression threshold and rounding base, the agreements, and `cells`, each described by this schema.",
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": "agreement", "type": "string", "description": CSV_DESCRIPTIONS[0]},
                {"name": "period", "type": "string", "description": CSV_DESCRIPTIONS[3]},
                {"name": "measure", "type": "string", "description": CSV_DESCRIPTIONS[6]},
                {"name": "breakdown", "type": "array", "description": "The breakdown as [key, value] pairs sorted by key; empty for the measure's total."},
                {"name": "value", "type": "object", "description": "{\"status\": \"exact\" | \"rounded\", \"value\": count} or {\"status\": \"suppressed\"}."},
            ],
        },
    })
}

/// The agreements that get a chart: every agreement of the release, then the court holds when
/// the release counts any.
fn chart_agreements(release: &Release) -> Vec<String> {
    let mut agreements: Vec<String> = release.agreements.iter().map(|a| a.id.clone()).collect();
    if release
        .cells
        .iter()
        .any(|cell| cell.agreement == NO_AGREEMENT)
    {
        agreements.push(NO_AGREEMENT.to_owned());
    }
    agreements
}

/// The file name of an agreement's chart.
pub fn chart_name(agreement: &str) -> String {
    if agreement == NO_AGREEMENT {
        "chart-court-holds.svg".to_owned()
    } else {
        format!("chart-{agreement}.svg")
    }
}

/// The chart's width in pixels.
const CHART_WIDTH: u32 = 800;
/// The height of one bar's row.
const CHART_ROW_HEIGHT: u32 = 26;
/// The space above the bars (the title).
const CHART_TOP: u32 = 60;
/// The space left of the bars (the measures' names).
const CHART_LEFT: i32 = 230;

/// A horizontal bar chart of an agreement's measure totals: exact and rounded counts as bars
/// with their number (`≈` before a rounded one), suppressed ones as the word, with an SVG
/// `<title>` and `<desc>` for screen readers.
fn chart(release: &Release, agreement: &str) -> Result<String, StatsError> {
    let totals: Vec<&ReleaseCell> = release
        .cells
        .iter()
        .filter(|cell| cell.agreement == agreement && cell.breakdown.is_empty())
        .collect();
    let rows = u32::try_from(totals.len().max(1)).unwrap_or(u32::MAX / 2);
    let height = CHART_TOP + rows.saturating_mul(CHART_ROW_HEIGHT) + 20;
    let title = chart_title(release, agreement);
    let name = chart_name(agreement);
    let mut svg = String::new();
    draw_chart(&mut svg, (CHART_WIDTH, height), &title, &totals)
        .map_err(|reason| write_error(&name, reason))?;
    let desc = chart_description(&totals);
    Ok(with_title(&svg, &title, &desc))
}

fn chart_title(release: &Release, agreement: &str) -> String {
    match agreement_info(release, agreement) {
        Some(info) => format!(
            "{} ({} to {}), {}",
            info.id, info.sending, info.receiving, release.period
        ),
        None => format!("Court holds over all agreements, {}", release.period),
    }
}

fn value_label(value: Value) -> String {
    match value {
        Value::Exact(count) => count.to_string(),
        Value::Rounded(count) => format!("≈{count}"),
        Value::Suppressed => "suppressed".to_owned(),
    }
}

fn chart_description(totals: &[&ReleaseCell]) -> String {
    let mut text = String::from("Totals per measure: ");
    for (index, cell) in totals.iter().enumerate() {
        if index > 0 {
            text.push_str("; ");
        }
        let _ = write!(
            text,
            "{} {} ({})",
            cell.measure,
            value_label(cell.value),
            cell.period
        );
    }
    text.push_str(". ≈ marks a count rounded to a multiple of the base.");
    text
}

fn draw_chart(
    svg: &mut String,
    size: (u32, u32),
    title: &str,
    totals: &[&ReleaseCell],
) -> Result<(), String> {
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    let fail = |error: DrawingAreaErrorKind<_>| error.to_string();
    root.fill(&WHITE).map_err(fail)?;
    root.draw(&Text::new(
        title.to_owned(),
        (20, 20),
        ("sans-serif", 20).into_font(),
    ))
    .map_err(fail)?;
    let largest = totals
        .iter()
        .filter_map(|cell| match cell.value {
            Value::Exact(count) | Value::Rounded(count) => Some(count),
            Value::Suppressed => None,
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let bar_space = i32::try_from(size.0).unwrap_or(0) - CHART_LEFT - 120;
    let row_height = i32::try_from(CHART_ROW_HEIGHT).unwrap_or(0);
    let mut y = i32::try_from(CHART_TOP).unwrap_or(0);
    let label_style = ("sans-serif", 14).into_font();
    for cell in totals {
        root.draw(&Text::new(
            cell.measure.clone(),
            (10, y + 5),
            label_style.clone(),
        ))
        .map_err(fail)?;
        let length = match cell.value {
            Value::Exact(count) | Value::Rounded(count) => bar_length(count, largest, bar_space),
            Value::Suppressed => 0,
        };
        if length > 0 {
            root.draw(&Rectangle::new(
                [(CHART_LEFT, y), (CHART_LEFT + length, y + row_height - 6)],
                RGBColor(31, 119, 180).filled(),
            ))
            .map_err(fail)?;
        }
        root.draw(&Text::new(
            value_label(cell.value),
            (CHART_LEFT + length + 6, y + 5),
            label_style.clone(),
        ))
        .map_err(fail)?;
        y += row_height;
    }
    root.present().map_err(fail)?;
    Ok(())
}

/// The bar of `count` when `largest` fills `space` pixels.
fn bar_length(count: u64, largest: u64, space: i32) -> i32 {
    let space = u64::try_from(space.max(0)).unwrap_or(0);
    i32::try_from(count.saturating_mul(space) / largest.max(1)).unwrap_or(0)
}

/// Adds `role="img"`, `aria-labelledby`, `<title>` and `<desc>` to the SVG plotters wrote.
fn with_title(svg: &str, title: &str, desc: &str) -> String {
    let Some(open) = svg.find("<svg") else {
        return svg.to_owned();
    };
    let Some(end) = svg
        .get(open..)
        .and_then(|rest| rest.find('>'))
        .map(|end| open + end)
    else {
        return svg.to_owned();
    };
    let (head, tail) = svg.split_at(end);
    let tail = tail.strip_prefix('>').unwrap_or(tail);
    format!(
        "{head} role=\"img\" aria-labelledby=\"chart-title chart-desc\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>{tail}",
        xml_escape(title),
        xml_escape(desc)
    )
}

fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}
