import Foundation
import WANNCore

/// One generation's line of the search log (also its `--json` object).
public struct GenerationSummary: Codable, Sendable, Equatable {
  public var generation: Int
  /// Best, mean and median over the population of each genome's mean reward.
  public var best: Double
  public var mean: Double
  public var median: Double
  /// Connections (enabled) and nodes (all, bias and inputs included) of the generation's best.
  public var bestConnections: Int
  public var bestNodes: Int
  /// The champion so far: its re-tested mean reward, connections and nodes.
  public var championReward: Double?
  public var championConnections: Int?
  public var championNodes: Int?
  public var newChampion: Bool
  public var rankedOnConnections: Bool
  public var steps: Int
  public var seconds: Double

  public init(generation: Int, best: Double, mean: Double, median: Double, bestConnections: Int, bestNodes: Int,
              championReward: Double?, championConnections: Int?, championNodes: Int?, newChampion: Bool,
              rankedOnConnections: Bool, steps: Int, seconds: Double) {
    self.generation = generation
    self.best = best
    self.mean = mean
    self.median = median
    self.bestConnections = bestConnections
    self.bestNodes = bestNodes
    self.championReward = championReward
    self.championConnections = championConnections
    self.championNodes = championNodes
    self.newChampion = newChampion
    self.rankedOnConnections = rankedOnConnections
    self.steps = steps
    self.seconds = seconds
  }
}

/// Everything a generation produced, for the archive: its population (genomes, lineage), the
/// full reward matrix and ranking, the innovation counters it was bred with, the elites chosen
/// for the next generation, the champion re-test and the champion after it.
public struct GenerationResult: Sendable {
  public let summary: GenerationSummary
  public let population: [Individual]
  public let assessment: Assessment
  public let record: InnovationRecord
  public let eliteIndices: [Int]
  public let weights: [Double]
  /// Starting position of repetition r's episode stream (identifies the episodes).
  public let episodeStreams: [UInt64]
  public let retest: Retest?
  public let champion: Champion?

  public struct Retest: Sendable {
    public let index: Int
    public let rewards: RewardMatrix
    public let accepted: Bool
  }
}

/// Drives `Evolution` with a task and a parallel evaluator: evaluate, rank, re-test a possible
/// champion, breed. The I/O-free heart of `wann search`.
public struct SearchRun: Sendable {
  public private(set) var evolution: Evolution
  public let task: any WANNTask
  public let evaluator: any GenerationEvaluator

  /// Makes the evaluator of every new search from the thread count: the local
  /// `ParallelEvaluator` unless the program installs another at start-up (the MPI coordinator
  /// when `wann` runs under mpirun). Set once, before any search starts.
  nonisolated(unsafe) public static var makeEvaluator: @Sendable (Int) -> any GenerationEvaluator = { ParallelEvaluator(threads: $0) }

  public init(config: SearchConfig, threads: Int) throws(DatasetError) {
    task = try Tasks.make(config.task, batchSize: config.evaluation.batchSize)
    evaluator = Self.makeEvaluator(threads)
    evolution = Evolution(config: config, inputs: task.inputCount, outputs: task.outputCount,
                          defaultHiddenActivations: task.hiddenActivations)
  }

  /// Continues a search from a restored state (see `Evolution.init(config:...generation:...)`).
  public init(evolution: Evolution, threads: Int) throws(DatasetError) {
    task = try Tasks.make(evolution.config.task, batchSize: evolution.config.evaluation.batchSize)
    evaluator = Self.makeEvaluator(threads)
    self.evolution = evolution
  }

  public var config: SearchConfig { evolution.config }

  /// Evaluates the current generation, ranks it, re-tests a champion candidate, and breeds the
  /// next generation. Returns the generation's summary.
  public mutating func runGeneration() -> GenerationSummary { runGenerationInFull().summary }

  /// As `runGeneration`, returning everything the generation produced.
  public mutating func runGenerationInFull() -> GenerationResult {
    let clock = ContinuousClock()
    let start = clock.now
    let config = evolution.config
    let generation = evolution.generation
    let genomes = evolution.genomes
    let networks = genomes.map(Self.compile)
    let seed = config.seed
    let episodes = EpisodeKey(seed: seed, purpose: .rollout, generation: generation)
    let mode = config.evaluation.mode
    let (rewards, searchSteps) = evaluator.evaluate(
      task: task, genomes: genomes, networks: networks, mode: mode, repetitions: config.evaluation.repetitions, episodes: episodes)
    let assessment = evolution.tell(rewards)
    var steps = searchSteps
    var accepted = false
    var retestResult: GenerationResult.Retest?
    if let candidate = evolution.championCandidate {
      let (retest, retestSteps) = evaluator.evaluate(
        task: task, genomes: [genomes[candidate]], networks: [networks[candidate]], mode: mode,
        repetitions: config.evaluation.championRetests,
        episodes: EpisodeKey(seed: seed, purpose: .championRetest, generation: generation))
      steps += retestSteps
      accepted = evolution.offerChampion(index: candidate, retestMean: Statistics.mean(retest.values))
      retestResult = GenerationResult.Retest(index: candidate, rewards: retest, accepted: accepted)
    }
    let best = assessment.best
    let bestGenome = evolution.population[best].genome
    let champion = evolution.champion
    let population = evolution.population
    let record = evolution.record
    let elites = evolution.eliteIndices
    evolution.advance()
    let streams = (0..<config.evaluation.repetitions).map { episodes.stream(repetition: $0).position }
    let summary = GenerationSummary(
      generation: generation,
      best: assessment.meanReward[best],
      mean: Statistics.mean(assessment.meanReward),
      median: Statistics.median(assessment.meanReward),
      bestConnections: bestGenome.enabledConnectionCount,
      bestNodes: bestGenome.nodes.count,
      championReward: champion?.retestMean,
      championConnections: champion?.genome.enabledConnectionCount,
      championNodes: champion?.genome.nodes.count,
      newChampion: accepted,
      rankedOnConnections: assessment.rankedOnConnections,
      steps: steps,
      seconds: Self.seconds(clock.now - start))
    return GenerationResult(
      summary: summary, population: population, assessment: assessment, record: record, eliteIndices: elites,
      weights: mode.nominalValues, episodeStreams: streams, retest: retestResult, champion: champion)
  }

  /// Search genomes keep the feed-forward invariant, so compiling them cannot fail.
  static func compile(_ genome: Genome) -> Network {
    do { return try Network(genome) } catch { preconditionFailure("search produced an invalid genome: \(error)") }
  }

  public static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
