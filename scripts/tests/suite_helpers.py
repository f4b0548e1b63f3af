"""Helpers the suites import (a module of its own: `conftest` is a name every test folder uses)."""
import functools
import importlib.util
import json
import pathlib
import subprocess

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]


@functools.cache
def load_compare_archives():
    """scripts/compare_archives.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("compare_archives", ROOT / "scripts" / "compare_archives.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def attribute_bytes(obj, name) -> bytes:
    """An attribute's content as bytes that equal archives share: dimension scales' object
    references as the paths they point to (`compare_archives.attribute`), arrays of strings as
    their text (not the pointers NumPy holds)."""
    value = np.asarray(load_compare_archives().attribute(obj, name))
    if value.dtype == object:
        return "\x00".join(v.decode() if isinstance(v, bytes) else str(v) for v in value.ravel()).encode()
    return value.tobytes()


def run_json(cmd):
    """Runs a command and parses its stdout as JSON."""
    out = subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)
