//! [`Accounts`]: users, logins, sessions and API tokens over one database pool.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use corridor_domain::{Actor, Party, Role, UserId};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::db::{self, Backend};
use crate::error::{AccountsError, LoginError};
use crate::language::LanguageTag;
use crate::party;
use crate::password::{self, PASSWORD_LENGTH_MAX_BYTES, PasswordPhc};
use crate::rate::RateLimiter;
use crate::secret::{Scope, SessionId, TokenId, TokenSecret, sha256_hex};

/// A session unused for this long is over: the user must log in again.
pub const SESSION_IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(30);
/// A session is over this long after login, however busy: a working day plus some.
pub const SESSION_ABSOLUTE_TIMEOUT: SignedDuration = SignedDuration::from_hours(12);
/// Sessions one user may hold at once; a login beyond it ends the oldest.
pub const SESSIONS_PER_USER_MAX: u32 = 8;
/// The longest an API token may live.
pub const TOKEN_LIFETIME_MAX: SignedDuration = SignedDuration::from_hours(24 * 366);
/// Actions one token may be scoped to.
pub const TOKEN_SCOPES_MAX: usize = 64;
/// Live (unrevoked, unexpired) tokens one user may hold.
pub const TOKENS_PER_USER_MAX: u32 = 32;
/// Users [`Accounts::list_users`] returns at most.
pub const USERS_LIST_MAX: u32 = 10_000;

/// What the rate limiter keys an unparseable user name by: such names share one window, and the
/// limiter never stores attacker-chosen text of unbounded length.
const INVALID_NAME_KEY: &str = "\u{0}invalid";

/// How long a verified API token is trusted without asking the database again. A revocation, a
/// disabled user or a role change made through this process takes effect at once (the cache is
/// cleared); one made by another process sharing the database, within this time.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);

/// Most verified tokens remembered; the cache is cleared when full.
pub const TOKEN_CACHE_ENTRIES_MAX: usize = 10_000;

/// A verified token, remembered for [`TOKEN_CACHE_TTL`].
/// A live token: who it acts for, what it may do, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveToken {
    /// The user it acts as.
    pub actor: Actor,
    /// The actions it may perform.
    pub scopes: BTreeSet<Scope>,
    /// When it stops working.
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
struct CachedToken {
    actor: Actor,
    scopes: BTreeSet<Scope>,
    expires_at: Timestamp,
    verified_at: Instant,
}

/// Counts of Argon2 verifications done by [`Accounts::login`], so tests can check that an
/// unknown user costs the same work as a known one without measuring time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginStats {
    /// Verifications against a user's stored hash.
    pub user_hash_verifications: u64,
    /// Verifications against the dummy hash, for names that are not users.
    pub dummy_hash_verifications: u64,
}

/// A user as an admin sees them: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// The login name.
    pub user: UserId,
    /// Their one role.
    pub role: Role,
    /// What the role acts for.
    pub party: Party,
    /// Whether logins, sessions and tokens are refused.
    pub disabled: bool,
    /// When the user was added.
    pub created_at: Timestamp,
}

/// A token as its owner sees it after creation: never the token text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Names the token for revocation.
    pub id: TokenId,
    /// The user the token acts as.
    pub user: UserId,
    /// The actions it may perform.
    pub scopes: BTreeSet<Scope>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// The accounts of one corridor database.
#[derive(Debug)]
pub struct Accounts {
    pool: AnyPool,
    backend: Backend,
    limiter: Mutex<RateLimiter>,
    /// Verified against when the user does not exist, so that an unknown name costs one Argon2
    /// verification like a known one: [`PasswordPhc::unmatchable`], which no password matches.
    dummy_hash: Arc<PasswordPhc>,
    user_hash_verifications: AtomicU64,
    dummy_hash_verifications: AtomicU64,
    /// Verified tokens by the SHA-256 of their text.
    tokens: Mutex<HashMap<String, CachedToken>>,
}

