import Foundation
import WANNCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The archive's own writer lock: the file `ARCHIVE.lock` beside it, held with an exclusive
/// `flock` for as long as a wann command may write the archive, and holding the writer's PID and
/// command line for the message another writer gets.
///
/// Why our own: HDF5's file lock is often switched off on cluster file systems
/// (HDF5_USE_FILE_LOCKING=FALSE), and we switch it off ourselves so that readers can open an
/// archive while a search writes it. Two writers on one archive destroy it, whatever HDF5 says;
/// this lock keeps them apart. It is advisory: only wann takes it. The kernel releases it when
/// the process ends, however it ends, so a killed writer never leaves a stale lock.
public final class ArchiveLock {
  public let archivePath: String
  let lockPath: String
  private var fd: Int32

  /// Takes the lock of `archivePath`, or throws `ArchiveError.locked` naming the holder.
  /// `creating`: the caller will create the archive, so its name must leave room for every file
  /// kept beside it (checked here, before anything is written).
  public init(archivePath: String, creating: Bool = false) throws {
    self.archivePath = archivePath
    lockPath = archivePath + ".lock"
    let parent = PathText.folder(of: archivePath)
    var isDirectory: ObjCBool = false
    if !parent.isEmpty && !(FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) && isDirectory.boolValue) {
      throw ArchiveError.noDirectory(archivePath, parent)
    }
    if creating { try ArchiveFiles.checkNameLength(archivePath) }
    while true {
      // Never through a symbolic link: the holder's note would overwrite whatever it points to.
      let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw ArchiveError.lockFailed(archivePath, errno)
      }
      if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        let holder = Self.holder(fd: fd)
        close(fd)
        throw ArchiveError.locked(archivePath, holder)
      }
      // The holder before us may have removed the lock file between our open and our flock:
      // then we locked a file nobody else sees. Retry until the file we hold is the one on disk.
      var held = stat(), onDisk = stat()
      if fstat(fd, &held) == 0, stat(lockPath, &onDisk) == 0, held.st_ino == onDisk.st_ino, held.st_dev == onDisk.st_dev {
        self.fd = fd
        break
      }
      close(fd)
    }
    let note = "\(getpid()) \(CommandLine.arguments.joined(separator: " "))\n"
    _ = ftruncate(fd, 0)
    _ = note.withCString { write(fd, $0, strlen($0)) }
  }

  /// Releases the lock and removes the lock file.
  public func release() {
    guard fd >= 0 else { return }
    unlink(lockPath)
    close(fd)
    fd = -1
  }

  deinit { release() }

  /// Who holds a lock file: "PID COMMAND" as the holder wrote it.
  static func holder(fd: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 512)
    let n = pread(fd, &buffer, buffer.count, 0)
    guard n > 0 else { return "another process" }
    let text = String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let space = text.firstIndex(of: " "), let pid = Int(text[..<space]) else { return "another process" }
    return "process \(pid) (\(text[text.index(after: space)...]))"
  }

  /// Whether another process holds the lock of `archivePath` now (for messages, `--force`, and
  /// readers deciding whether a failed read may be a writer's flush); nil when none does, or
  /// when this process holds it.
  public static func isHeld(_ archivePath: String) -> String? {
    let fd = open(archivePath + ".lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    if flock(fd, LOCK_SH | LOCK_NB) != 0 {
      return holderPID(fd: fd) == Int(getpid()) ? nil : holder(fd: fd)
    }
    flock(fd, LOCK_UN)
    return nil
  }

  static func holderPID(fd: Int32) -> Int? {
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = pread(fd, &buffer, buffer.count, 0)
    guard n > 0 else { return nil }
    return Int(String(decoding: buffer.prefix(n), as: UTF8.self).prefix { $0.isNumber })
  }
}
