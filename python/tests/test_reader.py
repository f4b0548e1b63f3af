"""Every public reading function of wann_h5 on the small real archives in notebooks-data/."""
from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import wann_h5


def test_package_is_versioned_with_the_archive_format():
    assert wann_h5.__version__.split(".")[0] == str(wann_h5.MAX_VERSION)
    assert wann_h5.FORMAT == "wann-archive"


def test_run_archive_reads(run_archive):
    assert wann_h5.kind(run_archive) == "run" and wann_h5.runs(run_archive) == []
    assert not wann_h5.being_written(run_archive)
    with wann_h5.open_file(str(run_archive)) as f:
        assert f.attrs["format"] == "wann-archive"
    with wann_h5.open_archive(run_archive) as run:
        gens = run.generations()
        assert gens == list(range(len(gens))) and len(gens) >= 2
        assert run.config["population.size"] > 0 and run.attrs["task"] == "swingup"
        s = run.summary()
        assert list(s.generation) == gens and (s.best >= s["median"]).all()
        g = gens[-1]
        genomes = run.genomes(g)
        pop = run.config["population.size"]
        assert len(genomes) == pop and set(genomes.origin) <= {"initial", "elite", "child", "mutation", "crossover", "offspring"} | set(genomes.origin)
        nodes, conns = run.nodes(g), run.connections(g)
        assert set(nodes.kind) >= {"bias", "input", "output"} and conns.enabled.dtype == bool
        # The genomes table's connection count is the active genes per genome.
        counted = conns[conns.active].groupby("genome").size().reindex(range(pop), fill_value=0)
        assert (counted.to_numpy() == genomes.connections.to_numpy()).all()
        rewards = run.rewards(g)
        assert rewards.shape[0] == pop and rewards.shape[2] == len(run.weights(g))
        assert np.allclose(rewards.mean(axis=(1, 2)), genomes.mean_reward)
        c = run.champion()
        assert c["generation"] <= g and len(c["connections"]) > 0 and c["retest_mean"] == pytest.approx(s.champion_reward.iloc[-1])
        assert isinstance(run.group(g).attrs["complete"], (int, np.integer))
        cx = run.complexity()
        assert len(cx) == len(gens) and (cx.best_connections >= 0).all()
        p = run.profiles()
        assert not p.empty and set(p.columns) >= {"generation", "index", "weight", "mean", "ci95"}
        assert isinstance(run.conditions(), pd.DataFrame) and isinstance(run.classification(), list)
        assert run.disabled_hidden_links in ("inactive", "active")
        with pytest.raises(wann_h5.ArchiveError):
            run.group(10_000)


def test_experiment_archive_reads_and_is_tidy(experiment_archive):
    assert wann_h5.kind(experiment_archive) == "experiment"
    names = wann_h5.runs(experiment_archive)
    variants = wann_h5.variants(experiment_archive)
    assert names and variants and {n.rpartition("-s")[0] for n in names} == set(variants)
    b = wann_h5.battery(experiment_archive)
    assert set(b.variant) == set(variants) and not b.empty
    sw = wann_h5.battery_sweeps(experiment_archive)
    assert set(sw.columns) == {"run", "variant", "seed", "weight", "mean"}
    gens = wann_h5.tidy(experiment_archive)
    assert list(gens.columns[:3]) == ["variant", "seed", "generation"]
    # One row per variant x seed x generation, each run's rows its summary.
    with wann_h5.open_archive(experiment_archive, names[0]) as run:
        s = run.summary()
    v, _, seed = names[0].rpartition("-s")
    mine = gens[(gens.variant == v) & (gens.seed == int(seed))]
    assert list(mine.generation) == list(s.generation) and np.array_equal(mine.best.to_numpy(), s.best.to_numpy())
    assert len(gens) == sum(len(wann_h5.open_archive(experiment_archive, n).summary()) for n in names)
    tests = wann_h5.tidy(experiment_archive, "test")
    assert list(tests.columns) == ["variant", "seed", "condition", "value"] and len(tests) == len(b)
    with pytest.raises(ValueError):
        wann_h5.tidy(experiment_archive, "weights")


def test_comparison_archive_reads(wann, tmp_path):
    out = tmp_path / "c.h5"
    subprocess.run([str(wann), "compare", "--task", "recall", "--seeds", "2", "--generations", "3", "--population", "16",
                    "--conditions", "ff,recurrent", "--trials", "2", "--threads", "1", "--out", str(out)], check=True, capture_output=True)
    assert wann_h5.kind(out) == "comparison" and len(wann_h5.runs(out)) == 4
    c = wann_h5.comparison(out)
    assert list(c.condition) == ["feedForward"] * 2 + ["recurrent"] * 2
    t = wann_h5.comparison_tests(out)
    assert {"p", "p_holm", "cliffs_delta", "median_difference"} <= set(t.columns) and t.a[0] == "feedForward"
    tidy = wann_h5.tidy(out, "test")
    assert sorted(tidy.value) == sorted(c.score) and set(tidy.condition) == {"final score"}
    assert set(wann_h5.tidy(out).variant) == {"feedForward", "recurrent"}


