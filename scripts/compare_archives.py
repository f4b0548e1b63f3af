#!/usr/bin/env python3
"""Compares two wann archives content for content: every group, dataset (values, bit for bit)
and attribute, except those that record when, where, how long or with which build (timestamps,
seconds, host, software version).

Why: "the same config and seed give the same archive" is a promise about content; HDF5 files of
equal content differ in bytes (timestamps, layout). Used to check that a refactor changed no
result, and that merged or resumed archives equal uninterrupted ones.

Usage: python scripts/compare_archives.py A.h5 B.h5   (exit 0: equal; 1: differences listed)
"""
import sys

import h5py
import numpy as np

IGNORED_ATTRIBUTES = {"start_time", "end_time", "resumed_time", "wall_time", "seconds", "created", "host",
                      "software_version"}


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc" or a.dtype.names:
        return a.tobytes() == b.tobytes()
    return bool(np.array_equal(a, b))


def attribute(obj, name):
    """An attribute's value; object references (the dimension scales' DIMENSION_LIST and
    REFERENCE_LIST) as the paths they point to, since their addresses differ between files of
    equal content."""
    value = obj.attrs[name]
    if name == "DIMENSION_LIST":
        return np.array([",".join(target(obj, r) for r in refs) for refs in value])
    if name == "REFERENCE_LIST":
        # Which datasets a scale labels, in no particular order (a merge attaches in name order).
        return np.array(sorted(f"{target(obj, r)}:{axis}" for r, axis in value))
    return value


def target(obj, ref) -> str:
    """The path an object reference points to; a reference into nothing (a copy made without
    its targets) is a difference, not a crash."""
    try:
        return obj.file[ref].name
    except (KeyError, ValueError, OSError):
        return "(a reference to nothing)"


def compare(a: h5py.Group, b: h5py.Group, path: str, out: list[str]) -> None:
    for name in sorted(set(a.attrs) | set(b.attrs)):
        if name in IGNORED_ATTRIBUTES:
            continue
        if name not in a.attrs or name not in b.attrs:
            out.append(f"{path}@{name}: only in {'B' if name not in a.attrs else 'A'}")
        elif not same(attribute(a, name), attribute(b, name)):
            out.append(f"{path}@{name}: {a.attrs[name]!r} != {b.attrs[name]!r}")
    for name in sorted(set(a) | set(b)):
        p = f"{path}/{name}"
        if name not in a or name not in b:
            out.append(f"{p}: only in {'B' if name not in a else 'A'}")
        elif isinstance(a[name], h5py.Group) != isinstance(b[name], h5py.Group):
            out.append(f"{p}: a group in one archive, a dataset in the other")
        elif isinstance(a[name], h5py.Group):
            compare(a[name], b[name], p, out)
        else:
            if not same(a[name][()], b[name][()]):
                out.append(f"{p}: values differ")
            compare_attrs_only(a[name], b[name], p, out)


def compare_attrs_only(a, b, path, out):
    for name in sorted(set(a.attrs) | set(b.attrs)):
        if name in IGNORED_ATTRIBUTES:
            continue
        if name not in a.attrs or name not in b.attrs or not same(attribute(a, name), attribute(b, name)):
            out.append(f"{path}@{name}: differs")


def main() -> int:
    usage = __doc__.strip().splitlines()[-1]
    if sys.argv[1:] in (["-h"], ["--help"]):
        print(usage)
        return 0
    if len(sys.argv) != 3:
        print(usage, file=sys.stderr)
        return 2
    out: list[str] = []
    try:
        with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
            compare(a, b, "", out)
    except OSError as e:  # missing, unreadable or not HDF5: one line, not a traceback
        print(f"error: cannot read the archives: {e}", file=sys.stderr)
        return 2
    for line in out[:50]:
        print(line)
    if out:
        print(f"{len(out)} difference(s)")
        return 1
    print("equal (timestamps, seconds, host and software version aside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
