#!/usr/bin/env python3
"""What syncing the archive costs: the same search timed with syncs on (the default) and off
(WANN_NO_SYNC=1, a measuring hook), interleaved, on the disk of --folder.

Each commit syncs the journal, the folder, the archive and the folder again (docs/hdf5-schema.md,
"The journal"); a generation commits twice. The default is the paper's swing-up search
(population 192) for 40 generations on two threads.

Usage: scripts/bench_sync.py [--wann .build/release/wann] [--repetitions 5] [--generations 40]
                             [--population 192] [--folder runs/bench-sync] [--resume-from ARCHIVE]
Prints each pair's seconds per generation and the range of the ratio (synced / unsynced).
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parent.parent


def timed(wann, folder: Path, generations: int, population: int, sync: bool, base: Path | None) -> float:
    out = folder / ("synced.h5" if sync else "unsynced.h5")
    for p in folder.glob(out.name + "*"):
        p.unlink()
    env = {**os.environ}
    if not sync:
        env["WANN_NO_SYNC"] = "1"
    if base:  # later generations: resume a copy of an archive that holds `done` of them
        shutil.copyfile(base, out)
        with h5py.File(base, "r") as f:
            done = len(f["generations"])
        command = ["resume", str(out), "--generations", str(done + generations), "--threads", "2", "--quiet"]
    else:
        command = ["search", "--task", "swingup", "--seed", "1", "--generations", str(generations),
                   "--population", str(population), "--threads", "2", "--quiet", "--out", str(out)]
    start = time.perf_counter()
    subprocess.run([wann, *command], check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wann", default=str(ROOT / ".build" / "release" / "wann"))
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--generations", type=int, default=40)
    parser.add_argument("--population", type=int, default=192)
    parser.add_argument("--folder", default=str(ROOT / "runs" / "bench-sync"))
    parser.add_argument("--resume-from", help="time --generations more generations of a copy of this archive "
                                              "(later generations of a long run), instead of a new search")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    ratios = []
    for r in range(args.repetitions):
        # Alternate which goes first, so a drift of the machine's speed favours neither.
        order = [True, False] if r % 2 == 0 else [False, True]
        base = Path(args.resume_from) if args.resume_from else None
        seconds = {sync: timed(args.wann, folder, args.generations, args.population, sync, base) for sync in order}
        ratio = seconds[True] / seconds[False]
        ratios.append(ratio)
        print(f"pair {r + 1}: synced {seconds[True] / args.generations * 1000:.1f} ms/generation, "
              f"unsynced {seconds[False] / args.generations * 1000:.1f} ms/generation, ratio {ratio:.3f}")
    ratios.sort()
    print(f"syncing costs {100 * (ratios[len(ratios) // 2] - 1):+.1f}% of a generation (median; pairs "
          f"{100 * (ratios[0] - 1):+.1f}% to {100 * (ratios[-1] - 1):+.1f}%), population {args.population}, "
          f"{args.generations} generations{' after ' + args.resume_from if args.resume_from else ''}, folder {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
