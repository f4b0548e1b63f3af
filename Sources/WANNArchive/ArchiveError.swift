import Foundation
import WANNCore
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What can go wrong with an archive, each naming the file and the fix.
public enum ArchiveError: Error, CustomStringConvertible {
  case exists(archive: String)
  case isDirectory(archive: String)
  /// The archive's folder does not exist.
  case noDirectory(archive: String, folder: String)
  /// The archive's name leaves no room for the files wann keeps beside it: `limit` is the longest
  /// name the folder's file system allows.
  case nameTooLong(archive: String, limit: Int)
  /// Another process holds the archive's writer lock.
  case locked(archive: String, holder: String)
  /// The archive file has several names (hard links): its lock and journal are found through
  /// one.
  case severalNames(archive: String, names: Int)
  /// The writer lock file cannot be opened.
  case lockFailed(archive: String, errno: Int32)
  /// HDF5's own lock (forced on by HDF5_USE_FILE_LOCKING=TRUE) keeps readers out.
  case lockedForReading(archive: String, holder: String)
  case notFound(archive: String)
  case notHDF5(archive: String)
  case foreign(archive: String)
  case newerVersion(archive: String, version: Int64)
  /// Reading failed (a damaged file, a dataset that does not decompress).
  case readFailed(archive: String, cause: HDF5Error)
  /// Writing failed (a full disk, a quota, a read-only file system, an I/O error): what was
  /// flushed before stays readable.
  case writeFailed(archive: String, cause: HDF5Error)
  /// Writing a new archive failed before it held anything finished: nothing was kept.
  case notCreated(archive: String, cause: HDF5Error)
  /// A write was attempted after an earlier one failed.
  case abandoned(archive: String)
  case corrupt(archive: String, why: String)
  case noGenomes(archive: String, why: String)
  case notWritable(archive: String, cause: HDF5Error)
  /// A writer was killed in the middle of a flush and its journal cannot be rolled back here.
  case rollBackFailed(archive: String, why: String)
  /// WANN_COMMIT_EVERY is not a number of seconds in range.
  case badCommitInterval(text: String)
  /// WANN_COMMIT_GATE_WAIT_MS is not a whole number of milliseconds in range.
  case badCommitGateWait(text: String)
  /// The HDF5 library refused wann's file driver: `versions` are those wann was built
  /// against and runs with.
  case incompatibleLibrary(archive: String, versions: (built: String, running: String), cause: HDF5Error)

  public var description: String {
    switch self {
    case .exists(let p): "\(p) already exists: pass --force to overwrite it, or choose another --out"
    case .isDirectory(let p): "\(p) is a directory: give an archive file name (--force never replaces a directory)"
    case .noDirectory(let p, let d):
      "cannot create \(p): the folder \(d) does not exist (create it first: mkdir -p \(d))"
    case .nameTooLong(let p, let limit):
      "the archive name \(PathText.name(of: p)) is \(PathText.name(of: p).utf8.count) bytes long, and wann keeps files beside it named up to \(ArchiveFiles.longestSidecarSuffix.utf8.count) bytes longer (\(ArchiveFiles.longestSidecarSuffix)), which this file system does not allow (at most \(limit) bytes): choose a name of at most \(limit - ArchiveFiles.longestSidecarSuffix.utf8.count) bytes"
    case .locked(let p, let holder):
      "\(p) is being written by \(holder): wait for it to finish, or stop it first (two writers would destroy the archive)"
    case .badCommitInterval(let text):
      "WANN_COMMIT_EVERY=\(text) is not a number of seconds in 0...86400 (how often writers commit the archive; unset or 0: every generation)"
    case .badCommitGateWait(let text):
      "WANN_COMMIT_GATE_WAIT_MS=\(text) is not a whole number of milliseconds in 0...600000 (how long a writer's commit waits for readers of the archive, and a reader for a commit; unset: 10000)"
    case .severalNames(let p, let count):
      "\(p) has \(count) names (hard links), and wann writes an archive through one name only (its journal is found through it, so a writer through another name could skip a roll-back): remove the other names first (find / -xdev -samefile \(p) lists them), or write a copy (cp \(p) COPY.h5)"
    case .lockFailed(let p, let code):
      "cannot take the writer lock \(p).lock: \(SystemFailure(code, archive: p).sentence)"
    case .lockedForReading(let p, let holder):
      "\(p) is being written by \(holder), and HDF5_USE_FILE_LOCKING=TRUE keeps readers out meanwhile: unset it (or set it to FALSE) to read a running archive, or wait"
    case .notFound(let p): "archive \(p) does not exist"
    case .notHDF5(let p): "\(p) is not an HDF5 file (or is truncated before its superblock)"
    case .foreign(let p):
      "\(p) is an HDF5 file but not a wann run archive (no format = \"\(ArchiveSchema.format)\" attribute)"
    case .newerVersion(let p, let v):
      "\(p) has archive format version \(v); this wann reads up to \(ArchiveSchema.version): update wann"
    case .readFailed(let p, let e):
      if let (have, expected) = Self.truncation(e) {
        "cannot read archive \(p): the file is cut short (\(have) of the \(expected) bytes its last write left; a copy or download that stopped early, or a disk that filled while it was copied): copy it again in full from where it came from"
      } else {
        "cannot read archive \(p): \(e)"
      }
    case .writeFailed(let p, let e):
      "cannot write to archive \(p): \(Self.cause(e, archive: p)). Everything finished before stays readable; \(Self.remedy(e, archive: p)), then run the command again (a search continues with `wann resume \(p)`)"
    case .notCreated(let p, let e):
      "cannot create archive \(p): \(Self.cause(e, archive: p)). Nothing was kept (no generation had finished); \(Self.remedy(e, archive: p)), then run the command again"
    case .abandoned(let p):
      "archive \(p) is no longer written to after a failed write; fix the cause, then run the command again"
    case .corrupt(let p, let why): "archive \(p) is damaged: \(why)"
    case .noGenomes(let p, let why): "\(p): \(why)"
    case .rollBackFailed(let p, let why):
      "\(p) was cut short in the middle of a write, and its journal \(p).journal cannot be rolled back (\(why)): run any wann command on it as a user who may write the file and its folder (until then it may not read)"
    case .notWritable(let p, let e):
      if let code = e.systemError {
        "cannot open \(p) for writing: \(SystemFailure(code, archive: p).sentence)"
      } else {
        "cannot open \(p) for writing (is it damaged? `wann inspect --check \(p)` lists damaged data): \(e)"
      }
    case .incompatibleLibrary(let p, let versions, let e):
      versions.built == versions.running
        ? "cannot open \(p): the HDF5 library (\(versions.running)) refused wann's journaling file driver (\(e)); rebuild wann from a clean build folder against the HDF5 installed now (rm -rf .build; swift build -c release), and report it if that does not help"
        : "cannot open \(p): wann was built against HDF5 \(versions.built) but runs with HDF5 \(versions.running), which refuses its journaling file driver (\(e)); rebuild wann against the HDF5 installed now (swift build -c release), or run it with the HDF5 it was built against"
    }
  }

