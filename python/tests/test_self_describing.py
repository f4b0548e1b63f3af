"""The archive describes itself (issue "Readers first", part 1): every dataset carries a
one-line description, its axes are HDF5 dimension scales that xarray (h5netcdf) names, coded
table columns carry their legend, and a merge of shards keeps all of it."""
from __future__ import annotations

import subprocess
import warnings

import h5py
import pytest


def run(wann, *args):
    subprocess.run([str(wann), *map(str, args)], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def archives(wann, tmp_path_factory):
    d = tmp_path_factory.mktemp("described")
    search = d / "run.h5"
    run(wann, "search", "--task", "swingup", "--generations", 3, "--population", 16, "--out", search, "--threads", 1)
    run(wann, "profile", search, "--trials", 3, "--threads", 1)
    run(wann, "conditions", search, "--trials", 3, "--budget", 40, "--grid", "-2:2:5", "--threads", 1)
    run(wann, "battery", search, "--generations", 2, "--trials", 2, "--threads", 1)
    digits = d / "digits.h5"
    run(wann, "search", "--task", "digits", "--generations", 2, "--population", 32, "--out", digits, "--threads", 1)
    run(wann, "classify", digits, "--random-draws", 3, "--threads", 1)
    common = ["compare", "--task", "swingup", "--seeds", 2, "--generations", 2, "--population", 8,
              "--conditions", "ff,recurrent", "--trials", 2, "--threads", 1]
    for k in (1, 2):
        run(wann, *common, "--shard", f"{k}/2", "--out", d / f"shard-{k}.h5")
    merged = d / "merged.h5"
    run(wann, "experiment", "merge", merged, d / "shard-1.h5", d / "shard-2.h5")
    return {"search": search, "digits": digits, "merged": merged}


def datasets(path):
    found = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: found.append(name) if isinstance(obj, h5py.Dataset) else None)
    return found


def is_scale(ds) -> bool:
    return ds.attrs.get("CLASS") == b"DIMENSION_SCALE"


@pytest.mark.parametrize("which", ["search", "digits", "merged"])
def test_every_dataset_says_what_it_holds_and_names_its_axes(archives, which):
    path = archives[which]
    names = datasets(path)
    assert names
    with h5py.File(path, "r") as f:
        for name in names:
            ds = f[name]
            if is_scale(ds) and "description" not in ds.attrs:
                # A dimension that is only a name and a length (netCDF's marker in NAME).
                assert b"not a netCDF variable" in ds.attrs["NAME"], name
                continue
            assert ds.attrs.get("description"), f"{name} has no description"
            if is_scale(ds):  # a coordinate: labels its own axis
                assert ds.attrs["NAME"] == name.split("/")[-1].encode(), name
                continue
            assert len(ds.dims) == ds.ndim
            for axis, dim in enumerate(ds.dims):
                assert len(dim) == 1, f"{name}: axis {axis} has {len(dim)} scales"
                scale = dim[0]
                assert scale.parent.name == ds.parent.name, f"{name}: axis {axis} is labelled from another group"
                assert scale.shape == (ds.shape[axis],), f"{name}: axis {axis} and its scale differ in length"
                assert dim.label == scale.name.split("/")[-1]


def test_xarray_names_the_axes_of_a_fresh_archive(archives):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no phony dimensions, no "not a netCDF variable" warnings
        tree = xr.open_datatree(archives["search"], engine="h5netcdf")
    g = tree["generations/000001"].to_dataset()
    assert g["rewards"].dims == ("genome", "repetition", "weights")
    assert g["genomes"].dims == ("genome",)
    assert g["nodes"].dims == ("node",) and g["connections"].dims == ("connection",)
    assert g["episode_streams"].dims == ("repetition",)
    assert g.sizes["genome"] == 16
    assert list(g["weights"].values) == [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]
    assert "weights" in g.coords  # the shared weights label the axis: rewards.sel(weights=-2)
    assert g["rewards"].sel(weights=-2.0).shape == (16, g.sizes["repetition"])
    assert g["rewards"].attrs["description"].startswith("total reward")
    assert g["nodes"].attrs["activation_codes"].startswith("1=linear,2=step")
    assert g["nodes"].attrs["kind_codes"] == "0=bias,1=input,2=hidden,3=output"
    assert g["genomes"].attrs["origin_codes"].startswith("0=initial")
    analysis = [node for node in tree.subtree if node.path.endswith("profiles/0")]
    assert len(analysis) == 1
    profile = analysis[0].to_dataset()
    assert profile["rewards"].dims == ("trial", "weights") and profile["mean"].dims == ("weights",)
    battery = [node for node in tree.subtree if node.path.endswith("battery/0")][0].to_dataset()
    assert battery["sweep"].dims == ("trial", "sweep_weights")
    assert battery["noise"].dims == ("noise_sigmas", "trial", "noise_weights")
    conditions = [node for node in tree.subtree if node.path.endswith("conditions/0")][0].to_dataset()
    assert conditions["rewards"].dims == ("condition", "trial") and conditions.sizes["condition"] == 4


def test_the_package_names_activations_from_the_tables_legend(archives, run_archive):
    import wann_h5

    for path in (archives["search"], run_archive):  # a fresh archive, and one from before the legends
        nodes = wann_h5.open_archive(str(path)).nodes(1)
        named = dict(zip(nodes["activation"], nodes["activation_name"], strict=True))
        assert named and named.get(1, "linear") == "linear" and not nodes["activation_name"].isna().any()
        assert set(named.values()) <= set(wann_h5.ACTIVATION_NAMES.values())


def test_xarray_reads_a_merged_comparison(archives):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = xr.open_datatree(archives["merged"], engine="h5netcdf")
    run = tree["runs/recurrent-s2"]
    assert run["generations/000001"].to_dataset()["rewards"].dims == ("genome", "repetition", "weights")
    assert run["evaluation"].to_dataset()["weight_means"].dims == ("weights",)
    assert tree["comparison"].to_dataset()["scores"].dims == ("scored_run",)
