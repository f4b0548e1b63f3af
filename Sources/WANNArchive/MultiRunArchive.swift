import Foundation
import WANNCore

/// Writes a comparison archive: one run group per condition and seed under /runs, and the
/// final scores and tests under /comparison.
public final class MultiRunWriter {
  public let path: String
  let file: H5File
  /// Our writer lock on the archive, held until `close()`.
  let lock: ArchiveLock

  /// Reopens a multi-run archive to add runs (`wann experiment run` resuming).
  public init(appendingTo path: String) throws {
    self.path = path
    lock = try ArchiveLock(archivePath: path)
    do { file = try H5File(path: path, mode: .readWrite) } catch let e as HDF5Error {
      throw ArchiveError.notWritable(archive: path, cause: e)
    }
  }

  /// Closes the archive (and with it every run writer made by `run(named:...)`), renaming a new
  /// archive over its final name if no run has done so yet.
  public func close() throws {
    defer { lock.release() }
    guard !file.isAbandoned else { return }
    try writingArchive(path, file: file) {
      try file.commitPendingRename()
      try file.close()
    }
  }

  /// Closes a new archive without giving it its final name, removing the temporary file (a
  /// merge that failed part way leaves nothing behind); an archive that already has its name is
  /// closed as it is.
  public func discard() {
    defer { lock.release() }
    guard !file.isAbandoned else { return }
    let pending = file.pendingRename
    try? file.close()
    if let pending { try? FileManager.default.removeItem(atPath: pending.from) }
  }

  /// Removes a run group (an unfinished run about to be redone).
  public func removeRun(named name: String) throws {
    try writingArchive(path, file: file) {
      guard file.exists(file.runsGroupName) else { return }
      let runs = try file.openGroup(file.runsGroupName)
      if runs.exists(name) { try runs.delete(name) }
      try file.flush()
    }
  }

  /// Replaces the stored experiment definition (a continued experiment whose grid grew).
  public func setExperimentDefinition(_ definition: String) throws {
    try writingArchive(path, file: file) {
      try file.setAttribute("experiment_toml", definition)
      try file.flush()
    }
  }

  /// Creates an experiment archive (kind "experiment") holding the definition's text; `shard`
  /// ("K/N") marks an archive that holds one shard's share of the grid.
  public convenience init(
    creatingExperiment path: String, task: TaskKind, definition: String, shard: String? = nil, force: Bool
  ) throws {
    try self.init(creating: path, kind: .experiment, task: task, force: force) { file in
      try file.setAttribute("experiment_toml", definition)
      if let shard { try file.setAttribute("shard", shard) }
    }
  }

  /// Creates a comparison archive (kind "comparison") for `conditions` x `seeds` of the base
  /// config `baseConfigTOML`, final champions scored on `trials` episodes per weight.
  public convenience init(
    creating path: String, task: TaskKind, conditions: [String], seeds: [UInt64],
    baseConfigTOML: String? = nil, trials: Int? = nil, shard: String? = nil, force: Bool
  ) throws {
    try self.init(creating: path, kind: .comparison, task: task, force: force) { file in
      try file.setAttribute("conditions", conditions.joined(separator: ","))
      try file.setAttribute("seeds", array: seeds)
      if let baseConfigTOML { try file.setAttribute("base_config_toml", baseConfigTOML) }
      if let trials { try file.setAttribute("trials", Int64(trials)) }
      if let shard { try file.setAttribute("shard", shard) }
    }
  }

  /// Replaces a comparison's grid (a continued comparison with more seeds or conditions).
  public func setComparisonGrid(conditions: [String], seeds: [UInt64]) throws {
    try writingArchive(path, file: file) {
      try file.setAttribute("conditions", conditions.joined(separator: ","))
      try file.setAttribute("seeds", array: seeds)
      try file.flush()
    }
  }

