//! The limits of the application itself, whichever door a request came through: as named
//! constants, with the one check of an idempotency key.

/// Cases in a page when the caller does not say.
pub const PAGE_SIZE_DEFAULT: u32 = 50;

/// Most cases in one page: each is a recorded `read_case` decision.
pub const PAGE_SIZE_MAX: u32 = 100;

/// Longest free-text field (a name, a reason, a document line), in characters.
pub const TEXT_CHARS_MAX: usize = 2_000;

/// The longest idempotency key accepted, in characters (printable ASCII only).
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 255;

/// A token's lifetime when the request does not say.
pub const TOKEN_LIFETIME_DAYS_DEFAULT: u32 = 90;

/// Whether `key` may be an idempotency key: 1 to [`IDEMPOTENCY_KEY_CHARS_MAX`] printable ASCII
/// characters without quotes or backslashes. The HTTP API checks its `Idempotency-Key` header
/// and the command line its `--idempotency-key` with this, so a key works alike locally and on
/// a server.
pub fn check_idempotency_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.chars().count() > IDEMPOTENCY_KEY_CHARS_MAX {
        return Err(format!(
            "it must have 1 to {IDEMPOTENCY_KEY_CHARS_MAX} characters"
        ));
    }
    if let Some(bad) = key
        .chars()
        .find(|c| !c.is_ascii_graphic() || *c == '"' || *c == '\\')
    {
        return Err(format!(
            "`{}` is not allowed: use printable ASCII without spaces, quotes or backslashes, such as a UUID",
            bad.escape_default()
        ));
    }
    Ok(())
}

/// Most cases one work queue reads and shows ([`crate::queues`]).
pub const QUEUE_CASES_MAX: u32 = 1_000;
