#!/usr/bin/env python3
"""The old name of `wann-plot profiles` (the wann_h5 package: pip install ./python).

    python scripts/plot_profiles.py ARCHIVE --out DIR ...   ==   wann-plot profiles ARCHIVE --out DIR ...
"""
import sys

from wann_h5.cli import main

if __name__ == "__main__":
    sys.exit(main(["profiles", *sys.argv[1:]]))