def test_errors_are_archive_errors(tmp_path):
    bad = tmp_path / "x.h5"
    bad.write_bytes(b"not hdf5")
    with pytest.raises(wann_h5.ArchiveError):
        wann_h5.open_archive(bad)
    with pytest.raises(wann_h5.ArchiveError):
        wann_h5.open_archive(tmp_path / "missing.h5")


def _one_line(e) -> str:
    text = str(e.value)
    assert "\n" not in text and text
    return text


def test_mistakes_are_archive_errors_that_say_what_to_do(root, run_archive, tmp_path):
    import h5py

    # Genomes: "G/I" strings are accepted, like the engine's FILE.h5#G/I; the rest is named.
    a = wann_h5.Network.from_archive(run_archive, genome="1/3")
    b = wann_h5.Network.from_archive(run_archive, genome=(1, 3))
    assert (a.act([0.1, 0.2, 0.3, 0.4, 0.5], weight=1.0) == b.act([0.1, 0.2, 0.3, 0.4, 0.5], weight=1.0)).all()
    with pytest.raises(wann_h5.ArchiveError) as e:
        wann_h5.Network.from_archive(run_archive, genome=(1, 500))
    assert "has genomes 0...63, not 500" in _one_line(e)
    with pytest.raises(wann_h5.ArchiveError) as e:
        wann_h5.Network.from_archive(run_archive, genome="champoin")
    assert "did you mean 'champion'?" in _one_line(e)
    with pytest.raises(wann_h5.ArchiveError) as e:
        wann_h5.Network.from_archive(run_archive, genome=(99, 0))
    assert "generation 99 is not a complete generation" in _one_line(e)
    # A JSON reader given an archive, or JSON that is no genome.
    with pytest.raises(wann_h5.ArchiveError) as e:
        wann_h5.Network.from_json(run_archive)
    assert "read it with Network.from_archive" in _one_line(e)
    (tmp_path / "x.json").write_text('{"format": 3}')
    with pytest.raises(wann_h5.ArchiveError) as e:
        wann_h5.Network.from_json(tmp_path / "x.json")
    assert "not a wann genome" in _one_line(e)
    # An original network read with the wrong sizes is refused, with the sizes its links fit.
    with pytest.raises(wann_h5.ArchiveError) as e:
        wann_h5.Network.from_original(root / "reference/original-champions/biped.out", inputs=5, outputs=1)
    assert "fit inputs=24, outputs=4" in _one_line(e)
    # Archives without a version, or of a newer one.
    for attribute, value, needle in [("format_version", None, "without format_version"), ("format_version", 99, "format version 99")]:
        copy = tmp_path / f"{attribute}-{value}.h5"
        shutil.copy(run_archive, copy)
        with h5py.File(copy, "r+") as f:
            if value is None:
                del f.attrs[attribute]
            else:
                f.attrs[attribute] = np.int64(value)
        with pytest.raises(wann_h5.ArchiveError) as e:
            wann_h5.open_archive(copy)
        assert needle in _one_line(e)
        # wann-plot says the same in one line, no traceback.
        r = subprocess.run([sys.executable, "-m", "wann_h5.cli", "run", str(copy), "--out", str(tmp_path)], capture_output=True, text=True)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_read_live_runs_plain_h5py_code_and_names_what_does_not_read(run_archive, tmp_path):
    generations = wann_h5.read_live(run_archive, lambda f: sorted(f["generations"]))
    with wann_h5.open_archive(run_archive) as run:
        assert len(generations) == len(run.summary()) > 0
    # No writer holds these: a failure is one ArchiveError at once, not a retry loop.
    with pytest.raises(wann_h5.ArchiveError, match="cannot read"):
        wann_h5.read_live(run_archive, lambda f: f["no/such/group"])
    with pytest.raises(wann_h5.ArchiveError):
        wann_h5.read_live(tmp_path / "missing.h5", lambda f: None)


