//! Confidential complaints to the monitoring body (docs/domain.md §6: a government never learns that
//! a complaint exists; docs/monitoring.md, "Confidential complaints").
//!
//! Two doors, kept apart:
//!
//! - the holder's: [`lodge`] and [`status`], for anyone without an account. They always act as
//!   the anonymous public (never recorded as an access, never tied to an account); the
//!   complaint's text, contact and case reference are sealed under its own key, and the holder
//!   gets a one-time receipt code, stored only as a keyed hash, which alone reads the status and
//!   the reply later;
//! - the monitoring body's: [`list`], [`read`], [`review`], [`link`], [`erase`]. A caller who is
//!   not a monitor is refused before anything about complaints is read ([`monitors_only`]), so a
//!   government's requests cost the same whether or not complaints exist; a monitor of another
//!   body is told a complaint does not exist, as for one that does not.
//!
//! Nothing here counts in the server's metrics (no event count, no refusal count: a public
//! counter would move when a complaint is lodged), and a complaint's events are in its own stream,
//! never a case's: the case's version, history and `ETag` do not move.

use corridor_authz::Action;
use corridor_domain::terms::AgreementId;
use corridor_domain::{
    CaseId, Command, Complainant, Complaint, ComplaintId, ComplaintStatus, Context, EventBody,
    Outcome, Role, Sealed,
};
use corridor_store::vault::{self, KEY_BYTES};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::authorize::{self, record_refused_before_policy};
use crate::caller::Caller;
use crate::committer::Job;
use crate::error::AppError;
use crate::execute::{agreement_facts, load_agreement, random_array};
use crate::state::App;

/// Longest complaint text accepted, in bytes of UTF-8.
pub const COMPLAINT_TEXT_BYTES_MAX: usize = 20_000;
/// Longest contact accepted, in bytes.
pub const CONTACT_BYTES_MAX: usize = 500;
/// Longest case reference accepted, in bytes.
pub const CASE_REFERENCE_BYTES_MAX: usize = 200;
/// Longest reply accepted, in bytes.
pub const REPLY_BYTES_MAX: usize = 20_000;
/// Bytes of randomness in a receipt code: 128 bits.
pub const RECEIPT_BYTES: usize = 16;

/// What a complaint is answered with when its receipt code is wrong (or was never issued, or is
/// malformed): one answer for all, word for word.
const NO_SUCH_RECEIPT: &str = "complaint with this receipt code";

/// A complaint as lodged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    /// The agreement whose monitoring body receives it.
    pub agreement: String,
    /// Who lodges it: `person`, `counsel` or `organisation`.
    pub complainant: String,
    /// The case it concerns, as the complainant knows it (free text, sealed).
    pub case_reference: Option<String>,
    /// The complaint.
    pub text: String,
    /// How to reach the complainant, if they wish (sealed).
    pub contact: Option<String>,
}

/// What is sealed under the complaint's key when it is lodged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Lodged {
    text: String,
    contact: Option<String>,
    case_reference: Option<String>,
}

/// The answer to lodging: the receipt code, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintReceipt {
    /// The one-time receipt code: keep it; it is the only way to read the status and the reply,
    /// and it cannot be shown again.
    pub receipt: String,
    /// The complaint's status (`received`).
    pub status: String,
}

/// What the holder of a receipt reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintStatusView {
    /// `received`, `under_review`, `replied` or `closed`.
    pub status: String,
    /// The UTC day it was lodged.
    pub lodged_on: String,
    /// The monitoring body's latest reply, if any (and unless the complaint was erased).
    pub reply: Option<String>,
    /// Whether the complaint was erased (its text and reply are unreadable).
    pub erased: bool,
}

/// A complaint as the monitoring body lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintSummary {
    /// The complaint.
    pub complaint: String,
    /// Its agreement.
    pub agreement: String,
    /// `person`, `counsel` or `organisation`.
    pub complainant: String,
    /// Its status.
    pub status: String,
    /// When it was lodged.
    pub lodged_at: String,
    /// The case a monitor linked it to.
    pub case: Option<String>,
    /// Whether its key was destroyed.
    pub erased: bool,
    /// Events in its stream.
    pub version: u64,
}

/// A complaint as the monitoring body reads it: the summary and what is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintView {
    /// What the list shows.
    #[serde(flatten)]
    pub summary: ComplaintSummary,
    /// The text (`None` once erased).
    pub text: Option<String>,
    /// The contact given.
    pub contact: Option<String>,
    /// The case reference given.
    pub case_reference: Option<String>,
    /// The latest reply.
    pub reply: Option<String>,
}

