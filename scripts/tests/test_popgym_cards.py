"""POPGym's games ported natively (docs/popgym.md): the fixtures the Swift replay tests read are
what the installed package records, byte for byte; the package's decks are uniform shuffles and
its cart-pole starts are U(-0.05, 0.05) (what the native draws are tested against); the native
tasks search."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
gymnasium = pytest.importorskip("gymnasium", reason="scripts/test installs gymnasium into the venv")
pytest.importorskip("popgym", reason="scripts/test installs popgym into the venv")


def test_fixtures_regenerate_from_the_package(tmp_path):
    files = {"--out": "popgym-cards.txt", "--cartpole-out": "popgym-cartpole.txt", "--pendulum-out": "popgym-pendulum.txt"}
    args = [a for flag, name in files.items() for a in (flag, str(tmp_path / name))]
    subprocess.run([sys.executable, str(ROOT / "scripts" / "popgym_fixture.py"), *args], check=True)
    for name in files.values():
        assert (tmp_path / name).read_bytes() == (ROOT / "Tests" / "Fixtures" / name).read_bytes(), name


@pytest.mark.parametrize(("env_id", "classes"), [("popgym-RepeatPreviousEasy-v0", 4), ("popgym-CountRecallEasy-v0", 2),
                                                 ("popgym-CountRecallHard-v0", 13), ("popgym-HigherLowerEasy-v0", 13)])
def test_the_packages_first_card_is_uniform(env_id, classes):
    """The reference distribution of CardMemoryTests.nativeDecksAreUniformShuffles: over 10,000
    resets the package's first dealt class is uniform too (chi-square, 0.1% level)."""
    env = gymnasium.make(env_id).unwrapped
    counts = [0] * classes
    for seed in range(10_000):
        obs, _ = env.reset(seed=seed)
        counts[int(obs[0]) if "CountRecall" in env_id else int(obs)] += 1
    expected = 10_000 / classes
    chi2 = sum((c - expected) ** 2 / expected for c in counts)
    assert chi2 < {2: 10.83, 4: 16.27, 13: 32.91}[classes], counts


