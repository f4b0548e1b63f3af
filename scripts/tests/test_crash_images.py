"""Power cuts, simulated: a share of scripts/crash_images.py's disk images in every CI run (the
full count, 2,000 images, is a script run; docs/reliability.md has its last result).

The script traces every write and sync of a search, a resume and an experiment
(WANN_TRACE_WRITES), builds the states a power cut may leave (all synced steps, plus none, all,
or a random subset of the others, some writes torn), and checks that each opens, keeps every
generation committed before the crash, and continues to the uninterrupted run's archive. Run
against commands that do not sync (WANN_NO_SYNC=1), it must find lost generations: the check
that this test can fail.
"""
import os
import signal
import subprocess
import time

from suite_helpers import ROOT

PY = str(ROOT / ".venv" / "bin" / "python")
SCRIPT = str(ROOT / "scripts" / "crash_images.py")


def run(wann, *args):
    return subprocess.run([PY, SCRIPT, "--wann", str(wann), *args], capture_output=True, text=True, timeout=900)


def test_every_crash_image_opens_keeps_what_was_committed_and_resumes(wann):
    seed = os.environ.get("WANN_CRASH_SEED", "2026")
    r = run(wann, "--images", "90", "--seed", seed)
    print("\n" + r.stdout.strip().splitlines()[-1])
    assert r.returncode == 0 and "90 checked, 0 failed" in r.stdout, r.stdout + r.stderr


def test_without_syncs_the_images_lose_committed_generations(wann):
    r = run(wann, "--images", "30", "--without-syncs")
    assert r.returncode == 1 and "finished generations kept" in r.stdout, r.stdout + r.stderr


def test_a_commit_interval_commits_less_and_gives_the_same_archive(wann, tmp_path):
    """WANN_COMMIT_EVERY=SECONDS (for disks with slow syncs): the first generation is committed
    (the archive takes its name), then at most once per interval, and at the end; the archive
    is the same, a kill keeps what was committed, and a bad value is one line."""
    run = ["search", "--seed", "3", "--generations", "6", "--population", "12", "--threads", "1", "--quiet"]
    subprocess.run([str(wann), *run, "--out", tmp_path / "every.h5"], check=True, capture_output=True)
    syncs = {}
    for name, env in (("every", {}), ("hour", {"WANN_COMMIT_EVERY": "3600"})):
        trace = tmp_path / f"{name}.trace"
        out = tmp_path / f"{name}-traced.h5"
        subprocess.run([str(wann), *run, "--out", out], check=True, capture_output=True,
                       env={**os.environ, **env, "WANN_TRACE_WRITES": str(trace)})
        syncs[name] = trace.read_bytes().count(b"S" + str(out).encode() + b"\0")
    assert syncs["hour"] <= 3 < syncs["every"], syncs
    compare = [PY, str(ROOT / "scripts" / "compare_archives.py")]
    subprocess.run([*compare, tmp_path / "hour-traced.h5", tmp_path / "every.h5"], check=True, capture_output=True)
    # Killed later: only what was committed (the first generation) is there.
    long = ["search", "--seed", "3", "--generations", "5000", "--population", "12", "--threads", "1", "--quiet"]
    path = tmp_path / "killed.h5"
    p = subprocess.Popen([str(wann), *long, "--out", path], env={**os.environ, "WANN_COMMIT_EVERY": "3600"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not path.exists() and p.poll() is None:
        time.sleep(0.01)
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL)
    p.wait()
    info = subprocess.run([str(wann), "inspect", "--json", path], check=True, capture_output=True, text=True)
    assert '"completeGenerations":1,' in info.stdout.replace(" ", ""), info.stdout
    bad = subprocess.run([str(wann), *run, "--out", tmp_path / "bad.h5"], capture_output=True, text=True,
                         env={**os.environ, "WANN_COMMIT_EVERY": "soon"})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "WANN_COMMIT_EVERY" in bad.stderr
