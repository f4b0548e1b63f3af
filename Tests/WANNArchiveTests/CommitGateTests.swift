import CArchiveJournal
import Foundation
import Testing

@testable import WANNArchive

/// The commit gate (archive_lock.h): a commit waits for the reads in progress, and a read for the
/// commit being applied. The order of events is what is checked: without the gate, the waiting
/// side would go on at once, long before the other side's pause ends.
@Suite struct CommitGateTests {
  /// Events in the order they happened, from any thread.
  final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ event: String) {
      lock.lock()
      list.append(event)
      lock.unlock()
    }
    var all: [String] {
      lock.lock()
      defer { lock.unlock() }
      return list
    }
  }

  @Test func aCommitWaitsForTheReadInProgressAndAReadForTheCommit() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let archive = folder + "/run.h5"
    let lockPath = ArchiveFiles.canonical(archive) + ".lock"
    // No lock file: no writer, so no gate to take.
    #expect(wann_archive_gate_enter(lockPath, 0) == -1)
    #expect(FileManager.default.createFile(atPath: lockPath, contents: Data()))

    let reading = Events(), done = DispatchSemaphore(value: 0)
    ArchiveReadGate.holding(archive) {
      #expect(ArchiveReadGate.isHeld(archive))
      // A nested read shares the gate (a second one would queue behind the waiting writer).
      ArchiveReadGate.holding(archive) { reading.add("nested read") }
      DispatchQueue.global().async {
        let gate = wann_archive_gate_enter(lockPath, 1)
        reading.add(gate >= 0 ? "commit" : "commit without the gate")
        wann_archive_gate_leave(gate)
        done.signal()
      }
      usleep(300_000)
      reading.add("read done")
    }
    done.wait()
    #expect(reading.all == ["nested read", "read done", "commit"])
    #expect(!ArchiveReadGate.isHeld(archive))

    let committing = Events()
    let gate = wann_archive_gate_enter(lockPath, 1)
    #expect(gate >= 0)
    DispatchQueue.global().async {
      ArchiveReadGate.holding(archive) { committing.add("read") }
      done.signal()
    }
    usleep(300_000)
    committing.add("commit done")
    wann_archive_gate_leave(gate)
    done.wait()
    #expect(committing.all == ["commit done", "read"])
  }

  @Test func theGateWaitIsWholeMillisecondsInRange() throws {
    #expect(try CommitInterval.parseGateWait(nil) == nil)
    #expect(try CommitInterval.parseGateWait("") == nil)
    #expect(try CommitInterval.parseGateWait("0") == 0)
    #expect(try CommitInterval.parseGateWait("600000") == 600_000)
    for bad in ["-1", "1.5", "soon", "600001"] {
      #expect(throws: ArchiveError.self) { try CommitInterval.parseGateWait(bad) }
    }
  }
}
