"""leverage: strategic deals between unequal states, from Python.

The engines of the ``leverage`` workbench (cases, the subsidy ledger, the tax maneuver,
negotiation forecasts, the crisis game, scenario ensembles, sensitivity, scores) with their
results as pandas DataFrames in long format. The numbers are the ones the ``leverage`` command
prints: both call the same library functions, and ``Run.json`` is, byte for byte, what
``leverage simulate --output json`` prints for the same case, draws and seed.

>>> import leverage
>>> leverage.simulate(draws=10000, seed=1).head()   # doctest: +SKIP

Long runs release the GIL. A :class:`Case` pickles, so it can be sent to the workers of a
distributed engine (``docs/distributed.md`` spreads an ensemble and a Sobol design over Dask).
"""

from __future__ import annotations

import json as _json
import os as _os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as _pd

from . import _native
from ._native import Case

__version__ = _native.__version__

__all__ = [
    "Case",
    "CaseError",
    "Run",
    "load_case",
    "default_case",
    "simulate",
    "run",
    "draws",
    "sensitivity",
    "shard",
    "merge",
    "sobol_rows",
    "sobol_from_rows",
    "ledger",
    "maneuver",
    "forecast",
    "game",
    "score",
]

CaseLike = Union[None, str, "os.PathLike[str]", Case]


class CaseError(ValueError):
    """A case that does not validate.

    ``diagnostics`` lists every problem found (dicts with ``severity``, ``code``, ``message``,
    ``file``, ``line``, ``column``, ``label``, ``expected``, ``hint``); ``file``, ``line``,
    ``column``, ``code`` and ``hint`` are those of the first error.
    """

    def __init__(self, message: str, diagnostics: List[Dict[str, Any]]):
        super().__init__(message)
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.get("severity") == "error"] or diagnostics or [{}]
        first = errors[0]
        self.file: Optional[str] = first.get("file")
        self.line: Optional[int] = first.get("line")
        self.column: Optional[int] = first.get("column")
        self.code: Optional[str] = first.get("code")
        self.hint: Optional[str] = first.get("hint")


def _native_case(call, *args):
    try:
        return call(*args)
    except _native.NativeCaseError as e:
        message, diagnostics = e.args
        raise CaseError(message, _json.loads(diagnostics)) from None


def load_case(path: Union[str, "os.PathLike[str]", None] = None, *, text: Optional[str] = None) -> Case:
    """Read and validate a case file (its CSV data files are read from beside it).

    With neither ``path`` nor ``text``, the default case compiled into the package. ``text``
    reads a case from a string (data files relative to the working folder). A case with errors
    raises :class:`CaseError` carrying each problem's file, line, column and hint.
    """
    p = None if path is None else _os.fspath(path)
    return _native_case(_native.load_case, p, text)


_DEFAULT: Optional[Case] = None