def test_reads_a_run_while_it_is_written(wann, tmp_path):
    out = tmp_path / "live.h5"
    p = subprocess.Popen([str(wann), "search", "--task", "swingup", "--generations", "400", "--population", "32", "--threads", "1",
                          "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = []
        deadline = time.time() + 60
        while time.time() < deadline and len(seen) < 5:
            if out.exists() and wann_h5.being_written(out):
                try:
                    with wann_h5.open_archive(out) as run:
                        seen.append(len(run.summary()))
                except wann_h5.ArchiveError:
                    pass
            time.sleep(0.2)
        assert len(seen) >= 3 and seen == sorted(seen), seen
    finally:
        p.kill()
        p.wait()


def test_wann_plot_writes_every_figure(run_archive, experiment_archive, tmp_path):
    # The console script pip installed beside this interpreter (or on PATH).
    beside = pathlib.Path(sys.executable).parent / "wann-plot"
    exe = str(beside) if beside.exists() else shutil.which("wann-plot")
    assert exe, "the package's console script is not installed (pip install ./python)"
    for figure, archive in [("profiles", run_archive), ("run", run_archive), ("heatmap", run_archive),
                            ("ablation", experiment_archive), ("profiles", experiment_archive)]:
        r = subprocess.run([exe, figure, str(archive), "--out", str(tmp_path / figure)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        for ext in ("png", "pdf", "svg"):
            assert (tmp_path / figure / f"{figure}.{ext}").stat().st_size > 1000, ext
    # --format picks the files, --dpi the PNG's resolution; an unknown format is one line.
    for dpi in (50, 100):
        r = subprocess.run([exe, "run", str(run_archive), "--out", str(tmp_path / f"dpi{dpi}"), "--format", "png", "--dpi", str(dpi)],
                           capture_output=True, text=True)
        assert r.returncode == 0 and sorted(p.name for p in (tmp_path / f"dpi{dpi}").iterdir()) == ["run.png"], r.stderr
    import matplotlib.image
    small, large = (matplotlib.image.imread(tmp_path / f"dpi{d}" / "run.png").shape for d in (50, 100))
    assert large[1] == pytest.approx(2 * small[1], rel=0.05)
    r = subprocess.run([exe, "run", str(run_archive), "--out", str(tmp_path), "--format", "gif"], capture_output=True, text=True)
    assert r.returncode == 2 and "choose from png, pdf, svg" in r.stderr and r.stderr.count("\n") == 1
    # A condition whose name holds a comma can be chosen.
    r = subprocess.run([exe, "ablation", str(experiment_archive), "--out", str(tmp_path / "some"),
                        "--conditions", "sweep mean,random U(-2,2)"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "ablation", str(experiment_archive), "--out", str(tmp_path / "two"), "--variants", "fixed07,baseline"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "ablation", str(experiment_archive), "--out", str(tmp_path / "none"), "--variants", "nosuch"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "nosuch" in r.stderr
    r = subprocess.run([exe, "classify", str(run_archive), "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "wann classify" in r.stderr and r.stderr.count("\n") == 1
    r = subprocess.run([exe, "run", str(tmp_path / "nope.h5"), "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_multi_run_figures_group_seeds_and_name_task_seeds_and_n(wann, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import wann_h5.plots as wp

    out = tmp_path / "c.h5"
    subprocess.run([str(wann), "compare", "--task", "recall", "--seeds", "3", "--generations", "4", "--population", "16",
                    "--conditions", "recurrent,ff", "--trials", "2", "--threads", "1", "--out", str(out)], check=True, capture_output=True)
    fig = wp.run_figure(str(out))
    top, bottom = fig.axes[:2]
    # One median line per search space (best and median), in the order the comparison named them.
    labels = [line.get_label() for line in top.get_lines()]
    assert labels == ["recurrent (3 seeds) best", "recurrent (3 seeds) median", "feedForward (3 seeds) best", "feedForward (3 seeds) median"]
    assert "task recall" in top.get_title() and "6 runs" in top.get_title() and "seeds 1-3" in top.get_title()
    # The legend stands beside the axes, not over the data; generations and connections are whole numbers.
    legend = top.get_legend()
    assert legend.get_bbox_to_anchor().x0 >= top.get_window_extent().x1 - 1
    assert all(float(t).is_integer() for t in bottom.get_xticks()) and all(float(t).is_integer() for t in bottom.get_yticks())
    matplotlib.pyplot.close(fig)
    fig = wp.ablation_figure(str(out))
    assert fig.axes[0].get_title().startswith("Final champions by search space\ntask recall; 6 runs")
    matplotlib.pyplot.close(fig)


def test_wann_plot_help_and_usage_errors_never_trace():
    # Every help page prints (argparse %-formats help strings: a bare "95%" used to raise), and a
    # mistyped command line is a usage message with exit status 2, never a Python traceback.
    from wann_h5 import cli

    figures = ["profiles", "run", "ablation", "heatmap", "classify", "robustness"]
    for argv in [["--help"]] + [[f, "--help"] for f in figures]:
        with pytest.raises(SystemExit) as done:
            cli.main(argv)
        assert done.value.code == 0, argv
    for argv in [[], ["nosuchfigure", "a.h5", "--out", "x"], ["run", "a.h5"], ["profiles", "a.h5", "--out", "x", "--latest", "many"]]:
        with pytest.raises(SystemExit) as done:
            cli.main(argv)
        assert done.value.code == 2, argv


def test_figures_are_returned_for_notebooks(run_archive, experiment_archive):
    import matplotlib

    matplotlib.use("Agg")
    import wann_h5.plots as wp

    for fig in (wp.run_figure(str(run_archive)), wp.profiles_figure(str(run_archive)), wp.heatmap_figure(str(run_archive)),
                wp.ablation_figure(str(experiment_archive)), wp.profiles_figure([str(experiment_archive)])):
        assert fig.axes and fig.axes[0].has_data()
        matplotlib.pyplot.close(fig)
    # Every seed's champion is a dot over its bar: as many points as battery results.
    fig = wp.ablation_figure(str(experiment_archive))
    dots = sum(len(c.get_offsets()) for c in fig.axes[0].collections if isinstance(c, matplotlib.collections.PathCollection))
    assert dots == len(wann_h5.battery(str(experiment_archive)))
    matplotlib.pyplot.close(fig)
    with pytest.raises(wp.PlotError):
        wp.classify_figure(str(run_archive))
    m, ci = wp.mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and ci == pytest.approx(4.303 * 1.0 / np.sqrt(3))


def test_reading_needs_no_matplotlib(run_archive, tmp_path):
    """Reading an archive and running its networks need only h5py, NumPy and pandas (matplotlib
    is the [plot] extra); wann-plot without it says what to install, in one line."""
    code = f"""
import sys
sys.modules["matplotlib"] = None  # as if it were not installed
import wann_h5
run = wann_h5.open_archive({str(run_archive)!r})
assert len(run.summary()) > 0
net = wann_h5.Network.from_archive({str(run_archive)!r})
assert "matplotlib" not in [m for m in sys.modules if sys.modules[m] is not None]
from wann_h5.cli import main
sys.exit(main(["run", {str(run_archive)!r}, "--out", {str(tmp_path)!r}]))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().count("\n") == 0 and "pip install 'wann-h5[plot]'" in r.stderr


def test_the_package_ships_its_type_marker_and_licence():
    from importlib import metadata, resources

    assert resources.files("wann_h5").joinpath("py.typed").is_file()
    meta = metadata.metadata("wann-h5")
    assert "Apache-2.0" in (meta.get("License-Expression"), meta.get("License"))
    requires = metadata.requires("wann-h5") or []
    assert not any(r.startswith("matplotlib") and "extra ==" not in r for r in requires)
    assert any(r.startswith("matplotlib") and 'extra == "plot"' in r for r in requires)


def _fnv(data, h=14695981039346656037):
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def _u64(v):
    return v.to_bytes(8, "little")


def _journal(committed, records):
    out = b"WANNJNL1" + _u64(committed) + _u64(_fnv(_u64(committed), _fnv(b"WANNJNL1")))
    for offset, body in records:
        head = _u64(offset) + _u64(len(body))
        out += head + _u64(_fnv(body, _fnv(head))) + body
    return out


def test_roll_back_restores_whole_records_and_stops_at_a_cut_short_one(tmp_path):
    """The journal a killed wann writer leaves (layout in docs/hdf5-schema.md): whole records are
    written back, a record cut short by the kill is not (its overwrite never began), and the file
    is cut to its committed length; then the journal is gone and a second roll-back does nothing."""
    path = tmp_path / "a.h5"
    path.write_bytes(b"AAZZZZAAAAAAAAAA" + b"B" * 9)
    journal = _journal(16, [(2, b"AAAA"), (10, b"AAA")])
    (tmp_path / "a.h5.journal").write_bytes(journal[:-2])
    assert wann_h5.journal_pending(str(path))
    assert wann_h5.roll_back(str(path)) == 1
    assert path.read_bytes() == b"A" * 16
    assert not (tmp_path / "a.h5.journal").exists()
    assert not (tmp_path / "a.h5.lock").exists()
    assert wann_h5.roll_back(str(path)) == 0


def test_roll_back_leaves_an_archive_alone_while_a_writer_holds_it(tmp_path):
    """A journal with a live writer is that writer's flush in progress: neither the file, the
    journal nor the writer's lock file may be touched."""
    import fcntl
    import os
    path = tmp_path / "b.h5"
    path.write_bytes(b"AAZZZZAAAAAAAAAA")
    (tmp_path / "b.h5.journal").write_bytes(_journal(16, [(2, b"AAAA")]))
    fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert wann_h5.roll_back(str(path)) == 0
        assert path.read_bytes() == b"AAZZZZAAAAAAAAAA"
        assert (tmp_path / "b.h5.journal").exists() and (tmp_path / "b.h5.lock").exists()
    finally:
        os.close(fd)
    assert wann_h5.roll_back(str(path)) == 1
    assert path.read_bytes() == b"A" * 16
