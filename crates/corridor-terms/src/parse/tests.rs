//! Tests for the agreement-file parser: one `check` helper, the file in and the outcome as text.

use toml::de::{DeTable, DeValue};

use super::*;

/// A minimal valid agreement, six lines long: tests replace one of its lines with [`with_line`]
/// or append lines (from line 7 on) with [`with`].
const BASE: &str = r#"id = "test-agreement"
title = "Test agreement"
parties = { sending = "GBR", receiving = "RWA" }
status = [{ status = "signed", on = "2024-01-01" }]
eligibility = { per_person_approval = true }
onward = { rule = "sending_state_only" }
"#;

/// The shipped agreement files, by name.
const SHIPPED: [(&str, &str); 4] = [
    (
        "us-rwa-2025.toml",
        include_str!("../../../../agreements/us-rwa-2025.toml"),
    ),
    (
        "gbr-rwa-2024.toml",
        include_str!("../../../../agreements/gbr-rwa-2024.toml"),
    ),
    (
        "ita-alb-2023.toml",
        include_str!("../../../../agreements/ita-alb-2023.toml"),
    ),
    (
        "dublin-iii-profile.toml",
        include_str!("../../../../agreements/dublin-iii-profile.toml"),
    ),
];

/// The format documentation, whose annotated example must parse.
const FORMAT_DOC: &str = include_str!("../../../../docs/agreements.md");

/// [`BASE`] with `extra` appended, starting on line 7.
fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

/// [`BASE`] with its line `number` (1-based) replaced by `replacement`.
fn with_line(number: usize, replacement: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[number - 1] = replacement;
    lines.join("\n") + "\n"
}

/// Parses `input` as `test.toml` and compares the outcome with `expected`: `ok`, or the errors
/// one per line as `file:line:column: `field`: message` (leading indentation ignored).
fn check(input: &str, expected: &str) {
    let actual = match parse_agreement("test.toml", input) {
        Ok(_) => "ok".to_owned(),
        Err(errors) => errors.to_string(),
    };
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    assert_eq!(
        actual_lines, expected,
        "\ninput:\n{input}\nactual:\n{actual}\n"
    );
}

/// Parses `input`, which must be valid.
fn parse_ok(file: &str, input: &str) -> Agreement {
    match parse_agreement(file, input) {
        Ok(agreement) => agreement,
        Err(errors) => panic!("{file} should parse:\n{errors}"),
    }
}

/// The dotted paths of every fact a file sets, read from the raw TOML independently of the
/// parser: leaves, and facts written as `{ value, source }`. `id` and `title` are names, not facts.
fn fact_paths(text: &str) -> Vec<String> {
    fn walk(table: &DeTable<'_>, path: &str, out: &mut Vec<String>) {
        for (key, value) in table.iter() {
            let key: &str = key.get_ref();
            if key == "source" {
                continue;
            }
            let child = if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            };
            match value.get_ref() {
                DeValue::Table(table) if table.get("value").is_some() => out.push(child),
                DeValue::Table(table) => walk(table, &child, out),
                DeValue::Array(entries)
                    if entries.iter().any(|entry| entry.get_ref().is_table()) =>
                {
                    for (index, entry) in entries.iter().enumerate() {
                        if let DeValue::Table(table) = entry.get_ref() {
                            walk(table, &format!("{child}[{index}]"), out);
                        }
                    }
                }
                _ => out.push(child),
            }
        }
    }
    let root = DeTable::parse(text).expect("valid toml");
    let mut paths = Vec::new();
    walk(root.get_ref(), "", &mut paths);
    paths.retain(|path| path != "id" && path != "title");
    paths
}

/// The facts of `text` that no source note covers.
fn unsourced_facts(agreement: &Agreement, text: &str) -> Vec<String> {
    fact_paths(text)
        .into_iter()
        .filter(|path| agreement.source_of(path).is_none())
        .collect()
}

/// The ```toml example that follows the "A complete, annotated example" heading.
fn documented_example() -> &'static str {
    let (_, after_heading) = FORMAT_DOC
        .split_once("## A complete, annotated example")
        .expect("heading");
    let (_, from_block) = after_heading.split_once("```toml\n").expect("toml block");
    let (example, _) = from_block.split_once("```").expect("end of block");
    example
}

// ---------------------------------------------------------------------------------------------
// Valid files

/// The minimal file parses, with the defaults the format documents for what it leaves out.
#[test]
fn minimal_file_parses_with_documented_defaults() {
    check(BASE, "ok");
    let agreement = parse_ok("base.toml", BASE);
    assert_eq!(agreement.id.as_str(), "test-agreement");
    assert_eq!(agreement.current_status(), AgreementStatus::Signed);
    assert_eq!(agreement.terms.caps, Caps::default());
    assert!(!agreement.terms.clocks.silence_accepts);
    assert!(
        agreement.terms.shared_fields.is_empty(),
        "no [sharing] means nothing is shared"
    );
    assert_eq!(agreement.terms.monitoring, None);
    assert!(
        agreement.terms.statistics_breakdowns.is_empty(),
        "no [statistics] means no breakdown of people is published"
    );
    assert!(agreement.sources.is_empty());
}

/// `[statistics] breakdowns` lists the breakdowns of people an agreement's statistics may show;
/// unknown or repeated names are refused with file, line and field.
#[test]
fn statistics_breakdowns_are_read_and_checked() {
    let agreement = parse_ok(
        "test.toml",
        &with("statistics = { breakdowns = [\"sex\", \"age_band\"] }\n"),
    );
    assert_eq!(
        agreement.terms.statistics_breakdowns,
        [StatisticsBreakdown::Sex, StatisticsBreakdown::AgeBand]
            .into_iter()
            .collect()
    );
    let none = parse_ok("test.toml", &with("statistics = { breakdowns = [] }\n"));
    assert!(none.terms.statistics_breakdowns.is_empty());
    check(
        &with("statistics = { breakdowns = [\"sex\", \"religion\"] }\n"),
        "test.toml:7:37: `statistics.breakdowns[1]`: `religion` is not a statistics breakdown: expected one of `nationality`, `sex`, `age_band`",
    );
    check(
        &with("statistics = { breakdowns = [\"sex\", \"sex\"] }\n"),
        "test.toml:7:37: `statistics.breakdowns[1]`: `sex` is listed twice",
    );
    check(
        &with("statistics = { breakdown = [\"sex\"] }\n"),
        "
        test.toml:7:14: `statistics.breakdowns`: missing required field `breakdowns`
        test.toml:7:16: `statistics.breakdown`: unknown field `breakdown`: did you mean `breakdowns`?
        ",
    );
}

