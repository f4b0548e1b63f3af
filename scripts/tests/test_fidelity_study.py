"""scripts/fidelity_study.py: its rank test and its tables from a real experiment archive."""
import os
import subprocess
import sys

import pytest

import fidelity_study

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_mann_whitney_exact_and_symmetric():
    # Complete separation of 3 + 3: U = 0, one of C(6, 3) = 20 arrangements per tail.
    assert fidelity_study.mann_whitney([1, 2, 3], [4, 5, 6]) == pytest.approx(0.1)
    assert fidelity_study.mann_whitney([4, 5, 6], [1, 2, 3]) == pytest.approx(0.1)
    # Interleaved samples are far from significant.
    assert fidelity_study.mann_whitney([1, 3, 5, 7], [2, 4, 6, 8]) > 0.5


def test_tables_and_figure_from_an_experiment_archive(tmp_path):
    archive = os.path.join(ROOT, "notebooks-data", "ablation-tiny.h5")
    out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "fidelity_study.py"), archive, "--against", "baseline",
                          "--reference", "none", "--target", "0", "--threshold", "0", "--out", str(tmp_path), "--name", "tiny"],
                         check=True, capture_output=True, text=True).stdout
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| variant")]
    assert [r.split(" | ")[0].strip("| ") for r in rows] == ["baseline", "fixed07", "random", "noise025"]
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        assert cells[1] == "2" and cells[4] == "2"  # 2 seeds, both reach the target 0
    assert (tmp_path / "tiny.png").stat().st_size > 0 and (tmp_path / "tiny.pdf").stat().st_size > 0


def test_missing_archive_is_one_line_and_status_2(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "fidelity_study.py"), str(tmp_path / "none.h5")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "does not exist" in r.stderr
