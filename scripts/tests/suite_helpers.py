"""Helpers the suites import (a module of its own: `conftest` is a name every test folder uses)."""
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_json(cmd):
    """Runs a command and parses its stdout as JSON."""
    out = subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)
