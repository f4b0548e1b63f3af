"""Write errors say what happened: "the disk is full" only when the system said so (ENOSPC,
EDQUOT); a read-only file system, a missing permission, a file-size limit, an I/O error and an
HDF5 that refuses wann's file driver each get their own one line, exit status 2 and a next step.
Mistakes that used to surface as a "full disk" at the first flush are refused up front (a variant
named "a/b", an --out name too long for the files kept beside it), a dangling link at the
temporary name no longer blocks a search, and a failure before the first generation advises no
`wann resume` of an archive that does not exist.

Real conditions where the system allows them (a read-only bind mount and a full tmpfs need root;
a folder without write permission is tried as user nobody when run as root); the rest through
the driver's test hook WANN_FAULT_FAIL_AT_WRITE=N:ERRNO, which fails the N-th write with that
errno exactly as the device would."""
import os
import pwd
import shutil
import subprocess
import tempfile

import h5py
import pytest

from suite_helpers import ROOT

COMPARE = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "compare_archives.py")]
SMALL = ["--seed", "5", "--generations", "6", "--population", "32", "--quiet", "--threads", "1"]
IS_ROOT = os.geteuid() == 0


def one_line_error(result):
    """The command failed with status 2 and exactly one line, with no crash."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in ("fatal error", "backtrace", "crash", "Illegal instruction", "Segmentation"):
        assert word.lower() not in result.stderr.lower()
    return lines[0]


def finished_generations(path):
    with h5py.File(path, "r") as f:
        g = f["generations"]
        return sorted(int(k) for k in g if g[k].attrs.get("complete") == 1)


def leftovers(folder, stem):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(stem))


@pytest.fixture
def bind_mount(tmp_path):
    """A read-only bind mount of a folder (root only)."""
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("a read-only bind mount needs root")
    source, target = tmp_path / "source", tmp_path / "readonly"
    source.mkdir()
    target.mkdir()
    made = subprocess.run(["mount", "--bind", source, target], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {made.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", target], check=True, capture_output=True)
        yield source, target
    finally:
        subprocess.run(["umount", target], capture_output=True)


def test_a_read_only_file_system_is_named_and_its_archives_still_read(wann, bind_mount):
    source, readonly = bind_mount
    subprocess.run([wann, "search", *SMALL, "--out", source / "run.h5"], check=True, capture_output=True)
    line = one_line_error(subprocess.run([wann, "search", *SMALL, "--out", readonly / "new.h5"],
                                         capture_output=True, text=True))
    assert "read-only" in line and "disk is full" not in line and "--out" in line
    line = one_line_error(subprocess.run([wann, "resume", readonly / "run.h5", "--generations", "8", "--quiet"],
                                         capture_output=True, text=True))
    assert "read-only" in line and "disk is full" not in line
    # Reading needs no write: inspect and evaluate work on the read-only copy.
    subprocess.run([wann, "inspect", "--check", readonly / "run.h5"], check=True, capture_output=True)
    subprocess.run([wann, "evaluate", "--genome", f"{readonly / 'run.h5'}#champion", "--trials", "1"],
                   check=True, capture_output=True)


def as_unprivileged(folder, wann):
    """(binary, preexec) to run wann as a user without root's rights: as nobody when this is
    root (with a copy of the binary nobody can reach), else as this user."""
    if not IS_ROOT:
        return wann, None
    nobody = pwd.getpwnam("nobody")
    binary = folder / "wann"
    shutil.copy(wann, binary)
    os.chmod(binary, 0o755)

    def drop():
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    return binary, drop


def test_a_folder_without_write_permission_is_named(wann):
    base = tempfile.mkdtemp(prefix="wann-perm-")
    try:
        os.chmod(base, 0o755)
        from pathlib import Path
        base = Path(base)
        binary, preexec = as_unprivileged(base, wann)
        closed = base / "closed"
        closed.mkdir()
        os.chmod(closed, 0o555)
        line = one_line_error(subprocess.run([binary, "search", *SMALL, "--out", closed / "run.h5"],
                                             capture_output=True, text=True, preexec_fn=preexec))
        assert "permission denied" in line and "disk is full" not in line and str(closed) in line
        # An archive this user may not write, in a folder it may: the open for writing is refused.
        open_folder = base / "open"
        open_folder.mkdir()
        os.chmod(open_folder, 0o777)
        subprocess.run([wann, "search", *SMALL, "--out", open_folder / "run.h5"], check=True, capture_output=True)
        os.chmod(open_folder / "run.h5", 0o444)
        if not IS_ROOT:
            pytest.skip("an unwritable archive is writable by root only as root: the rest needs root to drop rights")
        line = one_line_error(subprocess.run([binary, "resume", open_folder / "run.h5", "--generations", "8", "--quiet"],
                                             capture_output=True, text=True, preexec_fn=preexec))
        assert "permission denied" in line and "disk is full" not in line
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(base)], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("code, words", [
    ("ENOSPC", "the disk is full"),
    ("EDQUOT", "quota"),
    ("EFBIG", "largest size"),
    ("EIO", "I/O error"),
])
def test_each_system_error_has_its_own_words_and_resume_finishes_the_run(wann, tmp_path, code, words):
    ref = tmp_path / "ref.h5"
    subprocess.run([wann, "search", *SMALL, "--out", ref], check=True, capture_output=True)
    path = tmp_path / "run.h5"
    # Write 60 of this search lies in its third or fourth generation.
    result = subprocess.run([wann, "search", *SMALL, "--out", path], capture_output=True, text=True,
                            env={**os.environ, "WANN_FAULT_FAIL_AT_WRITE": f"60:{code}"})
    line = one_line_error(result)
    assert words in line and f"wann resume {path}" in line
    if code != "ENOSPC":
        assert "disk is full" not in line
    done = finished_generations(path)
    assert done and done == list(range(len(done))) and len(done) < 6
    subprocess.run([wann, "resume", path, "--quiet"], check=True, capture_output=True)
    subprocess.run([*COMPARE, path, ref], check=True, capture_output=True)


def test_a_failure_before_the_first_generation_keeps_nothing_and_advises_no_resume(wann, tmp_path):
    path = tmp_path / "run.h5"
    result = subprocess.run([wann, "search", *SMALL, "--out", path], capture_output=True, text=True,
                            env={**os.environ, "WANN_FAULT_FAIL_AT_WRITE": "2:ENOSPC"})
    line = one_line_error(result)
    assert "disk is full" in line and "Nothing was kept" in line and "resume" not in line
    assert leftovers(tmp_path, "run.h5") == []
    # The same for a multi-run archive.
    result = subprocess.run([wann, "compare", "--task", "swingup", "--seeds", "1", "--generations", "2",
                             "--population", "16", "--out", tmp_path / "cmp.h5"],
                            capture_output=True, text=True, env={**os.environ, "WANN_FAULT_FAIL_AT_WRITE": "1:EIO"})
    line = one_line_error(result)
    assert "I/O error" in line and "resume" not in line
    assert leftovers(tmp_path, "cmp.h5") == []


def test_an_hdf5_that_refuses_the_driver_is_named_for_writers_and_readers(wann, tmp_path):
    path = tmp_path / "run.h5"
    subprocess.run([wann, "search", *SMALL, "--out", path], check=True, capture_output=True)
    refuse = {**os.environ, "WANN_FAULT_REFUSE_DRIVER": "1"}
    for args in (["search", *SMALL, "--out", tmp_path / "new.h5"], ["resume", path, "--generations", "8"],
                 ["inspect", path]):
        line = one_line_error(subprocess.run([wann, *args], capture_output=True, text=True, env=refuse))
        assert "HDF5" in line and "refused" in line and "rebuild wann" in line and "disk" not in line, line
    assert leftovers(tmp_path, "new.h5") == []
    # Nothing was touched: the archive still reads without the hook.
    subprocess.run([wann, "inspect", "--check", path], check=True, capture_output=True)


def test_a_variant_name_with_a_slash_is_refused_before_anything_is_written(wann, tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text('name = "slash"\nseeds = 1\ngenerations = 2\nbase.population.size = 16\n'
                    '[variants."a/b"]\nsearchSpace.recurrent = true\n')
    out = tmp_path / "grid.h5"
    line = one_line_error(subprocess.run([wann, "experiment", "run", grid, "--out", out],
                                         capture_output=True, text=True))
    assert "a/b" in line and '"/"' in line and "disk" not in line
    assert leftovers(tmp_path, "grid.h5") == []


@pytest.mark.parametrize("length", [243, 245, 247, 251])
def test_an_out_name_too_long_for_its_sidecars_is_refused_up_front(wann, tmp_path, length):
    path = tmp_path / ("a" * (length - 3) + ".h5")
    line = one_line_error(subprocess.run([wann, "search", *SMALL, "--out", path], capture_output=True, text=True))
    assert "bytes" in line and "at most 239" in line and "disk" not in line
    assert list(tmp_path.iterdir()) == []


def test_the_longest_allowed_out_name_works(wann, tmp_path):
    path = tmp_path / ("b" * 236 + ".h5")
    subprocess.run([wann, "search", *SMALL, "--out", path], check=True, capture_output=True)
    assert finished_generations(path) == list(range(6))


def test_a_dangling_link_at_the_temporary_name_is_replaced_not_followed(wann, tmp_path):
    target = tmp_path / "elsewhere" / "target"
    (tmp_path / "partial-link").parent.mkdir(exist_ok=True)
    os.symlink(target, tmp_path / "run.h5.partial")
    subprocess.run([wann, "search", *SMALL, "--out", tmp_path / "run.h5"], check=True, capture_output=True)
    assert finished_generations(tmp_path / "run.h5") == list(range(6))
    assert not os.path.lexists(tmp_path / "run.h5.partial") and not target.exists()


def test_a_damaged_generation_is_refused_by_resume_and_the_rescue_script_makes_a_copy_that_resumes(wann, tmp_path):
    """README, "Rescuing a damaged archive": resume refuses a run whose generation group does not
    open; scripts/rescue_archive.py copies what reads, and the copy resumes to the archive an
    undamaged run resumed the same way gives."""
    path, reference = tmp_path / "damaged.h5", tmp_path / "reference.h5"
    for p in (path, reference):
        subprocess.run([wann, "search", *SMALL, "--out", p], check=True, capture_output=True)
    with h5py.File(path, "r") as f:
        # (HDF5 addresses count from the superblock, which follows wann's 512-byte user block.)
        header = h5py.h5o.get_info(f["generations/000003"].id).addr + f.userblock_size
    with open(path, "r+b") as f:  # flip bytes inside generation 3's object header
        f.seek(header + 8)
        bytes_ = f.read(4)
        f.seek(header + 8)
        f.write(bytes(b ^ 0xFF for b in bytes_))
    line = one_line_error(subprocess.run([wann, "resume", path, "--generations", "8"], capture_output=True, text=True))
    assert "damaged" in line and "inspect --check" in line
    rescued = tmp_path / "rescued.h5"
    done = subprocess.run([ROOT / ".venv" / "bin" / "python", ROOT / "scripts" / "rescue_archive.py", path, rescued],
                          check=True, capture_output=True, text=True)
    assert "3 generation(s) copied" in done.stdout and "generation 000003 does not read" in done.stderr
    for p in (rescued, reference):
        subprocess.run([wann, "resume", p, "--generations", "8", "--quiet"], check=True, capture_output=True)
    subprocess.run([*COMPARE, rescued, reference], check=True, capture_output=True)


def test_sidecar_files_are_never_written_through_a_symbolic_link(wann, tmp_path):
    """A link at NAME.lock or NAME.journal: wann refuses with one line and the file it points to
    keeps its bytes (the lock file used to be truncated and overwritten with "PID command")."""
    precious = tmp_path / "precious.txt"
    precious.write_text("precious\n")
    os.symlink(precious, tmp_path / "a.h5.lock")
    line = one_line_error(subprocess.run([wann, "search", *SMALL, "--out", tmp_path / "a.h5"], capture_output=True, text=True))
    assert "symbolic link" in line and "disk" not in line
    assert precious.read_text() == "precious\n" and not (tmp_path / "a.h5").exists()
    # A finished archive with a link planted as its journal: a resume refuses, nothing is applied.
    path = tmp_path / "b.h5"
    subprocess.run([wann, "search", *SMALL, "--out", path], check=True, capture_output=True)
    before = path.read_bytes()
    os.symlink(precious, tmp_path / "b.h5.journal")
    line = one_line_error(subprocess.run([wann, "resume", path, "--generations", "8", "--quiet"],
                                         capture_output=True, text=True))
    assert "symbolic link" in line or "Too many levels of symbolic links" in line, line
    assert precious.read_text() == "precious\n" and path.read_bytes() == before
    os.unlink(tmp_path / "b.h5.journal")
    subprocess.run([wann, "resume", path, "--generations", "8", "--quiet"], check=True, capture_output=True)
    assert finished_generations(path) == list(range(8))