def test_native_card_tasks_search(wann, tmp_path):
    out = tmp_path / "rp.h5"
    r = subprocess.run([str(wann), "search", "--task", "popgym-count-recall-easy", "--recurrent", "--generations", "2",
                        "--population", "16", "--out", str(out), "--quiet"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    import h5py
    with h5py.File(out, "r") as f:
        assert f.attrs["task"] == "popgym-count-recall-easy"
        assert f.attrs["input_labels"] == "dealt black,dealt red,query black,query red"
        assert f.attrs["output_labels"].split(",")[:2] == ["count 0", "count 1"] and len(f.attrs["output_labels"].split(",")) == 27
        rewards = f["generations"]["000000"]["rewards"][()]
    # 51 answers of +-1/51 each: every return lies in [-1, 1].
    assert (abs(rewards) <= 1 + 1e-12).all()


def test_the_packages_cartpole_start_is_uniform_and_its_noise_gaussian():
    """The reference distributions of PositionOnlyCartPoleTests.nativeDrawsHaveThePackagesDistributions."""
    env = gymnasium.make("popgym-NoisyPositionOnlyCartPoleEasy-v0").unwrapped
    starts, noise = [], []
    for seed in range(10_000):
        env.reset(seed=seed)
        starts.append(env.state.copy())
        obs, *_ = env.step(0)
        noise.append(float(obs[1]) - float(env.state[2]))
    import numpy as np
    s = np.array(starts)
    assert s.min() >= -0.05 and s.max() < 0.05
    assert abs(s.mean()) < 0.002 and abs(s.std() - 0.1 / 12 ** 0.5) < 0.001
    assert abs(np.std(noise) - 0.1) < 0.005


def test_native_cartpole_tasks_search(wann, tmp_path):
    out = tmp_path / "cp.h5"
    r = subprocess.run([str(wann), "search", "--task", "popgym-noisy-position-only-cartpole-easy", "--generations", "2",
                        "--population", "16", "--out", str(out), "--quiet"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    import h5py
    with h5py.File(out, "r") as f:
        assert f.attrs["input_labels"] == "x,theta" and f.attrs["output_labels"] == "left,right"
        rewards = f["generations"]["000000"]["rewards"][()]
    # 1/200 per step for at most 200 steps; at least one step.
    assert ((rewards >= 1 / 200) & (rewards <= 1 + 1e-12)).all()


def test_the_packages_pendulum_start_is_uniform():
    """The reference distribution of PositionOnlyPendulumTests.nativeStartsHaveThePackagesDistribution."""
    import numpy as np
    env = gymnasium.make("popgym-PositionOnlyPendulumEasy-v0").unwrapped
    starts = []
    for seed in range(10_000):
        env.reset(seed=seed)
        starts.append(env.state.copy())
    s = np.array(starts)
    assert (abs(s[:, 0]) <= np.pi).all() and (abs(s[:, 1]) <= 1).all()
    assert abs(s[:, 0].mean()) < 0.06 and abs(s[:, 0].std() - 2 * np.pi / 12 ** 0.5) < 0.03
    assert abs(s[:, 1].mean()) < 0.02 and abs(s[:, 1].std() - 2 / 12 ** 0.5) < 0.01


def test_the_study_summary_reads_both_readings_of_finished_comparisons(wann, tmp_path):
    """scripts/popgym_summary.py (docs/results.md's POPGym table): a row per finished comparison
    with each space's mean over the weights and at the best weight, the Holm p of the memory
    spaces against feed-forward, and the comparisons not finished listed as such."""
    import json

    runs = tmp_path / "paper"
    runs.mkdir()
    archive = runs / "popgym-repeat-previous-easy.h5"
    subprocess.run([str(wann), "compare", "--task", "popgym-repeat-previous-easy", "--conditions", "ff,recurrent,o2o,both",
                    "--seeds", "2", "--generations", "3", "--population", "16", "--trials", "3", "--out", str(archive)],
                   check=True, capture_output=True)
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "popgym_summary.py"), "--runs", str(runs), "--wann", str(wann)],
                         check=True, capture_output=True, text=True).stdout
    row = next(line for line in out.splitlines() if line.startswith("| popgym-repeat-previous-easy |"))
    cells = [c.strip().strip("*") for c in row.strip("|").split("|")]
    mean = json.loads(subprocess.run([str(wann), "experiment", "report", str(archive), "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    best = json.loads(subprocess.run([str(wann), "experiment", "report", str(archive), "--score", "best-weight", "--json"],
                                     check=True, capture_output=True, text=True).stdout)
    spaces = ["feedForward", "recurrent", "outputToOutput", "both"]
    by = {r["condition"]: r for r in mean["rows"]}
    by_best = {r["condition"]: r for r in best["rows"]}
    assert cells[1:5] == [f"{by[s]['mean']:.2f}" for s in spaces]
    assert cells[5:9] == [f"{by_best[s]['mean']:.2f}" for s in spaces]
    assert all(by_best[s]["mean"] >= by[s]["mean"] for s in spaces)  # the best weight is never below the mean
    assert "Not finished yet:" in out and "popgym-repeat-first-easy" in out and "popgym-repeat-previous-medium" in out


def test_the_memoryless_higher_lower_reference_runs_on_the_package():
    """scripts/popgym_memoryless.py: the threshold policy on the package's HigherLower wins about
    three guesses in four when it does not tie, so its return lies well above chance (0)."""
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "popgym_memoryless.py"), "--episodes", "200"],
                         check=True, capture_output=True, text=True).stdout
    mean = float(out.split("mean return ")[1].split()[0])
    assert "200 episodes" in out and 0.4 < mean < 0.6
