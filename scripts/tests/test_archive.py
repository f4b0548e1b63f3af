"""The HDF5 run archive, read with h5py/pandas only: contents agree with `wann inspect`, a killed
run keeps every finished generation, and kill + resume equals an uninterrupted run bit for bit."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import wann_h5

from suite_helpers import attribute_bytes, run_json

TIMING_ATTRS = {"seconds", "wall_time"}


def search(wann, out, *args):
    cmd = [str(wann), "search", "--out", str(out), "--quiet", "--json", *map(str, args)]
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def test_archive_agrees_with_inspect(wann, tmp_path):
    out = tmp_path / "run.h5"
    printed = [json.loads(l) for l in search(wann, out, "--seed", 2, "--generations", 5, "--population", 32).stdout.splitlines()]
    inspect = run_json([wann, "inspect", out, "--json"])
    with wann_h5.open_archive(out) as run:
        summary = run.summary()
        assert run.generations() == list(range(5)) == [g["generation"] for g in inspect["generations"]]
        for row, ins, live in zip(summary.itertuples(), inspect["generations"], printed):
            assert row.best == ins["best"] == live["best"]
            assert row.mean == ins["mean"] == live["mean"]
            assert row.median == ins["median"] == live["median"]
            assert row.steps == ins["steps"] == live["steps"]
        for g in range(5):
            genomes = run.genomes(g)
            rewards = run.rewards(g)
            assert rewards.shape == (32, 3, 6)
            # mean over repetitions per weight, then over weights (the search's order of summation)
            np.testing.assert_array_equal(genomes["mean_reward"], rewards.mean(axis=1).mean(axis=1))
            assert set(genomes["origin"]) <= {"initial", "elite", "insertNode", "addConnection", "changeActivation", "enableConnection"}
            assert genomes["elite"].sum() == 5  # floor(0.2 * (32 - floor(0.2 * 32)))
            nodes = run.nodes(g)
            assert (nodes.groupby("genome").size() == genomes.set_index("index")["nodes"]).all()
        champ = run.champion()
        assert champ["retest_mean"] == inspect["champion"]["retestMeanReward"]
        assert (champ["generation"], champ["index"]) == (inspect["champion"]["generation"], inspect["champion"]["index"])
        assert int(champ["connections"]["enabled"].sum()) == inspect["champion"]["connections"]
    assert inspect["task"] == "swingup" and inspect["seed"] == 2 and inspect["completeGenerations"] == 5


def generation_contents(path):
    """Every dataset and attribute under /generations except wall-clock timings."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for k in obj.attrs:
                if k not in TIMING_ATTRS:
                    out[f"{name}@{k}"] = attribute_bytes(obj, k)
            if isinstance(obj, h5py.Dataset):
                out[name] = (obj.dtype.descr, obj.shape, obj[()].tobytes())
        f["generations"].visititems(visit)
    return out


