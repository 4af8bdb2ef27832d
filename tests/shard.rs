//! Sharded ensembles end to end (issue 16): `simulate --shard K/N` on separate processes and
//! `runs merge` give the run `simulate` makes on one machine with the same seed: the same
//! printed JSON, the same stored bundle bytes, the same stored draws.

use std::path::Path;
use std::process::Command;

fn leverage(args: &[&str], dir: &Path) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(args: &[&str], dir: &Path) -> String {
    let (good, out, err) = leverage(args, dir);
    assert!(good, "leverage {args:?} failed:\n{err}");
    out
}

/// The stored bundle and draws of run `id`.
fn stored(store: &Path, id: i64) -> (Vec<u8>, Vec<leverage_store::DrawSummary>) {
    let s = leverage_store::Store::open_read_only(store).unwrap();
    (
        s.bundle(id.into()).unwrap().expect("a bundle"),
        s.draws(id.into()).unwrap(),
    )
}

#[test]
fn merged_shards_equal_the_single_machine_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("runs.sqlite");
    let st = store.display().to_string();
    // 1000 draws: no shard count below divides it into whole 256-draw chunks, 3 and 7 not at all.
    let whole = ok(
        &[
            "simulate", "-n", "1000", "--seed", "11", "--store", &st, "--output", "json",
        ],
        d,
    );
    let (bundle, draws) = stored(&store, 1);
    assert_eq!(draws.len(), 1000);
    let mut id = 1;
    for n in [1u64, 2, 3, 7] {
        let mut files = Vec::new();
        for k in (1..=n).rev() {
            let f = format!("s{k}of{n}.shard");
            let threads = (1 + k % 3).to_string();
            let shard = format!("{k}/{n}");
            ok(
                &[
                    "simulate",
                    "-n",
                    "1000",
                    "--seed",
                    "11",
                    "--shard",
                    &shard,
                    "--threads",
                    &threads,
                    "--out",
                    &f,
                ],
                d,
            );
            files.push(f);
        }
        let mut args = vec!["runs", "merge", "--store", &st, "--output", "json"];
        args.extend(files.iter().map(String::as_str));
        let merged = ok(&args, d);
        id += 1;
        assert!(merged == whole, "{n} shards: the printed run differs");
        let (b, dr) = stored(&store, id);
        assert!(b == bundle, "{n} shards: the stored bundle differs");
        assert!(dr == draws, "{n} shards: the stored draws differ");
    }
    // The table and CSV outputs are the same as well.
    let csv = ok(
        &[
            "simulate",
            "-n",
            "1000",
            "--seed",
            "11",
            "--no-store",
            "--output",
            "csv",
        ],
        d,
    );
    let merged_csv = ok(
        &[
            "runs",
            "merge",
            "--no-store",
            "--output",
            "csv",
            "s1of2.shard",
            "s2of2.shard",
        ],
        d,
    );
    assert_eq!(csv, merged_csv);
}

#[test]
fn shard_sets_that_are_not_one_run_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (k, seed) in [("1/3", "1"), ("2/3", "1"), ("3/3", "2")] {
        let f = format!("s{}.shard", &k[..1]);
        ok(
            &[
                "simulate", "-n", "90", "--seed", seed, "--shard", k, "--out", &f,
            ],
            d,
        );
    }
    let fail = |args: &[&str], want: &str| {
        let (good, _, err) = leverage(args, d);
        assert!(!good, "{args:?} succeeded");
        assert!(err.contains(want), "{args:?}: expected {want:?} in\n{err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    fail(
        &["runs", "merge", "--no-store", "s1.shard", "s2.shard"],
        "shards missing: 3",
    );
    fail(
        &[
            "runs",
            "merge",
            "--no-store",
            "s1.shard",
            "s2.shard",
            "s3.shard",
        ],
        "not shards of one run",
    );
    fail(
        &["runs", "merge", "--no-store", "s1.shard", "s1.shard"],
        "given twice",
    );
    std::fs::write(d.join("junk.shard"), b"not a shard").unwrap();
    fail(
        &["runs", "merge", "--no-store", "junk.shard"],
        "junk.shard cannot be read as a shard",
    );
    // A shard cut short says so, not that it is of another version (nor a debug dump).
    let bytes = std::fs::read(d.join("s1.shard")).unwrap();
    std::fs::write(d.join("cut.shard"), &bytes[..bytes.len() / 2]).unwrap();
    fail(
        &["runs", "merge", "--no-store", "cut.shard"],
        "cut.shard cannot be read as a shard of this version (leverage-shard/1): it ends early",
    );
    let (_, _, err) = leverage(&["runs", "merge", "--no-store", "cut.shard"], d);
    assert!(!err.contains("Io(") && !err.contains("kind:"), "{err}");
    fail(
        &["runs", "merge", "--no-store", "absent.shard"],
        "cannot read the shard file absent.shard",
    );
    // A damaged shard: a byte flipped in the middle of its aggregates.
    let mut bytes = std::fs::read(d.join("s1.shard")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(d.join("bad.shard"), &bytes).unwrap();
    let (good, _, err) = leverage(&["runs", "merge", "--no-store", "bad.shard"], d);
    assert!(!good && !err.contains("panicked"), "{err}");
    fail(
        &["simulate", "-n", "2", "--shard", "1/3", "--out", "x.shard"],
        "some shards would run no draw",
    );
    fail(
        &[
            "simulate", "-n", "90", "--shard", "1/3", "--out", "s1.shard",
        ],
        "--force",
    );
    fail(
        &[
            "simulate",
            "--shard",
            "1/3",
            "--sensitivity",
            "--out",
            "y.shard",
        ],
        "cannot be used with",
    );
}
