//! The authorization matrix: every route × every role × own or other party, written out by hand
//! from docs/domain.md §2 (not derived from the policies), and checked over HTTP.
//!
//! Each cell gets its own resource in the state the route needs (a case built to the point of
//! its lifecycle where the command makes sense, a hold of the right status), so cells that
//! change something never disturb one another, and one served app runs them all. A cell the
//! table denies must be answered 403 `forbidden` (401 `unauthenticated` for the anonymous
//! public); a cell it allows must be answered with neither 401 nor 403: the domain may still
//! refuse the command (409, 422), but the policies let it through, and the domain's own role
//! check did not disagree with them.
//!
//! A meta-test holds the table to the OpenAPI document of a server with a witness (which has
//! every route): a route the table lacks, or one it names that the document lacks, fails. The
//! matrix's server serves a witness following its own log, so `POST /add-checkpoint` is sent
//! as every column too.

use std::collections::{BTreeMap, BTreeSet};

use corridor_domain::terms::Country;
use corridor_domain::{CaseId, FindingId, HoldId, Party, Role};
use serde_json::json;

use crate::cases::{call, token};
use crate::fixture::{self, CaseSpec, MEDP_MONITORS, Seeder, Stage};
use crate::harness::{ORIGIN, PASSWORD, Reply, Setup, TestApp, spawn_app_with};

/// Who asks, one column of the table each. "Own" and "other" are relative to the cell's
/// resource: the case's sending or receiving state, the counsel the case names, the monitoring
/// body of the case's agreement, the court of the hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    /// A sending officer of the case's sending state (USA).
    OfficerOwn,
    /// A sending officer of another state (GBR).
    OfficerOther,
    /// A sending supervisor of the sending state.
    SupervisorOwn,
    /// A sending supervisor of another state.
    SupervisorOther,
    /// An adjudicator of the sending state.
    AdjudicatorOwn,
    /// An adjudicator of another state.
    AdjudicatorOther,
    /// A receiving officer of the case's receiving state (RWA), the case requested of them.
    ReceivingOwn,
    /// The same officer, the case not (yet) requested.
    ReceivingUnrequested,
    /// A receiving officer of another state (ALB), the case requested of RWA.
    ReceivingOther,
    /// The counsel the case names.
    CounselOwn,
    /// A counsel the case does not name.
    CounselOther,
    /// A monitor of the body that monitors the case's agreement (a UK–Rwanda case).
    MonitorOwn,
    /// A monitor of another body (the same UK–Rwanda case).
    MonitorOther,
    /// A clerk of the court that made the hold (`court-a`).
    ClerkOwn,
    /// A clerk of another court (`court-b`).
    ClerkOther,
    /// The operator.
    Admin,
    /// Nobody logged in.
    Public,
    /// An auditor: reads every agreement's access records, nothing else.
    Auditor,
}

/// The columns, in the table's order.
const COLUMNS: [Column; 18] = [
    Column::OfficerOwn,
    Column::OfficerOther,
    Column::SupervisorOwn,
    Column::SupervisorOther,
    Column::AdjudicatorOwn,
    Column::AdjudicatorOther,
    Column::ReceivingOwn,
    Column::ReceivingUnrequested,
    Column::ReceivingOther,
    Column::CounselOwn,
    Column::CounselOther,
    Column::MonitorOwn,
    Column::MonitorOther,
    Column::ClerkOwn,
    Column::ClerkOther,
    Column::Admin,
    Column::Public,
    Column::Auditor,
];

/// How many columns each role's group has, in order (see [`TABLE`]).
const GROUPS: [usize; 10] = [2, 2, 2, 3, 2, 2, 2, 1, 1, 1];

fn state(code: &str) -> Party {
    Party::State(Country::parse(code).expect("a country"))
}

impl Column {
    /// The user behind the column, or `None` for the public.
    fn user(self) -> Option<(&'static str, Role, Party)> {
        Some(match self {
            Self::OfficerOwn => ("officer.usa", Role::SendingOfficer, state("USA")),
            Self::OfficerOther => ("officer.gbr", Role::SendingOfficer, state("GBR")),
            Self::SupervisorOwn => ("supervisor.usa", Role::SendingSupervisor, state("USA")),
            Self::SupervisorOther => ("supervisor.gbr", Role::SendingSupervisor, state("GBR")),
            Self::AdjudicatorOwn => ("adjudicator.usa", Role::Adjudicator, state("USA")),
            Self::AdjudicatorOther => ("adjudicator.gbr", Role::Adjudicator, state("GBR")),
            Self::ReceivingOwn | Self::ReceivingUnrequested => {
                ("receiver.rwa", Role::ReceivingOfficer, state("RWA"))
            }
            Self::ReceivingOther => ("receiver.alb", Role::ReceivingOfficer, state("ALB")),
            Self::CounselOwn => ("counsel.own", Role::Counsel, Party::Clients),
            Self::CounselOther => ("counsel.other", Role::Counsel, Party::Clients),
            Self::MonitorOwn => (
                "monitor.medp",
                Role::Monitor,
                Party::MonitoringBody(MEDP_MONITORS.to_owned()),
            ),
            Self::MonitorOther => (
                "monitor.other",
                Role::Monitor,
                Party::MonitoringBody("other-monitoring-body".to_owned()),
            ),
            Self::ClerkOwn => (
                "clerk.a",
                Role::CourtClerk,
                Party::Court("court-a".to_owned()),
            ),
            Self::ClerkOther => (
                "clerk.b",
                Role::CourtClerk,
                Party::Court("court-b".to_owned()),
            ),
            Self::Admin => ("admin.ops", Role::Admin, Party::None),
            Self::Auditor => ("auditor.ins", Role::Auditor, Party::None),
            Self::Public => return None,
        })
    }

