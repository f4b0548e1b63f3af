import Foundation
import Testing
@testable import WANNArchive

/// What a user reads when a write fails: the system's reason, never a guess.
@Suite struct ArchiveErrorTests {
  static let flushFailed = "cannot flush the archive"

  static func writeFailure(_ code: Int32?) -> String {
    "\(ArchiveError.writeFailed(archive: "runs/a.h5", cause: HDF5Error(operation: flushFailed, stack: ["driver write request failed (H5FD_write)"], systemError: code)))"
  }

  @Test func onlyASystemThatSaidSoIsCalledAFullDisk() {
    #expect(Self.writeFailure(ENOSPC).contains("the disk is full"))
    #expect(Self.writeFailure(EDQUOT).contains("quota"))
    for code in [EROFS, EACCES, EPERM, EIO, EFBIG, ENAMETOOLONG, EBADF] {
      let line = Self.writeFailure(code)
      #expect(!line.contains("disk is full") && !line.contains("quota"), "\(code): \(line)")
      #expect(line.contains("runs/a.h5") && line.contains("wann resume runs/a.h5"))
    }
    #expect(Self.writeFailure(EROFS).contains("read-only"))
    #expect(
      Self.writeFailure(EACCES).contains("permission denied") && Self.writeFailure(EACCES).contains("ls -ld runs"))
    #expect(Self.writeFailure(EIO).contains("I/O error"))
    // An errno HDF5 did not see: strerror's words.
    #expect(Self.writeFailure(EBADF).contains(String(cString: strerror(EBADF))))
    // Without a system error, HDF5's own stack is the reason, and no cause is invented.
    let insideHDF5 = Self.writeFailure(nil)
    #expect(insideHDF5.contains("H5FD_write") && !insideHDF5.contains("disk"))
  }

  @Test func aNewArchiveThatKeptNothingAdvisesNoResume() {
    let line =
      "\(ArchiveError.notCreated(archive: "a.h5", cause: HDF5Error(operation: Self.flushFailed, stack: [], systemError: ENOSPC)))"
    #expect(line.contains("Nothing was kept") && line.contains("the disk is full") && !line.contains("resume"))
  }

  @Test func aRefusedDriverNamesBothLibraryVersions() {
    let refused = HDF5Error(
      operation: "cannot use the journaling file driver", stack: ["wrong file driver version # (H5FDregister)"])
    let differing =
      "\(ArchiveError.incompatibleLibrary(archive: "a.h5", versions: ("1.10.8", "1.14.5"), cause: refused))"
    #expect(
      differing.contains("built against HDF5 1.10.8") && differing.contains("runs with HDF5 1.14.5")
        && !differing.contains("disk"))
    let same = "\(ArchiveError.incompatibleLibrary(archive: "a.h5", versions: ("1.14.5", "1.14.5"), cause: refused))"
    #expect(same.contains("(1.14.5) refused") && same.contains("rebuild wann"))
  }

  @Test func namesThatLeaveNoRoomForTheSidecarsAreRefused() throws {
    let folder = FileManager.default.temporaryDirectory.path
    let limit = Int(pathconf(folder, Int32(_PC_NAME_MAX)))
    let longest = limit - ArchiveFiles.longestSidecarSuffix.utf8.count
    try ArchiveFiles.checkNameLength(folder + "/" + String(repeating: "a", count: longest))
    #expect(throws: ArchiveError.self) {
      try ArchiveFiles.checkNameLength(folder + "/" + String(repeating: "a", count: longest + 1))
    }
  }
}
