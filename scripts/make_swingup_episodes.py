#!/usr/bin/env python3
"""Writes the swing-up reference episodes the Swift tests replay bit for bit.

Why this exists: the README promises that our CartPoleSwingUp reproduces the original release's
environment bit for bit. Five episodes (reference/swingup_trajectories.json) were too few to
catch `x*x` standing in for the original's `x**2` (glibc's `pow`, which differs from `x*x` for
about 1 argument in 1,200). This script produces many more episodes from
scripts/original_swingup.py, which follows the original's Python semantics (its `env_step` keeps
the original's `theta_dot ** 2` and `c ** 2`, `math.sin`/`math.cos` for the forces and `np.cos`/
`np.sin` for the observation; initial states from NumPy's legacy generator as the original's reset
draws them).

Episodes (kind code, how many, actions):
  0  uniform in [-1.5, 1.5], as the original's five reference episodes
  1  uniform in [-1, 1] (never clipped)
  2  uniform in [-5, 5] (mostly clipped)
  3  the original release's champion swing.out at a shared weight (its six weights, then U(-2, 2))
  4  one of our champions (reference/ours/swingup-s3-g198.out) at a shared weight
Champion actions come from the NumPy network of original_swingup.py; only the actions are
stored, so the network's arithmetic never enters the comparison. That network's np.tanh, np.sin
and np.exp are NumPy's and the C library's, whose last bits differ between NumPy builds, CPUs and
glibc versions, so the champion episodes' actions can differ in the last bit when the file is
made elsewhere (and the episode then diverges). `--replay FILE` steps the environment with the
actions of FILE's episodes instead, which needs no network: the test checks the environment that
way on every episode, and the episodes of random actions (kinds 0-2) as made.

File format (little-endian), read by Tests/WANNTasksTests/SwingUpEpisodes.swift:
  8 bytes  magic b"WANNSWEP"
  u32      format version (1)
  u32      episode count
  per episode:
    u8     kind code (above)
    u32    steps
    4 f64  initial state x, x_dot, theta, theta_dot
    f64    action, one per step
    u32    digest per step of the observation (5 f64), the reward (f64) and the done flag
The digest folds the IEEE-754 bit patterns: h = 0; for each 64-bit word v: h = (h ^ v) * FNV
prime mod 2^64; then h ^ (h >> 32), low 32 bits. Words: obs[0..4], reward, done (0 or 1).

Usage: python scripts/make_swingup_episodes.py [--out Tests/Fixtures/swingup-episodes.bin]
       python scripts/make_swingup_episodes.py --replay Tests/Fixtures/swingup-episodes.bin --out OUT
"""
import argparse
import pathlib
import struct

import numpy as np

import original_swingup as orig

ROOT = pathlib.Path(__file__).resolve().parents[1]
FNV_PRIME = 0x100000001B3
MASK = (1 << 64) - 1


def bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def digest(obs, reward, done) -> int:
    h = 0
    for v in [bits(o) for o in obs] + [bits(reward), 1 if done else 0]:
        h = ((h ^ v) * FNV_PRIME) & MASK
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def initial_state(seed: int):
    """The original's reset: Normal([0, 0, pi, 0], 0.2) from NumPy's legacy global generator."""
    np.random.seed(seed)
    return tuple(np.random.normal(loc=[0.0, 0.0, np.pi, 0.0], scale=[0.2, 0.2, 0.2, 0.2]))


def run_episode(state, next_action):
    """Steps until the environment says done (out of bounds or 1000 steps), as the original's
    environment reports it; returns actions and digests."""
    x, x_dot, theta, theta_dot = state
    obs = np.array([x, x_dot, np.cos(theta), np.sin(theta), theta_dot])
    actions, digests = [], []
    for t in range(1, orig.T_LIMIT + 1):
        a = next_action(obs)
        state, obs, reward, out = orig.env_step(state, np.array([a]))
        done = bool(out) or t >= orig.T_LIMIT
        actions.append(float(a))
        digests.append(digest(obs, reward, done))
        if done:
            break
    return actions, digests