  /// Copies run `name` of the multi-run archive `source` into this archive, unchanged: every
  /// dataset's bytes as stored (the merge of grid shards).
  public func copyRun(named name: String, from source: String) throws {
    let shard = try ArchiveReader.openFile(path: source, mode: .readOnly)
    defer { try? shard.close() }
    let from: H5Group
    do { from = try shard.openGroup(shard.runsGroupName) } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: source, cause: e)
    }
    try writingArchive(path, file: file) {
      let runs =
        file.exists(file.runsGroupName)
        ? try file.openGroup(file.runsGroupName) : try file.createGroup(file.runsGroupName)
      if runs.exists(name) { try runs.delete(name) }
      try from.copy(name, to: runs, as: name)
      try file.flush()
    }
  }

  /// Removes a finished comparison's table (a comparison continued with a grown grid).
  public func removeComparisonTable() throws {
    try writingArchive(path, file: file) {
      if file.exists(ArchiveSchema.comparisonGroup) { try file.delete(ArchiveSchema.comparisonGroup) }
      try file.flush()
    }
  }

  /// Creates a multi-run archive of `kind`; `attributes` adds the kind's own root attributes.
  init(creating path: String, kind: ArchiveKind, task: TaskKind, force: Bool, attributes: (H5File) throws -> Void)
    throws
  {
    self.path = path
    lock = try ArchiveLock(archivePath: path, creating: true)
    file = try H5File.createArchive(path, force: force, lock: lock) { file in
      try ArchiveWriter.writeFormat(file, kind: kind)
      try file.setAttribute("task", task.rawValue)
      try attributes(file)
      try file.setAttribute("start_time", ArchiveWriter.timestamp())
    }
  }

  /// A writer for one run of the archive; `inputLabels`/`outputLabels` name the task's I/O.
  public func run(
    named name: String, config: SearchConfig, inputLabels: [String], outputLabels: [String],
    environment: String? = nil
  ) throws -> ArchiveWriter {
    try ArchiveWriter(
      file: file, path: path, runName: name, config: config, inputLabels: inputLabels, outputLabels: outputLabels,
      environment: environment)
  }

  /// One rank test between two conditions (indices into the conditions), its p corrected for
  /// all pairs (Holm), and its effect sizes.
  public struct StoredTest {
    public var a: Int, b: Int, u: Double, p: Double
    public var pHolm: Double, cliffsDelta: Double, medianDifference: Double, medianDifferenceLow: Double,
      medianDifferenceHigh: Double
    public init(
      a: Int, b: Int, u: Double, p: Double, pHolm: Double = .nan, cliffsDelta: Double = .nan,
      medianDifference: Double = .nan,
      medianDifferenceLow: Double = .nan, medianDifferenceHigh: Double = .nan
    ) {
      self.a = a
      self.b = b
      self.u = u
      self.p = p
      self.pHolm = pHolm
      self.cliffsDelta = cliffsDelta
      self.medianDifference = medianDifference
      self.medianDifferenceLow = medianDifferenceLow
      self.medianDifferenceHigh = medianDifferenceHigh
    }
  }

  /// Stores a comparison's result: per condition, each run's final champion score (run order),
  /// the runs' names, the trials behind each score, and the rank tests.
  public func finishComparison(
    conditions: [String], scores: [[Double]], runNames: [String], trials: Int, tests: [StoredTest]
  ) throws {
    try writingArchive(path, file: file) {
      let g = try file.createGroup(ArchiveSchema.comparisonGroup)
      var condition: [Int32] = [], run: [Int32] = [], score: [Double] = []
      for (c, row) in scores.enumerated() {
        for (r, s) in row.enumerated() {
          condition.append(Int32(c)); run.append(Int32(r)); score.append(s)
        }
      }
      try g.writeTable(
        "scores", [.int32("condition", condition), .int32("run", run), .float64("score", score)],
        ArchiveSchema.comparisonScores)
      try g.setAttribute("conditions", conditions.joined(separator: ","))
      try g.setAttribute("run_names", runNames.joined(separator: ","))
      try g.setAttribute("trials", Int64(trials))
      try g.setAttribute("score", "mean reward of each run's final champion over trials x weights on common episodes")
      try g.writeTable(
        "tests",
        [
          .int32("a", tests.map { Int32($0.a) }), .int32("b", tests.map { Int32($0.b) }),
          .float64("u", tests.map(\.u)), .float64("p", tests.map(\.p)), .float64("p_holm", tests.map(\.pHolm)),
          .float64("cliffs_delta", tests.map(\.cliffsDelta)),
          .float64("median_difference", tests.map(\.medianDifference)),
          .float64("median_difference_low", tests.map(\.medianDifferenceLow)),
          .float64("median_difference_high", tests.map(\.medianDifferenceHigh)),
        ], ArchiveSchema.comparisonTests)
      try file.setAttribute("end_time", ArchiveWriter.timestamp())
      try file.flush()
    }
  }
}

