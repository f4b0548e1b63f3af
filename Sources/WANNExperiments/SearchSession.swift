import Foundation
import WANNArchive
import WANNCore
import WANNTasks

/// A search with what it writes: the run archive (every generation, flushed as it finishes) and
/// optionally a JSON copy of the champion, kept current. The loop shared by `wann search`,
/// `wann resume` and the runs of experiment grids and comparisons; callers only print.
public struct SearchSession {
  public private(set) var run: SearchRun
  public let archive: ArchiveWriter?
  /// Where the champion's JSON document is rewritten whenever a new champion is accepted.
  public let championPath: String?
  /// The per-generation analysis `[analysis]` asks for (nil when off or without an archive).
  public private(set) var analysis: SearchAnalysis?
  /// What the analysis did at the last generation run (for printing).
  public private(set) var lastAnalysis: [SearchAnalysis.Event] = []

  public var config: SearchConfig { run.config }
  public var generation: Int { run.evolution.generation }

  init(run: SearchRun, archive: ArchiveWriter?, championPath: String?) throws {
    self.run = run
    self.archive = archive
    self.championPath = championPath
    if let archive, run.config.analysis.isEnabled {
      analysis = try SearchAnalysis(config: run.config, task: run.task, evaluator: run.evaluator, archive: archive)
    }
  }

  /// A new search, archived at `archivePath` when given (an existing file is refused unless
  /// `force`).
  public static func start(
    config: SearchConfig, evaluator: any GenerationEvaluator, archivePath: String?,
    championPath: String?, force: Bool
  ) throws -> SearchSession {
    let run = try SearchRun(config: config, evaluator: evaluator)
    var archive: ArchiveWriter?
    if let archivePath {
      archive = try ArchiveWriter(
        creating: archivePath, config: config, inputLabels: run.task.inputLabels,
        outputLabels: run.task.outputLabels, environment: (run.task as? GymTask)?.environment.json, force: force)
    }
    return try SearchSession(run: run, archive: archive, championPath: championPath)
  }

  /// What `resume` found in an archive.
  public enum Resumption {
    /// The run already holds `done` generations (its target) and finished: nothing to do.
    case alreadyDone(done: Int, target: Int)
    /// Ready to continue at generation `from`; `dropped` lists generations cut short by the
    /// interruption (removed from the archive).
    case ready(SearchSession, from: Int, dropped: [Int])
  }

  /// Continues a stopped or killed search from its archive, to `generations` in total (default:
  /// the run's configured generations). The result is bit for bit what an uninterrupted run
  /// gives.
  public static func resume(
    archivePath: String, generations: Int?, evaluator: any GenerationEvaluator,
    analysis: ((inout AnalysisConfig) -> Void)? = nil
  ) throws -> Resumption {
    // The writer lock first: what is read must not change before the writer reopens the file.
    guard FileManager.default.fileExists(atPath: archivePath) else { throw ArchiveError.notFound(archive: archivePath) }
    let lock = try ArchiveLock(archivePath: archivePath)
    let reader = try ArchiveReader(path: archivePath)
    var config = reader.config
    if let generations { config.generations = generations }
    let storedAnalysis = config.analysis
    analysis?(&config.analysis)
    do { try config.validate() } catch { throw ExperimentError("invalid analysis settings: \(error)") }
    let task = try Tasks.interface(config.task)
    let evolution = try reader.restoreEvolution(
      config: config, inputs: task.inputLabels.count, outputs: task.outputLabels.count,
      hiddenActivations: task.hiddenActivations)
    let lastComplete = reader.completeGenerations.last, dropped = reader.incompleteGenerations
    let finished = reader.isFinished
    // The last complete generation's analysis may have been cut short with the run: what it
    // needs to be redone (missing results only).
    var catchUp:
      (
        generation: Int, newChampion: Bool, champion: (ref: GenomeRef, genome: Genome)?,
        best: (index: Int, genome: Genome)
      )?
    if let g = lastComplete, config.analysis.isEnabled {
      let c = try reader.champion(asOf: g)
      let b = try reader.bestIndex(generation: g)
      catchUp = (
        g, c?.generation == g, try c.map { ($0, try reader.genome(generation: $0.generation, index: $0.index)) },
        (b, try reader.genome(generation: g, index: b))
      )
    }
    // The reader must be closed before the file is reopened for writing.
    try reader.close()
    let done = (lastComplete ?? -1) + 1
    if done >= config.generations && dropped.isEmpty && finished {
      return .alreadyDone(done: done, target: config.generations)
    }
    let run =
      try evolution.map { try SearchRun(evolution: $0, evaluator: evaluator) }
      ?? SearchRun(config: config, evaluator: evaluator)
    let writer = try ArchiveWriter(
      appendingTo: archivePath, lastComplete: lastComplete,
      generationsTarget: generations, lock: lock)
    if config.analysis != storedAnalysis { try writer.updateConfig(config) }
    var session = try SearchSession(run: run, archive: writer, championPath: nil)
    if let c = catchUp, var analysis = session.analysis {
      session.lastAnalysis = try analysis.analyse(
        generation: c.generation, final: config.generations - 1, newChampion: c.newChampion,
        champion: c.champion, best: c.best, archive: writer)
      session.analysis = analysis
    }
    return .ready(session, from: done, dropped: dropped)
  }