def default_case() -> Case:
    """The default case (the Belarus–Russia strategic deal as known on 30 November 2019)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_case()
    return _DEFAULT


def _case(case: CaseLike) -> Case:
    if case is None:
        return default_case()
    if isinstance(case, Case):
        return case
    return load_case(case)


def _draw_frame(cols: Dict[str, Any]) -> _pd.DataFrame:
    """Long format: one row per draw and variable (the sampled inputs, then the final values)."""
    n = len(cols["draw"])
    frames = []
    for kind, names, values in (
        ("input", cols["inputs"], cols["input_values"]),
        ("output", cols["outputs"], cols["output_values"]),
    ):
        k = len(names)
        if n == 0 or k == 0:
            continue
        frames.append(
            _pd.DataFrame(
                {
                    "draw": [d for d in cols["draw"] for _ in range(k)],
                    "scenario": [s for s in cols["scenario"] for _ in range(k)],
                    "kind": kind,
                    "variable": list(names) * n,
                    "value": values,
                }
            )
        )
    if not frames:
        return _pd.DataFrame(columns=["draw", "scenario", "kind", "variable", "value"])
    out = _pd.concat(frames, ignore_index=True)
    return out.sort_values(["draw", "kind"], kind="stable").reset_index(drop=True)


class Run:
    """An ensemble run: the bundle every front end renders.

    ``json`` is exactly what ``leverage simulate --output json`` prints (without the final
    newline); ``bundle`` is the encoded bundle the run store keeps; ``data`` is ``json`` parsed.
    The properties give its tables as DataFrames in long format.
    """

    def __init__(self, json: str, bundle: bytes, draws: Optional[Dict[str, Any]] = None):
        self.json = json
        self.bundle = bundle
        self.data = _json.loads(json)
        self._draws = draws

    @property
    def ensemble(self) -> Dict[str, Any]:
        return self.data["ensemble"]

    @property
    def probabilities(self) -> _pd.DataFrame:
        """Each scenario's probability by year with its Wilson 95 % interval:
        ``case, year, scenario, probability, lo, hi, count, draws``."""
        e = self.ensemble
        rows = [
            (self.data["case"], year, name, p["p"], p["lo"], p["hi"], p["count"], e["draws"])
            for year, row in zip(e["years"], e["probabilities"])
            for name, p in zip(e["scenarios"], row)
        ]
        return _pd.DataFrame(
            rows, columns=["case", "year", "scenario", "probability", "lo", "hi", "count", "draws"]
        )

    @property
    def fans(self) -> _pd.DataFrame:
        """Fan-chart quantiles by variable and year: ``variable, year, p05, p25, p50, p75, p95, mean``."""
        e = self.ensemble
        rows = [
            (v["name"], year, b["p05"], b["p25"], b["p50"], b["p75"], b["p95"], b["mean"])
            for v, fan in zip(e["fan_variables"], e["fans"])
            for year, b in zip(e["years"], fan)
        ]
        return _pd.DataFrame(rows, columns=["variable", "year", "p05", "p25", "p50", "p75", "p95", "mean"])

    @property
    def sequences(self) -> _pd.DataFrame:
        """The most frequent sequences of yearly scenarios: ``rank, sequence, count, probability, lo, hi``."""
        rows = [
            (k + 1, " → ".join(s["scenarios"]), s["count"], s["p"]["p"], s["p"]["lo"], s["p"]["hi"])
            for k, s in enumerate(self.ensemble["sequences"])
        ]
        return _pd.DataFrame(rows, columns=["rank", "sequence", "count", "probability", "lo", "hi"])

    @property
    def draws(self) -> Optional[_pd.DataFrame]:
        """Each draw's sampled inputs and final values in long format
        (``draw, scenario, kind, variable, value``), when the run kept them."""
        return None if self._draws is None else _draw_frame(self._draws)

    def __repr__(self) -> str:
        e = self.ensemble
        return f"<leverage.Run {self.data['case']}: {e['draws']} draws, seed {e['seed']}>"


def run(
    case: CaseLike = None,
    draws: int = 10_000,
    seed: int = 42,
    threads: Optional[int] = None,
) -> Run:
    """Run the case's ensemble (``leverage simulate -n DRAWS --seed SEED``) and return the :class:`Run`."""
    text, bundle = _native.simulate(_case(case), draws, seed, threads)
    return Run(text, bundle)


def simulate(
    case: CaseLike = None,
    draws: int = 10_000,
    seed: int = 42,
    threads: Optional[int] = None,
) -> _pd.DataFrame:
    """Scenario probabilities by year (long format), as ``leverage simulate -n DRAWS --seed SEED``
    computes them: ``case, year, scenario, probability, lo, hi, count, draws``."""
    return run(case, draws, seed, threads).probabilities


def draws(
    case: CaseLike = None,
    draws: int = 1_000,
    seed: int = 42,
    start: int = 0,
    end: Optional[int] = None,
    threads: Optional[int] = None,
) -> _pd.DataFrame:
    """Draws ``start`` to ``end`` (default: all ``draws``) of the ensemble with ``seed``, each with
    its sampled inputs and its final values, in long format: ``draw, scenario, kind
    ('input' or 'output'), variable, value``. The same draws as in :func:`run` with this seed."""
    end = draws if end is None else end
    return _draw_frame(_native.draw_table(_case(case), seed, start, end, threads))


