//! A deterministic synthetic history (SplitMix64): agreements entering into force in different
//! months, people of a skewed mix of nationalities (a few common, several rare with 1 to 4
//! people a year), each moving month by month through the stages of a transfer, with safeguard
//! refusals by code, protection decisions, welfare checks and court holds. Synthetic people only.

use corridor_stats::measure::{AgeBand, Breakdown, NO_AGREEMENT, PersonAttributes, measure};
use corridor_stats::period::Month;
use corridor_stats::release::AgreementInfo;
use corridor_stats::tally::Tally;

/// SplitMix64: a small, well-mixed generator, deterministic from its seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `0 .. bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// `true` with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One of `choices`, by weights.
    pub fn weighted<'a>(&mut self, choices: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = choices.iter().map(|(_, weight)| weight).sum();
        let mut draw = self.below(total);
        for (choice, weight) in choices {
            if draw < *weight {
                return choice;
            }
            draw -= weight;
        }
        choices.first().map_or("", |(choice, _)| choice)
    }
}

/// Common nationalities and their weights.
const COMMON: [(&str, u64); 5] = [
    ("AFG", 35),
    ("SYR", 25),
    ("ERI", 15),
    ("IRQ", 13),
    ("PAK", 12),
];
/// Rare nationalities: 1 to 4 people a year per agreement.
const RARE: [&str; 6] = ["YEM", "SOM", "SDN", "LBY", "MLI", "TCD"];
/// Safeguard refusal codes, a few common and some rare.
const CODES: [(&str, u64); 5] = [
    ("refoulement_risk", 50),
    ("family_unity", 25),
    ("medical", 15),
    ("minor_unaccompanied", 7),
    ("statelessness", 3),
];
/// Onward destinations.
const DESTINATIONS: [(&str, u64); 4] = [("DEU", 50), ("FRA", 30), ("CAN", 15), ("ISL", 5)];

/// A synthetic deployment: its agreements and the true counts of its events.
#[derive(Debug, Clone)]
pub struct History {
    /// The agreements, as a release describes them.
    pub agreements: Vec<AgreementInfo>,
    /// The true counts.
    pub tally: Tally,
}

fn month(year: u16, month: u8) -> Month {
    Month::new(year, month).expect("a valid month")
}

/// `months` months after `from`.
fn after(from: Month, months: u64) -> Month {
    (0..months).fold(from, |month, _| month.next())
}

/// A history of `people_per_year` people a year, from the first agreement's entry into force
/// (July of the year before `year`) to December of `year`.
pub fn history(seed: u64, people_per_year: u64, year: u16) -> History {
    let all = vec![Breakdown::Nationality, Breakdown::Sex, Breakdown::AgeBand];
    let agreements = vec![
        info("ag-a", month(year - 1, 7), all),
        info(
            "ag-b",
            month(year, 3),
            vec![Breakdown::Nationality, Breakdown::Sex],
        ),
        info("ag-c", month(year, 1), vec![Breakdown::AgeBand]),
    ];
    let last = month(year, 12);
    let mut random = SplitMix64::new(seed);
    let mut tally = Tally::new();
    for agreement in &agreements {
        let months = agreement.entry_into_force.through(last);
        let share = people_per_year * months.len() as u64 / 12 / agreements.len() as u64;
        for _ in 0..share {
            let nationality = random.weighted(&COMMON).to_owned();
            let start = pick(&mut random, &months);
            let person = person(&mut random, nationality);
            journey(&mut tally, &mut random, &agreement.id, start, last, &person);
        }
        for rare in RARE {
            let per_year = 1 + random.below(4);
            let years = months.len() as u64 / 12 + 1;
            for _ in 0..per_year * years {
                let start = pick(&mut random, &months);
                let person = person(&mut random, rare.to_owned());
                journey(&mut tally, &mut random, &agreement.id, start, last, &person);
            }
        }
    }
    let first = agreements
        .iter()
        .map(|agreement| agreement.entry_into_force)
        .min()
        .expect("agreements");
    for month in first.through(last) {
        for _ in 0..random.below(4) {
            let scope = if random.chance(800) { "cases" } else { "class" };
            count(
                &mut tally,
                NO_AGREEMENT,
                month,
                "hold_registered",
                Some(scope),
                None,
            );
        }
    }
    History { agreements, tally }
}

