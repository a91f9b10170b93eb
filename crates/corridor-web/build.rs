//! Lists the message catalogues: every `i18n/<lang>.toml` becomes one entry of `CATALOGUES`
//! (language tag, file text), so a third language is a file, not a code change.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR")?).join("i18n");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut languages: Vec<String> = fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .filter_map(|path| {
            path.file_stem()
                .and_then(|stem| stem.to_str())
                .map(str::to_owned)
        })
        .collect();
    languages.sort();
    let mut code = String::from(
        "/// Every shipped catalogue: (language tag, TOML text).\npub const CATALOGUES: &[(&str, &str)] = &[\n",
    );
    for language in &languages {
        let path = dir.join(format!("{language}.toml"));
        println!("cargo::rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({language:?}, include_str!({:?})),",
            path.display().to_string()
        )?;
    }
    code.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR")?).join("catalogues.rs"), code)?;
    Ok(())
}
