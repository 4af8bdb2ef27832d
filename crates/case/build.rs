//! Embeds the repository's `cases/*.toml` and `data/*.csv` so the binary carries its default case.
use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = String::from(
        "/// Files compiled in: (path from the repository root, text).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for dir in ["cases", "data"] {
        let d = root.join(dir);
        println!("cargo:rerun-if-changed={}", d.display());
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "csv")))
            .collect();
        names.sort();
        for p in names {
            println!("cargo:rerun-if-changed={}", p.display());
            let rel = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            let abs = p.canonicalize().unwrap();
            writeln!(
                out,
                "    ({rel:?}, include_str!({:?})),",
                abs.display().to_string()
            )
            .unwrap();
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
}
