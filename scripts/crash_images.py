#!/usr/bin/env python3
"""Crash-consistency test of wann's archives, in the style of ALICE and CrashMonkey: records
every step a command makes on disk, builds the disk states a power cut may leave, and checks
each one.

How. The journaling driver traces every create, write (with its bytes), cut, sync, folder sync,
delete and rename when WANN_TRACE_WRITES names a file, plus a note after each committed
generation. For a crash at step c, a step before c is *durable* if a later sync before c covers
it (a file's writes and cuts by a sync of that file; a name made, removed or renamed by a sync of
its folder); the others may or may not have reached the disk. Each image keeps every durable step
and, by its mode, all the others in order (a kill), none of them (the least a disk must keep), or
a random subset of them in order with some writes torn to a random subset of their 512-byte
sectors (what a disk's cache may leave). Each image must then:
  1. open: `wann inspect --check` exits 0 (rolling back a commit cut short; every object reads);
  2. keep every generation whose commit finished (its note) before the crash;
  3. continue (`wann resume`, the search again, or `wann experiment run` again) to an archive
     equal to the uninterrupted run's (scripts/compare_archives.py).
Scenarios: a new search, a resume, an experiment.

Usage: scripts/crash_images.py [--wann .build/release/wann] [--images 2000] [--seed 1]
                               [--json RESULT.json] [--keep DIR] [--without-syncs]
--without-syncs traces commands that do not sync: images then lose committed generations, and
the script must say so (the check that this test can fail).
Exit 0 if every image passed; 1 with the failures listed. docs/reliability.md has the last result.
"""
import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parent.parent
SEARCH = ["--task", "swingup", "--population", "12", "--threads", "1", "--quiet"]
GRID = ('name = "crash"\nseeds = 1\ngenerations = 2\nbase.population.size = 12\n'
        '[variants.feedforward]\nsearchSpace.recurrent = false\n[variants.recurrent]\nsearchSpace.recurrent = true\n')


