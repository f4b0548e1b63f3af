#!/usr/bin/env python3
"""Writes an archive's champion (or any stored feed-forward genome) in the original release's
CSV format: N rows, N+1 columns, the weight matrix (row = source, column = target; 1 marks an
connection of the evaluated network, 0 none) then each node's activation id; node order bias, inputs, hidden nodes
in an order where every connection goes forward, outputs last.

Why: scripts/original_swingup.py (the original-semantics NumPy reference) reads this format, so
our own champions can be replayed by the original's code path, e.g. for the reference episodes.

Usage: python scripts/export_original_format.py ARCHIVE.h5 --out FILE.out [--generation G --index I]
"""
import argparse


import h5py
import numpy as np

import wann_h5


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("archive")
    p.add_argument("--out", required=True)
    p.add_argument("--generation", type=int, help="default: the champion's")
    p.add_argument("--index", type=int)
    a = p.parse_args()
    with h5py.File(a.archive, "r") as f:
        gens = sorted(k for k in f["generations"] if f["generations"][k].attrs.get("complete") == 1)
        last = f["generations"][gens[-1]].attrs
        g = a.generation if a.generation is not None else int(last["champion_generation"])
        i = a.index if a.index is not None else int(last["champion_index"])
        nodes = [n for n in f["generations"][f"{g:06d}"]["nodes"][()] if n["genome"] == i]
    # The network the run evaluated: the reader's `active` genes (enabled ones, and under the
    # original's rule searchSpace.disabledHiddenLinks = "active" the disabled hidden-to-hidden ones).
    with wann_h5.open_archive(a.archive) as run:
        table = run.connections(g)
    conns = table[(table["genome"] == i) & table["active"]].to_dict("records")
    if any(c["recurrent"] for c in conns):
        raise SystemExit("the original format holds feed-forward networks only; this genome has recurrent links")
    kind = {int(n["id"]): int(n["kind"]) for n in nodes}
    act = {int(n["id"]): int(n["activation"]) for n in nodes}
    fixed = [n for n in kind if kind[n] in (0, 1)]
    fixed.sort(key=lambda n: (kind[n], n))
    outputs = sorted(n for n in kind if kind[n] == 3)
    hidden, placed = [], set(fixed)
    pending = sorted(n for n in kind if kind[n] == 2)
    sources = {n: {int(c["source"]) for c in conns if int(c["target"]) == n} for n in kind}
    while pending:
        ready = [n for n in pending if sources[n] <= placed | set(hidden)]
        if not ready:
            raise SystemExit("the genome's hidden nodes have a cycle")
        hidden += ready
        pending = [n for n in pending if n not in ready]
    order = fixed + hidden + outputs
    pos = {n: k for k, n in enumerate(order)}
    m = np.zeros((len(order), len(order) + 1))
    for c in conns:
        m[pos[int(c["source"])], pos[int(c["target"])]] = 1.0
    for n in order:
        m[pos[n], -1] = act[n] if kind[n] >= 2 else 1  # the original marks bias and inputs linear
    np.savetxt(a.out, m, delimiter=",", fmt="%g")
    print(f"{a.out}: generation {g}, genome {i}, {len(order)} nodes, {len(conns)} connections")


if __name__ == "__main__":
    main()
