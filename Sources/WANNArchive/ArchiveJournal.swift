import CArchiveJournal
import Foundation
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Flushes that a killed writer or a power cut left half done.
///
/// HDF5 writes a flush in place and in no crash-safe order: a kill between two of its writes can
/// leave a superblock that records a longer file than there is, or a link table that points at a
/// header chunk not yet written, and then the whole archive may not open. So every writer opens
/// archives through a journaling file driver (Sources/CArchiveJournal): it holds each write over
/// the last committed state until the commit, which saves the old bytes in `ARCHIVE.journal` and
/// syncs it, applies the writes and syncs the archive, then deletes the journal (the commit). A
/// journal on disk with no writer running means a commit was cut short; rolling it back restores
/// the archive exactly as its last commit left it, which holds every generation finished before.
///
/// The journal is found through the file (every symbolic link resolved) and names the archive it
/// belongs to (an id in the file's user block, a checksum of its superblock): a journal of
/// another file is set aside (`NAME.journal.foreign`), never applied, never deleted.
///
/// Writers roll back when they open the file (the driver does it). Readers do it here, first
/// taking the writer lock so that no writer starts meanwhile.
public enum ArchiveJournal {
  /// The journal's path beside an archive (beside the file a symbolic link leads to).
  public static func path(of archivePath: String) -> String { ArchiveFiles.canonical(archivePath) + ".journal" }

  /// True if the archive's journal holds saved bytes: a writer is in the middle of a commit now,
  /// or was cut short in one.
  public static func isPending(_ archivePath: String) -> Bool { wann_journal_pending(archivePath) == 1 }

  /// Restores an archive whose writer was cut short in the middle of a commit, unless another
  /// process is writing it now (then the journal is that writer's, and readers retry instead).
  /// Returns true if it rolled back.
  @discardableResult
  public static func rollBackIfAWriterWasKilled(_ archivePath: String) throws -> Bool {
    guard isPending(archivePath), ArchiveLock.isHeld(archivePath) == nil else { return false }
    var lock: ArchiveLock?
    do { lock = try ArchiveLock(archivePath: archivePath, rollingBack: true) } catch ArchiveError.locked {
      // Either this process holds the lock (a writer reading before it writes), or a writer
      // started just now and rolled back itself.
      guard ArchiveLock.isHeld(archivePath) == nil else { return false }
    } catch {
      throw ArchiveError.rollBackFailed(archive: archivePath, why: "\(error)")
    }
    defer { lock?.release() }
    let status = wann_journal_roll_back(archivePath)
    if status == -2 {
      reportSetAside()
      return false
    }
    guard status >= 0 else {
      throw ArchiveError.rollBackFailed(archive: archivePath, why: String(cString: strerror(errno)))
    }
    return true
  }

  /// Says, in one line on standard error, that a journal of another file was set aside (by a
  /// roll-back on this thread since the last call), if one was.
  static func reportSetAside() {
    guard let notice = wann_journal_take_notice() else { return }
    FileHandle.standardError.write(Data("wann: warning: \(String(cString: notice))\n".utf8))
  }

  /// Waits (up to about 2 s) while another process is in the middle of a commit of the archive,
  /// so that a reader opens it between commits rather than in one. A reader inside the commit
  /// gate needs no wait (the writer applies nothing until it leaves; waiting would only hold up
  /// both).
  static func waitWhileAWriterFlushes(_ archivePath: String) {
    guard !ArchiveReadGate.isHeld(archivePath) else { return }
    var waited = 0
    while waited < 200, isPending(archivePath), ArchiveLock.isHeld(archivePath) != nil {
      usleep(10_000)
      waited += 1
    }
  }
}
