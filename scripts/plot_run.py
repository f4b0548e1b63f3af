#!/usr/bin/env python3
"""The old name of `wann-plot run` (the wann_h5 package: pip install ./python).

    python scripts/plot_run.py ARCHIVE --out DIR ...   ==   wann-plot run ARCHIVE --out DIR ...
"""
import sys

from wann_h5.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
