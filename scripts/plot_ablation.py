#!/usr/bin/env python3
"""The old name of `wann-plot ablation` (the wann_h5 package: pip install ./python).

    python scripts/plot_ablation.py ARCHIVE --out DIR ...   ==   wann-plot ablation ARCHIVE --out DIR ...
"""
import sys

from wann_h5.cli import main

if __name__ == "__main__":
    sys.exit(main(["ablation", *sys.argv[1:]]))