/// Where a lodging draws its ids, keys, nonces and receipt code: the system's randomness in a
/// deployment ([`SystemRandom`]); a seeded stream only in a simulation (`corridor demo`), so that
/// the same seed writes the same events.
pub trait Draw {
    /// Fills `bytes`.
    ///
    /// # Errors
    /// [`AppError::Internal`] when no randomness is to be had.
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), AppError>;
}

/// The system's randomness.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRandom;

impl Draw for SystemRandom {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), AppError> {
        getrandom::fill(bytes)
            .map_err(|error| AppError::Internal(format!("no randomness: {error}")))
    }
}

fn drawn<const N: usize>(draw: &mut (dyn Draw + Send)) -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    draw.fill(&mut bytes)?;
    Ok(bytes)
}

/// Lodges a complaint for anyone, without an account, and returns its receipt code.
pub async fn lodge(state: &App, new: NewComplaint) -> Result<ComplaintReceipt, AppError> {
    lodge_with(state, new, &mut SystemRandom).await
}

/// [`lodge`], drawing its randomness from `draw` (a seeded stream): in a simulation only, since a
/// receipt drawn from a known seed could be guessed. A real deployment is refused.
pub async fn lodge_drawing(
    state: &App,
    new: NewComplaint,
    draw: &mut (dyn Draw + Send),
) -> Result<ComplaintReceipt, AppError> {
    if state.store().deployment() != corridor_store::Deployment::Simulation {
        return Err(AppError::Internal(
            "a complaint's receipt is drawn from a seed only in a simulation".to_owned(),
        ));
    }
    lodge_with(state, new, draw).await
}

async fn lodge_with(
    state: &App,
    new: NewComplaint,
    draw: &mut (dyn Draw + Send),
) -> Result<ComplaintReceipt, AppError> {
    let (agreement, complainant, lodged) = check_new(&new)?;
    let caller = Caller::anonymous()?;
    let found = load_agreement(state, &agreement).await?;
    let master = state.master().ok_or(AppError::NoMasterKey)?;
    authorize::authorize(
        state,
        &caller,
        Action::LodgeComplaint,
        &agreement_facts(&found)?,
    )
    .await?;
    let complaint = ComplaintId::from_u64(u64::from_le_bytes(drawn(draw)?));
    let receipt = receipt_code(drawn(draw)?);
    let key: [u8; KEY_BYTES] = drawn(draw)?;
    let plain = serde_json::to_vec(&lodged)
        .map_err(|error| AppError::Internal(format!("sealing a complaint: {error}")))?;
    let command = Command::LodgeComplaint {
        complaint,
        agreement,
        complainant,
        receipt: master.receipt_hash(&receipt),
        sealed: vault::seal_complaint(complaint, "lodged", &key, drawn(draw)?, &plain),
    };
    let new_key = Some(master.wrap_complaint_key(complaint, &key, drawn(draw)?));
    write(state, &caller, command, new_key).await?;
    Ok(ComplaintReceipt {
        receipt,
        status: ComplaintStatus::Received.as_str().to_owned(),
    })
}

/// What the holder of `receipt` may read: the status, the day it was lodged and the reply. A
/// wrong, malformed or never-issued code gets one answer ([`AppError::NotFound`]).
pub async fn status(state: &App, receipt: &str) -> Result<ComplaintStatusView, AppError> {
    let master = state.master().ok_or(AppError::NoMasterKey)?;
    let hash = master.receipt_hash(&normalise_receipt(receipt));
    let found = state.store().complaint_by_receipt(&hash).await?;
    // The lookup found the row by the hash; the comparison that decides is constant-time.
    let Some(complaint) = found.filter(|c| constant_time_eq(c.receipt.as_bytes(), hash.as_bytes()))
    else {
        return Err(AppError::NotFound {
            what: NO_SUCH_RECEIPT.to_owned(),
        });
    };
    let key = complaint_key(state, &complaint).await?;
    Ok(ComplaintStatusView {
        status: complaint.status.as_str().to_owned(),
        lodged_on: complaint
            .lodged_at
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .to_string(),
        reply: open_reply(&complaint, key.as_ref()),
        erased: complaint.erased,
    })
}

