//! The crate's dependency list is its boundary: no I/O, no clock, no randomness can creep in
//! through a new dependency without this test failing.

// Only hashing, signatures (Ed25519, ML-DSA), base64 and error derivation are allowed as
// dependencies.
#[test]
fn dependencies_are_the_sans_io_short_list() {
    let manifest = include_str!("../../Cargo.toml");
    let mut in_dependencies = false;
    let mut dependencies = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['.', '=', ' ']).next().unwrap();
            dependencies.push(name.to_owned());
        }
    }
    dependencies.sort();
    assert_eq!(
        dependencies,
        ["base64", "ed25519-dalek", "ml-dsa", "sha2", "thiserror"],
        "corridor-log must stay sans-I/O: think twice before adding a dependency"
    );
}
