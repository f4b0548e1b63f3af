"""Reading wann archives (HDF5) into pandas, with nothing but h5py, NumPy and pandas.

    import wann_h5
    run = wann_h5.open_archive("runs/swingup.h5")
    run.summary()               # one row per generation: best/mean/median reward, champion, time
    run.genomes(12)             # generation 12: one row per genome (scores, rank, lineage)
    run.nodes(12); run.connections(12)
    run.rewards(12)             # NumPy array [genome, repetition, weight]
    run.champion()              # dict: generation, index, scores, nodes and connections frames
    run.profiles()              # stored weight profiles (wann profile): one row per genome x weight
    run.conditions()            # stored paper conditions (wann conditions): one row per condition
    run.complexity()            # per generation: connections of the best genome, median, mean
    run.classification()        # stored `wann classify` results (accuracy by weight, per digit, ...)
    wann_h5.battery(path)       # experiment archives: every run's test-battery scores
    wann_h5.tidy(path)          # experiments and comparisons, long form: variant x seed x generation
    wann_h5.tidy(path, "test")  # ... or variant x seed x test condition

The layout is documented in docs/hdf5-schema.md; this module is a convenience, not a
requirement: every dataset opens directly with h5py.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import os
import struct
import threading
import time
import warnings

import h5py
import numpy as np
import pandas as pd

from .activations import ACTIVATION_NAMES

FORMAT = "wann-archive"
#: The newest archive layout (the root attribute `format_version`) this reader knows; the
#: package's major version is this number.
MAX_VERSION = 1


class ArchiveError(Exception):
    """An archive that cannot be read as asked: missing, foreign, newer, or without the run or
    generation named."""


def _canonical(path) -> str:
    """`path` with every symbolic link and ".." resolved: every name of an archive finds the same
    lock and journal beside it (wann does the same)."""
    return os.path.realpath(str(path))


def being_written(path: str) -> bool:
    """True while a wann command holds the archive's writer lock (PATH.lock)."""
    try:
        fd = os.open(_canonical(path) + ".lock", os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


# The commit gate (Sources/CArchiveJournal/include/archive_lock.h has the whole story): two bytes
# of PATH.lock far past its text, locked with open-file-description locks. A reader holds `body`
# shared for one read (open, reads, close) after passing `intent` shared; a writer about to apply
# a commit holds both exclusive. So no commit changes bytes under an open reader's cache (which
# could crash HDF5), and readers never wait forever: after WANN_COMMIT_GATE_WAIT_MS (10 s) a
# reader reads anyway, as before the gate.
_GATE_INTENT, _GATE_BODY = 1 << 40, (1 << 40) + 1
_gates = threading.local()


def _gate_wait_seconds() -> float:
    try:
        return min(max(int(os.environ.get("WANN_COMMIT_GATE_WAIT_MS", "10000")), 0), 600000) / 1000
    except ValueError:
        return 10.0


def _lock_byte(fd: int, at: int, kind: int) -> bool:
    """Locks (or unlocks) one byte of `fd`: True, or False while another holds it."""
    request = struct.pack("hhqqi4x", kind, os.SEEK_SET, at, 1, 0)  # struct flock, l_pid 0
    try:
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, request)
        return True
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES, errno.EINTR):
            return False
        raise


def _enter_gate(lock_path: str) -> int | None:
    """The open lock file holding the gate shared, or None: no lock file (no writer), no OFD
    locks on this system, or the wait ran out."""
    if not hasattr(fcntl, "F_OFD_SETLK"):
        return None
    deadline = time.monotonic() + _gate_wait_seconds()
    while True:
        try:
            fd = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            for byte in (_GATE_INTENT, _GATE_BODY):
                while not _lock_byte(fd, byte, fcntl.F_RDLCK):
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        return None
                    time.sleep(0.001)
            _lock_byte(fd, _GATE_INTENT, fcntl.F_UNLCK)  # a reader only passes the intent
            held, at_name = os.fstat(fd), os.stat(lock_path)
        except OSError:
            os.close(fd)
            return None
        # A writer that finished removed its lock file and another made a new one: hold that.
        if (held.st_dev, held.st_ino) == (at_name.st_dev, at_name.st_ino):
            return fd
        os.close(fd)
        if time.monotonic() >= deadline:
            return None


def _gate_held(path) -> bool:
    """Whether this thread holds the archive's gate (not just tried: a wait may have run out)."""
    entry = getattr(_gates, "held", {}).get(_canonical(path) + ".lock")
    return entry is not None and entry[0] is not None


@contextlib.contextmanager
def _read_gate(path):
    """Holds the archive's commit gate shared (see above) for the block; nested blocks on one
    thread share the outer one's."""
    lock_path = _canonical(path) + ".lock"
    held = _gates.__dict__.setdefault("held", {})
    if lock_path in held:
        held[lock_path][1] += 1
    else:
        held[lock_path] = [_enter_gate(lock_path), 1]
    try:
        yield
    finally:
        entry = held[lock_path]
        entry[1] -= 1
        if entry[1] == 0:
            del held[lock_path]
            if entry[0] is not None:
                os.close(entry[0])


