//! The access records, read back: who read or acted on which case of an agreement, when,
//! allowed or denied, and by which policies (or refused before them).
//!
//! Every decision about an authenticated caller is an `access_recorded` event in the `access`
//! stream ([`crate::authorize`]); this module is the documented way to read them, for the
//! monitoring body (the agreements it monitors only) and auditors (every agreement), as the
//! policies decide (`read_access_records`). Each read is itself decided and recorded, so reading
//! the records leaves a record. The records name cases and users, never what a case holds.
//!
//! The `access` stream holds every agreement's records in one order; a page scans at most
//! [`ACCESS_RECORDS_SCAN_MAX`] of them for the agreement asked about and says where to go on.

use std::collections::BTreeMap;

use corridor_authz::Action;
use corridor_domain::terms::AgreementId;
use corridor_domain::{CaseId, EventBody, StreamId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::authorize::authorize;
use crate::caller::Caller;
use crate::error::AppError;
use crate::execute::{agreement_facts, load_agreement};
use crate::limits::PAGE_SIZE_MAX;
use crate::state::App;

/// Most records of the `access` stream one page reads, whichever agreement they are about.
pub const ACCESS_RECORDS_SCAN_MAX: u32 = 10_000;

/// One access record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessRecordView {
    /// Its sequence number in the log.
    pub seq: u64,
    /// When the decision was made (RFC 3339).
    pub at: String,
    /// Who asked (login name).
    pub user: Option<String>,
    /// Their role then.
    pub role: String,
    /// The action asked for (its Cedar name, such as `read_case`).
    pub action: String,
    /// What it was asked of: `case-…` or `agreement:…`.
    pub resource: String,
    /// Whether it was allowed.
    pub allowed: bool,
    /// The policies that decided (their ids), or `refused-before-policy:<code>`.
    pub policies: Vec<String>,
}

/// A page of access records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessRecordPage {
    /// The records, oldest first.
    pub records: Vec<AccessRecordView>,
    /// Pass as `after` for the next page; absent when there is nothing after.
    pub next: Option<u64>,
}

/// Which records to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessQuery {
    /// The agreement whose records to read.
    pub agreement: AgreementId,
    /// Only the records about this case.
    pub case: Option<CaseId>,
    /// Only records after this sequence number.
    pub after: u64,
    /// At most this many (1 to [`PAGE_SIZE_MAX`]).
    pub limit: u32,
}

/// The access records of an agreement and its cases, oldest first, as far as the policies let
/// `caller` read them (`read_access_records`, itself recorded).
pub async fn list_access_records(
    state: &App,
    caller: &Caller,
    query: &AccessQuery,
) -> Result<AccessRecordPage, AppError> {
    caller.authenticated()?;
    let agreement = load_agreement(state, &query.agreement).await?;
    authorize(
        state,
        caller,
        Action::ReadAccessRecords,
        &agreement_facts(&agreement)?,
    )
    .await?;
    let limit = query.limit.clamp(1, PAGE_SIZE_MAX);
    let monitor = caller.actor.role == corridor_domain::Role::Monitor;
    let case = query.case.map(|id| id.to_string());
    let events = state
        .store()
        .stream_page(&StreamId::Access, query.after, ACCESS_RECORDS_SCAN_MAX)
        .await?;
    let scanned_all = events.len() < ACCESS_RECORDS_SCAN_MAX as usize;
    let mut records = Vec::new();
    let mut last_seq = query.after;
    let mut agreements_of_cases = BTreeMap::new();
    for stored in events {
        if records.len() == limit as usize {
            break;
        }
        last_seq = stored.seq;
        // The monitoring body's own records (what monitors read and did, complaints included)
        // are shown to monitors only: they are the records whose public leaves are neutral
        // (docs/log.md, "The monitoring body's records"), and an auditor who saw them could tell
        // a complaint's leaves from the monitors' reading work by counting.
        if stored.event.body.is_monitoring_record() && !monitor {
            continue;
        }
        let EventBody::AccessRecorded {
            role,
            action,
            resource,
            agreement,
            allowed,
            policies,
        } = stored.event.body
        else {
            continue;
        };
        if case.as_ref().is_some_and(|case| *case != resource) {
            continue;
        }
        // A denied attempt on a case the caller may not know of names no agreement (its log
        // leaf is public): it belongs to the agreement of the case it names.
        let belongs = match &agreement {
            Some(id) => *id == query.agreement,
            None => {
                agreement_of_case(state, &resource, &mut agreements_of_cases)
                    .await?
                    .as_ref()
                    == Some(&query.agreement)
            }
        };
        if belongs {
            records.push(AccessRecordView {
                seq: stored.seq,
                at: stored.event.at.to_string(),
                user: stored.event.by.map(|user| user.to_string()),
                role: role.as_str().to_owned(),
                action,
                resource,
                allowed,
                policies,
            });
        }
    }
    let full = records.len() == limit as usize;
    let next = (full || !scanned_all).then_some(last_seq);
    Ok(AccessRecordPage { records, next })
}

/// The agreement of the case an access record names, if it names one that exists (asked of the
/// store once per case and page).
async fn agreement_of_case(
    state: &App,
    resource: &str,
    known: &mut BTreeMap<String, Option<AgreementId>>,
) -> Result<Option<AgreementId>, AppError> {
    if let Some(found) = known.get(resource) {
        return Ok(found.clone());
    }
    let found = match CaseId::parse(resource) {
        Ok(id) => state
            .store()
            .case(id)
            .await?
            .map(|(case, _)| case.agreement),
        Err(_) => None,
    };
    known.insert(resource.to_owned(), found.clone());
    Ok(found)
}
