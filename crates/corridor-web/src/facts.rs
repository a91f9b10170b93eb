//! An agreement file's facts with the source of each, as the file carries them: every
//! `{ value = …, source = "…" }`, every table or list entry that has its own `source`
//! (`[parties]`, `[[clocks.welfare_schedule]]`), and the dated `[[status]]` entries. Read from
//! the text `corridor_app::service::read_agreement` returns (the file as reviewed and loaded),
//! so the page shows exactly what was loaded (docs/agreements.md describes the format).

/// One fact of the terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Its dotted path in the file (`caps.transferred_total_max`, `clocks.welfare_schedule[1]`).
    pub path: String,
    /// Its value as text (a list joined with commas; a table's entries as `key = value`).
    pub value: String,
    /// Where the fact comes from, as the file says; `None` when the file gives none.
    pub source: Option<String>,
}

/// One dated status of the file, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSource {
    /// The status entered.
    pub status: String,
    /// The day, `YYYY-MM-DD`.
    pub on: String,
    /// Its source.
    pub source: Option<String>,
}

/// The facts of an agreement file, in the file's order of sections (TOML tables are sorted by
/// key when parsed), and its status entries. A text that does not parse gives nothing: the
/// store only holds files that parsed when they were loaded.
pub fn facts(text: &str) -> (Vec<Fact>, Vec<StatusSource>) {
    let Ok(table) = text.parse::<toml::Table>() else {
        return (Vec::new(), Vec::new());
    };
    let mut out = Vec::new();
    let mut statuses = Vec::new();
    for (key, value) in &table {
        match (key.as_str(), value) {
            // The agreement's id and title are shown as the page's heading.
            ("id" | "title", _) => {}
            ("status", toml::Value::Array(entries)) => {
                statuses.extend(entries.iter().filter_map(|entry| {
                    let entry = entry.as_table()?;
                    Some(StatusSource {
                        status: entry.get("status")?.as_str()?.to_owned(),
                        on: display(entry.get("on")?),
                        source: source_of(entry),
                    })
                }));
            }
            _ => walk(key, value, &mut out),
        }
    }
    (out, statuses)
}

fn source_of(table: &toml::Table) -> Option<String> {
    table
        .get("source")
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
}

fn walk(path: &str, value: &toml::Value, out: &mut Vec<Fact>) {
    match value {
        toml::Value::Table(table) => {
            if let (Some(value), Some(source)) = (table.get("value"), source_of(table)) {
                out.push(Fact {
                    path: path.to_owned(),
                    value: display(value),
                    source: Some(source),
                });
                return;
            }
            let plain: Vec<String> = table
                .iter()
                .filter(|(key, value)| *key != "source" && !is_nested(value))
                .map(|(key, value)| format!("{key} = {}", display(value)))
                .collect();
            if !plain.is_empty() {
                out.push(Fact {
                    path: path.to_owned(),
                    value: plain.join("; "),
                    source: source_of(table),
                });
            }
            for (key, value) in table.iter().filter(|(_, value)| is_nested(value)) {
                walk(&format!("{path}.{key}"), value, out);
            }
        }
        toml::Value::Array(entries) if entries.iter().all(toml::Value::is_table) => {
            for (index, entry) in entries.iter().enumerate() {
                walk(&format!("{path}[{}]", index.saturating_add(1)), entry, out);
            }
        }
        other => out.push(Fact {
            path: path.to_owned(),
            value: display(other),
            source: None,
        }),
    }
}

/// Whether a value is a table or a list of tables (walked on its own).
fn is_nested(value: &toml::Value) -> bool {
    match value {
        toml::Value::Table(_) => true,
        toml::Value::Array(entries) => {
            !entries.is_empty() && entries.iter().all(toml::Value::is_table)
        }
        _ => false,
    }
}

/// A value as text: strings as they are, lists joined with commas.
fn display(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => text.clone(),
        toml::Value::Array(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        toml::Value::Table(table) => table
            .iter()
            .map(|(key, value)| format!("{key} = {}", display(value)))
            .collect::<Vec<_>>()
            .join("; "),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Float(number) => number.to_string(),
        toml::Value::Boolean(truth) => truth.to_string(),
        toml::Value::Datetime(datetime) => datetime.to_string(),
    }
}
