"""Analysis commands and plots on CLI-made archives: profiles and conditions are deterministic
and stored under their genome, every plot script writes a real PNG/PDF, drawings parse with the
right node and edge counts, and the notebook runs headless."""
import json
import pathlib
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pytest

import wann_h5

SCRIPTS = pathlib.Path(__file__).resolve().parents[1]
ROOT = SCRIPTS.parent


def wann_run(wann, *args, check=True):
    return subprocess.run([str(wann), *map(str, args)], check=check, capture_output=True, text=True)


@pytest.fixture(scope="module")
def archive(wann, tmp_path_factory):
    """A short real search with profiles of every 2nd generation's champion and the conditions."""
    out = tmp_path_factory.mktemp("analysis") / "run.h5"
    wann_run(wann, "search", "--seed", 4, "--generations", 6, "--population", 32, "--out", out, "--quiet")
    wann_run(wann, "profile", out, "--every", 2, "--weights", "-2:2:9", "--trials", 5)
    wann_run(wann, "conditions", f"{out}#champion", "--trials", 5, "--budget", 300, "--grid", "-2:2:9")
    return out


@pytest.fixture(scope="module")
def experiment(wann, tmp_path_factory):
    out = tmp_path_factory.mktemp("experiment") / "smoke.h5"
    wann_run(wann, "experiment", "run", ROOT / "experiments" / "ablation-smoke.toml", "--out", out)
    return out


def test_profile_is_stored_under_its_genome_and_read_back(wann, archive):
    first = json.loads(wann_run(wann, "profile", f"{archive}#champion", "--weights", "-2:2:9", "--trials", 5, "--json").stdout)
    p = first["profiles"][0]
    # --every 2 already profiled the final champion with these settings: read back, not recomputed.
    assert p["reused"] is True
    assert p["stored"] == f"/analysis/{p['genome_generation']:06d}-{p['genome_index']}/profiles/0"
    with h5py.File(archive, "r") as f:
        g = f[p["stored"]]
        assert g.attrs["complete"] == 1 and g["rewards"].shape == (5, 9)
        np.testing.assert_array_equal(g["mean"][()], p["mean"])
        np.testing.assert_allclose(g["rewards"][()].mean(axis=0), p["mean"], rtol=1e-12)
    # The same numbers as `wann evaluate` with the same seed (same episodes).
    ev = json.loads(wann_run(wann, "evaluate", "--genome", f"{archive}#champion", "--weights", "-2:2:9", "--trials", 5, "--json").stdout)
    np.testing.assert_array_equal(ev["mean"], p["mean"])
    # A new seed is a new profile, stored beside the first.
    other = json.loads(wann_run(wann, "profile", f"{archive}#champion", "--weights", "-2:2:9", "--trials", 5, "--seed", 2, "--json").stdout)
    assert other["profiles"][0]["reused"] is False and other["profiles"][0]["stored"].endswith("/profiles/1")
    assert other["profiles"][0]["mean"] != p["mean"]


@pytest.mark.parametrize("trials", [12, 31, 45])
def test_python_confidence_intervals_equal_the_engines(wann, archive, tmp_path, trials):
    """wann_h5.stats.mean_ci gives the engine's 95% interval to the last digit, for degrees of
    freedom between the t table's rows (11), beyond it (44) and at its end (30)."""
    from wann_h5.stats import mean_ci

    copy = tmp_path / "copy.h5"
    shutil.copy(archive, copy)
    p = json.loads(wann_run(wann, "profile", f"{copy}#champion", "--weights", "-1,0.5,2", "--trials", trials, "--json").stdout)["profiles"][0]
    with h5py.File(copy, "r") as f:
        rewards = f[p["stored"]]["rewards"][()]
    for w in range(3):
        m, ci = mean_ci(rewards[:, w])
        assert m == pytest.approx(p["mean"][w], rel=1e-12, abs=1e-12)
        assert ci == pytest.approx(p["ci95"][w], rel=1e-12, abs=1e-12)


def test_profiles_are_deterministic_across_threads_and_copies(wann, archive, tmp_path):
    copy = tmp_path / "copy.h5"
    shutil.copy(archive, copy)
    a = json.loads(wann_run(wann, "profile", f"{copy}#3/0", "--trials", 4, "--weights", "-1,0.5,2", "--threads", 1, "--json").stdout)
    b = json.loads(wann_run(wann, "profile", f"{archive}#3/0", "--trials", 4, "--weights", "-1,0.5,2", "--threads", 2, "--json").stdout)
    for key in ("mean", "std", "ci95"):
        assert a["profiles"][0][key] == b["profiles"][0][key]


