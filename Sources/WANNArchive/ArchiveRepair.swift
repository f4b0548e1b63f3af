import CHDF5
import Foundation

/// Rebuilds a run archive without the generation groups an older wann left half-written on a
/// full disk (their link was flushed, their header was not). HDF5 can neither open nor delete
/// such a link in place, so everything else is copied into a fresh file (`H5Ocopy`, attributes
/// byte for byte), which then replaces the damaged one. Used by `wann resume` (via
/// `ArchiveWriter(appendingTo:)`) before it continues the run.
enum ArchiveRepair {
  /// Generation groups that do not open, each with HDF5's reason.
  static func unopenableGenerations(_ path: String) throws -> [(name: String, reason: String)] {
    let file = try ArchiveReader.openFile(path: path, mode: .readOnly)
    defer { try? file.close() }
    return try readingArchive(path) {
      guard file.exists(ArchiveSchema.generationsGroup) else { return [] }
      let gens = try file.openGroup(ArchiveSchema.generationsGroup)
      return try gens.children().compactMap { name in
        do { _ = try gens.openGroup(name); return nil } catch { return (name, "\(error)") }
      }
    }
  }

  /// True for the mark of a group an older wann cut short on a full disk: its object header
  /// lies beyond the end of the file that the superblock records. Other damage (checksums,
  /// flipped bits) is not repaired: copying damaged objects can crash HDF5 itself.
  static func isCutShortOnFullDisk(_ reason: String) -> Bool {
    reason.contains("EOA")
  }

  /// Copies the archive at `path` without the generation groups `dropping` into
  /// `PATH.partial`, then renames it over `path`.
  static func rebuild(_ path: String, dropping: [String]) throws {
    let partial = ArchiveFiles.partialPath(path)
    try writingArchive(path) {
      let source = try ArchiveReader.openFile(path: path, mode: .readOnly)
      defer { try? source.close() }
      if FileManager.default.fileExists(atPath: partial) { try FileManager.default.removeItem(atPath: partial) }
      let target = try H5File(path: partial, mode: .create)
      let sourceRoot = try rootGroup(source), targetRoot = try rootGroup(target)
      try copyAttributes(from: sourceRoot.id, to: targetRoot.id)
      for name in try source.children() where name != ArchiveSchema.generationsGroup {
        try H5.check(H5Ocopy(source.object.id, name, target.object.id, name, wann_h5p_default(), wann_h5p_default()), "cannot copy /\(name)")
      }
      if source.exists(ArchiveSchema.generationsGroup) {
        let from = try source.openGroup(ArchiveSchema.generationsGroup)
        let to = try target.createGroup(ArchiveSchema.generationsGroup)
        try copyAttributes(from: from.object.id, to: to.object.id)
        for name in try from.children() where !dropping.contains(name) {
          try H5.check(H5Ocopy(from.object.id, name, to.object.id, name, wann_h5p_default(), wann_h5p_default()),
                       "cannot copy /generations/\(name)")
        }
      }
      try target.flush()
      try target.close()
    }
    guard rename(partial, path) == 0 else {
      throw ArchiveError.writeFailed(path, HDF5Error(operation: "cannot rename \(partial) to \(path): \(String(cString: strerror(errno)))", stack: []))
    }
  }

  static func rootGroup(_ file: H5File) throws -> H5Object {
    H5Object(try H5.check(id: H5Gopen2(file.object.id, "/", wann_h5p_default()), "cannot open /"), closer: H5Gclose)
  }

  /// Copies every attribute of one object to another, in its own type and shape.
  static func copyAttributes(from source: hid_t, to target: hid_t) throws {
    let count = H5Aget_num_attrs(source)
    guard count >= 0 else { throw HDF5Error(operation: "cannot count attributes", stack: H5.errorStack()) }
    for i in 0..<Int(count) {
      // Creation order is tracked only when asked for; name order always works.
      let id = H5Aopen_by_idx(source, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), wann_h5p_default(), wann_h5p_default())
      let attr = H5Object(try H5.check(id: id, "cannot open attribute \(i)"), closer: H5Aclose)
      let nameLength = H5Aget_name(attr.id, 0, nil)
      var nameBuffer = [CChar](repeating: 0, count: max(Int(nameLength) + 1, 1))
      _ = H5Aget_name(attr.id, nameBuffer.count, &nameBuffer)
      let name = String(decoding: nameBuffer.prefix(Int(nameLength)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let type = H5Object(try H5.check(id: H5Aget_type(attr.id), "attribute type"), closer: H5Tclose)
      let space = H5Object(try H5.check(id: H5Aget_space(attr.id), "attribute space"), closer: H5Sclose)
      let n = max(Int(H5Sget_simple_extent_npoints(space.id)), 1)
      var buffer = [UInt8](repeating: 0, count: n * max(H5Tget_size(type.id), 1))
      try H5.check(H5Aread(attr.id, type.id, &buffer), "cannot read attribute \(name)")
      let copy = H5Object(try H5.check(id: H5Acreate2(target, name, type.id, space.id, wann_h5p_default(), wann_h5p_default()),
                                       "cannot create attribute \(name)"), closer: H5Aclose)
      try H5.check(H5Awrite(copy.id, type.id, &buffer), "cannot write attribute \(name)")
      if H5Tis_variable_str(type.id) > 0 || H5Tdetect_class(type.id, H5T_VLEN) > 0 {
        _ = H5Dvlen_reclaim(type.id, space.id, wann_h5p_default(), &buffer)
      }
    }
  }
}
