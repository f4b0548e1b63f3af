#!/usr/bin/env python3
"""Copies what reads of a damaged run archive into a new archive that `wann resume` continues.

    .venv/bin/python scripts/rescue_archive.py DAMAGED.h5 RESCUED.h5

`wann resume` refuses an archive whose generation group does not open (HDF5 cannot delete such
a group in place): the mark that wann 0.3.0 and older left when a full disk cut a generation
short, or any later damage. This copies the archive's attributes and groups, and its
generations in order up to the first that does not read, into RESCUED.h5 (the HDF5 1.8 format
wann writes). A search needs each generation's predecessor, so the copy ends at that gap;
`wann resume RESCUED.h5` recomputes the generations from there on, bit for bit as the
original run did. h5py's own HDF5 (1.14.4 or newer in its wheels) copies our attributes safely.
Exit status: 0 when the copy was made, 2 when it cannot be (with one line saying why).
"""
import sys

import h5py


def copy(source, parent, name):
    """Copies a group or dataset, then attaches its datasets' dimension scales again: HDF5
    copies the object references of DIMENSION_LIST and REFERENCE_LIST as they are, pointing
    into the old file, even with expand_refs. Scales sit beside the datasets they label."""
    source.file.copy(source, parent, name)
    copied = parent[name]
    if not isinstance(copied, h5py.Group):
        return
    scales = {}

    def visit(path, obj):
        if isinstance(obj, h5py.Dataset) and "DIMENSION_LIST" in obj.attrs:
            # Which scale beside it each reference opens (compared as objects: looking a name
            # up by reference searches the whole file, damaged parts included).
            beside = {v.id: k for k, v in obj.parent.items() if isinstance(v, h5py.Dataset) and "CLASS" in v.attrs}
            scales[path] = [beside[source.file[refs[-1]].id] for refs in obj.attrs["DIMENSION_LIST"]]
    source.visititems(visit)
    for path in scales:  # the copied references point nowhere: drop them first
        for scale in scales[path]:
            target = copied[path].parent[scale]
            if "REFERENCE_LIST" in target.attrs:
                del target.attrs["REFERENCE_LIST"]
        del copied[path].attrs["DIMENSION_LIST"]
    for path, names in scales.items():
        dataset = copied[path]
        for axis, scale in enumerate(names):
            dataset.dims[axis].attach_scale(dataset.parent[scale])


def rescue(damaged, rescued):
    with h5py.File(damaged, "r") as src, h5py.File(rescued, "w-", libver=("v108", "v108")) as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for name in src:
            if name != "generations":
                copy(src[name], dst, name)
        generations = dst.create_group("generations")
        for key, value in src["generations"].attrs.items():
            generations.attrs[key] = value
        kept = 0
        for name in sorted(src["generations"]):  # "000000", "000001", ...: in order
            try:
                copy(src["generations"][name], generations, name)
            except (KeyError, OSError, RuntimeError) as error:
                print(f"generation {name} does not read ({error}): the copy ends before it", file=sys.stderr)
                break
            kept += 1
    return kept


def main(argv):
    if len(argv) != 3:
        print("usage: rescue_archive.py DAMAGED.h5 RESCUED.h5", file=sys.stderr)
        return 2
    try:
        kept = rescue(argv[1], argv[2])
    except (OSError, KeyError) as error:
        print(f"rescue_archive: cannot copy {argv[1]} to {argv[2]}: {error}", file=sys.stderr)
        return 2
    print(f"{argv[2]}: {kept} generation(s) copied; continue the run with `wann resume {argv[2]}`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
