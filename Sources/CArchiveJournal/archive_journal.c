// The journaling HDF5 file driver (see include/archive_journal.h for what it is for).
//
// How a flush is made safe. Between two commits, HDF5's writes are split in two: a write past
// the size the last commit left (an append) goes to the file at once, since no committed byte
// lies there; a write over committed bytes (and a cut below the committed size) is held in
// memory, and reads see it. The commit (`commitFile`, after each successful H5Fflush, and at
// close) then:
//   1. writes the old bytes of every committed range about to change to FILE.journal, in one
//      write, and syncs it (and the folder, for the journal's name);
//   2. applies the held writes and cuts to the file (inside the commit gate, archive_lock.h: no
//      reader is in the middle of a read meanwhile), and syncs the file;
//   3. deletes the journal and syncs the folder: this deletion is the commit.
// A kill or a power cut before 2 began leaves the committed bytes untouched; after, a journal
// that is whole on disk. Either way the roll-back (`wann_journal_roll_back`) restores the file
// exactly as the last commit left it.
//
// Journal layout (little-endian as the machine writes it; only this machine reads it back):
//   header (48 bytes): "WANNJNL2", committed size, archive id, prefix length, prefix checksum,
//     checksum of the five before it (each u64)
//   records, each: offset (u64), length (u64), checksum of offset, length and bytes (u64), bytes
// The header binds the journal to its archive: the archive id stamped in the file's user block
// (`wann_journal_stamp`; 0 for archives older than the stamp), and a checksum of the file's first
// bytes (its superblock) as the last commit left them. A journal that does not match the file
// at its name is another file's (a restored copy, a file made anew under the same name): it is
// set aside, never applied and never deleted. Journals of the first layout ("WANNJNL1", written
// by wann 0.6 and earlier) carry no binding and are applied as they were.
#define _GNU_SOURCE
#include "archive_journal.h"
#include "archive_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char journalMagic[8] = {'W', 'A', 'N', 'N', 'J', 'N', 'L', '2'};
static const char legacyJournalMagic[8] = {'W', 'A', 'N', 'N', 'J', 'N', 'L', '1'};
/// The first bytes of an archive's user block: the magic, then the archive id (u64).
static const char archiveMagic[8] = {'W', 'A', 'N', 'N', 'A', 'R', 'C', 'H'};
enum { headerSize = 48, legacyHeaderSize = 24, recordHeaderSize = 24, prefixLimit = 4096 };

/// A half-open byte range [start, end).
typedef struct { uint64_t start, end; } Range;

/// A write over committed bytes, held until the commit.
typedef struct { uint64_t offset; size_t length; unsigned char *bytes; } HeldWrite;

typedef struct {
  H5FD_t pub;  // first: HDF5 sees this part
  int fd;
  int writable;
  haddr_t eoa;
  haddr_t eof;                 // the file's size as HDF5 sees it (held writes and cuts included)
  dev_t device;
  ino_t inode;
  char *dataPath;              // both with every symbolic link resolved: one file, one journal
  char *journalPath;
  uint64_t archiveID;          // from the user block; 0 if the file has none
  uint64_t commitCount;        // from the user block (bytes 16 to 23) of a file with an archive id
  uint64_t committedSize;      // the file's size at the last commit
  HeldWrite *held;             // writes over committed bytes since the last commit, in order
  size_t heldCount, heldCapacity;
  int cutHeld;                 // a cut below the file's size waits for the commit
  uint64_t cutAt;              // the lowest such cut
  int failed;                  // a write failed: never commit again
  int changed;                 // written or cut since the last commit
  int deferredError;           // errno of a write that failed inside HDF5's call (reported at the commit)
} JournalFile;

static uint64_t checksum(uint64_t hash, const void *bytes, size_t count) {
  // FNV-1a, 64 bits: catches a record cut short or never written, and a journal of other bytes.
  const unsigned char *p = bytes;
  for (size_t i = 0; i < count; i++) { hash ^= p[i]; hash *= 1099511628211ULL; }
  return hash;
}
static const uint64_t checksumSeed = 14695981039346656037ULL;

static uint64_t recordChecksum(uint64_t offset, uint64_t count, const void *bytes) {
  return checksum(checksum(checksum(checksumSeed, &offset, 8), &count, 8), bytes, (size_t)count);
}

/// The largest address a file may have (as sec2: off_t's positive range).
#define MAX_ADDRESS ((((haddr_t)1) << (8 * sizeof(off_t) - 1)) - 1)

