import WANNAnalysis
import WANNArchive
import WANNCore
import WANNTasks

/// The genomes an after-the-fact analysis of a run covers (`wann profile --every`, `wann
/// battery`), read once: the run they came from, its settings, and the chosen genomes. Reading
/// closes the archive again, so that the analysis store can open it for writing after.
public struct RunSeries: Sendable {
  public let path: String
  public let runName: String?
  public let task: TaskKind
  public let config: SearchConfig
  public let genomes: [ChosenGenome]

  public static func read(path: String, run: String?, choice: GenerationChoice, best: Bool) throws -> RunSeries {
    let reader = try ArchiveReader(path: path, run: run)
    defer { try? reader.close() }
    return RunSeries(
      path: path, runName: reader.runName, task: reader.task, config: reader.config,
      genomes: try choice.genomes(in: reader, best: best))
  }

  /// The weight profile of each chosen genome, read back when an identical one is stored, else
  /// measured and stored; each is committed before the next starts (the store is opened per
  /// genome), so an interrupted call keeps what it finished. `progress` gets the count done.
  public func profiles(
    settings: WeightProfile.Settings, evaluator: ParallelEvaluator, progress: (Int) -> Void = { _ in }
  ) throws -> [ProfileReport] {
    try genomes.enumerated().map { n, c in
      let store = try AnalysisStore(path: path, run: runName)
      let outcome: ProfileOutcome
      do {
        outcome = try ProfileOutcome.obtain(
          c.genome, generation: c.generation, index: c.index, task: task, settings: settings, evaluator: evaluator,
          store: store)
      } catch {
        try? store.close()
        throw error
      }
      try store.close()
      progress(n + 1)
      return ProfileReport(outcome, genome: c.genome, ref: c.ref, generations: c.standsFor)
    }
  }

  /// The test battery of each chosen genome under this run's settings (`trials` overrides its
  /// `analysis.batteryTrials`), read back when one with the same settings is stored.
  public func batteries(trials: Int?, evaluator: ParallelEvaluator, progress: (Int) -> Void = { _ in }) throws
    -> BatteriesReport
  {
    let battery = self.battery(trials: trials)
    let seriesWeights = config.evaluation.weights
    let signature = battery.signature(seriesWeights: seriesWeights)
    let environment = try Tasks.make(task, batchSize: config.evaluation.batchSize)
    let store = try AnalysisStore(path: path, run: runName)
    var reports: [BatteryReport] = []
    do {
      for (n, c) in genomes.enumerated() {
        let existing = try store.storedBatteries(generation: c.generation, index: c.index).first {
          $0.settings == signature
        }
        let conditions: [(String, Double)], storedPath: String
        if let existing {
          (conditions, storedPath) = (existing.summary, existing.path)
        } else {
          let network: Network
          do { network = try Network(c.genome) } catch {
            throw ExperimentError("genome \(c.generation)/\(c.index) cannot be evaluated: \(error)")
          }
          let result = battery.evaluate(
            network, genome: c.genome, task: environment, evaluator: evaluator, seriesWeights: seriesWeights)
          storedPath = try store.store(
            result, battery: battery, seriesWeights: seriesWeights, generation: c.generation, index: c.index,
            task: task)
          conditions = result.conditions.map { ($0.name, $0.score) }
        }
        reports.append(
          BatteryReport(
            generations: c.standsFor, genomeGeneration: c.generation, genomeIndex: c.index,
            connections: c.genome.activeConnectionCount, conditions: conditions.map(\.0),
            scores: conditions.map(\.1), stored: storedPath, reused: existing != nil))
        progress(n + 1)
      }
      try store.close()
    } catch {
      try? store.close()
      throw error
    }
    return BatteriesReport(archive: path, task: task.rawValue, settings: signature, batteries: reports)
  }

  /// The battery this run's settings describe, `trials` episodes per condition when given.
  public func battery(trials: Int?) -> Experiment.Battery {
    var analysis = config.analysis
    if let trials { analysis.batteryTrials = trials }
    return Experiment.Battery(analysis: analysis)
  }
}

/// One profile in `wann profile --json`.
public struct ProfileReport: Codable, Equatable, Sendable {
  /// Generations whose champion (or best genome) this genome is; empty for a single genome.
  public var generations: [Int]
  public var genomeGeneration: Int
  public var genomeIndex: Int
  public var connections: Int
  public var weights: [Double]
  public var mean: [Double]
  public var std: [Double]
  public var ci95: [Double]
  public var trials: Int
  public var seed: UInt64
  /// Where it is stored in the archive (nil for genome files).
  public var stored: String?
  /// True when an identical profile was already stored and was read back instead of recomputed.
  public var reused: Bool

  enum CodingKeys: String, CodingKey {
    case generations, connections, weights, mean, std, ci95, trials, seed, stored, reused
    case genomeGeneration = "genome_generation", genomeIndex = "genome_index"
  }

  /// `ref` is where the genome is in its run (nil for a genome file: -1/-1).
  public init(_ outcome: ProfileOutcome, genome: Genome, ref: GenomeRef?, generations: [Int]) {
    let p = outcome.profile
    self.generations = generations
    (genomeGeneration, genomeIndex) = (ref?.generation ?? -1, ref?.index ?? -1)
    connections = genome.activeConnectionCount
    (weights, mean, std, ci95) = (p.weights, p.mean, p.std, p.ciHalfWidth)
    (trials, seed) = (p.trials, p.settings.seed)
    (stored, reused) = (outcome.storedPath, outcome.reused)
  }

  /// The weight with the highest mean reward (the first of equals).
  public var bestWeightIndex: Int { mean.indices.max { (mean[$0], -$0) < (mean[$1], -$1) } ?? 0 }
}

/// `wann profile --json`.
public struct ProfilesReport: Codable, Equatable, Sendable {
  public var archive: String?
  public var task: String
  public var profiles: [ProfileReport]
  public init(archive: String?, task: String, profiles: [ProfileReport]) {
    (self.archive, self.task, self.profiles) = (archive, task, profiles)
  }
}

/// One genome's battery in `wann battery --json`.
public struct BatteryReport: Codable, Equatable, Sendable {
  /// Generations whose champion (or best genome) this genome is.
  public var generations: [Int]
  public var genomeGeneration: Int
  public var genomeIndex: Int
  public var connections: Int
  public var conditions: [String]
  public var scores: [Double]
  public var stored: String
  /// True when an identical battery was already stored (by the search or an earlier call).
  public var reused: Bool

  enum CodingKeys: String, CodingKey {
    case generations, connections, conditions, scores, stored, reused
    case genomeGeneration = "genome_generation", genomeIndex = "genome_index"
  }
}

/// `wann battery --json`.
public struct BatteriesReport: Codable, Equatable, Sendable {
  public var archive: String
  public var task: String
  public var settings: String
  public var batteries: [BatteryReport]
}

/// The generations a chosen genome stands for, as the tables print them: "0,64,128", or
/// "0..960 (16)" for more than three.
public enum GenerationsLabel {
  public static func text(_ generations: [Int]) -> String {
    guard generations.count > 3, let first = generations.first, let last = generations.last else {
      return generations.map(String.init).joined(separator: ",")
    }
    return "\(first)..\(last) (\(generations.count))"
  }
}
