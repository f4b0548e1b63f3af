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
}

/// Drives `Evolution` with a task and a parallel evaluator: evaluate, rank, re-test a possible
/// champion, breed. The I/O-free heart of `wann search`.
public struct SearchRun: Sendable {
  public private(set) var evolution: Evolution
  public let task: any WANNTask
  public let evaluator: ParallelEvaluator

  public init(config: SearchConfig, threads: Int) {
    task = Tasks.make(config.task)
    evaluator = ParallelEvaluator(threads: threads)
    evolution = Evolution(config: config, inputs: task.inputCount, outputs: task.outputCount,
                          defaultHiddenActivations: task.hiddenActivations)
  }

  public var config: SearchConfig { evolution.config }

  /// Evaluates the current generation, ranks it, re-tests a champion candidate, and breeds the
  /// next generation. Returns the generation's summary.
  public mutating func runGeneration() -> GenerationSummary {
    let clock = ContinuousClock()
    let start = clock.now
    let config = evolution.config
    let generation = evolution.generation
    let networks = evolution.genomes.map(Self.compile)
    let seed = config.seed
    let (rewards, searchSteps) = evaluator.evaluate(
      task: task, networks: networks, weights: config.evaluation.weights,
      repetitions: config.evaluation.repetitions,
      episodes: EpisodeKey(seed: seed, purpose: .rollout, generation: generation))
    let assessment = evolution.tell(rewards)
    var steps = searchSteps
    var accepted = false
    if let candidate = evolution.championCandidate {
      let (retest, retestSteps) = evaluator.evaluate(
        task: task, networks: [networks[candidate]], weights: config.evaluation.weights,
        repetitions: config.evaluation.championRetests,
        episodes: EpisodeKey(seed: seed, purpose: .championRetest, generation: generation))
      steps += retestSteps
      accepted = evolution.offerChampion(index: candidate, retestMean: Statistics.mean(retest.values))
    }
    let best = assessment.best
    let bestGenome = evolution.population[best].genome
    let champion = evolution.champion
    evolution.advance()
    return GenerationSummary(
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
  }

  /// Search genomes keep the feed-forward invariant, so compiling them cannot fail.
  static func compile(_ genome: Genome) -> Network {
    do { return try Network(genome) } catch { preconditionFailure("search produced an invalid genome: \(error)") }
  }

  public static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
