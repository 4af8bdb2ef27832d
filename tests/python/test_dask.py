"""An ensemble and a Sobol design spread over a local Dask cluster of 4 worker processes
(docs/distributed.md): the merged results equal the single-process ones byte for byte."""

import distributed
import pandas as pd
import pytest

import leverage


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_four_workers_merge_to_the_single_process_run(client):
    case = leverage.default_case().with_params([("sovereignty_cost_client", 11.0)])
    draws, seed, n = 5000, 17, 4
    futures = [
        client.submit(leverage.shard, case, draws, seed, k, n, 1, pure=False)
        for k in range(1, n + 1)
    ]
    # The shards ran on several worker processes.
    distributed.wait(futures)
    workers = {w for f in futures for w in client.who_has(f)[f.key]}
    shards = client.gather(futures)
    assert len(workers) >= 2
    merged = leverage.merge(shards, case=case)
    whole = leverage.run(case, draws=draws, seed=seed)
    assert merged.json == whole.json
    assert merged.bundle == whole.bundle
    assert merged.draws.equals(leverage.draws(case, draws=draws, seed=seed))


def test_a_sobol_design_spread_over_the_workers(client):
    rows, seed, bootstrap = 64, 5, 20
    bounds = [(k * rows // 4, (k + 1) * rows // 4) for k in range(4)]
    futures = [
        client.submit(leverage.sobol_rows, None, seed, rows, lo, hi, pure=False) for lo, hi in bounds
    ]
    parts = client.gather(futures)
    evaluated = [row for part in parts for row in part]
    assert len(evaluated) == rows
    spread, inert = leverage.sobol_from_rows(None, seed, evaluated, bootstrap)
    single = leverage.sensitivity(
        draws=100, seed=seed, tornado_draws=0, sobol_rows=rows, bootstrap=bootstrap
    )
    pd.testing.assert_frame_equal(spread, single["sobol"], check_exact=True)
    assert inert == single["inert"]
