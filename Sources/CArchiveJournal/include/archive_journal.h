// A rollback journal under HDF5: an HDF5 file driver that writes like HDF5's own POSIX driver
// (sec2) and, before it overwrites or cuts off a byte that the last commit left in the file, saves
// the old bytes in `FILE.journal`. A commit (after each successful flush) deletes the journal.
// A writer killed in the middle of a flush therefore leaves the file plus a journal that restores
// the file as its last commit left it, byte for byte: HDF5 itself writes a flush in place and in
// no crash-safe order (a superblock before the end of file it records, a link table before the
// header chunk it points to), so without this a kill at the wrong write can lose the archive.
#ifndef WANN_ARCHIVE_JOURNAL_H
#define WANN_ARCHIVE_JOURNAL_H
#include <hdf5.h>

/// Makes `fapl` open files through the journaling driver (registered on first use).
/// Returns a negative value on failure.
herr_t wann_journal_use(hid_t fapl);

/// Commits an open file's writes since the last commit: call after a successful H5Fflush.
/// A file whose driver saw a failed write is never committed again (returns -1).
/// Files not opened through the journaling driver: returns 0 and does nothing.
herr_t wann_journal_commit(hid_t file);

/// Points an open file's journal at `newDataPath`'s journal (after the file was renamed).
herr_t wann_journal_renamed(hid_t file, const char *newDataPath);

/// 1 if `dataPath` has a journal with at least one saved range (a writer was killed, or is in
/// the middle of a flush), 0 if not, -1 if it cannot be read (errno says why).
int wann_journal_pending(const char *dataPath);

/// Restores `dataPath` as its writer's last commit left it, from its journal, and deletes the
/// journal. Returns the number of ranges restored (0 when there was no journal), or -1 with
/// errno set. Only for a file no process writes (the caller holds the archive's lock).
long wann_journal_roll_back(const char *dataPath);

/// The errno of the driver's last failed system call on this thread (0 if none failed since the
/// last call), cleared by the call. HDF5 reports only that its driver failed; this says why (a
/// full disk, a read-only file system, a permission, an I/O error).
int wann_journal_take_error(void);

/// 1 if HDF5 refused to register the driver (an HDF5 whose driver interface differs from the
/// one this code was compiled against), else 0.
int wann_journal_registration_failed(void);

/// The HDF5 version this code was compiled against and the one running now (major, minor, release).
void wann_journal_library_versions(unsigned built[3], unsigned running[3]);

/// Test hook (WANN_FAULT_KILL_AT_WRITE=N): counts one step that changes an archive on disk and
/// kills the process at the N-th. Does nothing when the variable is unset.
void wann_journal_fault_point(void);
#endif
