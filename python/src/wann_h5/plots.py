"""The engine's figures as functions that return matplotlib figures (for notebooks), and the
pieces `wann-plot` (wann_h5.cli) shares.

    import wann_h5.plots as wp
    fig = wp.run_figure("runs/swingup.h5")             # best/median reward and complexity
    fig = wp.profiles_figure(["runs/swingup.h5"])      # reward against the shared weight
    fig = wp.ablation_figure("runs/faq.h5")            # variant x test condition bars
    fig = wp.heatmap_figure("runs/swingup.h5")         # generation x weight
    fig = wp.classify_figure("runs/mnist.h5")          # accuracy by weight and per digit
    fig = wp.robustness_figure("runs/swingup.h5")      # noise and battery over generations

Each raises `PlotError` (with what to run first) when the archive lacks what the figure needs.
"""
from __future__ import annotations

import pathlib
import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from . import archive as wann_h5
from .stats import mean_ci, t95  # noqa: F401 (wann_h5.plots.mean_ci and .t95 stay where they were)


class PlotError(Exception):
    """The archive does not hold what the figure needs; the message says what to run."""


def check_archive(path: str) -> str:
    """The archive's kind ("run", "comparison", "experiment"), or PlotError."""
    if not pathlib.Path(path).exists():
        raise PlotError(f"{path} does not exist")
    try:
        return wann_h5.kind(path)
    except (OSError, wann_h5.ArchiveError) as e:
        raise PlotError(f"{path}: {e}") from None


def open_runs(path: str, run: str | None) -> list[tuple[str, wann_h5.Archive]]:
    """(name, archive) of every run in `path` (one for a single-run archive)."""
    kind = check_archive(path)
    if kind == "run":
        if run:
            raise PlotError(f"{path} is a single-run archive: leave --run out")
        return [(pathlib.Path(path).stem, wann_h5.open_archive(path))]
    names = wann_h5.runs(path)
    if run:
        if run not in names:
            raise PlotError(f"{path} has no run {run!r} (runs: {', '.join(names)})")
        names = [run]
    return [(n, wann_h5.open_archive(path, n)) for n in names]


FORMATS = ("png", "pdf", "svg")


def save(fig, out: str, name: str, formats: Sequence[str] = FORMATS, dpi: int = 150) -> list[pathlib.Path]:
    """Writes OUT/NAME.png, .pdf and .svg (or the `formats` named; `dpi` for the PNG) and closes
    the figure."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise PlotError(f"format(s) {unknown or formats}: choose from {', '.join(FORMATS)}")
    d = pathlib.Path(out)
    d.mkdir(parents=True, exist_ok=True)
    paths = [d / f"{name}.{f}" for f in formats]
    for path in paths:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return paths


def _run_name_parts(name: str) -> tuple[str, int | None]:
    """("recurrent", 3) for a grid's run "recurrent-s3"; (name, None) otherwise."""
    m = re.fullmatch(r"(.*)-s(\d+)", name)
    return (m.group(1), int(m.group(2))) if m else (name, None)


def _seed_text(seeds: Sequence[int]) -> str:
    seeds = sorted(set(seeds))
    if not seeds:
        return ""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return "seeds " + ", ".join(map(str, seeds))


def _caption(tasks: Sequence[str], seeds: Sequence[int], runs: int) -> str:
    """What every figure names: the task, the seed(s) and n."""
    task = ", ".join(sorted(set(tasks))) or "?"
    parts = [f"task {task}", f"{runs} run{'s' if runs != 1 else ''}" if runs > 1 else "", _seed_text(seeds)]
    return "; ".join(p for p in parts if p)


def _integer_axis(axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))


