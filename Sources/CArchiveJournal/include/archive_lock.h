// A writer's lock on the archive file itself, beside the `NAME.lock` file that names the writer.
// The lock file is found by name, so a second name for the archive (a symbolic or hard link, a
// path through "..") or a deleted lock file let a second writer in. This lock is taken on the
// open file (an open-file-description lock, fcntl F_OFD_SETLK, whole file): every name of the
// file reaches it, nobody can delete it, the kernel drops it when the writer ends however it
// ends, and it does not meet HDF5's own flock, which h5py readers take. Linux only; elsewhere
// the functions report ENOTSUP and the lock file alone keeps writers apart.
#ifndef WANN_ARCHIVE_LOCK_H
#define WANN_ARCHIVE_LOCK_H

/// Opens `path` for writing and locks it: 0 (the lock is held while `*fd` stays open), 1 if
/// another open file holds it (a writer in this process or another), -1 with errno otherwise
/// (ENOENT: no such file; EACCES, EROFS: not writable, so no writer can write it either).
int wann_archive_lock_take(const char *path, int *fd);

/// 1 if some open file holds `path`'s lock (this process's own included), else 0.
int wann_archive_lock_held(const char *path);

// The commit gate: keeps a writer's commit out of a reader's read, and readers out of a commit.
// HDF5 readers cache metadata; a commit that rewrites bytes under an open reader can leave its
// cache pointing at structures that changed, and HDF5 may then crash inside (a "double free"
// was seen in h5py reading a running search). So a reader holds the gate shared for one read
// (an open, its reads, its close) and the writer holds it exclusive while it applies a commit
// (milliseconds: the slow syncs of the journal lie outside). The gate is two bytes of the lock
// file `ARCHIVE.lock` far past its text, locked with open-file-description locks (fcntl
// F_OFD_SETLK), which meet neither the writer's flock on that file nor any other lock: `intent`
// (taken by a waiting writer, so a stream of overlapping readers cannot keep it out; readers
// pass it shared and let go at once) and `body` (held shared by readers, exclusive by the
// writer). Nobody waits forever: a writer that has waited `WANN_COMMIT_GATE_WAIT_MS` (default
// 10000) for a reader commits anyway, and a reader that has waited as long reads anyway, as
// before the gate. The kernel releases a gate when its holder ends, however it ends. Linux only;
// elsewhere there is no gate (the functions return -1).

/// Enters the gate of the archive whose lock file is `lockPath`: shared (`exclusive` 0, a
/// reader) or exclusive (1, a writer about to apply a commit). Returns the open file that holds
/// it (pass it to `wann_archive_gate_leave`), -1 when there is no gate to take (no lock file: no
/// writer has the archive; or no OFD locks here), or -2 when the wait ran out (nothing is held;
/// go on without the gate).
int wann_archive_gate_enter(const char *lockPath, int exclusive);

/// Leaves a gate entered with `wann_archive_gate_enter` (a negative `fd` is ignored).
void wann_archive_gate_leave(int fd);
#endif
