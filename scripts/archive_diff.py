#!/usr/bin/env python3
"""Compare two wann archives value for value, timings aside.

    python3 scripts/archive_diff.py A.h5 B.h5 [--path /experiments]

Walks both files: every group, dataset (dtype, shape and every value, NaN equal to NaN) and
attribute must match, except the attributes that record when and where a run was made
(start_time, end_time, resumed_time, wall_time, seconds, host, software_version) and a shard
archive's `shard`. Prints each difference and exits 1 if there is any, 0 if the archives are equal.
Used to check that a merged sharded grid equals the unsharded one (docs/distributed.md).
"""
import argparse
import sys

import h5py
import numpy as np

TIMING = {"start_time", "end_time", "resumed_time", "wall_time", "seconds", "host", "software_version", "shard"}


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.names:
            return all(same(a[n], b[n]) for n in a.dtype.names)
        if a.dtype.kind == "f":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b


def diff(a, b, path, out):
    for k in sorted(set(a.attrs) | set(b.attrs)):
        if k in TIMING:
            continue
        if k not in a.attrs or k not in b.attrs:
            out.append(f"{path}@{k}: only in {'first' if k in a.attrs else 'second'}")
        elif not same(a.attrs[k], b.attrs[k]):
            out.append(f"{path}@{k}: {a.attrs[k]!r} != {b.attrs[k]!r}")
    if isinstance(a, h5py.Dataset):
        if not same(a[()], b[()]):
            out.append(f"{path}: values differ")
        return
    for k in sorted(set(a) | set(b)):
        p = f"{path.rstrip('/')}/{k}"
        if k not in a or k not in b:
            out.append(f"{p}: only in {'first' if k in a else 'second'}")
        elif type(a[k]) is not type(b[k]):
            out.append(f"{p}: a group in one, a dataset in the other")
        else:
            diff(a[k], b[k], p, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("first")
    ap.add_argument("second")
    ap.add_argument("--path", default="/", help="compare only below this group (default: the whole file)")
    args = ap.parse_args()
    out = []
    try:
        with h5py.File(args.first, "r") as a, h5py.File(args.second, "r") as b:
            diff(a[args.path], b[args.path], args.path, out)
    except (OSError, KeyError) as e:
        print(f"archive_diff: error: {e}", file=sys.stderr)
        return 2
    for line in out[:200]:
        print(line)
    if out:
        print(f"{len(out)} difference(s)")
        return 1
    print("equal (timings aside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
