#!/usr/bin/env python3
"""The fidelity study's tables and figure (issue "Search as strong as the original's").

    python scripts/fidelity_study.py runs/fidelity-laptop.h5 [MORE.h5 ...] [--reference reference/original-logs/laptop_swing_stats.csv]
                                     [--against original] [--out docs/figures/] [--name fidelity] [--threshold 500]
                                     [--target 611]

The defaults study (population 192, where the example run's line does not apply):

    python scripts/fidelity_study.py runs/defaults-study.h5 --against paper --reference none --target 611 \
        --out docs/figures/ --name defaults

Reads experiment archives (`wann experiment run experiments/fidelity-*.toml`; a variant name that
repeats in a later archive gets that archive's experiment name appended) and prints, per
variant, over its seeds: the final re-tested champion, the generation of the first champion
>= --threshold, the population median and the median connections at the last generation, each
as median [min, max], with the Mann-Whitney U p-value of each variant against --against; then
where the original release's example run (--reference) falls within the --against variant's
seeds at generations 128, 256, 512 and 1024. With --out, writes fidelity.png/.pdf: per variant
the band (min to max over seeds) and median of the champion and of the population median over
generations, with the original run's lines (--reference none leaves them out), as --name.png/.pdf.
--target adds a column counting the seeds whose final champion reaches it, and a line.
"""
from __future__ import annotations

import argparse
import math
import pathlib
import sys

import numpy as np
import pandas as pd

import wann_h5


def mann_whitney(a: list[float], b: list[float]) -> float:
    """Two-sided p of the Mann-Whitney U test: exact without ties for samples of at most 20,
    otherwise the normal approximation with tie and continuity corrections (as the engine's
    `Statistics.mannWhitneyU`)."""
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return math.nan
    values = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    ranks, ties, i = [0.0] * len(values), 0.0, 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1][0] == values[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j + 2) / 2
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    u = sum(r for r, (_, g) in zip(ranks, values) if g == 0) - n1 * (n1 + 1) / 2
    if ties == 0 and n1 <= 20 and n2 <= 20:
        # counts[n][m][u]: arrangements of n a's and m b's with statistic u.
        from functools import lru_cache

        @lru_cache(maxsize=None)
        def count(n: int, m: int, target: int) -> int:
            if target < 0 or target > n * m:
                return 0
            if n == 0 or m == 0:
                return 1 if target == 0 else 0
            # the largest value is an a (it beats all m b's) or a b
            return count(n - 1, m, target - m) + count(n, m - 1, target)

        total = math.comb(n1 + n2, n1)
        lower = min(u, n1 * n2 - u)
        tail = sum(count(n1, n2, k) for k in range(int(lower) + 1)) / total
        return min(1.0, 2 * tail)
    mean = n1 * n2 / 2
    n = n1 + n2
    sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sd == 0:
        return 1.0
    z = max(abs(u - mean) - 0.5, 0) / sd
    return math.erfc(z / math.sqrt(2))


