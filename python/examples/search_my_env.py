#!/usr/bin/env python3
"""Search a WANN for your own Gymnasium environment, end to end (docs/gymnasium.md).

    python/examples/search_my_env.py [--wann PATH] [--generations 8]

Defines a small environment class (a point steered to a moving target: a Box observation and a
Discrete(3) action), writes it as a module beside a config, runs `wann search` on
`gym:my_target_env:TargetEnv`, then reads the archive with h5py: the environment wann recorded,
the champion's size and its mean return per shared weight. Copy the class, make it yours, and
point `task` at it; the module is found beside the config, or anywhere on the Python path.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ENVIRONMENT = '''
import gymnasium
import numpy as np
from gymnasium import spaces


class TargetEnv(gymnasium.Env):
    """Keep a point on a target that drifts: observe (point - target, drift), act left/stay/right."""

    observation_labels = ["offset", "drift"]  # optional: names for the network's inputs
    action_labels = ["left", "stay", "right"]  # optional: names for its outputs

    def __init__(self, length=100):
        self.observation_space = spaces.Box(-10, 10, (2,), np.float64)
        self.action_space = spaces.Discrete(3)
        self.length = length

    def _obs(self):
        return np.array([self.x - self.target, self.drift])

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)  # every random draw below comes from this seed: deterministic
        self.x, self.target = 0.0, float(self.np_random.uniform(-3, 3))
        self.drift = float(self.np_random.choice([-0.05, 0.05]))
        self.t = 0
        return self._obs(), {}

    def step(self, action):
        self.x = float(np.clip(self.x + 0.2 * (int(action) - 1), -10, 10))
        self.target = float(np.clip(self.target + self.drift, -10, 10))
        self.t += 1
        return self._obs(), -abs(self.x - self.target), False, self.t >= self.length, {}
'''


def main():
    root = pathlib.Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wann", default=str(root / ".build" / "release" / "wann"))
    ap.add_argument("--generations", type=int, default=8)
    ap.add_argument("--out", help="folder for the module, config and archive (default: a temporary one)")
    args = ap.parse_args()
    folder = pathlib.Path(args.out or tempfile.mkdtemp(prefix="wann-my-env-"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "my_target_env.py").write_text(ENVIRONMENT)
    config = folder / "search.toml"
    config.write_text(f'task = "gym:my_target_env:TargetEnv"\ngenerations = {args.generations}\n[population]\nsize = 64\n')
    archive = folder / "run.h5"
    # The workers run in this interpreter (it has gymnasium): --python names it.
    cmd = [args.wann, "search", "--config", str(config), "--out", str(archive), "--force", "--python", sys.executable]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    with h5py.File(archive, "r") as f:
        env = json.loads(f.attrs["environment"])
        print(f"environment {env['environment']}: observation {env['observation_space']}, action {env['action_space']}, "
              f"inputs {f.attrs['input_labels']}, outputs {f.attrs['output_labels']}, deterministic {env['deterministic']}")
        last = sorted(f["generations"])[-1]
        rewards = np.asarray(f["generations"][last]["rewards"])  # genomes x repetitions x weights
        print(f"generation {last}: best genome's mean return {rewards.mean(axis=1).mean(axis=1).max():.1f}")
    profile = subprocess.run([args.wann, "profile", f"{archive}#champion", "--weights=-2,-1,-0.5,0.5,1,2", "--trials", "10",
                              "--python", sys.executable, "--json"], check=True, capture_output=True, text=True)
    p = json.loads(profile.stdout)["profiles"][0]
    print(f"champion ({p['connections']} connections), mean return per shared weight: "
          + ", ".join(f"{w:g}: {m:.1f}" for w, m in zip(p["weights"], p["mean"], strict=True)))
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
