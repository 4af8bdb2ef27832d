"""Shared fixtures of the Python package's tests: the `leverage` binary the round trips compare
against (LEVERAGE_BIN, else the debug or release build in the cargo target folder)."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _binary():
    env = os.environ.get("LEVERAGE_BIN")
    if env:
        return pathlib.Path(env)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("debug", "release"):
        p = target / profile / "leverage"
        if p.exists():
            return p
    raise RuntimeError(f"no leverage binary under {target}: build it (cargo build) or set LEVERAGE_BIN")


@pytest.fixture(scope="session")
def cli():
    """Runs the `leverage` binary, expecting exit code `code`; returns its stdout (JSON parsed
    when `parse`)."""
    exe = _binary()

    def run(*args, parse=False, cwd=None, code=0):
        r = subprocess.run(
            [str(exe), *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert r.returncode == code, f"leverage {' '.join(args)} exited {r.returncode}:\n{r.stderr}"
        return json.loads(r.stdout) if parse else r.stdout

    return run


@pytest.fixture(scope="session")
def root():
    return ROOT
