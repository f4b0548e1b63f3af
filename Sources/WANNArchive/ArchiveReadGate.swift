import CArchiveJournal
import Foundation

/// A reader's side of the commit gate (Sources/CArchiveJournal/include/archive_lock.h): while a
/// read holds it, the archive's writer applies no commit, and a read waits for a commit being
/// applied. HDF5 caches what it has read of a file; a commit that changed bytes under an open
/// reader could leave that cache pointing at structures that moved, and HDF5 can then fail or,
/// rarely, crash inside (a "double free" in a reader of a running search). A read is one unit: an
/// open, its reads, its close, so no cache outlives the gate it was filled under.
///
/// Nested reads of one archive on one thread share the outer read's gate (a second shared lock
/// would wait behind a writer waiting for the first). A process that writes the archive itself
/// takes no gate: its own commits come between its reads.
enum ArchiveReadGate {
  /// The gates this thread holds, by lock file path.
  private final class Held {
    var gates: [String: (fd: Int32, depth: Int)] = [:]
  }
  private static let threadKey = "wann.archive-read-gate"

  private static var held: Held {
    let dictionary = Thread.current.threadDictionary
    if let held = dictionary[threadKey] as? Held { return held }
    let held = Held()
    dictionary[threadKey] = held
    return held
  }

  /// Whether this thread holds the gate of the archive at `archivePath`.
  static func isHeld(_ archivePath: String) -> Bool {
    held.gates[ArchiveFiles.canonical(archivePath) + ".lock"] != nil
  }

  /// Runs `read` holding the gate of the archive at `archivePath`. Without a gate to take (no
  /// writer has the archive, or this process is its writer) or after waiting it out (about 10 s,
  /// `WANN_COMMIT_GATE_WAIT_MS`), `read` runs anyway, as it would have before the gate.
  static func holding<T>(_ archivePath: String, _ read: () throws -> T) rethrows -> T {
    let lockPath = ArchiveFiles.canonical(archivePath) + ".lock"
    let held = held
    if let gate = held.gates[lockPath] {
      held.gates[lockPath] = (gate.fd, gate.depth + 1)
    } else {
      guard !ArchiveLock.isHeldHere(archivePath) else { return try read() }
      let fd = wann_archive_gate_enter(lockPath, 0)
      guard fd >= 0 else { return try read() }
      held.gates[lockPath] = (fd, 1)
    }
    defer {
      if let gate = held.gates[lockPath] {
        if gate.depth > 1 {
          held.gates[lockPath] = (gate.fd, gate.depth - 1)
        } else {
          held.gates[lockPath] = nil
          wann_archive_gate_leave(gate.fd)
        }
      }
    }
    return try read()
  }
}
