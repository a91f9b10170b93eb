//! Time and identity for a command on the database host, decided once, at start, from what the
//! database is for (`corridor_store::Deployment`, STYLE.md 21).
//!
//! A real deployment takes its time from the system clock and acts only as accounts that prove
//! who they are: `--as NAME` needs an API token of that account (`--token`, `CORRIDOR_TOKEN`, or
//! `--token-file` readable by its owner alone), and the token alone is enough. A simulation
//! (`corridor demo`, the tests, `corridor init --simulation`) may also fix its clock with
//! `CORRIDOR_NOW` and act as bare names, accounts first, then the users file. Every refusal here
//! names the flag or variable to change (exit 2), or says why the proof failed (exit 4).

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use corridor_accounts::Accounts;
use corridor_app::{Caller, Credential};
use corridor_domain::UserId;
use corridor_store::Deployment;
use jiff::Timestamp;

use crate::app::{ClockSetting, InputError, Refused};
use crate::users::Users;

/// The variable that fixes a simulation's clock.
pub const NOW_ENV: &str = "CORRIDOR_NOW";

/// Where `corridor init --simulation` writes the users file, and where a simulation reads it.
pub const USERS_FILE_DEFAULT: &str = "corridor-users.toml";

/// Bits of a token file's mode that let anyone but its owner read or write it.
const TOKEN_FILE_OTHERS_MODE: u32 = 0o077;

fn input(message: String) -> anyhow::Error {
    anyhow::Error::new(InputError(message))
}

/// The clock of a command on a database that is `deployment`: the system clock, or in a
/// simulation the moment in `CORRIDOR_NOW`. A real deployment refuses `CORRIDOR_NOW` rather
/// than ignore it, so nobody believes a step was dated as they asked.
pub fn clock(deployment: Deployment) -> anyhow::Result<ClockSetting> {
    let Some(value) = std::env::var_os(NOW_ENV) else {
        return Ok(ClockSetting::System);
    };
    if !deployment.is_simulation() {
        return Err(input(format!(
            "{NOW_ENV} is set, but the database is a real deployment, whose clock is the system \
             clock: a fixed clock exists only in a simulation (`corridor init --simulation`, \
             `corridor demo`). Unset {NOW_ENV}"
        )));
    }
    let text = value.to_string_lossy();
    let at = text.parse::<Timestamp>().map_err(|error| {
        input(format!(
            "{NOW_ENV}=`{text}` is not a moment (RFC 3339): {error}"
        ))
    })?;
    Ok(ClockSetting::Fixed(at))
}

/// Refuses a flag that moves a real deployment's clock (`tick --at`).
pub fn simulated_time_only(deployment: Deployment, flag: &str) -> anyhow::Result<()> {
    if deployment.is_simulation() {
        return Ok(());
    }
    Err(input(format!(
        "{flag}: the database is a real deployment, whose clock is the system clock; only a \
         simulation may act at another moment"
    )))
}

/// The users file of a simulation: `given` (`--users`, `CORRIDOR_USERS`) or the default file,
/// if it exists. A real deployment reads none and refuses one given: names in a file anyone
/// with the file can edit are no proof of who acts.
pub fn users(deployment: Deployment, given: Option<&Path>) -> anyhow::Result<Users> {
    if !deployment.is_simulation() {
        if let Some(path) = given {
            return Err(input(format!(
                "--users `{}`: a users file is for simulations only; the database is a real \
                 deployment, which acts only as its accounts (`corridor user add`), each proving \
                 who it is with --token or --token-file",
                path.display()
            )));
        }
        return Ok(Users::default());
    }
    let path = users_path(given);
    if path.exists() {
        Users::load(&path)
    } else {
        Ok(Users::default())
    }
}

/// The users file's path: the one given, or the default.
pub fn users_path(given: Option<&Path>) -> PathBuf {
    given.map_or_else(|| PathBuf::from(USERS_FILE_DEFAULT), Path::to_path_buf)
}

/// The API token given as proof: `--token` (or `CORRIDOR_TOKEN`), or the first line of
/// `--token-file`, which must be readable by its owner alone.
pub fn token(text: Option<&str>, file: Option<&Path>) -> anyhow::Result<Option<String>> {
    match (text, file) {
        (Some(_), Some(_)) => Err(input(
            "--token-file: give the token once, either --token (CORRIDOR_TOKEN) or --token-file"
                .to_owned(),
        )),
        (Some(text), None) => Ok(Some(text.trim().to_owned())),
        (None, Some(path)) => token_file(path).map(Some),
        (None, None) => Ok(None),
    }
}

fn token_file(path: &Path) -> anyhow::Result<String> {
    let shown = path.display();
    let metadata =
        std::fs::metadata(path).with_context(|| format!("--token-file: cannot read `{shown}`"))?;
    let mode = metadata.permissions().mode();
    if mode & TOKEN_FILE_OTHERS_MODE != 0 {
        return Err(input(format!(
            "--token-file: `{shown}` may be read or written by others (mode {:o}); a token is a \
             password: `chmod 600 {shown}`",
            mode & 0o777
        )));
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--token-file: cannot read `{shown}`"))?;
    let token = text.lines().next().unwrap_or_default().trim().to_owned();
    if token.is_empty() {
        return Err(input(format!("--token-file: `{shown}` holds no token")));
    }
    Ok(token)
}

/// Who acts: the account of `token`, or (a simulation only) the bare name `--as`, an account
/// first, then the users file. `None` when neither is given: the anonymous public.
pub async fn caller(
    deployment: Deployment,
    name: Option<&str>,
    token: Option<&str>,
    accounts: &Accounts,
    users: &Users,
    now: Timestamp,
) -> anyhow::Result<Option<Caller>> {
    if let Some(token) = token {
        return by_token(name, token, accounts, now).await.map(Some);
    }
    let Some(name) = name else {
        return Ok(None);
    };
    if !deployment.is_simulation() {
        return Err(input(format!(
            "--as {name}: the database is a real deployment, where a name alone proves nothing: \
             give the account's API token with --token (or CORRIDOR_TOKEN) or --token-file \
             (mode 0600); `corridor user token {name} --scope '*'` issues one"
        )));
    }
    let actor = match crate::user_cmd::account_actor(accounts, name).await? {
        Some(actor) => actor,
        None => users.actor(name)?,
    };
    Ok(Some(Caller::local(actor)))
}

/// The caller behind a token, which must be live and, when `--as` names someone, theirs. The
/// token's scopes hold locally as over HTTP.
async fn by_token(
    name: Option<&str>,
    token: &str,
    accounts: &Accounts,
    now: Timestamp,
) -> anyhow::Result<Caller> {
    let live = accounts.live_token(token, now).await?.ok_or_else(|| {
        anyhow::Error::new(Refused(
            "the API token is not valid: unknown, expired or revoked, or its account is disabled"
                .to_owned(),
        ))
    })?;
    if let Some(name) = name
        && UserId::parse(name).ok().as_ref() != Some(&live.actor.user)
    {
        return Err(anyhow::Error::new(Refused(format!(
            "--as {name}: the token is `{}`'s, and a token acts only as its own account",
            live.actor.user
        ))));
    }
    Ok(Caller {
        actor: live.actor,
        credential: Credential::Token {
            scopes: live.scopes,
            expires_at: live.expires_at,
        },
    })
}