    /// Whether the column's cases are under the monitored UK–Rwanda agreement (monitors have
    /// nothing to do with US–Rwanda, which names no monitoring body).
    fn monitored(self) -> bool {
        matches!(self, Self::MonitorOwn | Self::MonitorOther)
    }

    /// The agreement the column's resources belong to.
    fn agreement(self) -> &'static str {
        if self.monitored() {
            "gbr-rwa-2024"
        } else {
            "us-rwa-2025"
        }
    }
}

/// The matrix. Each row: method, path template, then one mark per column — `Y` allowed, `-`
/// denied (403 `forbidden`), `n` denied to a caller who may not know the resource exists, and
/// so answered as for one that does not (404 `not_found`) — in groups separated by spaces:
///
/// ```text
/// sending officer (own, other) · sending supervisor (own, other) · adjudicator (own, other) ·
/// receiving officer (own requested, own unrequested, other) · counsel (own client, other) ·
/// monitor (own body, other) · court clerk (own court, other) · admin · public · auditor
/// ```
///
/// Written from docs/domain.md §2 and issue 4: sending-state users act only under their state's
/// agreements; receiving-state users only on cases requested of them; counsel only for their
/// clients; monitors read every case of the agreements they monitor and record what they find,
/// nothing else; court clerks manage their court's holds, read only the cases their court's
/// orders cover (none of the cells' cases) and may validate detention; the operator manages accounts,
/// agreement files, the clocks and erasure but never reads a case; the public reaches the
/// public routes only; the monitoring body reads the access records of the agreements it
/// monitors, auditors those of every agreement and nothing else. The joint committee's report
/// (its committee version) is read by the agreement's monitoring body and the sending state's
/// supervisors. Holds stop transfers, so every sending-state role and every clerk may
/// list them (each seeing the orders bearing on their state's agreements, or of their court:
/// the cells' holds bear on every agreement); monitors may not (the list names cases of every
/// agreement), and see the holds that matched each case they monitor in the case itself. Who
/// may not read a case, know of a hold, or administer accounts is told `n` on the routes
/// that name one (issue 12): a case, hold or account is not confirmed to them by a 403. Session routes need only a login,
/// and logging in needs nothing. The witness's `add-checkpoint` is public like the log it
/// serves: the witness authenticates the log by its signature on the checkpoint, not the
/// caller, so every column gets past the policies (which never see it); so is its monitoring
/// endpoint, `GET /{origin_hash}/checkpoint`, which serves what the witness cosigned. The
/// published statistics are everyone's, the anonymous public's included (`read_statistics`).
/// An account sets its own interface language only (`self-language`): another account's is `n`,
/// except to the operator, who administers the accounts and so may know they exist (`-`).
#[rustfmt::skip]
const TABLE: &[(&str, &str, &str)] = &[
    //                                                     so ss ad ro  co mo cc ad pu au
    ("GET",    "/healthz",                                "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/readyz",                                 "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/metrics",                                "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/checkpoint",                             "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/tile/{path}",                            "YY YY YY YYY YY YY YY Y Y Y"),
    ("POST",   "/add-checkpoint",                         "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/{origin_hash}/checkpoint",               "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/api/agreements",                         "YY YY YY YYY YY YY YY Y Y Y"),
    ("POST",   "/api/agreements",                         "-- -- -- --- -- -- -- Y - -"),
    ("GET",    "/api/agreements/{agreement}",             "YY YY YY YYY YY YY YY Y Y Y"),
    ("POST",   "/api/agreements/{agreement}/status",      "-- -- -- --- -- -- -- Y - -"),
    ("GET",    "/api/agreements/{agreement}/cases",       "Y- Y- Y- YY- -- Y- YY - - -"),
    ("POST",   "/api/agreements/{agreement}/cases",       "Y- Y- -- --- -- -- -- - - -"),
    ("GET",    "/api/cases/{case}",                       "Yn Yn Yn Ynn Yn Yn nn n - n"),
    ("GET",    "/api/agreements/{agreement}/access-records", "-- -- -- --- -- Y- -- - - Y"),
    ("GET",    "/api/reports/{agreement}",                "-- Y- -- --- -- Y- -- - - -"),
    ("GET",    "/api/statistics",                         "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/api/statistics/releases",                "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/public/statistics/{release}/{file}",     "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/api/cases/{case}/history",               "Yn Yn Yn -nn Yn Yn nn n - n"),
    ("POST",   "/api/cases/{case}/notice",                "Yn Yn -n -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/protection-claim",      "Yn Yn -n -nn Yn -n nn n - n"),
    ("POST",   "/api/cases/{case}/protection-decision",   "-n -n Yn -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/request",               "Yn Yn -n -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/approve",               "-n Yn -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/refuse",                "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/extend",                "Yn Yn -n -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/schedule",              "Yn Yn -n -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/depart",                "Yn Yn -n -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/arrive",                "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/vulnerabilities",       "Yn Yn -n Ynn -n Yn nn n - n"),
    ("POST",   "/api/cases/{case}/fears",                 "Yn Yn -n Ynn Yn Yn nn n - n"),
    ("POST",   "/api/cases/{case}/age-dispute",           "Yn Yn -n -nn Yn Yn nn n - n"),
    ("POST",   "/api/cases/{case}/age-decision",          "-n -n Yn -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/receiving-claim",       "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/receiving-claim-decision", "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/appeal",                "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/onward",                "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/return",                "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/settle",                "-n -n -n Ynn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/whereabouts-unknown",   "-n -n -n Ynn -n Yn nn n - n"),
    ("POST",   "/api/cases/{case}/whereabouts-known",     "-n -n -n Ynn -n Yn nn n - n"),
    ("POST",   "/api/cases/{case}/welfare-checks",        "-n -n -n -nn -n Yn nn n - n"),
    ("POST",   "/api/cases/{case}/detention-validated",   "-n -n -n -nn -n -n YY n - n"),
    ("POST",   "/api/cases/{case}/withdraw",              "Yn Yn -n -nn -n -n nn n - n"),
    ("POST",   "/api/cases/{case}/erase",                 "-n -n -n -nn -n -n nn Y - n"),
    ("GET",    "/api/holds",                              "YY YY YY --- -- -- YY - - -"),
    ("POST",   "/api/holds",                              "-- -- -- --- -- -- Y- - - -"),
    ("POST",   "/api/holds/dry-run",                      "-- -- -- --- -- -- Y- - - -"),
    ("POST",   "/api/holds/{hold}/stay",                  "-- -- -- nnn nn nn Yn n - n"),
    ("POST",   "/api/holds/{hold}/reactivate",            "-- -- -- nnn nn nn Yn n - n"),
    ("POST",   "/api/holds/{hold}/amend",                 "-- -- -- nnn nn nn Yn n - n"),
    ("POST",   "/api/holds/{hold}/vacate",                "-- -- -- nnn nn nn Yn n - n"),
    ("GET",    "/api/agreements/{agreement}/visits",      "Y- Y- -- YY- -- Y- -- - - -"),
    ("POST",   "/api/agreements/{agreement}/visits",      "-- -- -- --- -- Y- -- - - -"),
    ("POST",   "/api/agreements/{agreement}/visits/recorded", "-- -- -- --- -- Y- -- - - -"),
    ("GET",    "/api/agreements/{agreement}/findings",    "Y- Y- -- YY- -- Y- -- - - -"),
    ("POST",   "/api/agreements/{agreement}/findings",    "-- -- -- --- -- Y- -- - - -"),
    // A finding is the UK–Rwanda agreement's for every column (US–Rwanda names no monitoring
    // body, so it has none): the sending officials of its own state are the "other" columns.
    ("GET",    "/api/findings/{finding}",                 "nY nY nn YYn nn Yn nn n - n"),
    ("POST",   "/api/findings/{finding}/responses",       "nY nY nn YYn nn -n nn n - n"),
    ("POST",   "/api/findings/{finding}/close",           "n- n- nn --n nn Yn nn n - n"),
    ("GET",    "/api/monitoring/queue",                   "-- -- -- --- -- YY -- - - -"),
    // Each role's queue: decided as the list of cases (no agreement the receiving officer of
    // another state receives under is loaded), the holds or the monitoring queue are.
    ("GET",    "/api/queue",                              "YY YY YY YY- -- YY YY - - -"),
    ("POST",   "/api/tick",                               "-- -- -- --- -- -- -- Y - -"),
    ("POST",   "/api/session",                            "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/api/session",                            "YY YY YY YYY YY YY YY Y - Y"),
    ("DELETE", "/api/session",                            "YY YY YY YYY YY YY YY Y - Y"),
    ("GET",    "/api/users",                              "-- -- -- --- -- -- -- Y - -"),
    ("POST",   "/api/users",                              "-- -- -- --- -- -- -- Y - -"),
    ("POST",   "/api/users/{user}/disable",               "nn nn nn nnn nn nn nn Y - n"),
    ("PUT",    "/api/users/{user}/role",                  "nn nn nn nnn nn nn nn Y - n"),
    ("GET",    "/api/users/{user}/tokens",                "nn nn nn nnn nn nn nn - - n"),
    ("POST",   "/api/users/{user}/tokens",                "nn nn nn nnn nn nn nn - - n"),
    ("DELETE", "/api/users/{user}/tokens/{token_id}",     "nn nn nn nnn nn nn nn Y - n"),
    ("PUT",    "/api/users/{user}/language",              "nn nn nn nnn nn nn nn - - n"),
    // Confidential complaints: anyone lodges and reads by receipt (no credential is read); only
    // the agreement's monitoring body works on them, every other role refused before anything
    // about complaints is read, a monitor of another body told one does not exist.
    ("POST",   "/api/complaints",                         "YY YY YY YYY YY YY YY Y Y Y"),
    ("POST",   "/api/complaints/status",                  "YY YY YY YYY YY YY YY Y Y Y"),
    ("GET",    "/api/agreements/{agreement}/complaints",  "-- -- -- --- -- Y- -- - - -"),
    ("GET",    "/api/complaints/{complaint}",             "-- -- -- --- -- Yn -- - - -"),
    ("POST",   "/api/complaints/{complaint}/review",      "-- -- -- --- -- Yn -- - - -"),
    ("POST",   "/api/complaints/{complaint}/link",        "-- -- -- --- -- Yn -- - - -"),
    ("POST",   "/api/complaints/{complaint}/erase",       "-- -- -- --- -- Yn -- - - -"),
];