/// Reads a comparison archive: its runs, and its final scores per condition when finished.
public struct MultiRunReader {
  public let runs: [String]
  public let isComparison: Bool
  public let kind: ArchiveKind
  public let task: String?
  /// The experiment definition of an experiment archive.
  public let experimentTOML: String?
  /// (condition, final champion scores in run order); empty while the comparison is unfinished.
  public let scores: [(String, [Double])]
  /// A comparison's grid: its conditions and seeds, the base config's TOML and the trials per
  /// weight of the final scoring (the last two absent in archives older than 0.7).
  public let conditions: [String]
  public let seeds: [UInt64]
  public let baseConfigTOML: String?
  public let trials: Int?
  /// "K/N" when the archive holds shard K of N of its grid (`--shard`).
  public let shard: String?

  public init(path: String) throws {
    self = try ArchiveReader.retryingWhileAnotherWriterFlushes(path) { try MultiRunReader(loading: path) }
  }

  init(loading path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.notFound(archive: path) }
    guard H5File.isHDF5(path) else { throw ArchiveError.notHDF5(archive: path) }
    let file = try ArchiveReader.openFile(path: path, mode: .readOnly)
    defer { try? file.close() }
    do {
      guard (try? file.stringAttribute("format")) == ArchiveSchema.format else {
        throw ArchiveError.foreign(archive: path)
      }
      kind = (try? file.stringAttribute("kind")).flatMap(ArchiveKind.init(rawValue:)) ?? .run
      isComparison = kind == .comparison
      task = try? file.stringAttribute("task")
      experimentTOML = try? file.stringAttribute("experiment_toml")
      runs = file.exists(file.runsGroupName) ? try file.openGroup(file.runsGroupName).children() : []
      conditions = ((try? file.stringAttribute("conditions")) ?? "").split(separator: ",").map(String.init)
      seeds = (try? file.attributeArray("seeds", as: UInt64.self)) ?? []
      baseConfigTOML = try? file.stringAttribute("base_config_toml")
      trials = (try? file.attribute("trials", as: Int64.self)).map(Int.init)
      shard = try? file.stringAttribute("shard")
      var scores: [(String, [Double])] = []
      if file.exists(ArchiveSchema.comparisonGroup) {
        let g = try file.openGroup(ArchiveSchema.comparisonGroup)
        let names = try g.stringAttribute("conditions").split(separator: ",").map(String.init)
        let condition: [Int32] = try g.readColumn("scores", "condition")
        let score: [Double] = try g.readColumn("scores", "score")
        scores = names.map { ($0, [Double]()) }
        for (c, s) in zip(condition, score) where scores.indices.contains(Int(c)) { scores[Int(c)].1.append(s) }
      }
      self.scores = scores
    } catch let e as HDF5Error {
      throw ArchiveError.readFailed(archive: path, cause: e)
    }
  }
}
