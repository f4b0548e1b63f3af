import CArchiveJournal
import Foundation
import Testing
@testable import WANNArchive

/// The journal's roll-back on hand-made journals: what a killed writer can leave.
@Suite struct ArchiveJournalTests {
  static func fnv(_ bytes: [UInt8], _ seed: UInt64 = 14695981039346656037) -> UInt64 {
    var h = seed
    for b in bytes { h = (h ^ UInt64(b)) &* 1099511628211 }
    return h
  }
  static func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

  static func header(committed: UInt64) -> [UInt8] {
    let magic = Array("WANNJNL1".utf8)
    return magic + le(committed) + le(fnv(le(committed), fnv(magic)))
  }
  static func record(offset: UInt64, bytes: [UInt8]) -> [UInt8] {
    let head = le(offset) + le(UInt64(bytes.count))
    return head + le(fnv(bytes, fnv(head))) + bytes
  }

  @Test func restoresWholeRecordsCutsToTheCommittedLengthAndIgnoresACutShortLastRecord() throws {
    let path = ArchiveTests.tempPath("journal.bin")
    // The committed file was 16 bytes "AAAA...": a flush overwrote 4 bytes at 2 and 3 bytes at 10,
    // and grew the file; the kill came while the journal record for 10..<13 was being written,
    // so that range was never overwritten.
    var data = [UInt8](repeating: 0x41, count: 16)
    data.replaceSubrange(2..<6, with: [0x5A, 0x5A, 0x5A, 0x5A])
    data += [UInt8](repeating: 0x42, count: 9)
    try Data(data).write(to: URL(fileURLWithPath: path))
    let whole = Self.record(offset: 2, bytes: [0x41, 0x41, 0x41, 0x41])
    let cut = Array(Self.record(offset: 10, bytes: [0x41, 0x41, 0x41]).dropLast(2))
    try Data(Self.header(committed: 16) + whole + cut).write(to: URL(fileURLWithPath: ArchiveJournal.path(of: path)))
    #expect(ArchiveJournal.isPending(path))
    #expect(try ArchiveJournal.rollBackIfAWriterWasKilled(path))
    let restored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(restored == [UInt8](repeating: 0x41, count: 16))
    #expect(!FileManager.default.fileExists(atPath: ArchiveJournal.path(of: path)))
    #expect(!(try ArchiveJournal.rollBackIfAWriterWasKilled(path)))
  }

  @Test func aRecordWithABadChecksumEndsTheRollBackAndAJournalCutInItsHeaderChangesNothing() throws {
    let path = ArchiveTests.tempPath("journal2.bin")
    let original = [UInt8](repeating: 0x43, count: 12)
    try Data(original).write(to: URL(fileURLWithPath: path))
    var bad = Self.record(offset: 0, bytes: [0x44, 0x44])
    bad[bad.count - 1] ^= 1
    try Data(Self.header(committed: 8) + bad).write(to: URL(fileURLWithPath: ArchiveJournal.path(of: path)))
    #expect(wann_journal_roll_back(path) == 0)
    #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == Array(original.prefix(8)))
    // A header cut short: the writer died before its first overwrite; nothing to restore.
    try Data(Array(Self.header(committed: 4).prefix(20))).write(to: URL(fileURLWithPath: ArchiveJournal.path(of: path)))
    #expect(!ArchiveJournal.isPending(path))
    #expect(wann_journal_roll_back(path) == 0)
    #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == Array(original.prefix(8)))
    #expect(!FileManager.default.fileExists(atPath: ArchiveJournal.path(of: path)))
  }

  /// A journal of the current layout (WANNJNL2): bound to the archive id and to the checksum of
  /// the committed file's first `prefix` bytes.
  static func boundHeader(committed: UInt64, archiveID: UInt64, prefix: [UInt8]) -> [UInt8] {
    let head = Array("WANNJNL2".utf8) + le(committed) + le(archiveID) + le(UInt64(prefix.count)) + le(fnv(prefix))
    return head + le(fnv(head))
  }
  /// A file with a user block holding `archiveID`, then `body`.
  static func stamped(_ archiveID: UInt64, _ body: [UInt8]) -> [UInt8] { Array("WANNARCH".utf8) + le(archiveID) + body }

  @Test func aJournalBoundToThisArchiveIsApplied() throws {
    let path = ArchiveTests.tempPath("bound.bin")
    let committed = Self.stamped(7, [UInt8](repeating: 0x41, count: 16))
    var now = committed
    now.replaceSubrange(20..<24, with: [0x5A, 0x5A, 0x5A, 0x5A])  // the interrupted commit's change
    now += [0x42, 0x42]
    try Data(now).write(to: URL(fileURLWithPath: path))
    let journal =
      Self.boundHeader(committed: UInt64(committed.count), archiveID: 7, prefix: committed)
      + Self.record(offset: 20, bytes: [0x41, 0x41, 0x41, 0x41])
    try Data(journal).write(to: URL(fileURLWithPath: ArchiveJournal.path(of: path)))
    #expect(wann_journal_roll_back(path) == 1)
    #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == committed)
    #expect(!FileManager.default.fileExists(atPath: ArchiveJournal.path(of: path)))
  }

  @Test func aJournalOfAnotherArchiveIsSetAsideNeverApplied() throws {
    for (name, fileID, change) in [("id", UInt64(8), false), ("superblock", UInt64(7), true)] {
      let path = ArchiveTests.tempPath("foreign-\(name).bin")
      let journalPath = ArchiveJournal.path(of: path)
      try? FileManager.default.removeItem(atPath: journalPath + ".foreign")
      // The journal's archive, as committed, and the file now at its name (another archive, or
      // the same archive at another commit: its first bytes differ from what the journal saved).
      let committed = Self.stamped(7, [UInt8](repeating: 0x41, count: 16))
      var other = Self.stamped(fileID, [UInt8](repeating: 0x41, count: 16))
      if change { other[18] = 0x45 }
      try Data(other).write(to: URL(fileURLWithPath: path))
      let journal =
        Self.boundHeader(committed: UInt64(committed.count), archiveID: 7, prefix: committed)
        + Self.record(offset: 20, bytes: [0x41, 0x41, 0x41, 0x41])
      try Data(journal).write(to: URL(fileURLWithPath: journalPath))
      #expect(wann_journal_roll_back(path) == -2, "\(name)")
      let notice = wann_journal_take_notice().map { String(cString: $0) } ?? ""
      #expect(notice.contains("belongs to another file") && notice.contains(journalPath + ".foreign"), "\(notice)")
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == other)
      #expect(!FileManager.default.fileExists(atPath: journalPath))
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: journalPath + ".foreign"))) == journal)
    }
  }

  @Test func theCommitIntervalIsSecondsInRange() throws {
    #expect(try CommitInterval.parse(nil) == 0)
    #expect(try CommitInterval.parse("") == 0)
    #expect(try CommitInterval.parse("30") == 30)
    #expect(try CommitInterval.parse("0.5") == 0.5)
    for bad in ["soon", "-1", "nan", "inf", "86401"] {
      #expect(throws: ArchiveError.self) { try CommitInterval.parse(bad) }
    }
  }
}
