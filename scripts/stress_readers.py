#!/usr/bin/env python3
"""Readers against a running search: how many reads fail or crash, and what reading costs the
writer. A search at a small population (a commit every few milliseconds) writes an archive while
reader loops read it as fast as they can: half run `wann inspect --json`, half a Python process
that opens it with wann_h5 and reads `summary`, `champion` and `complexity` five times.

Usage: scripts/stress_readers.py [--wann .build/release/wann] [--seconds 60] [--readers 4]
                                 [--population 32] [--folder runs/stress-readers]
Prints the generations the search finished, and per reader loop its reads, failures and the
first failures' exit status and last lines (a negative status is a signal: -6, a crash inside
HDF5, is what the commit gate, docs/hdf5-schema.md, exists to prevent). Run it with two
binaries, one after the other, to compare writers.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_READ = ("import sys, wann_h5\n"
               "run = wann_h5.open_archive(sys.argv[1])\n"
               "for _ in range(5):\n"
               "    run.summary(); run.champion(); run.complexity()\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wann", default=str(ROOT / ".build" / "release" / "wann"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--population", type=int, default=32)
    ap.add_argument("--folder", default=str(ROOT / "runs" / "stress-readers"))
    a = ap.parse_args()
    if a.seconds <= 0 or a.readers < 1 or a.population < 2:
        print("stress_readers.py: --seconds, --readers and --population must be positive (population at least 2)",
              file=sys.stderr)
        return 2
    folder = Path(a.folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "live.h5"
    for p in folder.glob("live.h5*"):
        p.unlink()
    started = time.monotonic()
    writer = subprocess.Popen([a.wann, "search", "--seed", "3", "--generations", "1000000", "--population",
                               str(a.population), "--quiet", "--out", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while not path.exists():
        if writer.poll() is not None:
            print(f"stress_readers.py: the search ended: {writer.stderr.read().strip()}", file=sys.stderr)
            return 2
        time.sleep(0.01)

    def loop(kind: str):
        reads, failures = 0, []
        end = time.monotonic() + a.seconds
        while time.monotonic() < end:
            command = ([a.wann, "inspect", str(path), "--json"] if kind == "inspect"
                       else [sys.executable, "-c", PYTHON_READ, str(path)])
            r = subprocess.run(command, capture_output=True, text=True)
            reads += 1
            if r.returncode != 0:
                failures.append((r.returncode, " / ".join(r.stderr.strip().splitlines()[-2:])[-200:]))
        return kind, reads, failures

    kinds = ["inspect" if i % 2 else "python" for i in range(a.readers)]
    with ThreadPoolExecutor(a.readers) as pool:
        results = list(pool.map(loop, kinds))
    writer.kill()
    writer.wait()
    seconds = time.monotonic() - started
    done = json.loads(subprocess.run([a.wann, "inspect", str(path), "--json"], capture_output=True, text=True,
                                     check=True).stdout)["completeGenerations"]
    print(f"{a.wann}: the search finished {done} generations in {seconds:.0f} s")
    for kind, reads, failures in results:
        print(f"  {kind:8} {reads} reads, {len(failures)} failed" + "".join(f"\n    {s}: {t}" for s, t in failures[:3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
