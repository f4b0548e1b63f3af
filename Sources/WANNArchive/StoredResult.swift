/// A stored group of results opened for reading: an analysis result under a genome, or a run's
/// test battery. The archive stores tables and arrays; what they mean is the caller's business
/// (WANNExperiments maps profiles, conditions, classification reports and batteries onto them).
public struct StoredResult {
  let group: H5Location
  let archive: String
  /// The group's path in the file, e.g. /analysis/000012-3/profiles/0.
  public let path: String

  public func double(_ name: String) throws -> Double { try readingArchive(archive) { try group.attribute(name) } }
  public func int64(_ name: String) throws -> Int64 { try readingArchive(archive) { try group.attribute(name) } }
  public func uint64(_ name: String) throws -> UInt64 { try readingArchive(archive) { try group.attribute(name) } }
  public func string(_ name: String) throws -> String {
    try readingArchive(archive) { try group.stringAttribute(name) }
  }

  public func doubles(_ dataset: String) throws -> [Double] {
    try readingArchive(archive) { try group.readArray(dataset) }
  }
  public func column(_ table: String, _ field: String) throws -> [Double] {
    try readingArchive(archive) { try group.readColumn(table, field) }
  }
}

/// A new group of results being written (see `AnalysisStore.newResult`,
/// `ArchiveWriter.writeEvaluation`): attributes, N-d arrays and tables, each written once.
public struct ResultWriter {
  let group: H5Location
  let archive: String
  public let path: String

  public func set(_ name: String, _ value: Double) throws {
    try writingArchive(archive) { try group.setAttribute(name, value) }
  }
  public func set(_ name: String, _ value: Int64) throws {
    try writingArchive(archive) { try group.setAttribute(name, value) }
  }
  public func set(_ name: String, _ value: UInt64) throws {
    try writingArchive(archive) { try group.setAttribute(name, value) }
  }
  public func set(_ name: String, _ value: Int8) throws {
    try writingArchive(archive) { try group.setAttribute(name, value) }
  }
  public func set(_ name: String, _ value: String) throws {
    try writingArchive(archive) { try group.setAttribute(name, value) }
  }

  /// An N-d array (row-major `values` of `shape`), gzip-compressed when `compress` and large,
  /// with what it holds and its axes' names (`DatasetDescription`): a coordinate (a 1-d
  /// dataset along its own name) must be written before the datasets that name it.
  public func write(
    _ name: String, _ values: [Double], shape: [Int], compress: Bool = true, _ about: DatasetDescription
  ) throws {
    try writingArchive(archive) { try group.writeArray(name, values, shape: shape, compress: compress, about) }
  }
  public func write(_ name: String, _ values: [Int64], shape: [Int], compress: Bool = true, _ about: DatasetDescription)
    throws
  {
    try writingArchive(archive) { try group.writeArray(name, values, shape: shape, compress: compress, about) }
  }
  public func write(
    _ name: String, _ values: [UInt64], shape: [Int], compress: Bool = true, _ about: DatasetDescription
  ) throws {
    try writingArchive(archive) { try group.writeArray(name, values, shape: shape, compress: compress, about) }
  }
  public func table(_ name: String, _ columns: [ArchiveColumn], compress: Bool = true, _ about: DatasetDescription)
    throws
  {
    try writingArchive(archive) { try group.writeTable(name, columns, compress: compress, about) }
  }
}
