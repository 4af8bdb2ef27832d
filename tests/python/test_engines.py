"""The engines from Python against the CLI's JSON output (round trips), and the long formats."""

import json

import pytest

import leverage


def test_simulate_equals_the_cli_json_byte_for_byte(cli):
    out = cli("simulate", "-n", "2000", "--seed", "3", "--output", "json", "--no-store")
    r = leverage.run(draws=2000, seed=3, threads=1)
    assert r.json + "\n" == out
    df = leverage.simulate(draws=2000, seed=3)
    e = json.loads(out)["ensemble"]
    assert len(df) == len(e["years"]) * len(e["scenarios"])
    first = e["probabilities"][0][0]
    row = df.iloc[0]
    assert (row["year"], row["scenario"]) == (e["years"][0], e["scenarios"][0])
    assert (row["probability"], row["lo"], row["hi"], row["count"]) == (
        first["p"], first["lo"], first["hi"], first["count"])


def test_the_acceptance_line_gives_the_cli_numbers(cli):
    df = leverage.simulate(draws=10000, seed=1)
    e = cli("simulate", "-n", "10000", "--seed", "1", "--output", "json", "--no-store", parse=True)["ensemble"]
    want = [p["p"] for row in e["probabilities"] for p in row]
    assert df["probability"].tolist() == want


def test_draws_carry_their_sampled_inputs_in_long_format():
    d = leverage.draws(draws=300, seed=5)
    assert list(d.columns) == ["draw", "scenario", "kind", "variable", "value"]
    assert set(d["kind"]) == {"input", "output"}
    inputs = d[d["kind"] == "input"]
    assert inputs["draw"].nunique() == 300
    # A sampled input varies across draws; a slice of the draws is the same draws.
    per = inputs.pivot(index="draw", columns="variable", values="value")
    assert (per.std() > 0).any()
    part = leverage.draws(draws=300, seed=5, start=100, end=150)
    assert part.reset_index(drop=True).equals(
        d[(d["draw"] >= 100) & (d["draw"] < 150)].reset_index(drop=True))


def test_maneuver_equals_the_cli(cli):
    want = cli("maneuver", "--oil-price", "70", "--volume", "24", "--output", "json", parse=True)
    df = leverage.maneuver(oil_price=70, volume=24)
    assert df.to_dict("records") == want["years"]
    assert df["loss_usd_bn"].sum() == pytest.approx(want["cumulative_usd_bn"])


def test_forecast_equals_the_cli(cli):
    want = cli("forecast", "--issue", "gas_price", "--model", "compromise", "--output", "json", parse=True)[0]
    df = leverage.forecast(model="compromise", issue="gas_price")
    m = want["models"][0]
    assert df["outcome"].iloc[0] == m["outcome"]
    assert df[df["round"] == 0]["position"].tolist() == m["rounds"][0]["positions"]
    assert df[df["round"] == 0]["actor"].tolist() == want["actors"]
    with pytest.raises(ValueError, match="no model"):
        leverage.forecast(model="oracle")
    with pytest.raises(KeyError):
        leverage.forecast(issue="no_such_issue")


def test_game_equals_the_cli(cli):
    for solver, extra in (("spe", []), ("qre", ["--lambda", "1"])):
        want = cli("game", "--solver", solver, *extra, "--output", "json", parse=True)
        df = leverage.game(solver=solver, lam=1.0 if solver == "qre" else None)
        got = {r["outcome"]: r["probability"] for r in df.to_dict("records")}
        assert got == {o["outcome"]: o["probability"] for o in want["outcomes"]}


def test_ledger_has_the_cases_components():
    df = leverage.ledger()
    assert {"gas", "crude"} <= set(df["component"])
    assert df["year"].is_monotonic_increasing


def test_sensitivity_gives_tornado_and_sobol_frames():
    s = leverage.sensitivity(draws=200, seed=4, tornado_draws=100, sobol_rows=16, bootstrap=10)
    assert len(s["tornado"]) > 0 and len(s["sobol"]) > 0
    assert set(s["sobol"]["output"]) >= {"subsidy_gdp"}
    assert s["run"].data["sobol"] is not None


def test_score_against_an_outcomes_file(root):
    case = root / "cases" / "armenia-russia-2013.toml"
    outcomes = root / "cases" / "armenia-russia-2013.outcomes.toml"
    if not outcomes.exists():
        pytest.fail(f"{outcomes} is missing")
    s = leverage.score(case, outcomes, draws=300, seed=1)
    assert "brier" in json.dumps(s)


def test_the_example_runs_and_plots(root, tmp_path):
    import subprocess
    import sys

    png = tmp_path / "what-if.png"
    r = subprocess.run(
        [sys.executable, str(root / "examples/python/what_if.py"), str(png)],
        capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "confrontation" in r.stdout
    pytest.importorskip("matplotlib")
    assert png.stat().st_size > 1000