/// Rows whose allowed cells change what every other cell sees (a new terms version, the clocks
/// run): they run after all the others.
const LAST: &[(&str, &str)] = &[("POST", "/api/agreements"), ("POST", "/api/tick")];

/// What a cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Past the policies: neither 401 nor 403 (nor a concealing 404).
    Allowed,
    /// 403 `forbidden` (401 for the public).
    Denied,
    /// 404 `not_found`, as for a resource that does not exist.
    Concealed,
}

/// A row's marks, one per column; panics on a malformed row.
fn marks(method: &str, path: &str, row: &str) -> Vec<Mark> {
    let groups: Vec<&str> = row.split(' ').collect();
    let sizes: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    assert_eq!(sizes, GROUPS, "{method} {path}: the groups of `{row}`");
    row.chars()
        .filter(|c| *c != ' ')
        .map(|c| match c {
            'Y' => Mark::Allowed,
            '-' => Mark::Denied,
            'n' => Mark::Concealed,
            other => panic!("{method} {path}: `{other}` is none of `Y`, `-`, `n`"),
        })
        .collect()
}

/// How far a case route's cases are built: where the command makes sense, so that an allowed
/// cell mostly gets past the domain too.
fn stage_of(path: &str) -> Option<Stage> {
    let command = path.strip_prefix("/api/cases/{case}")?;
    Some(match command {
        "" | "/history" | "/approve" | "/refuse" | "/vulnerabilities" | "/fears"
        | "/age-dispute" | "/age-decision" => Stage::Requested,
        "/notice" | "/withdraw" | "/erase" => Stage::Proposed,
        "/protection-claim" | "/request" => Stage::Noticed,
        "/protection-decision" => Stage::ProtectionClaimed,
        "/extend" => Stage::Accepted,
        "/schedule" => Stage::Approved,
        "/depart" => Stage::Scheduled,
        "/arrive" => Stage::InTransit,
        "/receiving-claim-decision" => Stage::ClaimPending,
        "/appeal" => Stage::ClaimRefused,
        "/whereabouts-known" => Stage::WhereaboutsUnknown,
        "/receiving-claim"
        | "/onward"
        | "/return"
        | "/settle"
        | "/whereabouts-unknown"
        | "/welfare-checks"
        | "/detention-validated" => Stage::Arrived,
        other => panic!("no stage for case route `{other}`: add one"),
    })
}

