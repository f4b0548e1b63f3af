"""`wann evaluate` re-scores the original swing-up champion as the original release does.

The two implementations draw their initial states from different generators (ours: counter-based
streams; the original: NumPy's legacy generator), so per weight they give two independent
estimates of the same expected episode reward. We accept when the difference is below 4 standard
errors of the difference (a false alarm has probability ~6e-5 per weight). The test has teeth
where the champion is steady: at w = 0.5 and w = 1 the episode reward's std is ~4-6, so the
standard error is ~1.3 and a semantic difference (a wrong constant, a different rollout rule, a
changed activation) of more than ~5 reward units fails.
"""
import math
import sys

from suite_helpers import run_json

WEIGHTS = "-2,-1,0.5,1"


def test_rescore_matches_original_semantics(wann, reference, root):
    genome = reference / "original-champions" / "swing.out"
    ours = run_json([wann, "evaluate", "--genome", genome, f"--weights={WEIGHTS}", "--trials", "300", "--json"])
    orig = run_json([sys.executable, root / "scripts" / "original_swingup.py", genome, f"--weights={WEIGHTS}", "--trials", "25"])
    assert ours["weights"] == orig["weights"]
    for i, w in enumerate(ours["weights"]):
        se = math.sqrt(ours["std"][i] ** 2 / ours["trials"][i] + orig["std"][i] ** 2 / orig["trials"][i])
        diff = abs(ours["mean"][i] - orig["mean"][i])
        assert diff < 4 * se + 1e-9, f"w={w}: ours {ours['mean'][i]:.2f}, original {orig['mean'][i]:.2f}, se {se:.2f}"


def test_reference_episodes_are_what_the_original_semantics_make(root, tmp_path):
    """Tests/Fixtures/swingup-episodes.bin, which the Swift tests replay bit for bit, is exactly
    what scripts/make_swingup_episodes.py makes from the original's Python semantics today: the
    fixture is reproducible, and a change to original_swingup.py's environment would show here."""
    import subprocess
    import sys

    out = tmp_path / "episodes.bin"
    subprocess.run([sys.executable, root / "scripts" / "make_swingup_episodes.py", "--out", out], check=True,
                   capture_output=True)
    assert out.read_bytes() == (root / "Tests" / "Fixtures" / "swingup-episodes.bin").read_bytes()


def test_bench_times_the_original_semantics_and_mnist_in_the_same_run(wann, root):
    """`wann bench --compare-original` runs scripts/original_swingup.py interleaved with our
    re-scoring and reports both rates and their ratio per repetition; `--workloads mnist` runs a
    generation of the paper's MNIST search. Structure only: timings are for reading, not for
    passing."""
    report = run_json([wann, "bench", "--workloads", "rescore,mnist", "--threads", "2", "--trials", "4", "--json",
                       "--compare-original", "--repetitions", "2", "--original-trials", "1"])
    original = report["original"]
    assert len(original["originalStepsPerSecond"]) == len(original["oursStepsPerSecond"]) == len(original["ratios"]) == 2
    assert all(r > 0 for r in original["ratios"])
    mnist = [r for r in report["results"] if r["workload"].startswith("mnist256")]
    # steps: 1000 images per search rollout, plus the champion re-test's
    assert len(mnist) == 1 and mnist[0]["rollouts"] == 960 * 6 and mnist[0]["steps"] >= 960 * 6 * 1000
