"""Cases from Python: loading, located validation errors, what-ifs, pickling."""

import pickle

import pytest

import leverage


def test_the_default_case_loads():
    c = leverage.default_case()
    assert c.id == "belarus-russia-2019"
    assert "Belarus" in c.title
    assert leverage.load_case().id == c.id


def test_a_case_file_with_data_files_loads(root):
    c = leverage.load_case(root / "cases" / "armenia-russia-2013.toml")
    assert c.id == "armenia-russia-2013"


def test_a_broken_case_raises_with_file_line_column_and_hint(root, cli):
    path = root / "tests/cases/broken/16-unknown-actor-in-position.toml"
    with pytest.raises(leverage.CaseError) as e:
        leverage.load_case(path)
    err = e.value
    assert err.file.endswith("16-unknown-actor-in-position.toml")
    assert (err.line, err.column) == (29, 13)
    assert err.code == "case::unknown-actor"
    assert "belarus" in err.hint
    assert f"{err.file}:29:13" in str(err)
    # The same diagnostics as `leverage case validate --output json`.
    want = cli("case", "validate", str(path), "--output", "json", parse=True, code=1)
    assert err.diagnostics == want[0]["diagnostics"]


def test_a_case_from_text_reports_errors_in_it():
    with pytest.raises(leverage.CaseError) as e:
        leverage.load_case(text="[case]\nid = 3\n")
    assert e.value.file == "<string>"
    assert e.value.line >= 1


def test_a_missing_file_is_an_os_error():
    with pytest.raises(FileNotFoundError):
        leverage.load_case("no/such/case.toml")


def test_what_if_values_are_checked_and_change_the_run():
    c = leverage.default_case()
    pid = "sovereignty_cost_client"
    w = c.with_params([(pid, 20.0)])
    assert w.overrides == [(pid, 20.0)]
    assert c.overrides == []
    with pytest.raises(KeyError, match="did you mean"):
        c.with_params([("sovereignty_cost_clien", 1.0)])
    with pytest.raises(ValueError):
        c.with_params([(pid, float("nan"))])
    a = leverage.simulate(c, draws=500, seed=2)
    b = leverage.simulate(w, draws=500, seed=2)
    assert not a["probability"].equals(b["probability"])


def test_cases_pickle_with_their_what_ifs(root):
    c = leverage.load_case(root / "cases" / "armenia-russia-2013.toml")
    d = pickle.loads(pickle.dumps(c))
    assert d.id == c.id and d.to_json() == c.to_json()
    w = leverage.default_case().with_params([("sovereignty_cost_client", 12.0)])
    w2 = pickle.loads(pickle.dumps(w))
    assert w2.overrides == w.overrides and w2.to_json() == w.to_json()
