#!/usr/bin/env python3
"""Validates our BipedalWalker (Box2D 2.4, Swift) against gymnasium's BipedalWalker-v3 (pybox2d 2.3).

Box2D 2.4 rewrote the revolute-joint limit solver, so the two cannot agree bit for bit. We
compare them as a scientist would, with the reference switched to the original release's
semantics (what our walker implements, docs/biped.md):
  * lidar stops at the first ground fixture Box2D reports (v3 keeps the closest hit);
  * no -100 when the hull touches the ground: the reward is recomputed with the original's
    formula (forward progress, head angle, torque cost) from the reference's bodies.

Two checks:
  replay   the same terrain (taken from the reference after reset), the same push on the hull,
           the same actions: per-step observation and reward differences over the first steps;
  returns  mean episode returns of fixed policies over many terrains (the reference's seeds vs
           our own terrain streams) with 95% confidence intervals.

Usage: python scripts/biped_reference.py replay --seeds 10 --steps 100
       python scripts/biped_reference.py returns --episodes 50
Prints JSON. WANN_BIN names the wann binary (default .build/release/wann).
"""
import argparse
import json
import math
import os
import pathlib
import subprocess

import numpy as np

from original_swingup import forward  # the original's node-by-node network

ROOT = pathlib.Path(__file__).resolve().parents[1]
WANN = os.environ.get("WANN_BIN", str(ROOT / ".build" / "release" / "wann"))
SCALE, FPS, MOTORS_TORQUE = 30.0, 50, 80


def make_reference():
    """gymnasium's v3 walker, unwrapped (no TimeLimit), recording the reset push on the hull."""
    import Box2D
    import gymnasium as gym
    pushes = []
    original = Box2D.b2Body.ApplyForceToCenter
    if not getattr(original, "_wann_recorder", False):
        def recording(self, force, wake):
            pushes.append(float(force[0]))
            return original(self, force, wake)
        recording._wann_recorder = True
        Box2D.b2Body.ApplyForceToCenter = recording
        make_reference.pushes = pushes
    import warnings
    warnings.filterwarnings("ignore", message=".*swigvarlink.*")
    env = gym.make("BipedalWalker-v3").unwrapped
    return env, make_reference.pushes


class FirstHitLidar:
    """The original's lidar callback: skip non-ground fixtures, stop at the first ground one."""

    def __new__(cls):
        import Box2D

        class Callback(Box2D.b2.rayCastCallback):
            def ReportFixture(self, fixture, point, normal, fraction):
                if (fixture.filterData.categoryBits & 1) == 0:
                    return 1
                self.p2 = point
                self.fraction = fraction
                return 0
        return Callback()


class OriginalSemantics:
    """Steps the reference walker with the original's lidar and reward."""

    def __init__(self, env, pushes):
        self.env, self.pushes = env, pushes

    def reset(self, seed):
        e = self.env
        e.reset(seed=seed)
        e.lidar = [FirstHitLidar() for _ in range(10)]
        self.prev = self.shaping()
        return {"x": [float(v) for v in e.terrain_x], "y": [float(v) for v in e.terrain_y],
                "initial_force": self.pushes[-1]}

    def shaping(self):
        e = self.env
        return 130 * e.hull.position[0] / SCALE - 5.0 * abs(e.hull.angle)

    def step(self, action):
        obs, _, terminated, truncated, _ = self.env.step(np.asarray(action, dtype=np.float32))
        shaping = self.shaping()
        reward = shaping - self.prev - sum(0.00035 * MOTORS_TORQUE * min(abs(a), 1.0) for a in action)
        self.prev = shaping
        return np.asarray(obs, dtype=np.float64), reward, bool(terminated)