def _legend_outside(ax, **kwargs) -> None:
    """The legend beside the axes, never over the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False, **kwargs)


# -- run: search progress -------------------------------------------------------------------

def run_figure(path: str, run: str | None = None, title: str | None = None):
    """Top: best and median mean reward of each generation (and, for one run, the champion's
    re-tested reward). Bottom: enabled connections of the generation's best genome and the
    population median. A comparison or experiment archive: one line per search space or variant,
    the median over its seeds with a band from the lowest to the highest seed (or one run with
    `run`)."""
    runs = open_runs(path, run)
    data, tasks, seeds = [], [], []
    for name, r in runs:
        with r:
            s, c = r.summary(), r.complexity()
            tasks.append(str(r.attrs.get("task", "?")))
            if "seed" in r.attrs:
                seeds.append(int(r.attrs["seed"]))
        if not s.empty:
            data.append((name, s, c))
    if not data:
        raise PlotError(f"{path} has no complete generation yet")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8.5, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    if len(data) == 1:
        _, s, c = data[0]
        top.plot(s.generation, s.best, color="tab:blue", lw=1.4, label="best")
        top.plot(s.generation, s["median"], color="tab:blue", lw=1.0, ls="--", alpha=0.8, label="median")
        top.plot(s.generation, s.champion_reward, color="black", lw=1.0, ls=":", label="champion (re-test)")
        bottom.plot(c.generation, c.best_connections, color="tab:blue", lw=1.2, label="best genome")
        bottom.plot(c.generation, c.median_connections, color="tab:blue", lw=1.0, ls="--", alpha=0.8, label="median")
    else:
        groups: dict[str, list] = {}
        for name, s, c in data:
            groups.setdefault(_run_name_parts(name)[0], []).append((s, c))
        order = _condition_order(path)
        groups = dict(sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
        cmap = plt.get_cmap("tab10")
        for i, (group, members) in enumerate(groups.items()):
            colour = cmap(i % 10)
            n = len(members)
            for ax, frames, column, style in [(top, [m[0] for m in members], "best", "-"), (top, [m[0] for m in members], "median", "--"),
                                              (bottom, [m[1] for m in members], "best_connections", "-")]:
                table = pd.concat([f.set_index("generation")[column].rename(k) for k, f in enumerate(frames)], axis=1)
                # Generations every seed has reached (a grid still running has unequal runs).
                table = table.dropna()
                if table.empty:
                    continue
                label = f"{group} ({n} seed{'s' if n != 1 else ''}){' best' if column == 'best' else ' median' if column == 'median' else ''}"
                ax.plot(table.index, table.median(axis=1), color=colour, lw=1.4 if style == "-" else 1.0, ls=style, label=label)
                if style == "-" and n > 1:
                    ax.fill_between(table.index, table.min(axis=1), table.max(axis=1), color=colour, alpha=0.15, lw=0)
        top.text(0.0, -0.02, "lines: median over seeds; bands: lowest to highest seed", transform=top.transAxes, fontsize=7,
                 va="top", color="0.35")
    top.set_ylabel("mean reward over weights")
    top.set_title(title or f"Search progress\n{_caption(tasks, seeds, len(data))}", fontsize=10)
    top.grid(alpha=0.3)
    _legend_outside(top, fontsize=7)
    bottom.set_xlabel("generation")
    bottom.set_ylabel("connections (best genome)" if len(data) > 1 else "connections")
    bottom.grid(alpha=0.3)
    _integer_axis(bottom.xaxis)
    _integer_axis(bottom.yaxis)
    _legend_outside(bottom, fontsize=7)
    return fig


# -- profiles: reward against the shared weight ---------------------------------------------

def _run_champion(r) -> tuple[int, int]:
    last = r.summary().iloc[-1]
    return int(last.champion_generation), int(last.champion_index)


def _run_curves(path: str, run: str | None, latest: int, champion: bool, several: bool):
    curves = []
    for name, r in open_runs(path, run):
        with r:
            df = r.profiles()
            chosen = _run_champion(r) if champion and r.generations() else None
        if df.empty:
            continue
        # One curve per genome: its newest stored profile.
        keys = df[["generation", "index", "profile"]].drop_duplicates().sort_values(["generation", "index", "profile"])
        if champion:
            if chosen is None:
                raise PlotError(f"{path} has no champion yet")
            keys = keys[(keys.generation == chosen[0]) & (keys["index"] == chosen[1])]
            if keys.empty:
                raise PlotError(f"the champion {chosen[0]}/{chosen[1]} of {path} has no stored profile: "
                                f"run `wann profile {path}#champion` first")
        newest = keys.groupby(["generation", "index"]).tail(1).tail(latest)
        for _, k in newest.iterrows():
            p = df[(df.generation == k.generation) & (df["index"] == k["index"]) & (df.profile == k.profile)].sort_values("weight")
            words = f"generation {k.generation}, genome {k['index']}"
            label = f"{name}: {words}" if len(wann_h5.runs(path)) or several else words
            curves.append((label, p.weight.to_numpy(), p["mean"].to_numpy(), p.ci95.to_numpy()))
    if not curves:
        raise PlotError(f"{path} holds no stored profiles: run `wann profile {path}#champion` (or --every N) first")
    return curves


def _experiment_curves(path: str):
    sweeps = wann_h5.battery_sweeps(path)
    if sweeps.empty:
        raise PlotError(f"{path} holds no finished test battery (run `wann experiment run` to the end)")
    order = wann_h5.variants(path) or sorted(sweeps.variant.unique())
    curves = []
    for v in order:
        s = sweeps[sweeps.variant == v]
        if s.empty:
            continue
        weights = np.sort(s.weight.unique())
        stats = [mean_ci(s[s.weight == w]["mean"]) for w in weights]
        curves.append((f"{v} (n={s.seed.nunique()} seeds)", weights, np.array([m for m, _ in stats]), np.array([c for _, c in stats])))
    return curves


def profiles_figure(paths: str | Sequence[str], run: str | None = None, latest: int = 8, champion: bool = False,
                    title: str | None = None):
    """Mean reward against the shared weight with 95% CI bands. Run archives: the profiles
    stored by `wann profile` (the newest `latest` genomes; `champion`: the final champion only).
    Experiment archives: each variant's champions' shared-weight sweep, mean over seeds. Several
    archives: overlaid."""
    paths = [paths] if isinstance(paths, (str, pathlib.Path)) else list(paths)
    curves = []
    for path in paths:
        kind = check_archive(str(path))
        curves += _experiment_curves(str(path)) if kind == "experiment" else _run_curves(str(path), run, latest, champion, len(paths) > 1)
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    # Curves of one run's genomes are ordered (older to newer): an ordered colour map; variants
    # of an experiment are not: categorical colours. Line styles keep overlapping curves apart.
    ordered = all(not _is_experiment(str(p)) for p in paths)
    cmap = plt.get_cmap("viridis" if ordered else "tab10")
    styles = ["-", "--", "-.", ":"]
    for i, (label, w, mean, ci) in enumerate(curves):
        colour = cmap(0.9 * i / max(len(curves) - 1, 1)) if ordered else cmap(i % 10)
        ax.plot(w, mean, color=colour, lw=1.6, ls=styles[i % len(styles)], label=label, zorder=3)
        band = np.nan_to_num(ci)
        ax.fill_between(w, mean - band, mean + band, color=colour, alpha=0.12, lw=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("shared weight")
    ax.set_ylabel("mean reward (95% CI)")
    tasks, seeds, n = _paths_caption(paths, run)
    ax.set_title(title or f"Performance over the shared weight\n{_caption(tasks, seeds, n)}", fontsize=10)
    ax.grid(alpha=0.3)
    _legend_outside(ax, fontsize=8)
    return fig


def _condition_order(path: str) -> list[str]:
    """A grid's search spaces or variants in the order the command named them."""
    try:
        if wann_h5.kind(path) == "experiment":
            return wann_h5.variants(path)
        text = wann_h5.read_live(path, lambda f: f.attrs.get("conditions", ""))
        return [c for c in (text.decode() if isinstance(text, bytes) else str(text)).split(",") if c]
    except (OSError, wann_h5.ArchiveError):
        return []


