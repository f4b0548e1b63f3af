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
#endif
