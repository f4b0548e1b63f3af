"""wann_h5: read wann-swift archives into pandas, plot them, and run their networks in NumPy.

    import wann_h5
    run = wann_h5.open_archive("runs/swingup.h5")      # one run (see Archive)
    run.summary(); run.genomes(12); run.champion(); run.profiles()
    wann_h5.tidy("runs/faq.h5")                         # experiments/comparisons, long form
    net = wann_h5.Network.from_archive("runs/swingup.h5")
    net.act(observation, weight=1.0)

The archive layout is documented in the repository's docs/hdf5-schema.md; every dataset also
opens directly with h5py. The package's major version is the archive `format_version` it reads.
"""
from .activations import ACTIVATION_NAMES, Activation
from .archive import (
    FORMAT,
    MAX_VERSION,
    Archive,
    ArchiveError,
    battery,
    battery_sweeps,
    being_written,
    comparison,
    comparison_tests,
    journal_pending,
    kind,
    open_archive,
    open_file,
    read_live,
    roll_back,
    runs,
    tidy,
    variants,
)
from .network import Network, activate

__version__ = "1.1.0"

__all__ = [
    "ACTIVATION_NAMES", "FORMAT", "MAX_VERSION", "Activation", "Archive", "ArchiveError", "Network", "activate", "battery", "battery_sweeps", "being_written",
    "comparison", "comparison_tests", "journal_pending", "kind", "open_archive", "open_file", "read_live", "roll_back",
    "runs", "tidy", "variants", "__version__",
]
