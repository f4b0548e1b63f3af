"""POPGym's card games, ported natively (docs/popgym.md): the fixture the Swift replay
test reads is what the installed package records, byte for byte; the package's decks are
uniform shuffles (what the native decks are tested against); the native tasks search."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
gymnasium = pytest.importorskip("gymnasium", reason="scripts/test installs gymnasium into the venv")
pytest.importorskip("popgym", reason="scripts/test installs popgym into the venv")


def test_fixture_regenerates_from_the_package(tmp_path):
    out = tmp_path / "cards.txt"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "popgym_fixture.py"), "--out", str(out)], check=True)
    assert out.read_bytes() == (ROOT / "Tests" / "Fixtures" / "popgym-cards.txt").read_bytes()


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
