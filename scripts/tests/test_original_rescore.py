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
    """Tests/Fixtures/swingup-episodes.bin, which the Swift tests replay bit for bit, is what
    scripts/make_swingup_episodes.py makes from the original's Python semantics today: the
    environment stepped with every episode's actions gives the file's digests, every initial state
    is the original's reset, and the episodes of random actions are the file's byte for byte. The
    champion episodes' actions come from NumPy's tanh, sin and exp, whose last bits differ between
    NumPy builds, CPUs and C libraries, so only their initial states are compared as made."""
    import subprocess
    import sys

    sys.path.insert(0, str(root / "scripts"))
    import make_swingup_episodes as episodes

    fixture = root / "Tests" / "Fixtures" / "swingup-episodes.bin"
    replayed, made = tmp_path / "replayed.bin", tmp_path / "made.bin"
    script = [sys.executable, root / "scripts" / "make_swingup_episodes.py"]
    subprocess.run([*script, "--replay", fixture, "--out", replayed], check=True, capture_output=True)
    assert replayed.read_bytes() == fixture.read_bytes()
    subprocess.run([*script, "--out", made], check=True, capture_output=True)
    ours, theirs = episodes.read_episodes(made), episodes.read_episodes(fixture)
    assert [e[0] for e in ours] == [e[0] for e in theirs]
    assert [e[1] for e in ours] == [e[1] for e in theirs]
    random_actions = [(a, b) for a, b in zip(ours, theirs) if a[0] in (0, 1, 2)]
    assert len(random_actions) == 160
    assert all(a == b for a, b in random_actions)


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
