"""Gymnasium environments as tasks (docs/gymnasium.md): searches on CartPole-v1, Pendulum-v1, a
Box2D environment, a POPGym environment and a Dict-observation environment of these tests' own;
determinism over threads and resume; and every failure of an environment or its worker as one
line, exit status 2, finished generations kept and `wann resume` going on."""
import json
import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import pytest

ENVS = pathlib.Path(__file__).resolve().parent / "gym_envs"
gymnasium = pytest.importorskip("gymnasium", reason="scripts/test installs gymnasium into the venv")


def run(wann, *args, env=None, timeout=300, cwd=None):
    e = dict(os.environ)
    e["WANN_PYTHON"] = sys.executable
    e["WANN_GYM_PATH"] = str(ENVS)
    e.update(env or {})
    return subprocess.run([str(wann), *map(str, args)], check=False, capture_output=True, text=True, env=e, timeout=timeout, cwd=cwd)


def search(wann, tmp_path, task, name="run.h5", generations=2, population=16, extra=(), env=None):
    out = tmp_path / name
    r = run(wann, "search", "--task", task, "--generations", generations, "--population", population, "--out", out,
            "--quiet", *extra, env=env)
    return r, out


def rewards(path):
    with h5py.File(path, "r") as f:
        gens = f["generations"]
        return [np.asarray(gens[k]["rewards"]) for k in sorted(gens)]


def one_error_line(r):
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1 and lines[0].startswith("wann: error: "), r.stderr
    return lines[0]


def test_cartpole_archive_describes_the_environment_and_is_the_same_for_any_thread_count(wann, tmp_path):
    r1, a = search(wann, tmp_path, "gym:CartPole-v1", "t1.h5", extra=("--threads", "1"))
    r2, b = search(wann, tmp_path, "gym:CartPole-v1", "t2.h5", extra=("--threads", "2"))
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    for x, y in zip(rewards(a), rewards(b), strict=True):
        np.testing.assert_array_equal(x, y)
    with h5py.File(a, "r") as f:
        d = json.loads(f.attrs["environment"])
        assert f.attrs["task"] == "gym:CartPole-v1"
        assert f.attrs["input_labels"] == "obs[0],obs[1],obs[2],obs[3]"
        assert f.attrs["output_labels"] == "act=0,act=1"
    assert d["action_space"] == "Discrete(2)" and d["max_episode_steps"] == 500 and d["deterministic"] is True
    assert d["gymnasium_version"] == gymnasium.__version__
    # A CartPole episode pays 1 per step: some rollout of generation 0 must have stepped past 1.
    assert rewards(a)[0].max() > 1


def test_resume_is_bit_exact(wann, tmp_path):
    whole_r, whole = search(wann, tmp_path, "gym:CartPole-v1", "whole.h5", generations=3)
    part_r, part = search(wann, tmp_path, "gym:CartPole-v1", "part.h5", generations=2)
    assert whole_r.returncode == 0 and part_r.returncode == 0
    r = run(wann, "resume", part, "--generations", 3, "--quiet")
    assert r.returncode == 0, r.stderr
    for x, y in zip(rewards(whole), rewards(part), strict=True):
        np.testing.assert_array_equal(x, y)


def test_pendulum_box_actions_are_clipped_outputs(wann, tmp_path):
    r, out = search(wann, tmp_path, "gym:Pendulum-v1")
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        d = json.loads(f.attrs["environment"])
        assert f.attrs["output_labels"] == "act[0]"
    assert d["action_kind"] == "box" and d["action_low"] == [-2.0] and d["action_high"] == [2.0]
    # 200 steps of at most 0 reward each, and never the best possible at every step.
    assert all((g <= 0).all() and (g > -16.3 * 200).all() for g in rewards(out))


def test_box2d_environment_with_kwargs(wann, tmp_path):
    pytest.importorskip("Box2D", reason="scripts/test installs gymnasium[box2d]")
    r, out = search(wann, tmp_path, "gym:LunarLander-v3", extra=("--env-kwargs", '{"continuous": true}'))
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        d = json.loads(f.attrs["environment"])
        assert f.attrs["task"] == 'gym:LunarLander-v3 {"continuous": true}'
    assert d["kwargs"] == '{"continuous": true}' and d["action_kind"] == "box" and d["action_size"] == 2
    assert d["package"] == "gymnasium"
    # The config stored in the archive names the same task, kwargs and all, and resumes.
    r = run(wann, "resume", out, "--generations", 3, "--quiet")
    assert r.returncode == 0, r.stderr


def test_popgym_environment(wann, tmp_path):
    pytest.importorskip("popgym", reason="scripts/test installs popgym")
    r, out = search(wann, tmp_path, "gym:popgym:popgym-RepeatPreviousEasy-v0", extra=("--recurrent",))
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        d = json.loads(f.attrs["environment"])
        labels = f.attrs["input_labels"].split(",")
    assert d["package"] == "popgym" and d["package_version"]
    assert labels[:4] == ["obs=0", "obs=1", "obs=2", "obs=3"]  # Discrete(4): one-hot