def test_every_nth_generation_profiles_each_champion_once(archive):
    with wann_h5.open_archive(archive) as run:
        summary = run.summary()
        profiles = run.profiles()
    chosen = summary[summary.generation.isin([0, 2, 4, 5])]
    champions = set(zip(chosen.champion_generation, chosen.champion_index))
    stored = profiles[(profiles.trials == 5) & (profiles.seed == 1)]
    assert set(zip(stored.generation, stored["index"])) >= champions
    assert stored.groupby(["generation", "index", "profile"]).size().eq(9).all()
    assert (stored.ci95 > 0).any() and (stored["mean"] - stored.ci95 <= stored["mean"]).all()


def test_conditions_are_stored_and_deterministic(wann, archive, tmp_path):
    with wann_h5.open_archive(archive) as run:
        table = run.conditions()
    assert list(table.condition) == ["random_weights", "random_shared_weight", "tuned_shared_weight", "tuned_weights"]
    assert (table.trials == 5).all()
    copy = tmp_path / "copy.h5"
    shutil.copy(archive, copy)
    args = ["--trials", 5, "--budget", 300, "--grid", "-2:2:9", "--json"]
    one = json.loads(wann_run(wann, "conditions", f"{copy}#champion", "--threads", 1, *args).stdout)
    two = json.loads(wann_run(wann, "conditions", f"{archive}#champion", "--threads", 2, *args).stdout)
    assert one["conditions"] == two["conditions"] and one["tuned_weights"] == two["tuned_weights"]
    assert [r["mean"] for r in one["conditions"]] == list(table["mean"])
    assert one["stored"].endswith("/conditions/1")


PLOTS = [("plot_profiles.py", "profiles"), ("plot_run.py", "run"), ("plot_ablation.py", "ablation"), ("plot_heatmap.py", "heatmap")]


