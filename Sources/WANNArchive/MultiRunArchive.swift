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
      throw ArchiveError.notWritable(path, e)
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

  /// Creates an experiment archive (kind "experiment") holding the definition's text.
  public convenience init(creatingExperiment path: String, task: TaskKind, definition: String, force: Bool) throws {
    try self.init(creating: path, kind: .experiment, task: task, force: force) { file in
      try file.setAttribute("experiment_toml", definition)
    }
  }

  /// Creates a comparison archive (kind "comparison") for `conditions` x `seeds`.
  public convenience init(creating path: String, task: TaskKind, conditions: [String], seeds: [UInt64], force: Bool) throws {
    try self.init(creating: path, kind: .comparison, task: task, force: force) { file in
      try file.setAttribute("conditions", conditions.joined(separator: ","))
      try file.setAttribute("seeds", array: seeds)
    }
  }

  /// Creates a multi-run archive of `kind`; `attributes` adds the kind's own root attributes.
  init(creating path: String, kind: ArchiveKind, task: TaskKind, force: Bool, attributes: (H5File) throws -> Void) throws {
    self.path = path
    lock = try ArchiveLock(archivePath: path)
    file = try writingArchive(path) {
      let file = try H5File.createArchive(path, force: force)
      try ArchiveWriter.writeFormat(file, kind: kind)
      try file.setAttribute("task", task.rawValue)
      try attributes(file)
      try file.setAttribute("start_time", ArchiveWriter.timestamp())
      try file.flush()
      return file
    }
  }

  /// A writer for one run of the archive; `inputLabels`/`outputLabels` name the task's I/O.
  public func run(named name: String, config: SearchConfig, inputLabels: [String], outputLabels: [String]) throws -> ArchiveWriter {
    try ArchiveWriter(file: file, path: path, runName: name, config: config, inputLabels: inputLabels, outputLabels: outputLabels)
  }

  /// One rank test between two conditions (indices into the conditions).
  public struct StoredTest {
    public var a: Int, b: Int, u: Double, p: Double
    public init(a: Int, b: Int, u: Double, p: Double) {
      self.a = a
      self.b = b
      self.u = u
      self.p = p
    }
  }

  /// Stores a comparison's result: per condition, each run's final champion score (run order),
  /// the runs' names, the trials behind each score, and the rank tests.
  public func finishComparison(conditions: [String], scores: [[Double]], runNames: [String], trials: Int, tests: [StoredTest]) throws {
    try writingArchive(path, file: file) {
      let g = try file.createGroup(ArchiveSchema.comparisonGroup)
      var condition: [Int32] = [], run: [Int32] = [], score: [Double] = []
      for (c, row) in scores.enumerated() {
        for (r, s) in row.enumerated() {
          condition.append(Int32(c)); run.append(Int32(r)); score.append(s)
        }
      }
      try g.writeTable("scores", [.int32("condition", condition), .int32("run", run), .float64("score", score)])
      try g.setAttribute("conditions", conditions.joined(separator: ","))
      try g.setAttribute("run_names", runNames.joined(separator: ","))
      try g.setAttribute("trials", Int64(trials))
      try g.setAttribute("score", "mean reward of each run's final champion over trials x weights on common episodes")
      try g.writeTable("tests", [
        .int32("a", tests.map { Int32($0.a) }), .int32("b", tests.map { Int32($0.b) }),
        .float64("u", tests.map(\.u)), .float64("p", tests.map(\.p)),
      ])
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

  public init(path: String) throws {
    self = try ArchiveReader.retryingWhileAnotherWriterFlushes(path) { try MultiRunReader(loading: path) }
  }

  init(loading path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.notFound(path) }
    guard H5File.isHDF5(path) else { throw ArchiveError.notHDF5(path) }
    let file = try ArchiveReader.openFile(path: path, mode: .readOnly)
    defer { try? file.close() }
    do {
      guard (try? file.stringAttribute("format")) == ArchiveSchema.format else { throw ArchiveError.foreign(path) }
      kind = (try? file.stringAttribute("kind")).flatMap(ArchiveKind.init(rawValue:)) ?? .run
      isComparison = kind == .comparison
      task = try? file.stringAttribute("task")
      experimentTOML = try? file.stringAttribute("experiment_toml")
      runs = file.exists(file.runsGroupName) ? try file.openGroup(file.runsGroupName).children() : []
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
      throw ArchiveError.readFailed(path, e)
    }
  }
}
