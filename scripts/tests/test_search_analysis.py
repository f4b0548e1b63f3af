"""Per-generation analysis while searching (`--profile-every`, `--battery-every`, `[analysis]`):
what it stores, that it never changes the search, that a resumed run continues it exactly,
`wann battery` after the fact, and reading and plotting it."""
import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

import wann_h5
from suite_helpers import ROOT, run_json

COMPARE = [sys.executable, str(ROOT / "scripts" / "compare_archives.py")]
SEARCH = ["search", "--task", "swingup", "--generations", "14", "--population", "32", "--threads", "2", "--quiet"]


def run(*cmd, ok=True):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def during_search(path):
    """(genome, kind, at_generation, trigger, rollouts) of every result the search made."""
    out = []
    with h5py.File(path, "r") as f:
        for name, genome in f.get("analysis", {}).items():
            for kind, results in genome.items():
                for r in results.values():
                    if r.attrs.get("during_search") == 1:
                        out.append((name, kind, int(r.attrs["at_generation"]), r.attrs["trigger"], int(r.attrs["rollouts"])))
    return sorted(out, key=lambda e: (e[2], e[0], e[1]))


@pytest.fixture(scope="module")
def searched(wann, tmp_path_factory):
    d = tmp_path_factory.mktemp("analysis")
    plain, analysed = d / "plain.h5", d / "analysed.h5"
    run(wann, *SEARCH, "--out", plain)
    run(wann, *SEARCH, "--out", analysed, "--profile-every", "4", "--battery-every", "4")
    return d, plain, analysed


def test_analysis_never_changes_the_search(searched):
    _, plain, analysed = searched
    with h5py.File(plain, "r") as a, h5py.File(analysed, "r") as b:
        assert sorted(a["generations"]) == sorted(b["generations"])
        for g in a["generations"]:
            for name, ds in a["generations"][g].items():
                assert ds[()].tobytes() == b["generations"][g][name][()].tobytes(), f"generation {g}: {name} differs"
        assert a["champion"]["connections"][()].tobytes() == b["champion"]["connections"][()].tobytes()
        assert "analysis" not in a


def test_the_champions_of_every_4th_generation_and_of_changes_are_analysed(searched):
    _, _, analysed = searched
    events = during_search(analysed)
    assert events, "nothing was analysed"
    with wann_h5.open_archive(analysed) as run_:
        s = run_.summary()
        config = run_.config
    assert config["analysis.profileEvery"] == 4 and config["analysis.batteryEvery"] == 4
    champions = {int(r.generation): f"{int(r.champion_generation):06d}-{int(r.champion_index)}" for _, r in s.iterrows()}
    stored = {(e[0], e[1]) for e in events}
    # Every 4th generation (and the last): its champion has a profile and a battery.
    for g in [0, 4, 8, 12, 13]:
        assert (champions[g], "profiles") in stored and (champions[g], "battery") in stored, g
    # Each was made at the generation that asked first; change-only ones stay within the budget.
    spent = 0
    for name, kind, at, trigger, rollouts in events:
        assert champions[at] == name
        spent += rollouts
        if trigger == "change":
            assert spent <= config["analysis.budget"] * (at + 1)
    # Each distinct genome once per kind.
    assert len(stored) == len(events)


def test_inspect_and_the_reader_show_the_history(wann, searched, tmp_path):
    _, _, analysed = searched
    info = run_json([wann, "inspect", analysed, "--json"])["analysis"]
    assert info["duringSearch"] == len(during_search(analysed)) and info["results"]["battery"] >= 4
    assert "made while searching" in run(wann, "inspect", analysed).stdout
    with wann_h5.open_archive(analysed) as r:
        h = r.analysis_history()
        n = len(r.generations())
    assert set(h.kind) == {"battery", "profile"} and h.generation.nunique() >= n - 3
    noise = h[(h.kind == "battery") & h.sigma.notna()]
    assert sorted(noise.sigma.unique()) == [0.05, 0.1, 0.25, 0.5, 1.0]
    assert set(h[h.kind == "profile"].weight.round(6)) == set(np.round(np.linspace(-2, 2, 21), 6))
    exe = ROOT / ".venv" / "bin" / "wann-plot"
    r = run(exe if exe.exists() else "wann-plot", "robustness", analysed, "--out", tmp_path)
    assert (tmp_path / "robustness.png").stat().st_size > 1000


