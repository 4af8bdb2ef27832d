//! Files: reading cases (and the CSV files they refer to), writing outputs without losing anything.

use std::path::{Path, PathBuf};

use leverage_case::{DataFiles, Loaded, PartialDate, Problems};

use crate::args::Output;
use crate::{Failure, Result, diagnostics};

/// The largest input file `leverage` reads, in bytes (a case, its data files, a table, a game,
/// an outcomes or evidence file): 32 MiB, fifty times the largest realistic case (500 actors ×
/// 20 issues is 0.6 MB). A larger file, or a device that never ends, is refused before it is
/// read, so no input can exhaust memory through its size.
pub const MAX_INPUT_BYTES: u64 = 32 << 20;

/// Reads an input file whole, refusing one larger than [`MAX_INPUT_BYTES`] (and reading no more
/// than that from a pipe or device).
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let too_large = |n: u64| {
        std::io::Error::other(format!(
            "the file is {} MiB or more, and inputs are limited to {} MiB",
            n >> 20,
            MAX_INPUT_BYTES >> 20
        ))
    };
    let f = std::fs::File::open(path)?;
    if let Ok(m) = f.metadata()
        && m.len() > MAX_INPUT_BYTES
    {
        return Err(too_large(m.len()));
    }
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_input`] as UTF-8 text (an `InvalidData` error, with the byte offset, if it is not).
pub fn read_input_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_input(path)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Data files relative to a case file's folder.
struct FsFiles {
    base: PathBuf,
}

impl DataFiles for FsFiles {
    fn read(&self, path: &str) -> std::result::Result<(String, String), String> {
        let p = self.base.join(path);
        let bytes = read_input(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", p.display()))?;
        Ok((p.display().to_string(), text))
    }
}

/// Load a case (the embedded default when `path` is None); Ok(Err) when it has problems.
pub fn load_case_raw(path: Option<&Path>) -> Result<std::result::Result<Loaded, Problems>> {
    load_recorded(path).map(|(loaded, _)| loaded)
}

/// A data-file reader that remembers what it served: (requested path, name, text).
struct Recording<'a> {
    inner: &'a dyn DataFiles,
    seen: std::cell::RefCell<Vec<(String, String, String)>>,
}

impl DataFiles for Recording<'_> {
    fn read(&self, path: &str) -> std::result::Result<(String, String), String> {
        let r = self.inner.read(path)?;
        self.seen
            .borrow_mut()
            .push((path.to_string(), r.0.clone(), r.1.clone()));
        Ok(r)
    }
}

/// Load a case as [`load_case`] does, and return with it an archive of everything it was read
/// from (the case text and every data file, by the path the case asked for), as JSON, so a
/// stored run can be read again exactly as it was ([`load_archived_case`]).
pub fn load_case_archived(path: Option<&Path>) -> Result<(Loaded, serde_json::Value)> {
    let (loaded, archive) = load_recorded(path)?;
    Ok((loaded.map_err(problems_failure)?, archive))
}

/// Reads a case (the embedded default when `path` is None) with the engines' checks, and the
/// archive of everything it was read from.
fn load_recorded(
    path: Option<&Path>,
) -> Result<(std::result::Result<Loaded, Problems>, serde_json::Value)> {
    let (name, bytes, base): (String, Vec<u8>, Box<dyn DataFiles>) = match path {
        None => {
            let text = leverage_case::default_case_text()
                .ok_or_else(|| Failure::Internal("the default case was not compiled in".into()))?;
            (
                format!("<embedded>/{}", leverage_case::DEFAULT_CASE_PATH),
                text.as_bytes().to_vec(),
                Box::new(leverage_case::EmbeddedFiles {
                    base: "cases",
                    files: leverage_case::embedded_files(),
                }),
            )
        }
        Some(p) => {
            let bytes = read_input(p).map_err(|e| {
                Failure::User(format!(
                    "error: cannot read the case file {}: {e}\n  help: check the path, or leave out --case to use the default case",
                    p.display()
                ))
            })?;
            let dir = p
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            (
                p.display().to_string(),
                bytes,
                Box::new(FsFiles { base: dir }),
            )
        }
    };
    let rec = Recording {
        inner: base.as_ref(),
        seen: Default::default(),
    };
    let loaded = leverage_sim::links::load_bytes(&name, &bytes, &rec);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let files: Vec<serde_json::Value> = rec
        .seen
        .into_inner()
        .into_iter()
        .map(|(p, n, t)| serde_json::json!({"request": p, "name": n, "text": t}))
        .collect();
    let archive = serde_json::json!({"name": name, "text": text, "files": files});
    Ok((loaded, archive))
}

/// The case of an archive written by [`load_case_archived`].
pub fn load_archived_case(archive: &serde_json::Value) -> Result<Loaded> {
    let missing = || {
        Failure::User(
            "error: this run keeps no copy of its case (it was saved by an older version)\n  help: run the case again"
                .into(),
        )
    };
    leverage_sim::links::load_archive(archive)
        .ok_or_else(missing)?
        .map_err(problems_failure)
}

fn problems_failure(p: Problems) -> Failure {
    let mut msg = diagnostics::render(&p);
    msg.push_str(&format!(
        "error: the case has {} error(s); run `leverage case validate` on it for the full list\n",
        p.error_count()
    ));
    Failure::User(msg)
}

/// Load a case, turning problems into a user error with every diagnostic rendered.
pub fn load_case(path: Option<&Path>) -> Result<Loaded> {
    load_case_raw(path)?.map_err(|p| {
        let mut msg = diagnostics::render(&p);
        msg.push_str(&format!(
            "error: the case has {} error(s); run `leverage case validate` on it for the full list\n",
            p.error_count()
        ));
        Failure::User(msg)
    })
}

/// Write `text` to `out` (an existing file only with `force`), or print it.
pub fn write_or_print(out: Option<&Path>, force: bool, text: &str) -> Result<()> {
    match out {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(p) => {
            if p.exists() && !force {
                return Err(refuse_overwrite(p, "--out"));
            }
            write_atomic(p, text.as_bytes())
        }
    }
}

/// Write a file through a temporary file and a rename, so a crash never leaves half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Write every file of a report into `dir`.
pub fn write_report(dir: &Path, report: &leverage_report::Report, force: bool) -> Result<()> {
    check_report_dir(dir, force)?;
    if !force {
        if let Some((name, _)) = report.files.iter().find(|(n, _)| dir.join(n).exists()) {
            return Err(refuse_overwrite(&dir.join(name), "--out"));
        }
    }
    std::fs::create_dir_all(dir)?;
    for (name, content) in &report.files {
        write_atomic(&dir.join(name), content)?;
    }
    Ok(())
}

/// A report folder can be written: it is a folder (or missing), and empty unless `force`.
pub fn check_report_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::User(format!(
            "error: {} exists and is not a folder\n  help: choose another --out",
            dir.display()
        )));
    }
    if force || !dir.exists() {
        return Ok(());
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Failure::User(format!("error: cannot read {}: {e}", dir.display())))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let more = match names.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Err(Failure::User(format!(
        "error: {} is not empty (it holds {}{more}); nothing was written\n  help: a report goes into a new or empty folder, so that no file of yours is overwritten: choose another --out, or pass --force to write the report's files into this one (files of other names are left as they are)",
        dir.display(),
        names[0]
    )))
}

/// The `--output` of a command that prints a table or JSON only: csv is refused, not ignored.
pub fn table_or_json(command: &str, output: Option<Output>) -> Result<Output> {
    match output {
        Some(Output::Csv) => Err(csv_refused(command)),
        o => Ok(o.unwrap_or(Output::Table)),
    }
}

/// The error for `--output csv` given to a command that prints a table or JSON only.
pub fn csv_refused(command: &str) -> Failure {
    Failure::User(format!(
        "error: {command} prints a table or json, not csv\n  help: use --output table or --output json"
    ))
}

/// The error for an output file that exists and may not be overwritten without `--force`.
pub fn refuse_overwrite(path: &Path, option: &str) -> Failure {
    Failure::User(format!(
        "error: {} already exists; nothing was written\n  help: pass --force to overwrite it, or choose another {option}",
        path.display()
    ))
}

/// Today's date (UTC), from the system clock.
pub fn today() -> PartialDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    PartialDate {
        year: (y + i64::from(m <= 2)) as i32,
        month: Some(m as u8),
        day: Some(d as u8),
    }
}
