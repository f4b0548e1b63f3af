"""The docs' example: our swing-up champion and the original walker champion run from Python alone."""
from __future__ import annotations

import pathlib
import runpy

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "run_champions.py"


def test_champions_run_outside_the_engine(capsys):
    pytest.importorskip("gymnasium")
    module = runpy.run_path(str(EXAMPLE))
    module["main"](["--episodes", "2"])
    out = capsys.readouterr().out
    swing = [float(line.split("return ")[1].split()[0]) for line in out.splitlines() if "return" in line][:2]
    walk = [float(line.split("return ")[1].split()[0]) for line in out.splitlines() if "return" in line][2:]
    assert len(swing) == 2 and len(walk) == 2, out
    assert min(swing) > 100, out          # the short demo search's champion swings the pole up part of the time
    assert max(walk) > 150, out           # the original champion walks at weight -1.5 (docs/biped.md)