def load_compare():
    spec = importlib.util.spec_from_file_location("compare_archives", ROOT / "scripts" / "compare_archives.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPARE = load_compare()


def differences(a: Path, b: Path) -> list[str]:
    out: list[str] = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        COMPARE.compare(fa, fb, "", out)
    return out


# MARK: the trace

def read_trace(path: Path) -> list[dict]:
    data, at, steps = path.read_bytes(), 0, []
    while at < len(data):
        kind = chr(data[at])
        at += 1
        end = data.index(0, at)
        step = {"kind": kind, "path": data[at:end].decode()}
        at = end + 1
        if kind in "RN":
            end = data.index(0, at)
            step["second"] = data[at:end].decode()
            at = end + 1
        if kind == "W":
            offset, length = int.from_bytes(data[at:at + 8], "little"), int.from_bytes(data[at + 8:at + 16], "little")
            step["offset"], step["bytes"] = offset, data[at + 16:at + 16 + length]
            at += 16 + length
        if kind == "T":
            step["size"] = int.from_bytes(data[at:at + 8], "little")
            at += 8
        steps.append(step)
    return steps


def label_inodes(steps: list[dict], base: dict[str, int]) -> None:
    """Gives each step the file (an inode number of our own) its path named when it was made."""
    names, next_inode = dict(base), max(base.values(), default=0) + 1
    for step in steps:
        kind, path = step["kind"], step["path"]
        if kind == "C":
            names[path] = step["inode"] = next_inode
            next_inode += 1
        elif kind in "WTS":
            step["inode"] = names.get(path)
        elif kind == "U":
            step["inode"] = names.pop(path, None)
        elif kind == "R":
            step["inode"] = names.pop(path, None)
            if step["inode"] is not None:
                names[step["second"]] = step["inode"]


def durable_steps(steps: list[dict], crash: int) -> set[int]:
    """The steps before `crash` that a later sync before `crash` covers."""
    durable, synced_files, synced_folders = set(), set(), set()
    for i in range(crash - 1, -1, -1):
        step = steps[i]
        kind = step["kind"]
        if kind == "S":
            synced_files.add(step["inode"])
        elif kind == "D":
            synced_folders.add(step["path"])
        elif kind in "WT" and step.get("inode") in synced_files:
            durable.add(i)
        elif kind in "CU" and os.path.dirname(step["path"]) in synced_folders:
            durable.add(i)
        elif kind == "R" and {os.path.dirname(step["path"]), os.path.dirname(step["second"])} <= synced_folders:
            durable.add(i)
    return durable


def build_image(steps, crash, mode, rng, base_names, base_contents, traced: str, image: Path) -> None:
    durable = durable_steps(steps, crash)
    names, contents = dict(base_names), {k: bytearray(v) for k, v in base_contents.items()}
    for i in range(crash):
        step = steps[i]
        kind = step["kind"]
        if kind in "SDN":
            continue
        if i not in durable:
            if mode == "synced" or (mode == "subset" and rng.random() < 0.5):
                continue
        inode = step.get("inode")
        if kind == "C":
            names[step["path"]] = inode
            contents.setdefault(inode, bytearray())
        elif kind == "U":
            if inode is not None and names.get(step["path"]) == inode:
                del names[step["path"]]
        elif kind == "R":
            if inode is not None and names.get(step["path"]) == inode:
                del names[step["path"]]
                names[step["second"]] = inode
        elif kind == "W" and inode in contents:
            data, offset = step["bytes"], step["offset"]
            sectors = [(s, min(s + 512, len(data))) for s in range(0, len(data), 512)]
            if mode == "subset" and i not in durable and len(sectors) > 1 and rng.random() < 0.3:
                sectors = [s for s in sectors if rng.random() < 0.5]  # a torn write
            body = contents[inode]
            for start, end in sectors:
                if len(body) < offset + end:
                    body.extend(bytes(offset + end - len(body)))
                body[offset + start:offset + end] = data[start:end]
        elif kind == "T" and inode in contents:
            body = contents[inode]
            if step["size"] < len(body):
                del body[step["size"]:]
            else:
                body.extend(bytes(step["size"] - len(body)))
    image.mkdir(parents=True)
    for path, inode in names.items():
        if path.startswith(traced + "/"):
            (image / path[len(traced) + 1:]).write_bytes(bytes(contents[inode]))


# MARK: scenarios

class Scenario:
    """A traced command, what an image must keep, and how it continues."""

    def __init__(self, name: str, wann: str, work: Path, trace_env: dict):
        self.name, self.wann, self.work = name, wann, work
        self.traced = work / f"{name}-traced"
        self.traced.mkdir(parents=True)
        self.archive = {"experiment": "exp.h5"}.get(name, "run.h5")
        self.base_generations = 0
        if name == "resume":
            self.run(["search", "--seed", "7", "--generations", "2", *SEARCH, "--out", self.traced / "run.h5"])
            self.base_generations = 2
        if name == "experiment":
            (work / "grid.toml").write_text(GRID)
        self.base = {str(p): p.read_bytes() for p in sorted(self.traced.iterdir()) if p.is_file()}
        trace = work / f"{name}.trace"
        self.run(self.command(self.traced), env={**trace_env, "WANN_TRACE_WRITES": str(trace)})
        self.reference = work / f"{name}-reference.h5"
        shutil.copyfile(self.traced / self.archive, self.reference)
        self.base_names = {path: i + 1 for i, path in enumerate(self.base)}
        self.base_contents = {self.base_names[path]: data for path, data in self.base.items()}
        self.steps = read_trace(trace)
        label_inodes(self.steps, self.base_names)
        notes = [i for i, s in enumerate(self.steps) if s["kind"] == "N" and re.search(r"/generations/\d+$", s["second"])]
        self.note_steps = notes

    def command(self, folder: Path) -> list:
        out = folder / self.archive
        if self.name == "search":
            return ["search", "--seed", "7", "--generations", "3", *SEARCH, "--out", out]
        if self.name == "resume":
            return ["resume", out, "--generations", "4", "--quiet"]
        return ["experiment", "run", self.work / "grid.toml", "--out", out, "--threads", "1"]

    def run(self, args, env=None, check=True):
        r = subprocess.run([self.wann, *map(str, args)], capture_output=True, text=True,
                           env={**os.environ, **(env or {})})
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))}: exit {r.returncode}: {r.stderr.strip()}")
        return r

    def expected_generations(self, crash: int) -> int:
        return self.base_generations + sum(1 for i in self.note_steps if i < crash)

    def check(self, image: Path, crash: int) -> str | None:
        """None if the image of a crash at step `crash` passes, else what failed."""
        archive = image / self.archive
        kept = 0
        if archive.exists():
            r = self.run(["inspect", "--check", archive], check=False)
            if r.returncode != 0:
                return f"does not open: {r.stderr.strip()}"
            try:
                with h5py.File(archive, "r") as f:
                    kept = count_generations(f)
            except OSError as e:
                return f"h5py cannot open it after the roll-back: {e}"
        expected = self.expected_generations(crash)
        if kept < expected:
            return f"{kept} finished generations kept, {expected} were committed"
        # A search whose archive has its name is resumed; one that never got that far starts again.
        args = ["resume", archive, "--quiet"] if self.name == "search" and archive.exists() else self.command(image)
        r = self.run(args, check=False)
        if r.returncode != 0:
            return f"does not continue ({' '.join(map(str, args[:2]))}): {r.stderr.strip()}"
        diff = differences(archive, self.reference)
        if diff:
            return f"continues to another archive: {diff[:3]}"
        return None


