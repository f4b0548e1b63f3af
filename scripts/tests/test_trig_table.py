"""scripts/make_trig_table.py: the lane sin and cos table in the repository is what it prints."""
import math
import subprocess
import sys

from suite_helpers import ROOT

TABLE = ROOT / "Sources" / "CSwingUpLanes" / "lane_trig_table.h"


def test_the_committed_table_is_the_scripts_output():
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_trig_table.py")], capture_output=True, text=True, check=True
    ).stdout
    assert printed == TABLE.read_text()


def test_every_entry_is_sin_and_cos_of_j_over_64_to_the_last_bit():
    rows = [line.strip().strip("{},").split(", ") for line in TABLE.read_text().splitlines() if line.startswith("  {")]
    assert len(rows) == 128
    for j, row in enumerate(rows):
        sin_hi, sin_lo, cos_hi, cos_lo = (float.fromhex(v) for v in row)
        # hi is the double nearest the value (the C library agrees within its half-ulp-plus error)
        assert abs(sin_hi - math.sin(j / 64)) <= math.ulp(sin_hi) if j else sin_hi == 0
        assert abs(cos_hi - math.cos(j / 64)) <= math.ulp(cos_hi)
        # lo is a correction below half an ulp of hi
        assert abs(sin_lo) <= math.ulp(sin_hi) / 2 and abs(cos_lo) <= math.ulp(cos_hi) / 2
