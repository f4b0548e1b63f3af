#!/usr/bin/env python3
"""Generation x weight heatmap of the champion's performance profile.

    python scripts/plot_heatmap.py runs/x.h5 --out plots/ [--title T] [--run RUN] [--best]

Row g is the stored profile (`wann profile FILE --every N`) of the champion the run reported at
the end of generation g (--best: of generation g's best genome); generations whose genome has no
profile on the most common weight grid are left blank. Writes DIR/heatmap.png and DIR/heatmap.pdf.
"""
from __future__ import annotations

import numpy as np

import plotting
from plotting import plt


def main():
    p = plotting.parser(__doc__.splitlines()[0])
    p.add_argument("--best", action="store_true", help="rows: each generation's best genome instead of its champion")
    args = p.parse_args()
    runs = plotting.open_runs(args.archive, args.run)
    if len(runs) != 1:
        plotting.fail(f"{args.archive} holds {len(runs)} runs: pick one with --run ({', '.join(n for n, _ in runs)})")
    name, run = runs[0]
    with run:
        profiles = run.profiles()
        summary = run.summary()
    if profiles.empty:
        plotting.fail(f"{args.archive} holds no stored profiles: run `wann profile {args.archive} --every 8` first")
    # The most common grid among stored profiles.
    grids = profiles.groupby(["generation", "index", "profile"]).weight.apply(tuple)
    grid = grids.value_counts().index[0]
    keep = grids[grids == grid].index
    by_genome = {}
    for g, i, k in keep:  # newest profile on that grid per genome
        by_genome[(g, i)] = k
    weights = np.array(grid)
    rows, gens = [], []
    for _, s in summary.iterrows():
        key = (int(s.generation), int(s.best_index)) if args.best else (int(s.champion_generation), int(s.champion_index))
        gens.append(int(s.generation))
        if key in by_genome:
            p_ = profiles[(profiles.generation == key[0]) & (profiles["index"] == key[1]) & (profiles.profile == by_genome[key])]
            rows.append(p_.sort_values("weight")["mean"].to_numpy())
        else:
            rows.append(np.full(len(weights), np.nan))
    data = np.array(rows)
    filled = int(np.isfinite(data[:, 0]).sum())
    if filled == 0:
        plotting.fail(f"no {'best genome' if args.best else 'champion'} of any generation has a stored profile: "
                      f"run `wann profile {args.archive} --every 8{' --best' if args.best else ''}` first")
    fig, ax = plt.subplots(figsize=(7.5, 5))
    edges_w = np.concatenate([[weights[0] - (weights[1] - weights[0]) / 2 if len(weights) > 1 else weights[0] - 0.5],
                              (weights[1:] + weights[:-1]) / 2,
                              [weights[-1] + (weights[-1] - weights[-2]) / 2 if len(weights) > 1 else weights[0] + 0.5]])
    edges_g = np.arange(len(gens) + 1) - 0.5 + gens[0]
    mesh = ax.pcolormesh(edges_w, edges_g, np.ma.masked_invalid(data), cmap="magma", shading="flat")
    fig.colorbar(mesh, ax=ax, label="mean reward")
    ax.set_xlabel("shared weight")
    ax.set_ylabel("generation")
    ax.set_title(args.title or f"{'Best genome' if args.best else 'Champion'}'s profile over generations ({filled} of {len(gens)} generations)")
    plotting.save(fig, args.out, "heatmap")


if __name__ == "__main__":
    main()