// MARK: names

/// `path` with every symbolic link and ".." resolved (its folder's, for a file not made yet), so
/// that every name of a file finds the same journal. A copy the caller frees; NULL without memory.
static char *canonicalPath(const char *path) {
  char *resolved = realpath(path, NULL);
  if (resolved) return resolved;
  char *forFolder = strdup(path), *forName = strdup(path);
  char *folder = forFolder ? realpath(dirname(forFolder), NULL) : NULL;
  char *result = NULL;
  if (folder && forName) {
    const char *name = basename(forName);
    size_t n = strlen(folder) + strlen(name) + 2;
    result = malloc(n);
    if (result) snprintf(result, n, "%s/%s", strcmp(folder, "/") == 0 ? "" : folder, name);
  }
  if (!folder && !result) result = strdup(path);  // an unreachable folder: the open fails later
  free(folder); free(forFolder); free(forName);
  return result;
}

static char *withSuffix(const char *path, const char *suffix) {
  size_t n = strlen(path), m = strlen(suffix);
  char *result = malloc(n + m + 1);
  if (result) { memcpy(result, path, n); memcpy(result + n, suffix, m + 1); }
  return result;
}

static char *journalPathOf(const char *dataPath) {
  char *canonical = canonicalPath(dataPath);
  char *path = canonical ? withSuffix(canonical, ".journal") : NULL;
  free(canonical);
  return path;
}

