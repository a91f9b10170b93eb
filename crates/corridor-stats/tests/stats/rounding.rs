//! Keyed random rounding: deterministic per key and cell, unbiased in direction, within the base.

use corridor_stats::table::CellDefinition;

use super::protection;

/// A definition differing only in its period, `index`.
fn definition(index: usize) -> CellDefinition {
    CellDefinition::new(
        "ag-1",
        &format!("period-{index}"),
        "departed",
        [("sex".to_owned(), "f".to_owned())],
    )
    .expect("a definition")
}

/// The same key and cell round the same way every time, another key differently somewhere, and
/// the order of the breakdown does not change a cell.
#[test]
fn rounding_is_fixed_by_the_key_and_the_cell() {
    let first = protection(5, 5);
    let again = protection(5, 5);
    let other = corridor_stats::rounding::Protection::new(b"another key").expect("a key");
    let mut differs = false;
    for index in 0..200 {
        let cell = definition(index);
        for count in [1, 12, 38] {
            assert_eq!(first.round(&cell, count), again.round(&cell, count));
            assert_eq!(first.round(&cell, count), first.round(&cell.clone(), count));
        }
        differs |= first.round(&cell, 12) != other.round(&cell, 12);
    }
    assert!(differs, "another key rounds some cell the other way");
    let pair = |key: &str, value: &str| (key.to_owned(), value.to_owned());
    let one = CellDefinition::new("ag-1", "2026", "m", [pair("sex", "f"), pair("age", "0-17")]);
    let two = CellDefinition::new("ag-1", "2026", "m", [pair("age", "0-17"), pair("sex", "f")]);
    assert_eq!(one, two);
}

/// Over many cells a remainder `r` rounds up in about `r / base` of them, so the published sum
/// is close to the true sum.
#[test]
fn rounding_up_is_as_likely_as_the_remainder_says() {
    let settings = protection(5, 5);
    let cells = 10_000;
    for remainder in 1..5_u64 {
        let count = 20 + remainder;
        let up = (0..cells)
            .filter(|index| settings.round(&definition(*index), count) == 25)
            .count() as f64;
        let expected = cells as f64 * remainder as f64 / 5.0;
        // Five standard deviations of a binomial count: the draw is a fixed hash, so this either
        // always holds for these cells or never does.
        let spread = 5.0 * (expected * (1.0 - remainder as f64 / 5.0)).sqrt();
        assert!(
            (up - expected).abs() < spread,
            "remainder {remainder}: {up} up, {expected} expected"
        );
    }
}

/// Every rounded count is a multiple of the base within `base - 1` of the truth; multiples and
/// zero stay as they are; base 1 is no rounding.
#[test]
fn rounding_stays_within_the_base() {
    for base in [1, 3, 5, 10] {
        let settings = protection(5, base);
        for count in 0..300 {
            let cell = definition(count as usize);
            let published = settings.round(&cell, count);
            assert_eq!(published % base, 0, "base {base}, count {count}");
            assert!(
                published.abs_diff(count) < base,
                "base {base}, count {count}"
            );
            if count % base == 0 {
                assert_eq!(published, count);
            }
        }
    }
}
