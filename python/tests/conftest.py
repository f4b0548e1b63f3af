"""Fixtures of the package tests: the small real archives in notebooks-data/ and the engine binary."""
from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def run_archive() -> pathlib.Path:
    return ROOT / "notebooks-data" / "swingup-short.h5"


@pytest.fixture(scope="session")
def experiment_archive() -> pathlib.Path:
    return ROOT / "notebooks-data" / "ablation-tiny.h5"


@pytest.fixture(scope="session")
def wann() -> pathlib.Path:
    """The engine (WANN_BIN, else the repository's release build), for agreement tests."""
    given = os.environ.get("WANN_BIN")
    path = pathlib.Path(given) if given else ROOT / ".build" / "release" / "wann"
    if not path.exists():
        if given:
            pytest.fail(f"WANN_BIN={given} does not exist")
        pytest.skip("no engine binary (swift build -c release, or set WANN_BIN) to compare against")
    return path
