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
  /// Whether the generation ranked on (mean, novelty); nil when the run has novelty off, so the
  /// log and `--json` of such runs stay as they were.
  public var rankedOnNovelty: Bool?
  public var steps: Int
  public var seconds: Double

  public init(
    generation: Int, best: Double, mean: Double, median: Double, bestConnections: Int, bestNodes: Int,
    championReward: Double?, championConnections: Int?, championNodes: Int?, newChampion: Bool,
    rankedOnConnections: Bool, rankedOnNovelty: Bool? = nil, steps: Int, seconds: Double
  ) {
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
    self.rankedOnNovelty = rankedOnNovelty
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
  /// The generation's species, with speciation on (stored so that a resume continues exactly).
  public let species: SpeciesAssignment?

  public struct Retest: Sendable {
    public let index: Int
    public let rewards: RewardMatrix
    public let accepted: Bool
    public init(index: Int, rewards: RewardMatrix, accepted: Bool) {
      self.index = index
      self.rewards = rewards
      self.accepted = accepted
    }
  }

  public init(
    summary: GenerationSummary, population: [Individual], assessment: Assessment, record: InnovationRecord,
    eliteIndices: [Int], weights: [Double], episodeStreams: [UInt64], retest: Retest?, champion: Champion?,
    species: SpeciesAssignment? = nil
  ) {
    self.summary = summary
    self.population = population
    self.assessment = assessment
    self.record = record
    self.eliteIndices = eliteIndices
    self.weights = weights
    self.episodeStreams = episodeStreams
    self.retest = retest
    self.champion = champion
    self.species = species
  }
}

extension Duration {
  /// The duration in seconds, as a Double (for logs and timing attributes).
  public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
