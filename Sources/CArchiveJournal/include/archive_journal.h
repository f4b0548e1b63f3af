// A rollback journal under HDF5: an HDF5 file driver that writes like HDF5's own POSIX driver
// (sec2), except that it holds every write over bytes the last commit left in the file until the
// next commit (after each successful flush), which first saves those bytes in `FILE.journal` and
// syncs it, then applies the writes and syncs the file, then deletes the journal. A writer killed
// in the middle of a flush, or a power cut, therefore leaves the file plus at most one journal
// that restores the file as its last commit left it, byte for byte: HDF5 itself writes a flush in
// place and in no crash-safe order (a superblock before the end of file it records, a link table
// before the header chunk it points to), so without this a kill at the wrong write can lose the
// archive. The journal names the archive it belongs to (archive_journal.c says how), so it is
// never applied to another file.
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

/// Stamps a new file's archive id (random) in its user block, which the file must have (at
/// least 16 bytes; wann archives have 512): the journal's binding to its archive. Call once,
/// right after creating the file.
herr_t wann_journal_stamp(hid_t file);
/// Renames a file (`from` to `to`) and syncs the folder, so the new name survives a power cut.
/// Returns 0, or -1 with errno set.
int wann_journal_rename(const char *from, const char *to);
/// `path` with every symbolic link and ".." resolved (its folder's, for a file not made yet), in
/// `buffer`: the name beside which an archive's journal and lock lie. -1 if it does not fit or
/// memory ran out.
int wann_journal_canonical_path(const char *path, char *buffer, size_t capacity);
/// The last journal set aside on this thread as another file's (one line saying which, why and
/// where it went), or NULL; cleared by the call.
const char *wann_journal_take_notice(void);
/// Test hook (WANN_TRACE_WRITES): adds a note to the trace of disk steps, such as the generation
/// just committed. Does nothing when the variable is unset.
void wann_journal_trace_note(const char *note);
/// Points an open file's journal at `newDataPath`'s journal (after the file was renamed).
herr_t wann_journal_renamed(hid_t file, const char *newDataPath);

/// 1 if `dataPath` has a journal with at least one saved range (a writer was killed, or is in
/// the middle of a flush), 0 if not, -1 if it cannot be read (errno says why).
int wann_journal_pending(const char *dataPath);

/// Restores `dataPath` as its writer's last commit left it, from its journal, and deletes the
/// journal. Returns the number of ranges restored (0 when there was no journal), -2 if the
/// journal belongs to another file (set aside, never applied: `wann_journal_take_notice`), or -1
/// with errno set. Only for a file no process writes (the caller holds the archive's lock).
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
