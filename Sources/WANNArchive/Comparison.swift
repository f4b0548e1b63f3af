import Foundation
import WANNCore
import WANNTasks

/// One condition of a comparison: a search space and its name.
public struct ComparisonCondition: Sendable, Equatable {
  public let name: String
  public let space: SearchSpace

  public static let all: [ComparisonCondition] = [
    ComparisonCondition(name: "feedForward", space: .feedForward),
    ComparisonCondition(name: "recurrent", space: SearchSpace(recurrent: true)),
    ComparisonCondition(name: "outputToOutput", space: SearchSpace(outputToOutput: true)),
    ComparisonCondition(name: "both", space: SearchSpace(recurrent: true, outputToOutput: true)),
  ]

  public static func named(_ name: String) -> ComparisonCondition? {
    let aliases = ["ff": "feedForward", "o2o": "outputToOutput", "recurrent+outputToOutput": "both"]
    let n = aliases[name] ?? name
    return all.first { $0.name == n }
  }
}

/// The final scores of a comparison and its rank tests.
public struct SpaceComparison: Sendable, Codable, Equatable {
  public struct Row: Sendable, Codable, Equatable {
    public var condition: String
    public var runs: Int
    public var mean: Double
    public var ci95: Double
    public var median: Double
    public var scores: [Double]
  }
  public struct Test: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var u: Double
    public var p: Double
  }
  public var task: String
  public var generations: Int
  public var population: Int
  public var trials: Int
  public var rows: [Row]
  public var tests: [Test]

  public init(task: String, generations: Int, population: Int, trials: Int, scores: [(String, [Double])]) {
    self.task = task
    self.generations = generations
    self.population = population
    self.trials = trials
    rows = scores.map { name, s in
      let ci = Statistics.confidenceInterval95(s)
      return Row(condition: name, runs: s.count, mean: ci.mean, ci95: ci.halfWidth, median: Statistics.median(s), scores: s)
    }
    var tests: [Test] = []
    for i in scores.indices {
      for j in scores.indices where j > i {
        let (u, p) = Statistics.mannWhitneyU(scores[i].1, scores[j].1)
        tests.append(Test(a: scores[i].0, b: scores[j].0, u: u, p: p))
      }
    }
    self.tests = tests
  }
}

/// Writes a comparison archive: one run group per condition and seed under /runs, and the
/// final scores and tests under /comparison.
public final class MultiRunWriter {
  public let path: String
  let file: H5File

  /// Reopens a multi-run archive to add runs (`wann experiment run` resuming).
  public init(appendingTo path: String) throws {
    self.path = path
    do { file = try H5File(path: path, mode: .readWrite) } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Removes a run group (an unfinished run about to be redone).
  public func removeRun(named name: String) throws {
    do {
      guard file.exists(file.runsGroupName) else { return }
      let runs = try file.openGroup(file.runsGroupName)
      if runs.exists(name) { try runs.delete(name) }
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// Creates an experiment archive (kind "experiment") holding the definition's text.
  public init(creatingExperiment path: String, task: TaskKind, definition: String, force: Bool) throws {
    self.path = path
    do {
      file = try H5File.createArchive(path, force: force)
      try ArchiveWriter.writeFormat(file, kind: "experiment")
      try file.setAttribute("task", task.rawValue)
      try file.setAttribute("experiment_toml", definition)
      try file.setAttribute("start_time", ArchiveWriter.timestamp())
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  public init(creating path: String, task: TaskKind, conditions: [String], seeds: [UInt64], force: Bool) throws {
    self.path = path
    do {
      file = try H5File.createArchive(path, force: force)
      try ArchiveWriter.writeFormat(file, kind: "comparison")
      try file.setAttribute("task", task.rawValue)
      try file.setAttribute("conditions", conditions.joined(separator: ","))
      try file.setAttribute("seeds", array: seeds)
      try file.setAttribute("start_time", ArchiveWriter.timestamp())
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }

  /// A writer for one run of the comparison.
  public func run(named name: String, config: SearchConfig, task: any WANNTask) throws -> ArchiveWriter {
    try ArchiveWriter(file: file, path: path, runName: name, config: config, task: task)
  }

  /// Stores the final champion scores (run x trial-mean) and the rank tests.
  public func finish(_ result: SpaceComparison, runNames: [[String]]) throws {
    do {
      let g = try file.createGroup(ArchiveSchema.comparisonGroup)
      var condition: [Int32] = [], run: [Int32] = [], score: [Double] = []
      for (c, row) in result.rows.enumerated() {
        for (r, s) in row.scores.enumerated() {
          condition.append(Int32(c)); run.append(Int32(r)); score.append(s)
        }
      }
      try g.writeTable("scores", [.int32("condition", condition), .int32("run", run), .float64("score", score)])
      try g.setAttribute("conditions", result.rows.map(\.condition).joined(separator: ","))
      try g.setAttribute("run_names", runNames.flatMap { $0 }.joined(separator: ","))
      try g.setAttribute("trials", Int64(result.trials))
      try g.setAttribute("score", "mean reward of each run's final champion over trials x weights on common episodes")
      let names = result.rows.map(\.condition)
      try g.writeTable("tests", [
        .int32("a", result.tests.map { Int32(names.firstIndex(of: $0.a)!) }),
        .int32("b", result.tests.map { Int32(names.firstIndex(of: $0.b)!) }),
        .float64("u", result.tests.map(\.u)), .float64("p", result.tests.map(\.p)),
      ])
      try file.setAttribute("end_time", ArchiveWriter.timestamp())
      try file.flush()
    } catch let e as HDF5Error {
      throw ArchiveError.unreadable(path, e)
    }
  }
}

/// Reads a comparison archive: its runs, and its final scores per condition when finished.
public struct MultiRunReader {
  public let runs: [String]
  public let isComparison: Bool
  /// "run", "comparison" or "experiment".
  public let kind: String
  public let task: String?
  /// The experiment definition of an experiment archive.
  public let experimentTOML: String?
  /// (condition, final champion scores in run order); empty while the comparison is unfinished.
  public let scores: [(String, [Double])]

  public init(path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.notFound(path) }
    guard H5File.isHDF5(path) else { throw ArchiveError.notHDF5(path) }
    do {
      let file = try H5File(path: path, mode: .readOnly)
      guard (try? file.stringAttribute("format")) == ArchiveSchema.format else { throw ArchiveError.foreign(path) }
      kind = (try? file.stringAttribute("kind")) ?? "run"
      isComparison = kind == "comparison"
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
      throw ArchiveError.unreadable(path, e)
    }
  }
}
