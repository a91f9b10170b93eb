//! A release's files (JSON, CSV with HXL, data package, SVG charts) and its signed manifest,
//! written from hand-built releases.

use corridor_stats::StatsError;
use corridor_stats::files::{
    CSV_COLUMNS, CSV_FILE, CSV_HASHTAGS, DATAPACKAGE_FILE, JSON_FILE, ReleaseFile, read_csv, write,
};
use corridor_stats::manifest::{Manifest, ManifestError, body, parse};
use corridor_stats::measure::Breakdown;
use corridor_stats::period::Month;
use corridor_stats::release::{
    AgreementInfo, LogPoint, RELEASE_FORMAT, Release, ReleaseCell, Value,
};

fn cell(agreement: &str, measure: &str, breakdown: &[(&str, &str)], value: Value) -> ReleaseCell {
    ReleaseCell {
        agreement: agreement.to_owned(),
        period: "2026-Q1".to_owned(),
        measure: measure.to_owned(),
        breakdown: breakdown
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect(),
        value,
    }
}

fn agreement(id: &str, sending: &str, receiving: &str) -> AgreementInfo {
    AgreementInfo {
        id: id.to_owned(),
        sending: sending.to_owned(),
        receiving: receiving.to_owned(),
        entry_into_force: Month::new(2025, 8).expect("a month"),
        breakdowns: vec![Breakdown::Sex, Breakdown::Nationality],
    }
}

/// Two agreements and the court holds: exact totals, rounded and suppressed cells, a 1-D
/// breakdown by sex, a detail whose value needs CSV quoting.
pub fn release() -> Release {
    Release {
        format: RELEASE_FORMAT.to_owned(),
        id: "2026-Q1".to_owned(),
        period: "2026-Q1".to_owned(),
        corrects: None,
        checkpoint: LogPoint {
            origin: "corridor.test/log".to_owned(),
            size: 1234,
            root: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".to_owned(),
        },
        threshold: 5,
        base: 5,
        agreements: vec![
            agreement("us-rwa-2025", "USA", "RWA"),
            agreement("uk-rwa-2024", "GBR", "RWA"),
        ],
        cells: vec![
            cell("us-rwa-2025", "departed", &[], Value::Exact(23)),
            cell("us-rwa-2025", "cases_pulled", &[], Value::Rounded(10)),
            cell(
                "us-rwa-2025",
                "welfare_check_missed",
                &[],
                Value::Suppressed,
            ),
            cell(
                "us-rwa-2025",
                "departed",
                &[("sex", "f")],
                Value::Rounded(10),
            ),
            cell(
                "us-rwa-2025",
                "departed",
                &[("sex", "m")],
                Value::Rounded(15),
            ),
            cell(
                "us-rwa-2025",
                "departed",
                &[("sex", "x")],
                Value::Suppressed,
            ),
            cell(
                "us-rwa-2025",
                "safeguard_refusal",
                &[("code", "a \"quoted\", code")],
                Value::Suppressed,
            ),
            cell("uk-rwa-2024", "departed", &[], Value::Exact(0)),
            cell("-", "hold_registered", &[], Value::Exact(3)),
            cell(
                "-",
                "hold_registered",
                &[("scope", "class")],
                Value::Suppressed,
            ),
        ],
    }
}

fn file<'a>(files: &'a [ReleaseFile], name: &str) -> &'a ReleaseFile {
    files
        .iter()
        .find(|file| file.name == name)
        .expect("the file is among the release's files")
}

fn text(file: &ReleaseFile) -> &str {
    std::str::from_utf8(&file.bytes).expect("UTF-8")
}

#[test]
fn the_same_release_gives_the_same_bytes_and_names() {
    // Proves the files are deterministic and sorted, one chart per agreement and the holds.
    let first = write(&release()).expect("written");
    let second = write(&release()).expect("written");
    assert_eq!(first, second);
    let names: Vec<&str> = first.iter().map(|file| file.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "chart-court-holds.svg",
            "chart-uk-rwa-2024.svg",
            "chart-us-rwa-2025.svg",
            DATAPACKAGE_FILE,
            CSV_FILE,
            JSON_FILE,
        ]
    );
    let json: Release =
        serde_json::from_slice(&file(&first, JSON_FILE).bytes).expect("the JSON reads back");
    assert_eq!(json, release());
}

