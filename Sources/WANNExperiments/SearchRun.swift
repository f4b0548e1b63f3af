import Foundation
import WANNCore
import WANNTasks

/// Drives `Evolution` with a task and an evaluator: evaluate, rank, re-test a possible champion,
/// breed. The I/O-free heart of `wann search`. The evaluator is passed in (threads here, MPI
/// ranks under mpirun, anything in a test); every evaluator gives the same rewards, so the
/// search is the same whatever evaluates it.
public struct SearchRun: Sendable {
  public private(set) var evolution: Evolution
  public let task: any WANNTask
  public let evaluator: any GenerationEvaluator

  public init(config: SearchConfig, evaluator: any GenerationEvaluator) throws {
    task = try Tasks.make(config.task, batchSize: config.evaluation.batchSize)
    self.evaluator = evaluator
    evolution = Evolution(
      config: config, inputs: task.inputCount, outputs: task.outputCount,
      defaultHiddenActivations: task.hiddenActivations)
  }

  /// A search evaluated on `threads` local threads.
  public init(config: SearchConfig, threads: Int) throws {
    try self.init(config: config, evaluator: ParallelEvaluator(threads: threads))
  }

  /// Continues a search from a restored state (see `Evolution.init(config:...generation:...)`).
  public init(evolution: Evolution, evaluator: any GenerationEvaluator) throws {
    task = try Tasks.make(evolution.config.task, batchSize: evolution.config.evaluation.batchSize)
    self.evaluator = evaluator
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
    let networks = evaluator.compile(genomes)
    let seed = config.seed
    let episodes = EpisodeKey(seed: seed, purpose: .rollout, generation: generation)
    let mode = config.evaluation.mode
    let (rewards, searchSteps) = evaluator.evaluate(
      task: task, genomes: genomes, networks: networks, mode: mode, repetitions: config.evaluation.repetitions,
      episodes: episodes)
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
    let species = evolution.species
    evolution.advance()
    let streams = (0..<config.evaluation.repetitions).map { episodes.stream(repetition: $0).position }
    let summary = GenerationSummary(
      generation: generation,
      best: assessment.meanReward[best],
      mean: Statistics.mean(assessment.meanReward),
      median: Statistics.median(assessment.meanReward),
      bestConnections: bestGenome.activeConnectionCount,
      bestNodes: bestGenome.nodes.count,
      championReward: champion?.retestMean,
      championConnections: champion?.genome.activeConnectionCount,
      championNodes: champion?.genome.nodes.count,
      newChampion: accepted,
      rankedOnConnections: assessment.rankedOnConnections,
      rankedOnNovelty: config.ranking.noveltyProbability > 0 ? assessment.rankedOnNovelty : nil,
      steps: steps,
      seconds: (clock.now - start).inSeconds)
    return GenerationResult(
      summary: summary, population: population, assessment: assessment, record: record, eliteIndices: elites,
      weights: mode.nominalValues, episodeStreams: streams, retest: retestResult, champion: champion,
      species: species)
  }
}