def runs_by_variant(path: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in wann_h5.runs(path):
        variant = name.rsplit("-s", 1)[0]
        out.setdefault(variant, []).append(name)
    order = wann_h5.variants(path)
    return {v: sorted(out[v], key=lambda n: int(n.rsplit("-s", 1)[1])) for v in order if v in out}


def curves(path: str, run: str) -> pd.DataFrame:
    with wann_h5.open_archive(path, run) as a:
        s = a.summary()
        c = a.complexity()
    return s.merge(c, on="generation")


def summarize(df: pd.DataFrame, threshold: float) -> dict:
    last = df.iloc[-1]
    reached = df.index[df.champion_reward >= threshold]
    return {
        "generations": int(last.generation) + 1,
        "champion": float(last.champion_reward),
        "first": int(df.generation[reached[0]]) if len(reached) else None,
        "median": float(last["median"]),
        "connections": float(last.median_connections),
    }


def spread(xs: list[float]) -> str:
    xs = [x for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))]
    if not xs:
        return "-"
    return f"{np.median(xs):.0f} [{min(xs):.0f}, {max(xs):.0f}]"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("archive", nargs="+")
    p.add_argument("--reference", default=str(pathlib.Path(__file__).resolve().parents[1] / "reference/original-logs/laptop_swing_stats.csv"))
    p.add_argument("--against", default="original")
    p.add_argument("--threshold", type=float, default=500)
    p.add_argument("--out")
    p.add_argument("--name", default="fidelity", help="figure file name without extension")
    p.add_argument("--target", type=float, help="a final-champion target: seeds reaching it, and a line")
    args = p.parse_args()
    import tomllib
    data: dict[str, list[pd.DataFrame]] = {}
    for path in args.archive:
        if not pathlib.Path(path).exists():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
        with wann_h5.open_file(path) as f:
            experiment = tomllib.loads(f.attrs["experiment_toml"])
        target = int(experiment.get("generations", 0))
        for v, names in runs_by_variant(path).items():
            # Finished runs only (a run still being written, or cut short, has fewer generations).
            finished = [d for d in (curves(path, r) for r in names) if len(d) >= target]
            if finished:
                data[v if v not in data else f"{v} ({experiment.get('name', path)})"] = finished
    if not data:
        print("error: no finished experiment runs in " + ", ".join(args.archive), file=sys.stderr)
        return 2
    stats = {v: [summarize(d, args.threshold) for d in ds] for v, ds in data.items()}
    base = stats.get(args.against, [])
    target_header = f" seeds >= {args.target:.0f} |" if args.target is not None else ""
    print(f"| variant | seeds | generations | final champion (re-tested) |{target_header} first champion >= {args.threshold:.0f} (generation; never = -) | "
          f"population median, last generation | median connections, last generation | p (champion) vs {args.against} | p (median) vs {args.against} |")
    print("|---|---|---|---|---|---|---|---|---|" + ("---|" if args.target is not None else ""))
    for v, ss in stats.items():
        firsts = [s["first"] for s in ss]
        never = sum(f is None for f in firsts)
        p_champion = mann_whitney([s["champion"] for s in ss], [s["champion"] for s in base]) if v != args.against else math.nan
        p_median = mann_whitney([s["median"] for s in ss], [s["median"] for s in base]) if v != args.against else math.nan
        fmt = lambda x: "-" if math.isnan(x) else f"{x:.3f}"
        reached = f" {sum(s['champion'] >= args.target for s in ss)} |" if args.target is not None else ""
        print(f"| {v} | {len(ss)} | {ss[0]['generations']} | {spread([s['champion'] for s in ss])} |{reached} "
              f"{spread(firsts)}{f' ({never} never)' if never else ''} | {spread([s['median'] for s in ss])} | "
              f"{spread([s['connections'] for s in ss])} | {fmt(p_champion)} | {fmt(p_median)} |")
    reference = pd.read_csv(args.reference) if args.reference != "none" and pathlib.Path(args.reference).exists() else None
    if reference is not None and args.against in data:
        print()
        print(f"The original's example run against the {args.against} variant's seeds (rank among the seeds, 1 = lowest):")
        print()
        print("| generation | original champion (fit_top) | our champions, min-max | rank | original population median (fit_med) | our medians, min-max | rank | original median connections (conn_med) | ours, min-max |")
        print("|---|---|---|---|---|---|---|---|---|")
        for g in (128, 256, 512, 1023):
            ours = [d[d.generation == g] for d in data[args.against]]
            ours = [o.iloc[0] for o in ours if len(o)]
            row = reference[reference.generation == g]
            if not ours or row.empty:
                continue
            top, med = float(row.fit_top.iloc[0]), float(row.fit_med.iloc[0])
            champions = [float(o.champion_reward) for o in ours]
            medians = [float(o["median"]) for o in ours]
            connections = [float(o.median_connections) for o in ours]
            rank_top = 1 + sum(c < top for c in champions)
            rank_med = 1 + sum(m < med for m in medians)
            print(f"| {g} | {top:.0f} | {min(champions):.0f}-{max(champions):.0f} | {rank_top} of {len(champions) + 1} | "
                  f"{med:.0f} | {min(medians):.0f}-{max(medians):.0f} | {rank_med} of {len(medians) + 1} | "
                  f"{float(row.conn_med.iloc[0]):.0f} | {min(connections):.0f}-{max(connections):.0f} |")
    if args.out:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
        cmap = plt.get_cmap("tab10")
        for ax, column, ref_column, title in ((axes[0], "champion_reward", "fit_top", "re-tested champion"),
                                              (axes[1], "median", "fit_med", "population median of mean reward")):
            for k, (v, ds) in enumerate(data.items()):
                n = min(len(d) for d in ds)
                m = np.array([d[column].to_numpy()[:n] for d in ds])
                x = np.arange(n)
                ax.fill_between(x, np.nanmin(m, 0), np.nanmax(m, 0), color=cmap(k), alpha=0.2, linewidth=0)
                ax.plot(x, np.nanmedian(m, 0), color=cmap(k), label=f"{v} ({len(ds)} seeds: median, min-max)")
            if reference is not None:
                ax.plot(reference.generation, reference[ref_column], color="black", linewidth=1, label="original release, its example run")
            if args.target is not None and column == "champion_reward":
                ax.axhline(args.target, color="black", linestyle="--", linewidth=0.8, label=f"target {args.target:.0f}")
            ax.set_title(title)
            ax.set_xlabel("generation")
        axes[0].set_ylabel("mean reward over the six weights")
        axes[0].legend(fontsize=7, loc="lower right")
        fig.tight_layout()
        for ext in ("png", "pdf"):
            fig.savefig(out / f"{args.name}.{ext}", dpi=120)
        print(f"\nwrote {out / (args.name + '.png')} and .pdf", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