impl Accounts {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`) with durable settings and
    /// migrates the accounts tables. The database must exist; open the store first.
    pub async fn open(url: &str) -> Result<Self, AccountsError> {
        let (pool, _) = db::connect(url).await?;
        Self::from_pool(pool).await
    }

    /// Uses a pool the caller opened (the store's), migrating the accounts tables.
    pub async fn from_pool(pool: AnyPool) -> Result<Self, AccountsError> {
        let backend = db::backend_of(&pool).await?;
        db::migrate(&pool, backend).await?;
        // Made now rather than at the first unknown name, so that the first login costs what
        // every other costs; it is made without running Argon2, so opening the accounts (every
        // command line run does) costs no hash for a login it will not serve.
        let dummy_hash = PasswordPhc::unmatchable()?;
        Ok(Self {
            pool,
            backend,
            limiter: Mutex::new(RateLimiter::new()),
            tokens: Mutex::new(HashMap::new()),
            dummy_hash: Arc::new(dummy_hash),
            user_hash_verifications: AtomicU64::new(0),
            dummy_hash_verifications: AtomicU64::new(0),
        })
    }

    /// The pool the accounts use.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database holds the accounts.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Argon2 verifications done by logins so far.
    pub fn login_stats(&self) -> LoginStats {
        LoginStats {
            user_hash_verifications: self.user_hash_verifications.load(Ordering::Relaxed),
            dummy_hash_verifications: self.dummy_hash_verifications.load(Ordering::Relaxed),
        }
    }

    // ---- users -----------------------------------------------------------------------------

    /// Adds a user holding `role` for `party`, with an Argon2id hash of `password`.
    pub async fn add_user(
        &self,
        user: &UserId,
        role: Role,
        party: &Party,
        password: &str,
        now: Timestamp,
    ) -> Result<(), AccountsError> {
        party::check_binding(role, party)?;
        password::check_length(password)?;
        if self.user_row(user).await?.is_some() {
            return Err(AccountsError::UserExists(user.clone()));
        }
        let owned = password.to_owned();
        let hash = blocking(move || PasswordPhc::hash(&owned)).await??;
        let inserted = sqlx::query(
            "INSERT INTO accounts_users (name, role, party, password_phc, disabled, created_at_ms) \
             VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (name) DO NOTHING",
        )
        .bind(user.as_str().to_owned())
        .bind(role.as_str())
        .bind(party::encode(party))
        .bind(hash.as_str().to_owned())
        .bind(now.as_millisecond())
        .execute(&self.pool)
        .await?;
        // Another admin may have added the same name between the check and the insert.
        if inserted.rows_affected() == 0 {
            return Err(AccountsError::UserExists(user.clone()));
        }
        Ok(())
    }

    /// Refuses the user's logins from now on, ends their sessions and stops their tokens.
    pub async fn disable_user(&self, user: &UserId) -> Result<(), AccountsError> {
        self.forget_tokens();
        let updated = sqlx::query("UPDATE accounts_users SET disabled = 1 WHERE name = $1")
            .bind(user.as_str().to_owned())
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(AccountsError::UnknownUser(user.clone()));
        }
        // Tokens need no update: every token lookup checks that its user is enabled. Cleared
        // again after the write, so no lookup racing with it keeps the old answer.
        self.forget_tokens();
        self.end_sessions_of(user).await
    }

    /// Gives the user a new role and party. Their sessions end and their tokens are revoked: a
    /// change of privilege asks for new credentials, never a silent upgrade of old ones.
    ///
    /// Refused with [`AccountsError::RoleFixed`] once the user has acted on the record (any
    /// event names them, reads included): separation of duties compares accounts, so an
    /// account must stay one role, or one person could propose a case as an officer and
    /// decide it as an adjudicator. Names are never reused either (no account is deleted, and
    /// [`Accounts::add_user`] refuses a disabled one's name), so an account is one person.
    pub async fn set_role(
        &self,
        user: &UserId,
        role: Role,
        party: &Party,
        now: Timestamp,
    ) -> Result<(), AccountsError> {
        self.forget_tokens();
        party::check_binding(role, party)?;
        let current = self
            .user_row(user)
            .await?
            .ok_or_else(|| AccountsError::UnknownUser(user.clone()))?;
        let changes = current.info.role != role || current.info.party != *party;
        if changes && corridor_store::has_acted(&self.pool, user).await? {
            return Err(AccountsError::RoleFixed(user.clone()));
        }
        let updated =
            sqlx::query("UPDATE accounts_users SET role = $1, party = $2 WHERE name = $3")
                .bind(role.as_str())
                .bind(party::encode(party))
                .bind(user.as_str().to_owned())
                .execute(&self.pool)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(AccountsError::UnknownUser(user.clone()));
        }
        self.end_sessions_of(user).await?;
        sqlx::query("UPDATE accounts_tokens SET revoked_at_ms = $1 WHERE user_name = $2 AND revoked_at_ms = 0")
            .bind(now.as_millisecond().max(1))
            .bind(user.as_str().to_owned())
            .execute(&self.pool)
            .await?;
        self.forget_tokens();
        Ok(())
    }

    /// Replaces the user's password and ends their sessions.
    pub async fn set_password(&self, user: &UserId, password: &str) -> Result<(), AccountsError> {
        password::check_length(password)?;
        let owned = password.to_owned();
        let hash = blocking(move || PasswordPhc::hash(&owned)).await??;
        let updated = sqlx::query("UPDATE accounts_users SET password_phc = $1 WHERE name = $2")
            .bind(hash.as_str().to_owned())
            .bind(user.as_str().to_owned())
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(AccountsError::UnknownUser(user.clone()));
        }
        self.end_sessions_of(user).await
    }

    /// The language the user chose for the web interface; `None` when they follow their
    /// browser's.
    pub async fn language(&self, user: &UserId) -> Result<Option<LanguageTag>, AccountsError> {
        let row = sqlx::query("SELECT language FROM accounts_users WHERE name = $1")
            .bind(user.as_str().to_owned())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| AccountsError::UnknownUser(user.clone()))?;
        decode_language(&row)
    }

    /// Sets the language the user chose for the web interface; `None` follows their browser's.
    /// Sessions and tokens are left alone: a language changes no privilege.
    pub async fn set_language(
        &self,
        user: &UserId,
        language: Option<&LanguageTag>,
    ) -> Result<(), AccountsError> {
        let updated = sqlx::query("UPDATE accounts_users SET language = $1 WHERE name = $2")
            .bind(language.map(|tag| tag.as_str().to_owned()))
            .bind(user.as_str().to_owned())
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(AccountsError::UnknownUser(user.clone()));
        }
        Ok(())
    }

    /// Every user, by name, up to [`USERS_LIST_MAX`].
    pub async fn list_users(&self) -> Result<Vec<UserInfo>, AccountsError> {
        let rows = sqlx::query(
            "SELECT name, role, party, password_phc, disabled, created_at_ms FROM accounts_users ORDER BY name LIMIT $1",
        )
        .bind(i64::from(USERS_LIST_MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| UserRow::decode(row).map(|user| user.info))
            .collect()
    }

    /// One user, if there is one of that name (disabled or not).
    pub async fn user(&self, user: &UserId) -> Result<Option<UserInfo>, AccountsError> {
        Ok(self.user_row(user).await?.map(|row| row.info))
    }

    /// The stored Argon2id hash of a user's password, for audits and tests.
    pub async fn password_hash(&self, user: &UserId) -> Result<PasswordPhc, AccountsError> {
        self.user_row(user)
            .await?
            .map(|row| row.hash)
            .ok_or_else(|| AccountsError::UnknownUser(user.clone()))
    }

    async fn user_row(&self, user: &UserId) -> Result<Option<UserRow>, AccountsError> {
        let row = sqlx::query(
            "SELECT name, role, party, password_phc, disabled, created_at_ms FROM accounts_users WHERE name = $1",
        )
        .bind(user.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(UserRow::decode).transpose()
    }

    // ---- login and sessions ----------------------------------------------------------------

    /// Logs in with a session id drawn from the operating system's random source.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        client: IpAddr,
        now: Timestamp,
    ) -> Result<(SessionId, Actor), LoginError> {
        let session = SessionId::generate()?;
        self.login_with_session_id(name, password, client, now, session)
            .await
    }

    /// Logs in, opening a session under `session` (a fresh random id the caller drew).
    ///
    /// An unknown name, a wrong password and a disabled user all give
    /// [`LoginError::InvalidCredentials`] after one Argon2 verification. The rate limits are
    /// checked first, before the name is looked up.
    pub async fn login_with_session_id(
        &self,
        name: &str,
        password: &str,
        client: IpAddr,
        now: Timestamp,
        session: SessionId,
    ) -> Result<(SessionId, Actor), LoginError> {
        let user = UserId::parse(name).ok();
        let limiter_key = user.as_ref().map_or(INVALID_NAME_KEY, UserId::as_str);
        self.limiter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .attempt(limiter_key, client, now)
            .map_err(|retry_after| LoginError::RateLimited { retry_after })?;

        let row = match &user {
            Some(user) => self.user_row(user).await?,
            None => None,
        };
        // Over-long passwords are refused before hashing, whoever the user: the answer depends
        // only on the password's length, which the caller knows already.
        if password.len() > PASSWORD_LENGTH_MAX_BYTES {
            return Err(LoginError::InvalidCredentials);
        }
        let (hash, counter) = match &row {
            Some(row) => (Arc::new(row.hash.clone()), &self.user_hash_verifications),
            None => (Arc::clone(&self.dummy_hash), &self.dummy_hash_verifications),
        };
        let owned = password.to_owned();
        let matches = blocking(move || hash.verify(&owned)).await?;
        counter.fetch_add(1, Ordering::Relaxed);

        let Some(row) = row.filter(|row| matches && !row.info.disabled) else {
            return Err(LoginError::InvalidCredentials);
        };
        self.limiter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .succeeded(limiter_key, client, now);
        sqlx::query(
            "INSERT INTO accounts_sessions (id_sha256, user_name, created_at_ms, last_seen_at_ms) VALUES ($1, $2, $3, $3)",
        )
        .bind(session.storage_key())
        .bind(row.info.user.as_str().to_owned())
        .bind(now.as_millisecond())
        .execute(&self.pool)
        .await
        .map_err(AccountsError::from)?;
        self.prune_sessions_of(&row.info.user, now).await?;
        Ok((session, row.actor()))
    }

    /// The actor behind a session, if it is live; marks it used at `now`. An expired session, or
    /// one whose user is disabled, is deleted and gives `None`.
    pub async fn session(
        &self,
        session: &SessionId,
        now: Timestamp,
    ) -> Result<Option<Actor>, AccountsError> {
        Ok(self
            .session_with_language(session, now)
            .await?
            .map(|(actor, _)| actor))
    }

    /// What [`Accounts::session`] answers, with the language the account holder chose for the
    /// web interface (`None`: follow the browser), read in the same statement.
    pub async fn session_with_language(
        &self,
        session: &SessionId,
        now: Timestamp,
    ) -> Result<Option<(Actor, Option<LanguageTag>)>, AccountsError> {
        let key = session.storage_key();
        let row = sqlx::query(
            "SELECT s.created_at_ms, s.last_seen_at_ms, u.name, u.role, u.party, u.password_phc, u.disabled, u.language, u.created_at_ms AS user_created_at_ms \
             FROM accounts_sessions s JOIN accounts_users u ON u.name = s.user_name WHERE s.id_sha256 = $1",
        )
        .bind(key.clone())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let created_at = timestamp(row.try_get("created_at_ms")?)?;
        let last_seen_at = timestamp(row.try_get("last_seen_at_ms")?)?;
        let user = UserRow::decode_with_created(&row, "user_created_at_ms")?;
        if user.info.disabled || session_expired(created_at, last_seen_at, now) {
            self.delete_session(&key).await?;
            return Ok(None);
        }
        sqlx::query("UPDATE accounts_sessions SET last_seen_at_ms = $1 WHERE id_sha256 = $2 AND last_seen_at_ms < $1")
            .bind(now.as_millisecond())
            .bind(key)
            .execute(&self.pool)
            .await?;
        let language = decode_language(&row)?;
        Ok(Some((user.actor(), language)))
    }

    /// Ends a session on the server. Returns whether there was one.
    pub async fn logout(&self, session: &SessionId) -> Result<bool, AccountsError> {
        self.delete_session(&session.storage_key()).await
    }

    async fn delete_session(&self, key: &str) -> Result<bool, AccountsError> {
        let deleted = sqlx::query("DELETE FROM accounts_sessions WHERE id_sha256 = $1")
            .bind(key.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn end_sessions_of(&self, user: &UserId) -> Result<(), AccountsError> {
        sqlx::query("DELETE FROM accounts_sessions WHERE user_name = $1")
            .bind(user.as_str().to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the user's expired sessions, then the oldest beyond [`SESSIONS_PER_USER_MAX`].
    async fn prune_sessions_of(&self, user: &UserId, now: Timestamp) -> Result<(), AccountsError> {
        sqlx::query("DELETE FROM accounts_sessions WHERE user_name = $1 AND (created_at_ms <= $2 OR last_seen_at_ms <= $3)")
            .bind(user.as_str().to_owned())
            .bind(millis_before(now, SESSION_ABSOLUTE_TIMEOUT))
            .bind(millis_before(now, SESSION_IDLE_TIMEOUT))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "DELETE FROM accounts_sessions WHERE user_name = $1 AND id_sha256 NOT IN \
             (SELECT id_sha256 FROM accounts_sessions WHERE user_name = $1 ORDER BY created_at_ms DESC, id_sha256 LIMIT $2)",
        )
        .bind(user.as_str().to_owned())
        .bind(i64::from(SESSIONS_PER_USER_MAX))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ---- API tokens ------------------------------------------------------------------------

    /// Creates a token for `user`, scoped to `scopes` and expiring at `expires_at`. The returned
    /// text is the only copy: the database keeps its SHA-256.
    pub async fn create_token(
        &self,
        user: &UserId,
        scopes: impl IntoIterator<Item = Scope>,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<(TokenSecret, TokenId), AccountsError> {
        let scopes: BTreeSet<Scope> = scopes.into_iter().collect();
        if scopes.is_empty() || scopes.len() > TOKEN_SCOPES_MAX {
            return Err(AccountsError::Scopes(format!(
                "give 1 to {TOKEN_SCOPES_MAX} actions, not {}",
                scopes.len()
            )));
        }
        if expires_at <= now || expires_at.duration_since(now) > TOKEN_LIFETIME_MAX {
            return Err(AccountsError::TokenExpiry {
                max_days: TOKEN_LIFETIME_MAX.as_hours() / 24,
            });
        }
        match self.user_row(user).await? {
            Some(row) if row.info.disabled => {
                return Err(AccountsError::UserDisabled(user.clone()));
            }
            Some(_) => {}
            None => return Err(AccountsError::UnknownUser(user.clone())),
        }
        let live: i64 = sqlx::query(
            "SELECT COUNT(*) AS live FROM accounts_tokens WHERE user_name = $1 AND revoked_at_ms = 0 AND expires_at_ms > $2",
        )
        .bind(user.as_str().to_owned())
        .bind(now.as_millisecond())
        .fetch_one(&self.pool)
        .await?
        .try_get("live")?;
        if live >= i64::from(TOKENS_PER_USER_MAX) {
            return Err(AccountsError::TooManyTokens(user.clone()));
        }
        let secret = TokenSecret::generate()?;
        let id = TokenId::generate()?;
        sqlx::query(
            "INSERT INTO accounts_tokens (token_id, secret_sha256, user_name, scopes, created_at_ms, expires_at_ms, revoked_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 0)",
        )
        .bind(id.to_string())
        .bind(sha256_hex(secret.expose()))
        .bind(user.as_str().to_owned())
        .bind(scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(" "))
        .bind(now.as_millisecond())
        .bind(expires_at.as_millisecond())
        .execute(&self.pool)
        .await?;
        Ok((secret, id))
    }

    /// The actor and scopes behind a token's text, if the token is live: not revoked, not
    /// expired, and its user enabled.
    pub async fn token(
        &self,
        text: &str,
        now: Timestamp,
    ) -> Result<Option<(Actor, BTreeSet<Scope>)>, AccountsError> {
        Ok(self
            .live_token(text, now)
            .await?
            .map(|live| (live.actor, live.scopes)))
    }

    /// What [`Accounts::token`] answers, with the token's expiry: the limit of any token it
    /// issues.
    pub async fn live_token(
        &self,
        text: &str,
        now: Timestamp,
    ) -> Result<Option<LiveToken>, AccountsError> {
        let digest = sha256_hex(text);
        if let Some(cached) = self
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&digest)
            .filter(|cached| cached.verified_at.elapsed() < TOKEN_CACHE_TTL)
            .cloned()
        {
            return Ok((now < cached.expires_at).then_some(LiveToken {
                actor: cached.actor,
                scopes: cached.scopes,
                expires_at: cached.expires_at,
            }));
        }
        let row = sqlx::query(
            "SELECT t.token_id, t.user_name, t.scopes, t.created_at_ms, t.expires_at_ms, t.revoked_at_ms, \
                    u.name, u.role, u.party, u.password_phc, u.disabled, u.created_at_ms AS user_created_at_ms \
             FROM accounts_tokens t JOIN accounts_users u ON u.name = t.user_name WHERE t.secret_sha256 = $1",
        )
        .bind(digest.clone())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token = decode_token(&row)?;
        let user = UserRow::decode_with_created(&row, "user_created_at_ms")?;
        if token.revoked_at.is_some() || now >= token.expires_at || user.info.disabled {
            return Ok(None);
        }
        let actor = user.actor();
        let mut cache = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= TOKEN_CACHE_ENTRIES_MAX {
            cache.clear();
        }
        cache.insert(
            digest,
            CachedToken {
                actor: actor.clone(),
                scopes: token.scopes.clone(),
                expires_at: token.expires_at,
                verified_at: Instant::now(),
            },
        );
        Ok(Some(LiveToken {
            actor,
            scopes: token.scopes,
            expires_at: token.expires_at,
        }))
    }

    /// Forgets every verified token, after a change that may invalidate some.
    fn forget_tokens(&self) {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Revokes a token. Returns whether it was live before.
    pub async fn revoke_token(&self, id: TokenId, now: Timestamp) -> Result<bool, AccountsError> {
        self.forget_tokens();
        // 0 means "not revoked", so a revocation at the epoch itself is recorded as 1 ms after it.
        let revoked = sqlx::query("UPDATE accounts_tokens SET revoked_at_ms = $1 WHERE token_id = $2 AND revoked_at_ms = 0")
            .bind(now.as_millisecond().max(1))
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        self.forget_tokens();
        Ok(revoked.rows_affected() > 0)
    }

    /// A user's tokens, newest first, without their texts.
    pub async fn list_tokens(&self, user: &UserId) -> Result<Vec<TokenInfo>, AccountsError> {
        let rows = sqlx::query(
            "SELECT token_id, user_name, scopes, created_at_ms, expires_at_ms, revoked_at_ms FROM accounts_tokens \
             WHERE user_name = $1 ORDER BY created_at_ms DESC, token_id LIMIT $2",
        )
        .bind(user.as_str().to_owned())
        .bind(i64::from(USERS_LIST_MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_token).collect()
    }
}

/// Whether a session created at `created_at` and last used at `last_seen_at` is over at `now`.
/// Each limit is exclusive: at exactly the timeout, the session is over.
fn session_expired(created_at: Timestamp, last_seen_at: Timestamp, now: Timestamp) -> bool {
    now.duration_since(last_seen_at) >= SESSION_IDLE_TIMEOUT
        || now.duration_since(created_at) >= SESSION_ABSOLUTE_TIMEOUT
}

struct UserRow {
    info: UserInfo,
    hash: PasswordPhc,
}

impl UserRow {
    fn decode(row: &AnyRow) -> Result<Self, AccountsError> {
        Self::decode_with_created(row, "created_at_ms")
    }

    fn decode_with_created(row: &AnyRow, created_column: &str) -> Result<Self, AccountsError> {
        let name: String = row.try_get("name")?;
        let role: String = row.try_get("role")?;
        let party: String = row.try_get("party")?;
        let hash: String = row.try_get("password_phc")?;
        let disabled: i64 = row.try_get("disabled")?;
        Ok(Self {
            info: UserInfo {
                user: UserId::parse(&name).map_err(AccountsError::Corrupt)?,
                role: Role::parse(&role)
                    .ok_or_else(|| AccountsError::Corrupt(format!("role `{role}`")))?,
                party: party::decode(&party)?,
                disabled: disabled != 0,
                created_at: timestamp(row.try_get(created_column)?)?,
            },
            hash: PasswordPhc::parse(&hash)?,
        })
    }

    fn actor(&self) -> Actor {
        Actor {
            user: self.info.user.clone(),
            role: self.info.role,
            party: self.info.party.clone(),
        }
    }
}

/// The `language` column of a user's row: NULL, or a tag as [`Accounts::set_language`] wrote it.
fn decode_language(row: &AnyRow) -> Result<Option<LanguageTag>, AccountsError> {
    let language: Option<String> = row.try_get("language")?;
    language
        .map(|text| {
            LanguageTag::parse(&text)
                .map_err(|error| AccountsError::Corrupt(format!("language of a user: {error}")))
        })
        .transpose()
}

fn decode_token(row: &AnyRow) -> Result<TokenInfo, AccountsError> {
    let id: String = row.try_get("token_id")?;
    let user: String = row.try_get("user_name")?;
    let scopes: String = row.try_get("scopes")?;
    let revoked_at_ms: i64 = row.try_get("revoked_at_ms")?;
    Ok(TokenInfo {
        id: TokenId::parse(&id)
            .ok_or_else(|| AccountsError::Corrupt(format!("token id `{id}`")))?,
        user: UserId::parse(&user).map_err(AccountsError::Corrupt)?,
        scopes: scopes
            .split(' ')
            .map(Scope::parse)
            .collect::<Result<_, _>>()?,
        created_at: timestamp(row.try_get("created_at_ms")?)?,
        expires_at: timestamp(row.try_get("expires_at_ms")?)?,
        revoked_at: if revoked_at_ms == 0 {
            None
        } else {
            Some(timestamp(revoked_at_ms)?)
        },
    })
}

/// `now` minus `span`, in milliseconds since the epoch, for comparisons in SQL.
fn millis_before(now: Timestamp, span: SignedDuration) -> i64 {
    let span_ms = i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
    now.as_millisecond().saturating_sub(span_ms)
}

fn timestamp(millisecond: i64) -> Result<Timestamp, AccountsError> {
    Timestamp::from_millisecond(millisecond)
        .map_err(|error| AccountsError::Corrupt(format!("time {millisecond}: {error}")))
}

/// Runs CPU-heavy work (Argon2) on tokio's blocking pool, off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountsError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| AccountsError::Task(error.to_string()))
}
