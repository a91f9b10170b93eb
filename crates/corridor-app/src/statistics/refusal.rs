//! Why a statistics release cannot be published now: a stable code, a sentence the operator
//! understands, and the facts behind it. Apart from `release` so that `crate::error` can name it
//! without depending on the module that publishes.

use std::fmt;

use jiff::Timestamp;

/// Why a release cannot be published now: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatisticsRefusal {
    /// The period has not ended yet.
    PeriodNotEnded {
        /// The period asked for.
        period: String,
        /// When it ends.
        ends: Timestamp,
    },
    /// The log has no signed checkpoint to compute a release at.
    NoCheckpoint,
    /// The latest checkpoint was made before the period ended and the log has grown since:
    /// events of the period may lie after it.
    CheckpointBeforePeriodEnd {
        /// The period asked for.
        period: String,
        /// When it ends.
        ends: Timestamp,
        /// The checkpoint's size.
        size: u64,
        /// When it was made.
        made_at: String,
    },
    /// A release of this id exists (releases are append-only).
    ReleaseExists {
        /// The id.
        release: String,
    },
    /// Another release was published while this one was computed: it was protected against
    /// fewer releases than are now published, so it was not stored.
    ReleaseRaced {
        /// The id of the release not stored.
        release: String,
    },
    /// The release to correct does not exist.
    UnknownRelease {
        /// The id.
        release: String,
    },
    /// No agreement had entered into force by the end of the period: there is nothing to count.
    NothingInForce {
        /// The period asked for.
        period: String,
    },
}

impl StatisticsRefusal {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PeriodNotEnded { .. } => "period_not_ended",
            Self::NoCheckpoint => "no_checkpoint",
            Self::CheckpointBeforePeriodEnd { .. } => "checkpoint_before_period_end",
            Self::ReleaseExists { .. } => "release_exists",
            Self::ReleaseRaced { .. } => "release_raced",
            Self::UnknownRelease { .. } => "unknown_release",
            Self::NothingInForce { .. } => "nothing_in_force",
        }
    }

    /// A sentence the operator understands.
    pub fn message(&self) -> String {
        match self {
            Self::PeriodNotEnded { period, ends } => format!(
                "The period {period} ends at {ends}: its statistics can be published once it has ended."
            ),
            Self::NoCheckpoint => "The log has no signed checkpoint yet: make one (`corridor log checkpoint`), then publish.".to_owned(),
            Self::CheckpointBeforePeriodEnd { period, ends, size, made_at } => format!(
                "The latest log checkpoint (size {size}) was made at {made_at}, before the period {period} ended at {ends}: make a new checkpoint (`corridor log checkpoint`), then publish."
            ),
            Self::ReleaseExists { release } => format!(
                "A release {release} is already published, and releases are never rewritten: publish a correction (`--corrects {release}`) instead."
            ),
            Self::ReleaseRaced { release } => format!(
                "Another release was published while {release} was computed, so it was not protected against that one and was not published: publish again."
            ),
            Self::UnknownRelease { release } => {
                format!("There is no release {release} to correct.")
            }
            Self::NothingInForce { period } => format!(
                "No agreement had entered into force by the end of {period}: there is nothing to publish."
            ),
        }
    }

    /// The facts behind it, by name.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::PeriodNotEnded { period, ends } => {
                vec![("period", period.clone()), ("ends", ends.to_string())]
            }
            Self::NoCheckpoint => Vec::new(),
            Self::CheckpointBeforePeriodEnd {
                period,
                ends,
                size,
                made_at,
            } => vec![
                ("period", period.clone()),
                ("ends", ends.to_string()),
                ("checkpoint_size", size.to_string()),
                ("checkpoint_made_at", made_at.clone()),
            ],
            Self::ReleaseExists { release }
            | Self::ReleaseRaced { release }
            | Self::UnknownRelease { release } => {
                vec![("release", release.clone())]
            }
            Self::NothingInForce { period } => vec![("period", period.clone())],
        }
    }
}

impl fmt::Display for StatisticsRefusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.code(), self.message())
    }
}
