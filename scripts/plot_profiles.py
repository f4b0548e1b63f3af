#!/usr/bin/env python3
"""Performance profiles: mean reward against the shared weight, with 95% CI bands.

    python scripts/plot_profiles.py runs/x.h5 [more.h5 ...] --out plots/ [--title T] [--run RUN] [--latest N]

Run archives: the profiles stored by `wann profile` (one curve per profiled genome; the newest
--latest N genomes when there are many; --champion: the final champion only). Experiment archives: each variant's champions' shared
weight sweep (test battery), mean over seeds with a 95% CI over seeds. Several archives: overlaid.
Writes DIR/profiles.png and DIR/profiles.pdf.
"""
from __future__ import annotations

import numpy as np

import plotting
from plotting import plt


def run_champion(run):
    s = run.summary()
    last = s.iloc[-1]
    return int(last.champion_generation), int(last.champion_index)


def run_curves(path, args):
    curves = []
    for name, run in plotting.open_runs(path, args.run):
        with run:
            df = run.profiles()
            champion = run_champion(run) if args.champion and run.generations() else None
        if df.empty:
            continue
        # One curve per genome: its newest stored profile.
        keys = df[["generation", "index", "profile"]].drop_duplicates().sort_values(["generation", "index", "profile"])
        if args.champion:
            if champion is None:
                plotting.fail(f"{path} has no champion yet")
            keys = keys[(keys.generation == champion[0]) & (keys["index"] == champion[1])]
            if keys.empty:
                plotting.fail(f"the champion {champion[0]}/{champion[1]} of {path} has no stored profile: run `wann profile {path}#champion` first")
        newest = keys.groupby(["generation", "index"]).tail(1).tail(args.latest)
        for _, k in newest.iterrows():
            p = df[(df.generation == k.generation) & (df["index"] == k["index"]) & (df.profile == k.profile)].sort_values("weight")
            label = f"{name} genome {k.generation}/{k['index']}" if len(plotting.wann_h5.runs(path)) or len(args.archive) > 1 else f"genome {k.generation}/{k['index']}"
            curves.append((label, p.weight.to_numpy(), p["mean"].to_numpy(), p.ci95.to_numpy(), int(k.generation)))
    if not curves:
        plotting.fail(f"{path} holds no stored profiles: run `wann profile {path}#champion` (or --every N) first")
    return curves


def experiment_curves(path, args):
    sweeps = plotting.wann_h5.battery_sweeps(path)
    if sweeps.empty:
        plotting.fail(f"{path} holds no finished test battery (run `wann experiment run` to the end)")
    order = plotting.variant_order(path) or sorted(sweeps.variant.unique())
    curves = []
    for v in order:
        s = sweeps[sweeps.variant == v]
        if s.empty:
            continue
        weights = np.sort(s.weight.unique())
        stats = [plotting.mean_ci(s[s.weight == w]["mean"]) for w in weights]
        n = s.seed.nunique()
        curves.append((f"{v} (n={n} seeds)", weights, np.array([m for m, _ in stats]), np.array([c for _, c in stats]), None))
    return curves


def main():
    p = plotting.parser(__doc__.splitlines()[0], many=True)
    p.add_argument("--latest", type=int, default=8, help="at most this many genomes per run archive (newest), default 8")
    p.add_argument("--champion", action="store_true", help="run archives: only the run's final champion")
    args = p.parse_args()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    curves = []
    for path in args.archive:
        kind = plotting.check_archive(path)
        curves += experiment_curves(path, args) if kind == "experiment" else run_curves(path, args)
    cmap = plt.get_cmap("viridis" if len(curves) > 10 else "tab10")
    for i, (label, w, mean, ci, _) in enumerate(curves):
        colour = cmap(i / max(len(curves) - 1, 1)) if len(curves) > 10 else cmap(i % 10)
        ax.plot(w, mean, color=colour, lw=1.6, label=label)
        band = np.nan_to_num(ci)
        ax.fill_between(w, mean - band, mean + band, color=colour, alpha=0.18, lw=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("shared weight")
    ax.set_ylabel("mean reward (95% CI)")
    ax.set_title(args.title or "Performance over the shared weight")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    plotting.save(fig, args.out, "profiles")


if __name__ == "__main__":
    main()
