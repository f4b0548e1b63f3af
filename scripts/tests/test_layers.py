"""scripts/check_layers: the module graph of docs/architecture.md, Swift imports and C includes."""
import shutil
import subprocess
import sys

from suite_helpers import ROOT

CHECK = [sys.executable, str(ROOT / "scripts" / "check_layers")]


def check(root):
    return subprocess.run([*CHECK, str(root)], capture_output=True, text=True)


def test_the_repository_keeps_its_layers():
    r = check(ROOT)
    assert r.returncode == 0, r.stdout


def test_a_c_include_out_of_its_target_or_of_an_undeclared_dependency_is_named(tmp_path):
    shutil.copytree(ROOT / "Sources", tmp_path / "Sources")
    header = tmp_path / "Sources" / "CSwingUpLanes" / "include" / "swingup_lanes.h"
    header.write_text(header.read_text() + '#include "../../CLanes/include/lanes.h"\n#include "walker.h"\n')
    swift = tmp_path / "Sources" / "WANNCore" / "Activation.swift"
    swift.write_text("import WANNArchive\n" + swift.read_text())
    r = check(tmp_path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert any("swingup_lanes.h" in line and "by a path out of the target" in line for line in lines)
    assert any("walker.h of CBox2DWalker, not a dependency it may have" in line for line in lines)
    assert any("Activation.swift:1: WANNCore must not import WANNArchive" in line for line in lines)
    assert lines[-1].startswith("layer check: 3 violation(s) in ")