  /// Runs a whole search, silently, as run `name` of a multi-run archive (an experiment grid's or
  /// a comparison's); returns the run's writer (for what follows the search) and its champion.
  static func runWhole(
    _ name: String, in writer: MultiRunWriter, config: SearchConfig, task: any WANNTask,
    evaluator: any GenerationEvaluator
  ) throws -> (archive: ArchiveWriter, champion: Champion?) {
    let archive = try writer.run(
      named: name, config: config, inputLabels: task.inputLabels, outputLabels: task.outputLabels,
      environment: (task as? GymTask)?.environment.json)
    var session = try SearchSession(
      run: try SearchRun(config: config, evaluator: evaluator), archive: archive, championPath: nil)
    try session.run(until: config.generations)
    try session.finish()
    return (archive, session.run.evolution.champion)
  }

  /// Runs generations until `total`, archiving each; `onGeneration` sees each summary as it is
  /// written (to print it).
  public mutating func run(until total: Int, onGeneration: (GenerationSummary) throws -> Void = { _ in }) throws {
    while run.evolution.generation < total {
      let result = run.runGenerationInFull()
      try archive?.write(result)
      if var analysis, let archive {
        let g = result.summary.generation, best = result.assessment.best
        let champion = run.evolution.champion.map { (GenomeRef(generation: $0.generation, index: $0.index), $0.genome) }
        lastAnalysis = try analysis.analyse(
          generation: g, final: total - 1, newChampion: result.summary.newChampion,
          champion: champion, best: (best, result.population[best].genome), archive: archive)
        self.analysis = analysis
      }
      if result.summary.newChampion, let championPath { try writeChampion(to: championPath) }
      try onGeneration(result.summary)
    }
  }

  /// Marks the run finished in its archive (with its champion) and closes the archive.
  public func finish() throws {
    try archive?.finish(champion: run.evolution.champion)
    try archive?.close()
  }

  /// Writes the champion's genome document (JSON), atomically.
  public func writeChampion(to path: String) throws {
    guard let c = run.evolution.champion else { return }
    let doc = GenomeDocument(
      task: config.task, genome: c.genome, generation: c.generation, seed: config.seed,
      searchMeanReward: c.searchMean, retestMeanReward: c.retestMean)
    do { try Data((JSONText.pretty(doc) + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
      throw ExperimentError("cannot write champion to '\(path)': \(error.localizedDescription)")
    }
  }

  /// Creates the folder a file will go in.
  public static func prepareDirectory(for path: String) throws {
    let dir = PathText.folder(of: path)
    guard !dir.isEmpty else { return }
    do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
      throw ExperimentError("cannot create directory '\(dir)': \(error.localizedDescription)")
    }
  }
}

/// A failure of the experiments layer, with its one-line message.
public struct ExperimentError: Error, CustomStringConvertible {
  public let description: String
  public init(_ message: String) { description = message }
}

/// JSON as the engine writes it for people and tools: sorted keys, non-finite numbers as strings.
public enum JSONText {
  public static func compact<T: Encodable>(_ value: T) -> String { encode(value, pretty: false) }
  public static func pretty<T: Encodable>(_ value: T) -> String { encode(value, pretty: true) }

  static func encode<T: Encodable>(_ value: T, pretty: Bool) -> String {
    let e = JSONEncoder()
    e.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    // Encoding our Codable value types cannot fail: they hold no non-conforming values left
    // unhandled above.
    guard let data = try? e.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }
}