/// The stage of the case behind one cell: a receiving officer's cell is about a case
/// requested of them, or (the unrequested column) one that was not.
fn cell_stage(route: Stage, column: Column) -> Stage {
    match column {
        Column::ReceivingUnrequested => Stage::Proposed,
        Column::ReceivingOwn | Column::ReceivingOther => route.max(Stage::Requested),
        _ => route,
    }
}

/// A valid body for a route, so that no cell fails on its input before the policies decide.
fn body(method: &str, path: &str, column: Column) -> Option<serde_json::Value> {
    let reason = json!({ "reason": "a synthetic reason" });
    Some(match (method, path) {
        ("POST", "/api/agreements") => json!({
            "file_name": "us-rwa-2025.toml",
            "text": fixture::agreement_text("us-rwa-2025.toml"),
        }),
        // A date before the last status change: the domain refuses it, so nothing changes.
        ("POST", "/api/agreements/{agreement}/status") => {
            json!({ "status": "suspended", "on": "2000-01-01" })
        }
        ("POST", "/api/agreements/{agreement}/cases") => json!({
            "name": "Synthetic Person Matrix",
            "birth_date": "1991-02-03",
            "nationality": "HND",
            "sex": "male",
            "languages": ["es"],
            "legal_basis": "ina_241",
            "removal_ordered_on": "2025-06-01",
        }),
        ("POST", "/api/cases/{case}/notice") => json!({
            "language": "es",
            "destination": "RWA",
            "on_person": true,
            "on_counsel": true,
            "explains_how_to_contest": true,
        }),
        ("POST", "/api/complaints") => {
            json!({"agreement": "gbr-rwa-2024", "complainant": "organisation", "text": "Synthetic."})
        }
        ("POST", "/api/complaints/{complaint}/review") => json!({ "status": "under_review" }),
        ("POST", "/api/complaints/{complaint}/link") => json!({ "case": "case-0000000000000001" }),
        ("POST", "/api/cases/{case}/protection-decision")
        | ("POST", "/api/cases/{case}/receiving-claim-decision") => json!({ "granted": false }),
        ("POST", "/api/cases/{case}/refuse")
        | ("POST", "/api/cases/{case}/extend")
        | ("POST", "/api/cases/{case}/withdraw") => reason,
        ("POST", "/api/cases/{case}/schedule") => json!({ "departure": "2025-08-20T09:00:00Z" }),
        ("POST", "/api/cases/{case}/vulnerabilities") => json!({ "category": "serious_illness" }),
        ("POST", "/api/cases/{case}/onward") => json!({ "destination": "KEN" }),
        ("POST", "/api/cases/{case}/fears") => json!({ "country": "KEN" }),
        ("POST", "/api/cases/{case}/age-dispute") => json!({ "claimed_birth_date": "2008-01-01" }),
        ("POST", "/api/cases/{case}/age-decision") => json!({ "birth_date": "1990-01-01" }),
        ("POST", "/api/cases/{case}/welfare-checks") => json!({ "outcome": "well" }),
        ("POST", "/api/holds") | ("POST", "/api/holds/dry-run") => json!({
            "court": "court-a",
            "reference": "Order of the matrix",
            "scope": { "nationalities": ["ATA"] },
        }),
        ("POST", "/api/holds/{hold}/amend") => json!({ "scope": { "nationalities": ["ATA"] } }),
        ("POST", "/api/agreements/{agreement}/visits") => json!({
            "announced": true, "on": "2025-12-01", "place": "Synthetic centre",
        }),
        ("POST", "/api/agreements/{agreement}/visits/recorded") => json!({
            "announced": false, "on": "2025-08-01", "place": "Synthetic centre",
        }),
        ("POST", "/api/agreements/{agreement}/findings") => json!({
            "category": "documentation", "severity": "information",
            "text": "Synthetic finding of the matrix.", "addressed": ["sending_state"],
        }),
        ("POST", "/api/findings/{finding}/responses") => json!({ "text": "Synthetic response." }),
        ("POST", "/api/findings/{finding}/close") => json!({ "outcome": "accepted" }),
        ("POST", "/api/session") => json!({
            // The public logs in as someone: that anyone may try is what the row says.
            "user": column.user().or(Column::OfficerOwn.user()).map(|(name, ..)| name),
            "password": PASSWORD,
        }),
        ("POST", "/api/users") => json!({
            "user": format!("new.{}", format!("{column:?}").to_lowercase()),
            "role": "sending_officer",
            "state": "USA",
            "password": PASSWORD,
        }),
        ("PUT", "/api/users/{user}/role") => json!({ "role": "sending_officer", "state": "GBR" }),
        ("POST", "/api/users/{user}/tokens") => json!({ "scopes": ["read_case"] }),
        ("PUT", "/api/users/{user}/language") => json!({ "language": "fr" }),
        _ => return None,
    })
}