def _is_experiment(path: str) -> bool:
    try:
        return wann_h5.kind(path) == "experiment"
    except (OSError, wann_h5.ArchiveError):
        return False


def _paths_caption(paths, run: str | None = None) -> tuple[list[str], list[int], int]:
    """Tasks, seeds and run count of the archives a figure draws (only `run` if given)."""
    tasks, seeds, n = [], [], 0
    for path in paths:
        names = [run] if run else (wann_h5.runs(str(path)) or [None])
        for name in names:
            with wann_h5.open_archive(str(path), name) as r:
                tasks.append(str(r.attrs.get("task", "?")))
                if "seed" in r.attrs:
                    seeds.append(int(r.attrs["seed"]))
            n += 1
    return tasks, seeds, n


# -- ablation: bars -------------------------------------------------------------------------

def _bars(ax, groups, series, values, errors, points=None):
    """groups on the x axis, one bar per series in each group. `points[j][i]`, when given, are
    the single values behind bar (j, i) (one per seed), drawn over it: with 5-10 seeds a mean and
    its interval hide outliers and bimodal outcomes that the points show."""
    width = 0.8 / max(len(series), 1)
    cmap = plt.get_cmap("tab10")
    x = np.arange(len(groups))
    for j, s in enumerate(series):
        centers = x + (j - (len(series) - 1) / 2) * width
        ax.bar(centers, values[j], width, yerr=np.nan_to_num(errors[j]), capsize=2, color=cmap(j % 10), label=s)
        if points is None:
            continue
        for center, values_here in zip(centers, points[j], strict=True):
            v = np.asarray(values_here, dtype=float)
            # Spread evenly across the middle of the bar (no random jitter: figures are reproducible).
            offsets = np.linspace(-0.3, 0.3, len(v)) * width if len(v) > 1 else np.zeros(len(v))
            ax.scatter(center + offsets, v, s=9, color="black", alpha=0.7, linewidths=0, zorder=3,
                       label="single seeds" if j == 0 and center == centers[0] else None)
    ax.set_xticks(x)
    ax.set_xticklabels(groups, rotation=30 if len(groups) > 4 else 0, ha="right" if len(groups) > 4 else "center", fontsize=8)


