#!/usr/bin/env python3
"""Independent NumPy re-scoring of a swing-up network, following the original WANN release.

Why this exists: `wann evaluate` must give what the original gives. This script re-implements,
in plain NumPy and in the original's style, exactly what the original does when it re-scores a
champion: the weight matrix with every connection set to the shared weight, node values computed
one node at a time as act(dot(values, W[:, i])), the CartPoleSwingUp step in the original's
order of operations, initial states from NumPy's legacy generator (seeded per trial), and a
rollout that takes its first action from the reset observation and stops when the environment
says done (at most 1000 steps). It is also a stand-in for the original's speed: like the
original, it does Python-level work per node per step.

Usage: python scripts/original_swingup.py GENOME.out --weights -2,-1,-0.5,0.5,1,2 --trials 100
Prints one JSON object: weights, mean, std, trials (as `wann evaluate --json`), steps, seconds.
"""
import argparse
import json
import math
import sys
import time

import numpy as np

G, M_CART, M_POLE, L, FORCE, DT, B, X_LIMIT, T_LIMIT = 9.82, 0.5, 0.5, 0.6, 10.0, 0.01, 0.1, 2.4, 1000
TOTAL_M = M_POLE + M_CART
M_P_L = M_POLE * L


def activation(act_id, x):
    if act_id == 1:
        return x
    if act_id == 2:
        return 1.0 * (x > 0.0)
    if act_id == 3:
        return np.sin(np.pi * x)
    if act_id == 4:
        return np.exp(-np.multiply(x, x) / 2.0)
    if act_id == 5:
        return np.tanh(x)
    if act_id == 6:
        return (np.tanh(x / 2.0) + 1.0) / 2.0
    if act_id == 7:
        return -x
    if act_id == 8:
        return abs(x)
    if act_id == 9:
        return np.maximum(0, x)
    if act_id == 10:
        return np.cos(np.pi * x)
    if act_id == 11:
        return x ** 2
    raise ValueError(f"unknown activation id {act_id}")


def forward(w_mat, acts, n_in, n_out, obs):
    n = w_mat.shape[0]
    values = np.zeros(n)
    values[0] = 1.0
    values[1:n_in + 1] = obs
    for i in range(n_in + 1, n):
        # The original sums with np.dot, whose order of additions is the BLAS kernel's: it changes
        # with the CPU (and OPENBLAS_CORETYPE), and so do the last bits of a rare sum. NumPy's own
        # reduction adds in one fixed order on every machine, so the reference episodes made from
        # these actions (make_swingup_episodes.py) are the same everywhere.
        values[i] = activation(int(acts[i]), np.add.reduce(values * w_mat[:, i]))
    return values[-n_out:]


def env_step(state, action):
    x, x_dot, theta, theta_dot = state
    action = float(np.clip(action, -1.0, 1.0)[0]) * FORCE
    s, c = math.sin(theta), math.cos(theta)
    xdot_update = (-2 * M_P_L * (theta_dot ** 2) * s + 3 * M_POLE * G * s * c + 4 * action - 4 * B * x_dot) / (
        4 * TOTAL_M - 3 * M_POLE * c ** 2)
    thetadot_update = (-3 * M_P_L * (theta_dot ** 2) * s * c + 6 * TOTAL_M * G * s + 6 * (action - B * x_dot) * c) / (
        4 * L * TOTAL_M - 3 * M_P_L * c ** 2)
    x = x + x_dot * DT
    theta = theta + theta_dot * DT
    x_dot = x_dot + xdot_update * DT
    theta_dot = theta_dot + thetadot_update * DT
    reward = (np.cos(theta) + 1.0) / 2.0 * np.cos((x / X_LIMIT) * (np.pi / 2.0))
    obs = np.array([x, x_dot, np.cos(theta), np.sin(theta), theta_dot])
    return (x, x_dot, theta, theta_dot), obs, reward, x < -X_LIMIT or x > X_LIMIT


def rollout(w_mat, acts, seed):
    np.random.seed(seed)
    state = tuple(np.random.normal(loc=[0.0, 0.0, np.pi, 0.0], scale=[0.2, 0.2, 0.2, 0.2]))
    x, x_dot, theta, theta_dot = state
    obs = np.array([x, x_dot, np.cos(theta), np.sin(theta), theta_dot])
    total, steps = 0.0, 0
    while True:
        action = forward(w_mat, acts, 5, 1, obs)
        state, obs, reward, out = env_step(state, action)
        total += reward
        steps += 1
        if (out and steps > 1) or steps >= T_LIMIT:
            return total, steps


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("genome")
    p.add_argument("--weights", default="-2,-1,-0.5,0.5,1,2")
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--seed", type=int, default=1000, help="trial t uses NumPy seed SEED + t")
    a = p.parse_args()
    m = np.loadtxt(a.genome, delimiter=",")
    n = m.shape[0]
    topology = np.nan_to_num(m[:, :n]) != 0
    acts = m[:, n]
    weights = [float(w) for w in a.weights.split(",")]
    means, stds, total_steps = [], [], 0
    start = time.perf_counter()
    for w in weights:
        w_mat = np.where(topology, w, 0.0)
        rewards = []
        for t in range(a.trials):
            r, s = rollout(w_mat, acts, a.seed + t)
            rewards.append(r)
            total_steps += s
        means.append(float(np.mean(rewards)))
        stds.append(float(np.std(rewards, ddof=1)) if len(rewards) > 1 else 0.0)
    seconds = time.perf_counter() - start
    json.dump({"weights": weights, "mean": means, "std": stds, "trials": [a.trials] * len(weights),
               "steps": total_steps, "seconds": seconds, "stepsPerSecond": total_steps / seconds}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
