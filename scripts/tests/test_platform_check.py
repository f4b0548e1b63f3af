"""scripts/check-platform (README, "Platforms"): what can be checked without building a root.

The root it builds holds bind mounts of this machine's folders (the Swift toolchain, package
mirrors, /proc). Deleting a root with `rm -rf` while one is still mounted deletes the real
folder behind it: a toolchain was lost that way once. `remove_root` (scripts/lib.sh) detaches
every mount below the root first and refuses to delete while one remains."""
import os
import shutil
import subprocess

import pytest

from suite_helpers import ROOT

LIB = ROOT / "scripts" / "lib.sh"


def mounts():
    with open("/proc/self/mounts") as f:
        return [line.split()[1] for line in f]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None, reason="bind mounts need root")
def test_removing_a_root_never_deletes_what_is_mounted_into_it(tmp_path):
    precious = tmp_path / "toolchain"
    (precious / "usr" / "bin").mkdir(parents=True)
    (precious / "usr" / "bin" / "swift").write_text("keep me")
    root = tmp_path / "root"
    targets = [root / "opt" / "swift", root / "deep" / "er" / "mirror"]
    for target in targets:
        target.mkdir(parents=True)
        made = subprocess.run(["mount", "--bind", precious, target], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"cannot bind-mount here: {made.stderr.strip()}")
    try:
        # A read-write bind mount, as a hand-made one would be: rm -rf alone would empty it.
        assert (targets[0] / "usr" / "bin" / "swift").read_text() == "keep me"
        subprocess.run(["bash", "-c", f'source "{LIB}"; remove_root "{root}"'], check=True, capture_output=True)
        assert not root.exists()
        assert (precious / "usr" / "bin" / "swift").read_text() == "keep me"
        assert not [m for m in mounts() if m.startswith(str(root))]
    finally:
        for target in targets:
            subprocess.run(["umount", "-l", target], capture_output=True)


def test_a_root_whose_mount_cannot_be_detached_is_not_deleted(tmp_path):
    """A stand-in umount that refuses: remove_root leaves everything and says so."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("bind mounts need root")
    precious = tmp_path / "mirror"
    precious.mkdir()
    (precious / "file").write_text("keep me")
    root = tmp_path / "root"
    target = root / "opt" / "mirror"
    target.mkdir(parents=True)
    if subprocess.run(["mount", "--bind", precious, target], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        script = f'source "{LIB}"; umount() {{ return 1; }}; remove_root "{root}"'
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
        assert result.returncode != 0 and "still mounted" in result.stderr
        assert (target / "file").read_text() == "keep me" and (precious / "file").read_text() == "keep me"
    finally:
        subprocess.run(["umount", "-l", target], capture_output=True)


@pytest.mark.parametrize("script, args, usage", [
    ("check-platform", [], "debian13|debian12|unstable"),
    ("check-platform", ["debian99"], "debian13|debian12|unstable"),
    ("check-platform", ["--help"], "debian13|debian12|unstable"),
    ("check-hdf5-library", [], "bookworm|trixie"),
    ("check-hdf5-library", ["jessie"], "bookworm|trixie"),
    ("check-hdf5-library", ["--help"], "bookworm|trixie"),
])
def test_an_unknown_platform_is_one_usage_line_and_status_2(script, args, usage):
    result = subprocess.run([ROOT / "scripts" / script, *args], capture_output=True, text=True)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"usage: scripts/{script} {usage}" in lines[0]
