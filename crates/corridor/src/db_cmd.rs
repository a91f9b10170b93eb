//! `corridor db`: the database itself. Migrate it; back up and restore SQLite; copy a whole
//! deployment between databases and backends, verified.
//!
//! A backup or a restore is written under a temporary name, checked (every event replayed to the
//! projections and to the log), made durable, and only then given its name: a name never points
//! at a half-written or unchecked database. PostgreSQL is backed up with its own tools
//! (`pg_dump`, see docs/reliability.md) or copied to SQLite with `corridor db copy`.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use corridor_accounts::{Accounts, MIGRATIONS_TABLE};
use corridor_store::{
    Backend, CopyReport, Store, StoreError, copy_database, migrate_database, migration_versions,
    normalise_url, table_exists, verify_copy,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::app::InputError;
use crate::cli::DbCommand;

/// Where PostgreSQL's own backup tool is documented.
const PG_DUMP_DOCS: &str = "https://www.postgresql.org/docs/current/app-pgdump.html";

/// Runs `corridor db …` against the `--database` URL.
pub async fn run(url: &str, command: DbCommand, json: bool) -> anyhow::Result<ExitCode> {
    match command {
        DbCommand::Migrate => migrate(url, json).await,
        DbCommand::Backup { file } => backup(url, &file, json).await,
        DbCommand::Restore { file } => restore(url, &file, json).await,
        DbCommand::Copy { from, to } => {
            copy(&normalise_url(&from), &normalise_url(&to), json).await
        }
    }
}

fn input(message: String) -> anyhow::Error {
    anyhow::Error::new(InputError(message))
}

/// The file of an SQLite URL, or `None` for another backend.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

/// Refuses an SQLite URL whose file does not exist (opening it would create an empty one).
fn require_existing(url: &str, flag: &str) -> anyhow::Result<()> {
    if let Some(path) = sqlite_path(url)
        && !path.exists()
    {
        return Err(input(format!(
            "{flag}: there is no database at `{}`",
            path.display()
        )));
    }
    Ok(())
}

fn versions_text(versions: &[i64]) -> String {
    if versions.is_empty() {
        "none".to_owned()
    } else {
        versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn migrate(url: &str, json: bool) -> anyhow::Result<ExitCode> {
    let store_migrated = migrate_database(url, true).await?;
    let store = Store::open(url, false).await?;
    let accounts_before = migration_versions(store.pool(), MIGRATIONS_TABLE).await?;
    Accounts::from_pool(store.pool().clone())
        .await
        .context("cannot migrate the accounts tables")?;
    let accounts_after = migration_versions(store.pool(), MIGRATIONS_TABLE).await?;
    store.close().await;
    let accounts_applied: Vec<i64> = accounts_after
        .iter()
        .copied()
        .filter(|version| !accounts_before.contains(version))
        .collect();
    let backend = backend_name(store_migrated.backend);
    if json {
        println!(
            "{}",
            json!({
                "backend": backend,
                "store": {"versions": store_migrated.after, "applied": store_migrated.applied()},
                "accounts": {"versions": accounts_after, "applied": accounts_applied},
            })
        );
    } else {
        println!("database {} ({backend})", corridor_store::redact(url));
        println!(
            "  store schema: versions {} (applied now: {})",
            versions_text(&store_migrated.after),
            versions_text(&store_migrated.applied())
        );
        println!(
            "  accounts schema: versions {} (applied now: {})",
            versions_text(&accounts_after),
            versions_text(&accounts_applied)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// A sibling of `path` named for work in progress: `.NAME.SUFFIX`.
fn work_path(path: &Path, suffix: &str) -> anyhow::Result<PathBuf> {
    let name = path
        .file_name()
        .with_context(|| format!("`{}` names no file", path.display()))?;
    Ok(path.with_file_name(format!(".{}.{suffix}", name.to_string_lossy())))
}

/// Creates an empty file only its owner may read: backups hold wrapped keys and sealed data.
fn create_private(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| {
            format!(
                "cannot create `{}` (if a corridor run was interrupted, remove it and retry)",
                path.display()
            )
        })
}

/// Makes a file's contents, and then its directory entry, durable.
fn sync_file_and_directory(path: &Path) -> anyhow::Result<()> {
    File::open(path)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot sync `{}`", path.display()))?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    File::open(&directory)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("cannot sync directory `{}`", directory.display()))
}

/// What a checked database holds.
struct Checked {
    events: u64,
    size: u64,
    root: String,
    checkpoint: Option<(u64, String)>,
    problems: Vec<String>,
}

/// Opens the SQLite file at `path` as a store and checks it: projections and log.
async fn check_file(path: &Path) -> anyhow::Result<Checked> {
    let store = Store::open(&format!("sqlite://{}", path.display()), false).await?;
    let result = check_store(&store).await;
    store.close().await;
    result
}

async fn check_store(store: &Store) -> anyhow::Result<Checked> {
    let mut problems = store.check(&|_, _| {}).await?.problems;
    problems.extend(store.check_log(&|_, _| {}).await?);
    let (size, root) = store.tree_head().await?;
    Ok(Checked {
        events: store.event_count().await?,
        size,
        root: root.to_hex(),
        checkpoint: store
            .latest_checkpoint()
            .await?
            .map(|(size, root, _, _)| (size, root.to_hex())),
        problems,
    })
}

fn print_problems(what: &str, problems: &[String], json: bool) {
    if json {
        println!("{}", json!({"ok": false, "problems": problems}));
    } else {
        eprintln!("{what} does not check: {} problem(s)", problems.len());
        for problem in problems {
            eprintln!("  {problem}");
        }
    }
}

async fn backup(url: &str, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    if Backend::of_url(url)? == Backend::Postgres {
        return Err(input(format!(
            "`corridor db backup` copies SQLite databases; back up PostgreSQL with `pg_dump --format=custom` \
             ({PG_DUMP_DOCS}, see docs/reliability.md), or copy it to SQLite with `corridor db copy --from URL --to sqlite://FILE`"
        )));
    }
    require_existing(url, "--database")?;
    if file.exists() {
        return Err(input(format!(
            "`{}` exists; a backup never overwrites a file, choose a new name",
            file.display()
        )));
    }
    let partial = work_path(file, "corridor-backup")?;
    drop(create_private(&partial)?);
    let store = Store::open(url, false).await?;
    // VACUUM INTO writes a consistent snapshot of the database, as one read transaction, while
    // writers carry on; the file it writes into must be empty, as ours is.
    let written = store.backup_sqlite_into(&partial).await;
    store.close().await;
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow::Error::new(error).context("cannot write the backup"));
    }
    let checked = match check_file(&partial).await {
        Ok(checked) => checked,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error.context("the backup cannot be opened"));
        }
    };
    if !checked.problems.is_empty() {
        let _ = std::fs::remove_file(&partial);
        print_problems("the backup", &checked.problems, json);
        return Ok(ExitCode::FAILURE);
    }
    sync_file_and_directory(&partial)?;
    std::fs::rename(&partial, file)
        .with_context(|| format!("cannot name the backup `{}`", file.display()))?;
    sync_file_and_directory(file)?;
    report_checked("backup written", file, &checked, json);
    Ok(ExitCode::SUCCESS)
}

fn report_checked(what: &str, file: &Path, checked: &Checked, json: bool) {
    if json {
        println!(
            "{}",
            json!({
                "ok": true,
                "file": file.display().to_string(),
                "events": checked.events,
                "log_size": checked.size,
                "log_root": checked.root,
                "checkpoint": checked.checkpoint.as_ref().map(|(size, root)| json!({"size": size, "root": root})),
            })
        );
    } else {
        println!(
            "{what}: {} ({} events; log size {}, root {})",
            file.display(),
            checked.events,
            checked.size,
            checked.root
        );
        if let Some((size, root)) = &checked.checkpoint {
            println!("  latest checkpoint: size {size}, root {root}");
        }
        println!("  check: every event replays to the projections and to its log leaf");
    }
}

async fn restore(url: &str, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let Some(target) = sqlite_path(url) else {
        return Err(input(format!(
            "`corridor db restore` restores an SQLite backup as an SQLite database; to load it into PostgreSQL, \
             run `corridor db copy --from sqlite://{} --to {}`",
            file.display(),
            corridor_store::redact(url)
        )));
    };
    if !file.is_file() {
        return Err(input(format!(
            "there is no backup file `{}`",
            file.display()
        )));
    }
    for existing in [
        target.clone(),
        PathBuf::from(format!("{}-wal", target.display())),
    ] {
        if std::fs::metadata(&existing).is_ok_and(|meta| meta.len() > 0) {
            return Err(input(format!(
                "`{}` exists; restore only into a new database (move the old one away first)",
                existing.display()
            )));
        }
    }
    let partial = work_path(&target, "corridor-restore")?;
    let copied = (|| -> anyhow::Result<()> {
        let mut out = create_private(&partial)?;
        let mut source =
            File::open(file).with_context(|| format!("cannot read `{}`", file.display()))?;
        std::io::copy(&mut source, &mut out)?;
        out.flush()?;
        out.sync_all()?;
        Ok(())
    })();
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    let checked = match check_file(&partial).await {
        Ok(checked) => checked,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error.context(format!(
                "`{}` is not a corridor database that opens",
                file.display()
            )));
        }
    };
    if !checked.problems.is_empty() {
        let _ = std::fs::remove_file(&partial);
        print_problems("the backup", &checked.problems, json);
        return Ok(ExitCode::FAILURE);
    }
    sync_file_and_directory(&partial)?;
    if target.exists() {
        // An empty file (checked above): the restored database takes its place.
        std::fs::remove_file(&target)
            .with_context(|| format!("cannot replace the empty `{}`", target.display()))?;
    }
    std::fs::rename(&partial, &target)
        .with_context(|| format!("cannot name the database `{}`", target.display()))?;
    sync_file_and_directory(&target)?;
    report_checked("restored", &target, &checked, json);
    Ok(ExitCode::SUCCESS)
}

