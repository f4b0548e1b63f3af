#!/usr/bin/env python3
"""Variant x condition bars with 95% confidence intervals.

    python scripts/plot_ablation.py runs/faq.h5 --out plots/ [--title T] [--conditions a,b,...]

Experiment archives (`wann experiment run`): for every test condition of the battery, one bar
per variant: the mean over seeds of the champions' scores, with a 95% t interval over seeds.
Comparison archives (`wann compare`): one bar per search space. Run archives: the paper's four
weight conditions stored by `wann conditions` (CI over test episodes).
Writes DIR/ablation.png and DIR/ablation.pdf.
"""
from __future__ import annotations

import numpy as np

import plotting
from plotting import plt


def bars(ax, groups, series, values, errors):
    """groups on the x axis, one bar per series in each group."""
    width = 0.8 / max(len(series), 1)
    cmap = plt.get_cmap("tab10")
    x = np.arange(len(groups))
    for j, s in enumerate(series):
        ax.bar(x + (j - (len(series) - 1) / 2) * width, values[j], width, yerr=np.nan_to_num(errors[j]),
               capsize=2, color=cmap(j % 10), label=s)
    ax.set_xticks(x)
    ax.set_xticklabels(groups, rotation=30 if len(groups) > 4 else 0, ha="right" if len(groups) > 4 else "center", fontsize=8)


def main():
    p = plotting.parser(__doc__.splitlines()[0])
    p.add_argument("--conditions", help="experiment archives: only these battery conditions (comma list)")
    args = p.parse_args()
    kind = plotting.check_archive(args.archive)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if kind == "experiment":
        df = plotting.wann_h5.battery(args.archive)
        if df.empty:
            plotting.fail(f"{args.archive} holds no finished test battery (run `wann experiment run` to the end)")
        conditions = list(dict.fromkeys(df.condition))
        if args.conditions:
            wanted = [c.strip() for c in args.conditions.split(",")]
            unknown = [c for c in wanted if c not in conditions]
            if unknown:
                plotting.fail(f"unknown condition(s) {unknown}; the archive has: {', '.join(conditions)}")
            conditions = wanted
        variants = plotting.variant_order(args.archive) or sorted(df.variant.unique())
        variants = [v for v in variants if v in set(df.variant)]
        stats = [[plotting.mean_ci(df[(df.variant == v) & (df.condition == c)].score) for c in conditions] for v in variants]
        bars(ax, conditions, [f"{v} (n={df[df.variant == v].seed.nunique()})" for v in variants],
             [[m for m, _ in row] for row in stats], [[e for _, e in row] for row in stats])
        ax.set_ylabel("champion's mean reward (mean over seeds, 95% CI)")
    elif kind == "comparison":
        df = plotting.wann_h5.comparison(args.archive)
        conditions = list(dict.fromkeys(df.condition))
        stats = [plotting.mean_ci(df[df.condition == c].score) for c in conditions]
        bars(ax, conditions, ["final champion"], [[m for m, _ in stats]], [[e for _, e in stats]])
        ax.set_ylabel("champion's mean reward (mean over seeds, 95% CI)")
    else:
        with plotting.wann_h5.open_archive(args.archive) as run:
            df = run.conditions()
        if df.empty:
            plotting.fail(f"{args.archive} holds no stored conditions: run `wann conditions {args.archive}#champion` first")
        genomes = df[["generation", "index", "result"]].drop_duplicates().groupby(["generation", "index"]).tail(1)
        titles = list(dict.fromkeys(df.title))
        series, values, errors = [], [], []
        for _, g in genomes.iterrows():
            d = df[(df.generation == g.generation) & (df["index"] == g["index"]) & (df.result == g.result)].set_index("title")
            series.append(f"genome {g.generation}/{g['index']} (tuned w = {d.tuned_shared_weight.iloc[0]:.2f})")
            values.append([d.loc[t, "mean"] for t in titles])
            errors.append([d.loc[t, "ci95"] for t in titles])
        bars(ax, titles, series, values, errors)
        ax.set_ylabel("mean reward (95% CI over test episodes)")
    ax.set_title(args.title or "Weight conditions")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7)
    plotting.save(fig, args.out, "ablation")


if __name__ == "__main__":
    main()