def test_a_resumed_run_continues_the_analysis_exactly(wann, tmp_path):
    """A run cut short between a generation and its analysis: resume makes what is missing, and
    the archive equals an uninterrupted run's."""
    config = tmp_path / "a.toml"
    # bestGenome: the last generation's best genome is new, so its analysis is always due.
    config.write_text("[analysis]\nprofileEvery = 3\nbatteryEvery = 3\nbestGenome = true\nbudget = 2000\n")
    args = ["search", "--config", config, "--generations", "10", "--population", "32", "--threads", "1", "--quiet"]
    whole, cut = tmp_path / "whole.h5", tmp_path / "cut.h5"
    run(wann, *args, "--out", whole)
    run(wann, *args, "--out", cut)
    with h5py.File(cut, "r+") as f:
        removed = 0
        for genome in list(f["analysis"].values()):
            for results in list(genome.values()):
                for k in list(results):
                    if results[k].attrs.get("at_generation") == 9:
                        del results[k]
                        removed += 1
        del f.attrs["end_time"]
        del f["champion"]
    assert removed >= 1
    run(wann, "resume", cut, "--quiet")
    r = run(*COMPARE, whole, cut, ok=False)
    assert r.returncode == 0, r.stdout
    # Resuming with the analysis switched on records it, and goes on analysing.
    late = tmp_path / "late.h5"
    run(wann, "search", "--task", "swingup", "--generations", "6", "--population", "32", "--threads", "1", "--quiet", "--out", late)
    run(wann, "resume", late, "--generations", "10", "--battery-every", "2", "--quiet")
    with wann_h5.open_archive(late) as r_:
        assert r_.config["analysis.batteryEvery"] == 2
        s = r_.summary()
    champions = {int(r.generation): f"{int(r.champion_generation):06d}-{int(r.champion_index)}" for _, r in s.iterrows()}
    batteries = {e[0] for e in during_search(late) if e[1] == "battery"}
    assert all(champions[g] in batteries for g in (6, 8, 9)) and min(e[2] for e in during_search(late)) >= 5


def test_battery_after_the_fact_reuses_what_is_stored(wann, searched):
    _, plain, analysed = searched
    first = run_json([wann, "battery", plain, "--every", "4", "--json"])
    assert first["batteries"] and not any(b["reused"] for b in first["batteries"])
    again = run_json([wann, "battery", plain, "--every", "4", "--json"])
    assert all(b["reused"] for b in again["batteries"])
    assert [b["scores"] for b in again["batteries"]] == [b["scores"] for b in first["batteries"]]
    # The same settings as the search's own: the analysed run's batteries are read back, equal.
    made = run_json([wann, "battery", analysed, "--every", "4", "--json"])
    assert all(b["reused"] for b in made["batteries"])
    assert [b["scores"] for b in made["batteries"]] == [b["scores"] for b in first["batteries"]]


@pytest.mark.parametrize("args, needle", [
    (["search", "--profile-every", "-1"], "--profile-every must be in 0...10000000"),
    (["battery", "x.h5"], "give --every N or --generations LIST"),
    (["search", "--battery-every", "x"], "battery-every"),
])
def test_bad_analysis_options_give_one_line(wann, args, needle):
    r = run(wann, *args, ok=False)
    assert r.returncode == 2 and needle in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_grids_analyse_their_runs_and_continue_without_the_flag(wann, tmp_path):
    smoke = ROOT / "experiments" / "ablation-smoke.toml"
    out = tmp_path / "e.h5"
    run(wann, "experiment", "run", smoke, "--out", out, "--threads", "1", "--profile-every", "2")
    with wann_h5.open_archive(out, "baseline-s1") as r:
        h = r.analysis_history()
        assert r.config["analysis.profileEvery"] == 2
    assert not h.empty and set(h.kind) == {"profile"}
    # Analysis settings never change a search: continuing without them keeps every run.
    assert "8 run(s) already done, 0 to run" in run(wann, "experiment", "run", smoke, "--out", out, "--threads", "1").stderr
    c = tmp_path / "c.h5"
    run(wann, "compare", "--task", "swingup", "--seeds", "1", "--generations", "6", "--population", "16", "--conditions", "ff",
        "--trials", "2", "--threads", "1", "--out", c, "--battery-every", "3")
    with wann_h5.open_archive(c, "feedForward-s1") as r:
        assert set(r.analysis_history().kind) == {"battery"}
