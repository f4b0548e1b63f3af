"""Shared pieces of the plot scripts: command line, archive opening, figure saving.

Every plot script is called as `python scripts/NAME.py ARCHIVE --out DIR [--title T]` and
writes DIR/NAME.png and DIR/NAME.pdf. They read archives only through wann_h5.py.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import wann_h5  # noqa: E402


def parser(description: str, many: bool = False) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("archive", nargs="+" if many else None, help="wann archive (.h5)" + (" (several: overlay)" if many else ""))
    p.add_argument("--out", required=True, help="folder for the PNG and PDF files (created if missing)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--run", help="run of a comparison or experiment archive (default: all runs)")
    return p


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def check_archive(path: str) -> str:
    if not pathlib.Path(path).exists():
        fail(f"{path} does not exist")
    try:
        return wann_h5.kind(path)
    except (OSError, wann_h5.ArchiveError) as e:
        fail(f"{path}: {e}")


def open_runs(path: str, run: str | None) -> list[tuple[str, wann_h5.Archive]]:
    """(name, archive) of every run in `path` (one for a single-run archive)."""
    kind = check_archive(path)
    if kind == "run":
        if run:
            fail(f"{path} is a single-run archive: leave --run out")
        return [(pathlib.Path(path).stem, wann_h5.open_archive(path))]
    names = wann_h5.runs(path)
    if run:
        if run not in names:
            fail(f"{path} has no run {run!r} (runs: {', '.join(names)})")
        names = [run]
    return [(n, wann_h5.open_archive(path, n)) for n in names]


def variant_order(path: str) -> list[str]:
    return wann_h5.variants(path)


def t95(n: int) -> float:
    """Two-sided 95% Student t critical value for n samples (n - 1 degrees of freedom)."""
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
             10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}
    df = n - 1
    if df < 1:
        return float("nan")
    for k in sorted(table):
        if df <= k:
            return table[k]
    return 1.960


def mean_ci(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return float(v.mean()) if len(v) else float("nan"), float("nan")
    return float(v.mean()), t95(len(v)) * float(v.std(ddof=1)) / np.sqrt(len(v))


def save(fig, out: str, name: str) -> list[pathlib.Path]:
    d = pathlib.Path(out)
    d.mkdir(parents=True, exist_ok=True)
    paths = [d / f"{name}.png", d / f"{name}.pdf"]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    plt.close(fig)
    for p in paths:
        print(p)
    return paths
