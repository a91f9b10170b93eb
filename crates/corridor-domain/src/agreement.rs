//! An agreement as folded from its events: every terms version, and its dated status history.

use corridor_terms::{
    Agreement, AgreementId, AgreementStatus, StatusChange, Terms, parse_agreement,
};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::event::EventBody;

/// An agreement and every version of its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementState {
    /// The agreement.
    pub id: AgreementId,
    /// Every version loaded, oldest first; version `n` is at index `n - 1`. Never empty.
    pub versions: Vec<Agreement>,
    /// The dated status history: from the files, then from status commands.
    pub status_history: Vec<StatusChange>,
    /// The stream version.
    pub version: u64,
    /// The latest moment any of its events is dated.
    pub last_event_at: Timestamp,
}

/// Replaying an agreement event failed: the stored file no longer parses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "stored agreement file `{file_name}` (terms version {terms_version}) no longer parses: {errors}"
)]
pub struct ReplayError {
    /// The file name recorded in the event.
    pub file_name: String,
    /// The version.
    pub terms_version: u32,
    /// What the parser said.
    pub errors: String,
}

impl AgreementState {
    /// The latest terms version number.
    pub fn latest_version(&self) -> u32 {
        u32::try_from(self.versions.len()).unwrap_or(u32::MAX)
    }

    /// The latest agreement file.
    pub fn latest(&self) -> Option<&Agreement> {
        self.versions.last()
    }

    /// The terms of a given version.
    pub fn terms(&self, version: u32) -> Option<&Terms> {
        let index = usize::try_from(version).ok()?.checked_sub(1)?;
        self.versions.get(index).map(|agreement| &agreement.terms)
    }

    /// The status in effect on `day`: the last history entry dated on or before it.
    pub fn status_on(&self, day: Date) -> AgreementStatus {
        self.status_history
            .iter()
            .rfind(|change| change.on <= day)
            .map_or(AgreementStatus::Negotiating, |change| change.status)
    }

    /// The last status in the history, whatever its date.
    pub fn last_status(&self) -> Option<&StatusChange> {
        self.status_history.last()
    }

    /// Starts or extends an agreement from one of its events, dated `at`. `state` is `None`
    /// before the first.
    pub fn apply(
        state: Option<Self>,
        at: Timestamp,
        body: &EventBody,
    ) -> Result<Option<Self>, ReplayError> {
        match body {
            EventBody::AgreementLoaded {
                agreement,
                terms_version,
                file_name,
                text,
            } => {
                let parsed = parse_agreement(file_name, text).map_err(|errors| ReplayError {
                    file_name: file_name.clone(),
                    terms_version: *terms_version,
                    errors: errors.to_string(),
                })?;
                let mut state = state.unwrap_or_else(|| Self {
                    id: agreement.clone(),
                    versions: Vec::new(),
                    status_history: Vec::new(),
                    version: 0,
                    last_event_at: at,
                });
                // A file's history is taken where it adds entries after the last one known, so
                // amending the terms never rewrites dated status changes already recorded.
                let last_day = state.status_history.last().map(|change| change.on);
                for change in &parsed.status_history {
                    if last_day.is_none_or(|day| change.on > day) {
                        state.status_history.push(change.clone());
                    }
                }
                state.versions.push(parsed);
                state.version += 1;
                state.last_event_at = state.last_event_at.max(at);
                Ok(Some(state))
            }
            EventBody::AgreementStatusChanged { status, on, .. } => Ok(state.map(|mut state| {
                // A change recorded now supersedes what a file had scheduled after its day.
                state.status_history.retain(|change| change.on <= *on);
                state.status_history.push(StatusChange {
                    status: *status,
                    on: *on,
                });
                state.version += 1;
                state.last_event_at = state.last_event_at.max(at);
                state
            })),
            _ => Ok(state),
        }
    }
}
