import CArchiveJournal
import Foundation
import WANNCore
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The archive's own writer lock: the file `ARCHIVE.lock` beside it (beside the file a symbolic
/// link leads to), held with an exclusive
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
  /// The open archive file whose lock this writer holds (`wann_archive_lock_take`), or -1.
  private var fileFD: Int32 = -1
  /// (device, inode) of the file `fileFD` locks.
  private var lockedFile: FileIdentity?

  /// A file's identity, whatever name reaches it.
  struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64
    init?(path: String) {
      var info = stat()
      guard stat(path, &info) == 0 else { return nil }
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
    }
  }

  /// Files this process holds the lock of: a writer that reads its own archive must not take
  /// its own lock for another writer's.
  nonisolated(unsafe) private static var heldHere = Set<FileIdentity>()
  private static let heldHereLock = NSLock()

  /// Takes the lock of `archivePath`, or throws `ArchiveError.locked` naming the holder.
  /// `creating`: the caller will create the archive, so its name must leave room for every file
  /// kept beside it (checked here, before anything is written).
  /// `rollingBack`: a reader takes the lock only to roll back a journal (any name of the file
  /// may do that); writers refuse a file with several names.
  public init(archivePath: String, creating: Bool = false, rollingBack: Bool = false) throws {
    self.archivePath = archivePath
    lockPath = ArchiveFiles.canonical(archivePath) + ".lock"
    let parent = PathText.folder(of: archivePath)
    var isDirectory: ObjCBool = false
    if !parent.isEmpty
      && !(FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) && isDirectory.boolValue)
    {
      throw ArchiveError.noDirectory(archive: archivePath, folder: parent)
    }
    if creating { try ArchiveFiles.checkNameLength(archivePath) }
    // One name per written archive: its journal is found through it (`ArchiveJournal`).
    var info = stat()
    if !rollingBack, stat(archivePath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink > 1 {
      throw ArchiveError.severalNames(archive: archivePath, names: Int(info.st_nlink))
    }
    while true {
      // Never through a symbolic link: the holder's note would overwrite whatever it points to.
      let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw ArchiveError.lockFailed(archive: archivePath, errno: errno)
      }
      if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        let holder = Self.holder(fd: fd)
        close(fd)
        throw ArchiveError.locked(archive: archivePath, holder: holder)
      }
      // The holder before us may have removed the lock file between our open and our flock:
      // then we locked a file nobody else sees. Retry until the file we hold is the one on disk.
      var held = stat(), onDisk = stat()
      if fstat(fd, &held) == 0, stat(lockPath, &onDisk) == 0, held.st_ino == onDisk.st_ino, held.st_dev == onDisk.st_dev
      {
        self.fd = fd
        break
      }
      close(fd)
    }
    let note = "\(getpid()) \(CommandLine.arguments.joined(separator: " "))\n"
    _ = ftruncate(fd, 0)
    _ = note.withCString { write(fd, $0, strlen($0)) }
    do { try holdFile(archivePath) } catch {
      release()
      throw error
    }
  }

  /// Locks the archive file itself (`archive_lock.h`): another name for the same file, or a
  /// deleted lock file, then admits no second writer. Done at once for an existing archive, and
  /// by the writer for a new one as soon as its file exists (the file keeps the lock when it is
  /// renamed to its final name). A file that does not exist, or that this user cannot write
  /// (no writer could write it either), needs no lock.
  func holdFile(_ path: String) throws {
    guard fileFD < 0 else { return }
    var opened: Int32 = -1
    switch wann_archive_lock_take(path, &opened) {
    case 0:
      fileFD = opened
      lockedFile = FileIdentity(path: path)
      if let lockedFile {
        Self.heldHereLock.lock()
        Self.heldHere.insert(lockedFile)
        Self.heldHereLock.unlock()
      }
    case 1:
      throw ArchiveError.locked(
        archive: archivePath,
        holder:
          "another process (through another name for the same file, or after its lock file \(lockPath) was deleted)")
    default:
      break
    }
  }

  /// Releases the lock and removes the lock file.
  public func release() {
    if fileFD >= 0 {
      if let lockedFile {
        Self.heldHereLock.lock()
        Self.heldHere.remove(lockedFile)
        Self.heldHereLock.unlock()
      }
      close(fileFD)
      fileFD = -1
    }
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
    if let note = heldByNote(archivePath) { return note }
    // The file's own lock, unless this process holds it.
    guard wann_archive_lock_held(archivePath) == 1 else { return nil }
    if let identity = FileIdentity(path: archivePath) {
      heldHereLock.lock()
      defer { heldHereLock.unlock() }
      if heldHere.contains(identity) { return nil }
    }
    return "another process (through another name for the same file)"
  }

  /// Whether this process holds the writer lock of the file at `archivePath` (by any name).
  static func isHeldHere(_ archivePath: String) -> Bool {
    guard let identity = FileIdentity(path: archivePath) else { return false }
    heldHereLock.lock()
    defer { heldHereLock.unlock() }
    return heldHere.contains(identity)
  }

  /// The lock file's holder, if another process holds it.
  static func heldByNote(_ archivePath: String) -> String? {
    let fd = open(ArchiveFiles.canonical(archivePath) + ".lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
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
