#!/usr/bin/env python3
"""The old name of `wann-plot classify` (the wann_h5 package: pip install ./python).

    python scripts/plot_classify.py ARCHIVE --out DIR ...   ==   wann-plot classify ARCHIVE --out DIR ...
"""
import sys

from wann_h5.cli import main

if __name__ == "__main__":
    sys.exit(main(["classify", *sys.argv[1:]]))