/// A month drawn uniformly from `months` (not empty).
fn pick(random: &mut SplitMix64, months: &[Month]) -> Month {
    *months
        .get(random.below(months.len() as u64) as usize)
        .expect("a month")
}

fn info(id: &str, entry_into_force: Month, breakdowns: Vec<Breakdown>) -> AgreementInfo {
    AgreementInfo {
        id: id.to_owned(),
        sending: "GBR".to_owned(),
        receiving: "RWA".to_owned(),
        entry_into_force,
        breakdowns,
    }
}

fn person(random: &mut SplitMix64, nationality: String) -> PersonAttributes {
    let sex = random.weighted(&[("f", 35), ("m", 60), ("x", 5)]);
    let sex = ["f", "m", "x"]
        .into_iter()
        .find(|known| *known == sex)
        .unwrap_or("m");
    PersonAttributes {
        nationality,
        sex,
        age_band: AgeBand::of_age((random.below(70) + random.below(10)) as u8),
    }
}

fn count(
    tally: &mut Tally,
    agreement: &str,
    month: Month,
    name: &str,
    detail: Option<&str>,
    person: Option<&PersonAttributes>,
) {
    let known = measure(name).expect("a known measure");
    tally.count(agreement, month, known, detail, person);
}

/// One person's way through the stages, a stage every month or so, cut at `last`.
fn journey(
    tally: &mut Tally,
    random: &mut SplitMix64,
    agreement: &str,
    start: Month,
    last: Month,
    person: &PersonAttributes,
) {
    let mut now = start;
    let mut step =
        |tally: &mut Tally, random: &mut SplitMix64, name: &str, detail: Option<&str>| {
            now = after(now, random.below(2));
            if now <= last {
                count(tally, agreement, now, name, detail, Some(person));
            }
            now <= last
        };
    if !step(tally, random, "proposed", None) {
        return;
    }
    if random.chance(300) && step(tally, random, "protection_claimed", None) && random.chance(800) {
        let decision = if random.chance(300) {
            "found"
        } else {
            "not_found"
        };
        step(tally, random, "protection_decided", Some(decision));
        if decision == "found" {
            step(tally, random, "withdrawn", None);
            return;
        }
    }
    if random.chance(30) {
        step(tally, random, "withdrawn", None);
        return;
    }
    if !step(tally, random, "notice_served", None)
        || !step(tally, random, "transfer_requested", None)
    {
        return;
    }
    match random.below(100) {
        0..=4 => {
            step(tally, random, "request_lapsed", None);
            return;
        }
        5..=19 => {
            step(tally, random, "refused_by_receiving_state", None);
            return;
        }
        _ => {
            let how = if random.chance(700) {
                "explicit"
            } else {
                "silence"
            };
            if !step(tally, random, "accepted", Some(how)) {
                return;
            }
        }
    }
    if random.chance(60) {
        let code = random.weighted(&CODES);
        step(tally, random, "safeguard_refusal", Some(code));
        return;
    }
    if !step(tally, random, "scheduled", None) {
        return;
    }
    if random.chance(20) {
        step(tally, random, "cases_pulled", None);
        return;
    }
    if !step(tally, random, "departed", None) || !step(tally, random, "arrived", None) {
        return;
    }
    after_arrival(tally, random, &mut step);
}

fn after_arrival(
    tally: &mut Tally,
    random: &mut SplitMix64,
    step: &mut impl FnMut(&mut Tally, &mut SplitMix64, &str, Option<&str>) -> bool,
) {
    if random.chance(900) && step(tally, random, "welfare_check_due", None) {
        if random.chance(850) {
            let outcome = random.weighted(&[
                ("well", 80),
                ("concerns", 15),
                ("not_seen", 4),
                ("refused_contact", 1),
            ]);
            step(tally, random, "welfare_check_done", Some(outcome));
        } else {
            step(tally, random, "welfare_check_missed", None);
        }
    }
    if random.chance(20) {
        step(tally, random, "returned", None);
    } else if random.chance(30) {
        let destination = random.weighted(&DESTINATIONS);
        step(tally, random, "onward_moved", Some(destination));
    }
    if random.chance(20) {
        step(tally, random, "erased", None);
    }
}
