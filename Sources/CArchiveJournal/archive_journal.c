// The journaling HDF5 file driver (see include/archive_journal.h for what it is for).
//
// Journal layout (FILE.journal, little-endian as the machine writes it; only this machine reads
// it back):
//   header: "WANNJNL1", committed size (u64), checksum of the two (u64)
//   records, each: offset (u64), length (u64), checksum of offset, length and bytes (u64), bytes
// A record is written (one write loop) before the data file is touched in its range, so any
// record whose data write may have happened is whole. A record cut short by a kill is the last
// one, and its data write never began: roll-back stops at the first record that does not check.
#define _GNU_SOURCE
#include "archive_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char journalMagic[8] = {'W', 'A', 'N', 'N', 'J', 'N', 'L', '1'};
enum { headerSize = 24, recordHeaderSize = 24 };

/// A half-open byte range [start, end).
typedef struct { uint64_t start, end; } Range;

typedef struct {
  H5FD_t pub;  // first: HDF5 sees this part
  int fd;
  int writable;
  haddr_t eoa, eof;
  dev_t device;
  ino_t inode;
  char *journalPath;
  int journalFD;               // -1 while nothing is saved since the last commit
  uint64_t committedSize;      // the data file's size at the last commit
  Range *saved;                // ranges saved since the last commit: sorted, disjoint
  size_t savedCount, savedCapacity;
  int failed;                  // a write failed: never commit again
} JournalFile;

static uint64_t checksum(uint64_t hash, const void *bytes, size_t count) {
  // FNV-1a, 64 bits: catches a record cut short or never written, which is all it must do.
  const unsigned char *p = bytes;
  for (size_t i = 0; i < count; i++) { hash ^= p[i]; hash *= 1099511628211ULL; }
  return hash;
}
static const uint64_t checksumSeed = 14695981039346656037ULL;

static uint64_t headerChecksum(uint64_t committedSize) {
  return checksum(checksum(checksumSeed, journalMagic, 8), &committedSize, 8);
}

static uint64_t recordChecksum(uint64_t offset, uint64_t count, const void *bytes) {
  return checksum(checksum(checksum(checksumSeed, &offset, 8), &count, 8), bytes, (size_t)count);
}

/// The largest address a file may have (as sec2: off_t's positive range).
#define MAX_ADDRESS ((((haddr_t)1) << (8 * sizeof(off_t) - 1)) - 1)

static char *journalPathOf(const char *dataPath) {
  size_t n = strlen(dataPath);
  char *path = malloc(n + 9);
  if (path) { memcpy(path, dataPath, n); memcpy(path + n, ".journal", 9); }
  return path;
}

// MARK: what failed

/// The errno of the driver's last failed system call on this thread, kept for
/// `wann_journal_take_error` (HDF5 itself only reports that a driver call failed). Each thread
/// that calls HDF5 runs its own driver calls, so a thread-local value belongs to its caller.
static _Thread_local int lastError = 0;

/// Records errno as the reason of the failure being returned, and returns -1.
static int noteFailure(void) {
  lastError = errno ? errno : EIO;
  return -1;
}

int wann_journal_take_error(void) {
  int error = lastError;
  lastError = 0;
  return error;
}

// MARK: fault injection

/// Test hook: WANN_FAULT_KILL_AT_WRITE=N kills the process (SIGKILL) just before the N-th step
/// that changes an archive or its journal (a write, a truncation, a commit, a rename), counted
/// from the process start. The fault suite kills at every such step in turn. Unset: nothing.
void wann_journal_fault_point(void) {
  static long killAt = -1, steps = 0;
  if (killAt < 0) {
    const char *text = getenv("WANN_FAULT_KILL_AT_WRITE");
    killAt = text ? atol(text) : 0;
  }
  if (killAt > 0 && ++steps == killAt) raise(SIGKILL);
}

