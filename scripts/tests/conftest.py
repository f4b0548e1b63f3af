"""Shared fixtures: the repository root, the release binary, and the reference folder (reference/)."""
import os
import pathlib

import pytest

from suite_helpers import ROOT


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def reference():
    d = pathlib.Path(os.environ.get("WANN_REFERENCE_DIR", ROOT / "reference"))
    if not d.is_dir():
        pytest.fail(f"reference data not found at {d}: it is part of the repository (reference/), or set WANN_REFERENCE_DIR")
    return d


@pytest.fixture(scope="session")
def wann():
    """Path of the wann binary scripts/test built (override with WANN_BIN)."""
    path = pathlib.Path(os.environ.get("WANN_BIN", ROOT / ".build" / "release" / "wann"))
    if not path.exists():
        pytest.fail(f"{path} does not exist: build it with `swift build -c release` (scripts/test does)")
    return path
