"""`wann-plot`: the engine's figures from the command line.

    wann-plot profiles ARCHIVE [ARCHIVE...] --out DIR [--latest N] [--champion]
    wann-plot run ARCHIVE --out DIR [--run RUN]
    wann-plot ablation ARCHIVE --out DIR [--conditions a,b]
    wann-plot heatmap ARCHIVE --out DIR [--run RUN] [--best]
    wann-plot classify ARCHIVE --out DIR [--run RUN] [--genome G/I]
    wann-plot robustness ARCHIVE --out DIR [--run RUN] [--best]

Each writes DIR/NAME.png, DIR/NAME.pdf and DIR/NAME.svg (NAME: the figure; --format picks, --dpi
sets the PNG's resolution) and prints their paths. A missing
archive or one without what the figure needs gives one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wann-plot", description="Figures of wann archives (PNG, PDF and SVG).")
    sub = p.add_subparsers(dest="figure", required=True, metavar="{profiles,run,ablation,heatmap,classify,robustness}")

    def add(name: str, help_text: str, many: bool = False) -> argparse.ArgumentParser:
        # argparse %-formats `help` (not `description`): "95%" must reach it as "95%%".
        s = sub.add_parser(name, help=help_text.replace("%", "%%"), description=help_text)
        s.add_argument("archive", nargs="+" if many else None, help="wann archive (.h5)" + (" (several: overlaid)" if many else ""))
        s.add_argument("--out", required=True, help="folder for the PNG and PDF files (created if missing)")
        s.add_argument("--title", help="figure title")
        s.add_argument("--run", help="run of a comparison or experiment archive (default: all runs)")
        s.add_argument("--format", default="png,pdf,svg", help="comma list of png, pdf, svg (default: all three)")
        s.add_argument("--dpi", type=int, default=150, help="resolution of the PNG (default 150)")
        return s

    s = add("profiles", "Performance profiles: mean reward against the shared weight, with 95% CI bands.", many=True)
    s.add_argument("--latest", type=int, default=8, help="at most this many genomes per run archive (newest), default 8")
    s.add_argument("--champion", action="store_true", help="run archives: only the run's final champion")
    add("run", "A search over generations: best and median fitness, and network complexity.")
    s = add("ablation", "Variant x condition bars with 95% confidence intervals.")
    s.add_argument("--conditions", help="experiment archives: only these battery conditions (comma list)")
    s.add_argument("--variants", help="experiment archives: only these variants, in this order (comma list)")
    s = add("heatmap", "Generation x weight heatmap of the champion's performance profile.")
    s.add_argument("--best", action="store_true", help="rows: each generation's best genome instead of its champion")
    s = add("classify", "Classification accuracy by shared weight, overall and per digit.")
    s.add_argument("--genome", help="the classified genome to plot, as GENERATION/INDEX (default: the run's champion, else the newest result)")
    s = add("robustness", "Noise robustness and the test battery of the champion over the generations.")
    s.add_argument("--best", action="store_true", help="each generation's best genome instead of its champion")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `wann-plot` (and of the old scripts/plot_*.py names)."""
    args = _parser().parse_args(argv)
    try:
        import matplotlib
    except ModuleNotFoundError:
        print("error: wann-plot draws with matplotlib, which is not installed: pip install 'wann-h5[plot]' (or pip install matplotlib)",
              file=sys.stderr)
        return 2

    matplotlib.use("Agg")  # headless: no display needed
    from . import plots
    from .archive import ArchiveError

    try:
        if args.figure == "profiles":
            fig = plots.profiles_figure(args.archive, run=args.run, latest=args.latest, champion=args.champion, title=args.title)
        elif args.figure == "run":
            fig = plots.run_figure(args.archive, run=args.run, title=args.title)
        elif args.figure == "ablation":
            # Commas inside parentheses belong to a name ("random U(-2,2)"), not between names.
            wanted = [c.strip() for c in re.split(r",(?![^()]*\))", args.conditions)] if args.conditions else None
            chosen = [v.strip() for v in args.variants.split(",")] if args.variants else None
            fig = plots.ablation_figure(args.archive, conditions=wanted, title=args.title, variants=chosen)
        elif args.figure == "heatmap":
            fig = plots.heatmap_figure(args.archive, run=args.run, best=args.best, title=args.title)
        elif args.figure == "robustness":
            fig = plots.robustness_figure(args.archive, run=args.run, role="best" if args.best else "champion", title=args.title)
        else:
            fig = plots.classify_figure(args.archive, run=args.run, title=args.title, genome=args.genome)
        paths = plots.save(fig, args.out, args.figure, formats=[f.strip() for f in args.format.split(",") if f.strip()], dpi=args.dpi)
    except (plots.PlotError, ArchiveError, OSError) as e:
        # One line, whatever the archive's problem (a newer format, a damaged file, a missing run).
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