def sensitivity(
    case: CaseLike = None,
    draws: int = 10_000,
    seed: int = 42,
    tornado_draws: int = 2_000,
    sobol_rows: int = 1_024,
    bootstrap: int = 200,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """The tornado and the Sobol indices (``leverage simulate --sensitivity``).

    Returns ``{"run": Run, "tornado": DataFrame(scenario, input, low, high, p_low, p_high, swing),
    "sobol": DataFrame(output, input, first, first_lo, first_hi, total, total_lo, total_hi),
    "inert": [inputs]}``.
    """
    text, bundle = _native.simulate(
        _case(case), draws, seed, threads, tornado_draws, sobol_rows, bootstrap
    )
    r = Run(text, bundle)
    return {
        "run": r,
        "tornado": _tornado_frame(r.data.get("tornado") or []),
        "sobol": _sobol_frame(r.data.get("sobol")),
        "inert": list(r.data.get("inert") or []),
    }


def _tornado_frame(t: List[Dict[str, Any]]) -> _pd.DataFrame:
    rows = []
    for sc in t:
        for bar in sc["tornado"]["bars"]:
            rows.append(
                (
                    sc["scenario"],
                    bar["name"],
                    bar["low_value"],
                    bar["high_value"],
                    bar["output_low"],
                    bar["output_high"],
                    bar["swing"],
                )
            )
    return _pd.DataFrame(rows, columns=["scenario", "input", "low", "high", "p_low", "p_high", "swing"])


def _sobol_frame(s: Optional[Dict[str, Any]]) -> _pd.DataFrame:
    cols = ["output", "input", "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"]
    if not s:
        return _pd.DataFrame(columns=cols)
    rows = []
    for name, out in zip(s["outputs"], s["result"]["outputs"]):
        for inp, f, t in zip(s["inputs"], out["first"], out["total"]):
            fci = f.get("ci95") or (None, None)
            tci = t.get("ci95") or (None, None)
            rows.append((name, inp, f["value"], fci[0], fci[1], t["value"], tci[0], tci[1]))
    return _pd.DataFrame(rows, columns=cols)


def shard(
    case: CaseLike = None,
    draws: int = 10_000,
    seed: int = 42,
    index: int = 1,
    count: int = 1,
    threads: Optional[int] = None,
    keep_draws: bool = True,
) -> bytes:
    """Shard ``index`` of ``count`` (1-based) of the ensemble: its draws' aggregates and
    summaries, encoded (``leverage simulate --shard INDEX/COUNT`` computes the same draws).
    :func:`merge` combines the shards into the single-machine run, byte for byte."""
    return _native.shard(_case(case), draws, seed, index, count, threads, keep_draws)


def merge(shards: Iterable[bytes], case: CaseLike = None) -> Run:
    """Merge the shards of one run of ``case`` (given in any order) into its :class:`Run`:
    ``json`` and ``bundle`` equal those of :func:`run` with the same draws and seed; ``draws``
    holds every kept draw."""
    text, bundle, cols = _native.merge(_case(case), [bytes(s) for s in shards])
    return Run(text, bundle, cols)


def sobol_rows(case: CaseLike, seed: int, rows: int, start: int, end: int) -> List[List[float]]:
    """Evaluate rows ``start`` to ``end`` of the Sobol design of ``rows`` rows (each row depends
    on its index and the seed alone: a design can be split over workers)."""
    return _native.sobol_rows(_case(case), seed, rows, start, end)


def sobol_from_rows(
    case: CaseLike, seed: int, rows: Sequence[Sequence[float]], bootstrap: int = 200
) -> Tuple[_pd.DataFrame, List[str]]:
    """The Sobol indices (as :func:`sensitivity` gives them with ``sobol_rows=len(rows)``) from
    every row of the design, in row order; and the inert inputs."""
    text, inert = _native.sobol_from_rows(_case(case), seed, bootstrap, [list(r) for r in rows])
    return _sobol_frame(_json.loads(text)), list(inert)


def ledger(
    case: CaseLike = None, from_year: Optional[int] = None, to_year: Optional[int] = None
) -> _pd.DataFrame:
    """The subsidy ledger (``leverage subsidy``) in long format: ``year, component, usd_bn,
    missing, gdp_usd_bn``; components the case lacks are left out."""
    d = _json.loads(_native.ledger(_case(case), from_year, to_year))
    rows = []
    for r in d["ledger"]["rows"]:
        for comp, cell in zip(d["components"], r["cells"]):
            if cell["usd_bn"] is None and cell["missing"] is None:
                continue
            rows.append((r["year"], comp, cell["usd_bn"], cell["missing"], r["gdp_usd_bn"]))
    return _pd.DataFrame(rows, columns=["year", "component", "usd_bn", "missing", "gdp_usd_bn"])


def maneuver(
    case: CaseLike = None, oil_price: Optional[float] = None, volume: Optional[float] = None
) -> _pd.DataFrame:
    """The tax maneuver's path (``leverage maneuver --oil-price P --volume V``), one row a year."""
    d = _json.loads(_native.maneuver(_case(case), oil_price, volume))
    return _pd.DataFrame(d["years"])


def forecast(case: CaseLike = None, model: str = "eu", issue: Optional[str] = None) -> _pd.DataFrame:
    """Each issue's forecast by ``model`` (eu, smp, compromise, median, nbs), round by round, in
    long format: ``issue, model, round, actor, position, outcome``."""
    rows = []
    for f in _json.loads(_native.forecast(_case(case), model, issue)):
        fc = f["forecast"]
        for k, rnd in enumerate(fc["rounds"]):
            for actor, pos in zip(f["actors"], rnd["positions"]):
                rows.append((f["issue"], f["model"], k, actor, pos, fc["outcome"]))
    return _pd.DataFrame(rows, columns=["issue", "model", "round", "actor", "position", "outcome"])


def game(case: CaseLike = None, solver: str = "spe", lam: Optional[float] = None) -> _pd.DataFrame:
    """The case's integration ultimatum solved by ``spe`` or ``qre`` (``leverage game``): each
    outcome reached with its probability and the players' payoffs."""
    return _pd.DataFrame(_json.loads(_native.game(_case(case), solver, lam)))


def score(
    case: CaseLike,
    outcomes: Union[str, "os.PathLike[str]"],
    draws: int = 10_000,
    seed: int = 42,
    threads: Optional[int] = None,
) -> Dict[str, Any]:
    """The ensemble scored against an outcomes file (``leverage score --outcomes FILE``): Brier
    and log scores, calibration and issue errors, as a dict."""
    text = _native_case(_native.score, _case(case), _os.fspath(outcomes), draws, seed, threads)
    return _json.loads(text)
