#!/usr/bin/env python3
"""The Gymnasium study of docs/results.md: WANN searches on five Gymnasium environments, ten seeds
each, at one stated budget; then each champion's performance-vs-weight profile.

    scripts/gym_study.py run     [--out runs/gym-study] [--seeds 10] [--wann PATH]
    scripts/gym_study.py report  [--out runs/gym-study] > docs/gym-study.md

`run` is resumable: a finished search is skipped, one cut short is continued with `wann resume`,
and a profile already stored in an archive is read back. `report` prints the markdown tables.
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys

import h5py

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENVIRONMENTS = ["CartPole-v1", "Acrobot-v1", "MountainCarContinuous-v0", "Pendulum-v1", "LunarLander-v3"]
# The budget: population 48, 12 generations, 2 repetitions of the six shared weights per genome
# (576 rollouts a generation), the swing-up's other settings.
POPULATION, GENERATIONS, REPETITIONS = 48, 12, 2
SIX = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]
PROFILE_WEIGHTS, PROFILE_TRIALS = "-2:2:17", 10  # every 0.25: the six weights are on the grid


def archive(out, env, seed):
    return out / f"{env}-s{seed}.h5"


def wann(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False)


def run(args):
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "study.toml"
    config.write_text(f"[evaluation]\nrepetitions = {REPETITIONS}\n")
    for seed in range(1, args.seeds + 1):
        for env in ENVIRONMENTS:
            path = archive(out, env, seed)
            common = ["--quiet", "--threads", str(args.threads)]
            if path.exists():
                r = wann(args.wann, "resume", str(path), *common)
            else:
                r = wann(args.wann, "search", "--task", f"gym:{env}", "--config", str(config), "--seed", str(seed),
                         "--population", str(POPULATION), "--generations", str(GENERATIONS), "--out", str(path), *common)
            if r.returncode != 0 and "already complete" not in r.stderr + r.stdout:
                print(f"{path}: {r.stderr.strip() or r.stdout.strip()}", file=sys.stderr)
                continue
            p = wann(args.wann, "profile", f"{path}#champion", "--weights", PROFILE_WEIGHTS, "--trials", str(PROFILE_TRIALS),
                     "--threads", str(args.threads), "--json")
            if p.returncode != 0:
                print(f"{path}: profile: {p.stderr.strip()}", file=sys.stderr)
                continue
            (out / f"{env}-s{seed}.profile.json").write_text(p.stdout)
            print(f"{env} seed {seed}: done", flush=True)


def report(args):
    out = pathlib.Path(args.out)
    print("| environment | runs | best-weight return (median, range) | six-weight mean (median, range) "
          "| solved score | runs solved at best weight | connections (median) |")
    print("|---|---|---|---|---|---|---|")
    curves = {}
    for env in ENVIRONMENTS:
        best, mean6, sizes = [], [], []
        curve = []
        for f in sorted(out.glob(f"{env}-s*.profile.json")):
            prof = json.loads(f.read_text())["profiles"][0]
            by_weight = dict(zip(prof["weights"], prof["mean"], strict=True))
            six = [by_weight[min(by_weight, key=lambda x, w=w: abs(x - w))] for w in SIX]
            best.append(max(six))
            mean6.append(sum(six) / len(six))
            sizes.append(prof["connections"])
            curve.append(prof["mean"])
            weights = prof["weights"]
        if not best:
            print(f"| {env} | 0 | | | | | |")
            continue
        # Gymnasium's reward_threshold (its "solved" score), as the run's archive recorded it.
        with h5py.File(archive(out, env, 1), "r") as f:
            threshold = json.loads(f.attrs["environment"])["reward_threshold"]
        solved = None if threshold is None else float(threshold)
        n_solved = "n/a" if solved is None else f"{sum(b >= solved for b in best)}/{len(best)}"

        def med(xs):
            return f"{statistics.median(xs):.1f} ({min(xs):.1f} to {max(xs):.1f})"
        print(f"| {env} | {len(best)} | {med(best)} | {med(mean6)} | {'none' if solved is None else solved} | {n_solved} "
              f"| {statistics.median(sizes):.0f} |")
        curves[env] = (weights, [statistics.median(c[i] for c in curve) for i in range(len(weights))])
    print()
    print("Median over seeds of each champion's mean return per shared weight (the profile, "
          f"{PROFILE_TRIALS} episodes per weight):")
    print()
    for env, (weights, med) in curves.items():
        print(f"- {env}: " + ", ".join(f"{w:g}: {m:.1f}" for w, m in zip(weights, med, strict=True)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["run", "report"])
    ap.add_argument("--out", default=str(ROOT / "runs" / "gym-study"))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--wann", default=str(ROOT / ".build" / "release" / "wann"))
    args = ap.parse_args()
    run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    main()