def _file_stamp(path) -> tuple:
    """What changes whenever a writer commits to the file, or another file takes its name: the
    commit count in the user block (bytes 16 to 23, after the archive id: docs/hdf5-schema.md);
    for older archives without an archive id, the file's size and times (which appends
    between commits change too)."""
    with open(path, "rb") as f:
        info, block = os.fstat(f.fileno()), f.read(24)
    if len(block) == 24 and block[:8] == _ARCHIVE_MAGIC and _u64(block, 8) != 0:
        return info.st_dev, info.st_ino, _u64(block, 16)
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


_JOURNAL_MAGIC, _LEGACY_JOURNAL_MAGIC, _ARCHIVE_MAGIC = b"WANNJNL2", b"WANNJNL1", b"WANNARCH"
_HEADER, _LEGACY_HEADER, _RECORD_HEADER = 48, 24, 24
_FNV_OFFSET, _FNV_PRIME = 14695981039346656037, 1099511628211


def _fnv(data: bytes, h: int = _FNV_OFFSET) -> int:
    for b in data:
        h = ((h ^ b) * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def _u64(text: bytes, at: int) -> int:
    return int.from_bytes(text[at:at + 8], "little")


def journal_pending(path: str) -> bool:
    """True if the archive's journal (PATH.journal) holds saved bytes: its writer is in the
    middle of a commit, or was cut short in one."""
    try:
        return os.lstat(_canonical(path) + ".journal").st_size > _LEGACY_HEADER
    except OSError:
        return False


def _whole_records(records: bytes) -> list[tuple[int, bytes]]:
    """The records that check, from the first (roll-back stops at the first that does not: it
    was cut short before the journal was synced, so its write to the archive never began)."""
    out, at = [], 0
    while at + _RECORD_HEADER <= len(records):
        offset, count, check = _u64(records, at), _u64(records, at + 8), _u64(records, at + 16)
        body = records[at + _RECORD_HEADER:at + _RECORD_HEADER + count]
        if len(body) < count or check != _fnv(body, _fnv(records[at:at + 16])):
            break
        out.append((offset, body))
        at += _RECORD_HEADER + count
    return out


def _foreign(data, header: bytes, records: list[tuple[int, bytes]]) -> str | None:
    """Why a journal (layout 2) belongs to another file than `data`, or None if it is this one's
    (the binding is described in docs/hdf5-schema.md)."""
    committed, archive_id, prefix_length, prefix_check = (_u64(header, 8 * i) for i in (1, 2, 3, 4))
    data.seek(0)
    block = data.read(16)
    file_id = _u64(block, 8) if len(block) == 16 and block[:8] == _ARCHIVE_MAGIC else 0
    if file_id != archive_id:
        return "another archive id"
    size = os.fstat(data.fileno()).st_size
    at = size
    while at < committed:
        reach = [offset + len(body) for offset, body in records if offset <= at < offset + len(body)]
        if not reach:
            return "the file is shorter than the journal's commit"
        at = max(reach)
    data.seek(0)
    prefix = bytearray(data.read(prefix_length).ljust(prefix_length, b"\0"))
    for offset, body in records:
        for i in range(max(0, min(len(body), prefix_length - offset))):
            prefix[offset + i] = body[i]
    if _fnv(bytes(prefix)) != prefix_check:
        return "its superblock differs"
    return None


def _set_aside(journal: str, path: str, why: str) -> None:
    target, n = journal + ".foreign", 1
    while os.path.lexists(target):
        n += 1
        target = f"{journal}.foreign{n}"
    os.rename(journal, target)
    warnings.warn(f"the journal beside {path} belongs to another file ({why}): set aside as {target}, "
                  f"never applied; {path} was left as it is", stacklevel=3)


def roll_back(path: str) -> int:
    """Restores an archive whose writer was cut short in the middle of a commit to its last
    commit, from PATH.journal (the layout is in docs/hdf5-schema.md), and deletes the journal. A
    journal of another file (its archive id or superblock differs) is set aside as
    PATH.journal.foreign, with a warning, and never applied. Takes the writer lock first; does
    nothing while a wann command writes the archive. Returns the number of byte ranges restored."""
    path = str(path)
    canonical = _canonical(path)
    journal = canonical + ".journal"
    if not journal_pending(path) or being_written(path):
        return 0
    lock = os.open(canonical + ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        return 0  # a writer started just now: it rolls back itself (and the lock file is its)
    try:
        held, on_disk = os.fstat(lock), os.stat(canonical + ".lock")
    except OSError:
        held = on_disk = None
    if held is None or (held.st_ino, held.st_dev) != (on_disk.st_ino, on_disk.st_dev):
        os.close(lock)  # the file we locked was removed by a writer that finished: try later
        return 0
    try:
        os.ftruncate(lock, 0)
        os.write(lock, f"{os.getpid()} python wann_h5.roll_back {path}\n".encode())
        try:
            fd = os.open(journal, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return 0
        with os.fdopen(fd, "rb") as j:
            text = j.read()
        legacy = text[:8] == _LEGACY_JOURNAL_MAGIC
        if not legacy and text[:8] != _JOURNAL_MAGIC[:len(text[:8])]:
            _set_aside(journal, path, "it is not a wann journal")
            return 0
        header_size = _LEGACY_HEADER if legacy else _HEADER
        header = text[:header_size]
        whole = len(header) == header_size and (
            _u64(header, 16) == _fnv(header[8:16], _fnv(_LEGACY_JOURNAL_MAGIC)) if legacy
            else _u64(header, 40) == _fnv(header[:40]))
        restored = 0
        if whole:  # else the header was cut short: the commit never changed the archive
            records = _whole_records(text[header_size:])
            with open(path, "r+b") as data:
                why = None if legacy else _foreign(data, header, records)
                if why:
                    _set_aside(journal, path, why)
                    return 0
                for offset, body in records:
                    data.seek(offset)
                    data.write(body)
                    restored += 1
                data.truncate(_u64(header, 8))
                data.flush()
                os.fsync(data.fileno())
        os.unlink(journal)
        return restored
    finally:
        try:
            os.unlink(canonical + ".lock")
        except OSError:
            pass
        os.close(lock)


def open_file(path: str) -> h5py.File:
    """Opens an archive for reading. A search may be writing it (wann takes no HDF5 lock, so
    readers are welcome): the open waits while the writer is in the middle of a flush, and one
    that meets a flush anyway ("truncated file") is tried again for up to about 2 s. An archive
    whose writer was killed in the middle of a flush is first rolled back (`roll_back`)."""
    try:
        roll_back(path)
    except OSError as e:
        raise ArchiveError(f"{path} was cut short in the middle of a write, and its journal cannot be "
                           f"rolled back here ({e}): run any wann command on it as a user who may write it") from None
    for attempt in range(40):
        with _read_gate(path):
            # Inside the gate no commit is being applied: a journal on disk is one being written.
            for _ in range(0 if _gate_held(path) else 200):
                if not (journal_pending(path) and being_written(path)):
                    break
                time.sleep(0.01)
            try:
                return h5py.File(path, "r")
            except OSError as e:
                if attempt == 39 or not being_written(path):
                    raise ArchiveError(f"cannot open {path}: {e}") from None
        time.sleep(0.05)


@contextlib.contextmanager
def _reading(path):
    """An archive open for one read (`open_file`), inside its commit gate, closed after."""
    with _read_gate(path), open_file(str(path)) as f:
        yield f


def read_live(path: str, read):
    """Runs `read(f)` on a fresh h5py open of an archive (`open_file`) and returns its result. While
    a wann writer holds the archive, a read that fails because a commit changed what the open had
    cached (a link table of `/analysis`, say) starts again from a fresh open, for up to about
    2 s; once no writer holds it, a failure is an `ArchiveError`. For h5py code that reads a
    running search: open, list and read inside `read`, keep nothing from it open."""
    path = str(path)
    for attempt in range(40):
        try:
            with _reading(path) as f:
                return read(f)
        except (OSError, RuntimeError, KeyError) as e:
            if attempt == 39 or not being_written(path):
                raise ArchiveError(f"cannot read {path}: {e}") from None
            time.sleep(0.05)


def _did_you_mean(typed: str, names) -> str:
    """": did you mean 'NAME'?" for the name closest to `typed`, or "" (as the engine suggests)."""
    import difflib

    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(typed.lower(), list(lowered), n=1, cutoff=0.75)
    return f": did you mean {lowered[close[0]]!r}?" if close else ""


def parse_genome(genome) -> tuple[int, int] | str:
    """A genome reference as the engine writes it: "champion", "G/I" (generation/index, as in
    `FILE.h5#12/0`) or a (generation, index) pair; ArchiveError for anything else."""
    if isinstance(genome, str):
        text = genome.strip().lstrip("#")
        if text == "champion":
            return "champion"
        parts = text.split("/")
        if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
            return int(parts[0]), int(parts[1])
        raise ArchiveError(f"bad genome {genome!r}: give 'champion', 'GENERATION/INDEX' (e.g. '12/0') or a (generation, index) pair"
                           + _did_you_mean(text, ["champion"]))
    try:
        generation, index = genome
        return int(generation), int(index)
    except (TypeError, ValueError):
        raise ArchiveError(f"bad genome {genome!r}: give 'champion', 'GENERATION/INDEX' (e.g. '12/0') or a (generation, index) pair") from None


def _legend(text: str) -> dict[int, str]:
    return {int(k): v for k, v in (item.split("=") for item in text.split(","))}


def _unit(method):
    """Runs a reading method of `Archive` as one unit (`Archive._retrying`)."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        return self._retrying(lambda: method(self, *args, **kwargs))
    return run


class Archive:
    """One run: a single-run archive, or run `run` of a comparison or experiment archive.

    Readable while a wann command is still writing it: only complete generations are listed, and
    a read that meets the writer's flush half done is tried again."""

    def __init__(self, path: str, run: str | None = None):
        self.path = str(path)
        with _read_gate(self.path):
            self._open(run)

    def _open(self, run: str | None) -> None:
        self.file = open_file(self.path)
        self._stamp = _file_stamp(self.path)  # inside the gate: no commit since the open
        attrs = self.file.attrs
        if attrs.get("format") != FORMAT:
            raise ArchiveError(f"{self.path} is not a wann run archive (no format = {FORMAT!r} attribute)")
        missing = [k for k in ("format_version", "node_kind_codes", "origin_codes") if k not in attrs]
        if missing:
            raise ArchiveError(f"{self.path} is a wann archive without {', '.join(missing)}: damaged, or written by a wann "
                               "older than this reader knows; `wann inspect --check` says which")
        if int(attrs["format_version"]) > MAX_VERSION:
            raise ArchiveError(f"{self.path} has format version {attrs['format_version']}; this reader knows up to {MAX_VERSION}: "
                               "update wann_h5 (pip install ./python from the wann that wrote it)")
        self.kinds = _legend(attrs["node_kind_codes"])
        self.origins = _legend(attrs["origin_codes"])
        if run is None:
            if "config_toml" not in attrs:
                raise ArchiveError(f"{self.path} is a comparison archive; pick a run: {runs(self.path)}")
            self.root = self.file
        else:
            group = _runs_group(self.file)
            if group not in self.file or run not in self.file[group]:
                names = sorted(self.file[group].keys()) if group in self.file else []
                if not names:
                    raise ArchiveError(f"{self.path} is a single-run archive: leave run out")
                raise ArchiveError(f"{self.path} has no run {run!r}{_did_you_mean(run, names)} (runs: {', '.join(names)})")
            self.root = self.file[group][run]

    def close(self) -> None:
        """Closes the file."""
        self.file.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def attrs(self) -> dict:
        """The file's root attributes, overlaid with the run's own."""
        return {**dict(self.file.attrs), **dict(self.root.attrs)}

    @property
    def config(self) -> dict:
        """The run's config, one entry per schema key ("population.size": 192, ...)."""
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v.item() if hasattr(v, "item") else v)
                for k, v in self.root["config"].attrs.items()}

    def generations(self) -> list[int]:
        """Complete generations, ascending (a generation cut short by a crash has no `complete`)."""
        # A group that does not open (a search linking it at this very moment, or one cut short
        # by an older wann on a full disk) is not a finished generation. A listing that meets
        # a writer's flush half done is read again.
        def scan():
            gens = self.root["generations"]
            done = []
            for name in gens:
                try:
                    if gens[name].attrs.get("complete") == 1:
                        done.append(int(name))
                except (KeyError, OSError, ValueError, AttributeError):
                    continue
            return sorted(done)
        return self._retrying(scan)

    def _retrying(self, read):
        """Runs `read` as one unit, inside the archive's commit gate: no writer's commit lands in
        the middle of it. If a commit landed since the file was opened, the file is opened
        afresh first (HDF5's cache of the old one could meet bytes that changed since: h5py
        objects taken from this Archive before then no longer read). While a wann writer holds
        the archive, a failure (a flush met half done; a writer that waited out the gate) reopens
        the file and tries again, for up to about 2 s."""
        for attempt in range(40):
            try:
                with _read_gate(self.path):
                    if attempt > 0 or _file_stamp(self.path) != self._stamp:
                        self._reopen()
                    return read()
            except (OSError, RuntimeError, KeyError) as e:
                if attempt == 39 or not being_written(self.path):
                    raise ArchiveError(f"cannot read {self.path}: {e}") from None
                time.sleep(0.05)

    def _reopen(self):
        run = self.root.name if self.root is not self.file else None
        self.file.close()
        self.file = open_file(self.path)
        self._stamp = _file_stamp(self.path)  # inside the gate: no commit since the open
        self.root = self.file[run] if run else self.file

    def group(self, generation: int) -> h5py.Group:
        """The HDF5 group of a complete generation."""
        name = f"{generation:06d}"
        if name not in self.root["generations"] or self.root["generations"][name].attrs.get("complete") != 1:
            raise ArchiveError(f"generation {generation} is not a complete generation of {self.path}")
        return self.root["generations"][name]

    @_unit
    def genomes(self, generation: int) -> pd.DataFrame:
        """One row per genome of the generation: index, origin, parent, mean and max reward,
        connections, nodes, hidden, rank, front, elite."""
        group = self.group(generation)
        df = pd.DataFrame(group["genomes"][()])
        df["origin"] = df["origin"].map(self.origins)
        df.insert(0, "generation", generation)
        if "genome_species" in group:  # runs with speciation.enabled: each genome's species id
            df["species"] = group["genome_species"][()]
        return df

    @_unit
    def species(self, generation: int) -> pd.DataFrame:
        """The species of a generation of a run with `speciation.enabled`: id, members,
        representative (index of its best-ranked genome), best_mean_reward (the best any member
        has reached), stagnant_generations, offspring (children it breeds; 0: extinct)."""
        group = self.group(generation)
        if "species" not in group:
            raise ArchiveError(
                f"{self.path}: generation {generation} has no species: the run did not set "
                "speciation.enabled (see run.config)")
        df = pd.DataFrame(group["species"][()])
        df.insert(0, "generation", generation)
        return df

    @_unit
    def nodes(self, generation: int) -> pd.DataFrame:
        """Node genes of every genome of the generation: genome, id, kind, activation (id) and
        activation_name, from the table's own legend (`activation_codes`, archives from 0.8.0)
        or the original release's ids."""
        table = self.group(generation)["nodes"]
        df = pd.DataFrame(table[()])
        df["kind"] = df["kind"].map(self.kinds)
        codes = table.attrs.get("activation_codes")
        names = _legend(codes.decode() if isinstance(codes, bytes) else codes) if codes else ACTIVATION_NAMES
        df["activation_name"] = df["activation"].map(names)
        return df

    @property
    def disabled_hidden_links(self) -> str:
        """The run's `searchSpace.disabledHiddenLinks`: "inactive", or "active" (the original
        release keeps disabled hidden-to-hidden genes in the network). Archives written before the
        key existed ran with "inactive"."""
        value = self.root["config"].attrs.get("searchSpace.disabledHiddenLinks", "inactive")
        return value.decode() if isinstance(value, bytes) else str(value)

    @_unit
    def connections(self, generation: int) -> pd.DataFrame:
        """Connection genes; `active` marks the genes of the evaluated network (`enabled`, plus
        disabled hidden-to-hidden genes when the run's rule keeps them), which the genomes table's
        `connections` column counts."""
        group = self.group(generation)
        df = pd.DataFrame(group["connections"][()])
        df["enabled"] = df["enabled"].astype(bool)
        df["active"] = df["enabled"]
        if self.disabled_hidden_links == "active":
            nodes = group["nodes"][()]
            hidden = np.unique(nodes["id"][nodes["kind"] == self._kind_code("hidden")])
            df["active"] = df["enabled"] | (df["source"].isin(hidden) & df["target"].isin(hidden))
        return df

    def _kind_code(self, name: str) -> int:
        return next(k for k, v in self.kinds.items() if v == name)

    @_unit
    def rewards(self, generation: int) -> np.ndarray:
        """Rewards of the generation, [genome, repetition, weight]."""
        return self.group(generation)["rewards"][()]

    @_unit
    def weights(self, generation: int) -> np.ndarray:
        """The shared weights the generation was scored at."""
        return self.group(generation)["weights"][()]

    def summary(self) -> pd.DataFrame:
        """One row per complete generation: best/mean/median reward, the champion, timing."""
        return self._retrying(self._summary)

    def _summary(self) -> pd.DataFrame:
        rows = []
        for g in self.generations():
            a = self.group(g).attrs
            rows.append({
                "generation": g,
                "best": float(a["best_mean_reward"]),
                "mean": float(a["mean_mean_reward"]),
                "median": float(a["median_mean_reward"]),
                "champion_reward": float(a["champion_retest_mean"]) if "champion_retest_mean" in a else np.nan,
                "champion_generation": int(a["champion_generation"]) if "champion_generation" in a else -1,
                "champion_index": int(a["champion_index"]) if "champion_index" in a else -1,
                "best_index": int(a["best_index"]),
                "ranked_on_connections": bool(a["ranked_on_connections"]),
                # Present only in runs with ranking.noveltyProbability > 0.
                "ranked_on_novelty": bool(a["ranked_on_novelty"]) if "ranked_on_novelty" in a else False,
                "steps": int(a["steps"]),
                "seconds": float(a["seconds"]),
            })
        return pd.DataFrame(rows)

    def _champion_attrs(self):
        """The attributes of the last complete generation, when it names a champion (else None)."""
        gens = self.generations()
        a = self.group(gens[-1]).attrs if gens else None
        return a if a is not None and "champion_generation" in a else None

    @_unit
    def champion_reference(self) -> tuple[int, int] | None:
        """(generation, index) of the run's champion as of its last complete generation (None
        before the first), without reading its tables."""
        a = self._champion_attrs()
        return None if a is None else (int(a["champion_generation"]), int(a["champion_index"]))

    @_unit
    def champion(self) -> dict | None:
        """The run's champion as of its last complete generation (None before the first): its
        generation and index, scores, nodes and connections frames, rewards and weights."""
        a = self._champion_attrs()
        if a is None:
            return None
        g, i = int(a["champion_generation"]), int(a["champion_index"])
        nodes, conns = self.nodes(g), self.connections(g)
        return {
            "generation": g,
            "index": i,
            "retest_mean": float(a["champion_retest_mean"]),
            "search_mean": float(a["champion_search_mean"]),
            "nodes": nodes[nodes.genome == i].reset_index(drop=True),
            "connections": conns[conns.genome == i].reset_index(drop=True),
            "rewards": self.rewards(g)[i],
            "weights": self.weights(g),
        }


    @_unit
    def complexity(self) -> pd.DataFrame:
        """Per generation: enabled connections of the best genome (highest mean reward), and the
        median and mean over the population."""
        rows = []
        for g in self.generations():
            group = self.group(g)
            conns = group["genomes"]["connections"]
            best = int(group.attrs["best_index"])
            rows.append({"generation": g, "best_connections": int(conns[best]),
                         "median_connections": float(np.median(conns)), "mean_connections": float(np.mean(conns))})
        return pd.DataFrame(rows)

    def _analysis(self):
        return self.root["analysis"] if "analysis" in self.root else {}

    def _analysis_genomes(self):
        """(name, group) of each genome under /analysis. A link whose object does not resolve
        (h5py gives None: a live writer's flush met half done, or damage) raises KeyError, which
        `_retrying` reads again from a fresh open while a writer holds the archive."""
        for name, genome in self._analysis().items():
            if genome is None:
                raise KeyError(f"/analysis/{name} does not resolve")
            yield name, genome

    @staticmethod
    def _complete(group):
        return sorted(((int(k), v) for k, v in group.items() if k.isdigit() and v.attrs.get("complete") == 1))

    def profiles(self) -> pd.DataFrame:
        """Stored weight profiles (`wann profile`), long form: one row per genome, profile and
        weight value, with mean, std, ci95 (half width of the 95% interval), trials and seed."""
        return self._retrying(self._profiles)

    def _profiles(self) -> pd.DataFrame:
        frames = []
        for _name, genome in self._analysis_genomes():
            if "profiles" not in genome:
                continue
            for k, p in self._complete(genome["profiles"]):
                w = p["weights"][()]
                frames.append(pd.DataFrame({
                    "generation": int(genome.attrs["generation"]), "index": int(genome.attrs["index"]), "profile": k,
                    "weight": w, "mean": p["mean"][()], "std": p["std"][()], "ci95": p["ci95"][()],
                    "trials": int(p.attrs["trials"]), "seed": int(p.attrs["seed"])}))
        columns = ["generation", "index", "profile", "weight", "mean", "std", "ci95", "trials", "seed"]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    def conditions(self) -> pd.DataFrame:
        """Stored paper conditions (`wann conditions`): one row per genome, result and condition."""
        return self._retrying(self._conditions)

    def _conditions(self) -> pd.DataFrame:
        rows = []
        for _name, genome in self._analysis_genomes():
            if "conditions" not in genome:
                continue
            for k, c in self._complete(genome["conditions"]):
                keys = c.attrs["condition_keys"].split(",")
                titles = c.attrs["condition_titles"].split(",")
                summary = c["summary"][()]
                for i, key in enumerate(keys):
                    rows.append({"generation": int(genome.attrs["generation"]), "index": int(genome.attrs["index"]),
                                 "result": k, "condition": key, "title": titles[i], "mean": float(summary["mean"][i]),
                                 "std": float(summary["std"][i]), "ci95": float(summary["ci95"][i]),
                                 "trials": int(summary["trials"][i]),
                                 "tuned_shared_weight": float(c.attrs["tuned_shared_weight"])})
        return pd.DataFrame(rows)


    def _latest_results(self) -> dict[tuple[int, int], dict]:
        """(generation, index) -> {"profile": group, "battery": group}: each genome's newest
        complete profile and battery."""
        out: dict[tuple[int, int], dict] = {}
        for _name, genome in self._analysis_genomes():
            key = (int(genome.attrs["generation"]), int(genome.attrs["index"]))
            for kind, label in (("profiles", "profile"), ("battery", "battery")):
                if kind in genome:
                    done = self._complete(genome[kind])
                    if done:
                        out.setdefault(key, {})[label] = done[-1][1]
        return out

    def analysis_history(self, role: str = "champion") -> pd.DataFrame:
        """The per-generation analysis in long form: one row per generation x genome x condition.

        For every complete generation, the genome that stood for it (`role` "champion": the
        champion as of the end of that generation; "best": the generation's best genome) and each
        value stored for it: its test battery's conditions (kind "battery": "sweep mean", "w=0.7",
        "random U(-2,2)", "noise 0.5" with `sigma` set, ...) and its weight profile (kind
        "profile", condition "profile", `weight` set). `measured_at` is the generation the result
        was made at (during the search; NaN for results made afterwards). A champion that stays
        repeats its values, so plots show the history generation by generation. Generations whose
        genome has no stored result have no rows."""
        if role not in ("champion", "best"):
            raise ValueError(f"role must be 'champion' or 'best', not {role!r}")
        # Results keep arriving under /analysis while a search writes: read them as one unit.
        return self._retrying(lambda: self._analysis_history(role))

    def _analysis_history(self, role: str) -> pd.DataFrame:
        results = self._latest_results()
        summary = self.summary()
        rows = []
        cache: dict[tuple[int, int], list[dict]] = {}
        for _, s in summary.iterrows():
            key = (int(s.champion_generation), int(s.champion_index)) if role == "champion" else (int(s.generation), int(s.best_index))
            if key not in results:
                continue
            if key not in cache:
                cache[key] = []
                r = results[key]
                if "battery" in r:
                    b = r["battery"]
                    at = float(b.attrs["at_generation"]) if "at_generation" in b.attrs else np.nan
                    for name, value in zip(b.attrs["condition_names"].split(";"), b["summary"][()], strict=False):
                        sigma = float(name.split()[1]) if name.startswith("noise ") else np.nan
                        cache[key].append({"kind": "battery", "condition": name, "weight": np.nan, "sigma": sigma,
                                           "value": float(value), "measured_at": at})
                if "profile" in r:
                    p = r["profile"]
                    at = float(p.attrs["at_generation"]) if "at_generation" in p.attrs else np.nan
                    for w, m in zip(p["weights"][()], p["mean"][()], strict=True):
                        cache[key].append({"kind": "profile", "condition": "profile", "weight": float(w), "sigma": np.nan,
                                           "value": float(m), "measured_at": at})
            for row in cache[key]:
                rows.append({"generation": int(s.generation), "genome_generation": key[0], "genome_index": key[1], **row})
        columns = ["generation", "genome_generation", "genome_index", "kind", "condition", "weight", "sigma", "value", "measured_at"]
        return pd.DataFrame(rows, columns=columns)

    def classification(self) -> list[dict]:
        """Results stored by `wann classify`, oldest first: one dict per result with its arrays
        (weights, accuracy, train_accuracy, test_loss, per_digit [weight, digit], ...) and
        scalars (ensemble_accuracy, tuned_weight, tuned_test_accuracy, random_mean_accuracy, ...)."""
        return self._retrying(self._classification)

    def _classification(self) -> list[dict]:
        out = []
        for _name, genome in self._analysis_genomes():
            if "classification" not in genome:
                continue
            for k, c in self._complete(genome["classification"]):
                r = {key: c[key][()] for key in c.keys()}
                r.update({key: (v.item() if hasattr(v, "item") else v) for key, v in c.attrs.items()})
                r.update(generation=int(genome.attrs["generation"]), index=int(genome.attrs["index"]), result=k)
                out.append(r)
        # `created` has whole seconds: a genome's results made within one keep their order.
        return sorted(out, key=lambda r: (r["created"], r["generation"], r["index"], r["result"]))


def open_archive(path: str, run: str | None = None) -> Archive:
    """Opens one run for reading (`run`: a run of a comparison or experiment archive)."""
    return Archive(path, run)


def _runs_group(f: h5py.File) -> str:
    return "experiments" if f.attrs.get("kind") == "experiment" else "runs"


def runs(path: str) -> list[str]:
    """Names of the runs of a comparison or experiment archive (empty for a single-run archive)."""
    with _reading(path) as f:
        group = _runs_group(f)
        return sorted(f[group].keys()) if group in f else []


def comparison(path: str) -> pd.DataFrame:
    """Final champion score of every run of a finished comparison: condition, name, run, score."""
    with _reading(path) as f:
        if "comparison" not in f:
            raise ArchiveError(f"{path} holds no finished comparison")
        g = f["comparison"]
        conditions = g.attrs["conditions"].split(",")
        names = g.attrs["run_names"].split(",")
        df = pd.DataFrame(g["scores"][()])
        df["condition"] = df["condition"].map(dict(enumerate(conditions)))
        df.insert(1, "name", names)
        return df


def comparison_tests(path: str) -> pd.DataFrame:
    """The pairwise tests of a finished comparison: a, b, u, p, and (archives from 0.7) p_holm,
    cliffs_delta, median_difference with its 95% bootstrap interval (low, high)."""
    with _reading(path) as f:
        if "comparison" not in f:
            raise ArchiveError(f"{path} holds no finished comparison")
        g = f["comparison"]
        conditions = dict(enumerate(g.attrs["conditions"].split(",")))
        df = pd.DataFrame(g["tests"][()])
        df["a"] = df["a"].map(conditions)
        df["b"] = df["b"].map(conditions)
        return df


def _split_run(name: str) -> tuple[str, int]:
    variant, _, seed = name.rpartition("-s")
    return variant, int(seed)


def tidy(path: str, level: str = "generation") -> pd.DataFrame:
    """An experiment or comparison archive in long form, the shape seaborn and pandas expect.

    level="generation": one row per variant x seed x complete generation, with the generation's
    best, mean and median reward and the champion's re-tested reward. level="test": one row per variant x seed x test condition with its value (an
    experiment's battery; a comparison's final score, condition "final score"). A comparison's
    "variant" is its search-space condition. Runs still being written give what they hold."""
    if level not in ("generation", "test"):
        raise ValueError(f"level must be 'generation' or 'test', not {level!r}")
    archive_kind = kind(path)
    if archive_kind == "run":
        raise ArchiveError(f"{path} is a single-run archive: use open_archive(path).summary()")
    if level == "test":
        if archive_kind == "experiment":
            df = battery(path)
            return df.rename(columns={"score": "value"})[["variant", "seed", "condition", "value"]]
        rows = []
        with _reading(path) as f:
            for name, run in f["runs"].items():
                ev = run.get("evaluation")
                if ev is None or ev.attrs.get("complete") != 1 or "score" not in ev.attrs:
                    continue
                variant, seed = _split_run(name)
                rows.append({"variant": variant, "seed": seed, "condition": "final score", "value": float(ev.attrs["score"])})
        if not rows and archive_kind == "comparison":
            try:  # archives before 0.7 keep the scores only in the finished table
                for _, r in comparison(path).iterrows():
                    variant, seed = _split_run(r["name"])
                    rows.append({"variant": variant, "seed": seed, "condition": "final score", "value": float(r.score)})
            except ArchiveError:
                pass
        return pd.DataFrame(rows, columns=["variant", "seed", "condition", "value"])
    frames = []
    for name in runs(path):
        variant, seed = _split_run(name)
        with open_archive(path, name) as run:
            s = run.summary()
        if s.empty:
            continue
        s = s[["generation", "best", "mean", "median", "champion_reward"]].copy()
        s.insert(0, "seed", seed)
        s.insert(0, "variant", variant)
        frames.append(s)
    columns = ["variant", "seed", "generation", "best", "mean", "median", "champion_reward"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def kind(path: str) -> str:
    """"run", "comparison" or "experiment"."""
    with _reading(path) as f:
        if f.attrs.get("format") != FORMAT:
            raise ArchiveError(f"{path} is not a wann archive (no format = {FORMAT!r} attribute)")
        return str(f.attrs.get("kind", "run"))


def variants(path: str) -> list[str]:
    """Variant names of an experiment archive, in the experiment file's order (empty otherwise)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, as the package `tomli`
        import tomli as tomllib
    with _reading(path) as f:
        text = f.attrs.get("experiment_toml")
    return list(tomllib.loads(text).get("variants", {}).keys()) if text else []


def battery(path: str) -> pd.DataFrame:
    """Test-battery scores of every run of an experiment archive (`wann experiment run`): one row
    per run and condition: run, variant, seed, condition, score (mean reward under it)."""
    rows = []
    with _reading(path) as f:
        group = _runs_group(f)
        if group not in f:
            raise ArchiveError(f"{path} holds no runs")
        for name, run in f[group].items():
            if "evaluation" not in run or run["evaluation"].attrs.get("complete") != 1:
                continue
            variant, _, seed = name.rpartition("-s")
            ev = run["evaluation"]
            for condition, score in zip(ev.attrs["condition_names"].split(";"), ev["summary"][()], strict=False):
                rows.append({"run": name, "variant": variant, "seed": int(seed), "condition": condition, "score": float(score)})
    return pd.DataFrame(rows)


def battery_sweeps(path: str) -> pd.DataFrame:
    """The shared-weight sweep of every run's champion in an experiment archive, long form: run,
    variant, seed, weight, mean (over the sweep's trials)."""
    frames = []
    with _reading(path) as f:
        group = _runs_group(f)
        for name, run in f[group].items():
            if "evaluation" not in run or run["evaluation"].attrs.get("complete") != 1:
                continue
            variant, _, seed = name.rpartition("-s")
            ev = run["evaluation"]
            frames.append(pd.DataFrame({"run": name, "variant": variant, "seed": int(seed),
                                        "weight": ev["sweep_weights"][()], "mean": ev["sweep"][()].mean(axis=0)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run", "variant", "seed", "weight", "mean"])

