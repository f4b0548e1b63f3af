"""Small Gymnasium environments for the gym: task tests (scripts/tests/test_gym.py): a Dict
observation, and one environment per way an environment can fail."""
import os
import pathlib
import random
import time

import gymnasium
import numpy as np
from gymnasium import spaces


class DictEnv(gymnasium.Env):
    """Steer a point to the origin: a Dict observation (a position Box, a Discrete phase) and a
    Discrete(3) action (left, stay, right). Reward: -|x| per step, 30 steps."""

    def __init__(self, length=30):
        self.observation_space = spaces.Dict({"position": spaces.Box(-5, 5, (1,), np.float64),
                                              "phase": spaces.Discrete(3)})
        self.action_space = spaces.Discrete(3)
        self.length = length

    def _obs(self):
        return {"position": np.array([self.x]), "phase": self.t % 3}

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.x = float(self.np_random.uniform(-3, 3))
        self.t = 0
        return self._obs(), {}

    def step(self, action):
        self.x = float(np.clip(self.x + (int(action) - 1) * 0.5, -5, 5))
        self.t += 1
        return self._obs(), -abs(self.x), False, self.t >= self.length, {}


class FailingEnv(DictEnv):
    """Fails in `mode` at the first step after `after` resets of this process, once: a marker file
    (`marker`) records that it failed, so a resumed run goes on."""

    resets = 0

    def __init__(self, mode="raise", after=40, marker=""):
        super().__init__()
        self.mode, self.after, self.marker = mode, after, pathlib.Path(marker)

    def reset(self, seed=None, options=None):
        FailingEnv.resets += 1
        return super().reset(seed=seed, options=options)

    def step(self, action):
        obs, reward, term, trunc, info = super().step(action)
        if FailingEnv.resets > self.after and not self.marker.exists():
            self.marker.write_text(self.mode)
            if self.mode == "raise":
                raise RuntimeError("the test environment broke on purpose")
            if self.mode == "kill":
                os.kill(os.getpid(), 9)
            if self.mode == "hang":
                time.sleep(3600)
            if self.mode == "nan":
                obs["position"] = np.array([np.nan])
            if self.mode == "nan-reward":
                reward = float("inf")
        return obs, reward, term, trunc, info


class NoisyEnv(DictEnv):
    """Ignores the seed: its start comes from the process's global random state."""

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.x = random.uniform(-3, 3)
        return self._obs(), {}


class TextActionEnv(DictEnv):
    """An action space wann does not support."""

    def __init__(self):
        super().__init__()
        self.action_space = spaces.Text(5)