#[test]
fn the_csv_has_the_hxl_row_and_reads_back_to_the_same_cells() {
    // Proves the header, the HXL hashtag row, the quoting of a value with a comma and quotes,
    // and that every row reads back to its cell with its agreement's states and months.
    let files = write(&release()).expect("written");
    let csv = text(file(&files, CSV_FILE));
    let mut lines = csv.split("\r\n");
    assert_eq!(lines.next(), Some(CSV_COLUMNS.join(",").as_str()));
    assert_eq!(lines.next(), Some(CSV_HASHTAGS.join(",").as_str()));
    assert!(csv.contains("\"a \"\"quoted\"\", code\""), "{csv}");
    let rows = read_csv(csv.as_bytes()).expect("the CSV reads back");
    let cells: Vec<ReleaseCell> = rows.iter().map(|row| row.cell.clone()).collect();
    assert_eq!(cells, release().cells);
    let first = rows.first().expect("a row");
    assert_eq!(
        (first.sending.as_str(), first.receiving.as_str()),
        ("USA", "RWA")
    );
    assert_eq!(
        (first.period_start.as_str(), first.period_end.as_str()),
        ("2026-01", "2026-03")
    );
    assert!(csv.contains(",departed,,x,,,,,suppressed"), "{csv}");
}

#[test]
fn a_csv_that_lies_is_refused_by_line_and_field() {
    // Proves a bad status, a padded count and a missing hashtag row are refused, each named.
    let files = write(&release()).expect("written");
    let csv = text(file(&files, CSV_FILE)).to_owned();
    let bad_status = csv.replacen(",23,exact", ",23,precise", 1);
    let error = read_csv(bad_status.as_bytes()).expect_err("refused");
    assert_eq!((error.line, error.field), (3, "status"));
    let padded = csv.replacen(",23,exact", ",023,exact", 1);
    let error = read_csv(padded.as_bytes()).expect_err("refused");
    assert_eq!((error.line, error.field), (3, "value"));
    let no_hxl = csv.replacen("#activity+code", "agreement_code", 1);
    let error = read_csv(no_hxl.as_bytes()).expect_err("refused");
    assert_eq!((error.line, error.field), (2, "agreement"));
}

#[test]
fn the_data_package_names_both_files_with_the_csvs_columns() {
    // Proves datapackage.json is JSON naming both data files, the CSV's schema has exactly its
    // columns (with their hashtags), suppressed cells are its missing values, and its id is the
    // release's.
    let files = write(&release()).expect("written");
    let package: serde_json::Value =
        serde_json::from_slice(&file(&files, DATAPACKAGE_FILE).bytes).expect("JSON");
    assert_eq!(package["id"], "2026-Q1");
    assert_eq!(package["name"], "corridor-statistics-2026-q1");
    assert_eq!(package["licenses"][0]["name"], "CC-BY-4.0");
    assert!(
        package["sources"][0]["title"]
            .as_str()
            .is_some_and(|title| title.contains("size 1234"))
    );
    let resources = package["resources"].as_array().expect("resources");
    let paths: Vec<&str> = resources
        .iter()
        .filter_map(|resource| resource["path"].as_str())
        .collect();
    assert_eq!(paths, [CSV_FILE, JSON_FILE]);
    let csv = &resources[0];
    assert_eq!(csv["profile"], "tabular-data-resource");
    let fields = csv["schema"]["fields"].as_array().expect("fields");
    let names: Vec<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names, CSV_COLUMNS);
    let hashtags: Vec<&str> = fields.iter().filter_map(|f| f["hxl"].as_str()).collect();
    assert_eq!(hashtags, CSV_HASHTAGS);
    assert_eq!(csv["schema"]["missingValues"], serde_json::json!([""]));
    assert_eq!(csv["dialect"]["commentRows"], serde_json::json!([2]));
    let json_fields = resources[1]["schema"]["fields"].as_array().expect("fields");
    let cell = serde_json::to_value(&release().cells[0]).expect("a cell as JSON");
    for field in json_fields {
        let name = field["name"].as_str().expect("a name");
        assert!(
            cell.get(name).is_some(),
            "the JSON's cells have no `{name}`"
        );
    }
}

#[test]
fn every_chart_is_well_formed_svg_with_a_title_and_the_measures() {
    // Proves each chart parses as XML to the end, has `<title>` and `<desc>` for screen readers,
    // and writes its measures and values as text.
    let files = write(&release()).expect("written");
    for chart in files.iter().filter(|file| file.name.ends_with(".svg")) {
        let svg = text(chart);
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut elements = Vec::new();
        let mut texts = String::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(start)) => {
                    elements.push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
                }
                Ok(quick_xml::events::Event::Text(text)) => {
                    texts.push_str(&text.decode().expect("text"));
                    texts.push('\n');
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!("`{}` is not well-formed: {error}", chart.name),
            }
        }
        assert_eq!(elements.first().map(String::as_str), Some("svg"));
        assert!(
            elements.iter().any(|name| name == "title"),
            "{}",
            chart.name
        );
        assert!(elements.iter().any(|name| name == "desc"), "{}", chart.name);
        assert!(svg.contains("role=\"img\""));
        if chart.name == "chart-us-rwa-2025.svg" {
            assert!(texts.contains("departed"), "{texts}");
            assert!(texts.contains("≈10"), "{texts}");
            assert!(texts.contains("suppressed"), "{texts}");
            assert!(
                texts.contains("us-rwa-2025 (USA to RWA), 2026-Q1"),
                "{texts}"
            );
        }
    }
}