/// Every shipped file says which breakdowns its statistics may show, with a source note, and
/// the month it entered into force is read from its dated status history.
#[test]
fn shipped_files_set_statistics_breakdowns_and_entry_into_force() {
    for (name, text) in SHIPPED {
        let agreement = parse_ok(name, text);
        assert!(
            agreement.source_of("statistics.breakdowns").is_some(),
            "{name}"
        );
        assert!(agreement.entered_into_force_on().is_some(), "{name}");
    }
    let us = parse_ok("us-rwa-2025.toml", SHIPPED[0].1);
    assert_eq!(
        us.entered_into_force_on(),
        Some(jiff::civil::date(2025, 8, 1))
    );
    let base = parse_ok("base.toml", BASE);
    assert_eq!(base.entered_into_force_on(), None, "signed, never in force");
}

/// Every shipped agreement file parses.
#[test]
fn shipped_files_parse() {
    for (name, text) in SHIPPED {
        parse_ok(name, text);
    }
    let us = parse_ok("us-rwa-2025.toml", SHIPPED[0].1);
    assert_eq!(us.terms.caps.transferred_total_max, Some(250));
    assert_eq!(us.current_status(), AgreementStatus::InForce);
    let uk = parse_ok("gbr-rwa-2024.toml", SHIPPED[1].1);
    assert_eq!(uk.terms.onward, OnwardRule::SendingStateOnly);
    assert_eq!(uk.current_status(), AgreementStatus::Terminated);
    let italy = parse_ok("ita-alb-2023.toml", SHIPPED[2].1);
    assert_eq!(italy.terms.caps.present_max, Some(3000));
    assert_eq!(italy.terms.eligibility.age_years_min, Some(18));
    let dublin = parse_ok("dublin-iii-profile.toml", SHIPPED[3].1);
    assert!(dublin.terms.clocks.silence_accepts);
    assert_eq!(dublin.terms.clocks.transfer_deadline_extensions.len(), 2);
    // Every shipped file sets the period a finding's addressed parties have to respond.
    for (name, text) in SHIPPED {
        let agreement = parse_ok(name, text);
        assert_eq!(
            agreement.terms.clocks.finding_response,
            Some(ClockSpan::parse("30 days").unwrap()),
            "{name}"
        );
    }
}

