//! What a database is for: a real deployment or a simulation, recorded once, when it is created.
//!
//! A real deployment takes its time from the system clock and acts only as accounts that prove
//! who they are. A simulation (`corridor demo`, the tests, `corridor init --simulation`) may fix
//! or shift its clock and act as names from a users file, and it says so wherever the public can
//! tell: its log origin ends in [`SIMULATION_ORIGIN_SUFFIX`], so every checkpoint it signs, and
//! every cosignature a witness gives it, names it a simulation. The kind is one row of the
//! `deployment` table (schema version 4), written before the first event and never changed; a
//! database without the row is a real deployment.

use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

use crate::error::StoreError;

/// What a database is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    /// A real deployment: the system clock, accounts that prove who they are.
    Real,
    /// A simulation: a clock that may be set, a users file, checkpoints marked as such.
    Simulation,
}

/// The last path segment of every simulation's log origin, and of no real deployment's. A C2SP
/// origin is a schema-less URL without spaces or `+`, so the mark is a path segment: a verifier
/// or witness that follows a real log's origin never takes a simulation's checkpoint for it.
pub const SIMULATION_ORIGIN_SUFFIX: &str = "/simulation";

impl Deployment {
    /// Whether this is a simulation.
    pub fn is_simulation(self) -> bool {
        self == Self::Simulation
    }

    /// The log origin this deployment signs under, from the one asked for: a simulation's ends
    /// in [`SIMULATION_ORIGIN_SUFFIX`] (added if missing); a real deployment's must not.
    pub fn origin(self, asked: &str) -> Result<String, StoreError> {
        match (self, is_simulation_origin(asked)) {
            (Self::Simulation, true) | (Self::Real, false) => Ok(asked.to_owned()),
            (Self::Simulation, false) => Ok(format!("{asked}{SIMULATION_ORIGIN_SUFFIX}")),
            (Self::Real, true) => Err(StoreError::Deployment(format!(
                "the log origin `{asked}` ends in `{SIMULATION_ORIGIN_SUFFIX}`, which marks simulations; \
                 a real deployment's origin must not"
            ))),
        }
    }
}

impl std::fmt::Display for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Real => "real deployment",
            Self::Simulation => "simulation",
        })
    }
}

/// Whether any stored event names `user` as who acted (access records included, so a read
/// counts): an account that has acted on the record keeps its role (`corridor-accounts`). One
/// scan of the events, for the rare administrative change that asks.
pub async fn has_acted(
    pool: &sqlx::AnyPool,
    user: &corridor_domain::UserId,
) -> Result<bool, StoreError> {
    // Events are stored as compact JSON (`{"at":…,"by":"NAME",…}`). A user name holds only
    // lowercase letters, digits, `.`, `_` and `-`; `_` is LIKE's one-character wildcard, so it
    // is escaped (with `!`, which needs no quoting in any SQL dialect).
    let pattern = format!(r#"%"by":"{}"%"#, user.as_str().replace('_', "!_"));
    let mut conn = pool.acquire().await?;
    let found = sqlx::query("SELECT seq FROM events WHERE body LIKE $1 ESCAPE '!' LIMIT 1")
        .bind(pattern)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_some() {
        return Ok(true);
    }
    // A compact access record names who acted right after its format byte
    // (`access_codec`): its first bytes say whether it is theirs, without decoding it.
    let row = sqlx::query("SELECT id FROM access_names WHERE name = $1")
        .bind(user.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(false) };
    let id = u64::try_from(row.try_get::<i64, _>("id")?)
        .map_err(|_| StoreError::Corrupt("a negative access name id".to_owned()))?;
    let prefix = crate::access_codec::prefix_of_user(id);
    let sql = format!(
        "SELECT seq FROM access_records WHERE substr(record, 1, {}) = $1 LIMIT 1",
        prefix.len()
    );
    let found = sqlx::query(AssertSqlSafe(sql))
        .bind(prefix)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// Whether a log origin names a simulation.
pub fn is_simulation_origin(origin: &str) -> bool {
    origin.ends_with(SIMULATION_ORIGIN_SUFFIX)
}

/// The kind recorded in the database; a database without the row is a real deployment.
pub(crate) async fn read(conn: &mut AnyConnection) -> Result<Deployment, StoreError> {
    let row = sqlx::query("SELECT simulation FROM deployment WHERE singleton = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let simulation = match row {
        Some(row) => row.try_get::<i64, _>("simulation")?,
        None => 0,
    };
    Ok(if simulation == 1 {
        Deployment::Simulation
    } else {
        Deployment::Real
    })
}

/// Records the kind of a new database. A database that holds a row already keeps it (asking
/// for the other kind is refused), and one that holds events without a row is a real deployment.
pub(crate) async fn record(conn: &mut AnyConnection, asked: Deployment) -> Result<(), StoreError> {
    let recorded = sqlx::query("SELECT simulation FROM deployment WHERE singleton = 1")
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    let has_events = sqlx::query("SELECT seq FROM events LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !recorded && !has_events {
        sqlx::query(
            "INSERT INTO deployment (singleton, simulation) VALUES (1, $1) ON CONFLICT (singleton) DO NOTHING",
        )
        .bind(i64::from(asked.is_simulation()))
        .execute(&mut *conn)
        .await?;
    }
    // Read back: another process may have created the database at the same moment.
    let database = read(conn).await?;
    if database != asked {
        return Err(StoreError::Deployment(format!(
            "the database is a {database}, not a {asked}: what a database is for is recorded once, \
             when it is created; create a new database for a {asked}"
        )));
    }
    Ok(())
}
