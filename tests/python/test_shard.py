"""Sharded ensembles from Python and with the CLI's shard files."""

import pytest

import leverage


@pytest.mark.parametrize("n", [1, 3, 4, 7])
def test_merged_shards_equal_the_single_run(n):
    whole = leverage.run(draws=1000, seed=9)
    shards = [leverage.shard(draws=1000, seed=9, index=k, count=n, threads=1) for k in range(n, 0, -1)]
    merged = leverage.merge(shards)
    assert merged.json == whole.json
    assert merged.bundle == whole.bundle
    assert merged.draws.equals(leverage.draws(draws=1000, seed=9))


def test_the_cli_shard_files_merge_in_python(cli, tmp_path):
    for k in (1, 2):
        cli("simulate", "-n", "700", "--seed", "2", "--shard", f"{k}/2", "--out", str(tmp_path / f"s{k}"))
    merged = leverage.merge([(tmp_path / f"s{k}").read_bytes() for k in (2, 1)])
    assert merged.json + "\n" == cli("simulate", "-n", "700", "--seed", "2", "--output", "json", "--no-store")


def test_incomplete_or_foreign_shard_sets_are_refused():
    s = [leverage.shard(draws=100, seed=1, index=k, count=3) for k in (1, 2, 3)]
    with pytest.raises(ValueError, match="missing"):
        leverage.merge(s[:2])
    what_if = leverage.default_case().with_params([("sovereignty_cost_client", 12.0)])
    with pytest.raises(ValueError, match="another case"):
        leverage.merge(s, case=what_if)
    with pytest.raises(ValueError):
        leverage.merge([b"junk"])