def count_generations(f: h5py.File) -> int:
    total = 0

    def visit(name, obj):
        nonlocal total
        if isinstance(obj, h5py.Group) and re.search(r"(^|/)generations/\d+$", name) and obj.attrs.get("complete") == 1:
            total += 1
    f.visititems(visit)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wann", default=str(ROOT / ".build" / "release" / "wann"))
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="write the counts here")
    parser.add_argument("--keep", help="copy failing images into this folder")
    parser.add_argument("--without-syncs", action="store_true",
                        help="trace commands run without syncs (WANN_NO_SYNC=1): the check of this test, which must then fail")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="wann-crash-"))
    try:
        trace_env = {"WANN_NO_SYNC": "1"} if args.without_syncs else {}
        scenarios = [Scenario(name, args.wann, work, trace_env) for name in ("search", "resume", "experiment")]
        counts = {s.name: {"images": 0, "failed": 0, "steps": len(s.steps),
                           "syncs": sum(1 for x in s.steps if x["kind"] in "SD")} for s in scenarios}
        modes = {"prefix": 0, "synced": 0, "subset": 0}
        failures = []
        for n in range(args.images):
            scenario = scenarios[n % len(scenarios)]
            crash = rng.randint(0, len(scenario.steps))
            mode = rng.choice(list(modes))
            image = work / "image"
            shutil.rmtree(image, ignore_errors=True)
            build_image(scenario.steps, crash, mode, rng, scenario.base_names, scenario.base_contents,
                        str(scenario.traced), image)
            problem = scenario.check(image, crash)
            counts[scenario.name]["images"] += 1
            modes[mode] += 1
            if problem:
                counts[scenario.name]["failed"] += 1
                failures.append(f"{scenario.name} image {n} (crash at step {crash} of {len(scenario.steps)}, {mode}): {problem}")
                if args.keep:
                    shutil.copytree(image, Path(args.keep) / f"{scenario.name}-{n}-{crash}-{mode}", dirs_exist_ok=True)
        seconds = time.monotonic() - started
        total = sum(c["images"] for c in counts.values())
        failed = sum(c["failed"] for c in counts.values())
        result = {"images": total, "failed": failed, "seed": args.seed, "seconds": round(seconds, 1),
                  "scenarios": counts, "modes": modes}
        for line in failures[:20]:
            print("FAILED", line)
        per_scenario = ", ".join(f"{k} {v['images']}" for k, v in counts.items())
        print(f"crash images: {total} checked, {failed} failed ({per_scenario}; "
              f"modes {', '.join(f'{k} {v}' for k, v in modes.items())}) in {seconds:.0f} s")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        return 0 if failed == 0 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
