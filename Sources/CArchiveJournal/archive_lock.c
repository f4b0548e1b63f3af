// The archive file's own lock (see include/archive_lock.h for why).
#define _GNU_SOURCE
#include "archive_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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
