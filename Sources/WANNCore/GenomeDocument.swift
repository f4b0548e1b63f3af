/// The JSON form of a genome written by `wann search` and read by `wann evaluate`: the genome
/// plus enough context to use it (task, where it came from, its scores).
public struct GenomeDocument: Codable, Sendable, Equatable {
  public static let formatName = "wann-genome"
  public static let currentVersion = 1

  public var format = GenomeDocument.formatName
  public var version = GenomeDocument.currentVersion
  public var task: TaskKind
  public var genome: Genome
  public var generation: Int?
  public var seed: UInt64?
  /// Mean reward on the search's shared rollouts, and on the champion re-test.
  public var searchMeanReward: Double?
  public var retestMeanReward: Double?

  public init(
    task: TaskKind, genome: Genome, generation: Int? = nil, seed: UInt64? = nil,
    searchMeanReward: Double? = nil, retestMeanReward: Double? = nil
  ) {
    self.task = task
    self.genome = genome
    self.generation = generation
    self.seed = seed
    self.searchMeanReward = searchMeanReward
    self.retestMeanReward = retestMeanReward
  }
}
