//! The databases' own clients inserting the rows the full path wrote (issue 18): the `sqlite3`
//! shell into a fresh file, and `psql` into a plain table of the benchmark's PostgreSQL
//! database, each table with only a primary key, each commit durable (SQLite WAL with
//! `synchronous=FULL`, PostgreSQL `synchronous_commit=on`).
//!
//! Grouped, two ways each, and the faster is the one the full path is compared with: SQLite's
//! `.import --csv` of one CSV file per group (the shell wraps each file in one transaction) and a
//! script of `BEGIN; INSERT …; … COMMIT;` per group; PostgreSQL's `\copy … FROM` of one CSV file
//! per group (one transaction each) and `INSERT … SELECT` of each group from a staging table
//! filled beforehand (the server's insert alone, no parsing or transfer). Single: a script of
//! one `INSERT` per row, each its own durable transaction. Timed from the client's start to its
//! exit, so the process start (a few milliseconds) is counted against the client.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::EventRow;

/// The plain table: the events table's columns with only its primary key.
fn create_plain(name: &str, integer: &str) -> String {
    format!(
        "CREATE TABLE {name} (seq {integer} PRIMARY KEY, stream TEXT NOT NULL, version {integer} NOT NULL, \
         kind TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, schema {integer} NOT NULL, \
         body TEXT NOT NULL, body_sha256 TEXT NOT NULL);"
    )
}

/// A client's run: the rows, the wall time from its start to its exit, and the CPU time
/// (user + system) the client process used.
pub struct ClientRun {
    pub rows: usize,
    pub wall: Duration,
    pub cpu: Duration,
}

impl ClientRun {
    pub fn rate(&self) -> f64 {
        self.rows as f64 / self.wall.as_secs_f64()
    }
}

/// What the clients did on one backend.
pub struct ClientFigures {
    /// Every grouped way, with its name.
    pub grouped: Vec<(&'static str, ClientRun)>,
    pub single: ClientRun,
    /// Bytes the plain table took per row (grouped rows only).
    pub bytes_per_row: f64,
}

impl ClientFigures {
    /// The fastest grouped way.
    pub fn best_grouped(&self) -> Option<&(&'static str, ClientRun)> {
        self.grouped
            .iter()
            .max_by(|a, b| a.1.rate().total_cmp(&b.1.rate()))
    }
}

/// The CPU time (user + system) of this process's waited-for children so far, from
/// `/proc/self/stat` (fields `cutime` and `cstime`, in clock ticks of 10 ms on Linux).
pub fn children_cpu() -> Duration {
    stat_ticks(&[15, 16])
}

/// The CPU time (user + system) of this process so far, every thread included.
pub fn own_cpu() -> Duration {
    stat_ticks(&[13, 14])
}

fn stat_ticks(fields: &[usize]) -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The command name (field 2) may hold spaces; the fields after it follow its `)`.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let values: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3, so field n is at index n - 3.
    let ticks: u64 = fields
        .iter()
        .filter_map(|field| values.get(field - 3)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Runs a client with `script` on its standard input; its wall and CPU time.
fn run(program: &str, args: &[&str], script: &Path, rows: usize) -> anyhow::Result<ClientRun> {
    let input = std::fs::File::open(script)?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new(program)
        .args(args)
        .stdin(input)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("`{program}` (is it installed?)"))?;
    let wall = started.elapsed();
    anyhow::ensure!(
        output.status.success(),
        "`{program}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(ClientRun {
        rows,
        wall,
        cpu: children_cpu().saturating_sub(cpu_before),
    })
}

/// A CSV field, quoted.
fn csv_text(out: &mut String, text: &str) {
    out.push('"');
    out.push_str(&text.replace('"', "\"\""));
    out.push('"');
}

