#!/usr/bin/env python3
"""A search over generations: best and median fitness, and network complexity.

    python scripts/plot_run.py runs/x.h5 --out plots/ [--title T] [--run RUN]

Top: best and median mean reward of each generation, and the champion's re-tested reward.
Bottom: enabled connections of the generation's best genome and the population median.
Multi-run archives: every run overlaid (or one with --run). Writes DIR/run.png and DIR/run.pdf.
"""
from __future__ import annotations

import plotting
from plotting import plt


def main():
    args = plotting.parser(__doc__.splitlines()[0]).parse_args()
    runs = plotting.open_runs(args.archive, args.run)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    single = len(runs) == 1
    cmap = plt.get_cmap("tab10")
    plotted = 0
    for i, (name, run) in enumerate(runs):
        with run:
            s = run.summary()
            c = run.complexity()
        if s.empty:
            continue
        plotted += 1
        colour = cmap(i % 10)
        label = "" if single else f"{name} "
        top.plot(s.generation, s.best, color=colour, lw=1.4, label=f"{label}best")
        top.plot(s.generation, s["median"], color=colour, lw=1.0, ls="--", alpha=0.8, label=f"{label}median")
        if single:
            top.plot(s.generation, s.champion_reward, color="black", lw=1.0, ls=":", label="champion (re-test)")
        bottom.plot(c.generation, c.best_connections, color=colour, lw=1.2, label=f"{label}best genome")
        bottom.plot(c.generation, c.median_connections, color=colour, lw=1.0, ls="--", alpha=0.8, label=f"{label}median")
    if plotted == 0:
        plotting.fail(f"{args.archive} has no complete generation yet")
    top.set_ylabel("mean reward over weights")
    top.set_title(args.title or "Search progress")
    top.grid(alpha=0.3)
    top.legend(fontsize=7, ncol=1 if single else 2)
    bottom.set_xlabel("generation")
    bottom.set_ylabel("connections")
    bottom.grid(alpha=0.3)
    if single:
        bottom.legend(fontsize=7)
    plotting.save(fig, args.out, "run")


if __name__ == "__main__":
    main()