def our_replay(terrain, actions):
    request = dict(terrain, actions=[list(map(float, a)) for a in actions])
    out = subprocess.run([WANN, "walker", "replay"], input=json.dumps(request), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def open_loop(t, phase=0.0):
    """A fixed open-loop gait: each joint a sine of a 1-second period, legs in antiphase."""
    w = 2 * math.pi * t / FPS
    return [math.sin(w + phase), math.sin(w + phase + math.pi / 2), math.sin(w + phase + math.pi),
            math.sin(w + phase + 3 * math.pi / 2)]


def replay(args):
    env, pushes = make_reference()
    ref = OriginalSemantics(env, pushes)
    rows = []
    for seed in range(args.seeds):
        terrain = ref.reset(seed)
        actions = [open_loop(t, phase=seed) for t in range(args.steps)]
        ours = our_replay(terrain, actions)
        obs_diff, rew_diff = [], []
        for t, a in enumerate(actions):
            o, r, done = ref.step(a)
            mine = np.array(ours["observations"][t + 1])
            obs_diff.append(float(np.abs(o - mine).max()))
            rew_diff.append(abs(r - ours["rewards"][t]))
            if done or ours["done"][t]:
                break
        rows.append({"seed": seed, "steps": len(obs_diff), "obs_max_diff": obs_diff, "reward_abs_diff": rew_diff})
    return {"check": "replay", "seeds": args.seeds, "rows": rows}


def load_out(path):
    m = np.loadtxt(path, delimiter=",")
    n = m.shape[0]
    return np.nan_to_num(m[:, :n]) != 0, m[:, n]


def returns(args):
    """Mean returns of a network (by default the original champion) at one shared weight: the
    reference on its seeds 10000..., ours through `wann evaluate` (our terrains)."""
    env, pushes = make_reference()
    ref = OriginalSemantics(env, pushes)
    topology, acts = load_out(args.genome)
    w_mat = np.where(topology, args.weight, 0.0)
    totals = []
    for seed in range(args.episodes):
        ref.reset(10_000 + seed)
        obs = ref_obs(env)  # the original's rollout rule: the first action from the reset observation
        total, steps = 0.0, 0
        while True:
            action = forward(w_mat, acts, 24, 4, obs)
            obs, r, done = ref.step(action)
            total += r
            steps += 1
            if (done and steps > 1) or steps > 1600:
                break
        totals.append(total)
    ours = json.loads(subprocess.run([WANN, "evaluate", "--genome", args.genome, "--task", "biped", f"--weights={args.weight}",
                                      "--trials", str(args.episodes), "--json"], capture_output=True, text=True, check=True).stdout)
    t = np.array(totals)
    return {"check": "returns", "weight": args.weight, "episodes": args.episodes,
            "reference_mean": float(t.mean()), "reference_std": float(t.std(ddof=1)),
            "ours_mean": ours["mean"][0], "ours_std": ours["std"][0]}


def ref_obs(env):
    """The observation the reference returned at reset, with the original's lidar recomputed."""
    e = env
    pos = e.hull.position
    fractions = []
    for i in range(10):
        cb = FirstHitLidar()
        cb.fraction = 1.0
        p2 = (pos[0] + math.sin(1.5 * i / 10.0) * (160 / SCALE), pos[1] - math.cos(1.5 * i / 10.0) * (160 / SCALE))
        e.world.RayCast(cb, pos, p2)
        fractions.append(cb.fraction)
    vel = e.hull.linearVelocity
    j = e.joints
    state = [e.hull.angle, 2.0 * e.hull.angularVelocity / FPS, 0.3 * vel.x * (600 / SCALE) / FPS,
             0.3 * vel.y * (400 / SCALE) / FPS,
             j[0].angle, j[0].speed / 4, j[1].angle + 1.0, j[1].speed / 6, 1.0 if e.legs[1].ground_contact else 0.0,
             j[2].angle, j[2].speed / 4, j[3].angle + 1.0, j[3].speed / 6, 1.0 if e.legs[3].ground_contact else 0.0]
    return np.array(state + fractions, dtype=np.float64)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("replay")
    r.add_argument("--seeds", type=int, default=10)
    r.add_argument("--steps", type=int, default=100)
    q = sub.add_parser("returns")
    q.add_argument("--genome", default=str(ROOT / "reference" / "original-champions" / "biped.out"))
    q.add_argument("--weight", type=float, default=-1.0)
    q.add_argument("--episodes", type=int, default=50)
    args = p.parse_args()
    print(json.dumps(replay(args) if args.command == "replay" else returns(args)))


if __name__ == "__main__":
    main()