/// Every fact set in a shipped file has a source note, its own or its table's.
#[test]
fn shipped_files_source_every_fact() {
    for (name, text) in SHIPPED {
        let agreement = parse_ok(name, text);
        let facts = fact_paths(text);
        assert!(
            facts.len() >= 5,
            "{name}: too few facts found ({facts:?}); is the walk broken?"
        );
        assert_eq!(
            unsourced_facts(&agreement, text),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

/// The list of shipped files in this test is the whole `agreements/` directory, so none goes
/// untested.
#[test]
fn every_file_in_agreements_is_tested() {
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/../../agreements");
    let mut on_disk: Vec<String> = std::fs::read_dir(directory)
        .expect("agreements directory")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = SHIPPED.iter().map(|(name, _)| (*name).to_owned()).collect();
    tested.sort();
    assert_eq!(on_disk, tested);
}

/// The annotated example in docs/agreements.md parses, uses every section, and sources every fact.
#[test]
fn documented_example_parses() {
    let example = documented_example();
    let agreement = parse_ok("docs/agreements.md", example);
    let clocks = &agreement.terms.clocks;
    assert!(clocks.notice_lead_time.is_some() && clocks.detention_validation.is_some());
    assert_eq!(clocks.transfer_deadline_extensions.len(), 1);
    assert_eq!(clocks.welfare_checks.len(), 2);
    assert!(agreement.terms.monitoring.is_some());
    assert_eq!(unsourced_facts(&agreement, example), Vec::<String>::new());
}

/// A fact reads the same plainly and with its source; notes are kept by dotted path, and a fact
/// without its own note falls back to its table's.
#[test]
fn sources_are_recorded_by_path() {
    let plain = parse_ok("plain.toml", &with("caps = { present_max = 30 }\n"));
    let sourced = parse_ok(
        "sourced.toml",
        &with(concat!(
            "[caps]\n",
            "source = \"table note\"\n",
            "present_max = { value = 30, source = \"fact note\" }\n",
            "transferred_total_max = 40\n",
        )),
    );
    assert_eq!(plain.terms.caps.present_max, sourced.terms.caps.present_max);
    assert_eq!(
        sourced.sources.get("caps").map(String::as_str),
        Some("table note")
    );
    assert_eq!(
        sourced.sources.get("caps.present_max").map(String::as_str),
        Some("fact note")
    );
    assert_eq!(sourced.source_of("caps.present_max"), Some("fact note"));
    assert_eq!(
        sourced.source_of("caps.transferred_total_max"),
        Some("table note")
    );
    assert_eq!(sourced.source_of("parties.sending"), None);

    let status = parse_ok(
        "status.toml",
        &with_line(
            4,
            r#"status = [{ status = "signed", on = { value = "2024-01-01", source = "day note" }, source = "entry note" }]"#,
        ),
    );
    assert_eq!(
        status.sources.get("status[0]").map(String::as_str),
        Some("entry note")
    );
    assert_eq!(status.source_of("status[0].on"), Some("day note"));
    assert_eq!(status.source_of("status[0].status"), Some("entry note"));
}

/// Welfare check windows may be longer than the gap to the next check: checks may overlap.
#[test]
fn welfare_windows_may_overlap_the_next_check() {
    check(
        &with(concat!(
            "[[clocks.welfare_checks]]\noffset = \"7 days\"\nwindow = \"30 days\"\n",
            "[[clocks.welfare_checks]]\noffset = \"14 days\"\nwindow = \"3 days\"\n",
        )),
        "ok",
    );
}

// ---------------------------------------------------------------------------------------------
// Whole-file errors

/// A TOML syntax error is one error at its position, with no field.
#[test]
fn syntax_error_is_one_error_with_position() {
    check(
        &with("[caps]\npresent_max = = 3\ntransferred_total_max = \"x\n"),
        "test.toml:8:15: invalid toml: extra `=`, expected nothing",
    );
}

/// A file over the size limit is refused before parsing, naming the limit.
#[test]
fn oversized_file_is_refused() {
    let padding = "#".repeat(AGREEMENT_FILE_SIZE_MAX_BYTES);
    check(
        &with(&padding),
        &format!(
            "test.toml:1:1: the file is {} bytes, more than the 262144 bytes (256 KiB) an agreement file may have",
            BASE.len() + AGREEMENT_FILE_SIZE_MAX_BYTES
        ),
    );
    // Exactly at the limit is fine.
    let fits = with(&"#".repeat(AGREEMENT_FILE_SIZE_MAX_BYTES - BASE.len()));
    assert_eq!(fits.len(), AGREEMENT_FILE_SIZE_MAX_BYTES);
    check(&fits, "ok");
}

/// A file with many problems reports all of them, in file order.
#[test]
fn several_errors_are_all_reported() {
    check(
        r#"id = "Bad Id"
title = ""
parties = { sending = "USA", receiving = "USA" }
status = [
  { status = "in_force", on = "2024-02-30" },
]
[eligibility]
excluded_nationality = ["SYR"]
age_years_min = 130
[caps]
transferred_total_max = 0
present_max = -3
[clocks]
notice_lead_time = "-24 hours"
"#,
        "
        test.toml:1:1: `onward`: missing required field `onward`
        test.toml:1:6: `id`: `Bad Id` is not an agreement id: use 1 to 64 lowercase letters, digits and `-`, starting with a letter
        test.toml:2:9: `title`: the title is empty
        test.toml:3:42: `parties.receiving`: `USA` is both the sending and the receiving state: a transfer needs two states
        test.toml:5:14: `status[0].status`: the history must start with `negotiating` or `signed`, not `in_force`
        test.toml:5:31: `status[0].on`: `2024-02-30` is not a calendar date: that month has 29 days
        test.toml:7:1: `eligibility.per_person_approval`: missing required field `per_person_approval`
        test.toml:8:1: `eligibility.excluded_nationality`: unknown field `excluded_nationality`: did you mean `excluded_nationalities`?
        test.toml:9:17: `eligibility.age_years_min`: `130` is outside 0 to 120 years
        test.toml:11:25: `caps.transferred_total_max`: a cap of `0` is absurd: it allows nobody; leave the cap out for no limit
        test.toml:12:15: `caps.present_max`: `-3` is negative: a cap counts people
        test.toml:14:20: `clocks.notice_lead_time`: `-24 hours` is negative: a clock runs forwards
        ",
    );
}

// ---------------------------------------------------------------------------------------------
// Types, unknown and missing fields

/// A value of the wrong type is reported at the value, naming what was expected.
#[test]
fn wrong_types_are_reported() {
    check(
        &with("caps = { present_max = \"3000\", transferred_total_max = 4000.0 }\n"),
        "
        test.toml:7:24: `caps.present_max`: expected an integer, found a string
        test.toml:7:56: `caps.transferred_total_max`: expected an integer, found a float
        ",
    );
    check(
        &with_line(2, "title = 7"),
        "test.toml:2:9: `title`: expected a string, found an integer",
    );
    check(
        &with_line(6, "onward = \"sending_state_only\""),
        "test.toml:6:10: `onward`: expected a table, found a string",
    );
    check(
        &with_line(5, "eligibility = { per_person_approval = \"yes\" }"),
        "test.toml:5:39: `eligibility.per_person_approval`: expected `true` or `false`, found a string",
    );
    check(
        &with_line(
            5,
            "eligibility = { per_person_approval = true, sexes = \"male\" }",
        ),
        "test.toml:5:53: `eligibility.sexes`: expected a list, found a string",
    );
    check(
        &with_line(
            5,
            "eligibility = { per_person_approval = true, sexes = [1] }",
        ),
        "test.toml:5:54: `eligibility.sexes[0]`: expected a string, found an integer",
    );
}

/// A bare TOML date is the wrong type, with a hint to quote it.
#[test]
fn bare_dates_are_refused_with_a_hint() {
    check(
        &with_line(4, "status = [{ status = \"signed\", on = 2024-01-01 }]"),
        "test.toml:4:37: `status[0].on`: expected a string, found a datetime: write dates as quoted strings, e.g. `\"2025-06-06\"`",
    );
}

/// Unknown keys are errors everywhere: top level, sections, list entries and fact tables.
#[test]
fn unknown_fields_are_reported_everywhere() {
    check(
        &with(concat!(
            "colour = \"blue\"\n",
            "[clocks]\n",
            "notice_lead_tme = \"24 hours\"\n",
            "support_period = { value = \"1 year\", source = \"x\", note = \"y\" }\n",
            "[[clocks.welfare_checks]]\n",
            "offset = \"7 days\"\n",
            "window = \"1 day\"\n",
            "widow = \"2 days\"\n",
            "[caps]\n",
            "sorce = \"x\"\n",
        )),
        "
        test.toml:7:1: `colour`: unknown field `colour`: expected one of `id`, `title`, `parties`, `status`, `eligibility`, `caps`, `clocks`, `onward`, `sharing`, `monitoring`, `statistics`
        test.toml:9:1: `clocks.notice_lead_tme`: unknown field `notice_lead_tme`: did you mean `notice_lead_time`?
        test.toml:10:52: `clocks.support_period.note`: unknown field `note`: expected one of `value`, `source`
        test.toml:14:1: `clocks.welfare_checks[0].widow`: unknown field `widow`: did you mean `window`?
        test.toml:16:1: `caps.sorce`: unknown field `sorce`: did you mean `source`?
        ",
    );
}

/// A missing required field is reported at its table: the header, or line 1 for the top level.
#[test]
fn missing_required_fields_are_reported_at_their_table() {
    check(
        "",
        "
        test.toml:1:1: `eligibility`: missing required field `eligibility`
        test.toml:1:1: `id`: missing required field `id`
        test.toml:1:1: `onward`: missing required field `onward`
        test.toml:1:1: `parties`: missing required field `parties`
        test.toml:1:1: `status`: missing required field `status`
        test.toml:1:1: `title`: missing required field `title`
        ",
    );
    check(
        &with(
            "[monitoring]\nid = \"board\"\n[sharing]\n[[clocks.welfare_checks]]\noffset = \"1 day\"\n",
        ),
        "
        test.toml:7:1: `monitoring.name`: missing required field `name`
        test.toml:9:1: `sharing.fields`: missing required field `fields`
        test.toml:10:1: `clocks.welfare_checks[0].window`: missing required field `window`
        ",
    );
    check(
        &with_line(3, "parties = { sending = \"GBR\" }"),
        "test.toml:3:11: `parties.receiving`: missing required field `receiving`",
    );
}

/// A fact written as a table needs both `value` and `source`.
#[test]
fn fact_tables_need_value_and_source() {
    check(
        &with("caps = { present_max = { value = 3 }, transferred_total_max = { source = \"x\" } }\n"),
        "
        test.toml:7:24: `caps.present_max.source`: missing required field `source`: a fact written as a table carries `value` and `source`
        test.toml:7:63: `caps.transferred_total_max.value`: missing required field `value`
        ",
    );
}

/// Source notes must say something without control characters, and the whole file cannot carry
/// one.
#[test]
fn source_notes_are_checked() {
    check(
        &with(
            "source = \"everything\"\ncaps = { source = \" \", present_max = { value = 3, source = 5 } }\n",
        ),
        "
        test.toml:7:1: `source`: a `source` note labels a fact or a table, not the whole file
        test.toml:8:19: `caps.source`: the source note is empty: say where the fact comes from
        test.toml:8:60: `caps.present_max.source`: expected a string, found an integer
        ",
    );
    let long = "x".repeat(SOURCE_LENGTH_MAX + 1);
    check(
        &with(&format!("caps = {{ source = \"{long}\" }}\n")),
        "test.toml:7:19: `caps.source`: the source note is longer than 2000 characters",
    );
    check(
        &with("caps = { source = \"Art. 1\\u001B[31m\" }\n"),
        "test.toml:7:19: `caps.source`: the source note: character 7 is a control character (U+001B), which text may not hold",
    );
}

// ---------------------------------------------------------------------------------------------
// Identity and parties

/// A malformed agreement id is refused with the rule it breaks.
#[test]
fn bad_agreement_id_is_refused() {
    check(
        &with_line(1, "id = \"9-lives\""),
        "test.toml:1:6: `id`: `9-lives` is not an agreement id: use 1 to 64 lowercase letters, digits and `-`, starting with a letter",
    );
}

/// An empty, blank or multi-line title is refused, and one with a bidirectional override.
#[test]
fn bad_titles_are_refused() {
    check(
        &with_line(2, "title = \"   \""),
        "test.toml:2:9: `title`: the title is empty",
    );
    check(
        &with_line(2, r#"title = "two\nlines""#),
        "test.toml:2:9: `title`: the title must be one line: character 4 is a control character (U+000A), which text may not hold",
    );
    check(
        &with_line(2, r#"title = "a\u202Eb""#),
        "test.toml:2:9: `title`: the title must be one line: character 2 is a bidirectional override or isolate (U+202E), which text may not hold",
    );
}

/// Country codes must be assigned ISO 3166-1 alpha-3 codes.
#[test]
fn unknown_country_codes_are_refused() {
    check(
        &with_line(3, "parties = { sending = \"UK\", receiving = \"XXX\" }"),
        "
        test.toml:3:23: `parties.sending`: `UK` is not an ISO 3166-1 alpha-3 country code (e.g. `RWA`, `GBR`, `USA`)
        test.toml:3:41: `parties.receiving`: `XXX` is not an ISO 3166-1 alpha-3 country code (e.g. `RWA`, `GBR`, `USA`)
        ",
    );
}

/// The sending and receiving states must differ, whatever the case of the codes.
#[test]
fn same_sending_and_receiving_state_is_refused() {
    check(
        &with_line(3, "parties = { sending = \"RWA\", receiving = \"rwa\" }"),
        "test.toml:3:42: `parties.receiving`: `RWA` is both the sending and the receiving state: a transfer needs two states",
    );
}

// ---------------------------------------------------------------------------------------------
// Status history

/// Dates must be `YYYY-MM-DD`, real calendar days, within the years corridor handles.
#[test]
fn bad_dates_are_refused() {
    let history = |on: &str| {
        with_line(
            4,
            &format!("status = [{{ status = \"signed\", on = \"{on}\" }}]"),
        )
    };
    let at = "test.toml:4:37: `status[0].on`:";
    check(
        &history("2024-02-30"),
        &format!("{at} `2024-02-30` is not a calendar date: that month has 29 days"),
    );
    check(
        &history("2023-02-29"),
        &format!("{at} `2023-02-29` is not a calendar date: that month has 28 days"),
    );
    check(
        &history("2024-13-01"),
        &format!("{at} `2024-13-01` is not a calendar date: months run from `01` to `12`"),
    );
    check(
        &history("6 June 2025"),
        &format!("{at} `6 June 2025` is not a date: write `YYYY-MM-DD`"),
    );
    check(
        &history("2025-06-06T00:00"),
        &format!("{at} `2025-06-06T00:00` is not a date: write `YYYY-MM-DD`"),
    );
    check(
        &history("1850-01-01"),
        &format!("{at} `1850-01-01` is outside the years 1900 to 2200 corridor handles"),
    );
    check(&history("2024-02-29"), "ok");
}

/// Entries out of date order are refused; two steps on the same day are fine.
#[test]
fn status_history_out_of_date_order_is_refused() {
    check(
        &with_line(
            4,
            r#"status = [{ status = "negotiating", on = "2024-03-01" }, { status = "signed", on = "2024-02-01" }]"#,
        ),
        "test.toml:4:84: `status[1].on`: `2024-02-01` is before the previous entry's `2024-03-01`: list the history oldest first",
    );
    check(
        &with_line(
            4,
            r#"status = [{ status = "signed", on = "2024-03-01" }, { status = "in_force", on = "2024-03-01" }]"#,
        ),
        "ok",
    );
}

/// Each step must be one the lifecycle allows, starting at `negotiating` or `signed`.
#[test]
fn impossible_lifecycle_transitions_are_refused() {
    check(
        r#"id = "test-agreement"
title = "Test agreement"
parties = { sending = "GBR", receiving = "RWA" }
eligibility = { per_person_approval = true }
onward = { rule = "sending_state_only" }
[[status]]
status = "suspended"
on = "2024-01-01"
[[status]]
status = "negotiating"
on = "2024-02-01"
[[status]]
status = "in_force"
on = "2024-03-01"
[[status]]
status = "terminated"
on = "2024-04-01"
[[status]]
status = "in_force"
on = "2024-05-01"
"#,
        "
        test.toml:7:10: `status[0].status`: the history must start with `negotiating` or `signed`, not `suspended`
        test.toml:10:10: `status[1].status`: an agreement cannot go from `suspended` to `negotiating`: after `suspended` comes `in_force` or `terminated`
        test.toml:13:10: `status[2].status`: an agreement cannot go from `negotiating` to `in_force`: after `negotiating` comes `signed` or `terminated`
        test.toml:19:10: `status[4].status`: an agreement cannot go from `terminated` to `in_force`: nothing follows `terminated`
        ",
    );
}

/// An empty history is refused: an agreement always has a status.
#[test]
fn empty_status_history_is_refused() {
    check(
        &with_line(4, "status = []"),
        "test.toml:4:10: `status`: the status history is empty: add at least one entry",
    );
}

/// Names from closed lists (status, sex, vulnerability, shared field, onward rule) must be known.
#[test]
fn unknown_names_are_refused() {
    check(
        &with_line(
            4,
            r#"status = [{ status = "ratified", on = "2024-01-01" }]"#,
        ),
        "test.toml:4:22: `status[0].status`: `ratified` is not a status: expected one of `negotiating`, `signed`, `in_force`, `suspended`, `terminated`",
    );
    check(
        &with_line(
            5,
            r#"eligibility = { per_person_approval = true, sexes = ["men"], excluded_vulnerabilities = ["children"] }"#,
        ),
        "
        test.toml:5:54: `eligibility.sexes[0]`: `men` is not a sex: expected one of `female`, `male`, `other`
        test.toml:5:90: `eligibility.excluded_vulnerabilities[0]`: `children` is not a vulnerability category: expected one of `unaccompanied_minor`, `minor`, `pregnant`, `disability`, `serious_illness`, `torture_survivor`, `trafficking_victim`, `single_parent`, `elderly`
        ",
    );
    check(
        &with("sharing = { fields = [\"name\", \"address\"] }\n"),
        "test.toml:7:31: `sharing.fields[1]`: `address` is not a shared field: expected one of `name`, `birth_date`, `nationality`, `sex`, `documents`, `contact`, `languages`, `vulnerabilities`, `health`, `criminal_record`",
    );
    check(
        &with_line(6, r#"onward = { rule = "anywhere" }"#),
        "test.toml:6:19: `onward.rule`: `anywhere` is not an onward rule: expected one of `sending_state_only`, `any_except_feared_and_protected`",
    );
}

// ---------------------------------------------------------------------------------------------
// Eligibility

/// Repeated entries in any set are refused, including codes that differ only in case.
#[test]
fn duplicate_set_entries_are_refused() {
    check(
        &with_line(
            5,
            r#"eligibility = { per_person_approval = true, excluded_nationalities = ["SYR", "syr"], sexes = ["male", "male"], excluded_vulnerabilities = ["pregnant", "pregnant"] }"#,
        ),
        "
        test.toml:5:78: `eligibility.excluded_nationalities[1]`: `syr` is listed twice
        test.toml:5:103: `eligibility.sexes[1]`: `male` is listed twice
        test.toml:5:152: `eligibility.excluded_vulnerabilities[1]`: `pregnant` is listed twice
        ",
    );
    check(
        &with("sharing = { fields = [\"name\", \"name\"] }\n"),
        "test.toml:7:31: `sharing.fields[1]`: `name` is listed twice",
    );
    check(
        &with(concat!(
            "[clocks]\ntransfer_deadline = \"6 months\"\n",
            "[[clocks.transfer_deadline_extensions]]\nreason = \"absconding\"\ndeadline = \"18 months\"\n",
            "[[clocks.transfer_deadline_extensions]]\nreason = \"absconding\"\ndeadline = \"12 months\"\n",
        )),
        "test.toml:13:10: `clocks.transfer_deadline_extensions[1].reason`: `absconding` is listed twice",
    );
}

/// A minimum age must lie within 0 to 120 years; both ends are accepted.
#[test]
fn age_outside_range_is_refused() {
    let age = |years: &str| {
        with_line(
            5,
            &format!("eligibility = {{ per_person_approval = true, age_years_min = {years} }}"),
        )
    };
    check(
        &age("121"),
        "test.toml:5:61: `eligibility.age_years_min`: `121` is outside 0 to 120 years",
    );
    check(
        &age("-1"),
        "test.toml:5:61: `eligibility.age_years_min`: `-1` is outside 0 to 120 years",
    );
    check(&age("0"), "ok");
    check(&age("120"), "ok");
}

/// An empty `sexes` list would make nobody eligible: it is refused.
#[test]
fn empty_sexes_list_is_refused() {
    check(
        &with_line(
            5,
            "eligibility = { per_person_approval = true, sexes = [] }",
        ),
        "test.toml:5:53: `eligibility.sexes`: an empty list allows nobody: leave `sexes` out to allow any sex",
    );
}

/// Lists longer than the limit are refused; a list at the limit is fine.
#[test]
fn overlong_lists_are_refused() {
    let list = |entries: usize| {
        let names = vec!["\"SYR\""; entries].join(", ");
        with_line(
            5,
            &format!(
                "eligibility = {{ per_person_approval = true, excluded_nationalities = [{names}] }}"
            ),
        )
    };
    check(
        &list(LIST_ENTRIES_MAX + 1),
        "test.toml:5:70: `eligibility.excluded_nationalities`: the list has 257 entries, more than the 256 allowed",
    );
    // At the limit the list is read (and its repeats reported).
    let at_limit = parse_agreement("test.toml", &list(LIST_ENTRIES_MAX)).expect_err("repeats");
    assert_eq!(at_limit.0.len(), LIST_ENTRIES_MAX - 1);
}

// ---------------------------------------------------------------------------------------------
// Caps

/// Caps must be positive whole numbers within reason; zero is absurd and says so.
#[test]
fn bad_caps_are_refused() {
    let cap = |count: &str| with(&format!("caps = {{ present_max = {count} }}\n"));
    let at = "test.toml:7:24: `caps.present_max`:";
    check(
        &cap("-5"),
        &format!("{at} `-5` is negative: a cap counts people"),
    );
    check(
        &cap("0"),
        &format!("{at} a cap of `0` is absurd: it allows nobody; leave the cap out for no limit"),
    );
    check(
        &cap("1000001"),
        &format!("{at} `1000001` is absurd: no cap may exceed 1000000 people"),
    );
    check(&cap("1000000"), "ok");
    check(&cap("1"), "ok");
}

/// More people present at once than may ever be transferred is a contradiction.
#[test]
fn present_cap_above_total_cap_is_refused() {
    check(
        &with("caps = { transferred_total_max = 250, present_max = 300 }\n"),
        "test.toml:7:53: `caps.present_max`: `300` present at once is more than the `250` ever transferred (`caps.transferred_total_max`)",
    );
    check(
        &with("caps = { transferred_total_max = 250, present_max = 250 }\n"),
        "ok",
    );
}

// ---------------------------------------------------------------------------------------------
// Clocks

/// Durations that are negative, zero, absurdly long or not durations at all are refused.
#[test]
fn bad_durations_are_refused() {
    let clock = |text: &str| with(&format!("clocks = {{ fear_claim_window = \"{text}\" }}\n"));
    let at = "test.toml:7:32: `clocks.fear_claim_window`:";
    check(
        &clock("-3 days"),
        &format!("{at} `-3 days` is negative: a clock runs forwards"),
    );
    check(
        &clock("0 hours"),
        &format!("{at} `0 hours` is zero: leave the clock out instead"),
    );
    check(
        &clock("11 years"),
        &format!("{at} `11 years` is longer than 10 years: no agreement clock runs that long"),
    );
    let soon = parse_agreement("test.toml", &clock("soon")).expect_err("not a duration");
    assert_eq!(soon.0.len(), 1);
    assert_eq!((soon.0[0].line, soon.0[0].column), (7, 32));
    assert!(
        soon.0[0]
            .message
            .starts_with("`soon` is not a duration (write e.g. `24 hours`, `2 months`)")
    );
    check(&clock("P2W"), "ok");
}

/// Silence can only count as acceptance when there is a reply deadline to wait for.
#[test]
fn silence_without_reply_deadline_is_refused() {
    check(
        &with("clocks = { silence_accepts = true }\n"),
        "test.toml:7:30: `clocks.silence_accepts`: silence cannot accept a request without a `reply_deadline` to wait for",
    );
    check(
        &with("clocks = { silence_accepts = true, reply_deadline = \"2 months\" }\n"),
        "ok",
    );
}

/// An extension must lengthen the base deadline from every start day.
#[test]
fn extension_not_longer_than_base_is_refused() {
    let extension = |deadline: &str| {
        with(&format!(
            "[clocks]\ntransfer_deadline = \"6 months\"\n[[clocks.transfer_deadline_extensions]]\nreason = \"imprisonment\"\ndeadline = \"{deadline}\"\n"
        ))
    };
    let at = "test.toml:11:12: `clocks.transfer_deadline_extensions[0].deadline`:";
    check(
        &extension("6 months"),
        &format!(
            "{at} `6 months` is not longer than the base `transfer_deadline` of `6 months` from every start day: an extension must lengthen the deadline"
        ),
    );
    // 6 months is 181 to 184 days depending on the start, so 183 days is not always longer.
    check(
        &extension("183 days"),
        &format!(
            "{at} `183 days` is not longer than the base `transfer_deadline` of `6 months` from every start day: an extension must lengthen the deadline"
        ),
    );
    check(&extension("185 days"), "ok");
    check(&extension("12 months"), "ok");
}

/// Extensions without a base transfer deadline have nothing to extend.
#[test]
fn extension_without_base_deadline_is_refused() {
    check(
        &with(
            "[[clocks.transfer_deadline_extensions]]\nreason = \"absconding\"\ndeadline = \"18 months\"\n",
        ),
        "test.toml:7:1: `clocks.transfer_deadline_extensions`: an extension needs a base `transfer_deadline` to extend",
    );
}

/// Extension reasons are snake_case codes.
#[test]
fn bad_extension_reason_is_refused() {
    check(
        &with(concat!(
            "[clocks]\ntransfer_deadline = \"6 months\"\n",
            "[[clocks.transfer_deadline_extensions]]\nreason = \"In prison\"\ndeadline = \"12 months\"\n",
        )),
        "test.toml:10:10: `clocks.transfer_deadline_extensions[0].reason`: `In prison` is not a reason code: use 1 to 64 lowercase letters, digits and `_`, starting with a letter",
    );
}

/// Welfare check offsets must increase from every start day; a repeated offset is a duplicate.
#[test]
fn unsorted_welfare_check_offsets_are_refused() {
    let checks = |offsets: [&str; 3]| {
        let entries: Vec<String> = offsets
            .iter()
            .map(|offset| format!("{{ offset = \"{offset}\", window = \"2 days\" }}"))
            .collect();
        with(&format!(
            "clocks = {{ welfare_checks = [{}] }}\n",
            entries.join(", ")
        ))
    };
    check(&checks(["7 days", "1 month", "3 months"]), "ok");
    check(
        &checks(["1 month", "7 days", "3 months"]),
        "test.toml:7:84: `clocks.welfare_checks[1].offset`: `7 days` does not come after the previous check's `1 month` from every start day: list welfare checks by increasing offset",
    );
    // From 1 February, one month is shorter than 30 days.
    check(
        &checks(["7 days", "30 days", "1 month"]),
        "test.toml:7:126: `clocks.welfare_checks[2].offset`: `1 month` does not come after the previous check's `30 days` from every start day: list welfare checks by increasing offset",
    );
    check(
        &checks(["7 days", "7 days", "1 month"]),
        "test.toml:7:83: `clocks.welfare_checks[1].offset`: `7 days` repeats the previous check's offset",
    );
}

// ---------------------------------------------------------------------------------------------
// Monitoring

/// A monitoring body needs a code-like id and a non-empty name.
#[test]
fn bad_monitoring_body_is_refused() {
    check(
        &with("monitoring = { id = \"The Board\", name = \"\" }\n"),
        "
        test.toml:7:21: `monitoring.id`: `The Board` is not a monitoring body id: use 1 to 64 lowercase letters, digits and `-`, starting with a letter
        test.toml:7:41: `monitoring.name`: the name is empty
        ",
    );
}

/// Deeply nested values are refused by the TOML parser's depth limit, not by a stack overflow.
#[test]
fn deep_nesting_is_a_syntax_error() {
    let depth = 10_000;
    let nested = format!("caps = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let errors = parse_agreement("test.toml", &with(&nested)).expect_err("too deep");
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].line, 7);
    assert!(
        errors.0[0].message.starts_with("invalid toml: "),
        "{errors}"
    );
}

/// A duplicate key names the key and its table, with the line of the second one.
#[test]
fn duplicate_key_names_key_and_table() {
    check(
        &with("[caps]\npresent_max = 3\npresent_max = 4\n"),
        "test.toml:9:1: `caps.present_max`: invalid toml: the key `present_max` appears twice in table `[caps]`; each key may appear once",
    );
    check(
        &with_line(1, "id = \"test-agreement\"\nid = \"again\""),
        "test.toml:2:1: `id`: invalid toml: the key `id` appears twice at the top level; each key may appear once",
    );
}

// ---------------------------------------------------------------------------------------------
// Recurring welfare checks

/// A file whose `[clocks]` has one recurring rule built from its four fields (`from` left out
/// when `None`), on line 8.
fn schedule(every: &str, from: Option<&str>, until: &str, window: &str) -> String {
    let from = from.map_or(String::new(), |from| format!(", from = \"{from}\""));
    with(&format!(
        "[clocks]\nwelfare_schedule = [{{ every = \"{every}\"{from}, until = \"{until}\", window = \"{window}\" }}]\n"
    ))
}

/// Monthly for a year then quarterly for five: the checks fall on the calendar day of arrival,
/// `from` defaults to `every`, and one-off checks merge into the schedule by due time.
#[test]
fn recurring_welfare_checks_expand_by_calendar() {
    let agreement = parse_ok(
        "schedule.toml",
        &with(concat!(
            "[clocks]\n",
            "welfare_checks = [{ offset = \"7 days\", window = \"2 days\" }]\n",
            "welfare_schedule = [\n",
            "  { every = \"1 month\", until = \"12 months\", window = \"7 days\" },\n",
            "  { every = \"3 months\", from = \"15 months\", until = \"5 years\", window = \"14 days\", source = \"note\" },\n",
            "]\n",
        )),
    );
    let clocks = &agreement.terms.clocks;
    assert_eq!(clocks.welfare_schedule.len(), 2);
    assert_eq!(
        agreement.source_of("clocks.welfare_schedule[1].every"),
        Some("note")
    );
    let arrived: jiff::Timestamp = "2026-01-31T10:00:00Z".parse().unwrap();
    let checks = clocks.welfare_checks_for(arrived);
    // 1 one-off, 12 monthly, then 15, 18, ..., 60 months: 16 quarterly.
    assert_eq!(checks.len(), 1 + 12 + 16);
    let day = |index: usize| checks[index].due_at.strftime("%Y-%m-%d").to_string();
    assert_eq!(day(0), "2026-02-07");
    // The 31st plus 1 month is the 28th of February; plus 2 months, the 31st of March again.
    assert_eq!(day(1), "2026-02-28");
    assert_eq!(day(2), "2026-03-31");
    assert_eq!(day(12), "2027-01-31");
    assert_eq!(day(13), "2027-04-30");
    assert_eq!(day(28), "2031-01-31");
    assert_eq!(checks[1].window, ClockSpan::parse("7 days").unwrap());
    assert_eq!(checks[28].window, ClockSpan::parse("14 days").unwrap());
}

/// Absurd or contradictory rules are refused at the field at fault, with line and column.
#[test]
fn absurd_recurring_welfare_checks_are_refused() {
    check(&schedule("1 month", None, "12 months", "7 days"), "ok");
    check(
        &schedule("12 hours", None, "12 months", "1 hour"),
        "test.toml:8:31: `clocks.welfare_schedule[0].every`: `12 hours` is shorter than a day: no monitor visits that often",
    );
    check(
        &schedule("1 month", Some("6 months"), "3 months", "7 days"),
        "test.toml:8:69: `clocks.welfare_schedule[0].until`: `3 months` ends before `from` (`6 months`) from some start day: the rule would schedule no check",
    );
    check(
        &schedule("1 month", None, "12 months", "15 days"),
        "test.toml:8:72: `clocks.welfare_schedule[0].window`: `15 days` is more than half of `every` (`1 month`) from some start day: a window opens before and closes after its check's due time, so consecutive windows would overlap",
    );
    check(
        &schedule("1 day", None, "10 years", "2 hours"),
        "test.toml:8:31: `clocks.welfare_schedule[0].every`: `1 day` from `1 day` until `10 years` makes 600 checks or more, more than a schedule may have",
    );
    check(
        &schedule("1 month", None, "-3 months", "7 days"),
        "test.toml:8:50: `clocks.welfare_schedule[0].until`: `-3 months` is negative: a clock runs forwards",
    );
    check(
        &with("[clocks]\nwelfare_schedule = [{ every = \"1 month\", window = \"7 days\", evry = 1 }]\n"),
        "
        test.toml:8:21: `clocks.welfare_schedule[0].until`: missing required field `until`
        test.toml:8:61: `clocks.welfare_schedule[0].evry`: unknown field `evry`: did you mean `every`?
        ",
    );
}

/// Rules must follow one another: each `from` after the previous rule's `until`.
#[test]
fn overlapping_recurring_rules_are_refused() {
    check(
        &with(concat!(
            "[clocks]\nwelfare_schedule = [\n",
            "  { every = \"1 month\", until = \"12 months\", window = \"7 days\" },\n",
            "  { every = \"3 months\", from = \"12 months\", until = \"2 years\", window = \"7 days\" },\n",
            "]\n",
        )),
        "test.toml:10:32: `clocks.welfare_schedule[1].from`: `12 months` does not come after the previous rule's `until` (`12 months`) from every start day: list recurring checks in order, one rule after the other",
    );
}

/// The whereabouts alert clock is an ordinary clock.
#[test]
fn whereabouts_alert_after_is_a_clock() {
    let agreement = parse_ok(
        "alert.toml",
        &with("[clocks]\nwhereabouts_alert_after = \"30 days\"\n"),
    );
    assert_eq!(
        agreement.terms.clocks.whereabouts_alert_after,
        Some(ClockSpan::parse("30 days").unwrap())
    );
    check(
        &with("[clocks]\nwhereabouts_alert_after = \"0 days\"\n"),
        "test.toml:8:27: `clocks.whereabouts_alert_after`: `0 days` is zero: leave the clock out instead",
    );
}

/// Every shipped file sets a recurring schedule and a whereabouts alert, each with its source.
#[test]
fn shipped_files_set_a_welfare_schedule_with_its_source() {
    for (name, text) in SHIPPED {
        let agreement = parse_ok(name, text);
        let clocks = &agreement.terms.clocks;
        assert!(!clocks.welfare_schedule.is_empty(), "{name}");
        assert!(clocks.whereabouts_alert_after.is_some(), "{name}");
        assert!(
            agreement
                .source_of("clocks.welfare_schedule[0].every")
                .is_some(),
            "{name}"
        );
    }
    let uk = parse_ok("gbr-rwa-2024.toml", SHIPPED[1].1);
    let arrived: jiff::Timestamp = "2024-05-01T00:00:00Z".parse().unwrap();
    let last = uk.terms.clocks.welfare_checks_for(arrived).last().copied();
    // Five years of support, five years of checks.
    assert_eq!(
        last.map(|check| check.due_at),
        uk.terms
            .clocks
            .support_period
            .map(|span| span.after(arrived))
    );
}

/// Walks every start day of the four-year cycle (1,461 days), the definition `from_every_start`
/// shortens.
fn walked(a: Span, b: Span, holds: fn(DateTime, DateTime) -> bool) -> bool {
    let mut day = CALENDAR_CYCLE_START;
    let end = CALENDAR_CYCLE_START
        .checked_add(Span::new().months(CALENDAR_CYCLE_MONTHS))
        .expect("the cycle's end");
    assert_eq!(
        end,
        CALENDAR_CYCLE_START
            .checked_add(Span::new().days(1_461))
            .expect("1,461 days on"),
        "the cycle's months are its 1,461 days"
    );
    for _ in 0..1_461 {
        let start = day.to_datetime(Time::midnight());
        match (start.checked_add(a), start.checked_add(b)) {
            (Ok(a_end), Ok(b_end)) if holds(a_end, b_end) => {}
            _ => return false,
        }
        day = day.tomorrow().expect("a day of the cycle");
    }
    true
}

#[test]
fn spans_without_calendar_units_compare_alike_from_one_start_as_from_every_start() {
    // Proves the shortcut of `from_every_start` (one start day for spans without years or
    // months) gives what walking the whole cycle gives, for spans of weeks, days and hours on
    // both sides of each other and equal; and that spans with months still walk (1 month against
    // 30 days is ordered from some starts only).
    let fixed = [
        Span::new().days(30),
        Span::new().days(31),
        Span::new().weeks(4).days(2),
        Span::new().hours(720),
        Span::new().days(29).hours(24),
        Span::new().days(1),
        Span::new().hours(23),
    ];
    let comparisons: [fn(DateTime, DateTime) -> bool; 2] = [|a, b| a > b, |a, b| a >= b];
    for a in fixed {
        for b in fixed {
            for holds in comparisons {
                assert_eq!(
                    from_every_start(a, b, holds),
                    walked(a, b, holds),
                    "{a} against {b}"
                );
            }
        }
    }
    let month = Span::new().months(1);
    for days in [28, 29, 30, 31, 32] {
        let days = Span::new().days(days);
        for holds in comparisons {
            assert_eq!(
                from_every_start(month, days, holds),
                walked(month, days, holds),
                "1 month against {days}"
            );
            assert_eq!(
                from_every_start(days, month, holds),
                walked(days, month, holds),
                "{days} against 1 month"
            );
        }
    }
    // Calendar spans against each other and against mixed ones, on both sides: what skipping
    // the days 2 to 28 of each month decides must be what walking every day decides.
    let calendar = [
        Span::new().months(1),
        Span::new().months(2),
        Span::new().months(1).days(1),
        Span::new().months(1).days(3),
        Span::new().months(12),
        Span::new().years(1),
        Span::new().years(1).days(1),
        Span::new().months(11).days(30),
        Span::new().months(3).hours(12),
        Span::new().days(59),
        Span::new().days(62),
        Span::new().days(365),
        Span::new().days(366),
        Span::new().weeks(9),
    ];
    for a in calendar {
        for b in calendar {
            for holds in comparisons {
                assert_eq!(
                    from_every_start(a, b, holds),
                    walked(a, b, holds),
                    "{a} against {b}"
                );
            }
        }
    }
    assert!(!from_every_start(month, Span::new().days(30), |a, b| a > b));
    assert!(from_every_start(
        Span::new().days(31),
        Span::new().days(30),
        |a, b| a > b
    ));
}
