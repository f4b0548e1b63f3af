"""A write failure (full disk, quota, file-size limit) stops a search with one line that says the
write failed, exit status 2 and no crash; every generation finished before stays readable by
h5py and by wann; `wann resume` continues once space is there again and ends with the same
archive as an uninterrupted run. The same for analysis results (`wann profile`).

Two ways to fill the disk: a file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored, so writes past
the limit fail with EFBIG; works for any user), and a real 2 MB tmpfs (needs root to mount;
skipped otherwise, and CI runs as root)."""
import os
import resource
import signal
import shutil
import subprocess

import h5py
import pytest

from suite_helpers import ROOT

COMPARE = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "compare_archives.py")]
SEARCH = ["--seed", "7", "--generations", "60", "--population", "48", "--quiet"]


def limit_file_size(limit):
    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def check_stopped_cleanly(result, path, cause):
    """One line, exit 2, naming the archive, the cause in the system's words, and resume."""
    assert result.returncode == 2, result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, result.stderr
    assert "cannot write to archive" in lines[0] and str(path) in lines[0]
    assert "wann resume" in lines[0]
    assert cause in lines[0], lines[0]
    if cause != "the disk is full":
        assert "disk is full" not in lines[0]
    assert "crash" not in result.stderr.lower() and "backtrac" not in result.stderr.lower()


def finished_generations(path):
    with h5py.File(path, "r") as f:
        g = f["generations"]
        return sorted(int(k) for k in g if g[k].attrs.get("complete") == 1)


def test_search_stops_cleanly_when_the_file_cannot_grow_and_resumes(wann, tmp_path):
    ref = tmp_path / "ref.h5"
    subprocess.run([wann, "search", *SEARCH, "--out", ref], check=True, capture_output=True)
    path = tmp_path / "run.h5"
    result = subprocess.run([wann, "search", *SEARCH, "--out", path], capture_output=True, text=True,
                            preexec_fn=limit_file_size(400_000))
    check_stopped_cleanly(result, path, "largest size allowed")
    done = finished_generations(path)
    assert done and done == list(range(len(done))) and len(done) < 60
    # Every wann command still reads it.
    inspect = subprocess.run([wann, "inspect", path, "--json"], check=True, capture_output=True, text=True)
    assert f'"completeGenerations":{len(done)}' in inspect.stdout.replace(" ", "")
    subprocess.run([wann, "export", path, "--champion"], check=True, capture_output=True)
    subprocess.run([wann, "evaluate", "--genome", f"{path}#champion", "--trials", "2"], check=True, capture_output=True)
    # Space again: resume finishes the run, equal to the uninterrupted one.
    subprocess.run([wann, "resume", path, "--quiet"], check=True, capture_output=True)
    subprocess.run([*COMPARE, path, ref], check=True, capture_output=True)


def test_profile_stops_cleanly_and_keeps_what_was_stored(wann, tmp_path):
    path = tmp_path / "run.h5"
    subprocess.run([wann, "search", "--seed", "3", "--generations", "20", "--population", "32", "--quiet", "--out", path],
                   check=True, capture_output=True)
    size = os.path.getsize(path)
    result = subprocess.run([wann, "profile", path, "--every", "1", "--weights", "-2:2:41", "--trials", "60"],
                            capture_output=True, text=True, preexec_fn=limit_file_size(size + 60_000))
    check_stopped_cleanly(result, path, "largest size allowed")
    # The run and every profile stored before the failure read back.
    with h5py.File(path, "r") as f:
        stored = []
        f["analysis"].visititems(lambda name, obj: stored.append(name) if name.count("/") == 2 else None)
        for name in stored:
            assert f["analysis"][name].attrs["complete"] == 1
    assert stored
    again = subprocess.run([wann, "profile", path, "--every", "1", "--weights", "-2:2:41", "--trials", "60", "--json"],
                           check=True, capture_output=True, text=True)
    assert '"reused":true' in again.stdout


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a tmpfs needs root")
def test_search_on_a_full_tmpfs(wann, tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        path = mnt / "full.h5"
        result = subprocess.run([wann, "search", "--seed", "7", "--generations", "150", "--population", "48", "--quiet",
                                 "--out", path], capture_output=True, text=True)
        check_stopped_cleanly(result, path, "the disk is full")
        done = finished_generations(path)
        assert done == list(range(len(done))) and 0 < len(done) < 150
        copy = tmp_path / "copy.h5"
        shutil.copy(path, copy)
        subprocess.run([wann, "inspect", copy], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
        subprocess.run([wann, "resume", path, "--generations", str(len(done) + 3), "--quiet"], check=True, capture_output=True)
        assert finished_generations(path) == list(range(len(done) + 3))
    finally:
        subprocess.run(["umount", mnt], capture_output=True)