async fn copy(from: &str, to: &str, json: bool) -> anyhow::Result<ExitCode> {
    if from == to {
        return Err(input(
            "--from and --to name the same database; copy into a new, empty one".to_owned(),
        ));
    }
    require_existing(from, "--from")?;
    let source = Store::open(from, false).await.context("--from")?;
    let target = Store::open(to, true).await.context("--to")?;
    if table_exists(source.pool(), MIGRATIONS_TABLE).await? {
        // The accounts live beside the store; the target gets their tables before the copy.
        Accounts::from_pool(target.pool().clone())
            .await
            .context("cannot create the accounts tables in the target")?;
    }
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("copying {msg:20} {bar:40} {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let copied = copy_database(&source, &target, &|table, done, total| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(table.to_owned());
    })
    .await;
    bar.finish_and_clear();
    source.close().await;
    let report = match copied {
        Ok(report) => report,
        Err(error @ StoreError::TargetNotEmpty { .. }) => {
            target.close().await;
            return Err(input(format!("--to: {error}")));
        }
        Err(error) => {
            target.close().await;
            return Err(anyhow::Error::new(error).context("the copy failed; nothing was written"));
        }
    };
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(report.head.0)
    };
    bar.set_style(
        ProgressStyle::with_template("verifying {bar:40} {pos}/{len} events ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let problems = verify_copy(&target, &report, &|done, _| bar.set_position(done)).await;
    bar.finish_and_clear();
    target.close().await;
    let problems = problems?;
    if !problems.is_empty() {
        print_problems(
            &format!(
                "the copy in {} (drop it before trying again)",
                corridor_store::redact(to)
            ),
            &problems,
            json,
        );
        return Ok(ExitCode::FAILURE);
    }
    report_copy(from, to, &report, json);
    Ok(ExitCode::SUCCESS)
}

fn report_copy(from: &str, to: &str, report: &CopyReport, json: bool) {
    let (size, root) = &report.head;
    let checkpoint = report.checkpoint.map(|(size, root)| (size, root.to_hex()));
    if json {
        println!(
            "{}",
            json!({
                "ok": true,
                "tables": report.tables.iter().map(|(table, rows)| json!({"table": table, "rows": rows})).collect::<Vec<_>>(),
                "log_size": size,
                "log_root": root.to_hex(),
                "checkpoint": checkpoint.as_ref().map(|(size, root)| json!({"size": size, "root": root})),
                "simulation": report.deployment.is_simulation(),
            })
        );
        return;
    }
    println!(
        "copied {} to {}",
        corridor_store::redact(from),
        corridor_store::redact(to)
    );
    for (table, rows) in &report.tables {
        println!("  {table:<32} {rows:>10} rows");
    }
    println!(
        "  log: size {size}, root {} — the same in both",
        root.to_hex()
    );
    match checkpoint {
        Some((size, root)) => {
            println!("  latest checkpoint: size {size}, root {root} — the same in both")
        }
        None => println!("  no checkpoint recorded yet"),
    }
    println!(
        "  a {} — the same in both: a copy never turns one kind into the other",
        report.deployment
    );
    println!("  check: every event replays to the projections and to its log leaf");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_files_are_hidden_siblings() {
        // Proves work in progress is named beside its destination, hidden, never the name itself.
        assert_eq!(
            work_path(Path::new("/tmp/x/corridor.db"), "corridor-restore").unwrap(),
            PathBuf::from("/tmp/x/.corridor.db.corridor-restore")
        );
        assert_eq!(
            sqlite_path("sqlite://a/b.db?mode=rwc"),
            Some(PathBuf::from("a/b.db"))
        );
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}
