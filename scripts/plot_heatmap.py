#!/usr/bin/env python3
"""The old name of `wann-plot heatmap` (the wann_h5 package: pip install ./python).

    python scripts/plot_heatmap.py ARCHIVE --out DIR ...   ==   wann-plot heatmap ARCHIVE --out DIR ...
"""
import sys

from wann_h5.cli import main

if __name__ == "__main__":
    sys.exit(main(["heatmap", *sys.argv[1:]]))