/// The complaints of `agreement`, for its monitoring body.
pub async fn list(
    state: &App,
    caller: &Caller,
    agreement: &AgreementId,
) -> Result<Vec<ComplaintSummary>, AppError> {
    monitors_only(state, caller, Action::ListComplaints).await?;
    let found = load_agreement(state, agreement).await?;
    authorize::authorize(
        state,
        caller,
        Action::ListComplaints,
        &agreement_facts(&found)?,
    )
    .await?;
    let complaints = state
        .store()
        .complaints_under(std::slice::from_ref(agreement))
        .await?;
    Ok(complaints.iter().map(summary).collect())
}

/// One complaint, opened, for its agreement's monitoring body.
pub async fn read(
    state: &App,
    caller: &Caller,
    id: ComplaintId,
) -> Result<ComplaintView, AppError> {
    let complaint = load(state, caller, Action::ReadComplaint, id).await?;
    let key = complaint_key(state, &complaint).await?;
    let lodged: Option<Lodged> = key.as_ref().and_then(|key| {
        vault::open_complaint(complaint.id, "lodged", key, &complaint.sealed)
            .and_then(|plain| serde_json::from_slice(&plain).ok())
    });
    Ok(ComplaintView {
        summary: summary(&complaint),
        text: lodged.as_ref().map(|l| l.text.clone()),
        contact: lodged.as_ref().and_then(|l| l.contact.clone()),
        case_reference: lodged.and_then(|l| l.case_reference),
        reply: open_reply(&complaint, key.as_ref()),
    })
}

/// Moves a complaint on, with a reply for the holder or not.
pub async fn review(
    state: &App,
    caller: &Caller,
    id: ComplaintId,
    status: &str,
    reply: Option<String>,
) -> Result<ComplaintSummary, AppError> {
    let complaint = load(state, caller, Action::ReviewComplaint, id).await?;
    let status = ComplaintStatus::parse(status).ok_or_else(|| AppError::InvalidInput {
        field: "body.status".to_owned(),
        message: format!(
            "`{status}` is not a complaint status (received, under_review, replied, closed)"
        ),
    })?;
    let reply = match reply {
        Some(text) => {
            bounded_text("body.reply", &text, REPLY_BYTES_MAX)?;
            let key = complaint_key(state, &complaint).await?;
            // An erased complaint has no key: the decider refuses the reply as erased.
            Some(match key {
                Some(key) => {
                    vault::seal_complaint(id, "reply", &key, random_array()?, text.as_bytes())
                }
                None => Sealed(String::new()),
            })
        }
        None => None,
    };
    let command = Command::ReviewComplaint {
        complaint: id,
        status,
        reply,
    };
    write(state, caller, command, None).await?;
    reread(state, id).await
}

/// Links a complaint to a case of its agreement (recorded in the complaint's stream only).
pub async fn link(
    state: &App,
    caller: &Caller,
    id: ComplaintId,
    case: CaseId,
) -> Result<ComplaintSummary, AppError> {
    load(state, caller, Action::LinkComplaint, id).await?;
    write(
        state,
        caller,
        Command::LinkComplaint {
            complaint: id,
            case,
        },
        None,
    )
    .await?;
    reread(state, id).await
}

/// Destroys a complaint's key: its text, contact, reference and reply become unreadable.
pub async fn erase(
    state: &App,
    caller: &Caller,
    id: ComplaintId,
) -> Result<ComplaintSummary, AppError> {
    load(state, caller, Action::EraseComplaint, id).await?;
    write(
        state,
        caller,
        Command::EraseComplaint { complaint: id },
        None,
    )
    .await?;
    reread(state, id).await
}

/// Refuses a caller who is not a monitor before anything about complaints is read: the answer,
/// the work done and the record are the same whether complaints exist or not.
async fn monitors_only(state: &App, caller: &Caller, action: Action) -> Result<(), AppError> {
    let actor = caller.authenticated()?;
    if actor.role == Role::Monitor {
        return Ok(());
    }
    record_refused_before_policy(
        state,
        caller,
        action,
        ("complaint".to_owned(), None),
        "not_permitted",
    )
    .await?;
    Err(AppError::NotPermitted {
        action: action.as_str(),
    })
}