fn csv_line(row: &EventRow) -> String {
    let mut line = String::with_capacity(row.7.len() + 200);
    let _ = write!(line, "{},", row.0);
    csv_text(&mut line, &row.1);
    let _ = write!(line, ",{},", row.2);
    csv_text(&mut line, &row.3);
    line.push(',');
    csv_text(&mut line, &row.4);
    line.push(',');
    csv_text(&mut line, &row.5);
    let _ = write!(line, ",{},", row.6);
    csv_text(&mut line, &row.7);
    line.push(',');
    csv_text(&mut line, &row.8);
    line.push('\n');
    line
}

/// An SQL string literal.
fn sql_text(out: &mut String, text: &str) {
    out.push('\'');
    out.push_str(&text.replace('\'', "''"));
    out.push('\'');
}

/// `INSERT INTO table VALUES (…);` for one row.
fn insert_line(table: &str, row: &EventRow) -> String {
    let mut line = String::with_capacity(row.7.len() + 200);
    let _ = write!(line, "INSERT INTO {table} VALUES ({}, ", row.0);
    sql_text(&mut line, &row.1);
    let _ = write!(line, ", {}, ", row.2);
    sql_text(&mut line, &row.3);
    line.push_str(", ");
    sql_text(&mut line, &row.4);
    line.push_str(", ");
    sql_text(&mut line, &row.5);
    let _ = write!(line, ", {}, ", row.6);
    sql_text(&mut line, &row.7);
    line.push_str(", ");
    sql_text(&mut line, &row.8);
    line.push_str(");\n");
    line
}