def test_dict_observation_environment_of_ones_own_beside_the_config(wann, tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text('task = "gym:wann_test_envs:DictEnv"\ngenerations = 2\n[population]\nsize = 16\n')
    (tmp_path / "wann_test_envs.py").write_text((ENVS / "wann_test_envs.py").read_text())
    out = tmp_path / "mine.h5"
    r = run(wann, "search", "--config", config, "--out", out, "--quiet", env={"WANN_GYM_PATH": ""})
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        # Gymnasium sorts a Dict space's keys, and flattens in that order.
        assert f.attrs["input_labels"] == "phase=0,phase=1,phase=2,position[0]"
        assert f.attrs["output_labels"] == "act=0,act=1,act=2"
        d = json.loads(f.attrs["environment"])
    assert d["environment"] == "wann_test_envs:DictEnv" and d["package"] == "wann_test_envs"
    # -|x| per step for 30 steps from |x| <= 3.
    assert all((g <= 0).all() and (g >= -5 * 30).all() for g in rewards(out))


def test_missing_gymnasium_says_what_to_install(wann, tmp_path):
    fake = tmp_path / "nogym" / "gymnasium"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no gymnasium here')\n")
    r, _ = search(wann, tmp_path, "gym:CartPole-v1", env={"PYTHONPATH": str(fake.parent)})
    line = one_error_line(r)
    assert f"{sys.executable} -m pip install gymnasium" in line


def test_missing_environment_package_and_unknown_id(wann, tmp_path):
    line = one_error_line(search(wann, tmp_path, "gym:no_such_package_xyz:Env")[0])
    assert "'no_such_package_xyz' is not installed" in line
    line = one_error_line(search(wann, tmp_path, "gym:CartPol-v1")[0])
    assert "no environment 'CartPol-v1'" in line and "CartPole-v1" in line


@pytest.mark.parametrize(("args", "needle"), [
    (("--task", "gym:CartPole-v1", "--env-kwargs", "[1]"), "must be a JSON object"),
    (("--task", "gym:CartPole-v1", "--env-kwargs", '{"nope": 1}'), "unexpected keyword argument 'nope'"),
    (("--task", "gym:CartPole-v1", "--env-kwargs", "{oops}"), "not JSON"),
    (("--task", "swingup", "--env-kwargs", "{}"), "gym: tasks only"),
    (("--task", "gym:wann_test_envs:TextActionEnv"), "action space Text"),
    (("--task", "gym:CartPole-v1", "--python", "/nonexistent/python"), "cannot start the Python interpreter"),
])
def test_bad_input_is_one_line(wann, tmp_path, args, needle):
    r = run(wann, "search", "--generations", 1, "--population", 16, "--out", tmp_path / "x.h5", *args)
    assert needle in one_error_line(r)


@pytest.mark.parametrize(("mode", "needle"), [
    ("raise", "the environment raised RuntimeError: the test environment broke on purpose"),
    ("kill", "was killed by signal 9"),
    ("hang", "gave no answer within 2.0 s"),
    ("nan", "observation 3 (position[0]) is nan"),
    ("nan-reward", "the reward is inf"),
])
def test_environment_failures_keep_finished_generations_and_resume_goes_on(wann, tmp_path, mode, needle):
    marker = tmp_path / "failed-once"
    task = f'gym:wann_test_envs:FailingEnv {{"mode": "{mode}", "after": 500, "marker": "{marker}"}}'
    r, out = search(wann, tmp_path, task, generations=4, extra=("--threads", "1"), env={"WANN_GYM_TIMEOUT": "2"})
    line = one_error_line(r)
    assert needle in line and "generation " in line and ", step " in line, line
    assert marker.exists()
    # 16 genomes x 6 weights x 3 repetitions = 288 episodes a generation, and the champion's
    # re-tests: the failure comes after generation 0 finished, which is kept; resume completes.
    with h5py.File(out, "r") as f:
        done = len(f["generations"])
    assert done >= 1
    r = run(wann, "resume", out, "--quiet")
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        assert len(f["generations"]) == 4 >= done


def test_nondeterministic_environment_is_flagged(wann, tmp_path):
    r, out = search(wann, tmp_path, "gym:wann_test_envs:NoisyEnv", generations=1)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("is not deterministic under reset(seed=)") == 1
    with h5py.File(out, "r") as f:
        assert json.loads(f.attrs["environment"])["deterministic"] is False


def test_other_commands_take_gym_archives(wann, tmp_path):
    r, out = search(wann, tmp_path, "gym:CartPole-v1")
    assert r.returncode == 0
    for args in (("evaluate", "--genome", f"{out}#champion", "--trials", 2),
                 ("profile", f"{out}#champion", "--weights", "-1:1:3", "--trials", 2),
                 # A small optimiser budget: the default 20,000 tuning rollouts through Python
                 # workers took minutes on a busy host, and the budget is not what this checks.
                 ("conditions", f"{out}#champion", "--trials", 2, "--budget", 100),
                 ("draw", f"{out}#champion", "--out", tmp_path / "net.svg")):
        r = run(wann, *args)
        assert r.returncode == 0, (args, r.stderr)
    assert "obs[0]" in (tmp_path / "net.svg").read_text()


def test_the_example_searches_its_own_environment_end_to_end(wann, tmp_path, root):
    script = root / "python" / "examples" / "search_my_env.py"
    r = subprocess.run([sys.executable, str(script), "--wann", str(wann), "--generations", "2", "--out", str(tmp_path)],
                       capture_output=True, text=True, check=False, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "inputs offset,drift, outputs left,stay,right, deterministic True" in r.stdout
    assert "mean return per shared weight: -2:" in r.stdout
    assert (tmp_path / "run.h5").exists() and (tmp_path / "my_target_env.py").exists()
