#!/usr/bin/env python3
"""Run WANN champions outside the engine, with wann_h5.Network (NumPy) in gymnasium-style loops.

    python python/examples/run_champions.py                       # both, default files
    python python/examples/run_champions.py --swingup runs/swingup.h5 --biped reference/original-champions/biped.out

1. Our swing-up champion, read from a run archive, balancing CartPoleSwingUp. The swing-up is not
   part of gymnasium, so it is defined below as a gymnasium Env with the original release's
   physics (the engine's swing-up, episodes of up to 1000 steps).
2. The original release's BipedalWalker champion (its .out file) walking gymnasium's
   BipedalWalker-v3 (needs gymnasium[box2d]) at one shared weight (the champion walks at -1.5
   and -1, docs/biped.md).

Prints each episode's return. Only wann_h5, NumPy and gymnasium are used: no engine binary.
"""
from __future__ import annotations

import argparse
import math
import pathlib

import numpy as np

import wann_h5

ROOT = pathlib.Path(__file__).resolve().parents[2]


class CartPoleSwingUp:
    """The original release's CartPoleSwingUp (gymnasium API: reset -> (obs, info), step -> (obs,
    reward, terminated, truncated, info)); observation x, x', cos(theta), sin(theta), theta'."""

    g, m_cart, m_pole, length, force, dt, friction, x_limit, t_limit = 9.82, 0.5, 0.5, 0.6, 10.0, 0.01, 0.1, 2.4, 1000

    def reset(self, seed: int | None = None):
        rng = np.random.default_rng(seed)
        self.state = rng.normal([0.0, 0.0, math.pi, 0.0], 0.2)
        self.t = 0
        return self._obs(), {}

    def _obs(self):
        x, x_dot, theta, theta_dot = self.state
        return np.array([x, x_dot, math.cos(theta), math.sin(theta), theta_dot])

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        f = float(np.clip(action, -1.0, 1.0)[0]) * self.force
        s, c = math.sin(theta), math.cos(theta)
        total, mpl = self.m_cart + self.m_pole, self.m_pole * self.length
        xdd = (-2 * mpl * theta_dot ** 2 * s + 3 * self.m_pole * self.g * s * c + 4 * f - 4 * self.friction * x_dot) / (4 * total - 3 * self.m_pole * c ** 2)
        tdd = (-3 * mpl * theta_dot ** 2 * s * c + 6 * total * self.g * s + 6 * (f - self.friction * x_dot) * c) / (4 * self.length * total - 3 * mpl * c ** 2)
        x, theta = x + x_dot * self.dt, theta + theta_dot * self.dt
        x_dot, theta_dot = x_dot + xdd * self.dt, theta_dot + tdd * self.dt
        self.state = np.array([x, x_dot, theta, theta_dot])
        self.t += 1
        reward = (math.cos(theta) + 1.0) / 2.0 * math.cos(x / self.x_limit * math.pi / 2.0)
        return self._obs(), reward, abs(x) > self.x_limit, self.t >= self.t_limit, {}


def episode(env, net: wann_h5.Network, weight: float, seed: int, clip: bool = False, max_steps: int = 2000) -> float:
    """One episode; the first action comes from the reset observation, as in the original."""
    obs, _ = env.reset(seed=seed)
    net.reset()
    total = 0.0
    for _ in range(max_steps):
        action = net.act(obs, weight)
        obs, reward, terminated, truncated, _ = env.step(np.clip(action, -1, 1) if clip else action)
        total += float(reward)
        if terminated or truncated:
            break
    return total


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--swingup", default=str(ROOT / "notebooks-data" / "swingup-short.h5"), help="run archive with a swing-up champion")
    p.add_argument("--swingup-weight", type=float, default=1.0)
    p.add_argument("--biped", default=str(ROOT / "reference" / "original-champions" / "biped.out"), help="the original's walker champion")
    p.add_argument("--biped-weight", type=float, default=-1.5)
    p.add_argument("--episodes", type=int, default=3)
    args = p.parse_args(argv)

    net = wann_h5.Network.from_archive(args.swingup)
    print(f"swing-up champion of {args.swingup}: {net}")
    for seed in range(args.episodes):
        print(f"  episode {seed}: return {episode(CartPoleSwingUp(), net, args.swingup_weight, seed):.1f} at weight {args.swingup_weight}")

    try:
        import gymnasium as gym
    except ImportError:
        print("gymnasium is not installed (pip install 'gymnasium[box2d]'): skipping the walker")
        return
    walker = wann_h5.Network.from_original(args.biped, inputs=24, outputs=4)
    print(f"original walker champion {args.biped}: {walker}")
    env = gym.make("BipedalWalker-v3")
    for seed in range(args.episodes):
        print(f"  episode {seed}: return {episode(env, walker, args.biped_weight, seed, clip=True):.1f} at weight {args.biped_weight}")
    env.close()


if __name__ == "__main__":
    main()
