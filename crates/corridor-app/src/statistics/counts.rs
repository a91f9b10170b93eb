//! The counts of one walk while it reads, keyed by small numbers: the agreements, details and
//! nationalities it meets are numbered once each ([`Texts`]), so counting one event allocates
//! nothing and hashes a few integers (with [`FxHasher`], not the standard library's SipHash,
//! which guards against keys an adversary chooses: these keys are the program's own numbers).
//! At the end of the walk the counts become a [`Tally`], keyed by the texts themselves.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use corridor_stats::measure::{AgeBand, MEASURES, PersonAttributes};
use corridor_stats::period::Month;
use corridor_stats::tally::{Tally, TallyKey};

/// The hash of rustc's own hash maps (Fx): a multiply and a rotate per word. Fast on small keys
/// made of integers; not meant for keys others choose.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

/// Fx's multiplier.
const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A hash map hashed with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Texts numbered in the order first met: each is stored once.
#[derive(Debug, Default)]
pub struct Texts {
    numbers: FxHashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Texts {
    /// The number of `text`, numbering it if it is new.
    pub fn number(&mut self, text: &str) -> u32 {
        if let Some(number) = self.numbers.get(text) {
            return *number;
        }
        let number = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.into());
        self.numbers.insert(text.into(), number);
        number
    }

    /// The text numbered `number` (empty if none is: numbers come only from [`Texts::number`]).
    pub fn text(&self, number: u32) -> &str {
        usize::try_from(number)
            .ok()
            .and_then(|index| self.texts.get(index))
            .map_or("", |text| text)
    }
}

/// A person as counted: [`PersonAttributes`] with the nationality numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Person {
    /// The nationality's number in the walk's [`Texts`].
    pub nationality: u32,
    /// `f`, `m` or `x`.
    pub sex: &'static str,
    /// The age band.
    pub age_band: AgeBand,
}

/// What one count counts: a [`TallyKey`] with its texts numbered and its measure by position in
/// [`MEASURES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    agreement: u32,
    month: Month,
    measure: u16,
    detail: Option<u32>,
    person: Option<Person>,
}

/// A walk's counts (see the module's documentation).
#[derive(Debug, Default)]
pub struct Counts {
    /// Every text the keys number.
    pub texts: Texts,
    counts: FxHashMap<Key, u64>,
}

impl Counts {
    /// No count yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one occurrence of the measure at position `measure` of [`MEASURES`], as
    /// [`Tally::count`] does: the person only if the measure counts people.
    pub fn count(
        &mut self,
        agreement: u32,
        month: Month,
        measure: usize,
        detail: Option<&str>,
        person: Option<Person>,
    ) {
        let counts_people = MEASURES
            .get(measure)
            .is_some_and(|measure| measure.counts_people);
        let detail = detail.map(|detail| self.texts.number(detail));
        let key = Key {
            agreement,
            month,
            measure: u16::try_from(measure).unwrap_or(u16::MAX),
            detail,
            person: person.filter(|_| counts_people),
        };
        *self.counts.entry(key).or_default() += 1;
    }

    /// The counts keyed by their texts.
    pub fn into_tally(self) -> Tally {
        let mut tally = Tally::new();
        let texts = &self.texts;
        for (key, n) in self.counts {
            let Some(measure) = MEASURES.get(usize::from(key.measure)) else {
                continue;
            };
            tally.add(
                TallyKey {
                    agreement: texts.text(key.agreement).to_owned(),
                    month: key.month,
                    measure: measure.name,
                    detail: key.detail.map(|detail| texts.text(detail).to_owned()),
                    person: key.person.map(|person| PersonAttributes {
                        nationality: texts.text(person.nationality).to_owned(),
                        sex: person.sex,
                        age_band: person.age_band,
                    }),
                },
                n,
            );
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_stats::measure::measure;

    #[test]
    fn counts_keyed_by_numbers_are_the_tally_keyed_by_texts() {
        let month = Month::new(2025, 6).expect("a month");
        let proposed = measure("proposed").expect("a measure");
        let refusal = measure("safeguard_refusal").expect("a measure");
        let position = |name: &str| {
            MEASURES
                .iter()
                .position(|measure| measure.name == name)
                .expect("a measure")
        };
        let attributes = PersonAttributes {
            nationality: "VEN".to_owned(),
            sex: "f",
            age_band: AgeBand::of_age(30),
        };
        let mut expected = Tally::new();
        let mut counts = Counts::new();
        let agreement = counts.texts.number("a-1");
        let nationality = counts.texts.number("VEN");
        let person = Person {
            nationality,
            sex: "f",
            age_band: AgeBand::of_age(30),
        };
        for _ in 0..3 {
            expected.count("a-1", month, proposed, None, Some(&attributes));
            counts.count(agreement, month, position("proposed"), None, Some(person));
        }
        for detail in ["x", "y", "x"] {
            expected.count("a-1", month, refusal, Some(detail), Some(&attributes));
            counts.count(
                agreement,
                month,
                position("safeguard_refusal"),
                Some(detail),
                Some(person),
            );
        }
        assert_eq!(counts.into_tally(), expected);
    }

    #[test]
    fn fx_hashes_differ_for_different_words_and_tails() {
        let hash = |bytes: &[u8]| {
            let mut hasher = FxHasher::default();
            hasher.write(bytes);
            hasher.finish()
        };
        assert_ne!(hash(b"abcdefgh1"), hash(b"abcdefgh2"));
        assert_ne!(hash(b"abc"), hash(b"abd"));
        assert_eq!(hash(b"same text"), hash(b"same text"));
    }
}