/// One CSV file per group, in order.
fn group_files(dir: &Path, rows: &[EventRow], group: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (index, chunk) in rows.chunks(group.max(1)).enumerate() {
        let path = dir.join(format!("group-{index:05}.csv"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for row in chunk {
            file.write_all(csv_line(row).as_bytes())?;
        }
        file.flush()?;
        files.push(path);
    }
    Ok(files)
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The script of single-row durable commits: one autocommit `INSERT` per row, keyed after the
/// grouped rows.
fn single_script(head: &str, table: &str, single: &[EventRow], offset: i64) -> String {
    let mut script = String::from(head);
    for row in single {
        let mut row = row.clone();
        row.0 += offset;
        script.push_str(&insert_line(table, &row));
    }
    script
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n\
                              PRAGMA cache_size = -65536;\n";

/// The file's bytes after a truncating checkpoint: page count × page size.
fn sqlite_file_bytes(file: &Path) -> anyhow::Result<i64> {
    let output = Command::new("sqlite3")
        .arg(file)
        .arg(
            "PRAGMA wal_checkpoint(TRUNCATE); \
             SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();",
        )
        .output()
        .context("`sqlite3` (apt-get install sqlite3)")?;
    anyhow::ensure!(
        output.status.success(),
        "`sqlite3` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .context("`sqlite3` printed no page count")
}

/// The `sqlite3` shell inserting `rows` (grouped) and `single` (one per transaction).
pub fn sqlite(
    dir: &Path,
    rows: &[EventRow],
    single: &[EventRow],
    group: usize,
) -> anyhow::Result<ClientFigures> {
    let files = group_files(dir, rows, group)?;
    let mut grouped = Vec::new();
    let mut bytes_per_row = Vec::new();
    for (name, import) in [
        ("sqlite3 .import --csv, a file per group", true),
        ("sqlite3 script, BEGIN; INSERT × group; COMMIT", false),
    ] {
        let way = if import { "import" } else { "script" };
        let database = dir.join(format!("client-{way}.db"));
        let setup = dir.join(format!("setup-{way}.sql"));
        write_file(
            &setup,
            &format!("{SQLITE_PRAGMAS}{}\n", create_plain("plain", "INTEGER")),
        )?;
        let database_arg = database.to_string_lossy().into_owned();
        run("sqlite3", &[&database_arg], &setup, 0)?;
        let empty = sqlite_file_bytes(&database)?;
        let mut script = String::from(SQLITE_PRAGMAS);
        if import {
            for file in &files {
                let _ = writeln!(script, ".import --csv '{}' plain", file.display());
            }
        } else {
            for chunk in rows.chunks(group.max(1)) {
                script.push_str("BEGIN;\n");
                for row in chunk {
                    script.push_str(&insert_line("plain", row));
                }
                script.push_str("COMMIT;\n");
            }
        }
        let path = dir.join(format!("grouped-{way}.sql"));
        write_file(&path, &script)?;
        grouped.push((name, run("sqlite3", &[&database_arg], &path, rows.len())?));
        let grown = sqlite_file_bytes(&database)? - empty;
        bytes_per_row.push(grown as f64 / rows.len().max(1) as f64);
    }
    // The single-row commits go into the script's table, after its rows.
    let offset = i64::try_from(rows.len())?;
    let path = dir.join("single.sql");
    write_file(
        &path,
        &single_script(SQLITE_PRAGMAS, "plain", single, offset),
    )?;
    let database_arg = dir.join("client-script.db").to_string_lossy().into_owned();
    let single = run("sqlite3", &[&database_arg], &path, single.len())?;
    Ok(ClientFigures {
        grouped,
        single,
        // Both ways build the same table; the smaller is the plain table's size.
        bytes_per_row: bytes_per_row.into_iter().fold(f64::INFINITY, f64::min),
    })
}

/// `psql` into plain tables of the database at `url`, inserting `rows` (grouped) and `single`
/// (one per transaction); `relation_bytes` reads `pg_total_relation_size` of a table.
pub async fn psql<F, Fut>(
    dir: &Path,
    url: &str,
    rows: &[EventRow],
    single: &[EventRow],
    group: usize,
    relation_bytes: F,
) -> anyhow::Result<ClientFigures>
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<i64>>,
{
    let files = group_files(dir, rows, group)?;
    let args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", url];
    let head = "SET synchronous_commit = on;\n";
    let setup = dir.join("setup.sql");
    write_file(
        &setup,
        &format!(
            "{}\n{}\n{}\n",
            create_plain("client_copy", "BIGINT"),
            create_plain("client_select", "BIGINT"),
            create_plain("client_staging", "BIGINT"),
        ),
    )?;
    run("psql", &args, &setup, 0)?;
    // The staging table, filled untimed, is what `INSERT … SELECT` reads.
    let mut stage = String::new();
    for file in &files {
        let _ = writeln!(
            stage,
            "\\copy client_staging FROM '{}' WITH (FORMAT csv)",
            file.display()
        );
    }
    stage.push_str("CHECKPOINT;\n");
    let path = dir.join("stage.sql");
    write_file(&path, &stage)?;
    run("psql", &args, &path, 0)?;

    let mut copy = String::from(head);
    for file in &files {
        let _ = writeln!(
            copy,
            "\\copy client_copy FROM '{}' WITH (FORMAT csv)",
            file.display()
        );
    }
    let path = dir.join("copy.sql");
    write_file(&path, &copy)?;
    let copied = run("psql", &args, &path, rows.len())?;

    let mut select = String::from(head);
    for chunk in rows.chunks(group.max(1)) {
        if let (Some(first), Some(last)) = (chunk.first(), chunk.last()) {
            let _ = writeln!(
                select,
                "INSERT INTO client_select SELECT * FROM client_staging WHERE seq BETWEEN {} AND {};",
                first.0, last.0
            );
        }
    }
    let path = dir.join("select.sql");
    write_file(&path, &select)?;
    let selected = run("psql", &args, &path, rows.len())?;
    let bytes = relation_bytes("client_copy").await?;

    let offset = i64::try_from(rows.len())?;
    let path = dir.join("single.sql");
    write_file(&path, &single_script(head, "client_copy", single, offset))?;
    let single = run("psql", &args, &path, single.len())?;
    Ok(ClientFigures {
        grouped: vec![
            ("psql \\copy, a CSV file per group", copied),
            (
                "psql INSERT … SELECT per group from a staging table",
                selected,
            ),
        ],
        single,
        bytes_per_row: bytes as f64 / rows.len().max(1) as f64,
    })
}