def kill_after(wann, out, generations_seen, total, population):
    """Starts a search and SIGKILLs it once `generations_seen` generations were printed."""
    p = subprocess.Popen([str(wann), "search", "--out", str(out), "--json", "--quiet", "--seed", "7",
                          "--generations", str(total), "--population", str(population)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = 0
    for _ in p.stdout:
        seen += 1
        if seen >= generations_seen:
            break
    time.sleep(0.005)  # land inside a later generation
    p.send_signal(signal.SIGKILL)
    p.wait()
    return seen


def test_kill_and_resume_equals_uninterrupted_run(wann, tmp_path):
    full = tmp_path / "full.h5"
    search(wann, full, "--seed", 7, "--generations", 12, "--population", 48)
    killed = tmp_path / "killed.h5"
    kill_after(wann, killed, 3, 1000, 48)
    with wann_h5.open_archive(killed) as run:
        done = run.generations()
    assert 3 <= len(done) < 12, f"the kill came too late to test resume: {len(done)} generations"
    subprocess.run([str(wann), "resume", str(killed), "--generations", "12", "--quiet"], check=True, capture_output=True)
    a, b = generation_contents(full), generation_contents(killed)
    assert a.keys() == b.keys()
    different = [k for k in a if a[k] != b[k]]
    assert not different, f"resumed run differs in {different[:5]}"
    # A clean stop at G and a resume to 2G gives the same as well.
    half = tmp_path / "half.h5"
    search(wann, half, "--seed", 7, "--generations", 6, "--population", 48)
    subprocess.run([str(wann), "resume", str(half), "--generations", "12", "--quiet"], check=True, capture_output=True)
    assert generation_contents(half) == a


@pytest.mark.parametrize("delay", [0.0, 0.013, 0.031])
def test_sigkill_keeps_every_finished_generation(wann, tmp_path, delay):
    out = tmp_path / "killed.h5"
    p = subprocess.Popen([str(wann), "search", "--out", str(out), "--json", "--quiet", "--seed", "3",
                          "--generations", "1000", "--population", "192"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printed = []
    for line in p.stdout:
        printed.append(json.loads(line))
        if len(printed) >= 2:
            break
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL
    # h5py opens the killed file, once a commit the kill cut short is rolled back (wann_h5 does
    # that; plain h5py would read the half-applied commit, which may hold a generation more).
    with wann_h5.open_file(str(out)) as f:
        complete = sorted(int(n) for n, g in f["generations"].items() if g.attrs.get("complete") == 1)
        assert complete == list(range(len(complete))) and len(complete) >= 2
        for g in complete:
            grp = f["generations"][f"{g:06d}"]
            n = grp["genomes"].shape[0]
            assert n == 192 and grp["rewards"].shape == (192, 3, 6)
            assert np.isfinite(grp["rewards"][()]).all()
            assert grp["nodes"][()]["genome"].max() == 191 and len(grp["connections"][()]) > 0
    ins = run_json([wann, "inspect", out, "--json"])  # and so does our reader
    assert ins["completeGenerations"] == len(complete)
    for row in printed:
        assert ins["generations"][row["generation"]]["best"] == row["best"]


def test_refuses_to_overwrite_and_names_bad_files(wann, tmp_path):
    out = tmp_path / "run.h5"
    search(wann, out, "--generations", 1, "--population", 8)
    again = subprocess.run([str(wann), "search", "--out", str(out), "--generations", "1"], capture_output=True, text=True)
    assert again.returncode == 2 and "--force" in again.stderr and str(out) in again.stderr
    # Not HDF5, truncated, foreign, newer: each a clear one-line error naming the file.
    (tmp_path / "text.h5").write_text("hello")
    truncated = tmp_path / "truncated.h5"
    data = out.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["x"] = np.arange(3)
    newer = tmp_path / "newer.h5"
    shutil.copy(out, newer)
    with h5py.File(newer, "r+") as f:
        f.attrs["format_version"] = np.int64(99)
    cases = {"text.h5": "not an HDF5 file", "truncated.h5": "truncated", "foreign.h5": "not a wann run archive",
             "newer.h5": "format version 99", "missing.h5": "does not exist"}
    for name, needle in cases.items():
        r = subprocess.run([str(wann), "inspect", str(tmp_path / name)], capture_output=True, text=True)
        assert r.returncode == 2, (name, r.stderr)
        assert needle in r.stderr and name in r.stderr, (name, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, (name, r.stderr)
    # The original file was never touched by the failed overwrite.
    assert wann_h5.open_archive(out).generations() == [0]


def test_comparison_archive(wann, tmp_path):
    out = tmp_path / "cmp.h5"
    r = subprocess.run([str(wann), "compare", "--task", "recall", "--seeds", "2", "--generations", "6", "--population", "16",
                        "--conditions", "ff,recurrent", "--trials", "5", "--out", str(out), "--json"],
                       check=True, capture_output=True, text=True)
    result = json.loads(r.stdout)
    assert [row["condition"] for row in result["rows"]] == ["feedForward", "recurrent"]
    assert all(row["runs"] == 2 for row in result["rows"])
    assert len(result["tests"]) == 1 and 0 <= result["tests"][0]["p"] <= 1
    assert wann_h5.runs(out) == ["feedForward-s1", "feedForward-s2", "recurrent-s1", "recurrent-s2"]
    table = wann_h5.comparison(out)
    assert list(table["name"]) == ["feedForward-s1", "feedForward-s2", "recurrent-s1", "recurrent-s2"]
    for row in result["rows"]:
        assert list(table[table.condition == row["condition"]]["score"]) == row["scores"]
    with wann_h5.open_archive(out, run="recurrent-s2") as run:
        assert run.generations() == list(range(6))
        assert run.config["searchSpace.recurrent"] == 1 and run.config["seed"] == 2
        assert "recurrent" in run.connections(5).columns
    ev = run_json([wann, "evaluate", "--genome", f"{out}#recurrent-s1/champion", "--trials", "2", "--json"])
    assert ev["task"] == "recall"
    ins = run_json([wann, "inspect", out, "--json"])
    assert ins["kind"] == "comparison" and len(ins["runs"]) == 4


def test_smoke_experiment_end_to_end(wann, root, tmp_path):
    out = tmp_path / "smoke.h5"
    subprocess.run([str(wann), "experiment", "run", str(root / "experiments" / "ablation-smoke.toml"), "--out", str(out)],
                   check=True, capture_output=True, text=True)
    names = wann_h5.runs(out)
    assert names == sorted(f"{v}-s{s}" for v in ["baseline", "fixed07", "random", "noise025"] for s in (1, 2))
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "experiment" and "experiment_toml" in f.attrs
        for name in names:
            ev = f["experiments"][name]["evaluation"]
            assert ev.attrs["complete"] == 1
            assert ev["sweep"].shape == (3, 5) and ev.attrs["sweep_axes"] == "trial,weight"
            assert list(ev["sweep_weights"][()]) == [-2.0, -1.0, 0.0, 1.0, 2.0]
            assert ev["fixed"].shape == (3, 3) and ev["random"].shape == (4,)
            assert ev["noise"].shape == (2, 3, 6) and ev.attrs["noise_axes"] == "sigma,trial,weight"
            assert len(ev["summary"][()]) == len(ev.attrs["condition_names"].split(";")) == 1 + 3 + 1 + 2
            np.testing.assert_allclose(ev["summary"][0], ev["sweep"][()].mean())
    with wann_h5.open_archive(out, run="fixed07-s1") as run:
        assert run.config["evaluation.weightMode"] == "singleFixed"
        assert run.rewards(2).shape == (16, 6, 1)  # budget 6 = 6 repetitions x 1 weight
    report = run_json([wann, "experiment", "report", out, "--json"])
    assert report["variants"] == ["baseline", "fixed07", "random", "noise025"]
    assert report["cells"][0][0].get("p") is None and report["cells"][1][0]["p"] <= 1 and all(len(c["scores"]) == 2 for row in report["cells"] for c in row)
    # Running again continues: nothing is redone, the archive's runs are untouched.
    again = subprocess.run([str(wann), "experiment", "run", str(root / "experiments" / "ablation-smoke.toml"), "--out", str(out)],
                           check=True, capture_output=True, text=True)
    assert "8 run(s) already done, 0 to run" in again.stderr
    assert wann_h5.runs(out) == names


def test_resume_notes_an_archive_of_another_version(wann, tmp_path):
    """Resuming a run that another wann version wrote says so: the added generations follow this
    version's arithmetic. A run of this version resumes without the note."""
    path = tmp_path / "run.h5"
    subprocess.run([wann, "search", "--task", "swingup", "--population", "12", "--generations", "2",
                    "--out", path, "--quiet"], check=True, capture_output=True)
    same = subprocess.run([wann, "resume", path, "--generations", "3", "--quiet"], capture_output=True, text=True)
    assert same.returncode == 0 and "written by wann" not in same.stderr
    with h5py.File(path, "r+") as f:
        f.attrs["software_version"] = "0.0.1"
    other = subprocess.run([wann, "resume", path, "--generations", "4", "--quiet"], capture_output=True, text=True)
    assert other.returncode == 0
    assert "written by wann 0.0.1" in other.stderr


def test_archives_without_later_config_keys_read_as_they_ran(wann, tmp_path):
    """Archives written before `population.parentSelection`, `ranking.crowding` and
    `searchSpace.disabledHiddenLinks` existed lack them (attributes and TOML text); they ran with
    one tournament, crowding by range and disabled genes inactive, which are no longer all the
    defaults. They read, and resume, as they ran: the resumed generation equals a fresh run's."""
    later = ("population.parentSelection", "ranking.crowding", "searchSpace.disabledHiddenLinks")
    config = tmp_path / "before.toml"
    config.write_text('[population]\nparentSelection = "oneTournament"\n[ranking]\ncrowding = "range"\n'
                      '[searchSpace]\ndisabledHiddenLinks = "inactive"\n')
    path, fresh = tmp_path / "old.h5", tmp_path / "fresh.h5"
    for out, generations in ((path, "2"), (fresh, "3")):
        subprocess.run([wann, "search", "--config", config, "--population", "12", "--generations", generations,
                        "--out", out, "--quiet"], check=True, capture_output=True)
    with h5py.File(path, "r+") as f:
        for key in later:
            del f["config"].attrs[key]
        text = f.attrs["config_toml"]
        text = text.decode() if isinstance(text, bytes) else text
        kept = [l for l in text.splitlines() if not any(l.startswith(k.split(".")[1] + " =") for k in later)]
        f.attrs["config_toml"] = "\n".join(kept) + "\n"
    shown = subprocess.run([wann, "inspect", path, "--json"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    toml = json.loads(shown.stdout)["configTOML"]
    assert 'parentSelection = "oneTournament"' in toml and 'disabledHiddenLinks = "inactive"' in toml and 'crowding = "range"' in toml
    resumed = subprocess.run([wann, "resume", path, "--generations", "3", "--quiet"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    with h5py.File(path, "r") as a, h5py.File(fresh, "r") as b:
        np.testing.assert_array_equal(a["generations"]["000002"]["rewards"][()], b["generations"]["000002"]["rewards"][()])


def test_original_disabled_hidden_links_rule_reads_back(wann, tmp_path):
    """Under `searchSpace.disabledHiddenLinks = "active"` the reader marks the genes of the
    evaluated network: per genome they add up to the stored connection count (the search's
    complexity objective), include disabled hidden-to-hidden genes, and the original-format export
    writes exactly those links."""
    config = tmp_path / "original-links.toml"
    config.write_text('[searchSpace]\ndisabledHiddenLinks = "active"\n[mutation]\ninsertNode = 0.7\n')
    out = tmp_path / "run.h5"
    search(wann, out, "--config", config, "--seed", 3, "--generations", 40, "--population", 32)
    with wann_h5.open_archive(out) as run:
        assert run.disabled_hidden_links == "active"
        last = run.generations()[-1]
        conns, genomes = run.connections(last), run.genomes(last)
        active = conns.groupby("genome")["active"].sum().reindex(genomes["index"], fill_value=0)
        np.testing.assert_array_equal(active.to_numpy(), genomes["connections"].to_numpy())
        kept = conns[conns["active"] & ~conns["enabled"]]
        assert len(kept) > 0, "40 generations of node insertions should leave disabled hidden-to-hidden genes"
        index = int(kept["genome"].iloc[0])
    exported = tmp_path / "net.out"
    subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "export_original_format.py"), str(out),
                    "--out", str(exported), "--generation", str(last), "--index", str(index)], check=True, capture_output=True)
    matrix = np.loadtxt(exported, delimiter=",")
    assert int((matrix[:, :-1] != 0).sum()) == int(genomes.set_index("index").loc[index, "connections"])


def run_by_threads_and_resumed(wann, tmp_path, config_text, generations):
    """Runs the config on 1 and 2 threads, and stopped halfway then resumed; asserts the three
    archives' generations are equal and returns the 1-thread archive's path."""
    config = tmp_path / "run.toml"
    config.write_text(config_text)
    runs = {}
    for threads in (1, 2):
        runs[threads] = tmp_path / f"t{threads}.h5"
        search(wann, runs[threads], "--config", config, "--threads", threads)
    assert generation_contents(runs[1]) == generation_contents(runs[2])
    half = tmp_path / "half.h5"
    search(wann, half, "--config", config, "--generations", generations // 2)
    subprocess.run([str(wann), "resume", str(half), "--generations", str(generations), "--quiet"],
                   check=True, capture_output=True)
    assert generation_contents(half) == generation_contents(runs[1])
    return runs[1]


def assert_config_refused_in_one_line(wann, tmp_path, config_text, key):
    bad = tmp_path / "bad.toml"
    bad.write_text(config_text)
    r = subprocess.run([str(wann), "search", "--config", str(bad), "--out", str(tmp_path / "bad.h5")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and key in r.stderr, r.stderr


def test_species_breed_apart_and_resume_and_thread_counts_give_the_same_run(wann, tmp_path):
    """Speciation (speciation.enabled): a run is the same for any thread count and when stopped
    and resumed (the species state comes back from the archive); each species with offspring
    breeds its share, laid out species after species, from its own members; the ids, shares and
    threshold the archive stores agree with the genomes."""
    path = run_by_threads_and_resumed(
        wann, tmp_path, "seed = 4\ngenerations = 8\n[population]\nsize = 40\n[speciation]\nenabled = true\n"
        "threshold = 0.5\nminThreshold = 0.25\nstagnation = 2\n", 8)
    with wann_h5.open_archive(path) as run:
        assert run.config["speciation.enabled"] == 1
        seen = set()
        for g in range(7):
            genomes, species = run.genomes(g), run.species(g)
            assert species["offspring"].sum() == 40 and species["members"].sum() == 40
            counts = genomes["species"].value_counts()
            assert all(counts[i] == m for i, m in zip(species["id"], species["members"]))
            for i, rep in zip(species["id"], species["representative"]):
                members = genomes[genomes["species"] == i]
                assert rep == members.nsmallest(1, "rank")["index"].iloc[0]
            seen.add(len(species))
            children = run.genomes(g + 1)
            start = 0
            for i, share in zip(species["id"], species["offspring"]):
                block = children.iloc[start:start + share]
                assert (genomes.loc[block["parent"], "species"] == i).all(), (g, i)
                start += share
        assert max(seen) > 1
    plain = tmp_path / "plain.h5"
    search(wann, plain, "--generations", 1, "--population", 8)
    with wann_h5.open_archive(plain) as p, pytest.raises(wann_h5.ArchiveError, match="speciation.enabled"):
        p.species(0)
    assert_config_refused_in_one_line(
        wann, tmp_path, "[population]\nsize = 36\nislands = 3\n[speciation]\nenabled = true\n", "speciation.enabled")


def test_novelty_ranks_on_the_weight_profile_and_resume_and_thread_counts_give_the_same_run(wann, tmp_path):
    """Novelty on the weight profile (ranking.noveltyProbability): a run is the same for any
    thread count and when stopped and resumed; about the configured share of generations rank on
    (mean, novelty), and in those each island's first front is exactly the genomes that no other
    genome of the island dominates on (mean reward, novelty), novelty computed here from the
    stored rewards: the mean distance, over the weights' mean rewards, to the 5 nearest."""
    path = run_by_threads_and_resumed(
        wann, tmp_path, "seed = 6\ngenerations = 8\n[population]\nsize = 24\nislands = 2\n"
        "[ranking]\nnoveltyProbability = 0.5\nnoveltyNeighbours = 5\n", 8)
    with wann_h5.open_archive(path) as run:
        assert run.config["ranking.noveltyProbability"] == 0.5
        summary = run.summary()
        on = summary["ranked_on_novelty"].tolist()
        assert any(on) and not all(on), on
        assert not (summary["ranked_on_novelty"] & summary["ranked_on_connections"]).any()
        for g in summary.loc[summary["ranked_on_novelty"], "generation"]:
            genomes, rewards = run.genomes(g), run.rewards(g)
            profile = rewards.mean(axis=1)  # genomes x weights
            for island in (range(0, 12), range(12, 24)):
                p = profile[list(island)]
                d = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(axis=2))
                novelty = np.array([np.sort(np.delete(row, i))[:5].mean() for i, row in enumerate(d)])
                mean = genomes["mean_reward"].to_numpy()[list(island)]
                dominated = [any(mean[j] >= mean[i] and novelty[j] >= novelty[i]
                                 and (mean[j] > mean[i] or novelty[j] > novelty[i]) for j in range(12))
                             for i in range(12)]
                first = genomes["front"].to_numpy()[list(island)] == 0
                assert first.tolist() == [not x for x in dominated], (g, island)
    assert_config_refused_in_one_line(wann, tmp_path, "[ranking]\nnoveltyProbability = 1.5\n",
                                      "ranking.noveltyProbability")


def test_islands_breed_apart_and_resume_and_thread_counts_give_the_same_run(wann, tmp_path):
    """The island model (population.islands): a run is the same for any thread count and when
    stopped and resumed; children are bred on their parent's island, except the migrants, the
    previous island's best, copied unchanged at every migrationInterval-th generation."""
    path = run_by_threads_and_resumed(
        wann, tmp_path, "seed = 5\ngenerations = 6\n[population]\nsize = 36\nislands = 3\n"
        "migrationInterval = 2\nmigrants = 2\n", 6)
    with wann_h5.open_archive(path) as run:
        assert run.config["population.islands"] == 3
        island = lambda i: i // 12  # noqa: E731 (three blocks of 12)
        for g in range(1, 6):
            genomes = run.genomes(g)
            arrivals = {10, 11, 22, 23, 34, 35} if g % 2 == 0 else set()
            before = run.genomes(g - 1)
            for index, parent, origin in zip(genomes["index"], genomes["parent"], genomes["origin"]):
                if index in arrivals:
                    source = (island(index) + 2) % 3
                    assert island(parent) == source and origin == "elite"
                    best = before[before["index"] // 12 == source].nsmallest(2, "rank")["index"].tolist()
                    assert parent in best
                else:
                    assert island(parent) == island(index), (g, index, parent)
    assert_config_refused_in_one_line(
        wann, tmp_path, "[population]\nsize = 36\nislands = 3\nmigrants = 30\n", "population.migrants")