#[test]
fn a_release_the_files_cannot_hold_is_refused() {
    // Proves an agreement id that cannot name a file, an unknown measure and a breakdown key no
    // column holds are refused, each saying which.
    let mut bad_id = release();
    bad_id.agreements[0].id = "../etc".to_owned();
    assert!(matches!(
        write(&bad_id),
        Err(StatsError::Write { reason, .. }) if reason.contains("../etc")
    ));
    let mut bad_measure = release();
    bad_measure.cells[0].measure = "deported".to_owned();
    assert!(matches!(
        write(&bad_measure),
        Err(StatsError::Write { reason, .. }) if reason.contains("deported")
    ));
    let mut bad_key = release();
    bad_key.cells[3].breakdown = vec![("religion".to_owned(), "x".to_owned())];
    assert!(matches!(
        write(&bad_key),
        Err(StatsError::Write { reason, .. }) if reason.contains("religion")
    ));
}

#[test]
fn the_manifest_round_trips_and_lists_every_file_by_hash() {
    // Proves the manifest's text parses back to itself, lists every file sorted with its
    // SHA-256, and carries the release's id and checkpoint.
    let release = release();
    let files = write(&release).expect("written");
    let text = body(&release, &files);
    let manifest = parse(&text).expect("canonical");
    assert_eq!(manifest, Manifest::of(&release, &files));
    assert_eq!(manifest.to_text(), text);
    assert_eq!(manifest.files.len(), files.len());
    assert_eq!(manifest.size, 1234);
    let csv = file(&files, CSV_FILE);
    assert_eq!(
        manifest.hash_of(CSV_FILE),
        Some(&corridor_stats::manifest::sha256(&csv.bytes))
    );
    assert!(text.starts_with(
        "corridor/statistics-release/v1\nrelease 2026-Q1\norigin corridor.test/log\nsize 1234\nroot 47DEQ"
    ));
}

#[test]
fn a_manifest_not_in_canonical_form_is_refused() {
    // Proves each second spelling of a manifest is refused with its own error.
    let release = release();
    let files = write(&release).expect("written");
    let text = body(&release, &files);
    let lines: Vec<&str> = text.lines().collect();
    let hash = "0".repeat(64);
    let with_files = |files: &[String]| {
        let mut text = lines[..5].join("\n");
        for file in files {
            text.push('\n');
            text.push_str(file);
        }
        text.push('\n');
        text
    };
    let cases: Vec<(String, ManifestError)> = vec![
        (text.trim_end().to_owned(), ManifestError::NotCanonical),
        (format!("{text}\n"), ManifestError::NotCanonical),
        (text.replacen("v1", "v2", 1), ManifestError::Format),
        (
            text.replacen("size 1234", "size 01234", 1),
            ManifestError::Size {
                line: 4,
                text: "01234".to_owned(),
            },
        ),
        (
            text.replacen("release ", "release  ", 1),
            ManifestError::InvalidValue {
                line: 2,
                field: "release",
            },
        ),
        (
            text.replacen("origin", "source", 1),
            ManifestError::MissingField {
                line: 3,
                field: "origin",
            },
        ),
        (
            with_files(&[format!("{hash} b.csv"), format!("{hash} a.csv")]),
            ManifestError::Order {
                line: 7,
                name: "a.csv".to_owned(),
            },
        ),
        (
            with_files(&[format!("{hash} a.csv"), format!("{hash} a.csv")]),
            ManifestError::Order {
                line: 7,
                name: "a.csv".to_owned(),
            },
        ),
        (
            with_files(&[format!("{} a.csv", "A".repeat(64))]),
            ManifestError::FileLine { line: 6 },
        ),
        (
            with_files(&[format!("{hash} charts/a.svg")]),
            ManifestError::FileName {
                line: 6,
                name: "charts/a.svg".to_owned(),
            },
        ),
        (
            with_files(&[format!("{hash} release.note")]),
            ManifestError::FileName {
                line: 6,
                name: "release.note".to_owned(),
            },
        ),
        (with_files(&[]), ManifestError::FileCount),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(&text), Err(expected), "{text}");
    }
}