@pytest.mark.parametrize("script,name", PLOTS)
def test_plot_scripts_write_png_and_pdf(script, name, archive, tmp_path):
    out = tmp_path / "plots"
    r = subprocess.run([sys.executable, SCRIPTS / script, archive, "--out", out, "--title", "test"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    png, pdf = out / f"{name}.png", out / f"{name}.pdf"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("script,name", [("plot_profiles.py", "profiles"), ("plot_ablation.py", "ablation"), ("plot_run.py", "run")])
def test_plot_scripts_read_experiment_archives(script, name, experiment, tmp_path):
    r = subprocess.run([sys.executable, SCRIPTS / script, experiment, "--out", tmp_path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000


def test_plot_scripts_explain_what_is_missing(wann, tmp_path):
    bare = tmp_path / "bare.h5"
    wann_run(wann, "search", "--generations", 1, "--population", 8, "--out", bare, "--quiet")
    for script, command in [("plot_heatmap.py", "wann profile"), ("plot_profiles.py", "wann profile"), ("plot_ablation.py", "wann conditions")]:
        r = subprocess.run([sys.executable, SCRIPTS / script, bare, "--out", tmp_path], capture_output=True, text=True)
        assert r.returncode == 2 and command in r.stderr, r.stderr
    r = subprocess.run([sys.executable, SCRIPTS / "plot_run.py", tmp_path / "nope.h5", "--out", tmp_path], capture_output=True, text=True)
    assert r.returncode == 2 and "does not exist" in r.stderr


def champion_counts(archive):
    with wann_h5.open_archive(archive) as run:
        c = run.champion()
    return len(c["nodes"]), int(c["connections"]["enabled"].sum())


def test_draw_svg_parses_with_the_right_counts(wann, archive, tmp_path):
    out = tmp_path / "net.svg"
    wann_run(wann, "draw", f"{archive}#champion", "--out", out)
    root = ET.parse(out).getroot()
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g")]
    nodes = [g for g in groups if g.get("class", "").split()[0] == "node"]
    edges = [g for g in groups if g.get("class", "").split()[0] == "edge"]
    assert (len(nodes), len(edges)) == champion_counts(archive)
    labels = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"bias", "x", "force"} <= labels


def test_draw_dot_parses_with_graphviz(wann, archive, tmp_path):
    if shutil.which("dot") is None:
        pytest.fail("Graphviz `dot` is missing: scripts/test installs it (apt-get install graphviz)")
    out = tmp_path / "net.dot"
    wann_run(wann, "draw", f"{archive}#champion", "--out", out)
    parsed = json.loads(subprocess.run(["dot", "-Tjson", out], check=True, capture_output=True, text=True).stdout)
    nodes = len(parsed["objects"]) - parsed.get("_subgraph_cnt", 0)
    assert (nodes, len(parsed.get("edges", []))) == champion_counts(archive)


def test_draw_marks_recurrent_edges(wann, tmp_path):
    out = tmp_path / "rec.h5"
    wann_run(wann, "search", "--config", ROOT / "experiments" / "swingup-recurrent.toml", "--generations", 12,
             "--population", 48, "--seed", 2, "--out", out, "--quiet")
    with h5py.File(out, "r") as f:
        found = None
        for name, g in f["generations"].items():
            c = g["connections"][()]
            hit = c[(c["recurrent"] == 1) & (c["enabled"] == 1)]
            if len(hit):
                found = (int(name), int(hit["genome"][0]), int(((c["genome"] == hit["genome"][0]) & (c["recurrent"] == 1) & (c["enabled"] == 1)).sum()))
                break
    assert found, "no recurrent connection evolved in 12 generations"
    svg = tmp_path / "rec.svg"
    wann_run(wann, "draw", f"{out}#{found[0]}/{found[1]}", "--out", svg)
    root = ET.parse(svg).getroot()
    recurrent = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if "recurrent" in g.get("class", "").split()]
    assert len(recurrent) == found[2]
    assert all(p.get("stroke-dasharray") for g in recurrent for p in g.iter("{http://www.w3.org/2000/svg}path"))


def test_memory_scores_the_champion_with_each_recurrent_link_cut(wann, tmp_path):
    """`wann memory` on a recurrent champion: its links are the champion's expressed recurrent
    genes, and every variant scores what `wann evaluate` gives the genome without those genes
    (same seed, same episodes)."""
    out = tmp_path / "mem.h5"
    wann_run(wann, "search", "--task", "popgym-position-only-cartpole-easy", "--recurrent", "--generations", 64,
             "--population", 96, "--seed", 2, "--out", out, "--quiet")
    exported = json.loads(wann_run(wann, "export", out, "--champion").stdout)
    genome = exported[0]["document"]["genome"]
    # The expressed recurrent genes: the enabled ones, and under the `active` rule for disabled
    # hidden links also the disabled ones between hidden nodes.
    hidden = {n["id"] for n in genome["nodes"] if n["kind"] == "hidden"}
    active_rule = genome.get("disabledHiddenLinks") == "active"
    recurrent = [c["innovation"] for c in genome["connections"] if c["isRecurrent"] and
                 (c["isEnabled"] or (active_rule and c["source"] in hidden and c["target"] in hidden))]
    assert len(recurrent) >= 2, "the champion of this seed evolved fewer than two recurrent links"
    svg = tmp_path / "mem.svg"
    args = ["--trials", 6, "--seed", 3]
    report = json.loads(wann_run(wann, "memory", f"{out}#champion", *args, "--draw", svg, "--json").stdout)
    assert [link["innovation"] for link in report["links"]] == recurrent
    assert report["intact"]["cut"] == [] and report["allCut"]["cut"] == recurrent
    assert [v["cut"] for v in report["single"]] == [[i] for i in recurrent]

    def evaluate_cut(cut):
        doc = json.loads(json.dumps(exported))
        g = doc[0]["document"]["genome"]
        g["connections"] = [c for c in g["connections"] if c["innovation"] not in cut]
        path = tmp_path / f"cut-{'-'.join(map(str, cut)) or 'none'}.json"
        path.write_text(json.dumps(doc))
        e = json.loads(wann_run(wann, "evaluate", "--genome", path, "--task", "popgym-position-only-cartpole-easy",
                                *args, "--json").stdout)
        return e["mean"]

    assert report["intact"]["weightMeans"] == evaluate_cut([])
    assert report["allCut"]["weightMeans"] == evaluate_cut(recurrent)
    assert report["single"][-1]["weightMeans"] == evaluate_cut([recurrent[-1]])
    for v in [report["intact"], report["allCut"], *report["single"]]:
        assert v["best"] == max(v["weightMeans"]) and v["bestWeight"] in report["weights"]
    # The drawing labels each recurrent link with the change in mean reward when it is cut.
    root = ET.parse(svg).getroot()
    notes = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "note"]
    assert len(notes) == len(recurrent)
    assert sorted(float(n) for n in notes) == sorted(round(v["mean"] - report["intact"]["mean"], 2) for v in report["single"])
    # Text output; a bad drawing name is refused before any work.
    text = wann_run(wann, "memory", f"{out}#champion", *args).stdout
    assert "every recurrent link cut" in text and f"cut i{recurrent[0]}:" in text
    bad = wann_run(wann, "memory", f"{out}#champion", "--draw", tmp_path / "x.png", check=False)
    assert bad.returncode == 2 and "--draw must end in .svg or .dot" in bad.stderr


def test_comparison_report_reads_champions_at_their_best_weight(wann, experiment, tmp_path):
    out = tmp_path / "cmp.h5"
    wann_run(wann, "compare", "--task", "popgym-repeat-previous-easy", "--conditions", "ff,both", "--seeds", 3,
             "--generations", 4, "--population", 24, "--trials", 4, "--out", out)
    mean = json.loads(wann_run(wann, "experiment", "report", out, "--json").stdout)
    best = json.loads(wann_run(wann, "experiment", "report", out, "--score", "best-weight", "--json").stdout)
    with h5py.File(out, "r") as f:
        for row_mean, row_best in zip(mean["rows"], best["rows"]):
            for seed, (m, b) in enumerate(zip(row_mean["scores"], row_best["scores"]), start=1):
                e = f[f"runs/{row_mean['condition']}-s{seed}/evaluation"]
                means = e["weight_means"][()]
                assert list(e["weights"][()]) == [-2, -1, -0.5, 0.5, 1, 2]
                assert b == means.max()
                assert m == pytest.approx(means.mean(), abs=1e-12)
    md = tmp_path / "best.md"
    wann_run(wann, "experiment", "report", out, "--score", "best-weight", "--markdown", md)
    assert md.read_text().startswith("Score: each run's final champion at its best shared weight")
    refused = wann_run(wann, "experiment", "report", experiment, "--score", "best-weight", check=False)
    assert refused.returncode == 2 and "reads a comparison archive" in refused.stderr


def test_mistakes_with_archives_are_named_with_what_was_meant(wann, archive, tmp_path):
    """A mistyped genome or run name, and an archive cut short, each give one line that names
    the thing and says what to do."""
    def error(*args):
        r = wann_run(wann, *args, check=False)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
        return r.stderr
    assert "did you mean '#champion'?" in error("evaluate", "--genome", f"{archive}#champoin")
    assert "did you mean '#champion'?" in error("draw", f"{archive}#champoin", "--out", tmp_path / "x.svg")
    cmp = tmp_path / "cmp.h5"
    wann_run(wann, "compare", "--task", "recall", "--conditions", "ff,recurrent", "--seeds", 2, "--generations", 2,
             "--population", 16, "--trials", 2, "--out", cmp)
    message = error("draw", f"{cmp}#recurent-s1/champion", "--out", tmp_path / "x.svg")
    assert "no run 'recurent-s1': did you mean 'recurrent-s1'?" in message and "runs: feedForward-s1" in message
    cut = tmp_path / "cut.h5"
    data = pathlib.Path(archive).read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    message = error("inspect", cut)
    assert "is cut short" in message and f"of the {len(data)} bytes" in message and "copy it again" in message


def test_notebook_data_is_what_the_cli_makes(wann, tmp_path):
    """The committed archives are real CLI output: a fresh search with the same settings
    reproduces their first generations bit for bit (if the engine changes on purpose, rerun
    scripts/make_notebook_data)."""
    fresh = tmp_path / "fresh.h5"
    wann_run(wann, "search", "--task", "swingup", "--seed", 1, "--population", 64, "--generations", 2, "--out", fresh, "--quiet")
    with h5py.File(fresh, "r") as a, h5py.File(ROOT / "notebooks-data" / "swingup-short.h5", "r") as b:
        for g in ("000000", "000001"):
            np.testing.assert_array_equal(a["generations"][g]["rewards"][()], b["generations"][g]["rewards"][()])
        assert "analysis" in b and b.attrs["config_toml"].replace("generations = 32", "generations = 2") == a.attrs["config_toml"]
    with h5py.File(ROOT / "notebooks-data" / "ablation-tiny.h5", "r") as f:
        assert f.attrs["kind"] == "experiment" and len(f["experiments"]) == 8


def test_notebook_runs_headless():
    import nbclient
    import nbformat
    path = ROOT / "notebooks-data" / "wann-analysis.ipynb"
    # Every cell has an id: nbformat warns (as it reads) that a missing one will become an error.
    with warnings.catch_warnings():
        warnings.simplefilter("error", nbformat.warnings.MissingIDFieldWarning)
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 5
