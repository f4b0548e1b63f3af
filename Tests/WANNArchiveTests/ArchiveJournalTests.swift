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
}
