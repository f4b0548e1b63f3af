import WANNCore
import WANNTasks

/// A network's performance profile: reward against the shared weight value, with the spread and
/// a 95% confidence interval of the mean at each value. The paper's central picture: a WANN
/// should do well over a wide range of weights, not at one.
public struct WeightProfile: Sendable, Equatable {
  /// What was measured; two profiles with equal settings of the same genome are equal.
  public struct Settings: Sendable, Equatable {
    public var weights: [Double]
    public var trials: Int
    /// Seed of the episodes: trial t of every weight plays the episode of stream
    /// (seed, evaluation, rollout t), as `wann evaluate` does, so the two agree.
    public var seed: UInt64
    public init(weights: [Double], trials: Int, seed: UInt64) {
      self.weights = weights
      self.trials = trials
      self.seed = seed
    }
  }

  public let settings: Settings
  /// Rewards, row-major [trial][weight].
  public let rewards: [Double]
  public let mean: [Double]
  /// Sample standard deviation (n - 1) over trials.
  public let std: [Double]
  /// Half width of the 95% confidence interval of the mean (Student t, n - 1 degrees of freedom).
  public let ciHalfWidth: [Double]

  public var weights: [Double] { settings.weights }
  public var trials: Int { settings.trials }

  /// Builds the summary statistics from stored rewards ([trial][weight], row-major).
  public init(settings: Settings, rewards: [Double]) {
    precondition(rewards.count == settings.trials * settings.weights.count, "rewards must be trials x weights")
    self.settings = settings
    self.rewards = rewards
    let w = settings.weights.count
    var mean: [Double] = [], std: [Double] = [], ci: [Double] = []
    for j in 0..<w {
      let column = (0..<settings.trials).map { rewards[$0 * w + j] }
      let interval = Statistics.confidenceInterval95(column)
      mean.append(interval.mean)
      std.append(Statistics.standardDeviation(column))
      ci.append(interval.halfWidth)
    }
    self.mean = mean
    self.std = std
    self.ciHalfWidth = ci
  }

  /// Plays `trials` episodes at every weight value.
  public static func measure(
    _ network: Network, task: any WANNTask, settings: Settings,
    evaluator: ParallelEvaluator
  ) -> WeightProfile {
    let (matrix, _) = evaluator.evaluate(
      task: task, networks: [network], weights: settings.weights,
      repetitions: settings.trials,
      episodes: EpisodeKey(seed: settings.seed, purpose: .evaluation))
    // RewardMatrix of one genome is already [repetition][weight].
    return WeightProfile(settings: settings, rewards: matrix.values)
  }

  /// Index of the weight value with the highest mean reward (the first one on ties).
  public var bestWeightIndex: Int {
    mean.indices.max { (mean[$0], -$0) < (mean[$1], -$1) } ?? 0
  }
}