/// One cell, ready to send.
#[derive(Debug)]
struct Cell {
    method: &'static str,
    template: &'static str,
    column: Column,
    mark: Mark,
    path: String,
    if_match: Option<String>,
    body: Option<serde_json::Value>,
}

/// The resources the cells act on, built before any cell runs.
#[derive(Debug, Default)]
struct Resources {
    cases: BTreeMap<(&'static str, Column), CaseId>,
    holds: BTreeMap<(&'static str, Column), HoldId>,
    /// One UK–Rwanda finding per finding route, addressed to both states.
    findings: BTreeMap<&'static str, FindingId>,
    complaints: BTreeMap<(&'static str, Column), String>,
    receipt: String,
    tokens: BTreeMap<Column, String>,
    target_token: String,
}

const TARGET_USER: &str = "target.user";

async fn prepare(app: &TestApp) -> Resources {
    fixture::load_agreements(app, &["gbr-rwa-2024.toml"]).await;
    let mut resources = Resources::default();
    for column in COLUMNS {
        if let Some((name, role, party)) = column.user()
            && column != Column::ReceivingUnrequested
        {
            resources
                .tokens
                .insert(column, token(app, name, role, party).await);
        }
    }
    let shared = resources.tokens[&Column::ReceivingOwn].clone();
    resources
        .tokens
        .insert(Column::ReceivingUnrequested, shared);

    // One case per (case route, column), each built to the stage the cell needs.
    let mut keys = Vec::new();
    let mut specs = Vec::new();
    for (_, path, _) in TABLE {
        let Some(stage) = stage_of(path) else {
            continue;
        };
        for column in COLUMNS {
            keys.push((*path, column));
            specs.push(
                CaseSpec::new(column.agreement(), cell_stage(stage, column))
                    .with_counsel("counsel.own"),
            );
        }
    }
    let ids = Seeder::default().build(app, &specs).await;
    resources.cases = keys.into_iter().zip(ids).collect();

    // One hold of court-a per (hold route, column); stayed for the reactivation.
    let mut next_hold = 0x40_0000_u64;
    for (method, path, _) in TABLE {
        if *method != "POST" || !path.starts_with("/api/holds/{hold}") {
            continue;
        }
        let stayed = [path.ends_with("/reactivate"); COLUMNS.len()];
        let ids = fixture::holds(app, "court-a", &stayed, next_hold).await;
        next_hold += COLUMNS.len() as u64;
        for (column, id) in COLUMNS.into_iter().zip(ids) {
            resources.holds.insert((*path, column), id);
        }
    }

    // One finding per finding route, recorded by the UK–Rwanda monitoring body.
    let monitor = corridor_domain::Context {
        now: crate::harness::AUG_10.parse().expect("a moment"),
        actor: corridor_testkit::actor(
            "fixture.monitor",
            Role::Monitor,
            Party::MonitoringBody(MEDP_MONITORS.to_owned()),
        ),
    };
    for (index, (_, path, _)) in TABLE
        .iter()
        .filter(|(_, path, _)| path.starts_with("/api/findings/{finding}"))
        .enumerate()
    {
        let finding = FindingId::from_u64(0x0f1d_0000 + index as u64);
        let command = corridor_domain::Command::RecordFinding {
            finding,
            facts: corridor_domain::monitoring::FindingFacts {
                agreement: corridor_domain::terms::AgreementId::parse("gbr-rwa-2024")
                    .expect("an id"),
                cases: Default::default(),
                category: corridor_domain::monitoring::FindingCategory::LivingConditions,
                severity: corridor_domain::monitoring::Severity::Concern,
                text: "Synthetic finding of the matrix.".to_owned(),
                addressed: corridor_domain::monitoring::AddressedParty::ALL
                    .iter()
                    .copied()
                    .collect(),
            },
        };
        let executed = app
            .store
            .execute(&command, &monitor, None, &[])
            .await
            .expect("the store answers");
        assert!(
            matches!(executed.outcome, corridor_domain::Outcome::Accepted(_)),
            "{executed:?}"
        );
        resources.findings.insert(*path, finding);
    }
    // One complaint under UK–Rwanda per (complaint route, column), and a receipt to read.
    let mut receipts = Vec::new();
    for (_, path, _) in TABLE {
        if !path.starts_with("/api/complaints/{complaint}") {
            continue;
        }
        for column in COLUMNS {
            let before: BTreeSet<String> = complaint_ids(app).await;
            receipts.push(lodge_one(app).await);
            let after = complaint_ids(app).await;
            let id = after
                .difference(&before)
                .next()
                .expect("a new complaint")
                .clone();
            resources.complaints.insert((*path, column), id);
        }
    }
    resources.receipt = receipts.pop().unwrap_or_default();

    // The account the user routes act on, with a token to revoke.
    resources.target_token = {
        let accounts = corridor_accounts::Accounts::from_pool(app.store.pool().clone())
            .await
            .expect("the accounts open");
        let user = corridor_domain::UserId::parse(TARGET_USER).expect("a user id");
        let now: jiff::Timestamp = crate::harness::AUG_10.parse().expect("a moment");
        accounts
            .add_user(&user, Role::SendingOfficer, &state("USA"), PASSWORD, now)
            .await
            .expect("the target user is added");
        let (_, id) = accounts
            .create_token(
                &user,
                [corridor_accounts::Scope::parse("read_case").expect("a scope")],
                now + jiff::SignedDuration::from_hours(24),
                now,
            )
            .await
            .expect("a token");
        id.to_string()
    };
    resources
}

/// Lodges a complaint under UK–Rwanda; returns its receipt.
async fn lodge_one(app: &TestApp) -> String {
    let body = json!({"agreement": "gbr-rwa-2024", "complainant": "person", "text": "Synthetic."});
    let reply = app
        .request(
            "POST",
            "/api/complaints",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["receipt"]
        .as_str()
        .expect("a receipt")
        .to_owned()
}

/// The ids of every complaint under UK–Rwanda, from the store.
async fn complaint_ids(app: &TestApp) -> BTreeSet<String> {
    let agreement = corridor_domain::terms::AgreementId::parse("gbr-rwa-2024").expect("an id");
    app.store
        .complaints_under(&[agreement])
        .await
        .expect("the complaints")
        .iter()
        .map(|complaint| complaint.id.to_string())
        .collect()
}

/// The version the column is told of `case` (its `ETag`, for a column that sees part of the
/// case), or the case's own version for a column that may not read it.
async fn told_version(
    app: &TestApp,
    resources: &Resources,
    column: Column,
    case: CaseId,
) -> String {
    if let Some(token) = resources.tokens.get(&column) {
        let reply = call(app, "GET", &format!("/api/cases/{case}"), token, None, None).await;
        if reply.status == 200 {
            return reply.header("etag").to_owned();
        }
    }
    fixture::if_match(app, case).await
}

/// Every cell of the table, with its resource.
async fn cells(app: &TestApp, resources: &Resources) -> Vec<Cell> {
    let mut cells = Vec::new();
    for (method, template, row) in TABLE {
        for (column, mark) in COLUMNS.into_iter().zip(marks(method, template, row)) {
            let case = resources.cases.get(&(*template, column)).copied();
            let hold = resources.holds.get(&(*template, column)).copied();
            let complaint = resources.complaints.get(&(*template, column));
            let mut path = template
                .replace("{agreement}", column.agreement())
                .replace("{user}", TARGET_USER)
                .replace("{token_id}", &resources.target_token)
                .replace("{path}", "0/000")
                .replace("{origin_hash}", &corridor_log::witness::origin_hash(ORIGIN))
                .replace("{release}", "latest")
                .replace("{file}", "statistics.json");
            if let Some(case) = case {
                path = path.replace("{case}", &case.to_string());
            }
            if let Some(hold) = hold {
                path = path.replace("{hold}", &hold.to_string());
            }
            if let Some(finding) = resources.findings.get(template) {
                path = path.replace("{finding}", &finding.to_string());
            }
            if *template == "/api/reports/{agreement}" {
                // The committee's version: the public one is anyone's (see reports.rs).
                path.push_str("?period=2025&version=committee");
            }
            if let Some(complaint) = complaint {
                path = path.replace("{complaint}", complaint);
            }
            assert!(!path.contains('{'), "{template}: no resource for {path}");
            let if_match = match case {
                Some(case) if *method == "POST" => {
                    Some(told_version(app, resources, column, case).await)
                }
                _ => None,
            };
            cells.push(Cell {
                method,
                template,
                column,
                mark,
                path,
                if_match,
                body: match (*method, *template) {
                    ("POST", "/api/complaints/status") => {
                        Some(json!({ "receipt": resources.receipt }))
                    }
                    _ => body(method, template, column),
                },
            });
        }
    }
    cells
}

/// The witness's add-checkpoint body for the log's latest checkpoint, from size 0: the first
/// cell to send it is cosigned (200), the others hear the size the witness now holds (409).
async fn add_checkpoint_body(app: &TestApp) -> Vec<u8> {
    let (_, _, checkpoint, _) = app
        .store
        .latest_checkpoint()
        .await
        .expect("a read")
        .expect("a checkpoint");
    corridor_log::witness::AddCheckpointRequest::encode(0, &[], &checkpoint).into_bytes()
}

/// Sends one cell's request as its column's caller.
async fn send(app: &TestApp, resources: &Resources, cell: &Cell) -> Reply {
    let token = resources.tokens.get(&cell.column);
    match (token, (cell.method, cell.template)) {
        // The witness speaks C2SP text, not JSON; the caller's token is sent and ignored.
        (token, ("POST", "/add-checkpoint")) => {
            let authorization = token.map(|token| format!("Bearer {token}"));
            let mut headers = vec![("content-type", "text/plain")];
            if let Some(authorization) = authorization.as_deref() {
                headers.push(("authorization", authorization));
            }
            app.request(
                cell.method,
                &cell.path,
                &headers,
                add_checkpoint_body(app).await,
            )
            .await
        }
        // Logging out needs a browser session, and nothing else does.
        (Some(_), ("DELETE", "/api/session")) => {
            let (name, ..) = cell.column.user().expect("a user");
            let browser = app.login(name).await;
            app.request(cell.method, &cell.path, &browser.headers(true), Vec::new())
                .await
        }
        (Some(token), _) => {
            call(
                app,
                cell.method,
                &cell.path,
                token,
                cell.if_match.as_deref(),
                cell.body.clone(),
            )
            .await
        }
        (None, _) => {
            let mut headers = vec![("content-type", "application/json")];
            if let Some(version) = cell.if_match.as_deref() {
                headers.push(("if-match", version));
            }
            let bytes = cell
                .body
                .as_ref()
                .map_or_else(Vec::new, |body| body.to_string().into_bytes());
            app.request(cell.method, &cell.path, &headers, bytes).await
        }
    }
}

/// What is wrong with a cell's answer, if anything.
fn verdict(cell: &Cell, reply: &Reply) -> Option<String> {
    let code = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|body| body["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let answered = format!("{} `{code}`", reply.status);
    // Every answer to a logged-in caller, allowed or not, is private: no cache may keep it.
    if cell.column != Column::Public && reply.header("cache-control") != "no-store" {
        return Some(format!(
            "{:<6} {:<48} {:<22} answered without `Cache-Control: no-store` ({:?})",
            cell.method,
            cell.template,
            format!("{:?}", cell.column),
            reply.header("cache-control"),
        ));
    }
    let wrong = match cell.mark {
        Mark::Allowed => {
            matches!(reply.status, 401 | 403) || (reply.status == 404 && code == "not_found")
        }
        _ if cell.column == Column::Public => !(reply.status == 401 && code == "unauthenticated"),
        Mark::Denied => !(reply.status == 403 && code == "forbidden"),
        Mark::Concealed => !(reply.status == 404 && code == "not_found"),
    };
    wrong.then(|| {
        format!(
            "{:<6} {:<48} {:<22} expected {}, got {answered}",
            cell.method,
            cell.template,
            format!("{:?}", cell.column),
            match cell.mark {
                Mark::Allowed => "allowed",
                Mark::Denied => "denied",
                Mark::Concealed => "concealed",
            },
        )
    })
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    // Proves each cell of the hand-written matrix over HTTP: denied cells are 403 `forbidden`
    // (401 for the public), concealed ones 404 `not_found`, allowed cells pass the policies
    // (neither 401 nor 403, nor a concealing 404), and every answer to a logged-in caller
    // carries `Cache-Control: no-store`.
    let app = spawn_app_with(Setup {
        rate_limit: corridor_api::limits::RateLimit {
            burst_requests: 1_000_000,
            refill_per_second: 1_000_000,
        },
        witness: true,
        ..Setup::default()
    })
    .await;
    let resources = prepare(&app).await;
    // A published release, so that reading the statistics is allowed with a 200 (the log has
    // grown since the harness's checkpoint: the resources are in it).
    crate::statistics::publish_august_now(&app).await;
    let cells = cells(&app, &resources).await;
    let (last, first): (Vec<&Cell>, Vec<&Cell>) = cells
        .iter()
        .partition(|cell| LAST.contains(&(cell.method, cell.template)));
    let mut wrong = Vec::new();
    let mut allowed = 0usize;
    for cell in first.into_iter().chain(last) {
        let reply = send(&app, &resources, cell).await;
        assert!(
            reply.status < 500,
            "{} {} as {:?}: {} {}",
            cell.method,
            cell.path,
            cell.column,
            reply.status,
            reply.text()
        );
        allowed += usize::from(cell.mark == Mark::Allowed);
        wrong.extend(verdict(cell, &reply));
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells disagree with the matrix:\n{}",
        wrong.len(),
        cells.len(),
        wrong.join("\n")
    );
    assert_eq!(cells.len(), TABLE.len() * COLUMNS.len());
    assert!(allowed > 100 && allowed < cells.len() / 2, "{allowed}");
}

#[tokio::test]
async fn the_matrix_names_exactly_the_documented_routes() {
    // Proves the table has one row per operation of the OpenAPI document of a server with a
    // witness (every route), no more and no less, and that every row is well formed.
    let documented = crate::openapi::documented_operations(true);
    let mut named = BTreeSet::new();
    for (method, path, row) in TABLE {
        marks(method, path, row);
        assert!(
            named.insert(((*method).to_owned(), (*path).to_owned())),
            "{method} {path} is in the table twice"
        );
    }
    let missing: Vec<_> = documented.difference(&named).collect();
    assert!(missing.is_empty(), "routes the matrix lacks: {missing:?}");
    let extra: Vec<_> = named.difference(&documented).collect();
    assert!(extra.is_empty(), "routes the document lacks: {extra:?}");
}