def network(path: pathlib.Path):
    m = np.loadtxt(path, delimiter=",")
    n = m.shape[0]
    return (np.nan_to_num(m[:, :n]) != 0), m[:, n]


def champion_policy(topology, acts, weight):
    w_mat = np.where(topology, weight, 0.0)
    return lambda obs: float(orig.forward(w_mat, acts, 5, 1, obs)[0])


def read_episodes(path: pathlib.Path):
    """The episodes of a file in the format above: (kind, initial state, actions, digests)."""
    data = pathlib.Path(path).read_bytes()
    if data[:8] != b"WANNSWEP" or struct.unpack_from("<I", data, 8)[0] != 1:
        raise SystemExit(f"{path}: not a version-1 swing-up episode file")
    count = struct.unpack_from("<I", data, 12)[0]
    offset, episodes = 16, []
    for _ in range(count):
        kind, steps = struct.unpack_from("<BI", data, offset)
        offset += 5
        state = struct.unpack_from("<4d", data, offset)
        offset += 32
        actions = list(struct.unpack_from(f"<{steps}d", data, offset))
        offset += 8 * steps
        digests = list(struct.unpack_from(f"<{steps}I", data, offset))
        offset += 4 * steps
        episodes.append((kind, state, actions, digests))
    return episodes


def replayed(episodes):
    """The same episodes with digests of the environment stepped by each episode's own actions."""
    out = []
    for kind, state, actions, _ in episodes:
        given = iter(actions)
        state = tuple(np.float64(v) for v in state)  # NumPy scalars, as initial_state draws them
        steps, digests = run_episode(state, lambda obs, given=given: next(given))
        assert steps == actions, "the environment ended an episode at another step than the file"
        out.append((kind, state, steps, digests))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=str(ROOT / "Tests" / "Fixtures" / "swingup-episodes.bin"))
    p.add_argument("--replay", metavar="FILE", help="step the environment with FILE's actions instead of making episodes")
    a = p.parse_args()
    episodes = []  # (kind, initial state, actions, digests)
    seed = 0

    def add(kind, policy_for_seed, count):
        nonlocal seed
        for _ in range(count):
            seed += 1
            state = initial_state(seed)
            actions, digests = run_episode(state, policy_for_seed(seed))
            episodes.append((kind, state, actions, digests))

    def uniform(lo, hi):
        def make(s):
            rng = np.random.RandomState(100_000 + s)
            return lambda obs: float(rng.uniform(lo, hi))
        return make

    if a.replay:
        episodes = replayed(read_episodes(a.replay))
    else:
        make_all(add, uniform)
    write(a.out, episodes)


def make_all(add, uniform):
    """Every episode, in the file's order (kinds 0-4 above)."""
    add(0, uniform(-1.5, 1.5), 80)
    add(1, uniform(-1.0, 1.0), 40)
    add(2, uniform(-5.0, 5.0), 40)
    six = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]
    for kind, path in [(3, ROOT / "reference" / "original-champions" / "swing.out"),
                       (4, ROOT / "reference" / "ours" / "swingup-s3-g198.out")]:
        topology, acts = network(path)
        weights = six * 3 + list(np.random.RandomState(kind).uniform(-2, 2, 36))
        for w in weights:
            add(kind, lambda s, w=w: champion_policy(topology, acts, w), 1)


def write(path, episodes):
    out = bytearray(b"WANNSWEP")
    out += struct.pack("<II", 1, len(episodes))
    for kind, state, actions, digests in episodes:
        out += struct.pack("<BI", kind, len(actions))
        out += struct.pack("<4d", *[float(v) for v in state])
        out += struct.pack(f"<{len(actions)}d", *actions)
        out += struct.pack(f"<{len(digests)}I", *digests)
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(path).write_bytes(bytes(out))
    steps = sum(len(e[2]) for e in episodes)
    per_kind = {k: sum(len(e[2]) for e in episodes if e[0] == k) for k in range(5)}
    print(f"{path}: {len(episodes)} episodes, {steps} steps, {len(out)} bytes; steps per kind {per_kind}")


if __name__ == "__main__":
    main()