/// A complaint a monitor of its agreement's body may do `action` on; for any other monitor, or
/// a complaint that does not exist, not found (a denied record either way, naming no agreement).
async fn load(
    state: &App,
    caller: &Caller,
    action: Action,
    id: ComplaintId,
) -> Result<Complaint, AppError> {
    monitors_only(state, caller, action).await?;
    let complaint = state.store().complaint(id).await?;
    let facts = match &complaint {
        Some(found) => Some(agreement_facts(
            &load_agreement(state, &found.agreement).await?,
        )?),
        None => None,
    };
    let decided = facts
        .as_ref()
        .map(|facts| authorize::decide(state, caller, action, facts));
    let allowed = decided.as_ref().is_some_and(|decided| decided.allowed);
    // The record names the complaint, and its agreement only when allowed.
    let mut record = match decided.and_then(|decided| decided.record) {
        Some(record) => record,
        None => absent_record(state, caller, action, id),
    };
    if let EventBody::AccessRecorded {
        resource,
        agreement,
        ..
    } = &mut record.body
    {
        *resource = id.to_string();
        if !allowed {
            *agreement = None;
        }
    }
    if complaint.is_none() {
        // A denied decision counted itself; a missing complaint counts the same, so that the
        // counters do not tell a missing complaint from another body's.
        state
            .counters()
            .authorization_denied(Role::Monitor.as_str());
    }
    state.committer().write(vec![Job::Access(record)]).await?;
    match complaint {
        Some(found) if allowed => Ok(found),
        _ => Err(AppError::NotFound {
            what: format!("complaint {id}"),
        }),
    }
}

fn absent_record(
    state: &App,
    caller: &Caller,
    action: Action,
    id: ComplaintId,
) -> corridor_domain::Event {
    corridor_domain::Event {
        at: state.now(),
        by: Some(caller.actor.user.clone()),
        body: EventBody::AccessRecorded {
            role: caller.actor.role,
            action: action.as_str().to_owned(),
            resource: id.to_string(),
            agreement: None,
            allowed: false,
            policies: Vec::new(),
        },
    }
}

/// Writes one complaint command; a refusal is an error carrying the core's code. Nothing is
/// counted in the metrics.
async fn write(
    state: &App,
    caller: &Caller,
    command: Command,
    new_key: Option<Vec<u8>>,
) -> Result<(), AppError> {
    let job = Job::Complaint {
        command,
        context: Context {
            now: state.now(),
            actor: caller.actor.clone(),
        },
        new_key,
    };
    let executed = state
        .committer()
        .write(vec![job])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("the committer answered nothing".to_owned()))??;
    match executed.outcome {
        Outcome::Accepted(_) => Ok(()),
        Outcome::Refused { refusal, .. } => Err(AppError::Refused(refusal)),
    }
}

async fn reread(state: &App, id: ComplaintId) -> Result<ComplaintSummary, AppError> {
    state
        .store()
        .complaint(id)
        .await?
        .map(|complaint| summary(&complaint))
        .ok_or_else(|| AppError::Internal(format!("{id} vanished after a write")))
}

fn summary(complaint: &Complaint) -> ComplaintSummary {
    ComplaintSummary {
        complaint: complaint.id.to_string(),
        agreement: complaint.agreement.to_string(),
        complainant: complaint.complainant.as_str().to_owned(),
        status: complaint.status.as_str().to_owned(),
        lodged_at: complaint.lodged_at.to_string(),
        case: complaint.case.map(|case| case.to_string()),
        erased: complaint.erased,
        version: complaint.version,
    }
}

/// The complaint's key, unwrapped; `None` once erased.
async fn complaint_key(
    state: &App,
    complaint: &Complaint,
) -> Result<Option<[u8; KEY_BYTES]>, AppError> {
    let master = state.master().ok_or(AppError::NoMasterKey)?;
    let Some(wrapped) = state.store().complaint_key(complaint.id).await? else {
        return Ok(None);
    };
    master
        .unwrap_complaint_key(complaint.id, &wrapped)
        .map(Some)
        .ok_or_else(|| AppError::Internal(format!("the key of {} does not open", complaint.id)))
}

fn open_reply(complaint: &Complaint, key: Option<&[u8; KEY_BYTES]>) -> Option<String> {
    let (reply, key) = (complaint.reply.as_ref()?, key?);
    let plain = vault::open_complaint(complaint.id, "reply", key, reply)?;
    String::from_utf8(plain).ok()
}

