//! The README's quoted outputs come from the binary of the same commit: every `$ leverage …`
//! line of a `text` block that is followed by output is run, and each quoted output line must
//! appear, verbatim, in what the command prints (a quote may be an excerpt: `...` and `…` lines
//! stand for lines left out, a `…` inside a table row for columns left out).

use std::process::Output;

use assert_cmd::Command;

/// (command arguments, quoted output lines) for every quoted command with output.
fn quoted() -> Vec<(Vec<String>, Vec<String>)> {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let mut out = Vec::new();
    let mut in_text = false;
    let mut current: Option<(Vec<String>, Vec<String>)> = None;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_text = !in_text && line.trim() == "```text";
            if let Some(c) = current.take() {
                out.push(c);
            }
            continue;
        }
        if !in_text {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ leverage ") {
            if let Some(c) = current.take() {
                out.push(c);
            }
            let cmd = cmd.split(" #").next().unwrap_or(cmd).trim();
            let args = cmd.split_whitespace().map(str::to_string).collect();
            current = Some((args, Vec::new()));
        } else if let Some((_, lines)) = current.as_mut()
            && !matches!(line.trim(), "..." | "…" | "")
        {
            lines.push(line.to_string());
        }
    }
    out.into_iter().filter(|(_, l)| !l.is_empty()).collect()
}

/// Whether a printed line is the quoted one; a `…` inside a quoted line stands for columns left
/// out, so the pieces around it must appear in order.
fn matches(printed: &str, quoted: &str) -> bool {
    if !quoted.contains('…') {
        return printed.trim_end() == quoted.trim_end();
    }
    let mut rest = printed;
    for piece in quoted.split('…') {
        let piece = piece.trim_matches(|c: char| c == ' ' || c == '┆');
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

fn run(args: &[String], cwd: &std::path::Path) -> Output {
    Command::cargo_bin("leverage")
        .expect("binary")
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("LEVERAGE_STORE", cwd.join("runs.sqlite"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn every_quoted_output_is_what_the_binary_prints() {
    let quotes = quoted();
    assert!(quotes.len() >= 6, "{}", quotes.len());
    // Run where the README's relative paths resolve, but write nothing into the checkout.
    let dir = tempfile::tempdir().unwrap();
    let root = std::env::current_dir().unwrap();
    for sub in ["tests", "cases", "data"] {
        std::os::unix::fs::symlink(root.join(sub), dir.path().join(sub)).unwrap();
    }
    for (args, lines) in quotes {
        let o = run(&args, dir.path());
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        for l in &lines {
            assert!(
                printed.lines().any(|p| matches(p, l)),
                "README quotes `leverage {}` printing\n{l}\nbut it prints:\n{printed}",
                args.join(" ")
            );
        }
    }
}