int wann_journal_canonical_path(const char *path, char *buffer, size_t capacity) {
  char *canonical = canonicalPath(path);
  if (!canonical) return -1;
  int fits = strlen(canonical) < capacity;
  if (fits) strcpy(buffer, canonical);
  free(canonical);
  return fits ? 0 : -1;
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

// MARK: the trace of every step (crash-consistency testing)

/// Test hook: WANN_TRACE_WRITES=FILE appends every step that changes a file on disk (create,
/// write with its bytes, cut, sync, folder sync, delete, rename) to FILE, in the order made, so
/// scripts/crash_images.py can build the disk states a power cut may leave. Unset: nothing.
/// Each step: kind (1 byte: C W T S D U R N), path NUL-terminated, a second path (R) or a note (N)
/// NUL-terminated, then for W: offset, length (u64 each) and the bytes; for T: the size (u64).
static int traceFD(void) {
  static int fd = -2;
  if (fd == -2) {
    const char *path = getenv("WANN_TRACE_WRITES");
    fd = path && *path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
  }
  return fd;
}

static void traceStep(char kind, const char *path, const char *second, uint64_t a, uint64_t b, const void *bytes) {
  int fd = traceFD();
  if (fd < 0) return;
  size_t p = strlen(path) + 1, s = second ? strlen(second) + 1 : 0;
  size_t extra = kind == 'W' ? 16 + (size_t)b : kind == 'T' ? 8 : 0;
  unsigned char *buffer = malloc(1 + p + s + extra);
  if (!buffer) return;
  unsigned char *at = buffer;
  *at++ = (unsigned char)kind;
  memcpy(at, path, p); at += p;
  if (s) { memcpy(at, second, s); at += s; }
  if (kind == 'W') { memcpy(at, &a, 8); memcpy(at + 8, &b, 8); memcpy(at + 16, bytes, (size_t)b); at += extra; }
  if (kind == 'T') { memcpy(at, &a, 8); at += 8; }
  size_t total = (size_t)(at - buffer);
  const unsigned char *q = buffer;
  while (total > 0) {
    ssize_t n = write(fd, q, total);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    q += n; total -= (size_t)n;
  }
  free(buffer);
}

void wann_journal_trace_note(const char *note) { traceStep('N', "", note, 0, 0, NULL); }

// MARK: syncs

/// Whether commits sync (the default). Off (the measuring hook WANN_NO_SYNC=1) only for
/// measuring what syncing costs, and for showing that the crash-consistency test catches an
/// archive written without syncs: a power cut may then leave a journal or file half on disk.
static int syncing = -1;

static int syncsOn(void) {
  if (syncing < 0) {
    const char *text = getenv("WANN_NO_SYNC");
    syncing = !(text && strcmp(text, "1") == 0);
  }
  return syncing;
}

static int syncFile(int fd, const char *path) {
  if (!syncsOn()) return 0;
  traceStep('S', path, NULL, 0, 0, NULL);
  int status;
  do { status = fdatasync(fd); } while (status != 0 && errno == EINTR);
  return status == 0 ? 0 : noteFailure();
}

/// Syncs the folder of `path`, so a name made, removed or renamed in it survives a power cut.
static int syncFolder(const char *path) {
  if (!syncsOn()) return 0;
  char *copy = strdup(path);
  if (!copy) { errno = ENOMEM; return noteFailure(); }
  const char *folder = dirname(copy);
  traceStep('D', folder, NULL, 0, 0, NULL);
  int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int status = fd < 0 ? -1 : fsync(fd);
  if (status != 0 && (errno == EINVAL || errno == EBADF)) status = 0;  // folders some file systems cannot sync
  int error = errno;
  if (fd >= 0) close(fd);
  free(copy);
  errno = error;
  return status == 0 ? 0 : noteFailure();
}

static int cutFile(int fd, const char *path, uint64_t size) {
  wann_journal_fault_point();
  traceStep('T', path, NULL, size, 0, NULL);
  return ftruncate(fd, (off_t)size) == 0 ? 0 : noteFailure();
}

static int removeName(const char *path) {
  wann_journal_fault_point();
  traceStep('U', path, NULL, 0, 0, NULL);
  return unlink(path) == 0 || errno == ENOENT ? 0 : noteFailure();
}

int wann_journal_rename(const char *from, const char *to) {
  // Both names resolved as the journal's are (the trace and the folder sync need whole paths).
  char *source = canonicalPath(from), *target = canonicalPath(to);
  int status = -1;
  if (!source || !target) { errno = ENOMEM; noteFailure(); goto done; }
  wann_journal_fault_point();
  traceStep('R', source, target, 0, 0, NULL);
  if (rename(from, to) != 0) { noteFailure(); goto done; }
  status = syncFolder(target);
done:
  free(source); free(target);
  return status;
}

// MARK: binding a journal to its archive

/// The archive id in the file's user block, or 0 if it has none.
static uint64_t archiveIDOf(int fd) {
  unsigned char block[16];
  ssize_t n = pread(fd, block, sizeof block, 0);
  if (n != (ssize_t)sizeof block || memcmp(block, archiveMagic, 8) != 0) return 0;
  uint64_t id;
  memcpy(&id, block + 8, 8);
  return id;
}

static uint64_t headerChecksum(const unsigned char *header) {
  return checksum(checksumSeed, header, headerSize - 8);
}

/// The file's first bytes as the last commit left them: as they are now, with `records`
/// (the old bytes of every range the interrupted commit changed) laid over them.
static uint64_t committedPrefixChecksum(int fd, uint64_t length, const unsigned char *records, size_t recordsLength) {
  unsigned char prefix[prefixLimit];
  if (length > prefixLimit) length = prefixLimit;
  memset(prefix, 0, sizeof prefix);
  if (pread(fd, prefix, (size_t)length, 0) < 0) return 0;
  for (size_t at = 0; at + recordHeaderSize <= recordsLength;) {
    uint64_t offset, count;
    memcpy(&offset, records + at, 8); memcpy(&count, records + at + 8, 8);
    for (uint64_t i = 0; i < count && offset + i < length; i++) prefix[offset + i] = records[at + recordHeaderSize + i];
    at += recordHeaderSize + (size_t)count;
  }
  return checksum(checksumSeed, prefix, (size_t)length);
}

// MARK: roll-back

/// What the last roll-back on this thread set aside, for `wann_journal_take_notice`.
static _Thread_local char notice[2 * PATH_MAX + 256];

const char *wann_journal_take_notice(void) {
  static _Thread_local char taken[sizeof notice];
  if (!notice[0]) return NULL;
  memcpy(taken, notice, sizeof notice);
  notice[0] = 0;
  return taken;
}

/// Renames a journal that belongs to another file out of the way (never deleting it), and says
/// so in `notice`. Returns -2, or -1 if it cannot be renamed.
static long setAside(const char *journalPath, const char *dataPath, const char *why) {
  char target[PATH_MAX + 32];
  for (int n = 1; n < 1000; n++) {
    if (n == 1) snprintf(target, sizeof target, "%s.foreign", journalPath);
    else snprintf(target, sizeof target, "%s.foreign%d", journalPath, n);
    struct stat info;
    if (lstat(target, &info) != 0 && errno == ENOENT) break;
  }
  wann_journal_fault_point();
  traceStep('R', journalPath, target, 0, 0, NULL);
  if (rename(journalPath, target) != 0) { noteFailure(); return -1; }
  syncFolder(target);
  snprintf(notice, sizeof notice, "the journal beside %s belongs to another file (%s): set aside as %s, never applied; %s was left as it is",
           dataPath, why, target, dataPath);
  return -2;
}

/// Whether `records` hold every byte in [from, to).
static int recordsCover(const unsigned char *records, size_t length, uint64_t from, uint64_t to) {
  while (from < to) {
    int advanced = 0;
    for (size_t at = 0; at + recordHeaderSize <= length;) {
      uint64_t offset, count;
      memcpy(&offset, records + at, 8); memcpy(&count, records + at + 8, 8);
      if (offset <= from && from < offset + count) { from = offset + count; advanced = 1; }
      at += recordHeaderSize + (size_t)count;
    }
    if (!advanced) return 0;
  }
  return 1;
}

/// The length of the records that check, from the start: roll-back stops at the first one that
/// does not (cut short by a kill or a power cut before the journal was synced, so its data write
/// never began).
static size_t wholeRecords(const unsigned char *records, size_t length) {
  size_t at = 0;
  while (at + recordHeaderSize <= length) {
    uint64_t offset, count, sum;
    memcpy(&offset, records + at, 8); memcpy(&count, records + at + 8, 8); memcpy(&sum, records + at + 16, 8);
    if (count > length - at - recordHeaderSize) break;
    if (sum != recordChecksum(offset, count, records + at + recordHeaderSize)) break;
    at += recordHeaderSize + (size_t)count;
  }
  return at;
}

long wann_journal_roll_back(const char *dataPath) {
  char *canonical = canonicalPath(dataPath);
  char *journalPath = canonical ? withSuffix(canonical, ".journal") : NULL;
  if (!journalPath) { free(canonical); errno = ENOMEM; return -1; }
  int journal = open(journalPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);  // a link is no journal of ours
  if (journal < 0) {
    int missing = errno == ENOENT;
    if (errno == ELOOP) noteFailure();
    free(journalPath); free(canonical);
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
  int legacy = size >= 8 && memcmp(text, legacyJournalMagic, 8) == 0;
  size_t magicLength = size < 8 ? size : 8;
  if (!legacy && memcmp(text, journalMagic, magicLength) != 0) {
    status = setAside(journalPath, dataPath, "it is not a wann journal");
    goto done;
  }
  size_t header = legacy ? legacyHeaderSize : headerSize;
  // A header cut short or torn: the commit never got to change the file (the journal is
  // synced before the first change), so there is nothing to restore.
  if (size < header) goto discard;
  uint64_t committedSize, sum, archiveID = 0, prefixLength = 0, prefixSum = 0;
  memcpy(&committedSize, text + 8, 8);
  if (legacy) {
    memcpy(&sum, text + 16, 8);
    if (sum != checksum(checksum(checksumSeed, legacyJournalMagic, 8), &committedSize, 8)) goto discard;
  } else {
    memcpy(&archiveID, text + 16, 8); memcpy(&prefixLength, text + 24, 8); memcpy(&prefixSum, text + 32, 8);
    memcpy(&sum, text + 40, 8);
    if (sum != headerChecksum(text)) goto discard;
  }
  data = open(dataPath, O_RDWR | O_CLOEXEC);
  if (data < 0) { status = -1; goto done; }
  const unsigned char *records = text + header;
  size_t recordsLength = wholeRecords(records, size - header);
  if (!legacy) {
    struct stat dataInfo;
    if (fstat(data, &dataInfo) != 0) { status = -1; goto done; }
    uint64_t dataSize = (uint64_t)dataInfo.st_size;
    const char *why = NULL;
    if (archiveIDOf(data) != archiveID) why = "another archive id";
    else if (dataSize < committedSize && !recordsCover(records, recordsLength, dataSize, committedSize)) why = "the file is shorter than the journal's commit";
    else if (committedPrefixChecksum(data, prefixLength, records, recordsLength) != prefixSum) why = "its superblock differs";
    if (why) { status = setAside(journalPath, dataPath, why); goto done; }
  }
  for (size_t at = 0; at < recordsLength;) {
    uint64_t offset, count;
    memcpy(&offset, records + at, 8); memcpy(&count, records + at + 8, 8);
    const unsigned char *bytes = records + at + recordHeaderSize;
    traceStep('W', canonical, NULL, offset, count, bytes);
    if (writeAll(data, bytes, (size_t)count, (off_t)offset, 0) != 0) { status = -1; goto done; }
    restored++;
    at += recordHeaderSize + (size_t)count;
  }
  if (cutFile(data, canonical, committedSize) != 0) { status = -1; goto done; }
  traceStep('S', canonical, NULL, 0, 0, NULL);
  if (fsync(data) != 0) { noteFailure(); status = -1; goto done; }
discard:
  if (removeName(journalPath) != 0 || syncFolder(journalPath) != 0) { status = -1; goto done; }
  status = restored;
done:
  if (data >= 0) close(data);
  close(journal);
  free(text);
  free(journalPath);
  free(canonical);
  return status;
}

int wann_journal_pending(const char *dataPath) {
  char *journalPath = journalPathOf(dataPath);
  if (!journalPath) { errno = ENOMEM; return -1; }
  struct stat info;
  int status = lstat(journalPath, &info);
  int missing = status != 0 && errno == ENOENT;
  free(journalPath);
  if (status != 0) return missing ? 0 : -1;
  return info.st_size > legacyHeaderSize ? 1 : 0;
}

// MARK: held writes

static void dropHeld(JournalFile *f) {
  for (size_t i = 0; i < f->heldCount; i++) free(f->held[i].bytes);
  f->heldCount = 0;
  f->cutHeld = 0;
}

static int holdWrite(JournalFile *f, uint64_t offset, size_t length, const void *bytes) {
  if (f->heldCount == f->heldCapacity) {
    size_t capacity = f->heldCapacity ? f->heldCapacity * 2 : 64;
    HeldWrite *grown = realloc(f->held, capacity * sizeof(HeldWrite));
    if (!grown) { errno = ENOMEM; return noteFailure(); }
    f->held = grown; f->heldCapacity = capacity;
  }
  unsigned char *copy = malloc(length ? length : 1);
  if (!copy) { errno = ENOMEM; return noteFailure(); }
  memcpy(copy, bytes, length);
  f->held[f->heldCount++] = (HeldWrite){offset, length, copy};
  return 0;
}

/// Adds [start, end) to a sorted list of disjoint ranges, merging what touches it.
static int addRange(Range **ranges, size_t *count, size_t *capacity, uint64_t start, uint64_t end) {
  if (start >= end) return 0;
  if (*count == *capacity) {
    size_t grown = *capacity ? *capacity * 2 : 64;
    Range *more = realloc(*ranges, grown * sizeof(Range));
    if (!more) { errno = ENOMEM; return noteFailure(); }
    *ranges = more; *capacity = grown;
  }
  Range *r = *ranges;
  size_t i = 0;
  while (i < *count && r[i].end < start) i++;
  size_t j = i;
  while (j < *count && r[j].start <= end) {
    if (r[j].start < start) start = r[j].start;
    if (r[j].end > end) end = r[j].end;
    j++;
  }
  if (j == i) {
    memmove(r + i + 1, r + i, (*count - i) * sizeof(Range));
    (*count)++;
  } else if (j > i + 1) {
    memmove(r + i + 1, r + j, (*count - j) * sizeof(Range));
    *count -= j - i - 1;
  }
  r[i] = (Range){start, end};
  return 0;
}

/// Writes the journal of the commit about to be made: the old bytes of every committed range
/// that a held write or cut changes. Returns 1 if there was nothing to save, 0 when written and
/// synced, -1 on failure.
static int writeJournal(JournalFile *f) {
  Range *ranges = NULL;
  size_t count = 0, capacity = 0;
  int status = 0;
  for (size_t i = 0; i < f->heldCount && status == 0; i++) {
    uint64_t start = f->held[i].offset, end = start + f->held[i].length;
    if (end > f->committedSize) end = f->committedSize;
    status = addRange(&ranges, &count, &capacity, start, end);
  }
  if (status == 0 && f->cutHeld) status = addRange(&ranges, &count, &capacity, f->cutAt, f->committedSize);
  if (status != 0 || count == 0) { free(ranges); return status == 0 ? 1 : -1; }
  size_t total = headerSize;
  for (size_t i = 0; i < count; i++) total += recordHeaderSize + (size_t)(ranges[i].end - ranges[i].start);
  unsigned char *buffer = malloc(total);
  if (!buffer) { free(ranges); errno = ENOMEM; return noteFailure(); }
  uint64_t prefixLength = f->committedSize < prefixLimit ? f->committedSize : prefixLimit;
  unsigned char prefixBytes[prefixLimit];
  if (readAll(f->fd, prefixBytes, (size_t)prefixLength, 0) != 0) { free(buffer); free(ranges); return -1; }
  uint64_t prefixSum = checksum(checksumSeed, prefixBytes, (size_t)prefixLength);
  memcpy(buffer, journalMagic, 8);
  memcpy(buffer + 8, &f->committedSize, 8);
  memcpy(buffer + 16, &f->archiveID, 8);
  memcpy(buffer + 24, &prefixLength, 8);
  memcpy(buffer + 32, &prefixSum, 8);
  uint64_t sum = headerChecksum(buffer);
  memcpy(buffer + 40, &sum, 8);
  unsigned char *at = buffer + headerSize;
  for (size_t i = 0; i < count; i++) {
    uint64_t offset = ranges[i].start, length = ranges[i].end - ranges[i].start;
    // The file's committed bytes are untouched until the journal is on disk: read them now.
    if (readAll(f->fd, at + recordHeaderSize, (size_t)length, (off_t)offset) != 0) { free(buffer); free(ranges); return -1; }
    uint64_t recordSum = recordChecksum(offset, length, at + recordHeaderSize);
    memcpy(at, &offset, 8); memcpy(at + 8, &length, 8); memcpy(at + 16, &recordSum, 8);
    at += recordHeaderSize + (size_t)length;
  }
  free(ranges);
  // A new file, never an existing one and never through a symbolic link: the last commit
  // deleted the journal, so anything at its name now is not ours to write into.
  wann_journal_fault_point();
  traceStep('C', f->journalPath, NULL, 0, 0, NULL);
  int journal = open(f->journalPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (journal < 0) { noteFailure(); free(buffer); return -1; }
  traceStep('W', f->journalPath, NULL, 0, total, buffer);
  status = writeAll(journal, buffer, total, 0, 0);
  free(buffer);
  if (status == 0) status = syncFile(journal, f->journalPath);
  if (close(journal) != 0 && status == 0) status = noteFailure();
  if (status == 0) status = syncFolder(f->journalPath);
  return status;
}

/// After a failed write: puts the file back as the last commit left it, at once and in this
/// process (the journal, if the commit got to write one, restores what the commit changed; the
/// cut frees what was appended since), and writes nothing more to it. The cause of the failure
/// stays the one reported. What cannot be restored here stays for the next open to roll back.
static int failAndRestore(JournalFile *f) {
  int cause = lastError;
  f->failed = 1;
  dropHeld(f);
  if (f->writable && wann_journal_roll_back(f->dataPath) >= 0) {
    traceStep('T', f->dataPath, NULL, f->committedSize, 0, NULL);
    if (ftruncate(f->fd, (off_t)f->committedSize) == 0) f->eof = f->committedSize;
  }
  lastError = cause;
  return -1;
}

/// Step 2 of a commit, short of its sync: applies the held cut and writes to the file, and cuts
/// it to its end. 0, or -1 on a failed write (the caller restores).
static int applyHeld(JournalFile *f) {
  if (f->cutHeld && cutFile(f->fd, f->dataPath, f->cutAt) != 0) return -1;
  for (size_t i = 0; i < f->heldCount; i++) {
    HeldWrite w = f->held[i];
    traceStep('W', f->dataPath, NULL, w.offset, w.length, w.bytes);
    if (writeAll(f->fd, w.bytes, w.length, (off_t)w.offset, 0) != 0) return -1;
  }
  struct stat info;
  if (fstat(f->fd, &info) != 0) return noteFailure();
  if ((uint64_t)info.st_size != f->eof && cutFile(f->fd, f->dataPath, f->eof) != 0) return -1;
  return 0;
}

/// The commit (see the top of this file): from here a kill or a power cut leaves this state.
static int commitFile(JournalFile *f) {
  if (!f->writable) return 0;
  if (f->failed) return -1;
  if (f->deferredError) { lastError = f->deferredError; return failAndRestore(f); }
  if (!f->changed) return 0;  // nothing to commit: no syncs
  // The commit count in the user block, journaled with the rest: a reader that keeps the file
  // open tells from it whether a commit landed since it read (wann_h5 then opens afresh).
  if (f->archiveID != 0 && f->committedSize >= 24) {
    uint64_t next = f->commitCount + 1;
    if (holdWrite(f, 16, sizeof next, &next) != 0) return failAndRestore(f);
    f->commitCount = next;
  }
  int journaled = writeJournal(f);
  if (journaled < 0) return failAndRestore(f);
  // Readers in the middle of a read finish it first, and none starts while the committed bytes
  // change (archive_lock.h, the commit gate); the syncs need no gate.
  char *lockPath = withSuffix(f->dataPath, ".lock");
  int gate = lockPath ? wann_archive_gate_enter(lockPath, 1) : -1;
  free(lockPath);
  int applied = applyHeld(f);
  if (applied != 0) applied = failAndRestore(f);
  wann_archive_gate_leave(gate);
  if (applied != 0) return applied;
  if (syncFile(f->fd, f->dataPath) != 0) return failAndRestore(f);
  if (journaled == 0 && (removeName(f->journalPath) != 0 || syncFolder(f->journalPath) != 0)) return failAndRestore(f);
  dropHeld(f);
  f->committedSize = f->eof;
  f->changed = 0;
  return 0;
}

// MARK: the driver

static hid_t driverID = H5I_INVALID_HID;
static int registrationFailed = 0;
static const H5FD_class_t journalClass;

static void freeFile(JournalFile *f) {
  if (f->fd >= 0) close(f->fd);
  dropHeld(f);
  free(f->held);
  free(f->dataPath);
  free(f->journalPath);
  free(f);
}

static H5FD_t *journalOpen(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  (void)fapl;
  if (!name || !*name || maxaddr == 0 || maxaddr > MAX_ADDRESS) return NULL;
  JournalFile *f = calloc(1, sizeof(JournalFile));
  if (!f) return NULL;
  f->fd = -1;
  f->writable = (flags & H5F_ACC_RDWR) != 0;
  f->dataPath = canonicalPath(name);
  f->journalPath = f->dataPath ? withSuffix(f->dataPath, ".journal") : NULL;
  if (!f->journalPath) { freeFile(f); return NULL; }
  int creating = (flags & (H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) != 0;
  if (f->writable && !creating) {
    // An existing file is first restored to its last commit (a journal of another file is set
    // aside, and the notice kept for the caller).
    if (wann_journal_roll_back(name) == -1) { noteFailure(); freeFile(f); return NULL; }
  }
  int openFlags = (f->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (flags & H5F_ACC_TRUNC) openFlags |= O_TRUNC;
  if (flags & H5F_ACC_CREAT) openFlags |= O_CREAT;
  if (flags & H5F_ACC_EXCL) openFlags |= O_EXCL;
  if (f->writable && creating) { wann_journal_fault_point(); traceStep('C', f->dataPath, NULL, 0, 0, NULL); }
  f->fd = open(name, openFlags, 0666);
  struct stat info;
  if (f->fd < 0 || fstat(f->fd, &info) != 0) { noteFailure(); freeFile(f); return NULL; }
  // A new file has no past to restore, and any journal at its name is an older file's.
  if (f->writable && creating && removeName(f->journalPath) != 0) { noteFailure(); freeFile(f); return NULL; }
  f->eof = (haddr_t)info.st_size;
  f->committedSize = (uint64_t)info.st_size;
  f->device = info.st_dev;
  f->inode = info.st_ino;
  f->archiveID = archiveIDOf(f->fd);
  if (f->archiveID != 0 && pread(f->fd, &f->commitCount, 8, 16) != 8) f->commitCount = 0;
  return &f->pub;
}

static herr_t journalClose(H5FD_t *file) {
  JournalFile *f = (JournalFile *)file;
  // HDF5 closes the driver after its last flush: commit it, unless a write failed (then the
  // held writes are dropped, and the file stays as its last commit left it).
  int status = f->writable && !f->failed ? commitFile(f) : 0;
  int closeStatus = close(f->fd);
  if (closeStatus != 0) noteFailure();
  f->fd = -1;
  freeFile(f);
  return status == 0 && closeStatus == 0 ? 0 : -1;
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
  if (readAll(f->fd, buffer, size, (off_t)address) != 0) return -1;
  // What HDF5 wrote since the last commit and the file does not hold yet: a held cut reads as
  // zeros, and held writes over it in the order made.
  uint64_t end = address + size;
  unsigned char *bytes = buffer;
  if (f->cutHeld && end > f->cutAt) {
    uint64_t from = address > f->cutAt ? address : f->cutAt;
    memset(bytes + (from - address), 0, (size_t)(end - from));
  }
  for (size_t i = 0; i < f->heldCount; i++) {
    HeldWrite w = f->held[i];
    uint64_t from = w.offset > address ? w.offset : address;
    uint64_t to = w.offset + w.length < end ? w.offset + w.length : end;
    if (from < to) memcpy(bytes + (from - address), w.bytes + (from - w.offset), (size_t)(to - from));
  }
  return 0;
}

/// Writes to the file now (nothing committed lies there).
static int writeThrough(JournalFile *f, uint64_t address, size_t size, const void *buffer) {
  traceStep('W', f->dataPath, NULL, address, size, buffer);
  return writeAll(f->fd, buffer, size, (off_t)address, 0);
}

static herr_t journalWrite(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t address, size_t size, const void *buffer) {
  (void)type; (void)dxpl;
  JournalFile *f = (JournalFile *)file;
  if (address > MAX_ADDRESS || size > MAX_ADDRESS - address || !f->writable || f->failed) return -1;
  const unsigned char *bytes = buffer;
  uint64_t end = address + size;
  // Over committed bytes (or anywhere once a cut is held, or once a write failed): held for the
  // commit. Past them: now.
  uint64_t heldEnd = f->cutHeld || f->deferredError ? end : (end < f->committedSize ? end : f->committedSize);
  int status = 0;
  if (address < heldEnd) status = holdWrite(f, address, (size_t)(heldEnd - address), bytes);
  if (status == 0 && heldEnd < end) {
    uint64_t from = address > heldEnd ? address : heldEnd;
    if (writeThrough(f, from, (size_t)(end - from), bytes + (from - address)) != 0) {
      // A full disk, say. HDF5 is not told now: inside some of its operations (H5Ocopy in HDF5
      // 1.10) a failed write crashes it. The bytes are held instead (reads see them), and the
      // commit that follows reports the failure and restores the file.
      f->deferredError = lastError ? lastError : EIO;
      status = holdWrite(f, from, (size_t)(end - from), bytes + (from - address));
    }
  }
  if (status != 0) return failAndRestore(f);
  if (end > f->eof) f->eof = end;
  f->changed = 1;
  return 0;
}

static herr_t journalTruncate(H5FD_t *file, hid_t dxpl, hbool_t closing) {
  (void)dxpl; (void)closing;
  JournalFile *f = (JournalFile *)file;
  if (f->eoa == f->eof || !f->writable) return 0;
  f->changed = 1;
  uint64_t size = f->eoa;
  if (!f->cutHeld && !f->deferredError && size >= f->committedSize) {
    // Only bytes written since the last commit are cut (or the file grows): now. A failure is
    // reported at the commit, as for a write.
    if (cutFile(f->fd, f->dataPath, size) != 0) f->deferredError = lastError ? lastError : EIO;
  } else if (size < f->eof) {
    // A cut into committed bytes waits for the commit, which journals them first.
    if (!f->cutHeld || size < f->cutAt) f->cutAt = size;
    f->cutHeld = 1;
    for (size_t i = 0; i < f->heldCount; i++) {
      HeldWrite *w = &f->held[i];
      if (w->offset >= size) w->length = 0;
      else if (w->offset + w->length > size) w->length = (size_t)(size - w->offset);
    }
  }
  f->eof = size;
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
  return commitFile(f) == 0 ? 0 : -1;
}

herr_t wann_journal_stamp(hid_t file) {
  JournalFile *f = journalFileOf(file);
  if (!f || !f->writable) return 0;
  // Only a new file, before its first commit: its user block (which HDF5 never writes) is
  // still past the committed size, so the stamp goes straight to the file.
  if (f->committedSize != 0) { errno = EINVAL; return noteFailure(); }
  unsigned char block[16];
  uint64_t id = 0;
  int random = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (random >= 0) {
    if (read(random, &id, sizeof id) != (ssize_t)sizeof id) id = 0;
    close(random);
  }
  if (id == 0) id = ((uint64_t)getpid() << 32) ^ (uint64_t)f->inode ^ 0x9E3779B97F4A7C15ULL;
  memcpy(block, archiveMagic, 8);
  memcpy(block + 8, &id, 8);
  if (writeThrough(f, 0, sizeof block, block) != 0) return failAndRestore(f);
  if (f->eof < sizeof block) f->eof = sizeof block;
  f->archiveID = id;
  f->changed = 1;
  return 0;
}

herr_t wann_journal_renamed(hid_t file, const char *newDataPath) {
  JournalFile *f = journalFileOf(file);
  if (!f) return 0;
  char *dataPath = canonicalPath(newDataPath);
  char *journalPath = dataPath ? withSuffix(dataPath, ".journal") : NULL;
  if (!journalPath) { free(dataPath); errno = ENOMEM; return noteFailure(); }
  free(f->dataPath); free(f->journalPath);
  f->dataPath = dataPath;
  f->journalPath = journalPath;
  return 0;
}
