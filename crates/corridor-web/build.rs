//! Lists the message catalogues: every directory `i18n/<lang>/` is one language, and each of its
//! `*.toml` files a part of that language's catalogue (one file per area of the interface, so
//! that areas can grow apart). Generates `CATALOGUES`: (language tag, [(file name, file text)]).
//! A third language is a directory of files, not a code change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn entries(dir: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    Ok(paths)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR")?).join("i18n");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut code = String::from(
        "/// Every shipped catalogue: (language tag, its files as (file name, TOML text)).\n\
         pub const CATALOGUES: &[(&str, &[(&str, &str)])] = &[\n",
    );
    for language in entries(&dir)?.into_iter().filter(|path| path.is_dir()) {
        let Some(tag) = language.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        println!("cargo::rerun-if-changed={}", language.display());
        writeln!(code, "    ({tag:?}, &[")?;
        for file in entries(&language)?
            .into_iter()
            .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
        {
            println!("cargo::rerun-if-changed={}", file.display());
            let name = file
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            writeln!(
                code,
                "        ({name:?}, include_str!({:?})),",
                file.display().to_string()
            )?;
        }
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR")?).join("catalogues.rs"), code)?;
    Ok(())
}
