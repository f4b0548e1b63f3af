"""Classification tasks: the datasets as the original prepares them (MNIST checked against
OpenCV), `wann classify` on a short digits search, its archive record and plot, and the error
when a dataset is missing. Needs the datasets: scripts/test runs scripts/fetch_data first."""
import csv
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import wann_h5

SCRIPTS = pathlib.Path(__file__).resolve().parents[1]
ROOT = SCRIPTS.parent
DATA = pathlib.Path(os.environ.get("WANN_DATA_DIR", ROOT / "data"))


def wann_json(wann, *args, env=None):
    out = subprocess.run([str(wann), *map(str, args), "--json"], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)


def require(path):
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/fetch_data (scripts/test does)")


def opencv_preprocess(img28):
    """The original release's mnist_256 preprocessing, with OpenCV: bilinear resize to 16x16,
    then deskew by image moments (shear by mu11/mu02 about the centre row)."""
    import cv2
    small = cv2.resize(img28, (16, 16))
    m = cv2.moments(small)
    if abs(m["mu02"]) < 1e-2:
        return small.copy()
    skew = m["mu11"] / m["mu02"]
    matrix = np.float32([[1, skew, -0.5 * 16 * skew], [0, 1, 0]])
    return cv2.warpAffine(small, matrix, (16, 16), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)


def test_mnist_preprocessing_matches_opencv(wann):
    path = DATA / "mnist" / "mnist_test.csv"
    require(path)
    ours = wann_json(wann, "data", "mnist256", "--split", "test", "--dump", 300)
    assert ours["images"] == 10000 and ours["features"] == 256
    assert ours["label_counts"] == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    with open(path) as f:
        rows = csv.reader(f)
        next(rows)
        raw = [next(rows) for _ in range(300)]
    worst = 0.0
    for row, mine, label in zip(raw, ours["dumped"], ours["labels"]):
        assert int(row[0]) == label
        img = np.array(row[1:], dtype=np.float64).reshape(28, 28) / 255
        ref = opencv_preprocess(img).reshape(-1)
        worst = max(worst, float(np.abs(ref - np.array(mine)).max()))
    # OpenCV works with float32 interpolation weights; we reproduce its rounding, so the
    # difference is double-precision noise, far below a pixel's 1/255 step.
    assert worst < 1e-6, worst


def test_digits_split_is_every_fifth_image_of_each_digit(wann):
    path = DATA / "digits" / "digits.csv"
    require(path)
    rows = [list(map(int, r)) for r in csv.reader(open(path))]
    assert len(rows) == 1797
    seen = [0] * 10
    test = []
    for r in rows:
        if seen[r[64]] % 5 == 4:
            test.append(r)
        seen[r[64]] += 1
    ours = wann_json(wann, "data", "digits", "--split", "test", "--dump", 400)
    assert ours["images"] == len(test) == 355
    np.testing.assert_array_equal(np.array(ours["dumped"]), np.array([r[:64] for r in test]) / 16)
    assert ours["labels"] == [r[64] for r in test]


@pytest.fixture(scope="module")
def digits_run(wann, tmp_path_factory):
    require(DATA / "digits" / "digits.csv")
    out = tmp_path_factory.mktemp("classify") / "digits.h5"
    subprocess.run([str(wann), "search", "--task", "digits", "--seed", "2", "--generations", "12", "--population", "48",
                    "--out", str(out), "--quiet"], check=True, capture_output=True)
    return out


