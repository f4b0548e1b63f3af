import CArchiveJournal
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flushes that a killed writer left half done.
///
/// HDF5 writes a flush in place and in no crash-safe order: a kill between two of its writes can
/// leave a superblock that records a longer file than there is, or a link table that points at a
/// header chunk not yet written, and then the whole archive may not open. So every writer opens
/// archives through a journaling file driver (Sources/CArchiveJournal): before a flush overwrites
/// or cuts off a byte of the last committed state, the old bytes go to `ARCHIVE.journal`, and
/// deleting that file after the flush is the commit. A journal on disk with no writer running
/// means a writer died mid-flush; rolling it back restores the archive exactly as its last
/// commit left it, which holds every generation finished before the kill.
///
/// Writers roll back when they open the file (the driver does it). Readers do it here, first
/// taking the writer lock so that no writer starts meanwhile.
public enum ArchiveJournal {
  /// The journal's path beside an archive.
  public static func path(of archivePath: String) -> String { archivePath + ".journal" }

  /// True if the archive's journal holds saved bytes: a writer is in the middle of a flush now,
  /// or was killed in one.
  public static func isPending(_ archivePath: String) -> Bool { wann_journal_pending(archivePath) == 1 }

  /// Restores an archive whose writer was killed in the middle of a flush, unless another
  /// process is writing it now (then the journal is that writer's, and readers retry instead).
  /// Returns true if it rolled back.
  @discardableResult
  public static func rollBackIfAWriterWasKilled(_ archivePath: String) throws -> Bool {
    guard isPending(archivePath), ArchiveLock.isHeld(archivePath) == nil else { return false }
    var lock: ArchiveLock?
    do { lock = try ArchiveLock(archivePath: archivePath) } catch ArchiveError.locked {
      // Either this process holds the lock (a writer reading before it writes), or a writer
      // started just now and rolled back itself.
      guard ArchiveLock.isHeld(archivePath) == nil else { return false }
    } catch {
      throw ArchiveError.rollBackFailed(archivePath, "\(error)")
    }
    defer { lock?.release() }
    guard wann_journal_roll_back(archivePath) >= 0 else {
      throw ArchiveError.rollBackFailed(archivePath, String(cString: strerror(errno)))
    }
    return true
  }

  /// Waits (up to about 2 s) while another process is in the middle of a flush of the archive,
  /// so that a reader opens it between flushes rather than in one.
  static func waitWhileAWriterFlushes(_ archivePath: String) {
    var waited = 0
    while waited < 200, isPending(archivePath), ArchiveLock.isHeld(archivePath) != nil {
      usleep(10_000)
      waited += 1
    }
  }
}