/// Checks a new complaint's fields, each refused by name.
fn check_new(new: &NewComplaint) -> Result<(AgreementId, Complainant, Lodged), AppError> {
    let agreement =
        AgreementId::parse(&new.agreement).map_err(|message| AppError::InvalidInput {
            field: "body.agreement".to_owned(),
            message,
        })?;
    let complainant =
        Complainant::parse(&new.complainant).ok_or_else(|| AppError::InvalidInput {
            field: "body.complainant".to_owned(),
            message: format!(
                "`{}` is not who may lodge a complaint (person, counsel, organisation)",
                new.complainant
            ),
        })?;
    bounded_text("body.text", &new.text, COMPLAINT_TEXT_BYTES_MAX)?;
    if let Some(contact) = &new.contact {
        bounded_text("body.contact", contact, CONTACT_BYTES_MAX)?;
    }
    if let Some(reference) = &new.case_reference {
        bounded_text("body.case_reference", reference, CASE_REFERENCE_BYTES_MAX)?;
    }
    Ok((
        agreement,
        complainant,
        Lodged {
            text: new.text.clone(),
            contact: new.contact.clone(),
            case_reference: new.case_reference.clone(),
        },
    ))
}

/// A free text: not blank, at most `max` bytes, no control characters but line breaks and tabs.
fn bounded_text(field: &str, text: &str, max: usize) -> Result<(), AppError> {
    let problem = if text.trim().is_empty() {
        Some("it is empty".to_owned())
    } else if text.len() > max {
        Some(format!(
            "it is {} bytes long, more than the {max} allowed",
            text.len()
        ))
    } else if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some("it contains control characters".to_owned())
    } else {
        None
    };
    match problem {
        Some(message) => Err(AppError::InvalidInput {
            field: field.to_owned(),
            message,
        }),
        None => Ok(()),
    }
}

/// A receipt code: 128 random bits as 32 lowercase hex digits in four groups of eight.
fn receipt_code(bytes: [u8; RECEIPT_BYTES]) -> String {
    let hex = hex::encode(bytes);
    let groups: Vec<&str> = (0..4).map(|i| &hex[i * 8..(i + 1) * 8]).collect();
    groups.join("-")
}

/// A receipt code as typed: case, spaces and dashes do not matter.
fn normalise_receipt(text: &str) -> String {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    match digits.len() {
        32 => receipt_code_from_hex(&digits).unwrap_or(digits),
        _ => digits,
    }
}

fn receipt_code_from_hex(digits: &str) -> Option<String> {
    let bytes: [u8; RECEIPT_BYTES] = hex::decode(digits).ok()?.try_into().ok()?;
    Some(receipt_code(bytes))
}

/// Compares two byte strings in time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receipt reads back however it is typed, and codes are 128 bits in four groups.
    #[test]
    fn receipts_normalise() {
        let code = receipt_code([0xab; RECEIPT_BYTES]);
        assert_eq!(code, "abababab-abababab-abababab-abababab");
        assert_eq!(
            normalise_receipt(" ABABABAB abababab-ABABABAB-abababab\n"),
            code
        );
        assert_ne!(normalise_receipt("abab"), code);
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sane"));
        assert!(!constant_time_eq(b"same", b"sam"));
    }

    /// Each field of a new complaint is refused by name.
    #[test]
    fn new_complaints_are_checked_field_by_field() {
        let good = NewComplaint {
            agreement: "test-usa-rwa".to_owned(),
            complainant: "person".to_owned(),
            case_reference: None,
            text: "I was not given my papers.".to_owned(),
            contact: None,
        };
        assert!(check_new(&good).is_ok());
        let field = |new: NewComplaint| match check_new(&new) {
            Err(AppError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let long = "x".repeat(COMPLAINT_TEXT_BYTES_MAX + 1);
        assert_eq!(
            field(NewComplaint {
                text: long,
                ..good.clone()
            }),
            "body.text"
        );
        assert_eq!(
            field(NewComplaint {
                text: " ".to_owned(),
                ..good.clone()
            }),
            "body.text"
        );
        assert_eq!(
            field(NewComplaint {
                complainant: "state".to_owned(),
                ..good.clone()
            }),
            "body.complainant"
        );
        assert_eq!(
            field(NewComplaint {
                agreement: "Not An Id".to_owned(),
                ..good.clone()
            }),
            "body.agreement"
        );
        assert_eq!(
            field(NewComplaint {
                contact: Some("\u{7}".to_owned()),
                ..good.clone()
            }),
            "body.contact"
        );
        assert_eq!(
            field(NewComplaint {
                case_reference: Some("r".repeat(201)),
                ..good
            }),
            "body.case_reference"
        );
    }
}