def test_classify_reports_and_stores_accuracy(wann, digits_run):
    r = wann_json(wann, "classify", f"{digits_run}#champion", "--weights", "-2:2:9", "--random-draws", 20)
    assert r["test_images"] == 355 and r["weights"] == [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2]
    for key in ("accuracy", "train_accuracy", "test_loss"):
        assert len(r[key]) == 9
    assert all(0 <= a <= 1 for a in r["accuracy"] + r["train_accuracy"] + [r["ensemble_accuracy"], r["random_mean"]])
    assert np.array(r["per_digit"]).shape == (9, 10)
    # The tuned weight is the best on the training images, scored on the test images.
    best = int(np.argmax(r["train_accuracy"]))
    assert r["tuned_weight"] == r["weights"][best] and r["tuned_accuracy"] == r["accuracy"][best]
    # Per-digit accuracies average (weighted by digit counts) to the overall accuracy.
    counts = np.array(wann_json(wann, "data", "digits", "--split", "test")["label_counts"])
    np.testing.assert_allclose((np.array(r["per_digit"]) * counts).sum(axis=1) / counts.sum(), r["accuracy"], atol=1e-12)
    # Stored under the champion, equal to what was printed.
    with wann_h5.open_archive(digits_run) as run:
        stored = run.classification()[-1]
    np.testing.assert_array_equal(stored["accuracy"], r["accuracy"])
    assert stored["ensemble_accuracy"] == r["ensemble_accuracy"] and stored["tuned_weight"] == r["tuned_weight"]
    assert r["stored"].endswith("/classification/0") or r["stored"].endswith("/classification/1")


def test_classify_is_deterministic_across_threads(wann, digits_run):
    args = ["classify", f"{digits_run}#champion", "--weights", "-2:2:5", "--random-draws", 10, "--limit", 200]
    one = wann_json(wann, *args, "--threads", 1)
    two = wann_json(wann, *args, "--threads", 2)
    for key in ("accuracy", "per_digit", "ensemble_accuracy", "random_mean", "test_loss"):
        assert one[key] == two[key], key
    assert one["test_images"] == 200


def test_plot_classify_writes_png_and_pdf(wann, digits_run, tmp_path):
    wann_json(wann, "classify", f"{digits_run}#champion", "--weights", "-2:2:9", "--random-draws", 5)
    r = subprocess.run([sys.executable, SCRIPTS / "plot_classify.py", digits_run, "--out", tmp_path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "classify.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "classify.png").stat().st_size > 10_000
    assert (tmp_path / "classify.pdf").read_bytes()[:5] == b"%PDF-"


def test_plot_classify_picks_a_named_genome(wann, digits_run, tmp_path):
    # An earlier genome classified after the champion: the newest result is then not the
    # champion's, and the plot still shows the champion unless told otherwise.
    champion = wann_json(wann, "classify", f"{digits_run}#champion", "--weights", "-2:2:9", "--random-draws", 5)
    generation, index = (int(x) for x in champion["stored"].split("/")[2].split("-"))
    other = "0/1" if (generation, index) == (0, 0) else "0/0"
    wann_json(wann, "classify", f"{digits_run}#{other}", "--weights", "-2:2:5", "--random-draws", 5)
    plot = [sys.executable, "-m", "wann_h5.cli", "classify", digits_run, "--out", tmp_path]
    r = subprocess.run([*plot, "--genome", f"{generation}/{index}"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import matplotlib
    matplotlib.use("Agg")
    from wann_h5 import plots
    for genome, weights in ((f"{generation}/{index}", 9), (None, 9), (other, 5)):
        fig = plots.classify_figure(str(digits_run), genome=genome)
        assert len(fig.axes[0].lines[0].get_xdata()) == weights
        g, i = (genome or f"{generation}/{index}").split("/")
        assert fig.axes[0].get_title().startswith(f"generation {g}, genome {i}:")
    for bad, needle in (("7", "GENERATION/INDEX"), ("99/99", "no classification of genome 99/99")):
        r = subprocess.run([*plot, "--genome", bad], capture_output=True, text=True)
        assert r.returncode == 2 and needle in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_missing_dataset_names_the_fetch_command(wann, tmp_path):
    env = {**os.environ, "WANN_DATA_DIR": str(tmp_path)}
    r = subprocess.run([str(wann), "search", "--task", "mnist256", "--generations", "1"], capture_output=True, text=True, env=env)
    assert r.returncode == 2
    assert "scripts/fetch_data mnist" in r.stderr and str(tmp_path) in r.stderr
    r = subprocess.run([str(wann), "classify", str(ROOT / "notebooks-data" / "swingup-short.h5") + "#champion"], capture_output=True, text=True)
    assert r.returncode == 2 and "digits or mnist256" in r.stderr
