// The archive file's own lock (see include/archive_lock.h for why).
#define _GNU_SOURCE
#include "archive_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef F_OFD_SETLK
static struct flock wholeFile(short type) {
  struct flock lock;
  memset(&lock, 0, sizeof lock);
  lock.l_type = type;
  lock.l_whence = SEEK_SET;  // l_start 0, l_len 0: the whole file, however long it grows
  return lock;
}
#endif

int wann_archive_lock_take(const char *path, int *fd) {
#ifdef F_OFD_SETLK
  *fd = open(path, O_RDWR | O_CLOEXEC);
  if (*fd < 0) return -1;
  struct flock lock = wholeFile(F_WRLCK);
  if (fcntl(*fd, F_OFD_SETLK, &lock) == 0) return 0;
  int error = errno;
  close(*fd);
  *fd = -1;
  if (error == EAGAIN || error == EACCES) return 1;
  errno = error;
  return -1;
#else
  (void)path;
  *fd = -1;
  errno = ENOTSUP;
  return -1;
#endif
}

int wann_archive_lock_held(const char *path) {
#ifdef F_OFD_GETLK
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock lock = wholeFile(F_WRLCK);
  int held = fcntl(fd, F_OFD_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  close(fd);
  return held;
#else
  (void)path;
  return 0;
#endif
}

#ifdef F_OFD_SETLK
/// How long (milliseconds) a gate is waited for before going on without it.
static int gateWaitMilliseconds(void) {
  static int waitMs = -1;
  if (waitMs < 0) {
    const char *text = getenv("WANN_COMMIT_GATE_WAIT_MS");
    long value = text && *text ? strtol(text, NULL, 10) : 10000;
    waitMs = value < 0 ? 0 : value > 600000 ? 600000 : (int)value;
  }
  return waitMs;
}

// Far past any text a lock file holds: locks on bytes past the end of a file are allowed, and
// these never meet the writer's flock on the same file.
static const off_t intentByte = (off_t)1 << 40;
static const off_t bodyByte = ((off_t)1 << 40) + 1;

static int lockByte(int fd, off_t at, short type) {
  struct flock lock;
  memset(&lock, 0, sizeof lock);
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = at;
  lock.l_len = 1;
  return fcntl(fd, F_OFD_SETLK, &lock);
}

static long millisecondsSince(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/// Takes one byte's lock, polling while another holds it: 0, -2 when the wait ran out, -1 when
/// this system cannot lock it at all.
static int takeWaiting(int fd, off_t at, short type, const struct timespec *start) {
  const struct timespec pause = {0, 1000000};  // 1 ms: a commit's writes take about that
  while (lockByte(fd, at, type) != 0) {
    if (errno != EAGAIN && errno != EACCES && errno != EINTR) return -1;
    if (millisecondsSince(start) >= gateWaitMilliseconds()) return -2;
    nanosleep(&pause, NULL);
  }
  return 0;
}
#endif

int wann_archive_gate_enter(const char *lockPath, int exclusive) {
#ifdef F_OFD_SETLK
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  short type = exclusive ? F_WRLCK : F_RDLCK;
  for (;;) {
    int fd = open(lockPath, (exclusive ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    int status = takeWaiting(fd, intentByte, type, &start);
    if (status == 0) status = takeWaiting(fd, bodyByte, type, &start);
    if (status != 0) {
      close(fd);
      return status;
    }
    if (!exclusive) lockByte(fd, intentByte, F_UNLCK);  // a reader only passes the intent
    // A writer that finished removes its lock file, and the next makes a new one: a gate on the
    // removed file keeps nobody out. Hold the one at the name now, or none if there is none.
    struct stat held, atName;
    if (fstat(fd, &held) == 0 && stat(lockPath, &atName) == 0 && held.st_dev == atName.st_dev &&
        held.st_ino == atName.st_ino)
      return fd;
    close(fd);
    if (millisecondsSince(&start) >= gateWaitMilliseconds()) return -2;
  }
#else
  (void)lockPath;
  (void)exclusive;
  return -1;
#endif
}

void wann_archive_gate_leave(int fd) {
  if (fd >= 0) close(fd);  // closing the open file description releases its locks
}