  /// HDF5's "truncated file: eof = HAVE, ..., stored_eof = EXPECTED", as numbers.
  static func truncation(_ e: HDF5Error) -> (have: Int, expected: Int)? {
    guard
      let line = e.stack.first(where: { $0.contains("truncated file") })
        ?? (e.operation.contains("truncated file") ? e.operation : nil)
    else { return nil }
    func number(after key: String) -> Int? {
      guard let r = line.range(of: key) else { return nil }
      return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
    guard let have = number(after: "eof = "), let expected = number(after: "stored_eof = ") else { return nil }
    return (have, expected)
  }

  /// What happened, in the system's words where a system call failed, else HDF5's.
  static func cause(_ e: HDF5Error, archive: String) -> String {
    guard let code = e.systemError else { return "\(e)" }
    // The system's reason says it all; HDF5's stack under it (a dozen frames of its cache) would not.
    return "\(SystemFailure(code, archive: archive).what) (\(e.operation))"
  }

  /// What the user should do about it.
  static func remedy(_ e: HDF5Error, archive: String) -> String {
    guard let code = e.systemError else {
      return "fix the cause (`wann inspect --check \(archive)` lists damaged data)"
    }
    return SystemFailure(code, archive: archive).advice
  }
}

/// A failed system call, told as what happened and what to do. "The disk is full" is said only
/// when the system said so (ENOSPC, EDQUOT): a read-only file system, a permission, a file-size
/// limit and an I/O error each need something else done.
struct SystemFailure {
  let code: Int32
  let archive: String
  init(_ code: Int32, archive: String) {
    self.code = code
    self.archive = archive
  }

  var what: String {
    switch code {
    case ENOSPC: "the disk is full"
    case EDQUOT: "the disk quota is exceeded"
    case EFBIG: "the file reached the largest size allowed (a file-size limit, ulimit -f, or the file system's own)"
    case EROFS: "the file system is read-only"
    case EACCES, EPERM: "permission denied"
    case EIO: "the storage device reported an I/O error"
    case ENAMETOOLONG: "a file name is too long for this file system"
    case ELOOP: "a file wann keeps beside the archive is a symbolic link, which wann never writes through"
    default: String(cString: strerror(code))
    }
  }

  var advice: String {
    let folder = PathText.folder(of: archive).isEmpty ? "." : PathText.folder(of: archive)
    return switch code {
    case ENOSPC: "free space"
    case EDQUOT: "free space or raise the quota"
    case EFBIG: "raise the limit (ulimit -f) or write to another file system"
    case EROFS: "write to a writable folder (--out), or remount \(folder) read-write"
    case EACCES, EPERM:
      "make \(folder) and the archive writable by this user (ls -ld \(folder)), or write elsewhere (--out)"
    case EIO: "check the device (dmesg, or the network file system's mount), then `wann inspect --check \(archive)`"
    case ENAMETOOLONG: "choose a shorter archive name"
    case ELOOP: "remove the link (ls -l \(archive).lock \(archive).journal)"
    default: "fix that"
    }
  }

  /// One sentence: what happened and what to do.
  var sentence: String { "\(what); \(advice), then run the command again" }
}
