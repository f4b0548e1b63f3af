#!/usr/bin/env python3
"""A memoryless reference for HigherLower (docs/results.md, "POPGym"): the best policy that sees
only the present card (guess "higher" below the middle rank, "lower" above it), played on the
POPGym package's own environment. Its mean return is what any network without memory can reach;
the rest is card counting.

    .venv/bin/python scripts/popgym_memoryless.py [--episodes 2000] [--level Easy]
"""
from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np
import popgym  # noqa: F401 (registers the environments)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=2000)
    ap.add_argument("--level", default="Easy", choices=["Easy", "Medium", "Hard"])
    args = ap.parse_args()
    env = gym.make(f"popgym-HigherLower{args.level}-v0")
    returns = []
    for episode in range(args.episodes):
        rank, _ = env.reset(seed=episode)
        total, done = 0.0, False
        while not done:
            # Ranks 0..12; 6 is the middle card, where both guesses are equally good.
            rank, reward, terminated, truncated, _ = env.step(0 if int(rank) < 6 else 1)
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    r = np.asarray(returns)
    print(f"HigherLower{args.level}: memoryless threshold policy, {len(r)} episodes: mean return {r.mean():.3f} "
          f"(standard error {r.std(ddof=1) / np.sqrt(len(r)):.3f})")


if __name__ == "__main__":
    main()