def ablation_figure(path: str, conditions: Sequence[str] | None = None, title: str | None = None,
                    variants: Sequence[str] | None = None):
    """Experiment archives: for every test condition of the battery, one bar per variant (mean
    over seeds, 95% t interval; each seed's champion as a dot when there are at most 40 bars).
    Comparison archives: one bar per search space, each seed's champion as a dot. Run archives:
    the paper's four weight conditions stored by `wann conditions`."""
    kind = check_archive(path)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    try:
        if kind == "experiment":
            df = wann_h5.battery(path)
            if df.empty:
                raise PlotError(f"{path} holds no finished test battery (run `wann experiment run` to the end)")
            available = list(dict.fromkeys(df.condition))
            chosen = list(conditions) if conditions else available
            unknown = [c for c in chosen if c not in available]
            if unknown:
                raise PlotError(f"unknown condition(s) {unknown}; the archive has: {', '.join(available)}")
            present = [v for v in (wann_h5.variants(path) or sorted(df.variant.unique())) if v in set(df.variant)]
            unknown = [v for v in (variants or []) if v not in present]
            if unknown:
                raise PlotError(f"no finished run of variant(s) {unknown}; the archive has: {', '.join(present)}")
            variants = list(variants) if variants else present
            scores = [[df[(df.variant == v) & (df.condition == c)].score for c in chosen] for v in variants]
            stats = [[mean_ci(cell) for cell in row] for row in scores]
            _bars(ax, chosen, [f"{v} (n={df[df.variant == v].seed.nunique()})" for v in variants],
                  [[m for m, _ in row] for row in stats], [[e for _, e in row] for row in stats],
                  points=scores if len(variants) * len(chosen) <= 40 else None)
            ax.set_ylabel("champion's mean reward (mean over seeds, 95% CI)")
        elif kind == "comparison":
            try:
                df = wann_h5.comparison(path)
            except wann_h5.ArchiveError as e:
                raise PlotError(f"{path}: {e} (`wann experiment status {path}` says what is missing)") from None
            names = list(dict.fromkeys(df.condition))
            scores = [df[df.condition == c].score for c in names]
            stats = [mean_ci(cell) for cell in scores]
            _bars(ax, names, ["final champion"], [[m for m, _ in stats]], [[e for _, e in stats]], points=[scores])
            ax.set_ylabel("champion's mean reward (mean over seeds, 95% CI)")
        else:
            with wann_h5.open_archive(path) as r:
                df = r.conditions()
            if df.empty:
                raise PlotError(f"{path} holds no stored conditions: run `wann conditions {path}#champion` first")
            genomes = df[["generation", "index", "result"]].drop_duplicates().groupby(["generation", "index"]).tail(1)
            titles = list(dict.fromkeys(df.title))
            series, values, errors = [], [], []
            for _, g in genomes.iterrows():
                d = df[(df.generation == g.generation) & (df["index"] == g["index"]) & (df.result == g.result)].set_index("title")
                series.append(f"generation {g.generation}, genome {g['index']} (tuned w = {d.tuned_shared_weight.iloc[0]:.2f})")
                values.append([d.loc[t, "mean"] for t in titles])
                errors.append([d.loc[t, "ci95"] for t in titles])
            _bars(ax, titles, series, values, errors)
            ax.set_ylabel("mean reward (95% CI over test episodes)")
    except PlotError:
        plt.close(fig)
        raise
    heading = {"experiment": "Test battery by variant", "comparison": "Final champions by search space"}.get(kind, "The paper's weight conditions")
    tasks, seeds, n = _paths_caption([path])
    ax.set_title(title or f"{heading}\n{_caption(tasks, seeds, n)}", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    _legend_outside(ax, fontsize=7)
    return fig


# -- heatmap: generation x weight -----------------------------------------------------------

def heatmap_figure(path: str, run: str | None = None, best: bool = False, title: str | None = None):
    """Row g: the stored profile (`wann profile FILE --every N`) of the champion the run reported
    at the end of generation g (`best`: of generation g's best genome); generations whose genome
    has no profile on the most common weight grid are left blank."""
    runs = open_runs(path, run)
    if len(runs) != 1:
        raise PlotError(f"{path} holds {len(runs)} runs: pick one with --run ({', '.join(n for n, _ in runs)})")
    _, r = runs[0]
    with r:
        profiles = r.profiles()
        summary = r.summary()
    if profiles.empty:
        raise PlotError(f"{path} holds no stored profiles: run `wann profile {path} --every 8` first")
    grids = profiles.groupby(["generation", "index", "profile"]).weight.apply(tuple)
    grid = grids.value_counts().index[0]
    by_genome = {(g, i): k for g, i, k in grids[grids == grid].index}  # newest profile on that grid per genome
    weights = np.array(grid)
    rows, gens = [], []
    for _, s in summary.iterrows():
        key = (int(s.generation), int(s.best_index)) if best else (int(s.champion_generation), int(s.champion_index))
        gens.append(int(s.generation))
        if key in by_genome:
            p = profiles[(profiles.generation == key[0]) & (profiles["index"] == key[1]) & (profiles.profile == by_genome[key])]
            rows.append(p.sort_values("weight")["mean"].to_numpy())
        else:
            rows.append(np.full(len(weights), np.nan))
    data = np.array(rows)
    filled = int(np.isfinite(data[:, 0]).sum())
    if filled == 0:
        raise PlotError(f"no {'best genome' if best else 'champion'} of any generation has a stored profile: "
                        f"run `wann profile {path} --every 8{' --best' if best else ''}` first")
    fig, ax = plt.subplots(figsize=(7.5, 5))
    edges_w = np.concatenate([[weights[0] - (weights[1] - weights[0]) / 2 if len(weights) > 1 else weights[0] - 0.5],
                              (weights[1:] + weights[:-1]) / 2,
                              [weights[-1] + (weights[-1] - weights[-2]) / 2 if len(weights) > 1 else weights[0] + 0.5]])
    edges_g = np.arange(len(gens) + 1) - 0.5 + gens[0]
    mesh = ax.pcolormesh(edges_w, edges_g, np.ma.masked_invalid(data), cmap="magma", shading="flat")
    fig.colorbar(mesh, ax=ax, label="mean reward")
    ax.set_xlabel("shared weight")
    ax.set_ylabel("generation")
    _integer_axis(ax.yaxis)
    tasks, seeds, n = _paths_caption([path], run)
    ax.set_title(title or f"{'Best genome' if best else 'Champion'}'s profile over generations ({filled} of {len(gens)} generations)\n"
                 f"{_caption(tasks, seeds, n)}", fontsize=10)
    return fig


# -- classify: accuracy by weight -----------------------------------------------------------

def classify_figure(path: str, run: str | None = None, title: str | None = None, genome: str | None = None):
    """A `wann classify` result: the newest of `genome` ("GENERATION/INDEX"), or by default the
    newest of the run's champion, or the newest of all when the champion has none. Left, test
    accuracy against the weight with the ensemble and tuned-weight accuracies and the
    random-weight band; right, per digit."""
    results, champions = [], []
    for name, r in open_runs(path, run):
        with r:
            results += [(name, x) for x in r.classification()]
            ref = r.champion_reference()
            if ref is not None:
                champions.append((name, *ref))
    if not results:
        raise PlotError(f"{path} holds no classification results: run `wann classify {path}#champion` first")
    if genome is None:
        # Classifying a run's earlier champions stores them beside the final one: the newest
        # result is then not the champion's, which is the one a reader expects by default.
        mine = [(n, x) for n, x in results if (n, x["generation"], x["index"]) in champions]
        results = mine or results
    else:
        try:
            generation, index = (int(x) for x in genome.split("/"))
        except ValueError:
            raise PlotError(f"--genome {genome!r}: write GENERATION/INDEX, e.g. 3860/175") from None
        classified = sorted({f"{x['generation']}/{x['index']}" for _, x in results})
        results = [(n, x) for n, x in results if (x["generation"], x["index"]) == (generation, index)]
        if not results:
            raise PlotError(f"{path} holds no classification of genome {genome} (classified: {', '.join(classified)})")
    _, r = results[-1]
    w = r["weights"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    left.plot(w, 100 * r["accuracy"], color="black", lw=1.8, label="test accuracy at the weight")
    left.plot(w, 100 * r["train_accuracy"], color="0.5", lw=1.0, ls="--", label="training accuracy")
    m, s = 100 * r["random_mean_accuracy"], 100 * r["random_std_accuracy"]
    left.axhspan(m - s, m + s, color="tab:blue", alpha=0.12, label=f"random weight U(-2,2): {m:.1f}% +- {s:.1f}%")
    left.axhline(100 * r["ensemble_accuracy"], color="tab:green", lw=1.2, label=f"ensemble of weights: {100 * r['ensemble_accuracy']:.1f}%")
    left.plot([r["tuned_weight"]], [100 * r["tuned_test_accuracy"]], "o", color="tab:red",
              label=f"tuned weight {r['tuned_weight']:.2f}: {100 * r['tuned_test_accuracy']:.1f}%")
    left.set_xlabel("shared weight")
    left.set_ylabel("accuracy (%)")
    left.set_title(f"generation {r['generation']}, genome {r['index']}: {r['test_images']} test images", fontsize=10)
    left.grid(alpha=0.3)
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)  # below the axes, off the data
    cmap = plt.get_cmap("tab10")
    for d in range(10):
        right.plot(w, 100 * r["per_digit"][:, d], color=cmap(d), lw=1.2, label=str(d))
    right.set_xlabel("shared weight")
    right.set_ylabel("accuracy on the digit (%)")
    right.set_title("per digit")
    right.grid(alpha=0.3)
    _legend_outside(right, title="digit", fontsize=7, ncol=2)
    tasks, seeds, n = _paths_caption([path], run)
    fig.suptitle(title or f"Classification accuracy by shared weight ({_caption(tasks, seeds, n)})")
    return fig


# -- robustness: the per-generation analysis ------------------------------------------------

def robustness_figure(path: str, run: str | None = None, role: str = "champion", title: str | None = None):
    """How robustness developed over the search (from the analysis a search with
    `--battery-every N` stores, or `wann battery FILE --every N` afterwards). Left: generation x
    noise sigma heatmap of the champion's mean reward under Gaussian weight noise. Right: every
    battery condition over the generations (sweep mean, fixed weights, random weights, noise)."""
    runs = open_runs(path, run)
    if len(runs) != 1:
        raise PlotError(f"{path} holds {len(runs)} runs: pick one with --run ({', '.join(n for n, _ in runs)})")
    _, r = runs[0]
    with r:
        history = r.analysis_history(role)
    battery = history[history.kind == "battery"]
    if battery.empty:
        raise PlotError(f"{path} holds no per-generation battery: search with --battery-every N, or run `wann battery {path} --every 8`")
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1, 1.3]})
    noise = battery.dropna(subset=["sigma"])
    if not noise.empty:
        table = noise.pivot_table(index="generation", columns="sigma", values="value")
        sigmas = table.columns.to_numpy()
        gens = table.index.to_numpy()
        mesh = left.pcolormesh(np.arange(len(sigmas) + 1) - 0.5, np.concatenate([gens - 0.5, [gens[-1] + 0.5]]), table.to_numpy(),
                               cmap="magma", shading="flat")
        left.set_xticks(range(len(sigmas)))
        left.set_xticklabels([f"{x:g}" for x in sigmas])
        fig.colorbar(mesh, ax=left, label="mean reward")
        left.set_xlabel("noise sigma (around the evaluation weights)")
        left.set_ylabel("generation")
        left.set_title(f"{role} under weight noise")
    cmap = plt.get_cmap("tab10")
    conditions = list(battery.groupby("condition", sort=False))
    # Noise levels are ordered: an ordered colour map for them, categorical colours for the rest.
    noisy = [c for c, _ in conditions if re.search(r"noise|sigma", str(c))]
    ordered = plt.get_cmap("viridis")
    others = 0
    for condition, d in conditions:
        if condition in noisy:
            colour = ordered(0.9 * noisy.index(condition) / max(len(noisy) - 1, 1))
        else:
            colour, others = cmap(others % 10), others + 1
        right.plot(d.generation, d.value, color=colour, lw=1.3, label=condition, drawstyle="steps-post")
    right.set_xlabel("generation")
    right.set_ylabel("mean reward")
    right.set_title(f"{role}'s test battery over the search")
    right.grid(alpha=0.3)
    _integer_axis(right.xaxis)
    _integer_axis(left.yaxis)
    _legend_outside(right, fontsize=7)
    tasks, seeds, n = _paths_caption([path], run)
    fig.suptitle(title or f"Robustness over generations ({_caption(tasks, seeds, n)})")
    return fig