/// Test hook: WANN_FAULT_FAIL_AT_WRITE=N:NAME makes the N-th write (counted from the process
/// start, journal and archive alike) fail with errno NAME (EIO, ENOSPC, EDQUOT, EROFS, EACCES,
/// EFBIG), as the device would, so the suite can check what a user is told for each. Unset:
/// nothing.
static int injectedWriteError(void) {
  static long failAt = -1, writes = 0;
  static int code = 0;
  if (failAt < 0) {
    failAt = 0;
    const char *text = getenv("WANN_FAULT_FAIL_AT_WRITE");
    const char *colon = text ? strchr(text, ':') : NULL;
    if (colon) {
      static const struct { const char *name; int code; } names[] = {
        {"EIO", EIO}, {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS}, {"EACCES", EACCES}, {"EFBIG", EFBIG},
      };
      for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(colon + 1, names[i].name) == 0) { code = names[i].code; failAt = atol(text); }
      }
    }
  }
  return failAt > 0 && ++writes == failAt ? code : 0;
}

static int writeAll(int fd, const void *buffer, size_t count, off_t offset, int append) {
  wann_journal_fault_point();
  int injected = injectedWriteError();
  if (injected) { errno = injected; return noteFailure(); }
  const char *p = buffer;
  while (count > 0) {
    ssize_t n = append ? write(fd, p, count) : pwrite(fd, p, count, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { if (n == 0) errno = EIO; return noteFailure(); }
    p += n; count -= (size_t)n; offset += n;
  }
  return 0;
}

static int readAll(int fd, void *buffer, size_t count, off_t offset) {
  char *p = buffer;
  while (count > 0) {
    ssize_t n = pread(fd, p, count, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return noteFailure();
    if (n == 0) { memset(p, 0, count); return 0; }  // beyond the end: zeros, as HDF5 expects
    p += n; count -= (size_t)n; offset += n;
  }
  return 0;
}

// MARK: saving old bytes

/// Appends one record holding the data file's bytes [start, end) as they are now.
static int saveRecord(JournalFile *f, uint64_t start, uint64_t end) {
  size_t length = (size_t)(end - start);
  int first = f->journalFD < 0;
  size_t total = (first ? headerSize : 0) + recordHeaderSize + length;
  unsigned char *buffer = malloc(total);
  if (!buffer) { errno = ENOMEM; return noteFailure(); }
  unsigned char *p = buffer;
  if (first) {
    uint64_t size = f->committedSize, sum = headerChecksum(size);
    memcpy(p, journalMagic, 8); memcpy(p + 8, &size, 8); memcpy(p + 16, &sum, 8);
    p += headerSize;
  }
  unsigned char *bytes = p + recordHeaderSize;
  if (readAll(f->fd, bytes, length, (off_t)start) != 0) { free(buffer); return -1; }
  uint64_t offset = start, count = length;
  uint64_t sum = recordChecksum(offset, count, bytes);
  memcpy(p, &offset, 8); memcpy(p + 8, &count, 8); memcpy(p + 16, &sum, 8);
  if (first) {
    // A new file, never an existing one and never through a symbolic link: the last commit
    // deleted the journal, so anything at its name now is not ours to write into.
    f->journalFD = open(f->journalPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0644);
    if (f->journalFD < 0) { noteFailure(); free(buffer); return -1; }
  }
  int status = writeAll(f->journalFD, buffer, total, 0, 1);
  free(buffer);
  return status;
}

/// Marks [start, end) saved, keeping the list sorted and merged.
static int markSaved(JournalFile *f, uint64_t start, uint64_t end) {
  if (f->savedCount == f->savedCapacity) {
    size_t capacity = f->savedCapacity ? f->savedCapacity * 2 : 64;
    Range *grown = realloc(f->saved, capacity * sizeof(Range));
    if (!grown) { errno = ENOMEM; return noteFailure(); }
    f->saved = grown; f->savedCapacity = capacity;
  }
  size_t i = 0;
  while (i < f->savedCount && f->saved[i].end < start) i++;
  size_t j = i;
  while (j < f->savedCount && f->saved[j].start <= end) {
    if (f->saved[j].start < start) start = f->saved[j].start;
    if (f->saved[j].end > end) end = f->saved[j].end;
    j++;
  }
  // Ranges i..<j merge into one.
  if (j == i) {
    memmove(f->saved + i + 1, f->saved + i, (f->savedCount - i) * sizeof(Range));
    f->savedCount++;
  } else if (j > i + 1) {
    memmove(f->saved + i + 1, f->saved + j, (f->savedCount - j) * sizeof(Range));
    f->savedCount -= j - i - 1;
  }
  f->saved[i] = (Range){start, end};
  return 0;
}

/// Saves the committed bytes in [start, end) that are not saved yet.
static int saveBeforeChange(JournalFile *f, uint64_t start, uint64_t end) {
  if (!f->writable) return 0;
  if (end > f->committedSize) end = f->committedSize;
  if (start >= end) return 0;
  uint64_t at = start;
  for (size_t i = 0; i < f->savedCount && at < end; i++) {
    Range r = f->saved[i];
    if (r.end <= at) continue;
    if (r.start >= end) break;
    if (r.start > at && saveRecord(f, at, r.start) != 0) return -1;
    at = r.end;
  }
  if (at < end && saveRecord(f, at, end) != 0) return -1;
  return markSaved(f, start, end);
}

// MARK: roll-back

long wann_journal_roll_back(const char *dataPath) {
  char *journalPath = journalPathOf(dataPath);
  if (!journalPath) { errno = ENOMEM; return -1; }
  int journal = open(journalPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);  // a link is no journal of ours
  if (journal < 0) {
    int missing = errno == ENOENT;
    free(journalPath);
    return missing ? 0 : -1;
  }
  struct stat info;
  unsigned char *text = NULL;
  long restored = 0, status = 0;
  int data = -1;
  if (fstat(journal, &info) != 0) { status = -1; goto done; }
  size_t size = (size_t)info.st_size;
  text = malloc(size ? size : 1);
  if (!text || readAll(journal, text, size, 0) != 0) { status = -1; goto done; }
  uint64_t committedSize, sum;
  if (size < headerSize || memcmp(text, journalMagic, 8) != 0) goto discard;  // cut short before any data write
  memcpy(&committedSize, text + 8, 8);
  memcpy(&sum, text + 16, 8);
  if (sum != headerChecksum(committedSize)) goto discard;
  data = open(dataPath, O_RDWR | O_CLOEXEC);
  if (data < 0) { status = -1; goto done; }
  for (size_t at = headerSize; at + recordHeaderSize <= size;) {
    uint64_t offset, count;
    memcpy(&offset, text + at, 8); memcpy(&count, text + at + 8, 8); memcpy(&sum, text + at + 16, 8);
    if (count > size - at - recordHeaderSize) break;  // cut short: its data write never began
    const unsigned char *bytes = text + at + recordHeaderSize;
    if (sum != recordChecksum(offset, count, bytes)) break;
    if (writeAll(data, bytes, (size_t)count, (off_t)offset, 0) != 0) { status = -1; goto done; }
    restored++;
    at += recordHeaderSize + (size_t)count;
  }
  wann_journal_fault_point();
  if (ftruncate(data, (off_t)committedSize) != 0 || fsync(data) != 0) { status = -1; goto done; }
discard:
  wann_journal_fault_point();
  if (unlink(journalPath) != 0 && errno != ENOENT) { status = -1; goto done; }
  status = restored;
done:
  if (data >= 0) close(data);
  close(journal);
  free(text);
  free(journalPath);
  return status;
}

int wann_journal_pending(const char *dataPath) {
  char *journalPath = journalPathOf(dataPath);
  if (!journalPath) { errno = ENOMEM; return -1; }
  struct stat info;
  int status = stat(journalPath, &info);
  int missing = status != 0 && errno == ENOENT;
  free(journalPath);
  if (status != 0) return missing ? 0 : -1;
  return info.st_size > headerSize ? 1 : 0;
}

// MARK: the driver

static hid_t driverID = H5I_INVALID_HID;
static int registrationFailed = 0;
static const H5FD_class_t journalClass;

static void freeFile(JournalFile *f) {
  if (f->journalFD >= 0) close(f->journalFD);
  if (f->fd >= 0) close(f->fd);
  free(f->journalPath);
  free(f->saved);
  free(f);
}

static H5FD_t *journalOpen(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  (void)fapl;
  if (!name || !*name || maxaddr == 0 || maxaddr > MAX_ADDRESS) return NULL;
  JournalFile *f = calloc(1, sizeof(JournalFile));
  if (!f) return NULL;
  f->fd = -1;
  f->journalFD = -1;
  f->writable = (flags & H5F_ACC_RDWR) != 0;
  f->journalPath = journalPathOf(name);
  if (!f->journalPath) { freeFile(f); return NULL; }
  int creating = (flags & (H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) != 0;
  if (f->writable) {
    // A new file has no past to restore; an existing one is first restored to its last commit.
    if (creating) unlink(f->journalPath);
    else if (wann_journal_roll_back(name) < 0) { noteFailure(); freeFile(f); return NULL; }
  }
  int openFlags = (f->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (flags & H5F_ACC_TRUNC) openFlags |= O_TRUNC;
  if (flags & H5F_ACC_CREAT) openFlags |= O_CREAT;
  if (flags & H5F_ACC_EXCL) openFlags |= O_EXCL;
  f->fd = open(name, openFlags, 0666);
  struct stat info;
  if (f->fd < 0 || fstat(f->fd, &info) != 0) { noteFailure(); freeFile(f); return NULL; }
  f->eof = (haddr_t)info.st_size;
  f->committedSize = (uint64_t)info.st_size;
  f->device = info.st_dev;
  f->inode = info.st_ino;
  return &f->pub;
}

static herr_t journalClose(H5FD_t *file) {
  JournalFile *f = (JournalFile *)file;
  // HDF5 closes the driver after its last flush: commit it, unless a write failed.
  int closeStatus = close(f->fd);
  if (closeStatus != 0) noteFailure();
  f->fd = -1;
  if (f->writable && !f->failed && closeStatus == 0) { wann_journal_fault_point(); unlink(f->journalPath); }
  freeFile(f);
  return closeStatus == 0 ? 0 : -1;
}

static int journalCompare(const H5FD_t *a, const H5FD_t *b) {
  const JournalFile *f = (const JournalFile *)a, *g = (const JournalFile *)b;
  if (f->device != g->device) return f->device < g->device ? -1 : 1;
  if (f->inode != g->inode) return f->inode < g->inode ? -1 : 1;
  return 0;
}

static herr_t journalQuery(const H5FD_t *file, unsigned long *flags) {
  (void)file;
  // What sec2 declares, so files are laid out as sec2 lays them out.
  if (flags) {
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  }
  return 0;
}

static haddr_t journalGetEOA(const H5FD_t *file, H5FD_mem_t type) {
  (void)type;
  return ((const JournalFile *)file)->eoa;
}

static herr_t journalSetEOA(H5FD_t *file, H5FD_mem_t type, haddr_t address) {
  (void)type;
  ((JournalFile *)file)->eoa = address;
  return 0;
}

static haddr_t journalGetEOF(const H5FD_t *file, H5FD_mem_t type) {
  (void)type;
  return ((const JournalFile *)file)->eof;
}

static herr_t journalGetHandle(H5FD_t *file, hid_t fapl, void **handle) {
  (void)fapl;
  if (!handle) return -1;
  *handle = file;
  return 0;
}

static herr_t journalRead(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t address, size_t size, void *buffer) {
  (void)type; (void)dxpl;
  JournalFile *f = (JournalFile *)file;
  if (address > MAX_ADDRESS || size > MAX_ADDRESS - address) return -1;
  return readAll(f->fd, buffer, size, (off_t)address) == 0 ? 0 : -1;
}

static herr_t journalWrite(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t address, size_t size, const void *buffer) {
  (void)type; (void)dxpl;
  JournalFile *f = (JournalFile *)file;
  if (address > MAX_ADDRESS || size > MAX_ADDRESS - address) return -1;
  if (saveBeforeChange(f, address, address + size) != 0 || writeAll(f->fd, buffer, size, (off_t)address, 0) != 0) {
    f->failed = 1;
    return -1;
  }
  if (address + size > f->eof) f->eof = address + size;
  return 0;
}

static herr_t journalTruncate(H5FD_t *file, hid_t dxpl, hbool_t closing) {
  (void)dxpl; (void)closing;
  JournalFile *f = (JournalFile *)file;
  if (f->eoa == f->eof) return 0;
  // Cutting the file shorter than the last commit left it loses bytes a roll-back needs.
  if (f->eoa < f->eof && saveBeforeChange(f, f->eoa, f->eof) != 0) { f->failed = 1; return -1; }
  wann_journal_fault_point();
  if (ftruncate(f->fd, (off_t)f->eoa) != 0) { noteFailure(); f->failed = 1; return -1; }
  f->eof = f->eoa;
  return 0;
}

/// Our driver's number among file drivers: HDF5 keeps 0-255 for its own and 256-511 for
/// drivers that are not registered with The HDF Group.
#define JOURNAL_DRIVER_VALUE 343

// The driver class as each HDF5 lays it out: 1.13 added the leading `version` and `value` fields
// (and refuses a class without them: "wrong file driver version #"), and callbacks we leave
// unset (vector and selection I/O, ctl, del), which HDF5 then does without. Every other
// difference between HDF5 versions lives in CHDF5/shim.h.
static const H5FD_class_t journalClass = {
#if H5_VERSION_GE(1, 13, 0)
  .version = H5FD_CLASS_VERSION,
  .value = JOURNAL_DRIVER_VALUE,
#endif
  .name = "wann_journal",
  .maxaddr = MAX_ADDRESS,
  .fc_degree = H5F_CLOSE_WEAK,
  .open = journalOpen,
  .close = journalClose,
  .cmp = journalCompare,
  .query = journalQuery,
  .get_eoa = journalGetEOA,
  .set_eoa = journalSetEOA,
  .get_eof = journalGetEOF,
  .get_handle = journalGetHandle,
  .read = journalRead,
  .write = journalWrite,
  .truncate = journalTruncate,
  .fl_map = H5FD_FLMAP_DICHOTOMY,  // as sec2
};

/// Test hook: WANN_FAULT_REFUSE_DRIVER=1 registers a class that every HDF5 refuses (one without
/// `get_eof`), so the fault suite sees what a user of an HDF5 incompatible with this class sees.
static const H5FD_class_t *classToRegister(void) {
  static H5FD_class_t broken;
  const char *text = getenv("WANN_FAULT_REFUSE_DRIVER");
  if (!text || strcmp(text, "1") != 0) return &journalClass;
  broken = journalClass;
  broken.get_eof = NULL;
  return &broken;
}

herr_t wann_journal_use(hid_t fapl) {
  if (driverID < 0 || H5Iis_valid(driverID) <= 0) {
    driverID = H5FDregister(classToRegister());
    if (driverID < 0) { registrationFailed = 1; return -1; }
  }
  return H5Pset_driver(fapl, driverID, NULL);
}

int wann_journal_registration_failed(void) { return registrationFailed; }

void wann_journal_library_versions(unsigned built[3], unsigned running[3]) {
  built[0] = H5_VERS_MAJOR; built[1] = H5_VERS_MINOR; built[2] = H5_VERS_RELEASE;
  if (H5get_libversion(&running[0], &running[1], &running[2]) < 0) running[0] = running[1] = running[2] = 0;
}

static JournalFile *journalFileOf(hid_t file) {
  if (driverID < 0) return NULL;
  hid_t fapl = H5Fget_access_plist(file);
  if (fapl < 0) return NULL;
  hid_t driver = H5Pget_driver(fapl);
  void *handle = NULL;
  herr_t status = driver == driverID ? H5Fget_vfd_handle(file, fapl, &handle) : -1;
  H5Pclose(fapl);
  return status < 0 ? NULL : handle;
}

herr_t wann_journal_commit(hid_t file) {
  JournalFile *f = journalFileOf(file);
  if (!f || !f->writable) return 0;
  if (f->failed) return -1;
  // Deleting the journal is the commit: one step, after every write of the flush.
  if (f->journalFD >= 0) {
    close(f->journalFD);
    f->journalFD = -1;
    wann_journal_fault_point();
    if (unlink(f->journalPath) != 0 && errno != ENOENT) { noteFailure(); f->failed = 1; return -1; }
  }
  f->committedSize = f->eof;
  f->savedCount = 0;
  return 0;
}

herr_t wann_journal_renamed(hid_t file, const char *newDataPath) {
  JournalFile *f = journalFileOf(file);
  if (!f) return 0;
  char *path = journalPathOf(newDataPath);
  if (!path) return -1;
  if (f->journalFD >= 0 && rename(f->journalPath, path) != 0) { noteFailure(); free(path); return -1; }
  free(f->journalPath);
  f->journalPath = path;
  return 0;
}
