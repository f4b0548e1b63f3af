#!/usr/bin/env python3
"""The POPGym study's summary table for docs/results.md: one row per finished comparison
(runs/paper/popgym-GAME-LEVEL.h5, from scripts/studies/paper-scale --popgym), read through
`wann experiment report --json` as the mean over the six weights and at each champion's best
weight (the MMER reading), with the Holm-corrected Mann-Whitney p of each memory space against
feed-forward.

    scripts/popgym_summary.py [--runs runs/paper] [--wann .build/release/wann]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys

GAMES = ["repeat-previous", "repeat-first", "count-recall", "higher-lower", "autoencode", "position-only-cartpole",
         "noisy-position-only-cartpole", "position-only-pendulum"]
LEVELS = ["easy", "medium"]
SPACES = ["feedForward", "recurrent", "outputToOutput", "both"]


def report(wann: str, archive: pathlib.Path, score: str) -> dict:
    out = subprocess.run([wann, "experiment", "report", str(archive), "--score", score, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"popgym_summary: {archive}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def holm_against_ff(r: dict, space: str) -> float | None:
    for t in r["tests"]:
        if {t["a"], t["b"]} == {"feedForward", space}:
            return t["pHolm"]
    return None


def cell(r: dict, space: str) -> str:
    row = next((x for x in r["rows"] if x["condition"] == space), None)
    if row is None:
        return "-"
    text = f"{row['mean']:.2f}"
    p = holm_against_ff(r, space) if space != "feedForward" else None
    better = p is not None and p < 0.05 and row["mean"] > next(x for x in r["rows"] if x["condition"] == "feedForward")["mean"]
    return f"**{text}**" if better else text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", default="runs/paper")
    ap.add_argument("--wann", default=".build/release/wann")
    args = ap.parse_args()
    rows = []
    missing = []
    for level in LEVELS:
        for game in GAMES:
            name = f"popgym-{game}-{level}"
            archive = pathlib.Path(args.runs) / f"{name}.h5"
            if not archive.exists():
                missing.append(name)
                continue
            try:  # an unfinished comparison has no table yet: the report says so, and it is listed as not finished
                mean, best = report(args.wann, archive, "mean"), report(args.wann, archive, "best-weight")
            except SystemExit as e:
                print(e, file=sys.stderr)
                missing.append(name)
                continue
            p_rec, p_both = holm_against_ff(mean, "recurrent"), holm_against_ff(mean, "both")
            rows.append(f"| {name} | " + " | ".join(cell(mean, s) for s in SPACES) + " | "
                        + " | ".join(cell(best, s) for s in SPACES)
                        + f" | {p_rec:.1e} | {p_both:.1e} |")
    print("| comparison | ff | recurrent | o2o | both | ff (best w) | recurrent (best w) | o2o (best w) | both (best w) "
          "| Holm p, recurrent vs ff (over weights) | Holm p, both vs ff (over weights) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if missing:
        print(f"\nNot finished yet: {', '.join(missing)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
