import Foundation
import WANNCore

/// Analysis results live beside the run they analyse, under the genome they belong to:
/// `analysis/GGGGGG-I/KIND/N` (KIND: profiles, conditions, classification, battery; N = 0, 1, ... in the
/// order they were made). Each result group is written once with `complete` = 1 last, like a
/// generation, so a crash mid-write leaves an ignorable group; nothing already stored is
/// replaced. Layout: docs/hdf5-schema.md.
extension ArchiveReader {
  /// The genome the run reported as its champion at the end of generation `g` (the champion so
  /// far), or nil before the first champion.
  public func champion(asOf g: Int) throws -> GenomeRef? {
    let group = try generationGroup(g)
    guard group.hasAttribute("champion_generation") else { return nil }
    return try readingArchive(path) {
      GenomeRef(
        generation: Int(try group.attribute("champion_generation", as: Int64.self)),
        index: Int(try group.attribute("champion_index", as: Int64.self)))
    }
  }

  /// The genome with the highest mean reward in generation `g`.
  public func bestIndex(generation g: Int) throws -> Int {
    let group = try generationGroup(g)
    return try readingArchive(path) { Int(try group.attribute("best_index", as: Int64.self)) }
  }

  /// Complete results of one kind stored for a genome, oldest first.
  public func results(_ kind: String, generation: Int, index: Int) throws -> [StoredResult] {
    try AnalysisStore.results(in: base, archive: path, kind, generation: generation, index: index)
  }

  /// Genomes of the run that have analysis results.
  public func analysedGenomes() throws -> [GenomeRef] {
    try AnalysisStore.analysedGenomes(in: base, archive: path)
  }
}

/// Writes analysis results into a run archive (opened for writing; `ArchiveReader` never
/// writes). Open it after any reader of the same file in this process is closed: HDF5 does not
/// open one file twice with different modes.
public final class AnalysisStore {
  public let path: String
  public let runName: String?
  let file: H5File
  let base: H5Location
  /// Our writer lock on the archive, held until `close()`.
  let lock: ArchiveLock

  public init(path: String, run: String? = nil) throws {
    self.path = path
    runName = run
    lock = try ArchiveLock(archivePath: path)
    (file, _, base) = try ArchiveReader.openRun(path: path, run: run, mode: .readWrite)
  }

  public func close() throws {
    defer { lock.release() }
    guard !file.isAbandoned else { return }
    try writingArchive(path) { try file.close() }
  }

  /// Runs a write; a failure abandons the file (`writingArchive(_:file:_:)`).
  private func writing<T>(_ body: () throws -> T) throws -> T { try writingArchive(path, file: file, body) }

  /// Complete results of one kind stored for a genome, oldest first.
  public func results(_ kind: String, generation: Int, index: Int) throws -> [StoredResult] {
    try Self.results(in: base, archive: path, kind, generation: generation, index: index)
  }

  /// Creates result group N+1 of `kind` for a genome: built unlinked, filled by `body`, marked
  /// complete and flushed, then linked under its number and flushed again (readers see all of
  /// it or nothing). Returns the group's path. Groups left incomplete by older versions are
  /// removed first.
  @discardableResult
  public func newResult(_ kind: String, generation: Int, index: Int, _ body: (ResultWriter) throws -> Void) throws
    -> String
  {
    try writing {
      try Self.newResult(in: base, file: file, archive: path, kind, generation: generation, index: index, body)
    }
  }

  /// Genomes of the run that have analysis results, as (generation, index).
  public func analysedGenomes() throws -> [GenomeRef] {
    try Self.analysedGenomes(in: base, archive: path)
  }

  /// `newResult` on any run location of a file open for writing (the store's, or a search's
  /// own writer analysing as it goes).
  static func newResult(
    in base: H5Location, file: H5File, archive path: String, _ kind: String, generation: Int, index: Int,
    _ body: (ResultWriter) throws -> Void
  ) throws -> String {
    let genomeName = ArchiveSchema.analysisName(generation: generation, index: index)
    // Result numbers continue after the complete ones; groups left incomplete by older
    // versions (which linked groups before writing them) are removed.
    var next = 0
    if let parent = try? base.openGroup(ArchiveSchema.analysisGroup).openGroup(genomeName).openGroup(kind) {
      for n in try parent.children() {
        guard let k = Int(n) else { continue }
        if !((try? parent.openGroup(n))?.hasAttribute("complete") ?? false) { try parent.delete(n); continue }
        next = max(next, k + 1)
      }
    }
    let names = [ArchiveSchema.analysisGroup, genomeName, kind, String(next)]
    let (group, pending) = try base.buildGroup(names) { position, g in
      if position == 1 {
        try g.setAttribute("generation", Int64(generation))
        try g.setAttribute("index", Int64(index))
      }
    }
    let location = ([base.path] + names).joined(separator: "/")
    try group.setAttribute("created", ArchiveWriter.timestamp())
    try group.setAttribute("software_version", WANNVersion.string)
    try body(ResultWriter(group: group, archive: path, path: location))
    try group.setAttribute("complete", Int8(1))
    // Linked, then committed in one flush: a commit is all or nothing (`ArchiveJournal`).
    try pending.commit()
    try file.flush()
    return location
  }

  static func analysedGenomes(in base: H5Location, archive: String) throws -> [GenomeRef] {
    try readingArchive(archive) {
      guard base.exists(ArchiveSchema.analysisGroup) else { return [] }
      return try base.openGroup(ArchiveSchema.analysisGroup).children().compactMap { name in
        let parts = name.split(separator: "-")
        guard parts.count == 2, let g = Int(parts[0]), let i = Int(parts[1]) else { return nil }
        return GenomeRef(generation: g, index: i)
      }
    }
  }

  static func results(in base: H5Location, archive: String, _ kind: String, generation: Int, index: Int) throws
    -> [StoredResult]
  {
    try readingArchive(archive) {
      let name = ArchiveSchema.analysisName(generation: generation, index: index)
      guard base.exists(ArchiveSchema.analysisGroup) else { return [] }
      let analysis = try base.openGroup(ArchiveSchema.analysisGroup)
      guard analysis.exists(name) else { return [] }
      let genome = try analysis.openGroup(name)
      guard genome.exists(kind) else { return [] }
      let parent = try genome.openGroup(kind)
      return try parent.children().compactMap { n -> (Int, StoredResult)? in
        guard let k = Int(n) else { return nil }
        let g = try parent.openGroup(n)
        return g.hasAttribute("complete") ? (k, StoredResult(group: g, archive: archive, path: g.path)) : nil
      }.sorted { $0.0 < $1.0 }.map(\.1)
    }
  }
}
