//! What a release counts: the measures, the breakdowns of a person, and which public leaf kind
//! gives each measure's exact total.

use serde::{Deserialize, Serialize};

/// One measure: what one count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Its name in every file (`departed`, `safeguard_refusal`, ...).
    pub name: &'static str,
    /// The kind of the public log's leaves that count it one to one, per agreement and month: its
    /// total is then published exact (the log already discloses it) and `stats verify` checks it
    /// against the leaves. `None`: the measure is not a leaf kind, its total is protected.
    pub leaf_kind: Option<&'static str>,
    /// The name of the measure's own breakdown (`code` for safeguard refusals), if any.
    pub detail: Option<&'static str>,
    /// Whether it counts people, so that the breakdowns by nationality, sex and age band apply.
    pub counts_people: bool,
    /// One sentence for the data package and the docs.
    pub description: &'static str,
}

const fn person(
    name: &'static str,
    leaf_kind: Option<&'static str>,
    detail: Option<&'static str>,
    description: &'static str,
) -> Measure {
    Measure {
        name,
        leaf_kind,
        detail,
        counts_people: true,
        description,
    }
}

/// The agreement every court-hold measure is counted under: holds can span agreements, and their
/// leaves name none.
pub const NO_AGREEMENT: &str = "-";

/// Every measure, in the order the files list them.
pub const MEASURES: &[Measure] = &[
    person(
        "proposed",
        Some("case_proposed"),
        None,
        "People proposed for transfer.",
    ),
    person(
        "notice_served",
        Some("notice_served"),
        None,
        "Notices of intended transfer served.",
    ),
    person(
        "transfer_requested",
        Some("transfer_requested"),
        None,
        "Transfers requested of the receiving state.",
    ),
    person(
        "accepted",
        Some("accepted_by_receiving_state"),
        Some("acceptance"),
        "Transfers accepted by the receiving state: explicitly, by its silence, or by the terms themselves (no per-person approval).",
    ),
    person(
        "refused_by_receiving_state",
        Some("refused_by_receiving_state"),
        None,
        "Transfers the receiving state refused.",
    ),
    person(
        "request_lapsed",
        Some("request_lapsed"),
        None,
        "Requests that lapsed in silence where silence does not accept.",
    ),
    person(
        "scheduled",
        Some("transfer_scheduled"),
        None,
        "Departures scheduled.",
    ),
    person(
        "cases_pulled",
        None,
        None,
        "Scheduled departures taken off the schedule by a court hold.",
    ),
    person(
        "departed",
        Some("departed"),
        None,
        "People who left the sending state.",
    ),
    person(
        "arrived",
        Some("arrived"),
        None,
        "People who arrived in the receiving state.",
    ),
    person(
        "returned",
        Some("returned"),
        None,
        "People returned to the sending state after arrival.",
    ),
    person(
        "onward_moved",
        Some("onward_moved"),
        Some("destination"),
        "People who moved on from the receiving state, by destination.",
    ),
    person(
        "protection_claimed",
        Some("protection_claimed"),
        None,
        "Protection claims filed in the sending state.",
    ),
    person(
        "protection_decided",
        Some("protection_decided"),
        Some("decision"),
        "Protection claims decided: protection found or not found.",
    ),
    person("withdrawn", Some("withdrawn"), None, "Cases withdrawn."),
    person(
        "erased",
        Some("personal_data_erased"),
        None,
        "Cases whose personal data was erased.",
    ),
    person(
        "safeguard_refusal",
        Some("safeguard_triggered"),
        Some("code"),
        "Steps a safeguard refused, by the refusal's code.",
    ),
    person(
        "welfare_check_done",
        Some("welfare_check_recorded"),
        Some("outcome"),
        "Welfare checks recorded after arrival, by outcome.",
    ),
    person(
        "welfare_check_due",
        None,
        None,
        "Welfare checks that fell due in the period.",
    ),
    person(
        "welfare_check_missed",
        None,
        None,
        "Welfare checks that fell due in the period and were not recorded in time.",
    ),
    Measure {
        name: "hold_registered",
        leaf_kind: Some("hold_registered"),
        detail: Some("scope"),
        counts_people: false,
        description: "Court holds registered, by scope (named people or a class), over all agreements.",
    },
];

/// The measure of a name.
pub fn measure(name: &str) -> Option<&'static Measure> {
    MEASURES.iter().find(|measure| measure.name == name)
}

/// An age band at proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    /// 0–17.
    #[serde(rename = "0-17")]
    Under18,
    /// 18–24.
    #[serde(rename = "18-24")]
    From18To24,
    /// 25–34.
    #[serde(rename = "25-34")]
    From25To34,
    /// 35–49.
    #[serde(rename = "35-49")]
    From35To49,
    /// 50 and over.
    #[serde(rename = "50+")]
    From50,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [Self; 5] = [
        Self::Under18,
        Self::From18To24,
        Self::From25To34,
        Self::From35To49,
        Self::From50,
    ];

    /// The band of an age in whole years.
    pub fn of_age(years: u8) -> Self {
        match years {
            0..=17 => Self::Under18,
            18..=24 => Self::From18To24,
            25..=34 => Self::From25To34,
            35..=49 => Self::From35To49,
            _ => Self::From50,
        }
    }

    /// Its label in every file.
    pub fn label(self) -> &'static str {
        match self {
            Self::Under18 => "0-17",
            Self::From18To24 => "18-24",
            Self::From25To34 => "25-34",
            Self::From35To49 => "35-49",
            Self::From50 => "50+",
        }
    }
}

/// A breakdown of the people a measure counts, allowed per agreement by its terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// Nationality (ISO 3166-1 alpha-3).
    Nationality,
    /// Sex: `f`, `m`, `x`.
    Sex,
    /// Age band at proposal.
    AgeBand,
}

impl Breakdown {
    /// Its key in every cell's definition and file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Nationality => "nationality",
            Self::Sex => "sex",
            Self::AgeBand => "age_band",
        }
    }
}

/// What the breakdowns read of one person: nationality (ISO 3166-1 alpha-3), sex (`f`, `m` or
/// `x`) and age band at proposal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonAttributes {
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    /// `f`, `m` or `x`.
    pub sex: &'static str,
    /// At proposal (after an age dispute, as decided).
    pub age_band: AgeBand,
}
