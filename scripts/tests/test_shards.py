"""Grids across processes: `--shard K/N`, `wann experiment merge`, `wann experiment status`.

Each shard runs as its own process (as a Slurm array task or a host would); the merged archive
must equal the unsharded grid's archive value for value, timings aside (scripts/compare_archives.py).
"""
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SMOKE = ROOT / "experiments" / "ablation-smoke.toml"
COMPARE = ["--task", "swingup", "--seeds", "2", "--generations", "3", "--population", "16",
           "--conditions", "ff,recurrent", "--trials", "2", "--threads", "1"]


def run(*cmd, ok=True):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def archive_diff(a, b):
    return run(sys.executable, ROOT / "scripts" / "compare_archives.py", a, b, ok=False)


@pytest.fixture(scope="module")
def experiment_shards(wann, tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    whole = d / "whole.h5"
    run(wann, "experiment", "run", SMOKE, "--out", whole, "--threads", "1")
    shards = [d / f"s{k}.h5" for k in (1, 2, 3)]
    procs = [subprocess.Popen([str(wann), "experiment", "run", str(SMOKE), "--out", str(s), "--shard", f"{k}/3", "--threads", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, s in zip((1, 2, 3), shards)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    return d, whole, shards


def test_merged_experiment_shards_equal_the_unsharded_grid(wann, experiment_shards):
    d, whole, shards = experiment_shards
    merged = d / "merged.h5"
    report = json.loads(run(wann, "experiment", "merge", merged, *shards, "--json").stdout)
    assert len(report["merged"]) == 8 and report["missing"] == [] and report["unfinished"] == []
    r = archive_diff(whole, merged)
    assert r.returncode == 0, r.stdout
    # The reports agree too (every number of the table).
    a = json.loads(run(wann, "experiment", "report", whole, "--json").stdout)
    b = json.loads(run(wann, "experiment", "report", merged, "--json").stdout)
    assert a == b
    # A single shard is not the grid: the diff sees the runs it lacks.
    assert archive_diff(whole, shards[0]).returncode == 1


def test_shards_take_their_share_in_turn(wann, experiment_shards):
    _, _, shards = experiment_shards
    names = ["baseline-s1", "baseline-s2", "fixed07-s1", "fixed07-s2", "random-s1", "random-s2", "noise025-s1", "noise025-s2"]
    status = json.loads(run(wann, "experiment", "status", *shards, "--json").stdout)
    assert [r["name"] for r in status["runs"]] == names
    for position, r in enumerate(status["runs"]):
        assert r["state"] == "done"
        assert r["archive"].endswith(f"s{position % 3 + 1}.h5")
    alone = json.loads(run(wann, "experiment", "status", shards[1], "--json").stdout)
    assert alone["counts"] == {"done": 3, "missing": 5}
    text = run(wann, "experiment", "status", shards[1]).stdout
    assert "3 done, 0 running, 0 stopped, 5 missing of 8 runs" in text


def test_reports_of_partial_grids_say_so_and_test_only_against_the_baseline(wann, experiment_shards):
    _, whole, shards = experiment_shards
    full = json.loads(run(wann, "experiment", "report", whole, "--json").stdout)
    assert full["runsFinished"] == full["runsPlanned"] == 8 and full["baseline"] == "baseline"
    assert "Partial" not in run(wann, "experiment", "report", whole).stdout
    # Shard 1 (baseline-s1, fixed07-s2, noise025-s1): a partial table, tested against the baseline.
    one = json.loads(run(wann, "experiment", "report", shards[0], "--json").stdout)
    assert (one["runsFinished"], one["runsPlanned"]) == (3, 8) and one["variants"] == ["baseline", "fixed07", "noise025"]
    assert one["tests"] == 2 * len(one["conditions"])
    assert "**Partial:** 3 of 8 runs finished" in run(wann, "experiment", "report", shards[0]).stdout
    # Shard 3 (fixed07-s1, random-s2) has no baseline run: nothing is tested, rather than random
    # against fixed07 as if fixed07 were the baseline.
    three = json.loads(run(wann, "experiment", "report", shards[2], "--json").stdout)
    assert three["baseline"] == "baseline" and three["variants"] == ["fixed07", "random"] and three["tests"] == 0
    assert all("p" not in cell and "cliffsDelta" not in cell for row in three["cells"] for cell in row)
    assert "The baseline baseline has no finished run yet: nothing is tested." in run(wann, "experiment", "report", shards[2]).stdout


def test_merge_refuses_overlap_other_grids_and_bad_shards(wann, experiment_shards, tmp_path):
    d, whole, shards = experiment_shards
    r = run(wann, "experiment", "merge", tmp_path / "m.h5", shards[0], shards[0], ok=False)
    assert r.returncode == 2 and "must not overlap" in r.stderr and not (tmp_path / "m.h5").exists()
    r = run(wann, "experiment", "merge", tmp_path / "m.h5", whole, shards[1], ok=False)
    assert r.returncode == 2 and "must not overlap" in r.stderr
    other = tmp_path / "other.toml"
    other.write_text(SMOKE.read_text().replace("seeds = 2", "seeds = 1"))
    o = tmp_path / "other.h5"
    run(wann, "experiment", "run", other, "--out", o, "--shard", "2/3", "--threads", "1")
    r = run(wann, "experiment", "merge", tmp_path / "m.h5", shards[0], o, ok=False)
    assert r.returncode == 2 and "another grid" in r.stderr and not (tmp_path / "m.h5").exists()
    r = run(wann, "experiment", "status", shards[0], o, ok=False)
    assert r.returncode == 2 and "another grid" in r.stderr
    for bad in ("0/3", "4/3", "3", "a/b", "1/0"):
        r = run(wann, "experiment", "run", SMOKE, "--out", tmp_path / "x.h5", "--shard", bad, ok=False)
        assert r.returncode == 2 and "bad shard" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    # A shard continued with another --shard is refused; with its own it has nothing left to do.
    r = run(wann, "experiment", "run", SMOKE, "--out", shards[0], "--shard", "2/3", ok=False)
    assert r.returncode == 2 and "holds shard 1/3" in r.stderr
    r = run(wann, "experiment", "run", SMOKE, "--out", shards[0], "--shard", "1/3", "--threads", "1")
    assert "3 run(s) already done, 0 to run" in r.stderr


def test_merge_leaves_out_unfinished_runs_and_the_grid_finishes_them(wann, experiment_shards, tmp_path):
    d, whole, shards = experiment_shards
    merged = tmp_path / "partial.h5"
    report = json.loads(run(wann, "experiment", "merge", merged, shards[0], shards[2], "--json").stdout)
    assert report["missing"] == ["baseline-s2", "random-s1", "noise025-s2"]
    status = json.loads(run(wann, "experiment", "status", merged, "--json").stdout)
    assert status["counts"] == {"done": 5, "missing": 3}
    r = run(wann, "experiment", "run", SMOKE, "--out", merged, "--threads", "1")
    assert "5 run(s) already done, 3 to run" in r.stderr
    assert archive_diff(whole, merged).returncode == 0


def test_comparison_shards_merge_into_the_whole_comparison(wann, tmp_path):
    whole = tmp_path / "whole.h5"
    table = json.loads(run(wann, "compare", *COMPARE, "--out", whole, "--json").stdout)
    assert {"pHolm", "cliffsDelta", "medianDifference", "medianDifferenceCI95"} <= set(table["tests"][0])
    shards = []
    for k in (1, 2):
        s = tmp_path / f"c{k}.h5"
        out = json.loads(run(wann, "compare", *COMPARE, "--out", s, "--shard", f"{k}/2", "--json").stdout)
        assert out["done"] == "2" and out["runs"] == "4"
        shards.append(s)
    merged = tmp_path / "merged.h5"
    report = json.loads(run(wann, "experiment", "merge", merged, *shards, "--json").stdout)
    assert report["comparisonFinished"] and report["merged"] == ["feedForward-s1", "feedForward-s2", "recurrent-s1", "recurrent-s2"]
    r = archive_diff(whole, merged)
    assert r.returncode == 0, r.stdout
    assert json.loads(run(wann, "experiment", "report", merged, "--json").stdout) == table
    # Continuing a finished comparison runs nothing and gives the same table.
    r = run(wann, "compare", *COMPARE, "--out", whole, "--json")
    assert json.loads(r.stdout) == table and "4 run(s) already done, 0 to run" in r.stderr


def test_slurm_scripts_run_their_shard_and_merge(wann, experiment_shards, tmp_path):
    """The job-array script run as Slurm would run it (its variables set by hand), then the merge job."""
    import os
    _, whole, _ = experiment_shards
    env = dict(os.environ, WANN_BIN=str(wann), SLURM_ARRAY_TASK_COUNT="2", SLURM_CPUS_PER_TASK="1")
    for k in ("1", "2"):
        r = subprocess.run(["bash", str(ROOT / "scripts/slurm/experiment.sbatch"), str(tmp_path / "shards"),
                            "experiment", "run", str(SMOKE)], env=dict(env, SLURM_ARRAY_TASK_ID=k),
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        assert f"shard {k}/2" in r.stdout
    r = subprocess.run(["bash", str(ROOT / "scripts/slurm/merge.sbatch"), str(tmp_path / "merged.h5"), str(tmp_path / "shards"), "2"],
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "8 done" in r.stdout and "merged 8 run(s)" in r.stdout
    assert archive_diff(whole, tmp_path / "merged.h5").returncode == 0
    r = subprocess.run(["bash", str(ROOT / "scripts/slurm/submit"), "x", "out.h5", "experiment"], capture_output=True, text=True)
    assert r.returncode == 2 and "positive number of shards" in r.stderr


def test_mpirun_launches_one_shard_per_rank(wann, experiment_shards, tmp_path):
    import os
    import shutil
    if shutil.which("mpirun") is None:
        pytest.skip("mpirun not installed (scripts/test installs Open MPI)")
    _, whole, _ = experiment_shards
    r = subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", str(ROOT / "scripts/grid-shard"),
                        str(tmp_path), "experiment", "run", str(SMOKE)],
                       env=dict(os.environ, WANN_BIN=str(wann)), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    merged = tmp_path / "merged.h5"
    run(wann, "experiment", "merge", merged, tmp_path / "shard-1-of-2.h5", tmp_path / "shard-2-of-2.h5")
    assert archive_diff(whole, merged).returncode == 0
